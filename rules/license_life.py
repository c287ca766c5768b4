"""The life of a licence and of its appendices (001 §18-1): suspension, resumption, revocation.

Pure rules, no database. The grounds themselves come from the Law on digital assets art. 9 and
the Law on permits and notifications art. 45 [outside the seeds]; the officer states them as
text. What the rules decide here:

- which status changes are allowed (a small transition table; REVOKED is final);
- how long a suspension may last: 1 to 6 months under the Law on digital assets art. 9
  [outside the seeds], kept as dated data so a change of the law is a new row, not a code edit;
- what status an appendix effectively has, given its own status and its licence's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from rules.calendar import term_end
from rules.enums import LicenseStatus, LicenseStatusAction
from rules.errors import DomainError, ErrorCode
from rules.rule_sets import Dated, RuleSet
from rules.workflow import NoRulesInForce

__all__ = [
    "SUSPENSION_RULES",
    "TRANSITIONS",
    "SuspensionRule",
    "add_months",
    "check_suspension",
    "effective_appendix_status",
    "next_status",
    "suspension_rule",
]


@dataclass(frozen=True)
class SuspensionRule(Dated):
    """How long a suspension may last, in calendar months from its effective date."""

    min_months: int
    max_months: int
    in_force_with: RuleSet | date  # `effective_from`: its in-force date (rules.rule_sets)


# [outside the seeds] Law on digital assets art. 9: the authority may suspend a licence for a
# term of one to six months. Applied under 001 §18-1, in force from 13.02.2024 (RuleSet.LICENSE_LIFE).
SUSPENSION_RULES: tuple[SuspensionRule, ...] = (
    SuspensionRule(min_months=1, max_months=6, in_force_with=RuleSet.LICENSE_LIFE),
)

_S, _A = LicenseStatus, LicenseStatusAction

TRANSITIONS: dict[tuple[LicenseStatus, LicenseStatusAction], LicenseStatus] = {
    (_S.ACTIVE, _A.SUSPEND): _S.SUSPENDED,
    (_S.SUSPENDED, _A.RESUME): _S.ACTIVE,
    (_S.ACTIVE, _A.REVOKE): _S.REVOKED,
    (_S.SUSPENDED, _A.REVOKE): _S.REVOKED,
}


def next_status(current: LicenseStatus, action: LicenseStatusAction) -> LicenseStatus:
    """The status after ``action``; a revoked licence or appendix accepts nothing more."""
    current, action = LicenseStatus(current), LicenseStatusAction(action)
    if current is LicenseStatus.REVOKED:
        raise DomainError(
            ErrorCode.LICENSE_REVOKED,
            detail=f"{action.value} of a revoked licence",
            action=action.value,
            status=current.value,
        )
    target = TRANSITIONS.get((current, action))
    if target is None:
        raise DomainError(
            ErrorCode.ILLEGAL_TRANSITION,
            detail=f"{action.value} not allowed from {current.value}",
            action=action.value,
            stage=current.value,  # the message's word; `status` for typed errors
            status=current.value,
        )
    return target


def suspension_rule(on: date, rules: Sequence[SuspensionRule] = SUSPENSION_RULES) -> SuspensionRule:
    in_force = [r for r in rules if r.effective_from <= on]
    if not in_force:
        raise NoRulesInForce("licence suspension term", on)
    return max(in_force, key=lambda r: r.effective_from)


def add_months(d: date, months: int) -> date:
    """The same day ``months`` later; the month's last day when it is shorter (31 Jan + 1 = 28/29 Feb):
    `rules.calendar.term_end`, the one rule for terms in months and years."""
    return term_end(d, months=months)


def check_suspension(
    effective_on: date, until: date | None, rules: Sequence[SuspensionRule] = SUSPENSION_RULES
) -> None:
    """A suspension ends no earlier than min and no later than max months after it starts."""
    if until is None:
        raise DomainError(ErrorCode.VALIDATION, field="until", detail="a suspension needs its end date")
    rule = suspension_rule(effective_on, rules)
    earliest = add_months(effective_on, rule.min_months)
    latest = add_months(effective_on, rule.max_months)
    if not earliest <= until <= latest:
        raise DomainError(
            ErrorCode.SUSPENSION_TERM,
            field="until",
            detail=f"until {until} outside {earliest}..{latest}",
            earliest=earliest.isoformat(),
            latest=latest.isoformat(),
        )


def effective_appendix_status(license_status: LicenseStatus, own_status: LicenseStatus) -> LicenseStatus:
    """What an appendix allows: a suspended or revoked licence carries its appendices along."""
    order = (LicenseStatus.REVOKED, LicenseStatus.REPLACED, LicenseStatus.SUSPENDED)
    for status in order:
        if status in (LicenseStatus(license_status), LicenseStatus(own_status)):
            return status
    return LicenseStatus.ACTIVE
