"""The staff screens: what each person sees, entry and upload through the pages (4xx never 500,
nothing stored on a refusal), accept/return, aggregation and Excel export, and a constant number of
queries on every list."""

from __future__ import annotations

import io
from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from motcua.core.tests import factories as cf
from motcua.dossiers.tests import factories as df
from motcua.reporting import excel, services
from motcua.reporting.models import Submission
from motcua.reporting.tests import factories as f

pytestmark = pytest.mark.django_db
BASE = "/can-bo/bao-cao/"


@pytest.fixture
def w():
    with time_machine.travel(f.at(2026, 3, 20, 9), tick=False):
        world = f.world()
        services.generate_periods(date(2026, 3, 20))
        world.period = f.period(world.monthly, "2026-M02")  # type: ignore[attr-defined]
        yield world


def page(client: Client, user, url: str, **kw):
    client.force_login(user)
    return client.get(url, **kw)


def report_url(w, code="pab", suffix=""):
    return f"{BASE}ky/{w.period.pk}/don-vi/{code}/{suffix}"


def test_pages_open(client, w):
    services.save_report(w.d.intake_a, w.period, w.ward_a, f.FULL, submit=True)
    for user, url in [
        (w.office_supervisor, BASE),
        (w.office_supervisor, f"{BASE}{w.monthly.pk}/"),
        (w.office_supervisor, f"{BASE}ky/{w.period.pk}/"),
        (w.office_supervisor, f"{BASE}ky/{w.period.pk}/tong-hop/"),
        (w.office_supervisor, report_url(w)),
        (w.office_supervisor, report_url(w, suffix="phien-ban/1/")),
        (w.d.intake_a, BASE),
        (w.d.intake_a, f"{BASE}cua-toi/"),
        (w.d.intake_a, f"{BASE}{w.monthly.pk}/"),
        (w.d.intake_b, report_url(w, "plc")),
    ]:
        response = page(client, user, url)
        assert response.status_code == 200, url
    text = page(client, w.office_supervisor, f"{BASE}ky/{w.period.pk}/").content.decode()
    assert "Phường An Biên" in text and "Đã gửi, chờ tiếp nhận" in text and "Quá hạn" in text


def test_scoping_gives_404_or_403(client, w):
    outsider = w.d.justice_specialist
    assert page(client, outsider, f"{BASE}{w.monthly.pk}/").status_code == 404
    assert page(client, outsider, f"{BASE}ky/{w.period.pk}/").status_code == 404
    assert page(client, w.d.intake_b, report_url(w, "pab")).status_code == 403
    assert page(client, w.d.intake_b, f"{BASE}ky/{w.period.pk}/tong-hop/").status_code == 403
    assert page(client, w.d.intake_b, f"{BASE}ky/{w.period.pk}/tong-hop/excel/").status_code == 403
    assert page(client, w.office_supervisor, report_url(w, "khong-co")).status_code == 404
    client.force_login(w.d.intake_b)
    response = client.post(report_url(w, "pab"), {"action": "save"})
    assert response.status_code == 403 and not Submission.objects.exists()


def test_entry_form_shows_auto_filled_values_and_saves(client, w):
    text = page(client, w.d.intake_a, report_url(w)).content.decode()
    assert "tự điền" in text and 'name="action" value="submit"' in text
    indicators = {i.code: i for i in services.indicators_of(w.monthly)}
    data = {f"i{indicators[c].pk}": str(v) for c, v in f.FULL.items()}
    data["action"] = "submit"
    data["sign"] = "on"
    response = client.post(report_url(w), data)
    assert response.status_code == 302
    sub = Submission.objects.get()
    assert sub.state == "submitted" and sub.current.signer == "Cán bộ motcua_a"
    assert sub.current.values["5"] == "87.5"


def test_entry_form_errors_are_422_with_the_place(client, w):
    client.force_login(w.d.intake_a)
    ind = {i.code: i for i in services.indicators_of(w.monthly)}
    data = {f"i{ind[c].pk}": str(v) for c, v in f.FULL.items()}
    data[f"i{ind['1'].pk}"] = "mười"
    data[f"i{ind['3.2'].pk}"] = "-2"
    data["action"] = "submit"
    response = client.post(report_url(w), data)
    assert response.status_code == 422
    text = response.content.decode()
    assert "error-summary" in text and f'href="#id_i{ind["1"].pk}"' in text and "không được âm" in text
    assert not Submission.objects.exists()


def test_upload_round_trip_and_refusal(client, w):
    client.force_login(w.d.intake_a)
    blank = client.get(report_url(w, suffix="mau.xlsx"))
    assert blank.status_code == 200 and blank["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(blank.content))
    sheet = book["Biểu 01"]
    for row in range(excel.FIRST_ROW, sheet.max_row + 1):
        code = sheet.cell(row=row, column=2).value
        if code in f.FULL:
            sheet.cell(row=row, column=6, value=f.FULL[code])
    book["Biểu 02"]["F7"] = 2
    out = io.BytesIO()
    book.save(out)
    good = SimpleUploadedFile("bao-cao.xlsx", out.getvalue())
    assert client.post(report_url(w, suffix="tai-len/"), {"file": good}).status_code == 302
    sub = Submission.objects.get()
    assert (sub.state, sub.current.source, sub.current.values["1"]) == ("draft", "excel", 10)
    sheet["F8"] = "sáu"
    out = io.BytesIO()
    book.save(out)
    bad = SimpleUploadedFile("bao-cao.xlsx", out.getvalue())
    response = client.post(report_url(w, suffix="tai-len/"), {"file": bad})
    assert response.status_code == 422
    assert "trang “Biểu 01”, ô F8 (chỉ tiêu 1.1)" in response.content.decode()
    assert Submission.objects.get().current.values["1.1"] == 6  # the draft is untouched
    junk = SimpleUploadedFile("x.xlsx", b"not excel")
    assert client.post(report_url(w, suffix="tai-len/"), {"file": junk}).status_code == 422
    assert client.post(report_url(w, suffix="tai-len/"), {}).status_code == 400


def test_office_returns_accepts_aggregates_and_exports(client, w):
    services.save_report(w.d.intake_a, w.period, w.ward_a, f.FULL, submit=True)
    client.force_login(w.office_supervisor)
    assert client.post(report_url(w, suffix="tra-lai/"), {"reason": ""}).status_code == 422
    assert client.post(report_url(w, suffix="tra-lai/"), {"reason": "Sai chỉ tiêu 3."}).status_code == 302
    assert Submission.objects.get().state == "returned"
    services.save_report(w.d.intake_a, w.period, w.ward_a, f.FULL, submit=True)
    assert client.post(report_url(w, suffix="tiep-nhan/")).status_code == 302
    assert client.post(report_url(w, suffix="tiep-nhan/")).status_code == 409
    assert client.post(report_url(w, suffix="xoa/")).status_code == 404
    response = client.post(f"{BASE}ky/{w.period.pk}/tong-hop/")
    assert response.status_code == 302
    text = client.get(f"{BASE}ky/{w.period.pk}/tong-hop/").content.decode()
    assert "chờ gửi Hệ thống báo cáo" in text
    data = client.get(f"{BASE}ky/{w.period.pk}/tong-hop/excel/").content
    sheet = load_workbook(io.BytesIO(data))["Biểu 01"]
    assert sheet["F7"].value == 10 and "tổng hợp 1 đơn vị" in sheet["B4"].value
    unit_file = client.get(report_url(w, suffix="excel/") + "?version=1").content
    assert load_workbook(io.BytesIO(unit_file))["Biểu 01"]["F7"].value == 10
    old = client.get(report_url(w, suffix="excel/") + "?phien-ban=1")  # a link of the first release
    assert old.status_code == 301 and old["Location"] == report_url(w, suffix="excel/") + "?version=1"


def test_csrf_is_required(w):
    client = Client(enforce_csrf_checks=True)
    client.force_login(w.d.intake_a)
    assert client.post(report_url(w), {"action": "save"}).status_code == 403


def _count(client, user, url) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_list_pages_use_a_constant_number_of_queries(client, w):
    urls = [
        (w.office_supervisor, BASE),
        (w.office_supervisor, f"{BASE}{w.monthly.pk}/"),
        (w.office_supervisor, f"{BASE}ky/{w.period.pk}/"),
        (w.office_supervisor, f"{BASE}ky/{w.period.pk}/tong-hop/"),
        (w.d.intake_a, f"{BASE}cua-toi/"),
    ]
    before = [_count(client, user, url) for user, url in urls]
    # More units, more reports, more definitions: the same number of queries.
    for n in range(4):
        unit = cf.unit(f"Xã {n}", parent=w.d.province, kind="commune", code=f"x{n}")
        w.monthly.reporting_units.add(unit)
        person = df.staff("intake_officer", unit, f"mc{n}")
        sub = services.save_report(person, w.period, unit, f.FULL, submit=True)
        services.accept(w.office_supervisor, sub)
    services.save_report(w.d.intake_a, w.period, w.ward_a, f.FULL, submit=True)
    from motcua.reporting import demo

    demo.quarterly_control(w.office, [w.ward_a], date(2026, 1, 1))
    services.generate_periods(date(2026, 3, 20))
    after = [_count(client, user, url) for user, url in urls]
    assert after == before


def test_status_export_holds_the_rows_in_scope(w):
    from openpyxl import load_workbook as load

    from motcua.exports import services as exports
    from motcua.exports.models import ExportJob

    services.save_report(w.d.intake_a, w.period, w.ward_a, f.FULL, submit=True)
    params = {"report": "BC-TTHC-THANG", "periods_from": "01/02/2026", "periods_to": "28/02/2026"}
    job = exports.request_export(w.office_supervisor, "reporting.status", params, "xlsx")
    job = ExportJob.objects.get(pk=job.pk)
    rows = list(load(job.file.open("rb")).worksheets[0].iter_rows(min_row=2, values_only=True))
    assert [(r[1], r[5], r[7]) for r in rows] == [
        ("Tháng 2/2026", "pab", "Đã gửi, chờ tiếp nhận"),
        ("Tháng 2/2026", "plc", "Quá hạn"),
    ]
    mine = exports.request_export(w.d.intake_b, "reporting.status", params, "csv")
    assert ExportJob.objects.get(pk=mine.pk).rows_total == 1
    with pytest.raises(Exception, match="Không có báo cáo mã"):
        exports.request_export(w.office_supervisor, "reporting.status", {**params, "report": "X"}, "xlsx")
