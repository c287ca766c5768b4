"""Which personal contacts (rules/access.CONTACT_FIELDS) an operation selects inside a list, found
statically from the document, once per distinct query text: a connection's `edges`, any list
field, at any depth, through fragments. A contact selected on a single object (`node`,
`miner(id:)`) is not a bulk read."""

from __future__ import annotations

from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    get_named_type,
)

from rules.access import CONTACT_FIELDS

__all__ = ["listed_contacts"]

CACHE_SIZE = 512


def _is_list(type_: Any) -> bool:
    while isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return isinstance(type_, GraphQLList)


class _Walk:
    def __init__(self, schema: GraphQLSchema, document: DocumentNode) -> None:
        self.schema = schema
        self.fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        self.found: set[str] = set()

    def selections(self, selection_set: Any, parent: Any, in_list: bool, depth: int = 0) -> None:
        if selection_set is None or depth > 64:  # depth is bounded by validation anyway
            return
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                self.field(selection, parent, in_list, depth)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                narrowed = self.schema.get_type(condition.name.value) if condition else parent
                self.selections(selection.selection_set, narrowed, in_list, depth + 1)
            elif isinstance(selection, FragmentSpreadNode) and (fragment := self.fragments.get(selection.name.value)):
                narrowed = self.schema.get_type(fragment.type_condition.name.value)
                self.selections(fragment.selection_set, narrowed, in_list, depth + 1)

    def field(self, node: FieldNode, parent: Any, in_list: bool, depth: int) -> None:
        name = node.name.value
        definition = getattr(parent, "fields", {}).get(name)
        if definition is None:
            return
        if in_list and (parent.name, name) in CONTACT_FIELDS:
            self.found.add(f"{parent.name}.{name}")
        if node.selection_set is not None:
            self.selections(node.selection_set, get_named_type(definition.type), in_list or _is_list(definition.type),
                            depth + 1)


# (schema, query text, operation) -> contacts; the document is parsed from that text (and
# graphql-core hashes a node by its whole tree, so the document itself is no key).
_CACHE: dict[tuple[int, str, str | None], frozenset[str]] = {}


def listed_contacts(schema: GraphQLSchema, query: str, operation_name: str | None, document: DocumentNode) -> frozenset[str]:
    """`Type.field` of every contact the operation selects under a list."""
    key = (id(schema), query, operation_name)
    found = _CACHE.get(key)
    if found is None:
        if len(_CACHE) >= CACHE_SIZE:
            _CACHE.clear()
        found = _CACHE[key] = _listed(schema, document, operation_name)
    return found


def _listed(schema: GraphQLSchema, document: DocumentNode, operation_name: str | None) -> frozenset[str]:
    walk = _Walk(schema, document)
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        if operation_name is not None and (definition.name is None or definition.name.value != operation_name):
            continue
        root = schema.get_root_type(definition.operation)
        walk.selections(definition.selection_set, root, False)
    return frozenset(walk.found)
