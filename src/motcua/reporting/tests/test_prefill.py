"""One-stop figures from the dossier store: hand-built dossiers, counts worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest

from motcua.core.tests import factories as cf
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests import factories as df
from motcua.reporting import services
from motcua.reporting.prefill import one_stop_figures, prefill_values
from motcua.reporting.tests import factories as f

pytestmark = pytest.mark.django_db


def dossier(w, unit, *, received, channel=1, due=None, finished=None, status=4):
    d = df.receive(w.d, unit=w.ward_a)
    Dossier.objects.filter(pk=d.pk).update(
        competent_unit=unit,
        received_at=received,
        channel=channel,
        due_at=due,
        finished_at=finished,
        national_status=status,
    )
    return d


def test_figures_for_a_unit_and_its_subunits():
    w = f.world()
    division = cf.unit("Bộ phận một cửa phường", parent=w.ward_a, kind="division", code="pab-mc")
    at = f.at
    # Window: Tháng 2/2026 = 15/01–14/02/2026.
    dossier(
        w,
        w.ward_a,
        received=at(2026, 1, 20),
        channel=2,
        due=at(2026, 1, 30),
        finished=at(2026, 1, 29),
        status=10,
    )
    dossier(
        w,
        w.ward_a,
        received=at(2026, 1, 21),
        channel=1,
        due=at(2026, 1, 30),
        finished=at(2026, 2, 3),
        status=9,
    )
    dossier(w, division, received=at(2026, 2, 2), channel=3, due=at(2026, 2, 20))  # pending, on schedule
    dossier(w, w.ward_a, received=at(2026, 2, 14, 16), channel=2, due=at(2026, 2, 10))  # pending, overdue
    # Carried over: received before the window, still open at its start; finished within it on time.
    dossier(w, w.ward_a, received=at(2026, 1, 10), due=at(2026, 1, 20), finished=at(2026, 1, 16), status=10)
    # Not counted: refused at intake; received after the window; another unit; finished before the window.
    dossier(w, w.ward_a, received=at(2026, 1, 22), status=3)
    dossier(w, w.ward_a, received=at(2026, 2, 15, 0, 1), channel=2)
    dossier(w, w.ward_b, received=at(2026, 1, 22), channel=2)
    dossier(w, w.ward_a, received=at(2026, 1, 5), finished=at(2026, 1, 14, 23), status=10)
    figures = one_stop_figures(w.ward_a, date(2026, 1, 15), date(2026, 2, 14))
    assert figures == {
        "received": 4,
        "received_online": 2,
        "received_counter": 1,
        "received_post": 1,
        "carried_over": 1,
        "resolved": 3,
        "resolved_on_time": 2,
        "resolved_late": 1,
        "pending": 2,
        "pending_on_schedule": 1,
        "pending_overdue": 1,
        "on_time_rate": "66.67",  # 2 / 3
        "online_share": "50.00",  # 2 / 4
    }
    assert one_stop_figures(w.ward_b, date(2026, 1, 15), date(2026, 2, 14))["received"] == 1


def test_prefill_maps_indicators_and_the_officer_can_change_them():
    w = f.world()
    services.generate_periods(date(2026, 3, 20))
    period = f.period(w.monthly, "2026-M02")
    dossier(
        w,
        w.ward_a,
        received=f.at(2026, 1, 20),
        channel=2,
        due=f.at(2026, 1, 30),
        finished=f.at(2026, 1, 29),
        status=10,
    )
    auto = prefill_values(period, w.ward_a)
    assert auto["1"] == 1 and auto["1.1"] == 1 and auto["3.1"] == 1 and auto["5"] == "100.00"
    assert "7" not in auto  # typed by the officer
    values = {**f.FULL, **auto, "7": 0, "1.2": 0, "1.3": 0}
    values["1"] = 2  # the officer corrects a figure before sending
    sub = services.save_report(w.d.intake_a, period, w.ward_a, values, submit=True, auto_filled=auto)
    assert sub.current.auto_filled["1"] == 1 and sub.current.values["1"] == 2
    assert sub.current.values["5"] == "100"
