"""The message of an accepted aggregated report to the national reporting system (Hệ thống thông tin
báo cáo Chính phủ / quốc gia; TT 01/2018 Điều 17 requires the connection), and what follows delivery.

❓ The national system's real interface is not held by motcua: the message below is an **assumed**
JSON shape (docs/reporting.md). The outbox row (topic ``baocao.NopBaoCao``, channel ``baocao``) is
written in the same transaction as the acceptance (``services.accept_aggregate``); the outbox's
delivery engine sends it (``integrations/contrib/baocao.py``: the protocol, ``REPORTING_ENDPOINT``), in
order per report — version 2 of a report never reaches the receiver before version 1 — and
``delivered`` keeps the receiver's receipt on the aggregated report.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from motcua.core import audit
from motcua.integrations.registry import Delivered
from motcua.reporting.models import AggregateReport, Indicator

TOPIC = "baocao.NopBaoCao"
MESSAGE_VERSION = "1.0"
PERIOD_KIND = {
    "month": "thang",
    "quarter": "quy",
    "half_year": "6thang",
    "nine_months": "9thang",
    "year": "nam",
    "ad_hoc": "dotxuat",
}


def message(report: AggregateReport) -> dict[str, Any]:
    """The assumed ``NopBaoCao`` message of an aggregated report (❓ shape, docs/reporting.md)."""
    period = report.period
    definition = period.definition
    unit = definition.receiving_unit
    forms: dict[int, dict[str, Any]] = {}
    indicators = (
        Indicator.objects.filter(definition=definition)
        .select_related("form")
        .order_by("form__position", "position")
    )
    for ind in indicators:
        form = forms.setdefault(ind.form_id, {"KyHieu": ind.form.code, "Ten": ind.form.name, "ChiTieu": []})
        form["ChiTieu"].append(
            {
                "Ma": ind.code,
                "Ten": ind.name,
                "DonViTinh": ind.unit_of_measure,
                "KieuDuLieu": ind.value_type,
                "CachTongHop": ind.aggregation,
                "GiaTri": report.values.get(ind.code),
            }
        )
    by = report.accepted_by
    return {
        "PhienBanThongDiep": MESSAGE_VERSION,
        "MaBaoCao": definition.code,
        "TenBaoCao": definition.name,
        "CanCuPhapLy": definition.legal_basis,
        "KyBaoCao": {
            "MaKy": period.key,
            "TenKy": period.label,
            "LoaiKy": PERIOD_KIND.get(definition.periodicity, definition.periodicity),
            "Nam": period.year,
            "So": period.number,
            "TuNgay": period.start.isoformat(),
            "DenNgay": period.end.isoformat(),
            "HanGui": period.deadline.isoformat(),
        },
        "DonViGui": {"MaDinhDanh": unit.eid_code or "", "MaNoiBo": unit.code, "Ten": unit.name},
        "PhienBan": report.number,
        "DonViTongHop": list(report.units),
        "SoDonViTongHop": len(report.units),
        "BieuMau": list(forms.values()),
        "ThoiDiemChot": report.accepted_at.isoformat(),
        "NguoiChot": (by.full_name or by.username) if by else "",
        "BamNoiDung": f"sha256:{report.content_hash}",
    }


def delivered(items: Sequence[Delivered]) -> None:
    """Keep the receipt of each aggregated report the national system acknowledged (registered with
    ``registry.on_delivered``; runs in the transaction that marks the messages delivered)."""
    for item in items:
        updated = AggregateReport.objects.filter(idempotency_key=item.idempotency_key).update(
            receipt_id=item.receipt[:80], delivered_at=item.at
        )
        if updated:
            audit.record(
                "reporting.delivered",
                object_type="reporting.aggregatereport",
                object_id=item.key,
                summary=f"Đã gửi {item.key} tới hệ thống báo cáo quốc gia (mã tiếp nhận {item.receipt})",
            )
