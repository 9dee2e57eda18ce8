"""The importer's write path (pass 2): dossiers written as plain rows (``COPY`` on PostgreSQL,
``bulk_create`` elsewhere), prepared one batch ahead in a second thread, each batch one transaction;
and the value-row rendering that export and the "unchanged?" check use. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json

import pytest
import time_machine
from django.core.management import call_command
from django.db import DatabaseError, connection
from django.utils import timezone

from motcua.catalogue.models import Procedure
from motcua.core import audit
from motcua.core.audit import verify_chain
from motcua.core.models import AuditEntry, Organisation, OrgUnit, Person
from motcua.dossiers import importing, jsonl
from motcua.dossiers import services as s
from motcua.dossiers.importing import Summary, Writer, import_file, validate
from motcua.dossiers.models import Dossier, DossierComponent, DossierEvent, DossierFee, DueReset, Supplement
from motcua.dossiers.projection import rebuild
from motcua.dossiers.tests import factories as df
from motcua.dossiers.tests.factories import at
from motcua.dossiers.tests.test_jsonl import LINES, WARD, write
from motcua.integrations.models import OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return df.world()


def exported() -> dict[str, dict]:
    return {r["MaHoSo"]: r for r in jsonl.iter_records(jsonl.export_queryset())}


def stored() -> dict[str, int]:
    return {
        "dossiers": Dossier.objects.count(),
        "events": DossierEvent.objects.count(),
        "components": DossierComponent.objects.count(),
        "fees": DossierFee.objects.count(),
        "supplements": Supplement.objects.count(),
        "resets": DueReset.objects.count(),
        "people": Person.objects.count(),
        "organisations": Organisation.objects.count(),
        "procedures": Procedure.objects.count(),
        "units": OrgUnit.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


def online(n: int, citizen_id: str, **changes) -> dict:
    """A small online dossier in progress (a variant of LINES[1]) with its own code."""
    return {**LINES[1], "MaHoSo": f"{WARD}-260309-{n:04d}", "MaDoiTuong": citizen_id, **changes}


def test_value_rows_render_exactly_what_the_model_instances_render(world, tmp_path):
    import_file(write(tmp_path, LINES))
    with time_machine.travel(at(2026, 3, 19, 9, 0), tick=False) as travel:
        native = df.receive(world)
        travel.move_to(at(2026, 3, 19, 10, 0))
        s.request_supplement(
            native.code, by=world.specialist_a, expected_version=1, items=["Tờ khai"], reasons="Thiếu chữ ký"
        )
        df.receive(world, applicant=world.organisation)
    by_models = {d.code: jsonl.render_loaded(d) for d in jsonl.with_rows(Dossier.objects.all())}
    by_values = {code: record for _, code, record in jsonl.records(Dossier.objects.all())}
    assert by_values == by_models
    assert len(by_values) == len(LINES) + 2
    # a supplement requested by a staff member names them (a join, not a model instance)
    record = by_values[native.code]
    assert record["DanhSachHoSoBoSung"][0]["NguoiYeuCauBoSung"] == world.specialist_a.full_name
    # and the text an export writes is the same either way
    assert [jsonl.dumps(r) for r in jsonl.iter_records(jsonl.export_queryset())] == [
        jsonl.dumps(by_models[d.code]) for d in Dossier.objects.order_by("pk")
    ]


def test_a_database_failure_in_the_last_batch_stores_nothing(world, tmp_path, monkeypatch):
    """The whole file is one transaction: a failure in batch 3 (after batches 1 and 2 were written,
    batch 2 with a placeholder procedure, a placeholder unit and new applicants) leaves nothing at
    all — no dossier, event, item, applicant, placeholder or audit entry. Before, batches 1 and 2
    stayed committed. Running the file again imports it whole."""
    path = write(tmp_path, LINES)  # batches of 3: lines 1–3, 4–6 (a placeholder procedure, unit), 7
    before = stored()
    insert = Writer.insert
    written = []

    def failing(self, new):
        insert(self, new)
        written.append([b.dossier["code"] for b in new])
        if len(written) == 3:
            raise DatabaseError("disk full (forced by the test)")

    monkeypatch.setattr(Writer, "insert", failing)
    with pytest.raises(DatabaseError):
        import_file(path, batch_size=3)
    monkeypatch.setattr(Writer, "insert", insert)
    assert [len(codes) for codes in written] == [3, 3, 1]  # every batch had sent its rows
    assert stored() == before
    assert not Procedure.objects.filter(code="9.999999").exists()
    assert not OrgUnit.objects.filter(eid_code="000.99.01.H31").exists()
    assert not Organisation.objects.filter(tax_code="0209876543").exists()
    assert rebuild(verify=True).ok and verify_chain().ok
    # the file is imported whole once the cause is gone
    again = import_file(path, batch_size=3)
    assert (again.created, again.updated, again.unchanged) == (len(LINES), 0, 0)
    assert again.placeholder_procedures == ["9.999999"]
    records = exported()
    assert all(jsonl.covers(records[line["MaHoSo"]], line) for line in LINES)
    assert rebuild(verify=True).ok and verify_chain().ok
    assert not OutboxMessage.objects.exists()


def test_a_nul_that_only_the_database_refuses_stores_nothing(world, tmp_path, monkeypatch):
    """PostgreSQL refuses NUL in text: were one to slip past validation into batch 2 of 2, the batch's
    ``COPY`` fails and batch 1 is not kept either. (Validation catches NUL: ``test_importing_input``.)"""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite stores NUL; the injected failure above covers SQLite")
    lines = [online(31, "031090001234"), online(32, "031185004321"), online(33, "031195001111")]
    lines[2]["ChuHoSo"] = "Võ Thị\u0000 Em"
    before = stored()
    import psycopg

    monkeypatch.setattr(importing.checks, "check_value", lambda obj: None)  # validation blinded
    with pytest.raises((DatabaseError, psycopg.DataError)):  # COPY runs on the driver's cursor
        import_file(write(tmp_path, lines), batch_size=2)
    assert stored() == before
    assert not Person.objects.filter(citizen_id="031090001234").exists()  # new in batch 1


def test_the_audit_chain_is_locked_only_at_the_end_of_an_import(world, tmp_path, monkeypatch):
    """One transaction for the whole file, but the audit entries (each batch's, the placeholders')
    are appended at its end: until then the chain's head is not taken."""
    seen = []
    lock = audit._lock_head

    def spy():
        seen.append(Dossier.objects.count())
        return lock()

    monkeypatch.setattr(audit, "_lock_head", spy)
    summary = import_file(write(tmp_path, LINES), batch_size=3)
    assert summary.batches == 3
    # 3 batch entries and 4 placeholder entries (procedure, field, version, unit), all after the last batch
    assert seen == [len(LINES)] * 7
    entries = AuditEntry.objects.filter(action="dossier.import").order_by("id")
    assert [e.data["batch"] for e in entries] == [1, 2, 3]
    assert {e.actor_label for e in AuditEntry.objects.order_by("-id")[:7]} == {importing.IMPORT_LABEL}
    assert verify_chain().ok


def test_batches_prepared_ahead_see_placeholders_and_applicants_of_earlier_batches(world, tmp_path):
    """Batch 2 is prepared while batch 1 is written: a procedure first met in batch 2 is created
    there (its lines are built in the writing thread), later batches use it; a new applicant of
    batch 1 is found, not created again, by batch 3."""
    unknown = {"MaTTHC": "9.999998", "TenTTHC": "Thủ tục tạm"}
    lines = [
        online(11, "031090001234"),  # batch 1: a new citizen
        online(12, "031185004321"),
        online(13, df.CITIZEN_ID, **unknown),  # batch 2: the unknown procedure first appears
        online(14, "031195001111"),
        online(15, "031090001234", **unknown),  # batch 3: the same citizen and procedure again
        online(16, "031075009999", SoDienThoai="0900000016"),
    ]
    people = Person.objects.count()
    summary = import_file(write(tmp_path, lines), batch_size=2)
    assert (summary.created, summary.batches, summary.placeholder_procedures) == (6, 3, ["9.999998"])
    assert Procedure.objects.filter(code="9.999998").count() == 1
    placeholder = Procedure.objects.get(code="9.999998")
    assert set(Dossier.objects.filter(procedure=placeholder).values_list("code", flat=True)) == {
        lines[2]["MaHoSo"],
        lines[4]["MaHoSo"],
    }
    assert Person.objects.filter(citizen_id="031090001234").count() == 1
    assert Person.objects.count() - people == summary.applicants_created
    records = exported()
    assert all(jsonl.differing(records[line["MaHoSo"]], line) == [] for line in lines)
    assert rebuild(verify=True).ok
    again = import_file(write(tmp_path, lines, "lai.jsonl"), batch_size=2)
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(lines))


def test_new_unchanged_and_changed_lines_mixed_over_batches(world, tmp_path):
    import_file(write(tmp_path, LINES))
    events = DossierEvent.objects.count()
    changed = {**LINES[1], "TrangThaiHoSo": 9, "NgayKetThucXuLy": "20260311100000", "GhiChuMoi": "x"}
    lines = [changed, LINES[0], online(21, df.CITIZEN_ID), LINES[2], online(22, "031090001234")]
    summary = import_file(write(tmp_path, lines, "tron.jsonl"), batch_size=2)
    assert (summary.created, summary.updated, summary.unchanged) == (2, 1, 2)
    dossier = Dossier.objects.get(code=changed["MaHoSo"])
    assert dossier.state == "result_ready" and dossier.extra["GhiChuMoi"] == "x"
    assert dossier.events.order_by("-seq").first().action == "import_update"
    new_events = sum(Dossier.objects.get(code=line["MaHoSo"]).lock_version for line in lines[2::2])
    assert DossierEvent.objects.count() - events == new_events + 1
    records = exported()
    assert all(jsonl.covers(records[line["MaHoSo"]], line) for line in lines)
    assert rebuild(verify=True).ok and not OutboxMessage.objects.exists()


def test_preparing_a_dossier_touches_no_database(world, tmp_path, django_assert_num_queries):
    """``Writer.prepare`` runs in the second thread: it must not query (that thread has no share in
    the batch's transaction). Lines that need a placeholder are left to the writing thread."""
    now = timezone.now()
    checked = validate(write(tmp_path, LINES), now=now, keep=True)
    assert checked.parsed is not None
    writer = Writer(checked, Summary(), "kiểm tra")
    writer.preload(code for code in checked.first_day if not code.startswith("unit:"))
    reserved = writer.reserve(checked.parsed)  # ids from the sequences (PostgreSQL), else None
    with django_assert_num_queries(0):
        prepared = writer.prepare_all(checked.parsed, now, reserved)
    assert [b is None for b in prepared] == [line["MaTTHC"] == "9.999999" for line in LINES]
    for built in prepared:
        if built is not None:
            assert built.dossier["lock_version"] == len(built.timed)
            assert (built.ready is not None) == (reserved is not None)


def test_the_command_reports_the_summary(world, tmp_path):
    err = io.StringIO()
    out = io.StringIO()
    call_command(
        "dossiers", "import", str(write(tmp_path, LINES)), "--batch-size", "2", stdout=out, stderr=err
    )
    report = err.getvalue()
    assert f"Đã nhập {len(LINES)} dòng" in report and f"{len(LINES)} hồ sơ mới" in report
    assert "9.999999" in report and "000.99.01.H31" in report
    out = io.StringIO()
    call_command("dossiers", "import", str(write(tmp_path, LINES, "lai.jsonl")), "--json", stdout=out)
    summary = json.loads(out.getvalue())
    assert (summary["created"], summary["unchanged"], summary["batches"]) == (0, len(LINES), 1)


def test_copy_rows_cover_every_column():
    """The plain rows start from every concrete column's default, so a column added later is still
    written (with its default) by ``COPY``."""
    for table, model in (
        (importing.DOSSIERS, Dossier),
        (importing.EVENTS, DossierEvent),
        (importing.COMPONENTS, DossierComponent),
        (importing.FEES, DossierFee),
        (importing.SUPPLEMENTS, Supplement),
        (importing.RESETS, DueReset),
        (importing.PEOPLE, Person),
        (importing.ORGANISATIONS, Organisation),
    ):
        names = {f.attname for f in model._meta.concrete_fields if not f.primary_key}
        assert set(table.row()) == names == set(table.attnames)
        assert len(table.values(table.row())) == len(table.columns)
