"""The public verification page in a real browser (issue 13 item 4): headless Chromium (the
Debian package, driven by Playwright with the system browser) against uvicorn on a fresh
database. A valid document shows ISSUED and its exact PDF matches; one changed byte does not
match; a revoked document shows REVOKED. A screenshot of each page is taken and checked.

Skips, saying so, where no Chromium is installed (`apt-get install chromium`)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from settings import ROOT
from tests.live_server import migrated_env, serve

CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium installed (apt-get install chromium): "
                                                         "the browser test of /verify is skipped")

SEED = """
import asyncio, json, sys
from datetime import UTC, date, datetime
from models.db import init_db, close_db
from models.parties import Miner
from models.applications import Application
from models.licensing import License
from models.documents import Document
from resolvers.documents.issue import produce_pending, request_documents
from rules.documents import DocumentKind, DocumentStatus, Language
from settings import Settings

async def main():
    settings = Settings.from_env()
    await init_db(settings.database_url, run_migrations=False)
    miner = await Miner.create(kind="LE", bin_iin="061211600012", name="ТОО Ақжол Өнім", legal_address="Астана",
                               phone="+7 701 000 00 01", email="x@x.kz")
    out = {}
    for n, name in ((1, "valid"), (2, "revoked")):
        app = await Application.create(procedure="LICENSE_ISSUE", stage="APPROVED", channel="PORTAL", miner_id=miner.id,
                                       received_at=datetime(2026, 11, 2, tzinfo=UTC), registered_on=date(2026, 11, 2))
        lic = await License.create(number=f"KZ-DM-BROWSER-{n}", holder_id=miner.id, subtype="I",
                                   first_issued_on=date(2026, 12, 1), issued_on=date(2026, 12, 1),
                                   valid_until=date(2029, 12, 1), place_of_issue="Астана", application_id=app.id)
        await request_documents(DocumentKind.LICENCE, lic.id)
        await produce_pending(settings)
        doc = await Document.get(entity_id=lic.id, entity_type="License", language=Language.RU)
        if name == "revoked":
            await Document.filter(id=doc.id).update(status=DocumentStatus.REVOKED)
        out[name] = {"code": doc.verification_code, "key": doc.storage_key}
    await close_db()
    print(json.dumps(out))

asyncio.run(main())
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict, Path]]:
    data = tmp_path_factory.mktemp("verify-site")
    env = migrated_env(data, DATA_DIR=str(data), STORAGE_DIR=str(data / "objects"))
    seeded = subprocess.run([sys.executable, "-W", "ignore", "-c", SEED], cwd=ROOT, env=env, check=True,
                            capture_output=True, text=True, timeout=180)
    docs = json.loads(seeded.stdout.strip().splitlines()[-1])
    with serve(env, data) as (port, _):
        yield f"http://127.0.0.1:{port}", docs, data


def test_issue13_the_verification_page_in_a_browser_valid_tampered_and_revoked(site, tmp_path):
    from playwright.sync_api import sync_playwright

    base, docs, data = site
    pdf = (data / "objects" / docs["valid"]["key"]).read_bytes()
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(pdf[:2000] + bytes([pdf[2000] ^ 1]) + pdf[2001:])
    exact = tmp_path / "exact.pdf"
    exact.write_bytes(pdf)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.goto(f"{base}/verify/{docs['valid']['code']}?lang=ru")
            assert page.locator("#status").get_attribute("data-status") == "ISSUED"
            assert page.locator("#number").inner_text() == "KZ-DM-BROWSER-1"
            for path, expected in ((exact, "yes"), (tampered, "no")):
                page.set_input_files("input[type=file]", str(path))
                page.click("button[type=submit]")
                page.wait_for_selector("#match")
                assert page.locator("#match").get_attribute("data-match") == expected
            shot = tmp_path / "valid.png"
            page.screenshot(path=str(shot))
            assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 5000
            page.goto(f"{base}/verify/{docs['revoked']['code']}")
            assert page.locator("#status").get_attribute("data-status") == "REVOKED"
            assert "кері қайтарылған" in page.locator("#status").inner_text()
        finally:
            browser.close()
