"""The 2-day pool-change rule (001 §16): pool memberships and the obligations to notify the
authority of a change of pool (the types are in schema/types/obligations.py)."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Annotated

import strawberry
from strawberry import relay

from resolvers import pool_change as uc  # importing it registers the overdue checker
from resolvers.listing import SortKey
from schema.enums import OrderDirection
from schema.errors import mutation, payload
from schema.ids import pk_of
from schema.relay import Connection, Rows, connection, order_of
from schema.types.obligations import NotificationObligation, PoolMembership, prime_obligations

__all__ = ["PoolChangeMutation", "PoolChangeQuery"]


# --- ordering -----------------------------------------------------------------------------------


@strawberry.enum(description="What a list of notification obligations can be sorted by.")
class ObligationOrderField(Enum):
    DUE = strawberry.enum_value("DUE", description="The end of the term (`dueAt`).")


@strawberry.input(description="Sort order of a list of notification obligations.")
class ObligationOrder:
    field: ObligationOrderField = strawberry.field(description="What to sort by.")
    direction: OrderDirection = strawberry.field(default=OrderDirection.ASC, description="Ascending by default.")


_OBLIGATION_KEYS = {ObligationOrderField.DUE: SortKey("due_at", datetime)}


# --- inputs -------------------------------------------------------------------------------------


@strawberry.input(description="The pool a miner mines through now.")
class SetMinerPoolInput:
    miner_id: relay.GlobalID = strawberry.field(description="The miner (its own applicant, or an officer).")
    pool_id: relay.GlobalID = strawberry.field(description="The accredited pool.")
    since: date = strawberry.field(description="The day of the change (Almaty), not after today and not before "
                                   "the current membership began: the 2 working days run from it [001 §16].")


@strawberry.input(description="A pool's accreditation lapsed or was revoked.")
class PoolAccreditationLapsedInput:
    pool_id: relay.GlobalID = strawberry.field(description="The pool.")
    on: date = strawberry.field(description="The day (Almaty) the accreditation lapsed or was revoked: its "
                                "members' 2 working days run from it [001 §16].")


@strawberry.input(description="The miner's notice of a change of its pool information.")
class NotifyPoolChangeInput:
    obligation_id: relay.GlobalID = strawberry.field(description="The open obligation.")
    text: str = strawberry.field(description="What changed and how the miner mines now, up to 4000 characters.")


# --- payloads -----------------------------------------------------------------------------------


@payload(description="The miner's membership and the obligation it opened, or why not.")
class SetMinerPoolPayload:
    membership: PoolMembership | None = strawberry.field(default=None, description="The current membership "
                                                         "(unchanged when the pool named is the current one).")
    obligation: NotificationObligation | None = strawberry.field(
        default=None,
        description="The obligation opened by a change of pool: met at once when the miner's own applicant "
        "recorded it (the recording is the notice), open when an officer did. When the miner's applicant names "
        "the current pool again, the obligation still open that its recording met (e.g. one an officer opened). "
        "Null for the first pool, or the current pool named again with nothing open.",
    )


@payload(description="The obligations opened for the pool's current members, or why not.")
class PoolAccreditationLapsedPayload:
    obligations: list[NotificationObligation] | None = strawberry.field(
        default=None, description="One per current member (the same ones again when the lapse is replayed)."
    )


@payload(description="The obligation, now met, or why not.")
class NotifyPoolChangePayload:
    obligation: NotificationObligation | None = strawberry.field(default=None, description="The obligation as met.")


# --- queries & mutations ------------------------------------------------------------------------


@strawberry.type
class PoolChangeQuery:
    @connection(description="Pool-change notification obligations [001 §16]; applicants see only their own "
                "organisation's, partner systems none.")
    async def obligations(
        self,
        info: strawberry.Info,
        miner_id: Annotated[relay.GlobalID | None, strawberry.argument(description="Of this miner.")] = None,
        open: Annotated[bool | None, strawberry.argument(description="True: not yet met; false: met.")] = None,
        overdue: Annotated[bool | None, strawberry.argument(
            description="True: overdue by the rule of the `overdue` field (unmet past `dueAt`, or met after "
            "it); false: not overdue."
        )] = None,
        order_by: Annotated[ObligationOrder | None, strawberry.argument(description="Sort order (default: "
                                                                          "opening order).")] = None,
    ) -> Connection[NotificationObligation]:
        listing = uc.list_obligations(
            info.context.user,
            miner_id=pk_of(miner_id, "Miner", "minerId") if miner_id else None,
            open=open,
            overdue=overdue,
            now=uc.current_time(),
            order=order_of(order_by, _OBLIGATION_KEYS),
        )
        return Rows(listing, NotificationObligation.from_row, prepare=prime_obligations(info))  # type: ignore[return-value]

    @strawberry.field(description="The miner's current pool membership; null when it has none, or the miner "
                      "is not the caller's to see.")
    async def current_pool_membership(
        self,
        info: strawberry.Info,
        miner_id: Annotated[relay.GlobalID, strawberry.argument(description="The miner.")],
    ) -> PoolMembership | None:
        row = await uc.membership_of(info.context.user, pk_of(miner_id, "Miner", "minerId"))
        return None if row is None else PoolMembership.from_row(row)


@strawberry.type
class PoolChangeMutation:
    @mutation(description="Record the pool a miner mines through (its own applicant, or an officer). A change "
              "of pool opens the 2-working-day obligation from the day of the change; recorded by the "
              "miner's applicant it is the notice itself, for that change and for every pool obligation of the "
              "miner still open (late when past its term) [001 §16].")
    async def set_miner_pool(self, info: strawberry.Info, input: SetMinerPoolInput) -> SetMinerPoolPayload:
        cmd = uc.SetMinerPool(
            miner_id=pk_of(input.miner_id, "Miner", "minerId"),
            pool_id=pk_of(input.pool_id, "Pool", "poolId"),
            since=input.since,
        )
        change = await uc.set_miner_pool(info.context.user, cmd)
        return SetMinerPoolPayload(
            membership=PoolMembership.from_row(change.membership),
            obligation=None if change.obligation is None else NotificationObligation.from_row(change.obligation),
        )

    @mutation(description="Officer: a pool's accreditation lapsed or was revoked; each current member must "
              "notify how it mines now within 2 working days [001 §16].")
    async def pool_accreditation_lapsed(
        self, info: strawberry.Info, input: PoolAccreditationLapsedInput
    ) -> PoolAccreditationLapsedPayload:
        cmd = uc.PoolAccreditationLapsed(pool_id=pk_of(input.pool_id, "Pool", "poolId"), on=input.on)
        opened = await uc.pool_accreditation_lapsed(info.context.user, cmd)
        return PoolAccreditationLapsedPayload(obligations=[NotificationObligation.from_row(o) for o in opened])

    @mutation(description="The miner (or an officer on its behalf) notifies the authority of the change; a "
              "late notice is recorded and stays overdue [001 §16].")
    async def notify_pool_change(self, info: strawberry.Info, input: NotifyPoolChangeInput) -> NotifyPoolChangePayload:
        cmd = uc.NotifyPoolChange(
            obligation_id=pk_of(input.obligation_id, "NotificationObligation", "obligationId"), text=input.text
        )
        obligation = await uc.notify_pool_change(info.context.user, cmd)
        return NotifyPoolChangePayload(obligation=NotificationObligation.from_row(obligation))
