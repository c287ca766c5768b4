"""The working-day calendar: read by every user, decrees entered by admins. The front end asks
these fields instead of computing dates itself, so it always shows the dates the back end
enforces. The types are in schema/types/calendar.py."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry
from strawberry import relay

from resolvers import calendar as uc
from rules.calendar import MAX_YEAR, MIN_YEAR
from rules.errors import DomainError, ErrorCode
from rules.limits import IntRange
from schema.bounds import bound, described
from schema.errors import mutation, payload
from schema.ids import to_global_id
from schema.types.calendar import CalendarDay, CalendarOverride, TermDue

__all__ = ["CalendarMutation", "CalendarQuery"]

MAX_RANGE_DAYS = 800  # two years and a bit: a year view with its neighbours
MAX_TERM = 366
_SPAN = f"{MIN_YEAR}-01-01 to {MAX_YEAR}-12-31"
_YEARS = IntRange(MIN_YEAR, MAX_YEAR)


@strawberry.input(description="Admin: a decree moving one day.")
class SetCalendarOverrideInput:
    day: date = strawberry.field(description=f"The day moved, within the calendar ({_SPAN}).")
    working: bool = strawberry.field(description="True: make it a working day (e.g. a Saturday); false: a day off.")
    decree: str = strawberry.field(description="The decree's reference (number and date), up to 500 characters; "
                                   "shown as the day's name.")


@strawberry.input(description="Admin: remove the decree override of one day.")
class RemoveCalendarOverrideInput:
    day: date = strawberry.field(description="The day whose override is removed.")


@payload(description="The override as recorded, or why not.")
class SetCalendarOverridePayload:
    calendar_override: CalendarOverride | None = strawberry.field(default=None, description="The override as "
                                                                  "now in force.")


@payload(description="Which override was removed, or why not.")
class RemoveCalendarOverridePayload:
    removed_calendar_override_id: relay.GlobalID | None = strawberry.field(
        default=None, description="The global id the removed override had (it no longer resolves)."
    )
    day: date | None = strawberry.field(default=None, description="The day that follows the statutory calendar again.")


def _check_range(start: date, end: date) -> None:
    if end < start or (end - start).days > MAX_RANGE_DAYS:
        raise DomainError(ErrorCode.VALIDATION, field="end", detail=f"on or after start, at most {MAX_RANGE_DAYS} days later")


@strawberry.type
class CalendarQuery:
    @strawberry.field(description=f"Every special day in [start, end] (at most {MAX_RANGE_DAYS} days apart), in "
                      "date order: weekends, holidays, days off by decree and working days by decree, named in the "
                      "request's language. Days not listed are plain Monday-Friday working days.")
    async def calendar_days(
        self,
        info: strawberry.Info,
        start: Annotated[date, strawberry.argument(description=f"First day (Almaty), within {_SPAN}.")],
        end: Annotated[date, strawberry.argument(description="Last day (Almaty), inclusive.")],
    ) -> list[CalendarDay]:
        info.context.user  # noqa: B018 - authenticated callers only
        _check_range(start, end)
        calendar = await info.context.calendar()
        return [CalendarDay.of(d) for d in calendar.special_days(start, end, info.context.language)]

    @strawberry.field(description="The working day an application received at this instant is registered on: "
                      "that day if it is a working day and the instant is before 18:30 Almaty, else the next "
                      "working day [001 App.3 item 8].")
    async def registration_date(
        self,
        info: strawberry.Info,
        received_at: Annotated[datetime, strawberry.argument(description="When the application was received, with "
                                                             "its UTC offset (a time without one is VALIDATION).")],
    ) -> date:
        info.context.user  # noqa: B018
        if received_at.tzinfo is None or received_at.utcoffset() is None:
            raise DomainError(ErrorCode.VALIDATION, field="receivedAt", detail="give a time zone")
        return (await info.context.calendar()).registration_date(received_at)

    @strawberry.field(description="When a term of n working days counted from the day after `start` ends.")
    async def term_due(
        self,
        info: strawberry.Info,
        start: Annotated[date, strawberry.argument(description=f"The day the term is counted from, within {_SPAN}.")],
        working_days: Annotated[int, strawberry.argument(description=f"The term in working days, 0 to {MAX_TERM}.")],
    ) -> TermDue:
        info.context.user  # noqa: B018
        if not 0 <= working_days <= MAX_TERM:
            raise DomainError(ErrorCode.VALIDATION, field="workingDays", detail=f"0..{MAX_TERM}")
        calendar = await info.context.calendar()
        due = calendar.add_working_days(start, working_days)
        return TermDue(start=start, working_days=working_days, due_on=due, due_at=calendar.due_at(due))

    @strawberry.field(description="The decree overrides entered for one year, in date order (every user).")
    async def calendar_overrides(
        self,
        info: strawberry.Info,
        year: Annotated[int, strawberry.argument(description=described("The year.", _YEARS), metadata=bound(_YEARS))],
    ) -> list[CalendarOverride]:
        return [CalendarOverride.from_row(r) for r in await uc.list_overrides(info.context.user, year)]


@strawberry.type
class CalendarMutation:
    @mutation(description="Admin: record a decree making a day working or a day off; a second decree for the "
              "same day replaces the first. Terms computed afterwards follow it [Labour Code art. 85].")
    async def set_calendar_override(self, info: strawberry.Info, input: SetCalendarOverrideInput) -> SetCalendarOverridePayload:
        cmd = uc.SetCalendarOverride(day=input.day, working=input.working, decree=input.decree)
        row = await uc.set_override(info.context.user, cmd)
        return SetCalendarOverridePayload(calendar_override=CalendarOverride.from_row(row))

    @mutation(description="Admin: remove the decree override of a day (NOT_FOUND when the day has none).")
    async def remove_calendar_override(
        self, info: strawberry.Info, input: RemoveCalendarOverrideInput
    ) -> RemoveCalendarOverridePayload:
        row = await uc.remove_override(info.context.user, uc.RemoveCalendarOverride(day=input.day))
        return RemoveCalendarOverridePayload(
            removed_calendar_override_id=to_global_id("CalendarOverride", row.id), day=row.day
        )
