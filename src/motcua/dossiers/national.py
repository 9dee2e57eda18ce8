"""The parts of the national portal's ``DongBoHoSoMC`` record (domain.md §6.2), built from plain values.

One builder for each part, shared by everything that writes the record: the national sync (the outbox
body, ``sync.dong_bo_ho_so_mc``) and the JSON Lines export and import (``jsonl``). Each builder takes
plain values (no queries, no model instances), so a caller can feed it from model instances already in
memory (``fields_of``, ``component_of``…), from ``values_list`` rows (``jsonl.iter_records``, fast), or
from a parsed line before anything is written (the importer predicting its export).

Field names follow the OPENCPS implementation of the DVCQG sync service. Dates are local
(Asia/Ho_Chi_Minh) ``yyyyMMddHHmmss``; a date not yet known is an empty string. ``MaDonVi`` is a motcua
extension carrying the competent unit's electronic identification code (domain.md §0).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from motcua.workdays.domain import parse_stamp as parse_stamp  # the record's date form, re-exported
from motcua.workdays.domain import stamp as stamp

FEE_KIND_CODES = {"fee": 1, "charge": 2, "obligation": 3}
FEE_KINDS = {v: k for k, v in FEE_KIND_CODES.items()}
ONLINE_PAYMENT_NO = 0
ONLINE_PAYMENT_LOCAL = 2  # models.OnlinePayment.LOCAL: paid through the province's own portal
CHANNEL_COUNTER, CHANNEL_ONLINE, CHANNEL_POST = 1, 2, 3  # KenhThucHien (models.Channel uses these)
# Where a record carries the internal state when it is not the default for its national code.
INTERNAL_STATE_FIELD = "TrangThaiNoiBo"


def unit_code(unit: Any) -> str:
    """``MaDonVi``: the unit's electronic identification code (QCVN 102), else its internal code."""
    return str(unit.eid_code or unit.code)


def person_name(user: Any) -> str:
    """A staff member as the record names them (``NguoiYeuCauBoSung``…); ``""`` for nobody."""
    return "" if user is None else str(user.full_name or user.username)


def online_payment_code(recorded: int | None, paid_online: bool) -> int:
    """``DuocThanhToanTrucTuyen``: as recorded (imported dossiers), else 2 when paid online, else 0."""
    if recorded is not None:
        return int(recorded)
    return ONLINE_PAYMENT_LOCAL if paid_online else ONLINE_PAYMENT_NO


def dossier_fields(
    *,
    code: str,
    procedure_code: str,
    procedure_name: str,
    field_code: str,
    field_name: str,
    applicant_name: str,
    applicant_type: int | None,
    applicant_id_number: str,
    email: str,
    phone: str,
    submitted_at: datetime | None,
    received_at: datetime | None,
    due_at: datetime | None,
    national_status: int,
    returned_at: datetime | None,
    finished_at: datetime | None,
    by_post: bool,
    unit_name: str,
    unit_code: str,
    channel: int,
    online_payment: int,
    time_limit_value: Decimal | float,
    time_limit_unit: str,
) -> dict[str, Any]:
    """The top-level fields of the record (everything but the lists), in the sync service's order.

    ``procedure_name`` is the procedure version's name (``TenTTHC`` and ``TrichYeuHoSo``);
    ``online_payment`` the ``DuocThanhToanTrucTuyen`` code (``online_payment_code``);
    ``time_limit_value`` / ``time_limit_unit`` the time limit the dossier runs on. An applicant
    without an identity number (``applicant_id_number`` "") has no ``MaDoiTuong``, and no
    ``LoaiDoiTuong`` when ``applicant_type`` is ``None`` (not known)."""
    fields = {
        "MaHoSo": code,
        "MaTTHC": procedure_code,
        "TenTTHC": procedure_name,
        "MaLinhVuc": field_code,
        "TenLinhVuc": field_name,
        "SoBienNhan": code,
        "ChuHoSo": applicant_name,
        "LoaiDoiTuong": applicant_type,
        "MaDoiTuong": applicant_id_number,
        "ThongTinKhac": "",
        "Email": email or "",
        "Fax": "",
        "SoDienThoai": phone or "",
        "TrichYeuHoSo": procedure_name,
        "NgayNopHoSo": stamp(submitted_at),
        "NgayTiepNhan": stamp(received_at),
        "NgayHenTra": stamp(due_at),
        "TrangThaiHoSo": national_status,
        "NgayTra": stamp(returned_at),
        "ThongTinTra": "",
        "HinhThuc": 1 if by_post else 0,
        "NgayKetThucXuLy": stamp(finished_at),
        "DonViXuLy": unit_name,
        "MaDonVi": unit_code,
        "GhiChu": "",
        "KenhThucHien": channel,
        "DuocThanhToanTrucTuyen": online_payment,
        "ThoiGianGiaiQuyet": float(time_limit_value),
        "DonViTinh": time_limit_unit,
    }
    if not applicant_id_number:
        del fields["MaDoiTuong"]
        if applicant_type is None:
            del fields["LoaiDoiTuong"]
    return fields


def fields_of(dossier: Any) -> dict[str, Any]:
    """``dossier_fields`` of a ``Dossier`` instance. Reads its procedure (and field), procedure
    version, competent unit and applicant: no query when they are loaded (``select_related``) or
    assigned in memory. For a dossier created in motcua (no recorded ``online_payment`` or time
    limit) this is exactly what the national sync has always sent."""
    version = dossier.procedure_version
    procedure = dossier.procedure
    applicant = (
        dossier.applicant_person
        if dossier.applicant_person_id
        else dossier.applicant_organisation
        if dossier.applicant_organisation_id
        else None
    )
    unit = dossier.competent_unit
    return dossier_fields(
        code=dossier.code,
        procedure_code=procedure.code,
        procedure_name=version.name,
        field_code=procedure.field.code,
        field_name=procedure.field.name,
        applicant_name=dossier.applicant_name,
        applicant_type=dossier.applicant_type,
        applicant_id_number=dossier.applicant_id_number,
        email=getattr(applicant, "email", "") or "",
        phone=getattr(applicant, "phone", "") or "",
        submitted_at=dossier.submitted_at,
        received_at=dossier.received_at,
        due_at=dossier.appointment_at,
        national_status=dossier.national_status,
        returned_at=dossier.returned_at,
        finished_at=dossier.finished_at,
        by_post=dossier.result_delivery == "post",
        unit_name=unit.name,
        unit_code=unit_code(unit),
        channel=dossier.channel,
        online_payment=online_payment_code(dossier.online_payment, dossier.paid_online),
        time_limit_value=(
            dossier.time_limit_value if dossier.time_limit_value is not None else version.time_limit_value
        ),
        time_limit_unit=dossier.time_limit_unit or version.time_limit_unit,
    )


# -- list items ------------------------------------------------------------------------------------


def component_item(
    *, pk: Any, name: str, catalogue_code: str, file_name: str, digitised: bool, reused: bool
) -> dict[str, Any]:
    """One ``TaiLieuNop[]`` item."""
    return {
        "TepDinhKemId": str(pk),
        "TenTepDinhKem": name,
        "IsDeleted": False,
        "MaThanhPhanHoSo": catalogue_code or "",
        "DuongDanTaiTepTin": file_name or "",
        "DuocSoHoa": int(digitised),
        "DuocLayTuKhoDMQG": int(reused),
    }


def fee_item(
    *,
    pk: Any,
    catalogue_fee_id: int | None,
    name: str,
    collect_at: int,
    amount_vnd: Decimal | None,
    kind: str,
    paid: bool,
) -> dict[str, Any]:
    """One ``DanhSachLePhi[]`` item."""
    return {
        "TenPhiLePhi": name,
        "MaPhiLePhi": str(catalogue_fee_id or pk),
        "HinhThucThu": collect_at,
        "Gia": int(amount_vnd) if amount_vnd is not None else None,
        "LoaiPhiLePhi": FEE_KIND_CODES[kind],
        "TrangThaiThanhToan": int(paid),
    }


def supplement_item(
    *,
    pk: Any,
    requested_by: str,
    reasons: str,
    requested_at: datetime | None,
    received_by: str,
    received_note: str,
    received_at: datetime | None,
    items: list[str],
    due_before: datetime | None,
    due_after: datetime | None,
) -> dict[str, Any]:
    """One ``DanhSachHoSoBoSung[]`` item; ``requested_by`` / ``received_by`` are ``person_name``s."""
    return {
        "HoSoBoSungId": str(pk),
        "NguoiYeuCauBoSung": requested_by,
        "NoiDungBoSung": reasons,
        "NgayBoSung": stamp(requested_at),
        "NguoiTiepNhanBoSung": received_by,
        "ThongTinTiepNhan": received_note,
        "NgayTiepNhanBoSung": stamp(received_at),
        "TrangThaiBoSung": 1 if received_at else 0,
        "DanhSachGiayToBoSung": [{"TenGiayTo": item} for item in items],
        "DanhSachLePhiBoSung": [],
        "NgayHenTraTruoc": stamp(due_before),
        "NgayHenTraMoi": stamp(due_after),
    }


def component_of(c: Any) -> dict[str, Any]:
    """``component_item`` of a ``DossierComponent`` (its catalogue component loaded)."""
    return component_item(
        pk=c.pk,
        name=c.name,
        catalogue_code=(c.catalogue_component.code if c.catalogue_component_id else "") or "",
        file_name=c.file.name if c.file else "",
        digitised=c.digitised,
        reused=c.reused,
    )


def fee_of(f: Any) -> dict[str, Any]:
    """``fee_item`` of a ``DossierFee``."""
    return fee_item(
        pk=f.pk,
        catalogue_fee_id=f.catalogue_fee_id,
        name=f.name,
        collect_at=f.collect_at,
        amount_vnd=f.amount_vnd,
        kind=f.kind,
        paid=f.paid,
    )


def supplement_of(s: Any) -> dict[str, Any]:
    """``supplement_item`` of a ``Supplement`` (its requester and receiver loaded)."""
    return supplement_item(
        pk=s.pk,
        requested_by=person_name(s.requested_by if s.requested_by_id else None),
        reasons=s.reasons,
        requested_at=s.requested_at,
        received_by=person_name(s.received_by if s.received_by_id else None),
        received_note=s.received_note,
        received_at=s.received_at,
        items=s.items,
        due_before=s.due_before,
        due_after=s.due_after,
    )
