from dataclasses import replace
from datetime import UTC, datetime

from rules.audit_chain import GENESIS, ChainedFields, StoredEvent, event_hash, verify


def _chain(n: int) -> list[StoredEvent]:
    events, prev = [], GENESIS
    for i in range(1, n + 1):
        fields = ChainedFields(
            at=datetime(2026, 1, 1, 10, i, tzinfo=UTC),
            actor_id=1,
            actor_label="officer",
            action="miner.updated",
            entity_type="Miner",
            entity_id=str(i),
            before={"name": f"old {i}"},
            after={"name": f"new {i}"},
        )
        h = event_hash(prev, fields)
        events.append(StoredEvent(id=i, prev_hash=prev, hash=h, fields=fields))
        prev = h
    return events


def test_intact_chain_verifies():
    report = verify(_chain(5))
    assert report.ok and report.checked == 5 and report.first_broken_id is None


def test_edited_content_is_the_first_broken_link():
    events = _chain(5)
    events[2] = replace(events[2], fields=replace(events[2].fields, after={"name": "forged"}))
    report = verify(events)
    assert not report.ok and report.first_broken_id == 3 and report.checked == 2


def test_deleted_event_breaks_the_next_link():
    events = _chain(5)
    del events[1]
    report = verify(events)
    assert not report.ok and report.first_broken_id == 3


def test_rehashed_forgery_still_breaks_the_following_link():
    events = _chain(4)
    forged_fields = replace(events[1].fields, actor_label="someone else")
    events[1] = replace(events[1], fields=forged_fields, hash=event_hash(events[1].prev_hash, forged_fields))
    report = verify(events)
    assert not report.ok and report.first_broken_id == 3
