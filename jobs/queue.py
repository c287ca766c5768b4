"""Typed enqueue helpers: the only place that names arq jobs by string."""

from __future__ import annotations

from arq.connections import ArqRedis
from arq.jobs import Job


async def enqueue_dispatch_outbox(redis: ArqRedis) -> Job | None:
    """Ask a worker to deliver the outbox now (the cron does it anyway within seconds).

    One fixed job id: while a dispatch is queued, asking again adds nothing.
    """
    return await redis.enqueue_job("dispatch_outbox", _job_id="dispatch-outbox")
