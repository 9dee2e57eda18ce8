"""Is a dossier synchronised with the national public service portal? One rule for every screen.

A dossier counts as synchronised (766 indicator 1.4, the sync rate, the dossier page) when the portal
acknowledged at least one of its full records (``DongBoHoSoMC`` delivered), or when it was imported from
a portal record (it is already there). Otherwise it is waiting (a record pending), failed (its records
are in the dead letters) or not synchronised at all. ``verdict`` is that rule; the evaluation app reads
the best status of each dossier's records in bulk and calls it, the dossier page reads one dossier
(``dossier_sync``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext_lazy as _

from motcua.dossiers.models import Dossier
from motcua.dossiers.sync import TOPIC_DONG_BO, TOPIC_TIEN_DO
from motcua.integrations.models import OutboxMessage

# The best status of a dossier's records: delivered beats pending beats dead.
RANK: dict[str, int] = {
    OutboxMessage.Status.DELIVERED: 3,
    OutboxMessage.Status.PENDING: 2,
    OutboxMessage.Status.DEAD: 1,
}


def best(statuses: Iterable[str]) -> str:
    """The best of some record statuses (``""`` for none)."""
    return max(statuses, key=lambda s: RANK.get(s, 0), default="")


def verdict(best_status: str, imported: bool) -> str:
    """``synced``, ``synced_import``, ``sync_pending``, ``sync_failed`` or ``not_synced``."""
    if best_status == OutboxMessage.Status.DELIVERED:
        return "synced"
    if imported:
        return "synced_import"
    return {"pending": "sync_pending", "dead": "sync_failed"}.get(best_status, "not_synced")


SYNCED = ("synced", "synced_import")


@dataclass(frozen=True)
class DossierSync:
    verdict: str
    latest_acknowledged: bool  # the portal holds the dossier's current state
    acknowledged_at: datetime | None
    receipt: str
    waiting: int  # messages (records and progress events) not yet acknowledged
    failing: bool  # one of them failed (retrying or dead)

    @property
    def synced(self) -> bool:
        return self.verdict in SYNCED

    @property
    def text(self) -> str:
        if self.verdict == "synced_import":
            return str(_("Đã có trên Cổng (nhập từ bản ghi đồng bộ)"))
        if self.verdict == "sync_failed":
            return str(_("Gửi lỗi, đang chờ quản trị hệ thống xử lý"))
        if self.verdict == "synced" and self.latest_acknowledged and not self.waiting:
            return str(_("Đã đồng bộ trạng thái mới nhất"))
        if self.failing:
            return str(_("Cổng chưa nhận được, hệ thống đang gửi lại"))
        if self.verdict == "synced":
            return str(_("Đã đồng bộ; thay đổi mới nhất đang chờ gửi"))
        if self.verdict == "sync_pending":
            return str(_("Đang chờ gửi"))
        return str(_("Chưa đồng bộ"))


def dossier_sync(dossier: Dossier) -> DossierSync:
    """The sync state of one dossier (one query over its outbox messages)."""
    rows = list(
        OutboxMessage.objects.filter(key=dossier.code, topic__in=(TOPIC_DONG_BO, TOPIC_TIEN_DO))
        .order_by("id")
        .values_list("topic", "idempotency_key", "status", "delivered_at", "receipt", "attempts")
    )
    records = [r for r in rows if r[0] == TOPIC_DONG_BO]
    latest_key = f"{TOPIC_DONG_BO}:{dossier.code}:{dossier.lock_version}"
    acknowledged = [r for r in records if r[2] == OutboxMessage.Status.DELIVERED]
    last = acknowledged[-1] if acknowledged else None
    return DossierSync(
        verdict=verdict(best(r[2] for r in records), dossier.imported_at is not None),
        latest_acknowledged=any(r[1] == latest_key for r in acknowledged),
        acknowledged_at=last[3] if last else None,
        receipt=last[4] if last else "",
        waiting=sum(1 for r in rows if r[2] != OutboxMessage.Status.DELIVERED),
        failing=any(r[2] == OutboxMessage.Status.DEAD or (r[2] == "pending" and r[5] > 0) for r in rows),
    )
