"""Licence fees (001 App.3 item 7; in force from 2024-01-01 by order §4)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from rules.fees import DEFAULT_MRP, MissingMrp, fee_mrp, fee_tenge, quote_fee
from rules.workflow import ProcedureCode

P = ProcedureCode


@pytest.mark.parametrize(
    ("procedure", "subtype", "registered_on", "mrp"),
    [
        (P.LICENSE_ISSUE, "I", date(2024, 1, 1), Decimal(2000)),  # first day of the fee
        (P.LICENSE_ISSUE, "II", date(2025, 6, 10), Decimal(5)),
        (P.LICENSE_REISSUE, "I", date(2025, 6, 10), Decimal(200)),  # 10 % of 2000
        (P.LICENSE_REISSUE, "II", date(2026, 2, 2), Decimal("0.5")),  # 10 % of 5
        (P.LICENSE_ISSUE, "I", date(2023, 12, 31), Decimal(0)),  # before 2024: no fee
        (P.LICENSE_REISSUE, "II", date(2023, 7, 1), Decimal(0)),
        (P.ASIC_INCLUSION, None, date(2025, 6, 10), Decimal(0)),  # 002 App.5 item 6: free
        (P.ASIC_EXCLUSION, None, date(2025, 6, 10), Decimal(0)),
        (P.POOL_ACCREDITATION, None, date(2025, 6, 10), Decimal(0)),  # 004 App.2 item 6
        (P.POOL_REISSUE, None, date(2025, 6, 10), Decimal(0)),
    ],
)
def test_fee_mrp(
    procedure: ProcedureCode, subtype: str | None, registered_on: date, mrp: Decimal
) -> None:
    assert fee_mrp(procedure, subtype, registered_on) == mrp


@pytest.mark.parametrize(
    ("procedure", "subtype", "registered_on", "payment_year", "tenge"),
    [
        # 2000 MRP x 3,932 (2025) = 7,864,000
        (P.LICENSE_ISSUE, "I", date(2025, 6, 10), None, Decimal(7864000)),
        # 10 % of 5 MRP = 0.5 MRP x 4,325 (2026) = 2,162.50
        (P.LICENSE_REISSUE, "II", date(2026, 2, 2), None, Decimal("2162.50")),
        # registered in 2023: the fee did not apply yet
        (P.LICENSE_ISSUE, "I", date(2023, 11, 15), None, Decimal(0)),
        # 5 MRP x 3,692 (2024) = 18,460
        (P.LICENSE_ISSUE, "II", date(2024, 3, 1), None, Decimal(18460)),
        # registered late in 2025, paid in 2026: the payment year's MRP, 5 x 4,325 = 21,625
        (P.LICENSE_ISSUE, "II", date(2025, 12, 30), 2026, Decimal(21625)),
        # 200 MRP x 3,692 (2024) = 738,400
        (P.LICENSE_REISSUE, "I", date(2024, 12, 20), None, Decimal(738400)),
    ],
)
def test_fee_tenge(
    procedure: ProcedureCode,
    subtype: str,
    registered_on: date,
    payment_year: int | None,
    tenge: Decimal,
) -> None:
    got = fee_tenge(procedure, subtype, registered_on, DEFAULT_MRP, payment_year)
    assert isinstance(got, Decimal)
    assert got == tenge


def test_mrp_rows_may_be_plain_ints() -> None:
    assert fee_tenge(P.LICENSE_ISSUE, "I", date(2025, 1, 6), {2025: 3932}) == Decimal(7_864_000)


@pytest.mark.parametrize(
    ("registered_on", "payment_year", "rates"),
    [
        (date(2027, 1, 5), None, DEFAULT_MRP),  # registration year has no row yet
        (date(2025, 6, 10), 2022, DEFAULT_MRP),  # payment year has no row
        (date(2025, 6, 10), None, {2024: Decimal(3692)}),
    ],
)
def test_missing_mrp(
    registered_on: date, payment_year: int | None, rates: dict[int, Decimal]
) -> None:
    with pytest.raises(MissingMrp) as err:
        fee_tenge(P.LICENSE_ISSUE, "I", registered_on, rates, payment_year)
    assert isinstance(err.value, LookupError)
    assert err.value.code == "MISSING_MRP"
    assert err.value.year == (payment_year or registered_on.year)


def test_free_service_needs_no_mrp_row() -> None:
    assert fee_tenge(P.ASIC_INCLUSION, None, date(2030, 1, 3), {}) == 0
    assert fee_tenge(P.LICENSE_ISSUE, "I", date(2023, 6, 1), {}) == 0


@pytest.mark.parametrize("subtype", ["III", "i", "", None])
def test_licence_fee_needs_a_valid_subtype(subtype: str | None) -> None:
    with pytest.raises(ValueError):
        fee_mrp(P.LICENSE_ISSUE, subtype, date(2025, 6, 10))


@pytest.mark.parametrize(
    ("procedure", "subtype", "registered_on", "paid_in", "mrp", "year", "rate", "tenge"),
    [
        (P.LICENSE_ISSUE, "I", date(2025, 6, 2), None, "2000", 2025, "3932", "7864000.00"),
        # registered in 2025, paid in 2026: the 2026 MRP value prices it
        (P.LICENSE_ISSUE, "II", date(2025, 12, 30), 2026, "5", 2026, "4325", "21625.00"),
        (P.LICENSE_REISSUE, "I", date(2024, 2, 1), None, "200.00", 2024, "3692", "738400.00"),
        (P.LICENSE_ISSUE, "I", date(2023, 11, 1), None, "0.00", 2023, "3450", "0.00"),  # before the fee
        (P.ASIC_INCLUSION, None, date(2025, 6, 2), None, "0.00", 2025, "3932", "0.00"),  # a free service
    ],
)
def test_quote_fee(procedure, subtype, registered_on, paid_in, mrp, year, rate, tenge) -> None:
    quote = quote_fee(procedure, subtype, registered_on, DEFAULT_MRP, paid_in)
    assert (quote.mrp, quote.year, quote.rate, quote.tenge, quote.missing) == (
        Decimal(mrp), year, Decimal(rate), Decimal(tenge), None
    )


def test_quote_fee_says_why_there_is_no_amount() -> None:
    quote = quote_fee(P.LICENSE_ISSUE, "I", date(2031, 3, 2), DEFAULT_MRP)
    assert (quote.mrp, quote.year, quote.rate, quote.tenge) == (Decimal(2000), 2031, None, None)
    assert quote.missing is not None and quote.missing.year == 2031
    assert quote.missing.message("en") == "The MRP value for 2031 is not recorded."
