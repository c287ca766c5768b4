"""Registry export (App.1 column order) as CSV or XLSX, streamed, with the query's filters.

`export_endpoint` is a Starlette endpoint (GET, bearer token like /graphql):
`/exports/asic-units?format=csv|xlsx&lang=kk|ru|en&minerId=&dataCenterId=&region=&model=&status=&serialPrefix=`.

Both formats read the visible, filtered records in keyset pages and send each page's bytes
before the next page is read: memory stays flat and the first bytes leave at once, at any
size. Every text cell goes through `neutralize_cell` (rules/spreadsheet_safety.py, via
`export_row`), so a name like `=HYPERLINK(...)` is shown as text, never run.

CSV: UTF-8 with BOM, pages of `PAGE` records, each written in one go on the event loop: small
pages, so that no page holds the loop long (5,000-record pages stalled it 250 ms, bench/README.md
"XLSX export").

XLSX: a zip of a few XML parts of which only the sheet grows with the data. `XlsxStream` writes
the fixed parts at once, then the sheet one page at a time (inline strings, no shared-string
table, so nothing grows with the row count), deflated into zip entries that carry data
descriptors (CRC and sizes after the data: no seeking back), and the central directory last.
openpyxl cannot stream: its write-only sheet goes to a temporary file that `save()` zips at the
end, so the first byte waited for the last row. Per page of `XLSX_PAGE` records: the rows' XML
is built on the event loop (a few milliseconds), then deflated in a worker thread (zlib
releases the GIL). Building the XML in a thread too was measured worse for everyone: that
thread holds the GIL, and the loop then waits up to the 5 ms switch interval each time it
wakes (bench/export_xlsx.py, variant `thread`). The cells are the ones
openpyxl wrote (tests/api/test_registry_export.py compares them): numbers as numbers
(`%.16g`), dates as dates (style `yyyy-mm-dd`), text as inline strings; text that Excel would
read as an `_xHHHH_` escape is escaped the way Excel writes it.

A failure in the middle (the database goes away) ends the response without the zip's central
directory, which is what a reader needs to find anything: the client gets a file that no
reader opens (over HTTP/1.1 also a chunked body without its last chunk), never a shorter file
that looks complete. The endpoint reads the first page before the response starts, so a
failure there is a plain HTTP 500. Limit: a sheet holds 1,048,576 rows in Excel; a larger
export fails in the same visible way. (Its XML, ~1.1 KB a row, stays under the 4 GiB a zip
without ZIP64 allows; ZIP64 is left out because some Excel builds mishandle it in streamed zips.)
"""

from __future__ import annotations

import asyncio
import csv
import io
import re
import struct
import zlib
from collections.abc import AsyncGenerator, AsyncIterator, Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import quoteattr

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from resolvers.auth import authenticate, bearer_token
from resolvers.personal_data import record_personal_data_read
from resolvers.registry import UnitFilter, filtered_units
from rules.access import Actor
from rules.errors import DomainError, ErrorCode
from rules.messages import negotiate_language, render
from rules.registry import UnitStatus, export_headers, export_row

PAGE = 500  # CSV: records per keyset query (~10 ms of the event loop each)
# XLSX: records per keyset query, each page read and turned into XML in one turn of the event
# loop (~5 ms). Small on purpose: a page's containers stay under the cyclic GC's first
# threshold (700), so they are freed before a collection promotes them. Pages of 1,000 set off
# full collections of the app's heap, ~50 ms each with the loop stopped (bench/README.md,
# "XLSX export").
XLSX_PAGE = 200
DEFLATE_LEVEL = 6  # the sheet's XML repeats itself: level 6 gives ~10x, level 1 ~7x
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FIELDS = (
    "id", "record_number", "record_date", "miner_name", "miner_bin_iin", "miner_legal_address",
    "miner_phone", "miner_email", "data_center_location", "model", "serial", "tnved_code",
    "hashrate_ths", "power_kw", "customs_declaration", "customs_quantity", "ownership_document",
    "excluded_on", "condition", "status", "exclusion_reason",
)


async def pages(actor: Actor, f: UnitFilter | None, size: int | None = None) -> AsyncIterator[list[dict[str, Any]]]:
    """The visible, filtered records in record-id order, one keyset page (a list) at a time."""
    size = size or PAGE
    last = 0
    base = filtered_units(actor, f)
    while True:
        page = await base.filter(id__gt=last).order_by("id").limit(size).values(*_FIELDS)
        if page:
            yield page
        if len(page) < size:
            return
        last = page[-1]["id"]


async def records(actor: Actor, f: UnitFilter | None) -> AsyncIterator[dict[str, Any]]:
    """The visible, filtered records in record-id order, one keyset page at a time."""
    async for page in pages(actor, f):
        for row in page:
            yield row


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


# --- a zip written front to back ------------------------------------------------------------------


class StreamingZip:
    """A zip archive written strictly front to back (deflate, data descriptors, no ZIP64).

    `start`, `write`, `flush` and `end` return the bytes to send next; nothing is kept but the
    central directory (one small record per entry) and zlib's window. `close` returns the
    central directory: only a finished archive has one, so a cut-off stream is no zip at all.
    """

    _LIMIT = 0xFFFFFFFF

    def __init__(self, level: int = DEFLATE_LEVEL, when: datetime | None = None) -> None:
        when = when or datetime.now()
        self._level = level
        self._dos_time = (when.hour << 11) | (when.minute << 5) | (when.second // 2)
        self._dos_date = ((max(when.year, 1980) - 1980) << 9) | (when.month << 5) | when.day
        self._offset = 0
        self._central: list[bytes] = []
        self._entry: tuple[bytes, int] | None = None  # (name, local header offset)
        self._deflate: Any = None
        self._crc = 0
        self._size = 0
        self._compressed = 0

    def _out(self, data: bytes) -> bytes:
        self._offset += len(data)
        if self._offset > self._LIMIT:
            raise ValueError("the archive would need ZIP64 (over 4 GiB)")
        return data

    def start(self, name: str) -> bytes:
        assert self._entry is None, "finish the previous entry first"
        encoded = name.encode("ascii")
        self._entry = (encoded, self._offset)
        self._deflate = zlib.compressobj(self._level, zlib.DEFLATED, -15)
        self._crc = self._size = self._compressed = 0
        header = struct.pack(
            "<IHHHHHIIIHH", 0x04034B50, 20, 0x08, 8, self._dos_time, self._dos_date, 0, 0, 0, len(encoded), 0
        )
        return self._out(header + encoded)

    def write(self, data: bytes) -> bytes:
        self._crc = zlib.crc32(data, self._crc)
        self._size += len(data)
        out = self._deflate.compress(data)
        self._compressed += len(out)
        return self._out(out)

    def flush(self) -> bytes:
        """Everything written so far, deflated and ready to send (a few bytes of overhead)."""
        out = self._deflate.flush(zlib.Z_SYNC_FLUSH)
        self._compressed += len(out)
        return self._out(out)

    def end(self) -> bytes:
        assert self._entry is not None
        out = self._deflate.flush(zlib.Z_FINISH)
        self._compressed += len(out)
        if self._size > self._LIMIT or self._compressed > self._LIMIT:
            raise ValueError("the entry would need ZIP64 (over 4 GiB)")
        name, offset = self._entry
        self._central.append(
            struct.pack(
                "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0x08, 8, self._dos_time, self._dos_date,
                self._crc, self._compressed, self._size, len(name), 0, 0, 0, 0, 0, offset,
            )
            + name
        )
        self._entry = self._deflate = None
        return self._out(out + struct.pack("<IIII", 0x08074B50, self._crc, self._compressed, self._size))

    def add(self, name: str, data: bytes) -> bytes:
        return self.start(name) + self.write(data) + self.end()

    def close(self) -> bytes:
        assert self._entry is None, "finish the last entry first"
        directory = b"".join(self._central)
        count = len(self._central)
        tail = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(directory), self._offset, 0)
        return self._out(directory + tail)


# --- the workbook ---------------------------------------------------------------------------------

_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_CONTENT_TYPES = (
    _XML + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_CT}.worksheet+xml"/>'
    f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    _XML + f'<Relationships xmlns="{_PKG_REL_NS}">'
    f'<Relationship Id="rId1" Type="{_REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK_RELS = (
    _XML + f'<Relationships xmlns="{_PKG_REL_NS}">'
    f'<Relationship Id="rId1" Type="{_REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL_NS}/styles" Target="styles.xml"/>'
    "</Relationships>"
)
# Style 0: General; 1: a date (yyyy-mm-dd, as openpyxl wrote dates); 2: a date and time.
_STYLES = (
    _XML + f'<styleSheet xmlns="{_MAIN_NS}">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd h:mm:ss"/></numFmts>'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_SHEET_HEAD = _XML + f'<worksheet xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}"><sheetData>'
_SHEET_TAIL = '</sheetData><pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/></worksheet>'
_EXCEL_EPOCH = datetime(1899, 12, 30)
_EXCEL_EPOCH_DATE = _EXCEL_EPOCH.date()
_MAX_ROWS = 1_048_576

# Characters XML 1.0 cannot carry, and text that Excel would read as such an escape: Excel's
# own convention is `_xHHHH_` for the first and `_x005F_` for the underscore of the second.
_OOXML_ESCAPE = re.compile(r"[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")
_PLAIN = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9A-Fa-f]{4}_")  # None: nothing to escape


def _ooxml_escape(match: re.Match[str]) -> str:
    return f"_x{ord(match.group()):04X}_"


def _column_letters(count: int) -> list[str]:
    letters = []
    for index in range(1, count + 1):
        name = ""
        while index:
            index, rest = divmod(index - 1, 26)
            name = chr(65 + rest) + name
        letters.append(name)
    return letters


def _text(value: str) -> str:
    """The `<t>` element of an inline string (the common case costs one regex search)."""
    if _PLAIN.search(value) is None and value.strip() == value:
        return f"<t>{value}</t>"
    if _OOXML_ESCAPE.search(value):
        value = _OOXML_ESCAPE.sub(_ooxml_escape, value)
    escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if value.strip() != value:
        return f'<t xml:space="preserve">{escaped}</t>'
    return f"<t>{escaped}</t>"


def _cells_xml(number: int, cells: Sequence[Any], letters: Sequence[str]) -> str:
    """One sheet row as openpyxl's write-only sheet wrote it (empty cells omitted)."""
    parts = [f'<row r="{number}">']
    append = parts.append
    for letter, value in zip(letters, cells, strict=False):
        if value is None:
            continue
        kind = type(value)
        if kind is str:
            if value:
                append(f'<c r="{letter}{number}" t="inlineStr"><is>{_text(value)}</is></c>')
        elif kind is int:
            append(f'<c r="{letter}{number}" t="n"><v>{value}</v></c>')
        elif kind is Decimal or kind is float:
            text = f"{float(value):.16g}"
            if text[-1].isdigit():  # NaN and the infinities stay empty, as openpyxl left them
                append(f'<c r="{letter}{number}" t="n"><v>{text}</v></c>')
        elif kind is bool:
            append(f'<c r="{letter}{number}" t="b"><v>{int(value)}</v></c>')
        elif isinstance(value, datetime):
            if value.tzinfo is not None:
                value = value.replace(tzinfo=None)
            serial = (value - _EXCEL_EPOCH).total_seconds() / 86400
            append(f'<c r="{letter}{number}" s="2" t="n"><v>{serial:.16g}</v></c>')
        elif isinstance(value, date):
            append(f'<c r="{letter}{number}" s="1" t="n"><v>{(value - _EXCEL_EPOCH_DATE).days}</v></c>')
        elif isinstance(value, int | float | Decimal):  # subclasses: IntEnum and the like
            text = f"{float(value):.16g}"
            if text[-1].isdigit():
                append(f'<c r="{letter}{number}" t="n"><v>{text}</v></c>')
        else:
            text = str(value)
            if text:
                append(f'<c r="{letter}{number}" t="inlineStr"><is>{_text(text)}</is></c>')
    append("</row>")
    return "".join(parts)


class XlsxStream:
    """One single-sheet workbook, produced piece by piece: `start(header)`, `rows(records)` as
    many times as there are pages, `finish()`. Each returns the bytes to send next. Not
    thread-safe, but may move between threads between calls."""

    def __init__(self, sheet_name: str, language: str, level: int = DEFLATE_LEVEL) -> None:
        self.sheet_name = sheet_name
        self.language = language
        self.row_count = 0
        self._zip = StreamingZip(level)
        self._letters: list[str] = []

    def start(self, header: Sequence[Any]) -> bytes:
        self._letters = _column_letters(len(header))
        workbook = (
            _XML + f'<workbook xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}"><bookViews><workbookView activeTab="0"/></bookViews>'
            f'<sheets><sheet name={quoteattr(self.sheet_name)} sheetId="1" r:id="rId1"/></sheets></workbook>'
        )
        out = [
            self._zip.add("[Content_Types].xml", _CONTENT_TYPES.encode()),
            self._zip.add("_rels/.rels", _ROOT_RELS.encode()),
            self._zip.add("xl/workbook.xml", workbook.encode()),
            self._zip.add("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS.encode()),
            self._zip.add("xl/styles.xml", _STYLES.encode()),
            self._zip.start("xl/worksheets/sheet1.xml"),
            self._zip.write(_SHEET_HEAD.encode()),
        ]
        out.append(self.deflate(self.cells_xml([header])))
        return b"".join(out)

    def xml(self, records: Iterable[Mapping[str, Any]]) -> bytes:
        """The records' sheet rows (`export_row`: App.1 order, localized, neutralised), as
        UTF-8 XML not yet deflated. Python work that holds the GIL."""
        language = self.language
        return self.cells_xml([export_row(r, language) for r in records])

    def deflate(self, xml: bytes) -> bytes:
        """Rows from `xml`, deflated and flushed: the bytes to send. zlib releases the GIL."""
        return self._zip.write(xml) + self._zip.flush()

    def rows(self, records: Iterable[Mapping[str, Any]]) -> bytes:
        return self.deflate(self.xml(records))

    def cells_xml(self, rows: Sequence[Sequence[Any]]) -> bytes:
        """Rows of cell values as sheet XML (UTF-8), numbered on from the rows so far."""
        if self.row_count + len(rows) > _MAX_ROWS:
            raise ValueError(f"more than {_MAX_ROWS:,} rows do not fit one sheet")
        first, letters = self.row_count + 1, self._letters
        xml = "".join(_cells_xml(first + i, row, letters) for i, row in enumerate(rows))
        self.row_count += len(rows)
        return xml.encode()

    def finish(self) -> bytes:
        return self._zip.write(_SHEET_TAIL.encode()) + self._zip.end() + self._zip.close()


def sheet_name(language: str) -> str:
    return "Реестр АПК" if language != "kk" else "АБК тізілімі"


async def xlsx_chunks(actor: Actor, f: UnitFilter | None, language: str) -> AsyncGenerator[bytes, None]:
    """The workbook's bytes, one chunk per keyset page of `XLSX_PAGE` records.

    The first chunk is the fixed parts plus the first page; an exception from the database
    (or the writer) ends the iteration before the zip's central directory is written.
    """
    stream = XlsxStream(sheet_name(language), language)
    head = stream.start(export_headers(language))  # the fixed parts: small, fine on the loop
    async for page in pages(actor, f, XLSX_PAGE):
        xml = stream.xml(page)  # on the loop: Python work, a few milliseconds per page
        body = await asyncio.to_thread(stream.deflate, xml)  # zlib releases the GIL
        if head:
            body, head = head + body, b""
        yield body
    yield head + stream.finish()


async def _prepend(first: bytes, rest: AsyncGenerator[bytes, None]) -> AsyncIterator[bytes]:
    try:
        yield first
        async for chunk in rest:
            yield chunk
    finally:
        await rest.aclose()  # a client gone mid-stream: stop reading pages now


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
    # The export carries the holders' contacts: one audit event per export (not per row).
    await record_personal_data_read(actor, "exported", {"export": "asic-units", "format": fmt, "lang": language,
                                                        "filters": dict(params)})
    name = f"asic-registry-{date.today().isoformat()}.{fmt}"
    disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
    if fmt == "csv":
        return StreamingResponse(csv_chunks(actor, f, language), media_type="text/csv; charset=utf-8", headers=disposition)
    chunks = xlsx_chunks(actor, f, language)
    # The first page is read before the status line: a failure there is an HTTP 500, not a
    # 200 with a broken file.
    first = await anext(chunks)
    return StreamingResponse(_prepend(first, chunks), media_type=XLSX_MEDIA_TYPE, headers=disposition)


__all__ = [
    "StreamingZip", "XlsxStream", "csv_chunks", "export_endpoint", "pages", "records", "xlsx_chunks",
]
