"""Licence fees in MRP and tenge (001 App.3 item 7), as dated data.

The fee is set in monthly calculation indices (MRP); the tenge value of one MRP is fixed each
year by the budget law, so the database keeps one editable row per year and passes the rows in
as a mapping. The amount due is MRP x the rate of the year of payment. Registry and pool
services are free (002 App.5 item 6, 004 App.2 item 6).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from rules.errors import DomainError
from rules.problems import Problem
from rules.rule_sets import Dated, RuleSet
from rules.workflow import LicenseSubtype, ProcedureCode

__all__ = [
    "DEFAULT_MRP",
    "FEE_SCHEDULES",
    "FeeQuote",
    "FeeSchedule",
    "MissingMrp",
    "fee_mrp",
    "fee_schedule",
    "fee_tenge",
    "payment_problems",
    "quote_fee",
]

# Tenge per MRP by year [outside the seeds: the yearly budget laws]. Defaults for a fresh
# database; the admin-edited rows win.
DEFAULT_MRP: Mapping[int, Decimal] = {
    2023: Decimal(3450),
    2024: Decimal(3692),
    2025: Decimal(3932),
    2026: Decimal(4325),
}

_TIYN = Decimal("0.01")


@dataclass(frozen=True)
class FeeSchedule(Dated):
    in_force_with: RuleSet | date  # `effective_from`: its in-force date (rules.rule_sets)
    issue_mrp_i: Decimal  # issuing a subtype-I licence (App.3 item 7.1)
    issue_mrp_ii: Decimal  # issuing a subtype-II licence (App.3 item 7.2)
    reissue_share: Decimal  # re-issue as a share of the issuance rate (App.3 item 7.3)


# 001 order §4: App.3 item 7 applies from 2024-01-01; applications registered before pay
# nothing (no schedule in force).
FEE_SCHEDULES: tuple[FeeSchedule, ...] = (
    FeeSchedule(
        in_force_with=RuleSet.LICENSING_2024,
        issue_mrp_i=Decimal(2000),
        issue_mrp_ii=Decimal(5),
        reissue_share=Decimal("0.10"),
    ),
)


class MissingMrp(DomainError, LookupError):
    """No tenge value of the MRP for the year of payment."""

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__("MISSING_MRP", detail=f"no MRP value for {year}", year=year)


def fee_schedule(registered_on: date) -> FeeSchedule | None:
    """The fee schedule in force on the registration date, or None before any fee applied."""
    in_force = [s for s in FEE_SCHEDULES if s.effective_from <= registered_on]
    return max(in_force, key=lambda s: s.effective_from) if in_force else None


def fee_mrp(
    procedure: ProcedureCode, subtype: LicenseSubtype | str | None, registered_on: date
) -> Decimal:
    """The fee in MRP for an application registered on ``registered_on``.

    ``subtype`` ('I' or 'II') is required for licence issue and re-issue, ignored otherwise.
    """
    procedure = ProcedureCode(procedure)
    if procedure not in (ProcedureCode.LICENSE_ISSUE, ProcedureCode.LICENSE_REISSUE):
        return Decimal(0).quantize(_TIYN)
    if subtype is None:
        raise ValueError(f"{procedure.value} needs the licence subtype ('I' or 'II')")
    kind = LicenseSubtype(subtype)  # ValueError for anything but 'I' / 'II'
    schedule = fee_schedule(registered_on)
    if schedule is None:
        return Decimal(0).quantize(_TIYN)
    issue = schedule.issue_mrp_i if kind is LicenseSubtype.I else schedule.issue_mrp_ii
    if procedure is ProcedureCode.LICENSE_REISSUE:
        return issue * schedule.reissue_share
    return issue


def fee_tenge(
    procedure: ProcedureCode,
    subtype: LicenseSubtype | str | None,
    registered_on: date,
    mrp_by_year: Mapping[int, Decimal | int],
    payment_year: int | None = None,
) -> Decimal:
    """The fee in tenge: MRP x the rate of the payment year (default: registration year).

    Rounded to the tiyn. A free service needs no MRP value, so it never raises MissingMrp.
    """
    mrp = fee_mrp(procedure, subtype, registered_on)
    if not mrp:
        return Decimal(0).quantize(_TIYN)
    year = registered_on.year if payment_year is None else payment_year
    if year not in mrp_by_year:
        raise MissingMrp(year)
    rate = mrp_by_year[year]
    # str() keeps a float row exact to what was typed instead of its binary expansion.
    rate = rate if isinstance(rate, Decimal) else Decimal(str(rate))
    return (mrp * rate).quantize(_TIYN, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class FeeQuote:
    """What a fee comes to: MRP count, the year whose MRP rate is used, the rate and the tenge
    amount; the amount (and rate) are None when that year's MRP value is not recorded."""

    procedure: ProcedureCode
    subtype: LicenseSubtype | None
    registered_on: date  # the date whose rules apply (the fee schedule in force)
    mrp: Decimal
    year: int  # the year of payment, whose MRP rate is used
    rate: Decimal | None  # tenge per MRP in that year
    tenge: Decimal | None
    missing: MissingMrp | None = None  # why `tenge` is None


def quote_fee(
    procedure: ProcedureCode,
    subtype: LicenseSubtype | str | None,
    registered_on: date,
    mrp_by_year: Mapping[int, Decimal | int],
    payment_year: int | None = None,
) -> FeeQuote:
    """The fee of an application registered on ``registered_on`` and paid in ``payment_year``
    (default: the registration year), never raising for a missing MRP value: the quote says so."""
    mrp = fee_mrp(procedure, subtype, registered_on)
    year = registered_on.year if payment_year is None else payment_year
    kind = None if subtype is None else LicenseSubtype(subtype)
    raw = mrp_by_year.get(year)
    rate = None if raw is None else (raw if isinstance(raw, Decimal) else Decimal(str(raw)))
    try:
        tenge = fee_tenge(procedure, subtype, registered_on, mrp_by_year, year)
    except MissingMrp as missing:
        return FeeQuote(ProcedureCode(procedure), kind, registered_on, mrp, year, None, None, missing)
    return FeeQuote(ProcedureCode(procedure), kind, registered_on, mrp, year, rate, tenge)


def payment_problems(quote: FeeQuote, paid: Decimal | None) -> list[Problem]:
    """An underpayment is a gap in the package (001 App.3 item 9.3: the payment data is one of
    its documents): the recorded amount against the fee due in tenge, at the MRP of the payment
    year. No payment recorded is not judged here: approval needs it (FEE_NOT_PAID), and App.3
    item 10(2) makes it a refusal ground. Nothing to judge while the MRP of the year is unknown."""
    if paid is None or quote.tenge is None or paid >= quote.tenge:
        return []
    return [
        Problem(
            "FEE_UNDERPAID",
            "payment.amount",
            f"paid {paid} KZT of {quote.tenge} KZT due ({quote.mrp} MRP at {quote.rate} KZT, {quote.year})",
        )
    ]
