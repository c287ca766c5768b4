"""Alerts to people: what each kind of notification says, in Kazakh and Russian (the recipient's
language), as plain templates. Which events raise which notifications is resolvers/notifications.py."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any


class NotificationKind(str, Enum):
    POOL_CHANGE_OPENED = "POOL_CHANGE_OPENED"  # the 2-WD obligation to notify a change of pool (001 §16)
    POOL_CHANGE_DUE_TOMORROW = "POOL_CHANGE_DUE_TOMORROW"
    POOL_CHANGE_OVERDUE = "POOL_CHANGE_OVERDUE"
    HEARING_SCHEDULED = "HEARING_SCHEDULED"  # the notice of a hearing (001 §10)
    DECISION = "DECISION"  # an application approved or refused
    ESCALATION = "ESCALATION"  # to the head of the unit: a term was breached


class BreachKind(str, Enum):
    """What an escalation (the supervisors' queue) is about: a term breached."""

    APPLICATION = "APPLICATION"  # an application past its stage's term
    COMPLAINT = "COMPLAINT"  # a complaint past its review (or forwarding) term
    OBLIGATION = "OBLIGATION"  # a miner's notice past its term (the 2-WD pool change)


def late_days(due: datetime | None, until: datetime) -> int:
    """Whole days from the term to `until` (now, or when the breach was resolved); 0 when not
    yet late or the term is unknown."""
    if due is None or until <= due:
        return 0
    return (until - due).days


class NotificationLanguage(str, Enum):
    """The language a user's notifications are written in (models.access.User.language)."""

    KK = "kk"
    RU = "ru"


LANGUAGES = tuple(language.value for language in NotificationLanguage)

_TEMPLATES: dict[NotificationKind, dict[str, tuple[str, str]]] = {
    NotificationKind.POOL_CHANGE_OPENED: {
        "ru": ("Смена пула: уведомите уполномоченный орган",
               "Вы сменили пул. Уведомите уполномоченный орган в течение 2 рабочих дней, до {due}."),
        "kk": ("Пулды ауыстыру: уәкілетті органды хабардар етіңіз",
               "Сіз пулды ауыстырдыңыз. Уәкілетті органды 2 жұмыс күні ішінде, {due} дейін хабардар етіңіз."),
    },
    NotificationKind.POOL_CHANGE_DUE_TOMORROW: {
        "ru": ("Завтра истекает срок уведомления о смене пула",
               "Срок уведомления о смене пула истекает {due}. Направьте уведомление."),
        "kk": ("Пулды ауыстыру туралы хабарлама мерзімі ертең аяқталады",
               "Пулды ауыстыру туралы хабарлама мерзімі {due} аяқталады. Хабарламаны жіберіңіз."),
    },
    NotificationKind.POOL_CHANGE_OVERDUE: {
        "ru": ("Просрочено уведомление о смене пула",
               "Срок уведомления о смене пула истёк {due}. Направьте уведомление незамедлительно."),
        "kk": ("Пулды ауыстыру туралы хабарлама мерзімі өтіп кетті",
               "Пулды ауыстыру туралы хабарлама мерзімі {due} өтті. Хабарламаны дереу жіберіңіз."),
    },
    NotificationKind.HEARING_SCHEDULED: {
        "ru": ("Заслушивание по заявлению {number}",
               "Заслушивание назначено: {hearing_on}, {hearing_time}; место (способ): {place}."),
        "kk": ("{number} өтініш бойынша тыңдау",
               "Тыңдау тағайындалды: {hearing_on}, сағат {hearing_time}; орны (тәсілі): {place}."),
    },
    NotificationKind.DECISION: {
        "ru": ("Решение по заявлению {number}", "По заявлению {number} принято решение: {outcome}."),
        "kk": ("{number} өтініш бойынша шешім", "{number} өтініш бойынша шешім қабылданды: {outcome}."),
    },
    NotificationKind.ESCALATION: {
        "ru": ("Нарушен срок: {what}", "Срок истёк {due}: {what}. Требуется решение руководителя."),
        "kk": ("Мерзім бұзылды: {what}", "Мерзім {due} өтті: {what}. Басшының шешімі қажет."),
    },
}

OUTCOMES = {"APPROVED": {"ru": "одобрено", "kk": "мақұлданды"}, "REFUSED": {"ru": "отказано", "kk": "бас тартылды"}}


def render(kind: NotificationKind, language: str, params: dict[str, Any]) -> tuple[str, str]:
    """(subject, body) in `language` (kk or ru; anything else reads Russian)."""
    subject, body = _TEMPLATES[kind][language if language in LANGUAGES else "ru"]
    values = {k: "" if v is None else v for k, v in params.items()}
    return subject.format_map(_Blank(values)), body.format_map(_Blank(values))


class _Blank(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> str:
        return "—"
