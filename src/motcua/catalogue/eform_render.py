"""What the template of an e-form renders: each field of a schema (``catalogue.eforms``) with its
answer, its message and where it can be prefilled from, for ``catalogue/eform/_fields.html``. Pure
Python, no Django import (mypy --strict)."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from motcua.catalogue.eforms import (
    SOURCE_ORIGINS,
    _is_section,
    _kind,
    _lookup,
    _number_text,
    _properties,
    _required,
    day_text,
)


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    selected: bool
    id: str


@dataclass(frozen=True)
class Field:
    """One input of the form, ready for ``catalogue/eform/_fields.html``."""

    is_section: ClassVar[bool] = False

    name: str  # the field's path, also the name posted
    label: str
    help: str
    kind: str  # text | textarea | date | email | integer | number | select | radio | checkbox
    required: bool
    value: Any  # as the input shows it: text (ISO for a date), True/False for a checkbox
    error: str
    choices: tuple[Choice, ...]
    autocomplete: str
    maxlength: int | None
    prefill: tuple[str, ...]  # the sources it can be filled from (``x-prefill``)
    prefilled: bool  # filled from one of them for this citizen
    inputmode: str

    @property
    def id(self) -> str:
        return "ef-" + self.name.replace(".", "-")

    @property
    def help_id(self) -> str:
        return f"{self.id}-help"

    @property
    def error_id(self) -> str:
        return f"{self.id}-error"

    @property
    def has_help(self) -> bool:
        return bool(self.help or self.prefilled)

    @property
    def describedby(self) -> str:
        """The ids of the help (with the prefill note) and the error, for ``aria-describedby``."""
        return " ".join(
            x for x, shown in ((self.help_id, self.has_help), (self.error_id, self.error)) if shown
        )

    @property
    def anchor(self) -> str:
        """Where a link to the field's error lands: the input, or the first choice of radio buttons."""
        return self.choices[0].id if self.kind == "radio" and self.choices else self.id

    @property
    def input_type(self) -> str:
        return {"date": "date", "email": "email"}.get(
            self.kind, "tel" if self.autocomplete == "tel" else "text"
        )

    @property
    def origins(self) -> str:
        """Where a prefilled field's value may come from, for people."""
        groups = dict.fromkeys(SOURCE_ORIGINS[s.split(".")[0]] for s in self.prefill)
        return " hoặc ".join(groups)

    @property
    def display(self) -> str:
        """The answer as people read it (dd/mm/yyyy, the choice's label, Có/Không)."""
        if self.kind == "checkbox":
            return "Có" if self.value is True else "Không"
        if self.choices:
            chosen = [c.label for c in self.choices if c.selected]
            return chosen[0] if chosen else str(self.value or "")
        if self.kind == "date" and isinstance(self.value, str):
            return day_text(self.value)
        return str(self.value or "")


@dataclass(frozen=True)
class Section:
    """A group of fields (a fieldset with its legend)."""

    is_section: ClassVar[bool] = True

    name: str
    label: str
    help: str
    required: bool  # an optional section is left empty as a whole when it does not apply
    fields: tuple[Field, ...]

    @property
    def id(self) -> str:
        return "ef-" + self.name


def _shown(kind: str, value: Any) -> Any:
    if kind == "checkbox":
        return value is True
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if kind in ("integer", "number") and isinstance(value, int | float):
        return _number_text(value) if isinstance(value, float) else str(value)
    return str(value)


def _inputmode(spec: Mapping[str, Any], kind: str) -> str:
    mode = spec.get("x-inputmode")
    if isinstance(mode, str):
        return mode
    if kind == "integer":
        return "numeric"
    if kind == "number":
        return "decimal"
    pattern = spec.get("pattern")
    if isinstance(pattern, str) and re.fullmatch(r"\^?(?:\\d|\[0-9\])(?:\{\d+(?:,\d*)?\}|\+)\$?", pattern):
        return "numeric"  # an identity number: digits only
    if spec.get("x-autocomplete") == "tel":
        return "tel"
    return ""


def _field(
    path: str,
    spec: Mapping[str, Any],
    required: bool,
    data: Any,
    errors: Mapping[str, str],
    prefilled: Collection[str],
) -> Field:
    kind = _kind(spec)
    value = _lookup(data, path)
    choices: tuple[Choice, ...] = ()
    if kind in ("radio", "select"):
        enum = spec["enum"]
        labels = spec.get("x-enum-labels")
        names = labels if isinstance(labels, list) and len(labels) == len(enum) else [str(v) for v in enum]
        choices = tuple(
            Choice(
                str(v),
                str(label),
                value is not None and str(value) == str(v),
                f"ef-{path.replace('.', '-')}-{i}",
            )
            for i, (v, label) in enumerate(zip(enum, names, strict=True))
        )
    maxlength = spec.get("maxLength")
    return Field(
        name=path,
        label=str(spec.get("title") or path),
        help=str(spec.get("description") or ""),
        kind=kind,
        required=required,
        value=_shown(kind, value),
        error=errors.get(path, ""),
        choices=choices,
        autocomplete=str(spec.get("x-autocomplete") or ""),
        maxlength=maxlength if isinstance(maxlength, int) and not isinstance(maxlength, bool) else None,
        prefill=tuple(s for s in spec.get("x-prefill") or () if isinstance(s, str)),
        prefilled=path in prefilled,
        inputmode=_inputmode(spec, kind),
    )


def fields(
    schema: Mapping[str, Any],
    data: Any,
    errors: Mapping[str, str],
    *,
    prefilled: Collection[str] = (),
) -> list[Field | Section]:
    """The form's fields and sections in order, with the answers in ``data`` and the messages of
    ``validate`` (``errors``); ``prefilled``: the paths ``prefill`` filled, to say where they came from."""
    out: list[Field | Section] = []
    required = _required(schema)
    for name, spec in _properties(schema):
        if _is_section(spec):
            inner = _required(spec)
            section_required = name in required
            out.append(
                Section(
                    name=name,
                    label=str(spec.get("title") or name),
                    help=str(spec.get("description") or ""),
                    required=section_required,
                    # in an optional section "required" means: required once the section is filled in
                    fields=tuple(
                        _field(f"{name}.{child}", child_spec, child in inner, data, errors, prefilled)
                        for child, child_spec in _properties(spec)
                        if not _is_section(child_spec)
                    ),
                )
            )
        else:
            out.append(_field(name, spec, name in required, data, errors, prefilled))
    return out


def iter_fields(items: Iterable[Field | Section]) -> Iterator[Field]:
    """Every field of ``fields(...)``, sections' fields in place."""
    for item in items:
        if isinstance(item, Section):
            yield from item.fields
        else:
            yield item
