"""Signed results and verification (issue 12): the time to sign a result and to verify a 2 MB PDF,
in-process.

- sign: what the leader waits for after "Có kết quả, chuyển trả", minus the dossier's own transition:
  a one-page result PDF signed by the officer and the unit (two PAdES signatures, each with a timestamp
  from the demo TSA in-process, and a visible stamp), i.e. ``signing.sign`` with the demo CA's keys.
- sign+render: the same with the result drawn up from its template first (WeasyPrint).
- verify 2 MB: ``verify.verify`` of a signed PDF of about 2 MB (a result with scanned pages appended as
  images), what /xac-thuc/ does per upload.

    .venv/bin/python bench/signing.py --count 40

Keys are a demo CA made in a temporary folder; no database row is written (the verification looks the
hash up, so a database must exist: the development SQLite is enough). Figures are in-process (no web
server, no network): docs/benchmarks.md "Signing and verification". Targets: sign ≤ 300 ms p50;
verify a 2 MB PDF ≤ 500 ms.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402

from motcua.documents import pdf, pki, signing, verify  # noqa: E402

OFFICER = ("bench.chutich", "Nguyễn Văn Đo", "Phường Thành Đông")
UNIT = ("x10507", "Phường Thành Đông")


def _result() -> bytes:
    data, _ = pdf.render("documents/results/general.html", {"result_code": "KQ-BENC-H000-0000-0001"})
    return data


def _two_megabytes() -> bytes:
    """A result with four noisy 'scanned' pages (PNG, incompressible): about 2 MB."""
    from PIL import Image

    rng = random.Random(12)
    pages = []
    for _ in range(4):
        image = Image.frombytes("L", (900, 560), bytes(rng.getrandbits(8) for _ in range(900 * 560)))
        out = io.BytesIO()
        image.save(out, "PNG")
        pages.append(out.getvalue())
    import base64

    style = "width:100%;page-break-after:always"
    html = "".join(
        f'<img style="{style}" src="data:image/png;base64,{base64.b64encode(p).decode()}">' for p in pages
    )
    from weasyprint import HTML

    return HTML(string=f"<html><body>{html}</body></html>").write_pdf()


def _report(label: str, times: list[float], target_ms: int) -> None:
    times.sort()
    p50 = statistics.median(times) * 1000
    p90 = times[int(len(times) * 0.9) - 1] * 1000
    verdict = "met" if p50 <= target_ms else f"missed ×{p50 / target_ms:.1f}"
    print(
        f"{label:<22} n={len(times):<4} p50 {p50:7.1f} ms  p90 {p90:7.1f} ms  max {times[-1] * 1000:7.1f} ms"
        f"  (target {target_ms} ms: {verdict})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=40, help="samples per measure (default 40)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        settings.MOTCUA_SIGNING_DIR = Path(folder)
        settings.MOTCUA_TSA_URL = ""
        settings.MOTCUA_PKCS11 = {}
        pki.create_demo_ca()
        result = _result()

        def sign(data: bytes) -> bytes:
            with signing.parties(OFFICER, UNIT) as parties:
                return signing.sign(data, parties, reason="Kết quả giải quyết", location="Hải Phòng")

        sign(result)  # warm-up: certificates issued, stamp font prepared, modules loaded
        times = []
        for _ in range(args.count):
            start = time.perf_counter()
            sign(result)
            times.append(time.perf_counter() - start)
        _report("sign (2 signatures)", times, 300)
        times = []
        for _ in range(args.count):
            start = time.perf_counter()
            sign(_result())
            times.append(time.perf_counter() - start)
        _report("render + sign", times, 300)
        big = sign(_two_megabytes())
        print(f"verify input: {len(big) / 1024 / 1024:.2f} MB, genuine={verify.verify(big).genuine}")
        times = []
        for _ in range(args.count):
            start = time.perf_counter()
            verify.verify(big)
            times.append(time.perf_counter() - start)
        _report("verify 2 MB", times, 500)


if __name__ == "__main__":
    main()
