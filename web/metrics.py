"""GET /metrics: Prometheus text format (prometheus-client), read from the database at scrape
time, so every API process answers the same totals. Admins only (a bearer token: Prometheus's
`authorization` scrape setting); the figures carry no personal data.

- `registry_events_written_total`: public events in the log (its newest sequence number);
- `registry_webhook_deliveries{status}`: deliveries by state; `registry_webhook_dead_letters`;
- `registry_webhook_lag_seconds{endpoint}`: age of each endpoint's oldest pending delivery;
- `registry_webhook_endpoint_cursor_lag{endpoint}`: events not yet scheduled for an endpoint;
- `registry_webhook_circuit_open{endpoint}`: 1 while an endpoint's circuit breaker is open;
- `registry_event_subscribers` and `registry_event_feed_lag`: this process's live subscribers
  and how many committed events its feed has not read yet.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from tortoise.functions import Count, Min

from models.events import PartnerEvent, WebhookDelivery, WebhookEndpoint
from resolvers.auth import authenticate, bearer_token
from rules.enums import Role
from rules.webhooks import CircuitState, DeliveryStatus


async def _newest_event() -> int:
    row = await PartnerEvent.all().order_by("-id").only("id").first()
    return row.id if row else 0


async def render_metrics(feed: Any, now: datetime | None = None) -> bytes:
    now = now or datetime.now(UTC)
    registry = CollectorRegistry()
    newest = await _newest_event()
    Gauge("registry_events_written_total", "Public events in the log (newest sequence number).",
          registry=registry).set(newest)
    by_status = Gauge("registry_webhook_deliveries", "Webhook deliveries by state.", ["status"], registry=registry)
    counts = {row["status"]: row["n"] for row in
              await WebhookDelivery.all().group_by("status").annotate(n=Count("id")).values("status", "n")}
    for status in DeliveryStatus:
        by_status.labels(status.value).set(counts.get(status, counts.get(status.value, 0)))
    Gauge("registry_webhook_dead_letters", "Deliveries in the dead-letter list.", registry=registry).set(
        counts.get(DeliveryStatus.DEAD, counts.get(DeliveryStatus.DEAD.value, 0)))
    lag = Gauge("registry_webhook_lag_seconds", "Age of the oldest pending delivery per endpoint.", ["endpoint"],
                registry=registry)
    oldest = await WebhookDelivery.filter(status=DeliveryStatus.PENDING).group_by("endpoint_id") \
        .annotate(first=Min("created_at")).values("endpoint_id", "first")
    for row in oldest:
        first = row["first"]
        if isinstance(first, str):
            first = datetime.fromisoformat(first)
        if first.tzinfo is None:
            first = first.replace(tzinfo=UTC)
        lag.labels(str(row["endpoint_id"])).set(max(0.0, (now - first).total_seconds()))
    behind = Gauge("registry_webhook_endpoint_cursor_lag", "Events not yet scheduled per active endpoint.",
                   ["endpoint"], registry=registry)
    circuit = Gauge("registry_webhook_circuit_open", "1 while an active endpoint's circuit breaker is open or "
                    "half-open (a dead endpoint), else 0.", ["endpoint"], registry=registry)
    for endpoint in await WebhookEndpoint.filter(active=True).only("id", "cursor", "consecutive_failures",
                                                                    "circuit_open_until"):
        behind.labels(str(endpoint.id)).set(max(0, newest - endpoint.cursor))
        circuit.labels(str(endpoint.id)).set(int(endpoint.circuit.state(now) is not CircuitState.CLOSED))
    Gauge("registry_event_subscribers", "Live event subscribers of this process.", registry=registry).set(
        len(feed.subscribers) if feed is not None else 0)
    Gauge("registry_event_feed_lag", "Committed events this process's feed has not read yet.",
          registry=registry).set(max(0, newest - feed.head) if feed is not None and feed.subscribers else 0)
    return generate_latest(registry)


async def metrics_endpoint(request: Request) -> Response:
    actor = await authenticate(bearer_token(request.headers.get("authorization")))
    if actor is None:
        return JSONResponse({"code": "UNAUTHENTICATED"}, 401)
    if actor.role is not Role.ADMIN:
        return JSONResponse({"code": "FORBIDDEN"}, 403)
    body = await render_metrics(getattr(request.app.state, "event_feed", None))
    return Response(body, media_type=CONTENT_TYPE_LATEST)
