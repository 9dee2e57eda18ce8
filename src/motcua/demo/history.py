"""A year of demo dossier history, generated deterministically and loaded through the importer.

``generate(count)`` writes ``count`` records in the national sync shape (``DongBoHoSoMC``) for the demo
province: dossiers received between 27/11/2025 and 26/11/2026 at the demo wards, communes and the
provincial service centre, for the 14 demo procedures. Every date comes from the real ``workdays``
engine on the competent unit's calendar (office hours, holidays, the 15:00 cut-off, the supplement
window and restart, the apology deadline), with a seeded ``random.Random`` — the same records every
run. ``load_history`` imports them with ``dossiers.importing.import_file`` (one code path with any
other import): re-running changes nothing.

The mix: most dossiers are returned on time; some are late (about half of those with an apology and a
new date), some were supplemented, some withdrawn, a few refused (at intake or after appraisal), a
few stopped, and the most recent ones — plus a handful stuck for weeks — are still open (some overdue).
Applicants are ``core.Person`` rows with structurally valid CCCD numbers and Vietnamese names (and a
few companies with tax codes).
"""

from __future__ import annotations

import io
import json
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from motcua.catalogue.models import ProcedureVersion
from motcua.core.models import OrgUnit
from motcua.demo.datafiles import data
from motcua.documents.results import ALPHABET as RESULT_ALPHABET
from motcua.dossiers import rules
from motcua.dossiers.importing import Summary, import_file
from motcua.dossiers.jsonl import stamp
from motcua.workdays.domain import (
    TZ,
    Calendar,
    add_working_seconds,
    compute_due,
    counting_start,
    due_after_pauses,
    working_seconds_between,
)
from motcua.workdays.services import calendar_for

SEED = 20261127
COUNT = 2000
FIRST_DAY = date(2025, 11, 27)
LAST_DAY = date(2026, 11, 26)
# The moment the history is "as of": nothing in it happens later.
AS_OF = datetime(2026, 11, 26, 17, 0, tzinfo=TZ)
LABEL = "dữ liệu trình diễn (lịch sử 12 tháng)"

# How often each procedure is asked for (relative weights; certification and civil status dominate).
PROCEDURE_WEIGHTS = {
    "2.000815": 26,  # chứng thực bản sao
    "2.000884": 10,  # chứng thực chữ ký
    "1.001193": 12,  # khai sinh
    "1.000656": 4,  # khai tử
    "1.000894": 5,  # kết hôn
    "2.000635": 7,  # trích lục hộ tịch
    "1.004873": 8,  # xác nhận tình trạng hôn nhân
    "1.004194": 6,  # tạm trú
    "1.004222": 4,  # thường trú
    "1.001612": 3,  # hộ kinh doanh
    "1.009994": 2,  # giấy phép xây dựng
    "2.000488": 6,  # lý lịch tư pháp (Công an thành phố, qua Trung tâm PVHCC)
    "1.002809": 5,  # đổi giấy phép lái xe
    "2.001583": 2,  # thành lập công ty TNHH
}
COMMUNE_WEIGHTS = {
    "x10507": 16,
    "x10525": 14,
    "x10532": 10,
    "x10537": 9,
    "x10543": 8,
    "x11359": 15,
    "x11533": 11,
    "x11674": 7,
    "x11914": 5,
}
SERVICE_CENTRE = "hp-ttpvhcc"

FAMILY = [
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Võ", "Phan", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
    "Dương", "Lý", "Đinh", "Mai", "Trịnh", "Đào", "Lương", "Cao", "Tạ", "Hà", "Lưu",
]  # fmt: skip
FAMILY_WEIGHTS = [38, 11, 9, 7, 5, 4, 3, 3, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]
MIDDLE_MALE = ["Văn", "Minh", "Đức", "Quang", "Hữu", "Công", "Thành", "Xuân", "Tiến", "Ngọc"]
MIDDLE_FEMALE = ["Thị", "Thu", "Ngọc", "Thanh", "Phương", "Minh", "Hồng", "Thúy", "Kim", "Bảo"]
GIVEN_MALE = [
    "An", "Bình", "Cường", "Dũng", "Duy", "Hải", "Hiếu", "Hoàng", "Hùng", "Huy", "Khánh", "Khoa",
    "Long", "Lộc", "Minh", "Nam", "Nghĩa", "Phong", "Phúc", "Quân", "Sơn", "Tài", "Thắng", "Thịnh",
    "Toàn", "Trung", "Tuấn", "Tùng", "Việt", "Vinh",
]  # fmt: skip
GIVEN_FEMALE = [
    "Anh", "Châu", "Chi", "Dung", "Giang", "Hà", "Hằng", "Hạnh", "Hiền", "Hoa", "Hương", "Lan",
    "Linh", "Loan", "Mai", "My", "Ngân", "Nga", "Nhung", "Oanh", "Phương", "Quỳnh", "Thảo", "Thủy",
    "Trang", "Tuyết", "Uyên", "Vân", "Yến", "Xuân",
]  # fmt: skip
COMPANY_WORDS = [
    "Hải Âu", "Bạch Đằng", "Cát Bi", "Đồ Sơn", "Lạch Tray", "Tam Bạc", "Hồng Bàng", "Cửa Cấm",
    "Thành Đông", "Nam Sách", "Kinh Môn", "An Dương", "Vĩnh Bảo", "Tiên Lãng", "Sao Đỏ", "Chu Đậu",
]  # fmt: skip
COMPANY_TRADES = ["Thương mại", "Xây dựng", "Vận tải", "Thực phẩm", "Công nghệ", "Dịch vụ", "Cơ khí"]
SUPPLEMENT_REASONS = [
    ("Tờ khai chưa có chữ ký của người yêu cầu", "Tờ khai (bản có chữ ký)"),
    ("Bản sao giấy tờ không rõ nét, cần bản chụp rõ hơn", "Bản sao giấy tờ tùy thân"),
    ("Thiếu giấy tờ chứng minh nơi cư trú", "Giấy tờ chứng minh nơi cư trú"),
    ("Thông tin trên tờ khai không khớp với giấy tờ tùy thân", "Tờ khai (đã sửa thông tin)"),
    ("Thiếu văn bản ủy quyền được chứng thực", "Văn bản ủy quyền"),
]
LATE_REASONS = [
    "Phải xác minh thông tin với cơ quan khác",
    "Chờ kết quả tra cứu từ cơ sở dữ liệu chuyên ngành",
    "Cán bộ thụ lý nghỉ ốm, chưa kịp bàn giao",
    "Hệ thống phần mềm chuyên ngành gián đoạn",
]
REFUSAL_REASONS = [
    "Hồ sơ không thuộc thẩm quyền giải quyết của đơn vị",
    "Người yêu cầu không đủ điều kiện theo quy định",
    "Giấy tờ nộp kèm không hợp lệ",
]


@dataclass
class Applicant:
    kind: int  # LoaiDoiTuong: 1 citizen, 2 organisation
    number: str
    name: str
    phone: str
    email: str


@dataclass
class _Procedure:
    code: str
    version: ProcedureVersion
    components: list[str]
    fee: int | None
    online: bool
    postal: bool
    paper_result: bool
    province: str | None  # competent department for province-level procedures


def _people(rng: random.Random, count: int) -> list[Applicant]:
    """Citizens with CCCD numbers that pass ``core.identity.parse_citizen_id``: 031 (Hải Phòng) or
    030 (Hải Dương) + sex/century digit + two digits of the birth year + six digits."""
    seen: set[str] = set()
    people = []
    while len(people) < count:
        male = rng.random() < 0.48
        year = rng.randint(1945, 2007)
        century = 0 if year < 2000 else 2
        digit = century + (0 if male else 1)
        province = "031" if rng.random() < 0.7 else "030"
        number = f"{province}{digit}{year % 100:02d}{rng.randrange(1_000_000):06d}"
        if number in seen:
            continue
        seen.add(number)
        family = rng.choices(FAMILY, FAMILY_WEIGHTS)[0]
        middle = rng.choice(MIDDLE_MALE if male else MIDDLE_FEMALE)
        given = rng.choice(GIVEN_MALE if male else GIVEN_FEMALE)
        phone = f"0{rng.choice('3789')}{rng.randrange(10**8):08d}"
        people.append(Applicant(1, number, f"{family} {middle} {given}", phone, ""))
    return people


def _companies(rng: random.Random, count: int) -> list[Applicant]:
    companies = []
    seen: set[str] = set()
    while len(companies) < count:
        number = f"02{rng.randrange(10**8):08d}"
        if number in seen:
            continue
        seen.add(number)
        name = f"Công ty TNHH {rng.choice(COMPANY_TRADES)} {rng.choice(COMPANY_WORDS)}"
        companies.append(Applicant(2, number, name, f"0225{rng.randrange(10**6):06d}", ""))
    return companies


class _Calendars:
    """``calendar_for`` per unit and month (the calendar rules are read once, not per dossier)."""

    def __init__(self) -> None:
        self.cache: dict[tuple[int, int, int], Calendar] = {}

    def get(self, unit: OrgUnit, day: date) -> Calendar:
        key = (unit.pk, day.year, day.month)
        if key not in self.cache:
            self.cache[key] = calendar_for(unit, day)
        return self.cache[key]


def _load_procedures() -> dict[str, _Procedure]:
    found = {}
    for code in PROCEDURE_WEIGHTS:
        version = (
            ProcedureVersion.objects.in_force(FIRST_DAY)
            .filter(procedure__code=code)
            .prefetch_related("components", "fees", "implementing_units")
            .first()
        )
        if version is None:
            continue
        components = [c.name for c in version.components.all() if c.role == "submit" and c.required][:4]
        fees = [int(f.amount_vnd) for f in version.fees.all() if f.amount_vnd]
        units = list(version.implementing_units.all())
        province = units[0].code if len(units) == 1 and units[0].kind in ("department", "division") else None
        found[code] = _Procedure(
            code=code,
            version=version,
            components=[name[:120] for name in components] or ["Đơn, tờ khai"],
            fee=fees[0] if fees else None,
            online=version.online_level != "none",
            postal="postal" in (version.channels or []),
            paper_result=version.paper_result_required,
            province=province,
        )
    return found


def _office_moment(rng: random.Random, calendar: Calendar, day: date) -> datetime:
    """A moment inside the office windows of ``day`` (a working day), busier in the morning."""
    windows = calendar.windows(day)
    weights = [(b - a).total_seconds() * (1.4 if i == 0 else 1.0) for i, (a, b) in enumerate(windows)]
    opening, closing = rng.choices(windows, weights)[0]
    seconds = int((closing - opening).total_seconds()) - 60
    return (opening + timedelta(seconds=rng.randrange(max(seconds, 1)))).replace(second=0, microsecond=0)


def _after(calendar: Calendar, start: datetime, seconds: float) -> datetime:
    return add_working_seconds(calendar, counting_start(calendar, start), max(0, int(seconds))).replace(
        microsecond=0
    )


def generate(count: int = COUNT, *, seed: int = SEED) -> list[dict[str, Any]]:
    """``count`` records in the national sync shape, oldest first (needs the demo units and catalogue)."""
    rng = random.Random(seed)
    procedures = _load_procedures()
    units = {u.code: u for u in OrgUnit.objects.all()}
    calendars = _Calendars()
    people = _people(rng, max(50, int(count * 0.7)))
    companies = _companies(rng, max(5, count // 60))
    staff = _staff_names()
    codes = [c for c in PROCEDURE_WEIGHTS if c in procedures]
    weights = [PROCEDURE_WEIGHTS[c] for c in codes]
    communes = [c for c in COMMUNE_WEIGHTS if c in units]
    commune_weights = [COMMUNE_WEIGHTS[c] for c in communes]
    province_cal = calendar_for(None, FIRST_DAY)
    days = [
        FIRST_DAY + timedelta(days=i)
        for i in range((LAST_DAY - FIRST_DAY).days + 1)
        if province_cal.is_working_day(FIRST_DAY + timedelta(days=i))
    ]
    online_mode = rules.ONLINE_NEXT_OPENING
    drafts = []
    for n in range(count):
        proc = procedures[rng.choices(codes, weights)[0]]
        if proc.province:
            receiving, competent = units[SERVICE_CENTRE], units[proc.province]
        else:
            receiving = competent = units[rng.choices(communes, commune_weights)[0]]
        # spread over the year, a little busier towards the end (more online use)
        day = days[min(len(days) - 1, int(len(days) * (rng.random() ** 0.9)))]
        if n < max(3, count // 150):  # a few stuck for weeks: still open and overdue now
            day = days[-rng.randint(12, 30)]
        calendar = calendars.get(competent, day)
        channel = 1
        if proc.online and rng.random() < 0.48:
            channel = 2
        elif proc.postal and rng.random() < 0.05:
            channel = 3
        if channel == 2:
            # submitted online at any hour (evenings and weekends too), accepted at the office later
            submitted = datetime.combine(day, time(0, 0), tzinfo=TZ) - timedelta(
                minutes=rng.randrange(0, 60 * 40)
            )
            submitted = submitted.replace(second=0, microsecond=0)
            received = _after(calendar, submitted, rng.uniform(600, 4 * 3600))
        else:
            received = _office_moment(rng, calendar, day)
            submitted = received
        if received > AS_OF:
            continue
        applicant = rng.choice(companies) if proc.code == "2.001583" else rng.choice(people)
        drafts.append(
            _history(
                rng,
                proc,
                receiving,
                competent,
                applicant,
                channel,
                submitted,
                received,
                calendars,
                online_mode,
                staff,
                stuck=n < max(3, count // 150),
            )
        )
    # codes: the receiving unit's electronic code, the day (submission day for online dossiers), a serial
    drafts.sort(key=lambda d: (d["_day_moment"], d["_receiving"]))
    serials: dict[tuple[str, date], int] = defaultdict(int)
    records = []
    for draft in drafts:
        unit_code, moment = draft.pop("_receiving"), draft.pop("_day_moment")
        day = moment.date()
        serials[(unit_code, day)] += 1
        code = rules.format_code(
            "{unit_code}-{YYMMDD}-{NNNN}", unit_code=unit_code, day=day, sequence=serials[(unit_code, day)]
        )
        records.append({"MaHoSo": code, "SoBienNhan": code, **draft})
    return records


def _staff_names() -> dict[str, dict[str, str]]:
    by_unit: dict[str, dict[str, str]] = defaultdict(dict)
    for person in data("staff.json")["staff"]:
        for role in person["roles"]:
            by_unit[person["unit"]].setdefault(role, person["full_name"])
    return by_unit


def _history(
    rng: random.Random,
    proc: _Procedure,
    receiving: OrgUnit,
    competent: OrgUnit,
    applicant: Applicant,
    channel: int,
    submitted: datetime,
    received: datetime,
    calendars: _Calendars,
    online_mode: str,
    staff: dict[str, dict[str, str]],
    *,
    stuck: bool,
) -> dict[str, Any]:
    version = proc.version
    calendar = calendars.get(competent, received.date())
    mode = online_mode if channel == 2 else None
    clock, start = rules.receipt_clock(calendar, received, online_mode=mode)
    limit, unit = version.time_limit_value, version.time_limit_unit
    due = compute_due(clock, start, limit, unit).due
    record: dict[str, Any] = {
        "MaTTHC": proc.code,
        "TenTTHC": version.name,
        "ChuHoSo": applicant.name,
        "LoaiDoiTuong": applicant.kind,
        "MaDoiTuong": applicant.number,
        "SoDienThoai": applicant.phone,
        "NgayNopHoSo": stamp(submitted),
        "NgayTiepNhan": stamp(received),
        "KenhThucHien": channel,
        "MaDonVi": competent.eid_code or competent.code,
        "DonViXuLy": competent.name,
    }
    specialist = staff.get(competent.code, {}).get("specialist") or "Công chức chuyên môn"
    intake = staff.get(receiving.code, {}).get("intake_officer") or "Công chức một cửa"
    office_day = calendar.seconds_per_day
    roll = rng.random()
    supplements: list[dict[str, Any]] = []
    resets: list[dict[str, Any]] = []
    status: int
    finished: datetime | None = None
    returned: datetime | None = None
    note = ""

    # refused at intake: online only, never received
    if channel == 2 and roll < 0.025:
        refused = _after(calendar, submitted, rng.uniform(300, 3 * 3600))
        record.update(
            NgayTiepNhan="",
            TrangThaiHoSo=3,
            NgayKetThucXuLy=stamp(min(refused, AS_OF)),
            GhiChu=rng.choice(REFUSAL_REASONS),
        )
        record["_day_moment"], record["_receiving"] = submitted, receiving.eid_code or receiving.code
        _flags(rng, record, proc, channel, applicant, finished=False)
        return record

    span = max(working_seconds_between(clock, start, due), 1800)
    asked: datetime | None = None
    # supplement: requested within the window (3 working days), the clock restarts on receipt
    if roll > 0.88 and not stuck:
        window_end = rules.supplement_window_end(calendar, received, 3, online_mode=mode)
        latest = min(window_end, due)
        asked = _after(
            calendar, received, rng.uniform(0.05, 0.9) * working_seconds_between(calendar, received, latest)
        )
        if asked > AS_OF:
            asked = None
    if roll > 0.88 and not stuck and asked is not None:
        abandoned = rng.random() < 0.1
        back = None if abandoned else _after(calendar, asked, rng.uniform(0.3, 5) * office_day)
        reason, paper = rng.choice(SUPPLEMENT_REASONS)
        item: dict[str, Any] = {
            "NguoiYeuCauBoSung": specialist,
            "NoiDungBoSung": reason,
            "NgayBoSung": stamp(asked),
            "DanhSachGiayToBoSung": [{"TenGiayTo": paper}],
            "NgayHenTraTruoc": stamp(due),
        }
        if back is not None and back <= AS_OF:
            due = due_after_pauses(clock, start, limit, unit, [(asked, back)], "restart").due
            item.update(
                NguoiTiepNhanBoSung=intake,
                NgayTiepNhanBoSung=stamp(back),
                ThongTinTiepNhan="Đã nhận đủ",
                NgayHenTraMoi=stamp(due),
                TrangThaiBoSung=1,
            )
            clock_start = counting_start(clock, back)
            span = max(working_seconds_between(clock, clock_start, due), 1800)
            start = clock_start
        else:
            item["TrangThaiBoSung"] = 0
        supplements.append(item)
        if back is None or back > AS_OF:
            # the citizen never came back: stopped after a month, or still waiting
            stop_at = _after(calendar, asked, 22 * office_day)
            if stop_at <= AS_OF:
                record.update(TrangThaiHoSo=8, NgayKetThucXuLy=stamp(stop_at), NgayHenTra=stamp(due))
                record["GhiChu"] = "Công dân không bổ sung hồ sơ trong thời hạn"
            else:
                record.update(TrangThaiHoSo=5, NgayHenTra=stamp(due))
            record["DanhSachHoSoBoSung"] = supplements
            record["_day_moment"] = submitted if channel == 2 else received
            record["_receiving"] = receiving.eid_code or receiving.code
            _flags(rng, record, proc, channel, applicant, finished=False)
            return record

    outcome = rng.random()
    if stuck:
        kind = "open"
    elif outcome < 0.03:
        kind = "withdrawn"
    elif outcome < 0.045:
        kind = "refused"
    elif outcome < 0.11:
        kind = "late"
    else:
        kind = "on_time"
    if kind == "withdrawn":
        finished = _after(calendar, start, rng.uniform(0.1, 0.8) * span)
        status, note = 7, "Công dân có đơn xin rút hồ sơ"
    elif kind == "refused":
        finished = _after(calendar, start, rng.uniform(0.3, 0.9) * span)
        status, note = 8, rng.choice(REFUSAL_REASONS)
        record["TrangThaiNoiBo"] = "refused_after_appraisal"
    elif kind == "late":
        if rng.random() < 0.55:
            # apology and a new date, recorded at least one working day before the due day (Điều 19.9)
            due_day = due.astimezone(TZ).date()
            apology_day = _working_day_before(clock, due_day)
            apology = _office_moment(rng, clock, apology_day)
            if start < apology <= AS_OF and rules.apology_in_time(clock, apology, due, 1):
                new_due = clock.closing(clock.add_working_days(due_day, rng.randint(2, 5)))
                resets.append(
                    {
                        "NgayXinLoi": stamp(apology),
                        "NgayHenTraTruoc": stamp(due),
                        "NgayHenTraMoi": stamp(new_due),
                        "LyDo": rng.choice(LATE_REASONS),
                    }
                )
                # mostly kept: finished before the new date (late only against the first one)
                finished = _after(
                    clock, apology, rng.uniform(0.2, 1.0) * working_seconds_between(clock, apology, new_due)
                )
                if rng.random() < 0.2:
                    finished = _after(clock, new_due, rng.uniform(0.05, 2) * office_day)
                due = new_due
        if finished is None:
            finished = _after(clock, due, rng.uniform(0.05, 3) * office_day)
        status = 10
    else:
        finished = _after(clock, start, rng.uniform(0.15, 0.97) * span)
        status = 10
    if kind == "open" or (finished is not None and finished > AS_OF):
        finished, note = None, ""
        record.pop("TrangThaiNoiBo", None)
        status = 4
        record.update(TrangThaiHoSo=4, NgayHenTra=stamp(due))
    else:
        assert finished is not None
        if status == 10:
            returned = _after(calendar, finished, rng.uniform(0, 1.5) * office_day)
            if returned > AS_OF or rng.random() < 0.01:
                returned, status = None, 9
        record.update(TrangThaiHoSo=status, NgayHenTra=stamp(due), NgayKetThucXuLy=stamp(finished))
        if returned is not None:
            record["NgayTra"] = stamp(returned)
    if note:
        record["GhiChu"] = note
    if supplements:
        record["DanhSachHoSoBoSung"] = supplements
    if resets:
        record["DanhSachHenLai"] = resets
    record["_day_moment"] = submitted if channel == 2 else received
    record["_receiving"] = receiving.eid_code or receiving.code
    _flags(rng, record, proc, channel, applicant, finished=status in (9, 10))
    return record


def _working_day_before(calendar: Calendar, day: date) -> date:
    current = day - timedelta(days=1)
    while not calendar.is_working_day(current):
        current -= timedelta(days=1)
    return current


def _flags(
    rng: random.Random,
    record: dict[str, Any],
    proc: _Procedure,
    channel: int,
    applicant: Applicant,
    *,
    finished: bool,
) -> None:
    """Components, fees and the QĐ 766 inputs."""
    online = channel == 2
    components = []
    for name in proc.components:
        digitised = online or rng.random() < 0.65
        components.append(
            {
                "TenTepDinhKem": name,
                "DuocSoHoa": int(digitised),
                "DuocLayTuKhoDMQG": int(online and rng.random() < 0.25),
            }
        )
    record["TaiLieuNop"] = components
    if proc.fee:
        paid_online = online and rng.random() < 0.6
        record["DanhSachLePhi"] = [
            {
                "TenPhiLePhi": "Lệ phí giải quyết thủ tục",
                "HinhThucThu": 1,
                "Gia": proc.fee,
                "LoaiPhiLePhi": 1,
                "TrangThaiThanhToan": 1 if record.get("TrangThaiHoSo") != 3 else 0,
            }
        ]
        record["DuocThanhToanTrucTuyen"] = (1 if rng.random() < 0.7 else 2) if paid_online else 0
    else:
        record["DuocThanhToanTrucTuyen"] = 0
    record["HoSoCoThanhPhanSoHoa"] = int(any(c["DuocSoHoa"] for c in components))
    if applicant.kind == 1:
        record["TaiKhoanDuocXacThucVoiVNeID"] = int(online and rng.random() < 0.85)
        if rng.random() < 0.5:
            record["MaCSDL"] = "CSDLQGDC"
    if finished and proc.paper_result and rng.random() < 0.7:
        # The result's code only (the documents demo step signs the most recent ones and links their
        # file, DuongDanTepTinKetQua): a link to nothing would count as an electronic result in 766.
        chars = "".join(rng.choice(RESULT_ALPHABET) for _ in range(16))
        record["MaKetQua"] = "KQ-" + "-".join(chars[i : i + 4] for i in range(0, 16, 4))
    record["ThoiGianGiaiQuyet"] = float(proc.version.time_limit_value)
    record["DonViTinh"] = proc.version.time_limit_unit


def load_history(count: int = COUNT, *, seed: int = SEED, progress: bool = False) -> Summary:
    """Generate and import the history (idempotent: a second run finds every dossier unchanged)."""
    records = generate(count, seed=seed)
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    return import_file(io.StringIO(text), label=LABEL, progress=progress)
