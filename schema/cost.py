"""Query cost: how many objects a query may ask for, counting nested page sizes.

Depth and alias limits do not stop `applications(first: 100) { ... units(first: 100) { ... } }`:
each level multiplies. The cost of a field is 1 times the product of the page sizes (`first` or
`last`, default 20) of the connections above it; a query whose total exceeds the limit is
refused before it runs, as a top-level QUERY_TOO_COSTLY error. Variables are taken into
account, so this runs after validation, when they are known.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
)

from resolvers.listing import DEFAULT_PAGE, MAX_PAGE

_PAGE_ARGS = ("first", "last")


def _page_size(field: FieldNode, variables: Mapping[str, Any]) -> int | None:
    """The page size a connection field asks for; None for a field that is not a page."""
    sizes = []
    for arg in field.arguments or ():
        if arg.name.value not in _PAGE_ARGS:
            continue
        value = arg.value
        if isinstance(value, IntValueNode):
            sizes.append(int(value.value))
        elif isinstance(value, VariableNode):
            raw = variables.get(value.name.value)
            sizes.append(raw if isinstance(raw, int) else DEFAULT_PAGE)
    if sizes:
        return max(0, min(max(sizes), MAX_PAGE))
    return None


def _is_connection(field: FieldNode) -> bool:
    """A connection asked for without a page size still returns a page (of 20)."""
    selections = field.selection_set.selections if field.selection_set else ()
    return any(isinstance(s, FieldNode) and s.name.value == "edges" for s in selections)


def _cost(
    selection_set: SelectionSetNode | None,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any],
    multiplier: int,
    seen: frozenset[str],
) -> int:
    if selection_set is None:
        return 0
    total = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            total += multiplier
            size = _page_size(selection, variables)
            if size is None and _is_connection(selection):
                size = DEFAULT_PAGE
            inner = multiplier * (size if size is not None else 1)
            total += _cost(selection.selection_set, fragments, variables, inner, seen)
        elif isinstance(selection, InlineFragmentNode):
            total += _cost(selection.selection_set, fragments, variables, multiplier, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in seen or name not in fragments:
                continue  # cycles are a validation error already
            total += _cost(fragments[name].selection_set, fragments, variables, multiplier, seen | {name})
    return total


def query_cost(document: Any, variables: Mapping[str, Any] | None) -> int:
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    return max(
        (
            _cost(d.selection_set, fragments, variables or {}, 1, frozenset())
            for d in document.definitions
            if isinstance(d, OperationDefinitionNode)
        ),
        default=0,
    )


def page_variables(document: Any) -> tuple[str, ...]:
    """The variables a document's cost depends on: those given as page sizes (`first: $n`)."""
    names: set[str] = set()

    def visit(node: Any) -> None:
        if isinstance(node, FieldNode):
            for arg in node.arguments or ():
                if arg.name.value in _PAGE_ARGS and isinstance(arg.value, VariableNode):
                    names.add(arg.value.name.value)
        selection_set = getattr(node, "selection_set", None)
        for child in selection_set.selections if selection_set else ():
            visit(child)

    for definition in document.definitions:
        visit(definition)
    return tuple(sorted(names))
