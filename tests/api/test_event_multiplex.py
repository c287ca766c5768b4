"""Multiplexed event subscriptions (issue 14 item 6, schema/multiplex.py): one evaluation per
event and cohort (selection, scope), the same bytes to every member; scopes apart; replay,
seam, slow consumers and token revocation still per subscriber."""

from __future__ import annotations

import json

import pytest

from main import create_app
from resolvers import tokens
from rules.access import SYSTEM, PartnerKind
from rules.enums import Role
from schema import multiplex
from schema.websocket import CLOSE_SLOW_CONSUMER, CLOSE_TOKEN_NOT_LIVE
from settings import Settings
from tests.api.test_event_subscription import SUBSCRIBE, Subscriber
from tests.api.test_events import _certificate, _emit_all, _license
from tests.api.test_token_lifecycle import _token_of
from tests.factories import make_caller, make_pool


def _app(settings: Settings, **overrides):
    return create_app(Settings(**{**settings.__dict__, "event_poll_seconds": 0.05, **overrides}), manage_db=False)


@pytest.fixture
async def app(settings):
    app = _app(settings)
    yield app
    await app.state.event_feed.close()


async def _subscribed(app, token: str, variables: dict | None = None, query: str = SUBSCRIBE) -> Subscriber:
    ws = Subscriber(app, token)
    await ws.__aenter__()
    assert (await ws.init())["type"] == "connection_ack"
    await ws.send({"type": "subscribe", "id": "1", "payload": {"query": query, "variables": variables or {}}})
    assert await ws.nothing_more(0.2)  # replayed nothing, live
    return ws


async def _raw(ws: Subscriber, count: int) -> list[bytes]:
    """The next `count` frames exactly as sent: text frames, as graphql-transport-ws requires."""
    frames = []
    for _ in range(count):
        event = await ws.receive()
        assert event["type"] == "websocket.send" and event.get("bytes") is None, event
        frames.append(event["text"].encode())
    return frames


async def test_one_evaluation_per_event_for_a_cohort_and_the_same_bytes_to_every_member(client, app, settings):
    grid_a = await make_caller(client, Role.PARTNER, partner_kind=PartnerKind.GRID_OPERATOR)
    grid_b = await make_caller(client, Role.PARTNER, partner_kind=PartnerKind.GRID_OPERATOR)  # another account
    first, second = await _subscribed(app, grid_a.token), await _subscribed(app, grid_b.token)
    try:
        before = multiplex.stats.evaluations
        await _emit_all(*(_license("license.suspended", i, 1) for i in range(1, 4)))
        got_first, got_second = await _raw(first, 3), await _raw(second, 3)
        assert multiplex.stats.evaluations - before == 3  # 3 events x 1 cohort, not x 2 subscribers
        assert got_first == got_second
        assert [e["entity"]["key"] for e in await _unwrap(got_first)] == [1, 2, 3]
        assert await first.nothing_more(0.1) and await second.nothing_more(0.1)
    finally:
        await first.__aexit__(None, None, None)
        await second.__aexit__(None, None, None)
    # Without multiplexing the same event is executed per subscriber, and sent as the same bytes.
    plain = _app(settings, event_multiplex=False)
    try:
        ws = await _subscribed(plain, grid_a.token, {"after": (await _unwrap(got_first))[-1]["cursor"]})
        try:
            before = multiplex.stats.evaluations
            await _emit_all(_license("license.suspended", 4, 1))
            [unplexed] = await _raw(ws, 1)
            assert multiplex.stats.evaluations == before
        finally:
            await ws.__aexit__(None, None, None)
    finally:
        await plain.state.event_feed.close()
    again = Subscriber(app, grid_b.token)
    async with again:
        await again.init()
        await again.send({"type": "subscribe", "id": "1", "payload": {"query": SUBSCRIBE, "variables": {
            "after": (await _unwrap(got_first))[-1]["cursor"]}}})
        [replayed] = await _raw(again, 1)  # the replay renders through the cohort too
        assert replayed == unplexed


async def _unwrap(frames: list[bytes]) -> list[dict]:
    out = []
    for frame in frames:
        message = json.loads(frame)
        assert message["type"] == "next" and "errors" not in message["payload"], message
        out.append(message["payload"]["data"]["events"])
    return out


async def test_scopes_are_evaluated_apart_and_each_sees_only_its_grants(client, app):
    pool, other_pool = await make_pool(), await make_pool()
    grid = await make_caller(client, Role.PARTNER, partner_kind=PartnerKind.GRID_OPERATOR)
    tax = await make_caller(client, Role.PARTNER, partner_kind=PartnerKind.TAX_AUTHORITY)
    pool_system = await make_caller(client, Role.PARTNER, pool=pool, partner_kind=PartnerKind.POOL)
    sockets = [await _subscribed(app, c.token) for c in (grid, tax, pool_system, grid)]
    try:
        before = multiplex.stats.evaluations
        await _emit_all(
            _license("license.suspended", 1, 1),  # grid, tax
            ("registry.units_included", {"application": 5, "miner_id": 1, "units": 3}),  # grid only
            _certificate(1, pool.id),  # tax, the pool itself
            _certificate(2, other_pool.id),  # tax only
        )
        seen = {}
        for name, ws, count in (("grid", sockets[0], 2), ("tax", sockets[1], 3), ("pool", sockets[2], 1),
                                ("grid2", sockets[3], 2)):
            seen[name] = await _raw(ws, count)
            assert await ws.nothing_more(0.1), name
        # Cohorts: grid (2 members) x 2 events, tax x 3, pool x 1: 6 evaluations, not 8.
        assert multiplex.stats.evaluations - before == 6
        assert seen["grid"] == seen["grid2"]
        types = {name: [(e["type"], e["entity"]["key"]) for e in await _unwrap(frames)] for name, frames in seen.items()}
        assert types["grid"] == [("license.suspended", 1), ("asic.included", 5)]
        assert types["tax"] == [("license.suspended", 1), ("pool.accredited", 1), ("pool.accredited", 2)]
        assert types["pool"] == [("pool.accredited", 1)]
        # The one event both grid and tax see: rendered per scope, same content here.
        assert seen["grid"][0] == seen["tax"][0]
    finally:
        for ws in sockets:
            await ws.__aexit__(None, None, None)


async def test_another_selection_or_types_filter_is_another_cohort(client, app):
    grid = await make_caller(client, Role.PARTNER, partner_kind=PartnerKind.GRID_OPERATOR)
    narrow = "subscription { events { sequence } }"
    sockets = [await _subscribed(app, grid.token), await _subscribed(app, grid.token, query=narrow),
               await _subscribed(app, grid.token, {"types": ["license.revoked"]})]
    try:
        before = multiplex.stats.evaluations
        await _emit_all(_license("license.suspended", 1, 1), _license("license.revoked", 2, 1))
        full, short, revoked = await _raw(sockets[0], 2), await _raw(sockets[1], 2), await _raw(sockets[2], 1)
        # The types filter does not change how an event renders: SUBSCRIBE's cohort renders the
        # revocation once for both; the narrow selection is a cohort of its own.
        assert multiplex.stats.evaluations - before == 4
        assert revoked == full[1:]
        assert [set(e) for e in await _unwrap(short)] == [{"sequence"}, {"sequence"}]
        for ws in sockets:
            assert await ws.nothing_more(0.1)
    finally:
        for ws in sockets:
            await ws.__aexit__(None, None, None)


async def test_members_replay_from_their_own_cursor_then_share_the_live_events(client, app):
    await _emit_all(*(_license("license.suspended", i, 1) for i in range(1, 6)))
    grid = await make_caller(client, Role.PARTNER, partner_kind=PartnerKind.GRID_OPERATOR)
    async with Subscriber(app, grid.token) as probe:
        await probe.init()
        await probe.subscribe({})
        cursors = [e["cursor"] for e in await probe.events(5)]
    early, late = Subscriber(app, grid.token), Subscriber(app, grid.token)
    async with early, late:
        for ws, after in ((early, cursors[0]), (late, cursors[3])):
            await ws.init()
            await ws.subscribe({"after": after})
        assert [e["entity"]["key"] for e in await early.events(4)] == [2, 3, 4, 5]
        assert [e["entity"]["key"] for e in await late.events(1)] == [5]
        before = multiplex.stats.evaluations
        await _emit_all(*(_license("license.revoked", i, 1) for i in range(6, 9)))
        assert await _raw(early, 3) == await _raw(late, 3)
        assert multiplex.stats.evaluations - before == 3
        assert await early.nothing_more(0.1) and await late.nothing_more(0.1)


async def test_in_a_cohort_a_revoked_token_closes_its_socket_only(client, settings):
    app = _app(settings, ws_token_check_seconds=0.05)
    try:
        kept = await make_caller(client, Role.PARTNER, partner_kind=PartnerKind.GRID_OPERATOR)
        revoked = await make_caller(client, Role.PARTNER, partner_kind=PartnerKind.GRID_OPERATOR)
        stays, goes = await _subscribed(app, kept.token), await _subscribed(app, revoked.token)
        try:
            await tokens.revoke_token(SYSTEM, (await _token_of(revoked)).id)
            closed = await goes.message()
            assert closed["type"] == "websocket.close" and closed["code"] == CLOSE_TOKEN_NOT_LIVE
            await _emit_all(_license("license.suspended", 1, 1))
            assert [e["entity"]["key"] for e in await stays.events(1)] == [1]
        finally:
            await stays.__aexit__(None, None, None)
            await goes.__aexit__(None, None, None)
    finally:
        await app.state.event_feed.close()


async def test_a_slow_member_is_closed_and_the_cohort_goes_on(client, settings):
    app = _app(settings, event_queue_size=2)
    try:
        grid = await make_caller(client, Role.PARTNER, partner_kind=PartnerKind.GRID_OPERATOR)
        ws = await _subscribed(app, grid.token)
        try:
            await _emit_all(*(_license("license.suspended", i, 1) for i in range(1, 11)))  # one read: 10 > 2
            closed = await ws.message()
            assert closed["type"] == "websocket.close" and closed["code"] == CLOSE_SLOW_CONSUMER
            assert app.state.event_feed.subscribers == set()  # its queue is let go
        finally:
            await ws.__aexit__(None, None, None)
        ws = await _subscribed(app, grid.token, {"types": ["license.revoked"]})  # the next one is served
        try:
            await _emit_all(_license("license.revoked", 11, 1))
            assert [e["entity"]["key"] for e in await ws.events(1)] == [11]
        finally:
            await ws.__aexit__(None, None, None)
    finally:
        await app.state.event_feed.close()
