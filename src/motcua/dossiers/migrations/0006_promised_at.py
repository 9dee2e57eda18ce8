"""The statutory due stays in ``due_at``; an apology's new date moves to ``promised_at``.

Until now ``due_at`` held the current due moment (moved by an apology) and ``original_due_at`` the
statutory one. Measures must compare with the statutory due (an apology explains a delay, it does not
excuse it), so the statutory due becomes ``due_at`` and the promised date gets its own column. The
events of a dossier with an apology are brought in line (an event's ``due_at`` is the statutory due).
"""

from django.db import migrations, models
from django.db.models import F


def forwards(apps, schema_editor):
    Dossier = apps.get_model("dossiers", "Dossier")
    DossierEvent = apps.get_model("dossiers", "DossierEvent")
    moved = Dossier.objects.exclude(original_due_at__isnull=True).exclude(due_at=F("original_due_at"))
    for dossier in moved.iterator():
        dossier.promised_at = dossier.due_at
        dossier.due_at = dossier.original_due_at
        dossier.save(update_fields=["promised_at", "due_at"])
    # after a reset the events carried the promised date: give them the statutory due in force
    for code in (
        DossierEvent.objects.filter(action="reset_due").values_list("dossier_id", flat=True).distinct()
    ):
        statutory = None
        for event in DossierEvent.objects.filter(dossier_id=code).order_by("seq"):
            if event.action in ("receive_at_counter", "accept_online", "receive_supplement"):
                statutory = event.due_at
            elif statutory is not None and event.due_at != statutory:
                event.due_at = statutory
                event.save(update_fields=["due_at"])


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0005_lean_indexes")]

    operations = [
        migrations.AddField(
            model_name="dossier",
            name="promised_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="ngày hẹn trả mới (theo phiếu xin lỗi)"
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True),
        migrations.RemoveField(model_name="dossier", name="original_due_at"),
        migrations.AlterField(
            model_name="dossier",
            name="due_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="hạn giải quyết theo quy định"),
        ),
    ]
