"""The one application engine: receive, register, check, review, hear, decide, assign.

Every procedure's application goes through these functions; the procedure's differences
(documents, completeness rules, what approval creates) come from resolvers/procedures.py and
its terms from rules/workflow.py, as data. Each step is a use case taking a frozen command.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from enum import Enum
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from models.access import User
from models.applications import Application, ApplicationDocument, StageEvent
from models.parties import Miner
from resolvers import storage
from resolvers.calendar import load_calendar
from resolvers.changes import emit, flag_overdue, record_change, snapshot
from resolvers.document_numbers import OutgoingDocument, next_document_number
from resolvers.listing import Listing, Order
from resolvers.procedures import Decision, all_hooks, hooks_for
from resolvers.scope import find_visible, get_referenced, get_visible, require_may_act_for, visible
from rules.access import Actor, OwnerRef, Permission
from rules.calendar import ALMATY, WorkCalendar
from rules.enums import Channel, Region
from rules.errors import DomainError, ErrorCode
from rules.files import MAX_DOCUMENT_BYTES, sniff_document
from rules.grounds import RefusalGroundCode, validate_grounds
from rules.licensing import incoming_number
from rules.limits import check_search, check_text
from rules.problems import Problem, ProblemKind, further_review_reasons, split_problems
from rules.workflow import (
    TERMINAL_STAGES,
    Action,
    HearingOutcome,
    LicenseSubtype,
    ProcedureCode,
    ProcedureSpec,
    Stage,
    check_channel,
    check_decision_after_hearing,
    check_further_review_refusal,
    check_grounds_heard,
    check_hearing,
    compute_deadlines,
    may_take,
    next_deadline,
    next_stage,
    procedure_spec,
)

__all__ = [
    "AcceptApplication",
    "ApplicationFilter",
    "ApproveApplication",
    "AssignApplication",
    "AssigneeQueue",
    "Decision",
    "DocumentItem",
    "PreliminaryRefuse",
    "Receipt",
    "RefuseApplication",
    "RefuseIncomplete",
    "ScheduleHearing",
    "WithdrawApplication",
    "accept_complete",
    "applicant_miner",
    "approve",
    "assign",
    "check_documents",
    "completeness_of",
    "completeness_problems",
    "filing",
    "find_application",
    "findings_of",
    "get_application",
    "list_applications",
    "owner_ref",
    "preliminary_refuse",
    "receipt",
    "receive",
    "refuse",
    "refuse_incomplete",
    "review_of",
    "save_documents",
    "schedule_hearing",
    "today",
    "withdraw",
]

TEXT_MAX = 4000  # reasons and comments: a page of text
PLACE_MAX = 500  # application.hearing_place


def _now() -> datetime:
    return datetime.now(UTC)


# --- commands -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AcceptApplication:
    application_id: int
    comment: str = ""


@dataclass(frozen=True)
class RefuseIncomplete:
    """Refusal of further review (001 §7 ¶2): its reasons are the package's gaps, stated in
    `text`, not the refusal grounds of App.3 item 10."""

    application_id: int
    text: str


@dataclass(frozen=True)
class PreliminaryRefuse:
    application_id: int
    grounds: tuple[RefusalGroundCode, ...]
    text: str


@dataclass(frozen=True)
class ScheduleHearing:
    application_id: int
    notice_sent_on: date
    hearing_on: date
    place: str
    hearing_time: time  # Almaty, printed on the notice with the day and the place (001 §10)


@dataclass(frozen=True)
class ApproveApplication:
    application_id: int
    place_of_issue: str | None = None
    hearing_outcome: HearingOutcome | None = None  # required after a scheduled hearing


@dataclass(frozen=True)
class RefuseApplication:
    application_id: int
    grounds: tuple[RefusalGroundCode, ...]
    text: str
    hearing_outcome: HearingOutcome | None = None  # required after a scheduled hearing


@dataclass(frozen=True)
class WithdrawApplication:
    application_id: int
    comment: str = ""


@dataclass(frozen=True)
class AssignApplication:
    """Assign to an officer (`assignee_id`; None: the caller), or unassign."""

    application_id: int
    assignee_id: int | None = None
    unassign: bool = False


class AssigneeQueue(str, Enum):
    """Work queues by assignee."""

    MINE = "MINE"  # assigned to the caller
    UNASSIGNED = "UNASSIGNED"  # assigned to nobody


@dataclass(frozen=True)
class ApplicationFilter:
    number: str | None = None  # incoming number, exact or its beginning
    bin_iin: str | None = None  # the miner's BIN/IIN prefix
    miner_id: int | None = None
    region: Region | None = None  # of one of the application's data centers
    procedure: ProcedureCode | None = None
    stage: Stage | None = None
    subtype: LicenseSubtype | None = None  # licence applications of that subtype
    assignee: AssigneeQueue | int | None = None  # a queue, or a user's id
    due_before: datetime | None = None  # the current term ends before this instant
    overdue: bool | None = None


# --- receiving ----------------------------------------------------------------------------


def receipt_time(actor: Actor, channel: Channel, received_at: datetime | None, now: datetime) -> datetime:
    """Applications are received when they reach the system; an officer may record another
    receipt time (a paper application's at the office, or an imported historical record's),
    audited as such (`application.receipt_time_recorded`)."""
    if received_at is None:
        return now
    if not actor.can(Permission.DECIDE):
        raise DomainError(
            ErrorCode.FORBIDDEN, field="receivedAt", detail="only officers record a receipt time"
        )
    if received_at.tzinfo is None:
        raise DomainError(ErrorCode.VALIDATION, field="receivedAt", detail="give a time zone")
    if received_at > now:
        raise DomainError(ErrorCode.VALIDATION, field="receivedAt", detail="in the future")
    return received_at


async def applicant_miner(actor: Actor, miner_id: int, field: str = "minerId") -> Miner:
    """The miner an application is filed for: the applicant's own organisation, or any miner
    when an officer registers a paper application on its behalf."""
    miner = await get_visible(Miner, actor, miner_id, "Miner", field=field)
    require_may_act_for(actor, miner)
    return miner


@dataclass(frozen=True)
class Receipt:
    channel: Channel
    received_at: datetime
    calendar: WorkCalendar
    recorded: bool = False  # an officer gave the receipt time (audited)


async def receipt(
    actor: Actor,
    channel: Channel | Mapping[str, Any] = Channel.PORTAL,
    received_at: datetime | None = None,
) -> Receipt:
    """How and when a filing arrived, checked before anything is written.

    (A mapping with `channel` / `received_at` is still read for procedures not yet converted
    to typed commands.)"""
    if isinstance(channel, Mapping):
        received_at = channel.get("received_at")
        channel = channel.get("channel", Channel.PORTAL)
    kind = Channel(channel)
    at = receipt_time(actor, kind, received_at, _now())
    return Receipt(kind, at, await load_calendar(), recorded=received_at is not None)


@asynccontextmanager
async def filing(
    actor: Actor, got: Receipt, procedure: ProcedureCode, *, miner_id: int | None = None,
    pool_id: int | None = None,
) -> AsyncIterator[tuple[BaseDBAsyncClient, Application]]:
    """One transaction for a new application: registered with its terms on entry; the
    procedure adds its own rows inside; audited and published on exit."""
    async with in_transaction() as conn:
        app = await receive(
            conn, actor, procedure=procedure, channel=got.channel, received_at=got.received_at,
            calendar=got.calendar, miner_id=miner_id, pool_id=pool_id,
        )
        yield conn, app
        await record_change(conn, actor, "application.submitted", app, None)
        if got.recorded:
            await record_change(conn, actor, "application.receipt_time_recorded", app, None)


DOC_TITLE_MAX, DOC_NUMBER_MAX = 500, 100  # application_document.title / .number


@dataclass(frozen=True)
class DocumentItem:
    """One document attached to a filing, as the applicant describes it; `kind` is the
    procedure's own enumeration (001 App.11 kinds, 004 App.2 item 8 kinds, ...)."""

    kind: Enum
    title: str
    number: str = ""
    issued_on: date | None = None
    valid_until: date | None = None  # the last valid day; None: no expiry
    file: bytes | None = None  # the scanned document, when uploaded with the filing
    filename: str = ""


def check_documents(documents: Sequence[DocumentItem], refuse: Callable[[int, Any], None] | None = None) -> list[DocumentItem]:
    """The documents of a filing with their texts checked (title required, lengths), dates in
    order and files accepted by their content (rules/files.py); `refuse(i, kind)` raises for a
    kind the procedure does not take there."""
    out = []
    for i, doc in enumerate(documents):
        if refuse is not None:
            refuse(i, doc.kind)
        if doc.issued_on and doc.valid_until and doc.valid_until < doc.issued_on:
            raise DomainError(ErrorCode.VALIDATION, field=f"documents[{i}].validUntil", detail="before its issue date")
        if doc.file is not None:
            _check_file(doc.file, f"documents[{i}].file")
        out.append(DocumentItem(
            kind=doc.kind,
            title=check_text(doc.title, f"documents[{i}].title", max_length=DOC_TITLE_MAX),
            number=check_text(doc.number or "", f"documents[{i}].number", max_length=DOC_NUMBER_MAX, required=False),
            issued_on=doc.issued_on,
            valid_until=doc.valid_until,
            file=doc.file,
            filename=check_text(doc.filename or "", f"documents[{i}].file", max_length=255, required=False),
        ))
    return out


def _check_file(data: bytes, field: str) -> None:
    if len(data) > MAX_DOCUMENT_BYTES:
        raise DomainError(ErrorCode.FILE_NOT_ACCEPTED, field=field, detail=f"over {MAX_DOCUMENT_BYTES} bytes")
    if sniff_document(data) is None:
        raise DomainError(ErrorCode.FILE_NOT_ACCEPTED, field=field, detail="not a PDF, JPEG or PNG by its content")


def today() -> date:
    """The engine's day in Almaty (what its clock says: tests move it with `engine_clock`)."""
    return _now().astimezone(ALMATY).date()


async def save_documents(conn: BaseDBAsyncClient, app: Application, documents: Sequence[DocumentItem]) -> None:
    """Attach the documents a procedure's filing lists (checked by `check_documents`); their files
    go to the storage first, content-addressed, so a failed filing leaves at most an unreferenced
    object, never a row without its file."""
    for doc in documents:
        stored = None if doc.file is None else await storage.current().put(doc.file, prefix="application-documents")
        await ApplicationDocument.create(
            using_db=conn, application=app, kind=doc.kind.value, title=doc.title, number=doc.number,
            issued_on=doc.issued_on, valid_until=doc.valid_until,
            file_key=stored and stored.key, file_sha256=stored and stored.sha256, file_size=stored and stored.size,
            file_type=None if doc.file is None else sniff_document(doc.file).value, file_name=doc.filename,  # type: ignore[union-attr]
        )


async def receive(
    conn: BaseDBAsyncClient,
    actor: Actor,
    *,
    procedure: ProcedureCode,
    channel: Channel,
    received_at: datetime,
    calendar: WorkCalendar,
    miner_id: int | None = None,
    pool_id: int | None = None,
) -> Application:
    """Create the application and register it on the working day the calendar gives.

    Registration needs no human step: the date follows from the receipt time alone
    (001 §5, 002 §8, 004 §6), and every term runs from it.
    """
    registered_on = calendar.registration_date(received_at)
    spec = procedure_spec(procedure, registered_on)
    check_channel(spec, channel)
    deadlines = compute_deadlines(spec, registered_on, calendar)
    app = await Application.create(
        using_db=conn,
        procedure=procedure,
        channel=channel,
        miner_id=miner_id,
        pool_id=pool_id,
        received_at=received_at,
        stage=Stage.SUBMITTED,
    )
    await _log_stage(conn, app, actor, None, None, Stage.SUBMITTED, "")
    app.stage = next_stage(Stage.SUBMITTED, Action.REGISTER, hearing=spec.hearing)
    app.registered_on = registered_on
    app.incoming_number = incoming_number(
        hooks_for(procedure).incoming_prefix, registered_on.year, app.id
    )
    app.completeness_due = deadlines.completeness_due
    app.decision_due = deadlines.decision_due
    app.hearing_notice_last_day = deadlines.hearing_notice_last_day
    _set_next_due(app)
    await app.save(using_db=conn)
    await _log_stage(conn, app, actor, Action.REGISTER, Stage.SUBMITTED, app.stage, "")
    return app


def _set_next_due(app: Application) -> None:
    """The term that applies in the stage the application is now in (what `daysLeft`, the
    `overdue` rule and the DAYS_LEFT order read); a new term starts not overdue."""
    nxt = next_deadline(app.stage, app.completeness_due, app.decision_due)
    due = nxt.due_at if nxt else None
    if due != app.next_due_at:
        app.overdue = False  # the job flags (and alerts about) each term once it has passed
    app.next_due_at = due


async def _log_stage(
    conn: BaseDBAsyncClient,
    app: Application,
    actor: Actor,
    action: Action | None,
    from_stage: Stage | None,
    to_stage: Stage,
    comment: str,
) -> None:
    await StageEvent.create(
        using_db=conn,
        application=app,
        at=_now(),
        actor_id=actor.user_id,
        actor_label=actor.label,
        action=action,
        from_stage=from_stage,
        to_stage=to_stage,
        comment=comment,
    )
    # The state monitoring system (001 §18) hears of every stage.
    await emit(
        conn,
        "application.stage",
        {"application": app.id, "procedure": app.procedure, "from": from_stage, "to": to_stage},
    )


# --- reading ------------------------------------------------------------------------------


def owner_ref(app: Application) -> OwnerRef:
    return OwnerRef(miner_id=app.miner_id, pool_id=app.pool_id)  # type: ignore[attr-defined]


def _past_due(now: datetime) -> Q:
    """SQL of `rules.workflow.is_past_due`: open, and `now` past the current term's end."""
    return Q(next_due_at__lt=now) & ~Q(stage__in=list(TERMINAL_STAGES))


def list_applications(actor: Actor, f: ApplicationFilter, order: Order, now: datetime) -> Listing[Application]:
    """The applications `actor` may see, filtered, in `order`; `now` is the request's instant
    (the `overdue` filter and field of one response agree on it)."""
    qs: QuerySet[Application] = visible(Application.all(), actor)
    if number := check_search(f.number, "number"):
        qs = qs.filter(incoming_number__startswith=number.upper())
    if bin_iin := check_search(f.bin_iin, "binIin"):
        qs = qs.filter(miner_id__in=Subquery(Miner.filter(bin_iin__startswith=bin_iin).values("id")))
    if f.miner_id is not None:
        qs = qs.filter(miner_id=f.miner_id)
    if f.region is not None:
        qs = qs.filter(_in_region(f.region))
    if f.procedure is not None:
        qs = qs.filter(procedure=f.procedure)
    if f.stage is not None:
        qs = qs.filter(stage=f.stage)
    if f.subtype is not None:
        from models.licensing import LicenseApplication

        qs = qs.filter(id__in=Subquery(LicenseApplication.filter(subtype=f.subtype).values("application_id")))
    if f.assignee is AssigneeQueue.MINE:
        qs = qs.filter(assignee_id=actor.user_id) if actor.user_id is not None else qs.filter(id__in=[])
    elif f.assignee is AssigneeQueue.UNASSIGNED:
        qs = qs.filter(assignee_id__isnull=True)
    elif isinstance(f.assignee, int):
        qs = qs.filter(assignee_id=f.assignee)
    if f.due_before is not None:
        if f.due_before.tzinfo is None:
            raise DomainError(ErrorCode.VALIDATION, field="dueBefore", detail="give a time zone")
        qs = qs.filter(next_due_at__lt=f.due_before)
    if f.overdue is True:
        qs = qs.filter(_past_due(now))
    elif f.overdue is False:
        qs = qs.filter(~_past_due(now) | Q(next_due_at__isnull=True))
    return Listing(qs, order)


def _in_region(region: Region) -> Q:
    """Applications with a data center in `region`, asked of every procedure that has them."""
    parts = [Q(id__in=Subquery(h.in_region(region))) for h in all_hooks() if h.in_region is not None]
    if not parts:
        return Q(id__in=[])
    out = parts[0]
    for part in parts[1:]:
        out |= part
    return out


async def find_application(actor: Actor, app_id: int) -> Application | None:
    """The application, or None when it does not exist or the caller may not see it."""
    return await find_visible(Application, actor, app_id)


async def get_application(actor: Actor, app_id: int, field: str | None = "applicationId") -> Application:
    return await get_visible(Application, actor, app_id, "Application", field=field)


async def completeness_problems(app: Application) -> list[Problem]:
    """What the procedure's rules find missing in the package (001 §7)."""
    return (await completeness_of([app]))[0]


async def completeness_of(apps: Sequence[Application]) -> list[list[Problem]]:
    """`completeness_problems` of many applications."""
    return [split_problems(found)[0] for found in await review_of(apps)]


async def findings_of(apps: Sequence[Application]) -> list[list[Problem]]:
    """The qualification findings (001 §8) of many applications, with what cannot be verified."""
    return [split_problems(found)[1] for found in await review_of(apps)]


async def review_of(apps: Sequence[Application]) -> list[list[Problem]]:
    """Every problem the procedures' checks find in many applications (completeness problems
    and qualification findings, told apart by `Problem.kind`), one batch per procedure."""
    by_procedure: dict[ProcedureCode, list[int]] = defaultdict(list)
    for i, app in enumerate(apps):
        by_procedure[ProcedureCode(app.procedure)].append(i)
    out: list[list[Problem]] = [[] for _ in apps]
    for code, positions in by_procedure.items():
        hooks = hooks_for(code)
        group = [apps[i] for i in positions]
        if hooks.completeness_batch is not None:
            found = await hooks.completeness_batch(group)
        else:
            found = [await hooks.completeness(app) for app in group]
        for i, problems in zip(positions, found, strict=True):
            out[i] = problems
    return out


# --- acting -------------------------------------------------------------------------------


async def _locked(conn: BaseDBAsyncClient, app_id: int) -> Application:
    """Re-read under a row lock: two officers acting at once must not both move the stage."""
    query = Application.filter(id=app_id)
    if conn.capabilities.dialect == "postgres":
        query = query.select_for_update()
    return await query.using_db(conn).get()


async def _load_for_action(conn: BaseDBAsyncClient, actor: Actor, app_id: int, action: Action) -> Application:
    app = await get_application(actor, app_id)  # "not yours" answers like "missing"
    if not may_take(actor, action, owner_ref(app)):
        raise DomainError(ErrorCode.FORBIDDEN)
    return await _locked(conn, app.id)


Prepare = Callable[[BaseDBAsyncClient, Application, ProcedureSpec, WorkCalendar], Awaitable[Any]]


async def act(
    actor: Actor,
    app_id: int,
    action: Action,
    *,
    comment: str = "",
    prepare: Prepare | None = None,
) -> tuple[Application, Any]:
    """Move an application by one action, in one transaction with its audit and events.

    `prepare(conn, app, spec, calendar)` checks and fills the action's own data before the
    stage changes (grounds, hearing dates, ...) and may return a result (e.g. a licence).
    """
    calendar = await load_calendar()
    async with in_transaction() as conn:
        app = await _load_for_action(conn, actor, app_id, action)
        before = snapshot(app)
        spec = procedure_spec(app.procedure, app.registered_on)
        new_stage = next_stage(app.stage, action, hearing=spec.hearing)
        result = await prepare(conn, app, spec, calendar) if prepare else None
        from_stage, app.stage = app.stage, new_stage
        if new_stage in TERMINAL_STAGES:
            app.decided_at = _now()
        _set_next_due(app)
        await app.save(using_db=conn)
        await _log_stage(conn, app, actor, action, from_stage, new_stage, comment)
        await record_change(conn, actor, f"application.{action.value.lower()}", app, before)
    return app, result


def _text(value: str, field: str, why: str) -> str:
    text = check_text(value, field, max_length=TEXT_MAX, required=False)
    if not text:
        raise DomainError(ErrorCode.VALIDATION, field=field, detail=why)
    return text


async def accept_complete(actor: Actor, cmd: AcceptApplication) -> Application:
    """The package is complete: review on the merits starts. Refused with every problem the
    procedure's rules find (APPLICATION_INCOMPLETE, `problems`)."""
    comment = check_text(cmd.comment, "comment", max_length=TEXT_MAX, required=False)

    async def prepare(conn, app, spec, calendar):  # type: ignore[no-untyped-def]
        problems = await completeness_problems(app)
        if problems:
            raise DomainError(
                ErrorCode.APPLICATION_INCOMPLETE,
                detail="; ".join(f"{p.field}: {p.code.value}" for p in problems),
                problems=problems,
                count=len(problems),
            )

    return (await act(actor, cmd.application_id, Action.ACCEPT_COMPLETE, comment=comment, prepare=prepare))[0]


async def _number_refusal(conn: BaseDBAsyncClient, app: Application, kind: OutgoingDocument) -> None:
    """The refusal document's number and date (001 App.8), at the moment it is recorded."""
    app.refused_on = _now().astimezone(ALMATY).date()
    app.refusal_number = await next_document_number(conn, kind, app.refused_on)


async def refuse_incomplete(actor: Actor, cmd: RefuseIncomplete) -> Application:
    """Motivated refusal of further review: incomplete package or expired documents, within the
    completeness term (001 §7 ¶2, §14 ¶2). Its reasons are the gaps, not App.3 item 10 grounds."""
    text = _text(cmd.text, "text", "state the missing or expired documents")

    async def prepare(conn, app, spec, calendar):  # type: ignore[no-untyped-def]
        problems = await completeness_problems(app)
        check_further_review_refusal(len(problems), app.completeness_due, app.decision_due, _now())
        app.further_review_reasons = [r.value for r in further_review_reasons(problems)]
        app.further_review_problems = [
            {"code": p.code.value, "field": p.field, "message_en": p.message_en} for p in problems
        ]
        app.refusal_grounds = []
        app.refusal_text = text
        await _number_refusal(conn, app, OutgoingDocument.REFUSAL_OF_REVIEW)

    return (await act(actor, cmd.application_id, Action.REFUSE_INCOMPLETE, comment=text, prepare=prepare))[0]


def _after_hearing(app: Application, outcome: HearingOutcome | None) -> None:
    """A decision "по результатам заслушивания" (001 §10 ¶3, 002 §13, 004 §11): on or after the
    hearing day, with its outcome recorded."""
    check_decision_after_hearing(app.stage, app.hearing_on, _now().astimezone(ALMATY).date(), outcome)
    if outcome is not None:
        app.hearing_outcome = HearingOutcome(outcome)


async def _decide_on_grounds(
    actor: Actor, cmd: PreliminaryRefuse | RefuseApplication, action: Action, fields: tuple[str, str], why: str
) -> Application:
    """A decision stating grounds (the procedure's, in force on the registration date) and their
    text, kept on the application in `fields` (grounds, text). A refusal after the hearing cites
    only grounds that were heard."""
    text = _text(cmd.text, "text", why)

    async def prepare(conn, app, spec, calendar):  # type: ignore[no-untyped-def]
        grounds = validate_grounds(app.procedure, app.registered_on, cmd.grounds)
        if isinstance(cmd, RefuseApplication):
            _after_hearing(app, cmd.hearing_outcome)
            if app.stage is Stage.HEARING_SCHEDULED:
                check_grounds_heard(app.preliminary_grounds or [], [g.value for g in grounds])
        setattr(app, fields[0], [g.value for g in grounds])
        setattr(app, fields[1], text)
        if action is Action.REFUSE:
            await _number_refusal(conn, app, OutgoingDocument.MOTIVATED_REFUSAL)

    return (await act(actor, cmd.application_id, action, comment=text, prepare=prepare))[0]


async def preliminary_refuse(actor: Actor, cmd: PreliminaryRefuse) -> Application:
    """Grounds for refusal found in review: the preliminary decision; a hearing follows (001 §10)."""
    return await _decide_on_grounds(
        actor, cmd, Action.PRELIMINARY_REFUSE, ("preliminary_grounds", "preliminary_text"),
        "state the grounds found",
    )


async def refuse(actor: Actor, cmd: RefuseApplication) -> Application:
    """Motivated refusal of the service on App.3 item 10 grounds (after the hearing, 001 §10)."""
    return await _decide_on_grounds(
        actor, cmd, Action.REFUSE, ("refusal_grounds", "refusal_text"), "a motivated refusal needs its reasons"
    )


async def schedule_hearing(actor: Actor, cmd: ScheduleHearing) -> Application:
    """The hearing notice: at least 3 WD before the term ends, the hearing within 2 WD of it."""
    place = check_text(cmd.place, "place", max_length=PLACE_MAX)

    async def prepare(conn, app, spec, calendar):  # type: ignore[no-untyped-def]
        check_hearing(spec, app.registered_on, cmd.notice_sent_on, cmd.hearing_on, calendar)
        app.hearing_notice_sent_on, app.hearing_on, app.hearing_place = cmd.notice_sent_on, cmd.hearing_on, place
        app.hearing_time = cmd.hearing_time.strftime("%H:%M")
        await emit(
            conn,
            "notice.hearing",
            {"application": app.id, "hearing_on": cmd.hearing_on, "hearing_time": app.hearing_time, "place": place},
            dedup_key=f"hearing-notice:{app.id}",
        )

    return (await act(actor, cmd.application_id, Action.SCHEDULE_HEARING, prepare=prepare))[0]


async def approve(
    actor: Actor, cmd: ApproveApplication | int, decision: Decision | Mapping[str, Any] | None = None
) -> tuple[Application, Any]:
    """Grant the service; the procedure's hook makes what approval creates (a licence, registry
    records) in the same transaction and returns it.

    (A bare application id, with an optional decision, is still accepted for callers not yet
    converted to the command.)"""
    if not isinstance(cmd, ApproveApplication):
        place = decision.place_of_issue if isinstance(decision, Decision) else (decision or {}).get("place_of_issue")
        cmd = ApproveApplication(application_id=cmd, place_of_issue=place)
    what = Decision(place_of_issue=cmd.place_of_issue)
    outcome = cmd.hearing_outcome

    async def prepare(conn, app, spec, calendar):  # type: ignore[no-untyped-def]
        _after_hearing(app, outcome)
        failed = [p for p in (await findings_of([app]))[0] if p.kind is ProblemKind.QUALIFICATION]
        if failed:
            # 001 §8-10: a requirement not met is a refusal ground (App.3 item 10(3)), to be heard.
            raise DomainError(
                ErrorCode.QUALIFICATION_NOT_MET,
                detail="; ".join(f"{p.field}: {p.code.value}" for p in failed),
                count=len(failed),
            )
        return await hooks_for(app.procedure).approve(conn, app, actor, what)

    return await act(actor, cmd.application_id, Action.APPROVE, prepare=prepare)


async def withdraw(actor: Actor, cmd: WithdrawApplication) -> Application:
    comment = check_text(cmd.comment, "comment", max_length=TEXT_MAX, required=False)
    return (await act(actor, cmd.application_id, Action.WITHDRAW, comment=comment))[0]


async def _officer(actor: Actor, user_id: int) -> User:
    """An active user of the authority who may take its decisions, named as an assignee (a
    reference, resolvers/scope.get_referenced): any other id answers NOT_FOUND, like a missing
    one, so it discloses nothing."""
    user = await get_referenced(User, actor, user_id, "assigneeId")
    if not user.active or not Actor(user.id, user.role, user.login).can(Permission.DECIDE):
        raise DomainError(ErrorCode.NOT_FOUND, entity="User", field="assigneeId")
    return user


async def assign(actor: Actor, cmd: AssignApplication) -> Application:
    """Put an open application in an officer's queue (the caller's by default), or take it out
    of every queue. Officers only; audited."""
    app = await get_application(actor, cmd.application_id)
    if not actor.can(Permission.DECIDE):
        raise DomainError(ErrorCode.FORBIDDEN)
    if cmd.unassign and cmd.assignee_id is not None:
        raise DomainError(ErrorCode.VALIDATION, field="unassign", detail="give an assignee or unassign, not both")
    assignee_id: int | None = None
    if not cmd.unassign:
        assignee_id = cmd.assignee_id if cmd.assignee_id is not None else actor.user_id
        if assignee_id is None:
            raise DomainError(ErrorCode.VALIDATION, field="assigneeId", detail="name the officer")
        await _officer(actor, assignee_id)
    async with in_transaction() as conn:
        app = await _locked(conn, app.id)
        if assignee_id is not None and app.stage in TERMINAL_STAGES:
            raise DomainError(ErrorCode.CONFLICT, field="applicationId", what="the application is already decided")
        before = snapshot(app)
        app.assignee_id = assignee_id  # type: ignore[attr-defined]
        await app.save(using_db=conn, update_fields=["assignee_id", "updated_at"])
        await record_change(
            conn, actor, "application.assigned" if assignee_id else "application.unassigned", app, before
        )
    return app


# --- overdue ------------------------------------------------------------------------------


async def flag_overdue_applications(now: datetime, calendar: WorkCalendar) -> int:
    """Flag open applications past the term of their stage (the `overdue` rule) with one alert
    per term: the `overdue` field and filter read `next_due_at` directly; this only alerts."""
    late = await Application.filter(_past_due(now), overdue=False)
    return await flag_overdue(
        late,
        "alert.application_overdue",
        "application-overdue",
        lambda app: {
            "application": app.id, "incoming_number": app.incoming_number, "due": app.next_due_at,
            "stage": app.stage,
        },
    )
