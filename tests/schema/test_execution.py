"""The executor's fast path for plain leaf fields answers exactly as graphql-core's full path."""

import enum
from datetime import date

import pytest
import strawberry

from schema.execution import FastLeafExecutionContext


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    GREEN = "green"


@strawberry.type
class Item:
    name: str
    colour: Colour
    born: date
    note: str | None
    broken: str  # set to None below: a null in a non-null field must still be an error
    wrong_type: int

    @strawberry.field
    def shout(self) -> str:
        return self.name.upper()


ITEMS = [
    Item(name="a", colour=Colour.RED, born=date(2025, 3, 26), note=None, broken="ok", wrong_type=1),
    Item(name="b", colour=Colour.GREEN, born=date(2024, 1, 1), note="n", broken=None, wrong_type="x"),  # type: ignore[arg-type]
]


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> list[Item]:
        return ITEMS


QUERIES = [
    "{ items { name colour born note shout } }",
    "{ items { name broken } }",
    "{ items { wrongType } }",
    "{ items { __typename name @skip(if: true) colour @include(if: false) note } }",
    "{ items { n1: name n2: name } }",
]


@pytest.mark.parametrize("query", QUERIES)
def test_fast_path_gives_the_same_response_as_the_full_path(query):
    full = strawberry.Schema(query=Query)
    fast = strawberry.Schema(query=Query, execution_context_class=FastLeafExecutionContext)
    a, b = full.execute_sync(query), fast.execute_sync(query)
    assert a.data == b.data
    assert [(e.message, e.path) for e in a.errors or []] == [(e.message, e.path) for e in b.errors or []]


@strawberry.type
class Thing(strawberry.relay.Node):
    id: strawberry.relay.NodeID[int]
    name: str

    @classmethod
    def resolve_nodes(cls, *, info, node_ids, required=False):
        return [Thing(id=int(i), name=f"t{i}") for i in node_ids]


@strawberry.type
class NodeQuery:
    @strawberry.field
    def things(self) -> list[Thing]:
        return [Thing(id=7, name="seven"), Thing(id=42, name="answer")]

    @strawberry.field
    def some_node(self) -> strawberry.relay.Node:
        return Thing(id=42, name="answer")


@pytest.mark.parametrize("query", ["{ things { id name } }", "{ someNode { id __typename ... on Thing { name } } }"])
def test_node_ids_from_the_fast_path_are_relays_own(query):
    full = strawberry.Schema(query=NodeQuery)
    fast = strawberry.Schema(query=NodeQuery, execution_context_class=FastLeafExecutionContext)
    a, b = full.execute_sync(query), fast.execute_sync(query)
    assert a.errors is None and a.data == b.data
