"""Licensing rules that are not terms or fees: validity, re-issue grounds, numbering, the
special conditions a licence lists, and the fixed texts a licence and an appendix print
(001 App.4-7, App.9-10; Law on digital assets art. 9)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum

from rules.calendar import term_end
from rules.enums import ElectricityPurchase
from rules.errors import DomainError, ErrorCode
from rules.rule_sets import Dated, RuleSet
from rules.workflow import LicenseSubtype, NoRulesInForce


@dataclass(frozen=True)
class ValidityRule(Dated):
    years: int
    in_force_with: RuleSet | date  # `effective_from`: its in-force date (rules.rule_sets)


# [outside the seeds] Law on digital assets art. 9: the licence is issued for three years.
VALIDITY_RULES: tuple[ValidityRule, ...] = (ValidityRule(years=3, in_force_with=RuleSet.LICENSING),)


def validity_until(issued_on: date, *, rules: Sequence[ValidityRule] = VALIDITY_RULES) -> date:
    """Last day of validity, inclusive: the same month and day `years` later (`term_end`; the
    month's last day when that day does not exist): issued 2025-03-26, valid through 2028-03-26."""
    in_force = [r for r in rules if r.effective_from <= issued_on]
    if not in_force:
        raise NoRulesInForce("licence validity rule", issued_on)
    return term_end(issued_on, years=max(in_force, key=lambda r: r.effective_from).years)


class ReissueGround(str, Enum):
    """Grounds for re-issue: App.9 (subtype I, 6 grounds) and App.10 (subtype II, 4 grounds)."""

    REREGISTRATION = "REREGISTRATION"  # re-registration, change of name or legal address
    REORGANISATION = "REORGANISATION"  # merger, transformation, accession, spin-off, division
    DC_LOCATION_CHANGE = "DC_LOCATION_CHANGE"  # I only
    SUBTYPE_NAME_CHANGE = "SUBTYPE_NAME_CHANGE"
    ELECTRICITY_SOURCE_CHANGE = "ELECTRICITY_SOURCE_CHANGE"  # I only
    LAW_REQUIREMENT = "LAW_REQUIREMENT"


class ReorganisationForm(str, Enum):
    MERGER = "MERGER"
    TRANSFORMATION = "TRANSFORMATION"
    ACCESSION = "ACCESSION"
    SPIN_OFF = "SPIN_OFF"
    DIVISION = "DIVISION"


REISSUE_GROUNDS: dict[LicenseSubtype, frozenset[ReissueGround]] = {
    LicenseSubtype.I: frozenset(ReissueGround),
    LicenseSubtype.II: frozenset(
        {
            ReissueGround.REREGISTRATION,
            ReissueGround.REORGANISATION,
            ReissueGround.SUBTYPE_NAME_CHANGE,
            ReissueGround.LAW_REQUIREMENT,
        }
    ),
}


def validate_reissue(
    subtype: LicenseSubtype,
    grounds: Iterable[ReissueGround],
    reorganisation_form: ReorganisationForm | None,
) -> None:
    cited = set(grounds)
    if not cited:
        raise DomainError(ErrorCode.REISSUE_GROUND_REQUIRED, field="grounds", detail="cite a ground")
    wrong = cited - REISSUE_GROUNDS[subtype]
    if wrong:
        raise DomainError(
            ErrorCode.INVALID_REISSUE_GROUND,
            field="grounds",
            detail=f"not a ground for subtype {subtype.value}: {sorted(g.value for g in wrong)}",
        )
    if (ReissueGround.REORGANISATION in cited) != (reorganisation_form is not None):
        raise DomainError(
            ErrorCode.VALIDATION,
            field="reorganisationForm",
            detail="give the form of reorganisation exactly when reorganisation is a ground",
        )


_FORM = "FORM:"  # the form of reorganisation rides in the stored grounds list


def stored_reissue_grounds(
    grounds: Iterable[ReissueGround], form: ReorganisationForm | None
) -> list[str]:
    """The re-issue grounds and the form of reorganisation as one stored list."""
    return [ReissueGround(g).value for g in dict.fromkeys(grounds)] + ([f"{_FORM}{form.value}"] if form else [])


def parse_reissue_grounds(stored: Iterable[str]) -> tuple[tuple[ReissueGround, ...], ReorganisationForm | None]:
    """The inverse of `stored_reissue_grounds`."""
    grounds: list[ReissueGround] = []
    form: ReorganisationForm | None = None
    for item in stored:
        if item.startswith(_FORM):
            form = ReorganisationForm(item.removeprefix(_FORM))
        else:
            grounds.append(ReissueGround(item))
    return tuple(grounds), form


@dataclass(frozen=True)
class Wording:
    """A text a licence document prints, in Russian and Kazakh (licences are issued in both,
    001 §17); ``kk`` is None where no Kazakh text is at hand (never an invented translation)."""

    ru: str
    kk: str | None


# App.4 / App.5 "На занятие (наименование лицензируемого вида деятельности)": the activity as the
# seeds name it: 001's title "деятельности по цифровому майнингу"; 003 check-list item 1
# "Цифрлық майнинг жөніндегі қызмет(ті жүзеге асыруға лицензияның болуы)".
ACTIVITY_NAME = Wording("Деятельность по цифровому майнингу", "Цифрлық майнинг жөніндегі қызмет")

# App.4 / App.5 "Примечание (отчуждаемость, класс разрешения)". [outside the seeds] Law on
# permits: a licence for an activity is not alienable, and licences are permits of the first
# class; the wording is the e-licensing portal's.
LICENSE_NOTE = Wording("Неотчуждаемая, класс 1", "Иеліктен шығарылмайтын, 1-сынып")

# App.6 / App.7 "Подвид(ы) лицензируемого вида деятельности", verbatim; 001 is Russian only.
SUBTYPE_NAMES: dict[LicenseSubtype, Wording] = {
    LicenseSubtype.I: Wording(
        "І подвид – осуществление деятельности по цифровому майнингу цифровым майнером, имеющим на праве "
        "собственности или других законных основаниях центр обработки данных цифрового майнинга",
        None,
    ),
    LicenseSubtype.II: Wording(
        "ІІ подвид – осуществление деятельности по цифровому майнингу цифровым майнером, не имеющим на "
        "праве собственности или других законных основаниях центр обработки данных цифрового майнинга и "
        "осуществляющим цифровой майнинг с использованием принадлежащего ему на праве собственности "
        "аппаратно-программного комплекса для цифрового майнинга, размещенного в центре обработки данных "
        "цифрового майнинга",
        None,
    ),
}


# App.6 "Способ приобретения электрической энергии", the two options of the form, verbatim.
ELECTRICITY_PURCHASE_TEXTS: dict[ElectricityPurchase, Wording] = {
    ElectricityPurchase.SINGLE_BUYER: Wording(
        "у единого закупщика на централизованных торгах электрической энергией", None
    ),
    ElectricityPurchase.OFF_GRID_GENERATOR: Wording(
        "у энергопроизводящих организаций, генерирующие установки которых не подключены к единой "
        "электроэнергетической системе Республики Казахстан",
        None,
    ),
}


def license_number(year: int, serial: int) -> str:
    """Licence numbers: KZ-DM-<year>-<6-digit serial>, unique and readable on the phone."""
    return f"KZ-DM-{year}-{serial:06d}"


def appendix_number(license_no: str, index: int) -> str:
    return f"{license_no}/{index:03d}"


def incoming_number(prefix: str, year: int, serial: int) -> str:
    return f"{prefix}-{year}-{serial:06d}"


def special_conditions(data_center_locations: Sequence[str]) -> str:
    """App.4: when there are several data centers, the licence lists every location."""
    if len(data_center_locations) <= 1:
        return ""
    lines = [f"{i}. {loc}" for i, loc in enumerate(data_center_locations, 1)]
    return "Места расположения ЦОД:\n" + "\n".join(lines)
