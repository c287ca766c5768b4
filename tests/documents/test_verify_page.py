"""The public verification page (issue 13 item 4): no login; the right status for a valid, a
revoked and a superseded document; the exact issued PDF matches and one changed byte does not;
an unknown or malformed code is a 404 that says nothing; nothing beyond what the document prints."""

from __future__ import annotations

import pytest

from models.documents import Document
from resolvers.documents.issue import produce_pending
from resolvers.storage import storage_for
from rules.documents import DocumentStatus, Language
from tests.documents.test_issue import _licence_documents

pytestmark = pytest.mark.usefixtures("clean_db")


async def _ready(settings):
    lic = await _licence_documents(settings)
    await produce_pending(settings)
    return await Document.get(entity_id=lic.id, entity_type="License", language=Language.KK)


async def test_issue13_the_page_shows_what_the_document_prints_without_login(client, settings):
    doc = await _ready(settings)
    response = await client.get(f"/verify/{doc.verification_code}?lang=ru")
    assert response.status_code == 200 and "text/html" in response.headers["content-type"]
    page = response.text
    for shown in (doc.number, doc.issued_on.isoformat(), doc.holder, doc.sha256, "действителен", "Лицензия"):
        assert shown in page
    miner_email = "@"  # the holder's contacts, address, BIN are not on the page
    assert miner_email not in page.split("<body>")[1].split("<form")[0]
    assert "Мәртебесі" in (await client.get(f"/verify/{doc.verification_code}")).text  # kk by default


@pytest.mark.parametrize("status", [DocumentStatus.REVOKED, DocumentStatus.SUPERSEDED])
async def test_issue13_a_revoked_or_superseded_document_says_so(client, settings, status):
    doc = await _ready(settings)
    await Document.filter(id=doc.id).update(status=status)
    page = (await client.get(f"/verify/{doc.verification_code}")).text
    assert f'data-status="{status.value}"' in page


async def test_issue13_the_exact_pdf_matches_and_a_one_byte_change_does_not(client, settings):
    doc = await _ready(settings)
    pdf = await storage_for(settings).get(doc.storage_key)
    same = await client.post(f"/verify/{doc.verification_code}", files={"file": ("d.pdf", pdf, "application/pdf")})
    assert 'data-match="yes"' in same.text
    tampered = pdf[:1000] + bytes([pdf[1000] ^ 1]) + pdf[1001:]
    other = await client.post(f"/verify/{doc.verification_code}", files={"file": ("d.pdf", tampered, "application/pdf")})
    assert 'data-match="no"' in other.text


@pytest.mark.parametrize("code", ["AAAAAAAAAAAAAAAA", "short", "x" * 300, "<script>", "..%2F..%2Fetc"])
async def test_issue13_an_unknown_or_malformed_code_is_a_404(client, code):
    response = await client.get(f"/verify/{code}")
    assert response.status_code == 404 and "<script>" not in response.text


async def test_issue13_a_broken_upload_is_a_clean_answer_not_a_crash(client, settings):
    doc = await _ready(settings)
    for headers, body in (({"content-type": "multipart/form-data"}, b"junk"),
                          ({"content-type": "multipart/form-data; boundary=x"}, b"--x\r\nbroken"),
                          ({"content-type": "text/plain"}, b"hello")):
        response = await client.post(f"/verify/{doc.verification_code}", headers=headers, content=body)
        assert response.status_code in (200, 400), response.status_code
        assert 'data-match="yes"' not in response.text


async def test_issue13_the_page_may_post_its_form_to_itself_and_load_nothing(client, settings):
    doc = await _ready(settings)
    csp = (await client.get(f"/verify/{doc.verification_code}")).headers["content-security-policy"]
    assert "form-action 'self'" in csp and "default-src 'none'" in csp
