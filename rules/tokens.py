"""Lifetimes of API tokens: when a token expires and how long a new one may live.

Every token expires. A new token lives `ttl_days` (settings TOKEN_TTL_DAYS, 90 by default)
unless its issuer asks for less; a partner system's token may be given a longer life, up to
`partner_max_days`, and only by an admin (partner systems cannot renew by hand every quarter).
Tokens issued before tokens expired have no expiry stored: they last `LEGACY_LIFETIME` from
their creation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from rules.enums import Role
from rules.errors import DomainError, ErrorCode

__all__ = ["DEFAULT_POLICY", "LEGACY_LIFETIME", "TokenPolicy", "expiry_of", "is_live"]

LEGACY_LIFETIME = timedelta(days=90)


@dataclass(frozen=True)
class TokenPolicy:
    ttl_days: int = 90
    partner_max_days: int = 730

    def lifetime(self, requested_days: int | None, *, holder: Role, by_admin: bool) -> timedelta:
        """The life of a new token; VALIDATION (field `expiresInDays`) outside what is allowed."""
        if requested_days is None:
            return timedelta(days=self.ttl_days)
        longest = self.partner_max_days if holder is Role.PARTNER and by_admin else self.ttl_days
        if not 1 <= requested_days <= longest:
            raise DomainError(ErrorCode.VALIDATION, field="expiresInDays",
                              detail=f"between 1 and {longest} days for this token")
        return timedelta(days=requested_days)


DEFAULT_POLICY = TokenPolicy()


def expiry_of(created_at: datetime, expires_at: datetime | None) -> datetime:
    return expires_at if expires_at is not None else created_at + LEGACY_LIFETIME


def is_live(now: datetime, created_at: datetime, expires_at: datetime | None, revoked_at: datetime | None) -> bool:
    """Neither revoked nor expired at `now`."""
    return revoked_at is None and now < expiry_of(created_at, expires_at)
