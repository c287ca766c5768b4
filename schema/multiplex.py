"""Multiplexed subscriptions, as Hasura does them: an event is evaluated once per cohort of
subscribers, not once per subscriber, and every member is sent the same serialized message.

strawberry runs a subscription's selection for every subscriber and every event (~0.15-0.2 ms
each, then JSON): 1,000 subscribers at 10 events/s saturate one process. Here the `events`
subscription of a graphql-transport-ws operation (schema/websocket.py sets the `Sink`) renders
through a `Cohort`: the selection executed once per event with a representative context, the
payload serialized once, and each member's `next` message built around it with its operation id.

A cohort's key is everything the rendering depends on:
- the root field as selected (alias, directives, selection set; its `after` and filter
  arguments (`types`, `miners`, `pools`, `regions`) left out: they decide which events a
  subscriber gets, not how one is rendered),
  the fragments, and the values of the variables those use;
- the permission scope (rules.access.event_scope: granted types, own pool) and the requested
  filter (resolvers.event_feed adds both to the group's key, since they decide what it gets);
- the language (error messages are localized).
Replay from `after`, the seam, the bounded queue (slow consumer: 4429) and the token checks
stay per subscriber (resolvers/event_feed.py, schema/websocket.py).

`settings.event_multiplex` off: every subscriber is executed on its own, as strawberry does.
"""

from __future__ import annotations

import asyncio
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from contextvars import ContextVar
from dataclasses import dataclass
from inspect import isawaitable
from typing import Any

import orjson
import strawberry
from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    execute,
    print_ast,
    visit,
)
from graphql.language import Visitor
from starlette.websockets import WebSocketDisconnect
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.schema._graphql_core import execution_context_class_kwargs

from models.events import PartnerEvent as EventRow
from schema.context import Context
from schema.errors import localize

__all__ = ["Cohort", "Sink", "cohort_for", "current_sink", "stats"]

# Arguments of the root field that pick the events, not their rendering.
_FILTER_ARGUMENTS = frozenset({"after", "types", "miners", "pools", "regions"})
_CACHE = 256  # renderings kept per cohort (replays of the same recent events share them)


@dataclass
class Stats:
    evaluations: int = 0  # selections executed by cohorts (one per event and cohort)


stats = Stats()


class Sink:
    """Where a multiplexed operation's messages go: its websocket, under its operation id."""

    def __init__(self, websocket: Any, operation: Any, schema: strawberry.Schema) -> None:
        self.websocket = websocket  # strawberry's ASGIWebSocketAdapter
        self.operation = operation
        self.schema = schema
        self._prefix = '{"id":' + orjson.dumps(operation.id).decode() + ',"type":"next","payload":'

    async def send(self, payload: str) -> None:
        """One `next` message around a serialized payload, as the handler sends any message
        (schema.websocket.send_text: orjson, a text frame, the same keys in the same order)."""
        if self.operation.completed:
            return
        try:
            await self.websocket.ws.send_text(self._prefix + payload + "}")
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc


_SINK: ContextVar[Sink | None] = ContextVar("subscription_sink", default=None)


def current_sink() -> Sink | None:
    """The sink of the graphql-transport-ws operation being run, when multiplexing is on."""
    return _SINK.get()


def use_sink(sink: Sink | None) -> None:
    _SINK.set(sink)


class Cohort:
    """Subscribers whose events render alike: one execution and one serialization per event."""

    def __init__(self, key: Hashable, schema: strawberry.Schema, document: DocumentNode,
                 variables: dict[str, Any], context: Context, root: Callable[[EventRow], Any]) -> None:
        self.key = key
        self.root = root  # the row as the subscription's GraphQL type
        self.schema = schema
        self.document = document
        self.variables = variables
        self.context = context
        self.middleware = schema._get_middleware_manager(schema.get_extensions())  # type: ignore[attr-defined]
        self._rendered: OrderedDict[int, str] = OrderedDict()
        self._pending: dict[int, asyncio.Future[str]] = {}

    async def render(self, row: EventRow) -> str:
        """The serialized `next` payload of one event (cached: each event is executed once)."""
        if (done := self._rendered.get(row.id)) is not None:
            return done
        if (pending := self._pending.get(row.id)) is not None:  # another member is rendering it
            try:
                return await asyncio.shield(pending)
            except asyncio.CancelledError:
                if asyncio.current_task().cancelling():  # type: ignore[union-attr]
                    raise
                # The one rendering it was cancelled (it left): render it here.
        future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._pending[row.id] = future
        try:
            payload = await self._execute(row)
            future.set_result(payload)
        except BaseException:  # cancelled (_execute turns errors into the payload)
            future.cancel()
            raise
        finally:
            del self._pending[row.id]
        self._rendered[row.id] = payload
        if len(self._rendered) > _CACHE:
            self._rendered.popitem(last=False)
        return payload

    async def _execute(self, row: EventRow) -> str:
        stats.evaluations += 1
        schema = self.schema
        try:
            result: Any = execute(
                schema._schema, self.document, root_value=self.root(row), context_value=self.context,
                variable_values=self.variables, middleware=self.middleware,
                **execution_context_class_kwargs(schema.execution_context_class),  # type: ignore[attr-defined]
            )
            if isawaitable(result):
                result = await result
            data, errors = result.data, result.errors
        except Exception as exc:  # as strawberry does: an error in the message, not a dead stream
            data, errors = None, [GraphQLError(str(exc), original_error=exc)]
        payload: dict[str, Any] = {"data": data}
        if errors:
            schema.process_errors(errors)
            payload["errors"] = [localize(error, self.context.language).formatted for error in errors]
        return orjson.dumps(payload).decode()


# Live cohorts by key: members with equal keys share one object (and its renderings).
_COHORTS: weakref.WeakValueDictionary[Hashable, Cohort] = weakref.WeakValueDictionary()


class _Variables(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_variable(self, node: VariableNode, *_: Any) -> None:
        self.names.add(node.name.value)


def cohort_for(info: strawberry.Info, sink: Sink, scope: Hashable, root: Callable[[EventRow], Any]) -> Cohort:
    """The cohort of this subscriber's selection, scope (`scope`: what it may see, for the key)
    and language; the existing one when another subscriber already has the same key. `root`
    makes the subscription field's value of an event."""
    raw = info._raw_info
    field: FieldNode = raw.field_nodes[0]
    selected = FieldNode(
        alias=field.alias, name=field.name, directives=field.directives, selection_set=field.selection_set,
        arguments=tuple(a for a in field.arguments or () if a.name.value not in _FILTER_ARGUMENTS),
    )
    fragments = sorted(raw.fragments.values(), key=lambda f: f.name.value)
    used = _Variables()
    for node in (selected, *fragments):
        visit(node, used)
    supplied = sink.operation.variables or {}
    variables = {name: supplied[name] for name in sorted(used.names) if name in supplied}
    operation: OperationDefinitionNode = raw.operation
    document = DocumentNode(definitions=(
        OperationDefinitionNode(
            operation=OperationType.SUBSCRIPTION, directives=(),
            variable_definitions=tuple(d for d in operation.variable_definitions or ()
                                       if d.variable.name.value in used.names),
            selection_set=SelectionSetNode(selections=(selected,)),
        ),
        *fragments,
    ))
    context: Context = info.context
    key = (
        print_ast(selected), tuple(print_ast(f) for f in fragments),
        orjson.dumps(variables, option=orjson.OPT_SORT_KEYS, default=str), scope, context.language,
    )
    cohort = _COHORTS.get(key)
    if cohort is None:
        representative = Context(request=None, settings=context.settings, actor=context.actor,
                                 language=context.language, event_feed=context.event_feed)
        cohort = _COHORTS[key] = Cohort(key, sink.schema, document, variables, representative, root)
    return cohort
