"""The demo's signed documents: the demo CA (kept if it exists) and the electronic results of the most
recently finished history dossiers that carry a result code — signed by the competent unit's leader, as
they would have been had motcua issued them. ``MOTCUA_DEMO_SIGNED_RESULTS`` of them (each signing takes
a quarter of a second); older dossiers keep their result number only. Idempotent: a dossier whose result
is signed is skipped."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q

from motcua.core.demodata import Say
from motcua.core.models import Role, RoleAssignment, User
from motcua.documents import pki, results, signing
from motcua.documents.models import Document
from motcua.dossiers.models import Dossier
from motcua.dossiers.rules import State


def _leader(unit_id: int, cache: dict[int, User | None]) -> User | None:
    if unit_id not in cache:
        holder = (
            RoleAssignment.objects.filter(unit_id=unit_id, role=Role.AGENCY_LEADER, valid_to__isnull=True)
            .select_related("user__primary_unit")
            .order_by("user__username")
            .first()
        )
        cache[unit_id] = holder.user if holder is not None and holder.user.is_active else None
    return cache[unit_id]


def load_documents_demo(say: Say) -> int:
    pki.create_demo_ca()
    wanted = settings.MOTCUA_DEMO_SIGNED_RESULTS
    done = Document.objects.filter(kind=Document.Kind.RESULT).count()
    if done >= wanted:
        say(f"  {done} kết quả điện tử đã ký số")
        return 0
    candidates = (
        Dossier.objects.filter(state__in=[State.RESULT_READY, State.RETURNED], result_file_url="")
        .filter(~Q(result_code=""))
        .order_by("-finished_at", "-id")
    )
    leaders: dict[int, User | None] = {}
    signed = 0
    for dossier in candidates[: wanted * 6]:
        if done + signed >= wanted:
            break
        signer = _leader(dossier.competent_unit_id, leaders)
        if signer is None:
            continue
        try:
            if results.attach_result(dossier, signer) is not None:
                signed += 1
        except signing.SigningUnavailable as exc:
            say(f"  không ký được kết quả điện tử: {exc.message}")
            return signed
    say(f"  {signed} kết quả điện tử mới được ký số (lãnh đạo cơ quan giải quyết và cơ quan)")
    return signed
