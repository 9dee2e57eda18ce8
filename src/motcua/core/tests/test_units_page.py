"""Staff screen of the organisation (/can-bo/don-vi/): the tree, generated codes, history."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.core.models import OrgUnit, OrgUnitSuccession
from motcua.core.tests import factories

pytestmark = pytest.mark.django_db


def test_units_page_shows_the_tree_generated_codes_and_history(client, ward_specialist):
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
    OrgUnitSuccession.objects.create(
        predecessor=old, successor=OrgUnit.objects.get(code="wa"), effective=date(2025, 7, 1)
    )
    OrgUnit.objects.filter(code="wa").update(eid_code="000.01.60.H31", eid_code_generated=True)
    page = client.get("/can-bo/don-vi/").content.decode()
    assert "Phường A" in page and "000.01.60.H31" in page and "mã sinh tự động" in page
    assert "Huyện cũ" in page and "chưa đối chiếu" in page


def test_unit_page_queries_do_not_grow_with_units(client, ward_specialist):
    with CaptureQueriesContext(connection) as small:
        client.get("/can-bo/don-vi/")
    parent = factories.unit("Sở", kind="department", code="s")
    for i in range(15):
        factories.unit(f"Phòng {i}", kind="division", parent=parent)
    with CaptureQueriesContext(connection) as large:
        client.get("/can-bo/don-vi/")
    assert len(large.captured_queries) == len(small.captured_queries)
