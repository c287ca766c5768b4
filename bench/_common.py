"""Shared set-up for the benchmarks: a fresh PostgreSQL schema through the real migrations,
a miner with a data center, an officer with a token, and an in-process ASGI client."""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncpg
from httpx import ASGITransport, AsyncClient

from main import create_app
from models.db import init_db
from resolvers import auth, parties
from rules.access import SYSTEM
from rules.enums import Role
from settings import Settings

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/reg_bench")


def asyncpg_url() -> str:
    return DATABASE_URL.replace("postgres://", "postgresql://", 1)


async def fresh_database() -> None:
    conn = await asyncpg.connect(asyncpg_url())
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()
    await init_db(DATABASE_URL)


async def officer_and_miner():  # type: ignore[no-untyped-def]
    miner = await parties.create_miner(SYSTEM, parties.CreateMiner(
        kind="LE", bin_iin="240140000011", name="ТОО Бенчмарк", legal_address="Астана",
        phone="+7 701 000 00 00", email="bench@miner.kz",
    ))
    dc = await parties.create_data_center(SYSTEM, parties.CreateDataCenter(
        miner_id=miner.id, name="DC", address="Экибастуз", region="PAVLODAR",
        outside_residential_zone=True, power_source="GRID", substation_kv="110",
        permitted_capacity_kw="500000",
    ))
    user = await auth.create_user(SYSTEM, auth.CreateUser(login="bench", full_name="Bench Officer", role=Role.OFFICER))
    token = (await auth.issue_token(SYSTEM, auth.IssueToken(user.id, "bench"))).secret
    return miner, dc, token


def client() -> AsyncClient:
    app = create_app(Settings(database_url=DATABASE_URL, environment="development"), manage_db=False)
    return AsyncClient(transport=ASGITransport(app=app), base_url="http://bench", timeout=600)
