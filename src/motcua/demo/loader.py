"""The demo province: Hải Phòng after the 2025 merger, with staff, procedures and calendar data.

Everything comes from data files inside the package (``motcua/demo/data``), so a fresh clone needs
nothing else. Loading is idempotent: running it twice changes nothing the second time. After the
province and its year of dossiers come the steps the apps register with ``core.demodata`` (task
tracking, reporting, the indicator set), in their order.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import date

from django.db import transaction

from motcua.core import demodata
from motcua.core.audit import acting_as
from motcua.core.models import OrgUnit, User
from motcua.core.services import create_staff, load_org
from motcua.demo.datafiles import data

DEMO_PASSWORD = demodata.DEMO_PASSWORD  # printed in the README, demo only


@dataclass
class DemoReport:
    units: int
    staff_created: int
    procedures: str
    dossiers: str = ""


def _load_staff() -> int:
    created = 0
    units = {u.code: u for u in OrgUnit.objects.all()}
    existing = set(User.objects.values_list("username", flat=True))
    for person in data("staff.json")["staff"]:
        if person["username"] in existing:
            continue
        create_staff(
            username=person["username"],
            full_name=person["full_name"],
            password=DEMO_PASSWORD,
            unit=units[person["unit"]],
            roles=person["roles"],
            job_title=person.get("job_title", ""),
            include_subunits=person.get("include_subunits", True),
        )
        created += 1
    return created


def _load_procedures() -> str:
    from motcua.catalogue.services import import_catalogue

    report = import_catalogue(data("procedures.json"))
    return str(report)


def _assign_units() -> None:
    """Commune-level procedures are done by every commune; province-level ones by their department (or
    the division that is the competent authority: business registration is the Phòng Đăng ký kinh doanh
    of the Department of Finance)."""
    from motcua.catalogue.models import ProcedureVersion

    communes = list(
        OrgUnit.objects.filter(kind__in=["ward", "commune", "special_zone"], valid_to__isnull=True)
    )
    province_units = {
        "2.000488": "hp-ca",
        "1.002809": "hp-ca",
        "2.001583": "hp-stc-dkkd",
    }
    for version in ProcedureVersion.objects.select_related("procedure"):
        if version.implementing_units.exists():
            continue
        code = version.procedure.code
        if code in province_units:
            version.implementing_units.set([OrgUnit.objects.get(code=province_units[code])])
        else:
            version.implementing_units.set(communes)


def _load_calendar() -> None:
    from motcua.workdays.models import OfficeHours

    centre = OrgUnit.objects.get(code="hp-ttpvhcc")
    OfficeHours.objects.get_or_create(
        unit=None,
        effective_from=date(2025, 7, 1),
        defaults={
            "windows": [["07:30", "11:30"], ["13:30", "17:00"]],
            "note": "Giờ làm việc mặc định (chưa đối chiếu quyết định của UBND TP Hải Phòng).",
        },
    )
    OfficeHours.objects.get_or_create(
        unit=centre,
        effective_from=date(2025, 7, 1),
        defaults={
            "windows": [["07:30", "11:30"], ["13:30", "17:00"]],
            "saturday_reception": [["07:30", "11:30"]],
            "note": "Trung tâm tiếp nhận sáng thứ Bảy (trình diễn; thứ Bảy không tính là ngày làm việc).",
        },
    )


def load_demo(*, verbose: bool = True, history: int | None = None) -> DemoReport:
    """Load the demo province; ``history``: how many historical dossiers (default ``history.COUNT``,
    about 2,000 over the last 12 months; 0 for none)."""
    from motcua.demo import history as dossier_history

    count = dossier_history.COUNT if history is None else history

    def say(message: str) -> None:
        if verbose:
            print(message, file=sys.stderr)

    with acting_as(None, label="nạp dữ liệu trình diễn"), transaction.atomic():
        say("Nạp cơ quan, đơn vị (Hải Phòng sau hợp nhất)…")
        org = load_org(data("org.json"))
        say(f"  {org.created} đơn vị mới, {org.updated} cập nhật, {org.unchanged} không đổi")
        say("Nạp tài khoản cán bộ…")
        staff = _load_staff()
        say(f"  {staff} tài khoản mới")
        say("Nạp lịch làm việc…")
        _load_calendar()
        say("Nạp danh mục thủ tục hành chính…")
        procedures = _load_procedures()
        _assign_units()
        say(f"  {procedures}")
    dossiers = ""
    if count:
        say(f"Nạp lịch sử hồ sơ 12 tháng ({count} hồ sơ, qua bộ nhập DongBoHoSoMC)…")
        summary = dossier_history.load_history(count, progress=verbose)
        dossiers = f"{summary.created} hồ sơ mới, {summary.updated} cập nhật, {summary.unchanged} không đổi"
        say(f"  {dossiers}")
    for step in demodata.steps():
        demodata.run(step, say)
    return DemoReport(
        units=OrgUnit.objects.count(), staff_created=staff, procedures=procedures, dossiers=dossiers
    )
