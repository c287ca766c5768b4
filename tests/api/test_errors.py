"""Typed errors: stable codes, messages in the caller's language, no traces, hardening limits."""

import pytest

from main import create_app
from settings import Settings
from tests.factories import ERRORS, error_paths, errors_of, gql


@pytest.mark.parametrize(
    ("language", "fragment"),
    [("kk", "Аутентификация қажет"), ("ru", "Требуется аутентификация"), ("en", "Authentication required"), (None, "Требуется")],
)
async def test_message_follows_accept_language(client, language, fragment):
    result = await gql(client, "{ miners { totalCount } }", language=language)
    assert errors_of(result) == ["UNAUTHENTICATED"]
    assert fragment in result["errors"][0]["message"]


async def test_unexpected_failure_is_masked_as_internal(officer, monkeypatch):
    import resolvers.parties

    async def explode(*args, **kwargs):
        raise RuntimeError("SELECT secret FROM miner -- trace")

    monkeypatch.setattr(resolvers.parties.Listing, "count", explode)
    result = await officer.gql("{ miners { totalCount } }")
    assert errors_of(result) == ["INTERNAL"]
    text = str(result)
    assert "secret" not in text and "Traceback" not in text and "RuntimeError" not in text


@pytest.mark.parametrize("bad_id", ["%%%", "bm90LWEtbm9kZQ", "TWluZXI6YWJj"])  # garbage, "not-a-node", "Miner:abc"
async def test_bad_global_ids_are_invalid_id(officer, bad_id):
    result = await officer.gql("query($id: ID!) { node(id: $id) { id } }", {"id": bad_id})
    assert errors_of(result) == ["INVALID_ID"]
    assert "data" in result  # the request is answered as a GraphQL response, not a crash


async def test_id_of_the_wrong_type_is_an_invalid_input_with_its_path(officer):
    from schema.ids import to_global_id

    result = await officer.gql(
        "mutation($i: UpdateMinerInput!) { updateMiner(input: $i) { miner { id } " + ERRORS + " } }",
        {"i": {"id": str(to_global_id("Pool", 1)), "name": "X"}},
    )
    assert errors_of(result) == ["INVALID_ID"]
    assert error_paths(result) == [["id"]]
    assert result["data"]["updateMiner"]["errors"][0]["__typename"] == "InvalidInput"


@pytest.mark.parametrize(
    ("language", "fragment"),
    [("kk", "табылмады"), ("ru", "не найдена"), ("en", "not found")],
)
async def test_payload_errors_speak_the_request_language(officer, language, fragment):
    from schema.ids import to_global_id

    officer.language = language
    result = await officer.gql(
        "mutation($i: UpdateMinerInput!) { updateMiner(input: $i) { miner { id } " + ERRORS + " } }",
        {"i": {"id": str(to_global_id("Miner", 999_999)), "name": "X"}},
    )
    error = result["data"]["updateMiner"]["errors"][0]
    assert (error["__typename"], error["code"]) == ("NotFound", "NOT_FOUND")
    assert fragment in error["message"]


async def test_a_costly_query_is_refused_before_it_runs(officer):
    from tests.sqlcount import count_statements

    await officer.gql("{ __typename }")
    costly = """{ miners(first: 100) { edges { node { name
                  dataCenters(first: 100) { edges { node { name address region miner { name } } } } } } } }"""
    with count_statements() as sent:
        result = await officer.gql(costly)
    assert errors_of(result) == ["QUERY_TOO_COSTLY"]
    assert result.get("data") is None
    assert result["errors"][0]["extensions"]["cost"] > result["errors"][0]["extensions"]["limit"]
    assert [s for s in sent if "miner" in s.lower() and "api_token" not in s] == []  # nothing was read
    cheap = await officer.gql("{ miners(first: 100) { edges { node { name dataCenters(first: 5) { totalCount } } } } }")
    assert errors_of(cheap) == []


async def test_page_sizes_in_variables_count_toward_the_cost(officer):
    q = """query($a: Int, $b: Int) { miners(first: $a) { edges { node {
             dataCenters(first: $b) { edges { node { name address region miner { name } } } } } } } }"""
    assert errors_of(await officer.gql(q, {"a": 100, "b": 100})) == ["QUERY_TOO_COSTLY"]
    assert errors_of(await officer.gql(q, {"a": 10, "b": 10})) == []
    # The same text again (parsed, validated and costed from the caches): the values still count.
    assert errors_of(await officer.gql(q, {"a": 100, "b": 100})) == ["QUERY_TOO_COSTLY"]
    assert errors_of(await officer.gql(q, {"a": 10, "b": 10})) == []


async def test_syntax_and_schema_errors_are_graphql_validation(officer):
    assert errors_of(await officer.gql("{ miners { nope } }")) == ["GRAPHQL_VALIDATION"]
    assert errors_of(await officer.gql("{ miners ")) == ["GRAPHQL_VALIDATION"]


async def test_query_depth_is_limited(officer):
    nested = "name"
    for _ in range(8):
        nested = f"miner {{ dataCenters {{ {nested} }} }}"
    deep = f"{{ dataCenters {{ edges {{ node {{ {nested} }} }} }} }}"  # depth 19 > 10
    result = await officer.gql(deep)
    assert "errors" in result and result.get("data") is None
    assert "depth" in result["errors"][0]["message"]


async def test_aliases_are_limited(officer):
    query = "{ " + " ".join(f"a{i}: miners {{ totalCount }}" for i in range(40)) + " }"
    result = await officer.gql(query)
    assert "errors" in result and result.get("data") is None


async def test_introspection_is_off_outside_development(db):
    from httpx import ASGITransport, AsyncClient

    app = create_app(Settings(database_url=db, environment="production"), manage_db=False)
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://t") as c:
        result = await gql(c, "{ __schema { types { name } } }")
    assert "errors" in result and result.get("data") is None


async def test_introspection_works_in_development(client):
    result = await gql(client, "{ __schema { queryType { name } } }")
    assert result["data"]["__schema"]["queryType"]["name"] == "Query"


async def test_queries_over_get_are_refused(client):
    response = await client.get("/graphql", params={"query": "{ miners { totalCount } }"})
    assert response.status_code in (400, 405)


async def test_unknown_enum_value_in_variables_is_a_request_error_not_internal(officer):
    result = await officer.gql("query($r: Region) { miners(region: $r) { totalCount } }", {"r": "ATLANTIS"})
    assert errors_of(result) == ["GRAPHQL_VALIDATION"]
    assert "ATLANTIS" in result["errors"][0]["message"]
