"""The working-day calendar with the decree overrides stored in the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tortoise.transactions import in_transaction

from models.calendar import CalendarOverrideRow
from resolvers.changes import record_change, snapshot
from rules.access import Actor, Permission
from rules.audit import AuditAction
from rules.calendar import MAX_DATE, MAX_YEAR, MIN_DATE, MIN_YEAR, CalendarOverride, WorkCalendar
from rules.errors import DomainError, ErrorCode
from rules.limits import check_text

__all__ = [
    "RemoveCalendarOverride",
    "SetCalendarOverride",
    "list_overrides",
    "load_calendar",
    "remove_override",
    "set_override",
]

DECREE_MAX = 500  # calendar_override.decree

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


@dataclass(frozen=True)
class SetCalendarOverride:
    day: date
    working: bool  # True: an extra working day (e.g. a working Saturday); False: a day off
    decree: str  # the decree's reference, shown as the day's name


@dataclass(frozen=True)
class RemoveCalendarOverride:
    day: date


def _check_day(day: date, field: str) -> date:
    if not MIN_DATE <= day <= MAX_DATE:
        raise DomainError(
            ErrorCode.VALIDATION, field=field,
            detail=f"outside the calendar ({MIN_DATE.isoformat()}..{MAX_DATE.isoformat()})",
        )
    return day


async def list_overrides(actor: Actor, year: int) -> list[CalendarOverrideRow]:
    """The decrees of one year (any authenticated user may read them)."""
    del actor
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise DomainError(ErrorCode.VALIDATION, field="year", detail=f"{MIN_YEAR}..{MAX_YEAR}")
    return await CalendarOverrideRow.filter(day__gte=date(year, 1, 1), day__lte=date(year, 12, 31)).order_by("day")


async def set_override(actor: Actor, cmd: SetCalendarOverride) -> CalendarOverrideRow:
    """Record (or change) the decree for one day (admins)."""
    if not actor.can(Permission.EDIT_CALENDAR):
        raise DomainError(ErrorCode.FORBIDDEN)
    day = _check_day(cmd.day, "day")
    decree = check_text(cmd.decree, "decree", max_length=DECREE_MAX)
    async with in_transaction() as conn:
        row = await CalendarOverrideRow.get_or_none(day=day).using_db(conn)
        before = snapshot(row) if row else None
        if row is None:
            row = CalendarOverrideRow(day=day, working=cmd.working, decree=decree)
        else:
            row.working, row.decree = cmd.working, decree
        await row.save(using_db=conn)
        await record_change(conn, actor, AuditAction.CALENDAR_OVERRIDE_SET.value, row, before)
    return row


async def remove_override(actor: Actor, cmd: RemoveCalendarOverride) -> CalendarOverrideRow:
    """Remove the decree of one day (admins); the removed row (no longer stored) is returned."""
    if not actor.can(Permission.EDIT_CALENDAR):
        raise DomainError(ErrorCode.FORBIDDEN)
    day = _check_day(cmd.day, "day")
    async with in_transaction() as conn:
        row = await CalendarOverrideRow.get_or_none(day=day).using_db(conn)
        if row is None:
            raise DomainError(ErrorCode.NOT_FOUND, entity="CalendarOverride", field="day")
        before = snapshot(row)
        await row.delete(using_db=conn)
        await record_change(conn, actor, AuditAction.CALENDAR_OVERRIDE_REMOVED.value, row, before)
    return row
