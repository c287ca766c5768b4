"""The pools' monthly income reports (003, pool checklist item 8): the term, lateness, which
months owe a report, the lines and the warnings for officers. Pure: no I/O.

003 item 8 (kk): "цифрлық майнингтік пул ай сайын цифрлық активтерді бөлу орын алған айдан
кейінгі айдың 25 (жиырма бесінші) күнінен кешіктірмей" — monthly, not later than the 25th
(twenty-fifth) day of the month following the month of the distribution. Reading: a calendar
date, the 25th itself included; no working-day shift (the item counts no working days, unlike
the procedures' terms), so a report filed on the 25th (Almaty date) is on time, one filed from
the 26th is LATE, and a month without a report is OVERDUE from the 26th.

Which months owe a report: the obligation is for every month "in which the distribution took
place"; the registry cannot see distributions, so every month in which the pool was accredited
on at least one day owes either a report with its lines or a NIL report (the pool declares that
it distributed nothing that month). A month before `REPORTS_FROM` owes nothing (the register
started keeping the reports then; earlier months were reported on paper).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import Enum

from rules.bin_iin import bin_iin_problem
from rules.errors import DomainError, ErrorCode
from rules.limits import INCOME_QUANTITY, check_text
from rules.pools import CertificatePeriod, accredited_on
from rules.unit_list import UnitListError, as_number, as_text, find_header, header_rules

__all__ = [
    "ASSET_CODE",
    "DUE_DAY",
    "INCOME_RULES",
    "MAX_LINES",
    "REPORTS_FROM",
    "IncomeLine",
    "IncomeReportSource",
    "IncomeWarning",
    "IncomeWarningCode",
    "accredited_in_month",
    "check_lines",
    "due_on",
    "is_late",
    "lines_from_rows",
    "month_of",
    "months_owed",
    "overdue_from",
    "warnings",
]

DUE_DAY = 25  # 003 pool item 8: "25 (жиырма бесінші) күнінен кешіктірмей"
REPORTS_FROM = date(2024, 1, 1)  # the first month the register keeps (see the module docstring)
MAX_LINES = 100_000
ASSET_CODE = re.compile(r"[A-Z0-9]{1,16}")  # BTC, ETH, USDT...
NAME_MAX = 500


class IncomeReportSource(str, Enum):
    INLINE = "INLINE"  # the lines in the mutation's input
    CSV = "CSV"
    XLSX = "XLSX"
    NIL = "NIL"  # no distribution that month


class IncomeWarningCode(str, Enum):
    NOT_IN_REGISTRY = "NOT_IN_REGISTRY"  # no miner with that BIN/IIN
    NO_ACTIVE_LICENSE = "NO_ACTIVE_LICENSE"  # in the registry, no active licence on the report month


@dataclass(frozen=True)
class IncomeLine:
    """One line: the miner (BIN/IIN and name) and the quantity of one digital asset."""

    bin_iin: str
    miner_name: str
    asset_code: str
    quantity: Decimal


@dataclass(frozen=True)
class IncomeWarning:
    line: int  # 1-based position in the report
    bin_iin: str
    code: IncomeWarningCode


def month_of(year: int, month: int, field: str = "month") -> date:
    """The first day of a report month; VALIDATION for a month that does not exist."""
    if not 1 <= month <= 12:
        raise DomainError(ErrorCode.VALIDATION, field=field, detail="a month from 1 to 12")
    if not 2000 <= year <= 2100:
        raise DomainError(ErrorCode.VALIDATION, field="year", detail="a year from 2000 to 2100")
    return date(year, month, 1)


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def month_end(month: date) -> date:
    return _next_month(month) - timedelta(days=1)


def due_on(month: date) -> date:
    """The last day for the report of `month`: the 25th of the following month (calendar)."""
    return _next_month(month).replace(day=DUE_DAY)


def overdue_from(month: date) -> date:
    return due_on(month) + timedelta(days=1)


def is_late(month: date, filed_on: date) -> bool:
    return filed_on > due_on(month)


def accredited_in_month(periods: Sequence[CertificatePeriod], month: date) -> bool:
    """Accredited on at least one day of `month` (the day a certificate starts, the day it ends,
    or any day between: the periods' edges are the only days that can differ)."""
    first, last = month, month_end(month)
    days = {first, last}
    for p in periods:
        days.update(d for d in (p.issued_on, p.valid_until, p.ended_on and p.ended_on - timedelta(days=1))
                    if d is not None and first <= d <= last)
    return any(accredited_on(periods, d) for d in days)


def months_owed(periods: Sequence[CertificatePeriod], today: date, *, back: int = 24) -> list[date]:
    """The months whose report is past its term on `today` and that owe one (accredited that
    month, not before `REPORTS_FROM`), at most `back` months back (a bounded catch-up)."""
    month = today.replace(day=1)
    out = []
    for _ in range(back + 1):
        if month >= REPORTS_FROM and overdue_from(month) <= today and accredited_in_month(periods, month):
            out.append(month)
        month = (month - timedelta(days=1)).replace(day=1)
    return sorted(out)


def _quantity(value: Decimal | str | int | None, field: str) -> Decimal:
    checked = INCOME_QUANTITY.check(value, field)
    if checked is None:
        raise DomainError(ErrorCode.VALIDATION, field=field, detail="required")
    return checked


def check_lines(lines: Iterable[IncomeLine], prefix: str = "lines") -> list[IncomeLine]:
    """The lines cleaned (BIN/IIN valid, name given, asset code upper-case, quantity positive
    with at most 18 decimal places), or VALIDATION naming the first bad field. One line per
    miner and asset: a repeated pair is a VALIDATION error too (the report lists each miner's
    amount once)."""
    out: list[IncomeLine] = []
    seen: set[tuple[str, str]] = set()
    for i, line in enumerate(lines):
        if i >= MAX_LINES:
            raise DomainError(ErrorCode.VALIDATION, field=prefix, detail=f"at most {MAX_LINES} lines")
        where = f"{prefix}[{i}]"
        bin_iin = "".join(str(line.bin_iin or "").split())
        if problem := bin_iin_problem(bin_iin):
            raise DomainError(ErrorCode.VALIDATION, field=f"{where}.binIin", detail=problem)
        name = check_text(line.miner_name or "", f"{where}.minerName", max_length=NAME_MAX)
        code = "".join(str(line.asset_code or "").split()).upper()
        if not ASSET_CODE.fullmatch(code):
            raise DomainError(ErrorCode.VALIDATION, field=f"{where}.assetCode", detail="1 to 16 letters or digits")
        quantity = _quantity(line.quantity, f"{where}.quantity")
        if quantity <= 0:
            raise DomainError(ErrorCode.VALIDATION, field=f"{where}.quantity", detail="must be positive")
        if (bin_iin, code) in seen:
            raise DomainError(ErrorCode.VALIDATION, field=where, detail=f"{bin_iin} {code} is listed twice")
        seen.add((bin_iin, code))
        out.append(IncomeLine(bin_iin, name, code, quantity))
    return out


def warnings(lines: Sequence[IncomeLine], registered: set[str], licensed: set[str]) -> list[IncomeWarning]:
    """For officers: lines whose miner is not in the registry, or has no active licence."""
    out = []
    for i, line in enumerate(lines, start=1):
        if line.bin_iin not in registered:
            out.append(IncomeWarning(i, line.bin_iin, IncomeWarningCode.NOT_IN_REGISTRY))
        elif line.bin_iin not in licensed:
            out.append(IncomeWarning(i, line.bin_iin, IncomeWarningCode.NO_ACTIVE_LICENSE))
    return out


# --- the file: the columns in kk, ru, en, read through the unit list's machinery -------------------
COL_BIN_IIN, COL_NAME, COL_ASSET, COL_QUANTITY = "bin_iin", "miner_name", "asset_code", "quantity"
_FILE_FIELDS = {COL_BIN_IIN: "binIin", COL_NAME: "minerName", COL_ASSET: "assetCode", COL_QUANTITY: "quantity"}
INCOME_RULES = header_rules((
    (COL_BIN_IIN, ("БИН/ИИН", "БСН/ЖСН", "BIN/IIN", "БИН", "ИИН", "BIN", "IIN"), ("бин", "иин", "бсн", "жсн", "bin",
                                                                             "iin")),
    (COL_ASSET, ("Актив", "Asset", "Код актива", "Asset code", "Цифрлық актив"), ("актив", "asset", "currency",
                                                                                   "валют")),
    (COL_QUANTITY, ("Количество", "Quantity", "Amount", "Саны", "Мөлшері"), ("колич", "quantity", "amount", "саны",
                                                                              "молшер", "сумм")),
    (COL_NAME, ("Наименование", "Name", "Майнер", "Miner", "Атауы", "ФИО"), ("наимен", "name", "майнер", "miner",
                                                                            "атау", "фио", "аты")),
))


def _bin_cell(value: object) -> str:
    """A BIN/IIN cell: a number cell lost its leading zeros (an IIN of a 2000s birth)."""
    text = as_text(value) or ""
    return text.zfill(12) if text.isdigit() and len(text) < 12 else text


def lines_from_rows(rows: Iterator[tuple[int, Sequence[object]]]) -> list[IncomeLine]:
    """The lines of an uploaded report: the header row (the four columns, any order, titles
    above it skipped), then one line per non-blank row. A bad row is VALIDATION on `file`
    naming the spreadsheet's row; `UnitListError` for a file that is no such list."""
    header, _ = find_header(rows, INCOME_RULES, min_score=len(_FILE_FIELDS))
    if header is None or len(header.columns) < len(_FILE_FIELDS):
        raise UnitListError("MISSING_COLUMNS", "The header needs the columns BIN/IIN, name, asset and quantity")
    cols = header.columns
    raw: list[IncomeLine] = []
    numbers: list[int] = []
    for number, cells in rows:
        values = {key: (cells[i] if i < len(cells) else None) for key, i in cols.items()}
        if all(as_text(v) is None for v in values.values()):
            continue
        if len(raw) >= MAX_LINES:
            raise DomainError(ErrorCode.VALIDATION, field="file", detail=f"at most {MAX_LINES} lines")
        quantity = as_number(values[COL_QUANTITY])
        if quantity is None:
            raise DomainError(ErrorCode.VALIDATION, field="file", detail=f"row {number}: the quantity is not a number")
        raw.append(IncomeLine(_bin_cell(values[COL_BIN_IIN]), as_text(values[COL_NAME]) or "",
                              as_text(values[COL_ASSET]) or "", quantity))
        numbers.append(number)
    try:
        return check_lines(raw)
    except DomainError as exc:  # name the row a person sees, not the position
        where = (exc.field or "").removeprefix("lines[")
        index, _, rest = where.partition("]")
        row = numbers[int(index)] if index.isdigit() else 0
        raise DomainError(ErrorCode.VALIDATION, field="file", detail=f"row {row} {rest.lstrip('.')}: {exc.detail}") \
            from None
