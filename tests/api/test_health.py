from main import create_app
from settings import Settings


async def test_healthz_checks_the_database(client):
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


async def test_item10_healthz_reports_the_outbox_backlog(client):
    from datetime import UTC, datetime, timedelta

    from models.outbox import OutboxEvent
    from tests.factories import make_miner

    assert (await client.get("/healthz")).json()["outbox"] == {"pending": 0, "oldest_age_seconds": 0.0, "failed": 0}
    await make_miner()
    await make_miner()
    oldest = await OutboxEvent.all().order_by("id").first()
    await OutboxEvent.filter(id=oldest.id).update(created_at=datetime.now(UTC) - timedelta(minutes=10))
    await OutboxEvent.create(topic="given.up", payload={}, attempts=10)
    outbox = (await client.get("/healthz")).json()["outbox"]
    assert outbox["pending"] == 2 and outbox["failed"] == 1
    assert 600 <= outbox["oldest_age_seconds"] < 660


async def test_healthz_reports_unreachable_redis(db):
    from httpx import ASGITransport, AsyncClient

    settings = Settings(database_url=db, redis_url="redis://127.0.0.1:1/0")
    app = create_app(settings, manage_db=False)
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://t") as c:
        response = await c.get("/healthz")
    assert response.status_code == 503
    assert response.json()["redis"].startswith("error")


async def test_registry_export_is_mounted_and_needs_a_token(client, officer):
    assert (await client.get("/exports/asic-units?format=csv")).status_code == 401
    response = await client.get(
        "/exports/asic-units?format=csv&lang=ru", headers={"Authorization": f"Bearer {officer.token}"}
    )
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "Серийный" in response.text.splitlines()[0] or "серийный" in response.text.splitlines()[0].lower()
