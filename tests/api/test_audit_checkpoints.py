"""Issue 10, item 9: the audit trail cannot be cut or rewritten silently. Deleting the newest events
after a checkpoint, or editing an event and recomputing every hash after it, are both reported by
`verifyAuditChain`; checkpoints live in their table and in an export file kept elsewhere."""

import json
from dataclasses import replace
from pathlib import Path

import pytest

from models.audit import AuditCheckpoint, AuditEvent
from resolvers.audit import verify_audit_chain
from resolvers.audit_checkpoint import write_checkpoint
from resolvers.audit_key import key_of
from rules.access import SYSTEM
from rules.audit_chain import ChainedFields, ChainProblem, event_hash
from settings import DEV_AUDIT_KEY, Settings
from tests.factories import make_miner

pytestmark = pytest.mark.usefixtures("clean_db")

VERIFY = "{ verifyAuditChain { ok checked problem checkpoints checkpointSequence firstBroken { id } } }"


@pytest.fixture
def own_settings(settings, tmp_path):
    """The test's settings with a checkpoint file of its own (the table is rolled back, a file is not)."""
    return replace(settings, audit_checkpoint_file=str(tmp_path / "checkpoints.jsonl"))


async def _events(n: int) -> list[AuditEvent]:
    for _ in range(n):
        await make_miner()
    return await AuditEvent.all().order_by("id")


def _fields(row: AuditEvent) -> ChainedFields:
    return ChainedFields(row.at, row.actor_id, row.actor_label, row.action, row.entity_type, row.entity_id,
                         row.before, row.after)


async def _recompute_from(first: AuditEvent, key: bytes | None) -> None:
    """What an attacker with write access does: re-hash every event from `first` on."""
    prev = first.prev_hash
    for row in await AuditEvent.filter(id__gte=first.id).order_by("id"):
        new_hash = event_hash(prev, _fields(row), key)
        await AuditEvent.filter(id=row.id).update(prev_hash=prev, hash=new_hash)
        prev = new_hash


async def test_item9_checkpoint_is_signed_stored_and_exported(own_settings):
    events = await _events(3)
    checkpoint = await write_checkpoint(own_settings)
    assert checkpoint is not None and checkpoint.seq == events[-1].id and checkpoint.head_hash == events[-1].hash
    assert checkpoint.valid(key_of(own_settings))
    [row] = await AuditCheckpoint.all()
    assert (row.seq, row.head_hash, row.signature) == (checkpoint.seq, checkpoint.head_hash, checkpoint.signature)
    [line] = Path(own_settings.audit_checkpoint_file).read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["seq"] == checkpoint.seq and json.loads(line)["signature"] == checkpoint.signature
    assert await write_checkpoint(own_settings) is None  # the head has not moved: nothing new


async def test_item9_deleting_the_newest_events_after_a_checkpoint_is_reported(admin, own_settings):
    events = await _events(4)
    await write_checkpoint(own_settings)
    ok = (await admin.gql(VERIFY))["data"]["verifyAuditChain"]
    assert ok["ok"] is True and ok["checkpoints"] == 1
    # The newest two events go: what is left still links up perfectly.
    newest = await AuditEvent.all().order_by("-id").limit(2)
    await AuditEvent.filter(id__in=[e.id for e in newest]).delete()
    report = (await admin.gql(VERIFY))["data"]["verifyAuditChain"]
    assert report["ok"] is False and report["problem"] == "TRUNCATED"
    assert report["checkpointSequence"] == events[-1].id and report["firstBroken"] is None


async def test_item9_truncation_is_still_caught_from_the_export_file_when_the_table_row_is_gone(own_settings):
    events = await _events(3)
    await write_checkpoint(own_settings)
    await AuditCheckpoint.all().delete()  # the attacker cuts the checkpoint table too
    await AuditEvent.filter(id=events[-1].id).delete()
    report = await verify_audit_chain(SYSTEM, own_settings)
    assert not report.ok and report.problem is ChainProblem.TRUNCATED and report.checkpoint_seq == events[-1].id


@pytest.mark.parametrize("attacker_key", [None, b"a guessed key"], ids=["plain-sha256", "wrong-key"])
async def test_item9_edit_with_every_following_hash_recomputed_is_reported(admin, attacker_key):
    events = await _events(4)
    target = events[1]
    await AuditEvent.filter(id=target.id).update(after=dict(target.after, name="Подделка"))
    await _recompute_from(await AuditEvent.get(id=target.id), attacker_key)
    report = (await admin.gql(VERIFY))["data"]["verifyAuditChain"]
    assert report["ok"] is False and report["problem"] == "HASH_MISMATCH"
    assert report["checked"] == await AuditEvent.filter(id__lt=target.id).count()


async def test_item9_rewrite_by_someone_holding_the_key_is_caught_by_the_checkpoint(own_settings):
    events = await _events(4)
    await write_checkpoint(own_settings)
    target = events[1]
    await AuditEvent.filter(id=target.id).update(after=dict(target.after, name="Подделка"))
    await _recompute_from(await AuditEvent.get(id=target.id), key_of(own_settings))
    report = await verify_audit_chain(SYSTEM, own_settings)
    assert not report.ok and report.problem is ChainProblem.CHECKPOINT_MISMATCH
    assert report.checkpoint_seq == events[-1].id


async def test_item9_forged_checkpoint_row_is_reported(admin, own_settings):
    await _events(2)
    await write_checkpoint(own_settings)
    await AuditCheckpoint.all().update(seq=1)  # moved back to hide what came after: signature no longer fits
    report = (await admin.gql(VERIFY))["data"]["verifyAuditChain"]
    assert report["ok"] is False and report["problem"] == "BAD_CHECKPOINT"


async def test_item9_legacy_events_verify_up_to_the_boundary_the_first_run_signs(own_settings):
    # A chain appended before keying (plain SHA-256), and the boundary migration 0006 records unsigned.
    events = await _events(3)
    await _recompute_from(events[0], None)
    legacy = await AuditEvent.all().order_by("-id").first()
    await AuditCheckpoint.create(kind="legacy", seq=legacy.id, head_hash=legacy.hash, at=legacy.at, signature="")
    report = await verify_audit_chain(SYSTEM, own_settings)
    assert report.problem is ChainProblem.BAD_CHECKPOINT  # unsigned until the first checkpoint run
    assert await write_checkpoint(own_settings) is None  # signs the boundary; the head is the boundary
    await make_miner()  # keyed from here on
    report = await verify_audit_chain(SYSTEM, own_settings)
    assert report.ok and report.checked == 4 and report.checkpoints == 1
    assert "legacy" in Path(own_settings.audit_checkpoint_file).read_text(encoding="utf-8")


async def test_item9_an_unsigned_boundary_added_later_is_never_signed(own_settings):
    events = await _events(2)
    await write_checkpoint(own_settings)
    await AuditCheckpoint.create(kind="legacy", seq=events[-1].id, head_hash=events[-1].hash, at=events[-1].at,
                                 signature="")
    await write_checkpoint(own_settings)
    assert await AuditCheckpoint.filter(signature="").count() == 1


def test_item9_production_without_a_key_logs_loudly_and_a_set_key_is_used(caplog):
    assert key_of(Settings(database_url="sqlite://:memory:", environment="production", audit_key="s3cret")) == b"s3cret"
    assert not caplog.records
    assert key_of(Settings(database_url="sqlite://:memory:", environment="production")) == DEV_AUDIT_KEY.encode()
    assert any(r.levelname == "ERROR" and "AUDIT_HMAC_KEY" in r.getMessage() for r in caplog.records)
