"""The only write path of reporting: one function per use case, each one transaction.

Each use case checks the person's right (``reporting.access``) before anything is written, locks the
row it changes (``select_for_update``), writes, and appends one audit entry (``core.audit.record``;
the models are ``AUDIT_BY_SERVICE``). A refusal raises a ``DomainError`` with a Vietnamese message
(and, for bad figures, ``details`` naming each place) and leaves nothing half-stored.

Transitions of a unit's report (a table, checked by every use case)::

    (none) ─save→ draft ─submit→ submitted ─accept→ accepted
                                    └─return→ returned ─save/submit→ submitted (a new version)
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from motcua.core import audit
from motcua.core.errors import Conflict, DomainError, Forbidden, NotFound
from motcua.core.models import OrgUnit, User
from motcua.core.rules import rule_value
from motcua.integrations import outbox
from motcua.reporting import adapter, periods
from motcua.reporting import status as st
from motcua.reporting.access import Access, access_for
from motcua.reporting.models import (
    AggregateReport,
    Indicator,
    ReportDefinition,
    ReportPeriod,
    Submission,
    SubmissionVersion,
)
from motcua.reporting.values import ValueProblem, parse
from motcua.workdays.domain import to_local
from motcua.workdays.services import calendar_for

MAX_REASON = 2000

# action → the states it may start from (a unit without a report row starts as a draft)
TRANSITIONS: dict[str, frozenset[str]] = {
    "save": frozenset({"draft", "returned"}),
    "submit": frozenset({"draft", "returned"}),
    "accept": frozenset({"submitted"}),
    "return": frozenset({"submitted"}),
}


class InvalidReport(DomainError):
    code = "invalid_report"


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _today(now: datetime | None) -> date:
    return to_local(_now(now)).date()


# -- periods -----------------------------------------------------------------------------------------


def cutoff_rule(definition: ReportDefinition, on: date) -> str:
    """The definition's own cut-off rule, else the rule ``reporting.cutoff`` in force on ``on``."""
    return definition.cutoff_rule or str(rule_value("reporting.cutoff", on))


def deadline_days(definition: ReportDefinition, on: date) -> int:
    if definition.deadline_working_days is not None:
        return definition.deadline_working_days
    return int(rule_value("reporting.deadline_working_days", on))


def deadline_for(definition: ReportDefinition, end: date) -> date:
    """``deadline_days`` working days after the cut-off day, on the receiving unit's calendar
    (holidays, Tết and make-up Saturdays from ``workdays``)."""
    calendar = calendar_for(definition.receiving_unit, end)
    return calendar.add_working_days(end, deadline_days(definition, end))


def generate_periods(today: date | None = None, definition: ReportDefinition | None = None) -> int:
    """Create the missing periods of every active periodic definition up to the one being collected
    ``today``; returns how many were created. Idempotent (``motcua reporting generate-periods`` and the
    periodic job ``reporting.periods``)."""
    day = today or timezone.localdate()
    chosen = (
        [definition]
        if definition is not None
        else list(
            ReportDefinition.objects.filter(active=True).exclude(periodicity=periods.Periodicity.AD_HOC)
        )
    )
    created = 0
    for d in chosen:
        with transaction.atomic():
            have = set(ReportPeriod.objects.filter(definition=d).values_list("key", flat=True))
            new = []
            rule = functools.partial(cutoff_rule, d)
            for w in periods.windows_between(d.periodicity, rule, d.first_period_from, day):
                if w.key in have:
                    continue
                new.append(
                    ReportPeriod(
                        definition=d,
                        key=w.key,
                        label=w.label,
                        year=w.year,
                        number=w.number,
                        start=w.start,
                        end=w.end,
                        deadline=deadline_for(d, w.end),
                        cutoff_rule=cutoff_rule(d, periods.reference_day(w.periodicity, w.year, w.number)),
                    )
                )
            if new:
                ReportPeriod.objects.bulk_create(new)
                audit.record(
                    "reporting.periods",
                    object_type="reporting.reportdefinition",
                    object_id=d.pk,
                    summary=f"Tạo {len(new)} kỳ báo cáo {d.code}",
                    data={"keys": [p.key for p in new]},
                )
                created += len(new)
    return created


def create_ad_hoc_period(
    by: User, definition: ReportDefinition, *, start: date, end: date, deadline: date | None = None
) -> ReportPeriod:
    """An ad hoc (đột xuất) period: the office gives the window, the deadline defaults to the rule."""
    access = access_for(by)
    if not access.decides_for(definition.receiving_unit):
        raise Forbidden("Chỉ cơ quan nhận báo cáo được tạo kỳ báo cáo đột xuất.")
    if end < start:
        raise InvalidReport("Ngày chốt cuối phải sau ngày bắt đầu.")
    with transaction.atomic():
        number = (
            ReportPeriod.objects.filter(definition=definition, year=end.year).aggregate(n=Max("number"))["n"]
            or 0
        ) + 1
        p = periods.Periodicity.AD_HOC
        period = ReportPeriod.objects.create(
            definition=definition,
            key=f"{end.year}-DX{number}",
            label=periods.label(p, end.year, number),
            year=end.year,
            number=number,
            start=start,
            end=end,
            deadline=deadline or deadline_for(definition, end),
        )
        audit.record(
            "reporting.ad_hoc_period",
            object_type="reporting.reportperiod",
            object_id=period.pk,
            summary=str(period),
        )
    return period


# -- unit reports ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    code: str  # indicator code
    place: str
    problem: str


def indicators_of(definition: ReportDefinition) -> list[Indicator]:
    return list(
        Indicator.objects.filter(definition=definition)
        .select_related("form")
        .order_by("form__position", "position", "id")
    )


def check_values(
    indicators: list[Indicator],
    raw: Mapping[str, Any],
    *,
    complete: bool,
    places: Mapping[str, str] | None = None,
) -> tuple[dict[str, Any], list[Problem]]:
    """Parse every indicator's raw value; all problems at once, each naming its place."""
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for ind in indicators:
        place = (places or {}).get(ind.code) or f"chỉ tiêu {ind.code} “{ind.name}”"
        try:
            value = parse(raw.get(ind.code), ind.value_type, allow_negative=ind.allow_negative)
        except ValueProblem as exc:
            problems.append(Problem(ind.code, place, str(exc)))
            continue
        if value is None and complete and ind.required:
            problems.append(Problem(ind.code, place, "chưa có số liệu (bắt buộc)"))
        values[ind.code] = value
    return values, problems


def refuse(problems: list[Problem], what: str = "Số liệu chưa hợp lệ") -> InvalidReport:
    details = [{"code": p.code, "place": p.place, "problem": p.problem} for p in problems]
    first = problems[0]
    more = f" (và {len(problems) - 1} lỗi khác)" if len(problems) > 1 else ""
    return InvalidReport(f"{what}: {first.place}: {first.problem}{more}.", details=details)


def content_hash(period: ReportPeriod, unit_code: str, number: int, values: Mapping[str, Any]) -> str:
    """SHA-256 of the report's canonical JSON (what a signature would sign)."""
    body = {
        "report": period.definition.code,
        "period": period.key,
        "unit": unit_code,
        "version": number,
        "values": dict(sorted(values.items())),
    }
    text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _check_unit(access: Access, period: ReportPeriod, unit: OrgUnit) -> None:
    if not period.definition.reporting_units.filter(pk=unit.pk).exists():
        raise NotFound("Đơn vị này không thuộc diện gửi báo cáo này.")
    if not access.acts_for(unit.pk):
        raise Forbidden("Bạn không làm báo cáo cho đơn vị này.")


def save_report(
    by: User,
    period: ReportPeriod,
    unit: OrgUnit,
    raw: Mapping[str, Any],
    *,
    submit: bool = False,
    sign: bool = False,
    auto_filled: Mapping[str, Any] | None = None,
    source: str = SubmissionVersion.Source.FORM,
    places: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> Submission:
    """Save the unit's figures as its working version (draft), or save and send them (``submit``).

    A draft may be incomplete; sending needs every required indicator. A returned report gets a new
    version; the versions already sent are never changed. ``sign`` records the signature placeholder
    (signer, time, SHA-256 of the content)."""
    access = access_for(by)
    _check_unit(access, period, unit)
    indicators = indicators_of(period.definition)
    values, problems = check_values(indicators, raw, complete=submit, places=places)
    if problems:
        raise refuse(problems)
    moment = _now(now)
    with transaction.atomic():
        submission, _ = Submission.objects.select_for_update().get_or_create(period=period, unit=unit)
        action = "submit" if submit else "save"
        if submission.state not in TRANSITIONS[action]:
            raise Conflict(
                "Báo cáo đã gửi, đang chờ cơ quan nhận xử lý."
                if submission.state == "submitted"
                else "Báo cáo đã được tiếp nhận, không sửa được nữa."
            )
        version = submission.current
        if version is None or version.submitted_at is not None:
            last = submission.versions.aggregate(n=Max("number"))["n"] or 0
            version = SubmissionVersion(
                submission=submission, number=last + 1, created_by=by, created_at=moment
            )
        version.values = values
        version.auto_filled = {k: v for k, v in (auto_filled or {}).items() if k in values}
        version.source = source
        if submit:
            version.submitted_at = moment
            version.submitted_by = by
            version.content_hash = content_hash(period, unit.code, version.number, values)
            if sign:
                version.signer = (by.full_name or by.username)[:150]
                version.signed_at = moment
        version.save()
        submission.current = version
        if submit:
            submission.state = Submission.State.SUBMITTED
            submission.submitted_at = moment
            submission.first_submitted_at = submission.first_submitted_at or moment
            submission.submitted_late = st.is_late_submission(to_local(moment).date(), period.deadline)
        submission.save()
        audit.record(
            "reporting.submit" if submit else "reporting.save",
            object_type="reporting.submission",
            object_id=submission.pk,
            summary=f"{period} — {unit.name} — phiên bản {version.number}",
            data={"version": version.number, "source": source, "signed": bool(submit and sign)},
        )
    return submission


def _decide(by: User, submission: Submission, action: str) -> Submission:
    access = access_for(by)
    locked = (
        Submission.objects.select_for_update()
        .select_related("period__definition__receiving_unit", "unit")
        .get(pk=submission.pk)
    )
    if not access.decides_for(locked.period.definition.receiving_unit):
        raise Forbidden("Chỉ cơ quan nhận báo cáo được tiếp nhận hoặc trả lại báo cáo.")
    if locked.state not in TRANSITIONS[action]:
        raise Conflict("Báo cáo không ở trạng thái chờ tiếp nhận (đã được xử lý hoặc chưa gửi).")
    return locked


def accept(by: User, submission: Submission, *, now: datetime | None = None) -> Submission:
    with transaction.atomic():
        locked = _decide(by, submission, "accept")
        locked.state = Submission.State.ACCEPTED
        locked.decided_at = _now(now)
        locked.decided_by = by
        locked.return_reason = ""
        locked.save()
        audit.record(
            "reporting.accept",
            object_type="reporting.submission",
            object_id=locked.pk,
            summary=f"Tiếp nhận {locked}",
        )
    return locked


def return_for_correction(
    by: User, submission: Submission, reason: str, *, now: datetime | None = None
) -> Submission:
    text = (reason or "").strip()
    if len(text) < 5:
        raise InvalidReport("Hãy ghi lý do trả lại (ít nhất 5 ký tự) để đơn vị biết cần sửa gì.")
    if len(text) > MAX_REASON:
        raise InvalidReport(f"Lý do trả lại dài quá {MAX_REASON} ký tự.")
    with transaction.atomic():
        locked = _decide(by, submission, "return")
        locked.state = Submission.State.RETURNED
        locked.decided_at = _now(now)
        locked.decided_by = by
        locked.return_reason = text
        locked.save()
        if locked.current_id:
            SubmissionVersion.objects.filter(pk=locked.current_id).update(return_reason=text)
        audit.record(
            "reporting.return",
            object_type="reporting.submission",
            object_id=locked.pk,
            summary=f"Trả lại {locked}",
            data={"reason": text},
        )
    return locked


# -- the aggregated report ---------------------------------------------------------------------------


def accept_aggregate(by: User, period: ReportPeriod, *, now: datetime | None = None) -> AggregateReport:
    """The office accepts the period's aggregated report (the accepted unit reports, added up by each
    indicator's rule) and queues it for the national reporting system in the same transaction
    (outbox topic ``baocao.NopBaoCao``). Accepting again after more units were accepted makes a new
    version, sent with its own idempotency key."""
    from motcua.reporting import selectors

    definition = period.definition
    access = access_for(by)
    if not access.decides_for(definition.receiving_unit):
        raise Forbidden("Chỉ cơ quan nhận báo cáo được chốt báo cáo tổng hợp.")
    moment = _now(now)
    with transaction.atomic():
        ReportPeriod.objects.select_for_update().filter(pk=period.pk).first()
        result = selectors.aggregate(period)
        if not result.units:
            raise Conflict("Chưa có báo cáo nào của đơn vị được tiếp nhận: chưa tổng hợp được.")
        number = (period.aggregates.aggregate(n=Max("number"))["n"] or 0) + 1
        values = result.values
        units = [u.code for u in result.units]
        digest = content_hash(period, definition.receiving_unit.code, number, values)
        key = f"{definition.code}:{period.key}"
        report = AggregateReport.objects.create(
            period=period,
            number=number,
            values=values,
            units=units,
            accepted_at=moment,
            accepted_by=by,
            content_hash=digest,
            idempotency_key=f"baocao:{key}:v{number}",
        )
        outbox.enqueue(adapter.TOPIC, key, adapter.message(report), report.idempotency_key)
        audit.record(
            "reporting.aggregate",
            object_type="reporting.aggregatereport",
            object_id=report.pk,
            summary=f"Chốt báo cáo tổng hợp {period} (phiên bản {number}, {len(units)} đơn vị)",
            data={"units": units, "hash": digest},
        )
    return report
