"""models/db._Pool: a pooled PostgreSQL connection with nothing to reset goes back to the pool
at once, without asyncpg's shielded release task; anything else takes asyncpg's own path."""

from urllib.parse import urlparse

import asyncpg
import pytest
from asyncpg.pool import PoolConnectionHolder

from models.db import _Client, _NoResetConnection, _Pool


@pytest.fixture
async def pool(database_url):
    if not database_url.startswith(("postgres://", "postgresql://")):
        pytest.skip("the pool is PostgreSQL's (asyncpg); TEST_DATABASE_URL=postgres://... runs it")
    url = urlparse(database_url)
    made = await _Client.create_pool(
        None, host=url.hostname, port=url.port or 5432, user=url.username, database=url.path.lstrip("/"),
        password=url.password, min_size=1, max_size=2, connection_class=_NoResetConnection,
    )
    yield made
    await made.close()


@pytest.fixture
def full_releases(monkeypatch):
    calls = []
    original = PoolConnectionHolder.release

    async def counting(self, timeout):
        calls.append(self)
        return await original(self, timeout)

    monkeypatch.setattr(PoolConnectionHolder, "release", counting)
    return calls


async def test_a_connection_with_nothing_to_reset_goes_back_without_asyncpgs_release(pool, full_releases):
    assert type(pool) is _Pool
    idle = pool.get_idle_size()
    connection = await pool.acquire()
    assert await connection.fetchval("SELECT 1") == 1
    assert pool.get_idle_size() == idle - 1
    await pool.release(connection)
    assert full_releases == [], "asyncpg's shielded release ran"
    assert pool.get_idle_size() == idle
    with pytest.raises(asyncpg.InterfaceError):  # the proxy is detached, as after asyncpg's release
        await connection.fetchval("SELECT 1")
    async with pool.acquire() as again:  # the same connection serves the next statement
        assert await again.fetchval("SELECT 2") == 2
    assert full_releases == []


async def test_a_connection_in_a_transaction_is_rolled_back_by_asyncpgs_own_release(pool, full_releases):
    connection = await pool.acquire()
    await connection.execute("CREATE TEMP TABLE pool_probe (n int)")
    transaction = connection.transaction()
    await transaction.start()
    await connection.execute("INSERT INTO pool_probe VALUES (1)")
    await pool.release(connection)
    assert len(full_releases) == 1
    async with pool.acquire() as again:
        assert not again.is_in_transaction()
        assert await again.fetchval("SELECT count(*) FROM pool_probe") == 0  # rolled back


async def test_an_expired_connection_is_closed_by_asyncpgs_own_release(pool, full_releases):
    connection = await pool.acquire()
    raw = connection._con
    await pool.expire_connections()
    await pool.release(connection)
    assert len(full_releases) == 1
    assert raw.is_closed()
    async with pool.acquire() as fresh:
        assert await fresh.fetchval("SELECT 3") == 3
