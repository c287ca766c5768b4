"""Every mutation leaves a hash-chained audit event; clients read it with global ids and camelCase
snapshots linked to the actor and the entity; tampering is detected."""

from itertools import pairwise

import pytest

from models.access import ApiToken, User
from models.audit import AuditEvent
from models.outbox import OutboxEvent
from resolvers import auth, parties
from rules.enums import Role
from schema.ids import to_global_id
from tests.factories import ERRORS, errors_of, make_caller, make_data_center, make_miner, new_bin
from tests.sqlcount import count_statements

VERIFY = "{ verifyAuditChain { ok checked problem firstBroken { id action } } }"
TRAIL = """query($entity: ID, $type: AuditEntityType, $action: AuditAction, $order: AuditEventOrder, $n: Int) {
  auditEvents(entity: $entity, entityType: $type, action: $action, orderBy: $order, first: $n) {
    totalCount
    edges { node { id at action actorLabel actor { id login } entityType entityId before after prevHash hash
                   entity { __typename id ... on Miner { name } ... on DataCenter { name } } } }
  }
}"""


def _gid(type_name, pk):
    return str(to_global_id(type_name, pk))


def _nodes(result):
    assert errors_of(result) == [], result
    return [e["node"] for e in result["data"]["auditEvents"]["edges"]]


async def _actor_of(caller):
    return auth.actor_for(await User.get(id=caller.user_id))


async def test_mutation_appends_event_with_actor_before_after(officer):
    miner = await make_miner(phone="+7 700 000 00 01")
    result = await officer.gql(
        "mutation($i: UpdateMinerInput!) { updateMiner(input: $i) { miner { phone } " + ERRORS + " } }",
        {"i": {"id": _gid("Miner", miner.id), "phone": "+7 700 000 00 02"}},
    )
    assert errors_of(result) == []
    event = await AuditEvent.filter(action="miner.updated").get()
    assert event.entity_type == "Miner" and event.entity_id == str(miner.id)
    assert event.before["phone"] == "+7 700 000 00 01" and event.after["phone"] == "+7 700 000 00 02"
    assert event.actor_id == officer.user_id
    outbox = await OutboxEvent.filter(topic="miner.updated").get()
    assert outbox.payload["id"] == miner.id and outbox.dispatched_at is None


async def test_failed_mutation_writes_neither_audit_nor_outbox(officer):
    before = (await AuditEvent.all().count(), await OutboxEvent.all().count())
    miner = await make_miner()
    after_setup = (await AuditEvent.all().count(), await OutboxEvent.all().count())
    assert after_setup == (before[0] + 1, before[1] + 1)
    result = await officer.gql(
        "mutation($i: UpdateMinerInput!) { updateMiner(input: $i) { miner { phone } " + ERRORS + " } }",
        {"i": {"id": _gid("Miner", miner.id), "email": "broken"}},
    )
    assert errors_of(result) == ["VALIDATION"]
    assert (await AuditEvent.all().count(), await OutboxEvent.all().count()) == after_setup


async def test_trail_shows_global_ids_camel_case_keys_and_links_to_actor_and_entity(admin):
    miner = await make_miner()
    dc = await make_data_center(miner, permitted_capacity_mw="2")
    result = await admin.gql(
        "mutation($i: UpdateDataCenterInput!) { updateDataCenter(input: $i) { dataCenter { id } " + ERRORS + " } }",
        {"i": {"id": _gid("DataCenter", dc.id), "name": "ЦОД Экибастуз-2", "permittedCapacityKw": "3000"}},
    )
    assert errors_of(result) == []
    [event] = _nodes(await admin.gql(TRAIL, {"entity": _gid("DataCenter", dc.id), "action": "DATA_CENTER_UPDATED"}))
    assert event["action"] == "DATA_CENTER_UPDATED" and event["entityType"] == "DATA_CENTER"
    assert event["entityId"] == _gid("DataCenter", dc.id)
    assert event["entity"] == {"__typename": "DataCenter", "id": _gid("DataCenter", dc.id), "name": "ЦОД Экибастуз-2"}
    assert event["actor"] == {"id": _gid("User", admin.user_id), "login": event["actorLabel"].split(" ")[0]}
    before, after = event["before"], event["after"]
    # References are global ids, keys are camelCase: the client never sees a database key.
    assert before["id"] == after["id"] == _gid("DataCenter", dc.id)
    assert before["minerId"] == after["minerId"] == _gid("Miner", miner.id)
    assert "miner_id" not in after and "permitted_capacity_mw" not in after
    assert before["name"] == dc.name and after["name"] == "ЦОД Экибастуз-2"
    assert before["outsideResidentialZone"] is True and after["powerSource"] == "GRID"
    assert float(before["permittedCapacityMw"]) == 2 and float(after["permittedCapacityMw"]) == 3
    # ...while the stored snapshot, which the hash covers, keeps its own shape.
    stored = await AuditEvent.get(id=int(_pk(event["id"])))
    assert stored.after["miner_id"] == miner.id and stored.after["name"] == "ЦОД Экибастуз-2"
    assert (await admin.gql(VERIFY))["data"]["verifyAuditChain"]["ok"] is True


def _pk(gid):
    import base64

    return base64.b64decode(gid).decode().split(":")[1]


async def test_filter_by_entity_global_id_and_by_action(admin):
    mine, other = await make_miner(), await make_miner()
    dc = await make_data_center(mine)
    actor = await _actor_of(admin)
    await parties.update_miner(actor, parties.UpdateMiner(miner_id=mine.id, name="Переименован"))
    events = _nodes(await admin.gql(TRAIL, {"entity": _gid("Miner", mine.id)}))
    assert [e["action"] for e in events] == ["MINER_CREATED", "MINER_UPDATED"]
    assert {e["entityId"] for e in events} == {_gid("Miner", mine.id)}
    assert all(e["entity"]["name"] == "Переименован" for e in events)  # the record as it is now
    only_updates = _nodes(await admin.gql(TRAIL, {"entity": _gid("Miner", mine.id), "action": "MINER_UPDATED"}))
    assert [e["action"] for e in only_updates] == ["MINER_UPDATED"]
    # The id's type counts: a Miner id with the data center's key finds no data-center event.
    as_miner = _nodes(await admin.gql(TRAIL, {"entity": _gid("Miner", dc.id)}))
    assert all(e["entityType"] == "MINER" for e in as_miner)
    assert _gid("DataCenter", dc.id) not in {e["entityId"] for e in as_miner}
    created = _nodes(await admin.gql(TRAIL, {"action": "MINER_CREATED"}))
    assert {e["entityId"] for e in created} == {_gid("Miner", mine.id), _gid("Miner", other.id)}
    by_type = _nodes(await admin.gql(TRAIL, {"type": "DATA_CENTER"}))
    assert [e["entityId"] for e in by_type] == [_gid("DataCenter", dc.id)]


async def test_trail_is_in_time_order_both_ways(admin):
    for _ in range(3):
        await make_miner()
    asc = _nodes(await admin.gql(TRAIL, {"action": "MINER_CREATED"}))
    desc = _nodes(await admin.gql(TRAIL, {"action": "MINER_CREATED", "order": {"field": "TIME", "direction": "DESC"}}))
    assert [e["id"] for e in desc] == [e["id"] for e in reversed(asc)]
    assert [e["at"] for e in asc] == sorted(e["at"] for e in asc)
    # The chain links each event to the one before it.
    assert all(later["prevHash"] == earlier["hash"] for earlier, later in pairwise(asc))


@pytest.mark.parametrize("bad", ["not-an-id", _gid("NoSuchType", 1), _gid("Miner", "x")])
async def test_malformed_entity_filter_is_invalid_id(admin, bad):
    assert errors_of(await admin.gql(TRAIL, {"entity": bad})) == ["INVALID_ID"]


async def test_entity_is_null_when_gone_and_users_link_for_admins_and_officers(client, admin, officer):
    q = 'mutation { setCalendarOverride(input: {day: "2026-04-16", working: false, decree: "No 1"}) { ' + ERRORS + " } }"
    assert errors_of(await admin.gql(q)) == []
    set_id = (await AuditEvent.filter(action="calendar.override_set").get()).entity_id
    rm = 'mutation { removeCalendarOverride(input: {day: "2026-04-16"}) { day ' + ERRORS + " } }"
    assert errors_of(await admin.gql(rm)) == []
    events = _nodes(await admin.gql(TRAIL, {"type": "CALENDAR_OVERRIDE"}))
    assert [e["action"] for e in events] == ["CALENDAR_OVERRIDE_SET", "CALENDAR_OVERRIDE_REMOVED"]
    assert all(e["entity"] is None for e in events)  # the override is gone
    assert {e["entityId"] for e in events} == {_gid("CalendarOverride", int(set_id))}
    assert events[1]["before"]["decree"] == "No 1" and events[1]["before"]["working"] is False

    new_user = await make_caller(client, Role.INSPECTOR)
    user_q = {"entity": _gid("User", new_user.user_id)}
    [for_admin] = _nodes(await admin.gql(TRAIL, user_q))
    assert for_admin["entity"] == {"__typename": "User", "id": _gid("User", new_user.user_id)}
    assert for_admin["actor"] is None and for_admin["actorLabel"] == "system"
    # Officers read their colleagues too: the same event links to the same user for them.
    [for_officer] = _nodes(await officer.gql(TRAIL, user_q))
    assert for_officer["entity"] == for_admin["entity"] and for_officer["entityId"] == for_admin["entityId"]
    assert for_officer["after"] == for_admin["after"]


async def test_token_hashes_never_reach_the_trail_or_the_outbox(client, admin):
    target = await make_caller(client, Role.OFFICER)
    q = "mutation($i: IssueTokenInput!) { issueToken(input: $i) { token { id } secret " + ERRORS + " } }"
    issued = (await admin.gql(q, {"i": {"userId": _gid("User", target.user_id), "label": "phone"}}))["data"]["issueToken"]
    token = await ApiToken.get(id=int(_pk(issued["token"]["id"])))
    event = await AuditEvent.get(action="token.issued", entity_id=str(token.id))
    assert event.actor_id == admin.user_id and "token_hash" not in event.after and event.after["label"] == "phone"
    assert all(token.token_hash not in str(o.payload) for o in await OutboxEvent.all())
    [shown] = _nodes(await admin.gql(TRAIL, {"entity": issued["token"]["id"]}))
    assert shown["after"]["userId"] == _gid("User", target.user_id) and "tokenHash" not in shown["after"]


async def test_chain_verifies_then_an_edited_row_is_named(admin):
    for _ in range(4):
        await make_miner()
    ok = (await admin.gql(VERIFY))["data"]["verifyAuditChain"]
    assert ok == {"ok": True, "checked": await AuditEvent.all().count(), "problem": None, "firstBroken": None}

    target = (await AuditEvent.filter(action="miner.created").order_by("id"))[2]
    forged = dict(target.after, name="Подделка")
    await AuditEvent.filter(id=target.id).update(after=forged)
    broken = (await admin.gql(VERIFY))["data"]["verifyAuditChain"]
    assert broken["ok"] is False and broken["problem"] == "HASH_MISMATCH"
    assert broken["firstBroken"] == {"id": _gid("AuditEvent", target.id), "action": "MINER_CREATED"}
    assert broken["checked"] == await AuditEvent.filter(id__lt=target.id).count()


async def test_deleted_row_is_detected_at_its_successor(admin):
    for _ in range(3):
        await make_miner()
    events = await AuditEvent.all().order_by("id")
    await AuditEvent.filter(id=events[1].id).delete()
    broken = (await admin.gql(VERIFY))["data"]["verifyAuditChain"]
    assert broken["problem"] == "PREV_HASH_MISMATCH"
    assert broken["firstBroken"]["id"] == _gid("AuditEvent", events[2].id)


async def test_only_admin_verifies_and_officers_read_the_trail(client, officer, admin):
    await make_miner()
    assert errors_of(await officer.gql(VERIFY)) == ["FORBIDDEN"]
    trail = await officer.gql('{ auditEvents(entityType: MINER) { totalCount edges { node { action actorLabel } } } }')
    assert trail["data"]["auditEvents"]["totalCount"] == 1
    assert trail["data"]["auditEvents"]["edges"][0]["node"]["action"] == "MINER_CREATED"
    for role in (Role.INSPECTOR, Role.PARTNER):
        caller = await make_caller(client, role)
        assert errors_of(await caller.gql("{ auditEvents { totalCount } }")) == ["FORBIDDEN"]
        assert errors_of(await caller.gql(VERIFY)) == ["FORBIDDEN"]
    miner = await make_miner()
    applicant = await make_caller(client, Role.APPLICANT, miner=miner)
    assert errors_of(await applicant.gql("{ auditEvents { totalCount } }")) == ["FORBIDDEN"]
    # An event is a Node: officers and admins fetch it by id, others get null.
    event_id = _gid("AuditEvent", (await AuditEvent.filter(action="miner.created").order_by("id").first()).id)
    by_id = "query($id: ID!) { node(id: $id) { ... on AuditEvent { action } } }"
    assert (await officer.gql(by_id, {"id": event_id}))["data"]["node"] == {"action": "MINER_CREATED"}
    assert (await applicant.gql(by_id, {"id": event_id}))["data"]["node"] is None


async def test_a_page_of_events_costs_the_same_statements_at_10_and_100(admin):
    actor = await _actor_of(admin)
    miner = await make_miner()
    for i in range(105):
        await parties.create_data_center(actor, parties.CreateDataCenter(
            miner_id=miner.id, name=f"DC {i}", address="Ekibastuz", region="PAVLODAR",
            outside_residential_zone=True, power_source="OFF_GRID",
        ))
    await admin.gql("{ __typename }")  # the token's last-use time is written once, not per request
    with count_statements() as small:
        few = await admin.gql(TRAIL, {"action": "DATA_CENTER_CREATED", "n": 10})
    with count_statements() as large:
        many = await admin.gql(TRAIL, {"action": "DATA_CENTER_CREATED", "n": 100})
    nodes = _nodes(many)
    assert len(_nodes(few)) == 10 and len(nodes) == 100
    assert many["data"]["auditEvents"]["totalCount"] == 105
    assert all(n["actor"]["id"] == _gid("User", admin.user_id) for n in nodes)
    assert all(n["entity"]["__typename"] == "DataCenter" and n["after"]["minerId"] == _gid("Miner", miner.id)
               for n in nodes)
    assert len(small) == len(large), "\n".join(s[:90] for s in [*small, "---", *large])


async def test_create_user_is_audited_with_its_organisation_as_a_global_id(admin):
    miner = await make_miner()
    q = ("mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } " + ERRORS + " } }")
    created = await admin.gql(q, {"i": {"login": "acc-" + new_bin(), "fullName": "Бухгалтер", "role": "APPLICANT",
                                        "minerId": _gid("Miner", miner.id)}})
    user_id = created["data"]["createUser"]["user"]["id"]
    [event] = _nodes(await admin.gql(TRAIL, {"entity": user_id}))
    assert event["action"] == "USER_CREATED" and event["after"]["minerId"] == _gid("Miner", miner.id)
    assert event["after"]["poolId"] is None and event["after"]["role"] == "APPLICANT"
