"""The demo's default indicator set (a demo step, registered by ``DashboardConfig.ready``); idempotent."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.utils import timezone

from motcua.dashboard import services
from motcua.dashboard.models import Indicator, IndicatorValue

S = Indicator.Source
LOWER = Indicator.Direction.LOWER
EXAMPLE = "Ví dụ (mục tiêu minh họa, chưa có văn bản giao)"

# code, name, unit, source, key, target, direction, basis, public
DEFAULTS: list[tuple[str, str, str, str, str, str | None, str, str, bool]] = [
    (
        "ho-so-dung-han",
        "Tỷ lệ hồ sơ giải quyết đúng hạn",
        "%",
        S.DOSSIERS,
        "on_time_rate",
        "95",
        "higher",
        EXAMPLE,
        True,
    ),
    (
        "ho-so-truc-tuyen",
        "Tỷ lệ hồ sơ trực tuyến",
        "%",
        S.DOSSIERS,
        "online_share",
        "50",
        "higher",
        EXAMPLE,
        True,
    ),
    ("ho-so-tiep-nhan", "Số hồ sơ tiếp nhận", "hồ sơ", S.DOSSIERS, "received", None, "higher", "", True),
    ("diem-766", "Điểm Bộ chỉ số 766", "điểm", S.INDEX766, "points", "80", "higher", EXAMPLE, True),
    ("nhiem-vu-qua-han", "Nhiệm vụ quá hạn", "nhiệm vụ", S.DIRECTIVES, "overdue", "0", LOWER, EXAMPLE, False),
    (
        "nhiem-vu-dung-han",
        "Tỷ lệ nhiệm vụ hoàn thành đúng hạn",
        "%",
        S.DIRECTIVES,
        "on_time_share",
        "90",
        "higher",
        EXAMPLE,
        False,
    ),
    (
        "bao-cao-tiep-nhan",
        "Hồ sơ tiếp nhận theo báo cáo tháng",
        "hồ sơ",
        S.REPORTING,
        "BC-TTHC-THANG:1",
        None,
        "higher",
        "",
        False,
    ),
    (
        "so-hoa-ket-qua",
        "Tỷ lệ kết quả giải quyết TTHC được số hóa",
        "%",
        S.MANUAL,
        "",
        "100",
        "higher",
        "Kế hoạch 3327/KH-UBND năm 2022: 100% hồ sơ, kết quả giải quyết TTHC được số hóa",
        False,
    ),
]


def load_dashboard_demo(say: Callable[[str], None]) -> None:
    say("Nạp bộ chỉ số điều hành và tính giá trị 12 tháng…")
    for position, (code, name, uom, source, key, target, direction, basis, public) in enumerate(DEFAULTS, 1):
        Indicator.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "unit_of_measure": uom,
                "source": source,
                "source_key": key,
                "target": Decimal(target) if target is not None else None,
                "direction": direction,
                "target_basis": basis,
                "public": public,
                "position": position,
            },
        )
    manual = Indicator.objects.get(code="so-hoa-ket-qua")
    today = timezone.localdate()
    for i, month in enumerate(services.last_months(today, 6)):
        IndicatorValue.objects.get_or_create(
            indicator=manual,
            month=month,
            unit=None,
            defaults={"value": Decimal(82 + 3 * i), "note": "Văn phòng UBND tổng hợp (số liệu trình diễn)"},
        )
    stored = services.refresh_recent(today, 12)
    say(f"  {len(DEFAULTS)} chỉ số, {stored} giá trị")
