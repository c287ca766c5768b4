"""arq WorkerSettings: `arq jobs.worker.WorkerSettings` runs the worker process."""

from __future__ import annotations

import os
from typing import Any, ClassVar

from arq import cron
from arq.connections import RedisSettings

from jobs.tasks import dispatch_outbox, recompute_overdue
from models.db import close_db, init_db
from resolvers.rule_sets import load_rule_sets
from settings import Settings


async def startup(ctx: dict[str, Any]) -> None:
    settings = Settings.from_env()
    # The API process applies migrations; the worker only connects.
    await init_db(settings.database_url, run_migrations=False)
    await load_rule_sets()  # the rule sets' entry into force, as the admin set it
    ctx["settings"] = settings


async def shutdown(ctx: dict[str, Any]) -> None:
    await close_db()


def redis_settings() -> RedisSettings:
    return RedisSettings.from_dsn(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379"))


class WorkerSettings:
    functions: ClassVar = [dispatch_outbox, recompute_overdue]
    cron_jobs: ClassVar = [
        cron(dispatch_outbox, second=set(range(0, 60, 5)), unique=True),
        cron(recompute_overdue, minute=set(range(0, 60, 5)), unique=True),
    ]
    on_startup = startup
    on_shutdown = shutdown
    redis_settings = redis_settings()
    max_tries = 5
