import pytest

pytestmark = pytest.mark.django_db


def test_due_endpoint_applies_the_cut_off(client):
    response = client.post(
        "/api/lich/tinh-han",
        {"received": "2026-11-27T16:10:00", "limit": 3, "unit": "working_days"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json() == {
        "effective_received": "2026-11-30T07:30:00+07:00",
        "due": "2026-12-03T17:00:00+07:00",
    }


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"received": "hôm qua", "limit": 3, "unit": "working_days"}, "invalid_input"),
        ({"received": "2026-11-27T10:00:00", "limit": -1, "unit": "working_days"}, "invalid_input"),
        ({"received": "2026-11-27T10:00:00", "limit": 3, "unit": "weeks"}, "invalid_input"),
        ({"received": "2026-11-27T10:00:00", "limit": 1.5, "unit": "working_days"}, "invalid_limit"),
    ],
)
def test_bad_input_is_a_422_with_a_stable_code_and_vietnamese_message(client, payload, code):
    response = client.post("/api/lich/tinh-han", payload, content_type="application/json")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == code and body["message"]
    assert any(ch in body["message"] for ch in "ăâđêôơưáàảãạ")


def test_unknown_unit_code_is_a_404(client):
    response = client.post(
        "/api/lich/tinh-han",
        {"received": "2026-11-27T10:00:00", "limit": 1, "unit": "working_days", "don_vi": "khong-co"},
        content_type="application/json",
    )
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_days_off_endpoint(client):
    body = client.get("/api/lich/ngay-nghi/2026").json()
    assert {"date": "2026-04-27", "name": "Ngày Giỗ Tổ Hùng Vương (nghỉ bù)"} in body
    assert client.get("/api/lich/ngay-nghi/3000").status_code == 422


def test_openapi_document_is_served(client):
    assert client.get("/api/docs").status_code == 200
    schema = client.get("/api/openapi.json").json()
    assert "/api/lich/tinh-han" in schema["paths"] and "/api/thu-tuc/" in schema["paths"]


def test_validation_details_are_in_vietnamese(client):
    body = client.post(
        "/api/lich/tinh-han",
        {"received": "hôm qua", "limit": -1, "unit": "working_days"},
        content_type="application/json",
    ).json()
    problems = {d["field"]: d["problem"] for d in body["details"]}
    assert problems["payload.received"].startswith("Phải là thời điểm")
    assert problems["payload.limit"] == "Không được nhỏ hơn 0."
