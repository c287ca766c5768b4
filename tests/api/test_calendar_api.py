"""The calendar in GraphQL shows the same dates the back end enforces, decrees included."""

import pytest

from models.calendar import CalendarOverrideRow
from tests.factories import errors_of, gql

TERM = "query($s: Date!, $n: Int!) { termDue(start: $s, workingDays: $n) { dueDate dueAt } }"


async def test_term_due_matches_the_domain_example(client):
    result = await gql(client, TERM, {"s": "2025-03-19", "n": 5})
    assert result["data"]["termDue"] == {"dueDate": "2025-03-31", "dueAt": "2025-03-31T13:30:00+00:00"}


async def test_registration_date_for_after_hours_nauryz_receipt(client):
    q = "query($t: DateTime!) { registrationDate(receivedAt: $t) }"
    assert (await gql(client, q, {"t": "2025-03-21T10:00:00+05:00"}))["data"]["registrationDate"] == "2025-03-26"
    assert (await gql(client, q, {"t": "2025-12-31T19:00:00+05:00"}))["data"]["registrationDate"] == "2026-01-05"
    naive = await gql(client, q, {"t": "2025-03-19T10:00:00"})
    assert errors_of(naive) == ["VALIDATION"]


async def test_non_working_days_lists_nauryz_and_weekend(client):
    q = 'query { nonWorkingDays(start: "2025-03-20", end: "2025-03-26") { day kind } }'
    days = (await gql(client, q))["data"]["nonWorkingDays"]
    assert [d["day"] for d in days] == ["2025-03-21", "2025-03-22", "2025-03-23", "2025-03-24", "2025-03-25"]
    assert {d["kind"] for d in days} <= {"HOLIDAY", "WEEKEND"}


@pytest.mark.parametrize(("start", "end"), [("2025-03-26", "2025-03-20"), ("2020-01-01", "2025-01-01")])
async def test_bad_ranges_are_validation_errors(client, start, end):
    q = "query($a: Date!, $b: Date!) { nonWorkingDays(start: $a, end: $b) { day } }"
    assert errors_of(await gql(client, q, {"a": start, "b": end})) == ["VALIDATION"]


async def test_admin_decree_moves_a_term_and_officer_may_not(officer, admin):
    # Wed 2026-04-15 +2 WD -> Fri 17 April; a decree day off on Thu 16 moves it to Mon 20.
    before = (await officer.gql(TERM, {"s": "2026-04-15", "n": 2}))["data"]["termDue"]["dueDate"]
    assert before == "2026-04-17"
    q = 'mutation { setCalendarOverride(day: "2026-04-16", working: false, decree: "Decree No 1 of 2026-01-01") { day working } }'
    assert errors_of(await officer.gql(q)) == ["FORBIDDEN"]
    assert (await admin.gql(q))["data"]["setCalendarOverride"] == {"day": "2026-04-16", "working": False}
    after = (await officer.gql(TERM, {"s": "2026-04-15", "n": 2}))["data"]["termDue"]["dueDate"]
    assert after == "2026-04-20"
    removed = await admin.gql('mutation { removeCalendarOverride(day: "2026-04-16") }')
    assert removed["data"]["removeCalendarOverride"] is True
    assert (await officer.gql(TERM, {"s": "2026-04-15", "n": 2}))["data"]["termDue"]["dueDate"] == "2026-04-17"


async def test_decree_needs_a_reference(admin):
    q = 'mutation { setCalendarOverride(day: "2026-04-16", working: false, decree: "  ") { day } }'
    assert errors_of(await admin.gql(q)) == ["VALIDATION"]
    assert await CalendarOverrideRow.all().count() == 0
