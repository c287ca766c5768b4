"""Input paths as clients wrote them: `documents[0].kind` -> ["documents", "0", "kind"], with
snake_case names from Python turned into the schema's camelCase."""

from __future__ import annotations

import re

_SPLIT = re.compile(r"[.\[\]/]+")
_SNAKE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+")


def camel(name: str) -> str:
    """`substation_kv` -> `substationKv`; enum values (`DC_OWNERSHIP`) and camelCase stay."""
    if not _SNAKE.fullmatch(name):
        return name
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def input_path(field: str | None) -> list[str] | None:
    if not field:
        return None
    return [camel(part) for part in _SPLIT.split(field) if part]
