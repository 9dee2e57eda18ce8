"""Import of dossiers from JSON Lines in the national sync shape (``DongBoHoSoMC``).

Two passes over the file:

1. **Validation** — every line is decoded (UTF-8), parsed, checked for characters no store accepts
   and for nesting (``importing_checks``), checked field by field and turned into its history (the
   events its dates imply, each checked against ``rules.TRANSITIONS``). Nothing is written; any
   problem is collected with its line number and field. One bad line rejects the whole file
   (``ImportRejected``, ``details`` = every problem).
2. **Writing**, in batches of ``batch_size`` lines, all in **one transaction**: placeholder
   procedures and units for unknown codes, applicants (``core.Person`` / ``core.Organisation``),
   dossiers, their components, fees, supplements and apologies, and the events — plain rows made
   straight from the parsed lines (no model instances), ``COPY`` on PostgreSQL, ``bulk_create``
   elsewhere — and **one audit entry per batch** (``dossier.import``), appended with the
   placeholders' entries at the end (``audit.held``). No outbox message is written: nothing is
   re-sent to the national portal. While a batch is written, a second thread prepares the next
   batch's new dossiers (``Writer.prepare``: pure Python, no database); every write stays in the
   calling thread, on its connection, so a failure anywhere stores nothing at all.

A line whose ``MaHoSo`` already exists changes nothing when the dossier's export already gives the
line's values, and otherwise becomes **one** ``import_update`` event that sets the state and dates the
line states (the projection columns stay a fold of the events, ``lock_version`` = number of events).

The conventions (units, channels, applicant types) are those of domain.md §0; the line format, the
mapping and the round trip are described in docs/dossiers-import.md.
"""

from __future__ import annotations

import io
import json
import re
import sys
import time as clock
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from django.db import connection, transaction
from django.db.models import F, Lookup
from django.utils import timezone

from motcua.catalogue.models import Component, LimitUnit, Procedure, ProcedureVersion, WorkflowStep
from motcua.catalogue.schema import PROCEDURE_CODE_PATTERN
from motcua.core import audit
from motcua.core.errors import DomainError
from motcua.core.identity import IdentityError, normalise_tax_code, parse_citizen_id
from motcua.core.models import Organisation, OrgUnit, Person
from motcua.core.rules import rule_value
from motcua.core.text import fold
from motcua.dossiers import importing_checks as checks
from motcua.dossiers import jsonl, national, projection, rules
from motcua.dossiers.importing_checks import LineProblem
from motcua.dossiers.jsonl import MISSING
from motcua.dossiers.models import (
    Channel,
    Dossier,
    DossierComponent,
    DossierEvent,
    DossierFee,
    DueReset,
    OnlinePayment,
    ResultDelivery,
    Supplement,
)
from motcua.dossiers.rules import Action, State, TransitionNotAllowed
from motcua.workdays.domain import to_local

IMPORT_LABEL = "Nhập từ tệp đồng bộ hồ sơ"  # shown as the actor of imported events
PLACEHOLDER_NOTE = "Bản ghi tạm từ dữ liệu nhập: mã đơn vị chưa có trong danh mục, cần rà soát."
MAX_ERRORS = 10_000

STATE_OF_CODE: dict[int, State] = {
    1: State.SUBMITTED,
    2: State.RECEIVED,
    3: State.REFUSED_AT_INTAKE,
    4: State.IN_PROGRESS,
    5: State.AWAITING_SUPPLEMENT,
    6: State.AWAITING_PAYMENT,
    7: State.WITHDRAWN,
    8: State.STOPPED,
    9: State.RESULT_READY,
    10: State.RETURNED,
}
LIST_KEYS = frozenset(jsonl.ITEM_LISTS)
_EID = re.compile(r"^[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Z][0-9]{2}$")
_UNIT_CODE = re.compile(r"^[^/\s]{1,40}$")


class ImportRejected(DomainError):
    """The file has problems; nothing was written. ``details``: every problem, by line."""

    code = "import_invalid"


@dataclass(frozen=True)
class Problem:
    line: int
    field: str
    message: str
    code: str = ""  # MaHoSo of the line, when it has one

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "field": self.field, "message": self.message, "MaHoSo": self.code}

    def __str__(self) -> str:
        where = f"dòng {self.line}" + (f" ({self.code})" if self.code else "")
        return f"{where}, {self.field}: {self.message}"


class _Bad(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass
class Summary:
    lines: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    events: int = 0
    applicants_created: int = 0
    placeholder_procedures: list[str] = field(default_factory=list)
    placeholder_units: list[str] = field(default_factory=list)
    batches: int = 0
    seconds: float = 0.0

    @property
    def placeholders(self) -> int:
        return len(self.placeholder_procedures) + len(self.placeholder_units)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": True,
            "lines": self.lines,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "events": self.events,
            "applicants_created": self.applicants_created,
            "placeholders": {"procedures": self.placeholder_procedures, "units": self.placeholder_units},
            "batches": self.batches,
            "seconds": round(self.seconds, 3),
            "per_second": round(self.lines / self.seconds, 1) if self.seconds else None,
        }


# -- parsed lines ----------------------------------------------------------------------------------


@dataclass
class Item:
    """One element of a list field, with the file's own object."""

    raw: dict[str, Any]
    values: dict[str, Any]


@dataclass
class Ev:
    """One event of the history a line implies, before ids and steps are known."""

    action: Action
    at: datetime
    to_state: State
    step: str | None  # "first", "next", "keep", "closing" or None (no step)
    due: datetime | None
    data: dict[str, Any]
    actor: str = IMPORT_LABEL
    supplement: int | None = None  # index into Parsed.supplements


@dataclass
class Parsed:
    line: int
    raw: dict[str, Any]
    code: str
    procedure_code: str
    state: State
    channel: int
    submitted: datetime
    received: datetime | None
    due: datetime | None
    applicant_type: int | None  # None: not given, for an applicant without an identity number
    applicant_id: str  # "": no identity number (kept by name only)
    applicant_name: str
    email: str
    phone: str
    competent_code: str
    receiving_code: str
    result_delivery: str
    scalars: dict[str, Any]
    components: list[Item]
    fees: list[Item]
    supplements: list[Item]
    resets: list[Item]
    events: list[Ev]
    reasons: str

    @property
    def day(self) -> date:
        return to_local(self.received or self.submitted).date()


# -- field checks ----------------------------------------------------------------------------------


def _int(obj: dict[str, Any], key: str, allowed: Iterable[int], *, default: int | None = None) -> int | None:
    value = obj.get(key)
    if value is None or value == "":
        return default
    if type(value) is not int or value not in allowed:  # not a bool either
        allowed = tuple(allowed)
        raise _Bad(key, f"phải là số nguyên trong {{{', '.join(map(str, allowed))}}}, nhận được {value!r}.")
    return value


def _text(obj: dict[str, Any], key: str, *, required: bool = False, max_length: int | None = None) -> str:
    value = obj.get(key)
    if type(value) is str and not required and (max_length is None or len(value) <= max_length):
        return value  # the usual case, quickly
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise _Bad(key, f"phải là chuỗi ký tự, nhận được {value!r}.")
    value = value.strip() if required else value
    if required and not value:
        raise _Bad(key, "bắt buộc, không được để trống.")
    if max_length is not None and len(value) > max_length:
        raise _Bad(key, f"dài quá {max_length} ký tự.")
    return value


def _date(obj: dict[str, Any], key: str, *, required: bool = False, now: datetime) -> datetime | None:
    value = obj.get(key)
    if value is None or value == "":
        if required:
            raise _Bad(key, "bắt buộc (ngày giờ dạng yyyyMMddHHmmss).")
        return None
    moment = _STAMPS.get(value) if type(value) is str else None
    if moment is not None:
        return moment
    try:
        moment = jsonl.parse_stamp(value)
    except ValueError:
        raise _Bad(key, f"không phải ngày giờ dạng yyyyMMddHHmmss (giờ Việt Nam): {value!r}.") from None
    if moment.year < 1990 or moment.year > 2100:
        raise _Bad(key, f"năm {moment.year} không hợp lý.")
    if len(_STAMPS) >= 200_000:
        _STAMPS.clear()
    _STAMPS[value] = moment
    return moment


_STAMPS: dict[str, datetime] = {}  # valid stamps already parsed (datetimes are immutable)


def _list(obj: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise _Bad(key, "phải là một mảng các đối tượng JSON.")
    return value


def _applicant(obj: dict[str, Any]) -> tuple[int | None, str]:
    """(``LoaiDoiTuong``, the CCCD or tax code). Without ``MaDoiTuong`` (absent, null or blank: old
    records) the applicant is kept by name only: (the line's ``LoaiDoiTuong`` or ``None``, "")."""
    raw = obj.get("MaDoiTuong")
    if isinstance(raw, int) and not isinstance(raw, bool):
        raise _Bad("MaDoiTuong", "phải là chuỗi (số định danh có thể bắt đầu bằng 0).")
    number = _text(obj, "MaDoiTuong").replace(" ", "").strip()
    kind = _int(obj, "LoaiDoiTuong", (1, 2))
    if not number:
        return kind, ""
    if kind is None:
        kind = 1 if re.fullmatch(r"\d{12}", number) else 2
    try:
        if kind == 1:
            return 1, parse_citizen_id(number).number
        return 2, normalise_tax_code(number)
    except IdentityError as exc:
        label = "số định danh cá nhân (LoaiDoiTuong 1)" if kind == 1 else "mã số thuế (LoaiDoiTuong 2)"
        raise _Bad("MaDoiTuong", f"không phải {label}: {exc}") from None


class Resolver:
    """Which unit a code names: the known units (electronic id code or internal code), read once."""

    def __init__(self) -> None:
        self.units: dict[str, int] = {}
        self.formats: dict[date, str] = {}
        for pk, code, eid in OrgUnit.objects.values_list("pk", "code", "eid_code"):
            self.units[code] = pk
            if eid:
                self.units[eid] = pk

    def known(self, code: str) -> bool:
        return code in self.units

    def prefix(self, dossier_code: str, day: date) -> str | None:
        """The unit code at the start of ``MaHoSo``: the longest known one, else the format's."""
        parts = dossier_code.split("-")
        for n in range(len(parts) - 1, 0, -1):
            candidate = "-".join(parts[:n])
            if candidate in self.units:
                return candidate
        fmt = self.formats.get(day)
        if fmt is None:
            fmt = self.formats[day] = str(rule_value("dossiers.code_format", day))
        parsed = rules.parse_code(fmt, dossier_code)
        if parsed is not None:
            return parsed[0]
        return parts[0] if len(parts) > 1 else None


def _units(obj: dict[str, Any], code: str, resolver: Resolver, day: date) -> tuple[str, str]:
    """(competent unit code, receiving unit code) by domain.md §0."""
    prefix = resolver.prefix(code, day)
    given = _text(obj, "MaDonVi").strip()
    by_name = _text(obj, "DonViXuLy").strip()
    if given:
        competent = given
    elif by_name and resolver.known(by_name):
        competent = by_name
    elif prefix:
        competent = prefix
    else:
        raise _Bad(
            "MaDonVi", "không xác định được đơn vị xử lý (không có MaDonVi, DonViXuLy, tiền tố MaHoSo)."
        )
    receiving = prefix or competent
    for key, value in (("MaDonVi", competent), ("MaHoSo", receiving)):
        if not resolver.known(value) and not _UNIT_CODE.match(value):
            raise _Bad(
                key, f"mã đơn vị “{value}” không hợp lệ để tạo bản ghi tạm (tối đa 40 ký tự, không '/')."
            )
    return competent, receiving


def _components(obj: dict[str, Any]) -> list[Item]:
    items = []
    for i, raw in enumerate(_list(obj, "TaiLieuNop"), 1):
        where = f"TaiLieuNop[{i}]"
        try:
            values = {
                "name": _text(raw, "TenTepDinhKem"),
                "code": _text(raw, "MaThanhPhanHoSo", max_length=60),
                "digitised": bool(_int(raw, "DuocSoHoa", (0, 1), default=0)),
                "reused": bool(_int(raw, "DuocLayTuKhoDMQG", (0, 1), default=0)),
            }
        except _Bad as bad:
            raise _Bad(f"{where}.{bad.field}", bad.message) from None
        items.append(Item(raw, values))
    return items


def _fees(obj: dict[str, Any]) -> list[Item]:
    items = []
    for i, raw in enumerate(_list(obj, "DanhSachLePhi"), 1):
        where = f"DanhSachLePhi[{i}]"
        try:
            price = raw.get("Gia")
            if price is not None and (
                isinstance(price, bool) or not isinstance(price, int | float) or price < 0
            ):
                raise _Bad("Gia", f"phải là số không âm (đồng), nhận được {price!r}.")
            values = {
                "name": _text(raw, "TenPhiLePhi", max_length=400),
                "amount": None if price is None else Decimal(str(price)).quantize(Decimal(1)),
                "kind": jsonl.FEE_KINDS[_int(raw, "LoaiPhiLePhi", (1, 2, 3), default=1) or 1],
                "collect_at": _int(raw, "HinhThucThu", (1, 2, 4), default=1),
                "paid": bool(_int(raw, "TrangThaiThanhToan", (0, 1), default=0)),
            }
        except _Bad as bad:
            raise _Bad(f"{where}.{bad.field}", bad.message) from None
        items.append(Item(raw, values))
    return items


def _supplements(obj: dict[str, Any], now: datetime) -> list[Item]:
    items = []
    for i, raw in enumerate(_list(obj, "DanhSachHoSoBoSung"), 1):
        where = f"DanhSachHoSoBoSung[{i}]"
        try:
            papers = raw.get("DanhSachGiayToBoSung") or []
            if not isinstance(papers, list):
                raise _Bad("DanhSachGiayToBoSung", "phải là một mảng.")
            names = [
                str(p.get("TenGiayTo", "")) if isinstance(p, dict) else str(p)
                for p in papers
                if p is not None
            ]
            values = {
                "requested_at": _date(raw, "NgayBoSung", required=True, now=now),
                "received_at": _date(raw, "NgayTiepNhanBoSung", now=now),
                "reasons": _text(raw, "NoiDungBoSung"),
                "note": _text(raw, "ThongTinTiepNhan"),
                "requester": _text(raw, "NguoiYeuCauBoSung"),
                "due_before": _date(raw, "NgayHenTraTruoc", now=now),
                "due_after": _date(raw, "NgayHenTraMoi", now=now),
                "items": names,
            }
            _int(raw, "TrangThaiBoSung", range(0, 10))
            if values["received_at"] is not None and values["received_at"] < values["requested_at"]:
                raise _Bad("NgayTiepNhanBoSung", "trước NgayBoSung.")
        except _Bad as bad:
            raise _Bad(f"{where}.{bad.field}", bad.message) from None
        items.append(Item(raw, values))
    open_ = [i for i, s in enumerate(items, 1) if s.values["received_at"] is None]
    if open_ and open_ != [len(items)]:
        raise _Bad(
            f"DanhSachHoSoBoSung[{open_[0]}].NgayTiepNhanBoSung",
            "chỉ lần bổ sung cuối cùng được phép chưa nhận (các lần trước phải có ngày nhận).",
        )
    return items


def _resets(obj: dict[str, Any], now: datetime) -> list[Item]:
    items = []
    for i, raw in enumerate(_list(obj, "DanhSachHenLai"), 1):
        where = f"DanhSachHenLai[{i}]"
        try:
            values = {
                "recorded_at": _date(raw, "NgayXinLoi", required=True, now=now),
                "old_due": _date(raw, "NgayHenTraTruoc", now=now),
                "new_due": _date(raw, "NgayHenTraMoi", required=True, now=now),
                "reason": _text(raw, "LyDo"),
            }
        except _Bad as bad:
            raise _Bad(f"{where}.{bad.field}", bad.message) from None
        items.append(Item(raw, values))
    return items


def _scalars(obj: dict[str, Any]) -> dict[str, Any]:
    """The 766 inputs kept on the dossier (``None`` / "" when the line does not give them)."""
    limit = obj.get("ThoiGianGiaiQuyet")
    if limit is not None and limit != "":
        if isinstance(limit, bool) or not isinstance(limit, int | float) or limit < 0:
            raise _Bad("ThoiGianGiaiQuyet", f"phải là số không âm, nhận được {limit!r}.")
        try:
            limit = Decimal(str(limit)).quantize(Decimal("0.01"))
        except InvalidOperation:
            raise _Bad("ThoiGianGiaiQuyet", "quá lớn.") from None
        if limit >= Decimal("1e8"):
            raise _Bad("ThoiGianGiaiQuyet", "quá lớn.")
    else:
        limit = None
    digitised = _int(obj, "HoSoCoThanhPhanSoHoa", (0, 1))
    vneid = _int(obj, "TaiKhoanDuocXacThucVoiVNeID", (0, 1))
    csdl = obj.get("MaCSDL")
    if csdl is not None and (isinstance(csdl, bool) or not isinstance(csdl, int | str)):
        raise _Bad("MaCSDL", "phải là chuỗi hoặc số nguyên.")
    if csdl is not None and len(str(csdl)) > 60:
        raise _Bad("MaCSDL", "dài quá 60 ký tự.")
    return {
        "online_payment": _int(obj, "DuocThanhToanTrucTuyen", (0, 1, 2)),
        "result_code": _text(obj, "MaKetQua", max_length=100),
        "result_file_url": _text(obj, "DuongDanTepTinKetQua", max_length=1000),
        "has_digitised_components": None if digitised is None else bool(digitised),
        "vneid_authenticated": None if vneid is None else bool(vneid),
        "population_db_code": "" if csdl is None else str(csdl),
        "time_limit_value": limit,
        "time_limit_unit": _text(obj, "DonViTinh", max_length=40),
    }


def _state(obj: dict[str, Any]) -> State:
    if "TrangThaiHoSo" not in obj or obj["TrangThaiHoSo"] in (None, ""):
        raise _Bad("TrangThaiHoSo", "bắt buộc (mã trạng thái 1–10).")
    code = _int(obj, "TrangThaiHoSo", range(1, 11))
    assert code is not None
    internal = obj.get(jsonl.INTERNAL_STATE_FIELD)
    if internal in (None, ""):
        return STATE_OF_CODE[code]
    try:
        state = State(internal)
    except ValueError:
        raise _Bad(jsonl.INTERNAL_STATE_FIELD, f"trạng thái nội bộ “{internal}” không có.") from None
    if rules.national_status(state) != code:
        raise _Bad(jsonl.INTERNAL_STATE_FIELD, f"“{internal}” không ứng với TrangThaiHoSo {code}.")
    return state


# -- the history a line implies -------------------------------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else to_local(moment).isoformat()


def _dues(
    p_due: datetime | None, changes: list[tuple[datetime | None, datetime | None]]
) -> list[datetime | None]:
    """The due moment at receipt and after each due-changing event (received supplement or apology),
    from their "before" / "after" values; the last one is the line's ``NgayHenTra``."""
    n = len(changes)
    dues: list[datetime | None] = [None] * (n + 1)
    known = [False] * (n + 1)
    dues[n], known[n] = p_due, True
    for k in range(n):
        before, after = changes[k]
        if before is not None and not known[k]:
            dues[k], known[k] = before, True
        if after is not None and k + 1 < n:
            dues[k + 1], known[k + 1] = after, True
    for k in range(1, n + 1):  # forward fill
        if not known[k] and known[k - 1]:
            dues[k], known[k] = dues[k - 1], True
    for k in range(n - 1, -1, -1):  # backward fill what is still unknown (the receipt's due)
        if not known[k]:
            dues[k], known[k] = dues[k + 1], True
    return dues


_NEXT: dict[tuple[State | None, Action], State] = {}
NATIONAL_STATUS: dict[State, int] = {s: rules.national_status(s) for s in State}


def _next_state(state: State | None, action: Action) -> State:
    """``rules.next_state``, remembered (the transitions are fixed; a refusal is not remembered)."""
    target = _NEXT[(state, action)] = rules.next_state(state, action)
    return target


def plan(p: Parsed, now: datetime) -> list[Ev]:
    """The events of ``p``'s history, checked against the transition table and in time order."""
    events: list[Ev] = []
    state: State | None = None
    last: tuple[datetime, str] | None = None
    latest = now + timedelta(minutes=10)

    def add(
        action: Action,
        at: datetime,
        source: str,
        step: str | None,
        due: datetime | None,
        data: dict[str, Any] | None = None,
        actor: str = IMPORT_LABEL,
        supplement: int | None = None,
    ) -> None:
        nonlocal state, last
        try:
            to_state = _NEXT.get((state, action)) or _next_state(state, action)
        except TransitionNotAllowed as exc:
            raise _Bad(source, f"lịch sử không hợp lệ: {exc.message}") from None
        if last is not None and at < last[0]:
            raise _Bad(source, f"{jsonl.stamp(at)} trước {last[1]} ({jsonl.stamp(last[0])}).")
        if at > latest:
            raise _Bad(source, f"thời điểm {jsonl.stamp(at)} ở tương lai.")
        events.append(Ev(action, at, to_state, step, due, {} if data is None else data, actor, supplement))
        state, last = to_state, (at, source)

    target = p.state
    finished = _date(p.raw, "NgayKetThucXuLy", now=now)
    returned = _date(p.raw, "NgayTra", now=now)
    received = p.received
    never_received = target in (State.SUBMITTED, State.REFUSED_AT_INTAKE)
    if never_received and received is not None and target is State.SUBMITTED:
        raise _Bad(
            "NgayTiepNhan", "hồ sơ “Mới đăng ký” (TrangThaiHoSo 1) chưa được tiếp nhận nên không có ngày này."
        )
    if received is None and target not in (State.SUBMITTED, State.REFUSED_AT_INTAKE, State.WITHDRAWN):
        raise _Bad("NgayTiepNhan", f"bắt buộc với TrangThaiHoSo {rules.national_status(target)}.")
    if never_received and p.due is not None:
        raise _Bad("NgayHenTra", "hồ sơ chưa được tiếp nhận thì không có hạn trả.")
    if (never_received or received is None) and (p.supplements or p.resets):
        key = "DanhSachHoSoBoSung" if p.supplements else "DanhSachHenLai"
        raise _Bad(key, "hồ sơ chưa được tiếp nhận thì không có bổ sung hay hẹn lại.")
    # Due-changing events in time order (a supplement's request comes before its receipt).
    middle: list[tuple[datetime, int, str, int]] = []
    for i, s in enumerate(p.supplements):
        # at equal moments: each request before its receipt, and in list order
        middle.append((s.values["requested_at"], 2 * i, "request", i))
        if s.values["received_at"] is not None:
            middle.append((s.values["received_at"], 2 * i + 1, "receive", i))
    for j, r in enumerate(p.resets):
        middle.append((r.values["recorded_at"], 1_000_000 + j, "reset", j))
    middle.sort(key=lambda m: (m[0], m[1]))
    changes = []
    restarts = []  # per change: a received supplement restarts the statutory clock, an apology does not
    for _, _, kind, i in middle:
        if kind == "receive":
            s = p.supplements[i].values
            changes.append((s["due_before"], s["due_after"]))
            restarts.append(True)
        elif kind == "reset":
            r = p.resets[i].values
            changes.append((r["old_due"], r["new_due"]))
            restarts.append(False)
    if changes and changes[-1][1] is not None and changes[-1][1] != p.due:
        raise _Bad("NgayHenTra", "khác NgayHenTraMoi của lần bổ sung hoặc hẹn lại cuối cùng.")
    given = _dues(p.due, changes)  # NgayHenTra after each change, as the citizen was told
    # the statutory due after each change (every event's due_at): an apology's date is not one
    dues = [given[0]]
    for j, restart in enumerate(restarts):
        dues.append(given[j + 1] if restart else dues[j])

    online_path = never_received or received is None or p.channel == Channel.ONLINE
    if online_path:
        add(Action.SUBMIT_ONLINE, p.submitted, "NgayNopHoSo", None, None, data={"channel": p.channel})
        if received is not None and not never_received:
            add(
                Action.ACCEPT_ONLINE,
                received,
                "NgayTiepNhan",
                "first",
                dues[0],
                data={"received_at": _iso(received), "assignee_id": None},
            )
    else:
        if p.submitted > received:  # type: ignore[operator]
            raise _Bad("NgayNopHoSo", "sau NgayTiepNhan.")
        add(
            Action.RECEIVE_AT_COUNTER,
            received,  # type: ignore[arg-type]
            "NgayTiepNhan",
            "first",
            dues[0],
            data={"channel": p.channel, "received_at": _iso(received), "assignee_id": None},
        )
    k = 0
    for at, _, kind, i in middle:
        where = f"DanhSachHoSoBoSung[{i + 1}]" if kind != "reset" else f"DanhSachHenLai[{i + 1}]"
        if kind == "request":
            s = p.supplements[i].values
            add(
                Action.REQUEST_SUPPLEMENT,
                at,
                f"{where}.NgayBoSung",
                "keep",
                dues[k],
                data={"items": s["items"], "reasons": s["reasons"]},
                actor=s["requester"] or IMPORT_LABEL,
                supplement=i,
            )
        elif kind == "receive":
            k += 1
            add(
                Action.RECEIVE_SUPPLEMENT,
                at,
                f"{where}.NgayTiepNhanBoSung",
                "keep",
                dues[k],
                data={
                    "due_before": _iso(given[k - 1]),
                    "due_after": _iso(given[k]),
                    "paused_from": _iso(p.supplements[i].values["requested_at"]),
                },
                supplement=i,
            )
        else:
            k += 1
            r = p.resets[i].values
            old = r["old_due"] or given[k - 1]
            if old is None or r["new_due"] <= old:
                raise _Bad(f"{where}.NgayHenTraMoi", "phải sau hạn trả trước khi hẹn lại (NgayHenTraTruoc).")
            r["old_due"] = old
            add(
                Action.RESET_DUE,
                at,
                f"{where}.NgayXinLoi",
                "keep",
                dues[k],
                data={
                    "reason": r["reason"],
                    "old_due": _iso(old),
                    "new_due": _iso(r["new_due"]),
                    "ordinal": i + 1,
                },
            )
    assert last is not None
    end_at = last[0]
    reasons = p.reasons or f"Theo dữ liệu nhập (TrangThaiHoSo {rules.national_status(target)})."
    ending = {"assignee_id": None}
    if target is State.IN_PROGRESS and state is State.RECEIVED:
        add(Action.HAND_OVER, end_at, "TrangThaiHoSo", "next", dues[k], data={"assignee_id": None})
    elif target is State.AWAITING_PAYMENT:
        add(Action.REQUEST_PAYMENT, end_at, "TrangThaiHoSo", "keep", dues[k], data={})
    elif target is State.WITHDRAWN:
        if finished is None:
            raise _Bad("NgayKetThucXuLy", "bắt buộc với hồ sơ rút (TrangThaiHoSo 7): là lúc công dân rút.")
        add(Action.WITHDRAW, finished, "NgayKetThucXuLy", None, dues[k], data={"reason": reasons, **ending})
    elif target in (State.STOPPED, State.REFUSED_AFTER_APPRAISAL):
        action = Action.STOP if target is State.STOPPED else Action.REFUSE_AFTER_APPRAISAL
        add(action, finished or end_at, "NgayKetThucXuLy", None, dues[k], data={"reasons": reasons, **ending})
    elif target is State.RESULT_READY:
        if finished is None:
            raise _Bad("NgayKetThucXuLy", "bắt buộc với TrangThaiHoSo 9 (Đã xử lý xong).")
        add(Action.MARK_RESULT_READY, finished, "NgayKetThucXuLy", "closing", dues[k], data=dict(ending))
    elif target is State.RETURNED:
        if finished is None and returned is None:
            raise _Bad("NgayTra", "với TrangThaiHoSo 10 cần NgayKetThucXuLy hoặc NgayTra.")
        add(
            Action.MARK_RESULT_READY,
            finished or returned,  # type: ignore[arg-type]
            "NgayKetThucXuLy",
            "closing",
            dues[k],
            data=dict(ending),
        )
        add(Action.RETURN_RESULT, returned or finished, "NgayTra", None, dues[k], data=dict(ending))  # type: ignore[arg-type]
    elif target is State.REFUSED_AT_INTAKE:
        add(
            Action.REFUSE_AT_INTAKE,
            finished or received or p.submitted,
            "NgayKetThucXuLy",
            None,
            None,
            data={"reasons": reasons, **ending},
        )
    if state is not target:
        raise _Bad(
            "TrangThaiHoSo",
            f"{rules.national_status(target)} ({rules.STATE_LABELS[target]}) không khớp lịch sử của dòng: "
            f"theo các ngày và DanhSachHoSoBoSung, hồ sơ đang “{rules.STATE_LABELS[state]}”.",  # type: ignore[index]
        )
    return events


def parse(obj: Any, line: int, resolver: Resolver, now: datetime) -> Parsed:
    """One line, checked; ``_Bad`` names the first problem's field."""
    if not isinstance(obj, dict):
        raise _Bad("(dòng)", "mỗi dòng phải là một đối tượng JSON.")
    code = _text(obj, "MaHoSo", required=True, max_length=60)
    procedure_code = _text(obj, "MaTTHC", required=True, max_length=40)
    if not re.fullmatch(PROCEDURE_CODE_PATTERN, procedure_code):
        raise _Bad("MaTTHC", f"mã TTHC “{procedure_code}” không hợp lệ.")
    state = _state(obj)
    channel = _int(obj, "KenhThucHien", (1, 2, 3), default=int(Channel.COUNTER))
    assert channel is not None
    received = _date(obj, "NgayTiepNhan", now=now)
    submitted = _date(obj, "NgayNopHoSo", now=now) or received
    if submitted is None:
        raise _Bad("NgayNopHoSo", "cần NgayNopHoSo hoặc NgayTiepNhan.")
    due = _date(obj, "NgayHenTra", now=now)
    for key in ("NgayTra", "NgayKetThucXuLy"):
        _date(obj, key, now=now)
    applicant_type, applicant_id = _applicant(obj)
    name = _text(obj, "ChuHoSo", required=True, max_length=255)
    delivery = _int(obj, "HinhThuc", (0, 1), default=0)
    if delivery == 1:
        result_delivery = ResultDelivery.POST
    elif channel == Channel.ONLINE:
        result_delivery = ResultDelivery.ONLINE
    else:
        result_delivery = ResultDelivery.COUNTER
    competent, receiving = _units(obj, code, resolver, to_local(received or submitted).date())
    parsed = Parsed(
        line=line,
        raw=obj,
        code=code,
        procedure_code=procedure_code,
        state=state,
        channel=channel,
        submitted=submitted,
        received=received,
        due=due,
        applicant_type=applicant_type,
        applicant_id=applicant_id,
        applicant_name=name,
        email=_text(obj, "Email"),
        phone=_text(obj, "SoDienThoai"),
        competent_code=competent,
        receiving_code=receiving,
        result_delivery=str(result_delivery),
        scalars=_scalars(obj),
        components=_components(obj),
        fees=_fees(obj),
        supplements=_supplements(obj, now),
        resets=_resets(obj, now),
        events=[],
        reasons=_text(obj, "GhiChu").strip(),
    )
    for key in ("TenTTHC", "TrichYeuHoSo", "DonViXuLy", "ThongTinKhac", "ThongTinTra", "SoBienNhan"):
        _text(obj, key)
    parsed.events = plan(parsed, now)
    return parsed


Source = str | Path | IO[str] | IO[bytes]


def _numbered(lines: Iterable[str | bytes]) -> Iterator[tuple[int, str | LineProblem]]:
    """(line number, text) of every non-blank line; a line of bytes is decoded (UTF-8), and one that
    cannot be is a ``LineProblem`` in its place."""
    for number, raw in enumerate(lines, 1):
        if isinstance(raw, bytes):
            try:
                line = checks.decode(raw, first=number == 1)
            except checks.LineProblem as problem:
                yield number, problem
                if number == 1 and raw.startswith((b"\xff\xfe", b"\xfe\xff")):
                    return  # a UTF-16 file: one report, not one per line
                continue
        else:
            line = raw[1:] if number == 1 and raw.startswith("\ufeff") else raw
        if line.strip():
            yield number, line


def read_lines(source: Source) -> Iterator[tuple[int, str | LineProblem]]:
    """(line number, text) of every non-blank line, or the ``LineProblem`` of a line that is not UTF-8;
    ``-`` is standard input. Files and standard input are read as bytes, decoded line by line."""
    if isinstance(source, str | Path):
        if str(source) == "-":
            yield from _numbered(sys.stdin.buffer)
            return
        with open(source, "rb") as handle:
            yield from _numbered(handle)
        return
    yield from _numbered(source)


def _parse_all(
    lines: Iterable[tuple[int, str | LineProblem]], resolver: Resolver, now: datetime
) -> Iterator[tuple[int, Parsed | Problem]]:
    for number, text in lines:
        if isinstance(text, LineProblem):
            yield number, Problem(number, text.field, text.message)
            continue
        try:
            obj = checks.DECODER.decode(text)
        except json.JSONDecodeError as exc:
            yield number, Problem(number, "(dòng)", f"không phải JSON hợp lệ: {exc.msg} (cột {exc.colno}).")
            continue
        except LineProblem as problem:  # NaN, Infinity, 1e400
            yield number, Problem(number, problem.field, problem.message)
            continue
        except ValueError:  # an integer of thousands of digits
            yield number, Problem(number, "(dòng)", "không phải JSON hợp lệ: có số quá dài.")
            continue
        except RecursionError:
            yield (
                number,
                Problem(number, "(dòng)", f"lồng nhau quá {checks.MAX_DEPTH} cấp (mảng, đối tượng JSON)."),
            )
            continue
        code = obj.get("MaHoSo", "") if isinstance(obj, dict) else ""
        code = code if isinstance(code, str) else ""
        # characters and nesting first: only then may the values reach the database
        if checks.suspect(text) or text.count("{") + text.count("[") > checks.MAX_DEPTH:
            found = checks.check_value(obj)
            if found is not None:
                if checks.bad_text(code) is not None:
                    code = ""  # not printable as it is
                yield number, Problem(number, found[0], found[1], code)
                continue
        try:
            yield number, parse(obj, number, resolver, now)
        except _Bad as bad:
            yield number, Problem(number, bad.field, bad.message, code)


@dataclass
class Checked:
    lines: int
    problems: list[Problem]
    first_day: dict[str, date]  # procedure or unit code → earliest day it is used (placeholders)
    parsed: list[Parsed] | None = None  # kept for the second pass when the file is not too large


# Up to this many lines, pass 2 reuses pass 1's parsed lines instead of reading the file again.
KEEP_PARSED = 50_000


def validate(source: Source, *, now: datetime | None = None, keep: bool = False) -> Checked:
    """Pass 1: every line checked, nothing written."""
    moment = now or timezone.now()
    resolver = Resolver()
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    first_day: dict[str, date] = {}
    kept: list[Parsed] | None = [] if keep else None
    count = 0
    for number, result in _parse_all(read_lines(source), resolver, moment):
        count += 1
        if isinstance(result, Problem):
            if len(problems) < MAX_ERRORS:
                problems.append(result)
            continue
        if kept is not None:
            kept.append(result)
            if len(kept) > KEEP_PARSED:
                kept = None
        if result.code in seen:
            problems.append(Problem(number, "MaHoSo", f"trùng với dòng {seen[result.code]}.", result.code))
            continue
        seen[result.code] = number
        day = result.day
        for key in (result.procedure_code, "unit:" + result.competent_code, "unit:" + result.receiving_code):
            if key not in first_day or day < first_day[key]:
                first_day[key] = day
    return Checked(count, problems, first_day, kept if not problems else None)


# -- pass 2: writing -------------------------------------------------------------------------------


def _copy(table: str, columns: list[str], rows: Iterable[Sequence[Any]]) -> None:
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


_JSON = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps(…, ensure_ascii=False), less work


class Table:
    """A model written as plain rows (``{attname: value}``, no model instances): ``COPY`` on
    PostgreSQL, ``bulk_create`` elsewhere. Every row starts from the model's defaults."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.name = model._meta.db_table
        self.pk_column = model._meta.pk.column
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.attnames = [f.attname for f in fields]
        self.columns = [f.column for f in fields]
        self.defaults: dict[str, Any] = {
            f.attname: "" if f.get_internal_type() == "FileField" else f.get_default() for f in fields
        }
        self.json = [i for i, f in enumerate(fields) if f.get_internal_type() == "JSONField"]
        self.sequence: str | None = None  # the primary key's sequence (PostgreSQL), once asked

    def row(self, **values: Any) -> dict[str, Any]:
        return {**self.defaults, **values}

    def values(self, row: dict[str, Any]) -> list[Any]:
        """``row`` as a ``COPY`` row (JSON columns encoded)."""
        out = [row[name] for name in self.attnames]
        for i in self.json:
            out[i] = _JSON(out[i])
        return out

    def reserve(self, count: int) -> list[int]:
        """``count`` new primary keys from the table's sequence (PostgreSQL)."""
        if not count:
            return []
        with connection.cursor() as cursor:
            if self.sequence is None:
                cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [self.name, self.pk_column])
                self.sequence = cursor.fetchone()[0]
            # the sequence named once: pg_get_serial_sequence in the select list would run per row
            cursor.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [self.sequence, count])
            return [value for (value,) in cursor.fetchall()]

    def copy(self, rows: Iterable[Sequence[Any]], *, with_pk: bool = False) -> None:
        """``COPY`` rows made by ``values`` (preceded by their primary key when ``with_pk``)."""
        _copy(self.name, [self.pk_column, *self.columns] if with_pk else self.columns, rows)

    def insert(self, rows: list[dict[str, Any]], *, ids: bool = False) -> list[int]:
        """Insert ``rows``; with ``ids``, their new primary keys (in order), else ``[]``."""
        if not rows:
            return []
        if connection.vendor != "postgresql":
            objects = [self.model(**row) for row in rows]
            self.model.objects.bulk_create(objects, batch_size=2000)
            return [obj.pk for obj in objects] if ids else []
        if ids:
            new_ids = self.reserve(len(rows))
            self.copy(([pk, *self.values(row)] for pk, row in zip(new_ids, rows, strict=True)), with_pk=True)
            return new_ids
        self.copy(self.values(row) for row in rows)
        return []


def _among(qs: Any, name: str, values: list[str]) -> Any:
    """``qs`` where the field ``name`` is one of ``values``: on PostgreSQL one array parameter
    (``= ANY(%s)``: a thousand-value ``IN`` list costs the client more than the query), else ``IN``."""
    if connection.vendor != "postgresql":
        return qs.filter(**{f"{name}__in": values})
    return qs.filter(_AnyOf(F(name), values))


class _AnyOf(Lookup):
    """``field = ANY(%s)`` with the values as one array parameter (PostgreSQL). Not registered:
    used as an expression by ``_among`` only."""

    lookup_name = "any_of"
    prepare_rhs = False

    def get_db_prep_lookup(self, value: Any, connection: Any) -> Any:
        return "%s", (list(value),)

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)


DOSSIERS = Table(Dossier)
COMPONENTS = Table(DossierComponent)
FEES = Table(DossierFee)
SUPPLEMENTS = Table(Supplement)
RESETS = Table(DueReset)
EVENTS = Table(DossierEvent)
PEOPLE = Table(Person)
ORGANISATIONS = Table(Organisation)


@dataclass
class _Procedure:
    procedure: Procedure
    versions: list[ProcedureVersion]
    steps: dict[int, list[WorkflowStep]]
    components: dict[int, dict[str, Component]]

    def version_on(self, day: date) -> ProcedureVersion:
        published = [
            v
            for v in self.versions
            if v.status == ProcedureVersion.Status.PUBLISHED
            and v.effective_from <= day
            and (v.effective_to is None or day < v.effective_to)
        ]
        if published:
            return max(published, key=lambda v: v.effective_from)
        earlier = [v for v in self.versions if v.effective_from <= day]
        if earlier:
            return max(earlier, key=lambda v: (v.effective_from, v.version))
        return min(self.versions, key=lambda v: (v.effective_from, v.version))


@dataclass
class _Flow:
    """A procedure version's workflow as the services walk it: the first step, the step after each
    (consultations and the closing one-stop step left out), the closing step, the steps' ids."""

    first: str
    after: dict[str, str]
    closing: str
    step_ids: dict[str, int]

    @classmethod
    def of(cls, all_steps: list[WorkflowStep]) -> _Flow:
        closing = all_steps[-1] if len(all_steps) >= 2 and all_steps[-1].unit_mode == "one_stop" else None
        steps = [s for s in all_steps if not s.is_consultation and s is not closing]
        after: dict[str, str] = {}
        for s in steps:
            later = [t for t in steps if t.order > s.order]
            after.setdefault(s.code, later[0].code if later else s.code)
        return cls(
            first=steps[0].code if steps else "",
            after=after,
            closing=closing.code if closing else "",
            step_ids={s.code: s.pk for s in all_steps},
        )


@dataclass(frozen=True)
class _Applicant:
    pk: int
    email: str
    phone: str


UNIDENTIFIED = _Applicant(0, "", "")  # a line without MaDoiTuong: no Person or Organisation


@dataclass
class _Built:
    """One new dossier as plain rows: the dossier's columns, its items' and its events (with the
    step code each leaves the dossier at). Ids are set when written."""

    dossier: dict[str, Any]
    components: list[dict[str, Any]]
    fees: list[dict[str, Any]]
    supplements: list[dict[str, Any]]
    resets: list[dict[str, Any]]
    timed: list[tuple[Ev, str]]
    step_ids: dict[str, int]
    # PostgreSQL: the ids reserved for the dossier and its supplements, and its items' and events'
    # rows ready for COPY (made in the preparing thread)
    pk: int | None = None
    supplement_ids: list[int] = field(default_factory=list)
    ready: dict[str, list[list[Any]]] | None = None

    def events(self, pk: int, supplement_ids: Sequence[int]) -> list[dict[str, Any]]:
        """The event rows of the dossier ``pk`` (its supplements' ids given)."""
        rows = []
        previous = ""
        for seq, (ev, step_code) in enumerate(self.timed, 1):
            data = ev.data
            if ev.supplement is not None:
                data = {"supplement_id": supplement_ids[ev.supplement], **data}
            to_state = ev.to_state
            rows.append(
                EVENTS.row(
                    dossier_id=pk,
                    seq=seq,
                    at=ev.at,
                    actor_id=None,
                    actor_label=ev.actor[:150],
                    action=ev.action.value,
                    from_state=previous,
                    to_state=to_state.value,
                    national_status=NATIONAL_STATUS[to_state],
                    step_code=step_code,
                    data=data,
                    due_at=ev.due,
                )
            )
            previous = to_state.value
        return rows

    def make_ready(self, pk: int, supplement_ids: list[int]) -> None:
        """Give the dossier its reserved ids and make its items' and events' ``COPY`` rows."""
        self.pk, self.supplement_ids = pk, supplement_ids
        ready: dict[str, list[list[Any]]] = {}
        for key, table, rows in (
            ("components", COMPONENTS, self.components),
            ("fees", FEES, self.fees),
            ("resets", RESETS, self.resets),
        ):
            for row in rows:
                row["dossier_id"] = pk
            ready[key] = [table.values(row) for row in rows]
        ready["supplements"] = []
        for sid, row in zip(supplement_ids, self.supplements, strict=True):
            row["dossier_id"] = pk
            ready["supplements"].append([sid, *SUPPLEMENTS.values(row)])
        ready["events"] = [EVENTS.values(row) for row in self.events(pk, supplement_ids)]
        self.ready = ready


class Writer:
    def __init__(self, checked: Checked, summary: Summary, label: str) -> None:
        self.checked = checked
        self.summary = summary
        self.label = label
        self.procedures: dict[str, _Procedure] = {}
        self.versions: dict[tuple[str, date], ProcedureVersion] = {}
        self.flows: dict[int, _Flow] = {}
        self.folded: dict[str, str] = {}
        self.units: dict[str, OrgUnit] = {}
        for unit in OrgUnit.objects.all():
            self.units[unit.code] = unit
            if unit.eid_code:
                self.units[unit.eid_code] = unit
        roots = [u for u in set(self.units.values()) if u.parent_id is None and u.valid_to is None]
        provinces = [u for u in roots if u.kind == OrgUnit.Kind.PROVINCE]
        self.root = provinces[0] if len(provinces) == 1 else None

    # -- catalogue and units, placeholders when unknown --

    def preload(self, codes: Iterable[str]) -> None:
        """Read the file's known procedures (those with versions) at once: no writes."""
        for procedure in Procedure.objects.select_related("field").filter(code__in=list(codes)):
            if procedure.code not in self.procedures:
                versions = list(procedure.versions.all())
                if versions:
                    self.procedures[procedure.code] = self._catalogue(procedure, versions)

    def procedure(self, code: str, raw: dict[str, Any]) -> _Procedure:
        found = self.procedures.get(code)
        if found is not None:
            return found
        from motcua.catalogue.services import create_placeholder_procedure

        procedure = Procedure.objects.select_related("field").filter(code=code).first()
        if procedure is None:
            name = raw.get("TenTTHC") if isinstance(raw.get("TenTTHC"), str) else ""
            procedure = create_placeholder_procedure(code, name=(name or "")[:600])
            procedure = Procedure.objects.select_related("field").get(pk=procedure.pk)
            self.summary.placeholder_procedures.append(code)
        versions = list(procedure.versions.all())
        if not versions:
            versions = [self._placeholder_version(procedure, raw)]
        found = self.procedures[code] = self._catalogue(procedure, versions)
        return found

    @staticmethod
    def _catalogue(procedure: Procedure, versions: list[ProcedureVersion]) -> _Procedure:
        steps: dict[int, list[WorkflowStep]] = {v.pk: [] for v in versions}
        for step in WorkflowStep.objects.filter(version__in=versions).order_by("order", "id"):
            steps[step.version_id].append(step)
        components: dict[int, dict[str, Component]] = {v.pk: {} for v in versions}
        for component in Component.objects.filter(version__in=versions).exclude(code=""):
            components[component.version_id].setdefault(component.code, component)
        return _Procedure(procedure, versions, steps, components)

    def version(self, proc: _Procedure, day: date) -> ProcedureVersion:
        key = (proc.procedure.code, day)
        found = self.versions.get(key)
        if found is None:
            found = self.versions[key] = proc.version_on(day)
        return found

    def flow(self, proc: _Procedure, version: ProcedureVersion) -> _Flow:
        found = self.flows.get(version.pk)
        if found is None:
            found = self.flows[version.pk] = _Flow.of(proc.steps[version.pk])
        return found

    def _placeholder_version(self, procedure: Procedure, raw: dict[str, Any]) -> ProcedureVersion:
        unit = raw.get("DonViTinh")
        value = raw.get("ThoiGianGiaiQuyet")
        limit_unit = unit if unit in LimitUnit.values else LimitUnit.WORKING_DAYS
        limit = (
            Decimal(str(value))
            if isinstance(value, int | float) and not isinstance(value, bool)
            else Decimal(0)
        )
        if limit_unit != LimitUnit.WORKING_HOURS:
            limit = limit.to_integral_value()
        version = ProcedureVersion(
            procedure=procedure,
            version=1,
            status=ProcedureVersion.Status.DRAFT,
            effective_from=self.checked.first_day.get(procedure.code, date(2000, 1, 1)),
            name=procedure.name,
            time_limit_value=min(limit, Decimal("999999")),
            time_limit_unit=limit_unit,
            online_level=ProcedureVersion.OnlineLevel.NONE,
            notes={"placeholder": "Phiên bản tạm tạo khi nhập hồ sơ; cần rà soát."},
        )
        version.save()
        return version

    def unit(self, code: str) -> OrgUnit:
        found = self.units.get(code)
        if found is not None:
            return found
        eid = code if _EID.match(code) and not OrgUnit.objects.filter(eid_code=code).exists() else None
        internal = code if not OrgUnit.objects.filter(code=code).exists() else f"tam-{len(self.units)}"
        unit = OrgUnit(
            code=internal,
            name=f"Đơn vị mã {code} (bản ghi tạm từ dữ liệu nhập)",
            kind=OrgUnit.Kind.DIVISION,
            parent=self.root,
            eid_code=eid,
            valid_from=min(self.checked.first_day.get("unit:" + code, date(2025, 7, 1)), date(2025, 7, 1)),
            note=PLACEHOLDER_NOTE,
            verified={"placeholder": False},
        )
        unit.save()
        self.units[code] = unit
        self.summary.placeholder_units.append(code)
        return unit

    def fold(self, name: str) -> str:
        folded = self.folded.get(name)
        if folded is None:
            if len(self.folded) > 100_000:
                self.folded.clear()
            folded = self.folded[name] = fold(name)
        return folded

    # -- applicants --

    def applicants(self, batch: list[Parsed]) -> dict[tuple[int | None, str], _Applicant]:
        people = {p.applicant_id: p for p in batch if p.applicant_type == 1 and p.applicant_id}
        orgs = {p.applicant_id: p for p in batch if p.applicant_type == 2 and p.applicant_id}
        found: dict[tuple[int | None, str], _Applicant] = {}
        if people:
            for pk, number, email, phone in _among(
                Person.objects.all(), "citizen_id", list(people)
            ).values_list("pk", "citizen_id", "email", "phone"):
                found[(1, number)] = _Applicant(pk, email, phone)
        if orgs:
            for pk, number, email, phone in _among(
                Organisation.objects.all(), "tax_code", list(orgs)
            ).values_list("pk", "tax_code", "email", "phone"):
                found[(2, number)] = _Applicant(pk, email, phone)
        # new applicants: plain rows too (COPY with ids drawn first on PostgreSQL, bulk_create elsewhere)
        created: list[tuple[tuple[int | None, str], dict[str, Any]]] = []
        for number, p in people.items():
            if (1, number) not in found:
                row = PEOPLE.row(
                    citizen_id=number,
                    full_name=p.applicant_name[:150],
                    full_name_folded=self.fold(p.applicant_name)[:150],
                    email=p.email if len(p.email) <= 254 else "",
                    phone=p.phone if len(p.phone) <= 20 else "",
                )
                created.append(((1, number), row))
        new_people = [row for _, row in created]
        for number, p in orgs.items():
            if (2, number) not in found:
                row = ORGANISATIONS.row(
                    tax_code=number,
                    name=p.applicant_name,
                    name_folded=self.fold(p.applicant_name),
                    email=p.email if len(p.email) <= 254 else "",
                    phone=p.phone if len(p.phone) <= 20 else "",
                )
                created.append(((2, number), row))
        new_orgs = [row for _, row in created[len(new_people) :]]
        ids = PEOPLE.insert(new_people, ids=True) + ORGANISATIONS.insert(new_orgs, ids=True)
        for (key, row), pk in zip(created, ids, strict=True):
            found[key] = _Applicant(pk, row["email"], row["phone"])
        self.summary.applicants_created += len(new_people) + len(new_orgs)
        return found

    # -- building one dossier --

    def build(self, p: Parsed, applicant: _Applicant, now: datetime) -> _Built:
        """The rows of ``p``'s dossier (not written), creating placeholder records when needed."""
        self.procedure(p.procedure_code, p.raw)
        self.unit(p.competent_code)
        self.unit(p.receiving_code)
        built = self.prepare(p, now)
        assert built is not None
        return self.finish(built, p, applicant)

    def prepare(self, p: Parsed, now: datetime) -> _Built | None:
        """The rows of ``p``'s dossier but for its applicant (``finish``), without touching the
        database (it runs in a second thread): ``None`` when the line needs a procedure or unit not
        loaded yet. The projection columns are the fold of the events, exactly as ``rebuild``
        computes it; the file's own values are kept (``extra``, ``import_overrides``, ``source``)."""
        proc = self.procedures.get(p.procedure_code)
        competent = self.units.get(p.competent_code)
        receiving = self.units.get(p.receiving_code)
        if proc is None or competent is None or receiving is None:
            return None
        version = self.version(proc, p.day)
        flow = self.flow(proc, version)
        # steps, as the services choose them
        current = ""
        timed: list[tuple[Ev, str]] = []
        for ev in p.events:
            step = ev.step
            if step == "first":
                current = flow.first
            elif step == "next":
                current = flow.after.get(current, current)
            elif step == "closing":
                current = flow.closing
            elif step is None:
                current = ""
            timed.append((ev, current))
        state = projection.Projection()
        for seq, (ev, step_code) in enumerate(timed, 1):
            state = projection.apply(state, self.facts(seq, ev, step_code), flow.step_ids)
        scalars = p.scalars
        paid_online = scalars["online_payment"] in (OnlinePayment.NATIONAL, OnlinePayment.LOCAL)
        dossier = DOSSIERS.row(
            code=p.code,
            procedure_id=proc.procedure.id,
            procedure_version_id=version.id,
            receiving_unit_id=receiving.id,
            competent_unit_id=competent.id,
            applicant_name=p.applicant_name,
            applicant_name_folded=self.fold(p.applicant_name)[:255],
            applicant_id_number=p.applicant_id,
            channel=p.channel,
            result_delivery=p.result_delivery,
            submitted_at=p.submitted,
            paid_online=paid_online,
            imported_at=now,
            created_at=now,
            updated_at=now,
            lock_version=len(timed),
            **scalars,
            **{name: getattr(state, name) for name in projection.PROJECTED_FIELDS},
        )
        catalogue = proc.components[version.id]
        built = _Built(
            dossier=dossier,
            components=[],
            fees=[],
            supplements=[],
            resets=[],
            timed=timed,
            step_ids=flow.step_ids,
        )
        # each item with what an export would render for it: the file's own values where they differ
        identity = jsonl.ITEM_IDENTITY_KEYS
        for c in p.components:
            v = c.values
            known = catalogue.get(v["code"])
            row = COMPONENTS.row(
                catalogue_component_id=known.id if known is not None else None,
                name=v["name"],
                digitised=v["digitised"],
                reused=v["reused"],
            )
            rendered = national.component_item(
                pk=None,
                name=v["name"],
                catalogue_code=v["code"] if known is not None else "",
                file_name="",
                digitised=v["digitised"],
                reused=v["reused"],
            )
            row["source"] = _source(c.raw, rendered, identity["TaiLieuNop"])
            built.components.append(row)
        for f in p.fees:
            v = f.values
            row = FEES.row(
                name=v["name"],
                kind=v["kind"],
                amount_vnd=v["amount"],
                collect_at=v["collect_at"],
                paid=v["paid"],
            )
            rendered = national.fee_item(
                pk=None,
                catalogue_fee_id=None,
                name=v["name"],
                collect_at=v["collect_at"],
                amount_vnd=v["amount"],
                kind=v["kind"],
                paid=v["paid"],
            )
            row["source"] = _source(f.raw, rendered, identity["DanhSachLePhi"])
            built.fees.append(row)
        for s in p.supplements:
            v = s.values
            row = SUPPLEMENTS.row(
                requested_at=v["requested_at"],
                items=v["items"],
                reasons=v["reasons"],
                received_at=v["received_at"],
                received_note=v["note"],
                due_before=v["due_before"],
                due_after=v["due_after"],
            )
            rendered = national.supplement_item(
                pk=None,
                requested_by="",
                reasons=v["reasons"],
                requested_at=v["requested_at"],
                received_by="",
                received_note=v["note"],
                received_at=v["received_at"],
                items=v["items"],
                due_before=v["due_before"],
                due_after=v["due_after"],
            )
            row["source"] = _source(s.raw, rendered, identity["DanhSachHoSoBoSung"])
            built.supplements.append(row)
        for i, r in enumerate(p.resets, 1):
            v = r.values
            row = RESETS.row(
                ordinal=i,
                reason=v["reason"],
                old_due=v["old_due"],
                new_due=v["new_due"],
                recorded_at=v["recorded_at"],
            )
            rendered = jsonl.reset_item(
                recorded_at=v["recorded_at"], old_due=v["old_due"], new_due=v["new_due"], reason=v["reason"]
            )
            row["source"] = _source(r.raw, rendered, identity["DanhSachHenLai"])
            built.resets.append(row)
        # the top-level fields an export would render, against the line: unknown keys go to ``extra``,
        # values rendered differently to ``import_overrides``
        limit = scalars["time_limit_value"]
        base = jsonl.add_766_inputs(
            national.dossier_fields(
                code=p.code,
                procedure_code=proc.procedure.code,
                procedure_name=version.name,
                field_code=proc.procedure.field.code,
                field_name=proc.procedure.field.name,
                applicant_name=p.applicant_name,
                applicant_type=p.applicant_type,
                applicant_id_number=p.applicant_id,
                email="",  # the applicant's contact: ``finish``
                phone="",
                submitted_at=p.submitted,
                received_at=state.received_at,
                due_at=state.due_at,
                national_status=state.national_status,
                returned_at=state.returned_at,
                finished_at=state.finished_at,
                by_post=p.result_delivery == ResultDelivery.POST,
                unit_name=competent.name,
                unit_code=national.unit_code(competent),
                channel=p.channel,
                online_payment=national.online_payment_code(scalars["online_payment"], paid_online),
                time_limit_value=limit if limit is not None else version.time_limit_value,
                time_limit_unit=scalars["time_limit_unit"] or version.time_limit_unit,
            ),
            result_code=scalars["result_code"],
            result_file_url=scalars["result_file_url"],
            has_digitised_components=scalars["has_digitised_components"],
            vneid_authenticated=scalars["vneid_authenticated"],
            population_db_code=scalars["population_db_code"],
            state=state.state,
        )
        dossier["extra"], dossier["import_overrides"] = _own_values(p.raw, base)
        return built

    @staticmethod
    def finish(built: _Built, p: Parsed, applicant: _Applicant) -> _Built:
        """Complete a prepared dossier with its applicant (and the file's own contact values)."""
        row = built.dossier
        if not p.applicant_id:  # no identity number: by name only, flagged
            row["unidentified_applicant_type"] = p.applicant_type
        elif p.applicant_type == 1:
            row["applicant_person_id"] = applicant.pk
        else:
            row["applicant_organisation_id"] = applicant.pk
        for key, rendered in (("Email", applicant.email or ""), ("SoDienThoai", applicant.phone or "")):
            value = p.raw.get(key, MISSING)
            if value is not MISSING and not jsonl.same(rendered, value):
                row["import_overrides"][key] = [rendered, value]
        return built

    @staticmethod
    def facts(seq: int, ev: Ev, step_code: str) -> projection.EventFacts:
        return projection.EventFacts(
            seq=seq,
            action=ev.action.value,
            at=ev.at,
            to_state=ev.to_state.value,
            national_status=NATIONAL_STATUS[ev.to_state],
            step_code=step_code,
            due_at=ev.due,
            data=ev.data,
        )

    # -- a batch --

    def existing(self, batch: list[Parsed]) -> dict[str, dict[str, Any]]:
        """The exported records of the batch's dossiers that exist already, by code."""
        qs = _among(Dossier.objects.all(), "code", [p.code for p in batch])
        return {code: record for _, code, record in jsonl.records(qs)}

    def prepare_all(
        self, new: list[Parsed], now: datetime, reserved: dict[str, tuple[int, list[int]]] | None
    ) -> list[_Built | None]:
        """``prepare`` each new line; with ``reserved`` ids (``reserve``), also its ``COPY`` rows."""
        out = []
        for p in new:
            built = self.prepare(p, now)
            if built is not None and reserved is not None:
                built.make_ready(*reserved[p.code])
            out.append(built)
        return out

    def write_batch(
        self,
        batch: list[Parsed],
        number: int,
        now: datetime,
        *,
        existing: dict[str, dict[str, Any]] | None = None,
        prepared: dict[str, _Built | None] | None = None,
    ) -> None:
        """The batch's applicants, new dossiers, updates, and its audit entry, in the caller's
        transaction (``import_file``: one for the whole file), else in one of its own.
        ``existing`` (``self.existing``) and ``prepared`` (``self.prepare`` of the new lines, by
        code) when the caller has them already."""
        with transaction.atomic(savepoint=False):
            applicants = self.applicants(batch)
            if existing is None:
                existing = self.existing(batch)
            new: list[_Built] = []
            updated: list[str] = []
            for p in batch:
                applicant = applicants[(p.applicant_type, p.applicant_id)] if p.applicant_id else UNIDENTIFIED
                record = existing.get(p.code)
                if record is None:
                    built = prepared.get(p.code) if prepared is not None else None
                    if built is None:
                        new.append(self.build(p, applicant, now))
                    else:
                        new.append(self.finish(built, p, applicant))
                elif self.update(record, p, applicant, now):
                    updated.append(p.code)
                else:
                    self.summary.unchanged += 1
            self.insert(new)
            self.summary.created += len(new)
            self.summary.updated += len(updated)
            audit.record(
                "dossier.import",
                object_type="dossiers.dossier",
                summary=f"Nhập hồ sơ từ {self.label}, lô {number}: {len(new)} mới, {len(updated)} cập nhật",
                data={
                    "file": self.label,
                    "batch": number,
                    "lines": [batch[0].line, batch[-1].line],
                    "created": [b.dossier["code"] for b in new],
                    "updated": updated,
                    "unchanged": len(batch) - len(new) - len(updated),
                },
            )

    def reserve(self, new: list[Parsed]) -> dict[str, tuple[int, list[int]]] | None:
        """PostgreSQL: ids for the new dossiers and their supplements, by code (else ``None``)."""
        if connection.vendor != "postgresql" or not new:
            return None
        dossier_ids = DOSSIERS.reserve(len(new))
        supplement_ids = iter(SUPPLEMENTS.reserve(sum(len(p.supplements) for p in new)))
        return {
            p.code: (pk, [next(supplement_ids) for _ in p.supplements])
            for p, pk in zip(new, dossier_ids, strict=True)
        }

    def insert(self, new: list[_Built]) -> None:
        if not new:
            return
        self.summary.events += sum(len(b.timed) for b in new)
        if connection.vendor == "postgresql":
            missing = [b for b in new if b.ready is None]
            if missing:
                dossier_ids = DOSSIERS.reserve(len(missing))
                supplement_ids = iter(SUPPLEMENTS.reserve(sum(len(b.supplements) for b in missing)))
                for b, pk in zip(missing, dossier_ids, strict=True):
                    b.make_ready(pk, [next(supplement_ids) for _ in b.supplements])
            DOSSIERS.copy(([b.pk, *DOSSIERS.values(b.dossier)] for b in new), with_pk=True)
            for key, table in (("components", COMPONENTS), ("fees", FEES), ("resets", RESETS)):
                table.copy(row for b in new for row in b.ready[key])  # type: ignore[index]
            SUPPLEMENTS.copy((row for b in new for row in b.ready["supplements"]), with_pk=True)  # type: ignore[index]
            EVENTS.copy(row for b in new for row in b.ready["events"])  # type: ignore[index]
            return
        ids = DOSSIERS.insert([b.dossier for b in new], ids=True)
        components: list[dict[str, Any]] = []
        fees: list[dict[str, Any]] = []
        supplements: list[dict[str, Any]] = []
        resets: list[dict[str, Any]] = []
        for b, pk in zip(new, ids, strict=True):
            for rows, into in (
                (b.components, components),
                (b.fees, fees),
                (b.supplements, supplements),
                (b.resets, resets),
            ):
                for row in rows:
                    row["dossier_id"] = pk
                    into.append(row)
        COMPONENTS.insert(components)
        FEES.insert(fees)
        supplement_ids = iter(SUPPLEMENTS.insert(supplements, ids=True))
        RESETS.insert(resets)
        events = []
        for b, pk in zip(new, ids, strict=True):
            events.extend(b.events(pk, [next(supplement_ids) for _ in b.supplements]))
        EVENTS.insert(events)

    # -- re-import of an existing dossier --

    def update(self, record: dict[str, Any], p: Parsed, applicant: _Applicant, now: datetime) -> bool:
        """Nothing when the export (``record``) already gives the line's values; else one
        ``import_update`` event."""
        if not jsonl.differing(record, p.raw):
            return False
        # the dossier as it is now (locked), and its record then (``record`` was read a little earlier)
        current = Dossier.objects.select_for_update().get(code=p.code)
        _, _, record = jsonl.records(Dossier.objects.filter(pk=current.pk))[0]
        changed = {k: [record.get(k), p.raw[k]] for k in jsonl.differing(record, p.raw)}
        if not changed:
            return False
        fresh = self.build(p, applicant, now)
        columns = fresh.dossier
        last_step = fresh.timed[-1][1]
        target = projection.Projection(**{n: columns[n] for n in projection.PROJECTED_FIELDS})
        data: dict[str, Any] = {
            "changed": {k: v for k, v in list(changed.items())[:50]},
            "received_at": _iso(target.received_at),
            "promised_at": _iso(target.promised_at),
            "finished_at": _iso(target.finished_at),
            "returned_at": _iso(target.returned_at),
        }
        if target.current_step_id != current.current_step_id:
            data["assignee_id"] = None
        step_ids = dict(fresh.step_ids)
        if current.procedure_version_id != columns["procedure_version_id"]:
            step_ids.update(
                WorkflowStep.objects.filter(version_id=current.procedure_version_id).values_list("code", "pk")
            )
        seq = current.lock_version + 1
        facts = projection.EventFacts(
            seq=seq,
            action=Action.IMPORT_UPDATE.value,
            at=now,
            to_state=target.state,
            national_status=target.national_status,
            step_code=last_step,
            due_at=target.due_at,
            data=data,
        )
        after = projection.apply(projection.stored(current), facts, step_ids)
        # replace the lists the line gives differently
        for key, rows, model in (
            ("TaiLieuNop", fresh.components, DossierComponent),
            ("DanhSachLePhi", fresh.fees, DossierFee),
            ("DanhSachHoSoBoSung", fresh.supplements, Supplement),
            ("DanhSachHenLai", fresh.resets, DueReset),
        ):
            if key not in changed:
                continue
            if key == "DanhSachHoSoBoSung":
                DossierComponent.objects.filter(dossier=current, supplement__isnull=False).update(
                    supplement=None
                )
            manager: Any = model.objects
            manager.filter(dossier=current).delete()
            manager.bulk_create([model(**{**row, "dossier_id": current.pk}) for row in rows])
        update = {
            name: columns[name]
            for name in (
                "procedure_id",
                "procedure_version_id",
                "receiving_unit_id",
                "competent_unit_id",
                "applicant_person_id",
                "applicant_organisation_id",
                "unidentified_applicant_type",
                "applicant_name",
                "applicant_name_folded",
                "applicant_id_number",
                "channel",
                "result_delivery",
                "submitted_at",
                "paid_online",
                *p.scalars,
            )
        }
        update.update({n: getattr(after, n) for n in projection.PROJECTED_FIELDS})
        update["extra"] = {**(current.extra or {}), **columns["extra"]}
        update["imported_at"] = now
        done = Dossier.objects.filter(pk=current.pk, lock_version=current.lock_version).update(
            **update, lock_version=seq, updated_at=now
        )
        if done != 1:
            raise rules.StaleDossier(rules.STALE_MESSAGE)
        DossierEvent.objects.create(
            dossier=current,
            seq=seq,
            at=now,
            actor_label=IMPORT_LABEL,
            action=Action.IMPORT_UPDATE.value,
            from_state=current.state,
            to_state=target.state,
            national_status=target.national_status,
            step_code=last_step,
            data=data,
            due_at=target.due_at,
        )
        self.summary.events += 1
        # what the export gives now, against the line: the file's values where they differ
        _, _, plain = jsonl.records(Dossier.objects.filter(pk=current.pk), own_values=False)[0]
        overrides = {
            k: [plain[k], v]
            for k, v in p.raw.items()
            if k in plain and k not in LIST_KEYS and not jsonl.same(plain[k], v)
        }
        Dossier.objects.filter(pk=current.pk).update(import_overrides=overrides)
        return True


def _source(item: dict[str, Any], rendered: dict[str, Any], identity: tuple[str, ...]) -> dict[str, Any]:
    """An item row's ``source``: the file's keys that the export would not give back by itself
    (``keep``: identity and unknown keys; ``when``: values rendered differently, with what was
    rendered)."""
    keep: dict[str, Any] = {}
    when: dict[str, Any] = {}
    same = jsonl.same
    for k, v in item.items():
        if k in identity or k not in rendered:
            keep[k] = v
            continue
        r = rendered[k]
        kind = type(v)
        if kind is type(r) and kind in _PLAIN:
            if r != v:
                when[k] = [r, v]
        elif not same(r, v):
            when[k] = [r, v]
    source: dict[str, Any] = {}
    if keep:
        source["keep"] = keep
    if when:
        source["when"] = when
    return source


_PLAIN = frozenset({str, int, bool, type(None)})  # compared with ==, as ``jsonl.same`` does
_NO_LIST_RENDERED: dict[str, list[Any]] = {"DanhSachTepDinhKemKhac": [], "DanhSachGiayToKetQua": []}
_CONTACT_KEYS = frozenset({"Email", "SoDienThoai"})  # rendered from the applicant: ``Writer.finish``


def _own_values(raw: dict[str, Any], base: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(``extra``, ``import_overrides``) of a line against the top-level fields an export renders
    (but for the applicant's contact, which ``Writer.finish`` compares)."""
    extra: dict[str, Any] = {}
    overrides: dict[str, Any] = {}
    same = jsonl.same
    for key, value in raw.items():
        if key in _CONTACT_KEYS:
            continue
        if key in LIST_KEYS:
            # items are kept by their rows; only a list given as null (or an empty list of the
            # extension, which motcua leaves out) needs the file's value
            if key == "DanhSachHenLai" and not value:
                extra[key] = value
            elif value is None:
                overrides[key] = [[], None]
            continue
        rendered = base.get(key, MISSING)
        if rendered is MISSING:
            rendered = _NO_LIST_RENDERED.get(key, MISSING)
        if rendered is MISSING:
            extra[key] = value
            continue
        kind = type(value)
        if kind is type(rendered) and kind in _PLAIN:  # ``same``, quickly
            if rendered != value:
                overrides[key] = [rendered, value]
        elif not same(rendered, value):
            overrides[key] = [rendered, value]
    return extra, overrides


def _chunks(items: Iterable[Parsed], size: int) -> Iterator[list[Parsed]]:
    batch: list[Parsed] = []
    for item in items:
        assert isinstance(item, Parsed)
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def import_file(
    source: Source,
    *,
    batch_size: int = 1000,
    progress: bool = False,
    label: str | None = None,
    now: datetime | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> Summary:
    """Validate the whole file, then write it in batches, all in one transaction (a failure anywhere
    stores nothing). ``ImportRejected`` when any line is bad."""
    started = clock.perf_counter()
    moment = now or timezone.now()
    name = label or (str(source) if isinstance(source, str | Path) else "luồng dữ liệu")
    if not isinstance(source, str | Path) or str(source) == "-":
        # a stream is read once: keep its content for the second pass (standard input as bytes: each
        # line is decoded on its own, so a line that is not UTF-8 is reported by its number)
        content = (sys.stdin.buffer if str(source) == "-" else source).read()  # type: ignore[union-attr]
        source_factory: Callable[[], Any] = (
            (lambda: io.BytesIO(content)) if isinstance(content, bytes) else (lambda: io.StringIO(content))
        )
    else:
        source_factory = lambda: source  # noqa: E731
    checked = validate(source_factory(), now=moment, keep=True)
    if checked.problems:
        lines = sorted({p.line for p in checked.problems})
        raise ImportRejected(
            f"Tệp {name} có {len(checked.problems)} lỗi ở {len(lines)} dòng; không có hồ sơ nào được lưu.",
            details=[p.as_dict() for p in checked.problems],
        )
    summary = Summary(lines=checked.lines)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=checked.lines, file=sys.stderr, unit="hồ sơ", desc="Nhập hồ sơ", leave=False)
    parsed: Iterable[Parsed] = (
        checked.parsed
        if checked.parsed is not None
        else (
            result  # type: ignore[misc]
            for _, result in _parse_all(read_lines(source_factory()), Resolver(), moment)
        )
    )
    number = 0
    switch = sys.getswitchinterval()
    with (
        audit.acting_as(None, label=IMPORT_LABEL),
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="motcua-import") as helper,
    ):
        # Pipeline: while this thread writes batch n (its time mostly spent waiting for the
        # database), a second thread prepares the new dossiers of batch n + 1 (pure Python, no
        # database). Every write stays in this thread, on one connection, batch after batch, in ONE
        # transaction: a failure anywhere stores nothing. The audit entries (each batch's, the
        # placeholders') are held back and appended at the end, so the audit chain's head is locked
        # only for the last moment of the import, not for all of it.
        sys.setswitchinterval(0.001)  # the writing thread gets the interpreter back quickly
        try:
            with transaction.atomic(), audit.held():
                number = _write_all(checked, summary, name, parsed, batch_size, moment, helper, bar, on_batch)
        finally:
            sys.setswitchinterval(switch)
    if bar is not None:
        bar.close()
    summary.batches = number
    summary.seconds = clock.perf_counter() - started
    return summary


def _write_all(
    checked: Checked,
    summary: Summary,
    name: str,
    parsed: Iterable[Parsed],
    batch_size: int,
    moment: datetime,
    helper: ThreadPoolExecutor,
    bar: Any,
    on_batch: Callable[[int], None] | None,
) -> int:
    """Pass 2, batch after batch (in the caller's transaction); the number of batches written."""
    number = 0
    writer = Writer(checked, summary, name)
    writer.preload(code for code in checked.first_day if not code.startswith("unit:"))

    def ahead(batch: list[Parsed]) -> tuple[list[Parsed], dict[str, Any], list[str], Future[Any]]:
        existing = writer.existing(batch)
        new = [p for p in batch if p.code not in existing]
        reserved = writer.reserve(new)
        future = helper.submit(writer.prepare_all, new, moment, reserved)
        return batch, existing, [p.code for p in new], future

    batches = _chunks(parsed, batch_size)
    first = next(batches, None)
    coming = ahead(first) if first else None
    while coming is not None:
        batch, existing, codes, future = coming
        prepared = dict(zip(codes, future.result(), strict=True))
        following = next(batches, None)
        coming = ahead(following) if following else None
        number += 1
        writer.write_batch(batch, number, moment, existing=existing, prepared=prepared)
        if bar is not None:
            bar.update(len(batch))
        if on_batch is not None:
            on_batch(number)
    return number
