"""The error catalogue: every code has its three messages, and messages render their parameters."""

import ast
import pathlib
import re
import string

import pytest

from rules.errors import CATALOGUE, DomainError, ErrorCode, render
from rules.messages import negotiate_language
from rules.problems import PROBLEM_MESSAGES, Problem, ProblemCode

ROOT = pathlib.Path(__file__).resolve().parents[2]


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


def test_every_code_has_a_message_in_each_language_with_the_same_parameters():
    assert set(CATALOGUE) == set(ErrorCode)
    for code, message in CATALOGUE.items():
        params = {
            lang: {f for _, f, _, _ in string.Formatter().parse(getattr(message, lang)) if f}
            for lang in ("kk", "ru", "en")
        }
        assert all(getattr(message, lang).strip() for lang in ("kk", "ru", "en")), code
        assert params["kk"] == params["ru"] == params["en"], (code, params)


def test_every_problem_code_has_three_messages():
    assert set(PROBLEM_MESSAGES) == set(ProblemCode)
    for code, texts in PROBLEM_MESSAGES.items():
        assert set(texts) == {"kk", "ru", "en"}, code
    problem = Problem("EXPIRED_DOCUMENT", "documents.GRID_TECH_CONDITIONS", "expired on 2024-01-01")
    assert problem.code is ProblemCode.EXPIRED_DOCUMENT
    assert problem.message("en") == "expired on 2024-01-01"
    assert problem.message("kk").startswith(PROBLEM_MESSAGES[ProblemCode.EXPIRED_DOCUMENT]["kk"].removesuffix("."))


def test_render_fills_parameters_and_tolerates_missing_ones():
    assert "061211600013" in render(ErrorCode.INVALID_BIN, "en", {"value": "061211600013"})
    assert render(ErrorCode.NOT_FOUND, "en", {}) == "? not found."
    assert render(ErrorCode.FORBIDDEN, "de") == CATALOGUE[ErrorCode.FORBIDDEN].ru


def test_an_unknown_code_cannot_be_raised():
    with pytest.raises(ValueError):
        DomainError("SOMETHING_NEW")


def _raised_codes() -> set[str]:
    """Every `ErrorCode.X` named in the application code."""
    codes: set[str] = set()
    for folder in ("rules", "resolvers", "schema", "jobs"):
        for path in (ROOT / folder).rglob("*.py"):
            codes |= set(re.findall(r"ErrorCode\.([A-Z][A-Z_]+)", path.read_text()))
    codes |= {"ILLEGAL_TRANSITION"}
    return codes


def test_codes_named_in_the_code_exist_in_the_catalogue():
    assert _raised_codes() <= {c.value for c in ErrorCode}


def test_no_string_codes_are_raised():
    """`DomainError("X")` with a bare string hides the code from the catalogue's checks."""
    offenders = []
    for folder in ("rules", "resolvers", "schema", "jobs"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if (
                    isinstance(node, ast.Call)
                    and getattr(node.func, "id", getattr(node.func, "attr", None)) == "DomainError"
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                ):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []
