from main import create_app
from settings import Settings


async def test_healthz_checks_the_database(client):
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


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
