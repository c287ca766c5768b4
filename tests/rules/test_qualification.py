"""Completeness of a licence application per subtype (001 App.11, App.1/2, order §4).

Each rule is tested on and off: a complete baseline application yields no problem, and each
case changes one fact and expects exactly the listed (code, field) pairs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from rules.problems import ProblemKind
from rules.qualification import (
    Confirmations,
    DataCenterFacts,
    DocumentKind,
    LicenseApplicationFacts,
    QualificationDocument,
    RequirementCondition,
    completeness_problems,
    kinds_for,
    qualification_findings,
    requirements_for,
    review_problems,
)
from rules.workflow import NoRulesInForce

K = DocumentKind
ALL_CONFIRMED = Confirmations(True, True, True, True)
GRID_DC = DataCenterFacts(
    substation_kv=Decimal(110),
    permitted_mw=Decimal(5),
    connected_on=date(2024, 6, 1),
    power_source="GRID",
    outside_residential=True,
)
SUBTYPE_I = LicenseApplicationFacts(
    subtype="I",
    registered_on=date(2025, 3, 19),
    documents=(
        QualificationDocument(K.DC_OWNERSHIP),
        QualificationDocument(K.DC_OUTSIDE_RESIDENTIAL),
        QualificationDocument(K.POOL_EVIDENCE, valid_until=date(2026, 1, 1)),
        QualificationDocument(K.ASKUE_TELECOM),
        QualificationDocument(K.GRID_TECH_CONDITIONS, valid_until=date(2027, 1, 1)),
    ),
    data_centers=(GRID_DC,),
    electricity_method="SINGLE_BUYER",
    confirmations=ALL_CONFIRMED,
    pool_accredited=True,
)
SUBTYPE_II = LicenseApplicationFacts(
    subtype="II",
    registered_on=date(2025, 3, 19),
    documents=(
        QualificationDocument(K.HOSTING_LETTER_OF_INTENT),
        QualificationDocument(K.POOL_EVIDENCE),
    ),
    confirmations=ALL_CONFIRMED,
    host_has_active_subtype_i=True,
    pool_accredited=True,
)

Facts = LicenseApplicationFacts


def without(facts: Facts, kind: DocumentKind) -> Facts:
    return replace(facts, documents=tuple(d for d in facts.documents if d.kind is not kind))


def with_docs(facts: Facts, *docs: QualificationDocument) -> Facts:
    return replace(facts, documents=(*facts.documents, *docs))


def dc(facts: Facts, **changes: object) -> Facts:
    return replace(facts, data_centers=(replace(GRID_DC, **changes),))


def building_instead_of_grid(facts: Facts) -> Facts:
    return with_docs(
        without(facts, K.GRID_TECH_CONDITIONS), QualificationDocument(K.BUILDING_TECH_CONDITIONS)
    )


def off_grid(facts: Facts) -> Facts:
    facts = without(facts, K.GRID_TECH_CONDITIONS)
    facts = replace(facts, electricity_method="OFF_GRID_GENERATOR")
    return dc(
        facts, power_source="OFF_GRID", substation_kv=None, permitted_mw=None, connected_on=None
    )


CASES: list[tuple[str, Callable[[], Facts], list[tuple[str, str]]]] = [
    ("subtype I complete", lambda: SUBTYPE_I, []),
    ("subtype II complete", lambda: SUBTYPE_II, []),
    # -- documents ----------------------------------------------------------------------
    (
        "I without pool evidence",
        lambda: without(SUBTYPE_I, K.POOL_EVIDENCE),
        [("MISSING_DOCUMENT", "documents.POOL_EVIDENCE")],
    ),
    (
        "I without DC ownership",
        lambda: without(SUBTYPE_I, K.DC_OWNERSHIP),
        [("MISSING_DOCUMENT", "documents.DC_OWNERSHIP")],
    ),
    (
        "I without the residential-zone letter",
        lambda: without(SUBTYPE_I, K.DC_OUTSIDE_RESIDENTIAL),
        [("MISSING_DOCUMENT", "documents.DC_OUTSIDE_RESIDENTIAL")],
    ),
    (
        "document valid until the registration day is fine",
        lambda: replace(
            SUBTYPE_I,
            documents=(
                *without(SUBTYPE_I, K.GRID_TECH_CONDITIONS).documents,
                QualificationDocument(K.GRID_TECH_CONDITIONS, valid_until=date(2025, 3, 19)),
            ),
        ),
        [],
    ),
    (
        "document expired the day before registration",
        lambda: replace(
            SUBTYPE_I,
            documents=(
                *without(SUBTYPE_I, K.GRID_TECH_CONDITIONS).documents,
                QualificationDocument(K.GRID_TECH_CONDITIONS, valid_until=date(2025, 3, 18)),
            ),
        ),
        [("EXPIRED_DOCUMENT", "documents[4].valid_until")],
    ),
    (
        "I given a subtype-II letter of intent",
        lambda: with_docs(SUBTYPE_I, QualificationDocument(K.HOSTING_LETTER_OF_INTENT)),
        [("DOCUMENT_NOT_FOR_SUBTYPE", "documents[5].kind")],
    ),
    (
        "II given a DC ownership document",
        lambda: with_docs(SUBTYPE_II, QualificationDocument(K.DC_OWNERSHIP)),
        [("DOCUMENT_NOT_FOR_SUBTYPE", "documents[2].kind")],
    ),
    (
        "II given grid technical conditions",
        lambda: with_docs(SUBTYPE_II, QualificationDocument(K.GRID_TECH_CONDITIONS)),
        [("DOCUMENT_NOT_FOR_SUBTYPE", "documents[2].kind")],
    ),
    (
        "II without the letter of intent",
        lambda: without(SUBTYPE_II, K.HOSTING_LETTER_OF_INTENT),
        [("MISSING_DOCUMENT", "documents.HOSTING_LETTER_OF_INTENT")],
    ),
    (
        "II without pool evidence",
        lambda: without(SUBTYPE_II, K.POOL_EVIDENCE),
        [("MISSING_DOCUMENT", "documents.POOL_EVIDENCE")],
    ),
    # -- ASKUE requirement from 2024-01-01 (order §4) ---------------------------------------
    (
        "I without ASKUE registered 2023-12-29: not yet required",
        lambda: replace(without(SUBTYPE_I, K.ASKUE_TELECOM), registered_on=date(2023, 12, 29)),
        [],
    ),
    (
        # The rule's own boundary (a holiday, so no real registration lands on it).
        "I without ASKUE registered 2024-01-01: required",
        lambda: replace(without(SUBTYPE_I, K.ASKUE_TELECOM), registered_on=date(2024, 1, 1)),
        [("MISSING_DOCUMENT", "documents.ASKUE_TELECOM")],
    ),
    (
        "I without ASKUE registered 2024-01-02: required",
        lambda: replace(without(SUBTYPE_I, K.ASKUE_TELECOM), registered_on=date(2024, 1, 2)),
        [("MISSING_DOCUMENT", "documents.ASKUE_TELECOM")],
    ),
    # -- 35 kV / 1 MW ---------------------------------------------------------------------
    (
        "exactly 35 kV and 1 MW",
        lambda: dc(SUBTYPE_I, substation_kv=Decimal(35), permitted_mw=Decimal(1)),
        [],
    ),
    (
        "34.9 kV substation",
        lambda: dc(SUBTYPE_I, substation_kv=Decimal("34.9")),
        [("GRID_BELOW_35KV", "data_center_ids[0]")],
    ),
    (
        "0.99 MW permitted",
        lambda: dc(SUBTYPE_I, permitted_mw=Decimal("0.99")),
        [("GRID_BELOW_1MW", "data_center_ids[0]")],
    ),
    (
        "grid facts unknown",
        lambda: dc(SUBTYPE_I, substation_kv=None),
        [("MISSING_GRID_FACTS", "data_center_ids[0]")],
    ),
    (
        "grid DC without grid technical conditions",
        lambda: without(SUBTYPE_I, K.GRID_TECH_CONDITIONS),
        [("MISSING_DOCUMENT", "documents.GRID_TECH_CONDITIONS")],
    ),
    # -- connected before 2023-04-01: building conditions instead, no 35 kV / 1 MW ------------
    (
        "exemption on: connected 2023-03-31, 10 kV, 0.5 MW, building conditions",
        lambda: dc(
            building_instead_of_grid(SUBTYPE_I),
            connected_on=date(2023, 3, 31),
            substation_kv=Decimal(10),
            permitted_mw=Decimal("0.5"),
        ),
        [],
    ),
    (
        "exemption off: connected 2023-04-01, same facts",
        lambda: dc(
            building_instead_of_grid(SUBTYPE_I),
            connected_on=date(2023, 4, 1),
            substation_kv=Decimal(10),
            permitted_mw=Decimal("0.5"),
        ),
        [
            ("GRID_BELOW_1MW", "data_center_ids[0]"),
            ("GRID_BELOW_35KV", "data_center_ids[0]"),
            ("MISSING_DOCUMENT", "documents.GRID_TECH_CONDITIONS"),
        ],
    ),
    (
        "exempt miner with no technical conditions at all",
        lambda: dc(without(SUBTYPE_I, K.GRID_TECH_CONDITIONS), connected_on=date(2022, 5, 1)),
        [("MISSING_DOCUMENT", "documents.BUILDING_TECH_CONDITIONS")],
    ),
    # -- off-grid power: item 1.5 does not apply -------------------------------------------
    ("exemption on: off-grid DC, no grid document, no grid facts", lambda: off_grid(SUBTYPE_I), []),
    (
        "exemption off: the same DC on the grid",
        lambda: dc(
            replace(off_grid(SUBTYPE_I), electricity_method="SINGLE_BUYER"),
            substation_kv=Decimal(110),
            permitted_mw=Decimal(5),
        ),
        [("MISSING_DOCUMENT", "documents.GRID_TECH_CONDITIONS")],
    ),
    (
        "off-grid method but a grid DC",
        lambda: replace(SUBTYPE_I, electricity_method="OFF_GRID_GENERATOR"),
        [("ELECTRICITY_METHOD_MISMATCH", "data_center_ids[0]")],
    ),
    # -- form fields ----------------------------------------------------------------------
    (
        "I without electricity method",
        lambda: replace(SUBTYPE_I, electricity_method=None),
        [("ELECTRICITY_METHOD_REQUIRED", "electricity_purchase")],
    ),
    (
        "II needs no electricity method nor ASKUE",
        lambda: replace(SUBTYPE_II, registered_on=date(2025, 6, 2)),
        [],
    ),
    (
        "personal-data consent not given",
        lambda: replace(SUBTYPE_I, confirmations=Confirmations(True, True, True, False)),
        [("MISSING_CONFIRMATION", "confirmations.personal_data_consent")],
    ),
    (
        "nothing confirmed",
        lambda: replace(SUBTYPE_II, confirmations=Confirmations()),
        [
            ("MISSING_CONFIRMATION", "confirmations.documents_true"),
            ("MISSING_CONFIRMATION", "confirmations.no_court_ban"),
            ("MISSING_CONFIRMATION", "confirmations.official_contacts"),
            ("MISSING_CONFIRMATION", "confirmations.personal_data_consent"),
        ],
    ),
    (
        "DC inside a residential zone",
        lambda: dc(SUBTYPE_I, outside_residential=False),
        [("DC_IN_RESIDENTIAL_ZONE", "data_center_ids[0]")],
    ),
    (
        "I with no data center",
        lambda: replace(SUBTYPE_I, data_centers=()),
        [("DATA_CENTER_REQUIRED", "data_center_ids")],
    ),
    # -- subtype II host ------------------------------------------------------------------
    (
        "II host without an active subtype-I licence",
        lambda: replace(SUBTYPE_II, host_has_active_subtype_i=False),
        [("HOST_NOT_LICENSED", "data_center_ids[0]")],
    ),
    (
        "II host not verified",
        lambda: replace(SUBTYPE_II, host_has_active_subtype_i=None),
        [("HOST_NOT_LICENSED", "data_center_ids[0]")],
    ),
]


@pytest.mark.parametrize(("build", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_review_problems(build: Callable[[], Facts], expected: list[tuple[str, str]]) -> None:
    problems = review_problems(build())
    assert sorted((p.code, p.field) for p in problems) == sorted(expected)
    assert all(p.message_en for p in problems)
    # Each problem lands in exactly one of the two checks, by its kind.
    facts = build()
    complete, findings = completeness_problems(facts), qualification_findings(facts)
    assert {p.code for p in complete} == {p.code for p in problems if p.kind is ProblemKind.COMPLETENESS}
    assert {p.code for p in findings} == {p.code for p in problems if p.kind is not ProblemKind.COMPLETENESS}


QUALIFICATION_FAILURES = {
    "34.9 kV substation": "GRID_BELOW_35KV",
    "DC inside a residential zone": "DC_IN_RESIDENTIAL_ZONE",
    "II host without an active subtype-I licence": "HOST_NOT_LICENSED",
}


@pytest.mark.parametrize("case", [c for c in CASES if c[0] in QUALIFICATION_FAILURES], ids=lambda c: c[0])
def test_001_s8_qualification_failures_are_findings_not_incompleteness(case: tuple[str, Callable[[], Facts], list]) -> None:
    """001 §7 vs §8, §10, App.3 item 10(3): not meeting a requirement is found in review and
    heard; the package is still complete."""
    name, build, _ = case
    facts = build()
    assert completeness_problems(facts) == []
    assert [(p.code.value, p.kind) for p in qualification_findings(facts)] == [
        (QUALIFICATION_FAILURES[name], ProblemKind.QUALIFICATION)
    ]


def test_001_app11_electricity_mismatch_is_a_finding() -> None:
    facts = replace(SUBTYPE_I, electricity_method="OFF_GRID_GENERATOR")
    assert "ELECTRICITY_METHOD_MISMATCH" in {p.code.value for p in qualification_findings(facts)}
    assert "ELECTRICITY_METHOD_MISMATCH" not in {p.code.value for p in completeness_problems(facts)}


def test_001_app11_1_3_pool_evidence_only_where_the_miner_has_units_of_its_own() -> None:
    no_units = replace(without(SUBTYPE_I, K.POOL_EVIDENCE), has_own_units=False)
    assert review_problems(no_units) == []
    with_units = replace(no_units, has_own_units=True)
    assert [(p.code.value, p.field) for p in completeness_problems(with_units)] == [
        ("MISSING_DOCUMENT", "documents.POOL_EVIDENCE")
    ]
    # II(2) has no such condition.
    assert [p.code.value for p in completeness_problems(replace(without(SUBTYPE_II, K.POOL_EVIDENCE),
                                                                 has_own_units=False))] == ["MISSING_DOCUMENT"]


def test_001_app11_2_2_pool_accreditation_not_verifiable_is_reported_not_passed() -> None:
    unknown = replace(SUBTYPE_II, pool_accredited=None)
    assert completeness_problems(unknown) == []
    assert [(p.code.value, p.kind) for p in qualification_findings(unknown)] == [
        ("POOL_NOT_VERIFIABLE", ProblemKind.NOT_VERIFIABLE)
    ]
    lapsed = replace(SUBTYPE_II, pool_accredited=False)
    assert [(p.code.value, p.kind) for p in qualification_findings(lapsed)] == [
        ("POOL_NOT_ACCREDITED", ProblemKind.QUALIFICATION)
    ]
    # No pool needed (subtype I without units of its own, no evidence given): nothing to verify.
    assert qualification_findings(replace(without(SUBTYPE_I, K.POOL_EVIDENCE), has_own_units=False,
                                          pool_accredited=None)) == []


def test_unknown_subtype_is_rejected() -> None:
    with pytest.raises(ValueError):
        completeness_problems(replace(SUBTYPE_I, subtype="III"))


@pytest.mark.parametrize(
    ("subtype", "on", "kinds"),
    [
        ("I", date(2023, 12, 31), [K.DC_OWNERSHIP, K.DC_OUTSIDE_RESIDENTIAL, K.POOL_EVIDENCE,
                                   K.GRID_TECH_CONDITIONS, K.BUILDING_TECH_CONDITIONS]),
        # 001 order §4: App.11 I(4) from 2024-01-01
        ("I", date(2024, 1, 1), [K.DC_OWNERSHIP, K.DC_OUTSIDE_RESIDENTIAL, K.POOL_EVIDENCE, K.ASKUE_TELECOM,
                                 K.GRID_TECH_CONDITIONS, K.BUILDING_TECH_CONDITIONS]),
        ("II", date(2025, 3, 19), [K.HOSTING_LETTER_OF_INTENT, K.POOL_EVIDENCE]),
    ],
)
def test_requirements_for(subtype: str, on: date, kinds: list[DocumentKind]) -> None:
    found = requirements_for(subtype, on)
    assert [r.kind for r in found] == kinds
    assert all(r.legal_basis.startswith("001 App.11") and r.description for r in found)
    assert all(r.kind in kinds_for(subtype) for r in found)


def test_requirement_conditions_follow_app_11() -> None:
    by_kind = {r.kind: r.condition for r in requirements_for("I", date(2025, 3, 19))}
    assert by_kind[K.POOL_EVIDENCE] is RequirementCondition.OWN_UNITS  # "при наличии"
    assert by_kind[K.GRID_TECH_CONDITIONS] is RequirementCondition.GRID_CONNECTED
    assert by_kind[K.BUILDING_TECH_CONDITIONS] is RequirementCondition.CONNECTED_BEFORE_CUTOFF


def test_no_requirements_before_the_rules() -> None:
    with pytest.raises(NoRulesInForce):
        requirements_for("I", date(2023, 4, 27))
