"""The 2-day pool-change rule (001 §16).

When the information on mining through a digital mining pool changes (App.11 I(3), II(2)),
the miner notifies the authority within 2 working days. The system opens a
`NotificationObligation` when the change becomes known (the miner's pool changes; the pool's
accreditation lapses or is revoked), tells the miner (outbox `alert.pool_change`), marks it
met when the miner notifies, and flags it overdue once the 2 WD pass
(`alert.pool_change_overdue`, once per obligation).

The overdue checker registers itself when this module is imported; the schema imports it
(schema/pool_change.py), and the worker must import it too (resolvers/wiring.py).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from jobs.registry import overdue_checker
from models.licensing import NotificationObligation, PoolMembership
from models.parties import Miner, Pool
from resolvers.calendar import load_calendar
from resolvers.changes import append_audit, emit, flag_overdue, record_change, snapshot
from resolvers.pagination import Page, paginate
from resolvers.scope import get_visible, require_may_act_for, visible
from rules.access import Actor, Permission
from rules.calendar import WorkCalendar
from rules.enums import ObligationKind
from rules.errors import DomainError, ErrorCode

__all__ = [
    "NOTIFY_WITHIN_WORKING_DAYS",
    "current_membership",
    "flag_overdue_obligations",
    "list_obligations",
    "membership_of",
    "notify_pool_change",
    "pool_accreditation_lapsed",
    "set_miner_pool",
]


# 001 §16: "в течение 2 (два) рабочих дней уведомляет".
NOTIFY_WITHIN_WORKING_DAYS = 2


def _now() -> datetime:
    return datetime.now(UTC)


async def current_membership(miner_id: int, conn: BaseDBAsyncClient | None = None) -> PoolMembership | None:
    qs = PoolMembership.filter(miner_id=miner_id, until=None).order_by("-since", "-id")
    return await (qs.using_db(conn) if conn else qs).first()


async def membership_of(actor: Actor, miner_id: int) -> PoolMembership | None:
    miner = await get_visible(Miner, actor, miner_id, "Miner")
    return await current_membership(miner.pk)


async def _open_obligation(
    conn: BaseDBAsyncClient,
    actor: Actor,
    *,
    miner_id: int,
    pool_id: int | None,
    reason: str,
    known_at: datetime,
    dedup_key: str,
    calendar: WorkCalendar,
) -> NotificationObligation:
    """Open one obligation per triggering fact (dedup_key) and tell the miner."""
    existing = await NotificationObligation.filter(dedup_key=dedup_key).using_db(conn).first()
    if existing is not None:
        return existing
    occurred_on = calendar.registration_date(known_at)
    obligation = NotificationObligation(
        miner_id=miner_id,
        kind=ObligationKind.POOL_CHANGE,
        reason=reason[:500],
        pool_id=pool_id,
        occurred_on=occurred_on,
        due_at=calendar.term_due(occurred_on, NOTIFY_WITHIN_WORKING_DAYS),
        dedup_key=dedup_key,
    )
    await obligation.save(using_db=conn)
    await record_change(conn, actor, "obligation.opened", obligation, None, topic="obligation.opened")
    await emit(
        conn,
        "alert.pool_change",
        {
            "miner_id": miner_id,
            "obligation_id": obligation.pk,
            "pool_id": pool_id,
            "reason": obligation.reason,
            "due": obligation.due_at,
        },
        dedup_key=f"alert.pool-change:{obligation.pk}",
    )
    return obligation


async def set_miner_pool(
    actor: Actor, miner_id: int, pool_id: int, since: date, *, now: datetime | None = None
) -> tuple[PoolMembership, NotificationObligation | None]:
    """Record the miner's current pool; a change of pool (not the first one) opens the 2-WD
    obligation. Naming the pool the miner is already in changes nothing."""
    miner = await get_visible(Miner, actor, miner_id, "Miner")
    require_may_act_for(actor, miner)
    # Pools are not the applicant's own records, yet a miner must be able to name its pool.
    pool = await Pool.get_or_none(pk=pool_id)
    if pool is None:
        raise DomainError(ErrorCode.NOT_FOUND, entity="Pool", field="poolId")
    known_at = now or _now()
    calendar = await load_calendar()
    async with in_transaction() as conn:
        if conn.capabilities.dialect == "postgres":
            # Two concurrent changes for one miner would both close the same membership.
            await Miner.filter(pk=miner.pk).using_db(conn).select_for_update().first()
        current = await current_membership(miner.pk, conn)
        if current is not None and current.pool_id == pool.pk:  # type: ignore[attr-defined]
            return current, None
        if current is not None and since < current.since:
            raise DomainError(
                ErrorCode.VALIDATION, field="since", detail=f"before the current membership ({current.since})"
            )
        had_pool = await PoolMembership.filter(miner_id=miner.pk).using_db(conn).exists()
        if current is not None:
            before = snapshot(current)
            current.until = since
            await current.save(using_db=conn, update_fields=["until", "updated_at"])
            await record_change(conn, actor, "pool_membership.closed", current, before)
        membership = PoolMembership(miner_id=miner.pk, pool_id=pool.pk, since=since)
        await membership.save(using_db=conn)
        await record_change(conn, actor, "pool_membership.opened", membership, None)
        obligation = None
        if had_pool:
            obligation = await _open_obligation(
                conn,
                actor,
                miner_id=miner.pk,
                pool_id=pool.pk,
                reason=f"pool changed to {pool.name} (BIN {pool.bin}) since {since}",
                known_at=known_at,
                dedup_key=f"pool-change:{membership.pk}",
                calendar=calendar,
            )
    return membership, obligation


async def pool_accreditation_lapsed(
    actor: Actor, pool_id: int, on: date, *, now: datetime | None = None
) -> list[NotificationObligation]:
    """The pool's accreditation expired or was revoked on ``on``: every miner currently in it
    must tell the authority how it mines now. Replaying the same lapse opens nothing new."""
    if not actor.can(Permission.DECIDE):
        raise DomainError(ErrorCode.FORBIDDEN)
    pool = await get_visible(Pool, actor, pool_id, "Pool")
    known_at = now or _now()
    calendar = await load_calendar()
    opened = []
    async with in_transaction() as conn:
        members = await PoolMembership.filter(pool_id=pool.pk, until=None).using_db(conn).order_by("id")
        for membership in members:
            opened.append(
                await _open_obligation(
                    conn,
                    actor,
                    miner_id=membership.miner_id,  # type: ignore[attr-defined]
                    pool_id=pool.pk,
                    reason=f"accreditation of pool {pool.name} (BIN {pool.bin}) lapsed on {on}",
                    known_at=known_at,
                    dedup_key=f"pool-lapsed:{pool.pk}:{on.isoformat()}:{membership.pk}",
                    calendar=calendar,
                )
            )
    return opened


async def get_obligation(actor: Actor, obligation_id: int) -> NotificationObligation:
    return await get_visible(NotificationObligation, actor, obligation_id, "NotificationObligation")


async def notify_pool_change(
    actor: Actor, obligation_id: int, text: str, *, now: datetime | None = None
) -> NotificationObligation:
    """The miner's notification (§16): meets the obligation, late or not; late stays flagged."""
    obligation = await get_obligation(actor, obligation_id)
    miner = await Miner.get(pk=obligation.miner_id)  # type: ignore[attr-defined]
    require_may_act_for(actor, miner)
    if not text.strip():
        raise DomainError(ErrorCode.VALIDATION, field="text", detail="what changed and how the miner mines now")
    if obligation.met_at is not None:
        raise DomainError(
            ErrorCode.ILLEGAL_TRANSITION, detail="already notified", action="NOTIFY", stage="MET"
        )
    at = now or _now()
    async with in_transaction() as conn:
        qs = NotificationObligation.filter(pk=obligation.pk).using_db(conn)
        if conn.capabilities.dialect == "postgres":
            qs = qs.select_for_update()  # a double submit notifies once
        obligation = await qs.get()
        if obligation.met_at is not None:
            raise DomainError(ErrorCode.ILLEGAL_TRANSITION, detail="already notified", action="NOTIFY", stage="MET")
        before = snapshot(obligation)
        obligation.met_at, obligation.notice_text = at, text.strip()
        if at > obligation.due_at:
            obligation.overdue = True
        await obligation.save(
            using_db=conn, update_fields=["met_at", "notice_text", "overdue", "updated_at"]
        )
        after = snapshot(obligation)
        await append_audit(conn, actor, "obligation.met", "NotificationObligation", obligation.pk, before, after)
        await emit(
            conn,
            "obligation.met",
            {
                "obligation_id": obligation.pk,
                "miner_id": obligation.miner_id,  # type: ignore[attr-defined]
                "late": obligation.overdue,
                "text": text.strip(),
            },
        )
    return obligation


def is_overdue_now(obligation: NotificationObligation, now: datetime) -> bool:
    if obligation.overdue:
        return True
    return obligation.met_at is None and now > obligation.due_at


async def list_obligations(
    actor: Actor,
    *,
    miner_id: int | None = None,
    overdue: bool | None = None,
    open: bool | None = None,
    now: datetime | None = None,
    **page: int | None,
) -> Page[NotificationObligation]:
    qs: QuerySet[NotificationObligation] = visible(NotificationObligation.all(), actor)
    if miner_id is not None:
        qs = qs.filter(miner_id=miner_id)
    if open is not None:
        qs = qs.filter(met_at__isnull=open)
    if overdue is not None:
        late = Q(overdue=True) | Q(met_at__isnull=True, due_at__lt=now or _now())
        qs = qs.filter(late) if overdue else qs.filter(~late)
    return await paginate(qs, **page)


@overdue_checker("pool_change")
async def flag_overdue_obligations(now: datetime, calendar: WorkCalendar) -> int:
    """Flag unmet obligations past their 2 WD; one alert per obligation however often run."""
    late = await NotificationObligation.filter(met_at__isnull=True, overdue=False, due_at__lt=now)
    return await flag_overdue(
        late,
        "alert.pool_change_overdue",
        "pool-change-overdue",
        lambda obligation: {
            "obligation_id": obligation.pk,
            "miner_id": obligation.miner_id,
            "due": obligation.due_at,
        },
    )
