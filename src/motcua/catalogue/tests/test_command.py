"""``motcua catalogue``: JSON only on stdout, messages on stderr, CommandError (exit 1) on any error."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from motcua.catalogue.models import Procedure, WorkflowStep
from motcua.catalogue.schema import json_schema
from motcua.catalogue.tests import factories as f

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("catalogue", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def demo_file(tmp_path):
    path = tmp_path / "procedures.json"
    path.write_text(json.dumps(f.demo_document(), ensure_ascii=False), encoding="utf-8")
    return path


def test_import_prints_the_report_as_json(demo_file):
    out, err = run("import", str(demo_file), "--dry-run")
    assert json.loads(out)["dry_run"] is True and json.loads(out)["created"] == 14
    assert "Chạy thử" in err
    assert not Procedure.objects.exists()

    out, err = run("import", str(demo_file))
    assert json.loads(out)["created"] == 14
    assert "14 phiên bản mới" in err
    out, _ = run("import", str(demo_file))
    assert json.loads(out)["unchanged"] == 14


def test_invalid_document_fails_with_every_problem(tmp_path):
    workflow = f.three_day_workflow()
    workflow[0]["allotted_hours"] = 100
    path = tmp_path / "bad.json"
    path.write_text(
        json.dumps(f.document(f.procedure("1.001193", f.version(workflow=workflow)))), encoding="utf-8"
    )
    out = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("catalogue", "import", str(path), stdout=out, stderr=io.StringIO())
    assert out.getvalue() == ""
    message = str(caught.value)
    assert (
        "không hợp lệ" in message and "thủ tục 1.001193, phiên bản 1, trường versions[0].workflow" in message
    )
    assert not WorkflowStep.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("missing.json", None, "Không tìm thấy tệp"),
        ("data.csv", "a,b", "chỉ nhận .json hoặc .xlsx"),
        ("broken.json", "{nope", "không phải JSON hợp lệ"),
        ("fake.xlsx", "not excel", "Excel"),
    ],
)
def test_file_errors(tmp_path, name, content, words):
    path = tmp_path / name
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        run("import", str(path))
    assert words in str(caught.value)


def test_export_json_to_stdout_and_files(demo_file, tmp_path):
    run("import", str(demo_file))
    out, err = run("export", "--code", "1.001193", "--code", "2.000815")
    doc = json.loads(out)
    assert [p["code"] for p in doc["procedures"]] == ["1.001193", "2.000815"]
    assert "Đã xuất 2 thủ tục" in err

    target = tmp_path / "out.json"
    out, _ = run("export", "--output", str(target))
    assert out == ""
    assert len(json.loads(target.read_text(encoding="utf-8"))["procedures"]) == 14

    workbook = tmp_path / "out.xlsx"
    out, _ = run("export", "--output", str(workbook))
    assert out == "" and workbook.stat().st_size > 0
    out, _ = run("import", str(workbook))
    assert json.loads(out)["unchanged"] == 14


def test_export_errors(demo_file):
    with pytest.raises(CommandError, match="--output"):
        run("export", "--format", "xlsx")
    with pytest.raises(CommandError, match=r"9\.999999"):
        run("export", "--code", "9.999999")


def test_search(demo_file):
    run("import", str(demo_file))
    out, _ = run("search", "dang ky khai sinh", "--json")
    (row,) = json.loads(out)
    assert row["code"] == "1.001193" and row["time_limit"] == "Trong ngày"
    out, err = run("search", "KHAI SINH")
    assert out.startswith("1.001193\t") and "1 thủ tục" in err


def test_schema_is_printed(demo_file):
    out, _ = run("schema")
    assert json.loads(out) == json_schema()


def test_subcommand_is_required():
    with pytest.raises(CommandError):
        run()
