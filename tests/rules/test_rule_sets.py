"""Rule sets' entry into force (issue 9 item 10): one table, derived from each order's own
final clause and its publication date, dates workflow, grounds, fees and qualification."""

from datetime import date

import pytest

from rules.fees import fee_schedule
from rules.grounds import grounds_for
from rules.license_life import suspension_rule
from rules.qualification import requirements_for
from rules.rule_sets import (
    DEFAULT_PUBLICATIONS,
    DEFAULT_TABLE,
    LegalOrder,
    RuleSet,
    activate,
    build_table,
    in_force,
    in_force_from,
)
from rules.workflow import NoRulesInForce, ProcedureCode, complaint_terms, procedure_spec

O, R, P = LegalOrder, RuleSet, ProcedureCode


@pytest.fixture
def published():
    """Make a table with these publication dates the active one; the default again after."""

    def use(**dates: date):
        table = build_table({LegalOrder(k): v for k, v in dates.items()})
        activate(table)
        return table

    yield use
    activate(DEFAULT_TABLE)


def test_001_order_s4_licensing_in_force_60_calendar_days_after_first_publication():
    table = build_table({O.ORDER_169: date(2023, 5, 5)})
    # the 60 days run 6 May .. 4 July; in force from the next day
    assert in_force_from(R.LICENSING, table) == date(2023, 7, 5)
    assert not in_force(R.LICENSING, date(2023, 7, 4), table)
    assert in_force(R.LICENSING, date(2023, 7, 5), table)


def test_000_order_s4_registry_edition_in_force_10_calendar_days_after_publication():
    table = build_table({O.ORDER_331: date(2023, 8, 18)})
    assert in_force_from(R.REGISTRY, table) == date(2023, 8, 29)


def test_004_order_s4_pools_in_force_on_the_day_of_publication():
    table = build_table({O.ORDER_404: date(2023, 9, 15)})
    assert in_force_from(R.POOLS, table) == date(2023, 9, 15)


def test_001_s18_1_and_s21_editions_are_dated_separately():
    table = build_table({O.ORDER_95: date(2024, 3, 1)})
    assert in_force_from(R.LICENSE_LIFE, table) == date(2024, 2, 13)  # the footnote's own date
    assert in_force_from(R.LICENSING_S21, table) == date(2024, 3, 12)  # 95/НҚ + 10 days
    # 169/НҚ §4's exception: the fee clauses from 2024-01-01, whatever the publication
    assert in_force_from(R.LICENSING_2024, table) == date(2024, 1, 1)


def test_documented_defaults_are_the_ministry_of_justice_registration_dates():
    assert {
        O.ORDER_169: date(2023, 5, 4), O.ORDER_331: date(2023, 8, 17), O.ORDER_404: date(2023, 9, 14),
        O.ORDER_95: date(2024, 2, 27),  # registration not in the seeds: the signing date
        O.ORDER_662: date(2023, 12, 27), O.ORDER_373: date(2024, 6, 28),  # 003's joint orders: the later signature
    } == DEFAULT_PUBLICATIONS
    assert dict(DEFAULT_TABLE.starts) == {
        R.LICENSING: date(2023, 7, 4), R.LICENSING_2024: date(2024, 1, 1), R.LICENSING_S21: date(2024, 3, 9),
        R.LICENSE_LIFE: date(2024, 2, 13), R.REGISTRY: date(2023, 8, 28), R.POOLS: date(2023, 9, 14),
        R.INSPECTION_POOL: date(2024, 1, 7), R.INSPECTION_MINER: date(2024, 7, 9),
    }


def test_001_order_s4_nothing_applies_on_the_signing_date_any_more():
    # Before: the licensing rules applied from the order's date, 2023-04-28.
    with pytest.raises(NoRulesInForce):
        procedure_spec(P.LICENSE_ISSUE, date(2023, 5, 2))
    with pytest.raises(NoRulesInForce):
        requirements_for("I", date(2023, 5, 2))
    assert procedure_spec(P.LICENSE_ISSUE, date(2023, 7, 4)).effective_from == date(2023, 7, 4)


def test_one_table_dates_workflow_grounds_qualification_and_licence_life(published):
    published(ORDER_169=date(2023, 6, 1), ORDER_331=date(2023, 9, 1), ORDER_404=date(2023, 10, 2))
    # 169/НҚ published 2023-06-01: the 60 days run 2 June .. 31 July, in force 2023-08-01
    for on, ok in ((date(2023, 7, 31), False), (date(2023, 8, 1), True)):
        for lookup in (
            lambda d: procedure_spec(P.LICENSE_ISSUE, d),
            lambda d: requirements_for("II", d),
            lambda d: complaint_terms("PROVIDER", d),
        ):
            if ok:
                lookup(on)
            else:
                with pytest.raises(NoRulesInForce):
                    lookup(on)
    assert next(g.code for g in grounds_for(P.LICENSE_ISSUE, date(2023, 8, 1))) == "PROHIBITED_ACTIVITY"
    # 331/НҚ published 2023-09-01: in force 2023-09-12; 404/НҚ on 2023-10-02
    with pytest.raises(NoRulesInForce):
        procedure_spec(P.ASIC_INCLUSION, date(2023, 9, 11))
    assert procedure_spec(P.ASIC_INCLUSION, date(2023, 9, 12)).effective_from == date(2023, 9, 12)
    with pytest.raises(NoRulesInForce):
        procedure_spec(P.POOL_ACCREDITATION, date(2023, 10, 1))
    assert procedure_spec(P.POOL_ACCREDITATION, date(2023, 10, 2)).effective_from == date(2023, 10, 2)
    # the fee and §18-1 keep their fixed dates
    assert fee_schedule(date(2023, 12, 31)) is None and fee_schedule(date(2024, 1, 1)) is not None
    with pytest.raises(NoRulesInForce):
        suspension_rule(date(2024, 2, 12))
    assert suspension_rule(date(2024, 2, 13)).max_months == 6


def test_the_fee_ground_enters_with_the_2024_clause_not_before():
    codes = [g.code for g in grounds_for(P.LICENSE_ISSUE, date(2023, 12, 31))]
    assert "FEE_NOT_PAID" not in codes
    assert "FEE_NOT_PAID" in [g.code for g in grounds_for(P.LICENSE_ISSUE, date(2024, 1, 1))]
