"""GraphQL-shaped refusals of the HTTP edge: `{"errors": [{"message", "extensions": {"code"}}]}`
with the code and message of the catalogue (rules/errors.py), in the request's language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from rules.errors import ErrorCode, render
from rules.messages import negotiate_language

__all__ = ["error_body", "error_response", "send_error"]


def error_body(code: ErrorCode, language: str, **params: Any) -> bytes:
    extensions: dict[str, Any] = {"code": code.value}
    if detail := params.get("detail"):
        extensions["detail"] = detail
    return orjson.dumps({"errors": [{"message": render(code, language, params), "extensions": extensions}]})


def error_response(
    status: int, code: ErrorCode, language: str, headers: Mapping[str, str] | None = None, **params: Any
) -> Response:
    return Response(error_body(code, language, **params), status, headers, media_type="application/json")


async def send_error(
    scope: Scope, receive: Receive, send: Send, status: int, code: ErrorCode,
    headers: Mapping[str, str] | None = None, **params: Any,
) -> None:
    """Answer an HTTP request with a refusal; a websocket is closed (policy violation)."""
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008, "reason": code.value})
        return
    language = negotiate_language(Headers(scope=scope).get("accept-language"))
    await error_response(status, code, language, headers, **params)(scope, receive, send)
