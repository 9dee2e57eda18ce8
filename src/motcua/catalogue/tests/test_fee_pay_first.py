"""A fee paid at submission (``Fee.pay_first``): kept by the JSON and Excel round trips, refused without
one fixed amount, and said on the procedure page."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from motcua.catalogue.excel import SHEET_FEES, export_catalogue_workbook, import_workbook
from motcua.catalogue.models import Fee
from motcua.catalogue.services import export_catalogue, import_catalogue
from motcua.catalogue.services.problems import InvalidCatalogue
from motcua.catalogue.tests import factories as f
from motcua.core.errors import DomainError

pytestmark = pytest.mark.django_db

NOTE = "Nộp khi nộp hồ sơ trực tuyến"
LLTP_FEE = {"name": "Phí cung cấp thông tin lý lịch tư pháp", "kind": "charge", "amount_vnd": 200000}


def _import(*fees: dict) -> None:
    import_catalogue(f.document(f.procedure(versions=[f.version(fees=list(fees))])))


def _saved(wb) -> io.BytesIO:
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer


def test_the_flag_defaults_to_false_and_survives_the_json_round_trip():
    _import({**LLTP_FEE, "pay_first": True}, {"name": "Phí in Phiếu", "amount_vnd": 5000})
    assert list(Fee.objects.order_by("order").values_list("pay_first", flat=True)) == [True, False]
    exported = export_catalogue()
    assert [fee["pay_first"] for fee in exported["procedures"][0]["versions"][0]["fees"]] == [True, False]

    assert import_catalogue(exported).unchanged == 1  # the export is what is stored
    Fee.objects.all().delete()
    import_catalogue(exported)
    assert export_catalogue() == exported


def test_the_flag_survives_the_excel_round_trip_and_is_read_leniently():
    _import({**LLTP_FEE, "pay_first": True}, {"name": "Phí in Phiếu", "amount_vnd": 5000})
    expected = export_catalogue()
    wb = load_workbook(_saved(export_catalogue_workbook()))
    ws = wb[SHEET_FEES]
    column = next(cell.column for cell in ws[1] if cell.value == NOTE)
    assert [ws.cell(row, column).value for row in (2, 3)] == ["Có", "Không"]

    assert import_workbook(_saved(wb)).unchanged == 1
    Fee.objects.all().delete()
    import_workbook(_saved(wb))
    assert export_catalogue() == expected

    for first, second, flags in [
        ("x", None, [True, False]),
        ("có", "không", [True, False]),
        (None, "X", [False, True]),
    ]:
        ws.cell(2, column).value, ws.cell(3, column).value = first, second
        import_workbook(_saved(wb))
        assert list(Fee.objects.order_by("order").values_list("pay_first", flat=True)) == flags


def test_a_workbook_without_the_column_reads_as_not_paid_first():
    _import(LLTP_FEE)
    wb = load_workbook(_saved(export_catalogue_workbook()))
    ws = wb[SHEET_FEES]
    ws.delete_cols(next(cell.column for cell in ws[1] if cell.value == NOTE))
    assert import_workbook(_saved(wb)).unchanged == 1
    assert not Fee.objects.get().pay_first


@pytest.mark.parametrize(
    "fee",
    [
        {"name": "Phí cung cấp thông tin lý lịch tư pháp", "pay_first": True},
        {**f.CERTIFIED_COPY_FEE, "pay_first": True},
    ],
)
def test_a_fee_paid_first_needs_one_fixed_amount(fee):
    with pytest.raises(InvalidCatalogue) as refused:
        _import(fee)
    (detail,) = [d for d in refused.value.details if d["field"].endswith("pay_first")]
    assert detail["procedure"] == "1.001193" and detail["version"] == 1
    assert detail["field"] == "versions[0].fees[0].pay_first"
    assert f"“{fee['name']}” nộp khi nộp hồ sơ trực tuyến phải có một mức thu cố định" in detail["problem"]
    assert not Fee.objects.exists()


def test_the_excel_import_refuses_it_too_naming_the_row():
    _import(LLTP_FEE)
    wb = load_workbook(_saved(export_catalogue_workbook()))
    ws = wb[SHEET_FEES]
    header = {cell.value: cell.column for cell in ws[1]}
    ws.cell(2, header[NOTE]).value = "Có"
    ws.cell(2, header["Mức thu (đồng)"]).value = None
    with pytest.raises(DomainError) as refused:
        import_workbook(_saved(wb))
    (detail,) = refused.value.details
    assert (detail["sheet"], detail["row"], detail["column"]) == (SHEET_FEES, 2, NOTE)
    assert "phải có một mức thu cố định" in detail["problem"]
    assert Fee.objects.get().pay_first is False


def test_the_admin_form_refuses_it():
    _import(LLTP_FEE)
    fee = Fee.objects.get()
    fee.pay_first, fee.amount_vnd = True, None
    with pytest.raises(ValidationError) as refused:
        fee.full_clean()
    assert "phải có một mức thu cố định" in refused.value.message_dict["pay_first"][0]
    fee.amount_vnd = 200000
    fee.full_clean()


def test_the_procedure_page_says_the_fee_is_paid_with_the_online_request(client):
    _import({"name": "Phí in Phiếu", "amount_vnd": 5000})
    assert NOTE not in client.get("/thu-tuc/1.001193/").content.decode()
    _import({"name": "Phí in Phiếu", "amount_vnd": 5000, "pay_first": True})
    page = client.get("/thu-tuc/1.001193/").content.decode()
    assert page.count(NOTE) == 1
    assert page.index("Phí in Phiếu") < page.index(NOTE)
