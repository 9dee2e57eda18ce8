"""Reads of the catalogue, tuned for the public list and detail pages and the API.

Search ignores case and Vietnamese diacritics: the query and ``Procedure.search_text`` are both
folded by ``core.text.fold`` ("Đăng ký" → "dang ky"), and every query word must start a word of
the procedure's code, name or field. A list costs a constant number of queries whatever its length.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Case, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from motcua.catalogue.models import Component, Fee, Procedure, ProcedureVersion, WorkflowStep
from motcua.core.errors import NotFound
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

    phrase = fold(query)
    if phrase:
        qs = qs.annotate(
            rank=Case(
                When(code__iexact=query.strip(), then=Value(0)),
                When(
                    Q(search_text__startswith=phrase) | Q(search_text__contains=f" {phrase}"), then=Value(1)
                ),
                default=Value(2),
                output_field=IntegerField(),
            )
        ).order_by("rank", "name", "code")
    else:
        qs = qs.order_by("name", "code")
    return qs.prefetch_related(Prefetch("versions", queryset=in_force, to_attr="current_versions"))


@dataclass(frozen=True)
class ProcedureDetail:
    procedure: Procedure
    version: ProcedureVersion | None  # in force on the day asked for; None when none is


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
    version = (
        ProcedureVersion.objects.in_force(day)
        .filter(procedure=procedure)
        .prefetch_related(
            Prefetch("components", queryset=Component.objects.order_by("order")),
            Prefetch("fees", queryset=Fee.objects.order_by("order")),
            Prefetch(
                "workflow_steps",
                queryset=WorkflowStep.objects.select_related("unit").order_by("order", "code"),
            ),
            "implementing_units",
        )
        .first()
    )
    if version is not None:
        version.procedure = procedure
    return ProcedureDetail(procedure=procedure, version=version)
