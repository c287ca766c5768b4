"""The authorization matrix, built from the schema itself: the queries (every root field, with every
nested object field reachable from it), the mutations and the references (`ID` input fields) they
take. Used by tests/api/test_authorization_matrix.py; a new field or mutation is picked up here
and fails that test until the matrix knows how to call it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphql import (
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    get_named_type,
)

from schema.schema import build_schema
from settings import Settings

MAX_DEPTH = 9  # under settings.max_query_depth (10)
PAGE = 3  # `first` of every connection in a generated query (keeps the cost under the limit)


def graphql_schema() -> GraphQLSchema:
    return build_schema(Settings(database_url="sqlite://:memory:"))._schema


def required_args(f: GraphQLField) -> list[str]:
    return [n for n, a in f.args.items() if isinstance(a.type, GraphQLNonNull) and a.default_value is None]


@dataclass
class Selection:
    """A generated selection set and the (Type, field) pairs it selects."""

    text: str
    covered: set[tuple[str, str]] = field(default_factory=set)


def select(schema: GraphQLSchema, type_name: str, depth: int = 1, seen: set[str] | None = None,
           alias: frozenset[str] = frozenset()) -> Selection:
    """Every field of `type_name`, and of the object types under it to MAX_DEPTH; each type's
    fields are expanded once per query (`seen`), later fields of that type select its `id` (or
    `__typename`) only, so the field still runs. Fields with required arguments are left out
    (the coverage check names them). Inside a fragment on one of an interface's or union's types,
    the fields whose name the possible types share with different types (`alias`: two types'
    `status` of different enums) are aliased by their type, so that they do not conflict."""
    seen = set() if seen is None else seen
    t = schema.get_type(type_name)
    if isinstance(t, (GraphQLInterfaceType, GraphQLUnionType)):
        parts, covered = ["__typename"], set()
        possibles = schema.get_possible_types(t)
        shapes: dict[str, set[str]] = {}
        for possible in possibles:
            for fname, pf in possible.fields.items():
                shapes.setdefault(fname, set()).add(str(pf.type))
        clashing = frozenset(fname for fname, kinds in shapes.items() if len(kinds) > 1)
        for possible in possibles:
            sub = select(schema, possible.name, depth, seen, alias=clashing)
            parts.append(f"... on {possible.name} {{ {sub.text} }}")
            covered |= sub.covered
        return Selection(" ".join(parts), covered)
    assert isinstance(t, GraphQLObjectType), type_name
    if type_name in seen or depth > MAX_DEPTH:
        return Selection("id" if "id" in t.fields else "__typename")
    seen.add(type_name)
    parts, covered = [], set()
    for name, f in t.fields.items():
        if required_args(f):
            continue
        label = f"{type_name}_{name}: {name}" if name in alias else name
        inner = get_named_type(f.type)
        if isinstance(inner, (GraphQLObjectType, GraphQLInterfaceType, GraphQLUnionType)):
            if depth >= MAX_DEPTH:
                continue
            sub = select(schema, inner.name, depth + 1, seen)
            args = f"(first: {PAGE})" if "first" in f.args else ""
            parts.append(f"{label}{args} {{ {sub.text} }}")
            covered |= sub.covered
        else:
            parts.append(label)
        covered.add((type_name, name))
    return Selection(" ".join(parts) or "__typename", covered)


def object_fields(schema: GraphQLSchema, roots: tuple[str, ...] = ("Query",)) -> set[tuple[str, str]]:
    """Every (Type, field) of the object types reachable from `roots`, roots' own fields excluded."""
    seen: set[str] = set()
    todo = list(roots)
    out: set[tuple[str, str]] = set()
    while todo:
        t = schema.get_type(todo.pop())
        if t is None or t.name in seen:
            continue
        seen.add(t.name)
        if isinstance(t, (GraphQLInterfaceType, GraphQLUnionType)):
            todo += [p.name for p in schema.get_possible_types(t)]
            continue
        if not isinstance(t, GraphQLObjectType):
            continue
        for name, f in t.fields.items():
            if t.name not in roots:
                out.add((t.name, name))
            todo.append(get_named_type(f.type).name)
    return out


def root_query(schema: GraphQLSchema, name: str, args: dict[str, Any]) -> tuple[str, Selection]:
    """`query($a: T, ...) { name(a: $a, ...) { <everything> } }`."""
    f = schema.query_type.fields[name]
    declared = ", ".join(f"${a}: {f.args[a].type}" for a in args)
    passed = ", ".join(f"{a}: ${a}" for a in args)
    inner = get_named_type(f.type)
    composite = isinstance(inner, (GraphQLObjectType, GraphQLInterfaceType, GraphQLUnionType))
    sub = select(schema, inner.name) if composite else None
    body = f"{{ {sub.text} }}" if sub else ""
    if "first" in f.args and "first" not in args:
        passed = ", ".join(p for p in (passed, f"first: {PAGE}") if p)
    call = f"{name}({passed})" if passed else name
    head = f"query({declared})" if declared else "query"
    return f"{head} {{ {call} {body} }}", sub or Selection("")


# --- mutations ------------------------------------------------------------------------------


@dataclass(frozen=True)
class IdField:
    """An `ID` field of a mutation's input: a reference to a record."""

    path: str  # dotted, relative to `input`: `changes.dataCenterId`
    is_list: bool
    required: bool


def id_fields(schema: GraphQLSchema, input_type: str, prefix: str = "") -> list[IdField]:
    """The `ID` fields of an input type, nested ones included."""
    t = schema.get_type(input_type)
    assert isinstance(t, GraphQLInputObjectType)
    out = []
    for name, f in t.fields.items():
        inner = get_named_type(f.type)
        if isinstance(inner, GraphQLInputObjectType):
            out += id_fields(schema, inner.name, f"{prefix}{name}.")
        elif inner.name == "ID":
            required = isinstance(f.type, GraphQLNonNull)
            typ = f.type.of_type if required else f.type
            out.append(IdField(f"{prefix}{name}", isinstance(typ, GraphQLList), required and not prefix))
    return out


def set_path(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of `data` with `path` (dotted) set to `value`."""
    head, _, rest = path.partition(".")
    out = dict(data)
    out[head] = set_path(dict(out.get(head) or {}), rest, value) if rest else value
    return out


def mutation_text(schema: GraphQLSchema, name: str) -> str:
    f = schema.mutation_type.fields[name]
    input_type = get_named_type(f.args["input"].type).name
    payload = get_named_type(f.type)
    assert isinstance(payload, GraphQLObjectType)
    objects = " ".join(
        f"{n} {{ __typename }}" for n, pf in payload.fields.items()
        if n != "errors" and isinstance(get_named_type(pf.type), (GraphQLObjectType, GraphQLInterfaceType))
    )
    scalars = " ".join(
        n for n, pf in payload.fields.items()
        if n != "errors" and not isinstance(get_named_type(pf.type), (GraphQLObjectType, GraphQLInterfaceType, GraphQLUnionType))
    )
    errors = select(schema, get_named_type(payload.fields["errors"].type).name).text  # with their own data
    return f"mutation($i: {input_type}!) {{ {name}(input: $i) {{ {objects} {scalars} errors {{ {errors} }} }} }}"

