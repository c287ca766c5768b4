"""Inspections (003, issue 12) through GraphQL: appoint -> open (prefill from the registry) ->
reconcile -> confirm / override -> complete -> violations with deadlines across a holiday;
offline-safe submissions; object-level visibility for inspectors and subjects."""

from __future__ import annotations

import base64
import hashlib
import io
import json
from datetime import UTC, date, datetime
from itertools import count

import pytest

from models.applications import Application, ApplicationDocument
from models.audit import AuditEvent
from models.inspections import InspectionItemEntry, InspectionPhoto, Violation
from models.licensing import License, PoolMembership
from models.outbox import OutboxEvent
from models.registry import AsicUnit
from resolvers import inspections as inspections_uc
from rules.enums import Role
from tests.api.registry_flow import gid
from tests.factories import ERRORS, errors_of, make_caller, make_data_center, make_miner, make_pool

# The engine's clock for the scenario: Wednesday 2025-03-19, 10:00 in Almaty (UTC+5). The next five
# working days are Thu 20, then (Nauryz 21-25 March and a weekend) Wed 26, Thu 27, Fri 28, Mon 31.
NOW = datetime(2025, 3, 19, 5, 0, tzinfo=UTC)
_records = count(900_000)


@pytest.fixture
def clock(monkeypatch):
    def set_clock(at: datetime) -> None:
        monkeypatch.setattr(inspections_uc, "_now", lambda: at)

    set_clock(NOW)
    return set_clock


async def _unit(miner, dc, serial: str, *, status: str = "IN_REGISTRY") -> None:
    inclusion = await Application.create(procedure="ASIC_INCLUSION", channel="PORTAL", miner=miner,
                                         received_at=datetime(2025, 1, 5, tzinfo=UTC), stage="APPROVED")
    await AsicUnit.create(
        record_number=next(_records), record_date=date(2025, 1, 10), miner=miner,
        miner_name=miner.name, miner_bin_iin=miner.bin_iin, miner_legal_address=miner.legal_address,
        miner_phone=miner.phone, miner_email=miner.email, data_center=dc, data_center_location=dc.address,
        region=dc.region, model="Antminer S21", serial=serial, serial_key=serial.lower(),
        tnved_code="8471410000", hashrate_ths="200", power_kw="3.5", condition="WORKING",
        inclusion_application=inclusion, status=status,
    )


async def _seeded_miner(*, licence_until: date = date(2025, 1, 1)):
    """A miner whose licence expired on 2025-01-01, mining through an accredited pool, with a DC
    connected after 2023-04-01 at 10 kV, three registered units, and its ASKUE document on file."""
    miner = await make_miner()
    dc = await make_data_center(miner, substation_kv="10", permitted_capacity_mw=5, connected_on=date(2023, 6, 1))
    app = await Application.create(procedure="LICENSE_ISSUE", channel="PORTAL", miner=miner,
                                   received_at=datetime(2022, 1, 5, tzinfo=UTC), stage="APPROVED")
    await License.create(number=f"KZ-DM-INSP-{miner.id}", holder=miner, subtype="I", first_issued_on=date(2022, 1, 10),
                         issued_on=date(2022, 1, 10), valid_until=licence_until, place_of_issue="Астана",
                         application=app)
    await ApplicationDocument.create(application=app, kind="ASKUE_TELECOM", title="АСКУЭ: акт ввода", number="17",
                                     issued_on=date(2021, 12, 1))
    pool = await make_pool()
    await PoolMembership.create(miner=miner, pool=pool, since=date(2024, 1, 1))
    for serial in ("S-1", "S-2", "S-3"):
        await _unit(miner, dc, serial)
    await _unit(miner, dc, "X-1", status="EXCLUDED")
    other = await make_miner()
    await _unit(other, await make_data_center(other), "B-1")
    return miner, dc, pool


INSPECTION = """id status actNumber kind subjectKind openedOn
  checklist { edition items { code number text(lang: "kk") ru: text(lang: "ru") legalBasis systemFinding systemReason
    evidence inspectorFinding comment observedAt history { finding observedAt recordedAt } } }
  reconciliation { seenCount matched unregistered { serial reason } notSeen dataCenter { id } }
  violations { itemCode remedyWorkingDays remedyDueAt status overdue }
  representative { position name } officials { position name }"""


def _mutation(name: str, input_type: str) -> str:
    return f"mutation($i: {input_type}!) {{ {name}(input: $i) {{ inspection {{ {INSPECTION} }} {ERRORS} }} }}"


APPOINT = _mutation("appointInspection", "AppointInspectionInput")
OPEN = _mutation("openInspection", "OpenInspectionInput")
RECORD = _mutation("recordChecklistFinding", "RecordChecklistFindingInput")
RECONCILE = _mutation("reconcileSerials", "ReconcileSerialsInput")
COMPLETE = _mutation("completeInspection", "CompleteInspectionInput")
DEADLINE = _mutation("setRemedyDeadline", "SetRemedyDeadlineInput")
NODE = f"query($id: ID!) {{ node(id: $id) {{ ... on Inspection {{ {INSPECTION} }} }} }}"


def _payload(result: dict) -> dict:
    assert "errors" not in result, result
    (value,) = result["data"].values()
    assert value["errors"] == [], value["errors"]
    return value["inspection"]


async def _appoint(officer, miner, dcs, inspectors, **over) -> dict:
    data = {"actNumber": "17-ТП", "actDate": "2025-03-10", "kind": "UNSCHEDULED", "minerId": gid("Miner", miner.id),
            "dataCenterIds": [gid("DataCenter", dc.id) for dc in dcs],
            "inspectorIds": [gid("User", i.user_id) for i in inspectors],
            "plannedFrom": "2025-03-18", "plannedTo": "2025-03-20", **over}
    return _payload(await officer.gql(APPOINT, {"i": data}))


def _items(inspection: dict) -> dict[str, dict]:
    return {i["code"]: i for i in inspection["checklist"]["items"]}


@pytest.fixture
async def scenario(client, officer, clock):
    miner, dc, _pool = await _seeded_miner()
    inspector = await make_caller(client, Role.INSPECTOR)
    inspection = await _appoint(officer, miner, [dc], [inspector])
    return miner, dc, inspector, inspection


async def test_003_miner_checklist_prefilled_from_the_registry_with_does_not_comply_cases(scenario):
    _miner, _dc, inspector, inspection = scenario
    assert inspection["status"] == "APPOINTED" and inspection["checklist"]["items"] == []
    opened = _payload(await inspector.gql(OPEN, {"i": {"inspectionId": inspection["id"]}}))
    assert opened["status"] == "IN_PROGRESS" and opened["openedOn"] == "2025-03-19"
    assert opened["checklist"]["edition"] == "373/НҚ"
    items = _items(opened)
    assert [i["number"] for i in opened["checklist"]["items"]] == list(range(1, 9))
    assert {code: i["systemFinding"] for code, i in items.items()} == {
        "M1_LICENSE": "DOES_NOT_COMPLY",  # expired on 2025-01-01
        "M2_ACCREDITED_POOL": "COMPLIES",  # its PoolMembership's pool accredited on the day
        "M3_UNITS_IN_REGISTRY": "NOT_KNOWN",  # until the serials seen are reconciled
        "M4_DC_OUTSIDE_RESIDENTIAL": "COMPLIES",
        "M5_GRID_CONDITIONS": "DOES_NOT_COMPLY",  # connected 2023-06-01 at 10 kV
        "M6_PLACEMENT_CONTRACT": "NOT_APPLICABLE",  # its own data center
        "M7_POOL_WITH_DC": "COMPLIES",
        "M8_ASKUE": "COMPLIES",  # the App.11 I(4) document of its licence file
    }
    assert items["M1_LICENSE"]["evidence"]["licenses"][0]["validUntil"] == "2025-01-01"
    assert items["M5_GRID_CONDITIONS"]["evidence"]["dataCenters"][0]["problems"] == ["GRID_BELOW_35KV"]
    assert "35 kV" in items["M5_GRID_CONDITIONS"]["systemReason"]
    assert items["M8_ASKUE"]["evidence"]["documents"][0]["number"] == "17"
    assert items["M1_LICENSE"]["text"].startswith("Цифрлық майнинг жөніндегі қызметті")
    assert items["M1_LICENSE"]["ru"].startswith("Наличие лицензии")
    assert items["M5_GRID_CONDITIONS"]["legalBasis"].endswith("001 App.11 item 1(5) and its note *")


async def test_003_item_3_follows_the_reconciliation_of_serials_seen(scenario):
    _miner, dc, inspector, inspection = scenario
    await inspector.gql(OPEN, {"i": {"inspectionId": inspection["id"]}})
    seen = ["s-1", " S-2", "S-2", "B-1", "X-1", "NEW-9"]  # case and spaces as the registry normalises
    done = _payload(await inspector.gql(RECONCILE, {"i": {"inspectionId": inspection["id"],
                                                         "dataCenterId": gid("DataCenter", dc.id), "serials": seen}}))
    (rec,) = done["reconciliation"]
    assert rec["seenCount"] == 5 and rec["matched"] == ["s-1", "S-2"] and rec["notSeen"] == ["S-3"]
    assert {(u["serial"], u["reason"]) for u in rec["unregistered"]} == {
        ("B-1", "ANOTHER_MINER"), ("X-1", "EXCLUDED"), ("NEW-9", "NOT_IN_REGISTRY")}
    assert rec["dataCenter"]["id"] == gid("DataCenter", dc.id)
    units = _items(done)["M3_UNITS_IN_REGISTRY"]
    assert units["systemFinding"] == "DOES_NOT_COMPLY"
    assert units["evidence"]["reconciliations"][0]["unregistered"] == 3
    # the audit event and the outbox payload name the row with counts; the lists stay in the row
    (event,) = await OutboxEvent.filter(topic="inspection.reconciled")
    assert {k: event.payload["after"][k] for k in ("seen_count", "matched_count", "not_registered_count",
                                                    "unregistered_count", "not_seen_count")} == {
        "seen_count": 5, "matched_count": 2, "not_registered_count": 3, "unregistered_count": 3, "not_seen_count": 1}
    assert "matched" not in event.payload["after"] and "not_seen" not in event.payload["after"]
    audit = await AuditEvent.get(action="inspection.reconciled")
    assert audit.after == event.payload["after"]


async def test_003_override_of_the_system_finding_needs_a_comment(scenario):
    _, _, inspector, inspection = scenario
    await inspector.gql(OPEN, {"i": {"inspectionId": inspection["id"]}})
    base = {"inspectionId": inspection["id"], "code": "M2_ACCREDITED_POOL", "finding": "DOES_NOT_COMPLY"}
    refused = await inspector.gql(RECORD, {"i": base})
    assert errors_of(refused) == ["VALIDATION"]
    assert await InspectionItemEntry.all().count() == 0  # nothing half-written
    done = _payload(await inspector.gql(RECORD, {"i": {**base, "comment": "Пул не подтвердил договор"}}))
    assert _items(done)["M2_ACCREDITED_POOL"]["inspectorFinding"] == "DOES_NOT_COMPLY"
    # confirming the system needs no comment
    ok = await inspector.gql(RECORD, {"i": {**base, "code": "M4_DC_OUTSIDE_RESIDENTIAL", "finding": "COMPLIES"}})
    assert _items(_payload(ok))["M4_DC_OUTSIDE_RESIDENTIAL"]["inspectorFinding"] == "COMPLIES"


async def test_offline_retry_the_same_submission_three_times_writes_once(scenario):
    _, _, inspector, inspection = scenario
    await inspector.gql(OPEN, {"i": {"inspectionId": inspection["id"], "clientMutationId": "open-1"}})
    data = {"inspectionId": inspection["id"], "code": "M1_LICENSE", "finding": "DOES_NOT_COMPLY",
            "observedAt": "2025-03-19T09:55:00+05:00", "clientMutationId": "5b0c8a4e-8f0e-4c1e-9d7a-000000000001"}
    answers = [await inspector.gql(RECORD, {"i": data}) for _ in range(3)]
    assert answers[0] == answers[1] == answers[2]
    assert await InspectionItemEntry.all().count() == 1
    conflict = await inspector.gql(RECORD, {"i": {**data, "finding": "COMPLIES"}})
    assert errors_of(conflict) == ["CONFLICT"]
    assert await InspectionItemEntry.all().count() == 1
    # and the opening replayed answers the same inspection without opening it twice
    again = await inspector.gql(OPEN, {"i": {"inspectionId": inspection["id"], "clientMutationId": "open-1"}})
    assert _payload(again)["id"] == inspection["id"] and len(_payload(again)["checklist"]["items"]) == 8


async def test_two_devices_on_one_item_keep_both_and_the_later_observation_wins(scenario):
    _, _, inspector, inspection = scenario
    await inspector.gql(OPEN, {"i": {"inspectionId": inspection["id"]}})
    later = {"inspectionId": inspection["id"], "code": "M4_DC_OUTSIDE_RESIDENTIAL", "finding": "COMPLIES",
             "observedAt": "2025-03-19T09:50:00+05:00"}
    earlier = {**later, "finding": "DOES_NOT_COMPLY", "comment": "Жилой дом в 50 м",
               "observedAt": "2025-03-19T09:40:00+05:00"}  # synced after the later one
    await inspector.gql(RECORD, {"i": later})
    item = _items(_payload(await inspector.gql(RECORD, {"i": earlier})))["M4_DC_OUTSIDE_RESIDENTIAL"]
    assert item["inspectorFinding"] == "COMPLIES" and item["observedAt"] == "2025-03-19T04:50:00+00:00"
    assert [h["finding"] for h in item["history"]] == ["DOES_NOT_COMPLY", "COMPLIES"]  # by device time
    assert all(h["recordedAt"] == "2025-03-19T05:00:00+00:00" for h in item["history"])  # server time kept


async def _fill_and_complete(inspector, inspection: dict) -> dict:
    opened = _payload(await inspector.gql(OPEN, {"i": {"inspectionId": inspection["id"]}}))
    for item in opened["checklist"]["items"]:
        finding = item["systemFinding"] if item["systemFinding"] != "NOT_KNOWN" else "COMPLIES"
        await inspector.gql(RECORD, {"i": {"inspectionId": inspection["id"], "code": item["code"], "finding": finding}})
    incomplete = await inspector.gql(COMPLETE, {"i": {"inspectionId": inspection["id"], "officials": [],
                                                      "representative": {"position": "Директор", "name": "Ахметов А."}}})
    assert errors_of(incomplete) == ["VALIDATION"]
    return _payload(await inspector.gql(COMPLETE, {"i": {
        "inspectionId": inspection["id"], "representative": {"position": "Директор", "name": "Ахметов А."},
        "officials": [{"position": "Главный инспектор", "name": "Серикова Д."}]}}))


async def test_003_completion_violations_and_remedy_deadline_across_nauryz(scenario, officer, clock):
    _, _, inspector, inspection = scenario
    done = await _fill_and_complete(inspector, inspection)
    assert done["status"] == "COMPLETED"
    assert done["representative"] == {"position": "Директор", "name": "Ахметов А."}
    assert [v["itemCode"] for v in done["violations"]] == ["M1_LICENSE", "M5_GRID_CONDITIONS"]
    assert done["violations"][0]["remedyDueAt"] is None  # until an officer sets the term
    forbidden = await inspector.gql(DEADLINE, {"i": {"inspectionId": inspection["id"], "code": "M1_LICENSE",
                                                     "workingDays": 5}})
    assert errors_of(forbidden) == ["FORBIDDEN"]
    set_ = _payload(await officer.gql(DEADLINE, {"i": {"inspectionId": inspection["id"], "code": "M1_LICENSE",
                                                       "workingDays": 5}}))
    (violation, _) = set_["violations"]
    # completed Wed 19 March 2025: Thu 20 (1), Nauryz 21-25 and the weekend, Wed 26 (2), Thu 27 (3), Fri 28 (4),
    # Mon 31 (5): due at 18:30 Almaty
    assert violation["remedyWorkingDays"] == 5 and violation["remedyDueAt"] == "2025-03-31T13:30:00+00:00"

    # the overdue job: one event on the last day, one once passed, each once
    for at in (datetime(2025, 3, 31, 4, tzinfo=UTC), datetime(2025, 3, 31, 5, tzinfo=UTC)):
        await inspections_uc.flag_violations(at)
    assert await OutboxEvent.filter(topic="violation.due").count() == 1
    assert await OutboxEvent.filter(topic="violation.overdue").count() == 0
    for at in (datetime(2025, 3, 31, 13, 31, tzinfo=UTC), datetime(2025, 4, 2, tzinfo=UTC)):
        await inspections_uc.flag_violations(at)
    assert await OutboxEvent.filter(topic="violation.overdue").count() == 1
    assert (await Violation.get(item_code="M1_LICENSE")).overdue


async def test_003_an_inspector_not_assigned_gets_not_found_like_a_missing_inspection(client, scenario):
    _, _, _, inspection = scenario
    stranger = await make_caller(client, Role.INSPECTOR)
    assert (await stranger.gql(NODE, {"id": inspection["id"]}))["data"]["node"] is None
    theirs = await stranger.gql(OPEN, {"i": {"inspectionId": inspection["id"]}})
    missing = await stranger.gql(OPEN, {"i": {"inspectionId": gid("Inspection", 987654)}})
    assert errors_of(theirs) == errors_of(missing) == ["NOT_FOUND"]
    assert theirs["data"]["openInspection"]["errors"] == missing["data"]["openInspection"]["errors"]
    mine = await stranger.gql("{ myInspections { totalCount } }")
    assert mine["data"]["myInspections"]["totalCount"] == 0


async def test_003_the_subject_sees_its_inspection_only_once_completed(client, scenario):
    miner, _, inspector, inspection = scenario
    applicant = await make_caller(client, Role.APPLICANT, miner=miner)
    assert (await applicant.gql(NODE, {"id": inspection["id"]}))["data"]["node"] is None
    listed = await applicant.gql("query($id: ID!) { node(id: $id) { ... on Miner { inspections { totalCount } } } }",
                                 {"id": gid("Miner", miner.id)})
    assert listed["data"]["node"]["inspections"]["totalCount"] == 0
    assert (await inspector.gql("{ myInspections { totalCount } }"))["data"]["myInspections"]["totalCount"] == 1
    await _fill_and_complete(inspector, inspection)
    seen = (await applicant.gql(NODE, {"id": inspection["id"]}))["data"]["node"]
    assert seen["status"] == "COMPLETED" and len(seen["violations"]) == 2
    other = await make_caller(client, Role.APPLICANT, miner=await make_miner())
    assert (await other.gql(NODE, {"id": inspection["id"]}))["data"]["node"] is None


async def test_003_pool_inspection_items_from_the_accreditation_data_and_the_monthly_reports(client, officer, clock):
    pool = await make_pool()
    inspector = await make_caller(client, Role.INSPECTOR)
    inspection = _payload(await officer.gql(APPOINT, {"i": {
        "actNumber": "5", "actDate": "2025-03-10", "kind": "SCHEDULED", "poolId": gid("Pool", pool.id),
        "inspectorIds": [gid("User", inspector.user_id)], "plannedFrom": "2025-03-18", "plannedTo": "2025-03-18"}}))
    opened = _payload(await inspector.gql(OPEN, {"i": {"inspectionId": inspection["id"]}}))
    items = _items(opened)
    assert opened["checklist"]["edition"] == "662/НҚ" and len(items) == 8
    # Item 8 from the income reports: accredited throughout, no report filed; opened 2025-03-19, so
    # the months up to January 2025 (due 25 February) are owed, February (due 25 March) not yet.
    p8 = items["P8_MONTHLY_REPORTS"]
    assert p8["systemFinding"] == "DOES_NOT_COMPLY" and "missing: 2024-03" in p8["systemReason"]
    assert "2025-01" in p8["systemReason"] and "2025-02" not in p8["systemReason"]
    # the test pool's certificate has no accreditation application data behind it
    assert {i["systemFinding"] for c, i in items.items() if c != "P8_MONTHLY_REPORTS"} == {"NOT_KNOWN"}


async def test_003_appointment_before_the_checklist_edition_is_no_rules_in_force(client, officer, clock):
    miner, dc, _ = await _seeded_miner()
    inspector = await make_caller(client, Role.INSPECTOR)
    data = {"actNumber": "1", "actDate": "2024-07-08", "kind": "SCHEDULED", "minerId": gid("Miner", miner.id),
            "dataCenterIds": [gid("DataCenter", dc.id)], "inspectorIds": [gid("User", inspector.user_id)],
            "plannedFrom": "2024-07-08", "plannedTo": "2024-07-09"}
    assert errors_of(await officer.gql(APPOINT, {"i": data})) == ["NO_RULES_IN_FORCE"]
    in_force = {**data, "actDate": "2025-03-10", "plannedFrom": "2025-03-18", "plannedTo": "2025-03-19"}
    not_an_inspector = await officer.gql(APPOINT, {"i": {**in_force, "inspectorIds": [gid("User", officer.user_id)]}})
    assert errors_of(not_an_inspector) == ["NOT_FOUND"]
    assert errors_of(await inspector.gql(APPOINT, {"i": in_force})) == ["FORBIDDEN"]
    assert errors_of(await officer.gql(APPOINT, {"i": {**in_force, "poolId": gid("Pool", 1)}})) == ["VALIDATION"]


PHOTO = """mutation($i: AttachInspectionPhotoInput!) { attachInspectionPhoto(input: $i) {
  inspection { checklist { items { code photos { sha256 size contentType latitude longitude takenAt contentBase64 } } } }
  errors { __typename ... on UserError { code message path } } } }"""


def _jpeg_with_exif() -> bytes:
    from PIL import Image

    exif = Image.Exif()
    exif[0x010F] = "ACME phone"  # Make: not kept
    exif[0x0132] = "2025:03:19 09:58:00"
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "E", 4: (71.0, 15.0, 36.0)}
    out = io.BytesIO()
    Image.new("RGB", (16, 8), (10, 120, 200)).save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


async def _attach(caller, inspection_id: str, content: bytes, filename: str = "photo.jpg", **over) -> dict:
    data = {"inspectionId": inspection_id, "code": "M4_DC_OUTSIDE_RESIDENTIAL", **over}
    return await _upload(caller, PHOTO, data, content, filename)


async def _upload(caller, query: str, data: dict, content: bytes, filename: str) -> dict:
    """A mutation with one file in `input.file` (GraphQL multipart request)."""
    response = await caller.client.post(
        "/graphql",
        data={"operations": json.dumps({"query": query, "variables": {"i": {**data, "file": None}}}),
              "map": json.dumps({"0": ["variables.i.file"]})},
        files={"0": (filename, content, "application/octet-stream")},
        headers={"Authorization": f"Bearer {caller.token}"},
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_photo_evidence_stored_without_metadata_gps_and_time_kept(scenario):
    from PIL import Image

    _, _, inspector, inspection = scenario
    await inspector.gql(OPEN, {"i": {"inspectionId": inspection["id"]}})
    done = await _attach(inspector, inspection["id"], _jpeg_with_exif())
    assert errors_of(done) == [], done
    items = {i["code"]: i for i in done["data"]["attachInspectionPhoto"]["inspection"]["checklist"]["items"]}
    (photo,) = items["M4_DC_OUTSIDE_RESIDENTIAL"]["photos"]
    assert photo["contentType"] == "JPEG" and photo["latitude"] == 51.5 and round(photo["longitude"], 2) == 71.26
    assert photo["takenAt"] == "2025-03-19T04:58:00+00:00"  # the camera's time read as Almaty's
    stored = base64.b64decode(photo["contentBase64"])
    assert hashlib.sha256(stored).hexdigest() == photo["sha256"] and len(stored) == photo["size"]
    assert dict(Image.open(io.BytesIO(stored)).getexif()) == {}  # no EXIF at all, GPS included
    assert b"ACME phone" not in stored


async def test_a_photo_that_is_an_html_file_renamed_jpg_is_refused(scenario):
    _, _, inspector, inspection = scenario
    await inspector.gql(OPEN, {"i": {"inspectionId": inspection["id"]}})
    html = b"<!doctype html><html><body><script>alert(1)</script></body></html>"
    refused = await _attach(inspector, inspection["id"], html, filename="photo.jpg")
    (error,) = refused["data"]["attachInspectionPhoto"]["errors"]
    assert error["code"] == "VALIDATION" and error["path"] == ["file"]
    assert await InspectionPhoto.all().count() == 0


async def test_an_inspector_not_assigned_gets_not_found_for_the_photos(client, scenario):
    _, _, inspector, inspection = scenario
    await inspector.gql(OPEN, {"i": {"inspectionId": inspection["id"]}})
    assert errors_of(await _attach(inspector, inspection["id"], _jpeg_with_exif())) == []
    stranger = await make_caller(client, Role.INSPECTOR)
    query = ("query($id: ID!) { node(id: $id) { ... on Inspection { checklist { items { photos { contentBase64 } } } } } }")
    assert (await stranger.gql(query, {"id": inspection["id"]}))["data"]["node"] is None
    theirs = await _attach(stranger, inspection["id"], _jpeg_with_exif())
    missing = await _attach(stranger, gid("Inspection", 987654), _jpeg_with_exif())
    assert errors_of(theirs) == errors_of(missing) == ["NOT_FOUND"]
    assert await InspectionPhoto.all().count() == 1


async def test_003_a_completed_inspection_issues_its_signed_act_in_kk_and_ru(scenario, settings, officer):
    """Issue 13: the inspection act is one of the documents; the checklist's items print with the
    finding on site, the failing ones as such."""
    from jobs.tasks import dispatch_outbox
    from models.documents import Document
    from resolvers.documents.issue import produce_pending
    from resolvers.storage import storage_for
    from rules.documents import DocumentKind, DocumentState
    from tests.documents.pdf_tools import text_of

    _, _, inspector, inspection = scenario
    await _fill_and_complete(inspector, inspection)
    await dispatch_outbox({})
    assert await produce_pending(settings) == 2
    docs = await Document.filter(kind=DocumentKind.INSPECTION_ACT).order_by("language")
    assert [(d.language.value, d.state) for d in docs] == [("kk", DocumentState.READY), ("ru", DocumentState.READY)]
    texts = {d.language.value: " ".join(text_of(await storage_for(settings).get(d.storage_key)).split()) for d in docs}
    assert "талаптарға сәйкес келмейді" in texts["kk"] and "не соответствует требованиям" in texts["ru"]
    assert "Ахметов А." in texts["ru"] and "Серикова Д." in texts["kk"]
    listed = await officer.gql("query($e: ID!) { documents(entity: $e) { kind language } }", {"e": inspection["id"]})
    assert sorted(d["language"] for d in listed["data"]["documents"]) == ["KK", "RU"]


RECONCILE_FILE = """mutation($i: ReconcileSerialsInput!) { reconcileSerials(input: $i) {
  inspection { reconciliation { seenCount matched unregistered { serial reason } notSeen } }
  errors { __typename ... on UserError { code path } ... on UnitListRejected { issues { line column code } } } } }"""


async def test_003_serials_seen_as_a_csv_file_with_the_unit_lists_serial_column(scenario):
    from tests.unit_lists import to_csv

    _, dc, inspector, inspection = scenario
    await inspector.gql(OPEN, {"i": {"inspectionId": inspection["id"]}})
    csv = to_csv(["№", "Серийный номер", "Модель"], [[1, "s-1", "S21"], [2, " S-2", "S21"], [3, "B-1", ""],
                                                     [4, "NEW-9", ""], [5, "S-2", "again"]])
    done = await _upload(inspector, RECONCILE_FILE, {"inspectionId": inspection["id"],
                                                     "dataCenterId": gid("DataCenter", dc.id)},
                         csv.encode("utf-8-sig"), "seen.csv")
    assert errors_of(done) == [], done
    (rec,) = done["data"]["reconcileSerials"]["inspection"]["reconciliation"]
    assert rec["seenCount"] == 4 and rec["matched"] == ["s-1", "S-2"] and rec["notSeen"] == ["S-3"]
    assert {(u["serial"], u["reason"]) for u in rec["unregistered"]} == {("B-1", "ANOTHER_MINER"),
                                                                        ("NEW-9", "NOT_IN_REGISTRY")}


async def test_003_serials_seen_as_an_xlsx_file_without_a_header(scenario):
    from tests.unit_lists import xlsx_bytes

    _, dc, inspector, inspection = scenario
    await inspector.gql(OPEN, {"i": {"inspectionId": inspection["id"]}})
    book = xlsx_bytes([["S-1"], [None], ["S-3"], ["X-1"]])  # a scanner's export: one column, a blank row
    done = await _upload(inspector, RECONCILE_FILE, {"inspectionId": inspection["id"],
                                                     "dataCenterId": gid("DataCenter", dc.id)}, book, "scan.xlsx")
    assert errors_of(done) == [], done
    (rec,) = done["data"]["reconcileSerials"]["inspection"]["reconciliation"]
    assert rec["matched"] == ["S-1", "S-3"] and rec["notSeen"] == ["S-2"]
    assert rec["unregistered"] == [{"serial": "X-1", "reason": "EXCLUDED"}]


async def test_003_a_bad_serials_file_is_refused_with_its_line_and_nothing_is_written(scenario, client):
    from models.inspections import InspectionReconciliation
    from tests.unit_lists import to_csv, xlsx_bytes

    _, dc, inspector, inspection = scenario
    await inspector.gql(OPEN, {"i": {"inspectionId": inspection["id"]}})
    base = {"inspectionId": inspection["id"], "dataCenterId": gid("DataCenter", dc.id)}
    formula = to_csv(["Serial number"], [["S-1"], ["=HYPERLINK(\"http://x\")"], ["S-2"]])
    refused = await _upload(inspector, RECONCILE_FILE, base, formula.encode(), "seen.csv")
    (error,) = refused["data"]["reconcileSerials"]["errors"]
    assert error["__typename"] == "UnitListRejected" and error["code"] == "UNIT_LIST_INVALID"
    assert error["issues"] == [{"line": 3, "column": "SERIAL", "code": "FORMULA_NOT_ALLOWED"}]
    cut = await _upload(inspector, RECONCILE_FILE, base, xlsx_bytes([["S/N"], ["S-1"], [1234567890123456789]]),
                        "seen.xlsx")
    assert cut["data"]["reconcileSerials"]["errors"][0]["issues"] == [
        {"line": 3, "column": "SERIAL", "code": "SERIAL_PRECISION_LOST"}]
    two_columns = await _upload(inspector, RECONCILE_FILE, base, b"S-1;S21\nS-2;S21\n", "seen.csv")
    assert two_columns["data"]["reconcileSerials"]["errors"][0]["issues"][0]["code"] == "MISSING_COLUMNS"
    legacy = await _upload(inspector, RECONCILE_FILE, base, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "a.xls")
    assert legacy["data"]["reconcileSerials"]["errors"][0]["issues"] == [
        {"line": 0, "column": None, "code": "NOT_A_SPREADSHEET"}]
    both = await _upload(inspector, RECONCILE_FILE, {**base, "serials": ["S-1"]}, b"S-1\n", "seen.csv")
    assert errors_of(both) == ["VALIDATION"]
    stranger = await make_caller(client, Role.INSPECTOR)
    assert errors_of(await _upload(stranger, RECONCILE_FILE, base, b"S-1\n", "seen.csv")) == ["NOT_FOUND"]
    assert await InspectionReconciliation.all().count() == 0


REMEDIED = """mutation($i: MarkViolationRemediedInput!) { markViolationRemedied(input: $i) {
  inspection { violations { itemCode status overdue remediedOn remediedLate remedyComment
    remedyEvidence { sha256 size contentType } } }
  errors { __typename ... on UserError { code path } } } }"""


async def test_003_a_violation_marked_remedied_on_time_or_late_and_the_job_stops_flagging_it(
        client, scenario, officer, clock):
    miner, _, inspector, inspection = scenario
    await _fill_and_complete(inspector, inspection)  # violations M1 and M5, completed Wed 19 March 2025
    for code in ("M1_LICENSE", "M5_GRID_CONDITIONS"):  # both due Mon 31 March, 18:30 Almaty
        _payload(await officer.gql(DEADLINE, {"i": {"inspectionId": inspection["id"], "code": code,
                                                    "workingDays": 5}}))
    clock(datetime(2025, 4, 2, 5, tzinfo=UTC))
    base = {"inspectionId": inspection["id"], "code": "M1_LICENSE", "remediedOn": "2025-03-28",
            "comment": "Лицензия переоформлена"}
    # who may: officers and the inspectors assigned; the subject reads it but may not; others: as missing
    applicant = await make_caller(client, Role.APPLICANT, miner=miner)
    assert errors_of(await applicant.gql(REMEDIED, {"i": base})) == ["FORBIDDEN"]
    stranger = await make_caller(client, Role.INSPECTOR)
    assert errors_of(await stranger.gql(REMEDIED, {"i": base})) == ["NOT_FOUND"]
    future = await officer.gql(REMEDIED, {"i": {**base, "remediedOn": "2025-04-03"}})
    before_completion = await officer.gql(REMEDIED, {"i": {**base, "remediedOn": "2025-03-18"}})
    assert errors_of(future) == errors_of(before_completion) == ["VALIDATION"]
    html = b"<!doctype html><html><body>fake</body></html>"
    refused = await _upload(inspector, REMEDIED, base, html, "evidence.pdf")
    assert errors_of(refused) == ["FILE_NOT_ACCEPTED"]
    assert (await Violation.get(item_code="M1_LICENSE")).status == "OPEN"  # nothing half-written

    pdf = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
    done = await _upload(inspector, REMEDIED, base, pdf, "licence.pdf")
    assert errors_of(done) == [], done
    m1, m5 = done["data"]["markViolationRemedied"]["inspection"]["violations"]
    assert (m1["status"], m1["remediedOn"], m1["remediedLate"]) == ("REMEDIED", "2025-03-28", False)
    assert m1["remedyComment"] == "Лицензия переоформлена"
    assert m1["remedyEvidence"] == {"sha256": hashlib.sha256(pdf).hexdigest(), "size": len(pdf),
                                    "contentType": "PDF"}
    assert m5["status"] == "OPEN" and m5["remediedLate"] is None
    again = await officer.gql(REMEDIED, {"i": base})
    assert errors_of(again) == ["ILLEGAL_TRANSITION"]

    # the overdue job: the remedied one is never flagged, the open one is
    await inspections_uc.flag_violations(datetime(2025, 4, 2, 5, tzinfo=UTC))
    overdue = await OutboxEvent.filter(topic="violation.overdue")
    assert [e.payload["itemCode"] for e in overdue] == ["M5_GRID_CONDITIONS"]
    assert not (await Violation.get(item_code="M1_LICENSE")).overdue

    late = _payload(await officer.gql(REMEDIED, {"i": {**base, "code": "M5_GRID_CONDITIONS",
                                                        "remediedOn": "2025-04-01", "comment": "Подстанция 35 кВ"}}))
    assert late["violations"][1]["remediedLate"] is True and late["violations"][1]["remedyEvidence"] is None
    remedied = await OutboxEvent.filter(topic="violation.remedied").order_by("id")
    assert [e.payload["after"]["item_code"] for e in remedied] == ["M1_LICENSE", "M5_GRID_CONDITIONS"]
    assert await AuditEvent.filter(action="violation.remedied").count() == 2


async def test_a_photo_is_downloaded_through_a_short_lived_link_given_only_to_who_sees_the_inspection(
        client, scenario, settings):
    from urllib.parse import urlsplit

    from resolvers.documents.issue import download_key
    from rules.documents import DOCUMENT_LINK, download_token

    _, _, inspector, inspection = scenario
    await inspector.gql(OPEN, {"i": {"inspectionId": inspection["id"]}})
    assert errors_of(await _attach(inspector, inspection["id"], _jpeg_with_exif())) == []
    query = "query($id: ID!) { node(id: $id) { ... on Inspection { checklist { items { photos { sha256 downloadUrl } } } } } }"
    items = (await inspector.gql(query, {"id": inspection["id"]}))["data"]["node"]["checklist"]["items"]
    (photo,) = [p for i in items for p in i["photos"]]
    path = urlsplit(photo["downloadUrl"]).path
    assert path.startswith("/inspection-photos/")
    got = await client.get(path)  # the link is the credential: no bearer token
    assert got.status_code == 200 and got.headers["content-type"] == "image/jpeg"
    assert hashlib.sha256(got.content).hexdigest() == photo["sha256"]
    assert got.headers["cache-control"] == "private, no-store"

    # an inspector not assigned: the inspection is missing, so no link can be had
    stranger = await make_caller(client, Role.INSPECTOR)
    assert (await stranger.gql(query, {"id": inspection["id"]}))["data"]["node"] is None
    # a forged, an expired, and a signed document's token for the same id are all refused alike
    token = path.rsplit("/", 1)[1]
    photo_id, expires, mac = token.split(".")
    forged = f"{photo_id}.{int(expires) + 3600}.{mac}"
    expired = download_token(int(photo_id), 1_000_000, download_key(settings), purpose="inspection-photo")
    other_purpose = download_token(int(photo_id), int(datetime.now(UTC).timestamp()), download_key(settings),
                                   purpose=DOCUMENT_LINK)
    for bad in (forged, expired, other_purpose, "1.2.3", f"{int(photo_id) + 1}.{expires}.{mac}"):
        refused = await client.get(f"/inspection-photos/{bad}")
        assert refused.status_code == 404, bad


def _heic_with_exif() -> bytes:
    """A small HEIC written by pillow-heif with EXIF: GPS, the time taken, a Make and a maker note."""
    pillow_heif = pytest.importorskip("pillow_heif", reason="pillow-heif (a dependency) is not installed")
    from PIL import Image

    pillow_heif.register_heif_opener()
    exif = Image.Exif()
    exif[0x010F] = "ACME phone"  # Make: not kept
    exif[0x8769] = {0x9003: "2025:03:19 09:58:00", 0x927C: b"MAKERNOTE-SECRET-1234"}  # DateTimeOriginal, MakerNote
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "E", 4: (71.0, 15.0, 36.0)}
    out = io.BytesIO()
    Image.new("RGB", (32, 16), (10, 120, 200)).save(out, format="HEIF", exif=exif.tobytes(), quality=90)
    return out.getvalue()


async def test_a_heic_photo_is_accepted_by_content_gps_and_time_kept_other_exif_stripped(client, scenario):
    _, _, inspector, inspection = scenario
    heic = _heic_with_exif()
    assert heic[4:12] == b"ftypheic" and b"MAKERNOTE-SECRET-1234" in heic and b"ACME phone" in heic
    await inspector.gql(OPEN, {"i": {"inspectionId": inspection["id"]}})
    done = await _attach(inspector, inspection["id"], heic, filename="IMG_0001.HEIC")
    assert errors_of(done) == [], done
    items = {i["code"]: i for i in done["data"]["attachInspectionPhoto"]["inspection"]["checklist"]["items"]}
    (photo,) = items["M4_DC_OUTSIDE_RESIDENTIAL"]["photos"]
    assert photo["contentType"] == "HEIC" and photo["latitude"] == 51.5 and round(photo["longitude"], 2) == 71.26
    assert photo["takenAt"] == "2025-03-19T04:58:00+00:00"  # DateTimeOriginal read as Almaty time
    stored = base64.b64decode(photo["contentBase64"])
    assert hashlib.sha256(stored).hexdigest() == photo["sha256"]
    assert stored[4:12] == b"ftypheic"  # still a HEIC
    assert b"MAKERNOTE-SECRET-1234" not in stored and b"ACME phone" not in stored and b"Exif" not in stored
    from PIL import Image

    with Image.open(io.BytesIO(stored)) as image:
        assert dict(image.getexif()) == {} and image.size == (32, 16)


async def test_an_html_file_renamed_heic_or_a_broken_heic_is_refused(scenario):
    _, _, inspector, inspection = scenario
    await inspector.gql(OPEN, {"i": {"inspectionId": inspection["id"]}})
    html = b"<!doctype html><html><body><script>alert(1)</script></body></html>"
    broken = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64  # the brand, no image
    for content in (html, broken):
        refused = await _attach(inspector, inspection["id"], content, filename="photo.heic")
        (error,) = refused["data"]["attachInspectionPhoto"]["errors"]
        assert error["code"] == "VALIDATION" and error["path"] == ["file"]
    assert await InspectionPhoto.all().count() == 0
