"""The everyday read path against a hand-written SQL floor, in one run (issue 8).

Seeds PostgreSQL through the project's own use cases (miners, data centers, applications,
licences, registry units), starts two servers under uvicorn (one worker each, production
settings): the GraphQL service and bench/read_path_baseline.py (bare Starlette + asyncpg, same
JSON). For each request it checks that both answer the same JSON, then drives both,
interleaved, at concurrency 1 and 8, and prints req/s, p50, p99 and the ratio service/floor.

Usage: .venv/bin/python bench/read_path.py [seconds per run = 5] [concurrency list = 1,8]
Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/reg_bench; its
`public` schema is dropped and rebuilt), BENCH_SEED_UNITS (default 100000), BENCH_REUSE=1 (keep
a database seeded by an earlier run: seeding takes about 5 minutes).
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from _common import DATABASE_URL, fresh_database
from tortoise import Tortoise

from resolvers import applications, auth, licensing, parties, registry
from rules.access import SYSTEM
from rules.enums import ElectricityPurchase, Role
from rules.qualification import Confirmations, DocumentKind
from rules.registry import UnitCondition
from rules.workflow import LicenseSubtype

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
MINERS, DCS_PER_MINER = 200, 2
APPLICATIONS, INCLUSION_EVERY = 150, 3  # every third application an ASIC inclusion: 100 licence, 50 registry
LICENSED = 50  # licence applications approved (licences issued)
UNITS = int(os.environ.get("BENCH_SEED_UNITS", "100000"))


@dataclass
class Request:
    name: str
    graphql: str
    variables: dict[str, Any] = field(default_factory=dict)
    raw: str = ""  # path on the floor server
    raw_body: dict[str, Any] = field(default_factory=dict)
    target: str = ""  # the issue's ratio target


APPLICATIONS_QUERY = """{ applications(first: 100) { edges { node {
  id incomingNumber procedure stage registeredOn decisionDueOn daysLeft overdue
  nextDeadline { kind dueOn }
  miner { id name binIin }
  completenessProblems { code path }
  licenseDetails { subtype dataCenters { id name } fee { mrp tenge } }
  registryDetails { lineCount totalPowerKw dataCenter { id name } }
} } } }"""

SERIAL_QUERY = """query($s: String!) { asicUnit(serial: $s) {
  recordNumber serial status model hashrateThs powerKw minerName dataCenterLocation } }"""

REQUESTS = [
    Request("trivial", "{ __typename }", raw="/raw/trivial", target="-"),
    Request(
        "10 miners + data centers",
        """{ miners(first: 10) { edges { cursor node { id name binIin
             dataCenters(first: 5) { edges { node { id name region } } pageInfo { hasNextPage } } } }
             pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }""",
        raw="/raw/miners",
        target="2x",
    ),
    Request("100 applications, nested", APPLICATIONS_QUERY, raw="/raw/applications", target="3x"),
    Request("serial lookup", SERIAL_QUERY, {"s": "BNC000054321"}, raw="/raw/serial",
            raw_body={"s": "BNC000054321"}, target="2x"),
]


# -- seeding through the use cases -----------------------------------------------------------------


async def seed() -> str:
    """200 miners, 400 data centers, 150 applications (100 licence, 50 ASIC inclusions), 50
    licences and UNITS registry records, all through the use cases."""
    await fresh_database()
    from tests.factories import new_bin  # valid BINs, the tests' generator

    started = time.perf_counter()
    miners, dcs = [], []
    for i in range(MINERS):
        miner = await parties.create_miner(SYSTEM, parties.CreateMiner(
            kind="LE", bin_iin=new_bin(), name=f"ТОО «Майнер {i:03d}»", legal_address=f"Астана, ул. Тест {i}",
            phone="+7 701 000 00 00", email=f"m{i}@miner.kz",
        ))
        miners.append(miner)
        for j in range(DCS_PER_MINER):
            dcs.append(await parties.create_data_center(SYSTEM, parties.CreateDataCenter(
                miner_id=miner.id, name=f"ЦОД {i:03d}-{j}", address=f"Экибастуз, уч. {i}-{j}",
                region="PAVLODAR" if j == 0 else "ABAI", outside_residential_zone=True, power_source="GRID",
                substation_kv="110", permitted_capacity_kw="50000",
            )))
    per_inclusion = UNITS // (APPLICATIONS // INCLUSION_EVERY)
    licensed = included = 0
    for i in range(APPLICATIONS):
        miner, dc = miners[i], dcs[2 * i]
        if i % INCLUSION_EVERY == INCLUSION_EVERY - 1:
            await _include(miner, dc, included * per_inclusion, per_inclusion)
            included += 1
        else:
            app = await licensing.apply_for_license(SYSTEM, licensing.ApplyForLicense(
                subtype=LicenseSubtype.I, miner_id=miner.id, data_center_ids=(dc.id, dcs[2 * i + 1].id),
                electricity_purchase=ElectricityPurchase.SINGLE_BUYER, confirmations=_CONFIRMED,
                documents=_DOCUMENTS if i % 5 else _DOCUMENTS[:3],  # every fifth incomplete
            ))
            if licensed < LICENSED and i % 5:
                await licensing.record_payment(SYSTEM, licensing.RecordPayment(app.id, f"KASPI-{i}", date.today(), Decimal("10000000")))
                await applications.accept_complete(SYSTEM, applications.AcceptApplication(app.id))
                await applications.approve(SYSTEM, applications.ApproveApplication(app.id, "г. Астана"))
                licensed += 1
    user = await auth.create_user(
        SYSTEM, auth.CreateUser(login="bench-officer", full_name="Bench Officer", role=Role.OFFICER)
    )
    token = (await auth.issue_token(SYSTEM, auth.IssueToken(user.id, "bench"))).secret
    # Planner statistics, as autovacuum would have them in service: without them PostgreSQL takes
    # the 100,000 live units for a handful and picks plans for that (seconds instead of ms).
    await Tortoise.get_connection("default").execute_script("ANALYZE")
    print(f"seeded {MINERS} miners, {len(dcs)} data centers, {APPLICATIONS} applications, {licensed} licences, "
          f"{included * per_inclusion:,} units in {time.perf_counter() - started:.0f} s", flush=True)
    return token


_DOCUMENTS = (
    licensing.DocumentItem(DocumentKind.DC_OWNERSHIP, "Свидетельство о праве собственности"),
    licensing.DocumentItem(DocumentKind.DC_OUTSIDE_RESIDENTIAL, "Письмо акимата"),
    licensing.DocumentItem(DocumentKind.POOL_EVIDENCE, "Договор с пулом", valid_until=date(2030, 1, 1)),
    licensing.DocumentItem(DocumentKind.ASKUE_TELECOM, "Акт ввода АСКУЭ"),
    licensing.DocumentItem(DocumentKind.GRID_TECH_CONDITIONS, "ТУ 110 кВ", valid_until=date(2030, 1, 1)),
)
_CONFIRMED = Confirmations(official_contacts=True, no_court_ban=True, documents_true=True, personal_data_consent=True)


async def _include(miner: Any, dc: Any, first: int, count: int) -> None:
    lines = tuple(
        registry.UnitLine(model="Antminer S21", serial=f"BNC{first + n + 1:09d}", tnved_code="8471410000",
                          hashrate_ths=Decimal("200"), power_kw=Decimal("3.5"), condition=UnitCondition.WORKING,
                          customs_declaration="50401/010124/0001234")
        for n in range(count)
    )
    app = await registry.apply_for_inclusion(SYSTEM, registry.ApplyForInclusion(
        miner_id=miner.id, data_center_id=dc.id, declared_quantity=count, units=lines, tnved_code="8471410000",
        ownership_document="Договор купли-продажи № 1", personal_data_consent=True,
    ))
    await applications.accept_complete(SYSTEM, applications.AcceptApplication(app.id))
    await applications.approve(SYSTEM, applications.ApproveApplication(app.id))


# -- servers ---------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(factory: str, cwd: Path, port: int) -> subprocess.Popen[bytes]:
    # Production settings, without the per-IP and per-token rate limits: the bench drives thousands of
    # requests a minute from one address, and the floor has none (their cost: bench/edge_overhead.py).
    env = {**os.environ, "DATABASE_URL": DATABASE_URL, "BENCH_DATABASE_URL": DATABASE_URL, "APP_ENV": "production",
           "RATE_LIMIT_PER_IP": "", "RATE_LIMIT_PER_TOKEN": "", "AUDIT_HMAC_KEY": "bench-audit-key",
           "PYTHONPATH": f"{ROOT}:{BENCH}"}
    return subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", factory, "--host", "127.0.0.1", "--port", str(port),
         "--workers", "1", "--loop", "eventloop:new_event_loop", "--log-level", "warning", "--no-access-log"],
        cwd=cwd, env=env,
    )


async def _wait_up(client: httpx.AsyncClient, url: str) -> None:
    for _ in range(100):
        try:
            await client.get(url)
            return
        except httpx.TransportError:
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{url} did not start")


# -- measuring -------------------------------------------------------------------------------------


@dataclass
class Timing:
    latencies: list[float] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def _drive(call: Callable[[], Awaitable[None]], concurrency: int, seconds: float) -> Timing:
    timing = Timing()
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            await call()
            timing.latencies.append(time.perf_counter() - start)

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    timing.elapsed = time.perf_counter() - start
    return timing


async def _reuse() -> str | None:
    """BENCH_REUSE=1: keep an already seeded database (seeding takes minutes), new token."""
    from models.access import User
    from models.db import init_db

    await init_db(DATABASE_URL, run_migrations=False)
    user = await User.get_or_none(login="bench-officer")
    if user is None:
        return None
    return (await auth.issue_token(SYSTEM, auth.IssueToken(user.id, "bench"))).secret


async def settle() -> None:
    """The seed's background work done before measuring, as a worker would have done it: the
    outbox dispatched and the documents it asked for rendered and signed (development signer).
    Otherwise the service's in-process job runner renders them during the measured runs, and
    under production settings without a signing key keeps failing at it: seconds of CPU that
    belong to no request."""
    from jobs.tasks import dispatch_outbox, produce_documents

    started, total = time.perf_counter(), 0
    while True:
        done = await dispatch_outbox({}, limit=1000) + await produce_documents({})
        total += done
        if not done:
            break
    print(f"settled the background work ({total} outbox events and documents) in "
          f"{time.perf_counter() - started:.0f} s", flush=True)


async def main(seconds: float, concurrencies: list[int]) -> None:
    token = (await _reuse() if os.environ.get("BENCH_REUSE") else None) or await seed()
    await settle()
    await Tortoise.close_connections()
    service_port, floor_port = _free_port(), _free_port()
    service = _start("main:create_app", ROOT, service_port)
    floor = _start("read_path_baseline:create_app", BENCH, floor_port)
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    try:
        async with httpx.AsyncClient(timeout=60, limits=limits) as http:
            svc, raw = f"http://127.0.0.1:{service_port}", f"http://127.0.0.1:{floor_port}"
            await _wait_up(http, f"{svc}/healthz")
            await _wait_up(http, f"{raw}/raw/trivial")
            print(f"{'request':<28} {'conc':>4} {'service rps':>11} {'p50 ms':>7} {'p99 ms':>7} "
                  f"{'floor rps':>9} {'p50 ms':>7} {'p99 ms':>7} {'ratio p50':>9} {'target':>6}")
            for req in REQUESTS:
                async def call_service(req: Request = req) -> dict[str, Any]:
                    r = await http.post(f"{svc}/graphql", json={"query": req.graphql, "variables": req.variables}, headers=headers)
                    return r.json()

                async def call_floor(req: Request = req) -> dict[str, Any]:
                    r = await http.post(f"{raw}{req.raw}", json=req.raw_body, headers=headers)
                    return r.json()

                got, expected = await call_service(), await call_floor()
                if got != expected:
                    raise SystemExit(f"{req.name}: the service and the floor disagree:\n{got}\n{expected}")
                for _ in range(20):  # warm-up: connections, caches
                    await call_service()
                    await call_floor()
                for concurrency in concurrencies:
                    # Interleaved halves, so drift on a shared machine hits both alike.
                    s1 = await _drive(call_service, concurrency, seconds / 2)
                    f1 = await _drive(call_floor, concurrency, seconds / 2)
                    s2 = await _drive(call_service, concurrency, seconds / 2)
                    f2 = await _drive(call_floor, concurrency, seconds / 2)
                    s = Timing(s1.latencies + s2.latencies, s1.elapsed + s2.elapsed)
                    f = Timing(f1.latencies + f2.latencies, f1.elapsed + f2.elapsed)
                    ratio = statistics.median(s.latencies) / statistics.median(f.latencies)
                    print(f"{req.name:<28} {concurrency:>4} {s.rps:>11.0f} {s.pct(0.5):>7.2f} {s.pct(0.99):>7.2f} "
                          f"{f.rps:>9.0f} {f.pct(0.5):>7.2f} {f.pct(0.99):>7.2f} {ratio:>8.2f}x {req.target:>6}", flush=True)
    finally:
        for proc in (service, floor):
            proc.terminate()
            proc.wait(timeout=10)


if __name__ == "__main__":
    args = sys.argv[1:]
    asyncio.run(main(float(args[0]) if args else 5.0, [int(c) for c in (args[1] if len(args) > 1 else "1,8").split(",")]))
