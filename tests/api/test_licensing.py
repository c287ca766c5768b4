"""Licensing (001) on the application engine, through GraphQL: full paths, terms, fees, bad input."""

from datetime import UTC, date, datetime, time

import pytest
from strawberry import relay

from models.applications import Application, StageEvent
from models.licensing import License, LicenseAppendix
from models.parties import DataCenter
from rules.calendar import ALMATY
from rules.enums import LicenseStatus, Role
from tests.api.licensing_flow import (
    ALL_CONFIRMED,
    REISSUE,
    SUBTYPE_I_DOCS,
    apply,
    filed,
    gid,
    license_input,
    ok,
    pay,
    payload_of,
    step,
)
from tests.factories import error_paths, errors_of, make_caller, make_data_center, make_miner

# Office receipt Wed 2025-03-19 10:00 Almaty: registered that day. Terms (counted by hand):
# completeness 2 WD: Thu 20, [21-25 Nauryz + weekend], Wed 26 -> 2025-03-26 18:30 (13:30 UTC)
# decision 15 WD: 20, 26, 27, 28, 31, Apr 1, 2, 3, 4, 7, 8, 9, 10, 11, 14 -> 2025-04-14
# hearing notice >= 3 WD before the end: day 12 = Wed 2025-04-09.
RECEIVED = "2025-03-19T10:00:00+05:00"


def _pk(global_id: str) -> int:
    return int(relay.GlobalID.from_id(global_id).node_id)


def _appendices(license_view: dict) -> list[dict]:
    return license_view["appendices"]


@pytest.fixture
async def subtype_i(client, officer):
    miner = await make_miner()
    dcs = [await make_data_center(miner, address="Экибастуз, уч. 4"), await make_data_center(miner, address="Экибастуз, уч. 9")]
    applicant = await make_caller(client, Role.APPLICANT, miner=miner)
    return miner, dcs, applicant


async def _issue_subtype_i(officer, miner, dcs, received_at=RECEIVED):
    app = await filed(officer, license_input(miner, dcs, received_at=received_at))
    assert ok(await pay(officer, app["id"]))
    assert ok(await step(officer, "acceptApplication", app["id"]))
    approved = await step(officer, "approveApplication", app["id"], placeOfIssue="г. Астана")
    assert ok(approved), approved
    return app, payload_of(approved, "approveApplication")


async def test_subtype_i_full_path_with_hearing(officer, subtype_i):
    miner, dcs, _ = subtype_i
    app = await filed(officer, license_input(miner, dcs, received_at=RECEIVED))
    assert app["stage"] == "REGISTERED" and app["registeredOn"] == "2025-03-19"
    assert (app["completenessDueAt"], app["completenessDueOn"]) == ("2025-03-26T13:30:00+00:00", "2025-03-26")
    assert (app["decisionDueAt"], app["decisionDueOn"]) == ("2025-04-14T13:30:00+00:00", "2025-04-14")
    assert app["hearingNoticeDueOn"] == "2025-04-09"
    assert app["incomingNumber"].startswith("LIC-2025-")
    assert app["licenseDetails"]["fee"] == {"mrp": "2000.00", "tenge": "7864000.00", "paid": False}

    assert ok(await pay(officer, app["id"]))
    accepted = await step(officer, "acceptApplication", app["id"])
    assert payload_of(accepted, "acceptApplication")["application"]["stage"] == "UNDER_REVIEW"
    pre = await step(officer, "preliminaryRefuse", app["id"], grounds=["QUALIFICATION_NOT_MET"], text="Нет ТУ на второй ЦОД")
    pre_app = payload_of(pre, "preliminaryRefuse")["application"]
    assert pre_app["stage"] == "PRELIMINARY_REFUSAL" and pre_app["preliminaryGrounds"] == [{"code": "QUALIFICATION_NOT_MET"}]
    heard = await step(officer, "scheduleHearing", app["id"], noticeSentOn="2025-04-09", hearingTime="10:30", hearingOn="2025-04-11", place="Астана, каб. 305")
    assert payload_of(heard, "scheduleHearing")["application"]["stage"] == "HEARING_SCHEDULED"
    approved = payload_of(await step(officer, "approveApplication", app["id"], placeOfIssue="г. Астана",
                                     hearingOutcome="HELD"), "approveApplication")
    assert approved["errors"] == []
    assert approved["application"]["stage"] == "APPROVED" and approved["application"]["allowedActions"] == []
    lic = approved["license"]
    assert lic["subtype"] == "I" and lic["status"] == "ACTIVE" and lic["number"].startswith("KZ-DM-")
    assert [a["subtype"] for a in _appendices(lic)] == ["I", "I"]  # one appendix per data center
    stored = await License.get(number=lic["number"])
    assert "уч. 4" in stored.special_conditions and "уч. 9" in stored.special_conditions
    history = await StageEvent.filter(application__incoming_number=app["incomingNumber"]).order_by("id")
    assert [e.to_stage.value for e in history] == [
        "SUBMITTED", "REGISTERED", "UNDER_REVIEW", "PRELIMINARY_REFUSAL", "HEARING_SCHEDULED", "APPROVED",
    ]
    produced = await officer.gql("query($id: ID!) { application(id: $id) { license { number } } }", {"id": app["id"]})
    assert produced["data"]["application"]["license"] == {"number": lic["number"]}


async def test_subtype_ii_full_path_needs_a_licensed_host(client, officer, subtype_i, engine_clock):
    host, host_dcs, _ = subtype_i
    guest = await make_miner(name="ИП Гость")
    guest_applicant = await make_caller(client, Role.APPLICANT, miner=guest)
    # An applicant names only a licensed host (resolvers/scope.py, "references"): an unlicensed
    # data center answers exactly like a missing one [001 App.11 II(1)].
    unlicensed = await apply(guest_applicant, license_input(guest, host_dcs[:1], subtype="II"))
    missing = await apply(guest_applicant, license_input(guest, [DataCenter(id=999_999)], subtype="II"))
    assert errors_of(unlicensed) == ["NOT_FOUND"] and unlicensed == missing

    await _issue_subtype_i(officer, host, host_dcs)
    app = await filed(guest_applicant, license_input(guest, host_dcs[:1], subtype="II"))
    assert app["licenseDetails"]["subtype"] == "II"
    assert ok(await pay(guest_applicant, app["id"], paid_on="2026-01-10"))
    await License.filter(holder_id=host.id).update(status=LicenseStatus.SUSPENDED)  # lapsed since filing
    # An unlicensed host is a qualification finding (001 §3, §8), not a gap in the package.
    assert ok(await step(officer, "acceptApplication", app["id"]))
    findings = "query($id: ID!) { application(id: $id) { qualificationFindings { code path kind } } }"
    seen = (await officer.gql(findings, {"id": app["id"]}))["data"]["application"]["qualificationFindings"]
    assert [(f["code"], f["path"], f["kind"]) for f in seen if f["kind"] == "QUALIFICATION"] == [
        ("HOST_NOT_LICENSED", ["dataCenterIds", "0"], "QUALIFICATION")
    ]
    blocked = await step(officer, "approveApplication", app["id"], placeOfIssue="г. Астана")
    assert errors_of(blocked) == ["QUALIFICATION_NOT_MET"]

    await License.filter(holder_id=host.id).update(status=LicenseStatus.ACTIVE)
    await step(officer, "preliminaryRefuse", app["id"], grounds=["NON_COMPLIANCE"], text="Уточнить договор")
    reg = (await Application.get(id=_pk(app["id"]))).registered_on
    from rules.calendar import default_calendar

    cal = default_calendar()
    notice = cal.add_working_days(reg, 1)
    hearing_on = cal.add_working_days(notice, 2)
    assert ok(await step(officer, "scheduleHearing", app["id"], noticeSentOn=notice.isoformat(),
                         hearingTime="10:30", hearingOn=hearing_on.isoformat(), place="онлайн"))
    engine_clock(datetime.combine(hearing_on, time(15), tzinfo=ALMATY))  # decided on the hearing day
    approved = payload_of(await step(officer, "approveApplication", app["id"], placeOfIssue="г. Астана",
                                     hearingOutcome="HELD"), "approveApplication")
    assert approved["license"]["subtype"] == "II"
    appendix = await LicenseAppendix.get(number=_appendices(approved["license"])[0]["number"])
    assert appendix.data_center_id == host_dcs[0].id and appendix.electricity_purchase is None


async def test_refusal_path_requires_hearing_and_grounds(officer, subtype_i):
    miner, dcs, _ = subtype_i
    app = await filed(officer, license_input(miner, dcs, received_at=RECEIVED))
    await step(officer, "acceptApplication", app["id"])
    too_early = await step(officer, "refuseApplication", app["id"], grounds=["FALSE_DOCUMENTS"], text="Подложный договор")
    assert errors_of(too_early) == ["ILLEGAL_TRANSITION"]  # no motivated refusal without a hearing
    assert payload_of(too_early, "refuseApplication")["errors"][0] | {"message": None} == {
        "__typename": "IllegalTransition", "code": "ILLEGAL_TRANSITION", "message": None, "path": None,
        "stage": "UNDER_REVIEW", "action": "REFUSE",
    }
    await step(officer, "preliminaryRefuse", app["id"], grounds=["FALSE_DOCUMENTS"], text="Подложный договор")
    await step(officer, "scheduleHearing", app["id"], noticeSentOn="2025-04-08", hearingTime="10:30", hearingOn="2025-04-10", place="Астана")
    events_before = await StageEvent.all().count()
    no_ground = await step(officer, "refuseApplication", app["id"], grounds=[], text="Отказ")
    assert errors_of(no_ground) == ["REFUSAL_GROUND_REQUIRED"] and error_paths(no_ground) == [["grounds"]]
    unknown = await step(officer, "refuseApplication", app["id"], grounds=["I_DONT_LIKE_IT"], text="Отказ")
    assert errors_of(unknown) == ["GRAPHQL_VALIDATION"]  # not a RefusalGroundCode at all
    registry_ground = await step(officer, "refuseApplication", app["id"], grounds=["FALSE_DOCUMENTS", "NEGATIVE_APPROVAL"], text="Отказ")
    assert errors_of(registry_ground) == ["INVALID_REFUSAL_GROUND"]  # a ground of the registry's list, not 001's
    assert error_paths(registry_ground) == [["grounds", "1"]]
    no_text = await step(officer, "refuseApplication", app["id"], grounds=["FALSE_DOCUMENTS"], text=" ")
    assert errors_of(no_text) == ["VALIDATION"] and error_paths(no_text) == [["text"]]
    no_outcome = await step(officer, "refuseApplication", app["id"], grounds=["FALSE_DOCUMENTS"], text="Отказ")
    assert errors_of(no_outcome) == ["VALIDATION"] and error_paths(no_outcome) == [["hearingOutcome"]]
    not_heard = await step(officer, "refuseApplication", app["id"], grounds=["FALSE_DOCUMENTS", "NON_COMPLIANCE"],
                           text="Отказ", hearingOutcome="HELD")
    assert errors_of(not_heard) == ["GROUND_NOT_HEARD"] and error_paths(not_heard) == [["grounds", "1"]]
    assert (await Application.get(id=_pk(app["id"]))).stage.value == "HEARING_SCHEDULED"
    assert await StageEvent.all().count() == events_before
    refused = await step(officer, "refuseApplication", app["id"], grounds=["FALSE_DOCUMENTS"], text="Договор аренды подложный",
                         hearingOutcome="OBJECTIONS_RECEIVED")
    out = payload_of(refused, "refuseApplication")["application"]
    assert out["stage"] == "REFUSED"
    assert out["refusalGrounds"] == [{"code": "FALSE_DOCUMENTS", "item": 6, "legalBasis": "001 App.3 item 10(6)"}]
    assert out["refusalKind"] == "SERVICE_REFUSED"
    assert await License.all().count() == 0


@pytest.mark.parametrize(
    ("notice", "hearing", "code", "typename", "data"),
    [
        ("2025-04-10", "2025-04-11", "HEARING_NOTICE_TOO_LATE", "HearingNoticeTooLate", {"lastDay": "2025-04-09"}),
        ("2025-04-09", "2025-04-14", "HEARING_TOO_LATE", "HearingOutOfWindow", {"limit": "2025-04-11"}),
        ("2025-04-09", "2025-04-08", "HEARING_BEFORE_NOTICE", "HearingOutOfWindow", {"limit": "2025-04-09"}),
    ],
)
async def test_hearing_outside_its_window_is_refused_and_nothing_changes(officer, subtype_i, notice, hearing, code, typename, data):
    miner, dcs, _ = subtype_i
    app = await filed(officer, license_input(miner, dcs, received_at=RECEIVED))
    await step(officer, "acceptApplication", app["id"])
    await step(officer, "preliminaryRefuse", app["id"], grounds=["NON_COMPLIANCE"], text="x")
    result = await step(officer, "scheduleHearing", app["id"], noticeSentOn=notice, hearingTime="10:30", hearingOn=hearing, place="Астана")
    assert errors_of(result) == [code]
    error = payload_of(result, "scheduleHearing")["errors"][0]
    assert error["__typename"] == typename and {k: error[k] for k in data} == data
    stored = await Application.get(id=_pk(app["id"]))
    assert stored.stage.value == "PRELIMINARY_REFUSAL" and stored.hearing_on is None


async def test_documents_of_the_other_subtype_are_rejected_and_nothing_written(client, officer, subtype_i):
    miner, dcs, applicant = subtype_i
    docs = [*SUBTYPE_I_DOCS, {"kind": "HOSTING_LETTER_OF_INTENT", "title": "Письмо"}]
    result = await apply(applicant, license_input(miner, dcs, documents=docs))
    assert errors_of(result) == ["DOCUMENT_NOT_FOR_SUBTYPE"]
    assert error_paths(result) == [["documents", "5", "kind"]]
    assert await Application.all().count() == 0


async def test_data_centers_are_checked_with_their_position(client, officer, subtype_i):
    miner, dcs, applicant = subtype_i
    other_dc = await make_data_center(await make_miner())
    foreign = await apply(applicant, license_input(miner, [dcs[0], other_dc]))
    assert errors_of(foreign) == ["NOT_FOUND"] and error_paths(foreign) == [["dataCenterIds", "1"]]
    by_officer = await apply(officer, license_input(miner, [dcs[0], other_dc]))
    assert errors_of(by_officer) == ["VALIDATION"] and error_paths(by_officer) == [["dataCenterIds", "1"]]
    twice = await apply(officer, license_input(miner, [dcs[0], dcs[0]]))
    assert errors_of(twice) == ["VALIDATION"] and error_paths(twice) == [["dataCenterIds", "1"]]
    wrong_type = await apply(officer, {**license_input(miner, dcs), "dataCenterIds": [gid("DataCenter", dcs[0].id), gid("Miner", miner.id)]})
    assert errors_of(wrong_type) == ["INVALID_ID"] and error_paths(wrong_type) == [["dataCenterIds", "1"]]
    assert await Application.all().count() == 0


async def test_applicant_cannot_act_on_another_miners_application(client, officer, subtype_i):
    miner, dcs, applicant = subtype_i
    other = await make_miner()
    other_dc = await make_data_center(other)
    intruder_for_other = await apply(applicant, license_input(other, [other_dc]))
    assert errors_of(intruder_for_other) == ["NOT_FOUND"] and error_paths(intruder_for_other) == [["minerId"]]
    own = await filed(applicant, license_input(miner, dcs))
    stranger = await make_caller(client, Role.APPLICANT, miner=other)
    missing = gid("Application", 99_999)
    for mutation in ("withdrawApplication", "acceptApplication"):
        theirs = await step(stranger, mutation, own["id"])
        nowhere = await step(stranger, mutation, missing)
        assert errors_of(theirs) == errors_of(nowhere) == ["NOT_FOUND"]  # "not yours" answers like "missing"
        assert payload_of(theirs, mutation)["errors"] == payload_of(nowhere, mutation)["errors"]
    assert errors_of(await step(applicant, "acceptApplication", own["id"])) == ["FORBIDDEN"]
    listed = await stranger.gql("{ applications { totalCount } }")
    assert listed["data"]["applications"]["totalCount"] == 0
    withdrawn = await step(applicant, "withdrawApplication", own["id"])
    assert payload_of(withdrawn, "withdrawApplication")["application"]["stage"] == "WITHDRAWN"


async def test_applicant_cannot_backdate_a_portal_application(subtype_i):
    miner, dcs, applicant = subtype_i
    result = await apply(applicant, license_input(miner, dcs, received_at=RECEIVED))
    assert errors_of(result) == ["FORBIDDEN"] and error_paths(result) == [["receivedAt"]]


async def test_approval_needs_the_fee_paid(officer, subtype_i):
    miner, dcs, _ = subtype_i
    app = await filed(officer, license_input(miner, dcs, received_at=RECEIVED))
    await step(officer, "acceptApplication", app["id"])
    result = await step(officer, "approveApplication", app["id"], placeOfIssue="г. Астана")
    assert errors_of(result) == ["FEE_NOT_PAID"]
    assert payload_of(result, "approveApplication")["errors"][0]["__typename"] == "RuleViolation"
    assert await License.all().count() == 0
    assert (await Application.get(id=_pk(app["id"]))).stage.value == "UNDER_REVIEW"


async def test_no_fee_and_no_fee_ground_for_applications_registered_in_2023(officer, subtype_i):
    miner, dcs, _ = subtype_i
    docs = [d for d in SUBTYPE_I_DOCS if d["kind"] != "ASKUE_TELECOM"]  # I(4) applies from 2024 only
    app = await filed(officer, license_input(miner, dcs, received_at="2023-10-02T11:00:00+06:00", documents=docs))
    assert app["licenseDetails"]["fee"] == {"mrp": "0.00", "tenge": "0.00", "paid": False}
    assert ok(await step(officer, "acceptApplication", app["id"]))
    fee_ground = await step(officer, "preliminaryRefuse", app["id"], grounds=["FEE_NOT_PAID"], text="x")
    assert errors_of(fee_ground) == ["INVALID_REFUSAL_GROUND"] and error_paths(fee_ground) == [["grounds", "0"]]
    stored = await Application.get(id=_pk(app["id"]))
    assert stored.stage.value == "UNDER_REVIEW"  # ground 2 did not exist in 2023
    approved = await step(officer, "approveApplication", app["id"], placeOfIssue="г. Астана")
    assert payload_of(approved, "approveApplication")["license"]["status"] == "ACTIVE"


async def test_askue_document_required_from_2024(officer, subtype_i, engine_clock):
    miner, dcs, _ = subtype_i
    engine_clock(datetime(2024, 1, 4, 12, tzinfo=UTC))  # within the completeness term
    docs = [d for d in SUBTYPE_I_DOCS if d["kind"] != "ASKUE_TELECOM"]
    app = await filed(officer, license_input(miner, dcs, received_at="2024-01-03T11:00:00+06:00", documents=docs))
    result = await step(officer, "acceptApplication", app["id"])
    assert errors_of(result) == ["APPLICATION_INCOMPLETE"]
    problems = payload_of(result, "acceptApplication")["errors"][0]["problems"]
    assert [(p["code"], p["path"]) for p in problems] == [("MISSING_DOCUMENT", ["documents", "ASKUE_TELECOM"])]
    refused = await step(officer, "refuseIncomplete", app["id"], text="Нет документа АСКУЭ")
    out = payload_of(refused, "refuseIncomplete")["application"]
    # a paper application accepted in 2024 and refused later: refusal of further review, not
    # the clerk's refusal to accept at the counter; its reasons are the gaps, not App.3 grounds
    assert out["stage"] == "INCOMPLETE_REFUSED" and out["refusalKind"] == "FURTHER_REVIEW_REFUSED"
    assert out["refusalText"] == "Нет документа АСКУЭ" and out["refusalGrounds"] == []
    stored = await Application.get(id=_pk(app["id"]))
    assert stored.further_review_reasons == ["INCOMPLETE_PACKAGE"]
    assert [p["code"] for p in stored.further_review_problems] == ["MISSING_DOCUMENT"]


@pytest.mark.parametrize(
    ("dc_overrides", "docs_change", "problems"),
    [
        ({"substation_kv": "10", "permitted_capacity_mw": "0.8", "connected_on": None}, None,
         [("GRID_BELOW_35KV", ["dataCenterIds", "0"]), ("GRID_BELOW_1MW", ["dataCenterIds", "0"])]),
        ({"substation_kv": "35", "permitted_capacity_mw": "1"}, None, []),
        # connected before 2023-04-01: technical conditions for the building instead
        ({"substation_kv": "10", "permitted_capacity_mw": "0.8", "connected_on": "2022-05-01"},
         ("GRID_TECH_CONDITIONS", "BUILDING_TECH_CONDITIONS"), []),
        # off-grid power: no grid technical conditions at all
        ({"power_source": "OFF_GRID", "substation_kv": None, "permitted_capacity_mw": None},
         ("GRID_TECH_CONDITIONS", None), []),
    ],
)
async def test_grid_rule_and_its_exemptions(officer, dc_overrides, docs_change, problems):
    miner = await make_miner()
    dc = await make_data_center(miner, **dc_overrides)
    docs = [dict(d) for d in SUBTYPE_I_DOCS]
    if docs_change:
        old, new = docs_change
        docs = [d for d in docs if d["kind"] != old] + ([{"kind": new, "title": "ТУ на здание"}] if new else [])
    method = "OFF_GRID_GENERATOR" if dc_overrides.get("power_source") == "OFF_GRID" else "SINGLE_BUYER"
    app = await filed(officer, license_input(miner, [dc], received_at=RECEIVED, documents=docs, electricityPurchase=method))
    # Grid requirements are qualification (001 §8, App.11 I(5)): the package is complete either way,
    # and a requirement not met is a finding, heard before any refusal.
    assert ok(await step(officer, "acceptApplication", app["id"]))
    q = "query($id: ID!) { application(id: $id) { qualificationFindings { code path kind } } }"
    found = (await officer.gql(q, {"id": app["id"]}))["data"]["application"]["qualificationFindings"]
    assert sorted((f["code"], f["path"]) for f in found if f["kind"] == "QUALIFICATION") == sorted(problems)


async def test_reissue_keeps_first_issue_date_and_replaces_the_old_licence(officer, subtype_i):
    miner, dcs, applicant = subtype_i
    _, issued = await _issue_subtype_i(officer, miner, dcs)
    old = await License.get(number=issued["license"]["number"])
    bad = await applicant.gql(REISSUE, {"i": {"licenseId": gid("License", old.id), "grounds": ["REORGANISATION"]}})
    assert errors_of(bad) == ["VALIDATION"] and error_paths(bad) == [["reorganisationForm"]]  # it needs its form
    merged = await applicant.gql(REISSUE, {"i": {"licenseId": gid("License", old.id), "grounds": ["REORGANISATION"],
                                                 "reorganisationForm": "MERGER"}})
    assert payload_of(merged, "applyForLicenseReissue")["application"]["licenseDetails"]["reorganisationForm"] == "MERGER"
    await step(officer, "withdrawApplication", payload_of(merged, "applyForLicenseReissue")["application"]["id"])
    result = await applicant.gql(REISSUE, {"i": {"licenseId": gid("License", old.id), "grounds": ["REREGISTRATION"],
                                                 "confirmations": ALL_CONFIRMED}})
    app = payload_of(result, "applyForLicenseReissue")["application"]
    assert app["licenseDetails"]["fee"]["mrp"] == "200.00"  # 10 % of 2000 MRP
    assert app["licenseDetails"]["reissueGrounds"] == ["REREGISTRATION"]
    assert ok(await pay(applicant, app["id"], paid_on=app["registeredOn"]))
    await step(officer, "acceptApplication", app["id"])
    new = payload_of(await step(officer, "approveApplication", app["id"], placeOfIssue="г. Астана"), "approveApplication")["license"]
    assert new["firstIssuedOn"] == old.first_issued_on.isoformat() and new["number"] != old.number
    assert len(_appendices(new)) == 2
    assert (await License.get(id=old.id)).status is LicenseStatus.REPLACED
    reissue_of = await officer.gql("query($id: ID!) { application(id: $id) { licenseDetails { reissueOf { number } } } }",
                                   {"id": app["id"]})
    assert reissue_of["data"]["application"]["licenseDetails"]["reissueOf"] == {"number": old.number}


async def test_subtype_ii_reissue_grounds_are_limited(client, officer, subtype_i):
    host, host_dcs, _ = subtype_i
    await _issue_subtype_i(officer, host, host_dcs)
    guest = await make_miner()
    app = await filed(officer, license_input(guest, host_dcs[:1], subtype="II", received_at=RECEIVED))
    await pay(officer, app["id"])
    await step(officer, "acceptApplication", app["id"])
    lic = payload_of(await step(officer, "approveApplication", app["id"], placeOfIssue="г. Астана"), "approveApplication")["license"]
    lic_id = gid("License", (await License.get(number=lic["number"])).id)
    result = await officer.gql(REISSUE, {"i": {"licenseId": lic_id, "grounds": ["DC_LOCATION_CHANGE"]}})
    assert errors_of(result) == ["INVALID_REISSUE_GROUND"] and error_paths(result) == [["grounds"]]


async def test_overdue_applications_are_flagged_once_per_term(officer, subtype_i):
    from datetime import UTC, datetime

    from jobs.tasks import recompute_overdue
    from models.outbox import OutboxEvent

    miner, dcs, _ = subtype_i
    app = await filed(officer, license_input(miner, dcs, received_at=RECEIVED))
    # REGISTERED: the completeness term (2025-03-26 18:30 Almaty) is the one that runs
    just_before = datetime(2025, 3, 26, 13, 29, tzinfo=UTC)
    assert (await recompute_overdue({}, now=just_before))["applications"] == 0
    after = datetime(2025, 3, 26, 13, 31, tzinfo=UTC)
    assert (await recompute_overdue({}, now=after))["applications"] == 1
    assert (await recompute_overdue({}, now=after))["applications"] == 0
    assert await OutboxEvent.filter(topic="alert.application_overdue").count() == 1
    listed = await officer.gql("{ applications(overdue: true) { totalCount edges { node { overdue daysLeft nextDeadline { kind } } } } }")
    assert listed["data"]["applications"]["totalCount"] == 1
    node = listed["data"]["applications"]["edges"][0]["node"]
    assert node["overdue"] is True and node["daysLeft"] < 0 and node["nextDeadline"] == {"kind": "COMPLETENESS"}
    assert app["stage"] == "REGISTERED"


@pytest.mark.parametrize(
    ("received_at", "registered", "completeness", "decision"),
    [
        # Fri 2025-03-21 10:00 is Nauryz: registered Wed 26 March; +2 WD Fri 28; +15 WD Wed 16 April
        ("2025-03-21T10:00:00+05:00", "2025-03-26", "2025-03-28", "2025-04-16"),
        # after hours on a working day: the next working day (Thu 20); 15 WD -> Tue 15 April
        ("2025-03-19T18:45:00+05:00", "2025-03-20", "2025-03-27", "2025-04-15"),
        ("2025-03-19T18:29:00+05:00", "2025-03-19", "2025-03-26", "2025-04-14"),
        # Saturday receipt: Mon 28 April; +2 WD Wed 30; 15 WD skip 1, 7 and 9 May -> Thu 22 May
        ("2025-04-26T12:00:00+05:00", "2025-04-28", "2025-04-30", "2025-05-22"),
        # New Year: Wed 2025-12-31 19:00 -> Mon 2026-01-05; 7 Jan is a holiday; 15 WD -> Tue 27
        ("2025-12-31T19:00:00+05:00", "2026-01-05", "2026-01-08", "2026-01-27"),
    ],
)
async def test_registration_and_terms_across_holidays(officer, subtype_i, received_at, registered, completeness, decision):
    miner, dcs, _ = subtype_i
    app = await filed(officer, license_input(miner, dcs, received_at=received_at))
    assert app["registeredOn"] == registered
    assert (app["completenessDueOn"], app["completenessDueAt"][:10]) == (completeness, completeness)
    assert (app["decisionDueOn"], app["decisionDueAt"][:10]) == (decision, decision)


async def test_reissue_received_new_years_eve_is_registered_in_2026(officer, subtype_i):
    miner, dcs, _ = subtype_i
    _, issued = await _issue_subtype_i(officer, miner, dcs)
    lic = await License.get(number=issued["license"]["number"])
    await License.filter(id=lic.id).update(issued_on=date(2025, 4, 14))  # issued before the re-issue's receipt
    await LicenseAppendix.filter(license_id=lic.id).update(issued_on=date(2025, 4, 14))
    result = await officer.gql(REISSUE, {"i": {"licenseId": gid("License", lic.id), "grounds": ["LAW_REQUIREMENT"],
                                               "receivedAt": "2025-12-31T19:00:00+05:00"}})
    app = payload_of(result, "applyForLicenseReissue")["application"]
    # Mon 5 Jan 2026; completeness 1 WD -> Tue 6; term 2 WD -> Thu 8 (7 January is a holiday)
    assert (app["registeredOn"], app["completenessDueAt"][:10], app["decisionDueAt"][:10]) == ("2026-01-05", "2026-01-06", "2026-01-08")
    assert app["licenseDetails"]["fee"] == {"mrp": "200.00", "tenge": "865000.00"}  # 200 MRP x 4,325


async def test_a_double_submit_of_a_reissue_files_one_application(officer, subtype_i):
    miner, dcs, applicant = subtype_i
    _, issued = await _issue_subtype_i(officer, miner, dcs)
    lic = await License.get(number=issued["license"]["number"])
    data = {"licenseId": gid("License", lic.id), "grounds": ["LAW_REQUIREMENT"], "clientMutationId": "reissue-1"}
    first = payload_of(await applicant.gql(REISSUE, {"i": data}), "applyForLicenseReissue")
    again = payload_of(await applicant.gql(REISSUE, {"i": data}), "applyForLicenseReissue")
    assert first["errors"] == again["errors"] == [] and first["application"]["id"] == again["application"]["id"]
    assert await Application.filter(procedure="LICENSE_REISSUE").count() == 1


async def test_payment_is_recorded_only_for_ones_own_licence_application(client, officer, subtype_i):
    miner, dcs, applicant = subtype_i
    app = await filed(applicant, license_input(miner, dcs))
    stranger = await make_caller(client, Role.APPLICANT, miner=await make_miner())
    assert errors_of(await pay(stranger, app["id"])) == ["NOT_FOUND"]
    assert error_paths(await pay(stranger, app["id"])) == [["applicationId"]]
    future = await pay(applicant, app["id"], paid_on="2999-01-01")
    assert errors_of(future) == ["VALIDATION"] and error_paths(future) == [["paidOn"]]
    assert ok(await pay(applicant, app["id"], paid_on="2025-03-20"))
    fee = await applicant.gql("query($id: ID!) { application(id: $id) { licenseDetails { fee { paid paidOn reference year } } } }",
                              {"id": app["id"]})
    assert fee["data"]["application"]["licenseDetails"]["fee"] == {"paid": True, "paidOn": "2025-03-20", "reference": "KASPI-1", "year": 2025}
