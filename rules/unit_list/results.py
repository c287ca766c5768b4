"""What validating a unit list gives: the accepted rows, the issues found on them, and the
file-level error that stops everything."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum

from rules.unit_list.cells import Condition, normalize_serial


class Severity(str, Enum):
    """Whether an issue blocks the list (ERROR: nothing is filed) or is only shown (WARNING)."""

    ERROR = "ERROR"
    WARNING = "WARNING"


class UnitListFormat(str, Enum):
    """Where a unit list came from."""

    CSV = "CSV"
    XLSX = "XLSX"
    INPUT = "INPUT"  # lines given as data in the request


class UnitListIssueCode(str, Enum):
    """Every problem a unit list can have: the file's, a row's, and the registry's checks of
    an otherwise valid list. One enum, so a client handles one closed set of codes."""

    # the file as a whole (line 0; `UnitListError`)
    FILE_EMPTY = "FILE_EMPTY"
    FILE_TOO_LARGE = "FILE_TOO_LARGE"
    NOT_A_SPREADSHEET = "NOT_A_SPREADSHEET"
    ENCODING = "ENCODING"
    MISSING_COLUMNS = "MISSING_COLUMNS"
    DUPLICATE_COLUMNS = "DUPLICATE_COLUMNS"
    TOO_MANY_ROWS = "TOO_MANY_ROWS"
    MACROS = "MACROS"
    EXTERNAL_LINKS = "EXTERNAL_LINKS"
    # a row's cells (errors)
    REQUIRED = "REQUIRED"
    FORMULA_NOT_ALLOWED = "FORMULA_NOT_ALLOWED"
    HIDDEN_CHARACTER = "HIDDEN_CHARACTER"
    CELL_ERROR = "CELL_ERROR"
    TOO_LONG = "TOO_LONG"
    SERIAL_PRECISION_LOST = "SERIAL_PRECISION_LOST"
    DUPLICATE_SERIAL = "DUPLICATE_SERIAL"
    INVALID_TNVED = "INVALID_TNVED"
    NOT_A_NUMBER = "NOT_A_NUMBER"
    NOT_POSITIVE = "NOT_POSITIVE"
    INVALID_CONDITION = "INVALID_CONDITION"
    CONDITION_NOT_MARKED = "CONDITION_NOT_MARKED"  # the form's tick columns: none marked
    CONDITION_MARKED_TWICE = "CONDITION_MARKED_TWICE"  # the form's tick columns: both marked
    # a row's cells (warnings)
    MISSING_CUSTOMS_DECLARATION = "MISSING_CUSTOMS_DECLARATION"
    EFFICIENCY_IMPLAUSIBLE = "EFFICIENCY_IMPLAUSIBLE"
    # the scan itself
    TOO_MANY_ERRORS = "TOO_MANY_ERRORS"
    WARNINGS_TRUNCATED = "WARNINGS_TRUNCATED"
    NO_UNIT_LINES = "NO_UNIT_LINES"
    # the registry's checks of a list that passed the row rules (rules/registry.py, resolvers)
    OUT_OF_RANGE = "OUT_OF_RANGE"
    QUANTITY_MISMATCH = "QUANTITY_MISMATCH"
    SERIAL_ALREADY_REGISTERED = "SERIAL_ALREADY_REGISTERED"


class UnitListError(ValueError):
    """A file-level failure: the file as a whole cannot be read as a unit list.

    `code` is one of FILE_EMPTY, FILE_TOO_LARGE, NOT_A_SPREADSHEET, ENCODING,
    MISSING_COLUMNS (`missing` lists the canonical keys), DUPLICATE_COLUMNS, TOO_MANY_ROWS,
    MACROS, EXTERNAL_LINKS.
    """

    def __init__(self, code: UnitListIssueCode | str, message: str, *, missing: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.code = UnitListIssueCode(code)  # an unknown code is a programming error
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
    code: UnitListIssueCode
    message: str  # English, with the specifics (the value, the other line)
    severity: Severity

    def __post_init__(self) -> None:
        # Written as plain strings where they arise; checked against the closed sets here.
        object.__setattr__(self, "code", UnitListIssueCode(self.code))
        object.__setattr__(self, "severity", Severity(self.severity))


@dataclass
class ParsedUnitList:
    rows: list[UnitRow] = field(default_factory=list)
    issues: list[RowIssue] = field(default_factory=list)
    source_format: str = ""  # a UnitListFormat value: "CSV" | "XLSX" | "INPUT"
    header_line: int = 1

    @property
    def errors(self) -> list[RowIssue]:
        return [i for i in self.issues if i.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[RowIssue]:
        return [i for i in self.issues if i.severity is Severity.WARNING]

    @property
    def ok(self) -> bool:
        return not any(i.severity is Severity.ERROR for i in self.issues)



@dataclass
class ParsedSerials:
    """A list of serial numbers read from a file: (line, serial as written), and the issues."""

    serials: list[tuple[int, str]] = field(default_factory=list)
    issues: list[RowIssue] = field(default_factory=list)
    source_format: str = ""  # "CSV" | "XLSX"
    header_line: int = 0  # 0: no header row

    @property
    def ok(self) -> bool:
        return not any(i.severity is Severity.ERROR for i in self.issues)
