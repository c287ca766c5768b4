"""Issue 10, defect 6: rate limits (per IP, per token) answered 429 with Retry-After, and the
failed-authentication lockout with the log line an operator alerts on."""

from __future__ import annotations

import dataclasses
import logging
import os
import uuid

import pytest

from main import create_app
from rules.enums import Role
from tests.factories import make_caller
from tests.web.conftest import QUERY, edge_client, graphql_error

OFF = {"rate_limit_per_ip": "", "rate_limit_per_token": "", "auth_failure_limit": ""}


def _retry_after(response) -> int:
    value = int(response.headers["Retry-After"])
    assert 1 <= value <= 60, value
    return value


async def test_defect_6_the_request_over_the_per_ip_limit_is_429_with_retry_after(settings):
    async with edge_client(settings, **{**OFF, "rate_limit_per_ip": "3/minute"}) as c:
        answers = [await c.post("/graphql", json=QUERY) for _ in range(3)]
        refused = await c.post("/graphql", json=QUERY)
    assert [r.status_code for r in answers] == [200, 200, 200]
    assert graphql_error(refused) == (429, "RATE_LIMITED")
    seconds = _retry_after(refused)
    assert str(seconds) in refused.json()["errors"][0]["message"]


async def test_defect_6_the_per_ip_limit_counts_each_address_apart(settings):
    overrides = {**OFF, "rate_limit_per_ip": "1/minute"}
    async with edge_client(settings, client_ip="10.0.0.1", **overrides) as c:
        assert (await c.post("/graphql", json=QUERY)).status_code == 200
        assert (await c.post("/graphql", json=QUERY)).status_code == 429
    # Another app, the same settings: its own memory storage; the other address is not limited.
    async with edge_client(settings, client_ip="10.0.0.2", **overrides) as c:
        assert (await c.post("/graphql", json=QUERY)).status_code == 200


async def test_defect_6_the_health_check_is_never_limited(settings, clean_db):
    async with edge_client(settings, **{**OFF, "rate_limit_per_ip": "1/minute"}) as c:
        assert [(await c.get("/healthz")).status_code for _ in range(3)] == [200, 200, 200]


async def test_defect_6_the_per_token_limit_counts_each_token_apart(settings, client):
    first, second = await make_caller(client, Role.OFFICER), await make_caller(client, Role.OFFICER)
    async with edge_client(settings, **{**OFF, "rate_limit_per_token": "2/minute"}) as c:
        def as_(caller):
            return {"Authorization": f"Bearer {caller.token}"}

        query = {"query": "{ viewer { user { login } } }"}
        answers = [await c.post("/graphql", json=query, headers=as_(first)) for _ in range(2)]
        refused = await c.post("/graphql", json=query, headers=as_(first))
        other = await c.post("/graphql", json=query, headers=as_(second))
        anonymous = await c.post("/graphql", json=QUERY)
    assert [r.status_code for r in answers] == [200, 200] and "errors" not in answers[0].json()
    assert graphql_error(refused) == (429, "RATE_LIMITED") and _retry_after(refused)
    assert other.status_code == 200 and anonymous.status_code == 200


async def test_defect_6_invalid_tokens_lock_the_address_out_and_log_it(settings, clean_db, client, caplog):
    """1,000 invalid-token guesses were all answered: now the 4th guess and every request with
    a token after it from that address are refused, a valid token included, until the window
    ends."""
    good = await make_caller(client, Role.OFFICER)
    caplog.set_level(logging.INFO, logger="registry.security")
    async with edge_client(settings, client_ip="192.0.2.7", **{**OFF, "auth_failure_limit": "3/minute"}) as c:
        guesses = [
            await c.post("/graphql", json=QUERY, headers={"Authorization": f"Bearer {token}"})
            for token in ("kzm_guess1", "kzm_guess2", "not-even-ours")
        ]
        assert [r.status_code for r in guesses] == [200, 200, 200]
        locked = [
            await c.post("/graphql", json=QUERY, headers={"Authorization": "Bearer kzm_guess4"}),
            await c.post("/graphql", json=QUERY, headers={"Authorization": f"Bearer {good.token}"}),
        ]
        without_token = await c.post("/graphql", json=QUERY)
    for response in locked:
        assert graphql_error(response) == (429, "RATE_LIMITED") and _retry_after(response)
    assert without_token.status_code == 200  # anonymous: nothing to guess with
    alerts = [r for r in caplog.records if r.name == "registry.security" and r.levelno == logging.WARNING]
    assert len(alerts) == 1, caplog.text
    assert "event=auth_failed_limit ip=192.0.2.7" in alerts[0].getMessage()
    failures = [r for r in caplog.records if "event=auth_failed ip=192.0.2.7" in r.getMessage()]
    assert len(failures) == 3


async def test_defect_6_valid_tokens_and_no_token_are_not_failures(settings, client, caplog):
    good = await make_caller(client, Role.OFFICER)
    caplog.set_level(logging.INFO, logger="registry.security")
    async with edge_client(settings, **{**OFF, "auth_failure_limit": "1/minute"}) as c:
        for _ in range(3):
            assert (await c.post("/graphql", json=QUERY)).status_code == 200
            ok = await c.post("/graphql", json=QUERY, headers={"Authorization": f"Bearer {good.token}"})
            assert ok.status_code == 200
    assert "auth_failed" not in caplog.text


async def test_defect_6_an_export_with_a_bad_token_counts_too(settings, clean_db):
    async with edge_client(settings, **{**OFF, "auth_failure_limit": "1/minute"}) as c:
        headers = {"Authorization": "Bearer kzm_nope"}
        assert (await c.get("/exports/asic-units?format=csv", headers=headers)).status_code == 401
        assert (await c.get("/exports/asic-units?format=csv", headers=headers)).status_code == 429


async def test_defect_6_a_failing_storage_lets_requests_through(settings, caplog):
    # Redis unreachable: the limits must not take the service down with them.
    async with edge_client(settings, redis_url="redis://127.0.0.1:1/0", rate_limit_per_ip="1/minute") as c:
        answers = [await c.post("/graphql", json=QUERY) for _ in range(3)]
    assert [r.status_code for r in answers] == [200, 200, 200]
    assert "event=rate_limit_storage_error" in caplog.text


@pytest.mark.skipif(not os.environ.get("TEST_REDIS_URL"), reason="needs TEST_REDIS_URL (CI sets it)")
async def test_defect_6_with_redis_the_limit_is_shared_by_every_process(settings):
    """Two apps (two processes in production) on one Redis count together."""
    ip = f"198.51.100.{uuid.uuid4().int % 250 + 1}"
    overrides = {**OFF, "redis_url": os.environ["TEST_REDIS_URL"], "rate_limit_per_ip": "3/minute"}
    async with edge_client(settings, client_ip=ip, **overrides) as one, \
            edge_client(settings, client_ip=ip, **overrides) as two:
        answers = [await one.post("/graphql", json=QUERY), await two.post("/graphql", json=QUERY),
                   await one.post("/graphql", json=QUERY)]
        refused = await two.post("/graphql", json=QUERY)
    assert [r.status_code for r in answers] == [200, 200, 200]
    assert graphql_error(refused) == (429, "RATE_LIMITED") and _retry_after(refused)



async def _websocket(app, ip: str) -> list[dict]:
    """Open a graphql-transport-ws connection to `app` and leave at once; what the app sent."""
    scope = {"type": "websocket", "path": "/graphql", "raw_path": b"/graphql", "root_path": "", "scheme": "ws",
             "query_string": b"", "headers": [(b"host", b"test"), (b"sec-websocket-protocol", b"graphql-transport-ws")],
             "client": (ip, 50000), "server": ("test", 80), "subprotocols": ["graphql-transport-ws"],
             "asgi": {"version": "3.0", "spec_version": "2.3"}, "state": {}}
    incoming = [{"type": "websocket.connect"}, {"type": "websocket.disconnect", "code": 1000}]
    sent: list[dict] = []

    async def receive() -> dict:
        return incoming.pop(0) if incoming else {"type": "websocket.disconnect", "code": 1000}

    async def send(message: dict) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent


async def test_defect_6_websocket_connections_count_against_the_per_ip_limit(settings):
    app = create_app(dataclasses.replace(settings, **{**OFF, "rate_limit_per_ip": "1/minute"}), manage_db=False)
    first = await _websocket(app, "203.0.113.5")
    second = await _websocket(app, "203.0.113.5")
    assert first[0]["type"] == "websocket.accept"
    assert second == [{"type": "websocket.close", "code": 1008, "reason": "RATE_LIMITED"}]
