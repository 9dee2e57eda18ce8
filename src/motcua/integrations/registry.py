"""The channels of the outbox: which adapter delivers which topics (plugins chosen by configuration).

A *channel* is one receiving system (the national public service portal, the national reporting system,
a payment gateway, a notification service). It owns a set of topics, and messages of one key (a dossier
code, a report) are delivered in order across all the topics of their channel: the portal never
receives a dossier's progress event before the record that creates it.

The adapter of a channel is named in the setting ``MOTCUA_OUTBOX_CHANNELS`` (a dotted path to a factory
per channel), so production switches adapters by configuration. A factory returns ``None`` when the
channel is not configured (no address): its messages then wait in the outbox, and are sent as soon as
it is configured.

Domain apps register what happens *after* a delivery (``on_delivered``), from their
``AppConfig.ready``: the reporting app keeps the receipt number on the aggregated report. The hook runs
in the transaction that marks the messages delivered.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

OutcomeKind = Literal["delivered", "rejected", "retry", "unavailable"]


@dataclass(frozen=True)
class Envelope:
    """A claimed message as an adapter sees it (plain values: adapters run in sender threads)."""

    id: int
    topic: str
    key: str
    idempotency_key: str
    payload: dict[str, Any]
    attempts: int


@dataclass(frozen=True)
class Outcome:
    """What became of one send.

    - ``delivered``: the receiver acknowledged it (``receipt``: its reference, when it gives one);
    - ``rejected``: the receiver refused the message itself (invalid): it will not do better later, so
      it goes to the dead letters at once;
    - ``retry``: a temporary error for this message (5xx, 408, 429): tried again after a back-off, dead
      after ``MOTCUA_OUTBOX_MAX_ATTEMPTS``;
    - ``unavailable``: the receiver could not be reached at all: the channel pauses (circuit breaker);
      such a message never becomes dead, since nothing is wrong with it."""

    kind: OutcomeKind
    detail: str = ""
    receipt: str = ""


class Adapter(Protocol):
    def send(self, message: Envelope) -> Outcome: ...

    def close(self) -> None: ...


class Queryable(Protocol):
    """An adapter that also answers questions (the national portal's ``LayThuTuc``, ``LayHoSoMoi``…)."""

    def query(self, body: dict[str, Any]) -> dict[str, Any]: ...

    def close(self) -> None: ...


class QueryFailed(Exception):
    """A question to another system got no answer (unreachable, not configured) or was refused."""

    def __init__(self, message: str, *, unavailable: bool) -> None:
        super().__init__(message)
        self.message = message
        self.unavailable = unavailable


@dataclass(frozen=True)
class Delivered:
    idempotency_key: str
    topic: str
    key: str
    receipt: str
    at: datetime


@dataclass(frozen=True)
class Channel:
    name: str
    label: str
    topics: tuple[str, ...]


# The channels motcua knows (their adapters come from settings.MOTCUA_OUTBOX_CHANNELS).
CHANNELS: tuple[Channel, ...] = (
    Channel(
        "dvcqg",
        "Cổng Dịch vụ công quốc gia",
        ("dvcqg.DongBoHoSoMC", "dvcqg.CapNhatTienDoHoSoMC"),
    ),
    Channel("baocao", "Hệ thống thông tin báo cáo quốc gia", ("baocao.NopBaoCao",)),
    Channel("email", "Thư điện tử thông báo cho người nộp hồ sơ", ("thongbao.email",)),
    Channel("sms", "Tin nhắn SMS thông báo cho người nộp hồ sơ", ("thongbao.sms",)),
    Channel("zalo", "Tin Zalo thông báo cho người nộp hồ sơ", ("thongbao.zalo",)),
)

# What each topic is, in words (operators' screen).
TOPIC_LABELS = {
    "dvcqg.DongBoHoSoMC": "Hồ sơ (bản ghi đầy đủ)",
    "dvcqg.CapNhatTienDoHoSoMC": "Tiến độ xử lý hồ sơ",
    "baocao.NopBaoCao": "Báo cáo tổng hợp",
    "thongbao.email": "Thư thông báo tình trạng hồ sơ",
    "thongbao.sms": "Tin nhắn SMS tình trạng hồ sơ",
    "thongbao.zalo": "Tin Zalo tình trạng hồ sơ",
}

_hooks: dict[str, list[Callable[[Sequence[Delivered]], None]]] = {}


def channels() -> tuple[Channel, ...]:
    return CHANNELS


def channel(name: str) -> Channel:
    for c in CHANNELS:
        if c.name == name:
            return c
    raise KeyError(name)


def channel_of(topic: str) -> Channel | None:
    return next((c for c in CHANNELS if topic in c.topics), None)


def select(names: Sequence[str] | None) -> list[Channel]:
    """The channels named (a channel name such as ``dvcqg`` or one of its topics); all when ``None``.
    ``KeyError`` for a name that is neither."""
    if not names:
        return list(CHANNELS)
    chosen: list[Channel] = []
    for name in names:
        found = next((c for c in CHANNELS if name == c.name or name in c.topics), None)
        if found is None:
            raise KeyError(name)
        if found not in chosen:
            chosen.append(found)
    return chosen


def adapter(name: str) -> Adapter | None:
    """A new adapter of the channel (``None`` when it is not configured: its messages wait)."""
    path = settings.MOTCUA_OUTBOX_CHANNELS.get(name)
    if not path:
        return None
    factory: Callable[[], Adapter | None] = import_string(path)
    return factory()


def query(channel_name: str, body: dict[str, Any]) -> dict[str, Any]:
    """Ask a channel's system something (request and answer, nothing queued): the port through which
    domain apps *pull* from other systems. ``QueryFailed`` when it is not configured, cannot be reached
    or refuses the question."""
    found = adapter(channel_name)
    if found is None:
        raise QueryFailed(f"Chưa cấu hình địa chỉ kết nối {channel(channel_name).label}.", unavailable=True)
    try:
        if not hasattr(found, "query"):
            raise QueryFailed(f"{channel(channel_name).label} không hỗ trợ tra cứu.", unavailable=False)
        return found.query(body)  # type: ignore[no-any-return]
    finally:
        found.close()


@dataclass(frozen=True)
class PayOrder:
    """What the applicant is asked to pay, as a gateway needs it."""

    reference: str  # ours, unique (the gateway's order reference)
    amount_vnd: int
    info: str  # what for, shown on the gateway's page
    return_url: str  # where the gateway sends the applicant back
    ip: str
    created_at: datetime


@dataclass(frozen=True)
class GatewayReply:
    """A gateway's word on a payment (a notification, a return, or the answer to a query)."""

    reference: str
    amount_vnd: int
    paid: bool
    status: str  # the gateway's own code, kept for the operator
    transaction_no: str
    bank_code: str = ""
    paid_at: datetime | None = None
    message: str = ""


class PaymentGateway(Protocol):
    label: str

    def pay_url(self, order: PayOrder) -> str: ...

    def verify(self, params: dict[str, str]) -> GatewayReply | None: ...

    def query(self, reference: str, created_at: datetime, ip: str) -> GatewayReply: ...

    def close(self) -> None: ...


def payment_gateway() -> PaymentGateway | None:
    """The configured payment gateway (setting ``MOTCUA_PAYMENT_GATEWAY``: a factory), or ``None``."""
    path = settings.MOTCUA_PAYMENT_GATEWAY
    if not path:
        return None
    factory: Callable[[], PaymentGateway | None] = import_string(path)
    return factory()


@dataclass(frozen=True)
class Resident:
    """A person as the national population database (Cơ sở dữ liệu quốc gia về dân cư) records them."""

    citizen_id: str  # số định danh cá nhân, 12 digits
    full_name: str
    birth_date: date | None  # None when the registry gives no full date
    gender: str  # "male" | "female" | "" (not given)
    permanent_address: str  # nơi thường trú
    current_address: str  # nơi ở hiện tại
    birth_place: str  # nơi sinh
    hometown: str  # quê quán
    ethnicity: str  # dân tộc
    nationality: str  # quốc tịch
    record_code: str  # the code of the record consulted (the national sync's ``MaCSDL``)


class PopulationRegistry(Protocol):
    label: str

    def lookup(self, citizen_id: str) -> Resident | None:
        """The resident with this number; ``None`` when the registry has nobody with it. A number that
        cannot be one raises ``ValueError`` (``core.identity.IdentityError``, its message for the user)
        before anything is sent; ``QueryFailed`` when the registry cannot answer (unreachable, our key
        refused: ``unavailable``) or refuses the question."""
        ...

    def close(self) -> None: ...


def population_registry() -> PopulationRegistry | None:
    """The configured population registry (setting ``MOTCUA_POPULATION_REGISTRY``: a factory), or
    ``None`` (no factory, or the factory's system is not configured). Close it after use."""
    path = settings.MOTCUA_POPULATION_REGISTRY
    if not path:
        return None
    factory: Callable[[], PopulationRegistry | None] = import_string(path)
    return factory()


def on_delivered(topic: str, hook: Callable[[Sequence[Delivered]], None]) -> None:
    """Run ``hook`` with the messages of ``topic`` just acknowledged, in the transaction that marks
    them delivered (registered once per app, from ``AppConfig.ready``)."""
    hooks = _hooks.setdefault(topic, [])
    if hook not in hooks:
        hooks.append(hook)


def delivered_hooks(topic: str) -> list[Callable[[Sequence[Delivered]], None]]:
    return list(_hooks.get(topic, ()))
