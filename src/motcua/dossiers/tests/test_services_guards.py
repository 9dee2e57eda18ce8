"""What protects the dossier ledger: permissions, optimistic concurrency, all-or-nothing
transactions, and the append-only history.

Deadlines are worked out by hand on the calendar of 2026 described in this folder's ``conftest.py``.
"""

from __future__ import annotations

import pytest
import time_machine

from motcua.dossiers import services as s
from motcua.dossiers.models import DailySequence, Dossier, DossierEvent, Supplement
from motcua.dossiers.rules import (
    DossierForbidden,
    DossierNotFound,
    StaleDossier,
)
from motcua.dossiers.services import _pipeline, routing
from motcua.dossiers.tests import factories as df
from motcua.dossiers.tests.factories import at
from motcua.dossiers.tests.ledger import nothing_written
from motcua.integrations.models import OutboxMessage

SYNC = "dvcqg.DongBoHoSoMC"  # the full record (the progress event is its own topic)

pytestmark = pytest.mark.django_db


# -- permissions -----------------------------------------------------------------------------------


def test_an_officer_of_another_ward_can_neither_act_on_nor_see_the_dossier(w):
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        d = df.receive(w)
        for call in (
            lambda: s.hand_over(d.code, by=w.intake_b, expected_version=1),
            lambda: s.request_supplement(
                d.code, by=w.specialist_b, expected_version=1, items=["x"], reasons="y"
            ),
            lambda: s.stop(d.code, by=w.specialist_b, expected_version=1, reasons="y"),
        ):
            with nothing_written(), pytest.raises(DossierNotFound) as caught:
                call()
            assert caught.value.status == 404
        # …and cannot receive at the other ward's counter either.
        with pytest.raises(DossierForbidden) as forbidden:
            df.receive(w, by=w.intake_b)
        assert forbidden.value.status == 403
        # Inside the ward, the wrong role is forbidden (403), not hidden.
        with pytest.raises(DossierForbidden):
            s.hand_over(d.code, by=w.specialist_a, expected_version=1)  # the step belongs to the one-stop
        # The supervisor sees the province but holds no processing role.
        with pytest.raises(DossierForbidden):
            s.stop(d.code, by=w.supervisor, expected_version=1, reasons="Giám sát")
        assert s.actions_for(w.intake_b, d) == []
        assert "hand_over" in s.actions_for(w.intake_a, d)


def test_receipt_may_be_routed_to_another_unit_regardless_of_boundaries(w):
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        d = df.receive(w, unit=w.ward_b, competent_unit=w.ward_a)
        assert d.code.startswith("000.11.02.H31-260309-")  # the receiving unit's code
        d = s.hand_over(d.code, by=w.intake_b, expected_version=1)  # the one-stop step is ward B's
        d = s.assign(d.code, by=w.leader_a, expected_version=2, assignee=w.specialist_a)
        assert d.assignee == w.specialist_a
        record = OutboxMessage.objects.filter(key=d.code, topic=SYNC).last().payload["data"][0]
        assert record["MaDonVi"] == "000.11.01.H31" and record["DonViXuLy"] == "Phường An Biên"


# -- optimistic concurrency ------------------------------------------------------------------------


def test_two_actions_on_the_same_version_apply_once(w):
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        d = df.receive(w)
        s.hand_over(d.code, by=w.intake_a, expected_version=1)
        with nothing_written(), pytest.raises(StaleDossier) as caught:
            s.hand_over(d.code, by=w.intake_a, expected_version=1)
        assert caught.value.status == 409 and caught.value.code == "dossier_stale"
        assert caught.value.message.startswith("Hồ sơ vừa được người khác cập nhật")
    assert DossierEvent.objects.filter(dossier=d).count() == 2
    assert df.fresh(d).lock_version == 2


def test_a_stale_write_is_refused_even_after_the_checks_passed(w):
    """The UPDATE … WHERE lock_version guard, not only the early comparison, protects the row."""
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        d = df.receive(w)
        original = routing._check_version

        def concurrent_writer_sneaks_in(dossier, expected):
            original(dossier, expected)
            Dossier.objects.filter(pk=dossier.pk).update(lock_version=5)

        routing._check_version = concurrent_writer_sneaks_in
        try:
            with pytest.raises(StaleDossier):
                s.hand_over(d.code, by=w.intake_a, expected_version=1)
        finally:
            routing._check_version = original
    assert DossierEvent.objects.filter(dossier=d).count() == 1


# -- nothing half-stored, nothing rewritten --------------------------------------------------------


def test_nothing_is_half_stored_when_a_late_step_fails(w, monkeypatch):
    def outbox_down(*args, **kwargs):
        raise RuntimeError("outbox table unavailable")

    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        d = df.receive(w)
        monkeypatch.setattr(_pipeline, "enqueue_many", outbox_down)
        with nothing_written(), pytest.raises(RuntimeError):
            df.receive(w)
        with nothing_written(), pytest.raises(RuntimeError):
            s.request_supplement(
                d.code, by=w.specialist_a, expected_version=1, items=["Tờ khai"], reasons="Thiếu"
            )
    assert DailySequence.objects.get().last_value == 1  # the failed receipt's number was not spent
    assert not Supplement.objects.exists() and Dossier.objects.count() == 1


def test_history_is_append_only(w):
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        d = df.receive(w)
    event = DossierEvent.objects.get(dossier=d)
    event.data = {"sửa": True}
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        DossierEvent.objects.filter(dossier=d).update(action="x")
    with pytest.raises(TypeError):
        DossierEvent.objects.filter(dossier=d).delete()
