"""A ward with a birth-registration procedure offered online (an e-form, a document, an optional one),
the local identity provider and population database running as real servers, and helpers to sign a
citizen in through them."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
import requests

from motcua.catalogue.tests import factories as cf
from motcua.dossiers.tests import factories as df
from motcua.integrations.simulators import population, vneid

CLIENT_ID, SECRET = "motcua-thu", "bi-mat-thu"
VAN = "030189006352"  # Lê Thị Hồng Vân in the simulators' people file
MANH = "030092004738"  # Nguyễn Đức Mạnh

DECLARATION = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "title": "Tờ khai đăng ký khai sinh",
    "properties": {
        "ho_ten": {
            "type": "string",
            "title": "Họ, chữ đệm, tên người yêu cầu",
            "maxLength": 100,
            "x-prefill": ["identity.full_name"],
        },
        "noi_cu_tru": {
            "type": "string",
            "title": "Nơi cư trú",
            "maxLength": 255,
            "x-prefill": ["population.current_address", "identity.address"],
        },
        "ten_tre": {"type": "string", "title": "Họ, chữ đệm, tên người được khai sinh", "maxLength": 100},
        "ngay_sinh_tre": {"type": "string", "format": "date", "title": "Ngày sinh", "x-not-future": True},
    },
    "required": ["ho_ten", "noi_cu_tru", "ten_tre", "ngay_sinh_tre"],
}


def procedure_doc() -> dict:
    return cf.procedure(
        "1.001193",
        cf.version(
            implementing_units=["pab", "plc"],
            fees=[{"name": "Lệ phí đăng ký khai sinh", "amount_vnd": 8000, "pay_first": True}],
            result_doc_type="GT.KHAISINH",
            components=[
                {"name": "Tờ khai đăng ký khai sinh", "channels": ["online"], "eform_schema": DECLARATION},
                {"name": "Tờ khai đăng ký khai sinh (bản giấy)", "channels": ["direct", "postal"]},
                {"name": "Giấy chứng sinh", "kind": "copy", "doc_type": "GT.CHUNGSINH"},
                {
                    "name": "Giấy chứng nhận kết hôn của cha, mẹ",
                    "kind": "copy",
                    "doc_type": "GT.KETHON",
                    "required": False,
                },
            ],
        ),
    )


@pytest.fixture
def w(db):
    return df.world(procedure_doc=procedure_doc())


@dataclass
class Servers:
    idp: vneid.Provider
    issuer: str
    registry: population.Registry
    population_url: str


@pytest.fixture
def servers(settings) -> Iterator[Servers]:
    provider = vneid.Provider(
        [vneid.Client(CLIENT_ID, SECRET, redirect_prefixes=("http://testserver/",))], key=vneid.load_key()
    )
    idp = vneid.make_server("127.0.0.1", 0, provider)
    registry = population.Registry(key="khoa-thu")
    registry_server = population.make_server("127.0.0.1", 0, registry)
    for server in (idp, registry_server):
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    url = f"http://127.0.0.1:{registry_server.server_address[1]}{population.LOOKUP_PATH}"
    settings.MOTCUA_OIDC_ISSUER = provider.issuer
    settings.MOTCUA_OIDC_CLIENT_ID, settings.MOTCUA_OIDC_CLIENT_SECRET = CLIENT_ID, SECRET
    settings.MOTCUA_POPULATION_URL, settings.MOTCUA_POPULATION_KEY = url, "khoa-thu"
    try:
        yield Servers(provider, provider.issuer, registry, url)
    finally:
        for server in (idp, registry_server):
            server.shutdown()
            server.server_close()


def sign_in_with_idp(client, servers: Servers, number: str = VAN, next_path: str = "/ho-so-cua-toi/"):
    """Go through the provider's sign-in page as ``number`` and come back signed in."""
    start = client.get("/tai-khoan/dang-nhap/dinh-danh/", {"next": next_path})
    assert start.status_code == 302 and start["Location"].startswith(servers.issuer), start
    page = requests.get(start["Location"], timeout=5)
    request_id = re.search(r"name='request_id' value='([^']+)'", page.text).group(1)
    back = requests.post(
        f"{servers.issuer}/authorize",
        data={"request_id": request_id, "action": "pick", "so_dinh_danh": number},
        allow_redirects=False,
        timeout=5,
    )
    assert back.status_code == 303, back.text
    target = urlsplit(back.headers["Location"])
    return client.get(f"{target.path}?{target.query}")
