"""A timestamp authority speaking RFC 3161 (with the RFC 5816 signing-certificate-v2 attribute), signed
with the demo CA's TSA key.

- ``respond(request_der)`` answers one ``TimeStampReq`` with a ``TimeStampResp`` (DER): granted with a
  token, or rejected with the failure the RFC names (``badAlg``, ``badDataFormat``, ``badRequest``).
- ``motcua documents tsa --port 8091`` serves it over HTTP (``POST`` ``application/timestamp-query`` →
  ``application/timestamp-reply``), the way a real TSA is reached; ``MOTCUA_TSA_URL`` points the signer
  at it (or at a real TSA).
- ``LocalTimeStamper`` asks ``respond`` in-process: what the signer uses when no URL is configured."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from asn1crypto import algos, cms, core, tsp
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pyhanko.sign.general import as_signing_certificate_v2, simple_cms_attribute
from pyhanko.sign.timestamps.api import TimeStamper

from motcua.documents import pki

# The policy under which the demo TSA issues tokens: a private arc under the UUID-based OID root
# (ITU-T X.667, 2.25.<uuid>), so no registration is claimed.
POLICY = "2.25.232740285918034551217470830223604405313"
DIGESTS = {"sha256": 32, "sha384": 48, "sha512": 64}
MAX_REQUEST = 64 * 1024


def _failure(info: str, text: str) -> bytes:
    status = tsp.PKIStatusInfo(
        {"status": "rejection", "status_string": [text], "fail_info": tsp.PKIFailureInfo({info})}
    )
    # TimeStampResp ::= SEQUENCE { status PKIStatusInfo, timeStampToken OPTIONAL } — asn1crypto's class
    # makes the token mandatory, so the rejection's SEQUENCE is written here.
    body = status.dump()
    return b"\x30" + _der_length(len(body)) + body


def _der_length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def respond(
    request_der: bytes, *, now: dt.datetime | None = None, authority: pki.KeyPair | None = None
) -> bytes:
    try:
        request = tsp.TimeStampReq.load(request_der)
        request.native  # noqa: B018 — parse it all now: asn1crypto is lazy
    except (ValueError, TypeError):
        return _failure("bad_data_format", "Yêu cầu không phải TimeStampReq hợp lệ.")
    if request["version"].native != "v1":
        return _failure("bad_request", "Chỉ hỗ trợ TimeStampReq phiên bản 1.")
    imprint = request["message_imprint"]
    algorithm = imprint["hash_algorithm"]["algorithm"].native
    if algorithm not in DIGESTS:
        return _failure("bad_alg", "Thuật toán băm không được hỗ trợ (chỉ SHA-256/384/512).")
    if len(imprint["hashed_message"].native) != DIGESTS[algorithm]:
        return _failure("bad_data_format", "Độ dài giá trị băm không khớp thuật toán.")
    asked_policy = request["req_policy"].native
    if asked_policy is not None and asked_policy != POLICY:
        return _failure("unaccepted_policy", "Chính sách cấp dấu thời gian không được chấp nhận.")

    pair = authority or pki.tsa()
    # whole seconds (the accuracy says ±1 s): a fraction would have to drop trailing zeros in DER
    at = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    info: dict[str, Any] = {
        "version": "v1",
        "policy": POLICY,
        "message_imprint": imprint,
        "serial_number": uuid.uuid4().int,
        "gen_time": core.GeneralizedTime(at),
        "accuracy": {"seconds": 1},
        "ordering": False,
        "tsa": asn1_x509.GeneralName(
            name="directory_name",
            value=asn1_x509.Certificate.load(pair.certificate.public_bytes(serialization.Encoding.DER))[
                "tbs_certificate"
            ]["subject"],
        ),
    }
    if request["nonce"].native is not None:
        info["nonce"] = request["nonce"]
    tst_der = tsp.TSTInfo(info).dump()
    return tsp.TimeStampResp(
        {
            "status": {"status": "granted"},
            "time_stamp_token": _token(tst_der, at, pair, bool(request["cert_req"].native)),
        }
    ).dump()


def _token(tst_der: bytes, at: dt.datetime, pair: pki.KeyPair, with_cert: bool) -> cms.ContentInfo:
    cert = asn1_x509.Certificate.load(pair.certificate.public_bytes(serialization.Encoding.DER))
    signed_attrs = cms.CMSAttributes(
        [
            simple_cms_attribute("content_type", "tst_info"),
            simple_cms_attribute("signing_time", cms.Time({"generalized_time": core.GeneralizedTime(at)})),
            simple_cms_attribute("signing_certificate_v2", as_signing_certificate_v2(cert)),
            simple_cms_attribute("message_digest", hashlib.sha256(tst_der).digest()),
        ]
    )
    signature = pair.key.sign(signed_attrs.dump(), ec.ECDSA(hashes.SHA256()))
    digest = algos.DigestAlgorithm({"algorithm": "sha256"})
    signer = cms.SignerInfo(
        {
            "version": "v1",
            "sid": cms.SignerIdentifier(
                {
                    "issuer_and_serial_number": cms.IssuerAndSerialNumber(
                        {"issuer": cert.issuer, "serial_number": cert.serial_number}
                    )
                }
            ),
            "digest_algorithm": digest,
            "signed_attrs": signed_attrs,
            "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": "sha256_ecdsa"}),
            "signature": signature,
        }
    )
    signed: dict[str, Any] = {
        "version": "v3",
        "digest_algorithms": [digest],
        "encap_content_info": {"content_type": "tst_info", "content": cms.ParsableOctetString(tst_der)},
        "signer_infos": [signer],
    }
    if with_cert:
        signed["certificates"] = [cert]
    return cms.ContentInfo({"content_type": "signed_data", "content": cms.SignedData(signed)})


class LocalTimeStamper(TimeStamper):
    """pyHanko's timestamper interface answered by ``respond`` in this process."""

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        return tsp.TimeStampResp.load(respond(req.dump()))


class _Handler(BaseHTTPRequestHandler):
    server_version = "motcua-tsa/1"

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if self.headers.get_content_type() != "application/timestamp-query":
            self._answer(415, b"Content-Type must be application/timestamp-query", "text/plain")
            return
        if not 0 < length <= MAX_REQUEST:
            self._answer(413 if length else 400, b"bad length", "text/plain")
            return
        self._answer(200, respond(self.rfile.read(length)), "application/timestamp-reply")

    def do_GET(self) -> None:
        self._answer(405, b"POST a TimeStampReq (RFC 3161)", "text/plain")

    def _answer(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        if getattr(self.server, "verbose", False):
            super().log_message(format, *args)


def serve(host: str, port: int, *, verbose: bool = False) -> ThreadingHTTPServer:
    """A started server on ``host:port`` (0 = a free port); ``shutdown()`` stops it."""
    pki.tsa()  # fail now, not at the first request, when there is no TSA key
    server = ThreadingHTTPServer((host, port), _Handler)
    server.verbose = verbose  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True, name="motcua-tsa").start()
    return server


def status_of(response_der: bytes) -> str:
    """The PKIStatus of a TimeStampResp ("granted", "rejection"…), with or without a token."""
    outer = core.Sequence.load(response_der)
    return str(tsp.PKIStatusInfo.load(outer[0].dump())["status"].native)
