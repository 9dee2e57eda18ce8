"""Outbox drain rate: messages for the national public service portal delivered to the local portal
simulator, and the time a worker takes to clear the backlog of an outage by itself.

Run (never in CI) against a database of its own, migrated by the script:

    createdb -h 127.0.0.1 -U postgres motcua_outbox_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_outbox_bench \\
        .venv/bin/python bench/outbox_drain.py --messages 30000 --dossiers 5000

1. Fills the outbox with ``--messages`` messages of ``--dossiers`` dossiers, as the services write them
   (per transition the full ``DongBoHoSoMC`` record, ~2 KB, then the ``CapNhatTienDoHoSoMC`` event).
2. Starts ``motcua integrations simulator dvcqg`` (a real process, the portal down at first: the
   messages pile up as in an outage), then ``motcua worker`` (a real process, its delivery loop).
3. Brings the portal back and measures how long the worker takes to deliver everything, by itself:
   messages per second as the portal receives them. Every message is checked delivered, once.

Prints the rate and the time to clear; ``pgbench -S`` of the same database beside it tells what the
machine's PostgreSQL does at the time (docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
os.environ.setdefault("DEBUG", "0")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

from motcua.core.tests.processes import free_port  # noqa: E402
from motcua.integrations.models import ChannelState, OutboxMessage  # noqa: E402
from motcua.integrations.outbox import enqueue_many  # noqa: E402

RECORD_TOPIC, PROGRESS_TOPIC = "dvcqg.DongBoHoSoMC", "dvcqg.CapNhatTienDoHoSoMC"


def record(code: str, status: int) -> dict:
    return {
        "service": "DongBoHoSoMC",
        "isUpdating": status != 2,
        "data": [
            {
                "MaHoSo": code,
                "MaTTHC": "2.000815",
                "TenTTHC": "Thủ tục chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan tổ chức "
                "có thẩm quyền của Việt Nam cấp hoặc chứng nhận",
                "MaLinhVuc": "G09-TP04",
                "TenLinhVuc": "Chứng thực",
                "SoBienNhan": code,
                "ChuHoSo": "Nguyễn Thị Thanh Hương",
                "LoaiDoiTuong": 1,
                "MaDoiTuong": "031190004512",
                "ThongTinKhac": "",
                "Email": "huong.nguyen@example.vn",
                "Fax": "",
                "SoDienThoai": "0912345678",
                "TrichYeuHoSo": "Chứng thực bản sao từ bản chính",
                "NgayNopHoSo": "20261207090000",
                "NgayTiepNhan": "20261207090000",
                "NgayHenTra": "20261208170000",
                "TrangThaiHoSo": status,
                "NgayTra": "",
                "ThongTinTra": "",
                "HinhThuc": 0,
                "NgayKetThucXuLy": "",
                "DonViXuLy": "Phường Thành Đông",
                "MaDonVi": "x10507",
                "GhiChu": "",
                "KenhThucHien": 1,
                "DuocThanhToanTrucTuyen": 0,
                "ThoiGianGiaiQuyet": 1.0,
                "DonViTinh": "ngày làm việc",
                "TaiLieuNop": [
                    {
                        "TepDinhKemId": str(n),
                        "TenTepDinhKem": f"Bản chính giấy tờ {n}",
                        "IsDeleted": False,
                        "MaThanhPhanHoSo": "",
                        "DuongDanTaiTepTin": f"dossiers/2026/12/07/{code}/ban-chinh-{n}.pdf",
                        "DuocSoHoa": 1,
                        "DuocLayTuKhoDMQG": 0,
                    }
                    for n in range(1, 4)
                ],
                "DanhSachLePhi": [
                    {
                        "TenPhiLePhi": "Lệ phí chứng thực",
                        "MaPhiLePhi": "12",
                        "HinhThucThu": 1,
                        "Gia": 2000,
                        "LoaiPhiLePhi": 1,
                        "TrangThaiThanhToan": 1,
                    }
                ],
                "DanhSachTepDinhKemKhac": [],
                "DanhSachHoSoBoSung": [],
                "DanhSachGiayToKetQua": [],
            }
        ],
    }


def progress(code: str, status: int) -> dict:
    return {
        "service": "CapNhatTienDoHoSoMC",
        "data": [
            {
                "MaHoSo": code,
                "NguoiXuLy": "Trần Văn Minh",
                "ChucDanh": "Công chức một cửa",
                "ThoiDiemXuLy": "20261207091500",
                "PhongBanXuLy": "Phường Thành Đông",
                "NoiDungXuLy": "Chuyển bước xử lý",
                "TrangThai": status,
                "NgayBatDau": "20261207090000",
                "NgayKetThucTheoQuyDinh": "20261208170000",
            }
        ],
    }


def fill(messages: int, dossiers: int) -> None:
    OutboxMessage.objects.all().delete()
    ChannelState.objects.all().delete()
    per = max(1, messages // (2 * dossiers))
    rows = []
    for seq in range(1, per + 1):
        status = 2 if seq == 1 else 4
        for d in range(dossiers):
            code = f"000.11.01.H31-261207-{d:05d}"
            rows.append((RECORD_TOPIC, code, record(code, status), f"{RECORD_TOPIC}:{code}:{seq}"))
            rows.append((PROGRESS_TOPIC, code, progress(code, status), f"{PROGRESS_TOPIC}:{code}:{seq}"))
    for i in range(0, len(rows), 500):
        with transaction.atomic():
            enqueue_many(rows[i : i + 500])


def state(port: int) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_simulator/state", timeout=5) as reply:
        return json.loads(reply.read())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=30000)
    parser.add_argument("--dossiers", type=int, default=5000)
    parser.add_argument("--concurrency", default=os.environ.get("MOTCUA_OUTBOX_CONCURRENCY", "4"))
    args = parser.parse_args()
    call_command("migrate", interactive=False, verbosity=0)
    started = time.monotonic()
    fill(args.messages, args.dossiers)
    total = OutboxMessage.objects.count()
    print(
        f"outbox filled: {total} messages of {args.dossiers} dossiers in {time.monotonic() - started:.1f} s"
    )
    port = free_port()
    env = {
        **os.environ,
        "DVCQG_ENDPOINT": f"http://127.0.0.1:{port}",
        "DVCQG_USERNAME": "motcua",
        "DVCQG_PASSWORD": "motcua",
        "MOTCUA_OUTBOX_CONCURRENCY": str(args.concurrency),
        "MOTCUA_OUTBOX_MAX_DELAY_SECONDS": "5",
        "PYTHONUNBUFFERED": "1",
    }
    motcua = [sys.executable, "-m", "motcua"]
    logs = Path(tempfile.gettempdir())
    portal = subprocess.Popen(
        [*motcua, "integrations", "simulator", "dvcqg", "--port", str(port), "--down-seconds", "8"],
        env=env,
        stdout=(logs / "bench-portal.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    worker = subprocess.Popen(
        [*motcua, "worker", "--no-schedule"],
        env=env,
        stdout=(logs / "bench-worker.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        # The portal is down for its first 8 s: the worker finds it unreachable and waits.
        time.sleep(8)
        up, first = time.monotonic(), state(port)["accepted"]
        while state(port)["accepted"] == first:  # the worker probes the portal when its back-off ends
            time.sleep(0.05)
        t0 = time.monotonic()
        first = state(port)["accepted"]
        samples = []
        while True:
            time.sleep(1)
            now = state(port)
            samples.append(now["accepted"])
            if now["accepted"] >= total or time.monotonic() - t0 > 900:
                break
        elapsed = time.monotonic() - t0
        done = state(port)
        pending = OutboxMessage.objects.exclude(status="delivered").count()
        rates = [b - a for a, b in zip([first, *samples], samples, strict=False)]
        print(
            f"first delivery {t0 - up:.1f} s after the portal came back; "
            f"then {done['accepted'] - first} messages in {elapsed:.1f} s "
            f"= {(done['accepted'] - first) / elapsed:.0f} msg/s (best second {max(rates)}/s); "
            f"repeats {done['repeats']}, left undelivered {pending}"
        )
    finally:
        worker.terminate()
        portal.terminate()
        worker.wait(30)
        portal.wait(30)


if __name__ == "__main__":
    main()
