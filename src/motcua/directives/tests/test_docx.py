"""Plans from Word files, built in the tests with python-docx (no document is kept in the repository)."""

from __future__ import annotations

from datetime import date

import pytest

from motcua.directives.docx_reader import read_docx
from motcua.directives.planparse import PlanError, parse_text, text_rows
from motcua.directives.reading import read_plan
from motcua.directives.tests.factories import SEED, docx_bytes

HEADER = ["Stt", "Tên nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời hạn hoàn thành", "Sản phẩm"]
PARAGRAPHS = [
    "KẾ HOẠCH",
    "THỰC HIỆN CẢI CÁCH HÀNH CHÍNH NĂM 2027",
    "(Kèm theo Kế hoạch số 12/KH-UBND ngày 05/01/2027 của UBND thành phố Hải Phòng)",
]


def test_a_docx_plan_with_merged_section_rows():
    data = docx_bytes(
        [
            HEADER,
            ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)"],
            [
                "I",
                "Cải cách thủ tục",
                "Cải cách thủ tục",
                "Cải cách thủ tục",
                "Cải cách thủ tục",
                "Cải cách thủ tục",
            ],
            [
                "1.",
                "Rà soát thủ tục.\nĐề xuất phương án.",
                "- Sở Tư pháp\n- Sở Nội vụ",
                "Các sở, ban, ngành",
                "Quý II/2027",
                "Báo cáo",
            ],
            ["II", "Điều hành", "Điều hành", "Điều hành", "Điều hành", "Điều hành"],
            ["2.", "Báo cáo định kỳ.", "Văn phòng UBND thành phố", "UBND cấp xã", "Ngày 25 hằng tháng", ""],
        ],
        PARAGRAPHS,
    )
    plan = read_docx(data, "ke-hoach.docx")
    assert (plan.document.number, plan.document.issued_on) == ("12/KH-UBND", date(2027, 1, 5))
    assert plan.document.issuer == "UBND thành phố Hải Phòng"
    first, second = (t.as_dict() for t in plan.tasks)
    assert (first["number"], first["section"], first["section_title"]) == ("1", "I", "Cải cách thủ tục")
    assert first["content"] == "Rà soát thủ tục.\nĐề xuất phương án."
    assert first["lead_units"] == ["Sở Tư pháp", "Sở Nội vụ"] and first["deadline"] == "2027-06-30"
    assert first["place"] == "bảng 1, hàng 4"
    assert (second["section"], second["recurrence"], second["deadline"]) == (
        "II",
        "FREQ=MONTHLY;BYMONTHDAY=25",
        None,
    )


@pytest.mark.skipif(not SEED.is_file(), reason=f"the seed plan is not here ({SEED})")
def test_the_seed_rows_in_a_docx_read_the_same_as_the_text():
    text = SEED.read_text(encoding="utf-8")
    _, rows = text_rows(text)
    header = ["Stt", "Tên nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời hạn hoàn thành", "Sản phẩm"]
    # The lines before the table become the document's paragraphs.
    paragraphs = [line for line in text[: text.index("\tStt")].splitlines() if not line.startswith("\t")]
    data = docx_bytes([header] + [list(r.cells) for r in rows], paragraphs)
    from_docx = read_docx(data)
    from_text = parse_text(text)
    assert len(from_docx.tasks) == 34
    strip = [{k: v for k, v in t.as_dict().items() if k != "place"} for t in from_docx.tasks]
    assert strip == [{k: v for k, v in t.as_dict().items() if k != "place"} for t in from_text.tasks]
    assert from_docx.document == from_text.document


def test_a_second_table_continues_the_first():
    import io

    from docx import Document

    document = Document()
    first = document.add_table(rows=2, cols=6)
    for cell, text in zip(first.rows[0].cells, HEADER, strict=True):
        cell.text = text
    for cell, text in zip(
        first.rows[1].cells, ["1.", "Một", "Sở Tư pháp", "", "Thường xuyên", ""], strict=True
    ):
        cell.text = text
    document.add_paragraph("(trang sau)")
    second = document.add_table(rows=1, cols=6)
    for cell, text in zip(second.rows[0].cells, ["2.", "Hai", "Sở Nội vụ", "", "Năm 2027", ""], strict=True):
        cell.text = text
    buffer = io.BytesIO()
    document.save(buffer)
    plan = read_docx(buffer.getvalue())
    assert [(t.number, t.place) for t in plan.tasks] == [("1", "bảng 1, hàng 2"), ("2", "bảng 2, hàng 1")]


def test_a_docx_without_a_task_table_is_not_a_plan():
    data = docx_bytes([["Họ tên", "Chức vụ"], ["Nguyễn Văn A", "Giám đốc"]], ["QUYẾT ĐỊNH KHEN THƯỞNG"])
    with pytest.raises(PlanError, match="Không tìm thấy bảng nhiệm vụ"):
        read_docx(data, "khen-thuong.docx")


def test_a_bad_row_is_named_by_table_and_row():
    data = docx_bytes(
        [HEADER, ["1.", "Có chủ trì", "Sở Tư pháp", "", "", ""], ["2.", "Không có chủ trì", "", "", "", ""]]
    )
    with pytest.raises(PlanError) as caught:
        read_docx(data, "thieu.docx")
    assert [str(p) for p in caught.value.problems] == [
        "bảng 1, hàng 3: nhiệm vụ số 2 không có cơ quan chủ trì."
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "rỗng"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "tệp .doc cũ"),
        (b"PK\x03\x04 not really a zip", "không đọc được"),
        (b"%PDF-1.4 ...", "không phải tài liệu Word"),
    ],
)
def test_an_unreadable_docx_is_refused_in_vietnamese(data, message):
    with pytest.raises(PlanError, match=message) as caught:
        read_plan(data, "hong.docx")
    assert "hong.docx" in str(caught.value)


def test_other_files_are_refused():
    with pytest.raises(PlanError, match=r"chỉ nhận kế hoạch dạng Word \(\.docx\) hoặc văn bản \(\.txt\)"):
        read_plan(b"a,b", "ke-hoach.csv")
    with pytest.raises(PlanError, match="UTF-8 \\(dòng 2\\)"):
        read_plan("dòng một\n".encode() + "dòng hai".encode("utf-16"), "ke-hoach.txt")
