"""What a fee comes to, worked by hand: a fixed fee, and the per-page fee of certified copies
(TT 226/2016/TT-BTC: 2,000 đồng a page, 1,000 đồng a page from the third page, at most 200,000 đồng a
copy), through the catalogue's import, export and pages."""

from __future__ import annotations

from decimal import Decimal

import pytest

from motcua.catalogue import fees
from motcua.catalogue.models import Fee
from motcua.catalogue.services import export_catalogue, import_catalogue
from motcua.catalogue.services.problems import InvalidCatalogue
from motcua.catalogue.tests import factories as f

pytestmark = pytest.mark.django_db

CERTIFIED_COPY = f.CERTIFIED_COPY_FEE


def _fee(**doc) -> Fee:
    import_catalogue(f.document(f.procedure(versions=[f.version(fees=[doc])])))
    return Fee.objects.get()


@pytest.mark.parametrize(
    ("pages", "copies", "due"),
    [
        (1, 1, 2000),  # one page at 2,000
        (2, 1, 4000),  # two pages at 2,000
        (3, 1, 5000),  # 2 × 2,000 + 1 × 1,000
        (10, 1, 12000),  # 2 × 2,000 + 8 × 1,000
        (3, 2, 10000),  # 5,000 a copy, two copies
        (197, 1, 199000),  # 4,000 + 195 × 1,000: just under the cap
        (198, 1, 200000),  # 4,000 + 196 × 1,000 = the cap
        (300, 1, 200000),  # 4,000 + 298 × 1,000 = 302,000, capped at 200,000 a copy
        (300, 3, 600000),  # capped per copy, then three copies
    ],
)
def test_the_certified_copy_fee_per_page(pages, copies, due):
    assert fees.charge(_fee(**CERTIFIED_COPY), pages=pages, copies=copies) == Decimal(due)


def test_a_fixed_fee_is_its_amount_and_an_unknown_amount_stays_unknown():
    assert fees.charge(_fee(name="Lệ phí", amount_vnd=8000), pages=12, copies=3) == Decimal(8000)
    Fee.objects.all().delete()
    assert fees.charge(_fee(name="Lệ phí", amount_vnd=None), pages=1) is None
    with pytest.raises(ValueError, match="từ 1 trở lên"):
        fees.charge(Fee(name="x", amount_vnd=1), pages=0)


def test_the_per_page_form_is_imported_exported_and_shown(client):
    fee = _fee(**CERTIFIED_COPY)
    assert fees.describe(fee) == "2.000 đ/trang; từ trang thứ 3: 1.000 đ/trang; tối đa 200.000 đ/bản"
    exported = export_catalogue()["procedures"][0]["versions"][0]["fees"][0]
    assert {k: exported[k] for k in CERTIFIED_COPY} == CERTIFIED_COPY
    page = client.get("/thu-tuc/1.001193/").content.decode()
    assert "2.000 đ/trang; từ trang thứ 3: 1.000 đ/trang; tối đa 200.000 đ/bản" in page


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"name": "x", "basis": "per_page"}, "Phí tính theo trang phải có mức thu mỗi trang."),
        ({"name": "x", "amount_vnd": 1, "basis": "per_page", "reduced_vnd": 5}, "cần cả trang bắt đầu"),
        ({"name": "x", "amount_vnd": 1, "cap_vnd": 5}, "chỉ dùng khi tính theo trang"),
    ],
)
def test_an_incomplete_per_page_fee_is_refused_with_the_reason(doc, message):
    with pytest.raises(InvalidCatalogue) as refused:
        import_catalogue(f.document(f.procedure(versions=[f.version(fees=[doc])])))
    assert message in str(refused.value.details)
    assert not Fee.objects.exists()
