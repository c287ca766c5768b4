"""Problems found in an application's package: one code each, the input field concerned, and a
message in Kazakh, Russian and English.

The completeness checks of every procedure (licensing 001 §7 / App.11, the registry 002 App.2 /
App.4, pools 004 App.2) return lists of `Problem`s; officers see them before accepting a
package, and the applicant sees them in the typed error `ApplicationIncomplete`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

from rules.errors import DEFAULT_LANGUAGE, LANGUAGES

__all__ = [
    "PROBLEM_KINDS",
    "PROBLEM_MESSAGES",
    "SUBJECT_NAMES",
    "FurtherReviewReason",
    "Problem",
    "ProblemCode",
    "ProblemKind",
    "further_review_reasons",
    "split_problems",
    "subject_of",
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


# The message of each code. Russian and Kazakh follow the seeds' wording where they word it
# (001 §7 / 002 §9 "документов с истекшим сроком действия", 000 §9 "қолданылу мерзімі өткен
# құжаттар"; 002 App.2 / 000 App.2 items 8-9 for consent and the ownership document; 002 App.5 /
# 000 App.5 item 8(2) for the exclusion document); elsewhere careful Kazakh (001 has no Kazakh
# edition in the seeds).
PROBLEM_MESSAGES: Mapping[ProblemCode, Mapping[str, str]] = {
    ProblemCode.MISSING_DOCUMENT: {
        "kk": "Міндетті құжат ұсынылмаған.",
        "ru": "Не представлен обязательный документ.",
        "en": "A required document is missing.",
    },
    ProblemCode.EXPIRED_DOCUMENT: {
        "kk": "Қолданылу мерзімі өткен құжат ұсынылған.",
        "ru": "Представлен документ с истекшим сроком действия.",
        "en": "The document has expired.",
    },
    ProblemCode.DOCUMENT_NOT_FOR_SUBTYPE: {
        "kk": "Құжат өтініштің кіші түріне жатпайды.",
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
        "kk": "Электр энергиясын сатып алу тәсілі деректерді өңдеу орталығының қуат көзіне сәйкес келмейді.",
        "ru": "Способ приобретения электрической энергии не соответствует источнику питания центра обработки данных.",
        "en": "The electricity purchase method does not match the data center's power source.",
    },
    ProblemCode.DATA_CENTER_REQUIRED: {
        "kk": "Цифрлық майнингтің деректерді өңдеу орталығын көрсетіңіз.",
        "ru": "Укажите центр обработки данных цифрового майнинга.",
        "en": "Name the data center.",
    },
    ProblemCode.DC_IN_RESIDENTIAL_ZONE: {
        "kk": "Деректерді өңдеу орталығы тұрғын аймақта орналасқан.",
        "ru": "Центр обработки данных расположен в жилой зоне.",
        "en": "The data center is in a residential zone.",
    },
    ProblemCode.MISSING_GRID_FACTS: {
        "kk": "Трансформаторлық қосалқы станцияның кернеуі немесе рұқсат етілген қуат көрсетілмеген.",
        "ru": "Не указаны напряжение трансформаторной подстанции или разрешенная мощность.",
        "en": "The substation voltage or the permitted capacity is not given.",
    },
    ProblemCode.GRID_BELOW_35KV: {
        "kk": "Трансформаторлық қосалқы станцияның кернеуі 35 киловольттан төмен.",
        "ru": "Напряжение трансформаторной подстанции ниже 35 киловольт.",
        "en": "The substation voltage is below 35 kV.",
    },
    ProblemCode.GRID_BELOW_1MW: {
        "kk": "Рұқсат етілген қуат бір мегаваттан төмен.",
        "ru": "Разрешенная мощность менее одного мегаватта.",
        "en": "The permitted capacity is below 1 MW.",
    },
    ProblemCode.HOST_NOT_LICENSED: {
        "kk": "Орналастыратын деректерді өңдеу орталығының иесінде I кіші түрдегі қолданыстағы лицензия жоқ.",
        "ru": "У владельца центра обработки данных размещения нет действующей лицензии I подвида.",
        "en": "The host data center's owner holds no active subtype I licence.",
    },
    ProblemCode.OWNERSHIP_DOCUMENT_MISSING: {
        "kk": "Аппараттық-бағдарламалық кешенге меншік құқығын растайтын құжаттың көшірмесі ұсынылмаған.",
        "ru": "Не представлена копия документа, подтверждающего право собственности на "
        "аппаратно-программный комплекс.",
        "en": "The copy of the ownership document is missing.",
    },
    ProblemCode.PD_CONSENT_MISSING: {
        "kk": "Дербес деректерді жинауға және өңдеуге келісім берілмеген.",
        "ru": "Не дано согласие на сбор и обработку персональных данных.",
        "en": "Consent to personal data processing was not given.",
    },
    ProblemCode.QUANTITY_MISMATCH: {
        "kk": "Өтініштегі саны тізбедегі жолдар санына сәйкес келмейді.",
        "ru": "Количество в заявлении не совпадает с числом строк перечня.",
        "en": "The quantity in the application differs from the number of unit lines.",
    },
    ProblemCode.REASON_DOCUMENT_MISSING: {
        "kk": "Аппараттық-бағдарламалық кешенді кәдеге жарату/пайдалану мерзімдерінің аяқталуын/сату "
        "немесе жоғалтуды растайтын құжаттың көшірмесі ұсынылмаған.",
        "ru": "Не представлена копия документа, подтверждающая утилизацию/истечение сроков эксплуатации/"
        "продажи или утраты аппаратно-программного комплекса.",
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

# What a problem's field names, in each language: the documents of 001 App.11 (and of a
# re-issue, App.9 ground 5), by `documents.<KIND>`, and the four confirmations of App.1 / App.2 /
# App.9 / App.10, by `confirmations.<name>`. Russian after 001's wording; Kazakh careful renderings.
SUBJECT_NAMES: Mapping[str, Mapping[str, str]] = {
    "documents.DC_OWNERSHIP": {
        "kk": "цифрлық майнингтің деректерді өңдеу орталығының меншік құқығында немесе өзге де заңды негізде "
        "болуын растайтын құжат (11-қосымшаның 1.1-тармақшасы)",
        "ru": "документ, подтверждающий наличие на праве собственности или на другом законном основании центра "
        "обработки данных цифрового майнинга (приложение 11, пункт 1.1)",
        "en": "the document of ownership or other lawful holding of the data center (App.11 item 1.1)",
    },
    "documents.DC_OUTSIDE_RESIDENTIAL": {
        "kk": "деректерді өңдеу орталығының тұрғын аймақтан тыс орналасқаны туралы кепілдік хат "
        "(11-қосымшаның 1.2-тармақшасы)",
        "ru": "гарантийное письмо о расположении центра обработки данных вне жилой зоны (приложение 11, пункт 1.2)",
        "en": "the letter that the data center is outside residential zones (App.11 item 1.2)",
    },
    "documents.POOL_EVIDENCE": {
        "kk": "аккредиттелген цифрлық майнингтік пулмен жасалған шарт, анықтама немесе жазбаша жауап "
        "(11-қосымшаның 1.3 және 2.2-тармақшалары)",
        "ru": "справка, письменный ответ или договор с аккредитованным цифровым майнинговым пулом (приложение 11, "
        "пункты 1.3 и 2.2)",
        "en": "the certificate, letter or contract with an accredited mining pool (App.11 items 1.3, 2.2)",
    },
    "documents.ASKUE_TELECOM": {
        "kk": "электр энергиясын коммерциялық есепке алудың автоматтандырылған жүйесінің, жүктемені ажыратудың "
        "арнайы автоматикасының және телекоммуникация жүйесінің болуын растайтын құжат (11-қосымшаның "
        "1.4-тармақшасы)",
        "ru": "документ о наличии автоматизированной системы коммерческого учета электрической энергии, "
        "специальной автоматики отключения нагрузки и системы телекоммуникаций (приложение 11, пункт 1.4)",
        "en": "the document on metering (ASKUE), load-shedding automation and telecoms (App.11 item 1.4)",
    },
    "documents.GRID_TECH_CONDITIONS": {
        "kk": "кернеуі 35 киловольт және одан жоғары, рұқсат етілген қуаты кемінде бір мегаватт трансформаторлық "
        "қосалқы станциялардан электр желілеріне қосылуға арналған техникалық шарттар (11-қосымшаның "
        "1.5-тармақшасы)",
        "ru": "технические условия на подключение к электрическим сетям от трансформаторных подстанций "
        "напряжением 35 киловольт и выше с разрешенной мощностью не менее одного мегаватта (приложение 11, "
        "пункт 1.5)",
        "en": "the grid technical conditions, 35 kV or more and at least 1 MW (App.11 item 1.5)",
    },
    "documents.BUILDING_TECH_CONDITIONS": {
        "kk": "2023 жылғы 1 сәуірге дейін қосылған дата-орталыққа, өндірістік немесе өнеркәсіптік ғимаратқа "
        "арналған электр желілеріне қосылуға техникалық шарттар (11-қосымшаның 1.5-тармақшасы)",
        "ru": "технические условия на подключение к электрическим сетям дата-центра, производственного или "
        "промышленного здания, подключенного до 1 апреля 2023 года (приложение 11, пункт 1.5)",
        "en": "the technical conditions of a building connected before 2023-04-01 (App.11 item 1.5 para 2)",
    },
    "documents.HOSTING_LETTER_OF_INTENT": {
        "kk": "I кіші түрдегі лицензиясы бар майнермен ынтымақтасу ниеті туралы кепілдік хат (11-қосымшаның "
        "2.1-тармақшасы)",
        "ru": "гарантийное письмо о намерении сотрудничества с лицензированным майнером I подвида (приложение 11, "
        "пункт 2.1)",
        "en": "the letter of intent to be hosted by a licensed subtype-I miner (App.11 item 2.1)",
    },
    "documents.ELECTRICITY_SOURCE_PROOF": {
        "kk": "электр энергиясын сатып алудың жаңа көзін растайтын құжат (9-қосымша, 5-негіз)",
        "ru": "документ, подтверждающий новый источник приобретения электрической энергии (приложение 9, "
        "основание 5)",
        "en": "the document of the new electricity source (App.9 ground 5)",
    },
    "confirmations.official_contacts": {
        "kk": "көрсетілген барлық деректер ресми байланыс деректері болып табылады",
        "ru": "все указанные данные являются официальными контактами",
        "en": "all the data given are official contacts",
    },
    "confirmations.no_court_ban": {
        "kk": "өтініш берушіге лицензияланатын қызмет түрімен және (немесе) кіші түрімен айналысуға сот тыйым "
        "салмаған",
        "ru": "заявителю не запрещено судом заниматься лицензируемым видом и (или) подвидом деятельности",
        "en": "no court bars the applicant from the licensed activity",
    },
    "confirmations.documents_true": {
        "kk": "қоса берілген барлық құжаттар шындыққа сәйкес келеді және дәйекті болып табылады",
        "ru": "все прилагаемые документы соответствуют действительности и являются достоверными",
        "en": "all the documents attached are true and reliable",
    },
    "confirmations.personal_data_consent": {
        "kk": "өтініш беруші қолжетімділігі шектеулі дербес деректерді пайдалануға келіседі",
        "ru": "заявитель согласен на использование персональных данных ограниченного доступа",
        "en": "the applicant consents to the use of restricted personal data",
    },
}

# A field that points at a position in a list the client sent: `data_center_ids[0]`,
# `documents[2].valid_until`; named by its number (from 1) in each language.
_POSITION = re.compile(r"^(data_center_ids|documents)\[(\d+)\]")
_POSITION_NAMES: Mapping[str, Mapping[str, str]] = {
    "data_center_ids": {"kk": "№ {n} деректерді өңдеу орталығы", "ru": "центр обработки данных № {n}",
                        "en": "data center No. {n}"},
    "documents": {"kk": "тізімдегі № {n} құжат", "ru": "документ № {n} в списке", "en": "document No. {n} in the list"},
}


def subject_of(field: str, language: str) -> str | None:
    """What ``field`` names, in ``language`` (kk, ru, en); None when it names nothing we word."""
    language = language if language in LANGUAGES else DEFAULT_LANGUAGE
    named = SUBJECT_NAMES.get(field)
    if named is not None:
        return named[language]
    match = _POSITION.match(field)
    if match is not None:
        return _POSITION_NAMES[match.group(1)][language].format(n=int(match.group(2)) + 1)
    return None


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
        """The code's message in `language`, naming what the field points at (the document, the
        confirmation, the data center); English carries the specifics."""
        if language == "en":
            return self.message_en
        text = PROBLEM_MESSAGES[self.code][language if language in LANGUAGES else DEFAULT_LANGUAGE]
        subject = subject_of(self.field, language)
        return f"{text.removesuffix('.')}: {subject}." if subject else text


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
