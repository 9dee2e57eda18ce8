"""Withdrawing a signed document (thu hồi): a result issued wrongly or a certified copy made in error.

The document itself stays as it was signed (it may already be in a citizen's hands); a ``Revocation``
row says when, by whom and why, and from then on verification (``/xac-thuc/``) reports it revoked. Only
the head of the unit that answers for the dossier (its competent unit's agency leader) may revoke, with
the reason written down; a document is revoked once. A revoked certified copy frees its original to be
certified again (``documents.certified``)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core import audit
from motcua.core.errors import DomainError
from motcua.core.models import Role, User
from motcua.core.permissions import has_role
from motcua.documents.models import Document, Revocation
from motcua.dossiers.lookup import DossierDetail, dossier_detail
from motcua.dossiers.rules import DossierConflict, DossierForbidden, DossierNotFound

REVOKERS = (Role.AGENCY_LEADER,)
SIGNED_KINDS = (Document.Kind.RESULT, Document.Kind.CERTIFIED_COPY)
REASON_MIN, REASON_MAX = 10, 500


class BadReason(DomainError):
    status = 400
    code = "revocation_reason"


def may_revoke(user: User, detail: DossierDetail) -> bool:
    return has_role(user, REVOKERS, detail.dossier.competent_unit)


def revoke(user: User, code: str, public_code: str, *, reason: str) -> Revocation:
    """Revoke the signed document ``public_code`` of dossier ``code``. ``DossierNotFound`` outside the
    user's scope or for a document not of this dossier; ``DossierForbidden`` for someone who may not;
    ``DossierConflict`` when it is revoked already; ``BadReason`` for a missing or too short reason."""
    detail = dossier_detail(user, code)
    document = Document.objects.filter(
        dossier=detail.dossier, public_code=public_code, kind__in=SIGNED_KINDS
    ).first()
    if document is None:
        raise DossierNotFound(_("Hồ sơ không có văn bản mã %(code)s.") % {"code": public_code[:40]})
    if not may_revoke(user, detail):
        raise DossierForbidden(
            _("Chỉ lãnh đạo %(unit)s mới thu hồi được văn bản đã ký số của hồ sơ.")
            % {"unit": detail.dossier.competent_unit.name}
        )
    if Revocation.objects.filter(document=document).exists():
        raise _revoked_already(public_code)
    reason = reason_of(reason)
    try:
        with transaction.atomic():
            now = timezone.now()
            revocation = Revocation.objects.create(document=document, at=now, by=user, reason=reason)
            audit.record(
                "document_revoked",
                object_type="documents.Document",
                object_id=document.pk,
                summary=f"Thu hồi {document.get_kind_display().lower()} {public_code} (hồ sơ {code})",
                data={"dossier": code, "code": public_code, "reason": reason},
            )
    except IntegrityError:  # revoked already, perhaps a moment ago by someone else
        raise _revoked_already(public_code) from None
    return revocation


def reason_of(text: str) -> str:
    """The reason for a revocation as it is kept (spaces collapsed): 10–500 characters, else
    ``BadReason``. Also the reason a replaced result gives (``results.replace_result``)."""
    reason = " ".join(text.split())
    if len(reason) < REASON_MIN:
        raise BadReason(_("Ghi rõ lý do thu hồi (ít nhất %(n)s ký tự).") % {"n": REASON_MIN})
    if len(reason) > REASON_MAX:
        raise BadReason(_("Lý do thu hồi tối đa %(n)s ký tự.") % {"n": REASON_MAX})
    return reason


def _revoked_already(public_code: str) -> DossierConflict:
    return DossierConflict(
        _("Văn bản %(code)s đã bị thu hồi trước đó.") % {"code": public_code}, code="already_revoked"
    )
