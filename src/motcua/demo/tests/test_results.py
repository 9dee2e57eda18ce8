"""A demo dossier links a result file only when the file exists: a link to nothing (a 404) counted as an
electronic result in the 766 index (4.1, and as a digitised dossier with its result in 4.2). The demo
signs the results of its most recently finished dossiers (documents/demo.py); the others keep their
number only."""

from datetime import date

import pytest
import time_machine
from django.conf import settings

from motcua.demo import history
from motcua.demo.loader import load_demo
from motcua.documents import services, verify
from motcua.documents.models import Document
from motcua.dossiers.models import Dossier
from motcua.evaluation.index766 import compute

pytestmark = pytest.mark.django_db


def test_the_demo_history_has_result_numbers_but_no_links_to_missing_files():
    load_demo(verbose=False, history=0)
    records = history.generate(300)
    assert any("MaKetQua" in r for r in records)  # results still have their number
    assert not [r["MaHoSo"] for r in records if "DuongDanTepTinKetQua" in r]


def test_every_demo_result_link_leads_to_a_signed_result():
    with time_machine.travel("2026-11-27 10:00 +07:00", tick=False):
        load_demo(verbose=False, history=300)
        assert Dossier.objects.exclude(result_code="").exists()  # the number of the result is kept
        linked = list(Dossier.objects.exclude(result_file_url=""))
        # the history's results signed by the demo, and the certified copies returned as results
        signed = {d.public_code: d for d in Document.objects.filter(kind__in=["result", "certified_copy"])}
        assert 0 < len(linked) <= len(signed)
        assert Document.objects.filter(kind="result").count() <= settings.MOTCUA_DEMO_SIGNED_RESULTS
        for dossier in linked:
            document = signed[dossier.result_code]
            assert document.dossier_id == dossier.pk
            assert dossier.result_file_url.endswith(f"/xac-thuc/{document.public_code}/")
        assert verify.verify(services.content(next(iter(signed.values())))).genuine
        year = compute(date(2025, 12, 1), date(2026, 11, 26))
    # 4.1: dossiers with a result, of TTHC with a paper result, that have an electronic result file
    indicator = year.indicator("4.1")
    assert 0 < indicator.numerator <= len(linked) and indicator.numerator < indicator.denominator
