"""Complaints about a decision, an action or the inaction of the provider (001 §19-23) through
GraphQL.

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
from tests.factories import ERRORS, error_paths, errors_of, make_caller, make_miner
from tests.sqlcount import count_statements, count_tasks

FILED_AT = datetime(2025, 3, 19, 10, 0, tzinfo=ALMATY)
FORWARD_DUE = "2025-03-27T13:30:00+00:00"
PROVIDER_REVIEW_DUE = "2025-03-31T13:30:00+00:00"
AUTHORITY_REVIEW_DUE = "2025-04-14T13:30:00+00:00"

FIELDS = """id status reviewer text receivedAt registeredOn forwardDueAt forwardDueOn reviewDueAt reviewDueOn
            forwardedOn outcomeText decidedAt overdue application { id stage }"""
_STEP = "errors { ... on IllegalComplaintStep { status reviewer } }"
_WINDOW = "errors { ... on ComplaintGrantWindowClosed { forwardDueAt } }"
FILE = f"""
mutation($app: ID!, $reviewer: ComplaintReviewer!, $text: String!, $key: String) {{
  fileComplaint(input: {{applicationId: $app, reviewer: $reviewer, text: $text, clientMutationId: $key}}) {{
    complaint {{ {FIELDS} }} {ERRORS} }}
}}"""
GRANT = f"""mutation($id: ID!, $text: String!) {{
  grantComplaintInFull(input: {{id: $id, text: $text}}) {{ complaint {{ {FIELDS} }} {ERRORS} {_STEP} {_WINDOW} }} }}"""
FORWARD = f"""mutation($id: ID!) {{
  forwardComplaint(input: {{id: $id}}) {{ complaint {{ {FIELDS} }} {ERRORS} {_STEP} }} }}"""
DECIDE = f"""
mutation($id: ID!, $outcome: ComplaintOutcome!, $text: String!) {{
  decideComplaint(input: {{id: $id, outcome: $outcome, text: $text}}) {{ complaint {{ {FIELDS} }} {ERRORS} }}
}}"""
LIST = """
query($app: ID, $status: ComplaintStatus, $reviewer: ComplaintReviewer) {
  complaints(applicationId: $app, status: $status, reviewer: $reviewer) { totalCount edges { node { id status } } }
}"""


async def make_application(miner, stage=Stage.REFUSED, **fields) -> Application:
    decided = stage in (Stage.APPROVED, Stage.REFUSED, Stage.INCOMPLETE_REFUSED, Stage.WITHDRAWN)
    data = {
        "procedure": ProcedureCode.LICENSE_ISSUE,
        "stage": stage,
        "channel": Channel.PORTAL,
        "miner_id": miner.id,
        "received_at": datetime(2025, 2, 3, 5, tzinfo=UTC),
        "registered_on": date(2025, 2, 3),
        "decided_at": datetime(2025, 3, 18, 6, tzinfo=UTC) if decided else None,
        **fields,
    }
    return await Application.create(**data)


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
    return str(to_global_id("Application", app.id))


def cid_of(pk) -> str:
    return str(to_global_id("Complaint", pk))


async def _file(caller, app, reviewer="PROVIDER", text="Отказ не мотивирован", key=None):
    return await caller.gql(FILE, {"app": aid(app), "reviewer": reviewer, "text": text, "key": key})


async def _filed(caller, app, reviewer="PROVIDER") -> str:
    result = await _file(caller, app, reviewer)
    assert errors_of(result) == [], result
    return result["data"]["fileComplaint"]["complaint"]["id"]


async def test_provider_complaint_terms_across_nauryz(refused):
    _, app, applicant = refused
    result = await _file(applicant, app)
    assert errors_of(result) == [], result
    complaint = result["data"]["fileComplaint"]["complaint"]
    assert complaint["status"] == "REGISTERED" and complaint["reviewer"] == "PROVIDER"
    assert complaint["receivedAt"] == "2025-03-19T05:00:00+00:00" and complaint["registeredOn"] == "2025-03-19"
    assert (complaint["forwardDueAt"], complaint["forwardDueOn"]) == (FORWARD_DUE, "2025-03-27")
    assert (complaint["reviewDueAt"], complaint["reviewDueOn"]) == (PROVIDER_REVIEW_DUE, "2025-03-31")
    assert complaint["application"] == {"id": aid(app), "stage": "REFUSED"}
    assert complaint["overdue"] is False and complaint["decidedAt"] is None
    assert await AuditEvent.filter(action="complaint.filed").count() == 1
    assert await OutboxEvent.filter(topic="complaint.filed").count() == 1


async def test_quality_authority_complaint_has_fifteen_days_and_nothing_to_forward(refused):
    _, app, applicant = refused
    complaint = (await _file(applicant, app, "QUALITY_AUTHORITY"))["data"]["fileComplaint"]["complaint"]
    assert complaint["forwardDueAt"] is None and complaint["forwardDueOn"] is None
    assert (complaint["reviewDueAt"], complaint["reviewDueOn"]) == (AUTHORITY_REVIEW_DUE, "2025-04-14")


async def test_complaint_after_hours_is_registered_next_working_day(refused, clock):
    _, app, applicant = refused
    clock["now"] = datetime(2025, 3, 20, 18, 30, tzinfo=ALMATY)  # Thu at closing time; then Nauryz
    complaint = (await _file(applicant, app))["data"]["fileComplaint"]["complaint"]
    assert complaint["registeredOn"] == "2025-03-26"
    # 3 WD from Wed 26: Thu 27, Fri 28, Mon 31.
    assert complaint["forwardDueAt"] == "2025-03-31T13:30:00+00:00"


@pytest.mark.parametrize("stage", [Stage.APPROVED, Stage.REFUSED, Stage.INCOMPLETE_REFUSED])
async def test_every_decision_can_be_complained_of(client, clock, stage):
    miner = await make_miner()
    app = await make_application(miner, stage)
    applicant = await make_caller(client, Role.APPLICANT, miner=miner)
    assert errors_of(await _file(applicant, app)) == []


@pytest.mark.parametrize("stage", [Stage.REGISTERED, Stage.UNDER_REVIEW, Stage.HEARING_SCHEDULED])
async def test_an_action_or_the_inaction_on_an_open_application_can_be_complained_of(client, clock, stage):
    """001 §19-20: decisions, actions *or inaction*, e.g. an application left past its term."""
    miner = await make_miner()
    app = await make_application(miner, stage, decision_due=datetime(2025, 2, 24, 13, 30, tzinfo=UTC))
    applicant = await make_caller(client, Role.APPLICANT, miner=miner)
    result = await _file(applicant, app, text="Срок рассмотрения истёк 24.02.2025, решения нет")
    assert errors_of(result) == [], result
    assert result["data"]["fileComplaint"]["complaint"]["application"]["stage"] == stage.value


async def test_an_application_not_yet_registered_is_a_conflict(client, clock):
    miner = await make_miner()
    app = await make_application(miner, Stage.SUBMITTED, registered_on=None)
    applicant = await make_caller(client, Role.APPLICANT, miner=miner)
    audit = await AuditEvent.all().count()
    result = await _file(applicant, app)
    assert errors_of(result) == ["CONFLICT"] and error_paths(result) == [["applicationId"]]
    assert await Complaint.all().count() == 0 and await AuditEvent.all().count() == audit


async def test_only_the_applicants_own_application(client, officer, refused):
    _, app, _ = refused
    stranger = await make_caller(client, Role.APPLICANT, miner=await make_miner())
    not_found = await _file(stranger, app)
    assert errors_of(not_found) == ["NOT_FOUND"] and error_paths(not_found) == [["applicationId"]]
    assert errors_of(await _file(officer, app)) == ["FORBIDDEN"]  # the applicant complains, not the provider
    wrong_id = await stranger.gql(FILE, {"app": str(to_global_id("Miner", 1)), "reviewer": "PROVIDER", "text": "x"})
    assert errors_of(wrong_id) == ["INVALID_ID"] and error_paths(wrong_id) == [["applicationId"]]
    assert await Complaint.all().count() == 0


@pytest.mark.parametrize("text", ["   ", "x" * 10_001])
async def test_empty_or_over_long_text_is_rejected(refused, text):
    _, app, applicant = refused
    result = await _file(applicant, app, text=text)
    assert errors_of(result) == ["VALIDATION"] and error_paths(result) == [["text"]]
    assert await Complaint.all().count() == 0


async def test_a_double_submit_files_one_complaint(refused):
    _, app, applicant = refused
    first = await _file(applicant, app, key="complaint-1")
    again = await _file(applicant, app, key="complaint-1")
    assert errors_of(first) == errors_of(again) == []
    assert first["data"]["fileComplaint"]["complaint"]["id"] == again["data"]["fileComplaint"]["complaint"]["id"]
    assert await Complaint.all().count() == 1
    other = await _file(applicant, app, text="Другой текст", key="complaint-1")
    assert errors_of(other) == ["CONFLICT"] and error_paths(other) == [["clientMutationId"]]
    assert await Complaint.all().count() == 1


async def test_grant_in_full_within_three_working_days(officer, refused, clock):
    _, app, applicant = refused
    cid = await _filed(applicant, app)
    clock["now"] = datetime(2025, 3, 27, 13, 29, tzinfo=UTC)
    result = await officer.gql(GRANT, {"id": cid, "text": "Лицензия выдана"})
    assert errors_of(result) == [], result
    granted = result["data"]["grantComplaintInFull"]["complaint"]
    assert granted["status"] == "GRANTED_BY_PROVIDER" and granted["outcomeText"] == "Лицензия выдана"
    assert granted["decidedAt"] == "2025-03-27T13:29:00+00:00" and granted["overdue"] is False
    # Nothing left to forward or decide: a typed error with the complaint's status.
    forward = await officer.gql(FORWARD, {"id": cid})
    assert errors_of(forward) == ["ILLEGAL_TRANSITION"]
    error = forward["data"]["forwardComplaint"]["errors"][0]
    assert (error["__typename"], error["status"], error["reviewer"]) == (
        "IllegalComplaintStep", "GRANTED_BY_PROVIDER", "PROVIDER",
    )
    assert errors_of(await officer.gql(DECIDE, {"id": cid, "outcome": "UPHELD", "text": "x"})) == ["ILLEGAL_TRANSITION"]


async def test_grant_in_full_is_refused_after_the_window(officer, refused, clock):
    _, app, applicant = refused
    cid = await _filed(applicant, app)
    clock["now"] = datetime(2025, 3, 27, 13, 31, tzinfo=UTC)  # a minute past 18:30 Almaty on day 3
    audit = await AuditEvent.all().count()
    result = await officer.gql(GRANT, {"id": cid, "text": "Лицензия выдана"})
    assert errors_of(result) == ["COMPLAINT_GRANT_WINDOW_CLOSED"]
    error = result["data"]["grantComplaintInFull"]["errors"][0]
    assert (error["__typename"], error["forwardDueAt"]) == ("ComplaintGrantWindowClosed", FORWARD_DUE)
    assert (await Complaint.get()).status.value == "REGISTERED"
    assert await AuditEvent.all().count() == audit


async def test_forward_then_decide(officer, refused, clock):
    _, app, applicant = refused
    cid = await _filed(applicant, app)
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


async def test_a_late_step_stays_overdue(officer, refused, clock):
    _, app, applicant = refused
    cid = await _filed(applicant, app)
    clock["now"] = datetime(2025, 3, 28, 11, 0, tzinfo=ALMATY)  # forwarded on day 4
    forwarded = (await officer.gql(FORWARD, {"id": cid}))["data"]["forwardComplaint"]["complaint"]
    assert forwarded["forwardedOn"] == "2025-03-28" and forwarded["overdue"] is True
    clock["now"] = datetime(2025, 3, 28, 12, 0, tzinfo=ALMATY)
    decided = await officer.gql(DECIDE, {"id": cid, "outcome": "REJECTED", "text": "Отказ обоснован"})
    assert decided["data"]["decideComplaint"]["complaint"]["overdue"] is True


async def test_quality_authority_decides_without_forwarding(officer, refused):
    _, app, applicant = refused
    cid = await _filed(applicant, app, "QUALITY_AUTHORITY")
    forward = await officer.gql(FORWARD, {"id": cid})
    assert errors_of(forward) == ["ILLEGAL_TRANSITION"]
    assert forward["data"]["forwardComplaint"]["errors"][0]["reviewer"] == "QUALITY_AUTHORITY"
    assert errors_of(await officer.gql(GRANT, {"id": cid, "text": "x"})) == ["ILLEGAL_TRANSITION"]
    decided = await officer.gql(DECIDE, {"id": cid, "outcome": "REJECTED", "text": "Отказ обоснован"})
    assert decided["data"]["decideComplaint"]["complaint"]["status"] == "REJECTED"
    listed = await officer.gql(LIST, {"reviewer": "QUALITY_AUTHORITY"})
    assert listed["data"]["complaints"]["totalCount"] == 1
    assert (await officer.gql(LIST, {"reviewer": "PROVIDER"}))["data"]["complaints"]["totalCount"] == 0


async def test_applicant_sees_only_its_own_complaints(client, officer, refused):
    _, app, applicant = refused
    await _filed(applicant, app)
    other_miner = await make_miner()
    other_app = await make_application(other_miner)
    other = await make_caller(client, Role.APPLICANT, miner=other_miner)
    await _filed(other, other_app)
    assert (await officer.gql(LIST))["data"]["complaints"]["totalCount"] == 2
    mine = await applicant.gql(LIST)
    assert mine["data"]["complaints"]["totalCount"] == 1
    theirs = await Complaint.get(application_id=other_app.id)
    node = await applicant.gql("query($id: ID!) { node(id: $id) { ... on Complaint { status } } }", {"id": cid_of(theirs.id)})
    assert node == {"data": {"node": None}}
    # An applicant may not take the provider's steps; another organisation's complaint is not
    # disclosed either: the role is refused first, whatever the id.
    assert errors_of(await applicant.gql(FORWARD, {"id": cid_of(theirs.id)})) == ["FORBIDDEN"]
    missing = await officer.gql(FORWARD, {"id": cid_of(999)})
    assert errors_of(missing) == ["NOT_FOUND"] and error_paths(missing) == [["id"]]
    partner = await make_caller(client, Role.PARTNER)
    assert (await partner.gql(LIST))["data"]["complaints"]["totalCount"] == 0


async def test_overdue_checker_flags_an_unforwarded_complaint_once(officer, refused, clock):
    _, app, applicant = refused
    cid = await _filed(applicant, app)
    before = await recompute_overdue({}, now=datetime(2025, 3, 27, 13, 29, tzinfo=UTC))
    assert before["complaints"] == 0
    first = await recompute_overdue({}, now=datetime(2025, 3, 27, 13, 31, tzinfo=UTC))
    second = await recompute_overdue({}, now=datetime(2025, 3, 28, 6, 0, tzinfo=UTC))
    assert first["complaints"] == 1 and second["complaints"] == 0
    assert await OutboxEvent.filter(topic="alert.complaint_overdue").count() == 1
    clock["now"] = datetime(2025, 3, 28, 6, 0, tzinfo=UTC)
    shown = await officer.gql("query($id: ID!) { node(id: $id) { ... on Complaint { overdue } } }", {"id": cid})
    assert shown["data"]["node"]["overdue"] is True


async def test_error_messages_are_localised(officer, refused, clock):
    _, app, applicant = refused
    cid = await _filed(applicant, app)
    clock["now"] = datetime(2025, 3, 28, 6, 0, tzinfo=UTC)
    for language, word in (("kk", "3 жұмыс күні"), ("ru", "3 рабочих дня"), ("en", "3-working-day")):
        officer.language = language
        result = await officer.gql(GRANT, {"id": cid, "text": "x"})
        assert word in result["data"]["grantComplaintInFull"]["errors"][0]["message"], result


async def test_a_page_of_complaints_costs_the_same_statements_at_10_and_100(client, officer, clock):
    miners = [await make_miner() for _ in range(5)]
    for i in range(100):
        app = await make_application(miners[i % 5])
        await Complaint.create(
            application_id=app.id, reviewer="PROVIDER", text=f"c{i}", received_at=FILED_AT,
            registered_on=date(2025, 3, 19), forward_due=datetime(2025, 3, 27, 13, 30, tzinfo=UTC),
            review_due=datetime(2025, 3, 31, 13, 30, tzinfo=UTC),
        )
    q = """query($n: Int) { complaints(first: $n) { totalCount edges { node {
             status reviewDueOn overdue application { id stage miner { name } } } } } }"""
    await officer.gql("{ __typename }")  # the token's last-use time is written once, not per request
    with count_statements() as small, count_tasks() as small_tasks:
        few = await officer.gql(q, {"n": 10})
    with count_statements() as large, count_tasks() as large_tasks:
        many = await officer.gql(q, {"n": 100})
    assert errors_of(few) == errors_of(many) == []
    edges = many["data"]["complaints"]["edges"]
    assert len(edges) == 100 and all(e["node"]["application"]["miner"]["name"] for e in edges)
    print(f"complaints: {len(small)} statements at page 10, {len(large)} at page 100; "
          f"tasks {len(small_tasks)} and {len(large_tasks)}")
    assert len(small) == len(large), "\n".join(s[:100] for s in [*small, "---", *large])
    # The fields return loaded values at once (the page is primed): no task per row and field.
    assert len(small_tasks) == len(large_tasks), (small_tasks, large_tasks)


FILE_ABOUT = f"""
mutation($app: ID!, $subject: ComplaintSubject!, $text: String!) {{
  fileComplaint(input: {{applicationId: $app, reviewer: PROVIDER, subject: $subject, text: $text}}) {{
    complaint {{ subject {FIELDS} }} {ERRORS} }}
}}"""


async def test_001_s19_complaint_about_the_inaction_on_an_application_past_its_decision_term(client, clock):
    """001 §19-20: "решение, действие (бездействие)": the subject is recorded, and the complaint
    about an application left past its decision term keeps the 3 WD / 5 WD terms."""
    miner = await make_miner()
    app = await make_application(miner, Stage.UNDER_REVIEW, decision_due=datetime(2025, 2, 24, 13, 30, tzinfo=UTC))
    applicant = await make_caller(client, Role.APPLICANT, miner=miner)
    result = await applicant.gql(FILE_ABOUT, {"app": aid(app), "subject": "INACTION",
                                              "text": "Срок рассмотрения истёк 24.02.2025, решения нет"})
    assert errors_of(result) == [], result
    complaint = result["data"]["fileComplaint"]["complaint"]
    assert complaint["subject"] == "INACTION" and complaint["application"]["stage"] == "UNDER_REVIEW"
    assert (complaint["forwardDueAt"], complaint["reviewDueAt"]) == (FORWARD_DUE, PROVIDER_REVIEW_DUE)
    assert (await Complaint.get()).subject.value == "INACTION"
    listed = await applicant.gql(
        "query($s: ComplaintSubject) { complaints(subject: $s) { totalCount } }", {"s": "INACTION"}
    )
    assert listed["data"]["complaints"]["totalCount"] == 1
    other = await applicant.gql("{ complaints(subject: DECISION) { totalCount } }")
    assert other["data"]["complaints"]["totalCount"] == 0


@pytest.mark.parametrize("stage", [Stage.REGISTERED, Stage.PRELIMINARY_REFUSAL, Stage.APPROVED])
async def test_002_s17_complaint_about_an_action_on_a_registry_application_at_any_stage(client, clock, stage):
    miner = await make_miner()
    app = await make_application(miner, stage, procedure=ProcedureCode.ASIC_INCLUSION)
    applicant = await make_caller(client, Role.APPLICANT, miner=miner)
    result = await applicant.gql(FILE_ABOUT, {"app": aid(app), "subject": "ACTION", "text": "Не приняли документы"})
    assert errors_of(result) == [], result
    assert result["data"]["fileComplaint"]["complaint"]["subject"] == "ACTION"


async def test_a_complaint_without_a_subject_is_about_a_decision(refused):
    _, app, applicant = refused
    await _filed(applicant, app)
    assert (await Complaint.get()).subject.value == "DECISION"


async def test_an_unknown_subject_is_refused_and_nothing_is_written(refused):
    _, app, applicant = refused
    result = await applicant.gql(FILE_ABOUT, {"app": aid(app), "subject": "MOOD", "text": "x"})
    assert errors_of(result) and await Complaint.all().count() == 0
