"""Re-issue of a licence and/or one of its appendices (001 §12-15, App.3 item 9(2), App.9, App.10).

What the form asks ("прошу переоформить лицензию и (или) приложение к лицензии (нужное
подчеркнуть)"): the licence itself (a new licence document and number, every appendix carried
over) or one appendix alone (a new appendix under the same licence, the licence and its other
appendices untouched). A change of data center (App.9 ground 3) or of electricity source (ground
5) is a change of one appendix (App.6 prints the data center and the purchase method), so it
names that appendix and carries the new value.

Completeness (§14, 1 WD): the four confirmations of the form, given by the applicant (the same
rule as for issuance, `rules.qualification.confirmation_problems`), and "копии документов,
содержащих информацию об изменениях" per ground (App.3 item 9(2)); documents whose data the
authority reads from state information systems (registration, reorganisation) are not asked.
Plain facts in, `Problem`s out, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum

from rules.enums import ElectricityPurchase, PowerSource
from rules.errors import DomainError, ErrorCode
from rules.licensing import ReissueGround
from rules.problems import Problem
from rules.qualification import (
    BUILDING_CONDITIONS_CUTOFF,
    Confirmations,
    DocumentKind,
    QualificationDocument,
    confirmation_problems,
    kinds_for,
)
from rules.workflow import LicenseSubtype

__all__ = [
    "APPENDIX_GROUNDS",
    "NewDataCenterFacts",
    "ReissueFacts",
    "ReissueScope",
    "ReissueTarget",
    "reissue_document_kinds",
    "reissue_problems",
    "validate_target",
]


class ReissueScope(str, Enum):
    LICENSE = "LICENSE"  # the licence (new number) with all its appendices
    APPENDIX = "APPENDIX"  # one appendix alone: the licence keeps its number


# The grounds that change what an appendix prints (App.6 / App.7: subtype name, data center,
# electricity method) or that a law may require of it; a change of the holder (re-registration,
# reorganisation) changes the licence (App.4 / App.5 "Выдана"), so it re-issues the licence.
APPENDIX_GROUNDS = frozenset(
    {
        ReissueGround.DC_LOCATION_CHANGE,
        ReissueGround.ELECTRICITY_SOURCE_CHANGE,
        ReissueGround.SUBTYPE_NAME_CHANGE,
        ReissueGround.LAW_REQUIREMENT,
    }
)


@dataclass(frozen=True)
class ReissueTarget:
    """What the applicant asks to re-issue, and the new values the change carries."""

    scope: ReissueScope
    appendix_given: bool = False  # the appendix the change concerns (or re-issued alone)
    new_data_center: bool = False
    new_electricity_purchase: ElectricityPurchase | None = None


def validate_target(grounds: Iterable[ReissueGround], target: ReissueTarget) -> None:
    """The target agrees with the grounds: an appendix alone only on an appendix's grounds; a new
    data center exactly on ground DC_LOCATION_CHANGE, a new method exactly on
    ELECTRICITY_SOURCE_CHANGE, each naming the appendix it changes."""
    cited = set(grounds)
    if target.scope is ReissueScope.APPENDIX:
        if not target.appendix_given:
            raise DomainError(ErrorCode.VALIDATION, field="appendixId", detail="name the appendix to re-issue")
        holder = sorted(g.value for g in cited - APPENDIX_GROUNDS)
        if holder:
            raise DomainError(
                ErrorCode.VALIDATION, field="scope",
                detail=f"{', '.join(holder)} changes the licence itself: re-issue the licence",
            )
    pairs = (
        (ReissueGround.DC_LOCATION_CHANGE, target.new_data_center, "dataCenterId"),
        (ReissueGround.ELECTRICITY_SOURCE_CHANGE, target.new_electricity_purchase is not None, "electricityPurchase"),
    )
    for ground, given, name in pairs:
        if (ground in cited) != given:
            raise DomainError(
                ErrorCode.VALIDATION, field=name, detail=f"give {name} exactly when {ground.value} is a ground"
            )
        if given and not target.appendix_given:
            raise DomainError(ErrorCode.VALIDATION, field="appendixId", detail=f"name the appendix {name} changes")


def reissue_document_kinds(subtype: LicenseSubtype | str) -> frozenset[DocumentKind]:
    """The document kinds a re-issue of ``subtype`` may carry: App.11's, and for subtype I the
    proof of a new electricity source."""
    extra = {DocumentKind.ELECTRICITY_SOURCE_PROOF} if LicenseSubtype(subtype) is LicenseSubtype.I else set()
    return kinds_for(subtype) | extra


@dataclass(frozen=True)
class NewDataCenterFacts:
    """The data center a DC_LOCATION_CHANGE moves the appendix to."""

    power_source: PowerSource | str
    connected_on: date | None


@dataclass(frozen=True)
class ReissueFacts:
    grounds: Sequence[ReissueGround]
    registered_on: date
    confirmations: Confirmations
    documents: Sequence[QualificationDocument] = ()
    new_data_center: NewDataCenterFacts | None = None
    new_electricity_purchase: ElectricityPurchase | None = None


def reissue_problems(facts: ReissueFacts) -> list[Problem]:
    """Every completeness gap of a re-issue package (001 §14): confirmations, expired
    documents, and the documents of the change per ground."""
    problems = confirmation_problems(facts.confirmations)
    for i, doc in enumerate(facts.documents):
        if doc.valid_until is not None and doc.valid_until < facts.registered_on:
            problems.append(Problem(
                "EXPIRED_DOCUMENT", f"documents[{i}].valid_until",
                f"{DocumentKind(doc.kind).value} expired on {doc.valid_until.isoformat()}",
            ))
    given = {DocumentKind(d.kind) for d in facts.documents}
    for kinds, why in _change_documents(facts):
        if not given & set(kinds):
            problems.append(Problem("MISSING_DOCUMENT", f"documents.{kinds[0].value}", f"{kinds[0].value} missing: {why}"))
    return problems


def _change_documents(facts: ReissueFacts) -> list[tuple[tuple[DocumentKind, ...], str]]:
    """The documents each cited ground needs: (acceptable kinds, why)."""
    needed: list[tuple[tuple[DocumentKind, ...], str]] = []
    cited = set(facts.grounds)
    dc = facts.new_data_center
    if ReissueGround.DC_LOCATION_CHANGE in cited and dc is not None:
        # App.11 item 1.1: the new data center is owned or lawfully held, at its location.
        needed.append(((DocumentKind.DC_OWNERSHIP,), "the new data center (App.11 item 1.1)"))
        if PowerSource(dc.power_source) is PowerSource.GRID:
            # App.11 item 1.5 (not for off-grid power); connected before 2023-04-01: para 2.
            if dc.connected_on is not None and dc.connected_on < BUILDING_CONDITIONS_CUTOFF:
                needed.append((
                    (DocumentKind.BUILDING_TECH_CONDITIONS, DocumentKind.GRID_TECH_CONDITIONS),
                    "the new data center, connected before 2023-04-01 (App.11 item 1.5 para 2)",
                ))
            else:
                needed.append(((DocumentKind.GRID_TECH_CONDITIONS,), "the new data center (App.11 item 1.5)"))
    if ReissueGround.ELECTRICITY_SOURCE_CHANGE in cited:
        needed.append(((DocumentKind.ELECTRICITY_SOURCE_PROOF,), "the new electricity source (App.9 ground 5)"))
    return needed
