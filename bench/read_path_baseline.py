"""The floor for bench/read_path.py: a bare Starlette + asyncpg app that answers the benchmark's
requests with the same JSON as the GraphQL service, by hand-written SQL.

It does what the service must do and nothing more: check the bearer token (one query), run
the fewest statements that give the data (window functions for nested pages), and encode the
same JSON (global ids, cursors) with orjson. Run by bench/read_path.py under uvicorn:
`uvicorn --factory read_path_baseline:create_app` with BENCH_DATABASE_URL set.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import json
import os
from collections import defaultdict
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import asyncpg
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from rules.calendar import ALMATY, CalendarOverride, WorkCalendar
from rules.fees import DEFAULT_MRP
from rules.problems import Problem
from rules.qualification import (
    Confirmations,
    DataCenterFacts,
    DocumentKind,
    LicenseApplicationFacts,
    QualificationDocument,
    completeness_problems,
)
from rules.registry import serial_key_of
from rules.workflow import TERMINAL_STAGES, Stage, days_left, is_past_due, next_deadline
from schema.paths import input_path

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/reg_bench")


def gid(type_name: str, pk: int) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


def cursor(column: str, value: Any, pk: int) -> str:
    raw = json.dumps([column, value, pk], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def page_info(edges: list[dict[str, Any]], has_next: bool, has_previous: bool = False) -> dict[str, Any]:
    return {
        "hasNextPage": has_next,
        "hasPreviousPage": has_previous,
        "startCursor": edges[0]["cursor"] if edges else None,
        "endCursor": edges[-1]["cursor"] if edges else None,
    }


class _NoReset(asyncpg.Connection):  # type: ignore[misc]
    """The same pool setting as the service (models/db.py): no reset query on release."""

    def get_reset_query(self) -> str:
        return ""


class Handlers:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def actor(self, conn: asyncpg.Connection, request: Request) -> asyncpg.Record | None:
        scheme, _, token = (request.headers.get("authorization") or "").partition(" ")
        if scheme.lower() != "bearer":
            return None
        return await conn.fetchrow(
            "SELECT u.id, u.role, u.miner_id, u.pool_id FROM api_token t JOIN app_user u ON u.id = t.user_id"
            " WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.active",
            hashlib.sha256(token.strip().encode()).hexdigest(),
        )

    async def trivial(self, request: Request) -> Response:
        async with self.pool.acquire() as conn:
            await self.actor(conn, request)
        return _json({"data": {"__typename": "Query"}})

    async def miners(self, request: Request) -> Response:
        """`miners(first: 10) { edges { cursor node { id name binIin dataCenters(first: 5) {
        edges { node { id name region } } } } } pageInfo {...} }`"""
        async with self.pool.acquire() as conn:
            if await self.actor(conn, request) is None:
                return Response(status_code=401)
            rows = await conn.fetch("SELECT id, name, bin_iin FROM miner ORDER BY id LIMIT 11")
            has_next, rows = len(rows) > 10, rows[:10]
            dcs = await conn.fetch(
                "SELECT id, name, region, miner_id FROM (SELECT id, name, region, miner_id,"
                " ROW_NUMBER() OVER (PARTITION BY miner_id ORDER BY id) AS rn FROM data_center"
                " WHERE miner_id = ANY($1::int[])) numbered WHERE rn <= 6 ORDER BY id",
                [r["id"] for r in rows],
            )
        by_miner: dict[int, list[asyncpg.Record]] = defaultdict(list)
        for dc in dcs:
            by_miner[dc["miner_id"]].append(dc)
        edges = []
        for r in rows:
            own = by_miner[r["id"]]
            dc_edges = [
                {"node": {"id": gid("DataCenter", d["id"]), "name": d["name"], "region": d["region"]}}
                for d in own[:5]
            ]
            edges.append({
                "cursor": cursor("id", r["id"], r["id"]),
                "node": {
                    "id": gid("Miner", r["id"]), "name": r["name"], "binIin": r["bin_iin"],
                    "dataCenters": {"edges": dc_edges, "pageInfo": {"hasNextPage": len(own) > 5}},
                },
            })
        return _json({"data": {"miners": {"edges": edges, "pageInfo": page_info(edges, has_next)}}})


    async def applications(self, request: Request) -> Response:
        """The 100-application page of bench/read_path.py (APPLICATIONS_QUERY): the same data by
        hand-written SQL, judged by the same pure rules (completeness, fees, terms)."""
        now = datetime.now(UTC)
        async with self.pool.acquire() as conn:
            if await self.actor(conn, request) is None:
                return Response(status_code=401)
            apps = await conn.fetch(
                "SELECT id, incoming_number, procedure, stage, registered_on, completeness_due, decision_due,"
                " next_due_at, miner_id FROM application ORDER BY id LIMIT 100"
            )
            ids = [a["id"] for a in apps]
            miners = {r["id"]: r for r in await conn.fetch(
                "SELECT id, name, bin_iin FROM miner WHERE id = ANY($1::int[])", list({a["miner_id"] for a in apps}))}
            details = {r["application_id"]: r for r in await conn.fetch(
                "SELECT id, application_id, subtype, electricity_purchase, fee_mrp, paid_on, confirm_official_contacts,"
                " confirm_no_court_ban, confirm_documents_true, confirm_personal_data FROM license_application"
                " WHERE application_id = ANY($1::int[])", ids)}
            links = await conn.fetch(
                "SELECT license_application_id AS detail, datacenter_id AS dc FROM license_application_dc"
                " WHERE license_application_id = ANY($1::int[]) ORDER BY 1, 2", [d["id"] for d in details.values()])
            registry = {r["application_id"]: r for r in await conn.fetch(
                "SELECT application_id, data_center_id, line_count, total_power_kw, declared_quantity,"
                " ownership_document, personal_data_consent FROM registry_application"
                " WHERE application_id = ANY($1::int[])", ids)}
            dc_ids = {link["dc"] for link in links} | {r["data_center_id"] for r in registry.values()}
            dcs = {r["id"]: r for r in await conn.fetch(
                "SELECT id, name, substation_kv, permitted_capacity_mw, connected_on, power_source,"
                " outside_residential_zone FROM data_center WHERE id = ANY($1::int[])", list(dc_ids))}
            documents: dict[int, list[asyncpg.Record]] = defaultdict(list)
            for doc in await conn.fetch(
                "SELECT application_id, kind, valid_until FROM application_document"
                " WHERE application_id = ANY($1::int[]) ORDER BY id", ids):
                documents[doc["application_id"]].append(doc)
            rates = dict(DEFAULT_MRP) | {r["year"]: r["tenge"] for r in await conn.fetch("SELECT year, tenge FROM mrp_rate")}
            calendar = _calendar(tuple(CalendarOverride(r["day"], r["working"], r["decree"]) for r in await conn.fetch(
                "SELECT day, working, decree FROM calendar_override ORDER BY day")))
        dcs_of: dict[int, list[int]] = defaultdict(list)
        for link in links:
            dcs_of[link["detail"]].append(link["dc"])
        edges = []
        for a in apps:
            stage, nxt_at = Stage(a["stage"]), a["next_due_at"]
            nxt = next_deadline(stage, a["completeness_due"], a["decision_due"])
            miner = miners[a["miner_id"]]
            d, r = details.get(a["id"]), registry.get(a["id"])
            problems = _problems(a, d, dcs_of, dcs, documents) if d else _registry_problems(r)
            edges.append({"node": {
                "id": gid("Application", a["id"]), "incomingNumber": a["incoming_number"],
                "procedure": a["procedure"], "stage": a["stage"], "registeredOn": a["registered_on"].isoformat(),
                "decisionDueOn": a["decision_due"].astimezone(ALMATY).date().isoformat(),
                "daysLeft": None if nxt_at is None or stage in TERMINAL_STAGES else days_left(nxt_at, now, calendar),
                "overdue": is_past_due(stage, nxt_at, now),
                "nextDeadline": None if nxt is None or nxt_at is None
                else {"kind": nxt.kind.value, "dueOn": nxt_at.astimezone(ALMATY).date().isoformat()},
                "miner": {"id": gid("Miner", miner["id"]), "name": miner["name"], "binIin": miner["bin_iin"]},
                "completenessProblems": [{"code": p.code.value, "path": input_path(p.field) or []} for p in problems],
                "licenseDetails": None if d is None else {
                    "subtype": d["subtype"],
                    "dataCenters": [{"id": gid("DataCenter", pk), "name": dcs[pk]["name"]} for pk in dcs_of[d["id"]]],
                    "fee": _fee(d, a["registered_on"], rates),
                },
                "registryDetails": None if r is None else {
                    "lineCount": r["line_count"], "totalPowerKw": str(r["total_power_kw"]),
                    "dataCenter": {"id": gid("DataCenter", r["data_center_id"]), "name": dcs[r["data_center_id"]]["name"]},
                },
            }})
        return _json({"data": {"applications": {"edges": edges}}})

    async def serial(self, request: Request) -> Response:
        """`asicUnit(serial:)`: the live record of a serial, else its latest excluded one."""
        body = orjson.loads(await request.body())
        async with self.pool.acquire() as conn:
            if await self.actor(conn, request) is None:
                return Response(status_code=401)
            row = await conn.fetchrow(
                "SELECT record_number, serial, status, model, hashrate_ths, power_kw, miner_name,"
                " data_center_location FROM asic_unit WHERE serial_key = $1 ORDER BY status DESC, id DESC LIMIT 1",
                serial_key_of(body["s"]),
            )
        unit = None if row is None else {
            "recordNumber": row["record_number"], "serial": row["serial"], "status": row["status"],
            "model": row["model"], "hashrateThs": str(row["hashrate_ths"]), "powerKw": str(row["power_kw"]),
            "minerName": row["miner_name"], "dataCenterLocation": row["data_center_location"],
        }
        return _json({"data": {"asicUnit": unit}})


@functools.lru_cache(maxsize=4)
def _calendar(overrides: tuple[CalendarOverride, ...]) -> WorkCalendar:
    return WorkCalendar(overrides)


def _problems(app: asyncpg.Record, d: asyncpg.Record, dcs_of: dict[int, list[int]], dcs: dict[int, asyncpg.Record],
              documents: dict[int, list[asyncpg.Record]]) -> list[Problem]:
    facts = LicenseApplicationFacts(
        subtype=d["subtype"],
        registered_on=app["registered_on"],
        documents=[QualificationDocument(DocumentKind(doc["kind"]), doc["valid_until"]) for doc in documents[app["id"]]],
        data_centers=[
            DataCenterFacts(substation_kv=dc["substation_kv"], permitted_mw=dc["permitted_capacity_mw"],
                            connected_on=dc["connected_on"], power_source=dc["power_source"],
                            outside_residential=dc["outside_residential_zone"])
            for dc in (dcs[pk] for pk in dcs_of[d["id"]])
        ],
        electricity_method=d["electricity_purchase"],
        confirmations=Confirmations(
            official_contacts=d["confirm_official_contacts"], no_court_ban=d["confirm_no_court_ban"],
            documents_true=d["confirm_documents_true"], personal_data_consent=d["confirm_personal_data"],
        ),
    )
    return completeness_problems(facts)


def _registry_problems(r: asyncpg.Record | None) -> list[Problem]:
    if r is None:
        return []
    problems = []
    if not r["ownership_document"]:
        problems.append(Problem("OWNERSHIP_DOCUMENT_MISSING", "ownershipDocument", ""))
    if not r["personal_data_consent"]:
        problems.append(Problem("PD_CONSENT_MISSING", "personalDataConsent", ""))
    if r["declared_quantity"] != r["line_count"]:
        problems.append(Problem("QUANTITY_MISMATCH", "declaredQuantity", ""))
    return problems


def _fee(d: asyncpg.Record, registered_on: Any, rates: dict[int, Decimal]) -> dict[str, Any]:
    year = d["paid_on"].year if d["paid_on"] else registered_on.year
    mrp, rate = d["fee_mrp"], rates.get(year)
    tenge = None if rate is None else (mrp * Decimal(rate)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return {"mrp": str(mrp), "tenge": None if tenge is None else str(tenge)}


def _json(data: Any) -> Response:
    return Response(orjson.dumps(data), media_type="application/json")


def create_app() -> Starlette:
    handlers: Handlers | None = None

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        nonlocal handlers
        pool = await asyncpg.create_pool(
            DATABASE_URL.replace("postgres://", "postgresql://", 1), min_size=1, max_size=5,
            connection_class=_NoReset,
        )
        handlers = Handlers(pool)
        yield
        await pool.close()

    async def route(request: Request) -> Response:
        assert handlers is not None
        return await getattr(handlers, request.path_params["name"])(request)

    return Starlette(routes=[Route("/raw/{name}", route, methods=["POST"])], lifespan=lifespan)
