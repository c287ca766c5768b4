"""The indexed calendar gives the same answers as the naive day-by-day calendar it replaced.

``NaiveCalendar`` below is the previous implementation of rules.calendar, kept here verbatim in
behaviour (its own year tables straight from the ``holidays`` package, terms counted one day at
a time) and sharing no code with the module under test. Seeded random cases cover holiday
periods, year ends, package decrees, database overrides and spans of several years; where the
naive answer falls outside the supported span the indexed calendar must refuse instead.
"""

from __future__ import annotations

import random
import threading
from datetime import UTC, date, datetime, timedelta

import holidays
import pytest

from rules.calendar import (
    ALMATY,
    MAX_DATE,
    MIN_DATE,
    OFFICE_CLOSES,
    CalendarInputError,
    CalendarOverride,
    DayKind,
    NonWorkingDay,
    WorkCalendar,
)

_ONE_DAY = timedelta(days=1)
_WORKING = frozenset({DayKind.WORKING, DayKind.WORKING_BY_DECREE})


def _as_tuples(value: object) -> tuple[tuple[int, ...], ...]:
    if not value:
        return ()
    if isinstance(value, tuple) and value and isinstance(value[0], int):
        return (value,)
    return tuple(value)  # type: ignore[arg-type]


def _naive_year(year: int) -> dict[date, tuple[DayKind, str]]:
    kz = holidays.country_holidays("KZ", years=year, observed=True, language="en_US")
    special = getattr(kz, "special_public_holidays", {}) or {}
    decreed = {date(year, e[0], e[1]) for e in _as_tuples(special.get(year)) if len(e) >= 2}
    moved_to: dict[date, date] = {}
    for to_year, entries in special.items():
        for e in _as_tuples(entries):
            if len(e) >= 4:
                from_year = e[4] if len(e) == 5 else to_year
                moved_to[date(from_year, e[2], e[3])] = date(to_year, e[0], e[1])
    table: dict[date, tuple[DayKind, str]] = {}
    for day, name in kz.items():
        if day.year == year:
            kind = DayKind.DAY_OFF_BY_DECREE if day in decreed else DayKind.HOLIDAY
            table[day] = (kind, name)
    for day in kz.weekend_workdays:
        if day.year == year:
            target = moved_to.get(day)
            note = f" (day off moved to {target.isoformat()})" if target else ""
            table[day] = (DayKind.WORKING_BY_DECREE, f"Working day by decree{note}")
    return table


class NaiveCalendar:
    """The old calendar: per-year dicts of exceptions, every term walked day by day."""

    def __init__(self, overrides: tuple[CalendarOverride, ...] = ()) -> None:
        self._overrides = {o.day: o for o in overrides}
        self._years: dict[int, dict[date, tuple[DayKind, str]]] = {}

    def _entry(self, d: date) -> tuple[DayKind, str]:
        table = self._years.get(d.year)
        if table is None:
            table = _naive_year(d.year)
            for day, o in self._overrides.items():
                if day.year == d.year:
                    kind = DayKind.WORKING_BY_DECREE if o.working else DayKind.DAY_OFF_BY_DECREE
                    table[day] = (kind, o.decree)
            self._years[d.year] = table
        found = table.get(d)
        if found is not None:
            return found
        if d.weekday() >= 5:
            return DayKind.WEEKEND, "Saturday" if d.weekday() == 5 else "Sunday"
        return DayKind.WORKING, ""

    def day_kind(self, d: date) -> DayKind:
        return self._entry(d)[0]

    def is_working_day(self, d: date) -> bool:
        return self._entry(d)[0] in _WORKING

    def non_working_days(self, start: date, end: date) -> list[NonWorkingDay]:
        result = []
        day = start
        while day <= end:
            kind, name = self._entry(day)
            if kind not in _WORKING:
                result.append(NonWorkingDay(day, kind, name))
            day += _ONE_DAY
        return result

    def next_working_day(self, d: date) -> date:
        day = d + _ONE_DAY
        while not self.is_working_day(day):
            day += _ONE_DAY
        return day

    def registration_date(self, received_at: datetime) -> date:
        local = received_at.astimezone(ALMATY)
        day = local.date()
        if self.is_working_day(day) and local.time() < OFFICE_CLOSES:
            return day
        return self.next_working_day(day)

    def add_working_days(self, start: date, n: int) -> date:
        day = start
        while n:
            day += _ONE_DAY
            if self.is_working_day(day):
                n -= 1
        return day

    def working_days_between(self, a: date, b: date) -> int:
        day, count = a, 0
        while day < b:
            day += _ONE_DAY
            if self.is_working_day(day):
                count += 1
        return count


# -- case generation ---------------------------------------------------------------------

SEED = 20260311
rng = random.Random(SEED)

# Hot spots: statutory holidays and observed days, package decrees (both days of each swap),
# year ends, the span's own ends.
_HOT: list[date] = sorted(
    {d for y in range(1991, 2101, 3) for d in _naive_year(y)}
    | {date(y, 12, 31) for y in range(1991, 2101)}
    | {MIN_DATE, MAX_DATE}
)

OVERRIDES = (
    CalendarOverride(date(2024, 5, 4), working=False, decree="Cancels the package's working Sat"),
    CalendarOverride(date(2025, 3, 24), working=True, decree="Nauryz observed day made working"),
    CalendarOverride(date(2025, 12, 31), working=False, decree="New Year's Eve off"),
    CalendarOverride(date(2026, 1, 3), working=True, decree="Working Saturday after New Year"),
    CalendarOverride(date(2026, 4, 15), working=False, decree="Decree No 1 of 2026-03-01"),
    CalendarOverride(date(2026, 4, 18), working=True, decree="Decree No 2 of 2026-03-01"),
    CalendarOverride(date(2027, 1, 1), working=True, decree="New Year's Day worked (bad idea)"),
    CalendarOverride(date(1991, 1, 1), working=True, decree="First day of the span worked"),
    CalendarOverride(date(2100, 12, 31), working=False, decree="Last day of the span off"),
    # A decree every 37 days through 2028-2029, alternately off and working.
    *(
        CalendarOverride(date(2028, 1, 1) + timedelta(days=k), working=bool(k % 2), decree=f"R{k}")
        for k in range(0, 700, 37)
    ),
)


def _random_day() -> date:
    pick = rng.random()
    if pick < 0.45:
        base = rng.choice(_HOT)
    elif pick < 0.6:
        base = rng.choice(OVERRIDES).day
    elif pick < 0.8:
        base = date(rng.randint(2019, 2029), 1, 1) + timedelta(days=rng.randint(0, 364))
    else:
        base = MIN_DATE + timedelta(days=rng.randint(0, (MAX_DATE - MIN_DATE).days))
    day = base + timedelta(days=rng.randint(-4, 4))
    return min(max(day, MIN_DATE), MAX_DATE)


def _random_term() -> int:
    pick = rng.random()
    if pick < 0.6:
        return rng.randint(0, 20)
    if pick < 0.9:
        return rng.randint(0, 800)  # up to ~3 years
    return rng.randint(0, 3000)  # up to ~12 years


ADD_CASES = [(_random_day(), _random_term()) for _ in range(2500)]
BETWEEN_CASES = [
    (a, min(max(a + timedelta(days=rng.randint(-30, 1900)), MIN_DATE), MAX_DATE))
    for a in (_random_day() for _ in range(2500))
]
DAY_CASES = [_random_day() for _ in range(3000)]
INSTANT_CASES = [
    datetime.combine(_random_day(), datetime.min.time(), tzinfo=ALMATY)
    + timedelta(minutes=rng.randint(0, 24 * 60 - 1))
    for _ in range(1500)
]
RANGE_CASES = [
    (d, d + timedelta(days=rng.randint(-2, 40))) for d in (_random_day() for _ in range(300))
]

CALENDARS: dict[str, tuple[CalendarOverride, ...]] = {
    "package-only": (),
    "with-overrides": OVERRIDES,
}


@pytest.fixture(scope="module", params=sorted(CALENDARS))
def pair(request: pytest.FixtureRequest) -> tuple[WorkCalendar, NaiveCalendar]:
    overrides = CALENDARS[request.param]
    return WorkCalendar(overrides), NaiveCalendar(overrides)


def test_add_working_days_and_next_working_day(pair: tuple[WorkCalendar, NaiveCalendar]) -> None:
    cal, naive = pair
    checked = refused = 0
    for start, n in ADD_CASES:
        expected = naive.add_working_days(start, n)
        if expected > MAX_DATE:
            with pytest.raises(CalendarInputError):
                cal.add_working_days(start, n)
            refused += 1
            continue
        assert cal.add_working_days(start, n) == expected, (start, n)
        due = cal.term_due(start, n)
        assert due == datetime.combine(expected, OFFICE_CLOSES, tzinfo=ALMATY).astimezone(UTC)
        if naive.next_working_day(start) <= MAX_DATE:
            assert cal.next_working_day(start) == naive.next_working_day(start), start
        checked += 1
    assert checked > 2000 and refused > 0


def test_working_days_between(pair: tuple[WorkCalendar, NaiveCalendar]) -> None:
    cal, naive = pair
    spans_years = 0
    for a, b in BETWEEN_CASES:
        assert cal.working_days_between(a, b) == naive.working_days_between(a, b), (a, b)
        spans_years += b.year - a.year >= 2
    assert spans_years > 500


def test_day_kinds(pair: tuple[WorkCalendar, NaiveCalendar]) -> None:
    cal, naive = pair
    for day in DAY_CASES:
        assert cal.day_kind(day) is naive.day_kind(day), day
        assert cal.is_working_day(day) is naive.is_working_day(day), day


def test_registration_dates(pair: tuple[WorkCalendar, NaiveCalendar]) -> None:
    cal, naive = pair
    for received in INSTANT_CASES:
        expected = naive.registration_date(received)
        if expected > MAX_DATE:
            with pytest.raises(CalendarInputError):
                cal.registration_date(received)
            continue
        assert cal.registration_date(received) == expected, received
        assert cal.registration_date(received.astimezone(UTC)) == expected, received


def test_non_working_days_unchanged(pair: tuple[WorkCalendar, NaiveCalendar]) -> None:
    cal, naive = pair
    for start, end in RANGE_CASES:
        end = min(end, MAX_DATE)
        assert cal.non_working_days(start, end) == naive.non_working_days(start, end), (start, end)


def test_every_day_of_a_decade_and_the_whole_span() -> None:
    """Exhaustive over 2020-2029 with overrides, plus the count over all 110 years."""
    cal, naive = WorkCalendar(OVERRIDES), NaiveCalendar(OVERRIDES)
    day, counted = date(2019, 12, 31), 0
    while day < date(2030, 1, 1):
        nxt = day + _ONE_DAY
        counted += naive.is_working_day(nxt)
        assert cal.working_days_between(date(2019, 12, 31), nxt) == counted, nxt
        if naive.is_working_day(nxt):
            assert cal.add_working_days(date(2019, 12, 31), counted) == nxt, nxt
        day = nxt
    total = naive.working_days_between(MIN_DATE, MAX_DATE)
    assert cal.working_days_between(MIN_DATE, MAX_DATE) == total
    assert cal.add_working_days(MIN_DATE, total) == naive.add_working_days(MIN_DATE, total)
    with pytest.raises(CalendarInputError):
        cal.add_working_days(MIN_DATE, total + 1)


def test_concurrent_first_use_builds_consistent_tables() -> None:
    """Threads racing on a fresh calendar's first use all see complete year tables."""
    cal, naive = WorkCalendar(OVERRIDES), NaiveCalendar(OVERRIDES)
    cases = [(date(2020, 1, 1) + timedelta(days=7 * k), 5 + k % 300) for k in range(400)]
    expected = [naive.add_working_days(s, n) for s, n in cases]
    results: list[list[date]] = []
    barrier = threading.Barrier(8)

    def run(offset: int) -> None:
        barrier.wait()
        order = cases[offset:] + cases[:offset]
        got = {(s, n): cal.add_working_days(s, n) for s, n in order}
        results.append([got[c] for c in cases])

    threads = [threading.Thread(target=run, args=(k * 50,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 8
    assert all(r == expected for r in results)
