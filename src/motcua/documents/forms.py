"""The official forms of the one-stop process and what each one records.

A form records one moment of a dossier's history: the receipt records the receipt event, a supplement
request its event, and so on; the control sheet records the whole history up to a version of the
dossier. The set of forms (``rules.FORM_SET_RULE``) is the one in force on the day of that moment.

TT 01/2018/TT-VPCP Điều 9: Mẫu 01 Giấy tiếp nhận hồ sơ và hẹn trả kết quả, 02 Phiếu yêu cầu bổ sung,
hoàn thiện hồ sơ, 03 Phiếu từ chối tiếp nhận giải quyết hồ sơ, 04 Phiếu xin lỗi và hẹn lại ngày trả kết
quả, 05 Phiếu kiểm soát quá trình giải quyết hồ sơ — all A5. The TT 03/2025 names are those reported by
secondary sources (docs/rules.md): the set is registered so a province can switch by a rule version,
with the same layouts until the circular's annex is checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from motcua.core.rules import rule_value
from motcua.documents.rules import FORM_SET_RULE, TT01_2018, TT03_2025
from motcua.dossiers.models import DossierEvent
from motcua.dossiers.rules import Action
from motcua.workdays.domain.calendar import to_local


@dataclass(frozen=True)
class FormSpec:
    number: str  # as printed: "01"
    title: str  # as printed, upper case on the form
    short: str  # on buttons and lists
    template: str
    # the history event the form records; None: the whole history (the control sheet)
    actions: frozenset[Action] | None


RECEIPT = frozenset({Action.RECEIVE_AT_COUNTER, Action.ACCEPT_ONLINE})
SUPPLEMENT = frozenset({Action.REQUEST_SUPPLEMENT, Action.REQUEST_INTAKE_SUPPLEMENT})
REFUSAL = frozenset({Action.REFUSE_AT_INTAKE})
APOLOGY = frozenset({Action.RESET_DUE})

# form code (our key, stable across sets) → the form of each set
FORM_KEYS = ("01", "02", "03", "04", "05")

SETS: dict[str, dict[str, FormSpec]] = {
    TT01_2018: {
        "01": FormSpec(
            "01",
            "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
            "Giấy tiếp nhận (Mẫu 01)",
            "documents/forms/receipt.html",
            RECEIPT,
        ),
        "02": FormSpec(
            "02",
            "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
            "Phiếu yêu cầu bổ sung (Mẫu 02)",
            "documents/forms/supplement.html",
            SUPPLEMENT,
        ),
        "03": FormSpec(
            "03",
            "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
            "Phiếu từ chối (Mẫu 03)",
            "documents/forms/refusal.html",
            REFUSAL,
        ),
        "04": FormSpec(
            "04",
            "Phiếu xin lỗi và hẹn lại ngày trả kết quả",
            "Phiếu xin lỗi (Mẫu 04)",
            "documents/forms/apology.html",
            APOLOGY,
        ),
        "05": FormSpec(
            "05",
            "Phiếu kiểm soát quá trình giải quyết hồ sơ",
            "Phiếu kiểm soát (Mẫu 05)",
            "documents/forms/control.html",
            None,
        ),
    },
    TT03_2025: {
        "01": FormSpec(
            "01", "Giấy tiếp nhận", "Giấy tiếp nhận (Mẫu 01)", "documents/forms/receipt.html", RECEIPT
        ),
        "02": FormSpec(
            "02",
            "Phiếu yêu cầu bổ sung",
            "Phiếu yêu cầu bổ sung (Mẫu 02)",
            "documents/forms/supplement.html",
            SUPPLEMENT,
        ),
        "03": FormSpec(
            "03", "Phiếu từ chối", "Phiếu từ chối (Mẫu 03)", "documents/forms/refusal.html", REFUSAL
        ),
        "04": FormSpec(
            "04",
            "Văn bản xin lỗi và đề nghị gia hạn",
            "Văn bản xin lỗi (Mẫu 04)",
            "documents/forms/apology.html",
            APOLOGY,
        ),
        "05": FormSpec(
            "06", "Phiếu kiểm soát", "Phiếu kiểm soát (Mẫu 06)", "documents/forms/control.html", None
        ),
    },
}


def form_set_on(moment: datetime) -> str:
    return str(rule_value(FORM_SET_RULE, to_local(moment).date()))


def spec(form_set: str, key: str) -> FormSpec:
    return SETS[form_set][key]


def events_for(key: str, events: list[DossierEvent]) -> list[DossierEvent]:
    """The events of a history that a form records, oldest first (for the control sheet: none)."""
    actions = SETS[TT01_2018][key].actions
    if actions is None:
        return []
    return [e for e in events if e.action in actions]
