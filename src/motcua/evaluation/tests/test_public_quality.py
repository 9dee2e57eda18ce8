"""The public page of the 766 index on the citizen portal (/danh-gia-chat-luong/)."""

from __future__ import annotations

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.dossiers.tests import factories as df
from motcua.evaluation.tests.builders import load
from motcua.evaluation.tests.test_command import LINES

pytestmark = pytest.mark.django_db
URL = "/danh-gia-chat-luong/"


@pytest.fixture
def world():
    w = df.world()
    load(LINES)
    return w


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-04-20 09:00 +07:00", tick=True):
        yield


def test_the_public_page_shows_the_province_and_the_ranked_units_without_personal_data(client, world):
    response = client.get(URL, {"period": "thang", "year": "2026", "month": "3"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="q-total">36,49<' in html and "Tháng 3/2026" in html
    for code in ("CKMB", "TDGQ", "CLGQ", "TTTT", "MDSH", "MDHL"):
        assert f'id="q-group-{code}"' in html
    assert html.index("Phường An Biên") < html.index("Phường Lê Chân")
    for record in LINES:  # no dossier code, no applicant's name
        assert record["MaHoSo"] not in html
    assert "Nguyễn Thị Hồng Nhung" not in html and "style=" not in html
    assert 'href="/danh-gia-chat-luong/"' in client.get("/").content.decode()  # in the portal's menu
    for params in ({"period": "quy", "year": "2026", "quarter": "1"}, {"period": "nam", "year": "2026"}, {}):
        assert client.get(URL, params).status_code == 200


@pytest.mark.parametrize(
    "params",
    [
        {"year": "2019"},
        {"year": "2027"},
        {"period": "thang", "year": "2026", "month": "12"},
        {"month": "x"},
        {"period": "z"},
    ],
)
def test_a_bad_period_is_a_400(client, world, params):
    response = client.get(URL, params)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()


def test_the_public_page_reads_the_cache(client, world):
    params = {"period": "thang", "year": "2026", "month": "3"}
    client.get(URL, params)
    with CaptureQueriesContext(connection) as first:
        client.get(URL, params)
    load(
        [
            dict(
                LINES[0],
                MaHoSo=f"{LINES[0]['MaHoSo']}-b{n}",
            )
            for n in range(5)
        ]
    )
    client.get(URL, params)
    with CaptureQueriesContext(connection) as second:
        client.get(URL, params)
    assert len(second) == len(first) <= 6


def test_a_bookmark_with_the_old_vietnamese_names_lands_on_the_same_period(client, world):
    old = client.get(URL, {"ky": "quy", "nam": "2026", "quy": "1"})
    assert old.status_code == 301
    assert old["Location"] == f"{URL}?period=quy&year=2026&quarter=1"
    page = client.get(old["Location"])
    assert page.status_code == 200 and "Quý I/2026" in page.content.decode()
    month = client.get(URL, {"ky": "thang", "nam": "2026", "thang": "3"})
    assert month.status_code == 301 and month["Location"] == f"{URL}?period=thang&year=2026&month=3"
