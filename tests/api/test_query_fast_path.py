"""schema/pipeline.execute_query: a query that parses, validates and is within its cost skips
strawberry's extension machinery. Its answers must be strawberry's own, errors, their codes and
messages, and the personal-data audit included; everything else takes strawberry's path."""

import pytest

import main
from models.audit import AuditEvent
from tests.factories import make_miner

QUERIES = [
    ("{ miners(first: 2) { totalCount edges { cursor node { id name binIin } } pageInfo { hasNextPage } } }", None),
    ("query Named($n: Int) { miners(first: $n) { edges { node { id name } } } }", {"n": 1}),
    ('{ node(id: "not-an-id") { id } }', None),  # an error of the resolver: coded and localized
    ("{ miners(first: 1000) { totalCount } }", None),  # refused by the field: VALIDATION
    ('{ miners(first: 1, after: "garbage") { totalCount } }', None),
    ("query C { miners(first: 3) { edges { node { phone email } } } }", None),  # audited
    ("query Named($n: Int) { miners(first: $n) { totalCount } }", {"n": "three"}),  # a variable that does not coerce
    ("query Named($n: Int!) { miners(first: $n) { totalCount } }", None),  # a required variable missing
]
NOT_FAST = [
    ("{ nope }", None),  # invalid: strawberry's path reports it
    ("{ miners(first: 100) { edges { node { dataCenters(first: 100) { edges { node { "
     "asicUnits(first: 100) { totalCount } } } } } } } }", None),  # over the cost limit
    ("mutation { createMiner(input: {kind: LE, binIin: \"1\", name: \"\", legalAddress: \"\", phone: \"\", "
     "email: \"\"}) { errors { code } } }", None),
    ("query A { __typename } query B { __typename }", None),  # which one: strawberry says
    ("{ __typename", None),  # a syntax error
]


@pytest.fixture
def fast_calls(monkeypatch):
    calls = []
    original = main.execute_query

    async def spy(*args, **kwargs):
        result = await original(*args, **kwargs)
        calls.append(result is not None)
        return result

    monkeypatch.setattr(main, "execute_query", spy)
    return calls


async def _both(officer, monkeypatch, fast_calls, query, variables):
    fast = await officer.gql(query, variables)
    with monkeypatch.context() as patch:
        async def off(*args, **kwargs):
            return None

        patch.setattr(main, "execute_query", off)
        full = await officer.gql(query, variables)
    return fast, full


@pytest.mark.parametrize(("query", "variables"), QUERIES)
async def test_a_plain_query_answers_as_strawberrys_own_execute(officer, monkeypatch, fast_calls, query, variables):
    await make_miner(phone="+7 700 000 00 01")
    before = await AuditEvent.filter(action="personal_data.listed").count()
    fast, full = await _both(officer, monkeypatch, fast_calls, query, variables)
    assert fast_calls == [True], "the query took strawberry's path"
    assert fast == full
    audited = await AuditEvent.filter(action="personal_data.listed").order_by("id").offset(before)
    if "phone" in query:
        assert [e.after["operation"] for e in audited] == ["C", "C"]  # one event per request, either path
    else:
        assert audited == []


@pytest.mark.parametrize(("query", "variables"), NOT_FAST)
async def test_anything_else_goes_through_strawberry(officer, monkeypatch, fast_calls, query, variables):
    fast, full = await _both(officer, monkeypatch, fast_calls, query, variables)
    assert fast_calls == [False]
    assert fast == full


async def test_errors_are_localized_on_the_fast_path(officer, monkeypatch, fast_calls):
    officer.language = "ru"
    fast, full = await _both(officer, monkeypatch, fast_calls, '{ node(id: "not-an-id") { id } }', None)
    assert fast_calls == [True] and fast == full
    [error] = fast["errors"]
    assert error["extensions"]["code"] and any("\u0400" <= ch <= "\u04ff" for ch in error["message"])


# -- list resolvers called without strawberry's chain (schema/execution._nested_list) ---------------

HOSTILE_PAGING = [
    '{ miners(first: 1, after: "%s") { totalCount } }' % ("x" * 5000),  # over the input bounds' text limit
    '{ miners(first: 1, after: "ab\\u0000c") { totalCount } }',  # NUL: refused by the input bounds
    '{ miners(first: -1) { totalCount } }',
    '{ miners(first: 101) { totalCount } }',
    '{ miners(last: 2, before: "zz") { totalCount } }',
    '{ miners(first: 2, after: "WyJpZCIsMSwxXQ") { edges { node { name } } } }',
    '{ miners(first: 2, name: "a") { edges { node { name dataCenters(first: 1, after: "zz") { totalCount } } } } }',
]


@pytest.mark.parametrize("query", HOSTILE_PAGING)
async def test_a_list_without_strawberrys_resolver_chain_answers_as_with_it(officer, settings, monkeypatch, query):
    """Bad paging arguments get the same typed errors, the input bounds' included, as through
    strawberry's own resolver and field extensions."""
    from httpx import ASGITransport, AsyncClient

    import schema.schema
    from tests.factories import gql

    await make_miner(name="a miner")
    lean = await officer.gql(query)
    monkeypatch.setattr(schema.schema, "lean_resolvers", lambda built: 0)
    full_app = main.create_app(settings, manage_db=False)
    async with AsyncClient(transport=ASGITransport(app=full_app), base_url="http://test") as client:
        full = await gql(client, query, token=officer.token)
    assert lean == full
