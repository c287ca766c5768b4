"""ASIC registry (002 / 000) on the application engine, through GraphQL: inclusion -> change ->
exclusion, terms across holidays, one serial once, visibility, capacity and totals."""

from decimal import Decimal

import pytest

from models.applications import Application, StageEvent
from models.licensing import License, LicenseAppendix
from models.registry import AsicUnit, AsicUnitEvent, RegistryApplicationLine
from rules.enums import Role
from schema.ids import to_global_id
from tests.api.registry_flow import (
    UNIT_FIELDS,
    approve,
    by_serial,
    change_input,
    exclusion_input,
    include,
    inclusion_input,
    step,
    unit,
)
from tests.factories import errors_of, make_caller, make_data_center, make_miner

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


def _app(result: dict, name: str = "applyForAsicInclusion") -> dict:
    assert "errors" not in result, result
    payload = result["data"][name]
    if name == "applyForAsicInclusion":
        assert payload["ok"], payload["issues"]
    return payload["application"]


async def _included(officer, miner, dc, units, **kw):
    app = _app(await include(officer, inclusion_input(miner, dc, units, received_at=RECEIVED, **kw)))
    approved = await approve(officer, app["id"])
    assert "errors" not in approved, approved
    return app


async def test_inclusion_change_exclusion_full_path(officer, miner_dc):
    miner, dc, applicant = miner_dc
    other_dc = await make_data_center(miner, address="Караганда, ул. Заводская 1", region="KARAGANDA")
    units = [unit(1), unit(2, "sn-000002"), unit(3, condition="FAULTY")]
    app = _app(await include(officer, inclusion_input(miner, dc, units, received_at=RECEIVED)))
    assert app["stage"] == "REGISTERED" and app["registeredOn"] == "2025-03-19"
    assert app["incomingNumber"].startswith("AIN-2025-")
    assert app["completenessDue"] == "2025-03-26T13:30:00+00:00"
    assert app["decisionDue"] == "2025-03-31T13:30:00+00:00"
    assert app["hearingNoticeLastDay"] == "2025-03-26"
    details = app["registryDetails"]
    assert details["lineCount"] == 3 and Decimal(details["totalPowerKw"]) == Decimal("9.75")
    assert app["completenessProblems"] == []
    assert await AsicUnit.all().count() == 0  # nothing in the registry before approval

    approved = await approve(officer, app["id"])
    assert approved["data"]["approveApplication"]["application"]["stage"] == "APPROVED"
    rec = await by_serial(applicant, "SN000001")
    assert rec["recordNumber"] == 1 and rec["status"] == "IN_REGISTRY"
    assert rec["minerName"] == "ТОО Майнинг Павлодар" and rec["minerBinIin"] == miner.bin_iin
    assert rec["minerLegalAddress"] == miner.legal_address and rec["minerPhone"] == miner.phone
    assert rec["dataCenterLocation"] == "Экибастуз, промзона 4" and rec["region"] == "PAVLODAR"
    assert rec["tnvedCode"] == "8471410000" and Decimal(rec["hashrateThs"]) == 110
    assert rec["customsDeclaration"] == "50401/010123/0001234" and rec["customsQuantity"] == 3
    assert rec["ownershipDocument"].startswith("Договор купли-продажи")
    assert rec["efficiencyJPerTh"] == "29.5"
    assert [h["action"] for h in rec["history"]] == ["INCLUDED"]
    numbers = sorted(await AsicUnit.all().values_list("record_number", flat=True))
    assert numbers == [1, 2, 3]
    assert (await by_serial(applicant, " SN-0000 02 "))["recordNumber"] == 2  # normalised lookup
    assert (await by_serial(applicant, "SN000003"))["condition"] == "FAULTY"

    # Change (App.9): two units moved to the other DC and one repaired; 3 WD to apply.
    changed = _app(
        await applicant.gql(
            __import__("tests.api.registry_flow", fromlist=["CHANGE"]).CHANGE,
            {"i": change_input(miner, "2025-05-05", {"dataCenterId": to_global_id("DataCenter", other_dc.id), "condition": "WORKING"}, serials=["SN000001", "SN000003"], received_at=None)},
        ),
        "applyForAsicChange",
    )
    assert changed["registryDetails"]["changeLate"] is True  # 2025-05-05 + 10 WD is long past
    assert "errors" not in await approve(officer, changed["id"])
    moved = await by_serial(applicant, "SN000003")
    assert moved["dataCenterLocation"] == "Караганда, ул. Заводская 1" and moved["region"] == "KARAGANDA"
    assert moved["condition"] == "WORKING" and moved["recordNumber"] == 3  # same record, reworded
    last = moved["history"][-1]
    assert last["action"] == "CHANGED" and last["reason"] == "Перенос оборудования"
    diff = {c["field"]: (c["old"], c["new"]) for c in last["changes"]}
    assert diff["condition"] == ("FAULTY", "WORKING")
    assert diff["data_center_location"] == ("Экибастуз, промзона 4", "Караганда, ул. Заводская 1")
    assert diff["region"] == ("PAVLODAR", "KARAGANDA")
    first = await by_serial(applicant, "SN000001")
    assert {c["field"] for c in first["history"][-1]["changes"]} == {"data_center_id", "data_center_location", "region"}

    # Exclusion (App.4): sold; 2 WD; the record stays, EXCLUDED with date and reason.
    rec1 = await by_serial(applicant, "SN000001")
    excl = _app(await applicant.gql(__import__("tests.api.registry_flow", fromlist=["EXCLUDE"]).EXCLUDE, {"i": exclusion_input(miner, unit_ids=[rec1["id"]])}), "applyForAsicExclusion")
    assert excl["incomingNumber"].startswith("AEX-") and excl["hearingNoticeLastDay"] is None
    assert "errors" not in await approve(officer, excl["id"])
    gone = await by_serial(applicant, "SN000001")
    assert gone["status"] == "EXCLUDED" and gone["exclusionReason"] == "SALE" and gone["excludedOn"]
    assert [h["action"] for h in gone["history"]] == ["INCLUDED", "CHANGED", "EXCLUDED"]
    assert "SALE" in gone["history"][-1]["reason"]
    assert await AsicUnit.all().count() == 3  # never deleted
    events = await AsicUnitEvent.filter(unit__serial_key="sn000001").order_by("id")
    assert all(e.actor_label for e in events) and all(e.at for e in events)

    # The machine may come back (sold to another miner): a new record, the old one kept.
    buyer = await make_miner(name="ИП Покупатель")
    buyer_dc = await make_data_center(buyer)
    await _included(officer, buyer, buyer_dc, [unit(1)])
    assert await AsicUnit.filter(serial_key="sn000001").count() == 2
    assert (await by_serial(officer, "sn000001"))["minerName"] == "ИП Покупатель"
    history = await StageEvent.filter(application_id=int(await _pk(excl["id"]))).order_by("id")
    assert [e.to_stage.value for e in history] == ["SUBMITTED", "REGISTERED", "UNDER_REVIEW", "APPROVED"]


async def _pk(global_id: str) -> int:
    from schema.ids import pk_of

    return pk_of(global_id, "Application")


async def test_exclusion_and_change_terms_across_holidays(officer, miner_dc):
    miner, dc, _ = miner_dc
    await _included(officer, miner, dc, [unit(1), unit(2)])
    from tests.api.registry_flow import CHANGE, EXCLUDE

    # Exclusion received Tue 2025-05-06: 2 WD skip 7 May (Defender's Day) -> Thu 8, and the
    # 9th (Victory Day) and the weekend -> Mon 12 May.
    excl = _app(await officer.gql(EXCLUDE, {"i": exclusion_input(miner, serials=["SN000001"], received_at="2025-05-06T11:00:00+05:00")}), "applyForAsicExclusion")
    assert excl["decisionDue"] == "2025-05-12T13:30:00+00:00" and excl["completenessDue"] is None
    # Change received Fri 2025-03-07: registered that day; 3 WD skip the 10 March transfer
    # day off -> Tue 11, Wed 12, Thu 13.
    ch = _app(await officer.gql(CHANGE, {"i": change_input(miner, "2025-03-05", {"model": "Antminer S19 Pro+"}, serials=["SN000002"], received_at="2025-03-07T12:00:00+05:00")}), "applyForAsicChange")
    assert ch["decisionDue"] == "2025-03-13T13:30:00+00:00"
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
    from tests.api.registry_flow import CHANGE

    ch = _app(await officer.gql(CHANGE, {"i": change_input(miner, "2025-03-10", {"minerPhone": "+7 702 111 22 33"}, allUnits=True, received_at=received_at)}), "applyForAsicChange")
    assert ch["stage"] == "REGISTERED"  # accepted either way
    assert ch["registryDetails"]["changeLate"] is late
    assert ch["registryDetails"]["changeNoticeDue"] == due


async def test_change_date_in_the_future_is_refused(officer, miner_dc):
    miner, dc, _ = miner_dc
    await _included(officer, miner, dc, [unit(1)])
    from tests.api.registry_flow import CHANGE

    result = await officer.gql(CHANGE, {"i": change_input(miner, "2025-03-20", {"model": "X"}, serials=["SN000001"], received_at=RECEIVED)})
    assert errors_of(result) == ["VALIDATION"]
    assert await Application.filter(procedure="ASIC_CHANGE").count() == 0


async def test_serial_in_the_registry_is_refused_at_submission_with_its_row(client, officer, miner_dc):
    miner, dc, _ = miner_dc
    await _included(officer, miner, dc, [unit(1), unit(2)])
    rival = await make_miner(name="ТОО Соперник")
    rival_dc = await make_data_center(rival)
    rival_applicant = await make_caller(client, Role.APPLICANT, miner=rival)
    # Cyrillic look-alike letters and spaces do not hide the duplicate.
    lines = [unit(1, "NEW-1"), unit(2, "ѕn 000002".replace("ѕ", "с").upper().replace("С", "S")), unit(3, "NEW-3")]
    result = await include(rival_applicant, inclusion_input(rival, rival_dc, lines))
    payload = result["data"]["applyForAsicInclusion"]
    assert payload["ok"] is False and payload["application"] is None
    [issue] = [i for i in payload["issues"] if i["severity"] == "ERROR"]
    assert (issue["line"], issue["column"], issue["code"]) == (2, "serial", "SERIAL_ALREADY_REGISTERED")
    assert "already in the registry (record No. 2)" in issue["message"]
    assert "Павлодар" not in issue["message"] and miner.bin_iin not in issue["message"]  # not the applicant's business
    as_officer = (await include(officer, inclusion_input(rival, rival_dc, lines)))["data"]["applyForAsicInclusion"]
    assert "held by ТОО Майнинг Павлодар" in as_officer["issues"][0]["message"]
    assert await Application.filter(miner_id=rival.id).count() == 0
    assert await RegistryApplicationLine.filter(serial="NEW-1").count() == 0


async def test_second_approval_of_a_registered_serial_is_refused_and_changes_nothing(officer, miner_dc):
    miner, dc, _ = miner_dc
    other = await make_miner()
    other_dc = await make_data_center(other)
    a = _app(await include(officer, inclusion_input(miner, dc, [unit(1), unit(2)])))
    b = _app(await include(officer, inclusion_input(other, other_dc, [unit(7, "X-7"), unit(2)])))  # both pending
    assert "errors" not in await approve(officer, a["id"])
    assert "errors" not in await step(officer, "acceptApplication", b["id"])
    refused = await step(officer, "approveApplication", b["id"])
    assert errors_of(refused) == ["SERIAL_ALREADY_REGISTERED"]
    assert "line 2: SN000002 is record No. 2" in refused["errors"][0]["extensions"]["detail"]
    assert (await Application.get(id=await _pk(b["id"]))).stage.value == "UNDER_REVIEW"
    assert await AsicUnit.filter(serial_key="x-7").count() == 0
    # Gap-free: the failed approval gave its numbers back.
    c = _app(await include(officer, inclusion_input(other, other_dc, [unit(9, "X-9")])))
    await approve(officer, c["id"])
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
    payload = result["data"]["applyForAsicInclusion"]
    assert not payload["ok"] and [(i["line"], i["column"], i["code"]) for i in payload["issues"]] == [
        (0, "declaredQuantity", "QUANTITY_MISMATCH")
    ]
    assert await Application.all().count() == 0


async def test_inline_lines_get_the_file_rules_per_row(officer, miner_dc):
    miner, dc, _ = miner_dc
    lines = [
        unit(1),
        unit(2, "SN000001"),  # duplicate within the list
        unit(3, hashrateThs="-5"),
        unit(4, tnvedCode="84714100"),
        unit(5, model="=HYPERLINK(\"http://evil\",\"x\")"),
        unit(6, powerKw="2000"),  # 2000 kW for one machine
    ]
    payload = (await include(officer, inclusion_input(miner, dc, lines)))["data"]["applyForAsicInclusion"]
    got = {(i["line"], i["column"], i["code"]) for i in payload["issues"] if i["severity"] == "ERROR"}
    assert got == {
        (2, "serial", "DUPLICATE_SERIAL"),
        (3, "hashrate_ths", "NOT_POSITIVE"),
        (4, "tnved_code", "INVALID_TNVED"),
        (5, "model", "FORMULA_NOT_ALLOWED"),
    }
    assert await Application.all().count() == 0
    big = (await include(officer, inclusion_input(miner, dc, [unit(6, powerKw="2000")])))["data"]["applyForAsicInclusion"]
    assert [(i["line"], i["column"], i["code"]) for i in big["issues"] if i["severity"] == "ERROR"] == [(1, "power_kw", "OUT_OF_RANGE")]


async def test_implausible_efficiency_warns_but_files(officer, miner_dc):
    miner, dc, _ = miner_dc
    result = await include(officer, inclusion_input(miner, dc, [unit(1), unit(2, powerKw="32.5")]))  # W typed as kW x10
    payload = result["data"]["applyForAsicInclusion"]
    assert payload["ok"]
    assert [(i["line"], i["column"], i["code"], i["severity"]) for i in payload["issues"]] == [(2, "power_kw", "EFFICIENCY_IMPLAUSIBLE", "WARNING")]
    assert payload["application"]["registryDetails"]["warnings"][0]["code"] == "EFFICIENCY_IMPLAUSIBLE"


async def test_units_only_in_a_data_center_the_miner_may_use(client, officer, miner_dc):
    miner, _, applicant = miner_dc
    host = await make_miner(name="ТОО Хост")
    host_dc = await make_data_center(host)
    refused = await include(applicant, inclusion_input(miner, host_dc, [unit(1)]))
    assert errors_of(refused) == ["DATA_CENTER_NOT_USABLE"]
    # Subtype II: licensed to be hosted in that data center (an active appendix naming it).
    licensing = await Application.create(procedure="LICENSE_ISSUE", channel="OFFICE", miner=miner, received_at="2025-01-09T10:00:00+05:00", stage="APPROVED")
    lic = await License.create(application=licensing, holder=miner, subtype="II", number="KZ-DM-TEST-1", first_issued_on="2025-01-10", issued_on="2025-01-10", valid_until="2030-01-10", place_of_issue="Астана")
    await LicenseAppendix.create(license=lic, number="KZ-DM-TEST-1/1", subtype="II", data_center=host_dc, issued_on="2025-01-10", valid_until="2030-01-10")
    assert (await include(applicant, inclusion_input(miner, host_dc, [unit(1)])))["data"]["applyForAsicInclusion"]["ok"]


async def test_incomplete_inclusion_is_refused_within_two_working_days(officer, miner_dc):
    miner, dc, applicant = miner_dc
    app = _app(await include(applicant, inclusion_input(miner, dc, [unit(1)], ownershipDocument="", personalDataConsent=False)))
    assert {p["code"] for p in app["completenessProblems"]} == {"OWNERSHIP_DOCUMENT_MISSING", "PD_CONSENT_MISSING"}
    not_complete = await step(officer, "acceptApplication", app["id"])
    assert errors_of(not_complete) == ["APPLICATION_INCOMPLETE"]
    refused = await step(officer, "refuseIncomplete", app["id"], grounds=["NO_PD_CONSENT"], text="Нет согласия и копии договора")
    assert refused["data"]["refuseIncomplete"]["application"]["stage"] == "INCOMPLETE_REFUSED"
    assert await AsicUnit.all().count() == 0


async def test_inclusion_refusal_after_hearing_cites_registry_grounds(officer, miner_dc):
    miner, dc, _ = miner_dc
    app = _app(await include(officer, inclusion_input(miner, dc, [unit(1)], received_at=RECEIVED)))
    await step(officer, "acceptApplication", app["id"])
    licensing_ground = await step(officer, "preliminaryRefuse", app["id"], grounds=["QUALIFICATION_NOT_MET"], text="x")
    assert errors_of(licensing_ground) == ["INVALID_REFUSAL_GROUND"]  # not an App.5 item 9 ground
    assert "errors" not in await step(officer, "preliminaryRefuse", app["id"], grounds=["FALSE_DOCUMENTS"], text="Подложная ГТД")
    late = await step(officer, "scheduleHearing", app["id"], noticeSentOn="2025-03-27", hearingOn="2025-03-28", place="Астана")
    assert errors_of(late) == ["HEARING_NOTICE_TOO_LATE"]  # day 2 (26 March) is the last
    assert "errors" not in await step(officer, "scheduleHearing", app["id"], noticeSentOn="2025-03-26", hearingOn="2025-03-28", place="Астана")
    refused = await step(officer, "refuseApplication", app["id"], grounds=["FALSE_DOCUMENTS"], text="ГТД не выдавалась")
    assert refused["data"]["refuseApplication"]["application"]["stage"] == "REFUSED"
    assert await AsicUnit.all().count() == 0


async def test_exclusion_needs_its_document_and_only_own_live_records(client, officer, miner_dc):
    miner, dc, applicant = miner_dc
    from tests.api.registry_flow import EXCLUDE

    await _included(officer, miner, dc, [unit(1), unit(2)])
    other = await make_miner()
    other_dc = await make_data_center(other)
    await _included(officer, other, other_dc, [unit(5, "OTHER-5")])
    foreign = await applicant.gql(EXCLUDE, {"i": exclusion_input(miner, serials=["OTHER-5"])})
    assert errors_of(foreign) == ["UNIT_NOT_IN_REGISTRY"]
    bad_reason = await applicant.gql(EXCLUDE, {"i": exclusion_input(miner, serials=["SN000001"], reason="THEFT")})
    assert errors_of(bad_reason) == ["GRAPHQL_VALIDATION"]  # not an App.4 reason
    assert await Application.filter(procedure="ASIC_EXCLUSION").count() == 0
    app = _app(await applicant.gql(EXCLUDE, {"i": exclusion_input(miner, serials=["SN000001"], reason="LOSS", document="")}), "applyForAsicExclusion")
    assert errors_of(await step(officer, "acceptApplication", app["id"])) == ["APPLICATION_INCOMPLETE"]
    # Exclusion has no hearing: the motivated refusal follows the review directly.
    assert "errors" not in await step(officer, "refuseIncomplete", app["id"], grounds=["NON_COMPLIANCE"], text="Нет акта об утрате")
    assert (await AsicUnit.get(serial_key="sn000001")).status.value == "IN_REGISTRY"


async def test_exclusion_approval_rechecks_that_records_are_still_live(officer, miner_dc):
    miner, dc, _ = miner_dc
    from tests.api.registry_flow import EXCLUDE

    await _included(officer, miner, dc, [unit(1)])
    a = _app(await officer.gql(EXCLUDE, {"i": exclusion_input(miner, serials=["SN000001"])}), "applyForAsicExclusion")
    b = _app(await officer.gql(EXCLUDE, {"i": exclusion_input(miner, serials=["SN000001"], reason="DISPOSAL")}), "applyForAsicExclusion")
    assert "errors" not in await approve(officer, a["id"])
    await step(officer, "acceptApplication", b["id"])
    assert errors_of(await step(officer, "approveApplication", b["id"])) == ["UNIT_NOT_IN_REGISTRY"]
    unit_row = await AsicUnit.get(serial_key="sn000001")
    assert unit_row.exclusion_reason.value == "SALE"
    assert await AsicUnitEvent.filter(unit_id=unit_row.id, action="EXCLUDED").count() == 1


async def test_applicants_see_only_their_own_records(client, officer, miner_dc):
    miner, dc, applicant = miner_dc
    await _included(officer, miner, dc, [unit(1)])
    other = await make_miner()
    other_dc = await make_data_center(other)
    await _included(officer, other, other_dc, [unit(2, "THEIRS-2")])
    listed = await applicant.gql("{ asicUnits { totalCount edges { node { serial } } } }")
    assert [e["node"]["serial"] for e in listed["data"]["asicUnits"]["edges"]] == ["SN000001"]
    assert await by_serial(applicant, "THEIRS-2") is None
    theirs = await AsicUnit.get(serial_key="theirs-2")
    node = await applicant.gql("query($id: ID!) { node(id: $id) { id } }", {"id": to_global_id("AsicUnit", theirs.id)})
    assert errors_of(node) == ["NOT_FOUND"]
    inspector = await make_caller(client, Role.INSPECTOR)
    assert (await by_serial(inspector, "theirs-2"))["minerName"] == other.name


async def test_filters_and_pages(officer, miner_dc):
    miner, dc, _ = miner_dc
    other_dc = await make_data_center(miner, region="AKMOLA", address="Степногорск")
    await _included(officer, miner, dc, [unit(i, f"AB{i:03d}") for i in range(1, 6)])
    await _included(officer, miner, other_dc, [unit(i, f"CD{i:03d}", model="Whatsminer M50") for i in range(1, 4)])
    q = "query($f: AsicUnitFilter, $first: Int, $after: String) { asicUnits(filter: $f, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { serial recordNumber } } } }"

    async def serials(f, **page):
        r = await officer.gql(q, {"f": f, **page})
        assert "errors" not in r, r
        return r["data"]["asicUnits"]

    assert (await serials({"serialPrefix": "ab00"}))["totalCount"] == 5
    assert (await serials({"serialPrefix": "cd"}))["totalCount"] == 3
    assert (await serials({"model": "whatsminer"}))["totalCount"] == 3
    assert (await serials({"region": "AKMOLA"}))["totalCount"] == 3
    assert (await serials({"dataCenterId": to_global_id("DataCenter", dc.id), "status": "IN_REGISTRY"}))["totalCount"] == 5
    assert (await serials({"minerId": to_global_id("Miner", miner.id), "status": "EXCLUDED"}))["totalCount"] == 0
    page1 = await serials({}, first=3)
    page2 = await serials({}, first=3, after=page1["pageInfo"]["endCursor"])
    got = [e["node"]["recordNumber"] for e in page1["edges"] + page2["edges"]]
    assert got == [1, 2, 3, 4, 5, 6]


async def test_capacity_is_flagged_in_review_and_queries_and_totals_add_up(officer, miner_dc):
    miner, _, _ = miner_dc
    small = await make_data_center(miner, permitted_capacity_mw="0.01", region="ABAI", address="Семей")  # 10 kW
    first = _app(await include(officer, inclusion_input(miner, small, [unit(1), unit(2)])))  # 6.5 kW
    assert first["registryDetails"]["capacity"] == {
        "permittedKw": "10.000", "registeredKw": "0", "requestedKw": "6.500", "totalKw": "6.500",
        "overCapacity": False, "wouldExceed": False,
    }
    await approve(officer, first["id"])
    second = _app(await include(officer, inclusion_input(miner, small, [unit(3), unit(4)])))
    cap = second["registryDetails"]["capacity"]
    assert cap["wouldExceed"] is True and cap["overCapacity"] is False and Decimal(cap["totalKw"]) == 13
    await approve(officer, second["id"])  # flagged, not forbidden: the officer decides
    over = await officer.gql("{ asicCapacity(overOnly: true) { dataCenter { address } capacity { registeredKw overCapacity headroomKw } } }")
    assert over["data"]["asicCapacity"] == [{"dataCenter": {"address": "Семей"}, "capacity": {"registeredKw": "13.000", "overCapacity": True, "headroomKw": "-3.000"}}]
    big = await make_data_center(miner, region="PAVLODAR", address="Аксу")
    await _included(officer, miner, big, [unit(5), unit(6, hashrateThs="200", powerKw="3.5")])
    totals = await officer.gql("{ r: asicTotals(groupBy: REGION) { key units hashrateThs powerKw } m: asicTotals(groupBy: MINER) { label units powerKw } d: asicTotals(groupBy: DATA_CENTER) { label units } }")
    assert "errors" not in totals, totals
    by_region = {t["key"]: (t["units"], Decimal(t["hashrateThs"]), Decimal(t["powerKw"])) for t in totals["data"]["r"]}
    assert by_region == {"ABAI": (4, Decimal(440), Decimal(13)), "PAVLODAR": (2, Decimal(310), Decimal("6.75"))}
    assert totals["data"]["m"] == [{"label": miner.name, "units": 6, "powerKw": "19.750"}] or Decimal(totals["data"]["m"][0]["powerKw"]) == Decimal("19.75")
    assert {t["label"]: t["units"] for t in totals["data"]["d"]} == {"Семей": 4, "Аксу": 2}


async def test_unit_fields_of_a_record(officer, miner_dc):
    miner, dc, _ = miner_dc
    await _included(officer, miner, dc, [unit(1)])
    result = await officer.gql(f"{{ asicUnits {{ edges {{ node {{ {UNIT_FIELDS} miner {{ name }} dataCenter {{ address }} }} }} }} }}")
    node = result["data"]["asicUnits"]["edges"][0]["node"]
    assert node["miner"]["name"] == miner.name and node["dataCenter"]["address"] == dc.address
