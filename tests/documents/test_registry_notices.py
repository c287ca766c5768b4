"""The registry's notices from its decisions (issue 13; 000 App.7, 002 App.8): approving an
inclusion issues the inclusion notice listing the units (serial, model, HS code), in kk and ru,
signed; the holder reads them through `documents(entity:)`."""

from __future__ import annotations

import pytest

from jobs.tasks import dispatch_outbox
from models.documents import Document
from resolvers.documents.issue import produce_pending
from resolvers.storage import storage_for
from rules.documents import DocumentKind, DocumentState, Language
from rules.enums import Role
from schema.ids import pk_of
from tests.api.registry_flow import approve, filed, include, inclusion_input, ok, unit
from tests.documents.pdf_tools import text_of
from tests.factories import make_caller, make_data_center, make_miner

pytestmark = pytest.mark.usefixtures("clean_db")


async def test_issue13_an_approved_inclusion_issues_its_notice_with_the_unit_list(client, settings):
    officer = await make_caller(client, Role.OFFICER)
    miner = await make_miner(name="ТОО Өскемен Құрылыс")
    dc = await make_data_center(miner, address="Экибастуз, промзона 4", region="PAVLODAR")
    app = filed(await include(officer, inclusion_input(miner, dc, [unit(1), unit(2, "sn-000002")],
                                                       received_at="2025-03-19T10:00:00+05:00")))
    assert ok(await approve(officer, app["id"]))
    await dispatch_outbox({})
    await produce_pending(settings)
    app_id = pk_of(app["id"], "Application")
    docs = await Document.filter(entity_type="Application", entity_id=app_id, kind=DocumentKind.INCLUSION_NOTICE)
    assert {(d.language, d.state) for d in docs} == {(Language.KK, DocumentState.READY), (Language.RU, DocumentState.READY)}
    assert all(d.owner_miner_id == miner.id for d in docs)
    for doc in docs:
        text = " ".join(text_of(await storage_for(settings).get(doc.storage_key)).split())
        assert "SN000001" in text.replace("-", "").upper() and "sn-000002" in text
        assert "Өскемен Құрылыс" in text and app["incomingNumber"] in text
