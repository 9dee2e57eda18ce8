"""Acceptance (what users see): a task led by two units is tracked per unit — one unit's approved
completion leaves the task open until the other finishes; the public 766 page opens on the last
complete month. The demo runs on today's date; the plan below is made for the test."""

from __future__ import annotations

import re
from datetime import timedelta

from django.utils import timezone

from motcua.demo.loader import DEMO_PASSWORD, load_demo
from motcua.directives import services
from motcua.directives.models import Directive
from motcua.directives.planparse import parse_text
from motcua.directives.tests.factories import plan_text
from tests.browser.conftest import login


def sign_in(page, username: str) -> None:
    login(page, username, DEMO_PASSWORD)
    page.wait_for_url("**/can-bo/")


def sign_out(page) -> None:
    page.click("header button:has-text('Đăng xuất')")
    page.wait_for_url("**/can-bo/dang-nhap/")


def open_action(page, action: str) -> None:
    if page.get_attribute(f"#act-{action}", "open") is None:
        page.click(f"#act-{action} > summary")


def submit(page, action: str) -> None:
    with page.expect_navigation():
        page.click(f"#act-{action} button[type=submit]")


def test_a_task_of_two_units_completes_when_both_have(transactional_db, page, shot):
    load_demo(verbose=False, history=0)
    today = timezone.localdate()
    due = today + timedelta(days=60)
    rows = [
        ("I", "Nhiệm vụ thử nghiệm của hai sở"),
        (
            "1.",
            "Công bố danh mục thủ tục được chứng thực điện tử và cấp bản sao điện tử.",
            "Sở Tư pháp; Sở Tài chính",
            "Văn phòng UBND thành phố",
            due.strftime("%d/%m/%Y"),
            "Quyết định công bố",
        ),
    ]
    plan = parse_text(plan_text(rows, number="902/KH-UBND", day=today.strftime("%d/%m/%Y")))
    report = services.import_plan(plan, source_file="thu-nghiem.txt")
    directive = Directive.objects.get(document=report.document, number="1")
    url = f"{page.base}/can-bo/nhiem-vu/{directive.pk}/"

    # Sở Tư pháp reports on its own part and asks for completion.
    sign_in(page, "stp.chuyenvien1")
    page.goto(url)
    assert page.locator("[data-testid=parts] tbody tr").count() == 2
    assert "đơn vị của bạn" in page.inner_text("[data-testid=part-hp-stp]")
    open_action(page, "bao-cao")
    page.fill("#id_percent", "80")
    page.fill("#id_text", "Đã rà soát 12 thủ tục chứng thực; dự thảo quyết định công bố.")
    submit(page, "bao-cao")
    assert page.inner_text("[data-testid=progress]") == "40%"  # (80 + 0) / 2
    open_action(page, "hoan-thanh")
    page.fill("#id_completed_on", today.strftime("%d/%m/%Y"))
    page.fill("#id_note", "Quyết định công bố số 21/QĐ-STP.")
    submit(page, "hoan-thanh")
    sign_out(page)

    # The office approves Sở Tư pháp's part: the task waits for Sở Tài chính.
    sign_in(page, "giamsat")
    page.goto(url)
    assert "Duyệt hoàn thành: Sở Tư pháp thành phố Hải Phòng" in page.inner_text("main")
    page.locator("details[id^=act-duyet-hoan-thanh] input[value=approve]").check()
    with page.expect_navigation():
        page.click("[data-testid=decide-hoan-thanh]")
    assert "Đã xác nhận hoàn thành phần việc của đơn vị." in page.inner_text("main")
    assert page.inner_text("[data-testid=parts-done]") == "1/2"
    assert "Hoàn thành" not in page.inner_text("[data-testid=task-status]")
    assert "Hoàn thành đúng hạn" in page.inner_text("[data-testid=part-hp-stp]")
    assert "Chưa thực hiện" in page.inner_text("[data-testid=part-hp-stc]")
    shot(page, "what-users-see-1-task-two-units-one-done")
    sign_out(page)

    # Sở Tài chính finishes its part; the office approves: the task is complete.
    sign_in(page, "stc.chuyenvien")
    page.goto(url)
    assert "đơn vị của bạn" in page.inner_text("[data-testid=part-hp-stc]")
    open_action(page, "hoan-thanh")
    page.fill("#id_completed_on", today.strftime("%d/%m/%Y"))
    submit(page, "hoan-thanh")
    sign_out(page)
    sign_in(page, "giamsat")
    page.goto(url)
    page.locator("details[id^=act-duyet-hoan-thanh] input[value=approve]").check()
    with page.expect_navigation():
        page.click("[data-testid=decide-hoan-thanh]")
    assert "Đã xác nhận nhiệm vụ hoàn thành." in page.inner_text("main")
    assert "Hoàn thành đúng hạn" in page.inner_text("[data-testid=task-status]")
    assert page.inner_text("[data-testid=parts-done]") == "2/2"
    shot(page, "what-users-see-2-task-two-units-both-done")
    assert page.console_errors == []


def test_the_public_766_page_opens_on_the_last_complete_month(transactional_db, page, shot):
    load_demo(verbose=False, history=300)
    last = timezone.localdate().replace(day=1) - timedelta(days=1)
    page.goto(page.base + "/danh-gia-chat-luong/")
    heading = page.inner_text("#q-total-h")
    assert heading.startswith(f"Tháng {last.month}/{last.year} · Toàn tỉnh"), heading
    assert "đến hết ngày" not in heading
    assert page.input_value("#q-thang") == str(last.month)
    assert re.fullmatch(r"\d+,\d\d", page.inner_text("#q-total"))
    shot(page, "what-users-see-3-public-766-last-complete-month")
    page.goto(page.base + "/chi-so-dieu-hanh/")
    assert f"Số liệu đến hết tháng {last:%m/%Y}." in page.inner_text("main")
    shot(page, "what-users-see-4-public-kpi-last-complete-month")
    assert page.console_errors == []
