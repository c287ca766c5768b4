"""Licences as objects and their life (001 §18-1) through GraphQL: lookups by organisation,
suspension within 1..6 months, resumption, revocation (final, cascades to the appendices)."""

import itertools
from datetime import UTC, date, datetime

import pytest

from models.applications import Application
from models.audit import AuditEvent
from models.licensing import License, LicenseAppendix, LicenseStatusEvent
from models.outbox import OutboxEvent
from rules.enums import Channel, LicenseStatus, Role
from rules.workflow import LicenseSubtype, ProcedureCode, Stage
from schema.ids import to_global_id
from tests.factories import errors_of, make_caller, make_data_center, make_miner

_numbers = itertools.count(1)


async def make_license(miner, *, subtype=LicenseSubtype.I, appendices=2, issued_on=date(2025, 1, 10)) -> License:
    """What the lead's issuing code creates: an approved LICENSE_ISSUE application, a licence
    and its appendices (one per data center)."""
    app = await Application.create(
        procedure=ProcedureCode.LICENSE_ISSUE,
        stage=Stage.APPROVED,
        channel=Channel.PORTAL,
        miner_id=miner.id,
        received_at=datetime(2024, 12, 20, 5, tzinfo=UTC),
        registered_on=date(2024, 12, 20),
        decided_at=datetime(2025, 1, 10, 6, tzinfo=UTC),
    )
    n = next(_numbers)
    lic = await License.create(
        number=f"KZ-DM-TEST-{n:04d}",
        holder_id=miner.id,
        subtype=subtype,
        first_issued_on=issued_on,
        issued_on=issued_on,
        valid_until=date(issued_on.year + 3, issued_on.month, issued_on.day - 1),
        place_of_issue="г. Астана",
        application_id=app.id,
    )
    for i in range(1, appendices + 1):
        dc = await make_data_center(miner)
        await LicenseAppendix.create(
            license_id=lic.id,
            number=f"{lic.number}/{i}",
            subtype=subtype,
            data_center_id=dc.id,
            issued_on=issued_on,
            valid_until=lic.valid_until,
        )
    return lic


LICENSE_FIELDS = """
  id number subtype status firstIssuedOn issuedOn validUntil placeOfIssue specialConditions
  holder { id name }
  appendices { id number subtype status appendixStatus dataCenter { name } issuedOn validUntil
               statusHistory { action ground } }
  statusHistory { action ground effectiveOn until actorLabel appendixNumber }
  replaces { number }
"""

LICENSE = "query($n: String!) { license(number: $n) { _FIELDS_ } }".replace("_FIELDS_", LICENSE_FIELDS)
LICENSES = """
query($holder: ID, $status: LicenseStatus, $subtype: LicenseSubtype) {
  licenses(holderId: $holder, status: $status, subtype: $subtype) { totalCount edges { node { number status } } }
}"""
SUSPEND = """
mutation($input: SuspendLicenseInput!) {
  suspendLicense(input: $input) { license { number status } appendix { number status appendixStatus }
                                  event { action ground effectiveOn until } }
}"""
RESUME = """
mutation($input: LicenseStatusInput!) {
  resumeLicense(input: $input) { license { number status } appendix { number status appendixStatus } }
}"""
REVOKE = """
mutation($input: LicenseStatusInput!) {
  revokeLicense(input: $input) { license { number status appendices { status appendixStatus } } }
}"""


def lid(lic) -> str:
    return to_global_id("License", lic.id)


def aid(appendix) -> str:
    return to_global_id("LicenseAppendix", appendix.id)


def suspension(target_id, until, effective="2025-05-10", ground="Ст. 9 Закона о цифровых активах"):
    return {"input": {"id": target_id, "ground": ground, "effectiveOn": effective, "until": until}}


async def _state(lic):
    """Everything a failed mutation must leave untouched."""
    appendix_statuses = [a.status for a in await LicenseAppendix.filter(license_id=lic.id).order_by("id")]
    return (
        (await License.get(id=lic.id)).status,
        appendix_statuses,
        await LicenseStatusEvent.all().count(),
        await AuditEvent.all().count(),
        await OutboxEvent.all().count(),
    )


@pytest.fixture
async def holder(client):
    miner = await make_miner()
    lic = await make_license(miner)
    return miner, lic


async def test_officer_reads_a_licence_by_number(officer, holder):
    miner, lic = holder
    result = await officer.gql(LICENSE, {"n": lic.number})
    assert "errors" not in result, result
    data = result["data"]["license"]
    assert data["id"] == lid(lic) and data["status"] == "ACTIVE" and data["subtype"] == "I"
    assert data["holder"] == {"id": to_global_id("Miner", miner.id), "name": miner.name}
    assert [a["number"] for a in data["appendices"]] == [f"{lic.number}/1", f"{lic.number}/2"]
    assert data["firstIssuedOn"] == "2025-01-10" and data["validUntil"] == "2028-01-09"
    assert data["statusHistory"] == [] and data["replaces"] is None
    node = await officer.gql(
        "query($id: ID!) { node(id: $id) { ... on LicenseAppendix { number license { number } } } }",
        {"id": data["appendices"][0]["id"]},
    )
    assert node["data"]["node"] == {"number": f"{lic.number}/1", "license": {"number": lic.number}}


async def test_licences_filter_by_holder_status_and_subtype(officer, holder):
    miner, lic = holder
    other = await make_license(await make_miner(), subtype=LicenseSubtype.II, appendices=1)
    everything = await officer.gql(LICENSES)
    assert everything["data"]["licenses"]["totalCount"] == 2
    mine = await officer.gql(LICENSES, {"holder": to_global_id("Miner", miner.id)})
    assert [e["node"]["number"] for e in mine["data"]["licenses"]["edges"]] == [lic.number]
    ii = await officer.gql(LICENSES, {"subtype": "II"})
    assert [e["node"]["number"] for e in ii["data"]["licenses"]["edges"]] == [other.number]
    assert (await officer.gql(LICENSES, {"status": "SUSPENDED"}))["data"]["licenses"]["totalCount"] == 0


async def test_applicant_sees_only_its_own_licences(client, holder):
    miner, lic = holder
    other_lic = await make_license(await make_miner())
    applicant = await make_caller(client, Role.APPLICANT, miner=miner)
    listed = await applicant.gql(LICENSES)
    assert [e["node"]["number"] for e in listed["data"]["licenses"]["edges"]] == [lic.number]
    assert errors_of(await applicant.gql(LICENSE, {"n": other_lic.number})) == ["NOT_FOUND"]
    own = await applicant.gql(LICENSE, {"n": lic.number})
    assert own["data"]["license"]["number"] == lic.number
    other_appendix = await LicenseAppendix.filter(license_id=other_lic.id).first()
    node_query = "query($id: ID!) { node(id: $id) { ... on LicenseAppendix { number } ... on License { number } } }"
    assert errors_of(await applicant.gql(node_query, {"id": aid(other_appendix)})) == ["NOT_FOUND"]
    assert errors_of(await applicant.gql(node_query, {"id": lid(other_lic)})) == ["NOT_FOUND"]
    own_appendix = await LicenseAppendix.filter(license_id=lic.id).first()
    assert (await applicant.gql(node_query, {"id": aid(own_appendix)}))["data"]["node"]["number"] == own_appendix.number


async def test_applicant_cannot_suspend_even_its_own_licence(client, holder):
    miner, lic = holder
    applicant = await make_caller(client, Role.APPLICANT, miner=miner)
    before = await _state(lic)
    assert errors_of(await applicant.gql(SUSPEND, suspension(lid(lic), "2025-07-10"))) == ["FORBIDDEN"]
    assert await _state(lic) == before


async def test_officer_gets_not_found_for_a_missing_licence(officer):
    assert errors_of(await officer.gql(SUSPEND, suspension(to_global_id("License", 999), "2025-07-10"))) == ["NOT_FOUND"]
    assert errors_of(await officer.gql(SUSPEND, suspension(to_global_id("Miner", 1), "2025-07-10"))) == ["INVALID_ID"]


@pytest.mark.parametrize(
    ("until", "why"),
    [("2025-05-10", "0 months"), ("2025-06-09", "a day short of 1 month"), ("2025-12-10", "7 months"),
     ("2025-11-11", "6 months and a day")],
)
async def test_suspension_outside_one_to_six_months_is_rejected_and_nothing_changes(officer, holder, until, why):
    _, lic = holder
    before = await _state(lic)
    result = await officer.gql(SUSPEND, suspension(lid(lic), until))
    assert errors_of(result) == ["SUSPENSION_TERM"], why
    assert result["errors"][0]["extensions"]["field"] == "until"
    assert await _state(lic) == before


@pytest.mark.parametrize("until", ["2025-06-10", "2025-11-10"])  # exactly 1 and exactly 6 months
async def test_suspension_of_one_and_six_months_is_accepted(officer, holder, until):
    _, lic = holder
    result = await officer.gql(SUSPEND, suspension(lid(lic), until))
    assert "errors" not in result, result
    payload = result["data"]["suspendLicense"]
    assert payload["license"]["status"] == "SUSPENDED" and payload["appendix"] is None
    assert payload["event"] == {
        "action": "SUSPEND", "ground": "Ст. 9 Закона о цифровых активах", "effectiveOn": "2025-05-10", "until": until,
    }
    event = await OutboxEvent.get(topic="license.suspended")
    assert event.payload["license"] == lic.number and event.payload["until"] == until
    audit = await AuditEvent.filter(action="license.suspended").values_list("entity_type", flat=True)
    assert audit == ["License"]


async def test_suspended_licence_carries_its_appendices_and_resumes(officer, holder):
    _, lic = holder
    assert "errors" not in await officer.gql(SUSPEND, suspension(lid(lic), "2025-08-10"))
    data = (await officer.gql(LICENSE, {"n": lic.number}))["data"]["license"]
    assert [(a["status"], a["appendixStatus"]) for a in data["appendices"]] == [("SUSPENDED", "ACTIVE")] * 2
    resumed = await officer.gql(RESUME, {"input": {"id": lid(lic), "ground": "Нарушения устранены", "effectiveOn": "2025-06-20"}})
    assert resumed["data"]["resumeLicense"]["license"]["status"] == "ACTIVE"
    history = (await officer.gql(LICENSE, {"n": lic.number}))["data"]["license"]["statusHistory"]
    assert [h["action"] for h in history] == ["SUSPEND", "RESUME"]
    assert (await OutboxEvent.filter(topic="license.resumed").count()) == 1


async def test_one_appendix_can_be_suspended_alone(officer, holder):
    _, lic = holder
    first, second = await LicenseAppendix.filter(license_id=lic.id).order_by("id")
    result = await officer.gql(SUSPEND, suspension(aid(first), "2025-07-10"))
    assert "errors" not in result, result
    payload = result["data"]["suspendLicense"]
    assert payload["license"]["status"] == "ACTIVE"
    assert payload["appendix"] == {"number": first.number, "status": "SUSPENDED", "appendixStatus": "SUSPENDED"}
    assert (await LicenseAppendix.get(id=second.id)).status is LicenseStatus.ACTIVE
    data = (await officer.gql(LICENSE, {"n": lic.number}))["data"]["license"]
    assert data["statusHistory"][0]["appendixNumber"] == first.number
    assert [len(a["statusHistory"]) for a in data["appendices"]] == [1, 0]
    # Resuming an active appendix is not a thing.
    before = await _state(lic)
    again = await officer.gql(RESUME, {"input": {"id": aid(second), "ground": "—"}})
    assert errors_of(again) == ["ILLEGAL_TRANSITION"]
    assert await _state(lic) == before


async def test_revoking_a_licence_revokes_its_appendices_and_is_final(officer, holder):
    _, lic = holder
    first, _ = await LicenseAppendix.filter(license_id=lic.id).order_by("id")
    assert "errors" not in await officer.gql(SUSPEND, suspension(aid(first), "2025-07-10"))
    result = await officer.gql(REVOKE, {"input": {"id": lid(lic), "ground": "Решение суда", "effectiveOn": "2025-06-01"}})
    assert "errors" not in result, result
    data = result["data"]["revokeLicense"]["license"]
    assert data["status"] == "REVOKED"
    assert data["appendices"] == [{"status": "REVOKED", "appendixStatus": "REVOKED"}] * 2
    assert set(await LicenseAppendix.filter(license_id=lic.id).values_list("status", flat=True)) == {LicenseStatus.REVOKED}
    assert sorted(await AuditEvent.filter(action="license.revoked").values_list("entity_type", flat=True)) == [
        "License", "LicenseAppendix", "LicenseAppendix",
    ]
    assert (await OutboxEvent.get(topic="license.revoked")).payload["status"] == "REVOKED"

    before = await _state(lic)
    resume = await officer.gql(RESUME, {"input": {"id": lid(lic), "ground": "Ошибка"}})
    assert errors_of(resume) == ["LICENSE_REVOKED"]
    suspend = await officer.gql(SUSPEND, suspension(lid(lic), "2025-08-10", effective="2025-06-10"))
    assert errors_of(suspend) == ["LICENSE_REVOKED"]
    appendix = await officer.gql(RESUME, {"input": {"id": aid(first), "ground": "Ошибка"}})
    assert errors_of(appendix) == ["LICENSE_REVOKED"]
    assert await _state(lic) == before


@pytest.mark.parametrize(
    ("patch", "field"),
    [({"ground": "   "}, "ground"), ({"effectiveOn": "2024-12-31"}, "effectiveOn")],
)
async def test_bad_input_is_rejected_and_nothing_changes(officer, holder, patch, field):
    _, lic = holder
    before = await _state(lic)
    variables = suspension(lid(lic), "2025-03-31")
    variables["input"].update(patch)
    result = await officer.gql(SUSPEND, variables)
    assert errors_of(result) == ["VALIDATION"]
    assert result["errors"][0]["extensions"]["field"] == field
    assert await _state(lic) == before


async def test_error_messages_are_localised(client, officer, holder):
    _, lic = holder
    await officer.gql(REVOKE, {"input": {"id": lid(lic), "ground": "Решение суда", "effectiveOn": "2025-06-01"}})
    for language, word in (("kk", "айырылған"), ("ru", "отозвана"), ("en", "revoked")):
        officer.language = language
        result = await officer.gql(RESUME, {"input": {"id": lid(lic), "ground": "Ошибка"}})
        assert word in result["errors"][0]["message"], result
