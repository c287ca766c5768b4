"""The pure unit-list rules (rules/unit_list): headers, cells and rows, fed in memory. Reading
files (CSV decoding, XLSX) is tested in tests/resolvers/test_unit_files.py."""

import csv
import io
import random

import pytest

from rules.unit_list import (
    REQUIRED_COLUMNS,
    ParsedUnitList,
    UnitListError,
    column_for_header,
    normalize_serial,
    validate_rows,
)
from tests.unit_lists import EN, KK, RU, TNVED, to_csv, unit


def validate_csv(text: str, **kw: int) -> ParsedUnitList:
    """The rows of CSV text as a CSV reader gives them (all text, a spreadsheet's numbering)."""
    return validate_rows(enumerate(csv.reader(io.StringIO(text, newline="")), start=1), **kw)


def parse_csv(header: list[str], rows: list[list[object]], delimiter: str = ",") -> ParsedUnitList:
    return validate_csv(to_csv(header, rows, delimiter))


def list_error(text: str, **kw: int) -> str:
    with pytest.raises(UnitListError) as exc:
        validate_csv(text, **kw)
    return exc.value.code


def codes(result: ParsedUnitList) -> list[tuple[int, str, str]]:
    return [(i.line, i.column, i.code) for i in result.issues]


# --- good files ----------------------------------------------------------------------------


def test_headers_free_order_no_line_column_and_extra_columns() -> None:
    header = [
        "Condition",
        "Note",
        "serial  NUMBER",
        "TN-VED code",
        "power (kW)",
        "HASHRATE",
        "Customs declaration",
        "model",
    ]
    row = ["working", "whatever", "X1", TNVED, "3.25", "110", "D1", "S19"]
    result = parse_csv(header, [row])
    assert result.ok
    assert result.rows[0].serial == "X1" and result.rows[0].model == "S19"


def test_kazakh_header_from_cp1251_export_with_lost_letters() -> None:
    # Excel's ANSI (cp1251) export turns қ, ө, ү... into "?"; the header must still map.
    lossy = [h.encode("cp1251", errors="replace").decode("cp1251") for h in KK]
    assert "?" in "".join(lossy)
    assert [column_for_header(h) for h in lossy] == [column_for_header(h) for h in KK]


# --- file-level failures -----------------------------------------------------------------


def test_missing_columns_are_named() -> None:
    header = ["No", "Model", "Serial number", "Hashrate TH/s", "Power kW"]
    with pytest.raises(UnitListError) as exc:
        parse_csv(header, [unit(1)[:5]])
    assert exc.value.code == "MISSING_COLUMNS"
    assert exc.value.missing == ("tnved_code", "customs_declaration", "condition")
    assert "tnved_code" in str(exc.value)


def test_unrelated_header_is_missing_columns() -> None:
    with pytest.raises(UnitListError) as exc:
        validate_csv("a,b,c\n1,2,3\n")
    assert exc.value.code == "MISSING_COLUMNS"
    assert exc.value.missing == REQUIRED_COLUMNS


def test_duplicate_columns() -> None:
    assert list_error(to_csv([*EN, "Serial"], [unit(1)])) == "DUPLICATE_COLUMNS"


def test_too_many_rows() -> None:
    text = to_csv(EN, [unit(n) for n in range(1, 6)])
    assert validate_csv(text, max_rows=5).ok
    assert list_error(text, max_rows=4) == "TOO_MANY_ROWS"


# --- row validation ------------------------------------------------------------------------


def test_duplicate_serial_case_and_space_variants() -> None:
    result = parse_csv(
        EN, [unit(1, "ab 12-X"), unit(2, "other"), unit(3, "AB12-x"), unit(4, " ab\u00a012-x ")]
    )
    assert not result.ok
    assert codes(result) == [(4, "serial", "DUPLICATE_SERIAL"), (5, "serial", "DUPLICATE_SERIAL")]
    assert "line 2" in result.errors[0].message
    assert [r.line for r in result.rows] == [2, 3]


def test_normalize_serial() -> None:
    assert normalize_serial(" Ab 1\t2 ") == "ab12"
    assert normalize_serial("АВ12") == normalize_serial("ab12")  # Cyrillic look-alikes
    assert normalize_serial("ＡＢ１２") == "ab12"


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("hashrate", "-5", "NOT_POSITIVE"),
        ("hashrate", "0", "NOT_POSITIVE"),
        ("hashrate", "0,0", "NOT_POSITIVE"),
        ("hashrate", "abc", "NOT_A_NUMBER"),
        ("hashrate", "110 TH/s", "NOT_A_NUMBER"),
        ("hashrate", "1,234.5", "NOT_A_NUMBER"),
        ("hashrate", "NaN", "NOT_A_NUMBER"),
        ("hashrate", "", "REQUIRED"),
        ("power", "-3,25", "NOT_POSITIVE"),
        ("power", "0", "NOT_POSITIVE"),
        ("power", "3.2.5", "NOT_A_NUMBER"),
        ("power", "Infinity", "NOT_A_NUMBER"),
        ("tnved", "847141000", "INVALID_TNVED"),
        ("tnved", "84714100AB", "INVALID_TNVED"),
        ("tnved", "84714100001", "INVALID_TNVED"),
        ("tnved", "８４７１４１００００", "INVALID_TNVED"),  # full-width digits
        ("tnved", "", "REQUIRED"),
        ("condition", "так себе", "INVALID_CONDITION"),
        ("condition", "", "REQUIRED"),
        ("model", "", "REQUIRED"),
        ("serial", "   ", "REQUIRED"),
        ("model", "x" * 256, "TOO_LONG"),
    ],
)
def test_bad_cell(field: str, value: str, code: str) -> None:
    columns = {
        "hashrate": "hashrate_ths",
        "power": "power_kw",
        "tnved": "tnved_code",
        "condition": "condition",
        "model": "model",
        "serial": "serial",
    }
    row = unit(1, **{field: value})
    if field == "serial":
        row[2] = value
    result = parse_csv(EN, [unit(7), row])
    assert not result.ok
    assert (3, columns[field], code) in codes(result)
    assert [r.line for r in result.rows] == [2]


@pytest.mark.parametrize(
    ("hashrate", "power"), [("1 234,5", "30,8"), ("+110", "3.25"), ("110.", ".5e1")]
)
def test_number_spellings(hashrate: str, power: str) -> None:
    result = parse_csv(EN, [unit(1, hashrate=hashrate, power=power.replace(".5e1", "3,3"))])
    assert result.ok, result.issues


def test_exponent_in_text_is_not_a_number() -> None:
    result = parse_csv(EN, [unit(1, power="3250e-3")])
    assert codes(result) == [(2, "power_kw", "NOT_A_NUMBER")]


def test_tnved_with_spaces_is_accepted() -> None:
    result = parse_csv(EN, [unit(1, tnved="8471 41 000 0")])
    assert result.ok and result.rows[0].tnved_code == TNVED


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("исправный", "WORKING"),
        ("Исправное", "WORKING"),
        ("РАБОЧИЙ", "WORKING"),
        ("жарамды", "WORKING"),
        ("Working", "WORKING"),
        ("неисправный", "FAULTY"),
        ("неисправное", "FAULTY"),
        ("жарамсыз", "FAULTY"),
        ("faulty", "FAULTY"),
        (" FAULTY ", "FAULTY"),
    ],
)
def test_condition_words(word: str, expected: str) -> None:
    result = parse_csv(EN, [unit(1, condition=word)])
    assert result.ok and result.rows[0].condition == expected


@pytest.mark.parametrize(
    ("power", "warned"),
    [("0,9", True), ("1", False), ("1,0", False), ("11", False), ("11,1", True), ("50", True)],
)
def test_efficiency_warning_outside_10_to_110_j_per_th(power: str, warned: bool) -> None:
    result = parse_csv(EN, [unit(1, hashrate="100", power=power)])  # J/TH = power * 10
    assert result.ok  # a warning never blocks
    warnings = [(i.line, i.column, i.code) for i in result.warnings]
    assert warnings == ([(2, "power_kw", "EFFICIENCY_IMPLAUSIBLE")] if warned else [])


def test_missing_customs_declaration_is_a_warning() -> None:
    result = parse_csv(EN, [unit(1, customs="")])
    assert result.ok
    assert codes(result) == [(2, "customs_declaration", "MISSING_CUSTOMS_DECLARATION")]
    assert result.rows[0].customs_declaration == ""


@pytest.mark.parametrize(
    "payload",
    ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tfoo", "  =1+1"],
)
def test_formula_text_in_csv(payload: str) -> None:
    result = parse_csv(EN, [unit(1, model=payload)])
    assert codes(result) == [(2, "model", "FORMULA_NOT_ALLOWED")]
    assert result.rows == []


def test_negative_number_is_not_a_formula() -> None:
    result = parse_csv(EN, [unit(1, hashrate="-110")])
    assert codes(result) == [(2, "hashrate_ths", "NOT_POSITIVE")]


def test_errors_are_capped() -> None:
    rows = [unit(n, hashrate="x") for n in range(1, 51)]
    result = validate_csv(to_csv(EN, rows), max_issues=10)
    assert len(result.errors) == 11
    assert result.issues[-1].code == "TOO_MANY_ERRORS"


def test_warnings_are_capped_but_do_not_block() -> None:
    rows = [unit(n, power="50") for n in range(1, 51)]
    result = validate_csv(to_csv(EN, rows), max_issues=10)
    assert result.ok and len(result.rows) == 50
    assert len(result.warnings) == 11
    assert result.issues[-1].code == "WARNINGS_TRUNCATED"


def test_excel_error_text_in_csv() -> None:
    result = parse_csv(EN, [unit(1, hashrate="#DIV/0!")])
    assert codes(result) == [(2, "hashrate_ths", "CELL_ERROR")]


def test_lone_tab_in_the_line_column_is_a_formula() -> None:
    result = parse_csv(EN, [["\t", *unit(1)[1:]], unit(2)])
    assert codes(result) == [(2, "line", "FORMULA_NOT_ALLOWED")]
    assert [r.line for r in result.rows] == [3]


# --- typed cells (a workbook reader's), and the clean-row fast path (`accept_clean`) ---------
def _validate_typed(rows: list[list[object]]) -> ParsedUnitList:
    return validate_rows(enumerate(rows, start=1), source_format="XLSX")


def test_title_rows_numbering_row_and_blank_rows_are_skipped() -> None:
    title = ["Сведения аппаратно-программного комплекса для цифрового майнинга"]
    rows = [title, [], RU, [1, 2, 3, 4, 5, 6, 7, 8], unit(1), [None] * 8, ["", " "], unit(2)]
    result = _validate_typed(rows)
    assert result.ok and result.header_line == 3
    assert [r.line for r in result.rows] == [5, 8]


def test_header_only_is_empty() -> None:
    with pytest.raises(UnitListError) as exc:
        _validate_typed([EN, [None] * 8, [4, None, "  ", None]])
    assert exc.value.code == "FILE_EMPTY"


_TYPED_ODD: dict[int, list[object]] = {  # typed cells, as a workbook reader gives them
    0: [None, "", 7.0, True, "=1+1", "x" * 256],
    1: [None, "", " Antminer ", 12.0, "@SUM", "#N/A"],
    2: [None, "", 12345.0, 1234567890123456.0, "sn000001", "\u200b"],
    3: [110.0, 110, "13,5", "abc", 0.0, -110.0, True],
    4: [3.25, 3, "3,25 ", False, "#DIV/0!", 0.0001],
    5: [8471410000.0, 8471410000, "8471 41 000 0", "847141000", None],
    6: [None, "", 12345.0, "=cmd"],
    7: ["working", "Неисправный", True, "", None],
}


@pytest.mark.parametrize("seed", range(8))
def test_clean_row_fast_path_changes_nothing_on_typed_cells(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(seed)
    rows: list[list[object]] = [EN]
    for n in range(1, 41):
        row = unit(n, serial=f"SN{rng.randint(1, 30):06d}")
        for col, odd in _TYPED_ODD.items():
            if rng.random() < 0.12:
                row[col] = rng.choice(odd)
        rows.append(row)

    def outcome() -> tuple[object, ...]:
        result = _validate_typed(rows)
        return [tuple(repr(v) for v in vars(r).values()) for r in result.rows], result.issues

    fast = outcome()
    monkeypatch.setattr("rules.unit_list._RowChecker.accept_clean", lambda *_: False)
    assert fast == outcome()
    assert fast[0] and fast[1]  # both paths were exercised


# --- lines given as data, and the closed sets of codes ------------------------------------------


def test_lines_given_as_data_are_numbered_by_position_and_checked_by_the_same_rules():
    from decimal import Decimal

    from rules.unit_list import DATA_COLUMNS, validate_lines

    good = {"model": "S19", "serial": "A1", "tnved_code": "8471 41 000 0", "hashrate_ths": Decimal("95"),
            "power_kw": Decimal("3.25"), "customs_declaration": "10000/1", "condition": "WORKING"}
    parsed = validate_lines([good, {**good, "serial": "a 1"}, {**good, "serial": "B", "power_kw": "=1+1"}])
    assert parsed.source_format == "INPUT"
    assert [(r.line, r.serial, r.tnved_code) for r in parsed.rows] == [(1, "A1", "8471410000")]
    assert [(i.line, i.column, i.code) for i in parsed.errors] == [(2, "serial", "DUPLICATE_SERIAL"), (3, "power_kw", "FORMULA_NOT_ALLOWED")]
    assert set(good) == set(DATA_COLUMNS)
    assert [i.code for i in validate_lines([]).errors] == ["NO_UNIT_LINES"]


def test_lines_given_as_data_stop_after_the_error_budget():
    from rules.unit_list import validate_lines

    bad = {"model": "", "serial": "", "tnved_code": "", "hashrate_ths": "", "power_kw": "", "customs_declaration": "", "condition": ""}
    parsed = validate_lines([bad] * 10, max_issues=5)
    assert parsed.issues[-1].code == "TOO_MANY_ERRORS" and parsed.issues[-1].line == 1


def test_issue_codes_and_severities_are_closed_sets():
    from rules.unit_list import RowIssue, Severity, UnitListColumn, UnitListError, UnitListIssueCode

    issue = RowIssue(3, "serial", "DUPLICATE_SERIAL", "x", "ERROR")
    assert issue.code is UnitListIssueCode.DUPLICATE_SERIAL and issue.severity is Severity.ERROR
    with pytest.raises(ValueError):
        RowIssue(3, "serial", "SOMETHING_NEW", "x", "ERROR")  # a code clients could not know
    with pytest.raises(ValueError):
        RowIssue(3, "serial", "REQUIRED", "x", "INFO")
    assert UnitListError("ENCODING", "x").code is UnitListIssueCode.ENCODING
    with pytest.raises(ValueError):
        UnitListError("BROKEN", "x")
    assert UnitListColumn.of("tnved_code") is UnitListColumn.TNVED_CODE
    assert UnitListColumn.of("file") is None and UnitListColumn.of("") is None


def test_every_issue_a_bad_file_draws_is_in_the_closed_set():
    rows = [unit(1), unit(2, serial="SN000001"), unit(3, hashrate="x"), unit(4, power="0"),
            unit(5, tnved="123"), unit(6, condition="?"), unit(7, customs=""), unit(8, power="999"),
            unit(9, model="#N/A"), unit(10, model="=1+1"), unit(11, model="x" * 300)]
    parsed = validate_csv(to_csv(EN, rows))
    codes = {i.code.value for i in parsed.issues}
    assert codes == {"DUPLICATE_SERIAL", "NOT_A_NUMBER", "NOT_POSITIVE", "INVALID_TNVED", "INVALID_CONDITION",
                     "MISSING_CUSTOMS_DECLARATION", "EFFICIENCY_IMPLAUSIBLE", "CELL_ERROR", "FORMULA_NOT_ALLOWED",
                     "TOO_LONG"}
