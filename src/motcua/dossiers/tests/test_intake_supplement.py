"""An online dossier the intake officer finds incomplete: a supplement asked before acceptance (Mẫu 02),
answered by the applicant on the portal; the applicant's online supplement after acceptance; the fees
due at submission paid online before the dossier is received."""

from __future__ import annotations

import pytest
import time_machine
from django.core.files.base import ContentFile

from motcua.catalogue.models import Fee
from motcua.core.errors import Conflict
from motcua.dossiers import services as s
from motcua.dossiers.models import DossierFee, Supplement
from motcua.dossiers.ontime import judge_now
from motcua.dossiers.rules import (
    Action,
    DossierForbidden,
    DossierNotFound,
    InvalidDossierInput,
    StaleDossier,
    State,
)
from motcua.dossiers.tests import factories as df
from motcua.dossiers.tests.factories import at
from motcua.dossiers.timeliness import Basis

pytestmark = pytest.mark.django_db


def _scan(name: str = "to-khai-da-ky.pdf") -> s.ComponentInput:
    return s.ComponentInput(name="Tờ khai có chữ ký", file=ContentFile(b"%PDF-1.4 bo sung", name=name))


def test_asked_before_acceptance_no_clock_runs_and_the_applicant_answers_online(w):
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False) as clock:
        d = df.submit(w)
        with pytest.raises(DossierForbidden):  # the processing unit's specialist does not take intake
            s.request_intake_supplement(
                d.code, by=w.specialist_a, expected_version=1, items=["x"], reasons="y"
            )
        d = s.request_intake_supplement(
            d.code,
            by=w.intake_a,
            expected_version=1,
            items=["Tờ khai có chữ ký của người yêu cầu"],
            reasons="Thiếu chữ ký",
        )
        assert (d.state, d.national_status, d.received_at, d.due_at) == (
            State.INTAKE_SUPPLEMENT,
            5,
            None,
            None,
        )
        assert s.open_request(d) == (["Tờ khai có chữ ký của người yêu cầu"], "Thiếu chữ ký")
        assert not Supplement.objects.filter(
            dossier=d
        ).exists()  # never a supplement wait of a received dossier
        # only the applicant answers, with a document, on the version they saw
        with pytest.raises(DossierNotFound):
            s.supplement_online(d.code, applicant=w.organisation, expected_version=2, components=[_scan()])
        with pytest.raises(InvalidDossierInput):
            s.supplement_online(d.code, applicant=w.person, expected_version=2, components=[])
        with pytest.raises(StaleDossier):
            s.supplement_online(d.code, applicant=w.person, expected_version=1, components=[_scan()])
        clock.move_to(at(2026, 3, 11, 10, 0))  # two days later
        d = s.supplement_online(d.code, applicant=w.person, expected_version=2, components=[_scan()])
        assert (d.state, d.national_status) == (State.SUBMITTED, 1)
        added = d.components.filter(name="Tờ khai có chữ ký").get()
        assert added.file_sha256 and not added.digitised  # handed in online, not scanned at the counter
        event = d.events.order_by("-seq").first()
        assert (event.action, event.actor_id, event.actor_label.startswith("Công dân")) == (
            Action.SUPPLEMENT_ONLINE,
            None,
            True,
        )
        clock.move_to(at(2026, 3, 11, 10, 30))
        d = s.accept_online(d.code, by=w.intake_a, expected_version=3)
    # the 3 working days run from acceptance (Wed 11/03 10:30), not from the first submission (Mon
    # 09/03): Thu 12, Fri 13, Mon 16, due at the end of Monday's office hours
    assert d.received_at == at(2026, 3, 11, 10, 30)
    assert d.due_at == at(2026, 3, 16, 17, 0)
    verdict = judge_now(d, at(2026, 3, 12, 9, 0), (), Basis.NATIONAL)
    assert verdict.requests == 0


def test_a_dossier_never_supplemented_is_refused_at_intake(w):
    d = df.submit(w)
    d = s.request_intake_supplement(
        d.code, by=w.intake_a, expected_version=1, items=["Tờ khai"], reasons="Thiếu"
    )
    assert s.actions_for(w.intake_a, d) == [Action.REFUSE_AT_INTAKE, Action.WITHDRAW]
    d = s.refuse_at_intake(d.code, by=w.intake_a, expected_version=2, reasons="Không bổ sung trong thời hạn")
    assert (d.state, d.national_status) == (State.REFUSED_AT_INTAKE, 3)


def test_online_supplement_after_acceptance_recomputes_the_due_as_at_the_counter(w):
    """The same request answered online and at the counter gives the same new due date: one rule."""
    dues = []
    for online in (True, False):
        with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False) as clock:
            d = df.receive(w)
            d = s.request_supplement(
                d.code, by=w.specialist_a, expected_version=1, items=["Bản sao"], reasons="Mờ"
            )
            clock.move_to(at(2026, 3, 10, 14, 0))
            if online:
                d = s.supplement_online(d.code, applicant=w.person, expected_version=2, components=[_scan()])
            else:
                d = s.receive_supplement(d.code, by=w.intake_a, expected_version=2, components=[_scan()])
        assert d.state == State.IN_PROGRESS
        assert Supplement.objects.get(dossier=d).received_at == at(2026, 3, 10, 14, 0)
        dues.append(d.due_at)
    assert dues[0] == dues[1]


def test_fees_due_at_submission_are_paid_online_before_receipt(w):
    listed = df.submit(w)
    assert s.owed_now(listed) == []  # a fee the procedure does not ask to pay first waits for intake
    Fee.objects.filter(version=w.version).update(pay_first=True)
    d = df.submit(w)
    owed = s.owed_now(d)
    assert [(f.name, int(f.amount_vnd)) for f in owed] == [("Lệ phí đăng ký khai sinh", 8000)]
    with pytest.raises(InvalidDossierInput):
        s.confirm_online_payment(d.code, receipt_ref="0000001/2026 (1)", amount_vnd=5000)
    d = s.confirm_online_payment(d.code, receipt_ref="0000001/2026 (1)", amount_vnd=8000)
    assert (d.state, d.paid_online) == (State.SUBMITTED, True)
    assert d.events.order_by("-seq").first().action == Action.PAY_ONLINE
    assert DossierFee.objects.get(dossier=d).paid_online
    assert s.owed_now(d) == []
    with pytest.raises(Conflict):  # a repeated notification moves nothing
        s.confirm_online_payment(d.code, receipt_ref="0000001/2026 (1)", amount_vnd=8000)
    # a dossier received at the counter pays there: nothing is offered online before a request
    counter = df.receive(w)
    assert s.owed_now(counter) == []
