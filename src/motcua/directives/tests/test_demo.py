"""The demo loads Kế hoạch 3327/KH-UBND with its progress when the seed folder is present."""

from __future__ import annotations

import pytest
import time_machine

from motcua.core.audit import verify_chain
from motcua.core.models import User
from motcua.demo.loader import load_demo
from motcua.directives import selectors
from motcua.directives.demo import load_directives_demo
from motcua.directives.models import CompletionRequest, Decision, Directive, DirectiveUnit, ExtensionRequest
from motcua.directives.tests.factories import SEED, at

pytestmark = pytest.mark.django_db


def test_without_the_seed_folder_the_plan_is_skipped_with_a_message(tmp_path, monkeypatch):
    monkeypatch.setenv("MOTCUA_SEED_DIR", str(tmp_path))
    said: list[str] = []
    assert load_directives_demo(said.append) is None
    assert "Bỏ qua kế hoạch 3327/KH-UBND" in said[0] and str(tmp_path) in said[0]


@pytest.mark.skipif(not SEED.is_file(), reason=f"the seed plan is not here ({SEED})")
def test_the_demo_plan_shows_realistic_progress():
    with time_machine.travel(at(2026, 11, 27, 10), tick=False):
        load_demo(verbose=False, history=0)
        office = User.objects.get(username="giamsat")
        _, counts = selectors.task_list(office, selectors.Filters(), today=at(2026, 11, 27).date())
    assert counts == {
        "overdue": 3,
        "soon_due": 1,
        "in_progress": 2,
        "not_started": 1,
        "no_deadline": 24,
        "done_on_time": 2,
        "done_late": 1,
    }
    assert CompletionRequest.objects.filter(status=Decision.PENDING).count() == 1
    assert CompletionRequest.objects.filter(status=Decision.RETURNED).count() == 1
    assert ExtensionRequest.objects.filter(status=Decision.PENDING).count() == 1
    # The unit names of the seed on the demo's unit list.
    rows = DirectiveUnit.objects.all()
    assert (
        rows.filter(unit__isnull=False).count(),
        rows.exclude(collective="").filter(unit__isnull=True).count(),
        rows.filter(unit__isnull=True, collective="").count(),
    ) == (34, 70, 18)
    assert set(rows.filter(unit__isnull=True, collective="").values_list("name", flat=True)) == {
        "Sở Thông tin và Truyền thông",
        "Đài Phát thanh và Truyền hình tỉnh",
        "Báo Hải Dương và các cơ quan, đơn vị có liên quan",
    }
    before = Directive.objects.count(), CompletionRequest.objects.count()
    with time_machine.travel(at(2026, 11, 27, 11), tick=False):
        load_directives_demo()
    assert (Directive.objects.count(), CompletionRequest.objects.count()) == before
    assert verify_chain().ok
