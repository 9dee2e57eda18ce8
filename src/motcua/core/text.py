"""Vietnamese text helpers with no Django import: diacritic folding for search.

"Đăng ký khai sinh" and "dang ky khai sinh" must find each other. Unicode decomposition strips the
tone and vowel marks, but "đ" is a letter of its own (U+0111), not "d" plus a mark, so it is folded
by hand. SQLite's FTS5 tokenizer does not do this either.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Lower-case ASCII form of ``text`` for search: no marks, đ→d, single spaces."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", _NON_WORD.sub(" ", stripped.lower())).strip()


def search_tokens(query: str) -> list[str]:
    """Folded words of a search query, longest first (the most selective filter runs first)."""
    return sorted(set(fold(query).split()), key=len, reverse=True)


_ID = re.compile(r"[0-9]{1,18}")


def id_or_none(text: str | None) -> int | None:
    """A database id written in a URL ("42"), or ``None`` for anything else: words, signs, digits
    outside ASCII ("²" passes ``str.isdigit`` but not ``int``), more digits than a 64-bit id has."""
    return int(text) if text and _ID.fullmatch(text) else None
