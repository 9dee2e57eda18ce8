"""Fee exemptions as data: the catalogue lists the cases a fee is waived or reduced for (imported and
validated like the rest of the catalogue), the officer picks the applicant's case at intake, the line
keeps the case and what is left to pay — the amount the portal, the receipt and the payment see."""

from __future__ import annotations

import pytest
import time_machine

from motcua.catalogue.services import export_catalogue, import_catalogue
from motcua.catalogue.tests import factories as cf
from motcua.core.errors import DomainError
from motcua.dossiers.models import DossierFee
from motcua.dossiers.tests import factories as df
from motcua.dossiers.tests.factories import at
from motcua.integrations.models import OutboxMessage

pytestmark = pytest.mark.django_db

RULES = [
    {"code": "dung-han", "label": "Đăng ký khai sinh đúng hạn", "percent": 100},
    {"code": "tre-em-khuyet-tat", "label": "Trẻ em khuyết tật (giảm 50%)", "percent": 50},
]


def world_with_rules(amount: int = 8000):
    fees = [
        {
            "name": "Lệ phí đăng ký khai sinh",
            "amount_vnd": amount,
            "exemptions": "Miễn, giảm theo Luật Hộ tịch",
            "exemption_rules": RULES,
        }
    ]
    return df.world(procedure_doc=cf.procedure("1.001193", cf.version(fees=fees)))


def fee_of(w, exemption: str | None):
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=True):
        fee = w.version.fees.get()
        d = df.receive(w, exemptions={fee.pk: exemption} if exemption else None)
    return d, DossierFee.objects.get(dossier=d)


def test_the_chosen_case_waives_its_share_and_is_kept_on_the_line():
    w = world_with_rules(8001)
    _, full = fee_of(w, None)
    assert (full.amount_vnd, full.exemption) == (8001, {})
    _, half = fee_of(w, "tre-em-khuyet-tat")
    # 8.001 đ, half waived: 4.000,5 → 4.001 đ (to the đồng, half up).
    assert half.amount_vnd == 4001 and half.exemption["label"] == "Trẻ em khuyết tật (giảm 50%)"
    d, waived = fee_of(w, "dung-han")
    assert waived.amount_vnd == 0
    record = OutboxMessage.objects.filter(key=d.code, topic="dvcqg.DongBoHoSoMC").get().payload["data"][0]
    assert record["DanhSachLePhi"][0]["Gia"] == 0


def test_a_case_the_fee_does_not_have_is_refused_and_nothing_is_stored():
    w = world_with_rules()
    with pytest.raises(DomainError) as caught:
        fee_of(w, "ho-giau")
    assert caught.value.status == 422 and "ho-giau" in caught.value.message
    assert not DossierFee.objects.exists()


@pytest.mark.parametrize(
    "rules",
    [
        [{"code": "a1", "label": "Một", "percent": 100}, {"code": "a1", "label": "Hai", "percent": 50}],
        [{"code": "a1", "label": "Trường hợp", "percent": 0}],
        [{"code": "A 1", "label": "Trường hợp", "percent": 10}],
    ],
)
def test_the_catalogue_refuses_cases_that_are_not_data(rules):
    fees = [{"name": "Lệ phí", "amount_vnd": 8000, "exemption_rules": rules}]
    with pytest.raises(DomainError):
        import_catalogue(cf.document(cf.procedure("1.001193", cf.version(fees=fees))))


def test_the_catalogue_keeps_the_cases_through_export_and_reimport():
    world_with_rules()
    exported = export_catalogue()
    assert exported["procedures"][0]["versions"][0]["fees"][0]["exemption_rules"] == RULES
    again = import_catalogue(exported)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)


def test_the_officer_picks_the_case_on_the_counter_form(client):
    from motcua.dossiers.tests.test_dossier_views import intake_data

    w = world_with_rules()
    fee = w.version.fees.get()
    client.force_login(w.intake_a)
    form = client.get("/can-bo/ho-so/tiep-nhan/?procedure=1.001193").content.decode()
    assert "Đăng ký khai sinh đúng hạn (miễn 100%)" in form and "Không miễn, giảm" in form
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=True):
        refused = client.post(
            "/can-bo/ho-so/tiep-nhan/", intake_data(w, **{f"fee{fee.pk}_exemption": "khong-co"})
        )
        assert refused.status_code == 400 and not DossierFee.objects.exists()
        done = client.post(
            "/can-bo/ho-so/tiep-nhan/", intake_data(w, **{f"fee{fee.pk}_exemption": "tre-em-khuyet-tat"})
        )
    assert done.status_code == 302
    line = DossierFee.objects.get()
    assert (line.amount_vnd, line.exemption["code"]) == (4000, "tre-em-khuyet-tat")
    page = client.get(f"/can-bo/ho-so/{line.dossier.code}/").content.decode()
    assert "miễn, giảm 50%: Trẻ em khuyết tật (giảm 50%)" in page
