"""The pools' monthly income reports (issue 11 item 6; 003 pool checklist item 8) through GraphQL:
the term (the 25th of the following month, a calendar date), LATE, OVERDUE by the overdue job
(once), exact amounts, corrections that keep history, warnings for officers, the file upload
through the unit list's reader, and who reads what."""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from decimal import Decimal

import pytest

from models.audit import AuditEvent
from models.income_reports import IncomeReport, IncomeReportLine, IncomeReportOverdue
from models.outbox import OutboxEvent
from resolvers import income_reports as uc
from resolvers.wiring import OVERDUE_CHECKERS
from rules.calendar import ALMATY, default_calendar
from rules.enums import MinerKind, Role
from tests.api.licensing_flow import gid
from tests.api.test_licenses import make_license
from tests.factories import ERRORS, errors_of, make_caller, make_miner, make_pool, new_bin, new_iin

FILE = f"""mutation($i: FileIncomeReportInput!) {{ fileIncomeReport(input: $i) {{
  report {{ id year month version current nil source filedOn dueOn late lineCount fileSha256
            lines {{ line binIin minerName assetCode quantity }} }} {ERRORS} }} }}"""
READ = """query($id: ID!, $year: Int!) { node(id: $id) { ... on Pool { incomeReports(year: $year) {
  month version current late nil supersededAt lines { binIin assetCode quantity } warnings { line binIin code } }
  overdueIncomeReports(year: $year) { year month dueOn } } } }"""
TINY = "0.000000000000000001"
MARCH = {"year": 2025, "month": 3}


@pytest.fixture
def clock(monkeypatch):
    def set_clock(day: date, hour: int = 12) -> datetime:
        at = datetime(day.year, day.month, day.day, hour, tzinfo=ALMATY)
        monkeypatch.setattr(uc, "_now", lambda: at)
        return at

    return set_clock


def report_input(pool, lines=None, **overrides) -> dict:
    return {"poolId": gid("Pool", pool.id), **MARCH, "lines": lines, **overrides}


def line(bin_iin: str, quantity: str = "0.5", asset: str = "BTC", name: str = "ТОО Майнер") -> dict:
    return {"binIin": bin_iin, "minerName": name, "assetCode": asset, "quantity": quantity}


async def file_report(caller, data: dict) -> dict:
    return await caller.gql(FILE, {"i": data})


def report_of(result: dict) -> dict:
    payload = result["data"]["fileIncomeReport"]
    assert payload["errors"] == [], payload
    return payload["report"]


async def pool_with_applicant(client):
    pool = await make_pool()
    return pool, await make_caller(client, Role.APPLICANT, pool=pool)


async def test_003_item8_march_report_filed_on_april_25_is_on_time_and_on_april_28_late(client, clock):
    pool, applicant = await pool_with_applicant(client)
    miner = await make_miner()
    clock(date(2025, 4, 25), hour=23)  # the 25th itself, late in the evening (Almaty)
    on_time = report_of(await file_report(applicant, report_input(pool, [line(miner.bin_iin)])))
    assert (on_time["dueOn"], on_time["filedOn"], on_time["late"], on_time["version"]) == (
        "2025-04-25", "2025-04-25", False, 1)
    other, other_applicant = await pool_with_applicant(client)
    clock(date(2025, 4, 28))
    late = report_of(await file_report(other_applicant, report_input(other, [line(miner.bin_iin)])))
    assert (late["dueOn"], late["filedOn"], late["late"]) == ("2025-04-25", "2025-04-28", True)
    # The 26th is already late: a calendar date, no working-day shift (the 26th is a Saturday).
    third, third_applicant = await pool_with_applicant(client)
    clock(date(2025, 4, 26), hour=0)
    assert report_of(await file_report(third_applicant, report_input(third, [line(miner.bin_iin)])))["late"] is True


async def test_003_item8_amounts_round_trip_exactly_to_18_places(client, officer, clock):
    pool, applicant = await pool_with_applicant(client)
    miners = [await make_miner() for _ in range(3)]
    amounts = [TINY, "12345678901234567890.123456789012345678", "0.1"]
    clock(date(2025, 4, 10))
    report = report_of(await file_report(applicant, report_input(pool, [
        line(m.bin_iin, q) for m, q in zip(miners, amounts, strict=True)])))
    assert [ln["quantity"] for ln in report["lines"]] == amounts
    stored = await IncomeReportLine.filter(report__pool_id=pool.id).order_by("line").values_list("quantity", flat=True)
    assert [Decimal(q) for q in stored] == [Decimal(a) for a in amounts]
    read = await officer.gql(READ, {"id": gid("Pool", pool.id), "year": 2025})
    assert [ln["quantity"] for ln in read["data"]["node"]["incomeReports"][0]["lines"]] == amounts
    # 19 decimal places cannot be stored exactly: refused at the schema boundary, nothing written.
    refused = await file_report(applicant, report_input(pool, [line(miners[0].bin_iin, "0.0000000000000000001")]))
    assert errors_of(refused) == ["VALIDATION"]
    assert await IncomeReport.filter(pool_id=pool.id).count() == 1


async def test_003_item8_missing_report_is_overdue_on_the_26th_flagged_once(client, officer):
    pool, applicant = await pool_with_applicant(client)
    filed_pool = await make_pool()
    await IncomeReport.create(pool=filed_pool, month=date(2025, 3, 1), version=1, source="NIL", nil=True,
                              filed_at=datetime(2025, 4, 20, tzinfo=ALMATY), filed_on=date(2025, 4, 20),
                              due_on=date(2025, 4, 25))
    check = OVERDUE_CHECKERS["income_reports"]
    assert check is uc.flag_overdue_income_reports
    on_25th = datetime(2025, 4, 25, 23, 59, tzinfo=ALMATY)
    await check(on_25th, default_calendar())
    assert not await IncomeReportOverdue.filter(pool_id=pool.id, month=date(2025, 3, 1)).exists()
    on_26th = datetime(2025, 4, 26, 0, 1, tzinfo=ALMATY)
    assert await check(on_26th, default_calendar()) > 0
    assert await IncomeReportOverdue.filter(pool_id=pool.id, month=date(2025, 3, 1)).count() == 1
    assert not await IncomeReportOverdue.filter(pool_id=filed_pool.id, month=date(2025, 3, 1)).exists()
    alerts = await OutboxEvent.filter(topic="alert.income_report_overdue").count()
    assert await check(on_26th, default_calendar()) == 0  # the job re-run flags nothing new
    assert await check(datetime(2025, 4, 27, tzinfo=ALMATY), default_calendar()) == 0
    assert await OutboxEvent.filter(topic="alert.income_report_overdue").count() == alerts
    assert await IncomeReportOverdue.filter(pool_id=pool.id, month=date(2025, 3, 1)).count() == 1
    seen = await applicant.gql(READ, {"id": gid("Pool", pool.id), "year": 2025})
    assert {"year": 2025, "month": 3, "dueOn": "2025-04-25"} in seen["data"]["node"]["overdueIncomeReports"]


async def test_003_item8_a_correction_supersedes_and_keeps_the_previous_version(client, officer, clock):
    pool, applicant = await pool_with_applicant(client)
    miner = await make_miner()
    clock(date(2025, 4, 20))
    first = report_of(await file_report(applicant, report_input(pool, [line(miner.bin_iin, "1.5")])))
    clock(date(2025, 4, 27))
    second = report_of(await file_report(applicant, report_input(pool, [line(miner.bin_iin, "1.25")])))
    assert (first["version"], second["version"], second["current"], second["late"]) == (1, 2, True, True)
    reports = (await officer.gql(READ, {"id": gid("Pool", pool.id), "year": 2025}))["data"]["node"]["incomeReports"]
    assert [(r["version"], r["current"], r["lines"][0]["quantity"]) for r in reports] == [
        (2, True, "1.25"), (1, False, "1.5")]
    assert reports[1]["supersededAt"] is not None
    actions = await AuditEvent.filter(entity_type="IncomeReport").order_by("id").values_list("action", flat=True)
    assert list(actions) == ["income_report.filed", "income_report.superseded", "income_report.corrected"]


async def test_003_item8_nil_report_for_a_month_without_distribution(client, clock):
    pool, applicant = await pool_with_applicant(client)
    clock(date(2025, 4, 3))
    nil = report_of(await file_report(applicant, report_input(pool, None, nil=True)))
    assert (nil["nil"], nil["source"], nil["lineCount"], nil["lines"]) == (True, "NIL", 0, [])
    both = await file_report(applicant, report_input(pool, [line(new_bin())], nil=True))
    neither = await file_report(applicant, report_input(pool, None))
    assert errors_of(both) == errors_of(neither) == ["VALIDATION"]


async def test_003_item8_warnings_for_officers_unregistered_and_unlicensed_miners(client, officer, clock):
    pool, applicant = await pool_with_applicant(client)
    licensed = await make_miner()
    await make_license(licensed, issued_on=date(2024, 6, 1))
    unlicensed = await make_miner(kind=MinerKind.IE)
    unknown = new_iin()
    clock(date(2025, 4, 10))
    report_of(await file_report(applicant, report_input(pool, [
        line(licensed.bin_iin), line(unlicensed.bin_iin), line(unknown)])))
    [report] = (await officer.gql(READ, {"id": gid("Pool", pool.id), "year": 2025}))["data"]["node"]["incomeReports"]
    assert report["warnings"] == [
        {"line": 2, "binIin": unlicensed.bin_iin, "code": "NO_ACTIVE_LICENSE"},
        {"line": 3, "binIin": unknown, "code": "NOT_IN_REGISTRY"},
    ]
    [own] = (await applicant.gql(READ, {"id": gid("Pool", pool.id), "year": 2025}))["data"]["node"]["incomeReports"]
    assert own["warnings"] is None  # for officers


async def test_003_item8_access_pool_own_officers_partner_all_miners_none(client, officer, clock):
    pool, applicant = await pool_with_applicant(client)
    other, other_applicant = await pool_with_applicant(client)
    miner = await make_miner()
    miner_applicant = await make_caller(client, Role.APPLICANT, miner=miner)
    partner = await make_caller(client, Role.PARTNER)
    inspector = await make_caller(client, Role.INSPECTOR)
    clock(date(2025, 4, 10))
    report_of(await file_report(applicant, report_input(pool, [line(miner.bin_iin)])))
    variables = {"id": gid("Pool", pool.id), "year": 2025}

    async def count(caller) -> int:
        result = await caller.gql(READ, variables)
        assert "errors" not in result, result
        node = result["data"]["node"]  # another pool's applicant does not even see the pool
        return 0 if node is None else len(node["incomeReports"])

    assert [await count(c) for c in (applicant, officer, partner)] == [1, 1, 1]
    # Another pool, a miner named in the report, an inspector: nothing.
    assert [await count(c) for c in (other_applicant, miner_applicant, inspector)] == [0, 0, 0]
    # node(id:): another pool, a miner and an inspector get null exactly like a missing report.
    [mine] = await IncomeReport.filter(pool_id=pool.id).values_list("id", flat=True)
    by_id = "query($id: ID!) { node(id: $id) { ... on IncomeReport { month lines { quantity } } } }"
    for caller in (other_applicant, miner_applicant, inspector):
        assert await caller.gql(by_id, {"id": gid("IncomeReport", mine)}) == await caller.gql(
            by_id, {"id": gid("IncomeReport", 99_999)}) == {"data": {"node": None}}
    for caller in (applicant, officer, partner):
        assert (await caller.gql(by_id, {"id": gid("IncomeReport", mine)}))["data"]["node"]["month"] == 3
    # A pool files only its own reports; partners and miners file none.
    for caller in (other_applicant, miner_applicant, partner):
        refused = await file_report(caller, report_input(pool, [line(miner.bin_iin)]))
        assert errors_of(refused) in (["FORBIDDEN"], ["NOT_FOUND"]), refused
    assert await IncomeReport.filter(pool_id=pool.id).count() == 1
    # An officer may file for any pool.
    assert report_of(await file_report(officer, report_input(other, [line(miner.bin_iin)])))["version"] == 1


async def test_003_item8_only_a_pool_accredited_in_the_month_may_file(client, clock):
    pool = await make_pool(accredited=(date(2025, 4, 2), date(2026, 4, 2)))
    applicant = await make_caller(client, Role.APPLICANT, pool=pool)
    clock(date(2025, 4, 10))
    refused = await file_report(applicant, report_input(pool, [line(new_bin())]))
    assert errors_of(refused) == ["POOL_NOT_ACCREDITED"]
    assert refused["data"]["fileIncomeReport"]["errors"][0]["path"] == ["month"]
    assert not await IncomeReport.filter(pool_id=pool.id).exists()
    clock(date(2025, 5, 3))
    assert report_of(await file_report(applicant, report_input(pool, [line(new_bin())], month=4)))["late"] is False
    # A month not yet over cannot be reported.
    assert errors_of(await file_report(applicant, report_input(pool, [line(new_bin())], month=5))) == ["VALIDATION"]


async def test_003_item8_bad_lines_are_typed_errors_and_write_nothing(client, clock):
    pool, applicant = await pool_with_applicant(client)
    clock(date(2025, 4, 10))
    good = new_bin()
    for lines in ([line("123")], [line(good, "0")], [line(good, "-1")], [line(good, asset="B T C!")],
                  [line(good), line(good)], [line(good, name="")]):
        result = await file_report(applicant, report_input(pool, lines))
        assert errors_of(result) == ["VALIDATION"], (lines, result)
    assert not await IncomeReport.filter(pool_id=pool.id).exists()


async def _upload(caller, data: dict, content: bytes, filename: str, content_type: str) -> dict:
    operations = json.dumps({"query": FILE, "variables": {"i": {**data, "file": None}}})
    response = await caller.client.post(
        "/graphql", data={"operations": operations, "map": json.dumps({"0": ["variables.i.file"]})},
        files={"0": (filename, content, content_type)}, headers={"Authorization": f"Bearer {caller.token}"},
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_003_item8_report_as_csv_and_xlsx_through_the_unit_list_reader(client, clock):
    from openpyxl import Workbook

    pool, applicant = await pool_with_applicant(client)
    a, b = new_bin(), new_iin()
    clock(date(2025, 4, 10))
    csv = f"Отчёт за март 2025\nБИН/ИИН;Наименование майнера;Актив;Количество\n{a};ТОО А;btc;{TINY}\n{b};ИП Б;USDT;10,5\n"
    got = report_of(await _upload(applicant, report_input(pool, None), csv.encode("cp1251"), "march.csv", "text/csv"))
    assert (got["source"], got["fileSha256"] != "") == ("CSV", True)
    assert [(ln["binIin"], ln["assetCode"], ln["quantity"]) for ln in got["lines"]] == [
        (a, "BTC", TINY), (b, "USDT", "10.5")]

    wb = Workbook()
    ws = wb.active
    ws.append(["BIN/IIN", "Miner name", "Asset code", "Quantity"])
    ws.append([a, "A LLP", "ETH", "1.000000000000000001"])
    buf = io.BytesIO()
    wb.save(buf)
    xlsx = report_of(await _upload(applicant, report_input(pool, None), buf.getvalue(), "march.xlsx",
                                   "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    assert (xlsx["source"], xlsx["version"], xlsx["lines"][0]["quantity"]) == ("XLSX", 2, "1.000000000000000001")

    bad = f"BIN/IIN,Name,Asset,Quantity\n{a},A,BTC,lots\n".encode()
    refused = await _upload(applicant, report_input(pool, None), bad, "bad.csv", "text/csv")
    [error] = refused["data"]["fileIncomeReport"]["errors"]
    assert error["code"] == "VALIDATION" and error["path"] == ["file"]
    no_header = await _upload(applicant, report_input(pool, None), b"a,b\n1,2\n", "x.csv", "text/csv")
    assert errors_of(no_header) == ["VALIDATION"]
    assert await IncomeReport.filter(pool_id=pool.id).count() == 2


async def test_003_item8_a_replayed_client_mutation_id_files_once(client, clock):
    pool, applicant = await pool_with_applicant(client)
    clock(date(2025, 4, 10))
    data = report_input(pool, [line(new_bin(), TINY)], clientMutationId="march-2025-report")
    first = report_of(await file_report(applicant, data))
    again = report_of(await file_report(applicant, data))
    assert first == again and first["version"] == 1
    assert await IncomeReport.filter(pool_id=pool.id).count() == 1
