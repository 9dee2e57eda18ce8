"""The electronic receipt of an online payment (biên lai thu phí, lệ phí điện tử): a PDF drawn from the
payment, signed with the collecting unit's key, kept once as a document of the dossier (kind
*receipt*, verifiable at /xac-thuc/ by its code). ❓ The layout follows the usual receipt (form, serial,
number, payer, lines, total, means of payment); the official template of the receipt is not held.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from motcua.core import audit
from motcua.documents import pdf, results, signing, storage
from motcua.documents.context import long_date, place_name, qr_data_uri
from motcua.documents.models import Document
from motcua.dossiers.models import Dossier
from motcua.dossiers.refdata import attach_reference
from motcua.payments.models import Payment
from motcua.workdays.domain import to_local


def _money(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " đồng"


def receipt_for(payment: Payment) -> Document:
    """The payment's receipt, drawn and signed the first time it is asked for."""
    if payment.receipt_id:
        return Document.objects.get(pk=payment.receipt_id)
    if payment.status != Payment.Status.PAID:
        raise ValueError("Chỉ lập biên lai cho khoản đã thanh toán.")
    dossier = attach_reference(
        Dossier.objects.select_related("applicant_person", "applicant_organisation").get(
            pk=payment.dossier_id
        )
    )
    unit = dossier.competent_unit
    parent = unit.parent if unit.parent_id else None
    code = results.new_code()
    context = {
        "issuer": {
            "authority": (parent.name if parent else str(settings.MOTCUA_PROVINCE_NAME)).upper(),
            "unit": unit.name.upper(),
        },
        "payment": payment,
        "number": payment.receipt_number,
        "d": dossier,
        "lines": [(line["name"], _money(int(line["amount_vnd"]))) for line in payment.lines],
        "total": _money(int(payment.amount_vnd)),
        "paid_at": f"{to_local(payment.paid_at or timezone.now()):%H:%M ngày %d/%m/%Y}",
        "place": place_name(),
        "date_line": long_date(payment.paid_at or timezone.now()),
        "verify_url": results.public_url(code),
        "verify_qr": qr_data_uri(results.public_url(code)),
        "code": code,
    }
    content, pages = pdf.render("payments/issued/receipt.html", context, archival=True)
    with signing.parties(None, (unit.code, unit.name)) as parties:
        signed = signing.sign(
            content, parties, reason=f"Biên lai {payment.receipt_number}", location=place_name()
        )
        signed_by = [
            {"name": p.name, "role": p.role, "serial": format(p.certificate.serial_number, "x")}
            for p in parties
        ]
    stored = storage.put(signed)
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if locked.receipt_id:  # drawn by another request meanwhile
            return Document.objects.get(pk=locked.receipt_id)
        document = Document.objects.create(
            dossier=dossier,
            kind=Document.Kind.RECEIPT,
            title=f"Biên lai thu phí, lệ phí số {payment.receipt_number} — {dossier.code}",
            sha256=stored.sha256,
            size=stored.size,
            pages=pages,
            storage_name=stored.name,
            created_at=timezone.now(),
            created_by=None,
            created_by_label=unit.name,
            public_code=code,
            signed_by=signed_by,
        )
        Payment.objects.filter(pk=payment.pk).update(receipt=document)
        audit.record(
            "payment.receipt",
            object_type="documents.Document",
            object_id=document.pk,
            summary=f"Lập biên lai {payment.receipt_number} cho hồ sơ {dossier.code}",
            data={"payment": payment.reference, "sha256": stored.sha256},
        )
    payment.receipt_id = document.pk
    return document
