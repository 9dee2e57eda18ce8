"""The audit chain is anchored outside the database: someone who edits a row and re-hashes the rest
of the chain (and its head) passes the hash check, but not the signed checkpoints."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from motcua.core import checkpoints
from motcua.core.audit import GENESIS, _payload, entry_hash, verify_chain
from motcua.core.models import AuditEntry, AuditHead
from motcua.core.tasks import audit_checkpoint
from motcua.core.tests import factories

pytestmark = pytest.mark.django_db
KEY = "khoa-ky-diem-neo-nhat-ky-" + "x" * 20


@pytest.fixture(autouse=True)
def anchored(settings, tmp_path):
    settings.AUDIT_CHECKPOINT_KEY = KEY
    settings.AUDIT_CHECKPOINT_DIR = tmp_path / "diem-neo"


def rehash_from(entry: AuditEntry) -> None:
    """What an attacker with write access to the database does after editing ``entry``."""
    before = AuditEntry.objects.filter(id__lt=entry.pk).order_by("-id").first()
    prev = before.hash if before else GENESIS
    for row in AuditEntry.objects.filter(id__gte=entry.pk).order_by("id"):
        new = entry_hash(prev, _payload(row))
        AuditEntry.objects.filter(pk=row.pk).update(prev_hash=prev, hash=new)
        prev = new
    AuditHead.objects.filter(pk=1).update(last_hash=prev)


def write_units(*names: str) -> None:
    for name in names:
        factories.unit(name, kind="commune")


def test_a_row_edited_and_the_chain_rehashed_is_caught_by_the_signed_checkpoint(capsys):
    write_units("Xã Một", "Xã Hai", "Xã Ba")
    call_command("audit", "checkpoint")
    write_units("Xã Bốn")
    victim = AuditEntry.objects.order_by("id")[1]
    AuditEntry.objects.filter(pk=victim.pk).update(summary="Xã Hai đã bị đổi tên")
    rehash_from(victim)
    assert verify_chain().ok  # the chain alone no longer shows it
    with pytest.raises(CommandError, match="điểm neo đã ký"):
        call_command("audit", "verify", "--json")
    assert json.loads(capsys.readouterr().out)["ok"] is False


def test_an_intact_chain_passes_with_its_checkpoints_and_later_entries(capsys):
    write_units("Xã Một")
    assert audit_checkpoint.call() is True
    assert audit_checkpoint.call() is False  # the head has not moved: nothing more to sign
    write_units("Xã Hai")
    assert audit_checkpoint.call() is True
    write_units("Xã Ba")  # after the last checkpoint
    call_command("audit", "verify", "--json")
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] and report["checkpoints"] == 2 and report["anchored_up_to"] < report["checked"]


def test_a_checkpoint_rewritten_without_the_key_is_refused():
    write_units("Xã Một", "Xã Hai")
    call_command("audit", "checkpoint")
    victim = AuditEntry.objects.order_by("id").first()
    AuditEntry.objects.filter(pk=victim.pk).update(summary="đã sửa")
    rehash_from(victim)
    # The attacker also rewrites the checkpoint to the new head, signing with a key of their own.
    path = checkpoints.path()
    line = json.loads(path.read_text())
    line["hash"] = AuditHead.objects.get().last_hash
    line["mac"] = checkpoints.sign(line, b"not-the-key")
    path.write_text(json.dumps(line) + "\n")
    with pytest.raises(CommandError, match="chữ ký sai"):
        call_command("audit", "verify")


def test_removing_the_checkpoints_or_truncating_the_chain_is_caught():
    write_units("Xã Một", "Xã Hai", "Xã Ba")
    call_command("audit", "checkpoint")
    # The last entries removed and the head moved back: the chain is shorter than what was signed.
    rows = list(AuditEntry.objects.order_by("id"))
    AuditEntry.objects.filter(pk=rows[-1].pk).delete()
    AuditHead.objects.filter(pk=1).update(last_hash=rows[-2].hash, count=len(rows) - 1)
    assert verify_chain().ok
    with pytest.raises(CommandError, match="ngắn hơn điểm neo"):
        call_command("audit", "verify")
    checkpoints.path().unlink()
    with pytest.raises(CommandError, match="không có điểm neo"):
        call_command("audit", "verify")


def test_without_a_key_nothing_is_signed_and_the_command_says_so(settings):
    settings.AUDIT_CHECKPOINT_KEY = ""
    write_units("Xã Một")
    assert audit_checkpoint.call() is False
    with pytest.raises(CommandError, match="AUDIT_CHECKPOINT_KEY"):
        call_command("audit", "checkpoint")
    call_command("audit", "verify")  # the hash chain alone is still checked
