"""The interchange format: committed JSON Schema, choices in step with the models, Vietnamese errors."""

from __future__ import annotations

import json
import typing
from pathlib import Path

import pytest
from pydantic import ValidationError

from motcua.catalogue import schema
from motcua.catalogue.models import Component, Fee, LimitUnit, Procedure, ProcedureVersion, WorkflowStep
from motcua.catalogue.tests import factories as f
from motcua.core.models import Role


def test_committed_json_schema_is_the_generated_one():
    # After changing schema.py: `motcua catalogue schema > src/motcua/catalogue/schema/procedure.schema.json`
    assert schema.SCHEMA_PATH.read_text(encoding="utf-8") == schema.json_schema_text()


@pytest.mark.parametrize(
    ("literal", "choices"),
    [
        (schema.RoleCode, Role),
        (schema.LimitUnitCode, LimitUnit),
        (schema.StatusCode, ProcedureVersion.Status),
        (schema.OnlineLevelCode, ProcedureVersion.OnlineLevel),
        (schema.LevelCode, Procedure.Level),
        (schema.ComponentKindCode, Component.Kind),
        (schema.ComponentRoleCode, Component.Role),
        (schema.FeeKindCode, Fee.Kind),
        (schema.UnitModeCode, WorkflowStep.UnitMode),
    ],
)
def test_format_choices_match_the_models(literal, choices):
    assert set(typing.get_args(literal)) == set(choices.values)
    assert set(schema.ROLES) == set(Role.values)


def test_demo_document_is_valid_and_orders_default_to_position():
    doc = schema.CatalogueDocument.model_validate(f.demo_document())
    components = doc.procedures[0].versions[0].components
    assert [c.order for c in components] == list(range(1, len(components) + 1))


def test_numbers_stay_numbers_in_json():
    doc = schema.CatalogueDocument.model_validate(
        f.document(f.procedure("1.000001", f.version(time_limit={"value": "4.50", "unit": "working_hours"})))
    )
    dumped = doc.model_dump(mode="json")["procedures"][0]["versions"][0]
    assert dumped["time_limit"]["value"] == 4.5
    assert dumped["workflow"][0]["allotted_hours"] == 2


def test_errors_read_in_vietnamese():
    with pytest.raises(ValidationError) as caught:
        schema.CatalogueDocument.model_validate(
            {"format": "x", "version": 1, "procedures": [{"code": "1 2", "level": "tỉnh"}]}
        )
    messages = {".".join(map(str, e["loc"])): schema.vietnamese_message(e) for e in caught.value.errors()}
    assert messages["format"] == "Giá trị “x” không hợp lệ; chọn một trong: 'motcua.catalogue'."
    assert messages["procedures.0.name"] == "Thiếu trường bắt buộc."
    assert messages["procedures.0.code"].startswith("Không đúng định dạng")
    assert "'province' hoặc 'commune'" in messages["procedures.0.level"]


DOC = Path(__file__).resolve().parents[4] / "docs" / "catalogue-format.md"


@pytest.mark.skipif(not DOC.exists(), reason="documentation not in this checkout")
@pytest.mark.django_db
def test_the_documented_example_imports():
    from motcua.catalogue.services import import_catalogue

    text = DOC.read_text(encoding="utf-8")
    example = text.split("## Example", 1)[1].split("```json", 1)[1].split("```", 1)[0]
    report = import_catalogue(json.loads(example))
    assert report.created == 1
