"""Background tasks of the catalogue (run by ``motcua worker``)."""

from __future__ import annotations

from django.tasks import task

from motcua.catalogue.models import Procedure
from motcua.catalogue.services import refresh_procedure
from motcua.core.audit import acting_as


@task()
def refresh_procedures_in_force() -> int:
    """A version announced for a future date comes into force without anyone touching it: keep each
    procedure's displayed name and search index on the version in force today. Returns how many
    procedures changed."""
    changed = 0
    with acting_as(None, label="việc định kỳ: cập nhật thủ tục"):
        for procedure in (
            Procedure.objects.select_related("field").prefetch_related("versions").iterator(chunk_size=500)
        ):
            changed += refresh_procedure(procedure, reload=False)
    return changed
