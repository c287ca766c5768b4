"""Row-level visibility: every list and lookup goes through `visible()` (the NetBox habit).

Each model names the path from its rows to the owning organisation; an applicant's querysets
are filtered on that path, so a forgotten check cannot leak another organisation's rows.
"""

from __future__ import annotations

from typing import TypeVar

from tortoise.models import Model
from tortoise.queryset import QuerySet

from rules.access import Actor, OwnerRef, Permission, may_act_for
from rules.errors import DomainError, ErrorCode

M = TypeVar("M", bound=Model)

# model class name -> (organisation kind, path from the row to the owner's id). The path may
# cross relations ("license__holder_id"): visibility is always a query filter.
OWNERSHIP: dict[str, tuple[str, str]] = {
    "Miner": ("miner", "id"),
    "DataCenter": ("miner", "miner_id"),
    "Pool": ("pool", "id"),
}


def register_ownership(model_name: str, kind: str, field: str) -> None:
    """Procedures add their own models here (e.g. Application -> miner_id)."""
    OWNERSHIP[model_name] = (kind, field)


def owner_of(instance: Model) -> OwnerRef:
    """The owner of a loaded row; only for models whose path is a column of their own."""
    kind, field = OWNERSHIP[type(instance).__name__]
    if "__" in field:
        raise TypeError(f"{type(instance).__name__}'s owner is behind a relation: use visible()")
    value = getattr(instance, field)
    return OwnerRef(miner_id=value) if kind == "miner" else OwnerRef(pool_id=value)


def require_may_act_for(actor: Actor, instance: Model) -> None:
    """Officers act for any organisation; an applicant only for its own."""
    if not may_act_for(actor, owner_of(instance)):
        raise DomainError(ErrorCode.FORBIDDEN)


def visible(queryset: QuerySet[M], actor: Actor) -> QuerySet[M]:
    if actor.can(Permission.READ_ALL):
        return queryset
    kind, field = OWNERSHIP[queryset.model.__name__]
    org_id = actor.miner_id if kind == "miner" else actor.pool_id
    if org_id is None:
        return queryset.filter(id__in=[])
    return queryset.filter(**{field: org_id})


async def get_visible(model: type[M], actor: Actor, pk: int, entity: str | None = None) -> M:
    """Load one row the actor may read; another organisation's row is reported NOT_FOUND."""
    instance = await visible(model.filter(pk=pk), actor).first()
    # Not FORBIDDEN: saying "it exists but is not yours" would leak that it exists.
    if instance is None:
        raise DomainError(ErrorCode.NOT_FOUND, entity=entity or model.__name__)
    return instance
