"""Documents in GraphQL (issue 13 item 5): `documents(entity:)` through the owner's visibility,
`downloadUrl` a short-lived signed link to exactly the stored PDF (forged or expired: 404), and
`regenerateDocument` for officers only (a new version, the old superseded, audited)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from models.audit import AuditEvent
from models.documents import Document
from resolvers.documents.issue import download_url, produce_pending
from rules.documents import DocumentStatus
from rules.enums import Role
from schema.ids import to_global_id
from tests.documents.test_issue import _licence_documents
from tests.factories import ERRORS, errors_of, make_caller, make_miner

pytestmark = pytest.mark.usefixtures("clean_db")

DOCS = """query($e: ID!) { documents(entity: $e) { id kind language version number status state sha256
  verificationCode verificationUrl downloadUrl } }"""
REGENERATE = f"""mutation($i: RegenerateDocumentInput!) {{ regenerateDocument(input: $i) {{
  documents {{ id version state status }} {ERRORS} }} }}"""


async def _licence(settings):
    lic = await _licence_documents(settings)
    await produce_pending(settings)
    return lic, str(to_global_id("License", lic.id))


async def test_issue13_the_holder_reads_its_documents_and_downloads_the_signed_pdf(client, settings):
    lic, gid = await _licence(settings)
    holder = await make_caller(client, Role.APPLICANT, miner=await lic.holder)
    docs = (await holder.gql(DOCS, {"e": gid}))["data"]["documents"]
    assert {(d["kind"], d["language"], d["state"], d["number"]) for d in docs} == {
        ("LICENCE", "KK", "READY", lic.number), ("LICENCE", "RU", "READY", lic.number)}
    doc = docs[0]
    assert doc["verificationUrl"].endswith(f"/verify/{doc['verificationCode']}")
    path = doc["downloadUrl"].split("://", 1)[1].split("/", 1)[1]
    response = await client.get(f"/{path}")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert hashlib.sha256(response.content).hexdigest() == doc["sha256"]


async def test_issue13_another_organisation_sees_no_documents_like_a_missing_record(client, settings):
    _, gid = await _licence(settings)
    other = await make_caller(client, Role.APPLICANT, miner=await make_miner())
    assert (await other.gql(DOCS, {"e": gid}))["data"]["documents"] == []
    assert (await other.gql(DOCS, {"e": str(to_global_id("License", 99_999))}))["data"]["documents"] == []


async def test_issue13_a_forged_or_expired_download_link_is_a_404(client, settings):
    lic, _ = await _licence(settings)
    doc = await Document.filter(entity_id=lic.id).first()
    old = download_url(settings, doc.id, datetime.now(UTC) - timedelta(hours=1)).split("/documents/")[1]
    assert (await client.get(f"/documents/{old}")).status_code == 404
    fresh = download_url(settings, doc.id).split("/documents/")[1]
    doc_id, expires, sig = fresh.split(".")
    forged = f"{int(doc_id) + 1}.{expires}.{sig}"
    for token in (forged, "1.2", "x" * 100, f"{doc_id}.{int(expires) + 999}.{sig}"):
        assert (await client.get(f"/documents/{token}")).status_code == 404
    assert (await client.get(f"/documents/{fresh}")).status_code == 200


async def test_issue13_an_officer_regenerates_a_document_and_the_old_is_superseded(client, settings):
    officer = await make_caller(client, Role.OFFICER)
    lic, _ = await _licence(settings)
    doc = await Document.filter(entity_id=lic.id).first()
    holder = await make_caller(client, Role.APPLICANT, miner=await lic.holder)
    refused = await holder.gql(REGENERATE, {"i": {"id": str(to_global_id("Document", doc.id))}})
    assert errors_of(refused) == ["FORBIDDEN"] and await Document.all().count() == 2
    done = await officer.gql(REGENERATE, {"i": {"id": str(to_global_id("Document", doc.id))}})
    new = done["data"]["regenerateDocument"]["documents"]
    assert [(d["version"], d["state"], d["status"]) for d in new] == [(2, "PENDING", "ISSUED")] * 2
    assert {d.status for d in await Document.filter(entity_id=lic.id, version=1)} == {DocumentStatus.SUPERSEDED}
    assert await AuditEvent.filter(action="document.regenerated", entity_type="Document", entity_id=doc.id).exists()
    missing = await officer.gql(REGENERATE, {"i": {"id": str(to_global_id("Document", 99_999))}})
    assert errors_of(missing) == ["NOT_FOUND"]
