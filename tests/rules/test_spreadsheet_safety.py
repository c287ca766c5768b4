from datetime import date
from decimal import Decimal

import pytest

from rules.spreadsheet_safety import is_plain_number, looks_like_formula, neutralize_cell


@pytest.mark.parametrize(
    "text",
    [
        "=1+1",
        '=HYPERLINK("http://x","y")',
        "+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1:A2)",
        "\t=1",
        "\rfoo",
        "＝1+1",
        "+7 701 123 4567",  # spaces make it an expression, not a number
        "-",
        "+",
    ],
)
def test_formula_like_text_gets_an_apostrophe(text: str) -> None:
    assert looks_like_formula(text)
    assert neutralize_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["-5", "+3.5", "-13,5", "-1e-3", "+.5", "-0"])
def test_plain_signed_numbers_stay(text: str) -> None:
    assert is_plain_number(text)
    assert not looks_like_formula(text)
    assert neutralize_cell(text) == text


@pytest.mark.parametrize("text", ["Antminer S19", "a=b", "1+1", "", " =1", "email@x.kz"])
def test_harmless_text_stays(text: str) -> None:
    assert neutralize_cell(text) == text


@pytest.mark.parametrize("value", [None, 5, -5, 1.5, Decimal("-2.5"), date(2024, 1, 1), True])
def test_non_text_values_unchanged(value: object) -> None:
    assert neutralize_cell(value) is value
