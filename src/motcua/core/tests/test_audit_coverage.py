"""One audit mechanism for every app: each motcua model is audited by the signal receivers, by its
services (``AUDIT_BY_SERVICE``), or is listed in ``NOT_AUDITED`` with the reason."""

from __future__ import annotations

import pytest
from django.apps import apps

from motcua.core import audit
from motcua.core.audit import NOT_AUDITED, audit_mode, verify_chain
from motcua.core.models import AuditEntry
from motcua.reporting.models import Indicator
from motcua.reporting.tests import factories as rf

pytestmark = pytest.mark.django_db


def test_every_model_of_every_motcua_app_reaches_the_log_or_says_why_not():
    modes = {m._meta.label: audit_mode(m) for m in apps.get_models() if m.__module__.startswith("motcua.")}
    assert "outside" not in modes.values()
    silent = {label for label, mode in modes.items() if mode == "none"}
    assert silent == set(NOT_AUDITED)  # nothing silent by accident, no stale exception
    # Apps once left out of the log are covered now, by the same receivers as the others.
    assert modes["reporting.Indicator"] == modes["dashboard.Indicator"] == "signals"
    assert modes["dashboard.IndicatorValue"] == modes["exports.ExportJob"] == "service"


def test_master_data_of_reporting_edited_in_the_admin_is_audited_once_per_save():
    w = rf.world()
    indicator = Indicator.objects.filter(definition=w.monthly).first()
    indicator.name = "Số hồ sơ tiếp nhận (sửa)"
    indicator.save()
    entries = AuditEntry.objects.filter(object_type="reporting.indicator", object_id=str(indicator.pk))
    assert list(entries.values_list("action", flat=True)).count("update") == 1
    assert entries.filter(action="update").get().data["name"] == "Số hồ sơ tiếp nhận (sửa)"
    assert verify_chain().ok


def test_a_feature_app_leaves_its_model_out_of_the_log_only_by_exempting_it_with_a_reason(monkeypatch):
    w = rf.world()
    indicator = Indicator.objects.filter(definition=w.monthly).first()
    monkeypatch.setattr(audit, "NOT_AUDITED", dict(NOT_AUDITED))
    try:
        audit.exempt("reporting.Indicator", reason="thử")
        audit.exempt("reporting.Indicator", reason="thử")  # again, the same: harmless
        with pytest.raises(ValueError):
            audit.exempt("reporting.Indicator", reason="một lý do khác")
        assert audit_mode(Indicator) == "none"
        before = AuditEntry.objects.count()
        indicator.name = "Không ghi nhật ký"
        indicator.save()
        assert AuditEntry.objects.count() == before  # its receivers are gone
    finally:
        monkeypatch.undo()
        audit.connect_signals()
    assert audit_mode(Indicator) == "signals"
    indicator.save()
    assert AuditEntry.objects.count() == before + 1
