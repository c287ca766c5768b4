"""The header row of an App.3 unit list: which column is which, in kk, ru or en (002 App.3 /
000 3-қосымша titles, English equivalents, cp1251-damaged Kazakh), and where the header is."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import Enum

from rules.unit_list.cells import _fold, _is_blank
from rules.unit_list.results import UnitListError

# --- canonical column keys (also the `RowIssue.column` values) ---------------------------
COL_LINE = "line"
COL_MODEL = "model"
COL_SERIAL = "serial"
COL_TNVED = "tnved_code"
COL_HASHRATE = "hashrate_ths"
COL_POWER = "power_kw"
COL_CUSTOMS = "customs_declaration"
COL_CONDITION = "condition"
# The official form's two tick columns under "Состояние" / "жай-күйі" (002 App.3, 000 3-қосымша):
# "исправное" / "неисправное", "жарамды" / "жарамсыз"; a mark in one of them is the condition.
COL_WORKING_MARK = "condition_working"
COL_FAULTY_MARK = "condition_faulty"
TICK_COLUMNS: tuple[str, str] = (COL_WORKING_MARK, COL_FAULTY_MARK)

REQUIRED_COLUMNS: tuple[str, ...] = (
    COL_MODEL,
    COL_SERIAL,
    COL_TNVED,
    COL_HASHRATE,
    COL_POWER,
    COL_CUSTOMS,
    COL_CONDITION,
)
# The columns that carry a unit's data, in this order: what `validate_lines` reads from each
# line given as data, and what a reader's row gives the row checker. The line-number column is
# optional and carries no data.
DATA_COLUMNS: tuple[str, ...] = REQUIRED_COLUMNS
_DATA_COLUMNS = DATA_COLUMNS  # the name the row checker's fast path was written against


class UnitListColumn(str, Enum):
    """A column of the App.3 list, by its canonical key (the `RowIssue.column` values)."""

    LINE = COL_LINE
    MODEL = COL_MODEL
    SERIAL = COL_SERIAL
    TNVED_CODE = COL_TNVED
    HASHRATE_THS = COL_HASHRATE
    POWER_KW = COL_POWER
    CUSTOMS_DECLARATION = COL_CUSTOMS
    CONDITION = COL_CONDITION
    CONDITION_WORKING_MARK = COL_WORKING_MARK
    CONDITION_FAULTY_MARK = COL_FAULTY_MARK

    @classmethod
    def of(cls, key: str) -> UnitListColumn | None:
        """The column of an issue's key; None for a file- or list-wide issue ("", "file")."""
        try:
            return cls(key)
        except ValueError:
            return None

_HEADER_SEARCH_ROWS = 10  # non-blank rows scanned for the header (form titles come first)
_MIN_HEADER_SCORE = 3  # known columns a row needs to be taken as the header


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
    # The tick columns are recognised by their exact titles only, so "Состояние (исправное /
    # неисправное)" stays one condition column.
    (COL_FAULTY_MARK, ("неисправное", "неисправный", "неисправно", "жарамсыз", "faulty"), ()),
    (COL_WORKING_MARK, ("исправное", "исправный", "исправно", "жарамды", "working"), ()),
    (COL_MODEL, (), ("модел", "model", "марка", "brand", "наименован", "атауы")),
    (
        COL_LINE,
        ("No", "№", "N", "Nr", "#", "№ п/п", "п/п", "Номер", "Line", "Row", "Line no"),
        ("порядков", "реттік", "line number", "row number"),
    ),
)
HeaderRules = tuple[tuple[str, frozenset[str], tuple[str, ...]], ...]


def header_rules(raw: Sequence[tuple[str, Sequence[str], Sequence[str]]]) -> HeaderRules:
    """(key, exact titles, keywords) folded once: the table `column_for_header` reads. Other
    lists read through the same machinery (the pools' income reports) build their own."""
    return tuple(
        (key, frozenset(_fold(t) for t in exact), tuple(_fold(k) for k in keywords)) for key, exact, keywords in raw
    )


_HEADER_RULES = header_rules(_HEADER_RULES_RAW)
# A list of serial numbers only (the serials seen on site, 003): the App.3 serial column's titles.
SERIAL_RULES = header_rules([r for r in _HEADER_RULES_RAW if r[0] == COL_SERIAL])


def _contains(text: str, needle: str) -> bool:
    """`needle in text`, where a `?` in `text` matches any one character."""
    if "?" not in text:
        return needle in text
    n = len(needle)
    for start in range(len(text) - n + 1):
        if all(t == c or t == "?" for t, c in zip(text[start : start + n], needle, strict=True)):
            return True
    return False


def column_for_header(title: object, rules: HeaderRules = _HEADER_RULES) -> str | None:
    """The canonical key for a header cell in kk/ru/en, or None when it is not ours."""
    if title is None:
        return None
    text = _fold(str(title))
    if not text or set(text) == {"?"}:
        return None
    for key, exact, _ in rules:
        if text in exact:
            return key
    for key, _, keywords in rules:
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


def _map_header(line: int, cells: Sequence[object], rules: HeaderRules = _HEADER_RULES) -> _Header:
    columns: dict[str, int] = {}
    duplicates: dict[str, list[int]] = {}
    for idx, cell in enumerate(cells):
        key = column_for_header(cell, rules)
        if key is None:
            continue
        if key in columns:
            duplicates.setdefault(key, [columns[key]]).append(idx)
        else:
            columns[key] = idx
    return _Header(line, columns, duplicates)



def find_header(
    rows: Iterator[tuple[int, Sequence[object]]], rules: HeaderRules = _HEADER_RULES, min_score: int = _MIN_HEADER_SCORE
) -> tuple[_Header | None, bool]:
    """Consume rows up to the header (the first row naming `min_score` known columns of
    `rules`, by default the App.3 list's). Returns (best candidate, found)."""
    best: _Header | None = None
    seen = 0
    for line, cells in rows:
        if all(_is_blank(c) for c in cells):
            continue
        header = _map_header(line, cells, rules)
        if header.score >= min_score:
            return header, True
        if best is None or header.score > best.score:
            best = header
        seen += 1
        if seen >= _HEADER_SEARCH_ROWS:
            break
    return best, False


def is_subheader(cells: Sequence[object]) -> dict[str, int] | None:
    """The second row of the official form's two-row header (002 App.3, 000 3-қосымша): hashrate
    and power under "Технические сведения", the two condition ticks under "Состояние". Its
    columns when every non-blank cell of ``cells`` is one of those titles; None otherwise."""
    found: dict[str, int] = {}
    for idx, cell in enumerate(cells):
        if _is_blank(cell):
            continue
        key = column_for_header(cell)
        if key not in (COL_HASHRATE, COL_POWER, *TICK_COLUMNS) or key in found:
            return None
        found[key] = idx
    return found or None


def merge_subheader(header: _Header, sub: dict[str, int]) -> _Header:
    """The header with the columns of its second row added: a cell of the second row names its
    column, the group title above it (if any) does not."""
    columns = {k: i for k, i in header.columns.items() if i not in sub.values()}
    columns.update(sub)
    return _Header(header.line, columns, header.duplicates)


def _check_header(header: _Header | None, found: bool, *, tnved_given: bool = False) -> _Header:
    """The header's columns, or the file-level error. With the form's two tick columns the
    condition is read from them (a single condition column beside them is ignored); without a
    TN VED column the code comes from the application (002 App.2 item 7) when ``tnved_given``."""
    if header is None:
        raise UnitListError("FILE_EMPTY", "The file has no rows")
    columns = header.columns
    if all(k in columns for k in TICK_COLUMNS):
        columns.pop(COL_CONDITION, None)
    optional = {COL_TNVED} if tnved_given else set()
    if all(k in columns for k in TICK_COLUMNS):
        optional.add(COL_CONDITION)
    missing = tuple(k for k in REQUIRED_COLUMNS if k not in columns and k not in optional)
    if not found or missing:
        missing = missing or REQUIRED_COLUMNS
        hint = ""
        if COL_TNVED in missing:
            hint = " (the official form has no TN VED column: give the code in the application, App.2 item 7)"
        raise UnitListError(
            "MISSING_COLUMNS",
            "Columns not found in the header row: " + ", ".join(missing) + hint,
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

