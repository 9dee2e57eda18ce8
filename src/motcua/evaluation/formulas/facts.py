"""QĐ 766 inputs: the status codes, the evaluation period and the frozen records the selectors fill.

``DossierFacts`` and ``VersionFacts`` are what ``evaluation/selectors.py`` reads from the database;
everything else in ``formulas`` works on them alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import NamedTuple

from motcua.core.text import fold
from motcua.dossiers import timeliness
from motcua.workdays.domain import TZ, Calendar

# National status codes (TrangThaiHoSo, domain.md §6.1).
NOT_RECEIVED = frozenset({1, 3})  # Mới đăng ký; Không được tiếp nhận (never counts: domain.md §0)
COMPLETED = frozenset({9, 10})  # Đã xử lý xong; Đã trả kết quả
STOPPED = frozenset({7, 8})  # Công dân rút; Dừng xử lý (also "Từ chối giải quyết", rules.NATIONAL_STATUS)
ONLINE = 2  # KenhThucHien
PAID_ONLINE = frozenset({1, 2})  # DuocThanhToanTrucTuyen: 1 on DVCQG, 2 through the local gateway


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
    certified_copy: bool = False  # an electronic certified copy from the original was issued (not revoked)
    disliked: bool = False  # the applicant rated it "không hài lòng" (feedback.Rating)

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
    # A procedure of certified copies from originals (rule ``documents.certified_copy``): 766 4.CT.
    certifies_copies: bool = False

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
