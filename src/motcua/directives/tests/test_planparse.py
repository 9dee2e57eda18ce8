"""The plan parser (pure): deadlines, agency names, the plain-text table, document lines, errors."""

from __future__ import annotations

from datetime import date

import pytest

from motcua.directives.planparse import DeadlineKind, PlanError, document_info, parse_deadline, parse_text
from motcua.directives.tests.factories import ROWS, plan_text
from motcua.directives.unitnames import Collective, collective_of, name_key, split_compound, split_units

# -- deadlines -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tháng 6/2023", date(2023, 6, 30)),  # a month alone: its last day
        ("Tháng 12/2022", date(2022, 12, 31)),
        ("tháng 02/2024", date(2024, 2, 29)),  # leap year
        ("Tháng 2 năm 2023", date(2023, 2, 28)),
        ("Trước ngày 31/12/2022.", date(2022, 12, 31)),  # "Trước ngày D" means D
        ("Trước 15/3/2027", date(2027, 3, 15)),
        ("31/12/2026", date(2026, 12, 31)),
        ("Ngày 05 tháng 01 năm 2027", date(2027, 1, 5)),
        ("Tháng 12/2022, chậm nhất tháng 03/2023.", date(2023, 3, 31)),  # "X, chậm nhất Y" means Y
        ("Tháng 11/2022, chậm nhất tháng 03/2023", date(2023, 3, 31)),
        ("Quý II/2023", date(2023, 6, 30)),
        ("Quý IV năm 2026", date(2026, 12, 31)),
        ("Quý 1/2027", date(2027, 3, 31)),
        ("6 tháng đầu năm 2024", date(2024, 6, 30)),
        ("Năm 2025", date(2025, 12, 31)),
        ("Trong năm 2026", date(2026, 12, 31)),
        ("Trước tháng 6/2023", date(2023, 5, 31)),  # before June: by the end of May
        ("- Tháng 6/2023: sơ kết\n- Tháng 12/2023: tổng kết", date(2023, 12, 31)),  # the latest date named
    ],
)
def test_deadline_dates(text, expected):
    deadline = parse_deadline(text)
    assert (deadline.date, deadline.recurrence, deadline.kind) == (expected, None, DeadlineKind.DATE)
    assert deadline.text == text.strip()  # always kept as written


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("30/9 hằng năm", "FREQ=YEARLY;BYMONTH=9;BYMONTHDAY=30"),
        ("- 30/9 hằng năm\n- Theo Quyết định của Chủ tịch UBND tỉnh", "FREQ=YEARLY;BYMONTH=9;BYMONTHDAY=30"),
        ("Trước ngày 15/12 hàng năm", "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=15"),
        ("Ngày 15/6 và 15/12 hằng năm", "FREQ=YEARLY;BYMONTH=6,12;BYMONTHDAY=15"),
        ("Ngày 20 tháng 11 hằng năm", "FREQ=YEARLY;BYMONTH=11;BYMONTHDAY=20"),
        ("Tháng 12 hằng năm", "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=-1"),
        ("Hằng năm", "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=31"),
        ("Ngày 25 hằng tháng", "FREQ=MONTHLY;BYMONTHDAY=25"),
        ("Hằng tháng", "FREQ=MONTHLY;BYMONTHDAY=-1"),
        ("Định kỳ hằng quý", "FREQ=YEARLY;BYMONTH=3,6,9,12;BYMONTHDAY=-1"),
        ("Định kỳ 6 tháng", "FREQ=YEARLY;BYMONTH=6,12;BYMONTHDAY=-1"),
    ],
)
def test_recurring_deadlines_give_an_rrule_and_no_date(text, rule):
    deadline = parse_deadline(text)
    assert (deadline.date, deadline.recurrence, deadline.kind) == (None, rule, DeadlineKind.RECURRING)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Thường xuyên", DeadlineKind.ONGOING),
        ("Thường xuyên theo hướng dẫn của cơ quan Trung ương", DeadlineKind.ONGOING),
        ("Theo tiến độ của Đề án 06", DeadlineKind.DEPENDENT),
        ("Theo tiến độ Nghị quyết số 02/NQ-CP", DeadlineKind.DEPENDENT),
        ("Sau khi có hướng dẫn của Văn phòng Chính phủ.", DeadlineKind.DEPENDENT),
        ("Theo yêu cầu của Văn phòng Chính phủ", DeadlineKind.DEPENDENT),
        # A date inside "Theo Quyết định … ngày 20/10/2022" is the decision's date, not a deadline.
        (
            "Theo Quyết định số 2794/QĐ-UBND ngày 20/10/2022 của UBND tỉnh Hải Dương (giai đoạn 2023-2025).",
            DeadlineKind.DEPENDENT,
        ),
        ("Khi có yêu cầu", DeadlineKind.DEPENDENT),
        ("", DeadlineKind.NONE),
        ("Sớm nhất có thể", DeadlineKind.UNPARSED),
        ("15/6 và 20/12 hằng năm", DeadlineKind.UNPARSED),  # two days: not one rule
    ],
)
def test_deadlines_without_a_date(text, kind):
    deadline = parse_deadline(text)
    assert (deadline.date, deadline.recurrence, deadline.kind) == (None, None, kind)


def test_a_day_and_month_without_a_year_take_the_next_one_after_the_document():
    assert parse_deadline("Trước ngày 31/12", reference=date(2022, 12, 7)).date == date(2022, 12, 31)
    assert parse_deadline("Trước ngày 30/6", reference=date(2022, 12, 7)).date == date(2023, 6, 30)
    assert parse_deadline("Trước ngày 30/6").kind == DeadlineKind.UNPARSED  # no document date: unknown


def test_an_impossible_date_is_not_invented():
    assert parse_deadline("31/02/2023").kind == DeadlineKind.UNPARSED


# -- agency names ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "names"),
    [
        ("Các sở, ban, ngành, UBND cấp huyện", ["Các sở, ban, ngành", "UBND cấp huyện"]),
        (
            "Các sở, ban, ngành, UBND cấp huyện, UBND cấp xã.",
            ["Các sở, ban, ngành", "UBND cấp huyện", "UBND cấp xã"],
        ),
        ("- Văn phòng UBND tỉnh.\n- Sở Tư pháp", ["Văn phòng UBND tỉnh", "Sở Tư pháp"]),
        ("Các sở, ban, ngành;\nUBND cấp huyện.", ["Các sở, ban, ngành", "UBND cấp huyện"]),
        (
            "Văn phòng UBND tỉnh; Sở Thông tin và Truyền thông.",
            ["Văn phòng UBND tỉnh", "Sở Thông tin và Truyền thông"],
        ),
        (
            "Sở Kế hoạch và Đầu tư; các sở, ban, ngành, UBND cấp huyện, UBND cấp xã",
            ["Sở Kế hoạch và Đầu tư", "các sở, ban, ngành", "UBND cấp huyện", "UBND cấp xã"],
        ),
        ("Các cơ quan, đơn vị, địa phương có liên quan.", ["Các cơ quan, đơn vị, địa phương có liên quan"]),
        (
            "Đài Phát thanh và Truyền hình tỉnh, Báo Hải Dương và các cơ quan, đơn vị có liên quan",
            ["Đài Phát thanh và Truyền hình tỉnh", "Báo Hải Dương và các cơ quan, đơn vị có liên quan"],
        ),
        ("Sở Văn hóa, Thể thao và Du lịch, Sở TT&TT", ["Sở Văn hóa, Thể thao và Du lịch", "Sở TT&TT"]),
        ("UBND các xã, phường, thị trấn", ["UBND các xã, phường, thị trấn"]),
        ("UBND các huyện, thị xã, thành phố", ["UBND các huyện, thị xã, thành phố"]),
        (
            "Các sở, ban, ngành có dịch vụ công do Bộ chuyên ngành quản lý",
            ["Các sở, ban, ngành có dịch vụ công do Bộ chuyên ngành quản lý"],
        ),
        ("", []),
    ],
)
def test_unit_cells_split_into_names_but_never_inside_a_collective(cell, names):
    assert split_units(cell) == names


@pytest.mark.parametrize(
    ("name", "collective"),
    [
        ("Các sở, ban, ngành", Collective.DEPARTMENTS),
        ("các sở, ngành", Collective.DEPARTMENTS),
        ("Các sở, ban, ngành có dịch vụ công do Bộ chuyên ngành quản lý", Collective.DEPARTMENTS),
        ("UBND cấp huyện", Collective.DISTRICTS),
        ("Ủy ban nhân dân các huyện, thị xã, thành phố", Collective.DISTRICTS),
        ("UBND cấp xã.", Collective.COMMUNES),
        ("UBND các xã, phường, thị trấn", Collective.COMMUNES),
        ("các cơ quan hành chính nhà nước", Collective.ALL),
        ("Các cơ quan liên quan", Collective.RELATED),
        ("Các cơ quan có liên quan", Collective.RELATED),
        ("cơ quan có liên quan", Collective.RELATED),
        ("Các cơ quan, đơn vị, địa phương có liên quan", Collective.RELATED),
        ("Sở Tư pháp", None),
        ("Văn phòng UBND tỉnh", None),
    ],
)
def test_collective_names(name, collective):
    assert collective_of(name) == collective


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Văn phòng UBND tỉnh", "Văn phòng Ủy ban nhân dân thành phố Hải Phòng"),
        ("VP UBND", "Văn phòng Ủy ban nhân dân"),
        ("Sở TT&TT", "Sở Thông tin và Truyền thông"),
        ("Sở TT & TT", "Sở Thông tin Truyền thông"),
        ("Sở KH&ĐT", "Sở Kế hoạch và Đầu tư tỉnh Hải Dương"),
        ("Sở NN&MT", "Sở Nông nghiệp và Môi trường thành phố Hải Phòng"),
        ("Sở LĐ-TB&XH", "Sở Lao động - Thương binh và Xã hội"),
        ("TT PVHCC", "Trung tâm Phục vụ hành chính công thành phố Hải Phòng"),
        ("Đài PT-TH tỉnh", "Đài Phát thanh và Truyền hình tỉnh"),
        ("SỞ TƯ PHÁP", "Sở Tư pháp thành phố Hải Phòng"),
    ],
)
def test_abbreviations_and_localities_compare_equal(a, b):
    assert name_key(a) == name_key(b)


def test_a_unit_named_after_its_place_keeps_the_place():
    assert name_key("Thành phố Hải Dương") == "thanh pho hai duong"
    assert name_key("Sở Tư pháp") != name_key("Sở Tài chính")


def test_compound_names_keep_the_named_agency_and_the_collective():
    assert split_compound("Văn phòng UBND tỉnh và các cơ quan liên quan") == (
        "Văn phòng UBND tỉnh",
        Collective.RELATED,
    )
    assert split_compound("Sở Thông tin và Truyền thông") is None


# -- the plain-text table --------------------------------------------------------------------------


def test_a_text_plan_gives_numbered_tasks_grouped_by_section():
    plan = parse_text(plan_text(ROWS))
    assert [(t.section, t.number) for t in plan.tasks] == [
        ("I", "1"),
        ("I", "2"),
        ("II", "3"),
        ("II", "4"),
        ("II", "5"),
    ]
    first = plan.tasks[0].as_dict()
    assert first["section_title"] == "Về cải cách thủ tục hành chính"
    assert first["lead_units"] == ["Sở Tư pháp"] and first["coordinating_units"] == ["Văn phòng UBND tỉnh"]
    assert first["recurrence"] == "FREQ=YEARLY;BYMONTH=9;BYMONTHDAY=30" and first["deadline"] is None
    assert plan.tasks[1].as_dict()["deadline"] == "2027-06-30"
    assert plan.tasks[3].lead_units == ["Văn phòng UBND tỉnh", "Sở Tư pháp"]
    assert plan.document.number == "99/KH-UBND" and plan.document.issued_on == date(2022, 12, 7)
    assert plan.document.issuer == "Chủ tịch UBND tỉnh Hải Dương"
    assert plan.document.title == "Thử nghiệm theo dõi nhiệm vụ của tỉnh Hải Dương"
    assert plan.tasks[2].place.startswith("dòng ")


def test_a_cell_may_hold_a_blank_line_and_prose_after_the_table_is_ignored():
    rows = [("I", "Mục"), ("1.", "Đoạn đầu.\n\nĐoạn sau.", "Sở Tư pháp", "", "Thường xuyên", "Báo cáo")]
    text = plan_text(rows) + "\n\nNơi nhận:\n- Như trên;\n- Lưu: VT.\n"
    plan = parse_text(text)
    assert plan.tasks[0].content == "Đoạn đầu.\nĐoạn sau."
    assert plan.tasks[0].product == "Báo cáo"


def test_a_file_without_a_task_table_is_not_a_plan():
    with pytest.raises(PlanError, match="Không tìm thấy bảng nhiệm vụ"):
        parse_text("QUYẾT ĐỊNH\nVề việc khen thưởng\n\tĐiều 1.\n\tĐiều 2.\n")


def test_a_header_without_tasks_is_refused():
    with pytest.raises(PlanError, match="không có nhiệm vụ nào"):
        parse_text(plan_text([("I", "Chỉ có mục")]))


def test_bad_rows_are_named_by_their_line_and_nothing_is_returned():
    rows = [
        ("I", "Mục"),
        ("1.", "Có nội dung.", "Sở Tư pháp", "", "Thường xuyên", ""),
        ("2.", "Không có cơ quan chủ trì.", "", "", "Thường xuyên", ""),
        ("1.", "Trùng số.", "Sở Tư pháp", "", "Thường xuyên", ""),
        ("a)", "Số thứ tự lạ.", "Sở Tư pháp", "", "Thường xuyên", ""),
    ]
    text = plan_text(rows)
    with pytest.raises(PlanError) as caught:
        parse_text(text)
    places = [p.place for p in caught.value.problems]
    lines = text.splitlines()
    assert len(caught.value.problems) == 3 and all(p.startswith("dòng ") for p in places)
    # The place is the line of the row's first cell.
    for place in places:
        number = int(place.split()[1])
        assert lines[number - 1].startswith("\t")
    messages = " ".join(str(p) for p in caught.value.problems)
    # Every bad row is reported, not only the first.
    assert "không có cơ quan chủ trì" in messages and "trùng" in messages and "“a)”" in messages


def test_document_lines_in_the_official_header_shape():
    text = (
        "ỦY BAN NHÂN DÂN\nTHÀNH PHỐ HẢI PHÒNG\nSố: 145/KH-UBND\n"
        "Hải Phòng, ngày 05 tháng 01 năm 2027\nKẾ HOẠCH\nCải cách hành chính năm 2027\n"
    )
    info = document_info(text)
    assert (info.number, info.issued_on, info.kind, info.title) == (
        "145/KH-UBND",
        date(2027, 1, 5),
        "Kế hoạch",
        "Cải cách hành chính năm 2027",
    )
