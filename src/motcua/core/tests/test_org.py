"""Organisation data: loading the unit tree, successions after the 2025 merger, the org API."""

import copy
from datetime import date

import pytest

from motcua.core.errors import DomainError
from motcua.core.models import AuditEntry, OrgUnit, OrgUnitSuccession
from motcua.core.services import load_org, successors_on
from motcua.demo.loader import data

pytestmark = pytest.mark.django_db


def test_demo_org_loads_the_two_tier_city_with_history():
    report = load_org(data("org.json"))
    assert report.created == OrgUnit.objects.count() > 20
    city = OrgUnit.objects.get(code="hp")
    assert city.admin_code == "31" and city.valid_to is None
    ward = OrgUnit.objects.get(name="Phường Thành Đông")
    assert ward.parent == city and ward.admin_code == "10507" and ward.former_province == "Hải Dương"
    assert ward.eid_code_generated and ward.is_one_stop
    old_city = OrgUnit.objects.get(code="hd-288")
    assert old_city.valid_to == date(2025, 7, 1) and old_city.kind == "district"
    assert {s.successor.code for s in old_city.successions.all()} >= {"x10507", "x10525"}
    # Reloading changes nothing.
    again = load_org(data("org.json"))
    assert again.created == again.updated == 0


def test_successors_follow_links_to_units_active_on_the_day():
    load_org(data("org.json"))
    old = OrgUnit.objects.get(code="hd-skhdt")
    assert [u.code for u in successors_on(old, date(2026, 1, 1))] == ["hp-stc"]
    assert successors_on(old, date(2024, 1, 1)) == [old]


def test_a_bad_document_is_refused_whole_and_names_every_problem():
    document = copy.deepcopy(data("org.json"))
    document["units"][3]["kind"] = "thôn"
    document["units"][5]["parent"] = "khong-co"
    document["successions"].append({"predecessor": "hd-288", "successor": "zzz", "effective": "2025-07-01"})
    before = (OrgUnit.objects.count(), AuditEntry.objects.count())
    with pytest.raises(DomainError) as caught:
        load_org(document)
    problems = caught.value.details
    assert {p.get("field") for p in problems} >= {"kind", "parent"}
    assert any("zzz" in p["problem"] for p in problems)
    assert (OrgUnit.objects.count(), AuditEntry.objects.count()) == before
    assert OrgUnitSuccession.objects.count() == 0


def test_org_api_lists_units_in_force_and_successors(client):
    load_org(data("org.json"))
    now = {u["code"] for u in client.get("/api/to-chuc/don-vi").json()}
    assert "hp" in now and "hd-288" not in now
    before = {u["code"] for u in client.get("/api/to-chuc/don-vi", {"ngay": "2025-06-30"}).json()}
    assert "hd-288" in before and "x10507" not in before
    body = client.get("/api/to-chuc/don-vi/hd-288/ke-thua").json()
    assert "x10507" in {u["code"] for u in body["successors"]}
    assert client.get("/api/to-chuc/don-vi/khong-co/ke-thua").status_code == 404
