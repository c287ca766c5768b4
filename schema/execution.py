"""A faster path through graphql-core's executor for the commonest fields: a plain attribute with
a scalar or enum value (`name`, `binIin`, `region`, `decisionDueOn`, ...), and a Node's `id`.

graphql-core builds a ResolveInfo for every field and strawberry wraps every resolver, even
for a field that only reads an attribute; on a page of 100 objects with 20 such fields that is
most of the request's CPU. Here such a field is read with `getattr` and serialized by its
type, exactly as the full path would (strawberry's default resolver is `getattr`), and every
other field (resolvers, arguments, objects, lists, nulls in non-null fields, errors) takes the
full path unchanged.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLField, GraphQLNonNull, GraphQLObjectType, is_leaf_type
from strawberry import relay
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter

_NOT_FAST = object()
_NODE_ID = object()  # the `id` of a relay Node: "Type:pk" in base64, from the row's key
_NODE_ID_RESOLVER = relay.Node._id.__func__  # type: ignore[attr-defined]


def _is_node_id(definition: Any) -> bool:
    resolver = getattr(definition, "base_resolver", None)
    wrapped = getattr(getattr(resolver, "wrapped_func", None), "__func__", None)
    return definition.python_name == "_id" and wrapped is _NODE_ID_RESOLVER and not definition.extensions


def _plan(field_def: GraphQLField) -> Any:
    """(python attribute, leaf type, non-null) for a basic leaf field, _NODE_ID for a Node's
    `id`, else _NOT_FAST."""
    definition = (field_def.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if definition is not None and _is_node_id(definition):
        return _NODE_ID
    if definition is None or not getattr(definition, "is_basic_field", False) or field_def.args:
        return _NOT_FAST
    if getattr(definition, "exception_handlers", None):
        return _NOT_FAST
    return_type, non_null = field_def.type, False
    if isinstance(return_type, GraphQLNonNull):
        return_type, non_null = return_type.of_type, True
    if not is_leaf_type(return_type):
        return _NOT_FAST
    return definition.python_name, return_type, non_null


class FastLeafExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Any,
        position_context: Any,
    ) -> Any:
        node = field_details_list[0].node
        field_def = self.schema.get_field(parent_type, node.name.value)
        if field_def is not None and not node.arguments:
            plan = field_def.__dict__.get("_fast_leaf")
            if plan is None:
                plan = field_def.__dict__["_fast_leaf"] = _plan(field_def)
            if plan is _NODE_ID:
                node = self._node_id(parent_type, source, field_def)
                if node is not None:
                    return node
            elif plan is not _NOT_FAST:
                attribute, leaf_type, non_null = plan
                value = getattr(source, attribute, None)
                if value is not None and not isinstance(value, Exception):
                    try:
                        return self.complete_leaf_value(leaf_type, value)
                    except Exception:  # the full path reports it, with its location
                        pass
                elif not non_null and value is None:
                    return None
        return super().execute_field(parent_type, source, field_details_list, path, position_context)

    def _node_id(self, parent_type: GraphQLObjectType, source: Any, field_def: GraphQLField) -> str | None:
        """What `relay.Node._id` gives (its default `resolve_id`/`resolve_typename`), without
        building the resolver's Info: the concrete type's name and the row's key."""
        cls = type(source)
        if (
            not isinstance(source, relay.Node)
            or cls.resolve_id.__func__ is not relay.Node.resolve_id.__func__  # type: ignore[attr-defined]
            or cls.resolve_typename.__func__ is not relay.Node.resolve_typename.__func__  # type: ignore[attr-defined]
        ):
            return None
        key = getattr(source, cls.resolve_id_attr(), None)
        if key is None:
            return None
        leaf = field_def.type.of_type if isinstance(field_def.type, GraphQLNonNull) else field_def.type
        return self.complete_leaf_value(leaf, relay.GlobalID(type_name=parent_type.name, node_id=str(key)))


def lean_resolvers(schema: Any) -> int:
    """Give fields whose resolver takes only `self` (and perhaps `info`) a lean graphql-core
    resolver: the method called with the row's view and strawberry's Info, without the
    argument conversion and extension chain strawberry builds for every resolver call (they
    have no arguments and no extensions to run). Returns how many fields were made lean."""
    info_class = schema.config.info_class
    made = 0
    for graphql_type in schema._schema.type_map.values():
        if not isinstance(graphql_type, GraphQLObjectType) or graphql_type.name.startswith("__"):
            continue
        for field_def in graphql_type.fields.values():
            definition = (field_def.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
            resolver = getattr(definition, "base_resolver", None)
            if resolver is None or getattr(definition, "permission_classes", None):
                continue
            if getattr(definition, "is_subscription", False):  # its resolver makes the stream, not a value
                continue
            nested = _nested_list(definition, field_def, resolver, info_class)
            if nested is not None:
                field_def.resolve = nested
                made += 1
                continue
            if field_def.args or definition.extensions:
                continue
            if schema.schema_converter._get_field_exception_handlers(definition):
                continue
            if resolver.root_parameter is not None or resolver.parent_parameter is not None:
                continue
            if resolver.self_parameter is None or _is_node_id(definition):
                continue
            if {p.name for p in resolver.signature.parameters.values()} - {
                resolver.self_parameter.name, *([resolver.info_parameter.name] if resolver.info_parameter else [])
            }:
                continue
            field_def.resolve = _lean(resolver, definition, info_class)
            made += 1
    return made


def _nested_list(definition: Any, field_def: GraphQLField, resolver: Any, info_class: Any) -> Any:
    """A nested list (a sync resolver taking self and info, only the paging arguments, one
    RowsConnection extension): called straight, without strawberry's argument conversion (the
    paging arguments are plain ints and strings) and extension chain."""
    from schema.relay import PAGING_ARGUMENTS, RowsConnection

    extensions = definition.extensions
    if (
        resolver.is_async
        or len(extensions) != 1
        or not isinstance(extensions[0], RowsConnection)
        or set(field_def.args) != PAGING_ARGUMENTS
        or resolver.info_parameter is None
        or {p.name for p in resolver.signature.parameters.values()} != {resolver.self_parameter.name, resolver.info_parameter.name}
    ):
        return None
    extension, func, name = extensions[0], resolver.wrapped_func, resolver.info_parameter.name

    def resolve(source: Any, info: Any, first: Any = None, after: Any = None, last: Any = None, before: Any = None) -> Any:
        strawberry_info = info_class(_raw_info=info, _field=definition)
        return extension.resolve(
            lambda s, i: func(s, **{name: i}), source, strawberry_info, first=first, after=after, last=last, before=before
        )

    return resolve


def _lean(resolver: Any, definition: Any, info_class: Any) -> Any:
    func = resolver.wrapped_func
    if resolver.info_parameter is None:
        def resolve(source: Any, info: Any) -> Any:
            return func(source)
    else:
        name = resolver.info_parameter.name

        def resolve(source: Any, info: Any) -> Any:
            return func(source, **{name: info_class(_raw_info=info, _field=definition)})

    resolve._is_default = False  # type: ignore[attr-defined]
    return resolve
