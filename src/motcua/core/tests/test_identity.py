from datetime import date

import pytest

from motcua.core.identity import IdentityError, normalise_tax_code, parse_citizen_id
from motcua.core.text import fold, search_tokens


def test_citizen_id_structure_read_as_the_police_issue_it():
    # 031 = Hải Phòng, 1 = female born 1900–1999, 95 = born 1995.
    cid = parse_citizen_id("031195001234")
    assert (cid.province_code, cid.sex, cid.birth_century_start + cid.birth_year_suffix) == (
        "031",
        "female",
        1995,
    )
    # 2 = male born in the 2000s.
    assert parse_citizen_id("030205000001").birth_century_start == 2000


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("03119500123", "12 chữ số"),
        ("03119500123A", "12 chữ số"),
        ("003195001234", "mã tỉnh"),  # 003 is not a province code
        ("099195001234", "mã tỉnh"),
    ],
)
def test_citizen_id_rejections_say_why_in_vietnamese(number, message):
    with pytest.raises(IdentityError, match=message):
        parse_citizen_id(number)


def test_citizen_id_must_agree_with_the_declared_birth_year():
    assert parse_citizen_id("031195001234", birth_date=date(1995, 3, 2))
    with pytest.raises(IdentityError, match="không khớp năm sinh"):
        parse_citizen_id("031195001234", birth_date=date(1996, 3, 2))


def test_tax_codes_of_organisations_and_branches():
    assert normalise_tax_code(" 0200123456 ") == "0200123456"
    assert normalise_tax_code("0200123456-001") == "0200123456-001"
    for bad in ("020012345", "0200123456-01", "0200123456-000", "02001234567"):
        with pytest.raises(IdentityError):
            normalise_tax_code(bad)


def test_folding_ignores_marks_and_folds_d_stroke():
    assert fold("Thủ tục ĐĂNG KÝ khai sinh") == "thu tuc dang ky khai sinh"
    assert fold("Đặc khu Cát Hải") == "dac khu cat hai"
    assert search_tokens("  đăng  ký  ") == ["dang", "ky"]
