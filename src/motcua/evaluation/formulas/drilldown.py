"""The drill-down: the verdict of one indicator on one dossier or procedure, explained in Vietnamese."""

from __future__ import annotations

from datetime import datetime

from motcua.dossiers.timeliness import Basis
from motcua.evaluation.formulas.facts import CalendarFor, DossierFacts, Period, VersionFacts
from motcua.evaluation.formulas.judges import DOSSIER_JUDGES, PROCEDURE_JUDGES, Activity
from motcua.evaluation.formulas.reasons import V, Verdict, reason_label
from motcua.evaluation.formulas.timely import on_time
from motcua.workdays.domain import to_local

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
