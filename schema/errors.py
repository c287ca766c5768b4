"""Turning failures into typed GraphQL errors: stable `extensions.code`, localized message.

Domain errors keep their code; GraphQL syntax/validation errors get GRAPHQL_VALIDATION;
anything else is an unexpected failure: logged with its stack trace on the server, shown to
the client only as INTERNAL (never a trace or a SQL text).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from rules.errors import DomainError, ErrorCode
from rules.messages import DEFAULT_LANGUAGE, render

log = logging.getLogger("registry.errors")


def _language(extension: SchemaExtension) -> str:
    context = extension.execution_context.context
    return getattr(context, "language", DEFAULT_LANGUAGE)


def localize(error: GraphQLError, language: str) -> GraphQLError:
    original = error.original_error
    if isinstance(original, DomainError):
        extensions = {"code": original.code}
        if original.field:
            extensions["field"] = original.field
        if original.detail:
            extensions["detail"] = original.detail
        params = {"field": original.field, **original.params}
        message = render(original.code, language, params)
    elif original is None or error.path is None:
        # No path: the request itself is wrong (syntax, validation, variable coercion such as
        # an unknown enum value); its message describes the request, not our internals.
        if error.extensions and "code" in error.extensions:
            return error
        extensions = {"code": "GRAPHQL_VALIDATION"}
        message = error.message
    else:
        log.error("unexpected error", exc_info=original)
        extensions = {"code": ErrorCode.INTERNAL.value}
        message = render(ErrorCode.INTERNAL.value, language)
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions=extensions,
    )


class TypedErrors(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and getattr(result, "errors", None):
            language = _language(self)
            result.errors = [localize(error, language) for error in result.errors]
