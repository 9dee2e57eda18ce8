"""TT 01/2018 scores on the database: officers from the dossier timeline, units, the CLI contract, the
staff page (scope, bad input, query count) and the exports. Q1 2026; the clock at 15/04/2026."""

from __future__ import annotations

import io
import json
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from motcua.dossiers import services as s
from motcua.dossiers.tests import factories as df
from motcua.dossiers.tests.factories import at
from motcua.evaluation import tt01_selectors
from motcua.evaluation.tests.builders import WARD_B, line, load, stamp
from motcua.exports import services as export_services
from motcua.exports.models import ExportJob

pytestmark = pytest.mark.django_db

Q1 = (date(2026, 1, 1), date(2026, 3, 31))


def finish(w, finished_at) -> None:
    """A counter dossier received Monday 09/03 09:00 (due Thursday 12/03 17:00, 3 working days) taken
    through every step by four officers, the result ready at ``finished_at``."""
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False) as clock:
        d = df.receive(w)
        for version, by in enumerate((w.intake_a, w.specialist_a, w.leader_a), 1):
            d = s.hand_over(d.code, by=by, expected_version=version)
        clock.move_to(finished_at)
        s.mark_result_ready(d.code, by=w.head_a, expected_version=4)


@pytest.fixture
def world():
    w = df.world()
    finish(w, at(2026, 3, 10, 10, 0))  # P: two days before the due's day → 1: shorter (2)
    finish(w, at(2026, 3, 12, 10, 0))  # Q: on the due's day → 1: equal (1)
    # R: Lê Chân, imported (no officer on the timeline), finished after the due → 0
    load([line(stamp(2), stamp(5, 17), status=9, NgayKetThucXuLy=stamp(9, 10), prefix=WARD_B)])
    return w


@pytest.fixture
def clock():
    with time_machine.travel(at(2026, 4, 15, 9, 0), tick=False):
        yield


def test_scores_by_officer_and_unit(world, clock):
    result = tt01_selectors.compute(*Q1)
    officers = {c.code: c for c in result.officers}
    # everyone who acted on P and Q (the timeline's actors): the intake officer, the specialist, the
    # division head and the chairman; the imported R has no actor
    assert set(officers) == {"motcua_a", "chuyenvien_a", "lanhdaophong_a", "chutich_a"}
    card = officers["chuyenvien_a"]
    # P = (1: 2, 2: 2, 3: 2, 4: 1, 7: 2), Q = (1, 1, 2, 1, 1) →
    # 1: 3/2 = 1.5; 2: 1.5; 3: 4/2 = 2.0; 4: 2/2 = 1.0; 7: 1.5 → total 7.5 → 100%
    assert [i.score for i in card.indicators] == [
        Decimal("1.5"),
        Decimal("1.5"),
        Decimal("2.0"),
        Decimal("1.0"),
        Decimal("1.5"),
    ]
    assert card.total == Decimal("7.5") and card.band == "Hoàn thành 100% nhiệm vụ" and card.dossiers == 2

    units = {c.code: c for c in result.units}
    assert set(units) == {"pab", "plc"}
    pab = units["pab"]
    # 5: ward, the one procedure's dossiers all received and processed by An Biên → 100% → 2 (assumed);
    # 6: 1 (assumed); 8: missing; 9: the unit's procedure list in force decides (see below)
    assert pab.indicator("5").score == Decimal(2) and pab.indicator("5").status == "assumed"
    assert pab.indicator("6").score == Decimal(1) and pab.indicator("8").status == "missing"
    nine = pab.indicator("9")
    expected = Decimal("7.5") + 2 + 1 + (nine.score or 0)
    assert pab.total == expected
    # R: finished 09/03 after the due 05/03 17:00 → 1: 0, 2: 0, 3: 2, 4: 1, 7: 0; 5: Lê Chân processed
    # its own dossier → 2; 6: 1
    plc = units["plc"]
    assert [plc.indicator(c).score for c in ("1", "2", "3", "4", "7")] == [
        Decimal("0.0"),
        Decimal("0.0"),
        Decimal("2.0"),
        Decimal("1.0"),
        Decimal("0.0"),
    ]
    # scope: An Biên alone
    assert [c.code for c in tt01_selectors.compute(*Q1, unit="pab").units] == ["pab"]
    # nothing finished in February
    assert tt01_selectors.compute(date(2026, 2, 1), date(2026, 2, 28)).units == ()


def test_cli_contract(world, clock):
    out = io.StringIO()
    call_command("evaluation", "tt01", "--from", "2026-01-01", "--to", "2026-03-31", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["period"] == {"from": "2026-01-01", "to": "2026-03-31", "label": "Quý I/2026"}
    assert data["scope"] == "Toàn tỉnh"
    officer = next(o for o in data["officers"] if o["code"] == "chuyenvien_a")
    assert officer["total"] == 7.5 and officer["band"] == "Hoàn thành 100% nhiệm vụ"
    assert [i["code"] for i in officer["indicators"]] == ["1", "2", "3", "4", "7"]
    unit = next(u for u in data["units"] if u["code"] == "pab")
    assert [i["code"] for i in unit["indicators"]] == [str(n) for n in range(1, 10)]
    assert next(i for i in unit["indicators"] if i["code"] == "8")["status"] == "missing"
    assert next(i for i in unit["indicators"] if i["code"] == "7")["status"] == "assumed"

    table = io.StringIO()
    call_command(
        "evaluation", "tt01", "--from", "2026-01-01", "--to", "2026-03-31", "--unit", "pab", stdout=table
    )
    text = table.getvalue()
    assert "Quý I/2026" in text and "Phường An Biên" in text and "7,5" in text and "thiếu" in text

    for args, message in (
        (["--from", "2026-13-01", "--to", "2026-03-31"], "không phải ngày hợp lệ"),
        (["--from", "2026-03-31", "--to", "2026-01-01"], "Kỳ không hợp lệ"),
        (["--from", "2026-01-01", "--to", "2026-03-31", "--unit", "khong-co"], "Không có đơn vị"),
    ):
        with pytest.raises(CommandError, match=message):
            call_command("evaluation", "tt01", *args)
    # index766 unchanged
    out = io.StringIO()
    call_command("evaluation", "index766", "--from", "2026-03-01", "--to", "2026-03-31", "--json", stdout=out)
    assert json.loads(out.getvalue())["period"]["label"] == "Tháng 3/2026"


def test_page_scope_and_bad_input(world, clock, client):
    client.force_login(world.head_a)
    page = client.get("/can-bo/tt01/", {"period": "2026-Q1"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Phường An Biên" in html and "Phường Lê Chân" not in html and "7,5" in html
    assert client.get("/can-bo/tt01/").context["key"] == "2026-Q1"  # the last finished quarter
    assert client.get("/can-bo/tt01/", {"period": "2026"}).status_code == 200
    assert client.get("/can-bo/tt01/", {"period": "2026-Q5"}).status_code == 400
    assert client.get("/can-bo/tt01/", {"period": "2027"}).status_code == 400
    assert client.get("/can-bo/tt01/", {"period": "2026-Q1", "unit": "plc"}).status_code == 403
    assert client.get("/can-bo/tt01/", {"period": "2026-Q1", "unit": "khong-co"}).status_code == 404
    client.force_login(world.supervisor)
    assert "Phường Lê Chân" in client.get("/can-bo/tt01/", {"period": "2026-Q1"}).content.decode()
    old = client.get("/can-bo/tt01/", {"ky": "2026-Q1", "don-vi": "plc"})  # a bookmark of the first release
    assert old.status_code == 301 and old["Location"] == "/can-bo/tt01/?period=2026-Q1&unit=plc"


def _queries(client, params) -> int:
    client.get("/can-bo/tt01/", params)  # warm the reference caches
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/can-bo/tt01/", params).status_code == 200
    return len(ctx.captured_queries)


def test_page_query_count_does_not_grow_with_rows(world, clock, client):
    client.force_login(world.supervisor)
    params = {"period": "2026-Q1"}
    few = _queries(client, params)
    load(
        [
            line(
                stamp(3 + n % 5), stamp(10, 17), status=10, NgayKetThucXuLy=stamp(9, 10), NgayTra=stamp(9, 11)
            )
            for n in range(8)
        ]
        + [
            line(stamp(4), stamp(12, 17), status=9, NgayKetThucXuLy=stamp(13, 10), prefix=WARD_B)
            for _ in range(4)
        ]
    )
    many = _queries(client, params)
    assert many == few


def test_exports(world, clock):
    job = export_services.request_export(
        world.supervisor,
        "evaluation.tt01_officers",
        {"period": "2026-Q1", "unit": "tp"},
        ExportJob.Format.XLSX,
    )
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
    rows = list(
        load_workbook(io.BytesIO(job.file.read())).worksheets[0].iter_rows(min_row=2, values_only=True)
    )
    by_code = {r[1]: r for r in rows}
    assert set(by_code) == {"motcua_a", "chuyenvien_a", "lanhdaophong_a", "chutich_a"}
    assert (
        float(by_code["chuyenvien_a"][8]) == 7.5 and by_code["chuyenvien_a"][9] == "Hoàn thành 100% nhiệm vụ"
    )
    units = export_services.request_export(
        world.head_a, "evaluation.tt01_units", {"period": "2026-Q1", "unit": "plc"}, ExportJob.Format.CSV
    )
    units.refresh_from_db()
    assert "Phường Lê Chân" not in units.file.read().decode("utf-8-sig")  # outside the head's scope
