"""Inspections (003): the system's own finding on each checklist item, computed from registry
facts on the day the inspection is opened (issue 12 item 3), and the inspector's word on it.

Pure: the resolver (resolvers/inspections.py) loads the facts in batch and passes them in. Each
finding carries its evidence (what the registry holds that led to it) and a reason in English.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Any, NamedTuple

from rules import income_reports
from rules.checklists import ChecklistItemCode
from rules.enums import LicenseStatus
from rules.pools import ConditionResult, ConditionStatus, PoolCondition
from rules.qualification import DataCenterFacts, GridRule, grid_rule, grid_threshold_problems

__all__ = [
    "NOT_REGISTERED",
    "DataCenterSnapshot",
    "EvidenceKind",
    "Finding",
    "InspectionKind",
    "InspectionStatus",
    "ItemFinding",
    "LicenseFacts",
    "MinerFacts",
    "Reconciled",
    "ReconciliationSummary",
    "UnitRow",
    "Unregistered",
    "ViolationStatus",
    "miner_findings",
    "needs_comment",
    "pool_findings",
    "reconcile",
    "remedied_late",
]


class InspectionKind(str, Enum):
    SCHEDULED = "SCHEDULED"
    UNSCHEDULED = "UNSCHEDULED"


class InspectionStatus(str, Enum):
    APPOINTED = "APPOINTED"  # the act is issued; nothing filled yet
    IN_PROGRESS = "IN_PROGRESS"  # opened: the checklist prefilled, the inspector fills it on site
    COMPLETED = "COMPLETED"  # signed by the officials and the subject's representative


class Finding(str, Enum):
    COMPLIES = "COMPLIES"  # 003: "талаптарға сәйкес келеді"
    DOES_NOT_COMPLY = "DOES_NOT_COMPLY"  # "талаптарға сәйкес келмейді"
    NOT_APPLICABLE = "NOT_APPLICABLE"
    NOT_KNOWN = "NOT_KNOWN"  # the system's own finding only: the registry cannot tell


class EvidenceKind(str, Enum):
    """A remedied violation's evidence file, by its content."""

    PDF = "application/pdf"
    JPEG = "image/jpeg"
    PNG = "image/png"
    HEIC = "image/heic"


class ViolationStatus(str, Enum):
    OPEN = "OPEN"
    REMEDIED = "REMEDIED"


@dataclass(frozen=True)
class ItemFinding:
    code: ChecklistItemCode
    finding: Finding
    reason: str
    evidence: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LicenseFacts:
    number: str
    status: LicenseStatus | str
    issued_on: date
    valid_until: date


@dataclass(frozen=True)
class DataCenterSnapshot:
    id: int
    name: str
    own: bool  # the miner's own data center (subtype I) rather than a host's
    facts: DataCenterFacts


@dataclass(frozen=True)
class ReconciliationSummary:
    data_center_id: int
    seen: int
    matched: int
    unregistered: int  # seen but not in the registry, another miner's or EXCLUDED
    not_seen: int


@dataclass(frozen=True)
class MinerFacts:
    on: date
    licenses: tuple[LicenseFacts, ...]
    pool_id: int | None  # the pool the miner mines through on the day (its PoolMembership)
    pool_accredited: bool  # that pool accredited on the day (resolvers.pools.accredited_pool_ids)
    units_in_registry: int  # the miner's units IN_REGISTRY in the inspected data centers
    data_centers: tuple[DataCenterSnapshot, ...]
    reconciliations: tuple[ReconciliationSummary, ...]
    askue_documents: tuple[Mapping[str, Any], ...]  # App.11 I(4) documents of its licence file


def _licence(facts: MinerFacts) -> ItemFinding:
    valid = [lic for lic in facts.licenses
             if LicenseStatus(lic.status) is LicenseStatus.ACTIVE and lic.issued_on <= facts.on <= lic.valid_until]
    evidence = {"licenses": [{"number": lic.number, "status": LicenseStatus(lic.status).value,
                              "validUntil": lic.valid_until.isoformat()} for lic in facts.licenses]}
    if valid:
        return ItemFinding(ChecklistItemCode.M1_LICENSE, Finding.COMPLIES,
                           f"licence {valid[0].number} active and valid on {facts.on}", evidence)
    why = "no licence in the registry" if not facts.licenses else f"no licence active and valid on {facts.on}"
    return ItemFinding(ChecklistItemCode.M1_LICENSE, Finding.DOES_NOT_COMPLY, why, evidence)


def _pool(code: ChecklistItemCode, facts: MinerFacts) -> ItemFinding:
    evidence = {"poolId": facts.pool_id, "accredited": facts.pool_accredited, "on": facts.on.isoformat()}
    if facts.pool_id is None:
        return ItemFinding(code, Finding.DOES_NOT_COMPLY, f"no pool recorded for the miner on {facts.on}", evidence)
    if not facts.pool_accredited:
        return ItemFinding(code, Finding.DOES_NOT_COMPLY, f"its pool is not accredited on {facts.on}", evidence)
    return ItemFinding(code, Finding.COMPLIES, f"mines through a pool accredited on {facts.on}", evidence)


def _units(facts: MinerFacts) -> ItemFinding:
    code = ChecklistItemCode.M3_UNITS_IN_REGISTRY
    evidence: dict[str, Any] = {
        "unitsInRegistry": facts.units_in_registry,
        "reconciliations": [{"dataCenterId": r.data_center_id, "seen": r.seen, "matched": r.matched,
                             "unregistered": r.unregistered, "notSeen": r.not_seen} for r in facts.reconciliations],
    }
    unregistered = sum(r.unregistered for r in facts.reconciliations)
    if unregistered:
        return ItemFinding(code, Finding.DOES_NOT_COMPLY,
                           f"{unregistered} unit(s) seen on site are not registered to the miner", evidence)
    if not facts.reconciliations:
        return ItemFinding(code, Finding.NOT_KNOWN, "no serial numbers reconciled on site yet", evidence)
    return ItemFinding(code, Finding.COMPLIES, "every unit seen on site is in the registry", evidence)


def _dc_evidence(dc: DataCenterSnapshot) -> dict[str, Any]:
    f = dc.facts
    return {"dataCenterId": dc.id, "name": dc.name, "outsideResidentialZone": f.outside_residential,
            "powerSource": str(getattr(f.power_source, "value", f.power_source)),
            "substationKv": None if f.substation_kv is None else str(f.substation_kv),
            "permittedMw": None if f.permitted_mw is None else str(f.permitted_mw),
            "connectedOn": None if f.connected_on is None else f.connected_on.isoformat()}


def _residential(facts: MinerFacts) -> ItemFinding:
    code = ChecklistItemCode.M4_DC_OUTSIDE_RESIDENTIAL
    evidence = {"dataCenters": [_dc_evidence(dc) for dc in facts.data_centers]}
    inside = [dc.name for dc in facts.data_centers if not dc.facts.outside_residential]
    if inside:
        return ItemFinding(code, Finding.DOES_NOT_COMPLY, f"in a residential zone: {', '.join(inside)}", evidence)
    return ItemFinding(code, Finding.COMPLIES, "every inspected data center is outside residential zones", evidence)


def _grid(facts: MinerFacts) -> ItemFinding:
    code = ChecklistItemCode.M5_GRID_CONDITIONS
    per_dc, failing, missing = [], [], []
    for dc in facts.data_centers:
        rule = grid_rule(dc.facts)
        problems = grid_threshold_problems(dc.facts, dc.name) if rule is GridRule.THRESHOLDS else []
        per_dc.append({**_dc_evidence(dc), "rule": rule.value, "problems": [p.code.value for p in problems]})
        if any(p.code.value != "MISSING_GRID_FACTS" for p in problems):
            failing.append(f"{dc.name}: " + "; ".join(p.message_en for p in problems if p.code.value != "MISSING_GRID_FACTS"))
        elif problems:
            missing.append(dc.name)
    evidence = {"dataCenters": per_dc}
    if failing:
        return ItemFinding(code, Finding.DOES_NOT_COMPLY, " | ".join(failing), evidence)
    if missing:
        return ItemFinding(code, Finding.NOT_KNOWN, f"no voltage/capacity in the registry for {', '.join(missing)}",
                           evidence)
    if facts.data_centers and all(d["rule"] == GridRule.OFF_GRID_EXEMPT.value for d in per_dc):
        return ItemFinding(code, Finding.NOT_APPLICABLE, "off-grid power only (001 App.11 note *)", evidence)
    if not facts.data_centers:
        return ItemFinding(code, Finding.NOT_KNOWN, "no data center named for the inspection", evidence)
    return ItemFinding(code, Finding.COMPLIES, "35 kV / 1 MW, connected before 2023-04-01 or off-grid", evidence)


def _placement(facts: MinerFacts) -> ItemFinding:
    code = ChecklistItemCode.M6_PLACEMENT_CONTRACT
    hosted = [dc for dc in facts.data_centers if not dc.own]
    evidence = {"hostDataCenters": [{"dataCenterId": dc.id, "name": dc.name} for dc in hosted]}
    if facts.data_centers and not hosted:
        return ItemFinding(code, Finding.NOT_APPLICABLE, "the units are in the miner's own data center(s)", evidence)
    return ItemFinding(code, Finding.NOT_KNOWN, "the registry holds no placement contract: checked on site", evidence)


def _pool_with_dc(facts: MinerFacts) -> ItemFinding:
    pool = _pool(ChecklistItemCode.M7_POOL_WITH_DC, facts)
    if pool.finding is Finding.COMPLIES and not facts.data_centers:
        return ItemFinding(pool.code, Finding.DOES_NOT_COMPLY, "no data center on record", pool.evidence)
    return pool


def _askue(facts: MinerFacts) -> ItemFinding:
    code = ChecklistItemCode.M8_ASKUE
    evidence = {"documents": list(facts.askue_documents)}
    if facts.askue_documents:
        return ItemFinding(code, Finding.COMPLIES, "the ASKUE / load-shedding / telecoms document is on file "
                           "(001 App.11 I(4))", evidence)
    return ItemFinding(code, Finding.NOT_KNOWN, "no ASKUE document in the licence file: checked on site", evidence)


def miner_findings(facts: MinerFacts) -> list[ItemFinding]:
    """The system's finding on each of the 8 items of the miner checklist."""
    return [
        _licence(facts),
        _pool(ChecklistItemCode.M2_ACCREDITED_POOL, facts),
        _units(facts),
        _residential(facts),
        _grid(facts),
        _placement(facts),
        _pool_with_dc(facts),
        _askue(facts),
    ]


_POOL_ITEM: Mapping[PoolCondition, ChecklistItemCode] = {
    PoolCondition.SERVERS_IN_KAZAKHSTAN: ChecklistItemCode.P1_SERVERS_IN_KAZAKHSTAN,
    PoolCondition.INFOSEC_TEST_PASSED: ChecklistItemCode.P2_INFOSEC_TEST,
    PoolCondition.BACKUP_IN_ANOTHER_SETTLEMENT: ChecklistItemCode.P3_BACKUP_ELSEWHERE,
    PoolCondition.TWO_PROVIDERS_PER_COMPLEX: ChecklistItemCode.P4_TWO_PROVIDERS,
    PoolCondition.SUPPORT_24_7: ChecklistItemCode.P5_SUPPORT_24_7,
    PoolCondition.UI_IN_THREE_LANGUAGES: ChecklistItemCode.P6_THREE_LANGUAGES,
    PoolCondition.STATE_PD_SERVICE_INTEGRATED: ChecklistItemCode.P7_STATE_PD_SERVICE,
}
_FROM_CONDITION: Mapping[ConditionStatus, Finding] = {
    ConditionStatus.MET: Finding.COMPLIES,
    ConditionStatus.NOT_MET: Finding.DOES_NOT_COMPLY,
    ConditionStatus.NOT_SHOWN: Finding.NOT_KNOWN,
}
def monthly_reports_finding(owed: Sequence[date], first_filed: Mapping[date, date]) -> ItemFinding:
    """003 pool item 8: every month owed (accredited that month, its term passed) has its report,
    filed by the 25th of the next month. `first_filed`: month -> the day its first version was
    filed."""
    code = ChecklistItemCode.P8_MONTHLY_REPORTS
    missing = [m for m in owed if m not in first_filed]
    late = [m for m in owed if m in first_filed and income_reports.is_late(m, first_filed[m])]
    evidence = {"monthsOwed": [m.isoformat()[:7] for m in owed], "missing": [m.isoformat()[:7] for m in missing],
                "late": [m.isoformat()[:7] for m in late]}
    if not owed:
        return ItemFinding(code, Finding.NOT_APPLICABLE, "no month owes a report yet", evidence)
    if missing or late:
        parts = ([f"missing: {', '.join(evidence['missing'])}"] if missing else []) + \
            ([f"filed late: {', '.join(evidence['late'])}"] if late else [])
        return ItemFinding(code, Finding.DOES_NOT_COMPLY, "; ".join(parts), evidence)
    return ItemFinding(code, Finding.COMPLIES, f"{len(owed)} monthly report(s), each by the 25th", evidence)


def pool_findings(conditions: Iterable[ConditionResult] | None, application_id: int | None,
                  reports: ItemFinding) -> list[ItemFinding]:
    """Items 1-7 from the 004 §4 conditions judged on the pool's accreditation application data
    (rules.pools.assess_conditions); item 8 from the monthly income reports (`reports`)."""
    by_condition = {r.condition: r for r in conditions or ()}
    found = []
    for condition, code in _POOL_ITEM.items():
        result = by_condition.get(condition)
        evidence = {"applicationId": application_id, "condition": condition.value,
                    "status": None if result is None else result.status.value}
        if result is None:
            found.append(ItemFinding(code, Finding.NOT_KNOWN, "no accreditation application data", evidence))
        else:
            found.append(ItemFinding(code, _FROM_CONDITION[result.status], result.reason, evidence))
    found.append(reports)
    return found


def remedied_late(remedied_on: date, due_on: date | None) -> bool | None:
    """Remedied after the last working day of its term (None when no term was set)."""
    return None if due_on is None else remedied_on > due_on


def needs_comment(system: Finding | str | None, inspector: Finding | str) -> bool:
    """An inspector's finding that overrides the system's own (a known one) needs a comment."""
    if system is None or Finding(system) is Finding.NOT_KNOWN:
        return False
    return Finding(system) is not Finding(inspector)


class Unregistered(str, Enum):
    """Why a serial seen on site is not one of the subject's registered units in this DC."""

    NOT_IN_REGISTRY = "NOT_IN_REGISTRY"
    ANOTHER_MINER = "ANOTHER_MINER"
    EXCLUDED = "EXCLUDED"
    ANOTHER_DATA_CENTER = "ANOTHER_DATA_CENTER"  # the miner's, registered in another of its DCs


# Only these make item 3 fail: a unit in use that is not in the registry for this miner.
NOT_REGISTERED = frozenset({Unregistered.NOT_IN_REGISTRY, Unregistered.ANOTHER_MINER, Unregistered.EXCLUDED})


class UnitRow(NamedTuple):
    """A registry row as the lookup returns it (a tuple: 50,000 of them are built per request)."""

    serial_key: str
    serial: str | None  # needed only for the units of the DC not seen (None for a seen key's row)
    miner_id: int
    data_center_id: int
    in_registry: bool  # IN_REGISTRY (not EXCLUDED)


@dataclass(frozen=True)
class Reconciled:
    matched: list[str]
    unregistered: list[tuple[str, Unregistered]]
    not_seen: list[str]

    @property
    def not_registered(self) -> int:
        return sum(1 for _, why in self.unregistered if why in NOT_REGISTERED)


def reconcile(seen: Iterable[tuple[str, str]], rows: Iterable[UnitRow], miner_id: int, data_center_id: int) -> Reconciled:
    """The three lists for one data center: `seen` is (serial as seen, normalize_serial of it),
    `rows` every registry row whose key was seen plus the miner's units registered in this DC
    (a row may come twice: grouped by key here)."""
    by_key: dict[str, list[UnitRow]] = {}
    for row in rows:
        group = by_key.get(row.serial_key)
        if group is None:
            by_key[row.serial_key] = [row]
        else:
            group.append(row)
    matched: list[str] = []
    unregistered: list[tuple[str, Unregistered]] = []
    seen_keys: set[str] = set()
    for serial, key in seen:
        if key in seen_keys:
            continue
        seen_keys.add(key)
        candidates = by_key.get(key)
        if not candidates:
            unregistered.append((serial, Unregistered.NOT_IN_REGISTRY))
            continue
        why: Unregistered | None = Unregistered.EXCLUDED  # unless a live row says better
        for r in candidates:
            if not r.in_registry:
                continue
            if r.miner_id != miner_id:
                if why is not Unregistered.ANOTHER_DATA_CENTER:
                    why = Unregistered.ANOTHER_MINER
            elif r.data_center_id == data_center_id:
                why = None  # registered here: matched
                break
            else:
                why = Unregistered.ANOTHER_DATA_CENTER
        if why is None:
            matched.append(serial)
        else:
            unregistered.append((serial, why))
    not_seen = sorted(
        {r.serial for group in by_key.values() for r in group
         if r.in_registry and r.miner_id == miner_id and r.data_center_id == data_center_id
         and r.serial_key not in seen_keys and r.serial is not None}
    )
    return Reconciled(matched, unregistered, not_seen)
