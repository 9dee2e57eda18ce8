"""Electronic certified copies from originals: the scan of the original shown at the counter, certified
and signed by the chairman and the ward, numbered in the ward's book, charged by the original's pages
(TT 226/2016, worked by hand below), verifiable like a result, and the dossier's result."""

from __future__ import annotations

import datetime as dt
import io
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import close_old_connections

from motcua.catalogue.tests import factories as cf
from motcua.core.models import AuditEntry, RuleVersion
from motcua.documents import certified, results, revocation, services, verify
from motcua.documents.models import CertificationSequence, CertifiedCopy, Document
from motcua.documents.pdf import archival_part
from motcua.documents.rules import FEE_SUPPORT_RULE
from motcua.documents.tests import samples
from motcua.documents.tests.pdftext import picture, text
from motcua.dossiers import services as s
from motcua.dossiers.models import Dossier
from motcua.dossiers.rules import DossierConflict, DossierForbidden, DossierNotFound, StaleDossier
from motcua.dossiers.tests import factories as df

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_ca")]


@pytest.fixture
def w():
    """The test province with procedure 2.000815 (certified copies from originals) at its wards."""
    version = cf.version(
        name="Cấp bản sao có chứng thực từ bản chính",
        components=[{"name": "Bản chính giấy tờ cần chứng thực", "kind": "original"}],
        fees=[cf.CERTIFIED_COPY_FEE],
    )
    return df.world(procedure_doc=cf.procedure("2.000815", version, name="Chứng thực bản sao từ bản chính"))


def _original(pages: int) -> bytes:
    """An original of ``pages`` pages, as a scanner would give it (a PDF, A4)."""
    html = "".join(
        f'<section style="page-break-after: always">Giấy khai sinh — trang gốc số {n}</section>'
        for n in range(1, pages + 1)
    )
    from weasyprint import HTML

    return HTML(string=f"<html lang='vi'><body>{html}</body></html>").write_pdf()


def _received(w, data: bytes, name: str = "giay-khai-sinh.pdf") -> Dossier:
    scan = SimpleUploadedFile(name, data)
    component = w.version.components.get()
    return df.receive(w, components=[s.ComponentInput(component_id=component.pk, file=scan)])


def _component_id(d: Dossier) -> int:
    return d.components.get().pk


def test_the_chairman_certifies_a_scanned_original_as_a_signed_numbered_copy(w):
    d = _received(w, _original(3))
    document = certified.certify_copy(
        w.head_a, d.code, expected_version=1, component_id=_component_id(d), copies=2
    )
    entry = CertifiedCopy.objects.get(document=document)
    assert (entry.number, entry.book, entry.pages, entry.copies) == (1, f"01/{entry.year}-SCT/BS", 3, 2)
    # TT 226/2016: 2.000 đ for pages 1–2, 1.000 đ from page 3 → 5.000 đ a copy; 2 copies = 10.000 đ
    assert entry.fee_vnd == 10000 and entry.supported_vnd == 0 and entry.payable_vnd == 10000
    assert document.kind == "certified_copy" and document.public_code.startswith("KQ-")
    assert document.pages == 4  # the three pages of the original and the statement
    copy = services.content(document)
    said = text(copy)
    picture(copy, "ban-sao-chung-thuc")
    picture(copy, "ban-sao-chung-thuc-loi-chung", page=4)
    # every page of the original is there, under the band with the number, then the statement
    for n in (1, 2, 3):
        assert f"trang gốc số {n}" in said
        assert f"Trang {n}/4" in said
    assert said.count("BẢN SAO ĐIỆN TỬ ĐƯỢC CHỨNG THỰC TỪ BẢN CHÍNH") == 3
    assert "Chứng thực bản sao đúng với bản chính." in said
    assert "Số chứng thực: 1" in said and f"Quyển số: 01/{entry.year}-SCT/BS" in said
    assert "Nguyễn Thị Hồng Nhung" in said and "NGƯỜI THỰC HIỆN CHỨNG THỰC" in said
    assert archival_part(copy) == ""  # the scanned PDF's own content is not declared archival
    report = verify.verify(copy)
    assert report.genuine and report.issued_by_us and not report.revoked
    assert [c.signer for c in report.signatures] == ["Cán bộ chutich_a", "Phường An Biên"]
    assert results.by_code(document.public_code) == document  # /xac-thuc/<code>/ finds it
    assert AuditEntry.objects.get(action="copy_certified").data["fee_vnd"] == 10000
    # the dossier's per-page fee line now holds what the citizen pays (it showed the rate before)
    assert d.fees.get(catalogue_fee__basis="per_page").amount_vnd == 10000
    # the dossier itself is not moved: the leader hands over, the result is marked ready later
    assert Dossier.objects.get(pk=d.pk).lock_version == 1


def test_a_photographed_original_is_certified_as_one_page(w):
    import segno

    out = io.BytesIO()  # a PNG image, as a phone photographs a one-page paper
    segno.make("Giấy chứng nhận quyền sử dụng đất").save(out, kind="png", scale=12)
    d = _received(w, out.getvalue(), "anh-chup.png")
    document = certified.certify_copy(w.head_a, d.code, expected_version=1, component_id=_component_id(d))
    entry = document.certification
    assert entry.pages == 1 and entry.fee_vnd == 2000 and document.pages == 2
    copy = services.content(document)
    assert verify.verify(copy).genuine
    assert archival_part(copy) == "2B"  # drawn from an image: PDF/A-2b; from a scanned PDF: not claimed


def test_the_budget_support_is_a_dated_rule(w):
    RuleVersion.objects.create(key=FEE_SUPPORT_RULE, effective_from=dt.date(2026, 1, 1), value=100)
    d = _received(w, _original(120))
    document = certified.certify_copy(w.head_a, d.code, expected_version=1, component_id=_component_id(d))
    entry = document.certification
    # 2 × 2.000 + 118 × 1.000 = 122.000 đ, under the 200.000 đ cap; all of it supported
    assert (entry.fee_vnd, entry.supported_vnd, entry.payable_vnd) == (122000, 122000, 0)
    assert d.fees.get(catalogue_fee__basis="per_page").amount_vnd == 0  # nothing left for the citizen


def test_numbers_follow_in_the_ward_book_and_an_original_is_certified_once(w):
    first = _received(w, _original(1))
    second = _received(w, _original(2))
    a = certified.certify_copy(w.head_a, first.code, expected_version=1, component_id=_component_id(first))
    b = certified.certify_copy(w.head_a, second.code, expected_version=1, component_id=_component_id(second))
    assert (a.certification.number, b.certification.number) == (1, 2)
    with pytest.raises(DossierConflict, match="đã được chứng thực \\(số 1"):
        certified.certify_copy(w.head_a, first.code, expected_version=1, component_id=_component_id(first))
    # a revoked copy can be certified again, under a new number
    revocation.revoke(w.head_a, first.code, a.public_code, reason="Chụp thiếu trang của bản chính")
    again = certified.certify_copy(
        w.head_a, first.code, expected_version=1, component_id=_component_id(first)
    )
    assert again.certification.number == 3
    assert CertificationSequence.objects.get(unit=w.ward_a).last_value == 3


def test_refusals_leave_no_number_and_no_file(w, _documents_storage):
    d = _received(w, _original(1))
    cid = _component_id(d)
    with pytest.raises(DossierNotFound):
        certified.certify_copy(w.intake_b, d.code, expected_version=1, component_id=cid)
    with pytest.raises(DossierForbidden, match="thẩm quyền ký chứng thực"):
        certified.certify_copy(w.specialist_a, d.code, expected_version=1, component_id=cid)
    with pytest.raises(StaleDossier):
        certified.certify_copy(w.head_a, d.code, expected_version=7, component_id=cid)
    with pytest.raises(certified.NotCertifiable, match="Số bản"):
        certified.certify_copy(w.head_a, d.code, expected_version=1, component_id=cid, copies=0)
    with pytest.raises(certified.NotCertifiable, match="đã quét"):
        certified.certify_copy(w.head_a, d.code, expected_version=1, component_id=cid + 999)
    encrypted = _received(w, b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Encrypt 2 0 R >>")
    with pytest.raises(certified.NotCertifiable, match="không dùng được"):
        certified.certify_copy(
            w.head_a, encrypted.code, expected_version=1, component_id=_component_id(encrypted)
        )
    assert not CertifiedCopy.objects.exists() and not CertificationSequence.objects.exists()
    assert not Document.objects.filter(kind="certified_copy").exists()
    assert not list(_documents_storage.rglob("*.pdf")) or all(
        "scans" in str(p) for p in _documents_storage.rglob("*.pdf")
    )


def test_another_procedure_is_not_certified(w):
    RuleVersion.objects.create(
        key="documents.certified_copy",
        effective_from=dt.date(2025, 1, 1),
        value={"procedures": ["2.000884"], "signer_roles": ["agency_leader"], "book": "01/{year}-SCT/BS"},
    )
    d = _received(w, _original(1))
    with pytest.raises(DossierConflict, match="không phải chứng thực bản sao"):
        certified.certify_copy(w.head_a, d.code, expected_version=1, component_id=_component_id(d))


def test_the_certified_copy_is_the_dossiers_result(w):
    d = _received(w, _original(2))
    s.hand_over(d.code, by=w.intake_a, expected_version=1)
    s.hand_over(d.code, by=w.specialist_a, expected_version=2)
    s.hand_over(d.code, by=w.leader_a, expected_version=3)
    with pytest.raises(results.NotCertified, match="chưa có bản sao"):
        results.issue_result(w.head_a, d.code, expected_version=4, certified_copy=True)
    copy = certified.certify_copy(w.head_a, d.code, expected_version=4, component_id=_component_id(d))
    result = results.issue_result(w.head_a, d.code, expected_version=4, certified_copy=True)
    assert result == copy
    d.refresh_from_db()
    assert d.state == "result_ready" and d.result_code == copy.public_code
    assert d.result_file_url.endswith(f"/xac-thuc/{copy.public_code}/")
    assert Document.objects.filter(dossier=d).exclude(kind="form").count() == 1  # nothing else signed
    with pytest.raises(DossierConflict, match="đã kết thúc"):
        certified.certify_copy(w.head_a, d.code, expected_version=5, component_id=_component_id(d))


@pytest.mark.django_db(transaction=True)
def test_two_certifiers_at_once_get_two_numbers(w):
    """Two originals of two dossiers certified at the same moment: numbers 1 and 2, never twice 1."""
    dossiers = [_received(w, _original(1)), _received(w, _original(1))]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(d: Dossier) -> None:
        try:
            barrier.wait()
            certified.certify_copy(w.head_a, d.code, expected_version=1, component_id=_component_id(d))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=run, args=(d,)) for d in dossiers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(CertifiedCopy.objects.values_list("number", flat=True)) == [1, 2]


def test_the_fee_shown_is_the_fee_kept(w):
    """One rule, one place: the panel's fee text and the book's amount come from the catalogue's fee."""
    d = _received(w, _original(3))
    offer = certified.offer(w.head_a, _detail(w, d))
    assert offer is not None and offer.fee is not None
    from motcua.catalogue import fees

    assert fees.charge(offer.fee, pages=3, copies=1) == 5000
    document = certified.certify_copy(w.head_a, d.code, expected_version=1, component_id=_component_id(d))
    assert document.certification.fee_vnd == 5000
    assert certified.offer(w.specialist_a, _detail(w, d, w.specialist_a)) is None
    # the receipt (Mẫu 01) prints the fee's rates: its amount is known only once the pages are counted
    receipt = text(services.content(services.issue_form(w.intake_a, d.code, "01", 1)))
    assert "Phí chứng thực bản sao từ bản chính: 2.000 đ/trang; từ trang thứ 3: 1.000 đ/trang" in receipt


def _detail(w, d: Dossier, user=None):
    from motcua.dossiers.lookup import dossier_detail

    return dossier_detail(user or w.head_a, d.code)


def test_the_dossier_page_certifies_and_then_returns_the_copy_as_result(w, client):
    d = _received(w, _original(2))
    cid = _component_id(d)
    url = f"/can-bo/ho-so/{d.code}/chung-thuc/"
    client.force_login(w.specialist_a)  # may see the dossier, may not certify: no panel, and a 403
    assert 'data-testid="certify-panel"' not in client.get(f"/can-bo/ho-so/{d.code}/").content.decode()
    refused = client.post(url, {"certify-expected_version": 1, "certify-component": cid, "certify-copies": 1})
    assert refused.status_code == 403 and "thẩm quyền ký chứng thực" in refused.content.decode()
    client.force_login(w.head_a)
    page = client.get(f"/can-bo/ho-so/{d.code}/").content.decode()
    assert 'data-testid="certify-panel"' in page and f'action="{url}"' in page
    assert "Phí chứng thực: 2.000 đ/trang" in page and "Bản chính giấy tờ cần chứng thực — 2 trang" in page
    bad = client.post(url, {"certify-expected_version": 1, "certify-component": cid, "certify-copies": "x"})
    assert bad.status_code == 400 and "Số bản phải là số nguyên." in bad.content.decode()
    missing = client.post(url, {"certify-expected_version": 1, "certify-copies": 1})
    assert missing.status_code == 400 and "Chọn bản chính" in missing.content.decode()
    assert not CertifiedCopy.objects.exists()
    done = client.post(url, {"certify-expected_version": 1, "certify-component": cid, "certify-copies": 1})
    assert done.status_code == 302
    page = client.get(done["Location"]).content.decode()
    copy = Document.objects.get(kind="certified_copy")
    assert "Đã ký chứng thực bản sao điện tử số 1" in page and copy.public_code in page
    assert "đã chứng thực số 1" in page  # the original is marked done on the panel
    twice = client.post(url, {"certify-expected_version": 1, "certify-component": cid, "certify-copies": 1})
    assert twice.status_code == 409 and CertifiedCopy.objects.count() == 1
    # the workflow goes on; at the last step the result is the certified copy, nothing new signed
    s.hand_over(d.code, by=w.intake_a, expected_version=1)
    s.hand_over(d.code, by=w.specialist_a, expected_version=2)
    s.hand_over(d.code, by=w.leader_a, expected_version=3)
    page = client.get(f"/can-bo/ho-so/{d.code}/").content.decode()
    assert f"Bản sao điện tử đã chứng thực ({copy.public_code})" in page
    marked = client.post(
        f"/can-bo/ho-so/{d.code}/ket-qua/",
        {"mark_result_ready-expected_version": 4, "mark_result_ready-source": "certified"},
    )
    assert marked.status_code == 302
    assert "là kết quả; hồ sơ" in client.get(marked["Location"]).content.decode()
    d.refresh_from_db()
    assert d.state == "result_ready" and d.result_code == copy.public_code
    client.logout()
    shown = client.get(f"/xac-thuc/{copy.public_code}/").content.decode()
    assert "Văn bản hợp lệ" in shown and "Bản sao điện tử chứng thực từ bản chính" in shown
    assert "Số chứng thực 1, quyển số 01/" in shown and "Phường An Biên; bản chính 2 trang" in shown


def test_766_counts_the_ward_that_certifies_electronically(w):
    """4.CT through the services: before any electronic copy the certification procedure scores 0 of 2;
    after one (and after the copy is revoked, again 0)."""
    from django.utils import timezone

    from motcua.evaluation.index766 import compute
    from motcua.workdays.domain import to_local

    d = _received(w, _original(1))
    today = to_local(timezone.now()).date()

    def ct():
        return compute(today.replace(day=1), today, unit=w.ward_a).indicator("4.CT")

    before = ct()
    assert (before.missing, before.numerator, before.denominator, before.points) == (False, 0, 1, 0)
    copy = certified.certify_copy(w.head_a, d.code, expected_version=1, component_id=_component_id(d))
    after = ct()
    assert (after.numerator, after.denominator, str(after.points)) == (1, 1, "2.00")
    revocation.revoke(w.head_a, d.code, copy.public_code, reason="Cấp nhầm cho hồ sơ khác")
    assert ct().numerator == 0


def _pdf(*, rotate: int | None = None, contents: bool = True) -> bytes:
    """A one-page A4 PDF: turned by ``rotate``, or with no content at all."""
    return samples.one_page_pdf(b"0 0 1 rg 50 50 200 100 re f" if contents else None, rotate=rotate)


@pytest.mark.parametrize("rotate", [90, 270, 45])
def test_a_turned_scan_is_drawn_upright_and_an_odd_turn_is_ignored(w, rotate):
    d = _received(w, _pdf(rotate=rotate))
    document = certified.certify_copy(w.head_a, d.code, expected_version=1, component_id=_component_id(d))
    assert document.pages == 2 and verify.verify(services.content(document)).genuine


def test_damaged_scans_are_refused_with_the_reason_and_nothing_kept(w):
    png = io.BytesIO()
    import segno

    segno.make("Giấy tờ").save(png, kind="png", scale=12)
    broken = png.getvalue()[:60] + b"\x00" * 200  # a photograph cut off in transit
    jpeg = io.BytesIO()
    from PIL import Image

    Image.new("RGB", (300, 200), "white").save(jpeg, format="JPEG")
    for data, name, why in (
        (broken, "anh.png", "ảnh bị hỏng"),
        (jpeg.getvalue()[:-200], "anh.jpg", "ảnh bị hỏng"),
        (_pdf(contents=False), "trang-trong.pdf", "có trang không đọc được"),
    ):
        d = _received(w, data, name)
        with pytest.raises(certified.NotCertifiable, match=why):
            certified.certify_copy(w.head_a, d.code, expected_version=1, component_id=_component_id(d))
    assert not CertifiedCopy.objects.exists() and not CertificationSequence.objects.exists()
