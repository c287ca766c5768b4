"""Import a 100,000-row App.3 unit list through the real code path on PostgreSQL, and COPY the
same rows raw in the same run.

Real path = a GraphQL multipart request (`applyForAsicInclusion` with the CSV as `input.file`) into
the Starlette app in-process: upload parsing, `parse_unit_list` (every row validated),
registry limits, the serial check against the registry, then one transaction that registers
the application (engine.receive), writes its details, COPYs the lines and audits.

Raw COPY = `COPY ... FROM STDIN (FORMAT csv, HEADER)` of the same file bytes into a table of
the same column types and indexes (unique (application, serial_key) and serial_key).

Last line: `parse_unit_list` alone on the same rows written as an .xlsx (as Excel writes it).

Usage: .venv/bin/python bench/import_unit_list.py [rows]   (BENCH_DATABASE_URL to override)
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import resource
import sys
import time
import zipfile
from datetime import UTC, datetime

import asyncpg
from _common import asyncpg_url, client, fresh_database, officer_and_miner
from tortoise import Tortoise

from models.applications import Application
from resolvers.registry import parse_unit_list
from schema.ids import to_global_id

HEADER = ["No", "Model", "Serial number", "TN VED code", "Hashrate TH/s", "Power kW", "Customs declaration", "Condition"]
COLUMNS = ["application_id", "line", "model", "serial", "serial_key", "tnved_code", "hashrate_ths", "power_kw", "customs_declaration", "condition"]
QUERY = """mutation($i: ApplyForAsicInclusionInput!) { applyForAsicInclusion(input: $i) {
  application { id registryDetails { lineCount } } errors { __typename ... on UserError { code message } } } }"""


def make_file(rows: int) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(HEADER)
    for i in range(1, rows + 1):
        w.writerow([i, "Antminer S19 XP", f"KZB{i:09d}", "8471410000", "140", "3.01", "50401/010124/0001234", "исправное"])
    return buf.getvalue().encode()


def make_xlsx(rows: int) -> bytes:
    """The same rows as an .xlsx the way Excel writes it: shared strings, cell references."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    ct = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    fixed = [*HEADER, "Antminer S19 XP", "8471410000", "50401/010124/0001234", "исправное"]
    s = {text: i for i, text in enumerate(fixed)}
    sheet = ['<row r="1">' + "".join(f'<c r="{c}1" t="s"><v>{i}</v></c>' for i, c in enumerate("ABCDEFGH")) + "</row>"]
    for i in range(1, rows + 1):
        r = i + 1
        sheet.append(
            f'<row r="{r}"><c r="A{r}"><v>{i}</v></c><c r="B{r}" t="s"><v>{s["Antminer S19 XP"]}</v></c>'
            f'<c r="C{r}" t="s"><v>{len(fixed) + i - 1}</v></c><c r="D{r}" t="s"><v>{s["8471410000"]}</v></c>'
            f'<c r="E{r}"><v>140</v></c><c r="F{r}"><v>3.01</v></c>'
            f'<c r="G{r}" t="s"><v>{s["50401/010124/0001234"]}</v></c><c r="H{r}" t="s"><v>{s["исправное"]}</v></c></row>'
        )
    strings = [*fixed, *(f"KZB{i:09d}" for i in range(1, rows + 1))]
    parts = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        f'<Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="{ct}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{ct}.worksheet+xml"/>'
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{ct}.sharedStrings+xml"/></Types>',
        "_rels/.rels": f'<Relationships xmlns="{pkg}"><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{pkg}"><Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        "xl/sharedStrings.xml": f'<sst xmlns="{main}">' + "".join(f"<si><t>{t}</t></si>" for t in strings) + "</sst>",
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{main}"><dimension ref="A1:H{rows + 1}"/><sheetData>{"".join(sheet)}</sheetData></worksheet>',
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in parts.items():
            archive.writestr(name, body)
    return buf.getvalue()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def raw_copy_same_table(content: bytes, app_id: int) -> float:
    """COPY the same rows into registry_application_line itself (same FK, unique and serial
    indexes), as another application's lines: the server work the real path cannot avoid."""
    rows = parse_unit_list(content, "units.csv").rows  # not timed: only to get the 10 columns
    buf = io.StringIO()
    csv.writer(buf).writerows(
        (app_id, r.line, r.model, r.serial, r.serial_key, r.tnved_code, r.hashrate_ths, r.power_kw,
         r.customs_declaration, r.condition) for r in rows
    )
    data = buf.getvalue().encode()
    conn = await asyncpg.connect(asyncpg_url())
    try:
        start = time.perf_counter()
        async with conn.transaction():
            await conn.copy_to_table("registry_application_line", source=io.BytesIO(data), columns=COLUMNS, format="csv")
        return time.perf_counter() - start
    finally:
        await conn.close()


async def raw_copy_plain(content: bytes) -> float:
    """COPY the uploaded file's bytes into a plain table of the same column types, with a
    unique serial index but no foreign key: the cheapest possible load of these rows."""
    conn = await asyncpg.connect(asyncpg_url())
    try:
        await conn.execute("DROP TABLE IF EXISTS bench_copy")
        await conn.execute(
            "CREATE TABLE bench_copy (line INT, model VARCHAR(255), serial VARCHAR(255), tnved_code VARCHAR(10),"
            " hashrate_ths NUMERIC(12,3), power_kw NUMERIC(10,3), customs_declaration VARCHAR(255),"
            " condition VARCHAR(16), UNIQUE (serial))"
        )
        start = time.perf_counter()
        async with conn.transaction():
            await conn.copy_to_table("bench_copy", source=io.BytesIO(content), format="csv", header=True)
        return time.perf_counter() - start
    finally:
        await conn.execute("DROP TABLE IF EXISTS bench_copy")
        await conn.close()


async def main(rows: int) -> None:
    await fresh_database()
    miner, dc, token = await officer_and_miner()
    content = make_file(rows)
    print(f"file: {rows} rows, {len(content) / 1e6:.1f} MB; peak RSS before import {peak_rss_mb():.0f} MB")

    start = time.perf_counter()
    parsed = parse_unit_list(content, "units.csv")
    parse_s = time.perf_counter() - start
    assert parsed.ok and len(parsed.rows) == rows
    del parsed

    variables = {"i": {
        "minerId": str(to_global_id("Miner", miner.id)), "dataCenterId": str(to_global_id("DataCenter", dc.id)),
        "declaredQuantity": rows, "ownershipDocument": "Договор № 1", "personalDataConsent": True, "file": None,
    }}
    async with client() as c:
        start = time.perf_counter()
        response = await c.post(
            "/graphql",
            data={"operations": json.dumps({"query": QUERY, "variables": variables}), "map": json.dumps({"0": ["variables.i.file"]})},
            files={"0": ("units.csv", content, "text/csv")},
            headers={"Authorization": f"Bearer {token}"},
        )
        real_s = time.perf_counter() - start
    payload = response.json()["data"]["applyForAsicInclusion"]
    assert payload["errors"] == [] and payload["application"]["registryDetails"]["lineCount"] == rows, payload
    stored = await Tortoise.get_connection("default").execute_query_dict("SELECT count(*) AS n FROM registry_application_line")
    assert stored[0]["n"] == rows

    other = await Application.create(procedure="ASIC_INCLUSION", channel="PORTAL", miner=miner, received_at=datetime.now(UTC))
    copy_s = await raw_copy_same_table(content, other.id)
    plain_s = await raw_copy_plain(content)
    print(f"real path (GraphQL upload -> validated -> committed): {real_s:.2f} s, {rows / real_s:,.0f} rows/s")
    print(f"  of which parse_unit_list alone (same bytes, measured separately): {parse_s:.2f} s")
    print(f"  rest (upload, serial check, transaction, COPY with FK + indexes): {real_s - parse_s:.2f} s")
    print(f"raw COPY into registry_application_line (same FK + indexes): {copy_s:.2f} s, {rows / copy_s:,.0f} rows/s")
    print(f"raw COPY of the file into a plain table (no FK): {plain_s:.2f} s, {rows / plain_s:,.0f} rows/s")
    print(f"ratio real / COPY same table: {real_s / copy_s:.1f}x;  real / COPY plain table: {real_s / plain_s:.1f}x")
    print(f"peak RSS of the process: {peak_rss_mb():.0f} MB")
    await Tortoise.close_connections()

    # The same rows as an .xlsx, parse only (after the RSS figure above: calamine holds the sheet).
    workbook = make_xlsx(rows)
    start = time.perf_counter()
    parsed = parse_unit_list(workbook, "units.xlsx")
    xlsx_s = time.perf_counter() - start
    assert parsed.ok and len(parsed.rows) == rows
    print(f"parse_unit_list on the same rows as .xlsx ({len(workbook) / 1e6:.1f} MB, shared strings): "
          f"{xlsx_s:.2f} s, {rows / xlsx_s:,.0f} rows/s")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))
