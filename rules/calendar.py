"""Working-day calendar of the authority (DOMAIN.md section 1).

Every term in the four rule sets is counted in working days from the registration date, and
registration itself depends on office hours in Asia/Almaty. This module is the single place
that knows which days are working days: statutory holidays and the decrees known to the
``holidays`` package, plus decrees stored in the database and passed in as
:class:`CalendarOverride` data (so a new decree needs no code change).

The module is pure: no I/O beyond loading the packaged tz database once at import, no database,
and it never reads the clock; callers pass instants and dates in.
"""

from __future__ import annotations

import importlib.resources
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from functools import cache
from zoneinfo import ZoneInfo

import holidays

__all__ = [
    "ALMATY",
    "OFFICE_CLOSES",
    "OFFICE_OPENS",
    "CalendarOverride",
    "DayKind",
    "NonWorkingDay",
    "WorkCalendar",
    "default_calendar",
]


def _load_almaty() -> ZoneInfo:
    """Load Asia/Almaty from the pinned ``tzdata`` package.

    System zone files on older hosts still say UTC+6, while the country moved to UTC+5 on
    2024-03-01; reading the packaged file makes the result independent of the host.
    """
    source = importlib.resources.files("tzdata.zoneinfo") / "Asia" / "Almaty"
    with source.open("rb") as fobj:
        return ZoneInfo.from_file(fobj, key="Asia/Almaty")


ALMATY: ZoneInfo = _load_almaty()
OFFICE_OPENS = time(9, 0)
OFFICE_CLOSES = time(18, 30)

_ONE_DAY = timedelta(days=1)
_WEEKEND_NAMES = {5: "Saturday", 6: "Sunday"}


class DayKind(str, Enum):
    """Why a day is (or is not) a working day."""

    WORKING = "WORKING"
    WEEKEND = "WEEKEND"
    HOLIDAY = "HOLIDAY"  # statutory holiday, including its "observed" transfer (Law art. 5)
    DAY_OFF_BY_DECREE = "DAY_OFF_BY_DECREE"
    WORKING_BY_DECREE = "WORKING_BY_DECREE"


_WORKING_KINDS = frozenset({DayKind.WORKING, DayKind.WORKING_BY_DECREE})


@dataclass(frozen=True)
class CalendarOverride:
    """A government decree moving one day (Labour Code art. 85), stored in the database.

    ``working=True`` makes the day a working day (e.g. a working Saturday, or a holiday moved
    away); ``working=False`` makes it a day off.
    """

    day: date
    working: bool
    decree: str

    def __post_init__(self) -> None:
        # A datetime is a date subclass but never equal to one, so it would silently miss.
        if isinstance(self.day, datetime) or not isinstance(self.day, date):
            raise TypeError(f"CalendarOverride.day must be a date, got {self.day!r}")


@dataclass(frozen=True)
class NonWorkingDay:
    """A day off, with the reason shown to users (holiday name, decree, or weekday name)."""

    day: date
    kind: DayKind
    name: str


# Per year: only the days that differ from the plain Monday-Friday week, or that carry a
# decree; every other day is WORKING (Mon-Fri) or WEEKEND (Sat, Sun).
_YearTable = dict[date, tuple[DayKind, str]]


def _as_tuples(value: object) -> tuple[tuple[int, ...], ...]:
    """Normalise a ``special_*_holidays`` entry, which is one tuple or a tuple of tuples."""
    if not value:
        return ()
    if isinstance(value, tuple) and value and isinstance(value[0], int):
        return (value,)
    return tuple(value)  # type: ignore[arg-type]


def _statutory_year(year: int) -> _YearTable:
    """Non-working days and working weekend days of ``year`` per the ``holidays`` package.

    Days the package adds from decrees (``special_public_holidays``) are DAY_OFF_BY_DECREE;
    all other package days, including observed transfers, are HOLIDAY. Weekend days in
    ``weekend_workdays`` are WORKING_BY_DECREE, as ``HolidayBase.is_working_day`` treats them.
    """
    kz = holidays.country_holidays("KZ", years=year, observed=True, language="en_US")
    special: dict[int, object] = getattr(kz, "special_public_holidays", {}) or {}

    decreed_days_off: set[date] = set()
    for entry in _as_tuples(special.get(year)):
        if len(entry) >= 2:
            decreed_days_off.add(date(year, entry[0], entry[1]))

    # Where each working weekend day's day off went; substitutions may cross a year end.
    moved_to: dict[date, date] = {}
    for to_year, entries in special.items():
        for entry in _as_tuples(entries):
            if len(entry) >= 4:
                from_year = entry[4] if len(entry) == 5 else to_year
                moved_to[date(from_year, entry[2], entry[3])] = date(to_year, entry[0], entry[1])

    table: _YearTable = {}
    for day, name in kz.items():
        if day.year != year:
            continue
        kind = DayKind.DAY_OFF_BY_DECREE if day in decreed_days_off else DayKind.HOLIDAY
        table[day] = (kind, name)
    for day in kz.weekend_workdays:
        if day.year != year:
            continue
        target = moved_to.get(day)
        note = f" (day off moved to {target.isoformat()})" if target else ""
        table[day] = (DayKind.WORKING_BY_DECREE, f"Working day by decree{note}")
    return table


class WorkCalendar:
    """Working days of the authority: Mon-Fri minus holidays, adjusted by decrees.

    Overrides win over everything. Lookups are built lazily once per year and kept on the
    instance, so counting a 15-20 day term is a handful of dict lookups.
    """

    def __init__(self, overrides: Iterable[CalendarOverride] = ()) -> None:
        by_day: dict[date, CalendarOverride] = {}
        for override in overrides:
            previous = by_day.get(override.day)
            if previous is not None and previous.working != override.working:
                # Two decrees disagreeing about one day is bad data; refuse to guess.
                raise ValueError(
                    f"conflicting overrides for {override.day.isoformat()}: "
                    f"{previous.decree!r} and {override.decree!r}"
                )
            by_day[override.day] = override
        self._overrides = by_day
        self._years: dict[int, _YearTable] = {}

    # -- lookups -------------------------------------------------------------------------

    def _table(self, year: int) -> _YearTable:
        """The year's exceptions with this instance's overrides applied (built once)."""
        table = self._years.get(year)
        if table is None:
            table = _statutory_year(year)
            for day, override in self._overrides.items():
                if day.year == year:
                    kind = (
                        DayKind.WORKING_BY_DECREE if override.working else DayKind.DAY_OFF_BY_DECREE
                    )
                    table[day] = (kind, override.decree)
            self._years[year] = table
        return table

    def _entry(self, d: date) -> tuple[DayKind, str]:
        found = self._table(d.year).get(d)
        if found is not None:
            return found
        weekday = d.weekday()
        if weekday >= 5:
            return DayKind.WEEKEND, _WEEKEND_NAMES[weekday]
        return DayKind.WORKING, ""

    def _working(self, d: date) -> bool:
        """Hot path for term counting: no validation, one or two dict lookups."""
        found = self._table(d.year).get(d)
        if found is None:
            return d.weekday() < 5
        return found[0] in _WORKING_KINDS

    # -- public API ----------------------------------------------------------------------

    def is_working_day(self, d: date) -> bool:
        """True if the authority works on ``d``."""
        return self._working(_check_date(d))

    def day_kind(self, d: date) -> DayKind:
        """Why ``d`` is or is not a working day; an override always reports a decree kind."""
        return self._entry(_check_date(d))[0]

    def non_working_days(self, start: date, end: date) -> list[NonWorkingDay]:
        """Days off in ``start..end`` inclusive, in date order (empty if end < start)."""
        day, end = _check_date(start), _check_date(end)
        result: list[NonWorkingDay] = []
        while day <= end:
            kind, name = self._entry(day)
            if kind not in _WORKING_KINDS:
                result.append(NonWorkingDay(day=day, kind=kind, name=name))
            day += _ONE_DAY
        return result

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        day = _check_date(d) + _ONE_DAY
        while not self._working(day):
            day += _ONE_DAY
        return day

    def registration_date(self, received_at: datetime) -> date:
        """The day an application received at ``received_at`` is registered on.

        Received on a working day before 18:30 Almaty time (even before 9:00, as the portal is
        always open): that day. At or after 18:30, or on a day off: the next working day.
        """
        if not isinstance(received_at, datetime):
            raise TypeError(f"received_at must be a datetime, got {received_at!r}")
        if received_at.tzinfo is None or received_at.utcoffset() is None:
            raise ValueError("received_at must be timezone-aware")
        local = received_at.astimezone(ALMATY)
        day = local.date()
        if self._working(day) and local.time() < OFFICE_CLOSES:
            return day
        return self.next_working_day(day)

    def add_working_days(self, start: date, n: int) -> date:
        """The ``n``-th working day after ``start`` (counting from the next day); n=0: start."""
        day = _check_date(start)
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        while n:
            day += _ONE_DAY
            if self._working(day):
                n -= 1
        return day

    def working_days_between(self, a: date, b: date) -> int:
        """Number of working days d with a < d <= b; the inverse of :meth:`add_working_days`."""
        day, b = _check_date(a), _check_date(b)
        count = 0
        while day < b:
            day += _ONE_DAY
            if self._working(day):
                count += 1
        return count

    def due_at(self, d: date) -> datetime:
        """Close of business (18:30 Almaty) on ``d``, as an aware UTC instant for storage."""
        local = datetime.combine(_check_date(d), OFFICE_CLOSES, tzinfo=ALMATY)
        return local.astimezone(UTC)

    def term_due(self, registered_on: date, working_days: int) -> datetime:
        """When a term of ``working_days`` counted from ``registered_on`` expires."""
        return self.due_at(self.add_working_days(registered_on, working_days))


def _check_date(d: date) -> date:
    """Reject datetimes: they are dates by subclassing but would silently miss every lookup."""
    if isinstance(d, datetime) or not isinstance(d, date):
        raise TypeError(f"expected a date, got {d!r}")
    return d


@cache
def default_calendar() -> WorkCalendar:
    """A shared calendar without database overrides (statutory days and package decrees)."""
    return WorkCalendar()
