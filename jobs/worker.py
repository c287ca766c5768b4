"""The worker process: `python -m jobs.worker` (supervised: survives Redis restarts), or arq's own
`arq jobs.worker.WorkerSettings` (exits when Redis goes away, like any arq worker).

arq's worker ends its main loop with the first Redis error (within ~6 s of Redis going away).
`run_supervised` runs it in a loop instead: when it fails, the worker's connections are dropped
and a new worker connects after an exponential back-off (0.5 s doubling to 30 s, reset after a
minute of healthy running). The database connection lives across reconnections. docker-compose
also restarts the container if the process itself ends (`restart: unless-stopped`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from typing import Any, ClassVar

from arq import cron
from arq.connections import RedisSettings
from arq.worker import Worker, create_worker

from jobs.tasks import (
    checkpoint_audit,
    deliver_webhooks,
    dispatch_outbox,
    produce_documents,
    purge_expired,
    recompute_overdue,
)
from models.db import close_db, init_db
from resolvers.rule_sets import load_rule_sets
from settings import Settings

log = logging.getLogger("registry.worker")

BACKOFF_FIRST, BACKOFF_MAX = 0.5, 30.0
HEALTHY_AFTER = 60.0  # seconds of running after which a failure starts the back-off afresh


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
    functions: ClassVar = [dispatch_outbox, produce_documents, recompute_overdue, checkpoint_audit, deliver_webhooks,
                           purge_expired]
    cron_jobs: ClassVar = [
        cron(dispatch_outbox, second=set(range(0, 60, 5)), unique=True),
        cron(produce_documents, second=set(range(2, 60, 5)), unique=True),
        cron(deliver_webhooks, second=set(range(3, 60, 5)), unique=True),
        cron(recompute_overdue, minute=set(range(0, 60, 5)), unique=True),
        cron(checkpoint_audit, minute=set(range(0, 60, 10)), second=30, unique=True),
        cron(purge_expired, hour=3, minute=17, second=40, unique=True),  # the retention purge, daily
    ]
    on_startup = startup
    on_shutdown = shutdown
    redis_settings = redis_settings()
    max_tries = 5
    # `arq --check jobs.worker.WorkerSettings` (the compose health check) reads the key the
    # worker refreshes this often.
    health_check_interval = 30


async def _discard(worker: Worker) -> None:
    """Drop a failed worker: its job tasks and its (broken) Redis connections."""
    for task in worker.tasks.values():
        task.cancel()
    for task in worker.tasks.values():
        with contextlib.suppress(BaseException):
            await task
    if worker._pool is not None:
        with contextlib.suppress(Exception):
            await worker._pool.aclose(close_connection_pool=True)
        worker._pool = None


async def _sleep_unless_stopped(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


async def run_supervised(
    stop: asyncio.Event,
    *,
    settings: Settings | None = None,
    redis: RedisSettings | None = None,
    backoff_first: float = BACKOFF_FIRST,
    backoff_max: float = BACKOFF_MAX,
    manage_db: bool = True,
    **worker_kwargs: Any,
) -> int:
    """Run arq workers until `stop` is set, a new one (after a back-off) whenever one fails.
    Returns how many times it reconnected."""
    settings = settings or Settings.from_env()
    if manage_db:
        await init_db(settings.database_url, run_migrations=False)

    async def keep_settings(ctx: dict[str, Any]) -> None:
        ctx["settings"] = settings

    loop = asyncio.get_running_loop()
    delay, restarts = backoff_first, 0
    try:
        while not stop.is_set():
            worker = create_worker(
                WorkerSettings, redis_settings=redis or WorkerSettings.redis_settings, handle_signals=False,
                on_startup=keep_settings, on_shutdown=None, **worker_kwargs,
            )
            started = loop.time()
            main, stopping = asyncio.create_task(worker.main()), asyncio.create_task(stop.wait())
            await asyncio.wait({main, stopping}, return_when=asyncio.FIRST_COMPLETED)
            stopping.cancel()
            if not main.done():  # stopped
                main.cancel()
                with contextlib.suppress(BaseException):
                    await main
                await _discard(worker)
                break
            error = main.exception()
            await _discard(worker)
            if error is None:
                break  # a burst worker that finished
            if loop.time() - started > HEALTHY_AFTER:
                delay = backoff_first
            restarts += 1
            log.warning("worker stopped (%s: %s); reconnecting to Redis in %.1f s", type(error).__name__, error, delay)
            await _sleep_unless_stopped(stop, delay)
            delay = min(delay * 2, backoff_max)
    finally:
        if manage_db:
            await close_db()
    return restarts


async def _main() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await run_supervised(stop)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    asyncio.run(_main())
