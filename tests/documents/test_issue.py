"""Documents issued from the outbox (issue 13 item 2): the event records kk and ru PENDING, the
job renders, signs and stores them (READY, SHA-256 of the stored file), a second delivery or run
changes nothing, a failure is recorded and retried then FAILED, a revoked licence's documents are
REVOKED, a regenerated one supersedes the old."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from tortoise.transactions import in_transaction

from jobs.tasks import dispatch_outbox
from models.applications import Application
from models.documents import Document
from resolvers.changes import emit
from resolvers.documents import issue
from resolvers.documents.issue import produce_pending, regenerate, request_documents
from resolvers.storage import storage_for
from rules.documents import DocumentKind, DocumentState, DocumentStatus, Language
from rules.enums import Channel
from rules.grounds import RefusalGroundCode, ground_of
from rules.workflow import ProcedureCode, Stage
from tests.api.test_licenses import make_license
from tests.documents.pdf_tools import text_of, validate
from tests.factories import make_miner

pytestmark = pytest.mark.usefixtures("clean_db")


async def _event(topic: str, payload: dict) -> None:
    async with in_transaction() as conn:
        await emit(conn, topic, payload)
    await dispatch_outbox({})


async def _licence_documents(settings):
    lic = await make_license(await make_miner(name="ТОО «Қазақ Ғарыш Әлемі»"), appendices=0)
    await _event("license.issued", {"entity": "License", "id": lic.id})
    return lic


async def test_issue13_a_licence_event_issues_one_signed_document_per_language(settings):
    lic = await _licence_documents(settings)
    docs = await Document.filter(entity_type="License", entity_id=lic.id).order_by("language")
    assert [(d.kind, d.language, d.state) for d in docs] == [
        (DocumentKind.LICENCE, Language.KK, DocumentState.PENDING), (DocumentKind.LICENCE, Language.RU, DocumentState.PENDING)]
    assert await produce_pending(settings) == 2
    for doc in await Document.filter(entity_type="License", entity_id=lic.id):
        assert doc.state == DocumentState.READY and doc.number == lic.number and doc.attempts == 1
        pdf = await storage_for(settings).get(doc.storage_key)
        assert hashlib.sha256(pdf).hexdigest() == doc.sha256
        status = await asyncio.to_thread(validate, pdf, Path(settings.dev_signing_dir) / "root.pem")
        assert status.intact and status.valid and status.modification_level.name == "NONE"
        assert lic.number in text_of(pdf) and doc.verification_code in text_of(pdf)
        assert "Қазақ Ғарыш Әлемі" in text_of(pdf)


async def test_issue13_issuing_is_idempotent_a_redelivered_event_and_a_second_run_add_nothing(settings):
    lic = await _licence_documents(settings)
    await produce_pending(settings)
    before = {(d.id, d.sha256) for d in await Document.all()}
    await _event("license.issued", {"entity": "License", "id": lic.id})  # delivered again
    await request_documents(DocumentKind.LICENCE, lic.id)
    assert await produce_pending(settings) == 0
    assert {(d.id, d.sha256) for d in await Document.all()} == before and len(before) == 2


async def test_issue13_a_motivated_refusal_is_issued_on_the_refused_stage_with_its_grounds(settings):
    miner = await make_miner()
    app = await Application.create(
        procedure=ProcedureCode.LICENSE_ISSUE, stage=Stage.REFUSED, channel=Channel.PORTAL, miner_id=miner.id,
        received_at=datetime(2026, 11, 2, 5, tzinfo=UTC), registered_on=date(2026, 11, 2), incoming_number="KZ-IN-77",
        refusal_grounds=[RefusalGroundCode.FEE_NOT_PAID.value], refusal_text="Оплата не поступила.",
        refusal_number="REF-2026-000009", refused_on=date(2026, 12, 1))
    await _event("application.stage", {"application": app.id, "to": Stage.APPROVED.value})
    assert await Document.filter(entity_id=app.id).count() == 0  # only the refused stage issues one
    await _event("application.stage", {"application": app.id, "to": Stage.REFUSED.value})
    await produce_pending(settings)
    doc = await Document.get(entity_type="Application", entity_id=app.id, language=Language.RU)
    assert doc.kind == DocumentKind.REFUSAL and doc.number == "REF-2026-000009" and doc.state == DocumentState.READY
    text = " ".join(text_of(await storage_for(settings).get(doc.storage_key)).split())
    ground = ground_of(ProcedureCode.LICENSE_ISSUE, RefusalGroundCode.FEE_NOT_PAID)
    assert " ".join(ground.text_ru.split())[:50] in text and "KZ-IN-77" in text and "Оплата не поступила." in text


@pytest.mark.parametrize("language", list(Language))
async def test_issue13_the_hearing_notice_states_the_day_time_and_place_and_the_last_day_for_objections(settings, language):
    """001 §10: the notice of the preliminary decision names the time and place (or way) of the
    hearing; objections are taken up to the hearing day."""
    miner = await make_miner()
    app = await Application.create(
        procedure=ProcedureCode.LICENSE_ISSUE, stage=Stage.HEARING_SCHEDULED, channel=Channel.PORTAL, miner_id=miner.id,
        received_at=datetime(2026, 11, 2, 5, tzinfo=UTC), registered_on=date(2026, 11, 2), incoming_number="KZ-IN-81",
        preliminary_grounds=[RefusalGroundCode.FEE_NOT_PAID.value], preliminary_text="Оплата не поступила.",
        hearing_notice_sent_on=date(2026, 12, 8), hearing_on=date(2026, 12, 10), hearing_time="14:45",
        hearing_place="г. Астана, пр. Мәңгілік Ел, 55/14, каб. 305")
    await _event("notice.hearing", {"application": app.id, "hearing_on": "2026-12-10", "hearing_time": "14:45"})
    await produce_pending(settings)
    doc = await Document.get(entity_type="Application", entity_id=app.id, language=language)
    assert doc.kind == DocumentKind.HEARING_NOTICE and doc.state == DocumentState.READY
    text = " ".join(text_of(await storage_for(settings).get(doc.storage_key)).split())
    if language == Language.KK:
        assert "Тыңдау өтетін күн мен уақыт: 2026-12-10, сағат 14:45." in text
        assert "Тыңдау өтетін орын (тәсіл): г. Астана, пр. Мәңгілік Ел, 55/14, каб. 305." in text
        assert "Қарсылықтар 2026-12-10 жылдан кешіктірілмей қабылданады." in text
    else:
        assert "Дата и время заслушивания: 2026-12-10, 14:45." in text
        assert "Место (способ) проведения заслушивания: г. Астана, пр. Мәңгілік Ел, 55/14, каб. 305." in text
        assert "Возражения принимаются не позднее 2026-12-10 года." in text
    assert "KZ-IN-81" in text


async def test_issue13_a_failing_render_is_recorded_retried_and_then_failed(settings, monkeypatch):
    lic = await _licence_documents(settings)

    def broken(*args, **kwargs):
        raise RuntimeError("renderer down")

    monkeypatch.setattr(issue, "render_pdf", broken)
    for _ in range(issue.MAX_ATTEMPTS - 1):
        await produce_pending(settings)
    doc = await Document.get(entity_id=lic.id, language=Language.KK)
    assert doc.state == DocumentState.PENDING and "renderer down" in doc.reason
    await produce_pending(settings)
    doc = await Document.get(id=doc.id)
    assert doc.state == DocumentState.FAILED and doc.attempts == issue.MAX_ATTEMPTS and doc.sha256 is None


async def test_issue13_a_revoked_licence_revokes_its_documents_and_a_regenerated_one_supersedes(settings):
    lic = await _licence_documents(settings)
    await produce_pending(settings)
    first = await Document.get(entity_id=lic.id, language=Language.KK)
    new = await regenerate(first)
    assert [d.version for d in new] == [2, 2]
    statuses = {(d.version, d.status) for d in await Document.filter(entity_id=lic.id, entity_type="License")}
    assert statuses == {(1, DocumentStatus.SUPERSEDED), (2, DocumentStatus.ISSUED)}
    await _event("license.revoked", {"license_id": lic.id})
    assert {d.status for d in await Document.filter(entity_id=lic.id, version=2)} == {DocumentStatus.REVOKED}
    assert {d.status for d in await Document.filter(entity_id=lic.id, version=1)} == {DocumentStatus.SUPERSEDED}


async def test_issue13_a_licence_with_an_appendix_issues_both_and_a_revocation_revokes_both(settings):
    miner = await make_miner(name="ТОО «Ұлытау Һаб»")
    lic = await make_license(miner, appendices=1, subtype="II")
    await _event("license.issued", {"entity": "License", "id": lic.id})
    await produce_pending(settings)
    appendix = await Document.get(entity_type="LicenseAppendix", language=Language.RU)
    assert appendix.kind == DocumentKind.APPENDIX and appendix.state == DocumentState.READY
    assert appendix.owner_miner_id == miner.id and appendix.number.startswith(lic.number)
    text = " ".join(text_of(await storage_for(settings).get(appendix.storage_key)).split())
    assert lic.number in text and "ІІ подвид" in text
    # App.7 (subtype II): the subtype's whole sentence, and no data center nor electricity rows.
    assert "размещенного в центре обработки данных цифрового майнинга" in text
    assert "Способ приобретения электрической энергии" not in text and "Местонахождение центра" not in text
    kk = await Document.get(entity_type="LicenseAppendix", language=Language.KK)
    kk_text = " ".join(text_of(await storage_for(settings).get(kk.storage_key)).split())
    assert "ІІ кіші түр – цифрлық майнингтің деректерді өңдеу орталығы" in kk_text
    licence = await Document.get(entity_type="License", language=Language.RU)
    licence_text = " ".join(text_of(await storage_for(settings).get(licence.storage_key)).split())
    assert f"ТОО «Ұлытау Һаб», {miner.legal_address}, БИН/ИИН {miner.bin_iin}" in licence_text
    await _event("license.revoked", {"license_id": lic.id, "appendix": None})
    assert {d.status for d in await Document.all()} == {DocumentStatus.REVOKED}
