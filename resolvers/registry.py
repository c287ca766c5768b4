"""The ASIC registry (002): inclusion, exclusion and change applications on the shared
engine, what approving them does to the registry, and the registry's queries.

Procedure differences plug into the engine through resolvers/procedures.py (completeness and
approval hooks); the workflow, terms and stage history are the engine's.

One serial IN_REGISTRY once is checked at submission (per row, with the record it clashes
with), again at approval under the record-number lock, and finally enforced by the partial
unique index `asic_unit_serial_in_registry_uq` (models/migrations/0003_registry.py).
"""

from __future__ import annotations

import asyncio
import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.functions import Count, Sum
from tortoise.queryset import QuerySet

from models.applications import Application
from models.licensing import LicenseAppendix
from models.parties import DataCenter, Miner
from models.registry import (
    ASIC_RECORD_COUNTER,
    AsicUnit,
    AsicUnitEvent,
    RegistryApplication,
    RegistryApplicationLine,
    RegistryApplicationTarget,
    RegistryCounter,
)
from resolvers import applications as engine
from resolvers.changes import append_audit, connection, emit
from resolvers.pagination import Page, paginate
from resolvers.procedures import ProcedureHooks, register_procedure
from resolvers.scope import visible
from rules.access import Actor, OwnerRef, Permission, owns
from rules.calendar import ALMATY
from rules.enums import LicenseStatus
from rules.errors import DomainError, ErrorCode
from rules.qualification import Problem
from rules.registry import (
    CapacityCheck,
    ExclusionReason,
    UnitEventAction,
    UnitStatus,
    capacity_check,
    change_notice_due,
    diff_changes,
    is_change_notice_late,
    next_record_numbers,
    unit_row_issues,
    validate_changes,
    validate_unit_lines,
)
from rules.unit_list import (
    ParsedUnitList,
    RowIssue,
    UnitListError,
    UnitRow,
    normalize_serial,
    parse_unit_list,
)
from rules.workflow import LicenseSubtype, ProcedureCode

REGISTRY_PROCEDURES = (ProcedureCode.ASIC_INCLUSION, ProcedureCode.ASIC_EXCLUSION, ProcedureCode.ASIC_CHANGE)
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_UNITS = 200_000
_CHUNK = 5000  # ids / serials per IN (...) list: far below SQLite's 32,766 variables
_THREE_PLACES = Decimal("0.001")


def _now() -> datetime:
    return datetime.now(UTC)


def _today() -> date:
    return _now().astimezone(ALMATY).date()


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _q3(value: Decimal) -> Decimal:
    return value.quantize(_THREE_PLACES, rounding=ROUND_HALF_EVEN)


async def usable_data_center(miner: Miner, dc_id: int, conn: BaseDBAsyncClient | None = None) -> DataCenter:
    """A data center the miner may place units in: its own (subtype I), or one where it holds
    an active subtype-II licence appendix (hosted at another miner's data center, 001 §3).

    Kept simple on purpose: an own data center needs no licence check here (the licence is
    the licensing procedure's business); a hosted one needs the active appendix naming it.
    """
    dc = await DataCenter.get_or_none(id=dc_id).using_db(conn)
    if dc is None:
        raise DomainError(ErrorCode.NOT_FOUND, entity="DataCenter", field="dataCenterId")
    if dc.miner_id == miner.id:  # type: ignore[attr-defined]
        return dc
    hosted = await LicenseAppendix.filter(
        data_center_id=dc.id,
        subtype=LicenseSubtype.II,
        status=LicenseStatus.ACTIVE,
        license__holder_id=miner.id,
        license__status=LicenseStatus.ACTIVE,
    ).using_db(conn).exists()
    if not hosted:
        raise DomainError(
            ErrorCode.DATA_CENTER_NOT_USABLE,
            field="dataCenterId",
            detail="neither the miner's own data center nor one it is licensed (subtype II) to use",
        )
    return dc


# --- serial conflicts -----------------------------------------------------------------------


@dataclass(frozen=True)
class Holder:
    record_number: int
    miner_id: int
    miner_name: str
    miner_bin_iin: str


async def registered_holders(keys: Sequence[str], conn: BaseDBAsyncClient | None = None) -> dict[str, Holder]:
    """serial_key -> the IN_REGISTRY record holding it, for the keys that are taken."""
    found: dict[str, Holder] = {}
    db = conn or connection()
    if db.capabilities.dialect == "postgres":
        # One round trip with the keys as an array: the partial unique index answers it.
        rows = await db.execute_query_dict(
            "SELECT serial_key, record_number, miner_id, miner_name, miner_bin_iin FROM asic_unit"
            " WHERE status = 'IN_REGISTRY' AND serial_key = ANY($1::varchar[])",
            [list(keys)],
        )
        return {r["serial_key"]: Holder(r["record_number"], r["miner_id"], r["miner_name"], r["miner_bin_iin"]) for r in rows}
    for chunk in _chunks(list(keys)):
        rows = await AsicUnit.filter(status=UnitStatus.IN_REGISTRY, serial_key__in=list(chunk)).using_db(
            conn
        ).values_list("serial_key", "record_number", "miner_id", "miner_name", "miner_bin_iin")
        for key, number, miner_id, name, bin_iin in rows:
            found[key] = Holder(number, miner_id, name, bin_iin)
    return found


def _conflict_message(serial: str, holder: Holder, actor: Actor) -> str:
    text = f"serial number {serial} is already in the registry (record No. {holder.record_number})"
    # The other holder's identity only for those who may read it (officers, inspectors).
    if actor.can(Permission.READ_ALL) or owns(actor, OwnerRef(miner_id=holder.miner_id)):
        text += f", held by {holder.miner_name} (BIN/IIN {holder.miner_bin_iin})"
    return text


def conflict_issues(rows: Sequence[UnitRow], holders: dict[str, Holder], actor: Actor) -> list[RowIssue]:
    return [
        RowIssue(
            row.line, "serial", "SERIAL_ALREADY_REGISTERED",
            _conflict_message(row.serial, holders[row.serial_key], actor), "ERROR",
        )
        for row in rows
        if row.serial_key in holders
    ]


# --- inclusion (App.2 + App.3) -----------------------------------------------------------------


@dataclass
class InclusionResult:
    application: Application | None
    issues: list[RowIssue] = field(default_factory=list)
    line_count: int = 0

    @property
    def ok(self) -> bool:
        return self.application is not None


def _file_issue(exc: UnitListError) -> RowIssue:
    return RowIssue(0, "file", exc.code, exc.message, "ERROR")


async def parse_units(data: dict[str, Any], file: bytes | None, filename: str) -> ParsedUnitList:
    """The App.3 lines, from an uploaded file or from the input; file-level failures become
    one issue on line 0 (column "file")."""
    units = data.get("units")
    if (file is None) == (units is None):
        raise DomainError(ErrorCode.VALIDATION, field="units", detail="give the unit list as a file or as lines, not both")
    if file is None:
        return validate_unit_lines(units or [])
    if len(file) > MAX_UPLOAD_BYTES:
        return ParsedUnitList(issues=[_file_issue(UnitListError("FILE_TOO_LARGE", f"The file is larger than {MAX_UPLOAD_BYTES} bytes"))])
    try:
        # CPU-bound (~25 us a row): off the event loop, so other requests keep being served.
        return await asyncio.to_thread(parse_unit_list, file, filename, max_bytes=MAX_UPLOAD_BYTES, max_rows=MAX_UNITS)
    except UnitListError as exc:
        return ParsedUnitList(issues=[_file_issue(exc)])


async def apply_for_inclusion(
    actor: Actor, data: dict[str, Any], *, file: bytes | None = None, filename: str = ""
) -> InclusionResult:
    """File an inclusion application (App.2) with its unit list (App.3), all-or-nothing.

    Any row error (or a serial already in the registry) means nothing is written, and every
    problem comes back with its row number and column. Warnings do not block.
    """
    miner = await engine.applicant_miner(actor, data["miner_id"])
    got = await engine.receipt(actor, data)
    dc = await usable_data_center(miner, data["data_center_id"])
    declared = data.get("declared_quantity")
    if declared is None or declared < 1:
        raise DomainError(ErrorCode.VALIDATION, field="declaredQuantity", detail="at least 1")
    tnved = "".join(str(data.get("tnved_code") or "").split())
    if tnved and not (tnved.isascii() and tnved.isdigit() and len(tnved) == 10):
        raise DomainError(ErrorCode.INVALID_TNVED, field="tnvedCode", detail="10 digits")

    parsed = await parse_units(data, file, filename)
    if not parsed.ok:
        return InclusionResult(None, parsed.issues)
    rows = parsed.rows
    issues = [*parsed.issues, *unit_row_issues(rows)]
    if declared != len(rows):
        issues.append(
            RowIssue(0, "declaredQuantity", "QUANTITY_MISMATCH",
                     f"the application declares {declared} units but the list has {len(rows)} lines", "ERROR")
        )
    if any(i.severity == "ERROR" for i in issues):
        return InclusionResult(None, issues)
    clashes = conflict_issues(rows, await registered_holders([r.serial_key for r in rows]), actor)
    if clashes:
        return InclusionResult(None, [*clashes, *issues])

    warnings = [i for i in issues if i.severity == "WARNING"]
    async with engine.filing(actor, got, ProcedureCode.ASIC_INCLUSION, miner_id=miner.id) as (conn, app):
        await RegistryApplication.create(
            using_db=conn,
            application=app,
            data_center=dc,
            declared_quantity=declared,
            tnved_code=tnved,
            ownership_document=str(data.get("ownership_document") or "").strip()[:500],
            personal_data_consent=bool(data.get("personal_data_consent")),
            contact_phone=str(data.get("contact_phone") or miner.phone)[:32],
            contact_email=str(data.get("contact_email") or miner.email)[:254],
            unit_list_file=filename[:255],
            unit_list_format=parsed.source_format,
            line_count=len(rows),
            total_hashrate_ths=sum((_q3(r.hashrate_ths) for r in rows), Decimal(0)),
            total_power_kw=sum((_q3(r.power_kw) for r in rows), Decimal(0)),
            warnings=[_issue_json(i) for i in warnings[:200]],
        )
        await insert_lines(conn, app.id, rows)
    return InclusionResult(app, warnings, len(rows))


def _issue_json(issue: RowIssue) -> dict[str, Any]:
    return {"line": issue.line, "column": issue.column, "code": issue.code, "message": issue.message, "severity": issue.severity}


_LINE_COLUMNS = (
    "application_id", "line", "model", "serial", "serial_key", "tnved_code",
    "hashrate_ths", "power_kw", "customs_declaration", "condition",
)


async def insert_lines(conn: BaseDBAsyncClient, app_id: int, rows: Sequence[UnitRow]) -> None:
    """Write the App.3 lines inside the caller's transaction.

    PostgreSQL: COPY (asyncpg `copy_records_to_table`) on the transaction's own connection,
    so the lines commit or roll back with the application; ~10x faster than INSERTs, which
    is what keeps a 100,000-line list near the speed of a raw COPY. Elsewhere: batched INSERTs.
    """
    if conn.capabilities.dialect == "postgres":
        # CSV text, parsed by the server (numeric(12,3) rounds as _q3 does): building it with
        # the C csv writer costs less than encoding 100,000 tuples of Decimals in Python.
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerows(
            (app_id, r.line, r.model, r.serial, r.serial_key, r.tnved_code, r.hashrate_ths, r.power_kw,
             r.customs_declaration, r.condition)
            for r in rows
        )
        async with conn.acquire_connection() as raw:
            await raw.copy_to_table(
                RegistryApplicationLine._meta.db_table, source=io.BytesIO(buf.getvalue().encode()),
                columns=list(_LINE_COLUMNS), format="csv",
            )
        return
    await RegistryApplicationLine.bulk_create(
        [
            RegistryApplicationLine(
                application_id=app_id, line=r.line, model=r.model, serial=r.serial,
                serial_key=r.serial_key, tnved_code=r.tnved_code, hashrate_ths=_q3(r.hashrate_ths),
                power_kw=_q3(r.power_kw), customs_declaration=r.customs_declaration, condition=r.condition,
            )
            for r in rows
        ],
        batch_size=2000,
        using_db=conn,
    )


# --- exclusion (App.4) and change (App.9) -------------------------------------------------------


async def _target_units(miner: Miner, unit_ids: Sequence[int], serials: Sequence[str]) -> list[AsicUnit]:
    """The miner's IN_REGISTRY records named by id or serial; anything else is refused by
    name (another miner's unit reads as "not in the registry", never as "not yours")."""
    if not unit_ids and not serials:
        raise DomainError(ErrorCode.VALIDATION, field="unitIds", detail="name the registry records")
    units: dict[int, AsicUnit] = {}
    ids = list(dict.fromkeys(unit_ids))
    for chunk in _chunks(ids):
        for u in await AsicUnit.filter(id__in=list(chunk), miner_id=miner.id, status=UnitStatus.IN_REGISTRY):
            units[u.id] = u
    missing_ids = [i for i in ids if i not in units]
    if missing_ids:
        raise DomainError(ErrorCode.UNIT_NOT_IN_REGISTRY, field="unitIds", detail=f"{len(missing_ids)} record(s) not found", serial=str(missing_ids[0]))
    keys = {normalize_serial(s): s for s in serials if normalize_serial(s)}
    found: set[str] = set()
    key_list = list(keys)
    for chunk in _chunks(key_list):
        for u in await AsicUnit.filter(serial_key__in=list(chunk), miner_id=miner.id, status=UnitStatus.IN_REGISTRY):
            units[u.id] = u
            found.add(u.serial_key)
    missing = [keys[k] for k in key_list if k not in found]
    if missing:
        raise DomainError(ErrorCode.UNIT_NOT_IN_REGISTRY, field="serials", detail=", ".join(missing[:20]), serial=missing[0])
    return sorted(units.values(), key=lambda u: u.record_number)


async def _save_targets(conn: BaseDBAsyncClient, app: Application, units: Sequence[AsicUnit]) -> None:
    await RegistryApplicationTarget.bulk_create(
        [RegistryApplicationTarget(application_id=app.id, unit_id=u.id) for u in units], batch_size=2000, using_db=conn
    )


async def apply_for_exclusion(actor: Actor, data: dict[str, Any]) -> Application:
    """Exclusion application (App.4) with the reason and its document (App.5 item 8(2))."""
    miner = await engine.applicant_miner(actor, data["miner_id"])
    got = await engine.receipt(actor, data)
    reason = ExclusionReason(data["reason"])
    units = await _target_units(miner, data.get("unit_ids") or [], data.get("serials") or [])
    async with engine.filing(actor, got, ProcedureCode.ASIC_EXCLUSION, miner_id=miner.id) as (conn, app):
        await RegistryApplication.create(
            using_db=conn,
            application=app,
            exclusion_reason=reason,
            reason_document=str(data.get("reason_document") or "").strip()[:500],
            personal_data_consent=bool(data.get("personal_data_consent")),
            contact_phone=str(data.get("contact_phone") or miner.phone)[:32],
            contact_email=str(data.get("contact_email") or miner.email)[:254],
            line_count=len(units),
        )
        await _save_targets(conn, app, units)
    return app


async def apply_for_change(actor: Actor, data: dict[str, Any]) -> Application:
    """Change notice (App.9): the new wording of the named records, the reason and the date
    of the change. Due within 10 WD of that date (002 §15); a late notice is accepted and
    flagged late."""
    miner = await engine.applicant_miner(actor, data["miner_id"])
    got = await engine.receipt(actor, data)
    changes = validate_changes(data.get("changes") or {})
    if "data_center_id" in changes:
        await usable_data_center(miner, changes["data_center_id"])
    reason = str(data.get("reason") or "").strip()
    if not reason:
        raise DomainError(ErrorCode.VALIDATION, field="reason", detail="App.9: the reason for the change")
    change_date: date = data["change_date"]
    if data.get("all_units"):
        units = await AsicUnit.filter(miner_id=miner.id, status=UnitStatus.IN_REGISTRY).order_by("record_number")
        if not units:
            raise DomainError(ErrorCode.UNIT_NOT_IN_REGISTRY, field="allUnits", detail="the miner has no units in the registry")
    else:
        units = await _target_units(miner, data.get("unit_ids") or [], data.get("serials") or [])
    calendar = got.calendar
    if change_date > got.received_at.astimezone(ALMATY).date():
        raise DomainError(ErrorCode.VALIDATION, field="changeDate", detail="the change date is in the future")
    async with engine.filing(actor, got, ProcedureCode.ASIC_CHANGE, miner_id=miner.id) as (conn, app):
        late = is_change_notice_late(change_date, app.registered_on, calendar)
        await RegistryApplication.create(
            using_db=conn,
            application=app,
            change_date=change_date,
            change_notice_due=change_notice_due(change_date, calendar),
            change_late=late,
            change_reason=reason,
            changes={k: (str(v) if isinstance(v, Decimal) else getattr(v, "value", v)) for k, v in changes.items()},
            contact_phone=str(data.get("contact_phone") or miner.phone)[:32],
            contact_email=str(data.get("contact_email") or miner.email)[:254],
            personal_data_consent=True,
            line_count=len(units),
        )
        await _save_targets(conn, app, units)
        if late:
            await emit(conn, "alert.registry_change_late", {"application": app.id, "change_date": change_date})
    return app


# --- completeness hooks ---------------------------------------------------------------------------


async def _details(app: Application, conn: BaseDBAsyncClient | None = None) -> RegistryApplication:
    return await RegistryApplication.get(application_id=app.id).using_db(conn)


async def _inclusion_completeness(app: Application) -> list[Problem]:
    d = await _details(app)
    problems = []
    if not d.ownership_document:
        problems.append(Problem("OWNERSHIP_DOCUMENT_MISSING", "ownershipDocument", "App.2 item 9: copy of the ownership document"))
    if not d.personal_data_consent:
        problems.append(Problem("PD_CONSENT_MISSING", "personalDataConsent", "App.2 item 8: consent to personal data processing"))
    if d.declared_quantity != d.line_count:
        problems.append(Problem("QUANTITY_MISMATCH", "declaredQuantity", "quantity differs from the unit lines"))
    return problems


async def _exclusion_completeness(app: Application) -> list[Problem]:
    d = await _details(app)
    problems = []
    if not d.reason_document:
        problems.append(Problem("REASON_DOCUMENT_MISSING", "reasonDocument", "App.5 item 8(2): the document of disposal, end of life, sale or loss"))
    if not d.personal_data_consent:
        problems.append(Problem("PD_CONSENT_MISSING", "personalDataConsent", "App.4: consent to personal data processing"))
    return problems


async def _change_completeness(app: Application) -> list[Problem]:
    return []


# --- approval hooks: what a decision does to the registry ------------------------------------------


def _sql(conn: BaseDBAsyncClient, text: str) -> str:
    """Queries are written with $1..$n; SQLite takes the same numbers as ?1..?n."""
    if conn.capabilities.dialect == "postgres":
        return text
    return re.sub(r"\$(\d+)", r"?\1", text)


def _cast(conn: BaseDBAsyncClient, n: int, pg_type: str) -> str:
    """A typed parameter: PostgreSQL cannot infer types in a SELECT list; SQLite needs none."""
    return f"CAST(${n} AS {pg_type})" if conn.capabilities.dialect == "postgres" else f"${n}"


async def take_record_numbers(conn: BaseDBAsyncClient, count: int) -> range:
    """Reserve `count` gap-free record numbers under the counter row's lock (held to commit)."""
    await conn.execute_query(
        _sql(conn, "INSERT INTO registry_counter (name, value) VALUES ($1, 0) ON CONFLICT (name) DO NOTHING"),
        [ASIC_RECORD_COUNTER],
    )
    query = RegistryCounter.filter(name=ASIC_RECORD_COUNTER)
    if conn.capabilities.dialect == "postgres":
        query = query.select_for_update()
    counter = await query.using_db(conn).get()
    numbers = next_record_numbers(counter.value, count)
    counter.value = numbers[-1]
    await counter.save(using_db=conn, update_fields=["value"])
    return numbers


async def _approval_conflicts(conn: BaseDBAsyncClient, app_id: int) -> list[tuple[int, str, int, str, str]]:
    rows = await conn.execute_query_dict(
        _sql(
            conn,
            "SELECT l.line, l.serial, u.record_number, u.miner_name, u.miner_bin_iin "
            "FROM registry_application_line l JOIN asic_unit u "
            "ON u.serial_key = l.serial_key AND u.status = 'IN_REGISTRY' "
            "WHERE l.application_id = $1 ORDER BY l.line LIMIT 20",
        ),
        [app_id],
    )
    return [(r["line"], r["serial"], r["record_number"], r["miner_name"], r["miner_bin_iin"]) for r in rows]


def _serial_conflict(conflicts: list[tuple[int, str, int, str, str]]) -> DomainError:
    line, serial, number, _name, _bin_iin = conflicts[0]
    detail = "; ".join(f"line {c[0]}: {c[1]} is record No. {c[2]} of {c[3]} ({c[4]})" for c in conflicts)
    return DomainError(ErrorCode.SERIAL_ALREADY_REGISTERED, field="units", detail=detail, serial=serial, line=line, record=number)


async def _approve_inclusion(conn: BaseDBAsyncClient, app: Application, actor: Actor, decision: dict[str, Any]) -> None:
    """Put every listed unit into the registry in this (the approval's) transaction."""
    details = await _details(app, conn)
    miner = await Miner.get(id=app.miner_id).using_db(conn)  # type: ignore[attr-defined]
    dc = await usable_data_center(miner, details.data_center_id, conn)  # type: ignore[attr-defined]
    numbers = await take_record_numbers(conn, details.line_count)
    # Checked again under the counter lock: a unit registered since submission is caught here
    # with its line; a racing approval that slipped past is stopped by the unique index.
    conflicts = await _approval_conflicts(conn, app.id)
    if conflicts:
        raise _serial_conflict(conflicts)
    now, today = _now(), _today()
    c = lambda n, t: _cast(conn, n, t)  # noqa: E731
    insert = f"""
        INSERT INTO asic_unit (created_at, updated_at, record_number, record_date, miner_id,
            miner_name, miner_bin_iin, miner_legal_address, miner_phone, miner_email,
            data_center_id, data_center_location, region, model, serial, serial_key, tnved_code,
            hashrate_ths, power_kw, customs_declaration, customs_quantity, ownership_document,
            condition, status, inclusion_application_id)
        SELECT {c(1, "TIMESTAMPTZ")}, {c(1, "TIMESTAMPTZ")},
            {c(2, "BIGINT")} + ROW_NUMBER() OVER (ORDER BY l.line), {c(3, "DATE")}, {c(4, "INT")},
            {c(5, "VARCHAR")}, {c(6, "VARCHAR")}, {c(7, "VARCHAR")}, {c(8, "VARCHAR")},
            {c(9, "VARCHAR")}, {c(10, "INT")}, {c(11, "VARCHAR")}, {c(12, "VARCHAR")}, l.model,
            l.serial, l.serial_key, l.tnved_code, l.hashrate_ths, l.power_kw, l.customs_declaration,
            CASE WHEN l.customs_declaration = '' THEN 0
                 ELSE COUNT(*) OVER (PARTITION BY l.customs_declaration) END,
            {c(13, "VARCHAR")}, l.condition, 'IN_REGISTRY', l.application_id
        FROM registry_application_line l WHERE l.application_id = {c(14, "INT")}
    """
    params = [
        now, numbers[0] - 1, today, miner.id, miner.name, miner.bin_iin, miner.legal_address,
        details.contact_phone or miner.phone, details.contact_email or miner.email, dc.id, dc.address,
        dc.region.value, details.ownership_document, app.id,
    ]
    try:
        await conn.execute_query(_sql(conn, insert), params)
    except IntegrityError:
        raise DomainError(
            ErrorCode.SERIAL_ALREADY_REGISTERED, field="units",
            detail="another approval registered one of these serial numbers at the same moment",
        ) from None
    await _log_units(conn, actor, app, UnitEventAction.INCLUDED, "inclusion_application_id", "")
    summary = {"units": details.line_count, "first_record": numbers[0], "last_record": numbers[-1], "data_center": dc.id}
    await append_audit(conn, actor, "registry.units_included", "Application", app.id, None, summary)
    await emit(conn, "registry.units_included", {"application": app.id, **summary})


async def _log_units(
    conn: BaseDBAsyncClient, actor: Actor, app: Application, action: UnitEventAction, link: str, reason: str
) -> None:
    """One history event per unit touched by this application (set-based, any list size)."""
    c = lambda n, t: _cast(conn, n, t)  # noqa: E731
    await conn.execute_query(
        _sql(
            conn,
            f"INSERT INTO asic_unit_event (unit_id, at, actor_id, actor_label, action, application_id, changes, reason) "
            f"SELECT u.id, {c(1, 'TIMESTAMPTZ')}, {c(2, 'INT')}, {c(3, 'VARCHAR')}, {c(4, 'VARCHAR')}, "
            f"{c(5, 'INT')}, '{{}}', {c(6, 'TEXT')} FROM asic_unit u WHERE u.{link} = {c(5, 'INT')}",
        ),
        [_now(), actor.user_id, actor.label, action.value, app.id, reason],
    )


async def _targets(conn: BaseDBAsyncClient, app: Application) -> list[AsicUnit]:
    ids = await RegistryApplicationTarget.filter(application_id=app.id).using_db(conn).values_list("unit_id", flat=True)
    units: list[AsicUnit] = []
    for chunk in _chunks(list(ids)):
        query = AsicUnit.filter(id__in=list(chunk))
        if conn.capabilities.dialect == "postgres":
            query = query.select_for_update()
        units.extend(await query.using_db(conn))
    gone = [u for u in units if u.status is not UnitStatus.IN_REGISTRY]
    if gone:
        raise DomainError(
            ErrorCode.UNIT_NOT_IN_REGISTRY, field="units", serial=gone[0].serial,
            detail=f"record No. {gone[0].record_number} was excluded since the application was filed",
        )
    return sorted(units, key=lambda u: u.record_number)


async def _approve_exclusion(conn: BaseDBAsyncClient, app: Application, actor: Actor, decision: dict[str, Any]) -> None:
    """Mark the records EXCLUDED with the date and reason; they are never deleted."""
    details = await _details(app, conn)
    units = await _targets(conn, app)
    today = _today()
    ids = [u.id for u in units]
    for chunk in _chunks(ids):
        await AsicUnit.filter(id__in=list(chunk)).using_db(conn).update(
            status=UnitStatus.EXCLUDED, excluded_on=today, exclusion_reason=details.exclusion_reason,
            exclusion_application_id=app.id, updated_at=_now(),
        )
    reason = f"{details.exclusion_reason.value}: {details.reason_document}" if details.exclusion_reason else ""
    await AsicUnitEvent.bulk_create(
        [
            AsicUnitEvent(
                unit_id=u.id, at=_now(), actor_id=actor.user_id, actor_label=actor.label,
                action=UnitEventAction.EXCLUDED, application_id=app.id,
                changes={"status": [UnitStatus.IN_REGISTRY.value, UnitStatus.EXCLUDED.value], "excluded_on": [None, today.isoformat()]},
                reason=reason,
            )
            for u in units
        ],
        batch_size=2000,
        using_db=conn,
    )
    summary = {"units": len(units), "records": [u.record_number for u in units[:1000]], "reason": reason}
    await append_audit(conn, actor, "registry.units_excluded", "Application", app.id, None, summary)
    await emit(conn, "registry.units_excluded", {"application": app.id, "units": len(units)})


async def _approve_change(conn: BaseDBAsyncClient, app: Application, actor: Actor, decision: dict[str, Any]) -> None:
    """Apply the new wording to the records, keeping each record's before/after in its history."""
    details = await _details(app, conn)
    units = await _targets(conn, app)
    new = validate_changes(details.changes)
    if "data_center_id" in new:
        miner = await Miner.get(id=app.miner_id).using_db(conn)  # type: ignore[attr-defined]
        dc = await usable_data_center(miner, new["data_center_id"], conn)
        new["data_center_location"] = dc.address
        new["region"] = dc.region
    events = []
    now = _now()
    for u in units:
        diff = diff_changes({k: getattr(u, k) for k in new}, new)
        if diff:
            events.append(
                AsicUnitEvent(
                    unit_id=u.id, at=now, actor_id=actor.user_id, actor_label=actor.label,
                    action=UnitEventAction.CHANGED, application_id=app.id, changes=diff,
                    reason=details.change_reason,
                )
            )
    ids = [u.id for u in units]
    for chunk in _chunks(ids):
        await AsicUnit.filter(id__in=list(chunk)).using_db(conn).update(**new, updated_at=now)
    await AsicUnitEvent.bulk_create(events, batch_size=2000, using_db=conn)
    summary = {"units": len(units), "changed": len(events), "changes": details.changes, "late": details.change_late}
    await append_audit(conn, actor, "registry.units_changed", "Application", app.id, None, summary)
    await emit(conn, "registry.units_changed", {"application": app.id, "units": len(units)})


register_procedure(
    ProcedureCode.ASIC_INCLUSION,
    ProcedureHooks(incoming_prefix="AIN", completeness=_inclusion_completeness, approve=_approve_inclusion),
)
register_procedure(
    ProcedureCode.ASIC_EXCLUSION,
    ProcedureHooks(incoming_prefix="AEX", completeness=_exclusion_completeness, approve=_approve_exclusion),
)
register_procedure(
    ProcedureCode.ASIC_CHANGE,
    ProcedureHooks(incoming_prefix="ACH", completeness=_change_completeness, approve=_approve_change),
)


# --- reading ---------------------------------------------------------------------------------------


@dataclass
class UnitFilter:
    miner_id: int | None = None
    data_center_id: int | None = None
    region: str | None = None
    model: str | None = None
    status: UnitStatus | None = None
    serial_prefix: str | None = None


def filtered_units(actor: Actor, f: UnitFilter | None) -> QuerySet[AsicUnit]:
    qs: QuerySet[AsicUnit] = visible(AsicUnit.all(), actor)
    if f is None:
        return qs
    if f.miner_id is not None:
        qs = qs.filter(miner_id=f.miner_id)
    if f.data_center_id is not None:
        qs = qs.filter(data_center_id=f.data_center_id)
    if f.region:
        qs = qs.filter(region=f.region)
    if f.model:
        qs = qs.filter(model__icontains=f.model.strip())
    if f.status:
        qs = qs.filter(status=f.status)
    if f.serial_prefix:
        key = normalize_serial(f.serial_prefix)
        if key:
            qs = qs.filter(serial_key__startswith=key)
    return qs


async def list_units(actor: Actor, f: UnitFilter | None, **page: int | None) -> Page[AsicUnit]:
    return await paginate(filtered_units(actor, f), **page)


async def unit_by_serial(actor: Actor, serial: str) -> AsicUnit | None:
    """The live record of a serial number, else its latest excluded record; None if unknown
    (or not visible to the caller)."""
    key = normalize_serial(serial)
    if not key:
        raise DomainError(ErrorCode.VALIDATION, field="serial", detail="empty")
    return await visible(AsicUnit.filter(serial_key=key), actor).order_by("-status", "-id").first()


async def unit_history(unit: AsicUnit) -> list[AsicUnitEvent]:
    return await AsicUnitEvent.filter(unit_id=unit.id).order_by("id")


async def registry_details(app: Application) -> RegistryApplication | None:
    if ProcedureCode(app.procedure) not in REGISTRY_PROCEDURES:
        return None
    return await RegistryApplication.get_or_none(application_id=app.id)


async def application_lines(app_id: int, **page: int | None) -> Page[RegistryApplicationLine]:
    return await paginate(RegistryApplicationLine.filter(application_id=app_id), **page)


async def application_targets(app_id: int, limit: int = 100) -> list[AsicUnit]:
    return await AsicUnit.filter(application_targets__application_id=app_id).order_by("record_number").limit(limit)


# --- capacity and totals ----------------------------------------------------------------------------


async def registered_kw_by_dc(dc_ids: Sequence[int] | None = None) -> dict[int, Decimal]:
    qs = AsicUnit.filter(status=UnitStatus.IN_REGISTRY)
    if dc_ids is not None:
        qs = qs.filter(data_center_id__in=list(dc_ids))
    rows = await qs.annotate(kw=Sum("power_kw")).group_by("data_center_id").values("data_center_id", "kw")
    return {r["data_center_id"]: Decimal(str(r["kw"] or 0)) for r in rows}


@dataclass
class DataCenterCapacity:
    data_center: DataCenter
    check: CapacityCheck


async def capacity(actor: Actor, *, data_center_id: int | None = None, over_only: bool = False) -> list[DataCenterCapacity]:
    """Registered load per data center against its permitted capacity (officers: all DCs;
    applicants: their own)."""
    dcs_q = visible(DataCenter.all(), actor)
    if data_center_id is not None:
        dcs_q = dcs_q.filter(id=data_center_id)
    dcs = await dcs_q.order_by("id")
    loads = await registered_kw_by_dc([dc.id for dc in dcs]) if len(dcs) <= _CHUNK else await registered_kw_by_dc()
    out = [DataCenterCapacity(dc, capacity_check(dc.permitted_capacity_mw, loads.get(dc.id, Decimal(0)))) for dc in dcs]
    return [c for c in out if c.check.over_capacity] if over_only else out


async def inclusion_capacity(details: RegistryApplication) -> CapacityCheck | None:
    """The officer's view of an inclusion: would approving it put the data center over?"""
    if details.data_center_id is None:  # type: ignore[attr-defined]
        return None
    dc = await DataCenter.get(id=details.data_center_id)  # type: ignore[attr-defined]
    loads = await registered_kw_by_dc([dc.id])
    return capacity_check(dc.permitted_capacity_mw, loads.get(dc.id, Decimal(0)), details.total_power_kw)


@dataclass
class Total:
    key: str
    label: str
    units: int
    hashrate_ths: Decimal
    power_kw: Decimal


_GROUPS = {"MINER": ("miner_id", "miner_name"), "DATA_CENTER": ("data_center_id", "data_center_location"), "REGION": ("region", None)}


async def totals(actor: Actor, group_by: str, f: UnitFilter | None) -> list[Total]:
    """Units, TH/s and kW per miner, data center or region (IN_REGISTRY unless a status is given)."""
    column, label = _GROUPS[group_by]
    qs = filtered_units(actor, f)
    if f is None or f.status is None:
        qs = qs.filter(status=UnitStatus.IN_REGISTRY)
    rows = await qs.annotate(n=Count("id"), ths=Sum("hashrate_ths"), kw=Sum("power_kw")).group_by(column).values(column, "n", "ths", "kw")
    labels: dict[Any, str] = {}
    if label:
        keys = [r[column] for r in rows]
        for chunk in _chunks(keys):
            for k, text in await AsicUnit.filter(**{f"{column}__in": list(chunk)}).distinct().values_list(column, label):
                labels.setdefault(k, text)
    out = [
        Total(
            key=str(getattr(r[column], "value", r[column])),
            label=labels.get(r[column], str(getattr(r[column], "value", r[column]))),
            units=int(r["n"]),
            hashrate_ths=Decimal(str(r["ths"] or 0)),
            power_kw=Decimal(str(r["kw"] or 0)),
        )
        for r in rows
    ]
    return sorted(out, key=lambda t: (-t.power_kw, t.key))

