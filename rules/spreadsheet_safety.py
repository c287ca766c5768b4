"""Spreadsheet (CSV/XLSX) safety: one definition for imports and exports.

- Formula injection: a cell whose text starts with `=`, `+`, `-`, `@`, tab or carriage return
  is run as a formula by Excel / LibreOffice when the file is opened (OWASP "CSV Injection").
  Exports neutralise such text with a leading apostrophe; imports (rules/unit_list/) refuse it,
  so hostile text never reaches the registry in the first place.
- Hidden characters: bidi controls (U+202A-202E, U+2066-2069, U+200E/F) make text read
  differently from what is stored ("Trojan Source": a serial shown as `SN-123` that is stored
  as `SN-321`), zero-width characters (U+200B-200D, U+2060, U+FEFF) make two serials that look
  the same differ. Imports refuse text with any of them (`hidden_character`).
- Active content: a workbook with macros (`xl/vbaProject.bin`, an .xlsm) or with links to
  other workbooks (`xl/externalLinks/`) is refused whole (`active_content`): the registry
  reads values, and such a file is either not what the form asks for or an attack on whoever
  opens it after us.
"""

from __future__ import annotations

import re
from typing import TypeVar

# OWASP's list, plus the full-width forms that some East-Asian Excel builds also accept.
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")

# A plain number ("-5", "+3.5", "-13,5", "1e-3") is harmless even with a leading sign: Excel
# reads it as a number, not as an expression. No spaces: "+7 701 1234567" would be evaluated
# with the space (intersection) operator, so it is not "plain".
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")

T = TypeVar("T")

# Bidi controls: LRE, RLE, PDF, LRO, RLO; LRI, RLI, FSI, PDI; LRM, RLM. Zero-width: ZWSP, ZWNJ,
# ZWJ, WORD JOINER, and ZERO WIDTH NO-BREAK SPACE (a BOM inside text).
HIDDEN_CHARACTERS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"
    "\u200b\u200c\u200d\u2060\ufeff"
)
_HIDDEN = re.compile("[" + "".join(sorted(HIDDEN_CHARACTERS)) + "]")

# Workbook parts that are active content rather than values (compared in lower case).
_MACRO_PART = "vbaproject"  # xl/vbaProject.bin, and its signature parts
_EXTERNAL_LINKS_DIR = "xl/externallinks/"


def hidden_character(text: str) -> str | None:
    """The first bidi-control or zero-width character in `text` as `U+XXXX`, or None."""
    found = _HIDDEN.search(text)
    return None if found is None else f"U+{ord(found.group()):04X}"


def active_content(part_names: list[str]) -> str | None:
    """What active content a workbook holds, by its zip part names: "MACROS", "EXTERNAL_LINKS"
    or None."""
    lowered = [name.lower() for name in part_names]
    if any(_MACRO_PART in name.rsplit("/", 1)[-1] for name in lowered):
        return "MACROS"
    if any(name.startswith(_EXTERNAL_LINKS_DIR) for name in lowered):
        return "EXTERNAL_LINKS"
    return None


def is_plain_number(text: str) -> bool:
    """True when `text` is a bare (optionally signed) decimal number, dot or comma separator."""
    return _PLAIN_NUMBER.fullmatch(text) is not None


def looks_like_formula(text: str) -> bool:
    """True when a spreadsheet could evaluate `text` as a formula."""
    return text.startswith(FORMULA_PREFIXES) and not is_plain_number(text)


def neutralize_cell(value: T) -> T | str:
    """The value to write into an exported CSV/XLSX cell.

    Text that a spreadsheet would evaluate gets a leading `'` (Excel shows the text verbatim
    and hides the apostrophe); numbers, dates, None and harmless text come back unchanged.
    """
    if isinstance(value, str) and looks_like_formula(value):
        return "'" + value
    return value
