"""Saving a version says which workflow steps nobody can do; components carry their channels and
alternatives through import, export and the public API."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from motcua.catalogue.models import Component, ProcedureVersion
from motcua.catalogue.services import export_catalogue, import_catalogue
from motcua.catalogue.tests import factories as f
from motcua.catalogue.tests.test_admin import admin_client, form_data  # noqa: F401 (fixture)
from motcua.core.errors import DomainError
from motcua.core.models import OrgUnit, Role, RoleAssignment, User

pytestmark = pytest.mark.django_db

TODAY = "2026-03-09 09:00"


def ward(code: str, name: str, *roles: str) -> OrgUnit:
    unit = OrgUnit.objects.create(code=code, name=name, kind=OrgUnit.Kind.WARD, is_one_stop=True)
    for role in roles:
        user = User.objects.create(username=f"{role}.{code}", full_name=f"Cán bộ {role}")
        RoleAssignment.objects.create(user=user, role=role, unit=unit, valid_from=date(2025, 7, 1))
    return unit


ALL_ROLES = (Role.INTAKE_OFFICER, Role.SPECIALIST, Role.UNIT_LEADER, Role.AGENCY_LEADER)


def test_an_import_says_which_steps_have_nobody_at_the_implementing_units():
    ward("pab", "Phường An Biên", *ALL_ROLES)
    ward("plc", "Phường Lê Chân", Role.INTAKE_OFFICER, Role.SPECIALIST)
    document = f.document(f.procedure("1.001193", f.version(implementing_units=["pab", "plc"])))
    with time_machine.travel(TODAY, tick=False):
        report = import_catalogue(document)
    assert report.created == 1
    # tiep-nhan and tra-ket-qua are the one-stop's (checked at intake); tham-dinh has a specialist in both
    assert report.warnings == [
        "Thủ tục 1.001193 phiên bản 1: bước “Bước trinh-ky” do lãnh đạo phòng thực hiện, nhưng ngày "
        "09/03/2026 chưa có ai giữ vai trò này tại Phường Lê Chân. Hồ sơ giao cho đơn vị này sẽ không "
        "được tiếp nhận cho đến khi có người được phân công.",
        "Thủ tục 1.001193 phiên bản 1: bước “Bước ky-ban-hanh” do lãnh đạo cơ quan thực hiện, nhưng ngày "
        "09/03/2026 chưa có ai giữ vai trò này tại Phường Lê Chân. Hồ sơ giao cho đơn vị này sẽ không "
        "được tiếp nhận cho đến khi có người được phân công.",
    ]
    assert report.as_dict()["warnings"] == report.warnings
    # the same document again changes nothing and says nothing
    with time_machine.travel(TODAY, tick=False):
        assert import_catalogue(document).warnings == []


def test_the_command_line_prints_the_warnings_and_an_ended_version_has_none(tmp_path):
    ward("plc", "Phường Lê Chân", Role.INTAKE_OFFICER)
    ended = f.version(1, implementing_units=["plc"], effective_to="2026-01-01")
    current = f.version(2, implementing_units=["plc"], effective_from="2026-01-01")
    path = tmp_path / "tthc.json"
    path.write_text(json.dumps(f.document(f.procedure("1.001193", ended, current))), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    with time_machine.travel(TODAY, tick=False):
        call_command("catalogue", "import", str(path), stdout=out, stderr=err)
    warnings = json.loads(out.getvalue())["warnings"]
    assert [w.split(":")[0] for w in warnings] == ["Thủ tục 1.001193 phiên bản 2"] * 3
    assert (
        "Lưu ý: Thủ tục 1.001193 phiên bản 2: bước “Bước tham-dinh” do chuyên viên thực hiện"
        in err.getvalue()
    )


def test_saving_a_version_in_the_admin_warns_of_a_step_nobody_holds(admin_client):  # noqa: F811
    unit = ward("plc", "Phường Lê Chân", Role.INTAKE_OFFICER, Role.SPECIALIST, Role.UNIT_LEADER)
    import_catalogue(f.document(f.procedure("1.001193", f.version(components=[], fees=[]))))
    version = ProcedureVersion.objects.get()
    version.implementing_units.set([unit])
    url = reverse("admin:catalogue_procedureversion_change", args=[version.pk])
    data = form_data(version, ["2", "12", "6", "2", "0.5"])
    data["implementing_units"] = [str(unit.pk)]
    with time_machine.travel(TODAY, tick=False):
        response = admin_client.post(url, data, follow=True)
    text = response.content.decode()
    assert response.status_code == 200
    assert "bước “Bước ky-ban-hanh” do lãnh đạo cơ quan thực hiện" in text and "Phường Lê Chân" in text


def test_channels_and_alternatives_round_trip_and_reach_the_public_api():
    components = [
        {"name": "Tờ khai (khi nộp trực tiếp hoặc qua bưu chính)", "channels": ["direct", "postal"]},
        {"name": "Mẫu điện tử tương tác (khi nộp trực tuyến)", "channels": ["online"], "kind": "electronic"},
        {"name": "Giấy chứng sinh", "alternative_group": "chung-sinh"},
        {"name": "Giấy cam đoan về việc sinh", "alternative_group": "chung-sinh"},
    ]
    document = f.document(f.procedure("1.001193", f.version(components=components)))
    import_catalogue(document)
    stored = list(Component.objects.order_by("order").values_list("channels", "alternative_group"))
    assert stored == [(["direct", "postal"], ""), (["online"], ""), ([], "chung-sinh"), ([], "chung-sinh")]
    assert not Component.objects.get(order=2).applies_to("direct")
    assert Component.objects.get(order=3).applies_to("online")
    exported = export_catalogue()["procedures"][0]["versions"][0]["components"]
    assert [(c["channels"], c["alternative_group"]) for c in exported] == [
        (["direct", "postal"], ""),
        (["online"], ""),
        ([], "chung-sinh"),
        ([], "chung-sinh"),
    ]
    assert import_catalogue(export_catalogue()).unchanged == 1
    api = Client().get("/api/thu-tuc/1.001193").json()
    assert [(c["channels"], c["alternative_group"]) for c in api["version"]["components"]][:2] == [
        (["direct", "postal"], ""),
        (["online"], ""),
    ]


@pytest.mark.parametrize(
    ("components", "message"),
    [
        (
            [{"name": "Giấy chứng sinh", "alternative_group": "chung-sinh"}],
            "Nhóm thay thế “chung-sinh” chỉ có một thành phần",
        ),
        (
            [
                {"name": "Giấy chứng sinh", "alternative_group": "chung-sinh"},
                {"name": "Giấy cam đoan", "alternative_group": "chung-sinh", "required": False},
            ],
            "phải cùng là giấy tờ nộp (hoặc xuất trình) và cùng bắt buộc",
        ),
    ],
)
def test_alternatives_must_be_at_least_two_of_the_same_kind(components, message):
    with pytest.raises(DomainError) as caught:
        import_catalogue(f.document(f.procedure("1.001193", f.version(components=components))))
    assert message in caught.value.details[0]["problem"]


def test_an_unknown_channel_is_refused():
    with pytest.raises(DomainError) as caught:
        import_catalogue(
            f.document(
                f.procedure("1.001193", f.version(components=[{"name": "Tờ khai", "channels": ["fax"]}]))
            )
        )
    assert caught.value.code == "import_invalid"
