"""Complaints against a decision (001 §19-23).

The applicant files a complaint about a decided application of its own organisation, with the
provider (PROVIDER) or with the service-quality authority (QUALITY_AUTHORITY). It is
registered on the working day the calendar gives; its terms come from
`rules.workflow.complaint_deadlines`:

- PROVIDER: the provider forwards it with the case file to the reviewing body within 3 WD
  (§20), unless within those 3 WD it grants the complaint in full (§20, APPC art. 91 p.4);
  the review takes 5 WD from registration (§21).
- QUALITY_AUTHORITY: review within 15 WD from registration (§22); nothing to forward.

Officers record the steps: grant in full, forward, and the reviewing body's outcome.
"""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from jobs.registry import overdue_checker
from models.applications import Application
from models.licensing import Complaint
from resolvers.calendar import load_calendar
from resolvers.changes import flag_overdue, record_change, snapshot
from resolvers.pagination import Page, paginate
from resolvers.scope import get_visible, owner_of, visible
from rules.access import Actor, Permission, owns
from rules.calendar import WorkCalendar
from rules.enums import ComplaintStatus
from rules.errors import DomainError, ErrorCode
from rules.workflow import ComplaintReviewer, Stage, complaint_deadlines

__all__ = [
    "DECIDED_STAGES",
    "complaint_overdue",
    "decide_complaint",
    "file_complaint",
    "flag_overdue_complaints",
    "forward_complaint",
    "grant_in_full",
    "list_complaints",
]

# A complaint belongs to its application's miner: visibility follows that relation.

DECIDED_STAGES = frozenset({Stage.APPROVED, Stage.REFUSED, Stage.INCOMPLETE_REFUSED})
OUTCOMES = frozenset({ComplaintStatus.UPHELD, ComplaintStatus.PARTLY_UPHELD, ComplaintStatus.REJECTED})
_S, _R = ComplaintStatus, ComplaintReviewer
# What each step accepts: (status, reviewer) pairs.
_CAN_GRANT = {(_S.REGISTERED, _R.PROVIDER)}
_CAN_FORWARD = {(_S.REGISTERED, _R.PROVIDER)}
_CAN_DECIDE = {(_S.FORWARDED, _R.PROVIDER), (_S.REGISTERED, _R.QUALITY_AUTHORITY)}
OPEN_STATUSES = frozenset({_S.REGISTERED, _S.FORWARDED})


def _now() -> datetime:
    return datetime.now(UTC)


def _scoped(actor: Actor) -> QuerySet[Complaint]:
    return visible(Complaint.all(), actor)


async def get_complaint(actor: Actor, complaint_id: int) -> Complaint:
    row = await _scoped(actor).filter(pk=complaint_id).first()
    if row is None:
        raise DomainError(ErrorCode.NOT_FOUND, entity="Complaint")
    return row


def complaint_overdue(complaint: Complaint, now: datetime) -> bool:
    """Past the forwarding term while not forwarded or granted, or past the review term while open."""
    if complaint.overdue:
        return True
    if complaint.status is _S.REGISTERED and complaint.forward_due is not None and now > complaint.forward_due:
        return True
    return complaint.status in OPEN_STATUSES and now > complaint.review_due


async def file_complaint(
    actor: Actor, application_id: int, reviewer: ComplaintReviewer, text: str, *, now: datetime | None = None
) -> Complaint:
    app = await get_visible(Application, actor, application_id, "Application")
    if not (actor.can(Permission.APPLY) and owns(actor, owner_of(app))):
        raise DomainError(ErrorCode.FORBIDDEN, detail="only the applicant complains")
    if app.stage not in DECIDED_STAGES:
        raise DomainError(
            ErrorCode.APPLICATION_NOT_DECIDED, field="applicationId", detail=f"stage {app.stage.value}", stage=app.stage.value
        )
    if not text.strip():
        raise DomainError(ErrorCode.VALIDATION, field="text", detail="what is complained of")
    received_at = now or _now()
    calendar = await load_calendar()
    reviewer = ComplaintReviewer(reviewer)
    registered_on = calendar.registration_date(received_at)
    terms = complaint_deadlines(registered_on, reviewer, calendar)
    async with in_transaction() as conn:
        complaint = Complaint(
            application_id=app.pk,
            reviewer=reviewer,
            text=text.strip(),
            received_at=received_at,
            registered_on=registered_on,
            forward_due=terms.forward_due,
            review_due=terms.review_due,
        )
        await complaint.save(using_db=conn)
        await record_change(conn, actor, "complaint.filed", complaint, None)
    return complaint


def _check_step(complaint: Complaint, allowed: set[tuple[ComplaintStatus, ComplaintReviewer]], action: str) -> None:
    if (complaint.status, complaint.reviewer) not in allowed:
        raise DomainError(
            ErrorCode.ILLEGAL_TRANSITION,
            detail=f"{action} a {complaint.reviewer.value} complaint in {complaint.status.value}",
            action=action,
            stage=complaint.status.value,
        )


async def _step(
    actor: Actor, complaint: Complaint, action: str, allowed: set[tuple[ComplaintStatus, ComplaintReviewer]],
    **changes: object,
) -> Complaint:
    async with in_transaction() as conn:
        # Re-read under a lock (PostgreSQL): two officers cannot both take the step.
        qs = Complaint.filter(pk=complaint.pk).using_db(conn)
        if conn.capabilities.dialect == "postgres":
            qs = qs.select_for_update()
        complaint = await qs.get()
        _check_step(complaint, allowed, action)
        before = snapshot(complaint)
        for name, value in changes.items():
            setattr(complaint, name, value)
        await complaint.save(using_db=conn)
        await record_change(conn, actor, action, complaint, before)
    return complaint


def _require_officer(actor: Actor) -> None:
    if not actor.can(Permission.DECIDE):
        raise DomainError(ErrorCode.FORBIDDEN)


async def grant_in_full(actor: Actor, complaint_id: int, text: str, *, now: datetime | None = None) -> Complaint:
    """§20: the provider grants the complaint in full within 3 WD and need not forward it."""
    _require_officer(actor)
    complaint = await get_complaint(actor, complaint_id)
    _check_step(complaint, _CAN_GRANT, "GRANT_IN_FULL")
    at = now or _now()
    if complaint.forward_due is None or at > complaint.forward_due:
        raise DomainError(
            ErrorCode.COMPLAINT_GRANT_WINDOW_CLOSED,
            detail=f"window closed at {complaint.forward_due}",
            limit=complaint.forward_due.isoformat() if complaint.forward_due else "-",
        )
    if not text.strip():
        raise DomainError(ErrorCode.VALIDATION, field="text", detail="the favourable act taken")
    return await _step(
        actor, complaint, "complaint.granted_in_full", _CAN_GRANT,
        status=_S.GRANTED_BY_PROVIDER, outcome_text=text.strip(), decided_at=at,
    )


async def forward_complaint(actor: Actor, complaint_id: int, *, now: datetime | None = None) -> Complaint:
    """§20: forward the complaint and the case file to the reviewing body."""
    _require_officer(actor)
    complaint = await get_complaint(actor, complaint_id)
    _check_step(complaint, _CAN_FORWARD, "FORWARD")
    calendar = await load_calendar()
    forwarded_on = calendar.registration_date(now or _now())
    return await _step(actor, complaint, "complaint.forwarded", _CAN_FORWARD, status=_S.FORWARDED, forwarded_on=forwarded_on)


async def decide_complaint(
    actor: Actor, complaint_id: int, outcome: ComplaintStatus, text: str, *, now: datetime | None = None
) -> Complaint:
    """Record the reviewing body's decision (upheld, partly upheld, rejected)."""
    _require_officer(actor)
    complaint = await get_complaint(actor, complaint_id)
    outcome = ComplaintStatus(outcome)
    if outcome not in OUTCOMES:
        raise DomainError(ErrorCode.VALIDATION, field="outcome", detail="UPHELD, PARTLY_UPHELD or REJECTED")
    _check_step(complaint, _CAN_DECIDE, "DECIDE")
    if not text.strip():
        raise DomainError(ErrorCode.VALIDATION, field="text", detail="the reasons of the decision")
    return await _step(
        actor, complaint, "complaint.decided", _CAN_DECIDE, status=outcome, outcome_text=text.strip(), decided_at=now or _now()
    )


async def list_complaints(
    actor: Actor,
    *,
    application_id: int | None = None,
    status: ComplaintStatus | None = None,
    **page: int | None,
) -> Page[Complaint]:
    qs = _scoped(actor)
    if application_id is not None:
        qs = qs.filter(application_id=application_id)
    if status is not None:
        qs = qs.filter(status=status)
    return await paginate(qs, **page)


@overdue_checker("complaints")
async def flag_overdue_complaints(now: datetime, calendar: WorkCalendar) -> int:
    """Flag open complaints past a term; one alert per complaint however often run."""
    candidates = await Complaint.filter(overdue=False, status__in=list(OPEN_STATUSES))
    late = [c for c in candidates if complaint_overdue(c, now)]
    return await flag_overdue(
        late,
        "alert.complaint_overdue",
        "complaint-overdue",
        lambda complaint: {
            "complaint_id": complaint.pk,
            "application_id": complaint.application_id,
            "forward_due": complaint.forward_due,
            "review_due": complaint.review_due,
        },
    )
