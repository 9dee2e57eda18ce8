"""Import, export, publication and placeholders: the catalogue's only write path."""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal

import pytest

from motcua.catalogue.models import Component, Fee, Field, Procedure, ProcedureVersion, WorkflowStep
from motcua.catalogue.services import (
    create_placeholder_procedure,
    export_catalogue,
    import_catalogue,
    publish_version,
)
from motcua.catalogue.tests import factories as f
from motcua.core.errors import Conflict, DomainError, NotFound
from motcua.core.models import AuditEntry

pytestmark = pytest.mark.django_db

MODELS = (Field, Procedure, ProcedureVersion, Component, Fee, WorkflowStep)


def counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in MODELS}


def rejected(document: dict) -> DomainError:
    before = counts()
    audit_before = AuditEntry.objects.count()
    with pytest.raises(DomainError) as caught:
        import_catalogue(document)
    assert counts() == before, "nothing may be stored when the document is invalid"
    assert AuditEntry.objects.count() == audit_before
    assert caught.value.code == "import_invalid"
    return caught.value


# --- the demo file ---------------------------------------------------------------------------


def test_demo_file_imports_and_reimport_changes_nothing():
    report = import_catalogue(f.demo_document())
    assert (report.created, report.updated, report.unchanged) == (14, 0, 0)
    assert report.procedures_created == 14
    assert Procedure.objects.count() == 14
    birth = Procedure.objects.get(code="1.001193")
    assert birth.name == "Thủ tục đăng ký khai sinh"
    assert birth.field.name == "Hộ tịch" and birth.level == "commune"
    assert "dang ky khai sinh" in birth.search_text

    before = counts()
    audit_before = AuditEntry.objects.exclude(action="catalogue_import").count()
    again = import_catalogue(f.demo_document())
    assert (again.created, again.updated, again.unchanged) == (0, 0, 14)
    assert not again.changed
    assert counts() == before
    assert AuditEntry.objects.exclude(action="catalogue_import").count() == audit_before  # no row was saved


def test_demo_file_keeps_unknown_fees_unknown_and_verified_flags():
    import_catalogue(f.demo_document())
    version = ProcedureVersion.objects.get(procedure__code="1.001193")
    fees = {fee.name: fee.amount_vnd for fee in version.fees.all()}
    assert fees["Phí cấp bản sao Giấy khai sinh (nếu có yêu cầu)"] is None
    assert fees["Lệ phí đăng ký khai sinh đúng hạn"] == 0
    assert version.online_level == "partial"
    assert "chưa phải dịch vụ công trực tuyến toàn trình" in version.online_partial_reason
    assert version.verified["code"] is True
    assert version.sources and version.notes["as_of"]
    marriage = ProcedureVersion.objects.get(procedure__code="1.000894")
    assert "online_level" in marriage.unverified_fields


def test_import_is_audited_once_with_its_summary():
    import_catalogue(f.document())
    entry = AuditEntry.objects.get(action="catalogue_import")
    assert entry.data["created"] == 1 and "1 phiên bản mới" in entry.summary
    # every row written went through the signal handlers too
    assert AuditEntry.objects.filter(object_type="catalogue.workflowstep", action="create").count() == 5


def test_dry_run_reports_without_writing():
    before = counts()
    report = import_catalogue(f.document(), dry_run=True)
    assert report.dry_run and (report.created, report.procedures_created, report.fields_created) == (1, 1, 1)
    assert counts() == before
    assert not AuditEntry.objects.filter(action="catalogue_import").exists()


# --- invalid documents are rejected whole ----------------------------------------------------


def test_workflow_over_budget_is_rejected_with_the_field_named():
    good = f.procedure("2.000001")
    workflow = f.three_day_workflow()
    workflow[1]["allotted_hours"] = 13  # 23.5 h > 22.5 h
    bad = f.procedure("1.001193", f.version(workflow=workflow))
    error = rejected(f.document(good, bad))
    (detail,) = error.details
    assert detail["procedure"] == "1.001193" and detail["version"] == 1
    assert detail["field"] == "versions[0].workflow"
    assert "vượt thời hạn giải quyết" in detail["problem"]
    assert "1.001193" in error.message


def test_overlapping_published_versions_in_the_document_are_rejected():
    doc = f.document(
        f.procedure(
            "1.001193",
            f.version(1, effective_from="2025-07-01"),
            f.version(2, effective_from="2026-01-01"),
        )
    )
    error = rejected(doc)
    (detail,) = error.details
    assert detail["field"] == "versions[0].effective_from"
    assert "trùng với phiên bản 2" in detail["problem"]


def test_overlap_with_a_stored_version_is_rejected_and_closing_it_is_accepted():
    import_catalogue(f.document(f.procedure("1.001193", f.version(1))))
    doc = f.document(f.procedure("1.001193", f.version(2, effective_from="2026-01-01")))
    error = rejected(doc)
    assert "đang lưu trong danh mục" in error.details[0]["problem"]

    closing = f.document(
        f.procedure(
            "1.001193", f.version(1, effective_to="2026-01-01"), f.version(2, effective_from="2026-01-01")
        )
    )
    report = import_catalogue(closing)
    assert (report.created, report.updated) == (1, 1)


def test_unknown_unit_and_role_are_rejected():
    workflow = f.three_day_workflow()
    workflow[1].update(unit_mode="fixed", unit="so-khong-co")
    workflow[2]["role"] = "chairman"
    doc = f.document(f.procedure("1.001193", f.version(workflow=workflow, implementing_units=["khong-co"])))
    error = rejected(doc)
    fields = {d["field"]: d["problem"] for d in error.details}
    # the role is a shape error, found before the database checks run
    assert "versions[0].workflow[2].role" in fields
    assert "chairman" in fields["versions[0].workflow[2].role"]

    workflow[2]["role"] = "unit_leader"
    doc = f.document(f.procedure("1.001193", f.version(workflow=workflow, implementing_units=["khong-co"])))
    fields = {d["field"]: d["problem"] for d in rejected(doc).details}
    assert "so-khong-co" in fields["versions[0].workflow[1].unit"]
    assert "khong-co" in fields["versions[0].implementing_units[0]"]


def test_units_are_found_by_code_or_electronic_id_and_must_be_active():
    unit = f.org_unit("hp-stp", eid_code="000.00.15.H31")
    f.org_unit("hd-stp", valid_from=date(2020, 1, 1), valid_to=date(2025, 7, 1))
    workflow = f.three_day_workflow()
    workflow[1].update(unit_mode="fixed", unit="000.00.15.H31")
    import_catalogue(
        f.document(f.procedure("1.001193", f.version(workflow=workflow, implementing_units=["hp-stp"])))
    )
    version = ProcedureVersion.objects.get()
    assert list(version.implementing_units.all()) == [unit]
    assert version.workflow_steps.get(code="tham-dinh").unit == unit

    doc = f.document(f.procedure("2.000002", f.version(implementing_units=["hd-stp"])))
    (detail,) = rejected(doc).details
    assert "không hoạt động" in detail["problem"]


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"online_level": "partial"}, "versions[0].online_partial_reason", "lý do"),
        ({"time_limit": {"value": 2.5, "unit": "working_days"}}, "versions[0].time_limit.value", "số lẻ"),
        ({"effective_to": "2025-01-01"}, "versions[0].effective_to", "phải sau"),
        (
            {"status": "repealed", "time_limit": {"value": 3, "unit": "weeks"}},
            "versions[0].time_limit.unit",
            "weeks",
        ),
        ({"workflow": []}, "versions[0].workflow", "quy trình nội bộ"),
        ({"effective_from": "01/07/2025"}, "versions[0].effective_from", "YYYY-MM-DD"),
        ({"components": [{"name": "A", "quantity": 0}]}, "versions[0].components[0].quantity", "nhỏ hơn 1"),
        ({"surprise": 1}, "versions[0].surprise", "không có trong định dạng"),
    ],
)
def test_each_version_rule_names_its_field(change, field, words):
    error = rejected(f.document(f.procedure("1.001193", f.version(**change))))
    assert field in [d["field"] for d in error.details]
    problem = next(d["problem"] for d in error.details if d["field"] == field)
    assert words in problem


def test_every_problem_of_the_document_is_reported_at_once():
    doc = f.document(
        f.procedure("1.000001", f.version(online_level="partial")),
        f.procedure("1.000002", f.version(effective_to="2020-01-01")),
        f.procedure("1.000001"),
    )
    error = rejected(doc)
    assert len(error.details) == 3
    assert {d["procedure"] for d in error.details} == {"1.000001", "1.000002"}


def test_not_a_catalogue_document():
    error = rejected({"format": "motcua.org", "version": 1, "procedures": []})
    assert error.details[0]["field"] == "format"
    error = rejected({"procedures": "nope"})
    assert {d["field"] for d in error.details} >= {"format", "version", "procedures"}


# --- updates, round trip ---------------------------------------------------------------------


def test_changed_version_is_updated_and_its_children_replaced():
    import_catalogue(f.document())
    version = ProcedureVersion.objects.get()
    kept_step_id = version.workflow_steps.get(code="tiep-nhan").pk

    changed = f.version(
        name="Thủ tục đăng ký khai sinh (sửa đổi)",
        components=[{"name": "Tờ khai mới"}],
        fees=[],
        workflow=[f.step(1, "tiep-nhan", 1, "intake_officer", unit_mode="one_stop"), f.step(2, "xu-ly", 10)],
    )
    report = import_catalogue(f.document(f.procedure("1.001193", changed)))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 0)
    version.refresh_from_db()
    assert version.name.endswith("(sửa đổi)")
    assert [c.name for c in version.components.all()] == ["Tờ khai mới"]
    assert not version.fees.exists()
    assert sorted(version.workflow_steps.values_list("code", flat=True)) == ["tiep-nhan", "xu-ly"]
    assert version.workflow_steps.get(code="tiep-nhan").pk == kept_step_id  # same step kept its row
    procedure = Procedure.objects.get()
    assert procedure.name.endswith("(sửa đổi)") and "sua doi" in procedure.search_text


def test_export_then_import_round_trip():
    unit = f.org_unit("hp-stp")
    workflow = f.three_day_workflow()
    workflow[1].update(unit_mode="fixed", unit=unit.code, parallel_group="g", is_consultation=True)
    workflow[2]["parallel_group"] = "g"
    import_catalogue(f.demo_document())
    import_catalogue(
        f.document(
            f.procedure(
                "9.000001",
                f.version(1, effective_to="2026-01-01", implementing_units=["hp-stp"], workflow=workflow),
                f.version(
                    2,
                    effective_from="2026-01-01",
                    time_limit={"value": 4.5, "unit": "working_hours"},
                    workflow=[f.step(1, "a", 4.5)],
                ),
                f.version(3, status="draft", effective_from="2027-01-01"),
            )
        )
    )
    exported = export_catalogue()
    assert len(exported["procedures"]) == 15

    again = import_catalogue(copy.deepcopy(exported))
    assert (again.created, again.updated) == (0, 0) and again.unchanged == 17

    # into an empty catalogue: the same document comes back out
    for model in (WorkflowStep, Component, Fee, ProcedureVersion, Procedure, Field):
        model.objects.all().delete()
    import_catalogue(copy.deepcopy(exported))
    assert export_catalogue() == exported


def test_export_selected_codes_and_unknown_code():
    import_catalogue(f.demo_document())
    doc = export_catalogue(["2.000815", "1.001193"])
    assert [p["code"] for p in doc["procedures"]] == ["1.001193", "2.000815"]
    assert doc["procedures"][0]["versions"][0]["time_limit"] == {
        "value": 0,
        "unit": "same_day",
        "text": doc["procedures"][0]["versions"][0]["time_limit"]["text"],
    }
    with pytest.raises(NotFound) as caught:
        export_catalogue(["1.001193", "9.999999"])
    assert "9.999999" in caught.value.message


def test_omitted_implementing_units_are_left_alone():
    unit = f.org_unit("xa-1", kind="commune")
    import_catalogue(f.document())
    ProcedureVersion.objects.get().implementing_units.set([unit])
    assert import_catalogue(f.document()).unchanged == 1
    assert list(ProcedureVersion.objects.get().implementing_units.all()) == [unit]
    report = import_catalogue(f.document(f.procedure("1.001193", f.version(implementing_units=[]))))
    assert report.updated == 1 and not ProcedureVersion.objects.get().implementing_units.exists()


def test_fields_are_matched_by_code_or_name():
    import_catalogue(f.document(f.procedure("1.000001", field={"name": "Chứng thực"})))
    generated = Field.objects.get(name="Chứng thực")
    assert generated.code == "CHUNG-THUC"
    import_catalogue(f.document(f.procedure("1.000002", field={"name": "Chứng thực"})))
    assert Field.objects.filter(name="Chứng thực").count() == 1
    error = rejected(f.document(f.procedure("1.000003", field={"code": "CT", "name": "Chứng thực"})))
    assert "CHUNG-THUC" in error.details[0]["problem"]


# --- publication and placeholders ------------------------------------------------------------


def test_publish_version_closes_the_open_previous_version():
    import_catalogue(
        f.document(
            f.procedure("1.001193", f.version(1), f.version(2, status="draft", effective_from="2026-03-01"))
        )
    )
    draft = ProcedureVersion.objects.get(version=2)
    publish_version(draft)
    draft.refresh_from_db()
    old = ProcedureVersion.objects.get(version=1)
    assert draft.status == "published"
    assert old.effective_to == date(2026, 3, 1)
    assert AuditEntry.objects.filter(action="catalogue_publish").count() == 1
    with pytest.raises(Conflict):
        publish_version(draft)


def test_publish_refuses_a_version_whose_workflow_does_not_fit():
    import_catalogue(f.document(f.procedure("1.001193", f.version(1, status="draft"))))
    version = ProcedureVersion.objects.get()
    WorkflowStep.objects.filter(version=version, code="tham-dinh").update(allotted_hours=Decimal(40))
    with pytest.raises(DomainError) as caught:
        publish_version(version)
    assert caught.value.code == "publish_invalid"
    assert "vượt" in caught.value.message
    version.refresh_from_db()
    assert version.status == "draft"


def test_placeholder_procedure_is_flagged_and_replaced_by_import():
    placeholder = create_placeholder_procedure("1.999999")
    assert placeholder.is_placeholder and "1.999999" in placeholder.name
    assert create_placeholder_procedure("1.999999").pk == placeholder.pk
    assert export_catalogue()["procedures"] == []
    with pytest.raises(DomainError):
        create_placeholder_procedure("có dấu cách")

    report = import_catalogue(f.document(f.procedure("1.999999")))
    assert report.procedures_updated == 1
    placeholder.refresh_from_db()
    assert not placeholder.is_placeholder and placeholder.field.name == "Hộ tịch"


def test_renamed_field_refreshes_the_search_text_of_its_procedures():
    import_catalogue(f.document(f.procedure("1.000001"), f.procedure("1.000002")))
    renamed = f.procedure("1.000001", field={"code": "HO-TICH", "name": "Hộ tịch, quốc tịch"})
    report = import_catalogue(f.document(renamed))
    assert report.unchanged == 1  # versions untouched
    assert Field.objects.get(code="HO-TICH").name == "Hộ tịch, quốc tịch"
    for procedure in Procedure.objects.all():
        assert "quoc tich" in procedure.search_text


def test_reimport_of_many_procedures_costs_a_constant_number_of_queries(django_assert_max_num_queries):
    doc = f.document(*[f.procedure(f"4.{i:06d}") for i in range(25)])
    import_catalogue(doc)
    with django_assert_max_num_queries(20):
        assert import_catalogue(doc).unchanged == 25
