"""ASIC registry (002 / 000) on the application engine, through GraphQL: inclusion -> change ->
exclusion, terms across holidays, one serial once, references through the caller's visibility,
typed payload errors, capacity and totals."""

from decimal import Decimal

import pytest

from models.applications import Application, StageEvent
from models.licensing import License, LicenseAppendix
from models.registry import AsicUnit, AsicUnitEvent, RegistryApplicationLine
from rules.enums import Role
from schema.ids import pk_of
from tests.api.registry_flow import (
    CHANGE,
    EXCLUDE,
    approve,
    by_serial,
    change_input,
    exclusion_input,
    filed,
    gid,
    history,
    include,
    inclusion_input,
    issues_of,
    ok,
    payload_of,
    step,
    unit,
)
from tests.factories import error_paths, errors_of, make_caller, make_data_center, make_miner

# Office receipt Wed 2025-03-19 10:00 Almaty: registered that day. Terms by hand:
# completeness 2 WD: Thu 20, [21-25 Nauryz + weekend], Wed 26 -> 2025-03-26 18:30 (13:30 UTC);
# inclusion 5 WD: 20, 26, 27, 28, 31 -> 2025-03-31; hearing notice >= 3 WD before: day 2 = 26.
RECEIVED = "2025-03-19T10:00:00+05:00"


@pytest.fixture
async def miner_dc(client):
    miner = await make_miner(name="ТОО Майнинг Павлодар")
    dc = await make_data_center(miner, address="Экибастуз, промзона 4", region="PAVLODAR")
    applicant = await make_caller(client, Role.APPLICANT, miner=miner)
    return miner, dc, applicant


async def _included(officer, miner, dc, units, **kw):
    app = filed(await include(officer, inclusion_input(miner, dc, units, received_at=RECEIVED, **kw)))
    approved = await approve(officer, app["id"])
    assert ok(approved), approved
    return app


async def test_inclusion_change_exclusion_full_path(officer, miner_dc):
    miner, dc, applicant = miner_dc
    other_dc = await make_data_center(miner, address="Караганда, ул. Заводская 1", region="KARAGANDA")
    units = [unit(1), unit(2, "sn-000002"), unit(3, condition="FAULTY")]
    app = filed(await include(officer, inclusion_input(miner, dc, units, received_at=RECEIVED)))
    assert app["stage"] == "REGISTERED" and app["registeredOn"] == "2025-03-19"
    assert app["incomingNumber"].startswith("AIN-2025-")
    assert (app["completenessDueAt"], app["completenessDueOn"]) == ("2025-03-26T13:30:00+00:00", "2025-03-26")
    assert (app["decisionDueAt"], app["decisionDueOn"]) == ("2025-03-31T13:30:00+00:00", "2025-03-31")
    assert app["hearingNoticeDueOn"] == "2025-03-26"
    details = app["registryDetails"]
    assert details["lineCount"] == 3 and Decimal(details["totalPowerKw"]) == Decimal("9.75")
    assert details["unitListFormat"] == "INPUT" and details["unitListFile"] is None
    assert details["contactPhone"] == miner.phone  # the miner's official one when none was given
    assert app["completenessProblems"] == []
    assert await AsicUnit.all().count() == 0  # nothing in the registry before approval

    approved = await approve(officer, app["id"])
    assert payload_of(approved, "approveApplication")["application"]["stage"] == "APPROVED"
    rec = await by_serial(applicant, "SN000001")
    assert rec["recordNumber"] == 1 and rec["status"] == "IN_REGISTRY"
    assert rec["minerName"] == "ТОО Майнинг Павлодар" and rec["minerBinIin"] == miner.bin_iin
    assert rec["minerLegalAddress"] == miner.legal_address and rec["minerPhone"] == miner.phone
    assert rec["dataCenterLocation"] == "Экибастуз, промзона 4" and rec["region"] == "PAVLODAR"
    assert rec["tnvedCode"] == "8471410000" and Decimal(rec["hashrateThs"]) == 110
    assert rec["customsDeclaration"] == "50401/010123/0001234" and rec["customsQuantity"] == 3
    assert rec["ownershipDocument"].startswith("Договор купли-продажи")
    assert rec["efficiencyJPerTh"] == "29.5"  # 3.25 kW x 1000 / 110 TH/s
    [included] = history(rec)
    assert included["action"] == "INCLUDED" and included["application"]["id"] == app["id"]
    numbers = sorted(await AsicUnit.all().values_list("record_number", flat=True))
    assert numbers == [1, 2, 3]
    assert (await by_serial(applicant, " SN-0000 02 "))["recordNumber"] == 2  # normalised lookup
    assert (await by_serial(applicant, "SN000003"))["condition"] == "FAULTY"

    # Change (App.9): two units moved to the other DC and one repaired; 3 WD to apply.
    notice = change_input(miner, "2025-05-05", {"dataCenterId": gid("DataCenter", other_dc.id), "condition": "WORKING"},
                          serials=["SN000001", "SN000003"])
    changed = filed(await applicant.gql(CHANGE, {"i": notice}), "applyForAsicChange")
    assert changed["registryDetails"]["changeLate"] is True  # 2025-05-05 + 10 WD is long past
    # 10 WD after Mon 5 May: 6, [7 holiday], 8, [9 holiday, weekend], 12-16, 19, 20, 21.
    assert changed["registryDetails"]["changeNoticeDueOn"] == "2025-05-21"
    assert changed["registryDetails"]["changeNoticeDueAt"] == "2025-05-21T13:30:00+00:00"
    assert {c["field"]: (c["old"], c["new"]) for c in changed["registryDetails"]["changes"]} == {
        "DATA_CENTER": (None, gid("DataCenter", other_dc.id)), "CONDITION": (None, "WORKING"),
    }
    assert ok(await approve(officer, changed["id"]))
    moved = await by_serial(applicant, "SN000003")
    assert moved["dataCenterLocation"] == "Караганда, ул. Заводская 1" and moved["region"] == "KARAGANDA"
    assert moved["condition"] == "WORKING" and moved["recordNumber"] == 3  # same record, reworded
    last = history(moved)[-1]
    assert last["action"] == "CHANGED" and last["reason"] == "Перенос оборудования"
    assert last["application"]["id"] == changed["id"]
    diff = {c["field"]: (c["old"], c["new"]) for c in last["changes"]}
    assert diff["CONDITION"] == ("FAULTY", "WORKING")
    assert diff["DATA_CENTER_LOCATION"] == ("Экибастуз, промзона 4", "Караганда, ул. Заводская 1")
    assert diff["REGION"] == ("PAVLODAR", "KARAGANDA")
    assert diff["DATA_CENTER"] == (gid("DataCenter", dc.id), gid("DataCenter", other_dc.id))  # ids, not keys
    first = await by_serial(applicant, "SN000001")
    assert {c["field"] for c in history(first)[-1]["changes"]} == {"DATA_CENTER", "DATA_CENTER_LOCATION", "REGION"}

    # Exclusion (App.4): sold; 2 WD; the record stays, EXCLUDED with date and reason.
    excl = filed(await applicant.gql(EXCLUDE, {"i": exclusion_input(miner, unit_ids=[first["id"]])}), "applyForAsicExclusion")
    assert excl["incomingNumber"].startswith("AEX-") and excl["hearingNoticeDueOn"] is None
    assert ok(await approve(officer, excl["id"]))
    gone = await by_serial(applicant, "SN000001")
    assert gone["status"] == "EXCLUDED" and gone["exclusionReason"] == "SALE" and gone["excludedOn"]
    assert [h["action"] for h in history(gone)] == ["INCLUDED", "CHANGED", "EXCLUDED"]
    assert gone["history"]["totalCount"] == 3
    assert "SALE" in history(gone)[-1]["reason"]
    assert await AsicUnit.all().count() == 3  # never deleted
    events = await AsicUnitEvent.filter(unit__serial_key="sn000001").order_by("id")
    assert all(e.actor_label for e in events) and all(e.at for e in events)

    # The machine may come back (sold to another miner): a new record, the old one kept.
    buyer = await make_miner(name="ИП Покупатель")
    buyer_dc = await make_data_center(buyer)
    await _included(officer, buyer, buyer_dc, [unit(1)])
    assert await AsicUnit.filter(serial_key="sn000001").count() == 2
    assert (await by_serial(officer, "sn000001"))["minerName"] == "ИП Покупатель"
    stages = await StageEvent.filter(application_id=pk_of(excl["id"], "Application")).order_by("id")
    assert [e.to_stage.value for e in stages] == ["SUBMITTED", "REGISTERED", "UNDER_REVIEW", "APPROVED"]


async def test_exclusion_and_change_terms_across_holidays(officer, miner_dc):
    miner, dc, _ = miner_dc
    await _included(officer, miner, dc, [unit(1), unit(2)])
    # Exclusion received Tue 2025-05-06: 2 WD skip 7 May (Defender's Day) -> Thu 8, and the
    # 9th (Victory Day) and the weekend -> Mon 12 May.
    excl = filed(await officer.gql(EXCLUDE, {"i": exclusion_input(miner, serials=["SN000001"], received_at="2025-05-06T11:00:00+05:00")}), "applyForAsicExclusion")
    assert excl["decisionDueAt"] == "2025-05-12T13:30:00+00:00" and excl["completenessDueAt"] is None
    # Change received Fri 2025-03-07: registered that day; 3 WD skip the 10 March transfer
    # day off -> Tue 11, Wed 12, Thu 13.
    ch = filed(await officer.gql(CHANGE, {"i": change_input(miner, "2025-03-05", {"model": "Antminer S19 Pro+"}, serials=["SN000002"], received_at="2025-03-07T12:00:00+05:00")}), "applyForAsicChange")
    assert ch["decisionDueAt"] == "2025-03-13T13:30:00+00:00"
    assert ch["registryDetails"]["changeLate"] is False


@pytest.mark.parametrize(
    ("received_at", "late", "due"),
    [
        # Change on Mon 2025-03-10 (a transferred day off): 10 WD are 11-14, 17-20, 26, 27
        # (Nauryz 21-25): due Thu 27 March.
        ("2025-03-27T18:00:00+05:00", False, "2025-03-27"),  # last day, before 18:30
        ("2025-03-27T18:45:00+05:00", True, "2025-03-27"),  # after hours: registered on the 28th
        ("2025-03-28T09:00:00+05:00", True, "2025-03-27"),
    ],
)
async def test_change_notice_is_late_after_ten_working_days_but_accepted(officer, miner_dc, received_at, late, due):
    miner, dc, _ = miner_dc
    await _included(officer, miner, dc, [unit(1)])
    notice = change_input(miner, "2025-03-10", {"minerPhone": "+7 702 111 22 33"}, allUnits=True, received_at=received_at)
    ch = filed(await officer.gql(CHANGE, {"i": notice}), "applyForAsicChange")
    assert ch["stage"] == "REGISTERED"  # accepted either way
    assert ch["registryDetails"]["changeLate"] is late
    assert ch["registryDetails"]["changeNoticeDueOn"] == due


async def test_change_date_in_the_future_is_refused(officer, miner_dc):
    miner, dc, _ = miner_dc
    await _included(officer, miner, dc, [unit(1)])
    result = await officer.gql(CHANGE, {"i": change_input(miner, "2025-03-20", {"model": "X"}, serials=["SN000001"], received_at=RECEIVED)})
    assert errors_of(result) == ["VALIDATION"] and error_paths(result) == [["changeDate"]]
    assert await Application.filter(procedure="ASIC_CHANGE").count() == 0


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"minerPhone": "call me"}, ["changes", "minerPhone"]),
        ({"hashrateThs": "0"}, ["changes", "hashrateThs"]),
        ({"powerKw": "5000"}, ["changes", "powerKw"]),  # beyond one unit: a W/kW mix-up
        ({"tnvedCode": "8471"}, ["changes", "tnvedCode"]),
        ({"model": "=cmd|' /C calc'!A0"}, ["changes", "model"]),
        ({}, ["changes"]),
    ],
)
async def test_the_new_wording_is_checked_with_its_path(officer, miner_dc, changes, path):
    miner, dc, _ = miner_dc
    await _included(officer, miner, dc, [unit(1)])
    result = await officer.gql(CHANGE, {"i": change_input(miner, "2025-03-10", changes, serials=["SN000001"])})
    assert errors_of(result) in (["VALIDATION"], ["INVALID_TNVED"])
    assert error_paths(result) == [path]
    assert await Application.filter(procedure="ASIC_CHANGE").count() == 0


async def test_serial_in_the_registry_is_refused_at_submission_one_error_per_line(client, officer, miner_dc):
    miner, dc, _ = miner_dc
    await _included(officer, miner, dc, [unit(1), unit(2), unit(3, "AB-7")])
    rival = await make_miner(name="ТОО Соперник")
    rival_dc = await make_data_center(rival)
    rival_applicant = await make_caller(client, Role.APPLICANT, miner=rival)
    # Spaces, case and Cyrillic look-alike letters (А, В) do not hide the duplicates.
    lines = [unit(1, "NEW-1"), unit(2, "SN 0000 02"), unit(3, "NEW-3"), unit(4, "sn000001"), unit(5, "АВ-7")]
    payload = payload_of(await include(rival_applicant, inclusion_input(rival, rival_dc, lines)))
    assert payload["application"] is None
    got = [(e["__typename"], e["code"], e["line"], e["recordNumber"], e["path"]) for e in payload["errors"]]
    assert got == [
        ("SerialAlreadyRegistered", "SERIAL_ALREADY_REGISTERED", 2, 2, ["units", "1", "serial"]),
        ("SerialAlreadyRegistered", "SERIAL_ALREADY_REGISTERED", 4, 1, ["units", "3", "serial"]),
        ("SerialAlreadyRegistered", "SERIAL_ALREADY_REGISTERED", 5, 3, ["units", "4", "serial"]),
    ]
    assert payload["errors"][0]["serial"] == lines[1]["serial"]
    # The holder's identity is not the rival's business; an officer sees it.
    assert all(e["holderName"] is None and e["holderBinIin"] is None for e in payload["errors"])
    assert all(miner.bin_iin not in e["message"] and "Павлодар" not in e["message"] for e in payload["errors"])
    as_officer = payload_of(await include(officer, inclusion_input(rival, rival_dc, lines)))["errors"]
    assert [(e["holderName"], e["holderBinIin"]) for e in as_officer] == [(miner.name, miner.bin_iin)] * 3
    assert await Application.filter(miner_id=rival.id).count() == 0
    assert await RegistryApplicationLine.filter(serial="NEW-1").count() == 0


async def test_second_approval_of_a_registered_serial_is_refused_and_changes_nothing(officer, miner_dc):
    miner, dc, _ = miner_dc
    other = await make_miner()
    other_dc = await make_data_center(other)
    a = filed(await include(officer, inclusion_input(miner, dc, [unit(1), unit(2)])))
    b = filed(await include(officer, inclusion_input(other, other_dc, [unit(7, "X-7"), unit(2)])))  # both pending
    assert ok(await approve(officer, a["id"]))
    assert ok(await step(officer, "acceptApplication", b["id"]))
    refused = payload_of(await step(officer, "approveApplication", b["id"]), "approveApplication")
    [error] = refused["errors"]
    assert (error["__typename"], error["serial"], error["line"], error["recordNumber"]) == ("SerialAlreadyRegistered", "SN000002", 2, 2)
    assert error["holderName"] == miner.name  # the officer may read who holds it
    assert (await Application.get(id=pk_of(b["id"], "Application"))).stage.value == "UNDER_REVIEW"
    assert await AsicUnit.filter(serial_key="x-7").count() == 0
    # Gap-free: the failed approval gave its numbers back.
    c = filed(await include(officer, inclusion_input(other, other_dc, [unit(9, "X-9")])))
    assert ok(await approve(officer, c["id"]))
    assert sorted(await AsicUnit.all().values_list("record_number", flat=True)) == [1, 2, 3]


async def test_database_refuses_a_second_live_record_of_a_serial(officer, miner_dc):
    from tortoise.exceptions import IntegrityError

    miner, dc, _ = miner_dc
    await _included(officer, miner, dc, [unit(1)])
    live = await AsicUnit.get(serial_key="sn000001")
    fields = {k: getattr(live, k) for k in live._meta.db_fields if k not in ("id", "created_at", "updated_at")}
    fields = {live._meta.fields_db_projection_reverse.get(k, k): v for k, v in fields.items()}
    with pytest.raises(IntegrityError):
        await AsicUnit.create(**{**fields, "record_number": 99})
    await AsicUnit.create(**{**fields, "record_number": 98, "status": "EXCLUDED"})  # history may repeat
    assert await AsicUnit.filter(serial_key="sn000001", status="IN_REGISTRY").count() == 1


async def test_quantity_must_equal_the_lines(officer, miner_dc):
    miner, dc, _ = miner_dc
    result = await include(officer, inclusion_input(miner, dc, [unit(1), unit(2)], declaredQuantity=3))
    assert [(i["line"], i["column"], i["code"]) for i in issues_of(result)] == [(0, None, "QUANTITY_MISMATCH")]
    assert error_paths(result) == [["units"]]
    assert await Application.all().count() == 0


async def test_inline_lines_get_the_file_rules_per_row(officer, miner_dc):
    miner, dc, _ = miner_dc
    lines = [
        unit(1),
        unit(2, "SN000001"),  # duplicate within the list
        unit(3, hashrateThs="-5"),
        unit(4, tnvedCode="84714100"),
        unit(5, model="=HYPERLINK(\"http://evil\",\"x\")"),
        unit(6, powerKw="2000"),  # 2000 kW for one machine: flagged only once the rows are clean
    ]
    result = await include(officer, inclusion_input(miner, dc, lines))
    got = {(i["line"], i["column"], i["code"]) for i in issues_of(result) if i["severity"] == "ERROR"}
    assert got == {
        (2, "SERIAL", "DUPLICATE_SERIAL"),
        (3, "HASHRATE_THS", "NOT_POSITIVE"),
        (4, "TNVED_CODE", "INVALID_TNVED"),
        (5, "MODEL", "FORMULA_NOT_ALLOWED"),
    }
    assert await Application.all().count() == 0
    big = await include(officer, inclusion_input(miner, dc, [unit(6, powerKw="2000")]))
    assert [(i["line"], i["column"], i["code"]) for i in issues_of(big) if i["severity"] == "ERROR"] == [(1, "POWER_KW", "OUT_OF_RANGE")]


@pytest.mark.parametrize(("language", "word"), [("en", "nothing was filed"), ("ru", "ничего не сохранено"), ("kk", "ештеңе сақталмады")])
async def test_the_rejection_speaks_the_request_language(officer, miner_dc, language, word):
    miner, dc, _ = miner_dc
    officer.language = language
    result = await include(officer, inclusion_input(miner, dc, [unit(1), unit(2, "SN000001")]))
    [error] = payload_of(result)["errors"]
    assert word in error["message"] and "(1)" in error["message"]


async def test_implausible_efficiency_warns_but_files(officer, miner_dc):
    miner, dc, _ = miner_dc
    app = filed(await include(officer, inclusion_input(miner, dc, [unit(1), unit(2, powerKw="32.5")])))  # W typed as kW x10
    assert [(w["line"], w["column"], w["code"], w["severity"]) for w in app["registryDetails"]["warnings"]] == [
        (2, "POWER_KW", "EFFICIENCY_IMPLAUSIBLE", "WARNING")
    ]


async def test_units_only_in_a_data_center_the_miner_may_use(client, officer, miner_dc):
    miner, _, applicant = miner_dc
    host = await make_miner(name="ТОО Хост")
    host_dc = await make_data_center(host)
    # Another organisation's data center answers exactly like a missing one.
    foreign = await include(applicant, inclusion_input(miner, host_dc, [unit(1)]))
    missing = await include(applicant, {**inclusion_input(miner, host_dc, [unit(1)]), "dataCenterId": gid("DataCenter", 999_999)})
    assert errors_of(foreign) == errors_of(missing) == ["NOT_FOUND"]
    assert error_paths(foreign) == error_paths(missing) == [["dataCenterId"]]
    assert payload_of(foreign)["errors"][0]["message"] == payload_of(missing)["errors"][0]["message"]
    # An officer sees the data center: it is there, but not the miner's to use.
    refused = await include(officer, inclusion_input(miner, host_dc, [unit(1)]))
    assert errors_of(refused) == ["DATA_CENTER_NOT_USABLE"] and error_paths(refused) == [["dataCenterId"]]
    # Subtype II: licensed to be hosted in that data center (an active appendix naming it).
    licensing = await Application.create(procedure="LICENSE_ISSUE", channel="OFFICE", miner=miner, received_at="2025-01-09T10:00:00+05:00", stage="APPROVED")
    lic = await License.create(application=licensing, holder=miner, subtype="II", number="KZ-DM-TEST-1", first_issued_on="2025-01-10", issued_on="2025-01-10", valid_until="2030-01-10", place_of_issue="Астана")
    await LicenseAppendix.create(license=lic, number="KZ-DM-TEST-1/1", subtype="II", data_center=host_dc, issued_on="2025-01-10", valid_until="2030-01-10")
    hosted = filed(await include(applicant, inclusion_input(miner, host_dc, [unit(1)])))
    assert hosted["registryDetails"]["lineCount"] == 1
    assert hosted["registryDetails"]["capacity"] is None  # the host's load is not the applicant's to see
    assert ok(await approve(officer, hosted["id"]))
    assert (await by_serial(applicant, "SN000001"))["dataCenterLocation"] == host_dc.address


async def test_incomplete_inclusion_is_refused_within_two_working_days(officer, miner_dc):
    miner, dc, applicant = miner_dc
    app = filed(await include(applicant, inclusion_input(miner, dc, [unit(1)], ownershipDocument="", personalDataConsent=False)))
    assert {p["code"] for p in app["completenessProblems"]} == {"OWNERSHIP_DOCUMENT_MISSING", "PD_CONSENT_MISSING"}
    not_complete = await step(officer, "acceptApplication", app["id"])
    assert errors_of(not_complete) == ["APPLICATION_INCOMPLETE"]
    refused = await step(officer, "refuseIncomplete", app["id"], text="Нет согласия и копии договора")
    assert payload_of(refused, "refuseIncomplete")["application"]["stage"] == "INCOMPLETE_REFUSED"
    assert await AsicUnit.all().count() == 0


async def test_inclusion_refusal_after_hearing_cites_registry_grounds(officer, miner_dc):
    miner, dc, _ = miner_dc
    app = filed(await include(officer, inclusion_input(miner, dc, [unit(1)], received_at=RECEIVED)))
    assert ok(await step(officer, "acceptApplication", app["id"]))
    licensing_ground = await step(officer, "preliminaryRefuse", app["id"], grounds=["QUALIFICATION_NOT_MET"], text="x")
    assert errors_of(licensing_ground) == ["INVALID_REFUSAL_GROUND"]  # not an App.5 item 9 ground
    assert ok(await step(officer, "preliminaryRefuse", app["id"], grounds=["FALSE_DOCUMENTS"], text="Подложная ГТД"))
    late = await step(officer, "scheduleHearing", app["id"], noticeSentOn="2025-03-27", hearingTime="10:30", hearingOn="2025-03-28", place="Астана")
    assert errors_of(late) == ["HEARING_NOTICE_TOO_LATE"]  # day 2 (26 March) is the last
    assert ok(await step(officer, "scheduleHearing", app["id"], noticeSentOn="2025-03-26", hearingTime="10:30", hearingOn="2025-03-28", place="Астана"))
    refused = await step(officer, "refuseApplication", app["id"], grounds=["FALSE_DOCUMENTS"], text="ГТД не выдавалась",
                         hearingOutcome="APPLICANT_ABSENT")
    assert payload_of(refused, "refuseApplication")["application"]["stage"] == "REFUSED"
    assert await AsicUnit.all().count() == 0


async def test_exclusion_needs_its_document_and_only_own_live_records(client, officer, miner_dc):
    miner, dc, applicant = miner_dc
    await _included(officer, miner, dc, [unit(1), unit(2)])
    other = await make_miner()
    other_dc = await make_data_center(other)
    await _included(officer, other, other_dc, [unit(5, "OTHER-5")])
    foreign = await applicant.gql(EXCLUDE, {"i": exclusion_input(miner, serials=["SN000001", "OTHER-5"])})
    assert errors_of(foreign) == ["UNIT_NOT_IN_REGISTRY"] and error_paths(foreign) == [["serials", "1"]]
    assert payload_of(foreign, "applyForAsicExclusion")["errors"][0]["serials"] == ["OTHER-5"]
    bad_reason = await applicant.gql(EXCLUDE, {"i": exclusion_input(miner, serials=["SN000001"], reason="THEFT")})
    assert errors_of(bad_reason) == ["GRAPHQL_VALIDATION"]  # not an App.4 reason
    assert await Application.filter(procedure="ASIC_EXCLUSION").count() == 0
    app = filed(await applicant.gql(EXCLUDE, {"i": exclusion_input(miner, serials=["SN000001"], reason="LOSS", document="")}), "applyForAsicExclusion")
    assert errors_of(await step(officer, "acceptApplication", app["id"])) == ["APPLICATION_INCOMPLETE"]
    # Exclusion has no hearing: refusal of further review follows the completeness check.
    assert ok(await step(officer, "refuseIncomplete", app["id"], text="Нет акта об утрате"))
    assert (await AsicUnit.get(serial_key="sn000001")).status.value == "IN_REGISTRY"


async def test_a_record_named_by_id_is_loaded_through_the_callers_visibility(officer, miner_dc):
    miner, dc, applicant = miner_dc
    await _included(officer, miner, dc, [unit(1)])
    other = await make_miner()
    await _included(officer, other, await make_data_center(other), [unit(5, "OTHER-5")])
    theirs = await AsicUnit.get(serial_key="other-5")
    mine = await AsicUnit.get(serial_key="sn000001")
    # Another organisation's record answers exactly like a missing one (same code, path, message).
    foreign = await applicant.gql(EXCLUDE, {"i": exclusion_input(miner, unit_ids=[gid("AsicUnit", mine.id), gid("AsicUnit", theirs.id)])})
    missing = await applicant.gql(EXCLUDE, {"i": exclusion_input(miner, unit_ids=[gid("AsicUnit", mine.id), gid("AsicUnit", 999_999)])})
    assert errors_of(foreign) == errors_of(missing) == ["NOT_FOUND"]
    assert error_paths(foreign) == error_paths(missing) == [["unitIds", "1"]]
    messages = {payload_of(r, "applyForAsicExclusion")["errors"][0]["message"] for r in (foreign, missing)}
    assert len(messages) == 1
    # An officer sees the other miner's record: it exists, but is not this miner's.
    as_officer = await officer.gql(EXCLUDE, {"i": exclusion_input(miner, unit_ids=[gid("AsicUnit", theirs.id)])})
    [error] = payload_of(as_officer, "applyForAsicExclusion")["errors"]
    assert (error["code"], error["unitIds"], error["serials"]) == ("UNIT_NOT_IN_REGISTRY", [gid("AsicUnit", theirs.id)], ["OTHER-5"])
    wrong_type = await applicant.gql(EXCLUDE, {"i": exclusion_input(miner, unit_ids=[gid("Miner", miner.id)])})
    assert errors_of(wrong_type) == ["INVALID_ID"] and error_paths(wrong_type) == [["unitIds", "0"]]
    assert await Application.filter(procedure="ASIC_EXCLUSION").count() == 0


async def test_exclusion_approval_rechecks_that_records_are_still_live(officer, miner_dc):
    miner, dc, _ = miner_dc
    await _included(officer, miner, dc, [unit(1)])
    a = filed(await officer.gql(EXCLUDE, {"i": exclusion_input(miner, serials=["SN000001"])}), "applyForAsicExclusion")
    b = filed(await officer.gql(EXCLUDE, {"i": exclusion_input(miner, serials=["SN000001"], reason="DISPOSAL")}), "applyForAsicExclusion")
    assert ok(await approve(officer, a["id"]))
    assert ok(await step(officer, "acceptApplication", b["id"]))
    refused = payload_of(await step(officer, "approveApplication", b["id"]), "approveApplication")
    [error] = refused["errors"]
    assert (error["__typename"], error["serials"]) == ("UnitNotInRegistry", ["SN000001"])
    unit_row = await AsicUnit.get(serial_key="sn000001")
    assert unit_row.exclusion_reason.value == "SALE"
    assert await AsicUnitEvent.filter(unit_id=unit_row.id, action="EXCLUDED").count() == 1


async def test_applicants_see_only_their_own_records_and_partners_no_contacts(client, officer, miner_dc):
    miner, dc, applicant = miner_dc
    await _included(officer, miner, dc, [unit(1)])
    other = await make_miner()
    other_dc = await make_data_center(other)
    await _included(officer, other, other_dc, [unit(2, "THEIRS-2")])
    listed = await applicant.gql("{ asicUnits { totalCount edges { node { serial } } } }")
    assert [e["node"]["serial"] for e in listed["data"]["asicUnits"]["edges"]] == ["SN000001"]
    assert await by_serial(applicant, "THEIRS-2") is None
    theirs = await AsicUnit.get(serial_key="theirs-2")
    node = await applicant.gql("query($id: ID!) { node(id: $id) { id } }", {"id": gid("AsicUnit", theirs.id)})
    assert node == {"data": {"node": None}}  # a lookup: null for "not yours", like "missing"
    inspector = await make_caller(client, Role.INSPECTOR)
    seen = await by_serial(inspector, "theirs-2")
    assert seen["minerName"] == other.name and seen["minerPhone"] == other.phone
    partner = await make_caller(client, Role.PARTNER)
    public = await by_serial(partner, "theirs-2")
    assert public["minerName"] == other.name and (public["minerPhone"], public["minerEmail"]) == (None, None)
    assert history(public)[0]["application"] is None  # partners read no applications


async def test_contact_changes_in_the_history_are_hidden_from_partners(client, officer, miner_dc):
    miner, dc, _ = miner_dc
    await _included(officer, miner, dc, [unit(1)])
    notice = change_input(miner, "2025-03-10", {"minerPhone": "+7 702 111 22 33", "model": "S19j"}, allUnits=True)
    assert ok(await approve(officer, filed(await officer.gql(CHANGE, {"i": notice}), "applyForAsicChange")["id"]))
    for caller, phone in ((officer, ("+7 701 000 00 00", "+7 702 111 22 33")),
                          (await make_caller(client, Role.PARTNER), (None, None))):
        changes = {c["field"]: (c["old"], c["new"]) for c in history(await by_serial(caller, "SN000001"))[-1]["changes"]}
        assert changes["MINER_PHONE"] == phone
        assert changes["MODEL"] == ("Antminer S19 Pro", "S19j")


async def test_filters_orders_and_pages(officer, miner_dc):
    miner, dc, _ = miner_dc
    other_dc = await make_data_center(miner, region="AKMOLA", address="Степногорск")
    await _included(officer, miner, dc, [unit(i, f"AB{i:03d}") for i in range(1, 6)])
    await _included(officer, miner, other_dc, [unit(i, f"CD{i:03d}", model="Whatsminer M50") for i in range(1, 4)][::-1])
    q = """query($f: AsicUnitFilter, $o: AsicUnitOrder, $first: Int, $after: String) {
      asicUnits(filter: $f, orderBy: $o, first: $first, after: $after) {
        totalCount totalCountEstimate pageInfo { hasNextPage endCursor } edges { node { serial recordNumber } } } }"""

    async def units(f=None, order=None, **page):
        r = await officer.gql(q, {"f": f, "o": order, **page})
        assert "errors" not in r, r
        return r["data"]["asicUnits"]

    assert (await units({"serialPrefix": "ab00"}))["totalCount"] == 5
    assert (await units({"serialPrefix": " c d"}))["totalCount"] == 3  # compared as the registry compares
    assert (await units({"model": "whatsminer"}))["totalCount"] == 3
    assert (await units({"region": "AKMOLA"}))["totalCount"] == 3
    by_dc = await units({"dataCenterId": gid("DataCenter", dc.id), "status": "IN_REGISTRY"})
    assert by_dc["totalCount"] == by_dc["totalCountEstimate"] == 5  # filtered: exact
    assert (await units({"minerId": gid("Miner", miner.id), "status": "EXCLUDED"}))["totalCount"] == 0
    page1 = await units(first=3)
    page2 = await units(first=3, after=page1["pageInfo"]["endCursor"])
    assert [e["node"]["recordNumber"] for e in page1["edges"] + page2["edges"]] == [1, 2, 3, 4, 5, 6]
    # Sorted by serial, pages walk it without gaps in both directions.
    for direction, expected in (("ASC", ["AB001", "AB002", "AB003", "AB004", "AB005", "CD001", "CD002", "CD003"]),
                                ("DESC", ["CD003", "CD002", "CD001", "AB005", "AB004", "AB003", "AB002", "AB001"])):
        seen, after = [], None
        while True:
            page = await units(order={"field": "SERIAL", "direction": direction}, first=3, after=after)
            seen += [e["node"]["serial"] for e in page["edges"]]
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        assert seen == expected
    by_date = await units(order={"field": "RECORD_DATE", "direction": "DESC"}, first=8)
    assert len(by_date["edges"]) == 8
    cursor_of_serial_order = (await units(order={"field": "SERIAL"}, first=1))["pageInfo"]["endCursor"]
    wrong = await officer.gql(q, {"first": 2, "after": cursor_of_serial_order})
    assert errors_of(wrong) == ["INVALID_ID"]  # a cursor of another order is refused, not misread


async def test_capacity_is_flagged_in_review_and_queries_and_totals_add_up(officer, miner_dc):
    miner, _, _ = miner_dc
    small = await make_data_center(miner, permitted_capacity_mw="0.01", region="ABAI", address="Семей")  # 10 kW
    first = filed(await include(officer, inclusion_input(miner, small, [unit(1), unit(2)])))  # 6.5 kW
    assert first["registryDetails"]["capacity"] == {
        "permittedKw": "10.000", "registeredKw": "0", "requestedKw": "6.500", "totalKw": "6.500",
        "overCapacity": False, "wouldExceed": False,
    }
    assert ok(await approve(officer, first["id"]))
    second = filed(await include(officer, inclusion_input(miner, small, [unit(3), unit(4)])))
    cap = second["registryDetails"]["capacity"]
    assert cap["wouldExceed"] is True and cap["overCapacity"] is False and Decimal(cap["totalKw"]) == 13
    assert ok(await approve(officer, second["id"]))  # flagged, not forbidden: the officer decides
    over = await officer.gql("{ asicCapacity(overOnly: true) { dataCenter { address } capacity { registeredKw overCapacity headroomKw } } }")
    assert over["data"]["asicCapacity"] == [{"dataCenter": {"address": "Семей"}, "capacity": {"registeredKw": "13.000", "overCapacity": True, "headroomKw": "-3.000"}}]
    big = await make_data_center(miner, region="PAVLODAR", address="Аксу")
    await _included(officer, miner, big, [unit(5), unit(6, hashrateThs="200", powerKw="3.5")])
    totals = await officer.gql(
        """{ r: asicTotals(groupBy: REGION) { region units hashrateThs powerKw miner { id } }
             m: asicTotals(groupBy: MINER) { label units powerKw miner { binIin } dataCenter { id } }
             d: asicTotals(groupBy: DATA_CENTER) { label units dataCenter { address } } }"""
    )
    assert "errors" not in totals, totals
    by_region = {t["region"]: (t["units"], Decimal(t["hashrateThs"]), Decimal(t["powerKw"])) for t in totals["data"]["r"]}
    assert by_region == {"ABAI": (4, Decimal(440), Decimal(13)), "PAVLODAR": (2, Decimal(310), Decimal("6.75"))}
    assert all(t["miner"] is None for t in totals["data"]["r"])
    [by_miner] = totals["data"]["m"]
    assert (by_miner["label"], by_miner["units"], Decimal(by_miner["powerKw"])) == (miner.name, 6, Decimal("19.75"))
    assert by_miner["miner"] == {"binIin": miner.bin_iin} and by_miner["dataCenter"] is None
    assert [(t["label"], t["units"], t["dataCenter"]["address"]) for t in totals["data"]["d"]] == [("Семей", 4, "Семей"), ("Аксу", 2, "Аксу")]


async def test_unit_links_of_a_record(officer, miner_dc):
    miner, dc, _ = miner_dc
    app = await _included(officer, miner, dc, [unit(1)])
    result = await officer.gql("""{ asicUnits { edges { node { miner { name } dataCenter { address }
        inclusionApplication { id procedure } exclusionApplication { id } } } } }""")
    node = result["data"]["asicUnits"]["edges"][0]["node"]
    assert node["miner"]["name"] == miner.name and node["dataCenter"]["address"] == dc.address
    assert node["inclusionApplication"] == {"id": app["id"], "procedure": "ASIC_INCLUSION"}
    assert node["exclusionApplication"] is None
    record = await AsicUnit.get(serial_key="sn000001")
    by_id = await officer.gql("query($id: ID!) { node(id: $id) { ... on AsicUnit { serial recordNumber } } }",
                              {"id": gid("AsicUnit", record.id)})
    assert by_id["data"]["node"] == {"serial": "SN000001", "recordNumber": record.record_number}


async def test_filing_again_with_the_same_client_mutation_id_returns_the_first_application(officer, miner_dc):
    miner, dc, _ = miner_dc
    await _included(officer, miner, dc, [unit(1)])
    filings = [
        (include, inclusion_input(miner, dc, [unit(2)]), "applyForAsicInclusion"),
        (None, exclusion_input(miner, serials=["SN000001"]), "applyForAsicExclusion"),
        (None, change_input(miner, "2025-03-10", {"model": "S19j"}, serials=["SN000001"]), "applyForAsicChange"),
    ]
    queries = {"applyForAsicExclusion": EXCLUDE, "applyForAsicChange": CHANGE}
    for send, data, mutation in filings:
        data = {**data, "clientMutationId": f"key-{mutation}"}

        async def call(payload, send=send, mutation=mutation):
            return await (send(officer, payload) if send else officer.gql(queries[mutation], {"i": payload}))

        first = filed(await call(data), mutation)
        count = await Application.all().count()
        again = filed(await call(data), mutation)
        assert again["id"] == first["id"] and await Application.all().count() == count
        other = {**data, "contactPhone": "+7 705 123 45 67"}
        conflict = await call(other)
        assert errors_of(conflict) == ["CONFLICT"] and error_paths(conflict) == [["clientMutationId"]]
        assert await Application.all().count() == count


async def test_a_refused_filing_keeps_its_client_mutation_id_free_for_the_corrected_input(officer, miner_dc):
    miner, dc, _ = miner_dc
    bad = {**inclusion_input(miner, dc, [unit(1), unit(2, "SN000001")]), "clientMutationId": "retry-me"}
    assert errors_of(await include(officer, bad)) == ["UNIT_LIST_INVALID"]
    good = {**inclusion_input(miner, dc, [unit(1), unit(2)]), "clientMutationId": "retry-me"}
    assert filed(await include(officer, good))["registryDetails"]["lineCount"] == 2


async def test_bad_contacts_and_texts_are_refused_with_their_path(officer, miner_dc):
    miner, dc, _ = miner_dc
    for extra, path in (({"contactPhone": "call me"}, ["contactPhone"]), ({"contactEmail": "no-at-sign"}, ["contactEmail"]),
                        ({"ownershipDocument": "x" * 501}, ["ownershipDocument"]), ({"tnvedCode": "84714"}, ["tnvedCode"]),
                        ({"declaredQuantity": 0}, ["declaredQuantity"])):
        result = await include(officer, inclusion_input(miner, dc, [unit(1)], **extra))
        assert errors_of(result) in (["VALIDATION"], ["INVALID_TNVED"]) and error_paths(result) == [path], extra
    assert await Application.all().count() == 0
    given = filed(await include(officer, inclusion_input(miner, dc, [unit(1)], contactPhone=" +7 705 000 11 22 ")))
    assert given["registryDetails"]["contactPhone"] == "+7 705 000 11 22"


async def test_inclusions_are_found_by_the_region_of_their_data_center(officer, miner_dc):
    miner, dc, _ = miner_dc  # PAVLODAR
    abai = await make_data_center(miner, region="ABAI")
    here = filed(await include(officer, inclusion_input(miner, dc, [unit(1)])))
    filed(await include(officer, inclusion_input(miner, abai, [unit(2)])))
    found = await officer.gql("{ applications(region: PAVLODAR, procedure: ASIC_INCLUSION) { edges { node { id } } } }")
    assert [e["node"]["id"] for e in found["data"]["applications"]["edges"]] == [here["id"]]
