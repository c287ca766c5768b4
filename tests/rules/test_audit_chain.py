"""The keyed audit chain (issue 10, item 9): edits, deletions and re-hashing without the key are
broken links; truncation of the newest events and rewrites of checkpointed ones are caught by
the signed checkpoints of the head."""

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from rules.audit_chain import (
    GENESIS,
    ChainedFields,
    ChainProblem,
    Checkpoint,
    CheckpointKind,
    StoredEvent,
    event_hash,
    verify,
)

KEY = b"test-audit-key"
AT = datetime(2026, 1, 2, tzinfo=UTC)


def _fields(i: int) -> ChainedFields:
    return ChainedFields(
        at=datetime(2026, 1, 1, 10, i, tzinfo=UTC),
        actor_id=1,
        actor_label="officer",
        action="miner.updated",
        entity_type="Miner",
        entity_id=str(i),
        before={"name": f"old {i}"},
        after={"name": f"new {i}"},
    )


def _chain(n: int, key: bytes | None = KEY, *, legacy_until: int = 0, start: int = 1) -> list[StoredEvent]:
    """Events `start`..n, keyed with `key` after `legacy_until` (plain SHA-256 up to it)."""
    events, prev = [], GENESIS
    for i in range(start, n + 1):
        h = event_hash(prev, _fields(i), None if i <= legacy_until else key)
        events.append(StoredEvent(id=i, prev_hash=prev, hash=h, fields=_fields(i)))
        prev = h
    return events


def _head(events: list[StoredEvent], index: int = -1, kind: CheckpointKind = CheckpointKind.HEAD) -> Checkpoint:
    return Checkpoint(kind, events[index].id, events[index].hash, AT).signed(KEY)


def test_intact_chain_verifies():
    report = verify(_chain(5), KEY)
    assert report.ok and report.checked == 5 and report.first_broken_id is None


def test_edited_content_is_the_first_broken_link():
    events = _chain(5)
    events[2] = replace(events[2], fields=replace(events[2].fields, after={"name": "forged"}))
    report = verify(events, KEY)
    assert not report.ok and report.first_broken_id == 3 and report.checked == 2


def test_deleted_event_breaks_the_next_link():
    events = _chain(5)
    del events[1]
    report = verify(events, KEY)
    assert not report.ok and report.first_broken_id == 3


def test_rehashed_forgery_still_breaks_the_following_link():
    events = _chain(4)
    forged_fields = replace(events[1].fields, actor_label="someone else")
    events[1] = replace(events[1], fields=forged_fields, hash=event_hash(events[1].prev_hash, forged_fields, KEY))
    report = verify(events, KEY)
    assert not report.ok and report.first_broken_id == 3


@pytest.mark.parametrize("attacker_key", [None, b"a guessed key"], ids=["plain-sha256", "wrong-key"])
def test_item9_rewrite_with_all_hashes_recomputed_without_the_key_is_detected(attacker_key):
    # The attacker edits event 2 and recomputes every hash after it, as the unkeyed chain allowed.
    events = _chain(4)
    forged = [*events[:1]]
    prev = events[0].hash
    for event in events[1:]:
        fields = replace(event.fields, actor_label="someone else") if event.id == 2 else event.fields
        h = event_hash(prev, fields, attacker_key)
        forged.append(StoredEvent(event.id, prev, h, fields))
        prev = h
    report = verify(forged, KEY)
    assert not report.ok and report.problem is ChainProblem.HASH_MISMATCH and report.first_broken_id == 2


def test_item9_truncation_of_the_newest_events_after_a_checkpoint_is_detected():
    events = _chain(6)
    checkpoint = _head(events)  # head 6
    assert verify(events, KEY, [checkpoint]).ok
    report = verify(events[:4], KEY, [checkpoint])  # events 5 and 6 deleted: the rest still links
    assert not report.ok and report.problem is ChainProblem.TRUNCATED and report.checkpoint_seq == 6
    assert report.checked == 4


def test_item9_truncation_then_new_appends_is_detected():
    # Delete 5 and 6, then append "new" events 7, 8 linking to 4: the checkpoint's event is gone.
    events = _chain(6)
    checkpoint = _head(events)
    regrown = _chain(8)[:4]
    prev = regrown[-1].hash
    for i in (7, 8):
        h = event_hash(prev, _fields(i), KEY)
        regrown.append(StoredEvent(i, prev, h, _fields(i)))
        prev = h
    report = verify(regrown, KEY, [checkpoint])
    assert not report.ok and report.problem is ChainProblem.CHECKPOINT_MISMATCH and report.checkpoint_seq == 6


def test_item9_rewrite_by_a_key_holder_is_caught_by_the_exported_checkpoint():
    events = _chain(5)
    checkpoint = _head(events, 3)  # head 4
    rewritten = [*events[:2]]
    prev = events[1].hash
    for event in events[2:]:  # event 3 edited, 3..5 recomputed WITH the key
        fields = replace(event.fields, after={"name": "forged"}) if event.id == 3 else event.fields
        h = event_hash(prev, fields, KEY)
        rewritten.append(StoredEvent(event.id, prev, h, fields))
        prev = h
    assert verify(rewritten, KEY).ok  # the chain alone cannot tell
    report = verify(rewritten, KEY, [checkpoint])
    assert not report.ok and report.problem is ChainProblem.CHECKPOINT_MISMATCH and report.first_broken_id == 4


def test_item9_forged_or_unsigned_checkpoint_is_reported():
    events = _chain(3)
    forged = replace(_head(events), seq=2)  # moved, signature kept
    assert verify(events, KEY, [forged]).problem is ChainProblem.BAD_CHECKPOINT
    unsigned = Checkpoint(CheckpointKind.HEAD, 3, events[-1].hash, AT)
    report = verify(events, KEY, [unsigned])
    assert report.problem is ChainProblem.BAD_CHECKPOINT and report.checkpoint_seq == 3
    other_key = Checkpoint(CheckpointKind.HEAD, 3, events[-1].hash, AT).signed(b"other")
    assert verify(events, KEY, [other_key]).problem is ChainProblem.BAD_CHECKPOINT


def test_item9_events_before_the_signed_legacy_boundary_verify_unkeyed_and_none_after():
    events = _chain(5, legacy_until=3)
    boundary = _head(events, 2, CheckpointKind.LEGACY)  # seq 3
    assert verify(events, KEY, [boundary]).ok
    assert verify(events, KEY).problem is ChainProblem.HASH_MISMATCH  # without the boundary: event 1 fails
    # An event after the boundary re-hashed without the key is an edit.
    forged = [*events[:4]]
    fields = replace(events[4].fields, after={"name": "forged"})
    forged.append(StoredEvent(5, events[3].hash, event_hash(events[3].hash, fields), fields))
    report = verify(forged, KEY, [boundary])
    assert report.problem is ChainProblem.HASH_MISMATCH and report.first_broken_id == 5


def test_checkpoint_json_round_trip_keeps_the_signature_valid():
    checkpoint = _head(_chain(2))
    again = Checkpoint.from_json(checkpoint.to_json())
    assert again == checkpoint and again.valid(KEY)
