"""Miners, data centers and pools as clients see them: typed views built from rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import strawberry
from strawberry import relay

from models import parties as m
from resolvers import parties as uc
from rules.access import OwnerRef, can_read_field
from rules.enums import ElectricityPurchase, MinerKind, PowerSource, Region, ServerRole
from schema.loaders import load_view
from schema.relay import Connection, RowNode, Rows, Timestamped, connection

if TYPE_CHECKING:
    from schema.income_reports import IncomeReport, OverdueIncomeReport
    from schema.types.applications import Application
    from schema.types.inspections import Inspection
    from schema.types.licenses import License
    from schema.types.obligations import NotificationObligation, PoolMembership
    from schema.types.pools import PoolAccreditation, PoolCertificate, PoolConditionResult
    from schema.types.registry import AsicUnitConnection

__all__ = ["DataCenter", "Miner", "Pool", "ServerLocation"]

# Types of other modules, referenced lazily (they import these).
_License = Annotated["License", strawberry.lazy("schema.types.licenses")]
_Application = Annotated["Application", strawberry.lazy("schema.types.applications")]
_AsicUnitConnection = Annotated["AsicUnitConnection", strawberry.lazy("schema.types.registry")]
_Obligation = Annotated["NotificationObligation", strawberry.lazy("schema.types.obligations")]
_Membership = Annotated["PoolMembership", strawberry.lazy("schema.types.obligations")]
_Inspection = Annotated["Inspection", strawberry.lazy("schema.types.inspections")]


def _inspections(info: strawberry.Info, column: str, parent_id: int) -> Any:
    from resolvers.inspections import list_inspections
    from schema.types.inspections import Inspection

    actor = info.context.user
    return Rows(lambda: list_inspections(actor), Inspection.from_row, parent=(column, parent_id))


def _current_pools(info: strawberry.Info) -> Any:
    """Miner id -> the pool of its current membership, for a page of miners in one statement."""
    actor = info.context.user

    async def batch(miner_ids: Sequence[int]) -> list[m.Pool | None]:
        from resolvers.pool_change import current_pools

        found = await current_pools(actor, miner_ids)
        return [found.get(pk) for pk in miner_ids]

    return info.context.loaders.custom("current-pool", batch)


def _contact(info: strawberry.Info, kind: str, field: str, value: str, miner_id: int) -> str | None:
    return value if can_read_field(info.context.user, kind, field, OwnerRef(miner_id=miner_id)) else None


@strawberry.type(description="A digital miner: an individual entrepreneur (IIN) or a legal entity (BIN) "
                 "of Kazakhstan that mines. Applicants see only their own organisation.")
class Miner(RowNode, relay.Node, Timestamped):
    MODEL: ClassVar = m.Miner

    id: relay.NodeID[int]
    kind: MinerKind = strawberry.field(description="Legal form; decides whether `binIin` is an IIN or a BIN.")
    bin_iin: str = strawberry.field(description="12-digit BIN (legal entity) or IIN (entrepreneur), checksum-valid.")
    name: str = strawberry.field(description="Full name as registered.")
    legal_address: str = strawberry.field(description="Legal address.")
    _phone: strawberry.Private[str]
    _email: strawberry.Private[str]

    @classmethod
    def from_row(cls, row: m.Miner) -> Miner:
        return cls(
            id=row.id, kind=row.kind, bin_iin=row.bin_iin, name=row.name, legal_address=row.legal_address,
            _phone=row.phone, _email=row.email, created_at=row.created_at, updated_at=row.updated_at,
        )

    @strawberry.field(description="Official contact phone. Null for roles that may not read personal "
                      "contacts (partner systems).")
    def phone(self, info: strawberry.Info) -> str | None:
        return _contact(info, "Miner", "phone", self._phone, self.id)

    @strawberry.field(description="Official e-mail. Null for roles that may not read personal contacts.")
    def email(self, info: strawberry.Info) -> str | None:
        return _contact(info, "Miner", "email", self._email, self.id)

    @connection(description="The miner's data centers (owned or lawfully held), oldest first.")
    def data_centers(self, info: strawberry.Info) -> Connection[DataCenter]:
        actor = info.context.user
        return Rows(lambda: uc.list_data_centers(actor), DataCenter.from_row, parent=("miner_id", self.id))  # type: ignore[return-value]

    @connection(description="The miner's inspections [003]: officers all; assigned inspectors theirs; the miner "
                "its own once completed.")
    def inspections(self, info: strawberry.Info) -> Connection[_Inspection]:
        return _inspections(info, "miner_id", self.id)

    @connection(description="The miner's licences (all statuses), in issue order.")
    def licenses(self, info: strawberry.Info) -> Connection[_License]:
        from resolvers.licenses import list_licenses
        from schema.types.licenses import License

        actor = info.context.user
        return Rows(lambda: list_licenses(actor), License.from_row, parent=("holder_id", self.id))  # type: ignore[return-value]

    @connection(description="The miner's applications of every procedure, in filing order; none for partner "
                "systems (they read no applications).")
    def applications(self, info: strawberry.Info) -> Connection[_Application]:
        from resolvers.applications import ApplicationFilter, list_applications
        from resolvers.listing import Order
        from schema.types.applications import Application, prime_page

        actor, now = info.context.user, info.context.now
        return Rows(  # type: ignore[return-value]
            lambda: list_applications(actor, ApplicationFilter(), Order(), now), Application.from_row,
            prepare=prime_page(info), parent=("miner_id", self.id),
        )

    @connection(description="The miner's registry records (002 App.1), live and excluded, by record number.")
    def asic_units(self, info: strawberry.Info) -> _AsicUnitConnection:
        from resolvers.listing import Order
        from resolvers.registry import BY_RECORD_NUMBER, list_units
        from schema.types.registry import AsicUnit

        actor = info.context.user
        return Rows(lambda: list_units(actor, None, Order(BY_RECORD_NUMBER)), AsicUnit.from_row,  # type: ignore[return-value]
                    parent=("miner_id", self.id))

    @connection(description="The miner's 2-day pool-change obligations [001 §16], oldest first.")
    def obligations(self, info: strawberry.Info) -> Connection[_Obligation]:
        from resolvers.pool_change import list_obligations
        from schema.types.obligations import NotificationObligation

        actor, now = info.context.user, info.context.now
        return Rows(lambda: list_obligations(actor, now=now), NotificationObligation.from_row,  # type: ignore[return-value]
                    parent=("miner_id", self.id))

    @strawberry.field(description="The pool the miner mines through now (its current pool membership; its "
                      "`accreditation` shows whether the pool is still accredited: a lapsed one is flagged there); "
                      "null when none is recorded or the caller may not see it.")
    def pool(self, info: strawberry.Info) -> Pool | None:
        return load_view(Pool, _current_pools(info), self.id)


@strawberry.type(description="A data center of digital mining: ASIC units plus a production building "
                 "outside residential zones [001 §2].")
class DataCenter(RowNode, relay.Node, Timestamped):
    MODEL: ClassVar = m.DataCenter

    id: relay.NodeID[int]
    name: str = strawberry.field(description="The data center's name.")
    address: str = strawberry.field(description="Location (settlement, street, site).")
    region: Region = strawberry.field(description="Region of the location.")
    outside_residential_zone: bool = strawberry.field(description="True when outside residential zones "
                                                      "[001 App.11 I(2)].")
    power_source: PowerSource = strawberry.field(description="Grid or off-grid generators.")
    substation_kv: Decimal | None = strawberry.field(description="Voltage of the feeding substation, kV "
                                                     "(numeric(8,2)); 35 kV or more for grid power [001 App.11 I(5)].")
    permitted_capacity_kw: Decimal | None = strawberry.field(description="Permitted capacity of the grid "
                                                             "connection, kW (whole kW).")
    connected_on: date | None = strawberry.field(description="Date of connection to the grid; before "
                                                 "2023-04-01 building conditions suffice [001 App.11 I(5)].")
    electricity_purchase: ElectricityPurchase | None = strawberry.field(description="How the holder buys "
                                                                       "electricity (subtype I).")
    _miner_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: m.DataCenter) -> DataCenter:
        mw = row.permitted_capacity_mw
        return cls(
            id=row.id, name=row.name, address=row.address, region=row.region,
            outside_residential_zone=row.outside_residential_zone, power_source=row.power_source,
            substation_kv=row.substation_kv,
            permitted_capacity_kw=None if mw is None else (Decimal(mw) * 1000).quantize(Decimal(1)),
            connected_on=row.connected_on, electricity_purchase=row.electricity_purchase,
            _miner_id=row.miner_id, created_at=row.created_at, updated_at=row.updated_at,  # type: ignore[attr-defined]
        )

    @strawberry.field(description="Permitted capacity in MW (derived from `permittedCapacityKw`).")
    def permitted_capacity_mw(self) -> Decimal | None:
        kw = self.permitted_capacity_kw
        return None if kw is None else kw / 1000

    @strawberry.field(description="The miner that owns or lawfully holds it; null if the caller may not see that miner.")
    def miner(self, info: strawberry.Info) -> Miner | None:
        return load_view(Miner, info.context.loaders.visible(m.Miner), self._miner_id)


@strawberry.type(description="Where one of a pool's server complexes is [004 §4 items 1, 3].")
class ServerLocation:
    role: ServerRole = strawberry.field(description="Main or backup complex.")
    settlement: str = strawberry.field(description="Settlement (a backup must be in another one).")
    address: str = strawberry.field(description="Address of the server room.")


@strawberry.type(description="A digital mining pool: a legal entity that pools miners' hash power [004 §3].")
class Pool(RowNode, relay.Node, Timestamped):
    MODEL: ClassVar = m.Pool

    id: relay.NodeID[int]
    bin: str = strawberry.field(description="12-digit BIN (pools are legal entities only).")
    name: str = strawberry.field(description="Full name.")
    legal_address: str = strawberry.field(description="Legal address (may be empty).")
    server_locations: list[ServerLocation] = strawberry.field(description="Main and backup server complexes.")

    @strawberry.field(description="Whether the pool is accredited on `on` (default: today in Almaty), with the "
                      "certificate then in force [004 §3]. Public, like the register.")
    def accreditation(
        self, info: strawberry.Info,
        on: Annotated[date | None, strawberry.argument(description="The day (Almaty); default today.")] = None,
    ) -> Annotated[PoolAccreditation, strawberry.lazy("schema.types.pools")]:
        from schema.types.pools import accreditation

        return accreditation(info, self.id, on)  # type: ignore[no-any-return]

    @strawberry.field(description="The seven conditions of 004 §4 judged on the data of the pool's latest "
                      "accreditation application; empty when there is none or the caller may not see it (officers, "
                      "inspectors and the pool itself may).")
    def conditions(self, info: strawberry.Info) -> list[Annotated[PoolConditionResult, strawberry.lazy("schema.types.pools")]]:
        from schema.types.pools import pool_conditions

        return pool_conditions(info, self.id)  # type: ignore[no-any-return]

    @strawberry.field(description="The pool's accreditation certificates, newest first (re-issued and expired "
                      "ones kept) [004 App.3].")
    def certificates(self, info: strawberry.Info) -> list[Annotated[PoolCertificate, strawberry.lazy("schema.types.pools")]]:
        from schema.types.pools import certificates

        return certificates(info, self.id)  # type: ignore[no-any-return]

    @strawberry.field(description="The pool's monthly income reports of `year`, every version (corrections keep "
                      "the reports they supersede), the latest month and version first [003 pool item 8]. The pool "
                      "itself, officers and the tax authority (partners) read them; others get an empty list.")
    async def income_reports(
        self, info: strawberry.Info,
        year: Annotated[int | None, strawberry.argument(description="The year of the months reported (2000-2100); "
                                                        "default: this year (Almaty).")] = None,
    ) -> list[Annotated[IncomeReport, strawberry.lazy("schema.income_reports")]]:
        from schema.income_reports import income_reports

        return await income_reports(info, self.id, year)

    @strawberry.field(description="The months of `year` whose income report was still missing on the 26th of the "
                      "following month (flagged by the overdue job), for those who read the reports.")
    async def overdue_income_reports(
        self, info: strawberry.Info,
        year: Annotated[int | None, strawberry.argument(description="The year (2000-2100); default: this year "
                                                        "(Almaty).")] = None,
    ) -> list[Annotated[OverdueIncomeReport, strawberry.lazy("schema.income_reports")]]:
        from schema.income_reports import overdue_income_reports

        return await overdue_income_reports(info, self.id, year)

    @connection(description="The pool's inspections [003]: officers all; assigned inspectors theirs; the pool "
                "its own once completed.")
    def inspections(self, info: strawberry.Info) -> Connection[_Inspection]:
        return _inspections(info, "pool_id", self.id)

    @connection(description="The miners mining through the pool now (current memberships), oldest first.")
    def members(self, info: strawberry.Info) -> Connection[_Membership]:
        from resolvers.pool_change import list_memberships
        from schema.types.obligations import PoolMembership

        actor = info.context.user
        return Rows(lambda: list_memberships(actor, current=True), PoolMembership.from_row,  # type: ignore[return-value]
                    parent=("pool_id", self.id))

    @classmethod
    def from_row(cls, row: m.Pool) -> Pool:
        return cls(
            id=row.id, bin=row.bin, name=row.name, legal_address=row.legal_address,
            server_locations=[
                ServerLocation(role=ServerRole(s["role"]), settlement=s["settlement"], address=s["address"])
                for s in row.server_locations
            ],
            created_at=row.created_at, updated_at=row.updated_at,
        )

