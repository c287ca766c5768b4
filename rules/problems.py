"""Problems found in an application's package: one code each, the input field concerned, and a
message in Kazakh, Russian and English.

The completeness checks of every procedure (licensing 001 §7 / App.11, the registry 002 App.2 /
App.4, pools 004 App.2) return lists of `Problem`s; officers see them before accepting a
package, and the applicant sees them in the typed error `ApplicationIncomplete`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

from rules.errors import DEFAULT_LANGUAGE, LANGUAGES

__all__ = [
    "PROBLEM_KINDS",
    "PROBLEM_MESSAGES",
    "FurtherReviewReason",
    "Problem",
    "ProblemCode",
    "ProblemKind",
    "further_review_reasons",
    "split_problems",
]


class ProblemCode(str, Enum):
    MISSING_DOCUMENT = "MISSING_DOCUMENT"
    EXPIRED_DOCUMENT = "EXPIRED_DOCUMENT"
    DOCUMENT_NOT_FOR_SUBTYPE = "DOCUMENT_NOT_FOR_SUBTYPE"
    MISSING_CONFIRMATION = "MISSING_CONFIRMATION"
    ELECTRICITY_METHOD_REQUIRED = "ELECTRICITY_METHOD_REQUIRED"
    ELECTRICITY_METHOD_MISMATCH = "ELECTRICITY_METHOD_MISMATCH"
    DATA_CENTER_REQUIRED = "DATA_CENTER_REQUIRED"
    DC_IN_RESIDENTIAL_ZONE = "DC_IN_RESIDENTIAL_ZONE"
    MISSING_GRID_FACTS = "MISSING_GRID_FACTS"
    GRID_BELOW_35KV = "GRID_BELOW_35KV"
    GRID_BELOW_1MW = "GRID_BELOW_1MW"
    HOST_NOT_LICENSED = "HOST_NOT_LICENSED"
    OWNERSHIP_DOCUMENT_MISSING = "OWNERSHIP_DOCUMENT_MISSING"
    PD_CONSENT_MISSING = "PD_CONSENT_MISSING"
    QUANTITY_MISMATCH = "QUANTITY_MISMATCH"
    REASON_DOCUMENT_MISSING = "REASON_DOCUMENT_MISSING"
    FEE_UNDERPAID = "FEE_UNDERPAID"
    POOL_NOT_ACCREDITED = "POOL_NOT_ACCREDITED"
    POOL_NOT_VERIFIABLE = "POOL_NOT_VERIFIABLE"
    POOL_CONDITION_NOT_SHOWN = "POOL_CONDITION_NOT_SHOWN"
    POOL_CONDITION_NOT_MET = "POOL_CONDITION_NOT_MET"


class ProblemKind(str, Enum):
    """Which check found a problem: the two checks of 001 §7 and §8 lead to different acts."""

    # 001 §7 (002 §9, 004 §7): documents present and not expired, confirmations given, the facts
    # the form requires stated. Blocks acceptance; the ground of a refusal of further review.
    COMPLETENESS = "COMPLETENESS"
    # 001 §8: the qualification requirements themselves, judged in review. Not incompleteness:
    # a ground of App.3 item 10(3), heard at a hearing before any refusal (§10).
    QUALIFICATION = "QUALIFICATION"
    # A requirement the system cannot check from its data (e.g. no pool membership recorded):
    # shown to the officer, decides nothing by itself.
    NOT_VERIFIABLE = "NOT_VERIFIABLE"


# Every code not listed is a completeness problem.
PROBLEM_KINDS: Mapping[ProblemCode, ProblemKind] = {
    ProblemCode.DC_IN_RESIDENTIAL_ZONE: ProblemKind.QUALIFICATION,  # 001 §2.7, App.11 I(2)
    ProblemCode.GRID_BELOW_35KV: ProblemKind.QUALIFICATION,  # App.11 I(5)
    ProblemCode.GRID_BELOW_1MW: ProblemKind.QUALIFICATION,  # App.11 I(5)
    ProblemCode.HOST_NOT_LICENSED: ProblemKind.QUALIFICATION,  # §3, App.11 II(1)
    ProblemCode.ELECTRICITY_METHOD_MISMATCH: ProblemKind.QUALIFICATION,  # App.11 I(5) note
    ProblemCode.POOL_NOT_ACCREDITED: ProblemKind.QUALIFICATION,  # App.11 I(3), II(2)
    ProblemCode.POOL_NOT_VERIFIABLE: ProblemKind.NOT_VERIFIABLE,
    ProblemCode.POOL_CONDITION_NOT_MET: ProblemKind.QUALIFICATION,  # 004 §4, App.2 item 9(2)
}


class FurtherReviewReason(str, Enum):
    """The reasons of a refusal of further review (001 §7 ¶2, §14 ¶2; 002 §9; 004 §7, §12): not
    the grounds of App.3 item 10, but the state of the package."""

    INCOMPLETE_PACKAGE = "INCOMPLETE_PACKAGE"  # "неполного пакета документов"
    EXPIRED_DOCUMENTS = "EXPIRED_DOCUMENTS"  # "документов с истекшим сроком действия"


PROBLEM_MESSAGES: Mapping[ProblemCode, Mapping[str, str]] = {
    ProblemCode.MISSING_DOCUMENT: {
        "kk": "Міндетті құжат жоқ.",
        "ru": "Отсутствует обязательный документ.",
        "en": "A required document is missing.",
    },
    ProblemCode.EXPIRED_DOCUMENT: {
        "kk": "Құжаттың қолданылу мерзімі өтіп кеткен.",
        "ru": "Срок действия документа истёк.",
        "en": "The document has expired.",
    },
    ProblemCode.DOCUMENT_NOT_FOR_SUBTYPE: {
        "kk": "Құжат өтінішті кіші түріне жатпайды.",
        "ru": "Документ не относится к подвиду заявления.",
        "en": "The document does not belong to the application's subtype.",
    },
    ProblemCode.MISSING_CONFIRMATION: {
        "kk": "Өтініш берушінің растауы берілмеген.",
        "ru": "Не дано подтверждение заявителя.",
        "en": "The applicant's confirmation was not given.",
    },
    ProblemCode.ELECTRICITY_METHOD_REQUIRED: {
        "kk": "Электр энергиясын сатып алу тәсілін көрсетіңіз.",
        "ru": "Укажите способ приобретения электрической энергии.",
        "en": "State how the electricity is bought.",
    },
    ProblemCode.ELECTRICITY_METHOD_MISMATCH: {
        "kk": "Электр энергиясын сатып алу тәсілі деректер орталығының қуат көзіне сәйкес келмейді.",
        "ru": "Способ приобретения электроэнергии не соответствует источнику питания ЦОД.",
        "en": "The electricity purchase method does not match the data center's power source.",
    },
    ProblemCode.DATA_CENTER_REQUIRED: {
        "kk": "Деректер орталығын көрсетіңіз.",
        "ru": "Укажите центр обработки данных.",
        "en": "Name the data center.",
    },
    ProblemCode.DC_IN_RESIDENTIAL_ZONE: {
        "kk": "Деректер орталығы тұрғын аймақта орналасқан.",
        "ru": "ЦОД расположен в жилой зоне.",
        "en": "The data center is in a residential zone.",
    },
    ProblemCode.MISSING_GRID_FACTS: {
        "kk": "Қосалқы станцияның кернеуі немесе рұқсат етілген қуат көрсетілмеген.",
        "ru": "Не указаны напряжение подстанции или разрешённая мощность.",
        "en": "The substation voltage or the permitted capacity is not given.",
    },
    ProblemCode.GRID_BELOW_35KV: {
        "kk": "Қосалқы станцияның кернеуі 35 кВ-тан төмен.",
        "ru": "Напряжение подстанции ниже 35 кВ.",
        "en": "The substation voltage is below 35 kV.",
    },
    ProblemCode.GRID_BELOW_1MW: {
        "kk": "Рұқсат етілген қуат 1 МВт-тан төмен.",
        "ru": "Разрешённая мощность ниже 1 МВт.",
        "en": "The permitted capacity is below 1 MW.",
    },
    ProblemCode.HOST_NOT_LICENSED: {
        "kk": "Орналастыратын деректер орталығының иесінде I кіші түрдегі қолданыстағы лицензия жоқ.",
        "ru": "У владельца ЦОД размещения нет действующей лицензии подвида I.",
        "en": "The host data center's owner holds no active subtype I licence.",
    },
    ProblemCode.OWNERSHIP_DOCUMENT_MISSING: {
        "kk": "Меншік құқығын растайтын құжаттың көшірмесі жоқ.",
        "ru": "Нет копии документа, подтверждающего право собственности.",
        "en": "The copy of the ownership document is missing.",
    },
    ProblemCode.PD_CONSENT_MISSING: {
        "kk": "Дербес деректерді өңдеуге келісім берілмеген.",
        "ru": "Не дано согласие на обработку персональных данных.",
        "en": "Consent to personal data processing was not given.",
    },
    ProblemCode.QUANTITY_MISMATCH: {
        "kk": "Өтініштегі саны тізімдегі жолдар санына сәйкес келмейді.",
        "ru": "Количество в заявлении не совпадает с числом строк перечня.",
        "en": "The quantity in the application differs from the number of unit lines.",
    },
    ProblemCode.REASON_DOCUMENT_MISSING: {
        "kk": "Алып тастау себебін растайтын құжат жоқ.",
        "ru": "Нет документа, подтверждающего причину исключения.",
        "en": "The document proving the reason for exclusion is missing.",
    },
    ProblemCode.FEE_UNDERPAID: {
        "kk": "Лицензиялық алым толық төленбеген.",
        "ru": "Лицензионный сбор оплачен не полностью.",
        "en": "The licence fee is underpaid.",
    },
    ProblemCode.POOL_NOT_ACCREDITED: {
        "kk": "Цифрлық майнингтік пул тіркелген күні аккредиттелмеген.",
        "ru": "Цифровой майнинговый пул не аккредитован на дату регистрации.",
        "en": "The digital mining pool was not accredited on the registration date.",
    },
    ProblemCode.POOL_NOT_VERIFIABLE: {
        "kk": "Тіркелген күні майнердің пулы жүйеде жоқ: пулдың аккредиттелуін қызметкер тексереді.",
        "ru": "Пул майнера на дату регистрации в системе не записан: аккредитацию пула проверяет сотрудник.",
        "en": "No pool is recorded for the miner on the registration date: the officer checks the pool's accreditation.",
    },
    ProblemCode.POOL_CONDITION_NOT_SHOWN: {
        "kk": "Пулды аккредиттеудің міндетті шарты көрсетілмеген немесе расталмаған.",
        "ru": "Не указано или не подтверждено обязательное условие аккредитации пула.",
        "en": "A mandatory accreditation condition is not shown.",
    },
    ProblemCode.POOL_CONDITION_NOT_MET: {
        "kk": "Пулды аккредиттеудің міндетті шарты орындалмаған.",
        "ru": "Обязательное условие аккредитации пула не соблюдено.",
        "en": "A mandatory accreditation condition is not met.",
    },
}


@dataclass(frozen=True)
class Problem:
    """One gap in a package: its code, the input field it concerns (dotted, as the client
    named it, e.g. `documents.DC_OWNERSHIP`), and the specifics in English."""

    code: ProblemCode
    field: str
    message_en: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "code", ProblemCode(self.code))

    @property
    def kind(self) -> ProblemKind:
        return PROBLEM_KINDS.get(self.code, ProblemKind.COMPLETENESS)

    def message(self, language: str) -> str:
        """The code's message in `language`; English carries the specifics."""
        if language == "en":
            return self.message_en
        texts = PROBLEM_MESSAGES[self.code]
        return texts[language if language in LANGUAGES else DEFAULT_LANGUAGE]


def split_problems(problems: Sequence[Problem]) -> tuple[list[Problem], list[Problem]]:
    """(completeness problems, qualification findings incl. the not verifiable ones)."""
    completeness = [p for p in problems if p.kind is ProblemKind.COMPLETENESS]
    return completeness, [p for p in problems if p.kind is not ProblemKind.COMPLETENESS]


def further_review_reasons(problems: Sequence[Problem]) -> list[FurtherReviewReason]:
    """The reasons a refusal of further review states for these completeness problems."""
    reasons = set()
    for p in problems:
        if p.kind is ProblemKind.COMPLETENESS:
            expired = p.code is ProblemCode.EXPIRED_DOCUMENT
            reasons.add(FurtherReviewReason.EXPIRED_DOCUMENTS if expired else FurtherReviewReason.INCOMPLETE_PACKAGE)
    return sorted(reasons, key=list(FurtherReviewReason).index)
