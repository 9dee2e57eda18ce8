"""Search that ignores diacritics and case; detail with the version in force."""

from __future__ import annotations

from datetime import date

import pytest

from motcua.catalogue.selectors import procedure_detail, search_procedures
from motcua.catalogue.services import create_placeholder_procedure, import_catalogue
from motcua.catalogue.tests import factories as f
from motcua.core.errors import NotFound

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 27)


@pytest.fixture
def demo():
    import_catalogue(f.demo_document())


def codes(query: str = "", *, on: date = TODAY, **filters) -> list[str]:
    return [p.code for p in search_procedures(query, on=on, **filters)]


@pytest.mark.parametrize(
    "query", ["dang ky khai sinh", "ĐĂNG KÝ KHAI SINH", "Đăng ký khai sinh", "khai sinh dang"]
)
def test_search_ignores_diacritics_case_and_word_order(demo, query):
    assert codes(query) == ["1.001193"]


def test_d_with_stroke_is_folded(demo):
    assert "2.001583" in codes("đăng ký thành lập công ty")
    assert "2.001583" in codes("dang ky thanh lap cong ty")
    assert codes("Đường bộ") == codes("duong bo") == ["1.002809"]


def test_every_word_must_match_at_the_start_of_a_word(demo):
    assert codes("khai sinh ket hon") == []
    assert codes("inh") == []  # not inside “sinh”
    assert "1.001193" in codes("kha")


def test_code_search_ranks_the_exact_code_first(demo):
    assert codes("1.001193")[0] == "1.001193"
    assert codes("001193") == ["1.001193"]


def test_phrase_matches_come_before_scattered_words(demo):
    # “đăng ký tạm trú” as a phrase beats procedures that merely contain the words
    assert codes("đăng ký tạm trú")[0] == "1.004194"


def test_filters(demo):
    assert set(codes(level="province")) == {"2.000488", "1.002809", "2.001583"}
    assert set(codes(field_code="CHUNG-THUC")) == {"2.000884", "2.000815"}
    assert codes(online_level="partial") and "2.000815" in codes(online_level="none")
    assert "2.000815" not in codes(online_level="partial")


def test_versions_not_in_force_and_placeholders_are_left_out(demo):
    create_placeholder_procedure("1.999999", name="Thủ tục khai sinh tạm")
    assert "1.999999" not in codes("khai sinh")
    assert codes("khai sinh", on=date(2025, 6, 30)) == []


def test_list_carries_the_version_in_force(demo):
    (procedure,) = search_procedures("khai sinh", on=TODAY)
    assert [v.version for v in procedure.current_versions] == [1]


def test_detail_returns_the_version_in_force_on_the_day():
    import_catalogue(
        f.document(
            f.procedure(
                "1.001193",
                f.version(1, effective_to="2026-01-01"),
                f.version(2, effective_from="2026-01-01", name="Đăng ký khai sinh (mới)"),
            )
        )
    )
    assert procedure_detail("1.001193", on=date(2025, 12, 31)).version.version == 1
    detail = procedure_detail("1.001193", on=date(2026, 1, 1))
    assert detail.version.version == 2
    assert [c.order for c in detail.version.components.all()] == [1, 2]
    assert procedure_detail("1.001193", on=date(2025, 1, 1)).version is None
    with pytest.raises(NotFound) as caught:
        procedure_detail("9.999999")
    assert caught.value.message == "Không tìm thấy thủ tục có mã 9.999999."
