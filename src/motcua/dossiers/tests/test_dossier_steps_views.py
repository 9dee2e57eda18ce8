"""The staff screens of the workflow's steps: send back with a reason, no action outside one's step,
the leaders' box of dossiers nobody can handle, and intake refusing a unit where a step has nobody.

Time is frozen on Monday 09/03/2026 09:00; the test workflow: tiep-nhan (one-stop) → tham-dinh
(specialist) → trinh-ky (division leader) → ky-ban-hanh (agency leader) → tra-ket-qua (one-stop).
"""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from motcua.core.models import RoleAssignment
from motcua.dossiers import services as s
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests import factories as df
from motcua.dossiers.tests.factories import at

pytestmark = pytest.mark.django_db

NOW = at(2026, 3, 9, 9, 0)


@pytest.fixture
def w():
    with time_machine.travel(NOW, tick=False):
        yield df.world()


def html(response) -> str:
    return response.content.decode()


def at_approval(w) -> Dossier:
    d = df.receive(w)
    d = s.hand_over(d.code, by=w.intake_a, expected_version=1)
    return s.hand_over(d.code, by=w.specialist_a, expected_version=2)


def test_the_division_leader_sends_the_dossier_back_with_a_reason(client, w):
    with time_machine.travel(NOW, tick=False):
        d = at_approval(w)
        client.force_login(w.leader_a)
        page = html(client.get(f"/can-bo/ho-so/{d.code}/"))
        assert 'id="act-send_back"' in page and "Trả lại bước trước" in page
        assert '<option value="tham-dinh" selected>Bước tham-dinh</option>' in page
        response = client.post(
            f"/can-bo/ho-so/{d.code}/thao-tac/send_back/",
            {
                "send_back-expected_version": 3,
                "send_back-to_step": "tham-dinh",
                "send_back-reason": "Thiếu biên bản xác minh nơi cư trú",
            },
        )
        assert response.status_code == 302
        page = html(client.get(response["Location"]))
    assert f"Đã trả hồ sơ {d.code} về bước “Bước tham-dinh”." in page
    assert "Thiếu biên bản xác minh nơi cư trú" in page  # in the history, with the reason
    d.refresh_from_db()
    assert (d.current_step.code, d.assignee) == ("tham-dinh", w.specialist_a)


def test_a_send_back_without_a_reason_is_shown_next_to_the_field(client, w):
    with time_machine.travel(NOW, tick=False):
        d = at_approval(w)
        client.force_login(w.leader_a)
        response = client.post(
            f"/can-bo/ho-so/{d.code}/thao-tac/send_back/",
            {"send_back-expected_version": 3, "send_back-to_step": "tham-dinh", "send_back-reason": ""},
        )
    assert response.status_code == 400
    assert "Ghi lý do trả lại bước trước." in html(response)
    d.refresh_from_db()
    assert d.lock_version == 3


def test_the_clerk_is_offered_nothing_at_the_signing_step_and_a_forced_post_says_why(client, w):
    with time_machine.travel(NOW, tick=False):
        d = at_approval(w)
        d = s.hand_over(d.code, by=w.leader_a, expected_version=3)  # at the chairman's signing step
        client.force_login(w.clerk_a)
        page = html(client.get(f"/can-bo/ho-so/{d.code}/"))
        assert 'id="act-mark_result_ready"' not in page and 'id="act-hand_over"' not in page
        response = client.post(f"/can-bo/ho-so/{d.code}/ket-qua/", {"mark_result_ready-expected_version": 4})
    assert response.status_code == 403
    assert "đang chờ ở bước “Bước ky-ban-hanh” (Lãnh đạo cơ quan)" in html(response)
    d.refresh_from_db()
    assert d.state == "in_progress"


def test_the_leaders_box_of_dossiers_nobody_can_handle(client, w):
    with time_machine.travel(NOW, tick=False):
        d = at_approval(w)
        RoleAssignment.objects.filter(user=w.leader_a).update(valid_to=date(2026, 3, 9))
        client.force_login(w.head_a)
        home = html(client.get("/can-bo/ho-so/menu/"))
        assert "Hồ sơ chưa có người xử lý" in home
        box = html(client.get("/can-bo/ho-so/?box=chua-co-nguoi-xu-ly"))
        assert d.code in box
        client.force_login(w.specialist_a)
        assert "Hồ sơ chưa có người xử lý" not in html(client.get("/can-bo/ho-so/menu/"))


def test_intake_puts_a_unit_without_a_steps_holder_next_to_the_competent_unit(client, w):
    with time_machine.travel(NOW, tick=False):
        client.force_login(w.intake_b)
        components = {f"c{c.pk}_received": "on" for c in w.version.components.all()}
        response = client.post(
            "/can-bo/ho-so/tiep-nhan/",
            {
                "procedure": "1.001193",
                "receiving_unit": w.ward_b.pk,
                "competent_unit": w.ward_b.pk,
                "applicant_kind": "person",
                "citizen_id": df.CITIZEN_ID,
                "channel": 1,
                "result_delivery": "counter",
                **components,
            },
        )
    assert response.status_code == 422
    text = html(response)
    assert "Phường Lê Chân chưa có ai giữ vai trò “Lãnh đạo phòng” để thực hiện bước “Bước trinh-ky”" in text
    error = text.split('id="id_competent_unit-error">', 1)[1].split("</div>", 1)[0]
    assert "chưa có ai giữ vai trò “Lãnh đạo phòng”" in error  # next to the unit to change
    assert not Dossier.objects.exists()
