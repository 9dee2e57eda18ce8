"""The local identity provider (VNeID stand-in) over real HTTP, driven by Authlib's clients: the code flow
with PKCE ends in an ID token that validates against the published keys and a userinfo naming the
person; codes are single-use and bound to client, redirect URI and verifier; a wrong client secret is
401; an unregistered redirect URI is never redirected to; cancelling is ``access_denied``."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.django_client import OAuth
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken
from django.test import RequestFactory
from joserfc import jwt
from joserfc.errors import ExpiredTokenError, InvalidClaimError
from joserfc.jwk import KeySet, RSAKey

from motcua.integrations.simulators.vneid import (
    WELL_KNOWN,
    Client,
    Provider,
    load_key,
    make_server,
    s256,
)

CLIENT_ID = "motcua-test"
SECRET = "bi-mat-thu-nghiem"
REDIRECT = "http://127.0.0.1:8000/cong-dan/dang-nhap/vneid/ve/"
SCOPE = "openid profile email phone address"
VAN = "030189006352"  # Lê Thị Hồng Vân, the demo's applicant waiting to pay


class Clock:
    """The provider's clock, moved by the tests (no waiting for a code to expire)."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@dataclass
class Running:
    provider: Provider
    clock: Clock
    issuer: str

    def metadata(self) -> dict[str, str]:
        return requests.get(self.issuer + WELL_KNOWN, timeout=5).json()  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def key() -> RSAKey:
    return load_key()


@pytest.fixture
def idp(key: RSAKey) -> Iterator[Running]:
    clock = Clock()
    provider = Provider([Client(CLIENT_ID, SECRET, redirect_uris=(REDIRECT,))], key=key, clock=clock)
    server = make_server("127.0.0.1", 0, provider)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield Running(provider, clock, provider.issuer)
    finally:
        server.shutdown()
        server.server_close()


def request_id(page: str) -> str:
    found = re.search(r"name='request_id' value='([^']+)'", page)
    assert found, page
    return found.group(1)


def sign_in(idp: Running, url: str, **form: str) -> requests.Response:
    """Open the sign-in page of an authorization URL and submit one of its forms (default: pick Vân)."""
    page = requests.get(url, timeout=5)
    assert page.status_code == 200, page.text
    data = {"request_id": request_id(page.text), "action": "pick", "so_dinh_danh": VAN, **form}
    return requests.post(f"{idp.issuer}/authorize", data=data, allow_redirects=False, timeout=5)


def returned(response: requests.Response) -> dict[str, str]:
    """The parameters the provider sends the browser back with (to our redirect URI only)."""
    assert response.status_code == 303, response.text
    location = response.headers["Location"]
    assert location.startswith(REDIRECT + "?")
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def authorize_url(idp: Running, **params: str) -> tuple[str, str]:
    """An authorization URL (PKCE S256) and its verifier."""
    verifier = generate_token(48)
    query = {
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "scope": SCOPE,
        "state": "trang-thai-1",
        "nonce": "so-dung-mot-lan-1",
        "code_challenge": s256(verifier),
        "code_challenge_method": "S256",
        **params,
    }
    return f"{idp.issuer}/authorize?{urlencode({k: v for k, v in query.items() if v})}", verifier


def exchange(
    idp: Running, code: str, verifier: str, *, secret: str = SECRET, redirect_uri: str = REDIRECT
) -> requests.Response:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": verifier,
    }
    return requests.post(f"{idp.issuer}/token", data=data, auth=(CLIENT_ID, secret), timeout=5)


def test_code_flow_with_pkce_by_an_authlib_client(idp: Running) -> None:
    meta = idp.metadata()
    assert meta["issuer"] == idp.issuer
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert meta["id_token_signing_alg_values_supported"] == ["RS256"]
    session = OAuth2Session(
        CLIENT_ID, SECRET, scope=SCOPE, redirect_uri=REDIRECT, code_challenge_method="S256"
    )
    verifier, nonce = generate_token(48), generate_token(20)
    url, state = session.create_authorization_url(
        meta["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )
    back = sign_in(idp, url)
    assert returned(back)["state"] == state
    token = session.fetch_token(
        meta["token_endpoint"], authorization_response=back.headers["Location"], code_verifier=verifier
    )
    assert token["token_type"] == "Bearer" and token["expires_in"] > 0

    # The ID token: signed by the published key, for us, from this issuer, with our nonce.
    keys = KeySet.import_key_set(requests.get(meta["jwks_uri"], timeout=5).json())
    decoded = jwt.decode(token["id_token"], keys, algorithms=["RS256"])
    assert decoded.header["alg"] == "RS256" and decoded.header["kid"] == keys.keys[0].kid
    options = {"iss": {"essential": True, "values": [idp.issuer]}}
    params = {"nonce": nonce, "client_id": CLIENT_ID, "access_token": token["access_token"]}
    claims = CodeIDToken(decoded.claims, decoded.header, options, params)
    claims.validate(leeway=0)  # iss, aud, exp, iat, nonce, at_hash
    assert claims["aud"] == CLIENT_ID and claims["acr"] == "muc-2" and claims["amr"] == ["pwd"]
    assert VAN not in claims["sub"] and claims["auth_time"] <= claims["iat"] < claims["exp"]
    with pytest.raises(InvalidClaimError):
        CodeIDToken(decoded.claims, decoded.header, options, {**params, "nonce": "khac"}).validate()
    with pytest.raises(ExpiredTokenError):
        claims.validate(now=claims["exp"] + 1, leeway=0)

    # Userinfo names the person, the identity number under so_dinh_danh.
    info = session.get(meta["userinfo_endpoint"], timeout=5).json()
    assert info["sub"] == claims["sub"]
    assert info["so_dinh_danh"] == VAN
    assert (info["name"], info["family_name"], info["given_name"]) == ("Lê Thị Hồng Vân", "Lê", "Vân")
    assert info["birthdate"] == "1989-04-17" and info["gender"] == "female"
    assert info["phone_number"] == "+84936215804" and info["email"] == "van.lethihong@example.vn"
    assert "Phường Thành Đông" in info["address"]["formatted"]


def test_the_django_client_signs_a_citizen_in(idp: Running) -> None:
    """What ``motcua.citizens`` does: Authlib's Django client from the discovery document alone."""
    oauth = OAuth()
    oauth.register(
        "vneid",
        client_id=CLIENT_ID,
        client_secret=SECRET,
        server_metadata_url=idp.issuer + WELL_KNOWN,
        client_kwargs={"scope": SCOPE, "code_challenge_method": "S256"},
    )
    factory = RequestFactory()
    start = factory.get("/cong-dan/dang-nhap/vneid/")
    start.session = {}  # type: ignore[attr-defined]
    redirect = oauth.vneid.authorize_redirect(start, REDIRECT)
    assert "code_challenge_method=S256" in redirect["Location"]
    back = urlsplit(sign_in(idp, redirect["Location"], so_dinh_danh="030092004738").headers["Location"])
    callback = factory.get(f"{back.path}?{back.query}")
    callback.session = start.session  # type: ignore[attr-defined]
    token = oauth.vneid.authorize_access_token(callback)
    assert token["userinfo"]["aud"] == CLIENT_ID  # the validated ID token's claims
    info = oauth.vneid.userinfo(token=token)
    assert info["so_dinh_danh"] == "030092004738" and info["name"] == "Nguyễn Đức Mạnh"
    assert info["sub"] == token["userinfo"]["sub"]


def test_the_subject_is_stable_and_not_the_number(idp: Running) -> None:
    subjects = []
    for _ in range(2):
        url, verifier = authorize_url(idp)
        code = returned(sign_in(idp, url))["code"]
        access = exchange(idp, code, verifier).json()["access_token"]
        info = requests.get(
            f"{idp.issuer}/userinfo", headers={"Authorization": f"Bearer {access}"}, timeout=5
        ).json()
        subjects.append(info["sub"])
    assert subjects[0] == subjects[1] and VAN not in subjects[0]


def test_a_code_is_single_use_and_its_reuse_withdraws_the_token(idp: Running) -> None:
    url, verifier = authorize_url(idp)
    code = returned(sign_in(idp, url))["code"]
    first = exchange(idp, code, verifier)
    assert first.status_code == 200
    again = exchange(idp, code, verifier)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    info = requests.get(
        f"{idp.issuer}/userinfo",
        headers={"Authorization": f"Bearer {first.json()['access_token']}"},
        timeout=5,
    )
    assert info.status_code == 401 and 'error="invalid_token"' in info.headers["WWW-Authenticate"]


def test_a_wrong_pkce_verifier_is_refused_and_spends_the_code(idp: Running) -> None:
    url, verifier = authorize_url(idp)
    code = returned(sign_in(idp, url))["code"]
    wrong = exchange(idp, code, generate_token(48))
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    assert exchange(idp, code, verifier).json()["error"] == "invalid_grant"


def test_a_code_is_bound_to_its_redirect_uri_and_expires_in_a_minute(idp: Running) -> None:
    url, verifier = authorize_url(idp)
    code = returned(sign_in(idp, url))["code"]
    other = exchange(idp, code, verifier, redirect_uri="http://127.0.0.1:8000/khac/")
    assert other.status_code == 400 and other.json()["error"] == "invalid_grant"
    url, verifier = authorize_url(idp)
    code = returned(sign_in(idp, url))["code"]
    idp.clock.now += 61
    late = exchange(idp, code, verifier)
    assert late.status_code == 400 and late.json()["error"] == "invalid_grant"


def test_a_wrong_client_secret_is_401_and_does_not_spend_the_code(idp: Running) -> None:
    url, verifier = authorize_url(idp)
    code = returned(sign_in(idp, url))["code"]
    refused = exchange(idp, code, verifier, secret="sai")
    assert refused.status_code == 401
    assert refused.json()["error"] == "invalid_client" and "WWW-Authenticate" in refused.headers
    # client_secret_post, the other method the provider publishes, with the right secret.
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "code_verifier": verifier,
        "client_id": CLIENT_ID,
        "client_secret": SECRET,
    }
    accepted = requests.post(f"{idp.issuer}/token", data=data, timeout=5)
    assert accepted.status_code == 200 and accepted.json()["id_token"]


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "https://lua-dao.example/ve/",
        "http://127.0.0.1:8000@lua-dao.example/ve/",
        "http://127.0.0.1:8000/cong-dan/dang-nhap/vneid/ve/?them=1",
        "",
    ],
)
def test_an_unregistered_redirect_uri_is_never_redirected_to(idp: Running, redirect_uri: str) -> None:
    url, _ = authorize_url(idp, redirect_uri=redirect_uri)
    page = requests.get(url, allow_redirects=False, timeout=5)
    assert page.status_code == 400 and "Location" not in page.headers
    assert "<html lang='vi'" in page.text and "không chuyển bạn đến địa chỉ đó" in page.text


def test_an_unknown_client_gets_an_error_page_not_a_redirect(idp: Running) -> None:
    url, _ = authorize_url(idp, client_id="ung-dung-la")
    page = requests.get(url, allow_redirects=False, timeout=5)
    assert page.status_code == 400 and "Location" not in page.headers
    assert "chưa được đăng ký" in page.text


def test_the_demo_client_accepts_any_loopback_address_and_a_prefix_client_only_its_own() -> None:
    demo = Client("motcua-demo", "s")
    assert demo.allows("http://127.0.0.1:8000/cong-dan/dang-nhap/vneid/ve/")
    assert demo.allows("http://localhost:9000/ve/")
    for wrong in (
        "https://127.0.0.1:8000/ve/",
        "http://127.0.0.1.lua-dao.example/ve/",
        "http://lua-dao.example@127.0.0.1:8000/ve/",
        "http://127.0.0.1:8000/ve/#x",
    ):
        assert not demo.allows(wrong), wrong
    prefixed = Client("motcua-demo", "s", redirect_prefixes=("http://127.0.0.1:8000/cong-dan/",))
    assert prefixed.allows("http://127.0.0.1:8000/cong-dan/dang-nhap/vneid/ve/")
    assert not prefixed.allows("http://127.0.0.1:8001/cong-dan/ve/")
    assert not prefixed.allows("http://127.0.0.1:8000/can-bo/ve/")
    assert not prefixed.allows("http://127.0.0.1:8000/cong-dan/../can-bo/")


def test_cancel_returns_access_denied_with_the_state(idp: Running) -> None:
    url, _ = authorize_url(idp, state="trang-thai-huy")
    back = returned(sign_in(idp, url, action="cancel"))
    assert back["error"] == "access_denied" and back["state"] == "trang-thai-huy" and "code" not in back


def test_a_request_without_pkce_or_nonce_goes_back_with_an_error(idp: Running) -> None:
    for missing in ("code_challenge", "nonce"):
        url, _ = authorize_url(idp, **{missing: ""})
        back = returned(requests.get(url, allow_redirects=False, timeout=5))
        assert back["error"] == "invalid_request" and back["state"] == "trang-thai-1"
    url, _ = authorize_url(idp, scope="profile")
    assert returned(requests.get(url, allow_redirects=False, timeout=5))["error"] == "invalid_scope"


def test_the_sign_in_page_is_vietnamese_labelled_and_fits_a_phone(idp: Running) -> None:
    url, _ = authorize_url(idp)
    page = requests.get(url, timeout=5)
    text = page.text
    assert "<html lang='vi'" in text and "width=device-width" in text
    assert "<title>Đăng nhập bằng tài khoản định danh điện tử (mô phỏng)</title>" in text
    for control in ("chon-nguoi", "so-dinh-danh", "mat-khau"):
        assert f"<label for='{control}'>" in text and f"id='{control}'" in text
    assert "Lê Thị Hồng Vân — 030189006352" in text and ">Hủy</button>" in text
    assert page.headers["X-Frame-Options"] == "DENY"


def test_typing_a_number_and_the_demo_password(idp: Running) -> None:
    url, verifier = authorize_url(idp)
    page = requests.get(url, timeout=5)
    rid = request_id(page.text)
    form = {"request_id": rid, "action": "password", "so_dinh_danh": "031078003915", "mat_khau": "sai"}
    wrong = requests.post(f"{idp.issuer}/authorize", data=form, allow_redirects=False, timeout=5)
    assert wrong.status_code == 200 and "role='alert'" in wrong.text
    assert "Số định danh cá nhân hoặc mật khẩu không đúng." in wrong.text
    short = requests.post(
        f"{idp.issuer}/authorize", data={**form, "so_dinh_danh": "0310780"}, allow_redirects=False, timeout=5
    )
    assert "phải gồm đúng 12 chữ số" in short.text
    ok = requests.post(
        f"{idp.issuer}/authorize", data={**form, "mat_khau": "123456"}, allow_redirects=False, timeout=5
    )
    access = exchange(idp, returned(ok)["code"], verifier).json()["access_token"]
    info = requests.get(f"{idp.issuer}/userinfo", headers={"Authorization": f"Bearer {access}"}, timeout=5)
    assert info.json()["name"] == "Trần Văn Hùng"


def test_userinfo_tells_only_the_scopes_granted(idp: Running) -> None:
    url, verifier = authorize_url(idp, scope="openid")
    access = exchange(idp, returned(sign_in(idp, url))["code"], verifier).json()["access_token"]
    info = requests.get(f"{idp.issuer}/userinfo", headers={"Authorization": f"Bearer {access}"}, timeout=5)
    assert set(info.json()) == {"sub", "so_dinh_danh"}
    assert requests.get(f"{idp.issuer}/userinfo", timeout=5).status_code == 401


def test_down_closes_connections_until_it_is_back(idp: Running) -> None:
    idp.provider.go_down(30)
    with pytest.raises(requests.ConnectionError):
        idp.metadata()
    idp.provider.go_down(0)
    assert idp.metadata()["issuer"] == idp.issuer


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_command_serves_with_its_key_file(tmp_path: Path) -> None:
    """``motcua integrations simulator vneid``: a real process; the key file is created, then reused."""
    port, key_file = _free_port(), tmp_path / "vneid.pem"
    command = [sys.executable, "-m", "motcua", "integrations", "simulator", "vneid", "--port", str(port)]
    command += ["--key-file", str(key_file)]
    process = subprocess.Popen(command, stderr=subprocess.DEVNULL)
    try:
        issuer = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                meta = requests.get(issuer + WELL_KNOWN, timeout=1).json()
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "the simulator did not start"
                time.sleep(0.1)
        assert meta["issuer"] == issuer and meta["jwks_uri"] == f"{issuer}/jwks"
        published = requests.get(meta["jwks_uri"], timeout=5).json()["keys"][0]
        assert published["kid"] == load_key(key_file).kid and "d" not in published
    finally:
        process.terminate()
        process.wait(timeout=10)
