"""`node(id:)` and `nodes(ids:)`: any object by its global id, through the caller's visibility.

"Not found" and "not yours" are both null, so a page asking for several things keeps what it
may see; a malformed id is a top-level INVALID_ID error (the request is wrong, not the data).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated, Any

import strawberry
from strawberry import relay

from rules.errors import DomainError, ErrorCode
from schema.ids import parse_pk

MAX_NODES = 100


def _node_type(info: strawberry.Info, gid: relay.GlobalID, index: int | None) -> type[relay.Node] | None:
    field = "id" if index is None else f"ids[{index}]"
    if parse_pk(gid.node_id) is None:
        raise DomainError(ErrorCode.INVALID_ID, field=field, detail="not a node id")
    try:
        node_type = gid.resolve_type(info)
    except (ValueError, TypeError, AssertionError):
        node_type = None
    if node_type is None or not issubclass(node_type, relay.Node):
        raise DomainError(ErrorCode.INVALID_ID, field=field, detail=f"no node type {gid.type_name[:40]}")
    return node_type


@strawberry.type
class NodeQuery:
    @strawberry.field(description="Any object by its global id; null when it does not exist or the caller may not see it.")
    async def node(
        self, info: strawberry.Info, id: Annotated[relay.GlobalID, strawberry.argument(description="A global id.")]
    ) -> relay.Node | None:
        info.context.user  # noqa: B018 - authenticated callers only
        node_type = _node_type(info, id, None)
        found = await node_type.resolve_nodes(info=info, node_ids=[id.node_id], required=False)  # type: ignore[misc]
        return next(iter(found), None)

    @strawberry.field(description=f"Objects by their global ids, in the order asked (at most {MAX_NODES}); "
                      "null for each one that does not exist or the caller may not see.")
    async def nodes(
        self, info: strawberry.Info, ids: Annotated[list[relay.GlobalID], strawberry.argument(description="Global ids.")]
    ) -> list[relay.Node | None]:
        info.context.user  # noqa: B018
        if len(ids) > MAX_NODES:
            raise DomainError(ErrorCode.VALIDATION, field="ids", detail=f"at most {MAX_NODES}")
        by_type: dict[type[relay.Node], list[int]] = defaultdict(list)
        for index, gid in enumerate(ids):
            by_type[_node_type(info, gid, index)].append(index)  # type: ignore[index]
        out: list[Any] = [None] * len(ids)
        for node_type, positions in by_type.items():
            found = await node_type.resolve_nodes(  # type: ignore[misc]
                info=info, node_ids=[ids[i].node_id for i in positions], required=False
            )
            for position, node in zip(positions, found, strict=True):
                out[position] = node
        return out
