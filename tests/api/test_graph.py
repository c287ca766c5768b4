"""A walkable graph: a miner leads to its licences, applications, registry records, obligations
and pool, a pool to its members; every link is an object through the caller's visibility, and
a page of miners with all of them costs the same statements at any size."""

from rules.enums import Role
from tests.api import licensing_flow as lf
from tests.api import registry_flow as rf
from tests.factories import errors_of, make_caller, make_data_center, make_miner, make_pool
from tests.sqlcount import count_statements

MINER_GRAPH = """
  name
  licenses(first: 5) { totalCount edges { node { number holder { name } } } }
  applications(first: 5) { totalCount edges { node { incomingNumber procedure miner { name } } } }
  asicUnits(first: 5) { totalCount edges { node { serial miner { name } } } }
  obligations(first: 5) { totalCount edges { node { kind miner { name } } } }
  pool { name members(first: 5) { totalCount edges { node { miner { name } } } } }
"""


async def _licensed_miner_with_units(officer, pool, serial_prefix: str):
    miner = await make_miner()
    dc = await make_data_center(miner)
    app = await lf.filed(officer, lf.license_input(miner, [dc]))
    assert lf.ok(await lf.pay(officer, app["id"]))
    assert lf.ok(await lf.step(officer, "acceptApplication", app["id"]))
    assert lf.ok(await lf.step(officer, "approveApplication", app["id"], placeOfIssue="Астана"))
    inclusion = rf.filed(await rf.include(officer, rf.inclusion_input(miner, dc, [rf.unit(1, f"{serial_prefix}-1")])))
    assert rf.ok(await rf.approve(officer, inclusion["id"]))
    await _set_pool(officer, miner, pool)
    return miner


async def _set_pool(officer, miner, pool) -> None:
    q = """mutation($i: SetMinerPoolInput!) { setMinerPool(input: $i) { errors { __typename } } }"""
    for since in ("2025-01-10", "2025-02-10"):  # a change of pool opens an obligation
        target = pool if since == "2025-02-10" else await make_pool()
        result = await officer.gql(q, {"i": {"minerId": lf.gid("Miner", miner.id), "poolId": lf.gid("Pool", target.id),
                                             "since": since}})
        assert errors_of(result) == [], result


async def test_a_miner_leads_to_its_records_and_its_pool_to_its_members(client, officer):
    pool = await make_pool(name="Пул «Алтай»")
    miner = await _licensed_miner_with_units(officer, pool, "GRAPH")
    q = "query($id: ID!) { node(id: $id) { ... on Miner { " + MINER_GRAPH + " } } }"
    result = await officer.gql(q, {"id": lf.gid("Miner", miner.id)})
    assert "errors" not in result, result
    node = result["data"]["node"]
    name = node["name"]
    assert node["licenses"]["totalCount"] == 1 and node["licenses"]["edges"][0]["node"]["holder"]["name"] == name
    assert node["applications"]["totalCount"] == 2  # the licence and the inclusion
    assert {e["node"]["procedure"] for e in node["applications"]["edges"]} == {"LICENSE_ISSUE", "ASIC_INCLUSION"}
    assert [e["node"]["serial"] for e in node["asicUnits"]["edges"]] == ["GRAPH-1"]
    assert node["obligations"]["totalCount"] == 1
    assert node["pool"]["name"] == pool.name
    assert [e["node"]["miner"]["name"] for e in node["pool"]["members"]["edges"]] == [name]


async def test_partners_follow_the_public_links_only(client, officer):
    pool = await make_pool()
    miner = await _licensed_miner_with_units(officer, pool, "PART")
    partner = await make_caller(client, Role.PARTNER)
    q = "query($id: ID!) { node(id: $id) { ... on Miner { " + MINER_GRAPH + " } } }"
    node = (await partner.gql(q, {"id": lf.gid("Miner", miner.id)}))["data"]["node"]
    assert node["licenses"]["totalCount"] == 1 and node["asicUnits"]["totalCount"] == 1
    assert node["applications"] == {"totalCount": 0, "edges": []}  # no case files for partners
    assert node["obligations"] == {"totalCount": 0, "edges": []}


async def test_an_applicant_sees_its_own_links_and_not_another_miners(client, officer):
    pool = await make_pool()
    mine = await _licensed_miner_with_units(officer, pool, "MINE")
    other = await _licensed_miner_with_units(officer, pool, "OTHER")
    applicant = await make_caller(client, Role.APPLICANT, miner=mine)
    q = "query($id: ID!) { node(id: $id) { ... on Miner { " + MINER_GRAPH + " } } }"
    own = (await applicant.gql(q, {"id": lf.gid("Miner", mine.id)}))["data"]["node"]
    assert own["applications"]["totalCount"] == 2 and own["pool"]["name"] == pool.name
    # The pool is public to miners' applicants, its other members are not theirs to see.
    assert [e["node"]["miner"] for e in own["pool"]["members"]["edges"]] == [{"name": own["name"]}]
    assert (await applicant.gql(q, {"id": lf.gid("Miner", other.id)}))["data"]["node"] is None


async def test_a_page_of_miners_with_all_their_links_costs_the_same_at_any_size(client, officer):
    for i in range(6):  # a pool each: members beyond the page would be one more (constant) read
        await _licensed_miner_with_units(officer, await make_pool(), f"PAGE{i}")
    q = "query($n: Int) { miners(first: $n) { edges { node { " + MINER_GRAPH + " } } } }"
    await officer.gql("{ __typename }")
    with count_statements() as small:
        few = await officer.gql(q, {"n": 2})
    with count_statements() as large:
        many = await officer.gql(q, {"n": 6})
    assert "errors" not in few and "errors" not in many, many
    assert len(many["data"]["miners"]["edges"]) == 6
    assert all(e["node"]["licenses"]["totalCount"] == 1 for e in many["data"]["miners"]["edges"])
    assert len(small) == len(large), "\n".join(s[:100] for s in [*small, "---", *large])
