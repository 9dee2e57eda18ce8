"""Retention: how long each kept file stays before it is due for appraisal and transfer to the archive
(Luật Lưu trữ 2024). The period of a kind of document is the rule ``documents.retention_years`` in force
on the day the document was issued (or the scan received); ``None`` = kept permanently, never due.

``motcua documents retention --due [--on DATE] [--output FILE.csv|FILE.zip] [--json]`` lists the files due
and exports them: a CSV of their metadata, or a ZIP with that CSV and the files themselves (each
checked against its hash on the way out)."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from motcua.core import contentstore
from motcua.core.rules import rule_value
from motcua.documents.models import Document
from motcua.documents.rules import RETENTION_RULE
from motcua.dossiers.models import DossierComponent
from motcua.workdays.domain import to_local

COLUMNS = (
    "loai",
    "ma_ho_so",
    "ten_giay_to",
    "ma_ket_qua",
    "lap_luc",
    "thoi_han_nam",
    "den_han",
    "sha256",
    "dung_luong",
    "so_trang",
    "ten_tep",
)


@dataclass(frozen=True)
class Kept:
    kind: str
    dossier: str
    title: str
    code: str
    issued: date
    years: int | None
    due: date | None
    sha256: str
    size: int
    pages: int
    name: str

    def row(self) -> list[str]:
        return [
            self.kind,
            self.dossier,
            self.title,
            self.code,
            self.issued.isoformat(),
            "" if self.years is None else str(self.years),
            "" if self.due is None else self.due.isoformat(),
            self.sha256,
            str(self.size),
            str(self.pages),
            self.name,
        ]


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


def _kept(kind: str, issued_at: object, **rest: object) -> Kept:
    issued = to_local(issued_at).date()  # type: ignore[arg-type]
    years = rule_value(RETENTION_RULE, issued).get(kind)
    due = add_years(issued, years) if years is not None else None
    return Kept(kind=kind, issued=issued, years=years, due=due, **rest)  # type: ignore[arg-type]


def everything() -> Iterator[Kept]:
    """Every kept file: the documents, then the scans with a hash, oldest first."""
    documents = Document.objects.select_related("dossier").order_by("created_at", "id")
    for d in documents.iterator(chunk_size=500):
        yield _kept(
            d.kind,
            d.created_at,
            dossier=d.dossier.code,
            title=d.title,
            code=d.public_code,
            sha256=d.sha256,
            size=d.size,
            pages=d.pages,
            name=d.storage_name,
        )
    scans = (
        DossierComponent.objects.exclude(file_sha256="")
        .select_related("dossier")
        .order_by("dossier__received_at", "id")
    )
    for c in scans.iterator(chunk_size=500):
        yield _kept(
            "scan",
            c.digitised_at or c.dossier.received_at or c.dossier.submitted_at,
            dossier=c.dossier.code,
            title=c.name,
            code="",
            sha256=c.file_sha256,
            size=c.file_size or 0,
            pages=c.file_pages or 1,
            name=c.file.name,
        )


def due(on: date) -> list[Kept]:
    """The files whose retention period has run out on ``on``."""
    return [k for k in everything() if k.due is not None and k.due <= on]


def write(items: list[Kept], output: Path) -> None:
    """A CSV of the items' metadata, or (``.zip``) that CSV as ``danh-muc.csv`` and the files under
    ``tep/``, each checked against its hash."""
    table = io.StringIO()
    writer = csv.writer(table)
    writer.writerow(COLUMNS)
    for item in items:
        writer.writerow(item.row())
    text = "\ufeff" + table.getvalue()  # a BOM, so that Excel reads Vietnamese correctly
    if output.suffix.lower() != ".zip":
        output.write_text(text, encoding="utf-8")
        return
    tmp = output.with_suffix(".zip.tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("danh-muc.csv", text)
        for item in items:
            archive.writestr(f"tep/{item.name}", contentstore.read(item.name, item.sha256))
    tmp.replace(output)
