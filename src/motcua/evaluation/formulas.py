"""The QĐ 766 formulas — pure Python, no Django: plain records in, indicator results out.

The database is read by ``evaluation/selectors.py`` into the frozen records below (``DossierFacts``,
``VersionFacts``); ``evaluate`` folds them into an ``Index766Result`` in one pass; ``judge_dossier`` /
``judge_procedure`` and ``explain`` give the drill-down of one indicator (which dossiers or procedures
count against it, and why). Formulas, sources and assumptions: docs/rules.md §8 and domain.md §3.

Conventions:

- A period is a range of local dates (Asia/Ho_Chi_Minh), both ends included: it starts at 00:00:00 on
  its first day and ends at 23:59:59 on its last (``Period``).
- "Received in the period" (``NgayTiepNhan`` in the period) is the population of every dossier
  indicator except 2.1, which has its own (received on or before the last day and not ended before
  the first).
- The rate is a percentage rounded half-up to 2 decimals, ``None`` when the denominator is 0. Points
  follow the saturation rule of domain.md §3.2 on the exact (unrounded) rate, then are rounded half-up
  to 2 decimals; a group's points are the sum of its indicators' rounded points.
- Inputs held only by other systems are ``missing`` (0 points, never invented); formulas that are not
  in the sources are flagged ``assumed`` with the assumption spelled out.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any, NamedTuple

from motcua.core.text import fold
from motcua.dossiers import timeliness
from motcua.dossiers.timeliness import Basis
from motcua.evaluation.weights import IndicatorWeight, Weights
from motcua.workdays.domain import (
    TZ,
    Calendar,
    CalendarError,
    LimitUnit,
    compute_due,
    to_local,
    working_seconds_between,
)

# National status codes (TrangThaiHoSo, domain.md §6.1).
NOT_RECEIVED = frozenset({1, 3})  # Mới đăng ký; Không được tiếp nhận (never counts: domain.md §0)
COMPLETED = frozenset({9, 10})  # Đã xử lý xong; Đã trả kết quả
STOPPED = frozenset({7, 8})  # Công dân rút; Dừng xử lý (also "Từ chối giải quyết", rules.NATIONAL_STATUS)
ONLINE = 2  # KenhThucHien
PAID_ONLINE = frozenset({1, 2})  # DuocThanhToanTrucTuyen: 1 on DVCQG, 2 through the local gateway

ONE = Decimal("0.01")


# -- period ----------------------------------------------------------------------------------------

_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


@dataclass(frozen=True)
class Period:
    """Local dates ``start``..``end``, both included.

    The bounds are kept as UTC instants: the database gives UTC datetimes, and comparing two datetimes
    with the same ``tzinfo`` skips the offset arithmetic (the index compares millions of them).
    """

    start: date
    end: date
    start_at: datetime = field(init=False, repr=False, compare=False)
    end_at: datetime = field(init=False, repr=False, compare=False)  # 23:59:59 local on the last day
    end_exclusive: datetime = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(
                f"Kỳ đánh giá không hợp lệ: ngày cuối ({self.end:%d/%m/%Y}) trước ngày đầu "
                f"({self.start:%d/%m/%Y})."
            )
        local = {
            "start_at": datetime.combine(self.start, time(0, 0), tzinfo=TZ),
            # F766 2.1: a dossier still open ends at the last day of the period (23:59:59 local)
            "end_at": datetime.combine(self.end, time(23, 59, 59), tzinfo=TZ),
            "end_exclusive": datetime.combine(self.end + timedelta(days=1), time(0, 0), tzinfo=TZ),
        }
        for name, moment in local.items():
            object.__setattr__(self, name, moment.astimezone(UTC))

    def received_in(self, moment: datetime | None) -> bool:
        return moment is not None and self.start_at <= moment < self.end_exclusive

    # The period kinds of F766 (month, quarter, 6 and 9 months, year); any other range is custom.
    @classmethod
    def month(cls, year: int, month: int) -> Period:
        following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
        return cls(date(year, month, 1), following - timedelta(days=1))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        return cls(date(year, 3 * quarter - 2, 1), cls.month(year, 3 * quarter).end)

    @classmethod
    def first_months(cls, year: int, months: int) -> Period:
        """The first 6 or 9 months of a year (báo cáo 6 tháng, 9 tháng)."""
        return cls(date(year, 1, 1), cls.month(year, months).end)

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(date(year, 1, 1), date(year, 12, 31))

    @property
    def label(self) -> str:
        s, e = self.start, self.end
        whole_months = s.day == 1 and e == Period.month(e.year, e.month).end and s.year == e.year
        if whole_months:
            if s.month == e.month:
                return f"Tháng {s.month}/{s.year}"
            if (s.month, e.month) == (1, 12):
                return f"Năm {s.year}"
            if (s.month, e.month) == (1, 6):
                return f"6 tháng đầu năm {s.year}"
            if (s.month, e.month) == (1, 9):
                return f"9 tháng năm {s.year}"
            if e.month - s.month == 2 and s.month % 3 == 1:
                return f"Quý {_ROMAN[(s.month + 2) // 3]}/{s.year}"
        return f"Từ {s:%d/%m/%Y} đến {e:%d/%m/%Y}"


# -- records -----------------------------------------------------------------------------------------


# A supplement request: (requested_at, received_at — None while waiting, due_before — the statutory due
# in force when requested, NgayHenTraTruoc). The verdict module's own record, so facts pass straight in.
SupplementFacts = timeliness.Wait


class DossierFacts(NamedTuple):
    """What the indicators need of one dossier (projection columns, 766 inputs, aggregated rows).

    A named tuple rather than a frozen dataclass: a province-year builds a quarter of a million of
    them, and a tuple is built about ten times faster.

    Rows read only for 2.1 (received before the period) leave the received-in-period facts at their
    defaults.
    """

    id: int
    code: str
    procedure_id: int
    version_id: int
    unit_id: int  # the competent (processing) unit
    national_status: int
    received_at: datetime | None
    due_at: datetime | None  # the statutory due in force (restarted by supplements, never by an apology)
    finished_at: datetime | None  # first ending event: Đã xử lý xong, or stop / refusal / withdrawal
    returned_at: datetime | None = None
    time_limit_value: Decimal | None = None  # ThoiGianGiaiQuyet as recorded on the dossier
    time_limit_unit: str = ""  # DonViTinh as recorded
    supplements: tuple[SupplementFacts, ...] = ()
    channel: int = 1
    citizen: bool = False  # the applicant is a person (not an organisation)
    paid_online: bool = False
    online_payment: int | None = None  # DuocThanhToanTrucTuyen
    result_code: bool = False  # MaKetQua given
    result_file: bool = False  # DuongDanTepTinKetQua given
    has_digitised_components: bool | None = None  # HoSoCoThanhPhanSoHoa
    vneid_authenticated: bool | None = None  # TaiKhoanDuocXacThucVoiVNeID
    population_db: bool = False  # MaCSDL given
    imported: bool = False  # written by ``motcua dossiers import`` (a DongBoHoSoMC record)
    sync_status: str = ""  # best outbox status of its DongBoHoSoMC messages: delivered/pending/dead/""
    components_digitised: bool = False  # some TaiLieuNop[].DuocSoHoa = 1
    components_with_file: bool = False  # some component has a stored file
    components_reused: bool = False  # some TaiLieuNop[].DuocLayTuKhoDMQG = 1
    fee_rows: int = 0  # DanhSachLePhi items
    fee_positive: bool = False  # some item with Gia > 0

    @property
    def completed(self) -> bool:
        return self.national_status in COMPLETED

    @property
    def online_paid(self) -> bool:
        if self.online_payment is not None:
            return self.online_payment in PAID_ONLINE
        return self.paid_online


SEVEN_COMPONENTS: tuple[tuple[str, str], ...] = (
    ("name", "tên thủ tục"),
    ("sequence", "trình tự thực hiện"),
    ("method", "cách thức thực hiện"),
    ("components", "thành phần, số lượng hồ sơ"),
    ("time_limit", "thời hạn giải quyết"),
    ("target_groups", "đối tượng thực hiện"),
    ("agency", "cơ quan thực hiện"),
)


@dataclass(frozen=True, slots=True)
class VersionFacts:
    """A procedure version (TTHC as published): what the procedure-level indicators read."""

    id: int
    procedure_id: int
    procedure_code: str
    name: str
    online_level: str  # full / partial / none
    paper_result_required: bool
    has_fee: bool  # the catalogue lists a fee that is not zero (financial obligation)
    target_groups: tuple[str, ...] = ()
    time_limit_value: Decimal = Decimal(0)
    time_limit_unit: str = "working_days"
    # The seven components of a complete publication (NĐ 63/2010 Điều 8.2; F766 1.3) that are filled.
    filled: frozenset[str] = frozenset()

    @property
    def missing_components(self) -> tuple[str, ...]:
        return tuple(label for key, label in SEVEN_COMPONENTS if key not in self.filled)

    @property
    def individuals(self) -> bool | None:
        """Whether the target groups include individuals; None when no target group is recorded."""
        if not self.target_groups:
            return None
        words = ("cong dan", "ca nhan", "nguoi viet nam", "nguoi nuoc ngoai", "nguoi dan")
        return any(w in fold(g) for g in self.target_groups for w in words)


@dataclass(frozen=True)
class Scope:
    """Who the index is computed for (labels only; the reading is done by the selectors)."""

    unit_code: str = ""
    unit_name: str = ""
    procedure_code: str = ""
    procedure_name: str = ""

    @property
    def label(self) -> str:
        parts = [self.unit_name or "Toàn tỉnh"]
        if self.procedure_code:
            parts.append(f"thủ tục {self.procedure_code} {self.procedure_name}".strip())
        return " · ".join(parts)


CalendarFor = Callable[[int], Calendar]  # competent unit id → its calendar


# -- the on-time rule (2.1) ----------------------------------------------------------------------------


class OnTime(NamedTuple):
    """The verdict of F766 2.1 on one dossier for one period."""

    counted: bool  # in the denominator
    on_time: bool
    reason: str  # a code of REASONS
    end: datetime | None = None  # the end moment (terminal state, supplement request, or period end)
    effective_end: datetime | None = None  # end − supplement time
    due: datetime | None = None  # what was compared with: NgayHenTra, else the legal limit's due moment
    legal_due: bool = False  # ``due`` comes from the legal limit (no NgayHenTra)
    supplement_seconds: int = 0
    supplement_requests: int = 0
    ended: bool = False  # reached a terminal state by the end of the period
    waiting: bool = False  # waiting for the citizen's supplement at the end of the period


def terminal_moment(d: DossierFacts) -> datetime | None:
    """When the dossier reached its terminal state, by F766's priority.

    Đã xử lý xong (9) > Đã trả kết quả (10) > Dừng / Từ chối / Công dân rút (8, 7). The projection's
    ``finished_at`` is the first of mark_result_ready (→ 9), stop, refusal after appraisal (→ 8) and
    withdrawal (→ 7): a returned dossier always passed through 9 first, and nothing leads from 7 or 8
    to 9, so for a dossier now in 9/10 it is the moment of 9 (``returned_at`` only if it is missing),
    and for one in 7/8 the first of those moments. Events are not read: ``import_update`` events carry
    their dates in their data, which the projection already applied.
    """
    status = d.national_status
    if status in COMPLETED:
        return d.finished_at or d.returned_at
    if status in STOPPED:
        return d.finished_at
    return None


_UNIT_WORDS: dict[str, LimitUnit] = {
    "working days": LimitUnit.WORKING_DAYS,
    "ngay lam viec": LimitUnit.WORKING_DAYS,
    "working hours": LimitUnit.WORKING_HOURS,
    "gio lam viec": LimitUnit.WORKING_HOURS,
    "gio": LimitUnit.WORKING_HOURS,
    "calendar days": LimitUnit.CALENDAR_DAYS,
    "ngay": LimitUnit.CALENDAR_DAYS,
    "ngay theo lich": LimitUnit.CALENDAR_DAYS,
    "calendar months": LimitUnit.CALENDAR_MONTHS,
    "thang": LimitUnit.CALENDAR_MONTHS,
    "same day": LimitUnit.SAME_DAY,
    "trong ngay": LimitUnit.SAME_DAY,
}


def limit_unit(text: str) -> LimitUnit | None:
    """A recorded ``DonViTinh`` (motcua's unit names or the Vietnamese words) as a LimitUnit."""
    return _UNIT_WORDS.get(fold(text or ""))


def legal_limit(d: DossierFacts, version: VersionFacts | None) -> tuple[Decimal, LimitUnit] | None:
    """The legal time limit: as recorded on the dossier (ThoiGianGiaiQuyet/DonViTinh), else the version's."""
    unit = limit_unit(d.time_limit_unit)
    if d.time_limit_value is not None and unit is not None:
        return d.time_limit_value, unit
    if version is not None:
        unit = limit_unit(version.time_limit_unit)
        if unit is not None:
            return version.time_limit_value, unit
    return None


def legal_due(d: DossierFacts, version: VersionFacts | None, calendar_for: CalendarFor) -> datetime | None:
    """Due moment of the legal limit counted from receipt on the competent unit's calendar.

    F766: without a due date the dossier is on time if (end − start − supplement time) ≤ the legal
    maximum. Counting the limit forward from the receipt with the deadline engine and comparing
    (end − supplement time) with the resulting moment is the same test under motcua's working-day
    conventions (cut-off, office hours, holidays).
    """
    limit = legal_limit(d, version)
    if limit is None or d.received_at is None:
        return None
    try:
        return compute_due(calendar_for(d.unit_id), d.received_at, limit[0], limit[1]).due
    except CalendarError:
        return None


def on_time(
    d: DossierFacts,
    period: Period,
    version: VersionFacts | None,
    calendar_for: CalendarFor,
    basis: Basis = Basis.NATIONAL,
) -> OnTime:
    """F766 2.1 for one dossier, as of the end of ``period`` (domain.md §3.2): ``timeliness.judge``.

    - Only received dossiers count; received after the period, or ended before it: not counted.
    - The verdict is ``dossiers.timeliness.judge`` with ``basis`` (rule ``timeliness.basis_766``; the
      national reading by default: the end minus the supplement wait, compared with the due in force
      before the first supplement request; more than one request is late). Without a due date, the
      legal limit counted from receipt.
    """
    received = d.received_at
    if received is None or d.national_status in NOT_RECEIVED:
        return OnTime(False, False, "not_received")
    if received >= period.end_exclusive:
        return OnTime(False, False, "received_after_period")
    t = timeliness.judge(history(d, version, calendar_for, basis), basis, period.end_at)
    if t.end < period.start_at:
        return OnTime(False, False, "ended_before_period", end=t.end, ended=t.ended)
    return OnTime(
        True,
        t.on_time,
        t.reason.value,
        t.end,
        t.effective_end,
        t.compared_due,
        t.from_limit,
        t.credited_seconds,
        t.requests,
        t.ended,
        t.waiting,
    )


def history(
    d: DossierFacts, version: VersionFacts | None, calendar_for: CalendarFor, basis: Basis
) -> timeliness.History:
    """The ``timeliness.History`` of one dossier's facts. The legal limit counted from receipt is
    computed only when the facts lack the due the basis compares with."""
    waits = d.supplements
    needs_fallback = d.due_at is None or (
        basis is Basis.NATIONAL
        and bool(waits)
        and waits[0].due_before is None
        and any(w.received_at is not None for w in waits)
    )
    fallback = legal_due(d, version, calendar_for) if needs_fallback else None
    return timeliness.History(
        d.due_at,
        terminal_moment(d),
        d.national_status in COMPLETED,
        waits,
        None,
        fallback,
        d.due_at is None,  # limit_due
    )


# -- reasons -----------------------------------------------------------------------------------------

# code → (Vietnamese label, counts for the indicator). Stable codes: the dashboard filters on them.
REASONS: dict[str, tuple[str, bool]] = {
    # 2.1
    "early": ("Xử lý xong trước hạn", True),
    "on_time": ("Xử lý xong đúng hạn (trong ngày hẹn trả)", True),
    "ended_in_time": ("Kết thúc (dừng xử lý, từ chối, công dân rút) trong hạn", True),
    "in_progress_in_time": ("Đang xử lý, chưa quá hạn tính đến cuối kỳ", True),
    "waiting_supplement_in_time": ("Đang chờ công dân bổ sung; yêu cầu bổ sung trước hạn", True),
    "no_due_within_limit": ("Không có ngày hẹn trả; trong thời hạn giải quyết theo quy định", True),
    "late": ("Xử lý xong quá hạn", False),
    "ended_late": ("Kết thúc (dừng xử lý, từ chối, công dân rút) sau hạn", False),
    "in_progress_overdue": ("Chưa xử lý xong, đã quá hạn tính đến cuối kỳ", False),
    "waiting_supplement_late": ("Đang chờ công dân bổ sung; yêu cầu bổ sung sau hạn", False),
    "supplement_requested_twice": ("Yêu cầu bổ sung hơn một lần (Cổng DVCQG tính là trễ hạn)", False),
    "no_due_over_limit": ("Không có ngày hẹn trả; vượt thời hạn giải quyết theo quy định", False),
    "no_due_no_limit": ("Không có ngày hẹn trả và không xác định được thời hạn giải quyết", False),
    # not counted in 2.1 (never in a drill-down)
    "not_received": ("Chưa được tiếp nhận (không tính)", False),
    "received_after_period": ("Tiếp nhận sau kỳ đánh giá (không tính)", False),
    "ended_before_period": ("Đã kết thúc trước kỳ đánh giá (không tính)", False),
    # 1.3
    "complete": ("Công khai đủ 7 bộ phận", True),
    "incomplete": ("Công khai thiếu bộ phận", False),
    # 1.4
    "synced": ("Đã đồng bộ lên Cổng DVCQG (thông điệp đồng bộ đã gửi thành công)", True),
    "synced_import": ("Nhập từ bản ghi đồng bộ hồ sơ (coi là đã đồng bộ)", True),
    "sync_pending": ("Chưa đồng bộ: thông điệp đồng bộ đang chờ gửi", False),
    "sync_failed": ("Chưa đồng bộ: gửi thông điệp đồng bộ bị lỗi", False),
    "not_synced": ("Chưa đồng bộ: không có thông điệp đồng bộ", False),
    # 3.TT, 3.3
    "online": ("Nộp trực tuyến", True),
    "not_online": ("Không nộp trực tuyến (trực tiếp hoặc bưu chính)", False),
    "no_electronic_result": ("Nộp trực tuyến nhưng thiếu kết quả điện tử (mã kết quả, tệp kết quả)", False),
    # 3.1, 3.2
    "online_full": ("Cung cấp DVCTT toàn trình", True),
    "online_partial": ("Cung cấp DVCTT một phần", True),
    "no_online_service": ("Không cung cấp DVCTT", False),
    "has_online_dossier": ("Có hồ sơ trực tuyến trong kỳ", True),
    "no_online_dossier": ("Không có hồ sơ trực tuyến nào trong kỳ", False),
    # 3.5, 3.5b, 3.6
    "fee_dossier": ("Có hồ sơ đồng bộ kèm phí, lệ phí khác 0 trong kỳ", True),
    "no_fee_dossier": ("Không có hồ sơ nào kèm phí, lệ phí khác 0 trong kỳ", False),
    "paid_online_dossier": ("Có hồ sơ thanh toán trực tuyến trong kỳ", True),
    "no_paid_online_dossier": ("Không có hồ sơ thanh toán trực tuyến nào trong kỳ", False),
    "paid_online": ("Thanh toán trực tuyến", True),
    "not_paid_online": ("Không thanh toán trực tuyến", False),
    # 4.x
    "result_file": ("Có tệp kết quả điện tử", True),
    "no_result_file": ("Không có tệp kết quả điện tử", False),
    "digitised": ("Thành phần hồ sơ đã số hóa", True),
    "not_digitised": ("Thành phần hồ sơ chưa số hóa", False),
    "digitised_no_result_file": ("Đã số hóa thành phần nhưng thiếu tệp kết quả điện tử", False),
    "reused_digitised": ("Có thành phần sử dụng lại dữ liệu số hóa", True),
    "not_reused_digitised": ("Không có thành phần sử dụng lại dữ liệu số hóa", False),
    "from_warehouse": ("Có tài liệu lấy từ kho dữ liệu cá nhân trên Cổng DVCQG", True),
    "not_from_warehouse": ("Không có tài liệu lấy từ kho dữ liệu cá nhân", False),
    "population_data_used": ("Có sử dụng dữ liệu dân cư (VNeID, kho dữ liệu, CSDL dân cư)", True),
    "population_data_not_used": ("Không sử dụng dữ liệu dân cư", False),
}


def reason_label(code: str) -> str:
    return REASONS[code][0] if code in REASONS else code


@dataclass(frozen=True, slots=True)
class Verdict:
    counts: bool  # in the numerator
    reason: str  # a code of REASONS


def _v(reason: str) -> Verdict:
    return Verdict(REASONS[reason][1], reason)


V = {code: _v(code) for code in REASONS}


# -- dossier indicators (population: received in the period) ----------------------------------------

DossierJudge = Callable[[DossierFacts, "VersionFacts | None"], "str | None"]  # → a reason code


def _j_sync(d: DossierFacts, v: VersionFacts | None) -> str:
    if d.sync_status == "delivered":
        return "synced"
    if d.imported:
        return "synced_import"
    return {"pending": "sync_pending", "dead": "sync_failed"}.get(d.sync_status, "not_synced")


def _online(d: DossierFacts, v: VersionFacts | None) -> str:
    if d.channel != ONLINE:
        return "not_online"
    # F766 3.3: where the TTHC's result is a paper document, an online dossier must also carry an
    # electronic result (MaKetQua + DuongDanTepTinKetQua) — required once the result exists (assumed).
    if v is not None and v.paper_result_required and d.completed and not (d.result_code and d.result_file):
        return "no_electronic_result"
    return "online"


def _j_full_online(d: DossierFacts, v: VersionFacts | None) -> str | None:
    if v is None or v.online_level != "full":
        return None
    return _online(d, v)


def _j_online_share(d: DossierFacts, v: VersionFacts | None) -> str:
    return _online(d, v)


def _j_paid_online(d: DossierFacts, v: VersionFacts | None) -> str | None:
    # F766 3.6: dossiers of TTHC with fee information, minus those whose fee list is all zero.
    if v is None or not v.has_fee or not d.fee_positive:
        return None
    return "paid_online" if d.online_paid else "not_paid_online"


def _j_result_file(d: DossierFacts, v: VersionFacts | None) -> str | None:
    if v is None or not v.paper_result_required or not d.completed:
        return None
    return "result_file" if d.result_file else "no_result_file"


def _j_digitised(d: DossierFacts, v: VersionFacts | None) -> str:
    components = d.components_digitised or d.components_with_file or bool(d.has_digitised_components)
    if not components:
        return "not_digitised"
    if v is not None and v.paper_result_required and d.completed and not d.result_file:
        return "digitised_no_result_file"
    return "digitised"


def _j_reused(d: DossierFacts, v: VersionFacts | None) -> str:
    return (
        "reused_digitised" if d.has_digitised_components or d.components_digitised else "not_reused_digitised"
    )


def _j_warehouse(d: DossierFacts, v: VersionFacts | None) -> str:
    return "from_warehouse" if d.components_reused else "not_from_warehouse"


def uses_population_data(d: DossierFacts) -> bool:
    return bool(d.vneid_authenticated) or d.components_reused or d.population_db


def _j_population(d: DossierFacts, v: VersionFacts | None) -> str:
    return "population_data_used" if uses_population_data(d) else "population_data_not_used"


DOSSIER_JUDGES: dict[str, DossierJudge] = {
    "1.4": _j_sync,
    "3.TT": _j_full_online,
    "3.3": _j_online_share,
    "3.6": _j_paid_online,
    "4.1": _j_result_file,
    "4.2": _j_digitised,
    "4.3": _j_reused,
    "4.4": _j_warehouse,
    "4.5b": _j_population,
}


# -- procedure indicators ---------------------------------------------------------------------------


@dataclass
class Activity:
    """Per-procedure facts gathered from the dossiers received in the period (in scope)."""

    online: set[int] = field(default_factory=set)  # procedures with an online dossier
    fee: set[int] = field(default_factory=set)  # … with a dossier carrying a fee > 0
    paid_online: set[int] = field(default_factory=set)  # … with a dossier paid online
    population: set[int] = field(default_factory=set)  # … with a dossier using population data
    citizens: set[int] = field(default_factory=set)  # … with a dossier of a citizen
    dossiers: set[int] = field(default_factory=set)  # … with any dossier

    def add(self, d: DossierFacts) -> None:
        p = d.procedure_id
        self.dossiers.add(p)
        if d.channel == ONLINE:
            self.online.add(p)
        if d.fee_positive:
            self.fee.add(p)
        if d.online_paid:
            self.paid_online.add(p)
        if uses_population_data(d):
            self.population.add(p)
        if d.citizen:
            self.citizens.add(p)


ProcedureJudge = Callable[[VersionFacts, Activity], "str | None"]  # → a reason code


def _p_complete(p: VersionFacts, a: Activity) -> str:
    return "incomplete" if p.missing_components else "complete"


def _p_online_service(p: VersionFacts, a: Activity) -> str:
    return {"full": "online_full", "partial": "online_partial"}.get(p.online_level, "no_online_service")


def _p_online_used(p: VersionFacts, a: Activity) -> str | None:
    if p.online_level not in ("full", "partial"):
        return None
    return "has_online_dossier" if p.procedure_id in a.online else "no_online_dossier"


def _p_fee(p: VersionFacts, a: Activity) -> str | None:
    if not p.has_fee:
        return None
    return "fee_dossier" if p.procedure_id in a.fee else "no_fee_dossier"


def _p_paid(p: VersionFacts, a: Activity) -> str | None:
    if not p.has_fee:
        return None
    return "paid_online_dossier" if p.procedure_id in a.paid_online else "no_paid_online_dossier"


def _p_population(p: VersionFacts, a: Activity) -> str | None:
    individuals = p.individuals
    if individuals is None:  # no target group recorded: a TTHC with citizens' dossiers serves individuals
        individuals = p.procedure_id in a.citizens
    if not individuals:
        return None
    return "population_data_used" if p.procedure_id in a.population else "population_data_not_used"


PROCEDURE_JUDGES: dict[str, ProcedureJudge] = {
    "1.3": _p_complete,
    "3.1": _p_online_service,
    "3.2": _p_online_used,
    "3.5": _p_fee,
    "3.5b": _p_paid,
    "4.5a": _p_population,
}


# -- what each indicator is --------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorInfo:
    subject: str  # "dossier", "procedure", "" (not computed)
    formula: str  # as implemented, in Vietnamese
    source: str  # where the formula comes from, in plain Vietnamese (shown on the indicator's page)
    assumptions: tuple[str, ...] = ()
    missing: str = ""  # why the input is missing (0 points), when it is


_RECEIVED = "hồ sơ có ngày tiếp nhận trong kỳ"
INFO: dict[str, IndicatorInfo] = {
    "1.1": IndicatorInfo(
        "procedure",
        "TTHC có quyết định công bố đúng hạn (ngày quyết định ≤ ngày có hiệu lực muộn nhất của căn cứ pháp "
        "lý − 5 ngày làm việc) ÷ TTHC trong các quyết định công bố có ngày quyết định trong kỳ",
        "Theo cách tính của Cổng Dịch vụ công quốc gia",
        missing="Cần ngày có hiệu lực của từng căn cứ pháp lý và ngày quyết định công bố trên CSDL quốc gia "
        "về TTHC; danh mục thủ tục của motcua chỉ lưu tên căn cứ pháp lý.",
    ),
    "1.2": IndicatorInfo(
        "procedure",
        "TTHC công khai trên CSDL quốc gia về TTHC đúng hạn (≤ ngày quyết định công bố + 5 ngày làm việc) "
        "÷ (TTHC công khai trong kỳ + TTHC đến hạn công khai)",
        "Theo cách tính của Cổng Dịch vụ công quốc gia",
        missing="Ngày công khai (thao tác “công khai”) trên CSDL quốc gia về TTHC do hệ thống quốc gia giữ.",
    ),
    "1.3": IndicatorInfo(
        "procedure",
        "TTHC đang có hiệu lực (cuối kỳ) công khai đủ 7 bộ phận (tên, trình tự, cách thức, thành phần hồ "
        "sơ, thời hạn, đối tượng, cơ quan thực hiện) ÷ TTHC đang có hiệu lực trong phạm vi",
        "Theo cách tính của Cổng Dịch vụ công quốc gia (đọc từ danh mục thủ tục của hệ thống)",
        ("“Cách thức thực hiện” đủ khi có mô tả cách thức hoặc danh sách hình thức nộp.",),
    ),
    "1.4": IndicatorInfo(
        "dossier",
        f"{_RECEIVED} đã đồng bộ lên Cổng DVCQG (thông điệp đồng bộ hồ sơ đã gửi thành công, hoặc hồ sơ "
        f"nhập từ bản ghi đồng bộ) ÷ {_RECEIVED}",
        "Tử số theo cách tính của Cổng Dịch vụ công quốc gia; mẫu số chưa được xác nhận",
        (
            "Mẫu số là số hồ sơ tiếp nhận theo motcua, thay cho số lớn hơn của Hệ thống thông tin báo cáo "
            "quốc gia và thống kê của Cổng DVCQG (hai số này do hệ thống khác giữ).",
            "Hồ sơ nhập từ tệp của hệ thống cũ được coi là đã đồng bộ (tệp nhập có dạng bản ghi đồng bộ "
            "hồ sơ lên Cổng DVCQG).",
        ),
    ),
    "2.1": IndicatorInfo(
        "dossier",
        "hồ sơ xử lý xong hoặc đang xử lý trước hạn, đúng hạn ÷ hồ sơ tiếp nhận đến hết kỳ và chưa kết thúc "
        "trước kỳ (cách tính của Cổng DVCQG: thời điểm kết thúc theo thứ tự ưu tiên Đã xử lý xong > Đã trả "
        "kết quả > Dừng/Từ chối/Công dân rút; chưa kết thúc = 23:59:59 ngày cuối kỳ; đang chờ bổ sung = lúc "
        "yêu cầu; trừ thời gian bổ sung; bổ sung hơn một lần = trễ hạn; không có hạn trả thì so với thời "
        "hạn theo quy định)",
        "Theo cách tính của Cổng Dịch vụ công quốc gia",
    ),
    "2.2": IndicatorInfo(
        "dossier",
        "tổng thời gian giải quyết các hồ sơ Đã xử lý xong / Đã trả kết quả tiếp nhận trong kỳ "
        "÷ số hồ sơ đó, theo đơn vị thời gian của thủ tục; chỉ tính khi chọn một thủ tục",
        "Theo cách tính của Cổng Dịch vụ công quốc gia",
        (
            "Thời gian từ lúc tiếp nhận đến lúc xử lý xong (không trừ thời gian bổ sung), "
            "đo bằng ngày làm việc (số giờ làm việc của một ngày theo giờ hành chính), giờ làm việc, "
            "hoặc ngày theo lịch với thủ tục tính theo ngày, tháng.",
        ),
    ),
    "3.TT": IndicatorInfo(
        "dossier",
        f"{_RECEIVED} nộp trực tuyến của TTHC cung cấp DVCTT toàn trình ÷ {_RECEIVED} của các TTHC đó",
        "Công thức chưa được xác nhận; hệ thống tạm tính như sau",
        (
            "Công thức của chỉ số 12 điểm “Hồ sơ DVCTT toàn trình” chưa có trong nguồn: motcua dùng tỷ lệ "
            "hồ sơ trực tuyến trên hồ sơ của TTHC toàn trình (theo phiên bản thủ tục của hồ sơ).",
            "Hồ sơ đã có kết quả của TTHC có kết quả dạng giấy phải có kết quả điện tử (như chỉ số 3.3).",
        ),
    ),
    "3.1": IndicatorInfo(
        "procedure",
        "TTHC cung cấp DVCTT (toàn trình hoặc một phần) ÷ TTHC đang có hiệu lực trong phạm vi",
        "Theo cách tính của Cổng Dịch vụ công quốc gia",
    ),
    "3.2": IndicatorInfo(
        "procedure",
        "DVCTT có ít nhất một hồ sơ trực tuyến tiếp nhận trong kỳ ÷ DVCTT (TTHC toàn trình hoặc một phần)",
        "Theo cách tính của Cổng Dịch vụ công quốc gia",
        (
            "Trạng thái dịch vụ (đang công khai, chờ dừng, đang kiểm thử) không được lưu: mọi TTHC có mức "
            "trực tuyến đều tính.",
        ),
    ),
    "3.3": IndicatorInfo(
        "dossier",
        f"{_RECEIVED} nộp trực tuyến (TTHC có kết quả dạng giấy thì phải có kết quả điện tử) ÷ {_RECEIVED}",
        "Theo cách tính của Cổng Dịch vụ công quốc gia",
        (
            "Cổng DVCQG nhân thêm tỷ lệ đồng bộ (1.4); motcua tính trên toàn bộ hồ sơ của mình "
            "nên không nhân.",
            "Điều kiện kết quả điện tử chỉ xét với hồ sơ đã có kết quả (Đã xử lý xong / Đã trả kết quả).",
        ),
    ),
    "3.5": IndicatorInfo(
        "procedure",
        "TTHC có hồ sơ tiếp nhận trong kỳ kèm phí, lệ phí khác 0 ÷ TTHC có nghĩa vụ tài chính theo danh mục",
        "Theo cách tính của Cổng Dịch vụ công quốc gia",
        (
            "TTHC có nghĩa vụ tài chính: danh mục ghi một khoản phí, lệ phí khác 0 hoặc chưa ghi mức thu.",
            "Chỉ đếm ở tử số các TTHC thuộc mẫu số.",
        ),
    ),
    "3.5b": IndicatorInfo(
        "procedure",
        "TTHC có ít nhất một hồ sơ thanh toán trực tuyến tiếp nhận trong kỳ ÷ TTHC có nghĩa vụ tài chính",
        "Công thức chưa được xác nhận; hệ thống tạm tính như sau",
        ("Công thức của chỉ số 2 điểm “TTHC có giao dịch thanh toán trực tuyến” chưa có trong nguồn.",),
    ),
    "3.6": IndicatorInfo(
        "dossier",
        f"{_RECEIVED} có thanh toán trực tuyến ÷ ({_RECEIVED} của TTHC có "
        "nghĩa vụ tài chính − hồ sơ có mọi khoản phí, lệ phí bằng 0)",
        "Theo cách tính của Cổng Dịch vụ công quốc gia",
        ("Hồ sơ không có dòng phí, lệ phí nào được coi như mọi khoản bằng 0 (không tính ở mẫu số).",),
    ),
    "4.1": IndicatorInfo(
        "dossier",
        f"{_RECEIVED} đã có kết quả, có tệp kết quả điện tử ÷ {_RECEIVED} đã có kết "
        "quả của TTHC có kết quả dạng giấy",
        "Theo cách tính của Cổng Dịch vụ công quốc gia",
        ("Chỉ xét hồ sơ đã có kết quả (Đã xử lý xong / Đã trả kết quả); kỳ theo ngày tiếp nhận.",),
    ),
    "4.2": IndicatorInfo(
        "dossier",
        f"{_RECEIVED} có thành phần đã số hóa (được đánh dấu số hóa, có tệp đính kèm, hoặc hồ sơ ghi có "
        "thành phần số hóa) "
        f"và, với TTHC có kết quả dạng giấy, có tệp kết quả điện tử ÷ {_RECEIVED}",
        "Theo cách tính của Cổng Dịch vụ công quốc gia",
        ("Điều kiện tệp kết quả chỉ xét với hồ sơ đã có kết quả.",),
    ),
    "4.CT": IndicatorInfo(
        "procedure",
        "Cung cấp dịch vụ chứng thực bản sao điện tử từ bản chính",
        "Công thức chưa được xác nhận; hệ thống tạm tính như sau",
        missing="Chưa có công thức và motcua chưa ghi nhận dịch vụ chứng thực bản sao điện tử.",
    ),
    "4.3": IndicatorInfo(
        "dossier",
        f"{_RECEIVED} có thành phần sử dụng lại dữ liệu số hóa (hồ sơ ghi có thành phần số hóa, hoặc tài "
        f"liệu nộp được đánh dấu số hóa) ÷ {_RECEIVED}",
        "Theo cách tính của Cổng Dịch vụ công quốc gia",
    ),
    "4.4": IndicatorInfo(
        "dossier",
        f"{_RECEIVED} có tài liệu lấy từ kho dữ liệu cá nhân trên Cổng DVCQG ÷ {_RECEIVED}",
        "Theo cách tính của Cổng Dịch vụ công quốc gia",
        ("Nhánh “kết quả điện tử đã đồng bộ vào kho dữ liệu của công dân” chưa tính: motcua chưa ghi nhận.",),
    ),
    "4.5b": IndicatorInfo(
        "dossier",
        f"{_RECEIVED} có tài khoản xác thực bằng VNeID, tài liệu lấy từ kho dữ liệu cá nhân "
        f"hoặc mã cơ sở dữ liệu dân cư ÷ {_RECEIVED}",
        "Theo cách tính của Cổng Dịch vụ công quốc gia",
    ),
    "4.5a": IndicatorInfo(
        "procedure",
        "TTHC có hồ sơ trong kỳ dùng dữ liệu dân cư (như 4.5b) ÷ TTHC có đối tượng là cá nhân",
        "Theo cách tính của Cổng Dịch vụ công quốc gia",
        (
            "TTHC không ghi đối tượng thực hiện: coi là có đối tượng cá nhân khi có hồ sơ của công dân "
            "trong kỳ.",
        ),
    ),
    "5.1": IndicatorInfo(
        "",
        "PAKN về quy định, chính sách, TTHC hoặc hành vi cán bộ ÷ tổng PAKN trong kỳ",
        "Theo cách tính của Cổng Dịch vụ công quốc gia",
        missing="Phản ánh, kiến nghị (PAKN) chưa được motcua quản lý.",
    ),
    "5.2": IndicatorInfo(
        "",
        "PAKN xử lý đúng hạn ÷ PAKN trong kỳ",
        "Theo cách tính của Cổng Dịch vụ công quốc gia",
        missing="Phản ánh, kiến nghị (PAKN) chưa được motcua quản lý.",
    ),
    "5.3": IndicatorInfo(
        "",
        "(PAKN − PAKN bị đánh giá không hài lòng, xử lý trễ hạn hoặc phản ánh lại) ÷ PAKN tiếp nhận lần đầu "
        "trong kỳ",
        "Theo cách tính của Cổng Dịch vụ công quốc gia",
        missing="Phản ánh, kiến nghị (PAKN) và đánh giá của người dân chưa được motcua quản lý.",
    ),
    "5.4": IndicatorInfo(
        "",
        "100% − (tỷ lệ hồ sơ trễ hạn + tỷ lệ hồ sơ bị khiếu nại hoặc đánh giá không hài lòng)",
        "Theo cách tính của Cổng Dịch vụ công quốc gia",
        missing="Đánh giá của người dân và khiếu nại về hồ sơ chưa được motcua ghi nhận "
        "(tỷ lệ trễ hạn đã có, xem chỉ số 2.1).",
    ),
}
UNIT_SCOPE = (
    "Phạm vi một đơn vị: TTHC giao cho đơn vị (hoặc đơn vị trực thuộc) thực hiện, cộng các TTHC có hồ sơ "
    "của đơn vị trong kỳ."
)
LINEAR = "Không có ngưỡng: điểm = tỷ lệ × điểm tối đa ÷ 100 (giả định của hệ thống)."
NO_FORMULA = "motcua chưa có công thức cho chỉ số này (mã mới trong bảng trọng số)."


# -- results -----------------------------------------------------------------------------------------


def round2(value: Fraction) -> Decimal:
    """Half-up to 2 decimals, exactly (no binary floating point on the way)."""
    cents = math.floor(value * 100 + Fraction(1, 2))
    return Decimal(cents).scaleb(-2).quantize(ONE)


def score(numerator: int, denominator: int, weight: IndicatorWeight) -> tuple[Decimal | None, Decimal]:
    """(rate %, points) by the saturation rule; (None, 0) for an empty denominator."""
    if denominator <= 0:
        return None, Decimal("0.00")
    exact = Fraction(numerator * 100, denominator)
    top = Fraction(weight.max)
    if weight.target is not None:
        target = Fraction(weight.target)
        points = top if exact >= target else top * exact / target
    else:
        points = top * exact / 100
    return round2(exact), round2(points)


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


@dataclass(frozen=True)
class ReasonCount:
    code: str
    label: str
    counts: bool
    count: int


@dataclass(frozen=True)
class IndicatorResult:
    code: str
    name: str
    group: str
    max: Decimal
    target: Decimal | None
    points: Decimal
    rate: Decimal | None
    numerator: int | None
    denominator: int | None
    missing: bool
    assumed: bool
    subject: str  # "dossier" / "procedure" / "": what the drill-down lists
    formula: str
    source: str
    assumptions: tuple[str, ...] = ()
    missing_reason: str = ""
    notes: tuple[str, ...] = ()
    reasons: tuple[ReasonCount, ...] = ()  # the breakdown of the denominator, counting first
    value: Decimal | None = None  # 2.2: the average
    value_unit: str = ""

    @property
    def scored(self) -> bool:
        return self.max > 0

    @property
    def against(self) -> int | None:
        """How many dossiers or procedures count against the indicator."""
        if self.numerator is None or self.denominator is None:
            return None
        return self.denominator - self.numerator

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "code": self.code,
            "name": self.name,
            "rate": _number(self.rate),
            "points": _number(self.points),
            "max": _number(self.max),
            "target": _number(self.target),
            "numerator": self.numerator,
            "denominator": self.denominator,
            "missing": self.missing,
            "assumed": self.assumed,
        }
        if self.value is not None or self.code == "2.2":
            data["value"] = _number(self.value)
            data["value_unit"] = self.value_unit
        if self.missing:
            data["missing_reason"] = self.missing_reason
        if self.assumptions:
            data["assumptions"] = list(self.assumptions)
        if self.notes:
            data["notes"] = list(self.notes)
        if self.reasons:
            data["reasons"] = [
                {"code": r.code, "label": r.label, "counts": r.counts, "count": r.count} for r in self.reasons
            ]
        return data


@dataclass(frozen=True)
class GroupResult:
    code: str
    name: str
    points: Decimal
    max: Decimal
    indicators: tuple[IndicatorResult, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "points": _number(self.points),
            "max": _number(self.max),
            "indicators": [i.as_dict() for i in self.indicators],
        }


@dataclass(frozen=True)
class Index766Result:
    period: Period
    scope: Scope
    points: Decimal
    max: Decimal
    groups: tuple[GroupResult, ...]

    def indicator(self, code: str) -> IndicatorResult:
        for group in self.groups:
            for indicator in group.indicators:
                if indicator.code == code:
                    return indicator
        raise KeyError(code)

    def group(self, code: str) -> GroupResult:
        for group in self.groups:
            if group.code == code:
                return group
        raise KeyError(code)

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": {
                "from": self.period.start.isoformat(),
                "to": self.period.end.isoformat(),
                "label": self.period.label,
            },
            "scope": {
                "unit": self.scope.unit_code or None,
                "unit_name": self.scope.unit_name or None,
                "procedure": self.scope.procedure_code or None,
                "label": self.scope.label,
            },
            "total": {"points": _number(self.points), "max": _number(self.max)},
            "groups": [g.as_dict() for g in self.groups],
        }


# -- the fold ------------------------------------------------------------------------------------------


@dataclass
class Tally:
    """How many of an indicator's population fall under each reason code."""

    reasons: Counter[str] = field(default_factory=Counter)

    @property
    def numerator(self) -> int:
        return sum(n for code, n in self.reasons.items() if REASONS[code][1])

    @property
    def denominator(self) -> int:
        return sum(self.reasons.values())


@dataclass
class Duration:
    """2.2: total and count of processing times (one TTHC)."""

    total: Fraction = Fraction(0)
    count: int = 0
    unit: str = ""


def processing_time(
    d: DossierFacts, version: VersionFacts | None, calendar_for: CalendarFor
) -> tuple[Fraction, str] | None:
    """2.2: from receipt to Đã xử lý xong, in the procedure's time unit (see INFO["2.2"])."""
    end = terminal_moment(d)
    if d.received_at is None or end is None or not d.completed:
        return None
    unit = None if version is None else limit_unit(version.time_limit_unit)
    if unit in (LimitUnit.CALENDAR_DAYS, LimitUnit.CALENDAR_MONTHS):
        return Fraction(int((end - d.received_at).total_seconds()), 86_400), "ngày"
    calendar = calendar_for(d.unit_id)
    seconds = working_seconds_between(calendar, d.received_at, end)
    if unit is LimitUnit.WORKING_HOURS:
        return Fraction(seconds, 3600), "giờ làm việc"
    return Fraction(seconds, calendar.seconds_per_day), "ngày làm việc"


def procedures_in_scope(
    in_force: Sequence[VersionFacts], assigned: frozenset[int] | None, activity: Activity
) -> list[VersionFacts]:
    """The scope's procedures: all in force (province, one procedure), or for a unit those assigned to
    its subtree plus those with dossiers of the subtree in the period (assumed, INFO["1.3"])."""
    if assigned is None:
        return list(in_force)
    return [p for p in in_force if p.procedure_id in assigned or p.procedure_id in activity.dossiers]


def evaluate(
    weights: Weights,
    period: Period,
    dossiers: Iterable[DossierFacts],
    in_force: Sequence[VersionFacts],
    versions: Mapping[int, VersionFacts],
    calendar_for: CalendarFor,
    *,
    assigned: frozenset[int] | None = None,
    scope: Scope | None = None,
    single_procedure: bool = False,
    basis: Basis = Basis.NATIONAL,
) -> Index766Result:
    """The whole index in one pass over ``dossiers``.

    ``dossiers``: every dossier of the scope received on or before the period's last day and not ended
    before its first day (a superset is fine: the rules filter), with the received-in-period facts
    filled for those received in the period. ``in_force``: the procedure versions in force at the end
    of the period (of the province, or of the one procedure); ``assigned``: for a unit scope, the
    procedures assigned to its subtree. ``versions``: every version a dossier may refer to, by id.
    """
    tallies: dict[str, Tally] = {code: Tally() for code in ("2.1", *DOSSIER_JUDGES, *PROCEDURE_JUDGES)}
    on_time_counts = tallies["2.1"].reasons
    judges = [(tallies[code].reasons, judge) for code, judge in DOSSIER_JUDGES.items()]
    activity = Activity()
    duration = Duration()
    start, end = period.start_at, period.end_exclusive
    version_of = versions.get
    # The hot loop of a province-year (a quarter of a million dossiers): plain local names, reason codes.
    for d in dossiers:
        version = version_of(d.version_id)
        verdict = on_time(d, period, version, calendar_for, basis)
        if verdict.counted:
            on_time_counts[verdict.reason] += 1
        received = d.received_at
        if received is None or received < start or received >= end:
            continue
        for counts, judge in judges:
            found = judge(d, version)
            if found is not None:
                counts[found] += 1
        activity.add(d)
        if single_procedure:
            spent = processing_time(d, version, calendar_for)
            if spent is not None:
                duration.total += spent[0]
                duration.count += 1
                duration.unit = spent[1]
    procedures = procedures_in_scope(in_force, assigned, activity)
    for code, pjudge in PROCEDURE_JUDGES.items():
        tally = tallies[code]
        for p in procedures:
            found = pjudge(p, activity)
            if found is not None:
                tally.reasons[found] += 1
    unit_scope = assigned is not None
    on_time_rate = score(tallies["2.1"].numerator, tallies["2.1"].denominator, _UNIT_WEIGHT)[0]
    groups = []
    for g in weights.groups:
        results = tuple(
            _result(w, g.code, tallies.get(w.code), duration, single_procedure, on_time_rate, unit_scope)
            for w in g.indicators
        )
        groups.append(
            GroupResult(g.code, g.name, sum((r.points for r in results), Decimal("0.00")), g.max, results)
        )
    return Index766Result(
        period,
        scope or Scope(),
        sum((g.points for g in groups), Decimal("0.00")),
        weights.max,
        tuple(groups),
    )


_UNIT_WEIGHT = IndicatorWeight("", "", Decimal(100), None)


def _breakdown(tally: Tally) -> tuple[ReasonCount, ...]:
    rows = [ReasonCount(code, reason_label(code), REASONS[code][1], n) for code, n in tally.reasons.items()]
    rows.sort(key=lambda r: (not r.counts, -r.count, r.code))
    return tuple(rows)


def _result(
    w: IndicatorWeight,
    group: str,
    tally: Tally | None,
    duration: Duration,
    single_procedure: bool,
    on_time_rate: Decimal | None,
    unit_scope: bool,
) -> IndicatorResult:
    info = INFO.get(w.code)
    assumptions = tuple(info.assumptions) if info else ()
    if unit_scope and info is not None and info.subject == "procedure" and not info.missing:
        assumptions = (*assumptions, UNIT_SCOPE)
    base: dict[str, Any] = {
        "code": w.code,
        "name": w.name,
        "group": group,
        "max": w.max,
        "target": w.target,
        "subject": info.subject if info else "",
        "formula": info.formula if info else "",
        "source": info.source if info else "",
    }
    if info is None or info.missing:
        notes: tuple[str, ...] = ()
        if w.code == "5.4" and on_time_rate is not None:
            notes = (f"Tỷ lệ hồ sơ trễ hạn trong kỳ (theo 2.1): {Decimal(100) - on_time_rate}%.",)
        return IndicatorResult(
            **base,
            points=Decimal("0.00"),
            rate=None,
            numerator=None,
            denominator=None,
            missing=True,
            assumed=bool(assumptions),
            assumptions=assumptions,
            missing_reason=info.missing if info else NO_FORMULA,
            notes=notes,
        )
    if w.code == "2.2":
        value = None if not duration.count else round2(duration.total / duration.count)
        notes = () if single_procedure else ("Chỉ tính khi chọn một thủ tục (--procedure).",)
        return IndicatorResult(
            **base,
            points=Decimal("0.00"),
            rate=None,
            numerator=duration.count if single_procedure else None,
            denominator=None,
            missing=False,
            assumed=True,
            assumptions=assumptions,
            notes=notes,
            value=value,
            value_unit=duration.unit if single_procedure else "",
        )
    assert tally is not None
    if w.target is None and w.max > 0:
        assumptions = (*assumptions, LINEAR)
    rate, points = score(tally.numerator, tally.denominator, w)
    return IndicatorResult(
        **base,
        points=points,
        rate=rate,
        numerator=tally.numerator,
        denominator=tally.denominator,
        missing=False,
        assumed=bool(assumptions),
        assumptions=assumptions,
        reasons=_breakdown(tally),
    )


# -- drill-down ----------------------------------------------------------------------------------------


def judge_dossier(
    code: str,
    d: DossierFacts,
    period: Period,
    version: VersionFacts | None,
    calendar_for: CalendarFor,
    basis: Basis = Basis.NATIONAL,
) -> Verdict | None:
    """The verdict of indicator ``code`` on one dossier; None when it is not in the population."""
    if code == "2.1":
        found = on_time(d, period, version, calendar_for, basis)
        return V[found.reason] if found.counted else None
    judge = DOSSIER_JUDGES.get(code)
    if judge is None or not period.received_in(d.received_at):
        return None
    reason = judge(d, version)
    return None if reason is None else V[reason]


def judge_procedure(code: str, p: VersionFacts, activity: Activity) -> Verdict | None:
    judge = PROCEDURE_JUDGES.get(code)
    reason = None if judge is None else judge(p, activity)
    return None if reason is None else V[reason]


def _moment(value: datetime | None) -> str:
    return "—" if value is None else f"{to_local(value):%d/%m/%Y %H:%M}"


def _span(seconds: float) -> str:
    seconds = abs(int(seconds))
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = [f"{days} ngày"] if days else []
    if hours:
        parts.append(f"{hours} giờ")
    if minutes and not days:
        parts.append(f"{minutes} phút")
    return " ".join(parts) or "0 phút"


def explain(
    code: str,
    verdict: Verdict,
    d: DossierFacts,
    period: Period,
    version: VersionFacts | None,
    calendar_for: CalendarFor,
    basis: Basis = Basis.NATIONAL,
) -> str:
    """The reason of ``verdict`` in Vietnamese, with this dossier's own figures."""
    label = reason_label(verdict.reason)
    if code != "2.1":
        return label
    t = on_time(d, period, version, calendar_for, basis)
    parts = [label]
    if t.ended:
        parts.append(f"kết thúc {_moment(t.end)}")
    elif t.waiting:
        parts.append(f"yêu cầu bổ sung lúc {_moment(t.end)}")
    else:
        parts.append(f"tính đến {_moment(t.end)} (cuối kỳ)")
    if t.supplement_seconds:
        parts.append(f"trừ {_span(t.supplement_seconds)} chờ bổ sung → {_moment(t.effective_end)}")
    if t.supplement_requests > 1:
        parts.append(f"{t.supplement_requests} lần yêu cầu bổ sung")
    if t.due is not None:
        which = "hạn theo thời hạn quy định" if t.legal_due else "hạn trả"
        parts.append(f"{which} {_moment(t.due)}")
        if t.effective_end is not None:
            delta = (t.effective_end - t.due).total_seconds()
            if delta > 0:
                parts.append(f"trễ {_span(delta)}")
            elif delta < 0:
                parts.append(f"sớm {_span(delta)}")
    return "; ".join(parts)


def explain_procedure(verdict: Verdict, p: VersionFacts) -> str:
    label = reason_label(verdict.reason)
    if verdict.reason == "incomplete":
        return f"{label}: thiếu {', '.join(p.missing_components)}"
    return label
