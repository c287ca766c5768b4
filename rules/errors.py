"""The error catalogue: every error code of the API, its messages in Kazakh, Russian and English.

Resolvers and rules raise `DomainError(ErrorCode.X, field=..., **params)`; the GraphQL layer
turns it into a typed error in the mutation's payload (`errors`), or into a top-level error
with `extensions.code` for queries and for what is not the user's doing (authentication, a
malformed request, an internal failure). Messages are rendered in the caller's language with
the error's parameters.

Codes are part of the API contract: add new ones, never rename or reuse one. A test checks that
every code has its three messages and that every message's parameters are given where raised.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

__all__ = [
    "CATALOGUE",
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "DomainError",
    "ErrorCode",
    "Message",
    "render",
    "require",
]

LANGUAGES = ("kk", "ru", "en")
DEFAULT_LANGUAGE = "ru"


class ErrorCode(str, Enum):
    """Stable machine-readable error codes (one enum for the whole API)."""

    # -- the request itself (top-level GraphQL errors) ---------------------------------------
    UNAUTHENTICATED = "UNAUTHENTICATED"
    BAD_REQUEST = "BAD_REQUEST"
    GRAPHQL_VALIDATION = "GRAPHQL_VALIDATION"
    QUERY_TOO_COSTLY = "QUERY_TOO_COSTLY"
    REQUEST_TOO_LARGE = "REQUEST_TOO_LARGE"
    RATE_LIMITED = "RATE_LIMITED"
    TIMEOUT = "TIMEOUT"
    INTERNAL = "INTERNAL"
    # -- general (payload errors of any mutation; top-level errors of queries) ----------------
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    CONFLICT = "CONFLICT"
    VALIDATION = "VALIDATION"
    INVALID_ID = "INVALID_ID"
    INVALID_BIN = "INVALID_BIN"
    NO_RULES_IN_FORCE = "NO_RULES_IN_FORCE"
    # -- the application engine ---------------------------------------------------------------
    ILLEGAL_TRANSITION = "ILLEGAL_TRANSITION"
    APPLICATION_INCOMPLETE = "APPLICATION_INCOMPLETE"
    HEARING_NOTICE_TOO_LATE = "HEARING_NOTICE_TOO_LATE"
    HEARING_TOO_LATE = "HEARING_TOO_LATE"
    HEARING_BEFORE_NOTICE = "HEARING_BEFORE_NOTICE"
    REFUSAL_GROUND_REQUIRED = "REFUSAL_GROUND_REQUIRED"
    INVALID_REFUSAL_GROUND = "INVALID_REFUSAL_GROUND"
    PACKAGE_COMPLETE = "PACKAGE_COMPLETE"
    COMPLETENESS_TERM_PASSED = "COMPLETENESS_TERM_PASSED"
    DECISION_BEFORE_HEARING = "DECISION_BEFORE_HEARING"
    GROUND_NOT_HEARD = "GROUND_NOT_HEARD"
    QUALIFICATION_NOT_MET = "QUALIFICATION_NOT_MET"
    CHANNEL_NOT_ALLOWED = "CHANNEL_NOT_ALLOWED"
    # -- licensing ----------------------------------------------------------------------------
    DOCUMENT_NOT_FOR_SUBTYPE = "DOCUMENT_NOT_FOR_SUBTYPE"
    FEE_NOT_PAID = "FEE_NOT_PAID"
    MISSING_MRP = "MISSING_MRP"
    REISSUE_GROUND_REQUIRED = "REISSUE_GROUND_REQUIRED"
    INVALID_REISSUE_GROUND = "INVALID_REISSUE_GROUND"
    LICENSE_REVOKED = "LICENSE_REVOKED"
    SUSPENSION_TERM = "SUSPENSION_TERM"
    # -- complaints ---------------------------------------------------------------------------
    APPLICATION_NOT_DECIDED = "APPLICATION_NOT_DECIDED"
    COMPLAINT_GRANT_WINDOW_CLOSED = "COMPLAINT_GRANT_WINDOW_CLOSED"
    # -- the ASIC registry --------------------------------------------------------------------
    UNIT_LIST_INVALID = "UNIT_LIST_INVALID"
    SERIAL_ALREADY_REGISTERED = "SERIAL_ALREADY_REGISTERED"
    UNIT_NOT_IN_REGISTRY = "UNIT_NOT_IN_REGISTRY"
    DATA_CENTER_NOT_USABLE = "DATA_CENTER_NOT_USABLE"
    INVALID_TNVED = "INVALID_TNVED"
    # -- pools --------------------------------------------------------------------------------
    NOT_A_LEGAL_ENTITY = "NOT_A_LEGAL_ENTITY"
    # -- attached files -----------------------------------------------------------------------
    FILE_NOT_ACCEPTED = "FILE_NOT_ACCEPTED"
    POOL_NOT_ACCREDITED = "POOL_NOT_ACCREDITED"
    # -- partner events -----------------------------------------------------------------------
    EVENT_CURSOR_EXPIRED = "EVENT_CURSOR_EXPIRED"


@dataclass(frozen=True)
class Message:
    kk: str
    ru: str
    en: str

    def in_language(self, language: str) -> str:
        return getattr(self, language if language in LANGUAGES else DEFAULT_LANGUAGE)


CATALOGUE: Mapping[ErrorCode, Message] = {
    ErrorCode.UNAUTHENTICATED: Message(
        kk="Аутентификация қажет: жарамды API токенін жіберіңіз.",
        ru="Требуется аутентификация: передайте действующий API-токен.",
        en="Authentication required: send a valid API token.",
    ),
    ErrorCode.BAD_REQUEST: Message(
        kk="Сұрау дұрыс емес: {detail}.",
        ru="Некорректный запрос: {detail}.",
        en="Malformed request: {detail}.",
    ),
    ErrorCode.GRAPHQL_VALIDATION: Message(
        kk="GraphQL сұрауы жарамсыз.",
        ru="Недопустимый GraphQL-запрос.",
        en="Invalid GraphQL request.",
    ),
    ErrorCode.QUERY_TOO_COSTLY: Message(
        kk="Сұрау тым ауыр: бағасы {cost}, шегі {limit}. Беттер мен тізімдерді азайтыңыз.",
        ru="Запрос слишком тяжёлый: стоимость {cost} при пределе {limit}. Уменьшите размеры страниц и списков.",
        en="The query is too costly: {cost} against a limit of {limit}. Ask for smaller pages and lists.",
    ),
    ErrorCode.REQUEST_TOO_LARGE: Message(
        kk="Сұрау тым үлкен: шегі {limit} байт.",
        ru="Запрос слишком велик: предел {limit} байт.",
        en="The request is too large: the limit is {limit} bytes.",
    ),
    ErrorCode.RATE_LIMITED: Message(
        kk="Сұраулар тым көп. {retry_after} секундтан кейін қайталаңыз.",
        ru="Слишком много запросов. Повторите через {retry_after} с.",
        en="Too many requests. Try again in {retry_after} s.",
    ),
    ErrorCode.TIMEOUT: Message(
        kk="Сұрау {seconds} секундта орындалмады. Кейінірек қайталап көріңіз немесе сұрауды азайтыңыз.",
        ru="Запрос не выполнен за {seconds} с. Повторите позже или уменьшите запрос.",
        en="The request did not finish within {seconds} s. Try again later or ask for less.",
    ),
    ErrorCode.INTERNAL: Message(
        kk="Ішкі қате. Кейінірек қайталап көріңіз.",
        ru="Внутренняя ошибка. Повторите попытку позже.",
        en="Internal error. Please try again later.",
    ),
    ErrorCode.FORBIDDEN: Message(
        kk="Бұл әрекетке рұқсатыңыз жоқ.",
        ru="У вас нет прав на это действие.",
        en="You are not allowed to do this.",
    ),
    ErrorCode.NOT_FOUND: Message(
        kk="{entity} табылмады.",
        ru="{entity}: запись не найдена.",
        en="{entity} not found.",
    ),
    ErrorCode.CONFLICT: Message(
        kk="Қайшылық: {what}.",
        ru="Конфликт: {what}.",
        en="Conflict: {what}.",
    ),
    ErrorCode.VALIDATION: Message(
        kk="Қате дерек: {field} өрісі.",
        ru="Неверные данные в поле {field}.",
        en="Invalid value in field {field}.",
    ),
    ErrorCode.INVALID_ID: Message(
        kk="Идентификатор жарамсыз.",
        ru="Недействительный идентификатор.",
        en="Invalid identifier.",
    ),
    ErrorCode.INVALID_BIN: Message(
        kk="БСН/ЖСН жарамсыз: {value}.",
        ru="Недействительный БИН/ИИН: {value}.",
        en="Invalid BIN/IIN: {value}.",
    ),
    ErrorCode.NO_RULES_IN_FORCE: Message(
        kk="Бұл күні қолданыстағы ережелер жоқ: {what}.",
        ru="На эту дату правила не действовали: {what}.",
        en="No rules were in force on that date: {what}.",
    ),
    ErrorCode.ILLEGAL_TRANSITION: Message(
        kk="«{stage}» кезеңінде «{action}» әрекеті мүмкін емес.",
        ru="Действие «{action}» недопустимо на этапе «{stage}».",
        en="Action {action} is not allowed at stage {stage}.",
    ),
    ErrorCode.APPLICATION_INCOMPLETE: Message(
        kk="Құжаттар топтамасы толық емес ({count} кемшілік).",
        ru="Пакет документов неполный (замечаний: {count}).",
        en="The application is incomplete ({count} problem(s)).",
    ),
    ErrorCode.PACKAGE_COMPLETE: Message(
        kk="Құжаттар топтамасы толық: әрі қарай қараудан бас тартуға болмайды, өтініш мәні бойынша қаралады.",
        ru="Пакет документов полный: отказ в дальнейшем рассмотрении невозможен, заявление рассматривается по существу.",
        en="The package is complete: a refusal of further review is not possible; review it on the merits.",
    ),
    ErrorCode.COMPLETENESS_TERM_PASSED: Message(
        kk="Толықтығын тексеру мерзімі {due} күні аяқталды: әрі қарай қараудан бас тартуға енді болмайды.",
        ru="Срок проверки полноты истёк {due}: отказ в дальнейшем рассмотрении больше невозможен.",
        en="The completeness term ended on {due}: a refusal of further review is no longer possible.",
    ),
    ErrorCode.DECISION_BEFORE_HEARING: Message(
        kk="Шешім тыңдау нәтижелері бойынша, {hearing_on} күнінен бастап қабылданады.",
        ru="Решение принимается по результатам заслушивания, не ранее {hearing_on}.",
        en="The decision is taken by the results of the hearing, on or after {hearing_on}.",
    ),
    ErrorCode.GROUND_NOT_HEARD: Message(
        kk="«{ground}» негізі тыңдалған алдын ала шешімде болған жоқ.",
        ru="Основание «{ground}» не входило в предварительное решение, по которому проводилось заслушивание.",
        en="Ground {ground} was not in the preliminary decision heard at the hearing.",
    ),
    ErrorCode.QUALIFICATION_NOT_MET: Message(
        kk="Біліктілік талаптары орындалмаған ({count}): алдын ала бас тарту және тыңдау қажет.",
        ru="Квалификационные требования не соблюдены (замечаний: {count}): нужны предварительное решение об отказе и заслушивание.",
        en="Qualification requirements are not met ({count} finding(s)): a preliminary refusal and a hearing are due.",
    ),
    ErrorCode.CHANNEL_NOT_ALLOWED: Message(
        kk="Бұл қызмет тек портал арқылы көрсетіледі.",
        ru="Эта услуга оказывается только через портал.",
        en="This service is provided through the portal only.",
    ),
    ErrorCode.POOL_NOT_ACCREDITED: Message(
        kk="Пул {on} күні аккредиттелмеген: майнинг тек аккредиттелген пул арқылы жүргізіледі.",
        ru="Пул не аккредитован на {on}: майнинг ведётся только через аккредитованный пул.",
        en="The pool was not accredited on {on}: mining goes through accredited pools only.",
    ),
    ErrorCode.FILE_NOT_ACCEPTED: Message(
        kk="Файл қабылданбайды: {detail}.",
        ru="Файл не принят: {detail}.",
        en="The file is not accepted: {detail}.",
    ),
    ErrorCode.EVENT_CURSOR_EXPIRED: Message(
        kk="Курсор сақтау мерзімінен ({days} күн) ескі: оқиғаларды терезенің басынан оқыңыз (after жоқ).",
        ru="Курсор старше срока хранения событий ({days} дн.): читайте с начала окна (без after).",
        en="The cursor is older than the event retention window ({days} days): read from the window's start (no `after`).",
    ),
    ErrorCode.NOT_A_LEGAL_ENTITY: Message(
        kk="Тек заңды тұлға аккредиттеле алады: {bin} — ЖСН, БСН емес.",
        ru="Аккредитоваться может только юридическое лицо: {bin} — ИИН, а не БИН.",
        en="Only a legal entity may be accredited: {bin} is an IIN, not a BIN.",
    ),
    ErrorCode.HEARING_NOTICE_TOO_LATE: Message(
        kk="Тыңдау туралы хабарлама кешікті: соңғы рұқсат етілген күн {limit}.",
        ru="Уведомление о заслушивании опоздало: последний допустимый день {limit}.",
        en="The hearing notice is too late: the last allowed day is {limit}.",
    ),
    ErrorCode.HEARING_TOO_LATE: Message(
        kk="Тыңдау хабарламадан кейін 2 жұмыс күнінен кешіктірілмей өтуі тиіс (соңғы күн {limit}).",
        ru="Заслушивание проводится не позднее 2 рабочих дней после уведомления (последний день {limit}).",
        en="The hearing must take place within 2 working days of the notice (last day {limit}).",
    ),
    ErrorCode.HEARING_BEFORE_NOTICE: Message(
        kk="Тыңдау күні хабарлама күнінен бұрын болмауы тиіс.",
        ru="Дата заслушивания не может быть раньше уведомления.",
        en="The hearing cannot precede its notice.",
    ),
    ErrorCode.REFUSAL_GROUND_REQUIRED: Message(
        kk="Бас тарту кемінде бір негізге сілтеме жасауы тиіс.",
        ru="Отказ должен ссылаться хотя бы на одно основание.",
        en="A refusal must cite at least one ground.",
    ),
    ErrorCode.INVALID_REFUSAL_GROUND: Message(
        kk="Бас тарту негізі осы рәсім мен күнге қолданылмайды: {invalid}.",
        ru="Основание отказа не применяется к этой услуге на эту дату: {invalid}.",
        en="Refusal ground not applicable to this service on this date: {invalid}.",
    ),
    ErrorCode.DOCUMENT_NOT_FOR_SUBTYPE: Message(
        kk="{kind} құжаты {subtype} кіші түріне жатпайды.",
        ru="Документ {kind} не относится к подвиду {subtype}.",
        en="Document {kind} does not belong to subtype {subtype}.",
    ),
    ErrorCode.FEE_NOT_PAID: Message(
        kk="Лицензиялық алым төленбеген.",
        ru="Лицензионный сбор не оплачен.",
        en="The licence fee has not been paid.",
    ),
    ErrorCode.MISSING_MRP: Message(
        kk="{year} жылғы АЕК мәні енгізілмеген.",
        ru="Значение МРП на {year} год не внесено.",
        en="The MRP value for {year} is not recorded.",
    ),
    ErrorCode.REISSUE_GROUND_REQUIRED: Message(
        kk="Қайта ресімдеу негізін көрсетіңіз.",
        ru="Укажите основание переоформления.",
        en="Give a ground for re-issue.",
    ),
    ErrorCode.INVALID_REISSUE_GROUND: Message(
        kk="Бұл кіші түр үшін қайта ресімдеу негізі жарамсыз.",
        ru="Основание переоформления не предусмотрено для этого подвида.",
        en="This re-issue ground does not apply to the licence subtype.",
    ),
    ErrorCode.LICENSE_REVOKED: Message(
        kk="Лицензиядан (қосымшасынан) айырылған: «{action}» әрекеті мүмкін емес.",
        ru="Держатель лишён лицензии (приложения): действие «{action}» невозможно.",
        en="The holder has been deprived of the licence (appendix): {action} is not possible.",
    ),
    ErrorCode.SUSPENSION_TERM: Message(
        kk="Тоқтата тұру мерзімі бір айдан алты айға дейін: аяқталу күні {earliest} мен {latest} аралығында болуы тиіс.",
        ru="Срок приостановления — от одного до шести месяцев: дата окончания должна быть с {earliest} по {latest}.",
        en="A suspension lasts one to six months: its end date must fall between {earliest} and {latest}.",
    ),
    ErrorCode.APPLICATION_NOT_DECIDED: Message(
        kk="Шағым тек шешім қабылданған өтініш бойынша беріледі (ағымдағы кезең: «{stage}»).",
        ru="Жалоба подаётся только на заявление, по которому принято решение (текущий этап: «{stage}»).",
        en="A complaint can only be filed against a decided application (current stage: {stage}).",
    ),
    ErrorCode.COMPLAINT_GRANT_WINDOW_CLOSED: Message(
        kk="Шағымды толық қанағаттандыру мерзімі (3 жұмыс күні) өтіп кетті: {limit}.",
        ru="Срок полного удовлетворения жалобы (3 рабочих дня) истёк: {limit}.",
        en="The 3-working-day window to grant the complaint in full has closed: {limit}.",
    ),
    ErrorCode.UNIT_LIST_INVALID: Message(
        kk="Құрылғылар тізімінде қателер бар ({count}): ештеңе сақталмады.",
        ru="В перечне устройств есть ошибки ({count}): ничего не сохранено.",
        en="The unit list has errors ({count}): nothing was filed.",
    ),
    ErrorCode.SERIAL_ALREADY_REGISTERED: Message(
        kk="{serial} сериялық нөмірлі құрылғы тізілімде тұр (жазба № {record}).",
        ru="Устройство с серийным номером {serial} уже внесено в реестр (запись № {record}).",
        en="The unit with serial number {serial} is already registered (record No. {record}).",
    ),
    ErrorCode.UNIT_NOT_IN_REGISTRY: Message(
        kk="{serial} жазбасы өтініш берушінің тізіліміндегі жазбалар арасында жоқ.",
        ru="Запись {serial} не найдена среди действующих записей реестра заявителя.",
        en="Record {serial} is not among the applicant's records in the registry.",
    ),
    ErrorCode.DATA_CENTER_NOT_USABLE: Message(
        kk="Майнер бұл деректер орталығын пайдалана алмайды: өз ДО-сы емес және онда "
        "орналастыруға II кіші түрдегі лицензиясы жоқ.",
        ru="Майнер не может размещать оборудование в этом ЦОД: он не принадлежит майнеру, "
        "и лицензии подвида II на размещение в нём нет.",
        en="The miner may not place units in this data center: it is not its own and it "
        "holds no subtype II licence to be hosted there.",
    ),
    ErrorCode.INVALID_TNVED: Message(
        kk="ЕАЭО СЭҚ ТН коды 10 цифрдан тұруы керек.",
        ru="Код ТН ВЭД ЕАЭС должен состоять из 10 цифр.",
        en="The TN VED EAEU code must be 10 digits.",
    ),
}


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return "?"


def render(code: ErrorCode | str, language: str, params: Mapping[str, Any] | None = None) -> str:
    """The message for `code` in `language` (Russian when the language is not one of ours)."""
    message = CATALOGUE[ErrorCode(code)]
    return message.in_language(language).format_map(_Blank(**(params or {})))


class DomainError(Exception):
    """An expected failure: a code of the catalogue, the input field it is about (as the
    client named it, e.g. `documents[0].kind`), and the parameters of its message.

    `detail` is an untranslated English specific for developers and logs (which rule failed).
    """

    def __init__(
        self,
        code: ErrorCode | str,
        *,
        field: str | None = None,
        detail: str | None = None,
        **params: Any,
    ) -> None:
        self.code = ErrorCode(code)  # an unknown code is a programming error, caught by tests
        self.field = field
        self.detail = detail
        self.params = params
        super().__init__(f"{self.code.value}: {detail or params}")

    def message(self, language: str) -> str:
        return render(self.code, language, {"field": self.field, **self.params})


def require(condition: bool, code: ErrorCode | str, **kwargs: Any) -> None:
    if not condition:
        raise DomainError(code, **kwargs)
