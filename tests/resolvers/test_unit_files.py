"""Reading uploaded unit lists (resolvers/registry/unit_files.py, unit_xlsx.py): CSV
decoding and delimiters, XLSX through calamine with its guards, file-level limits."""

import io
import random
import zipfile
from collections.abc import Sequence
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from resolvers.registry.unit_files import parse_unit_list
from resolvers.registry.unit_xlsx import MAX_SHEET_CELLS, xlsx_rows
from rules.unit_list import ParsedUnitList, UnitListError
from tests.unit_lists import EN, KK, RU, TNVED, to_csv, unit


def to_xlsx(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def parse_csv(header: list[str], rows: list[list[object]], delimiter: str = ",") -> ParsedUnitList:
    return parse_unit_list(to_csv(header, rows, delimiter).encode(), "units.csv")


def codes(result: ParsedUnitList) -> list[tuple[int, str, str]]:
    return [(i.line, i.column, i.code) for i in result.issues]


def file_error(data: bytes, filename: str = "units.csv", **kw: int) -> str:
    with pytest.raises(UnitListError) as exc:
        parse_unit_list(data, filename, **kw)
    return exc.value.code


# --- good files ----------------------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_good_csv(delimiter: str) -> None:
    result = parse_csv(RU, [unit(1), unit(2)], delimiter)
    assert result.ok and result.issues == []
    assert result.source_format == "CSV"
    first = result.rows[0]
    assert first.line == 2
    assert first.model == "Antminer S19 Pro"
    assert first.serial == "SN000001"
    assert first.tnved_code == TNVED
    assert first.hashrate_ths == Decimal("110")
    assert first.power_kw == Decimal("3.25")
    assert first.customs_declaration == "50401/010123/0001234"
    assert first.condition == "WORKING"
    assert [r.line for r in result.rows] == [2, 3]


@pytest.mark.parametrize("header", [RU, KK, EN], ids=["ru", "kk", "en"])
def test_good_xlsx_in_each_language(header: list[str]) -> None:
    data = to_xlsx([header, unit(1), unit(2, condition="жарамсыз"), unit(3, power=3.25)])
    result = parse_unit_list(data, "upload.bin")  # content decides, not the name
    assert result.ok, result.issues
    assert result.source_format == "XLSX"
    assert [r.condition for r in result.rows] == ["WORKING", "FAULTY", "WORKING"]
    assert result.rows[2].power_kw == Decimal("3.25")


def test_xlsx_numbers_and_numeric_text_cells() -> None:
    data = to_xlsx([EN, unit(1, hashrate=110, power=3.25, tnved=8471410000, serial=123456)])
    (row,) = parse_unit_list(data, "u.xlsx").rows
    assert (row.hashrate_ths, row.power_kw, row.tnved_code, row.serial) == (
        Decimal("110"),
        Decimal("3.25"),
        TNVED,
        "123456",
    )


def test_cp1251_csv() -> None:
    data = to_csv(RU, [unit(1, model="Асик Бітмайн", condition="неисправный")], ";")
    result = parse_unit_list(data.encode("cp1251"), "units.csv")
    assert result.ok, result.issues
    assert result.rows[0].model == "Асик Бітмайн"
    assert result.rows[0].condition == "FAULTY"


def test_utf8_bom_csv() -> None:
    result = parse_unit_list(b"\xef\xbb\xbf" + to_csv(EN, [unit(1)]).encode(), "u.csv")
    assert result.ok


def test_title_rows_and_form_numbering_row_are_skipped() -> None:
    data = to_xlsx(
        [
            ["Сведения аппаратно-программного комплекса для цифрового майнинга"],
            [],
            RU,
            [1, 2, 3, 4, 5, 6, 7, 8],
            unit(1),
        ]
    )
    result = parse_unit_list(data, "u.xlsx")
    assert result.ok and result.header_line == 3
    assert [r.line for r in result.rows] == [5]


def test_blank_and_pre_numbered_rows_are_skipped() -> None:
    rows = [unit(1), [None] * 8, unit(2), [4, None, "  ", None], [5]]
    data = to_xlsx([EN, *rows, [None, None]])
    result = parse_unit_list(data, "u.xlsx")
    assert result.ok
    assert [r.line for r in result.rows] == [2, 4]


# --- file-level failures -----------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"   \r\n\n", b"\xef\xbb\xbf"])
def test_empty_file(data: bytes) -> None:
    assert file_error(data) == "FILE_EMPTY"


def test_header_only_is_empty() -> None:
    assert file_error(to_csv(EN, []).encode()) == "FILE_EMPTY"
    assert file_error(to_xlsx([EN, [None]]), "u.xlsx") == "FILE_EMPTY"


def test_empty_workbook() -> None:
    assert file_error(to_xlsx([]), "u.xlsx") == "FILE_EMPTY"


def test_too_large() -> None:
    assert file_error(to_csv(EN, [unit(1)]).encode(), max_bytes=50) == "FILE_TOO_LARGE"


def test_ten_megabytes_of_random_bytes() -> None:
    data = random.Random(20240807).randbytes(10 * 1024 * 1024)
    for name in ("units.csv", "units.xlsx", "units"):
        assert file_error(data, name) in {"NOT_A_SPREADSHEET", "ENCODING"}
    # random bytes behind a zip signature: a broken zip
    assert file_error(b"PK\x03\x04" + data, "units.xlsx") == "NOT_A_SPREADSHEET"


def test_zip_that_is_not_an_xlsx() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert file_error(buf.getvalue(), "units.xlsx") == "NOT_A_SPREADSHEET"


def test_xlsx_with_a_broken_sheet() -> None:
    src = zipfile.ZipFile(io.BytesIO(to_xlsx([EN, unit(1)])))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = body[: len(body) // 2]  # truncated XML
            out.writestr(info, body)
    assert file_error(buf.getvalue(), "units.xlsx") == "NOT_A_SPREADSHEET"


def test_truncated_xlsx() -> None:
    data = to_xlsx([EN, unit(1)])
    assert file_error(data[: len(data) // 2], "units.xlsx") == "NOT_A_SPREADSHEET"


def test_legacy_xls_signature() -> None:
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    assert file_error(data, "units.xls") == "NOT_A_SPREADSHEET"


def test_non_utf8_garbage_is_encoding() -> None:
    # 0x98 is undefined in cp1251 and the bytes are not UTF-8 either
    garbage = b"\x98\xff\xfe abc \x81\x98 def\n" * 20
    assert file_error(garbage, "units.csv") == "ENCODING"


def test_binary_with_nul_is_not_a_spreadsheet() -> None:
    assert file_error(b"%PDF-1.7\n\x00\x01\x02binary", "units.csv") == "NOT_A_SPREADSHEET"


def test_utf16_is_encoding() -> None:
    data = to_csv(EN, [unit(1)]).encode("utf-16")
    assert file_error(data, "units.csv") == "ENCODING"


# --- row validation ------------------------------------------------------------------------


def test_formula_text_in_xlsx_string_cell() -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(EN)
    ws.append(unit(1))
    ws["B2"].value = '=HYPERLINK("http://x","y")'
    ws["B2"].data_type = "s"  # a text cell holding formula text, as other tools write it
    ws["G2"].value = "@evil"
    buf = io.BytesIO()
    wb.save(buf)
    result = parse_unit_list(buf.getvalue(), "u.xlsx")
    assert codes(result) == [
        (2, "model", "FORMULA_NOT_ALLOWED"),
        (2, "customs_declaration", "FORMULA_NOT_ALLOWED"),
    ]


def test_real_formula_without_cached_value_is_not_accepted() -> None:
    # openpyxl writes no cached result; data_only reading sees an empty cell
    data = to_xlsx([EN, unit(1, power="=3.25*1")])
    result = parse_unit_list(data, "u.xlsx")
    assert codes(result) == [(2, "power_kw", "REQUIRED")]
    assert "formula" in result.errors[0].message


def test_row_numbers_match_the_file_lines() -> None:
    # header = line 1; a blank line and a quoted two-line cell keep spreadsheet numbering
    good = ",".join(str(v) for v in unit(1, power="3.25"))
    multiline = ",".join(str(v) for v in unit(2, power="3.25", model='"S19\nPro"'))
    bad = ",".join(str(v) for v in unit(3, power="3.25", hashrate="x"))
    text = "\n".join([",".join(EN), good, "", multiline, bad]) + "\n"
    result = parse_unit_list(text.encode(), "u.csv")
    assert [r.line for r in result.rows] == [2, 4]
    assert result.rows[1].model == "S19\nPro"
    assert codes(result) == [(5, "hashrate_ths", "NOT_A_NUMBER")]

    data = to_xlsx([EN, unit(1), [], [], unit(2, hashrate="0")])
    assert codes(parse_unit_list(data, "u.xlsx")) == [(5, "hashrate_ths", "NOT_POSITIVE")]


def test_serial_stored_as_a_long_number_in_xlsx() -> None:
    data = to_xlsx([EN, unit(1, serial=1.2345678901234568e18)])
    assert codes(parse_unit_list(data, "u.xlsx")) == [(2, "serial", "SERIAL_PRECISION_LOST")]


def _trimmed(cells: Sequence[object]) -> tuple[object, ...]:
    """Cells compared across readers: "" and None are both empty, trailing empties dropped."""
    values = [None if c == "" else c for c in cells]
    while values and values[-1] is None:
        values.pop()
    return tuple(values)


def test_xlsx_reader_matches_openpyxl_on_odd_cells() -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(EN)
    ws.append(unit(1))
    ws["J2"] = True  # beyond the last column, gap in between
    ws["A9"] = "far"  # a gap of rows
    ws["I9"] = 1.5
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()

    ours = {line: _trimmed(cells) for line, cells in xlsx_rows(data, len(data)) if any(cells)}
    ro = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = ro.worksheets[0]
        sheet.reset_dimensions()
        theirs = {
            line: _trimmed(cells)
            for line, cells in enumerate(sheet.iter_rows(values_only=True), start=1)
            if any(c is not None for c in cells)
        }
    finally:
        ro.close()
    assert ours == theirs  # 1 == 1.0: calamine gives every number as a float


def _excel_like_xlsx(rows_xml: str, shared: list[str], *, sheet: str | None = None) -> bytes:
    """A minimal workbook as Excel writes it: shared strings, cell refs, cached formula values."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    ct = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{ct}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{ct}.worksheet+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{ct}.sharedStrings+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{pkg}"><Relationship Id="rId1" Type="{rel}/officeDocument"'
            ' Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
            '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{pkg}">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>"
        ),
        "xl/sharedStrings.xml": (
            f'<sst xmlns="{main}">' + "".join(f"<si><t>{s}</t></si>" for s in shared) + "</sst>"
        ),
        "xl/worksheets/sheet1.xml": sheet
        or (
            f'<worksheet xmlns="{main}"><dimension ref="A1:H3"/><sheetData>{rows_xml}'
            "</sheetData></worksheet>"
        ),
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in parts.items():
            archive.writestr(name, body)
    return buf.getvalue()


def test_excel_like_workbook_with_shared_strings_and_formulas() -> None:
    shared = [*EN, "Antminer S21", "SN-1", "DT-1", "working"]
    s = {text: i for i, text in enumerate(shared)}

    def sst(ref: str, text: str) -> str:
        return f'<c r="{ref}" t="s"><v>{s[text]}</v></c>'

    header = "".join(sst(f"{col}1", title) for col, title in zip("ABCDEFGH", EN, strict=True))
    row2 = (
        '<c r="A2"><v>1</v></c>'
        + sst("B2", "Antminer S21")
        + sst("C2", "SN-1")
        + '<c r="D2"><v>200</v></c>'
        + '<c r="E2"><f>D2*0.0175</f><v>3.5</v></c>'  # computed power: the cached value counts
        + '<c r="F2"><v>8471410000</v></c>'
        + sst("G2", "DT-1")
        + '<c r="H2" t="str"><f>"work"&amp;"ing"</f><v>working</v></c>'
    )
    row3 = (
        '<c r="B3" t="inlineStr"><is><r><t>Whats</t></r><r><t>miner</t></r></is></c>'
        '<c r="C3" t="e"><v>#N/A</v></c><c r="D3" t="b"><v>1</v></c>'
    )
    data = _excel_like_xlsx(
        f'<row r="1">{header}</row><row r="2">{row2}</row><row r="3">{row3}</row>', shared
    )
    result = parse_unit_list(data, "u.xlsx")
    (row,) = result.rows
    assert (
        row.line,
        row.model,
        row.serial,
        row.hashrate_ths,
        row.power_kw,
        row.tnved_code,
        row.customs_declaration,
        row.condition,
    ) == (2, "Antminer S21", "SN-1", Decimal(200), Decimal("3.5"), TNVED, "DT-1", "WORKING")
    issues = set(codes(result))
    assert (3, "hashrate_ths", "NOT_A_NUMBER") in issues  # TRUE is not a hashrate
    assert (3, "model", "REQUIRED") not in issues  # the rich inline string was read
    assert (3, "serial", "CELL_ERROR") in issues  # "#N/A" is not a serial number


# --- the clean-row fast path (`_RowChecker.accept_clean`) agrees with the full check -------
_ODD_CELLS: dict[int, list[object]] = {  # EN column index -> odd values, mixed into good rows
    0: ["", None, "\t", " \t", "=1+1", " =A1", "#REF!", "x" * 256, "x" * 255, "-3", 7.0, True],
    1: [
        "",
        " Antminer ",
        "\t",
        "\tA",
        "=HYPERLINK()",
        "@SUM",
        "#N/A",
        "-5",
        "+7 701",
        12,
        "m" * 256,
    ],
    2: [
        "",
        "sn000001",
        " SN 000001 ",
        "ЅN1",
        "\u200b",
        "\u200bSN9",
        "=1",
        1234567890123456.0,
        12345,
    ],
    3: [
        "110.0",
        "13,5",
        " 110 ",
        "1 234,5",
        "1,234.5",
        "abc",
        "0",
        "-110",
        "+110",
        "1e3",
        "٣",
        110.0,
    ],
    4: ["3.01", "0.0001", "15.4", "3,25 ", "nan", "Infinity", 3.25, 3, False, "=1", "#DIV/0!"],
    5: [
        "8471 41 000 0",
        "8471-41-0000",
        "847141000",
        "８４７１４１００００",
        8471410000,
        " 8471410000",
    ],
    6: ["", None, " ", "=cmd", "#N/A", "x" * 256, 12345, "-", "＋1"],
    7: ["maybe", "Неисправный", "working", "ЖҰМЫС ІСТЕЙДІ", "", "=1", " исправное ", True],
}


def _outcome(data: bytes, filename: str) -> tuple[object, ...]:
    result = parse_unit_list(data, filename)
    rows = [(*(repr(v) for v in vars(row).values()),) for row in result.rows]
    return rows, result.issues, result.header_line


@pytest.mark.parametrize("seed", range(12))
def test_clean_row_fast_path_changes_nothing(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(seed)
    xlsx = seed % 3 == 0
    rows = []
    for n in range(1, 41):
        row = unit(n, serial=f"SN{rng.randint(1, 30):06d}")
        for col, odd in _ODD_CELLS.items():
            if rng.random() < 0.12:
                row[col] = rng.choice(odd)
        rows.append(row)
    if xlsx:
        data, name = to_xlsx([EN, *rows]), "units.xlsx"
    else:
        data, name = to_csv(EN, rows, rng.choice([",", ";"])).encode(), "units.csv"

    fast = _outcome(data, name)
    monkeypatch.setattr("rules.unit_list._RowChecker.accept_clean", lambda *_: False)
    assert fast == _outcome(data, name)
    assert fast[0] and fast[1]  # both paths were exercised




# --- calamine guards: what would make it allocate a huge grid is refused before it reads ----
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _one_cell_rows(*refs: str) -> str:
    """Each reference in a row of its own, holding the number 1."""
    rows = []
    for ref in refs:
        row = ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        rows.append(f'<row r="{row}"><c r="{ref}"><v>1</v></c></row>')
    return "".join(rows)


@pytest.mark.parametrize(
    "rows_xml",
    [
        _one_cell_rows("A1", "XFD1048576"),  # the last cell of the grid: 550 GB for calamine
        _one_cell_rows("A1", "T300000"),  # 300,000 rows x 20 columns
        _one_cell_rows("A1", "ZZ199999"),  # 199,999 rows x 702 columns
        # the same corners written in ways the fast check does not read
        "<row r='1'><c r='A1'><v>1</v></c></row><row r='1048576'><c r='XFD1048576'><v>2</v></c></row>",
        '<row r="1"><c r = "A1"><v>1</v></c></row><row r="9"><c  r="XFD9"><v>2</v></c></row>'
        '<row r="1048576"><c r="A1048576"><v>3</v></c></row>',
        '<row r="1"><c s="0" r="A1"><v>1</v></c></row><row r="900000"><c s="0" r="T900000">'
        "<v>2</v></c></row>",
        # cells without a reference are placed by a running column: 30,001 columns x 500 rows
        '<row r="1"><c r="A1"><v>1</v></c></row><row r="500">' + "<c/>" * 30_000 + "<c><v>2</v></c></row>",
    ],
    ids=["xfd1048576", "rows", "columns", "quotes", "spaces", "attribute-order", "no-refs"],
)
def test_a_grid_too_large_for_calamine_is_refused_before_reading(rows_xml: str) -> None:
    # Were the guard to miss one of these, calamine would abort this process (not raise).
    data = _excel_like_xlsx(rows_xml, [])
    assert file_error(data, "u.xlsx") == "FILE_TOO_LARGE"


def test_prefixed_cells_are_placed_too() -> None:
    sheet = (
        f'<x:worksheet xmlns:x="{_MAIN}"><x:sheetData><x:row r="1"><x:c r="A1"><x:v>1</x:v>'
        '</x:c></x:row><x:row r="1048576"><x:c r="XFD1048576"><x:v>2</x:v></x:c></x:row>'
        "</x:sheetData></x:worksheet>"
    )
    assert file_error(_excel_like_xlsx("", [], sheet=sheet), "u.xlsx") == "FILE_TOO_LARGE"


def test_rows_beyond_excel_are_too_many_rows() -> None:
    data = _excel_like_xlsx(_one_cell_rows("A1", "A1048577"), [])
    assert file_error(data, "u.xlsx") == "TOO_MANY_ROWS"
    forged_row = '<row r="1"><c r="A1"><v>1</v></c></row><row r="2000000"><c><v>1</v></c></row>'
    assert file_error(_excel_like_xlsx(forged_row, []), "u.xlsx") == "TOO_MANY_ROWS"


def test_a_large_grid_within_the_bound_is_read() -> None:
    # Row 500,000 is past the fast check's bound: the exact check measures 500,000 x 2 cells.
    rows = 500_000
    assert rows * 2 <= MAX_SHEET_CELLS
    data = _excel_like_xlsx(_one_cell_rows("A1", f"B{rows}"), [])
    got = [(line, cells) for line, cells in xlsx_rows(data, len(data)) if any(cells)]
    assert got == [(1, [1.0, ""]), (rows, ["", 1.0])]


def _unit_sheet(extra: str = "", model: str = "Antminer S21") -> str:
    shared = [*EN, model]
    header = "".join(
        f'<c r="{col}1" t="s"><v>{i}</v></c>' for i, col in enumerate("ABCDEFGH")
    )
    row2 = (
        '<c r="A2"><v>1</v></c><c r="B2" t="s"><v>8</v></c>'
        '<c r="C2" t="inlineStr"><is><t>SN-1</t></is></c><c r="D2"><v>200</v></c>'
        f'<c r="E2"><v>3.5</v></c><c r="F2"><v>{TNVED}</v></c>'
        '<c r="G2" t="e"><v>#REF!</v></c><c r="H2" t="inlineStr"><is><t>working</t></is></c>'
    )
    rows = f'<row r="1">{header}</row><row r="2">{row2}</row>{extra}'
    return _excel_like_xlsx(rows, shared)  # type: ignore[return-value]


def test_the_exact_check_reads_what_the_fast_check_reads() -> None:
    # An apostrophe (here in a comment calamine skips) sends the sheet to the exact check;
    # values, error cells and row numbers come out the same.
    fast = parse_unit_list(_unit_sheet(), "u.xlsx")
    slow = parse_unit_list(_unit_sheet("<!-- O'Neil -->"), "u.xlsx")
    assert codes(fast) == codes(slow) == [(2, "customs_declaration", "CELL_ERROR")]
    assert fast.rows == slow.rows == []


def test_error_cells_outside_calamines_grid_are_kept() -> None:
    # calamine drops error cells, so its grid can end before a row that holds only errors.
    extra = '<row r="3"><c r="C3" t="e"><v>#N/A</v></c><c r="G3" t="e"><v>#N/A</v></c></row>'
    result = parse_unit_list(_unit_sheet(extra), "u.xlsx")
    assert (3, "serial", "CELL_ERROR") in codes(result)
    assert (3, "customs_declaration", "CELL_ERROR") in codes(result)


def test_formula_cells_count_by_their_saved_value() -> None:
    # data_only reading, as before calamine: a formula's cached result is the cell's value.
    row = (
        '<c r="B2" t="str"><f>"=1+"&amp;"1"</f><v>=1+1</v></c>'  # text result that is a formula
        '<c r="C2" t="str"><f>"SN-"&amp;A2</f><v>SN-1</v></c>'  # computed serial: accepted
        '<c r="D2" t="e"><f>1/0</f><v>#DIV/0!</v></c>'  # cached error
        '<c r="E2"><f>D2*0.0175</f></c>'  # never calculated: no saved value
        f'<c r="F2"><v>{TNVED}</v></c><c r="G2" t="inlineStr"><is><t>D-1</t></is></c>'
        '<c r="H2" t="inlineStr"><is><t>working</t></is></c>'
    )
    header = "".join(f'<c r="{c}1" t="s"><v>{i}</v></c>' for i, c in enumerate("ABCDEFGH"))
    data = _excel_like_xlsx(f'<row r="1">{header}</row><row r="2">{row}</row>', EN)
    result = parse_unit_list(data, "u.xlsx")
    assert codes(result) == [
        (2, "model", "FORMULA_NOT_ALLOWED"),
        (2, "hashrate_ths", "CELL_ERROR"),
        (2, "power_kw", "REQUIRED"),
    ]
    assert "formula without a saved value" in result.errors[-1].message


def test_date_formatted_number_reads_as_a_date() -> None:
    # calamine applies date formats (openpyxl's reader here kept the number): a hashrate cell
    # formatted as a date is not a number.
    wb = Workbook()
    ws = wb.active
    ws.append(EN)
    ws.append(unit(1, hashrate=110))
    ws["D2"].number_format = "yyyy-mm-dd"
    buf = io.BytesIO()
    wb.save(buf)
    assert codes(parse_unit_list(buf.getvalue(), "u.xlsx")) == [(2, "hashrate_ths", "NOT_A_NUMBER")]


def test_a_list_that_does_not_start_in_column_a() -> None:
    wb = Workbook()
    ws = wb.active
    for r, values in enumerate([EN, unit(1)], start=3):
        for c, value in enumerate(values, start=3):
            ws.cell(row=r, column=c, value=value)
    buf = io.BytesIO()
    wb.save(buf)
    result = parse_unit_list(buf.getvalue(), "u.xlsx")
    assert result.ok and result.header_line == 3 and [r.line for r in result.rows] == [4]
    dup = Workbook()
    ws = dup.active
    for c, value in enumerate([*EN, "Serial"], start=3):
        ws.cell(row=1, column=c, value=value)
    buf = io.BytesIO()
    dup.save(buf)
    with pytest.raises(UnitListError) as exc:
        parse_unit_list(buf.getvalue(), "u.xlsx")
    assert "columns 5, 11" in exc.value.message  # numbered as Excel shows them (C = 3)
