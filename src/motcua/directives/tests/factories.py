"""Builders for task-tracking tests: a small merged province, its staff, and a plan of five tasks.

The province ("Thành phố Hải Phòng") has its office, three departments, two wards and a division;
the former province ("Tỉnh Hải Dương", ended 01/07/2025) had a Sở Tư pháp (→ the city's) and a Sở Kế
hoạch và Đầu tư (ended 01/03/2025 → Sở Tài chính).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime

from motcua.core.models import OrgUnit, OrgUnitSuccession, Role, RoleAssignment, User
from motcua.core.tests import factories as cf
from motcua.directives import services
from motcua.directives.demo import PLAN_FILE, seed_dir
from motcua.directives.models import Directive, SourceDocument
from motcua.directives.planparse import Plan, parse_text
from motcua.workdays.domain import TZ

SEED = seed_dir() / PLAN_FILE


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


def person(role: str, unit: OrgUnit, username: str, email: str = "") -> User:
    user = User(username=username, full_name=f"Cán bộ {username}", primary_unit=unit, email=email)
    user.set_unusable_password()
    user.save()
    RoleAssignment.objects.create(user=user, role=role, unit=unit)
    return user


@dataclass
class World:
    province: OrgUnit
    office: OrgUnit
    justice: OrgUnit
    finance: OrgUnit
    home_affairs: OrgUnit
    justice_division: OrgUnit
    ward: OrgUnit
    other_ward: OrgUnit
    old_province: OrgUnit
    old_justice: OrgUnit
    old_planning: OrgUnit
    supervisor: User  # the office (Văn phòng UBND)
    province_admin: User
    justice_specialist: User  # at a division of Sở Tư pháp
    justice_head: User
    finance_specialist: User
    ward_specialist: User
    ward_intake: User
    outsider: User  # a specialist of Sở Nội vụ


def world() -> World:
    hp = cf.unit("Thành phố Hải Phòng", kind="province", code="hp", short_name="Hải Phòng")
    office = cf.unit(
        "Văn phòng Ủy ban nhân dân thành phố Hải Phòng",
        parent=hp,
        kind="office",
        code="hp-vp",
        short_name="VP UBND",
    )
    justice = cf.unit(
        "Sở Tư pháp thành phố Hải Phòng", parent=hp, kind="department", code="hp-stp", short_name="Sở Tư pháp"
    )
    finance = cf.unit(
        "Sở Tài chính thành phố Hải Phòng",
        parent=hp,
        kind="department",
        code="hp-stc",
        short_name="Sở Tài chính",
    )
    home = cf.unit(
        "Sở Nội vụ thành phố Hải Phòng", parent=hp, kind="department", code="hp-snv", short_name="Sở Nội vụ"
    )
    division = cf.unit("Phòng Hành chính tư pháp", parent=justice, kind="division", code="hp-stp-hc")
    ward = cf.unit("Phường Thành Đông", parent=hp, kind="ward", code="x10507")
    other = cf.unit("Phường Gia Viên", parent=hp, kind="ward", code="x11359")
    hd = cf.unit(
        "Tỉnh Hải Dương",
        kind="province",
        code="hd",
        short_name="Hải Dương",
        valid_from=date(1997, 1, 1),
        valid_to=date(2025, 7, 1),
        former_province="Hải Dương",
    )
    hd_stp = cf.unit(
        "Sở Tư pháp tỉnh Hải Dương",
        parent=hd,
        kind="department",
        code="hd-stp",
        valid_from=date(1997, 1, 1),
        valid_to=date(2025, 7, 1),
        former_province="Hải Dương",
    )
    hd_skhdt = cf.unit(
        "Sở Kế hoạch và Đầu tư tỉnh Hải Dương",
        parent=hd,
        kind="department",
        code="hd-skhdt",
        valid_from=date(1997, 1, 1),
        valid_to=date(2025, 3, 1),
        former_province="Hải Dương",
    )
    OrgUnitSuccession.objects.create(
        predecessor=hd_stp, successor=justice, effective=date(2025, 7, 1), whole=True
    )
    OrgUnitSuccession.objects.create(
        predecessor=hd_skhdt, successor=finance, effective=date(2025, 3, 1), whole=True
    )
    return World(
        province=hp,
        office=office,
        justice=justice,
        finance=finance,
        home_affairs=home,
        justice_division=division,
        ward=ward,
        other_ward=other,
        old_province=hd,
        old_justice=hd_stp,
        old_planning=hd_skhdt,
        supervisor=person(Role.SUPERVISOR, office, "giamsat", "giamsat@vp.gov.vn"),
        province_admin=person(Role.ADMINISTRATOR, hp, "quantri"),
        justice_specialist=person(Role.SPECIALIST, division, "stp.cv", "cv@stp.gov.vn"),
        justice_head=person(Role.AGENCY_LEADER, justice, "stp.gd", "gd@stp.gov.vn"),
        finance_specialist=person(Role.SPECIALIST, finance, "stc.cv", "cv@stc.gov.vn"),
        ward_specialist=person(Role.SPECIALIST, ward, "td.tuphap", "tuphap@thanhdong.gov.vn"),
        ward_intake=person(Role.INTAKE_OFFICER, ward, "td.motcua"),
        outsider=person(Role.SPECIALIST, home, "snv.cv", "cv@snv.gov.vn"),
    )


# A plan in the plain-text export's shape: cells start with a tab, rows end with a blank line.
PLAN_HEAD = """KẾ HOẠCH
THỬ NGHIỆM THEO DÕI NHIỆM VỤ CỦA TỈNH HẢI DƯƠNG
(Kèm theo Kế hoạch số {number} ngày {day} của Chủ tịch UBND tỉnh Hải Dương)
\tStt
\tTên nhiệm vụ
\tCơ quan chủ trì
\tCơ quan phối hợp
\tThời hạn hoàn thành
\tSản phẩm
"""


def plan_text(rows: list[tuple[str, ...]], *, number: str = "99/KH-UBND", day: str = "07/12/2022") -> str:
    out = [PLAN_HEAD.format(number=number, day=day)]
    for row in rows:
        if len(row) == 2:  # a section: the roman numeral and its title over the merged cells
            row = (row[0],) + (row[1],) * 5
        out.append("\n" + "".join(f"\t{cell}\n" for cell in row))
    return "".join(out)


ROWS: list[tuple[str, ...]] = [
    ("I", "Về cải cách thủ tục hành chính"),
    (
        "1.",
        "Báo cáo rà soát thủ tục hành chính.",
        "Sở Tư pháp",
        "Văn phòng UBND tỉnh",
        "30/9 hằng năm",
        "Báo cáo",
    ),
    (
        "2.",
        "Hoàn thành số hóa hồ sơ.",
        "Các sở, ban, ngành, UBND cấp xã",
        "Sở TT&TT",
        "Tháng 6/2027",
        "Kho dữ liệu",
    ),
    ("II", "Về chỉ đạo, điều hành"),
    (
        "3.",
        "Xây dựng bộ chỉ số điều hành.",
        "Sở Kế hoạch và Đầu tư",
        "Các cơ quan liên quan",
        "Trước ngày 31/12/2026.",
        "Bộ chỉ số",
    ),
    (
        "4.",
        "Thẩm định quy định.",
        "- Văn phòng UBND tỉnh.\n- Sở Tư pháp",
        "Báo Hải Dương",
        "Thường xuyên",
        "Quy định",
    ),
    ("5.", "Kết nối dữ liệu dân cư.", "Sở Nội vụ", "UBND cấp huyện", "Theo tiến độ của Đề án 06", "Kết nối"),
]


def plan(rows: list[tuple[str, ...]] | None = None, **kwargs: str) -> Plan:
    return parse_text(plan_text(rows or ROWS, **kwargs))


def imported(
    w: World, rows: list[tuple[str, ...]] | None = None, *, now: datetime | None = None, **kwargs: str
) -> SourceDocument:
    report = services.import_plan(plan(rows, **kwargs), source_file="thu.txt", now=now or at(2026, 1, 5))
    assert report.document is not None and report.created
    return report.document


def task(document: SourceDocument, number: str) -> Directive:
    return Directive.objects.select_related("current").get(document=document, number=number)


def docx_bytes(
    rows: list[list[str]], paragraphs: list[str] | None = None, *, merged_sections: bool = True
) -> bytes:
    """A Word document with one table built from ``rows`` (the first is the header)."""
    from docx import Document

    document = Document()
    for text in paragraphs or []:
        document.add_paragraph(text)
    table = document.add_table(rows=0, cols=len(rows[0]))
    for cells in rows:
        row = table.add_row()
        if merged_sections and len(set(cells[1:])) == 1 and cells[0] and cells[0][0] in "IVX":
            row.cells[1].merge(row.cells[-1])
            row.cells[0].text, row.cells[1].text = cells[0], cells[1]
            continue
        for cell, text in zip(row.cells, cells, strict=True):
            lines = text.split("\n")
            cell.text = lines[0]
            for line in lines[1:]:
                cell.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
