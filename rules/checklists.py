"""The inspection checklists of 003 as dated data (issue 12 item 1).

003 is the joint order 164/НҚ + 49 (2023) approving two checklists ("тексеру парағы"): one for
digital miners and one for digital mining pools, 8 requirements each. The seeds hold them only in
Kazakh, in the edition after two amending joint orders:

- 662/НҚ + 184 (25/27.12.2023) added the pool checklist (003 §1(2) footnote) and amended the miner
  checklist; in force 10 calendar days after its first publication (rules.rule_sets INSPECTION_POOL);
- 373/НҚ + 49 (26/28.06.2024) amended the miner checklist again (footnote under its title); in
  force the same way (rules.rule_sets INSPECTION_MINER).

Each checklist is versioned by the rule set of the edition it reproduces, so an inspection is
judged by the checklist in force on its date (`checklist_for`). The miner checklist's texts before
373/НҚ are not in the seeds: an inspection dated before that edition is in force gets
NO_RULES_IN_FORCE rather than an invented text.

Texts: `text_kk` is verbatim from 003 (a requirement printed across two table rows is joined with
a space, item 5's heading and its body with a newline). The seeds have no Russian 003; `text_ru`
is our translation, worded where possible after the Russian seeds the requirement restates
(001 App.11 for miner items 4, 5 and 8; 004 §4 for pool items 1-7), and marked as such by
`RU_IS_TRANSLATION`. `text_en` is ours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum

from rules.rule_sets import Dated, RuleSet
from rules.workflow import NoRulesInForce

__all__ = [
    "CHECKLISTS",
    "RU_IS_TRANSLATION",
    "Checklist",
    "ChecklistItem",
    "ChecklistItemCode",
    "SubjectKind",
    "checklist_for",
]

# 003 has no Russian text in the seeds: every `text_ru` below is a translation (see the docstring).
RU_IS_TRANSLATION = True


class SubjectKind(str, Enum):
    """Whom an inspection is about: the two checklists of 003 §1."""

    MINER = "MINER"
    POOL = "POOL"


class ChecklistItemCode(str, Enum):
    """One requirement of a 003 checklist: M = miner checklist, P = pool checklist, then its number."""

    M1_LICENSE = "M1_LICENSE"
    M2_ACCREDITED_POOL = "M2_ACCREDITED_POOL"
    M3_UNITS_IN_REGISTRY = "M3_UNITS_IN_REGISTRY"
    M4_DC_OUTSIDE_RESIDENTIAL = "M4_DC_OUTSIDE_RESIDENTIAL"
    M5_GRID_CONDITIONS = "M5_GRID_CONDITIONS"
    M6_PLACEMENT_CONTRACT = "M6_PLACEMENT_CONTRACT"
    M7_POOL_WITH_DC = "M7_POOL_WITH_DC"
    M8_ASKUE = "M8_ASKUE"
    P1_SERVERS_IN_KAZAKHSTAN = "P1_SERVERS_IN_KAZAKHSTAN"
    P2_INFOSEC_TEST = "P2_INFOSEC_TEST"
    P3_BACKUP_ELSEWHERE = "P3_BACKUP_ELSEWHERE"
    P4_TWO_PROVIDERS = "P4_TWO_PROVIDERS"
    P5_SUPPORT_24_7 = "P5_SUPPORT_24_7"
    P6_THREE_LANGUAGES = "P6_THREE_LANGUAGES"
    P7_STATE_PD_SERVICE = "P7_STATE_PD_SERVICE"
    P8_MONTHLY_REPORTS = "P8_MONTHLY_REPORTS"


@dataclass(frozen=True)
class ChecklistItem:
    code: ChecklistItemCode
    number: int  # its number in the checklist's table
    text_kk: str  # verbatim from 003
    text_ru: str  # translation (RU_IS_TRANSLATION)
    text_en: str
    basis: str  # the requirement it checks, in the seeds (besides the checklist row itself)

    def text(self, language: str) -> str:
        """The wording in ``language`` (kk, ru or en); Russian for anything else."""
        return {"kk": self.text_kk, "en": self.text_en}.get(language, self.text_ru)


@dataclass(frozen=True)
class Checklist(Dated):
    kind: SubjectKind
    in_force_with: RuleSet | date
    edition: str  # the order whose edition this is
    items: tuple[ChecklistItem, ...]

    def legal_basis(self, item: ChecklistItem) -> str:
        """Where the row is: e.g. "003 miner checklist item 5 (edition of 373/НҚ); 001 App.11 item 1(5)"."""
        which = "miner" if self.kind is SubjectKind.MINER else "pool"
        return f"003 {which} checklist item {item.number} (edition of {self.edition}); {item.basis}"

    def item(self, code: ChecklistItemCode | str) -> ChecklistItem:
        code = ChecklistItemCode(code)
        return next(i for i in self.items if i.code is code)


_M = ChecklistItemCode
MINER_ITEMS: tuple[ChecklistItem, ...] = (
    ChecklistItem(
        _M.M1_LICENSE, 1,
        "Цифрлық майнинг жөніндегі қызметті жүзеге асыруға лицензияның болуы",
        "Наличие лицензии на осуществление деятельности по цифровому майнингу",
        "Holds a licence for digital mining",
        "001 §3",
    ),
    ChecklistItem(
        _M.M2_ACCREDITED_POOL, 2,
        "Цифрлық майнинг қызметін аккредиттелген цифрлық майнингтік пулы арқылы жүзеге асыру",
        "Осуществление деятельности по цифровому майнингу через аккредитованный цифровой майнинговый пул",
        "Mines through an accredited digital mining pool",
        "001 App.11 item 1(3), item 2(2); 004 §3",
    ),
    ChecklistItem(
        _M.M3_UNITS_IN_REGISTRY, 3,
        "Аппараттық-бағдарламалық кешен тізіліміндегі пайдаланылатын аппараттық-бағдарламалық кешеннің (-дердің) "
        "болуы",
        "Наличие используемого аппаратно-программного комплекса (-ов) в реестре аппаратно-программных комплексов",
        "The hardware-software complexes (ASIC units) in use are in the registry of such complexes",
        "002 §2-3 (the registry)",
    ),
    ChecklistItem(
        _M.M4_DC_OUTSIDE_RESIDENTIAL, 4,
        "Цифрлық майнинг деректерін өңдеу орталығының тұрғын үй аймағынан тысқары орналасқан жері",
        "Расположение центра обработки данных цифрового майнинга вне жилой зоны",
        "The digital mining data center is located outside residential zones",
        "001 App.11 item 1(2)",
    ),
    ChecklistItem(
        _M.M5_GRID_CONDITIONS, 5,
        "Техникалық шарттардың болуы: Қазақстан Республикасының бірыңғай электр энергетикалық жүйесіне "
        "қосылмаған, энергия өндіруші ұйымдардың өндіруші қондырғылары өндіретін электр энергиясын пайдаланатын "
        "цифрлық майнерлерді қоспағанда\n"
        "энергия беруші ұйымдардан кернеуі 35 киловольт және одан жоғары рұқсат етілген қуаты кемінде бір "
        "мегаватт трансформаторлық қосалқы станциялардан техникалық шарттар алған цифрлық майнерлер үшін; 2023 "
        "жылғы 1 сәуірге дейін энергия беруші (энергия өндіруші) ұйымдардың электр желілеріне қосуды жүзеге "
        "асырған цифрлық майнерлер үшін",
        "Наличие технических условий, за исключением цифровых майнеров, использующих электрическую энергию, "
        "производимую генерирующими установками энергопроизводящих организаций, не подключенными к единой "
        "электроэнергетической системе Республики Казахстан:\n"
        "для цифровых майнеров, получивших технические условия от энергопередающих организаций от "
        "трансформаторных подстанций напряжением 35 киловольт и выше с разрешенной мощностью не менее одного "
        "мегаватта; для цифровых майнеров, осуществивших подключение к электрическим сетям энергопередающих "
        "(энергопроизводящих) организаций до 1 апреля 2023 года",
        "Has technical conditions (except miners using power from generators not connected to the unified "
        "power system of Kazakhstan): from a transformer substation of 35 kV or more with a permitted capacity "
        "of at least 1 MW; or, for miners connected to the grid before 1 April 2023, for their connection",
        "001 App.11 item 1(5) and its note *",
    ),
    ChecklistItem(
        _M.M6_PLACEMENT_CONTRACT, 6,
        "Цифрлық майнинг деректерін өңдеу орталығында аппараттық-бағдарламалық кешенді орналастыру туралы "
        "шарттың болуы",
        "Наличие договора о размещении аппаратно-программного комплекса в центре обработки данных цифрового "
        "майнинга",
        "Has a contract for placing the hardware-software complexes in a digital mining data center",
        "001 App.11 item 1(1), item 2(1)",
    ),
    ChecklistItem(
        _M.M7_POOL_WITH_DC, 7,
        "Цифрлық майнинг жөніндегі қызметін цифрлық майнинг деректерін өңдеу орталығын пайдалана отырып, "
        "цифрлық майнингтік пул арқылы жүзеге асыру",
        "Осуществление деятельности по цифровому майнингу через цифровой майнинговый пул с использованием "
        "центра обработки данных цифрового майнинга",
        "Mines through a digital mining pool using a digital mining data center",
        "001 §3; 001 App.11 item 1(3)",
    ),
    ChecklistItem(
        _M.M8_ASKUE, 8,
        "Цифрлық майнингте электр энергиясын коммерциялық есепке алудың автоматтандырылған жүйесінің, оларды "
        "жүйелермен біріздендіруді қамтамасыз ететін телекоммуникациялар жүйесінің, олардың желілеріне қосылған "
        "кезде жүйелік операторда және энергия беруші ұйымда орнатылған жүктемені ажырату құрылғыларының болуын "
        "растайтын құжаттың болуы",
        "Наличие документа, подтверждающего наличие у цифрового майнера автоматизированной системы "
        "коммерческого учета электрической энергии, системы телекоммуникаций, обеспечивающей их унификацию с "
        "системами, и устройств отключения нагрузки, установленных у системного оператора и у энергопередающей "
        "организации при подключении к их сетям",
        "Has the document confirming the automated commercial electricity metering system (ASKUE), the "
        "telecoms system unifying them with the systems, and the load-shedding devices installed at the system "
        "operator and the grid company on connection to their networks",
        "001 App.11 item 1(4)",
    ),
)

_P = ChecklistItemCode
POOL_ITEMS: tuple[ChecklistItem, ...] = (
    ChecklistItem(
        _P.P1_SERVERS_IN_KAZAKHSTAN, 1,
        "Цифрлық майнингтік пулының аппараттық-бағдарламалық кешенінің Қазақстан Республикасының аумағында "
        "нақты орналасуы",
        "Физическое местонахождение аппаратно-программного комплекса цифрового майнингового пула на территории "
        "Республики Казахстан",
        "The pool's hardware-software complex is physically located in Kazakhstan",
        "004 §4(1)",
    ),
    ChecklistItem(
        _P.P2_INFOSEC_TEST, 2,
        "Ақпараттық қауіпсіздік талаптарына сәйкестігіне сынақтардың оң нәтижесі бар сынақтар актісінің болуы",
        "Наличие акта с положительным результатом испытаний на соответствие требованиям информационной "
        "безопасности",
        "Has a test report with a positive result of testing for compliance with information security "
        "requirements",
        "004 §4(2)",
    ),
    ChecklistItem(
        _P.P3_BACKUP_ELSEWHERE, 3,
        "Қазақстан Республикасының өзге елді мекенінде (астанада, республикалық маңызы бар қалада, облыстық "
        "маңызы бар қалада, аудандық маңызы бар қалада) орналасқан кемінде бір резервтік "
        "аппараттық-бағдарламалық кешеннің болуы",
        "Наличие не менее одного резервного аппаратно-программного комплекса, находящегося в ином населенном "
        "пункте Республики Казахстан (столице, городе республиканского значения, городе областного значения, "
        "городе районного значения)",
        "Has at least one backup hardware-software complex in another settlement of Kazakhstan (the capital, a "
        "city of republican, regional or district significance)",
        "004 §4(3)",
    ),
    ChecklistItem(
        _P.P4_TWO_PROVIDERS, 4,
        "Цифрлық майнингтік пулының (негізгі және резервтік) аппараттық-бағдарламалық кешенінің әрқайсысын "
        "байланыс қызметтерін әртүрлі жеткізушілерден (провайдерлерден) бөлінген екі байланыс арнасымен "
        "қамтамасыз ету",
        "Обеспечение каждого из аппаратно-программного комплекса цифрового майнингового пула (основной и "
        "резервный) двумя выделенными каналами связи от разных поставщиков (провайдеров) услуг связи",
        "Each of the pool's complexes (main and backup) has two dedicated channels from different "
        "telecoms providers",
        "004 §4(4)",
    ),
    ChecklistItem(
        _P.P5_SUPPORT_24_7, 5,
        "Ақпараттық жүйеде техникалық қолдау қызметінің цифрлық майнингтік пулының және клиенттердің тәулік "
        "бойы жұмыс істейтін режимдегі жолданымдарының болуы",
        "Наличие в информационной системе цифрового майнингового пула службы технической поддержки и обращения "
        "клиентов в круглосуточном режиме",
        "The pool's information system has technical support and client requests around the clock",
        "004 §4(5)",
    ),
    ChecklistItem(
        _P.P6_THREE_LANGUAGES, 6,
        "Цифрлық майнингтік пулының ақпараттық жүйесінің мемлекеттік, орыс және ағылшын тілдерінде пайдаланушы "
        "интерфейсінің болуы",
        "Наличие пользовательского интерфейса на государственном, русском и английском языках информационной "
        "системы цифрового майнингового пула",
        "The pool's information system has a user interface in the state (Kazakh), Russian and English "
        "languages",
        "004 §4(6)",
    ),
    ChecklistItem(
        _P.P7_STATE_PD_SERVICE, 7,
        "Дербес деректерге қол жеткізуді бақылаудың мемлекеттік сервисімен интеграциялау туралы оң жауабы бар "
        "хатының болуы",
        "Наличие письма с положительным ответом об интеграции с государственным сервисом контроля доступа к "
        "персональным данным",
        "Has a letter with a positive answer on integration with the state service for control of access to "
        "personal data",
        "004 §4(7)",
    ),
    ChecklistItem(
        _P.P8_MONTHLY_REPORTS, 8,
        "Цифрлық активтер саласындағы уәкілетті органға және салықтардың және бюджетке төленетін басқа да "
        "міндетті төлемдердің түсуін қамтамасыз ету саласында басшылықты жүзеге асыратын уәкілетті органға "
        "цифрлық майнингтік пулдың цифрлық майнерлердің кірістері туралы сенімді мәліметтерді салық салу "
        "мақсаттары үшін цифрлық майнингтік пул ай сайын цифрлық активтерді бөлу орын алған айдан кейінгі айдың "
        "25 (жиырма бесінші) күнінен кешіктірмей уақтылы ұсынуы",
        "Своевременное представление цифровым майнинговым пулом ежемесячно, не позднее 25 (двадцать пятого) "
        "числа месяца, следующего за месяцем, в котором произошло распределение цифровых активов, в "
        "уполномоченный орган в сфере цифровых активов и в уполномоченный орган, осуществляющий руководство в "
        "сфере обеспечения поступлений налогов и других обязательных платежей в бюджет, достоверных сведений о "
        "доходах цифровых майнеров для целей налогообложения",
        "The pool submits, monthly and on time (no later than the 25th of the month after the month in which "
        "digital assets were distributed), reliable data on the digital miners' income for tax purposes to the "
        "authority for digital assets and to the tax authority",
        "003 pool checklist item 8 (monthly income reports)",
    ),
)

CHECKLISTS: tuple[Checklist, ...] = (
    Checklist(SubjectKind.MINER, RuleSet.INSPECTION_MINER, "373/НҚ", MINER_ITEMS),
    Checklist(SubjectKind.POOL, RuleSet.INSPECTION_POOL, "662/НҚ", POOL_ITEMS),
)


def checklist_for(kind: SubjectKind | str, on: date) -> Checklist:
    """The edition of ``kind``'s checklist in force on ``on`` (the latest one that started by then);
    NoRulesInForce (NO_RULES_IN_FORCE) when none was."""
    kind = SubjectKind(kind)
    editions = [c for c in CHECKLISTS if c.kind is kind and c.effective_from <= on]
    if not editions:
        raise NoRulesInForce(f"003 {kind.value.lower()} checklist", on)
    return max(editions, key=lambda c: c.effective_from)
