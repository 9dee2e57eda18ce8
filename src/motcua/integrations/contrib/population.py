"""Adapter of the national population database's look-up (Cơ sở dữ liệu quốc gia về dân cư).

**Assumed ❓** — the real service is reached through the government data-sharing platform (NDXP, or the
province's LGSP) under an agreement with the Ministry of Public Security, and its message shape is not
published. This adapter speaks one plain, documented JSON request and answer; a different real interface
changes this file and its simulator, nothing else (``MOTCUA_POPULATION_REGISTRY`` names the factory).

- ``POST {MOTCUA_POPULATION_URL}`` with the header ``X-Api-Key: {MOTCUA_POPULATION_KEY}`` and
  ``{"so_dinh_danh": "<12 digits>", "ma_yeu_cau": "<request id>"}``;
- 200 ``{"ma_loi": "0", "mo_ta", "du_lieu": {so_dinh_danh, ho_ten, ngay_sinh (YYYY-MM-DD), gioi_tinh
  (Nam/Nữ), noi_thuong_tru, noi_o_hien_tai, noi_sinh, que_quan, dan_toc, quoc_tich, ma_ban_ghi}}`` —
  the resident; ``ma_ban_ghi`` is the code of the record consulted (the national sync's ``MaCSDL``);
- 404 ``{"ma_loi": "KHONG_TIM_THAY"}`` — nobody has this number (any other 404: a wrong address);
- 400 — the registry refuses the question; 401/403 — it refuses our key; 5xx, 408, 429, no answer —
  it cannot answer now.

The number is checked (12 digits, a province code, a century digit: ``core.identity``) before anything is
sent, so a typing mistake never reaches the registry nor its logs.
"""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from django.conf import settings

from motcua.core.identity import parse_citizen_id
from motcua.integrations.http import JsonClient, Reply, Unreachable, status_outcome
from motcua.integrations.registry import QueryFailed, Resident

LABEL = "Cơ sở dữ liệu quốc gia về dân cư"
KEY_HEADER = "X-Api-Key"
NOT_FOUND = "KHONG_TIM_THAY"
GENDERS = {"Nam": "male", "Nữ": "female"}


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def _text(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    return value.strip() if isinstance(value, str) else ""


def resident(data: dict[str, Any]) -> Resident:
    """A resident from the registry's ``du_lieu``."""
    return Resident(
        citizen_id=_text(data, "so_dinh_danh"),
        full_name=_text(data, "ho_ten"),
        birth_date=_date(data.get("ngay_sinh")),
        gender=GENDERS.get(_text(data, "gioi_tinh"), ""),
        permanent_address=_text(data, "noi_thuong_tru"),
        current_address=_text(data, "noi_o_hien_tai"),
        birth_place=_text(data, "noi_sinh"),
        hometown=_text(data, "que_quan"),
        ethnicity=_text(data, "dan_toc"),
        nationality=_text(data, "quoc_tich"),
        record_code=_text(data, "ma_ban_ghi"),
    )


def _words(reply: Reply) -> str:
    """The registry's own words on a refusal, for an operator."""
    message = str(reply.body.get("mo_ta") or reply.body.get("message") or "").strip()
    code = str(reply.body.get("ma_loi") or "").strip()
    details = ([f"mã lỗi {code}"] if code else []) + [f"HTTP {reply.status}"]
    return f"{message or 'Không có nội dung trả lời'} ({', '.join(details)})"[:500]


class PopulationClient:
    """``registry.PopulationRegistry`` over HTTP JSON (one kept-alive connection per thread)."""

    label = LABEL

    def __init__(self, url: str, key: str, *, timeout: float = 5.0) -> None:
        self.client = JsonClient(url, timeout=timeout)
        self.key = key

    def lookup(self, citizen_id: str) -> Resident | None:
        number = parse_citizen_id(citizen_id).number  # IdentityError before any call
        body = {"so_dinh_danh": number, "ma_yeu_cau": secrets.token_hex(8)}
        try:
            reply = self.client.post("", body, {KEY_HEADER: self.key})
        except Unreachable as exc:
            raise QueryFailed(f"Không kết nối được {LABEL}: {exc}", unavailable=True) from None
        if reply.status == 404 and reply.body.get("ma_loi") == NOT_FOUND:
            return None
        if reply.status != 200:
            outcome = status_outcome(reply, LABEL)
            # A wrong address or a refused key is ours to fix, never the question's: unavailable.
            refused = outcome is not None and outcome.kind == "rejected" and reply.status not in (403, 404)
            raise QueryFailed(f"{LABEL} không trả lời được: {_words(reply)}", unavailable=not refused)
        data = reply.body.get("du_lieu")
        if not isinstance(data, dict) or data.get("so_dinh_danh") != number:
            raise QueryFailed(f"{LABEL} trả lời không đúng dạng: {_words(reply)}", unavailable=False)
        return resident(data)

    def close(self) -> None:
        self.client.close()


def from_settings() -> PopulationClient | None:
    """The adapter of ``MOTCUA_POPULATION_URL`` (``None`` when it is not set)."""
    if not settings.MOTCUA_POPULATION_URL:
        return None
    return PopulationClient(settings.MOTCUA_POPULATION_URL, settings.MOTCUA_POPULATION_KEY)
