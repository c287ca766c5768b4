"""The partners' event log, read by cursor: `events(after:, types:, first:)` (rules/events.py is
the contract, rules/access.event_scope who reads what)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import strawberry
from strawberry import relay
from strawberry.extensions import FieldExtension
from strawberry.scalars import JSON

from models import events as m
from resolvers import events as uc
from resolvers.event_feed import SlowConsumer, subscribe_events
from resolvers.listing import Order
from rules.access import event_scope
from rules.enums import Region
from rules.errors import DomainError, ErrorCode
from rules.events import EVENT_TYPES, EventFilter, regions_of
from schema.ids import pks_of, to_global_id
from schema.multiplex import cohort_for, current_sink
from schema.relay import Connection, Rows, connection, decode_cursor, encode_cursor
from schema.websocket import CLOSE_SLOW_CONSUMER

__all__ = ["EventsQuery", "EventsSubscription", "PartnerEvent", "checked_types"]

MAX_TYPES = len(EVENT_TYPES)
MAX_FILTER_IDS = 100


@strawberry.type(description="The record an event is about.")
class EventEntity:
    type: str = strawberry.field(description="The kind of record: `License`, `Application`, `DataCenter`, "
                                 "`PoolCertificate`, `PoolMembership`, `NotificationObligation`.")
    id: strawberry.ID = strawberry.field(description="The record's global id (as `node(id:)` takes it).")
    key: int = strawberry.field(description="The record's key, as the keys inside `data` (`holderId`, ...).")


@strawberry.type(description="One event of the public event log, versioned by `schemaVersion` (a new key in "
                 "`data` keeps the version; a renamed or removed one bumps it). Types: " + ", ".join(EVENT_TYPES))
class PartnerEvent:
    id: strawberry.ID = strawberry.field(description="The event's id: unique, and its sequence number; partners "
                                         "deduplicate on it (webhooks send it as `webhook-id`).")
    sequence: str = strawberry.field(description="The strictly increasing sequence number (commit order), as text "
                                     "(it may exceed 2^53).")
    type: str = strawberry.field(description="The event type, e.g. `license.suspended`.")
    occurred_at: datetime = strawberry.field(description="When the change was committed (UTC).")
    entity: EventEntity = strawberry.field(description="The record the event is about.")
    data: JSON = strawberry.field(description="What changed: the whitelisted fields of the contract, keys in "
                                  "camelCase, references as integer keys, dates as ISO text.")
    schema_version: int = strawberry.field(description="The version of the contract this event follows.")
    regions: list[Region] = strawberry.field(description="The regions of the data centers the event concerns "
                                             "(the `regions` filter); empty for a pool's own events.")
    cursor: str = strawberry.field(description="Resume after this event: `events(after:)` of the query or the "
                                   "subscription.")

    @classmethod
    def from_row(cls, row: m.PartnerEvent) -> PartnerEvent:
        return cls(
            id=strawberry.ID(f"evt_{row.id}"), sequence=str(row.id), type=row.type, occurred_at=row.occurred_at,
            entity=EventEntity(type=row.entity_type, id=strawberry.ID(str(to_global_id(row.entity_type, row.entity_id))),
                               key=row.entity_id),
            data=row.data, schema_version=row.schema_version,
            regions=[Region(r) for r in regions_of(row.regions)], cursor=encode_cursor(Order(), (row.id, row.id)),
        )


async def _checked_after(info: strawberry.Info, after: str | None) -> int | None:
    """The event id of an `after` cursor; EVENT_CURSOR_EXPIRED when it is older than the window."""
    key = decode_cursor(Order(), after, "after")
    pk = key[1] if key else None
    await uc.check_cursor(info.context.user, pk, info.context.settings.event_retention_days)
    return pk


class ExpiredCursor(FieldExtension):
    """Refuses an `after` cursor older than the retention window (EVENT_CURSOR_EXPIRED)."""

    async def resolve_async(self, next_: Any, source: Any, info: strawberry.Info, **kwargs: Any) -> Any:
        await _checked_after(info, kwargs.get("after"))
        return await next_(source, info, **kwargs)


def checked_types(types: list[str] | None, field: str = "types") -> list[str] | None:
    """Event types named by a client: each one of the contract's (VALIDATION otherwise)."""
    if types is None:
        return None
    unknown = sorted(set(types) - set(EVENT_TYPES))
    if unknown or len(types) > MAX_TYPES:
        raise DomainError(ErrorCode.VALIDATION, field=field, detail="unknown event types")
    return types


def event_filter(types: list[str] | None, miners: list[relay.GlobalID] | None, pools: list[relay.GlobalID] | None,
                 regions: list[Region] | None) -> EventFilter:
    """The `events` arguments (query and subscription) as one filter: an id of another type is
    INVALID_ID, more than MAX_FILTER_IDS of them VALIDATION."""
    for name, given in (("miners", miners), ("pools", pools)):
        if given is not None and len(given) > MAX_FILTER_IDS:
            raise DomainError(ErrorCode.VALIDATION, field=name, detail=f"at most {MAX_FILTER_IDS}")
    checked = checked_types(types)
    return EventFilter(
        types=frozenset(checked) if checked is not None else None,
        miners=frozenset(pks_of(miners, "Miner", "miners")) if miners is not None else None,
        pools=frozenset(pks_of(pools, "Pool", "pools")) if pools is not None else None,
        regions=frozenset(Region(r).value for r in regions) if regions is not None else None,
    )


TypesArg = Annotated[list[str] | None, strawberry.argument(description="Only events of these types.")]
MinersArg = Annotated[list[relay.GlobalID] | None, strawberry.argument(
    description="Only events about these miners (`Miner` ids; at most 100).")]
PoolsArg = Annotated[list[relay.GlobalID] | None, strawberry.argument(
    description="Only events about these pools (`Pool` ids: their accreditation, their members joining and "
    "leaving, applications through them; at most 100).")]
RegionsArg = Annotated[list[Region] | None, strawberry.argument(
    description="Only events about data centers in these regions: a data center's own events and units "
    "included in, excluded from or changed at it by its region; a miner's other events (licences, "
    "applications, pool changes, obligations) by the regions of every data center it had then. A pool's "
    "own events have no region.")]


@strawberry.type
class EventsQuery:
    @connection(
        description="The public event log, oldest first, from `after` (a cursor of this list; none: the start "
        "of the retention window). A partner reads the event types its account is granted; admins read all; "
        "other roles read nothing. A cursor older than the window answers EVENT_CURSOR_EXPIRED.",
        extensions=[ExpiredCursor()],
    )
    async def events(
        self, info: strawberry.Info, types: TypesArg = None, miners: MinersArg = None, pools: PoolsArg = None,
        regions: RegionsArg = None,
    ) -> Connection[PartnerEvent]:
        listing = uc.list_events(info.context.user, wanted=event_filter(types, miners, pools, regions),
                                 retention_days=info.context.settings.event_retention_days)
        return Rows(listing, PartnerEvent.from_row)  # type: ignore[return-value]


@strawberry.type
class EventsSubscription:
    @strawberry.subscription(
        description="The public event log, live (graphql-transport-ws): the events after `after` (none: from the "
        "start of the retention window) are replayed, then new ones follow as they are committed, with no gap "
        "and no duplicate. Resume after a disconnect with the last event's `cursor`. Same grants as `events`. "
        "A subscriber that falls more than `event_queue_size` events behind is closed with 4429: reconnect "
        "with the last cursor."
    )
    async def events(
        self,
        info: strawberry.Info,
        after: Annotated[str | None, strawberry.argument(description="Resume after this event's `cursor`.")] = None,
        types: TypesArg = None, miners: MinersArg = None, pools: PoolsArg = None, regions: RegionsArg = None,
    ) -> AsyncGenerator[PartnerEvent, None]:
        actor = info.context.user
        after_id = await _checked_after(info, after)
        settings = info.context.settings
        window_start = datetime.now(UTC) - timedelta(days=settings.event_retention_days)
        # graphql-transport-ws with multiplexing on: rendered once per cohort, sent by the sink.
        sink = current_sink()
        cohort = cohort_for(info, sink, event_scope(actor), PartnerEvent.from_row) if sink is not None else None
        stream = subscribe_events(info.context.event_feed, actor, after_id, event_filter(types, miners, pools, regions),
                                  window_start=window_start, cohort=cohort, send=sink.send if sink else None)
        try:
            async for row in stream:  # with a sink, nothing comes here: the sink sends
                yield PartnerEvent.from_row(row)
        except SlowConsumer:
            await info.context.request.close(code=CLOSE_SLOW_CONSUMER, reason="Slow consumer: resume from your last cursor")
        finally:
            await stream.aclose()
