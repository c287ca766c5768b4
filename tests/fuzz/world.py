"""What the fuzz tests run against: a small world (an officer, an applicant with a miner and a
data center, a pool) and a client that sees server crashes as responses, plus the one check
every fuzzed or hostile request must pass: no HTTP 5xx and no error with code INTERNAL."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest_asyncio
from httpx import ASGITransport, AsyncClient

from models.parties import DataCenter, Miner
from rules.enums import Role
from schema.ids import to_global_id
from tests.api.registry_flow import include, inclusion_input, unit
from tests.factories import Caller, make_caller, make_data_center, make_miner, make_pool


@dataclass
class World:
    officer: Caller
    applicant: Caller
    admin: Caller
    ids: dict[str, str]  # type name -> a global id of an existing record
    miner: Miner
    data_center: DataCenter


@dataclass
class Tally:
    """Requests sent, operations covered, and every response that broke the rule."""

    requests: int = 0
    operations: set[str] = field(default_factory=set)
    failures: list[str] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)  # "ok" or the first error code

    def check(self, operation: str, request: dict[str, Any], status: int, body: Any) -> None:
        self.requests += 1
        self.operations.add(operation)
        codes = [c for c in internal_codes(body) if c != "None"] if isinstance(body, dict) else []
        self.outcomes[codes[0] if codes else "ok" if status == 200 else f"HTTP {status}"] += 1
        if status >= 500 or "INTERNAL" in codes:
            self.failures.append(f"{operation}: HTTP {status} {codes} <- {str(request)[:600]}")


def internal_codes(body: dict[str, Any]) -> list[str]:
    """Every error code of a GraphQL response: top-level ones and the root payloads' errors."""
    codes = [str((e.get("extensions") or {}).get("code")) for e in body.get("errors") or []]
    for value in (body.get("data") or {}).values():
        if isinstance(value, dict) and isinstance(value.get("errors"), list):
            codes += [str(e.get("code")) for e in value["errors"] if isinstance(e, dict)]
    return codes


async def send(caller: Caller, request: dict[str, Any]) -> tuple[int, Any]:
    """POST a GraphQL request as the caller; the status and the JSON body (None if not JSON)."""
    # ASCII JSON, as most clients send it: a lone surrogate travels as the escape "\\ud800".
    response = await caller.client.post(
        "/graphql",
        content=json.dumps(request).encode(),
        headers={"Authorization": f"Bearer {caller.token}", "Content-Type": "application/json"},
    )
    try:
        return response.status_code, response.json()
    except ValueError:
        return response.status_code, None


@pytest_asyncio.fixture(loop_scope="session")
async def crash_client(clean_db: str, asgi_app: Any) -> AsyncIterator[AsyncClient]:
    """A client on the app that turns an unhandled exception into the 500 a server would send."""
    transport = ASGITransport(app=asgi_app, raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


@pytest_asyncio.fixture(loop_scope="session")
async def world(crash_client: AsyncClient) -> World:
    miner = await make_miner()
    data_center = await make_data_center(miner)
    pool = await make_pool()
    officer = await make_caller(crash_client, Role.OFFICER)
    applicant = await make_caller(crash_client, Role.APPLICANT, miner=miner)
    ids = {
        "Miner": str(to_global_id("Miner", miner.id)),
        "DataCenter": str(to_global_id("DataCenter", data_center.id)),
        "Pool": str(to_global_id("Pool", pool.id)),
    }
    admin = await make_caller(crash_client, Role.ADMIN)
    # An application filed through the API, so that application ids reach a real record too.
    filed = await include(applicant, inclusion_input(miner, data_center, [unit(1)]))
    ids["Application"] = filed["data"]["applyForAsicInclusion"]["application"]["id"]
    ids["User"] = str(to_global_id("User", applicant.user_id))
    return World(officer=officer, applicant=applicant, admin=admin, ids=ids, miner=miner, data_center=data_center)
