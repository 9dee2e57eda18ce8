"""Public tracking (/tra-cuu-ho-so/): the code and the applicant's last four digits give the status, the
step and the dates — no personal data; a wrong factor answers as an unknown code; failures are limited."""

from __future__ import annotations

import re
import uuid

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from motcua.documents.context import tracking_url
from motcua.dossiers import services as s
from motcua.dossiers.tests import factories as df
from motcua.dossiers.tests.factories import CITIZEN_ID, at

pytestmark = pytest.mark.django_db
URL = reverse("portal:tracking")


@pytest.fixture
def received():
    w = df.world()
    w.person.phone, w.person.address = "0912345678", "Số 5 Lạch Tray"
    w.person.save()
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False) as clock:
        d = df.receive(w)  # due Thursday 12/03 17:00
        clock.move_to(at(2026, 3, 9, 9, 30))
        s.hand_over(d.code, by=w.intake_a, expected_version=1)
    return w, d


def test_the_applicant_sees_status_step_and_dates_and_nothing_personal(client, received):
    _, d = received
    response = client.get(URL, {"ma": d.code, "xac_thuc": CITIZEN_ID[-4:]})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Đang xử lý" in html and d.procedure_version.name in html
    assert 'data-testid="tracking-due">17:00 12/03/2026<' in html
    assert "Phường An Biên" in html  # the step's unit
    assert "Tiếp nhận hồ sơ tại Bộ phận Một cửa" in html and "Chuyển bước xử lý" in html
    for personal in ("Nguyễn Thị Hồng Nhung", CITIZEN_ID, "0912345678", "Lạch Tray", "motcua_a"):
        assert personal not in html


def _same(html: str, code: str) -> str:
    html = re.sub(r'CSRFToken": "[^"]+"', "", html.replace(code, "X"))
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_a_wrong_factor_answers_exactly_as_an_unknown_code(client, received):
    _, d = received
    wrong = client.get(URL, {"ma": d.code, "xac_thuc": "9999"})
    unknown_code = d.code[:-4] + ("0002" if not d.code.endswith("0002") else "0003")
    unknown = client.get(URL, {"ma": unknown_code, "xac_thuc": "9999"})
    assert client.get(URL, {"ma": unknown_code, "xac_thuc": CITIZEN_ID[-4:]}).status_code == 404
    assert wrong.status_code == unknown.status_code == 404
    # the same page but for the code typed (and the per-response CSRF mask of the page's shell)
    assert _same(wrong.content.decode(), d.code) == _same(unknown.content.decode(), unknown_code)
    assert "Không tìm thấy hồ sơ với mã và 4 chữ số đã nhập" in wrong.content.decode()


def test_bad_input_is_a_400_with_the_reason_and_the_qr_link_opens_the_form(client, received):
    _, d = received
    response = client.get(URL, {"ma": d.code, "xac_thuc": "12a"})
    assert response.status_code == 400 and "4 chữ số cuối" in response.content.decode()
    assert client.get(URL, {"ma": d.code, "xac_thuc": "٠١٢٣"}).status_code == 400  # not ASCII digits
    assert client.get(API + d.code, {"xac_thuc": "٠١٢٣"}).status_code == 422
    response = client.get(URL, {"ma": "<script>", "xac_thuc": "1234"})
    assert response.status_code == 400 and "<script>" not in response.content.decode()
    # the receipt's QR code carries the code: the page opens with it filled in, asking for the digits
    path = tracking_url(d.code).split("://", 1)[1].split("/", 1)[1]
    html = client.get("/" + path).content.decode()
    assert f'value="{d.code}"' in html and "autofocus" in html


def test_failed_lookups_are_limited_per_address_and_successes_do_not_count(client, received, settings):
    settings.MOTCUA_TRACKING_MAX = 3
    _, d = received
    for _ in range(5):
        assert client.get(URL, {"ma": d.code, "xac_thuc": CITIZEN_ID[-4:]}).status_code == 200
    for _ in range(3):
        assert client.get(URL, {"ma": d.code, "xac_thuc": "0000"}).status_code == 404
    blocked = client.get(URL, {"ma": d.code, "xac_thuc": CITIZEN_ID[-4:]})
    assert blocked.status_code == 429 and "thử lại sau 15 phút" in blocked.content.decode()
    other = client.get(URL, {"ma": d.code, "xac_thuc": CITIZEN_ID[-4:]}, REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 200  # another address is not affected


def test_tracking_costs_the_same_queries_for_a_short_and_a_long_history(client, received):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    w, d = received
    factor = {"ma": d.code, "xac_thuc": CITIZEN_ID[-4:]}
    client.get(URL, factor)  # the reference-data caches warm
    with CaptureQueriesContext(connection) as short:
        assert client.get(URL, factor).status_code == 200
    with time_machine.travel(at(2026, 3, 9, 10, 0), tick=False):
        d = s.assign(d.code, by=w.leader_a, expected_version=2, assignee=w.specialist_a)
        d = s.hand_over(d.code, by=w.specialist_a, expected_version=3)
        d = s.hand_over(d.code, by=w.leader_a, expected_version=4, assignee=w.head_a)
    client.get(URL, factor)
    with CaptureQueriesContext(connection) as long:
        html = client.get(URL, factor).content.decode()
    assert html.count("tracking-history") == 1 and html.count('<li class="py-1') == 5
    # the address's failure counter read, then the dossier with its history and the reference-data
    # token in one statement
    assert len(long) == len(short) == 2


def test_with_the_counters_in_redis_a_look_up_is_one_statement(client, received, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from motcua.core.tests.test_cache_redis import _redis_listening

    if not _redis_listening():
        pytest.skip("no Redis listening on 127.0.0.1:6379")
    settings.REDIS_URL = "redis://127.0.0.1:6379/14"
    settings.MOTCUA_THROTTLE_PREFIX = f"motcua-test:{uuid.uuid4().hex}:"  # runs side by side share Redis
    _, d = received
    factor = {"ma": d.code, "xac_thuc": CITIZEN_ID[-4:]}
    client.get(URL, factor)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL, factor).status_code == 200
    assert len(queries) == 1  # the dossier with its history and the reference-data token
    # failures still count (in Redis now) and lock the address at the limit
    settings.MOTCUA_TRACKING_MAX = 2
    assert [client.get(URL, {"ma": d.code, "xac_thuc": "0000"}).status_code for _ in range(3)] == [
        404,
        404,
        429,
    ]
    assert client.get(URL, factor).status_code == 429


API = "/api/tra-cuu-ho-so/"


def test_the_api_answers_as_the_page_and_says_nothing_personal(client, received):
    _, d = received
    response = client.get(API + d.code, {"xac_thuc": CITIZEN_ID[-4:]})
    assert response.status_code == 200
    body = response.json()
    assert (body["code"], body["national_status"], body["national_status_display"]) == (
        d.code,
        4,
        "Đang xử lý",
    )
    assert body["appointment_at"] == "2026-03-12T10:00:00Z"  # 17:00 in Việt Nam
    assert [h["action"] for h in body["history"]] == [
        "Tiếp nhận hồ sơ tại Bộ phận Một cửa",
        "Chuyển bước xử lý",
    ]
    text = response.content.decode()
    for personal in ("Nguyễn Thị Hồng Nhung", CITIZEN_ID, "0912345678", "Lạch Tray", "motcua_a"):
        assert personal not in text


def test_the_api_answers_a_wrong_factor_as_an_unknown_code_and_limits_failures(client, received, settings):
    settings.MOTCUA_TRACKING_MAX = 2
    _, d = received
    wrong = client.get(API + d.code, {"xac_thuc": "9999"})
    unknown = client.get(API + d.code[:-4] + "0999", {"xac_thuc": CITIZEN_ID[-4:]})
    assert wrong.status_code == unknown.status_code == 404 and wrong.content == unknown.content
    assert wrong.json()["code"] == "tracking_not_found"
    assert client.get(API + d.code, {"xac_thuc": "12"}).status_code == 422  # not four digits
    blocked = client.get(API + d.code, {"xac_thuc": CITIZEN_ID[-4:]})
    assert blocked.status_code == 429 and blocked.json()["code"] == "tracking_throttled"
    assert client.get(URL, {"ma": d.code, "xac_thuc": CITIZEN_ID[-4:]}).status_code == 429  # one counter


@pytest.mark.django_db(transaction=True)
def test_twenty_wrong_look_ups_at_once_are_answered_not_found_at_most_the_limit(settings):
    from motcua.core.tests.test_throttle import at_once

    settings.MOTCUA_TRACKING_MAX = 5
    w = df.world()
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        d = df.receive(w)
    statuses = at_once(lambda c: c.get(URL, {"ma": d.code, "xac_thuc": "0000"}).status_code, "10.9.9.9")
    assert sorted(statuses) == [404] * 5 + [429] * 15  # every failure counted, none lost
    right = Client(REMOTE_ADDR="10.9.9.9").get(URL, {"ma": d.code, "xac_thuc": CITIZEN_ID[-4:]})
    assert right.status_code == 429  # locked: even the right digits are not checked
