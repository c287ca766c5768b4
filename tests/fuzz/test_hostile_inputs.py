"""Issue 10 items 2, 3 and 11: the hand-written hostile inputs, one table. Each request must be
answered with the expected typed code (a top-level error of a query, or a payload error of a
mutation), never INTERNAL, never HTTP 5xx."""

from __future__ import annotations

import base64
import json
from decimal import Decimal
from typing import Any

import pytest
import strawberry

from schema.bounds import bound_fields
from tests.api.registry_flow import inclusion_input
from tests.factories import ERRORS
from tests.fuzz.world import Tally, World, internal_codes, send
from tests.unit_lists import RU, to_csv
from tests.unit_lists import unit as csv_unit

MEGABYTE = "a" * 1_000_000
SURROGATE = "\ud800"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def cursor(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def mutation(name: str, input_type: str) -> str:
    return f"mutation($i: {input_type}!) {{ {name}(input: $i) {{ {ERRORS} }} }}"


UPDATE_DC = mutation("updateDataCenter", "UpdateDataCenterInput")
CREATE_DC = mutation("createDataCenter", "CreateDataCenterInput")
CREATE_MINER = mutation("createMiner", "CreateMinerInput")
SET_OVERRIDE = mutation("setCalendarOverride", "SetCalendarOverrideInput")
SET_MRP = mutation("setMrpRate", "SetMrpRateInput")
INCLUDE = mutation("applyForAsicInclusion", "ApplyForAsicInclusionInput")

# (name, query, variables with "{Miner}"/"{DataCenter}"/"{Pool}" standing for real ids, codes)
CASES: list[tuple[str, str, dict[str, Any], set[str]]] = []


def case(name: str, query: str, variables: dict[str, Any] | None = None, codes: set[str] | None = None) -> None:
    CASES.append((name, query, variables or {}, codes or {"VALIDATION"}))


# -- item 2: decimals ------------------------------------------------------------------------
for bad in ["1e1000000", "NaN", "Infinity", "-Infinity", "sNaN", "1e-30", "9" * 40, "-1", "1.23456"]:
    case(f"updateDataCenter substationKv={bad[:12]}", UPDATE_DC, {"i": {"id": "{DataCenter}", "substationKv": bad}})
    case(f"updateDataCenter permittedCapacityKw={bad[:12]}", UPDATE_DC,
         {"i": {"id": "{DataCenter}", "permittedCapacityKw": bad}})
    case(f"setMrpRate tenge={bad[:12]}", SET_MRP, {"i": {"year": 2025, "tenge": bad}})
    line = {"model": "S19", "serial": "SN1", "tnvedCode": "8471410000", "hashrateThs": bad, "powerKw": "3.25",
            "condition": "WORKING"}
    case(f"applyForAsicInclusion hashrateThs={bad[:12]}", INCLUDE,
         {"i": {"minerId": "{Miner}", "dataCenterId": "{DataCenter}", "declaredQuantity": 1, "units": [line]}},
         {"VALIDATION", "UNIT_LIST_INVALID"})  # a negative number is the row rules' NOT_POSITIVE

# -- item 3: ids and cursors -------------------------------------------------------------------
for raw in ["Miner:²", "Miner:٣", "Miner:" + "1" + "0" * 20, "Miner:-1", "Miner:0", "Miner: 1", "Miner:1_0"]:
    case(f"node id {raw[:16]}", "query($id: ID!) { node(id: $id) { id } }", {"id": b64(raw)}, {"INVALID_ID"})
    case(f"nodes id {raw[:16]}", "query($id: ID!) { nodes(ids: [$id]) { id } }", {"id": b64(raw)}, {"INVALID_ID"})
    case(f"dataCenters minerId {raw[:16]}", "query($id: ID) { dataCenters(minerId: $id) { totalCount } }",
         {"id": b64(raw)}, {"INVALID_ID"})
    case(f"updateMiner id {raw[:16]}", mutation("updateMiner", "UpdateMinerInput"), {"i": {"id": b64(raw), "name": "X"}},
         {"INVALID_ID"})
for raw in ['["id",2,²]', '["id",1,100000000000000000000]', '["id",1,9223372036854775807]', '["id",1,3000000000]',
            '["id","x",1]', '["search_name","a",1]', '["id",1,1.5]', '"x"', "[", "²"]:
    case(f"miners after {raw[:20]}", "query($c: String) { miners(first: 2, after: $c) { totalCount edges { cursor } } }",
         {"c": cursor(raw)}, {"INVALID_ID"})
    case(f"miners before {raw[:20]}", "query($c: String) { miners(last: 2, before: $c) { edges { cursor } } }",
         {"c": cursor(raw)}, {"INVALID_ID"})
    case(f"nested after {raw[:20]}",
         "query($c: String) { miners(first: 2) { edges { node { dataCenters(first: 1, after: $c) { totalCount } } } } }",
         {"c": cursor(raw)}, {"INVALID_ID"})
for order, raw in [
    ("NAME", '["search_name","\\ud800",1]'),
    ("NAME", '["search_name",null,1]'),
    ("NAME", '["search_name","a\\u0000b",1]'),
]:
    case(f"miners by {order} after {raw[:30]}",
         "query($c: String, $o: PartyOrderField!) { miners(first: 2, after: $c, orderBy: {field: $o}) { totalCount } }",
         {"c": cursor(raw), "o": order}, {"INVALID_ID"})
for order, raw in [
    ("DECISION_DUE", '["decision_due","0001-01-01T00:00:00+14:00",1]'),
    ("DECISION_DUE", '["decision_due","9999-12-31T23:59:59-12:00",1]'),
    ("REGISTERED_ON", '["registered_on","0001-01-01",1]'),
    ("NUMBER", '["incoming_number","\\ud800",1]'),
]:
    case(f"applications by {order} after {raw[:30]}",
         "query($c: String, $o: ApplicationOrderField!) { applications(first: 2, after: $c, orderBy: {field: $o}) "
         "{ totalCount } }", {"c": cursor(raw), "o": order}, {"INVALID_ID"})
case("miners ordered by name, a cursor of id order",
     "query($c: String) { miners(first: 2, after: $c, orderBy: {field: NAME}) { totalCount } }",
     {"c": cursor('["id",1,1]')}, {"INVALID_ID"})
case("miners ordered by name, a cursor with a number for a name",
     "query($c: String) { miners(first: 2, after: $c, orderBy: {field: NAME}) { totalCount } }",
     {"c": cursor('["search_name",5,1]')}, {"INVALID_ID"})

# -- item 3: years, dates and instants at the ends of the range --------------------------------
for year in [0, -1, 10000, 2**31 - 1]:
    case(f"calendarOverrides year {year}", "query($y: Int!) { calendarOverrides(year: $y) { day } }", {"y": year})
    case(f"setMrpRate year {year}", SET_MRP, {"i": {"year": year, "tenge": "3932"}})
for day in ["0001-01-01", "9999-12-31"]:
    case(f"termDue {day}", "query($d: Date!) { termDue(start: $d, workingDays: 10) { dueOn } }", {"d": day})
    case(f"calendarDays {day}", "query($d: Date!) { calendarDays(start: $d, end: $d) { day } }", {"d": day})
    case(f"refusalGrounds {day}", "query($d: Date!) { refusalGrounds(procedure: LICENSE_ISSUE, on: $d) { code } }",
         {"d": day}, {"VALIDATION", "NO_RULES_IN_FORCE"})
    case(f"licenseRequirements {day}", "query($d: Date!) { licenseRequirements(subtype: I, on: $d) { kind } }",
         {"d": day}, {"VALIDATION", "NO_RULES_IN_FORCE"})
    case(f"feeQuote {day}", "query($d: Date!) { feeQuote(procedure: LICENSE_ISSUE, on: $d) { mrp } }", {"d": day},
         {"VALIDATION", "NO_RULES_IN_FORCE", "MISSING_MRP"})
    case(f"licenses validUntilBefore {day}", "query($d: Date) { licenses(validUntilBefore: $d) { totalCount } }",
         {"d": day})
    case(f"setCalendarOverride {day}", SET_OVERRIDE, {"i": {"day": day, "working": True, "decree": "No 1"}})
    case(f"createDataCenter connectedOn {day}", CREATE_DC, {"i": {
        "minerId": "{Miner}", "name": "DC", "address": "Here", "region": "PAVLODAR", "outsideResidentialZone": True,
        "powerSource": "GRID", "substationKv": "110", "connectedOn": day}})
for instant in ["0001-01-01T00:00:00Z", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59Z",
                "9999-12-31T23:59:59-12:00"]:
    case(f"registrationDate {instant}", "query($t: DateTime!) { registrationDate(receivedAt: $t) }", {"t": instant})
    case(f"applications dueBefore {instant}", "query($t: DateTime) { applications(dueBefore: $t) { totalCount } }",
         {"t": instant})
for days in [-1, 2**31 - 1, 100000]:
    case(f"termDue workingDays {days}", "query($n: Int!) { termDue(start: \"2025-03-03\", workingDays: $n) { dueOn } }",
         {"n": days})

# -- item 3: texts: too long, 1 MB, lone surrogate -------------------------------------------
case("license number longer than the column", "query($n: String!) { license(number: $n) { id } }", {"n": "7" * 1000})
case("asicUnit serial over 255", "query($s: String!) { asicUnit(serial: $s) { id } }", {"s": "S" * 256})
for name, query, variables in [
    ("miners name", "query($v: String) { miners(name: $v) { totalCount } }", {}),
    ("dataCenters name", "query($v: String) { dataCenters(name: $v) { totalCount } }", {}),
    ("pools name", "query($v: String) { pools(name: $v) { totalCount } }", {}),
    ("applications number", "query($v: String) { applications(number: $v) { totalCount } }", {}),
    ("asicUnits model", "query($v: String) { asicUnits(filter: {model: $v}) { totalCount } }", {}),
    ("asicUnits serialPrefix", "query($v: String) { asicUnits(filter: {serialPrefix: $v}) { totalCount } }", {}),
    ("license number", "query($v: String!) { license(number: $v) { id } }", {}),
    ("asicUnit serial", "query($v: String!) { asicUnit(serial: $v) { id } }", {}),
    ("validateBinIin", "query($v: String!) { validateBinIin(value: $v) { valid } }", {}),  # 1 MB: over its 100,000
]:
    for label, value in (("1 MB", MEGABYTE), ("lone surrogate", SURROGATE), ("surrogate inside", "ab" + SURROGATE),
                         ("NUL", "ab\x00c")):
        # validateBinIin answers any string up to 100,000 characters (NOT_DIGITS), never an error
        expected = {"ok"} if name == "validateBinIin" and value != MEGABYTE else {"VALIDATION"}
        case(f"{name} {label}", query, {**variables, "v": value}, expected)
for field in ["name", "legalAddress", "phone", "email"]:
    miner = {"kind": "LE", "binIin": "240140000017", "name": "N", "legalAddress": "A", "phone": "+7 701 000 00 00",
             "email": "a@b.kz"}
    case(f"createMiner {field} lone surrogate", CREATE_MINER, {"i": {**miner, field: SURROGATE}})
    case(f"createMiner {field} 1 MB", CREATE_MINER, {"i": {**miner, field: MEGABYTE}})
case("updateDataCenter name lone surrogate", UPDATE_DC, {"i": {"id": "{DataCenter}", "name": SURROGATE}})
case("setCalendarOverride decree lone surrogate", SET_OVERRIDE,
     {"i": {"day": "2025-03-03", "working": True, "decree": SURROGATE}})


def _fill(value: Any, world: World) -> Any:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}") and value[1:-1] in world.ids:
        return world.ids[value[1:-1]]
    if isinstance(value, dict):
        return {k: _fill(v, world) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, world) for v in value]
    return value


@pytest.mark.parametrize(("name", "query", "variables", "codes"), CASES, ids=[c[0] for c in CASES])
async def test_hostile_input_is_a_typed_error(world: World, name, query, variables, codes) -> None:
    tally = Tally()
    request = {"query": query, "variables": _fill(variables, world)}
    caller = world.admin if "setMrpRate" in query or "setCalendarOverride" in query else world.officer
    status, body = await send(caller, request)
    tally.check(name, request, status, body)
    assert not tally.failures, tally.failures
    got = (internal_codes(body) or ["ok"]) if isinstance(body, dict) else []
    assert status == 200 and set(got) & codes, f"expected {codes}, got {got}: {str(body)[:300]}"


LISTS = """{ dataCenters { totalCount edges { node { substationKv permittedCapacityMw } } }
  asicCapacity { dataCenter { substationKv } capacity { permittedKw } }  miners { edges { node { dataCenters { totalCount edges { node { substationKv } } } } } } }"""


@pytest.mark.parametrize("value", ["1e1000000", "NaN", "Infinity", "123456789"])
async def test_issue10_item2_one_bad_number_does_not_break_every_list(world: World, value: str) -> None:
    """updateDataCenter(substationKv: "1e1000000") was stored as 1E+1000000, and every list
    that reads data centers answered INTERNAL for everyone afterwards."""
    before = await world.officer.gql(LISTS)
    result = await world.officer.gql(UPDATE_DC, {"i": {"id": world.ids["DataCenter"], "substationKv": value}})
    [error] = result["data"]["updateDataCenter"]["errors"]
    assert (error["__typename"], error["code"], error["path"]) == ("InvalidInput", "VALIDATION", ["substationKv"])
    for caller in (world.officer, world.applicant):
        after = await caller.gql(LISTS)
        assert "errors" not in after, after
    assert await world.officer.gql(LISTS) == before  # nothing was written


async def test_bounds_are_checked_inside_lists_of_inputs_with_their_path(world: World) -> None:
    line = {"model": "S19", "serial": "SN1", "tnvedCode": "8471410000", "hashrateThs": "110", "powerKw": "3.25",
            "condition": "WORKING"}
    variables = {"i": {"minerId": world.ids["Miner"], "dataCenterId": world.ids["DataCenter"], "declaredQuantity": 2,
                       "units": [line, {**line, "serial": "SN2", "powerKw": "NaN"}]}}
    result = await world.applicant.gql(INCLUDE, variables)
    [error] = result["data"]["applyForAsicInclusion"]["errors"]
    assert (error["code"], error["path"]) == ("VALIDATION", ["units", "1", "powerKw"])


@strawberry.input(description="x")
class Unbounded:
    amount: Decimal = strawberry.field(description="No bound declared.")


@strawberry.type
class Holder:
    @strawberry.field(description="x")
    def take(self, value: Unbounded) -> int:
        return 0


def test_a_decimal_input_without_declared_bounds_is_refused_when_the_schema_is_built() -> None:
    with pytest.raises(TypeError, match=r"Unbounded\.amount declares no DecimalBound"):
        bound_fields([Holder])


async def test_an_upload_whose_file_name_cannot_be_stored_is_validation(world: World) -> None:
    """The file name is stored with the application: a NUL in it was INTERNAL on PostgreSQL.
    (Sent as raw multipart bytes: httpx would percent-encode it.)"""
    operations = json.dumps({"query": INCLUDE, "variables": {"i": {**inclusion_input(world.miner, world.data_center),
                                                                   "file": None}}})
    content = to_csv(RU, [csv_unit(1, serial="SNNUL1")]).encode()
    body = b"".join([
        b'--B\r\nContent-Disposition: form-data; name="operations"\r\n\r\n', operations.encode(),
        b'\r\n--B\r\nContent-Disposition: form-data; name="map"\r\n\r\n{"0": ["variables.i.file"]}',
        b'\r\n--B\r\nContent-Disposition: form-data; name="0"; filename="units\x00.csv"\r\n'
        b"Content-Type: text/csv\r\n\r\n", content, b"\r\n--B--\r\n",
    ])
    response = await world.applicant.client.post("/graphql", content=body, headers={
        "Authorization": f"Bearer {world.applicant.token}", "Content-Type": "multipart/form-data; boundary=B"})
    [error] = response.json()["data"]["applyForAsicInclusion"]["errors"]
    assert (error["code"], error["path"]) == ("VALIDATION", ["file"])
