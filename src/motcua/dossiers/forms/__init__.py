"""Forms of the dossier screens: inbox filters, counter intake, and one small form per action.

The forms check what a person can get wrong on the page (an empty reason, a CCCD of 11 digits, a scan
that is not a PDF) so that the error sits next to the field; the rules of the dossier's situation are
the services' business (``dossiers.services``), and their errors are shown as they come.

- ``labels``: the translatable words of the domain's codes (states, actions, channels…);
- ``fields``: scans checked by their content, dates typed dd/mm/yyyy;
- ``inbox``: the filters of an inbox; ``intake``: the counter's form; ``actions``: the action forms.
"""

from motcua.dossiers.forms.actions import (
    ACTION_FORMS,
    ActionForm,
    AnswerConsultationForm,
)
from motcua.dossiers.forms.fields import ScanField, clean_scan
from motcua.dossiers.forms.inbox import SORT_TEXT, InboxFilterForm
from motcua.dossiers.forms.intake import ORGANISATION_FIELDS, PERSON_FIELDS, IntakeForm
from motcua.dossiers.forms.labels import (
    ACTION_TEXT,
    CHANNEL_TEXT,
    DELIVERY_TEXT,
    FEE_KIND_TEXT,
    KIND_TEXT,
    NATIONAL_TEXT,
    ROLE_TEXT,
    STATE_TEXT,
)

__all__ = [
    "ACTION_FORMS",
    "ACTION_TEXT",
    "CHANNEL_TEXT",
    "DELIVERY_TEXT",
    "FEE_KIND_TEXT",
    "KIND_TEXT",
    "NATIONAL_TEXT",
    "ORGANISATION_FIELDS",
    "PERSON_FIELDS",
    "ROLE_TEXT",
    "SORT_TEXT",
    "STATE_TEXT",
    "ActionForm",
    "AnswerConsultationForm",
    "InboxFilterForm",
    "IntakeForm",
    "ScanField",
    "clean_scan",
]
