"""Adapter of the national public service portal (Cổng Dịch vụ công quốc gia), channel ``dvcqg``.

The protocol of the portal's integration adapter as the provincial one-stop systems speak it
(domain.md §6.2; the OPENCPS implementation):

- ``POST {DVCQG_ENDPOINT}/auth`` with ``{"username", "password"}`` → ``{"error_code": 0, "session": …}``;
- ``POST {DVCQG_ENDPOINT}/integration`` with ``{"session", "madonvi", "service", …}``, the service's
  fields beside ``service`` (``DongBoHoSoMC``: ``isUpdating`` and ``data``; ``CapNhatTienDoHoSoMC``:
  ``data``) → ``{"error_code": 0, …}``; any other ``error_code`` is the portal refusing the message.

❓ Assumed where no public specification was found (docs/integrations.md): the two paths under the
endpoint, a session the portal no longer accepts answered with HTTP 401 or ``error_code`` −1 (the
adapter signs in again once and sends the message again), the ``Idempotency-Key`` header (a motcua
extension; the portal's upsert by ``MaHoSo`` makes a repeat harmless anyway) and the receipt
``MaTiepNhan`` in the answer.

The session is shared by the sender threads and renewed when the portal says it has expired.
"""

from __future__ import annotations

import threading
from typing import Any

from django.conf import settings

from motcua.integrations.http import UNREACHABLE_STATUSES, JsonClient, Reply, Unreachable, status_outcome
from motcua.integrations.registry import Envelope, Outcome, QueryFailed

AUTH_PATH = "/auth"
SERVICE_PATH = "/integration"
SESSION_EXPIRED = -1


class SessionRefused(Exception):
    """The portal refused the account (wrong user name or password, account locked)."""


def _code(body: dict[str, Any]) -> int | None:
    try:
        return int(body.get("error_code"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


class DvcqgAdapter:
    def __init__(
        self, endpoint: str, username: str, password: str, *, unit_code: str = "", timeout: float = 10.0
    ):
        self.client = JsonClient(endpoint, timeout=timeout)
        self.username = username
        self.password = password
        self.unit_code = unit_code
        self._session = ""
        self._lock = threading.Lock()

    # -- session -----------------------------------------------------------------------------------

    def _sign_in(self) -> str:
        reply = self.client.post(AUTH_PATH, {"username": self.username, "password": self.password})
        if reply.status in UNREACHABLE_STATUSES:
            raise Unreachable(reply.text())
        if reply.status != 200 or _code(reply.body) != 0 or not reply.body.get("session"):
            raise SessionRefused(reply.text())
        return str(reply.body["session"])

    def session(self, *, stale: str = "") -> str:
        """The current session; a new one when there is none or when ``stale`` is the one refused."""
        with self._lock:
            if not self._session or self._session == stale:
                self._session = self._sign_in()
            return self._session

    # -- sending -----------------------------------------------------------------------------------

    def _post(self, session: str, message: Envelope, *, idempotent: bool = True) -> Reply:
        body: dict[str, Any] = {"session": session}
        if self.unit_code:
            body["madonvi"] = self.unit_code
        body.update(message.payload)
        headers = {"Idempotency-Key": message.idempotency_key} if idempotent else {}
        return self.client.post(SERVICE_PATH, body, headers)

    def _call(self, message: Envelope, *, idempotent: bool = True) -> Reply:
        """Post ``message`` in the current session, signing in again once when the portal no longer
        accepts it. ``Unreachable``, ``SessionRefused`` as they come."""
        session = self.session()
        reply = self._post(session, message, idempotent=idempotent)
        if reply.status == 401 or (reply.status == 200 and _code(reply.body) == SESSION_EXPIRED):
            reply = self._post(self.session(stale=session), message, idempotent=idempotent)
        return reply

    def send(self, message: Envelope) -> Outcome:
        try:
            reply = self._call(message)
        except Unreachable as exc:
            return Outcome("unavailable", f"Không kết nối được Cổng DVCQG: {exc}")
        except SessionRefused as exc:
            # The account is at fault, not the message: wait like an outage until it is fixed.
            return Outcome("unavailable", f"Cổng DVCQG từ chối tài khoản kết nối: {exc}")
        return classify(reply)

    def query(self, body: dict[str, Any]) -> dict[str, Any]:
        """Ask the portal (``LayThuTuc``, ``LayHoSoMoi``, ``XacNhanHoSo``, ``TraCuuHoSo``…): its answer, or
        ``QueryFailed``."""
        try:
            reply = self._call(Envelope(0, "query", "", "", body, 0), idempotent=False)
        except Unreachable as exc:
            raise QueryFailed(f"Không kết nối được Cổng DVCQG: {exc}", unavailable=True) from None
        except SessionRefused as exc:
            raise QueryFailed(f"Cổng DVCQG từ chối tài khoản kết nối: {exc}", unavailable=True) from None
        outcome = classify(reply)
        if outcome.kind != "delivered":
            raise QueryFailed(outcome.detail, unavailable=outcome.kind in ("unavailable", "retry"))
        return reply.body

    def close(self) -> None:
        self.client.close()


def classify(reply: Reply) -> Outcome:
    """The outcome of one answer of the portal."""
    by_status = status_outcome(reply, "Cổng DVCQG")
    if by_status is not None:
        return by_status
    if _code(reply.body) != 0:
        return Outcome("rejected", reply.text())
    return Outcome("delivered", receipt=str(reply.body.get("MaTiepNhan", ""))[:120])


def from_settings() -> DvcqgAdapter | None:
    """The adapter configured by ``DVCQG_ENDPOINT``, ``DVCQG_USERNAME``, ``DVCQG_PASSWORD`` (``None``
    without an endpoint: the messages wait)."""
    if not settings.DVCQG_ENDPOINT:
        return None
    return DvcqgAdapter(
        settings.DVCQG_ENDPOINT,
        settings.DVCQG_USERNAME,
        settings.DVCQG_PASSWORD,
        unit_code=settings.DVCQG_UNIT_CODE,
        timeout=settings.DVCQG_TIMEOUT_SECONDS,
    )
