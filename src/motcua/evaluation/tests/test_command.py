"""The command-line contract of ``motcua evaluation index766`` and an end-to-end run after an import."""

from __future__ import annotations

import io
import json

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connections

from motcua import cli
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests import factories as df
from motcua.evaluation.tests.builders import NOW, WARD, line, stamp, write

pytestmark = pytest.mark.django_db

GROUPS = ["CKMB", "TDGQ", "CLGQ", "TTTT", "MDSH", "MDHL"]
CODES = {
    "CKMB": ["1.1", "1.2", "1.3", "1.4"],
    "TDGQ": ["2.1", "2.2"],
    "CLGQ": ["3.TT", "3.1", "3.2", "3.3"],
    "TTTT": ["3.5", "3.5b", "3.6"],
    "MDSH": ["4.1", "4.2", "4.CT", "4.3", "4.4", "4.5b", "4.5a"],
    "MDHL": ["5.2", "5.3", "5.4", "5.1"],
}


@pytest.fixture
def world():
    return df.world()


def run_json(*args: str) -> dict:
    out = io.StringIO()
    call_command("evaluation", "index766", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def by_code(report: dict) -> dict[str, dict]:
    return {i["code"]: i for g in report["groups"] for i in g["indicators"]}


def test_json_shape_on_an_empty_period(world):
    report = run_json("--from", "2026-03-01", "--to", "2026-03-31")
    assert report["total"] == {"points": 0, "max": 100}
    assert [g["code"] for g in report["groups"]] == GROUPS
    assert {g["code"]: [i["code"] for i in g["indicators"]] for g in report["groups"]} == CODES
    assert [g["max"] for g in report["groups"]] == [18, 20, 12, 10, 22, 18]
    for group in report["groups"]:
        assert set(group) >= {"code", "points", "max", "indicators"}
        for indicator in group["indicators"]:
            assert set(indicator) >= {"code", "rate", "points", "max", "numerator", "denominator", "missing"}
    i = by_code(report)
    # no dossier: null rate on an empty denominator, 0 points — but the data is not "missing"
    assert (i["2.1"]["rate"], i["2.1"]["points"], i["2.1"]["denominator"], i["2.1"]["missing"]) == (
        None,
        0,
        0,
        False,
    )
    # inputs held by other systems: missing, 0 points
    for code in ("1.1", "1.2", "5.1", "5.2", "5.3"):
        assert i[code]["missing"] is True and i[code]["points"] == 0 and i[code]["missing_reason"]
    # electronic certified copies are recorded by motcua: computed (none issued: 0 points), not missing
    assert i["4.CT"]["missing"] is False and i["4.CT"]["points"] == 0
    assert i["3.TT"]["assumed"] is True and i["4.3"]["assumed"] is False
    assert report["period"] == {"from": "2026-03-01", "to": "2026-03-31", "label": "Tháng 3/2026"}
    assert report["scope"]["label"] == "Toàn tỉnh"


@pytest.fixture
def capsys(capsys, monkeypatch):
    # ``run_from_argv`` closes the database connections when it ends; the test database must stay open.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    return capsys


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    """``motcua evaluation index766 …`` as from the shell: exit status, stdout, stderr."""
    try:
        cli.main(["evaluation", "index766", *args])
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_bad_input_exits_non_zero_with_a_vietnamese_message(world, capsys):
    code, out, err = run_cli(
        capsys, "--from", "2026-03-01", "--to", "2026-03-31", "--unit", "khong-co", "--json"
    )
    assert code != 0 and out == ""
    assert "Không có đơn vị mã “khong-co”" in err and "Traceback" not in err
    code, _, err = run_cli(capsys, "--from", "2026-03-31", "--to", "2026-03-01")
    assert code != 0 and "Kỳ không hợp lệ: --to (01/03/2026) trước --from (31/03/2026)." in err
    code, _, err = run_cli(capsys, "--from", "01/03/2026", "--to", "2026-03-31")
    assert code != 0 and "--from “01/03/2026” không phải ngày hợp lệ dạng YYYY-MM-DD" in err
    code, _, err = run_cli(capsys, "--from", "2026-02-30", "--to", "2026-03-31")
    assert code != 0 and "không phải ngày hợp lệ" in err and "Traceback" not in err
    code, _, err = run_cli(capsys, "--from", "2026-03-01", "--to", "2026-03-31", "--procedure", "9.999")
    assert code != 0 and "Không có thủ tục mã “9.999”" in err
    with pytest.raises(CommandError, match="Không có đơn vị mã"):
        call_command("evaluation", "index766", "--from", "2026-03-01", "--to", "2026-03-31", "--unit", "x")


def test_readable_table_without_json(world, capsys):
    code, out, err = run_cli(capsys, "--from", "2026-01-01", "--to", "2026-03-31", "--unit", "pab")
    assert code == 0 and err == ""
    assert "Kỳ: Quý I/2026 (01/01/2026 – 31/03/2026)" in out
    assert "Phạm vi: Phường An Biên" in out
    for group in GROUPS:
        assert f"\n{group} " in out
    assert "TỔNG ĐIỂM" in out and "(thiếu dữ liệu)" in out


# -- end to end: import a national-shape file, then compute ----------------------------------------

LINES = [
    # L1: counter; supplement 03/03 09:00 → 04/03 08:00 (23 h); finished 06/03 10:00, due 06/03 17:00
    #     after the supplement, 05/03 17:00 before it: 06/03 10:00 − 23 h = 05/03 11:00 ≤ 05/03 17:00
    #     → on time, on the due day (not early: the wait is credited once); digitised; e-result;
    #     fee 8000, paid at the counter
    line(
        stamp(2, 8, 30),
        stamp(6, 17),
        status=10,
        NgayKetThucXuLy=stamp(6, 10),
        NgayTra=stamp(6, 14),
        MaKetQua="KQ-2026-000123",
        DuongDanTepTinKetQua="https://kho.example.vn/kq/000123.pdf",
        HoSoCoThanhPhanSoHoa=1,
        TaiLieuNop=[{"TenTepDinhKem": "Tờ khai", "DuocSoHoa": 1, "DuocLayTuKhoDMQG": 0}],
        DanhSachLePhi=[{"TenPhiLePhi": "Lệ phí", "Gia": 8000, "LoaiPhiLePhi": 1}],
        DuocThanhToanTrucTuyen=0,
        DanhSachHoSoBoSung=[
            {
                "NoiDungBoSung": "Thiếu chữ ký",
                "NgayBoSung": stamp(3, 9),
                "NgayTiepNhanBoSung": stamp(4, 8),
                "NgayHenTraTruoc": stamp(5, 17),
                "NgayHenTraMoi": stamp(6, 17),
            }
        ],
    ),
    # L2: online, VNeID, a paper from the personal warehouse, paid online (1); open, due 12/03 → late on 31/03
    line(
        stamp(9, 7, 45),
        stamp(12, 17),
        status=4,
        KenhThucHien=2,
        NgayNopHoSo=stamp(8, 21, 15),
        TaiKhoanDuocXacThucVoiVNeID=1,
        DuocThanhToanTrucTuyen=1,
        TaiLieuNop=[{"TenTepDinhKem": "Giấy chứng sinh", "DuocSoHoa": 0, "DuocLayTuKhoDMQG": 1}],
        DanhSachLePhi=[{"TenPhiLePhi": "Lệ phí", "Gia": 8000}],
    ),
    # L3: by post, waiting for a supplement asked 11/03 10:00, before the due 13/03 → on time
    line(
        stamp(10),
        stamp(13, 17),
        status=5,
        KenhThucHien=3,
        DanhSachHoSoBoSung=[{"NoiDungBoSung": "Thiếu giấy chứng sinh", "NgayBoSung": stamp(11, 10)}],
    ),
    # L4: online, finished 20/03 after the due 19/03 → late; its fees are all 0
    line(
        stamp(16),
        stamp(19, 17),
        status=10,
        KenhThucHien=2,
        NgayNopHoSo=stamp(15, 20),
        NgayKetThucXuLy=stamp(20, 10),
        NgayTra=stamp(20, 14),
        DanhSachLePhi=[{"TenPhiLePhi": "Lệ phí", "Gia": 0}],
    ),
    # L5: received in February, finished 03/03 after its due 26/02 → counted in March's 2.1, late
    line(
        stamp(23, month=2), stamp(26, 17, month=2), status=10, NgayKetThucXuLy=stamp(3), NgayTra=stamp(3, 14)
    ),
    # L6: received and finished in February → not counted
    line(
        stamp(10, month=2),
        stamp(13, 17, month=2),
        status=10,
        NgayKetThucXuLy=stamp(12, month=2),
        NgayTra=stamp(12, 14, month=2),
    ),
    # L7: submitted online, never received → not counted
    line(None, status=1, KenhThucHien=2, NgayNopHoSo=stamp(20, 10)),
    # L8: no due date (no NgayHenTra): 3 working days from Mon 23/03 09:00 → Thu 26/03 17:00;
    #     finished 25/03 → on time
    line(stamp(23), None, status=9, NgayKetThucXuLy=stamp(25, 10)),
    # L9: stopped on 25/03, before the due 27/03 → on time
    line(stamp(24), stamp(27, 17), status=8, NgayKetThucXuLy=stamp(25), GhiChu="Dừng theo đề nghị"),
    # L10: received in April → not counted
    line(stamp(1, month=4), stamp(6, 17, month=4)),
]


def test_import_then_index766_matches_the_hand_computation(world, tmp_path):
    path = write(tmp_path / "hoso.jsonl", LINES)
    with time_machine.travel(NOW, tick=False):
        call_command("dossiers", "import", str(path), "--json", "--no-progress", stdout=io.StringIO())
    assert Dossier.objects.count() == len(LINES)
    assert Dossier.objects.get(code=LINES[7]["MaHoSo"]).due_at is None
    report = run_json("--from", "2026-03-01", "--to", "2026-03-31")
    i = by_code(report)

    def check(code, numerator, denominator, rate, points):
        got = i[code]
        assert (got["numerator"], got["denominator"], got["rate"], got["points"]) == (
            numerator,
            denominator,
            rate,
            points,
        ), code

    # 2.1: L1, L2, L3, L4, L5, L8, L9 = 7; on time L1, L3, L8, L9 = 4 → 57.14%; 20 × 4/7 = 11.428… → 11.43
    check("2.1", 4, 7, 57.14, 11.43)
    # received in March: L1, L2, L3, L4, L8, L9 = 6 (L7 never received)
    # 1.4: all imported (DongBoHoSoMC records) → 6/6 → 6 points
    check("1.4", 6, 6, 100, 6)
    # 3.TT: 1.001193 is "full" online; online L2, L4 → 2/6 = 33.33%; 12 × 1/3 = 4
    check("3.TT", 2, 6, 33.33, 4)
    check("3.3", 2, 6, 33.33, 0)  # tracked, 0 points
    # 3.6: fee-bearing TTHC; dossiers with a fee > 0: L1, L2 (L4's fees are 0) → paid online L2 → 50%;
    #      6 × 0.5 = 3
    check("3.6", 1, 2, 50, 3)
    # 4.1: 1.001193 does not need a paper result → empty denominator
    check("4.1", 0, 0, None, 0)
    # 4.2 (target 80): digitised L1 → 1/6 = 16.67%; 4 × (100/6) ÷ 80 = 0.833… → 0.83
    check("4.2", 1, 6, 16.67, 0.83)
    # 4.3 (target 80): L1 (HoSoCoThanhPhanSoHoa) → 1/6; 2 × (100/6) ÷ 80 = 0.4166… → 0.42
    check("4.3", 1, 6, 16.67, 0.42)
    # 4.4: from the warehouse L2 → 1/6; 4 × 1/6 = 0.666… → 0.67
    check("4.4", 1, 6, 16.67, 0.67)
    # 4.5b: VNeID or warehouse: L2 → 1/6; 2 × 1/6 = 0.333… → 0.33
    check("4.5b", 1, 6, 16.67, 0.33)
    # procedure level (one TTHC in force): its publication lacks parts → 1.3 0/1
    check("1.3", 0, 1, 0, 0)
    check("3.1", 1, 1, 100, 0)
    check("3.2", 1, 1, 100, 0)
    check("3.5", 1, 1, 100, 2)  # target 80 reached
    check("3.5b", 1, 1, 100, 2)
    check("4.5a", 1, 1, 100, 2)  # no target group recorded; citizens' dossiers → individuals
    groups = {g["code"]: g["points"] for g in report["groups"]}
    # 5.4: 100 − (late 3/7 by 2.1 + 0 of the 6 received rated "không hài lòng") = 57.142…%;
    # 6 × 57.142… / 90 = 3.809… → 3.81
    check("5.4", 6, 6, 57.14, 3.81)
    # CKMB 0 + 6; TDGQ 11.43; CLGQ 4; TTTT 2 + 2 + 3; MDSH 0.83 + 0.42 + 0.67 + 0.33 + 2 = 4.25;
    # MDHL 3.81 (5.4)
    assert groups == {"CKMB": 6, "TDGQ": 11.43, "CLGQ": 4, "TTTT": 7, "MDSH": 4.25, "MDHL": 3.81}
    assert report["total"] == {"points": 36.49, "max": 100}
    # the same file seen from Phường An Biên (every line's unit) gives the same 2.1
    unit = by_code(run_json("--from", "2026-03-01", "--to", "2026-03-31", "--unit", WARD))
    assert (unit["2.1"]["numerator"], unit["2.1"]["denominator"]) == (4, 7)
    # one procedure: 2.2 is the average processing time of L1, L4, L8 (finished, received in March)
    one = by_code(run_json("--from", "2026-03-01", "--to", "2026-03-31", "--procedure", "1.001193"))
    # office hours 07:30–11:30, 13:30–17:00 (7.5 h a day):
    # L1 02/03 08:30 → 06/03 10:00: (3 + 3.5) + 7.5 × 3 + 2.5 = 31.5 h; L4 16/03 09:00 → 20/03 10:00:
    # (2.5 + 3.5) + 22.5 + 2.5 = 31 h; L8 23/03 09:00 → 25/03 10:00: 6 + 7.5 + 2.5 = 16 h
    # → 78.5 h ÷ 3 dossiers ÷ 7.5 h = 3.488… working days → 3.49
    assert (one["2.2"]["value"], one["2.2"]["value_unit"], one["2.2"]["numerator"]) == (
        3.49,
        "ngày làm việc",
        3,
    )
