"""The public procedure pages (issue 14): everything a citizen must know before coming or applying
online, the list filtered by field, level, unit and online level, the blank declaration to print."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.catalogue.selectors import procedure_cards
from motcua.catalogue.services import import_catalogue
from motcua.catalogue.tests import factories as f
from motcua.documents.tests.pdftext import text as pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_catalogue():
    import_catalogue(f.demo_document())


def page(client, url, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


# -- the procedure page -------------------------------------------------------------------------------


def test_the_page_shows_every_public_part_of_the_version_in_force(client, demo_catalogue):
    html = page(client, "/thu-tuc/1.001193/")
    # sequence (trình tự), method and channels (cách thức, hình thức nộp), target groups
    assert "Trình tự thực hiện" in html
    assert "Nếu lựa chọn hình thức nộp hồ sơ trực tuyến, người có yêu cầu đăng ký khai sinh truy cập" in html
    assert "Cách thức thực hiện" in html
    assert "trực tiếp tại Bộ phận Một cửa; trực tuyến; qua dịch vụ bưu chính." in html
    assert "Đối tượng thực hiện" in html and "Công dân Việt Nam; Người Việt Nam định cư ở nước ngoài" in html
    # components with alternatives and the channels they apply to
    assert "Giấy tờ phải nộp" in html and "Giấy tờ phải xuất trình" in html
    assert "Một trong các giấy tờ sau:" in html and "<em>hoặc</em>" in html
    assert "khi nộp trực tuyến" in html
    # time limit, authority, fees with their exemptions, legal bases, result
    assert "Thời hạn giải quyết" in html and "Ngay trong ngày tiếp nhận yêu cầu" in html
    assert "Cơ quan thực hiện" in html and "Ủy ban nhân dân cấp xã" in html
    assert "8.000 đ" in html and "Miễn lệ phí đối với trường hợp khai sinh đúng hạn" in html
    assert "Luật Hộ tịch 60/2014/QH13" in html
    assert "Giấy khai sinh" in html


def test_a_procedure_offered_online_has_the_button_to_apply(client, demo_catalogue):
    html = page(client, "/thu-tuc/1.001193/")
    assert re.search(
        r'<a class="btn btn-primary btn-lg" href="/nop-truc-tuyen/1.001193/">\s*Nộp hồ sơ trực tuyến', html
    )
    assert "Dịch vụ công trực tuyến một phần" in html


def test_a_counter_only_procedure_says_so_and_offers_no_online_button(client, demo_catalogue):
    html = page(client, "/thu-tuc/2.000815/")
    assert "/nop-truc-tuyen/" not in html
    assert "Thủ tục này chỉ thực hiện trực tiếp tại Bộ phận Một cửa; chưa nhận hồ sơ trực tuyến." in html


def test_the_implementing_units_are_listed_and_a_long_list_is_folded(client):
    units = [f.org_unit(f"x{i}", name=f"Phường Số {i}") for i in range(7)]
    import_catalogue(
        f.document(
            f.procedure("1.000001", f.version(implementing_units=[u.code for u in units[:2]])),
            f.procedure("1.000002", f.version(implementing_units=[u.code for u in units])),
        )
    )
    few = page(client, "/thu-tuc/1.000001/")
    assert "Nơi tiếp nhận, giải quyết" in few and "Phường Số 0; Phường Số 1" in few
    many = page(client, "/thu-tuc/1.000002/")
    assert "<summary>7 cơ quan, đơn vị</summary>" in many and "<li>Phường Số 6</li>" in many


def test_unverified_sequence_is_flagged_in_words(client, demo_catalogue):
    html = page(client, "/thu-tuc/1.001612/")  # the 2024 text still names the district-level office
    assert "trình tự thực hiện" in html.split("chưa được đối chiếu")[1][:400]


# -- the blank declaration ----------------------------------------------------------------------------


def test_the_declaration_can_be_downloaded_as_a_blank_pdf(client, demo_catalogue):
    html = page(client, "/thu-tuc/1.001193/")
    assert '<a href="/thu-tuc/1.001193/mau/1.pdf">Tải mẫu tờ khai (PDF)</a>' in html
    response = client.get("/thu-tuc/1.001193/mau/1.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    words = pdf_text(response.content)
    assert "TỜ KHAI ĐĂNG KÝ KHAI SINH" in words
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in words
    assert "Người được khai sinh" in words and "Quê quán:" in words and "Nam" in words and "Nữ" in words
    assert "Kính gửi: Ủy ban nhân dân cấp xã" in words


def test_a_component_without_an_e_form_has_no_pdf(client, demo_catalogue):
    response = client.get("/thu-tuc/1.001193/mau/3.pdf")  # the birth certificate
    assert response.status_code == 404
    assert "Thủ tục này không có mẫu tờ khai số 3." in response.content.decode()
    assert client.get("/thu-tuc/9.999999/mau/1.pdf").status_code == 404


# -- the list and its filters -------------------------------------------------------------------------


def test_filters_combine_with_the_search_and_keep_their_values(client, demo_catalogue):
    html = page(client, "/thu-tuc/", q="dang ky", field="HO-TICH", level="commune", online="partial")
    titles = re.findall(r'<a href="/thu-tuc/([0-9.]+)/">', html)
    assert set(titles) == {"1.001193", "1.000894", "1.000656"}  # civil status, "đăng ký", online
    assert '<option value="HO-TICH" selected>Hộ tịch</option>' in html
    assert '<option value="commune" selected>' in html and '<option value="partial" selected>' in html
    assert 'value="dang ky"' in html
    # counter-only procedures are not "online"
    only_counter = page(client, "/thu-tuc/", q="chung thuc", online="partial")
    assert "Không có thủ tục nào khớp với các điều kiện đã chọn." in only_counter


def test_filtering_by_implementing_unit(client):
    ward, other = f.org_unit("pthanhdong", name="Phường Thành Đông"), f.org_unit("pkhac", name="Phường Khác")
    import_catalogue(
        f.document(
            f.procedure("1.000001", f.version(name="Khai sinh A", implementing_units=[ward.code])),
            f.procedure("1.000002", f.version(name="Khai sinh B", implementing_units=[other.code])),
            f.procedure(
                "1.000003", f.version(name="Khai sinh C", implementing_units=[ward.code, other.code])
            ),
        )
    )
    html = page(client, "/thu-tuc/", unit="pthanhdong")
    assert re.findall(r'<a href="/thu-tuc/([0-9.]+)/">', html) == ["1.000001", "1.000003"]
    assert '<option value="pthanhdong" selected>Phường Thành Đông</option>' in html


def test_unknown_filter_values_are_ignored_not_an_error(client, demo_catalogue):
    html = page(client, "/thu-tuc/", field="KHONG-CO", unit="khong-co", online="none", level="huyen")
    assert "14 thủ tục" in html and " selected>" not in html


def test_the_htmx_search_returns_the_filtered_results_only(client, demo_catalogue):
    response = client.get("/thu-tuc/", {"online": "partial", "level": "province"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert set(re.findall(r'<a href="/thu-tuc/([0-9.]+)/">', html)) == {"1.002809", "2.001583"}


def test_a_card_says_how_long_and_whether_one_can_apply_online(client, demo_catalogue):
    html = page(client, "/thu-tuc/", q="khai sinh")
    assert "Thời hạn: Trong ngày" in html and "Nộp trực tuyến một phần" in html
    assert "Nộp tại Bộ phận Một cửa" in page(client, "/thu-tuc/", q="chung thuc ban sao")


# -- speed --------------------------------------------------------------------------------------------


def _add(numbers: range) -> None:
    import_catalogue(
        f.document(
            *(
                f.procedure(
                    f"4.{i:06d}",
                    f.version(name=f"Thủ tục mẫu {i}", implementing_units=[f"u{i % 3}"]),
                    field={"code": f"L{i % 3}", "name": f"Lĩnh vực {i % 3}"},
                )
                for i in numbers
            )
        )
    )


def test_the_search_with_every_filter_is_one_query(demo_catalogue, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = list(
            procedure_cards(
                "dang ky", field_code="HO-TICH", level="commune", unit_code=None, online_level="partial"
            )
        )
    with django_assert_num_queries(0):
        assert {(r.procedure.field.name, r.online_level) for r in rows} == {("Hộ tịch", "partial")}
    assert len(rows) == 3


def test_the_filtered_list_costs_the_same_queries_for_3_or_25_procedures(client, django_assert_num_queries):
    for i in range(3):
        f.org_unit(f"u{i}", name=f"Phường {i}")
    _add(range(3))
    url = "/thu-tuc/?q=thu+tuc&field=L1&level=commune&online=full&unit=u1"
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    _add(range(3, 25))
    with django_assert_num_queries(len(small.captured_queries)):
        html = client.get(url).content.decode()
    # 4.000001, 4.000004, …, 4.000022: field L1 and unit u1
    assert len(re.findall(r'<a href="/thu-tuc/4\.', html)) == 8


# -- the 766 index reads the catalogue -----------------------------------------------------------------


def test_the_demo_procedures_are_published_with_all_seven_parts(demo_catalogue):
    """QĐ 766 indicator 1.3 counts a procedure whose publication has the seven parts (name, sequence,
    method, components, time limit, target groups, agency)."""
    from motcua.evaluation.selectors import versions

    facts = versions()
    assert len(facts) == 14
    assert {v.procedure_code: v.missing_components for v in facts.values() if v.missing_components} == {}
