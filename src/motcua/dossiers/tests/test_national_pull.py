"""Dossiers submitted on the national portal enter the local lifecycle: taken through the import's
checks, confirmed to the portal, accepted by the officer, and from then on synchronised back."""

from __future__ import annotations

import pytest
import time_machine

from motcua.core.models import AuditEntry
from motcua.dossiers import national, services
from motcua.dossiers.models import Dossier
from motcua.dossiers.national_pull import pull_submitted
from motcua.dossiers.tests import factories as df
from motcua.dossiers.tests.factories import at
from motcua.integrations import delivery, registry

pytestmark = pytest.mark.django_db


def submitted(w, code: str, **changes) -> dict:
    """A dossier as the portal holds it after a citizen submitted it there."""
    version = w.procedure.versions.get()
    record = national.dossier_fields(
        code=code,
        procedure_code=w.procedure.code,
        procedure_name=version.name,
        field_code=w.procedure.field.code,
        field_name=w.procedure.field.name,
        applicant_name="Trần Thị Mai",
        applicant_type=1,
        applicant_id_number="031190004512",
        email="mai.tran@example.vn",
        phone="0912345678",
        submitted_at=at(2026, 3, 9, 8, 15),
        received_at=None,
        due_at=None,
        national_status=1,
        returned_at=None,
        finished_at=None,
        by_post=False,
        unit_name=w.ward_a.name,
        unit_code=w.ward_a.eid_code,
        channel=national.CHANNEL_ONLINE,
        online_payment=0,
        time_limit_value=version.time_limit_value,
        time_limit_unit=version.time_limit_unit,
    )
    record.update(TaiLieuNop=[], DanhSachLePhi=[], DanhSachHoSoBoSung=[], DanhSachGiayToKetQua=[])
    record.update(changes)
    return record


def test_a_dossier_submitted_on_the_portal_is_taken_accepted_and_synchronised_back(portal):
    w = df.world()
    good = submitted(w, "000.11.01.H31-260309-9001")
    unknown = submitted(w, "000.11.01.H31-260309-9002", MaTTHC="9.999999")
    portal.submit([good, unknown])
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=True):
        report = pull_submitted()
    assert report.taken == [good["MaHoSo"]]
    assert list(report.refused) == [unknown["MaHoSo"]]
    assert "9.999999 không có trong danh mục" in report.refused[unknown["MaHoSo"]][0]
    # The portal was told about the taken one only: it offers the refused one again.
    again = registry.query("dvcqg", {"service": "LayHoSoMoi"})["result"]
    assert [r["MaHoSo"] for r in again] == [unknown["MaHoSo"]]
    dossier = Dossier.objects.get(code=good["MaHoSo"])
    assert (dossier.state, dossier.channel, dossier.national_status) == ("submitted", 2, 1)
    assert dossier.applicant_name == "Trần Thị Mai" and dossier.imported_at is not None
    assert AuditEntry.objects.filter(action="dossier.pull_national").count() == 1
    # A second pull takes nothing twice.
    with time_machine.travel(at(2026, 3, 9, 9, 5), tick=True):
        assert pull_submitted().taken == []
    assert Dossier.objects.filter(code=good["MaHoSo"]).count() == 1
    # The officer accepts it; the acceptance goes back to the portal.
    with time_machine.travel(at(2026, 3, 9, 9, 30), tick=True):
        dossier = services.accept_online(dossier.code, by=w.intake_a, expected_version=dossier.lock_version)
    assert dossier.state == "received"
    assert delivery.send_pending(["dvcqg"]).delivered == 2
    assert portal.dossiers[dossier.code]["TrangThaiHoSo"] == 2


def test_an_unreachable_portal_is_reported_not_crashed(settings):
    settings.DVCQG_ENDPOINT = "http://127.0.0.1:9"
    settings.DVCQG_USERNAME = settings.DVCQG_PASSWORD = "motcua"
    with pytest.raises(registry.QueryFailed) as caught:
        pull_submitted()
    assert caught.value.unavailable and "Không kết nối được Cổng DVCQG" in caught.value.message
