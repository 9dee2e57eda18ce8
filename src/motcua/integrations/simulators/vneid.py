"""A local OpenID Connect provider standing for the national identity provider (VNeID): a real HTTP server.

``motcua integrations simulator vneid --port 8095 [--host H] [--issuer URL] [--client-id ID
--client-secret S] [--redirect-uri URI …] [--redirect-prefix URL …] [--people FILE] [--key-file F]
[--password P] [--down-seconds S] [--slow-ms M]``

**Real protocol** (OpenID Connect Core 1.0, RFC 6749, RFC 7636, RFC 8414 / OpenID Discovery): the
authorization code flow with PKCE (S256 only), so any standard client (Authlib's) completes it:

- ``GET /.well-known/openid-configuration`` — the discovery document; ``GET /jwks`` — the public key;
- ``GET /authorize`` ``client_id, redirect_uri, response_type=code, scope (openid …), state, nonce,
  code_challenge, code_challenge_method=S256`` → the sign-in page (Vietnamese): pick one of the people of
  the people file, or type a 12-digit số định danh cá nhân and the demo password. A wrong ``client_id``
  or ``redirect_uri`` shows an error page and never redirects; the other errors go back to the
  ``redirect_uri`` with ``error`` and ``state`` (RFC 6749 §4.1.2.1);
- ``POST /authorize`` (the page's forms) → ``303`` to ``redirect_uri?code=…&state=…`` (a one-time code,
  60 s); “Hủy” → ``error=access_denied&state=…``;
- ``POST /token`` ``grant_type=authorization_code, code, redirect_uri, code_verifier`` with the client
  authenticated by ``client_secret_basic`` or ``client_secret_post`` → ``access_token`` (opaque),
  ``token_type`` Bearer, ``expires_in``, ``id_token`` (RS256, ``kid`` in its header: ``iss, sub, aud,
  exp, iat, auth_time, nonce, acr, amr, at_hash``); errors as OAuth JSON (``invalid_client`` 401,
  ``invalid_grant``, ``unsupported_grant_type``, ``invalid_request`` 400). A code is single-use and bound
  to its client and ``redirect_uri``; presented again, it is refused and the tokens it gave are revoked;
- ``GET``/``POST /userinfo`` (``Authorization: Bearer``) → the claims of the scopes granted.

**Assumed ❓** (VNeID's relying-party interface is not public, domain reference §6.5): that it is
OpenID Connect at all; ``sub`` — here a keyed hash of the identity number, stable per person, never the
number; ``acr`` ``muc-1``/``muc-2`` (the account's level, NĐ 69/2024) and ``amr`` ``["pwd"]``; the
identity number in the non-standard claim ``so_dinh_danh`` (always given with ``openid``); the phone
number in E.164 (``+84…``) and the permanent address as ``address.formatted``.

``--down-seconds S`` closes connections without an answer for the first S seconds and ``POST
/_simulator/down {"seconds": S}`` starts such an outage at any time; ``--slow-ms M`` waits before each
answer; ``GET /_simulator/state`` counts sign-ins and tokens.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import os
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, parse_qsl, unquote_plus, urlencode, urlsplit, urlunsplit

from joserfc import jwt
from joserfc.jwk import RSAKey

from motcua.integrations.simulators.common import SimulatorHandler, serve
from motcua.integrations.simulators.people import Person, load_people

WELL_KNOWN = "/.well-known/openid-configuration"
SCOPES = ("openid", "profile", "email", "phone", "address")
DEMO_CLIENT_ID = "motcua-demo"
DEMO_CLIENT_SECRET = "motcua-demo-vneid-secret"  # noqa: S105 — the simulator's demo client
DEMO_PASSWORD = "123456"  # noqa: S105 — every fictional person's password on the simulator
SUBJECT_SECRET = "motcua-vneid-simulator"  # noqa: S105 — keys the subject hash (stable across restarts)
CODE_SECONDS = 60
REQUEST_SECONDS = 600  # a sign-in page stays usable this long
ACCESS_TOKEN_SECONDS = 3600
ID_TOKEN_SECONDS = 600
MAX_BODY = 64 * 1024
TITLE = "Đăng nhập bằng tài khoản định danh điện tử (mô phỏng)"
CLIENT_NAME = "Hệ thống giải quyết thủ tục hành chính (motcua)"

_CHALLENGE = re.compile(r"^[A-Za-z0-9_-]{43}$")  # base64url of a SHA-256 digest, no padding
_VERIFIER = re.compile(r"^[A-Za-z0-9._~-]{43,128}$")  # RFC 7636 §4.1
_SCOPE_WORDS = {
    "profile": "họ, chữ đệm và tên, ngày sinh, giới tính",
    "email": "thư điện tử",
    "phone": "số điện thoại",
    "address": "địa chỉ thường trú",
}


@dataclass(frozen=True)
class Client:
    """A relying party registered with the provider.

    Its redirect URIs: an exact one of ``redirect_uris``, or one under a ``redirect_prefixes`` entry
    (same scheme and host:port, path below the prefix's); with neither, any ``http`` URI on this
    machine (``127.0.0.1`` or ``localhost``, any port) — the demo's client."""

    client_id: str
    secret: str
    name: str = CLIENT_NAME
    redirect_uris: tuple[str, ...] = ()
    redirect_prefixes: tuple[str, ...] = ()

    def allows(self, uri: str) -> bool:
        try:
            parts = urlsplit(uri)
            parts.port  # noqa: B018 — raises ValueError for a port that is not one
        except ValueError:
            return False
        if (
            parts.scheme not in ("http", "https")
            or not parts.hostname
            or "@" in parts.netloc
            or "#" in uri
            or "\\" in uri
            or any(segment in (".", "..") for segment in parts.path.split("/"))
        ):
            return False
        if uri in self.redirect_uris:
            return True
        for prefix in self.redirect_prefixes:
            p = urlsplit(prefix)
            if (parts.scheme, parts.netloc.lower()) == (p.scheme, p.netloc.lower()) and parts.path.startswith(
                p.path or "/"
            ):
                return True
        if self.redirect_uris or self.redirect_prefixes:
            return False
        return parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost")


@dataclass(frozen=True)
class Answer:
    """What the server sends back (built by the provider, written by the handler)."""

    status: int
    body: str = ""
    kind: str = "text/html"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class _Request:
    """An authorization request being signed in (the page's forms carry only its id)."""

    id: str
    client: Client
    redirect_uri: str
    state: str
    nonce: str
    scopes: tuple[str, ...]
    challenge: str
    expires: float


@dataclass
class _Grant:
    client_id: str
    redirect_uri: str
    person: Person
    nonce: str
    scopes: tuple[str, ...]
    challenge: str
    auth_time: float
    expires: float
    used: bool = False


@dataclass
class _Access:
    code: str
    person: Person
    scopes: tuple[str, ...]
    expires: float


def load_key(path: Path | None = None) -> RSAKey:
    """The signing key: read from ``path`` (PEM) when it exists; otherwise a new 2048-bit RSA key,
    written to ``path`` (mode 0600) when one is given, so a restarted provider keeps its key."""
    if path is not None and path.exists():
        key = RSAKey.import_key(path.read_bytes())
        if not key.is_private:
            raise ValueError(f"{path}: cần khóa bí mật RSA (PEM).")
    else:
        key = RSAKey.generate_key(2048)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(key.as_pem(private=True))
    key.ensure_kid()
    return key


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def s256(verifier: str) -> str:
    """The PKCE S256 challenge of a verifier (RFC 7636 §4.2)."""
    return _b64(hashlib.sha256(verifier.encode("ascii")).digest())


def _with_params(uri: str, params: dict[str, str]) -> str:
    parts = urlsplit(uri)
    query = parse_qsl(parts.query, keep_blank_values=True) + [(k, v) for k, v in params.items() if v]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _redirect(uri: str, params: dict[str, str]) -> Answer:
    return Answer(303, "", headers={"Location": _with_params(uri, params), "Cache-Control": "no-store"})


def _oauth_error(status: int, error: str, description: str, headers: dict[str, str] | None = None) -> Answer:
    """An OAuth error answer (RFC 6749 §5.2): ``error_description`` is ASCII, as the RFC asks."""
    body = json.dumps({"error": error, "error_description": description})
    return Answer(
        status,
        body,
        "application/json",
        {"Cache-Control": "no-store", "Pragma": "no-cache", **(headers or {})},
    )


def _split_name(full_name: str) -> tuple[str, str, str]:
    """family name, middle names, given name (Vietnamese order: họ, chữ đệm, tên)."""
    words = full_name.split()
    if len(words) == 1:
        return "", "", words[0]
    return words[0], " ".join(words[1:-1]), words[-1]


def _e164(phone: str) -> str:
    digits = "".join(c for c in phone if c.isdigit())
    if digits.startswith("0"):
        return "+84" + digits[1:]
    return "+" + digits if digits else ""


class Provider:
    """The identity provider's state (thread-safe): clients, people, requests, codes, tokens."""

    def __init__(
        self,
        clients: Sequence[Client],
        people: dict[str, Person] | None = None,
        *,
        issuer: str = "",
        key: RSAKey | None = None,
        password: str = DEMO_PASSWORD,
        subject_secret: str = SUBJECT_SECRET,
        clock: Callable[[], float] = time.time,
        down_seconds: float = 0,
        slow_ms: int = 0,
    ) -> None:
        self.clients = {c.client_id: c for c in clients}
        self.people = people if people is not None else load_people()
        self.issuer = issuer
        self.key = key or load_key()
        self.password = password
        self.subject_secret = subject_secret.encode()
        self.clock = clock
        self.slow_ms = slow_ms
        self.down_until = time.monotonic() + down_seconds
        self.lock = threading.Lock()
        self.requests: dict[str, _Request] = {}
        self.codes: dict[str, _Grant] = {}
        self.tokens: dict[str, _Access] = {}
        self.sign_ins = 0
        self.tokens_issued = 0
        self.refused = 0

    # -- addresses ---------------------------------------------------------------------------------

    @property
    def base_path(self) -> str:
        return urlsplit(self.issuer).path.rstrip("/")

    def route(self, path: str) -> str | None:
        """``path`` relative to the issuer's path (``None``: not under it)."""
        base = self.base_path
        if not base:
            return path
        if path == base or path.startswith(base + "/"):
            return path[len(base) :] or "/"
        return None

    def endpoint(self, name: str) -> str:
        return f"{self.issuer.rstrip('/')}{name}"

    def metadata(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": self.endpoint("/authorize"),
            "token_endpoint": self.endpoint("/token"),
            "userinfo_endpoint": self.endpoint("/userinfo"),
            "jwks_uri": self.endpoint("/jwks"),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "scopes_supported": list(SCOPES),
            "claims_supported": [
                "sub",
                "iss",
                "aud",
                "exp",
                "iat",
                "auth_time",
                "nonce",
                "acr",
                "amr",
                "name",
                "family_name",
                "middle_name",
                "given_name",
                "birthdate",
                "gender",
                "email",
                "phone_number",
                "phone_number_verified",
                "address",
                "so_dinh_danh",
            ],
            "acr_values_supported": ["muc-1", "muc-2"],
            "ui_locales_supported": ["vi"],
            "claims_parameter_supported": False,
            "request_parameter_supported": False,
            "request_uri_parameter_supported": False,
        }

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.key.as_dict(private=False, use="sig", alg="RS256")]}

    def subject(self, number: str) -> str:
        """The person's ``sub``: stable, the same for every client, and not the identity number."""
        return hmac.new(self.subject_secret, number.encode(), hashlib.sha256).hexdigest()[:40]

    # -- outages -----------------------------------------------------------------------------------

    def down(self) -> bool:
        return time.monotonic() < self.down_until

    def go_down(self, seconds: float) -> None:
        self.down_until = time.monotonic() + seconds

    def state(self) -> dict[str, Any]:
        with self.lock:
            return {
                "issuer": self.issuer,
                "people": len(self.people),
                "sign_ins": self.sign_ins,
                "tokens_issued": self.tokens_issued,
                "refused": self.refused,
                "active_tokens": len(self.tokens),
                "down": self.down(),
            }

    def _prune(self) -> None:
        now = self.clock()
        for store in (self.requests, self.codes, self.tokens):
            for k in [k for k, v in store.items() if v.expires < now]:
                del store[k]

    # -- authorization endpoint --------------------------------------------------------------------

    def authorize(self, query: str) -> Answer:
        """``GET /authorize``: the sign-in page, or why not."""
        params = parse_qs(query, keep_blank_values=True)
        one = {k: v[0] for k, v in params.items()}
        repeated = sorted(k for k, v in params.items() if len(v) > 1)
        client = self.clients.get(one.get("client_id", ""))
        if client is None or "client_id" in repeated:
            return self._error_page(
                "Ứng dụng đề nghị đăng nhập chưa được đăng ký với hệ thống định danh "
                "(mã ứng dụng không đúng)."
            )
        redirect_uri = one.get("redirect_uri", "")
        if "redirect_uri" in repeated or not client.allows(redirect_uri):
            return self._error_page(
                "Địa chỉ quay về của ứng dụng không được đăng ký, nên hệ thống không chuyển bạn "
                "đến địa chỉ đó."
            )
        state = one.get("state", "")

        def refuse(error: str, description: str) -> Answer:
            with self.lock:
                self.refused += 1
            return _redirect(redirect_uri, {"error": error, "error_description": description, "state": state})

        scopes = one.get("scope", "").split()
        if repeated:
            return refuse("invalid_request", f"Tham so lap lai: {', '.join(repeated)}.")
        if one.get("response_type") != "code":
            return refuse("unsupported_response_type", "Chi ho tro response_type=code.")
        if "openid" not in scopes:
            return refuse("invalid_scope", "Pham vi (scope) phai co openid.")
        if "request" in one or "request_uri" in one:
            return refuse("request_not_supported", "Khong ho tro tham so request, request_uri.")
        if not state:
            return refuse("invalid_request", "Thieu tham so state.")
        if not one.get("nonce"):
            return refuse("invalid_request", "Thieu tham so nonce.")
        if one.get("code_challenge_method") != "S256" or not _CHALLENGE.match(one.get("code_challenge", "")):
            return refuse("invalid_request", "Can PKCE: code_challenge voi code_challenge_method=S256.")
        request = _Request(
            id=secrets.token_urlsafe(24),
            client=client,
            redirect_uri=redirect_uri,
            state=state,
            nonce=one["nonce"],
            scopes=tuple(s for s in SCOPES if s in scopes),
            challenge=one["code_challenge"],
            expires=self.clock() + REQUEST_SECONDS,
        )
        with self.lock:
            self._prune()
            self.requests[request.id] = request
        return self._page(request)

    def sign_in(self, form: dict[str, str]) -> Answer:
        """``POST /authorize``: the person chose (or typed) who they are, or cancelled."""
        with self.lock:
            self._prune()
            request = self.requests.pop(form.get("request_id", ""), None)
        if request is None:
            return self._error_page(
                "Phiên đăng nhập đã hết hạn hoặc không hợp lệ. Hãy quay lại ứng dụng và đăng nhập lại."
            )
        action = form.get("action", "")
        if action == "cancel":
            return _redirect(
                request.redirect_uri,
                {
                    "error": "access_denied",
                    "error_description": "Nguoi dung da huy dang nhap.",
                    "state": request.state,
                },
            )
        typed = ""
        if action == "pick":
            person = self.people.get(form.get("so_dinh_danh", ""))
            problem = "" if person else "Hãy chọn một người trong danh sách."
        elif action == "password":
            typed = "".join(form.get("so_dinh_danh", "").split())
            person = None
            if not (typed.isascii() and typed.isdigit() and len(typed) == 12):
                problem = "Số định danh cá nhân phải gồm đúng 12 chữ số."
            else:
                person = self.people.get(typed)
                if person is None or not hmac.compare_digest(
                    form.get("mat_khau", "").encode(), self.password.encode()
                ):
                    person, problem = None, "Số định danh cá nhân hoặc mật khẩu không đúng."
                else:
                    problem = ""
        else:
            person, problem = None, "Yêu cầu không hợp lệ."
        if person is None:
            with self.lock:
                self.requests[request.id] = request  # the person may try again
            return self._page(request, problem=problem, typed=typed)
        code = secrets.token_urlsafe(32)
        now = self.clock()
        grant = _Grant(
            client_id=request.client.client_id,
            redirect_uri=request.redirect_uri,
            person=person,
            nonce=request.nonce,
            scopes=request.scopes,
            challenge=request.challenge,
            auth_time=now,
            expires=now + CODE_SECONDS,
        )
        with self.lock:
            self.codes[code] = grant
            self.sign_ins += 1
        return _redirect(request.redirect_uri, {"code": code, "state": request.state})

    # -- token endpoint ----------------------------------------------------------------------------

    def _authenticate(self, form: dict[str, str], authorization: str) -> Client | Answer:
        scheme, _, credentials = authorization.partition(" ")
        pairs: list[tuple[str, str]] = []
        if scheme.lower() == "basic":
            if "client_secret" in form:
                return _oauth_error(400, "invalid_request", "Chi dung mot cach xac thuc ung dung.")
            try:
                decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
            except (ValueError, UnicodeDecodeError):
                decoded = ""
            given_id, sep, given_secret = decoded.partition(":")
            if sep:
                pairs = [(given_id, given_secret), (unquote_plus(given_id), unquote_plus(given_secret))]
            if form.get("client_id") and all(form["client_id"] != cid for cid, _ in pairs):
                pairs = []
        elif "client_secret" in form:
            pairs = [(form.get("client_id", ""), form["client_secret"])]
        for given_id, given_secret in pairs:
            client = self.clients.get(given_id)
            if client is not None and hmac.compare_digest(given_secret.encode(), client.secret.encode()):
                return client
        with self.lock:
            self.refused += 1
        return _oauth_error(
            401,
            "invalid_client",
            "Xac thuc ung dung khong thanh cong.",
            {"WWW-Authenticate": 'Basic realm="vneid-mo-phong"'},
        )

    def token(self, form: dict[str, str], authorization: str) -> Answer:
        """``POST /token``: a code (and its PKCE verifier) for the tokens."""
        client = self._authenticate(form, authorization)
        if isinstance(client, Answer):
            return client
        if form.get("grant_type") != "authorization_code":
            return self._refuse(400, "unsupported_grant_type", "Chi ho tro grant_type=authorization_code.")
        code = form.get("code", "")
        with self.lock:
            self._prune()
            grant = self.codes.get(code)
            if grant is not None and grant.client_id == client.client_id:
                if grant.used:
                    # A code presented twice: refused, and what it gave is withdrawn (RFC 6749 §4.1.2).
                    for token in [t for t, a in self.tokens.items() if a.code == code]:
                        del self.tokens[token]
                    grant = None
                else:
                    grant.used = True
            elif grant is not None:
                grant = None
        if grant is None or grant.expires < self.clock():
            return self._refuse(400, "invalid_grant", "Ma xac thuc khong hop le, da het han hoac da dung.")
        if form.get("redirect_uri", "") != grant.redirect_uri:
            return self._refuse(400, "invalid_grant", "redirect_uri khong khop yeu cau xac thuc.")
        verifier = form.get("code_verifier", "")
        if not _VERIFIER.match(verifier) or not hmac.compare_digest(s256(verifier), grant.challenge):
            return self._refuse(400, "invalid_grant", "code_verifier khong dung (PKCE).")
        access = secrets.token_urlsafe(32)
        now = self.clock()
        with self.lock:
            self.tokens[access] = _Access(code, grant.person, grant.scopes, now + ACCESS_TOKEN_SECONDS)
            self.tokens_issued += 1
        claims = {
            "iss": self.issuer,
            "sub": self.subject(grant.person.number),
            "aud": client.client_id,
            "exp": int(now) + ID_TOKEN_SECONDS,
            "iat": int(now),
            "auth_time": int(grant.auth_time),
            "nonce": grant.nonce,
            "acr": f"muc-{grant.person.level}",
            "amr": ["pwd"],
            "at_hash": _b64(hashlib.sha256(access.encode("ascii")).digest()[:16]),
        }
        id_token = jwt.encode({"alg": "RS256", "kid": self.key.kid or ""}, claims, self.key)
        body = {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": ACCESS_TOKEN_SECONDS,
            "id_token": id_token,
            "scope": " ".join(grant.scopes),
        }
        return Answer(
            200, json.dumps(body), "application/json", {"Cache-Control": "no-store", "Pragma": "no-cache"}
        )

    def _refuse(self, status: int, error: str, description: str) -> Answer:
        with self.lock:
            self.refused += 1
        return _oauth_error(status, error, description)

    # -- userinfo endpoint -------------------------------------------------------------------------

    def userinfo(self, authorization: str) -> Answer:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return Answer(401, "", "application/json", {"WWW-Authenticate": 'Bearer realm="vneid-mo-phong"'})
        with self.lock:
            self._prune()
            access = self.tokens.get(token.strip())
        if access is None:
            return Answer(
                401,
                json.dumps({"error": "invalid_token", "error_description": "Ma truy cap khong hop le."}),
                "application/json",
                {"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        return Answer(
            200, json.dumps(self.claims(access.person, access.scopes), ensure_ascii=False), "application/json"
        )

    def claims(self, person: Person, scopes: Iterable[str]) -> dict[str, Any]:
        """What ``/userinfo`` tells of a person for the scopes granted (OIDC Core §5.4)."""
        granted = set(scopes)
        out: dict[str, Any] = {"sub": self.subject(person.number), "so_dinh_danh": person.number}
        if "profile" in granted:
            family, middle, given = _split_name(person.full_name)
            out.update(
                name=person.full_name,
                family_name=family,
                given_name=given,
                birthdate=person.birth_date.isoformat(),
                gender=person.gender,
            )
            if middle:
                out["middle_name"] = middle
        if "email" in granted and person.email:
            out["email"] = person.email
        if "phone" in granted and person.phone:
            out.update(phone_number=_e164(person.phone), phone_number_verified=True)
        if "address" in granted:
            out["address"] = {"formatted": person.permanent_address, "country": person.nationality}
        return out

    # -- pages -------------------------------------------------------------------------------------

    def _error_page(self, message: str) -> Answer:
        with self.lock:
            self.refused += 1
        body = (
            f"{_HEAD}<h1>Không thể đăng nhập</h1>"
            f"<p role='alert' class='error'>{html.escape(message)}</p>"
            "<p>Hãy đóng trang này, quay lại ứng dụng bạn đang dùng và thử lại. Nếu vẫn không được, hãy liên "
            "hệ đơn vị quản lý ứng dụng đó.</p></main></body></html>"
        )
        return Answer(400, body, headers=_PAGE_HEADERS)

    def _page(self, request: _Request, *, problem: str = "", typed: str = "") -> Answer:
        action = html.escape(self.base_path + "/authorize")
        hidden = f"<input type='hidden' name='request_id' value='{html.escape(request.id)}'>"
        shared = ["số định danh cá nhân"] + [_SCOPE_WORDS[s] for s in request.scopes if s in _SCOPE_WORDS]
        options = "".join(
            f"<option value='{p.number}'>{html.escape(p.full_name)} — {p.number} — "
            f"sinh {p.birth_date:%d/%m/%Y}</option>"
            for p in self.people.values()
        )
        error = invalid = pin_invalid = ""
        if problem:
            error = f"<p role='alert' id='loi' class='error'>{html.escape(problem)}</p>"
            invalid = " aria-invalid='true' aria-describedby='loi'"
            pin_invalid = " aria-invalid='true'"
        body = (
            f"{_HEAD}<h1>{TITLE}</h1>"
            f"<p><strong>{html.escape(request.client.name)}</strong> đề nghị xác thực danh tính của bạn và "
            f"nhận: {html.escape(', '.join(shared))}.</p>{error}"
            f"<form method='post' action='{action}'>{hidden}"
            "<fieldset><legend>Chọn một người dân mẫu</legend>"
            "<label for='chon-nguoi'>Người dân (họ tên — số định danh — ngày sinh)</label>"
            f"<select id='chon-nguoi' name='so_dinh_danh'>{options}</select>"
            "<button type='submit' name='action' value='pick'>Đăng nhập với người đã chọn</button>"
            "</fieldset></form>"
            f"<form method='post' action='{action}'>{hidden}"
            "<fieldset><legend>Hoặc nhập tài khoản định danh điện tử</legend>"
            "<label for='so-dinh-danh'>Số định danh cá nhân (12 chữ số)</label>"
            "<input id='so-dinh-danh' name='so_dinh_danh' inputmode='numeric' autocomplete='username' "
            f"pattern='[0-9]{{12}}' maxlength='12' required value='{html.escape(typed)}'{invalid}>"
            "<label for='mat-khau'>Mật khẩu</label>"
            "<input id='mat-khau' name='mat_khau' type='password' autocomplete='current-password' required "
            f"aria-describedby='goi-y-mat-khau'{pin_invalid}>"
            f"<p id='goi-y-mat-khau' class='hint'>Mật khẩu mô phỏng của mọi người dân mẫu: "
            f"<code>{html.escape(self.password)}</code></p>"
            "<button type='submit' name='action' value='password'>Đăng nhập</button>"
            "</fieldset></form>"
            f"<form method='post' action='{action}'>{hidden}"
            "<button type='submit' name='action' value='cancel' class='secondary'>Hủy</button></form>"
            "</main></body></html>"
        )
        return Answer(200, body, headers=_PAGE_HEADERS)


_PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
_HEAD = (
    "<!doctype html><html lang='vi'><head><meta charset='utf-8'>"
    "<meta name='viewport' content='width=device-width, initial-scale=1'>"
    f"<title>{TITLE}</title><style>"
    "body{font-family:system-ui,sans-serif;margin:0;background:#f4f6f8;color:#1b1b1b;line-height:1.5}"
    "main{max-width:34rem;margin:0 auto;padding:1rem}"
    "h1{font-size:1.4rem;color:#a30d11}"
    ".banner{background:#fff4ce;border:1px solid #c9a400;padding:.5rem .75rem;border-radius:4px}"
    "fieldset{background:#fff;border:1px solid #c5ccd3;border-radius:6px;margin:1rem 0;padding:1rem}"
    "legend{font-weight:600;padding:0 .25rem}"
    "label{display:block;margin:.5rem 0 .25rem;font-weight:500}"
    "select,input{box-sizing:border-box;width:100%;font-size:1rem;padding:.6rem;border:1px solid #6b7785;"
    "border-radius:4px}"
    "button{font-size:1rem;padding:.65rem 1.25rem;margin-top:.75rem;border-radius:4px;border:0;"
    "background:#a30d11;color:#fff;min-height:44px}"
    "button.secondary{background:#fff;color:#1b1b1b;border:1px solid #6b7785}"
    "button:focus,select:focus,input:focus{outline:3px solid #1a5fb4;outline-offset:2px}"
    ".hint{font-size:.9rem;color:#4a4a4a}.error{color:#a30d11;font-weight:600}"
    "</style></head><body><main>"
    "<p class='banner'>Hệ thống mô phỏng dùng cho trình diễn và kiểm thử, không phải VNeID. "
    "Những người trong danh sách là hư cấu.</p>"
)


def handler_for(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(SimulatorHandler):
        server_version = "motcua-vneid-simulator/1"

        def _answer(self, answer: Answer) -> None:
            self._send(answer.status, answer.body, answer.kind, answer.headers)

        def _raw(self) -> bytes | None:
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                return None
            if length < 0 or length > MAX_BODY:
                return None
            return self.rfile.read(length)

        def _form(self) -> dict[str, str] | None:
            raw = self._raw()
            if raw is None:
                return None
            return dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))

        def _open(self) -> bool:
            """``False`` when the provider is down: the connection is closed without an answer."""
            if provider.down():
                self.close_connection = True
                return False
            if provider.slow_ms:
                time.sleep(provider.slow_ms / 1000)
            return True

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path == "/_simulator/state":
                self._reply(200, provider.state())
                return
            if not self._open():
                return
            route = provider.route(url.path)
            if route == WELL_KNOWN:
                self._reply(200, provider.metadata())
            elif route == "/jwks":
                self._reply(200, provider.jwks())
            elif route == "/authorize":
                self._answer(provider.authorize(url.query))
            elif route == "/userinfo":
                self._answer(provider.userinfo(self.headers.get("Authorization", "")))
            else:
                self._send(404, "Không có địa chỉ này.", "text/plain")

        def do_POST(self) -> None:
            url = urlsplit(self.path)
            if url.path == "/_simulator/down":
                raw = self._raw() or b"{}"
                try:
                    seconds = float(json.loads(raw.decode("utf-8") or "{}").get("seconds", 0))
                except (ValueError, AttributeError):
                    seconds = 0
                provider.go_down(seconds)
                self._reply(200, provider.state())
                return
            if not self._open():
                return
            route = provider.route(url.path)
            if route == "/userinfo":
                self._raw()
                self._answer(provider.userinfo(self.headers.get("Authorization", "")))
                return
            if route not in ("/authorize", "/token"):
                self._send(404, "Không có địa chỉ này.", "text/plain")
                return
            form = self._form()
            if form is None:
                self._answer(_oauth_error(400, "invalid_request", "Noi dung yeu cau khong hop le."))
            elif route == "/authorize":
                self._answer(provider.sign_in(form))
            else:
                self._answer(provider.token(form, self.headers.get("Authorization", "")))

    return Handler


def make_server(host: str, port: int, provider: Provider) -> ThreadingHTTPServer:
    """A server bound to ``host:port`` (0 = any free port); the provider's issuer, when it has none, is
    the server's own address. Call ``serve_forever`` to run it."""
    server = serve(host, port, handler_for(provider))
    if not provider.issuer:
        provider.issuer = f"http://{host}:{server.server_address[1]}"
    return server
