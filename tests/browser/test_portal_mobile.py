"""A citizen on a phone finds a procedure without typing diacritics and reads what to bring."""

from motcua.catalogue.services import import_catalogue
from motcua.demo.loader import data


def test_citizen_finds_birth_registration_on_a_phone(browser, live_server, transactional_db, shot):
    import_catalogue(data("procedures.json"))
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
    )
    page = context.new_page()
    page.goto(live_server.url + "/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "10-portal-home-phone")
    # The portal's links fold into one menu on a phone; it opens with the keyboard too.
    assert not page.is_visible(".portal-menu a:has-text('Tra cứu hồ sơ')")
    page.focus(".portal-menu summary")
    page.keyboard.press("Enter")
    assert page.is_visible(".portal-menu a:has-text('Tra cứu hồ sơ')")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "10b-portal-menu-phone")
    page.keyboard.press("Enter")  # closed again
    assert not page.is_visible(".portal-menu a:has-text('Tra cứu hồ sơ')")
    page.fill("#q", "dang ky khai sinh")
    page.press("#q", "Enter")
    page.wait_for_url("**/thu-tuc/?q=dang+ky+khai+sinh")
    assert page.locator(".proc-card").count() == 1
    shot(page, "11-portal-search-phone")
    page.click("text=Thủ tục đăng ký khai sinh")
    page.wait_for_url("**/thu-tuc/1.001193/")
    body = page.inner_text("main")
    assert "Giấy chứng sinh" in body and "8.000 đ" in body
    # Nothing sticks out sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "12-portal-procedure-phone")

    # The same page in English, chosen by the citizen, kept for the next page.
    page.click("button:has-text('English')")
    page.wait_for_load_state()
    assert "Procedure code" in page.inner_text("main") or "Code" in page.inner_text("main")
    shot(page, "13-portal-procedure-phone-en")
    context.close()
