"""The tenge value of the MRP per year (the fee unit, 001 App.3 item 7): one row a year.

Seeding is lazy, not a migration: `rules.fees.DEFAULT_MRP` holds the budget-law values
[outside the seeds] and the rows an administrator records win over them. A fresh database
therefore already computes fees, and correcting a year is a `setMrpRate`, audited, without a
deploy. (A data migration would have frozen the same four numbers into history twice.)
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from tortoise.transactions import in_transaction

from models.licensing import MrpRate
from resolvers import page_memo
from resolvers.changes import record_change, snapshot
from rules.access import Actor
from rules.enums import Role
from rules.errors import DomainError, ErrorCode
from rules.fees import DEFAULT_MRP
from rules.limits import MRP_TENGE, IntRange

__all__ = ["MAX_YEAR", "MIN_YEAR", "MRP_YEAR", "MrpValue", "SetMrpRate", "list_mrp", "mrp_by_year", "set_mrp_rate"]

MIN_YEAR, MAX_YEAR = 2000, 2100
MRP_YEAR = IntRange(MIN_YEAR, MAX_YEAR)


@dataclass(frozen=True)
class MrpValue:
    year: int
    tenge: Decimal
    recorded: bool  # False: the built-in default, no row recorded for the year


async def mrp_by_year() -> dict[int, Decimal]:
    """Tenge per MRP by year: the built-in defaults, overridden by the recorded rows."""

    async def load() -> dict[int, Decimal]:
        rates = dict(DEFAULT_MRP)
        for year, tenge in await MrpRate.all().values_list("year", "tenge"):
            rates[year] = Decimal(tenge)
        return rates

    return dict(await page_memo.once("mrp-by-year", load))  # a copy: callers may not share it


async def list_mrp() -> list[MrpValue]:
    recorded = {row.year: Decimal(row.tenge) for row in await MrpRate.all()}
    merged = {**DEFAULT_MRP, **recorded}
    return [MrpValue(year, merged[year], year in recorded) for year in sorted(merged)]


def _require_admin(actor: Actor) -> None:
    # Reference data that changes every fee: administrators only. No permission in
    # rules/access.py names this yet, and borrowing MANAGE_USERS would mislead the reader.
    if actor.role is not Role.ADMIN:
        raise DomainError(ErrorCode.FORBIDDEN)


@dataclass(frozen=True)
class SetMrpRate:
    year: int
    tenge: Decimal


async def set_mrp_rate(actor: Actor, cmd: SetMrpRate) -> MrpValue:
    _require_admin(actor)
    year, tenge = cmd.year, cmd.tenge
    MRP_YEAR.check(year, "year")
    value = MRP_TENGE.check(tenge, "tenge")
    async with in_transaction() as conn:
        row = await MrpRate.filter(year=year).using_db(conn).first()
        before = snapshot(row) if row else None
        if row is None:
            row = MrpRate(year=year, tenge=value)
        else:
            row.tenge = value
        await row.save(using_db=conn)
        await record_change(conn, actor, "mrp_rate.set", row, before)
    return MrpValue(year, value, True)
