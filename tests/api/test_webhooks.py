"""Webhooks (issue 14 item 5): partners' endpoints, signed deliveries with retries on the
schedule, per-endpoint order, the dead-letter list, and SSRF refusals."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from models.events import WebhookDelivery, WebhookEndpoint
from resolvers import webhooks as wh
from rules.access import PartnerKind
from rules.enums import Role
from rules.webhooks import CircuitState, DeliveryStatus, verify
from settings import Settings
from tests.api.test_events import _emit_all, _license
from tests.factories import ERRORS, errors_of, make_caller, make_miner

REGISTER = """mutation($i: RegisterWebhookEndpointInput!) {
  registerWebhookEndpoint(input: $i) { endpoint { id url eventTypes active } secret """ + ERRORS + """ } }"""
PUBLIC = "93.184.216.34"


async def _public(host: str, port: int) -> list[str]:
    return [PUBLIC]


class Receiver:
    """A partner's endpoint (httpx MockTransport): fails the first `failures` requests."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.requests: list[httpx.Request] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if len(self.requests) <= self.failures:
            return httpx.Response(503)
        return httpx.Response(204)

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handler)


@pytest.fixture
def prod():
    return Settings(environment="production", database_url="sqlite://:memory:")


async def _endpoint(client, settings, types=("license.suspended", "license.revoked")):
    grid = await make_caller(client, Role.PARTNER, partner_kind=PartnerKind.GRID_OPERATOR)
    result = await grid.gql(REGISTER, {"i": {"url": "https://grid.example.kz/hooks", "eventTypes": list(types)}})
    payload = result["data"]["registerWebhookEndpoint"]
    assert payload["errors"] == [], payload
    return grid, payload


async def test_a_receiver_failing_three_times_gets_the_event_on_the_fourth_attempt_signed(client, settings):
    _, payload = await _endpoint(client, settings)
    secret = payload["secret"]
    assert secret.startswith("whsec_")
    await _emit_all(_license("license.suspended", 7, 1), ("registry.units_included", {"application": 1, "miner_id": 1,
                                                                                       "units": 1}))
    assert await wh.schedule_deliveries() == 1  # only the endpoint's types
    receiver = Receiver(failures=3)
    now = datetime.now(UTC)
    schedule = settings.webhook_retry_schedule
    for attempt in range(4):
        delivered = await wh.deliver_due(settings, now, transport=receiver.transport, resolve=_public)
        delivery = await WebhookDelivery.get()
        assert delivery.attempts == attempt + 1
        if attempt < 3:
            assert delivered == 0 and delivery.status is DeliveryStatus.PENDING
            wait = delivery.next_attempt_at - now
            assert timedelta(seconds=schedule[attempt]) <= wait <= timedelta(seconds=schedule[attempt] * 1.1)
            # Not due yet: nothing is sent before its time.
            assert await wh.deliver_due(settings, now, transport=receiver.transport, resolve=_public) == 0
            now = delivery.next_attempt_at
    assert delivered == 1 and delivery.status is DeliveryStatus.DELIVERED and len(receiver.requests) == 4
    last = receiver.requests[-1]
    body = last.content
    assert verify(secret, last.headers["webhook-id"], int(last.headers["webhook-timestamp"]), body,
                  last.headers["webhook-signature"], now=int(now.timestamp()))
    event = json.loads(body)
    assert (event["type"], event["entity"]["key"], event["schemaVersion"]) == ("license.suspended", 7, 1)
    # Sent to the address that was checked, under the endpoint's host name (Host header, TLS SNI).
    assert str(last.url) == f"https://{PUBLIC}/hooks" and last.headers["host"] == "grid.example.kz"
    assert last.extensions["sni_hostname"] == "grid.example.kz"
    assert last.headers["webhook-id"] == event["id"]
    # Nothing left to send: the event is delivered once.
    assert await wh.deliver_due(settings, now + timedelta(days=1), transport=receiver.transport, resolve=_public) == 0


async def test_an_always_failing_endpoint_ends_in_the_dead_letter_list_and_is_redelivered(client, settings):
    grid, payload = await _endpoint(client, settings)
    await _emit_all(_license("license.suspended", 1, 1), _license("license.revoked", 2, 1))
    await wh.schedule_deliveries()
    down = Receiver(failures=10_000)
    now = datetime.now(UTC)
    for _ in range(len(settings.webhook_retry_schedule) + 1):
        await wh.deliver_due(settings, now, transport=down.transport, resolve=_public)
        now += timedelta(hours=12)
    # Per-endpoint order: the second event waited behind the first until it died.
    first, second = await WebhookDelivery.all().order_by("event_id")
    assert first.status is DeliveryStatus.DEAD and first.attempts == 8
    assert second.status is DeliveryStatus.PENDING and second.attempts == 0
    assert all(json.loads(r.content)["entity"]["key"] == 1 for r in down.requests[:8])
    dead = await grid.gql("""query { webhookDeliveries(status: DEAD) { edges { node { id status attempts
        lastError event { type } } } } }""")
    [node] = [e["node"] for e in dead["data"]["webhookDeliveries"]["edges"]]
    assert node["status"] == "DEAD" and node["lastError"] == "HTTP 503" and node["event"]["type"] == "license.suspended"
    redone = await grid.gql("""mutation($i: RedeliverWebhookInput!) { redeliverWebhook(input: $i) {
        delivery { status attempts } """ + ERRORS + " } }", {"i": {"deliveryId": node["id"]}})
    assert redone["data"]["redeliverWebhook"]["delivery"] == {"status": "PENDING", "attempts": 0}
    up = Receiver()
    assert await wh.deliver_due(settings, datetime.now(UTC) + timedelta(days=30), transport=up.transport,
                                resolve=_public) == 2
    assert [json.loads(r.content)["entity"]["key"] for r in up.requests] == [1, 2]
    # Replay from a cursor: both again, in order.
    replayed = await grid.gql("""mutation($i: ReplayWebhooksInput!) { replayWebhooks(input: $i) { scheduled
        """ + ERRORS + " } }", {"i": {"endpointId": payload["endpoint"]["id"]}})
    assert replayed["data"]["replayWebhooks"]["scheduled"] == 2
    again = Receiver()
    await wh.deliver_due(settings, datetime.now(UTC) + timedelta(days=31), transport=again.transport, resolve=_public)
    assert [json.loads(r.content)["entity"]["key"] for r in again.requests] == [1, 2]


async def test_urls_to_loopback_or_private_addresses_are_refused_in_production(client, prod, monkeypatch):
    grid = await make_caller(client, Role.PARTNER, partner_kind=PartnerKind.GRID_OPERATOR)
    for url in ("https://127.0.0.1/h", "https://10.0.0.1/h", "http://grid.example.kz/h", "https://169.254.169.254/"):
        with pytest.raises(Exception) as refused:
            await wh.register_endpoint(grid_actor(grid), wh.RegisterEndpoint(url, []), prod)
        assert getattr(refused.value, "code", None) == "VALIDATION", url
    assert await WebhookEndpoint.all().count() == 0
    # Through the API (development settings): the same checks on literal addresses.
    result = await grid.gql(REGISTER, {"i": {"url": "https://10.0.0.1/h", "eventTypes": []}})
    assert errors_of(result) == ["VALIDATION"]


def test_pinned_urls_keep_port_path_and_query():
    assert wh.pinned_url("https://h.kz:8443/a/b?x=1", "93.184.216.34") == "https://93.184.216.34:8443/a/b?x=1"
    assert wh.pinned_url("https://h.kz", "2606:4700::1") == "https://[2606:4700::1]/"


def grid_actor(caller):
    from rules.access import Actor
    return Actor(caller.user_id, Role.PARTNER, "grid", partner_kind="GRID_OPERATOR")


async def test_a_name_resolving_to_a_private_address_at_send_time_is_not_called(client, settings):
    await _endpoint(client, settings)
    await _emit_all(_license("license.suspended", 1, 1))
    await wh.schedule_deliveries()
    receiver = Receiver()

    async def rebound(host: str, port: int) -> list[str]:
        return ["10.0.0.1"]  # DNS changed after registration

    await wh.deliver_due(settings, datetime.now(UTC), transport=receiver.transport, resolve=rebound)
    delivery = await WebhookDelivery.get()
    assert receiver.requests == [] and delivery.status is DeliveryStatus.PENDING
    assert delivery.last_error == "refused address: 10.0.0.1"


async def test_endpoints_are_for_partners_of_their_granted_types_and_the_secret_is_shown_once(client):
    officer = await make_caller(client, Role.OFFICER)
    assert errors_of(await officer.gql(REGISTER, {"i": {"url": "https://x.example.kz/", "eventTypes": []}})) == \
        ["FORBIDDEN"]
    tax = await make_caller(client, Role.PARTNER, partner_kind=PartnerKind.TAX_AUTHORITY)
    assert errors_of(await tax.gql(REGISTER, {"i": {"url": "https://x.example.kz/", "eventTypes": ["asic.included"]}})) \
        == ["VALIDATION"]
    ok = await tax.gql(REGISTER, {"i": {"url": "https://x.example.kz/", "eventTypes": ["pool.accredited"]}})
    assert ok["data"]["registerWebhookEndpoint"]["secret"].startswith("whsec_")
    listed = await tax.gql("query { webhookEndpoints { edges { node { id url eventTypes active } } } }")
    [node] = [e["node"] for e in listed["data"]["webhookEndpoints"]["edges"]]
    assert "secret" not in json.dumps(listed) and node["eventTypes"] == ["pool.accredited"]
    # Another partner neither sees nor removes it.
    other = await make_caller(client, Role.PARTNER, partner_kind=PartnerKind.TAX_AUTHORITY)
    assert (await other.gql("query { webhookEndpoints { edges { node { id } } } }"))["data"]["webhookEndpoints"][
        "edges"] == []
    remove = """mutation($i: RemoveWebhookEndpointInput!) { removeWebhookEndpoint(input: $i) {
        endpoint { active } """ + ERRORS + " } }"
    assert errors_of(await other.gql(remove, {"i": {"endpointId": node["id"]}})) == ["NOT_FOUND"]
    removed = await tax.gql(remove, {"i": {"endpointId": node["id"]}})
    assert removed["data"]["removeWebhookEndpoint"]["endpoint"] == {"active": False}


async def test_the_job_runner_schedules_and_delivers(client, settings, monkeypatch):
    """The same job under arq and the in-process runner: new events in, due deliveries out."""
    from jobs.tasks import deliver_webhooks

    await _endpoint(client, settings)
    await _emit_all(_license("license.suspended", 1, 1))
    receiver = Receiver()
    real = wh.deliver_due
    monkeypatch.setattr(wh, "deliver_due", lambda s: real(s, transport=receiver.transport, resolve=_public))
    assert await deliver_webhooks({"settings": settings}) == 1
    assert len(receiver.requests) == 1


CIRCUIT = "query { webhookEndpoints { edges { node { id circuit consecutiveFailures circuitOpenUntil } } } }"


async def _circuit(caller) -> dict:
    [edge] = (await caller.gql(CIRCUIT))["data"]["webhookEndpoints"]["edges"]
    return edge["node"]


def _keys(receiver: Receiver) -> list[int]:
    return [json.loads(r.content)["entity"]["key"] for r in receiver.requests]


async def test_a_dead_endpoint_opens_its_circuit_waits_probes_after_the_cool_down_and_closes_on_success(
        client, settings):
    from web.metrics import render_metrics

    settings = Settings(**{**settings.__dict__, "webhook_retry_schedule": (1.0,) * 7, "webhook_circuit_failures": 3,
                           "webhook_circuit_cooldown_seconds": 600.0})
    grid, _ = await _endpoint(client, settings)
    await _emit_all(*(_license("license.suspended", i, 1) for i in (1, 2, 3)))
    await wh.schedule_deliveries()
    down = Receiver(failures=10_000)
    now = datetime.now(UTC)
    for _ in range(3):  # three failures in a row, retried as the schedule says
        await wh.deliver_due(settings, now, transport=down.transport, resolve=_public)
        now += timedelta(seconds=2)
    state = await _circuit(grid)
    assert state["circuit"] == "OPEN" and state["consecutiveFailures"] == 3
    assert f'registry_webhook_circuit_open{{endpoint="{(await WebhookEndpoint.get()).id}"}} 1.0' in \
        (await render_metrics(None)).decode()
    # Open: nothing is attempted, however due the deliveries are, and they keep their retries.
    await wh.deliver_due(settings, now + timedelta(seconds=500), transport=down.transport, resolve=_public)
    assert len(down.requests) == 3
    assert [d.attempts for d in await WebhookDelivery.all().order_by("event_id")] == [3, 0, 0]
    # After the cool-down: half-open, one probe (the oldest delivery); it fails: open again.
    now += timedelta(seconds=600)
    assert (await WebhookEndpoint.get()).circuit.state(now) is CircuitState.HALF_OPEN
    await wh.deliver_due(settings, now, transport=down.transport, resolve=_public)
    assert _keys(down) == [1, 1, 1, 1]
    assert (await WebhookEndpoint.get()).circuit.state(now + timedelta(seconds=599)) is CircuitState.OPEN
    # The endpoint is back: the next probe succeeds, the circuit closes, the rest follow in order.
    up = Receiver()
    assert await wh.deliver_due(settings, now + timedelta(seconds=601), transport=up.transport, resolve=_public) == 3
    assert _keys(up) == [1, 2, 3]
    state = await _circuit(grid)
    assert state == {**state, "circuit": "CLOSED", "consecutiveFailures": 0, "circuitOpenUntil": None}
    assert f'registry_webhook_circuit_open{{endpoint="{(await WebhookEndpoint.get()).id}"}} 0.0' in \
        (await render_metrics(None)).decode()


RESET = """mutation($i: ResetWebhookCircuitInput!) { resetWebhookCircuit(input: $i) {
  endpoint { circuit consecutiveFailures } """ + ERRORS + " } }"


async def test_an_officer_or_the_owner_re_enables_a_dead_endpoint_and_its_deliveries_go_at_once(client, settings):
    from models.audit import AuditEvent

    settings = Settings(**{**settings.__dict__, "webhook_circuit_failures": 1,
                           "webhook_circuit_cooldown_seconds": 86_400.0})
    grid, payload = await _endpoint(client, settings)
    endpoint_id = payload["endpoint"]["id"]
    await _emit_all(_license("license.suspended", 1, 1), _license("license.revoked", 2, 1))
    await wh.schedule_deliveries()
    await wh.deliver_due(settings, datetime.now(UTC), transport=Receiver(failures=1).transport, resolve=_public)
    assert (await _circuit(grid))["circuit"] == "OPEN"
    other = await make_caller(client, Role.PARTNER, partner_kind=PartnerKind.GRID_OPERATOR)
    applicant = await make_caller(client, Role.APPLICANT, miner=await make_miner())
    for stranger in (other, applicant):  # another's endpoint reads as a missing one
        assert errors_of(await stranger.gql(RESET, {"i": {"endpointId": endpoint_id}})) == ["NOT_FOUND"]
    assert (await _circuit(grid))["circuit"] == "OPEN"
    officer = await make_caller(client, Role.OFFICER)
    reset = await officer.gql(RESET, {"i": {"endpointId": endpoint_id}})
    assert reset["data"]["resetWebhookCircuit"]["endpoint"] == {"circuit": "CLOSED", "consecutiveFailures": 0}
    assert await AuditEvent.filter(action="webhook_endpoint.circuit_reset").count() == 1
    # Not a day later: now, in order (the head delivery's retry was hours away).
    up = Receiver()
    assert await wh.deliver_due(settings, datetime.now(UTC) + timedelta(seconds=1), transport=up.transport,
                                resolve=_public) == 2
    assert _keys(up) == [1, 2]
    owner = await grid.gql(RESET, {"i": {"endpointId": endpoint_id}})  # the owner may too (nothing to do now)
    assert owner["data"]["resetWebhookCircuit"]["errors"] == []
