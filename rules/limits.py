"""Limits of input values, declared once and applied where input enters: at the schema
boundary (schema/bounds.py checks every argument and input field of every root field before
a resolver runs) and again by the use cases that store a value (they are also called from
files and jobs).

Every text is storable (no lone surrogate such as "\\ud800", no NUL) and bounded (`TEXT_MAX`,
or its column's length, search terms `SEARCH_MAX`); every decimal is finite and fits its
declared digits and scale (`DecimalBound`, stated in the field's description); every date
and instant lies in `DATE_MIN`..`DATE_MAX`; bounded integers (years) in their `IntRange`. So
no input reaches the database or the calendar as something it cannot store, compare or count
with (an over-long string, `1e1000000`, NaN, year 0, 9999-12-31 plus a term), and every
violation is a typed VALIDATION error with its field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from rules.errors import DomainError, ErrorCode

__all__ = [
    "DATE_MAX",
    "DATE_MIN",
    "MRP_TENGE",
    "PAYMENT_TENGE",
    "PERMITTED_CAPACITY_KW",
    "SEARCH_MAX",
    "SUBSTATION_KV",
    "TEXT_MAX",
    "UNIT_HASHRATE_THS",
    "UNIT_POWER_KW",
    "DecimalBound",
    "IntRange",
    "TextBound",
    "check_day",
    "check_decimal",
    "check_search",
    "check_text",
    "check_unicode",
    "text_problem",
]

SEARCH_MAX = 200  # a name or prefix filter; longer is a paste accident or an attack
TEXT_MAX = 10_000  # any text input without a tighter limit of its own (the longest: a complaint)
# Every Date and DateTime input: the registry's dates (documents, decrees, terms) lie well inside;
# the ends of Python's range (0001-01-01, 9999-12-31) overflow as soon as a term or an offset is
# added, and no database column needs them.
DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2100, 12, 31)


@dataclass(frozen=True)
class TextBound:
    """At most `max_length` characters (a column's length, or a search term's), proper Unicode
    unless `any_code_points` (text that is only looked at, never stored or compared)."""

    max_length: int
    any_code_points: bool = False

    def describe(self) -> str:
        return f"At most {self.max_length:,} characters."


@dataclass(frozen=True)
class IntRange:
    minimum: int
    maximum: int

    def check(self, value: int, field: str) -> int:
        if not self.minimum <= value <= self.maximum:
            raise DomainError(ErrorCode.VALIDATION, field=field, detail=f"{self.minimum}..{self.maximum}")
        return value

    def describe(self) -> str:
        return f"From {self.minimum} to {self.maximum}."


@dataclass(frozen=True)
class DecimalBound:
    """A column's numeric(digits, places): finite, at most `digits - places` digits before the
    point and `places` after, not below `minimum`."""

    digits: int
    places: int
    minimum: Decimal | None = Decimal(0)

    def check(self, value: Decimal | str | int | None, field: str) -> Decimal | None:
        return check_decimal(value, field, digits=self.digits, places=self.places, minimum=self.minimum)

    def describe(self) -> str:
        floor = "" if self.minimum is None else f", not below {self.minimum}"
        return (f"A finite decimal: at most {self.digits - self.places} digits before the point and "
                f"{self.places} after{floor} (NaN, Infinity and exponents beyond that: VALIDATION).")


# The decimal inputs, each with its column (models/): the schema states and checks these, the
# use cases that store them check them again.
SUBSTATION_KV = DecimalBound(8, 2)  # data_center.substation_kv numeric(8, 2)
# data_center.permitted_capacity_mw numeric(10, 3), taken in whole kW (1 kW = 0.001 MW), so no
# input is rounded away
PERMITTED_CAPACITY_KW = DecimalBound(10, 0)
# asic_unit.hashrate_ths numeric(12, 3), power_kw numeric(10, 3); the unit list's row rules own
# the sign (NOT_POSITIVE per line, with every other line's issues)
UNIT_HASHRATE_THS = DecimalBound(12, 3, minimum=None)
UNIT_POWER_KW = DecimalBound(10, 3, minimum=None)
MRP_TENGE = DecimalBound(12, 2, minimum=Decimal("0.01"))  # mrp_rate.tenge numeric(12, 2), positive
PAYMENT_TENGE = DecimalBound(14, 2, minimum=Decimal("0.01"))  # license_application.paid_amount numeric(14, 2)
# income_report_line.quantity numeric(38, 18): a digital asset to 18 places (wei); the rule owns
# the sign (positive)
INCOME_QUANTITY = DecimalBound(38, 18)


def text_problem(value: str) -> str | None:
    """Why `value` is not text a database can store, or None: a lone surrogate such as "\\ud800"
    (not Unicode), or a NUL character (PostgreSQL text cannot hold one)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "not valid Unicode text"
    return "contains a NUL character" if "\x00" in value else None


def check_unicode(value: str, field: str | None) -> str:
    """VALIDATION unless `value` is text a database can store (`text_problem`)."""
    if problem := text_problem(value):
        raise DomainError(ErrorCode.VALIDATION, field=field, detail=problem)
    return value


def check_day(value: date, field: str | None) -> date:
    """VALIDATION unless the day (of a date, or of an instant as written) is in DATE_MIN..DATE_MAX."""
    day = value.date() if isinstance(value, datetime) else value
    if not DATE_MIN <= day <= DATE_MAX:
        raise DomainError(ErrorCode.VALIDATION, field=field, detail=f"a date from {DATE_MIN} to {DATE_MAX}")
    return value


def check_text(value: str, field: str, *, max_length: int, required: bool = True) -> str:
    """The trimmed text; VALIDATION when empty (if required), too long, or not proper text."""
    text = value.strip()
    if required and not text:
        raise DomainError(ErrorCode.VALIDATION, field=field, detail="must not be empty")
    if len(text) > max_length:
        raise DomainError(ErrorCode.VALIDATION, field=field, detail=f"at most {max_length} characters")
    return check_unicode(text, field)


def check_search(value: str | None, field: str) -> str | None:
    if value is None:
        return None
    return check_text(value, field, max_length=SEARCH_MAX, required=False) or None


def check_decimal(
    value: Decimal | str | int | None,
    field: str,
    *,
    digits: int,
    places: int,
    minimum: Decimal | None = Decimal(0),
) -> Decimal | None:
    """A finite decimal with at most `digits` digits of which `places` after the point (the
    column's numeric(digits, places)), not below `minimum`."""
    if value is None:
        return None
    try:
        number = Decimal(value)
    except (InvalidOperation, ValueError, TypeError):
        raise DomainError(ErrorCode.VALIDATION, field=field, detail="not a number") from None
    if not number.is_finite():
        raise DomainError(ErrorCode.VALIDATION, field=field, detail="must be a finite number")
    if minimum is not None and number < minimum:
        raise DomainError(ErrorCode.VALIDATION, field=field, detail=f"at least {minimum}")
    if number and number.adjusted() >= digits - places:
        raise DomainError(ErrorCode.VALIDATION, field=field, detail=f"at most {digits - places} digits before the point")
    _, figures, exponent = number.as_tuple()
    if isinstance(exponent, int) and exponent < 0:
        trailing_zeros = len(figures) - len("".join(map(str, figures)).rstrip("0"))
        if -exponent - min(trailing_zeros, -exponent) > places:  # 1.500 has 1 decimal place
            raise DomainError(ErrorCode.VALIDATION, field=field, detail=f"at most {places} decimal places")
    return number
