"""Electronic results with legal value (Kế hoạch 3327 tasks 10–11; NĐ 45/2020 Điều 14).

``issue_result`` is how a dossier gets its result: the PDF — drawn up from the procedure's template
(``documents/results/<procedure code>.html``, else the general one) or uploaded by the officer — is
signed by the officer and by the unit (PAdES, timestamped), stored under its hash, given a result code
and a permanent address (``/xac-thuc/<code>/``), and the dossier moves to "result ready" with that code
and address (766 indicator 4.1; ``MaKetQua`` / ``DuongDanTepTinKetQua`` of the national sync record) —
all in one transaction. Signing happens before the transaction, so the dossier row is not held while the
timestamp authority answers; a failure afterwards removes the signed file again: nothing half-issued."""

from __future__ import annotations

import io
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.template.loader import select_template
from django.utils import timezone, translation
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader

from motcua.core import audit, files
from motcua.core.errors import DomainError
from motcua.core.models import User
from motcua.documents import context as build
from motcua.documents import pdf, revocation, signing, storage, warehouse
from motcua.documents.models import Document, Revocation
from motcua.dossiers import services
from motcua.dossiers.lookup import DossierDetail, detail_of, dossier_detail
from motcua.dossiers.models import Dossier
from motcua.dossiers.refdata import PEOPLE_RELATED, attach_reference
from motcua.dossiers.rules import STALE_MESSAGE, Action, DossierConflict, StaleDossier


class NotCertified(DomainError):
    status = 409
    code = "no_certified_copy"


# Crockford's base32 without I, L, O, U: read aloud and typed from paper without confusion.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_GROUPS = 4


def new_code() -> str:
    """A result code: "KQ-" and 16 random characters in four groups (80 bits: not guessable, since the
    code alone opens the result's page)."""
    chars = "".join(secrets.choice(ALPHABET) for _ in range(4 * CODE_GROUPS))
    return "KQ-" + "-".join(chars[i : i + 4] for i in range(0, len(chars), 4))


def normalise_code(text: str) -> str:
    """A code as typed: spaces and case ignored; O→0, I/L→1 (Crockford)."""
    raw = "".join(text.upper().split()).replace("-", "")
    if raw.startswith("KQ"):
        raw = raw[2:]
    raw = raw.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))
    if len(raw) != 4 * CODE_GROUPS or any(c not in ALPHABET for c in raw):
        return ""
    return "KQ-" + "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def public_url(code: str) -> str:
    return f"{settings.MOTCUA_PUBLIC_URL}/xac-thuc/{code}/"


@dataclass(frozen=True)
class PdfFacts:
    pages: int


def check_pdf(data: bytes) -> PdfFacts:
    """A PDF that can be signed: not empty, not too large, really a PDF (by content), not encrypted,
    readable, with at least one page — else ``signing.NotSignable`` with the reason."""
    problem = files.pdf_problem(len(data), data[:1024])
    if problem:
        raise signing.NotSignable(problem)
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        if reader.encrypted:
            raise signing.NotSignable("Tệp PDF có mật khẩu: gỡ mật khẩu rồi tải lên lại.")
        pages = int(reader.root["/Pages"]["/Count"])
    except (PdfError, ValueError, TypeError, KeyError, IndexError, AttributeError):
        raise signing.NotSignable("Tệp PDF bị hỏng, không đọc được.") from None
    if pages < 1:
        raise signing.NotSignable("Tệp PDF không có trang nào.")
    return PdfFacts(pages)


def render(detail: DossierDetail, code: str, user: User, at: datetime | None = None) -> bytes:
    """The result drawn up from the procedure's template (A4), in Vietnamese, dated ``at`` (now)."""
    dossier = detail.dossier
    template = select_template(
        [f"documents/results/{dossier.procedure.code}.html", "documents/results/general.html"]
    )
    with translation.override("vi"):
        ctx = build.base_context(detail, at or timezone.now(), code)
        ctx.update(
            {
                "result_code": code,
                "result_types": [str(t) for t in (dossier.procedure_version.result_types or [])],
                "signer": (user.full_name or user.get_username()),
                "signer_title": user.job_title,
                "verify_url": public_url(code),
                "verify_qr": build.qr_data_uri(public_url(code)),
            }
        )
        data, _pages = pdf.render(template.template.name, ctx, archival=True)
    return data


def _signing_unit(user: User, detail: DossierDetail) -> tuple[str, str]:
    unit = user.primary_unit or detail.dossier.receiving_unit
    return unit.code, unit.name


def _signed_and_kept(
    detail: DossierDetail,
    signer: User,
    content: bytes,
    code: str,
    then: Callable[[Document], None],
    summary: str,
    uploaded: bool = False,
) -> Document:
    """Sign ``content`` as ``signer`` and the signer's unit, store it, and in one transaction keep it as
    the dossier's result ``code`` and run ``then`` with it (the dossier's side); the file is removed
    again when that transaction fails."""
    dossier = detail.dossier
    unit_code, unit_name = _signing_unit(signer, detail)
    name = signer.full_name or signer.get_username()
    with signing.parties((signer.get_username(), name, unit_name), (unit_code, unit_name)) as parties:
        signed = signing.sign(
            content, parties, reason=f"Kết quả giải quyết hồ sơ {dossier.code}", location=build.place_name()
        )
        signed_by = [
            {"name": p.name, "role": p.role, "serial": format(p.certificate.serial_number, "x")}
            for p in parties
        ]
    pages = check_pdf(signed).pages
    stored = storage.put(signed)
    try:
        with transaction.atomic():
            document = Document.objects.create(
                dossier=dossier,
                kind=Document.Kind.RESULT,
                title=f"Kết quả giải quyết — {dossier.code}",
                sha256=stored.sha256,
                size=stored.size,
                pages=pages,
                storage_name=stored.name,
                created_at=timezone.now(),
                created_by=signer,
                created_by_label=name,
                public_code=code,
                signed_by=signed_by,
            )
            then(document)
            warehouse.keep_issued(document, doc_type=warehouse.result_type(dossier), issuer=unit_name)
            audit.record(
                "result_signed",
                object_type="documents.Document",
                object_id=document.pk,
                summary=summary,
                data={"dossier": dossier.code, "code": code, "sha256": stored.sha256, "uploaded": uploaded},
            )
    except BaseException:
        if not Document.objects.filter(sha256=stored.sha256).exists():
            storage.remove(stored.name)
        raise
    return document


def _refuse_first(user: User, detail: DossierDetail, action: Action, expected_version: int) -> None:
    """The dossier's refusals of ``action`` (stale 409, role or step 403, the rule that blocks it now),
    raised before anything is signed, as the dossier's service would give them."""
    dossier = detail.dossier
    if dossier.lock_version != expected_version:
        raise StaleDossier(STALE_MESSAGE, details={"expected_version": dossier.lock_version})
    refused = services.refusal(user, dossier, action)
    if refused is None and action not in detail.actions:
        refused = detail.blocked.get(action)
    if refused is not None:
        raise refused


def issue_result(
    user: User,
    code: str,
    *,
    expected_version: int,
    note: str = "",
    upload: bytes | None = None,
    certified_copy: bool = False,
) -> Document:
    """Sign and issue the result of dossier ``code`` and mark it ready (see the module's text).
    ``DossierNotFound`` outside the user's scope; the dossier's refusals (403/409) as ``mark_result_ready``
    gives them, checked before anything is signed; ``signing.NotSignable`` for a bad upload;
    ``signing.SigningUnavailable`` without a usable key. With ``certified_copy`` the result is the
    electronic certified copy already signed for the dossier (``documents.certified``): nothing new is
    signed, the dossier carries that copy's code and address."""
    detail = dossier_detail(user, code)
    dossier = detail.dossier
    _refuse_first(user, detail, Action.MARK_RESULT_READY, expected_version)
    if certified_copy:
        return _certified_copy_as_result(user, detail, expected_version, note)
    result_code = new_code()
    if upload is not None:
        check_pdf(upload)
    content = upload if upload is not None else render(detail, result_code, user)

    def mark(_document: Document) -> None:
        services.mark_result_ready(
            dossier.code,
            by=user,
            expected_version=expected_version,
            note=note,
            result=services.ResultRef(result_code, public_url(result_code)),
        )

    summary = f"Ký số và phát hành kết quả {result_code} của hồ sơ {dossier.code}"
    return _signed_and_kept(detail, user, content, result_code, mark, summary, uploaded=upload is not None)


def _certified_copy_as_result(
    user: User, detail: DossierDetail, expected_version: int, note: str
) -> Document:
    dossier = detail.dossier
    copy = (
        Document.objects.filter(dossier=dossier, kind=Document.Kind.CERTIFIED_COPY, revocation__isnull=True)
        .order_by("-created_at", "-id")
        .first()
    )
    if copy is None:
        raise NotCertified("Hồ sơ chưa có bản sao điện tử nào đã chứng thực.", code="no_certified_copy")
    with transaction.atomic():
        services.mark_result_ready(
            dossier.code,
            by=user,
            expected_version=expected_version,
            note=note,
            result=services.ResultRef(copy.public_code, public_url(copy.public_code)),
        )
        audit.record(
            "result_certified_copy",
            object_type="documents.Document",
            object_id=copy.pk,
            summary=f"Trả bản sao điện tử đã chứng thực {copy.public_code} làm kết quả hồ sơ {dossier.code}",
            data={"dossier": dossier.code, "code": copy.public_code},
        )
    return copy


def replace_result(
    user: User,
    code: str,
    replaced: str,
    *,
    expected_version: int,
    reason: str,
    upload: bytes | None = None,
) -> Document:
    """The dossier's result ``replaced`` was wrong: a corrected result — drawn up again from the
    procedure's template, or the PDF uploaded — is signed and becomes the dossier's result (its code and
    address on the dossier, a history event, the national sync record), and the old one is revoked,
    "replaced by" the new one, all in one transaction (NĐ 61/2018: the agency corrects a wrong result at
    its own cost). Refusals as ``services.replace_result`` gives them, before anything is signed."""
    detail = dossier_detail(user, code)
    dossier = detail.dossier
    _refuse_first(user, detail, Action.REPLACE_RESULT, expected_version)
    old = Document.objects.filter(
        dossier=dossier, public_code=replaced, kind=Document.Kind.RESULT, revocation__isnull=True
    ).first()
    if old is None or dossier.result_code != replaced:
        raise DossierConflict(
            f"Kết quả {replaced[:40]} không phải kết quả điện tử hiện hành của hồ sơ.",
            code="result_not_current",
        )
    why = revocation.reason_of(reason)
    if upload is not None:
        check_pdf(upload)
    result_code = new_code()
    content = upload if upload is not None else render(detail, result_code, user)

    def swap(document: Document) -> None:
        services.replace_result(
            dossier.code,
            by=user,
            expected_version=expected_version,
            result=services.ResultRef(result_code, public_url(result_code)),
            replaced=replaced,
            reason=why,
        )
        Revocation.objects.create(document=old, at=timezone.now(), by=user, reason=why, replaced_by=document)

    summary = f"Thu hồi kết quả {replaced}, ký số và cấp lại kết quả {result_code} của hồ sơ {dossier.code}"
    return _signed_and_kept(detail, user, content, result_code, swap, summary, uploaded=upload is not None)


def attach_result(dossier: Dossier, signer: User) -> Document | None:
    """The electronic result of a dossier that finished before motcua issued its results (an imported
    history carrying a result code and no file): drawn up as of its finishing date, signed now by
    ``signer`` and the signer's unit, kept under the code it already has, and its address set on the
    dossier. ``None`` when the dossier has a file already, no code, or a code of another shape."""
    code = normalise_code(dossier.result_code)
    if not code or code != dossier.result_code or dossier.result_file_url:
        return None
    if Document.objects.filter(public_code=code).exists():
        return None
    dossier = Dossier.objects.select_related(*PEOPLE_RELATED).get(pk=dossier.pk)
    attach_reference(dossier)
    detail = detail_of(dossier, {})

    def link(_document: Document) -> None:
        Dossier.objects.filter(pk=dossier.pk, result_file_url="").update(result_file_url=public_url(code))

    summary = f"Ký số kết quả {code} của hồ sơ {dossier.code} (đã giải quyết trước đây)"
    return _signed_and_kept(
        detail, signer, render(detail, code, signer, at=dossier.finished_at), code, link, summary
    )


def by_code(code: str) -> Document | None:
    normal = normalise_code(code)
    if not normal:
        return None
    return (
        Document.objects.select_related(
            "dossier", "revocation", "revocation__replaced_by", "certification", "certification__unit"
        )
        .filter(public_code=normal)
        .first()
    )
