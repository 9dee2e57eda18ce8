"""Structural checks of Vietnamese identity numbers (no Django import).

- Citizen identity number (số định danh cá nhân / CCCD), 12 digits (TT 59/2021/TT-BCA Điều 7;
  formerly TT 07/2016/TT-BCA): 3 digits of the province where the birth was registered, 1 digit of
  sex and birth century, 2 digits of the birth year, 6 random digits. The province list is the
  pre-2025 GSO list (63 codes); numbers already issued keep it after the 2025 mergers.
- Tax code (mã số thuế) of an organisation: 10 digits, or 10 digits, "-" and 3 digits for a
  dependent unit (branch) (TT 105/2020/TT-BTC Điều 5). The check digit is not verified: its
  formula is not published in a primary source we hold (see docs/rules.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

CCCD_PROVINCE_CODES = frozenset(
    f"{n:03d}"
    for n in (
        1,
        2,
        4,
        6,
        8,
        10,
        11,
        12,
        14,
        15,
        17,
        19,
        20,
        22,
        24,
        25,
        26,
        27,
        30,
        31,
        33,
        34,
        35,
        36,
        37,
        38,
        40,
        42,
        44,
        45,
        46,
        48,
        49,
        51,
        52,
        54,
        56,
        58,
        60,
        62,
        64,
        66,
        67,
        68,
        70,
        72,
        74,
        75,
        77,
        79,
        80,
        82,
        83,
        84,
        86,
        87,
        89,
        91,
        92,
        93,
        94,
        95,
        96,
    )
)
_CCCD = re.compile(r"^\d{12}$")
_TAX = re.compile(r"^\d{10}(-\d{3})?$")


class IdentityError(ValueError):
    """An identity number that cannot be right; the message is Vietnamese, for the user."""


@dataclass(frozen=True)
class CitizenId:
    number: str
    province_code: str
    sex: str  # "male" | "female"
    birth_century_start: int
    birth_year_suffix: int

    def birth_year_matches(self, birth_date: date) -> bool:
        return birth_date.year == self.birth_century_start + self.birth_year_suffix


def parse_citizen_id(raw: str, *, birth_date: date | None = None) -> CitizenId:
    number = raw.strip().replace(" ", "")
    if not _CCCD.match(number):
        raise IdentityError("Số định danh cá nhân (CCCD) phải gồm đúng 12 chữ số.")
    province = number[:3]
    if province not in CCCD_PROVINCE_CODES:
        raise IdentityError(f"Ba chữ số đầu của số định danh ({province}) không phải mã tỉnh hợp lệ.")
    century_digit = int(number[3])
    century_start = 1900 + 100 * (century_digit // 2)
    citizen = CitizenId(
        number=number,
        province_code=province,
        sex="male" if century_digit % 2 == 0 else "female",
        birth_century_start=century_start,
        birth_year_suffix=int(number[4:6]),
    )
    if birth_date is not None and not citizen.birth_year_matches(birth_date):
        raise IdentityError(
            "Số định danh không khớp năm sinh: chữ số thứ 4–6 ghi năm sinh "
            f"{citizen.birth_century_start + citizen.birth_year_suffix}, ngày sinh khai là "
            f"{birth_date:%d/%m/%Y}."
        )
    if birth_date is None and citizen.birth_century_start > date.today().year:
        raise IdentityError("Chữ số thứ 4 của số định danh ghi thế kỷ sinh chưa tới.")
    return citizen


def normalise_tax_code(raw: str) -> str:
    code = raw.strip().replace(" ", "")
    if not _TAX.match(code):
        raise IdentityError(
            "Mã số thuế phải gồm 10 chữ số, hoặc 10 chữ số, dấu gạch ngang và 3 chữ số (đơn vị phụ thuộc)."
        )
    if code.endswith("-000"):
        raise IdentityError("Mã đơn vị phụ thuộc (3 chữ số sau dấu gạch ngang) phải từ 001 đến 999.")
    return code
