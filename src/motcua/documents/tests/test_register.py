"""TT 01/2018 Mẫu 06, Sổ theo dõi hồ sơ, as an export: one row per dossier received, the result in the
column trước hạn / đúng hạn / quá hạn, only the dossiers the officer may see."""

from __future__ import annotations

import pytest
import time_machine

from motcua.dossiers import services as s
from motcua.dossiers.tests import factories as df
from motcua.dossiers.tests.factories import at
from motcua.exports import registry
from motcua.exports import services as exports

pytestmark = pytest.mark.django_db

MARCH = {"received_from": "2026-03-01", "received_to": "2026-03-31"}


def _through(w, d, *, ready_at):
    """Hand-over at 09:30 on the day of receipt, then the steps, the result signed at ``ready_at``."""
    with time_machine.travel(at(2026, 3, 9, 9, 30), tick=False) as clock:
        d = s.hand_over(d.code, by=w.intake_a, expected_version=1)
        d = s.assign(d.code, by=w.leader_a, expected_version=2, assignee=w.specialist_a)
        d = s.hand_over(d.code, by=w.specialist_a, expected_version=3)
        d = s.hand_over(d.code, by=w.leader_a, expected_version=4, assignee=w.head_a)
        clock.move_to(ready_at)
        return s.mark_result_ready(d.code, by=w.head_a, expected_version=5)


def test_the_register_puts_each_result_in_its_column(w):
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        early, on_the_day, late = (df.receive(w) for _ in range(3))  # due Thursday 12/03 17:00
    _through(w, early, ready_at=at(2026, 3, 11, 8, 0))  # Wednesday: before the due day
    _through(w, on_the_day, ready_at=at(2026, 3, 12, 16, 0))  # Thursday before 17:00
    _through(w, late, ready_at=at(2026, 3, 13, 8, 0))  # Friday: late
    with time_machine.travel(at(2026, 3, 9, 10, 0), tick=False):
        df.receive(w, unit=w.ward_b)  # another ward's: not in ward A's register
    kind = registry.get("documents.register")
    with time_machine.travel(at(2026, 3, 20, 9, 0), tick=False):
        rows = list(kind.rows(w.intake_a, MARCH))
    assert [r[0] for r in rows] == [1, 2, 3] and [r[1] for r in rows] == [
        early.code,
        on_the_day.code,
        late.code,
    ]
    received, due, handed = rows[0][7], rows[0][8], rows[0][9]
    assert (received, due, handed) == (at(2026, 3, 9, 9, 0), at(2026, 3, 12, 17, 0), at(2026, 3, 9, 9, 30))
    assert rows[0][10:13] == (at(2026, 3, 11, 8, 0), None, None)  # trước hạn
    assert rows[1][10:13] == (None, at(2026, 3, 12, 16, 0), None)  # đúng hạn
    assert rows[2][10:13] == (None, None, at(2026, 3, 13, 8, 0))  # quá hạn
    assert rows[0][2] == w.procedure.name and rows[0][4] == "Nguyễn Thị Hồng Nhung" and rows[0][3] == 1
    assert [c.header for c in kind.columns][10:13] == [
        "Có kết quả: trước hạn",
        "Có kết quả: đúng hạn",
        "Có kết quả: quá hạn",
    ]


def test_the_register_is_an_export_of_the_officers_scope(w):
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        df.receive(w)
    job = exports.request_export(
        w.intake_b, "documents.register", {"received_from": "01/03/2026", "received_to": "31/03/2026"}, "csv"
    )
    assert job.rows_total == 0  # ward B's officer sees none of ward A's dossiers
    job = exports.request_export(
        w.intake_a, "documents.register", {"received_from": "01/03/2026", "received_to": "31/03/2026"}, "xlsx"
    )
    assert job.rows_total == 1 and job.title.startswith("Sổ theo dõi hồ sơ")
