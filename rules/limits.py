"""Limits of input values, declared once and applied where input enters the use cases.

Every text is bounded (its column's length; search terms shorter still), every decimal is
finite and fits its column's digits and scale, so no input reaches the database as something
it cannot store or compare (an over-long string, `1e1000000`, NaN) and every violation is a
typed VALIDATION error with its field.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from rules.errors import DomainError, ErrorCode

__all__ = ["SEARCH_MAX", "check_decimal", "check_search", "check_text"]

SEARCH_MAX = 200  # a name or prefix filter; longer is a paste accident or an attack


def check_text(value: str, field: str, *, max_length: int, required: bool = True) -> str:
    """The trimmed text; VALIDATION when empty (if required), too long, or not proper text."""
    text = value.strip()
    if required and not text:
        raise DomainError(ErrorCode.VALIDATION, field=field, detail="must not be empty")
    if len(text) > max_length:
        raise DomainError(ErrorCode.VALIDATION, field=field, detail=f"at most {max_length} characters")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate such as "\ud800"
        raise DomainError(ErrorCode.VALIDATION, field=field, detail="not valid Unicode text") from None
    return text


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
