"""An imported history gives the same on-time verdict as the same history built through the services.

Each dossier is built through the services under a frozen clock (receipt, hand-overs, supplement
requests and receipts, an apology, the result), exported with ``motcua dossiers export``, imported
back under another ``MaHoSo``, and both are judged by the 766 index (2.1 drill-down, the national
reading) and by ``ontime`` under both readings: same verdict, same statutory due, same promised date,
same supplement waits.

The procedure takes 3 working days; 27/04 (Giỗ Tổ, moved), 30/04 and 01/05/2026 are days off; a
receipt at or after 15:00 counts from the next working day.
"""

from __future__ import annotations

import io
import json
from datetime import date, datetime

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Q

from motcua.dossiers import services as s
from motcua.dossiers.importing import import_file
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests import factories as df
from motcua.dossiers.tests.factories import at
from motcua.dossiers.timeliness import Basis, Reason
from motcua.evaluation import index766, ontime
from motcua.evaluation.formulas import Period

pytestmark = pytest.mark.django_db

START, END = date(2026, 4, 1), date(2026, 5, 31)
IMPORTED_AT = at(2026, 6, 1, 9, 0)


@pytest.fixture
def w():
    return df.world()


def _to_appraisal(w, clock, moment: datetime) -> Dossier:
    """Received at the counter at ``moment``, handed to appraisal and assigned half an hour later."""
    clock.move_to(moment)
    d = df.receive(w)
    clock.move_to(moment.replace(minute=moment.minute + 10))
    d = s.hand_over(d.code, by=w.intake_a, expected_version=d.lock_version)
    clock.move_to(moment.replace(minute=moment.minute + 20))
    return s.assign(d.code, by=w.leader_a, expected_version=d.lock_version, assignee=w.specialist_a)


def _supplement(w, clock, d: Dossier, asked: datetime, brought: datetime | None) -> Dossier:
    clock.move_to(asked)
    d = s.request_supplement(
        d.code, by=w.leader_a, expected_version=d.lock_version, items=["Tờ khai"], reasons="Thiếu chữ ký"
    )
    if brought is not None:
        clock.move_to(brought)
        d = s.receive_supplement(d.code, by=w.intake_a, expected_version=d.lock_version, note="Đã nhận đủ")
    return d


def _result(w, clock, d: Dossier, ready: datetime, returned: datetime) -> Dossier:
    """Through the remaining steps: signing, the result (``ready``), the return (``returned``)."""
    clock.move_to(ready.replace(hour=ready.hour - 1))
    d = s.hand_over(d.code, by=w.specialist_a, expected_version=d.lock_version)
    d = s.hand_over(d.code, by=w.leader_a, expected_version=d.lock_version, assignee=w.head_a)
    clock.move_to(ready)
    d = s.mark_result_ready(d.code, by=w.head_a, expected_version=d.lock_version)
    clock.move_to(returned)
    return s.return_result(d.code, by=w.intake_a, expected_version=d.lock_version, notified=True)


def _build(w) -> dict[str, str]:
    """The three histories through the services: name → code."""
    with time_machine.travel(at(2026, 4, 20, 9, 0), tick=False) as clock:
        # A. received Mon 20/04 09:00, due Thu 23/04 17:00; supplement asked Tue 21/04 10:00, brought
        # Fri 24/04 16:00 (after 15:00: the limit restarts on Tue 28/04 → 29/04, 04/05, 05/05 17:00);
        # result Mon 04/05 14:00, returned Tue 05/05 09:00.
        a = _to_appraisal(w, clock, at(2026, 4, 20, 9, 0))
        a = _supplement(w, clock, a, at(2026, 4, 21, 10, 0), at(2026, 4, 24, 16, 0))
        a = _result(w, clock, a, at(2026, 5, 4, 14, 0), at(2026, 5, 5, 9, 0))
        # B. received Mon 20/04 09:10; supplement asked 14:00, brought Tue 21/04 09:00 (the limit
        # restarts: 22, 23, 24/04 → Fri 24/04 17:00); asked again Wed 22/04 10:00, still waiting.
        b = _to_appraisal(w, clock, at(2026, 4, 20, 9, 10))
        b = _supplement(w, clock, b, at(2026, 4, 20, 14, 0), at(2026, 4, 21, 9, 0))
        b = _supplement(w, clock, b, at(2026, 4, 22, 10, 0), None)
        # C. received Mon 20/04 09:20; supplement asked 10:00, brought Tue 21/04 09:00 (due → Fri 24/04
        # 17:00); apology Wed 22/04 10:00 with a new date, Wed 29/04 17:00; result Tue 28/04 10:00
        # (after the statutory due, before the promised date), returned 15:00.
        c = _to_appraisal(w, clock, at(2026, 4, 20, 9, 20))
        c = _supplement(w, clock, c, at(2026, 4, 20, 10, 0), at(2026, 4, 21, 9, 0))
        clock.move_to(at(2026, 4, 22, 10, 0))
        c = s.reset_due(
            c.code,
            by=w.leader_a,
            expected_version=c.lock_version,
            reason="Chờ xác minh",
            new_due=at(2026, 4, 29, 17, 0),
        )
        c = _result(w, clock, c, at(2026, 4, 28, 10, 0), at(2026, 4, 28, 15, 0))
    return {"A": a.code, "B": b.code, "C": c.code}


def _without_supplement_dues(line: dict) -> dict:
    """The line as a system that does not record a supplement's dues sends it."""
    items = [
        {k: v for k, v in item.items() if k not in ("NgayHenTraTruoc", "NgayHenTraMoi")}
        for item in line["DanhSachHoSoBoSung"]
    ]
    return {**line, "DanhSachHoSoBoSung": items}


def _copy_through_the_file(
    tmp_path, codes: dict[str, str], digit: str, *, bare: bool = False
) -> dict[str, str]:
    """Export every dossier, import the lines back under new codes (…-``digit``xxx), without the
    supplements' dues when ``bare``: name → new code."""
    out = tmp_path / "ra.jsonl"
    call_command("dossiers", "export", "-o", str(out), stderr=io.StringIO())
    lines = [json.loads(text) for text in out.read_text(encoding="utf-8").splitlines()]
    lines = [line for line in lines if line["MaHoSo"] in codes.values()]
    assert len(lines) == len(codes)
    renamed = {code: code[:-4] + digit + code[-3:] for code in codes.values()}
    copy = tmp_path / f"vao-{digit}.jsonl"
    copy.write_text(
        "".join(
            json.dumps(
                {**(_without_supplement_dues(line) if bare else line), "MaHoSo": renamed[line["MaHoSo"]]}
            )
            + "\n"
            for line in lines
        ),
        encoding="utf-8",
    )
    summary = import_file(copy, now=IMPORTED_AT)
    assert summary.created == len(lines)
    return {name: renamed[code] for name, code in codes.items()}


def _verdicts(codes: list[str], basis: Basis) -> dict[str, object]:
    period = Period(START, END)
    scope = Q(code__in=codes)
    judged = [*ontime.finished(scope, period, basis), *ontime.open_at(scope, period, basis)]
    return {j.facts.code: j.verdict for j in judged}


def test_an_imported_history_is_judged_as_the_same_history_built_through_the_services(w, tmp_path):
    native = _build(w)
    imported = _copy_through_the_file(tmp_path, native, "9")
    # and from a file that does not give the supplements' dues (NgayHenTraTruoc, NgayHenTraMoi)
    bare = _copy_through_the_file(tmp_path, native, "8", bare=True)
    pairs = [(native[name], copy[name]) for copy in (imported, bare) for name in ("A", "B", "C")]
    # the stored facts the verdict reads: statutory due, promised date, end, supplement waits
    rows = {d.code: d for d in Dossier.objects.all()}
    waits = ontime.waits_of(d.pk for d in rows.values())
    for ours, theirs in pairs:
        a, b = rows[ours], rows[theirs]
        assert (b.due_at, b.promised_at, b.finished_at, b.national_status) == (
            a.due_at,
            a.promised_at,
            a.finished_at,
            a.national_status,
        ), ours
        if theirs in imported.values():
            assert waits.get(b.pk) == waits.get(a.pk), ours
        else:  # the request and the receipt; the due before the request is not known
            assert [(x.requested_at, x.received_at) for x in waits.get(b.pk)] == [
                (x.requested_at, x.received_at) for x in waits.get(a.pk)
            ]
        assert b.imported_at is not None and a.imported_at is None
    # hand-worked: the statutory dues and the promised date
    assert [rows[native[n]].due_at for n in "ABC"] == [
        at(2026, 5, 5, 17, 0),
        at(2026, 4, 24, 17, 0),
        at(2026, 4, 24, 17, 0),
    ]
    assert rows[native["C"]].promised_at == at(2026, 4, 29, 17, 0)
    # the same verdict under both readings, field by field
    for basis in (Basis.NATIONAL, Basis.STATUTORY):
        verdicts = _verdicts([code for pair in pairs for code in pair], basis)
        for ours, theirs in pairs:
            assert verdicts[theirs] == verdicts[ours], (basis, ours)
    national = _verdicts([native[n] for n in "ABC"], Basis.NATIONAL)
    statutory = _verdicts([native[n] for n in "ABC"], Basis.STATUTORY)
    # A: national: 04/05 14:00 less the wait (21/04 10:00 → 24/04 16:00: 3 d 6 h) = 01/05 08:00, after the
    # due before the request (23/04 17:00): late. Statutory: before the restarted due (05/05 17:00).
    a_national = national[native["A"]]
    assert (a_national.reason, a_national.compared_due, a_national.credited_seconds) == (
        Reason.LATE,
        at(2026, 4, 23, 17, 0),
        3 * 86400 + 6 * 3600,
    )
    assert a_national.effective_end == at(2026, 5, 1, 8, 0)
    assert statutory[native["A"]].reason == Reason.EARLY
    # B: asked twice (the national portal counts it late); still waiting, asked before the due
    assert national[native["B"]].reason == Reason.SUPPLEMENT_TWICE
    assert (statutory[native["B"]].reason, statutory[native["B"]].end) == (
        Reason.WAITING_IN_TIME,
        at(2026, 4, 22, 10, 0),
    )
    # C: the apology's date does not excuse: late under both readings
    assert national[native["C"]].reason == statutory[native["C"]].reason == Reason.LATE
    # the 766 index's drill-down of 2.1 says the same of both copies
    page = index766.drill_down("2.1", START, END, include="all", limit=100)
    items = {item.code: item for item in page.items}
    for ours, theirs in pairs:
        assert (items[theirs].counts, items[theirs].reason_code, items[theirs].due_at) == (
            items[ours].counts,
            items[ours].reason_code,
            items[ours].due_at,
        )
    assert [items[native[n]].reason_code for n in "ABC"] == ["late", "supplement_requested_twice", "late"]
