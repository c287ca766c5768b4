"""Working-day calendar of the authority (DOMAIN.md section 1).

Every term in the four rule sets is counted in working days from the registration date, and
registration itself depends on office hours in Asia/Almaty. This module is the single place
that knows which days are working days: statutory holidays and the decrees known to the
``holidays`` package, plus decrees stored in the database and passed in as
:class:`CalendarOverride` data (so a new decree needs no code change).

The module is pure: no I/O beyond loading the packaged tz database once at import and the
``holidays`` package's own translation files, no database, and it never reads the clock;
callers pass instants and dates in.

Term arithmetic runs on a per-year index of working days (built once per calendar and year):
converting a date to "its number among the year's working days" and back is an array lookup
or a bisection, so a term of any length, or the days elapsed since a deadline three years
ago, costs the same as a 2-day term.
"""

from __future__ import annotations

import calendar as _months
import importlib.resources
import re
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from functools import cache
from types import MappingProxyType
from typing import NamedTuple
from zoneinfo import ZoneInfo

import holidays

from rules.errors import DomainError, ErrorCode

__all__ = [
    "ALMATY",
    "MAX_DATE",
    "MAX_YEAR",
    "MIN_DATE",
    "MIN_YEAR",
    "NAME_LANGUAGES",
    "OFFICE_CLOSES",
    "OFFICE_OPENS",
    "CalendarInputError",
    "CalendarOverride",
    "DayKind",
    "NonWorkingDay",
    "SpecialDay",
    "WorkCalendar",
    "default_calendar",
    "term_end",
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

# The span the calendar answers for. The ``holidays`` package models Kazakhstan from 1991
# (``holidays.KZ.start_year``) to 2100 (``end_year``, where its Hijri tables for Kurban ait
# stop too). Outside it the package returns no holidays at all, so every weekday would pass for
# a working day: a silently wrong term. Refusing such dates (VALIDATION) also keeps the date
# arithmetic clear of date.min / date.max overflows.
MIN_YEAR = 1991
MAX_YEAR = 2100
MIN_DATE = date(MIN_YEAR, 1, 1)
MAX_DATE = date(MAX_YEAR, 12, 31)

# Languages :meth:`WorkCalendar.special_days` names days in (the API's languages).
NAME_LANGUAGES = ("kk", "ru", "en")

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


class CalendarInputError(DomainError, ValueError):
    """A date, term or language the calendar cannot answer for: a VALIDATION error.

    ``field`` names the input (camelCase, as the API's clients name it). Also a ValueError,
    which is what the calendar raised for bad values before it spoke the API's error codes.
    """

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(ErrorCode.VALIDATION, field=field, detail=detail)


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


@dataclass(frozen=True)
class SpecialDay:
    """A day that is not a plain Monday-Friday working day, named in the caller's language.

    Weekends, holidays, days off by decree, and working days by decree (``working`` is True
    only for the last). A decree stored by an admin is named by its own text, as entered.
    """

    day: date
    kind: DayKind
    working: bool
    name: str


class _Mark(NamedTuple):
    """A day that differs from the plain Monday-Friday week, or that carries a decree."""

    kind: DayKind
    name: str  # English name as non_working_days has always shown it, or the decree's text
    other_day: date | None  # package decrees: the other day of the swap (moved from / to)
    override: bool = False  # stored by an admin: the name is the decree text, in any language


_Marks = Mapping[date, _Mark]


def _as_tuples(value: object) -> tuple[tuple[int, ...], ...]:
    """Normalise a ``special_*_holidays`` entry, which is one tuple or a tuple of tuples."""
    if not value:
        return ()
    if isinstance(value, tuple) and value and isinstance(value[0], int):
        return (value,)
    return tuple(value)  # type: ignore[arg-type]


@cache
def _package_names(year: int, language: str) -> Mapping[date, str]:
    """The ``holidays`` package's days off of ``year`` named in ``language``."""
    kz = holidays.country_holidays("KZ", years=year, observed=True, language=language)
    return MappingProxyType({day: name for day, name in kz.items() if day.year == year})


@cache
def _statutory_year(year: int) -> _Marks:
    """Non-working days and working weekend days of ``year`` per the ``holidays`` package.

    Days the package adds from decrees (``special_public_holidays``) are DAY_OFF_BY_DECREE;
    all other package days, including observed transfers, are HOLIDAY. Weekend days in
    ``weekend_workdays`` are WORKING_BY_DECREE, as ``HolidayBase.is_working_day`` treats them.
    Shared by every calendar (the statutory data depends on the year only), hence read-only.
    """
    kz = holidays.country_holidays("KZ", years=year, observed=True, language="en_US")
    special: dict[int, object] = getattr(kz, "special_public_holidays", {}) or {}

    # Each decree swaps a weekend day (which becomes working) with a day off; substitutions
    # may cross a year end, e.g. Fri 2014-01-03 off for Sat 2013-12-28 worked.
    moved_from: dict[date, date | None] = {}
    moved_to: dict[date, date] = {}
    for to_year, entries in special.items():
        for entry in _as_tuples(entries):
            if len(entry) < 2:
                continue
            day_off = date(to_year, entry[0], entry[1])
            worked = None
            if len(entry) >= 4:
                from_year = entry[4] if len(entry) == 5 else to_year
                worked = date(from_year, entry[2], entry[3])
                moved_to[worked] = day_off
            moved_from[day_off] = worked

    marks: dict[date, _Mark] = {}
    for day, name in kz.items():
        if day.year != year:
            continue
        if day in moved_from:
            marks[day] = _Mark(DayKind.DAY_OFF_BY_DECREE, name, moved_from[day])
        else:
            marks[day] = _Mark(DayKind.HOLIDAY, name, None)
    for day in kz.weekend_workdays:
        if day.year != year:
            continue
        target = moved_to.get(day)
        note = f" (day off moved to {target.isoformat()})" if target else ""
        marks[day] = _Mark(DayKind.WORKING_BY_DECREE, f"Working day by decree{note}", target)
    return MappingProxyType(marks)


class _Year(NamedTuple):
    """One year of one calendar: its marks and its cumulative working-day index.

    ``before[i]`` is the number of working days among the year's first ``i`` days, so the
    working days of (a, b] in the year are ``before[b + 1] - before[a + 1]`` (day indexes from
    1 January = 0), and the k-th working day is ``bisect_left(before, k) - 1``.
    """

    first: int  # proleptic ordinal of 1 January
    marks: _Marks
    working: bytes  # 1 for a working day, by day index
    before: list[int]  # len(working) + 1 entries, non-decreasing, before[0] == 0

    @property
    def total(self) -> int:
        return self.before[-1]


def _build_year(year: int, overrides: Mapping[date, CalendarOverride]) -> _Year:
    marks = dict(_statutory_year(year))
    for day, override in overrides.items():
        if day.year == year:
            kind = DayKind.WORKING_BY_DECREE if override.working else DayKind.DAY_OFF_BY_DECREE
            marks[day] = _Mark(kind, override.decree, None, override=True)
    first = date(year, 1, 1)
    size = (date(year + 1, 1, 1) - first).days  # year <= MAX_YEAR, so no overflow
    working = bytearray(size)
    before = [0] * (size + 1)
    count = 0
    day = first
    for i in range(size):
        mark = marks.get(day)
        if (day.weekday() < 5) if mark is None else (mark.kind in _WORKING_KINDS):
            working[i] = 1
            count += 1
        before[i + 1] = count
        day += _ONE_DAY
    return _Year(first.toordinal(), MappingProxyType(marks), bytes(working), before)


class WorkCalendar:
    """Working days of the authority: Mon-Fri minus holidays, adjusted by decrees.

    Overrides win over everything. Each year's marks and working-day index are built lazily,
    once, and published with one dict assignment, so calendars shared by concurrent requests
    (or threads) never see a half-built year; at worst two callers build the same year twice.

    Every public method refuses dates outside ``MIN_DATE..MAX_DATE`` and results that would
    fall outside it with :class:`CalendarInputError` (VALIDATION).
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
        self._overrides: Mapping[date, CalendarOverride] = MappingProxyType(by_day)
        self._years: dict[int, _Year] = {}

    # -- index ---------------------------------------------------------------------------

    def _year(self, year: int) -> _Year:
        found = self._years.get(year)
        if found is None:
            # Built completely before it is published; setdefault keeps the first one stored.
            found = self._years.setdefault(year, _build_year(year, self._overrides))
        return found

    def _entry(self, d: date) -> tuple[DayKind, str]:
        mark = self._year(d.year).marks.get(d)
        if mark is not None:
            return mark.kind, mark.name
        weekday = d.weekday()
        if weekday >= 5:
            return DayKind.WEEKEND, _WEEKEND_NAMES[weekday]
        return DayKind.WORKING, ""

    def _working(self, d: date) -> bool:
        year = self._year(d.year)
        return year.working[d.toordinal() - year.first] == 1

    def _count_through(self, d: date) -> tuple[_Year, int]:
        """The year of ``d`` and its number of working days from 1 January through ``d``."""
        year = self._year(d.year)
        return year, year.before[d.toordinal() - year.first + 1]

    def _add(self, start: date, n: int, n_field: str) -> date:
        """The n-th working day after ``start`` (validated, n >= 1 or 0)."""
        if n == 0:
            return start
        # More working days than there are days to MAX_DATE: refuse without building years.
        if n > MAX_DATE.toordinal() - start.toordinal():
            raise _after_max(n_field, start, n)
        year, target = self._count_through(start)
        target += n
        y = start.year
        while target > year.total:
            target -= year.total
            y += 1
            if y > MAX_YEAR:
                raise _after_max(n_field, start, n)
            year = self._year(y)
        return date.fromordinal(year.first + bisect_left(year.before, target) - 1)

    def _between(self, a: date, b: date) -> int:
        """Working days d with a < d <= b (validated dates)."""
        if b <= a:
            return 0
        year_a, through_a = self._count_through(a)
        _, through_b = self._count_through(b)
        if a.year == b.year:
            return through_b - through_a
        middle = sum(self._year(y).total for y in range(a.year + 1, b.year))
        return year_a.total - through_a + middle + through_b

    # -- public API ----------------------------------------------------------------------

    def is_working_day(self, d: date) -> bool:
        """True if the authority works on ``d``."""
        return self._working(_check_date(d, "day"))

    def day_kind(self, d: date) -> DayKind:
        """Why ``d`` is or is not a working day; an override always reports a decree kind."""
        return self._entry(_check_date(d, "day"))[0]

    def non_working_days(self, start: date, end: date) -> list[NonWorkingDay]:
        """Days off in ``start..end`` inclusive, in date order (empty if end < start).

        Names are the English ones this method has always given; :meth:`special_days` names
        days in the caller's language.
        """
        day, end = _check_date(start, "start"), _check_date(end, "end")
        result: list[NonWorkingDay] = []
        while day <= end:
            kind, name = self._entry(day)
            if kind not in _WORKING_KINDS:
                result.append(NonWorkingDay(day=day, kind=kind, name=name))
            day += _ONE_DAY
        return result

    def special_days(self, start: date, end: date, language: str) -> list[SpecialDay]:
        """Every day in ``start..end`` that is not a plain Mon-Fri working day, in date order.

        Weekends, holidays, days off by decree and working days by decree (e.g. a working
        Saturday), each named in ``language`` (``kk``, ``ru`` or ``en``): holiday names from
        the ``holidays`` package (Russian from this module's table, the package has none for
        Kazakhstan), a decree stored by an admin by its own text as entered. Dates inside
        names are written ``05.01.2025`` in Kazakh and Russian and ``2025-01-05`` in English.
        Empty if end < start.
        """
        day, end = _check_date(start, "start"), _check_date(end, "end")
        if language not in NAME_LANGUAGES:
            raise CalendarInputError("language", f"one of {', '.join(NAME_LANGUAGES)}")
        result: list[SpecialDay] = []
        while day <= end:
            mark = self._year(day.year).marks.get(day)
            if mark is not None:
                name = _local_name(day, mark, language)
                working = mark.kind in _WORKING_KINDS
                result.append(SpecialDay(day=day, kind=mark.kind, working=working, name=name))
            elif day.weekday() >= 5:
                name = _WEEKDAY_NAMES[language][day.weekday()]
                result.append(SpecialDay(day=day, kind=DayKind.WEEKEND, working=False, name=name))
            day += _ONE_DAY
        return result

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        return self._add(_check_date(d, "day"), 1, "day")

    def registration_date(self, received_at: datetime) -> date:
        """The day an application received at ``received_at`` is registered on.

        Received on a working day before 18:30 Almaty time (even before 9:00, as the portal is
        always open): that day. At or after 18:30, or on a day off: the next working day.
        """
        if not isinstance(received_at, datetime):
            raise TypeError(f"received_at must be a datetime, got {received_at!r}")
        if received_at.tzinfo is None or received_at.utcoffset() is None:
            raise ValueError("received_at must be timezone-aware")
        try:
            local = received_at.astimezone(ALMATY)
        except OverflowError:  # within hours of datetime.min / datetime.max
            raise _out_of_span("receivedAt", received_at.isoformat()) from None
        day = _check_date(local.date(), "receivedAt")
        if self._working(day) and local.time() < OFFICE_CLOSES:
            return day
        return self._add(day, 1, "receivedAt")

    def add_working_days(self, start: date, n: int) -> date:
        """The ``n``-th working day after ``start`` (counting from the next day); n=0: start."""
        return self._add(_check_date(start, "start"), _check_term(n), "workingDays")

    def working_days_between(self, a: date, b: date) -> int:
        """Number of working days d with a < d <= b; the inverse of :meth:`add_working_days`."""
        return self._between(_check_date(a, "start"), _check_date(b, "end"))

    def due_at(self, d: date) -> datetime:
        """Close of business (18:30 Almaty) on ``d``, as an aware UTC instant for storage."""
        local = datetime.combine(_check_date(d, "day"), OFFICE_CLOSES, tzinfo=ALMATY)
        return local.astimezone(UTC)

    def term_due(self, registered_on: date, working_days: int) -> datetime:
        """When a term of ``working_days`` counted from ``registered_on`` expires."""
        start = _check_date(registered_on, "registeredOn")
        return self.due_at(self._add(start, _check_term(working_days), "workingDays"))


def _check_date(d: date, field: str) -> date:
    """A date of the supported span.

    Datetimes are refused (TypeError): they are dates by subclassing but would silently miss
    every lookup. Dates outside ``MIN_DATE..MAX_DATE`` are a VALIDATION error on ``field``.
    """
    if isinstance(d, datetime) or not isinstance(d, date):
        raise TypeError(f"expected a date, got {d!r}")
    if not MIN_DATE <= d <= MAX_DATE:
        raise _out_of_span(field, d.isoformat())
    return d


def _check_term(n: int) -> int:
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"expected a number of working days, got {n!r}")
    if n < 0:
        raise CalendarInputError("workingDays", f"a term is 0 or more working days, got {n}")
    return n


def _out_of_span(field: str, value: str) -> CalendarInputError:
    return CalendarInputError(
        field, f"{value} is outside the calendar ({MIN_DATE.isoformat()}..{MAX_DATE.isoformat()})"
    )


def _after_max(field: str, start: date, n: int) -> CalendarInputError:
    return CalendarInputError(
        field,
        f"{n} working day(s) after {start.isoformat()} ends after the calendar's last day "
        f"{MAX_DATE.isoformat()}",
    )


# -- names in the caller's language ----------------------------------------------------------

_WEEKDAY_NAMES: Mapping[str, Mapping[int, str]] = {
    "kk": {5: "Сенбі", 6: "Жексенбі"},
    "ru": {5: "Суббота", 6: "Воскресенье"},
    "en": {5: "Saturday", 6: "Sunday"},
}

# Package decrees (the swaps listed in ``holidays``); a decree stored by an admin is shown by
# its own text instead. {date} is the other day of the swap.
_DECREE_DAY_OFF: Mapping[str, tuple[str, str]] = {
    "kk": (
        "Үкімет қаулысы бойынша демалыс күні",
        "Үкімет қаулысы бойынша демалыс күні ({date} күнінен ауыстырылған)",
    ),
    "ru": (
        "Выходной день по постановлению Правительства",
        "Выходной день по постановлению Правительства (перенесён с {date})",
    ),
    "en": ("Day off by decree", "Day off by decree (moved from {date})"),
}
_DECREE_WORKING_DAY: Mapping[str, tuple[str, str]] = {
    "kk": (
        "Үкімет қаулысы бойынша жұмыс күні",
        "Үкімет қаулысы бойынша жұмыс күні (демалыс күні {date} күніне ауыстырылған)",
    ),
    "ru": (
        "Рабочий день по постановлению Правительства",
        "Рабочий день по постановлению Правительства (выходной перенесён на {date})",
    ),
    "en": ("Working day by decree", "Working day by decree (day off moved to {date})"),
}

# The package names Kazakhstan's holidays in Kazakh (its source language) and English only.
# Russian names as in the Law on holidays in the Republic of Kazakhstan, keyed by the Kazakh
# name; a test checks that every name the package gives for MIN_YEAR..MAX_YEAR is covered.
_RU_HOLIDAYS: Mapping[str, str] = {
    "Жаңа жыл": "Новый год",
    "Православиелік Рождество": "Православное Рождество",
    "Халықаралық әйелдер күні": "Международный женский день",
    "Наурыз мейрамы": "Наурыз мейрамы",
    "Қазақстан халқының бірлігі мерекесі": "Праздник единства народа Казахстана",
    "Отан Қорғаушы күні": "День защитника Отечества",
    "Жеңіс күні": "День Победы",
    "Астана күні": "День Столицы",
    "Қазақстан Республикасының Конституциясы күні": "День Конституции Республики Казахстан",
    "Республика күні": "День Республики",
    "Қазақстан Республикасы күні": "День Республики Казахстан",
    "Қазақстан Республикасының Тұңғыш Президенті күні": (
        "День Первого Президента Республики Казахстан"
    ),
    "Тәуелсіздік күні": "День Независимости",
    "Құрбан айт": "Курбан айт",
}
# The package's labels around a name (``Kazakhstan.observed_label`` and friends).
_RU_LABELS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile("^(.+)" + re.escape(kk_suffix) + "$"), ru_suffix)
    for kk_suffix, ru_suffix in (
        (
            " (қайта белгіленген демалыс, бағаланған)",
            " (перенесённый выходной, дата ориентировочная)",
        ),
        (" (қайта белгіленген демалыс)", " (перенесённый выходной)"),
        (" (бағаланған)", " (дата ориентировочная)"),
    )
)
_HOLIDAY_SEPARATOR = "; "  # the package joins two holidays falling on one day


def _russian_holiday(kk_name: str) -> str | None:
    """The Russian for a package name given in Kazakh, or None if this module lacks it."""
    parts = []
    for part in kk_name.split(_HOLIDAY_SEPARATOR):
        ru = _RU_HOLIDAYS.get(part)
        if ru is None:
            for pattern, ru_suffix in _RU_LABELS:
                match = pattern.match(part)
                if match and match.group(1) in _RU_HOLIDAYS:
                    ru = _RU_HOLIDAYS[match.group(1)] + ru_suffix
                    break
        if ru is None:
            return None
        parts.append(ru)
    return _HOLIDAY_SEPARATOR.join(parts)


def _holiday_name(day: date, mark: _Mark, language: str) -> str:
    if language == "en":
        return mark.name  # the statutory tables are built from the package's en_US names
    kk_name = _package_names(day.year, "kk")[day]
    if language == "kk":
        return kk_name
    # A holiday added by a later package version: its Kazakh name beats none.
    return _russian_holiday(kk_name) or kk_name


def _format_date(d: date, language: str) -> str:
    return d.isoformat() if language == "en" else d.strftime("%d.%m.%Y")


def _local_name(day: date, mark: _Mark, language: str) -> str:
    if mark.override:
        return mark.name
    if mark.kind is DayKind.HOLIDAY:
        return _holiday_name(day, mark, language)
    texts = _DECREE_WORKING_DAY if mark.kind is DayKind.WORKING_BY_DECREE else _DECREE_DAY_OFF
    plain, with_date = texts[language]
    if mark.other_day is None:
        return plain
    return with_date.format(date=_format_date(mark.other_day, language))


def term_end(start: date, *, years: int = 0, months: int = 0) -> date:
    """The last day of a term of ``years`` and ``months`` counted from ``start``.

    Civil Code art. 173 and the Law on administrative procedures art. 12-1 [outside the seeds]:
    a term counted in years or months ends on the same day (number) of the last year or month;
    when that month has no such day, on its last day. So a licence issued 2025-03-26 for
    three years is valid through 2028-03-26, one year from 2024-02-29 ends 2025-02-28, and one
    month from 2025-01-31 ends 2025-02-28. Used by every year/month term (licence validity,
    suspensions, pool certificates): calendar days, not working days.
    """
    if isinstance(start, datetime) or not isinstance(start, date):
        raise TypeError(f"expected a date, got {start!r}")
    for value in (years, months):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise CalendarInputError("term", f"a term is 0 or more years and months, got {value!r}")
    index = start.month - 1 + months
    year, month = start.year + years + index // 12, index % 12 + 1
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _out_of_span("term", f"{start.isoformat()} + {years}y {months}m")
    return date(year, month, min(start.day, _months.monthrange(year, month)[1]))


@cache
def default_calendar() -> WorkCalendar:
    """A shared calendar without database overrides (statutory days and package decrees)."""
    return WorkCalendar()

