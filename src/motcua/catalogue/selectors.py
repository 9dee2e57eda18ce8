"""Reads of the catalogue, tuned for the public list and detail pages and the API.

Search ignores case and Vietnamese diacritics: the query and ``Procedure.search_text`` are both
folded by ``core.text.fold`` ("Đăng ký" → "dang ky"), and every query word must start a word of
the procedure's code, name or field. A list costs a constant number of queries whatever its length.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Case, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from motcua.catalogue.datareuse import ProcedureForms, Upload
from motcua.catalogue.models import Component, Fee, Field, Procedure, ProcedureVersion, WorkflowStep
from motcua.core.errors import NotFound
from motcua.core.models import OrgUnit
from motcua.core.text import fold, search_tokens


def search_token_filter(token: str) -> Q:
    # Word-prefix match: "dang" finds "dang ky", "ky" does not match inside "sky".
    return Q(search_text__startswith=token) | Q(search_text__contains=f" {token}")


def search_procedures(
    query: str = "",
    *,
    level: str | None = None,
    field_code: str | None = None,
    online_level: str | None = None,
    on: date | None = None,
    in_force_only: bool = True,
) -> QuerySet[Procedure]:
    """Procedures matching ``query`` (diacritics and case ignored), best matches first.

    Each procedure carries ``current_versions``: its version in force on ``on`` (today by default),
    as a list of at most one element. With ``in_force_only`` (the public default) procedures with
    no version in force that day are left out; placeholders are always left out.
    """
    day = on or timezone.localdate()
    in_force = ProcedureVersion.objects.in_force(day)
    qs = Procedure.objects.filter(is_placeholder=False).select_related("field")
    for token in search_tokens(query):
        qs = qs.filter(search_token_filter(token))
    if level:
        qs = qs.filter(level=level)
    if field_code:
        qs = qs.filter(field__code=field_code)
    if online_level:
        qs = qs.filter(Exists(in_force.filter(procedure=OuterRef("pk"), online_level=online_level)))
    elif in_force_only:
        qs = qs.filter(Exists(in_force.filter(procedure=OuterRef("pk"))))

    qs = _ranked(qs, query, "", "name", "code")
    return qs.prefetch_related(Prefetch("versions", queryset=in_force, to_attr="current_versions"))


def _ranked(qs: QuerySet[Any], query: str, prefix: str, *order: str) -> QuerySet[Any]:
    """Best matches first: the exact code, then a name starting with the whole phrase, then the rest."""
    phrase = fold(query)
    if not phrase:
        return qs.order_by(*order)
    text = f"{prefix}search_text"
    return qs.annotate(
        rank=Case(
            When(**{f"{prefix}code__iexact": query.strip()}, then=Value(0)),
            When(
                Q(**{f"{text}__startswith": phrase}) | Q(**{f"{text}__contains": f" {phrase}"}), then=Value(1)
            ),
            default=Value(2),
            output_field=IntegerField(),
        )
    ).order_by("rank", *order)


def procedure_cards(
    query: str = "",
    *,
    field_code: str | None = None,
    level: str | None = None,
    unit_code: str | None = None,
    online_level: str | None = None,
    on: date | None = None,
) -> QuerySet[ProcedureVersion]:
    """The public list: the version in force of each procedure matching ``query`` (diacritics and case
    ignored) and the filters — field code, level, implementing unit code, online level — best matches
    first, in **one query**: each row is a ``ProcedureVersion`` with its procedure and field joined.

    Only versions in force on ``on`` (today) are listed, one per procedure: should two published
    versions overlap (the import refuses it), the one that took effect last.
    """
    day = on or timezone.localdate()
    in_force = ProcedureVersion.objects.in_force(day)
    qs = in_force.filter(procedure__is_placeholder=False).exclude(
        Exists(
            in_force.filter(procedure=OuterRef("procedure"), effective_from__gt=OuterRef("effective_from"))
        )
    )
    for token in search_tokens(query):
        qs = qs.filter(
            Q(procedure__search_text__startswith=token) | Q(procedure__search_text__contains=f" {token}")
        )
    if field_code:
        qs = qs.filter(procedure__field__code=field_code)
    if level:
        qs = qs.filter(procedure__level=level)
    if online_level:
        qs = qs.filter(online_level=online_level)
    if unit_code:
        # Exists, not a join: a version done by many units stays one row.
        qs = qs.filter(
            Exists(
                ProcedureVersion.implementing_units.through.objects.filter(
                    procedureversion_id=OuterRef("pk"), orgunit__code=unit_code
                )
            )
        )
    qs = qs.select_related("procedure", "procedure__field")
    return _ranked(qs, query, "procedure__", "procedure__name", "procedure__code")


def filter_choices(on: date | None = None) -> tuple[list[Field], list[OrgUnit]]:
    """What the public list can be filtered by: the fields that have a procedure in force, and the units
    that implement one (two queries)."""
    day = on or timezone.localdate()
    in_force = ProcedureVersion.objects.in_force(day).filter(procedure__is_placeholder=False)
    fields = list(
        Field.objects.filter(Exists(in_force.filter(procedure__field=OuterRef("pk")))).order_by("name")
    )
    units = list(
        OrgUnit.objects.filter(
            Exists(
                ProcedureVersion.implementing_units.through.objects.filter(
                    orgunit_id=OuterRef("pk"), procedureversion__in=in_force
                )
            )
        ).order_by("name")
    )
    return fields, units


@dataclass(frozen=True)
class ProcedureDetail:
    procedure: Procedure
    version: ProcedureVersion | None  # in force on the day asked for; None when none is


def with_parts(versions: QuerySet[ProcedureVersion], *, units_by: str = "name") -> QuerySet[ProcedureVersion]:
    """Versions read with their parts in order — components (and their document types), fees,
    workflow steps (and their units), implementing units by ``units_by`` — and the result's type: the
    public page and the export read them the same way."""
    return versions.select_related("result_doc_type").prefetch_related(
        Prefetch("components", queryset=Component.objects.select_related("doc_type").order_by("order")),
        Prefetch("fees", queryset=Fee.objects.order_by("order")),
        Prefetch(
            "workflow_steps", queryset=WorkflowStep.objects.select_related("unit").order_by("order", "code")
        ),
        Prefetch("implementing_units", queryset=OrgUnit.objects.order_by(units_by)),
    )


def procedure_detail(code: str, on: date | None = None) -> ProcedureDetail:
    """A procedure and its version in force on ``on``, with components, fees and steps prefetched.

    Raises ``NotFound`` for an unknown code or a placeholder.
    """
    day = on or timezone.localdate()
    procedure = (
        Procedure.objects.select_related("field").filter(code=code.strip(), is_placeholder=False).first()
    )
    if procedure is None:
        raise NotFound(f"Không tìm thấy thủ tục có mã {code}.")
    version = with_parts(ProcedureVersion.objects.in_force(day).filter(procedure=procedure)).first()
    if version is not None:
        version.procedure = procedure
    return ProcedureDetail(procedure=procedure, version=version)


def online_forms(on: date | None = None) -> list[ProcedureForms]:
    """What each procedure in force offered online (full or partial) asks a citizen to declare online:
    its e-forms and the documents to upload (``catalogue.datareuse``), by procedure code."""
    day = on or timezone.localdate()
    versions = (
        ProcedureVersion.objects.in_force(day)
        .filter(procedure__is_placeholder=False)
        .exclude(online_level=ProcedureVersion.OnlineLevel.NONE)
        .select_related("procedure")
        .prefetch_related(
            Prefetch("components", queryset=Component.objects.select_related("doc_type").order_by("order"))
        )
    )
    chosen: dict[str, ProcedureVersion] = {}
    for version in versions:  # latest effective_from first
        chosen.setdefault(version.procedure.code, version)
    out = []
    for code, version in sorted(chosen.items()):
        online = [c for c in version.components.all() if c.applies_to("online")]
        uploads: list[Upload] = []
        groups: dict[str, int] = {}
        for c in online:
            if c.eform_schema or not c.required:
                continue
            reusable = bool(c.doc_type and c.doc_type.reusable)
            if c.alternative_group and c.alternative_group in groups:
                # alternatives: one upload, picked from the warehouse when any of them can be
                index = groups[c.alternative_group]
                uploads[index] = Upload(uploads[index].name, uploads[index].reusable or reusable)
                continue
            if c.alternative_group:
                groups[c.alternative_group] = len(uploads)
            uploads.append(Upload(c.name, reusable))
        out.append(
            ProcedureForms(
                code=code,
                name=version.procedure.name,
                declarations=tuple(c.eform_schema for c in online if c.eform_schema),
                uploads=tuple(uploads),
            )
        )
    return out
