"""The jobs. Each is idempotent: arq may run a job more than once."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from tortoise.transactions import in_transaction

from models.outbox import OutboxEvent
from resolvers import wiring
from resolvers.audit_checkpoint import write_checkpoint
from resolvers.calendar import load_calendar
from settings import Settings

log = logging.getLogger("registry.jobs")

MAX_ATTEMPTS = 10


async def dispatch_outbox(ctx: dict[str, Any], limit: int = 200) -> int:
    """Deliver pending outbox events in order; a failing one is retried on the next run."""
    delivered = 0
    async with in_transaction() as conn:
        # SKIP LOCKED: two workers never deliver the same event at once (PostgreSQL);
        # SQLite has one writer, so it needs nothing.
        query = OutboxEvent.filter(dispatched_at=None, attempts__lt=MAX_ATTEMPTS).order_by("id")
        if conn.capabilities.dialect == "postgres":
            query = query.select_for_update(skip_locked=True)
        events = await query.limit(limit).using_db(conn)
        for event in events:
            handler = wiring.OUTBOX_HANDLERS.get(event.topic)
            try:
                if handler is not None:
                    await handler(event.payload, ctx)
            except Exception as exc:
                log.warning("outbox event %s (%s) failed: %s", event.id, event.topic, exc)
                event.attempts += 1
                event.last_error = repr(exc)[:2000]
                await event.save(using_db=conn, update_fields=["attempts", "last_error"])
                continue
            event.dispatched_at = datetime.now(UTC)
            event.attempts += 1
            await event.save(using_db=conn, update_fields=["dispatched_at", "attempts"])
            delivered += 1
    return delivered


async def recompute_overdue(ctx: dict[str, Any], now: datetime | None = None) -> dict[str, int]:
    """Flag what went past its term; every checker writes its own outbox events."""
    now = now or datetime.now(UTC)
    calendar = await load_calendar()
    results = {name: await checker(now, calendar) for name, checker in wiring.OVERDUE_CHECKERS.items()}
    return results


async def checkpoint_audit(ctx: dict[str, Any]) -> int | None:
    """Sign the audit chain's head into its table and the export file (resolvers/audit_checkpoint.py);
    the head's sequence number, or None when it has not moved."""
    checkpoint = await write_checkpoint(ctx.get("settings") or Settings.from_env())
    return checkpoint.seq if checkpoint else None
