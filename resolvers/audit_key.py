"""The audit chain's HMAC key: from settings (AUDIT_HMAC_KEY), never from the database.

Unset, development uses a fixed, public key (settings.DEV_AUDIT_KEY); in production that is
logged loudly as an error at every start, since anyone can then recompute the chain.
"""

from __future__ import annotations

import logging
from functools import cache

from settings import DEV_AUDIT_KEY, Settings

__all__ = ["audit_key", "key_of"]

log = logging.getLogger("registry.audit")


def key_of(settings: Settings) -> bytes:
    if settings.audit_key:
        return settings.audit_key.encode()
    if not settings.development:
        log.error(
            "AUDIT_HMAC_KEY IS NOT SET: the audit chain is keyed with the public development key and "
            "anyone with write access to the database can rewrite it undetected. Set AUDIT_HMAC_KEY."
        )
    return DEV_AUDIT_KEY.encode()


@cache
def audit_key() -> bytes:
    """The key of this process (read once from the environment)."""
    return key_of(Settings.from_env())
