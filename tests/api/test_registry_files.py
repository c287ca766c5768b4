"""App.3 unit lists uploaded through GraphQL multipart (good files in kk/ru/en, bad files
give typed per-row errors and write nothing) and the App.1 export (CSV/XLSX, neutralised)."""

import csv
import io
import os

import pytest
from openpyxl import load_workbook
from starlette.routing import Route

from models.applications import Application
from models.registry import AsicUnit, RegistryApplicationLine
from resolvers.registry_files import export_endpoint
from rules.enums import Role
from tests.api.registry_flow import (
    EN_HEADER,
    KK_HEADER,
    RU_HEADER,
    approve,
    csv_bytes,
    csv_row,
    filed,
    include,
    include_file,
    inclusion_input,
    issues_of,
    ok,
)
from tests.factories import error_paths, errors_of, make_caller, make_data_center, make_miner
from tests.unit_lists import xlsx_bytes


@pytest.fixture
async def miner_dc(client):
    miner = await make_miner(name="ТОО Файл")
    dc = await make_data_center(miner, address="Экибастуз, уч. 4")
    applicant = await make_caller(client, Role.APPLICANT, miner=miner)
    return miner, dc, applicant


def _data(miner, dc, n: int) -> dict:
    data = inclusion_input(miner, dc, None)
    data["declaredQuantity"] = n
    return data


def _xlsx(header: list[str], rows: list[list]) -> bytes:
    return xlsx_bytes([["Сведения аппаратно-программного комплекса для цифрового майнинга"], header, *rows])


async def _nothing_written() -> None:
    assert await Application.all().count() == 0
    assert await RegistryApplicationLine.all().count() == 0


@pytest.mark.parametrize(
    ("kind", "header"),
    [("csv", RU_HEADER), ("csv-cp1251-semicolon", RU_HEADER), ("xlsx", KK_HEADER), ("csv", EN_HEADER)],
)
async def test_good_unit_lists_in_three_languages(miner_dc, kind, header):
    miner, dc, applicant = miner_dc
    rows = [csv_row(i) for i in range(1, 26)]
    if kind == "xlsx":
        content, name = _xlsx(header, rows), "units.xlsx"
    elif kind == "csv":
        content, name = csv_bytes(header, rows), "units.csv"
    else:
        content, name = csv_bytes(header, rows, encoding="cp1251", delimiter=";"), "units.csv"
    app = filed(await include_file(applicant, _data(miner, dc, 25), content, name))
    details = app["registryDetails"]
    assert details["lineCount"] == 25 and details["unitListFile"] == name
    assert details["unitListFormat"] == ("XLSX" if kind == "xlsx" else "CSV")
    lines = await RegistryApplicationLine.all().order_by("line")
    # Row numbers as Excel shows them: the xlsx has a title row, then the header.
    assert lines[0].line == (3 if kind == "xlsx" else 2) and lines[0].serial == "SN000001"
    assert lines[0].condition.value == "WORKING"


async def test_uploaded_list_goes_into_the_registry_on_approval(officer, miner_dc):
    miner, dc, applicant = miner_dc
    content = csv_bytes(RU_HEADER, [csv_row(i) for i in range(1, 301)])
    app = filed(await include_file(applicant, _data(miner, dc, 300), content))
    approved = await approve(officer, app["id"])
    assert ok(approved), approved
    assert await AsicUnit.filter(status="IN_REGISTRY").count() == 300
    assert sorted(await AsicUnit.all().values_list("record_number", flat=True)) == list(range(1, 301))


def _garbage(size: int) -> bytes:
    return os.urandom(size)


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        (b"", "units.csv", "FILE_EMPTY"),
        (b"   \n\n", "units.csv", "FILE_EMPTY"),
        (csv_bytes(["Name", "Price", "Colour"], [["a", "1", "red"]]), "units.csv", "MISSING_COLUMNS"),
        (csv_bytes(RU_HEADER, []), "units.csv", "FILE_EMPTY"),
        (_garbage(10 * 1024 * 1024), "units.csv", "NOT_A_SPREADSHEET"),
        (_garbage(10 * 1024 * 1024), "units.xlsx", "NOT_A_SPREADSHEET"),
        (b"PK\x03\x04" + _garbage(4096), "units.xlsx", "NOT_A_SPREADSHEET"),
        ("Serial,Model\nабв,где\n".encode("utf-16"), "units.csv", "ENCODING"),
        (b"x" * (20 * 1024 * 1024 + 1), "units.csv", "FILE_TOO_LARGE"),
    ],
    ids=["empty", "blank", "wrong-columns", "header-only", "garbage-csv", "garbage-xlsx", "broken-zip", "utf16", "too-large"],
)
async def test_bad_files_give_one_typed_file_error_and_write_nothing(miner_dc, content, name, code):
    miner, dc, applicant = miner_dc
    result = await include_file(applicant, _data(miner, dc, 1), content, name)
    issues = issues_of(result)
    assert [(i["line"], i["column"], i["code"], i["severity"]) for i in issues] == [(0, None, code, "ERROR")]
    assert issues[0]["message"] and error_paths(result) == [["file"]]
    await _nothing_written()


async def test_bad_rows_are_reported_per_row_and_column_and_nothing_is_written(miner_dc):
    miner, dc, applicant = miner_dc
    rows = [csv_row(i) for i in range(1, 8)]
    rows[1][1] = '=HYPERLINK("http://evil.example","Antminer")'  # line 3: formula injection
    rows[2][2] = "SN000001"  # line 4: duplicate of line 2
    rows[3][4] = "сто"  # line 5: hashrate not a number
    rows[4][3] = "8471"  # line 6: TN VED too short
    rows[5][7] = "сломан?"  # line 7: condition unknown
    rows[6][5] = "0"  # line 8: power not positive
    issues = issues_of(await include_file(applicant, _data(miner, dc, 7), csv_bytes(RU_HEADER, rows)))
    got = [(i["line"], i["column"], i["code"]) for i in issues if i["severity"] == "ERROR"]
    assert got == [
        (3, "MODEL", "FORMULA_NOT_ALLOWED"),
        (4, "SERIAL", "DUPLICATE_SERIAL"),
        (5, "HASHRATE_THS", "NOT_A_NUMBER"),
        (6, "TNVED_CODE", "INVALID_TNVED"),
        (7, "CONDITION", "INVALID_CONDITION"),
        (8, "POWER_KW", "NOT_POSITIVE"),
    ]
    assert "line 2" in issues[1]["message"]
    await _nothing_written()


async def test_one_bad_row_in_a_thousand_blocks_the_whole_list(miner_dc):
    miner, dc, applicant = miner_dc
    rows = [csv_row(i) for i in range(1, 1001)]
    rows[998][2] = ""  # line 1000: no serial number
    issues = issues_of(await include_file(applicant, _data(miner, dc, 1000), csv_bytes(EN_HEADER, rows)))
    assert [(i["line"], i["column"], i["code"]) for i in issues] == [(1000, "SERIAL", "REQUIRED")]
    await _nothing_written()


async def test_file_and_lines_together_are_refused(miner_dc):
    miner, dc, applicant = miner_dc
    data = inclusion_input(miner, dc, [{"model": "S19", "serial": "A", "tnvedCode": "8471410000", "hashrateThs": "100", "powerKw": "3", "condition": "WORKING"}])
    result = await include_file(applicant, data, csv_bytes(EN_HEADER, [csv_row(1)]))
    assert errors_of(result) == ["VALIDATION"]
    await _nothing_written()
    neither = await include(applicant, inclusion_input(miner, dc, None))
    assert errors_of(neither) == ["VALIDATION"] and error_paths(neither) == [["units"]]


async def test_an_uploaded_list_with_the_same_client_mutation_id_files_once(miner_dc):
    miner, dc, applicant = miner_dc
    data = {**_data(miner, dc, 3), "clientMutationId": "upload-1"}
    content = csv_bytes(RU_HEADER, [csv_row(i) for i in range(1, 4)])
    first = filed(await include_file(applicant, data, content))
    again = filed(await include_file(applicant, data, content))
    assert again["id"] == first["id"] and await Application.all().count() == 1
    another = csv_bytes(RU_HEADER, [csv_row(i) for i in range(1, 5)])  # another file under the same key
    conflict = await include_file(applicant, {**data, "declaredQuantity": 4}, another)
    assert errors_of(conflict) == ["CONFLICT"] and await Application.all().count() == 1


# --- export ---------------------------------------------------------------------------------------


@pytest.fixture
async def exported(client, officer, miner_dc):
    """Two records, one with hostile text planted directly in the database."""
    miner, dc, applicant = miner_dc
    content = csv_bytes(RU_HEADER, [csv_row(1), csv_row(2)])
    app = filed(await include_file(applicant, _data(miner, dc, 2), content))
    assert ok(await approve(officer, app["id"]))
    await AsicUnit.filter(serial_key="sn000002").update(model='=HYPERLINK("http://evil","x")', miner_name="@SUM(1+1)")
    client._transport.app.router.routes.append(Route("/exports/asic-units", export_endpoint))  # type: ignore[attr-defined]
    return miner, applicant


async def test_csv_export_in_app1_order_with_neutralised_cells(client, officer, exported):
    response = await client.get("/exports/asic-units?format=csv&lang=ru", headers={"Authorization": f"Bearer {officer.token}"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["Порядковый номер реестровой записи", "Дата формирования реестровой записи", "Наименование юридического лица/индивидуального предпринимателя"]
    assert rows[0][8] == "Индивидуальный серийный номер аппаратно-программного комплекса"
    assert [r[0] for r in rows[1:]] == ["1", "2"]
    assert rows[1][8] == "SN000001" and rows[1][12] == "50401/010123/0001234, 2" and rows[1][15] == "исправное"
    assert rows[2][7] == "'=HYPERLINK(\"http://evil\",\"x\")" and rows[2][2] == "'@SUM(1+1)"


async def test_xlsx_export_in_kazakh_with_filters(client, exported):
    _, applicant = exported
    response = await client.get(
        "/exports/asic-units?format=xlsx&lang=kk&serialPrefix=sn000002", headers={"Authorization": f"Bearer {applicant.token}"}
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Тізілім жазбасының реттік нөмірі" and rows[0][9] == "ЕАЭО СЭҚ ТН коды"
    assert len(rows) == 2 and rows[1][8] == "SN000002"
    assert rows[1][7].startswith("'=") and rows[1][15] == "жарамды" and rows[1][16] == "тізілімде"


async def test_export_needs_a_token_and_shows_applicants_only_their_records(client, exported):
    assert (await client.get("/exports/asic-units")).status_code == 401
    stranger = await make_caller(client, Role.APPLICANT, miner=await make_miner())
    response = await client.get("/exports/asic-units?format=csv", headers={"Authorization": f"Bearer {stranger.token}"})
    assert len(list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))) == 1  # the header only
    bad = await client.get("/exports/asic-units?format=pdf", headers={"Authorization": f"Bearer {stranger.token}"})
    assert bad.status_code == 400 and bad.json()["code"] == "VALIDATION"


async def test_export_refuses_an_unbounded_filter_before_streaming(client, exported):
    _, applicant = exported
    response = await client.get(f"/exports/asic-units?format=csv&model={'x' * 201}", headers={"Authorization": f"Bearer {applicant.token}"})
    assert response.status_code == 400 and response.json()["code"] == "VALIDATION"
