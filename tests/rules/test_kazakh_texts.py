"""Kazakh texts (issue 9 item 13): refusal grounds verbatim from the seeds' Kazakh editions or
none at all, problem messages in kk / ru / en naming what is wrong, and the §18-1 wording of
revocation."""

from __future__ import annotations

import os
import pathlib
import re
from dataclasses import fields

import pytest

from rules.errors import CATALOGUE, ErrorCode, render
from rules.grounds import LICENSING_GROUNDS, POOL_GROUNDS, REGISTRY_GROUNDS
from rules.problems import PROBLEM_MESSAGES, SUBJECT_NAMES, Problem, ProblemCode
from rules.qualification import Confirmations, DocumentKind

ROOT = pathlib.Path(__file__).resolve().parents[2]
SEEDS = pathlib.Path(os.environ.get("SEEDS_DIR", "/work/shared/seeds"))
KAZAKH_LETTERS = set("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
LANGS = ("kk", "ru", "en")


def _norm(text: str) -> str:
    """The seeds come from PDF: words broken across table lines, `( немесе)`, letter-spacing."""
    text = re.sub(r"\s+", " ", text)
    return re.sub(r"\(\s+", "(", re.sub(r"\s+\)", ")", text)).replace("( ", "(")


def _seed(prefix: str) -> str:
    found = sorted(SEEDS.glob(f"{prefix}_*.txt")) if SEEDS.is_dir() else []
    if not found:
        pytest.skip(f"the seeds ({SEEDS}) are not at hand")
    return _norm(found[0].read_text(encoding="utf-8"))


def test_001_app3_item10_licensing_grounds_have_no_kazakh_text():
    """The seeds hold 169/НҚ in Russian only: no Kazakh wording, rather than a made-up one."""
    assert len(LICENSING_GROUNDS) == 8
    assert all(g.text_kk is None for g in LICENSING_GROUNDS)
    schema = (ROOT / "schema.graphql").read_text(encoding="utf-8")
    described = schema[schema.index("type RefusalGround"):]
    assert "Null for the eight licensing grounds of 001 App.3 item 10" in described[: described.index("}")]


def test_001_app3_item10_the_seed_has_no_kazakh_edition_of_169():
    """If a Kazakh edition of 001 ever joins the seeds, this fails: take the grounds from it."""
    licensing = _seed("001")
    assert "лицензиялық алым" not in licensing and "Бас тарту үшін негіздер" not in licensing


@pytest.mark.parametrize("ground", REGISTRY_GROUNDS + POOL_GROUNDS, ids=lambda g: f"{g.enumeration}-{g.code.value}")
def test_000_004_kazakh_grounds_are_verbatim_from_the_seeds(ground):
    kazakh = _seed("000") + _seed("004")
    assert ground.text_kk and _norm(ground.text_kk) in kazakh


def test_every_problem_code_has_three_languages_and_real_kazakh():
    assert set(PROBLEM_MESSAGES) == set(ProblemCode)
    for code, texts in PROBLEM_MESSAGES.items():
        assert all(texts.get(lang, "").strip() for lang in LANGS), code
        assert texts["kk"] != texts["ru"] and KAZAKH_LETTERS & set(texts["kk"]), code


def test_every_document_and_confirmation_is_named_in_three_languages():
    expected = {f"documents.{k.value}" for k in DocumentKind} | {f"confirmations.{f.name}" for f in fields(Confirmations)}
    assert set(SUBJECT_NAMES) == expected
    for key, names in SUBJECT_NAMES.items():
        assert all(names.get(lang, "").strip() for lang in LANGS), key
        assert KAZAKH_LETTERS & set(names["kk"]), key


@pytest.mark.parametrize(
    ("field", "kk", "ru"),
    [
        ("documents.DC_OWNERSHIP", "меншік құқығында немесе өзге де заңды негізде", "на праве собственности"),
        ("documents.GRID_TECH_CONDITIONS", "35 киловольт және одан жоғары", "35 киловольт и выше"),
        ("documents.ELECTRICITY_SOURCE_PROOF", "электр энергиясын сатып алудың жаңа көзін", "новый источник"),
    ],
)
def test_001_app11_a_missing_document_is_named_in_kazakh_and_russian(field, kk, ru):
    problem = Problem("MISSING_DOCUMENT", field, "specifics in English")
    assert problem.message("kk").startswith("Міндетті құжат ұсынылмаған: ") and kk in problem.message("kk")
    assert problem.message("ru").startswith("Не представлен обязательный документ: ") and ru in problem.message("ru")
    assert problem.message("en") == "specifics in English"


def test_001_app1_a_missing_confirmation_and_a_data_center_are_named():
    consent = Problem("MISSING_CONFIRMATION", "confirmations.personal_data_consent", "x")
    assert "дербес деректерді пайдалануға келіседі" in consent.message("kk")
    assert "согласен на использование персональных данных" in consent.message("ru")
    grid = Problem("GRID_BELOW_35KV", "data_center_ids[1]", "x")
    assert grid.message("kk").endswith(": № 2 деректерді өңдеу орталығы.")
    assert grid.message("ru").endswith(": центр обработки данных № 2.")
    # a field that names nothing we word: the code's message alone
    assert Problem("QUANTITY_MISMATCH", "declaredQuantity", "x").message("kk") == PROBLEM_MESSAGES[
        ProblemCode.QUANTITY_MISMATCH]["kk"]


@pytest.mark.parametrize(
    ("code", "language", "fragment"),
    [
        # 001 §7, 002 §9: "документов с истекшим сроком действия"; 000 §9 "қолданылу мерзімі өткен"
        (ProblemCode.EXPIRED_DOCUMENT, "ru", "с истекшим сроком действия"),
        (ProblemCode.EXPIRED_DOCUMENT, "kk", "Қолданылу мерзімі өткен"),
        # 002 App.2 item 8, 000 App.2 item 8: consent to collecting and processing personal data
        (ProblemCode.PD_CONSENT_MISSING, "ru", "согласие на сбор и обработку персональных данных"),
        (ProblemCode.PD_CONSENT_MISSING, "kk", "Дербес деректерді жинауға және өңдеуге"),
        # 000 App.5 item 8(2): the exclusion document
        (ProblemCode.REASON_DOCUMENT_MISSING, "kk", "кәдеге жарату"),
    ],
)
def test_seed_wording_of_problem_messages(code, language, fragment):
    assert fragment in PROBLEM_MESSAGES[code][language]


def test_001_s18_1_revocation_is_deprivation_of_the_licence():
    """§18-1: "лишение лицензии и (или) приложения к лицензии"."""
    assert "лишён лицензии (приложения)" in render(ErrorCode.LICENSE_REVOKED, "ru", {"action": "RESUME"})
    assert "айырылған" in CATALOGUE[ErrorCode.LICENSE_REVOKED].kk
    assert "отозван" not in CATALOGUE[ErrorCode.LICENSE_REVOKED].ru
