"""The service: Starlette app with GraphQL at /graphql (HTTP + websockets) and /healthz."""

from __future__ import annotations

import contextlib
import gc
import logging
from collections.abc import AsyncIterator

import orjson
from graphql import ExecutionResult
from redis.asyncio import Redis
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from tortoise import Tortoise

from jobs.inprocess import in_process_jobs
from models.db import close_db, init_db
from resolvers import registry_files
from resolvers.auth import authenticate, bearer_token
from resolvers.rule_sets import load_rule_sets
from rules.messages import negotiate_language
from schema.context import Context
from schema.errors import localize
from schema.schema import build_schema
from settings import Settings

log = logging.getLogger("registry")


class RegistryGraphQL(GraphQL):
    def __init__(self, settings: Settings) -> None:
        super().__init__(
            build_schema(settings),
            graphql_ide="graphiql" if settings.development else None,
            allow_queries_via_get=False,  # mutations over GET would bypass CSRF protections
            multipart_uploads_enabled=True,  # App.3 unit lists (GraphQL multipart request spec)
        )
        self.settings = settings

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        # Errors raised before execution (a syntax error while parsing) skip the schema's
        # extensions; give them their code here so that every error has one.
        if result.errors and any(not (e.extensions or {}).get("code") for e in result.errors):
            language = negotiate_language(request.headers.get("accept-language"))
            result.errors = [localize(e, language) for e in result.errors]
        return await super().process_result(request, result)

    def encode_json(self, data: object) -> bytes:
        # UTF-8 as is: Cyrillic escaped as \\uXXXX makes responses about a quarter larger.
        return orjson.dumps(data)

    async def get_context(self, request: Request | WebSocket, response: object = None) -> Context:
        return Context(
            request=request,
            settings=self.settings,
            actor=await authenticate(bearer_token(request.headers.get("authorization"))),
            language=negotiate_language(request.headers.get("accept-language")),
        )


def create_app(settings: Settings | None = None, *, manage_db: bool = True) -> Starlette:
    settings = settings or Settings.from_env()
    graphql = RegistryGraphQL(settings)

    async def healthz(request: Request) -> JSONResponse:
        checks: dict[str, str] = {}
        try:
            await Tortoise.get_connection("default").execute_query("SELECT 1")
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"error: {type(exc).__name__}"
        if settings.redis_url:
            try:
                async with Redis.from_url(settings.redis_url) as redis:
                    await redis.ping()
                checks["redis"] = "ok"
            except Exception as exc:
                checks["redis"] = f"error: {type(exc).__name__}"
        healthy = all(v == "ok" for v in checks.values())
        return JSONResponse({"status": "ok" if healthy else "fail", **checks}, 200 if healthy else 503)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if manage_db:
            # Migrations run once per deploy (`manage.py migrate`), never at every start.
            await init_db(settings.database_url, run_migrations=False)
            await load_rule_sets()  # the orders' publication dates an admin entered
        # Everything loaded at start-up (modules, the schema, the calendar tables) lives as long
        # as the process: keep it out of the cyclic collector's full passes, which otherwise stop
        # the event loop 50-95 ms at a time on this heap (bench/README.md, "XLSX export").
        gc.freeze()
        try:
            if settings.redis_url or not manage_db:
                yield  # the arq worker process runs the jobs
            else:
                async with in_process_jobs():
                    yield
        finally:
            if manage_db:
                await close_db()

    return Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/healthz", healthz),
            # App.1 registry export, streamed: GET ?format=csv|xlsx&lang=kk|ru|en&<filters>
            Route("/exports/asic-units", registry_files.export_endpoint),
        ],
        lifespan=lifespan,
    )


if __name__ == "__main__":
    import uvicorn

    uvicorn.run("main:create_app", factory=True, host="127.0.0.1", port=8000, loop="eventloop:new_event_loop")
