"""Retention: a file is due for appraisal and transfer when the period of its kind — the rule in force on
the day it was issued — has run out; results are kept permanently; the export carries the metadata and,
as a ZIP, the files themselves."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from motcua.core.models import RuleVersion
from motcua.documents import retention, services
from motcua.documents.rules import RETENTION_DEFAULT, RETENTION_RULE
from motcua.dossiers import services as s
from motcua.dossiers.tests import factories as df
from motcua.dossiers.tests.factories import at

pytestmark = pytest.mark.django_db


def _received_with_a_scan(w):
    """Received Monday 09/03/2026 09:00 with a scan of the first document; its receipt issued."""
    items = df.all_components(w)
    first = s.ComponentInput(
        component_id=items[0].component_id, file=SimpleUploadedFile("a.pdf", b"%PDF-1.4 x")
    )
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        d = df.receive(w, components=[first, *items[1:]])
        services.issue_form(w.intake_a, d.code, "01")
    return d


def test_forms_and_scans_fall_due_after_ten_years_to_the_day(w):
    d = _received_with_a_scan(w)
    assert retention.due(date(2036, 3, 8)) == []
    due = retention.due(date(2036, 3, 9))  # 09/03/2026 + 10 years
    assert sorted(k.kind for k in due) == ["form", "scan"]
    assert {k.dossier for k in due} == {d.code} and all(k.due == date(2036, 3, 9) for k in due)
    assert RETENTION_DEFAULT["result"] is None  # a result is kept permanently: never listed


def test_the_period_is_the_rule_in_force_on_the_day_of_issue(w):
    RuleVersion.objects.create(
        key=RETENTION_RULE,
        effective_from=date(2026, 1, 1),
        value={**RETENTION_DEFAULT, "form": 5},
        note="thử",
    )
    _received_with_a_scan(w)
    assert [k.kind for k in retention.due(date(2031, 3, 9))] == ["form"]  # the scan keeps its 10 years


def test_the_command_exports_the_metadata_and_the_files(w, tmp_path, capsys):
    d = _received_with_a_scan(w)
    out = tmp_path / "nop-luu.zip"
    call_command("documents", "retention", "--due", "--on", "2036-03-09", "--output", str(out), "--json")
    said = json.loads(capsys.readouterr().out)
    assert said == {"on": "2036-03-09", "due": 2, "by_kind": {"form": 1, "scan": 1}, "output": str(out)}
    with zipfile.ZipFile(out) as archive:
        rows = list(csv.DictReader(io.StringIO(archive.read("danh-muc.csv").decode("utf-8-sig"))))
        assert {r["loai"] for r in rows} == {"form", "scan"} and {r["ma_ho_so"] for r in rows} == {d.code}
        scan = next(r for r in rows if r["loai"] == "scan")
        assert archive.read(f"tep/{scan['ten_tep']}") == b"%PDF-1.4 x"
        assert scan["thoi_han_nam"] == "10" and scan["den_han"] == "2036-03-09"
    with pytest.raises(CommandError, match="không hợp lệ"):
        call_command("documents", "retention", "--due", "--on", "09/03/2036")


def test_a_period_that_is_not_a_number_of_years_is_refused():
    from motcua.core.rules import RuleValueError
    from motcua.documents.rules import retention_value

    with pytest.raises(RuleValueError, match="từ 1 đến 100"):
        retention_value({**RETENTION_DEFAULT, "form": 0})
    with pytest.raises(RuleValueError, match="cho đủ các loại"):
        retention_value({"form": 10})
