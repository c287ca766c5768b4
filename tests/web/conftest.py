"""The HTTP edge's tests: apps built with their own settings (lower limits, CORS origins), on
the session's database (``manage_db=False``) and the test's transaction (``clean_db``)."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import httpx
from httpx import ASGITransport, AsyncClient

from main import create_app
from settings import Settings

QUERY = {"query": "{ __typename }"}


@contextlib.asynccontextmanager
async def edge_client(
    settings: Settings, client_ip: str = "127.0.0.1", **overrides: Any
) -> AsyncIterator[AsyncClient]:
    """A client of an app built with `settings` changed by `overrides`, calling from `client_ip`."""
    app = create_app(dataclasses.replace(settings, **overrides), manage_db=False)
    transport = ASGITransport(app=app, client=(client_ip, 50000))
    try:
        async with AsyncClient(transport=transport, base_url="http://test") as c:
            yield c
    finally:
        await app.state.limit_store.close()  # what the lifespan does at shutdown


def graphql_error(response: httpx.Response) -> tuple[int, str]:
    """The status and the one error code of a GraphQL-shaped refusal (checks the shape)."""
    assert response.headers["content-type"].startswith("application/json"), response.text
    body = response.json()
    assert set(body) == {"errors"} and len(body["errors"]) == 1, body
    error = body["errors"][0]
    assert isinstance(error["message"], str) and error["message"], body
    return response.status_code, error["extensions"]["code"]
