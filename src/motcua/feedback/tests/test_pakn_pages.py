"""The PAKN pages end to end: a citizen without an account sends one; the ward's officer sees it and
transfers it to the department; the department answers and publishes; the answer is found on the portal
without diacritics and without anyone's personal data; a visitor dislikes it once."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from motcua.dossiers.tests import factories as df
from motcua.feedback import pakn
from motcua.feedback.models import Pakn, Status

pytestmark = pytest.mark.django_db
SEND = "/phan-anh-kien-nghi/gui/"
FORM = {
    "noi_dung_ve": "quy_dinh",
    "tieu_de": "Phải nộp bản sao giấy khai sinh đã có",
    "noi_dung": "Tại quầy một cửa Phường An Biên tôi bị yêu cầu nộp bản sao giấy khai sinh dù đã có dữ liệu.",
    "ho_ten": "Trần Thị Mai",
    "email": "mai.tran@example.vn",
}


@pytest.fixture
def w():
    return df.world()


def _staff(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_pakn_from_the_portal_to_a_published_answer(w):
    citizen = Client()
    assert citizen.get(SEND).status_code == 200
    sent = citizen.post(SEND, {**FORM, "don_vi": w.ward_a.pk})
    assert sent.status_code == 200
    item = Pakn.objects.get()
    assert item.code in sent.content.decode() and item.unit == w.ward_a

    ward, other = _staff(w.intake_a), _staff(w.intake_b)
    assert item.code in ward.get("/can-bo/phan-anh-kien-nghi/").content.decode()
    assert item.code not in other.get("/can-bo/phan-anh-kien-nghi/").content.decode()
    assert other.get(f"/can-bo/phan-anh-kien-nghi/{item.code}/").status_code == 404
    page = ward.get(f"/can-bo/phan-anh-kien-nghi/{item.code}/").content.decode()
    assert "mai.tran@example.vn" in page and "Tiếp nhận" in page  # the sender's contact, for staff only
    ward.post(
        f"/can-bo/phan-anh-kien-nghi/{item.code}/chuyen/",
        {"don_vi": w.justice.pk, "noi_dung": "Quy định thuộc lĩnh vực tư pháp"},
    )
    assert Pakn.objects.get().unit == w.justice
    assert ward.get(f"/can-bo/phan-anh-kien-nghi/{item.code}/").status_code == 404  # no longer theirs

    department = _staff(w.justice_specialist)
    short = department.post(f"/can-bo/phan-anh-kien-nghi/{item.code}/tra-loi/", {"noi_dung": "Ok"})
    assert short.status_code == 302 and Pakn.objects.get().status == Status.RECEIVED  # refused, told why
    department.post(
        f"/can-bo/phan-anh-kien-nghi/{item.code}/tra-loi/",
        {"noi_dung": "Sở Tư pháp đã chấn chỉnh: công dân không phải nộp giấy tờ đã có trong cơ sở dữ liệu."},
    )
    department.post(f"/can-bo/phan-anh-kien-nghi/{item.code}/cong-khai/")
    assert Pakn.objects.get().status == Status.PUBLISHED
    closed = department.get("/can-bo/phan-anh-kien-nghi/", {"loai": "tat-ca"}).content.decode()
    row = closed.split('data-testid="pakn-row"')[1].split("</tr>")[0]
    assert "Đúng hạn" in row and "Quá hạn" not in row  # handled the same day: in time

    listed = Client().get("/phan-anh-kien-nghi/", {"q": "ban sao giay khai sinh"}).content.decode()
    assert item.code in listed and "Sở Tư pháp đã chấn chỉnh" in listed
    for personal in ("Trần Thị Mai", "mai.tran@example.vn", w.justice_specialist.full_name):
        assert personal not in listed
    assert item.code not in Client().get("/phan-anh-kien-nghi/", {"q": "ho chieu"}).content.decode()

    visitor = Client()
    for _ in range(2):
        visitor.post(f"/phan-anh-kien-nghi/{item.code}/danh-gia/", {"gia_tri": "-1"})
    assert (Pakn.objects.get().likes, Pakn.objects.get().dislikes) == (0, 1)  # one voter, one vote


def test_sending_refuses_robots_missing_contacts_and_floods(w, settings):
    citizen = Client(REMOTE_ADDR="10.7.7.7")
    robot = citizen.post(SEND, {**FORM, "don_vi": w.ward_a.pk, "website": "http://spam.example"})
    assert robot.status_code == 200 and not Pakn.objects.exists()  # told nothing, nothing stored
    nameless = citizen.post(SEND, {**FORM, "don_vi": w.ward_a.pk, "email": ""})
    assert nameless.status_code == 422 and "thư điện tử hoặc số điện thoại" in nameless.content.decode()
    wrong = citizen.post(SEND, {**FORM, "don_vi": w.ward_a.pk, "ma_ho_so": "000.11.01.H31-260309-9999"})
    assert wrong.status_code == 422 and "Không tìm thấy hồ sơ" in wrong.content.decode()
    for n in range(3):
        citizen.post(SEND, {**FORM, "don_vi": w.ward_a.pk, "noi_dung": FORM["noi_dung"] + f" Lần {n}."})
    flooded = citizen.post(SEND, {**FORM, "don_vi": w.ward_a.pk, "noi_dung": FORM["noi_dung"] + " Lần 9."})
    assert flooded.status_code == 429 and Pakn.objects.count() == 3  # five tries an hour per address


def test_the_public_list_costs_the_same_queries_for_one_answer_and_for_three(w):
    def publish(n: int) -> None:
        item = pakn.submit(
            subject="quy_dinh",
            title=f"Câu hỏi số {n} về chứng thực",
            content=f"Nội dung câu hỏi số {n} về thủ tục chứng thực bản sao tại phường.",
            unit=w.ward_a,
            sender=pakn.Sender(name="Người hỏi", email=f"hoi{n}@example.vn"),
        )
        item = pakn.answer(item, by=w.intake_a, text="Trả lời chi tiết của phường về thủ tục.")
        pakn.publish(item, by=w.intake_a)

    counts = []
    for total in (1, 3):
        while Pakn.objects.count() < total:
            publish(Pakn.objects.count())
        Client().get("/phan-anh-kien-nghi/")
        with CaptureQueriesContext(connection) as queries:
            html = Client().get("/phan-anh-kien-nghi/").content.decode()
        assert html.count('data-testid="pakn-item"') == total
        counts.append(len(queries))
    assert counts[0] == counts[1]
