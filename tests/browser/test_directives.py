"""Acceptance: a lead unit reports progress on a task and asks for its completion; the office approves.

The demo runs on today's date; the plan below is made for the test (its deadline two months ahead),
so nothing depends on the seed folder or the time of day.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from motcua.demo.loader import DEMO_PASSWORD
from motcua.directives import services
from motcua.directives.models import Directive, ReportAttachment
from motcua.directives.planparse import parse_text
from motcua.directives.tests.factories import plan_text
from tests.browser.conftest import login

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


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


def test_a_lead_unit_reports_and_asks_for_completion_then_the_office_approves(demo, page, shot):
    today = timezone.localdate()
    due = today + timedelta(days=60)
    rows = [
        ("I", "Nhiệm vụ thử nghiệm của Sở Tư pháp"),
        (
            "1.",
            "Thử nghiệm ký số kết quả chứng thực điện tử tại các xã, phường.",
            "Sở Tư pháp",
            "Văn phòng UBND thành phố, UBND cấp xã",
            due.strftime("%d/%m/%Y"),
            "Văn bản hướng dẫn",
        ),
    ]
    plan = parse_text(plan_text(rows, number="901/KH-UBND", day=today.strftime("%d/%m/%Y")))
    report = services.import_plan(plan, source_file="thu-nghiem.txt")
    directive = Directive.objects.get(document=report.document, number="1")

    # The specialist of Sở Tư pháp finds the task among the unit's tasks.
    sign_in(page, "stp.chuyenvien1")
    page.click("nav >> text=Theo dõi nhiệm vụ")
    page.wait_for_url("**/can-bo/nhiem-vu/")
    page.click("text=Nhiệm vụ của đơn vị")
    assert "Sở Tư pháp thành phố Hải Phòng" in page.inner_text("[data-testid=unit-name]")
    page.fill("#f-q", "ký số kết quả chứng thực")
    with page.expect_navigation():
        page.click("button:has-text('Lọc')")
    assert page.locator("[data-task-link]").count() == 1
    shot(page, "directives-1-unit-dashboard")
    with page.expect_navigation():
        page.click("[data-task-link]")
    assert "Chưa thực hiện" in page.inner_text("[data-testid=task-status]")

    # Progress report with an attachment.
    open_action(page, "bao-cao")
    page.fill("#id_percent", "60")
    page.fill("#id_text", "Đã ban hành hướng dẫn; 30/45 xã, phường đã triển khai.")
    page.set_input_files(
        "#id_attachments", files=[{"name": "huong-dan.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    submit(page, "bao-cao")
    assert "Đã ghi báo cáo tiến độ." in page.inner_text("main")
    assert page.inner_text("[data-testid=progress]") == "60%"
    assert "Đang thực hiện trong hạn" in page.inner_text("[data-testid=task-status]")
    assert "huong-dan.pdf" in page.inner_text("[data-testid=reports]")
    assert ReportAttachment.objects.get(report__occurrence__directive=directive).name == "huong-dan.pdf"
    shot(page, "directives-2-progress-reported")

    # A completion request: the date is today's, the office must approve.
    open_action(page, "hoan-thanh")
    page.fill("#id_completed_on", today.strftime("%d/%m/%Y"))
    page.fill("#id_note", "Văn bản hướng dẫn số 15/HD-STP; 45/45 xã, phường đã triển khai.")
    submit(page, "hoan-thanh")
    assert page.locator("[data-testid=pending-completion]").is_visible()
    assert page.locator("#act-hoan-thanh").count() == 0  # no second request while one waits
    shot(page, "directives-3-completion-requested")
    sign_out(page)

    # The office sees the request waiting and approves it.
    sign_in(page, "giamsat")
    page.goto(page.base + "/can-bo/nhiem-vu/danh-sach/?pending=completion")
    assert "Thử nghiệm ký số kết quả chứng thực" in page.inner_text("main")
    with page.expect_navigation():
        page.click(f"a[href='/can-bo/nhiem-vu/{directive.pk}/'][data-task-link]")
    shot(page, "directives-4-office-reviews")
    page.locator("details[id^=act-duyet-hoan-thanh] input[value=approve]").check()
    page.fill("details[id^=act-duyet-hoan-thanh] textarea", "Đồng ý xác nhận hoàn thành.")
    with page.expect_navigation():
        page.click("[data-testid=decide-hoan-thanh]")
    assert "Đã xác nhận nhiệm vụ hoàn thành." in page.inner_text("main")
    assert "Hoàn thành đúng hạn" in page.inner_text("[data-testid=task-status]")
    assert page.inner_text("[data-testid=progress]") == "100%"
    assert "Kỳ này đã hoàn thành" in page.inner_text("[data-testid=no-actions]")
    shot(page, "directives-5-approved")
    directive.refresh_from_db()
    assert directive.current.completed_on == today
    assert page.console_errors == []
