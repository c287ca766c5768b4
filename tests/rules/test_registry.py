from datetime import date
from decimal import Decimal

import pytest

from rules.calendar import default_calendar
from rules.errors import DomainError
from rules.registry import (
    CHANGEABLE_FIELDS,
    EXPORT_COLUMNS,
    UnitCondition,
    capacity_check,
    change_notice_due,
    diff_changes,
    efficiency_plausible,
    export_headers,
    export_row,
    is_change_notice_late,
    next_record_numbers,
    unit_row_issues,
    validate_changes,
    validate_unit_lines,
)
from rules.unit_list import UnitRow

CAL = default_calendar()


def test_record_numbers_continue_without_gaps():
    assert list(next_record_numbers(0, 3)) == [1, 2, 3]
    assert list(next_record_numbers(41, 2)) == [42, 43]
    with pytest.raises(ValueError):
        next_record_numbers(5, 0)
    with pytest.raises(ValueError):
        next_record_numbers(-1, 1)


@pytest.mark.parametrize(
    ("change", "due"),
    [
        (date(2025, 3, 10), date(2025, 3, 27)),  # transfer day off, then Nauryz 21-25 March
        (date(2025, 3, 3), date(2025, 3, 18)),  # 4-7, [8-10 off], 11-14, 17, 18
        (date(2025, 4, 28), date(2025, 5, 15)),  # 29, 30, 2, 5, 6, 8, 12-15 (1, 7, 9 May off)
        (date(2025, 12, 25), date(2026, 1, 13)),  # 26, 29-31, 5, 6, 8, 9, 12, 13 (1, 2, 7 Jan off)
    ],
)
def test_change_notice_due_in_ten_working_days(change, due):
    assert change_notice_due(change, CAL) == due
    assert not is_change_notice_late(change, due, CAL)
    assert is_change_notice_late(change, CAL.next_working_day(due), CAL)


def test_change_date_after_registration_is_refused():
    with pytest.raises(DomainError) as err:
        is_change_notice_late(date(2025, 5, 5), date(2025, 5, 2), CAL)
    assert err.value.field == "changeDate"


def test_capacity_check():
    c = capacity_check(Decimal("0.01"), Decimal("6.5"), Decimal("6.5"))
    assert c.permitted_kw == 10 and c.total_kw == 13 and c.headroom_kw == -3
    assert c.would_exceed and not c.over_capacity
    assert capacity_check(Decimal("0.01"), Decimal("10")).would_exceed is False  # exactly full is fine
    assert capacity_check(Decimal("0.01"), Decimal("10.001")).over_capacity is True
    unknown = capacity_check(None, Decimal("1000"), Decimal("1000"))
    assert not unknown.over_capacity and not unknown.would_exceed and unknown.headroom_kw is None


@pytest.mark.parametrize(
    ("ths", "kw", "ok"),
    [("110", "3.25", True), ("13.5", "1.323", True), ("200", "1.9", False), ("110", "32.5", False), ("100", "11", True)],
)
def test_efficiency_plausibility(ths, kw, ok):
    assert efficiency_plausible(Decimal(ths), Decimal(kw)) is ok


def test_changes_are_validated_and_diffed():
    clean = validate_changes({"hashrate_ths": "120.5", "condition": "FAULTY", "model": " S21 ", "serial": None})
    assert clean == {"hashrate_ths": Decimal("120.5"), "condition": UnitCondition.FAULTY, "model": "S21"}
    for bad in ({"serial": "X"}, {"power_kw": "0"}, {"model": "=cmd"}, {"tnved_code": "84714100"}, {"miner_email": "no"}, {}):
        with pytest.raises(DomainError):
            validate_changes(bad)
    assert "serial" not in CHANGEABLE_FIELDS  # a different machine is exclusion + inclusion
    assert validate_changes({"miner_phone": "+7 701 234 56 78"})["miner_phone"].startswith("+7")
    before = {"hashrate_ths": Decimal("110.000"), "condition": UnitCondition.WORKING, "model": "S21"}
    assert diff_changes(before, clean) == {"hashrate_ths": ["110", "120.5"], "condition": ["WORKING", "FAULTY"]}


def test_export_row_follows_app1_and_neutralises_formulas():
    record = {
        "record_number": 7, "record_date": date(2025, 4, 1), "miner_name": "=HYPERLINK(\"x\")",
        "miner_bin_iin": "240140000018", "miner_legal_address": "Астана", "miner_phone": "+7 701 000 00 00",
        "miner_email": "a@b.kz", "data_center_location": "Экибастуз", "model": "-2+3", "serial": "SN1",
        "tnved_code": "8471410000", "hashrate_ths": Decimal("110"), "power_kw": Decimal("3.25"),
        "customs_declaration": "50401/010123/0001234", "customs_quantity": 12, "ownership_document": "@doc",
        "excluded_on": None, "condition": "FAULTY", "status": "EXCLUDED", "exclusion_reason": "LOSS",
    }
    row = export_row(record, "kk")
    assert len(row) == len(EXPORT_COLUMNS) == len(export_headers("kk"))
    assert row[0] == 7 and row[2] == "'=HYPERLINK(\"x\")" and row[6] == "'+7 701 000 00 00, a@b.kz"
    assert row[7] == "'-2+3" and row[10] == Decimal("110") and row[12] == "50401/010123/0001234, 12"
    assert row[13] == "'@doc" and row[15:] == ["жарамсыз", "тізілімнен шығарылған", "жоғалту"]
    assert export_row(record, "ru")[15:] == ["неисправное", "исключён из реестра", "утрата"]
    assert export_headers("ru")[9] == "Код ТН ВЭД ЕАЭС" and export_headers("kk")[9] == "ЕАЭО СЭҚ ТН коды"


def test_lines_given_as_data_get_the_file_rules():
    good = {"model": "S19", "serial": "A1", "tnved_code": "8471410000", "hashrate_ths": Decimal(95),
            "power_kw": Decimal("3.25"), "customs_declaration": "", "condition": UnitCondition.WORKING}
    parsed = validate_unit_lines([good, {**good, "serial": "a 1"}, {**good, "serial": "B", "condition": "broken?"}])
    assert [(i.line, i.column, i.code) for i in parsed.errors] == [(2, "serial", "DUPLICATE_SERIAL"), (3, "condition", "INVALID_CONDITION")]
    assert [(i.line, i.code) for i in parsed.warnings] == [(1, "MISSING_CUSTOMS_DECLARATION"), (2, "MISSING_CUSTOMS_DECLARATION"), (3, "MISSING_CUSTOMS_DECLARATION")]
    assert [i.code for i in validate_unit_lines([]).errors] == ["NO_UNIT_LINES"]


def test_per_unit_limits():
    row = UnitRow(4, "S19", "X", "8471410000", Decimal(20000), Decimal(2000), "", "WORKING")
    assert [(i.line, i.column, i.code) for i in unit_row_issues([row])] == [(4, "hashrate_ths", "OUT_OF_RANGE"), (4, "power_kw", "OUT_OF_RANGE")]


@pytest.mark.parametrize(
    ("serial", "key"),
    [(" SN-0000 02 ", "sn-000002"), ("АВ12", "ab12"), ("A" * 255, "a" * 255)],
)
def test_serial_keys_of_lookups(serial, key):
    from rules.registry import serial_key_of

    assert serial_key_of(serial) == key


@pytest.mark.parametrize("serial", ["A" * 256, "", "  \t", "\u200b\u200b", "x" * 10**6])
def test_serial_lookups_are_bounded_and_not_empty(serial):
    from rules.registry import serial_key_of

    with pytest.raises(DomainError) as err:
        serial_key_of(serial, "serials[3]")
    assert err.value.code == "VALIDATION" and err.value.field == "serials[3]"


def test_change_fields_are_named_as_the_client_wrote_them_and_bounded_per_unit():
    for bad, field in (({"miner_phone": "call me"}, "changes.minerPhone"), ({"power_kw": "1000.5"}, "changes.powerKw"),
                       ({"hashrate_ths": "10001"}, "changes.hashrateThs"), ({}, "changes")):
        with pytest.raises(DomainError) as err:
            validate_changes(bad, field_prefix="changes.")
        assert err.value.field == field, bad
    assert validate_changes({"power_kw": "1000"}, field_prefix="changes.") == {"power_kw": Decimal(1000)}
