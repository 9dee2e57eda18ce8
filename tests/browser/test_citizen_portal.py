"""Acceptance of the citizen portal, on a phone and on a desktop: search → procedure page → sign in
through the local identity provider → the declaration prefilled → upload one document and take another
from the warehouse → submit → pay the fee due at submission → the officer asks for a supplement before
accepting → the citizen supplements → the dossier is returned with a signed result → the result is in
the citizen's warehouse; public tracking of the dossier. Basic WCAG checks on the way: every input has a
label, the keyboard reaches the main actions, text contrast of the portal's colours."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest

from motcua.catalogue.models import Component
from motcua.core.models import Person
from motcua.documents import results, warehouse
from motcua.documents.models import WarehouseItem
from motcua.documents.tests import samples
from motcua.dossiers import services as s
from motcua.dossiers.models import Dossier
from motcua.dossiers.rules import State
from motcua.dossiers.tests import factories as df
from motcua.integrations.simulators import paygate, population, vneid
from motcua.online.tests.conftest import CLIENT_ID, SECRET, VAN, procedure_doc
from tests.browser.conftest import login

PAY_SECRET = "bi-mat-trinh-dien-32-ky-tu-0123456"
STAFF_PASSWORD = "Mat-khau-can-bo-2026"

WCAG = (Path(__file__).parent / "wcag.js").read_text(encoding="utf-8")


def check_page(page) -> None:
    found = page.evaluate(WCAG)
    assert found == {"unlabelled": [], "lowContrast": []}, (page.url, found)


@pytest.fixture
def simulators(live_server, settings):
    provider = vneid.Provider(
        [vneid.Client(CLIENT_ID, SECRET, redirect_prefixes=(live_server.url + "/",))], key=vneid.load_key()
    )
    idp = vneid.make_server("127.0.0.1", 0, provider)
    registry = population.Registry(key="khoa-thu")
    people = population.make_server("127.0.0.1", 0, registry)
    gateway = paygate.Gateway("MOTCUA01", PAY_SECRET, ipn_url=live_server.url + "/thanh-toan/thong-bao/")
    pay = paygate.make_server("127.0.0.1", 0, gateway)
    servers = (idp, people, pay)
    for server in servers:
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    settings.MOTCUA_OIDC_ISSUER = provider.issuer
    settings.MOTCUA_OIDC_CLIENT_ID, settings.MOTCUA_OIDC_CLIENT_SECRET = CLIENT_ID, SECRET
    settings.MOTCUA_POPULATION_URL = f"http://127.0.0.1:{people.server_address[1]}{population.LOOKUP_PATH}"
    settings.MOTCUA_POPULATION_KEY = "khoa-thu"
    base = f"http://127.0.0.1:{pay.server_address[1]}"
    settings.PAYMENT_GATEWAY_URL = f"{base}/paymentv2/vpcpay.html"
    settings.PAYMENT_QUERY_URL = f"{base}/merchant_webapi/api/transaction"
    settings.PAYMENT_MERCHANT, settings.PAYMENT_SECRET = "MOTCUA01", PAY_SECRET
    yield base
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_citizen_submits_online_and_gets_the_signed_result(
    browser, live_server, transactional_db, simulators, shot, size
):
    w = df.world(procedure_doc=procedure_doc())
    van = Person.objects.create(citizen_id=VAN, full_name="Lê Thị Hồng Vân")
    earlier = warehouse.keep_upload(
        van,
        samples.one_page_pdf(b"1 0 0 rg 10 10 80 80 re f"),
        title="Giấy chứng sinh của bé An",
        doc_type="GT.CHUNGSINH",
    )
    for user in (w.intake_a,):
        user.set_password(STAFF_PASSWORD)
        user.save()
    phone = size == "phone"
    context = browser.new_context(
        viewport={"width": 390, "height": 844} if phone else {"width": 1366, "height": 900},
        is_mobile=phone,
        has_touch=phone,
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
    )
    context.set_default_timeout(15000)
    page = context.new_page()
    n = 70 if phone else 80
    try:
        page.goto(f"{live_server.url}/thu-tuc/?q=khai+sinh")
        page.click("a:has-text('Thủ tục đăng ký khai sinh')")
        page.wait_for_url("**/thu-tuc/1.001193/")
        check_page(page)
        shot(page, f"{n}-procedure-{size}")
        page.click("a:has-text('Nộp hồ sơ trực tuyến')")
        page.wait_for_url("**/tai-khoan/dang-nhap/**")
        check_page(page)
        shot(page, f"{n + 1}-sign-in-{size}")
        page.click("a:has-text('Đăng nhập bằng tài khoản định danh điện tử')")
        page.wait_for_load_state()
        assert page.url.startswith(vneid_issuer(page)), (page.url, page.inner_text("body")[:500])
        shot(page, f"{n + 2}-identity-provider-{size}")
        page.select_option("#chon-nguoi", VAN)
        page.click("button:has-text('Đăng nhập với người đã chọn')")
        page.wait_for_url("**/nop-truc-tuyen/ho-so-nhap/**")
        check_page(page)
        page.click("a[href*='/to-khai/']")
        assert page.input_value("#ef-ho_ten") == "Lê Thị Hồng Vân"  # prefilled from the identity provider
        assert page.input_value("#ef-noi_cu_tru").startswith("Số 27 phố Chi Lăng")  # population database
        page.fill("#ef-ten_tre", "Trần Bảo An")
        page.fill("#ef-ngay_sinh_tre", "2026-11-30")
        check_page(page)
        shot(page, f"{n + 3}-declaration-{size}")
        page.click("button:has-text('Lưu tờ khai')")
        page.wait_for_url("**/nop-truc-tuyen/ho-so-nhap/*/")
        # one document taken from the warehouse, one uploaded
        birth = Component.objects.get(name="Giấy chứng sinh").pk
        marriage = Component.objects.get(name="Giấy chứng nhận kết hôn của cha, mẹ").pk
        page.select_option(f"#pick-{birth}", str(earlier.pk))
        page.click(f"form:has(#pick-{birth}) button:has-text('Dùng giấy tờ này')")
        page.wait_for_selector("text=lấy từ kho dữ liệu")
        page.set_input_files(
            f"#file-{marriage}",
            files=[{"name": "ket-hon.pdf", "mimeType": "application/pdf", "buffer": samples.one_page_pdf()}],
        )
        page.click(f"form:has(#file-{marriage}) button:has-text('Tải lên')")
        page.wait_for_selector("text=Đã đính kèm")
        page.select_option("#place", label=w.ward_a.name)
        page.check("#delivery-online")
        page.click("button:has-text('Lưu lựa chọn')")
        page.wait_for_selector("text=Đã lưu nơi nộp")
        shot(page, f"{n + 4}-draft-{size}")
        page.click("a:has-text('Xem lại và nộp hồ sơ')")
        check_page(page)
        shot(page, f"{n + 5}-review-{size}")
        page.keyboard.press("End")
        submit = page.locator("button:has-text('Nộp hồ sơ')")
        submit.focus()  # the keyboard reaches the action
        page.keyboard.press("Enter")
        page.wait_for_url("**/ho-so-cua-toi/**")
        dossier = Dossier.objects.get()
        assert dossier.code in page.inner_text("h1") and dossier.vneid_authenticated
        # the fee due at submission, paid online through the gateway
        shot(page, f"{n + 5}-submitted-{size}")
        page.click("button:has-text('Thanh toán trực tuyến')")
        page.wait_for_url(f"{simulators}/**")
        page.click("button:has-text('Thanh toán')")
        page.wait_for_url(f"{live_server.url}/thanh-toan/ket-qua/**")
        dossier.refresh_from_db()
        assert dossier.paid_online and dossier.state == State.SUBMITTED
        # the officer asks for a supplement before accepting, on the staff dossier page
        staff = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN")
        officer = staff.new_page()
        officer.base = live_server.url
        login(officer, w.intake_a.username, STAFF_PASSWORD)
        officer.wait_for_url("**/can-bo/**")
        officer.goto(f"{live_server.url}/can-bo/ho-so/{dossier.code}/")
        assert "Trần Bảo An" in officer.inner_text("[data-declaration]")
        officer.click("#act-request_intake_supplement > summary")
        officer.fill("#act-request_intake_supplement textarea[name$=items]", "Giấy chứng sinh bản rõ nét")
        officer.fill("#act-request_intake_supplement textarea[name$=reasons]", "Bản chụp bị mờ góc dưới")
        with officer.expect_navigation():
            officer.click("#act-request_intake_supplement button[type=submit]")
        shot(officer, f"{n + 6}-officer-asks-supplement-{size}")
        staff.close()
        # the citizen answers from "Hồ sơ của tôi"
        page.goto(f"{live_server.url}/ho-so-cua-toi/{dossier.code}/")
        assert "Bản chụp bị mờ góc dưới" in page.inner_text("main")
        page.set_input_files(
            "#sup-files", files=[{"name": "chung-sinh.png", "mimeType": "image/png", "buffer": samples.png()}]
        )
        check_page(page)
        page.click("button:has-text('Gửi hồ sơ bổ sung')")
        page.wait_for_selector("text=Đã gửi hồ sơ bổ sung")
        shot(page, f"{n + 7}-supplemented-{size}")
        dossier.refresh_from_db()
        assert dossier.state == State.SUBMITTED
        # accepted, processed and signed (the staff flows have their own browser tests), returned
        dossier = s.accept_online(dossier.code, by=w.intake_a, expected_version=dossier.lock_version)
        for holder in (w.intake_a, w.specialist_a, w.leader_a):
            dossier = s.hand_over(dossier.code, by=holder, expected_version=dossier.lock_version)
        results.issue_result(w.head_a, dossier.code, expected_version=dossier.lock_version)
        dossier.refresh_from_db()
        s.return_result(dossier.code, by=w.intake_a, expected_version=dossier.lock_version)
        page.goto(f"{live_server.url}/kho-du-lieu/")
        result = WarehouseItem.objects.get(source=WarehouseItem.Source.RESULT)
        assert result.title in page.inner_text("main")
        check_page(page)
        shot(page, f"{n + 8}-warehouse-{size}")
        served = page.request.get(f"{live_server.url}/kho-du-lieu/{result.pk}/tep/")
        assert served.status == 200 and served.body().startswith(b"%PDF")
        # public tracking: the code and the last four digits, no personal data
        public = browser.new_context(viewport=page.viewport_size, locale="vi-VN")
        anonymous = public.new_page()
        anonymous.goto(f"{live_server.url}/tra-cuu-ho-so/")
        anonymous.fill("#ma", dossier.code)
        anonymous.fill("#xac-thuc", VAN[-4:])
        anonymous.click("button:has-text('Tra cứu')")
        text = anonymous.inner_text("main")
        assert "Đã trả kết quả" in text and "Lê Thị Hồng Vân" not in text and VAN not in text
        shot(anonymous, f"{n + 9}-tracking-{size}")
        public.close()
    finally:
        context.close()


def vneid_issuer(page) -> str:
    from django.conf import settings

    return re.sub(r"/$", "", settings.MOTCUA_OIDC_ISSUER)
