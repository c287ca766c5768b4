"""Alerts to people, from outbox events (OUTBOX_HANDLERS in resolvers/wiring.py): in-app
notifications, and one e-mail per event to the organisation when SMTP is configured, in the
recipient's language. Idempotent per event and recipient: a handler run twice (the outbox
delivers at least once, the overdue job runs every few minutes) writes and sends nothing new.

- the 2-WD pool-change obligation: opened, due tomorrow, overdue -> the miner's applicants;
- a hearing scheduled, an application approved or refused -> the applicant organisation's users;
- an obligation, application or complaint past its term -> the heads of the unit (ESCALATION).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

from tortoise.expressions import Q

from models.access import User
from models.notifications import Notification
from models.parties import Miner
from resolvers.listing import Listing, Order
from rules.access import Actor
from rules.enums import Role
from rules.errors import DomainError, ErrorCode
from rules.notifications import OUTCOMES, NotificationKind, render
from settings import Settings

log = logging.getLogger("registry.notifications")


async def _organisation_users(miner_id: int | None, pool_id: int | None) -> list[User]:
    if miner_id is None and pool_id is None:
        return []
    where = Q(miner_id=miner_id) if miner_id is not None else Q(pool_id=pool_id)
    return await User.filter(where, role=Role.APPLICANT, active=True).order_by("id")


async def _heads() -> list[User]:
    return await User.filter(is_head=True, active=True, role__in=[Role.OFFICER, Role.ADMIN]).order_by("id")


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


async def _escalate(what: str, key: str, due: Any, entity: tuple[str, int]) -> None:
    await notify(await _heads(), NotificationKind.ESCALATION, key, {"what": what, "due": _day(due)}, entity)


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
    await _escalate(f"уведомление о смене пула / пулды ауыстыру хабарламасы #{obligation}", f"obligation:{obligation}",
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
    await _escalate(f"заявление / өтініш {payload.get('incoming_number') or app} ({payload.get('stage')})",
                    f"application:{app}:{payload.get('due')}", payload.get("due"), ("Application", app))


async def complaint_overdue(payload: dict[str, Any], ctx: dict[str, Any]) -> None:
    complaint = payload["complaint_id"]
    await _escalate(f"жалоба / шағым #{complaint}", f"complaint:{complaint}",
                    payload.get("review_due") or payload.get("forward_due"), ("Complaint", complaint))


# -- the due-tomorrow check (OVERDUE_CHECKERS) -------------------------------------------------------------


async def flag_pool_change_due_tomorrow(now: datetime, calendar: Any) -> int:
    """Unmet obligations whose 2 WD end within a day: one reminder each, however often run."""
    from tortoise.transactions import in_transaction

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
