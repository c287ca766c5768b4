import pytest

from rules.messages import MESSAGES, negotiate_language, render


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "ru"),
        ("", "ru"),
        ("kk", "kk"),
        ("kk-KZ,kk;q=0.9,ru;q=0.8", "kk"),
        ("en-US,en;q=0.9", "en"),
        ("de-DE,de;q=0.9", "ru"),
        ("de,en;q=0.5,kk;q=0.7", "kk"),
        ("ru;q=0.2, en;q=0.8", "en"),
        ("en;q=abc", "ru"),
    ],
)
def test_language_negotiation(header, language):
    assert negotiate_language(header) == language


def test_every_code_has_all_three_languages():
    for code, texts in MESSAGES.items():
        assert set(texts) == {"kk", "ru", "en"}, code


def test_render_fills_parameters_and_tolerates_missing_ones():
    assert "061211600013" in render("INVALID_BIN", "en", {"value": "061211600013"})
    assert render("NOT_FOUND", "en", {}) == "? not found."
    assert "SOMETHING_NEW" in render("SOMETHING_NEW", "kk")
