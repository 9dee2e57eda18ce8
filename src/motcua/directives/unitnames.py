"""Agency names as plans write them: splitting a cell into names, collective names, comparison keys.

Pure Python. A plan's "Cơ quan chủ trì" cell holds several agencies separated by line breaks, leading
"- ", ";" and ",", but some names contain commas themselves: the collective "các sở, ban, ngành",
"các cơ quan, đơn vị, địa phương có liên quan", "UBND các xã, phường, thị trấn", and agency names such
as "Sở Văn hóa, Thể thao và Du lịch". Those phrases are protected before splitting.

``name_key`` turns a name into a comparison key: no diacritics, the usual abbreviations spelled out
("UBND" → "uy ban nhan dan", "Sở TT&TT" → "so thong tin truyen thong", "VP" → "van phong"), the word
"và" dropped, and a trailing locality removed ("… tỉnh", "… thành phố Hải Phòng"), so that
"Văn phòng UBND tỉnh" and "Văn phòng Ủy ban nhân dân thành phố Hải Phòng" compare equal.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum


class Collective(StrEnum):
    """A group of agencies named as one (đối tượng chung), not a single unit."""

    DEPARTMENTS = "departments"  # các sở, ban, ngành
    DISTRICTS = "districts"  # UBND cấp huyện (abolished 01/07/2025: its work went to the communes)
    COMMUNES = "communes"  # UBND cấp xã (xã, phường, đặc khu)
    ALL = "all"  # các cơ quan hành chính nhà nước
    RELATED = "related"  # các cơ quan, đơn vị liên quan (not named)
    EXTERNAL = "external"  # an organisation outside the unit list (a newspaper, a broadcaster…)


COLLECTIVE_LABELS: dict[Collective, str] = {
    Collective.DEPARTMENTS: "Các sở, ban, ngành",
    Collective.DISTRICTS: "UBND cấp huyện (trước 01/7/2025; nay các xã, phường, đặc khu)",
    Collective.COMMUNES: "UBND cấp xã (xã, phường, đặc khu)",
    Collective.ALL: "Các cơ quan hành chính nhà nước",
    Collective.RELATED: "Các cơ quan, đơn vị liên quan (không nêu tên)",
    Collective.EXTERNAL: "Cơ quan, tổ chức ngoài danh mục đơn vị",
}


def plain(text: str) -> str:
    """Lower case without diacritics (đ → d), punctuation kept, single spaces."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", stripped.lower()).strip()


# -- splitting a cell ------------------------------------------------------------------------------

# Phrases whose commas are not separators (matched on the text as written, case-insensitively).
_PROTECTED = [
    r"(?:các\s+)?sở\s*,\s*ban\s*,\s*ngành",
    r"(?:các\s+)?sở\s*,\s*ngành",
    r"(?:các\s+)?ban\s*,\s*ngành",
    r"(?:các\s+)?cơ\s+quan\s*,\s*đơn\s+vị(?:\s*,\s*địa\s+phương)?",
    r"(?:các\s+)?cơ\s+quan\s*,\s*tổ\s+chức(?:\s*,\s*cá\s+nhân)?",
    r"đơn\s+vị\s*,\s*địa\s+phương",
    r"tổ\s+chức\s*,\s*cá\s+nhân",
    r"xã\s*,\s*phường\s*,\s*(?:thị\s+trấn|đặc\s+khu)",
    r"phường\s*,\s*xã",
    r"huyện\s*,\s*thị\s+xã\s*,\s*thành\s+phố",
    r"văn\s+h(?:óa|oá|oa)\s*,\s*thể\s+thao\s+và\s+du\s+lịch",
]
_PROTECTED_RE = re.compile("|".join(f"(?:{p})" for p in _PROTECTED), re.IGNORECASE)
_COMMA = "\x00"
_BULLET = re.compile(r"^\s*(?:[-–—+•*]|\d+[.)])\s+")


def split_units(cell: str) -> list[str]:
    """The agency names of a cell, as written, in order; empty when the cell is empty."""
    names: list[str] = []
    for raw_line in unicodedata.normalize("NFC", cell).splitlines():
        line = _BULLET.sub("", raw_line).strip()
        if not line:
            continue
        line = _PROTECTED_RE.sub(lambda m: m.group(0).replace(",", _COMMA), line)
        for piece in re.split(r"[;,]", line):
            name = piece.replace(_COMMA, ",").strip().rstrip(".").strip()
            name = _BULLET.sub("", name).strip()
            if name:
                names.append(name)
    return names


# -- collective names ------------------------------------------------------------------------------

_COLLECTIVE_PATTERNS: list[tuple[Collective, re.Pattern[str]]] = [
    (Collective.ALL, re.compile(r"^(cac|moi|tat ca cac) co quan hanh chinh( nha nuoc)?\b")),
    (
        Collective.DEPARTMENTS,
        re.compile(r"^(cac |tat ca cac )?(so\s*,\s*ban\s*,\s*nganh|so\s*,\s*nganh|so ban nganh)\b"),
    ),
    (
        Collective.DEPARTMENTS,
        re.compile(r"^(cac )?co quan chuyen mon (thuoc|cua) (ubnd|uy ban nhan dan) (tinh|thanh pho)"),
    ),
    (Collective.DISTRICTS, re.compile(r"^(ubnd|uy ban nhan dan) (cap huyen|cac huyen)\b")),
    (Collective.COMMUNES, re.compile(r"^(ubnd|uy ban nhan dan) (cap xa|cac xa)\b")),
    (Collective.RELATED, re.compile(r"^((cac|nhung) )?(co quan|don vi|dia phuong|to chuc)\b.*\blien quan\b")),
    (Collective.RELATED, re.compile(r"^(cac|nhung) (co quan|don vi)( ,| co)?( don vi)?( ,)?( dia phuong)?$")),
]


def collective_of(name: str) -> Collective | None:
    text = plain(name).rstrip(".").strip()
    for collective, pattern in _COLLECTIVE_PATTERNS:
        if pattern.search(text):
            return collective
    return None


_COMPOUND = re.compile(r"^(?P<main>.+?)\s+(?:và|cùng|với)\s+(?P<tail>các\s+.+)$", re.IGNORECASE)


def split_compound(name: str) -> tuple[str, Collective] | None:
    """ "Văn phòng UBND tỉnh và các cơ quan liên quan" → ("Văn phòng UBND tỉnh", RELATED)."""
    found = _COMPOUND.match(name.strip())
    if not found:
        return None
    tail = collective_of(found.group("tail"))
    if tail is None:
        return None
    return found.group("main").strip().rstrip(","), tail


# -- comparison keys -------------------------------------------------------------------------------

# Applied in order on the plain (lower-case, no diacritics) text, punctuation still present.
_ABBREVIATIONS: list[tuple[str, str]] = [
    (r"\btt\s*pvhcc\b|\bttpvhcc\b|\bpvhcc\b", "trung tam phuc vu hanh chinh cong"),
    (r"\bvh\s*,?\s*tt\s*(?:&|va)\s*dl\b|\bvhttdl\b|\bvh-tt-dl\b", "van hoa the thao va du lich"),
    (r"\btt\s*(?:&|va|-)\s*tt\b|\btttt\b", "thong tin va truyen thong"),
    (r"\bkh\s*(?:&|va|-)\s*dt\b|\bkhdt\b", "ke hoach va dau tu"),
    (r"\bkh\s*(?:&|va|-)\s*cn\b|\bkhcn\b", "khoa hoc va cong nghe"),
    (r"\bld\s*-?\s*tb\s*(?:&|va)\s*xh\b|\bldtbxh\b", "lao dong thuong binh va xa hoi"),
    (r"\btn\s*(?:&|va)\s*mt\b|\btnmt\b", "tai nguyen va moi truong"),
    (r"\bnn\s*(?:&|va)\s*mt\b|\bnnmt\b", "nong nghiep va moi truong"),
    (r"\bnn\s*(?:&|va)\s*ptnt\b|\bnnptnt\b", "nong nghiep va phat trien nong thon"),
    (r"\bgd\s*(?:&|va)\s*dt\b|\bgddt\b", "giao duc va dao tao"),
    (r"\bpt\s*(?:&|va|-)\s*th\b|\bptth\b", "phat thanh va truyen hinh"),
    (r"\bgtvt\b", "giao thong van tai"),
    (r"\bcntt\b", "cong nghe thong tin"),
    (r"\bubnd\b", "uy ban nhan dan"),
    (r"\bhdnd\b", "hoi dong nhan dan"),
    (r"\bbql\b", "ban quan ly"),
    (r"\bkcn\b", "khu cong nghiep"),
    (r"\bkkt\b", "khu kinh te"),
    (r"\bvp\b", "van phong"),
    (r"\btp\b", "thanh pho"),
    (r"\bcp\b", "chinh phu"),
]
_ABBREVIATIONS_RE = [(re.compile(p), r) for p, r in _ABBREVIATIONS]
# A trailing locality: "… tỉnh", "… tỉnh Hải Dương", "… thành phố Hải Phòng" (at most 4 more words).
_LOCALITY = re.compile(r"\s(?:cua\s)?(?:tinh|thanh pho)(?:\s[a-z]+){0,4}$")
_PARENTHESES = re.compile(r"\([^)]*\)")


def expand(name: str) -> str:
    """Plain text with the abbreviations spelled out."""
    text = plain(_PARENTHESES.sub(" ", name))
    for pattern, replacement in _ABBREVIATIONS_RE:
        text = pattern.sub(replacement, text)
    return text


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^0-9a-z]+", " ", text)).strip()


def name_key(name: str) -> str:
    """The comparison key of an agency name (see the module docstring)."""
    words = _words(expand(name))
    words = " ".join(w for w in words.split() if w != "va")
    stripped = _LOCALITY.sub("", words).strip()
    return stripped or words


def has_locality_only(name: str) -> bool:
    """ "UBND tỉnh", "UBND thành phố" with no place: the province's people's committee."""
    return bool(re.fullmatch(r"uy ban nhan dan (tinh|thanh pho)", _words(expand(name))))


def peoples_committee_of(name: str) -> str | None:
    """ "UBND thành phố Hải Dương" → "thành phố Hải Dương" (the place whose committee is named)."""
    found = re.match(
        r"^\s*(?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân)\s+"
        r"((?:tỉnh|thành phố|huyện|thị xã|quận|xã|phường|thị trấn|đặc khu)\s+\S.*)$",
        name,
        re.IGNORECASE,
    )
    return found.group(1).strip().rstrip(".") if found else None


def alias_key(name: str) -> str:
    """The key of an office's decision for a name (``UnitAlias``): the name without case, marks,
    punctuation or a trailing dot — not the looser ``name_key``, so one decision covers only
    spellings of the same words."""
    return _words(plain(name))
