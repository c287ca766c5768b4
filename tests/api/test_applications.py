"""The application engine's read path and work queues through GraphQL: the `applications` list
(filters, sort orders, the overdue rule), `application(id:)`, what each role sees and may do,
typed errors in three languages, idempotent filing, assignment, previews, and the statements a
page costs."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from strawberry import relay

from models.applications import Application
from models.audit import AuditEvent
from resolvers import applications as engine
from resolvers import licensing as uc
from rules.access import SYSTEM
from rules.calendar import ALMATY
from rules.enums import Channel, ElectricityPurchase, Role
from rules.qualification import Confirmations, DocumentKind
from rules.workflow import HearingOutcome, LicenseSubtype, ProcedureCode, Stage
from tests.api.licensing_flow import (
    APPLY,
    SUBTYPE_I_DOCS,
    apply,
    filed,
    gid,
    license_input,
    ok,
    payload_of,
    step,
)
from tests.factories import (
    error_paths,
    errors_of,
    make_caller,
    make_data_center,
    make_miner,
)
from tests.sqlcount import count_statements, count_tasks

ALL = Confirmations(official_contacts=True, no_court_ban=True, documents_true=True, personal_data_consent=True)
DOCS = (
    uc.DocumentItem(DocumentKind.DC_OWNERSHIP, "Договор"),
    uc.DocumentItem(DocumentKind.DC_OUTSIDE_RESIDENTIAL, "Письмо акимата"),
    uc.DocumentItem(DocumentKind.POOL_EVIDENCE, "Договор с пулом"),
    uc.DocumentItem(DocumentKind.ASKUE_TELECOM, "Акт АСКУЭ"),
    uc.DocumentItem(DocumentKind.GRID_TECH_CONDITIONS, "ТУ 110 кВ"),
)
PAPER = datetime(2025, 3, 19, 10, 0, tzinfo=ALMATY)  # completeness 2025-03-26, decision 2025-04-14


async def file_license(miner, dcs, *, received_at: datetime | None = PAPER, documents=DOCS, confirmations=ALL) -> Application:
    """A subtype-I application filed through the use case (fast; the API path is tested elsewhere)."""
    return await uc.apply_for_license(
        SYSTEM,
        uc.ApplyForLicense(
            subtype=LicenseSubtype.I, miner_id=miner.id, data_center_ids=tuple(dc.id for dc in dcs),
            electricity_purchase=ElectricityPurchase.SINGLE_BUYER, confirmations=confirmations,
            documents=documents, received_at=received_at,
        ),
    )


def ids_of(connection: dict) -> list[str]:
    return [e["node"]["id"] for e in connection["edges"]]


# --- typed errors in the caller's language ------------------------------------------------------

_INCOMPLETE = {"kk": "2 кемшілік", "ru": "замечаний: 2", "en": "2 problem(s)"}
# The code's message, naming the document (001 App.11 item 1.4) in the request's language.
_MISSING_DOC = {"kk": "Міндетті құжат ұсынылмаған: электр энергиясын коммерциялық есепке алудың",
                "ru": "Не представлен обязательный документ: документ о наличии автоматизированной системы"}
_TOO_LATE = {"kk": "соңғы рұқсат етілген күн 2025-04-09", "ru": "последний допустимый день 2025-04-09",
             "en": "the last allowed day is 2025-04-09"}
_NOT_FOR_SUBTYPE = {"kk": "кіші түріне жатпайды", "ru": "не относится к подвиду", "en": "does not belong to subtype"}


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
async def test_typed_errors_carry_their_data_paths_and_messages_in_the_request_language(client, officer, language):
    miner = await make_miner()
    dc = await make_data_center(miner)
    applicant = await make_caller(client, Role.APPLICANT, miner=miner)
    applicant.language = officer.language = language

    # The applicant files a document of the other subtype: the path is the input field as sent.
    wrong = await apply(applicant, license_input(miner, [dc], documents=[*SUBTYPE_I_DOCS, {"kind": "HOSTING_LETTER_OF_INTENT", "title": "x"}]))
    error = payload_of(wrong, "applyForLicense")["errors"][0]
    assert (error["__typename"], error["code"], error["path"]) == ("InvalidInput", "DOCUMENT_NOT_FOR_SUBTYPE", ["documents", "5", "kind"])
    assert _NOT_FOR_SUBTYPE[language] in error["message"]

    # An incomplete package: every problem in a list, each with its camelCase path.
    docs = [d for d in SUBTYPE_I_DOCS if d["kind"] != "ASKUE_TELECOM"]
    confirmations = {"officialContacts": False, "noCourtBan": True, "documentsTrue": True, "personalDataConsent": True}
    app = await filed(applicant, license_input(miner, [dc], documents=docs, confirmations=confirmations))
    result = await step(officer, "acceptApplication", app["id"])
    error = payload_of(result, "acceptApplication")["errors"][0]
    assert (error["__typename"], error["code"], error["path"]) == ("ApplicationIncomplete", "APPLICATION_INCOMPLETE", None)
    assert _INCOMPLETE[language] in error["message"]
    assert sorted((p["code"], tuple(p["path"])) for p in error["problems"]) == [
        ("MISSING_CONFIRMATION", ("confirmations", "officialContacts")),
        ("MISSING_DOCUMENT", ("documents", "ASKUE_TELECOM")),
    ]
    missing_doc = next(p for p in error["problems"] if p["code"] == "MISSING_DOCUMENT")
    if language == "en":
        assert "ASKUE_TELECOM missing" in missing_doc["message"]
    else:
        assert missing_doc["message"].startswith(_MISSING_DOC[language])
    # The same problems are on the application, before anyone acts.
    seen = await applicant.gql("query($id: ID!) { application(id: $id) { completenessProblems { code path } } }", {"id": app["id"]})
    assert len(seen["data"]["application"]["completenessProblems"]) == 2

    # A hearing notice too late: its last allowed day as data and in the message.
    paper = await filed(officer, license_input(miner, [dc], received_at="2025-03-19T10:00:00+05:00"))
    await step(officer, "acceptApplication", paper["id"])
    await step(officer, "preliminaryRefuse", paper["id"], grounds=["NON_COMPLIANCE"], text="ТУ не соответствуют")
    late = await step(officer, "scheduleHearing", paper["id"], noticeSentOn="2025-04-10", hearingTime="10:30", hearingOn="2025-04-11", place="Астана")
    error = payload_of(late, "scheduleHearing")["errors"][0]
    assert (error["__typename"], error["code"], error["lastDay"]) == ("HearingNoticeTooLate", "HEARING_NOTICE_TOO_LATE", "2025-04-09")
    assert _TOO_LATE[language] in error["message"]


# --- the overdue rule: the filter and the field agree -------------------------------------------


async def test_overdue_filter_and_field_agree_on_one_response(officer):
    miner = await make_miner()
    dc = await make_data_center(miner)
    past_completeness = await file_license(miner, [dc])  # REGISTERED, completeness term ended 2025-03-26
    past_decision = await file_license(miner, [dc])
    await engine.accept_complete(SYSTEM, engine.AcceptApplication(past_decision.id))  # decision term ended 2025-04-14
    fresh = await file_license(miner, [dc], received_at=None)  # filed now: its terms are ahead
    moved = await file_license(miner, [dc])
    await engine.accept_complete(SYSTEM, engine.AcceptApplication(moved.id))
    later = datetime.now(UTC) + timedelta(days=20)
    await Application.filter(id=moved.id).update(decision_due=later, next_due_at=later)  # moved into the future
    decided = await file_license(miner, [dc])
    await engine.withdraw(SYSTEM, engine.WithdrawApplication(decided.id))  # terms long past, but decided

    q = """{ all: applications(first: 100) { edges { node { id overdue nextDeadline { kind } daysLeft } } }
             late: applications(first: 100, overdue: true) { edges { node { id overdue } } }
             onTime: applications(first: 100, overdue: false) { edges { node { id overdue } } } }"""
    data = (await officer.gql(q))["data"]
    flagged = {e["node"]["id"] for e in data["all"]["edges"] if e["node"]["overdue"]}
    assert flagged == set(ids_of(data["late"])) == {gid("Application", past_completeness.id), gid("Application", past_decision.id)}
    assert all(e["node"]["overdue"] for e in data["late"]["edges"])
    assert not any(e["node"]["overdue"] for e in data["onTime"]["edges"])
    assert set(ids_of(data["late"])) | set(ids_of(data["onTime"])) == set(ids_of(data["all"]))
    by_id = {e["node"]["id"]: e["node"] for e in data["all"]["edges"]}
    assert by_id[gid("Application", past_completeness.id)]["nextDeadline"] == {"kind": "COMPLETENESS"}
    assert by_id[gid("Application", past_decision.id)]["nextDeadline"] == {"kind": "DECISION"}
    assert by_id[gid("Application", decided.id)] | {"id": None} == {"id": None, "overdue": False, "nextDeadline": None, "daysLeft": None}
    assert by_id[gid("Application", moved.id)]["daysLeft"] > 0 and by_id[gid("Application", fresh.id)]["daysLeft"] >= 0
    assert all(by_id[i]["daysLeft"] < 0 for i in flagged)


async def test_the_engine_keeps_next_due_at_on_every_path(officer, engine_clock):
    miner = await make_miner()
    dc = await make_data_center(miner)
    app = await file_license(miner, [dc])
    assert app.next_due_at == app.completeness_due  # REGISTERED: the completeness term
    await uc.record_payment(SYSTEM, uc.RecordPayment(app.id, "KASPI-7", date(2025, 3, 20), Decimal("7864000")))
    app = await engine.accept_complete(SYSTEM, engine.AcceptApplication(app.id))
    assert app.next_due_at == app.decision_due
    app = await engine.preliminary_refuse(SYSTEM, engine.PreliminaryRefuse(app.id, ("NON_COMPLIANCE",), "ТУ"))
    assert app.next_due_at == app.decision_due
    app = await engine.schedule_hearing(SYSTEM, engine.ScheduleHearing(app.id, date(2025, 4, 9), date(2025, 4, 11), "Астана",
                                                                       time(10, 30, 15)))
    assert app.next_due_at == app.decision_due
    stored = await Application.get(id=app.id)  # the notice states the time: kept, to the minute
    assert (stored.hearing_on, stored.hearing_time, stored.hearing_place) == (date(2025, 4, 11), "10:30", "Астана")
    app, _ = await engine.approve(SYSTEM, engine.ApproveApplication(app.id, "г. Астана", HearingOutcome.HELD))
    assert app.next_due_at is None and app.decided_at is not None
    stored = await Application.get(id=app.id)
    assert stored.next_due_at is None and stored.stage is Stage.APPROVED
    engine_clock(datetime(2025, 3, 20, 10, tzinfo=ALMATY))  # within the completeness term
    refused = await file_license(miner, [dc], documents=DOCS[:3])
    refused = await engine.refuse_incomplete(SYSTEM, engine.RefuseIncomplete(refused.id, "Нет АСКУЭ"))
    assert refused.next_due_at is None


# --- sorting by the days left pages correctly ---------------------------------------------------


async def test_sorting_by_days_left_pages_forward_without_gaps_or_repeats_nulls_last(officer):
    miner = await make_miner()
    base = datetime(2025, 6, 2, 13, 30, tzinfo=UTC)
    rows = []
    for i in range(250):
        decided = i % 9 == 0  # decided: no current term, so no `next_due_at`
        due = None if decided else base + timedelta(days=(i * 37) % 60)  # many ties
        rows.append(Application(
            procedure=ProcedureCode.LICENSE_ISSUE, stage=Stage.APPROVED if decided else Stage.UNDER_REVIEW,
            channel=Channel.PORTAL, miner_id=miner.id, received_at=base, registered_on=date(2025, 6, 2),
            incoming_number=f"LIC-2025-T{i:05d}", decision_due=due, next_due_at=due,
        ))
    await Application.bulk_create(rows)
    stored = await Application.filter(miner_id=miner.id).values_list("id", "next_due_at")
    assert len(stored) == 250
    q = """query($after: String, $dir: OrderDirection!) { applications(first: 37, after: $after,
             orderBy: {field: DAYS_LEFT, direction: $dir}) {
             edges { node { id daysLeft } } pageInfo { hasNextPage endCursor } } }"""
    for direction in ("ASC", "DESC"):
        seen, days, after = [], [], None
        while True:
            page = (await officer.gql(q, {"after": after, "dir": direction}))["data"]["applications"]
            seen += ids_of(page)
            days += [e["node"]["daysLeft"] for e in page["edges"]]
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        dated = sorted((due, pk) for pk, due in stored if due is not None)
        if direction == "DESC":
            dated.reverse()
        undated = sorted(pk for pk, due in stored if due is None)
        if direction == "DESC":
            undated.reverse()
        assert seen == [gid("Application", pk) for _, pk in dated] + [gid("Application", pk) for pk in undated]
        assert len(set(seen)) == 250
        known = [d for d in days if d is not None]
        assert days == known + [None] * len(undated)  # nulls last in both directions
        assert known == sorted(known, reverse=direction == "DESC")


@pytest.mark.parametrize("field", ["DECISION_DUE", "REGISTERED_ON", "NUMBER", "CREATED"])
async def test_other_orders_page_through_everything(officer, field):
    miner = await make_miner()
    dc = await make_data_center(miner)
    for received in ("2025-03-19T10:00:00+05:00", "2025-03-21T10:00:00+05:00", "2025-03-19T19:00:00+05:00"):
        await file_license(miner, [dc], received_at=datetime.fromisoformat(received))
    q = ("query($after: String) { applications(first: 2, after: $after, orderBy: {field: " + field + "}) {"
         " edges { node { id decisionDueAt registeredOn incomingNumber } } pageInfo { hasNextPage endCursor } } }")
    seen, after = [], None
    while True:
        page = (await officer.gql(q, {"after": after}))["data"]["applications"]
        seen += [e["node"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    key = {"DECISION_DUE": "decisionDueAt", "REGISTERED_ON": "registeredOn", "NUMBER": "incomingNumber", "CREATED": "id"}[field]
    values = [n[key] for n in seen]
    assert len(seen) == 3
    if field != "CREATED":
        assert values == sorted(values)


# --- who sees what, who may do what --------------------------------------------------------------


async def test_partner_systems_see_no_applications(client, officer):
    miner = await make_miner()
    app = await file_license(miner, [await make_data_center(miner)])
    partner = await make_caller(client, Role.PARTNER)
    inspector = await make_caller(client, Role.INSPECTOR)
    q = "query($id: ID!) { application(id: $id) { id } node(id: $id) { id } applications { totalCount edges { node { id } } } }"
    seen = await partner.gql(q, {"id": gid("Application", app.id)})
    assert "errors" not in seen
    assert seen["data"] == {"application": None, "node": None, "applications": {"totalCount": 0, "edges": []}}
    by_inspector = (await inspector.gql(q, {"id": gid("Application", app.id)}))["data"]
    assert by_inspector["application"] == {"id": gid("Application", app.id)} and by_inspector["applications"]["totalCount"] == 1


async def test_lookup_is_null_for_missing_and_foreign_alike(client, officer):
    own, other = await make_miner(), await make_miner()
    mine = await file_license(own, [await make_data_center(own)])
    theirs = await file_license(other, [await make_data_center(other)])
    applicant = await make_caller(client, Role.APPLICANT, miner=own)
    q = "query($a: ID!, $b: ID!, $c: ID!) { a: application(id: $a) { id } b: application(id: $b) { id } c: application(id: $c) { id } }"
    result = await applicant.gql(q, {"a": gid("Application", mine.id), "b": gid("Application", theirs.id), "c": gid("Application", 99_999)})
    assert "errors" not in result
    assert result["data"] == {"a": {"id": gid("Application", mine.id)}, "b": None, "c": None}
    wrong_type = await applicant.gql("query($id: ID!) { application(id: $id) { id } }", {"id": gid("Miner", own.id)})
    assert errors_of(wrong_type) == ["INVALID_ID"]


async def test_allowed_actions_depend_on_the_callers_role_and_organisation(client, officer, admin):
    miner = await make_miner()
    dc = await make_data_center(miner)
    app = await file_license(miner, [dc])
    reviewed = await file_license(miner, [dc])
    await engine.accept_complete(SYSTEM, engine.AcceptApplication(reviewed.id))
    callers = {
        "officer": officer,
        "admin": admin,
        "applicant": await make_caller(client, Role.APPLICANT, miner=miner),
        "other applicant": await make_caller(client, Role.APPLICANT, miner=await make_miner()),
        "inspector": await make_caller(client, Role.INSPECTOR),
    }
    q = "query($a: ID!, $b: ID!) { a: application(id: $a) { allowedActions } b: application(id: $b) { allowedActions } }"
    seen = {name: (await c.gql(q, {"a": gid("Application", app.id), "b": gid("Application", reviewed.id)}))["data"]
            for name, c in callers.items()}
    authority_registered = ["ACCEPT_COMPLETE", "REFUSE_INCOMPLETE", "WITHDRAW"]
    authority_review = ["PRELIMINARY_REFUSE", "APPROVE", "WITHDRAW"]
    assert seen["officer"] == seen["admin"] == {"a": {"allowedActions": authority_registered}, "b": {"allowedActions": authority_review}}
    assert seen["applicant"] == {"a": {"allowedActions": ["WITHDRAW"]}, "b": {"allowedActions": ["WITHDRAW"]}}
    assert seen["other applicant"] == {"a": None, "b": None}
    assert seen["inspector"] == {"a": {"allowedActions": []}, "b": {"allowedActions": []}}
    # What the field offers is what the mutations accept, and nothing else.
    applicant = callers["applicant"]
    assert errors_of(await step(applicant, "acceptApplication", gid("Application", app.id))) == ["FORBIDDEN"]
    assert errors_of(await step(callers["inspector"], "withdrawApplication", gid("Application", app.id))) == ["FORBIDDEN"]
    assert ok(await step(applicant, "withdrawApplication", gid("Application", app.id)))


# --- idempotent filing ----------------------------------------------------------------------------


async def test_a_double_submit_files_one_application(client):
    miner = await make_miner()
    dc = await make_data_center(miner)
    applicant = await make_caller(client, Role.APPLICANT, miner=miner)
    data = license_input(miner, [dc], clientMutationId="apply-2025-03-19-1")
    first = await applicant.gql(APPLY, {"i": data})
    again = await applicant.gql(APPLY, {"i": data})
    assert errors_of(first) == errors_of(again) == []
    one, two = payload_of(first, "applyForLicense")["application"], payload_of(again, "applyForLicense")["application"]
    assert one["id"] == two["id"] and one["incomingNumber"] == two["incomingNumber"]
    assert await Application.filter(miner_id=miner.id).count() == 1
    changed = await applicant.gql(APPLY, {"i": {**data, "sheets": 7}})
    assert errors_of(changed) == ["CONFLICT"] and error_paths(changed) == [["clientMutationId"]]
    refused = await applicant.gql(APPLY, {"i": {**license_input(miner, [dc], received_at="2025-03-19T10:00:00+05:00"),
                                                "clientMutationId": "retry-me"}})
    assert errors_of(refused) == ["FORBIDDEN"]  # refused: the key is not used up
    retried = await applicant.gql(APPLY, {"i": {**license_input(miner, [dc]), "clientMutationId": "retry-me"}})
    assert errors_of(retried) == []
    assert await Application.filter(miner_id=miner.id).count() == 2


# --- assignment and the queues --------------------------------------------------------------------

def _queue_query(kind: str, name: str) -> str:
    return f"query($v: {kind}!) {{ applications(first: 100, assignee: {{{name}: $v}}) {{ edges {{ node {{ id }} }} }} }}"


async def _queue(caller, queue=None, user=None):
    query = _queue_query("AssigneeQueue", "queue") if queue else _queue_query("ID", "userId")
    result = await caller.gql(query, {"v": queue or user})
    assert "errors" not in result, result
    return set(ids_of(result["data"]["applications"]))


async def test_assignment_and_the_mine_and_unassigned_queues(client, officer):
    miner = await make_miner()
    dc = await make_data_center(miner)
    first, second, third = [gid("Application", (await file_license(miner, [dc])).id) for _ in range(3)]
    colleague = await make_caller(client, Role.OFFICER)
    applicant = await make_caller(client, Role.APPLICANT, miner=miner)

    taken = await step(officer, "assignApplication", first)  # no assignee: the caller
    assert ok(taken)
    assert ok(await step(officer, "assignApplication", second, assigneeId=gid("User", colleague.user_id)))
    assert await _queue(officer, "MINE") == {first}
    assert await _queue(colleague, "MINE") == {second}
    assert await _queue(officer, "UNASSIGNED") == {third}
    assert await _queue(officer, user=gid("User", colleague.user_id)) == {second}
    mine = await officer.gql("query($id: ID!) { application(id: $id) { assignee { id } } }", {"id": first})
    assert mine["data"]["application"]["assignee"] == {"id": gid("User", officer.user_id)}

    assert ok(await step(officer, "assignApplication", first, unassign=True))
    assert await _queue(officer, "MINE") == set() and await _queue(officer, "UNASSIGNED") == {first, third}
    actions = await AuditEvent.filter(action__startswith="application.").exclude(action="application.submitted") \
        .order_by("id").values_list("action", flat=True)
    assert list(actions)[-3:] == ["application.assigned", "application.assigned", "application.unassigned"]

    assert errors_of(await step(applicant, "assignApplication", third)) == ["FORBIDDEN"]
    to_applicant = await step(officer, "assignApplication", third, assigneeId=gid("User", applicant.user_id))
    nobody = await step(officer, "assignApplication", third, assigneeId=gid("User", 99_999))
    assert errors_of(to_applicant) == errors_of(nobody) == ["NOT_FOUND"]  # only officers take applications
    assert error_paths(to_applicant) == error_paths(nobody) == [["assigneeId"]]
    both = await step(officer, "assignApplication", third, assigneeId=gid("User", officer.user_id), unassign=True)
    assert errors_of(both) == ["VALIDATION"] and error_paths(both) == [["unassign"]]
    await step(officer, "withdrawApplication", third)
    assert errors_of(await step(officer, "assignApplication", third)) == ["CONFLICT"]
    assert await _queue(officer, "UNASSIGNED") == {first, third}


# --- filters --------------------------------------------------------------------------------------


async def test_filters(officer):
    pavlodar, astana = await make_miner(), await make_miner()
    dc_p = await make_data_center(pavlodar, region="PAVLODAR")
    dc_a = await make_data_center(astana, region="ASTANA")
    a = await file_license(pavlodar, [dc_p])
    b = await file_license(astana, [dc_a], received_at=None)
    host_guest = await make_miner()
    c = await uc.apply_for_license(SYSTEM, uc.ApplyForLicense(
        subtype=LicenseSubtype.II, miner_id=host_guest.id, data_center_ids=(dc_a.id,), confirmations=ALL,
        documents=(uc.DocumentItem(DocumentKind.HOSTING_LETTER_OF_INTENT, "Письмо"),),
    ))
    await engine.accept_complete(SYSTEM, engine.AcceptApplication(a.id))

    async def found(**args):
        decl = ", ".join(f"${k}: {t}" for k, (t, _) in args.items())
        call = ", ".join(f"{k}: ${k}" for k in args)
        result = await officer.gql(f"query({decl}) {{ applications(first: 100, {call}) {{ totalCount edges {{ node {{ id }} }} }} }}",
                                   {k: v for k, (_, v) in args.items()})
        assert "errors" not in result, result
        return {int(relay.GlobalID.from_id(i).node_id) for i in ids_of(result["data"]["applications"])}

    assert await found(number=("String", a.incoming_number)) == {a.id}
    assert await found(number=("String", "lic-")) == {a.id, b.id, c.id}  # a beginning, in any case
    assert await found(number=("String", "LIC-2025-")) == {a.id}  # the paper one, registered in 2025
    assert await found(binIin=("String", astana.bin_iin[:11])) == {b.id}
    assert await found(minerId=("ID", gid("Miner", host_guest.id))) == {c.id}
    assert await found(region=("Region", "ASTANA")) == {b.id, c.id}  # c names the host's data center in Astana
    assert await found(region=("Region", "PAVLODAR")) == {a.id}
    assert await found(subtype=("LicenseSubtype", "II")) == {c.id}
    assert await found(stage=("ApplicationStage", "UNDER_REVIEW")) == {a.id}
    assert await found(procedure=("ProcedureCode", "LICENSE_ISSUE")) == {a.id, b.id, c.id}
    assert await found(procedure=("ProcedureCode", "ASIC_INCLUSION")) == set()
    soon = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    assert await found(dueBefore=("DateTime", soon)) == {a.id}  # the paper one's terms ended in 2025
    naive = await officer.gql("{ applications(dueBefore: \"2025-04-01T00:00:00\") { totalCount } }")
    assert errors_of(naive) == ["VALIDATION"] and naive["errors"][0]["extensions"]["path"] == ["dueBefore"]
    too_long = await officer.gql("query($n: String) { applications(number: $n) { totalCount } }", {"n": "L" * 300})
    assert errors_of(too_long) == ["VALIDATION"] and too_long["errors"][0]["extensions"]["path"] == ["number"]


# --- previews -------------------------------------------------------------------------------------


async def test_license_requirements_follow_the_date(officer):
    q = """query($s: LicenseSubtype!, $on: Date!) { licenseRequirements(subtype: $s, on: $on) {
             kind condition legalBasis requiredFrom description } }"""
    before = (await officer.gql(q, {"s": "I", "on": "2023-12-31"}))["data"]["licenseRequirements"]
    after = (await officer.gql(q, {"s": "I", "on": "2024-01-01"}))["data"]["licenseRequirements"]
    assert "ASKUE_TELECOM" not in [r["kind"] for r in before]
    askue = next(r for r in after if r["kind"] == "ASKUE_TELECOM")
    assert askue["requiredFrom"] == "2024-01-01" and askue["legalBasis"].startswith("001 App.11 item 1.4")
    assert {r["kind"]: r["condition"] for r in after}["POOL_EVIDENCE"] == "OWN_UNITS"
    assert len(after) == len(before) + 1 and all(r["description"] for r in after)
    ii = (await officer.gql(q, {"s": "II", "on": "2025-03-19"}))["data"]["licenseRequirements"]
    assert [r["kind"] for r in ii] == ["HOSTING_LETTER_OF_INTENT", "POOL_EVIDENCE"]
    too_early = await officer.gql(q, {"s": "I", "on": "2020-01-01"})
    assert errors_of(too_early) == ["NO_RULES_IN_FORCE"]


async def test_fee_quote(officer):
    q = """query($p: ProcedureCode!, $s: LicenseSubtype, $on: Date!) { feeQuote(procedure: $p, subtype: $s, on: $on) {
             procedure subtype on mrp year mrpRateTenge tenge reasonCode reason } }"""
    i_2025 = (await officer.gql(q, {"p": "LICENSE_ISSUE", "s": "I", "on": "2025-06-02"}))["data"]["feeQuote"]
    assert i_2025 == {"procedure": "LICENSE_ISSUE", "subtype": "I", "on": "2025-06-02", "mrp": "2000", "year": 2025,
                      "mrpRateTenge": "3932", "tenge": "7864000.00", "reasonCode": None, "reason": None}
    reissue = (await officer.gql(q, {"p": "LICENSE_REISSUE", "s": "II", "on": "2026-02-02"}))["data"]["feeQuote"]
    assert (reissue["mrp"], reissue["tenge"]) == ("0.50", "2162.50")  # 10 % of 5 MRP x 4,325
    officer.language = "en"
    unknown_year = (await officer.gql(q, {"p": "LICENSE_ISSUE", "s": "I", "on": "2031-03-02"}))["data"]["feeQuote"]
    assert (unknown_year["tenge"], unknown_year["mrpRateTenge"], unknown_year["reasonCode"]) == (None, None, "MISSING_MRP")
    assert unknown_year["reason"] == "The MRP value for 2031 is not recorded." and unknown_year["mrp"] == "2000"
    free = (await officer.gql(q, {"p": "ASIC_INCLUSION", "on": "2025-06-02"}))["data"]["feeQuote"]
    assert (free["mrp"], free["tenge"]) == ("0.00", "0.00")
    before_fees = (await officer.gql(q, {"p": "LICENSE_ISSUE", "s": "I", "on": "2023-11-01"}))["data"]["feeQuote"]
    assert (before_fees["mrp"], before_fees["tenge"]) == ("0.00", "0.00")
    no_subtype = await officer.gql(q, {"p": "LICENSE_ISSUE", "on": "2025-06-02"})
    assert errors_of(no_subtype) == ["VALIDATION"] and no_subtype["errors"][0]["extensions"]["path"] == ["subtype"]


async def test_refusal_grounds_by_date_with_their_texts(officer):
    q = """query($p: ProcedureCode!, $on: Date!) { refusalGrounds(procedure: $p, on: $on) {
             code item legalBasis text textRu textKk textEn effectiveFrom } }"""
    in_2023 = (await officer.gql(q, {"p": "LICENSE_ISSUE", "on": "2023-12-29"}))["data"]["refusalGrounds"]
    in_2024 = (await officer.gql(q, {"p": "LICENSE_ISSUE", "on": "2024-01-02"}))["data"]["refusalGrounds"]
    assert "FEE_NOT_PAID" not in [g["code"] for g in in_2023] and len(in_2023) == 7
    fee = next(g for g in in_2024 if g["code"] == "FEE_NOT_PAID")
    assert (fee["item"], fee["legalBasis"], fee["text"], fee["effectiveFrom"]) == (
        2, "001 App.3 item 10(2)", "не внесен лицензионный сбор", "2024-01-01")
    officer.language = "kk"
    pools = (await officer.gql(q, {"p": "POOL_ACCREDITATION", "on": "2025-03-19"}))["data"]["refusalGrounds"]
    assert [g["code"] for g in pools] == ["FALSE_DOCUMENTS", "NON_COMPLIANCE", "COURT_BAN", "SPECIAL_RIGHT_DEPRIVED", "NO_PD_CONSENT"]
    assert all(g["text"] == g["textKk"] for g in pools)  # Kazakh where the seeds have it


# --- what a page costs ----------------------------------------------------------------------------

PAGE = """query($n: Int) { applications(first: $n, orderBy: {field: DAYS_LEFT}) { totalCount edges { node {
  id stage incomingNumber registeredOn completenessDueAt decisionDueOn daysLeft overdue allowedActions refusalKind
  nextDeadline { kind dueAt dueOn }
  miner { name binIin }
  assignee { id login }
  stageHistory { at action toStage }
  documents { kind title validUntil }
  licenseDetails { subtype confirmations { officialContacts } dataCenters { name region } fee { mrp tenge year paid } }
  completenessProblems { code path message }
  refusalGrounds { code text }
} } } }"""


async def test_a_page_of_100_applications_costs_the_statements_of_a_page_of_10(officer):
    miners = [await make_miner() for _ in range(4)]
    dcs = {m.id: [await make_data_center(m), await make_data_center(m)] for m in miners}
    apps = []
    for i, miner in zip(range(100), itertools.cycle(miners), strict=False):
        docs = DOCS if i % 3 else DOCS[:3]  # a third miss documents: they have completeness problems
        apps.append(await file_license(miner, dcs[miner.id], documents=docs))
    await Application.filter(id__in=[a.id for a in apps[::2]]).update(assignee_id=officer.user_id)
    await officer.gql("{ __typename }")  # the token's last-use time is written once, not per request
    with count_statements() as small, count_tasks() as small_tasks:
        few = await officer.gql(PAGE, {"n": 10})
    with count_statements() as large, count_tasks() as large_tasks:
        many = await officer.gql(PAGE, {"n": 100})
    assert errors_of(few) == errors_of(many) == []
    nodes = [e["node"] for e in many["data"]["applications"]["edges"]]
    assert len(nodes) == 100
    assert all(len(n["licenseDetails"]["dataCenters"]) == 2 and len(n["stageHistory"]) == 2 for n in nodes)
    assert sum(1 for n in nodes if n["completenessProblems"]) == 34
    assert sum(1 for n in nodes if n["assignee"]) == 50
    assert all(n["licenseDetails"]["fee"]["tenge"] == "7864000.00" for n in nodes)
    assert len(small) == len(large), "\n".join(s[:100] for s in [*small, "---", *large])
    # The fields return loaded values at once: no task per row and field (issue 8 measured 1,500).
    assert len(small_tasks) == len(large_tasks), (small_tasks, large_tasks)
    print(f"\nstatements: page of 10 = {len(small)}, page of 100 = {len(large)}; "
          f"tasks: {len(small_tasks)} and {len(large_tasks)}")
