"""Exports: the file holds exactly the rows the owner may see, typed for Excel; large tables go to the
worker with progress; only the owner downloads; every request and download is audited."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.test import override_settings
from openpyxl import load_workbook

from motcua.core.errors import DomainError, NotFound
from motcua.core.models import AuditEntry
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests import factories as df
from motcua.dossiers.tests.factories import at
from motcua.exports import services
from motcua.exports.models import ExportJob
from motcua.exports.registry import Column
from motcua.exports.writers import write_csv, write_xlsx

pytestmark = pytest.mark.django_db

FILTERS = {"received_from": "01/03/2026", "received_to": "31/03/2026"}


@pytest.fixture
def w(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    world = df.world()
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        df.receive(world)  # ward A
        df.receive(world)  # ward A
        df.receive(world, unit=world.ward_b)  # ward B: not visible to ward A staff
    with time_machine.travel(at(2026, 4, 2, 9, 0), tick=False):
        df.receive(world)  # ward A, outside March
    return world


def read_csv(job: ExportJob) -> list[list[str]]:
    with default_storage.open(job.file.name, "rb") as fh:
        raw = fh.read()
    assert raw.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8 Vietnamese text"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_a_small_csv_holds_exactly_the_dossiers_in_scope_and_period(w):
    job = services.request_export(w.intake_a, "dossiers.list", FILTERS, "csv")
    assert job.status == ExportJob.Status.DONE
    rows = read_csv(job)
    assert rows[0][:4] == ["Mã hồ sơ", "Mã thủ tục", "Tên thủ tục", "Chủ hồ sơ"]
    codes = [r[0] for r in rows[1:]]
    # two March dossiers of ward A; ward B's and April's are not there
    expected = Dossier.objects.filter(receiving_unit=w.ward_a, received_at__month=3).order_by(
        "received_at", "id"
    )
    assert codes == [d.code for d in expected] and len(codes) == 2
    assert rows[1][8] == "09/03/2026 09:00"  # local time, Vietnamese date order
    assert job.rows_total == job.rows_done == 2


def test_a_supervisor_of_the_province_exports_every_ward(w):
    job = services.request_export(w.supervisor, "dossiers.list", FILTERS, "csv")
    assert len(read_csv(job)) - 1 == 3


def test_xlsx_has_typed_dates_a_frozen_header_and_an_about_sheet(w):
    job = services.request_export(w.intake_a, "dossiers.list", FILTERS, "xlsx")
    with default_storage.open(job.file.name, "rb") as fh:
        book = load_workbook(fh)
    sheet = book.worksheets[0]
    assert sheet.freeze_panes == "A2"
    received = sheet.cell(row=2, column=9)
    assert isinstance(received.value, datetime) and received.value == datetime(2026, 3, 9, 9, 0)
    assert received.number_format == "dd/mm/yyyy hh:mm"
    about = {r[0]: r[1] for r in book["Thông tin"].iter_rows(values_only=True)}
    assert about["Số dòng"] == "2"
    assert "01/03/2026" in about["Điều kiện"]


def test_formula_like_text_is_never_a_formula():
    columns = [Column("Tên")]
    out = io.BytesIO()
    write_csv(out, columns, [['=HYPERLINK("http://x")'], ["-1+2"], ["Nguyễn Văn A"]])
    lines = out.getvalue().decode("utf-8-sig").splitlines()
    assert lines[1].startswith("\"'=HYPERLINK") and lines[2] == "'-1+2" and lines[3] == "Nguyễn Văn A"
    out = io.BytesIO()
    write_xlsx(out, columns, [["=1+1"]], title="T")
    out.seek(0)
    cell = load_workbook(out).worksheets[0].cell(row=2, column=1)
    assert cell.value == "=1+1" and cell.data_type == "s"


@pytest.mark.parametrize(
    "data,fragment",
    [
        ({"received_from": "31/03/2026", "received_to": "01/03/2026"}, "Ngày bắt đầu phải trước"),
        ({"received_from": "", "received_to": "01/03/2026"}, "Tiếp nhận từ ngày"),
        ({**FILTERS, "procedure": "9.999999"}, "Không có thủ tục mã 9.999999"),
        ({"received_from": "2026-13-01", "received_to": "01/03/2026"}, "Tiếp nhận từ ngày"),
    ],
)
def test_bad_filters_are_refused_with_a_vietnamese_message_and_nothing_stored(w, data, fragment):
    with pytest.raises(DomainError) as err:
        services.request_export(w.intake_a, "dossiers.list", data, "csv")
    assert err.value.status == 422 and fragment in err.value.message
    assert not ExportJob.objects.exists()


def test_unknown_kind_and_format_are_refused(w):
    with pytest.raises(NotFound):
        services.request_export(w.intake_a, "nothing.here", FILTERS, "csv")
    with pytest.raises(DomainError):
        services.request_export(w.intake_a, "dossiers.list", FILTERS, "pdf")


@override_settings(EXPORT_INLINE_ROWS=1)
def test_a_large_table_is_queued_then_written_once_by_the_worker(w, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = services.request_export(w.intake_a, "dossiers.list", FILTERS, "xlsx")
    assert job.status == ExportJob.Status.QUEUED and job.rows_total == 2 and len(callbacks) == 1
    done = services.run_job(job.pk)
    assert done.status == ExportJob.Status.DONE and done.rows_done == 2 and done.percent == 100
    # a second worker picking the same job does nothing
    assert services.run_job(job.pk) is None


@override_settings(EXPORT_INLINE_ROWS=0, EXPORT_MAX_ACTIVE=2)
def test_a_person_cannot_pile_up_running_exports(w):
    services.request_export(w.intake_a, "dossiers.list", FILTERS, "csv")
    services.request_export(w.intake_a, "dossiers.list", FILTERS, "csv")
    with pytest.raises(DomainError) as err:
        services.request_export(w.intake_a, "dossiers.list", FILTERS, "csv")
    assert err.value.status == 429
    # another officer is not affected
    services.request_export(w.intake_b, "dossiers.list", FILTERS, "csv")


def test_a_failing_table_marks_the_job_failed_with_a_message(w, monkeypatch):
    from motcua.exports import registry

    kind = registry.get("dossiers.list")

    def broken(user, params):
        raise RuntimeError("disk on fire")
        yield  # pragma: no cover

    monkeypatch.setitem(registry.KINDS, "dossiers.list", type(kind)(**{**kind.__dict__, "rows": broken}))
    job = services.request_export(w.intake_a, "dossiers.list", FILTERS, "csv")
    assert job.status == ExportJob.Status.FAILED and "Lỗi khi ghi tệp" in job.error and not job.file


def test_old_files_are_deleted_and_the_history_kept(w):
    with time_machine.travel(at(2026, 3, 10, 9, 0), tick=False):
        job = services.request_export(w.intake_a, "dossiers.list", FILTERS, "csv")
    name = job.file.name
    assert default_storage.exists(name)
    assert services.expire_old(at(2026, 3, 16, 9, 0)) == 0  # 6 days: kept
    assert services.expire_old(at(2026, 3, 18, 9, 0)) == 1
    job.refresh_from_db()
    assert job.status == ExportJob.Status.EXPIRED and not default_storage.exists(name)


# -- pages -----------------------------------------------------------------------------------------


def test_the_page_exports_and_only_the_owner_downloads(w, client):
    client.force_login(w.intake_a)
    page = client.get("/can-bo/tep-xuat/")
    assert page.status_code == 200 and "Danh sách hồ sơ" in page.content.decode()
    response = client.post("/can-bo/tep-xuat/", {"kind": "dossiers.list", "format": "csv", **FILTERS})
    assert response.status_code == 302
    job = ExportJob.objects.get()
    download = client.get(f"/can-bo/tep-xuat/{job.pk}/tai-ve/")
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    assert b"".join(download.streaming_content).startswith(b"\xef\xbb\xbf")
    assert AuditEntry.objects.filter(action="export.download", object_id=str(job.pk)).count() == 1
    assert AuditEntry.objects.filter(action="export.request", object_id=str(job.pk)).count() == 1
    client.force_login(w.intake_b)
    assert client.get(f"/can-bo/tep-xuat/{job.pk}/tai-ve/").status_code == 404
    assert client.get(f"/can-bo/tep-xuat/{job.pk}/").status_code == 404


def test_the_page_shows_form_errors_with_4xx(w, client):
    client.force_login(w.intake_a)
    response = client.post(
        "/can-bo/tep-xuat/",
        {
            "kind": "dossiers.list",
            "format": "csv",
            "received_from": "31/03/2026",
            "received_to": "01/03/2026",
        },
    )
    assert response.status_code == 422
    assert "Ngày bắt đầu phải trước" in response.content.decode()
    assert not ExportJob.objects.exists()


@override_settings(EXPORT_INLINE_ROWS=0)
def test_a_running_export_is_polled_until_done(w, client):
    client.force_login(w.intake_a)
    client.post("/can-bo/tep-xuat/", {"kind": "dossiers.list", "format": "xlsx", **FILTERS})
    job = ExportJob.objects.get()
    row = client.get(f"/can-bo/tep-xuat/{job.pk}/").content.decode()
    assert 'hx-trigger="every 2s"' in row
    services.run_job(job.pk)
    row = client.get(f"/can-bo/tep-xuat/{job.pk}/").content.decode()
    assert "hx-trigger" not in row and "tai-ve" in row


def test_the_list_page_costs_the_same_queries_for_2_and_12_exports(w, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(w.intake_a)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/can-bo/tep-xuat/").status_code == 200
        return len(ctx.captured_queries)

    for _ in range(2):
        services.request_export(w.intake_a, "dossiers.list", FILTERS, "csv")
    few = queries()
    for _ in range(10):
        services.request_export(w.intake_a, "dossiers.list", FILTERS, "csv")
    assert queries() == few
