"""The only write path of dossiers: one function per use case, each one transaction.

The pipeline every use case runs (permission, transition, version, validation, then event, audit
entry and outbox row) is described in ``_pipeline``. The modules, by business stage:

- ``intake``: ``submit_online``, ``receive_at_counter``, ``accept_online``, ``refuse_at_intake``, the
  dossier codes (``next_code``) and ``receipt_deadline``; ``intake_checks``: what intake checks
  (version in force, units, staffing, applicant, documents, fees);
- ``routing``: ``hand_over``, ``send_back``, ``assign``;
- ``supplements``: ``request_supplement``, ``receive_supplement``, ``request_intake_supplement`` (before an
  online dossier is accepted), ``supplement_online`` (the applicant, on the portal), ``open_request``;
- ``payment``: ``request_payment``, ``confirm_payment``;
- ``consultation``: ``request_consultation``, ``answer_consultation``;
- ``apology``: ``reset_due``;
- ``national_sync``: ``resend_to_portal`` (the reconciliation's resend);
- ``closing``: ``refuse_after_appraisal``, ``stop``, ``withdraw``, ``mark_result_ready``,
  ``return_result``, ``replace_result``;
- ``authority``: who may do what (``action_options``, ``actions_for``, ``refusal``,
  ``answerable_consultations``);
- ``_base`` (inputs, loading, labels, transaction, version check, steps and their clocks) and
  ``_pipeline`` (the write half: ``_apply``, ``_record``, ``_create``), shared by the stages and never
  importing them.

Callers import from this package (``from motcua.dossiers import services``); a test that patches a name
must patch it in the module that looks it up (``_check_version`` of a use case in its stage module,
``enqueue`` in ``_pipeline``).
"""

from __future__ import annotations

from motcua.dossiers.services._base import (
    Applicant,
    ComponentInput,
    ConsultationTarget,
    FeeInput,
    earlier_steps,
    next_step,
    step_unit,
    workflow_steps,
)
from motcua.dossiers.services.apology import reset_due
from motcua.dossiers.services.authority import action_options, actions_for, answerable_consultations, refusal
from motcua.dossiers.services.closing import (
    ResultRef,
    mark_result_ready,
    refuse_after_appraisal,
    replace_result,
    return_result,
    stop,
    withdraw,
)
from motcua.dossiers.services.consultation import answer_consultation, request_consultation
from motcua.dossiers.services.intake import (
    accept_online,
    next_code,
    receipt_deadline,
    receive_at_counter,
    refuse_at_intake,
    submit_online,
)
from motcua.dossiers.services.intake_checks import CHANNEL_CODES, missing_components, unstaffed_step
from motcua.dossiers.services.national_sync import Resent, resend_to_portal
from motcua.dossiers.services.payment import (
    confirm_online_payment,
    confirm_payment,
    owed_now,
    request_payment,
    set_computed_fee,
)
from motcua.dossiers.services.routing import assign, hand_over, send_back
from motcua.dossiers.services.supplements import (
    open_request,
    receive_supplement,
    request_intake_supplement,
    request_supplement,
    supplement_online,
)

__all__ = [
    "CHANNEL_CODES",
    "Applicant",
    "ComponentInput",
    "ConsultationTarget",
    "FeeInput",
    "Resent",
    "ResultRef",
    "accept_online",
    "action_options",
    "actions_for",
    "answer_consultation",
    "answerable_consultations",
    "assign",
    "confirm_online_payment",
    "confirm_payment",
    "earlier_steps",
    "hand_over",
    "mark_result_ready",
    "missing_components",
    "next_code",
    "next_step",
    "open_request",
    "owed_now",
    "receipt_deadline",
    "receive_at_counter",
    "receive_supplement",
    "refusal",
    "refuse_after_appraisal",
    "refuse_at_intake",
    "replace_result",
    "request_consultation",
    "request_intake_supplement",
    "request_payment",
    "request_supplement",
    "resend_to_portal",
    "reset_due",
    "return_result",
    "send_back",
    "set_computed_fee",
    "step_unit",
    "stop",
    "submit_online",
    "supplement_online",
    "unstaffed_step",
    "withdraw",
    "workflow_steps",
]
