"""The ASIC registry as clients see it: records (002 App.1) with their history, what a registry
application carries (App.2, App.3 lines, App.4, App.9), unit-list issues and capacity: typed
views built from rows, links read through the request's loaders (one statement per relation
for a whole page)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import strawberry
from strawberry import relay

from models import applications as am
from models import parties as pm
from models import registry as m
from resolvers import registry as uc
from rules.access import OwnerRef, can_read_field
from rules.calendar import ALMATY, OFFICE_CLOSES
from rules.enums import Region
from rules.registry import (
    CapacityCheck,
    ExclusionReason,
    RecordField,
    UnitCondition,
    UnitEventAction,
    UnitStatus,
    efficiency_j_per_th,
)
from rules.unit_list import RowIssue, Severity, UnitListColumn, UnitListFormat, UnitListIssueCode
from rules.workflow import ProcedureCode
from schema.enums import expose_enum
from schema.ids import to_global_id
from schema.loaders import load_view, pending, ready
from schema.relay import Connection, RowNode, Rows, Timestamped, connection
from schema.types.parties import DataCenter, Miner

if TYPE_CHECKING:
    from schema.types.applications import Application

__all__ = [
    "AsicApplicationLine",
    "AsicCapacityCheck",
    "AsicRecordChange",
    "AsicUnit",
    "AsicUnitConnection",
    "AsicUnitEvent",
    "RegistryApplicationDetails",
    "UnitListIssue",
    "registry_details",
]

# --- enums ----------------------------------------------------------------------------------

expose_enum(
    UnitStatus,
    "AsicUnitStatus",
    "Whether a registry record is live.",
    {
        UnitStatus.IN_REGISTRY: "In the registry: the unit may be used for mining [002 §4].",
        UnitStatus.EXCLUDED: "Excluded by an approved exclusion; kept for ever with its date and reason "
        "(exclusion never deletes) [002 §14, App.1 col. 15].",
    },
)
expose_enum(
    UnitCondition,
    "AsicUnitCondition",
    "The unit's technical condition as the unit list states it [002 App.3].",
    {
        UnitCondition.WORKING: "Working (исправное / жарамды).",
        UnitCondition.FAULTY: "Faulty (неисправное / жарамсыз).",
    },
)
expose_enum(
    ExclusionReason,
    "AsicExclusionReason",
    "Why units leave the registry: what the exclusion's document proves [002 App.5 item 8(2)].",
    {
        ExclusionReason.DISPOSAL: "Disposal (утилизация / кәдеге жарату).",
        ExclusionReason.END_OF_SERVICE_LIFE: "End of service life (истечение срока эксплуатации).",
        ExclusionReason.SALE: "Sale (продажа / сату).",
        ExclusionReason.LOSS: "Loss (утрата / жоғалту).",
    },
)
expose_enum(
    UnitEventAction,
    "AsicUnitEventAction",
    "What happened to a registry record.",
    {
        UnitEventAction.INCLUDED: "Put in the registry by an approved inclusion [002 §10].",
        UnitEventAction.CHANGED: "Reworded by an approved change notice [002 §15].",
        UnitEventAction.EXCLUDED: "Excluded by an approved exclusion [002 §14].",
    },
)
expose_enum(
    RecordField,
    "AsicRecordField",
    "A field of a registry record (App.1) that changes show.",
    {
        RecordField.DATA_CENTER: "The data center (`dataCenter`); values are DataCenter ids.",
        RecordField.DATA_CENTER_LOCATION: "`dataCenterLocation` (App.1 col. 6).",
        RecordField.REGION: "`region`; values are Region enum names.",
        RecordField.MODEL: "`model` (App.1 col. 8).",
        RecordField.TNVED_CODE: "`tnvedCode` (App.1 col. 10).",
        RecordField.HASHRATE_THS: "`hashrateThs`, TH/s (App.1 col. 11).",
        RecordField.POWER_KW: "`powerKw`, kW (App.1 col. 12).",
        RecordField.CUSTOMS_DECLARATION: "`customsDeclaration` (App.1 col. 13).",
        RecordField.OWNERSHIP_DOCUMENT: "`ownershipDocument` (App.1 col. 14).",
        RecordField.CONDITION: "`condition`; values are AsicUnitCondition names.",
        RecordField.MINER_NAME: "`minerName` (App.1 col. 3).",
        RecordField.MINER_LEGAL_ADDRESS: "`minerLegalAddress` (App.1 col. 5).",
        RecordField.MINER_PHONE: "`minerPhone` (App.1 col. 7; personal contact).",
        RecordField.MINER_EMAIL: "`minerEmail` (App.1 col. 7; personal contact).",
        RecordField.STATUS: "`status`; values are AsicUnitStatus names.",
        RecordField.EXCLUDED_ON: "`excludedOn` (App.1 col. 15), an ISO date.",
    },
)
expose_enum(
    UnitListIssueCode,
    "UnitListIssueCode",
    "A problem of a unit list (002 App.3): of the file, of a row's cells, or of the registry's checks.",
    {
        UnitListIssueCode.FILE_EMPTY: "The file is empty, or has a header but no unit rows.",
        UnitListIssueCode.FILE_TOO_LARGE: "The file is larger than 20 MB (or its workbook expands to too much).",
        UnitListIssueCode.NOT_A_SPREADSHEET: "Neither CSV text nor a readable .xlsx workbook (legacy .xls and "
        "encrypted workbooks included).",
        UnitListIssueCode.ENCODING: "CSV text neither UTF-8 nor Windows-1251 (e.g. UTF-16).",
        UnitListIssueCode.MISSING_COLUMNS: "The header row lacks required columns (named in the message).",
        UnitListIssueCode.DUPLICATE_COLUMNS: "A column appears twice in the header row.",
        UnitListIssueCode.TOO_MANY_ROWS: "More than 200,000 unit rows.",
        UnitListIssueCode.MACROS: "The workbook contains macros (an .xlsm, or an .xlsx with a VBA project): "
        "refused; save it as a plain .xlsx workbook.",
        UnitListIssueCode.EXTERNAL_LINKS: "The workbook links to other workbooks (external references): "
        "refused; paste the values and save it without the links.",
        UnitListIssueCode.REQUIRED: "A required cell is empty (in an .xlsx: maybe a formula without a saved value).",
        UnitListIssueCode.FORMULA_NOT_ALLOWED: "The cell starts like a spreadsheet formula (=, +, -, @ ...).",
        UnitListIssueCode.HIDDEN_CHARACTER: "The cell contains an invisible bidi-control or zero-width character "
        "(U+202A-202E, U+2066-2069, U+200E/F, U+200B-200D, U+2060, U+FEFF; named in the message), which "
        "would make the text read differently from what is stored.",
        UnitListIssueCode.CELL_ERROR: "The cell shows an Excel error (#N/A, #REF! ...).",
        UnitListIssueCode.TOO_LONG: "The cell has more than 255 characters.",
        UnitListIssueCode.SERIAL_PRECISION_LOST: "The serial number was stored as a number and Excel cut its digits.",
        UnitListIssueCode.DUPLICATE_SERIAL: "The serial number appears on an earlier line of the same list.",
        UnitListIssueCode.INVALID_TNVED: "The TN VED EAEU code is not exactly 10 digits.",
        UnitListIssueCode.NOT_A_NUMBER: "Hashrate or power is not a number (a decimal comma is fine).",
        UnitListIssueCode.NOT_POSITIVE: "Hashrate or power is not greater than zero.",
        UnitListIssueCode.INVALID_CONDITION: "The condition is neither working nor faulty (in kk, ru or en).",
        UnitListIssueCode.CONDITION_NOT_MARKED: "The official form's condition columns: neither \"исправное\" "
        "nor \"неисправное\" (жарамды / жарамсыз) is marked on the line [002 App.3].",
        UnitListIssueCode.CONDITION_MARKED_TWICE: "The official form's condition columns: both \"исправное\" "
        "and \"неисправное\" (жарамды / жарамсыз) are marked on the line [002 App.3].",
        UnitListIssueCode.MISSING_CUSTOMS_DECLARATION: "Warning: no customs declaration number.",
        UnitListIssueCode.EFFICIENCY_IMPLAUSIBLE: "Warning: power over hashrate is outside 10-110 J/TH; check "
        "the units (kW, TH/s).",
        UnitListIssueCode.TOO_MANY_ERRORS: "The scan stopped after 1,000 errors.",
        UnitListIssueCode.WARNINGS_TRUNCATED: "Warning: more warnings than listed (their number is in the message).",
        UnitListIssueCode.NO_UNIT_LINES: "The list given as data has no lines.",
        UnitListIssueCode.OUT_OF_RANGE: "Hashrate above 10,000 TH/s or power above 1,000 kW for one unit "
        "(a unit mix-up).",
        UnitListIssueCode.QUANTITY_MISMATCH: "The application's `declaredQuantity` differs from the number of "
        "lines [002 App.2 item 6].",
        UnitListIssueCode.SERIAL_ALREADY_REGISTERED: "The serial number is already in the registry [002 §3: one "
        "unit, one record].",
    },
)
expose_enum(
    Severity,
    "UnitListIssueSeverity",
    "Whether a unit-list issue blocks the filing.",
    {
        Severity.ERROR: "Blocks: nothing is filed until the list is corrected.",
        Severity.WARNING: "Shown to the applicant and the officer; the list is filed anyway.",
    },
)
expose_enum(
    UnitListColumn,
    "UnitListColumn",
    "A column of the unit list [002 App.3] (of `units` when given as data).",
    {
        UnitListColumn.LINE: "Line number (optional in a file).",
        UnitListColumn.MODEL: "Full name, brand and model (`model`).",
        UnitListColumn.SERIAL: "Individual serial number (`serial`).",
        UnitListColumn.TNVED_CODE: "TN VED EAEU code, 10 digits (`tnvedCode`).",
        UnitListColumn.HASHRATE_THS: "Hashrate, TH/s (`hashrateThs`).",
        UnitListColumn.POWER_KW: "Power, kW (`powerKw`).",
        UnitListColumn.CUSTOMS_DECLARATION: "Customs (cargo) declaration number (`customsDeclaration`).",
        UnitListColumn.CONDITION: "Condition: working or faulty (`condition`).",
        UnitListColumn.CONDITION_WORKING_MARK: "The official form's tick column \"исправное\" (жарамды): a mark "
        "means working [002 App.3].",
        UnitListColumn.CONDITION_FAULTY_MARK: "The official form's tick column \"неисправное\" (жарамсыз): a mark "
        "means faulty [002 App.3].",
    },
)
expose_enum(
    UnitListFormat,
    "UnitListFormat",
    "How an inclusion application's unit list was given.",
    {
        UnitListFormat.CSV: "An uploaded CSV file (UTF-8 or Windows-1251; comma, semicolon or tab).",
        UnitListFormat.XLSX: "An uploaded .xlsx workbook (its first sheet).",
        UnitListFormat.INPUT: "Lines given as data in `units`.",
    },
)


def _due_at(day: date | None) -> datetime | None:
    """The end of a term's last working day: 18:30 Almaty, as a UTC instant."""
    return None if day is None else datetime.combine(day, OFFICE_CLOSES, tzinfo=ALMATY).astimezone(UTC)


def _text(value: str | None) -> str | None:
    return value or None


# --- small types -----------------------------------------------------------------------------


@strawberry.type(description="A problem of a unit list: where (line and column) and what (code, severity, message).")
class UnitListIssue:
    line: int = strawberry.field(description="The row number as a spreadsheet shows it (header row = 1 in a "
                                 "plain file), or the 1-based position in `units`; 0 for the file or list as a "
                                 "whole.")
    column: UnitListColumn | None = strawberry.field(description="The column concerned; null for the file or "
                                                     "list as a whole (and for QUANTITY_MISMATCH).")
    code: UnitListIssueCode = strawberry.field(description="What is wrong.")
    severity: Severity = strawberry.field(description="ERROR blocks the filing; WARNING does not.")
    message: str = strawberry.field(description="The specifics in English (the value, the other line, the limit); "
                                    "translate `code` for people.")

    @classmethod
    def from_issue(cls, issue: RowIssue) -> UnitListIssue:
        return cls(line=issue.line, column=UnitListColumn.of(issue.column), code=issue.code,
                   severity=issue.severity, message=issue.message)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> UnitListIssue:
        return cls(line=int(data["line"]), column=UnitListColumn.of(str(data.get("column") or "")),
                   code=UnitListIssueCode(data["code"]), severity=Severity(data["severity"]),
                   message=str(data.get("message") or ""))


@strawberry.type(description="One field of a registry record: its value before and after a change, as text.")
class AsicRecordChange:
    field: RecordField = strawberry.field(description="Which field.")
    old: str | None = strawberry.field(description="The value before; null when it was empty, for the new "
                                       "wording of a change notice (not yet applied), or for a personal contact "
                                       "the caller may not read.")
    new: str | None = strawberry.field(description="The value after; null when empty or a personal contact the "
                                       "caller may not read.")


_CONTACTS = {RecordField.MINER_PHONE: "minerPhone", RecordField.MINER_EMAIL: "minerEmail"}


def _shown(field: RecordField, value: Any) -> str | None:
    if value is None or value == "":
        return None
    if field is RecordField.DATA_CENTER:
        return str(to_global_id("DataCenter", int(value)))
    return str(value)


def _changes(info: strawberry.Info, data: dict[str, Any], miner_id: int | None, *, applied: bool) -> list[AsicRecordChange]:
    """{column: [old, new]} (history) or {column: new} (a notice's wording) as typed changes;
    personal contacts null for roles that may not read them."""
    actor = info.context.user
    out = []
    for key, value in data.items():
        try:
            field = RecordField(key)
        except ValueError:
            continue  # a column not shown to clients
        old, new = (value[0], value[1]) if applied else (None, value)
        contact = _CONTACTS.get(field)
        if contact and not can_read_field(actor, "AsicUnit", contact, OwnerRef(miner_id=miner_id)):
            old = new = None
        out.append(AsicRecordChange(field=field, old=_shown(field, old), new=_shown(field, new)))
    return out


def _application(info: strawberry.Info, app_id: int | None) -> Any:
    from schema.types.applications import Application

    return load_view(Application, info.context.loaders.visible(am.Application), app_id)


@strawberry.type(description="A step in a registry record's history: who, what, when, why [002 §4(2)].")
class AsicUnitEvent:
    at: datetime = strawberry.field(description="When it happened (UTC).")
    actor_label: str = strawberry.field(description="Who approved it (a person's or system's label).")
    action: UnitEventAction = strawberry.field(description="What happened.")
    reason: str = strawberry.field(description="Why: the change notice's reason, or the exclusion's reason and its "
                                   "document; may be empty (inclusion).")
    _changes: strawberry.Private[dict[str, Any]]
    _application_id: strawberry.Private[int | None]
    _miner_id: strawberry.Private[int]

    @classmethod
    def view(cls, miner_id: int) -> Callable[[m.AsicUnitEvent], AsicUnitEvent]:
        """`from_row` for the events of one record (the record's miner owns the contacts shown)."""
        return lambda row: cls(
            at=row.at, actor_label=row.actor_label, action=row.action, reason=row.reason,
            _changes=dict(row.changes or {}), _application_id=row.application_id, _miner_id=miner_id,  # type: ignore[attr-defined]
        )

    @strawberry.field(description="The fields that changed, before and after (empty for an inclusion).")
    def changes(self, info: strawberry.Info) -> list[AsicRecordChange]:
        return _changes(info, self._changes, self._miner_id, applied=True)

    @strawberry.field(description="The application whose approval did it; null for roles that may not read "
                      "applications (partner systems).")
    def application(self, info: strawberry.Info) -> Annotated[Application, strawberry.lazy("schema.types.applications")] | None:
        return _application(info, self._application_id)  # type: ignore[no-any-return]


# --- the record --------------------------------------------------------------------------------


def _contact(info: strawberry.Info, field: str, value: str, miner_id: int) -> str | None:
    return value if can_read_field(info.context.user, "AsicUnit", field, OwnerRef(miner_id=miner_id)) else None


@strawberry.type(description="A registry record (002 App.1): one ASIC unit, identified by its serial number, "
                 "with the miner's and the data center's data as at the record. Applicants see their own "
                 "organisation's records; officers, inspectors and partner systems all of them.")
class AsicUnit(RowNode, relay.Node, Timestamped):
    MODEL: ClassVar = m.AsicUnit

    id: relay.NodeID[int]
    record_number: int = strawberry.field(description="Record number, gap-free, given on approval (App.1 col. 1).")
    record_date: date = strawberry.field(description="Date of the record (Almaty), the approval day (App.1 col. 2).")
    miner_name: str = strawberry.field(description="The miner's name as at the record (App.1 col. 3).")
    miner_bin_iin: str = strawberry.field(description="The miner's BIN/IIN (App.1 col. 4).")
    miner_legal_address: str = strawberry.field(description="The miner's legal address (App.1 col. 5).")
    data_center_location: str = strawberry.field(description="Location of the data center (App.1 col. 6).")
    region: Region = strawberry.field(description="Region of the data center.")
    model: str = strawberry.field(description="Full name, brand and model of the unit (App.1 col. 8).")
    serial: str = strawberry.field(description="Individual serial number as written on the unit (App.1 col. 9); "
                                   "compared case-, space- and look-alike-insensitively.")
    tnved_code: str = strawberry.field(description="Customs commodity code, TN VED EAEU, 10 digits (App.1 col. 10).")
    hashrate_ths: Decimal = strawberry.field(description="Hashrate, TH/s (terahashes per second), three decimals "
                                             "(App.1 col. 11).")
    power_kw: Decimal = strawberry.field(description="Power, kW, three decimals (App.1 col. 12).")
    efficiency_j_per_th: Decimal | None = strawberry.field(
        description="Energy efficiency in joules per terahash (J/TH): `powerKw` x 1000 / `hashrateThs`, the "
        "same number as watts per TH/s, to one decimal. Current SHA-256 machines are about 15-35, 2016-era "
        "ones about 100; 10-110 is the plausible span. Null when the hashrate is not positive."
    )
    customs_declaration: str = strawberry.field(description="Customs declaration number; empty when none was given "
                                                "(App.1 col. 13).")
    customs_quantity: int = strawberry.field(description="Units under that declaration in the inclusion; 0 without "
                                             "a declaration (App.1 col. 13).")
    ownership_document: str = strawberry.field(description="The document of ownership or lawful holding (App.1 "
                                               "col. 14).")
    condition: UnitCondition = strawberry.field(description="Working or faulty.")
    status: UnitStatus = strawberry.field(description="In the registry, or excluded.")
    excluded_on: date | None = strawberry.field(description="Date of exclusion (Almaty); null while in the registry "
                                                "(App.1 col. 15).")
    exclusion_reason: ExclusionReason | None = strawberry.field(description="Why it was excluded; null while in the "
                                                                "registry.")
    _miner_phone: strawberry.Private[str]
    _miner_email: strawberry.Private[str]
    _miner_id: strawberry.Private[int]
    _data_center_id: strawberry.Private[int]
    _inclusion_application_id: strawberry.Private[int]
    _exclusion_application_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: m.AsicUnit) -> AsicUnit:
        hashrate = row.hashrate_ths
        efficiency = (
            efficiency_j_per_th(hashrate, row.power_kw).quantize(Decimal("0.1")) if hashrate and hashrate > 0 else None
        )
        return cls(
            id=row.id, record_number=row.record_number, record_date=row.record_date, miner_name=row.miner_name,
            miner_bin_iin=row.miner_bin_iin, miner_legal_address=row.miner_legal_address,
            data_center_location=row.data_center_location, region=row.region, model=row.model, serial=row.serial,
            tnved_code=row.tnved_code, hashrate_ths=row.hashrate_ths, power_kw=row.power_kw,
            efficiency_j_per_th=efficiency, customs_declaration=row.customs_declaration,
            customs_quantity=row.customs_quantity, ownership_document=row.ownership_document,
            condition=row.condition, status=row.status, excluded_on=row.excluded_on,
            exclusion_reason=row.exclusion_reason, _miner_phone=row.miner_phone, _miner_email=row.miner_email,
            _miner_id=row.miner_id, _data_center_id=row.data_center_id,  # type: ignore[attr-defined]
            _inclusion_application_id=row.inclusion_application_id,  # type: ignore[attr-defined]
            _exclusion_application_id=row.exclusion_application_id,  # type: ignore[attr-defined]
            created_at=row.created_at, updated_at=row.updated_at,
        )

    @strawberry.field(description="Mobile phone of the miner as at the record (App.1 col. 7). Null for roles that "
                      "may not read personal contacts (partner systems).")
    def miner_phone(self, info: strawberry.Info) -> str | None:
        return _contact(info, "minerPhone", self._miner_phone, self._miner_id)

    @strawberry.field(description="E-mail of the miner as at the record (App.1 col. 7). Null for roles that may "
                      "not read personal contacts.")
    def miner_email(self, info: strawberry.Info) -> str | None:
        return _contact(info, "minerEmail", self._miner_email, self._miner_id)

    @strawberry.field(description="The miner now (its current data); null if the caller may not see it.")
    def miner(self, info: strawberry.Info) -> Miner | None:
        return load_view(Miner, info.context.loaders.visible(pm.Miner), self._miner_id)  # type: ignore[no-any-return]

    @strawberry.field(description="The data center the unit is placed in; null if the caller may not see it (a "
                      "subtype-II miner's units hosted in another miner's data center).")
    def data_center(self, info: strawberry.Info) -> DataCenter | None:
        return load_view(DataCenter, info.context.loaders.visible(pm.DataCenter), self._data_center_id)  # type: ignore[no-any-return]

    @strawberry.field(description="The inclusion application whose approval made the record; null for roles that "
                      "may not read applications (partner systems).")
    def inclusion_application(
        self, info: strawberry.Info
    ) -> Annotated[Application, strawberry.lazy("schema.types.applications")] | None:
        return _application(info, self._inclusion_application_id)  # type: ignore[no-any-return]

    @strawberry.field(description="The exclusion application whose approval excluded it; null while in the "
                      "registry, or for roles that may not read applications.")
    def exclusion_application(
        self, info: strawberry.Info
    ) -> Annotated[Application, strawberry.lazy("schema.types.applications")] | None:
        return _application(info, self._exclusion_application_id)  # type: ignore[no-any-return]

    @connection(description="Every inclusion, change and exclusion of this record, oldest first [002 §4(2)].")
    def history(self, info: strawberry.Info) -> Connection[AsicUnitEvent]:
        actor = info.context.user
        return Rows(lambda: uc.list_unit_events(actor), AsicUnitEvent.view(self._miner_id),  # type: ignore[return-value]
                    parent=("unit_id", self.id))


@strawberry.type(name="AsicUnitConnection", description="A page of registry records, with cursors.")
class AsicUnitConnection(Connection[AsicUnit]):
    _estimate: strawberry.Private[Callable[[], Awaitable[int]] | None] = None

    @strawberry.field(description="How many records the whole list has, cheaply: for an unfiltered list read by a "
                      "role that sees every record, PostgreSQL's statistic of the table (as of its last ANALYZE: it "
                      "may lag behind recent changes); otherwise the exact count, as `totalCount`.")
    async def total_count_estimate(self) -> int:
        if self._estimate is not None:
            return await self._estimate()
        return await self._count() if self._count else len(self.edges)


@strawberry.type(description="An App.3 line of an inclusion application, as validated at submission.")
class AsicApplicationLine:
    line: int = strawberry.field(description="The row number in the uploaded file, or the position in `units`.")
    model: str = strawberry.field(description="Full name, brand and model.")
    serial: str = strawberry.field(description="Serial number as written.")
    tnved_code: str = strawberry.field(description="TN VED EAEU code, 10 digits.")
    hashrate_ths: Decimal = strawberry.field(description="Hashrate, TH/s.")
    power_kw: Decimal = strawberry.field(description="Power, kW.")
    customs_declaration: str = strawberry.field(description="Customs declaration number; empty when none.")
    condition: UnitCondition = strawberry.field(description="Working or faulty.")

    @classmethod
    def from_row(cls, row: m.RegistryApplicationLine) -> AsicApplicationLine:
        return cls(line=row.line, model=row.model, serial=row.serial, tnved_code=row.tnved_code,
                   hashrate_ths=row.hashrate_ths, power_kw=row.power_kw,
                   customs_declaration=row.customs_declaration, condition=row.condition)


@strawberry.type(description="A data center's registered load against the permitted capacity of its grid "
                 "connection, all in kW.")
class AsicCapacityCheck:
    permitted_kw: Decimal | None = strawberry.field(description="Permitted capacity of the grid connection, kW; null "
                                                    "when not recorded (off-grid or unknown): then never flagged.")
    registered_kw: Decimal = strawberry.field(description="Power of the units in the registry there now, kW.")
    requested_kw: Decimal = strawberry.field(description="Power of the units the application under review would add, "
                                             "kW; 0 outside a review.")
    total_kw: Decimal = strawberry.field(description="`registeredKw` + `requestedKw`, kW.")
    over_capacity: bool = strawberry.field(description="Already over: `registeredKw` > `permittedKw`.")
    would_exceed: bool = strawberry.field(description="Approving would put it over: `totalKw` > `permittedKw` (a flag "
                                          "for the officer, not a refusal ground by itself).")
    headroom_kw: Decimal | None = strawberry.field(description="`permittedKw` - `totalKw`, kW (negative when over); "
                                                   "null when the permitted capacity is not recorded.")

    @classmethod
    def from_check(cls, c: CapacityCheck) -> AsicCapacityCheck:
        return cls(permitted_kw=c.permitted_kw, registered_kw=c.registered_kw, requested_kw=c.requested_kw,
                   total_kw=c.total_kw, over_capacity=c.over_capacity, would_exceed=c.would_exceed,
                   headroom_kw=c.headroom_kw)


# --- what a registry application carries -----------------------------------------------------


def _capacity_loader(info: strawberry.Info) -> Any:
    """(data center id, kW requested) -> the capacity check, or None when the caller may not
    see the data center; the page's data centers in one statement (shared with `dataCenter`),
    their registered load in one more."""
    loaders = info.context.loaders

    async def batch(keys: Sequence[tuple[int, Decimal]]) -> list[CapacityCheck | None]:
        dcs = await loaders.visible(pm.DataCenter).load_many([dc_id for dc_id, _ in keys])
        seen = [(dc, kw) for dc, (_, kw) in zip(dcs, keys, strict=True) if dc is not None]
        checks = iter(await uc.capacity_checks(seen)) if seen else iter(())
        return [next(checks) if dc is not None else None for dc in dcs]

    return loaders.custom("registry-capacity", batch)


def _target_unit_view(info: strawberry.Info) -> tuple[Callable[[m.RegistryApplicationTarget], AsicUnit], Any]:
    """A named record's view (`view`) once its unit is loaded (`prepare`, once per page)."""
    units = info.context.loaders.visible(m.AsicUnit)

    async def prepare(rows: Sequence[m.RegistryApplicationTarget]) -> None:
        await units.load_many([row.unit_id for row in rows])  # type: ignore[attr-defined]

    def view(row: m.RegistryApplicationTarget) -> AsicUnit:
        # The records an application names are its miner's: visible whenever the application is.
        return AsicUnit.from_row(ready(units, row.unit_id))  # type: ignore[arg-type,attr-defined]

    return view, prepare


@strawberry.type(description="What a registry application carries beside the shared application data: the "
                 "inclusion's App.2 and its App.3 lines, the exclusion's App.4, the change notice's App.9.")
class RegistryApplicationDetails:
    declared_quantity: int | None = strawberry.field(description="Inclusion: the quantity of units the application "
                                                     "declares [002 App.2 item 6]; null otherwise.")
    tnved_code: str | None = strawberry.field(description="Inclusion: the application's TN VED EAEU code [002 App.2 "
                                              "item 7] (each line has its own); null when not given.")
    ownership_document: str | None = strawberry.field(description="Inclusion: the ownership or lawful-holding "
                                                      "document [002 App.2 item 9]; null when not given.")
    personal_data_consent: bool = strawberry.field(description="Consent to personal-data processing [002 App.2 item "
                                                   "8, App.4]; true for change notices (App.9 has none).")
    unit_list_file: str | None = strawberry.field(description="Inclusion: the uploaded file's name; null for lines "
                                                  "given as data and for other procedures.")
    unit_list_format: UnitListFormat | None = strawberry.field(description="Inclusion: how the unit list was given; "
                                                               "null for other procedures.")
    line_count: int = strawberry.field(description="Inclusion: App.3 lines; exclusion and change: records named.")
    total_hashrate_ths: Decimal = strawberry.field(description="Inclusion: total hashrate of the lines, TH/s; 0 "
                                                   "otherwise.")
    total_power_kw: Decimal = strawberry.field(description="Inclusion: total power of the lines, kW; 0 otherwise.")
    exclusion_reason: ExclusionReason | None = strawberry.field(description="Exclusion: the reason [002 App.5 item "
                                                                "8(2)]; null otherwise.")
    reason_document: str | None = strawberry.field(description="Exclusion: the document proving the reason; null "
                                                   "when not given.")
    change_date: date | None = strawberry.field(description="Change: the day the data changed [002 §15]; null "
                                                "otherwise.")
    change_notice_due_on: date | None = strawberry.field(description="Change: the last day (Almaty) of the miner's "
                                                         "notice, the 10th working day after `changeDate` [002 §15].")
    change_notice_due_at: datetime | None = strawberry.field(description="Change: the end of that day, 18:30 Almaty, "
                                                             "as a UTC instant.")
    change_late: bool = strawberry.field(description="Change: registered after `changeNoticeDueOn`; accepted all the "
                                         "same and flagged for the supervisor [002 §15]. False otherwise.")
    change_reason: str | None = strawberry.field(description="Change: the reason stated [002 App.9]; null otherwise.")
    warnings: list[UnitListIssue] = strawberry.field(description="Inclusion: the unit list's warnings found at "
                                                     "submission (they did not block), at most 200.")
    _application_id: strawberry.Private[int]
    _miner_id: strawberry.Private[int | None]
    _data_center_id: strawberry.Private[int | None]
    _contact_phone: strawberry.Private[str]
    _contact_email: strawberry.Private[str]
    _changes: strawberry.Private[dict[str, Any]]
    _procedure: strawberry.Private[ProcedureCode]

    @classmethod
    def from_row(cls, row: m.RegistryApplication, procedure: ProcedureCode, miner_id: int | None) -> RegistryApplicationDetails:
        inclusion = procedure is ProcedureCode.ASIC_INCLUSION
        return cls(
            declared_quantity=row.declared_quantity, tnved_code=_text(row.tnved_code),
            ownership_document=_text(row.ownership_document), personal_data_consent=row.personal_data_consent,
            unit_list_file=_text(row.unit_list_file),
            unit_list_format=UnitListFormat(row.unit_list_format) if inclusion and row.unit_list_format else None,
            line_count=row.line_count, total_hashrate_ths=row.total_hashrate_ths, total_power_kw=row.total_power_kw,
            exclusion_reason=row.exclusion_reason, reason_document=_text(row.reason_document),
            change_date=row.change_date, change_notice_due_on=row.change_notice_due,
            change_notice_due_at=_due_at(row.change_notice_due), change_late=row.change_late,
            change_reason=_text(row.change_reason),
            warnings=[UnitListIssue.from_json(w) for w in row.warnings or []],
            _application_id=row.application_id, _miner_id=miner_id,  # type: ignore[attr-defined]
            _data_center_id=row.data_center_id, _contact_phone=row.contact_phone,  # type: ignore[attr-defined]
            _contact_email=row.contact_email, _changes=dict(row.changes or {}), _procedure=procedure,
        )

    def _contact(self, info: strawberry.Info, field: str, value: str) -> str | None:
        owner = OwnerRef(miner_id=self._miner_id)
        return value if can_read_field(info.context.user, "RegistryApplicationDetails", field, owner) else None

    @strawberry.field(description="The applicant's contact phone for this application (the miner's official one "
                      "when none was given).")
    def contact_phone(self, info: strawberry.Info) -> str | None:
        return self._contact(info, "contactPhone", self._contact_phone)

    @strawberry.field(description="The applicant's contact e-mail for this application (the miner's official one "
                      "when none was given).")
    def contact_email(self, info: strawberry.Info) -> str | None:
        return self._contact(info, "contactEmail", self._contact_email)

    @strawberry.field(description="Inclusion: the data center the units go to; null for other procedures or when "
                      "the caller may not see it (a subtype-II applicant's host).")
    def data_center(self, info: strawberry.Info) -> DataCenter | None:
        return load_view(DataCenter, info.context.loaders.visible(pm.DataCenter), self._data_center_id)  # type: ignore[no-any-return]

    @strawberry.field(description="Change: the new wording of the records [002 App.9] (`old` is null: the records "
                      "keep their current values until approval); empty otherwise.")
    def changes(self, info: strawberry.Info) -> list[AsicRecordChange]:
        return _changes(info, self._changes, self._miner_id, applied=False)

    @strawberry.field(description="Inclusion, for the review: would approving put the data center over its "
                      "permitted capacity? Null for other procedures and when the caller may not see the data "
                      "center.")
    def capacity(self, info: strawberry.Info) -> AsicCapacityCheck | None:
        if self._procedure is not ProcedureCode.ASIC_INCLUSION or self._data_center_id is None:
            return None
        found = ready(_capacity_loader(info), (self._data_center_id, Decimal(self.total_power_kw)))
        if pending(found):
            return _capacity_later(found)  # type: ignore[return-value]
        return None if found is None else AsicCapacityCheck.from_check(found)

    @connection(description="Inclusion: the App.3 lines as validated at submission, in line order; empty for other "
                "procedures.")
    def lines(self, info: strawberry.Info) -> Connection[AsicApplicationLine]:
        actor = info.context.user
        return Rows(lambda: uc.list_application_lines(actor), AsicApplicationLine.from_row,  # type: ignore[return-value]
                    parent=("application_id", self._application_id))

    @connection(description="Exclusion and change: the registry records the application names, in record-number "
                "order; empty for an inclusion (see `includedUnits`).")
    def units(self, info: strawberry.Info) -> AsicUnitConnection:
        view, prepare = _target_unit_view(info)
        actor = info.context.user
        return Rows(lambda: uc.list_application_targets(actor), view, prepare=prepare,  # type: ignore[return-value]
                    parent=("application_id", self._application_id))

    @connection(description="Inclusion: the registry records its approval made, in record-number order; empty "
                "before approval and for other procedures.")
    def included_units(self, info: strawberry.Info) -> AsicUnitConnection:
        actor = info.context.user
        return Rows(lambda: uc.list_units(actor), AsicUnit.from_row,  # type: ignore[return-value]
                    parent=("inclusion_application_id", self._application_id))


async def _capacity_later(found: Awaitable[CapacityCheck | None]) -> AsicCapacityCheck | None:
    check = await found
    return None if check is None else AsicCapacityCheck.from_check(check)


def registry_details(info: strawberry.Info, application_id: int, procedure: ProcedureCode, miner_id: int | None) -> Any:
    """`Application.registryDetails`: the row through a loader (one statement for a page of
    applications); None at once for the other procedures."""
    if ProcedureCode(procedure) not in uc.REGISTRY_PROCEDURES:
        return None
    row = ready(info.context.loaders.one(m.RegistryApplication, "application_id"), application_id)
    if pending(row):  # not isinstance(Awaitable): a loaded Tortoise row is awaitable itself
        return _details_later(row, procedure, miner_id)
    return None if row is None else RegistryApplicationDetails.from_row(row, procedure, miner_id)


async def _details_later(
    row: Awaitable[m.RegistryApplication | None], procedure: ProcedureCode, miner_id: int | None
) -> RegistryApplicationDetails | None:
    found = await row
    return None if found is None else RegistryApplicationDetails.from_row(found, procedure, miner_id)


async def prime_registry_details(info: strawberry.Info, wanted: set[str], apps: Sequence[Any]) -> None:
    """For a page of applications (`Application.registryDetails`): the details rows, and their
    data centers when selected, loaded once for the page."""
    ids = [app.id for app in apps if ProcedureCode(app.procedure) in uc.REGISTRY_PROCEDURES]
    if not ids:
        return
    rows = await info.context.loaders.one(m.RegistryApplication, "application_id").load_many(ids)
    if "dataCenter" in wanted:
        dc_ids = sorted({r.data_center_id for r in rows if r is not None and r.data_center_id is not None})  # type: ignore[attr-defined]
        await info.context.loaders.visible(pm.DataCenter).load_many(dc_ids)
