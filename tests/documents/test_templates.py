"""Every document kind renders in kk and ru (issue 13 item 1): the shipped font is the one
embedded (fontconfig would silently substitute a missing family), every Kazakh letter comes
out as text, the number and the grounds' text are printed, the QR code decodes to the
verification link, and the signature validates (intact, our signer, not modified)."""

from __future__ import annotations

import pytest

from resolvers.documents.render import render_pdf
from resolvers.documents.signing import development_signer
from rules.documents import DocumentKind, Language
from rules.grounds import LICENSING_GROUNDS
from tests.documents.demo import CODE, KAZAKH_LETTERS, URL, context_of
from tests.documents.pdf_tools import fonts_of, qr_codes_of, text_of, validate

CASES = [(kind, language) for kind in DocumentKind for language in Language]


@pytest.fixture(scope="module")
def signer(tmp_path_factory):
    directory = tmp_path_factory.mktemp("signing")
    return directory, development_signer(directory)


@pytest.mark.parametrize(("kind", "language"), CASES, ids=[f"{k.value}-{lang.value}" for k, lang in CASES])
def test_issue13_document_renders_with_the_shipped_font_and_every_kazakh_letter(kind, language):
    pdf = render_pdf(kind, language, context_of(kind))
    fonts = fonts_of(pdf)
    assert fonts and all(name.startswith("DejaVu-Sans") for name in fonts), fonts
    text = text_of(pdf)
    # The holder (the appendix: its data center) carries the 18 letters, upper and lower case.
    assert all(letter in text for letter in KAZAKH_LETTERS), [c for c in KAZAKH_LETTERS if c not in text]
    assert "(әғқңөұүһі)" in text
    assert "DOC-2026-000042" in text and CODE in text


@pytest.mark.parametrize("language", list(Language))
def test_issue13_a_refusal_cites_its_grounds_by_their_text(language):
    text = " ".join(text_of(render_pdf(DocumentKind.REFUSAL, language, context_of(DocumentKind.REFUSAL))).split())
    for ground in LICENSING_GROUNDS[:2]:
        wording = ground.text_kk if language == Language.KK and ground.text_kk else ground.text_ru
        assert " ".join(wording.split())[:60] in text


# The labels of the 001 forms, in their order: licence App.4/5, appendix App.6/7, motivated refusal
# App.8 (ru: the seed's words; kk: the same labels, the refusal as the Kazakh form of 000 App.6).
FORM_LABELS = {
    (DocumentKind.LICENCE, Language.RU): [
        "Лицензия", "І подвида на осуществление деятельности по цифровому майнингу", "Дата выдачи",
        "Номер лицензии", "Выдана", "БИН/ИИН 123456789012", "На занятие", "Особые условия действия лицензии",
        "Примечание (отчуждаемость, класс разрешения)", "Услугодатель", "Руководитель (уполномоченное лицо)",
        "Дата первичной выдачи", "Срок действия лицензии", "Место выдачи"],
    (DocumentKind.LICENCE, Language.KK): [
        "Лицензия", "Берілген күні", "Лицензияның нөмірі", "Берілді", "БСН/ЖСН 123456789012", "Айналысуға",
        "Лицензияның қолданылуының ерекше шарттары", "Ескертпе (иеліктен шығарылатындығы, рұқсаттың класы)",
        "Көрсетілетін қызметті беруші", "Басшы (уәкілетті тұлға)", "Алғашқы берілген күні",
        "Лицензияның қолданылу мерзімі", "Берілген жері"],
    (DocumentKind.APPENDIX, Language.RU): [
        "Приложение к лицензии", "Дата выдачи лицензии", "Номер лицензии", "Подвид(ы) лицензируемого вида деятельности",
        "Услугодатель", "Местонахождение центра обработки данных", "Способ приобретения электрической энергии",
        "у единого закупщика", "Особые условия действия лицензии", "Руководитель (уполномоченное лицо)",
        "Номер приложения", "Срок действия", "Дата выдачи приложения"],
    (DocumentKind.APPENDIX, Language.KK): [
        "Лицензияға қосымша", "Лицензияның берілген күні", "Лицензияның нөмірі",
        "Лицензияланатын қызмет түрінің кіші түрі (түрлері)", "І кіші түр", "Көрсетілетін қызметті беруші",
        "Деректерді өңдеу орталығының орналасқан жері", "Электр энергиясын сатып алу тәсілі", "бірыңғай сатып алушыдан",
        "Лицензияның қолданылуының ерекше шарттары", "Басшы (уәкілетті тұлға)", "Қосымшаның нөмірі",
        "Қолданылу мерзімі", "Қосымшаның берілген күні"],
    (DocumentKind.REFUSAL, Language.RU): [
        "г. Павлодар, ул. Кутузова, 4", "БИН/ИИН 123456789012", "Номер: DOC-2026-000042", "Мотивированный отказ",
        "Министерство цифрового развития, рассмотрев Ваше заявление от 2026-11-01 года № KZ-IN-2026-0007, "
        "сообщает следующее."],
    (DocumentKind.REFUSAL, Language.KK): [
        "г. Павлодар, ул. Кутузова, 4", "БСН/ЖСН 123456789012", "Нөмірі №: DOC-2026-000042",
        "Берілген күні: 2026-12-01", "Дәлелді бас тарту",
        "Цифрлық даму министрлігі, Сіздің 2026-11-01 жылғы № KZ-IN-2026-0007 өтінішіңізді қарап, келесіні хабарлайды."],
}


@pytest.mark.parametrize(("kind", "language"), list(FORM_LABELS), ids=[f"{k.value}-{lang.value}" for k, lang in FORM_LABELS])
def test_issue13_the_001_forms_carry_their_labels_in_the_forms_order(kind, language):
    text = " ".join(text_of(render_pdf(kind, language, context_of(kind))).split())
    at = 0
    for label in FORM_LABELS[kind, language]:
        found = text.find(label, at)
        assert found >= 0, f"{label!r} missing (or out of order) in: {text[at:at + 300]}"
        at = found + len(label)


def test_issue13_the_qr_code_decodes_to_the_verification_page():
    pdf = render_pdf(DocumentKind.HEARING_NOTICE, Language.KK, context_of(DocumentKind.HEARING_NOTICE))
    assert qr_codes_of(pdf) == [URL]


def test_issue13_a_signed_document_validates_and_a_changed_byte_does_not(signer):
    directory, dev = signer
    signed = dev.sign(render_pdf(DocumentKind.REFUSAL, Language.RU, context_of(DocumentKind.REFUSAL)))
    status = validate(signed, directory / "root.pem")
    assert status.intact and status.valid and status.trusted
    assert status.coverage.name == "ENTIRE_FILE" and status.modification_level.name == "NONE"
    assert "Registry development document signer" in status.signing_cert.subject.human_friendly
    assert "DOC-2026-000042" in text_of(signed)
    at = signed.index(b"/Contents", 0) // 2  # a byte in the signed range (an object's body)
    tampered = signed[:at] + bytes([signed[at] ^ 0x01]) + signed[at + 1:]
    assert not validate(tampered, directory / "root.pem").intact


def test_issue13_documents_are_pdf_a_3b_and_stay_so_when_signed(signer):
    """The archival profile is declared in the XMP identification (pdfaid part 3, conformance B);
    the signature is an incremental update that keeps it."""
    import re
    import zlib

    directory, dev = signer
    signed = dev.sign(render_pdf(DocumentKind.LICENCE, Language.KK, context_of(DocumentKind.LICENCE)))
    streams = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", signed, re.S):
        try:
            streams.append(zlib.decompress(match.group(1)))
        except zlib.error:
            streams.append(match.group(1))
    xmp = next(s for s in streams if b"pdfaid" in s)
    assert b'pdfaid:part="3"' in xmp and b'pdfaid:conformance="B"' in xmp
    assert b"/OutputIntents" in signed
    assert validate(signed, directory / "root.pem").intact
