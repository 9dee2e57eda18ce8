"""A local stand-in for the national population database's look-up service: a real HTTP server.

``motcua integrations simulator population --port 8096 [--host H] [--people FILE] [--key K]
[--down-seconds S] [--slow-ms M]``

It speaks the protocol of ``integrations/contrib/population.py`` — **assumed ❓**: the real service is
reached through the government data-sharing platform (NDXP/LGSP) and its shape is not published.

- ``POST /tra-cuu-cong-dan`` with the header ``X-Api-Key: K`` and ``{"so_dinh_danh": "…", "ma_yeu_cau":
  "…"}`` →
  - 200 ``{"ma_loi": "0", "mo_ta", "du_lieu": {so_dinh_danh, ho_ten, ngay_sinh, gioi_tinh,
    noi_thuong_tru, noi_o_hien_tai, noi_sinh, que_quan, dan_toc, quoc_tich, ma_ban_ghi}}``;
  - 404 ``{"ma_loi": "KHONG_TIM_THAY", "mo_ta"}`` for a number nobody has;
  - 401 ``{"ma_loi": "SAI_KHOA_TRUY_CAP"}`` for a missing or wrong key (``--key ""``: no key asked);
  - 400 ``{"ma_loi": "SAI_DINH_DANG"}`` for a number that is not 12 digits, or a body that is not JSON.
- ``--down-seconds S`` closes connections without an answer for the first S seconds, ``POST
  /_simulator/down {"seconds": S}`` starts such an outage at any time, ``--slow-ms M`` waits before each
  answer; ``GET /_simulator/state`` counts the look-ups.

The people are those of the identity provider simulator (``data/people.json``), so a citizen signed in
there is found here.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from motcua.integrations.contrib.population import KEY_HEADER, NOT_FOUND
from motcua.integrations.simulators.common import SimulatorHandler, serve
from motcua.integrations.simulators.people import Person, load_people

LOOKUP_PATH = "/tra-cuu-cong-dan"
DEMO_KEY = "motcua-demo-population-key"
MAX_BODY = 64 * 1024


def record_code(number: str) -> str:
    """The code of a person's record (what the national sync calls ``MaCSDL``) ❓: its real format is not
    published; here a stable code derived from the number."""
    return "CSDLDC-" + hashlib.sha256(f"csdl-dan-cu:{number}".encode()).hexdigest()[:16].upper()


class Registry:
    """What the simulated registry holds and counts (thread-safe)."""

    def __init__(
        self,
        people: dict[str, Person] | None = None,
        *,
        key: str = DEMO_KEY,
        down_seconds: float = 0,
        slow_ms: int = 0,
    ) -> None:
        self.people = people if people is not None else load_people()
        self.key = key
        self.slow_ms = slow_ms
        self.down_until = time.monotonic() + down_seconds
        self.lock = threading.Lock()
        self.lookups = 0
        self.found = 0
        self.refused = 0

    def down(self) -> bool:
        return time.monotonic() < self.down_until

    def go_down(self, seconds: float) -> None:
        self.down_until = time.monotonic() + seconds

    def state(self) -> dict[str, Any]:
        with self.lock:
            return {
                "people": len(self.people),
                "lookups": self.lookups,
                "found": self.found,
                "refused": self.refused,
                "down": self.down(),
            }

    def lookup(self, body: Any, key: str) -> tuple[int, dict[str, Any]]:
        """The answer to one look-up: HTTP status and body."""
        with self.lock:
            self.lookups += 1
        if self.key and key != self.key:
            return self._refuse(401, "SAI_KHOA_TRUY_CAP", "Khóa truy cập không đúng hoặc chưa được cấp.")
        number = body.get("so_dinh_danh") if isinstance(body, dict) else None
        if not isinstance(number, str) or not (number.isascii() and number.isdigit() and len(number) == 12):
            return self._refuse(400, "SAI_DINH_DANG", "Số định danh cá nhân phải gồm đúng 12 chữ số.")
        person = self.people.get(number)
        if person is None:
            return 404, {"ma_loi": NOT_FOUND, "mo_ta": "Không tìm thấy công dân có số định danh này."}
        with self.lock:
            self.found += 1
        record = {**person.record(), "ma_ban_ghi": record_code(number)}
        return 200, {"ma_loi": "0", "mo_ta": "Thành công.", "du_lieu": record}

    def _refuse(self, status: int, code: str, message: str) -> tuple[int, dict[str, Any]]:
        with self.lock:
            self.refused += 1
        return status, {"ma_loi": code, "mo_ta": message}


def handler_for(registry: Registry) -> type[BaseHTTPRequestHandler]:
    class Handler(SimulatorHandler):
        server_version = "motcua-population-simulator/1"
        protocol_version = "HTTP/1.1"  # keep-alive, as the adapter's client

        def _body(self) -> tuple[bool, Any]:
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                return False, None
            if length < 0 or length > MAX_BODY:
                return False, None
            raw = self.rfile.read(length)
            try:
                return True, json.loads(raw.decode("utf-8") or "null")
            except (UnicodeDecodeError, json.JSONDecodeError):
                return True, None

        def do_GET(self) -> None:
            if urlsplit(self.path).path == "/_simulator/state":
                self._reply(200, registry.state())
            else:
                self._reply(404, {"ma_loi": "KHONG_CO_DIA_CHI", "mo_ta": "Không có địa chỉ này."})

        def do_POST(self) -> None:
            path = urlsplit(self.path).path.rstrip("/")
            complete, body = self._body()
            if not complete:
                self.close_connection = True
                self._reply(413, {"ma_loi": "SAI_DINH_DANG", "mo_ta": "Thông điệp lớn quá."})
                return
            if path == "/_simulator/down":
                seconds = body.get("seconds", 0) if isinstance(body, dict) else 0
                registry.go_down(float(seconds) if isinstance(seconds, int | float) else 0)
                self._reply(200, registry.state())
                return
            if registry.down():
                self.close_connection = True  # down: no answer at all
                return
            if registry.slow_ms:
                time.sleep(registry.slow_ms / 1000)
            if path != LOOKUP_PATH:
                self._reply(404, {"ma_loi": "KHONG_CO_DIA_CHI", "mo_ta": "Không có địa chỉ này."})
                return
            status, reply = registry.lookup(body, self.headers.get(KEY_HEADER) or "")
            self._reply(status, reply)

    return Handler


def make_server(host: str, port: int, registry: Registry) -> ThreadingHTTPServer:
    """A server bound to ``host:port`` (0 = any free port); call ``serve_forever`` to run it."""
    return serve(host, port, handler_for(registry))
