"""Vietnamese wording of pydantic validation errors, for the API, importers and forms; the range of
days a filter may name."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, Field
from pydantic_core import ErrorDetails

# Vietnamese wording of pydantic's error types (the rest fall back to a generic sentence).
_MESSAGES: dict[str, str] = {
    "missing": "Thiếu trường bắt buộc.",
    "extra_forbidden": "Trường này không có trong định dạng.",
    "string_type": "Phải là chuỗi ký tự.",
    "string_too_short": "Không được để trống.",
    "string_too_long": "Dài quá {max_length} ký tự.",
    "string_pattern_mismatch": "Không đúng định dạng (mẫu {pattern}).",
    "int_type": "Phải là số nguyên.",
    "int_parsing": "Phải là số nguyên.",
    "int_from_float": "Phải là số nguyên.",
    "decimal_type": "Phải là số.",
    "decimal_parsing": "Phải là số.",
    "decimal_max_digits": "Có quá nhiều chữ số (tối đa {max_digits}).",
    "decimal_max_places": "Tối đa {decimal_places} chữ số thập phân.",
    "decimal_whole_digits": "Phần nguyên có quá nhiều chữ số.",
    "float_parsing": "Phải là số.",
    "bool_type": "Phải là true hoặc false.",
    "bool_parsing": "Phải là true hoặc false.",
    "date_type": "Phải là ngày dạng YYYY-MM-DD.",
    "date_parsing": "Phải là ngày dạng YYYY-MM-DD.",
    "date_from_datetime_parsing": "Phải là ngày dạng YYYY-MM-DD.",
    "date_from_datetime_inexact": "Phải là ngày, không kèm giờ.",
    "list_type": "Phải là danh sách.",
    "dict_type": "Phải là đối tượng (khóa: giá trị).",
    "model_type": "Phải là đối tượng (khóa: giá trị).",
    "model_attributes_type": "Phải là đối tượng (khóa: giá trị).",
    "greater_than": "Phải lớn hơn {gt}.",
    "greater_than_equal": "Không được nhỏ hơn {ge}.",
    "less_than": "Phải nhỏ hơn {lt}.",
    "less_than_equal": "Không được lớn hơn {le}.",
    "none_required": "Phải để trống.",
    "datetime_type": "Phải là thời điểm dạng YYYY-MM-DDTHH:MM.",
    "datetime_parsing": "Phải là thời điểm dạng YYYY-MM-DDTHH:MM.",
    "datetime_from_date_parsing": "Phải là thời điểm dạng YYYY-MM-DDTHH:MM.",
    "enum": "Giá trị không hợp lệ; chọn một trong: {expected}.",
    "json_invalid": "Nội dung không phải JSON hợp lệ.",
}


def vietnamese_message(error: ErrorDetails) -> str:
    """A Vietnamese sentence for one pydantic error."""
    kind = error["type"]
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    if kind == "literal_error":
        expected = str(ctx.get("expected", "")).replace(" or ", " hoặc ")
        return f"Giá trị “{error.get('input')}” không hợp lệ; chọn một trong: {expected}."
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    template = _MESSAGES.get(kind)
    if template is None:
        return f"Giá trị không hợp lệ ({error['msg']})."
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return template


# The days a list filter or a period may name: wide enough for any record, narrow enough that the day
# after the last one (an end-exclusive bound) and every time zone still fit in a ``datetime``.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2100, 12, 31)


def day_in_range(day: date) -> bool:
    return FIRST_DAY <= day <= LAST_DAY


def no_nul(value: str) -> str:
    """PostgreSQL cannot store or even compare a string with the NUL character."""
    if "\x00" in value:
        raise ValueError("Không được chứa ký tự NUL (\\u0000).")
    return value


# A query or path parameter of the API: any text but NUL (an invalid-input error, not a server error).
Text = Annotated[str, AfterValidator(no_nul)]
# A day parameter of the API, within the range above.
Day = Annotated[date, Field(ge=FIRST_DAY, le=LAST_DAY)]
