"""The house rules a newcomer relies on (docs/architecture.md): short modules, and the staff app as
the workspace's shell only — every domain keeps its own screens."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]
CODE = {".py", ".html", ".js", ".css"}
LIMIT = 800


def _tracked() -> list[Path]:
    out = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [ROOT / name for name in out.splitlines()]


def test_no_code_file_is_over_800_lines_outside_migrations():
    long = []
    for path in _tracked():
        if path.suffix in CODE and "migrations" not in path.parts and path.is_file():
            with path.open(encoding="utf-8") as f:
                lines = sum(1 for _ in f)
            if lines > LIMIT:
                long.append(f"{path.relative_to(ROOT)}: {lines}")
    assert long == [], "split these by what they do (docs/architecture.md): " + ", ".join(long)


def test_the_staff_app_is_the_shell_only():
    staff = ROOT / "src" / "motcua" / "staff"
    modules = {p.name for p in staff.glob("*.py")}
    assert modules <= {"__init__.py", "apps.py", "urls.py", "views.py", "navigation.py"}, modules
    templates = {p.name for p in (staff / "templates" / "staff").rglob("*.html")}
    assert templates <= {"base_staff.html", "home.html", "login.html", "forbidden.html", "not_found.html"}, (
        templates
    )
