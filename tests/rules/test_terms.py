"""Terms in years and months (issue 9 item 6): one rule, `rules.calendar.term_end`, for the
licence's validity (001 App.4-7 "срок действия", Law on digital assets art. 9: three years),
suspensions (001 §18-1: 1 to 6 months) and the pool certificate (004 §3, App.3: one year).
A term in years or months ends on the same day of its last year or month, or on that month's
last day when the day does not exist (Civil Code; Law on administrative procedures art. 12-1)."""

from datetime import date

import pytest

from rules.calendar import term_end
from rules.errors import DomainError
from rules.license_life import check_suspension
from rules.licensing import validity_until
from rules.pools import certificate_valid_until


@pytest.mark.parametrize(
    ("issued_on", "through"),
    [
        (date(2025, 3, 26), date(2028, 3, 26)),  # the issue's example (was 2028-03-25)
        (date(2024, 2, 29), date(2027, 2, 28)),  # no 29 February in 2027: its last day
        (date(2025, 2, 28), date(2028, 2, 28)),  # 2028 is a leap year: still the 28th
        (date(2025, 12, 31), date(2028, 12, 31)),
        (date(2025, 1, 1), date(2028, 1, 1)),
    ],
)
def test_001_app4_licence_valid_through_the_same_date_three_years_later(issued_on, through):
    assert validity_until(issued_on) == through


@pytest.mark.parametrize(
    ("issued_on", "through"),
    [
        (date(2024, 2, 29), date(2025, 2, 28)),
        (date(2023, 9, 14), date(2024, 9, 14)),
        (date(2023, 2, 28), date(2024, 2, 28)),  # not moved to the leap day
        (date(2024, 12, 31), date(2025, 12, 31)),
    ],
)
def test_004_s3_pool_certificate_valid_one_year_from_issue(issued_on, through):
    assert certificate_valid_until(issued_on) == through


@pytest.mark.parametrize(
    ("start", "years", "months", "end"),
    [
        (date(2025, 1, 31), 0, 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 0, 1, date(2024, 2, 29)),
        (date(2025, 3, 31), 0, 1, date(2025, 4, 30)),
        (date(2025, 8, 31), 0, 6, date(2026, 2, 28)),
        (date(2025, 11, 30), 0, 3, date(2026, 2, 28)),
        (date(2027, 11, 30), 0, 3, date(2028, 2, 29)),
        (date(2024, 2, 29), 1, 0, date(2025, 2, 28)),
        (date(2024, 2, 29), 4, 0, date(2028, 2, 29)),
        (date(2024, 2, 29), 1, 1, date(2025, 3, 29)),
        (date(2025, 5, 10), 0, 0, date(2025, 5, 10)),
    ],
)
def test_term_in_years_and_months_ends_on_the_same_day_or_the_months_last_day(start, years, months, end):
    assert term_end(start, years=years, months=months) == end


def test_001_s18_1_one_month_suspension_from_31_january_ends_28_february():
    check_suspension(date(2025, 1, 31), date(2025, 2, 28))  # exactly one month
    with pytest.raises(DomainError) as err:
        check_suspension(date(2025, 1, 31), date(2025, 2, 27))  # short of a month
    assert err.value.code == "SUSPENSION_TERM" and err.value.params["earliest"] == "2025-02-28"


@pytest.mark.parametrize(("years", "months"), [(-1, 0), (0, -1), (True, 0), (1.5, 0)])
def test_a_negative_or_non_integer_term_is_a_validation_error(years, months):
    with pytest.raises(DomainError) as err:
        term_end(date(2025, 1, 1), years=years, months=months)
    assert err.value.code == "VALIDATION"


def test_a_term_ending_past_the_calendars_last_year_is_a_validation_error():
    with pytest.raises(DomainError) as err:
        term_end(date(2100, 6, 1), years=1)
    assert err.value.code == "VALIDATION"
