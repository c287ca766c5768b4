"""The unit list of an ASIC-registry inclusion application (002 App.3 / 000 3-қосымша).

`parse_unit_list` reads an uploaded CSV or XLSX file and validates every row. It never writes
anything: the caller inspects `ParsedUnitList.ok` and takes the rows all-or-nothing. Bad
input never raises anything but `UnitListError` (file-level problems); row problems become
`RowIssue`s with the row number a person sees in Excel (header row = line 1).

Columns of App.3 in the seeds (ru 002 / kk 000): line number (Порядковый номер / Реттік
нөмірі), full name, brand, model (Полное наименование ... марка, модель / толық атауы
маркасы, моделі), individual serial number (Индивидуальный серийный номер / жеке сериялық
нөмірі), hashrate TH/s (Хэшрейт), power kW (Мощность / Қуат), customs (cargo) declaration
number (Номер грузовой таможенной декларации / Кедендік жүк декларациясының нөмірі*),
condition (Состояние: исправное / неисправное; жай-күйі: жарамды / жарамсыз).

TN VED: neither 002 App.3 nor 000 3-қосымша has a commodity-code column; the code is asked
once per application (002 App.2 item 7 "код ТН ВЭД ЕАЭС", 000 2-қосымша item 7 "ЕАЭО СЭҚ ТН
коды") and is per unit in the registry record (App.1). Our product asks for it on every unit
line (one application may carry machines declared under different headings, DOMAIN.md), so
the column is required here and each value must be 10 digits.

Customs declaration: the column is required (it is in the form), but an empty cell is only a
warning: the seeds do not say the number is mandatory (the kk form marks it with `*` and the
footnote text is missing from 000), so the authority decides, not the parser.

Layout accepted: one header row (title rows above it are skipped, the form's numbering row
"1 2 3 ..." right under it too); the form's two-row header (hashrate/power under "Технические
сведения", condition as two tick columns) is not supported: the condition is one column.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from itertools import pairwise
from operator import itemgetter
from typing import Literal
from xml.etree import ElementTree

from rules.spreadsheet_safety import FORMULA_PREFIXES, looks_like_formula

# --- canonical column keys (also the `RowIssue.column` values) ---------------------------
COL_LINE = "line"
COL_MODEL = "model"
COL_SERIAL = "serial"
COL_TNVED = "tnved_code"
COL_HASHRATE = "hashrate_ths"
COL_POWER = "power_kw"
COL_CUSTOMS = "customs_declaration"
COL_CONDITION = "condition"

REQUIRED_COLUMNS: tuple[str, ...] = (
    COL_MODEL,
    COL_SERIAL,
    COL_TNVED,
    COL_HASHRATE,
    COL_POWER,
    COL_CUSTOMS,
    COL_CONDITION,
)
_DATA_COLUMNS = REQUIRED_COLUMNS  # the line-number column is optional and carries no data

Severity = Literal["ERROR", "WARNING"]
Condition = Literal["WORKING", "FAULTY"]

# Plausible ASIC efficiency, J/TH (= W per TH/s). Current SHA-256 machines are ~15-35,
# 2016-era ones ~100; outside 10..110 the row is most likely a unit mix-up (W vs kW, GH/s).
EFFICIENCY_MIN_J_PER_TH = Decimal(10)
EFFICIENCY_MAX_J_PER_TH = Decimal(110)

_FORMULA_START = frozenset("".join(FORMULA_PREFIXES))  # cheap pre-check on every cell
# First characters that send a cell to the full check: a possible formula or an Excel error.
_SUSPECT_START = _FORMULA_START | {"#"}
_EXCEL_ERRORS = frozenset(
    {"#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NULL!", "#NUM!", "#SPILL!", "#CALC!"}
)
_MAX_TEXT = 255  # longer text is a paste accident, and the registry columns are bounded
_EXCEL_MAX_ROWS = 1_048_576  # a sheet claiming rows beyond this is forged; stop padding
_HEADER_SEARCH_ROWS = 10  # non-blank rows scanned for the header (form titles come first)
_MIN_HEADER_SCORE = 3  # known columns a row needs to be taken as the header


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


# --- text folding ------------------------------------------------------------------------
# Kazakh letters folded onto their Russian look-alikes: people without a Kazakh layout type
# "Куат" for "Қуат", and values then compare equal either way.
_KK_FOLD = str.maketrans(
    {
        "ә": "а",
        "ғ": "г",
        "қ": "к",
        "ң": "н",
        "ө": "о",
        "ұ": "у",
        "ү": "у",
        "һ": "х",
        "і": "и",
        "ё": "е",
        "\ufffd": "?",
    }
)


@lru_cache(maxsize=4096)  # condition words and headers repeat on every row
def _fold(text: str) -> str:
    """Lower-case, Kazakh-folded, letters/digits only (plus `#` and the `?` wildcard).

    `?` survives because a cp1251 export of a Kazakh header turns қ, ө, ү... into `?`;
    `_contains` treats it as "any one letter".
    """
    text = unicodedata.normalize("NFKC", text).casefold().translate(_KK_FOLD)
    return "".join(c for c in text if c.isalnum() or c in "#?")


# Serial look-alikes: a Cyrillic "АВ12" and a Latin "AB12" are the same sticker, so a
# duplicate cannot hide behind the keyboard layout.
_SERIAL_FOLD = str.maketrans(
    {
        "а": "a",
        "в": "b",
        "е": "e",
        "к": "k",
        "м": "m",
        "н": "h",
        "о": "o",
        "р": "p",
        "с": "c",
        "т": "t",
        "у": "y",
        "х": "x",
        "і": "i",
    }
)


def normalize_serial(s: str) -> str:
    """The comparison key of a serial number: case-insensitive, all whitespace (and zero-width
    characters) removed, full-width and Cyrillic look-alike letters mapped to Latin."""
    if s.isascii():  # the usual case, ~10x faster
        if s.isalnum():  # plain "KZB000000001": no whitespace to drop, only the case
            return s.lower()
        return "".join(s.split()).lower()
    s = unicodedata.normalize("NFKC", s).casefold()
    s = "".join(c for c in s if not c.isspace() and unicodedata.category(c) != "Cf")
    return s.translate(_SERIAL_FOLD)


# --- headers ------------------------------------------------------------------------------
# (key, exact titles, keywords contained in the title), checked in this order: specific
# before generic ("серийный номер" must not fall to the line-number rule, "код ТН ВЭД" to
# "customs"). Written in natural spelling, folded once at import.
_HEADER_RULES_RAW: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        COL_TNVED,
        (),
        (
            "ТН ВЭД",
            "ТН ВЕД",
            "TN VED",
            "TNVED",
            "СЭҚ ТН",
            "HS code",
            "товарной номенклатуры",
            "Номенклатурный",
            "commodity code",
        ),
    ),
    (COL_SERIAL, ("S/N", "SN"), ("серийн", "сериялық", "serial")),
    (COL_CUSTOMS, ("ГТД", "ДТ"), ("декларац", "declaration")),
    (COL_HASHRATE, (), ("хэшрейт", "хешрейт", "hashrate", "hash rate")),
    (COL_POWER, ("кВт", "kW"), ("мощност", "қуат", "power")),
    (COL_CONDITION, (), ("состояни", "жай-күйі", "condition", "status", "статус")),
    (COL_MODEL, (), ("модел", "model", "марка", "brand", "наименован", "атауы")),
    (
        COL_LINE,
        ("No", "№", "N", "Nr", "#", "№ п/п", "п/п", "Номер", "Line", "Row", "Line no"),
        ("порядков", "реттік", "line number", "row number"),
    ),
)
_HEADER_RULES = tuple(
    (key, frozenset(_fold(t) for t in exact), tuple(_fold(k) for k in keywords))
    for key, exact, keywords in _HEADER_RULES_RAW
)


def _contains(text: str, needle: str) -> bool:
    """`needle in text`, where a `?` in `text` matches any one character."""
    if "?" not in text:
        return needle in text
    n = len(needle)
    for start in range(len(text) - n + 1):
        if all(t == c or t == "?" for t, c in zip(text[start : start + n], needle, strict=True)):
            return True
    return False


def column_for_header(title: object) -> str | None:
    """The canonical key for a header cell in kk/ru/en, or None when it is not ours."""
    if title is None:
        return None
    text = _fold(str(title))
    if not text or set(text) == {"?"}:
        return None
    for key, exact, _ in _HEADER_RULES:
        if text in exact:
            return key
    for key, _, keywords in _HEADER_RULES:
        if any(_contains(text, k) for k in keywords):
            return key
    return None


@dataclass
class _Header:
    line: int
    columns: dict[str, int]  # key -> 0-based cell index (first occurrence)
    duplicates: dict[str, list[int]]

    @property
    def score(self) -> int:
        return len(self.columns)


def _map_header(line: int, cells: Sequence[object]) -> _Header:
    columns: dict[str, int] = {}
    duplicates: dict[str, list[int]] = {}
    for idx, cell in enumerate(cells):
        key = column_for_header(cell)
        if key is None:
            continue
        if key in columns:
            duplicates.setdefault(key, [columns[key]]).append(idx)
        else:
            columns[key] = idx
    return _Header(line, columns, duplicates)


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _all_blank(values: Iterable[object]) -> bool:
    """`all(_is_blank(v) for v in values)`, without a call per cell (once per data row)."""
    for value in values:
        if value is not None and (not isinstance(value, str) or value.strip()):
            return False
    return True


def _find_header(rows: Iterator[tuple[int, Sequence[object]]]) -> tuple[_Header | None, bool]:
    """Consume rows up to the header. Returns (best candidate, found)."""
    best: _Header | None = None
    seen = 0
    for line, cells in rows:
        if all(_is_blank(c) for c in cells):
            continue
        header = _map_header(line, cells)
        if header.score >= _MIN_HEADER_SCORE:
            return header, True
        if best is None or header.score > best.score:
            best = header
        seen += 1
        if seen >= _HEADER_SEARCH_ROWS:
            break
    return best, False


def _check_header(header: _Header | None, found: bool) -> _Header:
    if header is None:
        raise UnitListError("FILE_EMPTY", "The file has no rows")
    columns = header.columns
    missing = tuple(k for k in REQUIRED_COLUMNS if k not in columns)
    if not found or missing:
        missing = missing or REQUIRED_COLUMNS
        raise UnitListError(
            "MISSING_COLUMNS",
            "Columns not found in the header row: " + ", ".join(missing),
            missing=missing,
        )
    if header.duplicates:
        # Two "serial" columns: we cannot tell which one the applicant meant.
        names = ", ".join(
            f"{key} (columns {', '.join(str(i + 1) for i in idxs)})"
            for key, idxs in header.duplicates.items()
        )
        raise UnitListError("DUPLICATE_COLUMNS", f"Columns appear more than once: {names}")
    return header


# --- cell values ----------------------------------------------------------------------------
_CONDITION_WORDS_RAW: dict[Condition, tuple[str, ...]] = {
    "WORKING": (
        "working",
        "work",
        "исправный",
        "исправное",
        "исправная",
        "исправен",
        "исправно",
        "рабочий",
        "рабочее",
        "рабочая",
        "работает",
        "жарамды",
        "жұмыс істейді",
    ),
    "FAULTY": (
        "faulty",
        "broken",
        "defective",
        "not working",
        "неисправный",
        "неисправное",
        "неисправная",
        "неисправен",
        "нерабочий",
        "нерабочее",
        "нерабочая",
        "не работает",
        "жарамсыз",
        "ақаулы",
        "жұмыс істемейді",
    ),
}
_CONDITION_WORDS: dict[str, Condition] = {
    _fold(word): cond for cond, words in _CONDITION_WORDS_RAW.items() for word in words
}

# Separators people put inside numbers: spaces, NBSP, thin/narrow spaces ("1 234,5").
_NUMBER_SPACES = str.maketrans("", "", " \u00a0\u2009\u202f")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
# The usual cell ("140", "3.01"): ASCII digits, nothing to strip or translate; Decimal takes
# it as is. Anything else goes the long way below (same result, just slower).
_PLAIN_ASCII_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_TNVED = re.compile(r"\d{10}")
_TNVED_SPACES = str.maketrans("", "", " \u00a0\u2009\u202f-")  # "8471 41 000 0" is usual
_NUMERIC_SERIAL_LIMIT = 10**15  # Excel keeps 15 significant digits: longer numbers are cut


def _as_text(value: object) -> str | None:
    """A cell as stripped text; None when empty. Numbers keep no '.0' (8471410000.0)."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
    elif isinstance(value, bool):
        text = "TRUE" if value else "FALSE"
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, datetime | date | time):
        text = value.isoformat()
    else:
        text = str(value)
    return text or None


def _as_number(value: object) -> Decimal | None:
    """A cell as a finite Decimal (decimal comma accepted), or None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float | Decimal):
        number = Decimal(str(value))  # str(float) is the shortest repr: 13.5, not 13.49999
        return number if number.is_finite() else None
    if not isinstance(value, str):
        return None
    if _PLAIN_ASCII_NUMBER.fullmatch(value):
        return Decimal(value)
    text = value.strip().translate(_NUMBER_SPACES)
    if "," in text:
        if "." in text:
            return None  # "1,234.5" vs "1.234,5": refuse to guess
        text = text.replace(",", ".")
    if not _NUMBER.fullmatch(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the regex already excludes this
        return None


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

    def check(self, line: int, values: dict[str, object]) -> None:
        errors_before = self.error_count
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

        texts = {k: _as_text(v) for k, v in values.items() if k not in bad}
        for key, text in texts.items():
            if text is not None and len(text) > _MAX_TEXT:
                self._add(
                    line, key, "TOO_LONG", f"{key} is longer than {_MAX_TEXT} characters", "ERROR"
                )
                bad.add(key)

        model = texts.get(COL_MODEL)
        if COL_MODEL not in bad and model is None:
            self._missing(line, COL_MODEL)

        serial = texts.get(COL_SERIAL)
        if COL_SERIAL not in bad:
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
            elif key in self.first_line_of_serial:
                first = self.first_line_of_serial[key]
                self._add(
                    line,
                    COL_SERIAL,
                    "DUPLICATE_SERIAL",
                    f"serial number {serial} already appears on line {first}",
                    "ERROR",
                )
            else:
                self.first_line_of_serial[key] = line

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


def _validate(
    rows: Iterator[tuple[int, Sequence[object]]],
    result: ParsedUnitList,
    *,
    is_xlsx: bool,
    max_rows: int,
    max_issues: int,
) -> None:
    header = _check_header(*_find_header(rows))
    result.header_line = header.line
    columns = header.columns
    checker = _RowChecker(columns, is_xlsx, max_issues)
    # Column positions resolved once: the data cells in `_DATA_COLUMNS` order come out of a
    # row in one C call whenever the row is wide enough (short rows are padded with None).
    data_idx = tuple(columns[k] for k in _DATA_COLUMNS)
    take_data = itemgetter(*data_idx)
    line_idx = columns.get(COL_LINE)
    width_needed = max(columns.values()) + 1
    data_rows = 0
    first = True
    for line, cells in rows:
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
            if _is_numbering_row(cells):
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


# --- CSV --------------------------------------------------------------------------------------
# Control characters never appear in a text export; their presence means binary content
# (or a text encoding we do not read, e.g. UTF-16 without BOM).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_DELIMITERS = (",", ";", "\t")
_SNIFF_CHARS = 64 * 1024


def _decode_csv(data: bytes, looks_like_xlsx_name: bool) -> str:
    """UTF-8 (with or without BOM) first; else cp1251.

    Why cp1251: Excel on a Russian/Kazakh Windows saves "CSV (comma delimited)" in the ANSI
    code page, which is 1251 in both locales (Kazakh-only letters become "?", which the
    header matcher tolerates). Strict UTF-8 almost never accepts cp1251 Cyrillic, so trying
    it first cannot misread a 1251 file. Not read: UTF-16 ("Unicode text") and other code
    pages; a cp1252 file decodes but its accented letters come out as Cyrillic.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnitListError("ENCODING", "UTF-16 text is not supported: save as CSV UTF-8")
    if b"\x00" in data:
        raise UnitListError(
            "NOT_A_SPREADSHEET", "The file is binary, neither CSV text nor an .xlsx workbook"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1251")
        except UnicodeDecodeError:
            text = ""
        if not text or _CONTROL.search(text):
            if looks_like_xlsx_name:
                raise UnitListError(
                    "NOT_A_SPREADSHEET",
                    "The file is named like an Excel workbook but is not "
                    "one (damaged or another format)",
                ) from None
            raise UnitListError(
                "ENCODING", "The CSV is neither UTF-8 nor Windows-1251 text"
            ) from None
        return text
    if _CONTROL.search(text):
        raise UnitListError("NOT_A_SPREADSHEET", "The file contains binary data, not CSV text")
    return text


def _csv_rows(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """Records numbered as a spreadsheet shows them (a quoted multi-line cell is one row)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 0
    try:
        for line, record in enumerate(reader, start=1):
            yield line, record
    except csv.Error as exc:
        raise UnitListError(
            "NOT_A_SPREADSHEET", f"Malformed CSV at row {line + 1}: {exc}"
        ) from None


def _sniff_delimiter(text: str) -> str:
    """The delimiter under which the header maps the most known columns.

    Header-driven rather than csv.Sniffer: decimal commas ("13,5") and commas inside the
    Russian titles ("марка, модель") fool frequency-based sniffing of ';' files.
    """
    sample = text[:_SNIFF_CHARS]
    if len(text) > _SNIFF_CHARS and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    first_line = next((ln for ln in sample.splitlines() if ln.strip()), "")
    best, best_key = _DELIMITERS[0], (-1, -1)
    for delimiter in _DELIMITERS:
        try:
            header, _ = _find_header(_csv_rows(sample, delimiter))
        except UnitListError:
            continue
        key = (header.score if header else 0, first_line.count(delimiter))
        if key > best_key:
            best, best_key = delimiter, key
    return best


# --- XLSX -------------------------------------------------------------------------------------
_XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE2: legacy .xls or an encrypted .xlsx


def _xlsx_rows(data: bytes, max_bytes: int) -> Iterator[tuple[int, Sequence[object]]]:
    from openpyxl import load_workbook  # heavy import: only when an xlsx arrives

    not_xlsx = UnitListError("NOT_A_SPREADSHEET", "The file is not a readable .xlsx workbook")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except Exception:
        raise not_xlsx from None
    names = {i.filename for i in infos}
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise UnitListError("NOT_A_SPREADSHEET", "The zip archive is not an .xlsx workbook")
    if any(i.flag_bits & 0x1 for i in infos):
        raise UnitListError("NOT_A_SPREADSHEET", "The workbook is encrypted")
    # Zip bomb guard: zipfile enforces the declared sizes, so summing them is a real bound.
    # Shared strings are loaded whole by openpyxl, hence their tighter limit.
    if sum(i.file_size for i in infos) > 16 * max_bytes or any(
        i.filename == "xl/sharedStrings.xml" and i.file_size > 4 * max_bytes for i in infos
    ):
        raise UnitListError("FILE_TOO_LARGE", "The workbook expands to too much data")

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise not_xlsx from None
    try:
        if not workbook.worksheets:
            raise not_xlsx
        sheet = workbook.worksheets[0]
        try:
            yield from _sheet_rows(sheet)
        except UnitListError:
            raise
        except Exception:
            raise not_xlsx from None
    finally:
        workbook.close()


_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW_TAG, _CELL_TAG, _VALUE_TAG = f"{_MAIN_NS}row", f"{_MAIN_NS}c", f"{_MAIN_NS}v"
_INLINE_TAG, _TEXT_TAG, _RUN_TAG = f"{_MAIN_NS}is", f"{_MAIN_NS}t", f"{_MAIN_NS}r"


@lru_cache(maxsize=1024)  # a sheet has few distinct column letters: parse each once
def _column_letters(letters: str) -> int:
    number = 0
    for char in letters:
        if not "A" <= char <= "Z":
            break
        number = number * 26 + ord(char) - 64
    return number


def _column_number(ref: str) -> int:
    """1-based column of a cell reference ("B7" -> 2)."""
    return _column_letters(ref.rstrip("0123456789"))


def _sheet_rows(sheet: object) -> Iterator[tuple[int, Sequence[object]]]:
    """Stream (row number, values) of an openpyxl read-only sheet.

    Why not `sheet.iter_rows(values_only=True)`: openpyxl builds a dict per cell and pads
    missing rows, ~8,500 rows/s here; reading the sheet XML directly is 2-3x faster. The
    workbook, first sheet and shared strings still come from openpyxl (read_only,
    data_only); values follow openpyxl's data_only reading (cached formula results, shared
    and inline strings, int/float, booleans) except that date-formatted numbers stay numbers
    (no unit-list column is a date). Blank rows are not produced at all.
    """
    get_source = getattr(sheet, "_get_source", None)
    shared = getattr(sheet, "_shared_strings", None)
    if get_source is None or shared is None:  # another openpyxl: use its own reader
        sheet.reset_dimensions()  # type: ignore[attr-defined]
        for line, cells in enumerate(sheet.iter_rows(values_only=True), start=1):  # type: ignore[attr-defined]
            if line > _EXCEL_MAX_ROWS:
                raise UnitListError("TOO_MANY_ROWS", "The sheet has more rows than Excel")
            yield line, cells
        return

    with get_source() as source:
        line = 0
        for _, row in ElementTree.iterparse(source, events=("end",)):
            if row.tag != _ROW_TAG:
                continue
            ref = row.get("r")
            line = int(ref) if ref else line + 1
            if line > _EXCEL_MAX_ROWS:
                raise UnitListError("TOO_MANY_ROWS", "The sheet has more rows than Excel")
            cells: list[object] = []
            column = 0
            for cell in row:
                if cell.tag != _CELL_TAG:
                    continue
                ref = cell.get("r")
                column = _column_number(ref) if ref else column + 1
                kind = cell.get("t", "n")
                raw = cell.findtext(_VALUE_TAG)
                value: object
                if kind == "inlineStr":
                    value = _inline_text(cell.find(_INLINE_TAG))
                elif not raw:
                    value = None
                elif kind == "n":
                    value = float(raw) if ("." in raw or "e" in raw or "E" in raw) else int(raw)
                elif kind == "s":
                    value = shared[int(raw)]
                elif kind == "b":
                    value = raw.strip() == "1"
                else:  # "str" (formula text result), "e" (error like #N/A), "d" (ISO date)
                    value = raw
                if column > len(cells) + 1:
                    cells.extend([None] * (column - 1 - len(cells)))
                if column == len(cells) + 1:
                    cells.append(value)
                elif 0 < column <= len(cells):
                    cells[column - 1] = value  # out-of-order cell: last one wins
            row.clear()  # keep memory flat: only the current row lives in the tree
            yield line, cells


def _inline_text(node: ElementTree.Element | None) -> str | None:
    """Text of an <is> inline string: a plain <t>, or the <t> of each rich-text run."""
    if node is None:
        return None
    parts: list[str] = []
    for child in node:
        if child.tag == _TEXT_TAG:
            parts.append(child.text or "")
        elif child.tag == _RUN_TAG:
            parts.append(child.findtext(_TEXT_TAG) or "")
    return "".join(parts)


# --- entry point -----------------------------------------------------------------------------
def parse_unit_list(
    data: bytes,
    filename: str,
    *,
    max_bytes: int = 20 * 1024 * 1024,
    max_rows: int = 200_000,
    max_issues: int = 1000,
) -> ParsedUnitList:
    """Read and validate an App.3 unit list (CSV or XLSX, detected by content).

    Raises only `UnitListError` (file-level); row problems are in `.issues`. At most
    `max_issues` errors are collected (then TOO_MANY_ERRORS ends the scan) and as many
    warnings (the rest are counted in one WARNINGS_TRUNCATED warning).
    """
    if not data or not data.strip():
        raise UnitListError("FILE_EMPTY", "The file is empty")
    if len(data) > max_bytes:
        raise UnitListError("FILE_TOO_LARGE", f"The file is larger than {max_bytes} bytes")
    if data.startswith(_XLS_MAGIC):
        raise UnitListError(
            "NOT_A_SPREADSHEET",
            "Legacy .xls or password-protected workbooks are not supported: save as .xlsx",
        )

    result = ParsedUnitList()
    # openpyxl warns about styles, dates and extensions it skips; none of that concerns us,
    # and under `-W error` a warning would escape as an exception.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows: Iterable[tuple[int, Sequence[object]]]
        if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
            result.source_format = "XLSX"
            rows = _xlsx_rows(data, max_bytes)
            is_xlsx = True
        else:
            result.source_format = "CSV"
            xlsx_name = filename.lower().endswith((".xlsx", ".xlsm", ".xls"))
            text = _decode_csv(data, xlsx_name)
            if not text.strip():
                raise UnitListError("FILE_EMPTY", "The file is empty")
            rows = _csv_rows(text, _sniff_delimiter(text))
            is_xlsx = False
        iterator = iter(rows)
        try:
            _validate(iterator, result, is_xlsx=is_xlsx, max_rows=max_rows, max_issues=max_issues)
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()  # release the workbook when validation stopped early
    return result
