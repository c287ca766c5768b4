"""Reading and verifying the audit trail."""

from __future__ import annotations

from collections.abc import AsyncIterator

from models.audit import AuditEvent
from resolvers.pagination import Page, paginate
from rules.access import Actor, Permission
from rules.audit_chain import ChainedFields, ChainReport, StoredEvent, verify
from rules.errors import DomainError, ErrorCode

_BATCH = 2000


async def _stored_events() -> AsyncIterator[StoredEvent]:
    last_id = 0
    while True:
        rows = await AuditEvent.filter(id__gt=last_id).order_by("id").limit(_BATCH)
        if not rows:
            return
        for row in rows:
            yield StoredEvent(
                id=row.id,
                prev_hash=row.prev_hash,
                hash=row.hash,
                fields=ChainedFields(
                    at=row.at,
                    actor_id=row.actor_id,
                    actor_label=row.actor_label,
                    action=row.action,
                    entity_type=row.entity_type,
                    entity_id=row.entity_id,
                    before=row.before,
                    after=row.after,
                ),
            )
        last_id = rows[-1].id


async def verify_audit_chain(actor: Actor) -> ChainReport:
    if not actor.can(Permission.VERIFY_AUDIT):
        raise DomainError(ErrorCode.FORBIDDEN)
    events = [event async for event in _stored_events()]
    return verify(events)


async def list_audit_events(
    actor: Actor,
    *,
    entity_type: str | None = None,
    entity_id: str | None = None,
    **page: int | None,
) -> Page[AuditEvent]:
    if not actor.can(Permission.READ_AUDIT):
        raise DomainError(ErrorCode.FORBIDDEN)
    qs = AuditEvent.all()
    if entity_type:
        qs = qs.filter(entity_type=entity_type)
    if entity_id:
        qs = qs.filter(entity_id=entity_id)
    return await paginate(qs, **page)
