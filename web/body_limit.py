"""The request body size limit, checked before anything reads the body.

A declared `Content-Length` over the limit is refused at once, unread; a body without one
(chunked) or longer than declared is counted while it streams in and refused as soon as it
passes the limit, so at most `limit` bytes (plus one chunk) are ever taken in. GraphQL JSON
gets `max_body`; multipart requests (App.3 unit lists, which python-multipart spools to disk
as they stream) get `max_upload`. Refusals are 413 REQUEST_TOO_LARGE, before parsing and
before authentication.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rules.errors import ErrorCode
from web.bad_request import send_error

__all__ = ["BodyLimit", "BodyTooLarge"]


class BodyTooLarge(Exception):
    """Raised to the reader of the body when it passes the limit (not a ValueError: nothing on
    the way, e.g. the multipart parser, may take it for a malformed body)."""


class BodyLimit:
    def __init__(self, app: ASGIApp, *, max_body: int, max_upload: int) -> None:
        self.app = app
        self.max_body = max_body
        self.max_upload = max_upload

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        multipart = headers.get("content-type", "").lower().startswith("multipart/")
        limit = self.max_upload if multipart else self.max_body
        declared = headers.get("content-length")
        if declared is not None:
            if not declared.isascii() or not declared.isdigit():
                await send_error(scope, receive, send, 400, ErrorCode.BAD_REQUEST, detail="bad Content-Length")
                return
            if int(declared) > limit:
                await send_error(scope, receive, send, 413, ErrorCode.REQUEST_TOO_LARGE, limit=limit)
                return

        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except BodyTooLarge:
            if started:  # the app answered before reading all of it: nothing more to say
                return
            await send_error(scope, receive, send, 413, ErrorCode.REQUEST_TOO_LARGE, limit=limit)
