"""Monthly late lists: membership (the 2.1 rule), apologies, days late, scope, publication, the portal
page, the flagging job, the export, query counts.

Dossiers are written through the real importer (``builders.load``). The month is March 2026; the clock
stands at 15/04/2026 (after the month) unless said otherwise. March 2026 working days: 2–6, 9–13,
16–20, 23–27, 30–31 (no holiday).
"""

from __future__ import annotations

import io
from datetime import date

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.module_loading import import_string
from openpyxl import load_workbook

from motcua.core.models import AuditEntry
from motcua.core.schedule import JOBS
from motcua.dossiers.tests import factories as df
from motcua.evaluation import latelist
from motcua.evaluation.models import LateFlag, LatePublication
from motcua.evaluation.tests.builders import WARD_B, line, load, stamp
from motcua.exports import services as export_services
from motcua.exports.models import ExportJob

pytestmark = pytest.mark.django_db

MARCH = date(2026, 3, 1)
APRIL_15 = df.at(2026, 4, 15, 9, 0)


@pytest.fixture
def world():
    return df.world()


@pytest.fixture
def clock():
    with time_machine.travel(APRIL_15, tick=False):
        yield


def march_lines() -> list[dict]:
    return [
        # A: returned late — due Thu 05/03 17:00, finished Mon 09/03 10:00 → working days in (05, 09]:
        #    Fri 06, Mon 09 = 2
        line(stamp(2), stamp(5, 17), status=10, NgayKetThucXuLy=stamp(9, 10), NgayTra=stamp(9, 15)),
        # B: still open, due Mon 09/03 17:00 → judged at 31/03 23:59:59: (09, 31] = 10–13 (4) + 16–20 (5)
        #    + 23–27 (5) + 30–31 (2) = 16 working days
        line(stamp(4), stamp(9, 17)),
        # C: on time (finished the day before the due) → not in the list
        line(stamp(2), stamp(6, 17), status=10, NgayKetThucXuLy=stamp(5, 10), NgayTra=stamp(5, 15)),
        # D: finished Fri 06/03 15:00 after the due Thu 05/03 17:00 (the record's NgayHenTra was not
        #    moved when the supplement arrived). The late list (NĐ 61, statutory reading) compares the end
        #    with that due, nothing subtracted → late, (05, 06] = 1 working day. (766 subtracts the 48 h
        #    wait, 03/03 09:00 → 05/03 09:00: 06/03 15:00 − 48 h = 04/03 15:00 ≤ due → on time there.)
        line(
            stamp(2),
            stamp(5, 17),
            status=10,
            NgayKetThucXuLy=stamp(6, 15),
            NgayTra=stamp(6, 16),
            DanhSachHoSoBoSung=[{"NgayBoSung": stamp(3, 9), "NgayTiepNhanBoSung": stamp(5, 9)}],
        ),
        # E: apologised (due 05/03, new date promised 10/03, "Chờ xác minh"), finished Thu 12/03 → late
        #    with an apology, counted from the statutory due: (05, 12] = 6, 9, 10, 11, 12 = 5 working days
        line(
            stamp(2),
            stamp(10, 17),
            status=10,
            NgayKetThucXuLy=stamp(12, 10),
            NgayTra=stamp(12, 15),
            DanhSachHenLai=[
                {
                    "NgayXinLoi": stamp(3, 15),
                    "NgayHenTraTruoc": stamp(5, 17),
                    "NgayHenTraMoi": stamp(10, 17),
                    "LyDo": "Chờ xác minh nơi cư trú",
                }
            ],
        ),
        # F: late by two hours on the due day itself: due 05/03 17:00… finished the same day? The due is
        #    the end of the day, so take a due at 10:00: finished 05/03 15:00 → late, 0 whole days
        line(stamp(2), stamp(5, 10), status=10, NgayKetThucXuLy=stamp(5, 15), NgayTra=stamp(5, 16)),
        # G: another ward (Lê Chân), late → only in its own list
        line(stamp(2), stamp(5, 17), status=10, NgayKetThucXuLy=stamp(9, 10), prefix=WARD_B),
        # H: received in February, still open, due 27/02 → carried over, late at the end of March
        line(stamp(20, month=2), stamp(27, 17, month=2)),
    ]


def codes(rows) -> list[str]:
    return [r.code for r in rows]


def test_membership_reasons_days_and_apologies(world, clock):
    lines = march_lines()
    load(lines)
    a, b, c, d, e, f, g, h = (x["MaHoSo"] for x in lines)
    result = latelist.late_list(MARCH, world.ward_a)
    by_code = {r.code: r for r in result.rows}
    # (received_at, id) order: H (February) first
    assert codes(result.rows) == [h, a, d, e, f, b]
    assert c not in by_code and g not in by_code
    assert by_code[d].reason_code == "late" and by_code[d].days_late == 1
    assert result.complete and result.period.end == date(2026, 3, 31)

    assert by_code[a].reason_code == "late" and by_code[a].ended and by_code[a].days_late == 2
    assert "hạn trả 05/03/2026 17:00" in by_code[a].reason
    assert by_code[b].reason_code == "in_progress_overdue" and not by_code[b].ended
    assert by_code[b].days_late == 16
    assert by_code[f].days_late == 0  # late by hours on the due day
    # H: due Fri 27/02 → (27/02, 31/03]: 2–6, 9–13, 16–20, 23–27, 30–31 = 22 working days
    assert by_code[h].days_late == 22

    assert by_code[e].apology and by_code[e].apology_reason == "Chờ xác minh nơi cư trú"
    assert by_code[e].apology_new_due == df.at(2026, 3, 10, 17)
    assert by_code[e].days_late == 5
    assert not by_code[a].apology and by_code[a].flagged
    assert result.without_apology == 5  # H, A, D, F, B

    # the province list holds both wards
    assert g in codes(latelist.late_list(MARCH, None).rows)
    assert codes(latelist.late_list(MARCH, world.ward_b).rows) == [g]


def test_the_current_month_ends_today_and_a_future_month_is_refused(world):
    load([line(stamp(2), stamp(5, 17)), line(stamp(2), stamp(20, 17))])
    with time_machine.travel(df.at(2026, 3, 10, 9), tick=False):
        result = latelist.late_list(MARCH, world.ward_a)
        # as of 10/03: only the dossier due 05/03 is late (the one due 20/03 is not yet)
        assert len(result.rows) == 1 and not result.complete
        assert result.period.end == date(2026, 3, 10)
        with pytest.raises(latelist.LateListInputError):
            latelist.late_list(date(2026, 4, 1), world.ward_a)


@pytest.mark.parametrize("text", ["2026-13", "abc", "", "2026-3-1", "13/2026", "1999-01"])
def test_bad_months_are_refused(text):
    with pytest.raises(latelist.LateListInputError) as info:
        latelist.parse_month(text)
    assert info.value.status == 400 and "không hợp lệ" in info.value.message


def test_month_forms():
    assert latelist.parse_month("2026-03") == MARCH
    assert latelist.parse_month("03/2026") == MARCH
    assert latelist.previous_month(date(2026, 1, 15)) == date(2025, 12, 1)


# -- staff page --------------------------------------------------------------------------------------


def test_staff_page_shows_the_flag_and_is_scoped(world, clock, client):
    lines = march_lines()
    load(lines)
    client.force_login(world.head_a)
    response = client.get("/can-bo/tre-han/", {"month": "2026-03"})
    assert response.status_code == 200
    html = response.content.decode()
    assert lines[0]["MaHoSo"] in html and lines[6]["MaHoSo"] not in html
    assert html.count("late-flagged") == 5  # A, B, D, F, H: no apology
    assert "Chưa có thư xin lỗi" in html and "Chờ xác minh nơi cư trú" in html
    assert "Công bố danh sách" in html  # the head may publish a finished month
    # default month: the previous one (March, on 15/04)
    assert client.get("/can-bo/tre-han/").context["month"] == MARCH

    # a ward officer cannot open another ward's list
    client.force_login(world.specialist_a)
    refused = client.get("/can-bo/tre-han/", {"month": "2026-03", "unit": "plc"})
    assert refused.status_code == 403 and "không có quyền" in refused.content.decode()
    assert "Công bố danh sách" not in client.get("/can-bo/tre-han/", {"month": "2026-03"}).content.decode()
    # bad input: 4xx with a Vietnamese message
    assert client.get("/can-bo/tre-han/", {"month": "2026-99"}).status_code == 400
    assert client.get("/can-bo/tre-han/", {"month": "2030-01"}).status_code == 400
    missing = client.get("/can-bo/tre-han/", {"month": "2026-03", "unit": "khong-co"})
    assert missing.status_code == 404 and "Không có đơn vị" in missing.content.decode()
    # the supervisor sees the province, and both wards
    client.force_login(world.supervisor)
    assert lines[6]["MaHoSo"] in client.get("/can-bo/tre-han/", {"month": "2026-03"}).content.decode()


def test_a_person_without_role_is_refused(world, client):
    from motcua.core.models import User

    nobody = User.objects.create(username="khach", full_name="Khách")
    client.force_login(nobody)
    assert client.get("/can-bo/tre-han/").status_code == 403


# -- publication and the portal ----------------------------------------------------------------------


def test_publish_freezes_a_snapshot_and_the_portal_shows_it_without_personal_data(world, clock, client):
    lines = march_lines()
    load(lines)
    # the portal shows only published lists
    page = client.get("/ho-so-tre-han/", {"month": "2026-03", "unit": "pab"})
    assert page.status_code == 404 and "chưa công bố" in page.content.decode()

    client.force_login(world.specialist_a)  # not a publisher
    assert client.post("/can-bo/tre-han/cong-bo/", {"month": "2026-03", "unit": "pab"}).status_code == 403
    client.force_login(world.head_a)
    with time_machine.travel(df.at(2026, 3, 20), tick=False):  # March not finished yet
        early = client.post("/can-bo/tre-han/cong-bo/", {"month": "2026-03", "unit": "pab"})
        assert early.status_code == 409 and "chưa kết thúc" in early.content.decode()
    response = client.post("/can-bo/tre-han/cong-bo/", {"month": "2026-03", "unit": "pab"})
    assert response.status_code == 302
    publication = LatePublication.objects.get()
    assert (publication.count, publication.without_apology, publication.revision) == (6, 5, 1)
    assert AuditEntry.objects.filter(action="evaluation.late_list.publish").count() == 1
    frozen = publication.rows

    # later data changes do not touch the snapshot
    load([line(stamp(3), stamp(6, 17))])
    publication.refresh_from_db()
    assert publication.rows == frozen and len(latelist.late_list(MARCH, world.ward_a).rows) == 7

    client.logout()
    page = client.get("/ho-so-tre-han/", {"month": "2026-03", "unit": "pab"})
    html = page.content.decode()
    assert page.status_code == 200
    for x in lines[:6]:
        assert (x["MaHoSo"] in html) == (x["MaHoSo"] in {r["code"] for r in frozen})
    assert "Chờ xác minh nơi cư trú" in html and "Chưa có thư xin lỗi" in html
    # no applicant name, no identity number, anywhere in the snapshot or the page
    assert "Nguyễn Thị Hồng Nhung" not in html and df.CITIZEN_ID not in html
    assert all("applicant" not in key for row in frozen for key in row)
    assert df.CITIZEN_ID not in str(frozen) and "Nguyễn" not in str(frozen)
    # the month list names the units that published
    listing = client.get("/ho-so-tre-han/", {"month": "2026-03"}).content.decode()
    assert "Phường An Biên" in listing and "Phường Lê Chân" not in listing

    # publishing again makes a second revision, which the portal then shows
    client.force_login(world.supervisor)
    client.post("/can-bo/tre-han/cong-bo/", {"month": "2026-03", "unit": "pab"})
    assert list(LatePublication.objects.values_list("revision", "count").order_by("revision")) == [
        (1, 6),
        (2, 7),
    ]
    client.logout()
    assert (
        "công bố lần 2" in client.get("/ho-so-tre-han/", {"month": "2026-03", "unit": "pab"}).content.decode()
    )


def test_old_bookmarks_of_the_late_lists_redirect_to_the_current_names(world, clock, client):
    load(march_lines())
    latelist.publish(world.head_a, MARCH, world.ward_a)
    old = client.get("/ho-so-tre-han/", {"thang": "2026-03", "don-vi": "pab"})  # the public page
    assert old.status_code == 301
    assert old["Location"] == "/ho-so-tre-han/?month=2026-03&unit=pab"
    page = client.get(old["Location"])
    assert page.status_code == 200 and "Phường An Biên" in page.content.decode()
    client.force_login(world.head_a)  # the staff page
    staff = client.get("/can-bo/tre-han/", {"thang": "2026-03", "don-vi": "pab"})
    assert staff.status_code == 301
    assert staff["Location"] == "/can-bo/tre-han/?month=2026-03&unit=pab"
    html = client.get(staff["Location"]).content.decode()
    # every address the page writes uses the current names
    assert 'href="/ho-so-tre-han/?month=2026-03&amp;unit=pab"' in html
    assert 'name="thang"' not in html and 'name="don-vi"' not in html


def test_portal_bad_input(world, clock, client):
    assert client.get("/ho-so-tre-han/", {"month": "xx"}).status_code == 400
    unknown = client.get("/ho-so-tre-han/", {"month": "2026-03", "unit": "khong-co"})
    assert unknown.status_code == 404 and "Không có đơn vị" in unknown.content.decode()
    assert client.get("/ho-so-tre-han/").status_code == 200


# -- the flagging job --------------------------------------------------------------------------------


def test_late_dossiers_without_apology_are_flagged_once(world, django_capture_on_commit_callbacks):
    world.head_a.email = "chutich@anbien.gov.vn"
    world.head_a.save()
    lines = march_lines()
    load(lines)

    def run(*moment: int) -> dict[str, int]:
        with django_capture_on_commit_callbacks(execute=True):
            return latelist.flag_missing_apologies.call(now=df.at(*moment).isoformat())

    # on 31/03 18:00: late without apology: H, A, D, F, B (An Biên) and G (Lê Chân, no head on file)
    assert run(2026, 3, 31, 18) == {"late": 7, "without_apology": 6, "flagged": 6}
    assert run(2026, 3, 31, 20) == {"late": 7, "without_apology": 6, "flagged": 0}  # idempotent
    assert LateFlag.objects.count() == 6
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["chutich@anbien.gov.vn"] and "5 hồ sơ trễ hạn" in message.subject
    assert lines[0]["MaHoSo"] in message.body and lines[4]["MaHoSo"] not in message.body  # E apologised
    assert LateFlag.objects.get(dossier__code=lines[6]["MaHoSo"]).recipients == []
    assert AuditEntry.objects.filter(action="evaluation.late_list.flag").count() == 1
    job = next(j for j in JOBS if j.name == "evaluation.flag_missing_apologies")
    assert import_string(job.task_path) is latelist.flag_missing_apologies


def test_a_division_reports_to_its_department_head(world):
    from motcua.core.models import Role
    from motcua.core.tests import factories

    division = factories.unit("Phòng Hộ tịch", parent=world.justice, kind="division", code="stp-ht")
    director = df.staff(Role.AGENCY_LEADER, world.justice, "giamdoc_stp")
    found = latelist.leaders_for({division.pk, world.ward_a.pk, world.ward_b.pk}, date(2026, 3, 31))
    assert found[division.pk] == [director]
    assert found[world.ward_a.pk] == [world.head_a]
    assert world.ward_b.pk not in found


# -- export ------------------------------------------------------------------------------------------


def test_export_holds_the_list_and_respects_scope(world, clock):
    lines = march_lines()
    load(lines)
    job = export_services.request_export(
        world.head_a, "evaluation.late_list", {"month": "2026-03", "unit": "pab"}, ExportJob.Format.XLSX
    )
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
    sheet = load_workbook(io.BytesIO(job.file.read())).worksheets[0]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == codes(latelist.late_list(MARCH, world.ward_a).rows)
    by_code = {r[0]: r for r in rows}
    assert by_code[lines[4]["MaHoSo"]][12] == "Chờ xác minh nơi cư trú"
    assert by_code[lines[0]["MaHoSo"]][12] == "Chưa có thư xin lỗi"
    assert by_code[lines[1]["MaHoSo"]][9] == 16
    # another ward: an empty table, not its rows
    other = export_services.request_export(
        world.head_a, "evaluation.late_list", {"month": "2026-03", "unit": "plc"}, ExportJob.Format.CSV
    )
    other.refresh_from_db()
    assert lines[6]["MaHoSo"] not in other.file.read().decode("utf-8-sig")
    # bad filters: refused with the field named
    from motcua.core.errors import DomainError

    with pytest.raises(DomainError) as info:
        export_services.request_export(
            world.head_a, "evaluation.late_list", {"month": "2026-13", "unit": "pab"}, "csv"
        )
    assert info.value.status == 422


# -- query counts ------------------------------------------------------------------------------------


def _queries(client, url: str, params: dict) -> int:
    """Queries of a page, measured on its second load: the first fills the reference caches (rules,
    calendars), which an import invalidates."""
    client.get(url, params)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_query_counts_do_not_grow_with_rows(world, clock, client):
    load([line(stamp(2), stamp(5, 17)) for _ in range(2)])
    client.force_login(world.head_a)
    params = {"month": "2026-03", "unit": "pab"}
    staff_few = _queries(client, "/can-bo/tre-han/", params)
    latelist.publish(world.head_a, MARCH, world.ward_a)
    public_few = _queries(client, "/ho-so-tre-han/", params)

    load(
        [line(stamp(3), stamp(6, 17)) for _ in range(8)]
        + [
            line(
                stamp(3),
                stamp(9, 17),
                DanhSachHenLai=[
                    {
                        "NgayXinLoi": stamp(4, 9),
                        "NgayHenTraTruoc": stamp(6, 17),
                        "NgayHenTraMoi": stamp(9, 17),
                        "LyDo": "Chờ ý kiến",
                    }
                ],
            )
            for _ in range(3)
        ]
    )
    latelist.publish(world.head_a, MARCH, world.ward_a)
    staff_many = _queries(client, "/can-bo/tre-han/", params)
    public_many = _queries(client, "/ho-so-tre-han/", params)
    assert LatePublication.objects.order_by("-revision").first().count == 13
    assert staff_many == staff_few
    assert public_many == public_few


def test_nav_links(world, client):
    client.force_login(world.head_a)
    html = client.get(reverse("staff:home")).content.decode()
    assert reverse("late:page") in html and reverse("late:tt01") in html
    assert reverse("portal:late") in client.get(reverse("portal:home")).content.decode()
