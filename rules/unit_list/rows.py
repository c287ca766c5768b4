"""The rows of an App.3 unit list: every rule a data row must pass, and the validation of a
whole list (header found, rows checked, issues capped) into a `ParsedUnitList`.

`validate_rows` takes the rows as (line, cells) pairs from any reader (CSV, XLSX, a test);
reading files is the caller's business (resolvers/registry/unit_files.py), so this stays pure.
`validate_lines` takes lines given as data (an API's input), one mapping per line, and holds
them to exactly the same row rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from functools import lru_cache
from itertools import chain, pairwise
from operator import itemgetter

from rules.spreadsheet_safety import hidden_character, looks_like_formula
from rules.unit_list.cells import (
    _CONDITION_WORDS,
    _EXCEL_ERRORS,
    _FORMULA_START,
    _MAX_TEXT,
    _NUMERIC_SERIAL_LIMIT,
    _SUSPECT_START,
    _TNVED,
    _TNVED_SPACES,
    Condition,
    _all_blank,
    _as_number,
    _as_text,
    _fold,
    _is_blank,
    normalize_serial,
)
from rules.unit_list.headers import (
    _DATA_COLUMNS,
    COL_CONDITION,
    COL_CUSTOMS,
    COL_HASHRATE,
    COL_LINE,
    COL_MODEL,
    COL_POWER,
    COL_SERIAL,
    COL_TNVED,
    SERIAL_RULES,
    TICK_COLUMNS,
    _check_header,
    _Header,
    _map_header,
    find_header,
    is_subheader,
    merge_subheader,
)
from rules.unit_list.results import (
    ParsedSerials,
    ParsedUnitList,
    RowIssue,
    Severity,
    UnitListError,
    UnitRow,
)

# Plausible ASIC efficiency, J/TH (= W per TH/s). Current SHA-256 machines are ~15-35,
# 2016-era ones ~100; outside 10..110 the row is most likely a unit mix-up (W vs kW, GH/s).
EFFICIENCY_MIN_J_PER_TH = Decimal(10)
EFFICIENCY_MAX_J_PER_TH = Decimal(110)


@lru_cache(maxsize=1024, typed=True)  # rows of one model repeat the same (hashrate, power)
def _clean_numbers(hashrate: object, power: object) -> tuple[Decimal, Decimal] | None:
    """(hashrate, power) as `_RowChecker.check` reads them when they draw no issue there
    (NOT_A_NUMBER, NOT_POSITIVE, EFFICIENCY_IMPLAUSIBLE); None otherwise. `typed`: 140 and
    140.0 are equal keys but different Decimals (Decimals are immutable: sharing is safe).
    Keys are reader cells (str, int, float, bool); Decimal("1") and Decimal("1.0") would share
    one entry, so Decimal cells (data input, rules.registry) go through `check` only."""
    hashrate_number, power_number = _as_number(hashrate), _as_number(power)
    if hashrate_number is None or power_number is None:
        return None
    if hashrate_number <= 0 or power_number <= 0:
        return None
    efficiency = power_number * 1000 / hashrate_number
    if not EFFICIENCY_MIN_J_PER_TH <= efficiency <= EFFICIENCY_MAX_J_PER_TH:
        return None
    return hashrate_number, power_number


class _RowChecker:
    """Validates data rows one by one; keeps the serial index and the issue budget."""

    def __init__(self, columns: dict[str, int], is_xlsx: bool, max_issues: int) -> None:
        self.columns = columns
        self.is_xlsx = is_xlsx
        self.max_issues = max_issues
        self.rows: list[UnitRow] = []
        self.issues: list[RowIssue] = []
        self.error_count = 0
        self.warning_count = 0
        self.dropped_warnings = 0
        self.first_line_of_serial: dict[str, int] = {}

    @property
    def exhausted(self) -> bool:
        return self.error_count >= self.max_issues

    def _add(self, line: int, column: str, code: str, message: str, severity: Severity) -> None:
        if severity == "ERROR":
            self.error_count += 1
        else:
            self.warning_count += 1
            if self.warning_count > self.max_issues:
                self.dropped_warnings += 1  # warnings never block: keep parsing, keep memory
                return
        self.issues.append(RowIssue(line, column, code, message, severity))

    def accept_clean(self, line: int, values: Sequence[object], line_cell: object = None) -> bool:
        """Take a row that no rule of `check` objects to, at a fraction of its cost.

        `values` are the cells of `_DATA_COLUMNS` in that order, `line_cell` the optional
        line-number cell. True: the row is recorded exactly as `check` would record it (its
        serial, its `UnitRow`; `check` would add no issue). False: nothing was recorded and
        the caller runs `check`, which owns every rule and message. This only recognises the
        common clean row (most of a real file); anything unusual is left to `check`.
        """
        texts: list[str] = []
        for value in values:
            if isinstance(value, str):
                text = value.strip()
                if not text or value[0] in _SUSPECT_START or text[0] in _SUSPECT_START:
                    return False  # REQUIRED, or maybe a formula / an Excel error
            else:  # a number, boolean or date of an XLSX cell; None is REQUIRED
                text = _as_text(value)  # type: ignore[assignment]
                if text is None:
                    return False
            if len(text) > _MAX_TEXT:
                return False  # TOO_LONG
            texts.append(text)
        # The line number is not data, but the formula, Excel-error and length rules apply.
        if isinstance(line_cell, str):
            if line_cell and line_cell[0] in _SUSPECT_START:  # even a lone tab is a formula
                return False
            text = line_cell.strip()
            if text and (text[0] in _SUSPECT_START or len(text) > _MAX_TEXT):
                return False
        elif line_cell is not None and len(_as_text(line_cell) or "") > _MAX_TEXT:
            return False

        if hidden_character("".join(texts)):
            return False  # HIDDEN_CHARACTER
        model, serial, tnved, _, _, customs, condition_text = texts
        raw_serial = values[1]
        if isinstance(raw_serial, float) and abs(raw_serial) >= _NUMERIC_SERIAL_LIMIT:
            return False
        serial_key = normalize_serial(serial)
        if not serial_key or serial_key in self.first_line_of_serial:
            return False
        if not (len(tnved) == 10 and tnved.isdigit() and tnved.isascii()):  # else the long way
            tnved = tnved.translate(_TNVED_SPACES)
            if not (tnved.isascii() and _TNVED.fullmatch(tnved)):
                return False
        numbers = _clean_numbers(values[3], values[4])
        if numbers is None:
            return False
        hashrate, power = numbers
        condition = _CONDITION_WORDS.get(_fold(condition_text))
        if condition is None:
            return False

        self.first_line_of_serial[serial_key] = line
        self.rows.append(UnitRow(line, model, serial, tnved, hashrate, power, customs, condition))
        return True

    def _missing(self, line: int, column: str) -> None:
        hint = " (or a formula without a saved value)" if self.is_xlsx else ""
        self._add(line, column, "REQUIRED", f"{column} is empty{hint}", "ERROR")

    def cells(self, line: int, values: dict[str, object]) -> tuple[dict[str, str | None], set[str]]:
        """The rules every cell gets (formula text, Excel errors, the form's tick marks, length,
        hidden characters): the cells as text, and the keys of those refused."""
        bad: set[str] = set()

        # Formula text first: whatever else the cell holds, it must not enter the registry.
        for key, value in values.items():
            if (
                isinstance(value, str)
                and value
                and (value[0] in _FORMULA_START or value.lstrip()[:1] in _FORMULA_START)
                and (looks_like_formula(value) or looks_like_formula(value.strip()))
            ):
                self._add(
                    line,
                    key,
                    "FORMULA_NOT_ALLOWED",
                    f"{key} starts like a spreadsheet formula",
                    "ERROR",
                )
                bad.add(key)

        # "#N/A", "#REF!"...: Excel's own errors (from a broken formula) are not data.
        for key, value in values.items():
            if key not in bad and isinstance(value, str) and value.strip() in _EXCEL_ERRORS:
                self._add(
                    line, key, "CELL_ERROR", f"{key} shows the Excel error {value.strip()}", "ERROR"
                )
                bad.add(key)

        marks = values.get(COL_CONDITION)
        if isinstance(marks, _Marks):  # the form's two tick columns, not exactly one marked
            self._add(line, COL_CONDITION, marks.code, marks.message, "ERROR")
            bad.add(COL_CONDITION)

        texts = {k: _as_text(v) for k, v in values.items() if k not in bad}
        for key, text in texts.items():
            if text is not None and len(text) > _MAX_TEXT:
                self._add(
                    line, key, "TOO_LONG", f"{key} is longer than {_MAX_TEXT} characters", "ERROR"
                )
                bad.add(key)
            elif text is not None and (char := hidden_character(text)):
                self._add(
                    line, key, "HIDDEN_CHARACTER",
                    f"{key} contains the invisible character {char} (a bidi control or a zero-width "
                    "character): type it again without it", "ERROR",
                )
                bad.add(key)
        return texts, bad

    def serial(self, line: int, texts: dict[str, str | None], values: dict[str, object], bad: set[str], *,
               duplicates: bool = False) -> str | None:
        """The serial cell's rules (required, not cut by Excel, once in the list unless
        `duplicates`): its normalised key, or None when refused."""
        serial = texts.get(COL_SERIAL)
        if COL_SERIAL in bad:
            return None
        raw = values.get(COL_SERIAL)
        key = normalize_serial(serial) if serial else ""
        if not key:
            self._missing(line, COL_SERIAL)
        elif isinstance(raw, float) and abs(raw) >= _NUMERIC_SERIAL_LIMIT:
            self._add(
                line,
                COL_SERIAL,
                "SERIAL_PRECISION_LOST",
                "the serial number is stored as a number and Excel has cut its "
                "digits; format the column as text and type it again",
                "ERROR",
            )
        elif key in self.first_line_of_serial and not duplicates:
            first = self.first_line_of_serial[key]
            self._add(
                line,
                COL_SERIAL,
                "DUPLICATE_SERIAL",
                f"serial number {serial} already appears on line {first}",
                "ERROR",
            )
        else:
            self.first_line_of_serial.setdefault(key, line)
            return key
        return None

    def check(self, line: int, values: dict[str, object]) -> None:
        errors_before = self.error_count
        texts, bad = self.cells(line, values)

        model = texts.get(COL_MODEL)
        if COL_MODEL not in bad and model is None:
            self._missing(line, COL_MODEL)

        serial = texts.get(COL_SERIAL)
        self.serial(line, texts, values, bad)

        tnved = texts.get(COL_TNVED)
        if COL_TNVED not in bad:
            if tnved is None:
                self._missing(line, COL_TNVED)
            else:
                tnved = tnved.translate(_TNVED_SPACES)
                if not (tnved.isascii() and _TNVED.fullmatch(tnved)):
                    self._add(
                        line,
                        COL_TNVED,
                        "INVALID_TNVED",
                        "the TN VED EAEU code must be exactly 10 digits",
                        "ERROR",
                    )

        numbers: dict[str, Decimal] = {}
        for key, unit in ((COL_HASHRATE, "TH/s"), (COL_POWER, "kW")):
            if key in bad:
                continue
            if texts.get(key) is None:
                self._missing(line, key)
                continue
            number = _as_number(values[key])
            if number is None:
                self._add(
                    line,
                    key,
                    "NOT_A_NUMBER",
                    f"{key} must be a number in {unit}, e.g. 13.5 or 13,5",
                    "ERROR",
                )
            elif number <= 0:
                self._add(line, key, "NOT_POSITIVE", f"{key} must be greater than zero", "ERROR")
            else:
                numbers[key] = number

        condition: Condition | None = None
        if COL_CONDITION not in bad:
            text = texts.get(COL_CONDITION)
            if text is None:
                self._missing(line, COL_CONDITION)
            else:
                condition = _CONDITION_WORDS.get(_fold(text))
                if condition is None:
                    self._add(
                        line,
                        COL_CONDITION,
                        "INVALID_CONDITION",
                        "condition must be working or faulty "
                        "(исправный / неисправный, жарамды / жарамсыз)",
                        "ERROR",
                    )

        customs = texts.get(COL_CUSTOMS)
        if COL_CUSTOMS not in bad and customs is None:
            self._add(
                line,
                COL_CUSTOMS,
                "MISSING_CUSTOMS_DECLARATION",
                "no customs declaration number",
                "WARNING",
            )

        hashrate, power = numbers.get(COL_HASHRATE), numbers.get(COL_POWER)
        if hashrate is not None and power is not None:
            efficiency = power * 1000 / hashrate
            if not EFFICIENCY_MIN_J_PER_TH <= efficiency <= EFFICIENCY_MAX_J_PER_TH:
                self._add(
                    line,
                    COL_POWER,
                    "EFFICIENCY_IMPLAUSIBLE",
                    f"{efficiency:.1f} J/TH is outside {EFFICIENCY_MIN_J_PER_TH}.."
                    f"{EFFICIENCY_MAX_J_PER_TH} J/TH: check the units (kW, TH/s)",
                    "WARNING",
                )

        if (
            self.error_count == errors_before
            and model is not None
            and serial is not None
            and tnved is not None
            and condition is not None
            and hashrate is not None
            and power is not None
        ):
            self.rows.append(
                UnitRow(line, model, serial, tnved, hashrate, power, customs or "", condition)
            )


@dataclass(frozen=True)
class _Marks:
    """The condition of a line of the official form when its two tick columns do not say it."""

    code: str
    message: str


_NOT_MARKED = _Marks(
    "CONDITION_NOT_MARKED", "condition: mark one of the columns исправное / неисправное (жарамды / жарамсыз)"
)
_MARKED_TWICE = _Marks(
    "CONDITION_MARKED_TWICE",
    "condition: both columns исправное and неисправное (жарамды / жарамсыз) are marked; mark one",
)


def _marked(cell: object) -> bool:
    """A tick: any non-empty mark ("x", "✓", "+", 1, TRUE); an unticked checkbox's FALSE is none."""
    return not _is_blank(cell) and cell is not False


class _Derived:
    """The cells the official form leaves out, derived for each row (002 App.3, 000 3-қосымша):
    the TN VED code from the application (App.2 item 7) when the file has no such column, the
    condition from the two tick columns. They are appended after the row's own cells, so the
    row checker reads them like any column; a blank row stays blank."""

    def __init__(self, columns: dict[str, int], tnved_default: str) -> None:
        self.width = max(columns.values()) + 1
        self.sources = tuple(i for k, i in columns.items() if k != COL_LINE)  # a pre-numbered row is blank
        self.tnved = tnved_default if COL_TNVED not in columns else None
        self.ticks = (
            tuple(columns[k] for k in TICK_COLUMNS) if COL_CONDITION not in columns else None
        )
        self.columns = dict(columns)
        extra = self.width
        for key, wanted in ((COL_TNVED, self.tnved is not None), (COL_CONDITION, self.ticks is not None)):
            if wanted:
                self.columns[key] = extra
                extra += 1

    @classmethod
    def needed(cls, columns: dict[str, int], tnved_default: str) -> _Derived | None:
        return cls(columns, tnved_default) if COL_TNVED not in columns or COL_CONDITION not in columns else None

    def __call__(self, cells: Sequence[object]) -> list[object]:
        row = [*cells[: self.width], *([None] * (self.width - len(cells)))]
        blank = _all_blank(row[i] for i in self.sources)
        if self.tnved is not None:
            row.append(None if blank else self.tnved)
        if self.ticks is not None:
            working, faulty = (_marked(row[i]) for i in self.ticks)
            if blank:
                row.append(None)
            elif working != faulty:
                row.append("WORKING" if working else "FAULTY")
            else:
                row.append(_MARKED_TWICE if working else _NOT_MARKED)
        return row


def _with_subheader(
    header: _Header, rows: Iterator[tuple[int, Sequence[object]]]
) -> tuple[_Header, Iterator[tuple[int, Sequence[object]]]]:
    """The header with its second row merged in when the file has the form's two-row header;
    otherwise the row after the header goes back to the data."""
    following = next(rows, None)
    if following is None:
        return header, rows
    sub = is_subheader(following[1])
    if sub is None:
        return header, chain([following], rows)
    return merge_subheader(header, sub), rows


def _is_numbering_row(cells: Sequence[object]) -> bool:
    """The form's column-numbering row "1 2 3 ..." printed under the header."""
    numbers: list[int] = []
    for cell in cells:
        if _is_blank(cell):
            continue
        text = _as_text(cell)
        if text is None or not text.isdigit():
            return False
        numbers.append(int(text))
    return len(numbers) >= 3 and all(b == a + 1 for a, b in pairwise(numbers))


def validate_rows(
    rows: Iterable[tuple[int, Sequence[object]]],
    *,
    source_format: str = "",
    max_rows: int = 200_000,
    max_issues: int = 1000,
    tnved_default: str = "",
) -> ParsedUnitList:
    """Validate an App.3 unit list given as (line, cells) rows, header rows included.

    The official form (002 App.3, 000 3-қосымша) is read as it is: its two-row header (hashrate
    and power under "Технические сведения", the condition as two tick columns), no TN VED
    column (then every line takes ``tnved_default``, the application's code, App.2 item 7)
    and a mark in "исправное" or "неисправное" as the condition (both or neither marked: a
    line error). A file may instead carry its own TN VED and condition columns.

    Lines are the numbers a person sees (header row = line 1 in a plain file). Cells are what
    a reader gives: text, numbers, booleans, dates, None or "" for empty. Raises only
    `UnitListError` (no header, missing or duplicate columns, no data rows, more than
    `max_rows` data rows); row problems are in `.issues`. At most `max_issues` errors are
    collected (then TOO_MANY_ERRORS ends the scan) and as many warnings (the rest are counted
    in one WARNINGS_TRUNCATED warning). `source_format` "XLSX" adds the empty-formula hint to
    REQUIRED messages.
    """
    rows = iter(rows)  # the header search and the data loop share one pass
    result = ParsedUnitList(source_format=source_format)
    found_header, found = find_header(rows)
    if found and found_header is not None:
        found_header, rows = _with_subheader(found_header, rows)
    header = _check_header(found_header, found, tnved_given=bool(tnved_default))
    result.header_line = header.line
    derive = _Derived.needed(header.columns, tnved_default)
    columns = header.columns if derive is None else derive.columns
    checker = _RowChecker(columns, source_format == "XLSX", max_issues)
    # Column positions resolved once: the data cells in `_DATA_COLUMNS` order come out of a
    # row in one C call whenever the row is wide enough (short rows are padded with None).
    data_idx = tuple(columns[k] for k in _DATA_COLUMNS)
    take_data = itemgetter(*data_idx)
    line_idx = columns.get(COL_LINE)
    width_needed = max(columns.values()) + 1
    data_rows = 0
    first = True
    for line, raw in rows:
        cells = raw if derive is None else derive(raw)
        width = len(cells)
        if width >= width_needed:
            data = take_data(cells)
            line_cell = None if line_idx is None else cells[line_idx]
        else:
            data = tuple(cells[idx] if idx < width else None for idx in data_idx)
            line_cell = None if line_idx is None or line_idx >= width else cells[line_idx]
        if _all_blank(data):
            continue  # blank (or only pre-numbered) rows: templates often have hundreds
        if first:
            first = False
            if _is_numbering_row(raw):
                continue
        data_rows += 1
        if data_rows > max_rows:
            raise UnitListError("TOO_MANY_ROWS", f"More than {max_rows} unit rows")
        if checker.accept_clean(line, data, line_cell):
            continue  # a clean row cannot exhaust the error budget
        values = {key: (cells[idx] if idx < width else None) for key, idx in columns.items()}
        checker.check(line, values)
        if checker.exhausted:
            checker.issues.append(
                RowIssue(
                    line,
                    "",
                    "TOO_MANY_ERRORS",
                    f"Stopped at line {line} after {checker.error_count} errors",
                    "ERROR",
                )
            )
            break
    if data_rows == 0:
        raise UnitListError("FILE_EMPTY", "The file has a header but no unit rows")
    if checker.dropped_warnings:
        checker.issues.append(
            RowIssue(
                0,
                "",
                "WARNINGS_TRUNCATED",
                f"{checker.dropped_warnings} more warnings not listed",
                "WARNING",
            )
        )
    result.rows = checker.rows
    result.issues = checker.issues
    return result



def validate_lines(lines: Sequence[Mapping[str, object]], *, max_issues: int = 1000) -> ParsedUnitList:
    """Validate App.3 lines given as data, by exactly the rules a file's rows get.

    Each line is a mapping with the canonical keys of `DATA_COLUMNS` (model, serial,
    tnved_code, hashrate_ths, power_kw, customs_declaration, condition); values may be text,
    numbers (Decimal included) or enum members (the condition as WORKING / FAULTY). Line
    numbers are the 1-based positions in the list. An empty list is one NO_UNIT_LINES error;
    at most `max_issues` errors are collected, then TOO_MANY_ERRORS ends the scan.
    """
    result = ParsedUnitList(source_format="INPUT", header_line=0)
    if not lines:
        result.issues.append(RowIssue(0, "", "NO_UNIT_LINES", "no unit lines", "ERROR"))
        return result
    # Every line through the full check: the fast path's number cache is keyed by reader cells
    # (str, int, float), and Decimal("1") == Decimal("1.0") would share its entries.
    checker = _RowChecker({key: i for i, key in enumerate(_DATA_COLUMNS)}, False, max_issues)
    for line, given in enumerate(lines, start=1):
        values: dict[str, object] = {}
        for key in _DATA_COLUMNS:
            value = given.get(key)
            values[key] = value.value if isinstance(value, Enum) else value
        checker.check(line, values)
        if checker.exhausted:
            checker.issues.append(
                RowIssue(line, "", "TOO_MANY_ERRORS",
                         f"Stopped at line {line} after {checker.error_count} errors", "ERROR")
            )
            break
    result.rows, result.issues = checker.rows, checker.issues
    return result


def validate_serial_rows(
    rows: Iterable[tuple[int, Sequence[object]]],
    *,
    source_format: str = "",
    max_rows: int = 100_000,
    max_issues: int = 1000,
) -> ParsedSerials:
    """A list of serial numbers (the serials seen on site, 003) given as (line, cells) rows: the
    first non-blank row is the header when one of its cells names the serial column as App.3's
    does ("Серийный номер", "S/N", ...; other columns are ignored), otherwise the file is one
    column of serials without a header. Each serial cell gets the unit list's cell and serial
    rules (formula text, Excel errors, hidden characters, length, digits cut by Excel), a
    repeated serial is no error (seen twice). Raises only `UnitListError` (no serial column,
    no rows, more than `max_rows`); row problems are in `.issues` with the line."""
    rows = iter(rows)
    first = next(((line, cells) for line, cells in rows if not _all_blank(cells)), None)
    if first is None:
        raise UnitListError("FILE_EMPTY", "The file has no serial numbers")
    header = _map_header(first[0], first[1], SERIAL_RULES)
    if COL_SERIAL in header.columns:
        column, header_line = header.columns[COL_SERIAL], first[0]
    else:  # no header: one column of serials, the first row among them
        column, header_line, rows = 0, 0, chain([first], rows)
    checker = _RowChecker({COL_SERIAL: column}, source_format == "XLSX", max_issues)
    result = ParsedSerials(source_format=source_format, header_line=header_line)
    for line, cells in rows:
        if _all_blank(cells):
            continue
        if header_line == 0 and sum(1 for c in cells if not _is_blank(c)) > 1:
            raise UnitListError("MISSING_COLUMNS", f"Line {line} has several cells but the file has no serial "
                                "column header (Серийный номер / Сериялық нөмірі / Serial number)",
                                missing=(COL_SERIAL,))
        if len(result.serials) >= max_rows:
            raise UnitListError("TOO_MANY_ROWS", f"More than {max_rows} serial numbers")
        value = cells[column] if column < len(cells) else None
        texts, bad = checker.cells(line, {COL_SERIAL: value})
        if checker.serial(line, texts, {COL_SERIAL: value}, bad, duplicates=True) is not None:
            result.serials.append((line, texts[COL_SERIAL] or ""))
        if checker.exhausted:
            checker.issues.append(RowIssue(line, "", "TOO_MANY_ERRORS",
                                           f"Stopped at line {line} after {checker.error_count} errors", "ERROR"))
            break
    if not result.serials and not checker.issues:
        raise UnitListError("FILE_EMPTY", "The file has a header but no serial numbers")
    result.issues = checker.issues
    return result
