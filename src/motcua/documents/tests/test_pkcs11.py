"""Signing through PKCS#11, against SoftHSM2 (Debian's softhsm2, the token CI runs): the officer's and
the unit's keys are generated on the token and never leave it; the demo CA certifies their public keys
and the certificates are written beside them, as an enrolment of a real token would."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from motcua.documents import pki, results, services, signing, verify
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests import factories as df

MODULE = next(
    (
        p
        for p in ("/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so")
        if Path(p).exists()
    ),
    "",
)
PIN = "246813"
TOKEN = "motcua-thu"

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not MODULE or not shutil.which("softhsm2-util"),
        reason="SoftHSM2 is installed by scripts/system-packages (make install, .ci/run)",
    ),
]


@pytest.fixture(scope="module")
def token(tmp_path_factory):
    """One SoftHSM2 token for the module (a PKCS#11 library is loaded once per process, with the
    configuration it finds then)."""
    folder = tmp_path_factory.mktemp("softhsm")
    (folder / "tokens").mkdir()
    conf = folder / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {folder / 'tokens'}\nobjectstore.backend = file\n")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    subprocess.run(
        ["softhsm2-util", "--init-token", "--free", "--label", TOKEN, "--pin", PIN, "--so-pin", "13579246"],
        check=True,
        capture_output=True,
    )
    return TOKEN


def _enrol(label: str, common: str, organisation: str, uid: str) -> None:
    """Generate a P-256 key pair on the token, certify its public key, store the certificate there."""
    import pkcs11
    from pkcs11 import Attribute, KeyType, ObjectClass
    from pkcs11.util.ec import encode_ec_public_key, encode_named_curve_parameters

    lib = pkcs11.lib(MODULE)
    with lib.get_token(token_label=TOKEN).open(rw=True, user_pin=PIN) as session:
        params = session.create_domain_parameters(
            KeyType.EC, {Attribute.EC_PARAMS: encode_named_curve_parameters("secp256r1")}, local=True
        )
        public, _private = params.generate_keypair(store=True, label=label, id=label.encode())
        key = serialization.load_der_public_key(encode_ec_public_key(public))
        certificate = pki.certify(key, common, organisation, uid)  # type: ignore[arg-type]
        session.create_object(
            {
                Attribute.CLASS: ObjectClass.CERTIFICATE,
                Attribute.CERTIFICATE_TYPE: pkcs11.CertificateType.X_509,
                Attribute.TOKEN: True,
                Attribute.LABEL: label,
                Attribute.ID: label.encode(),
                Attribute.VALUE: certificate.public_bytes(serialization.Encoding.DER),
                Attribute.SUBJECT: certificate.subject.public_bytes(),
                Attribute.ISSUER: certificate.issuer.public_bytes(),
                Attribute.SERIAL_NUMBER: certificate.serial_number.to_bytes(20, "big").lstrip(b"\0"),
            }
        )


@pytest.fixture
def on_token(settings, tmp_path, token):
    settings.MOTCUA_SIGNING_DIR = tmp_path / "signing"
    settings.MOTCUA_TSA_URL = ""
    pki.create_demo_ca()
    settings.MOTCUA_PKCS11 = {
        "module": MODULE,
        "token": token,
        "pin": PIN,
        "officer_label": "officer-{username}",
        "organisation_label": "org-{unit}",
    }
    return settings


def test_a_result_signed_on_the_token_verifies(on_token, w):
    _enrol("officer-chutich_a", "Trần Văn Chủ Tịch", "Phường An Biên", "chutich_a")
    _enrol("org-pab", "Phường An Biên", "Phường An Biên", "pab")
    d = df.receive(w)
    for n, by in enumerate((w.intake_a, w.specialist_a, w.leader_a), start=1):
        from motcua.dossiers import services as s

        s.hand_over(d.code, by=by, expected_version=n)
    document = results.issue_result(w.head_a, d.code, expected_version=4)
    report = verify.verify(services.content(document))
    assert report.genuine
    # the names come from the token's certificates, not from the accounts
    assert [c.signer for c in report.signatures] == ["Trần Văn Chủ Tịch", "Phường An Biên"]
    assert Dossier.objects.get(pk=d.pk).result_code == document.public_code


def test_a_key_missing_on_the_token_or_a_wrong_pin_signs_nothing(on_token, w):
    missing = pytest.raises(signing.SigningUnavailable, match="không có khóa, chứng thư “officer-motcua_b”")
    with missing, signing.parties(("motcua_b", "Cán bộ motcua_b", "Phường Lê Chân"), None):
        pass
    on_token.MOTCUA_PKCS11 = {**on_token.MOTCUA_PKCS11, "pin": "000000"}
    refused = pytest.raises(signing.SigningUnavailable, match="Không mở được thiết bị ký số")
    with refused, signing.parties(("chutich_a", "x", "y"), None):
        pass
