"""The dossier API (/api/ho-so/): token and session authentication, the whole lifecycle over HTTP,
scoping, optimistic concurrency, query counts, the OpenAPI document and error bodies (fuzzed a little).

The world of ``factories.world()``: ward A and ward B with one-stop desks, procedure 1.001193 (3
working days; tiep-nhan → tham-dinh → trinh-ky → ky-ban-hanh → tra-ket-qua).
"""

from __future__ import annotations

import base64
import json
import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from motcua.catalogue.tests import factories as cf
from motcua.core import tokens
from motcua.core.models import AuditEntry, Person
from motcua.dossiers import services
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.schemas import TRANSITION_SCHEMAS
from motcua.dossiers.tests import factories as df
from motcua.dossiers.tests.factories import at

pytestmark = pytest.mark.django_db

URL = "/api/ho-so/"
VIETNAMESE = re.compile(r"[À-ỹĐđ]")
MONDAY = at(2026, 3, 9, 9, 0)


@pytest.fixture
def w():
    return df.world()


class Api:
    """A JSON client that sends a bearer token (or nothing)."""

    def __init__(self, secret: str | None = None, client: Client | None = None) -> None:
        self.client = client or Client()
        self.headers = {"Authorization": f"Bearer {secret}"} if secret else {}

    def get(self, path: str, params: dict | None = None):
        return self.client.get(URL + path, params or {}, headers=self.headers)

    def post(self, path: str, body, *, raw: bool = False):
        data = body if raw else json.dumps(body)
        return self.client.post(URL + path, data, content_type="application/json", headers=self.headers)

    def act(self, code: str, action: str, version: int, **fields):
        return self.post(
            f"{code}/chuyen-trang-thai", {"action": action, "expected_version": version, **fields}
        )


def api_for(user, name: str = "Hệ thống thử nghiệm") -> Api:
    return Api(tokens.issue(user, name).secret)


def create_body(w, **overrides) -> dict:
    body = {
        "channel": 1,
        "applicant": {"citizen_id": df.CITIZEN_ID},
        "procedure": w.procedure.code,
        "receiving_unit": w.ward_a.code,
        "components": [{"order": c.order} for c in w.version.components.all()],
    }
    body.update(overrides)
    return body


def error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) >= {"code", "message"}, body
    assert VIETNAMESE.search(body["message"]), body["message"]
    if code is not None:
        assert body["code"] == code, body
    return body


def receive_via_api(w, api: Api | None = None) -> dict:
    response = (api or api_for(w.intake_a)).post("", create_body(w))
    assert response.status_code == 201, response.content
    return response.json()


# -- the whole lifecycle over HTTP, with tokens ----------------------------------------------------------


def test_counter_to_return_through_the_api_with_tokens(w):
    intake, leader, specialist, head = (
        api_for(w.intake_a, "Quầy một cửa"),
        api_for(w.leader_a),
        api_for(w.specialist_a),
        api_for(w.head_a),
    )
    with time_machine.travel(MONDAY, tick=False) as clock:
        created = receive_via_api(w, intake)
        code = created["code"]
        assert code == "000.11.01.H31-260309-0001"
        assert (created["state"], created["national_status"], created["lock_version"]) == ("received", 2, 1)
        assert created["due_at"] == "2026-03-12T17:00:00+07:00"
        assert created["current_step"]["code"] == "tiep-nhan"
        assert created["receiving_unit"] == {"code": "pab", "name": "Phường An Biên"}
        assert created["applicant"] == {
            "type": "citizen",
            "id_number": df.CITIZEN_ID,
            "name": "Nguyễn Thị Hồng Nhung",
            "identified": True,
        }
        assert {c["catalogue_order"] for c in created["components"]} == {1, 2}
        assert "hand_over" in created["allowed_actions"]

        steps = [
            (intake, "hand_over", {}, 9, 30),
            (leader, "assign", {"assignee": w.specialist_a.username}, 10, 0),
            (specialist, "hand_over", {"note": "Đủ điều kiện"}, 14, 0),
            (leader, "hand_over", {"assignee": w.head_a.username}, 15, 0),
            (head, "mark_result_ready", {}, 16, 0),
            (intake, "return_result", {"notified": True}, 16, 30),
        ]
        version = 1
        for caller, action, fields, hour, minute in steps:
            clock.move_to(at(2026, 3, 10, hour, minute))
            response = caller.act(code, action, version, **fields)
            assert response.status_code == 200, (action, response.content)
            version += 1
            assert response.json()["lock_version"] == version

    body = response.json()
    assert (body["state"], body["national_status"], body["current_step"]) == ("returned", 10, None)
    assert body["returned_at"] == "2026-03-10T16:30:00+07:00"
    assert body["allowed_actions"] == []
    timeline = [(e["seq"], e["action"], e["national_status"], e["step"], e["actor"]) for e in body["events"]]
    assert timeline == [
        (1, "receive_at_counter", 2, "tiep-nhan", "motcua_a"),
        (2, "hand_over", 4, "tham-dinh", "motcua_a"),
        (3, "assign", 4, "tham-dinh", "lanhdaophong_a"),
        (4, "hand_over", 4, "trinh-ky", "chuyenvien_a"),
        (5, "hand_over", 4, "ky-ban-hanh", "lanhdaophong_a"),
        (6, "mark_result_ready", 9, "tra-ket-qua", "chutich_a"),
        (7, "return_result", 10, None, "motcua_a"),
    ]
    assert body["events"][3]["data"]["note"] == "Đủ điều kiện"
    assert body["events"][6]["action_display"] == "Trả kết quả"

    # Every write is attributed to the token's account, and the label names the token.
    entries = AuditEntry.objects.filter(object_type="dossiers.dossier", object_id=code).order_by("id")
    assert [(e.action, e.actor_id) for e in entries][:2] == [
        ("dossier.receive_at_counter", w.intake_a.pk),
        ("dossier.hand_over", w.intake_a.pk),
    ]
    assert entries[0].actor_label == "motcua_a (mã truy cập “Quầy một cửa”)"
    assert entries[0].ip == "127.0.0.1"

    sync = intake.get(f"{code}/dong-bo").json()
    assert sync["service"] == "DongBoHoSoMC" and sync["isUpdating"] is True
    assert sync["data"][0]["MaHoSo"] == code and sync["data"][0]["TrangThaiHoSo"] == 10


@pytest.mark.parametrize("channel", [1, 2, 3])
def test_the_answer_to_a_create_is_the_dossier_as_read_afterwards(w, channel):
    """The 201 body is built from the dossier just written (not read back whole): it must say exactly
    what the detail says when read afterwards — components with their ids, the first event, the
    actions the officer may take next."""
    intake = api_for(w.intake_a)
    with time_machine.travel(MONDAY, tick=False):
        created = intake.post("", create_body(w, channel=channel))
        assert created.status_code == 201, created.content
        body = created.json()
        assert body == intake.get(body["code"]).json()
    assert body["events"] and body["components"] and body["allowed_actions"]


def test_online_submission_new_applicant_then_acceptance(w):
    intake = api_for(w.intake_a, "Cổng DVC")
    body = create_body(
        w,
        channel=2,
        applicant={
            "citizen_id": "001190000456",
            "full_name": "Trần Văn Bình",
            "birth_date": "1990-05-04",
            "email": "binh@example.com",
        },
    )
    with time_machine.travel(MONDAY, tick=False):
        response = intake.post("", body)
        created = response.json()
        assert response.status_code == 201, created
        assert (created["state"], created["national_status"], created["channel"]) == ("submitted", 1, 2)
        assert created["result_delivery"] == "online" and created["due_at"] is None
        assert created["events"][0]["actor"] is None  # the applicant submitted, not a staff account
        person = Person.objects.get(citizen_id="001190000456")
        assert person.full_name == "Trần Văn Bình"
        relay = AuditEntry.objects.get(action="api.submit_online")
        assert relay.actor_id == w.intake_a.pk and "Cổng DVC" in relay.actor_label

        accepted = intake.post(f"{created['code']}/tiep-nhan", {"expected_version": 1})
        assert accepted.status_code == 200, accepted.content
        assert accepted.json()["state"] == "received" and accepted.json()["due_at"] is not None

        # accepting again: wrong state, with the service's Vietnamese message
        error(
            intake.post(f"{created['code']}/tiep-nhan", {"expected_version": 2}),
            409,
            "dossier_invalid_transition",
        )


def test_every_transition_action_is_dispatched(w):
    """Supplement, payment, consultation, apology, refusal, stop, withdrawal and intake refusal."""
    intake, specialist, leader = api_for(w.intake_a), api_for(w.specialist_a), api_for(w.leader_a)
    justice = api_for(w.justice_specialist)
    with time_machine.travel(MONDAY, tick=False):
        code = receive_via_api(w, intake)["code"]
        assert intake.act(code, "hand_over", 1).status_code == 200
        r = specialist.act(code, "request_supplement", 2, items=["Giấy chứng sinh"], reasons="Bản sao mờ")
        assert r.json()["state"] == "awaiting_supplement" and r.json()["supplements"][0]["items"] == [
            "Giấy chứng sinh"
        ]
        r = intake.act(code, "receive_supplement", 3, note="Đã nhận", components=[{"order": 2}])
        assert r.json()["state"] == "in_progress"
        assert r.json()["components"][-1]["supplement_id"] == r.json()["supplements"][0]["id"]
        r = specialist.act(
            code, "request_payment", 4, items=[{"name": "Lệ phí trích lục", "amount_vnd": 8000}]
        )
        assert r.json()["state"] == "awaiting_payment"
        assert r.json()["fees"][-1]["amount_vnd"] == 8000
        r = intake.act(code, "confirm_payment", 5, receipt_ref="BL-01", online=True)
        assert r.json()["state"] == "in_progress" and r.json()["paid_online"] is True
        r = specialist.act(
            code,
            "request_consultation",
            6,
            targets=[{"unit": w.justice.code, "working_days": 1}],
            question="Đề nghị cho ý kiến",
        )
        consultation = r.json()["consultations"][0]
        assert consultation["unit"]["code"] == "stp" and consultation["mode"] == "sequential"
        # The consulted unit sees the dossier and may answer.
        r = justice.act(code, "answer_consultation", 7, consultation_id=consultation["id"], answer="Đồng ý")
        assert r.status_code == 200 and r.json()["consultations"][0]["answer"] == "Đồng ý"
        r = leader.act(code, "reset_due", 8, reason="Chờ xác minh", new_due="2026-03-27")
        assert (r.json()["due_at"], r.json()["promised_at"]) == (
            "2026-03-12T17:00:00+07:00",
            "2026-03-27T17:00:00+07:00",
        )
        assert r.json()["due_resets"][0]["new_due"] == "2026-03-27T17:00:00+07:00"
        r = intake.act(code, "withdraw", 9, reason="Công dân xin rút")
        assert r.json()["state"] == "withdrawn"
        r = leader.act(code, "stop", 10, reasons="Công dân đã rút hồ sơ")
        assert r.json()["state"] == "stopped" and r.json()["national_status"] == 8

        other = receive_via_api(w, intake)["code"]
        r = leader.act(other, "refuse_after_appraisal", 1, reasons="Không đủ điều kiện")
        assert r.json()["state"] == "refused_after_appraisal"

        online = df.submit(w)
        r = intake.act(online.code, "refuse_at_intake", 1, reasons="Sai cơ quan")
        assert r.json()["state"] == "refused_at_intake"


# -- authentication --------------------------------------------------------------------------------


def test_unauthenticated_requests_get_401_json(w):
    api = Api()
    for response in (api.get(""), api.get("ABC"), api.post("", create_body(w)), api.get("tim", {"q": "x"})):
        error(response, 401, "unauthenticated")
    revoked = tokens.issue(w.intake_a, "Cũ")
    tokens.revoke(revoked.token)
    error(Api(revoked.secret).get(""), 401, "unauthenticated")
    error(Api("mc_khong-phai-ma-that").get(""), 401, "unauthenticated")
    error(Api(client=Client()).client.get(URL, headers={"Authorization": "Bearer"}), 401, "unauthenticated")


def test_failed_tokens_are_throttled_per_address(w, settings):
    settings.MOTCUA_API_TOKEN_MAX_FAILURES = 3
    good = api_for(w.intake_a)
    bad = Api("mc_" + "x" * 43)
    for _ in range(3):
        error(bad.get(""), 401, "unauthenticated")
    body = error(bad.get(""), 429, "too_many_attempts")
    assert "phút" in body["message"]
    assert good.get("").status_code == 200  # another system behind the same address is not locked out
    other_address = Client(REMOTE_ADDR="10.0.0.9")
    assert Api(good.headers["Authorization"][7:], other_address).get("").status_code == 200
    assert AuditEntry.objects.filter(action="api_token_failed").count() == 3


def test_session_auth_needs_csrf_for_post(w):
    with time_machine.travel(MONDAY, tick=False):
        code = df.receive(w).code
        client = Client(enforce_csrf_checks=True)
        client.force_login(w.intake_a)
        session = Api(client=client)
        assert session.get(code).status_code == 200  # reads need no CSRF token
        error(session.act(code, "hand_over", 1), 403, "csrf_failed")
        assert DossierEvent.objects.filter(dossier__code=code).count() == 1

        client.cookies["csrftoken"] = "a" * 32
        session.headers = {"X-CSRFToken": "a" * 32}
        response = session.act(code, "hand_over", 1)
        assert response.status_code == 200, response.content
        assert response.json()["events"][-1]["actor"] == "motcua_a"
    entry = AuditEntry.objects.filter(action="dossier.hand_over").get()
    assert (entry.actor_id, entry.actor_label) == (w.intake_a.pk, "motcua_a")


# -- scoping, permissions, concurrency ---------------------------------------------------------------


def test_another_wards_dossier_is_not_found_for_a_ward_officer(w):
    with time_machine.travel(MONDAY, tick=False):
        code = df.receive(w).code
        ward_b = api_for(w.intake_b)
        missing = error(ward_b.get("000.11.01.H31-260309-9999"), 404, "dossier_not_found")
        hidden = error(ward_b.get(code), 404, "dossier_not_found")
        assert hidden["message"].replace(code, "X") == missing["message"].replace(
            "000.11.01.H31-260309-9999", "X"
        )
        error(ward_b.get(f"{code}/dong-bo"), 404, "dossier_not_found")
        error(ward_b.get(f"{code}/tinh-trang"), 404, "dossier_not_found")
        error(ward_b.act(code, "hand_over", 1), 404, "dossier_not_found")
        error(ward_b.act(code, "receive_supplement", 1, components=[{"order": 1}]), 404, "dossier_not_found")
        assert ward_b.get("", {"box": "to_process"}).json()["items"] == []
        assert ward_b.get("tim", {"q": df.CITIZEN_ID}).json()["items"] == []
        assert api_for(w.intake_a).get("tim", {"q": "nguyen thi hong"}).json()["items"][0]["code"] == code
        # a ward-B officer cannot receive for ward A either
        error(ward_b.post("", create_body(w)), 403, "dossier_forbidden")
        assert Dossier.objects.count() == 1


def test_acting_then_losing_sight_of_the_dossier_still_answers_with_the_new_state():
    """The police handle a fixed step, hand the dossier back to the ward and no longer see it."""
    workflow = [
        cf.step(1, "tiep-nhan", 2, "intake_officer", unit_mode="one_stop"),
        cf.step(2, "xac-minh", 4, unit_mode="fixed", unit="cat"),
        cf.step(3, "tham-dinh", 8),
        cf.step(4, "tra-ket-qua", 0.5, "intake_officer", unit_mode="one_stop"),
    ]
    w = df.world(procedure_doc=cf.procedure("1.001193", cf.version(workflow=workflow)))
    police = api_for(w.police_specialist)
    with time_machine.travel(MONDAY, tick=False):
        code = df.receive(w).code
        api_for(w.intake_a).act(code, "hand_over", 1)
        assert police.get(code).json()["current_step"]["code"] == "xac-minh"
        response = police.act(code, "hand_over", 2, note="Đã xác minh")
        assert response.status_code == 200, response.content
        body = response.json()
        assert (body["current_step"]["code"], body["lock_version"], body["allowed_actions"]) == (
            "tham-dinh",
            3,
            [],
        )
        error(police.get(code), 404, "dossier_not_found")


def test_forbidden_action_is_403(w):
    with time_machine.travel(MONDAY, tick=False):
        code = df.receive(w).code
        error(api_for(w.specialist_a).act(code, "return_result", 1), 403, "dossier_forbidden")


def test_stale_expected_version_is_409_and_writes_one_event_only(w):
    """The leader assigns while the intake officer, still looking at version 1, hands over."""
    intake, leader = api_for(w.intake_a), api_for(w.leader_a)
    with time_machine.travel(MONDAY, tick=False):
        code = receive_via_api(w, intake)["code"]
        assert leader.act(code, "assign", 1, assignee=w.intake_a.username).status_code == 200
        body = error(intake.act(code, "hand_over", 1), 409, "dossier_stale")
        assert "tải lại" in body["message"]
        assert body["details"] == {"expected_version": 1, "current_version": 2}
    assert list(DossierEvent.objects.filter(dossier__code=code).values_list("seq", "action")) == [
        (1, "receive_at_counter"),
        (2, "assign"),
    ]


# -- lists: keyset pagination, filters, query counts -----------------------------------------------------


def received(w, n: int) -> list[str]:
    codes = []
    with time_machine.travel(MONDAY, tick=False) as clock:
        for i in range(n):
            clock.move_to(MONDAY + timedelta(minutes=i + 1))
            codes.append(df.receive(w).code)
    return codes


def test_list_pages_with_a_cursor_and_filters(w):
    codes = received(w, 5)
    intake = api_for(w.intake_a)
    with time_machine.travel(at(2026, 3, 9, 10, 0), tick=False):
        first = intake.get("", {"box": "to_process", "limit": 2, "sort": "received_at"}).json()
        assert [i["code"] for i in first["items"]] == codes[:2] and first["next_cursor"]
        seen = [i["code"] for i in first["items"]]
        cursor = first["next_cursor"]
        while cursor:
            page = intake.get("", {"box": "to_process", "limit": 2, "sort": "received_at", "cursor": cursor})
            seen += [i["code"] for i in page.json()["items"]]
            cursor = page.json()["next_cursor"]
        assert seen == codes
        item = first["items"][0]
        assert item["receiving_unit"] == {"code": "pab", "name": "Phường An Biên"}
        assert item["current_step"]["code"] == "tiep-nhan" and item["lock_version"] == 1
        filtered = intake.get(
            "",
            {
                "procedure": w.procedure.code,
                "state": "received",
                "channel": 1,
                "received_from": "2026-03-09",
                "received_to": "2026-03-09",
            },
        ).json()
        assert len(filtered["items"]) == 5
        assert intake.get("", {"received_from": "2026-03-10"}).json()["items"] == []
        assert intake.get("", {"procedure": "9.999999"}).json()["items"] == []


def count_queries(call) -> int:
    """Queries of one request, after a first one (which may note the token's last use)."""
    call()
    with CaptureQueriesContext(connection) as ctx:
        response = call()
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries)


def test_list_costs_the_same_queries_for_3_and_30_dossiers(w):
    intake = api_for(w.intake_a)
    received(w, 3)
    with time_machine.travel(at(2026, 3, 9, 12, 0), tick=False):
        small = count_queries(lambda: intake.get("", {"box": "to_process"}))
    received(w, 27)
    with time_machine.travel(at(2026, 3, 9, 12, 0), tick=False):
        large = count_queries(lambda: intake.get("", {"box": "to_process"}))
        assert len(intake.get("", {"box": "to_process"}).json()["items"]) == 30
    assert small == large


def short_and_long(w, intake: Api, specialist: Api) -> tuple[str, str]:
    """Two dossiers: one just received, one with a hand-over, a supplement asked and received."""
    short = df.receive(w).code
    long = df.receive(w).code
    intake.act(long, "hand_over", 1)
    specialist.act(long, "request_supplement", 2, items=["A", "B"], reasons="Thiếu")
    intake.act(long, "receive_supplement", 3, components=[{"name": "Bản sao mới"}, {"order": 1}])
    return short, long


def test_detail_costs_the_same_queries_for_a_short_and_a_long_history(w):
    intake, specialist = api_for(w.intake_a), api_for(w.specialist_a)
    with time_machine.travel(MONDAY, tick=False):
        short, long = short_and_long(w, intake, specialist)
        specialist.act(long, "request_payment", 4, items=[{"name": "Phí", "amount_vnd": 1000}])
        intake.act(long, "confirm_payment", 5)
        assert len(intake.get(long).json()["events"]) == 6
        counts = {code: count_queries(lambda code=code: intake.get(code)) for code in (short, long)}
    assert counts[short] == counts[long]


STATUS_FIELDS = (
    "code",
    "procedure",
    "state",
    "state_display",
    "national_status",
    "national_status_display",
    "current_step",
    "submitted_at",
    "received_at",
    "due_at",
    "finished_at",
    "returned_at",
    "lock_version",
)


def test_the_lean_record_says_what_the_detail_says_with_the_apology_date(w):
    """Tracking's record: the same status, step and dates as the detail; the date promised to the
    citizen is the apology's new date once one is issued, the statutory due before."""
    intake, specialist, leader = api_for(w.intake_a), api_for(w.specialist_a), api_for(w.leader_a)
    with time_machine.travel(MONDAY, tick=False):
        code = receive_via_api(w, intake)["code"]
        lean = intake.get(f"{code}/tinh-trang").json()
        assert lean["appointment_at"] == lean["due_at"] == "2026-03-12T17:00:00+07:00"
        assert intake.act(code, "hand_over", 1).status_code == 200
        specialist.act(code, "request_supplement", 2, items=["Giấy chứng sinh"], reasons="Bản sao mờ")
        intake.act(code, "receive_supplement", 3, components=[{"order": 2}])
        assert (
            leader.act(code, "reset_due", 4, reason="Chờ xác minh", new_due="2026-03-27").status_code == 200
        )
        lean = specialist.get(f"{code}/tinh-trang").json()
        full = specialist.get(code).json()
    assert {key: lean[key] for key in STATUS_FIELDS} == {key: full[key] for key in STATUS_FIELDS}
    assert (lean["due_at"], lean["appointment_at"]) == (
        "2026-03-12T17:00:00+07:00",
        "2026-03-27T17:00:00+07:00",
    )
    assert lean["national_status_display"] and lean["current_step"]["name"]
    assert "events" not in lean and "components" not in lean


def test_the_lean_record_costs_fewer_queries_than_the_detail_whatever_the_history(w):
    intake, specialist = api_for(w.intake_a), api_for(w.specialist_a)
    with time_machine.travel(MONDAY, tick=False):
        short, long = short_and_long(w, intake, specialist)
        intake.get(short)  # the token's last use is written once a minute: not in the counts below
        lean = {
            code: count_queries(lambda code=code: intake.get(f"{code}/tinh-trang")) for code in (short, long)
        }
        full = count_queries(lambda: intake.get(long))
    assert lean[short] == lean[long] < full
    # the token's throttle check and lookup, the caller's scope, the dossier
    assert lean[long] <= 4


# -- the OpenAPI document ------------------------------------------------------------------------------


def test_openapi_documents_the_paths_and_each_action(w):
    schema = Client().get("/api/openapi.json").json()
    paths = schema["paths"]
    for path in (
        "/api/ho-so/",
        "/api/ho-so/tim",
        "/api/ho-so/{code}",
        "/api/ho-so/{code}/tiep-nhan",
        "/api/ho-so/{code}/chuyen-trang-thai",
        "/api/ho-so/{code}/dong-bo",
        "/api/ho-so/{code}/tinh-trang",
    ):
        assert path in paths
    assert set(paths["/api/ho-so/"]) == {"get", "post"}
    body = paths["/api/ho-so/{code}/chuyen-trang-thai"]["post"]["requestBody"]["content"]["application/json"]
    mapping = body["schema"]["discriminator"]["mapping"]
    assert set(mapping) == set(TRANSITION_SCHEMAS) and len(mapping) == 17
    components = schema["components"]["schemas"]
    for action, model in TRANSITION_SCHEMAS.items():
        documented = components[model.__name__]
        assert documented["properties"]["action"]["const"] == action
        assert "expected_version" in documented["required"]
        assert documented.get("description"), action  # each action is described (its docstring)
    assert {"assignee", "note"} <= set(components["HandOverIn"]["properties"])
    assert {"reason", "new_due"} <= set(components["ResetDueIn"]["required"])
    assert set(schema["components"]["securitySchemes"]) == {"TokenAuth", "StaffSession"}
    assert {"401", "404", "409", "422"} <= set(
        paths["/api/ho-so/{code}/chuyen-trang-thai"]["post"]["responses"]
    )


# -- bad input: always a JSON error with a code and a Vietnamese message, never a 500 ------------------

NUL = "\x00"
TAX = "0201234567"
NEW_ID = "001190000456"  # Hà Nội, male born 1990
NEW_PERSON = {"citizen_id": NEW_ID, "full_name": "Trần Văn Bình"}


def forged_cursor(moment: str, pk) -> str:
    return base64.urlsafe_b64encode(json.dumps([moment, pk]).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "params,code",
    [
        ({"limit": 10**9}, "invalid_input"),
        ({"limit": 0}, "invalid_input"),
        ({"limit": "nhieu"}, "invalid_input"),
        ({"box": "all"}, "invalid_input"),
        ({"state": "done"}, "invalid_input"),
        ({"channel": 7}, "invalid_input"),
        ({"sort": "code"}, "invalid_input"),
        ({"box": "to_receive", "sort": "due_at"}, "sort_invalid"),
        ({"cursor": "!!!"}, "cursor_invalid"),
        ({"cursor": "x" * 201}, "invalid_input"),
        ({"cursor": forged_cursor("2026-03-09T09:00:00+07:00", 10**30)}, "cursor_invalid"),
        ({"cursor": forged_cursor("9999-12-31T23:59:59-14:00", 1)}, "cursor_invalid"),
        ({"cursor": forged_cursor("2026-03-09T09:00:00", 1)}, "cursor_invalid"),
        ({"cursor": base64.urlsafe_b64encode(b"\xff\xfe").decode()}, "cursor_invalid"),
        ({"received_from": "2026-13-45"}, "invalid_input"),
        ({"received_to": "9999-12-31"}, "invalid_input"),
        ({"received_from": "0001-01-01"}, "invalid_input"),
    ],
)
def test_bad_list_parameters(w, params, code):
    error(api_for(w.intake_a).get("", params), 422, code)


def test_bad_search_and_path_codes(w):
    api = api_for(w.intake_a)
    error(api.get("tim", {"q": ""}), 422, "invalid_input")
    error(api.get("tim", {"q": "x" * 201}), 422, "invalid_input")
    assert api.get("tim", {"q": f"abc{NUL}"}).status_code == 200
    error(api.get("x" * 300), 404, "dossier_not_found")
    error(api.get("%00"), 404, "dossier_not_found")
    error(api.get("%00/dong-bo"), 404, "dossier_not_found")


@pytest.mark.parametrize(
    "change,code,field",
    [
        ({"channel": "mot"}, "invalid_input", "payload.channel"),
        ({"channel": 5}, "invalid_input", "payload.channel"),
        ({"applicant": {"citizen_id": "123"}}, "invalid_input", "payload.applicant"),
        ({"applicant": {"citizen_id": df.CITIZEN_ID, "tax_code": TAX}}, "invalid_input", "payload.applicant"),
        ({"applicant": {}}, "invalid_input", "payload.applicant"),
        ({"applicant": {"citizen_id": NEW_ID}}, "applicant_unknown", None),
        ({"applicant": NEW_PERSON | {"birth_date": "1991-01-01"}}, "invalid_input", "payload.applicant"),
        ({"applicant": NEW_PERSON | {"email": "khong-phai-email"}}, "invalid_input", "payload.applicant"),
        ({"applicant": {"tax_code": "12"}}, "invalid_input", "payload.applicant"),
        ({"applicant": "031085000123"}, "invalid_input", "payload.applicant"),
        ({"procedure": "9.999999"}, "procedure_unknown", None),
        ({"procedure": NUL}, "invalid_input", "payload.procedure"),
        ({"receiving_unit": "khong-co"}, "unit_unknown", None),
        ({"components": "tat ca"}, "invalid_input", "payload.components"),
        ({"components": [{"order": 99}]}, "component_unknown", None),
        ({"components": [{"order": 1, "quantity": 10**6}]}, "invalid_input", None),
        ({"components": [{}]}, "invalid_input", None),
        ({"components": [{"order": 1}]}, "components_missing", None),
        ({"components": [{"order": "1"}]}, "invalid_input", None),
        ({"result_delivery": "email"}, "invalid_input", "payload.result_delivery"),
        ({"unknown_field": 1}, "invalid_input", "payload.unknown_field"),
    ],
)
def test_bad_create_bodies(w, change, code, field):
    body = error(api_for(w.intake_a).post("", create_body(w, **change)), 422, code)
    if field is not None:
        assert field in {d["field"] for d in body["details"]}, body
    assert not Dossier.objects.exists() and not Person.objects.exclude(citizen_id=df.CITIZEN_ID).exists()


def b(action: str | None = "hand_over", version=1, **fields) -> dict:
    """A transition body; ``None`` leaves a key out."""
    body = {"action": action, "expected_version": version, **fields}
    return {k: v for k, v in body.items() if v is not None}


CONSULT = {"question": "?", "targets": [{"unit": "stp", "working_days": 1}]}


@pytest.mark.parametrize(
    "body,status,code",
    [
        (b("fly"), 422, "invalid_input"),
        (b(None), 422, "invalid_input"),
        (b(version=None), 422, "invalid_input"),
        (b(version="1"), 422, "invalid_input"),
        (b(version=10**30), 422, "invalid_input"),
        (b(version=0), 422, "invalid_input"),
        (b(assignee=5), 422, "invalid_input"),
        (b(assignee="khong-co-ai"), 422, "assignee_invalid"),
        (b(reasons="x"), 422, "invalid_input"),
        (b(note=NUL), 422, "invalid_input"),
        (b(note="x" * 5000), 422, "invalid_input"),
        (b("assign"), 422, "invalid_input"),
        (b("withdraw", reason="  "), 422, "reason_required"),
        (b("request_supplement", items=[], reasons="x"), 422, "invalid_input"),
        (b("request_payment", items=[{"name": "P", "amount_vnd": -1}]), 422, "invalid_input"),
        (b("request_payment", items=[{"name": "P", "amount_vnd": 1.5}]), 422, "invalid_input"),
        (b("confirm_payment", online="yes"), 422, "invalid_input"),
        (b("answer_consultation", consultation_id=10**30, answer="x"), 422, "invalid_input"),
        (b("answer_consultation", consultation_id=999, answer="x"), 404, "consultation_not_found"),
        (
            b("request_consultation", **CONSULT | {"targets": [{"unit": "stp", "working_days": 0}]}),
            422,
            "invalid_input",
        ),
        (
            b("request_consultation", **CONSULT | {"targets": [{"unit": "zzz", "working_days": 1}]}),
            422,
            "unit_unknown",
        ),
        (b("reset_due", reason="x", new_due="2026-02-30"), 422, "invalid_input"),
        (b("reset_due", reason="x", new_due="9999-01-01"), 422, "invalid_input"),
        (b("reset_due", reason="x", new_due="2026-03-10T10:00"), 422, "invalid_input"),
        (b("return_result"), 409, "dossier_invalid_transition"),
        (b(version=2), 409, "dossier_stale"),
        ([1, 2], 422, "invalid_input"),
        ("hand_over", 422, "invalid_input"),
    ],
)
def test_bad_transition_bodies(w, body, status, code):
    with time_machine.travel(MONDAY, tick=False):
        dossier = df.receive(w)
        error(api_for(w.intake_a).post(f"{dossier.code}/chuyen-trang-thai", body), status, code)
    assert DossierEvent.objects.filter(dossier=dossier).count() == 1


def test_unknown_action_message_lists_the_actions(w):
    with time_machine.travel(MONDAY, tick=False):
        code = df.receive(w).code
        body = error(api_for(w.intake_a).act(code, "fly", 1), 422, "invalid_input")
    problem = body["details"][0]["problem"]
    assert "“fly” không có" in problem and "hand_over" in problem and "return_result" in problem


def test_a_body_that_is_not_json_is_a_400_json_error(w):
    api = api_for(w.intake_a)
    error(api.post("", "{không phải json", raw=True), 400, "invalid_json")
    error(api.post("ABC/chuyen-trang-thai", b"\xff\xfe", raw=True), 400, "invalid_json")


def test_services_stay_the_only_write_path(w):
    """Sanity: the API creates exactly what the service would (same code sequence, one event)."""
    with time_machine.travel(MONDAY, tick=False):
        direct = df.receive(w)
        via_api = receive_via_api(w)
    assert via_api["code"] == direct.code[:-1] + "2"
    assert DossierEvent.objects.filter(dossier__code=via_api["code"]).count() == 1
    assert services.actions_for(w.intake_a, Dossier.objects.get(code=via_api["code"]))


def test_a_counter_create_over_the_api_costs_a_fixed_number_of_statements(w):
    """The intake measured over HTTP (bench/over_http.py ``intake``): its statements do not grow with the
    dossiers already received, and the 201 answer is built from what was written (no re-read)."""
    intake = api_for(w.intake_a)
    counts = []
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        for _ in range(3):
            with CaptureQueriesContext(connection) as ctx:
                response = intake.post("", create_body(w))
            assert response.status_code == 201, response.content
            counts.append(len(ctx.captured_queries))
        received(w, 20)
        with CaptureQueriesContext(connection) as ctx:
            assert intake.post("", create_body(w)).status_code == 201
    # 31 on PostgreSQL, 34 on SQLite (its savepoints) when written; the re-read answer cost 45
    assert counts[1] == counts[2] == len(ctx.captured_queries) <= 40
