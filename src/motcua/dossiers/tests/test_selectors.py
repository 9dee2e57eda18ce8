"""Inboxes, detail and search: scoped, keyset-paginated, constant number of queries per page."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.dossiers import selectors as q
from motcua.dossiers import services as s
from motcua.dossiers.models import Channel
from motcua.dossiers.rules import DossierNotFound, InvalidDossierInput
from motcua.dossiers.tests import factories as df
from motcua.dossiers.tests.factories import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return df.world()


def handed_over(w, n: int, *, start_hour: int = 8):
    """``n`` dossiers received Monday 09/03/2026 a minute apart and passed to the appraisal step."""
    out = []
    with time_machine.travel(at(2026, 3, 9, start_hour, 0), tick=False) as clock:
        for i in range(n):
            clock.move_to(
                at(2026, 3, 9, start_hour, 0) + (i + 1) * (at(2026, 3, 9, 0, 1) - at(2026, 3, 9, 0, 0))
            )
            d = df.receive(w)
            out.append(s.hand_over(d.code, by=w.intake_a, expected_version=1))
    return out


def render(page: q.Page) -> list[tuple]:
    """What a list screen shows: touching every related field the page may use."""
    return [
        (
            d.code,
            d.procedure.code,
            d.receiving_unit.name,
            d.competent_unit.name,
            d.current_step.name if d.current_step else "",
            d.assignee.full_name if d.assignee else "",
            d.due_at,
        )
        for d in page.items
    ]


NOW = {q.Box.SOON_DUE: at(2026, 3, 11, 17, 0), q.Box.OVERDUE: at(2026, 3, 13, 8, 0)}


def queries_for(user, box: str, **kwargs) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        page = q.inbox(user, box, now=NOW.get(box, at(2026, 3, 10, 9, 0)), **kwargs)
        render(page)
    return len(ctx.captured_queries), len(page.items)


@pytest.mark.parametrize(
    "box,who",
    [
        (q.Box.TO_PROCESS, "specialist_a"),
        (q.Box.SOON_DUE, "leader_a"),
        (q.Box.OVERDUE, "head_a"),
        (q.Box.TO_RETURN, "intake_a"),
        (q.Box.TO_RECEIVE, "intake_a"),
    ],
)
def test_a_page_costs_the_same_queries_for_3_and_30_dossiers(w, box, who):
    user = getattr(w, who)
    make(w, box, 3)
    small = queries_for(user, box)
    make(w, box, 27)
    large = queries_for(user, box)
    # One query for the user's roles and one for the page; "soon due" also reads the calendar and rules.
    assert small[0] == large[0] <= (7 if box == q.Box.SOON_DUE else 2)
    assert (small[1], large[1]) == (3, 30)


def make(w, box: str, n: int) -> None:
    if box == q.Box.TO_RECEIVE:
        with time_machine.travel(at(2026, 3, 9, 8, 0), tick=False):
            for _ in range(n):
                df.submit(w)
        return
    dossiers = handed_over(w, n)
    if box == q.Box.TO_RETURN:
        with time_machine.travel(at(2026, 3, 9, 16, 0), tick=False):
            for d in dossiers:
                s.hand_over(d.code, by=w.leader_a, expected_version=2)
                s.hand_over(d.code, by=w.leader_a, expected_version=3)
                s.mark_result_ready(d.code, by=w.head_a, expected_version=4)


def test_keyset_pages_cover_everything_once_in_due_order(w):
    dossiers = handed_over(w, 5)
    seen, cursor = [], None
    while True:
        page = q.inbox(w.specialist_a, q.Box.TO_PROCESS, limit=2, cursor=cursor, sort="received_at")
        seen += [d.code for d in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [d.code for d in dossiers]
    newest_first = q.inbox(w.specialist_a, q.Box.TO_PROCESS, limit=3, sort="-received_at")
    following = q.inbox(
        w.specialist_a, q.Box.TO_PROCESS, limit=3, sort="-received_at", cursor=newest_first.next_cursor
    )
    assert [d.code for d in newest_first.items + following.items] == [d.code for d in reversed(dossiers)]
    with pytest.raises(InvalidDossierInput):
        q.inbox(w.specialist_a, q.Box.TO_PROCESS, cursor="rác")
    with pytest.raises(InvalidDossierInput):
        q.inbox(w.specialist_a, q.Box.TO_RECEIVE, sort="due_at")


def test_to_process_holds_my_dossiers_and_unassigned_ones_of_my_role_in_my_unit(w):
    mine, pool, other = handed_over(w, 3)
    with time_machine.travel(at(2026, 3, 9, 11, 0), tick=False):
        s.assign(mine.code, by=w.leader_a, expected_version=2, assignee=w.specialist_a)
        s.assign(other.code, by=w.leader_a, expected_version=2, assignee=w.specialist_a2)
        b = df.receive(w, unit=w.ward_b)
        s.hand_over(b.code, by=w.intake_b, expected_version=1)
    codes = lambda user, box: {d.code for d in q.inbox(user, box).items}  # noqa: E731
    assert codes(w.specialist_a, q.Box.TO_PROCESS) == {mine.code, pool.code}
    assert codes(w.specialist_a2, q.Box.TO_PROCESS) == {other.code, pool.code}
    assert codes(w.specialist_b, q.Box.TO_PROCESS) == {b.code}
    assert codes(w.leader_a, q.Box.TO_APPROVE) == set()
    with time_machine.travel(at(2026, 3, 9, 11, 0), tick=False):
        s.hand_over(mine.code, by=w.specialist_a, expected_version=3)
        s.hand_over(pool.code, by=w.leader_a, expected_version=2)
        s.hand_over(pool.code, by=w.leader_a, expected_version=3)
    assert codes(w.leader_a, q.Box.TO_APPROVE) == {mine.code}
    assert codes(w.head_a, q.Box.TO_SIGN) == {pool.code}
    assert codes(w.intake_b, q.Box.TO_PROCESS) == set()


def test_soon_due_overdue_and_filters(w):
    first, second = handed_over(w, 2)  # both due Thursday 12/03 17:00
    with time_machine.travel(at(2026, 3, 10, 9, 0), tick=False):
        third = df.receive(w, channel=Channel.POST)  # due Friday 13/03 17:00
    soon = lambda now: {d.code for d in q.inbox(w.leader_a, q.Box.SOON_DUE, now=now).items}  # noqa: E731
    overdue = lambda now: {d.code for d in q.inbox(w.leader_a, q.Box.OVERDUE, now=now).items}  # noqa: E731
    assert soon(at(2026, 3, 11, 9, 0)) == set()  # one working day ahead reaches Thursday 09:00
    assert soon(at(2026, 3, 11, 17, 0)) == {first.code, second.code}
    assert soon(at(2026, 3, 12, 17, 0)) == {first.code, second.code, third.code}
    assert overdue(at(2026, 3, 13, 8, 0)) == {first.code, second.code}
    by_channel = q.inbox(w.leader_a, q.Box.OVERDUE, now=at(2026, 3, 16, 8, 0), filters=q.Filters(channel=3))
    assert [d.code for d in by_channel.items] == [third.code]
    by_date = q.inbox(
        w.leader_a,
        q.Box.OVERDUE,
        now=at(2026, 3, 16, 8, 0),
        filters=q.Filters(received_from=date(2026, 3, 10), received_to=date(2026, 3, 10), state="received"),
    )
    assert [d.code for d in by_date.items] == [third.code]
    assert q.inbox(w.leader_a, q.Box.OVERDUE, filters=q.Filters(procedure_id=w.procedure.pk + 1)).items == []
    assert q.inbox(w.specialist_b, q.Box.OVERDUE).items == []


def test_detail_and_search_are_scoped_and_ignore_diacritics(w):
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        d = df.receive(w)
        org = df.receive(w, applicant=w.organisation)
    detail = q.dossier_detail(w.intake_a, d.code)
    assert [e.action for e in detail.events] == ["receive_at_counter"]
    assert "hand_over" in detail.actions and len(detail.components) == 2
    assert q.dossier_detail(w.supervisor, d.code).actions == []
    for user in (w.intake_b, w.specialist_b):
        with pytest.raises(DossierNotFound):
            q.dossier_detail(user, d.code)
    with pytest.raises(DossierNotFound):
        q.dossier_detail(w.intake_a, "000.11.01.H31-260309-9999")
    assert [x.code for x in q.search(w.intake_a, "nguyen thi hong")] == [d.code]
    assert [x.code for x in q.search(w.intake_a, "NGUYỄN Nhung")] == [d.code]
    assert [x.code for x in q.search(w.intake_a, df.CITIZEN_ID)] == [d.code]
    assert [x.code for x in q.search(w.intake_a, "0201234567")] == [org.code]
    assert [x.code for x in q.search(w.intake_a, d.code.lower())] == [d.code]
    assert [x.code for x in q.search(w.intake_a, "duc thang")] == [org.code]
    assert q.search(w.intake_b, "nguyen thi hong") == []
    assert q.search(w.intake_b, d.code) == []
    assert q.search(w.intake_a, "   ") == []
