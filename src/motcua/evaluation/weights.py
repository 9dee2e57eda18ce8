"""The QĐ 766 weight and target table — pure Python, no Django.

The six groups (domain.md §3.1, MAX766), their scored and tracked sub-indicators, each one's maximum
points and its saturation target (domain.md §3.2, F766). The table is the value of the versioned rule
``evaluation.index766`` (``core/rules.py``): a new decision is a ``RuleVersion`` row with the date it
takes effect, not a code change. ``index766_value`` checks a value (``RuleVersion.clean`` calls it);
``parse`` turns it into frozen dataclasses.

Codes follow domain.md §3; the two scored indicators that have no code there get motcua's own
(``3.TT``, ``4.CT``), listed in docs/rules.md.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

MAX_CODE_LENGTH = 20


@dataclass(frozen=True)
class IndicatorWeight:
    code: str
    name: str
    max: Decimal  # points
    target: Decimal | None  # saturation target in percent; None = no target (linear, assumed)


@dataclass(frozen=True)
class GroupWeight:
    code: str
    name: str
    indicators: tuple[IndicatorWeight, ...]

    @property
    def max(self) -> Decimal:
        return sum((i.max for i in self.indicators), Decimal(0))


@dataclass(frozen=True)
class Weights:
    groups: tuple[GroupWeight, ...]

    @property
    def max(self) -> Decimal:
        return sum((g.max for g in self.groups), Decimal(0))

    def indicator(self, code: str) -> IndicatorWeight | None:
        for group in self.groups:
            for indicator in group.indicators:
                if indicator.code == code:
                    return indicator
        return None


def _i(code: str, name: str, points: int, target: int | None = None) -> dict[str, Any]:
    return {"code": code, "name": name, "max": points, "target": target}


# domain.md §3.1 (maxima: MAX766 ✅) and §3.2 (targets: F766 ✅). Tracked-only indicators have max 0.
INDEX766_DEFAULT: dict[str, Any] = {
    "groups": [
        {
            "code": "CKMB",
            "name": "Công khai, minh bạch",
            "indicators": [
                _i("1.1", "TTHC công bố đúng hạn", 6),
                _i("1.2", "TTHC cập nhật, công khai đúng hạn", 4),
                _i("1.3", "TTHC công khai đầy đủ nội dung", 2),
                _i("1.4", "Hồ sơ đồng bộ lên Cổng DVCQG", 6),
            ],
        },
        {
            "code": "TDGQ",
            "name": "Tiến độ giải quyết",
            "indicators": [
                _i("2.1", "Hồ sơ xử lý trước hạn, đúng hạn", 20),
                _i("2.2", "Thời gian giải quyết TTHC trung bình", 0),
            ],
        },
        {
            "code": "CLGQ",
            "name": "Dịch vụ công trực tuyến",
            "indicators": [
                _i("3.TT", "Hồ sơ DVCTT toàn trình trên tổng hồ sơ của TTHC đủ điều kiện toàn trình", 12),
                _i("3.1", "TTHC cung cấp DVCTT", 0, 80),
                _i("3.2", "DVCTT có phát sinh hồ sơ", 0),
                _i("3.3", "Hồ sơ nộp trực tuyến", 0, 50),
            ],
        },
        {
            "code": "TTTT",
            "name": "Thanh toán trực tuyến",
            "indicators": [
                _i("3.5", "TTHC có nghĩa vụ tài chính được tích hợp thanh toán trực tuyến", 2, 80),
                _i("3.5b", "TTHC có giao dịch thanh toán trực tuyến", 2),
                _i("3.6", "Hồ sơ thanh toán trực tuyến", 6),
            ],
        },
        {
            "code": "MDSH",
            "name": "Số hóa hồ sơ",
            "indicators": [
                _i("4.1", "Hồ sơ có kết quả giải quyết điện tử", 6),
                _i("4.2", "Hồ sơ thực hiện số hóa thành phần", 4, 80),
                _i("4.CT", "Cung cấp dịch vụ chứng thực bản sao điện tử từ bản chính", 2),
                _i("4.3", "Hồ sơ khai thác, sử dụng lại dữ liệu số hóa", 2, 80),
                _i("4.4", "Hồ sơ số hóa kết nối, chia sẻ để tái sử dụng", 4),
                _i("4.5b", "Hồ sơ sử dụng thông tin từ CSDL quốc gia về dân cư", 2),
                _i("4.5a", "TTHC kết nối, chia sẻ dữ liệu dân cư", 2),
            ],
        },
        {
            "code": "MDHL",
            "name": "Mức độ hài lòng",
            "indicators": [
                _i("5.2", "PAKN được xử lý đúng hạn", 6),
                _i("5.3", "Hài lòng trong xử lý PAKN", 6),
                _i("5.4", "Hài lòng trong tiếp nhận, giải quyết TTHC", 6, 90),
                _i("5.1", "PAKN theo phân loại (về quy định, TTHC; về cán bộ)", 0),
            ],
        },
    ]
}


def _error(message: str) -> Exception:
    # Imported here: ``core.rules`` imports this module while it is being initialised.
    from motcua.core.rules import RuleValueError

    return RuleValueError(message)


def _number(value: Any, where: str, *, low: int, high: int, allow_low: bool) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        raise _error(f"{where}: phải là một số.")
    if value > high or value < low or (value == low and not allow_low):
        sign = "≥" if allow_low else ">"
        raise _error(f"{where}: phải {sign} {low} và ≤ {high}, nhận được {value}.")
    return value


def _text(value: Any, where: str, *, max_length: int = 300) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _error(f"{where}: bắt buộc, là chuỗi ký tự.")
    if len(value) > max_length:
        raise _error(f"{where}: dài quá {max_length} ký tự.")
    return value.strip()


def index766_value(value: Any) -> dict[str, Any]:
    """Check a weight table; returns it normalised (a copy). Raises ``core.rules.RuleValueError``."""
    if not isinstance(value, dict) or not isinstance(value.get("groups"), list) or not value["groups"]:
        raise _error('Bảng trọng số phải có dạng {"groups": [{"code", "name", "indicators": […]}, …]}.')
    codes: set[str] = set()
    groups: list[dict[str, Any]] = []
    for g, group in enumerate(value["groups"], 1):
        if not isinstance(group, dict):
            raise _error(f"Nhóm thứ {g}: phải là một đối tượng JSON.")
        code = _text(group.get("code"), f"Nhóm thứ {g}, code", max_length=MAX_CODE_LENGTH)
        name = _text(group.get("name"), f"Nhóm {code}, name")
        items = group.get("indicators")
        if not isinstance(items, list) or not items:
            raise _error(f"Nhóm {code}: phải có ít nhất một chỉ số (indicators).")
        if code in codes:
            raise _error(f"Mã “{code}” bị trùng.")
        codes.add(code)
        indicators: list[dict[str, Any]] = []
        for n, item in enumerate(items, 1):
            if not isinstance(item, dict):
                raise _error(f"Nhóm {code}, chỉ số thứ {n}: phải là một đối tượng JSON.")
            icode = _text(item.get("code"), f"Nhóm {code}, chỉ số thứ {n}, code", max_length=MAX_CODE_LENGTH)
            if icode in codes:
                raise _error(f"Mã “{icode}” bị trùng.")
            codes.add(icode)
            target = item.get("target")
            indicators.append(
                {
                    "code": icode,
                    "name": _text(item.get("name"), f"Chỉ số {icode}, name"),
                    "max": _number(item.get("max"), f"Chỉ số {icode}, max", low=0, high=100, allow_low=True),
                    "target": None
                    if target is None
                    else _number(target, f"Chỉ số {icode}, target (%)", low=0, high=100, allow_low=False),
                }
            )
        groups.append({"code": code, "name": name, "indicators": indicators})
    total = sum(Decimal(str(i["max"])) for g in groups for i in g["indicators"])
    if total <= 0:
        raise _error("Tổng điểm tối đa phải lớn hơn 0.")
    return {"groups": copy.deepcopy(groups)}


def parse(value: Any) -> Weights:
    """The table as dataclasses (checked first: a bad database row fails loudly, never silently)."""
    clean = index766_value(value)
    return Weights(
        tuple(
            GroupWeight(
                g["code"],
                g["name"],
                tuple(
                    IndicatorWeight(
                        i["code"],
                        i["name"],
                        Decimal(str(i["max"])),
                        None if i["target"] is None else Decimal(str(i["target"])),
                    )
                    for i in g["indicators"]
                ),
            )
            for g in clean["groups"]
        )
    )
