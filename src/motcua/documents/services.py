"""Issuing the official forms of a dossier: rendered once, stored under their hash, kept.

``issue_form`` is the one way a form comes to exist. The form of an event (the receipt of the intake,
the request of a supplement…) is rendered the first time anyone needs it — to print it at the counter,
to download it — and that document is what is served from then on, whatever changes later. Two people
asking at once get the same document (a unique constraint; the loser reads the winner's row)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from motcua.core import audit
from motcua.core.errors import NotFound
from motcua.core.models import User
from motcua.core.rules import RuleValueError
from motcua.documents import context as build
from motcua.documents import forms, pdf, storage
from motcua.documents.models import Document
from motcua.dossiers.lookup import DossierDetail, detail_of, dossier_detail
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.refdata import PEOPLE_RELATED, attach_reference
from motcua.dossiers.rules import DossierNotFound

BUILDERS = {"01": build.receipt, "02": build.supplement, "03": build.refusal, "04": build.apology}


class FormNotAvailable(NotFound):
    status = 404
    code = "form_not_available"


@dataclass(frozen=True)
class Available:
    """A form the dossier's history calls for: which, for which event, and whether it exists yet."""

    key: str
    spec: forms.FormSpec
    seq: int
    at: Any
    issued: Document | None


def _label(user: User | None) -> str:
    if user is None:
        return "Hệ thống"
    return user.full_name or user.get_username()


def available(detail: DossierDetail, issued: list[Document] | None = None) -> list[Available]:
    """Every form the history calls for, in the order of the history; the control sheet last, as of the
    dossier's current version (once it has been received)."""
    if issued is None:
        issued = list(Document.objects.filter(dossier=detail.dossier, kind=Document.Kind.FORM))
    by_key = {(d.form_code, d.event_seq): d for d in issued}
    out: list[Available] = []
    for key in ("01", "02", "03", "04"):
        for event in forms.events_for(key, detail.events):
            spec = forms.spec(forms.form_set_on(event.at), key)
            out.append(Available(key, spec, event.seq, event.at, by_key.get((key, event.seq))))
    out.sort(key=lambda a: a.seq)
    if detail.dossier.received_at is not None:
        version = detail.dossier.lock_version
        spec = forms.spec(forms.form_set_on(timezone.now()), "05")
        out.append(Available("05", spec, version, timezone.now(), by_key.get(("05", version))))
    return out


def _event(detail: DossierDetail, key: str, seq: int | None) -> DossierEvent | None:
    candidates = forms.events_for(key, detail.events)
    if seq is None:
        return candidates[-1] if candidates else None
    return next((e for e in candidates if e.seq == seq), None)


def issue_form(user: User, code: str, key: str, seq: int | None = None) -> Document:
    """The form ``key`` ("01"…"05") of dossier ``code`` for the event ``seq`` (default: the latest such
    event; for the control sheet, the dossier's current version), issued now if it was not yet.
    ``DossierNotFound`` outside the user's scope; ``FormNotAvailable`` when the history has no such
    moment (no refusal, no apology…)."""
    if key not in forms.FORM_KEYS:
        raise FormNotAvailable(f"Không có biểu mẫu số {key[:4]}.")
    return issue(dossier_detail(user, code), key, seq, user)


def issue_unscoped(code: str, key: str, seq: int | None = None) -> Document:
    """``issue_form`` for the command line (``motcua documents form``): any dossier, issued by the system."""
    if key not in forms.FORM_KEYS:
        raise FormNotAvailable(f"Không có biểu mẫu số {key[:4]}.")
    dossier = Dossier.objects.select_related(*PEOPLE_RELATED).filter(code=code).first()
    if dossier is None:
        raise DossierNotFound(f"Không tìm thấy hồ sơ có mã {code}.")
    attach_reference(dossier)
    return issue(detail_of(dossier, {}), key, seq, None)


def issue(detail: DossierDetail, key: str, seq: int | None, user: User | None) -> Document:
    """The form ``key`` of a dossier already looked up (and scoped) for the event ``seq``."""
    code = detail.dossier.code
    if key == "05":
        if detail.dossier.received_at is None:
            raise FormNotAvailable("Hồ sơ chưa được tiếp nhận: chưa có phiếu kiểm soát.")
        version = detail.dossier.lock_version if seq is None else seq
        if not 1 <= version <= detail.dossier.lock_version:
            raise FormNotAvailable("Không có phiên bản này của hồ sơ.")
        at = next((e.at for e in detail.events if e.seq == version), timezone.now())
        context_for: Any = lambda: build.control(detail, version)  # noqa: E731
    else:
        event = _event(detail, key, seq)
        if event is None:
            spec = forms.spec(forms.TT01_2018, key)
            raise FormNotAvailable(f"Hồ sơ {code} chưa có {spec.short.lower()}.")
        version, at = event.seq, event.at
        context_for = lambda: BUILDERS[key](detail, event)  # noqa: E731
    found = Document.objects.filter(
        dossier=detail.dossier, kind=Document.Kind.FORM, form_code=key, event_seq=version
    ).first()
    if found is not None:
        return found
    try:
        form_set = forms.form_set_on(at)
        spec = forms.spec(form_set, key)
    except (RuleValueError, KeyError):
        raise FormNotAvailable("Bộ biểu mẫu đang áp dụng không có mẫu này.") from None
    with translation.override("vi"):  # an official form is in Vietnamese whoever prints it
        context = build.base(spec, detail, at, f"{detail.dossier.code}/{key}-{version}")
        context.update(context_for())
        data, pages = pdf.render(spec.template, context)
    stored = storage.put(data)
    try:
        with transaction.atomic():
            document = Document.objects.create(
                dossier=detail.dossier,
                kind=Document.Kind.FORM,
                form_set=form_set,
                form_code=key,
                event_seq=version,
                title=f"{spec.title} — {detail.dossier.code}",
                sha256=stored.sha256,
                size=stored.size,
                pages=pages,
                storage_name=stored.name,
                created_at=timezone.now(),
                created_by=user,
                created_by_label=_label(user),
            )
            audit.record(
                "document_issued",
                object_type="documents.Document",
                object_id=document.pk,
                summary=f"Lập {spec.short} cho hồ sơ {detail.dossier.code}",
                data={"dossier": detail.dossier.code, "form": key, "seq": version, "sha256": stored.sha256},
            )
    except IntegrityError:  # issued by someone else meanwhile: theirs is the form
        return Document.objects.get(
            dossier=detail.dossier, kind=Document.Kind.FORM, form_code=key, event_seq=version
        )
    return document


def content(document: Document) -> bytes:
    return storage.read(document.storage_name, document.sha256)


# The forms of an event, issued by the worker soon after it (``tasks.issue_recent_forms``), so that the
# counter's print button reads a stored file instead of waiting for a rendering.
EVENT_FORMS: dict[str, frozenset[str]] = {
    key: frozenset(str(a) for a in forms.SETS[forms.TT01_2018][key].actions or ()) for key in BUILDERS
}
RECENT_BATCH = 200


def issue_recent(since: Any, limit: int = RECENT_BATCH) -> int:
    """Issue the forms of the events since ``since`` that have none yet (as the system), oldest first,
    at most ``limit``. Returns how many were issued; a dossier that cannot be read is skipped."""
    from django.db.models import Exists, OuterRef

    actions = {action: key for key, wanted in EVENT_FORMS.items() for action in wanted}
    pending = (
        DossierEvent.objects.filter(action__in=list(actions), at__gte=since)
        .annotate(
            issued=Exists(
                Document.objects.filter(
                    dossier_id=OuterRef("dossier_id"), kind=Document.Kind.FORM, event_seq=OuterRef("seq")
                )
            )
        )
        .filter(issued=False)
        .order_by("at", "id")
        .values_list("dossier__code", "action", "seq")[:limit]
    )
    done = 0
    for code, action, seq in list(pending):
        try:
            issue_unscoped(code, actions[action], seq)
        except FormNotAvailable:
            continue
        done += 1
    return done
