"""A unit's report: draft, submit, sign, return for correction with a new version, accept; statuses
over time (frozen clock); refusals that store nothing; who may do what."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from motcua.core.errors import Conflict, Forbidden, NotFound
from motcua.core.models import AuditEntry
from motcua.reporting import selectors, services
from motcua.reporting.access import access_for
from motcua.reporting.models import Submission, SubmissionVersion
from motcua.reporting.status import Status
from motcua.reporting.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    world = f.world()
    services.generate_periods(date(2026, 3, 20))
    return world


def status_on(w, day: date, unit=None) -> Status:
    period = f.period(w.monthly, "2026-M02")  # 15/01–14/02/2026, due 24/02/2026
    rows = selectors.unit_rows(access_for(w.office_supervisor, day), period, day)
    return {r.unit.pk: r.status for r in rows}[(unit or w.ward_a).pk]


def test_statuses_over_time(w):
    period = f.period(w.monthly, "2026-M02")
    assert status_on(w, date(2026, 2, 14)) == Status.NOT_YET_DUE
    assert status_on(w, date(2026, 2, 15)) == Status.DUE
    assert status_on(w, date(2026, 2, 24)) == Status.DUE  # the whole deadline day
    assert status_on(w, date(2026, 2, 25)) == Status.LATE
    # A draft is not a report: still late.
    services.save_report(w.d.intake_a, period, w.ward_a, {"1": 3}, now=f.at(2026, 2, 25))
    assert status_on(w, date(2026, 2, 25)) == Status.LATE
    with time_machine.travel(f.at(2026, 2, 26, 10), tick=False):
        sub = services.save_report(w.d.intake_a, period, w.ward_a, f.FULL, submit=True)
        assert sub.submitted_late is True
        assert status_on(w, date(2026, 2, 26)) == Status.SUBMITTED
        services.return_for_correction(w.office_supervisor, sub, "Chỉ tiêu 3 chưa khớp với 3.1 + 3.2.")
        assert status_on(w, date(2026, 2, 26)) == Status.RETURNED
        services.save_report(w.d.intake_a, period, w.ward_a, f.FULL, submit=True)
        services.accept(w.office_supervisor, Submission.objects.get(period=period, unit=w.ward_a))
        assert status_on(w, date(2026, 2, 26)) == Status.ACCEPTED
    assert status_on(w, date(2026, 2, 26), w.ward_b) == Status.LATE


def test_versions_on_correction_are_kept(w):
    period = f.period(w.monthly, "2026-M02")
    user = w.d.intake_a
    services.save_report(user, period, w.ward_a, {"1": 9}, now=f.at(2026, 2, 20))
    services.save_report(user, period, w.ward_a, {**f.FULL, "1": 9}, now=f.at(2026, 2, 20, 10))
    sub = services.save_report(user, period, w.ward_a, f.FULL, submit=True, sign=True, now=f.at(2026, 2, 23))
    # Drafts are one working version: the report's first version is the one sent.
    v1 = sub.current
    assert (v1.number, v1.values["1"], v1.signer, len(v1.content_hash)) == (1, 10, "Cán bộ motcua_a", 64)
    assert v1.content_hash == services.content_hash(period, w.ward_a.code, 1, v1.values)
    assert sub.submitted_late is False
    with pytest.raises(Conflict):
        services.save_report(user, period, w.ward_a, f.FULL, now=f.at(2026, 2, 23, 10))
    services.return_for_correction(w.office_supervisor, sub, "Số hồ sơ đã giải quyết chưa đúng.")
    corrected = {**f.FULL, "3": 9, "3.1": 8}
    services.save_report(user, period, w.ward_a, corrected, now=f.at(2026, 2, 24))
    sub = services.save_report(user, period, w.ward_a, corrected, submit=True, now=f.at(2026, 2, 24, 10))
    versions = list(SubmissionVersion.objects.filter(submission=sub).order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].values["3"] == 8 and versions[1].values["3"] == 9
    assert versions[0].return_reason == "Số hồ sơ đã giải quyết chưa đúng."
    assert sub.current == versions[1] and sub.state == "submitted"
    services.accept(w.office_supervisor, sub)
    with pytest.raises(Conflict):
        services.save_report(user, period, w.ward_a, corrected)
    actions = list(
        AuditEntry.objects.filter(object_type="reporting.submission").values_list("action", flat=True)
    )
    assert (
        actions.count("reporting.submit") == 2
        and "reporting.return" in actions
        and "reporting.accept" in actions
    )


def test_bad_figures_store_nothing_and_name_the_place(w):
    period = f.period(w.monthly, "2026-M02")
    bad = {**f.FULL, "1": "mười", "3.2": "-1", "5": "120"}
    with pytest.raises(services.InvalidReport) as info:
        services.save_report(w.d.intake_a, period, w.ward_a, bad, submit=True)
    places = {d["code"]: d["problem"] for d in info.value.details}
    assert set(places) == {"1", "3.2", "5"}
    assert "không phải là số" in places["1"] and "không được âm" in places["3.2"]
    assert info.value.status == 422
    assert not Submission.objects.exists() and not SubmissionVersion.objects.exists()
    # Sending needs every required figure; a draft does not.
    with pytest.raises(services.InvalidReport, match="chưa có số liệu"):
        services.save_report(w.d.intake_a, period, w.ward_a, {"1": 1}, submit=True)
    services.save_report(w.d.intake_a, period, w.ward_a, {"1": 1})
    assert Submission.objects.get().state == "draft"


def test_who_may_do_what(w):
    period = f.period(w.monthly, "2026-M02")
    with pytest.raises(Forbidden):  # ward B's officer for ward A
        services.save_report(w.d.intake_b, period, w.ward_a, f.FULL)
    with pytest.raises(NotFound):  # the justice department does not send this report
        services.save_report(w.d.justice_specialist, period, w.d.justice, f.FULL)
    sub = services.save_report(w.d.intake_a, period, w.ward_a, f.FULL, submit=True)
    with pytest.raises(Forbidden):  # the unit cannot accept its own report
        services.accept(w.d.head_a, sub)
    with pytest.raises(services.InvalidReport):
        services.return_for_correction(w.office_supervisor, sub, "  ")
    services.accept(w.office_supervisor, sub)
    with pytest.raises(Conflict):
        services.accept(w.office_supervisor, sub)


def test_scoping_of_the_lists(w):
    today = date(2026, 3, 20)
    mine_a = selectors.my_reports(access_for(w.d.specialist_a, today), today)
    assert {r.unit.pk for r in mine_a} == {w.ward_a.pk} and len(mine_a) == 4
    assert selectors.my_reports(access_for(w.d.justice_specialist, today), today) == []
    office = access_for(w.office_supervisor, today)
    assert [r.definition.code for r in selectors.definitions(office)] == [w.monthly.code]
    assert selectors.definitions(office)[0].receives is True
    assert selectors.definitions(access_for(w.d.justice_specialist, today)) == []
    period = f.period(w.monthly, "2026-M02")
    own = selectors.unit_rows(access_for(w.d.intake_b, today), period, today)
    assert [r.unit.pk for r in own] == [w.ward_b.pk]
    assert len(selectors.unit_rows(office, period, today)) == 2
