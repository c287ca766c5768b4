"""The partners' event log: written with the change, read by cursor per partner's grants, within
the retention window (issue 14 items 1-3)."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime, timedelta

import pytest
from tortoise.transactions import in_transaction

from models.events import PartnerEvent
from models.outbox import OutboxEvent
from resolvers.changes import emit
from rules.access import PartnerKind
from rules.enums import Role
from schema.ids import to_global_id
from tests.factories import errors_of, make_caller, make_miner, make_pool

POSTGRES = os.environ.get("TEST_DATABASE_URL", "").startswith("postgres")

EVENTS = """query($after: String, $types: [String!], $first: Int) {
  events(after: $after, types: $types, first: $first) {
    edges { cursor node { id sequence type occurredAt entity { type id key } data schemaVersion } }
    pageInfo { hasNextPage endCursor }
  }
}"""


def _license(topic: str, license_id: int, holder_id: int) -> tuple[str, dict]:
    return topic, {"license": f"KZ-{license_id}", "license_id": license_id, "holder_id": holder_id,
                   "action": "SUSPEND", "status": "SUSPENDED", "ground": "g", "effective_on": "2026-01-02"}


def _membership(topic: str, membership_id: int, miner_id: int, pool_id: int) -> tuple[str, dict]:
    return topic, {"entity": "PoolMembership", "id": membership_id, "action": topic,
                   "after": {"id": membership_id, "miner_id": miner_id, "pool_id": pool_id, "since": "2026-01-01"}}


def _certificate(cert_id: int, pool_id: int) -> tuple[str, dict]:
    return "pool_certificate.issued", {"entity": "PoolCertificate", "id": cert_id, "action": "pool_certificate.issued",
                                       "after": {"id": cert_id, "pool_id": pool_id, "number": f"C-{cert_id}",
                                                 "valid_until": "2027-01-01", "pool_bin": "secret-ish"}}


async def _emit_all(*events: tuple[str, dict]) -> None:
    async with in_transaction() as conn:
        for topic, payload in events:
            await emit(conn, topic, payload)


async def _types_seen(caller) -> list[str]:
    result = await caller.gql(EVENTS, {"first": 100})
    assert "errors" not in result, result
    return [e["node"]["type"] for e in result["data"]["events"]["edges"]]


async def test_a_public_change_writes_its_event_in_the_same_transaction_and_internal_ones_do_not(client):
    await _emit_all(_license("license.suspended", 1, 2), ("security", {"entity": "ApiToken", "id": 1}))
    assert await OutboxEvent.all().count() == 2
    event = await PartnerEvent.get()
    assert (event.type, event.entity_type, event.entity_id, event.miner_id) == ("license.suspended", "License", 1, 2)
    # A rolled back change leaves no event behind.
    with pytest.raises(RuntimeError):
        async with in_transaction() as conn:
            await emit(conn, *_license("license.revoked", 1, 2))
            raise RuntimeError("rolled back")
    assert await PartnerEvent.all().count() == 1


async def test_a_data_center_created_through_the_api_reaches_the_grid_operator(client, officer):
    miner = await make_miner()
    result = await officer.gql(
        """mutation($i: CreateDataCenterInput!) { createDataCenter(input: $i) { dataCenter { id } errors { code: __typename } } }""",
        {"i": {"minerId": str(to_global_id("Miner", miner.id)), "name": "ЦОД-1", "address": "Экибастуз",
               "region": "PAVLODAR", "outsideResidentialZone": True, "powerSource": "GRID", "substationKv": "110"}},
    )
    dc_id = result["data"]["createDataCenter"]["dataCenter"]["id"]
    grid = await make_caller(client, Role.PARTNER, partner_kind=PartnerKind.GRID_OPERATOR)
    page = await grid.gql(EVENTS, {})
    [edge] = page["data"]["events"]["edges"]
    node = edge["node"]
    assert node["type"] == "data_center.registered" and node["entity"]["type"] == "DataCenter"
    assert node["entity"]["id"] == dc_id and node["schemaVersion"] == 1
    assert node["data"]["minerId"] == miner.id and node["data"]["region"] == "PAVLODAR"
    assert node["id"] == f"evt_{node['sequence']}"


async def test_each_partner_sees_only_its_granted_event_types(client):
    """Grid operator: licences, units, data centers; tax authority: licences, pools; a pool: its
    own accreditation and its members' changes; officers, inspectors, applicants: nothing."""
    pool, other_pool = await make_pool(), await make_pool()
    miner = await make_miner()
    await _emit_all(
        _license("license.suspended", 1, miner.id),
        ("registry.units_included", {"application": 5, "miner_id": miner.id, "units": 3}),
        _certificate(1, pool.id),
        _certificate(2, other_pool.id),
        _membership("pool_membership.opened", 1, miner.id, pool.id),
        _membership("pool_membership.opened", 2, miner.id, other_pool.id),
        ("application.submitted", {"entity": "Application", "id": 5, "after": {"id": 5, "miner_id": miner.id,
                                                                                "stage": "SUBMITTED"}}),
    )
    grid = await make_caller(client, Role.PARTNER, partner_kind=PartnerKind.GRID_OPERATOR)
    tax = await make_caller(client, Role.PARTNER, partner_kind=PartnerKind.TAX_AUTHORITY)
    pool_system = await make_caller(client, Role.PARTNER, pool=pool, partner_kind=PartnerKind.POOL)
    admin = await make_caller(client, Role.ADMIN)
    assert await _types_seen(grid) == ["license.suspended", "asic.included"]
    assert await _types_seen(tax) == ["license.suspended", "pool.accredited", "pool.accredited"]
    pool_page = await pool_system.gql(EVENTS, {"first": 100})
    seen = [(e["node"]["type"], e["node"]["entity"]["key"]) for e in pool_page["data"]["events"]["edges"]]
    assert seen == [("pool.accredited", 1), ("pool.member_joined", 1)]
    assert len(await _types_seen(admin)) == 7
    for role, kwargs in ((Role.OFFICER, {}), (Role.INSPECTOR, {}), (Role.APPLICANT, {"miner": miner}),
                         (Role.PARTNER, {})):
        assert await _types_seen(await make_caller(client, role, **kwargs)) == []
    # The payload is the contract's whitelist: not the certificate's other columns.
    tax_page = await tax.gql(EVENTS, {"types": ["pool.accredited"]})
    data = tax_page["data"]["events"]["edges"][0]["node"]["data"]
    assert data == {"poolId": pool.id, "number": "C-1", "validUntil": "2027-01-01"}


async def test_catch_up_pages_by_cursor_without_gap_or_duplicate(client):
    await _emit_all(*(_license("license.suspended", i, 1) for i in range(1, 26)))
    grid = await make_caller(client, Role.PARTNER, partner_kind=PartnerKind.GRID_OPERATOR)
    keys, after = [], None
    while True:
        page = (await grid.gql(EVENTS, {"after": after, "first": 10}))["data"]["events"]
        keys += [e["node"]["entity"]["key"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert keys == list(range(1, 26))
    # Later events continue from the last cursor.
    last = page["pageInfo"]["endCursor"]
    await _emit_all(_license("license.revoked", 26, 1))
    more = (await grid.gql(EVENTS, {"after": last}))["data"]["events"]["edges"]
    assert [(e["node"]["type"], e["node"]["entity"]["key"]) for e in more] == [("license.revoked", 26)]


async def test_a_cursor_older_than_the_retention_window_is_a_typed_error(client):
    await _emit_all(*(_license("license.suspended", i, 1) for i in range(1, 4)))
    grid = await make_caller(client, Role.PARTNER, partner_kind=PartnerKind.GRID_OPERATOR)
    first = (await grid.gql(EVENTS, {"first": 1}))["data"]["events"]["pageInfo"]["endCursor"]
    old = datetime.now(UTC) - timedelta(days=91)
    ids = sorted(await PartnerEvent.all().values_list("id", flat=True))
    await PartnerEvent.filter(id__in=ids[:2]).update(occurred_at=old)
    result = await grid.gql(EVENTS, {"after": first})
    assert errors_of(result) == ["EVENT_CURSOR_EXPIRED"]
    # Without a cursor: the window's start, the old events left out.
    edges = (await grid.gql(EVENTS, {}))["data"]["events"]["edges"]
    assert [e["node"]["entity"]["key"] for e in edges] == [3]
    # A cursor past the old events is still good.
    second = (await PartnerEvent.get(id=ids[1])).id
    from resolvers.listing import Order
    from schema.relay import encode_cursor
    ok = await grid.gql(EVENTS, {"after": encode_cursor(Order(), (second, second))})
    assert "errors" not in ok and len(ok["data"]["events"]["edges"]) == 1


async def test_unknown_event_types_and_foreign_cursors_are_refused(client):
    grid = await make_caller(client, Role.PARTNER, partner_kind=PartnerKind.GRID_OPERATOR)
    assert errors_of(await grid.gql(EVENTS, {"types": ["nope"]})) == ["VALIDATION"]
    assert errors_of(await grid.gql(EVENTS, {"after": "garbage!"})) == ["INVALID_ID"]


@pytest.mark.committing
@pytest.mark.skipif(not POSTGRES, reason="needs PostgreSQL: two open write transactions at once")
async def test_sequence_numbers_follow_commit_order_under_concurrent_writers(clean_db):
    """Two writers change one licence: the second cannot take a sequence number until the first
    commits, so a reader that has seen number N never later finds a committed number below N."""
    first_emitted, release = asyncio.Event(), asyncio.Event()
    committed: list[str] = []

    async def first() -> None:
        async with in_transaction() as conn:
            await emit(conn, *_license("license.suspended", 1, 1))
            first_emitted.set()
            await release.wait()
        committed.append("first")

    async def second() -> None:
        await first_emitted.wait()
        async with in_transaction() as conn:
            await emit(conn, *_license("license.resumed", 1, 1))
        committed.append("second")

    tasks = [asyncio.create_task(first()), asyncio.create_task(second())]
    await asyncio.sleep(0.3)
    assert committed == []  # the second writer waits for the first
    release.set()
    await asyncio.gather(*tasks)
    rows = await PartnerEvent.all().order_by("id")
    assert [r.type for r in rows] == ["license.suspended", "license.resumed"]
    # Many writers at once: per-entity order in the log is commit order.
    order: list[int] = []

    async def writer(n: int) -> None:
        async with in_transaction() as conn:
            await emit(conn, *_license("license.suspended", 2, n))
            await asyncio.sleep(0.01 * (n % 3))
        order.append(n)

    await asyncio.gather(*(writer(n) for n in range(1, 21)))
    logged = await PartnerEvent.filter(entity_id=2).order_by("id").values_list("miner_id", flat=True)
    assert list(logged) == order


FILTERED = """query($miners: [ID!], $pools: [ID!], $regions: [Region!], $types: [String!]) {
  events(first: 100, miners: $miners, pools: $pools, regions: $regions, types: $types) {
    edges { node { type entity { type key } regions } } } }"""


async def _filtered(caller, **variables) -> list[tuple[str, int, list[str]]]:
    result = await caller.gql(FILTERED, variables)
    assert "errors" not in result, result
    return [(e["node"]["type"], e["node"]["entity"]["key"], e["node"]["regions"])
            for e in result["data"]["events"]["edges"]]


async def test_events_carry_the_regions_of_their_data_centers_and_a_partner_filters_by_region_miner_and_pool(client):
    from tests.factories import make_data_center

    alfa, beta = await make_miner(), await make_miner()
    pavlodar = await make_data_center(alfa, region="PAVLODAR")
    abai = await make_data_center(alfa, region="ABAI")
    karaganda = await make_data_center(beta, region="KARAGANDA")
    pool = await make_pool()
    await _emit_all(
        _license("license.suspended", 1, alfa.id),  # alfa's: every region of its data centers
        ("registry.units_included", {"application": 7, "miner_id": alfa.id, "units": 3,
                                     "data_center": abai.id}),  # at one data center: its region only
        _license("license.suspended", 2, beta.id),
        _certificate(5, pool.id),  # a pool's own: no region
        _membership("pool_membership.opened", 9, beta.id, pool.id),
    )
    admin = await make_caller(client, Role.ADMIN)
    everything = await _filtered(admin)
    assert ("data_center.registered", pavlodar.id, ["PAVLODAR"]) in everything
    assert ("license.suspended", 1, ["ABAI", "PAVLODAR"]) in everything
    assert ("asic.included", 7, ["ABAI"]) in everything
    assert ("pool.accredited", 5, []) in everything
    # Region: a data center's own events and units there by its region, a miner's others by all of its.
    assert [(t, k) for t, k, _ in await _filtered(admin, regions=["PAVLODAR"])] == [
        ("data_center.registered", pavlodar.id), ("license.suspended", 1)]
    assert [(t, k) for t, k, _ in await _filtered(admin, regions=["ABAI"], types=["asic.included"])] == [
        ("asic.included", 7)]
    assert [(t, k) for t, k, _ in await _filtered(admin, regions=["KARAGANDA", "ATYRAU"])] == [
        ("data_center.registered", karaganda.id), ("license.suspended", 2), ("pool.member_joined", 9)]
    # Miner and pool.
    assert [(t, k) for t, k, _ in await _filtered(admin, miners=[str(to_global_id("Miner", beta.id))])] == [
        ("data_center.registered", karaganda.id), ("license.suspended", 2), ("pool.member_joined", 9)]
    assert [(t, k) for t, k, _ in await _filtered(admin, pools=[str(to_global_id("Pool", pool.id))])] == [
        ("pool.accredited", 5), ("pool.member_joined", 9)]
    # The filters narrow the grants, never widen them: the grid operator sees no pool events.
    grid = await make_caller(client, Role.PARTNER, partner_kind=PartnerKind.GRID_OPERATOR)
    assert await _filtered(grid, pools=[str(to_global_id("Pool", pool.id))]) == []
    # An id of another type is refused, not an empty answer.
    wrong = await admin.gql(FILTERED, {"miners": [str(to_global_id("Pool", pool.id))]})
    assert errors_of(wrong) == ["INVALID_ID"]
