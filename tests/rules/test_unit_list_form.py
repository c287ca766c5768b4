"""The official App.3 form's layout in the pure rules (issue 9 item 7): two-row header, no TN
VED column (the application's code, 002 App.2 item 7), condition as two tick columns."""

import pytest

from rules.unit_list import UnitListError, validate_rows
from tests.unit_lists import TNVED

UPPER = ["Порядковый номер", "Полное наименование аппаратно-программного комплекса марка, модель",
         "Индивидуальный серийный номер аппаратно-программного комплекса",
         "Технические сведения об аппаратно-программном комплексе", "",
         "Номер грузовой таможенной декларации", "Состояние аппаратно-программного комплекса", ""]
LOWER = ["", "", "", "Хэшрейт (ТН/s)", "Мощность (кВт)", "", "исправное", "неисправное"]


def row(n, working="x", faulty=""):
    return [str(n), "Antminer S19 Pro", f"SN{n:06d}", "110", "3,25", "50401/010123/0001234", working, faulty]


def validate(rows, **kw):
    return validate_rows(enumerate([UPPER, LOWER, *rows], start=1), **kw)


def test_002_app3_two_row_header_ticks_and_the_applications_tnved():
    result = validate([row(1), row(2, "", "v"), row(3, True, False)], tnved_default=TNVED)
    assert result.ok, result.issues
    assert [(r.line, r.condition, r.tnved_code) for r in result.rows] == [
        (3, "WORKING", TNVED), (4, "FAULTY", TNVED), (5, "WORKING", TNVED),  # FALSE: an unticked box
    ]


def test_002_app3_pre_numbered_blank_template_rows_are_not_units():
    result = validate([row(1), ["2", "", "", "", "", "", "", ""], ["3"]], tnved_default=TNVED)
    assert result.ok and len(result.rows) == 1


@pytest.mark.parametrize(
    ("working", "faulty", "code"),
    [("x", "x", "CONDITION_MARKED_TWICE"), ("", "", "CONDITION_NOT_MARKED"), ("", False, "CONDITION_NOT_MARKED")],
)
def test_002_app3_both_or_no_tick_is_a_line_error(working, faulty, code):
    result = validate([row(1, working, faulty)], tnved_default=TNVED)
    assert [(i.line, i.column, i.code) for i in result.issues] == [(3, "condition", code)]
    assert result.rows == []


def test_002_app2_item7_without_a_tnved_column_the_application_must_give_the_code():
    with pytest.raises(UnitListError) as err:
        validate([row(1)])
    assert err.value.code == "MISSING_COLUMNS" and err.value.missing == ("tnved_code",)


def test_a_file_with_its_own_tnved_column_keeps_its_values():
    upper = [*UPPER[:3], "Код ТН ВЭД ЕАЭС", *UPPER[3:]]
    lower = [*LOWER[:3], "", *LOWER[3:]]
    cells = row(1)
    cells.insert(3, "8543709000")
    result = validate_rows(enumerate([upper, lower, cells], start=1), tnved_default=TNVED)
    assert result.ok and result.rows[0].tnved_code == "8543709000"


def test_one_header_row_with_the_two_tick_columns_side_by_side():
    header = [*UPPER[:3], "Хэшрейт (ТН/s)", "Мощность (кВт)", UPPER[5], "исправное", "неисправное"]
    result = validate_rows(enumerate([header, row(1, "", "1")], start=1), tnved_default=TNVED)
    assert result.ok and result.rows[0].condition == "FAULTY"
