"""The App.1 export as a streamed XLSX (resolvers/registry_files.py): the cells openpyxl wrote,
the filters, page-by-page streaming, and a failure in the middle that leaves no valid file."""

import csv
import io
import zipfile
import zlib
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from httpx import ASGITransport, AsyncClient
from openpyxl import Workbook, load_workbook
from python_calamine import CalamineWorkbook

from models.applications import Application
from models.registry import AsicUnit
from resolvers import registry_files
from resolvers.registry import UnitFilter
from rules.access import SYSTEM
from rules.enums import Role
from rules.registry import UnitStatus, export_headers, export_row
from tests.factories import make_caller, make_data_center, make_miner

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UNITS = 300
FORMULA = '=HYPERLINK("http://evil","x")'


@pytest.fixture
async def registry(client, officer):
    """300 records of one miner in two data centers: Kazakh and Russian text, every 10th
    excluded (date and reason), one formula-like model name, one text with XML specials."""
    miner = await make_miner(name="ТОО «Қазақ Майнинг»", legal_address="Екібастұз, Сәтбаев к-сі, 4")
    dcs = [await make_data_center(miner, address=f"Павлодар облысы, ЦОД №{i}") for i in (1, 2)]
    app = await Application.create(procedure="ASIC_INCLUSION", channel="PORTAL", miner=miner, received_at=datetime.now(UTC), stage="APPROVED")
    units = []
    for i in range(1, UNITS + 1):
        excluded = i % 10 == 0
        serial = f"KZ{i:06d}"
        units.append(AsicUnit(
            record_number=i, record_date=date(2025, 1, 1) + timedelta(days=i), miner=miner,
            miner_name=miner.name, miner_bin_iin=miner.bin_iin, miner_legal_address=miner.legal_address,
            miner_phone=miner.phone, miner_email=miner.email, data_center=dcs[i % 2],
            data_center_location=dcs[i % 2].address, region="PAVLODAR",
            model=FORMULA if i == 7 else ("S21 <Hyd> & co" if i == 8 else f"Antminer S21 — қуатты {i % 5}"),
            serial=serial, serial_key=serial.lower(), tnved_code="8471410000",
            hashrate_ths=Decimal(f"{200 + i % 50}.125"), power_kw=Decimal("3.500"),
            customs_declaration=f"50401/010124/{i:07d}", customs_quantity=i % 3,
            ownership_document="Сатып алу-сату шарты № 1", condition="FAULTY" if i % 13 == 0 else "WORKING",
            status="EXCLUDED" if excluded else "IN_REGISTRY",
            excluded_on=date(2026, 2, 1) if excluded else None, exclusion_reason="SALE" if excluded else None,
            inclusion_application=app,
        ))
    await AsicUnit.bulk_create(units, batch_size=100)
    return miner, dcs


async def _openpyxl_reference(f: UnitFilter | None, language: str) -> list[tuple]:
    """The cells as the old implementation wrote them: openpyxl's write-only workbook."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(registry_files.sheet_name(language))
    sheet.append(export_headers(language))
    async for row in registry_files.records(SYSTEM, f):
        sheet.append(export_row(row, language))
    out = io.BytesIO()
    workbook.save(out)
    return list(load_workbook(out).active.iter_rows(values_only=True))


async def _get(client, caller, query: str):
    return await client.get(f"/exports/asic-units?{query}", headers={"Authorization": f"Bearer {caller.token}"})


@pytest.mark.parametrize("language", ["kk", "ru"])
async def test_xlsx_has_the_app1_header_and_the_same_cells_openpyxl_wrote(client, officer, registry, language):
    response = await _get(client, officer, f"format=xlsx&lang={language}")
    assert response.status_code == 200 and response.headers["content-type"] == XLSX
    assert zipfile.ZipFile(io.BytesIO(response.content)).testzip() is None  # every CRC checks out
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == [registry_files.sheet_name(language)]
    sheet = workbook.active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == export_headers(language)
    assert len(rows) == UNITS + 1
    first, formula, specials, excluded = rows[1], rows[7], rows[8], rows[10]
    assert first[0] == 1 and first[1] == datetime(2025, 1, 2) and first[2] == "ТОО «Қазақ Майнинг»"
    assert first[4] == "Екібастұз, Сәтбаев к-сі, 4" and first[10] == 201.125 and first[11] == 3.5
    assert formula[7] == "'" + FORMULA  # shown as text, never run
    assert specials[7] == "S21 <Hyd> & co"
    assert excluded[14] == datetime(2026, 2, 1) and excluded[17] in ("сату", "продажа")
    assert sheet["B2"].number_format == "yyyy-mm-dd" and sheet["O11"].number_format == "yyyy-mm-dd"
    assert sheet["K2"].data_type == "n" and sheet["A2"].data_type == "n"
    assert rows == await _openpyxl_reference(None, language)
    calamine = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert calamine[0] == export_headers(language) and len(calamine) == UNITS + 1
    assert calamine[1][:3] == [1.0, date(2025, 1, 2), "ТОО «Қазақ Майнинг»"] and calamine[7][7] == "'" + FORMULA


async def test_xlsx_applies_the_filters_and_the_callers_visibility(client, officer, registry):
    _, dcs = registry
    response = await _get(client, officer, f"format=xlsx&lang=en&status=EXCLUDED&dataCenterId={_dc_id(dcs[0])}")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    expected = [i for i in range(1, UNITS + 1) if i % 10 == 0 and i % 2 == 0]
    assert [r[0] for r in rows[1:]] == expected and {r[16] for r in rows[1:]} == {"excluded"}
    assert rows == await _openpyxl_reference(UnitFilter(status=UnitStatus.EXCLUDED, data_center_id=dcs[0].id), "en")

    stranger = await make_caller(client, Role.APPLICANT, miner=await make_miner())
    response = await _get(client, stranger, "format=xlsx&lang=ru")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) == 1 and list(rows[0]) == export_headers("ru")  # a valid, empty register


async def test_csv_is_as_it_was(client, officer, registry):
    response = await _get(client, officer, "format=csv&lang=ru")
    assert response.headers["content-type"].startswith("text/csv") and response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == export_headers("ru") and len(rows) == UNITS + 1
    assert rows[1][:3] == ["1", "2025-01-02", "ТОО «Қазақ Майнинг»"] and rows[1][10] == "201.125"
    assert rows[7][7] == "'" + FORMULA and rows[10][14] == "2026-02-01" and rows[10][17] == "продажа"


def _dc_id(dc) -> str:
    from schema.ids import to_global_id

    return to_global_id("DataCenter", dc.id)


def _sheet_rows_so_far(data: bytes) -> int:
    """How many sheet rows the bytes received so far carry (each page is flushed whole). The
    sheet's name first appears verbatim in its local header; its deflated data follows."""
    name = b"xl/worksheets/sheet1.xml"
    xml = zlib.decompressobj(-15).decompress(data[data.index(name) + len(name) :])
    return xml.count(b"<row ")


async def test_xlsx_streams_each_page_before_the_next_is_read(registry, monkeypatch):
    monkeypatch.setattr(registry_files, "XLSX_PAGE", 50)
    events: list[str] = []
    real_pages = registry_files.pages

    async def logged_pages(*args, **kwargs):
        async for page in real_pages(*args, **kwargs):
            events.append(f"page {len(page)}")
            yield page

    monkeypatch.setattr(registry_files, "pages", logged_pages)
    received = b""
    rows_seen = []
    async for chunk in registry_files.xlsx_chunks(SYSTEM, None, "kk"):
        events.append("chunk")
        received += chunk
        rows_seen.append(_sheet_rows_so_far(received))
    assert events == ["page 50", "chunk"] * 6 + ["chunk"]
    assert rows_seen == [1 + 50 * n for n in range(1, 7)] + [301]  # header + each page as it was read
    rows = list(load_workbook(io.BytesIO(received)).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == list(range(1, UNITS + 1))


async def test_a_database_failure_mid_stream_leaves_a_file_no_reader_opens(registry, monkeypatch):
    monkeypatch.setattr(registry_files, "XLSX_PAGE", 50)
    real_pages = registry_files.pages

    async def failing_pages(*args, **kwargs):
        count = 0
        async for page in real_pages(*args, **kwargs):
            count += 1
            if count == 3:
                raise ConnectionError("the database went away")
            yield page

    monkeypatch.setattr(registry_files, "pages", failing_pages)
    received = b""
    with pytest.raises(ConnectionError):
        async for chunk in registry_files.xlsx_chunks(SYSTEM, None, "ru"):
            received += chunk
    assert _sheet_rows_so_far(received) == 101  # two pages went out
    with pytest.raises(zipfile.BadZipFile):  # no central directory: not a shorter valid file
        zipfile.ZipFile(io.BytesIO(received))


async def test_a_failure_on_the_first_page_is_an_http_500(client, officer, registry, monkeypatch):
    async def failing_pages(*args, **kwargs):
        raise ConnectionError("the database went away")
        yield []  # pragma: no cover - makes this an async generator

    monkeypatch.setattr(registry_files, "pages", failing_pages)
    app = client._transport.app  # type: ignore[attr-defined]
    async with AsyncClient(transport=ASGITransport(app=app, raise_app_exceptions=False), base_url="http://test") as c:
        response = await _get(c, officer, "format=xlsx")
    assert response.status_code == 500 and not response.content.startswith(b"PK")


def test_streamed_cells_match_openpyxl_for_awkward_values():
    """No database: odd values through both writers. Control characters, which openpyxl
    refuses, come out as Excel's `_xHHHH_` escapes; text that looks like such an escape has
    its underscore escaped (`_x005F_`), as Excel writes it."""
    rows = [
        ["plain", " lead", "trail ", "tab\there", "line\nbreak", "", None, "&<>\"'", "ÆØÅ ңғүұқөһі 😀"],
        [0, -1, 2**40, 1.5, Decimal("0.001"), Decimal("12345678901234.5"), date(2024, 2, 29), datetime(2024, 2, 29, 13, 30), True],
    ]
    stream = registry_files.XlsxStream("Лист", "ru")
    streamed = stream.start(["a"] * 9) + stream.deflate(stream.cells_xml(rows)) + stream.finish()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Лист")
    sheet.append(["a"] * 9)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    assert list(load_workbook(io.BytesIO(streamed)).active.iter_rows(values_only=True)) == list(
        load_workbook(out).active.iter_rows(values_only=True)
    )

    stream = registry_files.XlsxStream("Лист", "ru")
    streamed = stream.start(["a"]) + stream.deflate(stream.cells_xml([["bell\x07"], ["x_x0041_y"]])) + stream.finish()
    xml = zipfile.ZipFile(io.BytesIO(streamed)).read("xl/worksheets/sheet1.xml").decode()
    assert "bell_x0007_" in xml and "x_x005F_x0041_y" in xml
