"""Export jobs keep the filters they were asked with (``ExportJob.params``). The parameters became
English (docs/architecture.md); jobs written before keep working — listed, described, run — once
their stored filters carry the current names."""

from django.db import migrations

RENAMED = {
    "tu": "start",
    "den": "end",
    "don_vi": "unit",
    "chi_so": "indicator",
    "tat_ca": "all",
    "thang": "month",
    "ky": "period",
}


def rename(apps, schema_editor):
    ExportJob = apps.get_model("exports", "ExportJob")
    for job in ExportJob.objects.filter(kind__startswith="evaluation.").only("pk", "params").iterator():
        params = job.params or {}
        if any(old in params for old in RENAMED):
            renamed = {RENAMED.get(key, key): value for key, value in params.items()}
            ExportJob.objects.filter(pk=job.pk).update(params=renamed)


class Migration(migrations.Migration):
    dependencies = [
        ("exports", "0002_export_attempts"),
    ]

    operations = [migrations.RunPython(rename, migrations.RunPython.noop)]
