"""The dossier API answers odd bodies with its error format (never a 500), checks a new applicant as
the counter form does, and documents responses that match what it sends."""

from __future__ import annotations

import json

import jsonschema_rs
import pytest
import time_machine
from django.test import Client

from motcua.core import tokens
from motcua.core.models import Person
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.tests import factories as df
from motcua.dossiers.tests.factories import at

pytestmark = pytest.mark.django_db

MONDAY = at(2026, 3, 9, 9, 0)
NEW_ID = "001190000456"  # Hà Nội, male born 1990


@pytest.fixture
def w():
    with time_machine.travel(MONDAY, tick=False):
        yield df.world()


def post(w, path: str, body) -> object:
    secret = tokens.issue(w.intake_a, "Hệ thống thử nghiệm").secret
    return Client(raise_request_exception=False).post(
        "/api/ho-so/" + path,
        json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )


@pytest.mark.parametrize("action", [["hand_over"], {"name": "hand_over"}, 5, True, 1.5])
def test_an_action_that_is_not_a_string_is_an_invalid_input(w, action):
    with time_machine.travel(MONDAY, tick=False):
        dossier = df.receive(w)
        response = post(w, f"{dossier.code}/chuyen-trang-thai", {"action": action, "expected_version": 1})
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "invalid_input"
    assert body["details"][0]["problem"].startswith(
        "Thao tác (action) phải là một chuỗi; chọn một trong: hand_over"
    )
    assert DossierEvent.objects.filter(dossier=dossier).count() == 1


def create_body(w, applicant: dict) -> dict:
    return {
        "channel": 1,
        "applicant": applicant,
        "procedure": w.procedure.code,
        "receiving_unit": w.ward_a.code,
        "components": [{"order": c.order} for c in w.version.components.all()],
    }


@pytest.mark.parametrize(
    "applicant,field,problem",
    [
        ({"citizen_id": NEW_ID, "full_name": "A" * 151}, "applicant.full_name", "tối đa 150 ký tự"),
        ({"citizen_id": NEW_ID, "full_name": "Trần Văn Bình", "phone": "gọi sau"}, "applicant.phone", "8–15"),
        ({"tax_code": "0209999999"}, "applicant.full_name", "cần tên tổ chức"),
    ],
)
def test_a_new_applicant_is_checked_as_at_the_counter_and_nothing_is_stored(w, applicant, field, problem):
    with time_machine.travel(MONDAY, tick=False):
        response = post(w, "", create_body(w, applicant))
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["details"] == {"field": field} and problem in body["message"]
    assert not Dossier.objects.exists() and not Person.objects.filter(citizen_id=NEW_ID).exists()


def _validator(document: dict, name: str):
    return jsonschema_rs.validator_for({"$ref": f"#/components/schemas/{name}", **document})


def test_a_procedure_as_the_api_sends_it_matches_its_documented_schema(w):
    """The catalogue's component, fee and step schemas have names of their own: the document no
    longer describes a procedure's components with the dossier's component schema."""
    client = Client()
    document = client.get("/api/openapi.json").json()
    response = client.get(f"/api/thu-tuc/{w.procedure.code}")
    assert response.status_code == 200
    body = response.json()
    assert body["version"]["components"] and body["version"]["workflow"]
    schema = document["paths"]["/api/thu-tuc/{code}"]["get"]["responses"]["200"]["content"][
        "application/json"
    ]
    assert schema["schema"] == {"$ref": "#/components/schemas/ProcedureDetailOut"}
    errors = [e.message for e in _validator(document, "ProcedureDetailOut").iter_errors(body)]
    assert errors == []


def test_every_schema_of_the_api_has_a_name_of_its_own():
    """Two response classes with one name would share one entry of ``components`` (the last wins)."""
    from ninja import Schema

    from motcua.api import api

    def subclasses(cls: type) -> list[type]:
        found = []
        for sub in cls.__subclasses__():
            found.append(sub)
            found.extend(subclasses(sub))
        return found

    ours = [c for c in subclasses(Schema) if c.__module__.startswith("motcua.")]
    names = [c.__name__ for c in ours]
    duplicated = sorted({f"{c.__module__}.{c.__name__}" for c in ours if names.count(c.__name__) > 1})
    assert duplicated == []
    assert api.get_openapi_schema()["components"]["schemas"]["ProcedureComponentOut"]["properties"]["order"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/thu-tuc/?q=a%00b",
        "/api/thu-tuc/?field=%00",
        "/api/thu-tuc/1.001%00193",
        "/api/to-chuc/don-vi?loai=%00",
        "/api/to-chuc/don-vi/a%00b/ke-thua",
        "/api/lich/ngay-nghi/2026?don_vi=%00",
    ],
)
def test_nul_in_a_public_api_parameter_is_an_invalid_input(url):
    """PostgreSQL cannot compare a string with NUL: refused before any query, in the API's format."""
    response = Client(raise_request_exception=False).get(url)
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "invalid_input"
    assert body["details"][0]["problem"] == "Không được chứa ký tự NUL (\\u0000)."


@pytest.mark.parametrize("received", ["0006-02-09T07:30:00", "9999-12-31T08:00:00+07:00"])
def test_a_receipt_moment_outside_the_calendar_years_is_an_invalid_input(received):
    body = {"received": received, "limit": 3, "unit": "working_days"}
    response = Client().post("/api/lich/tinh-han", json.dumps(body), content_type="application/json")
    assert response.status_code == 422, response.content
    assert response.json()["details"][0]["problem"] == "Thời điểm tiếp nhận phải trong các năm 2000–2100."
