"""The rule sets' entry into force (rules/rule_sets.py): the orders' publication dates as data.

`load_rule_sets` reads the publication dates an admin entered (an order without a row keeps its
documented default), builds the table and makes it the one the rules use in this process; the
API and the worker load it at start-up, and `set_publication` reloads it after a change (another
process picks a change up at its next start or its next `load_rule_sets`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from tortoise.transactions import in_transaction

from models.rule_sets import OrderPublication
from resolvers.changes import record_change, snapshot
from rules.access import Actor, Permission
from rules.audit import AuditAction
from rules.calendar import ALMATY
from rules.errors import DomainError, ErrorCode
from rules.limits import check_text
from rules.rule_sets import ORDERS, LegalOrder, RuleSetTable, activate, build_table

__all__ = ["SOURCE_MAX", "SetOrderPublication", "load_rule_sets", "publications", "set_publication"]

SOURCE_MAX = 500  # order_publication.source


@dataclass(frozen=True)
class SetOrderPublication:
    order: LegalOrder
    published_on: date  # the day of first official publication
    source: str  # where it was published (e.g. "ЭКБ НПА РК")


async def publications() -> dict[LegalOrder, OrderPublication]:
    return {LegalOrder(row.legal_order): row for row in await OrderPublication.all()}


async def load_rule_sets() -> RuleSetTable:
    """The table for the stored publication dates, made the active one."""
    table = build_table({order: row.published_on for order, row in (await publications()).items()})
    activate(table)
    return table


def _check_published_on(order: LegalOrder, published_on: date, today: date) -> date:
    facts = ORDERS[order]
    earliest = facts.registered_on or facts.signed_on  # published only once registered
    if not earliest <= published_on <= today:
        raise DomainError(
            ErrorCode.VALIDATION, field="publishedOn",
            detail=f"{facts.number} was published on or after {earliest.isoformat()} and not after today",
        )
    return published_on


async def set_publication(actor: Actor, cmd: SetOrderPublication) -> OrderPublication:
    """Record (or correct) the day an order was first published (admins); the rule sets dated by
    it move with it at once in this process."""
    if not actor.can(Permission.EDIT_RULE_SETS):
        raise DomainError(ErrorCode.FORBIDDEN)
    order = LegalOrder(cmd.order)
    published_on = _check_published_on(order, cmd.published_on, datetime.now(UTC).astimezone(ALMATY).date())
    source = check_text(cmd.source, "source", max_length=SOURCE_MAX)
    async with in_transaction() as conn:
        row = await OrderPublication.get_or_none(legal_order=order).using_db(conn)
        before = snapshot(row) if row else None
        if row is None:
            row = OrderPublication(legal_order=order, published_on=published_on, source=source)
        else:
            row.published_on, row.source = published_on, source
        await row.save(using_db=conn)
        await record_change(conn, actor, AuditAction.ORDER_PUBLICATION_SET.value, row, before)
    await load_rule_sets()
    return row
