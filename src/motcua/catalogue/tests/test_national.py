"""Procedure details from the national portal (``LayThuTuc``) become a draft version for review, written
through the catalogue's import: never a silent change of the version in force."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from motcua.catalogue.models import ProcedureVersion
from motcua.catalogue.national import propose_from_portal
from motcua.core.errors import DomainError
from motcua.core.models import AuditEntry
from motcua.dossiers.tests import factories as df

pytestmark = pytest.mark.django_db


def test_a_changed_time_limit_becomes_a_draft_version_with_everything_else_kept(portal):
    w = df.world()
    current = w.procedure.versions.get()
    portal.publish(
        [
            {
                "MaTTHC": w.procedure.code,
                "TENTTHC": current.name,
                "THOIGIANGIAIQUYET": 5,
                "DONVITINH": "Ngày làm việc",
                "TRINHTUTHUCHIEN": [
                    {"TENTRINHTU": "Bước 1: Nộp hồ sơ"},
                    {"TENTRINHTU": "Bước 2: Nhận kết quả"},
                ],
            }
        ]
    )
    proposal = propose_from_portal(w.procedure.code)
    assert set(proposal.changes) == {"thời hạn giải quyết", "trình tự thực hiện"}
    assert proposal.changes["thời hạn giải quyết"][1] == "5 ngày làm việc"
    draft = ProcedureVersion.objects.get(procedure=w.procedure, version=proposal.version)
    assert (draft.status, draft.time_limit_value, draft.time_limit_unit) == (
        "draft",
        Decimal(5),
        "working_days",
    )
    assert draft.sequence == "Bước 1: Nộp hồ sơ\nBước 2: Nhận kết quả"
    assert draft.effective_from == timezone.localdate()
    assert (
        draft.components.count() == current.components.count() and draft.fees.count() == current.fees.count()
    )
    assert draft.workflow_steps.count() == current.workflow_steps.count()
    assert "thời hạn giải quyết" in draft.notes["de_xuat_tu_cong"]
    # The version in force is untouched: dossiers keep running on it until someone publishes the draft.
    current.refresh_from_db()
    assert current.status == "published" and current.time_limit_value != Decimal(5)
    assert ProcedureVersion.objects.in_force(date(2026, 12, 31)).get(procedure=w.procedure) == current
    assert AuditEntry.objects.filter(action="catalogue.proposed_from_portal").count() == 1
    # Asking again: the same draft is waiting, none is added.
    again = propose_from_portal(w.procedure.code)
    assert again.already and again.version == proposal.version
    assert w.procedure.versions.count() == 2


def test_no_difference_no_draft_and_unknown_procedures_are_refused(portal, capsys):
    w = df.world()
    current = w.procedure.versions.get()
    portal.publish([{"MaTTHC": w.procedure.code, "TENTTHC": current.name}])
    call_command("catalogue", "pull-national", w.procedure.code)
    assert json.loads(capsys.readouterr().out)[0]["changes"] == {}
    assert w.procedure.versions.count() == 1
    with pytest.raises(DomainError) as caught:
        propose_from_portal("9.999999")
    assert caught.value.status == 404
    portal.procedures.clear()
    with pytest.raises(DomainError) as caught:
        propose_from_portal(w.procedure.code)
    assert caught.value.status == 404 and "Cổng DVCQG không có thủ tục" in caught.value.message
