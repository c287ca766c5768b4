"""Every mutation leaves a hash-chained audit event; tampering is detected."""

from models.audit import AuditEvent
from models.outbox import OutboxEvent
from schema.ids import to_global_id
from tests.factories import errors_of, make_miner

VERIFY = "{ verifyAuditChain { ok checked firstBrokenId reason } }"


async def test_mutation_appends_event_with_actor_before_after(officer):
    miner = await make_miner(phone="+7 700 000 00 01")
    await officer.gql(
        "mutation($i: UpdateMinerInput!) { updateMiner(input: $i) { miner { phone } } }",
        {"i": {"id": to_global_id("Miner", miner.id), "phone": "+7 700 000 00 02"}},
    )
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
        "mutation($i: UpdateMinerInput!) { updateMiner(input: $i) { miner { phone } } }",
        {"i": {"id": to_global_id("Miner", miner.id), "email": "broken"}},
    )
    assert errors_of(result) == ["VALIDATION"]
    assert (await AuditEvent.all().count(), await OutboxEvent.all().count()) == after_setup


async def test_chain_verifies_then_an_edited_row_is_named(admin):
    for _ in range(4):
        await make_miner()
    ok = (await admin.gql(VERIFY))["data"]["verifyAuditChain"]
    assert ok["ok"] is True and ok["checked"] == await AuditEvent.all().count()

    target = (await AuditEvent.filter(action="miner.created").order_by("id"))[2]
    forged = dict(target.after, name="Подделка")
    await AuditEvent.filter(id=target.id).update(after=forged)
    broken = (await admin.gql(VERIFY))["data"]["verifyAuditChain"]
    assert broken["ok"] is False
    assert broken["firstBrokenId"] == to_global_id("AuditEvent", target.id)
    assert "hash" in broken["reason"]


async def test_deleted_row_is_detected_at_its_successor(admin):
    for _ in range(3):
        await make_miner()
    events = await AuditEvent.all().order_by("id")
    await AuditEvent.filter(id=events[1].id).delete()
    broken = (await admin.gql(VERIFY))["data"]["verifyAuditChain"]
    assert broken["firstBrokenId"] == to_global_id("AuditEvent", events[2].id)


async def test_only_admin_verifies_and_officers_read_the_trail(officer, admin):
    await make_miner()
    assert errors_of(await officer.gql(VERIFY)) == ["FORBIDDEN"]
    trail = await officer.gql('{ auditEvents(entityType: "Miner") { totalCount edges { node { action actorLabel } } } }')
    assert trail["data"]["auditEvents"]["totalCount"] == 1
    assert trail["data"]["auditEvents"]["edges"][0]["node"]["action"] == "miner.created"
