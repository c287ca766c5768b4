"""The jobs. Each is idempotent: arq may run a job more than once (delivery semantics of the
outbox: jobs/__init__.py)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from tortoise.transactions import in_transaction

from models.outbox import OutboxEvent
from resolvers import webhooks, wiring
from resolvers.audit_checkpoint import write_checkpoint
from resolvers.calendar import load_calendar
from resolvers.event_feed import publish_committed
from settings import Settings

log = logging.getLogger("registry.jobs")

MAX_ATTEMPTS = 10


async def dispatch_outbox(ctx: dict[str, Any], limit: int = 200) -> int:
    """Deliver up to `limit` pending outbox events in id order, each in its own transaction
    (claim, run its handler, mark, commit): a crash repeats at most the one event in flight,
    never the events delivered before it. A failing handler is recorded and retried on a later
    run (up to MAX_ATTEMPTS); the events after it still go. Returns how many were delivered.
    After a run that delivered something, every API process's live feeds are woken (Redis):
    the handlers write notifications (the `notifications` subscription)."""
    delivered, after = 0, 0
    for _ in range(limit):
        outcome = await _deliver_next(ctx, after)
        if outcome is None:
            break
        after, ok = outcome
        delivered += ok
    settings = ctx.get("settings")
    if delivered and settings is not None:  # handlers may have raised notifications: wake the live feeds
        await publish_committed(settings.redis_url)
    return delivered


async def _deliver_next(ctx: dict[str, Any], after: int) -> tuple[int, bool] | None:
    """Claim the next pending event after id `after`, deliver it and mark it, in one transaction:
    (its id, delivered?), or None when nothing is pending."""
    async with in_transaction() as conn:
        # SKIP LOCKED: two workers never deliver the same event at once (PostgreSQL); SQLite has
        # one writer, so it needs nothing.
        query = OutboxEvent.filter(dispatched_at=None, attempts__lt=MAX_ATTEMPTS, id__gt=after).order_by("id")
        if conn.capabilities.dialect == "postgres":
            query = query.select_for_update(skip_locked=True)
        event = await query.using_db(conn).first()
        if event is None:
            return None
        event.attempts += 1
        handler = wiring.OUTBOX_HANDLERS.get(event.topic)
        try:
            if handler is not None:
                # At least once: the event id is the idempotency key a handler passes downstream.
                await handler(event.payload, {**ctx, "event_id": event.id, "idempotency_key": idempotency_key(event.id)})
        except Exception as exc:
            log.warning("outbox event %s (%s) failed: %s", event.id, event.topic, exc)
            event.last_error = repr(exc)[:2000]
            await event.save(using_db=conn, update_fields=["attempts", "last_error"])
            return event.id, False
        event.dispatched_at = datetime.now(UTC)
        await event.save(using_db=conn, update_fields=["dispatched_at", "attempts"])
        return event.id, True


def idempotency_key(event_id: int) -> str:
    """What a handler sends downstream (an `Idempotency-Key` header, a message id): the same for
    every delivery of one event."""
    return f"kzm-outbox-{event_id}"


async def outbox_backlog(now: datetime | None = None) -> dict[str, Any]:
    """Pending events, the age of the oldest (seconds) and those given up after MAX_ATTEMPTS
    (for /healthz)."""
    now = now or datetime.now(UTC)
    pending = OutboxEvent.filter(dispatched_at=None, attempts__lt=MAX_ATTEMPTS)
    oldest = await pending.order_by("id").only("id", "created_at").first()
    return {
        "pending": await pending.count(),
        "oldest_age_seconds": round((now - oldest.created_at).total_seconds(), 1) if oldest else 0.0,
        "failed": await OutboxEvent.filter(dispatched_at=None, attempts__gte=MAX_ATTEMPTS).count(),
    }


async def produce_documents(ctx: dict[str, Any]) -> int:
    """Render, sign and store the PENDING documents (resolvers/documents/issue.py)."""
    from resolvers.documents.issue import produce_pending  # WeasyPrint loads with the first run

    return await produce_pending(ctx.get("settings") or Settings.from_env())


async def recompute_overdue(ctx: dict[str, Any], now: datetime | None = None) -> dict[str, int]:
    """Flag what went past its term; every checker writes its own outbox events."""
    now = now or datetime.now(UTC)
    calendar = await load_calendar()
    results = {name: await checker(now, calendar) for name, checker in wiring.OVERDUE_CHECKERS.items()}
    return results


async def deliver_webhooks(ctx: dict[str, Any]) -> int:
    """Turn new events into webhook deliveries and attempt what is due (resolvers/webhooks.py):
    the `webhook_delivery` table holds the schedule, so this works the same under arq and the
    in-process runner. Returns how many were delivered."""
    await webhooks.schedule_deliveries()
    return await webhooks.deliver_due(ctx.get("settings") or Settings.from_env())


async def checkpoint_audit(ctx: dict[str, Any]) -> int | None:
    """Sign the audit chain's head into its table and the export file (resolvers/audit_checkpoint.py);
    the head's sequence number, or None when it has not moved."""
    checkpoint = await write_checkpoint(ctx.get("settings") or Settings.from_env())
    return checkpoint.seq if checkpoint else None


async def purge_expired(ctx: dict[str, Any], now: datetime | None = None) -> dict[str, int]:
    """The retention purge: the events older than the window (settings.event_retention_days)
    with their webhook deliveries, and the notifications read longer ago than
    settings.notification_retention_days. A cursor before the purged events is then refused
    (EVENT_CURSOR_EXPIRED), as it was while they were merely out of the window."""
    from resolvers.events import purge_expired as purge_events
    from resolvers.notifications import purge_read

    settings = ctx.get("settings") or Settings.from_env()
    return {"events": await purge_events(settings.event_retention_days, now),
            "notifications": await purge_read(settings.notification_retention_days, now)}
