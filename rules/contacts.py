"""Light checks of contact data: enough to catch typos, not to reject real addresses."""

from __future__ import annotations

import re

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{6,20}$")


def is_email(value: str) -> bool:
    return len(value) <= 254 and bool(_EMAIL.match(value))


def is_phone(value: str) -> bool:
    return bool(_PHONE.match(value))
