"""The ASIC registry in GraphQL: records (App.1) with filters and serial lookup, the three
registry applications (inclusion with an App.3 list as lines or an uploaded file, exclusion,
change), capacity and totals. Steps after filing are the engine's mutations
(acceptApplication, approveApplication, ...)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.file_uploads import Upload
from strawberry.types import Info

from models import registry as m
from resolvers import registry as uc
from rules.enums import Channel, Region
from rules.errors import DomainError, ErrorCode
from rules.registry import (
    ExclusionReason,
    UnitCondition,
    UnitEventAction,
    UnitStatus,
    efficiency_j_per_th,
)
from rules.unit_list import RowIssue
from schema.context import Context
from schema.ids import pk_of, to_global_id
from schema.node import register_node
from schema.parties import DataCenter, Miner
from schema.relay import Connection, Node, page_args

if TYPE_CHECKING:
    from schema.applications import Application

Ctx = Info[Context, None]

AsicUnitStatusEnum = strawberry.enum(UnitStatus, name="AsicUnitStatus")
AsicUnitConditionEnum = strawberry.enum(UnitCondition, name="AsicUnitCondition")
AsicExclusionReasonEnum = strawberry.enum(ExclusionReason, name="AsicExclusionReason")
AsicUnitEventActionEnum = strawberry.enum(UnitEventAction, name="AsicUnitEventAction")


@strawberry.enum(name="AsicTotalsGroup")
class TotalsGroup(str, Enum):
    MINER = "MINER"
    DATA_CENTER = "DATA_CENTER"
    REGION = "REGION"


register_node("AsicUnit", m.AsicUnit)

MAX_UPLOAD_BYTES = uc.MAX_UPLOAD_BYTES


@strawberry.type(description="One changed field of a registry record: its value before and after.")
class FieldChange:
    field: str
    old: str | None
    new: str | None


def _changes(data: dict[str, Any]) -> list[FieldChange]:
    return [
        FieldChange(field=k, old=None if v[0] is None else str(v[0]), new=None if v[1] is None else str(v[1]))
        for k, v in data.items()
    ]


@strawberry.type(description="A step in a registry record's history: who, what, when, why.")
class AsicUnitEvent:
    at: datetime
    actor_label: str
    action: UnitEventAction
    reason: str

    @strawberry.field
    def changes(self) -> list[FieldChange]:
        return _changes(self.changes)  # type: ignore[arg-type]

    @strawberry.field
    def application_id(self) -> strawberry.ID | None:
        app_id = self.application_id  # type: ignore[attr-defined]
        return strawberry.ID(to_global_id("Application", app_id)) if app_id else None


@strawberry.type(description="A registry record (002 App.1): one mining unit, with the miner's data as at the record.")
class AsicUnit(Node):
    record_number: int
    record_date: date
    miner_name: str
    miner_bin_iin: str
    miner_legal_address: str
    miner_phone: str
    miner_email: str
    data_center_location: str
    region: Region
    model: str
    serial: str
    tnved_code: str
    hashrate_ths: Decimal
    power_kw: Decimal
    customs_declaration: str
    customs_quantity: int
    ownership_document: str
    condition: UnitCondition
    status: UnitStatus
    excluded_on: date | None
    exclusion_reason: ExclusionReason | None

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id("AsicUnit", self.pk))  # type: ignore[attr-defined]

    @strawberry.field(description="W per TH/s; 10-110 is the plausible span.")
    def efficiency_j_per_th(self) -> Decimal:
        return efficiency_j_per_th(self.hashrate_ths, self.power_kw).quantize(Decimal("0.1"))

    @strawberry.field
    async def miner(self, info: Ctx) -> Miner | None:
        return await info.context.loaders.miner.load(self.miner_id)  # type: ignore[attr-defined]

    @strawberry.field
    async def data_center(self) -> DataCenter:
        return await self.data_center  # type: ignore[attr-defined,no-any-return]

    @strawberry.field(description="Every inclusion, change and exclusion of this record, oldest first.")
    async def history(self) -> list[AsicUnitEvent]:
        return await uc.unit_history(self)  # type: ignore[arg-type,return-value]

    @strawberry.field
    def inclusion_application_id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id("Application", self.inclusion_application_id))  # type: ignore[attr-defined]

    @classmethod
    def is_type_of(cls, obj: Any, _info: Any) -> bool:
        return isinstance(obj, m.AsicUnit)


@strawberry.type(description="A problem in a unit list: row number (as in Excel; 0 = the whole file) and column.")
class UnitListIssue:
    line: int
    column: str
    code: str
    message: str
    severity: str


def _issue(i: RowIssue | dict[str, Any]) -> UnitListIssue:
    if isinstance(i, dict):
        return UnitListIssue(**i)
    return UnitListIssue(line=i.line, column=i.column, code=i.code, message=i.message, severity=i.severity)


@strawberry.type(description="An App.3 line of an inclusion application.")
class AsicApplicationLine:
    line: int
    model: str
    serial: str
    tnved_code: str
    hashrate_ths: Decimal
    power_kw: Decimal
    customs_declaration: str
    condition: UnitCondition


@strawberry.type(description="A data center's registered load against the permitted capacity of its grid connection.")
class CapacityCheck:
    permitted_kw: Decimal | None
    registered_kw: Decimal
    requested_kw: Decimal
    total_kw: Decimal
    over_capacity: bool
    would_exceed: bool
    headroom_kw: Decimal | None


def _capacity(c: Any) -> CapacityCheck:
    return CapacityCheck(
        permitted_kw=c.permitted_kw, registered_kw=c.registered_kw, requested_kw=c.requested_kw,
        total_kw=c.total_kw, over_capacity=c.over_capacity, would_exceed=c.would_exceed, headroom_kw=c.headroom_kw,
    )


@strawberry.type
class DataCenterCapacity:
    data_center: DataCenter
    capacity: CapacityCheck


@strawberry.type(description="Units, TH/s and kW of one miner, data center or region.")
class AsicTotal:
    key: str
    label: str
    units: int
    hashrate_ths: Decimal
    power_kw: Decimal


@strawberry.type(description="What a registry application (inclusion, exclusion, change) carries.")
class RegistryApplicationDetails:
    declared_quantity: int | None
    tnved_code: str
    ownership_document: str
    personal_data_consent: bool
    contact_phone: str
    contact_email: str
    unit_list_file: str
    unit_list_format: str
    line_count: int
    total_hashrate_ths: Decimal
    total_power_kw: Decimal
    exclusion_reason: ExclusionReason | None
    reason_document: str
    change_date: date | None
    change_notice_due: date | None
    change_late: bool = strawberry.field(description="Notified after the 10 WD of 002 §15 (accepted, flagged).")
    change_reason: str

    @strawberry.field
    async def data_center(self) -> DataCenter | None:
        return await self.data_center  # type: ignore[attr-defined,no-any-return]

    @strawberry.field(description="Warnings found in the unit list at submission (they do not block).")
    def warnings(self) -> list[UnitListIssue]:
        return [_issue(w) for w in self.warnings]  # type: ignore[attr-defined]

    @strawberry.field(description="The new wording of the records (change notices).")
    def changes(self) -> list[FieldChange]:
        return [FieldChange(field=k, old=None, new=None if v is None else str(v)) for k, v in self.changes.items()]  # type: ignore[attr-defined]

    @strawberry.field(description="The App.3 lines (inclusion).")
    async def lines(
        self, first: int | None = None, after: str | None = None, last: int | None = None, before: str | None = None
    ) -> Connection[AsicApplicationLine]:
        page = await uc.application_lines(self.application_id, **page_args(first, after, last, before))  # type: ignore[attr-defined]
        return Connection.from_page(page)

    @strawberry.field(description="The registry records an exclusion or change is about (first 100 by record number).")
    async def units(self, limit: int = 100) -> list[AsicUnit]:
        return await uc.application_targets(self.application_id, min(max(limit, 0), 1000))  # type: ignore[attr-defined,return-value]

    @strawberry.field(description="Officer's review: would approving this inclusion put the data center over its capacity?")
    async def capacity(self) -> CapacityCheck | None:
        check = await uc.inclusion_capacity(self)  # type: ignore[arg-type]
        return _capacity(check) if check else None


# --- inputs -----------------------------------------------------------------------------------


@strawberry.input
class AsicUnitFilter:
    miner_id: strawberry.ID | None = None
    data_center_id: strawberry.ID | None = None
    region: Region | None = None
    model: str | None = None
    status: UnitStatus | None = None
    serial_prefix: str | None = None


def _filter(f: AsicUnitFilter | None) -> uc.UnitFilter | None:
    if f is None:
        return None
    return uc.UnitFilter(
        miner_id=pk_of(f.miner_id, "Miner") if f.miner_id else None,
        data_center_id=pk_of(f.data_center_id, "DataCenter") if f.data_center_id else None,
        region=f.region.value if f.region else None,
        model=f.model,
        status=f.status,
        serial_prefix=f.serial_prefix,
    )


@strawberry.input(description="One App.3 line.")
class AsicUnitLineInput:
    model: str
    serial: str
    tnved_code: str
    hashrate_ths: Decimal
    power_kw: Decimal
    condition: UnitCondition
    customs_declaration: str = ""


@strawberry.input(description="Inclusion application (002 App.2); the unit list as `units` or as an uploaded `file`.")
class ApplyForAsicInclusionInput:
    miner_id: strawberry.ID
    data_center_id: strawberry.ID
    declared_quantity: int
    tnved_code: str | None = None
    ownership_document: str = strawberry.field(default="", description="App.2 item 9: the ownership document (title, number, date).")
    personal_data_consent: bool = False
    contact_phone: str | None = None
    contact_email: str | None = None
    units: list[AsicUnitLineInput] | None = None
    channel: Channel = Channel.PORTAL
    received_at: datetime | None = strawberry.field(default=None, description="Officers only: when a paper application was received.")


@strawberry.input(description="Exclusion application (002 App.4).")
class ApplyForAsicExclusionInput:
    miner_id: strawberry.ID
    reason: ExclusionReason
    reason_document: str = strawberry.field(default="", description="The document of disposal, end of service life, sale or loss.")
    unit_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    serials: list[str] = strawberry.field(default_factory=list)
    personal_data_consent: bool = False
    contact_phone: str | None = None
    contact_email: str | None = None
    channel: Channel = Channel.PORTAL
    received_at: datetime | None = None


@strawberry.input(description="The new wording of the records (App.9); only the fields given change.")
class AsicRecordChangesInput:
    data_center_id: strawberry.ID | None = None
    model: str | None = None
    tnved_code: str | None = None
    hashrate_ths: Decimal | None = None
    power_kw: Decimal | None = None
    customs_declaration: str | None = None
    ownership_document: str | None = None
    condition: UnitCondition | None = None
    miner_name: str | None = None
    miner_legal_address: str | None = None
    miner_phone: str | None = None
    miner_email: str | None = None


@strawberry.input(description="Change notice (002 App.9), due within 10 WD of the change date (§15).")
class ApplyForAsicChangeInput:
    miner_id: strawberry.ID
    change_date: date
    reason: str
    changes: AsicRecordChangesInput
    unit_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    serials: list[str] = strawberry.field(default_factory=list)
    all_units: bool = strawberry.field(default=False, description="Every IN_REGISTRY record of the miner (e.g. a new legal address).")
    contact_phone: str | None = None
    contact_email: str | None = None
    channel: Channel = Channel.PORTAL
    received_at: datetime | None = None


@strawberry.type(description="Filed (application set) or not (issues say why, per row and column; nothing was written).")
class AsicInclusionPayload:
    ok: bool
    application: Annotated[Application, strawberry.lazy("schema.applications")] | None
    issues: list[UnitListIssue]
    line_count: int


@strawberry.type
class RegistryApplicationPayload:
    application: Annotated[Application, strawberry.lazy("schema.applications")]


def _common(input_obj: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "miner_id": pk_of(input_obj.miner_id, "Miner"),
        "channel": input_obj.channel,
        "received_at": input_obj.received_at,
        "contact_phone": input_obj.contact_phone,
        "contact_email": input_obj.contact_email,
    }
    if hasattr(input_obj, "unit_ids"):
        data["unit_ids"] = [pk_of(i, "AsicUnit") for i in input_obj.unit_ids]
        data["serials"] = list(input_obj.serials)
    return data


async def _read_upload(file: Any) -> tuple[bytes, str]:
    """The uploaded bytes (at most the limit + 1, so an oversized file is refused, not read)."""
    name = str(getattr(file, "filename", "") or "")
    read = getattr(file, "read", None)
    if read is None:
        raise DomainError(ErrorCode.VALIDATION, field="file", detail="not a file upload")
    try:
        data = await read(MAX_UPLOAD_BYTES + 1)
    finally:
        close = getattr(file, "close", None)
        if close is not None:
            await close()  # the multipart parser's spooled temp file: release it now
    return (data if isinstance(data, bytes) else bytes(data)), name


# --- queries and mutations --------------------------------------------------------------------


@strawberry.type
class RegistryQuery:
    @strawberry.field(description="Registry records (App.1), filtered; applicants see their own only.")
    async def asic_units(
        self,
        info: Ctx,
        filter: AsicUnitFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[AsicUnit]:
        page = await uc.list_units(info.context.user, _filter(filter), **page_args(first, after, last, before))
        return Connection.from_page(page)

    @strawberry.field(description="The record of a serial number (live one first, else the latest excluded); null if none.")
    async def asic_unit(self, info: Ctx, serial: str) -> AsicUnit | None:
        return await uc.unit_by_serial(info.context.user, serial)  # type: ignore[return-value]

    @strawberry.field(description="Registered load per data center against its permitted capacity.")
    async def asic_capacity(
        self, info: Ctx, data_center_id: strawberry.ID | None = None, over_only: bool = False
    ) -> list[DataCenterCapacity]:
        rows = await uc.capacity(
            info.context.user,
            data_center_id=pk_of(data_center_id, "DataCenter") if data_center_id else None,
            over_only=over_only,
        )
        return [DataCenterCapacity(data_center=r.data_center, capacity=_capacity(r.check)) for r in rows]  # type: ignore[arg-type]

    @strawberry.field(description="Units, TH/s and kW per miner, data center or region (IN_REGISTRY unless a status filter is given).")
    async def asic_totals(self, info: Ctx, group_by: TotalsGroup, filter: AsicUnitFilter | None = None) -> list[AsicTotal]:
        rows = await uc.totals(info.context.user, group_by.value, _filter(filter))
        return [AsicTotal(key=t.key, label=t.label, units=t.units, hashrate_ths=t.hashrate_ths, power_kw=t.power_kw) for t in rows]


@strawberry.type
class RegistryMutation:
    @strawberry.mutation(
        description="File an inclusion application (App.2) with its unit list (App.3): as `input.units`, or as a CSV/XLSX "
        "`file` (GraphQL multipart request). All-or-nothing: any row error means nothing is filed."
    )
    async def apply_for_asic_inclusion(
        self, info: Ctx, input: ApplyForAsicInclusionInput, file: Upload | None = None
    ) -> AsicInclusionPayload:
        data = _common(input)
        data.update(
            data_center_id=pk_of(input.data_center_id, "DataCenter"),
            declared_quantity=input.declared_quantity,
            tnved_code=input.tnved_code,
            ownership_document=input.ownership_document,
            personal_data_consent=input.personal_data_consent,
        )
        if input.units is not None:
            data["units"] = [
                {
                    "model": u.model, "serial": u.serial, "tnved_code": u.tnved_code, "hashrate_ths": u.hashrate_ths,
                    "power_kw": u.power_kw, "customs_declaration": u.customs_declaration, "condition": u.condition,
                }
                for u in input.units
            ]
        content, filename = await _read_upload(file) if file is not None else (None, "")
        result = await uc.apply_for_inclusion(info.context.user, data, file=content, filename=filename)
        return AsicInclusionPayload(
            ok=result.ok, application=result.application,  # type: ignore[arg-type]
            issues=[_issue(i) for i in result.issues], line_count=result.line_count,
        )

    @strawberry.mutation(description="File an exclusion application (App.4): the records, the reason and its document.")
    async def apply_for_asic_exclusion(self, info: Ctx, input: ApplyForAsicExclusionInput) -> RegistryApplicationPayload:
        data = _common(input)
        data.update(reason=input.reason, reason_document=input.reason_document, personal_data_consent=input.personal_data_consent)
        return RegistryApplicationPayload(application=await uc.apply_for_exclusion(info.context.user, data))  # type: ignore[arg-type]

    @strawberry.mutation(description="File a change notice (App.9); a notice after 10 WD is accepted and flagged late.")
    async def apply_for_asic_change(self, info: Ctx, input: ApplyForAsicChangeInput) -> RegistryApplicationPayload:
        data = _common(input)
        changes = {k: v for k, v in vars(input.changes).items() if v is not None}
        if "data_center_id" in changes:
            changes["data_center_id"] = pk_of(changes["data_center_id"], "DataCenter")
        data.update(change_date=input.change_date, reason=input.reason, changes=changes, all_units=input.all_units)
        return RegistryApplicationPayload(application=await uc.apply_for_change(info.context.user, data))  # type: ignore[arg-type]


__all__ = ["AsicUnit", "RegistryApplicationDetails", "RegistryMutation", "RegistryQuery"]
