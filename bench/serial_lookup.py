"""Serial-number lookup through GraphQL (`asicUnit(serial:)`) on a registry of 1,000,000 units.

Seeds `asic_unit` with COPY (1,000,000 IN_REGISTRY records of one miner, serials KZL000000001
...), ANALYZEs, then times N lookups of random serials (and a few unknown ones) as an officer
through the in-process ASGI app: HTTP parsing, auth, GraphQL, visibility, the query and JSON.

Usage: .venv/bin/python bench/serial_lookup.py [units] [lookups]
"""

from __future__ import annotations

import asyncio
import io
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime

import asyncpg
from _common import asyncpg_url, client, fresh_database, officer_and_miner
from tortoise import Tortoise

from models.applications import Application

QUERY = "query($s: String!) { asicUnit(serial: $s) { recordNumber serial status minerName dataCenterLocation } }"


async def seed(units: int, miner, dc, app_id: int) -> float:  # type: ignore[no-untyped-def]
    now = datetime.now(UTC).isoformat()
    today = date.today().isoformat()
    start = time.perf_counter()
    conn = await asyncpg.connect(asyncpg_url())
    try:
        batch = 200_000
        for offset in range(0, units, batch):
            buf = io.StringIO()
            for i in range(offset + 1, min(offset + batch, units) + 1):
                serial = f"KZL{i:09d}"
                buf.write(
                    f"{now}\t{now}\t{i}\t{today}\t{miner.id}\t{miner.name}\t{miner.bin_iin}\t{miner.legal_address}\t"
                    f"{miner.phone}\t{miner.email}\t{dc.id}\t{dc.address}\tPAVLODAR\tAntminer S21\t{serial}\t"
                    f"{serial.lower()}\t8471410000\t200\t3.5\t50401/010124/0001234\t1\tДоговор № 1\tWORKING\tIN_REGISTRY\t{app_id}\n"
                )
            await conn.copy_to_table(
                "asic_unit", source=io.BytesIO(buf.getvalue().encode()), format="text",
                columns=["created_at", "updated_at", "record_number", "record_date", "miner_id", "miner_name",
                         "miner_bin_iin", "miner_legal_address", "miner_phone", "miner_email", "data_center_id",
                         "data_center_location", "region", "model", "serial", "serial_key", "tnved_code",
                         "hashrate_ths", "power_kw", "customs_declaration", "customs_quantity",
                         "ownership_document", "condition", "status", "inclusion_application_id"],
            )
        await conn.execute("ANALYZE asic_unit")
        plan = await conn.fetch(
            "EXPLAIN SELECT * FROM asic_unit WHERE serial_key = $1 ORDER BY status DESC, id DESC LIMIT 1", "kzl000123456"
        )
        print("plan:", " | ".join(r[0].strip() for r in plan[:3]))
    finally:
        await conn.close()
    return time.perf_counter() - start


async def main(units: int, lookups: int) -> None:
    await fresh_database()
    miner, dc, token = await officer_and_miner()
    app = await Application.create(procedure="ASIC_INCLUSION", channel="PORTAL", miner=miner, received_at=datetime.now(UTC), stage="APPROVED")
    seeded = await seed(units, miner, dc, app.id)
    print(f"seeded {units:,} units in {seeded:.1f} s")
    rng = random.Random(7)
    serials = [f"KZL{rng.randint(1, units):09d}" for _ in range(lookups)] + [f"NOPE{i}" for i in range(20)]
    headers = {"Authorization": f"Bearer {token}"}
    async with client() as c:
        for s in serials[:20]:  # warm-up: connections, caches, the schema
            await c.post("/graphql", json={"query": QUERY, "variables": {"s": s}}, headers=headers)
        times = []
        for s in serials:
            start = time.perf_counter()
            response = await c.post("/graphql", json={"query": QUERY, "variables": {"s": s}}, headers=headers)
            times.append((time.perf_counter() - start) * 1000)
            body = response.json()
            assert "errors" not in body, body
            assert (body["data"]["asicUnit"] is None) == s.startswith("NOPE")
    times.sort()
    p = lambda q: times[min(len(times) - 1, int(q * len(times)))]  # noqa: E731
    print(f"{len(times)} lookups through GraphQL: median {statistics.median(times):.1f} ms, p95 {p(0.95):.1f} ms, max {times[-1]:.1f} ms")
    await Tortoise.close_connections()


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    asyncio.run(main(args[0] if args else 1_000_000, args[1] if len(args) > 1 else 500))
