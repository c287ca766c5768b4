"""Webhooks as plain rules: Standard Webhooks signing (https://www.standardwebhooks.com), the retry
schedule, and which endpoint URLs and addresses may be called (SSRF).

Signing: `webhook-signature: v1,<base64 HMAC-SHA256(key, "<webhook-id>.<webhook-timestamp>.<body>")>`,
the key being the base64 part of the endpoint's secret `whsec_<base64>`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from urllib.parse import urlsplit


class DeliveryStatus(str, Enum):
    PENDING = "PENDING"  # waiting for its next attempt
    DELIVERED = "DELIVERED"  # the endpoint answered 2xx
    DEAD = "DEAD"  # the retry schedule ran out: in the dead-letter list until redelivered


SECRET_PREFIX = "whsec_"
URL_MAX = 2000
# The spec's schedule: after the first attempt fails, retry after 5 s, 5 min, 30 min, 2 h, 5 h,
# 10 h, 10 h (about 28 hours), then the delivery is dead (the dead-letter list).
DEFAULT_SCHEDULE: tuple[float, ...] = (5, 300, 1800, 7200, 18000, 36000, 36000)


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` header's value for one message."""
    content = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def verify(secret: str, msg_id: str, timestamp: int, body: bytes, header: str, *, now: int,
           tolerance: int = 300) -> bool:
    """What a receiver does: a fresh timestamp and one matching `v1` signature in the header."""
    if abs(now - timestamp) > tolerance:
        return False
    expected = sign(secret, msg_id, timestamp, body).encode()
    return any(hmac.compare_digest(expected, candidate.encode()) for candidate in header.split())


def next_attempt(attempts: int, now: datetime, schedule: Sequence[float] = DEFAULT_SCHEDULE,
                 jitter: float = 0.1, rng: random.Random | None = None) -> datetime | None:
    """When to try again after `attempts` failed attempts (None: give up, dead letter). The delay
    is the schedule's, plus up to `jitter` of it, so endpoints coming back are not hit at once."""
    if attempts < 1 or attempts > len(schedule):
        return None
    delay = schedule[attempts - 1]
    return now + timedelta(seconds=delay * (1 + jitter * (rng or random).random()))


class CircuitState(str, Enum):
    CLOSED = "CLOSED"  # deliveries go as their schedule says
    OPEN = "OPEN"  # the endpoint failed too often in a row: nothing is attempted until the cool-down ends
    HALF_OPEN = "HALF_OPEN"  # the cool-down ended: the next attempt is a probe


@dataclass(frozen=True)
class Circuit:
    """An endpoint's circuit breaker: its consecutive failed attempts, and while it is open, the
    end of the cool-down (no attempt before it; the first one after it is the probe)."""

    failures: int = 0
    open_until: datetime | None = None

    def state(self, now: datetime) -> CircuitState:
        if self.open_until is None:
            return CircuitState.CLOSED
        return CircuitState.OPEN if now < self.open_until else CircuitState.HALF_OPEN

    def after(self, ok: bool, now: datetime, *, threshold: int, cooldown: float) -> Circuit:
        """The circuit after one attempt: a success closes it; a failure opens it (again) when it
        was a probe or the `threshold`-th in a row, for `cooldown` seconds."""
        if ok:
            return Circuit()
        failures = self.failures + 1
        if self.open_until is not None or failures >= threshold:
            return Circuit(failures, now + timedelta(seconds=cooldown))
        return Circuit(failures)


def address_allowed(address: str) -> bool:
    """May a webhook connect to this IP address? Only global unicast: no private, loopback,
    link-local, multicast, reserved or unspecified address (the cloud metadata service is
    link-local)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_loopback or ip.is_link_local)


def url_problem(url: str, *, production: bool, allow_private: bool = False) -> str | None:
    """Why an endpoint URL is refused at registration, or None. The host's resolved addresses are
    checked again at every send (`address_allowed`): DNS may change after registration."""
    if len(url) > URL_MAX or not url.isascii() or any(c.isspace() for c in url):
        return "not a URL"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "not a URL"
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return "not an http(s) URL"
    if production and parts.scheme != "https":
        return "https only"
    if parts.username or parts.password:
        return "credentials in the URL"
    if port == 0:
        return "bad port"
    host = parts.hostname
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return None if allow_private else "a local host name"
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return None  # a name: its addresses are checked when it is called
    return None if allow_private or address_allowed(host) else "a private, loopback or link-local address"
