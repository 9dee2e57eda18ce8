"""What users see: the staff and public pages of the demo, as each role sees them, show no internal
text — no field names of the data formats (``isFullProcess``, ``DuongDanTepTinKetQua``), no document
references (``domain.md §9``, ``F766``), no codes (``on_time``, ``early``, ``done_late``), no ❓/✅/🟡
marks. Only the text a person reads is checked (text, titles, labels, placeholders, options), not the
HTML's own attributes (``data-status="overdue"`` is for the style sheet and the tests).

The pages are found by following the links of each person's pages, from the home page and the menu
(every list page, and the first detail pages behind each list), plus every procedure and task.
"""

from __future__ import annotations

import re
from collections import defaultdict
from html.parser import HTMLParser

import pytest
import time_machine
from django.test import Client

from motcua.core.models import User
from motcua.demo.loader import load_demo

pytestmark = pytest.mark.django_db

# A person of each role (and unit level) of the demo.
PEOPLE = [
    "quantri",  # administrator, province
    "giamsat",  # supervisor, Văn phòng UBND (the office of task tracking and reporting)
    "chutich",  # agency leader, province
    "ttpvhcc.motcua1",  # intake officer, the service centre
    "stp.giamdoc",  # agency leader, a department
    "stp.chuyenvien1",  # specialist, a division of the department
    "stp.vanthu",  # clerk
    "thanhdong.chutich",  # agency leader, a ward
    "thanhdong.motcua",  # intake officer, a ward
    "giavien.tuphap",  # specialist and division head, a ward
    "ca.chuyenvien",  # specialist, Công an
]

# -- the deny-list ----------------------------------------------------------------------------------

MARKS = re.compile(r"[❓✅🟡❌]|§")
DOC_REFERENCE = re.compile(r"\b[\w-]+\.md\b|\bF766\b|\bADR[ -]?\d")
CAMEL = re.compile(r"\b[a-z]+(?:[A-Z][a-z0-9]+)+\b")  # isFullProcess, onlineLevel
PASCAL = re.compile(r"\b(?:[A-Z][a-z]+){2,}[A-Z]*\b")  # DuongDanTepTinKetQua, DongBoHoSoMC, MaKetQua
SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")  # on_time, done_late, no_result_file
# Codes that are one English word (a Vietnamese screen never shows them as words).
CODES = re.compile(
    r"\b(?:early|late|on_time|pending|approved|returned|refused|overdue|received|in_progress|"
    r"withdrawn|delivered|dead|synced|digitised|unparsed|recurring|ongoing|dependent|lead|coordinating|"
    r"supervisor|administrator|specialist|clerk)\b"
)
# Names of products and formats people know (not internal).
ALLOWED = {"OpenDocument", "PostgreSQL", "JavaScript", "LibreOffice", "OpenAPI"}


def internal_text(text: str) -> list[str]:
    found = []
    for pattern in (MARKS, DOC_REFERENCE, CAMEL, SNAKE, CODES):
        found += [m.group(0) for m in pattern.finditer(text)]
    found += [m.group(0) for m in PASCAL.finditer(text) if m.group(0) not in ALLOWED]
    return found


def test_the_deny_list_is_precise():
    for bad in (
        "cờ isFullProcess = false",
        "Không có tệp kết quả điện tử (DuongDanTepTinKetQua)",
        "theo domain.md §9",
        "F766 3.3 ✅",
        "lý do: on_time",
        "Chưa đối chiếu ❓",
        "Sớm hạn (early)",
    ):
        assert internal_text(bad), bad
    for good in (
        "Hồ sơ trễ hạn tháng 11/2026 của Phường Thành Đông",
        "PDF, Word, Excel, OpenDocument, ảnh JPG/PNG hoặc ZIP",
        "Đăng nhập bằng VNeID; Cổng Dịch vụ công quốc gia; Quyết định 766/QĐ-TTg",
        "Bộ chỉ số 766: chỉ số 4.2 (%), 12,5 điểm; H31.1-260101-0001",
        "Sở Khoa học và Công nghệ; email: giamsat@haiphong.gov.vn",
    ):
        assert internal_text(good) == [], good


# -- reading a page as a person reads it ------------------------------------------------------------

SHOWN_ATTRIBUTES = {"title", "alt", "aria-label", "placeholder", "aria-description"}


class Visible(HTMLParser):
    """The text of a page that a person can read, and its links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in {"script", "style", "template"}:
            self._skip += 1
        for name in SHOWN_ATTRIBUTES:
            if values.get(name):
                self.parts.append(str(values[name]))
        if tag == "input" and values.get("type") in {"submit", "button"} and values.get("value"):
            self.parts.append(str(values["value"]))
        for name in ("href", "hx-get"):
            link = values.get(name)
            if link and link.startswith("/"):
                self.links.append(link)

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style", "template"} and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.parts.append(data)


# Links not to follow: sign-out, downloads (files, not screens), the language switch, the API, and
# the administration of master data (/quan-tri/), where administrators edit the data's own codes and
# JSON documents as they are stored.
SKIP = re.compile(
    r"^/(?:can-bo/dang-xuat|i18n|static|media|api|quan-tri)/|/tai-ve/|/tep/|/excel/|\.xlsx|\.pdf"
)


def pattern(path: str) -> str:
    """Pages of one kind share a pattern: /can-bo/nhiem-vu/12/ and /can-bo/nhiem-vu/31/ alike."""
    return re.sub(r"[A-Z0-9][\w.-]*\d[\w.-]*|\d+", "#", path.split("?")[0])


def crawl(client: Client, starts: list[str], *, per_pattern: int = 2, limit: int = 400) -> dict[str, str]:
    """Visit the pages reachable from ``starts`` (GET, same site); returns path → visible text."""
    seen: dict[str, str] = {}
    kinds: dict[str, int] = defaultdict(int)
    queue = list(starts)
    while queue and len(seen) < limit:
        url = queue.pop(0)
        path = url.split("#")[0]
        if path in seen or SKIP.search(path):
            continue
        kind = pattern(path) + ("?" if "?" in path else "")
        if path not in starts and kinds[kind] >= per_pattern:
            continue
        kinds[kind] += 1
        response = client.get(path)
        seen[path] = ""
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        page = Visible()
        page.feed(response.content.decode())
        seen[path] = "\n".join(page.parts)
        queue += [link for link in page.links if link.split("#")[0] not in seen]
    return seen


def offending(pages: dict[str, str]) -> dict[str, list[str]]:
    out = {}
    for path, text in pages.items():
        found = internal_text(text)
        if found:
            out[path] = sorted(set(found))
    return out


def test_no_page_of_the_demo_shows_internal_text():
    with time_machine.travel("2026-11-27 10:00 +07:00", tick=False):
        load_demo(verbose=False, history=300)
        from motcua.catalogue.models import Procedure
        from motcua.directives.models import Directive

        procedures = [f"/thu-tuc/{code}/" for code in Procedure.objects.values_list("code", flat=True)]
        public = crawl(
            Client(),
            ["/", "/thu-tuc/", "/danh-gia-chat-luong/", "/chi-so-dieu-hanh/", "/ho-so-tre-han/", *procedures],
        )
        problems = {f"(công khai) {k}": v for k, v in offending(public).items()}
        tasks = [f"/can-bo/nhiem-vu/{pk}/" for pk in Directive.objects.values_list("pk", flat=True)]
        visited = len(public)
        for username in PEOPLE:
            client = Client()
            client.force_login(User.objects.get(username=username))
            starts = ["/can-bo/"] + (
                [*tasks, *(f"/can-bo{p}" for p in procedures)] if username == "giamsat" else []
            )
            pages = crawl(client, starts)
            visited += len(pages)
            problems |= {f"({username}) {k}": v for k, v in offending(pages).items()}
    assert visited > 300  # the crawl reached the screens of every app
    assert not problems, "\n".join(f"{page}: {', '.join(found)}" for page, found in sorted(problems.items()))
