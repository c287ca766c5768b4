"""Every request's way through the schema, as one strawberry extension: parse (cached, bounded
in tokens), validate (cached, with the depth and alias limits and, in production, no
introspection), refuse costly queries, give every top-level error its code and message, and after execution
audit a bulk read of personal contacts (schema/contact_reads.py; one event per request).

One extension instead of seven: strawberry runs each extension's hooks as context managers at
every step of every request, which cost more than the work they wrapped on small requests.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterator, Sequence
from functools import lru_cache
from typing import Any

from graphql import GraphQLError, parse
from graphql.validation import ASTValidationRule, NoSchemaIntrospectionCustomRule
from strawberry.extensions import MaxAliasesLimiter, QueryDepthLimiter, SchemaExtension
from strawberry.schema.schema import validate_document

from resolvers.personal_data import record_personal_data_read
from rules.access import reads_others_contacts
from rules.errors import DEFAULT_LANGUAGE, ErrorCode, render
from schema.contact_reads import listed_contacts
from schema.cost import page_variables, query_cost
from schema.errors import localize
from settings import Settings

CACHE_SIZE = 512  # distinct query texts kept parsed and validated (clients send few)

_parse = lru_cache(maxsize=CACHE_SIZE)(parse)
# Validation results by document: the parse cache hands back the same document object for the
# same text, so it is looked up by identity (an lru_cache on the document hashed the whole
# tree at every request). The entry holds the document, so its id is not reused meanwhile.
_validated: OrderedDict[tuple[int, int, tuple[type[ASTValidationRule], ...]], tuple[Any, Any, list[GraphQLError]]] = (
    OrderedDict()
)
# Query costs by document: (document, its page-size variables, cost by their values): the cost
# depends on no other variable.
_costs: OrderedDict[int, tuple[Any, tuple[str, ...], dict[tuple[str, ...], int]]] = OrderedDict()
_COSTS_PER_DOCUMENT = 16


def _validate(schema: Any, document: Any, rules: tuple[type[ASTValidationRule], ...]) -> list[GraphQLError]:
    key = (id(schema), id(document), rules)
    entry = _validated.get(key)
    if entry is not None and entry[0] is schema and entry[1] is document:
        _validated.move_to_end(key)
        return entry[2]
    errors = list(validate_document(schema, document, rules))
    _validated[key] = (schema, document, errors)
    if len(_validated) > CACHE_SIZE:
        _validated.popitem(last=False)
    return errors


def _cost(document: Any, variables: dict[str, Any] | None) -> int:
    entry = _costs.get(id(document))
    if entry is None or entry[0] is not document:
        entry = _costs[id(document)] = (document, page_variables(document), {})
        if len(_costs) > CACHE_SIZE:
            _costs.popitem(last=False)
    else:
        _costs.move_to_end(id(document))
    _, names, by_values = entry
    values = tuple(repr((variables or {}).get(name)) for name in names)
    cost = by_values.get(values)
    if cost is None:
        cost = query_cost(document, variables)
        if len(by_values) < _COSTS_PER_DOCUMENT:
            by_values[values] = cost
    return cost


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
        # Personal contacts read in a list: one audit event for the request (resolvers/personal_data.py).
        context = self.execution_context
        actor = getattr(context.context, "actor", None)
        result = context.result
        if actor is None or not reads_others_contacts(actor) or getattr(result, "data", None) is None:
            return
        if context.graphql_document is None or context.query is None:
            return
        fields = listed_contacts(context.schema._schema, context.query, context.operation_name, context.graphql_document)
        if fields:
            await record_personal_data_read(actor, "listed", {
                "operation": context.operation_name or "", "fields": sorted(fields),
                "query_sha256": hashlib.sha256(context.query.encode()).hexdigest(),
            })

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        context.graphql_document = _parse(context.query, **context.parse_options)
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        context.validation_rules = context.validation_rules + self.rules
        errors = _validate(context.schema._schema, context.graphql_document, context.validation_rules)
        if not errors:
            errors = self._cost_errors(context.graphql_document, context.variables)
        context.pre_execution_errors = list(errors)
        yield

    def _cost_errors(self, document: Any, variables: dict[str, Any] | None) -> list[GraphQLError]:
        limit = self.settings.max_query_cost
        cost = _cost(document, variables)
        if cost <= limit:
            return []
        return [
            GraphQLError(
                render(ErrorCode.QUERY_TOO_COSTLY, self._language(), {"cost": cost, "limit": limit}),
                extensions={"code": ErrorCode.QUERY_TOO_COSTLY.value, "cost": cost, "limit": limit},
            )
        ]
