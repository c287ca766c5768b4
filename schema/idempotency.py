"""`clientMutationId` on create and file mutations: the same id with the same input returns the
first result and writes nothing; with another input it is a CONFLICT (resolvers/idempotency.py).

The canonical input is every field the client sent (ids, enums, decimals and dates as text,
an uploaded file by its name and size), so two requests that differ in anything differ here.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import strawberry
from strawberry import relay
from strawberry.extensions import FieldExtension
from strawberry.types.field import StrawberryField

from resolvers.idempotency import digest, once
from rules.errors import DomainError, ErrorCode

CLIENT_MUTATION_ID = "client_mutation_id"


def _canonical(value: Any) -> Any:
    if value is strawberry.UNSET or value is None:
        return None
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _canonical(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.name != CLIENT_MUTATION_ID and getattr(value, f.name) is not strawberry.UNSET
        }
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, relay.GlobalID):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal | date | datetime):
        return str(value)
    if isinstance(value, str | int | float | bool):
        return value
    # An upload: its name and size (the bytes are read by the use case).
    return {"file": str(getattr(value, "filename", "")), "size": getattr(value, "size", None)}


def client_mutation_id() -> Any:
    """The optional `clientMutationId` field of a create or file mutation's input."""
    return strawberry.field(
        default=None,
        description="Optional key of this request, up to 100 characters, unique per user: sending the same "
        "input with it again returns the first result and writes nothing; another input with it is a CONFLICT.",
    )


class Idempotent(FieldExtension):
    payload_cls: type
    result_field: str
    result_view: Any

    def apply(self, field: StrawberryField) -> None:
        self.payload_cls = field.type  # type: ignore[assignment]
        definition = self.payload_cls.__strawberry_definition__  # type: ignore[attr-defined]
        first = next(f for f in definition.fields if f.python_name != "errors")
        self.result_field = first.python_name
        view = first.type
        self.result_view = getattr(view, "of_type", view)

    def resolve(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("idempotent mutations are async")

    async def resolve_async(self, next_: Callable[..., Any], source: Any, info: strawberry.Info, **kwargs: Any) -> Any:
        input_obj = kwargs.get("input")
        key = getattr(input_obj, CLIENT_MUTATION_ID, None)
        if not key:
            return await next_(source, info, **kwargs)
        canonical = json.dumps(_canonical(input_obj), sort_keys=True, ensure_ascii=False)
        try:
            result, replay = await once(
                info.context.user,
                key,
                info.field_name,
                digest(canonical),
                lambda: self._run(next_, source, info, kwargs),
                self._result_of,
            )
        except _Refused as refused:
            return refused.payload
        if replay is None:
            return result
        found = None
        if replay.result_id is not None:
            nodes = await self.result_view.resolve_nodes(info=info, node_ids=[str(replay.result_id)], required=False)
            found = next(iter(nodes), None)
        return self.payload_cls(**{self.result_field: found})

    async def _run(self, next_: Callable[..., Any], source: Any, info: strawberry.Info, kwargs: dict[str, Any]) -> Any:
        payload = await next_(source, info, **kwargs)
        if payload.errors:  # roll the key back with the rest: the client may retry it
            raise _Refused(payload)
        return payload

    def _result_of(self, payload: Any) -> tuple[str, int | None]:
        view = getattr(payload, self.result_field, None)
        return (type(view).__name__, getattr(view, "id", None)) if view is not None else ("", None)


class _Refused(DomainError):
    """A payload with errors inside the idempotent transaction: undo it all, keep the payload."""

    def __init__(self, payload: Any) -> None:
        super().__init__(ErrorCode.CONFLICT, detail="refused")
        self.payload = payload
