"""Hash chain of the audit trail: each event holds the keyed hash of the previous one.

Editing, deleting or reordering any stored event changes a hash that a later event commits
to, so verification names the first broken link. The hash is an HMAC-SHA256 under a key kept
outside the database (settings: AUDIT_HMAC_KEY): whoever can write the table but not read the
key cannot recompute the hashes after an edit. Events appended before the chain was keyed
(plain SHA-256) are covered up to a recorded `legacy` boundary.

A chain alone cannot show that its newest events were deleted. Signed checkpoints of its head
(sequence number, hash, time; HMAC under the same key) are kept in their own table and in an
export file an operator keeps elsewhere: verification reports a chain shorter than a
checkpoint (truncation) and a checkpointed event whose hash changed (a rewrite).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Sequence
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


def event_hash(prev_hash: str, event: ChainedFields, key: bytes | None = None) -> str:
    """HMAC-SHA256 of the event's canonical text under `key`; plain SHA-256 without a key
    (only events before the chain's `legacy` boundary are hashed so)."""
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
    if key is None:
        return hashlib.sha256(text.encode()).hexdigest()
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


class CheckpointKind(str, Enum):
    HEAD = "head"  # the chain's head at a time, written periodically
    # Events up to `seq` were appended before the chain was keyed (plain SHA-256).
    LEGACY = "legacy"


@dataclass(frozen=True)
class Checkpoint:
    """A signed statement "at `at`, event `seq` was the head and its hash was `head_hash`"."""

    kind: CheckpointKind
    seq: int
    head_hash: str
    at: datetime
    signature: str = ""

    def message(self) -> bytes:
        return f"{self.kind.value}|{self.seq}|{self.head_hash}|{self.at.isoformat(timespec='microseconds')}".encode()

    def signed(self, key: bytes) -> Checkpoint:
        signature = hmac.new(key, self.message(), hashlib.sha256).hexdigest()
        return Checkpoint(self.kind, self.seq, self.head_hash, self.at, signature)

    def valid(self, key: bytes) -> bool:
        return bool(self.signature) and hmac.compare_digest(self.signed(key).signature, self.signature)

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "seq": self.seq, "head_hash": self.head_hash,
                "at": self.at.isoformat(timespec="microseconds"), "signature": self.signature}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Checkpoint:
        return cls(CheckpointKind(data["kind"]), int(data["seq"]), str(data["head_hash"]),
                   datetime.fromisoformat(data["at"]), str(data.get("signature") or ""))


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
    # The chain ends before a checkpoint's head: its newest events were deleted.
    TRUNCATED = "TRUNCATED"
    # The event a checkpoint names has another hash now: the chain was rewritten from there.
    CHECKPOINT_MISMATCH = "CHECKPOINT_MISMATCH"
    # A checkpoint whose signature does not verify: forged, signed with another key, or a
    # legacy boundary not yet signed (`manage.py audit-checkpoint` signs the first one).
    BAD_CHECKPOINT = "BAD_CHECKPOINT"


_REASONS = {
    ChainProblem.PREV_HASH_MISMATCH: "prev_hash does not match the previous event",
    ChainProblem.HASH_MISMATCH: "content does not match its hash",
    ChainProblem.TRUNCATED: "the chain ends before a checkpoint's head",
    ChainProblem.CHECKPOINT_MISMATCH: "the event a checkpoint names has another hash",
    ChainProblem.BAD_CHECKPOINT: "a checkpoint's signature does not verify",
}


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    first_broken_id: int | None = None
    reason: str | None = None
    problem: ChainProblem | None = None
    # The checkpoint that exposed the problem (TRUNCATED, CHECKPOINT_MISMATCH, BAD_CHECKPOINT).
    checkpoint_seq: int | None = None
    checkpoints: int = 0  # checkpoints the chain was checked against


class ChainWalk:
    """Verification fed event by event in id order, so a long trail is checked in batches
    without holding it in memory. `step` returns the report once a link is broken; `report`
    at the end checks that no checkpoint names an event beyond the chain's end.

    `checkpoints` must be verified already (`check_checkpoints`); events up to the newest
    `legacy` checkpoint are hashed without the key."""

    def __init__(self, key: bytes, checkpoints: Sequence[Checkpoint] = (), start_prev: str = GENESIS) -> None:
        self._key = key
        self._expected_prev = start_prev
        self._legacy_until = max((c.seq for c in checkpoints if c.kind is CheckpointKind.LEGACY), default=0)
        self._pending = sorted(checkpoints, key=lambda c: c.seq)  # not reached yet, oldest first
        self._checkpoints = len(checkpoints)
        self.checked = 0
        self._last_id = 0

    def step(self, event: StoredEvent) -> ChainReport | None:
        if event.prev_hash != self._expected_prev:
            return self._broken(event.id, ChainProblem.PREV_HASH_MISMATCH)
        key = None if event.id <= self._legacy_until else self._key
        if event_hash(event.prev_hash, event.fields, key) != event.hash:
            return self._broken(event.id, ChainProblem.HASH_MISMATCH)
        while self._pending and self._pending[0].seq <= event.id:
            checkpoint = self._pending.pop(0)
            # A checkpoint's event is gone (seq skipped) or has another hash: rewritten.
            if checkpoint.seq != event.id or checkpoint.head_hash != event.hash:
                return self._broken(event.id, ChainProblem.CHECKPOINT_MISMATCH, checkpoint.seq)
        self._expected_prev = event.hash
        self._last_id = event.id
        self.checked += 1
        return None

    def _broken(self, event_id: int | None, problem: ChainProblem, checkpoint_seq: int | None = None) -> ChainReport:
        return ChainReport(False, self.checked, event_id, _REASONS[problem], problem, checkpoint_seq, self._checkpoints)

    def report(self) -> ChainReport:
        """The report of a walk fed every event: unbroken unless the chain ends before a checkpoint."""
        if self._pending:
            return self._broken(None, ChainProblem.TRUNCATED, self._pending[-1].seq)
        return ChainReport(True, self.checked, checkpoints=self._checkpoints)


def check_checkpoints(key: bytes, checkpoints: Iterable[Checkpoint]) -> ChainReport | None:
    """The report naming the first checkpoint whose signature does not verify, if any."""
    for checkpoint in sorted(checkpoints, key=lambda c: c.seq):
        if not checkpoint.valid(key):
            return ChainReport(False, 0, None, _REASONS[ChainProblem.BAD_CHECKPOINT], ChainProblem.BAD_CHECKPOINT,
                               checkpoint.seq)
    return None


def verify(
    events: Iterable[StoredEvent], key: bytes, checkpoints: Sequence[Checkpoint] = (), start_prev: str = GENESIS
) -> ChainReport:
    """Check the checkpoints' signatures, then walk events in id order: the first that does not
    fit the chain (or a checkpoint the chain does not reach) is reported."""
    if (bad := check_checkpoints(key, checkpoints)) is not None:
        return bad
    walk = ChainWalk(key, checkpoints, start_prev)
    for event in events:
        if (broken := walk.step(event)) is not None:
            return broken
    return walk.report()
