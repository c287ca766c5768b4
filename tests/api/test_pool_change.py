"""The 2-day pool-change rule (001 §16) through GraphQL.

Hand count for the term: the change becomes known Fri 2025-03-21 10:00 Almaty, a Nauryz
holiday; 22-23 are a weekend and 24-25 the days off carried over from it, so the change is
registered Wed 2025-03-26. 2 WD: Thu 27 (1), Fri 28 (2) -> due 2025-03-28 18:30 Almaty
= 13:30 UTC.
"""

from datetime import UTC, datetime

import pytest

from models.audit import AuditEvent
from models.licensing import NotificationObligation, PoolMembership
from models.outbox import OutboxEvent
from resolvers import pool_change
from rules.calendar import ALMATY
from rules.enums import Role
from schema.ids import to_global_id
from tests.factories import errors_of, make_caller, make_miner, make_pool

KNOWN_AT = datetime(2025, 3, 21, 10, 0, tzinfo=ALMATY)
DUE = "2025-03-28T13:30:00+00:00"

SET_POOL = """
mutation($miner: ID!, $pool: ID!, $since: Date!) {
  setMinerPool(minerId: $miner, poolId: $pool, since: $since) {
    membership { since until pool { name } }
    obligation { id kind reason occurredOn dueAt metAt open overdue miner { name } pool { name } }
  }
}"""
NOTIFY = """
mutation($id: ID!, $text: String!) {
  notifyPoolChange(obligationId: $id, text: $text) { obligation { metAt open overdue } }
}"""
LAPSED = """
mutation($pool: ID!, $on: Date!) {
  poolAccreditationLapsed(poolId: $pool, on: $on) { obligations { miner { name } reason dueAt } }
}"""
OBLIGATIONS = """
query($miner: ID, $open: Boolean, $overdue: Boolean) {
  obligations(minerId: $miner, open: $open, overdue: $overdue) { totalCount edges { node { id reason } } }
}"""


def gid(kind, row) -> str:
    return to_global_id(kind, row.id)


@pytest.fixture
def clock(monkeypatch):
    """The request time the use cases see."""
    state = {"now": KNOWN_AT}
    monkeypatch.setattr(pool_change, "_now", lambda: state["now"])
    return state


@pytest.fixture
async def mining(client, clock):
    miner = await make_miner()
    first, second = await make_pool(), await make_pool()
    applicant = await make_caller(client, Role.APPLICANT, miner=miner)
    return miner, first, second, applicant


async def _set(caller, miner, pool, since="2025-03-20"):
    return await caller.gql(SET_POOL, {"miner": gid("Miner", miner), "pool": gid("Pool", pool), "since": since})


async def test_first_membership_opens_no_obligation(mining):
    miner, first, _, applicant = mining
    result = await _set(applicant, miner, first, "2025-01-15")
    assert "errors" not in result, result
    payload = result["data"]["setMinerPool"]
    assert payload["obligation"] is None
    assert payload["membership"] == {"since": "2025-01-15", "until": None, "pool": {"name": first.name}}
    again = await _set(applicant, miner, first, "2025-02-01")  # the same pool: nothing changes
    assert again["data"]["setMinerPool"]["obligation"] is None
    assert await PoolMembership.all().count() == 1
    assert await NotificationObligation.all().count() == 0
    assert await OutboxEvent.filter(topic="alert.pool_change").count() == 0


async def test_change_of_pool_opens_one_obligation_due_in_two_working_days(mining):
    miner, first, second, applicant = mining
    await _set(applicant, miner, first, "2025-01-15")
    result = await _set(applicant, miner, second, "2025-03-20")
    assert "errors" not in result, result
    obligation = result["data"]["setMinerPool"]["obligation"]
    assert obligation["kind"] == "POOL_CHANGE" and second.name in obligation["reason"]
    assert obligation["occurredOn"] == "2025-03-26"
    assert obligation["dueAt"] == DUE
    assert obligation["metAt"] is None and obligation["open"] is True
    assert obligation["miner"] == {"name": miner.name} and obligation["pool"] == {"name": second.name}
    closed = await PoolMembership.get(pool_id=first.id)
    assert str(closed.until) == "2025-03-20"
    alert = await OutboxEvent.get(topic="alert.pool_change")
    stored = await NotificationObligation.get()
    assert alert.payload["miner_id"] == miner.id and alert.payload["obligation_id"] == stored.id
    assert alert.payload["due"] == DUE
    assert stored.dedup_key == f"pool-change:{(await PoolMembership.get(pool_id=second.id)).id}"


async def test_since_before_the_current_membership_is_rejected_and_nothing_changes(mining):
    miner, first, second, applicant = mining
    await _set(applicant, miner, first, "2025-02-01")
    counts = (await PoolMembership.all().count(), await AuditEvent.all().count(), await OutboxEvent.all().count())
    result = await _set(applicant, miner, second, "2025-01-31")
    assert errors_of(result) == ["VALIDATION"] and result["errors"][0]["extensions"]["field"] == "since"
    assert (await PoolMembership.all().count(), await AuditEvent.all().count(), await OutboxEvent.all().count()) == counts
    assert (await PoolMembership.get()).until is None
    assert await NotificationObligation.all().count() == 0


async def test_another_miners_applicant_gets_not_found(client, mining):
    miner, first, second, applicant = mining
    await _set(applicant, miner, first)
    stranger = await make_caller(client, Role.APPLICANT, miner=await make_miner())
    assert errors_of(await _set(stranger, miner, second)) == ["NOT_FOUND"]
    await _set(applicant, miner, second, "2025-03-21")
    obligation = await NotificationObligation.get()
    assert errors_of(await stranger.gql(NOTIFY, {"id": gid("NotificationObligation", obligation), "text": "x"})) == ["NOT_FOUND"]
    assert (await stranger.gql(OBLIGATIONS))["data"]["obligations"]["totalCount"] == 0
    assert (await NotificationObligation.get()).met_at is None


async def test_notify_marks_the_obligation_met_once(client, mining, clock):
    miner, first, second, applicant = mining
    await _set(applicant, miner, first)
    created = await _set(applicant, miner, second, "2025-03-21")
    oid = created["data"]["setMinerPool"]["obligation"]["id"]
    empty = await applicant.gql(NOTIFY, {"id": oid, "text": "  "})
    assert errors_of(empty) == ["VALIDATION"]
    assert (await NotificationObligation.get()).met_at is None

    clock["now"] = datetime(2025, 3, 27, 9, 0, tzinfo=UTC)
    result = await applicant.gql(NOTIFY, {"id": oid, "text": "С 21.03.2025 майним через пул «Второй»"})
    assert result["data"]["notifyPoolChange"]["obligation"] == {
        "metAt": "2025-03-27T09:00:00+00:00", "open": False, "overdue": False,
    }
    audit = await AuditEvent.get(action="obligation.met")
    assert audit.after["notice_text"].startswith("С 21.03.2025")
    assert (await NotificationObligation.get()).notice_text == "С 21.03.2025 майним через пул «Второй»"
    assert errors_of(await applicant.gql(NOTIFY, {"id": oid, "text": "again"})) == ["ILLEGAL_TRANSITION"]
    assert (await applicant.gql(OBLIGATIONS, {"open": True}))["data"]["obligations"]["totalCount"] == 0
    assert (await applicant.gql(OBLIGATIONS, {"open": False}))["data"]["obligations"]["totalCount"] == 1


async def test_notice_after_the_term_is_recorded_and_stays_overdue(client, officer, mining, clock):
    miner, first, second, applicant = mining
    await _set(applicant, miner, first)
    oid = (await _set(applicant, miner, second, "2025-03-21"))["data"]["setMinerPool"]["obligation"]["id"]
    clock["now"] = datetime(2025, 3, 28, 13, 31, tzinfo=UTC)  # a minute past 18:30 Almaty
    # An officer records it on the miner's behalf.
    result = await officer.gql(NOTIFY, {"id": oid, "text": "Уведомление принято в ЦОН"})
    assert result["data"]["notifyPoolChange"]["obligation"]["overdue"] is True
    stored = await NotificationObligation.get()
    assert stored.met_at is not None and stored.overdue is True
    late = await officer.gql(OBLIGATIONS, {"overdue": True})
    assert late["data"]["obligations"]["totalCount"] == 1


async def test_lapse_of_accreditation_opens_one_obligation_per_current_member(client, officer, clock):
    pool, elsewhere = await make_pool(), await make_pool()
    members = [await make_miner() for _ in range(3)]
    for miner in members:
        await pool_change.set_miner_pool(_system(), miner.id, pool.id, datetime(2025, 1, 10).date())
    former = await make_miner()
    await pool_change.set_miner_pool(_system(), former.id, pool.id, datetime(2024, 5, 1).date())
    await pool_change.set_miner_pool(_system(), former.id, elsewhere.id, datetime(2024, 12, 1).date())
    opened_before = await NotificationObligation.all().count()  # the former member's own change

    applicant = await make_caller(client, Role.APPLICANT, miner=members[0])
    assert errors_of(await applicant.gql(LAPSED, {"pool": gid("Pool", pool), "on": "2025-03-20"})) == ["FORBIDDEN"]

    result = await officer.gql(LAPSED, {"pool": gid("Pool", pool), "on": "2025-03-20"})
    assert "errors" not in result, result
    obligations = result["data"]["poolAccreditationLapsed"]["obligations"]
    assert sorted(o["miner"]["name"] for o in obligations) == sorted(m.name for m in members)
    assert {o["dueAt"] for o in obligations} == {DUE}
    assert await NotificationObligation.all().count() == opened_before + 3
    assert await OutboxEvent.filter(topic="alert.pool_change").count() == opened_before + 3
    replay = await officer.gql(LAPSED, {"pool": gid("Pool", pool), "on": "2025-03-20"})
    assert len(replay["data"]["poolAccreditationLapsed"]["obligations"]) == 3
    assert await NotificationObligation.all().count() == opened_before + 3  # no duplicates
    mine = await applicant.gql(OBLIGATIONS, {"miner": gid("Miner", members[0])})
    assert mine["data"]["obligations"]["totalCount"] == 1


def _system():
    from rules.access import SYSTEM

    return SYSTEM
