"""Official forms (TT 01/2018 Mẫu 01, 05): the time to issue one, in-process.

What the counter waits for when the receipt is first printed: read the dossier with its history,
build the form's content, render the HTML to PDF with WeasyPrint, hash it and store it. Each sample is a
different dossier (a form already issued is only read back, which is not what is measured here), in a
transaction rolled back afterwards, and the stored files go to a temporary folder removed at the end.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench \
        .venv/bin/python bench/forms_render.py --count 60

Any database with received dossiers works (the demo's too). Prints p50, p90 and the slowest per form;
the figures are in-process (no web server, no network): docs/benchmarks.md "Official forms".
Target (issue 12): Mẫu 01 ≤ 150 ms p50 on the development machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")

import django

django.setup()

from django.db import transaction  # noqa: E402
from django.test import override_settings  # noqa: E402

from motcua.documents import pdf, services  # noqa: E402
from motcua.dossiers.models import Dossier  # noqa: E402


class _Rollback(Exception):
    pass


def _codes(count: int) -> list[str]:
    return list(
        Dossier.objects.filter(received_at__isnull=False)
        .order_by("-received_at")
        .values_list("code", flat=True)[: count + 1]
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=60, help="dossiers per form (default 60)")
    parser.add_argument("--forms", default="01,05", help="forms to time (default 01,05)")
    args = parser.parse_args()
    codes = _codes(args.count)
    if len(codes) < 2:
        raise SystemExit("No received dossier in this database.")
    with tempfile.TemporaryDirectory() as folder:
        store = {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": folder}}
        with override_settings(STORAGES={**django.conf.settings.STORAGES, "documents": store}):
            pdf.render("documents/forms/refusal.html", {"spec": None})  # loads Pango and the fonts once
            for key in args.forms.split(","):
                times, pages, sizes = [], [], []
                for code in codes[1:]:
                    try:
                        with transaction.atomic():
                            start = time.perf_counter()
                            document = services.issue_unscoped(code, key)
                            times.append(time.perf_counter() - start)
                            pages.append(document.pages)
                            sizes.append(document.size)
                            raise _Rollback
                    except _Rollback:
                        pass
                    except services.FormNotAvailable:
                        continue
                times.sort()
                if not times:
                    print(f"Mẫu {key}: no dossier of this database calls for it")
                    continue
                p90 = times[int(len(times) * 0.9) - 1] if len(times) >= 10 else times[-1]
                print(
                    f"Mẫu {key}: {len(times)} dossiers, p50 {statistics.median(times) * 1000:.0f} ms, "
                    f"p90 {p90 * 1000:.0f} ms, slowest {times[-1] * 1000:.0f} ms; "
                    f"{statistics.median(pages):.0f} page(s), "
                    f"{statistics.median(sizes) / 1024:.0f} KiB (in-process)"
                )


if __name__ == "__main__":
    main()
