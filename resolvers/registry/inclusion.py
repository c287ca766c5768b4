"""Inclusion applications (002 App.2 + App.3): the unit list (uploaded file or lines), the
serial check against the registry at submission, the lines written with the application."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from models.applications import Application
from models.registry import AsicUnit, RegistryApplication, RegistryApplicationLine
from resolvers import applications as engine
from resolvers.changes import connection
from resolvers.registry.common import (
    MAX_UNITS,
    MAX_UPLOAD_BYTES,
    _chunks,
    _details,
    _q3,
    usable_data_center,
)
from resolvers.registry.unit_files import parse_unit_list
from rules.access import Actor, OwnerRef, Permission, owns
from rules.errors import DomainError, ErrorCode
from rules.qualification import Problem
from rules.registry import UnitStatus, unit_row_issues, validate_unit_lines
from rules.unit_list import ParsedUnitList, RowIssue, UnitListError, UnitRow
from rules.workflow import ProcedureCode

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

