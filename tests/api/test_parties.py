"""Miners, data centers and pools through GraphQL: create, read, filter, paginate, update."""

import pytest

from models.audit import AuditEvent
from models.parties import DataCenter, Miner, Pool
from tests.factories import (
    ERRORS,
    error_paths,
    errors_of,
    make_data_center,
    make_miner,
    new_bin,
    new_iin,
)
from tests.sqlcount import count_statements, count_tasks

CREATE_MINER = f"""
mutation($input: CreateMinerInput!) {{
  createMiner(input: $input) {{ miner {{ id kind binIin name legalAddress phone email }} {ERRORS} }}
}}"""


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
    assert errors_of(result) == [], result
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
    assert error_paths(result) == [["binIin"]]
    assert await Miner.all().count() == 0
    assert await AuditEvent.all().count() == audit_before


async def test_sole_proprietor_is_identified_by_iin(officer):
    result = await officer.gql(CREATE_MINER, {"input": miner_input(kind="IE", binIin=new_iin())})
    assert errors_of(result) == [], result


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
        "mutation($i: UpdateMinerInput!) { updateMiner(input: $i) { miner { name } " + ERRORS + " } }",
        {"i": {"id": _gid("Miner", miner.id), "name": None}},
    )
    assert errors_of(result) == ["VALIDATION"]
    assert error_paths(result) == [["name"]]
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
    assert result["errors"][0]["extensions"]["path"] == ["first"]


async def test_data_center_with_grid_connection_and_miner_link(officer):
    miner = await make_miner()
    result = await officer.gql(
        """mutation($i: CreateDataCenterInput!) { createDataCenter(input: $i) { dataCenter {
             id name region substationKv permittedCapacityKw permittedCapacityMw connectedOn powerSource miner { binIin } } } }""",
        {"i": {"minerId": _gid("Miner", miner.id), "name": "ЦОД-1", "address": "Экибастуз",
               "region": "PAVLODAR", "outsideResidentialZone": True, "powerSource": "GRID",
               "substationKv": "110", "permittedCapacityKw": "25500", "connectedOn": "2023-03-15",
               "electricityPurchase": "SINGLE_BUYER"}},
    )
    dc = result["data"]["createDataCenter"]["dataCenter"]
    assert dc["miner"]["binIin"] == miner.bin_iin
    assert (dc["substationKv"], dc["connectedOn"]) == ("110.00", "2023-03-15")
    assert (dc["permittedCapacityKw"], dc["permittedCapacityMw"]) == ("25500", "25.5")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("permittedCapacityKw", "-1"),
        ("permittedCapacityKw", "0.5"),  # whole kW only
        ("substationKv", "1e1000000"),  # once stored, it broke every list (issue 10)
        ("substationKv", "NaN"),
        ("substationKv", "1234567.5"),  # numeric(8, 2)
        ("substationKv", "35.125"),
    ],
)
async def test_bad_grid_numbers_are_refused_with_their_path(officer, field, value):
    miner = await make_miner()
    result = await officer.gql(
        "mutation($i: CreateDataCenterInput!) { createDataCenter(input: $i) { dataCenter { id } " + ERRORS + " } }",
        {"i": {"minerId": _gid("Miner", miner.id), "name": "X", "address": "Y", "region": "ABAI",
               "outsideResidentialZone": True, "powerSource": "GRID", "substationKv": "35", field: value}},
    )
    assert errors_of(result) == ["VALIDATION"]
    assert error_paths(result) == [[field]]
    assert await DataCenter.all().count() == 0


async def test_pool_requires_a_legal_entity_bin(officer):
    q = "mutation($i: CreatePoolInput!) { createPool(input: $i) { pool { bin serverLocations { role settlement } } " + ERRORS + " } }"
    rejected = await officer.gql(q, {"i": {"bin": new_iin(), "name": "P"}})
    assert errors_of(rejected) == ["INVALID_BIN"]
    ok = await officer.gql(q, {"i": {"bin": new_bin("6"), "name": "P", "serverLocations": [
        {"role": "MAIN", "settlement": "Алматы", "address": "Толе би 1"}]}})
    assert ok["data"]["createPool"]["pool"]["serverLocations"] == [{"role": "MAIN", "settlement": "Алматы"}]
    assert await Pool.all().count() == 1


async def test_data_centers_of_a_page_of_miners_cost_the_same_statements_at_any_page_size(officer):
    for _ in range(12):
        m = await make_miner()
        await make_data_center(m)
        await make_data_center(m)
        await make_data_center(m)
    q = """query($n: Int) { miners(first: $n) { totalCount edges { node { name
             dataCenters(first: 2) { totalCount edges { node { name miner { name } } } } } } } }"""
    await officer.gql("{ __typename }")  # the token's last-use time is written once, not per request
    with count_statements() as small, count_tasks() as small_tasks:
        few = await officer.gql(q, {"n": 3})
    with count_statements() as large, count_tasks() as large_tasks:
        many = await officer.gql(q, {"n": 12})
    # The nested lists were read with the page: no task per miner.
    assert len(small_tasks) == len(large_tasks), (small_tasks, large_tasks)
    assert errors_of(few) == errors_of(many) == []
    edges = many["data"]["miners"]["edges"]
    assert len(edges) == 12
    assert all(e["node"]["dataCenters"]["totalCount"] == 3 for e in edges)
    assert all(len(e["node"]["dataCenters"]["edges"]) == 2 for e in edges)
    assert all(
        d["node"]["miner"]["name"] == e["node"]["name"] for e in edges for d in e["node"]["dataCenters"]["edges"]
    )
    assert len(small) == len(large), "\n".join(s[:90] for s in [*small, "---", *large])


async def test_nested_lists_of_a_page_under_aliases_and_sizes_are_each_their_own(officer):
    """A page's nested first pages are made with the page (prefetch_nested): two aliases with
    other sizes, a cursor and a count each get their own answer, the same as a lone node's."""
    miner = await make_miner()
    names = [(await make_data_center(miner, name=f"DC {i}")).name for i in range(3)]
    q = """query($after: String) { miners(first: 5) { edges { node {
             one: dataCenters(first: 1) { edges { cursor node { name } } pageInfo { hasNextPage endCursor } }
             two: dataCenters(first: 2) { totalCount edges { node { name } } pageInfo { hasNextPage } }
             all: dataCenters { edges { node { name } } pageInfo { hasNextPage startCursor } }
             rest: dataCenters(first: 5, after: $after) { edges { node { name } } } } } } }"""
    first = (await officer.gql(q))["data"]["miners"]["edges"][0]["node"]
    assert [e["node"]["name"] for e in first["one"]["edges"]] == names[:1] and first["one"]["pageInfo"]["hasNextPage"]
    assert [e["node"]["name"] for e in first["two"]["edges"]] == names[:2] and first["two"]["totalCount"] == 3
    assert [e["node"]["name"] for e in first["all"]["edges"]] == names and not first["all"]["pageInfo"]["hasNextPage"]
    assert first["one"]["edges"][0]["cursor"] == first["one"]["pageInfo"]["endCursor"] == first["all"]["pageInfo"]["startCursor"]
    after = (await officer.gql(q, {"after": first["one"]["pageInfo"]["endCursor"]}))["data"]["miners"]["edges"][0]["node"]
    assert [e["node"]["name"] for e in after["rest"]["edges"]] == names[1:]
    lone = await officer.gql("""query($id: ID!) { node(id: $id) { ... on Miner {
             two: dataCenters(first: 2) { totalCount edges { node { name } } pageInfo { hasNextPage } } } } }""",
                             {"id": _gid("Miner", miner.id)})
    assert lone["data"]["node"]["two"] == first["two"]


async def test_a_nested_list_pages_on_with_its_cursor(officer):
    miner = await make_miner()
    names = [(await make_data_center(miner, name=f"DC {i}")).name for i in range(5)]
    q = """query($id: ID!, $after: String) { node(id: $id) { ... on Miner {
             dataCenters(first: 2, after: $after) { edges { node { name } } pageInfo { hasNextPage endCursor } } } } }"""
    seen, after = [], None
    while True:
        page = (await officer.gql(q, {"id": _gid("Miner", miner.id), "after": after}))["data"]["node"]["dataCenters"]
        seen += [e["node"]["name"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == names


async def test_sorting_by_name_pages_in_order_both_ways(officer):
    for name in ["Бета", "альфа", "Гамма", "вега", "Дельта"]:
        await make_miner(name=name)
    q = """query($after: String, $dir: OrderDirection!) { miners(first: 2, after: $after, orderBy: {field: NAME, direction: $dir}) {
             edges { node { name } } pageInfo { hasNextPage endCursor } } }"""
    for direction, expected in (("ASC", ["альфа", "Бета", "вега", "Гамма", "Дельта"]),
                                ("DESC", ["Дельта", "Гамма", "вега", "Бета", "альфа"])):
        seen, after = [], None
        while True:
            page = (await officer.gql(q, {"after": after, "dir": direction}))["data"]["miners"]
            seen += [e["node"]["name"] for e in page["edges"]]
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        assert seen == expected


async def test_a_cursor_of_another_order_is_refused(officer):
    for _ in range(3):
        await make_miner()
    first = await officer.gql("{ miners(first: 1) { pageInfo { endCursor } } }")
    cursor = first["data"]["miners"]["pageInfo"]["endCursor"]
    result = await officer.gql(
        "query($c: String) { miners(first: 1, after: $c, orderBy: {field: NAME}) { totalCount } }", {"c": cursor}
    )
    assert errors_of(result) == ["INVALID_ID"]


async def test_lookups_are_null_for_missing_or_foreign_records_and_keep_the_other_root_fields(client, officer):
    from rules.enums import Role
    from tests.factories import make_caller

    own, other = await make_miner(), await make_miner()
    applicant = await make_caller(client, Role.APPLICANT, miner=own)
    q = """query($own: ID!, $other: ID!, $missing: ID!) {
      a: node(id: $own) { id } b: node(id: $other) { id } c: node(id: $missing) { id }
      nodes(ids: [$own, $other, $missing]) { id }
      miners { totalCount } }"""
    result = await applicant.gql(q, {"own": _gid("Miner", own.id), "other": _gid("Miner", other.id),
                                     "missing": _gid("Miner", 999_999)})
    assert "errors" not in result
    data = result["data"]
    assert data["a"] == {"id": _gid("Miner", own.id)} and data["b"] is None and data["c"] is None
    assert data["nodes"] == [{"id": _gid("Miner", own.id)}, None, None]
    assert data["miners"]["totalCount"] == 1


@pytest.mark.parametrize("bad", ["Miner:²", "Miner:100000000000000000000", "Miner:-1", "Nope:1", "%%%"])
async def test_a_malformed_id_is_invalid_id_not_internal(officer, bad):
    import base64

    value = base64.b64encode(bad.encode()).decode() if bad != "%%%" else bad
    result = await officer.gql("query($id: ID!) { node(id: $id) { id } }", {"id": value})
    assert errors_of(result) in (["INVALID_ID"], ["GRAPHQL_VALIDATION"])


async def test_partner_systems_do_not_read_personal_contacts(client, officer):
    from rules.enums import Role
    from tests.factories import make_caller

    miner = await make_miner()
    partner = await make_caller(client, Role.PARTNER)
    q = "query($id: ID!) { node(id: $id) { ... on Miner { name phone email } } }"
    seen_by_partner = (await partner.gql(q, {"id": _gid("Miner", miner.id)}))["data"]["node"]
    assert seen_by_partner == {"name": miner.name, "phone": None, "email": None}
    seen_by_officer = (await officer.gql(q, {"id": _gid("Miner", miner.id)}))["data"]["node"]
    assert (seen_by_officer["phone"], seen_by_officer["email"]) == (miner.phone, miner.email)


async def test_replaying_a_client_mutation_id_files_once(officer):
    data = miner_input(clientMutationId="double-click-1")
    first = await officer.gql(CREATE_MINER, {"input": data})
    again = await officer.gql(CREATE_MINER, {"input": data})
    assert errors_of(first) == errors_of(again) == []
    assert first["data"]["createMiner"]["miner"] == again["data"]["createMiner"]["miner"]
    assert await Miner.all().count() == 1
    changed = await officer.gql(CREATE_MINER, {"input": {**data, "name": "Другое"}})
    assert errors_of(changed) == ["CONFLICT"] and error_paths(changed) == [["clientMutationId"]]
    assert await Miner.all().count() == 1


async def test_a_refused_request_does_not_use_up_its_client_mutation_id(officer):
    data = miner_input(clientMutationId="retry-me", binIin="1")
    assert errors_of(await officer.gql(CREATE_MINER, {"input": data})) == ["INVALID_BIN"]
    fixed = await officer.gql(CREATE_MINER, {"input": {**data, "binIin": new_bin()}})
    assert errors_of(fixed) == []
    assert await Miner.all().count() == 1


def _gid(type_name, pk):
    from schema.ids import to_global_id

    return str(to_global_id(type_name, pk))
