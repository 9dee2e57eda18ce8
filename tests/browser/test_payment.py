"""A citizen on a phone pays a fee online: from the tracking page to the gateway simulator and back,
sees "Đã thanh toán" and opens the signed receipt; the gateway's server-to-server notification reached
the live server; the day's reconciliation with the gateway matches."""

from __future__ import annotations

import threading

import time_machine

from motcua.dossiers import services as s
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests import factories as df
from motcua.dossiers.tests.factories import CITIZEN_ID, at
from motcua.integrations.simulators.paygate import Gateway, make_server
from motcua.payments.models import Payment
from motcua.payments.reconcile import daily
from motcua.workdays.domain import TZ

SECRET = "bi-mat-trinh-dien-32-ky-tu-0123456"


def test_a_citizen_pays_a_fee_online_and_gets_the_receipt(
    browser, live_server, transactional_db, settings, shot
):
    gateway = Gateway("MOTCUA01", SECRET, ipn_url=live_server.url + "/thanh-toan/thong-bao/")
    server = make_server("127.0.0.1", 0, gateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    settings.PAYMENT_GATEWAY_URL = f"{base}/paymentv2/vpcpay.html"
    settings.PAYMENT_QUERY_URL = f"{base}/merchant_webapi/api/transaction"
    settings.PAYMENT_MERCHANT, settings.PAYMENT_SECRET = "MOTCUA01", SECRET
    w = df.world()
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=True):
        d = df.receive(w)
        d = s.request_payment(
            d.code, by=w.specialist_a, expected_version=1, items=[s.FeeInput("Phí thẩm định", 12000)]
        )
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
    )
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/tra-cuu-ho-so/")
        page.fill("#ma", d.code)
        page.fill("#xac-thuc", CITIZEN_ID[-4:])
        page.click("button:has-text('Tra cứu')")
        offer = page.locator("[data-testid=payment-offer]")
        assert "20.000 đ" in offer.inner_text()
        shot(page, "60-payment-offer-phone")
        page.click("[data-testid=pay-online]")
        page.wait_for_url(f"{base}/**")
        assert "20.000 đ" in page.inner_text("[data-amount]")
        shot(page, "61-payment-gateway-phone")
        page.click("button:has-text('Thanh toán')")
        page.wait_for_url(f"{live_server.url}/thanh-toan/ket-qua/**")
        result = page.locator("[data-testid=payment-result]")
        assert result.get_attribute("data-status") == "paid" and "Đã thanh toán" in result.inner_text()
        shot(page, "62-payment-paid-phone")
        receipt = page.request.get(
            live_server.url + page.locator("[data-testid=receipt-link]").get_attribute("href")
        )
        assert receipt.status == 200 and receipt.body().startswith(b"%PDF")
        assert receipt.headers["content-type"] == "application/pdf"
        # The notification came server to server (the browser's return found it settled), once; the
        # day's reconciliation with the gateway matches.
        assert [a.get("RspCode") for a in gateway.ipn_answers] == ["00"]
        assert Dossier.objects.get(pk=d.pk).state == "in_progress"
        payment = Payment.objects.get()
        report = daily(payment.created_at.astimezone(TZ).date())
        assert report.differences == [] and report.paid_here == report.paid_at_gateway == 20000
    finally:
        context.close()
        server.shutdown()
        server.server_close()
