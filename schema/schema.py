"""The one GraphQL schema, merged from per-domain Query and Mutation classes (an explicit list:
add a domain's classes here when you add a domain)."""

from __future__ import annotations

import logging
from pathlib import Path

import strawberry
from graphql import GraphQLError
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from rules.errors import DomainError
from schema.applications import ApplicationsMutation, ApplicationsQuery
from schema.audit import AuditQuery
from schema.bin_iin import BinIinQuery
from schema.bounds import bound_fields
from schema.calendar import CalendarMutation, CalendarQuery
from schema.complaints import ComplaintsMutation, ComplaintsQuery
from schema.documents import DocumentsMutation, DocumentsQuery
from schema.events import EventsQuery, EventsSubscription
from schema.execution import FastLeafExecutionContext, lean_resolvers
from schema.income_reports import IncomeReportsMutation
from schema.inspections import InspectionsMutation, InspectionsQuery
from schema.licenses import LicensesMutation, LicensesQuery
from schema.licensing import LicensingMutation, LicensingQuery
from schema.node import NodeQuery
from schema.notifications import (
    NotificationsMutation,
    NotificationsQuery,
    NotificationsSubscription,
)
from schema.parties import PartiesMutation, PartiesQuery
from schema.pipeline import RequestPipeline, limit_rules
from schema.pool_change import PoolChangeMutation, PoolChangeQuery
from schema.pools import PoolsMutation, PoolsQuery
from schema.registry import RegistryMutation, RegistryQuery
from schema.rule_sets import RuleSetMutation, RuleSetQuery
from schema.types.calendar import CalendarOverride
from schema.types.parties import DataCenter, Miner, Pool
from schema.types.users import ApiToken, User
from schema.users import UsersMutation, UsersQuery
from schema.viewer import ViewerQuery
from schema.webhooks import WebhooksMutation, WebhooksQuery
from settings import Settings

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "schema.graphql"
log = logging.getLogger("registry.graphql")

QUERIES: tuple[type, ...] = (NodeQuery, ApplicationsQuery, LicensingQuery, PartiesQuery, LicensesQuery, PoolChangeQuery, ComplaintsQuery, ViewerQuery, AuditQuery, CalendarQuery, BinIinQuery, RegistryQuery, UsersQuery, PoolsQuery, RuleSetQuery, InspectionsQuery, DocumentsQuery, EventsQuery, WebhooksQuery, NotificationsQuery)
MUTATIONS: tuple[type, ...] = (PartiesMutation, ApplicationsMutation, LicensingMutation, LicensesMutation, PoolChangeMutation, ComplaintsMutation, UsersMutation, CalendarMutation, RegistryMutation, PoolsMutation, IncomeReportsMutation, RuleSetMutation, InspectionsMutation, DocumentsMutation, WebhooksMutation, NotificationsMutation)
SUBSCRIPTIONS: tuple[type, ...] = (EventsSubscription, NotificationsSubscription)
# Node types reachable only through `node(id:)` must be listed so the schema knows them.
NODE_TYPES: tuple[type, ...] = (Miner, DataCenter, Pool, User, ApiToken, CalendarOverride)

# Every argument of every root field is checked against its bounds before the resolver runs.
bound_fields((*QUERIES, *MUTATIONS))

Query = merge_types("Query", QUERIES)
Query.__strawberry_definition__.description = (  # type: ignore[attr-defined]
    "Reading the registry. Every field needs a token (Authorization: Bearer ...); what each "
    "role sees is decided in rules/access.py."
)
Mutation = merge_types("Mutation", MUTATIONS)
Mutation.__strawberry_definition__.description = (  # type: ignore[attr-defined]
    "Changing the registry: each mutation takes one `input` and returns a payload with the "
    "changed objects and typed `errors` (nothing is written when there are errors)."
)

Subscription = merge_types("Subscription", SUBSCRIPTIONS)
Subscription.__strawberry_definition__.description = (  # type: ignore[attr-defined]
    "Live feeds over websockets (graphql-transport-ws at /graphql); the token in the handshake's "
    "Authorization header or in the connection_init payload."
)

class RegistrySchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Expected failures (bad input, permissions) are answers, not incidents: log only
        # the unexpected ones (schema.errors.localize logs those with their trace).
        for error in errors:
            if error.original_error is None or isinstance(error.original_error, DomainError):
                log.info("request error: %s", error.message)


def build_schema(settings: Settings) -> strawberry.Schema:
    rules = limit_rules(settings)
    schema = RegistrySchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=list(NODE_TYPES),
        extensions=[lambda: RequestPipeline(settings, rules)],
        execution_context_class=FastLeafExecutionContext,
    )
    schema.request_rules = rules  # type: ignore[attr-defined]  # schema/pipeline.execute_query's
    lean_resolvers(schema)
    return schema


def schema_sdl() -> str:
    return build_schema(Settings(database_url="sqlite://:memory:")).as_str() + "\n"
