"""The pools' monthly income reports in GraphQL (003 pool item 8): `fileIncomeReport` (the lines
inline, a CSV/XLSX file, or NIL) and the types `Pool.incomeReports(year:)` and
`Pool.overdueIncomeReports(year:)` answer with."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar

import strawberry
from strawberry import relay
from strawberry.file_uploads import Upload

from models import income_reports as im
from resolvers import income_reports as uc
from rules.calendar import ALMATY
from rules.enums import Role
from rules.errors import DomainError, ErrorCode
from rules.income_reports import IncomeLine, IncomeReportSource, IncomeWarningCode
from rules.limits import INCOME_QUANTITY, IntRange
from schema.bounds import bound, column_bound
from schema.enums import expose_enum
from schema.errors import mutation, payload
from schema.idempotency import client_mutation_id
from schema.ids import pk_of
from schema.registry import ClosesUpload, read_list_upload
from schema.relay import RowNode

__all__ = ["IncomeReport", "IncomeReportsMutation", "OverdueIncomeReport", "income_reports", "overdue_income_reports"]

expose_enum(
    IncomeReportSource,
    "IncomeReportSource",
    "How an income report was given.",
    {
        IncomeReportSource.INLINE: "The lines in the mutation's input.",
        IncomeReportSource.CSV: "An uploaded CSV file.",
        IncomeReportSource.XLSX: "An uploaded XLSX workbook.",
        IncomeReportSource.NIL: "A nil report: the pool distributed no digital assets that month.",
    },
)
expose_enum(
    IncomeWarningCode,
    "IncomeReportWarningCode",
    "Why officers should look at a line of an income report.",
    {
        IncomeWarningCode.NOT_IN_REGISTRY: "No miner with this BIN/IIN is in the registry.",
        IncomeWarningCode.NO_ACTIVE_LICENSE: "The miner held no active licence in the report month.",
    },
)

YEARS = IntRange(2000, 2100)


def _fixed(value: Decimal) -> str:
    """The exact amount in fixed-point notation, trailing zeros dropped (`0.000000000000000001`)."""
    text = format(Decimal(value), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


@strawberry.type(description="One line of an income report: a miner and the amount of one asset distributed to it.")
class IncomeReportLine:
    line: int = strawberry.field(description="1-based position in the report.")
    bin_iin: str = strawberry.field(description="The miner's BIN or IIN.")
    miner_name: str = strawberry.field(description="The miner's name as the pool reports it.")
    asset_code: str = strawberry.field(description="The digital asset, e.g. `BTC`.")
    quantity: str = strawberry.field(description="The quantity distributed: an exact decimal in fixed-point notation "
                                     "with up to 18 decimal places (a string: never read it as a float).")

    @classmethod
    def from_row(cls, row: im.IncomeReportLine) -> IncomeReportLine:
        return cls(line=row.line, bin_iin=row.bin_iin, miner_name=row.miner_name, asset_code=row.asset_code,
                   quantity=_fixed(row.quantity))


@strawberry.type(description="A line officers should look at.")
class IncomeReportWarning:
    line: int = strawberry.field(description="The line's position.")
    bin_iin: str = strawberry.field(description="The BIN/IIN it names.")
    code: IncomeWarningCode = strawberry.field(description="Why.")


@strawberry.type(description="A pool's monthly income report, one version [003 pool item 8]: due by the 25th of "
                 "the following month; a correction is a new version and the previous one is kept.")
class IncomeReport(RowNode, relay.Node):
    MODEL: ClassVar = im.IncomeReport

    id: relay.NodeID[int]
    _row: strawberry.Private[im.IncomeReport]
    year: int = strawberry.field(description="The year of the month reported.")
    month: int = strawberry.field(description="The month reported (1-12).")
    version: int = strawberry.field(description="1 for the first report of the month, then one more per correction.")
    current: bool = strawberry.field(description="False once a correction superseded it.")
    superseded_at: datetime | None = strawberry.field(description="When a correction superseded it.")
    nil: bool = strawberry.field(description="A nil report: nothing distributed that month.")
    source: IncomeReportSource = strawberry.field(description="Inline lines, a CSV or XLSX file, or nil.")
    filed_at: datetime = strawberry.field(description="When it was filed.")
    filed_on: date = strawberry.field(description="The day it was filed (Almaty).")
    due_on: date = strawberry.field(description="The last day: the 25th of the following month.")
    late: bool = strawberry.field(description="Filed after `dueOn` (accepted, flagged LATE).")
    file_name: str = strawberry.field(description="The uploaded file's name (empty for inline lines).")
    file_sha256: str = strawberry.field(description="The uploaded file's SHA-256 (empty for inline lines).")
    line_count: int = strawberry.field(description="How many lines.")

    @classmethod
    def from_row(cls, row: im.IncomeReport) -> IncomeReport:
        return cls(
            id=row.id, _row=row, year=row.month.year, month=row.month.month, version=row.version, current=row.current,
            superseded_at=row.superseded_at, nil=row.nil, source=row.source, filed_at=row.filed_at,
            filed_on=row.filed_on, due_on=row.due_on, late=row.late, file_name=row.file_name,
            file_sha256=row.file_sha256, line_count=row.line_count,
        )

    @strawberry.field(description="The lines, in the report's order.")
    async def lines(self, info: strawberry.Info) -> list[IncomeReportLine]:
        rows = await info.context.loaders.custom("income-report-lines", uc.lines_of).load(self.id)
        return [IncomeReportLine.from_row(r) for r in rows]

    @strawberry.field(description="Officers only (null for others): lines whose miner is not in the registry or "
                      "held no active licence in the report month.")
    async def warnings(self, info: strawberry.Info) -> list[IncomeReportWarning] | None:
        if info.context.user.role not in (Role.OFFICER, Role.ADMIN):
            return None
        [found] = await uc.warnings_of([self._row])
        return [IncomeReportWarning(line=w.line, bin_iin=w.bin_iin, code=w.code) for w in found]


@strawberry.type(description="A month whose income report was still missing on the 26th of the following month.")
class OverdueIncomeReport:
    year: int = strawberry.field(description="The year of the month.")
    month: int = strawberry.field(description="The month (1-12).")
    due_on: date = strawberry.field(description="The last day the report was due.")
    flagged_at: datetime = strawberry.field(description="When the overdue job flagged it.")


def _year(info: strawberry.Info, year: int | None) -> int:
    return info.context.now.astimezone(ALMATY).year if year is None else YEARS.check(year, "year")


async def income_reports(info: strawberry.Info, pool_id: int, year: int | None) -> list[IncomeReport]:
    rows = await uc.reports_of(info.context.user, pool_id, _year(info, year))
    return [IncomeReport.from_row(r) for r in rows]


async def overdue_income_reports(info: strawberry.Info, pool_id: int, year: int | None) -> list[OverdueIncomeReport]:
    rows = await uc.overdue_of(info.context.user, pool_id, _year(info, year))
    return [OverdueIncomeReport(year=r.month.year, month=r.month.month, due_on=r.due_on, flagged_at=r.flagged_at)
            for r in rows]


# --- the mutation -------------------------------------------------------------------------------


@strawberry.input(description="A line of an income report.")
class IncomeReportLineInput:
    bin_iin: str = strawberry.field(description="The miner's BIN or IIN (12 digits).",
                                    metadata=column_bound(im.IncomeReportLine, "bin_iin"))
    miner_name: str = strawberry.field(description="The miner's name (up to 500 characters).",
                                       metadata=column_bound(im.IncomeReportLine, "miner_name"))
    asset_code: str = strawberry.field(description="The digital asset's code, e.g. `BTC` (up to 16 letters or "
                                       "digits).", metadata=column_bound(im.IncomeReportLine, "asset_code"))
    quantity: Decimal = strawberry.field(description="The quantity distributed, positive, up to 18 decimal places "
                                         "(send it as a string to keep every digit).", metadata=bound(INCOME_QUANTITY))


@strawberry.input(description="A pool's income report for a month [003 pool item 8]: the lines, or a file, or "
                  "`nil: true`. Filing again for the same month files a correction.")
class FileIncomeReportInput:
    pool_id: relay.GlobalID = strawberry.field(description="The pool: an applicant's own; officers: any.")
    year: int = strawberry.field(description="The year of the month reported.", metadata=bound(YEARS))
    month: int = strawberry.field(description="The month reported (1-12).", metadata=bound(IntRange(1, 12)))
    nil: bool = strawberry.field(default=False, description="The pool distributed no digital assets that month.")
    lines: list[IncomeReportLineInput] | None = strawberry.field(default=None, description="The lines (one per miner "
                                                                 "and asset).")
    file: Upload | None = strawberry.field(default=None, description="The lines as a CSV (UTF-8 or Windows-1251) or "
                                           "XLSX file, at most 20 MB, with the columns BIN/IIN, name, asset and "
                                           "quantity (titles in kk, ru or en; exact amounts as text cells: a number "
                                           "cell keeps 15 digits).")
    client_mutation_id: str | None = client_mutation_id()


@payload(description="The report filed (late or not), or why not.")
class FileIncomeReportPayload:
    report: IncomeReport | None = strawberry.field(default=None, description="The report; null when there are errors.")


def _upload_mutation(description: str) -> Any:
    field = mutation(description=description, idempotent=True)
    field.extensions.append(ClosesUpload())
    return field


@strawberry.type
class IncomeReportsMutation:
    @_upload_mutation("File a pool's monthly income report [003 pool item 8] (only a pool accredited in that month; "
                      "after the 25th of the following month it is accepted and flagged LATE); filing again for the "
                      "month supersedes the current version and keeps it.")
    async def file_income_report(self, info: strawberry.Info, input: FileIncomeReportInput) -> FileIncomeReportPayload:
        lines = None if input.lines is None else tuple(
            IncomeLine(ln.bin_iin, ln.miner_name, ln.asset_code, ln.quantity) for ln in input.lines)
        if input.file is not None and lines is not None:
            raise DomainError(ErrorCode.VALIDATION, field="lines", detail="give the lines or a file, not both")
        cmd = uc.FileIncomeReport(
            pool_id=pk_of(input.pool_id, "Pool", "poolId"), year=input.year, month=input.month, nil=input.nil,
            lines=lines, file=await read_list_upload(input.file, uc.MAX_UPLOAD_BYTES) if input.file is not None else None,
        )
        report = await uc.file_income_report(info.context.user, cmd)
        return FileIncomeReportPayload(report=IncomeReport.from_row(report))
