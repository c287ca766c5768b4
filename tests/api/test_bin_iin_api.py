"""`validateBinIin`: the verdict a form shows before sending, for any string, never an error."""

import pytest

from rules.enums import Role
from tests.factories import gql, make_caller, new_bin, new_iin

Q = "query($v: String!, $k: BinIinKind) { validateBinIin(value: $v, kind: $k) { valid kind problem message } }"


@pytest.fixture
async def caller(client):
    return await make_caller(client, Role.PARTNER)


async def test_valid_numbers_are_told_apart(caller):
    iin, bin_ = new_iin(), new_bin()
    assert (await caller.gql(Q, {"v": iin}))["data"]["validateBinIin"] == {
        "valid": True, "kind": "IIN", "problem": None, "message": "ИИН действителен."}
    assert (await caller.gql(Q, {"v": bin_, "k": "BIN"}))["data"]["validateBinIin"] == {
        "valid": True, "kind": "BIN", "problem": None, "message": "БИН действителен."}
    assert (await caller.gql(Q, {"v": "061211600012"}))["data"]["validateBinIin"]["kind"] == "IIN"  # DOMAIN.md


@pytest.mark.parametrize(
    ("value", "kind", "problem"),
    [
        ("", None, "WRONG_LENGTH"),
        ("06121160001", None, "WRONG_LENGTH"),
        ("0612116000123", None, "WRONG_LENGTH"),
        ("06121160001A", None, "NOT_DIGITS"),
        ("０６１２１１６０００１２", None, "NOT_DIGITS"),  # full-width digits
        ("06121 600012", None, "NOT_DIGITS"),
        ("061211600013", None, "CHECKSUM_MISMATCH"),
        ("061211600012", "BIN", "NOT_A_LEGAL_ENTITY"),  # a valid IIN where a BIN is expected
        ("980412400009", "BIN", "NOT_A_LEGAL_ENTITY"),
        ("x" * 100_000, None, "WRONG_LENGTH"),
    ],
)
async def test_problems_are_enums_never_errors(caller, value, kind, problem):
    result = await caller.gql(Q, {"v": value, "k": kind})
    assert "errors" not in result, result
    check = result["data"]["validateBinIin"]
    assert check["valid"] is False and check["kind"] is None and check["problem"] == problem and check["message"]


async def test_a_lone_surrogate_is_answered_too(caller):
    body = '{"query": "query($v: String!) { validateBinIin(value: $v) { valid problem } }", "variables": {"v": "' + (
        "\\ud800" * 12) + '"}}'
    response = await caller.client.post("/graphql", content=body, headers={
        "Authorization": f"Bearer {caller.token}", "Content-Type": "application/json"})
    assert response.json() == {"data": {"validateBinIin": {"valid": False, "problem": "NOT_DIGITS"}}}


@pytest.mark.parametrize(
    ("language", "message"),
    [("kk", "Бақылау цифры сәйкес келмейді: нөмірде қате бар."),
     ("ru", "Контрольная цифра не совпадает: в номере ошибка."),
     ("en", "The check digit does not match: the number has a typo.")],
)
async def test_message_is_in_the_request_language(caller, language, message):
    caller.language = language
    check = (await caller.gql(Q, {"v": "061211600013"}))["data"]["validateBinIin"]
    assert check["message"] == message


async def test_the_preview_agrees_with_create_miner(client):
    officer = await make_caller(client, Role.OFFICER)
    mutation = """mutation($i: CreateMinerInput!) { createMiner(input: $i) { miner { id } errors { ... on UserError { code } } } }"""
    for value in ("061211600012", "061211600013", new_bin()):
        preview = (await officer.gql(Q, {"v": value, "k": "BIN"}))["data"]["validateBinIin"]
        created = await officer.gql(mutation, {"i": {"kind": "LE", "binIin": value, "name": "N", "legalAddress": "A",
                                                     "phone": "+7 701 000 00 00", "email": "a@b.kz"}})
        assert preview["valid"] is (created["data"]["createMiner"]["errors"] == [])


async def test_it_needs_a_token(client):
    result = await gql(client, Q, {"v": "061211600012"})
    assert result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
