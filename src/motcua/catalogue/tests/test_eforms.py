"""E-forms: a declaration's JSON Schema checked, filled from what is known, read back from a posted form
and explained field by field in Vietnamese (``catalogue.eforms``)."""

from __future__ import annotations

import copy
from datetime import date
from html.parser import HTMLParser

import pytest
from django.template.loader import render_to_string
from hypothesis import given
from hypothesis import strategies as st

from motcua.catalogue import eform_render, eforms
from motcua.catalogue.tests import factories as f

TODAY = date(2026, 11, 27)

BIRTH = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "title": "Tờ khai đăng ký khai sinh",
    "required": ["nguoi_yeu_cau", "tre", "cam_doan"],
    "x-order": ["nguoi_yeu_cau", "tre", "cha", "so_ban_sao", "cam_doan"],
    "properties": {
        "cam_doan": {"type": "boolean", "title": "Tôi cam đoan nội dung khai là đúng sự thật"},
        "so_ban_sao": {"type": "integer", "title": "Số bản sao", "minimum": 0, "maximum": 20},
        "nguoi_yeu_cau": {
            "type": "object",
            "title": "Người yêu cầu",
            "required": ["ho_ten", "so_dinh_danh", "noi_cu_tru"],
            "properties": {
                "ho_ten": {
                    "type": "string",
                    "title": "Họ, chữ đệm, tên",
                    "maxLength": 20,
                    "x-autocomplete": "name",
                    "x-prefill": ["identity.full_name"],
                },
                "so_dinh_danh": {
                    "type": "string",
                    "title": "Số định danh cá nhân",
                    "pattern": "^[0-9]{12}$",
                    "x-pattern-message": "Số định danh cá nhân gồm đúng 12 chữ số.",
                    "x-prefill": ["identity.citizen_id"],
                },
                "noi_cu_tru": {
                    "type": "string",
                    "title": "Nơi cư trú",
                    "description": "Số nhà, đường, xã/phường.",
                    "x-prefill": ["population.current_address", "previous"],
                },
                "email": {"type": "string", "format": "email", "title": "Thư điện tử"},
            },
        },
        "tre": {
            "type": "object",
            "title": "Người được khai sinh",
            "required": ["ngay_sinh", "gioi_tinh"],
            "properties": {
                "ngay_sinh": {"type": "string", "format": "date", "title": "Ngày sinh", "x-not-future": True},
                "gioi_tinh": {
                    "type": "string",
                    "title": "Giới tính",
                    "enum": ["nam", "nu"],
                    "x-enum-labels": ["Nam", "Nữ"],
                    "x-prefill": ["previous"],
                },
                "dan_toc": {
                    "type": "string",
                    "title": "Dân tộc",
                    "enum": ["kinh", "tay", "thai", "muong", "khmer", "hoa"],
                    "x-enum-labels": ["Kinh", "Tày", "Thái", "Mường", "Khmer", "Hoa"],
                },
                "ghi_chu": {"type": "string", "title": "Ghi chú", "x-widget": "textarea"},
            },
        },
        "cha": {
            "type": "object",
            "title": "Cha",
            "required": ["ho_ten", "nam_sinh"],
            "properties": {
                "ho_ten": {"type": "string", "title": "Họ, chữ đệm, tên", "x-prefill": ["previous"]},
                "nam_sinh": {"type": "integer", "title": "Năm sinh", "minimum": 1900, "maximum": 2100},
                "thu_nhap": {"type": "number", "title": "Thu nhập", "minimum": 0},
            },
        },
    },
}


# -- check_schema ------------------------------------------------------------------------------------


def test_a_well_formed_declaration_is_accepted():
    assert eforms.check_schema(BIRTH) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda s: s.update(type="array"), "“type”: “object”"),
        (lambda s: s["properties"].update(anh={"type": "array", "title": "Ảnh"}), "kiểu “array”"),
        (lambda s: s["required"].append("khong_co"), "“khong_co” không có trong “properties”"),
        (lambda s: s["properties"]["tre"]["required"].append("ten"), "“ten” không có trong “properties”"),
        (
            lambda s: s["properties"]["nguoi_yeu_cau"]["properties"]["ho_ten"].update(
                {"x-prefill": ["vneid.name"]}
            ),
            "nguồn điền sẵn “vneid.name” không có",
        ),
        (
            lambda s: s["properties"]["so_ban_sao"].update(oneOf=[{"minimum": 1}]),
            "không hỗ trợ từ khóa “oneOf”",
        ),
        (
            lambda s: s["properties"]["nguoi_yeu_cau"]["properties"]["so_dinh_danh"].pop("x-pattern-message"),
            "cần thông báo lỗi tiếng Việt",
        ),
        (lambda s: s["properties"]["so_ban_sao"].pop("title"), "cần nhãn"),
        (
            lambda s: s["properties"]["tre"]["properties"]["gioi_tinh"].update({"x-enum-labels": ["Nam"]}),
            "đúng một nhãn cho mỗi giá trị",
        ),
        (
            lambda s: s["properties"]["cha"]["properties"].update(
                con={"type": "object", "title": "Con", "properties": {"a": {"type": "string", "title": "A"}}}
            ),
            "chỉ hỗ trợ một cấp mục lồng nhau",
        ),
        (
            lambda s: s["properties"].update(HoTen={"type": "string", "title": "Họ tên"}),
            "chữ thường không dấu",
        ),
        (
            lambda s: s["properties"]["tre"]["properties"]["ghi_chu"].update({"x-autocomplete": "ten"}),
            "không phải giá trị autocomplete",
        ),
        (lambda s: s["properties"]["so_ban_sao"].update(minimum="một"), "Không phải JSON Schema hợp lệ"),
        (
            lambda s: s["properties"]["tre"]["properties"]["ghi_chu"].update({"format": "uri"}),
            "định dạng “uri” không được hỗ trợ",
        ),
    ],
)
def test_problems_are_named_in_vietnamese(change, expected):
    schema = copy.deepcopy(BIRTH)
    change(schema)
    problems = eforms.check_schema(schema)
    assert any(expected in p for p in problems), problems


def test_a_schema_that_is_not_an_object_is_refused_not_an_error():
    assert eforms.check_schema(["không phải"]) == [
        "Biểu mẫu điện tử phải là một đối tượng JSON (JSON Schema)."
    ]


def test_every_e_form_of_the_demo_catalogue_is_accepted():
    schemas = [
        (p["code"], c["name"], c["eform_schema"])
        for p in f.demo_document()["procedures"]
        for v in p["versions"]
        for c in v["components"]
        if c.get("eform_schema") is not None
    ]
    codes = {code for code, _, _ in schemas}
    # every demo procedure offered online with a declaration among its components has its e-form
    assert codes == {
        "1.001193",
        "1.000894",
        "1.000656",
        "1.004873",
        "1.001612",
        "1.009994",
        "1.004222",
        "1.004194",
        "1.002809",
        "2.001583",
    }
    for code, name, schema in schemas:
        assert eforms.check_schema(schema) == [], f"{code} {name}"
        # the identity and the population database fill the requester's identity number
        assert any(s.prefill for s in eforms.field_specs(schema)), f"{code}: nothing can be prefilled"


# -- coerce ------------------------------------------------------------------------------------------


def test_posted_strings_become_typed_data_and_empty_answers_are_absent():
    posted = {
        "nguoi_yeu_cau.ho_ten": "  Nguyễn   Văn An ",
        "nguoi_yeu_cau.so_dinh_danh": "001090000001",
        "nguoi_yeu_cau.noi_cu_tru": "",
        "tre.ngay_sinh": "5/3/2026",
        "tre.gioi_tinh": "Nữ",  # the label, as a screen reader or a pasted answer may send it
        "tre.ghi_chu": "Dòng 1\r\nDòng 2  ",
        "so_ban_sao": "2",
        "cam_doan": "true",
        "cha.ho_ten": "",
        "cha.nam_sinh": "",
    }
    assert eforms.coerce(BIRTH, posted) == {
        "nguoi_yeu_cau": {"ho_ten": "Nguyễn Văn An", "so_dinh_danh": "001090000001"},
        "tre": {"ngay_sinh": "2026-03-05", "gioi_tinh": "nu", "ghi_chu": "Dòng 1\nDòng 2"},
        "so_ban_sao": 2,
        "cam_doan": True,
    }  # the father's section, left empty, is absent: it is optional


def test_numbers_are_read_as_written_in_vietnam():
    spec = {"type": "number", "title": "Thu nhập"}
    assert eforms.coerce_value(spec, "1.500.000") == 1500000
    assert eforms.coerce_value(spec, "2,5") == 2.5
    assert eforms.coerce_value(spec, "1.234,5") == 1234.5
    assert eforms.coerce_value({"type": "integer", "title": "Năm"}, "2,5") == "2,5"  # kept: not whole
    assert eforms.coerce_value({"type": "integer", "title": "Năm"}, "1e9") == "1e9"


def test_what_cannot_be_converted_is_kept_so_the_message_can_explain_it():
    data = eforms.coerce(
        BIRTH, {"tre.ngay_sinh": "31/02/2026", "cha.nam_sinh": "năm mươi", "cha.ho_ten": "A"}
    )
    assert data["tre"]["ngay_sinh"] == "31/02/2026"
    assert data["cha"]["nam_sinh"] == "năm mươi"


# -- validate ----------------------------------------------------------------------------------------


def test_one_clear_message_per_field():
    data = eforms.coerce(
        BIRTH,
        {
            "nguoi_yeu_cau.ho_ten": "Nguyễn Văn An Bình Minh Xuân",  # 28 characters
            "nguoi_yeu_cau.so_dinh_danh": "12345",
            "nguoi_yeu_cau.email": "khong-phai-thu",
            "tre.ngay_sinh": "2026-11-28",  # tomorrow
            "tre.gioi_tinh": "khác",
            "tre.dan_toc": "",
            "so_ban_sao": "25",
            "cha.ho_ten": "Nguyễn Văn Cha",
            "cha.nam_sinh": "1890",
            "cha.thu_nhap": "-1",
        },
    )
    assert eforms.validate(BIRTH, data, today=TODAY) == {
        "nguoi_yeu_cau.ho_ten": "Họ, chữ đệm, tên không được dài quá 20 ký tự (đang có 28 ký tự).",
        "nguoi_yeu_cau.so_dinh_danh": "Số định danh cá nhân gồm đúng 12 chữ số.",
        "nguoi_yeu_cau.noi_cu_tru": "Vui lòng nhập nơi cư trú.",
        "nguoi_yeu_cau.email": "Thư điện tử không phải địa chỉ thư điện tử hợp lệ, ví dụ ten@example.vn.",
        "tre.ngay_sinh": "Ngày sinh không được sau ngày hôm nay (27/11/2026).",
        "tre.gioi_tinh": "Vui lòng chọn giới tính trong danh sách.",
        "so_ban_sao": "Số bản sao không được lớn hơn 20.",
        "cha.nam_sinh": "Năm sinh phải từ 1.900 trở lên.",
        "cha.thu_nhap": "Thu nhập phải từ 0 trở lên.",
        "cam_doan": "Vui lòng đánh dấu ô “Tôi cam đoan nội dung khai là đúng sự thật”.",
    }


def test_a_required_section_left_empty_asks_for_each_of_its_required_fields():
    messages = eforms.validate(BIRTH, eforms.coerce(BIRTH, {"cam_doan": "true"}), today=TODAY)
    assert messages == {
        "nguoi_yeu_cau.ho_ten": "Vui lòng nhập họ, chữ đệm, tên.",
        "nguoi_yeu_cau.so_dinh_danh": "Vui lòng nhập số định danh cá nhân.",
        "nguoi_yeu_cau.noi_cu_tru": "Vui lòng nhập nơi cư trú.",
        "tre.ngay_sinh": "Vui lòng nhập ngày sinh.",
        "tre.gioi_tinh": "Vui lòng chọn giới tính.",
    }


def test_a_required_commitment_must_be_ticked_not_just_answered():
    data = eforms.coerce(BIRTH, {"cam_doan": "false"})
    assert data["cam_doan"] is False
    message = eforms.validate(BIRTH, data, today=TODAY)["cam_doan"]
    assert message == "Vui lòng đánh dấu ô “Tôi cam đoan nội dung khai là đúng sự thật”."


def test_a_started_optional_section_needs_its_required_fields():
    data = eforms.coerce(BIRTH, {"cha.thu_nhap": "5.000.000"})
    messages = eforms.validate(BIRTH, data, today=TODAY)
    assert messages["cha.ho_ten"] == "Vui lòng nhập họ, chữ đệm, tên."
    assert messages["cha.nam_sinh"] == "Vui lòng nhập năm sinh."


def test_wrong_types_and_impossible_dates_are_explained():
    data = eforms.coerce(BIRTH, {"tre.ngay_sinh": "31/02/2026", "cha.ho_ten": "A", "cha.nam_sinh": "năm"})
    messages = eforms.validate(BIRTH, data, today=TODAY)
    assert messages["tre.ngay_sinh"] == (
        "Ngày sinh không phải ngày hợp lệ; ghi theo dạng ngày/tháng/năm, ví dụ 25/03/2024."
    )
    assert messages["cha.nam_sinh"] == "Năm sinh phải là số nguyên (chỉ gồm chữ số)."


def test_a_complete_declaration_has_no_message():
    data = eforms.coerce(
        BIRTH,
        {
            "nguoi_yeu_cau.ho_ten": "Nguyễn Văn An",
            "nguoi_yeu_cau.so_dinh_danh": "001090000001",
            "nguoi_yeu_cau.noi_cu_tru": "Số 1 Trần Phú, phường Thành Đông",
            "tre.ngay_sinh": "27/11/2026",  # today is not in the future
            "tre.gioi_tinh": "nu",
            "cam_doan": "on",
        },
    )
    assert eforms.validate(BIRTH, data, today=TODAY) == {}


def test_data_of_the_wrong_shape_gets_messages_not_an_exception():
    assert eforms.validate(BIRTH, "text", today=TODAY) == {"": "Thông tin không hợp lệ."}
    messages = eforms.validate(BIRTH, {"tre": [1, 2], "cam_doan": True}, today=TODAY)
    assert messages["tre"] == "Thông tin “Người được khai sinh” không hợp lệ."


# -- prefill -----------------------------------------------------------------------------------------


def test_prefill_takes_each_fields_first_source_that_has_a_valid_answer():
    known = {
        "identity.full_name": "Trần Thị Bình",
        "identity.citizen_id": "0010900",  # a bad value from a source is not filled in
        "population.current_address": "",
    }
    previous = {
        "nguoi_yeu_cau": {"noi_cu_tru": "Thôn Đông, xã An Lão"},
        "tre.gioi_tinh": "Nữ",  # flat by path, as a label: read as the choice
        "cha": {"ho_ten": "Lê Văn Cường"},
    }
    data, filled = eforms.prefill(BIRTH, known, previous, today=TODAY)
    assert data == {
        "nguoi_yeu_cau": {"ho_ten": "Trần Thị Bình", "noi_cu_tru": "Thôn Đông, xã An Lão"},
        "tre": {"gioi_tinh": "nu"},
        "cha": {"ho_ten": "Lê Văn Cường"},
    }
    assert filled == {"nguoi_yeu_cau.ho_ten", "nguoi_yeu_cau.noi_cu_tru", "tre.gioi_tinh", "cha.ho_ten"}


def test_prefill_accepts_dates_and_identity_genders_as_sources_give_them():
    schema = {
        "type": "object",
        "title": "T",
        "properties": {
            "ngay_sinh": {
                "type": "string",
                "format": "date",
                "title": "Ngày sinh",
                "x-prefill": ["identity.birth_date"],
            },
            "gioi_tinh": {
                "type": "string",
                "title": "Giới tính",
                "enum": ["nam", "nu"],
                "x-enum-labels": ["Nam", "Nữ"],
                "x-prefill": ["identity.gender"],
            },
        },
    }
    data, _ = eforms.prefill(schema, {"identity.birth_date": date(1990, 5, 1), "identity.gender": "NỮ"}, {})
    assert data == {"ngay_sinh": "1990-05-01", "gioi_tinh": "nu"}


# -- fields and the accessible rendering -------------------------------------------------------------


def test_fields_describe_what_the_template_renders():
    data = eforms.coerce(BIRTH, {"tre.ngay_sinh": "05/03/2026", "nguoi_yeu_cau.so_dinh_danh": "123"})
    errors = eforms.validate(BIRTH, data, today=TODAY)
    items = eform_render.fields(BIRTH, data, errors, prefilled={"nguoi_yeu_cau.ho_ten"})
    assert [i.name for i in items] == ["nguoi_yeu_cau", "tre", "cha", "so_ban_sao", "cam_doan"]  # x-order
    requester, child, father = items[0], items[1], items[2]
    assert requester.is_section and requester.required and not father.required
    name, number = requester.fields[0], requester.fields[1]
    assert (name.autocomplete, name.maxlength, name.prefilled) == ("name", 20, True)
    assert name.origins == "tài khoản định danh điện tử"
    assert requester.fields[2].origins == "Cơ sở dữ liệu quốc gia về dân cư hoặc hồ sơ đã nộp trước đây"
    assert (
        number.inputmode == "numeric"
        and number.error
        and number.describedby == "ef-nguoi_yeu_cau-so_dinh_danh-error"
    )
    birth = child.fields[0]
    assert (birth.kind, birth.value, birth.display) == ("date", "2026-03-05", "05/03/2026")
    assert child.fields[1].kind == "radio" and child.fields[2].kind == "select"  # 2 choices, 6 choices
    assert child.fields[3].kind == "textarea"
    assert [f.name for f in eform_render.iter_fields(items)][-2:] == ["so_ban_sao", "cam_doan"]


def test_the_include_labels_every_input_and_ties_errors_to_it():
    data = eforms.coerce(BIRTH, {"nguoi_yeu_cau.so_dinh_danh": "123"})
    items = eform_render.fields(BIRTH, data, eforms.validate(BIRTH, data, today=TODAY))
    html = render_to_string("catalogue/eform/_fields.html", {"fields": items})
    # a label for every input, the error linked and flagged
    assert '<label class="form-label" for="ef-nguoi_yeu_cau-so_dinh_danh">Số định danh cá nhân' in html
    assert 'aria-describedby="ef-nguoi_yeu_cau-so_dinh_danh-error"' in html
    assert 'aria-invalid="true"' in html
    assert (
        'id="ef-nguoi_yeu_cau-so_dinh_danh-error"><span class="visually-hidden">Lỗi: </span>Số định danh'
        in html
    )
    # required said in words, sections as fieldsets with their legend
    assert "(bắt buộc)" in html
    assert '<legend class="h6 float-none w-auto px-1 mb-2">Người yêu cầu</legend>' in html
    # dates as date inputs, identity numbers with a numeric keypad, autocomplete tokens
    assert 'type="date" id="ef-tre-ngay_sinh" name="tre.ngay_sinh"' in html
    assert 'inputmode="numeric"' in html and 'autocomplete="name"' in html
    summary = render_to_string("catalogue/eform/_error_summary.html", {"fields": items})
    assert 'href="#ef-nguoi_yeu_cau-so_dinh_danh"' in summary
    assert 'href="#ef-tre-gioi_tinh-0"' in summary  # radio buttons: the first choice


def test_no_error_summary_when_the_form_is_fine():
    items = eform_render.fields(BIRTH, {}, {})
    assert render_to_string("catalogue/eform/_error_summary.html", {"fields": items}).strip() == ""


# -- properties: never an exception, whatever is posted ------------------------------------------------

PATHS = [s.path for s in eforms.field_specs(BIRTH)] + ["tre", "khac", ""]
posted_forms = st.dictionaries(st.sampled_from(PATHS), st.text(max_size=40), max_size=len(PATHS))


@given(posted=posted_forms)
def test_coerce_and_validate_never_raise_on_any_posted_strings(posted):
    data = eforms.coerce(BIRTH, posted)
    messages = eforms.validate(BIRTH, data, today=TODAY)
    known = {s.path for s in eforms.field_specs(BIRTH)} | {"nguoi_yeu_cau", "tre", "cha"}
    assert set(messages) <= known
    assert all(isinstance(m, str) and m for m in messages.values())
    eform_render.fields(BIRTH, data, messages)


def _vietnamese_number(n: int) -> str:
    return f"{n:,}".replace(",", ".")


words = st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệ ", min_size=1, max_size=20)
valid_forms = st.tuples(
    st.fixed_dictionaries(
        {
            "nguoi_yeu_cau.ho_ten": words.filter(str.strip),
            "nguoi_yeu_cau.so_dinh_danh": st.from_regex(r"[0-9]{12}", fullmatch=True),
            "nguoi_yeu_cau.noi_cu_tru": words.filter(str.strip),
            "tre.ngay_sinh": st.dates(min_value=date(1900, 1, 1), max_value=TODAY).flatmap(
                lambda d: st.sampled_from([d.isoformat(), f"{d:%d/%m/%Y}", f"{d.day}/{d.month}/{d.year}"])
            ),
            "tre.gioi_tinh": st.sampled_from(["nam", "nu", "Nam", "Nữ", "NU"]),
            "cam_doan": st.sampled_from(["true", "on", "Có"]),
        },
        optional={
            "tre.dan_toc": st.sampled_from(["kinh", "Tày", "thai", ""]),
            "tre.ghi_chu": st.text(max_size=60),
            "so_ban_sao": st.integers(0, 20).map(str),
        },
    ),
    st.one_of(  # the father: not declared, or declared in full
        st.just({}),
        st.fixed_dictionaries(
            {
                "cha.ho_ten": words.filter(str.strip),
                "cha.nam_sinh": st.integers(1900, 2100).map(_vietnamese_number),
            },
            optional={"cha.thu_nhap": st.integers(0, 10**12).map(_vietnamese_number)},
        ),
    ),
).map(lambda parts: {**parts[0], **parts[1]})


@given(posted=valid_forms)
def test_a_valid_answer_shown_in_the_form_and_posted_again_stays_the_same(posted):
    data = eforms.coerce(BIRTH, posted)
    assert eforms.validate(BIRTH, data, today=TODAY) == {}
    shown = {f.name: f.value for f in eform_render.iter_fields(eform_render.fields(BIRTH, data, {}))}
    again = {k: ("true" if v is True else "" if v is False else str(v)) for k, v in shown.items()}
    assert eforms.coerce(BIRTH, again) == data


@given(
    value=st.one_of(
        st.text(max_size=30),
        st.from_regex(r"[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}", fullmatch=True),
        st.from_regex(r"[+-]?[0-9.,]{1,20}", fullmatch=True),
    )
)
def test_a_single_value_never_raises_for_any_field_type(value):
    for spec in (
        {"type": "string", "format": "date", "title": "Ngày"},
        {"type": "integer", "title": "Số"},
        {"type": "number", "title": "Số"},
        {"type": "boolean", "title": "Có"},
        {"type": "string", "title": "Chọn", "enum": ["a", "b"]},
    ):
        eforms.coerce_value(spec, value)


class _Inputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.inputs: list[dict[str, str | None]] = []
        self.labels: set[str] = set()
        self.ids: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if values.get("id"):
            self.ids.append(str(values["id"]))
        if tag in {"input", "select", "textarea"}:
            self.inputs.append(values)
        if tag == "label" and values.get("for"):
            self.labels.add(str(values["for"]))


def test_every_input_of_every_demo_e_form_has_its_label_and_a_unique_id():
    for p in f.demo_document()["procedures"]:
        for c in p["versions"][0]["components"]:
            if not c.get("eform_schema"):
                continue
            schema = c["eform_schema"]
            html = render_to_string(
                "catalogue/eform/_fields.html", {"fields": eform_render.fields(schema, {}, {})}
            )
            page = _Inputs()
            page.feed(html)
            assert page.inputs, p["code"]
            unlabelled = [i["name"] for i in page.inputs if i.get("id") not in page.labels]
            assert unlabelled == [], f"{p['code']}: {unlabelled}"
            assert len(page.ids) == len(set(page.ids)), p["code"]
            assert {i["name"] for i in page.inputs} == {s.path for s in eforms.field_specs(schema)}
