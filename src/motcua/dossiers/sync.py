"""The dossier as the national portal wants it: the ``DongBoHoSoMC`` record (domain.md §6.2).

Field names follow the OPENCPS implementation of the DVCQG sync service. Dates are local
(Asia/Ho_Chi_Minh) ``yyyyMMddHHmmss``; a date not yet known is an empty string. ``MaDonVi`` is a motcua
extension carrying the competent unit's electronic identification code (domain.md §0), so an importer
can route the dossier without parsing ``DonViXuLy``.

``dong_bo_ho_so_mc`` reads the dossier's components, fees and supplements from the database, unless
the caller passes them (intake passes the rows it has just written: the record is then built without
a query, and a test keeps it byte-for-byte equal to the one read back).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from motcua.dossiers import national
from motcua.dossiers.models import Dossier, DossierComponent, DossierEvent, DossierFee, Supplement
from motcua.dossiers.national import FEE_KIND_CODES, stamp  # noqa: F401 — the sync's public names

TOPIC_DONG_BO = "dvcqg.DongBoHoSoMC"
TOPIC_TIEN_DO = "dvcqg.CapNhatTienDoHoSoMC"

# One builder per part of the record, shared with the JSON Lines export (``national``).
component_record = national.component_of
fee_record = national.fee_of
supplement_record = national.supplement_of


def _by_id(rows: Iterable[Any]) -> list[Any]:
    # The database path orders by id; rows given in memory are put in the same order.
    return sorted(rows, key=lambda row: row.pk)


def dong_bo_ho_so_mc(
    dossier: Dossier,
    *,
    updating: bool = True,
    components: Iterable[DossierComponent] | None = None,
    fees: Iterable[DossierFee] | None = None,
    supplements: Iterable[Supplement] | None = None,
) -> dict[str, Any]:
    """The message body ``{"service": "DongBoHoSoMC", "isUpdating": …, "data": [record]}``.

    ``components``, ``fees``, ``supplements``: all of the dossier's rows (saved), when the caller
    already holds them; ``None`` reads them from the database."""
    components = (
        dossier.components.select_related("catalogue_component").order_by("id")
        if components is None
        else _by_id(components)
    )
    fees = dossier.fees.order_by("id") if fees is None else _by_id(fees)
    supplements = (
        dossier.supplements.select_related("requested_by", "received_by").order_by("id")
        if supplements is None
        else _by_id(supplements)
    )
    record = national.fields_of(dossier)
    record["TaiLieuNop"] = [component_record(c) for c in components]
    record["DanhSachLePhi"] = [fee_record(f) for f in fees]
    record["DanhSachTepDinhKemKhac"] = []
    record["DanhSachHoSoBoSung"] = [supplement_record(s) for s in supplements]
    record["DanhSachGiayToKetQua"] = []
    if dossier.result_code:  # the electronic result (documents.results): 766 indicator 4.1
        record["MaKetQua"] = dossier.result_code
        record["DuongDanTepTinKetQua"] = dossier.result_file_url
        names = dossier.procedure_version.result_types or []
        record["DanhSachGiayToKetQua"] = [
            {
                "TenGiayTo": str(names[0]) if names else "Kết quả giải quyết thủ tục hành chính",
                "MaThanhPhanHoSo": "",
                "GiayToId": dossier.result_code,
                "DuongDanTepTinKetQua": dossier.result_file_url,
            }
        ]
    return {"service": "DongBoHoSoMC", "isUpdating": updating, "data": [record]}


def cap_nhat_tien_do(dossier: Dossier, event: DossierEvent, *, what: str) -> dict[str, Any]:
    """The progress event ``{"service": "CapNhatTienDoHoSoMC", "data": [event]}`` of one transition
    (domain.md §6.2): who acted (name and title), when, in which unit, what was done (``what``: the
    action's label), the national status after it, the dossier's start and legal end. No query: the
    event's actor and the dossier's competent unit are in memory."""
    actor = event.actor if event.actor_id else None
    note = str((event.data or {}).get("note") or (event.data or {}).get("reason") or "").strip()
    return {
        "service": "CapNhatTienDoHoSoMC",
        "data": [
            {
                "MaHoSo": dossier.code,
                "NguoiXuLy": event.actor_label,
                "ChucDanh": getattr(actor, "job_title", "") or "",
                "ThoiDiemXuLy": stamp(event.at),
                "PhongBanXuLy": dossier.competent_unit.name,
                "NoiDungXuLy": f"{what}: {note}"[:2000] if note else what,
                "TrangThai": event.national_status,
                "NgayBatDau": stamp(dossier.received_at),
                "NgayKetThucTheoQuyDinh": stamp(dossier.appointment_at),
            }
        ],
    }
