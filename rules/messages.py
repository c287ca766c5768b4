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
