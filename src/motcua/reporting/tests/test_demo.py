"""The demo's reporting story loads, is idempotent and shows every status."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from motcua.core.models import User
from motcua.integrations.models import OutboxMessage
from motcua.reporting import selectors
from motcua.reporting.access import access_for
from motcua.reporting.adapter import TOPIC
from motcua.reporting.demo import MONTHLY, load_reporting_demo
from motcua.reporting.models import ReportDefinition, ReportPeriod, Submission
from motcua.reporting.status import Status

pytestmark = pytest.mark.django_db


def test_demo_story():
    from motcua.demo.loader import load_demo

    with time_machine.travel(date(2026, 11, 26), tick=False):
        load_demo(verbose=False, history=0)
        assert ReportDefinition.objects.count() == 2
        monthly = ReportDefinition.objects.get(code=MONTHLY)
        last, before = ReportPeriod.objects.filter(
            definition=monthly, deadline__lt=date(2026, 11, 26)
        ).order_by("-end")[:2]
        assert (before.key, last.key) == ("2026-M10", "2026-M11")
        office = access_for(User.objects.get(username="giamsat"))
        statuses = {r.unit.code: r.status for r in selectors.unit_rows(office, last, date(2026, 11, 26))}
        assert statuses["x10507"] == Status.ACCEPTED
        assert statuses["x10525"] == Status.SUBMITTED
        assert statuses["x11359"] == Status.RETURNED
        assert statuses["x11914"] == Status.LATE
        assert Submission.objects.filter(period=before, state="accepted").count() == 8
        # the demo's reports queue nothing for the national reporting system
        assert not OutboxMessage.objects.filter(topic=TOPIC).exists()
        count = Submission.objects.count()
        load_reporting_demo(lambda message: None)
        assert Submission.objects.count() == count
