"""Refusal grounds as dated data: the closed lists a motivated refusal must cite.

Each rule set enumerates its grounds (001 App.3 item 10, 002 App.5 item 9, 004 App.2 item 9);
a refusal citing anything else is unlawful, and an application is judged by the list in force
on its registration date (001 order §4 brings ground 10.2 in on 2024-01-01). Russian texts are
the seeds' wording; Kazakh texts come verbatim from the Kazakh editions (000 for the registry,
the Kazakh part of 004 for pools). The seeds hold order 169/НҚ (001) in Russian only, so the
eight licensing grounds of App.3 item 10 have ``text_kk`` None: never a made-up translation
(a test compares every Kazakh text with the seeds when they are at hand).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import Enum

from rules.errors import DomainError
from rules.rule_sets import Dated, RuleSet
from rules.workflow import ProcedureCode, procedure_spec

__all__ = [
    "LICENSING_GROUNDS",
    "POOL_GROUNDS",
    "REGISTRY_GROUNDS",
    "InvalidGround",
    "RefusalGround",
    "RefusalGroundCode",
    "catalogue_for",
    "ground_of",
    "grounds_for",
    "validate_grounds",
]


class RefusalGroundCode(str, Enum):
    """Every refusal ground of every rule set (one code for the same wording across them)."""

    PROHIBITED_ACTIVITY = "PROHIBITED_ACTIVITY"
    FEE_NOT_PAID = "FEE_NOT_PAID"
    QUALIFICATION_NOT_MET = "QUALIFICATION_NOT_MET"
    COURT_SUSPENSION = "COURT_SUSPENSION"
    COURT_BAN_DEBTOR = "COURT_BAN_DEBTOR"
    FALSE_DOCUMENTS = "FALSE_DOCUMENTS"
    NON_COMPLIANCE = "NON_COMPLIANCE"
    NO_PD_CONSENT = "NO_PD_CONSENT"
    NEGATIVE_APPROVAL = "NEGATIVE_APPROVAL"
    COURT_BAN = "COURT_BAN"
    SPECIAL_RIGHT_DEPRIVED = "SPECIAL_RIGHT_DEPRIVED"


@dataclass(frozen=True)
class RefusalGround(Dated):
    code: RefusalGroundCode
    number: int  # the sub-item number in the regulation's enumeration
    text_ru: str
    text_kk: str | None
    text_en: str
    in_force_with: RuleSet | date  # `effective_from`: its in-force date (rules.rule_sets)
    enumeration: str = ""  # where the list is, e.g. "001 App.3 item 10" (set per catalogue)

    def __post_init__(self) -> None:
        object.__setattr__(self, "code", RefusalGroundCode(self.code))

    @property
    def legal_basis(self) -> str:
        """The sub-item cited, e.g. "001 App.3 item 10(2)"."""
        return f"{self.enumeration}({self.number})"

    def text(self, language: str) -> str:
        """The wording in ``language``; Russian where the seeds have no Kazakh text."""
        if language == "en":
            return self.text_en
        if language == "kk" and self.text_kk:
            return self.text_kk
        return self.text_ru


def _in(enumeration: str, grounds: tuple[RefusalGround, ...]) -> tuple[RefusalGround, ...]:
    return tuple(RefusalGround(**{**g.__dict__, "enumeration": enumeration}) for g in grounds)


# In-force dates from the orders' own clauses (rules.rule_sets).
_LICENSING_FROM = RuleSet.LICENSING  # order 169/НҚ
_FEE_FROM = RuleSet.LICENSING_2024  # 001 order §4: App.3 item 10.2 in force from 2024-01-01
_REGISTRY_FROM = RuleSet.REGISTRY  # 002 edition of order 331/НҚ
_POOLS_FROM = RuleSet.POOLS  # order 404/НҚ

# 001 App.3 item 10.
LICENSING_GROUNDS: tuple[RefusalGround, ...] = _in("001 App.3 item 10", (
    RefusalGround(
        "PROHIBITED_ACTIVITY",
        1,
        "занятие видом деятельности запрещено законами Республики Казахстан для данной "
        "категории физических или юридических лиц",
        None,
        "the activity is prohibited by the laws of Kazakhstan for this category of persons",
        _LICENSING_FROM,
    ),
    RefusalGround(
        "FEE_NOT_PAID",
        2,
        "не внесен лицензионный сбор",
        None,
        "the licence fee has not been paid",
        _FEE_FROM,
    ),
    RefusalGround(
        "QUALIFICATION_NOT_MET",
        3,
        "услугополучатель не соответствует квалификационным требованиям",
        None,
        "the applicant does not meet the qualification requirements",
        _LICENSING_FROM,
    ),
    RefusalGround(
        "COURT_SUSPENSION",
        4,
        "в отношении услугополучателя имеется вступившее в законную силу решение (приговор) "
        "суда о приостановлении или запрещении деятельности, или отдельных видов "
        "деятельности, подлежащих лицензированию",
        None,
        "a final court decision suspends or prohibits the applicant's licensed activity",
        _LICENSING_FROM,
    ),
    RefusalGround(
        "COURT_BAN_DEBTOR",
        5,
        "судом на основании представления судебного исполнителя временно запрещено выдавать "
        "услугополучателю-должнику лицензию",
        None,
        "a court, on a bailiff's submission, temporarily bans issuing a licence to this debtor",
        _LICENSING_FROM,
    ),
    RefusalGround(
        "FALSE_DOCUMENTS",
        6,
        "установлена недостоверность документов, представленных услугополучателем для "
        "получения лицензии, и (или) данных (сведений), содержащихся в них",
        None,
        "the documents submitted, or the data in them, were found to be false",
        _LICENSING_FROM,
    ),
    RefusalGround(
        "NON_COMPLIANCE",
        7,
        "несоответствие услугополучателя и (или) представленных материалов, объектов, данных "
        "и сведений, необходимых для оказания государственной услуги, требованиям, "
        "установленным настоящими Правилами",
        None,
        "the applicant or the materials submitted do not meet the requirements of these rules",
        _LICENSING_FROM,
    ),
    RefusalGround(
        "NO_PD_CONSENT",
        8,
        "отсутствие согласия услугополучателя, предоставляемого в соответствии со статьей 8 "
        'Закона Республики Казахстан "О персональных данных и их защите", на доступ к '
        "персональным данным ограниченного доступа, которые требуются для оказания "
        "государственной услуги",
        None,
        "no consent to access the restricted personal data the service requires",
        _LICENSING_FROM,
    ),
))

_FALSE_RU = (
    "установление недостоверности документов, представленных услугополучателем для "
    "получения государственной услуги, и (или) данных (сведений), содержащихся в них"
)
_FALSE_KK = (
    "мемлекеттік қызметті алу үшін көрсетілетін қызметті алушы ұсынған құжаттардың және "
    "(немесе) олардағы деректердің (мәліметтердің) дәйексіздігін анықтау"
)
_NONCOMP_RU = (
    "несоответствие услугополучателя и (или) представленных материалов, объектов, данных и "
    "сведений, необходимых для оказания государственной услуги, требованиям, установленным "
    "настоящими Правилами"
)
_NONCOMP_KK = (
    "көрсетілетін қызметті алушының және (немесе) мемлекеттік қызметті көрсету үшін қажетті "
    "ұсынылған материалдардың, объектілердің, деректер мен мәліметтердің осы Қағидаларда "
    "белгіленген талаптарға сәйкес келмеуі"
)
_PD_RU = (
    "отсутствие согласия услугополучателя, предоставляемого в соответствии со статьей 8 "
    'Закона Республики Казахстан "О персональных данных и их защите", на доступ к '
    "персональным данным ограниченного доступа, которые требуются для оказания "
    "государственной услуги"
)
_PD_KK = (
    '"Дербес деректер және оларды қорғау туралы" Қазақстан Республикасы Заңының 8-бабына '
    "сәйкес көрсетілетін қызметті алушының мемлекеттік қызмет көрсету үшін талап етілетін "
    "қолжетімділігі шектеулі дербес деректерге қол жеткізуге ұсынылатын келісімінің болмауы"
)
_FALSE_EN = "the documents submitted, or the data in them, were found to be false"
_NONCOMP_EN = "the applicant or the materials submitted do not meet the requirements of the rules"
_PD_EN = "no consent to access the restricted personal data the service requires"

# 002 App.5 item 9 (Russian); 000 App.5 item 9 (Kazakh).
REGISTRY_GROUNDS: tuple[RefusalGround, ...] = _in("002 App.5 item 9", (
    RefusalGround("FALSE_DOCUMENTS", 1, _FALSE_RU, _FALSE_KK, _FALSE_EN, _REGISTRY_FROM),
    RefusalGround("NON_COMPLIANCE", 2, _NONCOMP_RU, _NONCOMP_KK, _NONCOMP_EN, _REGISTRY_FROM),
    RefusalGround(
        "NEGATIVE_APPROVAL",
        3,
        "отрицательный ответ уполномоченного государственного органа на запрос о "
        "согласовании, который требуется для оказания государственной услуги, а также "
        "отрицательное заключение экспертизы, исследования либо проверки",
        "мемлекеттік қызметті көрсету үшін талап етілетін келісу туралы сұрау салуға "
        "уәкілетті мемлекеттік органның теріс жауабы, сондай-ақ сараптаманың, зерттеудің не "
        "тексерудің теріс қорытындысы",
        "a state body refused a required approval, or an expert review, study or inspection "
        "was negative",
        _REGISTRY_FROM,
    ),
    RefusalGround(
        "COURT_BAN",
        4,
        "в отношении услугополучателя имеется вступившее в законную силу решение (приговор) "
        "суда о запрещении деятельности или отдельных видов деятельности, требующих получения "
        "определенной государственной услуги",
        "көрсетілетін қызметті алушыға қатысты белгілі бір мемлекеттік қызметті алуды талап "
        "ететін қызметке немесе жекелеген қызмет түрлеріне тыйым салу туралы заңды күшіне "
        "енген сот шешімі (үкімі) бар",
        "a final court decision prohibits the applicant's activity",
        _REGISTRY_FROM,
    ),
    RefusalGround(
        "SPECIAL_RIGHT_DEPRIVED",
        5,
        "в отношении услугополучателя имеется вступившее в законную силу решение суда, на "
        "основании которого услугополучатель лишен специального права, связанного с "
        "получением государственной услуги",
        "көрсетілетін қызметті алушыға қатысты соттың заңды күшіне енген шешімі бар, оның "
        "негізінде көрсетілетін қызметті алушы мемлекеттік көрсетілетін қызметті алуға "
        "байланысты арнайы құқығынан айырылады",
        "a final court decision deprives the applicant of the special right to this service",
        _REGISTRY_FROM,
    ),
    RefusalGround("NO_PD_CONSENT", 6, _PD_RU, _PD_KK, _PD_EN, _REGISTRY_FROM),
))

# 004 App.2 item 9, Russian and Kazakh parts.
POOL_GROUNDS: tuple[RefusalGround, ...] = _in("004 App.2 item 9", (
    RefusalGround("FALSE_DOCUMENTS", 1, _FALSE_RU, _FALSE_KK, _FALSE_EN, _POOLS_FROM),
    RefusalGround("NON_COMPLIANCE", 2, _NONCOMP_RU, _NONCOMP_KK, _NONCOMP_EN, _POOLS_FROM),
    RefusalGround(
        "COURT_BAN",
        3,
        "в отношении услугополучателя имеется вступившее в законную силу решение (приговор) "
        "суда о запрещении деятельности или отдельных видов деятельности",
        "көрсетілетін қызмет алушыға қатысты соттың қызметке немесе қызметтің жекелеген "
        "түрлеріне тыйым салу туралы заңды күшіне енген шешімі (үкімі) бар",
        "a final court decision prohibits the applicant's activity",
        _POOLS_FROM,
    ),
    RefusalGround(
        "SPECIAL_RIGHT_DEPRIVED",
        4,
        "в отношении услугополучателя имеется вступившее в законную силу решение суда, на "
        "основании которого услугополучатель лишен специального права, связанного с "
        "получением аккредитации цифрового майнингового пула",
        "көрсетілетін қызмет алушыға қатысты соттың заңды күшіне енген шешімі бар, оның "
        "негізінде көрсетілетін қызмет алушы цифрлық майнинг пулын аккредиттеуді алуға "
        "байланысты арнайы құқықтан айырылады",
        "a final court decision deprives the applicant of the special right to pool accreditation",
        _POOLS_FROM,
    ),
    RefusalGround("NO_PD_CONSENT", 5, _PD_RU, _PD_KK, _PD_EN, _POOLS_FROM),
))

# Which enumeration each procedure cites: App.3 item 10 covers licence issue and re-issue
# alike; 002 App.5 item 9 is the registry's only list; 004 App.2 item 9 covers re-issue too.
_CATALOGUES: Mapping[ProcedureCode, tuple[RefusalGround, ...]] = {
    ProcedureCode.LICENSE_ISSUE: LICENSING_GROUNDS,
    ProcedureCode.LICENSE_REISSUE: LICENSING_GROUNDS,
    ProcedureCode.ASIC_INCLUSION: REGISTRY_GROUNDS,
    ProcedureCode.ASIC_EXCLUSION: REGISTRY_GROUNDS,
    ProcedureCode.ASIC_CHANGE: REGISTRY_GROUNDS,
    ProcedureCode.POOL_ACCREDITATION: POOL_GROUNDS,
    ProcedureCode.POOL_REISSUE: POOL_GROUNDS,
}


class InvalidGround(DomainError, ValueError):
    """A refusal cites no ground, or a ground not in force for this procedure and date.

    `field` names the list (`grounds`) or the first ground that is not allowed (`grounds[1]`)."""

    INVALID = "INVALID_REFUSAL_GROUND"
    REQUIRED = "REFUSAL_GROUND_REQUIRED"

    def __init__(
        self, code: str, *, invalid: tuple[str, ...] = (), detail: str, field: str = "grounds"
    ) -> None:
        self.invalid = invalid
        super().__init__(code, field=field, detail=detail, invalid=", ".join(invalid))


def catalogue_for(procedure: ProcedureCode) -> tuple[RefusalGround, ...]:
    """Every ground of ``procedure``'s enumeration, whatever its effective date."""
    return _CATALOGUES[ProcedureCode(procedure)]


def grounds_for(procedure: ProcedureCode, registered_on: date) -> tuple[RefusalGround, ...]:
    """The grounds a refusal may cite for an application registered on ``registered_on``.

    The procedure version in force (rules.workflow.PROCEDURES) says which codes apply; the
    ground's own ``effective_from`` is checked too, so neither list can let a ground in early.
    """
    allowed = set(procedure_spec(procedure, registered_on).refusal_grounds)
    return tuple(
        g
        for g in catalogue_for(procedure)
        if g.code in allowed and g.effective_from <= registered_on
    )


def validate_grounds(
    procedure: ProcedureCode, registered_on: date, codes: Iterable[RefusalGroundCode | str]
) -> tuple[RefusalGroundCode, ...]:
    """The cited grounds (in order, repeats dropped); :class:`InvalidGround` unless they are a
    non-empty set of grounds allowed for ``procedure`` on ``registered_on``."""
    given = [str(getattr(c, "value", c)) for c in codes]
    cited = tuple(dict.fromkeys(given))  # keep order, drop repeats
    if not cited:
        raise InvalidGround(InvalidGround.REQUIRED, detail="a refusal must cite a ground")
    allowed = {g.code.value for g in grounds_for(procedure, registered_on)}
    invalid = tuple(c for c in cited if c not in allowed)
    if invalid:
        raise InvalidGround(
            InvalidGround.INVALID,
            invalid=invalid,
            field=f"grounds[{given.index(invalid[0])}]",
            detail=(
                f"not a ground for {ProcedureCode(procedure).value} registered on "
                f"{registered_on}: {', '.join(invalid)}"
            ),
        )
    return tuple(RefusalGroundCode(c) for c in cited)


def ground_of(procedure: ProcedureCode, code: RefusalGroundCode | str) -> RefusalGround | None:
    """The catalogue entry of ``code`` in ``procedure``'s enumeration (None if it has none)."""
    return next((g for g in catalogue_for(procedure) if g.code.value == str(getattr(code, "value", code))), None)
