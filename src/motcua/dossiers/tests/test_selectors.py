"""Inboxes, detail and search: scoped, keyset-paginated, constant number of queries per page."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.catalogue.models import WorkflowStep
from motcua.core.models import Role, RoleAssignment
from motcua.dossiers import lookup
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

# The tables an inbox reads itself; the soon-due box also reads the calendar and the rules, which the
# workdays engine caches (their queries are not the inbox's).
OWN_TABLES = (
    "dossiers_",
    "core_roleassignment",
    "catalogue_workflowstep",
    "catalogue_procedure",
    "core_user",
)


def own(queries) -> list[str]:
    return [x["sql"] for x in queries if any(f'"{t}' in x["sql"] for t in OWN_TABLES)]


def queries_for(user, box: str, **kwargs) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        page = q.inbox(user, box, now=NOW.get(box, at(2026, 3, 10, 9, 0)), **kwargs)
        render(page)
    return len(own(ctx.captured_queries)), len(page.items)


# Queries of one page, whatever the box: the user's scope as unit ids with the workflow steps of their
# roles (1), the page (1) and the names of its procedures, units, steps and assignees (1).
PAGE_QUERIES = 3


@pytest.mark.parametrize(
    "box,who",
    [
        (q.Box.TO_PROCESS, "specialist_a"),
        (q.Box.TO_APPROVE, "leader_a"),
        (q.Box.TO_SIGN, "head_a"),
        (q.Box.SOON_DUE, "leader_a"),
        (q.Box.OVERDUE, "head_a"),
        (q.Box.TO_RETURN, "intake_a"),
        (q.Box.TO_RECEIVE, "intake_a"),
        (q.Box.TO_ANSWER, "justice_specialist"),
        (q.Box.IN_SCOPE, "supervisor"),
    ],
)
def test_a_page_costs_the_same_queries_for_3_and_30_dossiers(w, box, who):
    user = getattr(w, who)
    make(w, box, 3)
    small = queries_for(user, box)
    make(w, box, 27)
    large = queries_for(user, box)
    assert small[0] == large[0] == PAGE_QUERIES
    assert (small[1], large[1]) == (3, 30)


def test_a_page_of_a_user_without_a_role_reads_nothing_but_the_roles(w):
    nobody = df.staff(Role.SPECIALIST, w.ward_a, "het_han")
    nobody.role_assignments.update(valid_to=date(2026, 1, 1))
    for box in q.Box.ALL:
        with CaptureQueriesContext(connection) as ctx:
            assert q.inbox(nobody, box).items == []
        assert len(ctx.captured_queries) == 1, box


def make(w, box: str, n: int) -> None:
    if box == q.Box.TO_RECEIVE:
        with time_machine.travel(at(2026, 3, 9, 8, 0), tick=False):
            for _ in range(n):
                df.submit(w)
        return
    dossiers = handed_over(w, n)
    with time_machine.travel(at(2026, 3, 9, 16, 0), tick=False):
        for d in dossiers:
            if box in (q.Box.TO_APPROVE, q.Box.TO_SIGN, q.Box.TO_RETURN):
                s.hand_over(d.code, by=w.specialist_a, expected_version=2)
            if box in (q.Box.TO_SIGN, q.Box.TO_RETURN):
                s.hand_over(d.code, by=w.leader_a, expected_version=3)
            if box == q.Box.TO_RETURN:
                s.mark_result_ready(d.code, by=w.head_a, expected_version=4)
            if box == q.Box.TO_ANSWER:
                s.request_consultation(
                    d.code,
                    by=w.specialist_a,
                    expected_version=2,
                    targets=[s.ConsultationTarget(unit=w.justice, working_days=2)],
                    question="Xác minh",
                )


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
        s.hand_over(pool.code, by=w.specialist_a, expected_version=2)
        s.hand_over(pool.code, by=w.leader_a, expected_version=3)
    assert codes(w.leader_a, q.Box.TO_APPROVE) == {mine.code}
    assert codes(w.head_a, q.Box.TO_SIGN) == {pool.code}
    assert codes(w.intake_b, q.Box.TO_PROCESS) == set()


def codes(user, box: str, **kwargs) -> set[str]:
    return {d.code for d in q.inbox(user, box, **kwargs).items}


def test_a_role_at_a_unit_covers_the_units_below_it_unless_narrowed(w):
    """Scope is resolved to unit ids: the province's subtree holds both wards; a narrowed assignment
    holds the province unit only."""
    (a,) = handed_over(w, 1)
    with time_machine.travel(at(2026, 3, 9, 11, 0), tick=False):
        b = df.receive(w, unit=w.ward_b)
        s.hand_over(b.code, by=w.intake_b, expected_version=1)  # ward B: at appraisal
        s.hand_over(a.code, by=w.specialist_a, expected_version=2)
        s.hand_over(a.code, by=w.leader_a, expected_version=3)  # ward A: at the signing step
    city_head = df.staff(Role.AGENCY_LEADER, w.province, "chutich_tp")
    narrow_head = df.staff(Role.AGENCY_LEADER, w.province, "chutich_hep")
    RoleAssignment.objects.filter(user=narrow_head).update(include_subunits=False)
    assert codes(city_head, q.Box.TO_SIGN) == {a.code}
    assert codes(city_head, q.Box.IN_SCOPE) == {a.code, b.code}
    assert codes(w.head_a, q.Box.TO_SIGN) == {a.code}
    assert codes(w.specialist_b, q.Box.TO_PROCESS) == {b.code}
    assert codes(w.specialist_b, q.Box.IN_SCOPE) == {b.code}
    assert codes(narrow_head, q.Box.TO_SIGN) == set()
    assert codes(narrow_head, q.Box.IN_SCOPE) == set()
    assert codes(w.supervisor, q.Box.IN_SCOPE) == {a.code, b.code}
    assert codes(w.supervisor, q.Box.TO_SIGN) == set()  # a supervisor signs nothing


def test_a_step_of_a_fixed_unit_is_worked_in_that_unit(w):
    """A workflow step assigned to a fixed unit (here: appraisal by the Department of Justice) is in the
    work queue of that unit's role holders, not of the competent ward's, and makes the dossier visible
    to them."""
    step = WorkflowStep.objects.get(code="tham-dinh")
    step.unit_mode, step.unit = WorkflowStep.UnitMode.FIXED, w.justice
    step.save()
    (d,) = handed_over(w, 1)
    assert codes(w.justice_specialist, q.Box.TO_PROCESS) == {d.code}
    assert codes(w.justice_specialist, q.Box.IN_SCOPE) == {d.code}
    assert codes(w.justice_specialist, q.Box.OVERDUE, now=at(2026, 3, 13, 8, 0)) == {d.code}
    assert codes(w.specialist_a, q.Box.TO_PROCESS) == set()
    assert codes(w.specialist_a, q.Box.IN_SCOPE) == {d.code}  # still the competent ward's dossier
    assert codes(w.police_specialist, q.Box.TO_PROCESS) == set()
    assert codes(w.police_specialist, q.Box.IN_SCOPE) == set()


def test_to_answer_holds_open_consultations_of_my_units_until_answered(w):
    asked, other = handed_over(w, 2)
    with time_machine.travel(at(2026, 3, 9, 11, 0), tick=False):
        s.request_consultation(
            asked.code,
            by=w.specialist_a,
            expected_version=2,
            targets=[s.ConsultationTarget(unit=w.justice, working_days=2)],
            question="Xác minh",
        )
    assert codes(w.justice_specialist, q.Box.TO_ANSWER) == {asked.code}
    assert codes(w.justice_specialist, q.Box.IN_SCOPE) == {asked.code}  # consulted: visible
    for user in (w.police_specialist, w.specialist_a, w.specialist_b, w.intake_a):
        assert codes(user, q.Box.TO_ANSWER) == set(), user
    assert other.code not in codes(w.justice_specialist, q.Box.IN_SCOPE)
    consultation = asked.consultations.get()
    with time_machine.travel(at(2026, 3, 10, 9, 0), tick=False):
        s.answer_consultation(
            asked.code, consultation.pk, by=w.justice_specialist, expected_version=3, answer="Đúng."
        )
    assert codes(w.justice_specialist, q.Box.TO_ANSWER) == set()
    assert codes(w.justice_specialist, q.Box.IN_SCOPE) == {asked.code}


def test_in_scope_lists_newest_first_and_pages_by_submission(w):
    dossiers = handed_over(w, 4)
    first = q.inbox(w.supervisor, q.Box.IN_SCOPE, limit=3)
    assert first.sort == "-submitted_at"
    rest = q.inbox(w.supervisor, q.Box.IN_SCOPE, limit=3, cursor=first.next_cursor)
    assert [d.code for d in first.items + rest.items] == [d.code for d in reversed(dossiers)]
    assert rest.next_cursor is None
    by_day = q.inbox(
        w.supervisor,
        q.Box.IN_SCOPE,
        filters=q.Filters(received_from=date(2026, 3, 10), received_to=date(2026, 3, 10)),
    )
    assert by_day.items == []  # submitted on 09/03
    with pytest.raises(InvalidDossierInput):
        q.inbox(w.supervisor, q.Box.IN_SCOPE, sort="due_at")
    with pytest.raises(InvalidDossierInput):
        q.inbox(w.supervisor, "hop_khong_co")


def test_box_counts_count_each_offered_box_in_one_query_up_to_the_limit(w, monkeypatch):
    dossiers = handed_over(w, 4)
    now = at(2026, 3, 13, 8, 0)  # all four overdue
    access = q.user_access(w.specialist_a)
    with CaptureQueriesContext(connection) as ctx:
        counts = q.box_counts(w.specialist_a, now=now, access=access)
    assert counts == {
        q.Box.TO_PROCESS: 4,
        q.Box.TO_ANSWER: 0,
        q.Box.SOON_DUE: 0,
        q.Box.OVERDUE: 4,
    }
    assert len(own(ctx.captured_queries)) == 1  # every count at once (the scope was read before)
    for box, n in counts.items():  # the same definition as the lists
        assert len(q.inbox(w.specialist_a, box, now=now).items) == n
    assert q.box_counts(w.intake_a, now=now)[q.Box.TO_RECEIVE] == 0
    assert q.Box.TO_SIGN not in q.box_counts(w.specialist_a, now=now)
    assert q.box_counts(w.specialist_b, now=now) == dict.fromkeys(counts, 0)
    assert q.box_counts(w.supervisor, now=now) == {q.Box.SOON_DUE: 0, q.Box.OVERDUE: 4}
    monkeypatch.setattr(q, "COUNT_LIMIT", 3)
    bounded = q.box_counts(w.specialist_a, now=now, boxes=[q.Box.TO_PROCESS, q.Box.OVERDUE])
    assert bounded == {q.Box.TO_PROCESS: 3, q.Box.OVERDUE: 3}
    assert [q.count_label(n) for n in (0, 2, 3, 4)] == ["0", "2", "2+", "2+"]
    assert len(dossiers) == 4


def test_box_counts_cost_the_same_for_3_and_30_dossiers(w):
    def cost() -> int:
        with CaptureQueriesContext(connection) as ctx:
            q.box_counts(w.head_a, now=at(2026, 3, 13, 8, 0))
        return len(own(ctx.captured_queries))

    handed_over(w, 3)
    small = cost()
    handed_over(w, 27, start_hour=10)
    assert small == cost() == 2  # the scope with the steps, then every count at once


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
    detail = lookup.dossier_detail(w.intake_a, d.code)
    assert [e.action for e in detail.events] == ["receive_at_counter"]
    assert "hand_over" in detail.actions and len(detail.components) == 2
    assert lookup.dossier_detail(w.supervisor, d.code).actions == []
    for user in (w.intake_b, w.specialist_b):
        with pytest.raises(DossierNotFound):
            lookup.dossier_detail(user, d.code)
    with pytest.raises(DossierNotFound):
        lookup.dossier_detail(w.intake_a, "000.11.01.H31-260309-9999")
    assert [x.code for x in q.search(w.intake_a, "nguyen thi hong")] == [d.code]
    assert [x.code for x in q.search(w.intake_a, "NGUYỄN Nhung")] == [d.code]
    assert [x.code for x in q.search(w.intake_a, df.CITIZEN_ID)] == [d.code]
    assert [x.code for x in q.search(w.intake_a, "0201234567")] == [org.code]
    assert [x.code for x in q.search(w.intake_a, d.code.lower())] == [d.code]
    assert [x.code for x in q.search(w.intake_a, f" {d.code.upper()} ")] == [d.code]
    assert [x.code for x in q.search(w.intake_a, "duc thang")] == [org.code]
    assert q.search(w.intake_b, "nguyen thi hong") == []
    assert q.search(w.intake_b, d.code) == []
    assert q.search(w.intake_a, "   ") == []
