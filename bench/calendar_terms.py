"""Working-day arithmetic: the indexed calendar against the old day-by-day one, in one run.

    .venv/bin/python bench/calendar_terms.py [rounds=20] [seed=7]

Pure CPU, no database. ``OldCalendar`` below is the previous implementation of
rules/calendar.py (per-year dicts of exceptions, every term walked one day at a time), kept
here so both run on the same machine, data and interpreter. Every answer of the new calendar
is checked against the old one before anything is timed.

Workloads (``now`` fixed at 2026-06-15 10:00 Almaty so runs compare):
  A. 100 applications long overdue, decision due dates spread over the past 3 years:
     ``days_left`` (what every application's ``daysLeft`` field costs), then
     ``working_days_between(due, today)`` and ``add_working_days(registered_on, 15)`` alone.
  B. 10,000 random terms (start 2023-2027, 1-30 working days, the range of the rule sets):
     ``add_working_days`` and ``working_days_between(start, due)``.
  C. First use: a fresh calendar's tables for 2023-2027 (once per override set in the service).
Times are the median of ``rounds`` runs of each batch (the best in brackets).
"""

from __future__ import annotations

import random
import statistics
import sys
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from time import perf_counter
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import holidays

import rules.calendar as calendar_module
from rules.calendar import ALMATY, CalendarOverride, DayKind, WorkCalendar
from rules.workflow import days_left

_ONE_DAY = timedelta(days=1)
_WORKING = frozenset({DayKind.WORKING, DayKind.WORKING_BY_DECREE})
NOW = datetime(2026, 6, 15, 10, 0, tzinfo=ALMATY)
OVERRIDES = (
    CalendarOverride(date(2026, 4, 15), working=False, decree="Decree No 1 of 2026-03-01"),
    CalendarOverride(date(2026, 4, 18), working=True, decree="Decree No 2 of 2026-03-01"),
)


def _as_tuples(value: object) -> tuple[tuple[int, ...], ...]:
    if not value:
        return ()
    if isinstance(value, tuple) and value and isinstance(value[0], int):
        return (value,)
    return tuple(value)  # type: ignore[arg-type]


def _old_year(year: int) -> dict[date, DayKind]:
    kz = holidays.country_holidays("KZ", years=year, observed=True, language="en_US")
    special = getattr(kz, "special_public_holidays", {}) or {}
    decreed = {date(year, e[0], e[1]) for e in _as_tuples(special.get(year)) if len(e) >= 2}
    table = {
        day: DayKind.DAY_OFF_BY_DECREE if day in decreed else DayKind.HOLIDAY
        for day in kz
        if day.year == year
    }
    for day in kz.weekend_workdays:
        if day.year == year:
            table[day] = DayKind.WORKING_BY_DECREE
    return table


class OldCalendar:
    """rules/calendar.py before the index: the same lookups, terms walked day by day."""

    def __init__(self, overrides: tuple[CalendarOverride, ...] = ()) -> None:
        self._overrides = {o.day: o for o in overrides}
        self._years: dict[int, dict[date, DayKind]] = {}

    def _table(self, year: int) -> dict[date, DayKind]:
        table = self._years.get(year)
        if table is None:
            table = _old_year(year)
            for day, o in self._overrides.items():
                if day.year == year:
                    kind = DayKind.WORKING_BY_DECREE if o.working else DayKind.DAY_OFF_BY_DECREE
                    table[day] = kind
            self._years[year] = table
        return table

    def _working(self, d: date) -> bool:
        found = self._table(d.year).get(d)
        if found is None:
            return d.weekday() < 5
        return found in _WORKING

    def add_working_days(self, start: date, n: int) -> date:
        day = start
        while n:
            day += _ONE_DAY
            if self._working(day):
                n -= 1
        return day

    def working_days_between(self, a: date, b: date) -> int:
        day, count = a, 0
        while day < b:
            day += _ONE_DAY
            if self._working(day):
                count += 1
        return count


def timed(batch: Callable[[], object], rounds: int) -> tuple[float, float]:
    """Median and best wall time of ``batch`` over ``rounds`` runs, in seconds."""
    times = []
    for _ in range(rounds):
        started = perf_counter()
        batch()
        times.append(perf_counter() - started)
    return statistics.median(times), min(times)


def row(label: str, old: tuple[float, float], new: tuple[float, float]) -> None:
    def ms(t: tuple[float, float]) -> str:
        return f"{t[0] * 1000:9.3f} ms ({t[1] * 1000:.3f})"

    print(f"{label:<52} {ms(old)}  {ms(new)}  {old[0] / new[0]:8.1f}x")


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    rng = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 7)
    new, old = WorkCalendar(OVERRIDES), OldCalendar(OVERRIDES)
    today = NOW.date()

    # A. 100 long-overdue applications: registered 15 WD before a due date in the past 3 years.
    dues = []
    for _ in range(100):
        due_day = today - timedelta(days=rng.randint(30, 3 * 365))
        while not new.is_working_day(due_day):
            due_day -= _ONE_DAY
        dues.append(new.due_at(due_day))
    due_days = [due.astimezone(ALMATY).date() for due in dues]
    registered = [due_day - timedelta(days=21) for due_day in due_days]

    # B. 10,000 random terms.
    first = date(2023, 1, 1)
    starts = [first + timedelta(days=rng.randint(0, 5 * 365 - 40)) for _ in range(10_000)]
    terms = [rng.randint(1, 30) for _ in range(10_000)]
    ends = [new.add_working_days(s, n) for s, n in zip(starts, terms, strict=True)]

    # Same answers first (this also builds both calendars' tables: timings are steady state).
    # OldCalendar is duck-typed for days_left (it only calls working_days_between).
    old_any: Any = old
    assert [days_left(d, NOW, new) for d in dues] == [days_left(d, NOW, old_any) for d in dues]
    assert [new.working_days_between(d, today) for d in due_days] == [
        old.working_days_between(d, today) for d in due_days
    ]
    assert [new.add_working_days(r, 15) for r in registered] == [
        old.add_working_days(r, 15) for r in registered
    ]
    assert ends == [old.add_working_days(s, n) for s, n in zip(starts, terms, strict=True)]
    pairs = list(zip(starts, ends, strict=True))
    assert [new.working_days_between(s, e) for s, e in pairs] == terms
    assert [old.working_days_between(s, e) for s, e in pairs] == terms
    overdue = [days_left(d, NOW, new) for d in dues]
    assert all(v < 0 for v in overdue)

    print(f"python {sys.version.split()[0]}, holidays {holidays.__version__}, rounds={rounds}, "
          f"now={NOW.isoformat()}")
    print(f"A: 100 applications overdue by {-max(overdue)}..{-min(overdue)} working days")
    print(f"{'':<52} {'old (best)':>24}  {'new (best)':>24}  {'old/new':>9}")

    def calls(cal: Any) -> dict[str, Callable[[], object]]:
        return {
            "A  days_left x100": lambda: [days_left(d, NOW, cal) for d in dues],
            "A  working_days_between(due, today) x100": lambda: [
                cal.working_days_between(d, today) for d in due_days
            ],
            "A  add_working_days(registered_on, 15) x100": lambda: [
                cal.add_working_days(r, 15) for r in registered
            ],
            "B  add_working_days x10,000 (1-30 WD)": lambda: [
                cal.add_working_days(s, n) for s, n in zip(starts, terms, strict=True)
            ],
            "B  working_days_between x10,000": lambda: [
                cal.working_days_between(s, e) for s, e in zip(starts, ends, strict=True)
            ],
        }

    old_calls, new_calls = calls(old), calls(new)
    for label in old_calls:
        row(label, timed(old_calls[label], rounds), timed(new_calls[label], rounds))

    def first_use(make: Callable[[], WorkCalendar | OldCalendar]) -> Callable[[], object]:
        def run() -> None:
            cal = make()
            for year in range(2023, 2028):
                cal.working_days_between(date(year, 1, 1), date(year, 12, 31))
        return run

    # The statutory tables are cached per process in the new module (they depend on the year
    # only); the old one rebuilt them for every calendar. "cold" clears that cache each time.
    def cold_calendar() -> WorkCalendar:
        calendar_module._statutory_year.cache_clear()
        calendar_module._package_names.cache_clear()
        return WorkCalendar(OVERRIDES)

    few = max(3, rounds // 4)
    old_first = timed(first_use(lambda: OldCalendar(OVERRIDES)), few)
    row("C  fresh calendar, tables 2023-2027", old_first, timed(first_use(cold_calendar), few))
    row(
        "C  fresh calendar, statutory years cached",
        old_first,
        timed(first_use(lambda: WorkCalendar(OVERRIDES)), few),
    )


if __name__ == "__main__":
    main()
