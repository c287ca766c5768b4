"""Use cases for miners, data centers and pools."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Subquery
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from models.parties import DataCenter, Miner, Pool
from models.timestamps import fold
from resolvers.changes import record_change, snapshot
from resolvers.pagination import Page, paginate
from resolvers.scope import get_visible, owner_of, visible
from rules.access import Actor, OwnerRef, Permission, can_edit_party
from rules.bin_iin import IdKind, bin_iin_problem
from rules.contacts import is_email, is_phone
from rules.enums import MinerKind, PowerSource, Region, ServerRole
from rules.errors import DomainError, ErrorCode

__all__ = [
    "create_data_center",
    "create_miner",
    "create_pool",
    "list_data_centers",
    "list_miners",
    "list_pools",
    "update_data_center",
    "update_miner",
    "update_pool",
]


def _check_bin(value: str, kind: IdKind, field: str) -> None:
    if problem := bin_iin_problem(value, kind):
        raise DomainError(ErrorCode.INVALID_BIN, field=field, detail=problem, value=value)


def _check_text(data: dict[str, Any], *names: str) -> None:
    for name in names:
        if name in data and not str(data[name]).strip():
            raise DomainError(ErrorCode.VALIDATION, field=name, detail="must not be empty")


def _check_contacts(data: dict[str, Any]) -> None:
    if "email" in data and not is_email(data["email"]):
        raise DomainError(ErrorCode.VALIDATION, field="email", detail="not an e-mail address")
    if "phone" in data and not is_phone(data["phone"]):
        raise DomainError(ErrorCode.VALIDATION, field="phone", detail="not a phone number")


def _require_edit(actor: Actor, owner: OwnerRef) -> None:
    if not can_edit_party(actor, owner):
        raise DomainError(ErrorCode.FORBIDDEN)


async def _save(actor: Actor, action: str, instance: Any, before: dict[str, Any] | None) -> Any:
    """Save + audit + outbox in one transaction; a unique clash becomes CONFLICT."""
    try:
        async with in_transaction() as conn:
            await instance.save(using_db=conn)
            await record_change(conn, actor, action, instance, before)
    except IntegrityError as exc:
        raise DomainError(ErrorCode.CONFLICT, what="already registered", detail=str(exc)) from exc
    return instance


async def _update(actor: Actor, action: str, instance: Any, patch: dict[str, Any]) -> Any:
    before = snapshot(instance)
    for name, value in patch.items():
        setattr(instance, name, value)
    return await _save(actor, action, instance, before)


# --- miners -----------------------------------------------------------------------------------


def _id_kind(kind: MinerKind) -> IdKind:
    return IdKind.IIN if kind is MinerKind.IE else IdKind.BIN


async def list_miners(
    actor: Actor,
    *,
    name: str | None = None,
    bin_iin: str | None = None,
    region: Region | None = None,
    **page: int | None,
) -> Page[Miner]:
    qs: QuerySet[Miner] = visible(Miner.all(), actor)
    if name:
        qs = qs.filter(search_name__contains=fold(name))
    if bin_iin:
        qs = qs.filter(bin_iin__startswith=bin_iin)
    if region:
        qs = qs.filter(id__in=Subquery(DataCenter.filter(region=region).values("miner_id")))
    return await paginate(qs, **page)


async def create_miner(actor: Actor, data: dict[str, Any]) -> Miner:
    if not actor.can(Permission.MANAGE_PARTIES):
        raise DomainError(ErrorCode.FORBIDDEN)
    kind = MinerKind(data["kind"])
    _check_bin(data["bin_iin"], _id_kind(kind), "binIin")
    _check_text(data, "name", "legal_address")
    _check_contacts(data)
    return await _save(actor, "miner.created", Miner(**data), None)


async def update_miner(actor: Actor, miner_id: int, patch: dict[str, Any]) -> Miner:
    miner = await get_visible(Miner, actor, miner_id)
    _require_edit(actor, owner_of(miner))
    if "bin_iin" in patch or "kind" in patch:
        if not actor.can(Permission.MANAGE_PARTIES):
            raise DomainError(ErrorCode.FORBIDDEN)
        kind = MinerKind(patch.get("kind", miner.kind))
        _check_bin(patch.get("bin_iin", miner.bin_iin), _id_kind(kind), "binIin")
    _check_text(patch, "name", "legal_address")
    _check_contacts(patch)
    return await _update(actor, "miner.updated", miner, patch)


# --- data centers -----------------------------------------------------------------------------


def _check_grid(data: dict[str, Any]) -> None:
    for name in ("substation_kv", "permitted_capacity_mw"):
        value = data.get(name)
        if value is not None and Decimal(value) < 0:
            raise DomainError(ErrorCode.VALIDATION, field=name, detail="must not be negative")
    if (
        data.get("power_source") is PowerSource.GRID
        and "substation_kv" in data
        and data["substation_kv"] is None
    ):
        raise DomainError(
            ErrorCode.VALIDATION, field="substation_kv", detail="required for GRID power"
        )


async def list_data_centers(
    actor: Actor,
    *,
    miner_id: int | None = None,
    region: Region | None = None,
    name: str | None = None,
    **page: int | None,
) -> Page[DataCenter]:
    qs: QuerySet[DataCenter] = visible(DataCenter.all(), actor)
    if miner_id is not None:
        qs = qs.filter(miner_id=miner_id)
    if region:
        qs = qs.filter(region=region)
    if name:
        qs = qs.filter(search_name__contains=fold(name))
    return await paginate(qs, **page)


async def create_data_center(actor: Actor, data: dict[str, Any]) -> DataCenter:
    miner = await get_visible(Miner, actor, data["miner_id"], "Miner")
    _require_edit(actor, owner_of(miner))
    _check_text(data, "name", "address")
    _check_grid(data)
    return await _save(actor, "data_center.created", DataCenter(**data), None)


async def update_data_center(actor: Actor, dc_id: int, patch: dict[str, Any]) -> DataCenter:
    dc = await get_visible(DataCenter, actor, dc_id, "DataCenter")
    _require_edit(actor, owner_of(dc))
    if "miner_id" in patch:
        # Moving a DC to another holder is an officer's act (it changes who may use it).
        if not actor.can(Permission.MANAGE_PARTIES):
            raise DomainError(ErrorCode.FORBIDDEN)
        await get_visible(Miner, actor, patch["miner_id"], "Miner")
    _check_text(patch, "name", "address")
    _check_grid({"power_source": patch.get("power_source", dc.power_source), **patch})
    return await _update(actor, "data_center.updated", dc, patch)


# --- pools ------------------------------------------------------------------------------------


def _check_servers(locations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    cleaned = []
    for i, loc in enumerate(locations):
        if not str(loc.get("settlement", "")).strip() or not str(loc.get("address", "")).strip():
            raise DomainError(
                ErrorCode.VALIDATION, field=f"serverLocations[{i}]", detail="settlement and address"
            )
        cleaned.append(
            {
                "role": ServerRole(loc["role"]).value,
                "settlement": loc["settlement"].strip(),
                "address": loc["address"].strip(),
            }
        )
    return cleaned


async def list_pools(
    actor: Actor, *, name: str | None = None, bin: str | None = None, **page: int | None
) -> Page[Pool]:
    qs: QuerySet[Pool] = visible(Pool.all(), actor)
    if name:
        qs = qs.filter(search_name__contains=fold(name))
    if bin:
        qs = qs.filter(bin__startswith=bin)
    return await paginate(qs, **page)


async def create_pool(actor: Actor, data: dict[str, Any]) -> Pool:
    if not actor.can(Permission.MANAGE_PARTIES):
        raise DomainError(ErrorCode.FORBIDDEN)
    # Pools are legal entities only (004 §3): an IIN is not accepted.
    _check_bin(data["bin"], IdKind.BIN, "bin")
    _check_text(data, "name")
    data = {**data, "server_locations": _check_servers(data.get("server_locations", []))}
    return await _save(actor, "pool.created", Pool(**data), None)


async def update_pool(actor: Actor, pool_id: int, patch: dict[str, Any]) -> Pool:
    pool = await get_visible(Pool, actor, pool_id, "Pool")
    _require_edit(actor, owner_of(pool))
    if "bin" in patch:
        if not actor.can(Permission.MANAGE_PARTIES):
            raise DomainError(ErrorCode.FORBIDDEN)
        _check_bin(patch["bin"], IdKind.BIN, "bin")
    _check_text(patch, "name")
    if "server_locations" in patch:
        patch = {**patch, "server_locations": _check_servers(patch["server_locations"])}
    return await _update(actor, "pool.updated", pool, patch)
