"""Dossiers as JSON Lines in the national portal's sync shape (``DongBoHoSoMC``, domain.md §6.2).

One dossier per line. This module holds what import and export share: the field names, the date
format (local ``yyyyMMddHHmmss``), and the record of a dossier — built with the builders of
``national`` (the same as the national sync's) either from model instances already in memory
(``render``) or, for many dossiers, from value rows (``records``: five queries per batch, no model
instances; the export and the importer's "unchanged?" check use it). Both give the same record (a test
keeps them equal); for a dossier created in motcua, exactly the record ``sync.dong_bo_ho_so_mc`` sends
to the national portal (a test keeps the two equal), plus:

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
from typing import Any, TextIO

from django.db.models import Prefetch, QuerySet

from motcua.dossiers import national
from motcua.dossiers.models import (
    Dossier,
    DossierComponent,
    DossierFee,
    DueReset,
    ResultDelivery,
    Supplement,
)
from motcua.dossiers.national import parse_stamp as parse_stamp  # re-exported: reading the date format
from motcua.dossiers.national import stamp as stamp  # re-exported: the record's date format
from motcua.dossiers.rules import State
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

FEE_KIND_CODES = national.FEE_KIND_CODES
FEE_KINDS = national.FEE_KINDS

# Internal states that are not the default for their national code (code 8 is a stop by default).
INTERNAL_STATE_FIELD = national.INTERNAL_STATE_FIELD
NON_DEFAULT_STATES = {State.REFUSED_AFTER_APPRAISAL.value: 8}
MISSING = object()
_canonical = json.JSONEncoder(sort_keys=True, ensure_ascii=False).encode  # json.dumps(…), less work
_SCALARS = (str, int, bool, type(None))


def same(a: Any, b: Any) -> bool:
    """Equal as JSON, types included (``3`` is not ``3.0``, ``1`` is not ``true``)."""
    if a is MISSING or b is MISSING:
        return a is b
    kind = type(a)
    if kind is type(b):
        if kind in _SCALARS:
            return bool(a == b)
        if kind is float:
            return repr(a) == repr(b)  # as JSON writes them (nan is nan)
    return _canonical(a) == _canonical(b)


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


# -- rendering from rows in memory -----------------------------------------------------------------
# The national record's parts come from ``national`` (the same builders as the national sync).

render_component = national.component_of
render_fee = national.fee_of
render_supplement = national.supplement_of


def reset_item(
    *, recorded_at: datetime | None, old_due: datetime | None, new_due: datetime | None, reason: str
) -> dict[str, Any]:
    """One item of the motcua extension ``DanhSachHenLai[]`` (Phiếu xin lỗi và hẹn lại ngày trả, Mẫu 04)."""
    return {
        "NgayXinLoi": stamp(recorded_at),
        "NgayHenTraTruoc": stamp(old_due),
        "NgayHenTraMoi": stamp(new_due),
        "LyDo": reason,
    }


def render_reset(r: DueReset) -> dict[str, Any]:
    return reset_item(recorded_at=r.recorded_at, old_due=r.old_due, new_due=r.new_due, reason=r.reason)


def add_766_inputs(
    record: dict[str, Any],
    *,
    result_code: str,
    result_file_url: str,
    has_digitised_components: bool | None,
    vneid_authenticated: bool | None,
    population_db_code: str,
    state: str,
) -> dict[str, Any]:
    """The QĐ 766 inputs the dossier holds (only when known) and ``TrangThaiNoiBo`` when needed."""
    if result_code:
        record["MaKetQua"] = result_code
    if result_file_url:
        record["DuongDanTepTinKetQua"] = result_file_url
    if has_digitised_components is not None:
        record["HoSoCoThanhPhanSoHoa"] = int(has_digitised_components)
    if vneid_authenticated is not None:
        record["TaiKhoanDuocXacThucVoiVNeID"] = int(vneid_authenticated)
    if population_db_code:
        record["MaCSDL"] = population_db_code
    if state in NON_DEFAULT_STATES:
        record[INTERNAL_STATE_FIELD] = state
    return record


def render_base(dossier: Dossier) -> dict[str, Any]:
    """The top-level fields (no lists), as ``sync.dong_bo_ho_so_mc`` writes them, plus the 766 inputs."""
    return add_766_inputs(
        national.fields_of(dossier),
        result_code=dossier.result_code,
        result_file_url=dossier.result_file_url,
        has_digitised_components=dossier.has_digitised_components,
        vneid_authenticated=dossier.vneid_authenticated,
        population_db_code=dossier.population_db_code,
        state=dossier.state,
    )


def assemble(
    base: dict[str, Any],
    *,
    components: list[dict[str, Any]],
    fees: list[dict[str, Any]],
    supplements: list[dict[str, Any]],
    resets: list[dict[str, Any]],
    overrides: dict[str, Any] | None,
    extra: dict[str, Any] | None,
) -> dict[str, Any]:
    """The whole record: ``base`` (top-level fields), the lists (items with their ``source`` applied),
    then the file's own values (``import_overrides``) and the unknown fields (``extra``)."""
    record = base
    record["TaiLieuNop"] = components
    record["DanhSachLePhi"] = fees
    record["DanhSachTepDinhKemKhac"] = []
    record["DanhSachHoSoBoSung"] = supplements
    record["DanhSachGiayToKetQua"] = []
    if resets:
        record["DanhSachHenLai"] = resets
    if overrides:
        apply_source(record, {"when": overrides})
    if extra:
        for key, value in extra.items():
            record.setdefault(key, value)
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
    return assemble(
        render_base(dossier),
        components=[apply_source(render_component(c), c.source) for c in components],
        fees=[apply_source(render_fee(f), f.source) for f in fees],
        supplements=[apply_source(render_supplement(s), s.source) for s in supplements],
        resets=[apply_source(render_reset(r), r.source) for r in resets],
        overrides=dossier.import_overrides,
        extra=dossier.extra,
    )


# -- rendering from value rows (many dossiers: a few queries, no model instances) -------------------

_DOSSIER_VALUES = (
    "pk",
    "code",
    "procedure__code",
    "procedure_version__name",
    "procedure__field__code",
    "procedure__field__name",
    "applicant_name",
    "applicant_person_id",
    "applicant_id_number",
    "applicant_person__email",
    "applicant_person__phone",
    "applicant_organisation__email",
    "applicant_organisation__phone",
    "applicant_organisation_id",
    "unidentified_applicant_type",
    "submitted_at",
    "received_at",
    "due_at",
    "promised_at",
    "national_status",
    "returned_at",
    "finished_at",
    "result_delivery",
    "competent_unit__name",
    "competent_unit__eid_code",
    "competent_unit__code",
    "channel",
    "online_payment",
    "paid_online",
    "time_limit_value",
    "procedure_version__time_limit_value",
    "time_limit_unit",
    "procedure_version__time_limit_unit",
    "result_code",
    "result_file_url",
    "has_digitised_components",
    "vneid_authenticated",
    "population_db_code",
    "state",
    "import_overrides",
    "extra",
)


def _staff_name(full_name: str | None, username: str | None) -> str:
    return "" if username is None else str(full_name or username)


def _children(ids: list[int]) -> tuple[dict[int, list[dict[str, Any]]], ...]:
    """The rendered items of the dossiers ``ids`` (each list in the export's order), by dossier id."""
    components: dict[int, list[dict[str, Any]]] = {}
    fees: dict[int, list[dict[str, Any]]] = {}
    supplements: dict[int, list[dict[str, Any]]] = {}
    resets: dict[int, list[dict[str, Any]]] = {}
    if not ids:
        return components, fees, supplements, resets
    for d, pk, name, catalogue_code, file_name, digitised, reused, source in (
        DossierComponent.objects.filter(dossier_id__in=ids)
        .order_by("id")
        .values_list(
            "dossier_id", "pk", "name", "catalogue_component__code", "file", "digitised", "reused", "source"
        )
    ):
        item = national.component_item(
            pk=pk,
            name=name,
            catalogue_code=catalogue_code or "",
            file_name=file_name or "",
            digitised=digitised,
            reused=reused,
        )
        components.setdefault(d, []).append(apply_source(item, source))
    for d, pk, fee_id, name, collect_at, amount, kind, paid, source in (
        DossierFee.objects.filter(dossier_id__in=ids)
        .order_by("id")
        .values_list(
            "dossier_id",
            "pk",
            "catalogue_fee_id",
            "name",
            "collect_at",
            "amount_vnd",
            "kind",
            "paid",
            "source",
        )
    ):
        item = national.fee_item(
            pk=pk,
            catalogue_fee_id=fee_id,
            name=name,
            collect_at=collect_at,
            amount_vnd=amount,
            kind=kind,
            paid=paid,
        )
        fees.setdefault(d, []).append(apply_source(item, source))
    for row in (
        Supplement.objects.filter(dossier_id__in=ids)
        .order_by("id")
        .values_list(
            "dossier_id",
            "pk",
            "requested_by__full_name",
            "requested_by__username",
            "reasons",
            "requested_at",
            "received_by__full_name",
            "received_by__username",
            "received_note",
            "received_at",
            "items",
            "due_before",
            "due_after",
            "source",
        )
    ):
        item = national.supplement_item(
            pk=row[1],
            requested_by=_staff_name(row[2], row[3]),
            reasons=row[4],
            requested_at=row[5],
            received_by=_staff_name(row[6], row[7]),
            received_note=row[8],
            received_at=row[9],
            items=row[10],
            due_before=row[11],
            due_after=row[12],
        )
        supplements.setdefault(row[0], []).append(apply_source(item, row[13]))
    for d, recorded_at, old_due, new_due, reason, source in (
        DueReset.objects.filter(dossier_id__in=ids)
        .order_by("ordinal", "id")
        .values_list("dossier_id", "recorded_at", "old_due", "new_due", "reason", "source")
    ):
        item = reset_item(recorded_at=recorded_at, old_due=old_due, new_due=new_due, reason=reason)
        resets.setdefault(d, []).append(apply_source(item, source))
    return components, fees, supplements, resets


def _base_of_row(row: Sequence[Any]) -> dict[str, Any]:
    (
        _pk,
        code,
        procedure_code,
        version_name,
        field_code,
        field_name,
        applicant_name,
        person_id,
        id_number,
        person_email,
        person_phone,
        org_email,
        org_phone,
        org_id,
        unidentified_type,
        submitted_at,
        received_at,
        due_at,
        promised_at,
        national_status,
        returned_at,
        finished_at,
        result_delivery,
        unit_name,
        unit_eid,
        unit_internal,
        channel,
        online_payment,
        paid_online,
        limit,
        version_limit,
        limit_unit,
        version_limit_unit,
        result_code,
        result_file_url,
        digitised,
        vneid,
        population_db_code,
        state,
        _overrides,
        _extra,
    ) = row
    person = person_id is not None
    base = national.dossier_fields(
        code=code,
        procedure_code=procedure_code,
        procedure_name=version_name,
        field_code=field_code,
        field_name=field_name,
        applicant_name=applicant_name,
        applicant_type=1 if person else 2 if org_id is not None else unidentified_type,
        applicant_id_number=id_number,
        email=(person_email if person else org_email) or "",
        phone=(person_phone if person else org_phone) or "",
        submitted_at=submitted_at,
        received_at=received_at,
        due_at=promised_at or due_at,
        national_status=national_status,
        returned_at=returned_at,
        finished_at=finished_at,
        by_post=result_delivery == ResultDelivery.POST,
        unit_name=unit_name,
        unit_code=str(unit_eid or unit_internal),
        channel=channel,
        online_payment=national.online_payment_code(online_payment, paid_online),
        time_limit_value=limit if limit is not None else version_limit,
        time_limit_unit=limit_unit or version_limit_unit,
    )
    return add_766_inputs(
        base,
        result_code=result_code,
        result_file_url=result_file_url,
        has_digitised_components=digitised,
        vneid_authenticated=vneid,
        population_db_code=population_db_code,
        state=state,
    )


def records(qs: QuerySet[Dossier], *, own_values: bool = True) -> list[tuple[int, str, dict[str, Any]]]:
    """``(id, code, record)`` of every dossier of ``qs`` (in its order), from five queries and no
    model instances: for each, what ``render`` gives. ``own_values=False`` leaves out the file's own
    values and unknown fields (``import_overrides``, ``extra``): what motcua alone renders."""
    rows = list(qs.values_list(*_DOSSIER_VALUES))
    components, fees, supplements, resets = _children([row[0] for row in rows])
    out = []
    for row in rows:
        pk = row[0]
        record = assemble(
            _base_of_row(row),
            components=components.get(pk, []),
            fees=fees.get(pk, []),
            supplements=supplements.get(pk, []),
            resets=resets.get(pk, []),
            overrides=row[-2] if own_values else None,
            extra=row[-1] if own_values else None,
        )
        out.append((pk, row[1], record))
    return out


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
    return records(Dossier.objects.filter(pk=dossier.pk))[0][2]


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
        batch = records(qs.filter(pk__gt=last).order_by("pk")[:batch_size])
        if not batch:
            return
        for _, _, record in batch:
            yield record
        last = batch[-1][0]


_compact = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def dumps(record: dict[str, Any]) -> str:
    return _compact(record)


def write_jsonl(records: Iterable[dict[str, Any]], out: TextIO) -> int:
    count = 0
    for record in records:
        out.write(dumps(record))
        out.write("\n")
        count += 1
    return count
