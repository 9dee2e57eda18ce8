"""The fields of a line, read and checked one by one: numbers in their allowed sets, strings and
their lengths, dates (local ``yyyyMMddHHmmss``), the applicant's identity number, the units, the
lists' elements (``Item``), the QĐ 766 inputs kept on the dossier and the state. Each ``read_*``
raises ``Bad`` naming the field (``TaiLieuNop[2].DuocSoHoa`` in a list, 1-based).

Which unit codes exist is not looked up here: ``UnitCodes`` is given the known codes and the dossier
code format of a day (``resolve.Resolver`` reads both from the database).

Pure Python, no database.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from motcua.core.identity import IdentityError, normalise_tax_code, parse_citizen_id
from motcua.dossiers import national, rules
from motcua.dossiers.importing.parsed import Bad, Item
from motcua.dossiers.rules import State

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
FEE_KINDS = national.FEE_KINDS
# The line format's names and the models' values, from the pure modules that define them.
COUNTER, ONLINE = national.CHANNEL_COUNTER, national.CHANNEL_ONLINE
read_stamp = national.parse_stamp
INTERNAL_STATE_FIELD = national.INTERNAL_STATE_FIELD
_UNIT_CODE = re.compile(r"^[^/\s]{1,40}$")


def read_int(
    obj: dict[str, Any], key: str, allowed: Iterable[int], *, default: int | None = None
) -> int | None:
    value = obj.get(key)
    if value is None or value == "":
        return default
    if type(value) is not int or value not in allowed:  # not a bool either
        allowed = tuple(allowed)
        raise Bad(key, f"phải là số nguyên trong {{{', '.join(map(str, allowed))}}}, nhận được {value!r}.")
    number: int = value
    return number


def read_text(obj: dict[str, Any], key: str, *, required: bool = False, max_length: int | None = None) -> str:
    value = obj.get(key)
    if type(value) is str and not required and (max_length is None or len(value) <= max_length):
        return value  # the usual case, quickly
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise Bad(key, f"phải là chuỗi ký tự, nhận được {value!r}.")
    value = value.strip() if required else value
    if required and not value:
        raise Bad(key, "bắt buộc, không được để trống.")
    if max_length is not None and len(value) > max_length:
        raise Bad(key, f"dài quá {max_length} ký tự.")
    return value


def read_date(obj: dict[str, Any], key: str, *, required: bool = False, now: datetime) -> datetime | None:
    value = obj.get(key)
    if value is None or value == "":
        if required:
            raise Bad(key, "bắt buộc (ngày giờ dạng yyyyMMddHHmmss).")
        return None
    moment = _STAMPS.get(value) if type(value) is str else None
    if moment is not None:
        return moment
    try:
        moment = read_stamp(value)
    except ValueError:
        raise Bad(key, f"không phải ngày giờ dạng yyyyMMddHHmmss (giờ Việt Nam): {value!r}.") from None
    if moment.year < 1990 or moment.year > 2100:
        raise Bad(key, f"năm {moment.year} không hợp lý.")
    if len(_STAMPS) >= 200_000:
        _STAMPS.clear()
    _STAMPS[value] = moment
    return moment


_STAMPS: dict[str, datetime] = {}  # valid stamps already parsed (datetimes are immutable)


def read_list(obj: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise Bad(key, "phải là một mảng các đối tượng JSON.")
    return value


def read_applicant(obj: dict[str, Any]) -> tuple[int | None, str]:
    """(``LoaiDoiTuong``, the CCCD or tax code). Without ``MaDoiTuong`` (absent, null or blank: old
    records) the applicant is kept by name only: (the line's ``LoaiDoiTuong`` or ``None``, "")."""
    raw = obj.get("MaDoiTuong")
    if isinstance(raw, int) and not isinstance(raw, bool):
        raise Bad("MaDoiTuong", "phải là chuỗi (số định danh có thể bắt đầu bằng 0).")
    number = read_text(obj, "MaDoiTuong").replace(" ", "").strip()
    kind = read_int(obj, "LoaiDoiTuong", (1, 2))
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
        raise Bad("MaDoiTuong", f"không phải {label}: {exc}") from None


class UnitCodes:
    """Which unit a code names: ``known`` (electronic id codes and internal codes of the units), and
    ``code_format(day)``, the dossier code format in force that day."""

    def __init__(self, known: Collection[str], code_format: Callable[[date], str]) -> None:
        self.units = known
        self.code_format = code_format
        self.formats: dict[date, str] = {}

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
            fmt = self.formats[day] = self.code_format(day)
        parsed = rules.parse_code(fmt, dossier_code)
        if parsed is not None:
            return parsed[0]
        return parts[0] if len(parts) > 1 else None


def read_units(obj: dict[str, Any], code: str, units: UnitCodes, day: date) -> tuple[str, str]:
    """(competent unit code, receiving unit code) by domain.md §0."""
    prefix = units.prefix(code, day)
    given = read_text(obj, "MaDonVi").strip()
    by_name = read_text(obj, "DonViXuLy").strip()
    if given:
        competent = given
    elif by_name and units.known(by_name):
        competent = by_name
    elif prefix:
        competent = prefix
    else:
        raise Bad(
            "MaDonVi", "không xác định được đơn vị xử lý (không có MaDonVi, DonViXuLy, tiền tố MaHoSo)."
        )
    receiving = prefix or competent
    for key, value in (("MaDonVi", competent), ("MaHoSo", receiving)):
        if not units.known(value) and not _UNIT_CODE.match(value):
            raise Bad(
                key, f"mã đơn vị “{value}” không hợp lệ để tạo bản ghi tạm (tối đa 40 ký tự, không '/')."
            )
    return competent, receiving


def read_components(obj: dict[str, Any]) -> list[Item]:
    items = []
    for i, raw in enumerate(read_list(obj, "TaiLieuNop"), 1):
        where = f"TaiLieuNop[{i}]"
        try:
            values = {
                "name": read_text(raw, "TenTepDinhKem"),
                "code": read_text(raw, "MaThanhPhanHoSo", max_length=60),
                "digitised": bool(read_int(raw, "DuocSoHoa", (0, 1), default=0)),
                "reused": bool(read_int(raw, "DuocLayTuKhoDMQG", (0, 1), default=0)),
            }
        except Bad as bad:
            raise Bad(f"{where}.{bad.field}", bad.message) from None
        items.append(Item(raw, values))
    return items


def read_fees(obj: dict[str, Any]) -> list[Item]:
    items = []
    for i, raw in enumerate(read_list(obj, "DanhSachLePhi"), 1):
        where = f"DanhSachLePhi[{i}]"
        try:
            price = raw.get("Gia")
            if price is not None and (
                isinstance(price, bool) or not isinstance(price, int | float) or price < 0
            ):
                raise Bad("Gia", f"phải là số không âm (đồng), nhận được {price!r}.")
            values = {
                "name": read_text(raw, "TenPhiLePhi", max_length=400),
                "amount": None if price is None else Decimal(str(price)).quantize(Decimal(1)),
                "kind": FEE_KINDS[read_int(raw, "LoaiPhiLePhi", (1, 2, 3), default=1) or 1],
                "collect_at": read_int(raw, "HinhThucThu", (1, 2, 4), default=1),
                "paid": bool(read_int(raw, "TrangThaiThanhToan", (0, 1), default=0)),
            }
        except Bad as bad:
            raise Bad(f"{where}.{bad.field}", bad.message) from None
        items.append(Item(raw, values))
    return items


def read_supplements(obj: dict[str, Any], now: datetime) -> list[Item]:
    items = []
    for i, raw in enumerate(read_list(obj, "DanhSachHoSoBoSung"), 1):
        where = f"DanhSachHoSoBoSung[{i}]"
        try:
            papers = raw.get("DanhSachGiayToBoSung") or []
            if not isinstance(papers, list):
                raise Bad("DanhSachGiayToBoSung", "phải là một mảng.")
            names = [
                str(p.get("TenGiayTo", "")) if isinstance(p, dict) else str(p)
                for p in papers
                if p is not None
            ]
            values: dict[str, Any] = {
                "requested_at": read_date(raw, "NgayBoSung", required=True, now=now),
                "received_at": read_date(raw, "NgayTiepNhanBoSung", now=now),
                "reasons": read_text(raw, "NoiDungBoSung"),
                "note": read_text(raw, "ThongTinTiepNhan"),
                "requester": read_text(raw, "NguoiYeuCauBoSung"),
                "due_before": read_date(raw, "NgayHenTraTruoc", now=now),
                "due_after": read_date(raw, "NgayHenTraMoi", now=now),
                "items": names,
            }
            read_int(raw, "TrangThaiBoSung", range(0, 10))
            if values["received_at"] is not None and values["received_at"] < values["requested_at"]:
                raise Bad("NgayTiepNhanBoSung", "trước NgayBoSung.")
        except Bad as bad:
            raise Bad(f"{where}.{bad.field}", bad.message) from None
        items.append(Item(raw, values))
    open_ = [i for i, s in enumerate(items, 1) if s.values["received_at"] is None]
    if open_ and open_ != [len(items)]:
        raise Bad(
            f"DanhSachHoSoBoSung[{open_[0]}].NgayTiepNhanBoSung",
            "chỉ lần bổ sung cuối cùng được phép chưa nhận (các lần trước phải có ngày nhận).",
        )
    return items


def read_resets(obj: dict[str, Any], now: datetime) -> list[Item]:
    items = []
    for i, raw in enumerate(read_list(obj, "DanhSachHenLai"), 1):
        where = f"DanhSachHenLai[{i}]"
        try:
            values = {
                "recorded_at": read_date(raw, "NgayXinLoi", required=True, now=now),
                "old_due": read_date(raw, "NgayHenTraTruoc", now=now),
                "new_due": read_date(raw, "NgayHenTraMoi", required=True, now=now),
                "reason": read_text(raw, "LyDo"),
            }
        except Bad as bad:
            raise Bad(f"{where}.{bad.field}", bad.message) from None
        items.append(Item(raw, values))
    return items


def read_scalars(obj: dict[str, Any]) -> dict[str, Any]:
    """The 766 inputs kept on the dossier (``None`` / "" when the line does not give them)."""
    limit = obj.get("ThoiGianGiaiQuyet")
    if limit is not None and limit != "":
        if isinstance(limit, bool) or not isinstance(limit, int | float) or limit < 0:
            raise Bad("ThoiGianGiaiQuyet", f"phải là số không âm, nhận được {limit!r}.")
        try:
            limit = Decimal(str(limit)).quantize(Decimal("0.01"))
        except InvalidOperation:
            raise Bad("ThoiGianGiaiQuyet", "quá lớn.") from None
        if limit >= Decimal("1e8"):
            raise Bad("ThoiGianGiaiQuyet", "quá lớn.")
    else:
        limit = None
    digitised = read_int(obj, "HoSoCoThanhPhanSoHoa", (0, 1))
    vneid = read_int(obj, "TaiKhoanDuocXacThucVoiVNeID", (0, 1))
    csdl = obj.get("MaCSDL")
    if csdl is not None and (isinstance(csdl, bool) or not isinstance(csdl, int | str)):
        raise Bad("MaCSDL", "phải là chuỗi hoặc số nguyên.")
    if csdl is not None and len(str(csdl)) > 60:
        raise Bad("MaCSDL", "dài quá 60 ký tự.")
    return {
        "online_payment": read_int(obj, "DuocThanhToanTrucTuyen", (0, 1, 2)),
        "result_code": read_text(obj, "MaKetQua", max_length=100),
        "result_file_url": read_text(obj, "DuongDanTepTinKetQua", max_length=1000),
        "has_digitised_components": None if digitised is None else bool(digitised),
        "vneid_authenticated": None if vneid is None else bool(vneid),
        "population_db_code": "" if csdl is None else str(csdl),
        "time_limit_value": limit,
        "time_limit_unit": read_text(obj, "DonViTinh", max_length=40),
    }


def read_state(obj: dict[str, Any]) -> State:
    if "TrangThaiHoSo" not in obj or obj["TrangThaiHoSo"] in (None, ""):
        raise Bad("TrangThaiHoSo", "bắt buộc (mã trạng thái 1–10).")
    code = read_int(obj, "TrangThaiHoSo", range(1, 11))
    assert code is not None
    internal = obj.get(INTERNAL_STATE_FIELD)
    if internal in (None, ""):
        return STATE_OF_CODE[code]
    try:
        state = State(internal)
    except ValueError:
        raise Bad(INTERNAL_STATE_FIELD, f"trạng thái nội bộ “{internal}” không có.") from None
    if rules.national_status(state) != code:
        raise Bad(INTERNAL_STATE_FIELD, f"“{internal}” không ứng với TrangThaiHoSo {code}.")
    return state
