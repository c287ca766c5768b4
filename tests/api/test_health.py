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
