"""The counter's citizen lookup by CCCD: only what intake needs, less for another unit's citizen
(NĐ 13/2023, docs/security.md), every lookup audited, and limited per officer."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from motcua.core.models import AuditEntry
from motcua.dossiers.tests import factories as df

pytestmark = pytest.mark.django_db
LOOKUP = "/can-bo/ho-so/tiep-nhan/nguoi-nop/"


@pytest.fixture
def w():
    world = df.world()
    person = world.person
    person.birth_date = date(1985, 5, 17)
    person.address = "12 Lạch Tray, Ngô Quyền"
    person.phone = "0912 345 678"
    person.email = "nhung@example.vn"
    person.save()
    with time_machine.travel(df.at(2026, 3, 9, 9, 0), tick=False):
        df.receive(world)  # the citizen's dossier is at ward A
    return world


def look(client, citizen_id: str = df.CITIZEN_ID):
    return client.get(LOOKUP, {"citizen_id": citizen_id})


def test_the_officer_of_the_unit_that_has_the_citizen_sees_what_intake_needs(client, w):
    client.force_login(w.intake_a)
    page = look(client).content.decode()
    assert "Nguyễn Thị Hồng Nhung" in page and "17/05/1985" in page
    assert "12 Lạch Tray" in page and "•••••••678" in page
    assert "0912 345 678" not in page and "nhung@example.vn" not in page  # never in full, never e-mail


def test_an_officer_of_another_unit_sees_only_what_the_card_in_front_of_them_shows(client, w):
    client.force_login(w.intake_b)
    page = look(client).content.decode()
    assert "Nguyễn Thị Hồng Nhung" in page and "17/05/1985" in page  # printed on the CCCD
    assert "Lạch Tray" not in page and "678" not in page and "nhung@example.vn" not in page
    assert "đơn vị khác" in page


def test_every_lookup_is_audited_with_who_looked_up_whom(client, w):
    client.force_login(w.intake_b)
    look(client)
    look(client, "001099012345")  # a valid number nobody has
    found, missing = AuditEntry.objects.filter(action="person.lookup").order_by("id")
    assert found.actor_id == w.intake_b.pk and found.object_id == str(w.person.pk)
    assert found.data == {"found": True, "in_scope": False, "citizen_id_end": df.CITIZEN_ID[-4:]}
    assert missing.actor_id == w.intake_b.pk and missing.data["found"] is False
    assert df.CITIZEN_ID not in found.summary  # the log does not spread the full number either


def test_lookups_are_limited_per_officer(client, w, settings):
    settings.MOTCUA_LOOKUP_MAX = 3
    client.force_login(w.intake_b)
    for _ in range(3):
        assert look(client).status_code == 200
    refused = look(client)
    assert refused.status_code == 429 and "quá nhiều lần" in refused.content.decode()
    assert "Nguyễn Thị Hồng Nhung" not in refused.content.decode()
    assert AuditEntry.objects.filter(action="person.lookup").count() == 3
    client.force_login(w.intake_a)  # another officer is not affected
    assert look(client).status_code == 200


def test_a_mistyped_number_is_explained_and_not_counted(client, w, settings):
    settings.MOTCUA_LOOKUP_MAX = 1
    client.force_login(w.intake_a)
    assert "12 chữ số" in look(client, "123").content.decode()
    assert look(client).status_code == 200
    assert not AuditEntry.objects.filter(action="person.lookup", data__found=False).exists()
