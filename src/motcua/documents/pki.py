"""The demo certification authority: a root, a timestamp authority, one organisation certificate per unit
and one personal certificate per officer, all P-256 keys in PEM files under ``MOTCUA_SIGNING_DIR``.

It exists so that the demo and the tests sign for real, with keys nobody else trusts: every certificate
says "chỉ dùng thử" (demo only). A production deployment signs through PKCS#11 (``documents.pkcs11``)
with the keys the Government Cipher Committee's CA issued to the agency and its officers, and trusts
their roots (``MOTCUA_TRUST_ROOTS``). ``motcua documents demo-ca`` creates the root and the TSA; the
organisation and officer certificates are issued the first time each signs (demo only)."""

from __future__ import annotations

import datetime as dt
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings

DEMO = "chỉ dùng thử"
ROOT_YEARS = 10
LEAF_YEARS = 3
BACKDATE_DAYS = 800
_lock = threading.Lock()
_SAFE = re.compile(r"[^A-Za-z0-9_.-]")


class CertificateAuthorityMissing(Exception):
    """No demo CA in ``MOTCUA_SIGNING_DIR`` (``motcua documents demo-ca`` creates it)."""


@dataclass(frozen=True)
class KeyPair:
    certificate: x509.Certificate
    key: ec.EllipticCurvePrivateKey
    key_path: Path
    cert_path: Path


def signing_dir() -> Path:
    return Path(settings.MOTCUA_SIGNING_DIR)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _write(path: Path, data: bytes, private: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def _save(pair_dir: Path, stem: str, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey) -> KeyPair:
    key_path, cert_path = pair_dir / f"{stem}.key", pair_dir / f"{stem}.pem"
    _write(
        key_path,
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
        private=True,
    )
    _write(cert_path, cert.public_bytes(serialization.Encoding.PEM), private=False)
    return KeyPair(cert, key, key_path, cert_path)


def _load(pair_dir: Path, stem: str) -> KeyPair | None:
    key_path, cert_path = pair_dir / f"{stem}.key", pair_dir / f"{stem}.pem"
    if not (key_path.exists() and cert_path.exists()):
        return None
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError(f"{key_path}: khóa không phải EC.")
    return KeyPair(cert, key, key_path, cert_path)


def _name(common: str, organisation: str, unit: str = "", uid: str = "") -> x509.Name:
    attrs = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "Hải Phòng"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation[:64]),
    ]
    if unit:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit[:64]))
    if uid:
        attrs.append(x509.NameAttribute(NameOID.USER_ID, uid[:64]))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, common[:64]))
    return x509.Name(attrs)


def _builder(
    subject: x509.Name, issuer: x509.Name, public_key: ec.EllipticCurvePublicKey, years: int
) -> x509.CertificateBuilder:
    # Valid from well before today: the demo signs the results of a year of history, and tests run
    # under clocks set back by months. Until ``years`` from today.
    now = _now()
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=BACKDATE_DAYS))
        .not_valid_after(now + dt.timedelta(days=365 * years))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )


def _key_usage(*, signs: bool) -> x509.KeyUsage:
    """A signer's key signs documents (with non-repudiation); the root's signs certificates and CRLs."""
    return x509.KeyUsage(
        digital_signature=signs,
        content_commitment=signs,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=not signs,
        crl_sign=not signs,
        encipher_only=False,
        decipher_only=False,
    )


def _leaf_usage(builder: x509.CertificateBuilder, timestamping: bool = False) -> x509.CertificateBuilder:
    builder = builder.add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
    builder = builder.add_extension(_key_usage(signs=True), critical=True)
    if timestamping:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
        )
    return builder


def create_demo_ca(directory: Path | None = None, *, force: bool = False) -> tuple[KeyPair, KeyPair]:
    """Create the root and the timestamp authority (kept if they exist, unless ``force``)."""
    base = directory or signing_dir()
    with _lock:
        root = None if force else _load(base, "root")
        if root is None:
            key = ec.generate_private_key(ec.SECP256R1())
            subject = _name(f"motcua Root CA ({DEMO})", f"Hệ thống motcua ({DEMO})")
            builder = _builder(subject, subject, key.public_key(), ROOT_YEARS)
            builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            builder = builder.add_extension(_key_usage(signs=False), critical=True)
            root = _save(base, "root", builder.sign(key, hashes.SHA256()), key)
            _forget(base)
        tsa = None if force else _load(base, "tsa")
        if tsa is None:
            tsa = _issue(base, "tsa", root, _name(f"motcua TSA ({DEMO})", f"Hệ thống motcua ({DEMO})"), True)
    return root, tsa


def _forget(base: Path) -> None:
    """Certificates of an older root no longer chain: remove them so that they are issued again."""
    for folder in ("org", "people"):
        if (base / folder).is_dir():
            for child in (base / folder).iterdir():
                child.unlink()
    for name in ("tsa.pem", "tsa.key"):
        (base / name).unlink(missing_ok=True)


def _issue(base: Path, stem: str, root: KeyPair, subject: x509.Name, timestamping: bool = False) -> KeyPair:
    key = ec.generate_private_key(ec.SECP256R1())
    return _save(base, stem, _certificate(root, subject, key.public_key(), timestamping), key)


def _certificate(
    authority: KeyPair, subject: x509.Name, public_key: ec.EllipticCurvePublicKey, timestamping: bool = False
) -> x509.Certificate:
    builder = _builder(subject, authority.certificate.subject, public_key, LEAF_YEARS)
    builder = _leaf_usage(builder, timestamping).add_extension(
        x509.AuthorityKeyIdentifier.from_issuer_public_key(authority.key.public_key()), critical=False
    )
    return builder.sign(authority.key, hashes.SHA256())


def root(directory: Path | None = None) -> KeyPair:
    found = _load(directory or signing_dir(), "root")
    if found is None:
        raise CertificateAuthorityMissing(
            "Chưa có khóa ký số: quản trị hệ thống cần tạo CA thử nghiệm (motcua documents demo-ca) "
            "hoặc cấu hình thiết bị ký số (PKCS#11)."
        )
    return found


def tsa(directory: Path | None = None) -> KeyPair:
    base = directory or signing_dir()
    found = _load(base, "tsa")
    if found is None:
        root(base)  # the clearer error first
        raise CertificateAuthorityMissing("Chưa có chứng thư của máy chủ cấp dấu thời gian.")
    return found


def organisation(unit_code: str, unit_name: str, directory: Path | None = None) -> KeyPair:
    """The unit's organisation certificate (issued by the demo CA the first time)."""
    base = directory or signing_dir()
    stem = f"org/{_SAFE.sub('_', unit_code)}"
    with _lock:
        found = _load(base, stem)
        if found is None:
            found = _issue(base, stem, root(base), _name(unit_name, unit_name, uid=unit_code))
    return found


def officer(username: str, full_name: str, unit_name: str, directory: Path | None = None) -> KeyPair:
    """The officer's personal certificate (issued by the demo CA the first time)."""
    base = directory or signing_dir()
    stem = f"people/{_SAFE.sub('_', username)}"
    with _lock:
        found = _load(base, stem)
        if found is None:
            found = _issue(base, stem, root(base), _name(full_name, unit_name, unit_name, uid=username))
    return found


def trust_roots() -> list[x509.Certificate]:
    """The roots a signature must chain to: the configured files, else the demo root if there is one."""
    paths = [Path(p) for p in settings.MOTCUA_TRUST_ROOTS]
    out = [x509.load_pem_x509_certificate(p.read_bytes()) for p in paths]
    demo = _load(signing_dir(), "root")
    if demo is not None and settings.MOTCUA_TRUST_DEMO_ROOT:
        out.append(demo.certificate)
    return out


def certify(
    public_key: ec.EllipticCurvePublicKey,
    common: str,
    organisation: str,
    uid: str,
    unit: str = "",
    directory: Path | None = None,
) -> x509.Certificate:
    """A demo-CA certificate for a key made elsewhere — on a token, which keeps the private key (the
    certificate is then written to the token beside it)."""
    authority = root(directory or signing_dir())
    return _certificate(authority, _name(common, organisation, unit, uid), public_key)


def asn1_certificate(cert: x509.Certificate) -> asn1_x509.Certificate:
    """The same certificate as asn1crypto reads it (pyHanko's type)."""
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
