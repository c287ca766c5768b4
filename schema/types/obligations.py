"""Pool memberships and the 2-day pool-change obligations as clients see them (001 §16): typed
views built from rows, links read through the request's loaders."""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from datetime import date, datetime
from typing import Any, ClassVar

import strawberry
from strawberry import relay

from models import licensing as m
from models import parties as pm
from resolvers import pool_change as uc
from rules.calendar import ALMATY, WorkCalendar
from rules.enums import ObligationKind
from rules.workflow import days_left
from schema.enums import expose_enum
from schema.loaders import load_view
from schema.relay import RowNode, Timestamped
from schema.types.parties import Miner, Pool

__all__ = ["NotificationObligation", "PoolMembership", "prime_obligations"]

expose_enum(
    ObligationKind,
    "ObligationKind",
    "What a miner must notify the authority of.",
    {
        ObligationKind.POOL_CHANGE: "A change of the information on mining through a digital mining pool: "
        "notify within 2 working days of the change [001 §16, App.11 I(3), II(2)].",
    },
)


@strawberry.type(description="Through which accredited pool a miner mines, and since when [001 App.11 I(3), "
                 "II(2)]. Applicants see only their own organisation's memberships.")
class PoolMembership(RowNode, relay.Node, Timestamped):
    MODEL: ClassVar = m.PoolMembership

    id: relay.NodeID[int]
    since: date = strawberry.field(description="The day (Almaty) the miner started mining through the pool.")
    until: date | None = strawberry.field(description="The day it moved to another pool; null while current.")
    _miner_id: strawberry.Private[int]
    _pool_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: m.PoolMembership) -> PoolMembership:
        return cls(
            id=row.id, since=row.since, until=row.until, _miner_id=row.miner_id,  # type: ignore[attr-defined]
            _pool_id=row.pool_id, created_at=row.created_at, updated_at=row.updated_at,  # type: ignore[attr-defined]
        )

    @strawberry.field(description="The pool; null if the caller may not see it.")
    def pool(self, info: strawberry.Info) -> Pool | None:
        return load_view(Pool, info.context.loaders.visible(pm.Pool), self._pool_id)

    @strawberry.field(description="The miner; null if the caller may not see it.")
    def miner(self, info: strawberry.Info) -> Miner | None:
        return load_view(Miner, info.context.loaders.visible(pm.Miner), self._miner_id)


@strawberry.type(description="A miner's duty to notify the authority through the information system within 2 "
                 "working days of a change of its pool information, counted from the day of the change "
                 "[001 §16]. The miner's own recording of its new pool is the notice. Applicants see only "
                 "their own organisation's; partner systems see none.")
class NotificationObligation(RowNode, relay.Node, Timestamped):
    MODEL: ClassVar = m.NotificationObligation

    id: relay.NodeID[int]
    kind: ObligationKind = strawberry.field(description="What must be notified.")
    reason: str = strawberry.field(description="What changed, as a human-readable sentence in English (the new "
                                   "pool, or the lapsed accreditation, with dates as dd.mm.yyyy).")
    occurred_on: date = strawberry.field(description="The day of the change (Almaty): the pool changed or its "
                                         "accreditation lapsed; the 2 working days run from it.")
    due_at: datetime = strawberry.field(description="The end of the term: 18:30 Almaty on the second working day "
                                        "after the change, as a UTC instant [001 §16].")
    met_at: datetime | None = strawberry.field(description="When the miner notified (UTC); null while open.")
    notice_text: str | None = strawberry.field(description="What the miner told the authority; null while open.")
    _miner_id: strawberry.Private[int]
    _pool_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: m.NotificationObligation) -> NotificationObligation:
        return cls(
            id=row.id, kind=row.kind, reason=row.reason, occurred_on=row.occurred_on, due_at=row.due_at,
            met_at=row.met_at, notice_text=row.notice_text, _miner_id=row.miner_id,  # type: ignore[attr-defined]
            _pool_id=row.pool_id, created_at=row.created_at, updated_at=row.updated_at,  # type: ignore[attr-defined]
        )

    @strawberry.field(description="The last day of the term (Almaty): the working day `dueAt` falls on.")
    def due_on(self) -> date:
        return self.due_at.astimezone(ALMATY).date()

    @strawberry.field(description="True while the miner has not notified.")
    def open(self) -> bool:
        return self.met_at is None

    @strawberry.field(description="Unmet past `dueAt`, or met after it (a late notice stays overdue). The "
                      "`overdue` filter of `obligations` uses the same rule.")
    def overdue(self) -> bool:
        return uc.is_overdue(self.due_at, self.met_at, uc.current_time())

    @strawberry.field(description="Working days left until `dueAt` while open: 0 on the last day before "
                      "18:30, negative once overdue; null once met.")
    def days_left(self, info: strawberry.Info) -> int | None:
        if self.met_at is not None:
            return None
        calendar = info.context.calendar()  # loaded once per request
        if calendar.done():
            return days_left(self.due_at, uc.current_time(), calendar.result())
        return self._days_left_later(calendar)  # type: ignore[return-value]

    async def _days_left_later(self, calendar: Awaitable[WorkCalendar]) -> int:
        return days_left(self.due_at, uc.current_time(), await calendar)

    @strawberry.field(description="The miner that must notify; null if the caller may not see it.")
    def miner(self, info: strawberry.Info) -> Miner | None:
        return load_view(Miner, info.context.loaders.visible(pm.Miner), self._miner_id)

    @strawberry.field(description="The pool concerned (the new pool, or the one whose accreditation lapsed); "
                      "null if none is named or the caller may not see it.")
    def pool(self, info: strawberry.Info) -> Pool | None:
        return load_view(Pool, info.context.loaders.visible(pm.Pool), self._pool_id)


def prime_obligations(info: strawberry.Info) -> Any:
    """`Rows(prepare=...)` for a page of obligations: the calendar and the related rows the query
    selects, loaded once for the page, so that the fields return at once."""
    from schema.types.applications import node_selection

    wanted = node_selection(info)

    async def prepare(rows: Sequence[m.NotificationObligation]) -> None:
        loaders = info.context.loaders
        if "daysLeft" in wanted:
            await info.context.calendar()
        if "miner" in wanted:
            await loaders.visible(pm.Miner).load_many(sorted({r.miner_id for r in rows}))  # type: ignore[attr-defined]
        if "pool" in wanted:
            await loaders.visible(pm.Pool).load_many(sorted({r.pool_id for r in rows if r.pool_id}))  # type: ignore[attr-defined]

    return prepare
