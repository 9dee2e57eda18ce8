"""Acceptance: every demo procedure walked from intake to return through the staff screens, with the
README's accounts — each signed in once, in a browser context of their own.

Commune-level procedures at Phường Thành Đông; city-level ones received at the Trung tâm Phục vụ hành
chính công for the Công an thành phố or the Phòng Đăng ký kinh doanh of the Sở Tài chính. Each step is
done by the account holding its role, on the dossier page; the page offers each of them exactly the
action of their step.
"""

from __future__ import annotations

import re

import pytest

from motcua.catalogue.models import Procedure
from motcua.core.models import OrgUnit, Person
from motcua.demo.loader import DEMO_PASSWORD
from motcua.dossiers.models import Dossier
from tests.browser.conftest import login

WARD = {
    "intake_officer": "thanhdong.motcua",
    "specialist": "thanhdong.tuphap",
    "unit_leader": "thanhdong.vanphong",
    "agency_leader": "thanhdong.chutich",
    "clerk": "thanhdong.vanthu",
}
POLICE = {
    "specialist": "ca.chuyenvien",
    "unit_leader": "ca.truongphong",
    "agency_leader": "ca.lanhdao",
    "clerk": "ca.vanthu",
}
FINANCE = {"specialist": "stc.chuyenvien", "unit_leader": "stc.truongphong", "agency_leader": "stc.giamdoc"}
CENTRE = {"intake_officer": "ttpvhcc.motcua1"}
WHERE = {  # procedure → (competent unit, accounts by role); the others: Phường Thành Đông
    "2.000488": ("hp-ca", {**CENTRE, **POLICE}),
    "1.002809": ("hp-ca", {**CENTRE, **POLICE}),
    "2.001583": ("hp-stc-dkkd", {**CENTRE, **FINANCE}),
}
CITIZEN = "031088004567"


@pytest.fixture
def province(transactional_db):
    """The demo without its year of history (the walks need units, staff and procedures only)."""
    from motcua.demo.loader import load_demo

    load_demo(verbose=False, history=0)
    Person.objects.create(citizen_id=CITIZEN, full_name="Lê Thị Thu Hằng", address="Phường Thành Đông")


class Desks:
    """One signed-in page per account (a browser context each), reused across the walks."""

    def __init__(self, browser, base: str) -> None:
        self.browser, self.base = browser, base
        self.pages: dict[str, object] = {}
        self.errors: list[str] = []

    def __call__(self, username: str):
        if username not in self.pages:
            context = self.browser.new_context(
                viewport={"width": 1366, "height": 900}, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh"
            )
            context.set_default_timeout(15000)
            pg = context.new_page()
            pg.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
            pg.on(
                "response",
                lambda r: self.errors.append(f"HTTP {r.status} {r.url}") if r.status >= 500 else None,
            )
            pg.base = self.base
            login(pg, username, DEMO_PASSWORD)
            pg.wait_for_url("**/can-bo/")
            self.pages[username] = pg
        return self.pages[username]

    def close(self) -> None:
        for pg in self.pages.values():
            pg.context.close()


def act(pg, code: str, action: str, *, reload: bool = True) -> None:
    """Open the dossier page (unless it was just opened), unfold the action and submit it."""
    if reload:
        pg.goto(f"{pg.base}/can-bo/ho-so/{code}/")
    if pg.get_attribute(f"#act-{action}", "open") is None:
        pg.click(f"#act-{action} > summary")
    with pg.expect_navigation():
        pg.click(f"#act-{action} button[type=submit]")
    assert pg.locator(".alert-success").count() == 1, pg.inner_text("main")[:500]


def receive(pg, code: str, competent: str | None, shot=None) -> str:
    """The counter intake form: the citizen on record, the required paper documents (one of each set of
    alternatives), the competent unit; the new dossier's code."""
    pg.goto(f"{pg.base}/can-bo/ho-so/tiep-nhan/?procedure={code}")
    pg.fill("#id_citizen_id", CITIZEN)
    groups: set[str] = set()
    for c in Procedure.objects.get(code=code).versions.get().components.all():
        if c.required and c.role == "submit" and c.applies_to("direct") and c.alternative_group not in groups:
            pg.check(f"#id_c{c.pk}_received")
            if c.alternative_group:
                groups.add(c.alternative_group)
    if competent is not None:
        pg.select_option("#id_competent_unit", str(OrgUnit.objects.get(code=competent).pk))
    if shot is not None:
        shot(pg, "60-intake-paper-documents-and-alternatives")
    with pg.expect_navigation():
        pg.click("button:has-text('Xác nhận tiếp nhận')")
    found = re.search(r"/can-bo/ho-so/([^/]+)/$", pg.url)
    assert found, pg.inner_text("main")[:800]
    return found.group(1)


def test_every_demo_procedure_walked_from_intake_to_return(browser, live_server, province, shot):
    desks = Desks(browser, live_server.url)
    walked: list[str] = []
    try:
        for procedure in Procedure.objects.order_by("code"):
            competent, accounts = WHERE.get(procedure.code, (None, WARD))
            intake = desks(accounts["intake_officer"])
            code = receive(intake, procedure.code, competent, shot if procedure.code == "1.001193" else None)
            dossier = Dossier.objects.get(code=code)
            walked.append(code)
            while True:
                step = dossier.current_step
                holder = desks(accounts[step.role])
                holder.goto(f"{holder.base}/can-bo/ho-so/{code}/")
                offered = holder.locator("details.action").evaluate_all("els => els.map(e => e.id)")
                if step.code == "tra-ket-qua":
                    break
                last = "act-hand_over" not in offered
                # the step's holder is offered moving it on: handing over, or at the last step the result
                assert ("act-mark_result_ready" in offered) == last, (procedure.code, step.code, offered)
                if procedure.code == "1.004873" and step.role == "agency_leader":
                    shot(holder, "61-leader-signs-last-step")
                act(holder, code, "mark_result_ready" if last else "hand_over", reload=False)
                dossier.refresh_from_db()
                if last:
                    break
            assert dossier.state == "result_ready", procedure.code
            act(intake, code, "return_result")
            assert "10 · Đã trả kết quả" in intake.inner_text("[data-testid=dossier-status]"), procedure.code
            dossier.refresh_from_db()
            assert dossier.state == "returned", procedure.code
        assert Dossier.objects.filter(code__in=walked, state="returned").count() == len(walked) == 14
        assert [e for e in desks.errors if e.startswith("HTTP") or "Content Security Policy" in e] == []
    finally:
        desks.close()
