"""Electronic certified copies from originals (chứng thực bản sao điện tử từ bản chính; Kế hoạch 3327
task 21; NĐ 23/2015 Điều 20; 766 indicator 4.CT).

At a commune's one-stop the citizen shows the original; the officer scans it with the dossier (the
scan is stored under its hash, ``dossiers/scans.py``); the person who may certify (rule
``documents.certified_copy``: the chairman or a vice-chairman) opens the dossier and certifies: the
copy is the scan's pages under a band "Bản sao điện tử được chứng thực từ bản chính" with the
certification's number, followed by the statement (lời chứng, TT 01/2020/TT-BTP), signed by the
certifier and by the unit (PAdES, timestamped), kept under its hash with a public code anyone can
verify at ``/xac-thuc/`` like a result, and entered in the unit's book of the year with the fee
(TT 226/2016, by the original's pages and the copies; the share the budget supports is rule
``documents.certified_copy_fee_support_percent``).

The number comes from the unit's sequence inside the transaction that keeps the copy, so a failure
spends no number and two certifiers never get the same one; the dossier row is locked for that
transaction, so the same original is never certified twice by a double click."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.misc import PdfError

from motcua.catalogue import fees
from motcua.catalogue.models import Fee
from motcua.core import audit, fastsql
from motcua.core.errors import DomainError
from motcua.core.models import OrgUnit, User
from motcua.core.permissions import has_role
from motcua.core.rules import rule_value
from motcua.documents import context as build
from motcua.documents import pdf, signing, storage, uploads, warehouse
from motcua.documents.models import CertificationSequence, CertifiedCopy, Document
from motcua.documents.results import check_pdf, new_code, public_url
from motcua.documents.rules import CERTIFIED_COPY_RULE, FEE_SUPPORT_RULE
from motcua.dossiers import scans
from motcua.dossiers import services as dossier_services
from motcua.dossiers.lookup import DossierDetail, dossier_detail
from motcua.dossiers.models import Dossier, DossierComponent
from motcua.dossiers.rules import STALE_MESSAGE, DossierConflict, DossierForbidden, StaleDossier, State
from motcua.workdays.domain.calendar import to_local

MAX_COPIES = 50
MAX_PAGES = 200  # pages of one original certified at a time
OPEN_STATES = frozenset({State.RECEIVED, State.IN_PROGRESS})
IMAGE_TYPES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}
# The page of the copy (A4, points) and the area below the band where each scanned page is drawn.
A4 = (595.28, 841.89)
MM = 72 / 25.4
SIDE_MM, TOP_MM, BOTTOM_MM = 10, 22, 8


class NotCertifiable(DomainError):
    status = 400
    code = "not_certifiable"


@dataclass(frozen=True)
class Terms:
    procedures: tuple[str, ...]
    signer_roles: tuple[str, ...]
    book: str


def terms(at: datetime) -> Terms:
    value = rule_value(CERTIFIED_COPY_RULE, to_local(at).date())
    return Terms(tuple(value["procedures"]), tuple(value["signer_roles"]), str(value["book"]))


def support_percent(at: datetime) -> int:
    return int(rule_value(FEE_SUPPORT_RULE, to_local(at).date()))


def applies(dossier: Dossier, at: datetime) -> bool:
    """Whether the dossier's procedure certifies copies from originals."""
    return dossier.procedure.code in terms(at).procedures


def page_fee(dossier: Dossier) -> Fee | None:
    """The procedure version's per-page fee (TT 226/2016), if it lists one with a known amount."""
    return (
        Fee.objects.filter(
            version_id=dossier.procedure_version_id, basis=Fee.Basis.PER_PAGE, amount_vnd__isnull=False
        )
        .order_by("id")
        .first()
    )


@dataclass(frozen=True)
class Charge:
    fee: Decimal | None  # None: the procedure lists no per-page fee with an amount
    supported: Decimal  # the budget's share (what the citizen pays: CertifiedCopy.payable_vnd)


def charge_for(dossier: Dossier, pages: int, copies: int, at: datetime) -> Charge:
    """The certification's fee for ``copies`` copies of an original of ``pages`` pages, and the part the
    budget supports (rounded down to the đồng, so the citizen never pays a fraction)."""
    fee = page_fee(dossier)
    amount = fees.charge(fee, pages=pages, copies=copies) if fee is not None else None
    supported = Decimal(0) if amount is None else (amount * support_percent(at) // 100)
    return Charge(amount, supported)


def originals(dossier: Dossier) -> list[DossierComponent]:
    """The dossier's components with a stored scan, which can be certified."""
    return list(
        DossierComponent.objects.filter(dossier=dossier)
        .exclude(file="")
        .exclude(file__isnull=True)
        .order_by("id")
    )


def certified(dossier: Dossier) -> dict[int, CertifiedCopy]:
    """The dossier's certifications in force (not revoked), by the component certified."""
    rows = CertifiedCopy.objects.filter(document__dossier=dossier, document__revocation__isnull=True)
    return {c.component_id: c for c in rows.select_related("document")}


@dataclass(frozen=True)
class Offer:
    """What the dossier page's "certify" panel shows."""

    components: list[tuple[DossierComponent, CertifiedCopy | None]]
    fee: Fee | None
    percent: int


def offer(user: User, detail: DossierDetail, at: datetime | None = None) -> Offer | None:
    """The certify panel for ``user`` on this dossier, or ``None`` when it does not apply (another
    procedure, a closed dossier, someone who may not certify)."""
    at = at or timezone.now()
    dossier = detail.dossier
    if State(dossier.state) not in OPEN_STATES or not applies(dossier, at):
        return None
    if not has_role(user, terms(at).signer_roles, dossier.competent_unit):
        return None
    done = certified(dossier)
    return Offer([(c, done.get(c.pk)) for c in originals(dossier)], page_fee(dossier), support_percent(at))


# -- the copy's PDF --------------------------------------------------------------------------------


def _image_type(data: bytes) -> str | None:
    return next((kind for magic, kind in IMAGE_TYPES.items() if data.startswith(magic)), None)


def _matrix(box: tuple[float, float, float, float], rotate: int) -> tuple[float, ...]:
    """The ``cm`` that draws a page of media box ``box`` turned by ``rotate`` (its /Rotate, clockwise)
    into the area below the band, as large as fits and centred."""
    llx, lly, urx, ury = box
    w, h = urx - llx, ury - lly
    # (x, y) of the page, moved to the origin, → its position turned as a viewer shows it
    turn = {
        0: (1, 0, 0, 1, 0, 0),
        90: (0, -1, 1, 0, 0, w),
        180: (-1, 0, 0, -1, w, h),
        270: (0, 1, -1, 0, h, 0),
    }[rotate % 360]
    shown_w, shown_h = (h, w) if rotate % 180 else (w, h)
    area_w = A4[0] - 2 * SIDE_MM * MM
    area_h = A4[1] - (TOP_MM + BOTTOM_MM) * MM
    scale = min(area_w / shown_w, area_h / shown_h)
    ox = SIDE_MM * MM + (area_w - shown_w * scale) / 2
    oy = BOTTOM_MM * MM + (area_h - shown_h * scale) / 2
    a, b, c, d, e, f = turn
    # translate(-llx, -lly), then turn, then scale and move into the area
    e2 = a * -llx + c * -lly + e
    f2 = b * -llx + d * -lly + f
    return (a * scale, b * scale, c * scale, d * scale, e2 * scale + ox, f2 * scale + oy)


def _overlay(frames: bytes, scan: bytes, count: int) -> bytes:
    """``frames`` (the rendered copy) with page i of ``scan`` drawn on its page i, for i < ``count``."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.pdf_utils.rw_common import find_inherited_value_in_tree
    from pyhanko.pdf_utils.writer import copy_into_new_writer

    source = PdfFileReader(io.BytesIO(scan), strict=False)
    writer = copy_into_new_writer(PdfFileReader(io.BytesIO(frames), strict=False))
    for index in range(count):
        page = source.find_page_for_modification(index)[0].get_object()
        box = tuple(float(v) for v in find_inherited_value_in_tree(page, "/MediaBox", "/Parent"))
        rotate = int(find_inherited_value_in_tree(page, "/Rotate", "/Parent") or 0) % 360
        if rotate not in (0, 90, 180, 270):
            rotate = 0  # not a valid /Rotate: viewers show the page upright
        xobject = writer.import_page_as_xobject(source, index)
        name = f"/MotcuaOriginal{index}"
        cm = " ".join(f"{v:.4f}" for v in _matrix(box, rotate))  # type: ignore[arg-type]
        # the page's own content may leave its transformation in place (WeasyPrint's does): it is
        # wrapped in q … Q so that the original is drawn from the page's default coordinates
        before = generic.StreamObject(stream_data=b"q\n")
        writer.add_stream_to_page(index, writer.add_object(before), prepend=True)
        stream = generic.StreamObject(stream_data=f"\nQ q {cm} cm {name} Do Q\n".encode())
        resources = generic.DictionaryObject(
            {generic.pdf_name("/XObject"): generic.DictionaryObject({generic.pdf_name(name): xobject})}
        )
        writer.add_stream_to_page(index, writer.add_object(stream), resources=resources)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def compose(
    detail: DossierDetail,
    component: DossierComponent,
    original: bytes,
    *,
    number: int,
    book: str,
    copies: int,
    code: str,
    signer: User,
    at: datetime,
) -> tuple[bytes, int]:
    """The certified copy of ``original`` (a PDF or a JPEG/PNG scan) and the original's page count."""
    image = _image_type(original)
    if image is not None:
        _check_image(original)
        count = 1
        pages: list[str | None] = [f"data:{image};base64,{base64.b64encode(original).decode()}"]
    else:
        try:
            count = check_pdf(original).pages
        except signing.NotSignable as exc:
            raise _unusable(str(exc)) from None
        if count > MAX_PAGES:
            raise NotCertifiable(
                _("Bản chính có %(n)s trang: mỗi lần chứng thực tối đa %(max)s trang; chia thành nhiều bản.")
                % {"n": count, "max": MAX_PAGES}
            )
        pages = [None] * count
    with translation.override("vi"):
        ctx: dict[str, Any] = build.base_context(detail, at, str(number))
        ctx.update(
            {
                "pages": pages,
                "total_pages": count + 1,
                "number": number,
                "book": book,
                "copies": copies,
                "code": code,
                "original": component.name,
                "original_pages": count,
                "day": f"{to_local(detail.dossier.received_at or at):%d/%m/%Y}",
                "signer": signer.full_name or signer.get_username(),
                "signer_title": signer.job_title,
                "verify_url": public_url(code),
                "verify_qr": build.qr_data_uri(public_url(code)),
                "side_mm": SIDE_MM,
                "body_top_mm": TOP_MM,
                "body_bottom_mm": BOTTOM_MM,
                "body_height_mm": 297 - TOP_MM - BOTTOM_MM,
            }
        )
        # an image is drawn by WeasyPrint itself (PDF/A-2b); a scanned PDF's pages are drawn as they
        # are, and their content (fonts, transparency) is not ours to declare archival
        frames, _count = pdf.render("documents/certified/copy.html", ctx, archival=image is not None)
    if image is None:
        try:
            frames = _overlay(frames, original, count)
        except (PdfError, KeyError, IndexError, TypeError, ValueError, AttributeError, ZeroDivisionError):
            raise _unusable(_("có trang không đọc được.")) from None
    return frames, count


def _unusable(why: str) -> NotCertifiable:
    return NotCertifiable(_("Bản quét của bản chính không dùng được: %(why)s") % {"why": why})


def _check_image(data: bytes) -> None:
    """A photograph that decodes whole (a damaged one would be certified as a blank page)."""
    problem = uploads.image_problem(data)
    if problem == uploads.TOO_SMALL:
        raise _unusable(_("ảnh quá nhỏ để đọc được."))
    if problem:
        raise _unusable(_("ảnh bị hỏng, không đọc được."))


# -- certifying ------------------------------------------------------------------------------------


def _next_number(unit: OrgUnit, year: int) -> int:
    """The next number of ``unit``'s book in ``year`` (``fastsql.next_value``: the row locked until the
    transaction ends, as dossier codes are numbered)."""
    return fastsql.next_value(CertificationSequence, {"unit": unit.pk, "year": year})


def certify_copy(
    user: User, code: str, *, expected_version: int, component_id: int, copies: int = 1
) -> Document:
    """Certify the scanned original ``component_id`` of dossier ``code`` as an electronic copy (see the
    module's text). ``DossierNotFound`` outside the user's scope; ``DossierForbidden`` for someone who
    may not certify; ``DossierConflict`` for another procedure, a closed dossier, an original already
    certified; ``StaleDossier``; ``NotCertifiable`` for a scan that cannot be used;
    ``signing.SigningUnavailable`` without a usable key. Nothing is kept unless all of it is."""
    at = timezone.now()
    detail = dossier_detail(user, code)
    dossier = detail.dossier
    rule = terms(at)
    if not has_role(user, rule.signer_roles, dossier.competent_unit):
        raise DossierForbidden(
            _("Chỉ người có thẩm quyền ký chứng thực của %(unit)s mới chứng thực được bản sao.")
            % {"unit": dossier.competent_unit.name}
        )
    if dossier.procedure.code not in rule.procedures:
        raise DossierConflict(
            _("Thủ tục của hồ sơ này không phải chứng thực bản sao từ bản chính."), code="not_certification"
        )
    if not 1 <= copies <= MAX_COPIES:
        raise NotCertifiable(_("Số bản phải từ 1 đến %(max)s.") % {"max": MAX_COPIES})
    component = next((c for c in originals(dossier) if c.pk == component_id), None)
    if component is None:
        raise NotCertifiable(_("Chọn một giấy tờ đã quét của hồ sơ này để chứng thực."))
    try:
        original = scans.content(component.file.name, component.file_sha256)
    except OSError:
        raise NotCertifiable(
            _("Không đọc được bản quét của bản chính (tệp thiếu hoặc đã bị thay đổi): hãy quét lại.")
        ) from None
    unit = dossier.competent_unit
    name = user.full_name or user.get_username()
    stored = None
    try:
        with transaction.atomic():
            locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
            if locked.lock_version != expected_version:
                raise StaleDossier(STALE_MESSAGE, details={"expected_version": locked.lock_version})
            if State(locked.state) not in OPEN_STATES:
                raise DossierConflict(
                    _("Hồ sơ đã kết thúc xử lý: không chứng thực thêm được."), code="dossier_closed"
                )
            done = certified(locked).get(component.pk)
            if done is not None:
                raise DossierConflict(
                    _("Bản chính này đã được chứng thực (số %(number)s, quyển %(book)s).")
                    % {"number": done.number, "book": done.book},
                    code="already_certified",
                )
            year = to_local(at).year
            number = _next_number(unit, year)
            book = rule.book.format(year=year)
            public_code = new_code()
            content, pages = compose(
                detail,
                component,
                original,
                number=number,
                book=book,
                copies=copies,
                code=public_code,
                signer=user,
                at=at,
            )
            with signing.parties((user.get_username(), name, unit.name), (unit.code, unit.name)) as parties:
                signed = signing.sign(
                    content,
                    parties,
                    reason=f"Chứng thực bản sao từ bản chính, số {number}, quyển số {book}",
                    location=build.place_name(),
                )
                signed_by = [
                    {"name": p.name, "role": p.role, "serial": format(p.certificate.serial_number, "x")}
                    for p in parties
                ]
            stored = storage.put(signed)
            document = Document.objects.create(
                dossier=locked,
                kind=Document.Kind.CERTIFIED_COPY,
                title=f"Bản sao điện tử chứng thực từ bản chính — {component.name}"[:255],
                sha256=stored.sha256,
                size=stored.size,
                pages=pages + 1,
                storage_name=stored.name,
                created_at=at,
                created_by=user,
                created_by_label=name,
                public_code=public_code,
                signed_by=signed_by,
            )
            warehouse.keep_issued(document, doc_type="", issuer=unit.name)
            money = charge_for(locked, pages, copies, at)
            entry = CertifiedCopy.objects.create(
                document=document,
                component=component,
                unit=unit,
                year=year,
                number=number,
                book=book,
                pages=pages,
                copies=copies,
                fee_vnd=money.fee,
                supported_vnd=money.supported,
            )
            listed = page_fee(locked)
            if listed is not None and money.fee is not None:
                # What the citizen pays for every copy certified in this dossier so far is the amount of
                # its per-page fee line (the line showed the rate until now).
                payable = sum(
                    (c.payable_vnd or 0)
                    for c in CertifiedCopy.objects.filter(
                        document__dossier=locked, document__revocation__isnull=True
                    )
                )
                dossier_services.set_computed_fee(
                    locked, catalogue_fee_id=listed.pk, amount_vnd=Decimal(payable)
                )
            audit.record(
                "copy_certified",
                object_type="documents.CertifiedCopy",
                object_id=entry.pk,
                summary=f"Chứng thực bản sao điện tử số {number}, quyển {book} (hồ sơ {dossier.code})",
                data={
                    "dossier": dossier.code,
                    "code": public_code,
                    "sha256": stored.sha256,
                    "pages": pages,
                    "copies": copies,
                    "fee_vnd": None if money.fee is None else int(money.fee),
                    "supported_vnd": int(money.supported),
                },
            )
    except BaseException:
        if stored is not None and not Document.objects.filter(sha256=stored.sha256).exists():
            storage.remove(stored.name)
        raise
    return document
