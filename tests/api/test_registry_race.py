"""One serial IN_REGISTRY once, under concurrency: approvals racing for the same serial in
separate transactions (PostgreSQL), and the database index as the last line of defence."""

import asyncio
import os

import pytest
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models.registry import AsicUnit
from resolvers import applications as engine
from resolvers.registry import approval
from rules.access import Actor
from rules.enums import Role
from rules.errors import DomainError
from schema.ids import pk_of, to_global_id
from tests.api.registry_flow import filed, include, inclusion_input, ok, payload_of, step, unit
from tests.factories import make_data_center, make_miner

POSTGRES = os.environ.get("TEST_DATABASE_URL", "").startswith("postgres")
OFFICER = Actor(user_id=None, role=Role.OFFICER, label="race officer")


def _approve(app_id: int) -> engine.ApproveApplication:
    return engine.ApproveApplication(application_id=app_id)


async def _pending(officer, n: int, serial: str) -> list[int]:
    """`n` inclusion applications of different miners, all UNDER_REVIEW, all listing `serial`."""
    ids = []
    for i in range(n):
        miner = await make_miner()
        dc = await make_data_center(miner)
        app_id = filed(await include(officer, inclusion_input(miner, dc, [unit(1, f"own-{i}"), unit(2, serial)])))["id"]
        assert ok(await step(officer, "acceptApplication", app_id))
        ids.append(pk_of(app_id, "Application"))
    return ids


@pytest.mark.committing
@pytest.mark.skipif(not POSTGRES, reason="needs PostgreSQL: SQLite serialises every transaction")
async def test_concurrent_approvals_never_register_a_serial_twice(officer):
    ids = await _pending(officer, 6, "RACE-1")
    results = await asyncio.gather(*(engine.approve(OFFICER, _approve(i)) for i in ids), return_exceptions=True)
    won = [r for r in results if not isinstance(r, BaseException)]
    lost = [r for r in results if isinstance(r, BaseException)]
    assert len(won) == 1 and len(lost) == 5
    assert all(isinstance(e, DomainError) and e.code == "SERIAL_ALREADY_REGISTERED" for e in lost), lost
    assert await AsicUnit.filter(serial_key="race-1", status="IN_REGISTRY").count() == 1
    # The losers wrote nothing; the winner's numbers are 1..2 with no gap.
    assert sorted(await AsicUnit.all().values_list("record_number", flat=True)) == [1, 2]


@pytest.mark.committing
@pytest.mark.skipif(not POSTGRES, reason="needs PostgreSQL: two open write transactions at once")
async def test_the_index_blocks_a_racing_insert_until_commit_then_refuses_it(officer):
    app_id = (await _pending(officer, 1, "RACE-3"))[0]
    await engine.approve(OFFICER, _approve(app_id))
    template = await AsicUnit.get(serial_key="race-3")
    base = {
        template._meta.fields_db_projection_reverse.get(k, k): getattr(template, template._meta.fields_db_projection_reverse.get(k, k))
        for k in template._meta.db_fields
        if k not in ("id", "created_at", "updated_at")
    }
    first_inserted = asyncio.Event()

    async def first() -> None:
        async with in_transaction() as conn:
            await AsicUnit.create(using_db=conn, **{**base, "serial_key": "race-4", "record_number": 1001})
            first_inserted.set()
            await asyncio.sleep(0.3)  # hold the uncommitted row while the second one tries

    async def second() -> None:
        await first_inserted.wait()
        async with in_transaction() as conn:
            await AsicUnit.create(using_db=conn, **{**base, "serial_key": "race-4", "record_number": 1002})

    results = await asyncio.gather(first(), second(), return_exceptions=True)
    assert results[0] is None and isinstance(results[1], IntegrityError)
    assert await AsicUnit.filter(serial_key="race-4").count() == 1


async def test_approval_turns_the_index_violation_into_a_typed_conflict(officer, monkeypatch):
    """If the re-check at approval were skipped or lost a race, the unique index still
    refuses, and the officer gets SERIAL_ALREADY_REGISTERED (not an internal error)."""
    a, b = await _pending(officer, 2, "RACE-5")
    await engine.approve(OFFICER, _approve(a))

    async def no_conflicts(conn, app_id):  # type: ignore[no-untyped-def]
        return []

    monkeypatch.setattr(approval, "_approval_conflicts", no_conflicts)
    result = payload_of(await step(officer, "approveApplication", str(to_global_id("Application", b))), "approveApplication")
    assert [(e["__typename"], e["code"]) for e in result["errors"]] == [("SerialAlreadyRegistered", "SERIAL_ALREADY_REGISTERED")]
    # The index refused it, not the re-check (which names the line and the record).
    assert (result["errors"][0]["line"], result["errors"][0]["recordNumber"]) == (None, None)
    assert await AsicUnit.filter(serial_key="race-5", status="IN_REGISTRY").count() == 1
    assert await AsicUnit.all().count() == 2  # only the first application's two units
