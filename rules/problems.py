"""Problems found in an application's package: one code each, the input field concerned, and a
message in Kazakh, Russian and English.

The completeness checks of every procedure (licensing 001 §7 / App.11, the registry 002 App.2 /
App.4, pools 004 App.2) return lists of `Problem`s; officers see them before accepting a
package, and the applicant sees them in the typed error `ApplicationIncomplete`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

from rules.errors import DEFAULT_LANGUAGE, LANGUAGES

__all__ = ["PROBLEM_MESSAGES", "Problem", "ProblemCode"]


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

    def message(self, language: str) -> str:
        """The code's message in `language`; English carries the specifics."""
        if language == "en":
            return self.message_en
        texts = PROBLEM_MESSAGES[self.code]
        return texts[language if language in LANGUAGES else DEFAULT_LANGUAGE]
