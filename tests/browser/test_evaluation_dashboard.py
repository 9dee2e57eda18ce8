"""Acceptance: a province supervisor reads the 766 dashboard after a national-shape import, and sees
exactly the figures of ``motcua evaluation index766 --json`` for that month; the 2.1 page explains the
indicator and lists the late dossiers, each opening its dossier page; the public page on a phone."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from django.core.management import call_command
from django.utils import timezone

from motcua.demo.loader import DEMO_PASSWORD
from motcua.evaluation.tests.builders import write
from tests.browser.conftest import SCREENSHOTS, login

WARD = "000.01.60.H31"  # Phường Thành Đông in the demo (src/motcua/demo/data/org.json)


def _month_before(today: date) -> tuple[date, date]:
    last = today.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


def _stamp(first: date, day: int, hour: int = 9) -> str:
    return f"{first.year}{first.month:02d}{day:02d}{hour:02d}0000"


def _lines(first: date) -> list[dict]:
    """Six DongBoHoSoMC records of Phường Thành Đông in the month: on time, late, open and overdue…"""
    base = {"MaTTHC": "1.001193", "ChuHoSo": "Trần Văn Bình", "MaDoiTuong": "031085000123", "KenhThucHien": 1}

    def record(n: int, received: int, due: int, status: int, **fields) -> dict:
        code = f"{WARD}-{first:%y%m}{received:02d}-9{n:03d}"
        return {
            **base,
            "MaHoSo": code,
            "NgayTiepNhan": _stamp(first, received, 8),
            "NgayHenTra": _stamp(first, due, 17),
            "TrangThaiHoSo": status,
            **fields,
        }

    return [
        record(
            1,
            2,
            6,
            10,
            NgayKetThucXuLy=_stamp(first, 5, 10),
            NgayTra=_stamp(first, 5, 14),
            HoSoCoThanhPhanSoHoa=1,
        ),
        record(2, 3, 6, 10, NgayKetThucXuLy=_stamp(first, 9, 10), NgayTra=_stamp(first, 9, 14)),  # late
        record(3, 9, 12, 4, KenhThucHien=2, NgayNopHoSo=_stamp(first, 8, 21)),  # open, overdue at month end
        record(
            4, 10, 13, 9, NgayKetThucXuLy=_stamp(first, 13, 10), KenhThucHien=2, NgayNopHoSo=_stamp(first, 9)
        ),
        record(5, 16, 19, 10, NgayKetThucXuLy=_stamp(first, 20, 10), NgayTra=_stamp(first, 20, 14)),  # late
        record(6, 20, 24, 8, NgayKetThucXuLy=_stamp(first, 23, 10)),  # stopped before its due date
    ]


def _vn(value: float | int | None, suffix: str = "") -> str:
    """A figure as the Vietnamese page writes it: 2 decimals, a decimal comma."""
    assert value is not None
    return f"{Decimal(str(value)).quantize(Decimal('0.01'))}".replace(".", ",") + suffix


def test_the_dashboard_shows_the_figures_of_the_command_line(demo, page, shot, browser, tmp_path: Path):
    first, last = _month_before(timezone.localdate())
    path = write(tmp_path / "hoso.jsonl", _lines(first))
    call_command("dossiers", "import", str(path), "--json", "--no-progress", stdout=io.StringIO())
    out = io.StringIO()
    call_command(
        "evaluation", "index766", "--from", first.isoformat(), "--to", last.isoformat(), "--json", stdout=out
    )
    report = json.loads(out.getvalue())
    on_time = next(i for g in report["groups"] for i in g["indicators"] if i["code"] == "2.1")
    assert on_time["denominator"] >= 6  # the demo's month and the six imported dossiers

    login(page, "giamsat.tinh", DEMO_PASSWORD)
    page.wait_for_url("**/can-bo/")
    page.click("nav >> text=Chỉ số phục vụ (766)")
    page.wait_for_url("**/can-bo/danh-gia/")
    page.select_option("#f-ky", "thang")
    page.select_option("#f-nam", str(first.year))
    page.select_option("#f-thang", str(first.month))
    with page.expect_navigation():
        page.click("form.eval-filters button[type=submit]")
    assert page.inner_text("#eval-period") == report["period"]["label"]
    assert page.inner_text("#eval-scope") == "Toàn tỉnh"
    assert page.inner_text("#eval-total") == _vn(report["total"]["points"])
    for group in report["groups"]:
        assert _vn(group["points"]) in page.inner_text(f"#group-{group['code']}")
    rate = page.locator("#rate-21")
    assert _vn(on_time["rate"], "%") in rate.inner_text()
    assert f"{on_time['numerator']} / {on_time['denominator']}" in rate.inner_text()
    assert page.locator("#ranking tbody tr").count() >= 10
    assert "Số liệu tính lúc" in page.inner_text("main")
    shot(page, "evaluation-1-dashboard")
    page.screenshot(path=str(SCREENSHOTS / "evaluation-1b-dashboard-first-screen.png"))  # 1366×768

    page.click("#rate-21 a")
    page.wait_for_url("**/can-bo/danh-gia/chi-so/2.1/**")
    assert page.inner_text("#ind-rate") == _vn(on_time["rate"], "%")
    assert page.inner_text("#ind-numerator") == str(on_time["numerator"])
    assert page.inner_text("#ind-denominator") == str(on_time["denominator"])
    assert "Công thức" in page.inner_text("main") and "Cổng Dịch vụ công quốc gia" in page.inner_text("main")
    rows = page.locator("#drill tbody tr")
    assert 0 < rows.count() <= 50
    against = on_time["denominator"] - on_time["numerator"]
    assert rows.count() == min(50, against)
    shot(page, "evaluation-2-indicator-2.1")
    # one of ours among the late ones, if the first page reaches it; else the first listed
    link = page.locator("#drill tbody tr a").first
    code = link.inner_text()
    with page.expect_navigation():
        link.click()
    assert f"/can-bo/ho-so/{code}/" in page.url and code in page.inner_text("main")

    # the same dashboard on a tablet
    tablet = browser.new_context(viewport={"width": 820, "height": 1180}, locale="vi-VN")
    tab = tablet.new_page()
    tab.context.add_cookies(page.context.cookies())
    tab.goto(f"{page.base}/can-bo/danh-gia/?period=thang&year={first.year}&month={first.month}")
    assert tab.inner_text("#eval-total") == _vn(report["total"]["points"])
    shot(tab, "evaluation-3-dashboard-tablet")
    tablet.close()

    # the public page on a phone: the same province total, no dossier code
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN", is_mobile=True)
    mobile = phone.new_page()
    mobile.goto(f"{page.base}/")
    mobile.click(".portal-menu summary")  # on a phone the portal's links are in the menu
    mobile.click(".portal-menu >> text=Đánh giá chất lượng phục vụ")
    mobile.wait_for_url("**/danh-gia-chat-luong/")
    mobile.goto(f"{page.base}/danh-gia-chat-luong/?period=thang&year={first.year}&month={first.month}")
    assert mobile.inner_text("#q-total") == _vn(report["total"]["points"])
    assert code not in mobile.inner_text("main")
    width = mobile.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the public page scrolls sideways on a phone ({width}px)"
    shot(mobile, "evaluation-4-public-phone")
    phone.close()
    assert page.console_errors == []
