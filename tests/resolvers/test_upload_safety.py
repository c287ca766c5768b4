"""Issue 10 item 11: uploads with active content or hidden characters are refused.

- A workbook with macros (`xl/vbaProject.bin`: an .xlsm, whatever its name) or with links to
  other workbooks (`xl/externalLinks/`) is refused whole: MACROS / EXTERNAL_LINKS, line 0.
- A text cell with a bidi control or a zero-width character is a per-line HIDDEN_CHARACTER
  error naming the character, in CSV, XLSX and lines given as data alike.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook

from resolvers.registry.unit_files import parse_unit_list
from rules.spreadsheet_safety import active_content, hidden_character
from rules.unit_list import UnitListError, validate_lines
from tests.unit_lists import EN, RU, to_csv, unit

BIDI_AND_ZERO_WIDTH = [
    "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f",
    "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff",
]


def workbook(rows: list[list[object]], extra_parts: dict[str, bytes] | None = None) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    if not extra_parts:
        return buf.getvalue()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
        for name, data in extra_parts.items():
            dst.writestr(name, data)
    return out.getvalue()


def refusal(data: bytes, filename: str) -> UnitListError:
    with pytest.raises(UnitListError) as exc:
        parse_unit_list(data, filename)
    return exc.value


@pytest.mark.parametrize("filename", ["units.xlsm", "units.xlsx"])
def test_workbook_with_macros_is_refused(filename: str) -> None:
    data = workbook([EN, unit(1)], {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 macro"})
    error = refusal(data, filename)
    assert error.code == "MACROS"
    assert "macros" in error.message and ".xlsx" in error.message


def test_workbook_with_external_links_is_refused() -> None:
    link = b'<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>'
    error = refusal(workbook([EN, unit(1)], {"xl/externalLinks/externalLink1.xml": link}), "units.xlsx")
    assert error.code == "EXTERNAL_LINKS"
    assert "links to other workbooks" in error.message


def test_plain_workbook_is_still_read() -> None:
    result = parse_unit_list(workbook([EN, unit(1)]), "units.xlsx")
    assert result.ok and len(result.rows) == 1


@pytest.mark.parametrize("char", BIDI_AND_ZERO_WIDTH, ids=[f"U+{ord(c):04X}" for c in BIDI_AND_ZERO_WIDTH])
def test_serial_with_a_hidden_character_is_a_line_error_in_csv(char: str) -> None:
    data = to_csv(RU, [unit(1), unit(2, serial=f"SN{char}000002")]).encode()
    result = parse_unit_list(data, "units.csv")
    assert not result.ok
    [issue] = [i for i in result.issues if i.severity == "ERROR"]
    assert (issue.line, issue.column, issue.code) == (3, "serial", "HIDDEN_CHARACTER")
    assert f"U+{ord(char):04X}" in issue.message
    assert [r.line for r in result.rows] == [2]  # the clean line was read, the other refused


@pytest.mark.parametrize("column", ["model", "customs"])
def test_other_text_cells_with_a_hidden_character_are_refused_in_xlsx(column: str) -> None:
    key = {"model": "model", "customs": "customs_declaration"}[column]
    row = unit(1, **{column: "Antminer\u202eS19"})
    result = parse_unit_list(workbook([EN, row]), "units.xlsx")
    assert [(i.line, i.column, i.code) for i in result.issues if i.severity == "ERROR"] == [
        (2, key, "HIDDEN_CHARACTER")
    ]


def test_lines_given_as_data_get_the_same_rule() -> None:
    line = {"model": "S19", "serial": "SN\u200b1", "tnved_code": "8471410000", "hashrate_ths": "110",
            "power_kw": "3.25", "customs_declaration": "", "condition": "WORKING"}
    result = validate_lines([line])
    assert [(i.line, i.column, i.code) for i in result.issues if i.severity == "ERROR"] == [
        (1, "serial", "HIDDEN_CHARACTER")
    ]


def test_utf8_bom_at_the_start_of_a_csv_is_not_a_hidden_character() -> None:
    data = b"\xef\xbb\xbf" + to_csv(RU, [unit(1)]).encode()
    assert parse_unit_list(data, "units.csv").ok


def test_the_rules_themselves() -> None:
    assert hidden_character("SN-123") is None
    assert hidden_character("SN-\u202e321") == "U+202E"
    assert hidden_character("Кириллица ё қ") is None
    assert active_content(["[Content_Types].xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml"]) is None
    assert active_content(["xl/vbaProject.bin"]) == "MACROS"
    assert active_content(["xl/vbaProjectSignature.bin"]) == "MACROS"
    assert active_content(["xl/externalLinks/externalLink1.xml"]) == "EXTERNAL_LINKS"
