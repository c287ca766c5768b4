"""The 2-day pool-change rule (001 §16).

When the information on mining through a digital mining pool changes (App.11 I(3), II(2)),
the miner notifies the authority within 2 working days of the change, through the information
system. The term runs from the day of the change itself, not from when the system learns of
it. The system opens a `NotificationObligation` when the change becomes known:

- the miner's pool changes (`set_miner_pool`). Recorded by the miner's own applicant, the
  recording *is* the notice: the obligation is met at once (late if the 2 WD counted from the
  change date it declares have passed), and so is every other open pool obligation of the
  miner (a lapse of its pool's accreditation, a change an officer recorded first: the miner
  has now told the authority how it mines), even when it names the pool already recorded.
  Recorded by an officer (the change became known otherwise), it stays open until the miner
  notifies (`notify_pool_change`) or records its pool itself;
- the pool's accreditation lapses or is revoked (`pool_accreditation_lapsed`): every current
  member must tell the authority how it mines now.

An open obligation tells the miner (outbox `alert.pool_change`); once its 2 WD pass unmet the
checker flags it and alerts once (`alert.pool_change_overdue`).

The overdue job runs `flag_overdue_obligations` (listed in resolvers/wiring.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F, Q
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from models.licensing import NotificationObligation, PoolMembership
from models.parties import Miner, Pool
from resolvers.calendar import load_calendar
from resolvers.changes import append_audit, emit, flag_overdue, record_change, snapshot
from resolvers.listing import Listing, Order
from resolvers.pools import accredited_pool_ids
from resolvers.scope import find_visible, get_visible, owner_of, require_may_act_for, visible
from rules.access import Actor, Permission, owns
from rules.calendar import ALMATY, MAX_DATE, MIN_DATE, WorkCalendar
from rules.enums import ObligationKind
from rules.errors import DomainError, ErrorCode
from rules.limits import check_text

__all__ = [
    "NOTICE_MAX",
    "NOTIFY_WITHIN_WORKING_DAYS",
    "NotifyPoolChange",
    "PoolAccreditationLapsed",
    "PoolChange",
    "SetMinerPool",
    "current_membership",
    "current_time",
    "flag_overdue_obligations",
    "is_overdue",
    "list_obligations",
    "membership_of",
    "notify_pool_change",
    "overdue_filter",
    "pool_accreditation_lapsed",
    "set_miner_pool",
]


# 001 §16: "в течение 2 (два) рабочих дней уведомляет".
NOTIFY_WITHIN_WORKING_DAYS = 2
NOTICE_MAX = 4000  # what the miner tells the authority


def _now() -> datetime:
    return datetime.now(UTC)


def _utc_now() -> datetime:
    return _now().astimezone(UTC)


def current_time() -> datetime:
    """The clock the rules below are judged by (one place, so tests can move it)."""
    return _utc_now()


# --- the overdue rule: one definition for the field and the filter --------------------------


def is_overdue(due_at: datetime, met_at: datetime | None, now: datetime) -> bool:
    """Unmet past its term, or met after it (a late notice stays overdue)."""
    return now > due_at if met_at is None else met_at > due_at


def overdue_filter(now: datetime) -> Q:
    """`is_overdue` as a query filter."""
    return Q(met_at__isnull=True, due_at__lt=now) | Q(met_at__isnull=False, met_at__gt=F("due_at"))


# --- commands -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SetMinerPool:
    miner_id: int
    pool_id: int
    since: date  # the day of the change: the miner mines through the pool from then


@dataclass(frozen=True)
class PoolAccreditationLapsed:
    pool_id: int
    on: date  # the day the accreditation lapsed or was revoked


@dataclass(frozen=True)
class NotifyPoolChange:
    obligation_id: int
    text: str


@dataclass(frozen=True)
class PoolChange:
    membership: PoolMembership
    obligation: NotificationObligation | None  # None: the first pool, or the same pool again


# --- memberships ----------------------------------------------------------------------------


async def current_membership(miner_id: int, conn: BaseDBAsyncClient | None = None) -> PoolMembership | None:
    qs = PoolMembership.filter(miner_id=miner_id, until=None).order_by("-since", "-id")
    return await (qs.using_db(conn) if conn else qs).first()


def list_memberships(actor: Actor, *, current: bool = True) -> Listing[PoolMembership]:
    """Pool memberships the caller may see (current ones only, by default), oldest first."""
    qs: QuerySet[PoolMembership] = visible(PoolMembership.all(), actor)
    return Listing(qs.filter(until=None) if current else qs, Order())


async def current_pools(actor: Actor, miner_ids: Sequence[int]) -> dict[int, Pool]:
    """Miner id -> the pool of its current membership, for the miners and pools the caller may
    see (two statements for any number of miners)."""
    rows = await visible(PoolMembership.filter(miner_id__in=list(miner_ids), until=None), actor).order_by("since", "id")
    current = {row.miner_id: row.pool_id for row in rows}  # type: ignore[attr-defined]  # the latest wins
    pools = {pool.pk: pool for pool in await visible(Pool.filter(id__in=set(current.values())), actor)}
    return {miner: pools[pool] for miner, pool in current.items() if pool in pools}


async def membership_of(actor: Actor, miner_id: int) -> PoolMembership | None:
    """The miner's current membership; None too when the miner is not the caller's to see."""
    miner = await find_visible(Miner, actor, miner_id)
    if miner is None:
        return None
    membership = await current_membership(miner.pk)
    if membership is None:
        return None
    return await find_visible(PoolMembership, actor, membership.pk)


def _check_day(day: date, field: str, *, not_after: date | None = None) -> date:
    if not MIN_DATE <= day <= MAX_DATE:
        raise DomainError(ErrorCode.VALIDATION, field=field, detail=f"{MIN_DATE}..{MAX_DATE}")
    if not_after is not None and day > not_after:
        raise DomainError(ErrorCode.VALIDATION, field=field, detail=f"after today ({not_after})")
    return day


def _due(calendar: WorkCalendar, change_day: date) -> datetime:
    # Counted from the day after the change, like every working-day term.
    return calendar.term_due(change_day, NOTIFY_WITHIN_WORKING_DAYS)


async def _open_obligation(
    conn: BaseDBAsyncClient,
    actor: Actor,
    *,
    miner_id: int,
    pool_id: int | None,
    reason: str,
    changed_on: date,
    dedup_key: str,
    calendar: WorkCalendar,
    met_at: datetime | None = None,
) -> NotificationObligation:
    """Open one obligation per triggering fact (dedup_key); tell the miner unless the miner's
    own recording already met it (`met_at`)."""
    existing = await NotificationObligation.filter(dedup_key=dedup_key).using_db(conn).first()
    if existing is not None:
        return existing
    due_at = _due(calendar, changed_on)
    obligation = NotificationObligation(
        miner_id=miner_id,
        kind=ObligationKind.POOL_CHANGE,
        reason=reason[:500],
        pool_id=pool_id,
        occurred_on=changed_on,
        due_at=due_at,
        dedup_key=dedup_key,
    )
    if met_at is not None:
        obligation.met_at, obligation.notice_text = met_at, obligation.reason
        obligation.overdue = is_overdue(due_at, met_at, met_at)
    await obligation.save(using_db=conn)
    await record_change(conn, actor, "obligation.opened", obligation, None, topic="obligation.opened")
    if met_at is None:
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
    else:
        await emit(
            conn,
            "obligation.met",
            {"obligation_id": obligation.pk, "miner_id": miner_id, "late": obligation.overdue, "text": obligation.reason},
        )
    return obligation


async def set_miner_pool(actor: Actor, cmd: SetMinerPool) -> PoolChange:
    """Record the miner's current pool. A change of pool (not the first one) opens the 2-WD
    obligation from the day of the change; recorded by the miner's own applicant it is the
    notice itself, so the obligation is met at once. Naming the current pool changes nothing."""
    miner = await get_visible(Miner, actor, cmd.miner_id, "Miner", field="minerId")
    require_may_act_for(actor, miner)
    # Pools are public registry data: a miner's applicant reads every pool (rules/access.py).
    pool = await get_visible(Pool, actor, cmd.pool_id, "Pool", field="poolId")
    known_at = _utc_now()
    since = _check_day(cmd.since, "since", not_after=known_at.astimezone(ALMATY).date())
    if not await accredited_pool_ids([pool.pk], since):
        # Miners mine through accredited pools only (001 App.11 I(3), II(2); 004 §3).
        raise DomainError(ErrorCode.POOL_NOT_ACCREDITED, field="poolId", on=since.isoformat())
    by_the_miner = owns(actor, owner_of(miner))
    calendar = await load_calendar()
    async with in_transaction() as conn:
        if conn.capabilities.dialect == "postgres":
            # Two concurrent changes for one miner would both close the same membership.
            await Miner.filter(pk=miner.pk).using_db(conn).select_for_update().first()
        current = await current_membership(miner.pk, conn)
        if current is not None and current.pool_id == pool.pk:  # type: ignore[attr-defined]
            # Nothing changes; the miner's own recording still answers what is open.
            met = await _met_by_recording(conn, actor, miner.pk, pool, current.since, known_at) if by_the_miner else []
            return PoolChange(current, met[-1] if met else None)
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
                reason=f"pool changed to {pool.name} (BIN {pool.bin}) since {since:%d.%m.%Y}",
                changed_on=since,
                dedup_key=f"pool-change:{membership.pk}",
                calendar=calendar,
                met_at=known_at if by_the_miner else None,
            )
        if by_the_miner:
            await _met_by_recording(conn, actor, miner.pk, pool, since, known_at)
    return PoolChange(membership, obligation)


async def _meet(conn: BaseDBAsyncClient, actor: Actor, obligation: NotificationObligation, at: datetime, text: str) -> None:
    """Record the notice on ``obligation`` (late: overdue for good), audited and published."""
    before = snapshot(obligation)
    obligation.met_at, obligation.notice_text = at, text
    obligation.overdue = is_overdue(obligation.due_at, at, at)
    await obligation.save(using_db=conn, update_fields=["met_at", "notice_text", "overdue", "updated_at"])
    after = snapshot(obligation)
    await append_audit(conn, actor, "obligation.met", "NotificationObligation", obligation.pk, before, after)
    await emit(
        conn,
        "obligation.met",
        {
            "obligation_id": obligation.pk,
            "miner_id": obligation.miner_id,  # type: ignore[attr-defined]
            "late": obligation.overdue,
            "text": text,
        },
    )


async def _met_by_recording(
    conn: BaseDBAsyncClient, actor: Actor, miner_id: int, pool: Pool, since: date, at: datetime
) -> list[NotificationObligation]:
    """§16: the miner's own recording of its pool is its notice for every pool obligation still
    open (met at ``at``, late when past its term)."""
    qs = NotificationObligation.filter(
        miner_id=miner_id, kind=ObligationKind.POOL_CHANGE, met_at__isnull=True
    ).using_db(conn)
    if conn.capabilities.dialect == "postgres":
        qs = qs.select_for_update()
    text = f"the miner recorded its pool {pool.name} (BIN {pool.bin}) since {since:%d.%m.%Y}"
    met = []
    for obligation in await qs.order_by("id"):
        await _meet(conn, actor, obligation, at, text)
        met.append(obligation)
    return met


async def pool_accreditation_lapsed(actor: Actor, cmd: PoolAccreditationLapsed) -> list[NotificationObligation]:
    """The pool's accreditation expired or was revoked on ``on``: every miner currently in it
    must tell the authority how it mines now, within 2 WD of that day. Replaying the same
    lapse opens nothing new."""
    if not actor.can(Permission.DECIDE):
        raise DomainError(ErrorCode.FORBIDDEN)
    pool = await get_visible(Pool, actor, cmd.pool_id, "Pool", field="poolId")
    on = _check_day(cmd.on, "on")
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
                    reason=f"accreditation of pool {pool.name} (BIN {pool.bin}) lapsed on {on:%d.%m.%Y}",
                    changed_on=on,
                    dedup_key=f"pool-lapsed:{pool.pk}:{on.isoformat()}:{membership.pk}",
                    calendar=calendar,
                )
            )
    return opened


async def notify_pool_change(actor: Actor, cmd: NotifyPoolChange) -> NotificationObligation:
    """The miner's notification (§16): meets the obligation, late or not; late stays overdue."""
    obligation = await get_visible(
        NotificationObligation, actor, cmd.obligation_id, "NotificationObligation", field="obligationId"
    )
    require_may_act_for(actor, obligation)
    text = check_text(cmd.text, "text", max_length=NOTICE_MAX)
    if obligation.met_at is not None:
        raise DomainError(ErrorCode.ILLEGAL_TRANSITION, detail="already notified", action="NOTIFY", stage="MET")
    at = _utc_now()
    async with in_transaction() as conn:
        qs = NotificationObligation.filter(pk=obligation.pk).using_db(conn)
        if conn.capabilities.dialect == "postgres":
            qs = qs.select_for_update()  # a double submit notifies once
        obligation = await qs.get()
        if obligation.met_at is not None:
            raise DomainError(ErrorCode.ILLEGAL_TRANSITION, detail="already notified", action="NOTIFY", stage="MET")
        await _meet(conn, actor, obligation, at, text)
    return obligation


def list_obligations(
    actor: Actor,
    *,
    miner_id: int | None = None,
    overdue: bool | None = None,
    open: bool | None = None,
    now: datetime | None = None,
    order: Order | None = None,
) -> Listing[NotificationObligation]:
    qs: QuerySet[NotificationObligation] = visible(NotificationObligation.all(), actor)
    if miner_id is not None:
        qs = qs.filter(miner_id=miner_id)
    if open is not None:
        qs = qs.filter(met_at__isnull=open)
    if overdue is not None:
        late = overdue_filter(now or _utc_now())
        qs = qs.filter(late) if overdue else qs.exclude(late)
    return Listing(qs, order or Order())


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
