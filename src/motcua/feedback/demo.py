"""A year of demo ratings, recorded through ``services.rate`` on the demo's returned dossiers.

About three in five returned dossiers are rated: at the counter's tablet minutes after the return,
online within days, or on a paper form that the one-stop officer enters the same or the next day. Most
citizens are satisfied; a late dossier much less often. The heads of the units have reviewed most
"not satisfied" ratings older than two weeks; the recent ones wait in their list. The choices are drawn
from a hash of the dossier's code, so every run gives the same ratings; a dossier already rated is
left as it is (the loader can run again).
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from datetime import datetime, timedelta

from django.utils import timezone

from motcua.core.models import Role, RoleAssignment, User
from motcua.dossiers.models import Dossier
from motcua.dossiers.rules import State
from motcua.feedback import services
from motcua.feedback.models import Channel, Kiosk, Rating

RATED_SHARE = 0.6
REASONS = (
    "Phải đi lại nhiều lần để bổ sung giấy tờ, mỗi lần được hướng dẫn một kiểu.",
    "Trả kết quả muộn so với giấy hẹn mà không được báo trước.",
    "Cán bộ hướng dẫn chưa rõ ràng, thái độ chưa niềm nở.",
    "Phải nộp lại bản sao giấy tờ mà cơ quan nhà nước đã có.",
    "Chờ ở quầy quá lâu, không có số thứ tự.",
    "Không biết hồ sơ đang ở đâu, gọi điện không ai nghe máy.",
)
COMMENTS = (
    "Cán bộ hướng dẫn tận tình.",
    "Nhanh hơn tôi nghĩ, cảm ơn.",
    "Nên có thêm chỗ ngồi chờ.",
    "Nộp trực tuyến tiện, không phải đi lại.",
    "",
    "",
    "",
)
REVIEWS = (
    "Đã liên hệ xin lỗi công dân; nhắc nhở cán bộ và rà soát hướng dẫn thành phần hồ sơ.",
    "Đã kiểm tra: hồ sơ trễ do chờ ý kiến đơn vị phối hợp; đã gửi thư xin lỗi và đôn đốc đơn vị.",
    "Đã trao đổi với công dân qua điện thoại; bổ sung bảng hướng dẫn tại quầy.",
)
KIOSKS = {"x10507": ("Quầy số 1", "Quầy số 2"), "hp-ttpvhcc": ("Quầy tiếp nhận 1",)}


def _rng(code: str) -> random.Random:
    return random.Random(int(hashlib.sha256(f"rating:{code}".encode()).hexdigest()[:16], 16))


def _intake_officer(unit_id: int) -> User | None:
    holder = (
        RoleAssignment.objects.filter(role=Role.INTAKE_OFFICER, unit_id=unit_id)
        .order_by("user__username")
        .values_list("user_id", flat=True)
        .first()
    )
    return User.objects.filter(pk=holder).first() if holder else None


def _answers(rng: random.Random, satisfied: bool) -> dict[str, str]:
    codes = [item.code for item in services.items()]
    weights = (80, 17, 3) if satisfied else (20, 35, 45)
    levels = [level.code for level in services.scale()]
    answered = codes[:6] + [c for c in codes[6:] if rng.random() < 0.3]  # g, h, i only sometimes
    return {code: rng.choices(levels, weights=weights)[0] for code in answered}


def _kiosks() -> None:
    from motcua.core.models import OrgUnit

    admin = User.objects.filter(username="quantri").first()
    for code, names in KIOSKS.items():
        unit = OrgUnit.objects.filter(code=code).first()
        if unit is None or admin is None:
            continue
        for name in names:
            if not Kiosk.objects.filter(unit=unit, name=name, revoked_at__isnull=True).exists():
                services.create_kiosk(unit, name, by=admin)


def load_feedback_demo(say: Callable[[str], None]) -> str:
    _kiosks()
    now = timezone.now()
    done = set(Rating.objects.values_list("dossier_id", flat=True))
    returned = (
        Dossier.objects.filter(state=State.RETURNED, returned_at__isnull=False)
        .exclude(pk__in=done)
        .order_by("code")
    )
    officers: dict[int, User | None] = {}
    made = unhappy = 0
    for dossier in returned.iterator(chunk_size=500):
        rng = _rng(dossier.code)
        if rng.random() >= RATED_SHARE:
            continue
        late = (
            dossier.due_at is not None
            and dossier.finished_at is not None
            and dossier.finished_at > (dossier.promised_at or dossier.due_at)
        )
        satisfied = rng.random() >= (0.35 if late else 0.04)
        channel = rng.choices([Channel.KIOSK, Channel.ONLINE, Channel.PAPER], weights=(35, 40, 25))[0]
        assert dossier.returned_at is not None
        delay = {
            Channel.KIOSK: timedelta(minutes=rng.randint(1, 4)),
            Channel.ONLINE: timedelta(hours=rng.randint(2, 120)),
            Channel.PAPER: timedelta(hours=rng.randint(1, 26)),
        }[channel]
        at: datetime = min(dossier.returned_at + delay, now)
        if dossier.receiving_unit_id not in officers:
            officers[dossier.receiving_unit_id] = _intake_officer(dossier.receiving_unit_id)
        rating = services.rate(
            dossier,
            satisfied=satisfied,
            answers=_answers(rng, satisfied),
            reason="" if satisfied else rng.choice(REASONS),
            comment=rng.choice(COMMENTS) if satisfied else "",
            channel=channel,
            entered_by=officers[dossier.receiving_unit_id] if channel == Channel.PAPER else None,
            at=at,
            tell_heads=False,
        )
        made += 1
        if not satisfied:
            unhappy += 1
            if at < now - timedelta(days=14) and rng.random() < 0.75:
                heads = services.heads_of(rating.unit)
                if heads:
                    when = at + timedelta(days=rng.randint(1, 6))
                    services.review(rating, by=heads[0], note=rng.choice(REVIEWS), at=when)
    summary = f"{made} đánh giá mới ({unhappy} không hài lòng)"
    say(f"  {summary}")
    return summary


# -- a year of feedback and complaints (PAKN) --------------------------------------------------------

PAKN_TOPICS = (
    (
        "quy_dinh",
        "Phải nộp bản sao giấy khai sinh đã có trên hệ thống",
        "Khi làm thủ tục đăng ký kết hôn tại quầy một cửa, tôi được yêu cầu nộp bản sao giấy khai sinh dù "
        "thông tin đã có trong cơ sở dữ liệu dân cư.",
        "Theo quy định, cơ quan không được yêu cầu công dân nộp giấy tờ đã có trong cơ sở dữ liệu. Phường "
        "đã chấn chỉnh cán bộ tiếp nhận và cập nhật hướng dẫn tại quầy.",
    ),
    (
        "hanh_vi",
        "Cán bộ tiếp nhận thiếu niềm nở",
        "Sáng thứ Ba tôi đến nộp hồ sơ chứng thực, cán bộ ở quầy số 2 trả lời cộc lốc và không hướng dẫn "
        "cách điền tờ khai.",
        "Lãnh đạo đơn vị đã làm việc với cán bộ, nhắc nhở về thái độ phục vụ và xin lỗi ông/bà.",
    ),
    (
        "quy_dinh",
        "Lệ phí chứng thực nộp trực tuyến",
        "Tôi muốn biết lệ phí chứng thực bản sao khi nộp trực tuyến có được giảm không và thanh toán "
        "thế nào.",
        "Lệ phí chứng thực bản sao từ bản chính là 2.000 đồng/trang; thanh toán trực tuyến qua Cổng dịch vụ "
        "công khi nộp hồ sơ.",
    ),
    (
        "khac",
        "Đề nghị bố trí thêm chỗ ngồi chờ",
        "Khu vực chờ của Bộ phận một cửa thường xuyên quá tải vào buổi sáng thứ Hai, người cao tuổi phải "
        "đứng.",
        "Đơn vị đã bổ sung 20 ghế chờ và bố trí máy lấy số thứ tự từ tháng này.",
    ),
    (
        "quy_dinh",
        "Thời hạn cấp giấy phép xây dựng",
        "Hồ sơ cấp phép xây dựng nhà ở riêng lẻ của tôi đã quá 15 ngày mà chưa có kết quả, không ai "
        "thông báo.",
        "Hồ sơ phải lấy ý kiến đơn vị phối hợp; đơn vị đã gửi thư xin lỗi, hẹn ngày trả mới và trả kết quả.",
    ),
)


def _handler(unit_id: int) -> User | None:
    return _intake_officer(unit_id)


def load_pakn_demo(say: Callable[[str], None]) -> str:
    """About thirty PAKN over the year through ``feedback.pakn``: most answered and published in time,
    some late, a few still open, one transferred to the department of justice; votes on the answers."""
    from motcua.core.models import OrgUnit
    from motcua.feedback import pakn
    from motcua.feedback.models import Pakn

    if Pakn.objects.exists():
        return "đã có"
    counters = OrgUnit.objects.filter(is_one_stop=True, valid_to__isnull=True).order_by("code")
    wards = [u for u in counters if _handler(u.pk) is not None][:6]  # counters with a one-stop officer
    justice = OrgUnit.objects.filter(code="hp-stp").first()
    rng = random.Random(20261208)
    now = timezone.now()
    made = 0
    for n in range(30):
        subject, title, content, reply = PAKN_TOPICS[(n * 7) % len(PAKN_TOPICS)]  # every topic at each unit
        unit = wards[n % len(wards)]
        officer = _handler(unit.pk)
        if officer is None:
            continue
        at = now - timedelta(days=360 - n * 12, hours=rng.randint(0, 6))
        item = pakn.submit(
            subject=subject,
            title=title,
            content=content,
            unit=unit,
            sender=pakn.Sender(name=f"Người dân {n + 1}", email=f"nguoidan{n + 1}@example.vn"),
            at=at,
        )
        made += 1
        if n % 10 == 7 and justice is not None:
            head = services.heads_of(justice)
            item = pakn.transfer(
                item, justice, by=officer, note="Thuộc lĩnh vực tư pháp", at=at + timedelta(days=1)
            )
            officer = head[0] if head else None
            if officer is None:
                continue
        if at > now - timedelta(days=10):
            continue  # recent ones are still being handled
        days = rng.choice((3, 5, 8, 12, 20))  # most within the limit, some late
        item = pakn.answer(item, by=officer, text=reply, at=at + timedelta(days=days))
        item = pakn.publish(item, by=officer, at=at + timedelta(days=days + 1))
        for v in range(rng.randint(0, 6)):
            pakn.vote(item, f"demo:{n}:{v}", 1 if rng.random() < 0.8 else -1)
    summary = f"{made} phản ánh, kiến nghị"
    say(f"  {summary}")
    return summary
