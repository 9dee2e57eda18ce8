"""What the outbox holds, for the operators' screen and ``motcua integrations status``."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from motcua.integrations import registry
from motcua.integrations.models import ChannelState, OutboxMessage


def overview() -> list[dict[str, Any]]:
    """Per channel: configured or not, messages by state, the circuit (two queries in all)."""
    counts: dict[str, dict[str, int]] = {}
    for topic, status, n in (
        OutboxMessage.objects.order_by().values_list("topic", "status").annotate(n=Count("id"))
    ):
        channel = registry.channel_of(topic)
        if channel is not None:
            bucket = counts.setdefault(channel.name, {})
            bucket[status] = bucket.get(status, 0) + n
    states = {s.channel: s for s in ChannelState.objects.all()}
    out = []
    for channel in registry.channels():
        state = states.get(channel.name)
        c = counts.get(channel.name, {})
        out.append(
            {
                "name": channel.name,
                "label": channel.label,
                "configured": bool(_configured(channel.name)),
                "pending": c.get("pending", 0),
                "delivered": c.get("delivered", 0),
                "dead": c.get("dead", 0),
                "open_until": state.open_until.isoformat() if state and state.open_until else None,
                "failures": state.failures if state else 0,
                "last_error": state.last_error if state and state.failures else "",
                "last_success_at": state.last_success_at.isoformat()
                if state and state.last_success_at
                else None,
            }
        )
    return out


def _configured(name: str) -> bool:
    adapter = registry.adapter(name)
    if adapter is None:
        return False
    adapter.close()
    return True


def messages(
    *, channel: str = "", topic: str = "", status: str = "", key: str = ""
) -> QuerySet[OutboxMessage]:
    """The messages matching the filters, newest first (without their bodies)."""
    qs = OutboxMessage.objects.defer("payload").order_by("-id")
    if channel:
        qs = qs.filter(topic__in=registry.channel(channel).topics)
    if topic:
        qs = qs.filter(topic=topic)
    if status == "retrying":
        qs = qs.filter(status=OutboxMessage.Status.PENDING, attempts__gt=0)
    elif status:
        qs = qs.filter(status=status)
    if key:
        qs = qs.filter(Q(key=key.strip()))
    return qs
