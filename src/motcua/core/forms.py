"""The form pieces every staff screen shares: Bootstrap presentation and accessible errors.

``StaffForm`` styles its widgets and marks a field with an error for the eye and for screen readers;
its ``summary()`` feeds the error summary at the top of a page. The templates that go with it are
``core/forms/_field.html`` (one field with its label, help and error) and
``core/forms/_error_summary.html`` (the summary, GOV.UK pattern).
"""

from __future__ import annotations

from typing import Any

from django import forms


class StaffForm(forms.Form):
    """Bootstrap classes on every widget; a field with an error is marked invalid for the eye and for
    screen readers (``aria-invalid``, and ``aria-describedby`` pointing at its message)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()

    def style(self) -> None:
        """Give every field not yet styled its Bootstrap class (call again after adding fields)."""
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput | forms.RadioSelect) or "class" in widget.attrs:
                continue
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs["class"] = "form-check-input"
            elif isinstance(widget, forms.Select):
                widget.attrs["class"] = "form-select form-select-sm"
            else:
                widget.attrs["class"] = "form-control form-control-sm"

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
                widget.attrs["aria-invalid"] = "true"
                widget.attrs["aria-describedby"] = f"{self[name].auto_id}-error"

    def summary(self) -> list[tuple[str, str]]:
        """(anchor, message) pairs for the error summary at the top of the page (GOV.UK pattern)."""
        found: list[tuple[str, str]] = []
        for name, errors in self.errors.items():
            anchor = f"#{self[name].id_for_label}" if name in self.fields else ""
            found.extend((anchor, str(message)) for message in errors)
        return found
