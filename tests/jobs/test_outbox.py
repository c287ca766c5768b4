"""Outbox delivery: in-process without Redis, through a real arq worker with Redis."""

import os
from datetime import UTC, datetime

import pytest
from tortoise.transactions import in_transaction

from jobs.tasks import dispatch_outbox, recompute_overdue
from models.outbox import OutboxEvent
from resolvers import wiring
from resolvers.changes import emit
from tests.factories import make_miner

pytestmark = pytest.mark.usefixtures("clean_db")


@pytest.fixture
def handlers(monkeypatch):
    monkeypatch.setattr(wiring, "OUTBOX_HANDLERS", {})
    return wiring.OUTBOX_HANDLERS


async def test_events_are_delivered_once_in_order(handlers):
    seen = []

    async def record(payload, ctx):
        seen.append(payload["n"])

    handlers["test.topic"] = record
    async with in_transaction() as conn:
        for n in range(3):
            await emit(conn, "test.topic", {"n": n})
    assert await dispatch_outbox({}) == 3
    assert await dispatch_outbox({}) == 0  # idempotent: a second run delivers nothing
    assert seen == [0, 1, 2]
    assert await OutboxEvent.filter(dispatched_at=None).count() == 0


async def test_failing_handler_is_retried_later_and_others_still_go(handlers):
    calls = {"n": 0}

    async def flaky(payload, ctx):
        calls["n"] += 1
        if calls["n"] == 1:
            raise ConnectionError("partner down")

    async def fine(payload, ctx):
        return None

    handlers["flaky"] = flaky
    handlers["fine"] = fine
    async with in_transaction() as conn:
        await emit(conn, "flaky", {})
        await emit(conn, "fine", {})
    assert await dispatch_outbox({}) == 1
    pending = await OutboxEvent.get(topic="flaky")
    assert pending.dispatched_at is None and pending.attempts == 1 and "partner down" in pending.last_error
    assert await dispatch_outbox({}) == 1
    assert (await OutboxEvent.get(topic="flaky")).dispatched_at is not None


class _Crash(BaseException):
    """The process dying mid-run (a kill, a cancelled task): not an error a handler reports."""


async def test_item12_crash_mid_batch_redelivers_only_the_event_in_flight(handlers):
    calls: list[int] = []

    async def side_effect(payload, ctx):
        calls.append(payload["n"])
        if payload["n"] == 2 and calls.count(2) == 1:
            raise _Crash  # the worker dies while delivering the third event

    handlers["batch"] = side_effect
    async with in_transaction() as conn:
        for n in range(5):
            await emit(conn, "batch", {"n": n})
    with pytest.raises(_Crash):
        await dispatch_outbox({})
    assert await OutboxEvent.filter(topic="batch", dispatched_at__not_isnull=True).count() == 2
    assert await dispatch_outbox({}) == 3
    # Events 0 and 1 had their side effect once; only the one in flight (2) is repeated.
    assert calls == [0, 1, 2, 2, 3, 4]


async def test_item12_handlers_get_the_event_id_as_idempotency_key(handlers):
    keys = []

    async def downstream(payload, ctx):
        keys.append((ctx["event_id"], ctx["idempotency_key"]))

    handlers["keyed"] = downstream
    async with in_transaction() as conn:
        await emit(conn, "keyed", {})
    await dispatch_outbox({})
    event = await OutboxEvent.get(topic="keyed")
    assert keys == [(event.id, f"kzm-outbox-{event.id}")]


async def test_rolled_back_change_leaves_no_event():
    with pytest.raises(RuntimeError):
        async with in_transaction() as conn:
            await emit(conn, "never", {"x": 1})
            raise RuntimeError("the change failed")
    assert not await OutboxEvent.filter(topic="never").exists()


async def test_dedup_key_makes_emit_idempotent():
    async with in_transaction() as conn:
        await emit(conn, "alert", {"x": 1}, dedup_key="alert:1")
        await emit(conn, "alert", {"x": 1}, dedup_key="alert:1")
    assert await OutboxEvent.filter(topic="alert").count() == 1


async def test_change_events_wait_in_the_outbox_until_delivered():
    # No Redis involved: the mutation's event is in the database, delivered when a runner comes.
    await make_miner()
    event = await OutboxEvent.get(topic="miner.created")
    assert event.dispatched_at is None
    await dispatch_outbox({})
    assert (await OutboxEvent.get(topic="miner.created")).dispatched_at is not None


async def test_overdue_cron_runs_every_listed_checker_with_time_and_calendar(monkeypatch):
    got = {}

    async def checker(now, calendar):
        got["now"], got["working"] = now, calendar.is_working_day(now.date())
        return 2

    monkeypatch.setattr(wiring, "OVERDUE_CHECKERS", {"test": checker})
    now = datetime(2025, 3, 21, 6, 0, tzinfo=UTC)  # Nauryz
    assert await recompute_overdue({}, now=now) == {"test": 2}
    assert got == {"now": now, "working": False}


async def test_in_process_runner_delivers_without_redis(handlers):
    import asyncio

    from jobs.inprocess import in_process_jobs

    delivered = asyncio.Event()

    async def mark(payload, ctx):
        delivered.set()

    handlers["runner.test"] = mark
    async with in_transaction() as conn:
        await emit(conn, "runner.test", {})
    async with in_process_jobs(dispatch_every=0.01, overdue_every=3600):
        await asyncio.wait_for(delivered.wait(), timeout=5)


@pytest.mark.skipif(not os.environ.get("TEST_REDIS_URL"), reason="needs TEST_REDIS_URL (CI sets it)")
async def test_arq_worker_delivers_through_real_redis(handlers):
    from arq import create_pool
    from arq.connections import RedisSettings
    from arq.worker import Worker

    from jobs.queue import enqueue_dispatch_outbox

    seen = []

    async def record(payload, ctx):
        seen.append(payload)

    handlers["arq.test"] = record
    async with in_transaction() as conn:
        await emit(conn, "arq.test", {"k": "v"})
    settings = RedisSettings.from_dsn(os.environ["TEST_REDIS_URL"])
    redis = await create_pool(settings)
    try:
        await redis.flushdb()
        first = await enqueue_dispatch_outbox(redis)
        again = await enqueue_dispatch_outbox(redis)
        assert first is not None and again is None  # deduplicated by job id
        worker = Worker(functions=[dispatch_outbox], redis_pool=redis, burst=True, poll_delay=0, handle_signals=False)
        await worker.main()
        assert worker.jobs_complete == 1 and worker.jobs_failed == 0
        assert seen == [{"k": "v"}]
        await worker.close()
    finally:
        await redis.flushdb()
        await redis.aclose()


def test_the_wiring_lists_every_procedure_built_and_every_overdue_checker():
    from rules.workflow import ProcedureCode

    assert set(wiring.PROCEDURES) == set(ProcedureCode)
    assert set(wiring.OVERDUE_CHECKERS) == {"applications", "complaints", "pool_change", "pool_certificates",
                                           "income_reports", "violations",
                                           "pool_change_due_tomorrow"}
