"""Sending dossiers to the national public service portal again: the one-click resend of the
reconciliation page (``evaluation.syncrate``).

For each dossier given: its dead messages for the portal go back in the queue (in order, with a fresh
attempts budget), its waiting ones are due at once, and a dossier the outbox never held (created before
the outbox, or its messages purged) gets a message with its current record. An imported dossier came
from a portal record: nothing to send. One transaction, one audit entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction

from motcua.core import audit
from motcua.core.errors import DomainError
from motcua.core.models import Role, User
from motcua.core.permissions import has_role
from motcua.dossiers.models import Dossier
from motcua.dossiers.sync import TOPIC_DONG_BO, TOPIC_TIEN_DO, dong_bo_ho_so_mc
from motcua.integrations import outbox
from motcua.integrations.models import OutboxMessage

TOPICS = (TOPIC_DONG_BO, TOPIC_TIEN_DO)
CHUNK = 500
RESEND_ROLES = (Role.SUPERVISOR, Role.ADMINISTRATOR)


@dataclass(frozen=True)
class Resent:
    replayed: int  # dead messages put back
    hastened: int  # waiting messages made due now
    created: int  # dossiers that had no message: their current record queued

    @property
    def total(self) -> int:
        return self.replayed + self.hastened + self.created


def resend_to_portal(codes: Sequence[str], *, by: User) -> Resent:
    """Send ``codes`` to the portal again (see the module); for the province office and
    administrators."""
    if not has_role(by, RESEND_ROLES):
        raise DomainError(
            "Chỉ Văn phòng UBND và quản trị hệ thống được gửi lại hồ sơ lên Cổng DVCQG.", status=403
        )
    replayed = hastened = created = 0
    with transaction.atomic():
        for start in range(0, len(codes), CHUNK):
            chunk = list(codes[start : start + CHUNK])
            replayed += len(outbox.replay(TOPICS, keys=chunk, dead_only=True))
            hastened += outbox.make_due(TOPICS, keys=chunk)
            held = set(
                OutboxMessage.objects.filter(topic=TOPIC_DONG_BO, key__in=chunk).values_list("key", flat=True)
            )
            missing = (
                Dossier.objects.filter(code__in=[c for c in chunk if c not in held], imported_at__isnull=True)
                .select_related(
                    "procedure__field",
                    "procedure_version",
                    "competent_unit",
                    "applicant_person",
                    "applicant_organisation",
                )
                .order_by("id")
            )
            for dossier in missing:
                outbox.enqueue(
                    TOPIC_DONG_BO,
                    dossier.code,
                    dong_bo_ho_so_mc(dossier, updating=True),
                    idempotency_key=f"{TOPIC_DONG_BO}:{dossier.code}:{dossier.lock_version}",
                )
                created += 1
        result = Resent(replayed, hastened, created)
        audit.record(
            "dossier.resend_to_portal",
            object_type="dossiers.dossier",
            object_id="",
            summary=f"Gửi lại {len(codes)} hồ sơ lên Cổng DVCQG",
            data={"codes": list(codes[:500]), "replayed": replayed, "hastened": hastened, "created": created},
        )
    return result
