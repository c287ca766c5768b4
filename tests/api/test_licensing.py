"""Licensing (001) on the application engine, through GraphQL: full paths, terms, fees, bad input."""

import pytest

from models.applications import Application, StageEvent
from models.licensing import License, LicenseAppendix
from rules.enums import LicenseStatus, Role
from schema.ids import to_global_id
from tests.api.licensing_flow import SUBTYPE_I_DOCS, apply, license_input, pay, step
from tests.factories import errors_of, make_caller, make_data_center, make_miner

# Office receipt Wed 2025-03-19 10:00 Almaty: registered that day. Terms (counted by hand):
# completeness 2 WD: Thu 20, [21-25 Nauryz + weekend], Wed 26 -> 2025-03-26 18:30 (13:30 UTC)
# decision 15 WD: 20, 26, 27, 28, 31, Apr 1, 2, 3, 4, 7, 8, 9, 10, 11, 14 -> 2025-04-14
# hearing notice >= 3 WD before the end: day 12 = Thu 2025-04-09.
RECEIVED = "2025-03-19T10:00:00+05:00"


@pytest.fixture
async def subtype_i(client, officer):
    miner = await make_miner()
    dcs = [await make_data_center(miner, address="Экибастуз, уч. 4"), await make_data_center(miner, address="Экибастуз, уч. 9")]
    applicant = await make_caller(client, Role.APPLICANT, miner=miner)
    return miner, dcs, applicant


async def _issue_subtype_i(officer, miner, dcs, received_at=RECEIVED):
    app = (await apply(officer, license_input(miner, dcs, received_at=received_at)))["data"]["applyForLicense"]["application"]
    await pay(officer, app["id"])
    assert "errors" not in await step(officer, "acceptApplication", app["id"])
    approved = await step(officer, "approveApplication", app["id"], placeOfIssue="г. Астана")
    return app, approved["data"]["approveApplication"]


async def test_subtype_i_full_path_with_hearing(officer, subtype_i):
    miner, dcs, _ = subtype_i
    result = await apply(officer, license_input(miner, dcs, received_at=RECEIVED))
    assert "errors" not in result, result
    app = result["data"]["applyForLicense"]["application"]
    assert app["stage"] == "REGISTERED" and app["registeredOn"] == "2025-03-19"
    assert app["completenessDue"] == "2025-03-26T13:30:00+00:00"
    assert app["decisionDue"] == "2025-04-14T13:30:00+00:00"
    assert app["hearingNoticeLastDay"] == "2025-04-09"
    assert app["incomingNumber"].startswith("LIC-2025-")
    assert app["licenseDetails"]["fee"] == {"mrp": "2000.00", "tenge": "7864000.00", "paid": False}

    assert "errors" not in await pay(officer, app["id"])
    accepted = await step(officer, "acceptApplication", app["id"])
    assert accepted["data"]["acceptApplication"]["application"]["stage"] == "UNDER_REVIEW"
    pre = await step(officer, "preliminaryRefuse", app["id"], grounds=["QUALIFICATION_NOT_MET"], text="Нет ТУ на второй ЦОД")
    assert pre["data"]["preliminaryRefuse"]["application"]["stage"] == "PRELIMINARY_REFUSAL"
    heard = await step(officer, "scheduleHearing", app["id"], noticeSentOn="2025-04-09", hearingOn="2025-04-11", place="Астана, каб. 305")
    assert heard["data"]["scheduleHearing"]["application"]["stage"] == "HEARING_SCHEDULED"
    approved = await step(officer, "approveApplication", app["id"], placeOfIssue="г. Астана")
    payload = approved["data"]["approveApplication"]
    assert payload["application"]["stage"] == "APPROVED" and payload["application"]["allowedActions"] == []
    lic = payload["license"]
    assert lic["subtype"] == "I" and lic["status"] == "ACTIVE" and lic["number"].startswith("KZ-DM-")
    assert [a["subtype"] for a in lic["appendices"]] == ["I", "I"]  # one appendix per data center
    stored = await License.get(number=lic["number"])
    assert "уч. 4" in stored.special_conditions and "уч. 9" in stored.special_conditions
    history = await StageEvent.filter(application__incoming_number=app["incomingNumber"]).order_by("id")
    assert [e.to_stage.value for e in history] == [
        "SUBMITTED", "REGISTERED", "UNDER_REVIEW", "PRELIMINARY_REFUSAL", "HEARING_SCHEDULED", "APPROVED",
    ]


async def test_subtype_ii_full_path_needs_a_licensed_host(client, officer, subtype_i):
    host, host_dcs, _ = subtype_i
    guest = await make_miner(name="ИП Гость")
    guest_applicant = await make_caller(client, Role.APPLICANT, miner=guest)
    data = license_input(guest, host_dcs[:1], subtype="II")
    app = (await apply(guest_applicant, data))["data"]["applyForLicense"]["application"]
    assert app["licenseDetails"]["subtype"] == "II"
    await pay(guest_applicant, app["id"], paid_on="2026-01-10")
    not_yet = await step(officer, "acceptApplication", app["id"])
    assert errors_of(not_yet) == ["APPLICATION_INCOMPLETE"]
    assert "HOST_NOT_LICENSED" in not_yet["errors"][0]["extensions"]["detail"]

    await _issue_subtype_i(officer, host, host_dcs)
    assert "errors" not in await step(officer, "acceptApplication", app["id"])
    await step(officer, "preliminaryRefuse", app["id"], grounds=["NON_COMPLIANCE"], text="Уточнить договор")
    reg = (await Application.get(incoming_number__isnull=False, id=int(_pk(app["id"])))).registered_on
    from rules.calendar import default_calendar
    cal = default_calendar()
    notice = cal.add_working_days(reg, 1)
    await step(officer, "scheduleHearing", app["id"], noticeSentOn=notice.isoformat(), hearingOn=cal.add_working_days(notice, 2).isoformat(), place="онлайн")
    approved = (await step(officer, "approveApplication", app["id"], placeOfIssue="г. Астана"))["data"]["approveApplication"]
    assert approved["license"]["subtype"] == "II"
    appendix = await LicenseAppendix.get(number=approved["license"]["appendices"][0]["number"])
    assert appendix.data_center_id == host_dcs[0].id and appendix.electricity_purchase is None


async def test_refusal_path_requires_hearing_and_grounds(officer, subtype_i):
    miner, dcs, _ = subtype_i
    app = (await apply(officer, license_input(miner, dcs, received_at=RECEIVED)))["data"]["applyForLicense"]["application"]
    await step(officer, "acceptApplication", app["id"])
    too_early = await step(officer, "refuseApplication", app["id"], grounds=["FALSE_DOCUMENTS"], text="Подложный договор")
    assert errors_of(too_early) == ["ILLEGAL_TRANSITION"]  # no motivated refusal without a hearing
    await step(officer, "preliminaryRefuse", app["id"], grounds=["FALSE_DOCUMENTS"], text="Подложный договор")
    await step(officer, "scheduleHearing", app["id"], noticeSentOn="2025-04-08", hearingOn="2025-04-10", place="Астана")
    events_before = await StageEvent.all().count()
    no_ground = await step(officer, "refuseApplication", app["id"], grounds=[], text="Отказ")
    assert errors_of(no_ground) == ["REFUSAL_GROUND_REQUIRED"]
    unknown = await step(officer, "refuseApplication", app["id"], grounds=["I_DONT_LIKE_IT"], text="Отказ")
    assert errors_of(unknown) == ["INVALID_REFUSAL_GROUND"]
    no_text = await step(officer, "refuseApplication", app["id"], grounds=["FALSE_DOCUMENTS"], text=" ")
    assert errors_of(no_text) == ["VALIDATION"]
    assert (await Application.get(id=_pk(app["id"]))).stage.value == "HEARING_SCHEDULED"
    assert await StageEvent.all().count() == events_before
    refused = await step(officer, "refuseApplication", app["id"], grounds=["FALSE_DOCUMENTS", "NON_COMPLIANCE"], text="Договор аренды подложный")
    out = refused["data"]["refuseApplication"]["application"]
    assert out["stage"] == "REFUSED" and out["refusalGrounds"] == ["FALSE_DOCUMENTS", "NON_COMPLIANCE"]
    assert out["refusalKind"] == "SERVICE_REFUSED"
    assert await License.all().count() == 0


@pytest.mark.parametrize(
    ("notice", "hearing", "code"),
    [
        ("2025-04-10", "2025-04-11", "HEARING_NOTICE_TOO_LATE"),  # day 13: fewer than 3 WD left
        ("2025-04-09", "2025-04-14", "HEARING_TOO_LATE"),  # 3 WD after the notice
        ("2025-04-09", "2025-04-08", "HEARING_BEFORE_NOTICE"),
    ],
)
async def test_hearing_outside_its_window_is_refused_and_nothing_changes(officer, subtype_i, notice, hearing, code):
    miner, dcs, _ = subtype_i
    app = (await apply(officer, license_input(miner, dcs, received_at=RECEIVED)))["data"]["applyForLicense"]["application"]
    await step(officer, "acceptApplication", app["id"])
    await step(officer, "preliminaryRefuse", app["id"], grounds=["NON_COMPLIANCE"], text="x")
    result = await step(officer, "scheduleHearing", app["id"], noticeSentOn=notice, hearingOn=hearing, place="Астана")
    assert errors_of(result) == [code]
    stored = await Application.get(id=_pk(app["id"]))
    assert stored.stage.value == "PRELIMINARY_REFUSAL" and stored.hearing_on is None


async def test_documents_of_the_other_subtype_are_rejected_and_nothing_written(client, officer, subtype_i):
    miner, dcs, applicant = subtype_i
    docs = [*SUBTYPE_I_DOCS, {"kind": "HOSTING_LETTER_OF_INTENT", "title": "Письмо"}]
    result = await apply(applicant, license_input(miner, dcs, documents=docs))
    assert errors_of(result) == ["DOCUMENT_NOT_FOR_SUBTYPE"]
    assert result["errors"][0]["extensions"]["field"] == "documents[5].kind"
    assert await Application.all().count() == 0


async def test_applicant_cannot_act_on_another_miners_application(client, officer, subtype_i):
    miner, dcs, applicant = subtype_i
    other = await make_miner()
    other_dc = await make_data_center(other)
    intruder_for_other = await apply(applicant, license_input(other, [other_dc]))
    assert errors_of(intruder_for_other) == ["NOT_FOUND"]
    own = (await apply(applicant, license_input(miner, dcs)))["data"]["applyForLicense"]["application"]
    stranger = await make_caller(client, Role.APPLICANT, miner=other)
    for mutation in ("withdrawApplication", "acceptApplication"):
        assert errors_of(await step(stranger, mutation, own["id"])) == ["NOT_FOUND"]
    assert errors_of(await step(applicant, "acceptApplication", own["id"])) == ["FORBIDDEN"]
    listed = await stranger.gql("{ applications { totalCount } }")
    assert listed["data"]["applications"]["totalCount"] == 0
    withdrawn = await step(applicant, "withdrawApplication", own["id"])
    assert withdrawn["data"]["withdrawApplication"]["application"]["stage"] == "WITHDRAWN"


async def test_applicant_cannot_backdate_a_portal_application(subtype_i):
    miner, dcs, applicant = subtype_i
    result = await apply(applicant, license_input(miner, dcs, received_at=RECEIVED))
    assert errors_of(result) == ["FORBIDDEN"]


async def test_approval_needs_the_fee_paid(officer, subtype_i):
    miner, dcs, _ = subtype_i
    app = (await apply(officer, license_input(miner, dcs, received_at=RECEIVED)))["data"]["applyForLicense"]["application"]
    await step(officer, "acceptApplication", app["id"])
    result = await step(officer, "approveApplication", app["id"], placeOfIssue="г. Астана")
    assert errors_of(result) == ["FEE_NOT_PAID"]
    assert await License.all().count() == 0
    assert (await Application.get(id=_pk(app["id"]))).stage.value == "UNDER_REVIEW"


async def test_no_fee_and_no_fee_ground_for_applications_registered_in_2023(officer, subtype_i):
    miner, dcs, _ = subtype_i
    docs = [d for d in SUBTYPE_I_DOCS if d["kind"] != "ASKUE_TELECOM"]  # I(4) applies from 2024 only
    app = (await apply(officer, license_input(miner, dcs, received_at="2023-10-02T11:00:00+06:00", documents=docs)))["data"]["applyForLicense"]["application"]
    assert app["licenseDetails"]["fee"] == {"mrp": "0.00", "tenge": "0.00", "paid": False}
    assert "errors" not in await step(officer, "acceptApplication", app["id"])
    fee_ground = await step(officer, "preliminaryRefuse", app["id"], grounds=["FEE_NOT_PAID"], text="x")
    assert errors_of(fee_ground) == ["INVALID_REFUSAL_GROUND"]
    stored = await Application.get(id=_pk(app["id"]))
    assert stored.stage.value == "UNDER_REVIEW"  # ground 2 did not exist in 2023
    approved = await step(officer, "approveApplication", app["id"], placeOfIssue="г. Астана")
    assert approved["data"]["approveApplication"]["license"]["status"] == "ACTIVE"


async def test_askue_document_required_from_2024(officer, subtype_i):
    miner, dcs, _ = subtype_i
    docs = [d for d in SUBTYPE_I_DOCS if d["kind"] != "ASKUE_TELECOM"]
    app = (await apply(officer, license_input(miner, dcs, received_at="2024-01-03T11:00:00+06:00", documents=docs)))["data"]["applyForLicense"]["application"]
    result = await step(officer, "acceptApplication", app["id"])
    assert errors_of(result) == ["APPLICATION_INCOMPLETE"] and "ASKUE" in result["errors"][0]["extensions"]["detail"]
    refused = await step(officer, "refuseIncomplete", app["id"], grounds=["NON_COMPLIANCE"], text="Нет документа АСКУЭ")
    out = refused["data"]["refuseIncomplete"]["application"]
    # a paper application accepted in 2024 and refused later: refusal of further review, not
    # the clerk's refusal to accept at the counter
    assert out["stage"] == "INCOMPLETE_REFUSED" and out["refusalKind"] == "FURTHER_REVIEW_REFUSED"


@pytest.mark.parametrize(
    ("dc_overrides", "docs_change", "ok"),
    [
        ({"substation_kv": "10", "permitted_capacity_mw": "0.8", "connected_on": None}, None, False),
        ({"substation_kv": "35", "permitted_capacity_mw": "1"}, None, True),
        # connected before 2023-04-01: technical conditions for the building instead
        ({"substation_kv": "10", "permitted_capacity_mw": "0.8", "connected_on": "2022-05-01"},
         ("GRID_TECH_CONDITIONS", "BUILDING_TECH_CONDITIONS"), True),
        # off-grid power: no grid technical conditions at all
        ({"power_source": "OFF_GRID", "substation_kv": None, "permitted_capacity_mw": None},
         ("GRID_TECH_CONDITIONS", None), True),
    ],
)
async def test_grid_rule_and_its_exemptions(officer, dc_overrides, docs_change, ok):
    miner = await make_miner()
    dc = await make_data_center(miner, **dc_overrides)
    docs = [dict(d) for d in SUBTYPE_I_DOCS]
    if docs_change:
        old, new = docs_change
        docs = [d for d in docs if d["kind"] != old] + ([{"kind": new, "title": "ТУ на здание"}] if new else [])
    method = "OFF_GRID_GENERATOR" if dc_overrides.get("power_source") == "OFF_GRID" else "SINGLE_BUYER"
    app = (await apply(officer, license_input(miner, [dc], received_at=RECEIVED, documents=docs, electricityPurchase=method)))["data"]["applyForLicense"]["application"]
    result = await step(officer, "acceptApplication", app["id"])
    assert ("errors" not in result) is ok, result


async def test_reissue_keeps_first_issue_date_and_replaces_the_old_licence(officer, subtype_i):
    miner, dcs, applicant = subtype_i
    _, issued = await _issue_subtype_i(officer, miner, dcs)
    old = await License.get(number=issued["license"]["number"])
    q = """mutation($i: ApplyForLicenseReissueInput!) { applyForLicenseReissue(input: $i) { application {
      id registeredOn decisionDue licenseDetails { fee { mrp tenge } } } } }"""
    bad = await applicant.gql(q, {"i": {"licenseId": to_global_id("License", old.id), "grounds": ["REORGANISATION"]}})
    assert errors_of(bad) == ["VALIDATION"]  # reorganisation needs its form
    app = (await applicant.gql(q, {"i": {"licenseId": to_global_id("License", old.id), "grounds": ["REREGISTRATION"]}}))["data"]["applyForLicenseReissue"]["application"]
    assert app["licenseDetails"]["fee"]["mrp"] == "200.00"  # 10 % of 2000 MRP
    await pay(applicant, app["id"], paid_on=app["registeredOn"])
    await step(officer, "acceptApplication", app["id"])
    new = (await step(officer, "approveApplication", app["id"], placeOfIssue="г. Астана"))["data"]["approveApplication"]["license"]
    assert new["firstIssuedOn"] == old.first_issued_on.isoformat() and new["number"] != old.number
    assert len(new["appendices"]) == 2
    assert (await License.get(id=old.id)).status is LicenseStatus.REPLACED


async def test_subtype_ii_reissue_grounds_are_limited(client, officer, subtype_i):
    host, host_dcs, _ = subtype_i
    await _issue_subtype_i(officer, host, host_dcs)
    guest = await make_miner()
    app = (await apply(officer, license_input(guest, host_dcs[:1], subtype="II", received_at=RECEIVED)))["data"]["applyForLicense"]["application"]
    await pay(officer, app["id"])
    await step(officer, "acceptApplication", app["id"])
    lic = (await step(officer, "approveApplication", app["id"], placeOfIssue="г. Астана"))["data"]["approveApplication"]["license"]
    lic_id = to_global_id("License", (await License.get(number=lic["number"])).id)
    q = "mutation($i: ApplyForLicenseReissueInput!) { applyForLicenseReissue(input: $i) { application { id } } }"
    result = await officer.gql(q, {"i": {"licenseId": lic_id, "grounds": ["DC_LOCATION_CHANGE"]}})
    assert errors_of(result) == ["INVALID_REISSUE_GROUND"]


async def test_overdue_applications_are_flagged_once(officer, subtype_i):
    from datetime import UTC, datetime

    from jobs.tasks import recompute_overdue
    from models.outbox import OutboxEvent

    miner, dcs, _ = subtype_i
    app = (await apply(officer, license_input(miner, dcs, received_at=RECEIVED)))["data"]["applyForLicense"]["application"]
    just_before = datetime(2025, 4, 14, 13, 29, tzinfo=UTC)
    assert (await recompute_overdue({}, now=just_before))["applications"] == 0
    after = datetime(2025, 4, 14, 13, 31, tzinfo=UTC)
    assert (await recompute_overdue({}, now=after))["applications"] == 1
    assert (await recompute_overdue({}, now=after))["applications"] == 0
    assert await OutboxEvent.filter(topic="alert.application_overdue").count() == 1
    listed = await officer.gql("{ applications(overdue: true) { totalCount edges { node { overdue daysLeft } } } }")
    assert listed["data"]["applications"]["totalCount"] == 1
    assert listed["data"]["applications"]["edges"][0]["node"]["daysLeft"] < 0
    assert app["stage"] == "REGISTERED"


def _pk(global_id):
    from schema.ids import from_global_id

    return from_global_id(global_id)[1]


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
    result = await apply(officer, license_input(miner, dcs, received_at=received_at))
    app = result["data"]["applyForLicense"]["application"]
    assert app["registeredOn"] == registered
    assert app["completenessDue"][:10] == completeness
    assert app["decisionDue"][:10] == decision


async def test_reissue_received_new_years_eve_is_registered_in_2026(officer, subtype_i):
    miner, dcs, _ = subtype_i
    _, issued = await _issue_subtype_i(officer, miner, dcs)
    lic = await License.get(number=issued["license"]["number"])
    q = """mutation($i: ApplyForLicenseReissueInput!) { applyForLicenseReissue(input: $i) { application {
      registeredOn completenessDue decisionDue licenseDetails { fee { mrp tenge } } } } }"""
    result = await officer.gql(q, {"i": {"licenseId": to_global_id("License", lic.id), "grounds": ["LAW_REQUIREMENT"],
                                         "channel": "OFFICE", "receivedAt": "2025-12-31T19:00:00+05:00"}})
    app = result["data"]["applyForLicenseReissue"]["application"]
    # Mon 5 Jan 2026; completeness 1 WD -> Tue 6; term 2 WD -> Thu 8 (7 January is a holiday)
    assert (app["registeredOn"], app["completenessDue"][:10], app["decisionDue"][:10]) == ("2026-01-05", "2026-01-06", "2026-01-08")
    assert app["licenseDetails"]["fee"] == {"mrp": "200.00", "tenge": "865000.00"}  # 200 MRP x 4,325


async def test_application_lists_load_their_parts_in_batches(officer, subtype_i, monkeypatch):
    import schema.context as ctx

    miner, dcs, _ = subtype_i
    for _ in range(5):
        await apply(officer, license_input(miner, dcs, received_at=RECEIVED))
    calls = []
    many, one = ctx._many_by, ctx._one_by

    async def count_many(model, column, keys):
        calls.append((model.__name__, len(keys)))
        return await many(model, column, keys)

    async def count_one(model, column, keys):
        calls.append((model.__name__, len(keys)))
        return await one(model, column, keys)

    monkeypatch.setattr(ctx, "_many_by", count_many)
    monkeypatch.setattr(ctx, "_one_by", count_one)
    result = await officer.gql(
        "{ applications { edges { node { stageHistory { toStage } documents { kind } licenseDetails { subtype } } } } }"
    )
    nodes = [e["node"] for e in result["data"]["applications"]["edges"]]
    assert len(nodes) == 5 and all(len(n["documents"]) == 5 and n["licenseDetails"]["subtype"] == "I" for n in nodes)
    assert sorted(calls) == [("ApplicationDocument", 5), ("LicenseApplication", 5), ("StageEvent", 5)]
