"""Hash chain of the audit trail: each event holds the SHA-256 of the previous one.

Editing, deleting or reordering any stored event changes a hash that a later event commits
to, so verification names the first broken link.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

GENESIS = "0" * 64


def to_jsonable(value: Any) -> Any:
    """Plain JSON values for snapshots: the same input always gives the same text."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    return value


@dataclass(frozen=True)
class ChainedFields:
    at: datetime
    actor_id: int | None
    actor_label: str
    action: str
    entity_type: str
    entity_id: str
    before: Any
    after: Any


def event_hash(prev_hash: str, event: ChainedFields) -> str:
    body = {
        "prev": prev_hash,
        "at": event.at.isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "actor": event.actor_label,
        "action": event.action,
        "entity_type": event.entity_type,
        "entity_id": event.entity_id,
        "before": to_jsonable(event.before),
        "after": to_jsonable(event.after),
    }
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class StoredEvent:
    id: int
    prev_hash: str
    hash: str
    fields: ChainedFields


class ChainProblem(str, Enum):
    """Why an event does not fit the chain."""

    # Its prev_hash is not the hash of the event before it: an event was deleted, inserted or
    # reordered before this one (or the previous one was re-hashed after a forgery).
    PREV_HASH_MISMATCH = "PREV_HASH_MISMATCH"
    # Its content no longer gives its hash: the event itself was edited.
    HASH_MISMATCH = "HASH_MISMATCH"


_REASONS = {
    ChainProblem.PREV_HASH_MISMATCH: "prev_hash does not match the previous event",
    ChainProblem.HASH_MISMATCH: "content does not match its hash",
}


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    first_broken_id: int | None = None
    reason: str | None = None
    problem: ChainProblem | None = None


class ChainWalk:
    """Verification fed event by event in id order, so a long trail is checked in batches
    without holding it in memory. `step` returns the report once a link is broken."""

    def __init__(self, start_prev: str = GENESIS) -> None:
        self._expected_prev = start_prev
        self.checked = 0

    def step(self, event: StoredEvent) -> ChainReport | None:
        if event.prev_hash != self._expected_prev:
            return self._broken(event, ChainProblem.PREV_HASH_MISMATCH)
        if event_hash(event.prev_hash, event.fields) != event.hash:
            return self._broken(event, ChainProblem.HASH_MISMATCH)
        self._expected_prev = event.hash
        self.checked += 1
        return None

    def _broken(self, event: StoredEvent, problem: ChainProblem) -> ChainReport:
        return ChainReport(False, self.checked, event.id, _REASONS[problem], problem)

    def report(self) -> ChainReport:
        """The report of an unbroken walk (every event fed so far fits)."""
        return ChainReport(True, self.checked)


def verify(events: Iterable[StoredEvent], start_prev: str = GENESIS) -> ChainReport:
    """Walk events in id order; the first that does not fit the chain is reported."""
    walk = ChainWalk(start_prev)
    for event in events:
        if (broken := walk.step(event)) is not None:
            return broken
    return walk.report()
