"""On-site serial reconciliation (`reconcileSerials`, issue 12 item 4) of 50,000 seen serials
against a registry of 1,000,000 units, through the real path on PostgreSQL.

Seeds `asic_unit` with COPY (bench/serial_lookup.seed): 1,000,000 IN_REGISTRY units of one miner,
of which the first `in_dc` are in the inspected data center and the rest in a second one (so
that "registered here and not seen" is a realistic list, not a million serials). An inspector
opens the inspection and sends one GraphQL request with the seen serials: 90% registered here,
5% registered in the other DC, 5% unknown. Times the request end to end and counts the SQL
statements it sends (tests/sqlcount.py).

Usage: .venv/bin/python bench/reconcile.py [units=1000000] [seen=50000] [in_dc=50000]
"""

from __future__ import annotations

import asyncio
import random
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import client, fresh_database, officer_and_miner
from serial_lookup import seed
from tortoise import Tortoise

from models.applications import Application
from models.registry import AsicUnit
from resolvers import auth, inspections, parties
from rules.access import SYSTEM
from rules.enums import Role
from rules.inspections import InspectionKind
from schema.ids import to_global_id
from tests.sqlcount import count_statements

RECONCILE = """mutation($i: ReconcileSerialsInput!) { reconcileSerials(input: $i) {
  inspection { reconciliation { seenCount notSeen unregistered { reason } } }
  errors { ... on UserError { code message } } } }"""


async def main(units: int, seen_count: int, in_dc: int) -> None:
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
    user = await auth.create_user(SYSTEM, auth.CreateUser(login="inspector", full_name="I", role=Role.INSPECTOR))
    token = (await auth.issue_token(SYSTEM, auth.IssueToken(user.id, "bench"))).secret
    inspection = await inspections.appoint(SYSTEM, inspections.Appoint(
        act_number="1", act_date=date(2025, 3, 10), kind=InspectionKind.SCHEDULED, miner_id=miner.id, pool_id=None,
        data_center_ids=(dc.id,), inspector_ids=(user.id,), planned_from=date(2025, 3, 18), planned_to=date(2025, 3, 20),
    ))
    actor = await auth.authenticate(token)
    assert actor is not None
    await inspections.open_inspection(actor, inspection.id, None)

    rng = random.Random(7)
    here = rng.sample(range(1, in_dc + 1), int(seen_count * 0.9))
    elsewhere = rng.sample(range(in_dc + 1, units + 1), int(seen_count * 0.05))
    serials = [f"KZL{i:09d}" for i in here + elsewhere]
    serials += [f"UNKNOWN{i:07d}" for i in range(seen_count - len(serials))]
    rng.shuffle(serials)
    variables = {"i": {"inspectionId": str(to_global_id("Inspection", inspection.id)),
                       "dataCenterId": str(to_global_id("DataCenter", dc.id)), "serials": serials}}
    headers = {"Authorization": f"Bearer {token}"}
    async with client() as c:
        with count_statements() as sent:
            start = time.perf_counter()
            response = await c.post("/graphql", json={"query": RECONCILE, "variables": variables}, headers=headers)
            elapsed = time.perf_counter() - start
    body = response.json()
    assert "errors" not in body, str(body)[:500]
    payload = body["data"]["reconcileSerials"]
    assert payload["errors"] == [], payload["errors"]
    (rec,) = payload["inspection"]["reconciliation"]
    lookups = [s for s in sent if "asic_unit" in s.lower() and "any(" in s.lower()]
    print(f"reconciled {rec['seenCount']:,} seen serials: {len(rec['unregistered']):,} unregistered, "
          f"{len(rec['notSeen']):,} registered here and not seen")
    print(f"one request end to end: {elapsed:.2f} s; {len(sent)} SQL statements, of which {len(lookups)} registry "
          f"lookup(s)")
    for s in sent:
        print("  ", " ".join(s.split())[:120])
    await Tortoise.close_connections()


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    asyncio.run(main(args[0] if args else 1_000_000, args[1] if len(args) > 1 else 50_000,
                     args[2] if len(args) > 2 else 50_000))
