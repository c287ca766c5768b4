"""Reading and verifying the audit trail."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType

from tortoise import Tortoise
from tortoise.queryset import QuerySet

from models.audit import AuditEvent
from resolvers.audit_checkpoint import load_checkpoints
from resolvers.audit_key import key_of
from resolvers.listing import Listing, Order
from resolvers.scope import visible
from rules.access import Actor, Permission
from rules.audit import AuditAction, AuditEntityType
from rules.audit_chain import ChainedFields, ChainReport, ChainWalk, StoredEvent, check_checkpoints
from rules.errors import DomainError, ErrorCode
from settings import Settings

__all__ = ["EntityRef", "list_audit_events", "references", "verify_audit_chain"]

_BATCH = 2000


@dataclass(frozen=True)
class EntityRef:
    """One record the trail may be about: its model's name and its key."""

    model: str
    pk: int


def _stored(row: AuditEvent) -> StoredEvent:
    return StoredEvent(
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


async def _stored_events() -> AsyncIterator[StoredEvent]:
    """The whole trail in id order, read in batches (never all of it in memory)."""
    last_id = 0
    while True:
        rows = await AuditEvent.filter(id__gt=last_id).order_by("id").limit(_BATCH)
        if not rows:
            return
        for row in rows:
            yield _stored(row)
        last_id = rows[-1].id


async def verify_audit_chain(actor: Actor, settings: Settings) -> ChainReport:
    """Recompute the chain from its start under the key and against every checkpoint (table and
    export file); the first event that does not fit, or a checkpoint the chain no longer
    reaches, is reported."""
    if not actor.can(Permission.VERIFY_AUDIT):
        raise DomainError(ErrorCode.FORBIDDEN)
    key = key_of(settings)
    checkpoints = await load_checkpoints(settings)
    if (bad := check_checkpoints(key, checkpoints)) is not None:
        return bad
    walk = ChainWalk(key, checkpoints)
    async for event in _stored_events():
        if (broken := walk.step(event)) is not None:
            return broken
    return walk.report()


def list_audit_events(
    actor: Actor,
    *,
    entity: EntityRef | None = None,
    entity_type: AuditEntityType | None = None,
    action: AuditAction | None = None,
    order: Order | None = None,
) -> Listing[AuditEvent]:
    """Events the caller may read (officers and admins), filtered, in chain (time) order."""
    if not actor.can(Permission.READ_AUDIT):
        raise DomainError(ErrorCode.FORBIDDEN)
    qs: QuerySet[AuditEvent] = visible(AuditEvent.all(), actor)
    if entity is not None:
        qs = qs.filter(entity_type=entity.model, entity_id=str(entity.pk))
    if entity_type is not None:
        qs = qs.filter(entity_type=entity_type.value)
    if action is not None:
        qs = qs.filter(action=action.value)
    return Listing(qs, order or Order())


_NO_REFERENCES: Mapping[str, str] = MappingProxyType({})


def references(model_name: str) -> Mapping[str, str]:
    """Snapshot keys of `model_name` that hold another record's key -> that record's model
    (`miner_id` -> `Miner`), from the model's foreign keys. Empty for an unknown model."""
    apps = Tortoise.apps
    model = next((models[model_name] for models in apps.values() if model_name in models), None) if apps else None
    return _NO_REFERENCES if model is None else _references(model)


@cache
def _references(model: type) -> Mapping[str, str]:
    meta = model._meta  # type: ignore[attr-defined]
    refs = {}
    for name in (*meta.fk_fields, *meta.o2o_fields):
        field = meta.fields_map[name]
        refs[field.source_field] = field.related_model.__name__
    return MappingProxyType(refs)
