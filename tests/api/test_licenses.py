"""Licences as objects and their life (001 §18-1) through GraphQL: the list and the lookup by
number through the caller's visibility, suspension within 1..6 months, resumption, revocation
(final, cascades to the appendices), typed errors, and the read path's statement count."""

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
from tests.factories import (
    ERRORS,
    error_paths,
    errors_of,
    make_caller,
    make_data_center,
    make_miner,
)
from tests.sqlcount import count_statements, count_tasks

_numbers = itertools.count(1)


async def make_license(
    miner, *, subtype=LicenseSubtype.I, appendices=2, issued_on=date(2025, 1, 10), dcs=None, **fields
) -> License:
    """What the issuing code creates: an approved LICENSE_ISSUE application, a licence and its
    appendices (one per data center: the holder's own, or `dcs` given)."""
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
        valid_until=date(issued_on.year + 3, issued_on.month, issued_on.day),
        place_of_issue="г. Астана",
        application_id=app.id,
        **fields,
    )
    for i in range(1, appendices + 1):
        dc = dcs[i - 1] if dcs else await make_data_center(miner)
        await LicenseAppendix.create(
            license_id=lic.id,
            number=f"{lic.number}/{i:03d}",
            subtype=subtype,
            data_center_id=dc.id,
            issued_on=issued_on,
            valid_until=lic.valid_until,
        )
    return lic


APPENDIX_FIELDS = """id number subtype status appendixStatus dataCenter { name } dataCenterAddress issuedOn validUntil
                     statusHistory { action ground } license { number }"""
LICENSE_FIELDS = f"""
  id number subtype status firstIssuedOn issuedOn validUntil placeOfIssue specialConditions createdAt updatedAt
  holder {{ id name }}
  appendices {{ {APPENDIX_FIELDS} }}
  statusHistory {{ action ground effectiveOn until actorLabel at appendix {{ number }} }}
  replaces {{ number }} replacedBy {{ number }}
  application {{ id stage }}
"""

LICENSE = "query($n: String!) { license(number: $n) { _FIELDS_ } }".replace("_FIELDS_", LICENSE_FIELDS)
LICENSES = """
query($holder: ID, $status: LicenseStatus, $subtype: LicenseSubtype, $before: Date) {
  licenses(holderId: $holder, status: $status, subtype: $subtype, validUntilBefore: $before) {
    totalCount edges { node { number status } } }
}"""
_RESULT = "license { number status } appendix { number status appendixStatus } event { action ground effectiveOn until appendix { number } }"
SUSPEND = f"""
mutation($input: SuspendLicenseInput!) {{
  suspendLicense(input: $input) {{ {_RESULT} {ERRORS}
    errors {{ ... on SuspensionTermOutOfRange {{ earliest latest }} ... on IllegalLicenseTransition {{ status action }} }} }}
}}"""
RESUME = f"""
mutation($input: ResumeLicenseInput!) {{
  resumeLicense(input: $input) {{ {_RESULT} {ERRORS} errors {{ ... on IllegalLicenseTransition {{ status action }} }} }}
}}"""
REVOKE = f"""
mutation($input: RevokeLicenseInput!) {{
  revokeLicense(input: $input) {{ license {{ number status appendices {{ status appendixStatus }} }}
    appendix {{ number status appendixStatus }} {ERRORS} }}
}}"""


def lid(lic) -> str:
    return str(to_global_id("License", lic.id))


def aid(appendix) -> str:
    return str(to_global_id("LicenseAppendix", appendix.id))


def nodes(connection) -> list:
    return [e["node"] for e in connection["edges"]]


def suspension(target_id, until, effective="2025-05-10", ground="Ст. 9 Закона о цифровых активах"):
    return {"input": {"id": target_id, "ground": ground, "effectiveOn": effective, "until": until}}


async def _state(lic):
    """Everything a refused mutation must leave untouched."""
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


# --- reading ----------------------------------------------------------------------------------


async def test_officer_reads_a_licence_by_number_with_its_graph(officer, holder):
    miner, lic = holder
    result = await officer.gql(LICENSE, {"n": lic.number})
    assert "errors" not in result, result
    data = result["data"]["license"]
    assert data["id"] == lid(lic) and data["status"] == "ACTIVE" and data["subtype"] == "I"
    assert data["holder"] == {"id": str(to_global_id("Miner", miner.id)), "name": miner.name}
    appendices = data["appendices"]
    assert [a["number"] for a in appendices] == [f"{lic.number}/001", f"{lic.number}/002"]
    assert all(a["license"] == {"number": lic.number} for a in appendices)
    assert all(a["dataCenter"]["name"] and a["dataCenterAddress"] for a in appendices)
    # Three years end on the same date of the third year; validUntil is the last valid day.
    assert data["firstIssuedOn"] == "2025-01-10" and data["validUntil"] == "2028-01-10"
    assert data["statusHistory"] == [] and data["replaces"] is None and data["replacedBy"] is None
    assert data["application"]["id"] == str(to_global_id("Application", lic.application_id))
    node = await officer.gql(
        "query($id: ID!) { node(id: $id) { ... on LicenseAppendix { number license { number } } } }",
        {"id": appendices[0]["id"]},
    )
    assert node["data"]["node"] == {"number": f"{lic.number}/001", "license": {"number": lic.number}}


async def test_an_unknown_number_is_null_and_an_over_long_one_a_validation_error(officer, holder):
    result = await officer.gql("query($n: String!) { license(number: $n) { number } }", {"n": "KZ-DM-NOPE"})
    assert result == {"data": {"license": None}}
    too_long = await officer.gql("query($n: String!) { license(number: $n) { number } }", {"n": "K" * 33})
    assert errors_of(too_long) == ["VALIDATION"]
    assert too_long["errors"][0]["extensions"]["path"] == ["number"]


async def test_licences_filter_by_holder_status_subtype_and_expiry(officer, holder):
    miner, lic = holder
    other = await make_license(await make_miner(), subtype=LicenseSubtype.II, appendices=1, issued_on=date(2024, 2, 1))
    everything = await officer.gql(LICENSES)
    assert everything["data"]["licenses"]["totalCount"] == 2
    mine = await officer.gql(LICENSES, {"holder": str(to_global_id("Miner", miner.id))})
    assert [n["number"] for n in nodes(mine["data"]["licenses"])] == [lic.number]
    ii = await officer.gql(LICENSES, {"subtype": "II"})
    assert [n["number"] for n in nodes(ii["data"]["licenses"])] == [other.number]
    assert (await officer.gql(LICENSES, {"status": "SUSPENDED"}))["data"]["licenses"]["totalCount"] == 0
    # validUntilBefore: other is valid through 2027-02-01, lic through 2028-01-10.
    expiring = await officer.gql(LICENSES, {"before": "2027-02-02"})
    assert [n["number"] for n in nodes(expiring["data"]["licenses"])] == [other.number]
    assert (await officer.gql(LICENSES, {"before": "2027-02-01"}))["data"]["licenses"]["totalCount"] == 0
    wrong = await officer.gql(LICENSES, {"holder": lid(lic)})
    assert errors_of(wrong) == ["INVALID_ID"]


@pytest.mark.parametrize(
    ("field", "key"),
    [("VALID_UNTIL", "validUntil"), ("ISSUED_ON", "issuedOn"), ("NUMBER", "number")],
)
async def test_licences_sort_and_page_in_order_both_ways(officer, field, key):
    miner = await make_miner()
    days = [date(2024, 5, 3), date(2023, 1, 9), date(2025, 2, 1), date(2023, 1, 9), date(2024, 11, 30)]
    for day in days:
        await make_license(miner, appendices=0, issued_on=day)
    q = """query($after: String, $field: LicenseOrderField!, $dir: OrderDirection!) {
      licenses(first: 2, after: $after, orderBy: {field: $field, direction: $dir}) {
        edges { node { number issuedOn validUntil } } pageInfo { hasNextPage endCursor } } }"""
    for direction in ("ASC", "DESC"):
        seen, after = [], None
        while True:
            page = (await officer.gql(q, {"after": after, "field": field, "dir": direction}))["data"]["licenses"]
            seen += nodes(page)
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        assert len(seen) == len(days) and len({s["number"] for s in seen}) == len(days)
        values = [s[key] for s in seen]
        assert values == sorted(values, reverse=direction == "DESC")


async def test_applicant_sees_only_its_own_licences(client, holder):
    miner, lic = holder
    other_lic = await make_license(await make_miner())
    applicant = await make_caller(client, Role.APPLICANT, miner=miner)
    listed = await applicant.gql(LICENSES)
    assert [n["number"] for n in nodes(listed["data"]["licenses"])] == [lic.number]
    assert await applicant.gql(LICENSE, {"n": other_lic.number}) == {"data": {"license": None}}
    own = await applicant.gql(LICENSE, {"n": lic.number})
    assert own["data"]["license"]["number"] == lic.number
    assert len(own["data"]["license"]["appendices"]) == 2
    other_appendix = await LicenseAppendix.filter(license_id=other_lic.id).first()
    node_query = "query($id: ID!) { node(id: $id) { ... on LicenseAppendix { number } ... on License { number } } }"
    assert (await applicant.gql(node_query, {"id": aid(other_appendix)}))["data"]["node"] is None
    assert (await applicant.gql(node_query, {"id": lid(other_lic)}))["data"]["node"] is None
    own_appendix = await LicenseAppendix.filter(license_id=lic.id).first()
    assert (await applicant.gql(node_query, {"id": aid(own_appendix)}))["data"]["node"]["number"] == own_appendix.number


async def test_a_hosted_miner_sees_where_its_units_are_but_not_the_hosts_data_center(client):
    host = await make_miner()
    host_dc = await make_data_center(host, address="Экибастуз, промзона 7")
    await make_license(host, dcs=[host_dc], appendices=1)
    guest = await make_miner()
    lic = await make_license(guest, subtype=LicenseSubtype.II, dcs=[host_dc], appendices=1)
    applicant = await make_caller(client, Role.APPLICANT, miner=guest)
    result = await applicant.gql(LICENSE, {"n": lic.number})
    appendix = result["data"]["license"]["appendices"][0]
    assert appendix["dataCenter"] is None  # another miner's record
    assert appendix["dataCenterAddress"] == "Экибастуз, промзона 7"  # printed on App.7
    partner = await make_caller(client, Role.PARTNER)
    seen = (await partner.gql(LICENSE, {"n": lic.number}))["data"]["license"]["appendices"][0]
    assert seen["dataCenter"] == {"name": host_dc.name}  # public registry data for partners
    assert (await partner.gql(LICENSE, {"n": lic.number}))["data"]["license"]["application"] is None


async def test_a_reissued_licence_links_both_ways(officer):
    miner = await make_miner()
    old = await make_license(miner, appendices=1)
    new = await make_license(miner, appendices=1, replaces_id=old.id)
    old.status, old.replaced_by_id = LicenseStatus.REPLACED, new.id
    await old.save()
    data = (await officer.gql(LICENSE, {"n": new.number}))["data"]["license"]
    assert data["replaces"] == {"number": old.number} and data["replacedBy"] is None
    former = (await officer.gql(LICENSE, {"n": old.number}))["data"]["license"]
    assert former["status"] == "REPLACED" and former["replacedBy"] == {"number": new.number}


# --- life of a licence --------------------------------------------------------------------


async def test_applicant_cannot_suspend_even_its_own_licence(client, holder):
    miner, lic = holder
    applicant = await make_caller(client, Role.APPLICANT, miner=miner)
    before = await _state(lic)
    assert errors_of(await applicant.gql(SUSPEND, suspension(lid(lic), "2025-07-10"))) == ["FORBIDDEN"]
    assert await _state(lic) == before


async def test_missing_and_wrong_ids(officer):
    missing = await officer.gql(SUSPEND, suspension(str(to_global_id("License", 999)), "2025-07-10"))
    assert errors_of(missing) == ["NOT_FOUND"] and error_paths(missing) == [["id"]]
    wrong_type = await officer.gql(SUSPEND, suspension(str(to_global_id("Miner", 1)), "2025-07-10"))
    assert errors_of(wrong_type) == ["INVALID_ID"] and error_paths(wrong_type) == [["id"]]


@pytest.mark.parametrize(
    ("until", "why"),
    [("2025-05-10", "0 months"), ("2025-06-09", "a day short of 1 month"), ("2025-12-10", "7 months"),
     ("2025-11-11", "6 months and a day")],
)
async def test_suspension_outside_one_to_six_months_is_a_typed_error_and_nothing_changes(officer, holder, until, why):
    _, lic = holder
    before = await _state(lic)
    result = await officer.gql(SUSPEND, suspension(lid(lic), until))
    assert errors_of(result) == ["SUSPENSION_TERM"], why
    assert error_paths(result) == [["until"]]
    error = result["data"]["suspendLicense"]["errors"][0]
    assert error["__typename"] == "SuspensionTermOutOfRange"
    assert (error["earliest"], error["latest"]) == ("2025-06-10", "2025-11-10")
    assert result["data"]["suspendLicense"]["license"] is None
    assert await _state(lic) == before


@pytest.mark.parametrize("until", ["2025-06-10", "2025-11-10"])  # exactly 1 and exactly 6 months
async def test_suspension_of_one_and_six_months_is_accepted(officer, holder, until):
    _, lic = holder
    result = await officer.gql(SUSPEND, suspension(lid(lic), until))
    assert errors_of(result) == [], result
    payload = result["data"]["suspendLicense"]
    assert payload["license"]["status"] == "SUSPENDED" and payload["appendix"] is None
    assert payload["event"] == {
        "action": "SUSPEND", "ground": "Ст. 9 Закона о цифровых активах", "effectiveOn": "2025-05-10",
        "until": until, "appendix": None,
    }
    event = await OutboxEvent.get(topic="license.suspended")
    assert event.payload["license"] == lic.number and event.payload["until"] == until
    audit = await AuditEvent.filter(action="license.suspended").values_list("entity_type", flat=True)
    assert audit == ["License"]


async def test_suspended_licence_carries_its_appendices_and_resumes(officer, holder):
    _, lic = holder
    assert errors_of(await officer.gql(SUSPEND, suspension(lid(lic), "2025-08-10"))) == []
    data = (await officer.gql(LICENSE, {"n": lic.number}))["data"]["license"]
    assert [(a["status"], a["appendixStatus"]) for a in data["appendices"]] == [("SUSPENDED", "ACTIVE")] * 2
    resumed = await officer.gql(RESUME, {"input": {"id": lid(lic), "ground": "Нарушения устранены", "effectiveOn": "2025-06-20"}})
    assert resumed["data"]["resumeLicense"]["license"]["status"] == "ACTIVE"
    history = (await officer.gql(LICENSE, {"n": lic.number}))["data"]["license"]["statusHistory"]
    assert [h["action"] for h in history] == ["SUSPEND", "RESUME"]
    assert [h["until"] for h in history] == ["2025-08-10", None]
    assert (await OutboxEvent.filter(topic="license.resumed").count()) == 1


async def test_one_appendix_can_be_suspended_alone(officer, holder):
    _, lic = holder
    first, second = await LicenseAppendix.filter(license_id=lic.id).order_by("id")
    result = await officer.gql(SUSPEND, suspension(aid(first), "2025-07-10"))
    assert errors_of(result) == [], result
    payload = result["data"]["suspendLicense"]
    assert payload["license"]["status"] == "ACTIVE"
    assert payload["appendix"] == {"number": first.number, "status": "SUSPENDED", "appendixStatus": "SUSPENDED"}
    assert payload["event"]["appendix"] == {"number": first.number}
    assert (await LicenseAppendix.get(id=second.id)).status is LicenseStatus.ACTIVE
    data = (await officer.gql(LICENSE, {"n": lic.number}))["data"]["license"]
    assert data["statusHistory"][0]["appendix"] == {"number": first.number}
    assert [len(a["statusHistory"]) for a in data["appendices"]] == [1, 0]
    # Resuming an active appendix is not a thing: a typed error with the status and the act.
    before = await _state(lic)
    again = await officer.gql(RESUME, {"input": {"id": aid(second), "ground": "—"}})
    assert errors_of(again) == ["ILLEGAL_TRANSITION"]
    error = again["data"]["resumeLicense"]["errors"][0]
    assert (error["__typename"], error["status"], error["action"]) == ("IllegalLicenseTransition", "ACTIVE", "RESUME")
    assert await _state(lic) == before


async def test_revoking_a_licence_revokes_its_appendices_and_is_final(officer, holder):
    _, lic = holder
    first, _ = await LicenseAppendix.filter(license_id=lic.id).order_by("id")
    assert errors_of(await officer.gql(SUSPEND, suspension(aid(first), "2025-07-10"))) == []
    result = await officer.gql(REVOKE, {"input": {"id": lid(lic), "ground": "Решение суда", "effectiveOn": "2025-06-01"}})
    assert errors_of(result) == [], result
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
    assert resume["data"]["resumeLicense"]["errors"][0]["status"] == "REVOKED"
    suspend = await officer.gql(SUSPEND, suspension(lid(lic), "2025-08-10", effective="2025-06-10"))
    assert errors_of(suspend) == ["LICENSE_REVOKED"]
    appendix = await officer.gql(RESUME, {"input": {"id": aid(first), "ground": "Ошибка"}})
    assert errors_of(appendix) == ["LICENSE_REVOKED"]
    assert await _state(lic) == before


async def test_one_appendix_can_be_revoked_by_its_id(officer, holder):
    _, lic = holder
    first, second = await LicenseAppendix.filter(license_id=lic.id).order_by("id")
    result = await officer.gql(REVOKE, {"input": {"id": aid(first), "ground": "Вывод ЦОД из эксплуатации"}})
    assert errors_of(result) == [], result
    payload = result["data"]["revokeLicense"]
    assert payload["appendix"] == {"number": first.number, "status": "REVOKED", "appendixStatus": "REVOKED"}
    assert payload["license"]["status"] == "ACTIVE"
    assert [n["status"] for n in payload["license"]["appendices"]] == ["REVOKED", "ACTIVE"]
    assert (await LicenseAppendix.get(id=second.id)).status is LicenseStatus.ACTIVE


@pytest.mark.parametrize(
    ("patch", "path"),
    [({"ground": "   "}, ["ground"]), ({"ground": "x" * 2001}, ["ground"]), ({"effectiveOn": "2024-12-31"}, ["effectiveOn"])],
)
async def test_bad_input_is_rejected_with_its_path_and_nothing_changes(officer, holder, patch, path):
    _, lic = holder
    before = await _state(lic)
    variables = suspension(lid(lic), "2025-03-31")
    variables["input"].update(patch)
    result = await officer.gql(SUSPEND, variables)
    assert errors_of(result) == ["VALIDATION"]
    assert error_paths(result) == [path]
    assert await _state(lic) == before


async def test_error_messages_are_localised(officer, holder):
    _, lic = holder
    await officer.gql(REVOKE, {"input": {"id": lid(lic), "ground": "Решение суда", "effectiveOn": "2025-06-01"}})
    # 001 §18-1 "лишение лицензии и (или) приложения": deprivation, not withdrawal
    for language, word in (("kk", "айырылған"), ("ru", "лишён лицензии (приложения)"), ("en", "deprived")):
        officer.language = language
        result = await officer.gql(RESUME, {"input": {"id": lid(lic), "ground": "Ошибка"}})
        assert word in result["data"]["resumeLicense"]["errors"][0]["message"], result


# --- the read path ------------------------------------------------------------------------

PAGE = """query($n: Int) { licenses(first: $n, status: ACTIVE) { totalCount edges { node {
  number status holder { name }
  appendices { number status dataCenter { name } dataCenterAddress
    statusHistory { action appendix { number } } license { number } }
  statusHistory { action appendix { number } } replaces { number } application { stage } } } } }"""


async def test_a_page_of_licences_costs_the_same_statements_at_10_and_100(officer):
    miners = [await make_miner() for _ in range(5)]
    dcs = [await make_data_center(m) for m in miners]
    for i in range(100):
        miner = miners[i % 5]
        old = await make_license(miner, appendices=0, status=LicenseStatus.REPLACED)
        lic = await make_license(miner, appendices=0, replaces_id=old.id)
        for j in range(2):
            appendix = await LicenseAppendix.create(
                license_id=lic.id, number=f"{lic.number}/{j + 1:03d}", subtype=lic.subtype,
                data_center_id=dcs[(i + j) % 5].id, issued_on=lic.issued_on, valid_until=lic.valid_until,
            )
        await LicenseStatusEvent.create(
            license_id=lic.id, appendix_id=appendix.id, action="SUSPEND", ground="g",
            effective_on=date(2025, 2, 1), until=date(2025, 3, 1), actor_label="o",
        )
    await officer.gql("{ __typename }")  # the token's last-use time is written once, not per request
    with count_statements() as small, count_tasks() as small_tasks:
        few = await officer.gql(PAGE, {"n": 10})
    with count_statements() as large, count_tasks() as large_tasks:
        many = await officer.gql(PAGE, {"n": 100})
    assert errors_of(few) == errors_of(many) == []
    edges = many["data"]["licenses"]["edges"]
    assert len(edges) == 100 and many["data"]["licenses"]["totalCount"] == 100
    for edge in edges:
        lic = edge["node"]
        assert lic["holder"]["name"] and lic["replaces"]["number"] and lic["application"]["stage"] == "APPROVED"
        appendices = lic["appendices"]
        assert len(appendices) == 2
        assert all(a["license"]["number"] == lic["number"] and a["dataCenter"]["name"] for a in appendices)
        assert [len(a["statusHistory"]) for a in appendices] == [0, 1]
        assert lic["statusHistory"][0]["appendix"]["number"] == appendices[1]["number"]
    print(f"licenses: {len(small)} statements at page 10, {len(large)} at page 100; "
          f"tasks {len(small_tasks)} and {len(large_tasks)}")
    assert len(small) == len(large), "\n".join(s[:100] for s in [*small, "---", *large])
    # The fields return loaded values at once (the page is primed): no task per row and field.
    assert len(small_tasks) == len(large_tasks), (small_tasks, large_tasks)
