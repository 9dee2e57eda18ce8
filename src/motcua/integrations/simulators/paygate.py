"""A local payment gateway of the signed redirect-and-notify family: a real HTTP server.

``motcua integrations simulator paygate --port 8094 --merchant MOTCUA01 --secret S --ipn-url URL
[--store FILE] [--ipn-fail-first N]``

- ``GET /paymentv2/vpcpay.html?…&vnp_SecureHash=…`` checks the signature and shows the payment page: the
  merchant's order (amount, what for) with “Thanh toán” and “Hủy giao dịch”; a wrong or missing signature
  is refused (HTTP 400).
- Choosing pays (or cancels): the gateway records the transaction, notifies the merchant server to server
  (``GET {ipn-url}?…`` signed; the merchant answers ``{"RspCode": "00"}``; ``--ipn-fail-first N`` drops
  the first N notifications, as a network would), then sends the browser back to ``vnp_ReturnUrl`` with
  the same signed parameters.
- ``POST /merchant_webapi/api/transaction`` (``querydr``, signed JSON) answers a transaction's status,
  signed.
- ``GET /_simulator/state`` lists the transactions. With ``--store FILE`` each one is one JSON line.
"""

from __future__ import annotations

import html
import json
import threading
import urllib.error
import urllib.request
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from motcua.integrations.contrib.paygate import ANSWER_FIELDS, QUERY_FIELDS, SIGNATURE, canonical, sign
from motcua.integrations.simulators.common import SimulatorHandler, serve
from motcua.workdays.domain import TZ, stamp

PAY_PATH = "/paymentv2/vpcpay.html"
QUERY_PATH = "/merchant_webapi/api/transaction"


class Gateway:
    def __init__(
        self, merchant: str, secret: str, ipn_url: str, path: Path | None = None, *, ipn_fail_first: int = 0
    ) -> None:
        self.merchant, self.secret, self.ipn_url, self.path = merchant, secret, ipn_url, path
        self.ipn_fail_first = ipn_fail_first
        self.lock = threading.Lock()
        self.transactions: dict[str, dict[str, Any]] = {}  # by vnp_TxnRef
        self.notifications = 0
        self.ipn_answers: list[dict[str, Any]] = []

    def check(self, params: dict[str, str]) -> str | None:
        """What is wrong with a payment request (``None``: nothing)."""
        if not params.get(SIGNATURE) or params[SIGNATURE].lower() != sign(self.secret, canonical(params)):
            return "Sai chữ ký (vnp_SecureHash)."
        if params.get("vnp_TmnCode") != self.merchant:
            return "Mã đơn vị chấp nhận thanh toán không đúng."
        if not params.get("vnp_TxnRef") or not (
            params.get("vnp_Amount", "").isascii() and params.get("vnp_Amount", "").isdigit()
        ):
            return "Thiếu mã giao dịch hoặc số tiền."
        return None

    def settle(self, params: dict[str, str], pay: bool) -> dict[str, str]:
        """Record the transaction; the signed parameters of its result."""
        with self.lock:
            number = str(13000000 + len(self.transactions) + 1)
            result = {
                k: v
                for k, v in params.items()
                if k.startswith("vnp_") and k not in (SIGNATURE, "vnp_SecureHashType")
            }
            result.pop("vnp_ReturnUrl", None)
            result.pop("vnp_IpAddr", None)
            result.pop("vnp_ExpireDate", None)
            result.pop("vnp_Version", None)
            result.pop("vnp_Command", None)
            result.pop("vnp_CurrCode", None)
            result.pop("vnp_OrderType", None)
            result.pop("vnp_Locale", None)
            result.pop("vnp_CreateDate", None)
            result.update(
                vnp_ResponseCode="00" if pay else "24",
                vnp_TransactionStatus="00" if pay else "02",
                vnp_TransactionNo=number if pay else "0",
                vnp_BankCode="NCB",
                vnp_CardType="ATM",
                vnp_PayDate=stamp(datetime.now(TZ)),
            )
            result[SIGNATURE] = sign(self.secret, canonical(result))
            entry = {"params": params, "result": result, "paid": pay}
            self.transactions[params["vnp_TxnRef"]] = entry
            if self.path is not None:
                with self.path.open("a", encoding="utf-8") as fh:
                    fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
        return result

    def notify(self, result: dict[str, str]) -> None:
        with self.lock:
            self.notifications += 1
            dropped = self.notifications <= self.ipn_fail_first
        if dropped or not self.ipn_url:
            return
        try:
            with urllib.request.urlopen(f"{self.ipn_url}?{urlencode(result)}", timeout=10) as reply:  # noqa: S310
                self.ipn_answers.append(json.loads(reply.read() or b"{}"))
        except (urllib.error.URLError, OSError, ValueError) as exc:
            self.ipn_answers.append({"error": str(exc)})

    def query(self, body: Any) -> dict[str, str]:
        fields = QUERY_FIELDS
        answer = {
            "vnp_ResponseId": "q" + str(len(self.transactions)),
            "vnp_Command": "querydr",
            "vnp_TmnCode": self.merchant,
        }
        if not isinstance(body, dict) or str(body.get(SIGNATURE, "")).lower() != sign(
            self.secret, "|".join(str(body.get(f, "")) for f in fields)
        ):
            answer.update(vnp_ResponseCode="97", vnp_Message="Sai chữ ký")
        else:
            found = self.transactions.get(str(body.get("vnp_TxnRef")))
            if found is None:
                answer.update(
                    vnp_ResponseCode="91",
                    vnp_Message="Không tìm thấy giao dịch",
                    vnp_TxnRef=str(body.get("vnp_TxnRef")),
                )
            else:
                r = found["result"]
                answer.update(
                    vnp_ResponseCode="00",
                    vnp_Message="Thành công",
                    vnp_TxnRef=r["vnp_TxnRef"],
                    vnp_Amount=r["vnp_Amount"],
                    vnp_BankCode=r["vnp_BankCode"],
                    vnp_PayDate=r["vnp_PayDate"],
                    vnp_TransactionNo=r["vnp_TransactionNo"],
                    vnp_TransactionType="01",
                    vnp_TransactionStatus=r["vnp_TransactionStatus"],
                    vnp_OrderInfo=r.get("vnp_OrderInfo", ""),
                )
        answer[SIGNATURE] = sign(self.secret, "|".join(answer.get(k, "") for k in ANSWER_FIELDS))
        return answer


def _page(params: dict[str, str]) -> str:
    amount = f"{int(params['vnp_Amount']) // 100:,}".replace(",", ".")
    hidden = "".join(
        f"<input type='hidden' name='{html.escape(k)}' value='{html.escape(v)}'>" for k, v in params.items()
    )
    return (
        "<!doctype html><html lang='vi'><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width'><title>Cổng thanh toán mô phỏng</title>"
        "<body style='font-family:sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem'>"
        "<h1>Cổng thanh toán mô phỏng</h1>"
        f"<p>Đơn vị: <b>{html.escape(params['vnp_TmnCode'])}</b><br>"
        f"Mã giao dịch: {html.escape(params['vnp_TxnRef'])}</p>"
        f"<p>Nội dung: {html.escape(params.get('vnp_OrderInfo', ''))}</p>"
        f"<p style='font-size:1.5rem'>Số tiền: <b data-amount>{amount} đ</b></p>"
        f"<form method='post' action='{PAY_PATH}'>{hidden}"
        "<button name='action' value='pay' style='font-size:1.1rem;padding:.5rem 1rem'>Thanh toán</button> "
        "<button name='action' value='cancel'>Hủy giao dịch</button></form></body></html>"
    )


def handler_for(gateway: Gateway) -> type[BaseHTTPRequestHandler]:
    class Handler(SimulatorHandler):
        server_version = "motcua-paygate-simulator/1"

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path == PAY_PATH:
                params = dict(parse_qsl(url.query, keep_blank_values=True))
                problem = gateway.check(params)
                if problem:
                    self._send(400, f"<p>Yêu cầu thanh toán không hợp lệ: {html.escape(problem)}</p>")
                else:
                    self._send(200, _page(params))
            elif url.path == "/_simulator/state":
                with gateway.lock:
                    state = {
                        "transactions": list(gateway.transactions.values()),
                        "notifications": gateway.notifications,
                        "ipn_answers": gateway.ipn_answers,
                    }
                self._reply(200, state)
            else:
                self._send(404, "Không có địa chỉ này.", "text/plain")

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(min(length, 1_000_000)).decode("utf-8", "replace")
            url = urlsplit(self.path)
            if url.path == QUERY_PATH:
                try:
                    body = json.loads(raw or "null")
                except json.JSONDecodeError:
                    body = None
                self._reply(200, gateway.query(body))
                return
            if url.path != PAY_PATH:
                self._send(404, "Không có địa chỉ này.", "text/plain")
                return
            form = dict(parse_qsl(raw, keep_blank_values=True))
            action = form.pop("action", "")
            problem = gateway.check(form)
            if problem:
                self._send(400, f"<p>Yêu cầu thanh toán không hợp lệ: {html.escape(problem)}</p>")
                return
            result = gateway.settle(form, pay=action == "pay")
            gateway.notify(result)
            self._send(302, "", headers={"Location": f"{form['vnp_ReturnUrl']}?{urlencode(result)}"})

    return Handler


def make_server(host: str, port: int, gateway: Gateway) -> ThreadingHTTPServer:
    return serve(host, port, handler_for(gateway))
