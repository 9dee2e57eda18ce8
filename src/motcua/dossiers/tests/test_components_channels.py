"""Intake asks only for the documents of the dossier's channel, and for one of a set of alternatives.

The procedure is the birth registration as published (1.001193): the paper declaration when submitted
at the counter or by post, its interactive e-form when submitted online; the birth certificate, or if
there is none a witness's statement, or if there is no witness a commitment.
"""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client

from motcua.catalogue.tests import factories as cf
from motcua.dossiers import services as s
from motcua.dossiers.models import Channel, Dossier
from motcua.dossiers.rules import InvalidDossierInput
from motcua.dossiers.tests import factories as df
from motcua.dossiers.tests.factories import at

pytestmark = pytest.mark.django_db

PAPER = "Tờ khai đăng ký khai sinh (khi nộp trực tiếp hoặc qua bưu chính)"
EFORM = "Mẫu hộ tịch điện tử tương tác đăng ký khai sinh (khi nộp trực tuyến)"
BIRTH = "Giấy chứng sinh"
WITNESS = "Văn bản của người làm chứng xác nhận về việc sinh"
PLEDGE = "Giấy cam đoan về việc sinh"
PROXY = "Văn bản ủy quyền"

COMPONENTS = [
    {"name": PAPER, "channels": ["direct", "postal"]},
    {"name": EFORM, "kind": "electronic", "channels": ["online"]},
    {"name": BIRTH, "alternative_group": "chung-sinh"},
    {"name": WITNESS, "alternative_group": "chung-sinh"},
    {"name": PLEDGE, "alternative_group": "chung-sinh"},
    {"name": PROXY, "required": False},
]


@pytest.fixture
def w():
    return df.world(procedure_doc=cf.procedure("1.001193", cf.version(components=COMPONENTS)))


def given(w, *names: str) -> list[s.ComponentInput]:
    by_name = {c.name: c.pk for c in w.version.components.all()}
    return [s.ComponentInput(component_id=by_name[n]) for n in names]


def counter(w, *names: str, channel: int = Channel.COUNTER) -> Dossier:
    return df.receive(
        w, components=given(w, *names) or [s.ComponentInput(name="Giấy tờ khác")], channel=channel
    )


def online(w, *names: str) -> Dossier:
    return s.submit_online(
        applicant=w.person,
        procedure=w.procedure,
        receiving_unit=w.ward_a,
        competent_unit=w.ward_a,
        components=given(w, *names),
    )


def missing(call) -> list[str]:
    with pytest.raises(InvalidDossierInput) as caught:
        call()
    assert caught.value.code == "components_missing" and caught.value.status == 422
    return caught.value.details["missing"]


def test_a_counter_intake_does_not_ask_for_the_online_e_form(w):
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        d = counter(w, PAPER, PLEDGE)
        assert d.state == "received"
        by_post = counter(w, PAPER, BIRTH, channel=Channel.POST)
        assert by_post.channel == Channel.POST
        assert missing(lambda: counter(w, BIRTH)) == [PAPER]
        assert missing(lambda: counter(w, EFORM, BIRTH)) == [PAPER]  # the e-form does not replace it


def test_an_online_submission_does_not_ask_for_the_paper_declaration(w):
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        d = online(w, EFORM, WITNESS)
        assert d.state == "submitted"
        assert missing(lambda: online(w, PAPER, BIRTH)) == [EFORM]


def test_one_of_the_alternatives_is_enough_and_none_is_named_as_a_choice(w):
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        for one in (BIRTH, WITNESS, PLEDGE):
            assert counter(w, PAPER, one).state == "received"
        assert missing(lambda: counter(w, PAPER, PROXY)) == [f"{BIRTH} hoặc {WITNESS} hoặc {PLEDGE}"]
        with pytest.raises(InvalidDossierInput) as caught:
            counter(w, PROXY)
        assert caught.value.message == (
            f"Hồ sơ chưa đủ thành phần bắt buộc: {PAPER}; {BIRTH} hoặc {WITNESS} hoặc {PLEDGE}."
        )


def test_the_counter_form_lists_the_paper_documents_and_requires_one_alternative(w):
    client = Client()
    client.force_login(w.intake_a)
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        page = client.get("/can-bo/ho-so/tiep-nhan/?procedure=1.001193").content.decode()
        assert PAPER in page and BIRTH in page and EFORM not in page
        assert "Hoặc nộp thay bằng:" in page
        ids = {c.name: c.pk for c in w.version.components.all()}
        form = {
            "procedure": "1.001193",
            "receiving_unit": w.ward_a.pk,
            "competent_unit": w.ward_a.pk,
            "applicant_kind": "person",
            "citizen_id": df.CITIZEN_ID,
            "channel": Channel.COUNTER,
            "result_delivery": "counter",
            f"c{ids[PAPER]}_received": "on",
        }
        response = client.post("/can-bo/ho-so/tiep-nhan/", form)
        assert response.status_code == 400
        text = response.content.decode()
        assert "phải nộp một trong các giấy tờ" in text and not Dossier.objects.exists()
        response = client.post("/can-bo/ho-so/tiep-nhan/", {**form, f"c{ids[WITNESS]}_received": "on"})
        assert response.status_code == 302
    d = Dossier.objects.get()
    assert sorted(c.name for c in d.components.all()) == sorted([PAPER, WITNESS])
