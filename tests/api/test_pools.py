"""Pool accreditation (004) through GraphQL on the shared engine: filing, completeness and the
seven conditions, preliminary refusal and hearing, the certificate valid one year, re-issue, the
public register and the certificates' expiry by the job.

Dates: received at the office Wed 2025-03-19 10:00 Almaty, registered that day. Completeness 2 WD:
Thu 20, [21-25 Nauryz + weekend], Wed 26 -> 2025-03-26. Service term 10 WD (App.2 item 3): 20, 26,
27, 28, 31, Apr 1, 2, 3, 4, 7 -> 2025-04-07; the hearing notice by day 7 = Wed 2025-04-02.
"""

from __future__ import annotations

from datetime import date, datetime

from models.applications import Application
from models.outbox import OutboxEvent
from models.parties import Pool
from models.pools import PoolCertificate
from resolvers import pools as pool_uc
from rules.calendar import ALMATY, default_calendar
from rules.enums import Role
from tests.api.licensing_flow import gid, ok, payload_of, step
from tests.factories import ERRORS, errors_of, make_caller, make_miner, make_pool, new_iin

RECEIVED = "2025-03-19T10:00:00+05:00"
ISSUED_ON = datetime(2025, 3, 26, 12, tzinfo=ALMATY)  # the approval day of the issue's example

APPLY = f"""mutation($i: ApplyForPoolAccreditationInput!) {{ applyForPoolAccreditation(input: $i) {{
  application {{ id stage registeredOn completenessDueOn decisionDueOn hearingNoticeDueOn }} {ERRORS} }} }}"""
REISSUE = f"""mutation($i: ApplyForPoolReissueInput!) {{ applyForPoolReissue(input: $i) {{
  application {{ id stage registeredOn decisionDueOn }} {ERRORS} }} }}"""
APPROVE = f"""mutation($i: ApproveApplicationInput!) {{ approveApplication(input: $i) {{
  application {{ stage }} poolCertificate {{ id number issuedOn validUntil status poolBin }} {ERRORS} }} }}"""
DETAILS = """query($id: ID!) { application(id: $id) { stage completenessProblems { code path }
  qualificationFindings { code path kind }
  poolDetails { uiLanguages conditions { condition item status reason } complexes { role settlement providers } } } }"""
REGISTER = """query($on: Date!) { accreditedPools(on: $on) { totalCount edges { node { id bin
  accreditation(on: $on) { accredited certificate { number validUntil } } } } } }"""

COMPLEXES = [
    {"role": "MAIN", "inKazakhstan": True, "settlement": "Алматы", "settlementKind": "REPUBLICAN_CITY",
     "address": "Толе би, 1", "providers": ["Kazakhtelecom", "Beeline"]},
    {"role": "BACKUP", "inKazakhstan": True, "settlement": "Астана", "settlementKind": "CAPITAL",
     "address": "Кабанбай батыра, 2", "providers": ["Transtelecom", "Kcell"]},
]
DOCUMENTS = [
    {"kind": "BACKUP_COMPLEX_LETTER", "title": "Письмо о резервном комплексе"},
    {"kind": "SERVER_ROOM_LEASE", "title": "Договор аренды серверной № 12"},
    {"kind": "SUPPORT_24_7_LETTER", "title": "Письмо о круглосуточной поддержке"},
    {"kind": "UI_LANGUAGES_LETTER", "title": "Письмо об интерфейсе на трёх языках"},
    {"kind": "STATE_SERVICE_INTEGRATION_LETTER", "title": "Положительное письмо об интеграции"},
]


def accreditation_input(pool, **overrides) -> dict:
    return {
        "poolId": gid("Pool", pool.id), "complexes": COMPLEXES, "infosecActNumber": "ИБ-77",
        "infosecActDate": "2025-02-10", "infosecResult": "POSITIVE", "roundTheClockSupport": True,
        "supportContacts": "+7 727 000 00 00, support@pool.kz", "uiLanguages": ["kk", "ru", "en"],
        "stateServiceLetterNumber": "КИБ-5", "stateServiceLetterDate": "2025-02-20",
        "stateServiceResult": "POSITIVE", "documentsTrue": True, "personalDataConsent": True,
        "documents": DOCUMENTS, **overrides,
    }


async def filed(caller, data: dict) -> dict:
    result = await caller.gql(APPLY, {"i": data})
    assert ok(result), result
    return payload_of(result, "applyForPoolAccreditation")["application"]


async def _accredited(officer, pool, engine_clock) -> dict:
    """Filed, complete, approved on 2025-03-26: the certificate of the issue's example."""
    app = await filed(officer, {**accreditation_input(pool), "channel": "OFFICE", "receivedAt": RECEIVED})
    assert ok(await step(officer, "acceptApplication", app["id"]))
    engine_clock(ISSUED_ON)
    approved = await officer.gql(APPROVE, {"i": {"applicationId": app["id"]}})
    assert ok(approved), approved
    return payload_of(approved, "approveApplication")["poolCertificate"]


async def test_004_full_accreditation_path_with_hearing_gives_a_certificate_for_one_year(client, officer, engine_clock):
    pool = await make_pool(accredited=None)
    applicant = await make_caller(client, Role.APPLICANT, pool=pool)
    engine_clock(datetime(2025, 3, 19, 11, tzinfo=ALMATY))
    app = await filed(officer, {**accreditation_input(pool), "channel": "OFFICE", "receivedAt": RECEIVED})
    assert (app["registeredOn"], app["completenessDueOn"], app["decisionDueOn"], app["hearingNoticeDueOn"]) == (
        "2025-03-19", "2025-03-26", "2025-04-07", "2025-04-02")
    seen = (await applicant.gql(DETAILS, {"id": app["id"]}))["data"]["application"]
    assert seen["completenessProblems"] == [] and seen["qualificationFindings"] == []
    assert [(c["item"], c["status"]) for c in seen["poolDetails"]["conditions"]] == [(i, "MET") for i in range(1, 8)]
    assert ok(await step(officer, "acceptApplication", app["id"]))
    assert ok(await step(officer, "preliminaryRefuse", app["id"], grounds=["FALSE_DOCUMENTS"], text="Проверить акт ИБ"))
    assert ok(await step(officer, "scheduleHearing", app["id"], noticeSentOn="2025-04-02", hearingTime="10:30", hearingOn="2025-04-04",
                         place="Астана, каб. 12"))
    engine_clock(datetime(2025, 4, 4, 16, tzinfo=ALMATY))
    approved = await officer.gql(APPROVE, {"i": {"applicationId": app["id"], "hearingOutcome": "HELD"}})
    cert = payload_of(approved, "approveApplication")["poolCertificate"]
    assert payload_of(approved, "approveApplication")["application"]["stage"] == "APPROVED"
    assert (cert["issuedOn"], cert["validUntil"], cert["status"], cert["poolBin"]) == (
        "2025-04-04", "2026-04-04", "ACTIVE", pool.bin)
    assert cert["number"].startswith("KZ-PL-2025-")


async def test_004_s7_a_condition_not_shown_is_a_gap_and_not_met_is_heard(officer, engine_clock):
    pool = await make_pool(accredited=None)
    engine_clock(datetime(2025, 3, 19, 11, tzinfo=ALMATY))
    no_backup = await filed(officer, {**accreditation_input(pool, complexes=COMPLEXES[:1]), "channel": "OFFICE",
                                      "receivedAt": RECEIVED})
    gap = await step(officer, "acceptApplication", no_backup["id"])
    assert errors_of(gap) == ["APPLICATION_INCOMPLETE"]
    assert [(p["code"], p["path"]) for p in payload_of(gap, "acceptApplication")["errors"][0]["problems"]] == [
        ("POOL_CONDITION_NOT_SHOWN", ["conditions", "BACKUP_IN_ANOTHER_SETTLEMENT"])
    ]
    assert ok(await step(officer, "refuseIncomplete", no_backup["id"], text="Нет резервного комплекса"))

    same_city = [COMPLEXES[0], {**COMPLEXES[1], "settlement": "Алматы", "settlementKind": "REPUBLICAN_CITY"}]
    app = await filed(officer, {**accreditation_input(pool, complexes=same_city), "channel": "OFFICE",
                                "receivedAt": RECEIVED})
    assert ok(await step(officer, "acceptApplication", app["id"]))  # complete: the merits are heard
    seen = (await officer.gql(DETAILS, {"id": app["id"]}))["data"]["application"]
    assert [(f["code"], f["path"]) for f in seen["qualificationFindings"]] == [
        ("POOL_CONDITION_NOT_MET", ["conditions", "BACKUP_IN_ANOTHER_SETTLEMENT"])
    ]
    condition = next(c for c in seen["poolDetails"]["conditions"] if c["item"] == 3)
    assert condition["status"] == "NOT_MET" and "settlement" in condition["reason"]
    blocked = await officer.gql(APPROVE, {"i": {"applicationId": app["id"]}})
    assert errors_of(blocked) == ["QUALIFICATION_NOT_MET"]
    assert await PoolCertificate.all().count() == 0


async def test_004_s3_certificate_expires_the_day_after_its_last_valid_day(client, officer, engine_clock):
    pool = await make_pool(accredited=None)
    miner = await make_miner()
    cert = await _accredited(officer, pool, engine_clock)
    assert (cert["issuedOn"], cert["validUntil"]) == ("2025-03-26", "2026-03-26")
    from resolvers import pool_change
    from rules.access import SYSTEM

    await pool_change.set_miner_pool(SYSTEM, pool_change.SetMinerPool(miner.id, pool.id, date(2025, 4, 1)))
    cal = default_calendar()
    # Reminders 30 and 7 days before, each once.
    assert await pool_uc.expire_certificates(datetime(2026, 2, 24, 12, tzinfo=ALMATY), cal) == 1
    assert await pool_uc.expire_certificates(datetime(2026, 2, 25, 12, tzinfo=ALMATY), cal) == 1  # same reminder
    reminders = await OutboxEvent.filter(topic="alert.pool_accreditation_expiring").values_list("dedup_key", flat=True)
    assert sorted(reminders) == [f"pool-cert-reminder:{pool_uc_id(cert)}:30"]
    await pool_uc.expire_certificates(datetime(2026, 3, 19, 12, tzinfo=ALMATY), cal)
    assert await OutboxEvent.filter(topic="alert.pool_accreditation_expiring").count() == 2
    # The last valid day: still accredited.
    await pool_uc.expire_certificates(datetime(2026, 3, 26, 23, 59, tzinfo=ALMATY), cal)
    assert (await PoolCertificate.get(number=cert["number"])).status.value == "ACTIVE"
    # The day after: EXPIRED, once, with its event and the members' pool-change obligation (001 §16).
    assert await pool_uc.expire_certificates(datetime(2026, 3, 27, 0, 1, tzinfo=ALMATY), cal) == 1
    assert await pool_uc.expire_certificates(datetime(2026, 3, 27, 0, 6, tzinfo=ALMATY), cal) == 0
    assert (await PoolCertificate.get(number=cert["number"])).status.value == "EXPIRED"
    assert await OutboxEvent.filter(topic="pool.accreditation_expired").count() == 1
    from models.licensing import NotificationObligation

    obligations = await NotificationObligation.filter(miner_id=miner.id, pool_id=pool.id, reason__contains="lapsed")
    assert [o.occurred_on for o in obligations] == [date(2026, 3, 27)]


def pool_uc_id(cert: dict) -> int:
    from strawberry import relay

    return int(relay.GlobalID.from_id(cert["id"]).node_id)


async def test_004_register_is_public_and_partners_see_nothing_else(client, officer, engine_clock):
    pool = await make_pool(accredited=None)
    other = await make_pool(accredited=None)
    cert = await _accredited(officer, pool, engine_clock)
    partner = await make_caller(client, Role.PARTNER)
    for day, expected in (("2025-03-25", []), ("2025-03-26", [pool.bin]), ("2026-03-26", [pool.bin]),
                          ("2026-03-27", [])):
        page = (await partner.gql(REGISTER, {"on": day}))["data"]["accreditedPools"]
        assert [e["node"]["bin"] for e in page["edges"]] == expected, day
        if expected:
            assert page["edges"][0]["node"]["accreditation"] == {
                "accredited": True, "certificate": {"number": cert["number"], "validUntil": "2026-03-26"}}
    assert other.bin not in str(await partner.gql(REGISTER, {"on": "2025-06-01"}))
    app_id = gid("Application", (await Application.get(pool_id=pool.id)).id)
    hidden = await partner.gql(DETAILS, {"id": app_id})
    assert hidden["data"]["application"] is None  # the case file is not the register


async def test_004_reissue_replaces_the_certificate_and_keeps_its_term(client, officer, engine_clock):
    pool = await make_pool(accredited=None)
    applicant = await make_caller(client, Role.APPLICANT, pool=pool)
    cert = await _accredited(officer, pool, engine_clock)
    engine_clock(datetime(2025, 9, 2, 10, tzinfo=ALMATY))
    moved = [COMPLEXES[0], {**COMPLEXES[1], "settlement": "Караганда", "settlementKind": "REGIONAL_CITY"}]
    result = await applicant.gql(REISSUE, {"i": {
        "certificateId": cert["id"], "reason": "Резервный комплекс перенесён в Караганду", "complexes": moved,
        "documentsTrue": True, "personalDataConsent": True,
        "documents": [{"kind": "SERVER_ROOM_LEASE", "title": "Договор аренды, Караганда"}],
    }})
    assert ok(result), result
    app = payload_of(result, "applyForPoolReissue")["application"]
    cal = default_calendar()
    assert app["registeredOn"] == "2025-09-02"
    assert app["decisionDueOn"] == cal.add_working_days(date(2025, 9, 2), 5).isoformat() == "2025-09-09"  # 5 WD
    assert ok(await step(officer, "acceptApplication", app["id"]))
    approved = await officer.gql(APPROVE, {"i": {"applicationId": app["id"]}})
    new = payload_of(approved, "approveApplication")["poolCertificate"]
    assert (new["issuedOn"], new["validUntil"], new["status"]) == ("2025-09-02", "2026-03-26", "ACTIVE")
    old = await PoolCertificate.get(number=cert["number"])
    assert old.status.value == "REPLACED" and old.ended_on == date(2025, 9, 2)
    stored = await PoolCertificate.get(number=new["number"])
    assert "Караганда" in stored.server_locations and stored.replaces_id == old.id
    page = (await applicant.gql(REGISTER, {"on": "2025-09-02"}))["data"]["accreditedPools"]
    assert page["edges"][0]["node"]["accreditation"]["certificate"]["number"] == new["number"]
    again = await applicant.gql(REISSUE, {"i": {"certificateId": cert["id"], "reason": "x"}})
    assert errors_of(again) == ["CONFLICT"]  # the old certificate is no longer active


async def test_004_only_a_legal_entity_and_only_its_own_pool(client, officer):
    ie_bin = new_iin()
    refused = await officer.gql(
        f'mutation($i: CreatePoolInput!) {{ createPool(input: $i) {{ pool {{ id }} {ERRORS} }} }}',
        {"i": {"bin": ie_bin, "name": "ИП Пул"}},
    )
    assert errors_of(refused) == ["INVALID_BIN"]
    assert not await Pool.filter(bin=ie_bin).exists()
    legacy = await Pool.create(bin=ie_bin, name="Imported before the BIN check")
    result = await officer.gql(APPLY, {"i": accreditation_input(legacy)})
    assert errors_of(result) == ["NOT_A_LEGAL_ENTITY"]
    assert not await Application.filter(pool_id=legacy.id).exists()
    pool, other = await make_pool(accredited=None), await make_pool()
    stranger = await make_caller(client, Role.APPLICANT, pool=other)
    theirs = await stranger.gql(APPLY, {"i": accreditation_input(pool)})
    assert errors_of(theirs) == ["NOT_FOUND"]
    own = await filed(await make_caller(client, Role.APPLICANT, pool=pool), accreditation_input(pool))
    assert (await stranger.gql(DETAILS, {"id": own["id"]}))["data"]["application"] is None
    miner_applicant = await make_caller(client, Role.APPLICANT, miner=await make_miner())
    assert errors_of(await miner_applicant.gql(APPLY, {"i": accreditation_input(pool)})) == ["FORBIDDEN"]
    assert await Application.filter(pool_id=pool.id).count() == 1


async def test_004_pool_applications_share_the_work_list(client, officer):
    pool = await make_pool(accredited=None)
    await filed(officer, accreditation_input(pool))
    q = "{ applications(procedure: POOL_ACCREDITATION, orderBy: {field: DAYS_LEFT}) { totalCount edges { node { pool { bin } } } } }"
    page = (await officer.gql(q))["data"]["applications"]
    assert page["totalCount"] == 1 and page["edges"][0]["node"]["pool"] == {"bin": pool.bin}


async def test_004_app2_item6_the_state_service_is_free(officer):
    q = 'query($p: ProcedureCode!) { feeQuote(procedure: $p, on: "2025-03-19") { mrp tenge } }'
    for procedure in ("POOL_ACCREDITATION", "POOL_REISSUE"):
        assert (await officer.gql(q, {"p": procedure}))["data"]["feeQuote"] == {"mrp": "0.00", "tenge": "0.00"}


async def test_001_s16_miners_record_only_a_pool_accredited_on_the_day(client, officer):
    miner = await make_miner()
    applicant = await make_caller(client, Role.APPLICANT, miner=miner)
    never = await make_pool(accredited=None)
    lapsed = await make_pool(accredited=(date(2024, 1, 1), date(2025, 1, 1)))
    q = f"""mutation($i: SetMinerPoolInput!) {{ setMinerPool(input: $i) {{ membership {{ since }} {ERRORS} }} }}"""
    for pool, since, code in ((never, "2025-03-03", ["POOL_NOT_ACCREDITED"]), (lapsed, "2025-01-02", ["POOL_NOT_ACCREDITED"]),
                              (lapsed, "2025-01-01", [])):
        result = await applicant.gql(q, {"i": {"minerId": gid("Miner", miner.id), "poolId": gid("Pool", pool.id),
                                               "since": since}})
        assert errors_of(result) == code, (pool.name, since, result)
    shown = await applicant.gql("query($id: ID!) { node(id: $id) { ... on Miner { pool { accreditation { accredited } } } } }",
                                {"id": gid("Miner", miner.id)})
    assert shown["data"]["node"]["pool"] == {"accreditation": {"accredited": False}}  # lapsed today: flagged


async def test_004_s4_pool_conditions_for_those_who_may_see_its_application(client, officer):
    pool = await make_pool(accredited=None)
    own = await make_caller(client, Role.APPLICANT, pool=pool)
    await filed(own, accreditation_input(pool, complexes=COMPLEXES[:1]))  # no backup: condition 3 not shown
    q = "query($id: ID!) { node(id: $id) { ... on Pool { conditions { item status } } } }"
    for caller in (officer, own):
        seen = (await caller.gql(q, {"id": gid("Pool", pool.id)}))["data"]["node"]["conditions"]
        assert [(c["item"], c["status"]) for c in seen] == [(i, "NOT_SHOWN" if i == 3 else "MET") for i in range(1, 8)]
    miner_applicant = await make_caller(client, Role.APPLICANT, miner=await make_miner())
    partner = await make_caller(client, Role.PARTNER)
    for caller in (miner_applicant, partner):  # they read the register's pool, not its case file
        assert (await caller.gql(q, {"id": gid("Pool", pool.id)}))["data"]["node"] == {"conditions": []}
