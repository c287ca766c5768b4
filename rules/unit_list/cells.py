"""Cell values of an App.3 unit list: text folding, serial numbers, numbers, TN VED codes,
condition words, and what makes a cell blank or suspicious. Pure: values in, values out."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Literal

from rules.spreadsheet_safety import FORMULA_PREFIXES

Condition = Literal["WORKING", "FAULTY"]

_FORMULA_START = frozenset("".join(FORMULA_PREFIXES))  # cheap pre-check on every cell
# First characters that send a cell to the full check: a possible formula or an Excel error.
_SUSPECT_START = _FORMULA_START | {"#"}
_EXCEL_ERRORS = frozenset(
    {"#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NULL!", "#NUM!", "#SPILL!", "#CALC!"}
)
_MAX_TEXT = 255  # longer text is a paste accident, and the registry columns are bounded


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



# --- blank cells -----------------------------------------------------------------------------
def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _all_blank(values: Iterable[object]) -> bool:
    """`all(_is_blank(v) for v in values)`, without a call per cell (once per data row)."""
    for value in values:
        if value is not None and (not isinstance(value, str) or value.strip()):
            return False
    return True


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


# The cell readers other lists share (the pools' income reports read through this machinery).
as_text = _as_text
as_number = _as_number
