"""The result through the API (POST /api/ho-so/{code}/ket-qua): a line-of-business system sends the
decision as a PDF, or asks for the result drawn up from the template; it is signed by the caller and the
caller's unit, the dossier moves to "result ready", and the refusals are the dossier API's."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.core import tokens
from motcua.documents import pdf, services, verify
from motcua.documents.models import Document
from motcua.dossiers import services as s
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests import factories as df

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_ca")]


def _at_signing(w) -> Dossier:
    d = df.receive(w)
    s.hand_over(d.code, by=w.intake_a, expected_version=1)
    s.hand_over(d.code, by=w.specialist_a, expected_version=2)
    s.hand_over(d.code, by=w.leader_a, expected_version=3)
    return Dossier.objects.get(pk=d.pk)


def _bearer(user) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {tokens.issue(user, 'Phần mềm chuyên ngành').secret}"}


def test_an_uploaded_decision_is_signed_and_issued(w, client):
    d = _at_signing(w)
    decision, _pages = pdf.render("documents/results/general.html", {"result_code": "QĐ 15/2026", "d": d})
    url = f"/api/ho-so/{d.code}/ket-qua"
    auth = _bearer(w.head_a)
    answer = client.post(
        url,
        {
            "expected_version": 4,
            "source": "upload",
            "note": "Đồng ý",
            "file": SimpleUploadedFile("qd.pdf", decision),
        },
        **auth,
    )
    assert answer.status_code == 200, answer.content
    body = answer.json()
    result = body["result"]
    assert result["code"].startswith("KQ-") and result["url"].endswith(f"/xac-thuc/{result['code']}/")
    assert [p["name"] for p in result["signed_by"]] == ["Cán bộ chutich_a", "Phường An Biên"]
    assert body["dossier"]["code"] == d.code and body["dossier"]["national_status"] == 9
    document = Document.objects.get(public_code=result["code"])
    signed = services.content(document)
    assert signed.startswith(decision) and verify.verify(signed).genuine
    assert result["sha256"] == document.sha256
    d.refresh_from_db()
    assert d.result_code == result["code"] and d.state == "result_ready"


def test_refusals_through_the_api(w, client):
    d = _at_signing(w)
    url = f"/api/ho-so/{d.code}/ket-qua"
    head = _bearer(w.head_a)
    assert client.post(url, {"expected_version": 4}).status_code == 401
    assert client.post(url, {"expected_version": 4}, **_bearer(w.intake_b)).status_code == 404
    assert client.post(url, {"expected_version": 4}, **_bearer(w.specialist_a)).status_code == 403
    stale = client.post(url, {"expected_version": 3}, **head)
    assert stale.status_code == 409 and stale.json()["code"] == "dossier_stale"
    missing = client.post(url, {}, **head)
    assert missing.status_code == 422 and missing.json()["code"] == "invalid_input"
    no_file = client.post(url, {"expected_version": 4, "source": "upload"}, **head)
    assert no_file.status_code == 400 and "file" in no_file.json()["message"]
    not_pdf = client.post(
        url,
        {"expected_version": 4, "source": "upload", "file": SimpleUploadedFile("a.pdf", b"PK\x03\x04")},
        **head,
    )
    assert not_pdf.status_code == 400 and not_pdf.json()["message"] == "Nội dung tệp không phải PDF."
    no_copy = client.post(url, {"expected_version": 4, "source": "certified"}, **head)
    assert no_copy.status_code == 409 and no_copy.json()["code"] == "no_certified_copy"
    assert not Document.objects.filter(kind="result").exists()
    assert Dossier.objects.get(pk=d.pk).lock_version == 4  # nothing half-done
    drawn = client.post(url, {"expected_version": 4}, **head)  # source defaults to the template
    assert drawn.status_code == 200 and drawn.json()["result"]["kind"] == "result"
