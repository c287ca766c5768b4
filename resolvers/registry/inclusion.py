"""Inclusion applications (002 App.2 + App.3): the unit list (uploaded file or lines), the
serial check against the registry at submission, the lines written with the application."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from models.applications import Application
from models.db import in_chunks
from models.registry import AsicUnit, RegistryApplication, RegistryApplicationLine
from resolvers import applications as engine
from resolvers.changes import connection
from resolvers.registry.common import (
    MAX_UNITS,
    MAX_UPLOAD_BYTES,
    _details,
    _q3,
    contact_email,
    contact_phone,
    document_text,
    usable_data_center,
)
from resolvers.registry.unit_files import parse_unit_list
from rules.access import Actor, OwnerRef, Permission, owns
from rules.enums import Channel
from rules.errors import DomainError, ErrorCode
from rules.problems import Problem
from rules.registry import UnitCondition, UnitStatus, unit_row_issues, validate_unit_lines
from rules.unit_list import ParsedUnitList, RowIssue, Severity, UnitListError, UnitRow
from rules.workflow import ProcedureCode

__all__ = [
    "ApplyForInclusion",
    "Holder",
    "UnitLine",
    "UnitListFile",
    "apply_for_inclusion",
    "insert_lines",
    "parse_units",
    "registered_holders",
    "serial_clashes",
]

WARNINGS_KEPT = 200  # warnings of an accepted list kept on the application for the officer


# --- commands ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitLine:
    """One App.3 line given as data."""

    model: str
    serial: str
    tnved_code: str
    hashrate_ths: Decimal
    power_kw: Decimal
    condition: UnitCondition
    customs_declaration: str = ""


@dataclass(frozen=True)
class UnitListFile:
    """An uploaded App.3 list (CSV or XLSX, told apart by content), at most MAX_UPLOAD_BYTES + 1
    bytes read: a larger file is refused, not read."""

    content: bytes
    filename: str


@dataclass(frozen=True)
class ApplyForInclusion:
    """App.2 with its App.3 list: `units` or `file`, exactly one of them."""

    miner_id: int
    data_center_id: int
    declared_quantity: int
    units: tuple[UnitLine, ...] | None = None
    file: UnitListFile | None = None
    tnved_code: str | None = None
    ownership_document: str = ""
    personal_data_consent: bool = False
    contact_phone: str | None = None
    contact_email: str | None = None
    channel: Channel = Channel.PORTAL
    received_at: datetime | None = None


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
    for chunk in in_chunks(list(keys)):
        rows = await AsicUnit.filter(status=UnitStatus.IN_REGISTRY, serial_key__in=list(chunk)).using_db(
            conn
        ).values_list("serial_key", "record_number", "miner_id", "miner_name", "miner_bin_iin")
        for key, number, miner_id, name, bin_iin in rows:
            found[key] = Holder(number, miner_id, name, bin_iin)
    return found


MAX_CLASHES_LISTED = 1000  # serial clashes reported one by one; more are counted in the detail


def serial_clashes(
    rows: Sequence[UnitRow], holders: dict[str, Holder], actor: Actor, *, inline: bool
) -> DomainError | None:
    """SERIAL_ALREADY_REGISTERED for the lines whose serial is already in the registry: the
    first clash is the error itself, `clashes` holds one error per clashing line (serial, line,
    record number). The holder's identity only for those who may read it (officers,
    inspectors, the holder's own applicant), as the registry's contact rules say."""
    found = [(row, holders[row.serial_key]) for row in rows if row.serial_key in holders]
    if not found:
        return None
    reads_all = actor.can(Permission.READ_ALL)
    clashes = []
    for row, holder in found[:MAX_CLASHES_LISTED]:
        shown = reads_all or owns(actor, OwnerRef(miner_id=holder.miner_id))
        clashes.append(
            DomainError(
                ErrorCode.SERIAL_ALREADY_REGISTERED,
                field=f"units[{row.line - 1}].serial" if inline else "file",
                detail=f"line {row.line}: record No. {holder.record_number}",
                serial=row.serial, line=row.line, record=holder.record_number,
                holder_name=holder.miner_name if shown else None,
                holder_bin_iin=holder.miner_bin_iin if shown else None,
            )
        )
    first = clashes[0]
    return DomainError(
        first.code, field=first.field, detail=f"{len(found)} serial number(s) already in the registry",
        **first.params, clashes=clashes,
    )


# --- inclusion (App.2 + App.3) -----------------------------------------------------------------


def file_issue(exc: UnitListError) -> RowIssue:
    """A file-level failure as one issue on line 0 (column "file")."""
    return RowIssue(0, "file", exc.code, exc.message, "ERROR")


def _line_values(u: UnitLine) -> dict[str, Any]:
    return {
        "model": u.model, "serial": u.serial, "tnved_code": u.tnved_code, "hashrate_ths": u.hashrate_ths,
        "power_kw": u.power_kw, "customs_declaration": u.customs_declaration, "condition": u.condition,
    }


async def parse_units(
    units: Sequence[UnitLine] | None, file: UnitListFile | None, tnved: str = ""
) -> ParsedUnitList:
    """The App.3 lines, from an uploaded file or from the input; file-level failures become
    one issue on line 0 (column "file"). A file without a TN VED column (the official form)
    takes ``tnved``, the application's code (002 App.2 item 7)."""
    if (file is None) == (units is None):
        raise DomainError(ErrorCode.VALIDATION, field="units", detail="give the unit list as a file or as lines, not both")
    if file is None:
        if len(units or ()) > MAX_UNITS:
            raise DomainError(ErrorCode.VALIDATION, field="units", detail=f"at most {MAX_UNITS} lines")
        return validate_unit_lines([_line_values(u) for u in units or ()])
    if len(file.content) > MAX_UPLOAD_BYTES:
        too_large = UnitListError("FILE_TOO_LARGE", f"The file is larger than {MAX_UPLOAD_BYTES} bytes")
        return ParsedUnitList(issues=[file_issue(too_large)])
    try:
        # CPU-bound (~25 us a row): off the event loop, so other requests keep being served.
        return await asyncio.to_thread(
            parse_unit_list, file.content, file.filename, max_bytes=MAX_UPLOAD_BYTES, max_rows=MAX_UNITS,
            tnved_default=tnved,
        )
    except UnitListError as exc:
        return ParsedUnitList(issues=[file_issue(exc)])


def rejected(issues: list[RowIssue], field: str) -> DomainError:
    """UNIT_LIST_INVALID with every issue (the typed `UnitListRejected`)."""
    errors = sum(1 for i in issues if i.severity is Severity.ERROR)
    return DomainError(ErrorCode.UNIT_LIST_INVALID, field=field, detail=f"{errors} error(s)", issues=issues, count=errors)


def _tnved(given: str | None) -> str:
    """App.2 item 7: the application's commodity code; required for a file without a TN VED column
    (the official App.3 form has none), otherwise every line carries its own."""
    tnved = "".join(str(given or "").split())
    if tnved and not (tnved.isascii() and tnved.isdigit() and len(tnved) == 10):
        raise DomainError(ErrorCode.INVALID_TNVED, field="tnvedCode", detail="10 digits")
    return tnved


async def apply_for_inclusion(actor: Actor, cmd: ApplyForInclusion) -> Application:
    """File an inclusion application (App.2) with its unit list (App.3), all-or-nothing.

    Any row error means nothing is written: a UNIT_LIST_INVALID error carries every issue with
    its row number and column. A list without row errors is checked against the registry: every
    serial already in it is a SERIAL_ALREADY_REGISTERED error of its own (line, record).
    Warnings do not block; they stay on the application's details for the officer.
    """
    miner = await engine.applicant_miner(actor, cmd.miner_id)
    got = await engine.receipt(actor, cmd.channel, cmd.received_at)
    dc = await usable_data_center(actor, miner, cmd.data_center_id)
    declared = cmd.declared_quantity
    if not 1 <= declared <= MAX_UNITS:
        raise DomainError(ErrorCode.VALIDATION, field="declaredQuantity", detail=f"1 to {MAX_UNITS}")
    tnved = _tnved(cmd.tnved_code)
    ownership = document_text(cmd.ownership_document, "ownershipDocument")
    phone, email = contact_phone(cmd.contact_phone, miner), contact_email(cmd.contact_email, miner)
    list_field = "file" if cmd.file is not None else "units"

    parsed = await parse_units(cmd.units, cmd.file, tnved)
    if not parsed.ok:
        raise rejected(parsed.issues, list_field)
    rows = parsed.rows
    issues = [*parsed.issues, *unit_row_issues(rows)]
    if declared != len(rows):
        issues.append(
            RowIssue(0, "declaredQuantity", "QUANTITY_MISMATCH",
                     f"the application declares {declared} units but the list has {len(rows)} lines", "ERROR")
        )
    if any(i.severity is Severity.ERROR for i in issues):
        raise rejected(issues, list_field)
    clash = serial_clashes(rows, await registered_holders([r.serial_key for r in rows]), actor, inline=cmd.file is None)
    if clash is not None:
        raise clash

    warnings = [i for i in issues if i.severity is Severity.WARNING]
    async with engine.filing(actor, got, ProcedureCode.ASIC_INCLUSION, miner_id=miner.id) as (conn, app):
        await RegistryApplication.create(
            using_db=conn,
            application=app,
            data_center=dc,
            declared_quantity=declared,
            tnved_code=tnved,
            ownership_document=ownership,
            personal_data_consent=cmd.personal_data_consent,
            contact_phone=phone,
            contact_email=email,
            unit_list_file=cmd.file.filename[:255] if cmd.file is not None else "",
            unit_list_format=parsed.source_format,
            line_count=len(rows),
            total_hashrate_ths=sum((_q3(r.hashrate_ths) for r in rows), Decimal(0)),
            total_power_kw=sum((_q3(r.power_kw) for r in rows), Decimal(0)),
            warnings=[issue_json(i) for i in warnings[:WARNINGS_KEPT]],
        )
        await insert_lines(conn, app.id, rows)
    return app


def issue_json(issue: RowIssue) -> dict[str, Any]:
    return {
        "line": issue.line, "column": issue.column, "code": issue.code.value, "message": issue.message,
        "severity": issue.severity.value,
    }


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
                # In CSV an unquoted empty field is NULL: an empty customs declaration is "".
                force_not_null=["customs_declaration"],
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


def _inclusion_problems(d: RegistryApplication) -> list[Problem]:
    problems = []
    if not d.ownership_document:
        problems.append(Problem("OWNERSHIP_DOCUMENT_MISSING", "ownershipDocument", "App.2 item 9: copy of the ownership document"))
    if not d.personal_data_consent:
        problems.append(Problem("PD_CONSENT_MISSING", "personalDataConsent", "App.2 item 8: consent to personal data processing"))
    if d.declared_quantity != d.line_count:
        problems.append(Problem("QUANTITY_MISMATCH", "declaredQuantity", "quantity differs from the unit lines"))
    return problems


async def _inclusion_completeness(app: Application) -> list[Problem]:
    return _inclusion_problems(await _details(app))
