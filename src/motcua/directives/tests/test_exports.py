"""Excel/CSV exports of tasks and progress reports (through ``motcua.exports``), scoped to the owner."""

from __future__ import annotations

import pytest
import time_machine
from django.test import override_settings
from openpyxl import load_workbook

from motcua.core.errors import DomainError
from motcua.directives import services as s
from motcua.directives.tests import factories as f
from motcua.exports import registry
from motcua.exports import services as exports

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(tmp_path):
    with time_machine.travel(f.at(2026, 11, 27, 9), tick=False), override_settings(MEDIA_ROOT=tmp_path):
        world = f.world()
        world.document = f.imported(world)  # type: ignore[attr-defined]
        yield world


def rows(job) -> list[tuple]:
    sheet = load_workbook(job.file.open("rb")).worksheets[0]
    return list(sheet.iter_rows(values_only=True))


def test_both_tables_are_registered():
    assert {"directives.tasks", "directives.reports"} <= set(registry.KINDS)


def test_task_list_export_holds_only_the_owners_tasks_with_their_status(w):
    job = exports.request_export(w.supervisor, "directives.tasks", {"document": "99/KH-UBND"}, "xlsx")
    table = rows(job)
    assert table[0][:5] == ("Văn bản", "Ngày văn bản", "Mục", "Số TT", "Nội dung nhiệm vụ")
    assert [r[3] for r in table[1:]] == ["1", "2", "3", "4", "5"]
    first = dict(zip(table[0], table[1], strict=True))
    assert first["Trạng thái"] == "Đang thực hiện quá hạn"
    assert first["Cơ quan chủ trì"] == "Sở Tư pháp thành phố Hải Phòng (văn bản ghi: Sở Tư pháp)"
    assert first["Định kỳ"] == "ngày 30/9 hằng năm"  # in words, never the rule's code
    mine = exports.request_export(w.outsider, "directives.tasks", {}, "xlsx")
    assert [r[3] for r in rows(mine)[1:]] == ["2", "5"]
    overdue = exports.request_export(w.supervisor, "directives.tasks", {"status": "overdue"}, "csv")
    assert overdue.rows_total == 1


def test_report_export_and_bad_filters(w):
    s.report_progress(w.justice_specialist, f.task(w.document, "1").pk, percent=30, text="Đã rà soát.")
    job = exports.request_export(
        w.supervisor,
        "directives.reports",
        {"reported_from": "01/11/2026", "reported_to": "30/11/2026"},
        "xlsx",
    )
    table = rows(job)
    assert len(table) == 2 and table[1][7] == 30 and table[1][8] == "Đã rà soát."
    assert (
        exports.request_export(
            w.outsider,
            "directives.reports",
            {"reported_from": "01/11/2026", "reported_to": "30/11/2026"},
            "xlsx",
        ).rows_total
        == 0
    )
    with pytest.raises(DomainError, match="Không có văn bản số 1/KH"):
        exports.request_export(w.supervisor, "directives.tasks", {"document": "1/KH"}, "xlsx")
    with pytest.raises(DomainError, match="Ngày bắt đầu"):
        exports.request_export(
            w.supervisor,
            "directives.reports",
            {"reported_from": "30/11/2026", "reported_to": "01/11/2026"},
            "xlsx",
        )
