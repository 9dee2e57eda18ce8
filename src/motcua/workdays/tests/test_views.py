"""Staff calendar screens (/can-bo/lich/): the year's days off, the due calculator, old bookmarks."""

from datetime import date

import pytest

from motcua.workdays.models import CalendarOverride

pytestmark = pytest.mark.django_db


def test_calendar_shows_days_off_and_overrides(client, ward_specialist):
    CalendarOverride.objects.create(date=date(2026, 12, 2), kind="day_off", name="Nghỉ đột xuất")
    page = client.get("/can-bo/lich/", {"year": "2026"}).content.decode()
    assert "Mùng hai Tết Nguyên Đán" in page and "Nghỉ đột xuất" in page
    assert "Ngày Văn hóa Việt Nam" in page


def test_calendar_rejects_a_bad_year_with_400(client, ward_specialist):
    assert client.get("/can-bo/lich/", {"year": "99999"}).status_code == 400
    assert client.get("/can-bo/lich/", {"year": "abc"}).status_code == 200  # falls back to this year


def test_calendar_links_to_the_years_around_with_the_current_name(client, ward_specialist):
    page = client.get("/can-bo/lich/", {"year": "2026"}).content.decode()
    assert 'href="?year=2025"' in page and 'href="?year=2027"' in page and "?nam=" not in page


def test_a_bookmarked_calendar_with_the_old_year_name_redirects(client, ward_specialist):
    response = client.get("/can-bo/lich/?nam=2026")
    assert response.status_code == 301
    assert response["Location"] == "/can-bo/lich/?year=2026"


def test_due_calculator_uses_the_cut_off(client, ward_specialist):
    response = client.post(
        "/can-bo/lich/tinh-han/",
        {"received": "2026-11-27T16:10", "limit": "3", "unit": "working_days"},
        HTTP_HX_REQUEST="true",
    )
    page = response.content.decode()
    assert "07:30 ngày 30/11/2026" in page and "17:00 ngày 03/12/2026" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"received": "", "limit": "3", "unit": "working_days"}, "Nhập thời điểm tiếp nhận"),
        ({"received": "2026-11-27T10:00", "limit": "-2", "unit": "working_days"}, "không được âm"),
        ({"received": "2026-11-27T10:00", "limit": "1.5", "unit": "working_days"}, "số nguyên"),
        ({"received": "2026-11-27T10:00", "limit": "3", "unit": "weeks"}, "không hợp lệ"),
    ],
)
def test_due_calculator_bad_input_is_a_400_with_a_vietnamese_message(client, ward_specialist, data, message):
    response = client.post("/can-bo/lich/tinh-han/", data, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert message in response.content.decode()
