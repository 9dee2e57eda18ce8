"""Online payment through the gateway simulator (signed redirect-and-notify, over real HTTP): the
applicant starts from the tracking page, pays on the gateway, the signed notification moves the dossier
on as the gateway (no staff user); the same notification twice pays once; a forged one is refused and
logged; the receipt is a signed PDF."""

from __future__ import annotations

import html as htmlmod
import threading
import urllib.parse
import urllib.request
from urllib.parse import parse_qsl, urlsplit

import pytest
import time_machine

from motcua.core.models import AuditEntry
from motcua.documents.models import Document
from motcua.dossiers import services as s
from motcua.dossiers.models import Dossier, DossierEvent, DossierFee
from motcua.dossiers.tests import factories as df
from motcua.dossiers.tests.factories import CITIZEN_ID, at
from motcua.integrations.simulators.paygate import Gateway, make_server
from motcua.payments.models import Payment, PaymentNotice
from motcua.payments.reconcile import daily
from motcua.workdays.domain import TZ

pytestmark = pytest.mark.django_db

SECRET = "bi-mat-thu-nghiem-32-ky-tu-abcdef"


@pytest.fixture
def gateway(settings):
    gw = Gateway("MOTCUA01", SECRET, ipn_url="")  # the test delivers the notification itself
    server = make_server("127.0.0.1", 0, gw)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    settings.PAYMENT_GATEWAY_URL = f"{base}/paymentv2/vpcpay.html"
    settings.PAYMENT_QUERY_URL = f"{base}/merchant_webapi/api/transaction"
    settings.PAYMENT_MERCHANT, settings.PAYMENT_SECRET = "MOTCUA01", SECRET
    yield gw
    server.shutdown()
    server.server_close()


@pytest.fixture
def owing():
    """A dossier waiting for the applicant to pay (state 6): the intake fee of the procedure not paid at
    the counter (8.000 đ) and the two lines asked for (8.000 đ + 12.000 đ) — 28.000 đ."""
    w = df.world()
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=True):
        d = df.receive(w)
        d = s.request_payment(
            d.code,
            by=w.specialist_a,
            expected_version=1,
            items=[s.FeeInput("Lệ phí cấp bản sao trích lục", 8000), s.FeeInput("Phí thẩm định", 12000)],
        )
    return w, d


def gateway_address(response) -> str:
    """The gateway's address on the page that moves the applicant on to it."""
    assert response.status_code == 200
    html = response.content.decode()
    start = html.index('data-testid="go-to-gateway"')
    href = html.rindex('href="', 0, start) + len('href="')
    return htmlmod.unescape(html[href : html.index('"', href)])


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def pay_on_gateway(url: str, action: str = "pay") -> dict[str, str]:
    """What the applicant does on the gateway's page: open it, press the button; the signed parameters
    the gateway sends the browser back with."""
    with urllib.request.urlopen(url) as reply:  # noqa: S310 — the local simulator
        page = reply.read().decode()
    assert "28.000 đ" in page
    form = dict(parse_qsl(urlsplit(url).query))
    form["action"] = action
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(  # noqa: S310
        url.split("?")[0], data=urllib.parse.urlencode(form).encode(), method="POST"
    )
    try:
        opener.open(request)
    except urllib.error.HTTPError as exc:
        assert exc.code == 302
        return dict(parse_qsl(urlsplit(exc.headers["Location"]).query))
    raise AssertionError("the gateway did not send the browser back")


def test_the_applicant_pays_online_and_the_dossier_moves_on_once(gateway, owing, client):
    _, d = owing
    factor = CITIZEN_ID[-4:]
    page = client.get("/tra-cuu-ho-so/", {"ma": d.code, "xac_thuc": factor})
    html = page.content.decode()
    assert "28.000 đ" in html and 'data-testid="pay-online"' in html
    start = gateway_address(client.post("/thanh-toan/bat-dau/", {"ma": d.code, "xac_thuc": factor}))
    gateway_url = start.split("?")[0]
    payment = Payment.objects.get()
    assert (payment.status, int(payment.amount_vnd)) == ("started", 28000)
    back = pay_on_gateway(start)
    # The gateway's server-to-server notification: the dossier continues, attributed to the gateway.
    answer = client.get("/thanh-toan/thong-bao/", back).json()
    assert answer == {"RspCode": "00", "Message": "Confirm Success"}
    dossier = Dossier.objects.get(pk=d.pk)
    assert dossier.state == "in_progress" and dossier.paid_online
    event = DossierEvent.objects.filter(dossier=dossier).latest("seq")
    assert (event.action, event.actor_id, event.actor_label) == (
        "confirm_payment",
        None,
        "Cổng thanh toán trực tuyến",
    )
    fees = DossierFee.objects.filter(dossier=dossier)
    assert all(f.paid and f.paid_online for f in fees)
    payment.refresh_from_db()
    assert payment.status == "paid" and payment.transaction_no and payment.receipt_number.endswith("/2026")
    # The same notification again pays once; the browser's return finds it settled.
    assert client.get("/thanh-toan/thong-bao/", back).json()["RspCode"] == "02"
    assert DossierEvent.objects.filter(dossier=dossier, action="confirm_payment").count() == 1
    result = client.get("/thanh-toan/quay-ve/", back, follow=True)
    assert "Đã thanh toán" in result.content.decode() and payment.receipt_number in result.content.decode()
    # The receipt: a signed PDF kept as a document of the dossier.
    token = result.redirect_chain[-1][0].split("/ket-qua/")[1].rstrip("/")
    pdf = client.get(f"/thanh-toan/ket-qua/{token}/bien-lai.pdf")
    body = b"".join(pdf.streaming_content)
    assert pdf.status_code == 200 and body.startswith(b"%PDF")
    assert Document.objects.get(kind="receipt", dossier=dossier).signed_by[0]["role"]
    assert AuditEntry.objects.filter(action="payment.paid").count() == 1
    assert gateway_url.endswith("/paymentv2/vpcpay.html")


def test_a_forged_or_altered_notification_is_refused_and_logged(gateway, owing, client):
    _, d = owing
    start = gateway_address(client.post("/thanh-toan/bat-dau/", {"ma": d.code, "xac_thuc": CITIZEN_ID[-4:]}))
    back = pay_on_gateway(start)
    altered = {**back, "vnp_Amount": "100"}  # one đồng, the signature left as it was
    assert client.get("/thanh-toan/thong-bao/", altered).json()["RspCode"] == "97"
    unsigned = {k: v for k, v in back.items() if k != "vnp_SecureHash"}
    assert client.get("/thanh-toan/thong-bao/", unsigned).json()["RspCode"] == "97"
    assert client.get("/thanh-toan/quay-ve/", altered).status_code == 400
    assert Dossier.objects.get(pk=d.pk).state == "awaiting_payment"
    assert PaymentNotice.objects.filter(valid=False).count() == 3
    assert AuditEntry.objects.filter(action="payment.notice_refused").count() == 3
    assert Payment.objects.get().status == "started"


def test_a_cancelled_payment_changes_nothing_and_can_be_tried_again(gateway, owing, client):
    _, d = owing
    start = gateway_address(client.post("/thanh-toan/bat-dau/", {"ma": d.code, "xac_thuc": CITIZEN_ID[-4:]}))
    back = pay_on_gateway(start, action="cancel")
    assert client.get("/thanh-toan/thong-bao/", back).json()["RspCode"] == "00"
    assert Payment.objects.get().status == "failed"
    assert Dossier.objects.get(pk=d.pk).state == "awaiting_payment"
    assert client.post("/thanh-toan/bat-dau/", {"ma": d.code, "xac_thuc": CITIZEN_ID[-4:]}).status_code == 200
    assert Payment.objects.count() == 2


def test_starting_needs_the_second_factor_and_something_owed(gateway, owing, client):
    w, d = owing
    assert client.post("/thanh-toan/bat-dau/", {"ma": d.code, "xac_thuc": "0000"}).status_code == 404
    with time_machine.travel(at(2026, 3, 9, 10, 0), tick=True):
        other = df.receive(w)
    assert (
        client.post("/thanh-toan/bat-dau/", {"ma": other.code, "xac_thuc": CITIZEN_ID[-4:]}).status_code
        == 409
    )
    assert not Payment.objects.exists()


def test_the_daily_reconciliation_finds_and_settles_a_payment_whose_notification_was_lost(
    gateway, owing, client
):
    _, d = owing
    start = gateway_address(client.post("/thanh-toan/bat-dau/", {"ma": d.code, "xac_thuc": CITIZEN_ID[-4:]}))
    pay_on_gateway(start)  # paid; the notification and the browser's return are both lost
    payment = Payment.objects.get()
    day = payment.created_at.astimezone(TZ).date()
    report = daily(day)
    assert [(x.local, x.gateway, x.matches) for x in report.lines] == [("started", "paid", False)]
    assert (report.paid_here, report.paid_at_gateway) == (0, 28000)
    fixed = daily(day, fix=True)
    assert fixed.fixed == [payment.reference]
    assert Dossier.objects.get(pk=d.pk).state == "in_progress"
    assert PaymentNotice.objects.filter(source="query", payment=payment).count() == 1
    again = daily(day)
    assert again.differences == [] and again.paid_here == again.paid_at_gateway == 28000


def test_a_flood_of_forged_notifications_is_cut_off_and_valid_ones_still_pass(
    gateway, owing, client, settings
):
    _, d = owing
    settings.MOTCUA_PAYMENT_NOTICE_MAX = 3
    start = gateway_address(client.post("/thanh-toan/bat-dau/", {"ma": d.code, "xac_thuc": CITIZEN_ID[-4:]}))
    back = pay_on_gateway(start)
    forged = {**back, "vnp_SecureHash": "0" * 128}
    answers = [client.get("/thanh-toan/thong-bao/", forged).status_code for _ in range(5)]
    assert answers == [200, 200, 200, 429, 429]
    assert PaymentNotice.objects.filter(valid=False).count() == 3  # the cut-off ones are not logged
    settings.MOTCUA_PAYMENT_NOTICE_MAX = 4
    assert client.get("/thanh-toan/thong-bao/", back).json()["RspCode"] == "00"


def test_the_office_sees_the_days_payments_and_reconciles_them(gateway, owing, client):
    w, d = owing
    start = gateway_address(client.post("/thanh-toan/bat-dau/", {"ma": d.code, "xac_thuc": CITIZEN_ID[-4:]}))
    pay_on_gateway(start)  # the notification is lost
    day = Payment.objects.get().created_at.astimezone(TZ).date().isoformat()
    client.force_login(w.intake_a)
    assert client.get("/can-bo/thanh-toan/", {"ngay": day}).status_code == 403
    client.force_login(w.supervisor)
    page = client.get("/can-bo/thanh-toan/", {"ngay": day}).content.decode()
    assert d.code in page and "Đang chờ thanh toán" in page
    checked = client.post("/can-bo/thanh-toan/", {"ngay": day}).content.decode()
    assert 'data-differences="1"' in checked and "cổng đã thu 28.000 đ" in checked
    fixed = client.post("/can-bo/thanh-toan/", {"ngay": day, "fix": "1"}).content.decode()
    assert "Đã ghi nhận 1 giao dịch" in fixed and Dossier.objects.get(pk=d.pk).state == "in_progress"
    assert client.get("/can-bo/thanh-toan/", {"ngay": "2026-02-30"}).status_code == 400
