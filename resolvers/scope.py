"""Row-level visibility: every list, lookup and DataLoader goes through `visible()` (the NetBox
habit), which reads the per-role table `rules.access.READS`.

`OWNERSHIP` names, for every kind of record, the path from its rows to the owning
organisation; an applicant's querysets are filtered on that path, so a forgotten check cannot
leak another organisation's rows. A kind missing from it is readable by ALL-reach roles only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q, Subquery
from tortoise.models import Model
from tortoise.queryset import QuerySet

from models.batch import rows_in
from models.db import in_chunks
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
    "IncomeReport": ("pool", "pool_id"),
    "Inspection": ("miner", "miner_id"),
    "Document": ("miner", "owner_miner_id"),
}
# Kinds whose rows belong to a miner or to a pool (an application is filed by either): the path
# to the owning pool, used for a pool's applicant in place of the miner path above.
POOL_OWNERSHIP: dict[str, str] = {"Application": "pool_id", "Inspection": "pool_id", "Document": "owner_pool_id"}
# Kinds an owner reads only in some states: an inspection's subject reads it once completed (003).
OWN_ONCE: dict[str, dict[str, str]] = {"Inspection": {"status": "COMPLETED"}}


def _assigned_inspections(user_id: int) -> Q:
    from models.inspections import InspectionInspector

    return Q(id__in=Subquery(InspectionInspector.filter(user_id=user_id).values("inspection_id")))


# Object-level reads (Reach.ASSIGNED): kind -> the rows a user is assigned to.
ASSIGNED_TO = {"Inspection": _assigned_inspections}


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


def sees_all(actor: Actor, model: type[Model]) -> bool:
    """Whether `actor` reads every row of `model` (`visible` leaves its querysets as they are)."""
    return reach(actor, model.__name__) is Reach.ALL


def visible(queryset: QuerySet[M], actor: Actor) -> QuerySet[M]:
    """The rows of `queryset` that `actor` may read."""
    name = queryset.model.__name__
    how = reach(actor, name)
    if how is Reach.ALL:
        return queryset
    if how is Reach.ASSIGNED and name in ASSIGNED_TO and actor.user_id is not None:
        return queryset.filter(ASSIGNED_TO[name](actor.user_id))
    if how is Reach.OWN and name in OWN_ONCE:
        queryset = queryset.filter(**OWN_ONCE[name])
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


async def visible_rows_in(model: type[M], actor: Actor, column: str, keys: Sequence[Any],
                          order: tuple[str, ...] = ("id",)) -> list[M]:
    """The rows of `model` whose `column` is one of `keys` that `actor` may read, in `order`
    (within each chunk of keys): the batched read by key (models/batch) when the actor reads
    every row, `visible()`'s filtered queryset otherwise."""
    if sees_all(actor, model):
        return await rows_in(model, column, keys, order)
    rows: list[M] = []
    for chunk in in_chunks(list(keys)):
        rows += await visible(model.filter(**{f"{column}__in": chunk}), actor).order_by(*order)
    return rows


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


# --- references: what an input may name ---------------------------------------------------------
#
# Every id a mutation's input names (`minerId`, `dataCenterIds`, `licenseId`, ...) is loaded by
# `get_referenced`: the rows the caller may read, plus the few it may NAME without reading them.
# A row outside both answers NOT_FOUND exactly like a missing one (same code, same message).
#
# The one such case: a subtype-II miner has no data center and places its units in the data
# center of a LICENSED subtype-I miner, named in its letter of intent [001 §3, App.11 II(1)]. An
# applicant may therefore name (a) a data center on an active subtype-I appendix of an active
# licence: its location is printed on the host's licence and appendix, a public permit [001
# App.4, App.6]; (b) a data center named on an appendix of its own licence (where its units are
# hosted, App.7). Nothing else of another organisation: a data center not (or no longer) on a
# subtype-I licence is NOT_FOUND, so ids cannot be walked to find who has one.
#
# Naming is not reading: the referenced row stays out of `visible()`, so `DataCenter` nodes,
# `dataCenter`, `miner` and contact fields stay null for the naming organisation. What it reads of
# a referenced host is only what the permit prints: the address (`dataCenterAddresses` of its
# application, `dataCenterAddress` of its appendix) [001 App.2, App.7].


def _referable_data_centers(actor: Actor) -> Q:
    from models.licensing import LicenseAppendix
    from rules.enums import LicenseStatus
    from rules.workflow import LicenseSubtype

    active = LicenseAppendix.filter(status=LicenseStatus.ACTIVE, license__status=LicenseStatus.ACTIVE)
    licensed_hosts = active.filter(subtype=LicenseSubtype.I, data_center_id__isnull=False)
    named_on_own = visible(LicenseAppendix.filter(data_center_id__isnull=False), actor)
    return Q(id__in=Subquery(licensed_hosts.values("data_center_id"))) | Q(
        id__in=Subquery(named_on_own.values("data_center_id"))
    )


# Model name -> the rows (beyond the visible ones) an applicant may name in an input.
REFERABLE = {"DataCenter": _referable_data_centers}


def referable(queryset: QuerySet[M], actor: Actor) -> QuerySet[M]:
    """The rows of `queryset` that `actor` may name in a mutation's input (see above)."""
    extra = REFERABLE.get(queryset.model.__name__)
    if extra is None or reach(actor, queryset.model.__name__) is Reach.ALL or actor.miner_id is None:
        return visible(queryset, actor)
    seen = visible(queryset.model.all(), actor).values("id")
    return queryset.filter(Q(id__in=Subquery(seen)) | extra(actor))


async def get_referenced(
    model: type[M], actor: Actor, pk: int, field: str | None, *, conn: BaseDBAsyncClient | None = None
) -> M:
    """The row an input names (`field`: its input path), if the caller may read or name it;
    NOT_FOUND otherwise, exactly as for a missing row."""
    instance = await referable(model.filter(pk=pk), actor).using_db(conn).first()
    if instance is None:
        raise DomainError(ErrorCode.NOT_FOUND, entity=model.__name__, field=field)
    return instance
