"""A citizen signs in through the identity provider, finds the declaration prefilled from it and the
population database, uploads one document and takes another from their warehouse, submits once (a
second click gives the same dossier); the officer asks for a supplement before accepting, the citizen
supplements online; the result issued lands in the citizen's warehouse."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.catalogue.models import Component
from motcua.citizens.models import Account
from motcua.documents import results, warehouse
from motcua.documents.models import WarehouseItem
from motcua.documents.tests import samples
from motcua.dossiers import services as s
from motcua.dossiers.models import Dossier
from motcua.dossiers.rules import State
from motcua.online.models import Draft
from motcua.online.tests.conftest import VAN

pytestmark = pytest.mark.django_db


def _component(name: str) -> Component:
    return Component.objects.get(name=name)


def test_signed_in_citizen_submits_with_prefill_upload_and_reuse(client, w, servers):
    answer = sign_in_for(client, servers)
    assert answer.status_code == 302 and answer["Location"] == "/nop-truc-tuyen/1.001193/"
    account = Account.objects.get(person__citizen_id=VAN)
    assert account.trusted and account.proof == Account.Proof.IDENTITY_PROVIDER
    assert account.population_record  # the population database answered
    # a birth certificate of an earlier dossier is already in her warehouse
    earlier = warehouse.keep_upload(
        account.person,
        samples.one_page_pdf(b"1 0 0 rg 10 10 50 50 re f"),
        title="Giấy chứng sinh của bé An",
        doc_type="GT.CHUNGSINH",
    )
    started = client.get("/nop-truc-tuyen/1.001193/")
    draft = Draft.objects.get(account=account)
    assert started["Location"] == f"/nop-truc-tuyen/ho-so-nhap/{draft.token}/"
    declaration = _component("Tờ khai đăng ký khai sinh")
    typed = draft.typed[str(declaration.pk)]
    assert typed["ho_ten"] == "Lê Thị Hồng Vân"
    assert typed["noi_cu_tru"].startswith("Số 27 phố Chi Lăng")  # from the population database
    assert set(draft.prefilled[str(declaration.pk)]) == {"ho_ten", "noi_cu_tru"}
    page = client.get(f"/nop-truc-tuyen/ho-so-nhap/{draft.token}/to-khai/{declaration.pk}/")
    assert "Lê Thị Hồng Vân" in page.content.decode()
    # a future birth date is refused with the field's message, and what was typed is kept
    form = {"ho_ten": typed["ho_ten"], "noi_cu_tru": typed["noi_cu_tru"], "ten_tre": "Trần Bảo An"}
    refused = client.post(page.request["PATH_INFO"], {**form, "ngay_sinh_tre": "2099-01-01"})
    assert refused.status_code == 400 and "Ngày sinh" in refused.content.decode()
    assert Draft.objects.get(pk=draft.pk).typed[str(declaration.pk)]["ten_tre"] == "Trần Bảo An"
    saved = client.post(page.request["PATH_INFO"], {**form, "ngay_sinh_tre": "2026-11-30"})
    assert saved.status_code == 302
    url = f"/nop-truc-tuyen/ho-so-nhap/{draft.token}/"
    marriage = _component("Giấy chứng nhận kết hôn của cha, mẹ")
    birth = _component("Giấy chứng sinh")
    pdf = SimpleUploadedFile("ket-hon.pdf", samples.one_page_pdf(), content_type="application/pdf")
    assert client.post(url, {"action": "upload", "component": marriage.pk, "file": pdf}).status_code == 302
    assert client.post(url, {"action": "pick", "component": birth.pk, "item": earlier.pk}).status_code == 302
    place = f"{w.ward_a.pk}-{w.ward_a.pk}"
    assert client.post(url, {"action": "choices", "place": place, "delivery": "online"}).status_code == 302
    review = client.get(f"{url}nop/")
    assert review.status_code == 200 and "Trần Bảo An" in review.content.decode()
    first = client.post(f"{url}nop/")
    dossier = Dossier.objects.get()
    assert first["Location"] == f"/ho-so-cua-toi/{dossier.code}/"
    again = client.post(f"{url}nop/")  # the same click twice: one dossier
    assert again.status_code == 302 and Dossier.objects.count() == 1
    assert (dossier.state, dossier.vneid_authenticated) == (State.SUBMITTED, True)
    assert dossier.population_db_code == account.population_record
    assert dossier.extra["eforms"][str(declaration.pk)]["ten_tre"] == "Trần Bảo An"
    reused = {c.name: c.reused for c in dossier.components.all()}
    assert reused == {
        "Tờ khai đăng ký khai sinh": False,
        "Giấy chứng sinh": True,
        "Giấy chứng nhận kết hôn của cha, mẹ": False,
    }
    # the intake officer reads the declaration as she answered it
    officer = Client()
    officer.force_login(w.intake_a)
    staff_page = officer.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    assert "Trần Bảo An" in staff_page and "30/11/2026" in staff_page
    # the uploaded certificate is in her warehouse now, with its type
    kept = WarehouseItem.objects.get(title="Giấy chứng nhận kết hôn của cha, mẹ")
    assert (kept.doc_type, kept.owner_person_id) == ("GT.KETHON", account.person_id)

    # the officer asks for a supplement before accepting; she answers online
    dossier = s.request_intake_supplement(
        dossier.code,
        by=w.intake_a,
        expected_version=1,
        items=["Giấy chứng sinh rõ nét"],
        reasons="Bản chụp mờ",
    )
    mine = client.get(f"/ho-so-cua-toi/{dossier.code}/").content.decode()
    assert "Giấy chứng sinh rõ nét" in mine and "Bản chụp mờ" in mine
    scan = SimpleUploadedFile("chung-sinh.png", samples.png(), content_type="image/png")
    answered = client.post(f"/ho-so-cua-toi/{dossier.code}/bo-sung/", {"files": [scan], "version": 2})
    assert answered.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == State.SUBMITTED

    # accepted, processed, its result signed: the result is in her warehouse
    dossier = s.accept_online(dossier.code, by=w.intake_a, expected_version=3)
    for holder in (w.intake_a, w.specialist_a, w.leader_a):
        dossier = s.hand_over(dossier.code, by=holder, expected_version=dossier.lock_version)
    results.issue_result(w.head_a, dossier.code, expected_version=dossier.lock_version)
    item = WarehouseItem.objects.get(source=WarehouseItem.Source.RESULT)
    assert (item.doc_type, item.owner_person_id, item.dossier_id) == (
        "GT.KHAISINH",
        account.person_id,
        dossier.pk,
    )
    shown = client.get("/kho-du-lieu/").content.decode()
    assert item.title in shown
    served = client.get(f"/kho-du-lieu/{item.pk}/tep/")
    assert served.status_code == 200 and b"".join(served.streaming_content).startswith(b"%PDF")


def sign_in_for(client, servers):
    from motcua.online.tests.conftest import sign_in_with_idp

    return sign_in_with_idp(client, servers, next_path="/nop-truc-tuyen/1.001193/")


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("khoa.pdf", samples.encrypted_pdf(), "có mật khẩu"),
        ("hong.pdf", samples.one_page_pdf()[:300], "bị hỏng"),
        ("anh.png", samples.png()[:70], "bị hỏng"),
        ("chuong-trinh.pdf", b"MZ\x90\x00 not a document", "Chỉ nhận tệp PDF, JPG hoặc PNG"),
        ("rong.pdf", b"", "rỗng"),
    ],
)
def test_bad_uploads_are_refused_with_the_reason_and_nothing_is_kept(client, w, servers, name, data, message):
    sign_in_for(client, servers)
    client.get("/nop-truc-tuyen/1.001193/")
    draft = Draft.objects.get()
    upload = SimpleUploadedFile(name, data)
    answer = client.post(
        f"/nop-truc-tuyen/ho-so-nhap/{draft.token}/",
        {"action": "upload", "component": _component("Giấy chứng sinh").pk, "file": upload},
    )
    assert 400 <= answer.status_code < 500 and message in answer.content.decode()
    assert not WarehouseItem.objects.exists() and Draft.objects.get().documents == {}


def test_an_oversized_upload_is_refused(client, w, servers, settings):
    settings.MOTCUA_DOCUMENT_MAX_BYTES = 1024
    sign_in_for(client, servers)
    client.get("/nop-truc-tuyen/1.001193/")
    draft = Draft.objects.get()
    big = SimpleUploadedFile("lon.pdf", samples.one_page_pdf() + b"%" + b"0" * 2048)
    answer = client.post(
        f"/nop-truc-tuyen/ho-so-nhap/{draft.token}/",
        {"action": "upload", "component": _component("Giấy chứng sinh").pk, "file": big},
    )
    assert answer.status_code == 422 and "Tệp quá lớn" in answer.content.decode()
