"""The live event feed over graphql-transport-ws (issue 14 item 4): replay then live with no gap
and no duplicate, resume by cursor, grants, the token in connection_init, slow consumers."""

from __future__ import annotations

import asyncio
import contextlib
import os
from datetime import UTC, datetime, timedelta

import pytest
from httpx import ASGITransport, AsyncClient

from main import create_app
from models.events import PartnerEvent
from resolvers import tokens
from resolvers.event_feed import EventFeed, SlowConsumer, subscribe_events
from rules.access import SYSTEM, Actor, PartnerKind
from rules.enums import Role
from rules.events import EventFilter
from schema.ids import to_global_id
from schema.websocket import CLOSE_SLOW_CONSUMER
from settings import Settings
from tests.api.test_events import _emit_all, _license
from tests.api.test_token_lifecycle import AsgiWebSocket, _token_of
from tests.factories import make_caller

SUBSCRIBE = """subscription($after: String, $types: [String!]) {
  events(after: $after, types: $types) { id type cursor entity { key } data }
}"""


@pytest.fixture(params=[True, False], ids=["multiplexed", "per-subscriber"])
async def app(settings, request):
    """An app of its own with a fast poll: its feed task lives in this test's context. Each test
    runs with multiplexing (schema/multiplex.py) and without."""
    overrides = {"event_poll_seconds": 0.05, "event_multiplex": request.param}
    app = create_app(Settings(**{**settings.__dict__, **overrides}), manage_db=False)
    yield app
    await app.state.event_feed.close()


class Subscriber(AsgiWebSocket):
    async def init_with_token(self, token: str) -> dict:
        await self.send({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
        return await self.message()

    async def subscribe(self, variables: dict) -> None:
        await self.send({"type": "subscribe", "id": "1", "payload": {"query": SUBSCRIBE, "variables": variables}})

    async def events(self, count: int) -> list[dict]:
        out = []
        for _ in range(count):
            message = await self.message()
            assert message["type"] == "next", message
            assert "errors" not in message["payload"], message
            out.append(message["payload"]["data"]["events"])
        return out

    async def nothing_more(self, wait: float = 0.3) -> bool:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.outbox.get(), wait)
            return False
        return True


def _error_code(message: dict) -> str:
    payload = message["payload"]
    errors = payload if isinstance(payload, list) else payload["errors"]
    return errors[0]["extensions"]["code"]


async def test_replay_then_live_with_no_gap_and_no_duplicate_token_in_connection_init(client, app):
    await _emit_all(*(_license("license.suspended", i, 1) for i in range(1, 4)))
    grid = await make_caller(client, Role.PARTNER, partner_kind=PartnerKind.GRID_OPERATOR)
    async with Subscriber(app, None) as ws:  # no header: the browser way
        assert (await ws.init_with_token(grid.token))["type"] == "connection_ack"
        await ws.subscribe({})
        replayed = await ws.events(3)
        assert [e["entity"]["key"] for e in replayed] == [1, 2, 3]
        await _emit_all(*(_license("license.revoked", i, 1) for i in range(4, 6)))
        live = await ws.events(2)
        assert [(e["type"], e["entity"]["key"]) for e in live] == [("license.revoked", 4), ("license.revoked", 5)]
        assert await ws.nothing_more()


async def test_events_committed_between_subscribing_and_the_end_of_the_replay_come_once(client, app):
    """The seam: events land while the replay runs; each is sent exactly once, in order."""
    await _emit_all(*(_license("license.suspended", i, 1) for i in range(1, 151)))
    grid = await make_caller(client, Role.PARTNER, partner_kind=PartnerKind.GRID_OPERATOR)
    async with Subscriber(app, grid.token) as ws:
        assert (await ws.init())["type"] == "connection_ack"
        await ws.subscribe({})
        writer = asyncio.create_task(_emit_all(*(_license("license.revoked", i, 1) for i in range(151, 171))))
        got = await ws.events(170)
        await writer
        assert [e["entity"]["key"] for e in got] == list(range(1, 171))
        assert await ws.nothing_more()


async def test_resume_after_a_disconnect_receives_exactly_the_100_missed_events_in_order(client, app):
    await _emit_all(_license("license.suspended", 1, 1))
    grid = await make_caller(client, Role.PARTNER, partner_kind=PartnerKind.GRID_OPERATOR)
    async with Subscriber(app, grid.token) as ws:
        await ws.init()
        await ws.subscribe({})
        [first] = await ws.events(1)
    await _emit_all(*(_license("license.revoked", i, 1) for i in range(2, 102)))
    async with Subscriber(app, grid.token) as ws:
        await ws.init()
        await ws.subscribe({"after": first["cursor"]})
        missed = await ws.events(100)
        assert [e["entity"]["key"] for e in missed] == list(range(2, 102))
        assert len({e["id"] for e in missed}) == 100
        assert await ws.nothing_more()


async def test_a_subscriber_gets_only_its_granted_and_requested_types(client, app):
    tax = await make_caller(client, Role.PARTNER, partner_kind=PartnerKind.TAX_AUTHORITY)
    async with Subscriber(app, tax.token) as ws:
        await ws.init()
        await ws.subscribe({"types": ["license.revoked", "asic.included"]})
        await _emit_all(
            ("registry.units_included", {"application": 5, "miner_id": 1, "units": 3}),  # not granted
            _license("license.suspended", 1, 1),  # not requested
            _license("license.revoked", 2, 1),
        )
        [event] = await ws.events(1)
        assert (event["type"], event["entity"]["key"]) == ("license.revoked", 2)
        assert await ws.nothing_more()


REGIONAL = """subscription($regions: [Region!], $miners: [ID!]) {
  events(regions: $regions, miners: $miners) { id type cursor entity { key } data }
}"""


async def test_subscribers_of_one_selection_with_other_region_or_miner_filters_get_only_their_own(client, app):
    """One selection, so one cohort when multiplexed: the filters still part the subscribers."""
    from schema.ids import to_global_id
    from tests.factories import make_data_center, make_miner

    alfa, beta = await make_miner(), await make_miner()
    await make_data_center(alfa, region="ABAI")
    await make_data_center(beta, region="KARAGANDA")
    grid = await make_caller(client, Role.PARTNER, partner_kind=PartnerKind.GRID_OPERATOR)
    async with Subscriber(app, grid.token) as abai, Subscriber(app, grid.token) as of_beta:
        for ws, variables in ((abai, {"regions": ["ABAI"]}), (of_beta, {"miners": [str(to_global_id("Miner", beta.id))]})):
            await ws.init()
            await ws.send({"type": "subscribe", "id": "1", "payload": {"query": REGIONAL, "variables": variables}})
        [replayed] = await abai.events(1)  # alfa's data center, registered before
        assert replayed["type"] == "data_center.registered"
        [replayed] = await of_beta.events(1)
        assert replayed["type"] == "data_center.registered"
        await _emit_all(_license("license.suspended", 1, alfa.id), _license("license.suspended", 2, beta.id))
        assert [e["entity"]["key"] for e in await abai.events(1)] == [1]
        assert [e["entity"]["key"] for e in await of_beta.events(1)] == [2]
        assert await abai.nothing_more() and await of_beta.nothing_more()


async def test_subscription_refusals(client, app):
    applicant_like = await make_caller(client, Role.OFFICER)
    grid = await make_caller(client, Role.PARTNER, partner_kind=PartnerKind.GRID_OPERATOR)
    await tokens.revoke_token(SYSTEM, (await _token_of(grid)).id)
    async with Subscriber(app, None) as ws:  # a revoked token in connection_init is refused
        rejected = await ws.init_with_token(grid.token)
        assert rejected["type"] == "websocket.close" and rejected["code"] == 4403
    async with Subscriber(app, None) as ws:  # no token at all: the operation is UNAUTHENTICATED
        await ws.init()
        await ws.subscribe({})
        assert _error_code(await ws.message()) == "UNAUTHENTICATED"
    await _emit_all(*(_license("license.suspended", i, 1) for i in range(1, 3)))
    await PartnerEvent.filter(id=(await PartnerEvent.all().order_by("id").first()).id).update(
        occurred_at=datetime.now(UTC) - timedelta(days=400))
    from resolvers.listing import Order
    from schema.relay import encode_cursor
    old = await PartnerEvent.all().order_by("id").first()
    async with Subscriber(app, applicant_like.token) as ws:  # an officer: nothing granted, nothing sent
        await ws.init()
        await ws.subscribe({})
        assert await ws.nothing_more()
    admin = await make_caller(client, Role.ADMIN)
    async with Subscriber(app, admin.token) as ws:  # a cursor before the window: typed error
        await ws.init()
        await ws.subscribe({"after": encode_cursor(Order(), (old.id - 1, old.id - 1))})
        assert _error_code(await ws.message()) == "EVENT_CURSOR_EXPIRED"


async def test_a_slow_consumer_is_cut_off_instead_of_holding_memory_without_bound(client):
    feed = EventFeed(poll_seconds=60, queue_size=5)
    try:
        admin = Actor(1, Role.ADMIN, "a")
        stream = subscribe_events(feed, admin, None, EventFilter(), window_start=datetime.now(UTC) - timedelta(days=1))
        started = asyncio.create_task(stream.__anext__())
        await asyncio.sleep(0.05)  # registered, replayed nothing, waiting live
        await _emit_all(*(_license("license.suspended", i, 1) for i in range(1, 21)))
        assert await feed.read_new() == 20
        with pytest.raises(SlowConsumer):  # 20 events for a queue of 5: cut off, nothing more held
            await started
        assert feed.subscribers == set()
    finally:
        await feed.close()


async def test_a_slow_subscriber_is_closed_with_a_clear_close_code(client, settings):
    app = create_app(Settings(**{**settings.__dict__, "event_poll_seconds": 0.05, "event_queue_size": 2}),
                     manage_db=False)
    try:
        grid = await make_caller(client, Role.PARTNER, partner_kind=PartnerKind.GRID_OPERATOR)
        async with Subscriber(app, grid.token) as ws:
            await ws.init()
            await ws.subscribe({})
            assert await ws.nothing_more(0.2)  # live, nothing yet
            await _emit_all(*(_license("license.suspended", i, 1) for i in range(1, 11)))  # one read: 10 > 2
            closed = await ws.message()
            assert closed["type"] == "websocket.close" and closed["code"] == CLOSE_SLOW_CONSUMER
    finally:
        await app.state.event_feed.close()


_CREATE_DC = """mutation($i: CreateDataCenterInput!) { createDataCenter(input: $i) { dataCenter { id } } }"""


async def _create_data_center(http, token: str) -> None:
    from tests.factories import gql, make_miner

    miner = await make_miner()
    result = await gql(http, _CREATE_DC, {"i": {
        "minerId": str(to_global_id("Miner", miner.id)), "name": "ЦОД", "address": "Экибастуз", "region": "PAVLODAR",
        "outsideResidentialZone": True, "powerSource": "GRID", "substationKv": "110"}}, token=token)
    assert result["data"]["createDataCenter"]["dataCenter"]["id"], result


@contextlib.asynccontextmanager
async def _across_processes(client, settings, redis_url: str, poll: float):
    """A grid operator subscribed on one API process, and a way to change the registry on another
    (both share the database and `redis_url`)."""
    overrides = {**settings.__dict__, "redis_url": redis_url, "event_poll_seconds": poll}
    subscriber_app, mutation_app = (create_app(Settings(**overrides), manage_db=False) for _ in range(2))
    try:
        grid = await make_caller(client, Role.PARTNER, partner_kind=PartnerKind.GRID_OPERATOR)
        officer = await make_caller(client, Role.OFFICER)
        async with Subscriber(subscriber_app, grid.token) as ws, \
                AsyncClient(transport=ASGITransport(app=mutation_app), base_url="http://test") as other:
            await ws.init()
            await ws.subscribe({})
            yield ws, lambda: _create_data_center(other, officer.token)
    finally:
        for app in (subscriber_app, mutation_app):
            await app.state.event_feed.close()


@pytest.mark.skipif(not os.environ.get("TEST_REDIS_URL"), reason="needs TEST_REDIS_URL (CI sets it)")
async def test_a_mutation_on_one_process_reaches_a_subscriber_on_another_through_redis(client, settings):
    # Polling every minute: only the Redis message can bring the event within the test's wait.
    async with _across_processes(client, settings, os.environ["TEST_REDIS_URL"], 60.0) as (ws, change):
        assert await ws.nothing_more(0.5)  # subscribed to Redis, live
        await change()
        [event] = await ws.events(1)
        assert event["type"] == "data_center.registered"


async def test_with_redis_down_events_are_written_and_delivered_by_the_poll_none_lost(client, settings):
    async with _across_processes(client, settings, "redis://127.0.0.1:1/0", 0.1) as (ws, change):  # nobody listens
        for _ in range(3):
            await change()
        assert [e["type"] for e in await ws.events(3)] == ["data_center.registered"] * 3
        assert await ws.nothing_more()


async def test_closing_the_feed_right_after_a_wake_up_ends_it(client):
    """close() cancels the feed's task and waits for it. Cancelled in the step of a wake-up,
    asyncio.wait_for (Python 3.11) swallowed the cancellation: the feed went on polling and
    close() never returned, the test (and CI) hanging idle in its teardown."""
    feed = EventFeed(poll_seconds=60)
    await feed.subscribe(lambda row: True)
    await asyncio.sleep(0.05)  # the task waits for a wake-up
    loop, task = asyncio.get_running_loop(), feed._task
    rescue = loop.call_later(3, task.cancel)  # the swallowed case: a second cancellation ends it
    started = loop.time()
    feed.notify()
    await feed.close()  # cancels in this same step, before the woken task runs
    rescue.cancel()
    assert loop.time() - started < 2, "close() waited for a task that ignored its cancellation"
