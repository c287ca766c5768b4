"""The pools' monthly income reports (003 pool item 8): filing (lines inline, a CSV/XLSX file
read through the unit list's reader, or NIL), corrections that supersede and keep the previous
version, the warnings for officers, the reads, and the OVERDUE flags of the overdue job.

The rules (the term, lateness, the months owed, the lines) are plain functions in
rules/income_reports.py; who reads what is `READS` / `OWNERSHIP` ("IncomeReport")."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models.income_reports import IncomeReport, IncomeReportLine, IncomeReportOverdue
from models.licensing import License
from models.parties import Miner, Pool
from models.pools import PoolCertificate
from resolvers import applications as engine
from resolvers import storage
from resolvers.changes import record_change, snapshot
from resolvers.pools import certificate_periods
from resolvers.registry import UnitListFile
from resolvers.registry.unit_files import spreadsheet_rows
from resolvers.scope import get_visible, require_may_act_for, visible
from rules.access import Actor, OwnerRef, can_read
from rules.calendar import ALMATY, WorkCalendar
from rules.enums import LicenseStatus
from rules.errors import DomainError, ErrorCode
from rules.income_reports import (
    INCOME_RULES,
    IncomeLine,
    IncomeReportSource,
    IncomeWarning,
    accredited_in_month,
    check_lines,
    due_on,
    is_late,
    lines_from_rows,
    month_end,
    month_of,
    months_owed,
    warnings,
)
from rules.unit_list import UnitListError

__all__ = [
    "MAX_UPLOAD_BYTES",
    "FileIncomeReport",
    "file_income_report",
    "flag_overdue_income_reports",
    "lines_of",
    "overdue_of",
    "reports_of",
    "warnings_of",
]

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def _now() -> datetime:
    return engine._now()  # the engine's clock: tests move both together


@dataclass(frozen=True)
class FileIncomeReport:
    """A pool's report for a month: `lines`, or a `file`, or `nil` (nothing distributed)."""

    pool_id: int
    year: int
    month: int
    nil: bool = False
    lines: tuple[IncomeLine, ...] | None = None
    file: UnitListFile | None = None


def _parse_file(file: UnitListFile) -> tuple[IncomeReportSource, list[IncomeLine]]:
    """The file's lines (CSV or XLSX, by content), or VALIDATION on `file` naming the row."""
    try:
        source, rows = spreadsheet_rows(file.content, file.filename, max_bytes=MAX_UPLOAD_BYTES,
                                        rules=INCOME_RULES)
        return IncomeReportSource(source), lines_from_rows(iter(rows))
    except UnitListError as exc:
        raise DomainError(ErrorCode.VALIDATION, field="file", detail=str(exc)) from None


async def _lines(cmd: FileIncomeReport) -> tuple[IncomeReportSource, list[IncomeLine]]:
    given = [cmd.lines is not None and len(cmd.lines) > 0, cmd.file is not None]
    if cmd.nil:
        if any(given):
            raise DomainError(ErrorCode.VALIDATION, field="nil", detail="a NIL report has no lines")
        return IncomeReportSource.NIL, []
    if all(given) or not any(given):
        raise DomainError(ErrorCode.VALIDATION, field="lines", detail="give the lines or a file (or nil: true)")
    if cmd.file is not None:
        if len(cmd.file.content) > MAX_UPLOAD_BYTES:
            raise DomainError(ErrorCode.VALIDATION, field="file", detail=f"at most {MAX_UPLOAD_BYTES} bytes")
        source, lines = await asyncio.to_thread(_parse_file, cmd.file)
        if not lines:
            raise DomainError(ErrorCode.VALIDATION, field="file", detail="no lines")
        return source, lines
    return IncomeReportSource.INLINE, check_lines(cmd.lines or ())


async def file_income_report(actor: Actor, cmd: FileIncomeReport) -> IncomeReport:
    """File (or correct) the report of a month: only a pool accredited in that month; after the
    25th of the next month it is accepted and flagged LATE; a correction supersedes the current
    version, which is kept."""
    pool = await get_visible(Pool, actor, cmd.pool_id, "Pool", field="poolId")
    require_may_act_for(actor, pool)
    month = month_of(cmd.year, cmd.month)
    source, lines = await _lines(cmd)
    now = _now()
    filed_on = now.astimezone(ALMATY).date()
    if filed_on <= month_end(month):
        raise DomainError(ErrorCode.VALIDATION, field="month", detail="the month has not ended yet")
    periods = (await certificate_periods([pool.id])).get(pool.id, [])
    if not accredited_in_month(periods, month):
        raise DomainError(ErrorCode.POOL_NOT_ACCREDITED, field="month", on=month.strftime("%Y-%m"))
    stored = None
    if cmd.file is not None:
        stored = await storage.current().put(cmd.file.content, prefix="income-reports")
    try:
        async with in_transaction() as conn:
            previous = await IncomeReport.filter(pool_id=pool.id, month=month, current=True).using_db(conn) \
                .select_for_update().first()
            version = 1 + (await IncomeReport.filter(pool_id=pool.id, month=month).using_db(conn).count())
            report = await IncomeReport.create(
                using_db=conn, pool=pool, month=month, version=version, nil=source is IncomeReportSource.NIL,
                source=source, filed_at=now.astimezone(UTC), filed_on=filed_on, due_on=due_on(month),
                late=is_late(month, filed_on), filed_by_id=actor.user_id, line_count=len(lines),
                file_name=(cmd.file.filename[:255] if cmd.file else ""), file_sha256=stored.sha256 if stored else "",
            )
            await IncomeReportLine.bulk_create([
                IncomeReportLine(report_id=report.id, line=i, bin_iin=ln.bin_iin, miner_name=ln.miner_name,
                                 asset_code=ln.asset_code, quantity=ln.quantity)
                for i, ln in enumerate(lines, start=1)
            ], batch_size=1000, using_db=conn)
            if previous is not None:
                before = snapshot(previous)
                previous.current, previous.superseded_by_id, previous.superseded_at = False, report.id, now
                await previous.save(using_db=conn, update_fields=["current", "superseded_by_id", "superseded_at",
                                                                  "updated_at"])
                await record_change(conn, actor, "income_report.superseded", previous, before)
            if previous is not None:
                await record_change(conn, actor, "income_report.corrected", report, None)
            else:
                await record_change(conn, actor, "income_report.filed", report, None)
    except IntegrityError:  # a concurrent filing of the same month took this version
        raise DomainError(ErrorCode.CONFLICT, field="month", what="another report of this month was filed at the "
                          "same time: file again") from None
    return report


# --- reads ---------------------------------------------------------------------------------------


async def reports_of(actor: Actor, pool_id: int, year: int) -> list[IncomeReport]:
    """The pool's reports of `year` the actor may read (every version), month then version, newest
    first."""
    qs = IncomeReport.filter(pool_id=pool_id, month__gte=date(year, 1, 1), month__lte=date(year, 12, 1))
    return await visible(qs, actor).order_by("-month", "-version")


async def overdue_of(actor: Actor, pool_id: int, year: int) -> list[IncomeReportOverdue]:
    """The months of `year` flagged OVERDUE, for those who read the pool's reports."""
    if not can_read(actor, OwnerRef(pool_id=pool_id), "IncomeReport"):
        return []
    return await IncomeReportOverdue.filter(pool_id=pool_id, month__gte=date(year, 1, 1),
                                            month__lte=date(year, 12, 1)).order_by("month")


async def lines_of(report_ids: Sequence[int]) -> list[list[IncomeReportLine]]:
    rows = await IncomeReportLine.filter(report_id__in=list(report_ids)).order_by("report_id", "line")
    by_report: dict[int, list[IncomeReportLine]] = defaultdict(list)
    for row in rows:
        by_report[row.report_id].append(row)  # type: ignore[attr-defined]
    return [by_report[pk] for pk in report_ids]


async def warnings_of(reports: Sequence[IncomeReport]) -> list[list[IncomeWarning]]:
    """Per report: its lines whose miner is not in the registry or held no active licence in the
    report month (three statements for a page of reports)."""
    lines = await lines_of([r.id for r in reports])
    bins = {ln.bin_iin for rows in lines for ln in rows}
    miners = dict(await Miner.filter(bin_iin__in=list(bins)).values_list("id", "bin_iin")) if bins else {}
    licences = await License.filter(
        holder_id__in=list(miners), status__in=[LicenseStatus.ACTIVE, LicenseStatus.REPLACED, LicenseStatus.SUSPENDED],
    ).values_list("holder_id", "issued_on", "valid_until", "status") if miners else []
    out = []
    for report, rows in zip(reports, lines, strict=True):
        first, last = report.month, month_end(report.month)
        licensed = {miners[h] for h, issued, until, status in licences
                    if status is not LicenseStatus.SUSPENDED and issued <= last and until >= first}
        as_lines = [IncomeLine(r.bin_iin, r.miner_name, r.asset_code, r.quantity) for r in rows]
        out.append(warnings(as_lines, set(miners.values()), licensed))
    return out


# --- the overdue job ----------------------------------------------------------------------------------


async def flag_overdue_income_reports(now: datetime, calendar: WorkCalendar | None = None) -> int:
    """On the 26th: each month a pool owed a report (accredited that month) and has none is
    flagged OVERDUE once, with one alert (dedup key per pool and month); a re-run flags nothing
    new. Returns how many it flagged."""
    from rules.access import SYSTEM

    today = now.astimezone(ALMATY).date()
    pool_ids = list(set(await PoolCertificate.all().values_list("pool_id", flat=True)))
    periods = await certificate_periods(pool_ids)
    owed = {(pool_id, m) for pool_id in pool_ids for m in months_owed(periods.get(pool_id, []), today)}
    if not owed:
        return 0
    months = sorted({m for _, m in owed})
    filed = set(await IncomeReport.filter(pool_id__in=pool_ids, month__in=months).values_list("pool_id", "month"))
    flagged = set(await IncomeReportOverdue.filter(pool_id__in=pool_ids, month__in=months)
                  .values_list("pool_id", "month"))
    count = 0
    for pool_id, month in sorted(owed - filed - flagged):
        try:
            async with in_transaction() as conn:
                row = await IncomeReportOverdue.create(using_db=conn, pool_id=pool_id, month=month,
                                                       due_on=due_on(month), flagged_at=now.astimezone(UTC))
                await record_change(conn, SYSTEM, "income_report.overdue", row, None,
                                    topic="alert.income_report_overdue")
        except IntegrityError:  # another run flagged it meanwhile
            continue
        count += 1
    return count

