"""The `motcua workdays` command-line contract, run as operators run it (a real subprocess)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def run(*args: str, tmp_path: Path, database: bool = False) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MOTCUA_VAR_DIR": str(tmp_path / "var")}
    if not database:
        env.pop("DATABASE_URL", None)  # an empty, unmigrated SQLite file
    return subprocess.run(
        [sys.executable, "-m", "motcua", "workdays", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_due_after_cutoff_on_friday_without_a_database(tmp_path):
    result = run(
        "due",
        "--received",
        "2026-11-27T16:10",
        "--limit",
        "3",
        "--unit",
        "working_days",
        "--json",
        tmp_path=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "effective_received": "2026-11-30T07:30:00+07:00",
        "due": "2026-12-03T17:00:00+07:00",
    }


def test_holidays_2027_list_every_tet_day_and_compensatory_days(tmp_path):
    result = run("holidays", "2027", "--json", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    days = json.loads(result.stdout)
    by_date = {d["date"]: d["name"] for d in days}
    # Tết Đinh Mùi: 04/02–10/02/2027, each day its own entry.
    assert [d for d in by_date if "2027-02-04" <= d <= "2027-02-10"] == [
        "2027-02-04",
        "2027-02-05",
        "2027-02-06",
        "2027-02-07",
        "2027-02-08",
        "2027-02-09",
        "2027-02-10",
    ]
    assert "Giỗ Tổ" in by_date["2027-04-16"]  # 10/3 âm lịch
    assert by_date["2027-05-03"].endswith("(nghỉ bù)")  # 01/5 falls on Saturday
    assert [d["date"] for d in days] == sorted(by_date)


def test_calendar_file_replaces_the_default_calendar(tmp_path):
    cal = tmp_path / "cal.json"
    cal.write_text(
        json.dumps(
            {
                "holidays": ["2026-12-01"],
                "extra_working_days": ["2026-11-28"],
                "office_hours": [["08:00", "12:00"], ["13:00", "16:00"]],
                "cutoff": "16:00",
            }
        )
    )
    result = run(
        "due",
        "--received",
        "2026-11-27T15:30",
        "--limit",
        "2",
        "--unit",
        "working_days",
        "--calendar",
        str(cal),
        "--json",
        tmp_path=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    # 15:30 is before the file's 16:00 cut-off: counts Friday 27/11. Saturday 28/11 is a working day,
    # Monday 30/11 the second; 01/12 is off. Close is 16:00.
    assert json.loads(result.stdout) == {
        "effective_received": "2026-11-27T15:30:00+07:00",
        "due": "2026-11-30T16:00:00+07:00",
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["due", "--received", "27/11/2026", "--limit", "3", "--unit", "working_days"],
            "không phải thời điểm",
        ),
        (["due", "--received", "2026-11-27T10:00", "--limit", "-1", "--unit", "working_days"], "không âm"),
        (["due", "--received", "2026-11-27T10:00", "--limit", "1.5", "--unit", "working_days"], "số nguyên"),
        (["due", "--received", "2026-11-27T10:00", "--limit", "3", "--unit", "weeks"], "working_days"),
        (
            [
                "due",
                "--received",
                "2026-11-27T10:00",
                "--limit",
                "3",
                "--unit",
                "working_days",
                "--calendar",
                "/nonexistent.json",
            ],
            "Không tìm thấy tệp lịch",
        ),
    ],
)
def test_bad_input_exits_non_zero_with_a_vietnamese_message_and_no_stdout(tmp_path, args, message):
    result = run(*args, tmp_path=tmp_path)
    assert result.returncode != 0
    assert message in result.stderr
    assert result.stdout == ""


def test_working_hours_with_decimals(tmp_path):
    result = run(
        "due",
        "--received",
        "2026-11-27T10:00",
        "--limit",
        "2.5",
        "--unit",
        "working_hours",
        "--json",
        tmp_path=tmp_path,
    )
    # 10:00–11:30 uses 1.5 h; the last hour runs 13:30–14:30.
    assert json.loads(result.stdout)["due"] == "2026-11-27T14:30:00+07:00"
