"""The calendar in GraphQL shows the same dates the back end enforces, decrees included, with
every special day named in the request's language."""

import re

import pytest

from models.calendar import CalendarOverrideRow
from rules.enums import Role
from tests.factories import ERRORS, error_paths, errors_of, gql, make_caller, make_miner

TERM = "query($s: Date!, $n: Int!) { termDue(start: $s, workingDays: $n) { start workingDays dueOn dueAt } }"
DAYS = "query($a: Date!, $b: Date!) { calendarDays(start: $a, end: $b) { day kind working name } }"
SET = ("mutation($i: SetCalendarOverrideInput!) { setCalendarOverride(input: $i) { "
       "calendarOverride { id day working decree } " + ERRORS + " } }")
REMOVE = ("mutation($i: RemoveCalendarOverrideInput!) { removeCalendarOverride(input: $i) { "
          "removedCalendarOverrideId day " + ERRORS + " } }")
US_DATE = re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b")


async def test_term_due_matches_the_domain_example(officer):
    result = await officer.gql(TERM, {"s": "2025-03-19", "n": 5})
    assert result["data"]["termDue"] == {
        "start": "2025-03-19", "workingDays": 5, "dueOn": "2025-03-31", "dueAt": "2025-03-31T13:30:00+00:00",
    }


@pytest.mark.parametrize(("n", "field"), [(-1, "workingDays"), (367, "workingDays")])
async def test_term_out_of_range_is_validation(officer, n, field):
    result = await officer.gql(TERM, {"s": "2025-03-19", "n": n})
    assert errors_of(result) == ["VALIDATION"] and result["errors"][0]["extensions"]["path"] == [field]


async def test_registration_date_for_after_hours_nauryz_receipt(officer):
    q = "query($t: DateTime!) { registrationDate(receivedAt: $t) }"
    assert (await officer.gql(q, {"t": "2025-03-21T10:00:00+05:00"}))["data"]["registrationDate"] == "2025-03-26"
    assert (await officer.gql(q, {"t": "2025-12-31T19:00:00+05:00"}))["data"]["registrationDate"] == "2026-01-05"
    naive = await officer.gql(q, {"t": "2025-03-19T10:00:00"})
    assert errors_of(naive) == ["VALIDATION"]


async def test_calendar_days_list_nauryz_and_weekend(officer):
    days = (await officer.gql(DAYS, {"a": "2025-03-20", "b": "2025-03-26"}))["data"]["calendarDays"]
    assert [d["day"] for d in days] == ["2025-03-21", "2025-03-22", "2025-03-23", "2025-03-24", "2025-03-25"]
    assert {d["kind"] for d in days} <= {"HOLIDAY", "WEEKEND"}
    assert not any(d["working"] for d in days)


@pytest.mark.parametrize(
    ("language", "saturday", "nauryz_fragment"),
    [
        ("kk", "Үкімет қаулысы бойынша жұмыс күні (демалыс күні 08.05.2024 күніне ауыстырылған)", "Жеңіс күні"),
        ("ru", "Рабочий день по постановлению Правительства (выходной перенесён на 08.05.2024)", "День Победы"),
        ("en", "Working day by decree (day off moved to 2024-05-08)", "Victory Day"),
    ],
)
async def test_calendar_days_include_a_working_saturday_by_decree_named_in_the_language(
    client, language, saturday, nauryz_fragment
):
    caller = await make_caller(client, Role.APPLICANT, miner=await make_miner())
    caller.language = language
    days = (await caller.gql(DAYS, {"a": "2024-05-01", "b": "2024-05-12"}))["data"]["calendarDays"]
    by_day = {d["day"]: d for d in days}
    assert by_day["2024-05-04"] == {"day": "2024-05-04", "kind": "WORKING_BY_DECREE", "working": True, "name": saturday}
    assert by_day["2024-05-08"]["kind"] == "DAY_OFF_BY_DECREE" and not by_day["2024-05-08"]["working"]
    assert nauryz_fragment in by_day["2024-05-09"]["name"] and by_day["2024-05-09"]["kind"] == "HOLIDAY"
    assert by_day["2024-05-05"]["kind"] == "WEEKEND"
    assert "2024-05-06" not in by_day  # a plain working day is not listed
    assert not any(US_DATE.search(d["name"]) for d in days)


@pytest.mark.parametrize(("start", "end"), [("2025-03-26", "2025-03-20"), ("2020-01-01", "2025-01-01"),
                                            ("1990-12-31", "1991-01-05")])
async def test_bad_ranges_are_validation_errors(officer, start, end):
    assert errors_of(await officer.gql(DAYS, {"a": start, "b": end})) == ["VALIDATION"]


async def test_calendar_needs_a_token(client):
    for q, v in ((DAYS, {"a": "2025-03-20", "b": "2025-03-26"}), (TERM, {"s": "2025-03-19", "n": 5}),
                 ("{ calendarOverrides(year: 2025) { day } }", {})):
        assert errors_of(await gql(client, q, v)) == ["UNAUTHENTICATED"]


async def test_admin_decree_moves_a_term_and_officer_may_not(officer, admin):
    # Wed 2026-04-15 +2 WD -> Fri 17 April; a decree day off on Thu 16 moves it to Mon 20.
    before = (await officer.gql(TERM, {"s": "2026-04-15", "n": 2}))["data"]["termDue"]["dueOn"]
    assert before == "2026-04-17"
    decree = {"i": {"day": "2026-04-16", "working": False, "decree": "Decree No 1 of 2026-01-01"}}
    denied = await officer.gql(SET, decree)
    assert errors_of(denied) == ["FORBIDDEN"] and denied["data"]["setCalendarOverride"]["calendarOverride"] is None
    recorded = (await admin.gql(SET, decree))["data"]["setCalendarOverride"]["calendarOverride"]
    assert recorded["day"] == "2026-04-16" and recorded["working"] is False
    after = (await officer.gql(TERM, {"s": "2026-04-15", "n": 2}))["data"]["termDue"]["dueOn"]
    assert after == "2026-04-20"
    days = (await officer.gql(DAYS, {"a": "2026-04-16", "b": "2026-04-16"}))["data"]["calendarDays"]
    assert days == [{"day": "2026-04-16", "kind": "DAY_OFF_BY_DECREE", "working": False,
                     "name": "Decree No 1 of 2026-01-01"}]
    listed = (await officer.gql("{ calendarOverrides(year: 2026) { id day decree } }"))["data"]["calendarOverrides"]
    assert listed == [{"id": recorded["id"], "day": "2026-04-16", "decree": "Decree No 1 of 2026-01-01"}]
    assert errors_of(await officer.gql(REMOVE, {"i": {"day": "2026-04-16"}})) == ["FORBIDDEN"]
    removed = (await admin.gql(REMOVE, {"i": {"day": "2026-04-16"}}))["data"]["removeCalendarOverride"]
    assert removed == {"removedCalendarOverrideId": recorded["id"], "day": "2026-04-16", "errors": []}
    assert (await officer.gql(TERM, {"s": "2026-04-15", "n": 2}))["data"]["termDue"]["dueOn"] == "2026-04-17"
    again = await admin.gql(REMOVE, {"i": {"day": "2026-04-16"}})
    assert errors_of(again) == ["NOT_FOUND"]


async def test_a_working_saturday_by_admin_decree_counts_in_terms(officer, admin):
    # Fri 2026-04-17 +1 WD is Mon 20; with Sat 18 made working it is Sat 18.
    assert (await officer.gql(TERM, {"s": "2026-04-17", "n": 1}))["data"]["termDue"]["dueOn"] == "2026-04-20"
    r = await admin.gql(SET, {"i": {"day": "2026-04-18", "working": True, "decree": "Постановление № 5"}})
    assert errors_of(r) == []
    assert (await officer.gql(TERM, {"s": "2026-04-17", "n": 1}))["data"]["termDue"]["dueOn"] == "2026-04-18"
    days = (await officer.gql(DAYS, {"a": "2026-04-18", "b": "2026-04-19"}))["data"]["calendarDays"]
    assert days[0] == {"day": "2026-04-18", "kind": "WORKING_BY_DECREE", "working": True, "name": "Постановление № 5"}
    assert days[1]["kind"] == "WEEKEND"


async def test_every_role_reads_the_overrides(client, admin):
    created = (await admin.gql(SET, {"i": {"day": "2026-04-16", "working": False, "decree": "No 1"}}))
    override_id = created["data"]["setCalendarOverride"]["calendarOverride"]["id"]
    applicant = await make_caller(client, Role.APPLICANT, miner=await make_miner())
    partner = await make_caller(client, Role.PARTNER)
    for caller in (applicant, partner):
        node = await caller.gql("query($id: ID!) { node(id: $id) { ... on CalendarOverride { day } } }",
                                {"id": override_id})
        assert node["data"]["node"] == {"day": "2026-04-16"}
        listed = await caller.gql("{ calendarOverrides(year: 2026) { day } }")
        assert listed["data"]["calendarOverrides"] == [{"day": "2026-04-16"}]


async def test_decree_needs_a_reference_of_bounded_length(admin):
    for decree in ("  ", "x" * 501):
        result = await admin.gql(SET, {"i": {"day": "2026-04-16", "working": False, "decree": decree}})
        assert errors_of(result) == ["VALIDATION"] and error_paths(result) == [["decree"]]
    assert await CalendarOverrideRow.all().count() == 0


@pytest.mark.parametrize("day", ["1990-12-31", "2101-01-01", "0001-01-01"])
async def test_a_decree_outside_the_calendar_is_refused(admin, day):
    result = await admin.gql(SET, {"i": {"day": day, "working": True, "decree": "No 2"}})
    assert errors_of(result) == ["VALIDATION"] and error_paths(result) == [["day"]]
    assert await CalendarOverrideRow.all().count() == 0


@pytest.mark.parametrize("year", [0, -5, 1990, 2101, 2**31 - 1])
async def test_overrides_of_a_year_outside_the_calendar_are_validation(officer, year):
    result = await officer.gql("query($y: Int!) { calendarOverrides(year: $y) { day } }", {"y": year})
    assert errors_of(result) == ["VALIDATION"] and result["errors"][0]["extensions"]["path"] == ["year"]


async def test_boundary_years_are_answered(officer):
    for year in (1991, 2100):
        result = await officer.gql("query($y: Int!) { calendarOverrides(year: $y) { day } }", {"y": year})
        assert result == {"data": {"calendarOverrides": []}}


async def test_calendar_lists_cost_the_same_statements_at_10_and_100(admin):
    from datetime import date, timedelta

    from tests.sqlcount import count_statements

    first = date(2027, 1, 1)
    for i in range(100):
        await CalendarOverrideRow.create(day=first + timedelta(days=i), working=True, decree=f"No {i}")
    for i in range(10):
        await CalendarOverrideRow.create(day=date(2028, 1, 1) + timedelta(days=i), working=True, decree=f"No {i}")
    await admin.gql("{ __typename }")  # the token's last-use time is written once, not per request
    q = """query($y: Int!, $a: Date!, $b: Date!) { calendarOverrides(year: $y) { id day working decree createdAt }
             calendarDays(start: $a, end: $b) { day kind name } }"""
    with count_statements() as small:
        few = await admin.gql(q, {"y": 2028, "a": "2028-01-01", "b": "2028-01-10"})
    with count_statements() as large:
        many = await admin.gql(q, {"y": 2027, "a": "2027-01-01", "b": "2027-04-10"})
    assert len(few["data"]["calendarOverrides"]) == len(few["data"]["calendarDays"]) == 10
    assert len(many["data"]["calendarOverrides"]) == len(many["data"]["calendarDays"]) == 100  # all decree days
    assert len(small) == len(large), "\n".join(s[:90] for s in [*small, "---", *large])
