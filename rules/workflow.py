"""The one application engine: stages, actions, procedure terms and deadlines.

Every procedure the authority runs (licence issue and re-issue, ASIC registry inclusion,
exclusion and change, pool accreditation and re-issue, and complaints) is the same kind of
thing: an application is received, registered on a working day, checked for completeness,
reviewed, perhaps sent to a preliminary refusal and a hearing, and decided. This module holds
that state machine once, and each procedure's terms as dated data (DESIGN.md "One application
engine", "Rules are data with dates").

Pure: no I/O, never reads the clock; callers pass dates, instants and a ``WorkCalendar``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import Enum

from rules.access import Actor, OwnerRef, Permission, may_act_for
from rules.calendar import ALMATY, WorkCalendar
from rules.enums import Channel
from rules.errors import DomainError, ErrorCode
from rules.rule_sets import Dated, RuleSet

__all__ = [
    "AUTHORITY_ACTIONS",
    "COMPLAINT_TERMS",
    "HEARING_MAX_WD_AFTER_NOTICE",
    "HEARING_NOTICE_MIN_WD_BEFORE_END",
    "PROCEDURES",
    "TERMINAL_STAGES",
    "Action",
    "ComplaintDeadlines",
    "ComplaintReviewer",
    "ComplaintTerms",
    "DeadlineKind",
    "Deadlines",
    "HearingOutOfWindow",
    "HearingOutcome",
    "IllegalTransition",
    "LicenseSubtype",
    "NextDeadline",
    "NoRulesInForce",
    "ProcedureCode",
    "ProcedureSpec",
    "RefusalKind",
    "Stage",
    "allowed_actions",
    "caller_actions",
    "check_channel",
    "check_decision_after_hearing",
    "check_further_review_refusal",
    "check_grounds_heard",
    "check_hearing",
    "complaint_deadlines",
    "complaint_terms",
    "compute_deadlines",
    "days_left",
    "hearing_latest_date",
    "hearing_notice_last_day",
    "is_overdue",
    "is_past_due",
    "is_terminal",
    "may_take",
    "next_deadline",
    "next_stage",
    "procedure_spec",
    "refusal_kind",
]


# --------------------------------------------------------------------------------------------
# State machine
# --------------------------------------------------------------------------------------------


class Stage(str, Enum):
    SUBMITTED = "SUBMITTED"  # received (portal or office), not yet registered
    REGISTERED = "REGISTERED"  # registered on a working day; terms run from this date
    INCOMPLETE_REFUSED = "INCOMPLETE_REFUSED"  # motivated refusal of further review
    UNDER_REVIEW = "UNDER_REVIEW"  # package complete, reviewed on the merits
    PRELIMINARY_REFUSAL = "PRELIMINARY_REFUSAL"  # grounds found, preliminary decision taken
    HEARING_SCHEDULED = "HEARING_SCHEDULED"  # hearing notice sent with time and place
    APPROVED = "APPROVED"
    REFUSED = "REFUSED"  # motivated refusal of the service
    WITHDRAWN = "WITHDRAWN"


TERMINAL_STAGES: frozenset[Stage] = frozenset(
    {Stage.INCOMPLETE_REFUSED, Stage.APPROVED, Stage.REFUSED, Stage.WITHDRAWN}
)


class Action(str, Enum):
    REGISTER = "REGISTER"
    ACCEPT_COMPLETE = "ACCEPT_COMPLETE"
    REFUSE_INCOMPLETE = "REFUSE_INCOMPLETE"
    PRELIMINARY_REFUSE = "PRELIMINARY_REFUSE"
    SCHEDULE_HEARING = "SCHEDULE_HEARING"
    APPROVE = "APPROVE"
    REFUSE = "REFUSE"
    WITHDRAW = "WITHDRAW"


# Edges shared by every procedure.
_COMMON: dict[tuple[Stage, Action], Stage] = {
    (Stage.SUBMITTED, Action.REGISTER): Stage.REGISTERED,
    # The completeness check exists in every rule set (001 §7, §14; 002 §9 and App.5 item 3;
    # 004 §7, §12). Procedures with no separate completeness term still pass through it; their
    # completeness decision simply shares the service term.
    (Stage.REGISTERED, Action.ACCEPT_COMPLETE): Stage.UNDER_REVIEW,
    (Stage.REGISTERED, Action.REFUSE_INCOMPLETE): Stage.INCOMPLETE_REFUSED,
    (Stage.UNDER_REVIEW, Action.APPROVE): Stage.APPROVED,
}

# Procedures with the preliminary-refusal step (001 §10, 002 §11-13, 004 §9-11): grounds found
# during review lead to a preliminary decision and a hearing, and only "по результатам
# заслушивания" may the authority issue a motivated refusal, so REFUSE leaves only
# HEARING_SCHEDULED. The hearing may also end in approval (the same paragraphs).
_WITH_HEARING: dict[tuple[Stage, Action], Stage] = {
    (Stage.UNDER_REVIEW, Action.PRELIMINARY_REFUSE): Stage.PRELIMINARY_REFUSAL,
    (Stage.PRELIMINARY_REFUSAL, Action.SCHEDULE_HEARING): Stage.HEARING_SCHEDULED,
    (Stage.HEARING_SCHEDULED, Action.APPROVE): Stage.APPROVED,
    (Stage.HEARING_SCHEDULED, Action.REFUSE): Stage.REFUSED,
}

# Extra edge, only for procedures without a hearing step: licence re-issue (001 §15: the
# authority "переоформляет лицензию либо готовит мотивированный отказ" within 2 WD, and a 2-WD
# term cannot hold a notice sent 3 WD before its end), pool re-issue (004 §12: motivated refusal
# straight after the 2-WD check), ASIC exclusion (002 §14, 2 WD) and change (002 §15, 3 WD),
# and complaints (001 §19-22). Without this edge those refusals could not be recorded at all.
_WITHOUT_HEARING: dict[tuple[Stage, Action], Stage] = {
    (Stage.UNDER_REVIEW, Action.REFUSE): Stage.REFUSED,
}

# Edges deliberately NOT in the tables:
# - SUBMITTED -> INCOMPLETE_REFUSED: the office clerk's "отказ в приеме" (002 §9, 004 §7)
#   happens before registration, so no application (and no term) ever exists in the system.
# - PRELIMINARY_REFUSAL -> APPROVED/REFUSED: 001 §10 sends the preliminary decision together
#   with the hearing's time and place, and decides only after the hearing.
# - Leaving a terminal stage: a decision is a signed document; a new application starts anew.


def _build(hearing: bool) -> dict[tuple[Stage, Action], Stage]:
    table = dict(_COMMON)
    table.update(_WITH_HEARING if hearing else _WITHOUT_HEARING)
    for stage in Stage:
        if stage not in TERMINAL_STAGES:
            table[(stage, Action.WITHDRAW)] = Stage.WITHDRAWN  # the applicant may always withdraw
    return table


_TRANSITIONS: Mapping[bool, Mapping[tuple[Stage, Action], Stage]] = {
    True: _build(hearing=True),
    False: _build(hearing=False),
}


class IllegalTransition(DomainError):
    """``action`` is not allowed at ``stage`` (for this kind of procedure)."""

    def __init__(self, stage: Stage, action: Action, *, hearing: bool = True) -> None:
        self.stage = Stage(stage)
        self.action = Action(action)
        self.hearing = hearing
        super().__init__(
            ErrorCode.ILLEGAL_TRANSITION,
            detail=f"{self.action.value} is not allowed at {self.stage.value}"
            + ("" if hearing else " (procedure without hearing)"),
            stage=self.stage.value,
            action=self.action.value,
        )


def is_terminal(stage: Stage) -> bool:
    return Stage(stage) in TERMINAL_STAGES


class RefusalKind(str, Enum):
    """Which refusal an incomplete package got (002 §9, 004 §7, 001 §7)."""

    NOT_ACCEPTED = "NOT_ACCEPTED"  # the office clerk refused to accept it on the day it came
    FURTHER_REVIEW_REFUSED = "FURTHER_REVIEW_REFUSED"  # motivated refusal of further review
    SERVICE_REFUSED = "SERVICE_REFUSED"  # motivated refusal of the service (after review)


def refusal_kind(
    stage: Stage, *, office: bool, registered_on: date | None, decided_on: date | None
) -> RefusalKind | None:
    """At the office an incomplete package is refused at the counter, the same day; accepted
    and found incomplete later (or filed on the portal) it gets a motivated refusal of further
    review within the completeness term."""
    if stage is Stage.REFUSED:
        return RefusalKind.SERVICE_REFUSED
    if stage is not Stage.INCOMPLETE_REFUSED:
        return None
    if office and registered_on is not None and decided_on == registered_on:
        return RefusalKind.NOT_ACCEPTED
    return RefusalKind.FURTHER_REVIEW_REFUSED


def next_stage(stage: Stage, action: Action, *, hearing: bool = True) -> Stage:
    """The stage after ``action``; pass ``hearing=spec.hearing`` for the procedure at hand."""
    stage, action = Stage(stage), Action(action)
    try:
        return _TRANSITIONS[hearing][(stage, action)]
    except KeyError:
        raise IllegalTransition(stage, action, hearing=hearing) from None


def allowed_actions(stage: Stage, *, hearing: bool = True) -> frozenset[Action]:
    stage = Stage(stage)
    return frozenset(a for (s, a) in _TRANSITIONS[hearing] if s is stage)


# The authority's steps (officers, and admins who hold every permission). REGISTER follows from
# the receipt time alone and is nobody's to take; WITHDRAW is the applicant's.
AUTHORITY_ACTIONS: frozenset[Action] = frozenset(Action) - {Action.REGISTER, Action.WITHDRAW}


def may_take(actor: Actor, action: Action, owner: OwnerRef) -> bool:
    """Whether ``actor``'s role and organisation let it take ``action`` on an application owned
    by ``owner`` at all (at a stage where the action exists).

    The authority (DECIDE: officers, admins) takes the workflow's steps; withdrawal is the
    applicant's, for its own organisation's application, or an officer's on its behalf.
    Inspectors and partner systems take none; registration is nobody's step."""
    action = Action(action)
    if action in AUTHORITY_ACTIONS:
        return actor.can(Permission.DECIDE)
    if action is Action.WITHDRAW:
        return may_act_for(actor, owner)
    return False


def caller_actions(stage: Stage, *, hearing: bool, actor: Actor, owner: OwnerRef) -> frozenset[Action]:
    """What ``actor`` may do now to an application at ``stage`` owned by ``owner``: the stage's
    possible actions that the caller may take (`may_take`)."""
    return frozenset(a for a in allowed_actions(stage, hearing=hearing) if may_take(actor, a, owner))


# --------------------------------------------------------------------------------------------
# Procedures and their terms (dated data)
# --------------------------------------------------------------------------------------------


class LicenseSubtype(str, Enum):
    I = "I"  # owns or lawfully holds a data center (001 §3)
    II = "II"  # units hosted in a subtype-I miner's data center (001 §3)


class ProcedureCode(str, Enum):
    LICENSE_ISSUE = "LICENSE_ISSUE"
    LICENSE_REISSUE = "LICENSE_REISSUE"
    ASIC_INCLUSION = "ASIC_INCLUSION"
    ASIC_EXCLUSION = "ASIC_EXCLUSION"
    ASIC_CHANGE = "ASIC_CHANGE"
    POOL_ACCREDITATION = "POOL_ACCREDITATION"
    POOL_REISSUE = "POOL_REISSUE"


@dataclass(frozen=True)
class ProcedureSpec(Dated):
    code: ProcedureCode
    title_ru: str
    title_kk: str
    completeness_days: int | None  # None: no separate completeness term
    total_days: int  # the service term, working days from registration
    hearing: bool  # preliminary refusal + hearing step applies
    refusal_grounds: tuple[str, ...]  # ground codes, see rules.grounds
    in_force_with: RuleSet | date  # `effective_from`: its in-force date (rules.rule_sets)
    # How applications may be filed: licensing through the portal only (001 §4, §12, App.3
    # items 3 and 5); the registry and pools also at the office (002 §9, 004 §7).
    channels: frozenset[Channel] = frozenset(Channel)


class NoRulesInForce(DomainError, LookupError):
    """No version of the rules was in force on the date asked about."""

    def __init__(self, what: str, on: date) -> None:
        self.what = what
        self.on = on
        super().__init__("NO_RULES_IN_FORCE", detail=f"no {what} in force on {on}", what=what)


# Entry-into-force dates: each order's own clause and its publication date (rules.rule_sets:
# 001 order 169/НҚ, 60 days after publication; 002 edition of order 331/НҚ, 10 days after;
# 004 order 404/НҚ, on publication). 001 order §4 brings the fee, the "fee not paid" ground,
# payment data and App.11 I(4) in on 2024-01-01.
_LICENSING_FROM = RuleSet.LICENSING
_LICENSING_2024 = RuleSet.LICENSING_2024
_REGISTRY_FROM = RuleSet.REGISTRY
_POOLS_FROM = RuleSet.POOLS

# Ground codes, in the order of the regulations' enumerations (texts in rules.grounds).
_LICENSING_GROUNDS_2023 = (
    "PROHIBITED_ACTIVITY",
    "QUALIFICATION_NOT_MET",
    "COURT_SUSPENSION",
    "COURT_BAN_DEBTOR",
    "FALSE_DOCUMENTS",
    "NON_COMPLIANCE",
    "NO_PD_CONSENT",
)
# 001 App.3 item 10.2 "не внесен лицензионный сбор" applies from 2024-01-01 (order §4).
_LICENSING_GROUNDS_2024 = (
    "PROHIBITED_ACTIVITY",
    "FEE_NOT_PAID",
    *_LICENSING_GROUNDS_2023[1:],
)
_REGISTRY_GROUNDS = (  # 002 App.5 item 9
    "FALSE_DOCUMENTS",
    "NON_COMPLIANCE",
    "NEGATIVE_APPROVAL",
    "COURT_BAN",
    "SPECIAL_RIGHT_DEPRIVED",
    "NO_PD_CONSENT",
)
_POOL_GROUNDS = (  # 004 App.2 item 9
    "FALSE_DOCUMENTS",
    "NON_COMPLIANCE",
    "COURT_BAN",
    "SPECIAL_RIGHT_DEPRIVED",
    "NO_PD_CONSENT",
)

_LICENSE_ISSUE_RU = "Выдача лицензии на осуществление деятельности по цифровому майнингу"
_LICENSE_ISSUE_KK = "Цифрлық майнинг жөніндегі қызметті жүзеге асыруға лицензия беру"
_LICENSE_REISSUE_RU = "Переоформление лицензии на осуществление деятельности по цифровому майнингу"
_LICENSE_REISSUE_KK = "Цифрлық майнинг жөніндегі қызметті жүзеге асыруға лицензияны қайта ресімдеу"

# From 2024-01-01 only the grounds change (the fee ground comes in); the terms stay.
_LICENSE_ISSUE_2023 = ProcedureSpec(
    code=ProcedureCode.LICENSE_ISSUE,
    title_ru=_LICENSE_ISSUE_RU,
    title_kk=_LICENSE_ISSUE_KK,
    completeness_days=2,
    total_days=15,
    hearing=True,
    refusal_grounds=_LICENSING_GROUNDS_2023,
    in_force_with=_LICENSING_FROM,
    channels=frozenset({Channel.PORTAL}),
)
_LICENSE_REISSUE_2023 = ProcedureSpec(
    code=ProcedureCode.LICENSE_REISSUE,
    title_ru=_LICENSE_REISSUE_RU,
    title_kk=_LICENSE_REISSUE_KK,
    completeness_days=1,
    total_days=2,
    hearing=False,
    refusal_grounds=_LICENSING_GROUNDS_2023,
    in_force_with=_LICENSING_FROM,
    channels=frozenset({Channel.PORTAL}),
)

PROCEDURES: Mapping[ProcedureCode, tuple[ProcedureSpec, ...]] = {
    ProcedureCode.LICENSE_ISSUE: (
        # 001 §7: completeness 2 WD; §8: 13 WD more; App.3 item 4: 15 WD in total; §10: hearing.
        _LICENSE_ISSUE_2023,
        replace(_LICENSE_ISSUE_2023, refusal_grounds=_LICENSING_GROUNDS_2024, in_force_with=_LICENSING_2024),
    ),
    ProcedureCode.LICENSE_REISSUE: (
        # 001 §14: completeness 1 WD; §15 and App.3 item 4: 2 WD in total. §15 goes straight to
        # a motivated refusal (no hearing). App.3 item 10 covers the whole service, re-issue too.
        _LICENSE_REISSUE_2023,
        replace(
            _LICENSE_REISSUE_2023, refusal_grounds=_LICENSING_GROUNDS_2024, in_force_with=_LICENSING_2024
        ),
    ),
    ProcedureCode.ASIC_INCLUSION: (
        # 002 §9 and App.5 item 3: incomplete -> refusal within 2 WD; §10 and App.5 item 3:
        # 5 WD in total; §11-13: preliminary refusal and hearing.
        ProcedureSpec(
            code=ProcedureCode.ASIC_INCLUSION,
            title_ru="Включение аппаратно-программного комплекса для цифрового майнинга в реестр",
            title_kk=(
                "Цифрлық майнингке арналған аппараттық-бағдарламалық кешенді тізіліміне қосу"
            ),
            completeness_days=2,
            total_days=5,
            hearing=True,
            refusal_grounds=_REGISTRY_GROUNDS,
            in_force_with=_REGISTRY_FROM,
        ),
    ),
    ProcedureCode.ASIC_EXCLUSION: (
        # 002 §14 and App.5 item 3: 2 WD; the notice follows "при отсутствии оснований для
        # отказа", with no hearing (none could fit a 2-WD term anyway).
        ProcedureSpec(
            code=ProcedureCode.ASIC_EXCLUSION,
            title_ru=(
                "Исключение аппаратно-программного комплекса для цифрового майнинга из реестра"
            ),
            title_kk=(
                "Цифрлық майнингке арналған аппараттық-бағдарламалық кешенді тізілімнен алып тастау"
            ),
            completeness_days=None,
            total_days=2,
            hearing=False,
            refusal_grounds=_REGISTRY_GROUNDS,
            in_force_with=_REGISTRY_FROM,
        ),
    ),
    ProcedureCode.ASIC_CHANGE: (
        # 002 §15: the authority updates the registry within 3 WD of registration. §15 names no
        # refusal grounds; the registry's own list (App.5 item 9) is the only one these rules
        # have, so a false or non-compliant change notice is refused on those grounds.
        ProcedureSpec(
            code=ProcedureCode.ASIC_CHANGE,
            title_ru="Внесение изменений в реестр аппаратно-программного комплекса",
            title_kk="Аппараттық-бағдарламалық кешен тізіліміне өзгерістер енгізу",
            completeness_days=None,
            total_days=3,
            hearing=False,
            refusal_grounds=_REGISTRY_GROUNDS,
            in_force_with=_REGISTRY_FROM,
        ),
    ),
    ProcedureCode.POOL_ACCREDITATION: (
        # 004 §7: incomplete -> refusal within 2 WD; App.2 item 3: 10 WD in total (§8's 5 WD is
        # the review of a complete package inside it); §9-11: preliminary refusal and hearing.
        ProcedureSpec(
            code=ProcedureCode.POOL_ACCREDITATION,
            title_ru="Аккредитация цифровых майнинговых пулов",
            title_kk="Цифрлық майнингтік пулдарды аккредиттеу",
            completeness_days=2,
            total_days=10,
            hearing=True,
            refusal_grounds=_POOL_GROUNDS,
            in_force_with=_POOLS_FROM,
        ),
    ),
    ProcedureCode.POOL_REISSUE: (
        # 004 App.2 item 3: 5 WD in total. §12: the package is checked within 2 WD and, if
        # non-compliant or expired, a motivated refusal of further review goes out: that is the
        # completeness term. §12 prescribes that refusal directly, without a hearing.
        ProcedureSpec(
            code=ProcedureCode.POOL_REISSUE,
            title_ru="Переоформление свидетельства об аккредитации цифрового майнингового пула",
            title_kk="Цифрлық майнингтік пулды аккредиттеу туралы куәлікті қайта ресімдеу",
            completeness_days=2,
            total_days=5,
            hearing=False,
            refusal_grounds=_POOL_GROUNDS,
            in_force_with=_POOLS_FROM,
        ),
    ),
}


def procedure_spec(code: ProcedureCode, registered_on: date) -> ProcedureSpec:
    """The version of ``code``'s rules in force on the registration date."""
    versions = PROCEDURES[ProcedureCode(code)]
    in_force = [v for v in versions if v.effective_from <= registered_on]
    if not in_force:
        raise NoRulesInForce(f"{ProcedureCode(code).value} rules", registered_on)
    return max(in_force, key=lambda v: v.effective_from)


def check_channel(spec: ProcedureSpec, channel: Channel) -> None:
    """Refuse a filing through a channel the procedure's rules do not provide."""
    if Channel(channel) not in spec.channels:
        raise DomainError(ErrorCode.CHANNEL_NOT_ALLOWED, field="channel", channel=Channel(channel).value)


# --------------------------------------------------------------------------------------------
# Deadlines
# --------------------------------------------------------------------------------------------

# 001 §10, 002 §12, 004 §10: "Уведомление о заслушивании направляется не менее чем за 3
# рабочих дня до завершения срока... Заслушивание проводится не позднее 2 рабочих дней со дня
# уведомления."
HEARING_NOTICE_MIN_WD_BEFORE_END = 3
HEARING_MAX_WD_AFTER_NOTICE = 2


@dataclass(frozen=True)
class Deadlines:
    completeness_due: datetime | None  # aware UTC, 18:30 Almaty on the term's last day
    decision_due: datetime
    hearing_notice_last_day: date | None  # None when the procedure has no hearing


class HearingOutOfWindow(DomainError, ValueError):
    """A hearing notice or hearing date breaks 001 §10 (002 §12, 004 §10)."""

    NOTICE_TOO_LATE = "HEARING_NOTICE_TOO_LATE"
    HEARING_TOO_LATE = "HEARING_TOO_LATE"
    HEARING_BEFORE_NOTICE = "HEARING_BEFORE_NOTICE"

    def __init__(self, code: str, *, detail: str, limit: date) -> None:
        self.limit = limit
        super().__init__(code, detail=detail, limit=limit.isoformat())


def hearing_notice_last_day(
    spec: ProcedureSpec, registered_on: date, calendar: WorkCalendar
) -> date | None:
    """The last day the hearing notice may be sent, or None if the procedure has no hearing.

    "Not less than 3 WD before the end of the term": sent on day N, the working days strictly
    after N up to and including the term's last day L must be at least 3. The last such N is
    the working day with exactly 3 working days after it up to L, i.e. term day (total - 3).
    For the 15-WD licence term: notice by day 12, leaving days 13, 14, 15 for the hearing
    (which must fall within 2 WD, so by day 14) and the decision on day 15.
    """
    if not spec.hearing:
        return None
    lead = spec.total_days - HEARING_NOTICE_MIN_WD_BEFORE_END
    if lead < 0:
        return None  # a term shorter than the notice period has no room for a hearing
    # lead == 0: registration day itself (always a working day) is the last possible day.
    return calendar.add_working_days(registered_on, lead)


def compute_deadlines(
    spec: ProcedureSpec, registered_on: date, calendar: WorkCalendar
) -> Deadlines:
    """All term deadlines of an application registered on ``registered_on``."""
    completeness = (
        None
        if spec.completeness_days is None
        else calendar.term_due(registered_on, spec.completeness_days)
    )
    return Deadlines(
        completeness_due=completeness,
        decision_due=calendar.term_due(registered_on, spec.total_days),
        hearing_notice_last_day=hearing_notice_last_day(spec, registered_on, calendar),
    )


def hearing_latest_date(notice_sent_on: date, calendar: WorkCalendar) -> date:
    """The last day the hearing may take place: 2 WD counted from the day after the notice."""
    return calendar.add_working_days(notice_sent_on, HEARING_MAX_WD_AFTER_NOTICE)


def check_hearing(
    spec: ProcedureSpec,
    registered_on: date,
    notice_sent_on: date,
    hearing_on: date,
    calendar: WorkCalendar,
) -> None:
    """Raise :class:`HearingOutOfWindow` if the notice or the hearing date breaks 001 §10."""
    last_notice = hearing_notice_last_day(spec, registered_on, calendar)
    if last_notice is None:
        raise ValueError(f"{spec.code.value} has no hearing step")
    if notice_sent_on > last_notice:
        raise HearingOutOfWindow(
            HearingOutOfWindow.NOTICE_TOO_LATE,
            detail=f"notice sent {notice_sent_on}, last allowed day {last_notice}",
            limit=last_notice,
        )
    if hearing_on < notice_sent_on:
        raise HearingOutOfWindow(
            HearingOutOfWindow.HEARING_BEFORE_NOTICE,
            detail=f"hearing {hearing_on} is before the notice {notice_sent_on}",
            limit=notice_sent_on,
        )
    latest = hearing_latest_date(notice_sent_on, calendar)
    if hearing_on > latest:
        raise HearingOutOfWindow(
            HearingOutOfWindow.HEARING_TOO_LATE,
            detail=f"hearing {hearing_on}, latest allowed {latest}",
            limit=latest,
        )


class HearingOutcome(str, Enum):
    """What came of a scheduled hearing, recorded with the decision taken "по результатам
    заслушивания" (001 §10 ¶3, 002 §13, 004 §11)."""

    HELD = "HELD"  # the applicant was heard
    APPLICANT_ABSENT = "APPLICANT_ABSENT"  # the applicant did not come, nor answer
    OBJECTIONS_RECEIVED = "OBJECTIONS_RECEIVED"  # the applicant answered in writing instead


def check_decision_after_hearing(
    stage: Stage, hearing_on: date | None, today: date, outcome: HearingOutcome | None
) -> None:
    """A decision after a scheduled hearing is taken by its results: on or after the hearing
    day (``today``: the Almaty date), recording the outcome. Other stages need neither."""
    if Stage(stage) is not Stage.HEARING_SCHEDULED:
        if outcome is not None:
            raise DomainError(ErrorCode.VALIDATION, field="hearingOutcome", detail="no hearing was scheduled")
        return
    if hearing_on is not None and today < hearing_on:
        raise DomainError(ErrorCode.DECISION_BEFORE_HEARING, hearing_on=hearing_on.isoformat())
    if outcome is None:
        raise DomainError(ErrorCode.VALIDATION, field="hearingOutcome", detail="record what came of the hearing")


def check_grounds_heard(preliminary: Sequence[str], final: Sequence[str]) -> None:
    """A refusal after the hearing cites only grounds of the preliminary decision, the ones
    the applicant was heard on (001 §10)."""
    heard = set(preliminary)
    for i, ground in enumerate(final):
        if ground not in heard:
            raise DomainError(ErrorCode.GROUND_NOT_HEARD, field=f"grounds[{i}]", ground=str(ground))


def check_further_review_refusal(
    completeness_problem_count: int, completeness_due: datetime | None, decision_due: datetime | None,
    now: datetime,
) -> None:
    """A refusal of further review (001 §7 ¶2, §14 ¶2; 002 §9; 004 §7, §12) needs completeness
    problems, and comes within the completeness term (the service term where the procedure has
    no separate one)."""
    if completeness_problem_count == 0:
        raise DomainError(ErrorCode.PACKAGE_COMPLETE)
    due = completeness_due or decision_due
    if due is not None and is_overdue(due, now):
        raise DomainError(ErrorCode.COMPLETENESS_TERM_PASSED, due=_local_date(due).isoformat())


class DeadlineKind(str, Enum):
    """Which term an open application is running against."""

    COMPLETENESS = "COMPLETENESS"  # the completeness check (001 §7, 002 §9, 004 §7)
    DECISION = "DECISION"  # the whole service term (001 App.3 item 4, 002 §10, 004 App.2 item 3)


@dataclass(frozen=True)
class NextDeadline:
    kind: DeadlineKind
    due_at: datetime  # aware UTC: 18:30 Almaty on the term's last working day


def next_deadline(
    stage: Stage, completeness_due: datetime | None, decision_due: datetime | None
) -> NextDeadline | None:
    """The term that applies now: completeness while REGISTERED (when the procedure has one),
    the decision term while under review or in the hearing steps; none once decided."""
    stage = Stage(stage)
    if stage in TERMINAL_STAGES or stage is Stage.SUBMITTED:
        return None
    if stage is Stage.REGISTERED and completeness_due is not None:
        return NextDeadline(DeadlineKind.COMPLETENESS, completeness_due)
    if decision_due is None:
        return None
    return NextDeadline(DeadlineKind.DECISION, decision_due)


def _local_date(instant: datetime) -> date:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"expected a timezone-aware datetime, got {instant!r}")
    return instant.astimezone(ALMATY).date()


def is_overdue(due: datetime, now: datetime) -> bool:
    """True once ``now`` is past the deadline instant (both timezone-aware)."""
    # Naive datetimes would compare in no particular zone; reject them.
    _local_date(due)
    _local_date(now)
    return now > due


def is_past_due(stage: Stage, next_due_at: datetime | None, now: datetime) -> bool:
    """The overdue rule of an application, for the `overdue` field and filter alike: still open
    and ``now`` past the end of the term that applies in its stage (`next_due_at`, kept by the
    engine: completeness while REGISTERED, else the decision term; null once decided). The
    filter states the same in SQL: `next_due_at < now AND stage NOT IN TERMINAL_STAGES`."""
    if next_due_at is None or Stage(stage) in TERMINAL_STAGES:
        return False
    return is_overdue(next_due_at, now)


def days_left(due: datetime, now: datetime, calendar: WorkCalendar) -> int:
    """Working days left until ``due``, judged by the Almaty date of ``now``.

    0 on the due day before 18:30 ("due today"); n when the due day is the n-th working day
    after today. Once overdue: -(working days elapsed after the due day), at least -1, so the
    evening of the due day and the next working day both read -1.
    """
    due_day, today = _local_date(due), _local_date(now)
    if is_overdue(due, now):
        return -max(1, calendar.working_days_between(due_day, today))
    return calendar.working_days_between(today, due_day)


# --------------------------------------------------------------------------------------------
# Complaints (001 §19-23; the same in 002 §17-21 and 004 §16-20)
# --------------------------------------------------------------------------------------------


class ComplaintReviewer(str, Enum):
    PROVIDER = "PROVIDER"  # the complaint reached the provider (услугодатель)
    QUALITY_AUTHORITY = "QUALITY_AUTHORITY"  # the service-quality assessment authority


@dataclass(frozen=True)
class ComplaintTerms(Dated):
    reviewer: ComplaintReviewer
    forward_days: int | None  # term to forward the complaint and case file, if any
    review_days: int
    in_force_with: RuleSet | date  # `effective_from`: its in-force date (rules.rule_sets)


COMPLAINT_TERMS: Mapping[ComplaintReviewer, tuple[ComplaintTerms, ...]] = {
    # 001 §20: forward with the case file within 3 WD unless the complaint is fully granted
    # within those 3 WD; §21: review within 5 WD "в соответствии с пунктом 2 статьи 25 Закона о
    # государственных услугах", the Law's term, which applied before §21 took this edition too;
    # the edition of 27.02.2024 No 95/НҚ is dated on its own (RuleSet.LICENSING_S21).
    ComplaintReviewer.PROVIDER: (
        ComplaintTerms(ComplaintReviewer.PROVIDER, 3, 5, _LICENSING_FROM),
        ComplaintTerms(ComplaintReviewer.PROVIDER, 3, 5, RuleSet.LICENSING_S21),
    ),
    # 001 §22: review within 15 WD; nothing to forward.
    ComplaintReviewer.QUALITY_AUTHORITY: (
        ComplaintTerms(ComplaintReviewer.QUALITY_AUTHORITY, None, 15, _LICENSING_FROM),
    ),
}


@dataclass(frozen=True)
class ComplaintDeadlines:
    forward_due: datetime | None
    review_due: datetime


def complaint_terms(reviewer: ComplaintReviewer, registered_on: date) -> ComplaintTerms:
    versions = COMPLAINT_TERMS[ComplaintReviewer(reviewer)]
    in_force = [v for v in versions if v.effective_from <= registered_on]
    if not in_force:
        raise NoRulesInForce("complaint terms", registered_on)
    return max(in_force, key=lambda v: v.effective_from)


def complaint_deadlines(
    registered_on: date, reviewer: ComplaintReviewer, calendar: WorkCalendar
) -> ComplaintDeadlines:
    """Deadlines of a complaint registered on ``registered_on`` with ``reviewer``.

    Complaints follow the shared state machine with ``hearing=False``.
    """
    terms = complaint_terms(reviewer, registered_on)
    forward = (
        None if terms.forward_days is None else calendar.term_due(registered_on, terms.forward_days)
    )
    return ComplaintDeadlines(
        forward_due=forward, review_due=calendar.term_due(registered_on, terms.review_days)
    )
