"""Small builders for test data (no shared mutable fixtures)."""

from __future__ import annotations

import itertools
from datetime import date

from motcua.core.models import OrgUnit, User
from motcua.core.services import create_staff

_seq = itertools.count(1)
PASSWORD = "mat-khau-thu-nghiem-2026"


def unit(name: str = "", *, parent: OrgUnit | None = None, kind: str = "ward", **extra) -> OrgUnit:
    n = next(_seq)
    return OrgUnit.objects.create(
        code=extra.pop("code", f"u{n}"),
        name=name or f"Đơn vị {n}",
        kind=kind,
        parent=parent,
        valid_from=extra.pop("valid_from", date(2025, 7, 1)),
        **extra,
    )


def staff(roles: list[str], at: OrgUnit, *, username: str = "", include_subunits: bool = True) -> User:
    n = next(_seq)
    return create_staff(
        username=username or f"canbo{n}",
        full_name=f"Cán bộ {n}",
        password=PASSWORD,
        unit=at,
        roles=roles,
        include_subunits=include_subunits,
    )
