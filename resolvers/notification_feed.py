"""The live notifications of one API process (the `notifications` subscription): the event
feed's machinery (resolvers/event_feed.EventFeed: one read per wake-up for every subscriber,
wake-ups by poll, by this process and through Redis pub/sub, bounded queues, slow consumers cut
off) reading the `notification` table instead of the event log: only its source (`newest_id`,
`read_after`) differs. A wake-up is "something was committed": the notifications written by the
outbox handlers (the worker) wake every process through the same Redis channel
(jobs/tasks.dispatch_outbox publishes after a run that delivered something).

Live only: a subscriber gets the notifications written after it subscribed; what came before
is the `notifications` connection (the client reads it, then subscribes, and drops the ids it
already has).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from models.notifications import Notification
from resolvers.event_feed import EventFeed, next_items
from rules.access import Actor
from rules.errors import DomainError, ErrorCode

_BATCH = 500


class NotificationFeed(EventFeed):
    async def newest_id(self) -> int:
        row = await Notification.all().order_by("-id").only("id").first()
        return row.id if row else 0

    async def read_after(self, after: int) -> list[Any]:
        return await Notification.filter(id__gt=after).order_by("id").limit(_BATCH)


async def live_notifications(feed: NotificationFeed, actor: Actor) -> AsyncIterator[Notification]:
    """The caller's own new notifications, as they are written; SlowConsumer when it falls behind."""
    if actor.user_id is None:
        raise DomainError(ErrorCode.FORBIDDEN)
    user_id = actor.user_id
    subscriber = await feed.subscribe(lambda row: row.recipient_id == user_id)  # type: ignore[attr-defined]
    try:
        while True:
            for _, row in await next_items(subscriber, True):
                yield row
    finally:
        feed.unsubscribe(subscriber)
