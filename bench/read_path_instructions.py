"""The read path's requests counted in CPU instructions (valgrind's callgrind), service and floor.

Timings on this shared machine drift by 5-30% between runs, more than most single changes to
the service move them; an instruction count does not (the same code and data give the same
count to within 0.1%, whatever else the machine is doing). This script sends each request of
bench/read_path.py to the app in-process (its ASGI callable, no client, production settings, the
database bench/read_path.py seeded), with callgrind's instrumentation switched on only around
the measured requests, and prints the instructions per request of the service and of the floor
(bench/read_path_baseline.py) and their ratio. Waiting on PostgreSQL costs no instructions:
this is the server's own work, the part a change to its Python moves.

Usage: BENCH_DATABASE_URL=postgres://.../reg_bench_rp .venv/bin/python bench/read_path_instructions.py [requests=100]
(valgrind must be installed: `apt-get install valgrind`; one request kind takes about 20 s.)
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from typing import Any

from _common import DATABASE_URL
from read_path import REQUESTS, _reuse
from tortoise import Tortoise

os.environ.update({"DATABASE_URL": DATABASE_URL, "APP_ENV": "production", "RATE_LIMIT_PER_IP": "",
                   "RATE_LIMIT_PER_TOKEN": "", "AUDIT_HMAC_KEY": "bench-audit-key"})
WARM_UP = 30


def _asgi_call(app: Any, path: str, body: Any, token: str) -> Any:
    raw = json.dumps(body).encode()
    scope = {
        "type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
        "headers": [(b"host", b"bench"), (b"content-type", b"application/json"),
                    (b"content-length", str(len(raw)).encode()), (b"authorization", f"Bearer {token}".encode())],
        "client": ("127.0.0.1", 5555), "server": ("127.0.0.1", 8000), "state": {},
    }

    async def call() -> None:
        delivered = False

        async def receive() -> dict[str, Any]:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": raw, "more_body": False}
            await asyncio.sleep(3600)
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start" and message["status"] != 200:
                raise SystemExit(f"{path}: HTTP {message['status']}")

        await app(dict(scope), receive, send)

    return call


async def _measured(index: int, count: int, floor: bool) -> None:
    """Runs under callgrind: warm up, then `count` requests with the instrumentation on."""
    token = await _reuse()
    if token is None:
        raise SystemExit("seed the database first: bench/read_path.py")
    await Tortoise.close_connections()
    request = REQUESTS[index]
    if floor:
        from read_path_baseline import create_app
        path, body = request.raw, request.raw_body
    else:
        from main import create_app
        path, body = "/graphql", {"query": request.graphql, "variables": request.variables}
    app = create_app()
    async with app.router.lifespan_context(app):
        call = _asgi_call(app, path, body, token)
        for _ in range(WARM_UP):
            await call()
        subprocess.run(["callgrind_control", "-i", "on", str(os.getpid())], check=True, capture_output=True)
        for _ in range(count):
            await call()
        subprocess.run(["callgrind_control", "-i", "off", str(os.getpid())], check=True, capture_output=True)


def _count(index: int, count: int, floor: bool) -> int:
    with tempfile.TemporaryDirectory() as scratch:
        done = subprocess.run(
            ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={scratch}/out",
             sys.executable, __file__, "--measured", str(index), str(count), "floor" if floor else "service"],
            env={**os.environ, "PYTHONHASHSEED": "0"}, capture_output=True, text=True,
        )
    found = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode or not found:
        raise SystemExit(done.stderr[-2000:])
    return int(found.group(1)) // count


def main(count: int) -> None:
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    print(f"{'request':<28} {'service':>14} {'floor':>12} {'ratio':>7}   instructions per request ({count} requests)")
    for index, request in enumerate(REQUESTS):
        n = count if "applications" not in request.name else max(count // 5, 10)
        service, floor = _count(index, n, False), _count(index, n, True)
        print(f"{request.name:<28} {service:>14,} {floor:>12,} {service / floor:>6.2f}x", flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--measured"]:
        asyncio.run(_measured(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "floor"))
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
