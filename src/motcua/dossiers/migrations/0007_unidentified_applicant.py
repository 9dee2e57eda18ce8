"""An applicant without an identity number (old imported records): no Person or Organisation, no
number, the record's ``LoaiDoiTuong`` kept; the one-applicant constraint allows it."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0006_promised_at"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="dossier",
            name="dossier_exactly_one_applicant",
        ),
        migrations.AddField(
            model_name="dossier",
            name="unidentified_applicant_type",
            field=models.PositiveSmallIntegerField(
                blank=True,
                choices=[(1, "Công dân"), (2, "Tổ chức, doanh nghiệp")],
                null=True,
                verbose_name="loại chủ hồ sơ không có số định danh (LoaiDoiTuong)",
            ),
        ),
        migrations.AddConstraint(
            model_name="dossier",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("applicant_person__isnull", False),
                        ("applicant_organisation__isnull", True),
                        ("unidentified_applicant_type__isnull", True),
                    ),
                    models.Q(
                        ("applicant_person__isnull", True),
                        ("applicant_organisation__isnull", False),
                        ("unidentified_applicant_type__isnull", True),
                    ),
                    models.Q(
                        ("applicant_person__isnull", True),
                        ("applicant_organisation__isnull", True),
                        ("applicant_id_number", ""),
                    ),
                    _connector="OR",
                ),
                name="dossier_one_applicant_or_unidentified",
            ),
        ),
    ]
