"""Interface language: Vietnamese by default, English only when chosen, and a complete English catalogue.

Source strings are Vietnamese (docs/adr/0001-vietnamese-source-strings.md). The English catalogue is
``locale/en/LC_MESSAGES/django.po`` and its compiled ``django.mo``; both are committed. These tests
need no gettext tools: a small PO parser below reads the catalogue, and Django's ``templatize`` plus
``ast`` find the strings in the sources, the way ``makemessages`` does.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation
from django.utils.translation.template import templatize

from motcua.core.models import Role
from motcua.core.tests import factories

PACKAGE = Path(settings.BASE_DIR)
CATALOGUE = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES" / "django.po"
COOKIE = settings.LANGUAGE_COOKIE_NAME
SETLANG = "/i18n/setlang/"
LOGIN = "/can-bo/dang-nhap/"

pytestmark = pytest.mark.django_db


# --- A small PO reader --------------------------------------------------------------------------


@dataclass
class PoEntry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False
    line: int = 0

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)

    def __str__(self) -> str:
        context = f"[{self.msgctxt}] " if self.msgctxt else ""
        return f"line {self.line}: {context}{self.msgid!r}"


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$')


def _unquote(token: str) -> str:
    if len(token) < 2 or token[0] != '"' or token[-1] != '"':
        raise ValueError(f"not a PO string: {token!r}")
    return re.sub(r"\\(.)", lambda m: _ESCAPES[m.group(1)], token[1:-1])


def read_po(path: Path) -> list[PoEntry]:
    """Every entry of a PO file, the header (msgid "") included, in file order.

    Handles comments and flags, msgctxt, plural forms (msgid_plural, msgstr[n]), strings continued
    over several lines, C escapes, and obsolete ``#~`` entries (returned with ``obsolete=True``).
    """
    entries: list[PoEntry] = []
    entry = PoEntry()
    target: tuple[str, int] | None = None  # the field that a continuation line extends

    def flush() -> None:
        nonlocal entry, target
        if target is not None or entry.obsolete:
            entries.append(entry)
        entry, target = PoEntry(), None

    def append(text: str) -> None:
        kind, index = target  # type: ignore[misc]
        if kind == "msgstr":
            entry.msgstr[index] = entry.msgstr.get(index, "") + text
        else:
            setattr(entry, kind, (getattr(entry, kind) or "") + text)

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            flush()
            continue
        if line.startswith("#"):
            if target is not None and target[0] == "msgstr":
                flush()  # a comment after a translation starts the next entry
            if line.startswith("#~"):
                entry.obsolete = True
                entry.line = entry.line or number
            elif line.startswith("#,"):
                entry.flags.update(flag.strip() for flag in line[2:].split(",") if flag.strip())
            continue
        if line.startswith('"'):
            if target is None:
                raise ValueError(f"{path}:{number}: continuation line outside an entry")
            append(_unquote(line))
            continue
        match = _KEYWORD.match(line)
        if match is None:
            raise ValueError(f"{path}:{number}: cannot read {line!r}")
        keyword, index, token = match.groups()
        # msgctxt, or a msgid not preceded by its msgctxt, begins the next entry without a blank line.
        if target is not None and (keyword == "msgctxt" or (keyword == "msgid" and target[0] != "msgctxt")):
            flush()
        if target is None:
            entry.line = number
        target = ("msgstr", int(index or 0)) if keyword.startswith("msgstr") else (keyword, 0)
        if keyword.startswith("msgstr"):
            entry.msgstr[target[1]] = ""
        else:
            setattr(entry, keyword, "")
        append(_unquote(token))
    flush()
    return entries


def test_po_reader_handles_continuations_plurals_contexts_and_escapes(tmp_path):
    po = tmp_path / "x.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: en\\n"\n\n'
        '#, python-format\nmsgid ""\n"Dài "\n"lắm"\nmsgstr "Very "\n"long"\n\n'
        'msgctxt "ngữ cảnh"\nmsgid "Có"\nmsgstr "Yes"\n'
        'msgid "%(n)s bản"\nmsgid_plural "%(n)s bản"\nmsgstr[0] "%(n)s copy"\nmsgstr[1] "%(n)s copies"\n\n'
        'msgid "Nói \\"chào\\"\\n"\nmsgstr "Say \\"hello\\"\\n"\n\n'
        '#~ msgid "cũ"\n#~ msgstr "old"\n',
        encoding="utf-8",
    )
    header, long, yes, copies, quoted, old = read_po(po)
    assert header.msgid == "" and header.msgstr == {0: "Language: en\n"}
    assert (long.msgid, long.msgstr, long.flags) == ("Dài lắm", {0: "Very long"}, {"python-format"})
    assert (yes.msgctxt, yes.msgid, yes.msgstr) == ("ngữ cảnh", "Có", {0: "Yes"})
    assert copies.msgid_plural == "%(n)s bản" and copies.msgstr == {0: "%(n)s copy", 1: "%(n)s copies"}
    assert quoted.msgid == 'Nói "chào"\n' and quoted.msgstr == {0: 'Say "hello"\n'}
    assert old.obsolete


@pytest.fixture(scope="module")
def catalogue() -> list[PoEntry]:
    assert CATALOGUE.exists(), f"{CATALOGUE} is missing: run `motcua makemessages -l en` in src/motcua"
    return read_po(CATALOGUE)


def _messages(entries: list[PoEntry]) -> list[PoEntry]:
    return [e for e in entries if e.msgid != "" and not e.obsolete]


# --- The catalogue is complete, clean and compiled -------------------------------------------------


def test_catalogue_header_declares_english_utf8_and_two_plural_forms(catalogue):
    header = catalogue[0]
    assert header.msgid == "" and header.msgctxt is None
    assert "fuzzy" not in header.flags
    text = header.msgstr[0]
    assert "Language: en\n" in text
    assert "charset=UTF-8" in text
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in text


def test_every_message_is_translated_and_none_is_fuzzy_or_obsolete(catalogue):
    messages = _messages(catalogue)
    assert len(messages) > 100
    problems = []
    for entry in catalogue:
        if entry.obsolete:
            problems.append(f"obsolete entry, {entry}")
            continue
        if entry.msgid == "":
            continue
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy, {entry}")
        forms = 2 if entry.msgid_plural is not None else 1
        if sorted(entry.msgstr) != list(range(forms)):
            problems.append(f"expected {forms} translation(s), {entry}")
        if any(not text.strip() for text in entry.msgstr.values()):
            problems.append(f"empty translation, {entry}")
    assert problems == []


_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
_TAG = re.compile(r"</?\w+[^>]*>")


def test_translations_keep_every_placeholder_and_html_tag(catalogue):
    problems = []
    for entry in _messages(catalogue):
        for source in filter(None, (entry.msgid, entry.msgid_plural)):
            for text in entry.msgstr.values():
                if sorted(_PLACEHOLDER.findall(source)) != sorted(_PLACEHOLDER.findall(text)):
                    problems.append(f"placeholders differ, {entry}: {text!r}")
                if sorted(_TAG.findall(source)) != sorted(_TAG.findall(text)):
                    problems.append(f"HTML tags differ, {entry}: {text!r}")
    assert problems == []


def test_compiled_mo_says_exactly_what_the_po_says(catalogue):
    """Django reads the .mo, so a .po edited without `motcua compilemessages` fails here."""
    mismatches = []
    with translation.override("en"):
        for entry in _messages(catalogue):
            if entry.msgid_plural is None:
                got = {
                    0: translation.pgettext(entry.msgctxt, entry.msgid)
                    if entry.msgctxt is not None
                    else translation.gettext(entry.msgid)
                }
            else:
                got = {}
                for form, n in ((0, 1), (1, 2)):
                    got[form] = (
                        translation.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
                        if entry.msgctxt is not None
                        else translation.ngettext(entry.msgid, entry.msgid_plural, n)
                    )
            if got != entry.msgstr:
                mismatches.append(f"{entry}: .po {entry.msgstr!r} but .mo gives {got!r}")
    assert mismatches == []


# --- The catalogue matches the sources (what makemessages would extract) ---------------------------

_LITERAL = r"""u(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""
_TEMPLATE_CALL = re.compile(rf"\b(gettext|ngettext|pgettext|npgettext)\(((?:{_LITERAL},?\s*)+)")
_TEMPLATE_STRING = re.compile(_LITERAL)
_PY_KEYWORDS = {  # name: (index of msgctxt or None, index of msgid)
    "_": (None, 0),
    "gettext": (None, 0),
    "gettext_lazy": (None, 0),
    "gettext_noop": (None, 0),
    "ngettext": (None, 0),
    "ngettext_lazy": (None, 0),
    "pgettext": (0, 1),
    "pgettext_lazy": (0, 1),
    "npgettext": (0, 1),
    "npgettext_lazy": (0, 1),
}


def _template_files() -> list[Path]:
    return sorted(p for p in PACKAGE.glob("**/templates/**/*.html") if "node_modules" not in p.parts)


def _python_files() -> list[Path]:
    return sorted(
        p
        for p in PACKAGE.glob("**/*.py")
        if "tests" not in p.parts and "migrations" not in p.parts and "node_modules" not in p.parts
    )


def _source_messages() -> dict[tuple[str | None, str], str]:
    """(msgctxt, msgid) of every translatable string in templates and Python code → where it is."""
    found: dict[tuple[str | None, str], str] = {}
    for path in _template_files():
        for call in _TEMPLATE_CALL.finditer(templatize(path.read_text(encoding="utf-8"), origin=str(path))):
            strings = [ast.literal_eval(s) for s in _TEMPLATE_STRING.findall(call.group(2))]
            key = (strings[0], strings[1]) if call.group(1).startswith("p") else (None, strings[0])
            found.setdefault(key, str(path.relative_to(PACKAGE)))
    for path in _python_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            if node.func.id not in _PY_KEYWORDS:
                continue
            context_at, msgid_at = _PY_KEYWORDS[node.func.id]
            args = [a.value if isinstance(a, ast.Constant) else None for a in node.args]
            if len(args) <= msgid_at or not isinstance(args[msgid_at], str):
                continue  # a variable, not a literal: nothing for makemessages to extract
            context = args[context_at] if context_at is not None else None
            key = (context if isinstance(context, str) else None, args[msgid_at])
            found.setdefault(key, f"{path.relative_to(PACKAGE)}:{node.lineno}")
    return found


def test_catalogue_has_exactly_the_strings_of_the_sources(catalogue):
    """A string added or changed without `motcua makemessages -l en` (and a translation) fails here."""
    in_sources = _source_messages()
    in_catalogue = {e.key for e in _messages(catalogue)}
    missing = sorted(f"{where}: {key}" for key, where in in_sources.items() if key not in in_catalogue)
    stale = sorted(str(key) for key in in_catalogue - set(in_sources))
    assert missing == [], "not in django.po — run makemessages and translate"
    assert stale == [], "in django.po but no longer in the sources — run makemessages"


_BLOCK = re.compile(r"{%\s*blocktrans(?:late)?\b.*?{%\s*endblocktrans(?:late)?\s*%}", re.S)
_COMMENT = re.compile(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|{#.*?#}", re.S)
_TRANSLATE_TAG = re.compile(r"{%\s*trans(?:late)?\s.*?%}", re.S)
# Vietnamese letters with marks (and đ) are outside ASCII; any left outside a translation tag is a
# string that English pages would show untranslated.
_VIETNAMESE = re.compile(r"[^\x00-\x7f]")


# TT 01/2018 Mẫu 01–05 as PDFs (motcua.documents): documents of the Vietnamese administration.
OFFICIAL_FORMS = PACKAGE / "documents" / "templates" / "documents" / "forms"
RESULTS = PACKAGE / "documents" / "templates" / "documents" / "results"
# Certified copies, and the demo's papers (originals a citizen shows), are Vietnamese documents too.
ISSUED = (
    OFFICIAL_FORMS,
    RESULTS,
    PACKAGE / "documents" / "templates" / "documents" / "certified",
    PACKAGE / "documents" / "templates" / "documents" / "demo",
    PACKAGE / "payments" / "templates" / "payments" / "issued",  # the electronic receipt
    PACKAGE / "citizens" / "templates" / "citizens" / "demo",  # the demo's paper of a hospital
)


def test_templates_have_no_vietnamese_text_outside_translation_tags():
    leftovers = []
    for path in _template_files():
        if any(folder in path.parents for folder in ISSUED):
            continue  # forms, results and copies are issued in Vietnamese whatever the page's language
        text = path.read_text(encoding="utf-8")
        for pattern in (_COMMENT, _BLOCK, _TRANSLATE_TAG):
            text = pattern.sub(lambda m: "\n" * m.group(0).count("\n"), text)
        for number, line in enumerate(text.splitlines(), start=1):
            letters = [ch for ch in _VIETNAMESE.findall(line) if ch.isalpha()]
            if letters:
                leftovers.append(f"{path.relative_to(PACKAGE)}:{number}: {line.strip()[:100]}")
    assert leftovers == []


def test_form_unit_labels_say_in_vietnamese_what_the_engine_says():
    from motcua.workdays.domain import LimitUnit
    from motcua.workdays.domain.deadlines import UNIT_LABELS
    from motcua.workdays.forms import UNIT_CHOICE_LABELS

    with translation.override("vi"):
        labels = {unit: str(label) for unit, label in UNIT_CHOICE_LABELS.items()}
    assert labels == {unit: UNIT_LABELS[unit] for unit in LimitUnit}


# --- Choosing the language ------------------------------------------------------------------------


class _Forms(HTMLParser):
    """The forms of a page: attributes, inputs and buttons."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "form":
            self.forms.append({"attrs": values, "inputs": [], "buttons": []})
        elif tag == "input" and self.forms:
            self.forms[-1]["inputs"].append(values)
        elif tag == "button" and self.forms:
            self.forms[-1]["buttons"].append(values)


def _switcher(html: str) -> dict:
    parser = _Forms()
    parser.feed(html)
    found = [f for f in parser.forms if f["attrs"].get("action") == SETLANG]
    assert len(found) == 1, "exactly one language switcher on the page"
    return found[0]


def _choose(client, language: str, next_url: str = "/"):
    return client.post(SETLANG, {"language": language, "next": next_url})


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def officer():
    ward = factories.unit("Phường Thử")
    return factories.staff([Role.INTAKE_OFFICER], ward, username="motcua.i18n")


def test_vietnamese_is_the_default_even_for_an_english_browser(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="vi">' in page
    assert "Tìm thủ tục hành chính" in page and "Find an administrative procedure" not in page
    assert response["Content-Language"] == "vi"
    assert "Accept-Language" not in response.get("Vary", "")

    login = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Đăng nhập hệ thống một cửa" in login and "Sign in to the one-stop system" not in login


def test_choosing_english_sets_a_lasting_cookie_and_returns_to_the_page(client):
    response = _choose(client, "en", "/thu-tuc/?q=khai+sinh")
    assert response.status_code == 302 and response["Location"] == "/thu-tuc/?q=khai+sinh"
    cookie = response.cookies[COOKIE]
    assert cookie.value == "en"
    assert cookie["max-age"] == settings.LANGUAGE_COOKIE_AGE >= 180 * 24 * 3600
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


def test_after_choosing_english_the_portal_and_staff_login_are_english(client):
    _choose(client, "en")
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="vi")
    page = response.content.decode()
    assert '<html lang="en">' in page
    assert "Find an administrative procedure" in page and "Public Service Portal" in page
    assert "Tìm thủ tục hành chính" not in page
    assert response["Content-Language"] == "en"
    assert "Cookie" in response["Vary"]

    login = client.get(LOGIN).content.decode()
    assert "Sign in to the one-stop system" in login and "Username" in login and "Password" in login
    assert "Đăng nhập hệ thống một cửa" not in login

    _choose(client, "vi")
    assert "Tìm thủ tục hành chính" in client.get("/").content.decode()


def test_english_sign_in_errors_and_locks_are_english(client, officer, settings):
    settings.MOTCUA_LOGIN_MAX_FAILURES = 2
    _choose(client, "en")
    wrong = {"step": "password", "username": "motcua.i18n", "password": "sai-mat-khau"}
    assert "Incorrect username or password." in client.post(LOGIN, wrong).content.decode()
    client.post(LOGIN, wrong)
    locked = client.post(LOGIN, wrong)
    assert locked.status_code == 429
    assert "temporarily locked; please try again in 15 minutes." in locked.content.decode()


def test_staff_pages_are_english_after_choosing_english(client, officer):
    client.force_login(officer)
    _choose(client, "en")
    home = client.get("/can-bo/").content.decode()
    assert "Roles and scope of work" in home and "Sign out" in home
    calendar = client.get("/can-bo/lich/", {"year": "2026"}).content.decode()
    assert "Working calendar for 2026" in calendar and "January" in calendar and ">Mon<" in calendar
    assert "Time of receipt" in calendar and "working days" in calendar
    due = client.post(
        "/can-bo/lich/tinh-han/",
        {"received": "2026-11-27T16:10", "limit": "3", "unit": "working_days"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "17:00 on 03/12/2026" in due and "Result due" in due
    missing = client.get("/can-bo/thu-tuc/9.999999/")
    assert missing.status_code == 404
    assert "No procedure was found with the code 9.999999." in missing.content.decode()


def test_an_unknown_language_in_the_cookie_means_vietnamese_and_a_variant_means_its_language(client):
    client.cookies[COOKIE] = "fr"
    assert '<html lang="vi">' in client.get("/").content.decode()
    client.cookies[COOKIE] = "x" * 1000
    assert '<html lang="vi">' in client.get("/").content.decode()
    client.cookies[COOKIE] = "en-gb"
    assert '<html lang="en">' in client.get("/").content.decode()


def test_a_request_in_english_does_not_leave_english_active_afterwards(client):
    _choose(client, "en")
    client.get("/")
    assert translation.get_language() == settings.LANGUAGE_CODE


def test_language_switcher_is_on_the_portal_home(client):
    switcher = _switcher(client.get("/thu-tuc/?q=ho+tich").content.decode())
    assert switcher["attrs"]["method"] == "post"
    names = {i.get("name"): i.get("value") for i in switcher["inputs"]}
    assert names.get("csrfmiddlewaretoken")
    assert names["next"] == "/thu-tuc/?q=ho+tich"
    buttons = {b["value"]: b for b in switcher["buttons"]}
    assert set(buttons) == {"vi", "en"}
    assert all(b["name"] == "language" and b["type"] == "submit" for b in buttons.values())
    assert buttons["vi"]["lang"] == "vi" and buttons["en"]["lang"] == "en"
    assert buttons["vi"].get("aria-current") == "true" and "aria-current" not in buttons["en"]

    home = client.get("/").content.decode()
    _switcher(home)
    assert "Tiếng Việt" in home and "English" in home


def test_language_switcher_is_on_the_staff_login_page_and_top_bar(client, officer):
    login = _switcher(client.get(LOGIN).content.decode())
    assert {b["value"] for b in login["buttons"]} == {"vi", "en"}
    client.force_login(officer)
    _choose(client, "en")
    top = _switcher(client.get("/can-bo/").content.decode())
    current = [b["value"] for b in top["buttons"] if b.get("aria-current") == "true"]
    assert current == ["en"]


def test_switching_language_with_the_csrf_check_on(officer):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    page = strict.get("/").content.decode()
    token = {i["name"]: i["value"] for i in _switcher(page)["inputs"]}["csrfmiddlewaretoken"]
    assert strict.post(SETLANG, {"language": "en", "next": "/"}).status_code == 403
    response = strict.post(SETLANG, {"language": "en", "next": "/", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert '<html lang="en">' in strict.get("/").content.decode()
