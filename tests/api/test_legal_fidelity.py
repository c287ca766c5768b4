"""Licensing paragraph by paragraph (issue 9): the two checks of 001 §7 and §8, decisions only by
the results of the hearing (§10), the refusal of further review as its own act (§7 ¶2), filing
through the portal only (§4, §12), pool evidence where the miner has units (App.11 1.3) and the
fee's amount (App.3 items 7, 9.3).

Dates: received Wed 2025-03-19 10:00 Almaty (an officer's record of the receipt time), registered
that day; completeness 2 WD -> 2025-03-26; decision 15 WD -> 2025-04-14; the hearing notice by
2025-04-09 (see tests/api/test_licensing.py for the count by hand).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from models.applications import Application
from models.audit import AuditEvent
from models.licensing import License
from models.registry import AsicUnit
from resolvers import applications as engine
from rules.calendar import ALMATY, default_calendar
from rules.enums import Role
from tests.api.licensing_flow import (
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

RECEIVED = "2025-03-19T10:00:00+05:00"
WITHIN_COMPLETENESS = datetime(2025, 3, 20, 12, tzinfo=ALMATY)
HEARING_DAY = "2025-04-11"
BEFORE_HEARING = datetime(2025, 4, 10, 17, tzinfo=ALMATY)
ON_HEARING_DAY = datetime(2025, 4, 11, 9, tzinfo=ALMATY)

REVIEW = """query($id: ID!) { application(id: $id) { stage hearingOutcome furtherReviewReasons
  completenessProblems { code path kind } qualificationFindings { code path kind message }
  furtherReviewProblems { code path kind } } }"""


def _pk(global_id: str) -> int:
    from strawberry import relay

    return int(relay.GlobalID.from_id(global_id).node_id)


async def _review(caller, app_id: str) -> dict:
    return (await caller.gql(REVIEW, {"id": app_id}))["data"]["application"]


async def _to_hearing(officer, app_id: str, grounds: list[str], text: str = "Основания") -> None:
    assert ok(await step(officer, "preliminaryRefuse", app_id, grounds=grounds, text=text))
    assert ok(await step(officer, "scheduleHearing", app_id, noticeSentOn="2025-04-09", hearingTime="10:30", hearingOn=HEARING_DAY,
                         place="Астана, каб. 305"))


@pytest.fixture
async def grid_30kv(officer):
    """A subtype-I miner whose data center hangs on a 30 kV substation: complete, not qualified."""
    miner = await make_miner()
    dc = await make_data_center(miner, substation_kv="30", permitted_capacity_mw="5")
    return miner, dc


async def test_001_s8_s10_subtype_i_30kv_goes_through_findings_preliminary_refusal_and_hearing(
    officer, grid_30kv, engine_clock
):
    """The full path the issue asks for: accepted as complete -> finding GRID_BELOW_35KV ->
    preliminary refusal -> hearing -> refusal citing only that ground, on the hearing day."""
    miner, dc = grid_30kv
    engine_clock(WITHIN_COMPLETENESS)
    app = await filed(officer, license_input(miner, [dc], received_at=RECEIVED))
    assert ok(await pay(officer, app["id"]))
    # 001 §7 ¶2: nothing is missing, so no refusal of further review.
    not_incomplete = await step(officer, "refuseIncomplete", app["id"], text="ТУ на 30 кВ")
    assert errors_of(not_incomplete) == ["PACKAGE_COMPLETE"]
    assert ok(await step(officer, "acceptApplication", app["id"]))
    seen = await _review(officer, app["id"])
    assert seen["stage"] == "UNDER_REVIEW" and seen["completenessProblems"] == []
    assert [(f["code"], f["path"], f["kind"]) for f in seen["qualificationFindings"] if f["kind"] == "QUALIFICATION"] == [
        ("GRID_BELOW_35KV", ["dataCenterIds", "0"], "QUALIFICATION")
    ]
    # §8-10: a requirement not met is not approved over; it is heard first.
    assert errors_of(await step(officer, "approveApplication", app["id"], placeOfIssue="г. Астана")) == [
        "QUALIFICATION_NOT_MET"
    ]
    await _to_hearing(officer, app["id"], ["QUALIFICATION_NOT_MET"], "Подстанция 30 кВ, требуется не менее 35 кВ")
    engine_clock(BEFORE_HEARING)
    early = await step(officer, "refuseApplication", app["id"], grounds=["QUALIFICATION_NOT_MET"], text="Отказ",
                       hearingOutcome="HELD")
    assert errors_of(early) == ["DECISION_BEFORE_HEARING"]
    engine_clock(ON_HEARING_DAY)
    other_ground = await step(officer, "refuseApplication", app["id"], grounds=["QUALIFICATION_NOT_MET", "FALSE_DOCUMENTS"],
                              text="Отказ", hearingOutcome="HELD")
    assert errors_of(other_ground) == ["GROUND_NOT_HEARD"] and error_paths(other_ground) == [["grounds", "1"]]
    refused = await step(officer, "refuseApplication", app["id"], grounds=["QUALIFICATION_NOT_MET"],
                         text="Подстанция 30 кВ (App.11 1.5)", hearingOutcome="HELD")
    out = payload_of(refused, "refuseApplication")["application"]
    assert out["stage"] == "REFUSED" and out["refusalKind"] == "SERVICE_REFUSED"
    assert [g["code"] for g in out["refusalGrounds"]] == ["QUALIFICATION_NOT_MET"]
    assert (await _review(officer, app["id"]))["hearingOutcome"] == "HELD"


async def test_001_s10_decision_only_after_hearing(officer, engine_clock):
    """"по результатам заслушивания": not before the hearing day (Almaty), with its outcome."""
    miner = await make_miner()
    dc = await make_data_center(miner)
    app = await filed(officer, license_input(miner, [dc], received_at=RECEIVED))
    assert ok(await pay(officer, app["id"]))
    assert ok(await step(officer, "acceptApplication", app["id"]))
    await _to_hearing(officer, app["id"], ["NON_COMPLIANCE"])
    # The evening before, in Almaty (already the hearing day in no other sense that counts).
    engine_clock(datetime(2025, 4, 10, 18, 59, tzinfo=UTC))  # 23:59 Almaty on 10 April
    early = await step(officer, "approveApplication", app["id"], placeOfIssue="г. Астана", hearingOutcome="HELD")
    assert errors_of(early) == ["DECISION_BEFORE_HEARING"]
    assert (await Application.get(id=_pk(app["id"]))).stage.value == "HEARING_SCHEDULED"
    engine_clock(datetime(2025, 4, 10, 19, 0, tzinfo=UTC))  # 00:00 Almaty on 11 April
    no_outcome = await step(officer, "approveApplication", app["id"], placeOfIssue="г. Астана")
    assert errors_of(no_outcome) == ["VALIDATION"] and error_paths(no_outcome) == [["hearingOutcome"]]
    approved = await step(officer, "approveApplication", app["id"], placeOfIssue="г. Астана",
                          hearingOutcome="APPLICANT_ABSENT")
    assert payload_of(approved, "approveApplication")["application"]["stage"] == "APPROVED"
    assert (await Application.get(id=_pk(app["id"]))).hearing_outcome.value == "APPLICANT_ABSENT"


async def test_001_s10_hearing_outcome_only_after_a_hearing(officer):
    miner = await make_miner()
    dc = await make_data_center(miner)
    app = await filed(officer, license_input(miner, [dc], received_at=RECEIVED))
    assert ok(await pay(officer, app["id"]))
    assert ok(await step(officer, "acceptApplication", app["id"]))
    result = await step(officer, "approveApplication", app["id"], placeOfIssue="г. Астана", hearingOutcome="HELD")
    assert errors_of(result) == ["VALIDATION"] and error_paths(result) == [["hearingOutcome"]]


async def test_001_s7_refusal_of_further_review_states_its_own_reasons(officer, engine_clock):
    """Its reasons are the package's state (INCOMPLETE_PACKAGE, EXPIRED_DOCUMENTS) with the list of
    problems, never App.3 item 10 grounds."""
    engine_clock(WITHIN_COMPLETENESS)
    miner = await make_miner()
    dc = await make_data_center(miner)
    docs = [d for d in SUBTYPE_I_DOCS if d["kind"] != "ASKUE_TELECOM"]
    docs = [{**d, "validUntil": "2025-01-31"} if d["kind"] == "GRID_TECH_CONDITIONS" else d for d in docs]
    app = await filed(officer, license_input(miner, [dc], received_at=RECEIVED, documents=docs))
    refused = await step(officer, "refuseIncomplete", app["id"], text="Нет акта АСКУЭ; ТУ истекли 31.01.2025")
    out = payload_of(refused, "refuseIncomplete")["application"]
    assert out["stage"] == "INCOMPLETE_REFUSED" and out["refusalKind"] == "FURTHER_REVIEW_REFUSED"
    assert out["refusalGrounds"] == []
    seen = await _review(officer, app["id"])
    assert seen["furtherReviewReasons"] == ["INCOMPLETE_PACKAGE", "EXPIRED_DOCUMENTS"]
    assert sorted((p["code"], p["kind"]) for p in seen["furtherReviewProblems"]) == [
        ("EXPIRED_DOCUMENT", "COMPLETENESS"), ("MISSING_DOCUMENT", "COMPLETENESS"),
    ]


async def test_001_s7_refusal_of_further_review_only_within_the_completeness_term(officer, engine_clock):
    miner = await make_miner()
    dc = await make_data_center(miner)
    docs = [d for d in SUBTYPE_I_DOCS if d["kind"] != "ASKUE_TELECOM"]
    engine_clock(WITHIN_COMPLETENESS)
    app = await filed(officer, license_input(miner, [dc], received_at=RECEIVED, documents=docs))
    engine_clock(datetime(2025, 3, 26, 18, 31, tzinfo=ALMATY))  # one minute after the term's close
    late = await step(officer, "refuseIncomplete", app["id"], text="Нет акта АСКУЭ")
    assert errors_of(late) == ["COMPLETENESS_TERM_PASSED"]
    assert (await Application.get(id=_pk(app["id"]))).stage.value == "REGISTERED"
    engine_clock(datetime(2025, 3, 26, 18, 29, tzinfo=ALMATY))  # still within it
    assert ok(await step(officer, "refuseIncomplete", app["id"], text="Нет акта АСКУЭ"))


async def test_001_s7_registered_past_its_completeness_term_is_flagged_overdue(officer):
    miner = await make_miner()
    dc = await make_data_center(miner)
    app = await filed(officer, license_input(miner, [dc], received_at=RECEIVED))
    cal = default_calendar()
    before = datetime(2025, 3, 26, 13, 29, tzinfo=UTC)
    after = datetime(2025, 3, 26, 13, 31, tzinfo=UTC)
    assert await engine.flag_overdue_applications(before, cal) == 0
    assert await engine.flag_overdue_applications(after, cal) == 1
    stored = await Application.get(id=_pk(app["id"]))
    assert stored.stage.value == "REGISTERED" and stored.overdue


async def test_001_s4_s12_licensing_is_filed_through_the_portal_only(officer):
    miner = await make_miner()
    dc = await make_data_center(miner)
    office = await apply(officer, {**license_input(miner, [dc], received_at=RECEIVED), "channel": "OFFICE"})
    assert errors_of(office) == ["CHANNEL_NOT_ALLOWED"] and error_paths(office) == [["channel"]]
    assert await Application.all().count() == 0
    # An imported historical record keeps its receipt time: an officer's act, audited as such.
    app = await filed(officer, license_input(miner, [dc], received_at=RECEIVED))
    assert app["registeredOn"] == "2025-03-19"
    recorded = await AuditEvent.filter(action="application.receipt_time_recorded", entity_id=str(_pk(app["id"])))
    assert len(recorded) == 1 and recorded[0].actor_id == officer.user_id


async def test_001_s12_reissue_is_filed_through_the_portal_only(officer):
    miner = await make_miner()
    dc = await make_data_center(miner)
    app = await filed(officer, license_input(miner, [dc], received_at=RECEIVED))
    assert ok(await pay(officer, app["id"]))
    assert ok(await step(officer, "acceptApplication", app["id"]))
    assert ok(await step(officer, "approveApplication", app["id"], placeOfIssue="г. Астана"))
    lic = await License.get(holder_id=miner.id)
    result = await officer.gql(REISSUE, {"i": {"licenseId": gid("License", lic.id), "grounds": ["REREGISTRATION"],
                                               "channel": "OFFICE"}})
    assert errors_of(result) == ["CHANNEL_NOT_ALLOWED"]


async def test_001_app3_item_9_3_an_underpaid_fee_is_a_completeness_problem(officer):
    """Registered 2025-03-19, paid 2025-03-20: 2000 MRP x 3,932 tenge (2025) = 7,864,000.00."""
    miner = await make_miner()
    dc = await make_data_center(miner)
    app = await filed(officer, license_input(miner, [dc], received_at=RECEIVED))
    assert ok(await pay(officer, app["id"], amount="7863999.99"))
    short = await step(officer, "acceptApplication", app["id"])
    assert errors_of(short) == ["APPLICATION_INCOMPLETE"]
    problems = payload_of(short, "acceptApplication")["errors"][0]["problems"]
    assert [(p["code"], p["path"]) for p in problems] == [("FEE_UNDERPAID", ["payment", "amount"])]
    fee = await officer.gql("query($id: ID!) { application(id: $id) { licenseDetails { fee { tenge paidAmount } } } }",
                            {"id": app["id"]})
    assert fee["data"]["application"]["licenseDetails"]["fee"] == {"tenge": "7864000.00", "paidAmount": "7863999.99"}
    assert ok(await pay(officer, app["id"], amount="7864000.00"))
    assert ok(await step(officer, "acceptApplication", app["id"]))


@pytest.mark.parametrize("amount", ["0", "-5", "NaN", "Infinity", "1e30", "10.001"])
async def test_001_app3_item_9_3_payment_amount_is_validated(officer, amount):
    miner = await make_miner()
    dc = await make_data_center(miner)
    app = await filed(officer, license_input(miner, [dc], received_at=RECEIVED))
    result = await pay(officer, app["id"], amount=amount)
    assert errors_of(result) in (["VALIDATION"], ["GRAPHQL_VALIDATION"])
    stored = await Application.get(id=_pk(app["id"])).prefetch_related("license_details")
    assert stored.license_details.paid_amount is None


async def _unit_of(miner, dc) -> None:
    inclusion = await Application.create(procedure="ASIC_INCLUSION", channel="PORTAL", miner=miner,
                                         received_at=datetime.now(UTC), stage="APPROVED")
    await AsicUnit.create(
        record_number=await AsicUnit.all().count() + 1, record_date=date(2025, 1, 10), miner=miner,
        miner_name=miner.name, miner_bin_iin=miner.bin_iin, miner_legal_address=miner.legal_address,
        miner_phone=miner.phone, miner_email=miner.email, data_center=dc, data_center_location=dc.address,
        region=dc.region, model="Antminer S21", serial=f"S21-{miner.id}", serial_key=f"S21-{miner.id}",
        tnved_code="8471410000", hashrate_ths="200", power_kw="3.5", condition="WORKING",
        inclusion_application=inclusion,
    )


async def test_001_app11_1_3_pool_evidence_only_where_the_miner_has_units_of_its_own(client, officer):
    miner = await make_miner()
    dc = await make_data_center(miner)
    docs = [d for d in SUBTYPE_I_DOCS if d["kind"] != "POOL_EVIDENCE"]
    app = await filed(officer, license_input(miner, [dc], received_at=RECEIVED, documents=docs))
    seen = await _review(officer, app["id"])
    assert seen["completenessProblems"] == []  # a host with no units of its own: I(3) does not apply
    assert seen["qualificationFindings"] == []  # and there is no pool to verify
    await _unit_of(miner, dc)
    seen = await _review(officer, app["id"])
    assert [(p["code"], p["path"]) for p in seen["completenessProblems"]] == [
        ("MISSING_DOCUMENT", ["documents", "POOL_EVIDENCE"])
    ]


async def test_001_app11_pool_accreditation_is_reported_not_verifiable_and_does_not_block(officer):
    """With no pool membership recorded for the miner, its pool cannot be checked against the
    register: the finding says so (kind NOT_VERIFIABLE) instead of passing silently, and decides
    nothing by itself."""
    miner = await make_miner()
    dc = await make_data_center(miner)
    app = await filed(officer, license_input(miner, [dc], received_at=RECEIVED, documents=SUBTYPE_I_DOCS))
    await _unit_of(miner, dc)
    seen = await _review(officer, app["id"])
    assert [(f["code"], f["kind"]) for f in seen["qualificationFindings"]] == [("POOL_NOT_VERIFIABLE", "NOT_VERIFIABLE")]
    assert seen["qualificationFindings"][0]["message"]
    assert ok(await pay(officer, app["id"]))
    assert ok(await step(officer, "acceptApplication", app["id"]))
    assert ok(await step(officer, "approveApplication", app["id"], placeOfIssue="г. Астана"))


async def test_applicants_see_their_findings_and_not_others(client, officer, grid_30kv):
    miner, dc = grid_30kv
    own = await make_caller(client, Role.APPLICANT, miner=miner)
    stranger = await make_caller(client, Role.APPLICANT, miner=await make_miner())
    app = await filed(own, license_input(miner, [dc]))
    findings = (await _review(own, app["id"]))["qualificationFindings"]
    assert [f["code"] for f in findings if f["kind"] == "QUALIFICATION"] == ["GRID_BELOW_35KV"]
    assert (await stranger.gql(REVIEW, {"id": app["id"]}))["data"]["application"] is None


async def test_001_app11_the_miners_pool_must_be_accredited_on_the_registration_date(officer):
    """The pool the miner mined through on the registration date (its recorded membership) is
    checked against the register: accredited -> nothing to report; lapsed -> a finding."""
    from resolvers import pool_change
    from rules.access import SYSTEM
    from tests.factories import make_pool

    miner = await make_miner()
    dc = await make_data_center(miner)
    await _unit_of(miner, dc)
    lapsed = await make_pool(accredited=(date(2024, 1, 1), date(2025, 3, 1)))
    await pool_change.set_miner_pool(SYSTEM, pool_change.SetMinerPool(miner.id, lapsed.id, date(2024, 6, 3)))
    app = await filed(officer, license_input(miner, [dc], received_at=RECEIVED))  # registered 2025-03-19
    findings = (await _review(officer, app["id"]))["qualificationFindings"]
    assert [(f["code"], f["kind"]) for f in findings] == [("POOL_NOT_ACCREDITED", "QUALIFICATION")]
    other = await make_miner()
    other_dc = await make_data_center(other)
    await _unit_of(other, other_dc)
    accredited = await make_pool()
    await pool_change.set_miner_pool(SYSTEM, pool_change.SetMinerPool(other.id, accredited.id, date(2024, 6, 3)))
    ok_app = await filed(officer, license_input(other, [other_dc], received_at=RECEIVED))
    assert (await _review(officer, ok_app["id"]))["qualificationFindings"] == []
