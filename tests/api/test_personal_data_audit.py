"""Issue 10, item 9: reads of personal data in bulk are audited, one event per request (not per row),
about the reader: lists whose selection includes contacts (rules/access.CONTACT_FIELDS) and
exports of the registry."""

from models.audit import AuditEvent
from rules.enums import Role
from schema.ids import to_global_id
from tests.factories import errors_of, make_caller, make_miner

LISTED, EXPORTED = "personal_data.listed", "personal_data.exported"


async def _read(caller, query, variables=None) -> list[AuditEvent]:
    before = await AuditEvent.filter(action__in=[LISTED, EXPORTED]).count()
    result = await caller.gql(query, variables)
    assert errors_of(result) == [], result
    return await AuditEvent.filter(action__in=[LISTED, EXPORTED]).order_by("id").offset(before)


async def test_item9_a_list_with_contacts_is_one_audit_event_whatever_the_number_of_rows(officer):
    for _ in range(3):
        await make_miner(phone="+7 700 000 00 01")
    [event] = await _read(officer, "query Contacts { miners(first: 10) { edges { node { name phone email } } } }")
    assert event.action == LISTED and event.actor_id == officer.user_id
    assert (event.entity_type, event.entity_id) == ("User", str(officer.user_id))
    assert event.after["operation"] == "Contacts" and event.after["fields"] == ["Miner.email", "Miner.phone"]


async def test_item9_contacts_through_a_fragment_in_a_nested_list_are_audited(officer):
    await make_miner(email="a@example.kz")
    query = "{ dataCenters(first: 5) { edges { node { miner { ...C } } } } } fragment C on Miner { email }"
    [event] = await _read(officer, query)
    assert event.after["fields"] == ["Miner.email"]


async def test_item9_a_single_record_or_a_list_without_contacts_is_not_a_bulk_read(officer):
    miner = await make_miner(phone="+7 700 000 00 01")
    assert await _read(officer, "{ miners(first: 10) { edges { node { name binIin } } } }") == []
    single = "query($id: ID!) { node(id: $id) { ... on Miner { phone } } }"
    assert await _read(officer, single, {"id": str(to_global_id("Miner", miner.id))}) == []


async def test_item9_callers_who_get_no_contacts_of_others_are_not_audited(client):
    miner = await make_miner(phone="+7 700 000 00 01")
    partner = await make_caller(client, Role.PARTNER)  # contacts come back null
    applicant = await make_caller(client, Role.APPLICANT, miner=miner)  # its own organisation
    for caller in (partner, applicant):
        assert await _read(caller, "{ miners(first: 10) { edges { node { phone } } } }") == []


async def test_item9_an_export_of_the_registry_is_one_audit_event(client, officer):
    response = await client.get("/exports/asic-units?format=csv&lang=ru&status=IN_REGISTRY",
                                headers={"Authorization": f"Bearer {officer.token}"})
    assert response.status_code == 200
    [event] = await AuditEvent.filter(action=EXPORTED)
    assert event.actor_id == officer.user_id and event.after["format"] == "csv"
    assert event.after["filters"]["status"] == "IN_REGISTRY"
