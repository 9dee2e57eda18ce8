"""Builders for reporting tests: the dossier tests' small province plus its office (Văn phòng UBND),
an office supervisor, and the monthly one-stop report received by the office from both wards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from motcua.core.models import OrgUnit, Role, User
from motcua.core.tests import factories as cf
from motcua.dossiers.tests import factories as df
from motcua.reporting import demo
from motcua.reporting.models import ReportDefinition, ReportPeriod
from motcua.workdays.domain import TZ


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


@dataclass
class World:
    d: df.World  # the dossier world: province, ward_a, ward_b, justice, police, their staff
    office: OrgUnit
    office_supervisor: User
    monthly: ReportDefinition

    @property
    def ward_a(self) -> OrgUnit:
        return self.d.ward_a

    @property
    def ward_b(self) -> OrgUnit:
        return self.d.ward_b


def world(first: date = date(2026, 1, 1)) -> World:
    d = df.world()
    office = cf.unit("Văn phòng UBND thành phố", parent=d.province, kind="office", code="vp")
    return World(
        d=d,
        office=office,
        office_supervisor=df.staff(Role.SUPERVISOR, office, "giamsat_vp"),
        monthly=demo.one_stop_monthly(office, [d.ward_a, d.ward_b], first),
    )


def period(definition: ReportDefinition, key: str) -> ReportPeriod:
    return ReportPeriod.objects.get(definition=definition, key=key)


# Every required indicator of the monthly report (the Biểu 01 figures add up).
FULL = {
    "1": 10,
    "1.1": 6,
    "1.2": 3,
    "1.3": 1,
    "2": 4,
    "3": 8,
    "3.1": 7,
    "3.2": 1,
    "4": 6,
    "4.1": 5,
    "4.2": 1,
    "5": "87.5",
    "6": "60",
    "7": 2,
}
