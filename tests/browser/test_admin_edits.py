"""Acceptance: an administrator edits a procedure version and a calendar override in the browser."""

from datetime import date

from motcua.catalogue.models import ProcedureVersion
from motcua.demo.loader import DEMO_PASSWORD
from motcua.workdays.models import CalendarOverride
from tests.browser.conftest import login


def test_admin_edits_procedure_version_and_calendar_override(page, demo, shot):
    login(page, "quantri", DEMO_PASSWORD)
    page.wait_for_url("**/can-bo/")
    assert "Quản trị hệ thống" in page.content()
    shot(page, "01-staff-home-admin")

    # Find the birth-registration procedure without diacritics, open it, then edit its version.
    page.goto(page.base + "/can-bo/thu-tuc/?q=dang+ky+khai+sinh")
    page.click("text=Thủ tục đăng ký khai sinh")
    page.wait_for_url("**/can-bo/thu-tuc/1.001193/")
    shot(page, "02-procedure-detail")
    page.click("text=Sửa phiên bản")
    page.wait_for_url("**/quan-tri/catalogue/procedureversion/**")
    shot(page, "03-admin-version-form")
    page.fill(
        "textarea[name=time_limit_text]",
        "Ngay trong ngày tiếp nhận; sau 15 giờ thì trả trong ngày làm việc tiếp theo.",
    )
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    shot(page, "04-admin-version-saved")
    version = ProcedureVersion.objects.get(procedure__code="1.001193", version=1)
    assert version.time_limit_text.startswith("Ngay trong ngày tiếp nhận; sau 15 giờ")

    # Declare a day off for the whole city, then see it on the staff calendar.
    page.goto(page.base + "/quan-tri/workdays/calendaroverride/add/")
    page.fill("input[name=date]", "02/12/2026")
    page.select_option("select[name=kind]", "day_off")
    page.fill("input[name=name]", "Nghỉ theo Quyết định của UBND thành phố")
    page.fill("input[name=decision]", "QĐ 999/QĐ-UBND (thử nghiệm)")
    shot(page, "05-admin-override-form")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    assert CalendarOverride.objects.get(date=date(2026, 12, 2)).kind == "day_off"

    page.goto(page.base + "/can-bo/lich/?year=2026")
    assert "Nghỉ theo Quyết định của UBND thành phố" in page.content()
    shot(page, "06-staff-calendar-with-override")

    # The due calculator now skips 02/12/2026: received Tue 01/12 at 09:00, 1 working day → Thu 03/12.
    page.fill("#id_received", "2026-12-01T09:00")
    page.fill("#id_limit", "1")
    page.select_option("#id_unit", "working_days")
    page.click('button:has-text("Tính hạn")')
    page.wait_for_selector("[data-testid=due]")
    assert page.inner_text("[data-testid=due]") == "17:00 ngày 03/12/2026"
    shot(page, "07-due-calculator")
    assert [e for e in page.console_errors if e.startswith("HTTP")] == []
    assert not [e for e in page.console_errors if "Content Security Policy" in e]
