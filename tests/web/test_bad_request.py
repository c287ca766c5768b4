"""Issue 10, defect 4: malformed HTTP requests are answered 400 with a GraphQL-shaped error
(code BAD_REQUEST), never 500 and never a dropped connection (tests/web/test_server.py checks
the same shapes against a real uvicorn)."""

from __future__ import annotations

import json

import pytest

from tests.web.conftest import QUERY, graphql_error

JSON = {"Content-Type": "application/json"}

MALFORMED_POSTS = [
    pytest.param(b'"a string"', JSON, id="json-string"),
    pytest.param(b"null", JSON, id="json-null"),
    pytest.param(b"12", JSON, id="json-number"),
    pytest.param(b"true", JSON, id="json-bool"),
    pytest.param(b"", JSON, id="empty"),
    pytest.param(b"{\"query\": \"{ __typename }\"", JSON, id="truncated"),
    pytest.param(b'{"query": "\xff\xfe{ __typename }"}', JSON, id="non-utf8"),
    pytest.param(json.dumps(QUERY).encode("utf-16"), JSON, id="utf16-bom"),
    pytest.param(json.dumps(QUERY).encode("utf-16-le"), JSON, id="utf16-no-bom"),
    pytest.param(json.dumps(QUERY).encode("utf-32"), JSON, id="utf32"),
    pytest.param(b"\xef\xbb\xbf" + json.dumps(QUERY).encode(), JSON, id="utf8-bom"),
    pytest.param(json.dumps([QUERY, QUERY]).encode(), JSON, id="batch"),
    pytest.param(b'{"query": 12}', JSON, id="query-not-a-string"),
    pytest.param(b'{"query": "{ __typename }", "variables": [1]}', JSON, id="variables-a-list"),
    pytest.param(b'{"query": "{ __typename }", "extensions": "x"}', JSON, id="extensions-a-string"),
    pytest.param(b"{}", JSON, id="no-query"),
    pytest.param(json.dumps(QUERY).encode(), {"Content-Type": "text/plain"}, id="text-plain"),
    pytest.param(json.dumps(QUERY).encode(), {"Content-Type": "application/x-www-form-urlencoded"}, id="form"),
    pytest.param(json.dumps(QUERY).encode(), {}, id="no-content-type"),
    pytest.param(b"--x\r\nnot a part\r\n", {"Content-Type": "multipart/form-data; boundary=x"}, id="multipart-garbage"),
    pytest.param(b"garbage", {"Content-Type": "multipart/form-data"}, id="multipart-no-boundary"),
]


@pytest.mark.parametrize(("body", "headers"), MALFORMED_POSTS)
async def test_defect_4_a_malformed_body_is_400_graphql_shaped(client, body, headers):
    response = await client.post("/graphql", content=body, headers=headers)
    assert graphql_error(response) == (400, "BAD_REQUEST"), response.text


@pytest.mark.parametrize(
    ("operations", "files_map"),
    [
        pytest.param("null", '{"0": ["variables.file"]}', id="operations-null"),
        pytest.param(json.dumps(QUERY), "[1, 2]", id="map-a-list"),
        pytest.param(json.dumps(QUERY), "12", id="map-a-number"),
        pytest.param(json.dumps(QUERY), '{"0": ["variables.file"]}', id="file-missing"),
        pytest.param("{not json", "{}", id="operations-not-json"),
    ],
)
async def test_defect_4_a_malformed_multipart_request_is_400(client, operations, files_map):
    response = await client.post("/graphql", data={"operations": operations, "map": files_map})
    assert graphql_error(response) == (400, "BAD_REQUEST"), response.text


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"query": "{ __typename }"}, id="query-over-get"),
        pytest.param({"query": "mutation { __typename }"}, id="mutation-over-get"),
        pytest.param({"query": "{ __typename }", "variables": "{not json"}, id="variables-not-json"),
        pytest.param({"query": "{ __typename }", "variables": "12"}, id="variables-a-number"),
        pytest.param({"variables": "{}"}, id="no-query"),
    ],
)
async def test_defect_4_get_with_bad_params_is_400(client, params):
    response = await client.get("/graphql", params=params, headers={"Accept": "application/json"})
    assert graphql_error(response) == (400, "BAD_REQUEST"), response.text


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
async def test_defect_4_other_methods_get_the_same_shape(client, method):
    response = await client.request(method, "/graphql", json=QUERY)
    assert graphql_error(response) == (405, "BAD_REQUEST"), response.text


async def test_defect_4_the_message_is_in_the_request_language(client):
    response = await client.post("/graphql", content=b"null", headers={**JSON, "Accept-Language": "kk"})
    error = response.json()["errors"][0]
    assert error["message"].startswith("Сұрау дұрыс емес") and error["extensions"]["detail"]


async def test_defect_4_a_good_request_still_works(client):
    response = await client.post("/graphql", json=QUERY)
    assert response.status_code == 200 and response.json() == {"data": {"__typename": "Query"}}
