"""The working-day calendar with the decree overrides stored in the database."""

from __future__ import annotations

from datetime import date

from tortoise.transactions import in_transaction

from models.calendar import CalendarOverrideRow
from resolvers.changes import record_change, snapshot
from rules.access import Actor, Permission
from rules.calendar import CalendarOverride, WorkCalendar
from rules.errors import DomainError, ErrorCode

# Built calendars keyed by the override set: the table is tiny and read on every term
# computation, while building a calendar's year tables is the costly part.
_cache: dict[tuple[CalendarOverride, ...], WorkCalendar] = {}


async def load_calendar() -> WorkCalendar:
    rows = await CalendarOverrideRow.all().order_by("day")
    key = tuple(CalendarOverride(day=r.day, working=r.working, decree=r.decree) for r in rows)
    calendar = _cache.get(key)
    if calendar is None:
        _cache.clear()  # only the current set is useful
        calendar = _cache[key] = WorkCalendar(key)
    return calendar


async def list_overrides(actor: Actor, year: int) -> list[CalendarOverrideRow]:
    del actor  # any authenticated user may read the decrees
    return await CalendarOverrideRow.filter(
        day__gte=date(year, 1, 1), day__lte=date(year, 12, 31)
    ).order_by("day")


async def set_override(actor: Actor, day: date, working: bool, decree: str) -> CalendarOverrideRow:
    if not actor.can(Permission.EDIT_CALENDAR):
        raise DomainError(ErrorCode.FORBIDDEN)
    if not decree.strip():
        raise DomainError(ErrorCode.VALIDATION, field="decree", detail="cite the decree")
    async with in_transaction() as conn:
        row = await CalendarOverrideRow.get_or_none(day=day).using_db(conn)
        before = snapshot(row) if row else None
        if row is None:
            row = CalendarOverrideRow(day=day, working=working, decree=decree.strip())
        else:
            row.working, row.decree = working, decree.strip()
        await row.save(using_db=conn)
        await record_change(conn, actor, "calendar.override_set", row, before)
    return row


async def remove_override(actor: Actor, day: date) -> bool:
    if not actor.can(Permission.EDIT_CALENDAR):
        raise DomainError(ErrorCode.FORBIDDEN)
    async with in_transaction() as conn:
        row = await CalendarOverrideRow.get_or_none(day=day).using_db(conn)
        if row is None:
            raise DomainError(ErrorCode.NOT_FOUND, entity="CalendarOverride")
        before = snapshot(row)
        await row.delete(using_db=conn)
        await record_change(conn, actor, "calendar.override_removed", row, before)
    return True
