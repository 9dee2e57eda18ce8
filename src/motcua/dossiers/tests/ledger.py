"""What a use case wrote to the ledger of dossiers: events, audit entries and outbox rows (helpers of
the ``test_services_*`` modules)."""

from __future__ import annotations

from contextlib import contextmanager

from motcua.core.models import AuditEntry
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.integrations.models import OutboxMessage


def counts() -> tuple[int, int, int, int]:
    return (
        DossierEvent.objects.count(),
        AuditEntry.objects.count(),
        OutboxMessage.objects.filter(topic="dvcqg.DongBoHoSoMC").count(),
        OutboxMessage.objects.filter(topic="dvcqg.CapNhatTienDoHoSoMC").count(),
    )


@contextmanager
def one_of_each():
    """The block writes exactly one event, one audit entry and, for the national portal, one record
    and one progress event."""
    before = counts()
    yield
    after = counts()
    assert tuple(b - a for a, b in zip(before, after, strict=True)) == (1, 1, 1, 1)


@contextmanager
def nothing_written():
    before = counts()
    dossiers = list(Dossier.objects.values_list("pk", "lock_version", "state", "due_at"))
    yield
    assert counts() == before
    assert list(Dossier.objects.values_list("pk", "lock_version", "state", "due_at")) == dossiers


def history(dossier) -> list[tuple[str, int, str]]:
    return list(
        DossierEvent.objects.filter(dossier=dossier)
        .order_by("seq")
        .values_list("action", "national_status", "step_code")
    )
