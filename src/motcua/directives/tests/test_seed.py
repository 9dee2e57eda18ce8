"""The parser on the real plan: Kế hoạch 3327/KH-UBND (07/12/2022) of the former Hải Dương province,
as the province's site exports it (``../shared/seed``). The expected values were read in the seed."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from motcua.directives.planparse import DeadlineKind, parse_text
from motcua.directives.tests.factories import SEED

pytestmark = pytest.mark.skipif(
    not SEED.is_file(), reason=f"the seed plan is not here ({SEED}); set MOTCUA_SEED_DIR to its folder"
)


@pytest.fixture(scope="module")
def plan():
    return parse_text(SEED.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def tasks(plan):
    return {t.number: t.as_dict() for t in plan.tasks}


def test_the_plan_has_34_tasks_in_sections_i_ii_iii_and_v(plan):
    assert len(plan.tasks) == 34
    assert [t.number for t in plan.tasks] == [str(n) for n in range(1, 35)]
    assert Counter(t.section for t in plan.tasks) == {"I": 5, "II": 18, "III": 7, "V": 4}
    assert plan.tasks[0].section_title.startswith("Về cải cách thủ tục hành chính, cắt giảm quy định")
    assert plan.tasks[-1].section_title == "Các nhiệm vụ khác"


def test_the_document_is_named(plan):
    info = plan.document
    assert (info.kind, info.number, info.issued_on) == ("Kế hoạch", "3327/KH-UBND", date(2022, 12, 7))
    assert info.issuer == "Chủ tịch UBND tỉnh Hải Dương"
    assert info.title.startswith("Triển khai đẩy mạnh cải cách thủ tục hành chính") and info.title.endswith(
        "tỉnh Hải Dương"
    )


def test_task_1_recurs_every_30_september(tasks):
    t = tasks["1"]
    assert t["section"] == "I"
    assert t["content"].startswith("Rà soát, đề xuất phương án đơn giản hóa thủ tục hành chính")
    assert t["lead_units"] == ["Các sở, ban, ngành", "UBND cấp huyện"]
    assert t["coordinating_units"] == ["Văn phòng UBND tỉnh"]
    assert t["deadline_text"] == "- 30/9 hằng năm\n- Theo Quyết định của Chủ tịch UBND tỉnh"
    assert (t["deadline"], t["recurrence"]) == (None, "FREQ=YEARLY;BYMONTH=9;BYMONTHDAY=30")
    assert t["product"] == "Quyết định phê duyệt phương án đơn giản hóa TTHC."


def test_task_2_follows_another_decision(tasks):
    t = tasks["2"]
    assert t["lead_units"] == ["Các sở, ban, ngành", "UBND cấp huyện", "UBND cấp xã"]
    assert t["deadline_text"].startswith("Theo Quyết định số 2794/QĐ-UBND ngày 20/10/2022")
    assert (t["deadline"], t["recurrence"], t["deadline_kind"]) == (None, None, DeadlineKind.DEPENDENT)


def test_task_3_has_two_lead_units_written_as_a_list(tasks):
    t = tasks["3"]
    assert t["content"].startswith("Nâng cao chất lượng thẩm định quy định về thủ tục hành chính")
    assert t["lead_units"] == ["Văn phòng UBND tỉnh", "Sở Tư pháp"]
    assert t["coordinating_units"] == ["Các cơ quan liên quan"]
    assert (t["deadline_text"], t["deadline"], t["recurrence"]) == ("Thường xuyên", None, None)


def test_task_5_coordinating_units_span_two_lines(tasks):
    t = tasks["5"]
    assert t["coordinating_units"] == ["Các sở, ban, ngành", "UBND cấp huyện"]
    assert (
        t["deadline_text"] == "Thường xuyên theo hướng dẫn của cơ quan Trung ương" and t["deadline"] is None
    )


def test_task_7_a_month(tasks):
    t = tasks["7"]
    assert t["section"] == "II"
    assert t["content"].startswith("Hoàn thành đồng bộ danh mục kết quả giải quyết thủ tục hành chính")
    assert (t["lead_units"], t["coordinating_units"]) == (
        ["Sở Thông tin và Truyền thông"],
        ["Văn phòng UBND tỉnh"],
    )
    assert (t["deadline_text"], t["deadline"]) == ("Tháng 12/2022", "2022-12-31")


def test_task_8_before_a_day(tasks):
    t = tasks["8"]
    assert t["lead_units"] == ["Văn phòng UBND tỉnh", "UBND cấp huyện", "UBND cấp xã"]
    assert t["coordinating_units"] == ["Các sở, ban, ngành", "cơ quan có liên quan"]
    assert (t["deadline_text"], t["deadline"]) == ("Trước ngày 31/12/2022.", "2022-12-31")


def test_tasks_12_and_13_at_the_latest(tasks):
    assert (tasks["12"]["deadline_text"], tasks["12"]["deadline"]) == (
        "Tháng 12/2022, chậm nhất tháng 03/2023.",
        "2023-03-31",
    )
    assert tasks["12"]["coordinating_units"] == ["Văn phòng UBND tỉnh và các cơ quan liên quan"]
    assert tasks["13"]["deadline"] == "2023-03-31"
    # Task 13's content is two paragraphs.
    assert (
        tasks["13"]["content"].count("\n") == 1 and "\nHoàn thành kết nối, tích hợp" in tasks["13"]["content"]
    )


def test_task_16_content_holds_a_blank_line(tasks):
    t = tasks["16"]
    assert t["content"].startswith("Đẩy mạnh thực hiện dịch vụ công trực tuyến, thanh toán trực tuyến.")
    assert t["content"].endswith("để khuyến khích người dân, doanh nghiệp tham gia thực hiện.")
    assert t["lead_units"] == ["Các sở, ban, ngành", "UBND cấp huyện", "UBND cấp xã"]


def test_task_27_and_30(tasks):
    assert (tasks["27"]["section"], tasks["27"]["lead_units"], tasks["27"]["deadline"]) == (
        "III",
        ["Văn phòng UBND tỉnh"],
        "2023-06-30",
    )
    t = tasks["30"]
    assert t["lead_units"] == ["Văn phòng UBND tỉnh", "Sở Kế hoạch và Đầu tư"]
    assert t["coordinating_units"] == ["Các sở, ban, ngành", "UBND cấp huyện", "UBND cấp xã"]
    assert (t["deadline_text"], t["deadline"]) == ("Tháng 9/2023", "2023-09-30")


def test_section_v_tasks(tasks):
    t = tasks["32"]
    assert t["section"] == "V"
    assert t["lead_units"] == ["Sở Thông tin và Truyền thông", "các cơ quan hành chính nhà nước"]
    assert t["coordinating_units"] == [
        "Đài Phát thanh và Truyền hình tỉnh",
        "Báo Hải Dương và các cơ quan, đơn vị có liên quan",
    ]
    assert tasks["31"]["deadline_kind"] == DeadlineKind.DEPENDENT
    t = tasks["33"]
    assert t["lead_units"] == ["Sở Tài chính"]
    assert t["coordinating_units"] == [
        "Sở Kế hoạch và Đầu tư",
        "các sở, ban, ngành",
        "UBND cấp huyện",
        "UBND cấp xã",
    ]
    assert tasks["34"]["product"] == "Các văn bản đôn đốc và báo cáo định kỳ"


def test_deadline_kinds_of_the_whole_plan(plan):
    kinds = Counter(t.deadline.kind for t in plan.tasks)
    # Dependent: tasks 2, 4, 14, 20, 22, 23, 24, 31; dates: 7, 8, 12, 13, 27, 30; recurring: 1.
    assert kinds == {
        DeadlineKind.ONGOING: 19,
        DeadlineKind.DEPENDENT: 8,
        DeadlineKind.DATE: 6,
        DeadlineKind.RECURRING: 1,
    }
