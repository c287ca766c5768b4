"""The working-day calendar, read-only for everyone and editable by admins (decree overrides).

The front end asks these fields instead of computing dates itself, so it always shows the
dates the back end enforces.
"""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from strawberry.types import Info

from resolvers import calendar as uc
from rules.calendar import DayKind
from rules.errors import DomainError, ErrorCode
from schema.context import Context

Ctx = Info[Context, None]
_MAX_RANGE_DAYS = 800
_MAX_TERM = 366


@strawberry.type
class NonWorkingDay:
    day: date
    kind: DayKind
    name: str


@strawberry.type
class CalendarOverride:
    day: date
    working: bool
    decree: str


@strawberry.type(description="A term of n working days counted from the day after `start`.")
class TermDue:
    start: date
    working_days: int
    due_date: date
    due_at: datetime


@strawberry.type
class CalendarQuery:
    @strawberry.field(description="Weekends, holidays and decree days off in [start, end].")
    async def non_working_days(self, start: date, end: date) -> list[NonWorkingDay]:
        if end < start or (end - start).days > _MAX_RANGE_DAYS:
            raise DomainError(ErrorCode.VALIDATION, field="end", detail=f"0..{_MAX_RANGE_DAYS} days")
        calendar = await uc.load_calendar()
        return [
            NonWorkingDay(day=d.day, kind=d.kind, name=d.name)
            for d in calendar.non_working_days(start, end)
        ]

    @strawberry.field(description="The working day an application received at this instant is registered on.")
    async def registration_date(self, received_at: datetime) -> date:
        if received_at.tzinfo is None:
            raise DomainError(ErrorCode.VALIDATION, field="receivedAt", detail="give a time zone")
        return (await uc.load_calendar()).registration_date(received_at)

    @strawberry.field
    async def term_due(self, start: date, working_days: int) -> TermDue:
        if not 0 <= working_days <= _MAX_TERM:
            raise DomainError(ErrorCode.VALIDATION, field="workingDays", detail=f"0..{_MAX_TERM}")
        calendar = await uc.load_calendar()
        due = calendar.add_working_days(start, working_days)
        return TermDue(start=start, working_days=working_days, due_date=due, due_at=calendar.due_at(due))

    @strawberry.field
    async def calendar_overrides(self, info: Ctx, year: int) -> list[CalendarOverride]:
        rows = await uc.list_overrides(info.context.user, year)
        return [CalendarOverride(day=r.day, working=r.working, decree=r.decree) for r in rows]


@strawberry.type
class CalendarMutation:
    @strawberry.mutation(description="Record a decree that makes a day working or a day off (admin).")
    async def set_calendar_override(
        self, info: Ctx, day: date, working: bool, decree: str
    ) -> CalendarOverride:
        row = await uc.set_override(info.context.user, day, working, decree)
        return CalendarOverride(day=row.day, working=row.working, decree=row.decree)

    @strawberry.mutation
    async def remove_calendar_override(self, info: Ctx, day: date) -> bool:
        return await uc.remove_override(info.context.user, day)
