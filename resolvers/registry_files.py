"""Registry export (App.1 column order) as CSV or XLSX, streamed, with the query's filters.

CSV streams straight from keyset pages of 5,000 records (memory stays flat at any size);
XLSX is written by openpyxl's write-only workbook into a spooled temporary file, then
streamed. Every text cell goes through `neutralize_cell` (rules/spreadsheet_safety.py), so a
name like `=HYPERLINK(...)` is shown as text, never run.

`export_endpoint` is a Starlette endpoint (GET, bearer token like /graphql):
`/exports/asic-units?format=csv|xlsx&lang=kk|ru|en&minerId=&dataCenterId=&region=&model=&status=&serialPrefix=`.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from resolvers.auth import authenticate, bearer_token
from resolvers.registry import UnitFilter, filtered_units
from rules.access import Actor
from rules.errors import DomainError, ErrorCode
from rules.messages import negotiate_language, render
from rules.registry import UnitStatus, export_headers, export_row

PAGE = 5000
_FIELDS = (
    "id", "record_number", "record_date", "miner_name", "miner_bin_iin", "miner_legal_address",
    "miner_phone", "miner_email", "data_center_location", "model", "serial", "tnved_code",
    "hashrate_ths", "power_kw", "customs_declaration", "customs_quantity", "ownership_document",
    "excluded_on", "condition", "status", "exclusion_reason",
)


async def records(actor: Actor, f: UnitFilter | None) -> AsyncIterator[dict[str, Any]]:
    """The visible, filtered records in record-id order, one keyset page at a time."""
    last = 0
    base = filtered_units(actor, f)
    while True:
        page = await base.filter(id__gt=last).order_by("id").limit(PAGE).values(*_FIELDS)
        for row in page:
            yield row
        if len(page) < PAGE:
            return
        last = page[-1]["id"]


def _csv_cell(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else value


async def csv_chunks(actor: Actor, f: UnitFilter | None, language: str) -> AsyncIterator[bytes]:
    """UTF-8 with BOM (Excel then reads Cyrillic correctly), one chunk per page."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(export_headers(language))
    yield ("\ufeff" + buf.getvalue()).encode()
    buf.seek(0)
    buf.truncate()
    count = 0
    async for row in records(actor, f):
        writer.writerow([_csv_cell(v) for v in export_row(row, language)])
        count += 1
        if count % 1000 == 0:
            yield buf.getvalue().encode()
            buf.seek(0)
            buf.truncate()
    if buf.tell():
        yield buf.getvalue().encode()


async def xlsx_file(actor: Actor, f: UnitFilter | None, language: str) -> tempfile.SpooledTemporaryFile:
    """The workbook in a spooled temporary file (in memory up to 16 MB, then on disk)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Реестр АПК" if language != "kk" else "АБК тізілімі")
    sheet.append(export_headers(language))
    async for row in records(actor, f):
        sheet.append(export_row(row, language))
    out = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115 - closed by the stream
    workbook.save(out)
    out.seek(0)
    return out


async def _file_chunks(handle: Any) -> AsyncIterator[bytes]:
    try:
        while chunk := handle.read(256 * 1024):
            yield chunk
    finally:
        handle.close()


def _filter_from(params: Any) -> UnitFilter:
    from schema.ids import pk_of

    status = params.get("status")
    return UnitFilter(
        miner_id=pk_of(params["minerId"], "Miner") if params.get("minerId") else None,
        data_center_id=pk_of(params["dataCenterId"], "DataCenter") if params.get("dataCenterId") else None,
        region=params.get("region") or None,
        model=params.get("model") or None,
        status=UnitStatus(status) if status else None,
        serial_prefix=params.get("serialPrefix") or None,
    )


async def export_endpoint(request: Request) -> Response:
    actor = await authenticate(bearer_token(request.headers.get("authorization")))
    ui_language = negotiate_language(request.headers.get("accept-language"))
    if actor is None:
        return JSONResponse({"code": "UNAUTHENTICATED", "message": render("UNAUTHENTICATED", ui_language)}, 401)
    params = request.query_params
    language = params.get("lang") or ui_language
    fmt = (params.get("format") or "csv").lower()
    try:
        if language not in ("kk", "ru", "en"):
            raise DomainError(ErrorCode.VALIDATION, field="lang")
        if fmt not in ("csv", "xlsx"):
            raise DomainError(ErrorCode.VALIDATION, field="format")
        f = _filter_from(params)
    except (DomainError, ValueError) as exc:
        code = exc.code if isinstance(exc, DomainError) else ErrorCode.VALIDATION.value
        field = exc.field if isinstance(exc, DomainError) else "status"
        return JSONResponse({"code": code, "message": render(code, ui_language, {"field": field})}, 400)
    name = f"asic-registry-{date.today().isoformat()}.{fmt}"
    disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
    if fmt == "csv":
        return StreamingResponse(csv_chunks(actor, f, language), media_type="text/csv; charset=utf-8", headers=disposition)
    handle = await xlsx_file(actor, f, language)
    return StreamingResponse(
        _file_chunks(handle),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers=disposition,
    )


__all__ = ["csv_chunks", "export_endpoint", "records", "xlsx_file"]
