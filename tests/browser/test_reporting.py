"""Acceptance: a commune's one-stop officer sends the monthly TTHC report (figures filled from the
dossiers, one typed in, signed); the city office accepts it, aggregates the period and exports the
aggregated report to Excel in the form layout."""

from __future__ import annotations

from openpyxl import load_workbook

from motcua.demo.loader import DEMO_PASSWORD
from motcua.reporting import selectors
from motcua.reporting.models import Submission
from tests.browser.conftest import login


def test_a_unit_submits_and_the_office_aggregates_and_exports(demo, page, shot, tmp_path):
    login(page, "cathai.motcua", DEMO_PASSWORD)
    page.wait_for_url("**/can-bo/")
    page.click("nav.staff-nav >> text=Báo cáo")
    page.wait_for_url("**/can-bo/bao-cao/")
    shot(page, "reporting-1-definitions")
    page.click("nav.dnav >> text=Báo cáo của đơn vị tôi")
    page.wait_for_url("**/can-bo/bao-cao/cua-toi/")
    late = page.locator("tr:has(span[data-status=late]) a[data-report-link]").first
    with page.expect_navigation():
        late.click()
    assert "tự điền" in page.inner_text("main")
    page.fill(
        "label:has-text('Số phản ánh, kiến nghị về TTHC đã tiếp nhận') >> xpath=ancestor::tr//input", "1"
    )
    page.check("input[name=sign]")
    shot(page, "reporting-2-entry")
    with page.expect_navigation():
        page.click("button:has-text('Gửi báo cáo')")
    assert "Đã gửi báo cáo." in page.inner_text("main")
    shot(page, "reporting-3-submitted")
    submission = Submission.objects.get(unit__code="x11914", state="submitted")
    assert submission.current.signer and submission.current.values["7"] == 1
    period = submission.period

    page.click("form[action$='/dang-xuat/'] button")
    login(page, "giamsat", DEMO_PASSWORD)
    page.wait_for_url("**/can-bo/")
    page.goto(f"{page.base}/can-bo/bao-cao/ky/{period.pk}/")
    shot(page, "reporting-4-period")
    with page.expect_navigation():
        page.click("tr[data-unit=x11914] >> text=Xem")
    with page.expect_navigation():
        page.click("button:has-text('Tiếp nhận báo cáo')")
    assert "Đã tiếp nhận báo cáo của Đặc khu Cát Hải" in page.inner_text("main")
    with page.expect_navigation():
        page.click("text=Tổng hợp")
    with page.expect_navigation():
        page.click("button:has-text('Chốt và gửi Hệ thống báo cáo')")
    assert "Đã chốt báo cáo tổng hợp" in page.inner_text("main")
    shot(page, "reporting-5-aggregate")
    with page.expect_download() as info:
        page.click("text=Xuất Excel")
    path = tmp_path / "tong-hop.xlsx"
    info.value.save_as(path)
    expected = selectors.aggregate(period)
    assert "x11914" in [u.code for u in expected.units]
    sheet = load_workbook(path)["Biểu 01"]
    assert sheet["B7"].value == "1" and sheet["F7"].value == expected.values["1"]
    assert page.console_errors == []
