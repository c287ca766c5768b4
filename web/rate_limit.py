"""Rate limits and the failed-authentication lockout, with the `limits` library.

- Per client IP and per bearer token (a hash of it: the token itself is never a key), fixed
  windows from settings (`rate_limit_per_ip`, `rate_limit_per_token`, e.g. "600/minute").
- Failed authentications (an unknown, malformed, revoked or expired token) are counted per IP
  against the stricter `auth_failure_limit`; past it, every request from that IP that carries
  a token is refused until the window ends (without one it can guess nothing). `resolvers/auth.py` reports each failure with
  `web.auth_failures.auth_failed()`, counted against the IP this middleware set for the request.
- Over a limit: 429 RATE_LIMITED with `Retry-After` (seconds). Crossing the lockout limit logs
  `event=auth_failed_limit ip=...` at WARNING on the `registry.security` logger: alert on it.
- Counters live in Redis when `settings.redis_url` is set (shared by every process), in memory
  otherwise (one process). A storage failure lets requests through (logged): the limits protect
  the service, they must not take it down with Redis.
- The client IP is the ASGI peer: behind a reverse proxy, run uvicorn with `--proxy-headers
  --forwarded-allow-ips=<the proxy>` so that it is the caller's, not the proxy's.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
import time

from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import FixedWindowRateLimiter
from redis.asyncio import ConnectionPool
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from resolvers.auth import bearer_token
from rules.errors import ErrorCode
from settings import Settings
from web.auth_failures import reporter
from web.bad_request import send_error

__all__ = ["LimitStore", "RateLimits"]

log = logging.getLogger("registry.security")

UNLIMITED_PATHS = frozenset({"/healthz"})  # probes of the orchestrator
_STORAGE_ERROR_LOG_EVERY = 60.0  # seconds between two log lines about a failing storage


class LimitStore:
    """Where the counters live: Redis (its connection pool is ours, closed with the app) or
    this process's memory."""

    def __init__(self, redis_url: str | None) -> None:
        self.pool: ConnectionPool | None = None
        if redis_url:
            self.pool = ConnectionPool.from_url(redis_url)
            self.storage: Storage = RedisStorage(f"async+{redis_url}", implementation="redispy",
                                                 connection_pool=self.pool)
        else:
            self.storage = MemoryStorage()

    async def close(self) -> None:
        if self.pool is not None:
            await self.pool.disconnect()


def _items(limit: str) -> list[RateLimitItem]:
    return parse_many(limit) if limit.strip() else []


class RateLimits:
    def __init__(self, app: ASGIApp, *, settings: Settings, store: LimitStore) -> None:
        self.app = app
        self.limiter = FixedWindowRateLimiter(store.storage)
        self.concurrent = store.pool is not None  # Redis: the counters' round trips overlap
        self.per_ip = _items(settings.rate_limit_per_ip)
        self.per_token = _items(settings.rate_limit_per_token)
        self.auth_failures = _items(settings.auth_failure_limit)
        self._storage_failed_at = -math.inf

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or scope["path"] in UNLIMITED_PATHS:
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        ip = client[0] if client else "unknown"
        retry_after = await self._refused(ip, bearer_token(Headers(scope=scope).get("authorization")))
        if retry_after is not None:
            await send_error(scope, receive, send, 429, ErrorCode.RATE_LIMITED,
                             {"Retry-After": str(retry_after)}, retry_after=retry_after)
            return
        reset = reporter.set(lambda: self.count_auth_failure(ip))
        try:
            await self.app(scope, receive, send)
        finally:
            reporter.reset(reset)

    async def _refused(self, ip: str, token: str | None) -> int | None:
        """Seconds until the caller may retry, or None if the request may go on. The lockout is
        checked and the per-IP and per-token counters are counted together: with Redis, all of
        them at once (one round trip's latency instead of one per counter)."""
        checks = []
        if token:  # a locked-out address may not present tokens; without one it guesses nothing
            checks += [(self.limiter.test, item, ("auth-failures", ip)) for item in self.auth_failures]
        checks += [(self.limiter.hit, item, ("ip", ip)) for item in self.per_ip]
        if token and self.per_token:
            key = hashlib.sha256(token.encode()).hexdigest()[:32]
            checks += [(self.limiter.hit, item, ("token", key)) for item in self.per_token]
        try:
            if self.concurrent:
                passed = await asyncio.gather(*(check(item, *ids) for check, item, ids in checks))
            else:
                passed = [await check(item, *ids) for check, item, ids in checks]
            for (_, item, ids), ok in zip(checks, passed, strict=True):
                if not ok:
                    return await self._retry_after(item, *ids)
        except Exception:
            self._storage_failed()
        return None

    async def count_auth_failure(self, ip: str) -> None:
        log.info("event=auth_failed ip=%s", ip)
        try:
            for item in self.auth_failures:
                await self.limiter.hit(item, "auth-failures", ip)
                if not await self.limiter.test(item, "auth-failures", ip):
                    # This failure reached the limit: the address is locked out from now on.
                    retry_after = await self._retry_after(item, "auth-failures", ip)
                    log.warning("event=auth_failed_limit ip=%s limit=%s locked_for=%ss", ip, item, retry_after)
                    return
        except Exception:
            self._storage_failed()

    async def _retry_after(self, item: RateLimitItem, *ids: str) -> int:
        stats = await self.limiter.get_window_stats(item, *ids)
        return max(1, math.ceil(stats.reset_time - time.time()))

    def _storage_failed(self) -> None:
        now = time.monotonic()
        if now - self._storage_failed_at >= _STORAGE_ERROR_LOG_EVERY:
            self._storage_failed_at = now
            log.exception("event=rate_limit_storage_error: requests are let through")
