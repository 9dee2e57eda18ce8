"""Pass 1 over a file, without the database: its lines read (``read_lines``: bytes decoded as UTF-8
line by line), each parsed as JSON and checked (``parse_all``: characters and nesting by ``checks``,
then ``parse_line``: every field by ``fields``, the history by ``history.plan``), and the whole file
judged (``check_lines``: duplicate codes, the first day each procedure and unit code is used).

What the lines say about units is judged against the ``UnitCodes`` given (``resolve.Resolver`` for a
real import). Pure Python, no database.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from motcua.catalogue.schema import PROCEDURE_CODE_PATTERN
from motcua.dossiers.importing import checks
from motcua.dossiers.importing.checks import LineProblem
from motcua.dossiers.importing.fields import (
    COUNTER,
    ONLINE,
    UnitCodes,
    read_applicant,
    read_components,
    read_date,
    read_fees,
    read_int,
    read_resets,
    read_scalars,
    read_state,
    read_supplements,
    read_text,
    read_units,
)
from motcua.dossiers.importing.history import plan
from motcua.dossiers.importing.parsed import Bad, Parsed
from motcua.dossiers.importing.report import Problem
from motcua.dossiers.rules import DELIVERY_COUNTER, DELIVERY_ONLINE, DELIVERY_POST
from motcua.workdays.domain import to_local

MAX_ERRORS = 10_000
# Up to this many lines, pass 2 reuses pass 1's parsed lines instead of reading the file again.
KEEP_PARSED = 50_000

Source = str | Path | IO[str] | IO[bytes]


def parse_line(obj: Any, line: int, units: UnitCodes, now: datetime) -> Parsed:
    """One line, checked; ``Bad`` names the first problem's field."""
    if not isinstance(obj, dict):
        raise Bad("(dòng)", "mỗi dòng phải là một đối tượng JSON.")
    code = read_text(obj, "MaHoSo", required=True, max_length=60)
    procedure_code = read_text(obj, "MaTTHC", required=True, max_length=40)
    if not re.fullmatch(PROCEDURE_CODE_PATTERN, procedure_code):
        raise Bad("MaTTHC", f"mã TTHC “{procedure_code}” không hợp lệ.")
    state = read_state(obj)
    channel = read_int(obj, "KenhThucHien", (1, 2, 3), default=COUNTER)
    assert channel is not None
    received = read_date(obj, "NgayTiepNhan", now=now)
    submitted = read_date(obj, "NgayNopHoSo", now=now) or received
    if submitted is None:
        raise Bad("NgayNopHoSo", "cần NgayNopHoSo hoặc NgayTiepNhan.")
    due = read_date(obj, "NgayHenTra", now=now)
    for key in ("NgayTra", "NgayKetThucXuLy"):
        read_date(obj, key, now=now)
    applicant_type, applicant_id = read_applicant(obj)
    name = read_text(obj, "ChuHoSo", required=True, max_length=255)
    delivery = read_int(obj, "HinhThuc", (0, 1), default=0)
    if delivery == 1:
        result_delivery = DELIVERY_POST
    elif channel == ONLINE:
        result_delivery = DELIVERY_ONLINE
    else:
        result_delivery = DELIVERY_COUNTER
    competent, receiving = read_units(obj, code, units, to_local(received or submitted).date())
    parsed = Parsed(
        line=line,
        raw=obj,
        code=code,
        procedure_code=procedure_code,
        state=state,
        channel=channel,
        submitted=submitted,
        received=received,
        due=due,
        applicant_type=applicant_type,
        applicant_id=applicant_id,
        applicant_name=name,
        email=read_text(obj, "Email"),
        phone=read_text(obj, "SoDienThoai"),
        competent_code=competent,
        receiving_code=receiving,
        result_delivery=result_delivery,
        scalars=read_scalars(obj),
        components=read_components(obj),
        fees=read_fees(obj),
        supplements=read_supplements(obj, now),
        resets=read_resets(obj, now),
        events=[],
        reasons=read_text(obj, "GhiChu").strip(),
    )
    for key in ("TenTTHC", "TrichYeuHoSo", "DonViXuLy", "ThongTinKhac", "ThongTinTra", "SoBienNhan"):
        read_text(obj, key)
    parsed.events = plan(parsed, now)
    return parsed


def _numbered(lines: Iterable[str | bytes]) -> Iterator[tuple[int, str | LineProblem]]:
    """(line number, text) of every non-blank line; a line of bytes is decoded (UTF-8), and one that
    cannot be is a ``LineProblem`` in its place."""
    for number, raw in enumerate(lines, 1):
        if isinstance(raw, bytes):
            try:
                line = checks.decode(raw, first=number == 1)
            except checks.LineProblem as problem:
                yield number, problem
                if number == 1 and raw.startswith((b"\xff\xfe", b"\xfe\xff")):
                    return  # a UTF-16 file: one report, not one per line
                continue
        else:
            line = raw[1:] if number == 1 and raw.startswith("\ufeff") else raw
        if line.strip():
            yield number, line


def read_lines(source: Source) -> Iterator[tuple[int, str | LineProblem]]:
    """(line number, text) of every non-blank line, or the ``LineProblem`` of a line that is not UTF-8;
    ``-`` is standard input. Files and standard input are read as bytes, decoded line by line."""
    if isinstance(source, str | Path):
        if str(source) == "-":
            yield from _numbered(sys.stdin.buffer)
            return
        with open(source, "rb") as handle:
            yield from _numbered(handle)
        return
    yield from _numbered(source)


def parse_all(
    lines: Iterable[tuple[int, str | LineProblem]], units: UnitCodes, now: datetime
) -> Iterator[tuple[int, Parsed | Problem]]:
    """Each line parsed and checked, or its first problem."""
    for number, text in lines:
        if isinstance(text, LineProblem):
            yield number, Problem(number, text.field, text.message)
            continue
        try:
            obj = checks.DECODER.decode(text)
        except json.JSONDecodeError as exc:
            yield number, Problem(number, "(dòng)", f"không phải JSON hợp lệ: {exc.msg} (cột {exc.colno}).")
            continue
        except LineProblem as problem:  # NaN, Infinity, 1e400
            yield number, Problem(number, problem.field, problem.message)
            continue
        except ValueError:  # an integer of thousands of digits
            yield number, Problem(number, "(dòng)", "không phải JSON hợp lệ: có số quá dài.")
            continue
        except RecursionError:
            yield (
                number,
                Problem(number, "(dòng)", f"lồng nhau quá {checks.MAX_DEPTH} cấp (mảng, đối tượng JSON)."),
            )
            continue
        code = obj.get("MaHoSo", "") if isinstance(obj, dict) else ""
        code = code if isinstance(code, str) else ""
        # characters and nesting first: only then may the values reach the database
        if checks.suspect(text) or text.count("{") + text.count("[") > checks.MAX_DEPTH:
            found = checks.check_value(obj)
            if found is not None:
                if checks.bad_text(code) is not None:
                    code = ""  # not printable as it is
                yield number, Problem(number, found[0], found[1], code)
                continue
        try:
            yield number, parse_line(obj, number, units, now)
        except Bad as bad:
            yield number, Problem(number, bad.field, bad.message, code)


@dataclass
class Checked:
    lines: int
    problems: list[Problem]
    first_day: dict[str, date]  # procedure or unit code → earliest day it is used (placeholders)
    parsed: list[Parsed] | None = None  # kept for the second pass when the file is not too large


def check_lines(
    lines: Iterable[tuple[int, str | LineProblem]], units: UnitCodes, now: datetime, *, keep: bool = False
) -> Checked:
    """Every line checked (``read_lines`` gives them), nothing written; with ``keep``, the parsed
    lines too when there are not too many and no problem."""
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    first_day: dict[str, date] = {}
    kept: list[Parsed] | None = [] if keep else None
    count = 0
    for number, result in parse_all(lines, units, now):
        count += 1
        if isinstance(result, Problem):
            if len(problems) < MAX_ERRORS:
                problems.append(result)
            continue
        if kept is not None:
            kept.append(result)
            if len(kept) > KEEP_PARSED:
                kept = None
        if result.code in seen:
            problems.append(Problem(number, "MaHoSo", f"trùng với dòng {seen[result.code]}.", result.code))
            continue
        seen[result.code] = number
        day = result.day
        for key in (result.procedure_code, "unit:" + result.competent_code, "unit:" + result.receiving_code):
            if key not in first_day or day < first_day[key]:
                first_day[key] = day
    return Checked(count, problems, first_day, kept if not problems else None)
