"""The current state is a projection of the events: rebuild it, verify it, detect tampering."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from motcua.core.models import AuditEntry
from motcua.dossiers import services as s
from motcua.dossiers.models import Consultation, Dossier
from motcua.dossiers.projection import PROJECTED_FIELDS, rebuild
from motcua.dossiers.tests import factories as df
from motcua.dossiers.tests.factories import at

pytestmark = pytest.mark.django_db


def mixed_scenario(w) -> dict[str, Dossier]:
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False) as clock:
        returned = df.receive(w)
        for by, version in ((w.intake_a, 1), (w.specialist_a, 2), (w.leader_a, 3)):
            s.hand_over(returned.code, by=by, expected_version=version)
        s.mark_result_ready(returned.code, by=w.head_a, expected_version=4)

        supplemented = df.receive(w)
        s.hand_over(supplemented.code, by=w.intake_a, expected_version=1, assignee=w.specialist_a)
        s.request_supplement(
            supplemented.code, by=w.specialist_a, expected_version=2, items=["Tờ khai"], reasons="Sai"
        )

        apologised = df.receive(w, unit=w.ward_b)
        withdrawn = df.submit(w)
        consulted = df.receive(w)
        s.hand_over(consulted.code, by=w.intake_a, expected_version=1)
        s.request_consultation(
            consulted.code,
            by=w.specialist_a,
            expected_version=2,
            targets=[s.ConsultationTarget(w.justice, 2)],
            question="Ý kiến",
        )

        clock.move_to(at(2026, 3, 10, 10, 0))
        s.return_result(returned.code, by=w.intake_a, expected_version=5, notified=False)
        s.receive_supplement(supplemented.code, by=w.intake_a, expected_version=3)
        s.reset_due(
            apologised.code, by=w.intake_b, expected_version=1, reason="Chậm", new_due=date(2026, 3, 20)
        )
        s.withdraw(withdrawn.code, applicant=w.person, expected_version=1, reason="Nộp nhầm")
        s.stop(withdrawn.code, by=w.head_a, expected_version=2, reasons="Đã rút")
        s.answer_consultation(
            consulted.code,
            Consultation.objects.get(dossier=consulted).pk,
            by=w.justice_specialist,
            expected_version=3,
            answer="Đồng ý",
        )
    return {
        "returned": returned,
        "supplemented": supplemented,
        "apologised": apologised,
        "withdrawn": withdrawn,
        "consulted": consulted,
    }


def snapshot() -> list[tuple]:
    return list(Dossier.objects.order_by("pk").values_list("code", *PROJECTED_FIELDS))


def test_rebuild_verify_passes_after_a_mixed_scenario_and_changes_nothing():
    w = df.world()
    dossiers = mixed_scenario(w)
    before = snapshot()
    report = rebuild(verify=True)
    assert report.ok and report.checked == len(dossiers)
    call_command("dossiers", "rebuild", "--verify")
    call_command("dossiers", "rebuild")  # nothing to rewrite
    assert snapshot() == before
    assert not AuditEntry.objects.filter(action="dossier.rebuild").exists()


def test_verify_fails_after_tampering_and_rebuild_repairs_from_the_events(capsys):
    w = df.world()
    dossiers = mixed_scenario(w)
    before = snapshot()
    victim = dossiers["supplemented"]
    # Someone "fixes" a dossier by hand, bypassing the services.
    Dossier.objects.filter(pk=victim.pk).update(state="returned", national_status=10, due_at=None)
    # … and another takes the apology's promised date for the statutory due
    Dossier.objects.filter(pk=dossiers["apologised"].pk).update(due_at=at(2026, 3, 20, 17, 0))

    with pytest.raises(CommandError) as caught:
        call_command("dossiers", "rebuild", "--verify")
    assert "2/5 hồ sơ" in str(caught.value)
    assert victim.code in str(caught.value) and dossiers["apologised"].code in str(caught.value)
    assert "state: returned ≠ in_progress" in capsys.readouterr().err

    call_command("dossiers", "rebuild")
    assert snapshot() == before
    call_command("dossiers", "rebuild", "--verify")
    entry = AuditEntry.objects.get(action="dossier.rebuild")
    assert sorted(entry.data["rewritten"]) == sorted([victim.code, dossiers["apologised"].code])


def test_a_lock_version_that_disagrees_with_the_history_is_reported():
    w = df.world()
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        d = df.receive(w)
    Dossier.objects.filter(pk=d.pk).update(lock_version=3)
    report = rebuild(verify=True)
    assert not report.ok and "số sự kiện 1" in report.mismatches[0].problem
