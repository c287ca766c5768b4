"""GraphQL types, queries and mutations for miners, data centers and pools."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import strawberry
from strawberry.types import Info

from models import parties as m
from resolvers import parties as uc
from rules.access import OwnerRef, can_read
from rules.enums import ElectricityPurchase, MinerKind, PowerSource, Region, ServerRole
from rules.errors import DomainError, ErrorCode
from schema.context import Context
from schema.ids import pk_of, to_global_id
from schema.inputs import given
from schema.relay import Connection, Node, page_args

__all__ = ["DataCenter", "Miner", "PartiesMutation", "PartiesQuery", "Pool"]

Ctx = Info[Context, None]


@strawberry.type(description="A digital miner: sole proprietor (IE, by IIN) or legal entity (LE, by BIN).")
class Miner(Node):
    kind: MinerKind
    bin_iin: str
    name: str
    legal_address: str
    phone: str
    email: str

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id("Miner", self.pk))  # type: ignore[attr-defined]

    @strawberry.field
    async def data_centers(self, info: Ctx) -> list[DataCenter]:
        # A miner can be reached through another organisation's record (the host of a
        # subtype-II appendix): its data centers stay its own business.
        if not can_read(info.context.user, OwnerRef(miner_id=self.pk)):  # type: ignore[attr-defined]
            return []
        return await info.context.loaders.data_centers_by_miner.load(self.pk)  # type: ignore[attr-defined]

    @classmethod
    def is_type_of(cls, obj: Any, _info: Any) -> bool:
        return isinstance(obj, m.Miner)


@strawberry.type(description="A data center of digital mining: ASIC units plus a production building.")
class DataCenter(Node):
    name: str
    address: str
    region: Region
    outside_residential_zone: bool
    power_source: PowerSource
    substation_kv: Decimal | None
    permitted_capacity_mw: Decimal | None
    connected_on: date | None
    electricity_purchase: ElectricityPurchase | None

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id("DataCenter", self.pk))  # type: ignore[attr-defined]

    @strawberry.field(description="The miner that owns or lawfully holds the data center.")
    async def miner(self, info: Ctx) -> Miner:
        return await info.context.loaders.miner.load(self.miner_id)  # type: ignore[attr-defined]

    @classmethod
    def is_type_of(cls, obj: Any, _info: Any) -> bool:
        return isinstance(obj, m.DataCenter)


@strawberry.type
class ServerLocation:
    role: ServerRole
    settlement: str
    address: str


@strawberry.type(description="A digital mining pool (legal entity only, 004 §3).")
class Pool(Node):
    bin: str
    name: str
    legal_address: str

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id("Pool", self.pk))  # type: ignore[attr-defined]

    @strawberry.field
    def server_locations(self) -> list[ServerLocation]:
        return [
            ServerLocation(role=ServerRole(s["role"]), settlement=s["settlement"], address=s["address"])
            for s in self.server_locations  # type: ignore[attr-defined]
        ]

    @classmethod
    def is_type_of(cls, obj: Any, _info: Any) -> bool:
        return isinstance(obj, m.Pool)


# --- inputs -----------------------------------------------------------------------------------


@strawberry.input
class CreateMinerInput:
    kind: MinerKind
    bin_iin: str
    name: str
    legal_address: str
    phone: str
    email: str


@strawberry.input
class UpdateMinerInput:
    id: strawberry.ID
    kind: MinerKind | None = strawberry.UNSET
    bin_iin: str | None = strawberry.UNSET
    name: str | None = strawberry.UNSET
    legal_address: str | None = strawberry.UNSET
    phone: str | None = strawberry.UNSET
    email: str | None = strawberry.UNSET


@strawberry.input
class CreateDataCenterInput:
    miner_id: strawberry.ID
    name: str
    address: str
    region: Region
    outside_residential_zone: bool
    power_source: PowerSource
    substation_kv: Decimal | None = None
    permitted_capacity_mw: Decimal | None = None
    connected_on: date | None = None
    electricity_purchase: ElectricityPurchase | None = None


@strawberry.input
class UpdateDataCenterInput:
    id: strawberry.ID
    miner_id: strawberry.ID | None = strawberry.UNSET
    name: str | None = strawberry.UNSET
    address: str | None = strawberry.UNSET
    region: Region | None = strawberry.UNSET
    outside_residential_zone: bool | None = strawberry.UNSET
    power_source: PowerSource | None = strawberry.UNSET
    substation_kv: Decimal | None = strawberry.UNSET
    permitted_capacity_mw: Decimal | None = strawberry.UNSET
    connected_on: date | None = strawberry.UNSET
    electricity_purchase: ElectricityPurchase | None = strawberry.UNSET


@strawberry.input
class ServerLocationInput:
    role: ServerRole
    settlement: str
    address: str


@strawberry.input
class CreatePoolInput:
    bin: str
    name: str
    legal_address: str = ""
    server_locations: list[ServerLocationInput] = strawberry.field(default_factory=list)


@strawberry.input
class UpdatePoolInput:
    id: strawberry.ID
    bin: str | None = strawberry.UNSET
    name: str | None = strawberry.UNSET
    legal_address: str | None = strawberry.UNSET
    server_locations: list[ServerLocationInput] | None = strawberry.UNSET


@strawberry.type
class MinerPayload:
    miner: Miner


@strawberry.type
class DataCenterPayload:
    data_center: DataCenter


@strawberry.type
class PoolPayload:
    pool: Pool


def _required(data: dict[str, Any], *names: str) -> dict[str, Any]:
    """Null is not a value for a required column: an explicit null is bad input."""
    for name in names:
        if name in data and data[name] is None:
            raise DomainError(ErrorCode.VALIDATION, field=name, detail="must not be null")
    return data


def _locations(items: list[ServerLocationInput] | None) -> list[dict[str, str]]:
    return [
        {"role": loc.role.value, "settlement": loc.settlement, "address": loc.address}
        for loc in items or []
    ]


# --- queries & mutations ----------------------------------------------------------------------


@strawberry.type
class PartiesQuery:
    @strawberry.field
    async def miners(
        self,
        info: Ctx,
        name: str | None = None,
        bin_iin: str | None = None,
        region: Region | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Miner]:
        page = await uc.list_miners(
            info.context.user, name=name, bin_iin=bin_iin, region=region,
            **page_args(first, after, last, before),
        )
        return Connection.from_page(page)

    @strawberry.field
    async def data_centers(
        self,
        info: Ctx,
        miner_id: strawberry.ID | None = None,
        region: Region | None = None,
        name: str | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[DataCenter]:
        page = await uc.list_data_centers(
            info.context.user,
            miner_id=pk_of(miner_id, "Miner") if miner_id else None,
            region=region,
            name=name,
            **page_args(first, after, last, before),
        )
        return Connection.from_page(page)

    @strawberry.field
    async def pools(
        self,
        info: Ctx,
        name: str | None = None,
        bin: str | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Pool]:
        page = await uc.list_pools(
            info.context.user, name=name, bin=bin, **page_args(first, after, last, before)
        )
        return Connection.from_page(page)


@strawberry.type
class PartiesMutation:
    @strawberry.mutation
    async def create_miner(self, info: Ctx, input: CreateMinerInput) -> MinerPayload:
        miner = await uc.create_miner(info.context.user, given(input))
        return MinerPayload(miner=miner)  # type: ignore[arg-type]

    @strawberry.mutation
    async def update_miner(self, info: Ctx, input: UpdateMinerInput) -> MinerPayload:
        patch = _required(given(input), "kind", "bin_iin", "name", "legal_address", "phone", "email")
        miner = await uc.update_miner(info.context.user, pk_of(input.id, "Miner"), patch)
        return MinerPayload(miner=miner)  # type: ignore[arg-type]

    @strawberry.mutation
    async def create_data_center(self, info: Ctx, input: CreateDataCenterInput) -> DataCenterPayload:
        data = given(input, exclude=("miner_id",))
        data["miner_id"] = pk_of(input.miner_id, "Miner")
        dc = await uc.create_data_center(info.context.user, data)
        return DataCenterPayload(data_center=dc)  # type: ignore[arg-type]

    @strawberry.mutation
    async def update_data_center(self, info: Ctx, input: UpdateDataCenterInput) -> DataCenterPayload:
        patch = _required(
            given(input, exclude=("id", "miner_id")),
            "name", "address", "region", "outside_residential_zone", "power_source",
        )
        if input.miner_id is not strawberry.UNSET:
            patch["miner_id"] = pk_of(_required({"miner_id": input.miner_id}, "miner_id")["miner_id"], "Miner")
        dc = await uc.update_data_center(info.context.user, pk_of(input.id, "DataCenter"), patch)
        return DataCenterPayload(data_center=dc)  # type: ignore[arg-type]

    @strawberry.mutation
    async def create_pool(self, info: Ctx, input: CreatePoolInput) -> PoolPayload:
        data = given(input, exclude=("server_locations",))
        data["server_locations"] = _locations(input.server_locations)
        pool = await uc.create_pool(info.context.user, data)
        return PoolPayload(pool=pool)  # type: ignore[arg-type]

    @strawberry.mutation
    async def update_pool(self, info: Ctx, input: UpdatePoolInput) -> PoolPayload:
        patch = _required(given(input, exclude=("id", "server_locations")), "bin", "name", "legal_address")
        if input.server_locations is not strawberry.UNSET:
            patch["server_locations"] = _locations(input.server_locations)
        pool = await uc.update_pool(info.context.user, pk_of(input.id, "Pool"), patch)
        return PoolPayload(pool=pool)  # type: ignore[arg-type]
