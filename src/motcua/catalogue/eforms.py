"""E-forms (biểu mẫu điện tử): a component's declaration (tờ khai) as a JSON Schema, read by people.

``Component.eform_schema`` holds a JSON Schema (draft 2020-12) of the declaration with motcua's
annotations. Pure Python, no Django import (mypy --strict); the online submission page, the catalogue's
import and admin, the blank printable form and the data-reuse count all read a schema through here.

What a schema may say (anything else is refused by ``check_schema``, so every form renders):

- the root: ``type: "object"``, ``title``, ``description``, ``properties``, ``required``, ``x-order``;
- a property is a **field** of type ``string``, ``integer``, ``number`` or ``boolean``, or a **section**
  (``type: "object"``, one level only) with its own ``title`` (the legend), ``description``,
  ``properties``, ``required`` and ``x-order``; names are lower-case ASCII (``ho_ten``), so a field's
  path is ``nguoi_yeu_cau.ho_ten``, the name posted by the form;
- a field has a ``title`` (its label) and may have ``description`` (help), ``format: "date"`` (ISO
  stored, dd/mm/yyyy accepted) or ``"email"``, ``enum`` with ``x-enum-labels`` (one label per value),
  ``minLength``/``maxLength``, ``pattern`` with ``x-pattern-message`` (the Vietnamese message when it
  does not match), ``minimum``/``maximum``, ``x-widget: "textarea"``, ``x-autocomplete`` (an HTML
  autocomplete token), ``x-inputmode``, ``x-not-future: true`` (a date that cannot be after today, a
  birth date) and ``x-prefill``: the ordered sources the field can be filled from (``PREFILL_SOURCES``);
  a ``boolean`` is one checkbox, and a required one (a commitment, cam đoan) must be ticked.

Posted strings become typed data with ``coerce`` (an empty answer is absent; what cannot be converted
is kept as typed so that ``validate`` explains it); ``validate`` gives one Vietnamese message per field
path; ``prefill`` fills what the citizen's identity, the population database and earlier dossiers
know; ``catalogue.eform_render.fields`` describes each field for ``catalogue/eform/_fields.html``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from motcua.core.text import fold

DRAFT = "https://json-schema.org/draft/2020-12/schema"
LOCAL_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")

# The contract with the online submission: where a field's value can come from, in the order given by
# the field's ``x-prefill``. ``previous``: what the citizen gave for the same field path in an earlier
# dossier.
PREFILL_SOURCES: dict[str, str] = {
    "identity.full_name": "họ, chữ đệm và tên trong tài khoản định danh điện tử",
    "identity.birth_date": "ngày sinh trong tài khoản định danh điện tử",
    "identity.gender": "giới tính trong tài khoản định danh điện tử",
    "identity.citizen_id": "số định danh cá nhân trong tài khoản định danh điện tử",
    "identity.phone": "số điện thoại trong tài khoản định danh điện tử",
    "identity.email": "thư điện tử trong tài khoản định danh điện tử",
    "identity.address": "địa chỉ trong tài khoản định danh điện tử",
    "population.permanent_address": "nơi thường trú trong Cơ sở dữ liệu quốc gia về dân cư",
    "population.current_address": "nơi ở hiện tại trong Cơ sở dữ liệu quốc gia về dân cư",
    "population.birth_place": "nơi sinh trong Cơ sở dữ liệu quốc gia về dân cư",
    "population.hometown": "quê quán trong Cơ sở dữ liệu quốc gia về dân cư",
    "population.ethnicity": "dân tộc trong Cơ sở dữ liệu quốc gia về dân cư",
    "population.nationality": "quốc tịch trong Cơ sở dữ liệu quốc gia về dân cư",
    "previous": "hồ sơ bạn đã nộp trước đây",
}
# Where a group of sources comes from, for the hint beside a prefilled field.
SOURCE_ORIGINS = {
    "identity": "tài khoản định danh điện tử",
    "population": "Cơ sở dữ liệu quốc gia về dân cư",
    "previous": "hồ sơ đã nộp trước đây",
}

# HTML autocomplete tokens a field may name (WHATWG "autofill field names" that fit a declaration).
AUTOCOMPLETE_TOKENS = frozenset(
    {
        "off",
        "on",
        "name",
        "honorific-prefix",
        "given-name",
        "additional-name",
        "family-name",
        "nickname",
        "organization-title",
        "organization",
        "street-address",
        "address-line1",
        "address-line2",
        "address-line3",
        "address-level1",
        "address-level2",
        "address-level3",
        "address-level4",
        "country",
        "country-name",
        "postal-code",
        "bday",
        "bday-day",
        "bday-month",
        "bday-year",
        "sex",
        "tel",
        "tel-national",
        "email",
        "url",
        "language",
    }
)
INPUT_MODES = frozenset({"numeric", "decimal", "tel", "email", "text"})
FIELD_TYPES = ("string", "integer", "number", "boolean")
FORMATS = ("date", "email")

ROOT_KEYWORDS = frozenset(
    {"$schema", "$id", "type", "title", "description", "properties", "required", "x-order"}
)
SECTION_KEYWORDS = frozenset({"type", "title", "description", "properties", "required", "x-order"})
FIELD_KEYWORDS = frozenset(
    {
        "type",
        "title",
        "description",
        "format",
        "enum",
        "x-enum-labels",
        "minLength",
        "maxLength",
        "pattern",
        "x-pattern-message",
        "minimum",
        "maximum",
        "x-widget",
        "x-autocomplete",
        "x-inputmode",
        "x-prefill",
        "x-not-future",
    }
)
NAME = re.compile(r"[a-z][a-z0-9_]{0,62}")
# Enumerations of at most this many values are radio buttons, longer ones a list to choose from.
RADIO_MAX = 5

# ---------------------------------------------------------------------------------------------
# Reading a schema


def _properties(node: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """A node's properties in the order to show them: ``x-order`` first, then the others as written."""
    props = node.get("properties")
    if not isinstance(props, dict):
        return []
    order = node.get("x-order")
    names = [n for n in order if isinstance(n, str) and n in props] if isinstance(order, list) else []
    names += [n for n in props if n not in names]
    return [(n, props[n]) for n in names if isinstance(props[n], dict)]


def _required(node: Mapping[str, Any]) -> set[str]:
    required = node.get("required")
    return {r for r in required if isinstance(r, str)} if isinstance(required, list) else set()


def _is_section(spec: Mapping[str, Any]) -> bool:
    return spec.get("type") == "object"


@dataclass(frozen=True)
class FieldSpec:
    """One field of a schema, by its path."""

    path: str
    spec: dict[str, Any]
    required: bool
    section: str  # the section's name, "" at the root

    @property
    def label(self) -> str:
        return str(self.spec.get("title") or self.path)

    @property
    def prefill(self) -> tuple[str, ...]:
        sources = self.spec.get("x-prefill")
        return tuple(s for s in sources if isinstance(s, str)) if isinstance(sources, list) else ()


def field_specs(schema: Mapping[str, Any]) -> list[FieldSpec]:
    """Every field of ``schema`` in display order (sections' fields in place of the section)."""
    out: list[FieldSpec] = []
    required = _required(schema)
    for name, spec in _properties(schema):
        if _is_section(spec):
            inner = _required(spec)
            section_required = name in required
            for child, child_spec in _properties(spec):
                if not _is_section(child_spec):
                    out.append(
                        FieldSpec(f"{name}.{child}", child_spec, section_required and child in inner, name)
                    )
        else:
            out.append(FieldSpec(name, spec, name in required, ""))
    return out


# ---------------------------------------------------------------------------------------------
# check_schema


def check_schema(schema: Any) -> list[str]:
    """Every problem of ``schema`` as an e-form, in Vietnamese; empty when it can be used."""
    if not isinstance(schema, dict):
        return ["Biểu mẫu điện tử phải là một đối tượng JSON (JSON Schema)."]
    from jsonschema import Draft202012Validator  # imported on use: ~0.1 s that every process would pay
    from jsonschema.exceptions import SchemaError

    problems: list[str] = []
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        where = "/".join(str(p) for p in exc.path) or "gốc"
        problems.append(
            f"Không phải JSON Schema hợp lệ (bản 2020-12): từ khóa “{exc.validator}” tại “{where}” sai."
        )
    if "$schema" in schema and schema["$schema"] != DRAFT:
        problems.append(f"Chỉ dùng JSON Schema bản 2020-12 (“$schema”: “{DRAFT}”).")
    if schema.get("type") != "object":
        problems.append("Biểu mẫu điện tử phải có “type”: “object” ở gốc.")
    problems += _unknown_keywords(schema, ROOT_KEYWORDS, "gốc biểu mẫu")
    if not isinstance(schema.get("title"), str) or not schema["title"].strip():
        problems.append("Biểu mẫu điện tử cần tên (“title”).")
    problems += _check_node(schema, "", top=True)
    return problems


def _unknown_keywords(node: Mapping[str, Any], allowed: frozenset[str], where: str) -> list[str]:
    unknown = sorted(k for k in node if k not in allowed)
    if not unknown:
        return []
    return [f"{where}: không hỗ trợ từ khóa {', '.join(f'“{k}”' for k in unknown)}."]


def _check_node(node: Mapping[str, Any], prefix: str, *, top: bool) -> list[str]:
    problems: list[str] = []
    where = f"mục “{prefix}”" if prefix else "gốc biểu mẫu"
    props = node.get("properties")
    if not isinstance(props, dict) or not props:
        return [*problems, f"{where}: cần ít nhất một trường trong “properties”."]
    required = node.get("required", [])
    if not isinstance(required, list) or not all(isinstance(r, str) for r in required):
        problems.append(f"{where}: “required” phải là danh sách tên trường.")
    else:
        for name in required:
            if name not in props:
                problems.append(f"{where}: trường bắt buộc “{name}” không có trong “properties”.")
        if len(set(required)) != len(required):
            problems.append(f"{where}: “required” ghi trùng tên trường.")
    order = node.get("x-order")
    if order is not None:
        if not isinstance(order, list) or not all(isinstance(n, str) for n in order):
            problems.append(f"{where}: “x-order” phải là danh sách tên trường.")
        else:
            for name in order:
                if name not in props:
                    problems.append(f"{where}: “x-order” nêu trường “{name}” không có trong “properties”.")
            if len(set(order)) != len(order):
                problems.append(f"{where}: “x-order” ghi trùng tên trường.")
    for name, spec in props.items():
        path = f"{prefix}.{name}" if prefix else name
        if not NAME.fullmatch(name):
            problems.append(
                f"Tên trường “{path}” chỉ gồm chữ thường không dấu, chữ số và dấu gạch dưới, "
                "bắt đầu bằng chữ (ví dụ “ho_ten”)."
            )
        if not isinstance(spec, dict):
            problems.append(f"Trường “{path}” phải là một đối tượng JSON.")
            continue
        if _is_section(spec):
            if not top:
                problems.append(f"Mục “{path}”: chỉ hỗ trợ một cấp mục lồng nhau.")
                continue
            problems += _unknown_keywords(spec, SECTION_KEYWORDS, f"Mục “{path}”")
            if not isinstance(spec.get("title"), str) or not spec["title"].strip():
                problems.append(f"Mục “{path}” cần tiêu đề (“title”).")
            problems += _check_node(spec, path, top=False)
        else:
            problems += _check_field(path, spec)
    return problems


def _check_field(path: str, spec: Mapping[str, Any]) -> list[str]:
    where = f"Trường “{path}”"
    problems = _unknown_keywords(spec, FIELD_KEYWORDS, where)
    kind = spec.get("type")
    if kind not in FIELD_TYPES:
        problems.append(
            f"{where}: kiểu “{kind}” không được hỗ trợ (chỉ string, integer, number, boolean hoặc object)."
        )
        return problems
    if not isinstance(spec.get("title"), str) or not spec["title"].strip():
        problems.append(f"{where} cần nhãn (“title”).")
    if "description" in spec and not isinstance(spec["description"], str):
        problems.append(f"{where}: “description” phải là chuỗi.")
    string_only = ("format", "minLength", "maxLength", "pattern", "x-pattern-message", "x-widget")
    for key in string_only:
        if key in spec and kind != "string":
            problems.append(f"{where}: “{key}” chỉ dùng cho trường kiểu string.")
    for key in ("minimum", "maximum"):
        if key in spec and kind not in ("integer", "number"):
            problems.append(f"{where}: “{key}” chỉ dùng cho trường kiểu số.")
    if "format" in spec and spec["format"] not in FORMATS:
        problems.append(f"{where}: định dạng “{spec['format']}” không được hỗ trợ (chỉ date, email).")
    if "pattern" in spec:
        pattern = spec["pattern"]
        try:
            re.compile(str(pattern))
        except re.error:
            problems.append(f"{where}: mẫu “pattern” không phải biểu thức chính quy hợp lệ.")
        message = spec.get("x-pattern-message")
        if not isinstance(message, str) or not message.strip():
            problems.append(
                f"{where}: trường có “pattern” cần thông báo lỗi tiếng Việt (“x-pattern-message”)."
            )
    elif "x-pattern-message" in spec:
        problems.append(f"{where}: “x-pattern-message” chỉ dùng cùng “pattern”.")
    if "x-widget" in spec and spec["x-widget"] != "textarea":
        problems.append(f"{where}: “x-widget” chỉ nhận giá trị “textarea”.")
    problems += _check_enum(where, spec, kind)
    auto = spec.get("x-autocomplete")
    if auto is not None and auto not in AUTOCOMPLETE_TOKENS:
        problems.append(f"{where}: “x-autocomplete” “{auto}” không phải giá trị autocomplete của HTML.")
    mode = spec.get("x-inputmode")
    if mode is not None and mode not in INPUT_MODES:
        problems.append(f"{where}: “x-inputmode” “{mode}” không được hỗ trợ.")
    if "x-not-future" in spec:
        if not isinstance(spec["x-not-future"], bool):
            problems.append(f"{where}: “x-not-future” phải là true hoặc false.")
        elif spec.get("format") != "date":
            problems.append(f"{where}: “x-not-future” chỉ dùng cho trường ngày (“format”: “date”).")
    problems += _check_prefill(where, spec.get("x-prefill"))
    return problems


def _check_enum(where: str, spec: Mapping[str, Any], kind: str) -> list[str]:
    problems: list[str] = []
    enum = spec.get("enum")
    labels = spec.get("x-enum-labels")
    if enum is None:
        if labels is not None:
            problems.append(f"{where}: “x-enum-labels” chỉ dùng cùng “enum”.")
        return problems
    if kind == "boolean":
        return [f"{where}: trường có/không không dùng “enum”."]
    if not isinstance(enum, list) or not enum:
        return [f"{where}: “enum” phải là danh sách giá trị."]
    if len({str(v) for v in enum}) != len(enum):
        problems.append(f"{where}: “enum” có giá trị trùng nhau.")
    if labels is not None and (
        not isinstance(labels, list)
        or len(labels) != len(enum)
        or not all(isinstance(x, str) and x.strip() for x in labels)
    ):
        problems.append(f"{where}: “x-enum-labels” phải có đúng một nhãn cho mỗi giá trị của “enum”.")
    return problems


def _check_prefill(where: str, sources: Any) -> list[str]:
    if sources is None:
        return []
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        return [f"{where}: “x-prefill” phải là danh sách nguồn dữ liệu."]
    problems = [
        f"{where}: nguồn điền sẵn “{s}” không có (các nguồn: {', '.join(PREFILL_SOURCES)})."
        for s in sources
        if s not in PREFILL_SOURCES
    ]
    if len(set(sources)) != len(sources):
        problems.append(f"{where}: “x-prefill” ghi trùng nguồn.")
    return problems


# ---------------------------------------------------------------------------------------------
# coerce: posted strings → typed data


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ISO_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DMY = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")
_PLAIN_NUMBER = re.compile(r"[+-]?\d{1,30}(?:\.\d{1,30})?")
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+")  # 1.000.000 (Vietnamese thousands)
_TRUE = frozenset({"true", "on", "1", "co", "yes", "x"})
_FALSE = frozenset({"false", "off", "0", "khong", "no"})


def _clean_text(raw: str, *, multiline: bool) -> str:
    text = _CONTROL.sub("", unicodedata.normalize("NFC", raw))
    if multiline:
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        return "\n".join(line.rstrip() for line in lines).strip()
    return " ".join(text.split())


def parse_day(text: str) -> date | None:
    """A day written as ISO (``2024-03-25``, what ``<input type="date">`` sends) or dd/mm/yyyy."""
    text = text.strip()
    found = _ISO_DAY.fullmatch(text)
    if found:
        year, month, day = (int(g) for g in found.groups())
    else:
        found = _DMY.fullmatch(text)
        if not found:
            return None
        day, month, year = (int(g) for g in found.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _parse_number(text: str) -> Decimal | None:
    """A number as people write it in Vietnam: ``1.000.000``, ``2,5``, ``1.234,5``; or ``2.5``."""
    compact = text.replace(" ", "").replace("\u00a0", "")
    if "," in compact:
        compact = compact.replace(".", "").replace(",", ".")
    elif _GROUPED.fullmatch(compact):
        compact = compact.replace(".", "")
    if not _PLAIN_NUMBER.fullmatch(compact):
        return None
    try:
        return Decimal(compact)
    except InvalidOperation:
        return None


def _choice(spec: Mapping[str, Any], text: str) -> Any:
    """An enum value from what was posted: the value itself, or its label or value without diacritics."""
    enum = spec.get("enum")
    if not isinstance(enum, list):
        return text
    for value in enum:
        if str(value) == text:
            return value
    labels = spec.get("x-enum-labels")
    names = labels if isinstance(labels, list) and len(labels) == len(enum) else [None] * len(enum)
    folded = fold(text)
    for value, label in zip(enum, names, strict=True):
        if folded and (folded == fold(str(value)) or (isinstance(label, str) and folded == fold(label))):
            return value
    return text


def coerce_value(spec: Mapping[str, Any], raw: str) -> Any:
    """One posted string as the field's type; ``None`` when empty; kept as typed when it cannot be
    converted (``validate`` then says why)."""
    kind = spec.get("type")
    text = _clean_text(raw, multiline=spec.get("x-widget") == "textarea")
    if not text:
        return None
    if kind == "boolean":
        folded = fold(text)
        if folded in _TRUE:
            return True
        if folded in _FALSE:
            return False
        return text
    if kind in ("integer", "number"):
        number = _parse_number(text)
        if number is None:
            return text
        if kind == "integer" or "enum" in spec:
            if number != number.to_integral_value():
                return text
            value: Any = int(number)
        else:
            value = int(number) if number == number.to_integral_value() else float(number)
        return _choice(spec, str(value)) if "enum" in spec else value
    if spec.get("format") == "date":
        day = parse_day(text)
        return day.isoformat() if day else text
    if "enum" in spec:
        return _choice(spec, text)
    return text


def coerce(schema: Mapping[str, Any], posted: Mapping[str, str]) -> dict[str, Any]:
    """The posted form (field path → string) as typed, nested data. Empty answers are left out; an
    optional section with no answer is left out, a required one stays (empty) so its fields are asked."""
    data: dict[str, Any] = {}
    required = _required(schema)
    for name, spec in _properties(schema):
        if _is_section(spec):
            inner: dict[str, Any] = {}
            for child, child_spec in _properties(spec):
                if _is_section(child_spec):
                    continue
                value = _posted(posted, f"{name}.{child}", child_spec)
                if value is not None:
                    inner[child] = value
            if inner or name in required:
                data[name] = inner
        else:
            value = _posted(posted, name, spec)
            if value is not None:
                data[name] = value
    return data


def _posted(posted: Mapping[str, str], path: str, spec: Mapping[str, Any]) -> Any:
    raw = posted.get(path)
    if raw is None:
        return None
    return coerce_value(spec, raw if isinstance(raw, str) else str(raw))


# ---------------------------------------------------------------------------------------------
# validate: data → one Vietnamese message per field


def _lower_first(label: str) -> str:
    if len(label) >= 2 and label[0].isupper() and label[1].islower():
        return label[0].lower() + label[1:]
    return label


def _number_text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, int) or value == int(value):
        return f"{int(value):,}".replace(",", ".")
    return str(value).replace(".", ",")


def day_text(iso: str) -> str:
    """``2024-03-25`` → ``25/03/2024`` (anything else unchanged)."""
    day = parse_day(iso) if _ISO_DAY.fullmatch(iso.strip()) else None
    return f"{day:%d/%m/%Y}" if day else iso


def today_local() -> date:
    return datetime.now(LOCAL_ZONE).date()


def _kind(spec: Mapping[str, Any]) -> str:
    kind = spec.get("type")
    if kind == "boolean":
        return "checkbox"
    if isinstance(spec.get("enum"), list):
        return "radio" if len(spec["enum"]) <= RADIO_MAX else "select"
    if kind in ("integer", "number"):
        return str(kind)
    if spec.get("format") == "date":
        return "date"
    if spec.get("format") == "email":
        return "email"
    if spec.get("x-widget") == "textarea":
        return "textarea"
    return "text"


def _required_message(spec: Mapping[str, Any], label: str) -> str:
    kind = _kind(spec)
    if kind == "checkbox":
        return f"Vui lòng đánh dấu ô “{label}”."
    if kind in ("radio", "select"):
        return f"Vui lòng chọn {_lower_first(label)}."
    return f"Vui lòng nhập {_lower_first(label)}."


def _message(validator: str, spec: Mapping[str, Any], label: str, instance: Any) -> str:
    if validator == "type":
        kind = spec.get("type")
        if kind == "integer":
            return f"{label} phải là số nguyên (chỉ gồm chữ số)."
        if kind == "number":
            return f"{label} phải là số, ví dụ 1.500.000 hoặc 2,5."
        if kind == "boolean":
            return f"{label}: chỉ đánh dấu hoặc bỏ đánh dấu."
        if kind == "object":
            return f"Thông tin “{label}” không hợp lệ."
        return f"{label} không hợp lệ."
    if validator == "minLength":
        least = int(spec.get("minLength", 0))
        if least <= 1:
            return _required_message(spec, label)
        return f"{label} phải có ít nhất {least} ký tự."
    if validator == "maxLength":
        length = len(instance) if isinstance(instance, str) else 0
        return f"{label} không được dài quá {spec.get('maxLength')} ký tự (đang có {length} ký tự)."
    if validator == "pattern":
        return str(spec.get("x-pattern-message") or f"{label} không đúng định dạng.")
    if validator == "enum":
        return f"Vui lòng chọn {_lower_first(label)} trong danh sách."
    if validator == "format":
        if spec.get("format") == "date":
            return f"{label} không phải ngày hợp lệ; ghi theo dạng ngày/tháng/năm, ví dụ 25/03/2024."
        return f"{label} không phải địa chỉ thư điện tử hợp lệ, ví dụ ten@example.vn."
    if validator in ("minimum", "exclusiveMinimum"):
        return f"{label} phải từ {_number_text(spec.get('minimum'))} trở lên."
    if validator in ("maximum", "exclusiveMaximum"):
        return f"{label} không được lớn hơn {_number_text(spec.get('maximum'))}."
    return f"{label} không hợp lệ."


# The order in which problems of one field are worth telling: the first found is the one shown.
_PRIORITY = {"required": 0, "type": 1, "enum": 2, "format": 3, "minLength": 4, "maxLength": 5, "pattern": 6}


def _nodes(schema: Mapping[str, Any]) -> dict[str, tuple[dict[str, Any], str]]:
    """Every field and section by path, with its label."""
    out: dict[str, tuple[dict[str, Any], str]] = {}
    for name, spec in _properties(schema):
        out[name] = (spec, str(spec.get("title") or name))
        if _is_section(spec):
            for child, child_spec in _properties(spec):
                out[f"{name}.{child}"] = (child_spec, str(child_spec.get("title") or child))
    return out


def validate(schema: Mapping[str, Any], data: Any, *, today: date | None = None) -> dict[str, str]:
    """Field path → one message in Vietnamese, for every field whose answer is wrong or missing.

    Checks the schema's rules with jsonschema and its format checker (required, type, length, pattern,
    choices, dates, e-mail, minimum and maximum), then ``x-not-future`` dates against ``today`` (the day
    in Việt Nam by default). Never raises for any data; a problem with no field is under ``""``.
    """
    from jsonschema import Draft202012Validator, FormatChecker

    nodes = _nodes(schema)
    found: list[tuple[int, str, str]] = []
    try:
        validator = Draft202012Validator(dict(schema), format_checker=FormatChecker())
        errors = list(validator.iter_errors(data))
    except Exception:  # an unusable schema (``check_schema`` refuses it): say so instead of failing
        return {"": "Biểu mẫu điện tử của thủ tục không dùng được; vui lòng liên hệ Bộ phận Một cửa."}
    for error in errors:
        parent = ".".join(str(p) for p in error.absolute_path)
        if error.validator == "required":
            present = error.instance if isinstance(error.instance, dict) else {}
            for name in error.validator_value:
                if name in present:
                    continue
                path = f"{parent}.{name}" if parent else str(name)
                found += _missing(nodes, path)
            continue
        node = nodes.get(parent)
        if node is None:
            found.append((9, parent, "Thông tin không hợp lệ."))
            continue
        spec, label = node
        found.append(
            (
                _PRIORITY.get(str(error.validator), 8),
                parent,
                _message(str(error.validator), spec, label, error.instance),
            )
        )
    messages: dict[str, str] = {}
    for _, path, message in sorted(found, key=lambda item: item[0]):
        messages.setdefault(path, message)
    day = today or today_local()
    for path, (spec, label) in nodes.items():
        if path in messages:
            continue
        if spec.get("type") == "boolean" and _lookup(data, path) is False and _is_required(schema, path):
            # a required yes/no is one checkbox (a commitment): it must be ticked
            messages[path] = _required_message(spec, label)
        if spec.get("x-not-future") is True:
            value = _lookup(data, path)
            if isinstance(value, str):
                when = parse_day(value) if _ISO_DAY.fullmatch(value) else None
                if when is not None and when > day:
                    messages[path] = f"{label} không được sau ngày hôm nay ({day:%d/%m/%Y})."
    return messages


def _is_required(schema: Mapping[str, Any], path: str) -> bool:
    """Whether the field at ``path`` is required where it is (its section, or the root)."""
    *parents, name = path.split(".")
    node: Any = schema
    for part in parents:
        node = node.get("properties", {}).get(part) if isinstance(node, Mapping) else None
    return isinstance(node, Mapping) and name in _required(node)


def _missing(nodes: Mapping[str, tuple[dict[str, Any], str]], path: str) -> list[tuple[int, str, str]]:
    node = nodes.get(path)
    if node is None:
        return [(0, path, "Vui lòng nhập thông tin còn thiếu.")]
    spec, label = node
    if not _is_section(spec):
        return [(0, path, _required_message(spec, label))]
    inner = _required(spec)
    return [
        (0, f"{path}.{name}", _required_message(child, str(child.get("title") or name)))
        for name, child in _properties(spec)
        if name in inner and not _is_section(child)
    ]


def _lookup(data: Any, path: str) -> Any:
    value = data
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _put(data: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    target = data
    for part in parts[:-1]:
        inner = target.get(part)
        if not isinstance(inner, dict):
            inner = {}
            target[part] = inner
        target = inner
    target[parts[-1]] = value


# ---------------------------------------------------------------------------------------------
# prefill


def _acceptable(spec: Mapping[str, Any], value: Any, today: date) -> bool:
    """Whether ``value`` is a valid answer to the field on its own (a source may hold bad data)."""
    probe = {"type": "object", "properties": {"v": dict(spec)}, "required": ["v"]}
    messages = validate(probe, {"v": value}, today=today)
    return not messages


def _as_answer(spec: Mapping[str, Any], raw: Any) -> Any:
    if raw is None:
        return None
    if isinstance(raw, datetime):
        raw = raw.date()
    if isinstance(raw, date):
        raw = raw.isoformat()
    if isinstance(raw, bool):
        return raw if spec.get("type") == "boolean" else None
    if isinstance(raw, int | float | Decimal) and spec.get("type") in ("integer", "number"):
        number = Decimal(str(raw))
        if spec.get("type") == "integer" and number != number.to_integral_value():
            return None
        value: Any = int(number) if number == number.to_integral_value() else float(number)
        return _choice(spec, str(value)) if "enum" in spec else value
    if isinstance(raw, str | int | float | Decimal):
        return coerce_value(spec, str(raw))
    return None


def prefill(
    schema: Mapping[str, Any],
    known: Mapping[str, Any],
    previous: Mapping[str, Any],
    *,
    today: date | None = None,
) -> tuple[dict[str, Any], set[str]]:
    """The data the form can start with, and the paths so filled.

    ``known``: the values of the sources (``identity.full_name`` → "Nguyễn Văn An", …) the citizen's
    sign-in and the population database gave; ``previous``: the citizen's answers in an earlier dossier,
    nested as ``coerce`` returns them or flat by path. Each field takes the first of its ``x-prefill``
    sources that holds a valid answer for it (a date or a choice in the field's own form).
    """
    day = today or today_local()
    data: dict[str, Any] = {}
    filled: set[str] = set()
    for item in field_specs(schema):
        for source in item.prefill:
            if source == "previous":
                raw = previous.get(item.path) if item.path in previous else _lookup(previous, item.path)
            else:
                raw = known.get(source)
            value = _as_answer(item.spec, raw)
            if value is None or not _acceptable(item.spec, value, day):
                continue
            _put(data, item.path, value)
            filled.add(item.path)
            break
    return data, filled
