"""Admin: the workflow formset must fit the time limit; “Công bố phiên bản” goes through the service."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from motcua.catalogue.models import ProcedureVersion
from motcua.catalogue.services import import_catalogue
from motcua.catalogue.tests import factories as f
from motcua.core.models import OrgUnit, Role, RoleAssignment, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(settings) -> Client:
    settings.MOTCUA_REQUIRE_2FA = False
    province = OrgUnit.objects.create(code="hp", name="Thành phố Hải Phòng", kind=OrgUnit.Kind.PROVINCE)
    user = User.objects.create_user(
        "quantri", password="mat-khau-dai-1234", full_name="Quản trị", is_staff=True
    )
    user.is_superuser = True
    user.save()
    RoleAssignment.objects.create(
        user=user, role=Role.ADMINISTRATOR, unit=province, valid_from=date(2020, 1, 1)
    )
    client = Client()
    client.force_login(user)
    return client


def form_data(version: ProcedureVersion, hours: list[str]) -> dict[str, str]:
    data = {
        "procedure": str(version.procedure_id),
        "version": str(version.version),
        "status": version.status,
        "name": version.name,
        "effective_from": "2025-07-01",
        "decision": "",
        "levels": '["commune"]',
        "implementing_agency": "",
        "sequence": "",
        "method": "",
        "channels": "[]",
        "target_groups": "[]",
        "time_limit_value": "3",
        "time_limit_unit": "working_days",
        "time_limit_text": "",
        "result_types": "[]",
        "legal_bases": "[]",
        "online_level": "full",
        "online_partial_reason": "",
        "sources": "[]",
        "notes": "{}",
        "verified": "{}",
        "components-TOTAL_FORMS": "0",
        "components-INITIAL_FORMS": "0",
        "fees-TOTAL_FORMS": "0",
        "fees-INITIAL_FORMS": "0",
    }
    steps = list(version.workflow_steps.order_by("order"))
    data["workflow_steps-TOTAL_FORMS"] = str(len(steps))
    data["workflow_steps-INITIAL_FORMS"] = str(len(steps))
    for i, (step, value) in enumerate(zip(steps, hours, strict=True)):
        prefix = f"workflow_steps-{i}-"
        data.update(
            {
                prefix + "id": str(step.pk),
                prefix + "version": str(version.pk),
                prefix + "order": str(step.order),
                prefix + "code": step.code,
                prefix + "name": step.name,
                prefix + "role": step.role,
                prefix + "unit_mode": step.unit_mode,
                prefix + "allotted_hours": value,
                prefix + "parallel_group": "",
            }
        )
    for name in ("components", "fees"):
        data[f"{name}-MIN_NUM_FORMS"] = data[f"{name}-MAX_NUM_FORMS"] = "0"
    data["workflow_steps-MIN_NUM_FORMS"], data["workflow_steps-MAX_NUM_FORMS"] = "0", "1000"
    data["components-MAX_NUM_FORMS"] = data["fees-MAX_NUM_FORMS"] = "1000"
    return data


def test_workflow_over_the_time_limit_is_refused_in_the_admin(admin_client):
    import_catalogue(f.document(f.procedure("1.001193", f.version(components=[], fees=[]))))
    version = ProcedureVersion.objects.get()
    url = reverse("admin:catalogue_procedureversion_change", args=[version.pk])
    assert admin_client.get(url).status_code == 200

    response = admin_client.post(url, form_data(version, ["2", "13", "6", "2", "0.5"]))
    assert response.status_code == 200  # the form comes back with the error
    assert "vượt thời hạn giải quyết" in response.content.decode()
    assert version.workflow_steps.get(code="tham-dinh").allotted_hours == 12

    response = admin_client.post(url, form_data(version, ["2", "11", "6", "2", "0.5"]))
    assert response.status_code == 302
    assert version.workflow_steps.get(code="tham-dinh").allotted_hours == 11


def test_publish_action(admin_client):
    import_catalogue(f.document(f.procedure("1.001193", f.version(status="draft"))))
    version = ProcedureVersion.objects.get()
    url = reverse("admin:catalogue_procedureversion_changelist")
    response = admin_client.post(url, {"action": "publish", "_selected_action": [version.pk]}, follow=True)
    assert "Đã công bố 1 phiên bản." in response.content.decode()
    version.refresh_from_db()
    assert version.status == "published"


def test_procedure_admin_search_without_diacritics(admin_client):
    import_catalogue(f.demo_document())
    response = admin_client.get(reverse("admin:catalogue_procedure_changelist"), {"q": "dang ky khai sinh"})
    assert "1.001193" in response.content.decode()
