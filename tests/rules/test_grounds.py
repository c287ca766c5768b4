"""Refusal grounds as dated data (001 App.3 item 10, 002 App.5 item 9, 004 App.2 item 9)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import pytest

from rules.grounds import (
    LICENSING_GROUNDS,
    POOL_GROUNDS,
    REGISTRY_GROUNDS,
    InvalidGround,
    RefusalGround,
    RefusalGroundCode,
    catalogue_for,
    ground_of,
    grounds_for,
    validate_grounds,
)
from rules.workflow import PROCEDURES, ProcedureCode

P = ProcedureCode
BAD = "INVALID_REFUSAL_GROUND"


@pytest.mark.parametrize(
    ("catalogue", "codes"),
    [
        (
            LICENSING_GROUNDS,
            [
                "PROHIBITED_ACTIVITY",
                "FEE_NOT_PAID",
                "QUALIFICATION_NOT_MET",
                "COURT_SUSPENSION",
                "COURT_BAN_DEBTOR",
                "FALSE_DOCUMENTS",
                "NON_COMPLIANCE",
                "NO_PD_CONSENT",
            ],
        ),
        (
            REGISTRY_GROUNDS,
            [
                "FALSE_DOCUMENTS",
                "NON_COMPLIANCE",
                "NEGATIVE_APPROVAL",
                "COURT_BAN",
                "SPECIAL_RIGHT_DEPRIVED",
                "NO_PD_CONSENT",
            ],
        ),
        (
            POOL_GROUNDS,
            [
                "FALSE_DOCUMENTS",
                "NON_COMPLIANCE",
                "COURT_BAN",
                "SPECIAL_RIGHT_DEPRIVED",
                "NO_PD_CONSENT",
            ],
        ),
    ],
)
def test_catalogues_follow_the_enumerations(
    catalogue: tuple[RefusalGround, ...], codes: list[str]
) -> None:
    assert [g.code for g in catalogue] == codes
    assert [g.number for g in catalogue] == list(range(1, len(codes) + 1))
    assert all(g.text_ru and g.text_en for g in catalogue)


@pytest.mark.parametrize(
    ("catalogue", "code", "fragment"),
    [
        (LICENSING_GROUNDS, "FEE_NOT_PAID", "не внесен лицензионный сбор"),
        (LICENSING_GROUNDS, "COURT_BAN_DEBTOR", "представления судебного исполнителя"),
        (LICENSING_GROUNDS, "QUALIFICATION_NOT_MET", "квалификационным требованиям"),
        (REGISTRY_GROUNDS, "NEGATIVE_APPROVAL", "отрицательное заключение экспертизы"),
        (REGISTRY_GROUNDS, "SPECIAL_RIGHT_DEPRIVED", "получением государственной услуги"),
        (POOL_GROUNDS, "SPECIAL_RIGHT_DEPRIVED", "аккредитации цифрового майнингового пула"),
    ],
)
def test_russian_wording_from_the_seeds(
    catalogue: tuple[RefusalGround, ...], code: str, fragment: str
) -> None:
    assert fragment in next(g for g in catalogue if g.code == code).text_ru


def test_kazakh_texts_where_the_seeds_have_them() -> None:
    assert all(g.text_kk is None for g in LICENSING_GROUNDS)  # 001 is Russian only
    assert all(g.text_kk for g in REGISTRY_GROUNDS + POOL_GROUNDS)  # 000, Kazakh part of 004


@pytest.mark.parametrize(
    ("procedure", "registered_on", "count", "has_fee_ground"),
    [
        (P.LICENSE_ISSUE, date(2023, 12, 29), 7, False),
        (P.LICENSE_ISSUE, date(2024, 1, 2), 8, True),
        (P.LICENSE_REISSUE, date(2023, 12, 29), 7, False),
        (P.LICENSE_REISSUE, date(2024, 1, 2), 8, True),
        (P.ASIC_INCLUSION, date(2025, 3, 19), 6, False),
        (P.ASIC_EXCLUSION, date(2025, 3, 19), 6, False),
        (P.ASIC_CHANGE, date(2025, 3, 19), 6, False),
        (P.POOL_ACCREDITATION, date(2025, 3, 19), 5, False),
        (P.POOL_REISSUE, date(2025, 3, 19), 5, False),
    ],
)
def test_grounds_for(
    procedure: ProcedureCode, registered_on: date, count: int, has_fee_ground: bool
) -> None:
    grounds = grounds_for(procedure, registered_on)
    assert len(grounds) == count
    assert any(g.code == "FEE_NOT_PAID" for g in grounds) is has_fee_ground


@pytest.mark.parametrize(
    ("procedure", "registered_on", "codes", "error", "invalid"),
    [
        # Ground 2 (fee not paid) exists only for applications registered from 2024-01-01.
        (P.LICENSE_ISSUE, date(2023, 12, 29), ["FEE_NOT_PAID"], BAD, ("FEE_NOT_PAID",)),
        (P.LICENSE_ISSUE, date(2024, 1, 2), ["FEE_NOT_PAID"], None, ()),
        (P.LICENSE_ISSUE, date(2023, 12, 29), ["QUALIFICATION_NOT_MET"], None, ()),
        (P.LICENSE_ISSUE, date(2025, 3, 19), [], "REFUSAL_GROUND_REQUIRED", ()),
        (P.ASIC_INCLUSION, date(2025, 3, 19), [], "REFUSAL_GROUND_REQUIRED", ()),
        # A ground from another rule set's list is not a ground here.
        (P.ASIC_INCLUSION, date(2025, 3, 19), ["NEGATIVE_APPROVAL"], None, ()),
        (
            P.POOL_ACCREDITATION,
            date(2025, 3, 19),
            ["NEGATIVE_APPROVAL"],
            BAD,
            ("NEGATIVE_APPROVAL",),
        ),
        (
            P.ASIC_INCLUSION,
            date(2025, 3, 19),
            ["QUALIFICATION_NOT_MET"],
            BAD,
            ("QUALIFICATION_NOT_MET",),
        ),
        (P.POOL_REISSUE, date(2025, 3, 19), ["COURT_BAN", "NO_PD_CONSENT"], None, ()),
        # Only the bad codes are reported; repeats are harmless.
        (
            P.LICENSE_ISSUE,
            date(2025, 3, 19),
            ["FALSE_DOCUMENTS", "MADE_UP", "FALSE_DOCUMENTS"],
            BAD,
            ("MADE_UP",),
        ),
    ],
)
def test_validate_grounds(
    procedure: ProcedureCode,
    registered_on: date,
    codes: list[str],
    error: str | None,
    invalid: tuple[str, ...],
) -> None:
    if error is None:
        validate_grounds(procedure, registered_on, codes)
        return
    with pytest.raises(InvalidGround) as err:
        validate_grounds(procedure, registered_on, codes)
    assert err.value.code == error
    assert err.value.invalid == invalid
    assert isinstance(err.value, ValueError)


def test_empty_iterator_is_rejected() -> None:
    empty: Iterable[str] = iter(())
    with pytest.raises(InvalidGround) as err:
        validate_grounds(P.LICENSE_ISSUE, date(2025, 3, 19), empty)
    assert err.value.code == "REFUSAL_GROUND_REQUIRED"


@pytest.mark.parametrize("procedure", list(ProcedureCode))
def test_procedure_specs_cite_only_catalogued_grounds(procedure: ProcedureCode) -> None:
    # The workflow's dated ground lists and this catalogue must never drift apart.
    catalogue = {g.code: g for g in catalogue_for(procedure)}
    for spec in PROCEDURES[procedure]:
        for code in spec.refusal_grounds:
            assert code in catalogue, (procedure, code)
            assert catalogue[code].effective_from <= spec.effective_from, (procedure, code)


def test_codes_are_one_enum_across_the_rule_sets() -> None:
    for catalogue in (LICENSING_GROUNDS, REGISTRY_GROUNDS, POOL_GROUNDS):
        assert all(isinstance(g.code, RefusalGroundCode) for g in catalogue)
    used = {g.code for c in (LICENSING_GROUNDS, REGISTRY_GROUNDS, POOL_GROUNDS) for g in c}
    assert used == set(RefusalGroundCode)  # no code without a ground, no ground without a code


@pytest.mark.parametrize(
    ("procedure", "code", "basis"),
    [
        (P.LICENSE_ISSUE, RefusalGroundCode.FEE_NOT_PAID, "001 App.3 item 10(2)"),
        (P.LICENSE_REISSUE, RefusalGroundCode.NO_PD_CONSENT, "001 App.3 item 10(8)"),
        (P.ASIC_INCLUSION, RefusalGroundCode.NO_PD_CONSENT, "002 App.5 item 9(6)"),
        (P.POOL_REISSUE, RefusalGroundCode.NO_PD_CONSENT, "004 App.2 item 9(5)"),
        (P.POOL_ACCREDITATION, RefusalGroundCode.NEGATIVE_APPROVAL, None),  # not in 004's list
    ],
)
def test_ground_of_and_its_legal_basis(procedure: ProcedureCode, code: RefusalGroundCode, basis: str | None) -> None:
    ground = ground_of(procedure, code)
    assert (ground.legal_basis if ground else None) == basis
    assert ground_of(procedure, code.value) == ground  # stored codes are plain strings


def test_texts_per_language_fall_back_to_russian_without_kazakh() -> None:
    fee = ground_of(P.LICENSE_ISSUE, RefusalGroundCode.FEE_NOT_PAID)
    assert fee is not None
    assert fee.text("ru") == fee.text("kk") == "не внесен лицензионный сбор"  # 001 has no Kazakh edition here
    assert fee.text("en") == "the licence fee has not been paid"
    court = ground_of(P.ASIC_INCLUSION, RefusalGroundCode.COURT_BAN)
    assert court is not None and court.text("kk") == court.text_kk != court.text("ru")


def test_validation_names_the_first_bad_ground_and_returns_the_cited_ones() -> None:
    cited = validate_grounds(P.LICENSE_ISSUE, date(2025, 3, 19), ["NON_COMPLIANCE", RefusalGroundCode.NON_COMPLIANCE, "FALSE_DOCUMENTS"])
    assert cited == (RefusalGroundCode.NON_COMPLIANCE, RefusalGroundCode.FALSE_DOCUMENTS)
    with pytest.raises(InvalidGround) as err:
        validate_grounds(P.LICENSE_ISSUE, date(2025, 3, 19), ["FALSE_DOCUMENTS", "COURT_BAN", "NEGATIVE_APPROVAL"])
    assert err.value.field == "grounds[1]" and err.value.invalid == ("COURT_BAN", "NEGATIVE_APPROVAL")
    assert "COURT_BAN, NEGATIVE_APPROVAL" in err.value.message("en")
    with pytest.raises(InvalidGround) as empty:
        validate_grounds(P.LICENSE_ISSUE, date(2025, 3, 19), [])
    assert empty.value.field == "grounds"
