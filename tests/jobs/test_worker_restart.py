"""Issue 10, item 10: the worker survives a Redis restart. A private redis-server is killed under a
running (supervised) worker and started again on the same port; an outbox event written while
Redis was down is delivered afterwards by the same worker, which never exited."""

import asyncio
import logging
import shutil
import socket
import subprocess
import time

import pytest
from arq.connections import RedisSettings
from tortoise.transactions import in_transaction

from jobs.worker import run_supervised
from models.outbox import OutboxEvent
from resolvers import wiring
from resolvers.changes import emit

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs the redis-server binary")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_redis(port: int, workdir) -> subprocess.Popen:
    proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(workdir)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return proc
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError("redis-server did not start")


async def _emit(topic: str, n: int) -> None:
    async with in_transaction() as conn:
        await emit(conn, topic, {"n": n})


async def _delivered(seen: list, n: int, timeout: float) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while n not in seen:
        assert asyncio.get_running_loop().time() < deadline, f"event {n} not delivered in {timeout} s: {seen}"
        await asyncio.sleep(0.1)


@pytest.mark.committing
async def test_item10_worker_reconnects_after_redis_restart_and_delivers(clean_db, settings, monkeypatch, tmp_path,
                                                                         caplog):
    caplog.set_level(logging.WARNING, logger="registry.worker")
    seen: list[int] = []

    async def record(payload, ctx):
        seen.append(payload["n"])

    monkeypatch.setattr(wiring, "OUTBOX_HANDLERS", {"restart.test": record})
    port = _free_port()
    redis = _start_redis(port, tmp_path)
    stop = asyncio.Event()
    supervisor = asyncio.create_task(run_supervised(
        stop, settings=settings, redis=RedisSettings(port=port, conn_retries=1, conn_retry_delay=0.2),
        backoff_first=0.2, backoff_max=1.0, manage_db=False, poll_delay=0.1,
    ))
    try:
        await _emit("restart.test", 1)
        await _delivered(seen, 1, timeout=20)  # the 5-second cron

        redis.kill()
        redis.wait()
        await asyncio.sleep(2)  # the worker meets the dead Redis (arq alone exits here)
        await _emit("restart.test", 2)  # the change commits: the outbox needs no Redis
        assert not supervisor.done()

        redis = _start_redis(port, tmp_path)
        await _delivered(seen, 2, timeout=30)
        assert not supervisor.done()  # the same worker, never restarted from outside
        assert seen == [1, 2]
        assert any("reconnecting to Redis" in r.getMessage() for r in caplog.records)
        assert await OutboxEvent.filter(dispatched_at=None).count() == 0
    finally:
        stop.set()
        restarts = await asyncio.wait_for(supervisor, 15)
        redis.kill()
        redis.wait()
    assert restarts >= 1
