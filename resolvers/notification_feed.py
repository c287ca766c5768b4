"""The live notifications of one API process (the `notifications` subscription): the event
feed's machinery (resolvers/event_feed.EventFeed: one read per wake-up for every subscriber,
wake-ups by poll, by this process and through Redis pub/sub, bounded queues, slow consumers cut
off) reading the `notification` table instead of the event log.

It reuses EventFeed through its public surface: `subscribe`/`unsubscribe`/`notify`/`close`, and
`read_new`, which the feed's loop calls on every wake-up, overridden here. Its own read position
(`_newest`) is kept apart from the event log's `head`. A wake-up is "something was committed":
the notifications written by the outbox handlers (the worker) wake every process through the
same Redis channel (jobs/tasks.dispatch_outbox publishes after a run that delivered something).

Live only: a subscriber gets the notifications written after it subscribed; what came before
is the `notifications` connection (the client reads it, then subscribes, and drops the ids it
already has).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

from models.notifications import Notification
from resolvers.event_feed import EventFeed, SlowConsumer, Subscriber
from rules.access import Actor
from rules.errors import DomainError, ErrorCode

_BATCH = 500


async def _newest_id() -> int:
    row = await Notification.all().order_by("-id").only("id").first()
    return row.id if row else 0


class NotificationFeed(EventFeed):
    _newest: int | None = None

    async def subscribe(self, accepts: Callable[[Any], bool]) -> Subscriber:
        """Register a subscriber: every notification written after this returns that it accepts."""
        if self._newest is None:  # before the feed's loop starts: nothing after it is missed
            self._newest = await _newest_id()
        return await super().subscribe(accepts)

    async def read_new(self) -> int:
        """Read the notifications written since the last read and hand them out."""
        if self._newest is None:
            return 0
        count = 0
        while True:
            rows = await Notification.filter(id__gt=self._newest).order_by("id").limit(_BATCH)
            for row in rows:
                for subscriber in list(self.subscribers):
                    subscriber.offer(row)  # type: ignore[arg-type]
            if rows:
                self._newest = rows[-1].id
            count += len(rows)
            if len(rows) < _BATCH:
                return count


async def live_notifications(feed: NotificationFeed, actor: Actor) -> AsyncIterator[Notification]:
    """The caller's own new notifications, as they are written; SlowConsumer when it falls behind."""
    if actor.user_id is None:
        raise DomainError(ErrorCode.FORBIDDEN)
    user_id = actor.user_id
    subscriber = await feed.subscribe(lambda row: row.recipient_id == user_id)  # type: ignore[attr-defined]
    try:
        while True:
            if subscriber.overflowed:
                raise SlowConsumer
            if subscriber.queue.empty():
                subscriber.woken.clear()
                await subscriber.woken.wait()
                continue
            yield subscriber.queue.get_nowait()  # type: ignore[misc]
    finally:
        feed.unsubscribe(subscriber)
