"""The ASIC registry (002 / 000): the registry record, exclusion reasons, change notices,
record numbering, capacity and the App.1 export layout. Pure: no I/O, never reads the clock.

Sources: 002 §4-6 and App.1 (the record), App.3 (unit lines, validated by rules/unit_list.py),
App.4 + App.5 item 8(2) (exclusion: a document of disposal / end of service life / sale /
loss), §15 + App.9 (change notice within 10 WD of the change; applied within 3 WD, a term in
rules/workflow.py). Kazakh texts follow 000.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any

from rules.calendar import WorkCalendar
from rules.contacts import is_email, is_phone
from rules.errors import DomainError, ErrorCode
from rules.spreadsheet_safety import looks_like_formula, neutralize_cell
from rules.unit_list import (
    COL_CONDITION,
    COL_CUSTOMS,
    COL_HASHRATE,
    COL_MODEL,
    COL_POWER,
    COL_SERIAL,
    COL_TNVED,
    EFFICIENCY_MAX_J_PER_TH,
    EFFICIENCY_MIN_J_PER_TH,
    ParsedUnitList,
    RowIssue,
    UnitRow,
    normalize_serial,
    validate_lines,
)

__all__ = [
    "CHANGEABLE_FIELDS",
    "CHANGE_NOTICE_WORKING_DAYS",
    "EXPORT_COLUMNS",
    "SERIAL_MAX",
    "CapacityCheck",
    "ExclusionReason",
    "RecordField",
    "TotalsGroup",
    "UnitCondition",
    "UnitEventAction",
    "UnitStatus",
    "capacity_check",
    "change_notice_due",
    "diff_changes",
    "efficiency_j_per_th",
    "efficiency_plausible",
    "export_headers",
    "export_row",
    "is_change_notice_late",
    "next_record_numbers",
    "serial_key_of",
    "unit_row_issues",
    "validate_changes",
    "validate_unit_lines",
]


class UnitStatus(str, Enum):
    IN_REGISTRY = "IN_REGISTRY"
    EXCLUDED = "EXCLUDED"  # kept for ever with its date and reason: exclusion never deletes


class UnitCondition(str, Enum):
    WORKING = "WORKING"  # исправное / жарамды
    FAULTY = "FAULTY"  # неисправное / жарамсыз


class UnitEventAction(str, Enum):
    INCLUDED = "INCLUDED"
    CHANGED = "CHANGED"
    EXCLUDED = "EXCLUDED"


class ExclusionReason(str, Enum):
    """002 App.5 item 8(2): the document proves one of these four."""

    DISPOSAL = "DISPOSAL"  # утилизация / кәдеге жарату
    END_OF_SERVICE_LIFE = "END_OF_SERVICE_LIFE"  # истечение сроков эксплуатации
    SALE = "SALE"  # продажа / сату
    LOSS = "LOSS"  # утрата / жоғалту


_REASON_TEXT: Mapping[ExclusionReason, Mapping[str, str]] = {
    ExclusionReason.DISPOSAL: {"ru": "утилизация", "kk": "кәдеге жарату", "en": "disposal"},
    ExclusionReason.END_OF_SERVICE_LIFE: {
        "ru": "истечение срока эксплуатации",
        "kk": "пайдалану мерзімінің өтуі",
        "en": "end of service life",
    },
    ExclusionReason.SALE: {"ru": "продажа", "kk": "сату", "en": "sale"},
    ExclusionReason.LOSS: {"ru": "утрата", "kk": "жоғалту", "en": "loss"},
}
_CONDITION_TEXT: Mapping[UnitCondition, Mapping[str, str]] = {
    UnitCondition.WORKING: {"ru": "исправное", "kk": "жарамды", "en": "working"},
    UnitCondition.FAULTY: {"ru": "неисправное", "kk": "жарамсыз", "en": "faulty"},
}
_STATUS_TEXT: Mapping[UnitStatus, Mapping[str, str]] = {
    UnitStatus.IN_REGISTRY: {"ru": "в реестре", "kk": "тізілімде", "en": "in the registry"},
    UnitStatus.EXCLUDED: {
        "ru": "исключён из реестра",
        "kk": "тізілімнен шығарылған",
        "en": "excluded",
    },
}


class RecordField(str, Enum):
    """A field of a registry record that its history shows changing (the value is the column)."""

    DATA_CENTER = "data_center_id"
    DATA_CENTER_LOCATION = "data_center_location"
    REGION = "region"
    MODEL = "model"
    TNVED_CODE = "tnved_code"
    HASHRATE_THS = "hashrate_ths"
    POWER_KW = "power_kw"
    CUSTOMS_DECLARATION = "customs_declaration"
    OWNERSHIP_DOCUMENT = "ownership_document"
    CONDITION = "condition"
    MINER_NAME = "miner_name"
    MINER_LEGAL_ADDRESS = "miner_legal_address"
    MINER_PHONE = "miner_phone"
    MINER_EMAIL = "miner_email"
    STATUS = "status"
    EXCLUDED_ON = "excluded_on"


class TotalsGroup(str, Enum):
    """What registry totals are grouped by."""

    MINER = "MINER"
    DATA_CENTER = "DATA_CENTER"
    REGION = "REGION"


# --- serial numbers --------------------------------------------------------------------------

SERIAL_MAX = 255  # the record's column; a longer "serial" is a paste accident or an attack


def serial_key_of(serial: str, field: str = "serial") -> str:
    """The comparison key of a serial number someone asks about (rules.unit_list's
    `normalize_serial`), bounded: VALIDATION for more than SERIAL_MAX characters (checked before
    any work on the text) and for a text of separators only (nothing to look up)."""
    if len(serial) > SERIAL_MAX:
        raise DomainError(ErrorCode.VALIDATION, field=field, detail=f"at most {SERIAL_MAX} characters")
    key = normalize_serial(serial)
    if not key:
        raise DomainError(ErrorCode.VALIDATION, field=field, detail="no serial number, only separators")
    return key


# --- record numbers ------------------------------------------------------------------------


def next_record_numbers(last_issued: int, count: int) -> range:
    """The record numbers for ``count`` new records after ``last_issued``: gap-free.

    The caller holds the counter row's lock in the approval transaction, so a rollback
    returns the numbers with everything else and no number is ever skipped or repeated.
    """
    if last_issued < 0:
        raise ValueError(f"last_issued must be >= 0, got {last_issued}")
    if count <= 0:
        raise ValueError(f"count must be > 0, got {count}")
    return range(last_issued + 1, last_issued + count + 1)


# --- change notice (002 §15) ---------------------------------------------------------------

CHANGE_NOTICE_WORKING_DAYS = 10  # "в течении 10 (десяти) рабочих дней со дня изменения сведений"


def change_notice_due(change_date: date, calendar: WorkCalendar) -> date:
    """The last day of the miner's notice: the 10th working day after the change date."""
    return calendar.add_working_days(change_date, CHANGE_NOTICE_WORKING_DAYS)


def is_change_notice_late(change_date: date, registered_on: date, calendar: WorkCalendar) -> bool:
    """Late when registered after the 10-WD window. Late notices are still accepted (the
    registry must match reality); the flag is for the supervisor, not a refusal ground."""
    if change_date > registered_on:
        raise DomainError(
            ErrorCode.VALIDATION, field="changeDate", detail="the change date is in the future"
        )
    return registered_on > change_notice_due(change_date, calendar)


# --- efficiency and capacity -----------------------------------------------------------------


def efficiency_j_per_th(hashrate_ths: Decimal, power_kw: Decimal) -> Decimal:
    """Energy per unit of work, joules per terahash: power (W) over hashrate (TH/s), since
    1 W / (1 TH/s) = 1 J/TH."""
    if hashrate_ths <= 0:
        raise ValueError("hashrate must be positive")
    return power_kw * 1000 / hashrate_ths


def efficiency_plausible(hashrate_ths: Decimal, power_kw: Decimal) -> bool:
    """10..110 J/TH: today's best machines to the old S9 class (a warning, never a refusal)."""
    eff = efficiency_j_per_th(hashrate_ths, power_kw)
    return EFFICIENCY_MIN_J_PER_TH <= eff <= EFFICIENCY_MAX_J_PER_TH


@dataclass(frozen=True)
class CapacityCheck:
    """A data center's registered load against its grid connection's permitted capacity."""

    permitted_kw: Decimal | None  # None: not recorded (off-grid or unknown): never flagged
    registered_kw: Decimal  # IN_REGISTRY units now
    requested_kw: Decimal  # the application under review (0 in plain queries)

    @property
    def total_kw(self) -> Decimal:
        return self.registered_kw + self.requested_kw

    @property
    def over_capacity(self) -> bool:
        """Already over, whatever is pending."""
        return self.permitted_kw is not None and self.registered_kw > self.permitted_kw

    @property
    def would_exceed(self) -> bool:
        """Approving the application would put the data center over its capacity."""
        return self.permitted_kw is not None and self.total_kw > self.permitted_kw

    @property
    def headroom_kw(self) -> Decimal | None:
        return None if self.permitted_kw is None else self.permitted_kw - self.total_kw


def capacity_check(
    permitted_capacity_mw: Decimal | None, registered_kw: Decimal, requested_kw: Decimal = Decimal(0)
) -> CapacityCheck:
    permitted = None if permitted_capacity_mw is None else Decimal(permitted_capacity_mw) * 1000
    return CapacityCheck(permitted, Decimal(registered_kw), Decimal(requested_kw))


# --- unit lines given as data (GraphQL input) ----------------------------------------------


def validate_unit_lines(lines: Sequence[Mapping[str, Any]], *, max_issues: int = 1000) -> ParsedUnitList:
    """Validate App.3 lines given as data (the API's `units`), by exactly the rules a file's
    rows get (`rules.unit_list.validate_lines`): keys are the canonical column keys (model,
    serial, tnved_code, hashrate_ths, power_kw, customs_declaration, condition), the
    condition a `UnitCondition` or WORKING / FAULTY, line numbers the 1-based positions."""
    return validate_lines(lines, max_issues=max_issues)


# A single machine beyond these is a unit mix-up (GH/s typed as TH/s, W as kW); the record's
# columns (numeric(12,3) TH/s, numeric(10,3) kW) hold far more, so this is the real limit.
MAX_UNIT_HASHRATE_THS = Decimal(10_000)
MAX_UNIT_POWER_KW = Decimal(1_000)


def unit_row_issues(rows: Iterable[UnitRow]) -> list[RowIssue]:
    """Registry limits on rows that passed the App.3 parser: errors per row and column."""
    issues: list[RowIssue] = []
    for row in rows:
        if row.hashrate_ths > MAX_UNIT_HASHRATE_THS:
            issues.append(RowIssue(row.line, COL_HASHRATE, "OUT_OF_RANGE",
                                   f"{COL_HASHRATE} above {MAX_UNIT_HASHRATE_THS} TH/s for one unit", "ERROR"))
        if row.power_kw > MAX_UNIT_POWER_KW:
            issues.append(RowIssue(row.line, COL_POWER, "OUT_OF_RANGE",
                                   f"{COL_POWER} above {MAX_UNIT_POWER_KW} kW for one unit", "ERROR"))
    return issues


# --- change notice contents (App.9) --------------------------------------------------------

# Fields of a record an App.9 notice may reword. The serial number is the unit's identity and
# is not changeable: a different machine is an exclusion plus an inclusion. The data center is
# given by id (its location and region follow from it).
CHANGEABLE_FIELDS: tuple[str, ...] = (
    "data_center_id",
    "model",
    "tnved_code",
    "hashrate_ths",
    "power_kw",
    "customs_declaration",
    "ownership_document",
    "condition",
    "miner_name",
    "miner_legal_address",
    "miner_phone",
    "miner_email",
)
_TEXT_LIMITS = {
    "model": 255,
    "customs_declaration": 255,
    "ownership_document": 500,
    "miner_name": 500,
    "miner_legal_address": 1000,
    "miner_phone": 32,
    "miner_email": 254,
}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


def validate_changes(changes: Mapping[str, Any], *, field_prefix: str = "") -> dict[str, Any]:
    """Clean and check the new wording of a record; raise VALIDATION on the first bad field
    (named `field_prefix` + its camelCase name, as the client wrote it: `changes.minerPhone`)."""
    clean: dict[str, Any] = {}
    for key, value in changes.items():
        if value is None:
            continue
        field = field_prefix + _camel(key)
        if key not in CHANGEABLE_FIELDS:
            raise DomainError(ErrorCode.VALIDATION, field=field, detail="not changeable")
        if key in ("hashrate_ths", "power_kw"):
            try:
                number = Decimal(str(value))
            except InvalidOperation:
                raise DomainError(ErrorCode.VALIDATION, field=field, detail="a number") from None
            if not number.is_finite() or number <= 0:
                raise DomainError(ErrorCode.VALIDATION, field=field, detail="must be positive")
            limit = MAX_UNIT_HASHRATE_THS if key == "hashrate_ths" else MAX_UNIT_POWER_KW
            if number > limit:  # the same per-unit limits as a unit list's lines
                raise DomainError(ErrorCode.VALIDATION, field=field, detail=f"at most {limit} for one unit")
            clean[key] = number
        elif key == "condition":
            clean[key] = UnitCondition(value)
        elif key == "data_center_id":
            clean[key] = int(value)
        else:
            text = str(value).strip()
            if key == "tnved_code":
                text = "".join(text.split())
                if not (text.isascii() and text.isdigit() and len(text) == 10):
                    raise DomainError(ErrorCode.INVALID_TNVED, field=field, detail="10 digits")
            elif not text and key != "customs_declaration":
                raise DomainError(ErrorCode.VALIDATION, field=field, detail="must not be empty")
            if key == "miner_phone" and not is_phone(text):
                raise DomainError(ErrorCode.VALIDATION, field=field, detail="a phone number")
            elif key == "miner_email" and not is_email(text):
                raise DomainError(ErrorCode.VALIDATION, field=field, detail="an email address")
            elif key not in ("miner_phone", "miner_email") and looks_like_formula(text):
                # "+7 701 ..." is a phone, not a formula; exports neutralise it all the same.
                raise DomainError(ErrorCode.VALIDATION, field=field, detail="looks like a formula")
            if key in _TEXT_LIMITS and len(text) > _TEXT_LIMITS[key]:
                raise DomainError(ErrorCode.VALIDATION, field=field, detail="too long")
            clean[key] = text
    if not clean:
        raise DomainError(ErrorCode.VALIDATION, field=field_prefix.rstrip(".") or "changes", detail="nothing to change")
    return clean


def diff_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields whose value actually changes (JSON-ready)."""
    out: dict[str, list[Any]] = {}
    for key, new in after.items():
        old = before.get(key)
        if _plain(old) != _plain(new):
            out[key] = [_plain(old), _plain(new)]
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, date):
        return value.isoformat()
    return value


# --- export (App.1 column order) -------------------------------------------------------------

# (key, ru, kk, en); columns 1-15 are App.1 in order, the last three are the record's state.
EXPORT_COLUMNS: tuple[tuple[str, str, str, str], ...] = (
    ("record_number", "Порядковый номер реестровой записи", "Тізілім жазбасының реттік нөмірі", "Record number"),
    ("record_date", "Дата формирования реестровой записи", "Тізілім жазбасын қалыптастыру күні", "Record date"),
    (
        "miner_name",
        "Наименование юридического лица/индивидуального предпринимателя",
        "Заңды тұлғаның (жеке кәсіпкердің) атауы",
        "Legal entity / sole proprietor",
    ),
    (
        "miner_bin_iin",
        "Бизнес-идентификационный номер / Индивидуальный идентификационный номер",
        "Бизнес-сәйкестендіру нөмірі / жеке сәйкестендіру нөмірі",
        "BIN / IIN",
    ),
    ("miner_legal_address", "Юридический адрес регистрации", "Заңды тіркелген мекенжайы", "Legal address"),
    (
        "data_center_location",
        "Местоположение центра обработки данных для осуществления цифрового майнинга",
        "Цифрлық майнингті жүзеге асыру үшін деректер орталығының орналасқан жері",
        "Data center location",
    ),
    (
        "contacts",
        "Контактные данные (мобильные телефоны, электронная почта)",
        "Байланыс деректері (ұялы телефон, электрондық пошта)",
        "Contacts (mobile phone, email)",
    ),
    (
        "model",
        "Полное наименование аппаратно-программного комплекса, модель",
        "Аппараттық-бағдарламалық кешеннің толық атауы, моделі",
        "Unit full name and model",
    ),
    (
        "serial",
        "Индивидуальный серийный номер аппаратно-программного комплекса",
        "Аппараттық-бағдарламалық кешеннің жеке сериялық нөмірі",
        "Serial number",
    ),
    ("tnved_code", "Код ТН ВЭД ЕАЭС", "ЕАЭО СЭҚ ТН коды", "TN VED EAEU code"),
    ("hashrate_ths", "Хэшрейт (TH/s)", "Хэшрейт (Th/s)", "Hashrate (TH/s)"),
    ("power_kw", "Мощность (кВт)", "Қуат (кВт)", "Power (kW)"),
    (
        "customs",
        "Номер таможенной декларации, количество",
        "Кедендік декларацияның нөмірі, саны",
        "Customs declaration number, quantity",
    ),
    (
        "ownership_document",
        "Документ, подтверждающий наличие аппаратно-программного комплекса на праве "
        "собственности или ином законном основании",
        "Аппараттық-бағдарламалық кешеннің меншік құқығында немесе өзге де заңды негізде "
        "бар екенін растайтын құжат",
        "Document of ownership or lawful holding",
    ),
    ("excluded_on", "Дата исключения из реестра", "Тізілімнен шығарылған күні", "Date of exclusion"),
    ("condition", "Состояние", "Жай-күйі", "Condition"),
    ("status", "Статус", "Мәртебесі", "Status"),
    ("exclusion_reason", "Причина исключения", "Шығару себебі", "Reason for exclusion"),
)
_LANG_INDEX = {"ru": 1, "kk": 2, "en": 3}


def export_headers(language: str) -> list[str]:
    idx = _LANG_INDEX.get(language, 1)
    return [col[idx] for col in EXPORT_COLUMNS]


def export_row(record: Mapping[str, Any], language: str) -> list[Any]:
    """One record as export cells in App.1 order, formula-looking text neutralised.

    ``record`` holds the AsicUnit column values (as from ``.values()``). Numbers stay numbers
    and dates stay dates (the XLSX writer formats them); CSV writers stringify them.
    """
    lang = language if language in _LANG_INDEX else "ru"
    contacts = ", ".join(p for p in (record.get("miner_phone"), record.get("miner_email")) if p)
    customs = record.get("customs_declaration") or ""
    quantity = record.get("customs_quantity")
    customs_cell = f"{customs}, {quantity}" if customs and quantity else customs
    condition = record.get("condition")
    status = record.get("status")
    reason = record.get("exclusion_reason")
    values: dict[str, Any] = {
        "record_number": record.get("record_number"),
        "record_date": record.get("record_date"),
        "miner_name": record.get("miner_name"),
        "miner_bin_iin": record.get("miner_bin_iin"),
        "miner_legal_address": record.get("miner_legal_address"),
        "data_center_location": record.get("data_center_location"),
        "contacts": contacts,
        "model": record.get("model"),
        "serial": record.get("serial"),
        "tnved_code": record.get("tnved_code"),
        "hashrate_ths": record.get("hashrate_ths"),
        "power_kw": record.get("power_kw"),
        "customs": customs_cell,
        "ownership_document": record.get("ownership_document"),
        "excluded_on": record.get("excluded_on"),
        "condition": _CONDITION_TEXT[UnitCondition(condition)][lang] if condition else None,
        "status": _STATUS_TEXT[UnitStatus(status)][lang] if status else None,
        "exclusion_reason": _REASON_TEXT[ExclusionReason(reason)][lang] if reason else None,
    }
    return [neutralize_cell(values[key]) for key, *_ in EXPORT_COLUMNS]


def reason_text(reason: ExclusionReason | str, language: str) -> str:
    return _REASON_TEXT[ExclusionReason(reason)].get(language, _REASON_TEXT[ExclusionReason(reason)]["ru"])


def quantity_matches(declared: int | None, lines: Iterable[object]) -> bool:
    """App.2 item 6 gives the quantity; it must equal the App.3 lines."""
    return declared is not None and declared == sum(1 for _ in lines)


# Keep the canonical App.3 column keys importable from here for the resolvers.
UNIT_COLUMNS = (COL_MODEL, COL_SERIAL, COL_TNVED, COL_HASHRATE, COL_POWER, COL_CUSTOMS, COL_CONDITION)
