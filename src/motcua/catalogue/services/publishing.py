"""Publication of a version, the version in force and the procedure's summary fields, placeholders."""

from __future__ import annotations

import re
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from motcua.catalogue.models import Field, Procedure, ProcedureVersion
from motcua.catalogue.schema import PROCEDURE_CODE_PATTERN
from motcua.catalogue.services.problems import Problem, loc_path
from motcua.catalogue.services.version_rules import _overlap, _range_text, check_version_rules
from motcua.core import audit
from motcua.core.errors import Conflict, DomainError

PLACEHOLDER_FIELD_CODE = "CHUA-XAC-DINH"
PLACEHOLDER_FIELD_NAME = "Chưa xác định lĩnh vực"


# ---------------------------------------------------------------------------------------------
# Procedure summary fields


def current_version_of(procedure: Procedure, on: date | None = None) -> ProcedureVersion | None:
    """The version in force on the day; else the latest published; else the latest version."""
    day = on or timezone.localdate()
    versions = list(procedure.versions.all())
    published = ProcedureVersion.Status.PUBLISHED
    in_force = [
        v
        for v in versions
        if v.status == published
        and v.effective_from <= day
        and (v.effective_to is None or v.effective_to > day)
    ]
    if in_force:
        return max(in_force, key=lambda v: v.effective_from)
    published_versions = [v for v in versions if v.status == published]
    if published_versions:
        return max(published_versions, key=lambda v: (v.effective_from, v.version))
    return max(versions, key=lambda v: v.version) if versions else None


def refresh_procedure(procedure: Procedure, *, fallback_name: str | None = None, reload: bool = True) -> bool:
    """Keep ``Procedure.name`` and ``search_text`` in step with the current version; saves only on change.

    ``reload=False`` trusts versions already prefetched on ``procedure``.
    """
    if reload and hasattr(procedure, "_prefetched_objects_cache"):
        procedure._prefetched_objects_cache.pop("versions", None)
    version = current_version_of(procedure)
    name = version.name if version else (fallback_name or procedure.name)
    before = (procedure.name, procedure.search_text)
    procedure.name = name
    procedure.refresh_search_text()
    if (procedure.name, procedure.search_text) == before:
        return False
    procedure.save(update_fields=["name", "search_text"])
    return True


# ---------------------------------------------------------------------------------------------
# Publication and placeholders


def publish_version(version: ProcedureVersion, *, close_previous: bool = True) -> ProcedureVersion:
    """Publish a draft version.

    With ``close_previous`` an earlier published version without an end date is ended on the new
    version's effective date (the new announcement replaces it); any other overlap is an error.
    """
    with transaction.atomic():
        v = (
            ProcedureVersion.objects.select_for_update()
            .select_related("procedure__field")
            .prefetch_related("workflow_steps")
            .get(pk=version.pk)
        )
        label = f"{v.procedure.code} phiên bản {v.version}"
        if v.status == ProcedureVersion.Status.PUBLISHED:
            raise Conflict(f"Thủ tục {label} đã được công bố.")
        if v.status == ProcedureVersion.Status.REPEALED:
            raise Conflict(f"Thủ tục {label} đã bãi bỏ, không thể công bố lại; hãy tạo phiên bản mới.")
        problems = check_version_rules(
            status=ProcedureVersion.Status.PUBLISHED,
            online_level=v.online_level,
            online_partial_reason=v.online_partial_reason,
            time_limit_value=v.time_limit_value,
            time_limit_unit=v.time_limit_unit,
            effective_from=v.effective_from,
            effective_to=v.effective_to,
            steps=list(v.workflow_steps.all()),
        )
        to_close: list[ProcedureVersion] = []
        others = (
            ProcedureVersion.objects.select_for_update()
            .filter(procedure_id=v.procedure_id, status=ProcedureVersion.Status.PUBLISHED)
            .exclude(pk=v.pk)
        )
        for other in others:
            if not _overlap(v.effective_from, v.effective_to, other.effective_from, other.effective_to):
                continue
            if close_previous and other.effective_to is None and other.effective_from < v.effective_from:
                to_close.append(other)
                continue
            problems.append(
                Problem(
                    ("effective_from",),
                    f"Thời gian hiệu lực trùng với phiên bản {other.version} "
                    f"({_range_text(other.effective_from, other.effective_to)}).",
                )
            )
        if problems:
            details = [
                {
                    "procedure": v.procedure.code,
                    "version": v.version,
                    "field": loc_path(p.loc),
                    "problem": p.message,
                }
                for p in problems
            ]
            raise DomainError(
                f"Không thể công bố {label}: {problems[0].message}", code="publish_invalid", details=details
            )
        for other in to_close:
            other.effective_to = v.effective_from
            other.save(update_fields=["effective_to"])
        v.status = ProcedureVersion.Status.PUBLISHED
        v.save(update_fields=["status"])
        refresh_procedure(v.procedure)
        audit.record(
            "catalogue_publish",
            object_type="catalogue.procedureversion",
            object_id=v.pk,
            summary=f"Công bố thủ tục {label}",
            data={"closed_versions": [o.version for o in to_close]},
        )
    version.refresh_from_db()
    return v


def create_placeholder_procedure(
    code: str, *, name: str = "", level: str = Procedure.Level.PROVINCE
) -> Procedure:
    """A placeholder for a TTHC code that the catalogue does not have yet (e.g. met in imported dossiers).

    Returns the existing procedure when the code is known. The placeholder is flagged
    ``is_placeholder`` for review and is replaced by a real record when the catalogue is imported.
    """
    code = code.strip()
    if not code or len(code) > 40 or not re.fullmatch(PROCEDURE_CODE_PATTERN, code):
        raise DomainError(f"Mã TTHC “{code}” không hợp lệ.", code="invalid_procedure_code")
    existing = Procedure.objects.filter(code=code).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            placeholder_field = (
                Field.objects.filter(code=PLACEHOLDER_FIELD_CODE).first()
                or Field.objects.filter(name=PLACEHOLDER_FIELD_NAME).first()
                or Field.objects.create(code=PLACEHOLDER_FIELD_CODE, name=PLACEHOLDER_FIELD_NAME)
            )
            procedure = Procedure(
                code=code,
                name=name.strip() or f"Thủ tục mã {code} (chưa có trong danh mục)",
                field=placeholder_field,
                level=level,
                is_placeholder=True,
            )
            procedure.refresh_search_text()
            procedure.save()
    except IntegrityError:
        return Procedure.objects.get(code=code)  # created meanwhile by another process
    return procedure
