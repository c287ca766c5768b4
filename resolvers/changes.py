"""Recording a change: the audit event and the outbox events, in the caller's transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from tortoise import Tortoise
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model
from tortoise.transactions import in_transaction

from models.audit import AuditEvent
from models.outbox import OutboxEvent
from resolvers.audit_key import audit_key
from resolvers.events import append_event
from rules.access import Actor
from rules.audit_chain import GENESIS, ChainedFields, event_hash, to_jsonable
from rules.events import public_event

# Any constant works: it names the one lock that serialises appends to the chain on PostgreSQL.
_AUDIT_LOCK_KEY = 727_001


def snapshot(instance: Model, exclude: Iterable[str] = ("created_at", "updated_at", "search_name")) -> dict[str, Any]:
    skip = set(exclude)
    data: dict[str, Any] = {}
    for name in instance._meta.db_fields:
        field_name = instance._meta.fields_db_projection_reverse.get(name, name)
        if field_name in skip:
            continue
        data[field_name] = to_jsonable(getattr(instance, field_name))
    return data


def _dialect(conn: BaseDBAsyncClient) -> str:
    return conn.capabilities.dialect


async def lock_audit_chain(conn: BaseDBAsyncClient) -> None:
    """Hold the chain's head still until the transaction ends (PostgreSQL; SQLite has one
    writer at a time anyway)."""
    if _dialect(conn) == "postgres":
        await conn.execute_query("SELECT pg_advisory_xact_lock($1)", [_AUDIT_LOCK_KEY])


async def append_audit(
    conn: BaseDBAsyncClient,
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: Any,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    *,
    now: datetime | None = None,
) -> AuditEvent:
    """Append one event to the chain inside the caller's transaction."""
    # Two transactions appending at once would both link to the same predecessor.
    await lock_audit_chain(conn)
    last = await AuditEvent.all().using_db(conn).order_by("-id").only("hash").first()
    prev = last.hash if last else GENESIS
    fields = ChainedFields(
        at=now or datetime.now(UTC),
        actor_id=actor.user_id,
        actor_label=actor.label,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        before=to_jsonable(before),
        after=to_jsonable(after),
    )
    return await AuditEvent.create(
        using_db=conn,
        at=fields.at,
        actor_id=fields.actor_id,
        actor_label=fields.actor_label,
        action=fields.action,
        entity_type=fields.entity_type,
        entity_id=fields.entity_id,
        before=fields.before,
        after=fields.after,
        prev_hash=prev,
        hash=event_hash(prev, fields, audit_key()),
    )


async def emit(
    conn: BaseDBAsyncClient,
    topic: str,
    payload: dict[str, Any],
    *,
    dedup_key: str | None = None,
) -> None:
    """Queue an event for the dispatcher; a repeated dedup_key is a no-op, not an error. An event of
    the public contract (rules/events.py) is also appended to the partners' log, in the same
    transaction (resolvers/events.py)."""
    if dedup_key and await OutboxEvent.filter(dedup_key=dedup_key).using_db(conn).exists():
        return
    stored = to_jsonable(payload)
    row = await OutboxEvent.create(using_db=conn, topic=topic, payload=stored, dedup_key=dedup_key)
    public = public_event(topic, stored)
    if public is not None:
        # Under the chain's lock until commit: sequence numbers are taken in commit order.
        await lock_audit_chain(conn)
        await append_event(conn, public, row.pk)


async def record_change(
    conn: BaseDBAsyncClient,
    actor: Actor,
    action: str,
    instance: Model,
    before: dict[str, Any] | None,
    *,
    topic: str | None = None,
    after: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Audit a change of `instance` and publish it on `topic` (default: the action name). `after`
    replaces the row's snapshot when the row is too large to copy into the audit and the outbox
    (a summary that names the row: the row itself holds the rest)."""
    entity_type = type(instance).__name__
    after = snapshot(instance) if after is None else after
    await append_audit(conn, actor, action, entity_type, instance.pk, before, after)
    await emit(
        conn,
        topic or action,
        {"entity": entity_type, "id": instance.pk, "action": action, "after": after},
    )
    return after


def connection() -> BaseDBAsyncClient:
    return Tortoise.get_connection("default")


async def flag_overdue(
    rows: Iterable[Model], topic: str, dedup_prefix: str, payload: Callable[[Any], dict[str, Any]]
) -> int:
    """Mark rows overdue, each with its one alert: the dedup key makes a re-run harmless."""
    count = 0
    for row in rows:
        async with in_transaction() as conn:
            row.overdue = True  # type: ignore[attr-defined]
            await row.save(using_db=conn, update_fields=["overdue", "updated_at"])
            await emit(conn, topic, payload(row), dedup_key=f"{dedup_prefix}:{row.pk}")
        count += 1
    return count
