"""Domain errors: a stable machine-readable code plus parameters for the human message.

Resolvers and rules raise `DomainError`; the GraphQL layer turns it into an error with
`extensions.code` and a message in the caller's language (see rules/messages.py). Codes are
part of the API contract: add new ones, never rename.
"""

from __future__ import annotations

from enum import Enum
from typing import Any


class ErrorCode(str, Enum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    CONFLICT = "CONFLICT"
    VALIDATION = "VALIDATION"
    INVALID_BIN = "INVALID_BIN"
    INVALID_ID = "INVALID_ID"
    ILLEGAL_TRANSITION = "ILLEGAL_TRANSITION"
    INTERNAL = "INTERNAL"


class DomainError(Exception):
    def __init__(
        self,
        code: ErrorCode | str,
        *,
        field: str | None = None,
        detail: str | None = None,
        **params: Any,
    ) -> None:
        self.code = code.value if isinstance(code, ErrorCode) else code
        self.field = field
        self.detail = detail  # untranslated specifics (e.g. which rule failed), always English
        self.params = params
        super().__init__(f"{self.code}: {detail or params}")


def require(condition: bool, code: ErrorCode | str, **kwargs: Any) -> None:
    if not condition:
        raise DomainError(code, **kwargs)
