"""The per-request time limit: a request whose response has not started within
`seconds` is cancelled and answered 503 TIMEOUT (GraphQL-shaped).

503 rather than 504 (the app is not a gateway) and a top-level error with its own code, so that
clients tell it from a failure (INTERNAL) and may retry. The limit runs until the response
starts: a streamed export whose first page came in time is not cut in the middle of the file.
Cancellation unwinds the request's `in_transaction()` blocks, which roll back. Websockets
(subscriptions) are long-lived by design and not limited here.
"""

from __future__ import annotations

import asyncio
import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rules.errors import ErrorCode
from web.bad_request import send_error

__all__ = ["Deadline"]

log = logging.getLogger("registry.security")


class Deadline:
    def __init__(self, app: ASGIApp, *, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.seconds <= 0:
            await self.app(scope, receive, send)
            return
        started = False
        timeout = asyncio.timeout(self.seconds)

        async def watched_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                timeout.reschedule(None)  # the response is on its way: no more deadline
            await send(message)

        try:
            async with timeout:
                await self.app(scope, receive, watched_send)
        except TimeoutError:
            if started or not timeout.expired():
                raise
            log.warning("event=request_timeout path=%s seconds=%s", scope.get("path"), self.seconds)
            await send_error(scope, receive, send, 503, ErrorCode.TIMEOUT, seconds=_seconds(self.seconds))


def _seconds(value: float) -> str:
    return f"{value:g}"
