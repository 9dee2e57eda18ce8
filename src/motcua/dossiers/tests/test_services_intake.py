"""Intake: its checks, the dossier codes, online acceptance, and the cost of a counter receipt with
the reference-data cache behind it.

Deadlines are worked out by hand on the calendar of 2026 described in this folder's ``conftest.py``.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.core.audit import verify_chain
from motcua.core.models import Person, RuleVersion
from motcua.dossiers import services as s
from motcua.dossiers.models import DailySequence
from motcua.dossiers.rules import (
    InvalidDossierInput,
)
from motcua.dossiers.tests import factories as df
from motcua.dossiers.tests.factories import at
from motcua.dossiers.tests.ledger import nothing_written
from motcua.workdays.models import CalendarOverride, OfficeHours

pytestmark = pytest.mark.django_db


# -- intake checks and codes -----------------------------------------------------------------------


def test_intake_validates_components_and_the_applicant_id(w):
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        components = df.all_components(w)
        with nothing_written(), pytest.raises(InvalidDossierInput) as caught:
            df.receive(w, components=[components[1]])
        assert (
            caught.value.code == "components_missing" and "Tờ khai đăng ký khai sinh" in caught.value.message
        )
        wrong = Person.objects.create(citizen_id="999085000123", full_name="Sai Mã Tỉnh")
        with pytest.raises(InvalidDossierInput) as caught:
            df.receive(w, applicant=wrong)
        assert caught.value.code == "applicant_id_invalid" and caught.value.status == 422
        assert not DailySequence.objects.exists()  # no number was spent on refused receipts
        d = df.receive(w, applicant=w.organisation)
        assert (d.applicant_organisation, d.applicant_person, d.applicant_type) == (w.organisation, None, 2)
        assert d.components.count() == 2 and d.fees.get().amount_vnd == 8000


def test_codes_follow_the_unit_and_day_and_the_rule_in_force(w):
    RuleVersion.objects.create(
        key="dossiers.code_format", effective_from=date(2026, 7, 1), value="{unit_code}-{YYYYMMDD}-{NNNNNNN}"
    )
    with time_machine.travel(at(2026, 6, 30, 9, 0), tick=False) as clock:
        codes = [df.receive(w).code, df.receive(w).code, df.receive(w, unit=w.ward_b).code]
        clock.move_to(at(2026, 7, 1, 9, 0))
        codes.append(df.receive(w).code)
    assert codes == [
        "000.11.01.H31-260630-0001",
        "000.11.01.H31-260630-0002",
        "000.11.02.H31-260630-0001",
        "000.11.01.H31-20260701-0000001",
    ]


def test_online_acceptance_counts_from_the_next_opening(w):
    with time_machine.travel(at(2026, 3, 7, 10, 0), tick=False) as clock:  # Saturday
        weekend = df.submit(w)
        evening = df.submit(w)
        assert weekend.due_at is None and weekend.national_status == 1
        weekend = s.accept_online(weekend.code, by=w.intake_a, expected_version=1)
        # Accepted on Saturday: counts from Monday 09/03 07:30 → Thursday 12/03 17:00.
        assert weekend.received_at == at(2026, 3, 7, 10, 0) and weekend.due_at == at(2026, 3, 12, 17, 0)
        clock.move_to(at(2026, 3, 9, 16, 0))  # Monday after the paper cut-off, inside office hours
        evening = s.accept_online(evening.code, by=w.intake_a, expected_version=1)
        assert evening.due_at == at(2026, 3, 12, 17, 0)
    RuleVersion.objects.create(
        key="workdays.online_received", effective_from=date(2026, 3, 10), value="cutoff"
    )
    with time_machine.travel(at(2026, 3, 10, 16, 0), tick=False):  # Tuesday 16:00 with the cut-off
        late = s.accept_online(df.submit(w).code, by=w.intake_a, expected_version=1)
        assert late.due_at == at(2026, 3, 16, 17, 0)  # counts from Wednesday: Thursday, Friday, Monday


# -- cost of a counter receipt, and the reference-data cache behind it -----------------------------


def statements(call) -> list[str]:
    """The SQL statements ``call()`` runs, reduced to their first words."""
    with CaptureQueriesContext(connection) as ctx:
        call()
    return [" ".join(q["sql"].split()[:3]) for q in ctx.captured_queries]


def test_a_counter_receipt_runs_a_fixed_small_number_of_statements(w):
    """Pinned: the permission query (which also brings the cache token), the staffing of the workflow's
    steps (one query: nobody may be sent a dossier that would wait at a step nobody can do), the daily
    serial, the dossier with its components, fees and event, the audit head and entry, the outbox row —
    and nothing that reads the catalogue, the calendar or the rules, which come from the process cache."""
    components = df.all_components(w)
    three = [*components, s.ComponentInput(name="Ảnh chân dung", kind="copy")]
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        df.receive(w)  # fills the cache
        run = statements(lambda: df.receive(w, components=components))
        more = statements(lambda: df.receive(w, components=three))
    tables = " ".join(run)
    for cached in ("catalogue_", "workdays_", "core_ruleversion", 'core_orgunit" WHERE'):
        assert cached not in tables, run
    # The test runs inside a transaction, so the use case's own is a SAVEPOINT … RELEASE pair, where a
    # real request has BEGIN … COMMIT: the same count.
    if connection.vendor == "postgresql":
        # Begin; roles + token; staffing; serial; the dossier with its components, fees and event (one
        # statement, whatever their number); head lock; entry + head; outbox; end.
        assert len(run) == 9, run
        assert len(more) == len(run), more
    else:
        # SQLite: one INSERT per component, and the audit entry and the head in two statements.
        assert len(run) == 14, run
        assert len(more) == len(run) + 1, more
    assert verify_chain().ok


def test_an_admin_change_to_the_calendar_or_the_rules_applies_to_the_next_receipt(w):
    def due() -> datetime:
        return df.receive(w).due_at

    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        # Monday 09:00, three working days: Thursday 12/03 at 17:00.
        assert due() == at(2026, 3, 12, 17, 0)
        holiday = CalendarOverride.objects.create(
            date=date(2026, 3, 11), kind="day_off", name="Nghỉ đột xuất"
        )
        assert due() == at(2026, 3, 13, 17, 0)
        holiday.delete()
        assert due() == at(2026, 3, 12, 17, 0)
        local = CalendarOverride.objects.create(
            date=date(2026, 3, 10), kind="day_off", name="Lễ hội phường", unit=w.ward_a
        )
        assert due() == at(2026, 3, 13, 17, 0)
        local.kind = "cancel_day_off"
        local.save()
        assert due() == at(2026, 3, 12, 17, 0)
        hours = OfficeHours.objects.create(
            unit=w.ward_a, effective_from=date(2026, 3, 1), windows=[["07:30", "11:30"], ["13:30", "16:00"]]
        )
        assert due() == at(2026, 3, 12, 16, 0)
        hours.delete()
        cutoff = RuleVersion.objects.create(
            key="workdays.cutoff", effective_from=date(2026, 3, 9), value="08:30"
        )
        assert due() == at(2026, 3, 13, 17, 0)  # 09:00 is after the 08:30 cut-off: counts from Tuesday
        cutoff.value = "15:00"
        cutoff.save()
        assert due() == at(2026, 3, 12, 17, 0)
        RuleVersion.objects.create(
            key="dossiers.code_format",
            effective_from=date(2026, 3, 9),
            value="{unit_code}/{YYYYMMDD}/{NNNNN}",
        )
        assert df.receive(w).code.startswith("000.11.01.H31/20260309/000")
    assert verify_chain().ok


def test_a_catalogue_change_applies_to_the_next_receipt(w):
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        first = df.receive(w)
        version = w.version
        version.time_limit_value = 5
        version.save()
        fee = version.fees.get()
        fee.amount_vnd = 10000
        fee.save()
        second = df.receive(w)
        extra = version.components.create(order=9, name="Giấy tờ mới bắt buộc", required=True)
        with pytest.raises(InvalidDossierInput) as caught:
            df.receive(
                w, components=[s.ComponentInput(component_id=c.pk) for c in version.components.all()][:2]
            )
        assert caught.value.code == "components_missing" and extra.name in caught.value.message
    assert first.due_at == at(2026, 3, 12, 17, 0) and second.due_at == at(2026, 3, 16, 17, 0)
    assert [f.amount_vnd for f in second.fees.all()] == [10000]
    assert first.fees.get().amount_vnd == 8000


def test_a_change_made_by_another_process_is_seen_through_the_generation_token(w):
    """Another process (the admin's web worker) commits an override with a new token. Here the same is
    written without signals, as that process's rows would appear: the token alone makes this process
    drop its cache."""
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        assert df.receive(w).due_at == at(2026, 3, 12, 17, 0)
        CalendarOverride.objects.bulk_create(
            [CalendarOverride(date=date(2026, 3, 11), kind="day_off", name="Nghỉ đột xuất")]
        )  # bulk_create sends no signal: this process's cache is still the old one
        assert df.receive(w).due_at == at(2026, 3, 12, 17, 0)
        with connection.cursor() as cursor:
            cursor.execute("UPDATE core_cachegeneration SET token = %s WHERE id = 1", ["other-process"])
        assert df.receive(w).due_at == at(2026, 3, 13, 17, 0)


def test_a_scan_at_the_counter_is_a_digitisation_and_an_online_file_is_not(w, _documents_storage):
    from dataclasses import replace

    from django.core.files.uploadedfile import SimpleUploadedFile

    from motcua.core import contentstore
    from motcua.dossiers.models import DossierComponent

    def with_scan(content: bytes) -> list[s.ComponentInput]:
        items = df.all_components(w)
        return [replace(items[0], file=SimpleUploadedFile("a1b2.pdf", content)), *items[1:]]

    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        d = df.receive(w, components=with_scan(b"%PDF-1.4 to khai"))
    scan = DossierComponent.objects.get(dossier=d, file_sha256__gt="")
    assert scan.digitised and scan.digitised_by == w.intake_a and scan.digitised_at == at(2026, 3, 9, 9, 0)
    assert contentstore.read(scan.file.name, scan.file_sha256) == b"%PDF-1.4 to khai"
    # the same bytes handed in again are the same object on the storage
    df.receive(w, components=with_scan(b"%PDF-1.4 to khai"))
    assert len(list(_documents_storage.rglob("*.pdf"))) == 1
    # a refused intake stores nothing
    with pytest.raises(InvalidDossierInput):
        df.receive(w, components=with_scan(b"%PDF-1.4 khac")[:1])
    assert len(list(_documents_storage.rglob("*.pdf"))) == 1
    # uploaded online by the applicant: an electronic submission, not a digitisation by the one-stop
    online = s.submit_online(
        applicant=w.person,
        procedure=w.procedure,
        receiving_unit=w.ward_a,
        competent_unit=w.ward_a,
        components=with_scan(b"%PDF-1.4 nop truc tuyen"),
    )
    uploaded = DossierComponent.objects.get(dossier=online, file_sha256__gt="")
    assert not uploaded.digitised and uploaded.digitised_by is None and uploaded.file_size == 23
