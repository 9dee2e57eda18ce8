"""The list endpoint of the dossier API (GET /api/ho-so/?box=…): every box of ``selectors.Box``, with
the same number of queries whatever the number of dossiers on the page (no N+1)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from motcua.core import tokens
from motcua.dossiers import selectors
from motcua.dossiers import services as s
from motcua.dossiers.tests import factories as df
from motcua.dossiers.tests.factories import at

pytestmark = pytest.mark.django_db

URL = "/api/ho-so/"
MONDAY = at(2026, 3, 9, 9, 0)
# The tables the list reads (not the token, its account or its last use).
LIST_TABLES = (
    '"dossiers_dossier"',
    '"core_roleassignment"',
    '"catalogue_workflowstep"',
    '"catalogue_procedure"',
)


@pytest.fixture
def w():
    return df.world()


def client_for(user) -> tuple[Client, dict[str, str]]:
    return Client(), {"Authorization": f"Bearer {tokens.issue(user, 'Thử').secret}"}


def at_appraisal(w, n: int, *, after: int = 0) -> list[str]:
    """``n`` dossiers received a minute apart (from minute ``after`` + 1) and handed to appraisal."""
    codes = []
    with time_machine.travel(MONDAY, tick=False) as clock:
        for i in range(after, after + n):
            clock.move_to(MONDAY + timedelta(minutes=i + 1))
            d = df.receive(w)
            s.hand_over(d.code, by=w.intake_a, expected_version=1)
            codes.append(d.code)
    return codes


def listed(w, user, box: str, **params) -> tuple[list[str], int]:
    client, headers = client_for(user)
    client.get(URL, {"box": box, **params}, headers=headers)  # the token's first use is noted once
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL, {"box": box, **params}, headers=headers)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["box"] == box
    own = sum(1 for q in ctx.captured_queries if any(t in q["sql"] for t in LIST_TABLES))
    return [item["code"] for item in body["items"]], own


# The user's units with the steps of their roles, the page and the names of its procedures, units,
# steps and assignees (with their codes: no extra query), whatever the box.
QUERIES = 3


@pytest.mark.parametrize(
    ("box", "who"),
    [
        (selectors.Box.TO_PROCESS, "specialist_a"),
        (selectors.Box.OVERDUE, "head_a"),
        (selectors.Box.IN_SCOPE, "supervisor"),
        (selectors.Box.TO_ANSWER, "justice_specialist"),
    ],
)
def test_every_box_lists_with_the_same_queries_for_3_and_30_dossiers(w, box, who):
    user = getattr(w, who)

    def make(n: int, after: int = 0) -> list[str]:
        made = at_appraisal(w, n, after=after)
        if box == selectors.Box.TO_ANSWER:
            with time_machine.travel(MONDAY + timedelta(hours=1), tick=False):
                for code in made:
                    s.request_consultation(
                        code,
                        by=w.specialist_a,
                        expected_version=2,
                        targets=[s.ConsultationTarget(unit=w.justice, working_days=2)],
                        question="Xác minh",
                    )
        return made

    now = at(2026, 3, 13, 9, 0) if box == selectors.Box.OVERDUE else MONDAY + timedelta(hours=2)
    made = make(3)
    with time_machine.travel(now, tick=False):
        small, small_queries = listed(w, user, box)
    made += make(27, after=3)
    with time_machine.travel(now, tick=False):
        large, large_queries = listed(w, user, box)
    assert small_queries == large_queries == QUERIES
    assert len(small) == 3 and len(large) == 30
    assert set(large) == set(made)
    if box == selectors.Box.IN_SCOPE:
        assert large == list(reversed(made))  # newest first


def test_the_list_items_carry_unit_codes_and_names_from_the_same_query(w):
    (code,) = at_appraisal(w, 1)
    client, headers = client_for(w.specialist_a)
    with time_machine.travel(MONDAY + timedelta(hours=1), tick=False):
        item = client.get(URL, {"box": "to_process"}, headers=headers).json()["items"][0]
    assert item["code"] == code
    assert item["receiving_unit"] == {"code": "pab", "name": "Phường An Biên"}
    assert item["competent_unit"] == {"code": "pab", "name": "Phường An Biên"}
    assert item["procedure"]["code"] == w.procedure.code
    assert item["current_step"]["code"] == "tham-dinh" and item["assignee"] is None


def test_a_ward_b_officer_lists_nothing_of_ward_a_in_any_box(w):
    at_appraisal(w, 2)
    for box in selectors.Box.ALL:
        assert listed(w, w.specialist_b, box)[0] == [], box


def test_the_first_published_name_of_the_box_parameter_still_works(w):
    (code,) = at_appraisal(w, 1)
    client, headers = client_for(w.specialist_a)
    with time_machine.travel(MONDAY + timedelta(hours=1), tick=False):
        old = client.get(URL, {"hop": "to_process"}, headers=headers).json()
        new = client.get(URL, {"box": "to_process"}, headers=headers).json()
        receive = client.get(URL, {"hop": "to_receive"}, headers=headers).json()
    assert [i["code"] for i in old["items"]] == [i["code"] for i in new["items"]] == [code]
    assert old["box"] == "to_process" and receive["box"] == "to_receive" and receive["items"] == []
