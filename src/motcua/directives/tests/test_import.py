"""Plan import: stored all or nothing, idempotent, dry run, refusals with their place; the CLI contract."""

from __future__ import annotations

import json
from datetime import date
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from motcua.core.errors import DomainError, Forbidden
from motcua.core.models import AuditEntry
from motcua.directives import services
from motcua.directives.models import Directive, DirectiveUnit, Occurrence, SourceDocument
from motcua.directives.services import plans
from motcua.directives.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return f.world()


def run_cli(*args: str) -> tuple[dict, str]:
    import io

    out, err = io.StringIO(), io.StringIO()
    call_command("directives", *args, stdout=out, stderr=err)
    return (json.loads(out.getvalue()) if "--json" in args else {}), err.getvalue()


def test_import_stores_the_document_tasks_units_and_occurrences(w):
    report = services.import_plan(f.plan(), source_file="thu.txt", now=f.at(2026, 1, 5))
    doc = report.document
    assert report.created and doc is not None
    assert (doc.number, doc.issued_on, doc.kind, doc.assigning_unit) == (
        "99/KH-UBND",
        date(2022, 12, 7),
        "plan",
        w.office,
    )
    assert doc.summary == "Kế hoạch thử nghiệm theo dõi nhiệm vụ của tỉnh Hải Dương"
    tasks = {d.number: d for d in Directive.objects.filter(document=doc)}
    assert list(tasks) == ["1", "2", "3", "4", "5"]
    # The recurring task has its past periods and the next one; the others one occurrence.
    assert list(tasks["1"].occurrences.values_list("due_on", flat=True)) == [
        date(2023, 9, 30),
        date(2024, 9, 30),
        date(2025, 9, 30),
        date(2026, 9, 30),
    ]
    assert tasks["1"].current.due_on == date(2023, 9, 30)  # the earliest not done
    assert tasks["3"].current.due_on == date(2026, 12, 31) and tasks["4"].current.due_on is None
    units = {
        (u.directive.number, u.role, u.name): u for u in DirectiveUnit.objects.select_related("directive")
    }
    assert units[("1", "lead", "Sở Tư pháp")].unit == w.justice
    assert units[("1", "lead", "Sở Tư pháp")].original_unit == w.old_justice
    assert units[("2", "lead", "Các sở, ban, ngành")].collective == "departments"
    assert units[("3", "lead", "Sở Kế hoạch và Đầu tư")].unit == w.finance
    assert units[("4", "coordinating", "Báo Hải Dương")].unit is None  # for the office to review
    assert AuditEntry.objects.filter(action="directives.import").count() == 1
    assert report.as_dict()["created"]["tasks"] == 5


def test_importing_the_same_document_again_changes_nothing(w):
    f.imported(w)
    counts = (
        SourceDocument.objects.count(),
        Directive.objects.count(),
        DirectiveUnit.objects.count(),
        Occurrence.objects.count(),
    )
    audit = AuditEntry.objects.count()
    report = services.import_plan(f.plan(), now=f.at(2026, 2, 1))
    assert not report.created and report.unchanged and report.tasks_created == 0
    assert (
        SourceDocument.objects.count(),
        Directive.objects.count(),
        DirectiveUnit.objects.count(),
        Occurrence.objects.count(),
    ) == counts
    assert AuditEntry.objects.count() == audit
    assert "không thay đổi gì" in report.summary()


def test_a_dry_run_stores_nothing(w):
    report = services.import_plan(f.plan(), dry_run=True)
    assert report.document is None and SourceDocument.objects.count() == 0 and Directive.objects.count() == 0
    assert "created" not in report.as_dict() and report.as_dict()["already_imported"] is False
    f.imported(w)
    again = services.import_plan(f.plan(), dry_run=True)
    assert again.as_dict()["already_imported"] is True and "nhập sẽ không thay đổi gì" in again.summary()


def test_an_import_is_all_or_nothing(w):
    with (
        mock.patch.object(plans, "ensure_occurrences", side_effect=[0, 0, RuntimeError("đĩa đầy")]),
        pytest.raises(RuntimeError),
    ):
        services.import_plan(f.plan())
    assert (SourceDocument.objects.count(), Directive.objects.count(), DirectiveUnit.objects.count()) == (
        0,
        0,
        0,
    )


def test_strict_units_refuses_unknown_names_with_their_place(w):
    with pytest.raises(DomainError) as caught:
        services.import_plan(f.plan(), strict_units=True)
    tasks = f.plan().tasks
    assert caught.value.details == [
        {
            "place": tasks[1].place,
            "problem": "nhiệm vụ 2: chưa khớp cơ quan phối hợp “Sở TT&TT” với đơn vị nào.",
        },
        {
            "place": tasks[3].place,
            "problem": "nhiệm vụ 4: chưa khớp cơ quan phối hợp “Báo Hải Dương” với đơn vị nào.",
        },
    ]
    assert SourceDocument.objects.count() == 0


def test_a_plan_without_number_or_date_needs_them_given():
    text = f.plan_text(f.ROWS).replace(
        "(Kèm theo Kế hoạch số 99/KH-UBND ngày 07/12/2022 của Chủ tịch UBND tỉnh Hải Dương)", ""
    )
    from motcua.directives.planparse import parse_text

    plan = parse_text(text)
    with pytest.raises(DomainError, match="số, ký hiệu và ngày ban hành"):
        services.import_plan(plan)
    report = services.import_plan(
        plan, document=services.DocumentFields(number="7/KH-UBND", issued_on=date(2027, 1, 2))
    )
    assert report.document is not None and report.document.number == "7/KH-UBND"


def test_only_the_office_imports(w):
    with pytest.raises(Forbidden):
        services.import_plan(f.plan(), by=w.justice_head)
    assert services.import_plan(f.plan(), by=w.supervisor).created


# -- the command line ------------------------------------------------------------------------------


def test_cli_json_contract_dry_run_on_an_empty_database(tmp_path):
    path = tmp_path / "ke-hoach.txt"
    path.write_text(f.plan_text(f.ROWS), encoding="utf-8")
    data, err = run_cli("import-plan", str(path), "--json", "--dry-run")
    first = data["tasks"][0]
    assert {
        k: first[k]
        for k in (
            "number",
            "section",
            "lead_units",
            "coordinating_units",
            "deadline_text",
            "deadline",
            "recurrence",
            "product",
        )
    } == {
        "number": "1",
        "section": "I",
        "lead_units": ["Sở Tư pháp"],
        "coordinating_units": ["Văn phòng UBND tỉnh"],
        "deadline_text": "30/9 hằng năm",
        "deadline": None,
        "recurrence": "FREQ=YEARLY;BYMONTH=9;BYMONTHDAY=30",
        "product": "Báo cáo",
    }
    assert first["content"] == "Báo cáo rà soát thủ tục hành chính."
    assert all(t["lead_unit_matches"] == [] and t["coordinating_unit_matches"] == [] for t in data["tasks"])
    assert data["tasks"][2]["deadline"] == "2026-12-31"
    assert "chạy thử, không lưu" in err and SourceDocument.objects.count() == 0


def test_cli_stores_and_reports_what_was_created(w, tmp_path):
    path = tmp_path / "ke-hoach.txt"
    path.write_text(f.plan_text(f.ROWS), encoding="utf-8")
    data, err = run_cli("import-plan", str(path), "--json")
    assert data["created"]["document"] is True and data["created"]["tasks"] == 5
    assert data["tasks"][0]["lead_unit_matches"] == [
        {
            "name": "Sở Tư pháp",
            "unit": "hp-stp",
            "unit_name": "Sở Tư pháp thành phố Hải Phòng",
            "via": "succession",
            "original_unit": "hd-stp",
            "original_unit_name": "Sở Tư pháp tỉnh Hải Dương",
        }
    ]
    assert data["tasks"][3]["unmatched_units"] == [{"name": "Báo Hải Dương", "role": "coordinating"}]
    assert "Báo Hải Dương" in err  # the warning names the line
    again, err = run_cli("import-plan", str(path), "--json")
    assert again["created"]["document"] is False and again["unchanged"] is True
    assert again["tasks"] == data["tasks"]


def test_cli_refuses_a_file_that_is_not_a_plan(tmp_path):
    path = tmp_path / "cong-van.txt"
    path.write_text("CÔNG VĂN\nVề việc họp giao ban\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Không tìm thấy bảng nhiệm vụ"):
        run_cli("import-plan", str(path), "--json")


def test_cli_names_the_line_of_a_bad_row(tmp_path):
    rows = [("I", "Mục"), ("1.", "Không có chủ trì.", "", "", "Năm 2027", "")]
    path = tmp_path / "ke-hoach.txt"
    text = f.plan_text(rows)
    path.write_text(text, encoding="utf-8")
    line = text.splitlines().index("\t1.") + 1
    with pytest.raises(CommandError, match=f"dòng {line}: nhiệm vụ số 1 không có cơ quan chủ trì"):
        run_cli("import-plan", str(path))
    assert SourceDocument.objects.count() == 0


def test_cli_refuses_an_unreadable_docx_and_a_missing_file(tmp_path):
    path = tmp_path / "ke-hoach.docx"
    path.write_bytes(b"PK\x03\x04broken")
    with pytest.raises(CommandError, match=r"ke-hoach\.docx"):
        run_cli("import-plan", str(path), "--json")
    with pytest.raises(CommandError, match="Không tìm thấy tệp"):
        run_cli("import-plan", str(tmp_path / "khong-co.txt"))


def test_cli_strict_units_exits_with_the_places(w, tmp_path):
    path = tmp_path / "ke-hoach.txt"
    path.write_text(f.plan_text(f.ROWS), encoding="utf-8")
    with pytest.raises(
        CommandError, match=r"dòng \d+: nhiệm vụ 4: chưa khớp cơ quan phối hợp “Báo Hải Dương”"
    ):
        run_cli("import-plan", str(path), "--strict-units")
    assert SourceDocument.objects.count() == 0


def test_cli_reads_a_docx(w, tmp_path):
    header = [
        "STT",
        "Nội dung nhiệm vụ",
        "Cơ quan chủ trì",
        "Cơ quan phối hợp",
        "Thời gian hoàn thành",
        "Sản phẩm",
    ]
    path = tmp_path / "ke-hoach.docx"
    path.write_bytes(f.docx_bytes([header, ["1", "Làm một việc.", "Sở TT&TT", "VP UBND", "Quý I/2027", ""]]))
    data, _ = run_cli("import-plan", str(path), "--json", "--number", "5/KH-UBND", "--date", "2026-12-01")
    assert data["document"]["number"] == "5/KH-UBND" and data["created"]["tasks"] == 1
    assert data["tasks"][0]["deadline"] == "2027-03-31"
    assert data["tasks"][0]["coordinating_unit_matches"][0]["unit"] == "hp-vp"
