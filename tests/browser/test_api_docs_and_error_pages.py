"""The API documentation page works under our Content-Security-Policy, and the error pages are pages.

``/api/docs`` is Swagger UI from django-ninja's own static files (same origin, no inline script): it
lists every operation and can call one. A wrong address gets the portal's or the staff workspace's
404 page, in the language the visitor chose.
"""

from __future__ import annotations

from motcua.catalogue.services import import_catalogue
from motcua.demo.loader import data
from motcua.dossiers.tests import factories as df
from tests.browser.conftest import SCREENSHOTS, login


def test_the_api_docs_list_every_operation_and_call_one(page, shot, transactional_db):
    import_catalogue(data("procedures.json"))
    page.goto(page.base + "/api/docs")
    page.wait_for_selector(".opblock-summary", timeout=20000)
    operations = page.locator(".opblock")
    assert operations.count() == 16  # catalogue 2, calendar 2, units 2, dossiers 8, result 1, tracking 1
    assert "motcua API" in page.inner_text(".information-container")
    shot(page, "90-api-docs")

    # Try the public procedure search from the page: a same-origin call the CSP allows.
    block = page.locator(".opblock-get", has=page.locator("[data-path='/api/thu-tuc/']")).first
    block.locator(".opblock-summary").click()
    block.locator("button.try-out__btn").click()
    block.locator("input[placeholder='q']").fill("khai sinh")
    block.locator("button.execute").click()
    live = block.locator(".live-responses-table tbody tr.response")
    live.wait_for()
    assert live.locator(".response-col_status").inner_text().strip() == "200"
    assert "1.001193" in live.locator(".microlight").first.inner_text()
    block.screenshot(path=str(SCREENSHOTS / "91-api-docs-try-it-out.png"))
    assert page.console_errors == []  # nothing refused by the CSP, nothing missing


def _explode(*args: object, **kwargs: object) -> None:
    raise RuntimeError("lỗi thử nghiệm")


def test_a_wrong_address_gets_the_error_page_of_its_area_in_the_chosen_language(
    page, shot, transactional_db, monkeypatch
):
    officer = df.world().intake_a
    officer.set_password("mat-khau-thu-nghiem-2026")
    officer.save()
    response = page.goto(page.base + "/thu-tuc/khong-co-thu-tuc-nay/trang-con/")
    assert response is not None and response.status == 404
    assert page.inner_text("h1") == "Không tìm thấy trang"
    assert page.locator("a[href='/thu-tuc/']").count() >= 1
    shot(page, "92-portal-404-vi")

    page.click("button:has-text('English')")
    page.wait_for_load_state()
    assert page.inner_text("h1") == "Page not found"
    shot(page, "93-portal-404-en")

    # An unexpected failure: the standalone 500 page (no traceback), in English too.
    with monkeypatch.context() as patched:
        patched.setattr("motcua.portal.views.procedure_cards", _explode)
        response = page.goto(page.base + "/")
    assert response is not None and response.status == 500
    assert page.inner_text("h1") == "System error"
    assert "Traceback" not in page.content() and "_explode" not in page.content()
    shot(page, "95-portal-500-en")
    page.console_errors.clear()  # the 500 is the point here
    page.click("button:has-text('Tiếng Việt')")
    page.wait_for_load_state()

    login(page, officer.username, "mat-khau-thu-nghiem-2026")
    page.wait_for_url("**/can-bo/")
    response = page.goto(page.base + "/can-bo/khong-co-trang-nay/")
    assert response is not None and response.status == 404
    assert page.inner_text("h1") == "Không tìm thấy trang"
    assert page.locator("nav.staff-nav").count() == 1  # the workspace's own layout and menu
    shot(page, "94-staff-404-vi")
    page.console_errors.clear()  # the 404s themselves are the point here
