"""Builders for the database tests: dossiers written through the real importer (national sync shape)."""

from __future__ import annotations

import io
import itertools
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from motcua.dossiers.importing import import_file
from motcua.dossiers.tests.factories import CITIZEN_ID
from motcua.workdays.domain import TZ

WARD = "000.11.01.H31"  # Phường An Biên (code "pab") in dossiers.tests.factories.world()
WARD_B = "000.11.02.H31"  # Phường Lê Chân ("plc")
NOW = datetime(2026, 4, 15, 9, 0, tzinfo=TZ)  # the import's "now": after every date used

_serial = itertools.count(1)


def stamp(day: int, hour: int = 9, minute: int = 0, month: int = 3) -> str:
    """A local ``yyyyMMddHHmmss`` in 2026."""
    return f"2026{month:02d}{day:02d}{hour:02d}{minute:02d}00"


def line(
    received: str | None, due: str | None = None, *, status: int = 4, prefix: str = WARD, **fields: Any
) -> dict:
    """One DongBoHoSoMC record (procedure 1.001193 unless ``MaTTHC`` is given)."""
    n = next(_serial)
    day = (received or fields.get("NgayNopHoSo") or stamp(1))[2:8]
    record: dict[str, Any] = {
        "MaHoSo": f"{prefix}-{day}-{n:04d}",
        "MaTTHC": "1.001193",
        "ChuHoSo": "Nguyễn Thị Hồng Nhung",
        "MaDoiTuong": CITIZEN_ID,
        "TrangThaiHoSo": status,
        "KenhThucHien": 1,
    }
    if received:
        record["NgayTiepNhan"] = received
    if due:
        record["NgayHenTra"] = due
    record.update(fields)
    return record


def write(path: Path, lines: list[dict]) -> Path:
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    return path


def load(lines: list[dict]) -> None:
    text = "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines)
    import_file(io.StringIO(text), now=NOW)
