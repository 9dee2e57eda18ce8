"""Acceptance: an officer exports the dossiers of the last months to Excel; the large-table path runs in
the background while the page polls, then the file downloads and holds exactly the rows in scope."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.test import override_settings
from django.utils import timezone
from openpyxl import load_workbook

from motcua.core.models import User
from motcua.demo.loader import DEMO_PASSWORD
from motcua.dossiers.selectors import visible
from motcua.exports import services
from motcua.exports.models import ExportJob
from motcua.workdays.domain import TZ
from tests.browser.conftest import login


@override_settings(EXPORT_INLINE_ROWS=5)
def test_an_officer_exports_dossiers_to_excel_in_the_background(demo, page, shot, tmp_path):
    today = timezone.localdate()
    start = date(today.year, today.month, 1) - timedelta(days=60)
    login(page, "thanhdong.motcua", DEMO_PASSWORD)
    page.wait_for_url("**/can-bo/")
    page.click("nav >> text=Xuất dữ liệu")
    page.wait_for_url("**/can-bo/tep-xuat/")
    form = page.locator("[data-kind='dossiers.list']")
    form.locator("input[name=received_from]").fill(start.strftime("%d/%m/%Y"))
    form.locator("input[name=received_to]").fill(today.strftime("%d/%m/%Y"))
    with page.expect_navigation():
        form.locator("button:has-text('Xuất tệp')").click()
    assert "đang xuất trong nền" in page.inner_text("main")
    row = page.locator("tbody tr").first
    assert "Đang chờ" in row.inner_text()
    shot(page, "exports-1-queued")

    job = ExportJob.objects.get()
    services.run_job(job.pk)  # what the worker does
    download_link = page.locator(f"#export-{job.pk} a:has-text('Tải về')")
    download_link.wait_for()  # the row polls itself until the file is ready
    shot(page, "exports-2-done")
    with page.expect_download() as info:
        download_link.click()
    path = tmp_path / "export.xlsx"
    info.value.save_as(path)

    user = User.objects.get(username="thanhdong.motcua")
    expected = (
        visible(user)
        .filter(
            received_at__gte=datetime.combine(start, time.min, tzinfo=TZ),
            received_at__lt=datetime.combine(today + timedelta(days=1), time.min, tzinfo=TZ),
        )
        .order_by("received_at", "id")
        .values_list("code", flat=True)
    )
    sheet = load_workbook(path).worksheets[0]
    codes = [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert codes == list(expected) and len(codes) > 5
    assert page.console_errors == []
