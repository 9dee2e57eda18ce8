"""The dossier screens of the staff workspace: inboxes, search, counter intake, the dossier page.

Time is frozen on Monday 09/03/2026 09:00 (no day off that month): the test procedure takes 3 working
days, so a dossier received then is due Thursday 12/03/2026 at 17:00. Its workflow: tiep-nhan
(one-stop) → tham-dinh (specialist) → trinh-ky (division leader) → ky-ban-hanh (agency leader) →
tra-ket-qua (one-stop).
"""

from __future__ import annotations

import hashlib
import re

import pytest
import time_machine
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from motcua.core.models import Organisation, Person, Role
from motcua.dossiers import forms as fd
from motcua.dossiers import rules
from motcua.dossiers import services as s
from motcua.dossiers.models import (
    Channel,
    Consultation,
    Dossier,
    DossierComponent,
    DossierEvent,
    DossierFee,
    ResultDelivery,
)
from motcua.dossiers.tests import factories as df
from motcua.dossiers.tests.factories import at

pytestmark = pytest.mark.django_db

NOW = at(2026, 3, 9, 9, 0)
INBOX = "/can-bo/ho-so/"
INTAKE = "/can-bo/ho-so/tiep-nhan/"


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def w(frozen):
    return df.world()


def page(client, user, url: str, **extra):
    client.force_login(user)
    return client.get(url, **extra)


def html(response) -> str:
    return response.content.decode()


def listed(response) -> list[str]:
    """The dossier codes a list shows (its rows, not the search box or the language switcher)."""
    return re.findall(r"data-row-link>([^<]+)</a>", html(response))


def detail_url(d: Dossier) -> str:
    return f"/can-bo/ho-so/{d.code}/"


def action_url(d: Dossier, action: str) -> str:
    return f"/can-bo/ho-so/{d.code}/thao-tac/{action}/"


def at_appraisal(w, n: int = 1) -> list[Dossier]:
    """``n`` dossiers received at ward A and handed to the appraisal step (lock_version 2)."""
    out = []
    for _ in range(n):
        d = df.receive(w)
        out.append(s.hand_over(d.code, by=w.intake_a, expected_version=1))
    return out


# -- access --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [INBOX, "/can-bo/ho-so/tim/?q=x", INTAKE, "/can-bo/ho-so/menu/", "/can-bo/ho-so/x-260309-0001/"],
)
def test_dossier_pages_need_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/can-bo/dang-nhap/" in response["Location"]


def test_each_role_finds_the_dossier_in_its_box_and_opens_it(client, w):
    d = df.receive(w)
    inbox = html(page(client, w.intake_a, INBOX + "?box=can-xu-ly"))
    assert d.code in inbox
    assert "Chờ tiếp nhận" in inbox and "Chờ trả kết quả" in inbox  # the intake officer's boxes
    s.hand_over(d.code, by=w.intake_a, expected_version=1)
    assert d.code in html(page(client, w.specialist_a, INBOX + "?box=can-xu-ly"))
    s.hand_over(d.code, by=w.specialist_a, expected_version=2)
    assert d.code in html(page(client, w.leader_a, INBOX + "?box=cho-duyet"))
    s.hand_over(d.code, by=w.leader_a, expected_version=3)
    assert d.code in html(page(client, w.head_a, INBOX + "?box=cho-ky"))
    s.mark_result_ready(d.code, by=w.head_a, expected_version=4)
    returning = html(page(client, w.intake_a, INBOX + "?box=cho-tra"))
    assert d.code in returning and "9 · Đã xử lý xong" in returning
    for user in (w.intake_a, w.specialist_a, w.leader_a, w.head_a, w.clerk_a, w.supervisor):
        response = page(client, user, detail_url(d))
        assert response.status_code == 200, user
        assert d.code in html(response) and "Lịch sử xử lý" in html(response)


def test_inbox_rows_show_the_clock_in_words_and_the_national_status(client, w):
    (d,) = at_appraisal(w)
    text = html(page(client, w.specialist_a, INBOX + "?box=can-xu-ly"))
    assert "12/03/2026 17:00" in text  # the due moment
    assert "Còn 3 ngày" in text and "clock-ok" in text  # time left, in words and colour
    assert "4 · Đang xử lý" in text and "Bước tham-dinh" in text
    with time_machine.travel(at(2026, 3, 13, 9, 0), tick=False):
        late = html(page(client, w.specialist_a, INBOX + "?box=qua-han"))
    assert d.code in late and "Quá hạn 1 giờ" in late and "clock-over" in late


def test_an_officer_of_another_ward_gets_404_and_never_sees_the_dossier(client, w):
    (d,) = at_appraisal(w)
    for user in (w.intake_b, w.specialist_b):
        response = page(client, user, detail_url(d))
        assert response.status_code == 404
        assert "Không tìm thấy hồ sơ" in html(response)
        for box in ("can-xu-ly", "sap-den-han", "qua-han", "tat-ca", "cho-tra", "cho-tiep-nhan"):
            assert listed(page(client, user, f"{INBOX}?box={box}")) == []
        assert listed(page(client, user, f"/can-bo/ho-so/tim/?q={d.code}")) == []
        assert listed(page(client, user, "/can-bo/ho-so/tim/?q=nguyen thi hong")) == []
        posted = client.post(action_url(d, "hand_over"), {"hand_over-expected_version": 2})
        assert posted.status_code == 404
    assert DossierEvent.objects.filter(dossier=d).count() == 2
    assert listed(page(client, w.intake_a, f"/can-bo/ho-so/tim/?q={d.code}")) == [d.code]


def test_only_the_actions_allowed_are_offered(client, w):
    d = df.receive(w)
    intake = html(page(client, w.intake_a, detail_url(d)))
    assert 'id="act-hand_over"' in intake and 'id="act-withdraw"' in intake
    assert 'id="act-return_result"' not in intake and 'id="act-refuse_after_appraisal"' not in intake
    specialist = html(page(client, w.specialist_a, detail_url(d)))
    assert 'id="act-request_supplement"' in specialist
    assert 'id="act-hand_over"' not in specialist  # the first step is the one-stop's
    assert 'id="act-stop"' not in specialist and 'id="act-assign"' not in specialist
    supervisor = html(page(client, w.supervisor, detail_url(d)))
    assert "act-" not in supervisor and "Bạn không có thao tác nào" in supervisor


@pytest.mark.parametrize(
    ("user", "action", "data", "status", "message"),
    [
        ("specialist_a", "return_result", {}, 409, "Không thể “trả kết quả”"),
        (
            "specialist_a",
            "refuse_after_appraisal",
            {"reasons": "Không đủ điều kiện"},
            403,
            "Bạn không có quyền",
        ),
        ("supervisor", "hand_over", {}, 403, "Bạn không có quyền"),
    ],
)
def test_posting_an_action_not_offered_is_refused_with_its_status(
    client, w, user, action, data, status, message
):
    d = df.receive(w)
    client.force_login(getattr(w, user))
    body = {f"{action}-expected_version": 1, **{f"{action}-{k}": v for k, v in data.items()}}
    response = client.post(action_url(d, action), body)
    assert response.status_code == status
    assert message in html(response) and 'data-testid="action-error"' in html(response)
    assert DossierEvent.objects.filter(dossier=d).count() == 1


def test_a_stale_version_is_a_409_with_a_reload_link_and_no_second_event(client, w):
    d = df.receive(w)
    s.hand_over(d.code, by=w.intake_a, expected_version=1)
    client.force_login(w.head_a)
    response = client.post(
        action_url(d, "assign"),
        {"assign-expected_version": 1, "assign-assignee": w.specialist_a.pk},
    )
    assert response.status_code == 409
    text = html(response)
    assert "Hồ sơ vừa được người khác cập nhật" in text
    assert f'href="{detail_url(d)}"' in text and "Tải lại hồ sơ" in text
    assert DossierEvent.objects.filter(dossier=d).count() == 2
    assert Dossier.objects.get(pk=d.pk).assignee_id is None


def test_an_action_posts_redirects_and_shows_what_happened(client, w):
    d = df.receive(w)
    client.force_login(w.intake_a)
    response = client.post(
        action_url(d, "hand_over"),
        {"hand_over-expected_version": 1, "hand_over-assignee": w.specialist_a.pk, "hand_over-note": "Đủ"},
    )
    assert response.status_code == 302 and response["Location"] == detail_url(d)
    shown = html(client.get(response["Location"]))
    assert "Đã chuyển hồ sơ" in shown and w.specialist_a.full_name in shown
    fresh = Dossier.objects.get(pk=d.pk)
    assert (fresh.lock_version, fresh.assignee_id, fresh.current_step.code) == (
        2,
        w.specialist_a.pk,
        "tham-dinh",
    )


def test_a_form_error_is_a_400_with_an_error_summary_and_changes_nothing(client, w):
    (d,) = at_appraisal(w)
    client.force_login(w.specialist_a)
    response = client.post(
        action_url(d, "request_supplement"),
        {
            "request_supplement-expected_version": 2,
            "request_supplement-items": " ",
            "request_supplement-reasons": "",
        },
    )
    assert response.status_code == 400
    text = html(response)
    assert "Có lỗi cần sửa" in text and 'href="#id_request_supplement-items"' in text
    assert "<details" in text and 'id="act-request_supplement" open' in text
    assert DossierEvent.objects.filter(dossier=d).count() == 2


def test_a_domain_refusal_shows_the_service_message_with_its_status(client, w):
    (d,) = at_appraisal(w)
    with time_machine.travel(at(2026, 3, 13, 9, 0), tick=False):  # after the 3-working-day window
        client.force_login(w.specialist_a)
        response = client.post(
            action_url(d, "request_supplement"),
            {
                "request_supplement-expected_version": 2,
                "request_supplement-items": "Bản sao giấy khai sinh",
                "request_supplement-reasons": "Thiếu",
            },
        )
    assert response.status_code == 409
    assert "Đã quá thời hạn yêu cầu bổ sung" in html(response)
    assert "supplement_window_closed" in html(response)


def test_supplement_is_requested_and_received_through_the_page_and_the_due_moves(
    client, w, _documents_storage
):
    (d,) = at_appraisal(w)
    client.force_login(w.specialist_a)
    response = client.post(
        action_url(d, "request_supplement"),
        {
            "request_supplement-expected_version": 2,
            "request_supplement-items": "Bản sao giấy khai sinh\nẢnh 4x6",
            "request_supplement-reasons": "Thiếu giấy tờ",
        },
    )
    assert response.status_code == 302
    text = html(page(client, w.specialist_a, detail_url(d)))
    assert "Tạm dừng, chờ bổ sung" in text and "5 · Yêu cầu bổ sung giấy tờ" in text
    with time_machine.travel(at(2026, 3, 10, 14, 0), tick=False):
        client.force_login(w.intake_a)
        scan = SimpleUploadedFile("giay-khai-sinh.pdf", b"%PDF-1.4 demo", content_type="application/pdf")
        response = client.post(
            action_url(d, "receive_supplement"),
            {
                "receive_supplement-expected_version": 3,
                "receive_supplement-doc_name": "Bản sao giấy khai sinh",
                "receive_supplement-doc_kind": "copy",
                "receive_supplement-doc_quantity": 1,
                "receive_supplement-doc_file": scan,
            },
        )
    assert response.status_code == 302
    fresh = Dossier.objects.get(pk=d.pk)
    assert fresh.due_at == at(2026, 3, 13, 17, 0)  # the limit restarts on Tuesday 14:00
    shown = html(client.get(detail_url(d)))
    assert "Hạn trả kết quả mới: 17:00 13/03/2026" in shown
    doc = DossierComponent.objects.get(dossier=d, supplement__isnull=False)
    # kept on the documents' storage under its hash, with who digitised it and when (766 group 4)
    digest = hashlib.sha256(b"%PDF-1.4 demo").hexdigest()
    assert doc.file.name == f"scans/{digest[:2]}/{digest[2:4]}/{digest}.pdf" and doc.file_sha256 == digest
    assert (doc.file_size, doc.file_pages) == (13, 1)
    assert doc.digitised and doc.digitised_by == w.intake_a and doc.digitised_at == at(2026, 3, 10, 14, 0)
    served = client.get(f"/can-bo/ho-so/{d.code}/tep/{doc.pk}/")
    assert served.status_code == 200 and served["Content-Type"] == "application/pdf"
    assert served.content == b"%PDF-1.4 demo" and served["Cache-Control"] == "private, no-store"
    client.force_login(w.intake_b)
    assert client.get(f"/can-bo/ho-so/{d.code}/tep/{doc.pk}/").status_code == 404
    # bytes changed on the storage are never served
    (_documents_storage / doc.file.name).write_bytes(b"%PDF-1.4 altered")
    client.force_login(w.intake_a)
    assert client.get(f"/can-bo/ho-so/{d.code}/tep/{doc.pk}/").status_code == 404


def test_a_scan_that_is_not_what_its_name_says_is_refused(client, w):
    d = df.receive(w)
    s.hand_over(d.code, by=w.intake_a, expected_version=1)
    s.request_supplement(d.code, by=w.specialist_a, expected_version=2, items=["Ảnh"], reasons="Thiếu")
    client.force_login(w.intake_a)
    fake = SimpleUploadedFile("anh.png", b"MZ\x90\x00 not an image", content_type="image/png")
    response = client.post(
        action_url(d, "receive_supplement"),
        {
            "receive_supplement-expected_version": 3,
            "receive_supplement-doc_name": "Ảnh",
            "receive_supplement-doc_kind": "original",
            "receive_supplement-doc_quantity": 1,
            "receive_supplement-doc_file": fake,
        },
    )
    assert response.status_code == 400 and "Nội dung tệp không phải PNG" in html(response)
    assert Dossier.objects.get(pk=d.pk).state == "awaiting_supplement"


def test_consultation_is_requested_and_answered_by_the_consulted_unit(client, w):
    (d,) = at_appraisal(w)
    client.force_login(w.specialist_a)
    text = html(client.get(detail_url(d)))
    assert "lấy ý kiến lần lượt" in text  # a paper dossier: sequential
    response = client.post(
        action_url(d, "request_consultation"),
        {
            "request_consultation-expected_version": 2,
            "request_consultation-unit_1": w.justice.pk,
            "request_consultation-days_1": 2,
            "request_consultation-question": "Xác minh tình trạng hôn nhân",
        },
    )
    assert response.status_code == 302
    consultation = Consultation.objects.get(dossier=d)
    box = html(page(client, w.justice_specialist, INBOX + "?box=xin-y-kien"))
    assert d.code in box
    text = html(client.get(detail_url(d)))
    assert 'id="act-answer_consultation"' in text and "Xác minh tình trạng hôn nhân" in text
    response = client.post(
        action_url(d, "answer_consultation"),
        {
            "answer_consultation-expected_version": 3,
            "answer_consultation-consultation": consultation.pk,
            "answer_consultation-answer": "Chưa đăng ký kết hôn tại Sở.",
        },
    )
    assert response.status_code == 302
    assert listed(client.get(INBOX + "?box=xin-y-kien")) == []
    assert "Chưa đăng ký kết hôn tại Sở." in html(client.get(detail_url(d)))


def test_reset_due_shows_the_rule_and_works_once(client, w):
    (d,) = at_appraisal(w)
    client.force_login(w.head_a)
    text = html(client.get(detail_url(d)))
    assert "Chỉ được hẹn lại 1 lần (đã hẹn 0 lần)" in text and "Điều 19.9" in text
    response = client.post(
        action_url(d, "reset_due"),
        {
            "reset_due-expected_version": 2,
            "reset_due-new_due": "16/03/2026",
            "reset_due-reason": "Chờ xác minh",
        },
    )
    assert response.status_code == 302
    assert Dossier.objects.get(pk=d.pk).promised_at == at(2026, 3, 16, 17, 0)  # the statutory due stays
    text = html(client.get(detail_url(d)))
    assert "Hồ sơ đã dùng hết số lần hẹn lại" in text and "Chờ xác minh" in text
    again = client.post(
        action_url(d, "reset_due"),
        {"reset_due-expected_version": 3, "reset_due-new_due": "17/03/2026", "reset_due-reason": "Lần hai"},
    )
    assert again.status_code == 409 and "chỉ được hẹn lại 1 lần" in html(again)


def test_payment_is_requested_line_by_line_and_confirmed_at_the_counter(client, w):
    (d,) = at_appraisal(w)
    client.force_login(w.specialist_a)
    response = client.post(
        action_url(d, "request_payment"),
        {
            "request_payment-expected_version": 2,
            "request_payment-fee_name_1": "Lệ phí cấp bản sao",
            "request_payment-fee_amount_1": 8000,
            "request_payment-fee_kind_1": "fee",
            "request_payment-fee_amount_2": 5000,  # an amount without a name
        },
    )
    assert response.status_code == 400 and 'href="#id_request_payment-fee_name_2"' in html(response)
    response = client.post(
        action_url(d, "request_payment"),
        {
            "request_payment-expected_version": 2,
            "request_payment-fee_name_1": "Lệ phí cấp bản sao",
            "request_payment-fee_amount_1": 8000,
            "request_payment-fee_kind_1": "fee",
        },
    )
    assert response.status_code == 302
    assert "6 · Yêu cầu thực hiện nghĩa vụ tài chính" in html(client.get(detail_url(d)))
    client.force_login(w.intake_a)
    response = client.post(
        action_url(d, "confirm_payment"),
        {"confirm_payment-expected_version": 3, "confirm_payment-receipt_ref": "BL-0042"},
    )
    assert response.status_code == 302
    fee = DossierFee.objects.get(dossier=d, name="Lệ phí cấp bản sao")
    assert fee.paid and fee.receipt_ref == "BL-0042" and fee.amount_vnd == 8000
    assert "8.000 đ" in html(client.get(detail_url(d)))


def test_hand_over_offers_only_people_holding_the_next_steps_role(client, w):
    d = df.receive(w)
    text = html(page(client, w.intake_a, detail_url(d)))
    form = text.split('id="act-hand_over"')[1].split("</details>")[0]
    assert w.specialist_a.full_name in form and w.specialist_a2.full_name in form
    assert w.specialist_b.full_name not in form and w.leader_a.full_name not in form
    client.force_login(w.intake_a)
    response = client.post(
        action_url(d, "hand_over"), {"hand_over-expected_version": 1, "hand_over-assignee": w.leader_a.pk}
    )
    assert response.status_code == 400  # not a choice of the form
    assert DossierEvent.objects.filter(dossier=d).count() == 1


# -- counter intake -------------------------------------------------------------------------------


def intake_data(w, **overrides) -> dict:
    data = {
        "procedure": "1.001193",
        "receiving_unit": w.ward_a.pk,
        "competent_unit": w.ward_a.pk,
        "applicant_kind": "person",
        "citizen_id": "031090001234",
        "full_name": "Trần Văn Bình",
        "birth_date": "12/05/1990",
        "phone": "0912345678",
        "address": "Số 1 Lạch Tray",
        "channel": Channel.COUNTER,
        "result_delivery": ResultDelivery.COUNTER,
        "other_quantity": 1,
        "other_kind": "copy",
    }
    for c in w.version.components.all():
        data[f"c{c.pk}_received"] = "on"
        data[f"c{c.pk}_kind"] = c.kind
        data[f"c{c.pk}_quantity"] = 1
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def stored() -> tuple[int, int, int, int]:
    return (
        Dossier.objects.count(),
        Person.objects.count(),
        DossierEvent.objects.count(),
        DossierComponent.objects.count(),
    )


def test_intake_needs_an_intake_officer(client, w):
    response = page(client, w.specialist_a, INTAKE)
    assert response.status_code == 403 and "Bộ phận Một cửa" in html(response)


def test_intake_finds_the_procedure_without_diacritics(client, w):
    text = html(page(client, w.intake_a, INTAKE + "?q=dang ky khai sinh"))
    assert "?procedure=1.001193" in text
    partial = page(client, w.intake_a, INTAKE + "?q=khai sinh", HTTP_HX_REQUEST="true")
    assert "<html" not in html(partial) and "1.001193" in html(partial)
    assert page(client, w.intake_a, INTAKE + "?procedure=9.999999").status_code == 404


def test_intake_shows_the_due_moment_before_confirming_and_stores_exactly_that(client, w, frozen):
    frozen.move_to(at(2026, 3, 9, 15, 30))  # after the 15:00 cut-off: counts from Tuesday
    text = html(page(client, w.intake_a, INTAKE + "?procedure=1.001193"))
    assert 'data-testid="due-preview">17:00 ngày 13/03/2026' in text
    assert "thời hạn tính từ 07:30 10/03/2026" in text
    partial = html(
        page(
            client,
            w.intake_a,
            f"/can-bo/ho-so/tiep-nhan/han-tra/?procedure=1.001193&competent_unit={w.ward_a.pk}",
            HTTP_HX_REQUEST="true",
        )
    )
    assert "17:00 ngày 13/03/2026" in partial and "<html" not in partial
    response = client.post(INTAKE, intake_data(w))
    assert response.status_code == 302
    d = Dossier.objects.get()
    assert response["Location"] == detail_url(d)
    assert d.due_at == at(2026, 3, 13, 17, 0)
    assert d.applicant_person.full_name == "Trần Văn Bình" and d.state == "received"
    shown = html(client.get(response["Location"]))
    assert f"Đã tiếp nhận hồ sơ {d.code}" in shown and "17:00 13/03/2026" in shown


def test_intake_with_a_bad_cccd_is_a_400_with_the_field_error_and_stores_nothing(client, w):
    before = stored()
    client.force_login(w.intake_a)
    response = client.post(INTAKE, intake_data(w, citizen_id="03109000123"))
    assert response.status_code == 400
    text = html(response)
    assert "Có lỗi cần sửa" in text and 'href="#id_citizen_id"' in text
    assert "phải gồm đúng 12 chữ số" in text and 'aria-invalid="true"' in text
    assert stored() == before


def test_intake_refuses_a_missing_required_component_and_stores_nothing(client, w):
    first = w.version.components.order_by("order").first()
    before = stored()
    client.force_login(w.intake_a)
    response = client.post(INTAKE, intake_data(w, **{f"c{first.pk}_received": None}))
    assert response.status_code == 400
    assert f'href="#id_c{first.pk}_received"' in html(response) and "bắt buộc phải nộp" in html(response)
    assert stored() == before


def test_intake_reuses_a_known_applicant_and_takes_an_organisation_by_tax_code(client, w):
    client.force_login(w.intake_a)
    lookup = html(client.get(f"/can-bo/ho-so/tiep-nhan/nguoi-nop/?citizen_id={df.CITIZEN_ID}"))
    assert "Đã có trong hệ thống" in lookup and w.person.full_name in lookup
    assert "12 chữ số" in html(client.get("/can-bo/ho-so/tiep-nhan/nguoi-nop/?citizen_id=123"))
    response = client.post(INTAKE, intake_data(w, citizen_id=df.CITIZEN_ID, full_name="", birth_date=""))
    assert response.status_code == 302
    assert Dossier.objects.get().applicant_person == w.person and Person.objects.count() == 1
    response = client.post(
        INTAKE,
        intake_data(
            w, applicant_kind="organisation", tax_code="0209999999", org_name="HTX Vận tải Biển Đông"
        ),
    )
    assert response.status_code == 302
    assert Organisation.objects.get(tax_code="0209999999").dossiers.count() == 1


def test_intake_refuses_a_unit_that_does_not_implement_the_procedure(client, w):
    w.version.implementing_units.set([w.ward_b])
    before = stored()
    client.force_login(w.intake_a)
    response = client.post(INTAKE, intake_data(w))  # ward A is not a choice any more
    assert response.status_code == 400 and 'href="#id_competent_unit"' in html(response)
    assert stored() == before


# -- HTMX partials, navigation, search -----------------------------------------------------------


def test_htmx_requests_get_only_the_table(client, w):
    at_appraisal(w, 2)
    full = page(client, w.specialist_a, INBOX + "?box=can-xu-ly")
    partial = client.get(INBOX + "?box=can-xu-ly&channel=1", HTTP_HX_REQUEST="true")
    assert "<html" in html(full) and 'id="nav-dossiers"' in html(full)
    assert partial.status_code == 200 and "<html" not in html(partial)
    assert html(partial).count("data-row-link") == 2 and 'id="dossier-table"' in html(partial)
    empty = client.get(INBOX + "?box=can-xu-ly&channel=3", HTTP_HX_REQUEST="true")
    assert "Không có hồ sơ nào" in html(empty)
    bad = client.get(INBOX + "?box=can-xu-ly&date_from=10/03/2026&date_to=09/03/2026", HTTP_HX_REQUEST="true")
    assert bad.status_code == 400 and "Đến ngày" in html(bad) and "<html" not in html(bad)
    assert client.get(INBOX + "?box=khong-co").status_code == 400
    assert client.get(INBOX + "?box=can-xu-ly&page=rac").status_code == 400


def test_nav_and_home_counts_are_partials_with_the_users_boxes(client, w):
    at_appraisal(w, 2)
    nav = html(page(client, w.specialist_a, "/can-bo/ho-so/menu/"))
    assert "<html" not in nav and "Cần xử lý" in nav and re.search(r'class="count">2<', nav)
    assert "Chờ ký" not in nav and "Tiếp nhận hồ sơ" not in nav  # not the specialist's
    intake = html(page(client, w.intake_a, "/can-bo/ho-so/menu/"))
    assert "Tiếp nhận hồ sơ" in intake and "Chờ trả kết quả" in intake
    counts = html(page(client, w.specialist_a, "/can-bo/ho-so/so-luong/"))
    assert "Cần xử lý" in counts and ">2<" in counts
    home = html(client.get("/can-bo/"))
    assert 'hx-get="/can-bo/ho-so/so-luong/"' in home and 'hx-get="/can-bo/ho-so/menu/"' in home


def test_keyset_pages_link_to_the_next_page(client, w, monkeypatch):
    from motcua.dossiers.views import boxes

    monkeypatch.setattr(boxes, "PAGE_SIZE", 2)
    dossiers = at_appraisal(w, 3)
    client.force_login(w.specialist_a)
    first = html(client.get(INBOX + "?box=can-xu-ly&sort=received_at"))
    assert dossiers[0].code in first and dossiers[2].code not in first
    link = re.search(r'href="(/can-bo/ho-so/\?[^"]*page=[^"]+)" hx-get', first).group(1).replace("&amp;", "&")
    second = html(client.get(link))
    assert dossiers[2].code in second and dossiers[0].code not in second and "Về đầu danh sách" in second


def test_search_by_code_id_number_and_name_without_diacritics(client, w):
    d = df.receive(w)
    client.force_login(w.intake_a)
    for q in (d.code, df.CITIZEN_ID, "nguyen thi hong nhung", "NGUYỄN nhung"):
        assert d.code in html(client.get("/can-bo/ho-so/tim/", {"q": q})), q
    partial = client.get("/can-bo/ho-so/tim/", {"q": "nhung"}, HTTP_HX_REQUEST="true")
    assert "<html" not in html(partial) and d.code in html(partial)
    assert listed(client.get("/can-bo/ho-so/tim/", {"q": "le van tam"})) == []


# -- cost ----------------------------------------------------------------------------------------


def queries(client, url: str, **extra) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **extra)
    assert response.status_code == 200
    return len(ctx.captured_queries)


# The tables an inbox page reads for its lists and counts (not the session, the user, the calendar).
INBOX_TABLES = (
    '"dossiers_dossier"',
    '"core_roleassignment"',
    '"catalogue_workflowstep"',
    '"catalogue_procedure"',
)


def inbox_queries(client, url: str, **extra) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **extra)
    assert response.status_code == 200
    return sum(1 for q in ctx.captured_queries if any(t in q["sql"] for t in INBOX_TABLES))


@pytest.mark.parametrize(
    ("box", "who", "when"),
    [
        ("can-xu-ly", "specialist_a", NOW),
        ("sap-den-han", "leader_a", at(2026, 3, 11, 17, 0)),
        ("qua-han", "head_a", at(2026, 3, 13, 9, 0)),
        ("tat-ca", "supervisor", NOW),
        ("xin-y-kien", "justice_specialist", NOW),
        ("cho-ky", "head_a", NOW),
        ("cho-duyet", "leader_a", NOW),
    ],
)
def test_an_inbox_page_costs_the_same_queries_for_3_and_30_dossiers(client, w, frozen, box, who, when):
    client.force_login(getattr(w, who))

    def make(n: int) -> None:
        frozen.move_to(NOW)
        for d in at_appraisal(w, n):
            if box == "xin-y-kien":
                s.request_consultation(
                    d.code,
                    by=w.specialist_a,
                    expected_version=2,
                    targets=[s.ConsultationTarget(unit=w.justice, working_days=2)],
                    question="Xác minh",
                )
            if box in ("cho-duyet", "cho-ky"):
                s.hand_over(d.code, by=w.specialist_a, expected_version=2)
            if box == "cho-ky":
                s.hand_over(d.code, by=w.leader_a, expected_version=3)
        frozen.move_to(when)

    url = f"{INBOX}?box={box}"
    make(3)
    client.force_login(getattr(w, who))  # sessions last 8 hours; the clock moved
    client.get(url)  # the calendar and the rules are cached once per process
    small = queries(client, url)
    # The user's units with the steps of their roles, the page, the names on it, every box count at
    # once and the procedure list of the filter: the same for every box. The counts are then kept
    # (dossiers.boxcache) until a write changes them: one query fewer.
    cache.clear()
    assert inbox_queries(client, url) == 5
    assert inbox_queries(client, url) == 4
    # An HTMX request (a filter, the next page) renders the table only: no counts, no procedure list.
    assert inbox_queries(client, url, HTTP_HX_REQUEST="true") == 3
    make(27)
    large = queries(client, url)
    assert small == large
    cache.clear()
    assert inbox_queries(client, url) == 5
    assert len(listed(client.get(url))) == 30


def test_the_side_navigation_counts_cost_one_query_whatever_the_boxes(client, w, frozen):
    at_appraisal(w, 3)
    for user, expected in ((w.specialist_a, 2), (w.intake_a, 3), (w.supervisor, 2)):
        client.force_login(user)
        client.get("/can-bo/ho-so/menu/")
        # The units with the steps of the user's roles, then all the counts; an intake officer's
        # one-stop desk is one more. Counted once, the counts come from the cache until a write.
        cache.clear()
        assert inbox_queries(client, "/can-bo/ho-so/menu/") == expected, user
        assert inbox_queries(client, "/can-bo/ho-so/so-luong/") == expected - 1, user
        cache.clear()
        assert inbox_queries(client, "/can-bo/ho-so/so-luong/") == expected, user


def test_counts_are_shown_up_to_the_limit(client, w, monkeypatch):
    from motcua.dossiers import selectors

    at_appraisal(w, 3)
    client.force_login(w.specialist_a)
    assert re.search(r'class="count">3<', html(client.get("/can-bo/ho-so/menu/")))
    monkeypatch.setattr(selectors, "COUNT_LIMIT", 3)
    nav = html(client.get("/can-bo/ho-so/menu/"))
    assert re.search(r'class="count">2\+<', nav)
    assert '<span class="n">2+</span>' in html(client.get("/can-bo/ho-so/so-luong/"))


def test_the_dossier_page_costs_the_same_queries_for_3_and_30_events(client, w):
    d = df.receive(w)
    s.hand_over(d.code, by=w.intake_a, expected_version=1)
    s.assign(d.code, by=w.head_a, expected_version=2, assignee=w.specialist_a)  # 3 events
    client.force_login(w.head_a)
    client.get(detail_url(d))  # the calendar and the rules are cached once per process
    small = queries(client, detail_url(d))
    version = 3
    for i in range(27):
        who = w.specialist_a2 if i % 2 == 0 else w.specialist_a
        s.assign(d.code, by=w.head_a, expected_version=version, assignee=who)
        version += 1
    large = queries(client, detail_url(d))
    assert small == large
    assert DossierEvent.objects.filter(dossier=d).count() == 30


# -- labels ----------------------------------------------------------------------------------------


def test_screen_labels_say_in_vietnamese_what_the_domain_says():
    with translation.override("vi"):
        assert {k: str(v) for k, v in fd.STATE_TEXT.items()} == {k: v for k, v in rules.STATE_LABELS.items()}
        assert {k: str(v) for k, v in fd.NATIONAL_TEXT.items()} == rules.NATIONAL_STATUS_LABELS
        assert {k: str(v) for k, v in fd.ACTION_TEXT.items()} == {
            k: v for k, v in rules.ACTION_LABELS.items()
        }
        assert {k: str(v) for k, v in fd.CHANNEL_TEXT.items()} == dict(Channel.choices)
        assert {k: str(v) for k, v in fd.DELIVERY_TEXT.items()} == dict(ResultDelivery.choices)
        assert {k: str(v) for k, v in fd.KIND_TEXT.items()} == dict(DossierComponent.Kind.choices)
        assert {k: str(v) for k, v in fd.FEE_KIND_TEXT.items()} == dict(DossierFee.Kind.choices)
        assert {k: str(v) for k, v in fd.ROLE_TEXT.items()} == dict(Role.choices)


def test_the_dossier_page_in_english(client, w):
    (d,) = at_appraisal(w)
    client.force_login(w.specialist_a)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    text = html(client.get(detail_url(d)))
    assert "Processing history" in text and "Request a supplement" in text and "In progress" in text
