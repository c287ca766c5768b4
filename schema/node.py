"""`node(id:)`: fetch any object by its global id, through the same visibility rules."""

from __future__ import annotations

import strawberry
from strawberry.types import Info
from tortoise.models import Model

from models.parties import DataCenter, Miner, Pool
from resolvers.scope import get_visible
from rules.errors import DomainError, ErrorCode
from schema.context import Context
from schema.ids import from_global_id
from schema.relay import Node

# type name -> model; procedures add theirs with register_node().
NODE_MODELS: dict[str, type[Model]] = {"Miner": Miner, "DataCenter": DataCenter, "Pool": Pool}


def register_node(type_name: str, model: type[Model]) -> None:
    NODE_MODELS[type_name] = model


@strawberry.type
class NodeQuery:
    @strawberry.field
    async def node(self, info: Info[Context, None], id: strawberry.ID) -> Node:
        type_name, pk = from_global_id(id)
        model = NODE_MODELS.get(type_name)
        if model is None:
            raise DomainError(ErrorCode.INVALID_ID, detail=f"no node type {type_name}")
        return await get_visible(model, info.context.user, pk, type_name)  # type: ignore[return-value]
