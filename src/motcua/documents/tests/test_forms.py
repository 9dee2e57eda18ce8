"""The official forms (TT 01/2018 Mẫu 01–05): what they say, read back from the PDF; issued once and
kept; only for the staff who may see the dossier."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core.management import call_command

from motcua.core.models import RuleVersion
from motcua.documents import context as build
from motcua.documents import services, storage
from motcua.documents.models import Document
from motcua.documents.tests.pdftext import picture, text
from motcua.dossiers import services as s
from motcua.dossiers.lookup import dossier_detail
from motcua.dossiers.models import Dossier
from motcua.dossiers.rules import DossierNotFound
from motcua.dossiers.tests import factories as df
from motcua.dossiers.tests.factories import at

pytestmark = pytest.mark.django_db


def _received(w):
    """Received Monday 09/03/2026 09:00 at ward A: three working days → due Thursday 12/03 17:00."""
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        return df.receive(w)


def test_the_receipt_says_who_what_when_and_until_when(w):
    d = _received(w)
    document = services.issue_form(w.intake_a, d.code, "01")
    pdf = services.content(document)
    said = text(pdf)
    picture(pdf, "mau-01-giay-tiep-nhan")
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in said
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in said and "Độc lập - Tự do - Hạnh phúc" in said
    assert f"Mã hồ sơ: {d.code}" in said
    assert "tiếp nhận hồ sơ của: Nguyễn Thị Hồng Nhung" in said
    assert f"Nội dung yêu cầu giải quyết: {d.procedure_version.name}" in said
    assert "Thời gian tiếp nhận: 09 giờ 00 phút, ngày 09 tháng 03 năm 2026" in said
    assert "ngày hẹn trả kết quả: 17 giờ 00 phút, ngày 12 tháng 03 năm 2026" in said
    for component in d.components.all():
        assert component.name in said
    assert "Hải Phòng, ngày 09 tháng 03 năm 2026" in said
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ" in said and "Cán bộ motcua_a" in said
    assert document.kind == "form" and document.form_set == "tt01-2018" and document.event_seq == 1
    assert document.pages >= 1 and document.size == len(pdf) and pdf.startswith(b"%PDF-")


def test_a_form_is_issued_once_and_never_changes_afterwards(w, _documents_storage):
    d = _received(w)
    first = services.issue_form(w.intake_a, d.code, "01")
    # later the due date moves (a supplement restarts it); the receipt stays what was handed over
    with time_machine.travel(at(2026, 3, 10, 10, 0), tick=False) as clock:
        s.request_supplement(
            d.code, by=w.specialist_a, expected_version=1, items=["Tờ khai"], reasons="Thiếu chữ ký"
        )
        clock.move_to(at(2026, 3, 11, 9, 0))
        s.receive_supplement(d.code, by=w.intake_a, expected_version=2, note="Đủ")
    again = services.issue_form(w.leader_a, d.code, "01")
    assert again.pk == first.pk and again.sha256 == first.sha256
    assert "17 giờ 00 phút, ngày 12 tháng 03 năm 2026" in text(services.content(again))
    assert Document.objects.filter(dossier=d, form_code="01").count() == 1
    # one object in the storage, named by its hash; altered bytes are refused, never served
    stored = list(_documents_storage.rglob("*.pdf"))
    assert [p.name for p in stored] == [f"{first.sha256}.pdf"]
    stored[0].write_bytes(stored[0].read_bytes()[:-5] + b"XXXXX")
    with pytest.raises(OSError, match="không khớp mã băm"):
        services.content(first)


def test_supplement_refusal_apology_and_control_sheet_say_what_happened(w):
    d = _received(w)
    with time_machine.travel(at(2026, 3, 10, 10, 0), tick=False) as clock:
        s.request_supplement(
            d.code,
            by=w.specialist_a,
            expected_version=1,
            items=["Giấy chứng sinh (bản sao)"],
            reasons="Bản sao mờ",
        )
        said = text(services.content(services.issue_form(w.specialist_a, d.code, "02")))
        assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in said
        assert "Giấy chứng sinh (bản sao)" in said and "Lý do: Bản sao mờ" in said
        assert "Kính gửi: Nguyễn Thị Hồng Nhung" in said
        clock.move_to(at(2026, 3, 10, 14, 0))
        d = s.receive_supplement(d.code, by=w.intake_a, expected_version=2, note="Đủ")
        # received before the 15:00 cut-off: three working days from Wednesday 11/03 → Friday 13/03 17:00
        assert d.due_at == at(2026, 3, 13, 17, 0)
        clock.move_to(at(2026, 3, 11, 9, 0))
        d = s.hand_over(d.code, by=w.intake_a, expected_version=3)
        clock.move_to(at(2026, 3, 12, 9, 0))
        d = s.reset_due(
            d.code,
            by=w.leader_a,
            expected_version=4,
            reason="Chờ kết quả xác minh",
            new_due=date(2026, 3, 19),
        )
    said = text(services.content(services.issue_form(w.leader_a, d.code, "04")))
    picture(services.content(services.issue_form(w.leader_a, d.code, "04")), "mau-04-phieu-xin-loi")
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in said
    assert "Lý do: Chờ kết quả xác minh" in said
    assert "hẹn lại thời gian trả kết quả: 17 giờ 00 phút, ngày 19 tháng 03 năm 2026" in said
    assert "hẹn trả kết quả 17 giờ 00 phút, ngày 13 tháng 03 năm 2026" in said
    control = services.content(services.issue_form(w.leader_a, d.code, "05"))
    picture(control, "mau-05-phieu-kiem-soat")
    said = text(control)
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in said
    assert "Kèm theo hồ sơ của: Nguyễn Thị Hồng Nhung" in said
    # one row per hand-over (table cells wrap in the PDF, so the rows are read from what it prints): the
    # one-stop step (2 working hours from 14:00 on 10/03) handed over at 09:00 on 11/03 was late
    rows = build.control(dossier_detail(w.leader_a, d.code), d.lock_version)["rows"]
    assert [(r["what"], r["giver"], r["at"], r["result"]) for r in rows] == [
        ("Tiếp nhận hồ sơ tại Bộ phận Một cửa", "Người nộp hồ sơ", "09:00 09/03/2026", ""),
        ("Yêu cầu bổ sung hồ sơ", "Cán bộ chuyenvien_a", "10:00 10/03/2026", ""),
        ("Nhận hồ sơ bổ sung", "Cán bộ motcua_a", "14:00 10/03/2026", ""),
        ("Chuyển bước xử lý", "Cán bộ motcua_a", "09:00 11/03/2026", "Quá hạn"),
    ]
    assert "Quá" in said and "09:00 11/03/2026" in said
    # no refusal happened: no Mẫu 03
    with pytest.raises(services.FormNotAvailable):
        services.issue_form(w.leader_a, d.code, "03")


def test_the_refusal_says_why(w):
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        d = df.submit(w)
        s.refuse_at_intake(
            d.code, by=w.intake_a, expected_version=1, reasons="Hồ sơ thuộc thẩm quyền của Sở Tư pháp"
        )
    pdf = services.content(services.issue_form(w.intake_a, d.code, "03"))
    picture(pdf, "mau-03-phieu-tu-choi")
    said = text(pdf)
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in said
    assert "Hồ sơ thuộc thẩm quyền của Sở Tư pháp" in said


def test_the_form_set_in_force_on_the_day_of_the_event_is_used(w):
    RuleVersion.objects.create(key="documents.form_set", effective_from=date(2026, 3, 9), value="tt03-2025")
    d = _received(w)
    document = services.issue_form(w.intake_a, d.code, "01")
    assert document.form_set == "tt03-2025"
    said = text(services.content(document))
    assert "GIẤY TIẾP NHẬN Mã hồ sơ" in said and "HẸN TRẢ KẾT QUẢ" not in said.split("Mã hồ sơ")[0]


def test_another_units_officer_cannot_see_the_forms(w, client):
    d = _received(w)
    with pytest.raises(DossierNotFound):
        services.issue_form(w.intake_b, d.code, "01")
    client.force_login(w.intake_b)
    response = client.get(f"/can-bo/ho-so/{d.code}/bieu-mau/01.pdf")
    assert response.status_code == 404 and "không thuộc phạm vi của bạn" in response.content.decode()
    assert not Document.objects.exists()
    client.force_login(w.intake_a)
    response = client.get(f"/can-bo/ho-so/{d.code}/bieu-mau/01.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert client.get(f"/can-bo/ho-so/{d.code}/bieu-mau/01.pdf?tai=1")["Content-Disposition"].startswith(
        "attachment;"
    )
    # bad input: a clear message and a 4xx, never a 500
    assert client.get(f"/can-bo/ho-so/{d.code}/bieu-mau/01.pdf?su-kien=abc").status_code == 400
    assert client.get(f"/can-bo/ho-so/{d.code}/bieu-mau/01.pdf", {"su-kien": "²"}).status_code == 400
    missing = client.get(f"/can-bo/ho-so/{d.code}/bieu-mau/03.pdf")
    assert missing.status_code == 404 and "chưa có phiếu từ chối" in missing.content.decode()
    assert client.get(f"/can-bo/ho-so/{d.code}/bieu-mau/09.pdf").status_code == 404
    client.logout()
    assert client.get(f"/can-bo/ho-so/{d.code}/bieu-mau/01.pdf").status_code == 302  # to sign in


def test_the_dossier_page_offers_the_forms_of_its_history(w, client):
    d = _received(w)
    client.force_login(w.intake_a)
    html = client.get(f"/can-bo/ho-so/{d.code}/").content.decode()
    assert 'data-testid="print-form-01"' in html and 'data-testid="print-form-05"' in html
    assert 'data-testid="print-form-03"' not in html and "sắp có" not in html
    assert f"/can-bo/ho-so/{d.code}/bieu-mau/01.pdf?su-kien=1" in html


def test_the_command_writes_one_form(w, tmp_path):
    d = _received(w)
    out = tmp_path / "mau01.pdf"
    call_command("documents", "form", "01", "--dossier", d.code, "--output", str(out))
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text(out.read_bytes())
    assert Document.objects.get(dossier=d).created_by is None  # issued by the system
    assert (
        storage.read(Document.objects.get().storage_name, Document.objects.get().sha256) == out.read_bytes()
    )


def test_an_imported_history_prints_no_source_label_where_an_officer_signs(w):
    from motcua.dossiers.importing.parsed import IMPORT_LABEL
    from motcua.evaluation.tests.builders import line, load, stamp

    load([line(stamp(9), stamp(12, 17), status=4)])
    code = Dossier.objects.get(imported_at__isnull=False).code
    receipt = text(services.content(services.issue_unscoped(code, "01")))
    control = text(services.content(services.issue_unscoped(code, "05")))
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in receipt and "NGƯỜI TIẾP NHẬN HỒ SƠ" in receipt
    assert IMPORT_LABEL not in receipt and IMPORT_LABEL not in control


def test_the_worker_issues_the_forms_of_recent_events_once(w):
    from motcua.documents import tasks

    d = _received(w)
    with time_machine.travel(at(2026, 3, 9, 9, 1), tick=False):
        assert tasks.issue_recent_forms.call() == 1  # the receipt, ready before anyone prints it
        assert tasks.issue_recent_forms.call() == 0
    document = Document.objects.get(dossier=d, form_code="01")
    assert document.created_by is None and document.created_by_label == "Hệ thống"
    assert services.issue_form(w.intake_a, d.code, "01").pk == document.pk
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        older = df.receive(w)
    with time_machine.travel(at(2026, 3, 9, 15, 30), tick=False):  # more than six hours later
        assert tasks.issue_recent_forms.call() == 0
    assert not Document.objects.filter(dossier=older).exists()
