"""Import rate of ``motcua dossiers import`` (DongBoHoSoMC JSON Lines) through ``dossiers.importing``.

Run (never in CI), on the database filled by bench/generate_dossiers.py (it needs the demo units and
procedures):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench \\
        .venv/bin/python bench/import_rate.py --count 20000

Writes ``--count`` lines like the demo history (``demo.history.generate``, other seeds, codes suffixed so
they are new) to a file, then imports it twice: the first run creates every dossier (validation, then
batches with COPY, the next batch prepared in a second thread), the second finds every line unchanged.
Prints both summaries, with this process's CPU time and the machine's load average (the rate depends
on what else runs on the machine). Target: ≥ 2,000/s.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")

import django

django.setup()

from motcua.demo import history  # noqa: E402
from motcua.dossiers.importing import import_file  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--tag", default=str(int(time.time())), help="suffix making the codes new")
    args = parser.parse_args()
    path = os.path.join(tempfile.gettempdir(), f"motcua-bench-import-{args.tag}.jsonl")
    written = 0
    seed = 1000
    with open(path, "w", encoding="utf-8") as out:
        while written < args.count:
            for record in history.generate(min(2000, args.count - written), seed=seed):
                record["MaHoSo"] = f"{record['MaHoSo']}-B{args.tag}-{seed}"
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                written += 1
            seed += 1
    size = os.path.getsize(path) / 1e6
    print(f"{written} dòng, {size:.1f} MB: {path}", file=sys.stderr)
    for run in ("lần 1 (tạo mới)", "lần 2 (không đổi)"):
        load = os.getloadavg()[0]
        cpu = time.process_time()
        summary = import_file(path, batch_size=args.batch_size, progress=False)
        cpu = time.process_time() - cpu
        report = summary.as_dict()
        print(
            f"{run}: {report['lines']} dòng trong {report['seconds']} s = {report['per_second']} hồ sơ/s; "
            f"{report['created']} mới, {report['unchanged']} không đổi, {report['events']} sự kiện "
            f"(CPU tiến trình {cpu:.1f} s; tải máy {load:.1f})"
        )
    os.unlink(path)


if __name__ == "__main__":
    main()
