"""003 pool checklist item 8 as plain rules: the 25th of the following month (a calendar date),
the months a pool owes a report, the lines and the file's columns."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from rules.errors import DomainError
from rules.income_reports import (
    REPORTS_FROM,
    IncomeLine,
    IncomeWarningCode,
    accredited_in_month,
    check_lines,
    due_on,
    is_late,
    lines_from_rows,
    month_of,
    months_owed,
    overdue_from,
    warnings,
)
from rules.pools import CertificatePeriod
from rules.unit_list import UnitListError
from tests.factories import new_bin, new_iin

MARCH = date(2025, 3, 1)


def test_003_item8_due_on_the_25th_of_the_following_month_calendar_not_working_days():
    assert due_on(MARCH) == date(2025, 4, 25)
    assert due_on(date(2025, 12, 1)) == date(2026, 1, 25)  # across the year
    # 2025-05-25 is a Sunday: no shift to the next working day.
    assert due_on(date(2025, 4, 1)) == date(2025, 5, 25)
    assert overdue_from(MARCH) == date(2025, 4, 26)
    assert not is_late(MARCH, date(2025, 4, 25)) and is_late(MARCH, date(2025, 4, 26))


def test_003_item8_a_month_owes_a_report_when_the_pool_was_accredited_on_any_day_of_it():
    from_the_31st = [CertificatePeriod(date(2025, 3, 31), date(2026, 3, 31), None)]
    until_the_1st = [CertificatePeriod(date(2024, 3, 1), date(2025, 3, 1), None)]
    replaced_before = [CertificatePeriod(date(2024, 1, 1), date(2025, 12, 31), date(2025, 3, 1))]
    assert accredited_in_month(from_the_31st, MARCH) and accredited_in_month(until_the_1st, MARCH)
    assert not accredited_in_month(replaced_before, MARCH)
    assert not accredited_in_month([CertificatePeriod(date(2025, 4, 1), date(2026, 4, 1), None)], MARCH)


def test_003_item8_months_owed_are_those_past_the_25th_and_not_before_the_register():
    always = [CertificatePeriod(date(2020, 1, 1), date(2099, 12, 31), None)]
    assert months_owed(always, date(2025, 4, 25))[-1] == date(2025, 2, 1)  # March not yet
    assert months_owed(always, date(2025, 4, 26))[-1] == MARCH
    assert min(months_owed(always, date(2025, 4, 26), back=60)) == REPORTS_FROM
    assert len(months_owed(always, date(2025, 4, 26), back=3)) == 3  # a bounded catch-up


def test_003_item8_lines_are_checked_exactly():
    good = new_bin()
    [clean] = check_lines([IncomeLine(f" {good} ", "ТОО", " btc ", Decimal("0.000000000000000001"))])
    assert (clean.bin_iin, clean.asset_code, clean.quantity) == (good, "BTC", Decimal("1E-18"))
    for bad, path in (
        (IncomeLine("123", "A", "BTC", Decimal(1)), "lines[0].binIin"),
        (IncomeLine(good, "A", "BTC", Decimal(0)), "lines[0].quantity"),
        (IncomeLine(good, "A", "BTC", Decimal("1E-19")), "lines[0].quantity"),
        (IncomeLine(good, "A", "BTC", Decimal("1E+20")), "lines[0].quantity"),
        (IncomeLine(good, "A", "₿", Decimal(1)), "lines[0].assetCode"),
        (IncomeLine(good, "", "BTC", Decimal(1)), "lines[0].minerName"),
    ):
        with pytest.raises(DomainError) as caught:
            check_lines([bad])
        assert caught.value.field == path
    with pytest.raises(DomainError):
        check_lines([IncomeLine(good, "A", "BTC", Decimal(1)), IncomeLine(good, "A", "btc", Decimal(2))])


def test_003_item8_the_file_header_in_kazakh_and_rows_named_by_the_spreadsheet_row():
    a, b = new_bin(), new_iin()
    rows = [(1, ["Наурыз 2025"]), (2, ["Саны", "БСН/ЖСН", "Цифрлық актив", "Атауы"]),
            (3, ["1,5", a, "BTC", "ЖШС А"]), (4, [None, None, None, None]), (5, [2, int(b), "eth", "ЖК Б"])]
    lines = lines_from_rows(iter(rows))
    assert [(ln.bin_iin, ln.asset_code, ln.quantity) for ln in lines] == [(a, "BTC", Decimal("1.5")),
                                                                           (b, "ETH", Decimal(2))]
    with pytest.raises(DomainError) as caught:
        lines_from_rows(iter([(1, ["BIN", "Name", "Asset", "Quantity"]), (2, [a, "A", "BTC", 1]),
                              (7, ["12", "B", "BTC", 1])]))
    assert caught.value.field == "file" and caught.value.detail.startswith("row 7 binIin")
    with pytest.raises(UnitListError):
        lines_from_rows(iter([(1, ["BIN", "Name"]), (2, [a, "A"])]))


def test_003_item8_warnings_name_unregistered_and_unlicensed_miners():
    a, b, c = new_bin(), new_bin(), new_iin()
    lines = [IncomeLine(x, "n", "BTC", Decimal(1)) for x in (a, b, c)]
    assert [(w.line, w.code) for w in warnings(lines, registered={a, b}, licensed={a})] == [
        (2, IncomeWarningCode.NO_ACTIVE_LICENSE), (3, IncomeWarningCode.NOT_IN_REGISTRY)]


def test_003_item8_month_must_exist():
    with pytest.raises(DomainError):
        month_of(2025, 13)
    with pytest.raises(DomainError):
        month_of(99999, 1)
