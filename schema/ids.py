"""Global ids (strawberry.relay's `GlobalID`: base64 of "TypeName:pk") turned into primary keys.

A malformed id, an id of another type where one type is expected, or a key no row could have
(Unicode digits, 10^20) is INVALID_ID with the input path; an id that is well formed but names
no row the caller may see is the use case's NOT_FOUND (or null for lookups).
"""

from __future__ import annotations

from collections.abc import Iterable

from strawberry import relay

from rules.errors import DomainError, ErrorCode

__all__ = ["MAX_PK", "pk_of", "pks_of", "to_global_id"]

MAX_PK = 2**31 - 1  # the integer primary keys (BigInt keys never reach this in practice either)
_MAX_DIGITS = 10


def parse_pk(raw: str) -> int | None:
    """The key in an id's node part, or None when no row could have it."""
    if not (raw.isascii() and raw.isdigit()) or len(raw) > _MAX_DIGITS:
        return None
    value = int(raw)
    return value if 0 < value <= MAX_PK else None


def pk_of(value: relay.GlobalID | str, expected: str | Iterable[str], field: str | None = None) -> int:
    """The primary key of a global id of the `expected` type(s)."""
    kinds = {expected} if isinstance(expected, str) else set(expected)
    try:
        gid = value if isinstance(value, relay.GlobalID) else relay.GlobalID.from_id(value)
    except (relay.GlobalIDValueError, ValueError, TypeError):
        gid = None
    pk = parse_pk(gid.node_id) if gid is not None and gid.type_name in kinds else None
    if pk is None:
        raise DomainError(
            ErrorCode.INVALID_ID, field=field, detail=f"expected a {' or '.join(sorted(kinds))} id"
        )
    return pk


def typed_pk(value: relay.GlobalID | str, expected: Iterable[str], field: str | None = None) -> tuple[str, int]:
    """(type name, pk) of an id that may be one of several types."""
    pk = pk_of(value, expected, field)
    gid = value if isinstance(value, relay.GlobalID) else relay.GlobalID.from_id(value)
    return gid.type_name, pk


def pks_of(values: Iterable[relay.GlobalID | str], expected: str, field: str) -> list[int]:
    return [pk_of(v, expected, f"{field}[{i}]") for i, v in enumerate(values)]


def to_global_id(type_name: str, pk: int) -> relay.GlobalID:
    return relay.GlobalID(type_name=type_name, node_id=str(pk))
