"""The per-indicator judges: one function per indicator, a facts record in, a reason code out.

Dossier indicators (population: received in the period) judge ``DossierFacts``; procedure indicators
judge a ``VersionFacts`` with the ``Activity`` gathered from the period's dossiers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from motcua.dossiers import syncstate
from motcua.evaluation.formulas.facts import ONLINE, DossierFacts, VersionFacts

# -- dossier indicators (population: received in the period) ----------------------------------------

DossierJudge = Callable[[DossierFacts, "VersionFacts | None"], "str | None"]  # → a reason code


def _j_sync(d: DossierFacts, v: VersionFacts | None) -> str:
    # The rule of the dossier page and the reconciliation too (dossiers/syncstate.py).
    return syncstate.verdict(d.sync_status, d.imported)


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


def _j_disliked(d: DossierFacts, v: VersionFacts | None) -> str:
    return "disliked" if d.disliked else "not_disliked"


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
    "5.4": _j_disliked,
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
    certified: set[int] = field(default_factory=set)  # … with an electronic certified copy issued

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
        if d.certified_copy:
            self.certified.add(p)


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


def _p_certified_copy(p: VersionFacts, a: Activity) -> str | None:
    # 4.CT (formula not confirmed): a procedure certifying copies from originals provides the
    # electronic service when it issued an electronic certified copy in the period.
    if not p.certifies_copies:
        return None
    return "ecopy_issued" if p.procedure_id in a.certified else "no_ecopy"


PROCEDURE_JUDGES: dict[str, ProcedureJudge] = {
    "1.3": _p_complete,
    "3.1": _p_online_service,
    "3.2": _p_online_used,
    "3.5": _p_fee,
    "3.5b": _p_paid,
    "4.CT": _p_certified_copy,
    "4.5a": _p_population,
}
