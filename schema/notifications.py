"""Notifications to people (resolvers/notifications.py): one's own, read/unread."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import UTC, datetime
from typing import Annotated

import strawberry
from strawberry import relay

from models import notifications as m
from resolvers import notifications as uc
from resolvers.event_feed import SlowConsumer
from resolvers.notification_feed import live_notifications
from rules.notifications import BreachKind, NotificationKind, late_days
from schema.enums import expose_enum
from schema.errors import mutation, payload
from schema.ids import pk_of, pks_of, to_global_id
from schema.relay import Connection, Rows, connection
from schema.websocket import CLOSE_SLOW_CONSUMER

__all__ = ["NotificationsMutation", "NotificationsQuery", "NotificationsSubscription"]

expose_enum(
    BreachKind,
    "BreachKind",
    "What a breached term in the supervisors' queue is about.",
    {
        BreachKind.APPLICATION: "An application past the term of its stage.",
        BreachKind.COMPLAINT: "A complaint past its review (or forwarding) term.",
        BreachKind.OBLIGATION: "A miner's notice past its term (the 2-working-day pool change notice) [001 §16].",
    },
)

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


@strawberry.type(description="A breached term escalated to the heads of the unit (the supervisors' queue).")
class Escalation:
    id: strawberry.ID = strawberry.field(description="The escalation's id (for `acknowledgeEscalation`, "
                                         "`resolveEscalation`).")
    kind: BreachKind = strawberry.field(description="What was breached.")
    what: str = strawberry.field(description="The breach in words (Russian / Kazakh).")
    entity_key: int = strawberry.field(description="The key of the record breached: an `Application`, a "
                                       "`Complaint` or a `NotificationObligation`, as `kind` says.")
    due_at: datetime | None = strawberry.field(description="The term that was breached (UTC), when known.")
    raised_at: datetime = strawberry.field(description="When it was escalated (UTC).")
    late_days: int = strawberry.field(description="How late: whole days from the term to now (to the resolution "
                                      "once resolved).")
    acknowledged_at: datetime | None = strawberry.field(description="When a head took it up; null: nobody yet.")
    resolved_at: datetime | None = strawberry.field(description="When a head closed it; null: open.")

    @classmethod
    def from_row(cls, row: m.Escalation) -> Escalation:
        return cls(id=strawberry.ID(str(to_global_id("Escalation", row.id))), kind=row.kind, what=row.what,
                   entity_key=row.entity_id, due_at=row.due_at, raised_at=row.raised_at,
                   late_days=late_days(row.due_at, row.resolved_at or datetime.now(UTC)),
                   acknowledged_at=row.acknowledged_at, resolved_at=row.resolved_at)


@strawberry.input(description="A breach in the supervisors' queue to take up.")
class AcknowledgeEscalationInput:
    escalation_id: relay.GlobalID = strawberry.field(description="The escalation (`Escalation`).")


@strawberry.input(description="A breach in the supervisors' queue to close.")
class ResolveEscalationInput:
    escalation_id: relay.GlobalID = strawberry.field(description="The escalation (`Escalation`).")


@payload(description="The escalation, taken up, or why not.")
class AcknowledgeEscalationPayload:
    escalation: Escalation | None = strawberry.field(default=None, description="The escalation.")


@payload(description="The escalation, closed, or why not.")
class ResolveEscalationPayload:
    escalation: Escalation | None = strawberry.field(default=None, description="The escalation.")


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

    @connection(description="Heads of the unit (officers flagged `isHead`): the supervisors' queue, the "
                "applications, complaints and obligations past their terms, oldest first. Anyone else: FORBIDDEN.")
    async def supervisor_queue(
        self, info: strawberry.Info,
        open: Annotated[bool, strawberry.argument(description="true: only the unresolved; false: all, resolved "
                                                 "too.")] = True,
    ) -> Connection[Escalation]:
        return Rows(uc.supervisor_queue(info.context.user, open_only=open), Escalation.from_row)  # type: ignore[return-value]


@strawberry.type
class NotificationsMutation:
    @mutation(description="Mark some of one's notifications read.")
    async def mark_notifications_read(
        self, info: strawberry.Info, input: MarkNotificationsReadInput
    ) -> MarkNotificationsReadPayload:
        ids = pks_of(input.notification_ids[:100], "Notification", "notificationIds")
        return MarkNotificationsReadPayload(count=await uc.mark_read(info.context.user, ids))

    @mutation(description="Heads of the unit: take up a breach of the supervisors' queue (it stays open).")
    async def acknowledge_escalation(
        self, info: strawberry.Info, input: AcknowledgeEscalationInput
    ) -> AcknowledgeEscalationPayload:
        pk = pk_of(input.escalation_id, "Escalation", "escalationId")
        return AcknowledgeEscalationPayload(escalation=Escalation.from_row(
            await uc.work_escalation(info.context.user, pk, resolve=False)))

    @mutation(description="Heads of the unit: close a breach of the supervisors' queue (it leaves the open queue).")
    async def resolve_escalation(
        self, info: strawberry.Info, input: ResolveEscalationInput
    ) -> ResolveEscalationPayload:
        pk = pk_of(input.escalation_id, "Escalation", "escalationId")
        return ResolveEscalationPayload(escalation=Escalation.from_row(
            await uc.work_escalation(info.context.user, pk, resolve=True)))


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
