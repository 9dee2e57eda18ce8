"""Feedback and complaints in the browser: a citizen sends one from a phone; the ward's officer transfers
it to the department; the department's officer answers and publishes it; the citizen finds the answer
without typing diacritics and dislikes it. Basic WCAG checks on the citizen's pages."""

from __future__ import annotations

from motcua.dossiers.tests import factories as df
from motcua.feedback.models import Pakn, Status
from tests.browser.conftest import login
from tests.browser.test_citizen_portal import STAFF_PASSWORD, check_page


def test_a_pakn_sent_on_a_phone_transferred_answered_published_and_disliked(
    browser, page, live_server, transactional_db, shot
):
    w = df.world()
    for officer in (w.intake_a, w.justice_specialist):
        officer.set_password(STAFF_PASSWORD)
        officer.save()
    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="vi-VN"
    ).new_page()
    phone.goto(live_server.url + "/phan-anh-kien-nghi/")
    phone.click("[data-testid=pakn-new]")
    check_page(phone)
    phone.check("#ve-quy_dinh")
    phone.select_option("#don-vi", label="Phường An Biên")
    phone.fill("#tieu-de", "Phải nộp bản sao giấy khai sinh đã có")
    phone.fill(
        "#noi-dung", "Quầy một cửa yêu cầu tôi nộp bản sao giấy khai sinh dù dữ liệu đã có trên hệ thống."
    )
    phone.fill("#ho-ten", "Trần Thị Mai")
    phone.fill("#email", "mai.tran@example.vn")
    shot(phone, "70-pakn-phone-form")
    phone.click("[data-testid=pakn-submit]")
    code = phone.inner_text("[data-testid=pakn-code]").strip()
    assert Pakn.objects.get(code=code).unit == w.ward_a
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    login(page, w.intake_a.username, STAFF_PASSWORD)
    page.wait_for_url("**/can-bo/**")
    page.goto(live_server.url + "/can-bo/phan-anh-kien-nghi/")
    page.click(f"text={code}")
    page.select_option("#don-vi", label="Sở Tư pháp")
    page.fill("#ly-do-chuyen", "Thuộc lĩnh vực tư pháp")
    shot(page, "71-pakn-officer-transfer")
    page.click("[data-testid=pakn-transfer]")
    page.wait_for_url("**/can-bo/phan-anh-kien-nghi/")

    department = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN").new_page()
    department.base = live_server.url
    login(department, w.justice_specialist.username, STAFF_PASSWORD)
    department.wait_for_url("**/can-bo/**")
    department.goto(live_server.url + f"/can-bo/phan-anh-kien-nghi/{code}/")
    department.fill("#tra-loi", "Sở Tư pháp đã chấn chỉnh: không yêu cầu giấy tờ đã có trong cơ sở dữ liệu.")
    department.click("[data-testid=pakn-answer-btn]")
    department.click("[data-testid=pakn-publish]")
    department.wait_for_selector("text=Đã cập nhật")
    shot(department, "72-pakn-published")
    assert Pakn.objects.get(code=code).status == Status.PUBLISHED

    phone.goto(live_server.url + "/phan-anh-kien-nghi/?q=ban+sao+giay+khai+sinh")
    assert phone.locator("[data-testid=pakn-item]").count() == 1  # found without diacritics
    phone.click("text=Phải nộp bản sao giấy khai sinh đã có")
    check_page(phone)
    assert "Trần Thị Mai" not in phone.inner_text("body")
    phone.click("[data-testid=pakn-dislike]")
    phone.wait_for_selector("text=Không đồng tình (1)")
    shot(phone, "73-pakn-answer-phone")
    assert Pakn.objects.get(code=code).dislikes == 1
    assert not page.console_errors, page.console_errors
