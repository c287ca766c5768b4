"""GET /metrics (issue 14 item 8): Prometheus text, admins only."""

from datetime import UTC, datetime, timedelta

from prometheus_client.parser import text_string_to_metric_families

from models.events import WebhookDelivery, WebhookEndpoint
from resolvers import webhooks as wh
from rules.enums import Role
from rules.webhooks import DeliveryStatus, new_secret
from tests.api.test_events import _emit_all, _license
from tests.factories import make_caller


def _samples(text: str) -> dict[tuple[str, tuple], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


async def test_metrics_count_events_deliveries_dead_letters_and_lag(client):
    admin = await make_caller(client, Role.ADMIN)
    await _emit_all(*(_license("license.suspended", i, 1) for i in range(1, 4)))
    endpoint = await WebhookEndpoint.create(owner_id=admin.user_id, url="https://x.example.kz/", event_types=[],
                                            secret=new_secret())
    assert await wh.schedule_deliveries() == 3
    first = await WebhookDelivery.all().order_by("id").first()
    await WebhookDelivery.filter(id=first.id).update(status=DeliveryStatus.DEAD)
    await WebhookDelivery.all().update(created_at=datetime.now(UTC) - timedelta(minutes=10))
    response = await client.get("/metrics", headers={"Authorization": f"Bearer {admin.token}"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    samples = _samples(response.text)
    assert samples[("registry_events_written_total", ())] > 0
    assert samples[("registry_webhook_deliveries", (("status", "PENDING"),))] == 2
    assert samples[("registry_webhook_dead_letters", ())] == 1
    assert samples[("registry_webhook_lag_seconds", (("endpoint", str(endpoint.id)),))] >= 600
    assert samples[("registry_webhook_endpoint_cursor_lag", (("endpoint", str(endpoint.id)),))] == 0


async def test_metrics_need_an_admin_token(client):
    assert (await client.get("/metrics")).status_code == 401
    officer = await make_caller(client, Role.OFFICER)
    assert (await client.get("/metrics", headers={"Authorization": f"Bearer {officer.token}"})).status_code == 403
