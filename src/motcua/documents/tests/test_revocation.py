"""Revoking a signed document from the dossier page: the head of the competent unit, with a reason,
once; verification then answers "revoked"; a revoked certified copy frees its original."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.core.models import AuditEntry
from motcua.documents import results, revocation, services, verify
from motcua.documents.models import Revocation
from motcua.dossiers import services as s
from motcua.dossiers.models import Dossier
from motcua.dossiers.rules import DossierConflict, DossierForbidden, DossierNotFound
from motcua.dossiers.tests import factories as df

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_ca")]
WHY = "Sai họ tên người được cấp"


def _issued(w) -> tuple[Dossier, str]:
    d = df.receive(w)
    s.hand_over(d.code, by=w.intake_a, expected_version=1)
    s.hand_over(d.code, by=w.specialist_a, expected_version=2)
    s.hand_over(d.code, by=w.leader_a, expected_version=3)
    return d, results.issue_result(w.head_a, d.code, expected_version=4).public_code


def test_the_head_revokes_a_result_with_a_reason_and_verification_says_so(w):
    d, code = _issued(w)
    with pytest.raises(DossierForbidden, match="Chỉ lãnh đạo Phường An Biên"):
        revocation.revoke(w.leader_a, d.code, code, reason="Sai họ tên người được cấp")
    with pytest.raises(DossierNotFound):
        revocation.revoke(w.intake_b, d.code, code, reason="Sai họ tên người được cấp")
    with pytest.raises(DossierNotFound):
        revocation.revoke(w.head_a, d.code, "KQ-0000-0000-0000-0000", reason="Sai họ tên người được cấp")
    with pytest.raises(revocation.BadReason, match="ít nhất 10"):
        revocation.revoke(w.head_a, d.code, code, reason="  sai  ")
    assert not Revocation.objects.exists()
    done = revocation.revoke(w.head_a, d.code, code, reason="Sai họ tên người được cấp")
    assert done.by == w.head_a and done.reason == "Sai họ tên người được cấp"
    with pytest.raises(DossierConflict, match="đã bị thu hồi"):
        revocation.revoke(w.head_a, d.code, code, reason="Lần thứ hai, cùng văn bản")
    report = verify.verify(services.content(results.by_code(code)))
    assert report.revoked and not report.genuine
    assert AuditEntry.objects.get(action="document_revoked").data["reason"] == "Sai họ tên người được cấp"


def test_the_dossier_page_revokes_and_shows_it(w, client):
    d, code = _issued(w)
    url = f"/can-bo/ho-so/{d.code}/thu-hoi/{code}/"
    client.force_login(w.leader_a)  # sees the dossier, may not revoke: no form, and a 403
    assert f'action="{url}"' not in client.get(f"/can-bo/ho-so/{d.code}/").content.decode()
    assert client.post(url, {"reason": "Sai họ tên người được cấp"}).status_code == 403
    client.force_login(w.head_a)
    assert f'action="{url}"' in client.get(f"/can-bo/ho-so/{d.code}/").content.decode()
    short = client.post(url, {"reason": "sai"})
    assert short.status_code == 400 and "Ghi rõ lý do thu hồi" in short.content.decode()
    done = client.post(url, {"reason": "Sai họ tên người được cấp"})
    assert done.status_code == 302
    page = client.get(done["Location"]).content.decode()
    assert f"Đã thu hồi văn bản {code}" in page and "Sai họ tên người được cấp" in page
    assert f'action="{url}"' not in page  # revoked once
    assert client.post(url, {"reason": "Sai họ tên người được cấp"}).status_code == 409
    client.logout()
    shown = client.get(f"/xac-thuc/{code}/").content.decode()
    assert "Văn bản đã bị thu hồi" in shown and "Sai họ tên người được cấp" in shown


def test_a_wrong_result_is_replaced_by_a_corrected_one_and_both_verify_as_they_should(w):
    d, old = _issued(w)
    s.return_result(d.code, by=w.intake_a, expected_version=5)
    with pytest.raises(DossierForbidden):
        results.replace_result(
            w.leader_a, d.code, old, expected_version=6, reason="Sai họ tên người được cấp"
        )
    with pytest.raises(revocation.BadReason):
        results.replace_result(w.head_a, d.code, old, expected_version=6, reason="sai")
    with pytest.raises(DossierConflict, match="không phải kết quả điện tử hiện hành"):
        results.replace_result(
            w.head_a, d.code, "KQ-0000-0000-0000-0000", expected_version=6, reason="Sai họ tên người được cấp"
        )
    assert Dossier.objects.get(pk=d.pk).lock_version == 6  # nothing signed, nothing written
    new = results.replace_result(
        w.head_a, d.code, old, expected_version=6, reason="Sai họ tên người được cấp"
    )
    d.refresh_from_db()
    # the dossier carries the corrected result; its state is unchanged; the history says why
    assert d.state == "returned" and d.result_code == new.public_code != old
    assert d.result_file_url.endswith(f"/xac-thuc/{new.public_code}/")
    event = d.events.order_by("-seq").first()
    assert event.action == "replace_result" and event.data["replaced"] == old
    assert event.data["reason"] == "Sai họ tên người được cấp"
    from motcua.dossiers.sync import dong_bo_ho_so_mc

    assert dong_bo_ho_so_mc(d)["data"][0]["MaKetQua"] == new.public_code
    # the old result verifies as revoked and replaced; the new one as genuine
    old_report = verify.verify(services.content(results.by_code(old)))
    assert old_report.revoked and old_report.revocation.replaced_by == new
    assert verify.verify(services.content(new)).genuine
    with pytest.raises(DossierConflict):  # the old one is no longer the dossier's result
        results.replace_result(w.head_a, d.code, old, expected_version=7, reason="Sai họ tên người được cấp")


def test_the_dossier_page_replaces_a_result(w, client):
    d, old = _issued(w)
    client.force_login(w.head_a)
    url = f"/can-bo/ho-so/{d.code}/cap-lai/{old}/"
    assert f'action="{url}"' in client.get(f"/can-bo/ho-so/{d.code}/").content.decode()
    not_pdf = client.post(
        url,
        {
            "expected_version": 5,
            "reason": "Sai ngày sinh người được cấp",
            "source": "upload",
            "file": SimpleUploadedFile("kq.pdf", b"GIF89a..."),
        },
    )
    assert not_pdf.status_code == 400 and "không phải PDF" in not_pdf.content.decode()
    stale = client.post(url, {"expected_version": 4, "reason": "Sai ngày sinh người được cấp"})
    assert stale.status_code == 409
    done = client.post(
        url, {"expected_version": 5, "reason": "Sai ngày sinh người được cấp", "source": "generate"}
    )
    assert done.status_code == 302
    page = client.get(done["Location"]).content.decode()
    new = Dossier.objects.get(pk=d.pk).result_code
    assert f"Đã thu hồi kết quả {old} và ký số, cấp lại kết quả {new}." in page
    assert f"thay bằng {new}" in page and "Thu hồi và cấp lại kết quả" in page  # the history's label
    client.logout()
    shown = client.get(f"/xac-thuc/{old}/").content.decode()
    assert "Văn bản đã bị thu hồi" in shown and f'href="/xac-thuc/{new}/"' in shown
