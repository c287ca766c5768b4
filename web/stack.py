"""The HTTP edge's middlewares in their order (README, "Security model").

Pure ASGI middlewares, outermost first (`edge_middleware`):

1. `headers.SecurityHeaders`: nosniff, Referrer-Policy, a strict CSP, `Cache-Control: no-store`,
   HSTS in production; on every response, refusals included.
2. Starlette's `CORSMiddleware`: an explicit allow-list of origins (settings.cors_origins).
3. `rate_limit.RateLimits`: per-IP and per-token limits, the failed-authentication lockout (429).
4. `deadline.Deadline`: the per-request time limit (503 TIMEOUT).
5. `body_limit.BodyLimit`: the body size limit, on Content-Length and while streaming (413).

Every refusal is a GraphQL-shaped error (`bad_request.error_response`).
"""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

from settings import Settings
from web.body_limit import BodyLimit
from web.deadline import Deadline
from web.headers import SecurityHeaders
from web.rate_limit import LimitStore, RateLimits

__all__ = ["edge_middleware"]

# What a browser client sends besides the CORS-safelisted headers.
CORS_HEADERS = ["Authorization", "Content-Type", "Accept-Language"]


def edge_middleware(settings: Settings, store: LimitStore) -> list[Middleware]:
    """The middlewares; `store` (the rate-limit counters) is the app's, closed by its lifespan."""
    return [
        Middleware(SecurityHeaders, production=not settings.development),
        Middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=CORS_HEADERS,
            expose_headers=["Retry-After", "Content-Disposition"],
            allow_credentials=False,  # bearer tokens, no cookies
            max_age=600,
        ),
        Middleware(RateLimits, settings=settings, store=store),
        Middleware(Deadline, seconds=settings.request_timeout_seconds),
        Middleware(BodyLimit, max_body=settings.max_body_bytes, max_upload=settings.max_upload_bytes),
    ]
