"""BIN / IIN: the 12-digit identification numbers of Kazakhstan.

Checksum [outside the seeds]: digits 1-11 times weights 1..11, sum mod 11; when that is 10,
weights 3..11,1,2 and mod 11 again; a second 10 means the number cannot be valid. The result
must equal digit 12. In a BIN (legal entity) the 5th digit is the entity kind: 4, 5 or 6.
"""

from __future__ import annotations

from enum import Enum

_FIRST_WEIGHTS = tuple(range(1, 12))
_SECOND_WEIGHTS = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
_LEGAL_ENTITY_KIND_DIGITS = frozenset("456")


class IdKind(str, Enum):
    IIN = "IIN"  # individual, incl. sole proprietors (IE)
    BIN = "BIN"  # legal entity (LE)


def checksum_digit(first11: str) -> int | None:
    """The control digit for 11 digits, or None when no digit can make the number valid."""
    digits = [int(c) for c in first11]
    for weights in (_FIRST_WEIGHTS, _SECOND_WEIGHTS):
        control = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        if control != 10:
            return control
    return None


class BinIinProblem(str, Enum):
    """Why a number is not a valid BIN/IIN, in the order they are checked."""

    WRONG_LENGTH = "WRONG_LENGTH"
    NOT_DIGITS = "NOT_DIGITS"
    CHECKSUM_MISMATCH = "CHECKSUM_MISMATCH"
    NOT_A_LEGAL_ENTITY = "NOT_A_LEGAL_ENTITY"  # a BIN was expected: the 5th digit is not 4, 5 or 6


_PROBLEM_TEXTS = {
    BinIinProblem.WRONG_LENGTH: "must have exactly 12 digits",
    BinIinProblem.NOT_DIGITS: "must contain digits only",
    BinIinProblem.CHECKSUM_MISMATCH: "checksum does not match",
    BinIinProblem.NOT_A_LEGAL_ENTITY: "5th digit of a BIN must be 4, 5 or 6",
}


def bin_iin_problem_code(value: str, kind: IdKind | None = None) -> BinIinProblem | None:
    """Why `value` is not a valid BIN/IIN (of `kind` when given), or None when it is valid.
    Any string is answered; only its length is looked at when that is wrong."""
    if len(value) != 12:
        return BinIinProblem.WRONG_LENGTH
    if not value.isascii() or not value.isdigit():
        return BinIinProblem.NOT_DIGITS
    if checksum_digit(value[:11]) != int(value[11]):
        return BinIinProblem.CHECKSUM_MISMATCH
    if kind is IdKind.BIN and value[4] not in _LEGAL_ENTITY_KIND_DIGITS:
        return BinIinProblem.NOT_A_LEGAL_ENTITY
    return None


def bin_iin_problem(value: str, kind: IdKind | None = None) -> str | None:
    """Why `value` is not a valid BIN/IIN (of `kind` when given), in English, or None when valid."""
    problem = bin_iin_problem_code(value, kind)
    return None if problem is None else _PROBLEM_TEXTS[problem]


def kind_of(value: str) -> IdKind:
    """Which kind a valid number is: a BIN's 5th digit is its legal-entity kind (4, 5 or 6),
    while an IIN's 5th digit is the tens of a day of birth (0 to 3)."""
    return IdKind.BIN if value[4] in _LEGAL_ENTITY_KIND_DIGITS else IdKind.IIN


def is_valid_bin_iin(value: str, kind: IdKind | None = None) -> bool:
    return bin_iin_problem(value, kind) is None


def make_bin_iin(first11: str) -> str:
    """Complete 11 digits with their control digit (for factories and demo data)."""
    control = checksum_digit(first11)
    if control is None:
        raise ValueError(f"{first11!r} has no valid control digit")
    return first11 + str(control)
