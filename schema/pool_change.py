"""The 2-day pool-change rule (001 §16) in GraphQL: pool memberships and the obligations
to notify the authority of a change of pool."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import strawberry
from strawberry.types import Info

from models import licensing as m
from resolvers import pool_change as uc  # importing it registers the overdue checker
from rules.enums import ObligationKind
from rules.workflow import days_left
from schema.context import Context
from schema.ids import pk_of, to_global_id
from schema.node import register_node
from schema.parties import Miner, Pool
from schema.relay import Connection, Node, page_args

__all__ = ["NotificationObligation", "PoolChangeMutation", "PoolChangeQuery", "PoolMembership"]

Ctx = Info[Context, None]

ObligationKindEnum = strawberry.enum(ObligationKind, name="ObligationKind")

register_node("NotificationObligation", m.NotificationObligation)


@strawberry.type(description="Through which accredited pool a miner mines, and since when.")
class PoolMembership:
    since: date
    until: date | None

    @strawberry.field
    async def pool(self, info: Ctx) -> Pool:
        return await info.context.loaders.pool.load(self.pool_id)  # type: ignore[attr-defined,return-value]

    @strawberry.field
    async def miner(self, info: Ctx) -> Miner:
        return await info.context.loaders.miner.load(self.miner_id)  # type: ignore[attr-defined,return-value]


@strawberry.type(description="The miner must notify the authority within 2 working days (001 §16).")
class NotificationObligation(Node):
    kind: ObligationKind
    reason: str
    occurred_on: date = strawberry.field(description="Registration day of the change becoming known.")
    due_at: datetime
    met_at: datetime | None
    notice_text: str | None

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id("NotificationObligation", self.pk))  # type: ignore[attr-defined]

    @strawberry.field
    async def miner(self, info: Ctx) -> Miner:
        return await info.context.loaders.miner.load(self.miner_id)  # type: ignore[attr-defined,return-value]

    @strawberry.field
    async def pool(self, info: Ctx) -> Pool | None:
        pool_id = self.pool_id  # type: ignore[attr-defined]
        return await info.context.loaders.pool.load(pool_id) if pool_id else None  # type: ignore[return-value]

    @strawberry.field(description="Not yet met.")
    def open(self) -> bool:
        return self.met_at is None

    @strawberry.field(description="Past its 2 WD unmet, or met late (stays flagged).")
    def overdue(self) -> bool:
        return uc.is_overdue_now(self, datetime.now(UTC))  # type: ignore[arg-type]

    @strawberry.field(description="Working days left while open; negative when overdue.")
    async def days_left(self, info: Ctx) -> int | None:
        if self.met_at is not None:
            return None
        return days_left(self.due_at, datetime.now(UTC), await info.context.calendar())

    @classmethod
    def is_type_of(cls, obj: Any, _info: Any) -> bool:
        return isinstance(obj, m.NotificationObligation)


@strawberry.type
class SetMinerPoolPayload:
    membership: PoolMembership
    obligation: NotificationObligation | None = strawberry.field(
        description="Opened when the pool changed; null for the first pool or the same pool."
    )


@strawberry.type
class ObligationsPayload:
    obligations: list[NotificationObligation]


@strawberry.type
class ObligationPayload:
    obligation: NotificationObligation


@strawberry.type
class PoolChangeQuery:
    @strawberry.field
    async def obligations(
        self,
        info: Ctx,
        miner_id: strawberry.ID | None = None,
        overdue: bool | None = None,
        open: bool | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[NotificationObligation]:
        page = await uc.list_obligations(
            info.context.user,
            miner_id=pk_of(miner_id, "Miner") if miner_id else None,
            overdue=overdue,
            open=open,
            **page_args(first, after, last, before),
        )
        return Connection.from_page(page)

    @strawberry.field(description="The miner's current pool membership, if any.")
    async def current_pool_membership(self, info: Ctx, miner_id: strawberry.ID) -> PoolMembership | None:
        return await uc.membership_of(info.context.user, pk_of(miner_id, "Miner"))  # type: ignore[return-value]


@strawberry.type
class PoolChangeMutation:
    @strawberry.mutation(description="Record the miner's current pool (officer, or the miner's applicant).")
    async def set_miner_pool(
        self, info: Ctx, miner_id: strawberry.ID, pool_id: strawberry.ID, since: date
    ) -> SetMinerPoolPayload:
        membership, obligation = await uc.set_miner_pool(
            info.context.user, pk_of(miner_id, "Miner"), pk_of(pool_id, "Pool"), since
        )
        return SetMinerPoolPayload(membership=membership, obligation=obligation)  # type: ignore[arg-type]

    @strawberry.mutation(description="Officer: the pool's accreditation lapsed or was revoked; its miners must notify.")
    async def pool_accreditation_lapsed(self, info: Ctx, pool_id: strawberry.ID, on: date) -> ObligationsPayload:
        opened = await uc.pool_accreditation_lapsed(info.context.user, pk_of(pool_id, "Pool"), on)
        return ObligationsPayload(obligations=opened)  # type: ignore[arg-type]

    @strawberry.mutation(description="The miner notifies the authority of the change (001 §16).")
    async def notify_pool_change(self, info: Ctx, obligation_id: strawberry.ID, text: str) -> ObligationPayload:
        obligation = await uc.notify_pool_change(
            info.context.user, pk_of(obligation_id, "NotificationObligation"), text
        )
        return ObligationPayload(obligation=obligation)  # type: ignore[arg-type]
