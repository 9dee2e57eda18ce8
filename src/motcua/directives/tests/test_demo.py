"""The demo loads Kế hoạch 3327/KH-UBND from the project's data file (a fresh clone has no seed
folder) with two years of progress, tracked per lead unit."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

import pytest
import time_machine

from motcua.core.audit import verify_chain
from motcua.core.models import User
from motcua.demo.loader import load_demo
from motcua.directives import selectors
from motcua.directives.demo import load_directives_demo, plan_data
from motcua.directives.models import (
    CompletionRequest,
    Decision,
    Directive,
    DirectiveUnit,
    ExtensionRequest,
    Part,
    SourceDocument,
)
from motcua.directives.planparse import parse_deadline, parse_text
from motcua.directives.tests.factories import SEED, at

pytestmark = pytest.mark.django_db


def test_the_data_file_holds_the_34_tasks_of_the_plan():
    plan, fields = plan_data()
    assert (fields.number, fields.issued_on, fields.issuer) == (
        "3327/KH-UBND",
        date(2022, 12, 7),
        "Chủ tịch UBND tỉnh Hải Dương",
    )
    assert [t.number for t in plan.tasks] == [str(n) for n in range(1, 35)]
    assert Counter(t.section for t in plan.tasks) == {"I": 5, "II": 18, "III": 7, "V": 4}
    first = plan.tasks[0]
    assert first.lead_units == ["Các sở, ban, ngành", "UBND cấp huyện"]
    assert first.coordinating_units == ["Văn phòng UBND tỉnh"]
    assert (first.deadline.date, first.deadline.recurrence) == (None, "FREQ=YEARLY;BYMONTH=9;BYMONTHDAY=30")
    # 6 dates, 1 recurrence, 19 standing and 8 dependent deadlines, as in the plan
    assert Counter(str(t.deadline.kind) for t in plan.tasks) == {
        "date": 6,
        "recurring": 1,
        "ongoing": 19,
        "dependent": 8,
    }
    assert {t.number: t.deadline.date for t in plan.tasks if t.deadline.date} == {
        "7": date(2022, 12, 31),
        "8": date(2022, 12, 31),
        "12": date(2023, 3, 31),
        "13": date(2023, 3, 31),
        "27": date(2023, 6, 30),
        "30": date(2023, 9, 30),
    }
    for task in plan.tasks:  # the stored date and recurrence are those the deadline text says
        read = parse_deadline(task.deadline.text, reference=date(2022, 12, 7))
        assert (read.date, read.recurrence) == (task.deadline.date, task.deadline.recurrence), task.number


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def _longest_shared_run(a: str, b: str) -> int:
    x, y = _words(a), _words(b)
    best = 0
    for i in range(len(x)):
        for j in range(len(y)):
            n = 0
            while i + n < len(x) and j + n < len(y) and x[i + n] == y[j + n]:
                n += 1
            best = max(best, n)
    return best


@pytest.mark.skipif(not SEED.is_file(), reason=f"the seed plan is not here ({SEED})")
def test_the_data_file_agrees_with_the_plans_full_text_without_copying_it():
    seed = {t.number: t for t in parse_text(SEED.read_text(encoding="utf-8")).tasks}
    plan, _ = plan_data()
    for task in plan.tasks:
        full = seed[task.number]
        assert task.section == full.section
        assert task.lead_units == full.lead_units, task.number
        assert task.coordinating_units == full.coordinating_units, task.number
        assert (task.deadline.date, task.deadline.recurrence, task.deadline.kind) == (
            full.deadline.date,
            full.deadline.recurrence,
            full.deadline.kind,
        ), task.number
        # condensed in the project's words: no run of 12 syllables of the plan's sentences (the
        # longest names kept, "Cơ sở dữ liệu quốc gia về thủ tục hành chính", run to 11)
        assert _longest_shared_run(task.content, full.content) < 12, task.number
        assert _longest_shared_run(task.product, full.product) < 12, task.number
        assert len(task.content) < len(full.content) or len(full.content) < 80, task.number


def test_without_the_seed_folder_the_demo_still_shows_the_plan(tmp_path, settings):
    settings.MOTCUA_SEED_DIR = tmp_path  # a fresh clone: no ../shared/seed
    with time_machine.travel(at(2026, 11, 27, 10), tick=False):
        said: list[str] = []
        document = load_directives_demo(said.append)
    assert document is not None and document.number == "3327/KH-UBND"
    assert Directive.objects.filter(document=document).count() == 34
    assert "34 nhiệm vụ" in said[0]


def test_the_demo_plan_shows_realistic_progress_per_unit():
    with time_machine.travel(at(2026, 11, 27, 10), tick=False):
        load_demo(verbose=False, history=0)
        office = User.objects.get(username="giamsat")
        today = at(2026, 11, 27).date()
        qs, counts = selectors.task_list(office, selectors.Filters(), today=today)
        statuses = {t.number: t.status for t in qs}
        assert counts == {
            "overdue": 4,  # 1 (2026: 13 of 16 units have not finished), 7, 12, 13
            "soon_due": 1,  # 20
            "in_progress": 1,  # 31
            "not_started": 1,  # 4
            "no_deadline": 24,
            "done_on_time": 2,  # 8, 27
            "done_late": 1,  # 30
        }
        assert [n for n, s in statuses.items() if s == "overdue"] == ["1", "7", "12", "13"]
        # Task 1, 2026: one part per department (7) and commune-level unit (9)
        task1 = Directive.objects.get(number="1")
        parts = {p.unit.code: p for p in Part.objects.filter(occurrence=task1.current).select_related("unit")}
        assert len(parts) == 16
        assert (parts["x10507"].completed_on, parts["hp-stp"].due_on, parts["hp-stc"].progress) == (
            date(2026, 9, 24),
            date(2026, 12, 31),
            60,
        )
        assert task1.current.progress == 16  # (100 + 90 + 60) / 16 = 15.6
        # Sở Tư pháp sees its own part: extended, waiting for the office, within its deadline
        stp = User.objects.get(username="stp.giamdoc")
        stp_unit = parts["hp-stp"].unit
        mine, _ = selectors.task_list(stp, selectors.Filters(unit=stp_unit, role="lead"), today=today)
        assert {t.number: t.status for t in mine}["1"] == "in_progress"
        # the earlier periods: every unit done; 2025 late because Sở Tư pháp finished on 15/10
        done = task1.occurrences.filter(seq__lte=3).order_by("seq")
        assert [(o.completed_on, o.done_late) for o in done] == [
            (date(2023, 9, 26), False),  # the last unit's date (the others' recorded on 26/9)
            (date(2024, 9, 30), False),
            (date(2025, 10, 15), True),
        ]
    assert CompletionRequest.objects.filter(status=Decision.PENDING).count() == 1
    assert CompletionRequest.objects.filter(status=Decision.RETURNED).count() == 1
    assert ExtensionRequest.objects.filter(status=Decision.PENDING).count() == 1
    # The unit names of the plan on the demo's unit list.
    rows = DirectiveUnit.objects.all()
    assert (
        rows.filter(unit__isnull=False).count(),
        rows.exclude(collective="").filter(unit__isnull=True).count(),
        rows.filter(unit__isnull=True, collective="").count(),
    ) == (34, 70, 18)
    assert set(rows.filter(unit__isnull=True, collective="").values_list("name", flat=True)) == {
        "Sở Thông tin và Truyền thông",
        "Đài Phát thanh và Truyền hình tỉnh",
        "Báo Hải Dương và các cơ quan, đơn vị có liên quan",
    }
    before = Directive.objects.count(), CompletionRequest.objects.count(), SourceDocument.objects.count()
    with time_machine.travel(at(2026, 11, 27, 11), tick=False):
        load_directives_demo()
    assert (
        Directive.objects.count(),
        CompletionRequest.objects.count(),
        SourceDocument.objects.count(),
    ) == before
    assert verify_chain().ok
