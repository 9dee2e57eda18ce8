"""Citizen portal pages: search without diacritics, procedure detail, and constant query counts."""

import pytest

from motcua.catalogue.services import import_catalogue
from motcua.catalogue.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_catalogue():
    import_catalogue(f.demo_document())


def test_search_without_diacritics_finds_birth_registration(client, demo_catalogue):
    response = client.get("/thu-tuc/", {"q": "dang ky khai sinh"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Thủ tục đăng ký khai sinh" in page
    assert "kết hôn" not in page


def test_htmx_search_returns_only_the_results_fragment(client, demo_catalogue):
    response = client.get("/thu-tuc/", {"q": "chung thuc"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert "<html" not in page and "Chứng thực bản sao" in page


def test_detail_shows_fees_in_vietnamese_money_format_and_flags_unverified_data(client, demo_catalogue):
    page = client.get("/thu-tuc/1.001193/").content.decode()
    assert "8.000 đ" in page  # late registration fee, Hải Phòng
    assert "Giấy chứng sinh" in page
    assert "chưa được đối chiếu" in page  # the sample workflow and inferred fields are flagged


def test_unknown_code_is_a_404_with_a_vietnamese_message(client):
    response = client.get("/thu-tuc/9.999999/")
    assert response.status_code == 404
    assert "Không tìm thấy thủ tục" in response.content.decode()


def test_bad_level_filter_is_ignored_not_a_500(client, demo_catalogue):
    assert client.get("/thu-tuc/", {"level": "xyz"}).status_code == 200


def test_a_bookmark_with_the_old_level_name_lands_on_the_same_search(client, demo_catalogue):
    response = client.get("/thu-tuc/?q=khai+sinh&cap=commune")
    assert response.status_code == 301
    assert response["Location"] == "/thu-tuc/?q=khai+sinh&level=commune"
    page = client.get(response["Location"]).content.decode()
    assert "Thủ tục đăng ký khai sinh" in page
    assert '<option value="commune" selected>' in page


def _many(n: int) -> None:
    procedures = [
        f.procedure(
            f"4.{i:06d}",
            f.version(name=f"Thủ tục mẫu {i}"),
            field={"code": f"L{i % 3}", "name": f"Lĩnh vực {i % 3}"},
        )
        for i in range(n)
    ]
    import_catalogue(f.document(*procedures))


@pytest.mark.parametrize("url", ["/", "/thu-tuc/", "/thu-tuc/?q=thu+tuc"])
def test_portal_lists_cost_the_same_queries_for_3_or_25_procedures(client, django_assert_num_queries, url):
    _many(3)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(url)
    _many(25)
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(url)
