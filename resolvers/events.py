"""The partners' event log: appending a public event (from `resolvers.changes.emit`, in the
writing transaction) and reading it back by cursor, within the retention window."""

from __future__ import annotations

from contextvars import ContextVar
from datetime import UTC, datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from models.events import EventLogHorizon, PartnerEvent, WebhookDelivery
from models.parties import DataCenter
from resolvers.listing import Listing, Order
from rules.access import POOL_SCOPED_EVENTS, Actor, event_scope
from rules.errors import DomainError, ErrorCode
from rules.events import SCHEMA_VERSION, EventFilter, PublicEvent, regions_key

# Per HTTP request: did it append events? (A list: resolvers run in tasks with copies of the
# context, which share the one list.) The app then wakes the feeds once the request is done.
_WRITES: ContextVar[list[int] | None] = ContextVar("event_writes", default=None)


def track_event_writes() -> list[int]:
    """Start tracking this request's appended events; the list fills as they are written."""
    writes: list[int] = []
    _WRITES.set(writes)
    return writes


def event_written(event_id: int) -> None:
    writes = _WRITES.get()
    if writes is not None:
        writes.append(event_id)


async def _regions_of(conn: BaseDBAsyncClient, event: PublicEvent) -> str:
    """The regions the event concerns, as of its writing transaction (rules.events.EventFilter)."""
    if event.data_center_id is not None:
        query = DataCenter.filter(id=event.data_center_id)
    elif event.miner_id is not None:
        query = DataCenter.filter(miner_id=event.miner_id)
    else:
        return ""
    return regions_key(await query.using_db(conn).values_list("region", flat=True))


async def append_event(conn: BaseDBAsyncClient, event: PublicEvent, outbox_id: int) -> PartnerEvent:
    """Append `event` to the log; the caller holds the log's lock (resolvers.changes.emit)."""
    row = await PartnerEvent.create(
        regions=await _regions_of(conn, event),
        using_db=conn,
        type=event.type,
        schema_version=SCHEMA_VERSION,
        occurred_at=datetime.now(UTC),
        entity_type=event.entity_type,
        entity_id=event.entity_id,
        miner_id=event.miner_id,
        pool_id=event.pool_id,
        data=event.data,
        outbox_id=outbox_id,
    )
    event_written(row.id)
    return row


def visible_events(queryset: QuerySet[PartnerEvent], actor: Actor) -> QuerySet[PartnerEvent]:
    """The events `actor` reads (rules.access.event_scope): its granted types, and for a pool's
    system only its own pool's events of the pool-scoped types."""
    scope = event_scope(actor)
    if scope.types is None:
        return queryset
    if not scope.types:
        return queryset.filter(id__in=[])
    queryset = queryset.filter(type__in=sorted(scope.types))
    if scope.pool_id is not None:
        scoped = sorted(scope.types & POOL_SCOPED_EVENTS)
        queryset = queryset.filter(~Q(type__in=scoped) | Q(pool_id=scope.pool_id))
    return queryset


async def check_cursor(
    actor: Actor, after_id: int | None, retention_days: int, now: datetime | None = None
) -> None:
    """A cursor older than the retention window is an error, not silence: an event the caller
    reads after it fell out of the window, so resuming from it would skip events; or the purge
    (`purge_expired`) has deleted events after it (below the horizon: whichever they were, the
    caller cannot know that it missed none)."""
    if after_id is None:
        return
    cutoff = (now or datetime.now(UTC)) - timedelta(days=retention_days)
    horizon = await EventLogHorizon.filter(id=1).first()
    if (horizon is not None and after_id < horizon.purged_through) or await visible_events(
            PartnerEvent.filter(id__gt=after_id, occurred_at__lt=cutoff), actor).exists():
        raise DomainError(ErrorCode.EVENT_CURSOR_EXPIRED, field="after", days=retention_days)


def filtered(queryset: QuerySet[PartnerEvent], wanted: EventFilter) -> QuerySet[PartnerEvent]:
    """`queryset` narrowed to what the partner asks for (the SQL twin of `EventFilter.accepts`)."""
    if wanted.types is not None:
        queryset = queryset.filter(type__in=sorted(wanted.types))
    if wanted.miners is not None:
        queryset = queryset.filter(miner_id__in=sorted(wanted.miners))
    if wanted.pools is not None:
        queryset = queryset.filter(pool_id__in=sorted(wanted.pools))
    if wanted.regions is not None:
        any_region = Q(id__in=[])
        for region in sorted(wanted.regions):
            any_region |= Q(regions__contains=f"|{region}|")
        queryset = queryset.filter(any_region)
    return queryset


def list_events(
    actor: Actor, *, wanted: EventFilter, retention_days: int, now: datetime | None = None
) -> Listing[PartnerEvent]:
    """The events `actor` reads, in sequence order, within the retention window, as filtered."""
    cutoff = (now or datetime.now(UTC)) - timedelta(days=retention_days)
    return Listing(filtered(visible_events(PartnerEvent.filter(occurred_at__gte=cutoff), actor), wanted), Order())


_PURGE_BATCH = 5000


async def purge_expired(retention_days: int, now: datetime | None = None) -> int:
    """Delete the events older than the retention window, oldest first, in batches, with their
    webhook deliveries (whatever their state: the dead-letter list keeps the window too); each
    batch moves the horizon in its own transaction, so `check_cursor` refuses a cursor the
    moment the events after it are gone. Returns how many events were deleted."""
    cutoff = (now or datetime.now(UTC)) - timedelta(days=retention_days)
    deleted = 0
    while True:
        ids = await PartnerEvent.filter(occurred_at__lt=cutoff).order_by("id").limit(_PURGE_BATCH) \
            .values_list("id", flat=True)
        if not ids:
            return deleted
        async with in_transaction() as conn:
            await WebhookDelivery.filter(event_id__in=ids).using_db(conn).delete()
            await PartnerEvent.filter(id__in=ids).using_db(conn).delete()
            horizon, _ = await EventLogHorizon.get_or_create(id=1, using_db=conn)
            horizon.purged_through = max(horizon.purged_through, ids[-1])
            horizon.purged_at = now or datetime.now(UTC)
            await horizon.save(using_db=conn)
        deleted += len(ids)
