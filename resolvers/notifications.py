"""Alerts to people, from outbox events (OUTBOX_HANDLERS in resolvers/wiring.py): in-app
notifications, and one e-mail per event to the organisation when SMTP is configured, in the
recipient's language. Idempotent per event and recipient: a handler run twice (the outbox
delivers at least once, the overdue job runs every few minutes) writes and sends nothing new.

- the 2-WD pool-change obligation: opened, due tomorrow, overdue -> the miner's applicants;
- a hearing scheduled, an application approved or refused -> the applicant organisation's users;
- an obligation, application or complaint past its term -> the heads of the unit (ESCALATION),
  by e-mail too to each head that set its own address (`setUserPreferences`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from email.message import EmailMessage
from typing import Any

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from models.access import User
from models.notifications import Escalation, Notification
from models.parties import Miner
from resolvers.changes import append_audit, snapshot
from resolvers.listing import Listing, Order
from rules.access import HEAD_ROLES, Actor
from rules.audit import AuditAction
from rules.enums import Role
from rules.errors import DomainError, ErrorCode
from rules.notifications import OUTCOMES, BreachKind, NotificationKind, render
from settings import Settings

log = logging.getLogger("registry.notifications")


async def _organisation_users(miner_id: int | None, pool_id: int | None) -> list[User]:
    if miner_id is None and pool_id is None:
        return []
    where = Q(miner_id=miner_id) if miner_id is not None else Q(pool_id=pool_id)
    return await User.filter(where, role=Role.APPLICANT, active=True).order_by("id")


async def _heads() -> list[User]:
    return await User.filter(is_head=True, active=True, role__in=sorted(HEAD_ROLES)).order_by("id")


async def _organisation_email(miner_id: int | None, pool_id: int | None) -> str | None:
    """Where the organisation's e-mail goes: the miner's registered address (pools have none on
    record: their users read the in-app notifications)."""
    if miner_id is None:
        return None
    miner = await Miner.filter(id=miner_id).only("id", "email").first()
    return miner.email if miner else None


async def notify(users: Iterable[User], kind: NotificationKind, key: str, params: dict[str, Any],
                 entity: tuple[str, int]) -> list[Notification]:
    """One notification per recipient for the event `key`; the ones that already exist stay."""
    users = list(users)
    rows = []
    for user in users:
        subject, body = render(kind, user.language, params)
        rows.append(Notification(recipient_id=user.id, kind=kind, dedup_key=f"{kind.value}:{key}:{user.id}",
                                 language=user.language, subject=subject, body=body,
                                 entity_type=entity[0], entity_id=entity[1]))
    if rows:
        await Notification.bulk_create(rows, ignore_conflicts=True)
    keys = [row.dedup_key for row in rows]
    return await Notification.filter(dedup_key__in=keys).order_by("id") if keys else []


async def email_once(settings: Settings | None, notifications: list[Notification], to: str | None) -> bool:
    """One e-mail for the event, in the first recipient's language, unless it was sent before."""
    if settings is None or not settings.smtp_host or not to or not notifications:
        return False
    if any(n.emailed_at is not None for n in notifications):
        return False
    import aiosmtplib

    first = notifications[0]
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = settings.smtp_sender, to, first.subject
    message.set_content(first.body)
    message["Content-Language"] = first.language  # after set_content, which resets Content-* headers
    await aiosmtplib.send(message, hostname=settings.smtp_host, port=settings.smtp_port, timeout=10)
    await Notification.filter(id__in=[n.id for n in notifications]).update(emailed_at=datetime.now(UTC))
    return True


def _day(value: Any) -> str:
    return str(value)[:10] if value else "—"


async def _to_organisation(ctx: dict[str, Any], kind: NotificationKind, key: str, params: dict[str, Any],
                           entity: tuple[str, int], miner_id: int | None, pool_id: int | None = None) -> None:
    created = await notify(await _organisation_users(miner_id, pool_id), kind, key, params, entity)
    await email_once(ctx.get("settings"), created, await _organisation_email(miner_id, pool_id))


def _moment(value: Any) -> datetime | None:
    """A term from an event's payload (a datetime, or its ISO text, or a day) as a UTC datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime.combine(value, time(), UTC)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


async def _escalate(ctx: dict[str, Any], kind: BreachKind, what: str, key: str, due: Any,
                    entity: tuple[str, int]) -> None:
    """The breach in the supervisors' queue (once), an ESCALATION notification to each head, and
    to each head with an e-mail address of its own, that e-mail (once, in its language)."""
    await Escalation.bulk_create([Escalation(kind=kind, dedup_key=key, what=what, entity_type=entity[0],
                                             entity_id=entity[1], due_at=_moment(due))], ignore_conflicts=True)
    heads = await _heads()
    created = await notify(heads, NotificationKind.ESCALATION, key, {"what": what, "due": _day(due)}, entity)
    addresses = {head.id: head.email for head in heads}
    for notification in created:
        await email_once(ctx.get("settings"), [notification], addresses.get(notification.recipient_id))  # type: ignore[attr-defined]


# -- the handlers (OUTBOX_HANDLERS) -------------------------------------------------------------------


async def pool_change_opened(payload: dict[str, Any], ctx: dict[str, Any]) -> None:
    obligation = payload["obligation_id"]
    await _to_organisation(ctx, NotificationKind.POOL_CHANGE_OPENED, f"obligation:{obligation}",
                           {"due": _day(payload.get("due"))}, ("NotificationObligation", obligation), payload["miner_id"])


async def pool_change_due_tomorrow(payload: dict[str, Any], ctx: dict[str, Any]) -> None:
    obligation = payload["obligation_id"]
    await _to_organisation(ctx, NotificationKind.POOL_CHANGE_DUE_TOMORROW, f"obligation:{obligation}",
                           {"due": _day(payload.get("due"))}, ("NotificationObligation", obligation), payload["miner_id"])


async def pool_change_overdue(payload: dict[str, Any], ctx: dict[str, Any]) -> None:
    obligation = payload["obligation_id"]
    entity = ("NotificationObligation", obligation)
    await _to_organisation(ctx, NotificationKind.POOL_CHANGE_OVERDUE, f"obligation:{obligation}",
                           {"due": _day(payload.get("due"))}, entity, payload["miner_id"])
    await _escalate(ctx, BreachKind.OBLIGATION, f"уведомление о смене пула / пулды ауыстыру хабарламасы #{obligation}", f"obligation:{obligation}",
                    payload.get("due"), entity)


async def hearing_scheduled(payload: dict[str, Any], ctx: dict[str, Any]) -> None:
    after = payload.get("after") or {}
    app = payload["id"]
    params = {"number": after.get("incoming_number"), "hearing_on": after.get("hearing_on"),
              "hearing_time": str(after.get("hearing_time") or "—")[:5], "place": after.get("hearing_place")}
    await _to_organisation(ctx, NotificationKind.HEARING_SCHEDULED, f"application:{app}:{after.get('hearing_on')}",
                           params, ("Application", app), after.get("miner_id"), after.get("pool_id"))


def _decision(outcome: str) -> Any:
    async def handler(payload: dict[str, Any], ctx: dict[str, Any]) -> None:
        after = payload.get("after") or {}
        app = payload["id"]
        users = await _organisation_users(after.get("miner_id"), after.get("pool_id"))
        created = []
        for user in users:  # the outcome word in each recipient's language
            params = {"number": after.get("incoming_number"), "outcome": OUTCOMES[outcome].get(user.language, "")}
            created += await notify([user], NotificationKind.DECISION, f"application:{app}:{outcome}", params,
                                    ("Application", app))
        await email_once(ctx.get("settings"), created, await _organisation_email(after.get("miner_id"),
                                                                                 after.get("pool_id")))
    return handler


decision_approved, decision_refused = _decision("APPROVED"), _decision("REFUSED")


async def application_overdue(payload: dict[str, Any], ctx: dict[str, Any]) -> None:
    app = payload["application"]
    await _escalate(ctx, BreachKind.APPLICATION, f"заявление / өтініш {payload.get('incoming_number') or app} ({payload.get('stage')})",
                    f"application:{app}:{payload.get('due')}", payload.get("due"), ("Application", app))


async def complaint_overdue(payload: dict[str, Any], ctx: dict[str, Any]) -> None:
    complaint = payload["complaint_id"]
    await _escalate(ctx, BreachKind.COMPLAINT, f"жалоба / шағым #{complaint}", f"complaint:{complaint}",
                    payload.get("review_due") or payload.get("forward_due"), ("Complaint", complaint))


# -- the due-tomorrow check (OVERDUE_CHECKERS) -------------------------------------------------------------


async def flag_pool_change_due_tomorrow(now: datetime, calendar: Any) -> int:
    """Unmet obligations whose 2 WD end within a day: one reminder each, however often run."""
    from models.licensing import NotificationObligation
    from resolvers.changes import emit

    soon = await NotificationObligation.filter(met_at__isnull=True, overdue=False, due_at__gte=now,
                                               due_at__lt=now + timedelta(days=1))
    for obligation in soon:
        async with in_transaction() as conn:
            await emit(conn, "alert.pool_change_due_tomorrow",
                       {"obligation_id": obligation.pk, "miner_id": obligation.miner_id,  # type: ignore[attr-defined]
                        "due": obligation.due_at}, dedup_key=f"pool-change-due-tomorrow:{obligation.pk}")
    return len(soon)


# -- reading and marking ------------------------------------------------------------------------------------


def list_notifications(actor: Actor, unread: bool | None) -> Listing[Notification]:
    qs = Notification.filter(recipient_id=actor.user_id if actor.user_id is not None else -1)
    if unread is not None:
        qs = qs.filter(read_at__isnull=unread)
    return Listing(qs, Order())


async def mark_read(actor: Actor, ids: list[int]) -> int:
    """Mark the caller's own notifications read; an id of another's (or none) is NOT_FOUND, the
    same answer, and nothing is marked."""
    own = set(await Notification.filter(recipient_id=actor.user_id if actor.user_id is not None else -1,
                                        id__in=ids).values_list("id", flat=True))
    for i, pk in enumerate(ids):
        if pk not in own:
            raise DomainError(ErrorCode.NOT_FOUND, entity="Notification", field=f"notificationIds[{i}]")
    return await Notification.filter(id__in=list(own), read_at__isnull=True).update(read_at=datetime.now(UTC))


# -- the supervisors' queue (heads of the unit) -------------------------------------------------------


def _require_head(actor: Actor) -> None:
    if not actor.heads_unit:
        raise DomainError(ErrorCode.FORBIDDEN)


def supervisor_queue(actor: Actor, *, open_only: bool) -> Listing[Escalation]:
    """The breaches escalated to the heads, oldest first; `open_only`: not yet resolved."""
    _require_head(actor)
    qs = Escalation.all()
    if open_only:
        qs = qs.filter(resolved_at__isnull=True)
    return Listing(qs, Order())


async def work_escalation(actor: Actor, pk: int, *, resolve: bool, now: datetime | None = None) -> Escalation:
    """Acknowledge a breach (someone is on it) or resolve it (it leaves the open queue); heads
    only. Resolving acknowledges too; doing either twice changes nothing."""
    _require_head(actor)
    escalation = await Escalation.filter(id=pk).first()
    if escalation is None:
        raise DomainError(ErrorCode.NOT_FOUND, entity="Escalation", field="escalationId")
    if escalation.resolved_at is not None or (not resolve and escalation.acknowledged_at is not None):
        return escalation
    now = now or datetime.now(UTC)
    before = snapshot(escalation)
    if escalation.acknowledged_at is None:
        escalation.acknowledged_at, escalation.acknowledged_by_id = now, actor.user_id  # type: ignore[attr-defined]
    if resolve:
        escalation.resolved_at, escalation.resolved_by_id = now, actor.user_id  # type: ignore[attr-defined]
    async with in_transaction() as conn:
        await escalation.save(using_db=conn)
        await append_audit(conn, actor,
                           AuditAction.ESCALATION_RESOLVED.value if resolve else AuditAction.ESCALATION_ACKNOWLEDGED.value,
                           "Escalation", escalation.pk, before, snapshot(escalation))
    return escalation


async def purge_read(retention_days: int, now: datetime | None = None) -> int:
    """Delete the notifications read more than `retention_days` ago (unread ones stay); how many."""
    cutoff = (now or datetime.now(UTC)) - timedelta(days=retention_days)
    return await Notification.filter(read_at__lt=cutoff).delete()
