"""The system's findings on the 003 miner checklist (rules/inspections.py), item by item, and the
serial reconciliation's three lists."""

from datetime import date
from decimal import Decimal

import pytest

from rules.checklists import ChecklistItemCode as C
from rules.inspections import (
    DataCenterSnapshot,
    Finding,
    LicenseFacts,
    MinerFacts,
    ReconciliationSummary,
    UnitRow,
    Unregistered,
    miner_findings,
    needs_comment,
    reconcile,
)
from rules.qualification import DataCenterFacts

ON = date(2025, 3, 19)


def _dc(pk=1, *, own=True, kv="110", mw="5", connected=date(2024, 1, 1), source="GRID", outside=True):
    return DataCenterSnapshot(pk, f"DC {pk}", own, DataCenterFacts(
        substation_kv=None if kv is None else Decimal(kv), permitted_mw=None if mw is None else Decimal(mw),
        connected_on=connected, power_source=source, outside_residential=outside))


def _facts(**over):
    data = dict(on=ON, licenses=(LicenseFacts("L-1", "ACTIVE", date(2024, 1, 1), date(2027, 1, 1)),), pool_id=7,
                pool_accredited=True, units_in_registry=3, data_centers=(_dc(),), reconciliations=(),
                askue_documents=({"title": "ASKUE"},))
    data.update(over)
    return MinerFacts(**data)


def _finding(code, **over):
    return next(f for f in miner_findings(_facts(**over)) if f.code is code).finding


@pytest.mark.parametrize(("licence", "expected"), [
    (LicenseFacts("L", "ACTIVE", date(2024, 1, 1), ON), Finding.COMPLIES),  # its last valid day
    (LicenseFacts("L", "ACTIVE", date(2024, 1, 1), date(2025, 3, 18)), Finding.DOES_NOT_COMPLY),  # expired
    (LicenseFacts("L", "SUSPENDED", date(2024, 1, 1), date(2027, 1, 1)), Finding.DOES_NOT_COMPLY),
    (LicenseFacts("L", "ACTIVE", date(2025, 3, 20), date(2028, 3, 20)), Finding.DOES_NOT_COMPLY),  # not yet
])
def test_003_miner_item_1_licence_active_and_valid_on_the_day(licence, expected):
    assert _finding(C.M1_LICENSE, licenses=(licence,)) is expected
    assert _finding(C.M1_LICENSE, licenses=()) is Finding.DOES_NOT_COMPLY


def test_003_miner_items_2_and_7_pool_accredited_on_the_day_and_a_data_center():
    assert _finding(C.M2_ACCREDITED_POOL, pool_accredited=False) is Finding.DOES_NOT_COMPLY
    assert _finding(C.M2_ACCREDITED_POOL, pool_id=None, pool_accredited=False) is Finding.DOES_NOT_COMPLY
    assert _finding(C.M7_POOL_WITH_DC) is Finding.COMPLIES
    assert _finding(C.M7_POOL_WITH_DC, data_centers=()) is Finding.DOES_NOT_COMPLY


def test_003_miner_item_3_from_the_reconciliations():
    assert _finding(C.M3_UNITS_IN_REGISTRY) is Finding.NOT_KNOWN
    clean = ReconciliationSummary(1, seen=3, matched=3, unregistered=0, not_seen=0)
    assert _finding(C.M3_UNITS_IN_REGISTRY, reconciliations=(clean,)) is Finding.COMPLIES
    dirty = ReconciliationSummary(1, seen=4, matched=3, unregistered=1, not_seen=0)
    assert _finding(C.M3_UNITS_IN_REGISTRY, reconciliations=(clean, dirty)) is Finding.DOES_NOT_COMPLY


def test_003_miner_item_4_every_data_center_outside_residential_zones():
    assert _finding(C.M4_DC_OUTSIDE_RESIDENTIAL, data_centers=(_dc(), _dc(2, outside=False))) is Finding.DOES_NOT_COMPLY


@pytest.mark.parametrize(("dc", "expected"), [
    (_dc(kv="35", mw="1"), Finding.COMPLIES),  # the thresholds themselves
    (_dc(kv="10"), Finding.DOES_NOT_COMPLY),  # connected after 2023-04-01 at 10 kV
    (_dc(mw="0.5"), Finding.DOES_NOT_COMPLY),
    (_dc(kv="10", mw="0.5", connected=date(2023, 3, 31)), Finding.COMPLIES),  # connected before 2023-04-01
    (_dc(kv="10", connected=date(2023, 4, 1)), Finding.DOES_NOT_COMPLY),  # on the cut-off day: thresholds
    (_dc(kv=None, mw=None, source="OFF_GRID"), Finding.NOT_APPLICABLE),  # 001 App.11 note *
    (_dc(kv=None), Finding.NOT_KNOWN),  # no voltage in the registry
])
def test_003_miner_item_5_grid_rule_35kv_1mw_or_before_2023_04_01_off_grid_exempt(dc, expected):
    assert _finding(C.M5_GRID_CONDITIONS, data_centers=(dc,)) is expected


def test_003_miner_item_5_one_failing_data_center_fails_the_item():
    dcs = (_dc(1, source="OFF_GRID"), _dc(2, kv="10"))
    assert _finding(C.M5_GRID_CONDITIONS, data_centers=dcs) is Finding.DOES_NOT_COMPLY


def test_003_miner_items_6_and_8():
    assert _finding(C.M6_PLACEMENT_CONTRACT) is Finding.NOT_APPLICABLE  # its own DC
    assert _finding(C.M6_PLACEMENT_CONTRACT, data_centers=(_dc(own=False),)) is Finding.NOT_KNOWN  # a host's
    assert _finding(C.M8_ASKUE) is Finding.COMPLIES
    assert _finding(C.M8_ASKUE, askue_documents=()) is Finding.NOT_KNOWN


def test_an_override_of_a_known_system_finding_needs_a_comment():
    assert needs_comment(Finding.COMPLIES, Finding.DOES_NOT_COMPLY)
    assert not needs_comment(Finding.COMPLIES, Finding.COMPLIES)
    assert not needs_comment(Finding.NOT_KNOWN, Finding.DOES_NOT_COMPLY)  # nothing to override


def test_reconciliation_three_lists_with_normalised_keys():
    rows = [UnitRow("a1", "A1", 1, 10, True), UnitRow("a2", "A2", 1, 10, True), UnitRow("a3", "A 3", 1, 11, True),
            UnitRow("b1", "B1", 2, 20, True), UnitRow("x1", "X1", 1, 10, False)]
    result = reconcile([("a1", "a1"), ("A1", "a1"), ("A3", "a3"), ("B1", "b1"), ("X1", "x1"), ("N1", "n1")],
                       rows, miner_id=1, data_center_id=10)
    assert result.matched == ["a1"] and result.not_seen == ["A2"]
    assert result.unregistered == [("A3", Unregistered.ANOTHER_DATA_CENTER), ("B1", Unregistered.ANOTHER_MINER),
                                   ("X1", Unregistered.EXCLUDED), ("N1", Unregistered.NOT_IN_REGISTRY)]
    assert result.not_registered == 3  # another DC of its own is not "not in the registry"



def test_003_pool_item_8_every_owed_month_reported_by_the_25th() -> None:
    from rules.inspections import monthly_reports_finding

    jan, feb = date(2025, 1, 1), date(2025, 2, 1)
    on_time = monthly_reports_finding([jan, feb], {jan: date(2025, 2, 25), feb: date(2025, 3, 1)})
    assert on_time.finding is Finding.COMPLIES
    late = monthly_reports_finding([jan, feb], {jan: date(2025, 2, 26), feb: date(2025, 3, 1)})
    assert late.finding is Finding.DOES_NOT_COMPLY and late.evidence["late"] == ["2025-01"]
    missing = monthly_reports_finding([jan, feb], {feb: date(2025, 3, 1)})
    assert missing.finding is Finding.DOES_NOT_COMPLY and missing.evidence["missing"] == ["2025-01"]
    assert monthly_reports_finding([], {}).finding is Finding.NOT_APPLICABLE
