"""The import of a file: pass 1 (``validate``: every line checked against the units that exist,
nothing written; ``ImportRejected`` with every problem when any line is bad), then pass 2
(``import_file``): the file written in batches by a ``Writer``, all in **one transaction** (a failure
anywhere stores nothing), while a second thread prepares the next batch's new dossiers; the audit
entries are held back and appended at the end.
"""

from __future__ import annotations

import io
import sys
import time as clock
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from motcua.core import audit
from motcua.dossiers import boxcache
from motcua.dossiers.importing.parse import Checked, Source, check_lines, parse_all, read_lines
from motcua.dossiers.importing.parsed import IMPORT_LABEL, Parsed
from motcua.dossiers.importing.report import ImportRejected, Summary
from motcua.dossiers.importing.resolve import Resolver
from motcua.dossiers.importing.write import Writer


def validate(source: Source, *, now: datetime | None = None, keep: bool = False) -> Checked:
    """Pass 1: every line checked, nothing written."""
    moment = now or timezone.now()
    return check_lines(read_lines(source), Resolver(), moment, keep=keep)


def _chunks(items: Iterable[Parsed], size: int) -> Iterator[list[Parsed]]:
    batch: list[Parsed] = []
    for item in items:
        assert isinstance(item, Parsed)
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def import_file(
    source: Source,
    *,
    batch_size: int = 1000,
    progress: bool = False,
    label: str | None = None,
    now: datetime | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> Summary:
    """Validate the whole file, then write it in batches, all in one transaction (a failure anywhere
    stores nothing). ``ImportRejected`` when any line is bad."""
    started = clock.perf_counter()
    moment = now or timezone.now()
    name = label or (str(source) if isinstance(source, str | Path) else "luồng dữ liệu")
    if not isinstance(source, str | Path) or str(source) == "-":
        # a stream is read once: keep its content for the second pass (standard input as bytes: each
        # line is decoded on its own, so a line that is not UTF-8 is reported by its number)
        content = (sys.stdin.buffer if str(source) == "-" else source).read()  # type: ignore[union-attr]
        source_factory: Callable[[], Any] = (
            (lambda: io.BytesIO(content)) if isinstance(content, bytes) else (lambda: io.StringIO(content))
        )
    else:
        source_factory = lambda: source  # noqa: E731
    checked = validate(source_factory(), now=moment, keep=True)
    if checked.problems:
        lines = sorted({p.line for p in checked.problems})
        raise ImportRejected(
            f"Tệp {name} có {len(checked.problems)} lỗi ở {len(lines)} dòng; không có hồ sơ nào được lưu.",
            details=[p.as_dict() for p in checked.problems],
        )
    summary = Summary(lines=checked.lines)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=checked.lines, file=sys.stderr, unit="hồ sơ", desc="Nhập hồ sơ", leave=False)
    parsed: Iterable[Parsed] = (
        checked.parsed
        if checked.parsed is not None
        else (
            result  # type: ignore[misc]
            for _, result in parse_all(read_lines(source_factory()), Resolver(), moment)
        )
    )
    number = 0
    switch = sys.getswitchinterval()
    with (
        audit.acting_as(None, label=IMPORT_LABEL),
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="motcua-import") as helper,
    ):
        # Pipeline: while this thread writes batch n (its time mostly spent waiting for the
        # database), a second thread prepares the new dossiers of batch n + 1 (pure Python, no
        # database). Every write stays in this thread, on one connection, batch after batch, in ONE
        # transaction: a failure anywhere stores nothing. The audit entries (each batch's, the
        # placeholders') are held back and appended at the end, so the audit chain's head is locked
        # only for the last moment of the import, not for all of it.
        sys.setswitchinterval(0.001)  # the writing thread gets the interpreter back quickly
        try:
            with transaction.atomic(), audit.held():
                number = _write_all(checked, summary, name, parsed, batch_size, moment, helper, bar, on_batch)
                boxcache.touch_all()  # after the commit: every user's box counts are read again
        finally:
            sys.setswitchinterval(switch)
    if bar is not None:
        bar.close()
    summary.batches = number
    summary.seconds = clock.perf_counter() - started
    return summary


def _write_all(
    checked: Checked,
    summary: Summary,
    name: str,
    parsed: Iterable[Parsed],
    batch_size: int,
    moment: datetime,
    helper: ThreadPoolExecutor,
    bar: Any,
    on_batch: Callable[[int], None] | None,
) -> int:
    """Pass 2, batch after batch (in the caller's transaction); the number of batches written."""
    number = 0
    writer = Writer(checked, summary, name)
    writer.preload(code for code in checked.first_day if not code.startswith("unit:"))

    def ahead(batch: list[Parsed]) -> tuple[list[Parsed], dict[str, Any], list[str], Future[Any]]:
        existing = writer.existing(batch)
        new = [p for p in batch if p.code not in existing]
        reserved = writer.reserve(new)
        future = helper.submit(writer.prepare_all, new, moment, reserved)
        return batch, existing, [p.code for p in new], future

    batches = _chunks(parsed, batch_size)
    first = next(batches, None)
    coming = ahead(first) if first else None
    while coming is not None:
        batch, existing, codes, future = coming
        prepared = dict(zip(codes, future.result(), strict=True))
        following = next(batches, None)
        coming = ahead(following) if following else None
        number += 1
        writer.write_batch(batch, number, moment, existing=existing, prepared=prepared)
        if bar is not None:
            bar.update(len(batch))
        if on_batch is not None:
            on_batch(number)
    return number
