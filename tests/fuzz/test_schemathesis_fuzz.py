"""Issue 10: a schemathesis (GraphQL) run against the app, as an officer and as an applicant.

Every query and mutation of `schema.graphql` gets `EXAMPLES` generated requests per role
(hypothesis-graphql through schemathesis, derandomized: the same requests on every run),
with strategies that mix valid values (ids of records that exist) and hostile ones (ids with
Unicode digits or keys beyond BIGINT, `1e1000000`, lone surrogates, over-long texts, the ends
of the date range). The rule: 0 responses with HTTP 5xx, 0 errors with code INTERNAL.

The cases are generated first (synchronously, pure hypothesis) and then sent on the test's
own event loop and rolled-back transaction, so fuzzed mutations change nothing outside this
test (tests/conftest.py), on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import base64
import os
import time
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.graphql import nodes

from schema.schema import SCHEMA_FILE
from tests.fuzz.world import Tally, World, send

# Generated requests per operation and role, and the time budget of the sending (seconds: past
# it no further round is started). CI uses the defaults; FUZZ_EXAMPLES=200 FUZZ_SECONDS=1200
# is a deeper run by hand.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
TIME_BUDGET = float(os.environ.get("FUZZ_SECONDS", "60"))

HOSTILE_TEXT = ["\ud800", "a\x00b", "x" * 5000, "²", "%_\\", "'; DROP TABLE miner; --", "\u202eevil", ""]
EDGE_INTS = [0, -1, 1, 2025, 9999, 10000, 2**31 - 1, -(2**31)]
EDGE_DAYS = ["0001-01-01", "9999-12-31", "1899-12-31", "1900-01-01", "2100-12-31", "2101-01-01", "2025-02-29"]
OFFSETS = ["Z", "+14:00", "-12:00", "+05:00", ""]
HOSTILE_DECIMALS = ["1e1000000", "NaN", "-Infinity", "Infinity", "-1", "1e-30", "9" * 40, "0.001", "1E+5"]


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8", "surrogatepass")).decode()


def _hostile_ids() -> list[str]:
    return [
        _b64("Miner:²"), _b64("Miner:" + "1" + "0" * 20), _b64("Miner:-1"), _b64("Miner:0"),
        _b64("DataCenter:٣"), _b64("Pool:1e3"), _b64(":"), "not an id", "",
    ]


def _register_scalars(world: World) -> None:
    """Strategies for the scalars (schemathesis' registry is global: set for this run)."""
    ids = [*world.ids.values(), *_hostile_ids()]
    schemathesis.graphql.scalar("ID", st.sampled_from(ids).map(nodes.String))
    schemathesis.graphql.scalar(
        "String", st.one_of(st.text(max_size=20), st.sampled_from(HOSTILE_TEXT)).map(nodes.String)
    )
    schemathesis.graphql.scalar(
        "Decimal",
        st.one_of(
            st.decimals(min_value=0, max_value=10**6, places=2).map(str),
            st.sampled_from(HOSTILE_DECIMALS),
        ).map(nodes.String),
    )
    days = st.one_of(st.dates().map(str), st.sampled_from(EDGE_DAYS))
    schemathesis.graphql.scalar("Date", days.map(nodes.String))
    schemathesis.graphql.scalar(
        "DateTime",
        st.tuples(days, st.times().map(str), st.sampled_from(OFFSETS)).map(lambda t: f"{t[0]}T{t[1]}{t[2]}")
        .map(nodes.String),
    )
    schemathesis.graphql.scalar(
        "Int", st.one_of(st.integers(-(2**31), 2**31 - 1), st.sampled_from(EDGE_INTS)).map(nodes.Int)
    )
    schemathesis.graphql.scalar("JSON", st.sampled_from(["{}", "x"]).map(nodes.String))
    schemathesis.graphql.scalar("Upload", st.just(nodes.Null))


def _cases() -> dict[str, list[str]]:
    """Query texts per operation label, up to EXAMPLES each, reproducibly."""
    schema = schemathesis.graphql.from_path(SCHEMA_FILE)
    out: dict[str, list[str]] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        out[operation.label] = list(dict.fromkeys(_draw(operation)))
    return out


def _draw(operation: Any) -> list[str]:
    drawn: list[str] = []

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    def collect(case: Any) -> None:
        drawn.append(case.body)

    collect()
    return drawn


async def test_fuzzed_requests_never_reach_internal(world: World) -> None:
    _register_scalars(world)
    started = time.monotonic()
    cases = _cases()
    generated = time.monotonic() - started
    tally = Tally()
    # In rounds: the n-th example of every operation, as each role, before any (n+1)-th, so a
    # slow machine that reaches the time budget has still covered every operation.
    for n in range(EXAMPLES):
        if time.monotonic() - started > TIME_BUDGET:
            break
        for label, queries in cases.items():
            for role, caller in (("officer", world.officer), ("applicant", world.applicant)):
                if n < len(queries):
                    request = {"query": queries[n]}
                    status, body = await send(caller, request)
                    tally.check(f"{role} {label}", request, status, body)
    print(
        f"\nfuzz: {tally.requests} requests, {len({o.split()[1] for o in tally.operations})} distinct "
        f"operations of {len(cases)} ({sum(map(len, cases.values()))} generated cases in {generated:.1f} s), "
        f"{time.monotonic() - started:.1f} s in all, {len(tally.failures)} failures; outcomes: "
        f"{dict(tally.outcomes.most_common())}"
    )
    assert not tally.failures, "\n".join(tally.failures[:40])
    assert len(tally.operations) == 2 * len(cases)  # every operation, as both roles
