"""The demo's reporting: the monthly one-stop report and a quarterly administrative-procedure control
report, received by the city's Văn phòng UBND, with the last months' periods and a realistic mix of
statuses. Loading is idempotent: when the definitions exist nothing is added.

The story, relative to the day the demo is loaded:

- the monthly report's periods from five months back; the period before the last closed one: every
  unit with demo staff sent its report and the office accepted them (the aggregated report is left for
  the office to accept: the demo queues nothing for other systems);
- the last closed period: Phường Thành Đông and Sở Tư pháp accepted, Phường Hải Dương waiting for the
  office, Phường Gia Viên returned for correction (the figures did not add up), Đặc khu Cát Hải and the
  units without demo staff late;
- the quarterly report: the last closed quarter accepted from Sở Tư pháp and Sở Tài chính.

Figures of the monthly report come from the demo's dossiers (the one-stop prefill).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from motcua.core.audit import acting_as
from motcua.core.models import OrgUnit, User
from motcua.reporting import services
from motcua.reporting.models import DataForm, Indicator, ReportDefinition, ReportPeriod
from motcua.reporting.prefill import prefill_values
from motcua.workdays.domain import TZ

MONTHLY = "BC-TTHC-THANG"
QUARTERLY = "BC-KSTT-QUY"

# (form code, form name, [(code, name, unit of measure, type, aggregation, weight code, prefill key,
# required)]). ❓ The official form (TT 02/2017/TT-VPCP Phụ lục, one-stop report of TT 01/2018 Điều 11)
# is not held: the rows follow the figures that report names (received by channel, carried over,
# resolved on time / late, pending on time / overdue) and are motcua's reconstruction.
ONE_STOP_FORMS: list[tuple[str, str, list[tuple[str, str, str, str, str, str, str, bool]]]] = [
    (
        "Biểu 01",
        "Tình hình, kết quả giải quyết thủ tục hành chính",
        [
            ("1", "Tổng số hồ sơ tiếp nhận trong kỳ", "hồ sơ", "integer", "sum", "", "received", True),
            ("1.1", "Tiếp nhận trực tuyến", "hồ sơ", "integer", "sum", "", "received_online", True),
            ("1.2", "Tiếp nhận trực tiếp", "hồ sơ", "integer", "sum", "", "received_counter", True),
            (
                "1.3",
                "Tiếp nhận qua dịch vụ bưu chính công ích",
                "hồ sơ",
                "integer",
                "sum",
                "",
                "received_post",
                True,
            ),
            ("2", "Số hồ sơ kỳ trước chuyển sang", "hồ sơ", "integer", "sum", "", "carried_over", True),
            ("3", "Số hồ sơ đã giải quyết", "hồ sơ", "integer", "sum", "", "resolved", True),
            (
                "3.1",
                "Giải quyết trước hạn, đúng hạn",
                "hồ sơ",
                "integer",
                "sum",
                "",
                "resolved_on_time",
                True,
            ),
            ("3.2", "Giải quyết quá hạn", "hồ sơ", "integer", "sum", "", "resolved_late", True),
            ("4", "Số hồ sơ đang giải quyết", "hồ sơ", "integer", "sum", "", "pending", True),
            ("4.1", "Đang giải quyết trong hạn", "hồ sơ", "integer", "sum", "", "pending_on_schedule", True),
            ("4.2", "Đang giải quyết quá hạn", "hồ sơ", "integer", "sum", "", "pending_overdue", True),
            (
                "5",
                "Tỷ lệ hồ sơ giải quyết đúng hạn",
                "%",
                "percent",
                "weighted_average",
                "3",
                "on_time_rate",
                False,
            ),
            (
                "6",
                "Tỷ lệ hồ sơ tiếp nhận trực tuyến",
                "%",
                "percent",
                "weighted_average",
                "1",
                "online_share",
                False,
            ),
        ],
    ),
    (
        "Biểu 02",
        "Phản ánh, kiến nghị và đề xuất",
        [
            ("7", "Số phản ánh, kiến nghị về TTHC đã tiếp nhận", "lượt", "integer", "sum", "", "", True),
            (
                "8",
                "Mức độ hài lòng bình quân của người dân, doanh nghiệp",
                "%",
                "percent",
                "average",
                "",
                "",
                False,
            ),
            ("9", "Số ngày chậm nhất của hồ sơ quá hạn", "ngày", "decimal", "max", "", "", False),
            ("10", "Khó khăn, vướng mắc và kiến nghị", "", "text", "none", "", "", False),
        ],
    ),
]

CONTROL_FORMS: list[tuple[str, str, list[tuple[str, str, str, str, str, str, str, bool]]]] = [
    (
        "Biểu 01",
        "Kết quả kiểm soát thủ tục hành chính",
        [
            (
                "1",
                "Số TTHC được công bố, sửa đổi, bãi bỏ trong kỳ",
                "thủ tục",
                "integer",
                "sum",
                "",
                "",
                True,
            ),
            ("2", "Số TTHC được rà soát, đánh giá", "thủ tục", "integer", "sum", "", "", True),
            ("3", "Số TTHC đề xuất đơn giản hóa", "thủ tục", "integer", "sum", "", "", True),
            (
                "4",
                "Tỷ lệ TTHC cung cấp dịch vụ công trực tuyến toàn trình",
                "%",
                "percent",
                "average",
                "",
                "",
                True,
            ),
            (
                "5",
                "Chi phí tuân thủ tiết kiệm được (ước tính)",
                "triệu đồng",
                "decimal",
                "sum",
                "",
                "",
                False,
            ),
            ("6", "Ghi chú", "", "text", "none", "", "", False),
        ],
    ),
]


def define(
    *,
    code: str,
    name: str,
    legal_basis: str,
    periodicity: str,
    receiving_unit: OrgUnit,
    units: list[OrgUnit],
    first_period_from: date,
    forms: list[tuple[str, str, list[tuple[str, str, str, str, str, str, str, bool]]]],
    prefill: str = "",
    cutoff_rule: str = "",
    deadline_working_days: int | None = None,
) -> ReportDefinition:
    """A definition with its forms and indicators (used by the demo and the tests)."""
    definition = ReportDefinition.objects.create(
        code=code,
        name=name,
        legal_basis=legal_basis,
        periodicity=periodicity,
        receiving_unit=receiving_unit,
        first_period_from=first_period_from,
        prefill=prefill,
        cutoff_rule=cutoff_rule,
        deadline_working_days=deadline_working_days,
    )
    definition.reporting_units.set(units)
    by_code: dict[str, Indicator] = {}
    for f_pos, (f_code, f_name, rows) in enumerate(forms, start=1):
        form = DataForm.objects.create(definition=definition, position=f_pos, code=f_code, name=f_name)
        for pos, (i_code, i_name, uom, kind, how, weight, key, required) in enumerate(rows, start=1):
            by_code[i_code] = Indicator.objects.create(
                definition=definition,
                form=form,
                position=pos,
                code=i_code,
                name=i_name,
                unit_of_measure=uom,
                value_type=kind,
                aggregation=how,
                weight=by_code[weight] if weight else None,
                prefill_key=key,
                required=required,
            )
    return definition


def one_stop_monthly(
    receiving_unit: OrgUnit, units: list[OrgUnit], first: date, **extra: Any
) -> ReportDefinition:
    return define(
        code=extra.pop("code", MONTHLY),
        name="Báo cáo tình hình, kết quả giải quyết thủ tục hành chính",
        legal_basis="NĐ 61/2018/NĐ-CP; TT 01/2018/TT-VPCP Điều 11; NĐ 09/2019/NĐ-CP",
        periodicity="month",
        receiving_unit=receiving_unit,
        units=units,
        first_period_from=first,
        forms=ONE_STOP_FORMS,
        prefill="one_stop",
        **extra,
    )


def quarterly_control(receiving_unit: OrgUnit, units: list[OrgUnit], first: date) -> ReportDefinition:
    return define(
        code=QUARTERLY,
        name="Báo cáo công tác kiểm soát thủ tục hành chính",
        legal_basis="NĐ 63/2010/NĐ-CP; NĐ 09/2019/NĐ-CP (biểu mẫu do hệ thống dựng, chưa đối chiếu)",
        periodicity="quarter",
        receiving_unit=receiving_unit,
        units=units,
        first_period_from=first,
        forms=CONTROL_FORMS,
    )


def _at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=TZ)


def _prefilled(period: ReportPeriod, unit: OrgUnit, extra: dict[str, Any]) -> dict[str, Any]:
    return {**prefill_values(period, unit), **extra}


def load_reporting_demo(say: Callable[[str], None], today: date | None = None) -> None:
    if ReportDefinition.objects.filter(code__in=[MONTHLY, QUARTERLY]).exists():
        say("  chế độ báo cáo đã có, bỏ qua")
        return
    units = {u.code: u for u in OrgUnit.objects.filter(valid_to__isnull=True)}
    office = units.get("hp-vp")
    if office is None:
        say("  không có Văn phòng UBND (hp-vp), bỏ qua chế độ báo cáo")
        return
    day = today or timezone.localdate()
    one_stop_units = [u for u in units.values() if u.is_one_stop and u.kind != OrgUnit.Kind.SERVICE_CENTRE]
    departments = [u for u in units.values() if u.kind == OrgUnit.Kind.DEPARTMENT]
    first_month = (day.replace(day=1) - timedelta(days=140)).replace(day=1)
    staff = {u.username: u for u in User.objects.filter(username__in=_ACTORS.values())}
    with acting_as(None, label="nạp dữ liệu trình diễn"), transaction.atomic():
        monthly = one_stop_monthly(office, one_stop_units, first_month)
        quarterly = quarterly_control(office, departments, (day - timedelta(days=200)))
        created = services.generate_periods(day)
    say(f"  2 chế độ báo cáo, {created} kỳ báo cáo")
    supervisor = User.objects.filter(username="giamsat").first()
    if supervisor is None:
        return
    closed = list(ReportPeriod.objects.filter(definition=monthly, deadline__lt=day).order_by("-end")[:2])
    if len(closed) == 2:
        last, before = closed
        for code in ("x10507", "x10525", "x11359", "x11914", "hp-stp", "hp-stc", "hp-sxd", "hp-ca"):
            _send(staff, code, units, before, supervisor, accept=True, extra=_manual(code))
        _send(staff, "x10507", units, last, supervisor, accept=True, extra=_manual("x10507"))
        _send(staff, "hp-stp", units, last, supervisor, accept=True, extra=_manual("hp-stp"))
        _send(staff, "x10525", units, last, supervisor, accept=False, extra=_manual("x10525"))
        returned = _send(staff, "x11359", units, last, supervisor, accept=False, extra=_manual("x11359"))
        if returned is not None:
            with acting_as(supervisor):
                services.return_for_correction(
                    supervisor,
                    returned,
                    "Chỉ tiêu 3 chưa khớp: số hồ sơ đã giải quyết phải bằng 3.1 cộng 3.2. "
                    "Đề nghị rà soát, gửi lại.",
                    now=_at(last.deadline, 15),
                )
    quarter = ReportPeriod.objects.filter(definition=quarterly, deadline__lt=day).order_by("-end").first()
    if quarter is not None:
        for code, figures in (("hp-stp", (12, 30, 4, "62.5")), ("hp-stc", (25, 41, 7, "48"))):
            extra = {"1": figures[0], "2": figures[1], "3": figures[2], "4": figures[3], "5": "120.5"}
            _send(staff, code, units, quarter, supervisor, accept=True, extra=extra, prefill=False)
    say("  báo cáo của các đơn vị: đã gửi, đã tiếp nhận, trả lại, quá hạn")


_ACTORS = {
    "x10507": "thanhdong.motcua",
    "x10525": "haiduong.motcua",
    "x11359": "giavien.motcua",
    "x11914": "cathai.motcua",
    "hp-stp": "stp.chuyenvien1",
    "hp-stc": "stc.chuyenvien",
    "hp-sxd": "sxd.chuyenvien",
    "hp-ca": "ca.chuyenvien",
}


def _manual(code: str) -> dict[str, Any]:
    n = sum(ord(c) for c in code)
    return {"7": n % 9, "8": str(85 + n % 12), "9": str(n % 5) if n % 5 else None, "10": ""}


def _send(
    staff: dict[str, User],
    code: str,
    units: dict[str, OrgUnit],
    period: ReportPeriod,
    supervisor: User,
    *,
    accept: bool,
    extra: dict[str, Any],
    prefill: bool = True,
) -> Any:
    user = staff.get(_ACTORS[code])
    unit = units.get(code)
    if user is None or unit is None:
        return None
    values = _prefilled(period, unit, extra) if prefill else extra
    auto = {k: v for k, v in values.items() if k not in extra} if prefill else {}
    with acting_as(user):
        submission = services.save_report(
            user, period, unit, values, submit=True, sign=True, auto_filled=auto, now=_at(period.deadline, 9)
        )
    if accept:
        with acting_as(supervisor):
            submission = services.accept(supervisor, submission, now=_at(period.deadline, 14))
    return submission
