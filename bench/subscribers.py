"""1,000 websocket subscribers on one API process, with and without multiplexing (issue 14 item 6),
and the events query reading 100,000 events in pages.

One run: a fresh PostgreSQL schema (real migrations), a grid operator's and a tax authority's
partner accounts; then for multiplexing ON, then OFF, an API process (uvicorn, one worker,
production settings, `EVENT_MULTIPLEX`) with `subscribers` graphql-transport-ws clients (the
`websockets` package, no compression; half of them each account: two cohorts), all on one
selection. This process writes `rate` events/s for `seconds` s, each in its own transaction
through `resolvers.changes.emit` (as a mutation does) and wakes the feeds through Redis
(`publish_committed`, as the API does). Latency: from the writer's commit returning to the
frame received by the client, over every (event, subscriber) pair. Dropped: sockets closed
before the end. RSS of the API process at the end (VmRSS) and its peak (VmHWM).
Then 100,000 events COPYed into the log and read by `events(first: 100)` page by page over HTTP.

Usage: .venv/bin/python bench/subscribers.py [subscribers=1000] [rate=10] [seconds=60] [events=100000]
Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/reg_bench; its
`public` schema is dropped and rebuilt), BENCH_REDIS_URL (default redis://127.0.0.1:6379/13).
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncpg
import httpx
import orjson
from _common import DATABASE_URL, asyncpg_url, fresh_database
from read_path import _free_port, _wait_up
from tortoise.transactions import in_transaction
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from resolvers import auth
from resolvers.changes import emit
from resolvers.event_feed import publish_committed
from resolvers.events import track_event_writes
from resolvers.listing import Order
from rules.access import SYSTEM, PartnerKind
from rules.enums import Role
from schema.relay import encode_cursor

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
SUBSCRIBE = """subscription($after: String) {
  events(after: $after) { id sequence type occurredAt cursor entity { type id key } data schemaVersion }
}"""
EVENTS = """query($after: String) {
  events(first: 100, after: $after) { edges { node { id sequence type occurredAt entity { type id key } data } }
    pageInfo { hasNextPage endCursor } }
}"""


@dataclass
class Phase:
    multiplex: bool
    subscribers: int = 0
    receipts: list[tuple[int, float]] = field(default_factory=list)  # (event id, received at)
    commits: dict[int, float] = field(default_factory=dict)  # event id -> commit returned at
    closed: list[int | None] = field(default_factory=list)  # close codes of dropped sockets
    errors: list[str] = field(default_factory=list)


def _start_api(port: int, multiplex: bool) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": DATABASE_URL, "REDIS_URL": REDIS_URL, "APP_ENV": "production",
           "RATE_LIMIT_PER_IP": "", "RATE_LIMIT_PER_TOKEN": "", "AUTH_FAILURE_LIMIT": "",
           "AUDIT_HMAC_KEY": "bench-audit-key", "EVENT_MULTIPLEX": "1" if multiplex else "0",
           "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "main:create_app", "--host", "127.0.0.1", "--port", str(port),
         "--workers", "1", "--loop", "eventloop:new_event_loop", "--log-level", "warning", "--no-access-log"],
        cwd=ROOT, env=env,
    )


def _memory(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process, MB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values["VmRSS"], values["VmHWM"]


def _event(i: int) -> tuple[str, dict]:
    return "license.suspended", {"license": f"KZ-{i}", "license_id": i, "holder_id": 1, "action": "SUSPEND",
                                 "status": "SUSPENDED", "ground": "bench", "effective_on": "2026-01-02"}


async def _write(phase: Phase, seq: int) -> int:
    written = track_event_writes()
    async with in_transaction() as conn:
        await emit(conn, *_event(seq))
    phase.commits[written[0]] = time.perf_counter()
    await publish_committed(REDIS_URL)
    return written[0]


async def _subscriber(uri: str, token: str, after: str, phase: Phase, live: asyncio.Semaphore,
                      stop: asyncio.Event) -> None:
    try:
        async with connect(uri, subprotocols=["graphql-transport-ws"], compression=None, ping_interval=None,
                           max_queue=None, open_timeout=60) as ws:
            await ws.send(orjson.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}).decode())
            assert orjson.loads(await ws.recv())["type"] == "connection_ack"
            await ws.send(orjson.dumps({"type": "subscribe", "id": "1",
                                        "payload": {"query": SUBSCRIBE, "variables": {"after": after}}}).decode())
            phase.subscribers += 1
            live.release()
            receipts = phase.receipts
            while not stop.is_set():
                try:
                    frame = await ws.recv()
                except ConnectionClosed as closed:
                    if not stop.is_set():
                        phase.closed.append(closed.rcvd.code if closed.rcvd else None)
                    return
                received = time.perf_counter()
                message = orjson.loads(frame)
                if message["type"] != "next" or "errors" in message["payload"]:
                    phase.errors.append(str(message)[:200])
                    continue
                receipts.append((int(message["payload"]["data"]["events"]["sequence"]), received))
    except Exception as exc:  # a refused or broken connection counts as dropped
        phase.errors.append(repr(exc)[:200])
        phase.closed.append(None)
        live.release()


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


async def run_phase(multiplex: bool, tokens: list[str], count: int, rate: float, seconds: float) -> dict:
    phase = Phase(multiplex)
    seed = await _write(phase, 0)  # subscribers start after it: no replay
    after = encode_cursor(Order(), (seed, seed))
    port = _free_port()
    api = _start_api(port, multiplex)
    stop = asyncio.Event()
    try:
        async with httpx.AsyncClient() as http:
            await _wait_up(http, f"http://127.0.0.1:{port}/healthz")
        uri = f"ws://127.0.0.1:{port}/graphql"
        live = asyncio.Semaphore(0)
        gate = asyncio.Semaphore(50)  # connections being opened at once

        async def one(i: int) -> None:
            async with gate:
                task = asyncio.create_task(_subscriber(uri, tokens[i % len(tokens)], after, phase, live, stop))
                await live.acquire()
            await task

        started = time.perf_counter()
        clients = [asyncio.create_task(one(i)) for i in range(count)]
        while phase.subscribers + len(phase.closed) < count:
            await asyncio.sleep(0.1)
        connect_seconds = time.perf_counter() - started
        await asyncio.sleep(2.0)  # every subscription past its (empty) replay, live
        rss_idle = _memory(api.pid)[0]
        load_before = os.getloadavg()
        t0 = time.perf_counter()
        written = 0
        while (now := time.perf_counter() - t0) < seconds:
            target = written / rate
            if target > now:
                await asyncio.sleep(target - now)
            await _write(phase, written + 1)
            written += 1
        expected = written * (phase.subscribers - len(phase.closed))
        drain_until = time.perf_counter() + 30
        while len(phase.receipts) < expected and time.perf_counter() < drain_until:
            await asyncio.sleep(0.2)
        load_after = os.getloadavg()
        rss, hwm = _memory(api.pid)
        stop.set()
        for task in clients:
            task.cancel()
        await asyncio.gather(*clients, return_exceptions=True)
    finally:
        api.terminate()
        api.wait(30)
    latencies = [received - phase.commits[seq] for seq, received in phase.receipts if seq in phase.commits]
    return {
        "multiplex": multiplex, "subscribers": phase.subscribers, "connect_s": connect_seconds,
        "events": written, "expected": written * phase.subscribers, "delivered": len(latencies),
        "p50": _pct(latencies, 50) if latencies else float("nan"),
        "p99": _pct(latencies, 99) if latencies else float("nan"),
        "max": max(latencies) if latencies else float("nan"),
        "dropped": len(phase.closed), "close_codes": sorted(set(map(str, phase.closed))),
        "errors": phase.errors[:3], "rss_idle": rss_idle, "rss": rss, "hwm": hwm,
        "load_before": load_before, "load_after": load_after,
    }


async def read_events(token: str, count: int) -> dict:
    """`count` events COPYed into the log, then read by `events(first: 100)` over HTTP."""
    conn = await asyncpg.connect(asyncpg_url())
    try:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        now = datetime.now(UTC).isoformat()
        base = (await conn.fetchval("SELECT coalesce(max(outbox_id), 0) FROM partner_event")) + 1_000_000
        for i in range(count):
            _, data = _event(i)
            writer.writerow(["license.revoked", 1, now, "License", i + 1, 1, "", orjson.dumps(data).decode(), base + i])
        started = time.perf_counter()
        await conn.copy_to_table("partner_event", source=io.BytesIO(buffer.getvalue().encode()), format="csv",
                                 columns=["type", "schema_version", "occurred_at", "entity_type", "entity_id",
                                          "miner_id", "pool_id", "data", "outbox_id"])
        await conn.execute("ANALYZE partner_event")
        copy_seconds = time.perf_counter() - started
        total = await conn.fetchval("SELECT count(*) FROM partner_event")
    finally:
        await conn.close()
    port = _free_port()
    api = _start_api(port, True)
    pages: list[float] = []
    read = 0
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60,
                                     headers={"Authorization": f"Bearer {token}"}) as http:
            await _wait_up(http, "/healthz")
            after = None
            started = time.perf_counter()
            while True:
                t = time.perf_counter()
                response = await http.post("/graphql", json={"query": EVENTS, "variables": {"after": after}})
                pages.append(time.perf_counter() - t)
                body = response.json()
                assert "errors" not in body, body
                page = body["data"]["events"]
                read += len(page["edges"])
                if not page["pageInfo"]["hasNextPage"]:
                    break
                after = page["pageInfo"]["endCursor"]
            elapsed = time.perf_counter() - started
    finally:
        api.terminate()
        api.wait(30)
    return {"log": total, "read": read, "pages": len(pages), "copy_s": copy_seconds, "total_s": elapsed,
            "page_p50_ms": statistics.median(pages) * 1000, "page_p99_ms": _pct(pages, 99) * 1000,
            "load": os.getloadavg()}


async def _partner(login: str, kind: PartnerKind) -> str:
    user = await auth.create_user(SYSTEM, auth.CreateUser(login=login, full_name=login, role=Role.PARTNER,
                                                          partner_kind=kind))
    return (await auth.issue_token(SYSTEM, auth.IssueToken(user.id, "bench"))).secret


async def main() -> None:
    count, rate, seconds, events = (int(sys.argv[1]) if len(sys.argv) > 1 else 1000,
                                    float(sys.argv[2]) if len(sys.argv) > 2 else 10.0,
                                    float(sys.argv[3]) if len(sys.argv) > 3 else 60.0,
                                    int(sys.argv[4]) if len(sys.argv) > 4 else 100_000)
    await fresh_database()
    tokens = [await _partner("bench-grid", PartnerKind.GRID_OPERATOR), await _partner("bench-tax", PartnerKind.TAX_AUTHORITY)]
    print(f"{count} subscribers, {rate:g} events/s for {seconds:g} s; {os.cpu_count()} CPUs, "
          f"load average at start {os.getloadavg()[0]:.2f}", flush=True)
    results = []
    for multiplex in (True, False):
        result = await run_phase(multiplex, tokens, count, rate, seconds)
        results.append(result)
        print(result, flush=True)
    print("\n| multiplexing | subscribers | events | delivered / expected | p50 | p99 | max | dropped | RSS idle -> end"
          " (peak) | load avg 1 min (before -> after) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {'on' if r['multiplex'] else 'off'} | {r['subscribers']} | {r['events']} | "
              f"{r['delivered']:,} / {r['expected']:,} | {r['p50'] * 1000:.0f} ms | {r['p99'] * 1000:.0f} ms | "
              f"{r['max'] * 1000:.0f} ms | {r['dropped']} {r['close_codes'] if r['dropped'] else ''} | "
              f"{r['rss_idle']:.0f} -> {r['rss']:.0f} MB ({r['hwm']:.0f}) | "
              f"{r['load_before'][0]:.2f} -> {r['load_after'][0]:.2f} |")
    if events:
        q = await read_events(tokens[0], events)
        print(f"\nevents query: {q['read']:,} of {q['log']:,} events in {q['pages']} pages of 100: "
              f"{q['total_s']:.1f} s, page p50 {q['page_p50_ms']:.1f} ms, p99 {q['page_p99_ms']:.1f} ms "
              f"(COPY of the rows {q['copy_s']:.1f} s; load average {q['load'][0]:.2f})")


if __name__ == "__main__":
    from tortoise import Tortoise

    async def _run() -> None:
        try:
            await main()
        finally:
            await Tortoise.close_connections()

    asyncio.run(_run())
