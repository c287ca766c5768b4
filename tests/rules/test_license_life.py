"""Life of a licence (001 §18-1): transitions, suspension term as dated data, appendix status."""

from datetime import date

import pytest

from rules.enums import LicenseStatus as S
from rules.enums import LicenseStatusAction as A
from rules.errors import DomainError
from rules.license_life import (
    SuspensionRule,
    add_months,
    check_suspension,
    effective_appendix_status,
    next_status,
)


@pytest.mark.parametrize(
    ("current", "action", "expected"),
    [
        (S.ACTIVE, A.SUSPEND, S.SUSPENDED),
        (S.SUSPENDED, A.RESUME, S.ACTIVE),
        (S.ACTIVE, A.REVOKE, S.REVOKED),
        (S.SUSPENDED, A.REVOKE, S.REVOKED),
    ],
)
def test_allowed_transitions(current, action, expected):
    assert next_status(current, action) is expected


@pytest.mark.parametrize("action", list(A))
def test_revoked_is_final_with_its_own_code(action):
    with pytest.raises(DomainError) as err:
        next_status(S.REVOKED, action)
    assert err.value.code == "LICENSE_REVOKED"
    assert err.value.params["status"] == "REVOKED" and err.value.params["action"] == action.value


@pytest.mark.parametrize(
    ("current", "action"),
    [(S.ACTIVE, A.RESUME), (S.SUSPENDED, A.SUSPEND), (S.REPLACED, A.SUSPEND), (S.REPLACED, A.REVOKE)],
)
def test_other_moves_are_illegal_transitions(current, action):
    with pytest.raises(DomainError) as err:
        next_status(current, action)
    assert err.value.code == "ILLEGAL_TRANSITION"
    # The typed payload error (IllegalLicenseTransition) reads the status and the act from here.
    assert (err.value.params["status"], err.value.params["action"]) == (current.value, action.value)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 8, 15), 6, date(2026, 2, 15)),
        (date(2025, 12, 1), 1, date(2026, 1, 1)),
    ],
)
def test_add_months_clamps_to_month_end(start, months, expected):
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("until", "ok"),
    [
        (date(2025, 5, 10), False),  # 0 months
        (date(2025, 6, 9), False),  # a day short of one month
        (date(2025, 6, 10), True),  # exactly 1 month
        (date(2025, 11, 10), True),  # exactly 6 months
        (date(2025, 11, 11), False),  # a day over 6 months
        (date(2025, 12, 10), False),  # 7 months
        (date(2025, 5, 1), False),  # before it starts
    ],
)
def test_suspension_lasts_one_to_six_months(until, ok):
    if ok:
        check_suspension(date(2025, 5, 10), until)
    else:
        with pytest.raises(DomainError) as err:
            check_suspension(date(2025, 5, 10), until)
        assert err.value.code == "SUSPENSION_TERM" and err.value.field == "until"


def test_suspension_needs_an_end():
    with pytest.raises(DomainError) as err:
        check_suspension(date(2025, 5, 10), None)
    assert err.value.code == "VALIDATION"


def test_suspension_term_is_dated_data():
    rules = (
        SuspensionRule(1, 6, date(2023, 4, 28)),
        SuspensionRule(1, 3, date(2026, 1, 1)),  # a hypothetical amendment
    )
    check_suspension(date(2025, 12, 1), date(2026, 5, 1), rules)  # old rule: 5 months fine
    with pytest.raises(DomainError):
        check_suspension(date(2026, 1, 5), date(2026, 6, 5), rules)  # new rule: at most 3
    with pytest.raises(DomainError) as err:
        check_suspension(date(2023, 1, 1), date(2023, 3, 1), rules)  # before any rule
    assert err.value.code == "NO_RULES_IN_FORCE"


@pytest.mark.parametrize(
    ("licence", "own", "expected"),
    [
        (S.ACTIVE, S.ACTIVE, S.ACTIVE),
        (S.SUSPENDED, S.ACTIVE, S.SUSPENDED),
        (S.ACTIVE, S.SUSPENDED, S.SUSPENDED),
        (S.REVOKED, S.ACTIVE, S.REVOKED),
        (S.SUSPENDED, S.REVOKED, S.REVOKED),
        (S.REPLACED, S.ACTIVE, S.REPLACED),
    ],
)
def test_appendix_follows_its_licence(licence, own, expected):
    assert effective_appendix_status(licence, own) is expected
