"""Monthly lists of late dossiers (NĐ 61/2018 Điều 19.9 and 20; Kế hoạch 3327 nhiệm vụ 19).

    late_list(month, unit) -> LateList   # the late dossiers of a unit (and its sub-units) for a month
    publish(user, month, unit) -> LatePublication   # freeze the list for the citizen portal
    flag_missing_apologies.call(now=…)    # periodic: tell the unit head once per late dossier lacking
                                           # an apology letter

Membership is the QĐ 766 on-time rule (indicator 2.1, docs/rules.md §8) over the month: the dossiers of
the 2.1 population that count against it, with the engine's own reason code and explanation. For the
current month the period ends today (a list "so far"); a month that has not begun is refused. The
apology letter is the dossier's ``DueReset`` (Mẫu 04: reason, new date) recorded by the end of the
period. The scope is the competent (processing) unit and its subtree, as for the index.

Reads are batched: the population comes through ``selectors.dossier_page`` (one query and four side
queries per 2,000 dossiers), then one query for the display columns and one for the apologies of the
late ones — never a query per row.
"""

from __future__ import annotations

import calendar as _calendar
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.tasks import task
from django.utils import timezone

from motcua.core import audit
from motcua.core.errors import DomainError, Forbidden
from motcua.core.mail import send_digests
from motcua.core.models import OrgUnit, Role, RoleAssignment, User
from motcua.core.permissions import has_role
from motcua.dossiers.models import Dossier, DueReset
from motcua.dossiers.rules import NATIONAL_STATUS_LABELS
from motcua.evaluation import formulas, ontime, selectors
from motcua.evaluation.formulas import DossierFacts, OnTime, Period
from motcua.evaluation.models import LateFlag, LateNote, LatePublication
from motcua.workdays.domain import CalendarError, to_local

PAGE = 2000  # dossiers judged per read
NO_APOLOGY = "Chưa có thư xin lỗi"
PUBLISHERS = (Role.AGENCY_LEADER, Role.SUPERVISOR, Role.ADMINISTRATOR)
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")


class LateListInputError(DomainError):
    status = 400
    code = "late_list_invalid"


# -- the month ---------------------------------------------------------------------------------------


def parse_month(text: str | None) -> date:
    """``YYYY-MM`` (or ``MM/YYYY``) → the month's first day; a Vietnamese 400 otherwise."""
    raw = (text or "").strip()
    match = _MONTH.fullmatch(raw)
    if match is None and (alt := re.fullmatch(r"(\d{1,2})/(\d{4})", raw)):
        year, month = int(alt.group(2)), int(alt.group(1))
    elif match is not None:
        year, month = int(match.group(1)), int(match.group(2))
    else:
        raise LateListInputError(
            f"Tháng “{raw[:20]}” không hợp lệ; hãy chọn tháng dạng YYYY-MM (ví dụ 2026-03)."
        )
    if not (1 <= month <= 12 and 2000 <= year <= 2100):
        raise LateListInputError(
            f"Tháng “{raw[:20]}” không hợp lệ; hãy chọn tháng dạng YYYY-MM (ví dụ 2026-03)."
        )
    return date(year, month, 1)


def month_end(month: date) -> date:
    return month.replace(day=_calendar.monthrange(month.year, month.month)[1])


def month_period(month: date, today: date | None = None) -> Period:
    """The month as a period; the current month ends today, a future month is refused."""
    today = today or timezone.localdate()
    if month > today:
        raise LateListInputError(f"Tháng {month:%m/%Y} chưa bắt đầu: chưa có danh sách hồ sơ trễ hạn.")
    return Period(month, min(month_end(month), today))


def month_ended(month: date, today: date | None = None) -> bool:
    return month_end(month) < (today or timezone.localdate())


def previous_month(today: date | None = None) -> date:
    first = (today or timezone.localdate()).replace(day=1)
    return (first - timedelta(days=1)).replace(day=1)


# -- the list ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LateRow:
    """One late dossier of the list. ``public()`` holds the columns the portal may show (no applicant)."""

    dossier_id: int
    code: str
    procedure_code: str
    procedure_name: str
    receiving_unit: str
    competent_unit: str
    competent_unit_id: int
    received_at: datetime | None
    due_at: datetime | None  # what was compared with: the statutory due (never an apology's new date)
    ended: bool  # reached a terminal state by the end of the period
    end_at: datetime | None  # terminal moment, supplement request, or the end of the period
    status: str  # national status label now
    days_late: int | None  # working days after the due's day up to the (effective) end; None: no due
    reason_code: str
    reason: str  # the unit's reason in plain words when written, else the computed explanation
    apology: bool
    apology_reason: str = ""
    apology_new_due: datetime | None = None
    apology_at: datetime | None = None
    computed: str = ""  # the computed explanation (how late, against which due)
    unit_reason: str = ""  # the reason the unit wrote (LateNote)
    apology_sent_on: date | None = None  # an apology letter sent after the dossier was already late

    @property
    def flagged(self) -> bool:
        """Late and no apology letter: the unit owes the applicant one (NĐ 61/2018 Điều 19.9)."""
        return not self.apology

    def public(self) -> dict[str, Any]:
        """The snapshot of a publication: JSON, public columns only (never the applicant)."""

        def iso(moment: datetime | None) -> str | None:
            return moment.isoformat() if moment else None

        return {
            "code": self.code,
            "procedure_code": self.procedure_code,
            "procedure_name": self.procedure_name,
            "receiving_unit": self.receiving_unit,
            "competent_unit": self.competent_unit,
            "received_at": iso(self.received_at),
            "due_at": iso(self.due_at),
            "ended": self.ended,
            "end_at": iso(self.end_at),
            "days_late": self.days_late,
            "reason_code": self.reason_code,
            "reason": self.reason,
            "apology": self.apology,
            "apology_reason": self.apology_reason,
            "apology_new_due": iso(self.apology_new_due),
            "apology_sent_on": self.apology_sent_on.isoformat() if self.apology_sent_on else None,
            "days_unit": "working_days",
        }


@dataclass(frozen=True)
class LateList:
    month: date
    period: Period
    unit: OrgUnit | None
    rows: tuple[LateRow, ...]

    @property
    def without_apology(self) -> int:
        return sum(1 for r in self.rows if not r.apology)

    @property
    def complete(self) -> bool:
        """The month has ended: the list is final (it may be published)."""
        return self.period.end == month_end(self.month)


def days_late(t: OnTime, calendar_for: formulas.CalendarFor, unit_id: int) -> int | None:
    """Working days in (due's local day, effective end's local day] on the competent unit's calendar.

    0 when the dossier is late by hours on the due day itself (or late only because a supplement was
    requested twice); None without a due moment."""
    if t.due is None or t.effective_end is None:
        return None
    if t.effective_end <= t.due:
        return 0
    try:
        cal = calendar_for(unit_id)
    except CalendarError:  # pragma: no cover - a unit's calendar always builds in practice
        return None
    return cal.working_days_between(to_local(t.due).date(), to_local(t.effective_end).date())


_Late = list[tuple[DossierFacts, OnTime, str, str]]


def _late(scope: selectors.ScopeFilter, period: Period) -> tuple[_Late, selectors.Calendars]:
    """(facts, verdict, reason code, explanation) of every dossier of the scope late in the period, and
    the calendars built on the way (reused for the days late)."""
    versions = selectors.versions()
    calendars = selectors.Calendars(period.end)
    basis = ontime.basis_late_list(period.end)
    population = selectors.on_time_population(period)
    found: _Late = []
    after: tuple[datetime, int] | None = None
    while True:
        batch = selectors.dossier_page(scope, period, population, after, PAGE)
        for d in batch:
            version = versions.get(d.version_id)
            verdict = formulas.judge_dossier("2.1", d, period, version, calendars, basis)
            if verdict is None or verdict.counts:
                continue
            t = formulas.on_time(d, period, version, calendars, basis)
            text = formulas.explain("2.1", verdict, d, period, version, calendars, basis)
            found.append((d, t, verdict.reason, text))
        if len(batch) < PAGE:
            break
        last = batch[-1]
        assert last.received_at is not None
        after = (last.received_at, last.id)
    return found, calendars


def _apologies(ids: list[int], before: datetime) -> dict[int, DueReset]:
    """The last apology letter of each dossier recorded before ``before``."""
    if not ids:
        return {}
    found: dict[int, DueReset] = {}
    for reset in DueReset.objects.filter(dossier_id__in=ids, recorded_at__lt=before).order_by(
        "dossier_id", "ordinal"
    ):
        found[reset.dossier_id] = reset
    return found


def late_rows(scope: selectors.ScopeFilter, period: Period) -> tuple[LateRow, ...]:
    late, calendars = _late(scope, period)
    if not late:
        return ()
    ids = [d.id for d, *_ in late]
    columns = {
        row[0]: row[1:]
        for row in Dossier.objects.filter(pk__in=ids).values_list(
            "pk",
            "procedure__code",
            "procedure__name",
            "receiving_unit__name",
            "competent_unit__name",
            "national_status",
        )
    }
    apologies = _apologies(ids, period.end_exclusive)
    notes = {n.dossier_id: n for n in LateNote.objects.filter(dossier_id__in=ids)}
    rows = []
    for d, t, reason_code, text in late:
        pcode, pname, receiving, competent, status = columns[d.id]
        apology = apologies.get(d.id)
        note = notes.get(d.id)
        written = note.reason.strip() if note else ""
        sent_on = note.apology_sent_on if note else None
        rows.append(
            LateRow(
                dossier_id=d.id,
                code=d.code,
                procedure_code=pcode,
                procedure_name=pname,
                receiving_unit=receiving,
                competent_unit=competent,
                competent_unit_id=d.unit_id,
                received_at=d.received_at,
                due_at=t.due,
                ended=t.ended,
                end_at=t.end,
                status=NATIONAL_STATUS_LABELS.get(status, str(status)),
                days_late=days_late(t, calendars, d.unit_id),
                reason_code=reason_code,
                reason=written or text,
                apology=apology is not None or sent_on is not None,
                apology_reason=apology.reason if apology else "",
                apology_new_due=apology.new_due if apology else None,
                apology_at=apology.recorded_at if apology else None,
                computed=text,
                unit_reason=written,
                apology_sent_on=sent_on,
            )
        )
    return tuple(rows)


def late_list(month: date, unit: OrgUnit | None, *, today: date | None = None) -> LateList:
    """The late dossiers of ``unit`` (its subtree; None: the province) for ``month``."""
    period = month_period(month, today)
    scope = selectors.scope_filter(unit, None)
    with transaction.atomic():
        rows = late_rows(scope, period)
    return LateList(month, period, unit, rows)


# -- what the unit records about a late dossier ---------------------------------------------------

NOTE_WRITERS = (
    Role.AGENCY_LEADER,
    Role.UNIT_LEADER,
    Role.INTAKE_OFFICER,
    Role.SPECIALIST,
    Role.SUPERVISOR,
    Role.ADMINISTRATOR,
)
NOTE_MAX = 2000


def record_note(
    user: User, code: str, *, reason: str, apology_sent_on: date | None, now: datetime | None = None
) -> LateNote:
    """Write (or rewrite) the unit's reason in plain words and the day an apology letter was sent for a
    dossier that was already late. Officers of the competent unit (or above) only; audited."""
    dossier = Dossier.objects.select_related("competent_unit").filter(code=code.strip()[:60]).first()
    if dossier is None or not has_role(user, NOTE_WRITERS, dossier.competent_unit):
        raise Forbidden("Bạn không có quyền ghi nhận lý do trễ hạn của hồ sơ này.")
    text = " ".join((reason or "").split())
    if len(text) > NOTE_MAX:
        raise LateListInputError(f"Lý do trễ hạn dài quá {NOTE_MAX} ký tự.")
    if any(ord(ch) < 32 for ch in text):
        raise LateListInputError("Lý do trễ hạn có ký tự không hợp lệ.")
    moment = now or timezone.now()
    today = to_local(moment).date()
    if apology_sent_on is not None:
        if apology_sent_on > today:
            raise LateListInputError("Ngày gửi thư xin lỗi không được ở tương lai.")
        if dossier.received_at is not None and apology_sent_on < to_local(dossier.received_at).date():
            raise LateListInputError("Ngày gửi thư xin lỗi không được trước ngày tiếp nhận hồ sơ.")
    if not text and apology_sent_on is None:
        raise LateListInputError("Hãy ghi lý do trễ hạn hoặc ngày đã gửi thư xin lỗi.")
    with transaction.atomic(), audit.acting_as(user):
        note, _ = LateNote.objects.select_for_update().update_or_create(
            dossier=dossier,
            defaults={
                "reason": text,
                "apology_sent_on": apology_sent_on,
                "updated_at": moment,
                "updated_by": user,
            },
        )
        audit.record(
            "evaluation.late_list.note",
            object_type="dossiers.dossier",
            object_id=dossier.code,
            summary=f"Ghi nhận lý do trễ hạn / thư xin lỗi của hồ sơ {dossier.code}",
            data={
                "reason": text,
                "apology_sent_on": apology_sent_on.isoformat() if apology_sent_on else None,
            },
        )
    return note


# -- who may see and publish -------------------------------------------------------------------------


def can_publish(user: User, unit: OrgUnit) -> bool:
    """The unit head (agency leader) of the unit or above, the office (supervisor) or an administrator."""
    return has_role(user, PUBLISHERS, unit)


def latest_publication(unit: OrgUnit, month: date) -> LatePublication | None:
    return (
        LatePublication.objects.filter(unit=unit, month=month)
        .select_related("published_by")
        .order_by("-revision")
        .first()
    )


def publish(user: User, month: date, unit: OrgUnit, *, now: datetime | None = None) -> LatePublication:
    """Freeze the month's late list of ``unit`` for the portal (a new revision each time)."""
    if not can_publish(user, unit):
        raise Forbidden("Chỉ lãnh đạo đơn vị, Văn phòng UBND hoặc quản trị hệ thống được công bố danh sách.")
    moment = now or timezone.now()
    today = to_local(moment).date()
    if not month_ended(month, today):
        raise DomainError(
            f"Tháng {month:%m/%Y} chưa kết thúc: chỉ công bố danh sách của tháng đã qua.",
            code="late_list_month_open",
            status=409,
        )
    result = late_list(month, unit, today=today)
    with transaction.atomic(), audit.acting_as(user):
        last = (
            LatePublication.objects.select_for_update()
            .filter(unit=unit, month=month)
            .aggregate(n=Max("revision"))["n"]
            or 0
        )
        try:
            publication = LatePublication.objects.create(
                unit=unit,
                month=month,
                revision=last + 1,
                published_at=moment,
                published_by=user,
                as_of=result.period.end_at,
                count=len(result.rows),
                without_apology=result.without_apology,
                rows=[r.public() for r in result.rows],
            )
        except IntegrityError:
            raise DomainError(
                "Danh sách vừa được công bố bởi người khác; hãy tải lại trang.",
                code="late_list_conflict",
                status=409,
            ) from None
        audit.record(
            "evaluation.late_list.publish",
            object_type="evaluation.latepublication",
            object_id=publication.pk,
            summary=f"Công bố danh sách hồ sơ trễ hạn tháng {month:%m/%Y} — {unit.name} (lần {last + 1})",
            data={"unit": unit.code, "month": month.isoformat(), "count": publication.count},
        )
    return publication


# -- the periodic flag -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Line:
    code: str
    procedure: str
    unit: str
    due_at: datetime | None
    days_late: int | None


def leaders_for(unit_ids: set[int], day: date) -> dict[int, list[User]]:
    """The head of each competent unit: agency leaders assigned at the unit, else at the nearest unit
    above it that has one (a division's head is its department's leader). Two queries."""
    units = {u.pk: u for u in OrgUnit.objects.filter(pk__in=unit_ids)}
    codes = {c for u in units.values() for c in u.path.strip("/").split("/") if c}
    rows = (
        RoleAssignment.objects.filter(role=Role.AGENCY_LEADER, unit__code__in=codes, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))
        .filter(user__is_active=True)
        .select_related("user", "unit")
    )
    by_code: dict[str, list[User]] = defaultdict(list)
    for row in rows:
        by_code[row.unit.code].append(row.user)
    found: dict[int, list[User]] = {}
    for pk, unit in units.items():
        for code in reversed([c for c in unit.path.strip("/").split("/") if c]):
            if by_code.get(code):
                found[pk] = by_code[code]
                break
    return found


@task()
def flag_missing_apologies(now: str | None = None) -> dict[str, int]:
    """Tell each unit head, once per dossier, about the late dossiers of the month so far that have no
    apology letter (province-wide; one digest e-mail per recipient). ``now`` (ISO 8601) is for replays
    and tests; the scheduled run uses the clock."""
    moment = datetime.fromisoformat(now) if now else timezone.now()
    today = to_local(moment).date()
    result = late_list(today.replace(day=1), None, today=today)
    missing = [r for r in result.rows if not r.apology]
    already = set(
        LateFlag.objects.filter(dossier_id__in=[r.dossier_id for r in missing]).values_list(
            "dossier_id", flat=True
        )
    )
    fresh = [r for r in missing if r.dossier_id not in already]
    leaders = leaders_for({r.competent_unit_id for r in fresh}, today)
    digests: dict[str, list[_Line]] = defaultdict(list)
    flagged = 0
    with audit.acting_as(None, label="việc định kỳ: hồ sơ trễ hạn chưa có thư xin lỗi"), transaction.atomic():
        for row in fresh:
            emails = sorted({u.email for u in leaders.get(row.competent_unit_id, []) if u.email})
            try:
                with transaction.atomic():
                    LateFlag.objects.create(
                        dossier_id=row.dossier_id,
                        unit_id=row.competent_unit_id,
                        flagged_at=moment,
                        due_at=row.due_at,
                        recipients=emails,
                    )
            except IntegrityError:
                continue  # another worker flagged it first
            flagged += 1
            for email in emails:
                digests[email].append(
                    _Line(row.code, row.procedure_name, row.competent_unit, row.due_at, row.days_late)
                )
        if flagged:
            audit.record(
                "evaluation.late_list.flag",
                object_type="evaluation.lateflag",
                summary=f"Báo {flagged} hồ sơ trễ hạn chưa có thư xin lỗi",
                data={"flagged": flagged, "at": moment.isoformat()},
            )
        _send(digests)  # queued with the flags (core.mail outbox), delivered once both are committed
    return {"late": len(result.rows), "without_apology": len(missing), "flagged": flagged}


def _mail_line(line: _Line) -> str:
    due = f"hạn {to_local(line.due_at):%H:%M %d/%m/%Y}" if line.due_at else "không có ngày hẹn trả"
    late = f"; trễ {line.days_late} ngày làm việc" if line.days_late else ""
    return f"- {line.code} ({line.unit}; {due}{late}): {line.procedure}"


def _send(digests: dict[str, list[_Line]]) -> None:
    send_digests(
        digests,
        subject=lambda lines: f"[Một cửa] {len(lines)} hồ sơ trễ hạn chưa có thư xin lỗi",
        intro=(
            "Các hồ sơ sau đã trễ hạn nhưng chưa có Phiếu xin lỗi và hẹn lại ngày trả kết quả "
            "(NĐ 61/2018/NĐ-CP Điều 19):"
        ),
        line=_mail_line,
        signature="Hệ thống thông tin giải quyết thủ tục hành chính.",
    )
