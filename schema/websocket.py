"""Websockets (`/graphql`, graphql-transport-ws and the legacy graphql-ws) keep checking their
token: a socket is authenticated once, by the `Authorization` header of its handshake, and
would otherwise outlive the revocation or expiry of its token.

- At the handshake, a token that is presented but not live rejects the connection (4403).
- Before every operation (`subscribe` / `start`) and every `ws_token_check_seconds` (settings)
  while it is open, the token is checked again: revoked or expired closes the socket with 4401.
A socket without a token stays open; each of its operations answers UNAUTHENTICATED.
- Browsers cannot set headers on a websocket: the token may come in the `connection_init`
  payload instead (`{"Authorization": "Bearer ..."}` or `{"token": "..."}`), checked the same way.
- A subscriber that cannot keep up with its events is closed with 4429 (CLOSE_SLOW_CONSUMER).
- With `settings.event_multiplex`, a graphql-transport-ws operation runs with a `Sink`: the
  `events` subscription then sends each event as rendered once for its cohort (schema/multiplex.py).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import orjson
from starlette.websockets import WebSocketDisconnect
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler
from strawberry.types.execution import ExecutionResult, PreExecutionError

from resolvers.auth import authenticate, bearer_token
from schema.context import Context
from schema.errors import localize
from schema.loaders import Loaders
from schema.multiplex import Sink, use_sink

__all__ = ["CLOSE_SLOW_CONSUMER", "CLOSE_TOKEN_NOT_LIVE", "LegacyWSHandler", "TransportWSHandler", "check_handshake"]

CLOSE_TOKEN_NOT_LIVE = 4401
CLOSE_SLOW_CONSUMER = 4429


def _header_token(context: Context) -> str | None:
    request = context.request
    return bearer_token(request.headers.get("authorization")) if request is not None else None


def _token(context: Context) -> str | None:
    return _header_token(context) or context.ws_token


def _init_token(params: Any) -> str | None:
    """The token of a connection_init payload: `{"Authorization": "Bearer ..."}` (any case) or
    `{"token": "..."}`. Browsers cannot set headers on a websocket."""
    if not isinstance(params, dict):
        return None
    for key, value in params.items():
        if isinstance(key, str) and isinstance(value, str):
            if key.lower() == "authorization":
                return bearer_token(value)
            if key == "token":
                return value.strip() or None
    return None


async def check_handshake(context: Context) -> None:
    """A presented token that authenticated nobody (revoked, expired, unknown) rejects the socket.
    Without a header, the token may come in the connection_init payload."""
    if _header_token(context) is None and (token := _init_token(context.connection_params)) is not None:
        actor = await authenticate(token)
        if actor is None:
            raise ConnectionRejectionError({"code": "UNAUTHENTICATED"})
        context.actor, context.ws_token = actor, token
        context.loaders = Loaders(actor)
        return
    if _token(context) is not None and context.actor is None:
        raise ConnectionRejectionError({"code": "UNAUTHENTICATED"})


class _TokenWatch:
    """Mixin for both protocol handlers: the periodic and per-operation checks; messages sent as
    text frames."""

    context: Context
    websocket: Any

    async def send_message(self, message: Any) -> None:
        # Text frames, as both protocols require (a browser's client parses a text message; the
        # adapter would send orjson's bytes as a binary frame).
        try:
            await self.websocket.ws.send_text(orjson.dumps(message).decode())
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc

    async def _token_live(self) -> bool:
        """True while the socket's token is live; otherwise closes the socket."""
        token = _token(self.context)
        if token is None or await authenticate(token) is not None:
            return True
        self.context.actor = None
        await self.websocket.close(code=CLOSE_TOKEN_NOT_LIVE, reason="Token revoked or expired")
        return False

    async def _watch(self) -> None:
        every = self.context.settings.ws_token_check_seconds
        while await self._token_live():
            await asyncio.sleep(every)

    async def handle(self) -> None:
        watcher = asyncio.create_task(self._watch())
        try:
            await super().handle()  # type: ignore[misc]
        finally:
            watcher.cancel()
            with contextlib.suppress(BaseException):
                await watcher


class TransportWSHandler(_TokenWatch, BaseGraphQLTransportWSHandler):
    async def run_operation(self, operation: Any) -> None:
        # The operation's own task: the sink is seen by its resolvers only.
        use_sink(Sink(self.websocket, operation, self.schema) if self.context.settings.event_multiplex else None)
        await super().run_operation(operation)

    async def handle_subscribe(self, message: Any) -> None:
        if await self._token_live():
            await super().handle_subscribe(message)

    async def _send_result_stream(self, operation: Any, result_source: Any) -> None:
        # The results of a subscription's stream skip the schema extensions' error handling:
        # give their errors the same codes and messages as a query's (schema/errors.localize).
        async def localized() -> AsyncIterator[Any]:
            async for result in result_source:
                if isinstance(result, ExecutionResult) and not isinstance(result, PreExecutionError) and result.errors:
                    result.errors = [localize(e, self.context.language) for e in result.errors]
                yield result

        await super()._send_result_stream(operation, localized())


class LegacyWSHandler(_TokenWatch, BaseGraphQLWSHandler):
    async def handle_start(self, message: Any) -> None:
        if await self._token_live():
            await super().handle_start(message)
