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
    "LICENSE_REVOKED": {
        "kk": "Лицензиядан (немесе оның қосымшасынан) айырылған: «{action}» әрекеті мүмкін емес.",
        "ru": "Лицензия (или приложение к ней) отозвана: действие «{action}» невозможно.",
        "en": "The licence (or appendix) has been revoked: {action} is not possible.",
    },
    "SUSPENSION_TERM": {
        "kk": "Тоқтата тұру мерзімі бір айдан алты айға дейін: аяқталу күні {earliest} мен {latest} аралығында болуы тиіс.",
        "ru": "Срок приостановления — от одного до шести месяцев: дата окончания должна быть с {earliest} по {latest}.",
        "en": "A suspension lasts one to six months: its end date must fall between {earliest} and {latest}.",
    },
    "APPLICATION_NOT_DECIDED": {
        "kk": "Шағым тек шешім қабылданған өтініш бойынша беріледі (ағымдағы кезең: «{stage}»).",
        "ru": "Жалоба подаётся только на заявление, по которому принято решение (текущий этап: «{stage}»).",
        "en": "A complaint can only be filed against a decided application (current stage: {stage}).",
    },
    "COMPLAINT_GRANT_WINDOW_CLOSED": {
        "kk": "Шағымды толық қанағаттандыру мерзімі (3 жұмыс күні) өтіп кетті: {limit}.",
        "ru": "Срок полного удовлетворения жалобы (3 рабочих дня) истёк: {limit}.",
        "en": "The 3-working-day window to grant the complaint in full has closed: {limit}.",
    },
    "SERIAL_ALREADY_REGISTERED": {
        "kk": "{serial} сериялық нөмірлі құрылғы тізілімде тұр (жазба № {record}).",
        "ru": "Устройство с серийным номером {serial} уже внесено в реестр (запись № {record}).",
        "en": "The unit with serial number {serial} is already registered (record No. {record}).",
    },
    "UNIT_NOT_IN_REGISTRY": {
        "kk": "{serial} жазбасы өтініш берушінің тізіліміндегі жазбалар арасында жоқ.",
        "ru": "Запись {serial} не найдена среди действующих записей реестра заявителя.",
        "en": "Record {serial} is not among the applicant's records in the registry.",
    },
    "DATA_CENTER_NOT_USABLE": {
        "kk": "Майнер бұл деректер орталығын пайдалана алмайды: өз ДО-сы емес және онда "
        "орналастыруға II кіші түрдегі лицензиясы жоқ.",
        "ru": "Майнер не может размещать оборудование в этом ЦОД: он не принадлежит майнеру, "
        "и лицензии подвида II на размещение в нём нет.",
        "en": "The miner may not place units in this data center: it is not its own and it "
        "holds no subtype II licence to be hosted there.",
    },
    "INVALID_TNVED": {
        "kk": "ЕАЭО СЭҚ ТН коды 10 цифрдан тұруы керек.",
        "ru": "Код ТН ВЭД ЕАЭС должен состоять из 10 цифр.",
        "en": "The TN VED EAEU code must be 10 digits.",
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
