"""Demo: dossiers citizens submitted on the national public service portal for Phường Thành Đông.

Written at demo load time as the portal simulator's ``--incoming`` file (``MOTCUA_DVCQG_INCOMING``,
by default ``$MOTCUA_VAR_DIR/dvcqg-incoming.jsonl``); ``motcua demo`` starts the simulator with it, and
the worker's periodic pull (``dossiers.pull_national``) takes them: they appear in the ward's box
“Chờ tiếp nhận” as online dossiers, for ``thanhdong.motcua`` to accept.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from motcua.catalogue.models import ProcedureVersion
from motcua.core.models import OrgUnit
from motcua.dossiers import national

WARD = "Phường Thành Đông"
APPLICANTS = (
    ("Vũ Thị Thu Hà", "030188007215", "ha.vuthu@example.vn", "0983215467"),
    ("Nguyễn Đức Mạnh", "030092004738", "manh.nguyenduc@example.vn", "0904778120"),
)


def incoming_path() -> Path:
    return Path(settings.MOTCUA_DVCQG_INCOMING)


def write_incoming(say: Callable[[str], object]) -> int:
    ward = OrgUnit.objects.filter(name=WARD).first()
    if ward is None:
        return 0
    today = timezone.localdate()
    versions = list(
        ProcedureVersion.objects.in_force(today)
        .filter(implementing_units=ward, online_level__in=("full", "partial"))
        .select_related("procedure__field")
        .order_by("procedure__code")[: len(APPLICANTS)]
    )
    if not versions:
        return 0
    submitted = timezone.now() - timedelta(hours=2)
    lines = []
    for n, (version, (name, citizen_id, email, phone)) in enumerate(
        zip(versions, APPLICANTS, strict=False), 1
    ):
        procedure = version.procedure
        record = national.dossier_fields(
            code=f"{national.unit_code(ward)}-{national.stamp(submitted)[2:8]}-{9000 + n:04d}",
            procedure_code=procedure.code,
            procedure_name=version.name,
            field_code=procedure.field.code,
            field_name=procedure.field.name,
            applicant_name=name,
            applicant_type=1,
            applicant_id_number=citizen_id,
            email=email,
            phone=phone,
            submitted_at=submitted + timedelta(minutes=17 * n),
            received_at=None,
            due_at=None,
            national_status=1,
            returned_at=None,
            finished_at=None,
            by_post=False,
            unit_name=ward.name,
            unit_code=national.unit_code(ward),
            channel=national.CHANNEL_ONLINE,
            online_payment=national.ONLINE_PAYMENT_NO,
            time_limit_value=version.time_limit_value,
            time_limit_unit=version.time_limit_unit,
        )
        record.update(TaiLieuNop=[], DanhSachLePhi=[], DanhSachHoSoBoSung=[], DanhSachGiayToKetQua=[])
        lines.append(json.dumps(record, ensure_ascii=False))
    path = incoming_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    say(f"  {len(lines)} hồ sơ nộp trên Cổng DVCQG chờ phường Thành Đông nhận")
    return len(lines)
