"""Terms of a digital mining pool's accreditation (004).

004 §3: a pool is accredited for one year; the certificate (App.3) "составляет один год со
дня выдачи": valid through the same month and day of the next year (`rules.calendar.term_end`,
the one rule for terms in years and months).
"""

from __future__ import annotations

from datetime import date

from rules.calendar import term_end

__all__ = ["CERTIFICATE_YEARS", "certificate_valid_until"]

CERTIFICATE_YEARS = 1  # 004 §3, App.3


def certificate_valid_until(issued_on: date) -> date:
    """The certificate's last valid day, inclusive: 2024-02-29 -> 2025-02-28."""
    return term_end(issued_on, years=CERTIFICATE_YEARS)
