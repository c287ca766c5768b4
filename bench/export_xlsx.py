"""The App.1 registry export of 100,000 units as XLSX through the real app served by uvicorn,
while other requests keep coming: the streamed writer against the old one, in the same run.

Seeds `asic_unit` with COPY (varied records: Cyrillic and Kazakh text, excluded units with
their date and reason, a formula-like model name), then for each variant starts a fresh
uvicorn server in a subprocess (`export_xlsx.py serve PORT`: the real `create_app` mounted in a
small bench app that adds the variants below and a loop monitor at `/__bench/lag`), and
measures, as an officer:

- the export: time to the first body byte, total time, bytes, and that the file opens (zip
  CRCs; openpyxl read-only: every row, a few cells; python-calamine too when importable);
- meanwhile, 3 `{ __typename }` GraphQL POSTs every 10 ms (no token: the cheapest request
  that still goes through the GraphQL stack) over keep-alive connections, raw HTTP/1.1 so that
  the client costs next to nothing; latency counts from when each request was due, so a
  stalled server cannot hide behind a late client. The same pings for 2 s without an export
  give the baseline;
- inside the server: how late a task that sleeps 1 ms wakes up (the loop's stalls), how much
  of the longest gap was the loop thread's own CPU time (the rest is waiting for a CPU: the
  machine is shared), the cyclic GC's runs and longest pause, and the process's RSS before
  the export and its peak (VmHWM).

Variants: `new` (resolvers/registry_files.py as it is), `thread` (the same writer with each
page's XML built in a worker thread: the alternative measured and not taken), `old` (a copy of
the openpyxl write-only implementation this replaced), `csv` (the CSV export, for reference).
BENCH_GC_FREEZE=1 makes the server call `gc.freeze()` after start-up (not what main.py does).

Usage: .venv/bin/python bench/export_xlsx.py [units=100000] [variants=new,thread,old,csv]
(BENCH_DATABASE_URL to override the database, see _common.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import io
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
PING = b'{"query":"{ __typename }"}'
NULL = "\\N"  # COPY text format


# --- the server side (subprocess) -----------------------------------------------------------------


def serve(port: int) -> None:
    import uvicorn
    from _common import DATABASE_URL
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response, StreamingResponse
    from starlette.routing import Mount, Route

    from main import create_app
    from models.db import close_db, init_db
    from resolvers import registry_files
    from resolvers.auth import authenticate, bearer_token
    from settings import Settings

    # The implementation this bench replaced, copied from resolvers/registry_files.py as it was
    # (commit 35ec77b): the whole workbook into a spooled temporary file, then streamed.
    async def old_xlsx_file(actor, f, language):  # type: ignore[no-untyped-def]
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Реестр АПК" if language != "kk" else "АБК тізілімі")
        sheet.append(registry_files.export_headers(language))
        async for row in registry_files.records(actor, f):
            sheet.append(registry_files.export_row(row, language))
        out = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115 - closed by the stream
        workbook.save(out)
        out.seek(0)
        return out

    async def old_file_chunks(handle):  # type: ignore[no-untyped-def]
        try:
            while chunk := handle.read(256 * 1024):
                yield chunk
        finally:
            handle.close()

    # The alternative measured and not taken: each page's XML built in a worker thread.
    async def thread_chunks(actor, f, language):  # type: ignore[no-untyped-def]
        stream = registry_files.XlsxStream(registry_files.sheet_name(language), language)
        head = stream.start(registry_files.export_headers(language))
        async for page in registry_files.pages(actor, f, registry_files.XLSX_PAGE):
            body = await asyncio.to_thread(stream.rows, page)
            yield head + body
            head = b""
        yield head + stream.finish()

    async def thread_export(request: Request) -> Response:
        actor = await authenticate(bearer_token(request.headers.get("authorization")))
        if actor is None:
            return JSONResponse({"code": "UNAUTHENTICATED"}, 401)
        chunks = thread_chunks(actor, None, request.query_params.get("lang") or "ru")
        return StreamingResponse(chunks, media_type=registry_files.XLSX_MEDIA_TYPE)

    async def old_export(request: Request) -> Response:
        actor = await authenticate(bearer_token(request.headers.get("authorization")))
        if actor is None:
            return JSONResponse({"code": "UNAUTHENTICATED"}, 401)
        handle = await old_xlsx_file(actor, None, request.query_params.get("lang") or "ru")
        return StreamingResponse(old_file_chunks(handle), media_type=registry_files.XLSX_MEDIA_TYPE)

    late: list[float] = []
    pauses: list[tuple[int, float]] = []  # (generation, seconds) of each cyclic-GC run
    gc_start = [0.0]

    full_runs = [0]  # full collections so far: tells the loop's own stalls from the GC's

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            gc_start[0] = time.perf_counter()
        else:
            pauses.append((info["generation"], time.perf_counter() - gc_start[0]))
            full_runs[0] += info["generation"] == 2

    gc.callbacks.append(on_gc)

    busy: list[float] = []  # CPU time the loop's thread itself spent in each of those gaps
    no_gc: list[float] = []  # the stalls during which no full collection ran

    async def watch_loop() -> None:
        loop = asyncio.get_running_loop()
        while True:
            before, cpu, runs = loop.time(), time.thread_time(), full_runs[0]
            await asyncio.sleep(0.001)
            late.append(loop.time() - before - 0.001)
            busy.append(time.thread_time() - cpu)
            if full_runs[0] == runs:
                no_gc.append(late[-1])

    async def lag(request: Request) -> Response:
        window = sorted(late)
        cpu = sorted(busy)
        without_gc = max(no_gc, default=0.0)
        late.clear()
        busy.clear()
        no_gc.clear()
        gcs = sorted(pauses, key=lambda p: p[1])
        pauses.clear()
        if request.query_params.get("reset"):
            return JSONResponse({})
        pick = lambda q: window[min(len(window) - 1, int(q * len(window)))] * 1000 if window else 0.0  # noqa: E731
        return JSONResponse({"samples": len(window), "max_ms": pick(1.0), "p99_ms": pick(0.99), "over_50ms": sum(s > 0.05 for s in window),
                             "cpu_max_ms": cpu[-1] * 1000 if cpu else 0.0, "no_gc_max_ms": without_gc * 1000, "cpu_over_50ms": sum(c > 0.05 for c in cpu),
                             "gc_runs": len(gcs), "gc_full": sum(g == 2 for g, _ in gcs),
                             "gc_max_ms": gcs[-1][1] * 1000 if gcs else 0.0})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):  # type: ignore[no-untyped-def]
        await init_db(DATABASE_URL, run_migrations=False)
        watcher = asyncio.create_task(watch_loop())
        if os.environ.get("BENCH_GC_FREEZE"):
            gc.collect()
            gc.freeze()  # what main.py's lifespan could do: the start-up heap leaves the GC's scans
        try:
            yield
        finally:
            watcher.cancel()
            await close_db()

    # Production settings without the per-IP and per-token rate limits (added by issue 10, after this
    # bench): its pings, 300 a second from one address, would be refused with 429 (their cost:
    # bench/edge_overhead.py).
    real = create_app(Settings(database_url=DATABASE_URL, environment="production", rate_limit_per_ip="",
                               rate_limit_per_token=""), manage_db=False)
    app = Starlette(
        routes=[
            Route("/exports/asic-units-old", old_export),
            Route("/exports/asic-units-thread", thread_export),
            Route("/__bench/lag", lag),
            Mount("/", app=real),
        ],
        lifespan=lifespan,
    )
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


# --- the client side ------------------------------------------------------------------------------


async def seed(units: int) -> str:
    """A fresh schema with `units` records (every 10th excluded); returns an officer's token."""
    import asyncpg
    from _common import asyncpg_url, fresh_database, officer_and_miner
    from tortoise import Tortoise

    from models.applications import Application

    await fresh_database()
    miner, dc, token = await officer_and_miner()
    app = await Application.create(procedure="ASIC_INCLUSION", channel="PORTAL", miner=miner, received_at=datetime.now(UTC), stage="APPROVED")
    now = datetime.now(UTC).isoformat()
    start = time.perf_counter()
    conn = await asyncpg.connect(asyncpg_url())
    try:
        buf = io.StringIO()
        for i in range(1, units + 1):
            serial = f"KZX{i:09d}"
            day = date(2025, 1, 1) + timedelta(days=i % 600)
            model = '=HYPERLINK("http://evil","x")' if i % 1000 == 0 else f"Antminer S21 Hyd {i % 7} — қуатты"
            excluded = i % 10 == 0
            buf.write(
                f"{now}\t{now}\t{i}\t{day}\t{miner.id}\tТОО «Қазақ Майнинг {i % 50}»\t{miner.bin_iin}\t"
                f"г. Экибастуз, ул. Сәтбаев, {i % 200}\t{miner.phone}\t{miner.email}\t{dc.id}\t"
                f"Павлодарская обл., Екібастұз, ЦОД №{i % 3}\tPAVLODAR\t{model}\t{serial}\t{serial.lower()}\t"
                f"8471410000\t{200 + i % 50}.5\t3.{i % 1000:03d}\t50401/010124/{i:07d}\t{1 + i % 4}\t"
                f"Договор купли-продажи № {i}\t{'FAULTY' if i % 13 == 0 else 'WORKING'}\t"
                f"{'EXCLUDED' if excluded else 'IN_REGISTRY'}\t{day + timedelta(days=30) if excluded else NULL}\t"
                f"{'SALE' if excluded else NULL}\t{app.id}\n"
            )
        await conn.copy_to_table(
            "asic_unit", source=io.BytesIO(buf.getvalue().encode()), format="text",
            columns=["created_at", "updated_at", "record_number", "record_date", "miner_id", "miner_name",
                     "miner_bin_iin", "miner_legal_address", "miner_phone", "miner_email", "data_center_id",
                     "data_center_location", "region", "model", "serial", "serial_key", "tnved_code",
                     "hashrate_ths", "power_kw", "customs_declaration", "customs_quantity",
                     "ownership_document", "condition", "status", "excluded_on", "exclusion_reason",
                     "inclusion_application_id"],
        )
        await conn.execute("ANALYZE asic_unit")
    finally:
        await conn.close()
    await Tortoise.close_connections()
    print(f"seeded {units:,} units in {time.perf_counter() - start:.1f} s")
    return token


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def memory_kb(pid: int) -> dict[str, int]:
    status = Path(f"/proc/{pid}/status").read_text()
    return {k: int(line.split()[1]) for line in status.splitlines() for k in ("VmRSS", "VmHWM") if line.startswith(k + ":")}


class Pinger:
    """`{ __typename }` POSTs, `per_tick` every `tick` seconds, each on an idle keep-alive
    connection; latency counted from when the request was due, so a stalled server cannot
    hide behind a late client."""

    def __init__(self, port: int, per_tick: int = 3, tick: float = 0.010) -> None:
        self.port, self.per_tick, self.tick = port, per_tick, tick
        self.request = (
            f"POST /graphql HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(PING)}\r\n\r\n"
        ).encode() + PING
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.latencies: list[float] = []
        self.failures = 0
        self.tasks: set[asyncio.Task[None]] = set()

    async def one(self, due: float) -> None:
        reader, writer = self.idle.pop() if self.idle else await asyncio.open_connection("127.0.0.1", self.port)
        try:
            writer.write(self.request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(int(h.split(b":")[1]) for h in head.split(b"\r\n") if h.lower().startswith(b"content-length"))
            body = await reader.readexactly(length)
            if not head.startswith(b"HTTP/1.1 200") or b"Query" not in body:
                self.failures += 1
            self.latencies.append(time.perf_counter() - due)
            self.idle.append((reader, writer))
        except (OSError, asyncio.IncompleteReadError):
            self.failures += 1
            writer.close()

    async def run(self, stop: asyncio.Event) -> None:
        due = time.perf_counter()
        while not stop.is_set():
            for _ in range(self.per_tick):
                task = asyncio.create_task(self.one(due))
                self.tasks.add(task)
                task.add_done_callback(self.tasks.discard)
            due += self.tick
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
        await asyncio.gather(*self.tasks)

    def close(self) -> None:
        for _, writer in self.idle:
            writer.close()

    def summary(self) -> str:
        lat = sorted(self.latencies)
        if not lat:
            return "no requests"
        pick = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000  # noqa: E731
        return f"{len(lat)} requests, p50 {statistics.median(lat) * 1000:.1f} ms, p99 {pick(0.99):.1f} ms, max {lat[-1] * 1000:.1f} ms, {self.failures} failed"


def check_file(path: str, fmt: str, units: int) -> str:
    if fmt == "csv":
        with open(path, encoding="utf-8-sig") as fh:
            rows = sum(1 for _ in fh)
        assert rows == units + 1, rows
        return f"{rows - 1:,} data lines"
    from openpyxl import load_workbook

    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
    workbook = load_workbook(path, read_only=True)
    rows = 0
    for row in workbook.active.iter_rows(values_only=True):
        if rows == 1:
            assert row[0] == 1 and isinstance(row[1], datetime) and isinstance(row[10], float), row
        if rows == 1000:
            assert row[7].startswith("'="), row
        rows += 1
    workbook.close()
    assert rows == units + 1, rows
    try:
        import python_calamine
    except ImportError:
        return f"{rows - 1:,} rows, opens in openpyxl"
    sheet = python_calamine.CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python()
    assert len(sheet) == units + 1 and sheet[1][0] == 1 and isinstance(sheet[1][1], date), sheet[1]
    return f"{rows - 1:,} rows, opens in openpyxl and python-calamine"


def stalls(lag: dict[str, float]) -> str:
    return (f"longest {lag['max_ms']:.1f} ms, p99 {lag['p99_ms']:.1f} ms, {lag['over_50ms']} of {lag['samples']} wake-ups"
            f" over 50 ms; longest without a full GC in it {lag['no_gc_max_ms']:.1f} ms;"
            f" the loop's own CPU in one gap: longest {lag['cpu_max_ms']:.1f} ms, {lag['cpu_over_50ms']} over 50 ms;"
            f" GC: {lag['gc_runs']} runs ({lag['gc_full']} full), longest {lag['gc_max_ms']:.1f} ms")


async def measure(variant: str, units: int, token: str) -> dict[str, str]:
    import httpx

    port = free_port()
    server = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "serve", str(port)], cwd=HERE.parent)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=600) as client:
            for _ in range(200):
                with contextlib.suppress(httpx.TransportError):
                    if (await client.get("/healthz")).status_code == 200:
                        break
                await asyncio.sleep(0.1)
            headers = {"Authorization": f"Bearer {token}"}
            warm = Pinger(port)
            stop = asyncio.Event()
            ticking = asyncio.create_task(warm.run(stop))
            await asyncio.sleep(0.5)  # warm-up: connections, the schema's first use
            stop.set()
            await ticking
            await client.get("/__bench/lag?reset=1")
            idle = Pinger(port)
            idle.idle, warm.idle = warm.idle, []
            stop = asyncio.Event()
            ticking = asyncio.create_task(idle.run(stop))
            await asyncio.sleep(2.0)  # the baseline: the same pings, no export
            stop.set()
            await ticking
            idle_lag = (await client.get("/__bench/lag")).json()
            before = memory_kb(server.pid)

            path = {"new": "/exports/asic-units?format=xlsx&lang=ru", "thread": "/exports/asic-units-thread?lang=ru", "old": "/exports/asic-units-old?lang=ru",
                    "csv": "/exports/asic-units?format=csv&lang=ru"}[variant]
            busy = Pinger(port)
            busy.idle, idle.idle = idle.idle, []
            stop = asyncio.Event()
            ticking = asyncio.create_task(busy.run(stop))
            out = tempfile.NamedTemporaryFile(delete=False, suffix=".csv" if variant == "csv" else ".xlsx")  # noqa: SIM115
            size = 0
            first = None
            start = time.perf_counter()
            async with client.stream("GET", path, headers=headers) as response:
                assert response.status_code == 200, response.status_code
                async for chunk in response.aiter_raw():
                    if first is None:
                        first = time.perf_counter() - start
                    size += len(chunk)
                    out.write(chunk)
            total = time.perf_counter() - start
            load = os.getloadavg()[0]
            out.close()
            stop.set()
            await ticking
            busy.close()
            lag = (await client.get("/__bench/lag")).json()
            after = memory_kb(server.pid)
            checked = check_file(out.name, "csv" if variant == "csv" else "xlsx", units)
            os.unlink(out.name)
    finally:
        server.terminate()
        server.wait(10)
    return {
        "variant": variant,
        "first byte": f"{first:.3f} s",
        "total": f"{total:.2f} s",
        "size": f"{size / 1e6:.1f} MB",
        "file": checked,
        "server RSS": f"{before['VmRSS'] / 1024:.0f} MB before, peak {after['VmHWM'] / 1024:.0f} MB",
        "machine load": f"{load:.2f} (1-min load average at the end, {os.cpu_count()} CPUs)",
        "loop stalls": stalls(lag),
        "idle loop stalls": stalls(idle_lag),
        "idle pings": idle.summary(),
        "pings during export": busy.summary(),
    }


async def main(units: int, variants: list[str]) -> None:
    token = await seed(units)
    for variant in variants:
        result = await measure(variant, units, token)
        print(f"\n== {variant}")
        for key, value in result.items():
            if key != "variant":
                print(f"  {key:20} {value}")


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent))
    if sys.argv[1:2] == ["serve"]:
        serve(int(sys.argv[2]))
    else:
        asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000,
                         sys.argv[2].split(",") if len(sys.argv) > 2 else ["new", "thread", "old", "csv"]))
