"""The cost of the HTTP edge (web/): the same simple query through the app with its middlewares
(body limit, time limit, rate limits, security headers, CORS) and through the same routes
without them, in-process (httpx ASGITransport), on a fresh SQLite file, alternating rounds.

    .venv/bin/python bench/edge_overhead.py [requests_per_round=400] [rounds=5]

Rate limits are set high enough never to refuse, so that every request does the counting (one
per-IP and one per-token counter, two lockout checks). BENCH_REDIS_URL (e.g.
redis://127.0.0.1:6379/1) adds a run with the counters in Redis, as in production.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from httpx import ASGITransport, AsyncClient
from starlette.applications import Starlette

from main import create_app
from models.db import close_db, init_db
from resolvers import auth
from rules.access import SYSTEM
from rules.enums import Role
from settings import Settings

QUERIES = {
    "anonymous { __typename }": ({"query": "{ __typename }"}, False),
    "token { viewer { user { login } } }": ({"query": "{ viewer { user { login } } }"}, True),
}
HIGH = "1000000/minute"


async def _round(app: Starlette, body: dict, headers: dict, n: int) -> float:
    """Milliseconds per request over `n` sequential requests."""
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://bench") as c:
        started = time.perf_counter()
        for _ in range(n):
            response = await c.post("/graphql", json=body, headers=headers)
            assert response.status_code == 200 and "errors" not in response.json(), response.text
        return (time.perf_counter() - started) * 1000 / n


async def main(n: int, rounds: int) -> None:
    url = f"sqlite://{Path(tempfile.mkdtemp(prefix='edge-bench-')) / 'bench.sqlite3'}"
    await init_db(url)
    user = await auth.create_user(SYSTEM, auth.CreateUser(login="bench", full_name="Bench", role=Role.OFFICER))
    token = (await auth.issue_token(SYSTEM, auth.IssueToken(user.id, "bench"))).secret
    base = Settings(database_url=url, rate_limit_per_ip=HIGH, rate_limit_per_token=HIGH)
    variants = [("memory", base)]
    if redis_url := os.environ.get("BENCH_REDIS_URL"):
        variants.append(("redis", dataclasses.replace(base, redis_url=redis_url)))
    for storage, settings in variants:
        edge = create_app(settings, manage_db=False)
        bare = Starlette(routes=edge.routes)  # the same routes and handlers, no middleware
        for label, (body, with_token) in QUERIES.items():
            headers = {"Authorization": f"Bearer {token}"} if with_token else {}
            await _round(edge, body, headers, 50)  # warm-up
            await _round(bare, body, headers, 50)
            with_edge, without = [], []
            for _ in range(rounds):
                without.append(await _round(bare, body, headers, n))
                with_edge.append(await _round(edge, body, headers, n))
            a, b = statistics.median(without), statistics.median(with_edge)
            print(f"{storage:6} {label:38} without {a:.3f} ms/req ({1000 / a:.0f} req/s)  "
                  f"with {b:.3f} ms/req ({1000 / b:.0f} req/s)  ratio {b / a:.3f}")
        await edge.state.limit_store.close()
    await close_db()


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    asyncio.run(main(*(args + [400, 5][len(args):])))
