"""The 2-day pool-change rule (001 §16) through GraphQL.

The term runs from the day of the change itself (DOMAIN "Corrections"), not from when the
system learns of it. Hand count: the miner moves to another pool on Thu 2025-03-20; 21 March
is a Nauryz holiday, 22-23 a weekend, 24-25 the days off carried over from it, so the 2 WD
are Wed 26 (1), Thu 27 (2) -> due 2025-03-27 18:30 Almaty = 13:30 UTC. The system learns of
it on Fri 2025-03-21 10:00 Almaty (KNOWN_AT), which changes nothing to the term.
"""

from datetime import UTC, date, datetime

import pytest

from models.audit import AuditEvent
from models.licensing import NotificationObligation, PoolMembership
from models.outbox import OutboxEvent
from resolvers import pool_change
from rules.access import SYSTEM
from rules.calendar import ALMATY
from rules.enums import Role
from schema.ids import to_global_id
from tests.factories import ERRORS, error_paths, errors_of, make_caller, make_miner, make_pool
from tests.sqlcount import count_statements, count_tasks

KNOWN_AT = datetime(2025, 3, 21, 10, 0, tzinfo=ALMATY)
CHANGED_ON = "2025-03-20"
DUE = "2025-03-27T13:30:00+00:00"

OBLIGATION = "id kind reason occurredOn dueAt dueOn metAt noticeText open overdue daysLeft miner { name } pool { name }"
SET_POOL = f"""
mutation($miner: ID!, $pool: ID!, $since: Date!) {{
  setMinerPool(input: {{minerId: $miner, poolId: $pool, since: $since}}) {{
    membership {{ id since until pool {{ name }} miner {{ name }} }}
    obligation {{ {OBLIGATION} }} {ERRORS} }}
}}"""
NOTIFY = f"""
mutation($id: ID!, $text: String!) {{
  notifyPoolChange(input: {{obligationId: $id, text: $text}}) {{ obligation {{ metAt noticeText open overdue daysLeft }} {ERRORS} }}
}}"""
LAPSED = f"""
mutation($pool: ID!, $on: Date!) {{
  poolAccreditationLapsed(input: {{poolId: $pool, on: $on}}) {{
    obligations {{ miner {{ name }} reason occurredOn dueAt open }} {ERRORS} }}
}}"""
OBLIGATIONS = """
query($miner: ID, $open: Boolean, $overdue: Boolean) {
  obligations(minerId: $miner, open: $open, overdue: $overdue) { totalCount edges { node { id reason overdue } } }
}"""


def gid(kind, row) -> str:
    """The global id of a row, or of a bare key (a record that does not exist)."""
    return str(to_global_id(kind, row if isinstance(row, int) else row.id))


@pytest.fixture
def clock(monkeypatch):
    """The request time the use cases and the fields see."""
    state = {"now": KNOWN_AT}
    monkeypatch.setattr(pool_change, "_now", lambda: state["now"])
    return state


@pytest.fixture
async def mining(client, clock):
    miner = await make_miner()
    first, second = await make_pool(), await make_pool()
    applicant = await make_caller(client, Role.APPLICANT, miner=miner)
    return miner, first, second, applicant


async def _set(caller, miner, pool, since=CHANGED_ON):
    return await caller.gql(SET_POOL, {"miner": gid("Miner", miner), "pool": gid("Pool", pool), "since": since})


async def _officer_records_a_change(officer, miner, first, second, since=CHANGED_ON):
    await pool_change.set_miner_pool(SYSTEM, pool_change.SetMinerPool(miner.id, first.id, date(2025, 1, 15)))
    result = await _set(officer, miner, second, since)
    assert errors_of(result) == [], result
    return result["data"]["setMinerPool"]["obligation"]


async def _counts():
    return (
        await PoolMembership.all().count(), await NotificationObligation.all().count(),
        await AuditEvent.all().count(), await OutboxEvent.all().count(),
    )


async def test_first_membership_opens_no_obligation(mining):
    miner, first, _, applicant = mining
    result = await _set(applicant, miner, first, "2025-01-15")
    assert errors_of(result) == [], result
    payload = result["data"]["setMinerPool"]
    assert payload["obligation"] is None
    membership = payload["membership"]
    assert (membership["since"], membership["until"]) == ("2025-01-15", None)
    assert membership["pool"] == {"name": first.name} and membership["miner"] == {"name": miner.name}
    again = await _set(applicant, miner, first, "2025-02-01")  # the same pool: nothing changes
    assert again["data"]["setMinerPool"]["obligation"] is None
    assert again["data"]["setMinerPool"]["membership"]["id"] == membership["id"]
    assert await PoolMembership.all().count() == 1
    assert await NotificationObligation.all().count() == 0


async def test_the_miners_own_recording_of_its_new_pool_is_the_notice(mining):
    miner, first, second, applicant = mining
    await _set(applicant, miner, first, "2025-01-15")
    result = await _set(applicant, miner, second)
    assert errors_of(result) == [], result
    obligation = result["data"]["setMinerPool"]["obligation"]
    assert obligation["kind"] == "POOL_CHANGE" and second.name in obligation["reason"]
    assert "20.03.2025" in obligation["reason"]  # dates in texts: dd.mm.yyyy
    # The term runs from the change (20 March), not from when it became known (21 March).
    assert obligation["occurredOn"] == CHANGED_ON
    assert (obligation["dueAt"], obligation["dueOn"]) == (DUE, "2025-03-27")
    assert obligation["metAt"] == KNOWN_AT.astimezone(UTC).isoformat()
    assert obligation["noticeText"] and obligation["open"] is False and obligation["overdue"] is False
    assert obligation["daysLeft"] is None
    assert obligation["miner"] == {"name": miner.name} and obligation["pool"] == {"name": second.name}
    closed = await PoolMembership.get(pool_id=first.id)
    assert str(closed.until) == CHANGED_ON
    assert await OutboxEvent.filter(topic="alert.pool_change").count() == 0  # nothing to remind of
    met = await OutboxEvent.get(topic="obligation.met")
    assert met.payload["late"] is False
    stored = await NotificationObligation.get()
    assert stored.dedup_key == f"pool-change:{(await PoolMembership.get(pool_id=second.id)).id}"


async def test_the_miners_recording_after_the_term_is_a_late_notice(mining, clock):
    miner, first, second, applicant = mining
    await _set(applicant, miner, first, "2025-01-15")
    result = await _set(applicant, miner, second, "2025-03-10")  # Monday: due Wed 12 March
    obligation = result["data"]["setMinerPool"]["obligation"]
    assert obligation["dueOn"] == "2025-03-12"
    assert obligation["open"] is False and obligation["overdue"] is True
    assert (await OutboxEvent.get(topic="obligation.met")).payload["late"] is True


async def test_a_change_recorded_by_an_officer_waits_for_the_miners_notice(officer, mining, clock):
    miner, first, second, applicant = mining
    obligation = await _officer_records_a_change(officer, miner, first, second)
    assert obligation["open"] is True and obligation["metAt"] is None
    assert (obligation["occurredOn"], obligation["dueAt"]) == (CHANGED_ON, DUE)
    assert obligation["daysLeft"] == 2  # Fri 21 (holiday) -> Wed 26, Thu 27
    alert = await OutboxEvent.get(topic="alert.pool_change")
    stored = await NotificationObligation.get()
    assert alert.payload["miner_id"] == miner.id and alert.payload["obligation_id"] == stored.id
    assert alert.payload["due"] == DUE

    empty = await applicant.gql(NOTIFY, {"id": obligation["id"], "text": "  "})
    assert errors_of(empty) == ["VALIDATION"] and error_paths(empty) == [["text"]]
    assert (await NotificationObligation.get()).met_at is None

    clock["now"] = datetime(2025, 3, 27, 9, 0, tzinfo=UTC)
    result = await applicant.gql(NOTIFY, {"id": obligation["id"], "text": "С 20.03.2025 майним через пул «Второй»"})
    assert result["data"]["notifyPoolChange"]["obligation"] == {
        "metAt": "2025-03-27T09:00:00+00:00", "noticeText": "С 20.03.2025 майним через пул «Второй»",
        "open": False, "overdue": False, "daysLeft": None,
    }
    audit = await AuditEvent.get(action="obligation.met")
    assert audit.after["notice_text"].startswith("С 20.03.2025")
    again = await applicant.gql(NOTIFY, {"id": obligation["id"], "text": "again"})
    assert errors_of(again) == ["ILLEGAL_TRANSITION"]
    assert (await applicant.gql(OBLIGATIONS, {"open": True}))["data"]["obligations"]["totalCount"] == 0
    assert (await applicant.gql(OBLIGATIONS, {"open": False}))["data"]["obligations"]["totalCount"] == 1


async def test_notice_after_the_term_is_recorded_and_stays_overdue(officer, mining, clock):
    miner, first, second, _ = mining
    obligation = await _officer_records_a_change(officer, miner, first, second)
    clock["now"] = datetime(2025, 3, 27, 13, 31, tzinfo=UTC)  # a minute past 18:30 Almaty
    shown = await officer.gql("query($id: ID!) { node(id: $id) { ... on NotificationObligation { overdue daysLeft } } }",
                              {"id": obligation["id"]})
    assert shown["data"]["node"] == {"overdue": True, "daysLeft": -1}
    # An officer records the notice on the miner's behalf.
    result = await officer.gql(NOTIFY, {"id": obligation["id"], "text": "Уведомление принято в ЦОН"})
    assert result["data"]["notifyPoolChange"]["obligation"]["overdue"] is True
    stored = await NotificationObligation.get()
    assert stored.met_at is not None and stored.overdue is True
    late = await officer.gql(OBLIGATIONS, {"overdue": True})
    assert late["data"]["obligations"]["totalCount"] == 1


@pytest.mark.parametrize(
    ("since", "why"), [("2025-01-14", "before the current membership"), ("2025-03-22", "after today")]
)
async def test_a_bad_change_day_is_rejected_and_nothing_changes(mining, since, why):
    miner, first, second, applicant = mining
    await _set(applicant, miner, first, "2025-01-15")
    counts = await _counts()
    result = await _set(applicant, miner, second, since)
    assert errors_of(result) == ["VALIDATION"], why
    assert error_paths(result) == [["since"]]
    assert await _counts() == counts
    assert (await PoolMembership.get()).until is None


async def test_another_miners_applicant_gets_not_found(client, officer, mining):
    miner, first, second, _ = mining
    obligation = await _officer_records_a_change(officer, miner, first, second)
    stranger = await make_caller(client, Role.APPLICANT, miner=await make_miner())
    refused = await _set(stranger, miner, second)
    assert errors_of(refused) == ["NOT_FOUND"] and error_paths(refused) == [["minerId"]]
    notify = await stranger.gql(NOTIFY, {"id": obligation["id"], "text": "x"})
    assert errors_of(notify) == ["NOT_FOUND"] and error_paths(notify) == [["obligationId"]]
    assert (await stranger.gql(OBLIGATIONS))["data"]["obligations"]["totalCount"] == 0
    assert (await NotificationObligation.get()).met_at is None
    unknown_pool = await _set(officer, miner, 999)
    assert errors_of(unknown_pool) == ["NOT_FOUND"] and error_paths(unknown_pool) == [["poolId"]]


async def test_partners_and_inspectors(client, officer, mining):
    miner, first, second, _ = mining
    await _officer_records_a_change(officer, miner, first, second)
    partner = await make_caller(client, Role.PARTNER)
    assert (await partner.gql(OBLIGATIONS))["data"]["obligations"]["totalCount"] == 0  # case files
    refused = await _set(partner, miner, first, "2025-03-21")
    assert errors_of(refused) == ["FORBIDDEN"]
    inspector = await make_caller(client, Role.INSPECTOR)
    assert (await inspector.gql(OBLIGATIONS))["data"]["obligations"]["totalCount"] == 1


async def test_current_pool_membership_is_a_nullable_lookup(client, mining):
    miner, first, second, applicant = mining
    q = "query($m: ID!) { currentPoolMembership(minerId: $m) { since pool { name } } }"
    assert (await applicant.gql(q, {"m": gid("Miner", miner)}))["data"]["currentPoolMembership"] is None
    await _set(applicant, miner, first, "2025-01-15")
    await _set(applicant, miner, second, "2025-03-20")
    current = (await applicant.gql(q, {"m": gid("Miner", miner)}))["data"]["currentPoolMembership"]
    assert current == {"since": "2025-03-20", "pool": {"name": second.name}}
    stranger = await make_caller(client, Role.APPLICANT, miner=await make_miner())
    assert await stranger.gql(q, {"m": gid("Miner", miner)}) == {"data": {"currentPoolMembership": None}}
    assert errors_of(await stranger.gql(q, {"m": gid("Pool", first)})) == ["INVALID_ID"]


async def test_lapse_of_accreditation_opens_one_obligation_per_current_member(client, officer, clock):
    pool, elsewhere = await make_pool(), await make_pool()
    members = [await make_miner() for _ in range(3)]
    for miner in members:
        await pool_change.set_miner_pool(SYSTEM, pool_change.SetMinerPool(miner.id, pool.id, date(2025, 1, 10)))
    former = await make_miner()
    await pool_change.set_miner_pool(SYSTEM, pool_change.SetMinerPool(former.id, pool.id, date(2024, 5, 1)))
    await pool_change.set_miner_pool(SYSTEM, pool_change.SetMinerPool(former.id, elsewhere.id, date(2024, 12, 1)))
    opened_before = await NotificationObligation.all().count()  # the former member's own change

    applicant = await make_caller(client, Role.APPLICANT, miner=members[0])
    assert errors_of(await applicant.gql(LAPSED, {"pool": gid("Pool", pool), "on": CHANGED_ON})) == ["FORBIDDEN"]

    result = await officer.gql(LAPSED, {"pool": gid("Pool", pool), "on": CHANGED_ON})
    assert errors_of(result) == [], result
    obligations = result["data"]["poolAccreditationLapsed"]["obligations"]
    assert sorted(o["miner"]["name"] for o in obligations) == sorted(m.name for m in members)
    assert {(o["occurredOn"], o["dueAt"], o["open"]) for o in obligations} == {(CHANGED_ON, DUE, True)}
    assert all("20.03.2025" in o["reason"] for o in obligations)
    assert await NotificationObligation.all().count() == opened_before + 3
    assert await OutboxEvent.filter(topic="alert.pool_change").count() == opened_before + 3
    replay = await officer.gql(LAPSED, {"pool": gid("Pool", pool), "on": CHANGED_ON})
    assert len(replay["data"]["poolAccreditationLapsed"]["obligations"]) == 3
    assert await NotificationObligation.all().count() == opened_before + 3  # no duplicates
    mine = await applicant.gql(OBLIGATIONS, {"miner": gid("Miner", members[0])})
    assert mine["data"]["obligations"]["totalCount"] == 1
    # The lapsed pool is named on the miner's obligation: pools are public to miners.
    pool_name = await applicant.gql("{ obligations { edges { node { pool { name } } } } }")
    assert pool_name["data"]["obligations"]["edges"][0]["node"]["pool"] == {"name": pool.name}
    missing = await officer.gql(LAPSED, {"pool": gid("Pool", 999), "on": CHANGED_ON})
    assert errors_of(missing) == ["NOT_FOUND"] and error_paths(missing) == [["poolId"]]


async def test_the_overdue_filter_and_the_overdue_field_agree(officer, clock):
    """Four obligations, one of each kind; the filter and the field answer alike at any time."""
    pools = [await make_pool() for _ in range(2)]
    made = {}
    for name, since in (("open_late", "2025-03-03"), ("open_in_time", "2025-03-20"),
                        ("met_late", "2025-03-03"), ("met_in_time", "2025-03-17")):
        miner = await make_miner(name=name)
        await pool_change.set_miner_pool(SYSTEM, pool_change.SetMinerPool(miner.id, pools[0].id, date(2025, 1, 1)))
        change = await pool_change.set_miner_pool(
            SYSTEM, pool_change.SetMinerPool(miner.id, pools[1].id, date.fromisoformat(since))
        )
        made[name] = change.obligation
    clock["now"] = datetime(2025, 3, 18, 9, 0, tzinfo=UTC)  # met_in_time: due 19 March
    for name in ("met_late", "met_in_time"):
        await pool_change.notify_pool_change(SYSTEM, pool_change.NotifyPoolChange(made[name].id, "notice"))
    q = """query($o: Boolean) { obligations(overdue: $o, first: 100) { edges { node { overdue miner { name } } } }
                                 all: obligations(first: 100) { edges { node { overdue miner { name } } } } }"""
    for now, late in ((datetime(2025, 3, 21, 5, tzinfo=UTC), {"open_late", "met_late"}),
                      (datetime(2025, 3, 27, 13, 31, tzinfo=UTC), {"open_late", "met_late", "open_in_time"})):
        clock["now"] = now
        for flag in (True, False):
            result = (await officer.gql(q, {"o": flag}))["data"]
            filtered = {e["node"]["miner"]["name"] for e in result["obligations"]["edges"]}
            by_field = {e["node"]["miner"]["name"] for e in result["all"]["edges"] if e["node"]["overdue"] is flag}
            assert filtered == by_field == (late if flag else set(made) - late), (now, flag)


async def test_obligations_sort_by_due_and_page(officer, clock):
    pools = [await make_pool() for _ in range(2)]
    days = ["2025-03-04", "2025-02-10", "2025-03-17", "2025-01-20", "2025-02-10"]
    for day in days:
        miner = await make_miner()
        await pool_change.set_miner_pool(SYSTEM, pool_change.SetMinerPool(miner.id, pools[0].id, date(2025, 1, 1)))
        await pool_change.set_miner_pool(SYSTEM, pool_change.SetMinerPool(miner.id, pools[1].id, date.fromisoformat(day)))
    q = """query($after: String, $dir: OrderDirection!) {
      obligations(first: 2, after: $after, orderBy: {field: DUE, direction: $dir}) {
        edges { node { id dueAt } } pageInfo { hasNextPage endCursor } } }"""
    for direction in ("ASC", "DESC"):
        seen, after = [], None
        while True:
            page = (await officer.gql(q, {"after": after, "dir": direction}))["data"]["obligations"]
            seen += [e["node"] for e in page["edges"]]
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        assert len({s["id"] for s in seen}) == len(days)
        dues = [s["dueAt"] for s in seen]
        assert dues == sorted(dues, reverse=direction == "DESC")


async def test_a_page_of_obligations_costs_the_same_statements_at_10_and_100(officer, clock):
    pools = [await make_pool() for _ in range(3)]
    for i in range(100):
        miner = await make_miner()
        await pool_change.set_miner_pool(SYSTEM, pool_change.SetMinerPool(miner.id, pools[i % 3].id, date(2025, 1, 1)))
        await pool_change.set_miner_pool(
            SYSTEM, pool_change.SetMinerPool(miner.id, pools[(i + 1) % 3].id, date(2025, 3, 1 + i % 20))
        )
    q = """query($n: Int) { obligations(first: $n) { totalCount edges { node {
             kind dueAt dueOn open overdue daysLeft miner { name } pool { name } } } } }"""
    await officer.gql("{ __typename }")  # the token's last-use time is written once, not per request
    with count_statements() as small, count_tasks() as small_tasks:
        few = await officer.gql(q, {"n": 10})
    with count_statements() as large, count_tasks() as large_tasks:
        many = await officer.gql(q, {"n": 100})
    assert errors_of(few) == errors_of(many) == []
    edges = many["data"]["obligations"]["edges"]
    assert len(edges) == 100
    assert all(e["node"]["miner"]["name"] and e["node"]["pool"]["name"] for e in edges)
    assert all(isinstance(e["node"]["daysLeft"], int) for e in edges)
    print(f"obligations: {len(small)} statements at page 10, {len(large)} at page 100; "
          f"tasks {len(small_tasks)} and {len(large_tasks)}")
    assert len(small) == len(large), "\n".join(s[:100] for s in [*small, "---", *large])
    # The fields return loaded values at once (the page is primed): no task per row and field.
    assert len(small_tasks) == len(large_tasks), (small_tasks, large_tasks)


async def test_001_s16_the_miners_recording_of_the_pool_an_officer_recorded_is_its_notice(officer, mining, clock):
    """The officer learnt of the change first; the miner then records the same pool itself: that
    recording is the notice (it used to change nothing and leave the obligation open)."""
    miner, first, second, applicant = mining
    opened = await _officer_records_a_change(officer, miner, first, second)
    clock["now"] = datetime(2025, 3, 26, 11, 0, tzinfo=ALMATY)  # the first of the 2 WD
    result = await _set(applicant, miner, second)
    assert errors_of(result) == [], result
    payload = result["data"]["setMinerPool"]
    assert payload["membership"]["pool"] == {"name": second.name}
    assert payload["obligation"]["id"] == opened["id"]
    assert (payload["obligation"]["open"], payload["obligation"]["overdue"]) == (False, False)
    assert payload["obligation"]["metAt"] == "2025-03-26T06:00:00+00:00"
    stored = await NotificationObligation.get()
    assert stored.met_at is not None and second.name in stored.notice_text
    assert await PoolMembership.all().count() == 2  # nothing else changed
    assert (await OutboxEvent.get(topic="obligation.met")).payload["late"] is False
    assert await AuditEvent.filter(action="obligation.met").count() == 1


async def test_001_s16_the_miners_recording_of_its_new_pool_answers_the_lapse_of_its_old_one(client, officer, clock):
    miner, lapsed, other = await make_miner(), await make_pool(), await make_pool()
    applicant = await make_caller(client, Role.APPLICANT, miner=miner)
    await pool_change.set_miner_pool(SYSTEM, pool_change.SetMinerPool(miner.id, lapsed.id, date(2025, 1, 10)))
    assert errors_of(await officer.gql(LAPSED, {"pool": gid("Pool", lapsed), "on": "2025-03-10"})) == []
    clock["now"] = datetime(2025, 3, 13, 10, 0, tzinfo=ALMATY)  # due Wed 12 March: a day late
    result = await _set(applicant, miner, other, "2025-03-11")
    assert errors_of(result) == [], result
    obligations = await NotificationObligation.all().order_by("id")
    assert len(obligations) == 2 and all(o.met_at is not None for o in obligations)
    lapse, change = obligations
    assert lapse.occurred_on == date(2025, 3, 10) and lapse.overdue is True  # late, but met: not reminded again
    assert change.occurred_on == date(2025, 3, 11) and change.overdue is False  # due Thu 13 March
    assert (await applicant.gql(OBLIGATIONS, {"open": True}))["data"]["obligations"]["totalCount"] == 0


async def test_001_s16_an_officers_recording_is_not_the_miners_notice(officer, mining, clock):
    miner, first, second, _ = mining
    await _officer_records_a_change(officer, miner, first, second)
    again = await _set(officer, miner, second)  # the officer again: still waiting for the miner
    assert again["data"]["setMinerPool"]["obligation"] is None
    assert (await NotificationObligation.get()).met_at is None


@pytest.mark.parametrize(
    ("recorded_at", "late"),
    [(datetime(2025, 3, 27, 18, 29, tzinfo=ALMATY), False), (datetime(2025, 3, 27, 18, 31, tzinfo=ALMATY), True)],
)
async def test_001_s16_the_term_counts_from_the_declared_change_day_to_the_close_of_the_second_working_day(
    mining, clock, recorded_at, late
):
    miner, first, second, applicant = mining
    await _set(applicant, miner, first, "2025-01-15")
    clock["now"] = recorded_at
    obligation = (await _set(applicant, miner, second))["data"]["setMinerPool"]["obligation"]
    assert (obligation["occurredOn"], obligation["dueOn"]) == (CHANGED_ON, "2025-03-27")
    assert obligation["overdue"] is late and obligation["open"] is False
