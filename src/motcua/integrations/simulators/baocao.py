"""A local stand-in for the national reporting system: a real HTTP server (``http.server``).

``motcua reporting simulator --port 8090 [--store FILE] [--token T] [--fail-first N]``

- ``POST /`` (any path) with a ``NopBaoCao`` JSON body (❓ assumed shape, docs/reporting.md) and an
  ``Idempotency-Key`` header → ``201 {"MaTiepNhan": "BC-000001", "TrangThai": "DaTiepNhan", …}``; the
  same key again → ``200`` with the first receipt and ``"TrungLap": true`` (nothing stored twice).
- A bad message → ``400 {"MaLoi": …, "MoTa": …, "Truong": …}``: ``JSON_LOI`` (not JSON),
  ``THIEU_KHOA`` (no Idempotency-Key), ``THIEU_TRUONG`` (a required field missing), ``SAI_KIEU`` (a field of
  the wrong type); ``415`` for another content type; ``401 CHUA_XAC_THUC`` when a token is required and not
  given.
- ``--fail-first N`` answers the first N posts with ``503 TAM_NGUNG`` (to watch the sender retry).
- ``GET /bao-cao`` lists what was received (for people and tests).

Received reports are kept in memory and, with ``--store FILE``, appended to a JSON-lines file.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from motcua.integrations.simulators.common import SimulatorHandler, serve

MAX_BODY = 2 * 1024 * 1024

# field path → expected Python type(s); "*" = each element of a list
REQUIRED: tuple[tuple[str, tuple[type, ...]], ...] = (
    ("PhienBanThongDiep", (str,)),
    ("MaBaoCao", (str,)),
    ("TenBaoCao", (str,)),
    ("KyBaoCao", (dict,)),
    ("KyBaoCao.MaKy", (str,)),
    ("KyBaoCao.LoaiKy", (str,)),
    ("KyBaoCao.Nam", (int,)),
    ("KyBaoCao.TuNgay", (str,)),
    ("KyBaoCao.DenNgay", (str,)),
    ("DonViGui", (dict,)),
    ("DonViGui.MaNoiBo", (str,)),
    ("DonViGui.Ten", (str,)),
    ("PhienBan", (int,)),
    ("BieuMau", (list,)),
    ("BamNoiDung", (str,)),
)


class Rejection(Exception):
    def __init__(self, status: int, code: str, text: str, field: str = "") -> None:
        super().__init__(text)
        self.status, self.code, self.text, self.field = status, code, text, field

    def body(self) -> dict[str, Any]:
        out = {"MaLoi": self.code, "MoTa": self.text}
        if self.field:
            out["Truong"] = self.field
        return out


def _get(body: dict[str, Any], path: str) -> Any:
    current: Any = body
    for part in path.split("."):
        if not isinstance(current, dict) or part not in current:
            raise KeyError(path)
        current = current[part]
    return current


def validate(body: Any) -> None:
    """Raise ``Rejection`` for a message that is not a well-formed ``NopBaoCao``."""
    if not isinstance(body, dict):
        raise Rejection(400, "SAI_KIEU", "Thông điệp phải là một đối tượng JSON.")
    for path, types in REQUIRED:
        try:
            value = _get(body, path)
        except KeyError:
            raise Rejection(400, "THIEU_TRUONG", f"Thiếu trường {path}.", path) from None
        if isinstance(value, bool) or not isinstance(value, types):
            raise Rejection(400, "SAI_KIEU", f"Trường {path} sai kiểu.", path)
    for i, form in enumerate(body["BieuMau"]):
        where = f"BieuMau[{i}]"
        if not isinstance(form, dict) or not isinstance(form.get("KyHieu"), str):
            raise Rejection(400, "THIEU_TRUONG", f"Thiếu {where}.KyHieu.", f"{where}.KyHieu")
        rows = form.get("ChiTieu")
        if not isinstance(rows, list) or not rows:
            raise Rejection(
                400, "THIEU_TRUONG", f"{where}.ChiTieu phải là danh sách không rỗng.", f"{where}.ChiTieu"
            )
        for j, row in enumerate(rows):
            at = f"{where}.ChiTieu[{j}]"
            if not isinstance(row, dict) or not isinstance(row.get("Ma"), str):
                raise Rejection(400, "THIEU_TRUONG", f"Thiếu {at}.Ma.", f"{at}.Ma")
            value = row.get("GiaTri")
            if value is not None and (isinstance(value, bool) or not isinstance(value, int | float | str)):
                raise Rejection(400, "SAI_KIEU", f"{at}.GiaTri phải là số, chuỗi hoặc null.", f"{at}.GiaTri")


class Store:
    """What the simulator received, by idempotency key (thread-safe)."""

    def __init__(self, path: Path | None = None, *, fail_first: int = 0, token: str = "") -> None:
        self.path = path
        self.fail_first = fail_first
        self.token = token
        self.lock = threading.Lock()
        self.reports: dict[str, dict[str, Any]] = {}
        self.posts = 0

    def receive(self, key: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self.lock:
            if key in self.reports:
                first = self.reports[key]
                return 200, {**first["receipt"], "TrungLap": True}
            receipt = {
                "MaTiepNhan": f"BC-{len(self.reports) + 1:06d}",
                "TrangThai": "DaTiepNhan",
                "ThoiDiem": datetime.now(UTC).isoformat(),
            }
            self.reports[key] = {"receipt": receipt, "body": body}
            if self.path is not None:
                with self.path.open("a", encoding="utf-8") as fh:
                    fh.write(json.dumps({"key": key, **receipt, "body": body}, ensure_ascii=False) + "\n")
            return 201, receipt


def handler_for(store: Store) -> type[BaseHTTPRequestHandler]:
    class Handler(SimulatorHandler):
        server_version = "motcua-baocao-simulator/1"

        def do_GET(self) -> None:
            with store.lock:
                listing = [
                    {"key": k, **v["receipt"], "MaBaoCao": v["body"].get("MaBaoCao")}
                    for k, v in store.reports.items()
                ]
            self._reply(200, {"SoBaoCao": len(listing), "BaoCao": listing})

        def do_POST(self) -> None:
            try:
                length = int(self.headers.get("Content-Length") or 0)
                if length > MAX_BODY:
                    raise Rejection(413, "QUA_LON", "Thông điệp lớn quá.")
                raw = self.rfile.read(length)
                with store.lock:
                    store.posts += 1
                    failing = store.posts <= store.fail_first
                if failing:
                    raise Rejection(503, "TAM_NGUNG", "Hệ thống báo cáo tạm ngừng (mô phỏng).")
                if store.token and self.headers.get("Authorization", "") != f"Bearer {store.token}":
                    raise Rejection(401, "CHUA_XAC_THUC", "Thiếu hoặc sai mã truy cập.")
                if "application/json" not in (self.headers.get("Content-Type") or ""):
                    raise Rejection(415, "SAI_DINH_DANG", "Nội dung phải là application/json.")
                key = (self.headers.get("Idempotency-Key") or "").strip()
                if not key:
                    raise Rejection(400, "THIEU_KHOA", "Thiếu tiêu đề Idempotency-Key.", "Idempotency-Key")
                try:
                    body = json.loads(raw.decode("utf-8"))
                except (UnicodeDecodeError, json.JSONDecodeError):
                    raise Rejection(400, "JSON_LOI", "Nội dung không phải JSON hợp lệ.") from None
                validate(body)
                status, reply = store.receive(key, body)
                self._reply(status, reply)
            except Rejection as exc:
                self._reply(exc.status, exc.body())

    return Handler


def make_server(
    host: str = "127.0.0.1", port: int = 0, store: Store | None = None
) -> tuple[ThreadingHTTPServer, Store]:
    """A server bound to ``host:port`` (0 = any free port); call ``serve_forever`` to run it."""
    chosen = store or Store()
    return serve(host, port, handler_for(chosen)), chosen
