"""Reading a plan (kế hoạch) and its task table — pure Python, no Django.

A provincial plan lists its tasks in a table with the columns *Stt | Tên nhiệm vụ | Cơ quan chủ trì |
Cơ quan phối hợp | Thời hạn hoàn thành | Sản phẩm*. Section rows (I, II, III, V…) group the tasks;
their title fills the merged cells of the row. Two sources give the same rows:

- the plain-text export of the province's document site (``../shared/seed/…``): each cell starts a
  line with a tab, a cell continues on the following lines that do not, and rows are separated by
  blank lines (a blank line may also sit inside a long cell);
- a Word ``.docx`` (``docx_reader``), whose merged cells repeat their text in every column.

Both become ``Row`` objects (a place — "dòng 62" or "bảng 1, hàng 5" — and the cells) and go through
``parse_rows``. Errors name that place. Deadlines are read by ``parse_deadline``: a date, a recurrence
(RFC 5545 RRULE) or nothing, and the text is always kept as written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from motcua.directives import recurrence
from motcua.directives.unitnames import plain, split_units

# -- results ---------------------------------------------------------------------------------------


class DeadlineKind(StrEnum):
    DATE = "date"  # a fixed date
    RECURRING = "recurring"  # "30/9 hằng năm"
    ONGOING = "ongoing"  # "Thường xuyên"
    DEPENDENT = "dependent"  # "Theo tiến độ …", "Sau khi …", "Theo yêu cầu …"
    NONE = "none"  # empty cell
    UNPARSED = "unparsed"  # text we could not read; kept verbatim


DEADLINE_KIND_LABELS: dict[DeadlineKind, str] = {
    DeadlineKind.DATE: "Có thời hạn",
    DeadlineKind.RECURRING: "Định kỳ",
    DeadlineKind.ONGOING: "Thường xuyên",
    DeadlineKind.DEPENDENT: "Theo tiến độ, văn bản khác",
    DeadlineKind.NONE: "Không ghi thời hạn",
    DeadlineKind.UNPARSED: "Chưa đọc được thời hạn",
}


@dataclass(frozen=True)
class Deadline:
    text: str
    date: date | None = None
    recurrence: str | None = None
    kind: DeadlineKind = DeadlineKind.NONE


@dataclass(frozen=True)
class PlanTask:
    number: str
    section: str
    section_title: str
    content: str
    lead_text: str
    coordinating_text: str
    deadline: Deadline
    product: str
    place: str  # where the row is in the file: "dòng 62", "bảng 1, hàng 5"
    position: int  # 1, 2, … in table order

    @property
    def lead_units(self) -> list[str]:
        return split_units(self.lead_text)

    @property
    def coordinating_units(self) -> list[str]:
        return split_units(self.coordinating_text)

    def as_dict(self) -> dict[str, Any]:
        """The shape of ``motcua directives import-plan --json`` (one task)."""
        return {
            "number": self.number,
            "section": self.section,
            "section_title": self.section_title,
            "content": self.content,
            "lead_units": self.lead_units,
            "coordinating_units": self.coordinating_units,
            "deadline_text": self.deadline.text,
            "deadline": self.deadline.date.isoformat() if self.deadline.date else None,
            "recurrence": self.deadline.recurrence,
            "deadline_kind": str(self.deadline.kind),
            "product": self.product,
            "place": self.place,
        }


@dataclass(frozen=True)
class DocumentInfo:
    """The source document as the file names it; every field may be missing."""

    kind: str = ""  # "Kế hoạch", "Quyết định", …
    number: str = ""  # "3327/KH-UBND"
    issued_on: date | None = None
    issuer: str = ""  # "Chủ tịch UBND tỉnh Hải Dương"
    title: str = ""  # "Triển khai đẩy mạnh cải cách thủ tục hành chính …"

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "number": self.number,
            "issued_on": self.issued_on.isoformat() if self.issued_on else None,
            "issuer": self.issuer,
            "title": self.title,
        }


@dataclass(frozen=True)
class Plan:
    document: DocumentInfo
    tasks: tuple[PlanTask, ...]


@dataclass(frozen=True)
class Problem:
    place: str
    message: str

    def __str__(self) -> str:
        return f"{self.place}: {self.message}" if self.place else self.message


class PlanError(ValueError):
    """The file is not a plan we can read. ``problems`` name each place (line or table row)."""

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.problems = list(problems)

    def __str__(self) -> str:
        if not self.problems:
            return self.message
        return "\n".join([self.message, *(f"  - {p}" for p in self.problems)])


@dataclass(frozen=True)
class Row:
    place: str
    cells: tuple[str, ...]


# -- columns ---------------------------------------------------------------------------------------


class Column(StrEnum):
    NUMBER = "number"
    CONTENT = "content"
    LEAD = "lead"
    COORDINATING = "coordinating"
    DEADLINE = "deadline"
    PRODUCT = "product"


COLUMN_LABELS = {
    Column.NUMBER: "Stt",
    Column.CONTENT: "Tên nhiệm vụ",
    Column.LEAD: "Cơ quan chủ trì",
    Column.COORDINATING: "Cơ quan phối hợp",
    Column.DEADLINE: "Thời hạn hoàn thành",
    Column.PRODUCT: "Sản phẩm",
}
REQUIRED_COLUMNS = (Column.NUMBER, Column.CONTENT, Column.LEAD)


def _column_of(header: str) -> Column | None:
    text = plain(header).strip(" .:")
    if re.fullmatch(r"(s\.?\s*)?tt|so (thu tu|tt)", text):
        return Column.NUMBER
    if "chu tri" in text:
        return Column.LEAD
    if "phoi hop" in text:
        return Column.COORDINATING
    if "thoi han" in text or "thoi gian" in text or "tien do" in text:
        return Column.DEADLINE
    if "san pham" in text or "ket qua" in text:
        return Column.PRODUCT
    if "nhiem vu" in text or "noi dung" in text or "cong viec" in text:
        return Column.CONTENT
    return None


def header_columns(cells: Sequence[str]) -> dict[Column, int] | None:
    """The column of each role when ``cells`` is the header row of a task table, else ``None``."""
    found: dict[Column, int] = {}
    for index, cell in enumerate(cells):
        column = _column_of(cell)
        if column is not None and column not in found:
            found[column] = index
    if all(c in found for c in REQUIRED_COLUMNS) and found[Column.NUMBER] == 0:
        return found
    return None


# -- rows → tasks ----------------------------------------------------------------------------------

_NUMBER = re.compile(r"^(\d{1,3}(?:\.\d{1,3})*)\.?$")
_ROMAN = re.compile(r"^([IVXLC]{1,7})\.?$")
_ROMAN_TITLE = re.compile(r"^([IVXLC]{1,7})[.:]\s*(\S.*)$", re.DOTALL)
_COLUMN_NUMBERING = re.compile(r"^\(?\d{1,2}\)?$")


def _clean(text: str) -> str:
    """Lines stripped, empty lines dropped, spaces inside a line collapsed."""
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


def is_row_number(text: str) -> bool:
    cell = text.strip()
    return bool(_NUMBER.match(cell) or _ROMAN.match(cell))


def parse_rows(
    rows: Iterable[Row], columns: dict[Column, int], *, reference: date | None = None
) -> tuple[PlanTask, ...]:
    """The tasks of a table's body (the rows after its header). Raises ``PlanError`` naming every bad
    row; nothing is returned half-read."""
    problems: list[Problem] = []
    tasks: list[PlanTask] = []
    section = section_title = ""
    seen: dict[str, str] = {}
    width = max(columns.values()) + 1

    def cell(row: Row, column: Column) -> str:
        index = columns.get(column)
        if index is None or index >= len(row.cells):
            return ""
        return _clean(row.cells[index])

    for row in rows:
        cells = [_clean(c) for c in row.cells]
        if not any(cells):
            continue
        if all(_COLUMN_NUMBERING.match(c) for c in cells if c):
            continue  # the "(1) (2) (3) …" line under some headers
        if len(row.cells) < width:
            problems.append(Problem(row.place, f"hàng có {len(row.cells)} ô, bảng nhiệm vụ có {width} cột."))
            continue
        first = cell(row, Column.NUMBER)
        roman = _ROMAN.match(first) or _ROMAN_TITLE.match(first)
        if roman:
            section = roman.group(1)
            inline = roman.group(2) if roman.re is _ROMAN_TITLE else ""
            section_title = inline or next((c for c in cells[1:] if c and c != first), "")
            continue
        number = _NUMBER.match(first)
        if not number:
            shown = first if len(first) <= 40 else first[:40] + "…"
            problems.append(
                Problem(
                    row.place,
                    f"ô Stt “{shown}” không phải số thứ tự nhiệm vụ (1, 2, …) "
                    "hay số La Mã của mục (I, II, …)."
                    if first
                    else "thiếu số thứ tự nhiệm vụ (cột Stt để trống).",
                )
            )
            continue
        key = number.group(1)
        content = cell(row, Column.CONTENT)
        lead = cell(row, Column.LEAD)
        if key in seen:
            problems.append(Problem(row.place, f"nhiệm vụ số {key} trùng với {seen[key]}."))
            continue
        seen[key] = row.place
        if not content:
            problems.append(Problem(row.place, f"nhiệm vụ số {key} không có nội dung (cột Tên nhiệm vụ)."))
        if not lead or not split_units(lead):
            problems.append(Problem(row.place, f"nhiệm vụ số {key} không có cơ quan chủ trì."))
        if not content or not lead:
            continue
        tasks.append(
            PlanTask(
                number=key,
                section=section,
                section_title=section_title,
                content=content,
                lead_text=lead,
                coordinating_text=cell(row, Column.COORDINATING),
                deadline=parse_deadline(cell(row, Column.DEADLINE), reference=reference),
                product=cell(row, Column.PRODUCT),
                place=row.place,
                position=len(tasks) + 1,
            )
        )
    if problems:
        raise PlanError("Bảng nhiệm vụ có hàng không đọc được:", problems)
    if not tasks:
        raise PlanError("Bảng nhiệm vụ không có nhiệm vụ nào (chỉ có hàng tiêu đề hoặc tên mục).")
    return tuple(tasks)


# -- the plain-text export -------------------------------------------------------------------------


@dataclass
class _Cell:
    line: int
    lines: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


NOT_A_PLAN = (
    "Không tìm thấy bảng nhiệm vụ: tệp phải có hàng tiêu đề “Stt | Tên nhiệm vụ | Cơ quan chủ trì | "
    "Cơ quan phối hợp | Thời hạn hoàn thành | Sản phẩm”."
)


def text_rows(text: str) -> tuple[dict[Column, int], list[Row]]:
    """The header columns and body rows of the task table of a plain-text export."""
    lines = text.splitlines()
    cell_lines = [i for i, line in enumerate(lines) if line.startswith("\t")]
    # The header: consecutive tab-lines (one per cell) whose texts are column titles.
    header_at: int | None = None
    columns: dict[Column, int] | None = None
    header_cells: list[str] = []
    for position, index in enumerate(cell_lines):
        if _column_of(lines[index][1:]) != Column.NUMBER:
            continue
        candidate: list[str] = []
        for following in cell_lines[position:]:
            if following != index + len(candidate):
                break
            candidate.append(lines[following][1:])
        columns = header_columns(candidate)
        if columns is not None:
            header_at, header_cells = index, candidate
            break
    if header_at is None or columns is None:
        raise PlanError(NOT_A_PLAN)
    width = len(header_cells)
    start = header_at + len(header_cells)
    # Lines below which another row starts (a tab-line holding a row number): a blank line followed
    # by text is a paragraph break inside a cell while rows remain, and the end of the table after.
    later_row = [False] * (len(lines) + 1)
    for i in range(len(lines) - 1, -1, -1):
        later_row[i] = later_row[i + 1] or (lines[i].startswith("\t") and is_row_number(lines[i][1:]))
    rows: list[list[_Cell]] = []
    current: list[_Cell] = []
    cell: _Cell | None = None
    blank = False
    for i in range(start, len(lines)):
        line = lines[i]
        if line.startswith("\t"):
            if len(current) == width:
                rows.append(current)
                current = []
            cell = _Cell(i + 1, [line[1:]])
            current.append(cell)
            blank = False
        elif not line.strip():
            blank = True
        elif cell is not None:
            if blank and len(current) == width and not later_row[i]:
                break  # prose after the table
            cell.lines.append(line)
            blank = False
    if current:
        rows.append(current)
    # A trailing block that is not a row (a signature, "Nơi nhận") ends the table.
    while rows and len(rows[-1]) < width and not is_row_number(rows[-1][0].text):
        rows.pop()
    return columns, [Row(f"dòng {r[0].line}", tuple(c.text for c in r)) for r in rows]


def parse_text(text: str) -> Plan:
    """A plan from the plain-text export (see the module docstring)."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    columns, rows = text_rows(text)
    info = document_info(text)
    return Plan(info, parse_rows(rows, columns, reference=info.issued_on))


# -- the document ----------------------------------------------------------------------------------

_KINDS = r"Kế hoạch|Quyết định|Chỉ thị|Thông báo|Công văn|Nghị quyết|Chương trình|Văn bản"
_ATTACHED = re.compile(
    rf"Kèm theo\s+(?P<kind>{_KINDS})\s+số\s+(?P<number>[0-9]+/[0-9A-Za-zĐđ\-]+)\s+"
    r"ngày\s+(?P<d>\d{1,2})\s*[/.\-]\s*(?P<m>\d{1,2})\s*[/.\-]\s*(?P<y>\d{4})"
    r"(?:\s+của\s+(?P<issuer>[^)\n]+))?",
    re.IGNORECASE,
)
_NUMBER_LINE = re.compile(r"^\s*Số\s*:\s*(?P<number>[0-9]+/[0-9A-Za-zĐđ\-]+)", re.MULTILINE)
_DATE_LINE = re.compile(r"ngày\s+(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})\s+năm\s+(?P<y>\d{4})", re.IGNORECASE)
_TITLE = re.compile(rf"^\s*(?P<kind>{_KINDS})\s*$", re.IGNORECASE | re.MULTILINE)


def _safe_date(year: str, month: str, day: str) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def _sentence_case(title: str, keep: Iterable[str]) -> str:
    """ "TRIỂN KHAI … TỈNH HẢI DƯƠNG" → "Triển khai … tỉnh Hải Dương" (names in ``keep`` restored)."""
    if not title.isupper():
        return title
    lowered = title.lower()
    text = lowered[:1].upper() + lowered[1:]
    for name in keep:
        if name:
            text = re.sub(re.escape(name.lower()), name, text)
    return text


def document_info(text: str) -> DocumentInfo:
    """The number, date, issuer and title of the plan, from the lines around the table."""
    text = unicodedata.normalize("NFC", text)
    kind = number = issuer = title = ""
    issued_on: date | None = None
    attached = _ATTACHED.search(text)
    if attached:
        kind = attached.group("kind").capitalize()
        number = attached.group("number")
        issued_on = _safe_date(attached.group("y"), attached.group("m"), attached.group("d"))
        issuer = (attached.group("issuer") or "").strip().rstrip(".")
    else:
        numbered = _NUMBER_LINE.search(text)
        if numbered:
            number = numbered.group("number")
            dated = _DATE_LINE.search(text, numbered.end())
            if dated:
                issued_on = _safe_date(dated.group("y"), dated.group("m"), dated.group("d"))
    places = re.findall(r"(?:tỉnh|thành phố)\s+((?:[A-ZĐ][^\s,.;()]*\s?){1,4})", issuer)
    # The title: the line under a heading "KẾ HOẠCH" (the last such heading: a decision that
    # issues a plan has its own title first).
    headings = list(_TITLE.finditer(text))
    if headings:
        heading = headings[-1]
        kind = kind or heading.group("kind").strip().capitalize()
        following = text[heading.end() :].lstrip("\n").split("\n", 1)[0].strip()
        if following and not following.startswith("("):
            title = _sentence_case(following, [p.strip() for p in places] + ["Việt Nam"])
    return DocumentInfo(kind=kind, number=number, issued_on=issued_on, issuer=issuer, title=title)


# -- deadlines -------------------------------------------------------------------------------------

_ROMAN_QUARTERS = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_DMY = re.compile(r"(?<![\d/])(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})(?!\d)")
_DMY_WORDS = re.compile(r"ngay (\d{1,2}) thang (\d{1,2}) nam (\d{4})")
_MONTH_YEAR = re.compile(r"(truoc |trong )?thang (\d{1,2})\s*(?:[/.\-]|nam)\s*(\d{4})")
_QUARTER = re.compile(r"(truoc |trong )?quy (iv|iii|ii|i|[1-4])\s*(?:[/.\-]|nam)?\s*(\d{4})")
_HALF = re.compile(r"(6 thang|sau thang) (dau|cuoi) nam\s*(\d{4})|nua (dau|cuoi) nam\s*(\d{4})")
_YEAR = re.compile(r"(?:^|\b(?:nam|trong nam|truoc het nam)\s)(\d{4})$")
_DM = re.compile(r"(?<![\d/])(\d{1,2})\s*[/.\-]\s*(\d{1,2})(?![\d/])")
_ONGOING = re.compile(r"^(thuong xuyen|lien tuc|hang ngay)\b")
_DEPENDENT = re.compile(r"^(theo|sau khi|ngay sau khi|can cu|tuy theo|khi co|khi)\b")
_EVERY_YEAR = r"(?:hang|moi) nam"
_EVERY_MONTH = r"(?:hang|moi) thang"


def _month_end(year: int, month: int) -> date:
    first_next = date(year + (month == 12), month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def _recurrence(p: str) -> str | None:
    """An RRULE for a recurring part ("30/9 hằng năm", "ngày 15 hằng tháng", "hằng quý")."""
    if re.search(_EVERY_YEAR, p):
        pairs = [(int(d), int(m)) for d, m in _DM.findall(p) if 1 <= int(m) <= 12 and 1 <= int(d) <= 31]
        if pairs:
            days = {d for d, _ in pairs}
            if len(days) != 1:
                return None  # "15/6 và 20/12 hằng năm": not one rule
            months = ",".join(str(m) for m in sorted({m for _, m in pairs}))
            return f"FREQ=YEARLY;BYMONTH={months};BYMONTHDAY={days.pop()}"
        words = re.search(r"ngay (\d{1,2}) thang (\d{1,2})", p)
        if words and 1 <= int(words.group(2)) <= 12:
            return f"FREQ=YEARLY;BYMONTH={int(words.group(2))};BYMONTHDAY={int(words.group(1))}"
        month = re.search(r"thang (\d{1,2})\b", p)
        if month and 1 <= int(month.group(1)) <= 12:
            return f"FREQ=YEARLY;BYMONTH={int(month.group(1))};BYMONTHDAY=-1"
        if re.search(r"\b(6 thang|sau thang)\b", p):
            return "FREQ=YEARLY;BYMONTH=6,12;BYMONTHDAY=-1"
        if re.search(r"\bquy\b", p):
            return "FREQ=YEARLY;BYMONTH=3,6,9,12;BYMONTHDAY=-1"
        return "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=31"
    if re.search(r"(hang|moi|dinh ky( hang)?) quy\b", p):
        return "FREQ=YEARLY;BYMONTH=3,6,9,12;BYMONTHDAY=-1"
    if re.search(r"dinh ky (6 thang|sau thang)|(6|sau) thang (mot|1) lan", p):
        return "FREQ=YEARLY;BYMONTH=6,12;BYMONTHDAY=-1"
    if re.search(_EVERY_MONTH, p):
        day = re.search(r"ngay (\d{1,2})\b", p)
        if day and 1 <= int(day.group(1)) <= 31:
            return f"FREQ=MONTHLY;BYMONTHDAY={int(day.group(1))}"
        return "FREQ=MONTHLY;BYMONTHDAY=-1"
    return None


def _dates(p: str, reference: date | None) -> list[date]:
    """Every date a (plain, lower-case) part names, in the order of the text."""
    found: list[tuple[int, date]] = []
    taken: list[tuple[int, int]] = []

    def add(span: tuple[int, int], value: date | None) -> None:
        if value is not None and not any(a < span[1] and span[0] < b for a, b in taken):
            found.append((span[0], value))
            taken.append(span)

    for m in _DMY_WORDS.finditer(p):
        add(m.span(), _safe_date(m.group(3), m.group(2), m.group(1)))
    for m in _DMY.finditer(p):
        add(m.span(), _safe_date(m.group(3), m.group(2), m.group(1)))
    for m in _MONTH_YEAR.finditer(p):
        month, year = int(m.group(2)), int(m.group(3))
        if 1 <= month <= 12:
            end = _month_end(year, month)
            # "trước tháng 6/2023": before June, i.e. by the end of May.
            add(m.span(), end if m.group(1) != "truoc " else date(year, month, 1) - timedelta(days=1))
    for m in _QUARTER.finditer(p):
        quarter, year = _ROMAN_QUARTERS[m.group(2)], int(m.group(3))
        end = _month_end(year, quarter * 3)
        add(m.span(), end if m.group(1) != "truoc " else date(year, quarter * 3 - 2, 1) - timedelta(days=1))
    for m in _HALF.finditer(p):
        which = m.group(2) or m.group(4)
        year = int(m.group(3) or m.group(5))
        add(m.span(), date(year, 6, 30) if which == "dau" else date(year, 12, 31))
    year_only = _YEAR.search(p)
    if year_only and not found:
        add(year_only.span(), date(int(year_only.group(1)), 12, 31))
    if not found and reference is not None:
        # "Trước ngày 31/12" with no year: the first such day on or after the document's date.
        for m in _DM.finditer(p):
            day, month = int(m.group(1)), int(m.group(2))
            for year in (reference.year, reference.year + 1):
                candidate = _safe_date(str(year), str(month), str(day))
                if candidate is not None and candidate >= reference:
                    add(m.span(), candidate)
                    break
    return [value for _, value in sorted(found, key=lambda item: item[0])]


def _parse_part(part: str, reference: date | None) -> Deadline:
    p = plain(part).strip(" .;:")
    latest = re.search(r"\bcham nhat\b(?: (?:la|vao))?(.*)$", p)
    if latest and latest.group(1).strip(" ,."):
        # "Tháng 12/2022, chậm nhất tháng 03/2023": the latest admissible date counts.
        p = latest.group(1).strip(" ,.")
    if _ONGOING.match(p):
        return Deadline(part, kind=DeadlineKind.ONGOING)
    if _DEPENDENT.match(p):
        return Deadline(part, kind=DeadlineKind.DEPENDENT)
    rule = _recurrence(p)
    if rule is not None:
        return Deadline(part, recurrence=rule, kind=DeadlineKind.RECURRING)
    if re.search(_EVERY_YEAR + "|" + _EVERY_MONTH, p):
        return Deadline(part, kind=DeadlineKind.UNPARSED)
    dates = _dates(p, reference)
    if dates:
        return Deadline(part, date=dates[-1], kind=DeadlineKind.DATE)
    return Deadline(part, kind=DeadlineKind.UNPARSED)


def parse_deadline(text: str, *, reference: date | None = None) -> Deadline:
    """Read a "Thời hạn hoàn thành" cell.

    - a month alone means its last day ("Tháng 6/2023" → 30/06/2023), a quarter its last day;
    - "Trước ngày D" means D; "X, chậm nhất Y" means Y;
    - a recurring deadline ("30/9 hằng năm") gives no date and an RRULE;
    - "Thường xuyên", "Theo tiến độ …", "Sau khi …" give neither;
    - a cell with several lines: a recurrence on any line wins, else the latest date named.

    ``reference`` (the document's date) completes a day and month given without a year.
    """
    cleaned = _clean(unicodedata.normalize("NFC", text))
    if not cleaned:
        return Deadline("", kind=DeadlineKind.NONE)
    parts = [re.sub(r"^[-–—+•*]\s*", "", line).strip() for line in cleaned.splitlines()]
    results = [_parse_part(p, reference) for p in parts if p]
    recurring = [r for r in results if r.recurrence]
    if recurring:
        rule = recurring[0].recurrence
        assert rule is not None
        recurrence.parse(rule)  # always one we can expand
        return Deadline(cleaned, recurrence=rule, kind=DeadlineKind.RECURRING)
    dated = [r.date for r in results if r.date is not None]
    if dated:
        return Deadline(cleaned, date=max(dated), kind=DeadlineKind.DATE)
    for kind in (DeadlineKind.ONGOING, DeadlineKind.DEPENDENT):
        if any(r.kind == kind for r in results):
            return Deadline(cleaned, kind=kind)
    return Deadline(cleaned, kind=DeadlineKind.UNPARSED)
