"""Signing PDFs (PAdES baseline B-T with pyHanko): each party's signature in its own incremental
revision, a timestamp from the timestamp authority on each, and a visible stamp in Vietnamese.

The keys come from one of two places (``MOTCUA_PKCS11``):
- PKCS#11 — a USB token, a smart card or the agency's HSM (SoftHSM2 in the tests): the officer's key
  labelled ``officer_label`` and the unit's ``organisation_label`` (``{username}``, ``{unit}`` filled in);
- otherwise the demo CA (``documents.pki``), which issues a certificate the first time one signs.

Before anything is written the signer's certificate is checked against the trusted roots at the signing
time (``MOTCUA_TRUST_ROOTS``, and the demo root while ``MOTCUA_TRUST_DEMO_ROOT``): a key that is missing,
expired or not trusted raises ``SigningUnavailable`` and nothing is signed."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import io
import logging
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from asn1crypto import keys as asn1_keys
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from fontTools.subset import Options, Subsetter
from fontTools.ttLib import TTFont
from fontTools.ttLib.scaleUpem import scale_upem
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.layout import AxisAlignment, Margins, SimpleBoxLayoutRule
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError
from pyhanko_certvalidator.registry import SimpleCertificateStore

from motcua.documents import pki, tsa
from motcua.documents.errors import NotSignable, SigningUnavailable

VN = ZoneInfo("Asia/Ho_Chi_Minh")
STAMP_W, STAMP_H, MARGIN, GAP = 215, 58, 22, 10
logging.getLogger("fontTools.subset").setLevel(logging.ERROR)  # "FFTM NOT subset" on every stamp


@dataclass(frozen=True)
class Party:
    """One signature: who (shown in the stamp and the signature dictionary) and with what."""

    signer: signers.Signer
    name: str
    role: str  # "Người ký" / "Cơ quan"
    organisation: str
    field: str
    certificate: x509.Certificate


def trust_context(at: dt.datetime | None = None) -> ValidationContext:
    roots = [pki.asn1_certificate(c) for c in pki.trust_roots()]
    return ValidationContext(
        trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail", moment=at or _now()
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def check_certificate(cert: x509.Certificate, who: str, at: dt.datetime | None = None) -> None:
    """Refuse a certificate that is not valid now or does not chain to a trusted root."""
    moment = at or _now()
    if moment < cert.not_valid_before_utc:
        raise SigningUnavailable(
            f"Chứng thư số của {who} chưa có hiệu lực (từ {_vn(cert.not_valid_before_utc)})."
        )
    if moment > cert.not_valid_after_utc:
        raise SigningUnavailable(f"Chứng thư số của {who} đã hết hạn ngày {_vn(cert.not_valid_after_utc)}.")
    roots = pki.trust_roots()
    for root in roots:
        if cert.issuer == root.subject or cert == root:
            try:
                cert.verify_directly_issued_by(root)
            except (ValueError, TypeError):
                continue
            return
    raise SigningUnavailable(f"Chứng thư số của {who} không do tổ chức chứng thực được tin cậy cấp.")


def _vn(moment: dt.datetime) -> str:
    return moment.astimezone(VN).strftime("%d/%m/%Y")


def _demo_signer(pair: pki.KeyPair) -> signers.SimpleSigner:
    key_der = pair.key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    root = pki.root()
    return signers.SimpleSigner(
        signing_cert=pki.asn1_certificate(pair.certificate),
        signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
        cert_registry=SimpleCertificateStore.from_certs([pki.asn1_certificate(root.certificate)]),
    )


def _officer_role(username: str, name: str, unit_name: str) -> tuple[str, str, str, str]:
    return name, "Người ký", f"Đơn vị: {unit_name}", "CanBoKy"


def _unit_role(code: str, name: str) -> tuple[str, str, str, str]:
    return name, "Cơ quan ký số", "Ký thay mặt cơ quan giải quyết", "CoQuanKy"


@contextmanager
def parties(
    officer: tuple[str, str, str] | None, unit: tuple[str, str] | None, at: dt.datetime | None = None
) -> Iterator[list[Party]]:
    """The signing parties, keys opened for the time of the block: ``officer`` = (username, full name,
    unit name), ``unit`` = (unit code, unit name)."""
    config = settings.MOTCUA_PKCS11
    with ExitStack() as stack:
        keys: list[tuple[Any, x509.Certificate]] = []  # (signer, certificate): the officer's, the unit's
        if config:
            from motcua.documents import pkcs11

            session = stack.enter_context(pkcs11.session(config))
            if officer is not None:
                label = config["officer_label"].format(username=officer[0])
                keys.append(pkcs11.signer(session, label, f"cán bộ {officer[1]}"))
            if unit is not None:
                label = config["organisation_label"].format(unit=unit[0])
                keys.append(pkcs11.signer(session, label, f"cơ quan {unit[1]}"))
        else:
            try:
                pairs = ([pki.officer(*officer)] if officer else []) + (
                    [pki.organisation(*unit)] if unit else []
                )
            except pki.CertificateAuthorityMissing as exc:
                raise SigningUnavailable(str(exc)) from None
            keys = [(_demo_signer(pair), pair.certificate) for pair in pairs]
        roles = ([_officer_role(*officer)] if officer else []) + ([_unit_role(*unit)] if unit else [])
        out = [
            Party(signer, *role, certificate) for (signer, certificate), role in zip(keys, roles, strict=True)
        ]
        for party in out:
            check_certificate(party.certificate, party.name, at)
        yield out


_STAMPERS: dict[str, TimeStamper] = {}


def timestamper() -> TimeStamper:
    """The timestamp client, one per TSA for the process: pyHanko keeps a sample token per client to
    size each signature, so a fresh client would ask the TSA one extra time per signing."""
    url = settings.MOTCUA_TSA_URL
    if url:
        return _STAMPERS.setdefault(url, HTTPTimeStamper(url, timeout=10))
    try:
        authority = pki.tsa()
    except pki.CertificateAuthorityMissing as exc:
        raise SigningUnavailable(str(exc)) from None
    check_certificate(authority.certificate, "máy chủ cấp dấu thời gian")
    key = f"local:{authority.cert_path}:{authority.certificate.serial_number}"
    return _STAMPERS.setdefault(key, tsa.LocalTimeStamper())


# What a stamp can print: Latin with Vietnamese (precomposed letters, so no mark positioning is needed),
# digits and punctuation.
STAMP_UNICODES = [
    *range(0x20, 0x7F),
    *range(0xA0, 0x250),
    *range(0x300, 0x370),
    *range(0x1E00, 0x1F00),
    *range(0x2010, 0x2050),
    0x20AB,
]
STAMP_FONT_VERSION = "2"


def stamp_font() -> str:
    """The stamp's font (``MOTCUA_STAMP_FONT``, Liberation Serif from Debian by default), prepared once
    into ``var/fonts``: rescaled to 1000 units per em — pyHanko writes glyph widths in the font's own
    units, which PDF reads as thousandths, so a 2048-unit TrueType font would be drawn letter-spaced —
    and cut down to the letters a stamp prints, without hinting or layout tables, so that embedding it
    in each signature's stamp takes milliseconds instead of a tenth of a second."""
    source = settings.MOTCUA_STAMP_FONT
    if not os.path.exists(source):
        raise SigningUnavailable(f"Thiếu phông chữ cho dấu chữ ký ({source}): cài gói fonts-liberation2.")
    stat = os.stat(source)
    key = f"{STAMP_FONT_VERSION}:{source}:{stat.st_size}:{stat.st_mtime_ns}"
    tag = hashlib.sha256(key.encode()).hexdigest()[:12]
    target = settings.VAR_DIR / "fonts" / f"stamp-{tag}.ttf"
    if not target.exists():
        font = TTFont(source)
        if font["head"].unitsPerEm != 1000:
            scale_upem(font, 1000)
        options = Options()
        options.layout_features = []
        options.hinting = False
        options.drop_tables += ["GSUB", "GPOS", "GDEF", "kern", "FFTM", "DSIG", "hdmx", "LTSH", "VDMX"]
        options.name_IDs = ["*"]
        options.notdef_outline = True
        cutter = Subsetter(options)
        cutter.populate(unicodes=STAMP_UNICODES)
        cutter.subset(font)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        font.save(tmp)
        os.replace(tmp, target)
    return str(target)


def _stamp_style() -> TextStampStyle:
    font = GlyphAccumulatorFactory(stamp_font(), font_size=7)
    return TextStampStyle(
        stamp_text="%(role)s: %(name)s\n%(org)s\nKý lúc: %(at)s (giờ Việt Nam)",
        text_box_style=TextBoxStyle(font=font, leading=10),
        border_width=1,
        background=None,
        inner_content_layout=SimpleBoxLayoutRule(
            x_align=AxisAlignment.ALIGN_MIN, y_align=AxisAlignment.ALIGN_MID, margins=Margins(6, 6, 4, 4)
        ),
    )


def _last_page_box(data: bytes, index: int) -> tuple[int, tuple[int, int, int, int]]:
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    pages = int(reader.root["/Pages"]["/Count"])
    page = reader.find_page_for_modification(pages - 1)[0].get_object() if pages else None
    width = 595
    if page is not None and "/MediaBox" in page:
        box = page["/MediaBox"]
        width = int(float(box[2]) - float(box[0]))
    x2 = width - MARGIN - index * (STAMP_W + GAP)
    return pages - 1, (x2 - STAMP_W, MARGIN, x2, MARGIN + STAMP_H)


def outside_event_loop[T](work: Callable[[], T]) -> T:
    """Run ``work`` (which starts its own asyncio loop: pyHanko's synchronous calls do) in this thread,
    or in a helper thread when this one already runs a loop (an ASGI server, a test driving a browser)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return work()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="motcua-sign") as pool:
        return pool.submit(work).result()


def sign(
    data: bytes,
    signing: Sequence[Party],
    *,
    reason: str,
    location: str,
    stamper: TimeStamper | None = None,
) -> bytes:
    """``data`` (a PDF) signed by each party in turn; the last signature certifies nothing more can change
    but more signatures (DocMDP: form filling and signing)."""
    if not signing:
        raise SigningUnavailable("Không có ai ký.")
    stamper = stamper or timestamper()
    style = _stamp_style()
    at = _now().astimezone(VN).strftime("%d/%m/%Y %H:%M")
    current = data
    for index, party in enumerate(signing):
        try:
            writer = IncrementalPdfFileWriter(io.BytesIO(current), strict=False)
            if writer.prev.encrypted:
                raise NotSignable("Tệp PDF có mật khẩu: không ký được.")
            page, box = _last_page_box(current, index)
            meta = signers.PdfSignatureMetadata(
                field_name=party.field,
                subfilter=fields.SigSeedSubFilter.PADES,
                md_algorithm="sha256",
                reason=reason,
                location=location,
                name=party.name,
                validation_context=trust_context(),
            )
            pdf_signer = signers.PdfSigner(
                meta,
                signer=party.signer,
                timestamper=stamper,
                stamp_style=style,
                new_field_spec=fields.SigFieldSpec(party.field, on_page=page, box=box),
            )
            params = {"role": party.role, "name": party.name, "org": party.organisation, "at": at}
            out = outside_event_loop(partial(pdf_signer.sign_pdf, writer, appearance_text_params=params))
        except (PathValidationError, PathBuildingError) as exc:
            raise SigningUnavailable(f"Chứng thư số không dùng được để ký: {exc}") from None
        except (PdfError, SigningError) as exc:
            raise NotSignable(f"Không ký được tệp: {exc}") from None
        current = out.getvalue()
    return current
