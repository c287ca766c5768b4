"""A list of serial numbers seen on site (003), read by the unit list's rules
(rules.unit_list.validate_serial_rows)."""

from __future__ import annotations

import pytest

from rules.unit_list import UnitListError, validate_serial_rows


def test_the_serial_column_is_found_by_the_unit_lists_titles_and_other_columns_are_ignored():
    rows = [(1, ["Модель", "Сериялық нөмірі"]), (2, ["S21", "KZ-1"]), (3, [None, None]), (4, ["S21", "KZ-1"])]
    parsed = validate_serial_rows(rows, source_format="CSV")
    assert parsed.ok and parsed.header_line == 1
    assert parsed.serials == [(2, "KZ-1"), (4, "KZ-1")]  # seen twice is no error: the reconciliation dedups


def test_a_headerless_single_column_takes_its_first_row_as_a_serial():
    parsed = validate_serial_rows([(1, ["KZ-1"]), (2, ["  KZ-2 "])], source_format="CSV")
    assert parsed.header_line == 0 and parsed.serials == [(1, "KZ-1"), (2, "KZ-2")]


def test_line_errors_and_file_errors():
    bad = validate_serial_rows([(1, ["S/N"]), (2, ["=SUM(A1)"]), (3, ["KZ\u200b1"]), (4, [1.23e17])],
                               source_format="XLSX")
    assert not bad.ok and [(i.line, i.code.value) for i in bad.issues] == [
        (2, "FORMULA_NOT_ALLOWED"), (3, "HIDDEN_CHARACTER"), (4, "SERIAL_PRECISION_LOST")]
    with pytest.raises(UnitListError) as empty:
        validate_serial_rows([(1, [None])])
    assert empty.value.code.value == "FILE_EMPTY"
    with pytest.raises(UnitListError) as wide:
        validate_serial_rows([(1, ["KZ-1", "S21"])])
    assert wide.value.code.value == "MISSING_COLUMNS"
    with pytest.raises(UnitListError) as many:
        validate_serial_rows([(i, [f"KZ-{i}"]) for i in range(1, 5)], max_rows=3)
    assert many.value.code.value == "TOO_MANY_ROWS"
