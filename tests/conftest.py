"""Shared fixtures: one database and one app per test session, one rolled-back transaction
per test.

- ``db`` (session): the database, built once through the real migrations (SQLite file by
  default, PostgreSQL when TEST_DATABASE_URL says so); empty between tests.
- ``clean_db`` (per test): the test runs inside one transaction, rolled back at its end.
  Tortoise binds a transaction to the context (a ContextVar), and pytest-asyncio hands a
  fixture's context to the test, so every query runs on it: the test's own, the factories',
  the app's behind ``client`` (ASGITransport runs it in the test's task) and those of tasks
  they start (DataLoader batches, ``asyncio.to_thread``), which copy the context. The code's
  ``in_transaction()`` becomes a savepoint, bound to the context like a real transaction,
  and such blocks run one at a time, as on SQLite; on PostgreSQL every other statement gets
  its own savepoint, so that a failing one aborts nothing, as in autocommit.
- Ids start at FIRST_ID (100001), and PostgreSQL sequences do not roll back: never write an
  expected id into a test.
- ``client`` (per test): a fresh httpx client on the one session-wide app (``asgi_app``).
- Opt-out: ``@pytest.mark.committing`` on a test that needs real commits or concurrency (a
  second connection, transactions racing on PostgreSQL, work in tasks started outside the
  test's context). It runs without the transaction, on a database emptied (DELETE/TRUNCATE
  of every table, ids restarted) before and after it.
- A test that takes only ``db`` gets no isolation: take ``clean_db`` (or ``client``) to write.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from httpx import ASGITransport, AsyncClient
from starlette.applications import Starlette
from tortoise import Tortoise
from tortoise.backends.base.client import TransactionalDBClient, TransactionContext
from tortoise.connection import get_connections
from tortoise.exceptions import TransactionManagementError
from tortoise.transactions import in_transaction

from main import create_app
from models.db import close_db, init_db
from settings import Settings

COMMITTING = "committing"


def _database_url() -> str:
    if url := os.environ.get("TEST_DATABASE_URL"):
        return url
    path = Path(tempfile.mkdtemp(prefix="registry-test-")) / "test.sqlite3"
    return f"sqlite://{path}"


async def _drop_postgres_schema(url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def database_url() -> str:
    return _database_url()


# Ids of every table start here, on both backends, so that a small id written in a test
# (an "unknown" 999, a wrong-type 1) never names a real row, and a test that assumes ids
# restart at 1 fails at once on SQLite too (PostgreSQL sequences never roll back anyway).
FIRST_ID = 100_001


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def db(database_url: str) -> AsyncIterator[str]:
    if database_url.startswith("postgres"):
        await _drop_postgres_schema(database_url)
    await init_db(database_url)  # migrations from an empty database, as in production
    await _start_ids_at_first_id(database_url)
    yield database_url
    await close_db()


def _tables() -> list[str]:
    tables = []
    for app in Tortoise.apps.values():
        for model in app.values():
            tables.append(model._meta.db_table)
    return tables


def _sqlite_ids_at_first_id(tables: list[str]) -> str:
    """SQLite keeps AUTOINCREMENT counters in sqlite_sequence (a table: rolled back too)."""
    names = ", ".join(f"'{t}'" for t in tables)
    return (
        f"DELETE FROM sqlite_sequence WHERE name IN ({names});"
        "INSERT INTO sqlite_sequence (name, seq) SELECT name, "
        f"{FIRST_ID - 1} FROM sqlite_master WHERE type = 'table' AND name IN ({names})"
        " AND sql LIKE '%AUTOINCREMENT%';"
    )


async def _start_ids_at_first_id(database_url: str) -> None:
    conn = Tortoise.get_connection("default")
    if database_url.startswith("postgres"):
        # START WITH: TRUNCATE ... RESTART IDENTITY (committing tests) comes back to it.
        rows = await conn.execute_query_dict(
            "SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()"
        )
        await conn.execute_script(
            "".join(
                f'ALTER SEQUENCE "{r["sequencename"]}" START WITH {FIRST_ID} RESTART;' for r in rows
            )
        )
    else:
        await conn.execute_script(_sqlite_ids_at_first_id(_tables()))


async def _empty_database(database_url: str) -> None:
    """Empty every table and restart ids: the isolation of ``@pytest.mark.committing`` tests."""
    conn = Tortoise.get_connection("default")
    tables = _tables()
    if database_url.startswith("postgres"):
        await conn.execute_script(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE;")
    else:
        await conn.execute_script(
            "PRAGMA foreign_keys=OFF;"
            + "".join(f"DELETE FROM {t};" for t in tables)
            + _sqlite_ids_at_first_id(tables)
            + "PRAGMA foreign_keys=ON;"
        )


GATE_TIMEOUT = 60.0  # seconds: a deadlock between tasks of one test fails it, never hangs


class _Gate:
    """One top-level transaction at a time, as SQLite's connection lock does in production.

    Owned by a task; the owner passes again (a statement it makes on the test's transaction
    while its own top-level transaction is open runs, instead of waiting for itself)."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task | None = None
        self._depth = 0

    async def acquire(self) -> None:
        task = asyncio.current_task()
        if self._owner is not task:
            # Not asyncio.wait_for: on Python 3.11 it swallows a cancellation that arrives as
            # the lock is granted, and the cancelled task (the event feed, closed at the end of
            # a test) went on as if never cancelled: its close() then waited forever.
            try:
                async with asyncio.timeout(GATE_TIMEOUT):
                    await self._lock.acquire()
            except TimeoutError:
                raise RuntimeError(
                    f"waited {GATE_TIMEOUT} s for another task's transaction ({self._owner}):"
                    " a test whose tasks wait on each other needs @pytest.mark.committing"
                ) from None
            self._owner = task
        self._depth += 1

    def release(self) -> None:
        self._depth -= 1
        if self._depth == 0:
            self._owner = None
            self._lock.release()


class _TopLevel(TransactionContext):
    """What ``in_transaction()`` opens outside any transaction of the code, inside a test: a
    savepoint of the test's transaction, bound to the context as a real transaction is (so the
    code's implicit queries inside it run on it), one at a time (see `_Gate`)."""

    def __init__(self, root: TransactionalDBClient, gate: _Gate) -> None:
        self._root = root
        self._gate = gate
        # The backend's own wrapper: blocks nested in it are its usual savepoints.
        self.client = type(root)(root)
        self.client._lock = root._lock  # one connection: one statement at a time
        self.connection_name = root.connection_name

    async def __aenter__(self) -> TransactionalDBClient:
        await self._gate.acquire()
        try:
            await self.client.savepoint()
        except BaseException:
            self._gate.release()
            raise
        self._token = get_connections().set(self.connection_name, self.client)
        return self.client

    async def __aexit__(self, exc_type: Any, exc_val: Any, exc_tb: Any) -> None:
        try:
            if not self.client._finalized:
                if exc_type is None:
                    await self.client.release_savepoint()
                elif issubclass(exc_type, TransactionManagementError):
                    # A failed transaction: in production the pool's reset rolls it back.
                    with contextlib.suppress(Exception):
                        await self.client.savepoint_rollback()
                else:
                    await self.client.savepoint_rollback()
        finally:
            get_connections().reset(self._token)
            self._gate.release()


class _Statement:
    """A statement made outside any transaction of the code (autocommit in production) on the
    test's transaction. It waits for another task's top-level transaction to end, as it would
    on SQLite. On PostgreSQL it runs in its own savepoint: a failing statement must not abort
    the test's transaction, since in production it aborts nothing."""

    def __init__(self, root: TransactionalDBClient, gate: _Gate, savepoint: bool) -> None:
        self._root = root
        self._gate = gate
        self._savepoint = savepoint

    async def __aenter__(self) -> Any:
        await self._gate.acquire()
        try:
            await self._root._lock.acquire()
            try:
                raw = self._root._connection
                if self._savepoint:
                    self._tx = raw.transaction()  # asyncpg: nested, so a SAVEPOINT
                    await self._tx.start()
                return raw
            except BaseException:
                self._root._lock.release()
                raise
        except BaseException:
            self._gate.release()
            raise

    async def __aexit__(self, exc_type: Any, exc_val: Any, exc_tb: Any) -> None:
        try:
            if self._savepoint:
                if exc_type is None:
                    await self._tx.commit()
                else:
                    await self._tx.rollback()
        finally:
            self._root._lock.release()
            self._gate.release()


@contextlib.asynccontextmanager
async def _rolled_back() -> AsyncIterator[None]:
    """One transaction around the test, never committed.

    ``in_transaction()`` binds its client to the "default" alias in the current context;
    pytest-asyncio copies a fixture's context changes into the test's context, so the test,
    the app it calls and every task they start see this transaction. On SQLite it also holds
    the connection's lock: a query that does not see it waits for the end of the test (that
    is what ``@pytest.mark.committing`` is for)."""
    tx_context = in_transaction("default")
    tx = await tx_context.__aenter__()
    gate = _Gate()
    postgres = tx.capabilities.dialect == "postgres"
    # Instance attributes, so only this transaction behaves as described above.
    tx._in_transaction = lambda: _TopLevel(tx, gate)  # type: ignore[method-assign]
    tx.acquire_connection = lambda: _Statement(tx, gate, savepoint=postgres)  # type: ignore[method-assign]
    try:
        yield
    finally:
        try:
            if not tx._finalized:
                await tx.rollback()
        finally:
            await tx_context.__aexit__(None, None, None)  # finalized: releases, commits nothing


@pytest_asyncio.fixture(loop_scope="session")
async def clean_db(request: pytest.FixtureRequest, db: str) -> AsyncIterator[str]:
    if request.node.get_closest_marker(COMMITTING):
        await _empty_database(db)
        try:
            yield db
        finally:
            await _empty_database(db)  # the next test expects an empty database
        return
    async with _rolled_back():
        yield db


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    # Audit checkpoints exported to a file of the session, never to the repository's data/.
    checkpoints = Path(tempfile.mkdtemp(prefix="registry-audit-")) / "audit-checkpoints.jsonl"
    # No rate limits for the suite (hundreds of requests a minute from one address); the tests
    # of the limits build their own app (tests/web/).
    return Settings(database_url=database_url, environment="development", audit_checkpoint_file=str(checkpoints),
                    storage_dir=tempfile.mkdtemp(prefix="registry-objects-"),
                    dev_signing_dir=tempfile.mkdtemp(prefix="registry-signing-"),
                    rate_limit_per_ip="", rate_limit_per_token="", auth_failure_limit="")


@pytest.fixture(scope="session")
def asgi_app(settings: Settings) -> Starlette:
    """The one app of the session (no lifespan: the `db` fixture owns the database)."""
    return create_app(settings, manage_db=False)


@pytest_asyncio.fixture(loop_scope="session")
async def client(clean_db: str, asgi_app: Starlette) -> AsyncIterator[AsyncClient]:
    async with AsyncClient(transport=ASGITransport(app=asgi_app), base_url="http://test") as c:
        yield c
