"""Without REDIS_URL the same jobs run inside the API process, on a timer."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from jobs.tasks import (
    checkpoint_audit,
    deliver_webhooks,
    dispatch_outbox,
    produce_documents,
    purge_expired,
    recompute_overdue,
)
from settings import Settings

log = logging.getLogger("registry.jobs")


async def _loop(dispatch_every: float, overdue_every: float, settings: Settings | None) -> None:
    ctx: dict = {"settings": settings} if settings else {}
    since_overdue = overdue_every  # run the overdue check at start
    while True:
        try:
            await dispatch_outbox(ctx)
            await produce_documents(ctx)
            if settings is not None:  # the app's runner (tests run it without)
                await deliver_webhooks(ctx)
            if since_overdue >= overdue_every:
                await recompute_overdue(ctx)
                if settings is not None:  # the app's runner (tests run it without)
                    await checkpoint_audit(ctx)
                    await purge_expired(ctx)  # the retention purge: an indexed delete, mostly of nothing
                since_overdue = 0.0
        except Exception:  # the loop must survive a bad run
            log.exception("in-process job run failed")
        await asyncio.sleep(dispatch_every)
        since_overdue += dispatch_every


@contextlib.asynccontextmanager
async def in_process_jobs(
    dispatch_every: float = 5.0, overdue_every: float = 300.0, settings: Settings | None = None
) -> AsyncIterator[asyncio.Task]:
    """The jobs on a timer; with `settings`, also the audit checkpoint (at the overdue cadence)."""
    task = asyncio.create_task(_loop(dispatch_every, overdue_every, settings), name="in-process-jobs")
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
