"""The unit list of an ASIC-registry inclusion application (002 App.3 / 000 3-қосымша).

`validate_rows` validates every row of a list already read into (line, cells) pairs, and
`validate_lines` the lines given as data (an API's input) by the same rules; reading
the uploaded CSV or XLSX file is I/O and lives in resolvers/registry/unit_files.py
(`parse_unit_list`). Nothing here writes anything: the caller inspects `ParsedUnitList.ok`
and takes the rows all-or-nothing. Bad input never raises anything but `UnitListError`
(file-level problems); row problems become `RowIssue`s with the row number a person sees in
Excel (header row = line 1).

Modules: `cells` (text folding, serial numbers, numbers, TN VED, condition words), `headers`
(column recognition in kk/ru/en, the header search), `rows` (the row checker, `validate_rows`
and `validate_lines`), `results` (`UnitRow`, `RowIssue`, `ParsedUnitList`, `UnitListError`, the
closed sets `UnitListIssueCode` and `Severity`).

Columns of App.3 in the seeds (ru 002 / kk 000): line number (Порядковый номер / Реттік
нөмірі), full name, brand, model (Полное наименование ... марка, модель / толық атауы
маркасы, моделі), individual serial number (Индивидуальный серийный номер / жеке сериялық
нөмірі), hashrate TH/s (Хэшрейт), power kW (Мощность / Қуат), customs (cargo) declaration
number (Номер грузовой таможенной декларации / Кедендік жүк декларациясының нөмірі*),
condition (Состояние: исправное / неисправное; жай-күйі: жарамды / жарамсыз).

TN VED: neither 002 App.3 nor 000 3-қосымша has a commodity-code column; the code is asked
once per application (002 App.2 item 7 "код ТН ВЭД ЕАЭС", 000 2-қосымша item 7 "ЕАЭО СЭҚ ТН
коды") and is per unit in the registry record (App.1). A file without the column (the form as
it is) gives every line the application's code (`tnved_default`); a file may still carry its
own column (one application may carry machines declared under different headings, DOMAIN.md),
and then each value must be 10 digits.

Customs declaration: the column is required (it is in the form), but an empty cell is only a
warning: the seeds do not say the number is mandatory (the kk form marks it with `*` and the
footnote text is missing from 000), so the authority decides, not the parser.

Layout accepted: one header row (title rows above it are skipped, the form's numbering row
"1 2 3 ..." right under it too), or the form's own two-row header (hashrate / power under
"Технические сведения", "исправное" / "неисправное" under "Состояние"). The condition is one
column of words, or the form's two tick columns: any non-empty mark in one of them is the
condition; both or neither marked is a line error (CONDITION_MARKED_TWICE / _NOT_MARKED).
"""

from rules.unit_list.cells import Condition, as_number, as_text, normalize_serial
from rules.unit_list.headers import (
    COL_CONDITION,
    COL_CUSTOMS,
    COL_HASHRATE,
    COL_LINE,
    COL_MODEL,
    COL_POWER,
    COL_SERIAL,
    COL_TNVED,
    DATA_COLUMNS,
    REQUIRED_COLUMNS,
    SERIAL_RULES,
    HeaderRules,
    UnitListColumn,
    column_for_header,
    find_header,
    header_rules,
)
from rules.unit_list.results import (
    ParsedSerials,
    ParsedUnitList,
    RowIssue,
    Severity,
    UnitListError,
    UnitListFormat,
    UnitListIssueCode,
    UnitRow,
)
from rules.unit_list.rows import (
    EFFICIENCY_MAX_J_PER_TH,
    EFFICIENCY_MIN_J_PER_TH,
    validate_lines,
    validate_rows,
    validate_serial_rows,
)

# The row checker is private; the name stays reachable here because the tests that compare its
# clean-row fast path with the full check patch it (`rules.unit_list._RowChecker.accept_clean`).
from rules.unit_list.rows import _RowChecker as _RowChecker

__all__ = [
    "COL_CONDITION",
    "COL_CUSTOMS",
    "COL_HASHRATE",
    "COL_LINE",
    "COL_MODEL",
    "COL_POWER",
    "COL_SERIAL",
    "COL_TNVED",
    "DATA_COLUMNS",
    "EFFICIENCY_MAX_J_PER_TH",
    "EFFICIENCY_MIN_J_PER_TH",
    "REQUIRED_COLUMNS",
    "SERIAL_RULES",
    "Condition",
    "HeaderRules",
    "ParsedSerials",
    "ParsedUnitList",
    "RowIssue",
    "Severity",
    "UnitListColumn",
    "UnitListError",
    "UnitListFormat",
    "UnitListIssueCode",
    "UnitRow",
    "as_number",
    "as_text",
    "column_for_header",
    "find_header",
    "header_rules",
    "normalize_serial",
    "validate_lines",
    "validate_rows",
    "validate_serial_rows",
]
