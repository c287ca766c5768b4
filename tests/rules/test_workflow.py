"""The shared application state machine, procedure terms and deadlines (rules/workflow.py).

Every expected date below was counted by hand from the Kazakh calendar, not by the code under
test. Days off used here (statutory holidays and their observed transfers):
  2024: none in February; Almaty moved from UTC+6 to UTC+5 on 2024-03-01.
  2025: 1-3 Jan (3 Jan by decree), 7 Jan; 21-25 Mar (Nauryz 21-23 + observed 24-25);
        1, 7, 9 May; 6 Jun (Kurban ait); 30 Aug Sat -> observed Mon 1 Sep.
  2026: 1-2 Jan, 7 Jan (Orthodox Christmas, never moved).
Close of business 18:30 Almaty is 13:30 UTC at UTC+5 and 12:30 UTC at UTC+6.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from rules.access import Actor, OwnerRef
from rules.calendar import CalendarOverride, WorkCalendar
from rules.enums import Channel, Role
from rules.errors import DomainError
from rules.workflow import (
    COMPLAINT_TERMS,
    PROCEDURES,
    TERMINAL_STAGES,
    Action,
    ComplaintReviewer,
    Deadlines,
    HearingOutcome,
    HearingOutOfWindow,
    IllegalTransition,
    NoRulesInForce,
    ProcedureCode,
    RefusalKind,
    Stage,
    allowed_actions,
    caller_actions,
    check_channel,
    check_decision_after_hearing,
    check_further_review_refusal,
    check_grounds_heard,
    check_hearing,
    complaint_deadlines,
    compute_deadlines,
    days_left,
    hearing_latest_date,
    is_overdue,
    is_past_due,
    is_terminal,
    may_take,
    next_stage,
    procedure_spec,
    refusal_kind,
)

S, A = Stage, Action
P = ProcedureCode
ALMATY_5 = timezone(timedelta(hours=5))  # a fixed offset only to write expected instants


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar()


def utc(y: int, m: int, d: int, h: int = 13, mi: int = 30) -> datetime:
    """Expected instants in UTC; the default is 18:30 at UTC+5."""
    return datetime(y, m, d, h, mi, tzinfo=UTC)


def almaty(y: int, m: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=ALMATY_5)


# ------------------------------------------------------------------------------------------
# State machine
# ------------------------------------------------------------------------------------------

# The full legal table, written out by hand (not derived from the module).
LEGAL_WITH_HEARING: dict[tuple[Stage, Action], Stage] = {
    (S.SUBMITTED, A.REGISTER): S.REGISTERED,
    (S.SUBMITTED, A.WITHDRAW): S.WITHDRAWN,
    (S.REGISTERED, A.ACCEPT_COMPLETE): S.UNDER_REVIEW,
    (S.REGISTERED, A.REFUSE_INCOMPLETE): S.INCOMPLETE_REFUSED,
    (S.REGISTERED, A.WITHDRAW): S.WITHDRAWN,
    (S.UNDER_REVIEW, A.PRELIMINARY_REFUSE): S.PRELIMINARY_REFUSAL,
    (S.UNDER_REVIEW, A.APPROVE): S.APPROVED,
    (S.UNDER_REVIEW, A.WITHDRAW): S.WITHDRAWN,
    (S.PRELIMINARY_REFUSAL, A.SCHEDULE_HEARING): S.HEARING_SCHEDULED,
    (S.PRELIMINARY_REFUSAL, A.WITHDRAW): S.WITHDRAWN,
    (S.HEARING_SCHEDULED, A.APPROVE): S.APPROVED,
    (S.HEARING_SCHEDULED, A.REFUSE): S.REFUSED,
    (S.HEARING_SCHEDULED, A.WITHDRAW): S.WITHDRAWN,
}

# Procedures without a hearing (re-issues, ASIC exclusion/change, complaints): refusal straight
# from review, and the preliminary-refusal step does not exist.
LEGAL_WITHOUT_HEARING: dict[tuple[Stage, Action], Stage] = {
    (S.SUBMITTED, A.REGISTER): S.REGISTERED,
    (S.SUBMITTED, A.WITHDRAW): S.WITHDRAWN,
    (S.REGISTERED, A.ACCEPT_COMPLETE): S.UNDER_REVIEW,
    (S.REGISTERED, A.REFUSE_INCOMPLETE): S.INCOMPLETE_REFUSED,
    (S.REGISTERED, A.WITHDRAW): S.WITHDRAWN,
    (S.UNDER_REVIEW, A.APPROVE): S.APPROVED,
    (S.UNDER_REVIEW, A.REFUSE): S.REFUSED,
    (S.UNDER_REVIEW, A.WITHDRAW): S.WITHDRAWN,
    # Unreachable without hearing, but an application must still be withdrawable.
    (S.PRELIMINARY_REFUSAL, A.WITHDRAW): S.WITHDRAWN,
    (S.HEARING_SCHEDULED, A.WITHDRAW): S.WITHDRAWN,
}

ALL_PAIRS = [(s, a) for s in Stage for a in Action]


@pytest.mark.parametrize(
    ("stage", "action", "expected"), [(*k, v) for k, v in LEGAL_WITH_HEARING.items()]
)
def test_every_legal_transition_with_hearing(stage: Stage, action: Action, expected: Stage) -> None:
    assert next_stage(stage, action) is expected
    assert next_stage(stage, action, hearing=True) is expected


@pytest.mark.parametrize(
    ("stage", "action", "expected"), [(*k, v) for k, v in LEGAL_WITHOUT_HEARING.items()]
)
def test_every_legal_transition_without_hearing(
    stage: Stage, action: Action, expected: Stage
) -> None:
    assert next_stage(stage, action, hearing=False) is expected


@pytest.mark.parametrize(("stage", "action"), [p for p in ALL_PAIRS if p not in LEGAL_WITH_HEARING])
def test_every_other_pair_is_illegal_with_hearing(stage: Stage, action: Action) -> None:
    with pytest.raises(IllegalTransition) as err:
        next_stage(stage, action)
    assert err.value.stage is stage and err.value.action is action
    assert err.value.code == "ILLEGAL_TRANSITION"
    assert isinstance(err.value, DomainError)


@pytest.mark.parametrize(
    ("stage", "action"), [p for p in ALL_PAIRS if p not in LEGAL_WITHOUT_HEARING]
)
def test_every_other_pair_is_illegal_without_hearing(stage: Stage, action: Action) -> None:
    with pytest.raises(IllegalTransition):
        next_stage(stage, action, hearing=False)


@pytest.mark.parametrize(
    ("stage", "action", "why"),
    [
        (S.UNDER_REVIEW, A.REFUSE, "001 §10: a final refusal only after the hearing"),
        (S.PRELIMINARY_REFUSAL, A.REFUSE, "the hearing must be scheduled and held first"),
        (S.PRELIMINARY_REFUSAL, A.APPROVE, "the decision follows the hearing"),
        (S.SUBMITTED, A.ACCEPT_COMPLETE, "terms run from registration"),
        (S.SUBMITTED, A.REFUSE_INCOMPLETE, "a counter refusal never enters the system"),
        (S.REGISTERED, A.APPROVE, "no approval without review"),
        (S.APPROVED, A.WITHDRAW, "a signed decision cannot be withdrawn"),
        (S.REFUSED, A.SCHEDULE_HEARING, "terminal"),
        (S.INCOMPLETE_REFUSED, A.ACCEPT_COMPLETE, "terminal: a new application is needed"),
    ],
)
def test_notable_illegal_transitions(stage: Stage, action: Action, why: str) -> None:
    with pytest.raises(IllegalTransition):
        next_stage(stage, action)


def test_preliminary_refusal_does_not_exist_without_hearing() -> None:
    with pytest.raises(IllegalTransition):
        next_stage(S.UNDER_REVIEW, A.PRELIMINARY_REFUSE, hearing=False)


@pytest.mark.parametrize("hearing", [True, False])
@pytest.mark.parametrize("stage", list(Stage))
def test_allowed_actions_match_the_table(stage: Stage, hearing: bool) -> None:
    table = LEGAL_WITH_HEARING if hearing else LEGAL_WITHOUT_HEARING
    assert allowed_actions(stage, hearing=hearing) == frozenset(a for s, a in table if s is stage)


@pytest.mark.parametrize(
    ("stage", "terminal"),
    [
        (S.SUBMITTED, False),
        (S.REGISTERED, False),
        (S.UNDER_REVIEW, False),
        (S.PRELIMINARY_REFUSAL, False),
        (S.HEARING_SCHEDULED, False),
        (S.INCOMPLETE_REFUSED, True),
        (S.APPROVED, True),
        (S.REFUSED, True),
        (S.WITHDRAWN, True),
    ],
)
def test_terminal_stages(stage: Stage, terminal: bool) -> None:
    assert is_terminal(stage) is terminal
    assert (stage in TERMINAL_STAGES) is terminal
    assert (allowed_actions(stage) == frozenset()) is terminal


def test_enum_values_are_names_and_accept_strings() -> None:
    assert all(s.value == s.name for s in Stage)
    assert all(a.value == a.name for a in Action)
    assert next_stage("SUBMITTED", "REGISTER") is S.REGISTERED  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------
# Procedure specs: terms from the seeds, picked by registration date
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "completeness", "total", "hearing"),
    [
        (P.LICENSE_ISSUE, 2, 15, True),  # 001 §7, App.3 item 4, §10
        (P.LICENSE_REISSUE, 1, 2, False),  # 001 §14, §15, App.3 item 4
        (P.ASIC_INCLUSION, 2, 5, True),  # 002 §9, §10, §11-13
        (P.ASIC_EXCLUSION, None, 2, False),  # 002 §14
        (P.ASIC_CHANGE, None, 3, False),  # 002 §15
        (P.POOL_ACCREDITATION, 2, 10, True),  # 004 §7, App.2 item 3, §9-10
        (P.POOL_REISSUE, 2, 5, False),  # 004 §12, App.2 item 3
    ],
)
def test_terms_from_the_seeds(
    code: ProcedureCode, completeness: int | None, total: int, hearing: bool
) -> None:
    spec = procedure_spec(code, date(2025, 3, 19))
    assert spec.code is code
    assert (spec.completeness_days, spec.total_days, spec.hearing) == (
        completeness,
        total,
        hearing,
    )
    assert spec.title_ru and spec.title_kk


@pytest.mark.parametrize(
    ("code", "registered_on", "version_from", "fee_ground"),
    [
        # 169/НҚ §4: 60 days after publication (default: registered 2023-05-04 -> 2023-07-04)
        (P.LICENSE_ISSUE, date(2023, 12, 29), date(2023, 7, 4), False),
        (P.LICENSE_ISSUE, date(2023, 12, 31), date(2023, 7, 4), False),
        (P.LICENSE_ISSUE, date(2024, 1, 1), date(2024, 1, 1), True),  # 001 order §4
        (P.LICENSE_ISSUE, date(2025, 3, 19), date(2024, 1, 1), True),
        (P.LICENSE_REISSUE, date(2023, 12, 29), date(2023, 7, 4), False),
        (P.LICENSE_REISSUE, date(2024, 1, 2), date(2024, 1, 1), True),
    ],
)
def test_spec_version_picked_by_registration_date(
    code: ProcedureCode, registered_on: date, version_from: date, fee_ground: bool
) -> None:
    spec = procedure_spec(code, registered_on)
    assert spec.effective_from == version_from
    assert ("FEE_NOT_PAID" in spec.refusal_grounds) is fee_ground


@pytest.mark.parametrize(
    ("code", "registered_on"),
    [
        (P.LICENSE_ISSUE, date(2023, 4, 27)),
        (P.LICENSE_ISSUE, date(2023, 7, 3)),  # signed 2023-04-28, in force 2023-07-04
        (P.ASIC_INCLUSION, date(2023, 8, 10)),
        (P.ASIC_INCLUSION, date(2023, 8, 27)),  # 331/НҚ: in force 2023-08-28
        (P.POOL_ACCREDITATION, date(2023, 9, 13)),  # 404/НҚ: in force on publication, 2023-09-14
    ],
)
def test_no_spec_before_the_rules_existed(code: ProcedureCode, registered_on: date) -> None:
    with pytest.raises(NoRulesInForce) as err:
        procedure_spec(code, registered_on)
    assert isinstance(err.value, LookupError)
    assert err.value.code == "NO_RULES_IN_FORCE"


def test_every_procedure_has_versions_in_date_order() -> None:
    assert set(PROCEDURES) == set(ProcedureCode)
    for code, versions in PROCEDURES.items():
        dates = [v.effective_from for v in versions]
        assert dates == sorted(dates) and len(set(dates)) == len(dates), code
        assert all(v.code is code for v in versions)


# ------------------------------------------------------------------------------------------
# Deadlines
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "registered_on", "expected"),
    [
        # Licence issue, Wed 2025-03-19. Completeness 2 WD: Thu 20 (1); 21-25 Nauryz and the
        # weekend; Wed 26 (2). Total 15 WD: 20 (1), 26 (2), 27 (3), 28 (4), 31 (5), Apr 1 (6),
        # 2 (7), 3 (8), 4 (9), 7 (10), 8 (11), 9 (12), 10 (13), 11 (14), Mon 14 (15).
        # Hearing notice: day 12 (Wed Apr 9) leaves Apr 10, 11, 14 = 3 WD.
        (
            P.LICENSE_ISSUE,
            date(2025, 3, 19),
            Deadlines(utc(2025, 3, 26), utc(2025, 4, 14), date(2025, 4, 9)),
        ),
        # Re-issue on the first working day of 2026, Mon 5 Jan (1-2 Jan holidays, 3-4 the
        # weekend). Completeness 1 WD: Tue 6. Total 2 WD: Tue 6 (1), Wed 7 Christmas, Thu 8 (2).
        (
            P.LICENSE_REISSUE,
            date(2026, 1, 5),
            Deadlines(utc(2026, 1, 6), utc(2026, 1, 8), None),
        ),
        # ASIC inclusion, Fri 2024-02-23, across the time-zone change: completeness 2 WD ->
        # Tue Feb 27 18:30 at UTC+6 = 12:30 UTC; total 5 WD -> Wed 28 (3), Thu 29 (4), Fri
        # Mar 1 (5), 18:30 at UTC+5 = 13:30 UTC. Notice by day 2 (Feb 27): Feb 28, 29, Mar 1.
        (
            P.ASIC_INCLUSION,
            date(2024, 2, 23),
            Deadlines(utc(2024, 2, 27, 12, 30), utc(2024, 3, 1), date(2024, 2, 27)),
        ),
        # ASIC exclusion, Tue 2025-05-06: Wed 7 off, Thu 8 (1), Fri 9 off, Mon 12 (2).
        (P.ASIC_EXCLUSION, date(2025, 5, 6), Deadlines(None, utc(2025, 5, 12), None)),
        # ASIC change, Wed 2025-06-04: Thu 5 (1), Fri 6 Kurban ait, Mon 9 (2), Tue 10 (3).
        (P.ASIC_CHANGE, date(2025, 6, 4), Deadlines(None, utc(2025, 6, 10), None)),
        # Pool accreditation, Wed 2025-03-19: completeness as for the licence (Mar 26);
        # total 10 WD -> Mon Apr 7 (see the count above); notice by day 7 = Wed Apr 2.
        (
            P.POOL_ACCREDITATION,
            date(2025, 3, 19),
            Deadlines(utc(2025, 3, 26), utc(2025, 4, 7), date(2025, 4, 2)),
        ),
        # Pool re-issue, Fri 2025-08-29: Sat 30 Aug Constitution Day -> Mon 1 Sep off.
        # Tue 2 (1), Wed 3 (2) = completeness; Thu 4 (3), Fri 5 (4), Mon 8 (5) = total.
        (
            P.POOL_REISSUE,
            date(2025, 8, 29),
            Deadlines(utc(2025, 9, 3), utc(2025, 9, 8), None),
        ),
    ],
)
def test_deadlines_across_holidays(
    cal: WorkCalendar, code: ProcedureCode, registered_on: date, expected: Deadlines
) -> None:
    assert compute_deadlines(procedure_spec(code, registered_on), registered_on, cal) == expected


def test_first_working_day_of_2026_from_a_new_year_eve_evening(cal: WorkCalendar) -> None:
    # Received Wed 2025-12-31 at 18:45 Almaty, after hours: registered Mon 2026-01-05.
    registered_on = cal.registration_date(almaty(2025, 12, 31, 18, 45))
    assert registered_on == date(2026, 1, 5)
    deadlines = compute_deadlines(
        procedure_spec(P.LICENSE_REISSUE, registered_on), registered_on, cal
    )
    assert deadlines.decision_due == utc(2026, 1, 8)


def test_deadlines_follow_calendar_overrides() -> None:
    # A decree making Thu 2025-03-20 a day off pushes the 2-WD check to Thu Mar 27.
    cal = WorkCalendar([CalendarOverride(date(2025, 3, 20), False, "test decree")])
    spec = procedure_spec(P.LICENSE_ISSUE, date(2025, 3, 19))
    assert compute_deadlines(spec, date(2025, 3, 19), cal).completeness_due == utc(2025, 3, 27)


# ------------------------------------------------------------------------------------------
# Hearing window (001 §10, 002 §12, 004 §10)
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("notice_sent_on", "latest"),
    [
        (date(2025, 4, 9), date(2025, 4, 11)),  # Thu 10 (1), Fri 11 (2)
        (date(2025, 3, 20), date(2025, 3, 27)),  # 21-25 off: Wed 26 (1), Thu 27 (2)
        (date(2025, 5, 6), date(2025, 5, 12)),  # 7 off, Thu 8 (1), 9 off, Mon 12 (2)
        (date(2025, 5, 8), date(2025, 5, 13)),  # 9 off, Mon 12 (1), Tue 13 (2)
    ],
)
def test_hearing_latest_date(cal: WorkCalendar, notice_sent_on: date, latest: date) -> None:
    assert hearing_latest_date(notice_sent_on, cal) == latest


@pytest.mark.parametrize(
    ("code", "registered_on", "notice", "hearing", "error"),
    [
        # Licence registered Wed 2025-03-19: term ends Mon Apr 14, last notice Wed Apr 9.
        (P.LICENSE_ISSUE, date(2025, 3, 19), date(2025, 4, 9), date(2025, 4, 11), None),
        (P.LICENSE_ISSUE, date(2025, 3, 19), date(2025, 4, 9), date(2025, 4, 9), None),
        (
            P.LICENSE_ISSUE,
            date(2025, 3, 19),
            date(2025, 4, 10),  # leaves only Apr 11 and 14
            date(2025, 4, 11),
            "HEARING_NOTICE_TOO_LATE",
        ),
        (
            P.LICENSE_ISSUE,
            date(2025, 3, 19),
            date(2025, 4, 9),
            date(2025, 4, 14),  # 3 WD after the notice
            "HEARING_TOO_LATE",
        ),
        # ASIC inclusion registered Mon 2025-05-05: Tue 6 (1), Wed 7 off, Thu 8 (2), Fri 9 off,
        # Mon 12 (3), Tue 13 (4), Wed 14 (5) = term end. Last notice: day 2 = Thu May 8.
        (P.ASIC_INCLUSION, date(2025, 5, 5), date(2025, 5, 8), date(2025, 5, 13), None),
        (
            P.ASIC_INCLUSION,
            date(2025, 5, 5),
            date(2025, 5, 12),  # next working day after the last allowed one
            date(2025, 5, 13),
            "HEARING_NOTICE_TOO_LATE",
        ),
        # Notice Tue May 6: 2 WD later is Mon May 12 across both holidays -> OK; Tue May 13
        # is 3 WD later -> too late.
        (P.ASIC_INCLUSION, date(2025, 5, 5), date(2025, 5, 6), date(2025, 5, 12), None),
        (
            P.ASIC_INCLUSION,
            date(2025, 5, 5),
            date(2025, 5, 6),
            date(2025, 5, 13),
            "HEARING_TOO_LATE",
        ),
        (
            P.ASIC_INCLUSION,
            date(2025, 5, 5),
            date(2025, 5, 6),
            date(2025, 5, 5),
            "HEARING_BEFORE_NOTICE",
        ),
        # Pool accreditation registered 2025-03-19: term ends Apr 7, last notice Wed Apr 2.
        (P.POOL_ACCREDITATION, date(2025, 3, 19), date(2025, 4, 2), date(2025, 4, 4), None),
        (
            P.POOL_ACCREDITATION,
            date(2025, 3, 19),
            date(2025, 4, 3),
            date(2025, 4, 4),
            "HEARING_NOTICE_TOO_LATE",
        ),
    ],
)
def test_check_hearing(
    cal: WorkCalendar,
    code: ProcedureCode,
    registered_on: date,
    notice: date,
    hearing: date,
    error: str | None,
) -> None:
    spec = procedure_spec(code, registered_on)
    if error is None:
        check_hearing(spec, registered_on, notice, hearing, cal)
        return
    with pytest.raises(HearingOutOfWindow) as err:
        check_hearing(spec, registered_on, notice, hearing, cal)
    assert err.value.code == error
    assert isinstance(err.value, ValueError)


@pytest.mark.parametrize("code", [P.LICENSE_REISSUE, P.ASIC_EXCLUSION, P.POOL_REISSUE])
def test_check_hearing_refuses_procedures_without_hearing(
    cal: WorkCalendar, code: ProcedureCode
) -> None:
    spec = procedure_spec(code, date(2025, 3, 19))
    with pytest.raises(ValueError, match="no hearing"):
        check_hearing(spec, date(2025, 3, 19), date(2025, 3, 20), date(2025, 3, 20), cal)


# ------------------------------------------------------------------------------------------
# Days left / overdue
# ------------------------------------------------------------------------------------------

DUE = utc(2025, 3, 26)  # 2025-03-26 18:30 Almaty


@pytest.mark.parametrize(
    ("now", "left"),
    [
        (almaty(2025, 3, 19, 10), 2),  # Thu 20 and Wed 26 remain
        (almaty(2025, 3, 20, 10), 1),  # only Wed 26
        (almaty(2025, 3, 24, 12), 1),  # on a holiday: Wed 26 still ahead
        (almaty(2025, 3, 26, 9), 0),  # due today
        (almaty(2025, 3, 26, 18, 30), 0),  # the very deadline is not yet overdue
        # 20:00 UTC on Mar 25 is already Mar 26 01:00 in Almaty: due today, not tomorrow.
        (datetime(2025, 3, 25, 20, 0, tzinfo=UTC), 0),
        (almaty(2025, 3, 26, 18, 31), -1),  # same evening, overdue
        (almaty(2025, 3, 27, 10), -1),
        (almaty(2025, 3, 28, 10), -2),
        (almaty(2025, 3, 31, 10), -3),  # Thu 27, Fri 28, Mon 31
    ],
)
def test_days_left(cal: WorkCalendar, now: datetime, left: int) -> None:
    assert days_left(DUE, now, cal) == left


@pytest.mark.parametrize(
    ("now", "overdue"),
    [
        (almaty(2025, 3, 26, 18, 30), False),
        (almaty(2025, 3, 26, 18, 31), True),
        (datetime(2025, 3, 26, 13, 29, tzinfo=UTC), False),
        (datetime(2025, 3, 26, 13, 31, tzinfo=UTC), True),
    ],
)
def test_is_overdue(now: datetime, overdue: bool) -> None:
    assert is_overdue(DUE, now) is overdue


def test_naive_datetimes_are_rejected(cal: WorkCalendar) -> None:
    with pytest.raises(ValueError):
        is_overdue(DUE, datetime(2025, 3, 26, 12, 0))
    with pytest.raises(ValueError):
        days_left(DUE, datetime(2025, 3, 26, 12, 0), cal)


# ------------------------------------------------------------------------------------------
# Complaints (001 §19-23)
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reviewer", "forward_due", "review_due"),
    [
        # Registered Wed 2025-03-19. Forward 3 WD: Thu 20 (1), Wed 26 (2), Thu 27 (3).
        # Provider review 5 WD: Fri 28 (4), Mon 31 (5) (the DOMAIN.md example).
        (ComplaintReviewer.PROVIDER, utc(2025, 3, 27), utc(2025, 3, 31)),
        # Service-quality authority 15 WD: Mon Apr 14, as for the licence term above.
        (ComplaintReviewer.QUALITY_AUTHORITY, None, utc(2025, 4, 14)),
    ],
)
def test_complaint_deadlines(
    cal: WorkCalendar,
    reviewer: ComplaintReviewer,
    forward_due: datetime | None,
    review_due: datetime,
) -> None:
    got = complaint_deadlines(date(2025, 3, 19), reviewer, cal)
    assert (got.forward_due, got.review_due) == (forward_due, review_due)


def test_complaint_terms_are_data() -> None:
    provider = COMPLAINT_TERMS[ComplaintReviewer.PROVIDER][-1]
    authority = COMPLAINT_TERMS[ComplaintReviewer.QUALITY_AUTHORITY][-1]
    assert (provider.forward_days, provider.review_days) == (3, 5)
    assert (authority.forward_days, authority.review_days) == (None, 15)


@pytest.mark.parametrize(
    ("stage", "office", "registered", "decided", "kind"),
    [
        # 002 §9: at the office an incomplete package is refused at the counter, that day
        (Stage.INCOMPLETE_REFUSED, True, date(2025, 3, 19), date(2025, 3, 19), RefusalKind.NOT_ACCEPTED),
        # accepted at the office and found incomplete later: motivated refusal of further review
        (Stage.INCOMPLETE_REFUSED, True, date(2025, 3, 19), date(2025, 3, 20), RefusalKind.FURTHER_REVIEW_REFUSED),
        # on the portal it is always a motivated refusal, even on the day of registration
        (Stage.INCOMPLETE_REFUSED, False, date(2025, 3, 19), date(2025, 3, 19), RefusalKind.FURTHER_REVIEW_REFUSED),
        (Stage.REFUSED, True, date(2025, 3, 19), date(2025, 3, 19), RefusalKind.SERVICE_REFUSED),
        (Stage.APPROVED, True, date(2025, 3, 19), date(2025, 3, 19), None),
        (Stage.UNDER_REVIEW, False, date(2025, 3, 19), None, None),
    ],
)
def test_refusal_kind(stage, office, registered, decided, kind):
    assert refusal_kind(stage, office=office, registered_on=registered, decided_on=decided) is kind


# ------------------------------------------------------------------------------------------
# The overdue rule (one rule for the `overdue` field and filter)
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stage", "next_due_at", "now", "past_due"),
    [
        (S.REGISTERED, DUE, almaty(2025, 3, 26, 18, 30), False),  # the very end of the term
        (S.REGISTERED, DUE, almaty(2025, 3, 26, 18, 31), True),
        (S.UNDER_REVIEW, DUE, almaty(2025, 4, 1, 9), True),
        (S.HEARING_SCHEDULED, DUE, almaty(2025, 3, 20, 9), False),
        (S.REGISTERED, None, almaty(2025, 4, 1, 9), False),  # no term runs
        *[(stage, DUE, almaty(2025, 4, 1, 9), False) for stage in sorted(TERMINAL_STAGES)],  # decided
    ],
)
def test_is_past_due(stage: Stage, next_due_at: datetime | None, now: datetime, past_due: bool) -> None:
    assert is_past_due(stage, next_due_at, now) is past_due


# ------------------------------------------------------------------------------------------
# What a caller may do (allowedActions): role and organisation
# ------------------------------------------------------------------------------------------

OWNER = OwnerRef(miner_id=7)
OFFICER = Actor(1, Role.OFFICER, "officer")
ADMIN = Actor(2, Role.ADMIN, "admin")
OWN_APPLICANT = Actor(3, Role.APPLICANT, "own", miner_id=7)
OTHER_APPLICANT = Actor(4, Role.APPLICANT, "other", miner_id=8)
POOL_APPLICANT = Actor(5, Role.APPLICANT, "pool", pool_id=7)  # same number, another kind of organisation
INSPECTOR = Actor(6, Role.INSPECTOR, "inspector")
PARTNER = Actor(7, Role.PARTNER, "partner")


@pytest.mark.parametrize(
    ("actor", "stage", "hearing", "expected"),
    [
        (OFFICER, S.REGISTERED, True, {A.ACCEPT_COMPLETE, A.REFUSE_INCOMPLETE, A.WITHDRAW}),
        (OFFICER, S.UNDER_REVIEW, True, {A.PRELIMINARY_REFUSE, A.APPROVE, A.WITHDRAW}),
        (OFFICER, S.UNDER_REVIEW, False, {A.APPROVE, A.REFUSE, A.WITHDRAW}),
        (OFFICER, S.PRELIMINARY_REFUSAL, True, {A.SCHEDULE_HEARING, A.WITHDRAW}),
        (OFFICER, S.HEARING_SCHEDULED, True, {A.APPROVE, A.REFUSE, A.WITHDRAW}),
        (OFFICER, S.APPROVED, True, set()),
        (ADMIN, S.REGISTERED, True, {A.ACCEPT_COMPLETE, A.REFUSE_INCOMPLETE, A.WITHDRAW}),
        # the applicant never sees the authority's steps, only its own withdrawal
        (OWN_APPLICANT, S.REGISTERED, True, {A.WITHDRAW}),
        (OWN_APPLICANT, S.HEARING_SCHEDULED, True, {A.WITHDRAW}),
        (OWN_APPLICANT, S.REFUSED, True, set()),
        (OTHER_APPLICANT, S.REGISTERED, True, set()),
        (POOL_APPLICANT, S.REGISTERED, True, set()),
        (INSPECTOR, S.REGISTERED, True, set()),
        (PARTNER, S.UNDER_REVIEW, True, set()),
    ],
)
def test_caller_actions_per_role(actor: Actor, stage: Stage, hearing: bool, expected: set[Action]) -> None:
    assert caller_actions(stage, hearing=hearing, actor=actor, owner=OWNER) == expected


@pytest.mark.parametrize("actor", [OFFICER, ADMIN, OWN_APPLICANT, OTHER_APPLICANT, INSPECTOR, PARTNER])
@pytest.mark.parametrize("stage", list(Stage))
def test_caller_actions_are_the_stages_actions_the_caller_may_take(actor: Actor, stage: Stage) -> None:
    for hearing in (True, False):
        got = caller_actions(stage, hearing=hearing, actor=actor, owner=OWNER)
        assert got <= allowed_actions(stage, hearing=hearing) - {A.REGISTER}
        assert got == {a for a in allowed_actions(stage, hearing=hearing) if may_take(actor, a, OWNER)}


# --- decisions by the results of the hearing, refusal of further review, channels (issue 9) -----

def _code(call) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value.code


def test_001_s10_decision_not_before_the_hearing_day_and_with_its_outcome() -> None:
    hearing = date(2025, 4, 11)
    scheduled = Stage.HEARING_SCHEDULED
    assert _code(lambda: check_decision_after_hearing(scheduled, hearing, date(2025, 4, 10), HearingOutcome.HELD)) \
        == "DECISION_BEFORE_HEARING"
    assert _code(lambda: check_decision_after_hearing(scheduled, hearing, hearing, None)) == "VALIDATION"
    check_decision_after_hearing(scheduled, hearing, hearing, HearingOutcome.HELD)  # on the day
    check_decision_after_hearing(scheduled, hearing, date(2025, 4, 14), HearingOutcome.OBJECTIONS_RECEIVED)
    # No hearing (a procedure without one, or still under review): no outcome to record.
    check_decision_after_hearing(Stage.UNDER_REVIEW, None, hearing, None)
    assert _code(lambda: check_decision_after_hearing(Stage.UNDER_REVIEW, None, hearing, HearingOutcome.HELD)) \
        == "VALIDATION"


def test_001_s10_refusal_cites_only_grounds_heard() -> None:
    check_grounds_heard(["QUALIFICATION_NOT_MET", "FALSE_DOCUMENTS"], ["FALSE_DOCUMENTS"])
    with pytest.raises(DomainError) as caught:
        check_grounds_heard(["QUALIFICATION_NOT_MET"], ["QUALIFICATION_NOT_MET", "NON_COMPLIANCE"])
    assert caught.value.code == "GROUND_NOT_HEARD" and caught.value.field == "grounds[1]"


def test_001_s7_refusal_of_further_review_needs_problems_within_the_completeness_term() -> None:
    due = datetime(2025, 3, 26, 13, 30, tzinfo=UTC)  # 18:30 Almaty
    decision = datetime(2025, 4, 14, 13, 30, tzinfo=UTC)
    assert _code(lambda: check_further_review_refusal(0, due, decision, due)) == "PACKAGE_COMPLETE"
    check_further_review_refusal(1, due, decision, due)  # at the term's last instant
    assert _code(lambda: check_further_review_refusal(1, due, decision, due + timedelta(seconds=1))) \
        == "COMPLETENESS_TERM_PASSED"
    # Without a separate completeness term (002 §14 exclusion): the service term.
    check_further_review_refusal(1, None, decision, due + timedelta(days=1))
    assert _code(lambda: check_further_review_refusal(1, None, decision, decision + timedelta(minutes=1))) \
        == "COMPLETENESS_TERM_PASSED"


@pytest.mark.parametrize(
    ("code", "office"),
    [
        (ProcedureCode.LICENSE_ISSUE, False),  # 001 §4, §12, App.3 items 3, 5
        (ProcedureCode.LICENSE_REISSUE, False),
        (ProcedureCode.ASIC_INCLUSION, True),  # 002 §9: the office counter too
        (ProcedureCode.POOL_ACCREDITATION, True),  # 004 §7
    ],
)
def test_001_s4_channels_per_procedure(code: ProcedureCode, office: bool) -> None:
    spec = procedure_spec(code, date(2025, 3, 19))
    check_channel(spec, Channel.PORTAL)
    if office:
        check_channel(spec, Channel.OFFICE)
    else:
        assert _code(lambda: check_channel(spec, Channel.OFFICE)) == "CHANNEL_NOT_ALLOWED"
