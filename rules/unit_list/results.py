"""What validating a unit list gives: the accepted rows, the issues found on them, and the
file-level error that stops everything."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from rules.unit_list.cells import Condition, normalize_serial

Severity = Literal["ERROR", "WARNING"]


class UnitListError(ValueError):
    """A file-level failure: the file as a whole cannot be read as a unit list.

    `code` is one of FILE_EMPTY, FILE_TOO_LARGE, NOT_A_SPREADSHEET, ENCODING,
    MISSING_COLUMNS (`missing` lists the canonical keys), DUPLICATE_COLUMNS, TOO_MANY_ROWS.
    """

    def __init__(self, code: str, message: str, *, missing: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.missing = missing


@dataclass(frozen=True)
class UnitRow:
    line: int
    model: str
    serial: str
    tnved_code: str
    hashrate_ths: Decimal
    power_kw: Decimal
    customs_declaration: str
    condition: Condition

    @property
    def serial_key(self) -> str:
        return normalize_serial(self.serial)


@dataclass(frozen=True)
class RowIssue:
    line: int  # 0 for a file-wide summary issue
    column: str  # canonical column key, "" for a file-wide summary issue
    code: str
    message: str
    severity: Severity


@dataclass
class ParsedUnitList:
    rows: list[UnitRow] = field(default_factory=list)
    issues: list[RowIssue] = field(default_factory=list)
    source_format: str = ""  # "CSV" | "XLSX"
    header_line: int = 1

    @property
    def errors(self) -> list[RowIssue]:
        return [i for i in self.issues if i.severity == "ERROR"]

    @property
    def warnings(self) -> list[RowIssue]:
        return [i for i in self.issues if i.severity == "WARNING"]

    @property
    def ok(self) -> bool:
        return not any(i.severity == "ERROR" for i in self.issues)

