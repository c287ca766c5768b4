"""MRP rates (the fee unit, 001 App.3 item 7): defaults from the budget laws, admin-set rows."""

from datetime import date
from decimal import Decimal

import pytest

from models.audit import AuditEvent
from models.licensing import MrpRate
from resolvers.mrp import mrp_by_year
from rules.enums import Role
from rules.fees import fee_tenge
from rules.workflow import LicenseSubtype, ProcedureCode
from tests.factories import ERRORS, error_paths, errors_of, make_caller, make_miner

RATES = "{ mrpRates { year tenge recorded } }"
SET = (
    "mutation($y: Int!, $t: Decimal!) { setMrpRate(input: {year: $y, tenge: $t}) { mrpRate { year tenge recorded } "
    + ERRORS
    + " } }"
)


async def test_defaults_are_there_on_a_fresh_database(officer):
    result = await officer.gql(RATES)
    assert result["data"]["mrpRates"] == [
        {"year": 2023, "tenge": "3450", "recorded": False},
        {"year": 2024, "tenge": "3692", "recorded": False},
        {"year": 2025, "tenge": "3932", "recorded": False},
        {"year": 2026, "tenge": "4325", "recorded": False},
    ]


async def test_admin_sets_a_rate_and_it_wins_over_the_default(admin):
    result = await admin.gql(SET, {"y": 2027, "t": "4500"})
    assert result["data"]["setMrpRate"]["mrpRate"] == {"year": 2027, "tenge": "4500", "recorded": True}
    corrected = await admin.gql(SET, {"y": 2025, "t": "3933.50"})
    assert errors_of(corrected) == [], corrected
    rates = await mrp_by_year()
    assert rates[2027] == Decimal(4500) and rates[2025] == Decimal("3933.50") and rates[2024] == Decimal(3692)
    assert await MrpRate.all().count() == 2
    again = await admin.gql(SET, {"y": 2025, "t": "3932"})  # an update, not a second row
    assert errors_of(again) == [] and await MrpRate.all().count() == 2
    listed = (await admin.gql(RATES))["data"]["mrpRates"]
    assert {r["year"]: (r["tenge"], r["recorded"]) for r in listed}[2025] == ("3932", True)
    assert [r["year"] for r in listed] == [2023, 2024, 2025, 2026, 2027]
    audit = await AuditEvent.filter(action="mrp_rate.set").order_by("id")
    assert len(audit) == 3 and audit[2].before["tenge"] == "3933.50"


async def test_officer_and_applicant_are_refused(client, officer):
    applicant = await make_caller(client, Role.APPLICANT, miner=await make_miner())
    for caller in (officer, applicant):
        assert errors_of(await caller.gql(SET, {"y": 2027, "t": "4500"})) == ["FORBIDDEN"]
    assert await MrpRate.all().count() == 0


@pytest.mark.parametrize(
    ("year", "tenge", "field"),
    [(1999, "3000", "year"), (2101, "3000", "year"), (2027, "0", "tenge"), (2027, "-5", "tenge"),
     (2027, "1.001", "tenge"), (2027, "NaN", "tenge"), (2027, "10000000000", "tenge")],
)
async def test_bad_input_is_rejected_and_nothing_is_stored(admin, year, tenge, field):
    audit = await AuditEvent.all().count()
    result = await admin.gql(SET, {"y": year, "t": tenge})
    assert errors_of(result) == ["VALIDATION"] and error_paths(result) == [[field]]
    assert result["data"]["setMrpRate"]["mrpRate"] is None
    assert await MrpRate.all().count() == 0 and await AuditEvent.all().count() == audit


async def test_subtype_i_fee_registered_in_2025(client):
    fee = fee_tenge(ProcedureCode.LICENSE_ISSUE, LicenseSubtype.I, date(2025, 6, 2), await mrp_by_year())
    assert fee == Decimal("7864000.00")  # 2000 MRP x 3,932 tenge
    fee_ii = fee_tenge(ProcedureCode.LICENSE_ISSUE, LicenseSubtype.II, date(2025, 6, 2), await mrp_by_year())
    assert fee_ii == Decimal("19660.00")  # 5 MRP x 3,932
