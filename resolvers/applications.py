"""The one application engine: receive, register, check, review, hear, decide.

Every procedure's application goes through these functions; the procedure's differences
(documents, completeness rules, what approval creates) come from resolvers/procedures.py and
its terms from rules/workflow.py, as data.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from jobs.registry import overdue_checker
from models.applications import Application, StageEvent
from models.parties import Miner
from resolvers.calendar import load_calendar
from resolvers.changes import emit, flag_overdue, record_change, snapshot
from resolvers.pagination import Page, paginate
from resolvers.procedures import hooks_for
from resolvers.scope import get_visible, require_may_act_for, visible
from rules.access import Actor, Permission
from rules.calendar import WorkCalendar
from rules.enums import Channel
from rules.errors import DomainError, ErrorCode
from rules.grounds import validate_grounds
from rules.licensing import incoming_number
from rules.qualification import Problem
from rules.workflow import (
    TERMINAL_STAGES,
    Action,
    ProcedureCode,
    Stage,
    check_hearing,
    compute_deadlines,
    next_deadline,
    next_stage,
    procedure_spec,
)

# Actions only the authority takes; WITHDRAW is the applicant's (or an officer on its behalf).
_AUTHORITY_ACTIONS = frozenset(Action) - {Action.WITHDRAW, Action.REGISTER}


def _now() -> datetime:
    return datetime.now(UTC)


# --- receiving ----------------------------------------------------------------------------


def receipt_time(actor: Actor, channel: Channel, received_at: datetime | None, now: datetime) -> datetime:
    """Portal applications are received now; an officer may record a paper one's receipt time."""
    if received_at is None:
        return now
    if channel is not Channel.OFFICE or not actor.can(Permission.DECIDE):
        raise DomainError(
            ErrorCode.FORBIDDEN, field="receivedAt", detail="only officers record paper receipt"
        )
    if received_at.tzinfo is None:
        raise DomainError(ErrorCode.VALIDATION, field="receivedAt", detail="give a time zone")
    if received_at > now:
        raise DomainError(ErrorCode.VALIDATION, field="receivedAt", detail="in the future")
    return received_at


async def applicant_miner(actor: Actor, miner_id: int) -> Miner:
    """The miner an application is filed for: the applicant's own organisation, or any miner
    when an officer registers a paper application on its behalf."""
    miner = await get_visible(Miner, actor, miner_id, "Miner")
    require_may_act_for(actor, miner)
    return miner


@dataclass(frozen=True)
class Receipt:
    channel: Channel
    received_at: datetime
    calendar: WorkCalendar


async def receipt(actor: Actor, data: dict[str, Any]) -> Receipt:
    """How and when a filing arrived, checked before anything is written."""
    channel = Channel(data.get("channel", Channel.PORTAL))
    received_at = receipt_time(actor, channel, data.get("received_at"), _now())
    return Receipt(channel, received_at, await load_calendar())


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
    nxt = next_deadline(app.stage, app.completeness_due, app.decision_due)
    app.next_due_at = nxt.due_at if nxt else None


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


async def list_applications(
    actor: Actor,
    *,
    procedure: ProcedureCode | None = None,
    stage: Stage | None = None,
    overdue: bool | None = None,
    due_before: datetime | None = None,
    miner_id: int | None = None,
    extra: dict[str, Any] | None = None,
    **page: int | None,
) -> Page[Application]:
    qs: QuerySet[Application] = visible(Application.all(), actor)
    if procedure:
        qs = qs.filter(procedure=procedure)
    if stage:
        qs = qs.filter(stage=stage)
    if overdue is not None:
        qs = qs.filter(overdue=overdue)
    if due_before:
        qs = qs.filter(decision_due__lt=due_before, stage__not_in=list(TERMINAL_STAGES))
    if miner_id is not None:
        qs = qs.filter(miner_id=miner_id)
    if extra:
        qs = qs.filter(**extra)
    return await paginate(qs, **page)


async def get_application(actor: Actor, app_id: int) -> Application:
    return await get_visible(Application, actor, app_id, "Application")


# --- acting -------------------------------------------------------------------------------


async def _load_for_action(conn: BaseDBAsyncClient, actor: Actor, app_id: int, action: Action) -> Application:
    app = await get_application(actor, app_id)
    if action in _AUTHORITY_ACTIONS:
        if not actor.can(Permission.DECIDE):
            raise DomainError(ErrorCode.FORBIDDEN)
    else:
        require_may_act_for(actor, app)
    # Re-read under a row lock: two officers acting at once must not both move the stage.
    query = Application.filter(id=app.id)
    if conn.capabilities.dialect == "postgres":
        query = query.select_for_update()
    return await query.using_db(conn).get()


async def act(
    actor: Actor,
    app_id: int,
    action: Action,
    *,
    comment: str = "",
    prepare: Any = None,
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
            app.overdue = False if app.decision_due is None else app.overdue
        _set_next_due(app)
        await app.save(using_db=conn)
        await _log_stage(conn, app, actor, action, from_stage, new_stage, comment)
        await record_change(conn, actor, f"application.{action.value.lower()}", app, before)
    return app, result


async def completeness_problems(app: Application) -> list[Problem]:
    """What the procedure's rules find missing or wrong in the package (officers see it)."""
    return await hooks_for(app.procedure).completeness(app)


async def accept_complete(actor: Actor, app_id: int, comment: str = "") -> Application:
    async def prepare(conn, app, spec, calendar):  # type: ignore[no-untyped-def]
        problems = await completeness_problems(app)
        if problems:
            raise DomainError(
                ErrorCode.APPLICATION_INCOMPLETE,
                detail="; ".join(f"{p.field}: {p.code}" for p in problems),
                problems=", ".join(p.code for p in problems),
            )

    return (await act(actor, app_id, Action.ACCEPT_COMPLETE, comment=comment, prepare=prepare))[0]


def _refusal(grounds: list[str], text: str):  # type: ignore[no-untyped-def]
    async def prepare(conn, app, spec, calendar):  # type: ignore[no-untyped-def]
        validate_grounds(app.procedure, app.registered_on, grounds)
        if not text.strip():
            raise DomainError(ErrorCode.VALIDATION, field="text", detail="a motivated refusal needs its reasons")
        app.refusal_grounds = list(dict.fromkeys(grounds))
        app.refusal_text = text.strip()

    return prepare


async def refuse_incomplete(actor: Actor, app_id: int, grounds: list[str], text: str) -> Application:
    return (await act(actor, app_id, Action.REFUSE_INCOMPLETE, comment=text, prepare=_refusal(grounds, text)))[0]


async def refuse(actor: Actor, app_id: int, grounds: list[str], text: str) -> Application:
    return (await act(actor, app_id, Action.REFUSE, comment=text, prepare=_refusal(grounds, text)))[0]


async def preliminary_refuse(actor: Actor, app_id: int, grounds: list[str], text: str) -> Application:
    async def prepare(conn, app, spec, calendar):  # type: ignore[no-untyped-def]
        validate_grounds(app.procedure, app.registered_on, grounds)
        if not text.strip():
            raise DomainError(ErrorCode.VALIDATION, field="text", detail="state the grounds found")
        app.preliminary_grounds = list(dict.fromkeys(grounds))
        app.preliminary_text = text.strip()

    return (await act(actor, app_id, Action.PRELIMINARY_REFUSE, comment=text, prepare=prepare))[0]


async def schedule_hearing(
    actor: Actor, app_id: int, notice_sent_on: date, hearing_on: date, place: str
) -> Application:
    async def prepare(conn, app, spec, calendar):  # type: ignore[no-untyped-def]
        if not place.strip():
            raise DomainError(ErrorCode.VALIDATION, field="place", detail="time and place or way")
        check_hearing(spec, app.registered_on, notice_sent_on, hearing_on, calendar)
        app.hearing_notice_sent_on, app.hearing_on, app.hearing_place = notice_sent_on, hearing_on, place.strip()
        await emit(
            conn,
            "notice.hearing",
            {"application": app.id, "hearing_on": hearing_on, "place": place.strip()},
            dedup_key=f"hearing-notice:{app.id}",
        )

    return (await act(actor, app_id, Action.SCHEDULE_HEARING, prepare=prepare))[0]


async def approve(actor: Actor, app_id: int, decision: dict[str, Any]) -> tuple[Application, Any]:
    async def prepare(conn, app, spec, calendar):  # type: ignore[no-untyped-def]
        return await hooks_for(app.procedure).approve(conn, app, actor, decision)

    return await act(actor, app_id, Action.APPROVE, prepare=prepare)


async def withdraw(actor: Actor, app_id: int, comment: str = "") -> Application:
    return (await act(actor, app_id, Action.WITHDRAW, comment=comment))[0]


# --- overdue ------------------------------------------------------------------------------


@overdue_checker("applications")
async def flag_overdue_applications(now: datetime, calendar: WorkCalendar) -> int:
    """Flag open applications past their decision term; one alert per application."""
    late = await Application.filter(
        decision_due__lt=now, overdue=False, stage__not_in=list(TERMINAL_STAGES)
    )
    return await flag_overdue(
        late,
        "alert.application_overdue",
        "application-overdue",
        lambda app: {"application": app.id, "incoming_number": app.incoming_number, "due": app.decision_due},
    )
