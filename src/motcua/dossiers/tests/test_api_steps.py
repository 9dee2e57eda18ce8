"""The API's side of the workflow steps: send back, what ``allowed_actions`` offers, stale versions."""

from __future__ import annotations

import pytest
import time_machine

from motcua.dossiers import services as s
from motcua.dossiers.tests import factories as df
from motcua.dossiers.tests.factories import at
from motcua.dossiers.tests.test_api import api_for, error

pytestmark = pytest.mark.django_db

MONDAY = at(2026, 3, 9, 9, 0)


@pytest.fixture
def w():
    return df.world()


def at_signing(w):
    d = df.receive(w)
    for by, version in ((w.intake_a, 1), (w.specialist_a, 2), (w.leader_a, 3)):
        d = s.hand_over(d.code, by=by, expected_version=version)
    return d


def test_send_back_through_the_api(w):
    head = api_for(w.head_a)
    with time_machine.travel(MONDAY, tick=False):
        code = at_signing(w).code
        error(head.act(code, "send_back", 4, reason=""), 422, "reason_required")
        error(head.act(code, "send_back", 4, reason="Sai", to_step="tra-ket-qua"), 422, "step_invalid")
        response = head.act(code, "send_back", 4, reason="Thiếu chữ ký trình", to_step="trinh-ky")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["state"], body["national_status"], body["current_step"]["code"]) == (
        "in_progress",
        4,
        "trinh-ky",
    )
    assert body["assignee"]["username"] == w.leader_a.username  # who did that step last
    event = body["events"][-1]
    assert (event["action"], event["action_display"], event["data"]["reason"]) == (
        "send_back",
        "Trả lại bước trước",
        "Thiếu chữ ký trình",
    )


def test_allowed_actions_never_lists_what_will_be_refused(w):
    with time_machine.travel(MONDAY, tick=False):
        code = at_signing(w).code
        head = api_for(w.head_a).get(code).json()["allowed_actions"]
        clerk = api_for(w.clerk_a).get(code).json()["allowed_actions"]
    assert "hand_over" not in head and "mark_result_ready" in head  # the last step: the result is next
    assert clerk == []  # the chairman has not signed: nothing for the clerk


def test_a_stale_version_is_409_even_for_a_caller_without_the_permission(w):
    clerk = api_for(w.clerk_a)
    with time_machine.travel(MONDAY, tick=False):
        code = at_signing(w).code
        error(clerk.act(code, "mark_result_ready", 3), 409, "dossier_stale")
        error(clerk.act(code, "mark_result_ready", 4), 403, "dossier_forbidden")
        error(api_for(w.intake_b).act(code, "mark_result_ready", 3), 404, "dossier_not_found")
