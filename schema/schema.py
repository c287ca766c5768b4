"""The one GraphQL schema, merged from per-domain Query and Mutation classes."""

from __future__ import annotations

import logging
from pathlib import Path

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
)
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from rules.errors import DomainError
from schema.admin import AdminMutation, AdminQuery
from schema.applications import ApplicationsMutation, ApplicationsQuery
from schema.calendar import CalendarMutation, CalendarQuery
from schema.complaints import ComplaintsMutation, ComplaintsQuery
from schema.errors import TypedErrors
from schema.licenses import LicensesMutation, LicensesQuery
from schema.licensing import LicensingMutation
from schema.node import NodeQuery
from schema.parties import DataCenter, Miner, PartiesMutation, PartiesQuery, Pool
from schema.pool_change import PoolChangeMutation, PoolChangeQuery
from schema.registry import RegistryMutation, RegistryQuery
from settings import Settings

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "schema.graphql"
log = logging.getLogger("registry.graphql")

Query = merge_types(
    "Query",
    (
        NodeQuery, PartiesQuery, CalendarQuery, AdminQuery, ApplicationsQuery,
        LicensesQuery, PoolChangeQuery, ComplaintsQuery, RegistryQuery,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        PartiesMutation, CalendarMutation, AdminMutation, ApplicationsMutation, LicensingMutation,
        LicensesMutation, PoolChangeMutation, ComplaintsMutation, RegistryMutation,
    ),
)


class RegistrySchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Expected failures (bad input, permissions) are answers, not incidents: log only
        # the unexpected ones (TypedErrors logs those with their trace).
        for error in errors:
            if error.original_error is None or isinstance(error.original_error, DomainError):
                log.info("request error: %s", error.message)


def build_schema(settings: Settings) -> strawberry.Schema:
    # Factories, not instances: strawberry builds fresh extensions for every request.
    extensions: list = [
        lambda: QueryDepthLimiter(max_depth=settings.max_query_depth),
        lambda: MaxAliasesLimiter(max_alias_count=settings.max_aliases),
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        TypedErrors,
    ]
    if not settings.development:
        extensions.insert(0, DisableIntrospection)
    return RegistrySchema(
        query=Query,
        mutation=Mutation,
        types=[Miner, DataCenter, Pool],
        extensions=extensions,
    )


def schema_sdl() -> str:
    return build_schema(Settings(database_url="sqlite://:memory:")).as_str() + "\n"
