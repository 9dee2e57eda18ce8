"""TT 01/2018/TT-VPCP scoring (Điều 13–15; domain.md §2.4) — pure Python, no Django, strictly typed.

Nine indicators, each scored 0, 1 or 2: 1, 2, 3, 4 and 7 per dossier, 5, 6, 8 and 9 per unit. A
per-dossier indicator's score for a person or a unit = Σ dossier scores ÷ number of dossiers, rounded
half-up to one decimal; the total is the sum of the indicator scores that have data (an indicator with
no data is skipped and shown as such); the total falls in a band (officials: 1, 2, 3, 4, 7 — at most
10; agencies: all nine — at most 18). The bands are the rule ``evaluation.tt01`` (``BANDS_DEFAULT``).

The readings motcua chose (compare by local date; a single unit's own time; timing-only attitude…) are
in docs/rules.md "TT 01/2018 scoring"; ``tt01_selectors`` reads the database into ``DossierScore`` /
``UnitFacts``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal, NamedTuple

from motcua.workdays.domain import to_local

Status = Literal["computed", "assumed", "missing", "skipped"]
TENTH = Decimal("0.1")

# code → (short Vietnamese name, per "dossier" or "unit")
INDICATORS: dict[str, tuple[str, str]] = {
    "1": ("Thời gian giải quyết so với quy định", "dossier"),
    "2": ("Thời gian của từng cơ quan, đơn vị tham gia so với thời gian được giao", "dossier"),
    "3": ("Số lần liên hệ để hoàn thiện hồ sơ", "dossier"),
    "4": ("Số cơ quan, đơn vị phải liên hệ", "dossier"),
    "5": ("Thực hiện tiếp nhận, thẩm định, phê duyệt, trả kết quả tại Bộ phận Một cửa", "unit"),
    "6": ("Công khai thủ tục hành chính (niêm yết và điện tử)", "unit"),
    "7": ("Thái độ của cán bộ (không có phản ánh, kiến nghị)", "dossier"),
    "8": ("Tiếp nhận, xử lý phản ánh, kiến nghị đúng hạn", "unit"),
    "9": ("Cung cấp dịch vụ công trực tuyến", "unit"),
}
OFFICER_CODES = ("1", "2", "3", "4", "7")
UNIT_CODES = ("1", "2", "3", "4", "5", "6", "7", "8", "9")

ASSUMED_NO_COMPLAINTS = "Giả định: chưa có dữ liệu phản ánh, kiến nghị — chấm theo thời gian giải quyết."
MISSING_COMPLAINTS = "Thiếu dữ liệu: motcua chưa quản lý phản ánh, kiến nghị (PAKN)."
ASSUMED_PUBLICATION = (
    "Giả định: Cổng dịch vụ công công khai điện tử mọi thủ tục đang hiệu lực (ít nhất 1 điểm); "
    "việc niêm yết tại Bộ phận Một cửa chưa được ghi nhận nên chấm 1."
)
ASSUMED_ONE_STOP = (
    "Giả định: tỷ lệ thủ tục có mọi hồ sơ do chính Bộ phận Một cửa tiếp nhận và giải quyết (đơn vị tiếp "
    "nhận là đơn vị giải quyết), so với ngưỡng theo cấp đơn vị."
)

# -- bands (the rule ``evaluation.tt01``) --------------------------------------------------------------

BANDS_DEFAULT: dict[str, Any] = {
    "official": [[5, "Hoàn thành 100% nhiệm vụ"], [3.5, "Hoàn thành từ 70% đến dưới 100% nhiệm vụ"]],
    "official_below": "Hoàn thành dưới 70% nhiệm vụ",
    "agency": [[15, "Xuất sắc"], [12, "Tốt"], [9, "Khá"], [6, "Trung bình"]],
    "agency_below": "Yếu",
}


class BandError(ValueError):
    pass


@dataclass(frozen=True)
class Bands:
    """Thresholds, highest first: a total ≥ a threshold takes its label; below all, ``*_below``."""

    official: tuple[tuple[Decimal, str], ...]
    official_below: str
    agency: tuple[tuple[Decimal, str], ...]
    agency_below: str

    def official_band(self, total: Decimal) -> str:
        return _band(self.official, self.official_below, total)

    def agency_band(self, total: Decimal) -> str:
        return _band(self.agency, self.agency_below, total)


def _band(steps: tuple[tuple[Decimal, str], ...], below: str, total: Decimal) -> str:
    for threshold, label in steps:
        if total >= threshold:
            return label
    return below


def _steps(value: Any, key: str) -> tuple[tuple[Decimal, str], ...]:
    if not isinstance(value, list) or not value:
        raise BandError(f"“{key}” phải là danh sách [ngưỡng, tên mức], từ cao xuống thấp.")
    steps: list[tuple[Decimal, str]] = []
    for item in value:
        if (
            not isinstance(item, list | tuple)
            or len(item) != 2
            or isinstance(item[0], bool)
            or not isinstance(item[0], int | float)
            or not isinstance(item[1], str)
            or not item[1].strip()
        ):
            raise BandError(f"Mỗi mức của “{key}” gồm ngưỡng (số) và tên mức.")
        threshold = Decimal(str(item[0]))
        if threshold < 0 or (steps and threshold >= steps[-1][0]):
            raise BandError(f"Ngưỡng của “{key}” phải không âm và giảm dần.")
        steps.append((threshold, item[1].strip()))
    return tuple(steps)


def parse_bands(value: Any) -> Bands:
    if not isinstance(value, Mapping):
        raise BandError(
            "Giá trị phải là một đối tượng JSON với official, official_below, agency, agency_below."
        )
    below = {k: value.get(k) for k in ("official_below", "agency_below")}
    for key, text in below.items():
        if not isinstance(text, str) or not text.strip():
            raise BandError(f"Thiếu tên mức thấp nhất “{key}”.")
    return Bands(
        _steps(value.get("official"), "official"),
        str(below["official_below"]).strip(),
        _steps(value.get("agency"), "agency"),
        str(below["agency_below"]).strip(),
    )


def bands_value(value: Any) -> dict[str, Any]:
    """Validator of the rule ``evaluation.tt01`` (core/rules.py)."""
    parse_bands(value)
    return dict(value)


# -- per-dossier scores --------------------------------------------------------------------------------


def compare(actual: datetime, allowed: datetime) -> int:
    """2 shorter, 1 equal, 0 longer — by local date: finished on a day before the allowed moment's day →
    shorter; on that day and not after the moment → equal; after the moment → longer (❓ motcua's
    reading, the same as the 766 engine's "early" / "on time")."""
    if actual > allowed:
        return 0
    return 2 if to_local(actual).date() < to_local(allowed).date() else 1


def score_contacts(supplement_requests: int) -> int:
    """Indicator 3: no supplement request → 2; one → 1; more → 0 (the applicant's fault is not recorded)."""
    return 2 if supplement_requests <= 0 else 1 if supplement_requests == 1 else 0


def score_agencies(channel: int, result_delivery: str) -> int:
    """Indicator 4: submitted and received without visiting any agency (online or by post, both ways) →
    2; the Bộ phận Một cửa only → 1. motcua routes every dossier through one Một cửa, so 0 (more
    agencies) does not arise from its data."""
    remote_in = channel in (2, 3)
    remote_out = result_delivery in ("online", "post")
    return 2 if remote_in and remote_out else 1


def score_attitude(timing: int | None, complaints: int | None) -> int | None:
    """Indicator 7: a substantiated complaint → 0; else early → 2, on time → 1; late → 0 (❓).
    ``complaints`` None = no complaint data (the caller flags the assumption)."""
    if complaints:
        return 0
    return timing


def worst(scores: Iterable[int | None]) -> int | None:
    """The lowest of the scores that exist (a dossier is as good as its slowest unit), None if none."""
    found = [s for s in scores if s is not None]
    return min(found) if found else None


class DossierScore(NamedTuple):
    """The per-dossier indicators of one dossier (None: no data for it)."""

    id: int
    code: str
    unit_id: int  # the competent unit
    handlers: tuple[int, ...]  # officers who acted on it (DossierEvent actors, the assignee)
    s1: int | None
    s2: int | None
    s3: int | None
    s4: int | None
    s7: int | None
    online: bool = False


def average(scores: Sequence[int]) -> Decimal | None:
    """Σ ÷ n rounded half-up to one decimal; None for no dossier."""
    if not scores:
        return None
    return (Decimal(sum(scores)) / Decimal(len(scores))).quantize(TENTH, rounding=ROUND_HALF_UP)


# -- per-unit scores -----------------------------------------------------------------------------------

# Indicator 5 thresholds by unit kind (share of the TTHC list handled wholly in the Một cửa).
ONE_STOP_SHARE = {"commune": Decimal(100), "ward": Decimal(100), "special_zone": Decimal(100)}
ONE_STOP_SHARE_DISTRICT = Decimal(50)
ONE_STOP_SHARE_PROVINCE = Decimal(20)


def one_stop_threshold(kind: str) -> Decimal:
    if kind in ONE_STOP_SHARE:
        return ONE_STOP_SHARE[kind]
    return ONE_STOP_SHARE_DISTRICT if kind == "district" else ONE_STOP_SHARE_PROVINCE


def score_one_stop(kind: str, share: Decimal, all_through_one_stop: bool) -> int:
    """Indicator 5: share ≥ the level's threshold → 2; every dossier received and returned at a Một
    cửa → 1; otherwise 0."""
    if share >= one_stop_threshold(kind):
        return 2
    return 1 if all_through_one_stop else 0


def score_online(provision: Decimal, online_share: Decimal, late_online: int) -> int:
    """Indicator 9: ≥20% of the TTHC at level 3/4 (online, full or partial), online dossiers ≥30% and no
    online dossier late → 2; some online provision, online dossiers ≥15% (❓ "15–<30%" read as "at least
    15%") and none late → 1; otherwise 0."""
    if late_online:
        return 0
    if provision >= 20 and online_share >= 30:
        return 2
    if provision > 0 and online_share >= 15:
        return 1
    return 0


@dataclass(frozen=True)
class UnitFacts:
    """What the per-unit indicators read of one unit for the period."""

    unit_id: int
    code: str
    name: str
    kind: str
    procedures: int  # procedures with completed dossiers of the unit in the period
    procedures_in_one_stop: int  # those whose dossiers were all received and processed by one unit
    all_through_one_stop: bool  # every dossier received at a Một cửa
    versions_in_force: int  # the unit's procedures in force (its TTHC list)
    versions_online: int  # those with an online service (level 3/4: full or partial)


def percent(numerator: int, denominator: int) -> Decimal:
    if denominator <= 0:
        return Decimal(0)
    return (Decimal(100) * numerator / denominator).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# -- results -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorScore:
    code: str
    name: str
    score: Decimal | None  # None: skipped or missing
    dossiers: int  # how many dossiers were averaged (0 for a per-unit indicator)
    status: Status
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "score": None if self.score is None else float(self.score),
            "dossiers": self.dossiers,
            "status": self.status,
            "note": self.note,
        }


@dataclass(frozen=True)
class Scorecard:
    kind: Literal["unit", "officer"]
    id: int
    code: str  # unit code or username
    name: str
    dossiers: int
    indicators: tuple[IndicatorScore, ...]
    total: Decimal
    max: int
    band: str

    def indicator(self, code: str) -> IndicatorScore:
        return next(i for i in self.indicators if i.code == code)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "code": self.code,
            "name": self.name,
            "dossiers": self.dossiers,
            "indicators": [i.as_dict() for i in self.indicators],
            "total": float(self.total),
            "max": self.max,
            "band": self.band,
        }


def _dossier_indicator(code: str, dossiers: Sequence[DossierScore], complaints_known: bool) -> IndicatorScore:
    values = [v for d in dossiers if (v := getattr(d, f"s{code}")) is not None]
    name = INDICATORS[code][0]
    score = average(values)
    if score is None:
        return IndicatorScore(code, name, None, 0, "skipped", "Không có hồ sơ có dữ liệu cho chỉ số này.")
    if code == "7" and not complaints_known:
        return IndicatorScore(code, name, score, len(values), "assumed", ASSUMED_NO_COMPLAINTS)
    return IndicatorScore(code, name, score, len(values), "computed")


def _total(indicators: Iterable[IndicatorScore]) -> Decimal:
    return sum((i.score for i in indicators if i.score is not None), Decimal(0))


def officer_card(
    officer_id: int,
    username: str,
    name: str,
    dossiers: Sequence[DossierScore],
    bands: Bands,
    *,
    complaints_known: bool = False,
) -> Scorecard:
    indicators = tuple(_dossier_indicator(c, dossiers, complaints_known) for c in OFFICER_CODES)
    total = _total(indicators)
    return Scorecard(
        "officer",
        officer_id,
        username,
        name,
        len(dossiers),
        indicators,
        total,
        2 * len(OFFICER_CODES),
        bands.official_band(total),
    )


def unit_indicators(facts: UnitFacts, dossiers: Sequence[DossierScore]) -> tuple[IndicatorScore, ...]:
    """Indicators 5, 6, 8 and 9 of one unit."""
    out = []
    if facts.procedures:
        share = percent(facts.procedures_in_one_stop, facts.procedures)
        s5 = score_one_stop(facts.kind, share, facts.all_through_one_stop)
        note = (
            f"{ASSUMED_ONE_STOP} {facts.procedures_in_one_stop}/{facts.procedures} thủ tục = {share}% "
            f"(ngưỡng {one_stop_threshold(facts.kind)}%)."
        )
        out.append(IndicatorScore("5", INDICATORS["5"][0], Decimal(s5), 0, "assumed", note))
    else:
        out.append(IndicatorScore("5", INDICATORS["5"][0], None, 0, "skipped", "Không có hồ sơ trong kỳ."))
    out.append(IndicatorScore("6", INDICATORS["6"][0], Decimal(1), 0, "assumed", ASSUMED_PUBLICATION))
    out.append(IndicatorScore("8", INDICATORS["8"][0], None, 0, "missing", MISSING_COMPLAINTS))
    if facts.versions_in_force and dossiers:
        provision = percent(facts.versions_online, facts.versions_in_force)
        online = [d for d in dossiers if d.online]
        share = percent(len(online), len(dossiers))
        late = sum(1 for d in online if d.s1 == 0)
        s9 = score_online(provision, share, late)
        note = (
            f"TTHC có DVCTT {facts.versions_online}/{facts.versions_in_force} = {provision}%; hồ sơ trực "
            f"tuyến {len(online)}/{len(dossiers)} = {share}%; hồ sơ trực tuyến trễ hạn: {late}."
        )
        out.append(IndicatorScore("9", INDICATORS["9"][0], Decimal(s9), 0, "computed", note))
    else:
        out.append(
            IndicatorScore(
                "9", INDICATORS["9"][0], None, 0, "skipped", "Không có thủ tục được giao hoặc không có hồ sơ."
            )
        )
    return tuple(out)


def unit_card(
    facts: UnitFacts, dossiers: Sequence[DossierScore], bands: Bands, *, complaints_known: bool = False
) -> Scorecard:
    per_dossier = {c: _dossier_indicator(c, dossiers, complaints_known) for c in OFFICER_CODES}
    per_unit = {i.code: i for i in unit_indicators(facts, dossiers)}
    indicators = tuple(per_dossier.get(c) or per_unit[c] for c in UNIT_CODES)
    total = _total(indicators)
    return Scorecard(
        "unit",
        facts.unit_id,
        facts.code,
        facts.name,
        len(dossiers),
        indicators,
        total,
        2 * len(UNIT_CODES),
        bands.agency_band(total),
    )


@dataclass(frozen=True)
class TT01Result:
    period_label: str
    period_from: str
    period_to: str
    scope_label: str
    units: tuple[Scorecard, ...]
    officers: tuple[Scorecard, ...]
    notes: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": {"from": self.period_from, "to": self.period_to, "label": self.period_label},
            "scope": self.scope_label,
            "units": [u.as_dict() for u in self.units],
            "officers": [o.as_dict() for o in self.officers],
            "notes": list(self.notes),
        }
