"""Where authentication reports a failed attempt (an unknown, malformed, revoked or expired
token): `resolvers/auth.py` calls `auth_failed()`; the rate-limit middleware (web/rate_limit.py)
sets, per request, what counts it against the caller's IP. Outside a request (CLI, tests of
the use cases) nothing is counted. No imports of the project: the auth module may import it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar

__all__ = ["auth_failed", "reporter"]

reporter: ContextVar[Callable[[], Awaitable[None]] | None] = ContextVar("auth_failure_reporter", default=None)


async def auth_failed() -> None:
    if (report := reporter.get()) is not None:
        await report()
