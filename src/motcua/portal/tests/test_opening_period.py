"""The public 766 page and the public KPI page open on the last complete month: on 20/04/2026 a
visitor first sees March, not the 20 days of April whose figures are still nearly empty."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
import time_machine

from motcua.dashboard.models import Indicator, IndicatorValue
from motcua.dossiers.tests import factories as df
from motcua.evaluation.tests.builders import load
from motcua.evaluation.tests.test_command import LINES
from motcua.portal.views_quality import last_complete

pytestmark = pytest.mark.django_db


def selected(html: str, name: str) -> str:
    block = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert block is not None
    found = re.search(r'<option value="([^"]*)" selected>', block.group(1))
    assert found is not None
    return found.group(1)


def test_last_complete_month_and_quarter():
    assert last_complete(date(2026, 4, 20)) == (date(2026, 3, 31), date(2026, 3, 31))
    assert last_complete(date(2026, 5, 1)) == (date(2026, 4, 30), date(2026, 3, 31))
    assert last_complete(date(2027, 1, 10)) == (date(2026, 12, 31), date(2026, 12, 31))


def test_the_public_766_page_opens_on_the_last_complete_month(client):
    df.world()
    load(LINES)  # March 2026: 36,49 points for the province (evaluation/tests/test_public_quality.py)
    with time_machine.travel("2026-04-20 09:00 +07:00", tick=True):
        html = client.get("/danh-gia-chat-luong/").content.decode()
        assert "Tháng 3/2026 · Toàn tỉnh" in html and 'id="q-total">36,49<' in html
        assert "đến hết ngày" not in html  # not the month in progress
        assert (selected(html, "period"), selected(html, "year"), selected(html, "month")) == (
            "thang",
            "2026",
            "3",
        )
        quarter = client.get("/danh-gia-chat-luong/", {"period": "quy"}).content.decode()
        assert "Quý I/2026" in quarter and selected(quarter, "quarter") == "1"
        # a month still asked for explicitly is shown up to today
        april = client.get(
            "/danh-gia-chat-luong/", {"period": "thang", "year": "2026", "month": "4"}
        ).content.decode()
        assert "Tháng 4/2026 (đến hết ngày 20/04/2026)" in april
    with time_machine.travel("2027-01-10 09:00 +07:00", tick=True):
        html = client.get("/danh-gia-chat-luong/").content.decode()
        assert "Tháng 12/2026 · Toàn tỉnh" in html
        # the current year chosen without a month: January, the only month it has
        assert "Tháng 1/2027" in client.get("/danh-gia-chat-luong/", {"year": "2027"}).content.decode()


def test_the_public_kpi_page_opens_on_the_last_complete_month(client):
    df.world()
    received = Indicator.objects.create(
        code="hs", name="Hồ sơ tiếp nhận", source="dossiers", source_key="received", public=True
    )
    IndicatorValue.objects.create(
        indicator=received, month=date(2026, 3, 1), unit=None, value=Decimal("1250")
    )
    IndicatorValue.objects.create(indicator=received, month=date(2026, 4, 1), unit=None, value=Decimal("97"))
    with time_machine.travel("2026-04-20 09:00 +07:00", tick=True):
        html = client.get("/chi-so-dieu-hanh/").content.decode()
    figure = re.search(r'<p class="kpi-figure"><strong>([^<]*)</strong>.*?tháng (\d\d/\d{4})', html, re.S)
    assert figure is not None and figure.groups() == ("1250", "03/2026")
    assert "Số liệu đến hết tháng 03/2026." in html
