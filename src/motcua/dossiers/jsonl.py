"""Dossiers as JSON Lines in the national portal's sync shape (``DongBoHoSoMC``, domain.md §6.2).

One dossier per line. This module holds what import and export share: the field names, the date
format (local ``yyyyMMddHHmmss``), and ``render`` — the record of one dossier built from rows already in
memory (so an export of many dossiers costs a few queries per batch, and the importer can predict
what an export will give before it writes anything). ``render`` gives, for a dossier created in
motcua, exactly the record ``sync.dong_bo_ho_so_mc`` sends to the national portal (a test keeps the
two equal), plus:

- the QĐ 766 inputs that motcua stores on the dossier (``MaKetQua``, ``DuongDanTepTinKetQua``,
  ``HoSoCoThanhPhanSoHoa``, ``TaiKhoanDuocXacThucVoiVNeID``, ``MaCSDL``) when known, and
  ``DuocThanhToanTrucTuyen``, ``ThoiGianGiaiQuyet``, ``DonViTinh`` as recorded on the dossier;
- two motcua extensions, only when they carry something: ``DanhSachHenLai`` (apologies and new dates,
  Mẫu 04) and ``TrangThaiNoiBo`` (only ``refused_after_appraisal``, which shares code 8 with a stop);
- for imported dossiers, the file's own values where motcua would render them differently
  (``Dossier.import_overrides``, each item's ``source``) and the unknown fields (``Dossier.extra``).

The round trip is defined in docs/dossiers-import.md and tested in ``tests/test_jsonl.py``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, TextIO

from django.db.models import Prefetch, QuerySet

from motcua.dossiers.models import (
    Dossier,
    DossierComponent,
    DossierFee,
    DueReset,
    OnlinePayment,
    ResultDelivery,
    Supplement,
)
from motcua.dossiers.rules import State
from motcua.dossiers.sync import _person_name, _unit_code, stamp
from motcua.workdays.domain import TZ

DATE_FORMAT = "%Y%m%d%H%M%S"

# Top-level dates of the record (local yyyyMMddHHmmss, "" when unknown).
DATE_FIELDS = ("NgayNopHoSo", "NgayTiepNhan", "NgayHenTra", "NgayTra", "NgayKetThucXuLy")
SUPPLEMENT_DATE_FIELDS = ("NgayBoSung", "NgayTiepNhanBoSung", "NgayHenTraTruoc", "NgayHenTraMoi")
RESET_DATE_FIELDS = ("NgayXinLoi", "NgayHenTraTruoc", "NgayHenTraMoi")

# Identity keys of list items in the source system: always written back as the file had them.
ITEM_IDENTITY_KEYS = {
    "TaiLieuNop": ("TepDinhKemId",),
    "DanhSachLePhi": ("MaPhiLePhi",),
    "DanhSachHoSoBoSung": ("HoSoBoSungId",),
    "DanhSachHenLai": (),
}

FEE_KIND_CODES = {"fee": 1, "charge": 2, "obligation": 3}
FEE_KINDS = {v: k for k, v in FEE_KIND_CODES.items()}

# Internal states that are not the default for their national code (code 8 is a stop by default).
INTERNAL_STATE_FIELD = "TrangThaiNoiBo"
NON_DEFAULT_STATES = {State.REFUSED_AFTER_APPRAISAL.value: 8}
MISSING = object()
_SCALARS = (str, int, bool, type(None))


def parse_stamp(text: str) -> datetime:
    """A local ``yyyyMMddHHmmss`` as an aware datetime; ``ValueError`` when it is not one."""
    if not isinstance(text, str) or len(text) != 14 or not text.isascii() or not text.isdigit():
        raise ValueError(text)
    return datetime(
        int(text[0:4]),
        int(text[4:6]),
        int(text[6:8]),
        int(text[8:10]),
        int(text[10:12]),
        int(text[12:14]),
        tzinfo=TZ,
    )


def same(a: Any, b: Any) -> bool:
    """Equal as JSON, types included (``3`` is not ``3.0``, ``1`` is not ``true``)."""
    if a is MISSING or b is MISSING:
        return a is b
    kind = type(a)
    if kind is type(b) and kind in _SCALARS:
        return bool(a == b)
    return json.dumps(a, sort_keys=True, ensure_ascii=False) == json.dumps(
        b, sort_keys=True, ensure_ascii=False
    )


ITEM_LISTS = ("TaiLieuNop", "DanhSachLePhi", "DanhSachHoSoBoSung", "DanhSachHenLai")


def covers(record: dict[str, Any], line: dict[str, Any]) -> bool:
    """Whether ``record`` gives back every value of ``line``: each key with the same value (``same``);
    for the item lists, the same number of items, each item giving back every key of the line's item.
    This is the round-trip guarantee (docs/dossiers-import.md)."""
    return not differing(record, line)


def differing(record: dict[str, Any], line: dict[str, Any]) -> list[str]:
    """The keys of ``line`` that ``record`` does not give back."""
    keys = []
    for key, value in line.items():
        have = record.get(key, MISSING)
        if key in ITEM_LISTS and isinstance(value, list) and isinstance(have, list):
            if len(have) == len(value) and all(
                isinstance(a, dict) and isinstance(b, dict) and not differing(a, b)
                for a, b in zip(have, value, strict=True)
            ):
                continue
        elif same(have, value):
            continue
        keys.append(key)
    return keys


def apply_source(item: dict[str, Any], source: dict[str, Any] | None) -> dict[str, Any]:
    """Overlay the file's own values: ``keep`` always, ``when`` only while motcua still renders the
    value it rendered at import (a later change of the dossier wins over the file)."""
    if not source:
        return item
    for key, value in (source.get("keep") or {}).items():
        item[key] = value
    for key, (rendered, given) in (source.get("when") or {}).items():
        if same(item.get(key, MISSING), rendered):
            item[key] = given
    return item


def _number(value: Decimal) -> float:
    return float(value)


# -- rendering from rows in memory -----------------------------------------------------------------


def render_component(c: DossierComponent) -> dict[str, Any]:
    item = {
        "TepDinhKemId": str(c.pk),
        "TenTepDinhKem": c.name,
        "IsDeleted": False,
        "MaThanhPhanHoSo": (c.catalogue_component.code if c.catalogue_component_id else "") or "",
        "DuongDanTaiTepTin": c.file.name if c.file else "",
        "DuocSoHoa": int(c.digitised),
        "DuocLayTuKhoDMQG": int(c.reused),
    }
    return item


def render_fee(f: DossierFee) -> dict[str, Any]:
    return {
        "TenPhiLePhi": f.name,
        "MaPhiLePhi": str(f.catalogue_fee_id or f.pk),
        "HinhThucThu": f.collect_at,
        "Gia": int(f.amount_vnd) if f.amount_vnd is not None else None,
        "LoaiPhiLePhi": FEE_KIND_CODES[f.kind],
        "TrangThaiThanhToan": int(f.paid),
    }


def render_supplement(s: Supplement) -> dict[str, Any]:
    return {
        "HoSoBoSungId": str(s.pk),
        "NguoiYeuCauBoSung": _person_name(s.requested_by if s.requested_by_id else None),
        "NoiDungBoSung": s.reasons,
        "NgayBoSung": stamp(s.requested_at),
        "NguoiTiepNhanBoSung": _person_name(s.received_by if s.received_by_id else None),
        "ThongTinTiepNhan": s.received_note,
        "NgayTiepNhanBoSung": stamp(s.received_at),
        "TrangThaiBoSung": 1 if s.received_at else 0,
        "DanhSachGiayToBoSung": [{"TenGiayTo": item} for item in s.items],
        "DanhSachLePhiBoSung": [],
        "NgayHenTraTruoc": stamp(s.due_before),
        "NgayHenTraMoi": stamp(s.due_after),
    }


def render_reset(r: DueReset) -> dict[str, Any]:
    """The motcua extension ``DanhSachHenLai[]`` (Phiếu xin lỗi và hẹn lại ngày trả, Mẫu 04)."""
    return {
        "NgayXinLoi": stamp(r.recorded_at),
        "NgayHenTraTruoc": stamp(r.old_due),
        "NgayHenTraMoi": stamp(r.new_due),
        "LyDo": r.reason,
    }


def render_base(dossier: Dossier) -> dict[str, Any]:
    """The top-level fields (no lists), as ``sync.dong_bo_ho_so_mc`` writes them, plus the 766 inputs."""
    version = dossier.procedure_version
    procedure = dossier.procedure
    applicant = dossier.applicant_person if dossier.applicant_person_id else dossier.applicant_organisation
    unit = dossier.competent_unit
    if dossier.online_payment is not None:
        paid = int(dossier.online_payment)
    else:
        paid = int(OnlinePayment.LOCAL) if dossier.paid_online else int(OnlinePayment.NO)
    record: dict[str, Any] = {
        "MaHoSo": dossier.code,
        "MaTTHC": procedure.code,
        "TenTTHC": version.name,
        "MaLinhVuc": procedure.field.code,
        "TenLinhVuc": procedure.field.name,
        "SoBienNhan": dossier.code,
        "ChuHoSo": dossier.applicant_name,
        "LoaiDoiTuong": 1 if dossier.applicant_person_id else 2,
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
        "DonViXuLy": unit.name,
        "MaDonVi": _unit_code(unit),
        "GhiChu": "",
        "KenhThucHien": dossier.channel,
        "DuocThanhToanTrucTuyen": paid,
        "ThoiGianGiaiQuyet": _number(
            dossier.time_limit_value if dossier.time_limit_value is not None else version.time_limit_value
        ),
        "DonViTinh": dossier.time_limit_unit or version.time_limit_unit,
    }
    if dossier.result_code:
        record["MaKetQua"] = dossier.result_code
    if dossier.result_file_url:
        record["DuongDanTepTinKetQua"] = dossier.result_file_url
    if dossier.has_digitised_components is not None:
        record["HoSoCoThanhPhanSoHoa"] = int(dossier.has_digitised_components)
    if dossier.vneid_authenticated is not None:
        record["TaiKhoanDuocXacThucVoiVNeID"] = int(dossier.vneid_authenticated)
    if dossier.population_db_code:
        record["MaCSDL"] = dossier.population_db_code
    if dossier.state in NON_DEFAULT_STATES:
        record[INTERNAL_STATE_FIELD] = dossier.state
    return record


def render(
    dossier: Dossier,
    *,
    components: Sequence[DossierComponent],
    fees: Sequence[DossierFee],
    supplements: Sequence[Supplement],
    resets: Sequence[DueReset],
) -> dict[str, Any]:
    """The record of ``dossier`` from the given rows (each list in id order)."""
    record = render_base(dossier)
    record["TaiLieuNop"] = [apply_source(render_component(c), c.source) for c in components]
    record["DanhSachLePhi"] = [apply_source(render_fee(f), f.source) for f in fees]
    record["DanhSachTepDinhKemKhac"] = []
    record["DanhSachHoSoBoSung"] = [apply_source(render_supplement(s), s.source) for s in supplements]
    record["DanhSachGiayToKetQua"] = []
    if resets:
        record["DanhSachHenLai"] = [apply_source(render_reset(r), r.source) for r in resets]
    apply_source(record, {"when": dossier.import_overrides or {}})
    for key, value in (dossier.extra or {}).items():
        record.setdefault(key, value)
    return record


# -- export ----------------------------------------------------------------------------------------

RELATED = (
    "procedure__field",
    "procedure_version",
    "competent_unit",
    "applicant_person",
    "applicant_organisation",
)


def with_rows(qs: QuerySet[Dossier]) -> QuerySet[Dossier]:
    """``qs`` with everything ``render`` reads, in a fixed number of queries per batch."""
    return qs.select_related(*RELATED).prefetch_related(
        Prefetch(
            "components",
            queryset=DossierComponent.objects.select_related("catalogue_component").order_by("id"),
            to_attr="rows_components",
        ),
        Prefetch("fees", queryset=DossierFee.objects.order_by("id"), to_attr="rows_fees"),
        Prefetch(
            "supplements",
            queryset=Supplement.objects.select_related("requested_by", "received_by").order_by("id"),
            to_attr="rows_supplements",
        ),
        Prefetch("due_resets", queryset=DueReset.objects.order_by("ordinal", "id"), to_attr="rows_resets"),
    )


def render_loaded(dossier: Dossier) -> dict[str, Any]:
    """``render`` for a dossier fetched through ``with_rows``."""
    return render(
        dossier,
        components=dossier.rows_components,  # type: ignore[attr-defined]
        fees=dossier.rows_fees,  # type: ignore[attr-defined]
        supplements=dossier.rows_supplements,  # type: ignore[attr-defined]
        resets=dossier.rows_resets,  # type: ignore[attr-defined]
    )


def record_of(dossier: Dossier) -> dict[str, Any]:
    """The exported record of one dossier (loads its rows)."""
    return render_loaded(with_rows(Dossier.objects.filter(pk=dossier.pk)).get())


def export_queryset(
    *, received_from: date | None = None, received_to: date | None = None, unit: Any = None
) -> QuerySet[Dossier]:
    """Dossiers to export: all, or those received in [from, to] (local dates, inclusive) and/or
    processed by ``unit`` or a unit below it."""
    qs = Dossier.objects.all()
    if received_from is not None:
        qs = qs.filter(received_at__gte=datetime.combine(received_from, time.min, tzinfo=TZ))
    if received_to is not None:
        qs = qs.filter(received_at__lt=datetime.combine(received_to + timedelta(days=1), time.min, tzinfo=TZ))
    if unit is not None:
        qs = qs.filter(competent_unit__path__startswith=unit.path)
    return qs


def iter_records(qs: QuerySet[Dossier], *, batch_size: int = 500) -> Iterator[dict[str, Any]]:
    """The records of ``qs`` in id order, fetched ``batch_size`` dossiers at a time (keyset on id)."""
    last = 0
    while True:
        batch = list(with_rows(qs.filter(pk__gt=last).order_by("pk"))[:batch_size])
        if not batch:
            return
        for dossier in batch:
            yield render_loaded(dossier)
        last = batch[-1].pk


def dumps(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def write_jsonl(records: Iterable[dict[str, Any]], out: TextIO) -> int:
    count = 0
    for record in records:
        out.write(dumps(record))
        out.write("\n")
        count += 1
    return count
