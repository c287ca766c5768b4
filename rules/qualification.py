"""Completeness and qualification of a licence application per subtype (001 App.1, App.2,
App.11).

Two checks with different consequences (rules.problems.ProblemKind): completeness (001 §7:
documents present and not expired, the four confirmations, the facts the form requires) blocks
acceptance and is the only reason for a refusal of further review; qualification (001 §8: the
requirements themselves, e.g. a 35 kV substation) is judged in review, and a failure is a
ground of App.3 item 10(3), heard at a hearing (§10) before any refusal.

Takes plain facts (no ORM objects) and lists every problem at once, so the officer sees the
whole picture and a refusal can name each gap. The requirements are judged as in force on the
registration date (001 order §4).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal
from enum import Enum

from rules.enums import ElectricityPurchase, PowerSource
from rules.problems import Problem, split_problems
from rules.rule_sets import Dated, RuleSet, in_force
from rules.workflow import LicenseSubtype, NoRulesInForce

__all__ = [
    "ASKUE_REQUIRED_FROM",
    "BUILDING_CONDITIONS_CUTOFF",
    "MIN_PERMITTED_MW",
    "MIN_SUBSTATION_KV",
    "Confirmations",
    "DataCenterFacts",
    "DocumentKind",
    "DocumentRequirement",
    "GridRule",
    "LicenseApplicationFacts",
    "Problem",
    "QualificationDocument",
    "RequirementCondition",
    "completeness_problems",
    "confirmation_problems",
    "grid_rule",
    "grid_threshold_problems",
    "kinds_for",
    "qualification_findings",
    "requirements_for",
    "review_problems",
]

# App.11 item 1.5: technical conditions "от трансформаторных подстанций напряжением 35
# киловольт и выше с разрешенной мощностью не менее одного мегаватта".
MIN_SUBSTATION_KV = Decimal(35)
MIN_PERMITTED_MW = Decimal(1)
# App.11 item 1.5 para 2: miners connected "до 1 апреля 2023 года" may present technical
# conditions for a data-center / industrial building instead.
BUILDING_CONDITIONS_CUTOFF = date(2023, 4, 1)
# 001 order §4: App.11 item 1.4 (ASKUE, load shedding, telecoms) applies from 2024-01-01.
ASKUE_REQUIRED_FROM = RuleSet.LICENSING_2024  # 2024-01-01 (rules.rule_sets)


class DocumentKind(str, Enum):
    # Subtype I (App.11 item 1)
    DC_OWNERSHIP = "DC_OWNERSHIP"  # 1.1 ownership / lawful holding of the DC, with location
    DC_OUTSIDE_RESIDENTIAL = "DC_OUTSIDE_RESIDENTIAL"  # 1.2 letter: DC outside residential zone
    ASKUE_TELECOM = "ASKUE_TELECOM"  # 1.4 metering, load shedding, telecoms
    GRID_TECH_CONDITIONS = "GRID_TECH_CONDITIONS"  # 1.5 para 1: >= 35 kV, >= 1 MW
    BUILDING_TECH_CONDITIONS = "BUILDING_TECH_CONDITIONS"  # 1.5 para 2: connected before cutoff
    # Subtype II (App.11 item 2)
    HOSTING_LETTER_OF_INTENT = "HOSTING_LETTER_OF_INTENT"  # 2.1 letter naming the subtype-I host
    # Both (1.3 and 2.2)
    POOL_EVIDENCE = "POOL_EVIDENCE"  # certificate, letter or contract with an accredited pool
    # Re-issue only (App.3 item 9(2), App.9 ground 5): the document of the new electricity source
    ELECTRICITY_SOURCE_PROOF = "ELECTRICITY_SOURCE_PROOF"


_SUBTYPE_KINDS: dict[LicenseSubtype, frozenset[DocumentKind]] = {
    LicenseSubtype.I: frozenset(
        {
            DocumentKind.DC_OWNERSHIP,
            DocumentKind.DC_OUTSIDE_RESIDENTIAL,
            DocumentKind.POOL_EVIDENCE,
            DocumentKind.ASKUE_TELECOM,
            DocumentKind.GRID_TECH_CONDITIONS,
            DocumentKind.BUILDING_TECH_CONDITIONS,
        }
    ),
    LicenseSubtype.II: frozenset(
        {DocumentKind.HOSTING_LETTER_OF_INTENT, DocumentKind.POOL_EVIDENCE}
    ),
}


class RequirementCondition(str, Enum):
    """When an App.11 document is required."""

    ALWAYS = "ALWAYS"
    OWN_UNITS = "OWN_UNITS"  # I(3): "при наличии" ASIC units of the miner's own
    GRID_CONNECTED = "GRID_CONNECTED"  # I(5): grid power (not off-grid generators)
    CONNECTED_BEFORE_CUTOFF = "CONNECTED_BEFORE_CUTOFF"  # I(5) para 2: instead of grid conditions


@dataclass(frozen=True)
class DocumentRequirement(Dated):
    """One App.11 qualification document of a subtype, as dated data."""

    subtype: LicenseSubtype
    kind: DocumentKind
    legal_basis: str  # e.g. "001 App.11 item 1.1"
    description: str  # what it is, in English, for a client
    condition: RequirementCondition
    in_force_with: RuleSet | date  # `effective_from`: its in-force date (rules.rule_sets)


_LICENSING_FROM = RuleSet.LICENSING  # order 169/НҚ (rules.rule_sets)

REQUIREMENTS: tuple[DocumentRequirement, ...] = (
    DocumentRequirement(
        LicenseSubtype.I, DocumentKind.DC_OWNERSHIP, "001 App.11 item 1.1",
        "Document of ownership or other lawful holding of the data center, with its location.",
        RequirementCondition.ALWAYS, _LICENSING_FROM,
    ),
    DocumentRequirement(
        LicenseSubtype.I, DocumentKind.DC_OUTSIDE_RESIDENTIAL, "001 App.11 item 1.2",
        "Letter confirming that the data center is outside residential zones.",
        RequirementCondition.ALWAYS, _LICENSING_FROM,
    ),
    DocumentRequirement(
        LicenseSubtype.I, DocumentKind.POOL_EVIDENCE, "001 App.11 item 1.3",
        "Where the miner has ASIC units of its own: evidence of mining through a digital mining pool "
        "accredited in Kazakhstan (certificate, letter or contract with the pool).",
        RequirementCondition.OWN_UNITS, _LICENSING_FROM,
    ),
    DocumentRequirement(
        LicenseSubtype.I, DocumentKind.ASKUE_TELECOM, "001 App.11 item 1.4; order §4",
        "Document confirming automated commercial metering (ASKUE), special load-shedding automation "
        "and telecoms compatible with the system operator and the grid company.",
        RequirementCondition.ALWAYS, ASKUE_REQUIRED_FROM,
    ),
    DocumentRequirement(
        LicenseSubtype.I, DocumentKind.GRID_TECH_CONDITIONS, "001 App.11 item 1.5",
        "Grid technical conditions from a substation of 35 kV or more with a permitted capacity of at "
        "least 1 MW; not needed for power from generators outside the unified power system.",
        RequirementCondition.GRID_CONNECTED, _LICENSING_FROM,
    ),
    DocumentRequirement(
        LicenseSubtype.I, DocumentKind.BUILDING_TECH_CONDITIONS, "001 App.11 item 1.5 para 2",
        "For a data center connected before 2023-04-01: technical conditions for the data-center or "
        "industrial building, instead of the grid technical conditions.",
        RequirementCondition.CONNECTED_BEFORE_CUTOFF, _LICENSING_FROM,
    ),
    DocumentRequirement(
        LicenseSubtype.II, DocumentKind.HOSTING_LETTER_OF_INTENT, "001 App.11 item 2.1",
        "Letter of intent to place the miner's ASIC units in the data center of a named licensed "
        "subtype-I miner.",
        RequirementCondition.ALWAYS, _LICENSING_FROM,
    ),
    DocumentRequirement(
        LicenseSubtype.II, DocumentKind.POOL_EVIDENCE, "001 App.11 item 2.2",
        "Evidence of mining through a digital mining pool accredited in Kazakhstan.",
        RequirementCondition.ALWAYS, _LICENSING_FROM,
    ),
)


def requirements_for(subtype: LicenseSubtype | str, on: date) -> tuple[DocumentRequirement, ...]:
    """The App.11 documents of ``subtype`` in force on ``on`` (001 order §4: I(4) from 2024)."""
    if not in_force(_LICENSING_FROM, on):
        raise NoRulesInForce("licensing qualification requirements", on)
    kind = LicenseSubtype(subtype)
    return tuple(r for r in REQUIREMENTS if r.subtype is kind and r.effective_from <= on)


@dataclass(frozen=True)
class QualificationDocument:
    kind: DocumentKind
    valid_until: date | None = None  # None: no expiry (a letter, an ownership record)


@dataclass(frozen=True)
class DataCenterFacts:
    substation_kv: Decimal | None
    permitted_mw: Decimal | None
    connected_on: date | None  # date of connection to the grid, if known
    power_source: PowerSource | str
    outside_residential: bool


@dataclass(frozen=True)
class Confirmations:
    """The four statements of App.1 / App.2, each ticked by the applicant."""

    official_contacts: bool = False  # the contacts given are official
    no_court_ban: bool = False  # no court ban on the licensed activity
    documents_true: bool = False  # all documents are true and reliable
    personal_data_consent: bool = False  # consent to use restricted personal data


@dataclass(frozen=True)
class LicenseApplicationFacts:
    subtype: LicenseSubtype | str
    registered_on: date
    documents: Sequence[QualificationDocument] = ()
    data_centers: Sequence[DataCenterFacts] = ()
    electricity_method: ElectricityPurchase | str | None = None  # subtype I only (App.1)
    confirmations: Confirmations = field(default_factory=Confirmations)
    host_has_active_subtype_i: bool | None = None  # subtype II: None = not verified
    # App.11 I(3) "при наличии": whether the miner has ASIC units of its own (in the registry).
    has_own_units: bool = True
    # App.11 I(3), II(2): the miner's pool (its recorded membership) accredited on the registration
    # date; None: no pool recorded then (reported as not verifiable, never as passed).
    pool_accredited: bool | None = None


def kinds_for(subtype: LicenseSubtype | str) -> frozenset[DocumentKind]:
    """The document kinds App.11 lists for ``subtype``."""
    return _SUBTYPE_KINDS[LicenseSubtype(subtype)]


def review_problems(facts: LicenseApplicationFacts) -> list[Problem]:
    """Every problem of ``facts``, of both checks (each knows its `kind`)."""
    subtype = LicenseSubtype(facts.subtype)
    problems: list[Problem] = []
    problems += _document_problems(facts, subtype)
    problems += confirmation_problems(facts.confirmations)
    if subtype is LicenseSubtype.I:
        problems += _subtype_i_problems(facts)
    else:
        problems += _subtype_ii_problems(facts)
    problems += _pool_problems(facts, subtype)
    return problems


def completeness_problems(facts: LicenseApplicationFacts) -> list[Problem]:
    """What blocks acceptance (001 §7); empty when the package is complete."""
    return split_problems(review_problems(facts))[0]


def qualification_findings(facts: LicenseApplicationFacts) -> list[Problem]:
    """Qualification requirements not met (001 §8, App.3 item 10(3)), and those the system
    cannot verify (kind NOT_VERIFIABLE)."""
    return split_problems(review_problems(facts))[1]


def _pool_needed(facts: LicenseApplicationFacts, subtype: LicenseSubtype) -> bool:
    """App.11 I(3) where the miner has units of its own; II(2) always."""
    return subtype is LicenseSubtype.II or facts.has_own_units


def _pool_problems(facts: LicenseApplicationFacts, subtype: LicenseSubtype) -> list[Problem]:
    if not (_pool_needed(facts, subtype) or _present(facts, DocumentKind.POOL_EVIDENCE)):
        return []
    if facts.pool_accredited is True:
        return []
    if facts.pool_accredited is False:
        return [Problem("POOL_NOT_ACCREDITED", f"documents.{DocumentKind.POOL_EVIDENCE.value}",
                        "the miner's pool was not accredited on the registration date (App.11 1.3 / 2.2)")]
    return [Problem("POOL_NOT_VERIFIABLE", f"documents.{DocumentKind.POOL_EVIDENCE.value}",
                    "no pool recorded for the miner on the registration date: check App.11 1.3 / 2.2 by hand")]


def _document_problems(facts: LicenseApplicationFacts, subtype: LicenseSubtype) -> list[Problem]:
    problems: list[Problem] = []
    for i, doc in enumerate(facts.documents):
        kind = DocumentKind(doc.kind)
        where = f"documents[{i}]"  # the client's input position
        if kind not in _SUBTYPE_KINDS[subtype]:
            problems.append(
                Problem(
                    "DOCUMENT_NOT_FOR_SUBTYPE",
                    f"{where}.kind",
                    f"{kind.value} is not a subtype {subtype.value} document",
                )
            )
        elif doc.valid_until is not None and doc.valid_until < facts.registered_on:
            # 001 §7: documents "с истекшим сроком действия" on registration are refused.
            problems.append(
                Problem(
                    "EXPIRED_DOCUMENT",
                    f"{where}.valid_until",
                    f"{kind.value} expired on {doc.valid_until.isoformat()}, before "
                    f"registration on {facts.registered_on.isoformat()}",
                )
            )
    return problems


def _present(facts: LicenseApplicationFacts, *kinds: DocumentKind) -> bool:
    """A document of one of ``kinds`` was given (expired ones are reported separately)."""
    return any(DocumentKind(d.kind) in kinds for d in facts.documents)


def _missing(kind: DocumentKind, why: str) -> Problem:
    return Problem("MISSING_DOCUMENT", f"documents.{kind.value}", f"{kind.value} missing: {why}")


def _required_document_problems(facts: LicenseApplicationFacts, subtype: LicenseSubtype) -> list[Problem]:
    """The documents every application of ``subtype`` needs (the data-center-dependent ones of
    I(5) are judged per data center). I(3) applies where the miner has units of its own
    ("при наличии"), known from the registry."""
    conditions = {RequirementCondition.ALWAYS}
    if facts.has_own_units:
        conditions.add(RequirementCondition.OWN_UNITS)
    return [
        _missing(r.kind, r.legal_basis)
        for r in requirements_for(subtype, facts.registered_on)
        if r.condition in conditions and not _present(facts, r.kind)
    ]


def confirmation_problems(confirmations: Confirmations) -> list[Problem]:
    """The four statements of App.1 / App.2 (and App.9 / App.10): each one not given is a gap."""
    return [
        Problem(
            "MISSING_CONFIRMATION",
            f"confirmations.{f.name}",
            f"the applicant has not confirmed {f.name.replace('_', ' ')}",
        )
        for f in fields(confirmations)
        if not getattr(confirmations, f.name)
    ]


def _subtype_i_problems(facts: LicenseApplicationFacts) -> list[Problem]:
    problems = _required_document_problems(facts, LicenseSubtype.I)

    method = (
        None if facts.electricity_method is None else ElectricityPurchase(facts.electricity_method)
    )
    if method is None:
        problems.append(
            Problem(
                "ELECTRICITY_METHOD_REQUIRED",
                "electricity_purchase",
                "subtype I must state how it buys electricity (App.1)",
            )
        )

    if not facts.data_centers:
        problems.append(
            Problem("DATA_CENTER_REQUIRED", "data_center_ids", "subtype I needs its data center")
        )
    for i, dc in enumerate(facts.data_centers):
        problems += _data_center_problems(facts, i, dc, method)
    return problems


def _data_center_problems(
    facts: LicenseApplicationFacts,
    i: int,
    dc: DataCenterFacts,
    method: ElectricityPurchase | None,
) -> list[Problem]:
    where = f"data_center_ids[{i}]"  # the data center as the client named it
    problems: list[Problem] = []
    if not dc.outside_residential:
        # 001 §2.7: a mining DC is by definition "вне территории жилой зоны".
        problems.append(
            Problem(
                "DC_IN_RESIDENTIAL_ZONE",
                where,
                "the data center must be outside residential zones",
            )
        )
    source = PowerSource(dc.power_source)
    if method is not None:
        off_grid = method is ElectricityPurchase.OFF_GRID_GENERATOR
        expected = PowerSource.OFF_GRID if off_grid else PowerSource.GRID
        if source is not expected:
            # The off-grid exemption is claimed on the form; the DC's facts must agree with it.
            problems.append(
                Problem(
                    "ELECTRICITY_METHOD_MISMATCH",
                    where,
                    f"data center powered {source.value}, application buys via {method.value}",
                )
            )
    rule = grid_rule(dc)
    if rule is GridRule.OFF_GRID_EXEMPT:
        return problems  # App.11 note *: item 1.5 does not apply to off-grid power
    if rule is GridRule.CONNECTED_BEFORE_CUTOFF:
        # Connected before 2023-04-01: building technical conditions suffice, and the
        # 35 kV / 1 MW thresholds (which belong to the new grid conditions) do not apply.
        if not _present(
            facts, DocumentKind.GRID_TECH_CONDITIONS, DocumentKind.BUILDING_TECH_CONDITIONS
        ):
            problems.append(
                _missing(
                    DocumentKind.BUILDING_TECH_CONDITIONS,
                    f"{where} connected before 2023-04-01 (App.11 item 1.5 para 2)",
                )
            )
        return problems

    if not _present(facts, DocumentKind.GRID_TECH_CONDITIONS):
        problems.append(
            _missing(DocumentKind.GRID_TECH_CONDITIONS, f"{where} is on the grid (App.11 1.5)")
        )
    return problems + grid_threshold_problems(dc, where)


class GridRule(str, Enum):
    """Which branch of App.11 item 1.5 (and 003 miner checklist item 5) a data center falls under."""

    OFF_GRID_EXEMPT = "OFF_GRID_EXEMPT"  # note *: power from generators outside the unified system
    CONNECTED_BEFORE_CUTOFF = "CONNECTED_BEFORE_CUTOFF"  # para 2: connected before 2023-04-01
    THRESHOLDS = "THRESHOLDS"  # para 1: a substation of 35 kV or more, at least 1 MW permitted


def grid_rule(dc: DataCenterFacts) -> GridRule:
    if PowerSource(dc.power_source) is PowerSource.OFF_GRID:
        return GridRule.OFF_GRID_EXEMPT
    if dc.connected_on is not None and dc.connected_on < BUILDING_CONDITIONS_CUTOFF:
        return GridRule.CONNECTED_BEFORE_CUTOFF
    return GridRule.THRESHOLDS


def grid_threshold_problems(dc: DataCenterFacts, where: str) -> list[Problem]:
    """App.11 item 1.5 para 1 on the DC's facts: 35 kV or more, at least 1 MW (facts missing:
    MISSING_GRID_FACTS). Only for `GridRule.THRESHOLDS`."""
    problems: list[Problem] = []
    if dc.substation_kv is None or dc.permitted_mw is None:
        problems.append(
            Problem(
                "MISSING_GRID_FACTS",
                where,
                "substation voltage and permitted capacity are needed to check App.11 item 1.5",
            )
        )
    if dc.substation_kv is not None and dc.substation_kv < MIN_SUBSTATION_KV:
        problems.append(
            Problem(
                "GRID_BELOW_35KV",
                where,
                f"substation of {dc.substation_kv} kV; at least 35 kV required",
            )
        )
    if dc.permitted_mw is not None and dc.permitted_mw < MIN_PERMITTED_MW:
        problems.append(
            Problem(
                "GRID_BELOW_1MW",
                where,
                f"permitted capacity {dc.permitted_mw} MW; at least 1 MW required",
            )
        )
    return problems


def _subtype_ii_problems(facts: LicenseApplicationFacts) -> list[Problem]:
    problems = _required_document_problems(facts, LicenseSubtype.II)
    if facts.host_has_active_subtype_i is not True:
        # 001 §3 and App.11 item 2.1: the units sit in the DC of a *licensed* subtype-I miner.
        reason = (
            "the host's subtype-I licence has not been verified"
            if facts.host_has_active_subtype_i is None
            else "the host holds no active subtype-I licence"
        )
        problems.append(Problem("HOST_NOT_LICENSED", "data_center_ids[0]", reason))
    return problems
