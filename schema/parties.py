"""Miners, data centers and pools: lists, inputs and mutations (the types are in
schema/types/parties.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry import relay

from resolvers import parties as uc
from resolvers.commands import NOT_GIVEN
from resolvers.listing import SortKey
from rules.enums import ElectricityPurchase, MinerKind, PowerSource, Region, ServerRole
from rules.limits import PERMITTED_CAPACITY_KW, SUBSTATION_KV
from schema.bounds import bound, described
from schema.enums import OrderDirection
from schema.errors import mutation, payload
from schema.idempotency import client_mutation_id
from schema.ids import pk_of
from schema.relay import Connection, Rows, connection, order_of
from schema.types.parties import DataCenter, Miner, Pool

__all__ = ["PartiesMutation", "PartiesQuery"]


def _given(value: Any) -> Any:
    return NOT_GIVEN if value is strawberry.UNSET else value


# --- ordering -----------------------------------------------------------------------------------


@strawberry.enum(description="What a list of parties can be sorted by.")
class PartyOrderField(Enum):
    CREATED = strawberry.enum_value("CREATED", description="Creation order (the default).")
    NAME = strawberry.enum_value("NAME", description="Name, case-folded.")


@strawberry.input(description="Sort order of a list of miners, data centers or pools.")
class PartyOrder:
    field: PartyOrderField = strawberry.field(description="What to sort by.")
    direction: OrderDirection = strawberry.field(default=OrderDirection.ASC, description="Ascending by default.")


_PARTY_KEYS = {PartyOrderField.CREATED: SortKey("id"), PartyOrderField.NAME: SortKey("search_name", str)}


# --- inputs -------------------------------------------------------------------------------------


@strawberry.input(description="A new miner (officers and admins).")
class CreateMinerInput:
    kind: MinerKind = strawberry.field(description="IE (IIN) or LE (BIN).")
    bin_iin: str = strawberry.field(description="12 digits, checksum-valid; a BIN's 5th digit is 4, 5 or 6.")
    name: str = strawberry.field(description="Full name, up to 500 characters.")
    legal_address: str = strawberry.field(description="Legal address, up to 1000 characters.")
    phone: str = strawberry.field(description="Official phone, e.g. +7 701 000 00 00.")
    email: str = strawberry.field(description="Official e-mail.")
    client_mutation_id: str | None = client_mutation_id()


@strawberry.input(description="Changes to a miner; only the fields given change. BIN/IIN and kind: officers only.")
class UpdateMinerInput:
    id: relay.GlobalID = strawberry.field(description="The miner.")
    kind: MinerKind | None = strawberry.field(default=strawberry.UNSET, description="New legal form.")
    bin_iin: str | None = strawberry.field(default=strawberry.UNSET, description="New BIN/IIN.")
    name: str | None = strawberry.field(default=strawberry.UNSET, description="New name.")
    legal_address: str | None = strawberry.field(default=strawberry.UNSET, description="New legal address.")
    phone: str | None = strawberry.field(default=strawberry.UNSET, description="New phone.")
    email: str | None = strawberry.field(default=strawberry.UNSET, description="New e-mail.")


_GRID_KV = described("Substation voltage, kV, required for GRID power.", SUBSTATION_KV)
_GRID_KW = described("Permitted capacity of the grid connection in whole kW.", PERMITTED_CAPACITY_KW)
_KV, _KW = bound(SUBSTATION_KV), bound(PERMITTED_CAPACITY_KW)


@strawberry.input(description="A new data center of a miner (its applicant, or an officer).")
class CreateDataCenterInput:
    miner_id: relay.GlobalID = strawberry.field(description="The owner or lawful holder.")
    name: str = strawberry.field(description="Name, up to 500 characters.")
    address: str = strawberry.field(description="Location, up to 1000 characters.")
    region: Region = strawberry.field(description="Region of the location.")
    outside_residential_zone: bool = strawberry.field(description="Outside residential zones.")
    power_source: PowerSource = strawberry.field(description="Grid or off-grid.")
    substation_kv: Decimal | None = strawberry.field(default=None, description=_GRID_KV, metadata=_KV)
    permitted_capacity_kw: Decimal | None = strawberry.field(default=None, description=_GRID_KW, metadata=_KW)
    connected_on: date | None = strawberry.field(default=None, description="Date of grid connection.")
    electricity_purchase: ElectricityPurchase | None = strawberry.field(default=None, description="Subtype I: how electricity is bought.")
    client_mutation_id: str | None = client_mutation_id()


@strawberry.input(description="Changes to a data center; only the fields given change. A new holder: officers only.")
class UpdateDataCenterInput:
    id: relay.GlobalID = strawberry.field(description="The data center.")
    miner_id: relay.GlobalID | None = strawberry.field(default=strawberry.UNSET, description="New holder (officers).")
    name: str | None = strawberry.field(default=strawberry.UNSET, description="New name.")
    address: str | None = strawberry.field(default=strawberry.UNSET, description="New location.")
    region: Region | None = strawberry.field(default=strawberry.UNSET, description="New region.")
    outside_residential_zone: bool | None = strawberry.field(default=strawberry.UNSET, description="Outside residential zones.")
    power_source: PowerSource | None = strawberry.field(default=strawberry.UNSET, description="Grid or off-grid.")
    substation_kv: Decimal | None = strawberry.field(default=strawberry.UNSET, description=_GRID_KV, metadata=_KV)
    permitted_capacity_kw: Decimal | None = strawberry.field(default=strawberry.UNSET, description=_GRID_KW,
                                                             metadata=_KW)
    connected_on: date | None = strawberry.field(default=strawberry.UNSET, description="Date of grid connection.")
    electricity_purchase: ElectricityPurchase | None = strawberry.field(default=strawberry.UNSET, description="How electricity is bought.")


@strawberry.input(description="A pool's server complex.")
class ServerLocationInput:
    role: ServerRole = strawberry.field(description="Main or backup.")
    settlement: str = strawberry.field(description="Settlement, up to 200 characters.")
    address: str = strawberry.field(description="Address, up to 1000 characters.")


@strawberry.input(description="A new pool (officers and admins).")
class CreatePoolInput:
    bin: str = strawberry.field(description="12-digit BIN of a legal entity.")
    name: str = strawberry.field(description="Full name, up to 500 characters.")
    legal_address: str = strawberry.field(default="", description="Legal address.")
    server_locations: list[ServerLocationInput] = strawberry.field(default_factory=list, description="Server complexes.")
    client_mutation_id: str | None = client_mutation_id()


@strawberry.input(description="Changes to a pool; only the fields given change. BIN: officers only.")
class UpdatePoolInput:
    id: relay.GlobalID = strawberry.field(description="The pool.")
    bin: str | None = strawberry.field(default=strawberry.UNSET, description="New BIN.")
    name: str | None = strawberry.field(default=strawberry.UNSET, description="New name.")
    legal_address: str | None = strawberry.field(default=strawberry.UNSET, description="New legal address.")
    server_locations: list[ServerLocationInput] | None = strawberry.field(
        default=strawberry.UNSET, description="The full new list of server complexes."
    )


def _locations(items: list[ServerLocationInput]) -> tuple[uc.ServerLocation, ...]:
    return tuple(uc.ServerLocation(role=i.role, settlement=i.settlement, address=i.address) for i in items)


# --- payloads -----------------------------------------------------------------------------------


@payload(description="The new miner, or why not.")
class CreateMinerPayload:
    miner: Miner | None = strawberry.field(default=None, description="The miner created.")


@payload(description="The changed miner, or why not.")
class UpdateMinerPayload:
    miner: Miner | None = strawberry.field(default=None, description="The miner as changed.")


@payload(description="The new data center, or why not.")
class CreateDataCenterPayload:
    data_center: DataCenter | None = strawberry.field(default=None, description="The data center created.")


@payload(description="The changed data center, or why not.")
class UpdateDataCenterPayload:
    data_center: DataCenter | None = strawberry.field(default=None, description="The data center as changed.")


@payload(description="The new pool, or why not.")
class CreatePoolPayload:
    pool: Pool | None = strawberry.field(default=None, description="The pool created.")


@payload(description="The changed pool, or why not.")
class UpdatePoolPayload:
    pool: Pool | None = strawberry.field(default=None, description="The pool as changed.")


# --- queries & mutations ------------------------------------------------------------------------


@strawberry.type
class PartiesQuery:
    @connection(description="Miners, filtered; applicants see only their own organisation.")
    async def miners(
        self,
        info: strawberry.Info,
        name: Annotated[str | None, strawberry.argument(description="Part of the name (case-insensitive).")] = None,
        bin_iin: Annotated[str | None, strawberry.argument(description="BIN/IIN prefix.")] = None,
        region: Annotated[Region | None, strawberry.argument(description="Having a data center in this region.")] = None,
        order_by: Annotated[PartyOrder | None, strawberry.argument(description="Sort order (default: creation).")] = None,
    ) -> Connection[Miner]:
        listing = uc.list_miners(info.context.user, name=name, bin_iin=bin_iin, region=region, order=order_of(order_by, _PARTY_KEYS))
        return Rows(listing, Miner.from_row)  # type: ignore[return-value]

    @connection(description="Data centers, filtered; applicants see only their own organisation's.")
    async def data_centers(
        self,
        info: strawberry.Info,
        miner_id: Annotated[relay.GlobalID | None, strawberry.argument(description="Of this miner.")] = None,
        region: Annotated[Region | None, strawberry.argument(description="In this region.")] = None,
        name: Annotated[str | None, strawberry.argument(description="Part of the name (case-insensitive).")] = None,
        order_by: Annotated[PartyOrder | None, strawberry.argument(description="Sort order (default: creation).")] = None,
    ) -> Connection[DataCenter]:
        listing = uc.list_data_centers(
            info.context.user,
            miner_id=pk_of(miner_id, "Miner", "minerId") if miner_id else None,
            region=region,
            name=name,
            order=order_of(order_by, _PARTY_KEYS),
        )
        return Rows(listing, DataCenter.from_row)  # type: ignore[return-value]

    @connection(description="Mining pools, filtered.")
    async def pools(
        self,
        info: strawberry.Info,
        name: Annotated[str | None, strawberry.argument(description="Part of the name (case-insensitive).")] = None,
        bin: Annotated[str | None, strawberry.argument(description="BIN prefix.")] = None,
        order_by: Annotated[PartyOrder | None, strawberry.argument(description="Sort order (default: creation).")] = None,
    ) -> Connection[Pool]:
        listing = uc.list_pools(info.context.user, name=name, bin=bin, order=order_of(order_by, _PARTY_KEYS))
        return Rows(listing, Pool.from_row)  # type: ignore[return-value]


@strawberry.type
class PartiesMutation:
    @mutation(description="Register a miner (officers and admins).", idempotent=True)
    async def create_miner(self, info: strawberry.Info, input: CreateMinerInput) -> CreateMinerPayload:
        cmd = uc.CreateMiner(
            kind=input.kind, bin_iin=input.bin_iin, name=input.name, legal_address=input.legal_address,
            phone=input.phone, email=input.email,
        )
        return CreateMinerPayload(miner=Miner.from_row(await uc.create_miner(info.context.user, cmd)))

    @mutation(description="Change a miner's data (its applicant, or an officer).")
    async def update_miner(self, info: strawberry.Info, input: UpdateMinerInput) -> UpdateMinerPayload:
        cmd = uc.UpdateMiner(
            miner_id=pk_of(input.id, "Miner", "id"), kind=_given(input.kind), bin_iin=_given(input.bin_iin),
            name=_given(input.name), legal_address=_given(input.legal_address), phone=_given(input.phone),
            email=_given(input.email),
        )
        return UpdateMinerPayload(miner=Miner.from_row(await uc.update_miner(info.context.user, cmd)))

    @mutation(description="Register a data center of a miner (its applicant, or an officer).", idempotent=True)
    async def create_data_center(self, info: strawberry.Info, input: CreateDataCenterInput) -> CreateDataCenterPayload:
        cmd = uc.CreateDataCenter(
            miner_id=pk_of(input.miner_id, "Miner", "minerId"), name=input.name, address=input.address,
            region=input.region, outside_residential_zone=input.outside_residential_zone,
            power_source=input.power_source, substation_kv=input.substation_kv,
            permitted_capacity_kw=input.permitted_capacity_kw, connected_on=input.connected_on,
            electricity_purchase=input.electricity_purchase,
        )
        return CreateDataCenterPayload(data_center=DataCenter.from_row(await uc.create_data_center(info.context.user, cmd)))

    @mutation(description="Change a data center's data (its holder's applicant, or an officer).")
    async def update_data_center(self, info: strawberry.Info, input: UpdateDataCenterInput) -> UpdateDataCenterPayload:
        miner_id = _given(input.miner_id)
        cmd = uc.UpdateDataCenter(
            data_center_id=pk_of(input.id, "DataCenter", "id"),
            miner_id=miner_id if miner_id in (NOT_GIVEN, None) else pk_of(miner_id, "Miner", "minerId"),
            name=_given(input.name), address=_given(input.address), region=_given(input.region),
            outside_residential_zone=_given(input.outside_residential_zone), power_source=_given(input.power_source),
            substation_kv=_given(input.substation_kv), permitted_capacity_kw=_given(input.permitted_capacity_kw),
            connected_on=_given(input.connected_on), electricity_purchase=_given(input.electricity_purchase),
        )
        return UpdateDataCenterPayload(data_center=DataCenter.from_row(await uc.update_data_center(info.context.user, cmd)))

    @mutation(description="Register a mining pool (officers and admins).", idempotent=True)
    async def create_pool(self, info: strawberry.Info, input: CreatePoolInput) -> CreatePoolPayload:
        cmd = uc.CreatePool(
            bin=input.bin, name=input.name, legal_address=input.legal_address,
            server_locations=_locations(input.server_locations),
        )
        return CreatePoolPayload(pool=Pool.from_row(await uc.create_pool(info.context.user, cmd)))

    @mutation(description="Change a pool's data (its applicant, or an officer).")
    async def update_pool(self, info: strawberry.Info, input: UpdatePoolInput) -> UpdatePoolPayload:
        locations = _given(input.server_locations)
        cmd = uc.UpdatePool(
            pool_id=pk_of(input.id, "Pool", "id"), bin=_given(input.bin), name=_given(input.name),
            legal_address=_given(input.legal_address),
            server_locations=locations if locations in (NOT_GIVEN, None) else _locations(locations),
        )
        return UpdatePoolPayload(pool=Pool.from_row(await uc.update_pool(info.context.user, cmd)))
