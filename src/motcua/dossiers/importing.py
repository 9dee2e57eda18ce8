"""Import of dossiers from JSON Lines in the national sync shape (``DongBoHoSoMC``).

Two passes over the file:

1. **Validation** — every line is parsed, checked field by field and turned into its history (the
   events its dates imply, each checked against ``rules.TRANSITIONS``). Nothing is written; any
   problem is collected with its line number and field. One bad line rejects the whole file
   (``ImportRejected``, ``details`` = every problem).
2. **Writing**, in batches of ``batch_size`` lines, each batch in one transaction: placeholder
   procedures and units for unknown codes, applicants (``core.Person`` / ``core.Organisation``),
   dossiers, their components, fees, supplements and apologies, and the events — all with
   ``bulk_create`` — then **one audit entry per batch** (``dossier.import``). No outbox message is
   written: nothing is re-sent to the national portal.

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
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from django.db import connection, transaction
from django.utils import timezone

from motcua.catalogue.models import Component, LimitUnit, Procedure, ProcedureVersion, WorkflowStep
from motcua.catalogue.schema import PROCEDURE_CODE_PATTERN
from motcua.core import audit
from motcua.core.errors import DomainError
from motcua.core.identity import IdentityError, normalise_tax_code, parse_citizen_id
from motcua.core.models import Organisation, OrgUnit, Person
from motcua.core.rules import rule_value
from motcua.core.text import fold
from motcua.dossiers import jsonl, projection, rules
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

IMPORT_LABEL = "Nhập dữ liệu DongBoHoSoMC"
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
LIST_KEYS = jsonl.ITEM_LISTS
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
    applicant_type: int
    applicant_id: str
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
    allowed = tuple(allowed)
    if isinstance(value, bool) or not isinstance(value, int) or value not in allowed:
        raise _Bad(key, f"phải là số nguyên trong {{{', '.join(map(str, allowed))}}}, nhận được {value!r}.")
    return value


def _text(obj: dict[str, Any], key: str, *, required: bool = False, max_length: int | None = None) -> str:
    value = obj.get(key)
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
    try:
        moment = jsonl.parse_stamp(value)
    except ValueError:
        raise _Bad(key, f"không phải ngày giờ dạng yyyyMMddHHmmss (giờ Việt Nam): {value!r}.") from None
    if moment.year < 1990 or moment.year > 2100:
        raise _Bad(key, f"năm {moment.year} không hợp lý.")
    return moment


def _list(obj: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise _Bad(key, "phải là một mảng các đối tượng JSON.")
    return value


def _applicant(obj: dict[str, Any]) -> tuple[int, str]:
    raw = obj.get("MaDoiTuong")
    if isinstance(raw, int) and not isinstance(raw, bool):
        raise _Bad("MaDoiTuong", "phải là chuỗi (số định danh có thể bắt đầu bằng 0).")
    number = _text(obj, "MaDoiTuong", required=True).replace(" ", "")
    kind = _int(obj, "LoaiDoiTuong", (1, 2))
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


def plan(p: Parsed, now: datetime) -> list[Ev]:
    """The events of ``p``'s history, checked against the transition table and in time order."""
    events: list[Ev] = []
    state: State | None = None
    last: tuple[datetime, str] | None = None

    def add(
        action: Action, at: datetime, source: str, step: str | None, due: datetime | None, **kw: Any
    ) -> None:
        nonlocal state, last
        try:
            to_state = rules.next_state(state, action)
        except TransitionNotAllowed as exc:
            raise _Bad(source, f"lịch sử không hợp lệ: {exc.message}") from None
        if last is not None and at < last[0]:
            raise _Bad(source, f"{jsonl.stamp(at)} trước {last[1]} ({jsonl.stamp(last[0])}).")
        if at > now + timedelta(minutes=10):
            raise _Bad(source, f"thời điểm {jsonl.stamp(at)} ở tương lai.")
        events.append(Ev(action, at, to_state, step, due, kw.pop("data", {}), **kw))
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
    for _, _, kind, i in middle:
        if kind == "receive":
            s = p.supplements[i].values
            changes.append((s["due_before"], s["due_after"]))
        elif kind == "reset":
            r = p.resets[i].values
            changes.append((r["old_due"], r["new_due"]))
    if changes and changes[-1][1] is not None and changes[-1][1] != p.due:
        raise _Bad("NgayHenTra", "khác NgayHenTraMoi của lần bổ sung hoặc hẹn lại cuối cùng.")
    dues = _dues(p.due, changes)

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
                    "due_before": _iso(dues[k - 1]),
                    "due_after": _iso(dues[k]),
                    "paused_from": _iso(p.supplements[i].values["requested_at"]),
                },
                supplement=i,
            )
        else:
            k += 1
            r = p.resets[i].values
            old = r["old_due"] or dues[k - 1]
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


def read_lines(source: str | Path | IO[str]) -> Iterator[tuple[int, str]]:
    """(line number, text) of every non-blank line; ``-`` is standard input."""
    if isinstance(source, str | Path):
        if str(source) == "-":
            stream: Any = sys.stdin
            for number, text in enumerate(stream, 1):
                if text.strip():
                    yield number, text
            return
        with open(source, encoding="utf-8-sig") as handle:
            for number, text in enumerate(handle, 1):
                if text.strip():
                    yield number, text
        return
    for number, text in enumerate(source, 1):
        if text.strip():
            yield number, text


def _parse_all(
    lines: Iterable[tuple[int, str]], resolver: Resolver, now: datetime
) -> Iterator[tuple[int, Parsed | Problem]]:
    for number, text in lines:
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            yield number, Problem(number, "(dòng)", f"không phải JSON hợp lệ: {exc.msg} (cột {exc.colno}).")
            continue
        code = obj.get("MaHoSo", "") if isinstance(obj, dict) else ""
        try:
            yield number, parse(obj, number, resolver, now)
        except _Bad as bad:
            yield number, Problem(number, bad.field, bad.message, code if isinstance(code, str) else "")


@dataclass
class Checked:
    lines: int
    problems: list[Problem]
    first_day: dict[str, date]  # procedure or unit code → earliest day it is used (placeholders)
    parsed: list[Parsed] | None = None  # kept for the second pass when the file is not too large


# Up to this many lines, pass 2 reuses pass 1's parsed lines instead of reading the file again.
KEEP_PARSED = 50_000


def validate(source: str | Path | IO[str], *, now: datetime | None = None, keep: bool = False) -> Checked:
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


def _converters(model: Any, fields: list[Any]) -> list[Callable[[Any], Any]]:
    def json_of(name: str) -> Callable[[Any], Any]:
        return lambda obj: json.dumps(getattr(obj, name), ensure_ascii=False)

    def file_of(name: str) -> Callable[[Any], Any]:
        return lambda obj: (getattr(obj, name).name or "") if getattr(obj, name) else ""

    def plain(name: str) -> Callable[[Any], Any]:
        return lambda obj: getattr(obj, name)

    kinds = {"JSONField": json_of, "FileField": file_of}
    return [kinds.get(f.get_internal_type(), plain)(f.attname) for f in fields]


def _copy(table: str, columns: list[str], rows: Iterable[Sequence[Any]]) -> None:
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def store(model: Any, objects: list[Any], *, ids: bool = False) -> None:
    """Insert ``objects`` (new, unsaved) as fast as the database allows: ``COPY`` on PostgreSQL (the
    ids taken from the table's sequence first when ``ids``), ``bulk_create`` elsewhere. The objects
    end up with their primary keys either way."""
    if not objects:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objects, batch_size=2000)
        return
    table = model._meta.db_table
    pk = model._meta.pk
    if ids:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk.column, len(objects)],
            )
            for obj, (value,) in zip(objects, cursor.fetchall(), strict=True):
                obj.pk = value
    fields = [f for f in model._meta.concrete_fields if ids or not f.primary_key]
    convert = _converters(model, fields)
    _copy(table, [f.column for f in fields], ([c(obj) for c in convert] for obj in objects))
    for obj in objects:
        obj._state.adding = False
        obj._state.db = "default"


EVENT_COLUMNS = [f.column for f in DossierEvent._meta.concrete_fields if not f.primary_key]


def store_events(rows: list[dict[str, Any]]) -> None:
    """Events as plain rows (no model instances): ``COPY`` on PostgreSQL, ``bulk_create`` elsewhere."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        DossierEvent.objects.bulk_create([DossierEvent(**row) for row in rows], batch_size=2000)
        return
    json_columns = {"data"}
    _copy(
        DossierEvent._meta.db_table,
        EVENT_COLUMNS,
        (
            [json.dumps(row[c], ensure_ascii=False) if c in json_columns else row[c] for c in EVENT_COLUMNS]
            for row in rows
        ),
    )


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


class Writer:
    def __init__(self, checked: Checked, summary: Summary, label: str) -> None:
        self.checked = checked
        self.summary = summary
        self.label = label
        self.procedures: dict[str, _Procedure] = {}
        self.units: dict[str, OrgUnit] = {}
        for unit in OrgUnit.objects.all():
            self.units[unit.code] = unit
            if unit.eid_code:
                self.units[unit.eid_code] = unit
        roots = [u for u in set(self.units.values()) if u.parent_id is None and u.valid_to is None]
        provinces = [u for u in roots if u.kind == OrgUnit.Kind.PROVINCE]
        self.root = provinces[0] if len(provinces) == 1 else None

    # -- catalogue and units, placeholders when unknown --

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
        steps: dict[int, list[WorkflowStep]] = {v.pk: [] for v in versions}
        for step in WorkflowStep.objects.filter(version__in=versions).order_by("order", "id"):
            steps[step.version_id].append(step)
        components: dict[int, dict[str, Component]] = {v.pk: {} for v in versions}
        for component in Component.objects.filter(version__in=versions).exclude(code=""):
            components[component.version_id].setdefault(component.code, component)
        found = _Procedure(procedure, versions, steps, components)
        self.procedures[code] = found
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

    # -- applicants --

    def applicants(self, batch: list[Parsed]) -> dict[tuple[int, str], Person | Organisation]:
        people = {p.applicant_id: p for p in batch if p.applicant_type == 1}
        orgs = {p.applicant_id: p for p in batch if p.applicant_type == 2}
        found: dict[tuple[int, str], Person | Organisation] = {}
        for person in Person.objects.filter(citizen_id__in=list(people)):
            found[(1, person.citizen_id)] = person
        for org in Organisation.objects.filter(tax_code__in=list(orgs)):
            found[(2, org.tax_code)] = org
        new_people = [
            Person(
                citizen_id=number,
                full_name=p.applicant_name[:150],
                full_name_folded=fold(p.applicant_name)[:150],
                email=p.email if len(p.email) <= 254 else "",
                phone=p.phone if len(p.phone) <= 20 else "",
            )
            for number, p in people.items()
            if (1, number) not in found
        ]
        new_orgs = [
            Organisation(
                tax_code=number,
                name=p.applicant_name,
                name_folded=fold(p.applicant_name),
                email=p.email if len(p.email) <= 254 else "",
                phone=p.phone if len(p.phone) <= 20 else "",
            )
            for number, p in orgs.items()
            if (2, number) not in found
        ]
        for person in Person.objects.bulk_create(new_people):
            found[(1, person.citizen_id)] = person
        for org in Organisation.objects.bulk_create(new_orgs):
            found[(2, org.tax_code)] = org
        self.summary.applicants_created += len(new_people) + len(new_orgs)
        return found

    # -- building one dossier --

    def build(
        self, p: Parsed, applicant: Person | Organisation, now: datetime
    ) -> tuple[Dossier, dict[str, list[Any]], list[tuple[Ev, str]]]:
        """The unsaved dossier, its rows and its events (with step codes) for ``p``."""
        proc = self.procedure(p.procedure_code, p.raw)
        version = proc.version_on(p.day)
        competent = self.unit(p.competent_code)
        receiving = self.unit(p.receiving_code)
        dossier = Dossier(
            code=p.code,
            procedure=proc.procedure,
            procedure_version=version,
            receiving_unit=receiving,
            competent_unit=competent,
            applicant_name=p.applicant_name,
            applicant_name_folded=fold(p.applicant_name)[:255],
            applicant_id_number=p.applicant_id,
            channel=p.channel,
            result_delivery=p.result_delivery,
            submitted_at=p.submitted,
            paid_online=p.scalars["online_payment"] in (OnlinePayment.NATIONAL, OnlinePayment.LOCAL),
            imported_at=now,
            created_at=now,
            updated_at=now,
            **p.scalars,
        )
        if p.applicant_type == 1:
            dossier.applicant_person = applicant  # type: ignore[assignment]
        else:
            dossier.applicant_organisation = applicant  # type: ignore[assignment]
        # steps, as the services choose them
        all_steps = proc.steps[version.pk]
        closing = all_steps[-1] if len(all_steps) >= 2 and all_steps[-1].unit_mode == "one_stop" else None
        steps = [s for s in all_steps if not s.is_consultation and s is not closing]
        current = ""
        timed: list[tuple[Ev, str]] = []
        for ev in p.events:
            if ev.step == "first":
                current = steps[0].code if steps else ""
            elif ev.step == "next":
                later = [
                    s
                    for s in steps
                    if current and s.order > next(x.order for x in steps if x.code == current)
                ]
                current = later[0].code if later else current
            elif ev.step == "closing":
                current = closing.code if closing else ""
            elif ev.step is None:
                current = ""
            timed.append((ev, current))
        catalogue = proc.components[version.pk]
        rows: dict[str, list[Any]] = {
            "components": [
                DossierComponent(
                    catalogue_component=catalogue.get(c.values["code"]),
                    name=c.values["name"],
                    digitised=c.values["digitised"],
                    reused=c.values["reused"],
                )
                for c in p.components
            ],
            "fees": [
                DossierFee(
                    name=f.values["name"],
                    kind=f.values["kind"],
                    amount_vnd=f.values["amount"],
                    collect_at=f.values["collect_at"],
                    paid=f.values["paid"],
                )
                for f in p.fees
            ],
            "supplements": [
                Supplement(
                    requested_at=s.values["requested_at"],
                    items=s.values["items"],
                    reasons=s.values["reasons"],
                    received_at=s.values["received_at"],
                    received_note=s.values["note"],
                    due_before=s.values["due_before"],
                    due_after=s.values["due_after"],
                )
                for s in p.supplements
            ],
            "resets": [
                DueReset(
                    ordinal=i,
                    reason=r.values["reason"],
                    old_due=r.values["old_due"],
                    new_due=r.values["new_due"],
                    recorded_at=r.values["recorded_at"],
                )
                for i, r in enumerate(p.resets, 1)
            ],
        }
        # the projection columns: the fold of the events, exactly as ``rebuild`` computes it
        step_ids = {s.code: s.pk for s in all_steps}
        state = projection.Projection()
        for seq, (ev, step_code) in enumerate(timed, 1):
            state = projection.apply(state, self.facts(seq, ev, step_code), step_ids)
        for name in projection.PROJECTED_FIELDS:
            setattr(dossier, name, getattr(state, name))
        if state.current_step_id is not None:
            dossier.current_step = next(s for s in all_steps if s.pk == state.current_step_id)
        dossier.lock_version = len(timed)
        self.overlay(dossier, rows, p)
        return dossier, rows, timed

    @staticmethod
    def facts(seq: int, ev: Ev, step_code: str) -> projection.EventFacts:
        return projection.EventFacts(
            seq=seq,
            action=ev.action.value,
            at=ev.at,
            to_state=ev.to_state.value,
            national_status=rules.national_status(ev.to_state),
            step_code=step_code,
            due_at=ev.due,
            data=ev.data,
        )

    @staticmethod
    def overlay(dossier: Dossier, rows: dict[str, list[Any]], p: Parsed) -> None:
        """Keep what the export would not give back by itself: unknown fields (``extra``), the file's
        values where motcua renders differently (``import_overrides``, each row's ``source``)."""
        pairs = (
            ("TaiLieuNop", rows["components"], jsonl.render_component),
            ("DanhSachLePhi", rows["fees"], jsonl.render_fee),
            ("DanhSachHoSoBoSung", rows["supplements"], jsonl.render_supplement),
            ("DanhSachHenLai", rows["resets"], jsonl.render_reset),
        )
        for key, objects, render in pairs:
            items = p.raw.get(key) or []
            identity = jsonl.ITEM_IDENTITY_KEYS[key]
            for obj, item in zip(objects, items, strict=True):
                rendered = render(obj)
                keep = {k: v for k, v in item.items() if k in identity or k not in rendered}
                when = {
                    k: [rendered[k], v]
                    for k, v in item.items()
                    if k not in keep and not jsonl.same(rendered[k], v)
                }
                obj.source = {name: part for name, part in (("keep", keep), ("when", when)) if part}
        dossier.import_overrides = {}
        dossier.extra = {}
        base = jsonl.render_base(dossier)
        base.update({"DanhSachTepDinhKemKhac": [], "DanhSachGiayToKetQua": []})
        for key, value in p.raw.items():
            if key in LIST_KEYS:
                # items are kept by their rows; only a list given as null (or an empty list of the
                # extension, which motcua leaves out) needs the file's value
                if key == "DanhSachHenLai" and not value:
                    dossier.extra[key] = value
                elif value is None:
                    dossier.import_overrides[key] = [[], None]
                continue
            if key not in base:
                dossier.extra[key] = value
            elif not jsonl.same(base[key], value):
                dossier.import_overrides[key] = [base[key], value]

    # -- a batch --

    def write_batch(self, batch: list[Parsed], number: int, now: datetime) -> None:
        with transaction.atomic():
            applicants = self.applicants(batch)
            existing = {
                d.code: d for d in jsonl.with_rows(Dossier.objects.filter(code__in=[p.code for p in batch]))
            }
            new: list[tuple[Dossier, dict[str, list[Any]], list[tuple[Ev, str]]]] = []
            updated: list[str] = []
            for p in batch:
                applicant = applicants[(p.applicant_type, p.applicant_id)]
                current = existing.get(p.code)
                if current is None:
                    new.append(self.build(p, applicant, now))
                elif self.update(current, p, applicant, now):
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
                    "created": [d.code for d, _, _ in new],
                    "updated": updated,
                    "unchanged": len(batch) - len(new) - len(updated),
                },
            )

    def insert(self, new: list[tuple[Dossier, dict[str, list[Any]], list[tuple[Ev, str]]]]) -> None:
        if not new:
            return
        store(Dossier, [d for d, _, _ in new], ids=True)
        kinds = (
            ("components", DossierComponent),
            ("fees", DossierFee),
            ("supplements", Supplement),
            ("resets", DueReset),
        )
        for key, model in kinds:
            objects = []
            for dossier, rows, _ in new:
                for obj in rows[key]:
                    obj.dossier = dossier
                    objects.append(obj)
            store(model, objects, ids=model is Supplement)
        events = []
        for dossier, rows, timed in new:
            previous = ""
            for seq, (ev, step_code) in enumerate(timed, 1):
                data = ev.data
                if ev.supplement is not None:
                    data = {"supplement_id": rows["supplements"][ev.supplement].pk, **data}
                events.append(
                    {
                        "dossier_id": dossier.pk,
                        "seq": seq,
                        "at": ev.at,
                        "actor_id": None,
                        "actor_label": ev.actor[:150],
                        "action": ev.action.value,
                        "from_state": previous,
                        "to_state": ev.to_state.value,
                        "national_status": rules.national_status(ev.to_state),
                        "step_code": step_code,
                        "data": data,
                        "due_at": ev.due,
                    }
                )
                previous = ev.to_state.value
        store_events(events)
        self.summary.events += len(events)

    # -- re-import of an existing dossier --

    def update(self, current: Dossier, p: Parsed, applicant: Person | Organisation, now: datetime) -> bool:
        """Nothing when the export already gives the line's values; else one ``import_update`` event."""
        record = jsonl.render_loaded(current)
        changed = {k: [record.get(k), p.raw[k]] for k in jsonl.differing(record, p.raw)}
        if not changed:
            return False
        fresh, rows, timed = self.build(p, applicant, now)
        last_step = timed[-1][1]
        target = projection.Projection(**{n: getattr(fresh, n) for n in projection.PROJECTED_FIELDS})
        data: dict[str, Any] = {
            "changed": {k: v for k, v in list(changed.items())[:50]},
            "received_at": _iso(target.received_at),
            "original_due_at": _iso(target.original_due_at),
            "finished_at": _iso(target.finished_at),
            "returned_at": _iso(target.returned_at),
        }
        if target.current_step_id != current.current_step_id:
            data["assignee_id"] = None
        step_ids = {s.code: s.pk for s in self.procedures[p.procedure_code].steps[fresh.procedure_version_id]}
        if current.procedure_version_id != fresh.procedure_version_id:
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
        for key, rows_key, model in (
            ("TaiLieuNop", "components", DossierComponent),
            ("DanhSachLePhi", "fees", DossierFee),
            ("DanhSachHoSoBoSung", "supplements", Supplement),
            ("DanhSachHenLai", "resets", DueReset),
        ):
            if key not in changed:
                continue
            if key == "DanhSachHoSoBoSung":
                DossierComponent.objects.filter(dossier=current, supplement__isnull=False).update(
                    supplement=None
                )
            model.objects.filter(dossier=current).delete()  # type: ignore[attr-defined]
            for obj in rows[rows_key]:
                obj.dossier = current
            model.objects.bulk_create(rows[rows_key])  # type: ignore[attr-defined]
        columns = {
            name: getattr(fresh, name)
            for name in (
                "procedure_id",
                "procedure_version_id",
                "receiving_unit_id",
                "competent_unit_id",
                "applicant_person_id",
                "applicant_organisation_id",
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
        columns.update({n: getattr(after, n) for n in projection.PROJECTED_FIELDS})
        columns["extra"] = {**(current.extra or {}), **fresh.extra}
        columns["imported_at"] = now
        done = Dossier.objects.filter(pk=current.pk, lock_version=current.lock_version).update(
            **columns, lock_version=seq, updated_at=now
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
        reloaded = jsonl.with_rows(Dossier.objects.filter(pk=current.pk)).get()
        reloaded.import_overrides = {}
        reloaded.extra = {}
        record = jsonl.render_loaded(reloaded)
        overrides = {
            k: [record[k], v]
            for k, v in p.raw.items()
            if k in record and k not in LIST_KEYS and not jsonl.same(record[k], v)
        }
        Dossier.objects.filter(pk=current.pk).update(import_overrides=overrides)
        return True


def import_file(
    source: str | Path | IO[str],
    *,
    batch_size: int = 1000,
    progress: bool = False,
    label: str | None = None,
    now: datetime | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> Summary:
    """Validate the whole file, then write it in batches. ``ImportRejected`` when any line is bad."""
    started = clock.perf_counter()
    moment = now or timezone.now()
    name = label or (str(source) if isinstance(source, str | Path) else "luồng dữ liệu")
    if not isinstance(source, str | Path) or str(source) == "-":
        # a stream is read once: keep its text for the second pass
        text = (sys.stdin if str(source) == "-" else source).read()  # type: ignore[union-attr]
        source_factory: Callable[[], Any] = lambda: io.StringIO(text)  # noqa: E731
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
    with audit.acting_as(None, label=IMPORT_LABEL):
        writer = Writer(checked, summary, name)
        resolver = Resolver()
        batch: list[Parsed] = []
        number = 0
        parsed: Iterable[Parsed] = (
            checked.parsed
            if checked.parsed is not None
            else (
                result  # type: ignore[misc]
                for _, result in _parse_all(read_lines(source_factory()), resolver, moment)
            )
        )
        for result in parsed:
            assert isinstance(result, Parsed)
            batch.append(result)
            if len(batch) >= batch_size:
                number += 1
                writer.write_batch(batch, number, moment)
                if bar is not None:
                    bar.update(len(batch))
                if on_batch is not None:
                    on_batch(number)
                batch = []
        if batch:
            number += 1
            writer.write_batch(batch, number, moment)
            if bar is not None:
                bar.update(len(batch))
    if bar is not None:
        bar.close()
    summary.batches = number
    summary.seconds = clock.perf_counter() - started
    return summary
