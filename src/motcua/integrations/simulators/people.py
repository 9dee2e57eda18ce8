"""The fictional residents the identity provider and population registry simulators share.

``data/people.json`` (``--people FILE`` for another file): ``{"note", "people": [entry…]}``, each entry
with Vietnamese field names — the same as the population registry's assumed answer
(``contrib/population.py``): ``so_dinh_danh``, ``ho_ten``, ``ngay_sinh`` (``YYYY-MM-DD``), ``gioi_tinh``
(``Nam``/``Nữ``), ``so_dien_thoai``, ``email``, ``noi_thuong_tru``, ``noi_o_hien_tai``, ``noi_sinh``,
``que_quan``, ``dan_toc``, ``quoc_tich`` and ``muc_do_dinh_danh`` (1 or 2, the level of the electronic
identity account, NĐ 69/2024). Every number is checked against its birth year and sex, so the file
cannot hold a person the system would refuse.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from motcua.core.identity import IdentityError, parse_citizen_id

PEOPLE_FILE = Path(__file__).resolve().parent / "data" / "people.json"
GENDERS = {"Nam": "male", "Nữ": "female"}


@dataclass(frozen=True)
class Person:
    number: str  # số định danh cá nhân
    full_name: str
    birth_date: date
    gender: str  # "male" | "female"
    phone: str
    email: str
    permanent_address: str
    current_address: str
    birth_place: str
    hometown: str
    ethnicity: str
    nationality: str
    level: int  # the identity account's level (mức độ 1 or 2)

    @property
    def gender_vi(self) -> str:
        return "Nam" if self.gender == "male" else "Nữ"

    def record(self) -> dict[str, str]:
        """The person as the population registry answers (Vietnamese field names)."""
        return {
            "so_dinh_danh": self.number,
            "ho_ten": self.full_name,
            "ngay_sinh": self.birth_date.isoformat(),
            "gioi_tinh": self.gender_vi,
            "noi_thuong_tru": self.permanent_address,
            "noi_o_hien_tai": self.current_address,
            "noi_sinh": self.birth_place,
            "que_quan": self.hometown,
            "dan_toc": self.ethnicity,
            "quoc_tich": self.nationality,
        }


def _text(entry: dict[str, Any], name: str, where: str, *, required: bool = True) -> str:
    value = entry.get(name, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise ValueError(f"{where}: trường {name} bắt buộc, kiểu chuỗi.")
    return value.strip()


def parse_person(entry: Any, where: str) -> Person:
    """One entry of the file; ``ValueError`` (Vietnamese) for one the system would not accept."""
    if not isinstance(entry, dict):
        raise ValueError(f"{where}: mỗi người phải là một đối tượng JSON.")
    number = _text(entry, "so_dinh_danh", where)
    try:
        born = date.fromisoformat(_text(entry, "ngay_sinh", where))
    except ValueError:
        raise ValueError(f"{where}: ngày sinh phải có dạng YYYY-MM-DD.") from None
    try:
        citizen = parse_citizen_id(number, birth_date=born)
    except IdentityError as exc:
        raise ValueError(f"{where}: {exc}") from None
    gender = GENDERS.get(_text(entry, "gioi_tinh", where))
    if gender is None:
        raise ValueError(f"{where}: giới tính phải là Nam hoặc Nữ.")
    if gender != citizen.sex:
        raise ValueError(f"{where}: giới tính không khớp chữ số thứ 4 của số định danh {number}.")
    level = entry.get("muc_do_dinh_danh", 2)
    if level not in (1, 2):
        raise ValueError(f"{where}: mức độ định danh phải là 1 hoặc 2.")
    return Person(
        number=number,
        full_name=_text(entry, "ho_ten", where),
        birth_date=born,
        gender=gender,
        phone=_text(entry, "so_dien_thoai", where, required=False),
        email=_text(entry, "email", where, required=False),
        permanent_address=_text(entry, "noi_thuong_tru", where),
        current_address=_text(entry, "noi_o_hien_tai", where, required=False),
        birth_place=_text(entry, "noi_sinh", where, required=False),
        hometown=_text(entry, "que_quan", where, required=False),
        ethnicity=_text(entry, "dan_toc", where, required=False),
        nationality=_text(entry, "quoc_tich", where, required=False) or "Việt Nam",
        level=level,
    )


def load_people(path: Path | None = None) -> dict[str, Person]:
    """The people of ``path`` (the bundled file by default) by number, in the file's order."""
    source = path or PEOPLE_FILE
    data = json.loads(source.read_text(encoding="utf-8"))
    entries = data.get("people") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"{source}: cần danh sách people không rỗng.")
    people: dict[str, Person] = {}
    for i, entry in enumerate(entries):
        person = parse_person(entry, f"{source.name} people[{i}]")
        if person.number in people:
            raise ValueError(f"{source.name} people[{i}]: số định danh {person.number} bị trùng.")
        people[person.number] = person
    return people
