"""What a query selects below a field, read from the parsed query itself.

A list resolver looks ahead at what its query selects of each node (`edges { node { ... } }`)
to read the page's relations once for the page (schema/relay.py `prefetch_nested`, the
applications page's priming). strawberry's `info.selected_fields` converts the whole
sub-tree into its own objects on every call, which cost more than the look-ahead itself on
a small page; these helpers walk graphql-core's nodes of the parsed query instead, through
fragments, as `selected_fields` does (directives are not evaluated: a look-ahead may read a
relation a `@skip` then leaves out, never miss one).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionSetNode,
    value_from_ast_untyped,
)

__all__ = ["argument_values", "fields_of", "node_fields", "selected_paths"]


def fields_of(selection_set: SelectionSetNode | None, fragments: Mapping[str, Any]) -> Iterator[FieldNode]:
    """The fields of a selection set, those of its fragments and inline fragments included."""
    if selection_set is None:
        return
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from fields_of(selection.selection_set, fragments)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                yield from fields_of(fragment.selection_set, fragments)


def node_fields(info: Any) -> list[FieldNode]:
    """The fields a connection field's query selects on each node (`edges { node { ... } }`)."""
    raw = info._raw_info
    fragments = raw.fragments
    out: list[FieldNode] = []
    for field in raw.field_nodes:
        for edges in fields_of(field.selection_set, fragments):
            if edges.name.value == "edges":
                for node in fields_of(edges.selection_set, fragments):
                    if node.name.value == "node":
                        out.extend(fields_of(node.selection_set, fragments))
    return out


def selected_paths(fields: list[FieldNode], fragments: Mapping[str, Any], prefix: str = "") -> set[str]:
    """Dotted names of the fields selected below `fields` and of these, e.g. `licenseDetails.fee`."""
    out: set[str] = set()
    for field in fields:
        name = f"{prefix}{field.name.value}"
        out.add(name)
        if field.selection_set is not None:
            out |= selected_paths(list(fields_of(field.selection_set, fragments)), fragments, f"{name}.")
    return out


def argument_values(field: FieldNode, variables: Mapping[str, Any] | None) -> dict[str, Any]:
    """A field's arguments as given in the query (literals as values, variables by their value)."""
    return {a.name.value: value_from_ast_untyped(a.value, variables) for a in field.arguments or ()}
