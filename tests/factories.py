"""Factories: valid parties and users with tokens, built through the real use cases."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from httpx import AsyncClient

from models.applications import Application
from models.parties import DataCenter, Miner, Pool
from models.pools import PoolCertificate
from resolvers import auth, parties
from rules.access import SYSTEM, PartnerKind
from rules.bin_iin import checksum_digit, make_bin_iin
from rules.enums import MinerKind, Role

_seq = itertools.count(1)


def new_bin(entity_kind_digit: str = "4") -> str:
    """A fresh valid BIN: YYMM + kind digit + 6-digit serial + control digit."""
    while True:
        first11 = f"2401{entity_kind_digit}{next(_seq):06d}"
        if checksum_digit(first11) is not None:
            return make_bin_iin(first11)


def new_iin() -> str:
    while True:
        first11 = f"8501153{next(_seq):04d}"
        if checksum_digit(first11) is not None:
            return make_bin_iin(first11)


async def make_miner(kind: MinerKind = MinerKind.LE, **overrides: Any) -> Miner:
    data = {
        "kind": kind,
        "bin_iin": new_bin() if kind is MinerKind.LE else new_iin(),
        "name": f"Miner {next(_seq)}",
        "legal_address": "Astana, Mangilik El 55",
        "phone": "+7 701 000 00 00",
        "email": "office@miner.kz",
        **overrides,
    }
    return await parties.create_miner(SYSTEM, parties.CreateMiner(**data))


async def make_data_center(miner: Miner, **overrides: Any) -> DataCenter:
    data = {
        "miner_id": miner.id,
        "name": f"DC {next(_seq)}",
        "address": "Ekibastuz, industrial zone 4",
        "region": "PAVLODAR",
        "outside_residential_zone": True,
        "power_source": "GRID",
        "substation_kv": "110",
        "permitted_capacity_kw": "50000",
        **overrides,
    }
    if "permitted_capacity_mw" in data:  # tests state capacity in MW, the API takes kW
        mw = data.pop("permitted_capacity_mw")
        data["permitted_capacity_kw"] = None if mw is None else Decimal(str(mw)) * 1000
    return await parties.create_data_center(SYSTEM, parties.CreateDataCenter(**data))


# Accredited pools in tests are accredited through the years the tests use, unless told otherwise.
ACCREDITED = (date(2020, 1, 1), date(2099, 12, 31))


async def make_pool(*, accredited: tuple[date, date] | None = ACCREDITED, **overrides: Any) -> Pool:
    """A pool, accredited (a certificate valid over `accredited`, first and last day) unless None."""
    data = {
        "bin": new_bin(),
        "name": f"Pool {next(_seq)}",
        "legal_address": "Almaty, Al-Farabi 77",
        "server_locations": [
            {"role": "MAIN", "settlement": "Almaty", "address": "Tole bi 1"},
            {"role": "BACKUP", "settlement": "Astana", "address": "Kabanbay 2"},
        ],
        **overrides,
    }
    data["server_locations"] = tuple(parties.ServerLocation(**loc) for loc in data["server_locations"])
    pool = await parties.create_pool(SYSTEM, parties.CreatePool(**data))
    if accredited is not None:
        app = await Application.create(procedure="POOL_ACCREDITATION", channel="PORTAL", pool=pool, stage="APPROVED",
                                       received_at=datetime(2020, 1, 1, tzinfo=UTC))
        await PoolCertificate.create(
            number=f"KZ-PL-TEST-{pool.id}", pool=pool, pool_name=pool.name, pool_bin=pool.bin, issued_on=accredited[0],
            valid_until=accredited[1], application=app,
        )
    return pool


@dataclass
class Caller:
    """A user with a token, ready to call the API."""

    client: AsyncClient
    token: str
    user_id: int
    language: str | None = None

    async def gql(self, query: str, variables: dict[str, Any] | None = None, **headers: str) -> dict:
        return await gql(self.client, query, variables, token=self.token, language=self.language, **headers)


async def gql(
    client: AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    token: str | None = None,
    language: str | None = None,
) -> dict:
    headers = {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if language:
        headers["Accept-Language"] = language
    response = await client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def make_caller(
    client: AsyncClient, role: Role, *, miner: Miner | None = None, pool: Pool | None = None,
    partner_kind: PartnerKind | None = None,
) -> Caller:
    user = await auth.create_user(
        SYSTEM,
        auth.CreateUser(
            login=f"user{next(_seq)}",
            full_name="Test User",
            role=role,
            miner_id=miner.id if miner else None,
            pool_id=pool.id if pool else None,
            partner_kind=partner_kind,
        ),
    )
    token = (await auth.issue_token(SYSTEM, auth.IssueToken(user.id, "test"))).secret
    return Caller(client=client, token=token, user_id=user.id)


# Select a payload's typed errors with this fragment: `createMiner(input: $i) { miner { id } ${ERRORS} }`.
ERRORS = "errors { __typename ... on UserError { code message path } }"


def errors_of(result: dict) -> list[str]:
    """The error codes of a response: top-level errors, then each root payload's `errors`."""
    codes = [e["extensions"]["code"] for e in result.get("errors") or []]
    for value in (result.get("data") or {}).values():
        if isinstance(value, dict) and isinstance(value.get("errors"), list):
            codes += [e["code"] for e in value["errors"]]
    return codes


def error_paths(result: dict) -> list[list[str] | None]:
    """The input paths of the root payloads' typed errors."""
    return [e.get("path") for v in (result.get("data") or {}).values() if isinstance(v, dict) for e in v.get("errors") or []]
