"""The demo's dossiers carry no link to a result file while the demo has no real files: a link to
nothing ("/ket-qua/KQ-….pdf", a 404) counted as an electronic result in the 766 index (4.1, and as a
digitised dossier with its result in 4.2)."""

from datetime import date

import pytest
import time_machine

from motcua.demo import history
from motcua.demo.loader import load_demo
from motcua.dossiers.models import Dossier
from motcua.evaluation.index766 import compute

pytestmark = pytest.mark.django_db


def test_the_demo_history_has_result_numbers_but_no_links_to_missing_files():
    load_demo(verbose=False, history=0)
    records = history.generate(300)
    assert any("MaKetQua" in r for r in records)  # results still have their number
    assert not [r["MaHoSo"] for r in records if "DuongDanTepTinKetQua" in r]


def test_no_demo_dossier_counts_as_having_an_electronic_result_file():
    with time_machine.travel("2026-11-27 10:00 +07:00", tick=False):
        load_demo(verbose=False, history=300)
        assert Dossier.objects.exclude(result_code="").exists()  # the number of the result is kept
        assert not Dossier.objects.exclude(result_file_url="").exists()
        year = compute(date(2025, 12, 1), date(2026, 11, 26))
    # 4.1: dossiers with a result, of TTHC with a paper result, that have an electronic result file
    assert year.indicator("4.1").numerator == 0
    assert year.indicator("4.1").denominator > 0
