"""The service: Starlette app with GraphQL at /graphql (HTTP + websockets) and /healthz."""

from __future__ import annotations

import contextlib
import gc
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import orjson
from cross_web import HTTPException
from graphql import ExecutionResult
from redis.asyncio import Redis
from starlette.applications import Starlette
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.types.unset import UNSET, UnsetType
from tortoise import Tortoise

from jobs.inprocess import in_process_jobs
from jobs.tasks import outbox_backlog
from models.db import close_db, init_db
from resolvers import document_files, registry_files, storage
from resolvers.auth import authenticate, bearer_token
from resolvers.event_feed import EventFeed, publish_committed
from resolvers.events import track_event_writes
from resolvers.notification_feed import NotificationFeed
from resolvers.rule_sets import load_rule_sets
from rules.errors import ErrorCode
from rules.messages import negotiate_language
from schema.context import Context
from schema.errors import localize
from schema.pipeline import execute_query
from schema.schema import build_schema
from schema.websocket import LegacyWSHandler, TransportWSHandler, check_handshake
from settings import Settings
from web.bad_request import error_response
from web.documents import download_endpoint, inspection_photo_endpoint, verify_endpoint
from web.headers import html_csp
from web.metrics import metrics_endpoint
from web.rate_limit import LimitStore
from web.stack import edge_middleware

log = logging.getLogger("registry")


class RegistryGraphQL(GraphQL):
    # Websockets re-check their token (schema/websocket.py).
    graphql_transport_ws_handler_class = TransportWSHandler
    graphql_ws_handler_class = LegacyWSHandler

    def __init__(self, settings: Settings) -> None:
        super().__init__(
            build_schema(settings),
            graphql_ide="graphiql" if settings.development else None,
            allow_queries_via_get=False,  # mutations over GET would bypass CSRF protections
            multipart_uploads_enabled=True,  # App.3 unit lists (GraphQL multipart request spec)
        )
        self.settings = settings
        self.event_feed = EventFeed(settings.event_poll_seconds, settings.event_queue_size, settings.redis_url)
        self.notification_feed = NotificationFeed(settings.event_poll_seconds, settings.event_queue_size,
                                                  settings.redis_url)
        self._ide: tuple[str, str] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope=scope, receive=receive)
        written = track_event_writes()
        try:
            response = await self._json_post(request)
        except (HTTPException, StarletteHTTPException) as exc:
            # Not a GraphQL request (bad JSON or encoding, wrong content type, a batch, a query
            # over GET): the same shape as any other error, with its HTTP status.
            reason = exc.reason if isinstance(exc, HTTPException) else exc.detail
            language = negotiate_language(request.headers.get("accept-language"))
            response = error_response(exc.status_code, ErrorCode.BAD_REQUEST, language, detail=reason)
        finally:
            await request.close()  # the uploaded parts' temporary files, used or not
        if written:  # events committed: wake this process's feed and every other one's
            self.event_feed.notify()
            await publish_committed(self.settings.redis_url)
        await response(scope, receive, send)

    async def _json_post(self, request: Request) -> Response:
        """One operation POSTed as JSON, the commonest request, through the same steps as
        strawberry's general view (`run`): the caller first (authentication, counted failures),
        then the body, the operation, the result, the same response. Its request adapter, sub-
        response, content-type parsing and hooks for GET, the IDE, batches, uploads and
        streams cost 0.05-0.1 ms a request (bench/README.md); anything other than a plain JSON
        object body (a batch, an upload, a streaming Accept, bad field types) goes to `run`,
        with the context already made."""
        context = await self.get_context(request)
        content_type = request.headers.get("content-type", "")
        if (
            request.method != "POST"
            or content_type.partition(";")[0].strip().lower() != "application/json"
            or self._get_stream_transport_from_headers(request.headers) is not None
        ):
            return await self.run(request, context=context)
        data = self.decode_json(await request.body())  # Starlette keeps the body: `run` may read it again
        if not isinstance(data, dict):
            return await self.run(request, context=context)
        query, variables, extensions = data.get("query"), data.get("variables"), data.get("extensions")
        if (
            not isinstance(query, str | None)
            or not isinstance(variables, dict | None)
            or not isinstance(extensions, dict | None)
        ):
            return await self.run(request, context=context)
        operation_name = data.get("operationName")
        result = None
        if extensions is None and isinstance(operation_name, str | None):  # a query: without strawberry's hooks
            result = await execute_query(self.schema, self.settings, self.schema.request_rules, query, variables,
                                         operation_name, context)
        if result is None:
            result = await self.execute_single(
                request=request, request_adapter=self.request_adapter_class(request), sub_response=None,
                context=context, root_value=None,
                request_data=GraphQLRequestData(query=query, variables=variables, operation_name=operation_name,
                                                extensions=extensions, protocol="http"),
            )
        response_data = await self.process_result(request, result)
        if result.errors:
            self._handle_errors(result.errors, response_data)
        return Response(self.encode_json(response_data), media_type="application/json")

    def decode_json(self, data: str | bytes) -> object:
        # UTF-8 only (no guessing of UTF-16/32 from the first bytes), and a GraphQL request is
        # an object (or a list: a batch, refused as such); `null`, `12` or `"..."` are not.
        try:
            value = json.loads(data.decode() if isinstance(data, bytes) else data)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise HTTPException(400, "Unable to parse request body as JSON (UTF-8)") from exc
        if not isinstance(value, dict | list):
            raise HTTPException(400, "The request body must be a JSON object")
        return value

    async def parse_http_body(self, request: Any) -> Any:
        try:
            return await super().parse_http_body(request)
        except (AttributeError, TypeError, ValueError) as exc:  # e.g. a multipart `map` that is a list
            raise HTTPException(400, "Malformed GraphQL request") from exc

    async def render_graphql_ide(self, request: Request) -> Response:
        if self._ide is None:
            html = self.graphql_ide_html
            self._ide = (html, html_csp(html))
        html, csp = self._ide
        return HTMLResponse(html, headers={"Content-Security-Policy": csp})

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        # Errors raised before execution (a syntax error while parsing) skip the schema's
        # extensions; give them their code here so that every error has one.
        if result.errors and any(not (e.extensions or {}).get("code") for e in result.errors):
            language = negotiate_language(request.headers.get("accept-language"))
            result.errors = [localize(e, language) for e in result.errors]
        return await super().process_result(request, result)

    async def on_ws_connect(self, context: Context) -> UnsetType:
        await check_handshake(context)
        return UNSET

    def encode_json(self, data: object) -> bytes:
        # UTF-8 as is: Cyrillic escaped as \\uXXXX makes responses about a quarter larger.
        return orjson.dumps(data)

    async def get_context(self, request: Request | WebSocket, response: object = None) -> Context:
        return Context(
            request=request,
            settings=self.settings,
            actor=await authenticate(bearer_token(request.headers.get("authorization"))),
            language=negotiate_language(request.headers.get("accept-language")),
            event_feed=self.event_feed,
            notification_feed=self.notification_feed,
        )


def create_app(settings: Settings | None = None, *, manage_db: bool = True) -> Starlette:
    settings = settings or Settings.from_env()
    storage.configure(settings)
    graphql = RegistryGraphQL(settings)
    limit_store = LimitStore(settings.redis_url)  # rate-limit counters (web/rate_limit.py)

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
        body: dict[str, object] = {"status": "ok" if healthy else "fail", **checks}
        if checks["database"] == "ok":
            # The delivery backlog: informative (a growing `oldest_age_seconds` means no worker runs).
            body["outbox"] = await outbox_backlog()
        return JSONResponse(body, 200 if healthy else 503)

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
                async with in_process_jobs(settings=settings):
                    yield
        finally:
            await graphql.event_feed.close()
            await graphql.notification_feed.close()
            await limit_store.close()
            if manage_db:
                await close_db()

    app = Starlette(
        routes=[
            Route("/graphql", graphql),  # GET and POST; other methods get a GraphQL-shaped 405
            WebSocketRoute("/graphql", graphql),
            Route("/healthz", healthz),
            Route("/metrics", metrics_endpoint),  # Prometheus, admins' token (web/metrics.py)
            # App.1 registry export, streamed: GET ?format=csv|xlsx&lang=kk|ru|en&<filters>
            Route("/exports/asic-units", registry_files.export_endpoint),
            Route("/application-documents/{id}/file", document_files.document_file_endpoint),
            # Public: a signed document's status by the code printed under its QR code.
            Route("/verify/{code}", verify_endpoint, methods=["GET", "POST"]),
            # A signed document through the short-lived link of its GraphQL `downloadUrl`.
            Route("/documents/{token}", download_endpoint),
            # An inspection's evidence photo through the short-lived link of its `downloadUrl`.
            Route("/inspection-photos/{token}", inspection_photo_endpoint),
        ],
        # Body size, time and rate limits, security headers and CORS (web/stack.py).
        middleware=edge_middleware(settings, limit_store),
        lifespan=lifespan,
    )
    app.state.limit_store = limit_store
    app.state.settings = settings
    app.state.event_feed = graphql.event_feed
    app.state.notification_feed = graphql.notification_feed
    return app


if __name__ == "__main__":
    import uvicorn

    uvicorn.run("main:create_app", factory=True, host="127.0.0.1", port=8000, loop="eventloop:new_event_loop")
