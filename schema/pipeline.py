"""Every request's way through the schema, as one strawberry extension: parse (cached, bounded
in tokens), validate (cached, with the depth and alias limits and, in production, no
introspection), refuse costly queries, give every top-level error its code and message, and after execution
audit a bulk read of personal contacts (schema/contact_reads.py; one event per request).

One extension instead of seven: strawberry runs each extension's hooks as context managers at
every step of every request, which cost more than the work they wrapped on small requests. A
plain query (valid, within its cost) skips even that: `execute_query` runs the same steps
straight into graphql-core (main.py's JSON POST); the rest goes through strawberry and this
extension.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Hashable, Iterator, Sequence
from functools import lru_cache
from inspect import isawaitable
from typing import Any, Generic, TypeVar

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError, OperationType, execute, get_operation_ast, parse, specified_rules
from graphql.validation import ASTValidationRule, NoSchemaIntrospectionCustomRule
from strawberry.execution.is_awaitable import optimized_is_awaitable
from strawberry.extensions import MaxAliasesLimiter, QueryDepthLimiter, SchemaExtension
from strawberry.schema.schema import validate_document
from strawberry.types import ExecutionResult as StrawberryExecutionResult

from resolvers.personal_data import record_personal_data_read
from rules.access import reads_others_contacts
from rules.errors import DEFAULT_LANGUAGE, ErrorCode, render
from schema.contact_reads import listed_contacts
from schema.cost import page_variables, query_cost
from schema.errors import localize
from settings import Settings

CACHE_SIZE = 512  # distinct query texts kept parsed and validated (clients send few)

_parse = lru_cache(maxsize=CACHE_SIZE)(parse)
T = TypeVar("T")


class _ByIdentity(Generic[T]):
    """Values computed from objects the parse cache keeps alive (the schema, a parsed document),
    looked up by the objects' identity: hashing a document hashes its whole tree, which cost
    most of the validation step of a large query. The `size` most recent are kept; an entry
    holds its objects, so their ids are not reused while it lives."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: OrderedDict[tuple[Any, ...], tuple[tuple[Any, ...], T]] = OrderedDict()

    def get(self, objects: tuple[Any, ...], extra: Hashable, compute: Callable[[], T]) -> T:
        key = (*map(id, objects), extra)
        entry = self.entries.get(key)
        if entry is not None and all(a is b for a, b in zip(entry[0], objects, strict=True)):
            self.entries.move_to_end(key)
            return entry[1]
        value = compute()
        self.entries[key] = (objects, value)
        if len(self.entries) > self.size:
            self.entries.popitem(last=False)
        return value


_VALIDATED: _ByIdentity[list[GraphQLError]] = _ByIdentity(CACHE_SIZE)
# A query's cost depends on its document and the values of its page-size variables only.
_PAGE_VARIABLES: _ByIdentity[tuple[str, ...]] = _ByIdentity(CACHE_SIZE)
_COSTS: _ByIdentity[int] = _ByIdentity(CACHE_SIZE * 16)


def _validate(schema: Any, document: Any, rules: tuple[type[ASTValidationRule], ...]) -> list[GraphQLError]:
    return _VALIDATED.get((schema, document), rules, lambda: list(validate_document(schema, document, rules)))


def _cost(document: Any, variables: dict[str, Any] | None) -> int:
    names = _PAGE_VARIABLES.get((document,), None, lambda: page_variables(document))
    values = tuple(repr((variables or {}).get(name)) for name in names)
    return _COSTS.get((document,), values, lambda: query_cost(document, variables))


def limit_rules(settings: Settings) -> tuple[type[ASTValidationRule], ...]:
    """The request limits as validation rules, built once: the validation cache is keyed by the
    rule classes, so rules made per request would never hit it."""
    rules: list[type[ASTValidationRule]] = [
        *QueryDepthLimiter(max_depth=settings.max_query_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.max_aliases).validation_rules,
    ]
    if not settings.development:
        rules.append(NoSchemaIntrospectionCustomRule)
    return tuple(rules)


class RequestPipeline(SchemaExtension):
    def __init__(self, settings: Settings, rules: Sequence[type[ASTValidationRule]]) -> None:
        super().__init__()
        self.settings = settings
        self.rules = tuple(rules)

    def _language(self) -> str:
        return getattr(self.execution_context.context, "language", DEFAULT_LANGUAGE)

    def on_operation(self) -> Iterator[None]:
        self.execution_context.parse_options["max_tokens"] = self.settings.max_tokens
        yield
        result = self.execution_context.result
        if result is not None and getattr(result, "errors", None):
            language = self._language()
            result.errors = [localize(error, language) for error in result.errors]

    async def on_execute(self) -> AsyncIterator[None]:
        yield
        context = self.execution_context
        if context.graphql_document is not None and context.query is not None:
            await _audit_contact_reads(context.schema._schema, getattr(context.context, "actor", None), context.result,
                                       context.query, context.operation_name, context.graphql_document)

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        context.graphql_document = _parse(context.query, **context.parse_options)
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        context.validation_rules = context.validation_rules + self.rules
        context.pre_execution_errors = _refusals(context.schema._schema, context.graphql_document,
                                                 context.validation_rules, context.variables, self.settings,
                                                 self._language())
        yield


def _refusals(schema: Any, document: Any, rules: tuple[type[ASTValidationRule], ...],
              variables: dict[str, Any] | None, settings: Settings, language: str) -> list[GraphQLError]:
    """Why a parsed operation may not run: its validation errors, else a cost over the limit."""
    errors = _validate(schema, document, rules)
    if errors:
        return list(errors)
    limit = settings.max_query_cost
    cost = _cost(document, variables)
    if cost <= limit:
        return []
    return [
        GraphQLError(
            render(ErrorCode.QUERY_TOO_COSTLY, language, {"cost": cost, "limit": limit}),
            extensions={"code": ErrorCode.QUERY_TOO_COSTLY.value, "cost": cost, "limit": limit},
        )
    ]


async def _audit_contact_reads(schema: Any, actor: Any, result: Any, query: str, operation_name: str | None,
                               document: Any) -> None:
    """Personal contacts read in a list: one audit event for the request (resolvers/personal_data.py)."""
    if actor is None or not reads_others_contacts(actor) or getattr(result, "data", None) is None:
        return
    fields = listed_contacts(schema, query, operation_name, document)
    if fields:
        await record_personal_data_read(actor, "listed", {
            "operation": operation_name or "", "fields": sorted(fields),
            "query_sha256": hashlib.sha256(query.encode()).hexdigest(),
        })


async def execute_query(schema: Any, settings: Settings, rules: tuple[type[ASTValidationRule], ...], query: Any,
                        variables: dict[str, Any] | None, operation_name: str | None, context: Any) -> Any:
    """A query that parses, validates and is within its cost (the commonest request), through
    the same steps as strawberry's `Schema.execute` with `RequestPipeline`, without the
    extension machinery around each step (strawberry builds four context managers per request,
    about 6% of a small page); None for anything else, which the caller sends through
    strawberry's own `execute` (it reports the error, or runs the mutation or subscription)."""
    if not isinstance(query, str) or not query:
        return None
    try:
        document = _parse(query, max_tokens=settings.max_tokens)  # the cache RequestPipeline.on_parse fills
    except GraphQLError:
        return None
    operation = get_operation_ast(document, operation_name)
    if operation is None or operation.operation is not OperationType.QUERY:
        return None
    if operation_name is None and operation.name is not None:  # as strawberry names it (audit, execution)
        operation_name = operation.name.value
    graphql_schema = schema._schema
    language = getattr(context, "language", DEFAULT_LANGUAGE)
    if _refusals(graphql_schema, document, (*specified_rules, *rules), variables, settings, language):
        return None
    try:
        result = execute(graphql_schema, document, context_value=context, variable_values=variables,
                         operation_name=operation_name, executor_class=schema.execution_context_class,
                         is_awaitable=optimized_is_awaitable, operation_extensions=None)
        if isawaitable(result):
            result = await result
    except Exception as exc:  # as strawberry's execute: an error of the request, not a crash
        result = GraphQLExecutionResult(data=None, errors=[exc if isinstance(exc, GraphQLError) else GraphQLError(
            str(exc), original_error=exc)])
    errors = result.errors
    if errors:
        schema._process_errors(errors, None)
    await _audit_contact_reads(graphql_schema, getattr(context, "actor", None), result, query, operation_name, document)
    if errors:
        errors = [localize(error, language) for error in errors]
    return StrawberryExecutionResult(data=result.data, errors=errors, extensions={})
