"""The dossier as the national portal wants it: the ``DongBoHoSoMC`` record (domain.md §6.2).

Field names follow the OPENCPS implementation of the DVCQG sync service. Dates are local
(Asia/Ho_Chi_Minh) ``yyyyMMddHHmmss``; a date not yet known is an empty string. ``MaDonVi`` is a motcua
extension carrying the competent unit's electronic identification code (domain.md §0), so an importer
can route the dossier without parsing ``DonViXuLy``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from motcua.dossiers.models import Dossier, ResultDelivery
from motcua.workdays.domain import to_local

TOPIC_DONG_BO = "dvcqg.DongBoHoSoMC"


def stamp(moment: datetime | None) -> str:
    """``yyyyMMddHHmmss`` in Vietnamese time, or ``""``."""
    return "" if moment is None else to_local(moment).strftime("%Y%m%d%H%M%S")


def _unit_code(unit: Any) -> str:
    return str(unit.eid_code or unit.code)


def _person_name(user: Any) -> str:
    return "" if user is None else str(user.full_name or user.username)


def dong_bo_ho_so_mc(dossier: Dossier, *, updating: bool = True) -> dict[str, Any]:
    """The message body ``{"service": "DongBoHoSoMC", "isUpdating": …, "data": [record]}``."""
    version = dossier.procedure_version
    procedure = dossier.procedure
    applicant = dossier.applicant
    components = [
        {
            "TepDinhKemId": str(c.pk),
            "TenTepDinhKem": c.name,
            "IsDeleted": False,
            "MaThanhPhanHoSo": (c.catalogue_component.code if c.catalogue_component else "") or "",
            "DuongDanTaiTepTin": c.file.name if c.file else "",
            "DuocSoHoa": int(c.digitised),
            "DuocLayTuKhoDMQG": int(c.reused),
        }
        for c in dossier.components.select_related("catalogue_component").order_by("id")
    ]
    fees = [
        {
            "TenPhiLePhi": f.name,
            "MaPhiLePhi": str(f.catalogue_fee_id or f.pk),
            "HinhThucThu": f.collect_at,
            "Gia": int(f.amount_vnd) if f.amount_vnd is not None else None,
            "LoaiPhiLePhi": {"fee": 1, "charge": 2, "obligation": 3}[f.kind],
            "TrangThaiThanhToan": int(f.paid),
        }
        for f in dossier.fees.order_by("id")
    ]
    supplements = [
        {
            "HoSoBoSungId": str(s.pk),
            "NguoiYeuCauBoSung": _person_name(s.requested_by),
            "NoiDungBoSung": s.reasons,
            "NgayBoSung": stamp(s.requested_at),
            "NguoiTiepNhanBoSung": _person_name(s.received_by),
            "ThongTinTiepNhan": s.received_note,
            "NgayTiepNhanBoSung": stamp(s.received_at),
            "TrangThaiBoSung": 1 if s.received_at else 0,
            "DanhSachGiayToBoSung": [{"TenGiayTo": item} for item in s.items],
            "DanhSachLePhiBoSung": [],
            "NgayHenTraTruoc": stamp(s.due_before),
            "NgayHenTraMoi": stamp(s.due_after),
        }
        for s in dossier.supplements.select_related("requested_by", "received_by").order_by("id")
    ]
    record = {
        "MaHoSo": dossier.code,
        "MaTTHC": procedure.code,
        "TenTTHC": version.name,
        "MaLinhVuc": procedure.field.code,
        "TenLinhVuc": procedure.field.name,
        "SoBienNhan": dossier.code,
        "ChuHoSo": dossier.applicant_name,
        "LoaiDoiTuong": dossier.applicant_type,
        "MaDoiTuong": dossier.applicant_id_number,
        "ThongTinKhac": "",
        "Email": getattr(applicant, "email", "") or "",
        "Fax": "",
        "SoDienThoai": getattr(applicant, "phone", "") or "",
        "TrichYeuHoSo": version.name,
        "NgayNopHoSo": stamp(dossier.submitted_at),
        "NgayTiepNhan": stamp(dossier.received_at),
        "NgayHenTra": stamp(dossier.due_at),
        "TrangThaiHoSo": dossier.national_status,
        "NgayTra": stamp(dossier.returned_at),
        "ThongTinTra": "",
        "HinhThuc": 1 if dossier.result_delivery == ResultDelivery.POST else 0,
        "NgayKetThucXuLy": stamp(dossier.finished_at),
        "DonViXuLy": dossier.competent_unit.name,
        "MaDonVi": _unit_code(dossier.competent_unit),
        "GhiChu": "",
        "KenhThucHien": dossier.channel,
        "DuocThanhToanTrucTuyen": 2 if dossier.paid_online else 0,
        "ThoiGianGiaiQuyet": float(version.time_limit_value),
        "DonViTinh": version.time_limit_unit,
        "TaiLieuNop": components,
        "DanhSachLePhi": fees,
        "DanhSachTepDinhKemKhac": [],
        "DanhSachHoSoBoSung": supplements,
        "DanhSachGiayToKetQua": [],
    }
    return {"service": "DongBoHoSoMC", "isUpdating": updating, "data": [record]}
