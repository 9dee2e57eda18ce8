"""The catalogue interchange format (``motcua.catalogue`` version 1), as pydantic models.

This module describes the *shape* of a document: types, lengths, allowed values. The rules that
need the database or look across versions (overlapping publications, workflow within the time
limit, unknown units) are checked by ``services.validate_document``. ``docs/catalogue-format.md``
describes the format for people; ``schema/procedure.schema.json`` is generated from these models by
``json_schema()`` and a test keeps the committed file equal to it.

No Django import: the converter scripts and the JSON Schema generator run without settings.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainSerializer, model_validator

from motcua.core.validation import vietnamese_message  # noqa: F401  (re-exported for importers)

FORMAT_NAME = "motcua.catalogue"
FORMAT_VERSION = 1
SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "procedure.schema.json"
SCHEMA_ID = "https://motcua.invalid/schema/catalogue/procedure.schema.json"

# Kept equal to the model choices by a test (this module must not import Django).
ROLES = (
    "intake_officer",
    "specialist",
    "unit_leader",
    "agency_leader",
    "clerk",
    "supervisor",
    "administrator",
)
RoleCode = Literal[
    "intake_officer", "specialist", "unit_leader", "agency_leader", "clerk", "supervisor", "administrator"
]
LimitUnitCode = Literal["working_days", "working_hours", "calendar_days", "calendar_months", "same_day"]
StatusCode = Literal["draft", "published", "repealed"]
OnlineLevelCode = Literal["full", "partial", "none"]
LevelCode = Literal["province", "commune"]
VersionLevelCode = Literal["ministry", "province", "district", "commune"]
ChannelCode = Literal["direct", "online", "postal"]
ComponentKindCode = Literal["original", "copy", "certified_copy", "electronic"]
ComponentRoleCode = Literal["submit", "present"]
FeeKindCode = Literal["fee", "charge"]
UnitModeCode = Literal["competent", "one_stop", "fixed"]

PROCEDURE_CODE_PATTERN = r"^[0-9A-Za-z][0-9A-Za-z._\-]*$"
STEP_CODE_PATTERN = r"^[-a-zA-Z0-9_]+$"


def _two_places(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


def _json_number(value: Decimal) -> int | float:
    """Numbers stay numbers in JSON: 3 rather than "3.00", 7.5 rather than "7.50"."""
    return int(value) if value == value.to_integral_value() else float(value)


_NUMBER_OUT = PlainSerializer(_json_number, return_type=int | float, when_used="json")

TimeValue = Annotated[
    Decimal,
    Field(ge=0, max_digits=8, decimal_places=2, description="Số lượng thời hạn; 0 với “trong ngày”."),
    AfterValidator(_two_places),
    _NUMBER_OUT,
]
Hours = Annotated[
    Decimal,
    Field(gt=0, max_digits=7, decimal_places=2, description="Số giờ làm việc dành cho bước."),
    AfterValidator(_two_places),
    _NUMBER_OUT,
]
ShortText = Annotated[str, Field(max_length=255)]
DocTypeCode = Annotated[
    str,
    Field(
        min_length=1, max_length=40, description="Mã loại giấy tờ trong danh mục loại giấy tờ (GT.KHAISINH)."
    ),
]
Order = Annotated[int, Field(ge=0, le=32767)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class FieldDoc(_Model):
    """Lĩnh vực. Matched by ``code`` when given, else by ``name``; a missing code is generated."""

    code: Annotated[str, Field(min_length=1, max_length=40)] | None = None
    name: Annotated[str, Field(min_length=1, max_length=200)]


class TimeLimitDoc(_Model):
    """Thời hạn giải quyết: normalised ``value`` + ``unit``, and the published wording in ``text``."""

    value: TimeValue
    unit: LimitUnitCode
    text: str = ""


class ComponentDoc(_Model):
    """Thành phần hồ sơ. ``order`` defaults to the position in the list (1, 2, …).

    ``channels``: the submission channels the component applies to (empty: every channel), e.g. a paper
    form at the counter and by post, its interactive e-form online. Components with the same
    ``alternative_group`` replace one another: the dossier needs one of them. ``doc_type``: the code of
    the document type (loại giấy tờ) the component asks for. ``eform_schema``: the declaration as an
    e-form (JSON Schema 2020-12 with motcua's annotations, ``catalogue/eforms.py``)."""

    order: Order | None = None
    code: Annotated[str, Field(max_length=60)] = ""
    name: Annotated[str, Field(min_length=1)]
    kind: ComponentKindCode = "original"
    quantity: Annotated[int, Field(ge=1, le=32767)] = 1
    role: ComponentRoleCode = "submit"
    required: bool = True
    channels: list[ChannelCode] = []
    alternative_group: Annotated[str, Field(max_length=40)] = ""
    doc_type: DocTypeCode | None = None
    form_template: ShortText = ""
    eform_schema: dict[str, Any] | None = None
    note: str = ""


class ExemptionDoc(_Model):
    """A case the fee is waived or reduced for (``percent`` of the amount waived), as the legal text
    names it; the officer chooses it at intake when the applicant shows they qualify."""

    code: Annotated[str, Field(min_length=2, max_length=40, pattern=r"^[a-z0-9][a-z0-9-]*$")]
    label: Annotated[str, Field(min_length=3, max_length=300)]
    percent: Annotated[int, Field(ge=1, le=100)]


class FeeDoc(_Model):
    """Phí, lệ phí. ``amount_vnd`` null means the amount is not known (not zero)."""

    order: Order | None = None
    name: Annotated[str, Field(min_length=1, max_length=400)]
    kind: FeeKindCode = "fee"
    amount_vnd: Annotated[int, Field(ge=0, le=99_999_999_999_999)] | None = None
    basis: Literal["fixed", "per_page"] = "fixed"
    reduced_from_page: Annotated[int, Field(ge=2, le=10_000)] | None = None
    reduced_vnd: Annotated[int, Field(ge=0, le=99_999_999_999_999)] | None = None
    cap_vnd: Annotated[int, Field(ge=0, le=99_999_999_999_999)] | None = None
    exemptions: str = ""
    exemption_rules: list[ExemptionDoc] = []
    pay_first: bool = Field(
        default=False,
        description="Nộp khi nộp hồ sơ trực tuyến, trước khi cơ quan tiếp nhận; cần một mức thu cố định.",
    )
    note: str = ""

    @model_validator(mode="after")
    def _distinct_exemptions(self) -> FeeDoc:
        codes = [rule.code for rule in self.exemption_rules]
        if len(codes) != len(set(codes)):
            raise ValueError("mỗi trường hợp miễn, giảm có một mã riêng")
        if self.exemption_rules and self.basis != "fixed":
            raise ValueError("chỉ khoản thu cố định mới có các trường hợp miễn, giảm theo tỷ lệ")
        return self


class StepDoc(_Model):
    """One step of the internal workflow.

    ``unit`` (an OrgUnit code or electronic identification code) is given only with ``fixed``.
    """

    order: Order
    code: Annotated[str, Field(min_length=1, max_length=40, pattern=STEP_CODE_PATTERN)]
    name: Annotated[str, Field(min_length=1, max_length=200)]
    role: RoleCode
    unit_mode: UnitModeCode = "competent"
    unit: Annotated[str, Field(min_length=1, max_length=40)] | None = None
    allotted_hours: Hours
    parallel_group: Annotated[str, Field(max_length=20)] = ""
    is_consultation: bool = False


class VersionDoc(_Model):
    """One version of a procedure, as announced by a decision, with its effective dates.

    ``result_doc_type``: the code of the document type (loại giấy tờ) the result issues."""

    version: Annotated[int, Field(ge=1, le=2_147_483_647)]
    status: StatusCode = "draft"
    effective_from: date
    effective_to: date | None = None
    decision: ShortText = ""
    decision_date: date | None = None
    name: Annotated[str, Field(min_length=1, max_length=600)]
    levels: list[VersionLevelCode] = []
    implementing_agency: ShortText = ""
    implementing_units: list[Annotated[str, Field(min_length=1, max_length=40)]] = []
    sequence: str = ""
    method: str = ""
    channels: list[ChannelCode] = []
    time_limit: TimeLimitDoc
    target_groups: list[str] = []
    result_types: list[str] = []
    result_doc_type: DocTypeCode | None = None
    paper_result_required: bool = False
    legal_bases: list[str] = []
    online_level: OnlineLevelCode
    online_partial_reason: str = ""
    notes: dict[str, str] = {}
    verified: dict[str, bool] = {}
    sources: list[str] = []
    components: list[ComponentDoc] = []
    fees: list[FeeDoc] = []
    workflow: list[StepDoc] = []

    @model_validator(mode="after")
    def _default_orders(self) -> VersionDoc:
        for position, component in enumerate(self.components, start=1):
            if component.order is None:
                component.order = position
        for position, fee in enumerate(self.fees, start=1):
            if fee.order is None:
                fee.order = position
        return self


class ProcedureDoc(_Model):
    """A procedure (thủ tục hành chính) identified by its national TTHC code, with its versions."""

    code: Annotated[str, Field(min_length=1, max_length=40, pattern=PROCEDURE_CODE_PATTERN)]
    name: Annotated[str, Field(min_length=1, max_length=600)]
    field: FieldDoc
    level: LevelCode
    versions: list[VersionDoc] = []


class CatalogueDocument(_Model):
    """A catalogue document: any number of procedures; importing it is all-or-nothing."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        title="motcua.catalogue",
        json_schema_extra={"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID},
    )

    format: Literal["motcua.catalogue"]
    version: Literal[1]
    procedures: list[ProcedureDoc]


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a catalogue document (committed as ``schema/procedure.schema.json``)."""
    return CatalogueDocument.model_json_schema()


def json_schema_text() -> str:
    return json.dumps(json_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_json_schema(path: Path = SCHEMA_PATH) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json_schema_text(), encoding="utf-8")
    return path
