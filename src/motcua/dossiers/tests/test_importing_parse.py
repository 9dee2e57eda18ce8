"""The importer's pure half (``importing.checks``, ``fields``, ``history``, ``parse``…) loads without
Django's ORM, so a file can be checked line by line anywhere; the format's names and the models'
values it needs come from the pure ``national`` and ``rules`` modules."""

from __future__ import annotations

import subprocess
import sys

PURE = ("checks", "report", "parsed", "fields", "history", "parse")


def test_the_pure_modules_load_without_the_orm():
    modules = ", ".join(f"motcua.dossiers.importing.{name}" for name in PURE)
    code = f"import sys, {modules}; print(sorted(m for m in sys.modules if m.startswith('django.db')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
