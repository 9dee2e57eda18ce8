"""The office's review of agency names: what a name met in a plan means, for every task naming it."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Q

from motcua.core import audit
from motcua.core.errors import Forbidden, NotFound
from motcua.core.models import OrgUnit, User
from motcua.directives.access import access_for
from motcua.directives.matching import collective_label
from motcua.directives.models import Directive, DirectiveUnit, UnitAlias
from motcua.directives.services.common import InvalidInput, _now, _today
from motcua.directives.services.occurrences import ensure_parts
from motcua.directives.unitnames import Collective

# -- the office's review of agency names ---------------------------------------------------------------


def resolve_unit_name(
    by: User, name_key: str, *, unit: OrgUnit | None = None, collective: str = "", now: datetime | None = None
) -> int:
    """The office decides what an agency name means: a unit or a collective. Every task naming it that
    is not matched yet (or was decided before) follows; later imports use the decision. Returns how
    many task rows changed."""
    access = access_for(by)
    if not access.is_office:
        raise Forbidden("Chỉ Văn phòng UBND được đối chiếu tên cơ quan.")
    if (unit is None) == (not collective):
        raise InvalidInput("Chọn một đơn vị hoặc một nhóm cơ quan (không chọn cả hai).")
    if collective and collective not in {c.value for c in Collective}:
        raise InvalidInput("Nhóm cơ quan không hợp lệ.")
    if unit is not None and not unit.is_active_on(_today(now)):
        raise InvalidInput(f"Đơn vị “{unit.name}” đã hết hiệu lực; chọn đơn vị hiện hành.")
    rows = DirectiveUnit.objects.filter(name_key=name_key)
    sample = rows.first()
    if sample is None:
        raise NotFound("Không có nhiệm vụ nào ghi tên cơ quan này.")
    with transaction.atomic():
        UnitAlias.objects.update_or_create(
            name_key=name_key,
            defaults={
                "name": sample.name,
                "unit": unit,
                "collective": collective,
                "decided_by": by,
                "decided_at": _now(now),
            },
        )
        ids = list(
            rows.filter(
                Q(unit__isnull=True, collective="")
                | Q(via__in=[DirectiveUnit.Via.ALIAS, DirectiveUnit.Via.REVIEW])
            ).values_list("pk", flat=True)
        )
        DirectiveUnit.objects.filter(pk__in=ids).update(
            unit=unit, collective=collective, via=DirectiveUnit.Via.REVIEW
        )
        leading = DirectiveUnit.objects.filter(pk__in=ids, role=Directive.UnitRole.LEAD)
        for directive in Directive.objects.filter(pk__in=leading.values("directive_id")):
            ensure_parts(directive)  # the unit now named leads its own part
        target = unit.name if unit is not None else collective_label(collective)
        audit.record(
            "directives.resolve_unit",
            object_type="directives.unitalias",
            object_id=name_key[:80],
            summary=f"Đối chiếu “{sample.name}” → {target}",
            data={
                "name": sample.name,
                "unit": unit.code if unit else None,
                "collective": collective,
                "rows": len(ids),
            },
        )
    return len(ids)
