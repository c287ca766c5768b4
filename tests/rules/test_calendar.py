"""Tests for rules.calendar against the real Kazakhstan calendar.

Expected values were worked out by hand from a printed calendar and the statutory list of the
``holidays`` package (0.108), never computed with the code under test. Weekday names in the
case ids are there so a reader can check them against a calendar.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone
from time import perf_counter

import holidays
import pytest

from rules.calendar import (
    ALMATY,
    MAX_DATE,
    MAX_YEAR,
    MIN_DATE,
    MIN_YEAR,
    OFFICE_CLOSES,
    OFFICE_OPENS,
    CalendarInputError,
    CalendarOverride,
    DayKind,
    NonWorkingDay,
    WorkCalendar,
    default_calendar,
)
from rules.errors import DomainError, ErrorCode

D = date
H = DayKind.HOLIDAY
W = DayKind.WORKING
WE = DayKind.WEEKEND
OFF = DayKind.DAY_OFF_BY_DECREE
WBD = DayKind.WORKING_BY_DECREE


def almaty(y: int, mo: int, d: int, h: int, mi: int = 0) -> datetime:
    """A wall-clock time in Almaty, so cases read as the applicant would see them."""
    return datetime(y, mo, d, h, mi, tzinfo=ALMATY)


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar()


# -- constants ---------------------------------------------------------------------------


def test_office_hours_and_zone() -> None:
    assert time(9, 0) == OFFICE_OPENS
    assert time(18, 30) == OFFICE_CLOSES
    assert ALMATY.key == "Asia/Almaty"
    # The packaged tz database knows the 2024 switch even if the host's files do not.
    assert datetime(2024, 2, 29, 12, tzinfo=ALMATY).utcoffset() == timedelta(hours=6)
    assert datetime(2024, 3, 1, 12, tzinfo=ALMATY).utcoffset() == timedelta(hours=5)


def test_day_kind_values_are_names() -> None:
    assert [k.value for k in DayKind] == [k.name for k in DayKind]
    assert DayKind.HOLIDAY == "HOLIDAY"


def test_default_calendar_is_cached() -> None:
    assert default_calendar() is default_calendar()


# -- day kinds ---------------------------------------------------------------------------

DAY_KINDS = [
    # New Year: 1-2 January; 2023 New Year's Day fell on Sunday -> observed Tue 3 Jan.
    (D(2025, 1, 1), H),  # Wed
    (D(2025, 1, 2), H),  # Thu
    (D(2023, 1, 1), H),  # Sun
    (D(2023, 1, 3), H),  # Tue, observed
    (D(2023, 1, 4), W),  # Wed
    # 2025 decree: day off moved from Sun 5 Jan to Fri 3 Jan; Sun 5 Jan is a working day.
    (D(2025, 1, 3), OFF),  # Fri
    (D(2025, 1, 4), WE),  # Sat
    (D(2025, 1, 5), WBD),  # Sun
    (D(2025, 1, 6), W),  # Mon
    # Orthodox Christmas 7 January is not moved when it falls on a weekend.
    (D(2025, 1, 7), H),  # Tue
    (D(2024, 1, 7), H),  # Sun
    (D(2024, 1, 8), W),  # Mon
    # 8 March; on a Saturday in 2025 -> observed Mon 10 March.
    (D(2024, 3, 8), H),  # Fri
    (D(2025, 3, 7), W),  # Fri
    (D(2025, 3, 8), H),  # Sat
    (D(2025, 3, 10), H),  # Mon, observed
    (D(2025, 3, 11), W),  # Tue
    # Nauryz 21-23 March; 2025: Fri-Sun, observed Mon 24 and Tue 25.
    (D(2025, 3, 20), W),  # Thu
    (D(2025, 3, 21), H),  # Fri
    (D(2025, 3, 22), H),  # Sat
    (D(2025, 3, 23), H),  # Sun
    (D(2025, 3, 24), H),  # Mon, observed
    (D(2025, 3, 25), H),  # Tue, observed
    (D(2025, 3, 26), W),  # Wed
    (D(2024, 3, 23), H),  # Sat
    (D(2024, 3, 25), H),  # Mon, observed
    # 1 May, 7 May, 9 May; 2024 decree: Sat 4 May working, Wed 8 May off.
    (D(2024, 5, 1), H),  # Wed
    (D(2024, 5, 4), WBD),  # Sat
    (D(2024, 5, 5), WE),  # Sun
    (D(2024, 5, 7), H),  # Tue
    (D(2024, 5, 8), OFF),  # Wed
    (D(2024, 5, 9), H),  # Thu
    (D(2024, 5, 10), W),  # Fri
    (D(2025, 5, 9), H),  # Fri
    (D(2023, 5, 7), H),  # Sun
    (D(2023, 5, 8), H),  # Mon, observed
    # Capital Day 6 July; 2023 decree: Sat 1 July working, Fri 7 July off.
    (D(2023, 7, 1), WBD),  # Sat
    (D(2023, 7, 6), H),  # Thu
    (D(2023, 7, 7), OFF),  # Fri
    (D(2024, 7, 6), H),  # Sat
    (D(2024, 7, 8), H),  # Mon, observed
    (D(2025, 7, 7), H),  # Mon, observed (6 July was Sunday)
    # Constitution Day 30 August; on a Saturday in 2025 -> observed Mon 1 September.
    (D(2024, 8, 30), H),  # Fri
    (D(2025, 8, 30), H),  # Sat
    (D(2025, 9, 1), H),  # Mon, observed
    (D(2025, 9, 2), W),  # Tue
    # Republic Day 25 October.
    (D(2023, 10, 25), H),  # Wed
    (D(2025, 10, 27), H),  # Mon, observed (25 October was Saturday)
    # Independence Day 16 December (17 December no longer a holiday).
    (D(2024, 12, 16), H),  # Mon
    (D(2024, 12, 17), W),  # Tue
    (D(2023, 12, 16), H),  # Sat
    (D(2023, 12, 18), H),  # Mon, observed
    # Kurban ait is not moved: 2024 on Sunday, Monday after stays a working day.
    (D(2023, 6, 28), H),  # Wed
    (D(2024, 6, 16), H),  # Sun
    (D(2024, 6, 17), W),  # Mon
    (D(2025, 6, 6), H),  # Fri
    # Plain days.
    (D(2025, 6, 7), WE),  # Sat
    (D(2025, 6, 8), WE),  # Sun
    (D(2026, 1, 5), W),  # Mon
]


@pytest.mark.parametrize(("day", "kind"), DAY_KINDS, ids=[str(d) for d, _ in DAY_KINDS])
def test_day_kind(cal: WorkCalendar, day: date, kind: DayKind) -> None:
    assert cal.day_kind(day) is kind
    assert cal.is_working_day(day) is (kind in (W, WBD))


def test_datetime_is_not_a_date(cal: WorkCalendar) -> None:
    """A datetime would never match a date key; refusing it beats a silent wrong answer."""
    with pytest.raises(TypeError):
        cal.is_working_day(datetime(2025, 3, 21, tzinfo=UTC))


# -- next working day and terms ----------------------------------------------------------

NEXT_WORKING = [
    (D(2025, 3, 20), D(2025, 3, 26)),  # Thu -> Nauryz + weekend + observed -> Wed
    (D(2025, 12, 31), D(2026, 1, 5)),  # Wed -> 1-2 Jan holidays, 3-4 weekend -> Mon
    (D(2025, 1, 2), D(2025, 1, 5)),  # Thu -> decree Fri off, Sat, working Sun
    (D(2023, 6, 30), D(2023, 7, 1)),  # Fri -> working Saturday
    (D(2024, 5, 6), D(2024, 5, 10)),  # Mon -> 7 holiday, 8 decree, 9 holiday -> Fri
    (D(2024, 6, 14), D(2024, 6, 17)),  # Fri -> Kurban ait on Sunday not moved -> Mon
    (D(2025, 3, 26), D(2025, 3, 27)),  # ordinary Wed -> Thu
]


@pytest.mark.parametrize(("day", "expected"), NEXT_WORKING, ids=[str(d) for d, _ in NEXT_WORKING])
def test_next_working_day(cal: WorkCalendar, day: date, expected: date) -> None:
    assert cal.next_working_day(day) == expected


ADD_WORKING = [
    # DOMAIN.md: Thu 20 (1), 21-25 off, Wed 26 (2), 27 (3), 28 (4), Mon 31 (5).
    (D(2025, 3, 19), 5, D(2025, 3, 31)),
    (D(2025, 3, 19), 0, D(2025, 3, 19)),
    (D(2025, 3, 22), 0, D(2025, 3, 22)),  # n = 0 returns start even on a day off
    (D(2025, 3, 19), 1, D(2025, 3, 20)),
    (D(2025, 3, 19), 2, D(2025, 3, 26)),
    # Fri 3 May (1), working Sat 4 (2), Mon 6 (3); then 7-9 off, Fri 10 (4).
    (D(2024, 5, 2), 3, D(2024, 5, 6)),
    (D(2024, 5, 2), 4, D(2024, 5, 10)),
    # Wed 31 Dec (1), then 1-4 Jan off, Mon 5 Jan (2).
    (D(2025, 12, 30), 2, D(2026, 1, 5)),
    # 4-7 (1-4), 8-10 off, 11-14 (5-8), 17-20 (9-12), 21-25 off, 26-28 (13-15).
    (D(2025, 3, 3), 15, D(2025, 3, 28)),
    # Sat 30 Aug holiday, Sun, Mon 1 Sep observed -> Tue 2 Sep (1).
    (D(2025, 8, 29), 1, D(2025, 9, 2)),
    # Working Sat 1 Jul (1), Mon 3 - Wed 5 (2-4), Thu 6 and Fri 7 off, Mon 10 (5).
    (D(2023, 6, 30), 5, D(2023, 7, 10)),
]


@pytest.mark.parametrize(
    ("start", "n", "expected"), ADD_WORKING, ids=[f"{s}+{n}" for s, n, _ in ADD_WORKING]
)
def test_add_working_days(cal: WorkCalendar, start: date, n: int, expected: date) -> None:
    assert cal.add_working_days(start, n) == expected
    assert cal.working_days_between(start, expected) == n


def test_negative_term_rejected(cal: WorkCalendar) -> None:
    with pytest.raises(ValueError):
        cal.add_working_days(D(2025, 3, 19), -1)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (D(2025, 3, 19), D(2025, 3, 19), 0),
        (D(2025, 3, 31), D(2025, 3, 19), 0),  # b before a
        (D(2025, 3, 20), D(2025, 3, 26), 1),  # only Wed 26
        # 1-2 Jan holidays, Fri 3 decree off, Sat 4, working Sun 5 (1), Mon 6 (2),
        # Tue 7 Christmas, Wed 8 (3), Thu 9 (4), Fri 10 (5).
        (D(2024, 12, 31), D(2025, 1, 10), 5),
    ],
    ids=["same-day", "reversed", "over-nauryz", "new-year-2025"],
)
def test_working_days_between(cal: WorkCalendar, a: date, b: date, expected: int) -> None:
    assert cal.working_days_between(a, b) == expected


def test_term_due_worked_example(cal: WorkCalendar) -> None:
    """DOMAIN.md: registered 2025-03-19, 5 working days -> 2025-03-31 18:30 Almaty."""
    due = cal.term_due(D(2025, 3, 19), 5)
    assert due == datetime(2025, 3, 31, 13, 30, tzinfo=UTC)
    assert due.tzinfo is UTC
    assert due.astimezone(ALMATY) == almaty(2025, 3, 31, 18, 30)


@pytest.mark.parametrize(
    ("day", "expected_utc"),
    [
        (D(2024, 2, 28), datetime(2024, 2, 28, 12, 30, tzinfo=UTC)),  # UTC+6
        (D(2024, 3, 4), datetime(2024, 3, 4, 13, 30, tzinfo=UTC)),  # UTC+5
        (D(2025, 3, 31), datetime(2025, 3, 31, 13, 30, tzinfo=UTC)),
    ],
    ids=["before-2024-switch", "after-2024-switch", "2025"],
)
def test_due_at(cal: WorkCalendar, day: date, expected_utc: datetime) -> None:
    due = cal.due_at(day)
    assert due == expected_utc
    assert due.utcoffset() == timedelta(0)


# -- registration ------------------------------------------------------------------------

REGISTRATION = [
    ("working-day-morning", almaty(2025, 3, 19, 10), D(2025, 3, 19)),
    ("before-opening", almaty(2025, 3, 19, 7, 15), D(2025, 3, 19)),
    ("just-after-midnight", almaty(2025, 3, 19, 0, 5), D(2025, 3, 19)),
    ("18:29-same-day", almaty(2025, 3, 19, 18, 29), D(2025, 3, 19)),
    ("18:30-next-day", almaty(2025, 3, 19, 18, 30), D(2025, 3, 20)),
    ("after-hours-into-nauryz", almaty(2025, 3, 20, 20), D(2025, 3, 26)),
    ("nauryz-friday", almaty(2025, 3, 21, 10), D(2025, 3, 26)),
    ("new-year-eve", almaty(2025, 12, 31, 19), D(2026, 1, 5)),
    ("saturday", almaty(2025, 6, 7, 12), D(2025, 6, 9)),
    ("sunday-night", almaty(2025, 6, 8, 23, 59), D(2025, 6, 9)),
    ("working-saturday", almaty(2024, 5, 4, 12), D(2024, 5, 4)),
    ("working-saturday-late", almaty(2024, 5, 4, 19), D(2024, 5, 6)),
    ("working-sunday", almaty(2025, 1, 5, 11), D(2025, 1, 5)),
    ("decree-day-off", almaty(2024, 5, 8, 11), D(2024, 5, 10)),
    ("kurban-ait-sunday", almaty(2024, 6, 16, 11), D(2024, 6, 17)),
    # The local date is what counts: 20:00 UTC on the 18th is 01:00 on the 19th in Almaty.
    ("utc-previous-evening", datetime(2025, 3, 18, 20, 0, tzinfo=UTC), D(2025, 3, 19)),
    # 2024 switch to UTC+5: 13:15 UTC is 18:15 local (it would be 19:15 at +6).
    ("tz-switch-after", datetime(2024, 3, 1, 13, 15, tzinfo=UTC), D(2024, 3, 1)),
    # 12:45 UTC on 29 Feb is 18:45 at +6: after hours -> Fri 1 March.
    ("tz-switch-before", datetime(2024, 2, 29, 12, 45, tzinfo=UTC), D(2024, 3, 1)),
    ("tz-switch-before-in-hours", datetime(2024, 2, 29, 12, 29, tzinfo=UTC), D(2024, 2, 29)),
    # Any aware zone works: 16:45 at UTC+3 is 18:45 in Almaty (UTC+5), after hours.
    (
        "other-zone",
        datetime(2025, 3, 19, 16, 45, tzinfo=timezone(timedelta(hours=3))),
        D(2025, 3, 20),
    ),
]


@pytest.mark.parametrize(
    ("received", "expected"),
    [(r, e) for _, r, e in REGISTRATION],
    ids=[name for name, _, _ in REGISTRATION],
)
def test_registration_date(cal: WorkCalendar, received: datetime, expected: date) -> None:
    assert cal.registration_date(received) == expected


def test_naive_receipt_rejected(cal: WorkCalendar) -> None:
    """A naive time is ambiguous by hours, which can move registration by a day."""
    with pytest.raises(ValueError):
        cal.registration_date(datetime(2025, 3, 19, 10, 0))


# -- overrides (decrees stored in the database) ------------------------------------------

DECREE_OFF = CalendarOverride(D(2026, 4, 15), working=False, decree="Decree No 1 of 2026-03-01")
DECREE_SAT = CalendarOverride(D(2026, 4, 18), working=True, decree="Decree No 2 of 2026-03-01")
DECREE_NAURYZ = CalendarOverride(D(2026, 3, 23), working=True, decree="Decree No 3 of 2026-01-10")


def test_decree_day_off_on_wednesday_shifts_term() -> None:
    # Mon 13 April 2026 + 5: Tue 14 (1), Wed 15 (2), 16 (3), 17 (4), Mon 20 (5) normally;
    # with Wed 15 off: 14 (1), 16 (2), 17 (3), 20 (4), Tue 21 (5).
    assert WorkCalendar().add_working_days(D(2026, 4, 13), 5) == D(2026, 4, 20)
    cal = WorkCalendar([DECREE_OFF])
    assert cal.day_kind(D(2026, 4, 15)) is OFF
    assert cal.add_working_days(D(2026, 4, 13), 5) == D(2026, 4, 21)
    assert cal.working_days_between(D(2026, 4, 13), D(2026, 4, 21)) == 5


def test_decree_working_saturday_counts() -> None:
    # Thu 16 April 2026 + 2: Fri 17 (1), Sat 18 (2) with the decree; Mon 20 (2) without.
    assert WorkCalendar().add_working_days(D(2026, 4, 16), 2) == D(2026, 4, 20)
    cal = WorkCalendar([DECREE_SAT])
    assert cal.day_kind(D(2026, 4, 18)) is WBD
    assert cal.add_working_days(D(2026, 4, 16), 2) == D(2026, 4, 18)
    assert cal.registration_date(almaty(2026, 4, 18, 12)) == D(2026, 4, 18)


def test_override_makes_statutory_holiday_working() -> None:
    cal = WorkCalendar([DECREE_NAURYZ])
    assert WorkCalendar().is_working_day(D(2026, 3, 23)) is False  # Mon, Nauryz
    assert cal.is_working_day(D(2026, 3, 23)) is True
    assert cal.day_kind(D(2026, 3, 23)) is WBD


def test_override_cancels_package_working_saturday() -> None:
    cal = WorkCalendar([CalendarOverride(D(2024, 5, 4), working=False, decree="Decree X")])
    assert cal.is_working_day(D(2024, 5, 4)) is False
    # Fri 3 May (1), then Sat 4 off -> Mon 6 (2).
    assert cal.add_working_days(D(2024, 5, 2), 2) == D(2024, 5, 6)


def test_conflicting_overrides_rejected() -> None:
    with pytest.raises(ValueError):
        WorkCalendar([DECREE_OFF, CalendarOverride(DECREE_OFF.day, working=True, decree="Y")])


def test_override_day_must_be_a_date() -> None:
    with pytest.raises(TypeError):
        CalendarOverride(datetime(2026, 4, 15, tzinfo=UTC), working=False, decree="Z")


def test_non_working_days_lists_kinds_and_names() -> None:
    cal = WorkCalendar([DECREE_OFF, DECREE_SAT])
    assert cal.non_working_days(D(2026, 4, 13), D(2026, 4, 19)) == [
        NonWorkingDay(D(2026, 4, 15), OFF, "Decree No 1 of 2026-03-01"),
        NonWorkingDay(D(2026, 4, 19), WE, "Sunday"),
    ]


def test_non_working_days_nauryz_2025(cal: WorkCalendar) -> None:
    assert cal.non_working_days(D(2025, 3, 19), D(2025, 3, 26)) == [
        NonWorkingDay(D(2025, 3, 21), H, "Nowruz Holiday"),
        NonWorkingDay(D(2025, 3, 22), H, "Nowruz Holiday"),
        NonWorkingDay(D(2025, 3, 23), H, "Nowruz Holiday"),
        NonWorkingDay(D(2025, 3, 24), H, "Nowruz Holiday (observed)"),
        NonWorkingDay(D(2025, 3, 25), H, "Nowruz Holiday (observed)"),
    ]


def test_non_working_days_package_decree_and_weekend(cal: WorkCalendar) -> None:
    days = cal.non_working_days(D(2025, 1, 1), D(2025, 1, 7))
    assert [(d.day, d.kind) for d in days] == [
        (D(2025, 1, 1), H),
        (D(2025, 1, 2), H),
        (D(2025, 1, 3), OFF),
        (D(2025, 1, 4), WE),
        (D(2025, 1, 7), H),
    ]
    assert days[3].name == "Saturday"
    assert "substituted" in days[2].name
    assert cal.non_working_days(D(2025, 1, 7), D(2025, 1, 1)) == []


# -- properties --------------------------------------------------------------------------


def test_round_trip_2023_2026(cal: WorkCalendar) -> None:
    """add_working_days and working_days_between are inverse, across years and decrees."""
    day = D(2023, 1, 1)
    checked = 0
    while day <= D(2026, 12, 31):
        previous = day
        for n in range(21):
            due = cal.add_working_days(day, n)
            assert cal.working_days_between(day, due) == n, (day, n)
            if n:
                assert due > previous and cal.is_working_day(due), (day, n)
            previous = due
        checked += 1
        day += timedelta(days=5)
    assert checked > 250


def test_overrides_do_not_leak_between_calendars() -> None:
    """Year tables are per instance, so a decree in one calendar never affects another."""
    WorkCalendar([DECREE_OFF]).is_working_day(D(2026, 4, 15))
    assert WorkCalendar().is_working_day(D(2026, 4, 15)) is True
    assert default_calendar().is_working_day(D(2026, 4, 15)) is True


# -- the supported span (bounded input) --------------------------------------------------


def test_span_is_what_the_holidays_package_models() -> None:
    """Outside 1991..2100 the package knows no Kazakh holiday, so answers would be wrong."""
    assert (D(MIN_YEAR, 1, 1), D(MAX_YEAR, 12, 31)) == (MIN_DATE, MAX_DATE)
    assert (MIN_YEAR, MAX_YEAR) == (1991, 2100)
    assert holidays.KZ.start_year <= MIN_YEAR and holidays.KZ.end_year >= MAX_YEAR
    for year, known in [(MIN_YEAR - 1, False), (MIN_YEAR, True), (MAX_YEAR, True), (2101, False)]:
        assert bool(holidays.country_holidays("KZ", years=year)) is known, year


OUTSIDE = [
    D.min,
    D.max,
    D(1, 1, 1),
    D(9999, 12, 31),
    D(1990, 12, 31),  # the day before the span
    D(2101, 1, 1),  # the day after
]


def _validation_error(excinfo: pytest.ExceptionInfo[BaseException], field: str) -> None:
    error = excinfo.value
    assert isinstance(error, DomainError) and isinstance(error, CalendarInputError)
    assert error.code == ErrorCode.VALIDATION
    assert error.field == field
    assert error.detail is not None and "2100-12-31" in error.detail


PUBLIC_CALLS = [
    ("is_working_day", lambda cal, d: cal.is_working_day(d), "day"),
    ("day_kind", lambda cal, d: cal.day_kind(d), "day"),
    ("non_working_days-start", lambda cal, d: cal.non_working_days(d, D(2025, 1, 1)), "start"),
    ("non_working_days-end", lambda cal, d: cal.non_working_days(D(2025, 1, 1), d), "end"),
    ("special_days-start", lambda cal, d: cal.special_days(d, D(2025, 1, 1), "ru"), "start"),
    ("special_days-end", lambda cal, d: cal.special_days(D(2025, 1, 1), d, "kk"), "end"),
    ("next_working_day", lambda cal, d: cal.next_working_day(d), "day"),
    ("add_working_days", lambda cal, d: cal.add_working_days(d, 1), "start"),
    ("add_working_days-zero", lambda cal, d: cal.add_working_days(d, 0), "start"),
    ("working_days_between-a", lambda cal, d: cal.working_days_between(d, D(2025, 1, 1)), "start"),
    ("working_days_between-b", lambda cal, d: cal.working_days_between(D(2025, 1, 1), d), "end"),
    ("due_at", lambda cal, d: cal.due_at(d), "day"),
    ("term_due", lambda cal, d: cal.term_due(d, 5), "registeredOn"),
]


@pytest.mark.parametrize("day", OUTSIDE, ids=[d.isoformat() for d in OUTSIDE])
@pytest.mark.parametrize(
    ("call", "field"), [(c, f) for _, c, f in PUBLIC_CALLS], ids=[n for n, _, _ in PUBLIC_CALLS]
)
def test_dates_outside_the_span_are_validation_errors(
    cal: WorkCalendar, call: object, field: str, day: date
) -> None:
    with pytest.raises(CalendarInputError) as excinfo:
        call(cal, day)  # type: ignore[operator]
    _validation_error(excinfo, field)


@pytest.mark.parametrize(
    "received",
    [
        datetime.min.replace(tzinfo=UTC),  # astimezone overflows
        datetime.max.replace(tzinfo=UTC),
        datetime(1, 1, 1, tzinfo=ALMATY),
        datetime(9999, 12, 31, 23, 59, tzinfo=ALMATY),
        datetime(1990, 12, 31, 12, tzinfo=ALMATY),
        almaty(2101, 1, 1, 10),
        datetime(2100, 12, 31, 19, 30, tzinfo=UTC),  # already 1 January 2101 in Almaty
        almaty(2100, 12, 31, 19),  # after hours on the last day: registered in 2101
    ],
    ids=["datetime.min", "datetime.max", "year-1", "year-9999", "1990", "2101",
         "2101-in-almaty", "last-day-after-hours"],
)
def test_registration_outside_the_span(cal: WorkCalendar, received: datetime) -> None:
    with pytest.raises(CalendarInputError) as excinfo:
        cal.registration_date(received)
    _validation_error(excinfo, "receivedAt")


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda cal: cal.next_working_day(D(2100, 12, 31)), "day"),
        (lambda cal: cal.add_working_days(D(2100, 12, 30), 2), "workingDays"),
        (lambda cal: cal.add_working_days(D(2025, 3, 19), 10**18), "workingDays"),
        (lambda cal: cal.add_working_days(D(1991, 1, 1), 40_000), "workingDays"),
        (lambda cal: cal.term_due(D(2100, 12, 20), 30), "workingDays"),
        (lambda cal: cal.term_due(D(2025, 3, 19), 2**70), "workingDays"),
    ],
    ids=["next-after-last-day", "term-past-last-day", "huge-n", "n-beyond-span", "term_due",
         "term_due-huge"],
)
def test_results_after_the_span_are_validation_errors(
    cal: WorkCalendar, call: object, field: str
) -> None:
    with pytest.raises(CalendarInputError) as excinfo:
        call(cal)  # type: ignore[operator]
    _validation_error(excinfo, field)


def test_negative_term_is_a_validation_error(cal: WorkCalendar) -> None:
    with pytest.raises(DomainError) as excinfo:
        cal.term_due(D(2025, 3, 19), -1)
    assert excinfo.value.code == ErrorCode.VALIDATION and excinfo.value.field == "workingDays"


def test_the_span_ends_work(cal: WorkCalendar) -> None:
    # 1-2 January 1991 are New Year's Day (Tue, Wed): Thu 3 January is the first working day.
    assert cal.day_kind(MIN_DATE) is H and cal.next_working_day(MIN_DATE) == D(1991, 1, 3)
    # 20:00 UTC on 31 December 1990 is already 1 January 1991 in Almaty (then UTC+6).
    assert cal.registration_date(datetime(1990, 12, 31, 20, tzinfo=UTC)) == D(1991, 1, 3)
    assert cal.add_working_days(MIN_DATE, 0) == MIN_DATE
    # Fri 31 December 2100 is a working day; the one before it is Thu 30.
    assert cal.is_working_day(MAX_DATE) and cal.add_working_days(D(2100, 12, 30), 1) == MAX_DATE
    assert cal.working_days_between(D(2100, 12, 30), MAX_DATE) == 1
    assert cal.due_at(MAX_DATE) == datetime(2100, 12, 31, 13, 30, tzinfo=UTC)
    assert cal.registration_date(almaty(2100, 12, 31, 18, 29)) == MAX_DATE
    assert [d.day for d in cal.non_working_days(D(2100, 12, 24), MAX_DATE)] == [
        D(2100, 12, 25),
        D(2100, 12, 26),
    ]
    total = cal.working_days_between(MIN_DATE, MAX_DATE)
    assert 27_000 < total < 28_000
    assert cal.add_working_days(MIN_DATE, total) == MAX_DATE


def test_long_terms_and_spans_are_fast(cal: WorkCalendar) -> None:
    """Index arithmetic: a 100-year span costs about what a 5-day term does."""
    cal.working_days_between(MIN_DATE, MAX_DATE)  # builds every year once
    started = perf_counter()
    for _ in range(1000):
        cal.working_days_between(D(2001, 5, 3), D(2099, 7, 1))
        cal.add_working_days(D(2001, 5, 3), 24_000)
    assert perf_counter() - started < 0.5  # walking day by day: ~10 s


# -- special days, named in the caller's language ----------------------------------------


def _names(cal: WorkCalendar, start: date, end: date, language: str) -> list[tuple]:
    return [(s.day, s.kind, s.working, s.name) for s in cal.special_days(start, end, language)]


NEW_YEAR_2025 = {
    # Wed 1, Thu 2 holidays; Fri 3 off by the package's decree for Sun 5, worked; Tue 7 Christmas.
    "kk": [
        (D(2025, 1, 1), H, False, "Жаңа жыл"),
        (D(2025, 1, 2), H, False, "Жаңа жыл"),
        (D(2025, 1, 3), OFF, False,
         "Үкімет қаулысы бойынша демалыс күні (05.01.2025 күнінен ауыстырылған)"),
        (D(2025, 1, 4), WE, False, "Сенбі"),
        (D(2025, 1, 5), WBD, True,
         "Үкімет қаулысы бойынша жұмыс күні (демалыс күні 03.01.2025 күніне ауыстырылған)"),
        (D(2025, 1, 7), H, False, "Православиелік Рождество"),
    ],
    "ru": [
        (D(2025, 1, 1), H, False, "Новый год"),
        (D(2025, 1, 2), H, False, "Новый год"),
        (D(2025, 1, 3), OFF, False,
         "Выходной день по постановлению Правительства (перенесён с 05.01.2025)"),
        (D(2025, 1, 4), WE, False, "Суббота"),
        (D(2025, 1, 5), WBD, True,
         "Рабочий день по постановлению Правительства (выходной перенесён на 03.01.2025)"),
        (D(2025, 1, 7), H, False, "Православное Рождество"),
    ],
    "en": [
        (D(2025, 1, 1), H, False, "New Year's Day"),
        (D(2025, 1, 2), H, False, "New Year's Day"),
        (D(2025, 1, 3), OFF, False, "Day off by decree (moved from 2025-01-05)"),
        (D(2025, 1, 4), WE, False, "Saturday"),
        (D(2025, 1, 5), WBD, True, "Working day by decree (day off moved to 2025-01-03)"),
        (D(2025, 1, 7), H, False, "Orthodox Christmas"),
    ],
}


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_special_days_new_year_2025(cal: WorkCalendar, language: str) -> None:
    assert _names(cal, D(2025, 1, 1), D(2025, 1, 7), language) == NEW_YEAR_2025[language]


def test_special_days_nauryz_2025_in_russian(cal: WorkCalendar) -> None:
    assert [s.name for s in cal.special_days(D(2025, 3, 20), D(2025, 3, 26), "ru")] == [
        "Наурыз мейрамы",
        "Наурыз мейрамы",
        "Наурыз мейрамы",
        "Наурыз мейрамы (перенесённый выходной)",
        "Наурыз мейрамы (перенесённый выходной)",
    ]


@pytest.mark.parametrize(
    ("language", "saturday", "wednesday", "kurban_ait_2026"),
    [
        ("kk", "Үкімет қаулысы бойынша жұмыс күні (демалыс күні 08.05.2024 күніне ауыстырылған)",
         "Үкімет қаулысы бойынша демалыс күні (04.05.2024 күнінен ауыстырылған)",
         "Құрбан айт (бағаланған)"),
        ("ru", "Рабочий день по постановлению Правительства (выходной перенесён на 08.05.2024)",
         "Выходной день по постановлению Правительства (перенесён с 04.05.2024)",
         "Курбан айт (дата ориентировочная)"),
        ("en", "Working day by decree (day off moved to 2024-05-08)",
         "Day off by decree (moved from 2024-05-04)",
         "Eid al-Adha (estimated)"),
    ],
)
def test_special_days_working_saturday_and_estimates(
    cal: WorkCalendar, language: str, saturday: str, wednesday: str, kurban_ait_2026: str
) -> None:
    days = {s.day: s for s in cal.special_days(D(2024, 5, 1), D(2024, 5, 12), language)}
    assert days[D(2024, 5, 4)].name == saturday and days[D(2024, 5, 4)].working
    assert days[D(2024, 5, 8)].name == wednesday and not days[D(2024, 5, 8)].working
    assert D(2024, 5, 6) not in days  # a plain Monday
    (kurban,) = cal.special_days(D(2026, 5, 27), D(2026, 5, 27), language)
    assert kurban.kind is H and kurban.name == kurban_ait_2026


SUNDAY = {"kk": "Жексенбі", "ru": "Воскресенье", "en": "Sunday"}


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_special_days_show_stored_decrees_as_entered(language: str) -> None:
    cal = WorkCalendar([DECREE_OFF, DECREE_SAT, DECREE_NAURYZ])
    assert _names(cal, D(2026, 4, 15), D(2026, 4, 19), language) == [
        (D(2026, 4, 15), OFF, False, "Decree No 1 of 2026-03-01"),
        (D(2026, 4, 18), WBD, True, "Decree No 2 of 2026-03-01"),
        (D(2026, 4, 19), WE, False, SUNDAY[language]),
    ]
    (nauryz,) = cal.special_days(D(2026, 3, 23), D(2026, 3, 23), language)
    assert (nauryz.kind, nauryz.working, nauryz.name) == (WBD, True, "Decree No 3 of 2026-01-10")


def test_special_days_empty_and_bad_language(cal: WorkCalendar) -> None:
    assert cal.special_days(D(2025, 1, 7), D(2025, 1, 1), "en") == []
    assert cal.special_days(D(2025, 3, 26), D(2025, 3, 28), "en") == []  # Wed-Fri
    for language in ["de", "RU", "en_US", ""]:
        with pytest.raises(CalendarInputError) as excinfo:
            cal.special_days(D(2025, 1, 1), D(2025, 1, 7), language)
        assert excinfo.value.field == "language"


_KAZAKH_ONLY_LETTERS = set("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
_US_DATE = re.compile(r"\d{1,2}/\d{1,2}/\d{2,4}")
_ANY_DATE = re.compile(r"\d{1,4}\D\d{1,2}\D\d{1,4}")
_DOTTED = r"\d{2}\.\d{2}\.\d{4}"  # 05.01.2025, as Kazakh and Russian write dates
_DATE_STYLE = {"kk": _DOTTED, "ru": _DOTTED, "en": r"\d{4}-\d{2}-\d{2}"}


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_special_days_over_the_whole_span(language: str) -> None:
    """Every year 1991-2100: kinds agree with day_kind, names are complete and well dated."""
    cal = WorkCalendar([DECREE_OFF, DECREE_SAT, DECREE_NAURYZ])
    days = cal.special_days(MIN_DATE, MAX_DATE, language)
    by_day = {s.day: s for s in days}
    assert len(by_day) == len(days) > 110 * 104
    day = MIN_DATE
    while day <= MAX_DATE:
        kind = cal.day_kind(day)
        if kind is W:
            assert day not in by_day
        else:
            special = by_day[day]
            assert special.kind is kind and special.working is cal.is_working_day(day), day
            assert special.name.strip(), day
        day += timedelta(days=1)
    date_style = re.compile(_DATE_STYLE[language])
    for special in days:
        assert not _US_DATE.search(special.name), special
        if "Decree No" not in special.name:
            for found in _ANY_DATE.findall(special.name):
                assert date_style.fullmatch(found), special
        if language == "ru" and "Decree No" not in special.name:
            # Every name the package gives in Kazakh has its Russian here.
            assert not _KAZAKH_ONLY_LETTERS & set(special.name), special
            assert re.search("[а-яА-Я]", special.name), special
        if language == "kk" and special.kind is H:
            assert special.name == holidays.country_holidays(
                "KZ", years=special.day.year, language="kk"
            )[special.day]


def test_non_working_days_are_the_special_days_off(cal: WorkCalendar) -> None:
    """The old method lists the same days off as special_days, under its English names."""
    start, end = D(2023, 12, 1), D(2026, 1, 31)
    old = cal.non_working_days(start, end)
    new = [s for s in cal.special_days(start, end, "en") if not s.working]
    assert [(d.day, d.kind) for d in old] == [(s.day, s.kind) for s in new]
