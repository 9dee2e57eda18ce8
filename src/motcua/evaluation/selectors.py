"""Reads for the QĐ 766 index: minimal tuples from the database, turned into ``formulas`` records.

Every read is a ``values_list`` of the columns a formula needs; dossiers stream (``_stream``: a
server-side cursor on PostgreSQL, ``iterator(chunk_size=…)`` elsewhere) in batches, and the rows hanging
off each batch of dossiers (supplements, components, fees, outbox messages, certified copies) are read
by dossier id, five queries a batch, grouped in Python — never one query per dossier. The formulas
themselves are in ``formulas.py`` (pure); performance notes in docs/benchmarks.md ("766 index").
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from motcua.catalogue.models import Component, Fee, Procedure, ProcedureVersion
from motcua.core.errors import DomainError, NotFound
from motcua.core.models import OrgUnit
from motcua.core.rules import rule_value
from motcua.documents.models import Document
from motcua.documents.rules import CERTIFIED_COPY_RULE
from motcua.dossiers import syncstate
from motcua.dossiers.models import Dossier, DossierComponent, DossierFee, Supplement
from motcua.dossiers.sync import TOPIC_DONG_BO
from motcua.evaluation.formulas import DossierFacts, Period, SupplementFacts, VersionFacts
from motcua.feedback.models import Rating
from motcua.integrations.models import OutboxMessage
from motcua.workdays.domain import Calendar, to_local
from motcua.workdays.services import calendar_for

SYNC_TOPIC = TOPIC_DONG_BO  # the full-record message of the national portal (dossiers/sync.py)
CHUNK = 5000  # rows per round trip of a server-side cursor
# Dossiers whose side rows are read together: larger on PostgreSQL (one array parameter, fewer round
# trips), smaller elsewhere (a literal ``IN`` list must stay far under SQLite's variable limit).
BATCH = {"postgresql": 20_000}
BATCH_DEFAULT = 2000


class EvaluationInputError(DomainError):
    code = "evaluation_invalid"


class UnitNotFound(NotFound):
    code = "unit_not_found"


class ProcedureNotFound(NotFound):
    code = "procedure_not_found"


# -- scope -------------------------------------------------------------------------------------------


def find_unit(code: str) -> OrgUnit:
    """A unit by internal code or electronic identification code (QCVN 102)."""
    code = (code or "").strip()
    unit = OrgUnit.objects.filter(code=code).first() or OrgUnit.objects.filter(eid_code=code).first()
    if unit is None:
        raise UnitNotFound(f"Không có đơn vị mã “{code}” (mã nội bộ hoặc mã định danh điện tử).")
    return unit


def find_procedure(code: str) -> Procedure:
    code = (code or "").strip()
    procedure = Procedure.objects.filter(code=code).first()
    if procedure is None:
        raise ProcedureNotFound(f"Không có thủ tục mã “{code}” trong danh mục.")
    return procedure


@dataclass(frozen=True)
class ScopeFilter:
    unit_ids: tuple[int, ...] | None = None  # the competent unit and its sub-units; None = province
    procedure_id: int | None = None

    def dossiers(self) -> Q:
        q = Q()
        if self.unit_ids is not None:
            q &= Q(competent_unit_id__in=self.unit_ids)
        if self.procedure_id is not None:
            q &= Q(procedure_id=self.procedure_id)
        return q


def scope_filter(unit: OrgUnit | None, procedure: Procedure | None) -> ScopeFilter:
    ids = None
    if unit is not None:
        # the materialised path covers the unit's whole subtree (OrgUnit.path, core/models.py)
        ids = tuple(OrgUnit.objects.filter(path__startswith=unit.path).values_list("pk", flat=True))
    return ScopeFilter(ids, None if procedure is None else procedure.pk)


# -- populations -------------------------------------------------------------------------------------


def received_in(period: Period) -> Q:
    return Q(received_at__gte=period.start_at, received_at__lt=period.end_exclusive)


def carried_over(period: Period) -> Q:
    """Received before the period and not ended before it, by the projection (the rules then decide:
    a dossier waiting since before the period for a supplement is dropped by ``formulas.on_time``).
    ``returned_at`` needs no clause: it is never before ``finished_at``, and a dossier without
    ``finished_at`` is read anyway. ``index_dossiers`` reads it as its two halves."""
    return Q(received_at__lt=period.start_at) & (
        Q(finished_at__gte=period.start_at) | Q(finished_at__isnull=True)
    )


def _carried_over_parts(period: Period) -> tuple[Q, Q]:
    """Ended in or after the period (index ``evaluation_dossier_ended``), and still open (partial index
    ``evaluation_dossier_open``): an OR of the two leads the planner to scan all earlier dossiers."""
    before = Q(received_at__lt=period.start_at)
    return before & Q(finished_at__gte=period.start_at), before & Q(finished_at__isnull=True)


def on_time_population(period: Period) -> Q:
    """2.1's population: received in the period, or carried over into it."""
    return received_in(period) | carried_over(period)


def _flag(condition: Q) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


# The columns of ``formulas.DossierFacts``, in its field order (``_full`` / ``_slim`` rely on it);
# flags are computed by the database so that Python receives booleans, not strings to test.
SLIM = (
    "id",
    "code",
    "procedure_id",
    "procedure_version_id",
    "competent_unit_id",
    "national_status",
    "received_at",
    "due_at",
    "finished_at",
    "returned_at",
    "time_limit_value",
    "time_limit_unit",
)
FLAGS = {
    # a citizen on record, or one without an identity number whose record said LoaiDoiTuong 1
    "ev_citizen": _flag(Q(applicant_person__isnull=False) | Q(unidentified_applicant_type=1)),
    "ev_result_code": _flag(~Q(result_code="")),
    "ev_result_file": _flag(~Q(result_file_url="")),
    "ev_population_db": _flag(~Q(population_db_code="")),
    "ev_imported": _flag(Q(imported_at__isnull=False)),
}
FULL = (
    *SLIM,
    "channel",
    "ev_citizen",
    "paid_online",
    "online_payment",
    "ev_result_code",
    "ev_result_file",
    "has_digitised_components",
    "vneid_authenticated",
    "ev_population_db",
    "ev_imported",
)
NO_COMPONENTS = (False, False, False)
NO_FEES = (0, False)
_cursor_names = itertools.count(1)


def _stream(qs: QuerySet[Any, Any]) -> Iterator[tuple[Any, ...]]:
    """The rows of a ``values_list`` query, streamed.

    On PostgreSQL inside a transaction: a server-side cursor with psycopg's own timestamptz loader
    (written in C; Django's per-value wrapper costs about 3 µs a timestamp, the largest single cost of
    a province-year). The session time zone is UTC (Django sets it), so values are the same aware UTC
    datetimes Django would give. Elsewhere: ``iterator(chunk_size=…)``.
    """
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        yield from qs.iterator(chunk_size=CHUNK)
        return
    from psycopg import adapters, pq
    from psycopg.postgres import types

    timestamptz = adapters.get_loader(types["timestamptz"].oid, pq.Format.TEXT)

    sql, params = qs.query.sql_with_params()
    width = len(qs.query.values_select) + len(qs.query.annotation_select)
    connection.ensure_connection()
    raw = connection.connection
    with raw.cursor(name=f"evaluation_{next(_cursor_names)}") as cursor:
        cursor.adapters.register_loader("timestamptz", timestamptz)
        cursor.itersize = CHUNK
        cursor.execute(sql, params)
        if cursor.description is not None and len(cursor.description) != width:
            raise RuntimeError(f"evaluation: {len(cursor.description)} cột thay vì {width}: {sql[:200]}")
        yield from cursor


@dataclass
class Side:
    """Rows hanging off the dossiers of one read, by dossier id."""

    supplements: dict[int, tuple[SupplementFacts, ...]]
    components: dict[int, tuple[bool, bool, bool]]  # (digitised, with file, reused)
    fees: dict[int, tuple[int, bool]]  # (rows, some Gia > 0)
    sync: dict[str, str]  # dossier code → best outbox status
    certified: frozenset[int] = frozenset()  # dossiers with an electronic certified copy in force
    disliked: frozenset[int] = frozenset()  # dossiers rated "không hài lòng"


def _supplements(where: Q) -> dict[int, tuple[SupplementFacts, ...]]:
    grouped: dict[int, list[SupplementFacts]] = defaultdict(list)
    rows = (
        Supplement.objects.filter(where)
        .order_by("dossier_id", "requested_at", "id")
        .values_list("dossier_id", "requested_at", "received_at", "due_before")
    )
    for dossier_id, requested, received, due_before in _stream(rows):
        grouped[dossier_id].append(SupplementFacts(requested, received, due_before))
    return {k: tuple(v) for k, v in grouped.items()}


def _components(where: Q) -> dict[int, tuple[bool, bool, bool]]:
    found: dict[int, tuple[bool, bool, bool]] = {}
    rows = (
        DossierComponent.objects.filter(where)
        .filter(Q(digitised=True) | Q(reused=True) | (Q(file__isnull=False) & ~Q(file="")))
        .values_list("dossier_id", "digitised", "reused", "file")
    )
    for dossier_id, digitised, reused, file in _stream(rows):
        d, f, r = found.get(dossier_id, (False, False, False))
        found[dossier_id] = (d or digitised, f or bool(file), r or reused)
    return found


def _fees(where: Q) -> dict[int, tuple[int, bool]]:
    found: dict[int, tuple[int, bool]] = {}
    for dossier_id, amount in _stream(
        DossierFee.objects.filter(where).order_by().values_list("dossier_id", "amount_vnd")  # no join
    ):
        n, positive = found.get(dossier_id, (0, False))
        found[dossier_id] = (n + 1, positive or (amount is not None and amount > 0))
    return found


def _certified(where: Q) -> frozenset[int]:
    rows = (
        Document.objects.filter(where)
        .filter(kind=Document.Kind.CERTIFIED_COPY, revocation__isnull=True)
        .order_by()
        .values_list("dossier_id")
        .distinct()
    )
    return frozenset(row[0] for row in _stream(rows))


def _disliked(where: Q) -> frozenset[int]:
    rows = Rating.objects.filter(where, satisfied=False).order_by().values_list("dossier_id")
    return frozenset(row[0] for row in _stream(rows))


def _ids(column: str, ids: list[int]) -> Q:
    """``column`` among ``ids``. On PostgreSQL the ids travel as one text parameter turned into an
    array by the server (``= ANY(string_to_array(…))``): the planner uses the column's index (a literal
    ``IN`` list of thousands of values makes it scan the table), and psycopg does not have to dump a
    Python list element by element (its array dumper costs about a microsecond an element)."""
    if connection.vendor == "postgresql":
        # ``column`` is one of ours, never input; the ids are one bound parameter.
        sql = f"{column} = ANY(string_to_array(%s, ',')::bigint[])"
        return Q(RawSQL(sql, (",".join(map(str, ids)),), output_field=BooleanField()))  # noqa: S611
    return Q(**{f"{column}__in": ids})


def _sync(codes: list[str]) -> dict[str, str]:
    """The best status of each dossier's ``DongBoHoSoMC`` messages (index ``outbox_topic_key``)."""
    best: dict[str, str] = {}
    if connection.vendor == "postgresql":
        # One text parameter split by the server (see ``_ids``); U+001F never occurs in a dossier code.
        keys = Q(
            RawSQL(
                "key = ANY(string_to_array(%s, chr(31)))", ("\x1f".join(codes),), output_field=BooleanField()
            )
        )
    else:
        keys = Q(key__in=codes)
    # order_by(): the model's default ordering would add "id" to a DISTINCT select list
    rows = (
        OutboxMessage.objects.filter(Q(topic=SYNC_TOPIC) & keys)
        .order_by()
        .values_list("key", "status")
        .distinct()
    )
    for key, status in _stream(rows):
        if syncstate.RANK.get(status, 0) > syncstate.RANK.get(best.get(key, ""), 0):
            best[key] = status
    return best


def side_rows(ids: list[int], codes: list[str], *, before: datetime | None = None) -> Side:
    """The rows hanging off some dossiers (by id), read with the foreign-key indexes: supplements
    requested before ``before``, the components and fees that matter, the outbox status by code, the
    electronic certified copies."""
    supplements = _ids("dossier_id", ids)
    if before is not None:
        supplements &= Q(requested_at__lt=before)
    related = _ids("dossier_id", ids)
    return Side(
        _supplements(supplements),
        _components(related),
        _fees(related),
        _sync(codes),
        _certified(related),
        _disliked(related),
    )


def _batches(rows: Iterator[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
    size = BATCH.get(connection.vendor, BATCH_DEFAULT)
    while batch := list(itertools.islice(rows, size)):
        yield batch


def _full(row: tuple[Any, ...], side: Side) -> DossierFacts:
    pk = row[0]
    return DossierFacts(
        *row[:12],
        side.supplements.get(pk, ()),
        *row[12:],
        side.sync.get(row[1], ""),
        *side.components.get(pk, NO_COMPONENTS),
        *side.fees.get(pk, NO_FEES),
        pk in side.certified,
        pk in side.disliked,
    )


def index_dossiers(scope: ScopeFilter, period: Period) -> Iterator[DossierFacts]:
    """Every dossier the index reads, streamed: those received in the period with all their facts,
    then those carried over from before it (received earlier, not ended before it) for 2.1 only.

    The dossiers stream in batches (``BATCH``); each batch's side rows are read by dossier id (three
    or four queries a batch, whatever the number of supplements, components or fees). Call inside
    ``transaction.atomic()`` for the fast PostgreSQL path (``_stream``)."""
    base = Dossier.objects.filter(scope.dossiers()).exclude(national_status__in=(1, 3)).order_by()
    before = period.end_exclusive
    received = _stream(base.filter(received_in(period)).annotate(**FLAGS).values_list(*FULL))
    for batch in _batches(received):
        side = side_rows([r[0] for r in batch], [r[1] for r in batch], before=before)
        for row in batch:
            yield _full(row, side)
    carried = itertools.chain.from_iterable(
        _stream(base.filter(part).values_list(*SLIM)) for part in _carried_over_parts(period)
    )
    for batch in _batches(carried):
        supplements = _supplements(_ids("dossier_id", [r[0] for r in batch]) & Q(requested_at__lt=before))
        for row in batch:
            yield DossierFacts(*row, supplements.get(row[0], ()))


def slim_facts(where: Q) -> Iterator[DossierFacts]:
    """The on-time facts (``SLIM`` columns and every supplement request) of the received dossiers
    matching ``where``, in batches: two queries a batch."""
    rows = Dossier.objects.filter(where).exclude(national_status__in=(1, 3)).order_by("id")
    for batch in _batches(rows.values_list(*SLIM).iterator(chunk_size=CHUNK)):
        supplements = _supplements(_ids("dossier_id", [r[0] for r in batch]))
        for row in batch:
            yield DossierFacts(*row, supplements.get(row[0], ()))


def dossier_page(
    scope: ScopeFilter, period: Period, population: Q, after: tuple[datetime, int] | None, limit: int
) -> list[DossierFacts]:
    """Up to ``limit`` dossiers of a population in (received_at, id) order after the keyset ``after``."""
    qs = Dossier.objects.filter(scope.dossiers() & population).exclude(national_status__in=(1, 3))
    if after is not None:
        moment, pk = after
        qs = qs.filter(Q(received_at__gt=moment) | Q(received_at=moment, id__gt=pk))
    rows = list(qs.order_by("received_at", "id").annotate(**FLAGS).values_list(*FULL)[:limit])
    if not rows:
        return []
    side = side_rows([r[0] for r in rows], [r[1] for r in rows])
    return [_full(row, side) for row in rows]


# -- procedures --------------------------------------------------------------------------------------


def _filled(row: dict[str, Any]) -> frozenset[str]:
    filled = set()
    if (row["name"] or "").strip():
        filled.add("name")
    if (row["sequence"] or "").strip():
        filled.add("sequence")
    if (row["method"] or "").strip() or row["channels"]:
        filled.add("method")
    if row["has_components"]:
        filled.add("components")
    if (
        (row["time_limit_text"] or "").strip()
        or row["time_limit_unit"] == "same_day"
        or row["time_limit_value"]
    ):
        filled.add("time_limit")
    if row["target_groups"]:
        filled.add("target_groups")
    if (row["implementing_agency"] or "").strip() or row["has_units"]:
        filled.add("agency")
    return frozenset(filled)


def versions(procedure_id: int | None = None, on: date | None = None) -> dict[int, VersionFacts]:
    """Every procedure version (or one procedure's), by id — a few thousand rows, read in one query;
    which of them certify copies from originals as the rule says on ``on`` (today)."""
    certifying = frozenset(
        rule_value(CERTIFIED_COPY_RULE, on or to_local(timezone.now()).date())["procedures"]
    )
    qs = ProcedureVersion.objects.all()
    if procedure_id is not None:
        qs = qs.filter(procedure_id=procedure_id)
    qs = qs.annotate(
        has_fee=Exists(
            Fee.objects.filter(version=OuterRef("pk")).filter(
                Q(amount_vnd__gt=0) | Q(amount_vnd__isnull=True)
            )
        ),
        has_components=Exists(Component.objects.filter(version=OuterRef("pk"))),
        has_units=Exists(
            ProcedureVersion.implementing_units.through.objects.filter(procedureversion_id=OuterRef("pk"))
        ),
    ).values(
        "id",
        "procedure_id",
        "procedure__code",
        "name",
        "online_level",
        "paper_result_required",
        "has_fee",
        "target_groups",
        "time_limit_value",
        "time_limit_unit",
        "time_limit_text",
        "sequence",
        "method",
        "channels",
        "implementing_agency",
        "has_components",
        "has_units",
    )
    found = {}
    for row in qs:
        groups = row["target_groups"] or []
        found[row["id"]] = VersionFacts(
            id=row["id"],
            procedure_id=row["procedure_id"],
            procedure_code=row["procedure__code"],
            name=row["name"],
            online_level=row["online_level"],
            paper_result_required=row["paper_result_required"],
            has_fee=row["has_fee"],
            target_groups=tuple(str(g) for g in groups) if isinstance(groups, list) else (),
            time_limit_value=row["time_limit_value"],
            time_limit_unit=row["time_limit_unit"],
            filled=_filled(row),
            certifies_copies=row["procedure__code"] in certifying,
        )
    return found


def in_force(
    all_versions: dict[int, VersionFacts], day: date, procedure_id: int | None = None
) -> list[VersionFacts]:
    """The published version of each procedure in force on ``day`` (ordered by procedure code)."""
    qs = ProcedureVersion.objects.in_force(day)
    if procedure_id is not None:
        qs = qs.filter(procedure_id=procedure_id)
    chosen: dict[int, int] = {}
    for pk, procedure in qs.values_list("pk", "procedure_id"):  # latest effective_from first
        chosen.setdefault(procedure, pk)
    return sorted((all_versions[pk] for pk in chosen.values()), key=lambda v: v.procedure_code)


def assigned_procedures(scope: ScopeFilter, day: date) -> frozenset[int] | None:
    """Procedures whose version in force is implemented by a unit of the scope (None: province)."""
    if scope.unit_ids is None:
        return None
    return frozenset(
        ProcedureVersion.objects.in_force(day)
        .filter(implementing_units__in=scope.unit_ids)
        .values_list("procedure_id", flat=True)
        .distinct()
    )


class Calendars:
    """The competent units' calendars, built once per unit (workdays.services.calendar_for)."""

    def __init__(self, day: date) -> None:
        self.day = day
        self.cache: dict[int, Calendar] = {}

    def __call__(self, unit_id: int) -> Calendar:
        found = self.cache.get(unit_id)
        if found is None:
            found = self.cache[unit_id] = calendar_for(OrgUnit.objects.get(pk=unit_id), self.day)
        return found
