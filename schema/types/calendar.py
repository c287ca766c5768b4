"""The working-day calendar as clients see it: special days, decree overrides, terms."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

import strawberry
from strawberry import relay

from models import calendar as m
from rules.calendar import DayKind, SpecialDay
from schema.enums import expose_enum
from schema.relay import RowNode, Timestamped

__all__ = ["CalendarDay", "CalendarOverride", "TermDue"]

expose_enum(
    DayKind,
    "CalendarDayKind",
    "Why a day is, or is not, a working day of the authority [Labour Code art. 84-85; Law on holidays].",
    {
        DayKind.WORKING: "A plain Monday-Friday working day (never listed by `calendarDays`, which lists "
        "only special days).",
        DayKind.WEEKEND: "Saturday or Sunday.",
        DayKind.HOLIDAY: "A statutory holiday, or the day off it moves to when it falls on a day off "
        "[Law on holidays art. 5].",
        DayKind.DAY_OFF_BY_DECREE: "A working day made a day off by a government decree [Labour Code art. 85].",
        DayKind.WORKING_BY_DECREE: "A day off (e.g. a Saturday) made a working day by a government decree "
        "[Labour Code art. 85].",
    },
)


@strawberry.type(description="A day that is not a plain Monday-Friday working day: a weekend day, a holiday, "
                 "a day off by decree or a working day by decree.")
class CalendarDay:
    day: date = strawberry.field(description="The day (Almaty).")
    kind: DayKind = strawberry.field(description="Why the day is special.")
    working: bool = strawberry.field(description="True only for a working day by decree: terms count it.")
    name: str = strawberry.field(
        description="The day's name in the request's language (Accept-Language: kk, ru, en): the holiday, "
        "the weekday, or the decree. Dates inside it are dd.mm.yyyy (kk, ru) or ISO (en). A decree entered "
        "by an admin is named by its own text, as entered."
    )

    @classmethod
    def of(cls, special: SpecialDay) -> CalendarDay:
        return cls(day=special.day, kind=special.kind, working=special.working, name=special.name)


@strawberry.type(description="A government decree moving one day, entered by an admin: a day off made "
                 "working or a working day made a day off [Labour Code art. 85]. Readable by every user.")
class CalendarOverride(RowNode, relay.Node, Timestamped):
    MODEL: ClassVar = m.CalendarOverrideRow

    id: relay.NodeID[int]
    day: date = strawberry.field(description="The day moved (Almaty).")
    working: bool = strawberry.field(description="True: the day is a working day; false: a day off.")
    decree: str = strawberry.field(description="The decree's reference (number and date), as entered.")

    @classmethod
    def from_row(cls, row: m.CalendarOverrideRow) -> CalendarOverride:
        return cls(id=row.id, day=row.day, working=row.working, decree=row.decree,
                   created_at=row.created_at, updated_at=row.updated_at)


@strawberry.type(description="The end of a term of working days, as the back end enforces it.")
class TermDue:
    start: date = strawberry.field(description="The day the term is counted from (not itself counted).")
    working_days: int = strawberry.field(description="The term's length in working days.")
    due_on: date = strawberry.field(description="The term's last working day (Almaty); `start` for a 0-day term.")
    due_at: datetime = strawberry.field(description="The end of the term: 18:30 Almaty on `dueOn`, as a UTC instant.")
