"""The document types the demo procedures ask for or issue (docs/rules.md, "Document types").

The national catalogue's own codes for these papers are not published: the codes are motcua's, stable
once written (a procedure file refers to them). ``reusable``: the state issues and keeps the paper, so
a citizen can pick it from the personal data warehouse instead of uploading it.
"""

from django.db import migrations

from motcua.catalogue.doctypes import DOCUMENT_TYPES, ensure


def add_types(apps, schema_editor):
    ensure(apps.get_model("catalogue", "DocumentType"))


def remove_unused_types(apps, schema_editor):
    DocumentType = apps.get_model("catalogue", "DocumentType")
    DocumentType.objects.filter(
        code__in=[row[0] for row in DOCUMENT_TYPES], components__isnull=True, issued_by__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0006_document_types"),
    ]

    operations = [migrations.RunPython(add_types, remove_unused_types)]
