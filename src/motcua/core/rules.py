"""Versioned legal rules: the registry of what can be configured, with defaults and sources.

A rule's value on a given day is the ``RuleVersion`` row with the latest ``effective_from`` on or
before that day, or the default below when there is none. Each default names its legal source and
whether that source is verified; ``docs/rules.md`` lists them for people.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any


class RuleValueError(ValueError):
    pass


def _time_of_day(value: Any) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
        raise RuleValueError("Giờ phải có dạng HH:MM, ví dụ 15:00.")
    return value


def choice(*options: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value not in options:
            raise RuleValueError("Giá trị phải là một trong: " + ", ".join(options) + ".")
        return str(value)

    return check


def _non_negative_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise RuleValueError("Giá trị phải là số nguyên không âm.")
    return value


def _code_format(value: Any) -> str:
    if not isinstance(value, str) or "{unit_code}" not in value or not re.search(r"\{N+\}", value):
        raise RuleValueError("Mẫu mã hồ sơ phải có {unit_code} và số thứ tự dạng {NNNN}.")
    return value


def office_hours_value(value: Any) -> list[list[str]]:
    if not isinstance(value, list) or not value:
        raise RuleValueError('Giờ làm việc là danh sách khung giờ [["07:30","11:30"], …].')
    windows: list[list[str]] = []
    for window in value:
        if not isinstance(window, list | tuple) or len(window) != 2:
            raise RuleValueError("Mỗi khung giờ gồm giờ mở và giờ đóng.")
        start, end = _time_of_day(window[0]), _time_of_day(window[1])
        if start >= end:
            raise RuleValueError(f"Khung giờ {start}–{end}: giờ mở phải trước giờ đóng.")
        if windows and start < windows[-1][1]:
            raise RuleValueError("Các khung giờ phải theo thứ tự và không chồng nhau.")
        windows.append([start, end])
    return windows


@dataclass(frozen=True)
class RuleDefinition:
    key: str
    label: str
    default: Any
    legal_basis: str
    verified: bool
    validate: Callable[[Any], Any]


RULES: dict[str, RuleDefinition] = {
    r.key: r
    for r in [
        RuleDefinition(
            "workdays.cutoff",
            "Giờ chốt tiếp nhận trong ngày",
            "15:00",
            "NĐ 61/2018/NĐ-CP Điều 18 (hồ sơ tiếp nhận sau 15 giờ chuyển vào đầu ngày làm việc tiếp theo)",
            True,
            _time_of_day,
        ),
        RuleDefinition(
            "workdays.office_hours",
            "Giờ làm việc mặc định của cơ quan",
            [["07:30", "11:30"], ["13:30", "17:00"]],
            "Quy định giờ làm việc của UBND tỉnh (chưa đối chiếu văn bản của Hải Phòng)",
            False,
            office_hours_value,
        ),
        RuleDefinition(
            "workdays.supplement_mode",
            "Cách tính thời hạn khi yêu cầu bổ sung hồ sơ",
            "restart",
            "NĐ 61/2018/NĐ-CP Điều 19.4: thời gian giải quyết tính lại từ đầu khi nhận đủ hồ sơ "
            "(restart); biến thể “shift” lùi hạn đúng bằng thời gian tạm dừng",
            True,
            choice("restart", "shift"),
        ),
        RuleDefinition(
            "workdays.online_received",
            "Thời điểm tiếp nhận hồ sơ nộp trực tuyến ngoài giờ",
            "next_opening",
            "Chưa có quy định quốc gia xác nhận; một số tỉnh áp dụng giờ chốt 15:00 cả với hồ sơ trực tuyến",
            False,
            choice("next_opening", "cutoff"),
        ),
        RuleDefinition(
            "dossiers.code_format",
            "Mẫu mã số hồ sơ",
            "{unit_code}-{YYMMDD}-{NNNN}",
            "TT 01/2018/TT-VPCP Điều 19 (mã cơ quan QCVN 102 – ngày tiếp nhận – số thứ tự 4 chữ số)",
            True,
            _code_format,
        ),
        RuleDefinition(
            "dossiers.soon_due_working_days",
            "Ngưỡng “sắp đến hạn” của hồ sơ (ngày làm việc)",
            1,
            "Quy ước của motcua (domain.md §0)",
            False,
            _non_negative_int,
        ),
        RuleDefinition(
            "dossiers.supplement_window_working_days",
            "Thời hạn cơ quan giải quyết yêu cầu bổ sung (ngày làm việc kể từ khi tiếp nhận)",
            3,
            "NĐ 61/2018/NĐ-CP Điều 19.4",
            True,
            _non_negative_int,
        ),
        RuleDefinition(
            "dossiers.apology_min_working_days",
            "Xin lỗi, hẹn lại: chậm nhất trước hạn (ngày làm việc)",
            1,
            "NĐ 61/2018/NĐ-CP Điều 19.9",
            True,
            _non_negative_int,
        ),
        RuleDefinition(
            "dossiers.max_due_resets",
            "Số lần được hẹn lại ngày trả kết quả",
            1,
            "NĐ 61/2018/NĐ-CP Điều 19.9 (chỉ hẹn lại một lần)",
            True,
            _non_negative_int,
        ),
        RuleDefinition(
            "directives.soon_due_working_days",
            "Ngưỡng “sắp đến hạn” của nhiệm vụ (ngày làm việc)",
            5,
            "Quy ước của motcua (domain.md §0)",
            False,
            _non_negative_int,
        ),
        RuleDefinition(
            "reporting.deadline_working_days",
            "Hạn gửi báo cáo sau ngày chốt số liệu (ngày làm việc)",
            2,
            "Quy ước của motcua theo quy chế báo cáo cấp tỉnh (NĐ 09/2019/NĐ-CP chưa đối chiếu)",
            False,
            _non_negative_int,
        ),
        RuleDefinition(
            "reporting.cutoff",
            "Thời gian chốt số liệu báo cáo (mặc định của các chế độ báo cáo)",
            "nd09",
            "NĐ 09/2019/NĐ-CP Điều 12 (từ ngày 15 tháng trước đến ngày 14 tháng của kỳ; theo quy chế báo cáo "
            "cấp tỉnh, chưa đối chiếu văn bản gốc); biến thể “calendar” theo tháng dương lịch",
            False,
            choice("nd09", "calendar"),
        ),
    ]
}


def register(*definitions: RuleDefinition) -> None:
    """Add a feature app's rules to the registry (from its ``AppConfig.ready``): the foundation names the
    rules of working days, dossiers and reporting, and imports no feature app. Registering the same
    definition again is harmless; another definition under a registered key is a programming error."""
    for definition in definitions:
        known = RULES.get(definition.key)
        if known is not None and known != definition:
            raise ValueError(f"Quy tắc {definition.key} đã được đăng ký với định nghĩa khác.")
        RULES[definition.key] = definition


def rule_value(key: str, on: date) -> Any:
    """The value of rule ``key`` in force on ``on`` (database row, else the registered default).

    The rows are read once per generation of the reference data (``core.refcache``): saving or
    deleting a ``RuleVersion`` anywhere takes effect for the next use case of every process."""
    from motcua.core import refcache

    definition = RULES[key]
    for effective_from, value in refcache.lookup(("rules",), _rule_versions).get(key, ()):
        if effective_from <= on:
            # A copy: the cached value is shared by the whole process.
            return copy.deepcopy(value) if isinstance(value, list | dict) else value
    return definition.default


def _rule_versions() -> dict[str, tuple[tuple[date, Any], ...]]:
    """Every rule version, by key, the latest first."""
    from motcua.core.models import RuleVersion

    versions: dict[str, list[tuple[date, Any]]] = {}
    for key, effective_from, value in RuleVersion.objects.order_by("key", "-effective_from").values_list(
        "key", "effective_from", "value"
    ):
        versions.setdefault(key, []).append((effective_from, value))
    return {key: tuple(rows) for key, rows in versions.items()}
