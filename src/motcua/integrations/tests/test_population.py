"""The national population database look-up through its port (``registry.population_registry``) and the
HTTP adapter, against the simulator over real HTTP: a known person is found with the record's code, an
unknown number is ``None``, a registry down or refusing our key is ``QueryFailed``, and a malformed
number is refused before anything is sent. Also: the fictional people file the identity provider shares
holds consistent numbers and the demo's applicants."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
import requests

from motcua.core.identity import IdentityError
from motcua.integrations.contrib.population import PopulationClient
from motcua.integrations.registry import QueryFailed, population_registry
from motcua.integrations.simulators.people import load_people
from motcua.integrations.simulators.population import LOOKUP_PATH, Registry, make_server

KEY = "khoa-thu-nghiem"
VAN = "030189006352"  # Lê Thị Hồng Vân
NOBODY = "031090000001"  # a well-formed number nobody in the file has


@dataclass
class Served:
    registry: Registry
    url: str  # the look-up service's address (MOTCUA_POPULATION_URL)


@pytest.fixture
def served() -> Iterator[Served]:
    registry = Registry(key=KEY)
    server = make_server("127.0.0.1", 0, registry)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield Served(registry, f"http://127.0.0.1:{server.server_address[1]}{LOOKUP_PATH}")
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def configured(served: Served, settings: Any) -> Registry:
    settings.MOTCUA_POPULATION_URL = served.url
    settings.MOTCUA_POPULATION_KEY = KEY
    return served.registry


def lookup(number: str) -> Any:
    found = population_registry()
    assert found is not None
    try:
        return found.lookup(number)
    finally:
        found.close()


def test_a_known_person_is_found_with_the_record_code(configured: Registry) -> None:
    resident = lookup(VAN)
    assert resident.citizen_id == VAN and resident.full_name == "Lê Thị Hồng Vân"
    assert resident.birth_date == date(1989, 4, 17) and resident.gender == "female"
    assert resident.permanent_address.endswith("Phường Thành Đông, Thành phố Hải Phòng")
    assert resident.birth_place == "Thành phố Hải Dương, tỉnh Hải Dương"
    assert (resident.ethnicity, resident.nationality) == ("Kinh", "Việt Nam")
    assert resident.record_code.startswith("CSDLDC-") and resident.record_code == lookup(VAN).record_code
    moved = lookup("030092004738")  # Nguyễn Đức Mạnh lives away from his permanent address
    assert moved.current_address != moved.permanent_address and moved.gender == "male"


def test_an_unknown_person_is_none(configured: Registry) -> None:
    assert lookup(NOBODY) is None
    assert configured.state()["lookups"] == 1


@pytest.mark.parametrize("number", ["12345", "0301890063521", "03018900635a", "999189006352", ""])
def test_a_malformed_number_is_refused_before_calling(configured: Registry, number: str) -> None:
    with pytest.raises(IdentityError):
        lookup(number)
    assert configured.state()["lookups"] == 0


def test_a_registry_down_or_gone_is_query_failed(configured: Registry, settings: Any) -> None:
    configured.go_down(30)
    with pytest.raises(QueryFailed) as down:
        lookup(VAN)
    assert down.value.unavailable
    configured.go_down(0)
    assert lookup(VAN) is not None
    settings.MOTCUA_POPULATION_URL = "http://127.0.0.1:9/tra-cuu-cong-dan"  # nothing listens there
    with pytest.raises(QueryFailed) as gone:
        lookup(VAN)
    assert gone.value.unavailable and "Không kết nối được" in gone.value.message


def test_a_slow_registry_times_out_as_query_failed(served: Served) -> None:
    served.registry.slow_ms = 500
    client = PopulationClient(served.url, KEY, timeout=0.1)
    try:
        with pytest.raises(QueryFailed) as slow:
            client.lookup(VAN)
    finally:
        client.close()
    assert slow.value.unavailable


def test_a_refused_key_or_a_wrong_address_is_never_none(served: Served, settings: Any) -> None:
    settings.MOTCUA_POPULATION_URL = served.url
    settings.MOTCUA_POPULATION_KEY = "khoa-sai"
    with pytest.raises(QueryFailed) as refused:
        lookup(VAN)
    assert refused.value.unavailable and "SAI_KHOA_TRUY_CAP" in refused.value.message
    settings.MOTCUA_POPULATION_KEY = KEY
    settings.MOTCUA_POPULATION_URL = served.url.replace(LOOKUP_PATH, "/sai-duong-dan")
    with pytest.raises(QueryFailed) as wrong:
        lookup(VAN)  # a 404 of a wrong address is not "nobody has this number"
    assert wrong.value.unavailable


def test_no_registry_without_an_address_or_a_factory(settings: Any) -> None:
    settings.MOTCUA_POPULATION_URL = ""
    assert population_registry() is None
    settings.MOTCUA_POPULATION_URL = "http://127.0.0.1:8096/tra-cuu-cong-dan"
    settings.MOTCUA_POPULATION_REGISTRY = ""
    assert population_registry() is None


def test_the_simulator_answers_by_status(served: Served) -> None:
    def ask(body: Any, key: str = KEY) -> requests.Response:
        return requests.post(served.url, json=body, headers={"X-Api-Key": key}, timeout=5)

    found = ask({"so_dinh_danh": VAN})
    assert found.status_code == 200 and found.json()["du_lieu"]["ho_ten"] == "Lê Thị Hồng Vân"
    assert ask({"so_dinh_danh": NOBODY}).status_code == 404
    assert ask({"so_dinh_danh": VAN}, key="sai").status_code == 401
    assert ask({"so_dinh_danh": "03018900"}).json()["ma_loi"] == "SAI_DINH_DANG"
    assert ask({"so_dinh_danh": "03018900"}).status_code == 400


def test_the_people_file_is_consistent_and_holds_the_demo_applicants() -> None:
    from motcua.documents.demo import ORIGINALS
    from motcua.dossiers.demo_portal import APPLICANTS
    from motcua.payments.demo import CITIZEN

    people = load_people()  # checks every number against birth year and sex
    assert 18 <= len(people) <= 25
    assert {p.number[:3] for p in people.values()} == {"030", "031"}
    assert any(p.birth_date.year >= 2000 for p in people.values())
    demo = [(CITIZEN[1], CITIZEN[0], CITIZEN[2], CITIZEN[3])]
    demo += [(name, number, email, phone) for name, number, email, phone in APPLICANTS]
    for name, number, email, phone in demo:
        person = people[number]
        assert (person.full_name, person.email, person.phone) == (name, email, phone)
    for original in ORIGINALS:
        assert people[original.citizen_id].full_name == original.name
