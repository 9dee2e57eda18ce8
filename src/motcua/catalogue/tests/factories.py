"""Builders for catalogue test data: small valid documents that each test bends as it needs."""

from __future__ import annotations

import copy
import json
from datetime import date
from importlib import resources
from typing import Any

from motcua.core.models import OrgUnit


def demo_document() -> dict[str, Any]:
    text = resources.files("motcua.demo").joinpath("data", "procedures.json").read_text(encoding="utf-8")
    return json.loads(text)


def step(order: int, code: str, hours: float, role: str = "specialist", **extra: Any) -> dict[str, Any]:
    return {
        "order": order,
        "code": code,
        "name": f"Bước {code}",
        "role": role,
        "allotted_hours": hours,
        **extra,
    }


def three_day_workflow() -> list[dict[str, Any]]:
    """22.5 working hours: exactly 3 working days of 7.5 hours."""
    return [
        step(1, "tiep-nhan", 2, "intake_officer", unit_mode="one_stop"),
        step(2, "tham-dinh", 12),
        step(3, "trinh-ky", 6, "unit_leader"),
        step(4, "ky-ban-hanh", 2, "agency_leader"),
        step(5, "tra-ket-qua", 0.5, "intake_officer", unit_mode="one_stop"),
    ]


def version(number: int = 1, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "version": number,
        "status": "published",
        "effective_from": "2025-07-01",
        "name": "Thủ tục đăng ký khai sinh",
        "levels": ["commune"],
        "time_limit": {"value": 3, "unit": "working_days", "text": "03 ngày làm việc"},
        "online_level": "full",
        "components": [{"name": "Tờ khai đăng ký khai sinh"}, {"name": "Giấy chứng sinh", "kind": "copy"}],
        "fees": [{"name": "Lệ phí đăng ký khai sinh", "amount_vnd": 8000}],
        "workflow": three_day_workflow(),
        "verified": {"name": True, "fees": False},
        "sources": ["https://example.invalid/nguon"],
        "notes": {"as_of": "bản 2024"},
    }
    data.update(overrides)
    return data


def procedure(code: str = "1.001193", *versions: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": code,
        "name": "Thủ tục đăng ký khai sinh",
        "field": {"code": "HO-TICH", "name": "Hộ tịch"},
        "level": "commune",
        "versions": list(versions) if versions else [version()],
    }
    data.update(overrides)
    return data


def document(*procedures: dict[str, Any]) -> dict[str, Any]:
    return {
        "format": "motcua.catalogue",
        "version": 1,
        "procedures": [copy.deepcopy(p) for p in procedures] if procedures else [procedure()],
    }


def org_unit(
    code: str, *, eid_code: str | None = None, valid_to: date | None = None, **extra: Any
) -> OrgUnit:
    return OrgUnit.objects.create(
        code=code,
        name=extra.pop("name", f"Đơn vị {code}"),
        kind=extra.pop("kind", OrgUnit.Kind.DEPARTMENT),
        eid_code=eid_code,
        valid_to=valid_to,
        **extra,
    )


# The per-page fee of certified copies from originals (TT 226/2016/TT-BTC, as the demo procedure 2.000815
# records it): 2.000 đ a page, 1.000 đ from the third page, at most 200.000 đ a copy.
CERTIFIED_COPY_FEE: dict[str, Any] = {
    "name": "Phí chứng thực bản sao từ bản chính",
    "kind": "charge",
    "amount_vnd": 2000,
    "basis": "per_page",
    "reduced_from_page": 3,
    "reduced_vnd": 1000,
    "cap_vnd": 200000,
}
