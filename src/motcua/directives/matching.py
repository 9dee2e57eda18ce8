"""Matching the agency names of a plan to org units, across the 2025 reorganisation.

For each name, in order:

1. the office's earlier decision for that name (``UnitAlias``, from the review screen);
2. a collective name ("các sở, ban, ngành", "UBND cấp huyện", "các cơ quan liên quan"…);
3. "X và các cơ quan liên quan": X is matched, the collective kept alongside;
4. "UBND tỉnh" / "UBND thành phố": the province unit;
5. the units whose name or short name has the same key (``unitnames.name_key``: abbreviations spelled
   out, locality dropped). A unit of the issuing province that existed on the document's date comes
   first; when it has ended since (a Hải Dương department after 01/07/2025) its successor is taken
   through ``OrgUnitSuccession`` — the task now belongs there, and the named unit is kept as
   ``original_unit``;
6. the 2025 successor table (``data/agency_successors.json``, from ``../shared/data``): "Sở Thông tin
   và Truyền thông" → "Sở Khoa học và Công nghệ", matched by key among today's units.

What is left is unmatched: the import keeps the name and the office decides on the review screen.
The unit table is small (a province has a few hundred units), so it is read once per import.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

from django.utils.translation import gettext

from motcua.core.models import OrgUnit, OrgUnitSuccession
from motcua.directives.models import DirectiveUnit, UnitAlias
from motcua.directives.unitnames import (
    Collective,
    alias_key,
    collective_of,
    has_locality_only,
    name_key,
    peoples_committee_of,
    plain,
    split_compound,
)

Via = DirectiveUnit.Via


@dataclass(frozen=True)
class Match:
    name: str
    unit: OrgUnit | None = None
    original_unit: OrgUnit | None = None
    collective: str = ""
    via: str = ""
    hint: str = ""

    @property
    def resolved(self) -> bool:
        return self.unit is not None or bool(self.collective)

    def unit_dict(self) -> dict[str, Any]:
        assert self.unit is not None
        out: dict[str, Any] = {
            "name": self.name,
            "unit": self.unit.code,
            "unit_name": self.unit.name,
            "via": self.via,
        }
        if self.original_unit is not None:
            out["original_unit"] = self.original_unit.code
            out["original_unit_name"] = self.original_unit.name
        return out


@dataclass(frozen=True)
class SuccessorEntry:
    old: str
    new: tuple[str, ...]
    verified: bool


@cache
def successor_table() -> dict[str, SuccessorEntry]:
    """Old agency key → its successors' names (the last step of each mapping)."""
    raw = json.loads(
        resources.files("motcua.directives").joinpath("data", "agency_successors.json").read_text("utf-8")
    )
    table: dict[str, SuccessorEntry] = {}
    for mapping in raw["mappings"]:
        old = mapping["old"]
        qualifier = re.search(r"\(([^)]*)\)", old)
        if qualifier and plain(qualifier.group(1)).startswith("nhiem vu"):
            continue  # a function that moved (criminal records), not the agency itself
        steps = mapping.get("steps") or []
        names = (steps[-1]["to"],) if steps else tuple(mapping.get("new") or ())
        key = name_key(old)
        if key and key not in table:
            table[key] = SuccessorEntry(old, names, bool(mapping.get("verified")))
    return table


@dataclass
class Matcher:
    today: date
    document_date: date | None = None
    issuer: str = ""
    units: list[OrgUnit] = field(default_factory=list)
    by_key: dict[str, list[OrgUnit]] = field(default_factory=dict)
    successions: dict[int, list[tuple[int, bool]]] = field(default_factory=dict)
    aliases: dict[str, UnitAlias] = field(default_factory=dict)
    by_id: dict[int, OrgUnit] = field(default_factory=dict)
    home: OrgUnit | None = None  # the issuing province's root unit

    @classmethod
    def load(cls, *, today: date, document_date: date | None = None, issuer: str = "") -> Matcher:
        matcher = cls(today=today, document_date=document_date, issuer=issuer)
        matcher.units = list(OrgUnit.objects.order_by("path"))
        matcher.by_id = {u.pk: u for u in matcher.units}
        for unit in matcher.units:
            for text in {unit.name, unit.short_name}:
                if text:
                    matcher.by_key.setdefault(name_key(text), []).append(unit)
        for predecessor, successor, whole in OrgUnitSuccession.objects.values_list(
            "predecessor_id", "successor_id", "whole"
        ):
            matcher.successions.setdefault(predecessor, []).append((successor, whole))
        matcher.aliases = {a.name_key: a for a in UnitAlias.objects.select_related("unit")}
        folded_issuer = plain(issuer)
        for unit in matcher.units:
            if unit.parent_id is None and unit.kind == OrgUnit.Kind.PROVINCE:
                place = plain(unit.short_name or re.sub(r"^(tỉnh|thành phố)\s+", "", unit.name, flags=re.I))
                if place and re.search(rf"\b{re.escape(place)}\b", folded_issuer):
                    matcher.home = unit
        return matcher

    # -- helpers -----------------------------------------------------------------------------------

    def _active(self, unit: OrgUnit) -> bool:
        return unit.is_active_on(self.today)

    def _successor(self, unit: OrgUnit) -> tuple[OrgUnit | None, list[OrgUnit]]:
        """The one unit active today that took over ``unit`` (following chains of successions), or
        None and the candidates when the work was split."""
        frontier = [(unit.pk, True)]
        seen = {unit.pk}
        found: list[tuple[OrgUnit, bool]] = []
        while frontier:
            current, whole_so_far = frontier.pop()
            for successor_id, whole in self.successions.get(current, []):
                if successor_id in seen:
                    continue
                seen.add(successor_id)
                successor = self.by_id[successor_id]
                if self._active(successor):
                    found.append((successor, whole_so_far and whole))
                else:
                    frontier.append((successor_id, whole_so_far and whole))
        if not found and unit.parent_id is None and unit.kind == OrgUnit.Kind.PROVINCE:
            # A merged province without succession rows: the one province of today's list.
            roots = [
                u
                for u in self.units
                if u.parent_id is None and u.kind == OrgUnit.Kind.PROVINCE and self._active(u)
            ]
            found = [(roots[0], True)] if len(roots) == 1 else []
        wholes = [u for u, whole in found if whole]
        if len(wholes) == 1:
            return wholes[0], []
        if len(found) == 1:
            return found[0][0], []
        return None, [u for u, _ in found]

    def _in_home(self, unit: OrgUnit) -> bool:
        return self.home is not None and unit.path.startswith(self.home.path)

    def _by_key(self, name: str) -> Match | None:
        key = name_key(name)
        candidates = self.by_key.get(key, [])
        if self.home is not None and self.document_date is not None:
            local = [u for u in candidates if self._in_home(u) and u.is_active_on(self.document_date)]
            if local:
                named = local[0]
                if self._active(named):
                    return Match(name, unit=named, via=Via.NAME)
                successor, split = self._successor(named)
                if successor is not None:
                    return Match(name, unit=successor, original_unit=named, via=Via.SUCCESSION)
                if split:
                    hint = gettext("Đã chia cho: %(units)s") % {"units": ", ".join(u.name for u in split)}
                    return Match(name, original_unit=named, hint=hint)
        active = sorted((u for u in candidates if self._active(u)), key=lambda u: (u.path.count("/"), u.path))
        if active:
            return Match(name, unit=active[0], via=Via.NAME)
        for ended in candidates:
            successor, _ = self._successor(ended)
            if successor is not None:
                return Match(name, unit=successor, original_unit=ended, via=Via.SUCCESSION)
        return None

    def _by_successor_table(self, name: str) -> Match | None:
        entry = successor_table().get(name_key(name))
        if entry is None:
            return None
        for new_name in entry.new:
            active = [u for u in self.by_key.get(name_key(new_name), []) if self._active(u)]
            if active:
                return Match(name, unit=active[0], via=Via.SUCCESSOR_LIST)
        return Match(
            name,
            hint=gettext("Theo bảng cơ quan kế thừa 2025: %(names)s (chưa có trong danh mục đơn vị)")
            % {"names": "; ".join(entry.new)},
        )

    # -- the match ---------------------------------------------------------------------------------

    def match(self, name: str) -> Match:
        alias = self.aliases.get(alias_key(name))
        if alias is not None:
            return Match(name, unit=alias.unit, collective=alias.collective, via=Via.ALIAS)
        collective = collective_of(name)
        if collective is not None:
            return Match(name, collective=collective.value, via=Via.COLLECTIVE)
        compound = split_compound(name)
        if compound is not None:
            main, tail = compound
            inner = self.match(main)
            if not inner.resolved:
                return Match(name, hint=inner.hint)  # the named agency is unknown: the office decides
            return Match(
                name,
                unit=inner.unit,
                original_unit=inner.original_unit,
                collective=inner.collective or tail.value,
                via=inner.via or Via.COLLECTIVE,
                hint=inner.hint,
            )
        place = peoples_committee_of(name)
        if place is not None:
            # "UBND thành phố Hải Dương": the committee of a unit of the list (a district, a province).
            found = self._by_key(place)
            if found is not None:
                return Match(name, found.unit, found.original_unit, via=found.via, hint=found.hint)
        if has_locality_only(name):
            roots = [
                u
                for u in self.units
                if u.parent_id is None and u.kind == OrgUnit.Kind.PROVINCE and self._active(u)
            ]
            if len(roots) == 1:
                return Match(name, unit=roots[0], via=Via.NAME)
        found = self._by_key(name)
        if found is not None and (found.unit is not None or found.hint):
            return found
        table = self._by_successor_table(name)
        if table is not None:
            return table
        return Match(name)


def collective_label(value: str) -> str:
    from motcua.directives.unitnames import COLLECTIVE_LABELS

    try:
        return COLLECTIVE_LABELS[Collective(value)]
    except ValueError:
        return value
