"""A local stand-in for the national public service portal's integration adapter: a real HTTP server.

``motcua integrations simulator dvcqg --port 8092 [--store FILE] [--incoming FILE] [--fail-first N]
[--down-seconds S] [--slow-ms M] [--session-seconds S] [--username U --password P]``

It speaks the protocol of ``integrations/contrib/dvcqg.py`` (domain.md §6.2):

- ``POST /auth`` ``{"username", "password"}`` → ``{"error_code": 0, "session", "expires_in"}``; a wrong
  account → ``{"error_code": 1, …}``.
- ``POST /integration`` ``{"session", "service", …}``; a session unknown or older than
  ``--session-seconds`` → HTTP 401 ``{"error_code": -1}``. Services:
  - ``DongBoHoSoMC`` ``{isUpdating, data: [record…]}``: each record is checked (required fields, the
    ten status codes, ``yyyyMMddHHmmss`` dates, channels, the lists) and kept as the portal's copy of
    the dossier; a wrong record → ``{"error_code": 2, "message", "field"}``;
  - ``CapNhatTienDoHoSoMC`` ``{data: [event…]}``: a progress event of a dossier the portal already holds
    (``error_code`` 3 otherwise, which is why the sender keeps each dossier's messages in order);
  - ``TraCuuHoSo`` ``{MaHoSo}`` → ``{"error_code": 0, "result": [record]}`` (empty when unknown);
  - ``LayThuTuc`` ``{MaTTHC}`` → ``{"error_code": 0, "result": [procedure]}`` (``TENTTHC``,
    ``THOIGIANGIAIQUYET``, ``DONVITINH``, ``TRINHTUTHUCHIEN``, ``CACHTHUCTHUCHIEN``…; empty when unknown),
    from ``POST /_simulator/thu-tuc`` ``{"data": [procedure…]}``;
  - ``LayHoSoMoi`` → ``{"error_code": 0, "result": [record…]}``: dossiers submitted on the portal for
    the province (status 1), not yet taken, 50 at most; ``XacNhanHoSo`` ``{DanhSachMaHoSo: […]}``: the
    province has taken them (❓ both assumed: no public specification of this pull was found).
  ``POST /_simulator/ho-so-moi`` ``{"data": [record…]}`` adds submitted dossiers (checked like a record,
  status 1) — for tests; ``--incoming FILE`` (JSON lines) starts with some — the demo's.
  A write needs an ``Idempotency-Key`` header: a key already accepted is acknowledged again with its
  first receipt (``"TrungLap": true``) and not stored again.
- ``--fail-first N`` answers the first N service calls with HTTP 500; ``--slow-ms M`` waits M ms
  before each answer; ``--down-seconds S`` is down (connections closed without an answer) for the
  first S seconds; ``POST /_simulator/down {"seconds": S}`` starts such an outage at any time and
  ``GET /_simulator/state`` tells what the portal holds (for people and tests).

With ``--store FILE`` every accepted call appends one JSON line ``{"service", "MaHoSo",
"idempotency_key", "receipt", "received_at", "payload"}``; on start the file is read back, so a
restarted portal still knows what it accepted.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from motcua.integrations.simulators.common import SimulatorHandler, serve
from motcua.workdays.domain import parse_stamp

MAX_BODY = 8 * 1024 * 1024
DATE_FIELDS = ("NgayNopHoSo", "NgayTiepNhan", "NgayHenTra", "NgayTra", "NgayKetThucXuLy")
LIST_FIELDS = (
    "TaiLieuNop",
    "DanhSachLePhi",
    "DanhSachTepDinhKemKhac",
    "DanhSachHoSoBoSung",
    "DanhSachGiayToKetQua",
)
WRITE_SERVICES = ("DongBoHoSoMC", "CapNhatTienDoHoSoMC")


class Refused(Exception):
    def __init__(self, code: int, message: str, field: str = "", *, status: int = 200) -> None:
        super().__init__(message)
        self.code, self.message, self.field, self.status = code, message, field, status

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"error_code": self.code, "message": self.message}
        if self.field:
            out["field"] = self.field
        return out


def _stamp_ok(value: Any) -> bool:
    """``""`` (not known) or a real ``yyyyMMddHHmmss``."""
    if value == "":
        return True
    try:
        parse_stamp(value)
    except ValueError:
        return False
    return True


def _text(record: dict[str, Any], name: str, where: str, *, required: bool = True) -> None:
    value = record.get(name)
    if value is None and not required:
        return
    if not isinstance(value, str) or (required and not value.strip()):
        raise Refused(2, f"Trường {name} bắt buộc, kiểu chuỗi.", f"{where}.{name}")


def _int_in(
    record: dict[str, Any], name: str, where: str, allowed: range | tuple[int, ...], *, required: bool
) -> None:
    value = record.get(name)
    if value is None and not required:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value not in allowed:
        raise Refused(2, f"Trường {name} không hợp lệ: {value!r}.", f"{where}.{name}")


def check_record(record: Any, where: str) -> None:
    """Raise ``Refused`` for a ``DongBoHoSoMC`` record the portal would not take."""
    if not isinstance(record, dict):
        raise Refused(2, "Mỗi hồ sơ phải là một đối tượng JSON.", where)
    for name in ("MaHoSo", "MaTTHC", "TenTTHC", "DonViXuLy"):
        _text(record, name, where)
    for name in ("ChuHoSo", "SoBienNhan", "MaLinhVuc", "TenLinhVuc", "Email", "SoDienThoai"):
        _text(record, name, where, required=False)
    _int_in(record, "TrangThaiHoSo", where, range(1, 11), required=True)
    _int_in(record, "KenhThucHien", where, (1, 2, 3), required=False)
    _int_in(record, "HinhThuc", where, (0, 1), required=False)
    _int_in(record, "DuocThanhToanTrucTuyen", where, (0, 1, 2), required=False)
    _int_in(record, "LoaiDoiTuong", where, (1, 2, 3), required=False)
    for name in DATE_FIELDS:
        if name in record and not _stamp_ok(record[name]):
            raise Refused(2, f"Trường {name} phải có dạng yyyyMMddHHmmss.", f"{where}.{name}")
    for name in LIST_FIELDS:
        if name in record and not isinstance(record[name], list):
            raise Refused(2, f"Trường {name} phải là danh sách.", f"{where}.{name}")
    for i, fee in enumerate(record.get("DanhSachLePhi") or []):
        if not isinstance(fee, dict) or not isinstance(fee.get("TenPhiLePhi"), str):
            raise Refused(2, "Lệ phí thiếu TenPhiLePhi.", f"{where}.DanhSachLePhi[{i}]")
    for i, doc in enumerate(record.get("TaiLieuNop") or []):
        if not isinstance(doc, dict) or not isinstance(doc.get("TenTepDinhKem"), str):
            raise Refused(2, "Tài liệu nộp thiếu TenTepDinhKem.", f"{where}.TaiLieuNop[{i}]")
    if record.get("MaKetQua") and not record.get("DuongDanTepTinKetQua"):
        raise Refused(2, "Có MaKetQua thì phải có DuongDanTepTinKetQua.", f"{where}.DuongDanTepTinKetQua")


def check_progress(event: Any, where: str, known: Callable[[str], bool]) -> None:
    if not isinstance(event, dict):
        raise Refused(2, "Mỗi tiến độ phải là một đối tượng JSON.", where)
    _text(event, "MaHoSo", where)
    _text(event, "NguoiXuLy", where, required=False)
    _int_in(event, "TrangThai", where, range(1, 11), required=True)
    for name in ("ThoiDiemXuLy",):
        if not _stamp_ok(event.get(name)) or not event.get(name):
            raise Refused(2, f"Trường {name} phải có dạng yyyyMMddHHmmss.", f"{where}.{name}")
    for name in ("NgayBatDau", "NgayKetThucTheoQuyDinh"):
        if name in event and not _stamp_ok(event[name]):
            raise Refused(2, f"Trường {name} phải có dạng yyyyMMddHHmmss.", f"{where}.{name}")
    if not known(event["MaHoSo"]):
        raise Refused(3, f"Hồ sơ {event['MaHoSo']} chưa được đồng bộ lên Cổng.", f"{where}.MaHoSo")


def _data(body: dict[str, Any]) -> list[Any]:
    data = body.get("data")
    if not isinstance(data, list) or not data or len(data) > 100:
        raise Refused(2, "Trường data phải là danh sách từ 1 đến 100 phần tử.", "data")
    return data


class Portal:
    """What the simulated portal holds (thread-safe)."""

    def __init__(
        self,
        path: Path | None = None,
        *,
        username: str = "motcua",
        password: str = "motcua",  # noqa: S107 — the simulator's own demo account
        fail_first: int = 0,
        down_seconds: float = 0,
        slow_ms: int = 0,
        session_seconds: float = 1800,
        incoming: Path | None = None,
    ) -> None:
        self.path = path
        self.username, self.password = username, password
        self.fail_first = fail_first
        self.slow_ms = slow_ms
        self.session_seconds = session_seconds
        self.lock = threading.Lock()
        self.accepted: dict[str, str] = {}  # idempotency key → receipt
        self.dossiers: dict[str, dict[str, Any]] = {}  # MaHoSo → the latest record
        self.progress: dict[str, list[dict[str, Any]]] = {}
        self.sessions: dict[str, float] = {}
        # Dossiers submitted on the portal for the province, waiting to be taken (LayHoSoMoi).
        self.incoming: dict[str, dict[str, Any]] = {}
        # The national catalogue as the portal publishes it (LayThuTuc), by MaTTHC.
        self.procedures: dict[str, dict[str, Any]] = {}
        self.taken: set[str] = set()
        self.calls = 0
        self.repeats = 0
        self.sign_ins = 0
        self.down_until = time.monotonic() + down_seconds
        if path is not None and path.exists():
            self._load(path)
        if incoming is not None and incoming.exists():
            lines = incoming.read_text(encoding="utf-8").splitlines()
            self.submit([json.loads(line) for line in lines if line.strip()])

    def _load(self, path: Path) -> None:
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    self._keep(json.loads(line))

    def _keep(self, entry: dict[str, Any]) -> None:
        self.accepted[entry["idempotency_key"]] = entry["receipt"]
        payload = entry["payload"]
        for item in payload.get("data") or []:
            if entry["service"] == "DongBoHoSoMC":
                self.dossiers[item["MaHoSo"]] = item
            else:
                self.progress.setdefault(item["MaHoSo"], []).append(item)

    # -- state for the HTTP handler ---------------------------------------------------------------

    def down(self) -> bool:
        return time.monotonic() < self.down_until

    def go_down(self, seconds: float) -> None:
        self.down_until = time.monotonic() + seconds

    def sign_in(self, body: Any) -> dict[str, Any]:
        if (
            not isinstance(body, dict)
            or body.get("username") != self.username
            or body.get("password") != self.password
        ):
            return {"error_code": 1, "message": "Sai tên đăng nhập hoặc mật khẩu."}
        token = secrets.token_urlsafe(24)
        with self.lock:
            self.sign_ins += 1
            self.sessions[token] = time.monotonic() + self.session_seconds
        return {"error_code": 0, "session": token, "expires_in": int(self.session_seconds)}

    def _check_session(self, token: Any) -> None:
        with self.lock:
            expiry = self.sessions.get(token) if isinstance(token, str) else None
            if expiry is not None and expiry < time.monotonic():
                del self.sessions[token]
                expiry = None
        if expiry is None:
            raise Refused(-1, "Phiên làm việc không hợp lệ hoặc đã hết hạn.", status=401)

    def call(self, body: Any, key: str) -> tuple[int, dict[str, Any]]:
        with self.lock:
            self.calls += 1
            failing = self.calls <= self.fail_first
        if failing:
            return 500, {"error_code": 500, "message": "Lỗi máy chủ Cổng DVCQG (mô phỏng)."}
        try:
            if not isinstance(body, dict):
                raise Refused(2, "Thông điệp phải là một đối tượng JSON.")
            self._check_session(body.get("session"))
            service = body.get("service")
            if service == "TraCuuHoSo":
                with self.lock:
                    found = self.dossiers.get(str(body.get("MaHoSo", "")))
                return 200, {"error_code": 0, "result": [found] if found else []}
            if service == "LayThuTuc":
                with self.lock:
                    known = self.procedures.get(str(body.get("MaTTHC", "")))
                return 200, {"error_code": 0, "result": [known] if known else []}
            if service == "LayHoSoMoi":
                with self.lock:
                    waiting = [r for code, r in self.incoming.items() if code not in self.taken][:50]
                return 200, {"error_code": 0, "result": waiting}
            if service == "XacNhanHoSo":
                codes = body.get("DanhSachMaHoSo")
                if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
                    raise Refused(2, "Trường DanhSachMaHoSo phải là danh sách mã hồ sơ.", "DanhSachMaHoSo")
                with self.lock:
                    taken = [c for c in codes if c in self.incoming]
                    for number in taken:
                        self.taken.add(number)
                        self.dossiers.setdefault(number, self.incoming[number])
                return 200, {"error_code": 0, "SoHoSo": len(taken)}
            if service not in WRITE_SERVICES:
                raise Refused(4, f"Dịch vụ {service!r} không được hỗ trợ.", "service")
            if not key:
                raise Refused(2, "Thiếu tiêu đề Idempotency-Key.", "Idempotency-Key", status=400)
            with self.lock:
                if key in self.accepted:
                    self.repeats += 1
                    return 200, {
                        "error_code": 0,
                        "message": "Đã tiếp nhận trước đó.",
                        "MaTiepNhan": self.accepted[key],
                        "TrungLap": True,
                    }
                payload = {k: v for k, v in body.items() if k not in ("session",)}
                data = _data(payload)
                if service == "DongBoHoSoMC":
                    if not isinstance(payload.get("isUpdating"), bool):
                        raise Refused(2, "Trường isUpdating phải là true/false.", "isUpdating")
                    for i, record in enumerate(data):
                        check_record(record, f"data[{i}]")
                else:
                    for i, event in enumerate(data):
                        check_progress(event, f"data[{i}]", self.dossiers.__contains__)
                receipt = f"DVCQG-{len(self.accepted) + 1:08d}"
                entry = {
                    "service": service,
                    "MaHoSo": data[0].get("MaHoSo", ""),
                    "idempotency_key": key,
                    "receipt": receipt,
                    "received_at": datetime.now(UTC).isoformat(),
                    "payload": payload,
                }
                if self.path is not None:
                    with self.path.open("a", encoding="utf-8") as fh:
                        fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
                self._keep(entry)
            return 200, {"error_code": 0, "message": "Thành công.", "MaTiepNhan": receipt}
        except Refused as exc:
            return exc.status, exc.body()

    def submit(self, records: Any) -> dict[str, Any]:
        """Dossiers submitted on the portal (status 1, online) for the province to take."""
        if not isinstance(records, list) or not records:
            raise Refused(2, "Cần danh sách hồ sơ (data).", "data")
        for i, record in enumerate(records):
            check_record(record, f"data[{i}]")
            if record.get("TrangThaiHoSo") != 1:
                raise Refused(2, "Hồ sơ mới nộp phải có TrangThaiHoSo 1.", f"data[{i}].TrangThaiHoSo")
        with self.lock:
            for record in records:
                self.incoming[record["MaHoSo"]] = record
        return {"error_code": 0, "SoHoSo": len(records)}

    def publish(self, procedures: Any) -> dict[str, Any]:
        """Procedures as the portal publishes them (``LayThuTuc``): ``[{"MaTTHC", "TENTTHC", …}]``."""
        if not isinstance(procedures, list) or not all(
            isinstance(p, dict) and isinstance(p.get("MaTTHC"), str) and p["MaTTHC"] for p in procedures
        ):
            raise Refused(2, "Cần danh sách thủ tục, mỗi thủ tục có MaTTHC.", "data")
        with self.lock:
            for procedure in procedures:
                self.procedures[procedure["MaTTHC"]] = procedure
        return {"error_code": 0, "SoThuTuc": len(procedures)}

    def state(self) -> dict[str, Any]:
        with self.lock:
            return {
                "accepted": len(self.accepted),
                "dossiers": len(self.dossiers),
                "progress_events": sum(len(v) for v in self.progress.values()),
                "calls": self.calls,
                "repeats": self.repeats,
                "sign_ins": self.sign_ins,
                "incoming": len(self.incoming) - len(self.taken & set(self.incoming)),
                "down": self.down(),
            }


def handler_for(portal: Portal) -> type[BaseHTTPRequestHandler]:
    class Handler(SimulatorHandler):
        server_version = "motcua-dvcqg-simulator/1"
        protocol_version = "HTTP/1.1"  # keep-alive, as the real adapter gateway

        def _body(self) -> Any:
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                raise Refused(2, "Thông điệp lớn quá.", status=413)
            raw = self.rfile.read(length)
            try:
                return json.loads(raw.decode("utf-8") or "null")
            except (UnicodeDecodeError, json.JSONDecodeError):
                raise Refused(2, "Nội dung không phải JSON hợp lệ.", status=400) from None

        def _hang_up(self) -> None:
            self.close_connection = True  # down: no answer at all

        def do_GET(self) -> None:
            if self.path.rstrip("/") == "/_simulator/state":
                self._reply(200, portal.state())
            elif self.path.startswith("/_simulator/ho-so/"):
                code = self.path.rsplit("/", 1)[-1]
                with portal.lock:
                    found = {"record": portal.dossiers.get(code), "progress": portal.progress.get(code, [])}
                self._reply(200 if found["record"] else 404, found)
            else:
                self._reply(404, {"error_code": 404, "message": "Không có địa chỉ này."})

        def do_POST(self) -> None:
            try:
                body = self._body()
                if self.path.rstrip("/") == "/_simulator/down":
                    portal.go_down(float((body or {}).get("seconds", 0)))
                    self._reply(200, portal.state())
                    return
                if self.path.rstrip("/") == "/_simulator/ho-so-moi":
                    self._reply(200, portal.submit((body or {}).get("data")))
                    return
                if self.path.rstrip("/") == "/_simulator/thu-tuc":
                    self._reply(200, portal.publish((body or {}).get("data")))
                    return
                if portal.down():
                    self._hang_up()
                    return
                if portal.slow_ms:
                    time.sleep(portal.slow_ms / 1000)
                if self.path.rstrip("/") == "/auth":
                    self._reply(200, portal.sign_in(body))
                elif self.path.rstrip("/") == "/integration":
                    status, reply = portal.call(body, (self.headers.get("Idempotency-Key") or "").strip())
                    self._reply(status, reply)
                else:
                    self._reply(404, {"error_code": 404, "message": "Không có địa chỉ này."})
            except Refused as exc:
                self._reply(exc.status, exc.body())

    return Handler


def make_server(
    host: str = "127.0.0.1", port: int = 0, portal: Portal | None = None
) -> tuple[ThreadingHTTPServer, Portal]:
    """A server bound to ``host:port`` (0 = any free port); call ``serve_forever`` to run it."""
    chosen = portal or Portal()
    return serve(host, port, handler_for(chosen)), chosen
