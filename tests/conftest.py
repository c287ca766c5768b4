"""Shared fixtures: one database per test session (SQLite by default, PostgreSQL when
TEST_DATABASE_URL says so), built through the real migrations, emptied before each test."""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from httpx import ASGITransport, AsyncClient
from tortoise import Tortoise

from main import create_app
from models.db import close_db, init_db
from settings import Settings


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


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def db(database_url: str) -> AsyncIterator[str]:
    if database_url.startswith("postgres"):
        await _drop_postgres_schema(database_url)
    await init_db(database_url)  # migrations from an empty database, as in production
    yield database_url
    await close_db()


def _tables() -> list[str]:
    tables = []
    for app in Tortoise.apps.values():
        for model in app.values():
            tables.append(model._meta.db_table)
    return tables


@pytest_asyncio.fixture(loop_scope="session")
async def clean_db(db: str) -> str:
    conn = Tortoise.get_connection("default")
    tables = _tables()
    if db.startswith("postgres"):
        await conn.execute_script(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE;")
    else:
        await conn.execute_script(
            "PRAGMA foreign_keys=OFF;"
            + "".join(f"DELETE FROM {t};" for t in tables)
            + "DELETE FROM sqlite_sequence;PRAGMA foreign_keys=ON;"
        )
    return db


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, environment="development")


@pytest_asyncio.fixture(loop_scope="session")
async def client(clean_db: str, settings: Settings) -> AsyncIterator[AsyncClient]:
    app = create_app(settings, manage_db=False)
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as c:
        yield c
