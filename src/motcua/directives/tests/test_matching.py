"""Matching a plan's agency names to org units: abbreviations, collectives, 2025 successors."""

from __future__ import annotations

from datetime import date

import pytest

from motcua.core.tests import factories as cf
from motcua.directives.matching import Matcher, successor_table
from motcua.directives.models import DirectiveUnit, UnitAlias
from motcua.directives.tests import factories as f
from motcua.directives.unitnames import name_key

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 27)
Via = DirectiveUnit.Via


@pytest.fixture
def w():
    return f.world()


def matcher(
    issuer: str = "Chủ tịch UBND tỉnh Hải Dương", document_date: date | None = date(2022, 12, 7)
) -> Matcher:
    return Matcher.load(today=TODAY, document_date=document_date, issuer=issuer)


def test_names_and_abbreviations_match_todays_units(w):
    m = matcher()
    for name in ["Văn phòng UBND tỉnh", "VP UBND", "Văn phòng Ủy ban nhân dân thành phố"]:
        assert (m.match(name).unit, m.match(name).via) == (w.office, Via.NAME), name
    assert m.match("Sở Nội vụ").unit == w.home_affairs
    assert m.match("Sở Tài chính").unit == w.finance
    assert m.match("UBND tỉnh").unit == w.province  # the province's people's committee


def test_a_former_hai_duong_department_goes_to_its_hai_phong_successor(w):
    m = matcher()
    found = m.match("Sở Tư pháp")
    assert (found.unit, found.original_unit, found.via) == (w.justice, w.old_justice, Via.SUCCESSION)
    # Merged on 01/03/2025 into Sở Tài chính (of Hải Dương, then Hải Phòng).
    found = m.match("Sở KH&ĐT")
    assert (found.unit, found.original_unit, found.via) == (w.finance, w.old_planning, Via.SUCCESSION)


def test_a_hai_phong_plan_names_hai_phong_units_directly(w):
    m = matcher(issuer="UBND thành phố Hải Phòng", document_date=date(2026, 1, 5))
    found = m.match("Sở Tư pháp")
    assert (found.unit, found.original_unit, found.via) == (w.justice, None, Via.NAME)


def test_the_2025_successor_table_is_used_when_the_unit_list_lacks_the_old_agency(w):
    science = cf.unit(
        "Sở Khoa học và Công nghệ thành phố Hải Phòng", parent=w.province, kind="department", code="hp-skhcn"
    )
    found = matcher().match("Sở Thông tin và Truyền thông")
    assert (found.unit, found.via) == (science, Via.SUCCESSOR_LIST)
    assert matcher().match("Sở TT&TT").unit == science


def test_an_unknown_successor_leaves_a_hint_for_the_office(w):
    found = matcher().match("Sở Thông tin và Truyền thông")
    assert not found.resolved
    assert "Sở Khoa học và Công nghệ" in found.hint


def test_collectives(w):
    m = matcher()
    assert m.match("Các sở, ban, ngành").collective == "departments"
    assert m.match("UBND cấp huyện").collective == "districts"
    assert m.match("UBND cấp xã").collective == "communes"
    assert m.match("các cơ quan hành chính nhà nước").collective == "all"
    both = m.match("Văn phòng UBND tỉnh và các cơ quan liên quan")
    assert (both.unit, both.collective) == (w.office, "related")
    # The named agency is unknown: the whole name goes to the office.
    assert not m.match("Báo Hải Dương và các cơ quan, đơn vị có liên quan").resolved


def test_unknown_names_stay_unmatched(w):
    assert not matcher().match("Đài Phát thanh và Truyền hình tỉnh").resolved


def test_the_offices_decision_wins(w):
    UnitAlias.objects.create(
        name_key="dai phat thanh va truyen hinh tinh",
        name="Đài Phát thanh và Truyền hình tỉnh",
        collective="external",
    )
    found = matcher().match("Đài Phát thanh và Truyền hình tỉnh.")
    assert (found.collective, found.via) == ("external", Via.ALIAS)


def test_an_empty_unit_list_matches_nothing_but_collectives():
    m = matcher()
    assert m.match("Sở Tư pháp").unit is None and m.match("Các sở, ban, ngành").collective == "departments"


def test_a_unit_split_between_successors_is_left_to_the_office(w):
    old_city = cf.unit(
        "Thành phố Hải Dương",
        parent=w.old_province,
        kind="district",
        code="hd-288",
        valid_from=date(1997, 1, 1),
        valid_to=date(2025, 7, 1),
    )
    from motcua.core.models import OrgUnitSuccession

    for ward in (w.ward, w.other_ward):
        OrgUnitSuccession.objects.create(predecessor=old_city, successor=ward, effective=date(2025, 7, 1))
    found = matcher().match("UBND thành phố Hải Dương")
    assert found.unit is None and "Phường Thành Đông" in found.hint


def test_the_successor_table_is_the_shared_data():
    table = successor_table()
    assert table[name_key("Sở Thông tin và Truyền thông")].new == (
        "Sở Khoa học và Công nghệ thành phố Hải Phòng",
    )
    assert table[name_key("Sở Kế hoạch và Đầu tư")].new == ("Sở Tài chính thành phố Hải Phòng",)
    # The criminal-record function moved to the police; the department itself did not.
    assert table[name_key("Sở Tư pháp")].new == ("Sở Tư pháp thành phố Hải Phòng",)


def test_the_packaged_successor_table_matches_the_shared_file():
    import json

    shared = f.SEED.parent.parent / "data" / "agency-successors.json"
    if not shared.is_file():
        pytest.skip(f"{shared} is not here")
    from importlib import resources

    ours = json.loads(
        resources.files("motcua.directives").joinpath("data", "agency_successors.json").read_text("utf-8")
    )
    theirs = json.loads(shared.read_text("utf-8"))
    assert [(m["old"], m["new"]) for m in ours["mappings"]] == [
        (m["old"], m["new"]) for m in theirs["mappings"]
    ]


def test_the_committee_of_a_former_province_is_todays_province(w):
    found = matcher().match("UBND tỉnh Hải Dương")
    assert (found.unit, found.original_unit, found.via) == (w.province, w.old_province, Via.SUCCESSION)
