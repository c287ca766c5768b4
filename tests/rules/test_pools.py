"""The seven conditions of pool accreditation (004 §4), the certificate's year (§3) and the
register (who is accredited on a day): each condition fails alone, with its name in the result."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from rules.enums import ServerRole
from rules.pools import (
    CertificatePeriod,
    CheckResult,
    ConditionStatus,
    PoolCondition,
    PoolDocumentKind,
    PoolFacts,
    ServerComplex,
    SettlementKind,
    accredited_on,
    assess_conditions,
    certificate_valid_until,
    condition_problems,
    document_problems,
)
from rules.problems import ProblemKind

MAIN = ServerComplex(ServerRole.MAIN, True, "Алматы", SettlementKind.REPUBLICAN_CITY, "Толе би, 1", ("Kazakhtelecom", "Beeline"))
BACKUP = ServerComplex(ServerRole.BACKUP, True, "Астана", SettlementKind.CAPITAL, "Кабанбай батыра, 2", ("Transtelecom", "Kcell"))
GOOD = PoolFacts(
    complexes=(MAIN, BACKUP),
    infosec_result=CheckResult.POSITIVE,
    support_24_7=True,
    ui_languages=frozenset({"kk", "ru", "en"}),
    state_service_letter=CheckResult.POSITIVE,
)
C = PoolCondition


def _statuses(facts: PoolFacts) -> dict[PoolCondition, ConditionStatus]:
    return {r.condition: r.status for r in assess_conditions(facts)}


def test_004_s4_all_seven_met() -> None:
    results = assess_conditions(GOOD)
    assert [r.condition for r in results] == list(PoolCondition)
    assert [r.condition.item for r in results] == [1, 2, 3, 4, 5, 6, 7]
    assert all(r.status is ConditionStatus.MET for r in results)
    assert condition_problems(results) == []


FAILS_ALONE = [
    ("main complex abroad", replace(GOOD, complexes=(replace(MAIN, in_kazakhstan=False, settlement="Бишкек"), BACKUP)),
     C.SERVERS_IN_KAZAKHSTAN, ConditionStatus.NOT_MET, "Бишкек"),
    ("infosec test negative", replace(GOOD, infosec_result=CheckResult.NEGATIVE),
     C.INFOSEC_TEST_PASSED, ConditionStatus.NOT_MET, "negative"),
    ("backup in the main complex's settlement", replace(GOOD, complexes=(MAIN, replace(BACKUP, settlement=" алматы "))),
     C.BACKUP_IN_ANOTHER_SETTLEMENT, ConditionStatus.NOT_MET, "main complex's settlement"),
    ("backup in a village", replace(GOOD, complexes=(MAIN, replace(BACKUP, settlement="Косшы", settlement_kind=SettlementKind.OTHER))),
     C.BACKUP_IN_ANOTHER_SETTLEMENT, ConditionStatus.NOT_MET, "district significance"),
    ("two channels from one provider", replace(GOOD, complexes=(MAIN, replace(BACKUP, providers=("Kcell", " KCELL ")))),
     C.TWO_PROVIDERS_PER_COMPLEX, ConditionStatus.NOT_MET, "backup complex in Астана"),
    ("one channel only", replace(GOOD, complexes=(replace(MAIN, providers=("Beeline",)), BACKUP)),
     C.TWO_PROVIDERS_PER_COMPLEX, ConditionStatus.NOT_MET, "main complex in Алматы"),
    ("support office hours", replace(GOOD, support_24_7=False), C.SUPPORT_24_7, ConditionStatus.NOT_MET, "round"),
    ("no English interface", replace(GOOD, ui_languages=frozenset({"kk", "ru"})),
     C.UI_IN_THREE_LANGUAGES, ConditionStatus.NOT_MET, "lacks en"),
    ("state service letter negative", replace(GOOD, state_service_letter=CheckResult.NEGATIVE),
     C.STATE_PD_SERVICE_INTEGRATED, ConditionStatus.NOT_MET, "negative"),
    ("no backup complex", replace(GOOD, complexes=(MAIN,)), C.BACKUP_IN_ANOTHER_SETTLEMENT, ConditionStatus.NOT_SHOWN, "no backup"),
    ("no infosec act", replace(GOOD, infosec_result=None), C.INFOSEC_TEST_PASSED, ConditionStatus.NOT_SHOWN, "no information"),
    ("support not stated", replace(GOOD, support_24_7=None), C.SUPPORT_24_7, ConditionStatus.NOT_SHOWN, "not stated"),
    ("languages not stated", replace(GOOD, ui_languages=frozenset()), C.UI_IN_THREE_LANGUAGES, ConditionStatus.NOT_SHOWN, "not stated"),
    ("no state service letter", replace(GOOD, state_service_letter=None),
     C.STATE_PD_SERVICE_INTEGRATED, ConditionStatus.NOT_SHOWN, "no letter"),
]


@pytest.mark.parametrize(("facts", "condition", "status", "reason"), [c[1:] for c in FAILS_ALONE], ids=[c[0] for c in FAILS_ALONE])
def test_004_s4_each_condition_fails_alone(facts: PoolFacts, condition: PoolCondition, status: ConditionStatus, reason: str) -> None:
    results = assess_conditions(facts)
    failing = [r for r in results if r.status is not ConditionStatus.MET]
    assert [(r.condition, r.status) for r in failing] == [(condition, status)]
    assert reason in failing[0].reason
    # NOT_SHOWN is a gap in the package (004 §7); NOT_MET a ground heard first (App.2 item 9(2)).
    [problem] = condition_problems(results)
    assert problem.field == f"conditions.{condition.value}"
    assert problem.kind is (ProblemKind.COMPLETENESS if status is ConditionStatus.NOT_SHOWN else ProblemKind.QUALIFICATION)
    assert f"004 §4({condition.item})" in problem.message_en


def test_004_s4_no_server_complex_at_all_is_not_shown() -> None:
    statuses = _statuses(replace(GOOD, complexes=()))
    assert statuses[C.SERVERS_IN_KAZAKHSTAN] is ConditionStatus.NOT_SHOWN
    assert statuses[C.TWO_PROVIDERS_PER_COMPLEX] is ConditionStatus.NOT_SHOWN


def test_004_app2_item8_documents_for_issue_and_reissue() -> None:
    assert [p.field for p in document_problems([], reissue=False)] == [f"documents.{k.value}" for k in PoolDocumentKind]
    assert document_problems([k.value for k in PoolDocumentKind], reissue=False) == []
    assert [p.field for p in document_problems([], reissue=True)] == ["documents.SERVER_ROOM_LEASE"]
    assert document_problems(["SERVER_ROOM_LEASE"], reissue=True) == []


@pytest.mark.parametrize(
    ("issued", "last_day"),
    [
        (date(2025, 3, 26), date(2026, 3, 26)),  # the issue's example: through the same date a year later
        (date(2024, 2, 29), date(2025, 2, 28)),  # no 29 February: the month's last day
        (date(2025, 12, 31), date(2026, 12, 31)),
    ],
)
def test_004_s3_certificate_valid_one_year_through_the_same_date(issued: date, last_day: date) -> None:
    assert certificate_valid_until(issued) == last_day


def test_004_s3_accredited_on_a_day() -> None:
    first = CertificatePeriod(date(2025, 3, 26), date(2026, 3, 26), ended_on=date(2025, 9, 1))  # re-issued 1 Sept
    second = CertificatePeriod(date(2025, 9, 1), date(2026, 3, 26))
    assert not accredited_on([first, second], date(2025, 3, 25))
    assert accredited_on([first], date(2025, 3, 26))
    assert accredited_on([first], date(2025, 8, 31)) and not accredited_on([first], date(2025, 9, 1))
    assert accredited_on([first, second], date(2025, 9, 1))
    assert accredited_on([first, second], date(2026, 3, 26))
    assert not accredited_on([first, second], date(2026, 3, 27))  # EXPIRED the day after
