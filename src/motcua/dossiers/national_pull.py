"""Dossiers submitted on the national public service portal enter the local lifecycle.

The portal holds the dossiers citizens submitted there for the province's procedures (status 1, online).
``pull_submitted`` asks for them (``LayHoSoMoi``), takes each one through the same validation and writing
as ``motcua dossiers import`` (one record at a time, so a bad record never holds back the others), and
tells the portal which it has taken (``XacNhanHoSo``) — only those, so a refused record stays on the portal
and is asked for again after it is corrected there. A taken dossier waits in the receiving unit's box
“Chờ tiếp nhận” like one submitted on the province's own portal; the officer accepts it (state 2) and from
then on its every step goes back to the portal through the outbox.

A record is refused when its procedure or unit is not in the catalogue (the import would make a
placeholder, which is for old records, never for a live dossier), when it is not a new online dossier,
or when the import's checks find a problem. ❓ The two services are assumed (docs/integrations.md).
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from typing import Any

from motcua.catalogue.models import Procedure
from motcua.core import audit
from motcua.core.models import OrgUnit
from motcua.dossiers.importing import ImportRejected, import_file
from motcua.dossiers.models import Dossier
from motcua.integrations import registry

CHANNEL = "dvcqg"


@dataclass
class PullReport:
    taken: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)  # taken before, the portal's confirmation was lost
    refused: dict[str, list[str]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"taken": self.taken, "already": self.already, "refused": self.refused}


def _precheck(record: dict[str, Any]) -> list[str]:
    problems = []
    if record.get("TrangThaiHoSo") != 1 or record.get("KenhThucHien") != 2:
        problems.append("không phải hồ sơ mới nộp trực tuyến (TrangThaiHoSo 1, KenhThucHien 2).")
    code = str(record.get("MaTTHC") or "")
    if not Procedure.objects.filter(code=code).exists():
        problems.append(f"thủ tục {code or '(trống)'} không có trong danh mục thủ tục của tỉnh.")
    unit = str(record.get("MaDonVi") or "")
    if not unit or not (
        OrgUnit.objects.filter(eid_code=unit).exists() or OrgUnit.objects.filter(code=unit).exists()
    ):
        problems.append(f"đơn vị {unit or '(trống)'} không có trong danh mục cơ quan, đơn vị.")
    return problems


def pull_submitted() -> PullReport:
    """Take the dossiers submitted on the portal (see the module). ``registry.QueryFailed`` when the
    portal cannot be asked."""
    answer = registry.query(CHANNEL, {"service": "LayHoSoMoi"})
    report = PullReport()
    for record in answer.get("result") or []:
        if not isinstance(record, dict) or not isinstance(record.get("MaHoSo"), str) or not record["MaHoSo"]:
            continue
        code = record["MaHoSo"]
        if Dossier.objects.filter(code=code).exists():
            report.already.append(code)
            continue
        problems = _precheck(record)
        if not problems:
            line = json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n"
            try:
                import_file(io.BytesIO(line), label=f"Cổng DVCQG, hồ sơ {code}")
            except ImportRejected as exc:
                problems = [f"{d.get('field', '')}: {d.get('message', '')}" for d in exc.details or []]
                problems = problems or [exc.message]
        if problems:
            report.refused[code] = problems
        else:
            report.taken.append(code)
    done = report.taken + report.already
    if done:
        registry.query(CHANNEL, {"service": "XacNhanHoSo", "DanhSachMaHoSo": done})
    if report.taken or report.refused:
        audit.record(
            "dossier.pull_national",
            object_type="dossiers.dossier",
            object_id="",
            summary=f"Nhận {len(report.taken)} hồ sơ nộp trên Cổng DVCQG, từ chối {len(report.refused)}",
            data=report.as_dict(),
        )
    return report
