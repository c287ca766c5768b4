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


# -- objects, lists, resolvers, arguments and errors: the plan-driven executor against the full path --


@strawberry.interface
class Named:
    label: str


@strawberry.type
class Leaf(Named):
    label: str
    tags: list[str | None]
    strict_tags: list[str]
    colours: list[Colour]


@strawberry.type
class Other(Named):
    label: str


@strawberry.type
class Branch:
    title: str
    leaf: Leaf
    maybe_leaf: Leaf | None
    leaves: list[Leaf]
    sparse: list[Leaf | None]
    strict: list[Leaf]

    @strawberry.field
    def computed(self, times: int = 1) -> Leaf:
        return Leaf(label=self.title * times, tags=[], strict_tags=[], colours=[Colour.GREEN])

    @strawberry.field
    async def later(self) -> Leaf | None:
        return self.leaf

    @strawberry.field
    def wrong(self) -> Leaf:
        return BRANCHES[0]  # type: ignore[return-value]  # not a Leaf: graphql-core's type check refuses it

    @strawberry.field
    def raises(self) -> Leaf | None:
        raise ValueError("broken resolver")

    @strawberry.field
    async def raises_later(self) -> list[Leaf]:
        raise ValueError("broken async resolver")

    @strawberry.field
    def named(self) -> Named:
        return self.leaf


def _leaf(label: str, **kw: object) -> Leaf:
    return Leaf(**{"label": label, "tags": ["a", None], "strict_tags": ["x"], "colours": [Colour.RED], **kw})  # type: ignore[arg-type]


BRANCHES = [
    Branch(title="one", leaf=_leaf("l1"), maybe_leaf=None, leaves=[_leaf("l2"), _leaf("l3")],
           sparse=[_leaf("l4"), None], strict=[_leaf("l5")]),
    Branch(title="two", leaf=None, maybe_leaf=_leaf("m"), leaves=[], sparse=[None],  # type: ignore[arg-type]
           strict=[_leaf("s1"), None, _leaf("s2")]),  # type: ignore[list-item]
    Branch(title="three", leaf=_leaf("l6", strict_tags=["ok", None]), maybe_leaf=None, leaves=[_leaf("l7")],  # type: ignore[list-item]
           sparse=[], strict=[]),
]


@strawberry.type
class TreeQuery:
    @strawberry.field
    def branches(self) -> list[Branch | None]:  # an error nulls one branch, the others stay to compare
        return BRANCHES

    @strawberry.field
    async def async_branches(self) -> list[Branch]:
        return BRANCHES[:1]

    @strawberry.field
    def branch(self, index: int) -> Branch | None:
        return BRANCHES[index] if 0 <= index < len(BRANCHES) else None


TREE_QUERIES = [
    ("{ branches { title leaf { label tags colours } maybeLeaf { label } } }", None),
    ("{ branches { leaves { label __typename } sparse { label } } }", None),
    ("{ branches { strict { label strictTags } } }", None),
    ("{ branches { title leaf { strictTags } } }", None),
    ("{ branches { computed { label } c3: computed(times: 3) { label colours } } }", None),
    ("query($n: Int!) { branches { computed(times: $n) { label } } }", {"n": 2}),
    ("query($i: Int!) { branch(index: $i) { title later { label } } }", {"i": 0}),
    ("query($i: Int!) { branch(index: $i) { title later { label } } }", {"i": 7}),
    ("{ branches { title wrong { label } } }", None),
    ("{ branches { title raises { label } } }", None),
    ("{ branches { title raisesLater { label } } }", None),
    ("{ asyncBranches { later { label tags } leaves { label } } }", None),
    ("{ branches { named { label ... on Leaf { tags } } } }", None),
    ("fragment L on Leaf { label colours } { branches { leaf { ...L } leaves { ...L } } }", None),
    ("{ branches { leaf @include(if: false) { label } title @skip(if: true) maybeLeaf { label } } }", None),
    ("{ branches { a: leaf { label } b: leaf { tags } } }", None),
]


@pytest.mark.parametrize(("query", "variables"), TREE_QUERIES)
async def test_plans_give_the_same_data_and_errors_as_graphql_core(query, variables):
    full = strawberry.Schema(query=TreeQuery, types=[Other])
    fast = strawberry.Schema(query=TreeQuery, types=[Other], execution_context_class=FastLeafExecutionContext)
    a = await full.execute(query, variable_values=variables)
    b = await fast.execute(query, variable_values=variables)
    assert a.data == b.data
    assert sorted((e.message, tuple(e.path or ())) for e in a.errors or []) == sorted(
        (e.message, tuple(e.path or ())) for e in b.errors or []
    )
    if query.startswith("{ branches { strict"):
        assert a.errors, "the case must exercise a null in a non-null list item"


# -- plans shared by the requests of one parsed operation ------------------------------------------

SHARED_QUERIES = [
    # (query, the variables of each request in turn)
    ("query($n: Int!) { branches { title computed(times: $n) { label } } }", [{"n": 1}, {"n": 3}, {"n": "x"}, {"n": 2}]),
    ("query($i: Int!) { branch(index: $i) { title leaf { label } later { label } } }", [{"i": 0}, {"i": 2}, {"i": 9}]),
    ("query($y: Boolean!) { branches { title leaf @include(if: $y) { label } } }", [{"y": True}, {"y": False}, {"y": True}]),
    ("query($y: Boolean!) { branches { ...F @include(if: $y) leaf { label } } } fragment F on Branch { title }",
     [{"y": False}, {"y": True}]),
    ("{ branches { title raises { label } leaves { label } } }", [None, None]),
]


@pytest.mark.parametrize(("query", "runs"), SHARED_QUERIES)
async def test_a_parsed_operation_answers_each_request_by_its_own_variables(query, runs):
    """The app parses a query text once (schema/pipeline.py): the plans made by its first request
    serve the next ones, which must still answer by their own variables, @include/@skip included."""
    from graphql import execute, parse

    full = strawberry.Schema(query=TreeQuery, types=[Other])
    fast = strawberry.Schema(query=TreeQuery, types=[Other], execution_context_class=FastLeafExecutionContext)
    document = parse(query)
    for variables in runs:
        a = await full.execute(query, variable_values=variables)
        b = execute(fast._schema, document, variable_values=variables, executor_class=FastLeafExecutionContext)
        b = await b if hasattr(b, "__await__") else b
        assert a.data == b.data, variables
        assert sorted((e.message, tuple(e.path or ())) for e in a.errors or []) == sorted(
            (e.message, tuple(e.path or ())) for e in b.errors or []
        ), variables


@pytest.mark.parametrize("root", ["branches", "asyncBranches"])
async def test_the_first_request_of_an_operation_makes_the_plans_the_next_ones_use(root):
    """Below a synchronous field and below an awaited one (a page of rows is read with an await)."""
    from graphql import execute, parse

    from schema import execution

    fast = strawberry.Schema(query=TreeQuery, types=[Other], execution_context_class=FastLeafExecutionContext)
    document = parse(f"{{ {root} {{ title leaves {{ label }} }} }}")
    made = []
    original = FastLeafExecutionContext._make_plan

    def counting(self, parent_type, grouped_field_set):
        made.append(parent_type.name)
        return original(self, parent_type, grouped_field_set)

    FastLeafExecutionContext._make_plan = counting
    try:
        first = execute(fast._schema, document, executor_class=FastLeafExecutionContext)
        first = await first if hasattr(first, "__await__") else first
        after_first = list(made)
        second = execute(fast._schema, document, executor_class=FastLeafExecutionContext)
        second = await second if hasattr(second, "__await__") else second
    finally:
        FastLeafExecutionContext._make_plan = original
    assert first.data == second.data and first.errors is None
    assert after_first == ["TreeQuery", "Branch", "Leaf"]
    assert made == after_first, "the second request made plans again"
    assert (id(fast._schema), id(document.definitions[0])) in execution._SHARED
    other = strawberry.Schema(query=TreeQuery, types=[Other], execution_context_class=FastLeafExecutionContext)
    third = execute(other._schema, document, executor_class=FastLeafExecutionContext)
    third = await third if hasattr(third, "__await__") else third
    assert third.data == first.data
    assert (id(other._schema), id(document.definitions[0])) in execution._SHARED, "another schema has its own plans"
