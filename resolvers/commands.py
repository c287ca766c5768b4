"""What the schema hands to use cases: typed, frozen command objects, never `dict[str, Any]`.

Each use case defines its command dataclass next to it (e.g. `CreateMiner` in
resolvers/parties.py); this module holds what they share. A patch (update) command marks the
fields the client did not send with `NOT_GIVEN`, so "leave as is" and "set to null" differ.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Final


class _NotGiven:
    _instance: _NotGiven | None = None

    def __new__(cls) -> _NotGiven:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NOT_GIVEN"

    def __bool__(self) -> bool:
        return False


NOT_GIVEN: Final = _NotGiven()


def given_fields(command: Any, *, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """The fields of a patch command that the client sent (NOT_GIVEN ones left out)."""
    return {
        f.name: getattr(command, f.name)
        for f in dataclasses.fields(command)
        if f.name not in exclude and getattr(command, f.name) is not NOT_GIVEN
    }
