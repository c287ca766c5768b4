"""The live event feed of one API process: new events are read once (one query per wake-up,
whatever the number of subscribers) and handed to every subscriber's bounded queue.

Wake-ups: every `event_poll_seconds`; at once after a mutation of this process (`notify`); and,
with REDIS_URL, after a mutation of any process (a message on `CHANNEL`). A lost wake-up (Redis
down) only delays events to the next poll: the database is the source, never the message.

A subscription (`subscribe_events`) replays from its cursor, then goes live with no gap and no
duplicate at the seam: it registers with the feed first (events after the feed's head go to its
queue), then replays from the database up to the newest event, then drains the queue skipping
what it already sent. The log's ids follow commit order (models/events.py), so "after the head"
and "up to the head" partition the events exactly.

A subscriber whose queue is full (it reads slower than events come) is cut off: `SlowConsumer`.

Multiplexing (schema/multiplex.py): subscribers that name a `Cohort` with equal keys and the
same filter (scope and types) form one group; the feed renders each new event once per group
(`Cohort.render`, e.g. the GraphQL selection executed and serialized) and hands the same
rendering to every member's queue. Replay, seam and queue bounds stay per subscriber.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from models.events import PartnerEvent
from resolvers.events import filtered, visible_events
from rules.access import Actor, event_scope, event_visible
from rules.events import EventFilter

log = logging.getLogger("registry.events")

CHANNEL = "registry:events"
_BATCH = 500


class SlowConsumer(Exception):
    """The subscriber did not keep up: its queue filled up and it was cut off."""


class Cohort(Protocol):
    """What a group of subscribers shares: `key` names the group (equal keys render alike),
    `render` turns one event into what each member is sent."""

    key: Hashable

    async def render(self, row: PartnerEvent) -> Any: ...


@dataclass(eq=False)
class Subscriber:
    accepts: Callable[[PartnerEvent], bool]
    queue: asyncio.Queue[Any]
    cohort: Cohort | None = None
    group: Hashable = None  # subscribers of one group get one rendering per event
    overflowed: bool = False
    woken: asyncio.Event = field(default_factory=asyncio.Event)

    def offer(self, item: Any) -> None:
        if self.overflowed:
            return
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:
            self.overflowed = True
        self.woken.set()


class EventFeed:
    def __init__(self, poll_seconds: float = 0.5, queue_size: int = 1000, redis_url: str | None = None) -> None:
        self.poll_seconds = poll_seconds
        self.queue_size = queue_size
        self.redis_url = redis_url
        self.head = 0
        # Subscribers by group: a cohort's key and filter, or a subscriber alone (its own key).
        self.groups: dict[Hashable, set[Subscriber]] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._listener: asyncio.Task[None] | None = None
        self._starting: asyncio.Lock | None = None

    async def _start(self) -> None:
        if self._task is not None:
            return
        if self._starting is None:
            self._starting = asyncio.Lock()
        async with self._starting:
            if self._task is not None:
                return
            self.head = await self.newest_id()
            self._task = asyncio.create_task(self._run(), name="event-feed")
            if self.redis_url:
                self._listener = asyncio.create_task(self._listen(), name="event-feed-redis")

    @property
    def subscribers(self) -> set[Subscriber]:
        return {subscriber for members in self.groups.values() for subscriber in members}

    async def subscribe(
        self, accepts: Callable[[PartnerEvent], bool], cohort: Cohort | None = None, filter_key: Hashable = None
    ) -> Subscriber:
        """Register a subscriber: every event after `self.head` (at return) that it accepts; with
        a cohort, as rendered once for all subscribers of equal (cohort key, `filter_key`), which
        must then describe `accepts` completely."""
        await self._start()
        subscriber = Subscriber(accepts=accepts, queue=asyncio.Queue(self.queue_size), cohort=cohort)
        subscriber.group = (cohort.key, filter_key) if cohort is not None else subscriber
        self.groups.setdefault(subscriber.group, set()).add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        members = self.groups.get(subscriber.group)
        if members is not None:
            members.discard(subscriber)
            if not members:
                del self.groups[subscriber.group]

    def notify(self) -> None:
        """Something may have been committed: look now rather than at the next poll."""
        self._wake.set()

    async def newest_id(self) -> int:
        """The newest row of the feed's source (the event log) at start: the head."""
        return await _newest_id()

    async def read_after(self, after: int) -> list[Any]:
        """The source's next rows after id `after`, in id order (a batch)."""
        return await PartnerEvent.filter(id__gt=after).order_by("id").limit(_BATCH)

    async def read_new(self) -> int:
        """Read the rows after the head and hand them out; how many there were."""
        count = 0
        while True:
            rows = await self.read_after(self.head)
            for row in rows:
                await self._hand_out(row)
            if rows:
                self.head = rows[-1].id
            count += len(rows)
            if len(rows) < _BATCH:
                return count

    async def _hand_out(self, row: PartnerEvent) -> None:
        """One event to every group that accepts it: rendered once per cohort, the same object
        offered to each member; a subscriber without cohort gets the row."""
        for members in [list(members) for members in self.groups.values()]:
            first = members[0]
            if not first.accepts(row):  # one filter per group (its key says so)
                continue
            item: Any = row if first.cohort is None else (row.id, await first.cohort.render(row))
            for subscriber in members:
                subscriber.offer(item)

    async def _run(self) -> None:
        while True:
            # Not asyncio.wait_for: on Python 3.11 it swallows a cancellation that arrives while
            # the awaited wake-up is already done, so close() (cancel, then await) waited forever
            # for a feed that went on polling (the idle hang of test_event_subscription).
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.poll_seconds):
                    await self._wake.wait()
            self._wake.clear()
            try:
                await self.read_new()
            except Exception:  # the database is away for a moment: try again at the next wake
                log.exception("event feed read failed")

    async def _listen(self) -> None:
        """Wake on any process's mutations (Redis pub/sub); reconnect after an outage."""
        from redis.asyncio import Redis

        while True:
            try:
                async with Redis.from_url(self.redis_url) as redis, redis.pubsub() as pubsub:  # type: ignore[arg-type]
                    await pubsub.subscribe(CHANNEL)
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            self.notify()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("event feed: Redis unavailable (%s); polling until it returns", exc)
                await asyncio.sleep(1.0)

    async def close(self) -> None:
        for task in (self._task, self._listener):
            if task is not None:
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task
        self._task = self._listener = None


async def _newest_id() -> int:
    row = await PartnerEvent.all().order_by("-id").only("id").first()
    return row.id if row else 0


async def publish_committed(redis_url: str | None) -> None:
    """Tell every process's feed that events may have been committed (best effort)."""
    if not redis_url:
        return
    from redis.asyncio import Redis

    try:
        async with Redis.from_url(redis_url) as redis:
            await redis.publish(CHANNEL, b"1")
    except Exception as exc:  # the next poll catches up
        log.warning("event feed: could not publish to Redis (%s)", exc)


async def subscribe_events(
    feed: EventFeed, actor: Actor, after: int | None, wanted: EventFilter, *, window_start: datetime,
    cohort: Cohort | None = None, send: Callable[[Any], Awaitable[None]] | None = None,
) -> AsyncIterator[Any]:
    """The events `actor` reads after `after` (None: from the start of the retention window,
    `window_start`), replayed then live: the rows, or with a cohort what `cohort.render` made of
    them (live events rendered once for the cohort's whole group).

    With `send` (and a cohort), nothing is yielded: each rendering is passed to `send`, and the
    live phase runs in a task of its own, so that an event wakes that task's shallow stack
    rather than the chain of generators of a GraphQL subscription."""
    scope = event_scope(actor)

    def accepts(row: PartnerEvent) -> bool:
        return event_visible(scope, row.type, row.pool_id) and wanted.accepts(row.type, row.miner_id, row.pool_id,
                                                                             row.regions)

    subscriber = await feed.subscribe(accepts, cohort, filter_key=(scope, wanted))
    try:
        last = after or 0
        while True:  # the replay, page by page, up to the newest committed event
            query = filtered(visible_events(PartnerEvent.filter(id__gt=last, occurred_at__gte=window_start), actor),
                             wanted)
            rows = await query.order_by("id").limit(100)
            for row in rows:
                if cohort is None:
                    yield row
                elif send is None:
                    yield await cohort.render(row)
                else:
                    await send(await cohort.render(row))
                last = row.id
            if len(rows) < 100:
                break
        if send is not None:
            pump = asyncio.create_task(_pump(subscriber, last, send), name="event-subscriber")
            try:
                await pump
            finally:
                pump.cancel()
            return
        while True:  # live: the queue, skipping what the replay already sent
            for event_id, value in await next_items(subscriber, cohort is None):
                if event_id > last:
                    yield value
                    last = event_id
    finally:
        feed.unsubscribe(subscriber)


async def next_items(subscriber: Subscriber, rows: bool) -> list[tuple[int, Any]]:
    """What the subscriber's queue holds, as (event id, item), once it holds something;
    SlowConsumer once it overflowed."""
    while True:
        if subscriber.overflowed:
            raise SlowConsumer
        if not subscriber.queue.empty():
            break
        subscriber.woken.clear()
        await subscriber.woken.wait()
    queue, items = subscriber.queue, []
    while not queue.empty():
        item = queue.get_nowait()
        items.append((item.id, item) if rows else item)
    return items


async def _pump(subscriber: Subscriber, last: int, send: Callable[[Any], Awaitable[None]]) -> None:
    """The live phase of a subscriber with `send`: its queue to `send`, skipping what the replay
    already sent, until it overflows (SlowConsumer) or is cancelled."""
    while True:
        for event_id, value in await next_items(subscriber, False):
            if event_id > last:
                await send(value)
                last = event_id
