"""Global object ids (`node(id:)`) and pagination cursors: opaque base64 strings."""

from __future__ import annotations

import base64
import binascii

from rules.errors import DomainError, ErrorCode


def _encode(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode(value: str) -> str:
    try:
        padded = value + "=" * (-len(value) % 4)
        return base64.urlsafe_b64decode(padded.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise DomainError(ErrorCode.INVALID_ID, detail="not a valid id") from exc


def to_global_id(type_name: str, pk: int) -> str:
    return _encode(f"{type_name}:{pk}")


def from_global_id(value: str, expected: str | None = None) -> tuple[str, int]:
    type_name, _, raw = _decode(value).partition(":")
    if not raw.isdigit() or (expected is not None and type_name != expected):
        raise DomainError(ErrorCode.INVALID_ID, detail=f"expected a {expected or 'node'} id")
    return type_name, int(raw)


def pk_of(value: str, expected: str) -> int:
    return from_global_id(value, expected)[1]


def to_cursor(pk: int) -> str:
    return _encode(f"cursor:{pk}")


def from_cursor(value: str | None) -> int | None:
    if value is None:
        return None
    kind, _, raw = _decode(value).partition(":")
    if kind != "cursor" or not raw.isdigit():
        raise DomainError(ErrorCode.INVALID_ID, detail="not a cursor")
    return int(raw)
