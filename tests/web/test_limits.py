"""Issue 10, defect 5: request limits. The body size limit (413 before parsing, on
Content-Length and while a chunked body streams), the per-request time limit (503 TIMEOUT),. The query cost limit
(schema/cost.py) is tested in tests/api/test_errors.py.
The 50 MB body against a real server, with its memory, is tests/web/test_server.py."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import main
from tests.web.conftest import QUERY, edge_client, graphql_error


async def _chunks(total: int, sent: list[int], size: int = 64 * 1024) -> AsyncIterator[bytes]:
    """A body of `total` bytes streamed without Content-Length; `sent` counts what was taken."""
    head = b'{"query": "{ __typename }", "variables": {"pad": "'
    yield head
    sent[0] += len(head)
    while sent[0] < total:
        sent[0] += size
        yield b"x" * size


async def test_defect_5_a_declared_body_over_the_limit_is_413_unread(settings):
    async with edge_client(settings, max_body_bytes=1000) as c:
        response = await c.post("/graphql", content=b"{" + b" " * 2000 + b"}",
                                headers={"Content-Type": "application/json"})
        assert graphql_error(response) == (413, "REQUEST_TOO_LARGE")
        assert "1000" in response.json()["errors"][0]["message"]


async def test_defect_5_a_chunked_body_is_cut_at_the_limit(settings):
    sent = [0]
    async with edge_client(settings, max_body_bytes=256 * 1024) as c:
        response = await c.post("/graphql", content=_chunks(10 * 1024 * 1024, sent),
                                headers={"Content-Type": "application/json"})
    assert graphql_error(response) == (413, "REQUEST_TOO_LARGE")
    assert sent[0] <= 256 * 1024 + 2 * 64 * 1024, sent  # read up to the limit, not the 10 MB


async def test_defect_5_a_body_within_the_limit_is_served(settings):
    async with edge_client(settings, max_body_bytes=1000) as c:
        response = await c.post("/graphql", json=QUERY)
    assert response.status_code == 200 and response.json() == {"data": {"__typename": "Query"}}


async def test_defect_5_multipart_uploads_have_their_own_larger_limit(settings, clean_db):
    operations = json.dumps({"query": "{ __typename }"})
    files = {"0": ("units.csv", b"x" * 5000, "text/csv")}
    data = {"operations": operations, "map": json.dumps({})}
    async with edge_client(settings, max_body_bytes=1000, max_upload_bytes=10_000) as c:
        assert (await c.post("/graphql", data=data, files=files)).status_code == 200
        too_big = {"0": ("units.csv", b"x" * 20_000, "text/csv")}
        response = await c.post("/graphql", data=data, files=too_big)
    assert graphql_error(response) == (413, "REQUEST_TOO_LARGE")


async def test_defect_5_the_default_limits_are_small_for_json_larger_for_uploads(settings):
    assert settings.max_body_bytes == 2 * 1024 * 1024
    assert settings.max_upload_bytes == 25 * 1024 * 1024  # a 20 MiB file and its form


async def test_defect_5_a_bad_content_length_is_400(settings):
    async with edge_client(settings) as c:
        request = c.build_request("POST", "/graphql", content=json.dumps(QUERY).encode(),
                                  headers={"Content-Type": "application/json"})
        request.headers["Content-Length"] = "12abc"
        response = await c.send(request)
    assert graphql_error(response) == (400, "BAD_REQUEST")


async def test_defect_5_a_slow_request_is_cut_at_the_time_limit(settings, monkeypatch, caplog):
    async def slow_authenticate(token: str | None) -> None:
        await asyncio.sleep(5)

    monkeypatch.setattr(main, "authenticate", slow_authenticate)
    async with edge_client(settings, request_timeout_seconds=0.2) as c:
        started = asyncio.get_running_loop().time()
        response = await c.post("/graphql", json=QUERY)
        elapsed = asyncio.get_running_loop().time() - started
    assert graphql_error(response) == (503, "TIMEOUT")
    assert elapsed < 2, elapsed
    assert "event=request_timeout" in caplog.text


async def test_defect_5_a_request_within_the_time_limit_is_served(settings, monkeypatch):
    async def quick_authenticate(token: str | None) -> None:
        await asyncio.sleep(0.01)

    monkeypatch.setattr(main, "authenticate", quick_authenticate)
    async with edge_client(settings, request_timeout_seconds=1) as c:
        response = await c.post("/graphql", json=QUERY)
    assert response.status_code == 200 and response.json() == {"data": {"__typename": "Query"}}
