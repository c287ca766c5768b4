"""Scanned documents uploaded with a filing (GraphQL multipart): accepted by their content,
stored with their SHA-256, served only to those who may see the application."""

from __future__ import annotations

import hashlib
import json

from models.applications import Application, ApplicationDocument
from rules.enums import Role
from tests.api.licensing_flow import license_input
from tests.api.test_pools import APPLY, accreditation_input
from tests.factories import errors_of, make_caller, make_data_center, make_miner, make_pool

PDF = b"%PDF-1.7\n% scanned lease\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DOCS = "documents { kind title file { contentType size sha256 name downloadPath } }"


async def _multipart(caller, query: str, variables: dict, files: dict[str, tuple[str, bytes, str]]) -> dict:
    """`files`: variable path -> (filename, bytes, declared type), per the multipart request spec."""
    paths = {str(i): [path] for i, path in enumerate(files)}
    response = await caller.client.post(
        "/graphql",
        data={"operations": json.dumps({"query": query, "variables": variables}), "map": json.dumps(paths)},
        files={str(i): spec for i, spec in enumerate(files.values())},
        headers={"Authorization": f"Bearer {caller.token}"},
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_pool_files_its_lease_as_a_pdf_and_only_it_and_officers_may_download_it(client, officer):
    pool = await make_pool(accredited=None)
    applicant = await make_caller(client, Role.APPLICANT, pool=pool)
    data = accreditation_input(pool)
    lease = data["documents"].index(next(d for d in data["documents"] if d["kind"] == "SERVER_ROOM_LEASE"))
    data["documents"][lease] = {**data["documents"][lease], "file": None}
    result = await _multipart(applicant, APPLY, {"i": data},
                              {f"variables.i.documents.{lease}.file": ("lease.pdf", PDF, "application/pdf")})
    app = result["data"]["applyForPoolAccreditation"]["application"]
    assert result["data"]["applyForPoolAccreditation"]["errors"] == [], result
    seen = await applicant.gql(f"query($id: ID!) {{ application(id: $id) {{ {DOCS} }} }}", {"id": app["id"]})
    documents = seen["data"]["application"]["documents"]
    assert [d["kind"] for d in documents] == [d["kind"] for d in data["documents"]]  # pool kinds, not licensing's
    [with_file] = [d for d in documents if d["file"]]
    assert with_file["kind"] == "SERVER_ROOM_LEASE"
    assert with_file["file"] | {"downloadPath": None} == {
        "contentType": "PDF", "size": len(PDF), "sha256": hashlib.sha256(PDF).hexdigest(), "name": "lease.pdf",
        "downloadPath": None}
    path = with_file["file"]["downloadPath"]
    for caller in (applicant, officer):
        got = await client.get(path, headers={"Authorization": f"Bearer {caller.token}"})
        assert got.status_code == 200 and got.content == PDF and got.headers["content-type"] == "application/pdf"
        assert got.headers["cache-control"] == "no-store"
    stranger = await make_caller(client, Role.APPLICANT, pool=await make_pool())
    theirs = await client.get(path, headers={"Authorization": f"Bearer {stranger.token}"})
    missing = await client.get("/application-documents/999999/file", headers={"Authorization": f"Bearer {stranger.token}"})
    assert theirs.status_code == missing.status_code == 404 and theirs.json() == missing.json()
    assert (await client.get(path)).status_code == 401


async def test_an_html_page_renamed_pdf_is_refused_and_nothing_is_written(client, officer):
    miner = await make_miner()
    dc = await make_data_center(miner)
    data = license_input(miner, [dc])
    data["documents"] = [{**data["documents"][0], "file": None}, *data["documents"][1:]]
    query = "mutation($i: ApplyForLicenseInput!) { applyForLicense(input: $i) { application { id } errors { ... on UserError { code path } } } }"
    applicant = await make_caller(client, Role.APPLICANT, miner=miner)
    page = b"<!doctype html><script>alert(1)</script>"
    result = await _multipart(applicant, query, {"i": data},
                              {"variables.i.documents.0.file": ("ownership.pdf", page, "application/pdf")})
    assert errors_of(result) == ["FILE_NOT_ACCEPTED"], result
    assert result["data"]["applyForLicense"]["errors"][0]["path"] == ["documents", "0", "file"]
    assert await Application.all().count() == 0 and await ApplicationDocument.all().count() == 0
    scan = b"\xff\xd8\xff\xe0" + b"\x00" * 64  # a JPEG scan is accepted
    ok = await _multipart(applicant, query, {"i": data},
                          {"variables.i.documents.0.file": ("ownership.jpg", scan, "image/jpeg")})
    assert ok["data"]["applyForLicense"]["errors"] == []
    stored = await ApplicationDocument.get(file_sha256=hashlib.sha256(scan).hexdigest())
    assert stored.file_type == "image/jpeg" and stored.kind == "DC_OWNERSHIP"
