"""The read path's requests in one process: CPU time per request (the client's included).

bench/read_path.py measures the service against the floor over HTTP, the figures the issue
asks for; on a shared machine they drift by several per cent between runs. This script sends
the same four requests to the app in-process (httpx's ASGI transport, production settings, the
database bench/read_path.py seeded) and prints the median and 10th percentile of the process's
CPU time per request: steadier, and what a change to the service's Python moves. To compare two
versions of a function, run both in turns in one process (monkeypatched), several rounds each.

Usage: BENCH_DATABASE_URL=postgres://.../reg_bench_rp .venv/bin/python bench/read_path_cpu.py [requests=300]
(the database must have been seeded by bench/read_path.py; FLOOR=1 measures the floor instead).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time

import httpx
from _common import DATABASE_URL
from read_path import REQUESTS, _reuse
from tortoise import Tortoise

os.environ.update({"DATABASE_URL": DATABASE_URL, "APP_ENV": "production", "RATE_LIMIT_PER_IP": "",
                   "RATE_LIMIT_PER_TOKEN": "", "AUDIT_HMAC_KEY": "bench-audit-key"})


async def main(count: int) -> None:
    token = await _reuse()
    if token is None:
        raise SystemExit("seed the database first: bench/read_path.py")
    await Tortoise.close_connections()
    floor = bool(os.environ.get("FLOOR"))
    if floor:
        from read_path_baseline import create_app
    else:
        from main import create_app
    app = create_app()
    headers = {"Authorization": f"Bearer {token}"}
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://bench"
    ) as client:
        for req in REQUESTS:
            url, body = (req.raw, req.raw_body) if floor else ("/graphql", {"query": req.graphql,
                                                                            "variables": req.variables})
            for _ in range(20):  # warm-up: connections, caches
                response = await client.post(url, json=body, headers=headers)
            if "errors" in response.json():
                raise SystemExit(f"{req.name}: {response.text[:300]}")
            n = count if "applications" not in req.name else max(count // 5, 20)
            spent = []
            for _ in range(n):
                started = time.process_time()
                await client.post(url, json=body, headers=headers)
                spent.append(time.process_time() - started)
            spent.sort()
            print(f"{req.name:<28} CPU per request p50 {statistics.median(spent) * 1000:7.2f} ms"
                  f"  p10 {spent[len(spent) // 10] * 1000:7.2f} ms  ({n} requests)", flush=True)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 300))
