"""Re-issue of a licence or of one appendix (001 §12-15, App.3 item 9(2), App.9, App.10), through
GraphQL: the applicant's confirmations, the documents of the change, the appendix alone."""

from datetime import date

import pytest

from models.applications import Application
from models.licensing import License, LicenseAppendix
from rules.enums import LicenseStatus, Role
from tests.api.licensing_flow import (
    ALL_CONFIRMED,
    REISSUE,
    filed,
    gid,
    license_input,
    ok,
    pay,
    payload_of,
    step,
)
from tests.factories import error_paths, errors_of, make_caller, make_data_center, make_miner

RECEIVED = "2025-03-19T10:00:00+05:00"
LICENSE_VIEW = """number status appendices { number appendixStatus electricityPurchase dataCenterAddress }"""


@pytest.fixture
async def licensed(client, officer):
    """A subtype-I licence with two appendices (two data centers), and the holder's caller."""
    miner = await make_miner()
    dcs = [await make_data_center(miner, address="Экибастуз, уч. 4"), await make_data_center(miner, address="Экибастуз, уч. 9")]
    app = await filed(officer, license_input(miner, dcs, received_at=RECEIVED))
    assert ok(await pay(officer, app["id"]))
    assert ok(await step(officer, "acceptApplication", app["id"]))
    assert ok(await step(officer, "approveApplication", app["id"], placeOfIssue="г. Астана"))
    lic = await License.get(holder_id=miner.id)
    applicant = await make_caller(client, Role.APPLICANT, miner=miner)
    return miner, lic, applicant


async def _reissue(caller, lic: License, **fields) -> dict:
    result = await caller.gql(REISSUE, {"i": {"licenseId": gid("License", lic.id), **fields}})
    return result


def _filed(result: dict) -> dict:
    payload = payload_of(result, "applyForLicenseReissue")
    assert payload["errors"] == [], result
    return payload["application"]


async def _problems(officer, app_id: str) -> list[tuple[str, str]]:
    found = payload_of(await step(officer, "acceptApplication", app_id), "acceptApplication")["errors"]
    return sorted((p["code"], ".".join(p["path"])) for e in found for p in e.get("problems", []))


async def _license_view(caller, lic_id: int) -> dict:
    result = await caller.gql(f"query($id: ID!) {{ node(id: $id) {{ ... on License {{ {LICENSE_VIEW} }} }} }}",
                              {"id": gid("License", lic_id)})
    return result["data"]["node"]


async def test_001_app9_confirmations_are_given_not_assumed(officer, licensed):
    """App.9 / App.10 end with the same four confirmations as App.1: given by the applicant, and
    one not given is a gap of the package, as for issuance (001 §14)."""
    miner, lic, applicant = licensed
    none_given = _filed(await _reissue(applicant, lic, grounds=["LAW_REQUIREMENT"]))
    assert await _problems(officer, none_given["id"]) == sorted(
        ("MISSING_CONFIRMATION", f"confirmations.{name}")
        for name in ("officialContacts", "noCourtBan", "documentsTrue", "personalDataConsent")
    )
    await step(officer, "withdrawApplication", none_given["id"])
    no_consent = _filed(await _reissue(applicant, lic, grounds=["LAW_REQUIREMENT"],
                                       confirmations={**ALL_CONFIRMED, "personalDataConsent": False}))
    # The same rule and message as an issue application without that consent.
    issue = await filed(officer, license_input(miner, [await make_data_center(miner)], received_at=RECEIVED,
                                               confirmations={**ALL_CONFIRMED, "personalDataConsent": False}))
    expected = [("MISSING_CONFIRMATION", "confirmations.personalDataConsent")]
    assert await _problems(officer, no_consent["id"]) == expected
    assert [p for p in await _problems(officer, issue["id"]) if p[0] == "MISSING_CONFIRMATION"] == expected
    details = await officer.gql("query($id: ID!) { application(id: $id) { licenseDetails { confirmations { "
                                "personalDataConsent documentsTrue } } } }", {"id": no_consent["id"]})
    confirmations = details["data"]["application"]["licenseDetails"]["confirmations"]
    assert confirmations == {"personalDataConsent": False, "documentsTrue": True}


@pytest.mark.parametrize(
    ("dc_overrides", "documents", "missing"),
    [
        # a new data center on the grid: App.11 items 1.1 and 1.5
        ({}, [], ["DC_OWNERSHIP", "GRID_TECH_CONDITIONS"]),
        ({}, ["DC_OWNERSHIP"], ["GRID_TECH_CONDITIONS"]),
        ({}, ["DC_OWNERSHIP", "GRID_TECH_CONDITIONS"], []),
        # off-grid power: no grid conditions (App.11 note to item 1.5)
        ({"power_source": "OFF_GRID"}, [], ["DC_OWNERSHIP"]),
        # connected before 2023-04-01: building conditions instead (item 1.5 para 2)
        ({"connected_on": "2022-05-01"}, ["DC_OWNERSHIP", "BUILDING_TECH_CONDITIONS"], []),
    ],
)
async def test_001_app3_item9_2_a_new_data_center_needs_its_documents(officer, licensed, dc_overrides, documents, missing):
    miner, lic, applicant = licensed
    new_dc = await make_data_center(miner, address="Павлодар, уч. 1", **dc_overrides)
    appendix = await LicenseAppendix.filter(license_id=lic.id).order_by("id").first()
    app = _filed(await _reissue(
        applicant, lic, grounds=["DC_LOCATION_CHANGE"], scope="APPENDIX", appendixId=gid("LicenseAppendix", appendix.id),
        dataCenterId=gid("DataCenter", new_dc.id), confirmations=ALL_CONFIRMED,
        documents=[{"kind": kind, "title": kind} for kind in documents],
    ))
    assert await _problems(officer, app["id"]) == sorted(("MISSING_DOCUMENT", f"documents.{k}") for k in missing)


async def test_001_app9_ground5_a_new_electricity_source_needs_its_proof(officer, licensed):
    _, lic, applicant = licensed
    appendix = await LicenseAppendix.filter(license_id=lic.id).order_by("id").first()
    target = {"grounds": ["ELECTRICITY_SOURCE_CHANGE"], "scope": "APPENDIX", "confirmations": ALL_CONFIRMED,
              "appendixId": gid("LicenseAppendix", appendix.id), "electricityPurchase": "OFF_GRID_GENERATOR"}
    without = _filed(await _reissue(applicant, lic, **target))
    assert await _problems(officer, without["id"]) == [("MISSING_DOCUMENT", "documents.ELECTRICITY_SOURCE_PROOF")]
    await step(officer, "withdrawApplication", without["id"])
    proof = [{"kind": "ELECTRICITY_SOURCE_PROOF", "title": "Договор с ТОО «Энергия»"}]
    with_proof = _filed(await _reissue(applicant, lic, **target, documents=proof))
    assert ok(await step(officer, "acceptApplication", with_proof["id"]))


async def test_001_app9_reissue_of_one_appendix_for_a_new_data_center_keeps_the_licence(officer, licensed):
    """One appendix alone: the licence keeps its number, the other appendix is as it was, and the
    re-issued appendix carries the new data center (001 App.9 ground 3, App.6)."""
    miner, lic, applicant = licensed
    before = await _license_view(officer, lic.id)
    first, second = await LicenseAppendix.filter(license_id=lic.id).order_by("id")
    new_dc = await make_data_center(miner, address="Павлодар, промзона 7")
    app = _filed(await _reissue(
        applicant, lic, grounds=["DC_LOCATION_CHANGE"], scope="APPENDIX",
        appendixId=gid("LicenseAppendix", first.id), dataCenterId=gid("DataCenter", new_dc.id),
        confirmations=ALL_CONFIRMED,
        documents=[{"kind": "DC_OWNERSHIP", "title": "Договор аренды"}, {"kind": "GRID_TECH_CONDITIONS", "title": "ТУ"}],
    ))
    assert ok(await pay(applicant, app["id"], paid_on=app["registeredOn"]))
    assert ok(await step(officer, "acceptApplication", app["id"]))
    approved = payload_of(await step(officer, "approveApplication", app["id"], placeOfIssue="г. Астана"),
                          "approveApplication")
    assert approved["errors"] == [] and approved["license"]["number"] == lic.number
    after = await _license_view(officer, lic.id)
    assert after["number"] == before["number"] == lic.number and after["status"] == "ACTIVE"
    assert await License.filter(holder_id=miner.id).count() == 1  # no new licence
    old_first, old_second = before["appendices"]
    replaced, kept, new = after["appendices"]
    assert kept == old_second  # the other appendix, untouched
    assert replaced == {**old_first, "appendixStatus": "REPLACED"}
    assert new["dataCenterAddress"] == "Павлодар, промзона 7" and new["appendixStatus"] == "ACTIVE"
    assert new["number"].startswith(f"{lic.number}/") and new["number"] not in (old_first["number"], old_second["number"])
    assert new["electricityPurchase"] == old_first["electricityPurchase"]
    assert (await LicenseAppendix.get(id=second.id)).status is LicenseStatus.ACTIVE


async def test_001_app9_licence_reissue_carries_the_changed_appendix(officer, licensed):
    """Re-issue of the licence itself: a new number, every appendix carried over, the one the
    change concerns with its new electricity method."""
    _, lic, applicant = licensed
    first = await LicenseAppendix.filter(license_id=lic.id).order_by("id").first()
    app = _filed(await _reissue(
        applicant, lic, grounds=["ELECTRICITY_SOURCE_CHANGE"], appendixId=gid("LicenseAppendix", first.id),
        electricityPurchase="OFF_GRID_GENERATOR", confirmations=ALL_CONFIRMED,
        documents=[{"kind": "ELECTRICITY_SOURCE_PROOF", "title": "Договор"}],
    ))
    assert ok(await pay(applicant, app["id"], paid_on=app["registeredOn"]))
    assert ok(await step(officer, "acceptApplication", app["id"]))
    new = payload_of(await step(officer, "approveApplication", app["id"], placeOfIssue="г. Астана"),
                     "approveApplication")["license"]
    assert new["number"] != lic.number
    view = await _license_view(officer, (await License.get(number=new["number"])).id)
    assert [a["electricityPurchase"] for a in view["appendices"]] == ["OFF_GRID_GENERATOR", "SINGLE_BUYER"]


@pytest.mark.parametrize(
    ("fields", "path"),
    [
        # the holder's change is the licence's: not an appendix alone
        ({"grounds": ["REREGISTRATION"], "scope": "APPENDIX", "appendix": True}, ["scope"]),
        ({"grounds": ["LAW_REQUIREMENT"], "scope": "APPENDIX"}, ["appendixId"]),
        # a new data center exactly on its ground, naming the appendix it changes
        ({"grounds": ["DC_LOCATION_CHANGE"], "appendix": True}, ["dataCenterId"]),
        ({"grounds": ["LAW_REQUIREMENT"], "appendix": True, "dc": True}, ["dataCenterId"]),
        ({"grounds": ["DC_LOCATION_CHANGE"], "dc": True}, ["appendixId"]),
        ({"grounds": ["ELECTRICITY_SOURCE_CHANGE"], "appendix": True, "electricityPurchase": "SINGLE_BUYER"},
         ["electricityPurchase"]),  # the appendix's method already
        # a data center the licence already covers is not a new one
        ({"grounds": ["DC_LOCATION_CHANGE"], "appendix": True, "dc": "covered"}, ["dataCenterId"]),
    ],
)
async def test_001_app9_target_of_the_reissue_is_checked(officer, licensed, fields, path):
    miner, lic, applicant = licensed
    first, second = await LicenseAppendix.filter(license_id=lic.id).order_by("id")
    data = {k: v for k, v in fields.items() if k not in ("appendix", "dc")}
    if fields.get("appendix"):
        data["appendixId"] = gid("LicenseAppendix", first.id)
    if fields.get("dc"):
        dc_id = second.data_center_id if fields["dc"] == "covered" else (await make_data_center(miner)).id
        data["dataCenterId"] = gid("DataCenter", dc_id)
    result = await _reissue(applicant, lic, confirmations=ALL_CONFIRMED, **data)
    assert errors_of(result) == ["VALIDATION"] and error_paths(result) == [path]


async def test_001_s13_a_reissue_is_not_received_before_the_licence_was_issued(officer, licensed):
    _, lic, _ = licensed
    # an imported licence issued on Mon 2025-04-14
    await License.filter(id=lic.id).update(issued_on=date(2025, 4, 14))
    await LicenseAppendix.filter(license_id=lic.id).update(issued_on=date(2025, 4, 14))
    early = await _reissue(officer, lic, grounds=["LAW_REQUIREMENT"],
                           receivedAt="2025-04-13T23:59:00+05:00")
    assert errors_of(early) == ["VALIDATION"] and error_paths(early) == [["receivedAt"]]
    same_day = await _reissue(officer, lic, grounds=["LAW_REQUIREMENT"],
                              receivedAt="2025-04-14T00:01:00+05:00")
    assert payload_of(same_day, "applyForLicenseReissue")["errors"] == []


async def test_001_app9_reissue_names_only_the_holders_own_appendix_and_data_center(client, officer, licensed):
    """Applicants see only their own organisation's data: another's licence, appendix or data
    center answers as missing, and nothing is filed."""
    _, lic, applicant = licensed
    other = await make_miner()
    other_dc = await make_data_center(other)
    first = await LicenseAppendix.filter(license_id=lic.id).order_by("id").first()
    foreign_dc = await _reissue(applicant, lic, grounds=["DC_LOCATION_CHANGE"], scope="APPENDIX",
                                appendixId=gid("LicenseAppendix", first.id), dataCenterId=gid("DataCenter", other_dc.id))
    assert errors_of(foreign_dc) == ["NOT_FOUND"] and error_paths(foreign_dc) == [["dataCenterId"]]
    stranger = await make_caller(client, Role.APPLICANT, miner=other)
    not_theirs = await _reissue(stranger, lic, grounds=["LAW_REQUIREMENT"])
    assert errors_of(not_theirs) == ["NOT_FOUND"] and error_paths(not_theirs) == [["licenseId"]]
    # an appendix of another licence is not one of this licence's
    other_app = await filed(officer, license_input(other, [other_dc], received_at=RECEIVED))
    assert ok(await pay(officer, other_app["id"]))
    assert ok(await step(officer, "acceptApplication", other_app["id"]))
    assert ok(await step(officer, "approveApplication", other_app["id"], placeOfIssue="г. Астана"))
    other_appendix = await LicenseAppendix.filter(license__holder_id=other.id).first()
    wrong = await _reissue(applicant, lic, grounds=["LAW_REQUIREMENT"], scope="APPENDIX",
                           appendixId=gid("LicenseAppendix", other_appendix.id))
    assert errors_of(wrong) == ["NOT_FOUND"] and error_paths(wrong) == [["appendixId"]]
    assert await Application.filter(procedure="LICENSE_REISSUE").count() == 0
