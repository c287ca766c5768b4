"""Human messages for error codes in Kazakh, Russian and English (Russian by default)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

LANGUAGES = ("kk", "ru", "en")
DEFAULT_LANGUAGE = "ru"

MESSAGES: Mapping[str, Mapping[str, str]] = {
    "UNAUTHENTICATED": {
        "kk": "Аутентификация қажет: жарамды API токенін жіберіңіз.",
        "ru": "Требуется аутентификация: передайте действующий API-токен.",
        "en": "Authentication required: send a valid API token.",
    },
    "FORBIDDEN": {
        "kk": "Бұл әрекетке рұқсатыңыз жоқ.",
        "ru": "У вас нет прав на это действие.",
        "en": "You are not allowed to do this.",
    },
    "NOT_FOUND": {
        "kk": "{entity} табылмады.",
        "ru": "{entity}: запись не найдена.",
        "en": "{entity} not found.",
    },
    "CONFLICT": {
        "kk": "Қайшылық: {what}.",
        "ru": "Конфликт: {what}.",
        "en": "Conflict: {what}.",
    },
    "VALIDATION": {
        "kk": "Қате дерек: {field} өрісі.",
        "ru": "Неверные данные в поле {field}.",
        "en": "Invalid value in field {field}.",
    },
    "INVALID_BIN": {
        "kk": "БСН/ЖСН жарамсыз: {value}.",
        "ru": "Недействительный БИН/ИИН: {value}.",
        "en": "Invalid BIN/IIN: {value}.",
    },
    "INVALID_ID": {
        "kk": "Идентификатор жарамсыз.",
        "ru": "Недействительный идентификатор.",
        "en": "Invalid identifier.",
    },
    "ILLEGAL_TRANSITION": {
        "kk": "«{stage}» кезеңінде «{action}» әрекеті мүмкін емес.",
        "ru": "Действие «{action}» недопустимо на этапе «{stage}».",
        "en": "Action {action} is not allowed at stage {stage}.",
    },
    "APPLICATION_INCOMPLETE": {
        "kk": "Құжаттар топтамасы толық емес: {problems}.",
        "ru": "Пакет документов неполный: {problems}.",
        "en": "The application is incomplete: {problems}.",
    },
    "DOCUMENT_NOT_FOR_SUBTYPE": {
        "kk": "{kind} құжаты {subtype} кіші түріне жатпайды.",
        "ru": "Документ {kind} не относится к подвиду {subtype}.",
        "en": "Document {kind} does not belong to subtype {subtype}.",
    },
    "FEE_NOT_PAID": {
        "kk": "Лицензиялық алым төленбеген.",
        "ru": "Лицензионный сбор не оплачен.",
        "en": "The licence fee has not been paid.",
    },
    "REISSUE_GROUND_REQUIRED": {
        "kk": "Қайта ресімдеу негізін көрсетіңіз.",
        "ru": "Укажите основание переоформления.",
        "en": "Give a ground for re-issue.",
    },
    "INVALID_REISSUE_GROUND": {
        "kk": "Бұл кіші түр үшін қайта ресімдеу негізі жарамсыз.",
        "ru": "Основание переоформления не предусмотрено для этого подвида.",
        "en": "This re-issue ground does not apply to the licence subtype.",
    },
    "HEARING_NOTICE_TOO_LATE": {
        "kk": "Тыңдау туралы хабарлама кешікті: соңғы рұқсат етілген күн {limit}.",
        "ru": "Уведомление о заслушивании опоздало: последний допустимый день {limit}.",
        "en": "The hearing notice is too late: the last allowed day is {limit}.",
    },
    "HEARING_TOO_LATE": {
        "kk": "Тыңдау хабарламадан кейін 2 жұмыс күнінен кешіктірілмей өтуі тиіс (соңғы күн {limit}).",
        "ru": "Заслушивание проводится не позднее 2 рабочих дней после уведомления (последний день {limit}).",
        "en": "The hearing must take place within 2 working days of the notice (last day {limit}).",
    },
    "HEARING_BEFORE_NOTICE": {
        "kk": "Тыңдау күні хабарлама күнінен бұрын болмауы тиіс.",
        "ru": "Дата заслушивания не может быть раньше уведомления.",
        "en": "The hearing cannot precede its notice.",
    },
    "REFUSAL_GROUND_REQUIRED": {
        "kk": "Бас тарту кемінде бір негізге сілтеме жасауы тиіс.",
        "ru": "Отказ должен ссылаться хотя бы на одно основание.",
        "en": "A refusal must cite at least one ground.",
    },
    "INVALID_REFUSAL_GROUND": {
        "kk": "Бас тарту негізі осы рәсім мен күнге қолданылмайды: {invalid}.",
        "ru": "Основание отказа не применяется к этой услуге на эту дату: {invalid}.",
        "en": "Refusal ground not applicable to this service on this date: {invalid}.",
    },
    "MISSING_MRP": {
        "kk": "{year} жылғы АЕК мәні енгізілмеген.",
        "ru": "Значение МРП на {year} год не внесено.",
        "en": "The MRP value for {year} is not recorded.",
    },
    "NO_RULES_IN_FORCE": {
        "kk": "Бұл күні қолданыстағы ережелер жоқ: {what}.",
        "ru": "На эту дату правила не действовали: {what}.",
        "en": "No rules were in force on that date: {what}.",
    },
    "INTERNAL": {
        "kk": "Ішкі қате. Кейінірек қайталап көріңіз.",
        "ru": "Внутренняя ошибка. Повторите попытку позже.",
        "en": "Internal error. Please try again later.",
    },
}

_GENERIC = {
    "kk": "Сұрау орындалмады ({code}).",
    "ru": "Запрос не выполнен ({code}).",
    "en": "Request failed ({code}).",
}


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return "?"


def render(code: str, language: str, params: Mapping[str, Any] | None = None) -> str:
    """The message for `code` in `language`; unknown codes still get a readable sentence."""
    language = language if language in LANGUAGES else DEFAULT_LANGUAGE
    template = MESSAGES.get(code, _GENERIC)[language]
    return template.format_map(_Blank(code=code, **(params or {})))


def negotiate_language(accept_language: str | None) -> str:
    """Pick kk, ru or en from an Accept-Language header by quality; Russian by default."""
    if not accept_language:
        return DEFAULT_LANGUAGE
    best: tuple[float, str] | None = None
    for part in accept_language.split(","):
        tag, _, q = part.strip().partition(";q=")
        primary = tag.strip().lower().split("-")[0]
        if primary not in LANGUAGES:
            continue
        try:
            quality = float(q) if q else 1.0
        except ValueError:
            continue
        if best is None or quality > best[0]:
            best = (quality, primary)
    return best[1] if best else DEFAULT_LANGUAGE
