"""Notifications to people (resolvers/notifications.py): one's own, read/unread."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Annotated

import strawberry
from strawberry import relay

from models import notifications as m
from resolvers import notifications as uc
from resolvers.event_feed import SlowConsumer
from resolvers.notification_feed import live_notifications
from rules.notifications import NotificationKind
from schema.enums import expose_enum
from schema.errors import mutation, payload
from schema.ids import pks_of, to_global_id
from schema.relay import Connection, Rows, connection
from schema.websocket import CLOSE_SLOW_CONSUMER

__all__ = ["NotificationsMutation", "NotificationsQuery", "NotificationsSubscription"]

expose_enum(
    NotificationKind,
    "NotificationKind",
    "What a notification is about.",
    {
        NotificationKind.POOL_CHANGE_OPENED: "The miner changed pool: notify the authority within 2 working days "
        "[001 §16].",
        NotificationKind.POOL_CHANGE_DUE_TOMORROW: "The 2 working days to notify a change of pool end within a day.",
        NotificationKind.POOL_CHANGE_OVERDUE: "The notice of a change of pool is overdue.",
        NotificationKind.HEARING_SCHEDULED: "A hearing on the application was scheduled [001 §10].",
        NotificationKind.DECISION: "The application was approved or refused.",
        NotificationKind.ESCALATION: "To the head of the unit: an obligation, application or complaint is past its "
        "term.",
    },
)


@strawberry.type(description="An alert to the caller, in its language (kk or ru).")
class Notification:
    id: strawberry.ID = strawberry.field(description="The notification's id.")
    kind: NotificationKind = strawberry.field(description="What it is about.")
    subject: str = strawberry.field(description="One line.")
    body: str = strawberry.field(description="The text.")
    language: str = strawberry.field(description="The language it is written in (kk or ru).")
    created_at: datetime = strawberry.field(description="When it was raised (UTC).")
    read_at: datetime | None = strawberry.field(description="When it was marked read; null: unread.")

    @classmethod
    def from_row(cls, row: m.Notification) -> Notification:
        return cls(id=strawberry.ID(str(to_global_id("Notification", row.id))), kind=row.kind, subject=row.subject,
                   body=row.body, language=row.language, created_at=row.created_at, read_at=row.read_at)


@strawberry.input(description="Notifications to mark read.")
class MarkNotificationsReadInput:
    notification_ids: list[relay.GlobalID] = strawberry.field(description="One's own notifications (at most 100); "
                                                              "another's is NOT_FOUND, like a missing one.")


@payload(description="How many notifications were marked read, or why not.")
class MarkNotificationsReadPayload:
    count: int | None = strawberry.field(default=None, description="Notifications newly marked read.")


@strawberry.type
class NotificationsQuery:
    @connection(description="The caller's notifications, oldest first.")
    async def notifications(
        self, info: strawberry.Info,
        unread: Annotated[bool | None, strawberry.argument(description="true: only unread; false: only read.")] = None,
    ) -> Connection[Notification]:
        return Rows(uc.list_notifications(info.context.user, unread), Notification.from_row)  # type: ignore[return-value]


@strawberry.type
class NotificationsMutation:
    @mutation(description="Mark some of one's notifications read.")
    async def mark_notifications_read(
        self, info: strawberry.Info, input: MarkNotificationsReadInput
    ) -> MarkNotificationsReadPayload:
        ids = pks_of(input.notification_ids[:100], "Notification", "notificationIds")
        return MarkNotificationsReadPayload(count=await uc.mark_read(info.context.user, ids))


@strawberry.type
class NotificationsSubscription:
    @strawberry.subscription(description="The caller's new notifications, live (graphql-transport-ws), as they are "
                             "raised; only one's own. What came before is the `notifications` connection. A "
                             "subscriber that falls more than `event_queue_size` behind is closed with 4429.")
    async def notifications(self, info: strawberry.Info) -> AsyncGenerator[Notification, None]:
        stream = live_notifications(info.context.notification_feed, info.context.user)
        try:
            async for row in stream:
                yield Notification.from_row(row)
        except SlowConsumer:
            await info.context.request.close(code=CLOSE_SLOW_CONSUMER, reason="Slow consumer: read `notifications`")
        finally:
            await stream.aclose()
