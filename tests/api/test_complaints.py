"""Complaints against a decision (001 §19-23) through GraphQL.

Hand count: filed Wed 2025-03-19 10:00 Almaty, registered that day. Working days after it:
Thu 20 (1), [21-25 March: Nauryz, the weekend, the carried-over days off], Wed 26 (2),
Thu 27 (3), Fri 28 (4), Mon 31 (5), Apr 1-4 (6-9), 7-11 (10-14), Mon 14 (15).
- provider: forward (or grant in full) by Thu 2025-03-27 18:30 (13:30 UTC), review by
  Mon 2025-03-31 18:30 (13:30 UTC);
- quality authority: review by Mon 2025-04-14 18:30 (13:30 UTC).
"""

from datetime import UTC, date, datetime

import pytest

from jobs.tasks import recompute_overdue
from models.applications import Application
from models.audit import AuditEvent
from models.licensing import Complaint
from models.outbox import OutboxEvent
from resolvers import complaints
from rules.calendar import ALMATY
from rules.enums import Channel, Role
from rules.workflow import ProcedureCode, Stage
from schema.ids import to_global_id
from tests.factories import errors_of, make_caller, make_miner

FILED_AT = datetime(2025, 3, 19, 10, 0, tzinfo=ALMATY)
FORWARD_DUE = "2025-03-27T13:30:00+00:00"
PROVIDER_REVIEW_DUE = "2025-03-31T13:30:00+00:00"
AUTHORITY_REVIEW_DUE = "2025-04-14T13:30:00+00:00"

FIELDS = "id status reviewer registeredOn forwardDue reviewDue forwardedOn outcomeText overdue application { id }"
FILE = """
mutation($app: ID!, $reviewer: ComplaintReviewer!, $text: String!) {
  fileComplaint(applicationId: $app, reviewer: $reviewer, text: $text) { complaint { _FIELDS_ } }
}""".replace("_FIELDS_", FIELDS)
GRANT = "mutation($id: ID!, $text: String!) { grantComplaintInFull(id: $id, text: $text) { complaint { _FIELDS_ } } }".replace("_FIELDS_", FIELDS)
FORWARD = "mutation($id: ID!) { forwardComplaint(id: $id) { complaint { _FIELDS_ } } }".replace("_FIELDS_", FIELDS)
DECIDE = """
mutation($id: ID!, $outcome: ComplaintOutcome!, $text: String!) {
  decideComplaint(id: $id, outcome: $outcome, text: $text) { complaint { _FIELDS_ } }
}""".replace("_FIELDS_", FIELDS)
LIST = """
query($app: ID, $status: ComplaintStatus) {
  complaints(applicationId: $app, status: $status) { totalCount edges { node { id status } } }
}"""


async def make_application(miner, stage=Stage.REFUSED) -> Application:
    return await Application.create(
        procedure=ProcedureCode.LICENSE_ISSUE,
        stage=stage,
        channel=Channel.PORTAL,
        miner_id=miner.id,
        received_at=datetime(2025, 2, 3, 5, tzinfo=UTC),
        registered_on=date(2025, 2, 3),
        decided_at=datetime(2025, 3, 18, 6, tzinfo=UTC) if stage in complaints.DECIDED_STAGES else None,
    )


@pytest.fixture
def clock(monkeypatch):
    state = {"now": FILED_AT}
    monkeypatch.setattr(complaints, "_now", lambda: state["now"])
    return state


@pytest.fixture
async def refused(client, clock):
    miner = await make_miner()
    app = await make_application(miner)
    applicant = await make_caller(client, Role.APPLICANT, miner=miner)
    return miner, app, applicant


def aid(app) -> str:
    return to_global_id("Application", app.id)


async def _file(caller, app, reviewer="PROVIDER", text="Отказ не мотивирован"):
    return await caller.gql(FILE, {"app": aid(app), "reviewer": reviewer, "text": text})


async def test_provider_complaint_terms_across_nauryz(refused):
    _, app, applicant = refused
    result = await _file(applicant, app)
    assert "errors" not in result, result
    complaint = result["data"]["fileComplaint"]["complaint"]
    assert complaint["status"] == "REGISTERED" and complaint["reviewer"] == "PROVIDER"
    assert complaint["registeredOn"] == "2025-03-19"
    assert complaint["forwardDue"] == FORWARD_DUE
    assert complaint["reviewDue"] == PROVIDER_REVIEW_DUE
    assert complaint["application"]["id"] == aid(app)
    assert await AuditEvent.filter(action="complaint.filed").count() == 1
    assert await OutboxEvent.filter(topic="complaint.filed").count() == 1


async def test_quality_authority_complaint_has_fifteen_days_and_nothing_to_forward(refused):
    _, app, applicant = refused
    complaint = (await _file(applicant, app, "QUALITY_AUTHORITY"))["data"]["fileComplaint"]["complaint"]
    assert complaint["forwardDue"] is None
    assert complaint["reviewDue"] == AUTHORITY_REVIEW_DUE


async def test_complaint_after_hours_is_registered_next_working_day(refused, clock):
    _, app, applicant = refused
    clock["now"] = datetime(2025, 3, 20, 18, 30, tzinfo=ALMATY)  # Thu at closing time; then Nauryz
    complaint = (await _file(applicant, app))["data"]["fileComplaint"]["complaint"]
    assert complaint["registeredOn"] == "2025-03-26"
    # 3 WD from Wed 26: Thu 27, Fri 28, Mon 31.
    assert complaint["forwardDue"] == "2025-03-31T13:30:00+00:00"


@pytest.mark.parametrize("stage", [Stage.APPROVED, Stage.REFUSED, Stage.INCOMPLETE_REFUSED])
async def test_every_decided_stage_can_be_complained_of(client, clock, stage):
    miner = await make_miner()
    app = await make_application(miner, stage)
    applicant = await make_caller(client, Role.APPLICANT, miner=miner)
    assert "errors" not in await _file(applicant, app)


@pytest.mark.parametrize("stage", [Stage.REGISTERED, Stage.UNDER_REVIEW, Stage.HEARING_SCHEDULED, Stage.WITHDRAWN])
async def test_undecided_application_cannot_be_complained_of(client, clock, stage):
    miner = await make_miner()
    app = await make_application(miner, stage)
    applicant = await make_caller(client, Role.APPLICANT, miner=miner)
    audit = await AuditEvent.all().count()
    result = await _file(applicant, app)
    assert errors_of(result) == ["APPLICATION_NOT_DECIDED"]
    assert await Complaint.all().count() == 0 and await AuditEvent.all().count() == audit


async def test_only_the_applicants_own_application(client, officer, refused):
    _, app, _ = refused
    stranger = await make_caller(client, Role.APPLICANT, miner=await make_miner())
    assert errors_of(await _file(stranger, app)) == ["NOT_FOUND"]
    assert errors_of(await _file(officer, app)) == ["FORBIDDEN"]  # the applicant complains, not the provider
    assert await Complaint.all().count() == 0


async def test_empty_text_is_rejected(refused):
    _, app, applicant = refused
    assert errors_of(await _file(applicant, app, text="   ")) == ["VALIDATION"]
    assert await Complaint.all().count() == 0


async def test_grant_in_full_within_three_working_days(officer, refused, clock):
    _, app, applicant = refused
    cid = (await _file(applicant, app))["data"]["fileComplaint"]["complaint"]["id"]
    clock["now"] = datetime(2025, 3, 27, 13, 29, tzinfo=UTC)
    result = await officer.gql(GRANT, {"id": cid, "text": "Лицензия выдана"})
    assert "errors" not in result, result
    assert result["data"]["grantComplaintInFull"]["complaint"]["status"] == "GRANTED_BY_PROVIDER"
    # Nothing left to forward or decide.
    assert errors_of(await officer.gql(FORWARD, {"id": cid})) == ["ILLEGAL_TRANSITION"]
    assert errors_of(await officer.gql(DECIDE, {"id": cid, "outcome": "UPHELD", "text": "x"})) == ["ILLEGAL_TRANSITION"]


async def test_grant_in_full_is_refused_after_the_window(officer, refused, clock):
    _, app, applicant = refused
    cid = (await _file(applicant, app))["data"]["fileComplaint"]["complaint"]["id"]
    clock["now"] = datetime(2025, 3, 27, 13, 31, tzinfo=UTC)  # a minute past 18:30 Almaty on day 3
    audit = await AuditEvent.all().count()
    result = await officer.gql(GRANT, {"id": cid, "text": "Лицензия выдана"})
    assert errors_of(result) == ["COMPLAINT_GRANT_WINDOW_CLOSED"]
    assert (await Complaint.get()).status.value == "REGISTERED"
    assert await AuditEvent.all().count() == audit


async def test_forward_then_decide(officer, refused, clock):
    _, app, applicant = refused
    cid = (await _file(applicant, app))["data"]["fileComplaint"]["complaint"]["id"]
    premature = await officer.gql(DECIDE, {"id": cid, "outcome": "UPHELD", "text": "x"})
    assert errors_of(premature) == ["ILLEGAL_TRANSITION"]  # the provider forwards first
    assert errors_of(await applicant.gql(FORWARD, {"id": cid})) == ["FORBIDDEN"]
    clock["now"] = datetime(2025, 3, 26, 11, 0, tzinfo=ALMATY)
    forwarded = (await officer.gql(FORWARD, {"id": cid}))["data"]["forwardComplaint"]["complaint"]
    assert forwarded["status"] == "FORWARDED" and forwarded["forwardedOn"] == "2025-03-26"
    clock["now"] = datetime(2025, 3, 28, 11, 0, tzinfo=ALMATY)
    decided = await officer.gql(DECIDE, {"id": cid, "outcome": "PARTLY_UPHELD", "text": "Пересмотреть заявку"})
    complaint = decided["data"]["decideComplaint"]["complaint"]
    assert complaint["status"] == "PARTLY_UPHELD" and complaint["outcomeText"] == "Пересмотреть заявку"
    assert complaint["overdue"] is False
    listed = await applicant.gql(LIST, {"app": aid(app), "status": "PARTLY_UPHELD"})
    assert listed["data"]["complaints"]["totalCount"] == 1


async def test_quality_authority_decides_without_forwarding(officer, refused):
    _, app, applicant = refused
    cid = (await _file(applicant, app, "QUALITY_AUTHORITY"))["data"]["fileComplaint"]["complaint"]["id"]
    assert errors_of(await officer.gql(FORWARD, {"id": cid})) == ["ILLEGAL_TRANSITION"]
    assert errors_of(await officer.gql(GRANT, {"id": cid, "text": "x"})) == ["ILLEGAL_TRANSITION"]
    decided = await officer.gql(DECIDE, {"id": cid, "outcome": "REJECTED", "text": "Отказ обоснован"})
    assert decided["data"]["decideComplaint"]["complaint"]["status"] == "REJECTED"


async def test_applicant_sees_only_its_own_complaints(client, officer, refused):
    _, app, applicant = refused
    await _file(applicant, app)
    other_miner = await make_miner()
    other_app = await make_application(other_miner)
    other = await make_caller(client, Role.APPLICANT, miner=other_miner)
    await _file(other, other_app)
    assert (await officer.gql(LIST))["data"]["complaints"]["totalCount"] == 2
    mine = await applicant.gql(LIST)
    assert mine["data"]["complaints"]["totalCount"] == 1
    theirs = await Complaint.get(application_id=other_app.id)
    node = await applicant.gql(
        "query($id: ID!) { node(id: $id) { ... on Complaint { status } } }", {"id": to_global_id("Complaint", theirs.id)}
    )
    assert errors_of(node) == ["NOT_FOUND"]
    assert errors_of(await applicant.gql(FORWARD, {"id": to_global_id("Complaint", theirs.id)})) == ["FORBIDDEN"]
    assert errors_of(await officer.gql(FORWARD, {"id": to_global_id("Complaint", 999)})) == ["NOT_FOUND"]


async def test_overdue_checker_flags_an_unforwarded_complaint_once(officer, refused):
    _, app, applicant = refused
    cid = (await _file(applicant, app))["data"]["fileComplaint"]["complaint"]["id"]
    before = await recompute_overdue({}, now=datetime(2025, 3, 27, 13, 29, tzinfo=UTC))
    assert before["complaints"] == 0
    first = await recompute_overdue({}, now=datetime(2025, 3, 27, 13, 31, tzinfo=UTC))
    second = await recompute_overdue({}, now=datetime(2025, 3, 28, 6, 0, tzinfo=UTC))
    assert first["complaints"] == 1 and second["complaints"] == 0
    assert await OutboxEvent.filter(topic="alert.complaint_overdue").count() == 1
    shown = await officer.gql("query($id: ID!) { node(id: $id) { ... on Complaint { overdue } } }", {"id": cid})
    assert shown["data"]["node"]["overdue"] is True
