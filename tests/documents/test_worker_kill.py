"""Killing the document worker in the middle of a batch (issue 13): a worker process (SIGKILL
after its first document is READY) loses no document and duplicates none: the next run finishes
the PENDING ones, every document exists once per entity/kind/language, and each READY row's
SHA-256 is of a stored file that validates."""

from __future__ import annotations

import asyncio
import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from models.documents import Document
from resolvers.documents.issue import produce_pending, request_documents
from resolvers.storage import storage_for
from rules.documents import DocumentKind, DocumentState
from tests.api.test_licenses import make_license
from tests.documents.pdf_tools import validate
from tests.factories import make_miner

ROOT = Path(__file__).resolve().parents[2]
WORKER = """
import asyncio, sys
from models.db import init_db, close_db
from resolvers.documents.issue import produce_pending
from settings import Settings

async def main(url, storage, signing):
    await init_db(url, run_migrations=False)
    try:
        await produce_pending(Settings(database_url=url, storage_dir=storage, dev_signing_dir=signing))
    finally:
        await close_db()

asyncio.run(main(*sys.argv[1:4]))
"""
LICENCES = 5


@pytest.mark.committing
async def test_issue13_a_worker_killed_mid_batch_loses_no_document_and_duplicates_none(clean_db, database_url, settings):
    miner = await make_miner()
    for _ in range(LICENCES):
        await request_documents(DocumentKind.LICENCE, (await make_license(miner, appendices=0)).id)
    total = await Document.all().count()
    assert total == 2 * LICENCES
    worker = subprocess.Popen([sys.executable, "-W", "ignore", "-c", WORKER, database_url, settings.storage_dir,
                               settings.dev_signing_dir], cwd=ROOT)
    try:
        for _ in range(1200):  # up to 60 s for the first document
            if await Document.filter(state=DocumentState.READY).count() >= 1 or worker.poll() is not None:
                break
            await asyncio.sleep(0.05)
    finally:
        worker.kill()
        worker.wait()
    ready_at_kill = await Document.filter(state=DocumentState.READY).count()
    assert 1 <= ready_at_kill < total, f"the worker was not killed mid-batch ({ready_at_kill}/{total})"

    await produce_pending(settings)
    docs = await Document.all()
    assert len(docs) == total and len({d.unique_key for d in docs}) == total
    assert all(d.state == DocumentState.READY for d in docs)
    root = Path(settings.dev_signing_dir) / "root.pem"
    for doc in docs:
        pdf = await storage_for(settings).get(doc.storage_key)
        assert hashlib.sha256(pdf).hexdigest() == doc.sha256
        assert (await asyncio.to_thread(validate, pdf, root)).intact
