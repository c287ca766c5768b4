"""Row-level visibility: every list, lookup and DataLoader goes through `visible()` (the NetBox
habit), which reads the per-role table `rules.access.READS`.

`OWNERSHIP` names, for every kind of record, the path from its rows to the owning
organisation; an applicant's querysets are filtered on that path, so a forgotten check cannot
leak another organisation's rows. A kind missing from it is readable by ALL-reach roles only.
"""

from __future__ import annotations

from typing import TypeVar

from tortoise.models import Model
from tortoise.queryset import QuerySet

from rules.access import SELF_READS, Actor, OwnerRef, Reach, may_act_for, reach
from rules.errors import DomainError, ErrorCode

M = TypeVar("M", bound=Model)

# Model name -> (organisation kind, path from the row to the owner's id). The path may cross
# relations ("license__holder_id"): visibility is always a query filter.
OWNERSHIP: dict[str, tuple[str, str]] = {
    "Miner": ("miner", "id"),
    "DataCenter": ("miner", "miner_id"),
    "Pool": ("pool", "id"),
    "Application": ("miner", "miner_id"),
    "License": ("miner", "holder_id"),
    "LicenseAppendix": ("miner", "license__holder_id"),
    "Complaint": ("miner", "application__miner_id"),
    "NotificationObligation": ("miner", "miner_id"),
    "PoolMembership": ("miner", "miner_id"),
    "AsicUnit": ("miner", "miner_id"),
    "AsicUnitEvent": ("miner", "unit__miner_id"),
    "RegistryApplication": ("miner", "application__miner_id"),
    "RegistryApplicationLine": ("miner", "application__miner_id"),
    "RegistryApplicationTarget": ("miner", "application__miner_id"),
    "PoolApplication": ("pool", "application__pool_id"),
    "PoolCertificate": ("pool", "pool_id"),
}
# Kinds whose rows belong to a miner or to a pool (an application is filed by either): the path
# to the owning pool, used for a pool's applicant in place of the miner path above.
POOL_OWNERSHIP: dict[str, str] = {"Application": "pool_id"}


def owner_of(instance: Model) -> OwnerRef:
    """The owner of a loaded row; only for models whose path is a column of their own."""
    name = type(instance).__name__
    kind, field = OWNERSHIP[name]
    if name in POOL_OWNERSHIP and getattr(instance, field) is None:
        kind, field = "pool", POOL_OWNERSHIP[name]
    if "__" in field:
        raise TypeError(f"{type(instance).__name__}'s owner is behind a relation: use visible()")
    value = getattr(instance, field)
    return OwnerRef(miner_id=value) if kind == "miner" else OwnerRef(pool_id=value)


def require_may_act_for(actor: Actor, instance: Model) -> None:
    """Officers act for any organisation; an applicant only for its own."""
    if not may_act_for(actor, owner_of(instance)):
        raise DomainError(ErrorCode.FORBIDDEN)


def visible(queryset: QuerySet[M], actor: Actor) -> QuerySet[M]:
    """The rows of `queryset` that `actor` may read."""
    name = queryset.model.__name__
    how = reach(actor, name)
    if how is Reach.ALL:
        return queryset
    if how is Reach.OWN and name in OWNERSHIP:
        kind, field = OWNERSHIP[name]
        if actor.pool_id is not None and name in POOL_OWNERSHIP:
            kind, field = "pool", POOL_OWNERSHIP[name]
        org_id = actor.miner_id if kind == "miner" else actor.pool_id
        if org_id is not None:
            return queryset.filter(**{field: org_id})
    if name in SELF_READS and actor.user_id is not None:  # a user reads its own account and tokens
        return queryset.filter(**{SELF_READS[name]: actor.user_id})
    return queryset.filter(id__in=[])


async def get_visible(model: type[M], actor: Actor, pk: int, entity: str | None = None, *, field: str | None = None) -> M:
    """Load one row the actor may read; another organisation's row is reported NOT_FOUND,
    exactly as a missing one (same code, same message), so its existence is not disclosed."""
    instance = await visible(model.filter(pk=pk), actor).first()
    if instance is None:
        raise DomainError(ErrorCode.NOT_FOUND, entity=entity or model.__name__, field=field)
    return instance


async def find_visible(model: type[M], actor: Actor, pk: int) -> M | None:
    """Like get_visible, but None for "missing or not yours" (lookups that return null)."""
    return await visible(model.filter(pk=pk), actor).first()
