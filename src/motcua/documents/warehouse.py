"""The personal data warehouse ("Kho dữ liệu của tôi"): what a citizen or organisation holds, kept once.

- ``keep_upload``: a document the owner uploads (checked by content, ``uploads.check``), kept under its
  hash; the same file of the same type uploaded again is the same item.
- ``keep_issued``: a signed result or certified copy issued to a dossier's applicant, kept in their
  warehouse in the transaction that issues it (``results``, ``certified``).
- ``items_for`` / ``item_for``: the owner's items, never another's (an item of someone else is "not
  found", like a missing one); ``content``: the bytes, checked against the hash.
- ``as_upload``: an item as the file of a dossier component, for a dossier that takes it instead of
  an upload (the component is then marked ``reused``).
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from motcua.core import audit, contentstore
from motcua.core.errors import NotFound
from motcua.core.models import Organisation, Person
from motcua.documents import uploads
from motcua.documents.models import Document, WarehouseItem
from motcua.dossiers.models import Dossier

Owner = Person | Organisation
PREFIX = "kho/"


def _owner_filter(owner: Owner) -> dict[str, Any]:
    if isinstance(owner, Person):
        return {"owner_person_id": owner.pk}
    return {"owner_organisation_id": owner.pk}


def _owner_fields(owner: Owner) -> dict[str, Any]:
    if isinstance(owner, Person):
        return {"owner_person": owner}
    return {"owner_organisation": owner}


def items_for(owner: Owner, doc_type: str | None = None, *, usable: bool = False) -> QuerySet[WarehouseItem]:
    """The owner's documents, newest first (``doc_type``: only that type of paper; ``usable``: without
    the issued documents revoked since, which no dossier may take)."""
    found = WarehouseItem.objects.filter(**_owner_filter(owner), removed_at__isnull=True)
    if doc_type is not None:
        found = found.filter(doc_type=doc_type)
    if usable:
        found = found.exclude(document__revocation__isnull=False)
    return found.select_related("document__revocation").order_by("-created_at", "-id")


def item_for(owner: Owner, item_id: int | str) -> WarehouseItem:
    """One of the owner's documents; ``NotFound`` for anyone else's or a removed one."""
    try:
        number = int(item_id)
    except (TypeError, ValueError):
        raise NotFound("Không tìm thấy giấy tờ này trong kho dữ liệu của bạn.") from None
    found = items_for(owner).filter(pk=number).first()
    if found is None:
        raise NotFound("Không tìm thấy giấy tờ này trong kho dữ liệu của bạn.")
    return found


def keep_upload(
    owner: Owner, data: bytes, *, title: str, doc_type: str = "", account_id: int | None = None
) -> WarehouseItem:
    """Keep an uploaded document in the owner's warehouse (``uploads.UploadRefused`` when the file is
    not a usable PDF or photograph). The same bytes of the same type kept again give the same item."""
    checked = uploads.check(data)
    name = " ".join(title.split())[:255] or "Giấy tờ tải lên"
    if "\x00" in name:
        raise uploads.UploadRefused("Tên giấy tờ không được chứa ký tự NUL.", code="upload_title")
    kept = contentstore.put(data, suffix=checked.suffix, prefix=PREFIX)
    with transaction.atomic():
        same = items_for(owner, doc_type).filter(sha256=kept.sha256, account_id=account_id).first()
        if same is not None:
            return same
        item = WarehouseItem.objects.create(
            **_owner_fields(owner),
            doc_type=doc_type,
            title=name,
            source=WarehouseItem.Source.UPLOAD,
            sha256=kept.sha256,
            size=kept.size,
            pages=checked.pages,
            content_type=checked.content_type,
            storage_name=kept.name,
            account_id=account_id,
            created_at=timezone.now(),
        )
        audit.record(
            "warehouse.kept",
            object_type="documents.warehouseitem",
            object_id=str(item.pk),
            summary=f"Lưu “{name[:80]}” vào kho dữ liệu",
            data={"doc_type": doc_type, "sha256": kept.sha256},
        )
    return item


def keep_issued(document: Document, *, doc_type: str, issuer: str) -> WarehouseItem | None:
    """Keep a signed result or certified copy in its dossier's applicant's warehouse (in the caller's
    transaction); ``None`` when the applicant is not on record (no identity number)."""
    dossier = document.dossier
    owner: Owner | None = dossier.applicant_person or dossier.applicant_organisation
    if owner is None:
        return None
    source = (
        WarehouseItem.Source.CERTIFIED_COPY
        if document.kind == Document.Kind.CERTIFIED_COPY
        else WarehouseItem.Source.RESULT
    )
    item, _ = WarehouseItem.objects.get_or_create(
        document=document,
        defaults={
            **_owner_fields(owner),
            "doc_type": doc_type,
            "title": document.title[:255],
            "source": source,
            "sha256": document.sha256,
            "size": document.size,
            "pages": document.pages,
            "content_type": document.content_type,
            "storage_name": document.storage_name,
            "dossier": dossier,
            "issuer": issuer[:255],
            "created_at": document.created_at,
        },
    )
    return item


def result_type(dossier: Dossier) -> str:
    """The type of paper the dossier's procedure issues as its result ("" when the catalogue says none)."""
    found = dossier.procedure_version.result_doc_type
    return found.code if found is not None else ""


def remove(owner: Owner, item_id: int | str) -> None:
    """The owner takes an uploaded item out of their warehouse (dossiers that used it keep their copy;
    an issued document stays: it is the state's record of what was issued)."""
    with transaction.atomic():
        item = item_for(owner, item_id)
        if item.source != WarehouseItem.Source.UPLOAD:
            raise uploads.UploadRefused(
                "Giấy tờ do cơ quan nhà nước cấp không gỡ được khỏi kho.", code="warehouse_issued"
            )
        WarehouseItem.objects.filter(pk=item.pk).update(removed_at=timezone.now())
        audit.record(
            "warehouse.removed",
            object_type="documents.warehouseitem",
            object_id=str(item.pk),
            summary=f"Gỡ “{item.title[:80]}” khỏi kho dữ liệu",
        )


def content(item: WarehouseItem) -> bytes:
    """The item's bytes, checked against its hash."""
    return contentstore.read(item.storage_name, item.sha256)


def file_name(item: WarehouseItem) -> str:
    """A name for the item's bytes, never the uploader's: its hash and the suffix it is stored under."""
    return f"{item.sha256[:16]}{PurePosixPath(item.storage_name).suffix}"


def as_upload(item: WarehouseItem) -> ContentFile[bytes]:
    """The item as a file handed to a dossier (kept again under the same hash: no copy is made)."""
    return ContentFile(content(item), name=file_name(item))
