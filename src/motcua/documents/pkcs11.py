"""Keys on a PKCS#11 token — an officer's USB token or smart card, the agency's HSM; SoftHSM2 in the
tests — for ``documents.signing``. The key and its certificate carry the same label on the token
(``officer-{username}``, ``org-{unit}`` by default, ``MOTCUA_PKCS11_*`` settings); the private key never
leaves the token: pyHanko asks the token to sign."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from cryptography import x509
from django.conf import settings
from pyhanko.config.pkcs11 import TokenCriteria
from pyhanko.sign.general import SigningError
from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session

from motcua.documents import pki
from motcua.documents.errors import SigningUnavailable


@contextmanager
def session(config: dict[str, str]) -> Iterator[Any]:
    """An open, logged-in session on the configured token; ``SigningUnavailable`` when it cannot be had."""
    from pkcs11.exceptions import PKCS11Error

    try:
        opened = open_pkcs11_session(
            config["module"],
            token_criteria=TokenCriteria(label=config["token"] or None),
            user_pin=config["pin"] or None,
        )
    except (PKCS11Error, SigningError, OSError, RuntimeError) as exc:
        raise SigningUnavailable(
            f"Không mở được thiết bị ký số (PKCS#11): {exc or type(exc).__name__}."
        ) from None
    try:
        yield opened
    finally:
        opened.close()


def signer(opened: Any, label: str, who: str) -> tuple[PKCS11Signer, x509.Certificate]:
    """The signer for the key and certificate labelled ``label``; ``SigningUnavailable`` when the token
    holds no such key or certificate."""
    from pkcs11.exceptions import PKCS11Error

    chain = [pki.asn1_certificate(root) for root in pki.trust_roots()]
    # hash here and ask the token for the raw signature: every token (SoftHSM2 included) offers raw
    # ECDSA / RSA PKCS#1, fewer offer the hashing variants
    raw = str(settings.MOTCUA_PKCS11.get("raw", "1")) != "0"
    found = PKCS11Signer(opened, cert_label=label, key_label=label, ca_chain=chain, use_raw_mechanism=raw)
    try:
        certificate = found.signing_cert
    except (PKCS11Error, SigningError, KeyError, ValueError):
        raise SigningUnavailable(f"Thiết bị ký số không có khóa, chứng thư “{label}” của {who}.") from None
    if certificate is None:
        raise SigningUnavailable(f"Thiết bị ký số không có khóa, chứng thư “{label}” của {who}.")
    return found, x509.load_der_x509_certificate(certificate.dump())
