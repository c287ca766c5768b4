"""Spreadsheet (CSV/XLSX) formula-injection guard: one definition for imports and exports.

A cell whose text starts with `=`, `+`, `-`, `@`, tab or carriage return is run as a formula
by Excel / LibreOffice when the file is opened (OWASP "CSV Injection"). Exports neutralise
such text with a leading apostrophe; imports (rules/unit_list.py) refuse it, so hostile text
never reaches the registry in the first place.
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
