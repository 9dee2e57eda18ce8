"""Staff catalogue screens (/can-bo/thu-tuc/): constant query counts, a version in full, old bookmarks."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.catalogue.services import import_catalogue
from motcua.catalogue.tests import factories as cf

pytestmark = pytest.mark.django_db


def test_procedure_list_queries_do_not_grow(client, ward_specialist):
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


def test_procedure_page_and_unknown_code(client, ward_specialist):
    import_catalogue(cf.demo_document())
    page = client.get("/can-bo/thu-tuc/1.001193/").content.decode()
    assert "Quy trình nội bộ" in page and "Tiếp nhận" in page
    assert "Sửa phiên bản" not in page  # only administrators edit
    assert client.get("/can-bo/thu-tuc/0.000000/").status_code == 404


def test_the_filters_use_english_names(client, ward_specialist):
    import_catalogue(cf.demo_document())
    page = client.get("/can-bo/thu-tuc/", {"level": "commune", "online": "full"}).content.decode()
    assert 'name="level"' in page and 'name="online"' in page
    assert '<option value="commune" selected>' in page
    assert 'name="cap"' not in page and 'name="truc_tuyen"' not in page


def test_a_bookmarked_search_with_the_old_names_redirects_to_the_current_ones(client, ward_specialist):
    response = client.get("/can-bo/thu-tuc/?q=khai+sinh&cap=commune&truc_tuyen=full")
    assert response.status_code == 301
    assert response["Location"] == "/can-bo/thu-tuc/?q=khai+sinh&level=commune&online=full"


def test_an_old_bookmark_signed_out_still_ends_on_the_current_names(client):
    response = client.get("/can-bo/thu-tuc/?cap=province")
    assert response.status_code == 301 and response["Location"] == "/can-bo/thu-tuc/?level=province"
