"""A faster path through graphql-core's executor: every object's fields run from a plan made
once per selection set, and the commonest fields skip graphql-core's per-field machinery.

graphql-core builds a Path and a ResolveInfo for every field, coerces its arguments, and
completes every value through a chain of a dozen calls (non-null, list, item, object, type
check, sub-selection...); strawberry wraps every resolver. On a page of 100 objects with 25
fields that chain was most of the request's CPU. Here, per selection set and request:

- a plain attribute with a scalar or enum value (`name`, `stage`, `decisionDueOn`...) is read
  with `getattr` and serialized by its type, exactly as the full path would (strawberry's
  default resolver is `getattr`); a Node's `id` is made from the row's key; `__typename` is
  the parent type's name;
- any other field calls its resolver as graphql-core does (same ResolveInfo, arguments coerced
  once per selection set instead of once per object) and a value that is an object, a list of
  objects or a list of leaves is completed directly: objects straight into their own fields'
  plans;
- anything unusual takes graphql-core's own path for that field, unchanged: an awaitable, a
  null in a non-null position, a value of the wrong type, an abstract type, a streamed or
  deferred field, an argument that does not coerce, middleware. Errors are located and
  handled by graphql-core's own `handle_field_error`.

tests/schema/test_execution.py runs the same queries through both executors and compares data
and errors.
"""

from __future__ import annotations

from binascii import b2a_base64 as _b64
from collections.abc import Awaitable
from typing import Any

from graphql import (
    FragmentSpreadNode,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    ListValueNode,
    ObjectValueNode,
    Undefined,
    VariableNode,
    is_leaf_type,
)
from graphql.execution.executor import invalid_return_type_error, to_nodes
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path, gather_with_cancel
from strawberry import relay
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import CustomGraphQLEnumType, GraphQLCoreConverter

_NOT_FAST = object()
_NODE_ID = object()  # the `id` of a relay Node: "Type:pk" in base64, from the row's key
_NODE_ID_RESOLVER = relay.Node._id.__func__  # type: ignore[attr-defined]
_MISS = object()  # the fast completion does not apply: graphql-core's own path decides

# Plan kinds of a field in a selection set.
_LEAF, _ID, _TYPENAME, _ATTRIBUTE, _RESOLVE, _SLOW = range(6)
# Shapes of a resolved value the fast completion handles.
_SHAPE_LEAF, _SHAPE_OBJECT, _SHAPE_OBJECTS, _SHAPE_LEAVES = range(4)


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
    if getattr(definition, "exception_handlers", None) or definition.extensions:
        return _NOT_FAST
    return_type, non_null = field_def.type, False
    if isinstance(return_type, GraphQLNonNull):
        return_type, non_null = return_type.of_type, True
    if not is_leaf_type(return_type):
        return _NOT_FAST
    return definition.python_name, _coercer(return_type), non_null


class _EnumNames:
    """An enum type's output coercion as one dict lookup (strawberry's walks every value)."""

    __slots__ = ("cls", "names", "type")

    def __init__(self, enum_type: CustomGraphQLEnumType) -> None:
        self.type = enum_type
        self.cls = enum_type.wrapped_cls
        self.names: dict[Any, str] = {}
        for name, value in enum_type.values.items():
            self.names.setdefault(value.value, name)

    def coerce_output_value(self, value: Any) -> Any:
        if isinstance(value, self.cls):
            name = self.names.get(value.value)
            if name is not None:
                return name
        return self.type.coerce_output_value(value)


def _coercer(leaf_type: Any) -> Any:
    return _EnumNames(leaf_type) if isinstance(leaf_type, CustomGraphQLEnumType) else leaf_type


def _shape(return_type: Any) -> tuple[int, bool, bool, Any] | None:
    """(shape, non-null, items non-null, named type) of a type the fast completion handles:
    a leaf, an object, or a list of either (nullable or not at each level); None otherwise."""
    non_null = isinstance(return_type, GraphQLNonNull)
    inner = return_type.of_type if non_null else return_type
    if is_leaf_type(inner):
        return _SHAPE_LEAF, non_null, False, _coercer(inner)
    if isinstance(inner, GraphQLObjectType):
        return (_SHAPE_OBJECT, non_null, False, inner) if _plain_type_check(inner) else None
    if isinstance(inner, GraphQLList):
        item = inner.of_type
        item_non_null = isinstance(item, GraphQLNonNull)
        named = item.of_type if item_non_null else item
        if is_leaf_type(named):
            return _SHAPE_LEAVES, non_null, item_non_null, _coercer(named)
        if isinstance(named, GraphQLObjectType) and _plain_type_check(named):
            return _SHAPE_OBJECTS, non_null, item_non_null, named
    return None


def _plain_type_check(object_type: GraphQLObjectType) -> bool:
    """No `is_type_of`, or strawberry's own (synchronous, ignores its info argument)."""
    check = object_type.is_type_of
    return check is None or getattr(check, "__module__", "") == GraphQLCoreConverter.__module__


class _Field:
    """One field of a selection set's plan: how to run it (`kind`, `data`), and the plan of its
    sub-selection once an object of its type has been completed (`child`)."""

    __slots__ = ("child", "data", "details", "dynamic", "kind", "name")

    def __init__(self, name: str, kind: int, data: Any, details: Any, dynamic: bool = False) -> None:
        self.name = name
        self.kind = kind
        self.data = data
        self.details = details
        self.dynamic = dynamic  # arguments with variables: coerced once per request, not in the plan
        self.child: tuple[Any, list[_Field]] | None = None  # (grouped field set, plan) of its objects


# Plans shared by the requests of one operation on one schema (see `_shared_root_plan`): the
# operation node and the schema (kept alive, so their ids are not reused) and the root plan of
# each root type.
_SHARED: dict[tuple[int, int], tuple[Any, Any, dict[str, list[_Field]] | None]] = {}
_SHARED_MAX = 512


def _shareable(operation: Any, fragments: dict[str, Any]) -> bool:
    """Whether a selection set's fields are the same whatever the request's variables: no
    directive anywhere (`@skip`/`@include` pick fields by variables, `@defer`/`@stream` deliver
    in parts) and no fragment arguments. Arguments with variables are coerced per request."""
    seen: set[str] = set()

    def plain(selection_set: Any) -> bool:
        for selection in selection_set.selections if selection_set else ():
            if selection.directives:
                return False
            if isinstance(selection, FragmentSpreadNode):
                if getattr(selection, "arguments", None):
                    return False
                name = selection.name.value
                if name not in seen:
                    seen.add(name)
                    fragment = fragments.get(name)
                    definition = getattr(fragment, "definition", fragment)
                    if definition is None or definition.directives or getattr(definition, "variable_definitions", None):
                        return False
                    if not plain(definition.selection_set):
                        return False
            elif not plain(selection.selection_set):
                return False
        return True

    return not operation.directives and plain(operation.selection_set)


def _uses_variables(value: Any) -> bool:
    if isinstance(value, VariableNode):
        return True
    if isinstance(value, ListValueNode):
        return any(_uses_variables(v) for v in value.values)
    if isinstance(value, ObjectValueNode):
        return any(_uses_variables(f.value) for f in value.fields)
    return False


class FastLeafExecutionContext(StrawberryGraphQLCoreExecutionContext):
    # -- a selection set's plan ------------------------------------------------------------

    def _selection_plan(self, parent_type: GraphQLObjectType, grouped_field_set: Any) -> list[_Field]:
        """The fields' plans, made once per selection set and request (the grouped field set
        is graphql-core's memoized one, the same object for every item of a list; it is kept
        alive with its plan, so its id is not reused)."""
        plans = self.__dict__.get("_selection_plans")
        if plans is None:
            plans = self.__dict__["_selection_plans"] = {}
        key = (parent_type.name, id(grouped_field_set))
        found = plans.get(key)
        if found is None:
            found = plans[key] = (grouped_field_set, self._make_plan(parent_type, grouped_field_set))
        return found[1]

    def _make_plan(self, parent_type: GraphQLObjectType, grouped_field_set: Any) -> list[_Field]:
        return [self._field_plan(parent_type, name, details) for name, details in grouped_field_set.items()]

    def _shared_root_plan(self, parent_type: GraphQLObjectType, grouped_field_set: Any) -> list[_Field]:
        """The root plan of this operation, made by its first request and kept for the next
        ones (with the plans of every sub-selection, filled in as objects are completed), when
        the fields do not depend on the variables (`_shareable`); else this request's own."""
        operation, schema = self.operation, self.schema
        key = (id(schema), id(operation))
        entry = _SHARED.get(key)
        if entry is None or entry[0] is not operation or entry[1] is not schema:
            if len(_SHARED) >= _SHARED_MAX:
                del _SHARED[next(iter(_SHARED))]
            entry = _SHARED[key] = (operation, schema, {} if _shareable(operation, self.fragments) else None)
        roots = entry[2]
        if roots is None:
            return self._selection_plan(parent_type, grouped_field_set)
        plan = roots.get(parent_type.name)
        if plan is None:
            plan = roots[parent_type.name] = self._make_plan(parent_type, grouped_field_set)
        return plan

    def _field_plan(self, parent_type: GraphQLObjectType, name: str, details: Any) -> _Field:
        node = details[0].node
        field_name = node.name.value
        field_def = self.schema.get_field(parent_type, field_name)
        middleware = self.middleware_manager
        if field_def is None or (middleware and middleware.middlewares) or any(d.node.directives for d in details):
            return _Field(name, _SLOW, None, details)
        if field_name == "__typename":
            return _Field(name, _TYPENAME, parent_type.name, details)
        if not node.arguments:
            plan = field_def.__dict__.get("_fast_leaf")
            if plan is None:
                plan = field_def.__dict__["_fast_leaf"] = _plan(field_def)
            if plan is _NODE_ID:
                return _Field(name, _ID, field_def, details)
            if plan is not _NOT_FAST:
                return _Field(name, _LEAF, plan, details)
        shape = _shape(field_def.type)
        if shape is None:
            return _Field(name, _SLOW, None, details)
        resolve = field_def.resolve or self.field_resolver
        if details[0].fragment_variable_values is not None or any(_uses_variables(a.value) for a in node.arguments or ()):
            return _Field(name, _RESOLVE, (field_def, resolve, None, shape, to_nodes(details)), details, dynamic=True)
        args = self._arguments(field_def, details)
        if args is None:  # the full path reports it, located, at every object
            return _Field(name, _SLOW, None, details)
        definition = (field_def.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
        if (
            not args
            and getattr(field_def.resolve, "_is_default", False)  # strawberry's `getattr` of a plain field
            and definition is not None
            and getattr(definition, "is_basic_field", False)
            and not definition.extensions
        ):
            return _Field(name, _ATTRIBUTE, (field_def, definition.python_name, shape), details)
        return _Field(name, _RESOLVE, (field_def, resolve, args, shape, to_nodes(details)), details)

    def _arguments(self, field_def: GraphQLField, details: Any) -> dict[str, Any] | None:
        """The field's arguments, coerced; None when they do not coerce."""
        node = details[0].node
        if not (field_def.args or node.arguments):
            return {}
        try:
            return get_argument_values(field_def, node, self.variable_values, details[0].fragment_variable_values,
                                       self.hide_suggestions)
        except Exception:
            return None

    def _request_arguments(self, field: _Field) -> dict[str, Any] | None:
        """A field's arguments with variables, coerced once per request (None: they do not)."""
        cache = self.__dict__.get("_dynamic_arguments")
        if cache is None:
            cache = self.__dict__["_dynamic_arguments"] = {}
        if field in cache:
            return cache[field]  # type: ignore[no-any-return]
        found = cache[field] = self._arguments(field.data[0], field.details)
        return found

    # -- running it ------------------------------------------------------------------------

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Any,
        grouped_field_set: Any,
        position_context: Any,
    ) -> Any:
        if path is None and position_context is None:  # the operation's root fields
            plan = self._shared_root_plan(parent_type, grouped_field_set)
        else:
            plan = self._selection_plan(parent_type, grouped_field_set)
        return self._run(parent_type, source_value, path, plan, position_context)

    def _run(self, parent_type: GraphQLObjectType, source_value: Any, path: Any, plan: list[_Field],
             position_context: Any) -> Any:
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        awaitable_fields: list[str] = []
        try:
            for field in plan:
                name, kind, data = field.name, field.kind, field.data
                if kind is _LEAF:
                    attribute, leaf_type, non_null = data
                    value = getattr(source_value, attribute, None)
                    if value is None:
                        if not non_null:
                            results[name] = None
                            continue
                    elif not isinstance(value, Exception):
                        try:
                            coerced = leaf_type.coerce_output_value(value)
                        except Exception:  # the full path reports it, with its location
                            coerced = None
                        if coerced is not None and coerced is not Undefined:
                            results[name] = coerced
                            continue
                elif kind is _TYPENAME:
                    results[name] = data
                    continue
                elif kind is _ID:
                    node_id = self._node_id(parent_type, source_value, data)
                    if node_id is not None:
                        results[name] = node_id
                        continue
                field_path = Path(path, name, parent_type.name)
                if kind is _ATTRIBUTE:
                    result = self._attribute_field(parent_type, source_value, field, field_path, position_context)
                elif kind is _RESOLVE:
                    args = self._request_arguments(field) if field.dynamic else data[2]
                    if args is None:
                        result = super().execute_field(parent_type, source_value, field.details, field_path,
                                                       position_context)
                    else:
                        result = self._resolve_field(parent_type, source_value, field, args, field_path,
                                                     position_context)
                else:
                    result = super().execute_field(parent_type, source_value, field.details, field_path,
                                                   position_context)
                    if result is Undefined:
                        continue
                results[name] = result
                if type(result) is not dict and is_awaitable(result):  # an object's fields: a dict
                    awaitable_fields.append(name)
        except Exception:
            if awaitable_fields:
                self.settle_in_background([results[field] for field in awaitable_fields])
            raise
        if not awaitable_fields:
            return results
        return self._gather(results, awaitable_fields)

    @staticmethod
    async def _gather(container: Any, slots: list[Any]) -> Any:
        """`container` (an object's fields by name, or a list's items by index) with the
        awaitables at `slots` awaited together, in place (graphql-core's way: one at once,
        several gathered and cancelled together on error)."""
        if len(slots) == 1:
            container[slots[0]] = await container[slots[0]]
        else:
            awaited = await gather_with_cancel(*(container[slot] for slot in slots))
            for slot, value in zip(slots, awaited, strict=True):
                container[slot] = value
        return container

    def _attribute_field(
        self, parent_type: GraphQLObjectType, source: Any, field: _Field, path: Path, position_context: Any,
    ) -> Any:
        """A plain field holding an object or a list (a connection's `edges`, an edge's `node`):
        strawberry's resolver for it is `getattr`, so no ResolveInfo is built unless
        graphql-core's own completion needs one."""
        field_def, attribute, shape = field.data
        details = field.details
        try:
            result = getattr(source, attribute)
            completed = self._complete(shape, result, field, path, position_context)
            if completed is _MISS:
                info = self.build_resolve_info(field_def, to_nodes(details), parent_type, path)
                completed = self.complete_value(field_def.type, details, info, path, result, position_context)
            if type(completed) is not list and type(completed) is not dict and self.is_awaitable(completed):
                return self._settle(completed, field_def.type, details, path)
        except Exception as raw_error:
            self.handle_field_error(raw_error, field_def.type, details, path)
            return None
        return completed

    def _resolve_field(
        self, parent_type: GraphQLObjectType, source: Any, field: _Field, args: dict[str, Any], path: Path,
        position_context: Any,
    ) -> Any:
        """graphql-core's `execute_field` with the arguments already coerced, and the value
        completed directly when its shape allows."""
        field_def, resolve, _, shape, nodes = field.data
        details = field.details
        return_type = field_def.type
        info = self.build_resolve_info(field_def, nodes, parent_type, path)
        try:
            result = resolve(source, info, **args)
            is_awaitable = self.is_awaitable
            if is_awaitable(result):
                return self._complete_awaited(field, info, path, result, position_context)
            completed = self._complete(shape, result, field, path, position_context)
            if completed is _MISS:
                completed = self.complete_value(return_type, details, info, path, result, position_context)
            if type(completed) is not list and type(completed) is not dict and is_awaitable(completed):
                return self._settle(completed, return_type, details, path)
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, details, path)
            return None
        return completed

    async def _complete_awaited(self, field: _Field, info: Any, path: Path, result: Any, position_context: Any) -> Any:
        """graphql-core's `complete_awaitable_value`, the value completed directly when its
        shape allows (through the plans of the field's sub-selection)."""
        field_def, _, _, shape, _ = field.data
        return_type, details = field_def.type, field.details
        try:
            resolved = await self.with_abort_signal(result)
            completed = self._complete(shape, resolved, field, path, position_context)
            if completed is _MISS:
                completed = self.complete_value(return_type, details, info, path, resolved, position_context)
            if self.is_awaitable(completed):
                completed = await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, details, path)
            completed = None
        return completed

    async def _settle(self, completed: Awaitable[Any], return_type: Any, details: Any, path: Path) -> Any:
        try:
            return await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, details, path)
            return None

    def _complete(self, shape: tuple[int, bool, bool, Any], result: Any, field: _Field, path: Path,
                  position_context: Any) -> Any:
        """The completed value, or _MISS where graphql-core's `complete_value` must decide (it
        raises the right error). Nothing is executed before the value is known to fit."""
        kind, non_null, items_non_null, named = shape
        if result is None:
            return _MISS if non_null else None
        if isinstance(result, Exception):
            return _MISS
        if kind is _SHAPE_LEAF:
            coerced = named.coerce_output_value(result)
            return _MISS if coerced is None or coerced is Undefined else coerced
        if kind is _SHAPE_OBJECT:
            check = named.is_type_of
            if check is not None and not check(result, None):
                raise invalid_return_type_error(named, result, field.details)
            return self._object(named, result, field, path, position_context)
        if type(result) is not list and type(result) is not tuple:
            return _MISS
        if items_non_null and any(item is None for item in result):
            return _MISS
        if kind is _SHAPE_LEAVES:
            out = []
            for item in result:
                if item is None:
                    out.append(None)
                    continue
                coerced = named.coerce_output_value(item)
                if coerced is None or coerced is Undefined:
                    return _MISS
                out.append(coerced)
            return out
        check = named.is_type_of
        if check is not None:
            for item in result:
                if item is not None and not check(item, None):
                    return _MISS
        return self._objects(named, items_non_null, result, field, path, position_context)

    def _object(self, object_type: GraphQLObjectType, value: Any, field: _Field, path: Path,
                position_context: Any) -> Any:
        """An object's fields, from the plan of the field's sub-selection (made at its first
        object, kept with the field's plan)."""
        child = field.child
        if child is None or position_context is not None:
            grouped_field_set, new_defer_usages, _ = self.collect_subfields(object_type, field.details)
            if new_defer_usages or position_context is not None:
                return self.execute_collected_subfields(object_type, value, path, grouped_field_set,
                                                        new_defer_usages, position_context)
            child = field.child = (grouped_field_set, self._make_plan(object_type, grouped_field_set))
        return self._run(object_type, value, path, child[1], None)

    def _objects(self, object_type: GraphQLObjectType, items_non_null: bool, items: Any, field: _Field, path: Path,
                 position_context: Any) -> Any:
        """graphql-core's `complete_iterable_value` for a list of objects (no stream)."""
        item_type: Any = GraphQLNonNull(object_type) if items_non_null else object_type
        details = field.details
        is_awaitable = self.is_awaitable
        completed: list[Any] = []
        awaitable_indices: list[int] = []
        try:
            for index, item in enumerate(items):
                item_path = path.add_key(index, None)
                if item is None:
                    completed.append(None)
                    continue
                try:
                    value = self._object(object_type, item, field, item_path, position_context)
                    if type(value) is not dict and is_awaitable(value):
                        value = self._settle(value, item_type, details, item_path)
                        awaitable_indices.append(index)
                except Exception as raw_error:
                    self.handle_field_error(raw_error, item_type, details, item_path)
                    value = None
                completed.append(value)
        except Exception:
            if awaitable_indices:
                self.settle_in_background([completed[i] for i in awaitable_indices])
            raise
        if not awaitable_indices:
            return completed
        return self._gather(completed, awaitable_indices)

    def _node_id(self, parent_type: GraphQLObjectType, source: Any, field_def: GraphQLField) -> str | None:
        """What `relay.Node._id` gives (its default `resolve_id`/`resolve_typename`: base64 of
        "Type:key", as `GlobalID.__str__`), without building the resolver's Info."""
        attribute = _ID_ATTRIBUTES.get(type(source), _NOT_FAST)
        if attribute is _NOT_FAST:
            attribute = _ID_ATTRIBUTES[type(source)] = _default_id_attribute(type(source))
        if attribute is None:
            return None
        key = getattr(source, attribute, None)
        if key is None:
            return None
        return _b64(f"{parent_type.name}:{key}".encode(), newline=False).decode()


_ID_ATTRIBUTES: dict[type, Any] = {}


def _default_id_attribute(cls: type) -> str | None:
    """The attribute holding a Node class's key, when it keeps relay's default id resolution."""
    if (
        not issubclass(cls, relay.Node)
        or cls.resolve_id.__func__ is not relay.Node.resolve_id.__func__  # type: ignore[attr-defined]
        or cls.resolve_typename.__func__ is not relay.Node.resolve_typename.__func__  # type: ignore[attr-defined]
    ):
        return None
    return cls.resolve_id_attr()


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
    """A list field (one RowsConnection extension, a resolver taking self, info and optional
    filters): called straight, without strawberry's argument conversion and extension chain,
    when no filter is given (the paging arguments are plain ints and strings; a filter may be
    an input object to convert: then strawberry's own resolver runs). A nested list's first
    page is the one its parent's page made (`prefetched`) when there is one."""
    from schema.bounds import InputBounds
    from schema.relay import PAGING_ARGUMENTS, RowsConnection, prefetched

    extensions = definition.extensions
    if (
        not extensions
        or not isinstance(extensions[0], RowsConnection)
        or not all(isinstance(e, InputBounds) for e in extensions[1:])  # run below, on the paging arguments
        or not set(field_def.args) >= PAGING_ARGUMENTS
        or resolver.info_parameter is None
        or resolver.self_parameter is None
    ):
        return None
    parameters = resolver.signature.parameters
    python_names = {a.python_name for a in definition.arguments} - PAGING_ARGUMENTS
    if set(parameters) != {resolver.self_parameter.name, resolver.info_parameter.name, *python_names}:
        return None
    if any(parameters[name].default is not None for name in python_names):
        return None
    filters = set(field_def.args) - PAGING_ARGUMENTS  # graphql-core passes arguments by their GraphQL names
    full, extension, func, name = field_def.resolve, extensions[0], resolver.wrapped_func, resolver.info_parameter.name
    bounds = extensions[1:]  # InputBounds: strawberry runs it outside RowsConnection, on every argument

    def check(first: Any, after: Any, last: Any, before: Any) -> None:
        for bound in bounds:
            bound._check({"first": first, "after": after, "last": last, "before": before})  # no filter given

    if resolver.is_async:
        def resolve_async(source: Any, info: Any, first: Any = None, after: Any = None, last: Any = None,
                          before: Any = None, **given: Any) -> Any:
            if any(given.get(f) is not None for f in filters):
                return full(source, info, first=first, after=after, last=last, before=before, **given)
            check(first, after, last, before)
            strawberry_info = info_class(_raw_info=info, _field=definition)
            return extension.resolve_async(
                lambda s, i: func(s, **{name: i}), source, strawberry_info, first=first, after=after, last=last,
                before=before,
            )

        return resolve_async

    def resolve(source: Any, info: Any, first: Any = None, after: Any = None, last: Any = None, before: Any = None,
                **given: Any) -> Any:
        if any(given.get(f) is not None for f in filters):
            return full(source, info, first=first, after=after, last=last, before=before, **given)
        check(first, after, last, before)
        if after is None and last is None and before is None:  # a first page the parent's page made
            ready = prefetched(source, info.field_name, first)
            if ready is not None:
                return ready
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
