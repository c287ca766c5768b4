"""Database configuration, start-up and migrations (the same path for the app, CLI and tests)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

import asyncpg
from asyncpg.pool import PoolConnectionProxy
from pypika_tortoise.context import SqlContext
from pypika_tortoise.terms import Criterion, Term
from tortoise import Tortoise
from tortoise.backends.asyncpg.client import AsyncpgDBClient, TransactionWrapper
from tortoise.backends.asyncpg.executor import AsyncpgExecutor
from tortoise.backends.base.client import (
    NestedTransactionContext,
    TransactionContext,
    TransactionContextPooled,
)
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.filters import is_in
from tortoise.migrations.api.migrate import migrate

from models import MODEL_MODULES
from models.rows import instances

IN_CHUNK = 5000  # values per IN (...) list: far below SQLite's 32,766 variables


def in_chunks(items: Sequence[Any], size: int = IN_CHUNK) -> Iterator[Sequence[Any]]:
    """`items` in slices small enough for one IN (...) list each."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _NoResetConnection(asyncpg.Connection):  # type: ignore[misc]
    """A pooled connection returned without asyncpg's reset query.

    asyncpg sends `SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL;` on every
    release: a second round trip for every statement run outside a transaction. This service
    keeps no session state on pooled connections (advisory locks are transaction-scoped
    `pg_advisory_xact_lock`, no LISTEN, no SET, no cursors outside transactions), and asyncpg
    still rolls back an open transaction on release, so there is nothing to reset.
    """

    def get_reset_query(self) -> str:
        return ""


class _Pool(asyncpg.Pool):  # type: ignore[misc]
    """asyncpg's pool, with a connection that needs no reset given back at once.

    asyncpg returns every connection through a task of its own (`asyncio.shield(holder.release())`),
    so that a cancellation cannot stop the reset query half-way. With no reset query
    (`_NoResetConnection`) and nothing to roll back, there is nothing to await and nothing to
    shield: the connection goes back as `PoolConnectionHolder.release` would put it, without the
    task and the loop iteration it costs every statement run outside a transaction (three a
    request on a page). Any other case takes asyncpg's own path. Relies on asyncpg's internals
    (requirements.lock pins the version; tests/test_db_pool.py checks both paths)."""

    __slots__ = ()

    async def release(self, connection: Any, *, timeout: float | None = None) -> None:
        holder = getattr(connection, "_holder", None)
        con = getattr(holder, "_con", None)
        if (
            type(connection) is PoolConnectionProxy
            and holder._pool is self
            and connection._con is not None
            and con is not None
            and holder._in_use is not None
            and self._reset is None
            and not con.is_closed()
            and holder._generation == self._generation
            and con._protocol.queries_count < holder._max_queries
            and not con._protocol._is_cancelling()
            and not con._protocol.is_in_transaction()
            and con._top_xact is None
            and not con.get_reset_query()
        ):
            self._check_init()
            connection._con._on_release()  # Pool.release
            holder._timeout = None  # PoolConnectionHolder.release
            con._listeners.clear()  # Connection._reset, with no transaction to roll back
            con._log_listeners.clear()
            holder._release()  # back to the pool's queue
            return
        await super().release(connection, timeout=timeout)


class _AnyOf(Criterion):  # type: ignore[misc]
    """`column = ANY($n)`: a PostgreSQL `__in` filter with the whole list as one array parameter.

    pypika builds `IN ($1, ..., $100)` one term per value (a page's loaders spend more on that
    than on the rows), and every list length is another statement text to prepare. Rendered
    without parameters (`.sql()`), it is the plain IN list."""

    def __init__(self, term: Term, values: list[Any]) -> None:
        super().__init__()
        self.term = term
        self.values = values

    def nodes_(self) -> Iterator[Any]:
        yield self
        yield from self.term.nodes_()

    @property
    def is_aggregate(self) -> bool | None:
        return self.term.is_aggregate  # type: ignore[no-any-return]

    def get_sql(self, ctx: SqlContext) -> str:
        if ctx.parameterizer is None:
            return self.term.isin(self.values).get_sql(ctx)  # type: ignore[no-any-return]
        return f"{self.term.get_sql(ctx)}=ANY({ctx.parameterizer.create_param(self.values).get_sql(ctx)})"


def any_of(field: Term, value: Any) -> Criterion:
    """Tortoise's `__in` operator on PostgreSQL (SQLite keeps the IN list: it has no arrays)."""
    if isinstance(value, list | tuple | set) and value:
        return _AnyOf(field, list(value))
    return is_in(field, value)


class _Executor(AsyncpgExecutor):  # type: ignore[misc]
    FILTER_FUNC_OVERRIDE: ClassVar[dict[Any, Any]] = {**AsyncpgExecutor.FILTER_FUNC_OVERRIDE, is_in: any_of}

    async def execute_select(self, sql: str, values: list[Any] | None = None, custom_fields: list[Any] | None = None) -> list[Any]:
        """Plain SELECTs of one model's columns: rows become instances by position
        (models/rows.py); joins, partial rows and annotations take Tortoise's own path."""
        related = self.select_related_idx
        if custom_fields or len(related) != 1 or related[0][0] is not self.model or related[0][4] != (None,):
            return await super().execute_select(sql, values, custom_fields)  # type: ignore[no-any-return]
        _, records = await self.db.execute_query(sql, values)
        rows = instances(self.model, records)
        await self._execute_prefetch_queries(rows)
        return rows


class _TransactionWrapper(TransactionWrapper):  # type: ignore[misc]
    """A transaction's client, with the same executor as outside transactions."""

    executor_class = _Executor

    def _in_transaction(self) -> TransactionContext:
        return NestedTransactionContext(_TransactionWrapper(self))


class _Client(AsyncpgDBClient):  # type: ignore[misc]
    executor_class = _Executor

    async def create_pool(self, **kwargs: Any) -> asyncpg.Pool:
        pool = await asyncpg.create_pool(None, **kwargs)
        pool.__class__ = _Pool  # the same object, its release without a task where none is needed
        return pool

    def _in_transaction(self) -> TransactionContext:
        return TransactionContextPooled(_TransactionWrapper(self), self._pool_init_lock)


client_class = _Client  # this module is the engine of PostgreSQL URLs (see _connection)


def _connection(database_url: str) -> str | dict[str, Any]:
    if not database_url.startswith(("postgres://", "postgresql://", "asyncpg://")):
        return database_url
    config = expand_db_url(database_url)
    config["engine"] = __name__
    config["credentials"]["connection_class"] = _NoResetConnection
    return config


def tortoise_config(database_url: str) -> dict[str, Any]:
    return {
        "connections": {"default": _connection(database_url)},
        "apps": {
            "models": {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": "models.migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


async def apply_migrations(database_url: str) -> None:
    await migrate(config=tortoise_config(database_url))
    await Tortoise.close_connections()


async def init_db(database_url: str, *, run_migrations: bool = True) -> None:
    if run_migrations:
        await apply_migrations(database_url)
    await Tortoise.init(config=tortoise_config(database_url), _enable_global_fallback=True)


async def close_db() -> None:
    await Tortoise.close_connections()


def is_postgres() -> bool:
    return Tortoise.get_connection("default").capabilities.dialect == "postgres"
