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
import base64
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
from read_path import _free_port
from tortoise.transactions import in_transaction

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


async def _wait_api(port: int) -> None:
    """Until the API answers /healthz (a minute at most: slow starts on a loaded machine)."""
    async with httpx.AsyncClient() as http:
        for _ in range(600):
            try:
                await http.get(f"http://127.0.0.1:{port}/healthz")
                return
            except httpx.TransportError:
                await asyncio.sleep(0.1)
    raise RuntimeError("the API did not start")


def _stop(api: subprocess.Popen[bytes]) -> None:
    api.terminate()  # uvicorn waits for open websockets: not for long
    try:
        api.wait(10)
    except subprocess.TimeoutExpired:
        api.kill()
        api.wait()


def _memory(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process, MB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values["VmRSS"], values["VmHWM"]


def _cpu(pid: int) -> float:
    """CPU seconds (user + system) a process used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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


class Client(asyncio.Protocol):
    """A graphql-transport-ws subscriber on a bare asyncio protocol: the handshake, masked text
    frames out, unmasked frames parsed in `data_received` (timestamped there). The `websockets`
    client (one coroutine switch and several objects per message) cost more CPU than the server
    on this 2-vCPU machine, so the client's own lag filled the measured latency (README)."""

    def __init__(self, host: str, token: str, after: str, phase: Phase, live: asyncio.Semaphore) -> None:
        self.host, self.token, self.after, self.phase, self.live = host, token, after, phase, live
        self.buffer = bytearray()
        self.open = False
        self.subscribed = False
        self.stopping = False
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        key = base64.b64encode(os.urandom(16)).decode()
        transport.write(  # type: ignore[attr-defined]
            f"GET /graphql HTTP/1.1\r\nHost: {self.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            "Sec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n".encode())

    def send(self, message: dict) -> None:
        payload = orjson.dumps(message)
        mask = os.urandom(4)
        n = len(payload)
        header = bytes([0x81]) + (bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + n.to_bytes(2, "big"))
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        assert self.transport is not None
        self.transport.write(header + mask + masked)

    def data_received(self, data: bytes) -> None:
        received = time.perf_counter()
        buffer = self.buffer
        buffer += data
        if not self.open:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            if not buffer.startswith(b"HTTP/1.1 101"):
                self._drop(f"handshake refused: {bytes(buffer[:80])!r}")
                return
            del buffer[:end + 4]
            self.open = True
            self.send({"type": "connection_init", "payload": {"Authorization": f"Bearer {self.token}"}})
        while len(buffer) >= 2:
            opcode, length, offset = buffer[0] & 0x0F, buffer[1] & 0x7F, 2
            if length == 126:
                if len(buffer) < 4:
                    return
                length, offset = int.from_bytes(buffer[2:4], "big"), 4
            elif length == 127:
                if len(buffer) < 10:
                    return
                length, offset = int.from_bytes(buffer[2:10], "big"), 10
            if len(buffer) < offset + length:
                return
            payload = bytes(buffer[offset:offset + length])
            del buffer[:offset + length]
            if opcode == 1:
                self._message(payload, received)
            elif opcode == 8:  # close: its code
                self._drop(int.from_bytes(payload[:2], "big") if len(payload) >= 2 else None)
                return
            elif opcode == 9:  # ping: pong (unmasked payload echoed, masked)
                assert self.transport is not None
                self.transport.write(bytes([0x8A, 0x80 | len(payload)]) + b"\0\0\0\0" + payload)

    def _message(self, payload: bytes, received: float) -> None:
        at = payload.find(b'"sequence":"', 0, 200)  # an event: its id, without parsing the rest
        if at > 0 and payload.startswith(b'{"id":"1","type":"next"'):
            start = at + 12
            self.phase.receipts.append((int(payload[start:payload.index(b'"', start)]), received))
            return
        message = orjson.loads(payload)
        kind = message["type"]
        if kind == "next" and "errors" not in message["payload"]:
            self.phase.receipts.append((int(message["payload"]["data"]["events"]["sequence"]), received))
        elif kind == "connection_ack":
            self.send({"type": "subscribe", "id": "1", "payload": {"query": SUBSCRIBE, "variables": {"after": self.after}}})
            self.subscribed = True
            self.phase.subscribers += 1
            self.live.release()
        else:
            self.phase.errors.append(str(message)[:200])

    def _drop(self, code: int | str | None) -> None:
        if not self.stopping:
            self.phase.closed.append(code)
            if isinstance(code, str):
                self.phase.errors.append(code)
            if not self.subscribed:
                self.live.release()
        self.stopping = True
        if self.transport is not None:
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.stopping:
            self._drop(f"connection lost: {exc!r}")


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


async def run_phase(multiplex: bool, tokens: list[str], count: int, rate: float, seconds: float) -> dict:
    phase = Phase(multiplex)
    seed = await _write(phase, 0)  # subscribers start after it: no replay
    after = encode_cursor(Order(), (seed, seed))
    port = _free_port()
    api = _start_api(port, multiplex)
    try:
        await _wait_api(port)
        loop = asyncio.get_running_loop()
        live = asyncio.Semaphore(0)
        clients: list[Client] = []
        started = time.perf_counter()
        for i in range(count):  # 50 handshakes in flight at most
            if i >= 50:
                await live.acquire()
            client = Client(f"127.0.0.1:{port}", tokens[i % len(tokens)], after, phase, live)
            clients.append(client)
            await loop.create_connection(lambda c=client: c, "127.0.0.1", port)
        while phase.subscribers + len(phase.closed) < count:
            await asyncio.sleep(0.1)
        connect_seconds = time.perf_counter() - started
        await asyncio.sleep(2.0)  # every subscription past its (empty) replay, live
        rss_idle = _memory(api.pid)[0]
        load_before = os.getloadavg()
        cpu_before = _cpu(api.pid)
        own_before = time.process_time()
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
        elapsed = time.perf_counter() - t0
        api_cpu = (_cpu(api.pid) - cpu_before) / elapsed
        bench_cpu = (time.process_time() - own_before) / elapsed
        rss, hwm = _memory(api.pid)
        for client in clients:
            client.stopping = True
            if client.transport is not None:
                client.transport.close()
    finally:
        _stop(api)
    latencies = [received - phase.commits[seq] for seq, received in phase.receipts if seq in phase.commits]
    return {
        "multiplex": multiplex, "subscribers": phase.subscribers, "connect_s": connect_seconds,
        "events": written, "expected": written * phase.subscribers, "delivered": len(latencies),
        "p50": _pct(latencies, 50) if latencies else float("nan"),
        "p99": _pct(latencies, 99) if latencies else float("nan"),
        "max": max(latencies) if latencies else float("nan"),
        "dropped": len(phase.closed), "close_codes": sorted(set(map(str, phase.closed))),
        "errors": phase.errors[:3], "rss_idle": rss_idle, "rss": rss, "hwm": hwm,
        "load_before": load_before, "load_after": load_after, "api_cpu": api_cpu, "bench_cpu": bench_cpu,
        "writes_missed": int(seconds * rate) - written,
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
            await _wait_api(port)
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
        _stop(api)
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
    print("\n| multiplexing | subscribers | events | delivered / expected | p50 | p99 | max | dropped | CPU: API "
          "(clients + writer) | RSS idle -> end (peak) | load avg 1 min (before -> after) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {'on' if r['multiplex'] else 'off'} | {r['subscribers']} | {r['events']} | "
              f"{r['delivered']:,} / {r['expected']:,} | {r['p50'] * 1000:.0f} ms | {r['p99'] * 1000:.0f} ms | "
              f"{r['max'] * 1000:.0f} ms | {r['dropped']} {r['close_codes'] if r['dropped'] else ''} | "
              f"{r['api_cpu']:.2f} s/s ({r['bench_cpu']:.2f}) | "
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
