"""Miners, data centers and pools through GraphQL: create, read, filter, paginate, update."""

import pytest

from models.audit import AuditEvent
from models.parties import DataCenter, Miner, Pool
from tests.factories import errors_of, make_data_center, make_miner, new_bin, new_iin

CREATE_MINER = """
mutation($input: CreateMinerInput!) {
  createMiner(input: $input) { miner { id kind binIin name legalAddress phone email } }
}"""


def miner_input(**overrides):
    return {
        "kind": "LE",
        "binIin": new_bin(),
        "name": "ТОО «Тест Майнинг»",
        "legalAddress": "Астана, ул. Достык 1",
        "phone": "+7 701 111 22 33",
        "email": "info@test.kz",
        **overrides,
    }


async def test_officer_creates_and_reads_back_a_miner(officer):
    data = miner_input()
    result = await officer.gql(CREATE_MINER, {"input": data})
    assert "errors" not in result, result
    created = result["data"]["createMiner"]["miner"]
    assert created["binIin"] == data["binIin"] and created["kind"] == "LE"
    again = await officer.gql(
        "query($id: ID!) { node(id: $id) { ... on Miner { binIin name } } }", {"id": created["id"]}
    )
    assert again["data"]["node"] == {"binIin": data["binIin"], "name": data["name"]}


@pytest.mark.parametrize(
    ("kind", "bin_iin", "why"),
    [
        ("LE", "12345", "wrong length"),
        ("LE", "12345678901A", "letters"),
        ("LE", "061211600013", "bad checksum"),
        ("LE", "061211600012", "an IIN (5th digit 1) is no BIN"),
        ("IE", "1234567890123", "too long"),
    ],
)
async def test_invalid_bin_is_rejected_and_nothing_is_stored(officer, kind, bin_iin, why):
    audit_before = await AuditEvent.all().count()
    result = await officer.gql(CREATE_MINER, {"input": miner_input(kind=kind, binIin=bin_iin)})
    assert errors_of(result) == ["INVALID_BIN"], why
    assert result["errors"][0]["extensions"]["field"] == "binIin"
    assert await Miner.all().count() == 0
    assert await AuditEvent.all().count() == audit_before


async def test_sole_proprietor_is_identified_by_iin(officer):
    result = await officer.gql(CREATE_MINER, {"input": miner_input(kind="IE", binIin=new_iin())})
    assert "errors" not in result, result


async def test_duplicate_bin_is_a_conflict_and_keeps_the_first(officer):
    data = miner_input()
    await officer.gql(CREATE_MINER, {"input": data})
    again = await officer.gql(CREATE_MINER, {"input": {**data, "name": "Другое имя"}})
    assert errors_of(again) == ["CONFLICT"]
    assert [m.name for m in await Miner.all()] == [data["name"]]


@pytest.mark.parametrize(
    ("field", "value"),
    [("email", "not-an-email"), ("phone", "call me"), ("name", "   "), ("legalAddress", "")],
)
async def test_bad_contact_data_is_a_validation_error(officer, field, value):
    result = await officer.gql(CREATE_MINER, {"input": miner_input(**{field: value})})
    assert errors_of(result) == ["VALIDATION"]
    assert await Miner.all().count() == 0


async def test_update_miner_patches_only_given_fields(officer):
    miner = await make_miner()
    result = await officer.gql(
        "mutation($i: UpdateMinerInput!) { updateMiner(input: $i) { miner { name phone email } } }",
        {"i": {"id": _gid("Miner", miner.id), "phone": "+7 702 000 00 01"}},
    )
    assert result["data"]["updateMiner"]["miner"] == {
        "name": miner.name, "phone": "+7 702 000 00 01", "email": miner.email,
    }


async def test_explicit_null_for_required_field_is_rejected(officer):
    miner = await make_miner()
    result = await officer.gql(
        "mutation($i: UpdateMinerInput!) { updateMiner(input: $i) { miner { name } } }",
        {"i": {"id": _gid("Miner", miner.id), "name": None}},
    )
    assert errors_of(result) == ["VALIDATION"]
    assert (await Miner.get(id=miner.id)).name == miner.name


async def test_filters_by_name_bin_and_region(officer):
    a = await make_miner(name="Экибастуз Хэш")
    b = await make_miner(name="Астана Компьют")
    await make_data_center(a, region="PAVLODAR")
    await make_data_center(b, region="ASTANA")
    q = "query($f: String, $b: String, $r: Region) { miners(name: $f, binIin: $b, region: $r) { totalCount edges { node { name } } } }"
    by_name = await officer.gql(q, {"f": "хэш"})
    assert [e["node"]["name"] for e in by_name["data"]["miners"]["edges"]] == [a.name]
    by_bin = await officer.gql(q, {"b": b.bin_iin[:11]})
    assert [e["node"]["name"] for e in by_bin["data"]["miners"]["edges"]] == [b.name]
    by_region = await officer.gql(q, {"r": "ASTANA"})
    assert [e["node"]["name"] for e in by_region["data"]["miners"]["edges"]] == [b.name]


async def test_cursor_pagination_walks_forward_and_back_without_gaps(officer):
    names = [(await make_miner(name=f"M{i:02d}")).name for i in range(7)]
    q = """query($first: Int, $after: String, $last: Int, $before: String) {
      miners(first: $first, after: $after, last: $last, before: $before) {
        totalCount edges { node { name } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }"""
    seen, after = [], None
    while True:
        page = (await officer.gql(q, {"first": 3, "after": after}))["data"]["miners"]
        assert page["totalCount"] == 7
        seen += [e["node"]["name"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == names
    back = (await officer.gql(q, {"last": 2, "before": page["pageInfo"]["startCursor"]}))["data"]["miners"]
    assert [e["node"]["name"] for e in back["edges"]] == names[4:6]
    assert back["pageInfo"]["hasPreviousPage"] is True


async def test_page_size_is_capped(officer):
    result = await officer.gql("{ miners(first: 1000) { totalCount } }")
    assert errors_of(result) == ["VALIDATION"]


async def test_data_center_with_grid_connection_and_miner_link(officer):
    miner = await make_miner()
    result = await officer.gql(
        """mutation($i: CreateDataCenterInput!) { createDataCenter(input: $i) { dataCenter {
             id name region substationKv permittedCapacityMw connectedOn powerSource miner { binIin } } } }""",
        {"i": {"minerId": _gid("Miner", miner.id), "name": "ЦОД-1", "address": "Экибастуз",
               "region": "PAVLODAR", "outsideResidentialZone": True, "powerSource": "GRID",
               "substationKv": "110", "permittedCapacityMw": "25.5", "connectedOn": "2023-03-15",
               "electricityPurchase": "SINGLE_BUYER"}},
    )
    dc = result["data"]["createDataCenter"]["dataCenter"]
    assert dc["miner"]["binIin"] == miner.bin_iin
    assert (dc["substationKv"], dc["permittedCapacityMw"], dc["connectedOn"]) == ("110.00", "25.500", "2023-03-15")


async def test_negative_capacity_is_rejected(officer):
    miner = await make_miner()
    result = await officer.gql(
        "mutation($i: CreateDataCenterInput!) { createDataCenter(input: $i) { dataCenter { id } } }",
        {"i": {"minerId": _gid("Miner", miner.id), "name": "X", "address": "Y", "region": "ABAI",
               "outsideResidentialZone": True, "powerSource": "GRID", "substationKv": "35",
               "permittedCapacityMw": "-1"}},
    )
    assert errors_of(result) == ["VALIDATION"]
    assert await DataCenter.all().count() == 0


async def test_pool_requires_a_legal_entity_bin(officer):
    q = "mutation($i: CreatePoolInput!) { createPool(input: $i) { pool { bin serverLocations { role settlement } } } }"
    rejected = await officer.gql(q, {"i": {"bin": new_iin(), "name": "P"}})
    assert errors_of(rejected) == ["INVALID_BIN"]
    ok = await officer.gql(q, {"i": {"bin": new_bin("6"), "name": "P", "serverLocations": [
        {"role": "MAIN", "settlement": "Алматы", "address": "Толе би 1"}]}})
    assert ok["data"]["createPool"]["pool"]["serverLocations"] == [{"role": "MAIN", "settlement": "Алматы"}]
    assert await Pool.all().count() == 1


async def test_data_centers_of_many_miners_load_in_one_query(officer, monkeypatch):
    for _ in range(5):
        m = await make_miner()
        await make_data_center(m)
        await make_data_center(m)
    import schema.context as ctx_module

    calls = []
    original = ctx_module._data_centers_by_miner

    async def counting(keys):
        calls.append(list(keys))
        return await original(keys)

    monkeypatch.setattr(ctx_module, "_data_centers_by_miner", counting)
    result = await officer.gql("{ miners { edges { node { dataCenters { name } } } } }")
    assert all(len(e["node"]["dataCenters"]) == 2 for e in result["data"]["miners"]["edges"])
    assert len(calls) == 1 and len(calls[0]) == 5


def _gid(type_name, pk):
    from schema.ids import to_global_id

    return to_global_id(type_name, pk)
