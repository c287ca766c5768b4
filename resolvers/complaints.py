"""Complaints about the provision of a service (001 §19-23).

The applicant complains about a decision, an action **or the inaction** (e.g. an application
past its term) concerning an application of its own organisation, with the provider
(PROVIDER) or with the service-quality authority (QUALITY_AUTHORITY). It is registered on the
working day the calendar gives; its terms come from `rules.workflow.complaint_deadlines`:

- PROVIDER: the provider forwards it with the case file to the reviewing body within 3 WD
  (§20), unless within those 3 WD it grants the complaint in full (§20, APPC art. 91 p.4);
  the review takes 5 WD from registration (§21).
- QUALITY_AUTHORITY: review within 15 WD from registration (§22); nothing to forward.

Officers record the steps: grant in full, forward, and the reviewing body's outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from models.applications import Application
from models.licensing import Complaint
from resolvers.calendar import load_calendar
from resolvers.changes import flag_overdue, record_change, snapshot
from resolvers.listing import Listing, Order
from resolvers.scope import get_visible, owner_of, visible
from rules.access import Actor, Permission, owns
from rules.calendar import ALMATY, WorkCalendar
from rules.enums import ComplaintStatus, ComplaintSubject
from rules.errors import DomainError, ErrorCode
from rules.limits import check_text
from rules.workflow import ComplaintReviewer, Stage, complaint_deadlines

__all__ = [
    "OPEN_STATUSES",
    "OUTCOMES",
    "TEXT_MAX",
    "DecideComplaint",
    "FileComplaint",
    "ForwardComplaint",
    "GrantComplaintInFull",
    "complaint_overdue",
    "current_time",
    "decide_complaint",
    "file_complaint",
    "flag_overdue_complaints",
    "forward_complaint",
    "grant_in_full",
    "is_overdue",
    "list_complaints",
]

# A complaint belongs to its application's miner: visibility follows that relation.

TEXT_MAX = 10_000
OUTCOMES = frozenset({ComplaintStatus.UPHELD, ComplaintStatus.PARTLY_UPHELD, ComplaintStatus.REJECTED})
_S, _R = ComplaintStatus, ComplaintReviewer
# What each step accepts: (status, reviewer) pairs.
_CAN_GRANT = {(_S.REGISTERED, _R.PROVIDER)}
_CAN_FORWARD = {(_S.REGISTERED, _R.PROVIDER)}
_CAN_DECIDE = {(_S.FORWARDED, _R.PROVIDER), (_S.REGISTERED, _R.QUALITY_AUTHORITY)}
OPEN_STATUSES = frozenset({_S.REGISTERED, _S.FORWARDED})


def _now() -> datetime:
    return datetime.now(UTC)


def _utc_now() -> datetime:
    return _now().astimezone(UTC)


def current_time() -> datetime:
    """The clock the terms are judged by (one place, so tests can move it)."""
    return _utc_now()


# --- commands -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileComplaint:
    application_id: int
    reviewer: ComplaintReviewer
    text: str
    subject: ComplaintSubject = ComplaintSubject.DECISION  # 001 §19: decision, action or inaction


@dataclass(frozen=True)
class GrantComplaintInFull:
    complaint_id: int
    text: str  # the favourable act taken


@dataclass(frozen=True)
class ForwardComplaint:
    complaint_id: int


@dataclass(frozen=True)
class DecideComplaint:
    complaint_id: int
    outcome: ComplaintStatus  # UPHELD, PARTLY_UPHELD or REJECTED
    text: str


# --- the overdue rule -----------------------------------------------------------------------


def is_overdue(
    *,
    status: ComplaintStatus,
    forward_due: datetime | None,
    review_due: datetime,
    forwarded_on: date | None,
    decided_at: datetime | None,
    now: datetime,
) -> bool:
    """A term was missed: not forwarded (nor granted) within the forwarding term, or not decided
    within the review term. Judged live while open; a step taken late stays overdue."""
    status = ComplaintStatus(status)
    if forward_due is not None:
        if status is _S.REGISTERED and now > forward_due:
            return True
        if forwarded_on is not None and forwarded_on > forward_due.astimezone(ALMATY).date():
            return True
    if status in OPEN_STATUSES:
        return now > review_due
    return decided_at is not None and decided_at > review_due


def complaint_overdue(complaint: Complaint, now: datetime) -> bool:
    return is_overdue(
        status=complaint.status,
        forward_due=complaint.forward_due,
        review_due=complaint.review_due,
        forwarded_on=complaint.forwarded_on,
        decided_at=complaint.decided_at,
        now=now,
    )


# --- use cases ------------------------------------------------------------------------------


async def file_complaint(actor: Actor, cmd: FileComplaint) -> Complaint:
    """The applicant's complaint about a decision, an action or the inaction of the provider
    on one of its organisation's applications (001 §19-20, 002 §17), at any stage once the
    application is registered: e.g. INACTION about an application left past its decision term."""
    app = await get_visible(Application, actor, cmd.application_id, "Application", field="applicationId")
    if not (actor.can(Permission.APPLY) and owns(actor, owner_of(app))):
        raise DomainError(ErrorCode.FORBIDDEN, detail="only the applicant complains")
    if app.registered_on is None or app.stage is Stage.SUBMITTED:
        # Nothing the provider did or failed to do yet: registration follows receipt at once.
        raise DomainError(ErrorCode.CONFLICT, field="applicationId", what="the application is not registered yet")
    text = check_text(cmd.text, "text", max_length=TEXT_MAX)
    received_at = _utc_now()
    calendar = await load_calendar()
    reviewer = ComplaintReviewer(cmd.reviewer)
    registered_on = calendar.registration_date(received_at)
    terms = complaint_deadlines(registered_on, reviewer, calendar)
    async with in_transaction() as conn:
        complaint = Complaint(
            application_id=app.pk,
            reviewer=reviewer,
            subject=ComplaintSubject(cmd.subject),
            text=text,
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
            stage=complaint.status.value,  # the message's word; `status` for typed errors
            status=complaint.status.value,
            reviewer=complaint.reviewer.value,
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


async def _get(actor: Actor, complaint_id: int) -> Complaint:
    return await get_visible(Complaint, actor, complaint_id, "Complaint", field="id")


async def grant_in_full(actor: Actor, cmd: GrantComplaintInFull) -> Complaint:
    """§20: the provider grants the complaint in full within 3 WD and need not forward it."""
    _require_officer(actor)
    complaint = await _get(actor, cmd.complaint_id)
    _check_step(complaint, _CAN_GRANT, "GRANT_IN_FULL")
    at = _utc_now()
    if complaint.forward_due is None or at > complaint.forward_due:
        raise DomainError(
            ErrorCode.COMPLAINT_GRANT_WINDOW_CLOSED,
            detail=f"window closed at {complaint.forward_due}",
            limit=complaint.forward_due.isoformat() if complaint.forward_due else "-",
        )
    text = check_text(cmd.text, "text", max_length=TEXT_MAX)
    return await _step(
        actor, complaint, "complaint.granted_in_full", _CAN_GRANT,
        status=_S.GRANTED_BY_PROVIDER, outcome_text=text, decided_at=at,
    )


async def forward_complaint(actor: Actor, cmd: ForwardComplaint) -> Complaint:
    """§20: forward the complaint and the case file to the reviewing body."""
    _require_officer(actor)
    complaint = await _get(actor, cmd.complaint_id)
    _check_step(complaint, _CAN_FORWARD, "FORWARD")
    calendar = await load_calendar()
    forwarded_on = calendar.registration_date(_utc_now())
    return await _step(actor, complaint, "complaint.forwarded", _CAN_FORWARD, status=_S.FORWARDED, forwarded_on=forwarded_on)


async def decide_complaint(actor: Actor, cmd: DecideComplaint) -> Complaint:
    """Record the reviewing body's decision (upheld, partly upheld, rejected)."""
    _require_officer(actor)
    complaint = await _get(actor, cmd.complaint_id)
    outcome = ComplaintStatus(cmd.outcome)
    if outcome not in OUTCOMES:
        raise DomainError(ErrorCode.VALIDATION, field="outcome", detail="UPHELD, PARTLY_UPHELD or REJECTED")
    _check_step(complaint, _CAN_DECIDE, "DECIDE")
    text = check_text(cmd.text, "text", max_length=TEXT_MAX)
    return await _step(
        actor, complaint, "complaint.decided", _CAN_DECIDE, status=outcome, outcome_text=text, decided_at=_utc_now()
    )


def list_complaints(
    actor: Actor,
    *,
    application_id: int | None = None,
    status: ComplaintStatus | None = None,
    reviewer: ComplaintReviewer | None = None,
    subject: ComplaintSubject | None = None,
    order: Order | None = None,
) -> Listing[Complaint]:
    qs: QuerySet[Complaint] = visible(Complaint.all(), actor)
    if application_id is not None:
        qs = qs.filter(application_id=application_id)
    if status is not None:
        qs = qs.filter(status=status)
    if reviewer is not None:
        qs = qs.filter(reviewer=reviewer)
    if subject is not None:
        qs = qs.filter(subject=subject)
    return Listing(qs, order or Order())


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
