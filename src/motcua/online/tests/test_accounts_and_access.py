"""Portal accounts: sign-up confirmed by a code (to the contact the record already held, or to the one
given), sign-in with one message for every failure and a lock after repeated failures; and the matrix
of who sees what — a citizen never reaches another citizen's draft, dossier or document, and an account
not proven sees only what it submitted itself."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.citizens.models import Account
from motcua.core.models import Person
from motcua.documents import warehouse
from motcua.documents.tests import samples
from motcua.dossiers.tests import factories as df
from motcua.integrations.models import OutboxMessage
from motcua.online.models import Draft
from motcua.online.tests.conftest import MANH, sign_in_with_idp

pytestmark = pytest.mark.django_db
PASSWORD = "Mat-khau-du-dai-2026"


def _sign_up(client, number: str, **extra) -> object:
    data = {
        "kind": "person",
        "id_number": number,
        "name": "Nguyễn Thị Hồng Nhung",
        "birth_date": "1985-06-02",
        "email": "nhung@example.vn",
        "password": PASSWORD,
        "password2": PASSWORD,
        **extra,
    }
    return client.post("/tai-khoan/dang-ky/", data)


def _last_code() -> tuple[str, str]:
    message = (
        OutboxMessage.objects.filter(topic__in=("thongbao.email", "thongbao.sms")).order_by("-id").first()
    )
    text = message.payload.get("body") or message.payload.get("text")
    return re.search(r"\b(\d{6})\b", text).group(1), message.payload.get("to") or message.payload.get("phone")


def test_sign_up_to_a_new_contact_gives_an_account_that_sees_only_its_own(client, w):
    # the person has a dossier received at the counter, and no contact on record
    counter = df.receive(w)
    answer = _sign_up(client, df.CITIZEN_ID)
    assert answer["Location"] == "/tai-khoan/xac-nhan/"
    code, sent_to = _last_code()
    assert sent_to == "nhung@example.vn"
    wrong = client.post("/tai-khoan/xac-nhan/", {"code": "000000" if code != "000000" else "111111"})
    assert wrong.status_code == 400 and "không đúng" in wrong.content.decode()
    assert client.post("/tai-khoan/xac-nhan/", {"code": code}).status_code == 302
    account = Account.objects.get()
    assert account.contact_verified_at and not account.trusted
    assert Person.objects.get(pk=w.person.pk).email == "nhung@example.vn"  # notices reach her now
    mine = client.get("/ho-so-cua-toi/").content.decode()
    assert counter.code not in mine  # a self-made account does not reach what the counter recorded
    assert client.get(f"/ho-so-cua-toi/{counter.code}/").status_code == 404


def test_a_code_sent_to_the_contact_on_record_proves_the_person(client, w):
    Person.objects.filter(pk=w.person.pk).update(phone="0912345678")
    counter = df.receive(w)
    _sign_up(client, df.CITIZEN_ID, email="khac@example.vn")
    code, sent_to = _last_code()
    assert sent_to == "84912345678"  # the phone the counter recorded, not the e-mail just typed
    client.post("/tai-khoan/xac-nhan/", {"code": code})
    assert Account.objects.get().trusted
    assert counter.code in client.get("/ho-so-cua-toi/").content.decode()


def test_sign_in_says_one_thing_for_every_failure_and_locks_after_repeats(client, w, settings):
    _sign_up(client, df.CITIZEN_ID)
    client.post("/tai-khoan/xac-nhan/", {"code": _last_code()[0]})
    client.post("/tai-khoan/dang-xuat/")
    unknown = client.post("/tai-khoan/dang-nhap/", {"identifier": "031099000111", "password": PASSWORD})
    wrong = client.post(
        "/tai-khoan/dang-nhap/", {"identifier": df.CITIZEN_ID, "password": "sai-mat-khau-roi"}
    )
    assert unknown.status_code == wrong.status_code == 400
    message = "Số định danh / mã số thuế / thư điện tử hoặc mật khẩu không đúng."
    assert message in unknown.content.decode() and message in wrong.content.decode()
    ok = client.post("/tai-khoan/dang-nhap/", {"identifier": "nhung@example.vn", "password": PASSWORD})
    assert ok.status_code == 302
    client.post("/tai-khoan/dang-xuat/")
    for _ in range(settings.MOTCUA_LOGIN_MAX_FAILURES):
        client.post("/tai-khoan/dang-nhap/", {"identifier": df.CITIZEN_ID, "password": "sai-mat-khau-roi"})
    locked = client.post("/tai-khoan/dang-nhap/", {"identifier": df.CITIZEN_ID, "password": PASSWORD})
    assert locked.status_code == 429  # even the right password waits


def test_a_second_account_for_the_same_number_is_refused(client, w):
    _sign_up(client, df.CITIZEN_ID)
    other = _sign_up(client.__class__(), df.CITIZEN_ID, email="khac@example.vn")
    assert other.status_code == 400 and "đã có tài khoản" in other.content.decode()
    assert Account.objects.count() == 1


def test_no_citizen_reaches_another_citizens_draft_dossier_or_document(w, servers):
    from django.test import Client

    van, manh = Client(), Client()
    sign_in_with_idp(van, servers)
    sign_in_with_idp(manh, servers, number=MANH)
    van.get("/nop-truc-tuyen/1.001193/")
    draft = Draft.objects.get(account__person__citizen_id="030189006352")
    account = draft.account
    item = warehouse.keep_upload(
        account.person, samples.one_page_pdf(), title="Giấy chứng sinh", account_id=account.pk
    )
    dossier = df.submit(w, applicant=account.person)
    urls = [
        f"/nop-truc-tuyen/ho-so-nhap/{draft.token}/",
        f"/nop-truc-tuyen/ho-so-nhap/{draft.token}/nop/",
        f"/ho-so-cua-toi/{dossier.code}/",
        f"/kho-du-lieu/{item.pk}/tep/",
    ]
    for url in urls:
        assert van.get(url).status_code in (200, 302), url
        assert manh.get(url).status_code == 404, url
        anonymous = Client().get(url)
        assert anonymous.status_code == 302 and anonymous["Location"].startswith("/tai-khoan/dang-nhap/"), url
    pdf = SimpleUploadedFile("x.pdf", samples.one_page_pdf())
    assert (
        manh.post(f"/nop-truc-tuyen/ho-so-nhap/{draft.token}/", {"action": "upload", "file": pdf}).status_code
        == 404
    )
    assert manh.post(f"/kho-du-lieu/{item.pk}/go/").status_code == 404
    assert manh.post(f"/ho-so-cua-toi/{dossier.code}/bo-sung/", {"version": 1}).status_code == 404
    # picking someone else's document into one's own draft finds nothing
    manh.get("/nop-truc-tuyen/1.001193/")
    mine = Draft.objects.get(account__person__citizen_id=MANH)
    component = mine.version.components.get(name="Giấy chứng sinh")
    picked = manh.post(
        f"/nop-truc-tuyen/ho-so-nhap/{mine.token}/",
        {"action": "pick", "component": component.pk, "item": item.pk},
    )
    assert picked.status_code == 404 and Draft.objects.get(pk=mine.pk).documents == {}
    assert dossier.code not in manh.get("/ho-so-cua-toi/").content.decode()


def test_identity_provider_refusals_are_pages_never_errors(client, w, servers, settings):
    cancelled = client.get("/tai-khoan/dang-nhap/dinh-danh/ve/", {"error": "access_denied", "state": "x"})
    assert cancelled.status_code == 400 and "hủy đăng nhập" in cancelled.content.decode()
    forged = client.get("/tai-khoan/dang-nhap/dinh-danh/ve/", {"code": "ma-gia", "state": "khong-co"})
    assert forged.status_code == 400 and "đăng nhập lại" in forged.content.decode()
    assert not Account.objects.exists()
    settings.MOTCUA_OIDC_ISSUER = "http://127.0.0.1:9"  # nobody listens
    down = client.get("/tai-khoan/dang-nhap/dinh-danh/")
    assert down.status_code == 503 and "không trả lời" in down.content.decode()
