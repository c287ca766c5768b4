"""003 checklists as dated data (issue 12 item 1): 8 miner and 8 pool requirements, the Kazakh
text verbatim from the seed, versioned by the in-force date of the edition they reproduce."""

import re
from datetime import date
from pathlib import Path

import pytest

from rules.checklists import CHECKLISTS, ChecklistItemCode, SubjectKind, checklist_for
from rules.rule_sets import DEFAULT_TABLE, LegalOrder, RuleSet, activate, build_table, in_force_from
from rules.workflow import NoRulesInForce

SEED = next((Path(__file__).resolve().parents[3] / "shared" / "seeds").glob("003_*.txt"), None)
if SEED is None:  # the worktree sits in /work/wt/<name>; the seeds in /work/shared
    SEED = next(Path("/work/shared/seeds").glob("003_*.txt"))


def _flat(text: str) -> str:
    """The seed's table without its markup: tags, cell tabs and line breaks as single spaces."""
    text = re.sub(r"<[^>]+>", " ", text)
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def seed_text() -> str:
    return _flat(SEED.read_text(encoding="utf-8"))


@pytest.mark.parametrize("kind", list(SubjectKind))
def test_003_each_checklist_has_eight_requirements_numbered_in_order(kind):
    checklist = checklist_for(kind, date(2025, 6, 1))
    assert [i.number for i in checklist.items] == list(range(1, 9))
    prefix = "M" if kind is SubjectKind.MINER else "P"
    assert all(i.code.value.startswith(f"{prefix}{i.number}_") for i in checklist.items)


@pytest.mark.parametrize(
    "item", [i for c in CHECKLISTS for i in c.items], ids=lambda i: i.code.value,
)
def test_003_kazakh_text_is_verbatim_from_the_seed(item, seed_text):
    # item 5 of the miner checklist and item 7 of the pool one span two table rows in the seed;
    # between their parts only the row number ("5." / "7.") and cell breaks
    without_row_numbers = re.sub(r" \d\. ", " ", seed_text)
    assert _flat(item.text_kk) in without_row_numbers, item.text_kk[:60]
    if item.code is ChecklistItemCode.P7_STATE_PD_SERVICE:
        assert "бақылаудың 7. мемлекеттік сервисімен" in seed_text


def test_003_miner_item_5_keeps_both_grid_alternatives_and_the_off_grid_exception():
    item = checklist_for("MINER", date(2025, 1, 1)).item("M5_GRID_CONDITIONS")
    assert "35 киловольт" in item.text_kk and "бір мегаватт" in item.text_kk
    assert "2023 жылғы 1 сәуірге дейін" in item.text_kk
    assert "қосылмаған" in item.text_kk  # off-grid power is excepted
    assert "35 киловольт" in item.text_ru and "1 апреля 2023 года" in item.text_ru
    assert "35 kV" in item.text("en")


def test_003_texts_in_three_languages_and_a_legal_basis_per_item():
    for checklist in CHECKLISTS:
        for item in checklist.items:
            assert item.text("kk") == item.text_kk
            assert item.text("ru") == item.text_ru and re.search("[а-я]", item.text_ru)
            assert item.text("en") == item.text_en and item.text_en.isascii()
            assert checklist.legal_basis(item).startswith(f"003 {checklist.kind.value.lower()} checklist item")
    pool = checklist_for("POOL", date(2025, 1, 1))
    assert pool.legal_basis(pool.item("P3_BACKUP_ELSEWHERE")).endswith("004 §4(3)")


def test_003_pool_checklist_in_force_10_days_after_662_publication():
    # 662/НҚ + 184 added the pool checklist: "алғашқы ресми жарияланған күнінен кейін күнтізбелік он күн"
    assert in_force_from(RuleSet.INSPECTION_POOL) == date(2024, 1, 7)
    assert checklist_for("POOL", date(2024, 1, 7)).kind is SubjectKind.POOL
    with pytest.raises(NoRulesInForce) as raised:
        checklist_for("POOL", date(2024, 1, 6))
    assert raised.value.code == "NO_RULES_IN_FORCE"


def test_003_miner_checklist_edition_of_373_follows_its_publication_date():
    try:
        activate(build_table({LegalOrder.ORDER_373: date(2024, 7, 3)}))
        assert checklist_for("MINER", date(2024, 7, 14)).edition == "373/НҚ"
        with pytest.raises(NoRulesInForce):  # the earlier edition's text is not in the seeds
            checklist_for("MINER", date(2024, 7, 13))
    finally:
        activate(DEFAULT_TABLE)
