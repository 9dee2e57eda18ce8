"""Document types (loại giấy tờ): the paper a component asks for and the paper a result issues, carried
through the JSON and Excel interchange, checked on import, and e-forms checked wherever they come in."""

from __future__ import annotations

import copy
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from motcua.catalogue.excel import (
    SHEET_COMPONENTS,
    SHEET_PROCEDURES,
    export_catalogue_workbook,
    import_workbook,
)
from motcua.catalogue.models import Component, DocumentType, ProcedureVersion
from motcua.catalogue.services import InvalidCatalogue, export_catalogue, import_catalogue
from motcua.catalogue.tests import factories as f
from motcua.catalogue.tests.test_admin import admin_client, form_data  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def test_the_papers_of_the_demo_procedures_are_in_the_catalogue_from_the_start():
    types = {t.code: t for t in DocumentType.objects.all()}
    birth = types["GT.KHAISINH"]
    assert (birth.name, birth.kind, birth.reusable) == ("Giấy khai sinh", "civil_status", True)
    assert types["GT.CANCUOC"].kind == "identity" and types["GT.CANCUOC"].reusable
    # issued by a hospital, not kept by the state for the citizen: uploaded, not picked
    assert not types["GT.CHUNGSINH"].reusable
    # the household register (sổ hộ khẩu) was abolished on 01/01/2023: not a paper anyone may ask for
    assert not any("hộ khẩu" in t.name.lower() for t in types.values())


def test_demo_components_and_results_name_their_document_types():
    import_catalogue(f.demo_document())
    birth = ProcedureVersion.objects.get(procedure__code="1.001193")
    assert birth.result_doc_type.code == "GT.KHAISINH"
    by_type = {c.doc_type.code: c.name for c in birth.components.exclude(doc_type=None)}
    assert by_type["GT.CHUNGSINH"] == "Giấy chứng sinh"
    assert by_type["GT.GIAYTOTUYTHAN"].startswith("Giấy tờ tùy thân")
    marriage = ProcedureVersion.objects.get(procedure__code="1.000894")
    assert marriage.components.filter(doc_type__code="GT.XNTTHN").exists()


def test_document_types_go_out_and_come_back_unchanged():
    import_catalogue(f.demo_document())
    document = export_catalogue(["1.001193"])
    version = document["procedures"][0]["versions"][0]
    assert version["result_doc_type"] == "GT.KHAISINH"
    assert [c["doc_type"] for c in version["components"]][2] == "GT.CHUNGSINH"
    report = import_catalogue(document)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 1)


def test_an_unknown_document_type_is_refused_with_where_it_is():
    doc = f.document(
        f.procedure(
            "1.000001",
            f.version(
                result_doc_type="GT.KHONGCO",
                components=[{"name": "Tờ khai"}, {"name": "Giấy chứng sinh", "doc_type": "GT.CHUNG-SINH"}],
            ),
        )
    )
    with pytest.raises(InvalidCatalogue) as caught:
        import_catalogue(doc)
    problems = {d["field"]: d["problem"] for d in caught.value.details}
    assert problems["versions[0].components[1].doc_type"].startswith(
        "Không có loại giấy tờ mã “GT.CHUNG-SINH” trong danh mục loại giấy tờ"
    )
    assert "“GT.KHONGCO”" in problems["versions[0].result_doc_type"]
    assert {d["procedure"] for d in caught.value.details} == {"1.000001"}
    assert not ProcedureVersion.objects.filter(procedure__code="1.000001").exists()


def test_an_unknown_document_type_in_excel_names_the_sheet_row_and_column():
    import_catalogue(f.demo_document())
    buffer = io.BytesIO()
    export_catalogue_workbook().save(buffer)
    wb = load_workbook(io.BytesIO(buffer.getvalue()))
    ws = wb[SHEET_COMPONENTS]
    column = next(c.column for c in ws[1] if c.value == "Loại giấy tờ (mã)")
    row = next(r[0].row for r in ws.iter_rows(min_row=2) if r[0].value == "1.001193" and r[2].value == 3)
    assert ws.cell(row, column).value == "GT.CHUNGSINH"
    ws.cell(row, column).value = "GT.KHONGCO"
    ws = wb[SHEET_PROCEDURES]
    result_column = next(c.column for c in ws[1] if c.value == "Loại giấy tờ kết quả (mã)")
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    with pytest.raises(InvalidCatalogue) as caught:
        import_workbook(out)
    (detail,) = caught.value.details
    assert (detail["sheet"], detail["row"], detail["column"]) == (SHEET_COMPONENTS, row, "Loại giấy tờ (mã)")
    assert "GT.KHONGCO" in detail["problem"]
    assert f"dòng {row}" in caught.value.message
    assert result_column  # the result's document type has its own column on the procedures sheet


def test_an_e_form_the_portal_could_not_show_is_refused_on_import():
    bad = {
        "type": "object",
        "title": "Tờ khai",
        "properties": {"ho_ten": {"type": "array", "title": "Họ tên"}},
    }
    doc = f.document(
        f.procedure("1.000001", f.version(components=[{"name": "Tờ khai", "eform_schema": bad}]))
    )
    with pytest.raises(InvalidCatalogue) as caught:
        import_catalogue(doc)
    (detail,) = caught.value.details
    assert detail["field"] == "versions[0].components[0].eform_schema"
    assert detail["problem"].startswith("Biểu mẫu điện tử: Trường “ho_ten”: kiểu “array” không được hỗ trợ")


def test_the_administration_refuses_a_bad_e_form_on_a_component():
    import_catalogue(f.demo_document())
    component = Component.objects.filter(eform_schema__isnull=False).first()
    component.eform_schema = copy.deepcopy(component.eform_schema)
    component.eform_schema["required"].append("khong_co")
    with pytest.raises(ValidationError) as caught:
        component.full_clean()
    assert any(
        "“khong_co” không có trong “properties”" in m for m in caught.value.message_dict["eform_schema"]
    )


def test_the_admin_saves_a_components_document_type_and_refuses_a_bad_e_form(admin_client):  # noqa: F811
    import_catalogue(f.document(f.procedure("1.001193", f.version(components=[], fees=[]))))
    version = ProcedureVersion.objects.get()
    url = reverse("admin:catalogue_procedureversion_change", args=[version.pk])
    page = admin_client.get(url).content.decode()
    assert "Loại giấy tờ kết quả" in page and "Biểu mẫu điện tử" in page
    birth = DocumentType.objects.get(code="GT.KHAISINH")
    data = form_data(version, ["2", "11", "6", "2", "0.5"])
    data.update(
        {
            "result_doc_type": str(birth.pk),
            "components-TOTAL_FORMS": "1",
            "components-0-order": "1",
            "components-0-name": "Tờ khai đăng ký khai sinh",
            "components-0-kind": "original",
            "components-0-quantity": "1",
            "components-0-role": "submit",
            "components-0-required": "on",
            "components-0-channels": "[]",
            "components-0-doc_type": "",
            "components-0-eform_schema": json.dumps({"type": "object", "title": "Tờ khai"}),
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 200  # back with the problem, in Vietnamese
    assert "cần ít nhất một trường" in response.content.decode()
    assert not version.components.exists()

    data["components-0-eform_schema"] = json.dumps(
        {
            "type": "object",
            "title": "Tờ khai",
            "properties": {"ho_ten": {"type": "string", "title": "Họ tên"}},
        }
    )
    data["components-0-doc_type"] = str(DocumentType.objects.get(code="GT.UYQUYEN").pk)
    assert admin_client.post(url, data).status_code == 302
    version.refresh_from_db()
    assert version.result_doc_type == birth
    assert version.components.get().doc_type.code == "GT.UYQUYEN"


def test_staff_see_which_papers_come_from_the_warehouse_and_which_declarations_are_e_forms(
    client, ward_specialist
):
    import_catalogue(f.demo_document())
    page = client.get("/can-bo/thu-tuc/1.001193/").content.decode()
    identity_row = next(row for row in page.split("<tr>") if "Giấy tờ tùy thân (Hộ chiếu" in row)
    assert "lấy được từ kho dữ liệu" in identity_row
    birth_certificate = next(row for row in page.split("<tr>") if "<td>Giấy chứng sinh" in row)
    assert "lấy được từ kho dữ liệu" not in birth_certificate  # issued by the hospital
    assert page.count("biểu mẫu điện tử") == 2  # the paper declaration and the online one
    assert "<dt>Giấy tờ kết quả</dt><dd>Giấy khai sinh</dd>" in page


@pytest.mark.django_db
def test_the_known_types_come_back_when_a_file_names_them_but_an_unknown_one_is_refused():
    from motcua.catalogue import doctypes
    from motcua.catalogue.models import DocumentType
    from motcua.catalogue.services import import_catalogue
    from motcua.catalogue.services.problems import InvalidCatalogue
    from motcua.catalogue.tests import factories as cf

    DocumentType.objects.all().delete()  # a database emptied since it was migrated
    import_catalogue(cf.document(cf.procedure("1.001193", cf.version(result_doc_type="GT.KHAISINH"))))
    assert set(DocumentType.objects.values_list("code", flat=True)) == doctypes.KNOWN
    with pytest.raises(InvalidCatalogue):
        import_catalogue(cf.document(cf.procedure("1.001194", cf.version(result_doc_type="GT.KHONGCO"))))
