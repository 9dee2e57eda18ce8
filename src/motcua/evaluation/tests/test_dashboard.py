"""The 766 dashboard (/can-bo/danh-gia/): figures, scope, bad input, the cache, exports, query counts."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from motcua.core.models import Role, User
from motcua.core.tests import factories as core_factories
from motcua.dossiers.tests import factories as df
from motcua.evaluation import cache as evaluation_cache
from motcua.evaluation.cache import Board, compute_many, ranked_units
from motcua.evaluation.formulas import Period
from motcua.evaluation.index766 import compute
from motcua.evaluation.tests.builders import WARD, WARD_B, line, load, stamp
from motcua.evaluation.tests.test_command import LINES
from motcua.exports.models import ExportJob

pytestmark = pytest.mark.django_db

URL = "/can-bo/danh-gia/"
MARCH = {"period": "thang", "year": "2026", "month": "3"}
TODAY = date(2026, 4, 20)


@pytest.fixture
def world():
    w = df.world()
    load(LINES)
    return w


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-04-20 09:00 +07:00", tick=True):
        yield


def page(client, user, url=URL, **params):
    client.force_login(user)
    return client.get(url, params)


def test_the_dashboard_shows_the_index_of_the_chosen_month(client, world):
    response = page(client, world.supervisor, **MARCH, unit="tinh")
    assert response.status_code == 200
    html = response.content.decode()
    # the same figures as the command line (test_command: 36.49 in total, 2.1 = 4/7 = 57.14%)
    assert 'id="eval-total">36,49<' in html
    assert "Tháng 3/2026" in html and "Toàn tỉnh" in html
    assert "57,14%" in html and "4 / 7" in html
    assert "Số liệu tính lúc" in html
    # six groups, the key rates; satisfaction (5.4) with its two parts: late 3 of 7, none disliked
    for code in ("CKMB", "TDGQ", "CLGQ", "TTTT", "MDSH", "MDHL"):
        assert f'id="group-{code}"' in html
    rate_54 = html.split('id="rate-54"')[1].split("</li>")[0]
    assert "57,14%" in rate_54 and "trễ hạn (theo chỉ số 2.1): 42,86%" in rate_54 and "(0/6" in rate_54
    # ranking: both wards, An Biên first (all dossiers are its own)
    ranking = html.split('id="ranking"')[1]
    assert ranking.index("Phường An Biên") < ranking.index("Phường Lê Chân")
    # no inline style (CSP), charts have titles
    assert "style=" not in html
    assert "<title" in html and "<desc" in html
    # the default unit of a province supervisor is the whole province
    assert 'id="eval-total">36,49<' in page(client, world.supervisor, **MARCH).content.decode()


def test_every_period_kind_is_accepted(client, world):
    for params in (
        {"period": "quy", "year": "2026", "quarter": "1"},
        {"period": "6-thang", "year": "2026"},
        {"period": "9-thang", "year": "2026"},
        {"period": "nam", "year": "2026"},
        {"period": "tuy-chon", "start": "01/03/2026", "end": "31/03/2026"},
        {},
    ):
        response = page(client, world.supervisor, **params)
        assert response.status_code == 200, params
    html = page(
        client, world.supervisor, period="tuy-chon", start="01/03/2026", end="31/03/2026"
    ).content.decode()
    assert 'id="eval-total">36,49<' in html
    # the current month is computed up to today
    html = page(client, world.supervisor).content.decode()
    assert "Tháng 4/2026 (đến hết ngày 20/04/2026)" in html


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"period": "tuy-chon", "start": "31/03/2026", "end": "01/03/2026"}, "trước ngày bắt đầu"),
        ({"period": "tuy-chon", "start": "2026-13-45", "end": "01/03/2026"}, "dd/mm/yyyy"),
        ({"period": "tuy-chon", "start": "01/03/2026"}, "cần cả ngày bắt đầu và ngày kết thúc"),
        ({"period": "tuy-chon", "start": "01/01/2020", "end": "31/12/2025"}, "tối đa 2 năm"),
        ({"period": "thang", "year": "abc"}, "Năm phải là số"),
        ({"period": "thang", "year": "2026", "month": "13"}, "Tháng phải là số từ 1 đến 12"),
        ({"period": "nam", "year": "2027"}, "chưa đến"),
        ({"period": "tuan"}, "Kỳ"),
    ],
)
def test_a_bad_period_is_a_400_with_a_vietnamese_message(client, world, params, message):
    for url in (URL, URL + "chi-so/2.1/"):
        response = page(client, world.supervisor, url, **params)
        assert response.status_code == 400, (url, params)
        assert message in response.content.decode()


def test_an_old_bookmark_of_the_dashboard_redirects_to_the_current_names(client, world):
    old = page(client, world.supervisor, ky="thang", nam="2026", thang="3", don_vi="tinh", xep="dung-han")
    assert old.status_code == 301
    assert old["Location"] == f"{URL}?period=thang&year=2026&month=3&unit=tinh&sort=dung-han"
    html = client.get(old["Location"]).content.decode()
    assert 'id="eval-total">36,49<' in html and "Tháng 3/2026" in html
    # the links the page writes use the current names too
    assert "?period=thang&amp;year=2026&amp;month=3&amp;unit=tinh" in html
    assert 'name="ky"' not in html and "don_vi=" not in html
    custom = page(client, world.supervisor, ky="tuy-chon", tu="01/03/2026", den="31/03/2026")
    assert custom["Location"] == f"{URL}?period=tuy-chon&start=01%2F03%2F2026&end=31%2F03%2F2026"
    drill = page(client, world.supervisor, URL + "chi-so/2.1/", **MARCH, tat_ca="1", sau="x")
    assert drill.status_code == 301
    assert drill["Location"] == f"{URL}chi-so/2.1/?period=thang&year=2026&month=3&all=1&page=x"


def test_a_ward_officer_sees_only_their_ward(client, world):
    response = page(client, world.intake_a, **MARCH)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="eval-scope">Phường An Biên<' in html
    assert 'value="tinh"' not in html and "Phường Lê Chân" not in html
    for url in (URL, URL + "chi-so/2.1/"):
        for other in ("plc", WARD_B, "tinh", "tp", "khong-co"):
            response = page(client, world.intake_a, url, **MARCH, unit=other)
            assert response.status_code == 404, (url, other)
            assert "phạm vi" in response.content.decode()
    # Lê Chân's officer cannot open An Biên's drill-down either
    assert page(client, world.intake_b, URL + "chi-so/2.1/", **MARCH, unit="pab").status_code == 404
    assert page(client, world.intake_a, URL + "chi-so/2.1/", **MARCH, unit=WARD).status_code == 200


def test_without_a_role_the_page_is_refused(client, world):
    nobody = User.objects.create(username="khach", full_name="Khách")
    assert page(client, nobody).status_code == 403
    assert page(client, nobody, URL + "chi-so/2.1/").status_code == 403
    client.logout()
    assert client.get(URL).status_code == 302


def test_the_indicator_page_explains_and_lists_the_dossiers_against_it(client, world):
    response = page(client, world.supervisor, URL + "chi-so/2.1/", **MARCH, unit="tinh")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="ind-rate">57,14%<' in html
    assert 'id="ind-numerator">4<' in html and 'id="ind-denominator">7<' in html
    assert "Công thức" in html and "Theo cách tính của Cổng Dịch vụ công quốc gia" in html and "Nguồn" in html
    assert "F766" not in html and "✅" not in html  # no internal reference on the screen
    # L1 finished on the due day before its supplement (05/03): on time, not early (the wait counts once)
    assert 'id="reasons"' in html and "Xử lý xong đúng hạn" in html and "Xử lý xong trước hạn" not in html
    drill = html.split('id="drill"')[1]
    # L2 (open, overdue), L4 (finished late), L5 (February, finished late in March): three late ones
    late = [LINES[1]["MaHoSo"], LINES[3]["MaHoSo"], LINES[4]["MaHoSo"]]
    for code in late:
        assert f'href="/can-bo/ho-so/{code}/"' in drill
    assert LINES[0]["MaHoSo"] not in drill  # on time: not listed by default
    html = page(client, world.supervisor, URL + "chi-so/2.1/", **MARCH, all="1").content.decode()
    assert LINES[0]["MaHoSo"] in html.split('id="drill"')[1]
    # a missing indicator says why; an unknown code or a bad cursor never gives a 500
    html = page(client, world.supervisor, URL + "chi-so/5.1/", **MARCH).content.decode()
    assert "Thiếu dữ liệu" in html and "Phản ánh, kiến nghị" in html
    assert page(client, world.supervisor, URL + "chi-so/9.9/", **MARCH).status_code == 404
    response = page(client, world.supervisor, URL + "chi-so/2.1/", **MARCH, page="!!!")
    assert response.status_code == 400 and "Con trỏ trang không hợp lệ" in response.content.decode()


def test_the_drill_down_pages_by_50(client, world):
    load([line(stamp(5 + n % 20, 9), stamp(2, 17), status=4) for n in range(60)])  # 60 overdue ones
    html = page(client, world.supervisor, URL + "chi-so/2.1/", **MARCH).content.decode()
    drill = html.split('id="drill"')[1].split("</table>")[0]
    assert drill.count('href="/can-bo/ho-so/') == 50
    assert 'rel="next"' in html
    next_url = html.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    html = client.get(URL + "chi-so/2.1/" + next_url).content.decode()
    rest = html.split('id="drill"')[1].split("</table>")[0]
    assert rest.count('href="/can-bo/ho-so/') == 63 - 50  # 60 + L2, L4, L5
    assert 'rel="next"' not in html and "Trang đầu" in html


def test_a_change_of_the_dossiers_shows_on_the_next_view(client, world, monkeypatch):
    page(client, world.supervisor, **MARCH)
    first = page(client, world.supervisor, URL + "chi-so/2.1/", **MARCH).content.decode()
    assert 'id="ind-denominator">7<' in first
    # a second view computes nothing: everything comes from the cache
    calls = []
    real = evaluation_cache.compute_many
    monkeypatch.setattr(evaluation_cache, "compute_many", lambda *a, **k: calls.append(a) or real(*a, **k))
    page(client, world.supervisor, **MARCH)
    page(client, world.supervisor, URL + "chi-so/2.1/", **MARCH)
    assert calls == []
    load([line(stamp(20), stamp(21, 17), status=4)])  # one more dossier of March, overdue
    html = page(client, world.supervisor, URL + "chi-so/2.1/", **MARCH).content.decode()
    assert 'id="ind-denominator">8<' in html and 'id="ind-numerator">4<' in html
    assert calls  # recomputed once the data changed


def test_after_a_change_the_context_shows_its_last_values_until_the_worker_brings_it_up_to_date(
    client, world, monkeypatch, django_capture_on_commit_callbacks
):
    evaluation_cache.precompute(TODAY)
    load([line(stamp(20), stamp(21, 17), status=4)])  # one more dossier of March, overdue
    calls = []
    real = evaluation_cache.compute_many
    monkeypatch.setattr(evaluation_cache, "compute_many", lambda *a, **k: calls.append(a) or real(*a, **k))
    with django_capture_on_commit_callbacks(execute=True) as queued:
        html = page(client, world.supervisor, **MARCH).content.decode()
    # the month asked is exact at once: 2.1 is now 4 of 8 (one computation, of March alone) …
    assert 'id="rate-21"' in html and "4 / 8" in html.split('id="rate-21"')[1].split("</li>")[0]
    assert len(calls) == 1 and calls[0][2] == ()
    # … the ranking of the units still shows the last computation (4 of 7), and says so
    ranking = html.split('id="ranking"')[1].split("</table>")[0]
    assert "4 / 7" in ranking and "4 / 8" not in ranking
    assert 'id="eval-lag"' in html and "đang được cập nhật" in html
    # one background task is queued, and a burst of views does not queue it again
    assert len(queued) == 1
    job = DBTaskResult.objects.get(task_path__endswith="refresh_dashboard")
    with django_capture_on_commit_callbacks(execute=True) as again:
        page(client, world.supervisor, **MARCH)
    assert again == [] and DBTaskResult.objects.filter(task_path__endswith="refresh_dashboard").count() == 1
    # the worker runs it: the next view is exact everywhere and computes nothing
    args, kwargs = job.args_kwargs["args"], job.args_kwargs["kwargs"]
    assert args[0] == [
        ["rank", "2026-03-01", "2026-03-31", 0]
    ]  # the trend months before March did not change
    assert evaluation_cache.refresh(*args, **kwargs) == 1
    calls.clear()
    html = page(client, world.supervisor, **MARCH).content.decode()
    assert 'id="eval-lag"' not in html and calls == []
    assert "4 / 8" in html.split('id="ranking"')[1].split("</table>")[0]


def test_a_scope_never_computed_is_computed_in_the_view(client, world):
    # nothing to show from before: the page computes what it shows, exact, and queues nothing
    html = page(client, world.supervisor, **MARCH).content.decode()
    assert 'id="eval-lag"' not in html and "4 / 7" in html.split('id="ranking"')[1].split("</table>")[0]
    assert not DBTaskResult.objects.filter(task_path__endswith="refresh_dashboard").exists()


def test_the_ranking_equals_compute_unit_by_unit(world):
    load([line(stamp(12), stamp(13, 17), status=9, prefix=WARD_B, NgayKetThucXuLy=stamp(13, 10))])
    period = Period.month(2026, 3)
    board = Board()
    ranked = ranked_units(None, period.end, board.units)
    assert {u.code for u in ranked} == {"pab", "plc", "stp", "cat"}
    root, per_unit = compute_many(period, None, ranked, board.units)
    assert root.as_dict() == compute(period.start, period.end).as_dict()
    for unit in ranked:
        assert per_unit[unit.pk].as_dict() == compute(period.start, period.end, unit=unit).as_dict(), (
            unit.code
        )
    ranking = board.ranking(period, None)
    assert [r.unit_code for r in ranking.rows][:2] == ["pab", "plc"]
    assert ranking.by_on_time[0].unit_code == "plc"  # 1/1 on time


def test_the_periodic_job_fills_the_cache(client, world, monkeypatch):
    assert evaluation_cache.precompute(TODAY) == 13
    monkeypatch.setattr(evaluation_cache, "compute_many", lambda *a, **k: pytest.fail("computed in a view"))
    assert page(client, world.supervisor, **MARCH).status_code == 200
    assert page(client, world.intake_a, **MARCH).status_code == 200  # the ward's months too


def _queries(client, user, url, **params) -> int:
    client.force_login(user)
    client.get(url, params)  # fills the cache
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return len(captured)


def test_query_counts_do_not_grow_with_units_or_dossiers(client, world):
    before = _queries(client, world.supervisor, URL, **MARCH)
    before_ind = _queries(client, world.supervisor, URL + "chi-so/4.2/", **MARCH)
    for n in range(5):
        unit = core_factories.unit(
            f"Phường Mới {n}", parent=world.province, code=f"pm{n}", eid_code=f"000.11.9{n}.H31"
        )
        df.staff(Role.INTAKE_OFFICER, unit, f"motcua_pm{n}")
        load([line(stamp(10 + n), stamp(12 + n, 17), prefix=f"000.11.9{n}.H31") for _ in range(3)])
    load([line(stamp(3 + n % 20), stamp(25, 17), status=4) for n in range(30)])
    # a view now shows the ranking it had and queues its refresh (a few statements more) …
    lagging = _queries(client, world.supervisor, URL, **MARCH)
    assert before < lagging <= before + 8
    evaluation_cache.precompute(TODAY)  # … until the background job has run
    assert _queries(client, world.supervisor, URL, **MARCH) == before
    assert _queries(client, world.supervisor, URL + "chi-so/4.2/", **MARCH) == before_ind


def _export(client, user, fmt="csv", **data):
    client.force_login(user)
    return client.post("/can-bo/tep-xuat/", {"format": fmt, **data})


def _csv(job: ExportJob) -> list[list[str]]:
    with job.file.open("rb") as f:
        return list(csv.reader(io.StringIO(f.read().decode("utf-8-sig"))))


def test_exports_of_the_index_the_ranking_and_the_drill_down(client, world):
    period = {"start": "2026-03-01", "end": "2026-03-31"}
    response = _export(client, world.supervisor, kind="evaluation.index", unit="tinh", **period)
    assert response.status_code == 302
    rows = _csv(ExportJob.objects.get(kind="evaluation.index"))
    assert rows[0][:4] == ["Nhóm", "Tên nhóm", "Mã chỉ số", "Chỉ số"]
    on_time = next(r for r in rows if r[2] == "2.1")
    assert on_time[4:6] == ["57.14", "11.43"] and on_time[8:10] == ["4", "7"]
    assert rows[-1][0] == "TỔNG" and rows[-1][5] == "36.49"
    assert next(r for r in rows if r[2] == "5.1")[10] == "có"  # missing: feedback not yet managed

    _export(client, world.supervisor, fmt="xlsx", kind="evaluation.ranking", unit="tinh", **period)
    assert ExportJob.objects.get(kind="evaluation.ranking").status == ExportJob.Status.DONE
    _export(client, world.supervisor, kind="evaluation.ranking", unit="tinh", **period)
    ranking = _csv(ExportJob.objects.filter(kind="evaluation.ranking", format="csv").get())
    assert ranking[1][:3] == ["1", "pab", "Phường An Biên"]

    _export(client, world.supervisor, kind="evaluation.drilldown", unit="tinh", indicator="2.1", **period)
    drill = _csv(ExportJob.objects.get(kind="evaluation.drilldown"))
    assert sorted(r[1] for r in drill[1:]) == sorted(LINES[i]["MaHoSo"] for i in (1, 3, 4))

    # a ward officer cannot export another ward, nor the province
    before = ExportJob.objects.count()
    for unit in ("plc", "tinh"):
        response = _export(client, world.intake_a, kind="evaluation.index", unit=unit, **period)
        assert response.status_code == 404
    assert ExportJob.objects.count() == before
    response = _export(client, world.intake_a, kind="evaluation.drilldown", indicator="9.9", **period)
    assert response.status_code == 422 and "Không có chỉ số mã" in response.content.decode()
