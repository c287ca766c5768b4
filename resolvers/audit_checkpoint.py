"""Signed checkpoints of the audit chain's head: written by the job (jobs/tasks.py, every ten
minutes) and by `manage.py audit-checkpoint`, kept in `audit_checkpoint` AND appended as JSON
lines to settings.audit_checkpoint_file, which an operator ships elsewhere (the table can be
cut together with the trail; a copy outside the database cannot).

Verification (resolvers/audit.py) reads both, so a checkpoint deleted from the table still
counts while its line is in the file.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime
from pathlib import Path

from tortoise.transactions import in_transaction

from models.audit import AuditCheckpoint, AuditEvent
from resolvers.audit_key import key_of
from resolvers.changes import lock_audit_chain
from rules.audit_chain import Checkpoint, CheckpointKind
from settings import Settings

__all__ = ["load_checkpoints", "write_checkpoint"]

log = logging.getLogger("registry.audit")


def _of_row(row: AuditCheckpoint) -> Checkpoint:
    return Checkpoint(CheckpointKind(row.kind), row.seq, row.head_hash, row.at, row.signature)


def _read_file(path: str) -> list[Checkpoint]:
    """The checkpoints of the export file; a line that is not one is a broken checkpoint."""
    file = Path(path)
    if not file.exists():
        return []
    out = []
    for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.append(Checkpoint.from_json(json.loads(line)))
        except (ValueError, KeyError, TypeError):
            log.error("audit checkpoint file %s, line %d: not a checkpoint", path, number)
            out.append(Checkpoint(CheckpointKind.HEAD, 0, "", datetime.min.replace(tzinfo=UTC)))  # fails its check
    return out


async def load_checkpoints(settings: Settings) -> list[Checkpoint]:
    """Every checkpoint of the table and of the export file, each once."""
    rows = [_of_row(row) for row in await AuditCheckpoint.all().order_by("seq")]
    exported = await asyncio.to_thread(_read_file, settings.audit_checkpoint_file)
    return list(dict.fromkeys(rows + exported))


def _export(path: str, checkpoints: list[Checkpoint]) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as fh:
        for checkpoint in checkpoints:
            fh.write(json.dumps(checkpoint.to_json(), sort_keys=True) + "\n")


async def write_checkpoint(settings: Settings, now: datetime | None = None) -> Checkpoint | None:
    """Sign the chain's head (nothing when it has not moved since the last checkpoint); on the
    first run after the chain was keyed, also sign its legacy boundary."""
    key = key_of(settings)
    written: list[Checkpoint] = []
    async with in_transaction() as conn:
        await lock_audit_chain(conn)  # the head read here is the head, not one about to change
        rows = await AuditCheckpoint.all().using_db(conn).order_by("seq", "id")
        unsigned = [row for row in rows if not row.signature]
        for row in unsigned:
            if len(unsigned) > 1 or len(rows) > 1 or row.kind != CheckpointKind.LEGACY.value:
                # Only the one boundary the migration records is signed unseen: anything else
                # unsigned was not written by us.
                log.error("audit checkpoint %s (seq %s) is unsigned and was not signed", row.id, row.seq)
                continue
            signed = _of_row(row).signed(key)
            row.signature = signed.signature
            await row.save(using_db=conn, update_fields=["signature"])
            written.append(signed)
        head = await AuditEvent.all().using_db(conn).order_by("-id").only("id", "hash").first()
        newest = max((row.seq for row in rows), default=0)
        if head is not None and head.id > newest:
            checkpoint = Checkpoint(CheckpointKind.HEAD, head.id, head.hash, now or datetime.now(UTC)).signed(key)
            await AuditCheckpoint.create(using_db=conn, **checkpoint.to_json() | {"at": checkpoint.at})
            written.append(checkpoint)
    if written:
        try:
            _export(settings.audit_checkpoint_file, written)
        except OSError:
            log.exception("audit checkpoint not appended to %s", settings.audit_checkpoint_file)
    return written[-1] if written and written[-1].kind is CheckpointKind.HEAD else None
