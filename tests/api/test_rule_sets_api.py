"""The rule sets' entry into force through GraphQL (issue 9 item 10): every user reads the table,
only an admin sets an order's publication date, and the rules follow it at once."""

from datetime import date

import pytest

from models.audit import AuditEvent
from models.rule_sets import OrderPublication
from rules.enums import Role
from rules.rule_sets import DEFAULT_TABLE, RuleSet, activate, in_force_from
from tests.factories import ERRORS, error_paths, errors_of, make_caller, make_miner

READ = "{ ruleSets { ruleSet order orderNumber clause publishedOn publicationIsDefault inForceFrom } }"
SET = ("mutation($i: SetOrderPublicationInput!) { setOrderPublication(input: $i) { "
       "ruleSets { ruleSet publishedOn publicationIsDefault inForceFrom } " + ERRORS + " } }")


@pytest.fixture(autouse=True)
def _default_table_after():
    yield
    activate(DEFAULT_TABLE)  # the table is process-wide; the database row is rolled back


def _by_set(rows):
    return {r["ruleSet"]: r for r in rows}


async def test_rule_sets_show_the_documented_defaults(client):
    caller = await make_caller(client, Role.APPLICANT, miner=await make_miner())
    rows = _by_set((await caller.gql(READ))["data"]["ruleSets"])
    assert rows["LICENSING"] == {
        "ruleSet": "LICENSING", "order": "ORDER_169", "orderNumber": "169/НҚ",
        "clause": "169/НҚ §4: 60 calendar days after first publication",
        "publishedOn": "2023-05-04", "publicationIsDefault": True, "inForceFrom": "2023-07-04",
    }
    assert rows["LICENSE_LIFE"]["inForceFrom"] == "2024-02-13"
    assert rows["POOLS"]["inForceFrom"] == rows["POOLS"]["publishedOn"] == "2023-09-14"


async def test_001_order_s4_admin_sets_the_publication_date_and_the_rules_follow(admin):
    result = await admin.gql(SET, {"i": {"order": "ORDER_169", "publishedOn": "2023-05-10", "source": "ЭКБ НПА РК"}})
    assert errors_of(result) == []
    rows = _by_set(result["data"]["setOrderPublication"]["ruleSets"])
    assert rows["LICENSING"] == {"ruleSet": "LICENSING", "publishedOn": "2023-05-10",
                                 "publicationIsDefault": False, "inForceFrom": "2023-07-10"}
    assert rows["LICENSING_2024"]["inForceFrom"] == "2024-01-01"
    assert in_force_from(RuleSet.LICENSING) == date(2023, 7, 10)  # what workflow, grounds... use
    assert await AuditEvent.filter(action="order_publication.set").count() == 1
    again = await admin.gql(SET, {"i": {"order": "ORDER_169", "publishedOn": "2023-05-05", "source": "ЭКБ НПА РК"}})
    assert _by_set(again["data"]["setOrderPublication"]["ruleSets"])["LICENSING"]["inForceFrom"] == "2023-07-05"
    assert await OrderPublication.all().count() == 1


@pytest.mark.parametrize("role", [Role.OFFICER, Role.INSPECTOR, Role.PARTNER])
async def test_only_an_admin_sets_a_publication_date(client, role):
    caller = await make_caller(client, role)
    result = await caller.gql(SET, {"i": {"order": "ORDER_404", "publishedOn": "2023-09-20", "source": "x"}})
    assert errors_of(result) == ["FORBIDDEN"]
    assert await OrderPublication.all().count() == 0
    assert in_force_from(RuleSet.POOLS) == date(2023, 9, 14)


@pytest.mark.parametrize(
    ("published_on", "source", "path"),
    [
        ("2023-05-03", "ЭКБ НПА РК", "publishedOn"),  # before its registration with the MoJ
        ("2099-01-01", "ЭКБ НПА РК", "publishedOn"),  # in the future
        ("2023-05-10", "   ", "source"),
        ("2023-05-10", "x" * 501, "source"),
    ],
)
async def test_a_bad_publication_date_is_a_typed_error_and_nothing_changes(admin, published_on, source, path):
    result = await admin.gql(SET, {"i": {"order": "ORDER_169", "publishedOn": published_on, "source": source}})
    assert errors_of(result) == ["VALIDATION"] and error_paths(result) == [[path]]
    assert await OrderPublication.all().count() == 0
    assert in_force_from(RuleSet.LICENSING) == date(2023, 7, 4)
