"""Every URL pattern, with parameters nobody should send: never a server error (5xx).

The patterns are read from the URL configuration, so a new page is fuzzed without being listed here.
Each is requested

- with its path parameters real (a dossier, a procedure, a report period of a small world), then one
  at a time a NUL, an over-long, an odd-Unicode (right-to-left mark, byte-order mark, combining accent,
  a letter outside the basic plane, an invalid UTF-8 byte), a superscript digit and an out-of-range
  integer;
- with each query parameter the page reads (the fields of its GET forms, and the ``request.GET`` keys
  its view names), one at a time, set to a far-future or year-1 date, a far month, an out-of-range
  number, a superscript digit, a long odd-Unicode text and a NUL;

as a signed-in user who holds every role (administrator, supervisor, one-stop officer, leader,
superuser for the admin site) and, for public pages and each pattern's real address, as an anonymous
visitor. The answer may be a page, a redirect, a 400 or a 404: anything but 5xx. Bounded: one
request per (pattern, parameter, value), under a minute on a 2-core machine.
"""

from __future__ import annotations

import inspect
import logging
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve

from motcua.core.models import Role, RoleAssignment
from motcua.dashboard.demo import DEFAULTS
from motcua.dashboard.models import Indicator
from motcua.directives.models import Directive, SourceDocument
from motcua.directives.tests import factories as dirf
from motcua.dossiers.tests import factories as df
from motcua.evaluation.formulas import INFO
from motcua.reporting.models import ReportPeriod
from motcua.reporting.services import generate_periods
from motcua.reporting.tests import factories as rf

pytestmark = pytest.mark.django_db

NOW = df.at(2026, 3, 9, 10, 0)

# Values for path parameters (raw, percent-encoded here where a byte is not a character).
PATH_VALUES = {
    "nul": "a%00b",
    "long": "x" * 2000,
    "unicode": quote("Đ\u202e\ufeff𝕏e\u0301", safe="") + "%ED%A0%80",
    "big": "99999999999999999999",
    "superscript": quote("²", safe=""),
}
# Values for query parameters (percent-encoded).
QUERY_VALUES = {
    "far-iso": "9999-12-31",
    "year-1": "0001-01-01",
    "month": "9999-12",
    "big": "99999999999999999999",
    "superscript": quote("²", safe=""),
    "long-unicode": quote("Đ\u202e\ufeff𝕏e\u0301" * 300, safe="") + "%ED%A0%80",
    "nul": "a%00b",
}


@dataclass(frozen=True)
class Pattern:
    route: str  # e.g. "can-bo/ho-so/<str:code>/"
    name: str  # "dossiers:detail"
    params: tuple[tuple[str, str], ...]  # (name, converter kind)


def _walk(patterns: list[object], prefix: str = "", ns: str = "") -> Iterator[Pattern]:
    for p in patterns:
        if isinstance(p, URLResolver):
            inner = f"{ns}:{p.namespace}" if ns and p.namespace else (p.namespace or ns)
            yield from _walk(p.url_patterns, prefix + str(p.pattern), inner)
        elif isinstance(p, URLPattern):
            route = prefix + str(p.pattern)
            kinds = re.findall(r"<(?:(\w+):)?(\w+)>", route)
            params = tuple((name, kind or "str") for kind, name in kinds)
            yield Pattern(route=route, name=f"{ns}:{p.name}" if ns else str(p.name), params=params)


def url_patterns() -> list[Pattern]:
    found = list(_walk(get_resolver().url_patterns))
    # Admin routes written as regular expressions (the catch-all) have nothing to fill in.
    return [p for p in found if not p.route.startswith("^") and "(?P" not in p.route]


def _build(route: str, values: dict[str, str]) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], route)


def source_query_names() -> set[str]:
    """Every literal key the views read from ``request.GET``."""
    names: set[str] = set()
    pattern = re.compile(
        r"""GET(?:\.get|\.getlist)?\s*[\(\[]\s*["']([^"']+)["']|["']([^"']+)["']\s+in\s+request\.GET"""
    )
    for path in Path(settings.BASE_DIR).rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for a, b in pattern.findall(path.read_text(encoding="utf-8")):
            names.add(a or b)
    return names


def read_by_view(url: str) -> set[str]:
    """The string literals of the view that serves ``url`` (a superset of the keys it reads from the
    query string itself; its helpers' keys are the fields of the page's forms)."""
    try:
        match = resolve(url.split("?")[0])
    except Resolver404:
        return set()
    func = inspect.unwrap(getattr(match.func, "view_class", match.func))
    if func.__module__.startswith("django."):
        return set()  # the admin's own parameters are the fields of its search and filter forms
    try:
        text = inspect.getsource(func)
    except (OSError, TypeError):
        return set()
    return set(re.findall(r"""["']([\w-]{1,40})["']""", text)) | {"q", "page"}


class _GetFormFields(HTMLParser):
    """The names of the fields of the page's GET forms (filters, searches)."""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()
        self._in_get_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self._in_get_form = (a.get("method") or "get").lower() == "get"
        elif tag in {"input", "select", "textarea"} and self._in_get_form and a.get("name"):
            self.names.add(str(a["name"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_get_form = False


def form_fields(html: str) -> set[str]:
    parser = _GetFormFields()
    parser.feed(html)
    return parser.names


# -- the world -------------------------------------------------------------------------------------


@pytest.fixture
def world():
    with time_machine.travel(NOW, tick=False):
        rw = rf.world()
        w = rw.d
        dossier = df.receive(w)
        document = dirf.imported(None)
        for position, (code, name, uom, source, key, *_rest) in enumerate(DEFAULTS, 1):
            Indicator.objects.get_or_create(
                code=code,
                defaults={
                    "name": name,
                    "unit_of_measure": uom,
                    "source": source,
                    "source_key": key,
                    "position": position,
                },
            )
        user = w.supervisor
        user.is_staff = user.is_superuser = True
        user.save()
        for role, unit in [
            (Role.ADMINISTRATOR, w.province),
            (Role.INTAKE_OFFICER, w.ward_a),
            (Role.AGENCY_LEADER, w.ward_a),
            (Role.SUPERVISOR, rw.office),
        ]:
            RoleAssignment.objects.create(user=user, role=role, unit=unit)
        generate_periods(NOW.date(), rw.monthly)
        period = ReportPeriod.objects.filter(definition=rw.monthly).order_by("pk").first()
        task = Directive.objects.filter(document=document).order_by("pk").first()
    real = {
        "dossiers:detail": {"code": dossier.code},
        "dossiers:file": {"code": dossier.code, "pk": "1"},
        "dossiers:action": {"code": dossier.code, "action": "hand_over"},
        "catalogue:procedure": {"code": w.procedure.code},
        "portal:procedure": {"code": w.procedure.code},
        "api:get_procedure": {"code": w.procedure.code},
        "api:days_off": {"year": "2026"},
        "api:unit_successors": {"code": w.ward_a.code},
        "api:accept": {"code": dossier.code},
        "api:transition": {"code": dossier.code},
        "api:detail": {"code": dossier.code},
        "api:sync_record": {"code": dossier.code},
        "evaluation:indicator": {"code": next(iter(INFO))},
        "dashboard:indicator": {"code": DEFAULTS[0][0]},
        "dashboard:enter": {"code": "so-hoa-ket-qua"},
        "directives:document": {"pk": str(SourceDocument.objects.get().pk)},
        "directives:task": {"pk": str(task.pk)},
        "directives:action": {"pk": str(task.pk), "action": "bao-cao"},
        "directives:decide": {"pk": str(task.pk), "kind": "hoan-thanh", "request_id": "1"},
        "reporting:definition": {"pk": str(rw.monthly.pk)},
    }
    for name in ["period", "aggregate", "aggregate_file"]:
        real[f"reporting:{name}"] = {"pk": str(period.pk)}
    for name in ["report", "upload", "template", "report_file", "version", "decide"]:
        real[f"reporting:{name}"] = {
            "pk": str(period.pk),
            "code": w.ward_a.code,
            "number": "1",
            "action": "x",
        }
    return {"user": user, "real": real, "dossier": dossier}


def _admin_real(pattern: Pattern) -> dict[str, str]:
    """An existing object's id for an admin change page (admin:<app>_<model>_<view>)."""
    match = re.match(r"admin:(\w+?)_(\w+)_(change|delete|history)$", pattern.name)
    if not match:
        return {}
    for model in apps.get_models():
        if model._meta.app_label == match.group(1) and model._meta.model_name == match.group(2):
            first = model._default_manager.order_by("pk").first()
            return {"object_id": str(first.pk)} if first is not None else {}
    return {}


def real_values(world, pattern: Pattern) -> dict[str, str]:
    values = {name: "1" for name, _ in pattern.params}
    values.update(world["real"].get(pattern.name, {}))
    values.update(_admin_real(pattern))
    return {k: v for k, v in values.items() if k in dict(pattern.params)}


def path_variants(world, pattern: Pattern) -> Iterator[str]:
    base = real_values(world, pattern)
    yield _build(pattern.route, base)
    for name, kind in pattern.params:
        if pattern.name.startswith("admin:") and not pattern.name.endswith("_change"):
            continue  # the admin's delete and history pages find the object as its change page does
        for label, value in PATH_VALUES.items():
            if (kind == "int" and label != "big") or (
                kind == "slug" and label in {"nul", "unicode", "superscript"}
            ):
                continue  # the resolver answers 404 before any view: nothing to learn
            yield _build(pattern.route, {**base, name: value})


# -- the test --------------------------------------------------------------------------------------


def _check(client: Client, url: str, failures: list[str]) -> str:
    response = client.get(url)
    if response.status_code >= 500:
        failures.append(f"{response.status_code} GET {url[:300]}")
    content_type = response.headers.get("Content-Type", "")
    return response.content.decode(errors="replace") if content_type.startswith("text/html") else ""


def test_no_url_answers_any_parameter_with_a_server_error(world):
    patterns = url_patterns()
    assert len(patterns) > 150  # the admin site, the API, the portal and the staff workspace
    names_everywhere = source_query_names()
    assert {"q", "page", "period", "month", "document"} <= names_everywhere
    failures: list[str] = []
    anonymous = Client(raise_request_exception=False)
    staff = Client(raise_request_exception=False)
    staff.force_login(world["user"])
    started, sent = time.monotonic(), 0
    # Every refusal would be logged as a warning; server errors still are (as errors).
    log = logging.getLogger("django.request")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        with time_machine.travel(NOW, tick=False):
            for pattern in patterns:
                if pattern.name.endswith(("logout", "set_language")):
                    continue  # GET is refused (405) and signs nobody out
                urls = list(path_variants(world, pattern))
                # Signed out, the staff workspace and the admin site only redirect to the sign-in page.
                public = not pattern.route.startswith(("can-bo/", "quan-tri/"))
                page = ""
                for i, url in enumerate(urls):
                    if public or i == 0:
                        _check(anonymous, url, failures)
                    text = _check(staff, url, failures)
                    page = text if i == 0 else page
                    sent += 1 + (public or i == 0)
                names = form_fields(page) | (read_by_view(urls[0]) & names_everywhere)
                for name in sorted(names):
                    for value in QUERY_VALUES.values():
                        _check(staff, f"{urls[0]}?{quote(name, safe='')}={value}", failures)
                        sent += 1
    finally:
        log.setLevel(level)
    print(f"{sent} requests in {time.monotonic() - started:.0f} s")
    assert failures == [], "\n".join(failures)
