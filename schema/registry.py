"""The ASIC registry in GraphQL: records (002 App.1) with filters, sort orders and the serial
lookup, the three registry applications (inclusion with an App.3 list as lines or as an
uploaded file, exclusion, change), capacity and totals (the types are in
schema/types/registry.py). Steps after filing are the engine's mutations (acceptApplication,
approveApplication, ...)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any, ClassVar

import strawberry
from strawberry import relay
from strawberry.extensions import FieldExtension
from strawberry.file_uploads import Upload

from models import parties as pm
from models.registry import AsicUnit as AsicUnitRow
from resolvers import registry as uc
from resolvers.listing import SortKey
from rules.enums import Channel, Region
from rules.errors import DomainError, ErrorCode
from rules.limits import UNIT_HASHRATE_THS, UNIT_POWER_KW
from rules.registry import ExclusionReason, TotalsGroup, UnitCondition, UnitStatus
from schema.bounds import bound, column_bound, described
from schema.enums import OrderDirection, expose_enum
from schema.errors import (
    PayloadErrors,
    SerialAlreadyRegistered,
    UnitNotInRegistry,
    UserError,
    mutation,
    payload,
    register_error_type,
)
from schema.idempotency import client_mutation_id
from schema.ids import pk_of
from schema.loaders import load_view
from schema.relay import Rows, RowsConnection, order_of
from schema.types.applications import Application
from schema.types.parties import DataCenter, Miner
from schema.types.registry import AsicCapacityCheck, AsicUnit, AsicUnitConnection, UnitListIssue
from schema.uploads import read_upload

__all__ = ["RegistryMutation", "RegistryQuery", "UnitListRejected"]

expose_enum(
    TotalsGroup,
    "AsicTotalsGroup",
    "What registry totals are grouped by.",
    {
        TotalsGroup.MINER: "One total per miner (`miner`, labelled with its name as on its latest record).",
        TotalsGroup.DATA_CENTER: "One total per data center (`dataCenter`, labelled with its location).",
        TotalsGroup.REGION: "One total per region (`region`).",
    },
)


# --- errors ---------------------------------------------------------------------------------------


@register_error_type
@strawberry.type(description="The unit list has errors: every issue found, with its line and column; nothing "
                 "was filed [002 App.3].")
class UnitListRejected(UserError):
    issues: list[UnitListIssue] = strawberry.field(description="The errors (and the warnings, which alone would not "
                                                   "block), in the order found; at most 1,000 errors.")
    CODES: ClassVar[frozenset[ErrorCode]] = frozenset({ErrorCode.UNIT_LIST_INVALID})

    @classmethod
    def extra(cls, err: DomainError) -> dict[str, Any]:
        return {"issues": [UnitListIssue.from_issue(i) for i in err.params["issues"]]}


class EachSerialClash(PayloadErrors):
    """The payload errors of `applyForAsicInclusion`: as every mutation's, except that a list
    clashing with the registry in several lines gets one SerialAlreadyRegistered per line (the
    use case gives them all in `clashes`), not only the first."""

    def _failed(self, err: DomainError, info: strawberry.Info) -> Any:
        clashes = err.params.get("clashes") if err.code is ErrorCode.SERIAL_ALREADY_REGISTERED else None
        if not clashes:
            return super()._failed(err, info)
        language = info.context.language
        return self.payload_cls(errors=[SerialAlreadyRegistered.build(e, language) for e in clashes])  # type: ignore[attr-defined]


# --- ordering and filters -----------------------------------------------------------------------


@strawberry.enum(description="What the registry's records can be sorted by.")
class AsicUnitOrderField(Enum):
    RECORD_NUMBER = strawberry.enum_value("RECORD_NUMBER", description="Record number (the default): the "
                                          "registry's own order (App.1 col. 1).")
    SERIAL = strawberry.enum_value("SERIAL", description="Serial number, compared as the registry compares them "
                                   "(case-, space- and look-alike-insensitive).")
    RECORD_DATE = strawberry.enum_value("RECORD_DATE", description="Date of the record (App.1 col. 2), then "
                                        "creation order.")


@strawberry.input(description="Sort order of the registry's records.")
class AsicUnitOrder:
    field: AsicUnitOrderField = strawberry.field(description="What to sort by.")
    direction: OrderDirection = strawberry.field(default=OrderDirection.ASC, description="Ascending by default.")


_UNIT_KEYS = {
    AsicUnitOrderField.RECORD_NUMBER: uc.BY_RECORD_NUMBER,
    AsicUnitOrderField.SERIAL: SortKey("serial_key", str),
    AsicUnitOrderField.RECORD_DATE: SortKey("record_date", date),
}


@strawberry.input(description="Filters of the registry's records; all given must hold.")
class AsicUnitFilter:
    miner_id: relay.GlobalID | None = strawberry.field(default=None, description="Of this miner.")
    data_center_id: relay.GlobalID | None = strawberry.field(default=None, description="In this data center.")
    region: Region | None = strawberry.field(default=None, description="In a data center of this region.")
    model: str | None = strawberry.field(default=None, description="Part of the model's name, case-insensitive (up "
                                         "to 200 characters).")
    status: UnitStatus | None = strawberry.field(default=None, description="In the registry, or excluded.")
    serial_prefix: str | None = strawberry.field(default=None, description="Serial numbers beginning with this, "
                                                 "compared as the registry compares them (up to 200 characters).")


def _filter(f: AsicUnitFilter | None) -> uc.UnitFilter | None:
    if f is None:
        return None
    return uc.UnitFilter(
        miner_id=pk_of(f.miner_id, "Miner", "filter.minerId") if f.miner_id else None,
        data_center_id=pk_of(f.data_center_id, "DataCenter", "filter.dataCenterId") if f.data_center_id else None,
        region=f.region,
        model=f.model,
        status=f.status,
        serial_prefix=f.serial_prefix,
    )


@dataclass
class _EstimatedRows(Rows[Any]):
    """`Rows` of the registry's list, with how to estimate its size (`totalCountEstimate`)."""

    estimate: Callable[[], Awaitable[int]] | None = None


class _EstimatedConnection(RowsConnection):
    """A connection whose resolver returns `_EstimatedRows`: the page as every connection's,
    plus the estimate handed to `AsicUnitConnection.totalCountEstimate`."""

    async def resolve_async(self, next_: Callable[..., Awaitable[Any]], source: Any, info: strawberry.Info,
                            **kwargs: Any) -> Any:
        seen: list[_EstimatedRows] = []

        async def keep(*args: Any, **kw: Any) -> Any:
            rows = await next_(*args, **kw)
            seen.append(rows)
            return rows

        page = await super().resolve_async(keep, source, info, **kwargs)
        page._estimate = seen[0].estimate
        return page


# --- results ----------------------------------------------------------------------------------


@strawberry.type(description="A data center's registered load against its permitted capacity.")
class DataCenterCapacity:
    data_center: DataCenter = strawberry.field(description="The data center.")
    capacity: AsicCapacityCheck = strawberry.field(description="Its load, kW (`requestedKw` is 0 here).")


@strawberry.type(description="Units, TH/s and kW in the registry of one miner, data center or region.")
class AsicTotal:
    region: Region | None = strawberry.field(description="Grouped by REGION: the region; null otherwise.")
    label: str = strawberry.field(description="The miner's name or the data center's location as its latest record "
                                  "states it; the Region enum name when grouped by region.")
    units: int = strawberry.field(description="Records counted.")
    hashrate_ths: Decimal = strawberry.field(description="Their total hashrate, TH/s.")
    power_kw: Decimal = strawberry.field(description="Their total power, kW.")
    _group: strawberry.Private[TotalsGroup]
    _key: strawberry.Private[int | None]

    @strawberry.field(description="Grouped by MINER: the miner; null otherwise or when the caller may not see it.")
    def miner(self, info: strawberry.Info) -> Miner | None:
        key = self._key if self._group is TotalsGroup.MINER else None
        return load_view(Miner, info.context.loaders.visible(pm.Miner), key)  # type: ignore[no-any-return]

    @strawberry.field(description="Grouped by DATA_CENTER: the data center; null otherwise or when the caller may "
                      "not see it.")
    def data_center(self, info: strawberry.Info) -> DataCenter | None:
        key = self._key if self._group is TotalsGroup.DATA_CENTER else None
        return load_view(DataCenter, info.context.loaders.visible(pm.DataCenter), key)  # type: ignore[no-any-return]


# --- inputs -------------------------------------------------------------------------------------

_RECEIVED_AT = ("Officers only, with channel OFFICE: when a paper application was received (with a time zone); "
                "it decides the registration day. Applicants file on the portal, received now.")
_CHANNEL = "PORTAL (at any time), or OFFICE for a paper application an officer registers [002 §8-9]."
_CONTACT = "A contact for this application (up to 32 / 254 characters); the miner's official one when not given."
_MINER = "The applicant miner (an applicant's own organisation; officers: any)."


@strawberry.input(description="One App.3 line: a unit as the unit list states it [002 App.3].")
class AsicUnitLineInput:
    model: str = strawberry.field(description="Full name, brand and model (up to 255 characters).")
    serial: str = strawberry.field(description="Individual serial number as written on the unit (up to 255 "
                                   "characters).")
    tnved_code: str = strawberry.field(description="TN VED EAEU code, 10 digits (spaces allowed).")
    hashrate_ths: Decimal = strawberry.field(description=described("Hashrate, TH/s, greater than 0 (at most 10,000 "
                                             "for one unit).", UNIT_HASHRATE_THS), metadata=bound(UNIT_HASHRATE_THS))
    power_kw: Decimal = strawberry.field(description=described("Power, kW, greater than 0 (at most 1,000 for one "
                                         "unit).", UNIT_POWER_KW), metadata=bound(UNIT_POWER_KW))
    condition: UnitCondition = strawberry.field(description="Working or faulty.")
    customs_declaration: str = strawberry.field(default="", description="Customs (cargo) declaration number; empty "
                                                "gives a warning, not an error.")


@strawberry.input(description="Inclusion application [002 App.2] with its unit list [App.3]: give exactly one of "
                  "`units` (the lines as data) and `file` (a CSV or XLSX upload in a GraphQL multipart request, "
                  "mapped to `variables.input.file`).")
class ApplyForAsicInclusionInput:
    miner_id: relay.GlobalID = strawberry.field(description=_MINER)
    data_center_id: relay.GlobalID = strawberry.field(description="Where the units are placed: the miner's own data "
                                                      "center, or the host's named by its active subtype-II licence "
                                                      "appendix [001 §3].")
    declared_quantity: int = strawberry.field(description="Quantity of units [002 App.2 item 6]: must equal the "
                                              "list's lines (1 to 200,000).")
    units: list[AsicUnitLineInput] | None = strawberry.field(default=None, description="The unit list as data (at "
                                                             "most 200,000 lines, in a request within the JSON body "
                                                             "limit, 2 MiB by default: a longer list goes as `file`); "
                                                             "line numbers in issues are the 1-based positions.")
    file: Upload | None = strawberry.field(default=None, description="The unit list as a CSV (UTF-8 or Windows-1251) "
                                           "or XLSX file, at most 20 MB, headers in kk, ru or en; line numbers in "
                                           "issues are the spreadsheet's rows.")
    tnved_code: str | None = strawberry.field(default=None, description="The application's TN VED EAEU code, 10 "
                                              "digits [002 App.2 item 7]; each line carries its own.")
    ownership_document: str = strawberry.field(default="", description="The document of ownership or lawful holding "
                                               "(title, number, date; up to 500 characters) [002 App.2 item 9]; "
                                               "required for completeness.")
    personal_data_consent: bool = strawberry.field(default=False, description="Consent to personal-data "
                                                   "processing [002 App.2 item 8]; required for completeness.")
    contact_phone: str | None = strawberry.field(default=None, description=_CONTACT)
    contact_email: str | None = strawberry.field(default=None, description=_CONTACT)
    channel: Channel = strawberry.field(default=Channel.PORTAL, description=_CHANNEL)
    received_at: datetime | None = strawberry.field(default=None, description=_RECEIVED_AT)
    client_mutation_id: str | None = client_mutation_id()


@strawberry.input(description="Exclusion application [002 App.4]: the records (by id and/or serial number), the "
                  "reason and its document.")
class ApplyForAsicExclusionInput:
    miner_id: relay.GlobalID = strawberry.field(description=_MINER)
    reason: ExclusionReason = strawberry.field(description="What the document proves [002 App.5 item 8(2)].")
    reason_document: str = strawberry.field(default="", description="The document of disposal, end of service life, "
                                            "sale or loss (up to 500 characters); required for completeness.")
    unit_ids: list[relay.GlobalID] = strawberry.field(default_factory=list, description="Records by id (AsicUnit "
                                                      "ids); each must be a live record of the miner.")
    serials: list[str] = strawberry.field(default_factory=list, description="Records by serial number (each up to "
                                          "255 characters); each must be a live record of the miner.")
    personal_data_consent: bool = strawberry.field(default=False, description="Consent to personal-data "
                                                   "processing [002 App.4]; required for completeness.")
    contact_phone: str | None = strawberry.field(default=None, description=_CONTACT)
    contact_email: str | None = strawberry.field(default=None, description=_CONTACT)
    channel: Channel = strawberry.field(default=Channel.PORTAL, description=_CHANNEL)
    received_at: datetime | None = strawberry.field(default=None, description=_RECEIVED_AT)
    client_mutation_id: str | None = client_mutation_id()


@strawberry.input(description="The new wording of the records [002 App.9]; only the fields given change. The serial "
                  "number is the unit's identity and cannot change (another machine is an exclusion plus an "
                  "inclusion).")
class AsicRecordChangesInput:
    data_center_id: relay.GlobalID | None = strawberry.field(default=None, description="Moved to this data center "
                                                             "(its location and region follow).")
    model: str | None = strawberry.field(default=None, description="Full name, brand and model (up to 255).")
    tnved_code: str | None = strawberry.field(default=None, description="TN VED EAEU code, 10 digits.")
    hashrate_ths: Decimal | None = strawberry.field(default=None, description=described(
        "Hashrate, TH/s (0 to 10,000).", UNIT_HASHRATE_THS), metadata=bound(UNIT_HASHRATE_THS))
    power_kw: Decimal | None = strawberry.field(default=None, description=described(
        "Power, kW (0 to 1,000).", UNIT_POWER_KW), metadata=bound(UNIT_POWER_KW))
    customs_declaration: str | None = strawberry.field(default=None, description="Customs declaration number.")
    ownership_document: str | None = strawberry.field(default=None, description="Ownership document (up to 500).")
    condition: UnitCondition | None = strawberry.field(default=None, description="Working or faulty.")
    miner_name: str | None = strawberry.field(default=None, description="The miner's name (up to 500).")
    miner_legal_address: str | None = strawberry.field(default=None, description="The miner's legal address (up to "
                                                       "1000).")
    miner_phone: str | None = strawberry.field(default=None, description="The miner's mobile phone.")
    miner_email: str | None = strawberry.field(default=None, description="The miner's e-mail.")


@strawberry.input(description="Change notice [002 App.9], due within 10 working days of the change [§15]; a late "
                  "notice is accepted and flagged. Name the records by `unitIds` and/or `serials`, or all of the "
                  "miner's live records with `allUnits`.")
class ApplyForAsicChangeInput:
    miner_id: relay.GlobalID = strawberry.field(description=_MINER)
    change_date: date = strawberry.field(description="The day the data changed (Almaty); not after the receipt.")
    reason: str = strawberry.field(description="The reason for the change (up to 4000 characters).")
    changes: AsicRecordChangesInput = strawberry.field(description="The new wording.")
    unit_ids: list[relay.GlobalID] = strawberry.field(default_factory=list, description="Records by id.")
    serials: list[str] = strawberry.field(default_factory=list, description="Records by serial number.")
    all_units: bool = strawberry.field(default=False, description="Every live record of the miner (e.g. a new legal "
                                       "address); then name no records.")
    contact_phone: str | None = strawberry.field(default=None, description=_CONTACT)
    contact_email: str | None = strawberry.field(default=None, description=_CONTACT)
    channel: Channel = strawberry.field(default=Channel.PORTAL, description=_CHANNEL)
    received_at: datetime | None = strawberry.field(default=None, description=_RECEIVED_AT)
    client_mutation_id: str | None = client_mutation_id()


def _unit_ids(values: list[relay.GlobalID]) -> tuple[int, ...]:
    return tuple(pk_of(v, "AsicUnit", f"unitIds[{i}]") for i, v in enumerate(values))


async def read_list_upload(file: Any, max_bytes: int = uc.MAX_UPLOAD_BYTES) -> uc.UnitListFile:
    """An uploaded list (unit lists, the pools' income reports): at most the limit + 1 bytes, so an
    oversized file is refused, not read; `ClosesUpload` closes the file."""
    data, filename = await read_upload(file, limit=max_bytes, field="file")
    return uc.UnitListFile(content=data, filename=filename)


# --- payloads -----------------------------------------------------------------------------------

_FILED = "The application, registered with its terms; null when there are errors."


@payload(UnitListRejected, SerialAlreadyRegistered, description="The inclusion application filed, or why not (nothing "
         "is filed while the list has an error or a serial number already in the registry).")
class ApplyForAsicInclusionPayload:
    application: Application | None = strawberry.field(default=None, description=_FILED)


@payload(UnitNotInRegistry, description="The exclusion application filed, or why not.")
class ApplyForAsicExclusionPayload:
    application: Application | None = strawberry.field(default=None, description=_FILED)


@payload(UnitNotInRegistry, description="The change notice filed, or why not.")
class ApplyForAsicChangePayload:
    application: Application | None = strawberry.field(default=None, description=_FILED)


# --- queries & mutations ------------------------------------------------------------------------


@strawberry.type
class RegistryQuery:
    @strawberry.field(
        description="Registry records (002 App.1), filtered and sorted; applicants see their own organisation's.",
        extensions=[_EstimatedConnection()],
    )
    async def asic_units(
        self,
        info: strawberry.Info,
        filter: Annotated[AsicUnitFilter | None, strawberry.argument(description="Filters (all must hold).")] = None,
        order_by: Annotated[AsicUnitOrder | None, strawberry.argument(description="Sort order (default: record "
                                                                      "number).")] = None,
    ) -> AsicUnitConnection:
        actor = info.context.user
        f = _filter(filter)
        listing = uc.list_units(actor, f, order_of(order_by, _UNIT_KEYS, uc.BY_RECORD_NUMBER))
        return _EstimatedRows(listing, AsicUnit.from_row, estimate=lambda: uc.estimate_unit_count(actor, f))  # type: ignore[return-value]

    @strawberry.field(description="The record of a serial number: the live one, else the latest excluded one; null "
                      "when there is none the caller may see. The serial is compared as the registry compares them "
                      "(case, spaces, Cyrillic look-alikes). More than 255 characters, or separators only: VALIDATION.")
    async def asic_unit(
        self,
        info: strawberry.Info,
        serial: Annotated[str, strawberry.argument(description="The serial number as written on the unit.",
                                                   metadata=column_bound(AsicUnitRow, "serial"))],
    ) -> AsicUnit | None:
        row = await uc.find_unit_by_serial(info.context.user, serial)
        return None if row is None else AsicUnit.from_row(row)

    @strawberry.field(description="Registered load per data center against its permitted capacity, kW (officers: "
                      "every data center; applicants: their own), in creation order.")
    async def asic_capacity(
        self,
        info: strawberry.Info,
        data_center_id: Annotated[relay.GlobalID | None, strawberry.argument(description="Only this data "
                                                                             "center.")] = None,
        over_only: Annotated[bool, strawberry.argument(description="Only those already over their permitted "
                                                       "capacity.")] = False,
    ) -> list[DataCenterCapacity]:
        rows = await uc.capacity(
            info.context.user,
            data_center_id=pk_of(data_center_id, "DataCenter", "dataCenterId") if data_center_id else None,
            over_only=over_only,
        )
        return [DataCenterCapacity(data_center=DataCenter.from_row(r.data_center),
                                   capacity=AsicCapacityCheck.from_check(r.check)) for r in rows]

    @strawberry.field(description="Units, TH/s and kW per miner, data center or region, the largest power first "
                      "(records IN_REGISTRY unless the filter gives a status).")
    async def asic_totals(
        self,
        info: strawberry.Info,
        group_by: Annotated[TotalsGroup, strawberry.argument(description="What to group by.")],
        filter: Annotated[AsicUnitFilter | None, strawberry.argument(description="Filters (all must "
                                                                     "hold).")] = None,
    ) -> list[AsicTotal]:
        rows = await uc.totals(info.context.user, group_by, _filter(filter))
        return [
            AsicTotal(region=t.region, label=t.label, units=t.units, hashrate_ths=t.hashrate_ths, power_kw=t.power_kw,
                      _group=TotalsGroup(group_by), _key=t.key)
            for t in rows
        ]


class ClosesUpload(FieldExtension):
    """Closes the uploaded `input.file` (the multipart parser's spooled temporary file) once
    the mutation is answered, whatever the answer: a replay of a `clientMutationId` returns
    the first result without running the resolver, which would otherwise have closed it."""

    async def resolve_async(self, next_: Callable[..., Awaitable[Any]], source: Any, info: strawberry.Info,
                            **kwargs: Any) -> Any:
        try:
            return await next_(source, info, **kwargs)
        finally:
            close = getattr(getattr(kwargs.get("input"), "file", None), "close", None)
            if close is not None:
                await close()


def _inclusion_mutation(description: str) -> Any:
    """`mutation(...)` for the inclusion: idempotent, one typed error per serial clash, and the
    upload closed on every path (the last extension is the outermost)."""
    field = mutation(description=description, idempotent=True)
    field.extensions = [EachSerialClash() if isinstance(e, PayloadErrors) else e for e in field.extensions]
    field.extensions.append(ClosesUpload())
    return field


@strawberry.type
class RegistryMutation:
    @_inclusion_mutation(
        "File an inclusion application (App.2) with its unit list (App.3), as `input.units` or as a CSV/XLSX "
        "`input.file` (GraphQL multipart request). All or nothing: any row error (`UnitListRejected`), or a serial "
        "number already in the registry (one `SerialAlreadyRegistered` per line), and nothing is filed [002 §9-10]."
    )
    async def apply_for_asic_inclusion(
        self, info: strawberry.Info, input: ApplyForAsicInclusionInput
    ) -> ApplyForAsicInclusionPayload:
        units = None
        if input.units is not None:
            units = tuple(
                uc.UnitLine(model=u.model, serial=u.serial, tnved_code=u.tnved_code, hashrate_ths=u.hashrate_ths,
                            power_kw=u.power_kw, condition=u.condition, customs_declaration=u.customs_declaration)
                for u in input.units
            )
        cmd = uc.ApplyForInclusion(
            miner_id=pk_of(input.miner_id, "Miner", "minerId"),
            data_center_id=pk_of(input.data_center_id, "DataCenter", "dataCenterId"),
            declared_quantity=input.declared_quantity,
            units=units,
            file=await read_list_upload(input.file) if input.file is not None else None,
            tnved_code=input.tnved_code,
            ownership_document=input.ownership_document,
            personal_data_consent=input.personal_data_consent,
            contact_phone=input.contact_phone,
            contact_email=input.contact_email,
            channel=input.channel,
            received_at=input.received_at,
        )
        app = await uc.apply_for_inclusion(info.context.user, cmd)
        return ApplyForAsicInclusionPayload(application=Application.from_row(app))

    @mutation(description="File an exclusion application (App.4): the records, the reason and its document; decided "
              "within 2 working days [002 §14].", idempotent=True)
    async def apply_for_asic_exclusion(
        self, info: strawberry.Info, input: ApplyForAsicExclusionInput
    ) -> ApplyForAsicExclusionPayload:
        cmd = uc.ApplyForExclusion(
            miner_id=pk_of(input.miner_id, "Miner", "minerId"),
            reason=input.reason,
            reason_document=input.reason_document,
            unit_ids=_unit_ids(input.unit_ids),
            serials=tuple(input.serials),
            personal_data_consent=input.personal_data_consent,
            contact_phone=input.contact_phone,
            contact_email=input.contact_email,
            channel=input.channel,
            received_at=input.received_at,
        )
        app = await uc.apply_for_exclusion(info.context.user, cmd)
        return ApplyForAsicExclusionPayload(application=Application.from_row(app))

    @mutation(description="File a change notice (App.9): the new wording of the records; applied within 3 working "
              "days of registration; a notice after the 10 working days of §15 is accepted and flagged late.",
              idempotent=True)
    async def apply_for_asic_change(self, info: strawberry.Info, input: ApplyForAsicChangeInput) -> ApplyForAsicChangePayload:
        c = input.changes
        cmd = uc.ApplyForChange(
            miner_id=pk_of(input.miner_id, "Miner", "minerId"),
            change_date=input.change_date,
            reason=input.reason,
            changes=uc.RecordChanges(
                data_center_id=pk_of(c.data_center_id, "DataCenter", "changes.dataCenterId") if c.data_center_id else None,
                model=c.model, tnved_code=c.tnved_code, hashrate_ths=c.hashrate_ths, power_kw=c.power_kw,
                customs_declaration=c.customs_declaration, ownership_document=c.ownership_document,
                condition=c.condition, miner_name=c.miner_name, miner_legal_address=c.miner_legal_address,
                miner_phone=c.miner_phone, miner_email=c.miner_email,
            ),
            unit_ids=_unit_ids(input.unit_ids),
            serials=tuple(input.serials),
            all_units=input.all_units,
            contact_phone=input.contact_phone,
            contact_email=input.contact_email,
            channel=input.channel,
            received_at=input.received_at,
        )
        app = await uc.apply_for_change(info.context.user, cmd)
        return ApplyForAsicChangePayload(application=Application.from_row(app))

