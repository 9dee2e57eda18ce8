"""No 500s, one error format: the error pages of the portal and the staff workspace (Vietnamese and
English), the API's JSON errors for whatever produced them, bodies over the limit (413), NUL in an
address (400), dates out of range in list filters, and DEBUG off unless asked for."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.core.text import id_or_none
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests import factories as df
from motcua.exports.registry import check_period

pytestmark = pytest.mark.django_db

NOW = df.at(2026, 3, 9, 10, 0)
EN = {settings.LANGUAGE_COOKIE_NAME: "en"}


def html(response) -> str:
    return response.content.decode()


def h1(response) -> str:
    found = re.search(r"<h1[^>]*>(.*?)</h1>", html(response), re.S)
    return found.group(1).strip() if found else ""


def client(*, language: str | None = None, user=None) -> Client:
    c = Client(raise_request_exception=False)
    if language:
        c.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    if user is not None:
        c.force_login(user)
    return c


@pytest.fixture
def w():
    with time_machine.travel(NOW, tick=False):
        yield df.world()


def _explode(*args: object, **kwargs: object) -> None:
    raise RuntimeError("lỗi thử nghiệm bên trong")


# -- 404 and 500 pages --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "language,title,text",
    [
        (None, "Không tìm thấy trang", "Địa chỉ này không có trên hệ thống"),
        ("en", "Page not found", "There is no such address on this site"),
    ],
)
def test_an_unknown_public_address_gets_the_portal_404_page_in_the_chosen_language(language, title, text):
    response = client(language=language).get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert h1(response) == title and text in html(response)
    assert 'class="portal-header"' in html(response) and 'href="/thu-tuc/"' in html(response)
    assert "URLconf" not in html(response) and "Traceback" not in html(response)
    assert "<script>" not in html(response) and "style=" not in html(response)  # nothing inline (CSP)


def test_an_unknown_staff_address_gets_the_workspace_404_page(w):
    response = client(user=w.intake_a).get("/can-bo/khong-co-trang-nay/")
    assert response.status_code == 404
    assert h1(response) == "Không tìm thấy trang"
    assert 'class="staff-nav"' in html(response) and "Về trang làm việc" in html(response)
    english = client(user=w.intake_a, language="en").get("/can-bo/khong-co-trang-nay/")
    assert h1(english) == "Page not found" and "Back to the workspace" in html(english)


@pytest.mark.parametrize(
    "language,title,text",
    [
        (None, "Hệ thống gặp lỗi", "Đã có lỗi ngoài dự kiến"),
        ("en", "System error", "An unexpected error occurred"),
    ],
)
def test_a_failure_in_a_public_page_is_the_500_page_without_a_traceback(monkeypatch, language, title, text):
    monkeypatch.setattr("motcua.portal.views.procedure_cards", _explode)
    response = client(language=language).get("/")
    assert response.status_code == 500
    assert h1(response) == title and text in html(response)
    assert "lỗi thử nghiệm" not in html(response) and "Traceback" not in html(response)
    assert 'class="portal-header"' in html(response)


def test_a_failure_in_the_workspace_is_the_500_page_of_the_workspace(monkeypatch, w):
    monkeypatch.setattr("motcua.staff.views.active_assignments", _explode)
    response = client(user=w.intake_a).get("/can-bo/")
    assert response.status_code == 500
    assert h1(response) == "Hệ thống gặp lỗi" and 'class="staff-topbar"' in html(response)
    assert 'class="staff-nav"' not in html(response)  # standalone: no menu, nothing from the database
    assert "Về trang làm việc" in html(response)


def test_a_failure_in_the_api_is_a_json_500(monkeypatch):
    monkeypatch.setattr("motcua.catalogue.api.search_procedures", _explode)
    response = client().get("/api/thu-tuc/")
    assert response.status_code == 500
    assert response.json() == {
        "code": "server_error",
        "message": "Hệ thống gặp lỗi ngoài dự kiến; lỗi đã được ghi lại. Vui lòng thử lại sau.",
    }


def test_the_api_answers_an_unknown_address_and_a_wrong_method_in_its_format():
    missing = client().get("/api/khong-co")
    assert missing.status_code == 404 and missing["Content-Type"].startswith("application/json")
    assert missing.json()["code"] == "not_found"
    wrong = client().delete("/api/thu-tuc/")
    assert wrong.status_code == 405 and wrong["Allow"] == "GET"
    assert wrong.json() == {
        "code": "method_not_allowed",
        "message": "Địa chỉ này không nhận phương thức DELETE; dùng: GET.",
    }


# -- bodies over the limit: 413 ---------------------------------------------------------------------


def _api_operations() -> list[tuple[str, str]]:
    """(method, path) of every operation in the OpenAPI document, path parameters filled in."""
    document = client().get("/api/openapi.json").json()
    found = []
    for path, methods in document["paths"].items():
        concrete = re.sub(r"\{year\}", "2026", re.sub(r"\{code\}", "ABC", path))
        found.extend((method.upper(), concrete) for method in methods)
    return found


def test_a_body_over_the_limit_is_a_json_413_on_every_api_endpoint(w, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048  # 2 KB, so the test sends little
    secret_client = client(user=w.intake_a)
    operations = _api_operations()
    assert len(operations) == 16  # every operation of the API, the result and tracking included
    body = json.dumps({"x": "a" * 3000})
    for method, path in operations:
        response = secret_client.generic(method, path, body, content_type="application/json")
        assert response.status_code == 413, (method, path, response.content[:200])
        assert response.json() == {
            "code": "payload_too_large",
            "message": "Nội dung gửi lên quá lớn: tối đa 2 KB.",
        }, (method, path)
    assert not Dossier.objects.exists()


def test_the_413_message_says_the_limit_in_megabytes(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = int(2.5 * 1024 * 1024)  # Django's default
    response = client().post(
        "/api/lich/tinh-han", "x" * (int(2.5 * 1024 * 1024) + 1), content_type="text/plain"
    )
    assert response.status_code == 413
    assert response.json()["message"] == "Nội dung gửi lên quá lớn: tối đa 2,5 MB."


def test_a_form_over_the_limit_is_the_413_page_of_its_area(w, settings):
    settings.MOTCUA_UPLOAD_MAX_BYTES = 1024 * 1024  # files and all
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 512 * 1024  # a form without files
    scan = SimpleUploadedFile("scan.pdf", b"%PDF-" + b"0" * (1024 * 1024), "application/pdf")
    response = client(user=w.intake_a).post(
        "/can-bo/ho-so/tiep-nhan/", {"procedure": w.procedure.code, "other_file": scan}
    )
    assert response.status_code == 413
    assert h1(response) == "Dữ liệu gửi lên quá lớn" and "Mỗi lần gửi tối đa 1 MB." in html(response)
    assert 'class="staff-nav"' in html(response)
    english = client(language="en").post("/can-bo/dang-nhap/", {"username": "x" * (512 * 1024)})
    assert english.status_code == 413
    assert h1(english) == "Too much data sent" and "Each submission may be at most 0.5 MB." in html(english)
    assert not Dossier.objects.exists()


# -- NUL in an address: 400 ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["/thu-tuc/?q=a%00b", "/thu-tuc/1.001%00193/", "/ho-so-tre-han/?month=2026-03%00", "/%00/"],
)
def test_nul_in_a_public_address_is_a_400_page(url):
    response = client().get(url)
    assert response.status_code == 400
    assert h1(response) == "Yêu cầu không hợp lệ" and "ký tự không được phép" in html(response)


@pytest.mark.parametrize(
    "url",
    [
        "/can-bo/ho-so/?q=a%00b",
        "/can-bo/ho-so/000.11.01%00/",
        "/can-bo/thu-tuc/?q=%00",
        "/can-bo/nhiem-vu/?q=%00",
    ],
)
def test_nul_in_a_staff_address_is_a_400_page_in_the_chosen_language(w, url):
    response = client(user=w.intake_a, language="en").get(url)
    assert response.status_code == 400
    assert h1(response) == "Invalid request" and "character that is not allowed" in html(response)
    assert 'class="staff-nav"' in html(response)


# -- dates out of range in list filters, and other parameters no view should choke on ------------------


@pytest.mark.parametrize(
    "query", ["date_to=9999-12-31", "date_to=31/12/9999", "date_from=0001-01-01", "date_from=01/01/0001"]
)
def test_a_far_date_in_the_dossier_list_filter_is_a_form_error(w, query):
    response = client(user=w.intake_a).get(f"/can-bo/ho-so/?box=tat-ca&{query}")
    assert response.status_code == 400
    assert "Ngày phải trong khoảng 01/01/1900 – 31/12/2100." in html(response)


def test_an_export_period_out_of_range_is_refused_before_any_job():
    from django import forms

    for start, end in [(df.at(2026, 1, 1).date(), df.at(2026, 1, 1).date().replace(year=9999))]:
        with pytest.raises(forms.ValidationError, match="01/01/1900 – 31/12/2100"):
            check_period(start, end)


def test_signing_in_again_with_a_next_that_is_not_a_path_goes_to_the_workspace(w):
    response = client(user=w.intake_a).get("/can-bo/dang-nhap/?next=9999-12-31")
    assert response.status_code == 302 and response["Location"] == "/can-bo/"


@pytest.mark.parametrize(
    "text,expected",
    [
        ("42", 42),
        ("0", 0),
        ("", None),
        (None, None),
        ("²", None),
        ("-1", None),
        ("4x", None),
        ("9" * 19, None),
    ],
)
def test_an_id_from_a_url_is_a_small_ascii_number_or_nothing(text, expected):
    assert id_or_none(text) == expected


def test_an_odd_id_in_the_task_list_filter_is_ignored(w):
    for value in ["²", "99999999999999999999"]:
        response = client(user=w.supervisor).get(f"/can-bo/nhiem-vu/danh-sach/?document={value}")
        assert response.status_code == 200


# -- DEBUG is off unless asked for, and the pages and static files still come --------------------------


def _settings_debug(env: dict[str, str], tmp_path: Path) -> str:
    full = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DATABASE_URL"}}
    full.update({"DJANGO_SETTINGS_MODULE": "motcua.settings", "MOTCUA_VAR_DIR": str(tmp_path), **env})
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings as s; print(s.DEBUG)",
        ],
        capture_output=True,
        text=True,
        env=full,
        timeout=120,
        check=False,
    )
    return probe.stdout.strip()


def test_debug_is_off_unless_asked_for(tmp_path):
    assert _settings_debug({}, tmp_path) == "False"
    assert _settings_debug({"DEBUG": "1"}, tmp_path) == "True"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (our own test server)
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


def test_the_served_site_with_default_settings_shows_the_404_page_and_serves_static_files(tmp_path):
    """As `motcua demo` serves it (`motcua serve`, settings from the environment, DEBUG not set)."""
    port = _free_port()
    env = {**os.environ, "MOTCUA_VAR_DIR": str(tmp_path)}
    for name in ("DEBUG", "DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(name, None)
    server = subprocess.Popen(
        [sys.executable, "-m", "motcua", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        status, body = _get(base + "/khong-co-trang-nay/")
        assert status == 404
        assert "Không tìm thấy trang" in body and "URLconf" not in body and "DEBUG" not in body
        status, body = _get(base + "/static/vendor/bootstrap/css/bootstrap.min.css")
        assert status == 200 and "Bootstrap" in body
        status, body = _get(base + "/static/ninja/swagger-ui-bundle.js")
        assert status == 200 and "SwaggerUIBundle" in body
    finally:
        server.terminate()
        server.wait(timeout=10)
