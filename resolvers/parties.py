"""Use cases for miners, data centers and pools."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Subquery
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from models.parties import DataCenter, Miner, Pool
from models.timestamps import fold
from resolvers.changes import record_change, snapshot
from resolvers.commands import NOT_GIVEN, given_fields
from resolvers.listing import Listing, Order
from resolvers.scope import get_visible, owner_of, visible
from rules.access import Actor, OwnerRef, Permission, can_edit_party
from rules.bin_iin import IdKind, bin_iin_problem
from rules.contacts import is_email, is_phone
from rules.enums import ElectricityPurchase, MinerKind, PowerSource, Region, ServerRole
from rules.errors import DomainError, ErrorCode
from rules.limits import PERMITTED_CAPACITY_KW, SUBSTATION_KV, check_search, check_text

__all__ = [
    "CreateDataCenter",
    "CreateMiner",
    "CreatePool",
    "ServerLocation",
    "UpdateDataCenter",
    "UpdateMiner",
    "UpdatePool",
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

# Column sizes (models/parties.py): names 500, addresses 1000, phone 32, e-mail 254. The decimal
# bounds (kV, kW) are in rules/limits.py.
NAME_MAX, ADDRESS_MAX = 500, 1000


# --- commands ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CreateMiner:
    kind: MinerKind
    bin_iin: str
    name: str
    legal_address: str
    phone: str
    email: str


@dataclass(frozen=True)
class UpdateMiner:
    miner_id: int
    kind: Any = NOT_GIVEN
    bin_iin: Any = NOT_GIVEN
    name: Any = NOT_GIVEN
    legal_address: Any = NOT_GIVEN
    phone: Any = NOT_GIVEN
    email: Any = NOT_GIVEN


@dataclass(frozen=True)
class CreateDataCenter:
    miner_id: int
    name: str
    address: str
    region: Region
    outside_residential_zone: bool
    power_source: PowerSource
    substation_kv: Decimal | None = None
    permitted_capacity_kw: Decimal | None = None
    connected_on: date | None = None
    electricity_purchase: ElectricityPurchase | None = None


@dataclass(frozen=True)
class UpdateDataCenter:
    data_center_id: int
    miner_id: Any = NOT_GIVEN
    name: Any = NOT_GIVEN
    address: Any = NOT_GIVEN
    region: Any = NOT_GIVEN
    outside_residential_zone: Any = NOT_GIVEN
    power_source: Any = NOT_GIVEN
    substation_kv: Any = NOT_GIVEN
    permitted_capacity_kw: Any = NOT_GIVEN
    connected_on: Any = NOT_GIVEN
    electricity_purchase: Any = NOT_GIVEN


@dataclass(frozen=True)
class ServerLocation:
    role: ServerRole
    settlement: str
    address: str


@dataclass(frozen=True)
class CreatePool:
    bin: str
    name: str
    legal_address: str = ""
    server_locations: tuple[ServerLocation, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class UpdatePool:
    pool_id: int
    bin: Any = NOT_GIVEN
    name: Any = NOT_GIVEN
    legal_address: Any = NOT_GIVEN
    server_locations: Any = NOT_GIVEN


# --- checks -----------------------------------------------------------------------------------


def _check_bin(value: str, kind: IdKind, field: str) -> None:
    if problem := bin_iin_problem(value, kind):
        raise DomainError(ErrorCode.INVALID_BIN, field=field, detail=problem, value=value[:20])


_REQUIRED_COLUMNS = frozenset(
    {"kind", "bin_iin", "bin", "name", "legal_address", "phone", "email", "address", "region",
     "outside_residential_zone", "power_source", "miner_id", "server_locations"}
)


def _clean(data: dict[str, Any], *, optional: tuple[str, ...] = ()) -> dict[str, Any]:
    """Null is not a value for a required column; texts are trimmed and bounded."""
    for name, value in data.items():
        if value is None and name in _REQUIRED_COLUMNS:
            raise DomainError(ErrorCode.VALIDATION, field=name, detail="must not be null")
    limits = {"name": NAME_MAX, "legal_address": ADDRESS_MAX, "address": ADDRESS_MAX}
    out = dict(data)
    for name, max_length in limits.items():
        if name in out:
            out[name] = check_text(out[name], name, max_length=max_length, required=name not in optional)
    if "email" in out:
        out["email"] = out["email"].strip()
        if not is_email(out["email"]):
            raise DomainError(ErrorCode.VALIDATION, field="email", detail="not an e-mail address")
    if "phone" in out:
        out["phone"] = out["phone"].strip()
        if not is_phone(out["phone"]):
            raise DomainError(ErrorCode.VALIDATION, field="phone", detail="not a phone number")
    return out


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


def list_miners(
    actor: Actor,
    *,
    name: str | None = None,
    bin_iin: str | None = None,
    region: Region | None = None,
    order: Order | None = None,
) -> Listing[Miner]:
    qs: QuerySet[Miner] = visible(Miner.all(), actor)
    if name := check_search(name, "name"):
        qs = qs.filter(search_name__contains=fold(name))
    if bin_iin := check_search(bin_iin, "binIin"):
        qs = qs.filter(bin_iin__startswith=bin_iin)
    if region:
        qs = qs.filter(id__in=Subquery(DataCenter.filter(region=region).values("miner_id")))
    return Listing(qs, order or Order())


async def create_miner(actor: Actor, cmd: CreateMiner) -> Miner:
    if not actor.can(Permission.MANAGE_PARTIES):
        raise DomainError(ErrorCode.FORBIDDEN)
    data = _clean(given_fields(cmd))
    _check_bin(data["bin_iin"], _id_kind(MinerKind(data["kind"])), "binIin")
    return await _save(actor, "miner.created", Miner(**data), None)


async def update_miner(actor: Actor, cmd: UpdateMiner) -> Miner:
    miner = await get_visible(Miner, actor, cmd.miner_id, "Miner", field="id")
    _require_edit(actor, owner_of(miner))
    patch = _clean(given_fields(cmd, exclude=("miner_id",)))
    if "bin_iin" in patch or "kind" in patch:
        if not actor.can(Permission.MANAGE_PARTIES):
            raise DomainError(ErrorCode.FORBIDDEN, field="binIin")
        kind = MinerKind(patch.get("kind", miner.kind))
        _check_bin(patch.get("bin_iin", miner.bin_iin), _id_kind(kind), "binIin")
    return await _update(actor, "miner.updated", miner, patch)


# --- data centers -----------------------------------------------------------------------------


def _grid(data: dict[str, Any], power_source: PowerSource) -> dict[str, Any]:
    """Grid facts checked and stored: kV as given, capacity from kW to the MW column."""
    out = dict(data)
    if "substation_kv" in out:
        out["substation_kv"] = SUBSTATION_KV.check(out["substation_kv"], "substationKv")
    if "permitted_capacity_kw" in out:
        kw = PERMITTED_CAPACITY_KW.check(out.pop("permitted_capacity_kw"), "permittedCapacityKw")
        out["permitted_capacity_mw"] = None if kw is None else kw / 1000
    if power_source is PowerSource.GRID and "substation_kv" in out and out["substation_kv"] is None:
        raise DomainError(ErrorCode.VALIDATION, field="substationKv", detail="required for GRID power")
    return out


def list_data_centers(
    actor: Actor,
    *,
    miner_id: int | None = None,
    region: Region | None = None,
    name: str | None = None,
    order: Order | None = None,
) -> Listing[DataCenter]:
    qs: QuerySet[DataCenter] = visible(DataCenter.all(), actor)
    if miner_id is not None:
        qs = qs.filter(miner_id=miner_id)
    if region:
        qs = qs.filter(region=region)
    if name := check_search(name, "name"):
        qs = qs.filter(search_name__contains=fold(name))
    return Listing(qs, order or Order())


async def create_data_center(actor: Actor, cmd: CreateDataCenter) -> DataCenter:
    miner = await get_visible(Miner, actor, cmd.miner_id, "Miner", field="minerId")
    _require_edit(actor, owner_of(miner))
    data = _grid(_clean(given_fields(cmd)), PowerSource(cmd.power_source))
    return await _save(actor, "data_center.created", DataCenter(**data), None)


async def update_data_center(actor: Actor, cmd: UpdateDataCenter) -> DataCenter:
    dc = await get_visible(DataCenter, actor, cmd.data_center_id, "DataCenter", field="id")
    _require_edit(actor, owner_of(dc))
    patch = _clean(given_fields(cmd, exclude=("data_center_id",)))
    if "miner_id" in patch:
        # Moving a DC to another holder is an officer's act (it changes who may use it).
        if not actor.can(Permission.MANAGE_PARTIES):
            raise DomainError(ErrorCode.FORBIDDEN, field="minerId")
        await get_visible(Miner, actor, patch["miner_id"], "Miner", field="minerId")
    patch = _grid(patch, PowerSource(patch.get("power_source", dc.power_source)))
    return await _update(actor, "data_center.updated", dc, patch)


# --- pools ------------------------------------------------------------------------------------


def _servers(locations: tuple[ServerLocation, ...] | list[ServerLocation]) -> list[dict[str, Any]]:
    return [
        {
            "role": ServerRole(loc.role).value,
            "settlement": check_text(loc.settlement, f"serverLocations[{i}].settlement", max_length=200),
            "address": check_text(loc.address, f"serverLocations[{i}].address", max_length=ADDRESS_MAX),
        }
        for i, loc in enumerate(locations)
    ]


def list_pools(
    actor: Actor, *, name: str | None = None, bin: str | None = None, order: Order | None = None
) -> Listing[Pool]:
    qs: QuerySet[Pool] = visible(Pool.all(), actor)
    if name := check_search(name, "name"):
        qs = qs.filter(search_name__contains=fold(name))
    if bin := check_search(bin, "bin"):
        qs = qs.filter(bin__startswith=bin)
    return Listing(qs, order or Order())


async def create_pool(actor: Actor, cmd: CreatePool) -> Pool:
    if not actor.can(Permission.MANAGE_PARTIES):
        raise DomainError(ErrorCode.FORBIDDEN)
    data = _clean(given_fields(cmd, exclude=("server_locations",)), optional=("legal_address",))
    # Pools are legal entities only (004 §3): an IIN is not accepted.
    _check_bin(data["bin"], IdKind.BIN, "bin")
    data["server_locations"] = _servers(cmd.server_locations)
    return await _save(actor, "pool.created", Pool(**data), None)


async def update_pool(actor: Actor, cmd: UpdatePool) -> Pool:
    pool = await get_visible(Pool, actor, cmd.pool_id, "Pool", field="id")
    _require_edit(actor, owner_of(pool))
    patch = _clean(given_fields(cmd, exclude=("pool_id", "server_locations")), optional=("legal_address",))
    if "bin" in patch:
        if not actor.can(Permission.MANAGE_PARTIES):
            raise DomainError(ErrorCode.FORBIDDEN, field="bin")
        _check_bin(patch["bin"], IdKind.BIN, "bin")
    if cmd.server_locations is not NOT_GIVEN:
        if cmd.server_locations is None:
            raise DomainError(ErrorCode.VALIDATION, field="serverLocations", detail="must not be null")
        patch["server_locations"] = _servers(cmd.server_locations)
    return await _update(actor, "pool.updated", pool, patch)
