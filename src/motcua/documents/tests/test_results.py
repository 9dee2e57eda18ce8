"""Electronic results with legal value: signed by the officer and the unit, timestamped, stored, set on
the dossier (766 4.1, the national sync record) and verifiable by anyone; a changed byte is caught."""

from __future__ import annotations

import datetime as dt
import json
import urllib.request

import pytest
import time_machine
from asn1crypto import tsp
from django.core.management import call_command

from motcua.core.models import AuditEntry
from motcua.documents import pki, results, services, signing, tsa, verify
from motcua.documents.models import Document, Revocation
from motcua.documents.tests.pdftext import picture, text
from motcua.dossiers import services as s
from motcua.dossiers.models import Dossier
from motcua.dossiers.rules import DossierNotFound, StaleDossier
from motcua.dossiers.sync import dong_bo_ho_so_mc
from motcua.dossiers.tests import factories as df

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_ca")]


def _at_signing(w) -> Dossier:
    """Received, examined, approved: waiting for the agency leader's signature (version 4)."""
    d = df.receive(w)
    s.hand_over(d.code, by=w.intake_a, expected_version=1)
    s.hand_over(d.code, by=w.specialist_a, expected_version=2)
    s.hand_over(d.code, by=w.leader_a, expected_version=3)
    return Dossier.objects.get(pk=d.pk)


def test_a_generated_result_is_signed_by_officer_and_unit_and_set_on_the_dossier(w):
    d = _at_signing(w)
    document = results.issue_result(w.head_a, d.code, expected_version=4, note="Đồng ý")
    d.refresh_from_db()
    assert d.state == "result_ready"
    assert d.result_code == document.public_code and d.result_code.startswith("KQ-")
    assert d.result_file_url.endswith(f"/xac-thuc/{document.public_code}/")
    # the national sync record carries the code and the address (MaKetQua, DuongDanTepTinKetQua)
    record = dong_bo_ho_so_mc(d)["data"][0]
    assert record["MaKetQua"] == d.result_code and record["DuongDanTepTinKetQua"] == d.result_file_url
    assert record["DanhSachGiayToKetQua"][0]["GiayToId"] == d.result_code
    pdf = services.content(document)
    said = text(pdf)
    picture(pdf, "ket-qua-dien-tu")
    # drawn up as PDF/A-2b (archival), which the signatures' incremental updates keep
    from motcua.documents.pdf import archival_part

    assert archival_part(pdf) == "2B"
    assert "THÔNG BÁO KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH" in said
    assert f"Số: {document.public_code}" in said and "Kính gửi: Nguyễn Thị Hồng Nhung" in said
    # the visible stamps, in Vietnamese, name the signers
    assert "Người ký: Cán bộ chutich_a" in said and "Cơ quan ký số: Phường An Biên" in said
    report = verify.verify(pdf)
    assert report.genuine and report.issued_by_us and not report.revoked
    assert [(c.signer, c.organisation) for c in report.signatures] == [
        ("Cán bộ chutich_a", "Phường An Biên"),
        ("Phường An Biên", "Phường An Biên"),
    ]
    assert all(c.valid and c.trusted and c.timestamped for c in report.signatures)
    assert document.signed_by[0]["name"] == "Cán bộ chutich_a" and document.kind == "result"
    entry = AuditEntry.objects.get(action="result_signed")
    assert entry.data["code"] == document.public_code and entry.data["dossier"] == d.code


def test_one_changed_byte_or_an_added_page_is_not_genuine(w):
    document = results.issue_result(w.head_a, _at_signing(w).code, expected_version=4)
    pdf = services.content(document)
    flipped = bytearray(pdf)
    flipped[len(pdf) // 3] ^= 0x01
    report = verify.verify(bytes(flipped))
    assert not report.genuine and not report.issued_by_us
    assert "Văn bản không hợp lệ" in report.verdict
    appended = verify.verify(pdf + b"\n%%motcua\n")
    assert not appended.genuine and "thêm nội dung sau chữ ký" in appended.verdict


def test_verification_is_offline_against_the_demo_root_and_untrusted_without_it(w, settings):
    document = results.issue_result(w.head_a, _at_signing(w).code, expected_version=4)
    pdf = services.content(document)
    settings.MOTCUA_TRUST_DEMO_ROOT = False  # production trusts only its configured roots
    report = verify.verify(pdf)
    assert not report.genuine and report.issued_by_us
    assert all(not c.trusted for c in report.signatures)
    assert "không do tổ chức chứng thực được tin cậy cấp" in report.verdict


def test_an_uploaded_result_is_checked_by_content_and_signed_as_uploaded(w):
    d = _at_signing(w)
    with pytest.raises(signing.NotSignable, match="không phải PDF"):
        results.issue_result(w.head_a, d.code, expected_version=4, upload=b"PK\x03\x04 a zip file")
    with pytest.raises(signing.NotSignable, match="rỗng"):
        results.issue_result(w.head_a, d.code, expected_version=4, upload=b"")
    with pytest.raises(signing.NotSignable, match="hỏng"):
        results.issue_result(w.head_a, d.code, expected_version=4, upload=b"%PDF-1.7\n garbage")
    assert Document.objects.filter(kind="result").count() == 0
    assert Dossier.objects.get(pk=d.pk).lock_version == 4  # nothing half-done
    from motcua.documents import pdf as render

    original, _ = render.render("documents/results/general.html", {"result_code": "QĐ 12/2026", "d": d})
    document = results.issue_result(w.head_a, d.code, expected_version=4, upload=original)
    signed = services.content(document)
    assert signed.startswith(original)  # an incremental update: the uploaded bytes are kept as they were
    assert verify.verify(signed).genuine


def test_refusals_come_before_signing_and_leave_nothing(w, _documents_storage):
    d = _at_signing(w)
    with pytest.raises(DossierNotFound):
        results.issue_result(w.intake_b, d.code, expected_version=4)  # another ward's officer
    with pytest.raises(StaleDossier):
        results.issue_result(w.head_a, d.code, expected_version=3)
    assert not list(_documents_storage.rglob("*.pdf"))
    # the role table: a specialist does not sign at the leader's step
    from motcua.dossiers.rules import DossierForbidden

    with pytest.raises(DossierForbidden):
        results.issue_result(w.specialist_a, d.code, expected_version=4)
    assert Document.objects.count() == 0 and not list(_documents_storage.rglob("*.pdf"))


def test_an_expired_or_untrusted_key_signs_nothing(w, settings, demo_ca, _documents_storage):
    d = _at_signing(w)
    pki.officer(w.head_a.username, w.head_a.full_name, "Phường An Biên")  # issued today
    # three years on, the demo certificates have expired: a clear error, nothing stored, no state change
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=365 * 3 + 30)
    with time_machine.travel(later), pytest.raises(signing.SigningUnavailable, match="đã hết hạn"):
        results.issue_result(w.head_a, d.code, expected_version=4)
    settings.MOTCUA_TRUST_DEMO_ROOT = False
    with pytest.raises(signing.SigningUnavailable, match="không do tổ chức chứng thực được tin cậy cấp"):
        results.issue_result(w.head_a, d.code, expected_version=4)
    settings.MOTCUA_SIGNING_DIR = settings.MOTCUA_SIGNING_DIR.parent / "nothing-here"
    settings.MOTCUA_TRUST_DEMO_ROOT = True
    with pytest.raises(signing.SigningUnavailable, match="Chưa có khóa ký số"):
        results.issue_result(w.head_a, d.code, expected_version=4)
    assert Document.objects.count() == 0 and not list(_documents_storage.rglob("*.pdf"))
    assert Dossier.objects.get(pk=d.pk).state != "result_ready"


def test_a_revoked_result_is_reported_revoked(w):
    document = results.issue_result(w.head_a, _at_signing(w).code, expected_version=4)
    Revocation.objects.create(document=document, at=document.created_at, reason="Ghi sai ngày sinh")
    report = verify.verify(services.content(document))
    assert report.revoked and not report.genuine and "thu hồi" in report.verdict


def test_the_timestamp_authority_answers_over_http_as_rfc_3161_says(w, settings):
    server = tsa.serve("127.0.0.1", 0)
    try:
        host, port = server.server_address[:2]
        url = f"http://{host}:{port}/"
        import hashlib

        request = tsp.TimeStampReq(
            {
                "version": "v1",
                "message_imprint": {
                    "hash_algorithm": {"algorithm": "sha256"},
                    "hashed_message": hashlib.sha256(b"motcua").digest(),
                },
                "nonce": 12345,
                "cert_req": True,
            }
        )
        http = urllib.request.Request(
            url, data=request.dump(), headers={"Content-Type": "application/timestamp-query"}
        )
        with urllib.request.urlopen(http, timeout=5) as answer:  # noqa: S310 — a local test server
            assert answer.headers["Content-Type"] == "application/timestamp-reply"
            response = tsp.TimeStampResp.load(answer.read())
        assert response["status"]["status"].native == "granted"
        # DER as RFC 3161 requires (whole seconds: a fraction must not end in zero), so a verifier's
        # re-encoding gives back the very bytes that were signed
        token = response["time_stamp_token"]
        assert token.dump(force=True) == token.dump()
        info = response["time_stamp_token"]["content"]["encap_content_info"]["content"].parsed
        assert info["nonce"].native == 12345
        assert info["message_imprint"]["hashed_message"].native == hashlib.sha256(b"motcua").digest()
        # a wrong hash length is refused with the RFC's failure, not a token
        bad = tsp.TimeStampReq(
            {
                "version": "v1",
                "message_imprint": {"hash_algorithm": {"algorithm": "sha256"}, "hashed_message": b"x"},
            }
        )
        assert tsa.status_of(tsa.respond(bad.dump())) == "rejection"
        assert tsa.status_of(tsa.respond(b"not asn.1")) == "rejection"
        # and the signer uses it when told to
        settings.MOTCUA_TSA_URL = url
        document = results.issue_result(w.head_a, _at_signing(w).code, expected_version=4)
        assert verify.verify(services.content(document)).genuine
    finally:
        server.shutdown()


def test_the_commands_sign_and_verify_with_exit_codes(w, tmp_path, capsys):
    from motcua.documents import pdf as render

    original, _ = render.render("documents/results/general.html", {"result_code": "01/2026", "d": None})
    source = tmp_path / "in.pdf"
    source.write_bytes(original)
    out = tmp_path / "out.pdf"
    call_command(
        "documents",
        "sign",
        str(source),
        "--output",
        str(out),
        "--signer",
        "chutich_a",
        "--organisation",
        "pab",
    )
    capsys.readouterr()
    call_command("documents", "verify", str(out), "--json")
    said = json.loads(capsys.readouterr().out)
    assert said["genuine"] is True and said["issued_by_us"] is False and said["revoked"] is False
    assert [x["signer"] for x in said["signatures"]] == ["Cán bộ chutich_a", "Phường An Biên"]
    assert all(x["valid"] and x["trusted"] for x in said["signatures"]) and said["signatures"][0]["signed_at"]
    broken = bytearray(out.read_bytes())
    broken[len(broken) // 2] ^= 0x20
    out.write_bytes(bytes(broken))
    with pytest.raises(SystemExit) as exit_code:
        call_command("documents", "verify", str(out), "--json")
    assert exit_code.value.code == 1 and json.loads(capsys.readouterr().out)["genuine"] is False
    source.write_bytes(b"hello")
    with pytest.raises(SystemExit) as exit_code:
        call_command("documents", "verify", str(source), "--json")
    assert exit_code.value.code == 1 and "không phải PDF" in json.loads(capsys.readouterr().out)["verdict"]


def test_the_staff_panel_issues_the_result_and_the_public_page_verifies_it(w, client):
    d = _at_signing(w)
    client.force_login(w.head_a)
    page = client.get(f"/can-bo/ho-so/{d.code}/").content.decode()
    assert f'action="/can-bo/ho-so/{d.code}/ket-qua/"' in page and "Lập theo mẫu kết quả của thủ tục" in page
    # a file that is not a PDF: the panel says why, nothing happens
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = client.post(
        f"/can-bo/ho-so/{d.code}/ket-qua/",
        {
            "mark_result_ready-expected_version": 4,
            "mark_result_ready-source": "upload",
            "mark_result_ready-file": SimpleUploadedFile("kq.pdf", b"GIF89a", content_type="application/pdf"),
        },
    )
    assert bad.status_code == 400 and "Nội dung tệp không phải PDF." in bad.content.decode()
    done = client.post(
        f"/can-bo/ho-so/{d.code}/ket-qua/",
        {"mark_result_ready-expected_version": 4, "mark_result_ready-source": "generate"},
    )
    assert done.status_code == 302
    document = Document.objects.get(kind="result")
    client.logout()
    found = client.get(f"/xac-thuc/?ma={document.public_code.lower().replace('-', ' ')}")
    assert found.status_code == 302 and found["Location"] == f"/xac-thuc/{document.public_code}/"
    shown = client.get(found["Location"]).content.decode()
    assert "Văn bản hợp lệ" in shown and "Cán bộ chutich_a" in shown and "trùng khớp từng byte" in shown
    original = client.get(f"/xac-thuc/{document.public_code}/tep.pdf")
    assert original.status_code == 200 and original.content == services.content(document)
    tampered = bytearray(original.content)
    tampered[len(tampered) // 3] ^= 0x01
    upload = client.post("/xac-thuc/", {"file": SimpleUploadedFile("kq.pdf", bytes(tampered))})
    assert upload.status_code == 200 and "Văn bản không hợp lệ" in upload.content.decode()
    not_pdf = client.post("/xac-thuc/", {"file": SimpleUploadedFile("anh.pdf", b"\x89PNG\r\n\x1a\n...")})
    assert not_pdf.status_code == 400 and "không phải PDF" in not_pdf.content.decode()
    assert client.get("/xac-thuc/KQ-0000-0000-0000-0000/").status_code == 404
    assert client.get("/xac-thuc/?ma=abc").status_code == 400
