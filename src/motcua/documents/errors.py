"""The refusals of signing, shared by the signer and the key sources."""

from __future__ import annotations

from motcua.core.errors import DomainError


class SigningUnavailable(DomainError):
    """No usable key for a signer: missing, expired, not trusted, or the token cannot be opened."""

    status = 409
    code = "signing_unavailable"


class NotSignable(DomainError):
    """The file cannot be signed (not a PDF, encrypted, damaged)."""

    status = 400
    code = "not_signable"
