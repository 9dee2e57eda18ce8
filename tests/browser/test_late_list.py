"""Acceptance: a ward head opens the month's late list, sees a late dossier without an apology letter
flagged, publishes the month; the citizen portal then shows the list, without the applicant.

Runs on today's date: the dossiers are dated in the previous month (imported through the real
importer), so nothing depends on the time of day.
"""

from __future__ import annotations

import io
import json
from datetime import datetime, time, timedelta

from django.utils import timezone

from motcua.dossiers.importing import import_file
from motcua.dossiers.tests import factories as df
from motcua.evaluation.latelist import previous_month
from motcua.evaluation.models import LatePublication
from motcua.workdays.domain import TZ
from tests.browser.conftest import login

PASSWORD = "Mat-khau-thu-1"


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%d%H%M%S")


def test_a_head_publishes_the_late_list(transactional_db, page, shot):
    w = df.world()
    w.head_a.set_password(PASSWORD)
    w.head_a.save()
    month = previous_month(timezone.localdate())
    day2 = datetime.combine(month + timedelta(days=1), time(9), tzinfo=TZ)
    late, apologised = "000.11.01.H31-A-0001", "000.11.01.H31-A-0002"
    lines = [
        {  # received on the 2nd, due the 3rd, returned on the 6th: late, no apology
            "MaHoSo": late,
            "MaTTHC": "1.001193",
            "ChuHoSo": "Nguyễn Thị Hồng Nhung",
            "MaDoiTuong": df.CITIZEN_ID,
            "TrangThaiHoSo": 10,
            "KenhThucHien": 1,
            "NgayTiepNhan": stamp(day2),
            "NgayHenTra": stamp(day2 + timedelta(days=1, hours=8)),
            "NgayKetThucXuLy": stamp(day2 + timedelta(days=4)),
            "NgayTra": stamp(day2 + timedelta(days=4, hours=2)),
        },
        {  # apologised (new date the 5th), returned on the 8th: late, with the apology
            "MaHoSo": apologised,
            "MaTTHC": "1.001193",
            "ChuHoSo": "Trần Văn Bình",
            "MaDoiTuong": "031085000999",
            "TrangThaiHoSo": 10,
            "KenhThucHien": 1,
            "NgayTiepNhan": stamp(day2),
            "NgayHenTra": stamp(day2 + timedelta(days=3, hours=8)),
            "NgayKetThucXuLy": stamp(day2 + timedelta(days=6)),
            "DanhSachHenLai": [
                {
                    "NgayXinLoi": stamp(day2 + timedelta(hours=2)),
                    "NgayHenTraTruoc": stamp(day2 + timedelta(days=1, hours=8)),
                    "NgayHenTraMoi": stamp(day2 + timedelta(days=3, hours=8)),
                    "LyDo": "Chờ xác minh nơi cư trú",
                }
            ],
        },
    ]
    text = "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines)
    import_file(io.StringIO(text), now=timezone.now())

    login(page, "chutich_a", PASSWORD)
    page.wait_for_url("**/can-bo/")
    page.click("nav >> text=Hồ sơ trễ hạn")
    page.wait_for_url("**/can-bo/tre-han/")
    flagged = page.locator(f"tr.late-flagged[data-code='{late}']")
    assert "Chưa có thư xin lỗi" in flagged.inner_text()
    assert page.locator(f"tr.late-flagged[data-code='{apologised}']").count() == 0
    assert "Chờ xác minh nơi cư trú" in page.inner_text("main")
    shot(page, "late-1-staff-list")

    # the letter went out after the dossier was already late: the unit records it, with the reason in
    # plain words for the published list
    sent = (day2 + timedelta(days=4)).date()
    row = page.locator(f"tr#hs-{late.replace('.', '\\.')} + tr.late-note-row")
    row.locator("summary").click()
    row.locator("textarea[name=reason]").fill("Chờ Công an phường xác minh nơi cư trú của người dân")
    row.locator("input[name=apology_sent_on]").fill(sent.isoformat())
    shot(page, "late-1b-recording-the-apology")
    with page.expect_navigation():
        row.locator("button:has-text('Ghi nhận')").click()
    assert "Đã ghi nhận lý do trễ hạn" in page.inner_text("main")
    assert page.locator("tr.late-flagged").count() == 0
    assert f"Đã gửi thư xin lỗi ngày {sent:%d/%m/%Y}" in page.inner_text(f"tr[data-code='{late}']")
    assert "Chờ Công an phường xác minh" in page.inner_text(f"tr[data-code='{late}']")

    with page.expect_navigation():
        page.click("button:has-text('Công bố danh sách')")
    assert "Đã công bố danh sách 2 hồ sơ trễ hạn" in page.inner_text("main")
    assert LatePublication.objects.get().count == 2
    shot(page, "late-2-published")

    with page.expect_navigation():
        page.click("text=Xem trên Cổng dịch vụ công")
    page.wait_for_url("**/ho-so-tre-han/**")
    body = page.inner_text("main")
    assert late in body and apologised in body and "Chưa có thư xin lỗi" not in body
    assert f"Đã gửi thư xin lỗi ngày {sent:%d/%m/%Y}" in body and "Chờ Công an phường xác minh" in body
    assert "Nguyễn Thị Hồng Nhung" not in body and "Trần Văn Bình" not in body
    assert df.CITIZEN_ID not in page.content()
    shot(page, "late-3-portal")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "late-4-portal-mobile")
    assert page.console_errors == []
