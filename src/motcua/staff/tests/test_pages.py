"""Staff pages: calendar, due calculator, units, catalogue — signed-in only, constant query counts."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.catalogue.services import import_catalogue
from motcua.catalogue.tests import factories as cf
from motcua.core.models import OrgUnitSuccession, Role
from motcua.core.tests import factories
from motcua.workdays.models import CalendarOverride

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(client):
    province = factories.unit("Thành phố", kind="province", code="p")
    ward = factories.unit("Phường A", parent=province, code="wa")
    user = factories.staff([Role.SPECIALIST], ward)
    client.force_login(user)
    return user


@pytest.mark.parametrize("url", ["/can-bo/", "/can-bo/lich/", "/can-bo/don-vi/", "/can-bo/thu-tuc/"])
def test_staff_pages_need_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/can-bo/dang-nhap/" in response["Location"]


def test_calendar_shows_days_off_and_overrides(client, officer):
    CalendarOverride.objects.create(date=date(2026, 12, 2), kind="day_off", name="Nghỉ đột xuất")
    page = client.get("/can-bo/lich/", {"nam": "2026"}).content.decode()
    assert "Mùng hai Tết Nguyên Đán" in page and "Nghỉ đột xuất" in page
    assert "Ngày Văn hóa Việt Nam" in page


def test_calendar_rejects_a_bad_year_with_400(client, officer):
    assert client.get("/can-bo/lich/", {"nam": "99999"}).status_code == 400
    assert client.get("/can-bo/lich/", {"nam": "abc"}).status_code == 200  # falls back to this year


def test_due_calculator_uses_the_cut_off(client, officer):
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
def test_due_calculator_bad_input_is_a_400_with_a_vietnamese_message(client, officer, data, message):
    response = client.post("/can-bo/lich/tinh-han/", data, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert message in response.content.decode()


def test_units_page_shows_the_tree_generated_codes_and_history(client, officer):
    province = factories.unit(
        "Tỉnh cũ", kind="province", code="old", valid_from=date(1997, 1, 1), valid_to=date(2025, 7, 1)
    )
    old = factories.unit(
        "Huyện cũ",
        kind="district",
        parent=province,
        code="old-d",
        valid_from=date(1997, 1, 1),
        valid_to=date(2025, 7, 1),
    )
    from motcua.core.models import OrgUnit

    OrgUnitSuccession.objects.create(
        predecessor=old, successor=OrgUnit.objects.get(code="wa"), effective=date(2025, 7, 1)
    )
    OrgUnit.objects.filter(code="wa").update(eid_code="000.01.60.H31", eid_code_generated=True)
    page = client.get("/can-bo/don-vi/").content.decode()
    assert "Phường A" in page and "000.01.60.H31" in page and "mã sinh tự động" in page
    assert "Huyện cũ" in page and "chưa đối chiếu" in page


def test_unit_page_queries_do_not_grow_with_units(client, officer):
    with CaptureQueriesContext(connection) as small:
        client.get("/can-bo/don-vi/")
    parent = factories.unit("Sở", kind="department", code="s")
    for i in range(15):
        factories.unit(f"Phòng {i}", kind="division", parent=parent)
    with CaptureQueriesContext(connection) as large:
        client.get("/can-bo/don-vi/")
    assert len(large.captured_queries) == len(small.captured_queries)


def test_procedure_list_queries_do_not_grow(client, officer):
    def many(prefix: str, n: int) -> None:
        import_catalogue(
            cf.document(
                *[cf.procedure(f"{prefix}.{i:06d}", cf.version(name=f"Thủ tục {i}")) for i in range(n)]
            )
        )

    many("5", 3)
    with CaptureQueriesContext(connection) as small:
        client.get("/can-bo/thu-tuc/")
    many("6", 25)
    with CaptureQueriesContext(connection) as large:
        client.get("/can-bo/thu-tuc/")
    assert len(large.captured_queries) == len(small.captured_queries)


def test_procedure_page_and_unknown_code(client, officer):
    import_catalogue(cf.demo_document())
    page = client.get("/can-bo/thu-tuc/1.001193/").content.decode()
    assert "Quy trình nội bộ" in page and "Tiếp nhận" in page
    assert "Sửa phiên bản" not in page  # only administrators edit
    assert client.get("/can-bo/thu-tuc/0.000000/").status_code == 404
