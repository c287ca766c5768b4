"""Re-issue rules as plain functions (001 §14, App.3 item 9(2), App.9, App.10)."""

from __future__ import annotations

from datetime import date

import pytest

from rules.enums import ElectricityPurchase
from rules.errors import DomainError
from rules.licensing import ReissueGround as G
from rules.qualification import Confirmations, DocumentKind, QualificationDocument
from rules.reissue import (
    NewDataCenterFacts,
    ReissueFacts,
    ReissueScope,
    ReissueTarget,
    reissue_document_kinds,
    reissue_problems,
    validate_target,
)
from rules.workflow import LicenseSubtype

ALL = Confirmations(True, True, True, True)
ON = date(2025, 6, 2)


@pytest.mark.parametrize(
    ("grounds", "target", "field"),
    [
        ([G.LAW_REQUIREMENT], ReissueTarget(ReissueScope.LICENSE), None),
        ([G.LAW_REQUIREMENT], ReissueTarget(ReissueScope.APPENDIX, appendix_given=True), None),
        ([G.LAW_REQUIREMENT], ReissueTarget(ReissueScope.APPENDIX), "appendixId"),
        ([G.REORGANISATION], ReissueTarget(ReissueScope.APPENDIX, appendix_given=True), "scope"),
        ([G.DC_LOCATION_CHANGE], ReissueTarget(ReissueScope.APPENDIX, True, new_data_center=True), None),
        ([G.DC_LOCATION_CHANGE], ReissueTarget(ReissueScope.LICENSE, True, new_data_center=True), None),
        ([G.DC_LOCATION_CHANGE], ReissueTarget(ReissueScope.LICENSE, True), "dataCenterId"),
        ([G.DC_LOCATION_CHANGE], ReissueTarget(ReissueScope.LICENSE, new_data_center=True), "appendixId"),
        ([G.ELECTRICITY_SOURCE_CHANGE], ReissueTarget(ReissueScope.APPENDIX, True), "electricityPurchase"),
        ([G.LAW_REQUIREMENT], ReissueTarget(ReissueScope.LICENSE, True, False, ElectricityPurchase.SINGLE_BUYER),
         "electricityPurchase"),
    ],
)
def test_001_app9_target_agrees_with_the_grounds(grounds, target, field):
    if field is None:
        validate_target(grounds, target)
        return
    with pytest.raises(DomainError) as raised:
        validate_target(grounds, target)
    assert raised.value.field == field


def test_001_s14_confirmations_are_a_completeness_rule_shared_with_issuance():
    facts = ReissueFacts(grounds=[G.LAW_REQUIREMENT], registered_on=ON,
                         confirmations=Confirmations(official_contacts=True, no_court_ban=True, documents_true=True))
    assert [(p.code.value, p.field) for p in reissue_problems(facts)] == [
        ("MISSING_CONFIRMATION", "confirmations.personal_data_consent")
    ]


@pytest.mark.parametrize(
    ("grounds", "dc", "given", "missing"),
    [
        ([G.LAW_REQUIREMENT], None, [], []),  # what the state systems hold is not asked
        ([G.REREGISTRATION], None, [], []),
        ([G.DC_LOCATION_CHANGE], NewDataCenterFacts("GRID", None), [], ["DC_OWNERSHIP", "GRID_TECH_CONDITIONS"]),
        ([G.DC_LOCATION_CHANGE], NewDataCenterFacts("OFF_GRID", None), [], ["DC_OWNERSHIP"]),
        ([G.DC_LOCATION_CHANGE], NewDataCenterFacts("GRID", date(2022, 1, 1)), ["DC_OWNERSHIP", "GRID_TECH_CONDITIONS"], []),
        ([G.DC_LOCATION_CHANGE], NewDataCenterFacts("GRID", date(2022, 1, 1)), ["DC_OWNERSHIP"], ["BUILDING_TECH_CONDITIONS"]),
        ([G.ELECTRICITY_SOURCE_CHANGE], None, [], ["ELECTRICITY_SOURCE_PROOF"]),
        ([G.ELECTRICITY_SOURCE_CHANGE, G.DC_LOCATION_CHANGE], NewDataCenterFacts("OFF_GRID", None),
         ["DC_OWNERSHIP", "ELECTRICITY_SOURCE_PROOF"], []),
    ],
)
def test_001_app3_item9_2_documents_of_the_change_per_ground(grounds, dc, given, missing):
    facts = ReissueFacts(grounds=grounds, registered_on=ON, confirmations=ALL, new_data_center=dc,
                         documents=[QualificationDocument(DocumentKind(k)) for k in given])
    assert [p.field for p in reissue_problems(facts)] == [f"documents.{k}" for k in missing]


def test_001_s14_expired_documents_of_a_reissue():
    facts = ReissueFacts(grounds=[G.ELECTRICITY_SOURCE_CHANGE], registered_on=ON, confirmations=ALL,
                         documents=[QualificationDocument(DocumentKind.ELECTRICITY_SOURCE_PROOF, date(2025, 6, 1))])
    assert [(p.code.value, p.field) for p in reissue_problems(facts)] == [("EXPIRED_DOCUMENT", "documents[0].valid_until")]


def test_the_electricity_proof_is_a_subtype_i_reissue_document_only():
    assert DocumentKind.ELECTRICITY_SOURCE_PROOF in reissue_document_kinds(LicenseSubtype.I)
    assert DocumentKind.ELECTRICITY_SOURCE_PROOF not in reissue_document_kinds(LicenseSubtype.II)
