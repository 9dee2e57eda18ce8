"""Intake (NĐ 61/2018 Điều 17–18): online submission, receipt at the counter or by post, acceptance or
refusal of an online dossier; the dossier codes and the receipt deadline.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from django.db import connection
from django.utils import timezone

from motcua.catalogue.models import Procedure, ProcedureVersion
from motcua.core import fastsql, refcache
from motcua.core.models import OrgUnit, RoleAssignment, User
from motcua.core.rules import rule_value
from motcua.dossiers import rules
from motcua.dossiers.models import Channel, DailySequence, Dossier, ResultDelivery
from motcua.dossiers.rules import Action, DossierForbidden, InvalidDossierInput, Side
from motcua.dossiers.services._base import (
    Applicant,
    ComponentInput,
    _applicant_label,
    _attributed,
    _calendar,
    _check_version,
    _iso,
    _label,
    _load,
    _step_timing,
    _transaction,
    next_step,
    workflow_steps,
)
from motcua.dossiers.services._pipeline import _create, _record, _simple
from motcua.dossiers.services.authority import _authorise
from motcua.dossiers.services.intake_checks import (
    _applicant_snapshot,
    _check_delivery,
    _check_staffed,
    _check_units,
    _components,
    _fees,
    _unstaffed_now,
    _version_in_force,
)
from motcua.workdays.domain import Calendar, CalendarError, compute_due, to_local

# -- the intake officer's roles --------------------------------------------------------------------


def _roles_at(user: User, unit: OrgUnit) -> set[str]:
    """``_held(active_assignments(user), unit)`` in one hand-written query (intake's only check):
    the roles valid today of assignments at ``unit`` or, including subunits, at a unit above it.

    The query also brings the reference-data token (``refcache.adopt``), which the use case would
    otherwise read with a query of its own."""
    if not user.is_authenticated or not user.is_active:
        return set()
    day = timezone.localdate()
    quote = connection.ops.quote_name
    assignments, units = quote(RoleAssignment._meta.db_table), quote(OrgUnit._meta.db_table)
    with fastsql.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT ra.role, {refcache.token_sql()} "  # noqa: S608
            f"FROM {assignments} ra JOIN {units} a ON a.id = ra.unit_id "
            "WHERE ra.user_id = %s AND ra.valid_from <= %s AND (ra.valid_to IS NULL OR ra.valid_to > %s) "
            "AND (ra.unit_id = %s OR (ra.include_subunits AND substr(%s, 1, length(a.path)) = a.path))",
            [user.pk, day, day, unit.pk, unit.path],
        )
        rows = cursor.fetchall()
    if rows:
        refcache.adopt(rows[0][1])
    return {role for role, _ in rows}


# -- dossier codes: an atomic daily sequence per receiving unit ------------------------------------


def _next_sequence(unit: OrgUnit, day: date) -> int:
    """The next serial number of ``unit`` on ``day``; never repeats under concurrency, and a rolled-back
    receipt spends none (``fastsql.next_value``: one statement, the row locked until the transaction
    ends; SQLite's ``BEGIN IMMEDIATE`` already serialises writers)."""
    return fastsql.next_value(DailySequence, {"unit": unit.pk, "day": day})


def next_code(unit: OrgUnit, at: datetime) -> str:
    """A new dossier code at ``unit`` (rule ``dossiers.code_format`` in force on the day)."""
    day = to_local(at).date()
    fmt = str(rule_value("dossiers.code_format", day))
    rules.sequence_width(fmt)  # a malformed format fails before a number is spent
    return rules.format_code(
        fmt, unit_code=unit.eid_code or unit.code, day=day, sequence=_next_sequence(unit, day)
    )


# -- the receipt deadline --------------------------------------------------------------------------


def receipt_deadline(
    calendar: Calendar, version: ProcedureVersion, received: datetime, online_mode: str | None
) -> tuple[datetime, datetime]:
    """(effective receipt moment, due moment) of a dossier received at ``received``.

    The one computation used by the intake services and by the intake screen's preview."""
    clock, start = rules.receipt_clock(calendar, received, online_mode=online_mode)
    try:
        deadline = compute_due(clock, start, version.time_limit_value, version.time_limit_unit)
    except CalendarError as exc:
        raise InvalidDossierInput(str(exc), code="time_limit_invalid") from exc
    return deadline.effective_received, deadline.due


def _limit(version: ProcedureVersion) -> dict[str, Any]:
    return {"value": str(version.time_limit_value.normalize()), "unit": version.time_limit_unit}


# -- use cases -------------------------------------------------------------------------------------


def submit_online(
    *,
    applicant: Applicant,
    procedure: Procedure,
    receiving_unit: OrgUnit,
    competent_unit: OrgUnit,
    components: Sequence[ComponentInput] = (),
    result_delivery: str = ResultDelivery.ONLINE,
    extra: dict[str, Any] | None = None,
    vneid_authenticated: bool = False,
    population_db_code: str = "",
) -> Dossier:
    """An applicant submits online (state 1 "Mới đăng ký"); the clock starts only at acceptance.
    ``vneid_authenticated``: signed in through the national identity provider
    (TaiKhoanDuocXacThucVoiVNeID); ``population_db_code``: the population database's record the
    declaration was filled from (MaCSDL) — both read by 766 indicators 4.5a/4.5b."""
    with _transaction():
        at = timezone.now()
        day = to_local(at).date()
        to_state = rules.next_state(None, Action.SUBMIT_ONLINE)
        found = _version_in_force(procedure, day)
        version = found.version
        if version.online_level == ProcedureVersion.OnlineLevel.NONE:
            raise InvalidDossierInput(
                f"Thủ tục {procedure.code} không cung cấp dịch vụ công trực tuyến.",
                code="procedure_not_online",
            )
        _check_units(found, receiving_unit, competent_unit, day)
        _check_staffed(found, receiving_unit, competent_unit, day)
        applicant_fields = _applicant_snapshot(applicant)
        rows = _components(found, components, Channel.ONLINE)
        _check_delivery(result_delivery)
        label = _applicant_label(applicant)
        with _attributed(None, label):
            return _create(
                action=Action.SUBMIT_ONLINE,
                by=None,
                actor_label=label,
                at=at,
                fields={
                    "code": next_code(receiving_unit, at),
                    "procedure": version.procedure,
                    "procedure_version": version,
                    "receiving_unit": receiving_unit,
                    "competent_unit": competent_unit,
                    "channel": Channel.ONLINE,
                    "result_delivery": result_delivery,
                    "submitted_at": at,
                    "extra": extra or {},
                    "vneid_authenticated": vneid_authenticated,
                    "population_db_code": population_db_code[:60],
                    **applicant_fields,
                },
                to_state=to_state,
                step=None,
                due_at=None,
                data={"channel": int(Channel.ONLINE), "components": len(rows)},
                steps=(),
                components=rows,
                fees=_fees(found),
            )


def receive_at_counter(
    *,
    by: User,
    applicant: Applicant,
    procedure: Procedure,
    receiving_unit: OrgUnit,
    competent_unit: OrgUnit,
    components: Sequence[ComponentInput],
    channel: int = Channel.COUNTER,
    result_delivery: str = ResultDelivery.COUNTER,
    extra: dict[str, Any] | None = None,
    exemptions: Mapping[int, str] | None = None,
) -> Dossier:
    """The one-stop officer receives a complete paper dossier (at the counter or by post): state 2.
    ``exemptions``: the fee exemptions the applicant qualified for (catalogue fee id → case code).

    Checks the required components are ticked and the applicant's ID number, gives the next code of
    the receiving unit's day, and computes the due moment on the competent unit's calendar with the
    15:00 cut-off (NĐ 61/2018 Điều 17–18).
    """
    with _transaction():
        at = timezone.now()
        day = to_local(at).date()
        if not rules.may(Action.RECEIVE_AT_COUNTER, {Side.RECEIVING: _roles_at(by, receiving_unit)}):
            raise DossierForbidden(
                f"Bạn không phải cán bộ một cửa của {receiving_unit.name}.",
                details={"action": "receive_at_counter"},
            )
        to_state = rules.next_state(None, Action.RECEIVE_AT_COUNTER)
        if channel not in (Channel.COUNTER, Channel.POST):
            raise InvalidDossierInput(
                "Hồ sơ tiếp nhận tại Bộ phận Một cửa phải nộp trực tiếp hoặc qua bưu chính.",
                code="channel_invalid",
            )
        found = _version_in_force(procedure, day)
        version = found.version
        _check_units(found, receiving_unit, competent_unit, day)
        _check_staffed(found, receiving_unit, competent_unit, day)
        applicant_fields = _applicant_snapshot(applicant)
        rows = _components(found, components, channel, by=by, at=at)
        _check_delivery(result_delivery)
        calendar = _calendar(competent_unit, at)
        effective, due = receipt_deadline(calendar, version, at, None)
        steps = list(found.steps)
        first = next_step(steps, None)
        with _attributed(by, _label(by)):
            return _create(
                action=Action.RECEIVE_AT_COUNTER,
                by=by,
                actor_label=_label(by),
                at=at,
                fields={
                    "code": next_code(receiving_unit, at),
                    "procedure": version.procedure,
                    "procedure_version": version,
                    "receiving_unit": receiving_unit,
                    "competent_unit": competent_unit,
                    "channel": channel,
                    "result_delivery": result_delivery,
                    "submitted_at": at,
                    "extra": extra or {},
                    **applicant_fields,
                },
                to_state=to_state,
                step=first,
                due_at=due,
                data={
                    "channel": int(channel),
                    "received_at": _iso(at),
                    "effective_received": _iso(effective),
                    "limit": _limit(version),
                    "components": len(rows),
                    "assignee_id": None,
                    **_step_timing(calendar, first, at),
                },
                steps=steps,
                components=rows,
                fees=_fees(found, exemptions),
            )


def accept_online(code: str, *, by: User, expected_version: int) -> Dossier:
    """The intake officer accepts an online dossier (1 → 2). The clock starts now; outside office hours
    it starts at the next opening (rule ``workdays.online_received``)."""
    with _transaction():
        dossier = _load(code)
        _authorise(by, dossier, Action.ACCEPT_ONLINE)
        _check_version(dossier, expected_version)
        to_state = rules.next_state(dossier.state, Action.ACCEPT_ONLINE)
        at = timezone.now()
        mode = str(rule_value("workdays.online_received", to_local(at).date()))
        calendar = _calendar(dossier, at)
        effective, due = receipt_deadline(calendar, dossier.procedure_version, at, mode)
        steps = workflow_steps(dossier.procedure_version_id)
        unstaffed = _unstaffed_now(dossier, steps, at)
        if unstaffed is not None:
            raise unstaffed
        first = next_step(steps, None)
        _record(
            dossier,
            Action.ACCEPT_ONLINE,
            by=by,
            at=at,
            to_state=to_state,
            step=first,
            due_at=due,
            data={
                "received_at": _iso(at),
                "effective_received": _iso(effective),
                "online_received": mode,
                "limit": _limit(dossier.procedure_version),
                "assignee_id": None,
                **_step_timing(calendar, first, at),
            },
            steps=steps,
        )
        return dossier


def refuse_at_intake(code: str, *, by: User, expected_version: int, reasons: str) -> Dossier:
    """Refuse an online dossier at intake (state 3, Mẫu 03): it never counts as received."""
    return _simple(
        code,
        Action.REFUSE_AT_INTAKE,
        by=by,
        expected_version=expected_version,
        data_for=lambda d: {"reasons": rules.require_text(reasons, "reasons", "lý do từ chối tiếp nhận")},
    )
