"""Issue 10, defect 8: security headers on every response, no caching of personal data, a CSP
that lets GraphiQL load exactly what it needs, and CORS by an explicit allow-list."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest

from rules.enums import Role
from tests.factories import make_caller
from tests.web.conftest import QUERY, edge_client, graphql_error
from web.headers import API_CSP

ALLOWED = "https://portal.example.kz"


def _common_headers(response) -> None:
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"


async def test_defect_8_graphql_answers_carry_the_headers_and_are_never_cached(client):
    response = await client.post("/graphql", json=QUERY)
    _common_headers(response)
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["content-security-policy"] == API_CSP
    assert "strict-transport-security" not in response.headers  # development: plain HTTP


async def test_defect_8_the_personal_data_export_is_never_cached(client):
    officer = await make_caller(client, Role.OFFICER)
    for fmt in ("csv", "xlsx"):
        response = await client.get(f"/exports/asic-units?format={fmt}",
                                    headers={"Authorization": f"Bearer {officer.token}"})
        assert response.status_code == 200 and response.headers["content-disposition"].startswith("attachment")
        assert response.headers["cache-control"] == "no-store"
        _common_headers(response)


async def test_defect_8_refusals_of_the_edge_carry_the_headers_too(settings):
    async with edge_client(settings, max_body_bytes=10, rate_limit_per_ip="1/minute") as c:
        too_large = await c.post("/graphql", json=QUERY)
        limited = await c.post("/graphql", json=QUERY)
    assert graphql_error(too_large)[0] == 413 and graphql_error(limited)[0] == 429
    for response in (too_large, limited):
        _common_headers(response)
        assert response.headers["cache-control"] == "no-store"


async def test_defect_8_hsts_in_production_only(settings, clean_db):
    async with edge_client(settings, environment="production") as c:
        response = await c.post("/graphql", json=QUERY)
        health = await c.get("/healthz")
    for r in (response, health):
        assert r.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
        _common_headers(r)


def _directives(csp: str) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in (p.strip() for p in csp.split(";")) if d}


async def test_defect_8_graphiql_renders_under_a_csp_that_allows_exactly_what_it_loads(client):
    response = await client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    html = response.text
    assert "GraphiQL.createFetcher" in html and 'id="graphiql"' in html
    csp = _directives(response.headers["content-security-policy"])
    assert csp["default-src"] == ["'none'"] and csp["frame-ancestors"] == ["'none'"]
    scripts = re.findall(r'<script[^>]*\bsrc="([^"]+)"', html)
    inline = re.findall(r"<script>(.*?)</script>", html, re.S)
    stylesheets = re.findall(r'<link[^>]*\bhref="(https://[^"]+\.css)"', html)
    assert scripts and inline and stylesheets
    hashes = ["'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'" for s in inline]
    # Scripts: exactly the page's own (by URL and by hash), nothing inline or evaluated besides.
    assert sorted(csp["script-src"]) == sorted(["'self'", *scripts, *hashes])
    assert set(stylesheets) <= set(csp["style-src"])
    assert csp["connect-src"] == ["'self'"] and "data:" in csp["img-src"]
    _common_headers(response)


async def test_defect_8_no_graphiql_in_production(settings, clean_db):
    async with edge_client(settings, environment="production") as c:
        response = await c.get("/graphql", headers={"Accept": "text/html"})
    assert graphql_error(response) == (404, "BAD_REQUEST")


PREFLIGHT = {"Access-Control-Request-Method": "POST",
             "Access-Control-Request-Headers": "authorization, content-type"}


async def test_defect_8_cors_preflight_from_an_allowed_origin_gets_the_headers(settings):
    async with edge_client(settings, cors_origins=(ALLOWED,)) as c:
        response = await c.options("/graphql", headers={"Origin": ALLOWED, **PREFLIGHT})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ALLOWED
    assert "POST" in response.headers["access-control-allow-methods"]
    allowed_headers = response.headers["access-control-allow-headers"].lower()
    assert "authorization" in allowed_headers and "content-type" in allowed_headers
    assert "access-control-allow-credentials" not in response.headers  # tokens, not cookies


@pytest.mark.parametrize("origin", ["https://evil.example", "https://portal.example.kz.evil.example", "null"])
async def test_defect_8_cors_preflight_from_another_origin_gets_none(settings, origin):
    async with edge_client(settings, cors_origins=(ALLOWED,)) as c:
        response = await c.options("/graphql", headers={"Origin": origin, **PREFLIGHT})
        simple = await c.post("/graphql", json=QUERY, headers={"Origin": origin})
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers
    assert simple.status_code == 200 and "access-control-allow-origin" not in simple.headers


async def test_defect_8_cors_simple_request_from_an_allowed_origin(settings):
    async with edge_client(settings, cors_origins=(ALLOWED,), rate_limit_per_ip="1/minute") as c:
        response = await c.post("/graphql", json=QUERY, headers={"Origin": ALLOWED})
        limited = await c.post("/graphql", json=QUERY, headers={"Origin": ALLOWED})
    assert response.headers["access-control-allow-origin"] == ALLOWED
    # A browser client can read a 429 and its Retry-After.
    assert limited.status_code == 429 and limited.headers["access-control-allow-origin"] == ALLOWED
    assert "retry-after" in limited.headers["access-control-expose-headers"].lower()


async def test_defect_8_no_origin_is_allowed_by_default(settings):
    assert settings.cors_origins == ()
    async with edge_client(settings) as c:
        response = await c.options("/graphql", headers={"Origin": ALLOWED, **PREFLIGHT})
    assert "access-control-allow-origin" not in response.headers
