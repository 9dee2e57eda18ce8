import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from motcua.core.audit import acting_as, verify_chain
from motcua.core.models import AuditEntry, OrgUnit
from motcua.core.tests import factories

pytestmark = pytest.mark.django_db


def test_every_write_is_logged_with_its_actor():
    province = factories.unit("Thành phố Thử", kind="province")
    admin = factories.staff(["administrator"], province)
    before = AuditEntry.objects.count()
    with acting_as(admin, ip="10.1.2.3"):
        ward = factories.unit("Phường Một", parent=province)
        ward.name = "Phường Một Mới"
        ward.save()
        ward.delete()
    actions = [e.action for e in AuditEntry.objects.order_by("id")[before:]]
    assert actions == ["create", "update", "delete"]
    last = AuditEntry.objects.order_by("-id").first()
    assert last.actor_id == admin.pk and last.ip == "10.1.2.3"
    assert last.data["name"] == "Phường Một Mới"
    assert verify_chain().ok


def test_an_edited_row_breaks_the_chain_and_the_command_fails():
    for i in range(3):
        factories.unit(f"Xã {i}", kind="commune")
    assert verify_chain().ok
    victim = AuditEntry.objects.order_by("id")[1]
    # Tamper directly in the database, as an attacker with SQL access would.
    AuditEntry.objects.filter(pk=victim.pk).update(summary="đã bị sửa")
    report = verify_chain()
    assert not report.ok and report.first_bad_id == victim.pk and "sửa" in report.problem
    with pytest.raises(CommandError, match="bị phá vỡ"):
        call_command("audit", "verify")


def test_a_removed_row_breaks_the_chain():
    for i in range(3):
        factories.unit(f"Phường {i}")
    rows = list(AuditEntry.objects.order_by("id"))
    AuditEntry.objects.filter(pk=rows[1].pk).delete()
    report = verify_chain()
    assert not report.ok and report.first_bad_id == rows[2].pk


def test_removing_the_last_row_is_detected_by_the_chain_head():
    factories.unit("Phường A")
    factories.unit("Phường B")
    AuditEntry.objects.order_by("-id").first().delete()
    assert not verify_chain().ok


def test_verify_command_passes_on_an_intact_chain(capsys):
    factories.unit("Phường C")
    call_command("audit", "verify", "--json")
    assert '"ok": true' in capsys.readouterr().out


def test_password_hashes_never_enter_the_log():
    province = factories.unit("Tỉnh", kind="province")
    factories.staff(["specialist"], province)
    assert not AuditEntry.objects.filter(data__has_key="password").exists()
    assert OrgUnit.objects.exists()
