"""Database configuration, start-up and migrations (the same path for the app, CLI and tests)."""

from __future__ import annotations

from typing import Any

from tortoise import Tortoise
from tortoise.migrations.api.migrate import migrate

from models import MODEL_MODULES


def tortoise_config(database_url: str) -> dict[str, Any]:
    return {
        "connections": {"default": database_url},
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
