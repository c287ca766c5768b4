"""Websockets (`/graphql`, graphql-transport-ws and the legacy graphql-ws) keep checking their
token: a socket is authenticated once, by the `Authorization` header of its handshake, and
would otherwise outlive the revocation or expiry of its token.

- At the handshake, a token that is presented but not live rejects the connection (4403).
- Before every operation (`subscribe` / `start`) and every `ws_token_check_seconds` (settings)
  while it is open, the token is checked again: revoked or expired closes the socket with 4401.
A socket without a token stays open; each of its operations answers UNAUTHENTICATED.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler

from resolvers.auth import authenticate, bearer_token
from schema.context import Context

__all__ = ["CLOSE_TOKEN_NOT_LIVE", "LegacyWSHandler", "TransportWSHandler", "check_handshake"]

CLOSE_TOKEN_NOT_LIVE = 4401


def _token(context: Context) -> str | None:
    request = context.request
    return bearer_token(request.headers.get("authorization")) if request is not None else None


async def check_handshake(context: Context) -> None:
    """A presented token that authenticated nobody (revoked, expired, unknown) rejects the socket."""
    if _token(context) is not None and context.actor is None:
        raise ConnectionRejectionError({"code": "UNAUTHENTICATED"})


class _TokenWatch:
    """Mixin for both protocol handlers: the periodic and per-operation checks."""

    context: Context
    websocket: Any

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
    async def handle_subscribe(self, message: Any) -> None:
        if await self._token_live():
            await super().handle_subscribe(message)


class LegacyWSHandler(_TokenWatch, BaseGraphQLWSHandler):
    async def handle_start(self, message: Any) -> None:
        if await self._token_live():
            await super().handle_start(message)
