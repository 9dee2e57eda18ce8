"""Is this file genuine? One answer for the public page (/xac-thuc/), the command line
(``motcua documents verify``) and the tests.

A file is genuine when it was not revoked and either
- it carries signatures and every one is intact, made with a certificate that chains to a trusted root
  (``MOTCUA_TRUST_ROOTS``, the demo root outside production), timestamped, and the last one covers the
  whole file (nothing added after it); or
- it carries none and its SHA-256 is one this system issued (a form printed from a dossier).
``issued_by_us`` says whether the exact bytes are a document this system keeps."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel

from motcua.core import files, throttle
from motcua.core.errors import DomainError
from motcua.documents import signing
from motcua.documents.models import Document, Revocation

VN = ZoneInfo("Asia/Ho_Chi_Minh")


class NotVerifiable(DomainError):
    status = 400
    code = "not_verifiable"


class TooManyChecks(DomainError):
    status = 429
    code = "verify_throttled"


def public_verify(data: bytes, address: str | None) -> Report:
    """``verify`` for the public page: at most ``MOTCUA_VERIFY_MAX`` checks per address per
    ``MOTCUA_VERIFY_WINDOW_SECONDS`` (each costs a tenth of a second of a worker), then ``TooManyChecks``."""
    limits = [throttle.Limit(throttle.key("verify", address or "-"), settings.MOTCUA_VERIFY_MAX)]
    wait = throttle.attempt(limits, settings.MOTCUA_VERIFY_WINDOW_SECONDS)
    if wait:
        raise TooManyChecks(
            f"Bạn đã kiểm tra quá nhiều văn bản; vui lòng thử lại sau {throttle.minutes(wait)} phút.",
            details=throttle.retry_details(wait),
        )
    return verify(data)


@dataclass(frozen=True)
class SignatureCheck:
    signer: str
    organisation: str
    signed_at: dt.datetime | None  # the timestamp authority's time, else the signer's own claim
    timestamped: bool
    valid: bool  # intact and mathematically correct
    trusted: bool  # the certificate chains to a trusted root
    covers_whole_file: bool
    problem: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "signer": self.signer,
            "organisation": self.organisation,
            "signed_at": self.signed_at.isoformat() if self.signed_at else None,
            "timestamped": self.timestamped,
            "valid": self.valid,
            "trusted": self.trusted,
        }


@dataclass(frozen=True)
class Report:
    sha256: str
    genuine: bool
    issued_by_us: bool
    revoked: bool
    document: Document | None
    revocation: Revocation | None
    signatures: list[SignatureCheck] = field(default_factory=list)
    verdict: str = ""

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "genuine": self.genuine,
            "issued_by_us": self.issued_by_us,
            "revoked": self.revoked,
            "sha256": self.sha256,
            "verdict": self.verdict,
            "signatures": [s.as_json() for s in self.signatures],
        }
        if self.document is not None:
            out["document"] = {
                "title": self.document.title,
                "code": self.document.public_code,
                "issued_at": self.document.created_at.isoformat(),
            }
        if self.revocation is not None:
            out["revocation"] = {
                "at": self.revocation.at.isoformat(),
                "reason": self.revocation.reason,
                "replaced_by": self.revocation.replaced_by.public_code if self.revocation.replaced_by else "",
            }
        return out


def _name_part(name: Any, key: str) -> str:
    try:
        return str(name.native.get(key) or "")
    except (AttributeError, ValueError):
        return ""


def _check(embedded: Any, context: Any) -> SignatureCheck:
    cert = embedded.signer_cert
    signer = _name_part(cert.subject, "common_name") if cert is not None else ""
    organisation = _name_part(cert.subject, "organization_name") if cert is not None else ""
    try:
        status = signing.outside_event_loop(
            partial(validate_pdf_signature, embedded, signer_validation_context=context)
        )
    except (PdfError, ValueError, TypeError, KeyError) as exc:
        return SignatureCheck(signer, organisation, None, False, False, False, False, f"Chữ ký hỏng: {exc}")
    stamp = status.timestamp_validity
    timestamped = bool(stamp is not None and stamp.intact and stamp.valid and stamp.trusted)
    signed_at = stamp.timestamp if timestamped and stamp is not None else status.signer_reported_dt
    valid = bool(status.intact and status.valid)
    trusted = bool(status.trusted)
    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    problem = ""
    if not status.intact:
        problem = "Nội dung đã bị thay đổi sau khi ký."
    elif not status.valid:
        problem = "Chữ ký không đúng."
    elif not trusted:
        problem = "Chứng thư số không do tổ chức chứng thực được tin cậy cấp, hoặc đã hết hạn."
    elif not status.docmdp_ok:
        problem = "Tệp đã bị sửa sau khi ký theo cách không được phép."
        valid = False
    elif not timestamped:
        problem = "Chữ ký không có dấu thời gian hợp lệ."
    return SignatureCheck(signer, organisation, signed_at, timestamped, valid, trusted, whole, problem)


def verify(data: bytes) -> Report:
    """Check a file; ``NotVerifiable`` when it is not a readable PDF."""
    problem = files.pdf_problem(len(data), data[:1024])
    if problem == "Nội dung tệp không phải PDF.":
        problem = "Tệp không phải PDF: chỉ kiểm tra được văn bản điện tử dạng PDF."
    if problem:
        raise NotVerifiable(problem)
    digest = hashlib.sha256(data).hexdigest()
    document = (
        Document.objects.select_related("revocation", "revocation__replaced_by", "certification__unit")
        .filter(sha256=digest)
        .first()
    )
    revocation = getattr(document, "revocation", None) if document is not None else None
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        if reader.encrypted:
            raise NotVerifiable("Tệp PDF có mật khẩu: không kiểm tra được.")
        embedded = list(reader.embedded_signatures)
    except (PdfError, ValueError, TypeError, KeyError, IndexError) as exc:
        if document is None:
            raise NotVerifiable("Tệp PDF bị hỏng, không đọc được.") from exc
        embedded = []
    context = signing.trust_context()
    checks = [_check(e, context) for e in embedded]
    issued = document is not None
    revoked = revocation is not None
    if checks:
        last_whole = checks[-1].covers_whole_file
        signatures_ok = all(c.valid and c.trusted and c.timestamped for c in checks) and last_whole
    else:
        last_whole, signatures_ok = False, issued
    genuine = signatures_ok and not revoked
    return Report(
        digest,
        genuine,
        issued,
        revoked,
        document,
        revocation,
        checks,
        _verdict(checks, issued, revoked, last_whole, genuine),
    )


def _verdict(
    checks: list[SignatureCheck], issued: bool, revoked: bool, last_whole: bool, genuine: bool
) -> str:
    if revoked:
        return "Văn bản này đã bị thu hồi: không còn giá trị sử dụng."
    if genuine and checks:
        return "Văn bản hợp lệ: các chữ ký số đúng, còn nguyên vẹn và do tổ chức được tin cậy chứng thực."
    if genuine:
        return "Văn bản đúng là bản do hệ thống cấp (trùng khớp từng byte)."
    if not checks:
        return "Văn bản không có chữ ký số và không phải bản do hệ thống cấp."
    if checks and not last_whole and all(c.valid for c in checks):
        return "Tệp đã bị thêm nội dung sau chữ ký cuối cùng: không phải bản gốc."
    first = next((c.problem for c in checks if c.problem), "")
    return f"Văn bản không hợp lệ. {first}".strip()
