"""On-site serial reconciliation (`reconcileSerials`, issue 12 item 4) of 50,000 seen serials
against a registry of 1,000,000 units, through the real path on PostgreSQL.

Seeds `asic_unit` with COPY (bench/serial_lookup.seed): 1,000,000 IN_REGISTRY units of one miner,
of which the first `in_dc` are in the inspected data center and the rest in a second one (so
that "registered here and not seen" is a realistic list, not a million serials). An inspector
opens the inspection and sends one GraphQL request with the seen serials: 90% registered here,
5% registered in the other DC, 5% unknown. Times the request end to end and counts the SQL
statements it sends (tests/sqlcount.py).

Usage: .venv/bin/python bench/reconcile.py [units=1000000] [seen=50000] [in_dc=50000]
With BENCH_REUSE=1 a database seeded by an earlier run (same units and in_dc) is kept (migrations
applied, the earlier inspections left alone) instead of dropped and seeded again.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncpg
from _common import DATABASE_URL, asyncpg_url, client, fresh_database, officer_and_miner
from serial_lookup import seed
from tortoise import Tortoise

from models.applications import Application
from models.db import init_db
from models.parties import DataCenter, Miner
from models.registry import AsicUnit
from resolvers import auth, inspections, parties
from rules.access import SYSTEM
from rules.enums import Role
from rules.inspections import InspectionKind
from rules.unit_list.cells import normalize_serial
from schema.ids import to_global_id
from tests.sqlcount import count_statements

RUNS = 3
FLOOR_SQL = "SELECT serial_key, miner_id, data_center_id, status FROM asic_unit WHERE serial_key = ANY($1::text[])"

RECONCILE = """mutation($i: ReconcileSerialsInput!) { reconcileSerials(input: $i) {
  inspection { reconciliation { seenCount notSeen unregistered { reason } } }
  errors { ... on UserError { code message } } } }"""


async def _seeded(units: int, in_dc: int):  # type: ignore[no-untyped-def]
    """The miner and the inspected DC of an earlier run's registry, if it is the one asked for."""
    try:
        await init_db(DATABASE_URL)
        miner = await Miner.all().order_by("id").first()
        dc = await DataCenter.filter(miner_id=miner.id).order_by("id").first() if miner else None
        if dc is None or await AsicUnit.all().count() != units or \
                await AsicUnit.filter(data_center_id=dc.id).count() != in_dc:
            return None
    except Exception as exc:
        print(f"no seeded registry to reuse ({type(exc).__name__}: {str(exc)[:100]})")
        return None
    return miner, dc


async def main(units: int, seen_count: int, in_dc: int) -> None:
    found = await _seeded(units, in_dc) if os.environ.get("BENCH_REUSE") else None
    if found is not None:
        miner, dc = found
        print(f"reusing the seeded registry: {units:,} units ({in_dc:,} in the inspected DC)")
    else:
        await Tortoise.close_connections()
        await fresh_database()
        miner, dc, _ = await officer_and_miner()
        app = await Application.create(procedure="ASIC_INCLUSION", channel="PORTAL", miner=miner,
                                       received_at=datetime.now(UTC), stage="APPROVED")
        seeded = await seed(units, miner, dc, app.id)
        other_dc = await parties.create_data_center(SYSTEM, parties.CreateDataCenter(
            miner_id=miner.id, name="DC 2", address="Павлодар", region="PAVLODAR", outside_residential_zone=True,
            power_source="GRID", substation_kv="110", permitted_capacity_kw="500000",
        ))
        moved = await AsicUnit.filter(record_number__gt=in_dc).update(data_center_id=other_dc.id)
        await Tortoise.get_connection("default").execute_script("ANALYZE asic_unit")  # the planner sees the move
        print(f"seeded {units:,} units in {seeded:.1f} s ({units - moved:,} in the inspected DC)")
    login = f"inspector-{datetime.now(UTC):%Y%m%d%H%M%S%f}"
    user = await auth.create_user(SYSTEM, auth.CreateUser(login=login, full_name="I", role=Role.INSPECTOR))
    token = (await auth.issue_token(SYSTEM, auth.IssueToken(user.id, "bench"))).secret
    actor = await auth.authenticate(token)
    assert actor is not None

    rng = random.Random(7)
    here = rng.sample(range(1, in_dc + 1), int(seen_count * 0.9))
    elsewhere = rng.sample(range(in_dc + 1, units + 1), int(seen_count * 0.05))
    serials = [f"KZL{i:09d}" for i in here + elsewhere]
    serials += [f"UNKNOWN{i:07d}" for i in range(seen_count - len(serials))]
    rng.shuffle(serials)
    headers = {"Authorization": f"Bearer {token}"}
    times = []
    for attempt in range(RUNS):  # each on a fresh inspection (one reconciliation each)
        inspection = await inspections.appoint(SYSTEM, inspections.Appoint(
            act_number=str(attempt), act_date=date(2025, 3, 10), kind=InspectionKind.SCHEDULED, miner_id=miner.id,
            pool_id=None, data_center_ids=(dc.id,), inspector_ids=(user.id,), planned_from=date(2025, 3, 18),
            planned_to=date(2025, 3, 20),
        ))
        await inspections.open_inspection(actor, inspection.id, None)
        variables = {"i": {"inspectionId": str(to_global_id("Inspection", inspection.id)),
                           "dataCenterId": str(to_global_id("DataCenter", dc.id)), "serials": serials}}
        async with client() as c:
            with count_statements() as sent:
                start = time.perf_counter()
                response = await c.post("/graphql", json={"query": RECONCILE, "variables": variables},
                                        headers=headers)
                times.append(time.perf_counter() - start)
        body = response.json()
        assert "errors" not in body, str(body)[:500]
        payload = body["data"]["reconcileSerials"]
        assert payload["errors"] == [], payload["errors"]
        (rec,) = payload["inspection"]["reconciliation"]

    # The floor, in the same run: the seen keys' index lookup alone, straight through asyncpg.
    keys = [normalize_serial(s) for s in serials]
    conn = await asyncpg.connect(asyncpg_url())
    try:
        floors = []
        for _ in range(RUNS):
            start = time.perf_counter()
            await conn.fetch(FLOOR_SQL, keys)
            floors.append(time.perf_counter() - start)
    finally:
        await conn.close()
    lookups = [s for s in sent if "asic_unit" in s.lower() and "any(" in s.lower()]
    print(f"reconciled {rec['seenCount']:,} seen serials: {len(rec['unregistered']):,} unregistered, "
          f"{len(rec['notSeen']):,} registered here and not seen")
    request, floor = statistics.median(times), statistics.median(floors)
    print(f"one request end to end: median {request:.2f} s of {RUNS} ({', '.join(f'{t:.2f}' for t in times)}); "
          f"{len(sent)} SQL statements, of which {len(lookups)} registry lookup(s)")
    print(f"floor (the seen keys' index lookup alone, asyncpg): median {floor:.2f} s; request / floor = "
          f"{request / floor:.1f}")
    for s in sent:
        print("  ", " ".join(s.split())[:120])
    await Tortoise.close_connections()


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    asyncio.run(main(args[0] if args else 1_000_000, args[1] if len(args) > 1 else 50_000,
                     args[2] if len(args) > 2 else 50_000))
