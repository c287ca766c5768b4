"""Webhooks: partners' endpoints, the deliveries of their granted events, signed (Standard
Webhooks, rules/webhooks.py), retried on the settings' schedule and dead-lettered after it.

Two jobs, run by the job runner (arq, or the in-process runner without Redis):
- `schedule_deliveries`: each active endpoint's new events (those its owner reads, of its types)
  become `webhook_delivery` rows, due now; the endpoint's cursor moves past them.
- `deliver_due`: per endpoint, its oldest pending delivery is attempted when due; while it is
  pending, the later ones wait (per-endpoint order). A dead delivery (schedule run out) leaves
  the way free; `redeliver` / `replay` put deliveries back in line.
The host's addresses are resolved and checked before every attempt (SSRF); redirects are not
followed.
"""

from __future__ import annotations

import asyncio
import base64
import json
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
from tortoise.expressions import Subquery
from tortoise.transactions import in_transaction

from models.access import User
from models.events import PartnerEvent, WebhookDelivery, WebhookEndpoint
from resolvers.auth import actor_for
from resolvers.changes import append_audit, snapshot
from resolvers.events import visible_events
from resolvers.listing import Listing, Order
from rules.access import Actor, event_scope
from rules.audit import REDACTED_KEYS, AuditAction
from rules.enums import Role
from rules.errors import DomainError, ErrorCode
from rules.events import EVENT_TYPES
from rules.webhooks import (
    CircuitState,
    DeliveryStatus,
    address_allowed,
    new_secret,
    next_attempt,
    sign,
    url_problem,
)
from settings import Settings

Resolver = Callable[[str, int], Awaitable[list[str]]]
_BATCH = 500


async def system_resolve(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({info[4][0] for info in infos})


def _allow_private(settings: Settings) -> bool:
    return settings.webhook_allow_private and settings.development  # never in production


# -- endpoints --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterEndpoint:
    url: str
    event_types: list[str]


async def register_endpoint(actor: Actor, cmd: RegisterEndpoint, settings: Settings) -> tuple[WebhookEndpoint, str]:
    """A partner's new endpoint and its secret (the only time the secret is returned)."""
    scope = event_scope(actor)
    if actor.user_id is None or scope.types == frozenset():
        raise DomainError(ErrorCode.FORBIDDEN)
    types = sorted(set(cmd.event_types))
    granted = set(EVENT_TYPES) if scope.types is None else scope.types
    if not set(types) <= granted:
        raise DomainError(ErrorCode.VALIDATION, field="eventTypes", detail="event types not granted to the account")
    url = cmd.url.strip()
    if problem := url_problem(url, production=not settings.development, allow_private=_allow_private(settings)):
        raise DomainError(ErrorCode.VALIDATION, field="url", detail=problem)
    secret = new_secret()
    async with in_transaction() as conn:
        newest = await PartnerEvent.all().using_db(conn).order_by("-id").only("id").first()
        endpoint = await WebhookEndpoint.create(using_db=conn, owner_id=actor.user_id, url=url, event_types=types,
                                                secret=secret, cursor=newest.id if newest else 0)
        await append_audit(conn, actor, AuditAction.WEBHOOK_ENDPOINT_REGISTERED.value, "WebhookEndpoint",
                           endpoint.pk, None, _audited(endpoint))
    return endpoint, secret


def _audited(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return snapshot(endpoint, exclude=("created_at", "updated_at", "cursor", *REDACTED_KEYS))


def own_endpoints(actor: Actor) -> Any:
    """The endpoints `actor` reads and operates (redelivery, replay, re-enabling a dead one): its
    own; the authority's staff (admins, officers) every one."""
    if actor.role in (Role.ADMIN, Role.OFFICER):
        return WebhookEndpoint.all()
    if actor.user_id is None:
        return WebhookEndpoint.filter(id__in=[])
    return WebhookEndpoint.filter(owner_id=actor.user_id)


async def get_endpoint(actor: Actor, pk: int, field: str) -> WebhookEndpoint:
    endpoint = await own_endpoints(actor).filter(id=pk).first()
    if endpoint is None:
        raise DomainError(ErrorCode.NOT_FOUND, entity="WebhookEndpoint", field=field)
    return endpoint


async def remove_endpoint(actor: Actor, pk: int) -> WebhookEndpoint:
    endpoint = await get_endpoint(actor, pk, "endpointId")
    async with in_transaction() as conn:
        before = _audited(endpoint)
        endpoint.active = False
        await endpoint.save(using_db=conn, update_fields=["active", "updated_at"])
        await append_audit(conn, actor, AuditAction.WEBHOOK_ENDPOINT_REMOVED.value, "WebhookEndpoint", endpoint.pk,
                           before, _audited(endpoint))
    return endpoint


def list_endpoints(actor: Actor) -> Listing[WebhookEndpoint]:
    return Listing(own_endpoints(actor), Order())


def list_deliveries(actor: Actor, status: DeliveryStatus | None) -> Listing[WebhookDelivery]:
    qs = WebhookDelivery.filter(endpoint_id__in=Subquery(own_endpoints(actor).values("id")))
    if status is not None:
        qs = qs.filter(status=status)
    return Listing(qs, Order())


# -- scheduling -------------------------------------------------------------------------------------


async def _owner_actor(endpoint: WebhookEndpoint, cache: dict[int, Actor | None]) -> Actor | None:
    owner_id: int = endpoint.owner_id  # type: ignore[attr-defined]
    if owner_id not in cache:
        user = await User.filter(id=owner_id, active=True).first()
        cache[owner_id] = actor_for(user) if user else None
    return cache[owner_id]


def _events_for(endpoint: WebhookEndpoint, actor: Actor, after: int, upto: int) -> Any:
    qs = visible_events(PartnerEvent.filter(id__gt=after, id__lte=upto), actor)
    if endpoint.event_types:
        qs = qs.filter(type__in=list(endpoint.event_types))
    return qs


async def schedule_deliveries(now: datetime | None = None) -> int:
    """Turn every active endpoint's new events into deliveries due now; how many were made."""
    now = now or datetime.now(UTC)
    newest = await PartnerEvent.all().order_by("-id").only("id").first()
    if newest is None:
        return 0
    made, owners = 0, {}
    for endpoint in await WebhookEndpoint.filter(active=True, cursor__lt=newest.id):
        actor = await _owner_actor(endpoint, owners)
        ids: list[int] = []
        if actor is not None:
            ids = await _events_for(endpoint, actor, endpoint.cursor, newest.id).order_by("id").limit(_BATCH) \
                .values_list("id", flat=True)
        upto = ids[-1] if len(ids) == _BATCH else newest.id  # a full batch: the rest at the next run
        async with in_transaction() as conn:
            await WebhookDelivery.bulk_create(
                [WebhookDelivery(endpoint_id=endpoint.pk, event_id=i, next_attempt_at=now) for i in ids],
                using_db=conn, ignore_conflicts=True,
            )
            await WebhookEndpoint.filter(id=endpoint.pk, cursor=endpoint.cursor).using_db(conn).update(cursor=upto)
        made += len(ids)
    return made


# -- delivery ---------------------------------------------------------------------------------------


def event_body(row: PartnerEvent) -> dict[str, Any]:
    """The event as partners receive it: the same contract as the `events` query."""
    return {
        "id": f"evt_{row.id}",
        "sequence": str(row.id),
        "type": row.type,
        "occurredAt": row.occurred_at.astimezone(UTC).isoformat(),
        "entity": {"type": row.entity_type, "key": row.entity_id,
                   "id": base64.b64encode(f"{row.entity_type}:{row.entity_id}".encode()).decode()},
        "data": row.data,
        "schemaVersion": row.schema_version,
    }


def pinned_url(url: str, address: str) -> str:
    """`url` with its host replaced by `address` (an IP literal), port and path kept."""
    parts = urlsplit(url)
    ip = f"[{address}]" if ":" in address else address
    netloc = ip if parts.port is None else f"{ip}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))


@dataclass(frozen=True)
class Attempt:
    ok: bool
    status_code: int | None = None
    error: str | None = None


async def send(
    endpoint: WebhookEndpoint, row: PartnerEvent, settings: Settings, *, now: datetime,
    transport: httpx.AsyncBaseTransport | None = None, resolve: Resolver = system_resolve,
) -> Attempt:
    """One signed POST of one event; the host's addresses are checked first."""
    parts = urlsplit(endpoint.url)
    host, port = parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)
    if problem := url_problem(endpoint.url, production=not settings.development,
                              allow_private=_allow_private(settings)):
        return Attempt(False, error=f"refused URL: {problem}")
    try:
        addresses = await resolve(host, port)
    except OSError as exc:
        return Attempt(False, error=f"DNS: {exc}")
    if not _allow_private(settings):
        refused = [a for a in addresses if not address_allowed(a)]
        if refused or not addresses:
            return Attempt(False, error=f"refused address: {', '.join(refused) or 'none'}")
    body = json.dumps(event_body(row), separators=(",", ":"), ensure_ascii=False).encode()
    msg_id, timestamp = f"evt_{row.id}", int(now.timestamp())
    headers = {"content-type": "application/json", "user-agent": "kz-mining-registry-webhooks/1",
               "webhook-id": msg_id, "webhook-timestamp": str(timestamp),
               "webhook-signature": sign(endpoint.secret, msg_id, timestamp, body)}
    # Connect to the address just checked, not to whatever the name resolves to a moment later
    # (DNS rebinding): the URL names the IP, the Host header and TLS (SNI and the certificate
    # check) keep the host name.
    pinned = pinned_url(endpoint.url, addresses[0]) if addresses else endpoint.url
    try:
        async with httpx.AsyncClient(transport=transport, timeout=settings.webhook_timeout_seconds,
                                     follow_redirects=False) as client:
            response = await client.post(pinned, content=body, headers={**headers, "host": parts.netloc},
                                         extensions={"sni_hostname": host})
    except httpx.HTTPError as exc:
        return Attempt(False, error=f"{type(exc).__name__}: {exc}"[:500])
    if 200 <= response.status_code < 300:
        return Attempt(True, status_code=response.status_code)
    return Attempt(False, status_code=response.status_code, error=f"HTTP {response.status_code}")


async def _attempt_next(endpoint_id: int, settings: Settings, now: datetime, **io: Any) -> bool:
    """Attempt the endpoint's oldest pending delivery if it is due; True if it was delivered (so
    the next one may go at once)."""
    async with in_transaction() as conn:
        endpoint_q = WebhookEndpoint.filter(id=endpoint_id, active=True)
        if conn.capabilities.dialect == "postgres":  # one worker per endpoint at a time: its order holds
            endpoint_q = endpoint_q.select_for_update(skip_locked=True)
        endpoint = await endpoint_q.using_db(conn).first()
        if endpoint is None:
            return False
        state = endpoint.circuit.state(now)
        if state is CircuitState.OPEN:  # a dead endpoint: its deliveries wait for the cool-down
            return False
        delivery = await WebhookDelivery.filter(endpoint_id=endpoint_id, status=DeliveryStatus.PENDING) \
            .using_db(conn).order_by("event_id").first()
        if delivery is None:
            return False
        # Half-open: the oldest pending delivery is the probe, due or not.
        if state is CircuitState.CLOSED and delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
            return False
        row = await PartnerEvent.get(id=delivery.event_id).using_db(conn)  # type: ignore[attr-defined]
        result = await send(endpoint, row, settings, now=now, **io)
        circuit = endpoint.circuit.after(result.ok, now, threshold=settings.webhook_circuit_failures,
                                         cooldown=settings.webhook_circuit_cooldown_seconds)
        if circuit != endpoint.circuit:
            endpoint.consecutive_failures, endpoint.circuit_open_until = circuit.failures, circuit.open_until
            await endpoint.save(using_db=conn, update_fields=["consecutive_failures", "circuit_open_until"])
        delivery.attempts += 1
        delivery.last_status_code, delivery.last_error = result.status_code, result.error
        if result.ok:
            delivery.status, delivery.delivered_at, delivery.next_attempt_at = DeliveryStatus.DELIVERED, now, None
        else:
            delivery.next_attempt_at = next_attempt(delivery.attempts, now, settings.webhook_retry_schedule)
            if delivery.next_attempt_at is None:
                delivery.status = DeliveryStatus.DEAD
        await delivery.save(using_db=conn)
        return result.ok


async def deliver_due(settings: Settings, now: datetime | None = None, *, per_endpoint: int = 100,
                      **io: Any) -> int:
    """Attempt what is due, endpoint by endpoint, in event order; how many were delivered."""
    now = now or datetime.now(UTC)
    due = await WebhookDelivery.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now,
                                       endpoint__active=True).distinct().values_list("endpoint_id", flat=True)
    # Open circuits whose cool-down ended: their probe goes whenever its delivery is due.
    probes = await WebhookEndpoint.filter(active=True, circuit_open_until__lte=now).values_list("id", flat=True)
    delivered = 0
    for endpoint_id in sorted({*due, *probes}):
        for _ in range(per_endpoint):
            if not await _attempt_next(endpoint_id, settings, now, **io):
                break
            delivered += 1
    return delivered


async def reset_circuit(actor: Actor, pk: int, now: datetime | None = None) -> WebhookEndpoint:
    """Close an endpoint's circuit (it is back up): its oldest pending delivery is due now and
    the rest follow in order."""
    endpoint = await get_endpoint(actor, pk, "endpointId")
    now = now or datetime.now(UTC)
    async with in_transaction() as conn:
        before = _audited(endpoint)
        endpoint.consecutive_failures, endpoint.circuit_open_until = 0, None
        await endpoint.save(using_db=conn, update_fields=["consecutive_failures", "circuit_open_until", "updated_at"])
        head = await WebhookDelivery.filter(endpoint_id=endpoint.pk, status=DeliveryStatus.PENDING) \
            .using_db(conn).order_by("event_id").first()
        if head is not None:
            head.next_attempt_at = now
            await head.save(using_db=conn, update_fields=["next_attempt_at"])
        await append_audit(conn, actor, AuditAction.WEBHOOK_CIRCUIT_RESET.value, "WebhookEndpoint", endpoint.pk,
                           before, _audited(endpoint))
    return endpoint


# -- the dead-letter list ---------------------------------------------------------------------------


async def redeliver(actor: Actor, delivery_id: int, now: datetime | None = None) -> WebhookDelivery:
    """Put one delivery (dead or not) back in line, due now, with a fresh schedule."""
    delivery = await WebhookDelivery.filter(
        id=delivery_id, endpoint_id__in=Subquery(own_endpoints(actor).values("id"))).first()
    if delivery is None:
        raise DomainError(ErrorCode.NOT_FOUND, entity="WebhookDelivery", field="deliveryId")
    delivery.status, delivery.attempts = DeliveryStatus.PENDING, 0
    delivery.next_attempt_at, delivery.last_error = now or datetime.now(UTC), None
    await delivery.save(update_fields=["status", "attempts", "next_attempt_at", "last_error"])
    return delivery


async def replay(actor: Actor, endpoint_id: int, after: int, now: datetime | None = None) -> int:
    """Deliver again every event after `after` that the endpoint has already been scheduled
    (and was delivered or dead); how many deliveries were put back in line."""
    endpoint = await get_endpoint(actor, endpoint_id, "endpointId")
    owner = await _owner_actor(endpoint, {})
    if owner is None:
        return 0
    ids = await _events_for(endpoint, owner, after, endpoint.cursor).values_list("id", flat=True)
    now = now or datetime.now(UTC)
    async with in_transaction() as conn:
        await WebhookDelivery.filter(endpoint_id=endpoint.pk, event_id__in=ids).using_db(conn).update(
            status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now, last_error=None)
        await WebhookDelivery.bulk_create(
            [WebhookDelivery(endpoint_id=endpoint.pk, event_id=i, next_attempt_at=now) for i in ids],
            using_db=conn, ignore_conflicts=True,
        )
    return len(ids)
