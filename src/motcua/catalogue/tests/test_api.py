"""Public catalogue API: list/search with pagination, detail, errors with code and Vietnamese message."""

from __future__ import annotations

import pytest
from django.test import Client

from motcua.catalogue.services import import_catalogue
from motcua.catalogue.tests import factories as f

pytestmark = pytest.mark.django_db

URL = "/api/thu-tuc/"


@pytest.fixture
def client() -> Client:
    return Client()


def many(n: int) -> None:
    procedures = []
    for i in range(n):
        version = f.version(
            name=f"Thủ tục số {i}",
            fees=[{"name": "Lệ phí", "amount_vnd": 1000}],
        )
        procedures.append(
            f.procedure(f"3.{i:06d}", version, field={"code": f"LV{i % 4}", "name": f"Lĩnh vực {i % 4}"})
        )
    import_catalogue(f.document(*procedures))


def test_list_and_search(client):
    import_catalogue(f.demo_document())
    body = client.get(URL, {"q": "dang ky khai sinh"}).json()
    assert body["count"] == 1
    (item,) = body["items"]
    assert item["code"] == "1.001193"
    assert item["field"]["name"] == "Hộ tịch"
    assert item["level_display"] == "Cấp xã"
    assert item["time_limit"]["display"] == "Trong ngày"
    assert item["online_level"] == "partial"


def test_pagination(client):
    many(7)
    first = client.get(URL, {"limit": 5}).json()
    second = client.get(URL, {"limit": 5, "offset": 5}).json()
    assert first["count"] == second["count"] == 7
    assert len(first["items"]) == 5 and len(second["items"]) == 2
    assert {i["code"] for i in first["items"]}.isdisjoint({i["code"] for i in second["items"]})


def test_filters(client):
    import_catalogue(f.demo_document())
    body = client.get(URL, {"level": "province", "online_level": "none"}).json()
    assert {i["code"] for i in body["items"]} == {"2.000488"}


@pytest.mark.parametrize("n", [3, 20])
def test_list_costs_a_constant_number_of_queries(client, django_assert_max_num_queries, n):
    many(n)
    with django_assert_max_num_queries(3):  # count, page, versions in force (prefetch)
        response = client.get(URL, {"limit": 100})
    assert response.status_code == 200
    assert response.json()["count"] == n


def test_detail(client):
    import_catalogue(f.demo_document())
    body = client.get(URL + "2.000488").json()
    assert body["code"] == "2.000488" and body["level"] == "province"
    version = body["version"]
    assert version["time_limit"]["display"] == "10 ngày làm việc"
    assert [s["code"] for s in version["workflow"]][:3] == [
        "tiep-nhan",
        "xac-minh-cong-an",
        "xac-minh-toa-an",
    ]
    assert version["fees"][0]["amount_vnd"] == 200000
    assert version["fees"][0]["pay_first"] is False  # the demo version is offered at the counter only
    assert "time_limit" in version["unverified_fields"]


def test_detail_costs_a_constant_number_of_queries(client, django_assert_max_num_queries):
    import_catalogue(f.demo_document())
    with django_assert_max_num_queries(6):
        assert client.get(URL + "1.001193").status_code == 200


def test_unknown_code_is_a_404_with_a_vietnamese_message(client):
    response = client.get(URL + "9.999999")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "Không tìm thấy thủ tục có mã 9.999999."}


def test_invalid_parameters_are_a_422_with_a_vietnamese_message(client):
    response = client.get(URL, {"limit": 1000, "level": "district"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_input"
    assert body["message"] == "Dữ liệu gửi lên không hợp lệ."
    assert {d["field"] for d in body["details"]} == {"limit", "level"}
