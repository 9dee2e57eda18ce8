"""Acceptance: dossiers through the staff workspace, switching officers by signing out and in.

The demo province runs on today's date, so nothing below depends on the time of day: the expected
due moments are computed with the same workdays engine the services use, and the one dossier that
must have been received earlier is received under a travelled clock before anyone signs in.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

import time_machine
from django.utils import timezone

from motcua.catalogue.models import Procedure
from motcua.core.models import OrgUnit, Person, User
from motcua.demo.loader import DEMO_PASSWORD
from motcua.documents.tests.pdftext import picture
from motcua.documents.tests.pdftext import text as pdf_text
from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.workdays.domain import TZ, to_local
from motcua.workdays.services import calendar_for
from tests.browser.conftest import login

PROCEDURE = "1.004873"  # Cấp Giấy xác nhận tình trạng hôn nhân: 3 working days, commune level
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def sign_in(page, username: str) -> None:
    login(page, username, DEMO_PASSWORD)
    page.wait_for_url("**/can-bo/")


def sign_out(page) -> None:
    page.click("header button:has-text('Đăng xuất')")
    page.wait_for_url("**/can-bo/dang-nhap/")


def open_action(page, action: str) -> None:
    """Unfold an action of the dossier page (a <details> element) unless it is open already."""
    if page.get_attribute(f"#act-{action}", "open") is None:
        page.click(f"#act-{action} > summary")


def submit_action(page, action: str) -> None:
    with page.expect_navigation():
        page.click(f"#act-{action} button[type=submit]")


def due_text(moment) -> str:
    local = to_local(moment)
    return f"{local:%H:%M} ngày {local:%d/%m/%Y}"


def user_id(username: str) -> str:
    return str(User.objects.get(username=username).pk)


def listed(page) -> list[str]:
    return [text.strip() for text in page.locator("[data-row-link]").all_inner_texts()]


def no_server_errors(page) -> None:
    assert [e for e in page.console_errors if e.startswith("HTTP")] == []
    assert not [e for e in page.console_errors if "Content Security Policy" in e]


def received_dossier(*, days_ago: int = 0, at_hour: int = 9) -> Dossier:
    """A marriage-status dossier received at Phường Thành Đông, ``days_ago`` working days ago."""
    unit = OrgUnit.objects.get(code="x10507")
    procedure = Procedure.objects.get(code=PROCEDURE)
    person, _ = Person.objects.get_or_create(
        citizen_id="031088004567", defaults={"full_name": "Lê Thị Thu Hằng", "address": "Phường Thành Đông"}
    )
    calendar = calendar_for(unit, timezone.localdate())
    day = timezone.localdate()
    for _ in range(days_ago):
        day -= timedelta(days=1)
        while not calendar.is_working_day(day):
            day -= timedelta(days=1)
    moment = timezone.now()
    if days_ago:
        moment = datetime.combine(day, time(at_hour), tzinfo=TZ)
    components = [
        services.ComponentInput(component_id=c.pk)
        for c in procedure.versions.get().components.all()
        if c.required
    ]
    with time_machine.travel(moment, tick=True):
        return services.receive_at_counter(
            by=User.objects.get(username="thanhdong.motcua"),
            applicant=person,
            procedure=procedure,
            receiving_unit=unit,
            competent_unit=unit,
            components=components,
        )


def test_a_counter_dossier_from_intake_to_return(page, demo, shot):
    # 1. The ward's one-stop officer receives the dossier at the counter.
    sign_in(page, "thanhdong.motcua")
    page.wait_for_selector("#home-counts")
    shot(page, "20-home-with-dossier-counts")
    page.click("nav.staff-nav a:has-text('Tiếp nhận hồ sơ')")
    page.fill("#proc-q", "xac nhan tinh trang hon nhan")
    page.click(f"#procedure-choices a:has-text('{PROCEDURE}')")
    page.wait_for_url(f"**procedure={PROCEDURE}")
    assert page.input_value("#id_competent_unit") == str(OrgUnit.objects.get(code="x10507").pk)
    preview = page.inner_text("[data-testid=due-preview]")
    before = Dossier.objects.count()

    # A citizen ID of 11 digits is refused next to the field, and nothing is stored.
    page.fill("#id_citizen_id", "03109500123")
    page.fill("#id_full_name", "Nguyễn Văn An")
    page.click("button:has-text('Xác nhận tiếp nhận')")
    page.wait_for_selector("[data-error-summary]")
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    assert "12 chữ số" in page.inner_text("[data-error-summary]")
    shot(page, "21-intake-error-summary")
    assert Dossier.objects.count() == before
    page.click("[data-error-summary] a")
    assert page.evaluate("document.activeElement.id") == "id_citizen_id"

    page.fill("#id_citizen_id", "031095007731")
    page.wait_for_selector("#citizen_id-found :text('Chưa có trong hệ thống')")
    page.fill("#id_full_name", "Nguyễn Văn An")
    page.fill("#id_birth_date", "12/04/1995")
    page.fill("#id_phone", "0912 345 678")
    page.fill("#id_address", "Số 12 đường Thanh Niên, phường Thành Đông")
    for label in (
        "Tờ khai cấp Giấy xác nhận tình trạng hôn nhân",
        "Hộ chiếu/Chứng minh nhân dân",
        "Văn bản ủy quyền",
    ):
        page.get_by_label(label).check()
    # a paper dossier: the online e-form is not asked at the counter
    assert "Mẫu hộ tịch điện tử tương tác" not in page.inner_text("table.components")
    page.fill("#id_other_name", "Đơn đề nghị cấp Giấy xác nhận tình trạng hôn nhân")
    page.set_input_files(
        "#id_other_file", files=[{"name": "don-de-nghi.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    shot(page, "22-intake-form-filled")
    page.click("button:has-text('Xác nhận tiếp nhận')")
    page.wait_for_url(re.compile(r".*/can-bo/ho-so/000\.01\.60\.H31-\d{6}-\d{4}/$"))
    dossier = Dossier.objects.get(code=page.url.rstrip("/").rsplit("/", 1)[-1])
    assert Dossier.objects.count() == before + 1
    assert due_text(dossier.due_at) == preview, "the preview showed the due moment the service stored"
    assert f"Đã tiếp nhận hồ sơ {dossier.code}" in page.inner_text(".alert-success")
    assert page.inner_text("[data-testid=due]") == preview
    assert "2 · Được tiếp nhận" in page.inner_text("[data-testid=dossier-status]")
    shot(page, "23-dossier-received")

    # She prints the receipt (Mẫu 01) for the citizen: the PDF says whose, what and until when.
    link = page.locator("[data-testid=print-form-01]")
    assert link.get_attribute("target") == "_blank"
    reply = page.request.get(page.base + link.get_attribute("href"))
    assert reply.status == 200 and reply.headers["content-type"] == "application/pdf"
    said = pdf_text(reply.body())
    picture(reply.body(), "browser-mau-01-thanh-dong")
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in said and "Nguyễn Văn An" in said
    local_due = to_local(dossier.due_at)
    due_words = (
        f"{local_due:%H} giờ {local_due:%M} phút, ngày {local_due:%d} tháng {local_due:%m} năm {local_due:%Y}"
    )
    assert due_words in said

    # 2. She passes it to the appraisal step; the chairman will name the handler.
    open_action(page, "hand_over")
    submit_action(page, "hand_over")
    assert "Đã chuyển hồ sơ" in page.inner_text(".alert-success")
    sign_out(page)

    sign_in(page, "thanhdong.chutich")
    page.goto(page.base + "/can-bo/ho-so/?box=tat-ca")
    page.click(f"a:has-text('{dossier.code}')")
    open_action(page, "assign")
    page.select_option("#id_assign-assignee", user_id("thanhdong.tuphap"))
    shot(page, "24-leader-assigns")
    submit_action(page, "assign")
    assert "Phạm Văn Hộ" in page.inner_text(".alert-success")
    sign_out(page)

    # 3. The specialist finds it in "to process", appraises it and submits it for approval.
    sign_in(page, "thanhdong.tuphap")
    page.goto(page.base + "/can-bo/ho-so/?box=can-xu-ly")
    page.wait_for_selector(f"[data-row-link]:has-text('{dossier.code}')")
    shot(page, "25-specialist-inbox")
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.hasAttribute('data-row-link')")
    page.click(f"[data-row-link]:has-text('{dossier.code}')")
    open_action(page, "hand_over")
    assert "Trình ký, phê duyệt" in page.inner_text("#act-hand_over")
    submit_action(page, "hand_over")
    sign_out(page)

    # 4. The head of the ward's office approves and passes it to the chairman, who signs: the last
    # processing step, then the result is ready.
    sign_in(page, "thanhdong.vanphong")
    page.goto(page.base + "/can-bo/ho-so/?box=cho-duyet")
    page.click(f"a:has-text('{dossier.code}')")
    open_action(page, "hand_over")
    page.select_option("#id_hand_over-assignee", user_id("thanhdong.chutich"))
    submit_action(page, "hand_over")
    sign_out(page)

    sign_in(page, "thanhdong.chutich")
    page.goto(page.base + f"/can-bo/ho-so/{dossier.code}/")
    assert page.locator("#act-hand_over").count() == 0  # no step left to hand over to
    open_action(page, "mark_result_ready")
    shot(page, "26-leader-signs")
    submit_action(page, "mark_result_ready")
    assert "9 · Đã xử lý xong" in page.inner_text("[data-testid=dossier-status]")
    # the result was signed as it was issued: listed with the dossier, verifiable by anyone
    signed = page.inner_text("[data-testid=signed-document]")
    result_code = re.search(r"KQ-[0-9A-Z]{4}(?:-[0-9A-Z]{4}){3}", signed).group(0)
    dossier.refresh_from_db()
    assert dossier.result_code == result_code
    sign_out(page)

    page.goto(page.base + f"/xac-thuc/?ma={result_code}")
    assert "Văn bản hợp lệ" in page.inner_text("[data-testid=verify-verdict]")
    assert len(page.locator("[data-testid=verify-signature]").all()) == 2
    shot(page, "26b-result-verified-by-code")
    original = page.request.get(page.base + f"/xac-thuc/{result_code}/tep.pdf").body()
    tampered = bytearray(original)
    tampered[len(tampered) // 3] ^= 0x01
    for name, content, verdict in (
        ("ket-qua.pdf", original, "Văn bản hợp lệ"),
        ("ket-qua-da-sua.pdf", bytes(tampered), "Văn bản không hợp lệ"),
    ):
        page.goto(page.base + "/xac-thuc/")
        page.set_input_files(
            "input[name=file]", files=[{"name": name, "mimeType": "application/pdf", "buffer": content}]
        )
        with page.expect_navigation():
            page.click("button:has-text('Kiểm tra tệp')")
        assert verdict in page.inner_text("[data-testid=verify-verdict]"), name
    assert "không trùng với bản nào" in page.inner_text("[data-testid=verify-issued]")
    shot(page, "26c-tampered-result-refused")

    # 5. The one-stop officer returns the result.
    sign_in(page, "thanhdong.motcua")
    page.goto(page.base + "/can-bo/ho-so/?box=cho-tra")
    page.click(f"a:has-text('{dossier.code}')")
    open_action(page, "return_result")
    page.check("#id_return_result-notified")
    submit_action(page, "return_result")
    assert "10 · Đã trả kết quả" in page.inner_text("[data-testid=dossier-status]")
    history = page.inner_text("ol.timeline")
    for label in (
        "Trả kết quả",
        "Có kết quả, chuyển trả",
        "Phân công xử lý",
        "Tiếp nhận hồ sơ tại Bộ phận Một cửa",
    ):
        assert label in history
    shot(page, "27-dossier-returned")
    dossier.refresh_from_db()
    assert dossier.state == "returned" and dossier.lock_version == 7
    no_server_errors(page)


def test_supplement_consultation_and_a_new_due_date(page, demo, shot):
    dossier = received_dossier(days_ago=2)
    specialist = User.objects.get(username="thanhdong.tuphap")
    dossier = services.hand_over(
        dossier.code,
        by=User.objects.get(username="thanhdong.motcua"),
        expected_version=1,
        assignee=specialist,
    )
    first_due = dossier.due_at

    # The specialist asks for a supplement: the clock stops.
    sign_in(page, "thanhdong.tuphap")
    page.goto(page.base + f"/can-bo/ho-so/{dossier.code}/")
    open_action(page, "request_supplement")
    page.fill(
        "#id_request_supplement-items", "Bản sao Trích lục ghi chú ly hôn\nGiấy xác nhận nơi cư trú trước đây"
    )
    page.fill("#id_request_supplement-reasons", "Người yêu cầu đã ly hôn; cần giấy tờ chứng minh.")
    submit_action(page, "request_supplement")
    assert "Tạm dừng, chờ bổ sung" in page.inner_text(".dossier-head")
    assert "5 · Yêu cầu bổ sung giấy tờ" in page.inner_text("[data-testid=dossier-status]")
    shot(page, "30-supplement-requested")
    sign_out(page)

    # The applicant brings the documents to the counter: the limit counts again from now.
    sign_in(page, "thanhdong.motcua")
    page.goto(page.base + "/can-bo/ho-so/tim/")
    page.keyboard.press("/")
    page.keyboard.type("le thi thu hang")
    page.wait_for_selector(f"[data-row-link]:has-text('{dossier.code}')")
    page.click(f"a:has-text('{dossier.code}')")
    open_action(page, "receive_supplement")
    page.fill("#id_receive_supplement-doc_name", "Bản sao Trích lục ghi chú ly hôn")
    page.select_option("#id_receive_supplement-doc_kind", "copy")
    page.set_input_files(
        "#id_receive_supplement-doc_file",
        files=[{"name": "trich-luc.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    submit_action(page, "receive_supplement")
    dossier.refresh_from_db()
    assert dossier.due_at > first_due, "the due moment was recomputed from the supplement's receipt"
    assert due_text(dossier.due_at) == page.inner_text("[data-testid=due]")
    assert "Hạn trả kết quả mới" in page.inner_text(".alert-success")
    assert "Xem" in page.inner_text("#components-h + table")
    shot(page, "31-supplement-received")
    sign_out(page)

    # Liên thông: the specialist asks Phường Hải Dương, where the applicant lived before.
    sign_in(page, "thanhdong.tuphap")
    page.goto(page.base + f"/can-bo/ho-so/{dossier.code}/")
    open_action(page, "request_consultation")
    assert "lần lượt" in page.inner_text("#act-request_consultation")
    page.select_option("#id_request_consultation-unit_1", str(OrgUnit.objects.get(code="x10525").pk))
    page.fill("#id_request_consultation-days_1", "2")
    page.fill(
        "#id_request_consultation-question",
        "Đề nghị xác minh tình trạng hôn nhân thời gian cư trú tại phường.",
    )
    submit_action(page, "request_consultation")
    assert "Phường Hải Dương" in page.inner_text("#cons-h + table")
    assert page.locator("#act-mark_result_ready").count() == 0 or "đang chờ ý kiến" in page.inner_text("body")
    sign_out(page)

    sign_in(page, "haiduong.tuphap")
    page.goto(page.base + "/can-bo/ho-so/?box=xin-y-kien")
    page.click(f"a:has-text('{dossier.code}')")
    open_action(page, "answer_consultation")
    page.fill(
        "textarea[name=answer_consultation-answer]",
        "Trong thời gian cư trú tại phường, chưa đăng ký kết hôn.",
    )
    shot(page, "32-consulted-unit-answers")
    submit_action(page, "answer_consultation")
    assert "chưa đăng ký kết hôn" in page.inner_text("#cons-h + table")
    sign_out(page)

    # The chairman apologises and sets a new date (once, at least a working day before the due day).
    sign_in(page, "thanhdong.chutich")
    page.goto(page.base + f"/can-bo/ho-so/{dossier.code}/")
    open_action(page, "reset_due")
    assert "Chỉ được hẹn lại 1 lần (đã hẹn 0 lần)" in page.inner_text("#act-reset_due")
    calendar = calendar_for(dossier.competent_unit, timezone.localdate())
    statutory = dossier.due_at
    new_day: date = calendar.add_working_days(to_local(statutory).date(), 2)
    page.fill("#id_reset_due-new_due", f"{new_day:%d/%m/%Y}")
    page.fill("#id_reset_due-reason", "Chờ kết quả xác minh bổ sung của Phường Hải Dương.")
    submit_action(page, "reset_due")
    dossier.refresh_from_db()
    # the new date is promised to the citizen; the statutory due stays, and the page shows both
    assert to_local(dossier.promised_at).date() == new_day and dossier.due_resets.count() == 1
    assert dossier.due_at == statutory
    assert due_text(statutory) == page.inner_text("[data-testid=due]")
    assert f"17:00 {new_day:%d/%m/%Y}" == page.inner_text("[data-testid=promised]")
    assert f"Ngày hẹn trả mới báo cho người dân: 17:00 {new_day:%d/%m/%Y}" in page.inner_text(
        ".alert-success"
    )
    open_action(page, "reset_due")
    assert "Hồ sơ đã dùng hết số lần hẹn lại" in page.inner_text("#act-reset_due")
    shot(page, "33-due-reset")
    no_server_errors(page)


def test_an_officer_of_another_ward_cannot_open_or_list_the_dossier(page, demo, shot):
    dossier = received_dossier()
    sign_in(page, "haiduong.motcua")
    response = page.goto(page.base + f"/can-bo/ho-so/{dossier.code}/")
    assert response.status == 404
    assert "Không tìm thấy hồ sơ" in page.inner_text("main")
    assert dossier.applicant_name not in page.content()
    shot(page, "40-other-ward-404")
    for box in ("can-xu-ly", "tat-ca", "sap-den-han", "qua-han"):
        page.goto(page.base + f"/can-bo/ho-so/?box={box}")
        assert dossier.code not in listed(page)
    page.goto(page.base + "/can-bo/ho-so/?box=tat-ca")
    assert listed(page), "the officer does see the dossiers of their own ward"
    page.goto(page.base + f"/can-bo/ho-so/tim/?q={dossier.code}")
    assert listed(page) == []
    page.goto(page.base + "/can-bo/ho-so/tim/?q=le thi thu hang")
    assert dossier.code not in listed(page)
    shot(page, "41-other-ward-search-empty")
    sign_out(page)
    sign_in(page, "thanhdong.motcua")
    page.goto(page.base + f"/can-bo/ho-so/tim/?q={dossier.code}")
    assert listed(page) == [dossier.code]

    # The same screens on a tablet held upright.
    page.set_viewport_size({"width": 820, "height": 1180})
    page.goto(page.base + "/can-bo/ho-so/?box=can-xu-ly")
    assert page.locator("[data-row-link]").first.is_visible()
    shot(page, "42-tablet-inbox")
    page.goto(page.base + f"/can-bo/ho-so/{dossier.code}/")
    assert page.locator("#act-hand_over").is_visible()
    shot(page, "43-tablet-dossier")
    no_server_errors(page)


def test_the_chairman_certifies_an_electronic_copy_and_anyone_verifies_it(page, demo, shot):
    """At Phường Thành Đông the demo leaves a dossier of certified copies (2.000815) whose original was
    scanned at the counter and compared by the justice officer: the chairman certifies it on the
    dossier page, the copy is numbered in the ward's book and verifiable at /xac-thuc/."""
    from motcua.documents.models import CertifiedCopy

    waiting = Dossier.objects.exclude(documents__kind="certified_copy").get(
        procedure__code="2.000815", state="in_progress", current_step__code="ky-chung-thuc"
    )
    before = CertifiedCopy.objects.count()
    sign_in(page, "thanhdong.chutich")
    page.goto(page.base + f"/can-bo/ho-so/{waiting.code}/")
    panel = page.inner_text("[data-testid=certify-panel]")
    assert "Phí chứng thực: 2.000 đ/trang" in panel and "Ngân sách hỗ trợ 100%" in panel
    shot(page, "28-chairman-certifies-copy")
    page.fill("#id_certify-copies", "2")
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.click("#act-certify button[type=submit]")
    notice = page.inner_text(".alert-success")
    assert "Đã ký chứng thực bản sao điện tử số" in notice
    code = re.search(r"KQ-[0-9A-Z]{4}(?:-[0-9A-Z]{4}){3}", notice).group(0)
    assert CertifiedCopy.objects.count() == before + 1
    entry = CertifiedCopy.objects.get(document__public_code=code)
    # one page × 2 copies × 2.000 đ, all of it supported by the city's budget in 2026
    assert (entry.copies, entry.fee_vnd, entry.payable_vnd) == (2, 4000, 0)
    open_action(page, "certify")  # folded once every original is certified
    assert "đã chứng thực số" in page.inner_text("[data-testid=certify-panel]")
    assert "Bản sao chứng thực điện tử" in page.inner_text("[data-testid=signed-document]")
    sign_out(page)

    page.set_viewport_size({"width": 390, "height": 844})  # the citizen checks it on a phone
    page.goto(page.base + f"/xac-thuc/{code}/")
    assert "Văn bản hợp lệ" in page.inner_text("[data-testid=verify-verdict]")
    assert f"Số chứng thực {entry.number}, quyển số {entry.book}" in page.inner_text(
        "[data-testid=verify-certification]"
    )
    shot(page, "29-certified-copy-verified-phone")
    copy = page.request.get(page.base + f"/xac-thuc/{code}/tep.pdf").body()
    said = pdf_text(copy)
    assert "Chứng thực bản sao đúng với bản chính." in said and "BẰNG TỐT NGHIỆP ĐẠI HỌC" in said
    picture(copy, "browser-ban-sao-chung-thuc")
    no_server_errors(page)
