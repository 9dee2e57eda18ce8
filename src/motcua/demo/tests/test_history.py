"""The demo's year of dossier history: realistic, deterministic, idempotent, and consistent."""

import io
from datetime import date

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from motcua.catalogue.models import Procedure
from motcua.core.identity import parse_citizen_id
from motcua.core.models import Person
from motcua.demo import history
from motcua.demo.loader import load_demo
from motcua.documents import services, verify
from motcua.documents.models import Document
from motcua.dossiers.models import Dossier, DossierEvent, DueReset
from motcua.integrations.models import OutboxMessage
from motcua.workdays.domain import to_local

pytestmark = pytest.mark.django_db


def share(qs, total):
    return qs.count() / total


def test_demo_history_is_a_realistic_year_loaded_once():
    load_demo(verbose=False)  # the default: about 2,000 dossiers
    dossiers = Dossier.objects.filter(imported_at__isnull=False)  # not the few walked through the services
    total = dossiers.count()
    assert 1900 <= total <= history.COUNT
    # a realistic mix
    assert share(dossiers.filter(state="returned"), total) > 0.8
    finished = dossiers.filter(state__in=["returned", "result_ready"])
    late = finished.filter(finished_at__gt=F("due_at")).count() / finished.count()
    assert 0.03 < late < 0.12
    assert 0.05 < share(dossiers.filter(supplements__isnull=False).distinct(), total) < 0.2
    assert DueReset.objects.count() >= 10
    assert 0.01 < share(dossiers.filter(state="withdrawn"), total) < 0.06
    refused = dossiers.filter(state__in=["refused_at_intake", "refused_after_appraisal"])
    assert 0.005 < share(refused, total) < 0.05
    open_ = dossiers.filter(state__in=["received", "in_progress", "awaiting_supplement", "awaiting_payment"])
    assert open_.count() >= 10
    assert open_.filter(due_at__lt=timezone.now(), state="in_progress").count() >= 3  # overdue now
    assert 0.15 < share(dossiers.filter(channel=2), total) < 0.4
    assert set(dossiers.values_list("procedure__code", flat=True)) == set(
        Procedure.objects.values_list("code", flat=True)
    )
    assert dossiers.values("competent_unit").distinct().count() >= 10
    days = [to_local(d).date() for d in dossiers.values_list("submitted_at", flat=True)]
    assert date(2025, 11, 24) <= min(days) and max(days) <= date(2026, 11, 26)
    # applicants: people with structurally valid CCCD numbers
    for number in Person.objects.values_list("citizen_id", flat=True):
        parse_citizen_id(number)
    # consistent: projections are the fold of the events, the audit chain holds, nothing for the portal
    call_command("dossiers", "rebuild", "--verify", stderr=io.StringIO())
    call_command("audit", "verify", stdout=io.StringIO(), stderr=io.StringIO())
    # (the few dossiers walked through the services have their messages, as any new dossier does)
    assert not OutboxMessage.objects.filter(key__in=list(dossiers.values_list("code", flat=True))).exists()
    # the most recently finished dossiers with a result code carry their signed result, which verifies;
    # the others keep the number only (no link to a file that does not exist)
    results = Document.objects.filter(kind="result").select_related("dossier")
    assert results.count() == settings.MOTCUA_DEMO_SIGNED_RESULTS
    sample = results.first()
    assert sample.dossier.result_code == sample.public_code
    assert sample.dossier.result_file_url.endswith(f"/xac-thuc/{sample.public_code}/")
    assert verify.verify(services.content(sample)).genuine
    assert not dossiers.filter(result_code="", result_file_url__gt="").exists()
    assert dossiers.filter(result_file_url__gt="").count() == results.count()
    # idempotent: loading again duplicates nothing
    counts = (Dossier.objects.count(), DossierEvent.objects.count(), Person.objects.count(), results.count())
    report = load_demo(verbose=False)
    assert report.dossiers.startswith("0 hồ sơ mới, 0 cập nhật")
    assert (
        Dossier.objects.count(),
        DossierEvent.objects.count(),
        Person.objects.count(),
        results.count(),
    ) == counts


def test_generation_is_deterministic():
    load_demo(verbose=False, history=0)
    first = history.generate(60)
    assert history.generate(60) == first
    assert history.generate(60, seed=1) != first
    assert len({r["MaHoSo"] for r in first}) == len(first)
