"""Accreditation of digital mining pools (004): the seven conditions of §4 as a rule, the
documents of App.2 item 8, the certificate's year and the register of accredited pools.

Pure: the application's data in, per condition MET / NOT_MET / NOT_SHOWN with the reason out.
NOT_SHOWN (the data or its document was not given) is a gap in the package (completeness, 004
§7); NOT_MET (given, and it fails the condition) is a ground of App.2 item 9(2) judged on the
merits and heard at a hearing (§9-11) — the same split as licensing (rules.problems.ProblemKind).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import Enum

from rules.calendar import term_end
from rules.enums import ServerRole
from rules.problems import Problem

__all__ = [
    "CERTIFICATE_YEARS",
    "REMINDER_DAYS_BEFORE",
    "UI_LANGUAGES",
    "CertificatePeriod",
    "CertificateStatus",
    "CheckResult",
    "ConditionResult",
    "ConditionStatus",
    "PoolCondition",
    "PoolDocumentKind",
    "PoolFacts",
    "ServerComplex",
    "SettlementKind",
    "accredited_on",
    "assess_conditions",
    "certificate_valid_until",
    "condition_problems",
    "document_problems",
    "required_documents",
]

# 004 §3: "аккредитуется сроком на один год"; App.3: the certificate is valid one year from issue.
CERTIFICATE_YEARS = 1
# Reminders before a certificate's last valid day, in calendar days.
REMINDER_DAYS_BEFORE = (30, 7)
# 004 §4(6): the state (Kazakh), Russian and English languages.
UI_LANGUAGES = frozenset({"kk", "ru", "en"})


class PoolCondition(str, Enum):
    """The seven mandatory conditions of 004 §4, in its order."""

    SERVERS_IN_KAZAKHSTAN = "SERVERS_IN_KAZAKHSTAN"  # (1)
    INFOSEC_TEST_PASSED = "INFOSEC_TEST_PASSED"  # (2)
    BACKUP_IN_ANOTHER_SETTLEMENT = "BACKUP_IN_ANOTHER_SETTLEMENT"  # (3)
    TWO_PROVIDERS_PER_COMPLEX = "TWO_PROVIDERS_PER_COMPLEX"  # (4)
    SUPPORT_24_7 = "SUPPORT_24_7"  # (5)
    UI_IN_THREE_LANGUAGES = "UI_IN_THREE_LANGUAGES"  # (6)
    STATE_PD_SERVICE_INTEGRATED = "STATE_PD_SERVICE_INTEGRATED"  # (7)

    @property
    def item(self) -> int:
        return list(PoolCondition).index(self) + 1


class ConditionStatus(str, Enum):
    MET = "MET"
    NOT_MET = "NOT_MET"
    NOT_SHOWN = "NOT_SHOWN"


class SettlementKind(str, Enum):
    """004 §4(3) names the settlements a backup complex may be in."""

    CAPITAL = "CAPITAL"  # столица
    REPUBLICAN_CITY = "REPUBLICAN_CITY"  # город республиканского значения
    REGIONAL_CITY = "REGIONAL_CITY"  # город областного значения
    DISTRICT_CITY = "DISTRICT_CITY"  # город районного значения
    OTHER = "OTHER"  # a village or a settlement of another kind


_BACKUP_SETTLEMENTS = frozenset(SettlementKind) - {SettlementKind.OTHER}


class CertificateStatus(str, Enum):
    ACTIVE = "ACTIVE"  # accredits its pool through its last valid day
    REPLACED = "REPLACED"  # a re-issued certificate took its place (kept for history)
    EXPIRED = "EXPIRED"  # the day after its last valid day


class CheckResult(str, Enum):
    POSITIVE = "POSITIVE"
    NEGATIVE = "NEGATIVE"


class PoolDocumentKind(str, Enum):
    """The documents of 004 App.2 item 8 (the application itself is the form)."""

    BACKUP_COMPLEX_LETTER = "BACKUP_COMPLEX_LETTER"  # letter on the backup complex elsewhere
    SERVER_ROOM_LEASE = "SERVER_ROOM_LEASE"  # lease with two channels from different providers
    SUPPORT_24_7_LETTER = "SUPPORT_24_7_LETTER"  # letter on round-the-clock support
    UI_LANGUAGES_LETTER = "UI_LANGUAGES_LETTER"  # letter on the kk / ru / en interface
    STATE_SERVICE_INTEGRATION_LETTER = "STATE_SERVICE_INTEGRATION_LETTER"  # positive letter, copy


# App.2 item 8(1)-(2): issuance; item 8(3): re-issue needs the application and the lease.
_ISSUE_DOCUMENTS = tuple(PoolDocumentKind)
_REISSUE_DOCUMENTS = (PoolDocumentKind.SERVER_ROOM_LEASE,)


def required_documents(reissue: bool) -> tuple[PoolDocumentKind, ...]:
    return _REISSUE_DOCUMENTS if reissue else _ISSUE_DOCUMENTS


@dataclass(frozen=True)
class ServerComplex:
    role: ServerRole
    in_kazakhstan: bool
    settlement: str
    settlement_kind: SettlementKind
    address: str
    providers: tuple[str, ...] = ()  # the provider of each dedicated channel


@dataclass(frozen=True)
class PoolFacts:
    complexes: Sequence[ServerComplex] = ()
    infosec_result: CheckResult | None = None  # the test act's result; None: no act given
    support_24_7: bool | None = None
    ui_languages: frozenset[str] = field(default_factory=frozenset)
    state_service_letter: CheckResult | None = None  # the letter on integration; None: none given


@dataclass(frozen=True)
class ConditionResult:
    condition: PoolCondition
    status: ConditionStatus
    reason: str  # in English, for the officer and the problem message


def _key(text: str) -> str:
    return " ".join(text.casefold().replace("ё", "е").split())


def _servers(facts: PoolFacts) -> ConditionResult:
    c = PoolCondition.SERVERS_IN_KAZAKHSTAN
    if not any(x.role is ServerRole.MAIN for x in facts.complexes):
        return ConditionResult(c, ConditionStatus.NOT_SHOWN, "no main server complex given")
    abroad = [x.settlement for x in facts.complexes if not x.in_kazakhstan]
    if abroad:
        return ConditionResult(c, ConditionStatus.NOT_MET, f"complexes outside Kazakhstan: {', '.join(abroad)}")
    return ConditionResult(c, ConditionStatus.MET, "every server complex is in Kazakhstan")


def _result(condition: PoolCondition, value: CheckResult | None, what: str) -> ConditionResult:
    if value is None:
        return ConditionResult(condition, ConditionStatus.NOT_SHOWN, f"no {what} given")
    if value is CheckResult.NEGATIVE:
        return ConditionResult(condition, ConditionStatus.NOT_MET, f"the {what} is negative")
    return ConditionResult(condition, ConditionStatus.MET, f"the {what} is positive")


def _backup(facts: PoolFacts) -> ConditionResult:
    c = PoolCondition.BACKUP_IN_ANOTHER_SETTLEMENT
    mains = {_key(x.settlement) for x in facts.complexes if x.role is ServerRole.MAIN}
    backups = [x for x in facts.complexes if x.role is ServerRole.BACKUP]
    if not backups:
        return ConditionResult(c, ConditionStatus.NOT_SHOWN, "no backup server complex given")
    elsewhere = [x for x in backups if _key(x.settlement) not in mains]
    if not elsewhere:
        return ConditionResult(c, ConditionStatus.NOT_MET, "every backup complex is in the main complex's settlement")
    if not any(x.settlement_kind in _BACKUP_SETTLEMENTS and x.in_kazakhstan for x in elsewhere):
        return ConditionResult(c, ConditionStatus.NOT_MET, "no backup complex in the capital or a city of "
                               "republican, regional or district significance of Kazakhstan")
    return ConditionResult(c, ConditionStatus.MET, f"backup complex in {elsewhere[0].settlement}")


def _channels(facts: PoolFacts) -> ConditionResult:
    c = PoolCondition.TWO_PROVIDERS_PER_COMPLEX
    if not facts.complexes:
        return ConditionResult(c, ConditionStatus.NOT_SHOWN, "no server complex given")
    short = [f"{x.role.value.lower()} complex in {x.settlement}" for x in facts.complexes
             if len({_key(p) for p in x.providers if p.strip()}) < 2]
    if short:
        return ConditionResult(c, ConditionStatus.NOT_MET, "fewer than two dedicated channels from different "
                               f"providers: {'; '.join(short)}")
    return ConditionResult(c, ConditionStatus.MET, "two providers for every complex")


def _support(facts: PoolFacts) -> ConditionResult:
    c = PoolCondition.SUPPORT_24_7
    if facts.support_24_7 is None:
        return ConditionResult(c, ConditionStatus.NOT_SHOWN, "round-the-clock support not stated")
    if not facts.support_24_7:
        return ConditionResult(c, ConditionStatus.NOT_MET, "support is not round the clock")
    return ConditionResult(c, ConditionStatus.MET, "round-the-clock support")


def _languages(facts: PoolFacts) -> ConditionResult:
    c = PoolCondition.UI_IN_THREE_LANGUAGES
    if not facts.ui_languages:
        return ConditionResult(c, ConditionStatus.NOT_SHOWN, "interface languages not stated")
    missing = sorted(UI_LANGUAGES - facts.ui_languages)
    if missing:
        return ConditionResult(c, ConditionStatus.NOT_MET, f"the interface lacks {', '.join(missing)}")
    return ConditionResult(c, ConditionStatus.MET, "interface in Kazakh, Russian and English")


def assess_conditions(facts: PoolFacts) -> list[ConditionResult]:
    """Each condition of 004 §4, in its order."""
    return [
        _servers(facts),
        _result(PoolCondition.INFOSEC_TEST_PASSED, facts.infosec_result, "information-security test act"),
        _backup(facts),
        _channels(facts),
        _support(facts),
        _languages(facts),
        _result(PoolCondition.STATE_PD_SERVICE_INTEGRATED, facts.state_service_letter,
                "letter on integration with the state personal-data service"),
    ]


def condition_problems(results: Iterable[ConditionResult]) -> list[Problem]:
    """NOT_SHOWN: a gap in the package; NOT_MET: a qualification finding (App.2 item 9(2))."""
    out = []
    for r in results:
        if r.status is ConditionStatus.MET:
            continue
        code = "POOL_CONDITION_NOT_SHOWN" if r.status is ConditionStatus.NOT_SHOWN else "POOL_CONDITION_NOT_MET"
        out.append(Problem(code, f"conditions.{r.condition.value}", f"004 §4({r.condition.item}): {r.reason}"))
    return out


def document_problems(given: Iterable[str], reissue: bool) -> list[Problem]:
    have = set(given)
    return [
        Problem("MISSING_DOCUMENT", f"documents.{kind.value}", f"{kind.value} missing: 004 App.2 item 8")
        for kind in required_documents(reissue)
        if kind.value not in have
    ]


def certificate_valid_until(issued_on: date) -> date:
    """The last valid day of a certificate issued on ``issued_on``: a term in years ends on the
    same date of its last year (a certificate of 2025-03-26 is valid through 2026-03-26)."""
    return term_end(issued_on, years=CERTIFICATE_YEARS)


@dataclass(frozen=True)
class CertificatePeriod:
    """When a certificate accredited its pool: from issue through its last valid day, unless it
    ended earlier (replaced by a re-issued one, or revoked) on ``ended_on``."""

    issued_on: date
    valid_until: date
    ended_on: date | None = None


def accredited_on(periods: Iterable[CertificatePeriod], day: date) -> bool:
    return any(
        p.issued_on <= day <= p.valid_until and (p.ended_on is None or day < p.ended_on) for p in periods
    )
