"""Reading an uploaded App.3 unit list (CSV or XLSX, told apart by content) into rows for
the pure row rules (rules/unit_list): byte decoding, delimiter sniffing, the workbook reader.

`parse_unit_list` is the one entry point: bytes in, `ParsedUnitList` out, `UnitListError` for
a file that cannot be read as a unit list. CPU-bound; callers on the event loop run it in a
thread (resolvers/registry/inclusion.py).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence

from resolvers.registry.unit_xlsx import xlsx_rows
from rules.unit_list import (
    SERIAL_RULES,
    HeaderRules,
    ParsedSerials,
    ParsedUnitList,
    UnitListError,
    find_header,
    validate_rows,
    validate_serial_rows,
)

_XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE2: legacy .xls or an encrypted .xlsx


# --- CSV --------------------------------------------------------------------------------------
# Control characters never appear in a text export; their presence means binary content
# (or a text encoding we do not read, e.g. UTF-16 without BOM).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_DELIMITERS = (",", ";", "\t")
_SNIFF_CHARS = 64 * 1024


def _decode_csv(data: bytes, looks_like_xlsx_name: bool) -> str:
    """UTF-8 (with or without BOM) first; else cp1251.

    Why cp1251: Excel on a Russian/Kazakh Windows saves "CSV (comma delimited)" in the ANSI
    code page, which is 1251 in both locales (Kazakh-only letters become "?", which the
    header matcher tolerates). Strict UTF-8 almost never accepts cp1251 Cyrillic, so trying
    it first cannot misread a 1251 file. Not read: UTF-16 ("Unicode text") and other code
    pages; a cp1252 file decodes but its accented letters come out as Cyrillic.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnitListError("ENCODING", "UTF-16 text is not supported: save as CSV UTF-8")
    if b"\x00" in data:
        raise UnitListError(
            "NOT_A_SPREADSHEET", "The file is binary, neither CSV text nor an .xlsx workbook"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1251")
        except UnicodeDecodeError:
            text = ""
        if not text or _CONTROL.search(text):
            if looks_like_xlsx_name:
                raise UnitListError(
                    "NOT_A_SPREADSHEET",
                    "The file is named like an Excel workbook but is not "
                    "one (damaged or another format)",
                ) from None
            raise UnitListError(
                "ENCODING", "The CSV is neither UTF-8 nor Windows-1251 text"
            ) from None
        return text
    if _CONTROL.search(text):
        raise UnitListError("NOT_A_SPREADSHEET", "The file contains binary data, not CSV text")
    return text


def _csv_rows(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """Records numbered as a spreadsheet shows them (a quoted multi-line cell is one row)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 0
    try:
        for line, record in enumerate(reader, start=1):
            yield line, record
    except csv.Error as exc:
        raise UnitListError(
            "NOT_A_SPREADSHEET", f"Malformed CSV at row {line + 1}: {exc}"
        ) from None


def _sniff_delimiter(text: str, rules: HeaderRules | None = None) -> str:
    """The delimiter under which the header maps the most known columns.

    Header-driven rather than csv.Sniffer: decimal commas ("13,5") and commas inside the
    Russian titles ("марка, модель") fool frequency-based sniffing of ';' files.
    """
    sample = text[:_SNIFF_CHARS]
    if len(text) > _SNIFF_CHARS and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    first_line = next((ln for ln in sample.splitlines() if ln.strip()), "")
    best, best_key = _DELIMITERS[0], (-1, -1)
    for delimiter in _DELIMITERS:
        try:
            header, _ = find_header(_csv_rows(sample, delimiter)) if rules is None else find_header(
                _csv_rows(sample, delimiter), rules, min_score=1)
        except UnitListError:
            continue
        key = (header.score if header else 0, first_line.count(delimiter))
        if key > best_key:
            best, best_key = delimiter, key
    return best



def spreadsheet_rows(
    data: bytes, filename: str, *, max_bytes: int, rules: HeaderRules | None = None
) -> tuple[str, Iterable[tuple[int, Sequence[object]]]]:
    """("CSV" or "XLSX", the (row number, cells) of the file), told apart by content: the reading
    every uploaded list shares (the App.3 unit list, the pools' income reports). A CSV's delimiter
    is the one under which the header maps most columns of `rules` (default: App.3's).
    Raises only `UnitListError`."""
    if not data or not data.strip():
        raise UnitListError("FILE_EMPTY", "The file is empty")
    if len(data) > max_bytes:
        raise UnitListError("FILE_TOO_LARGE", f"The file is larger than {max_bytes} bytes")
    if data.startswith(_XLS_MAGIC):
        raise UnitListError(
            "NOT_A_SPREADSHEET",
            "Legacy .xls or password-protected workbooks are not supported: save as .xlsx",
        )

    rows: Iterable[tuple[int, Sequence[object]]]
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        source_format = "XLSX"
        rows = xlsx_rows(data, max_bytes)
    else:
        source_format = "CSV"
        xlsx_name = filename.lower().endswith((".xlsx", ".xlsm", ".xls"))
        text = _decode_csv(data, xlsx_name)
        if not text.strip():
            raise UnitListError("FILE_EMPTY", "The file is empty")
        rows = _csv_rows(text, _sniff_delimiter(text, rules))
    return source_format, rows


# --- entry point -----------------------------------------------------------------------------
def parse_unit_list(
    data: bytes,
    filename: str,
    *,
    max_bytes: int = 20 * 1024 * 1024,
    max_rows: int = 200_000,
    max_issues: int = 1000,
    tnved_default: str = "",
) -> ParsedUnitList:
    """Read and validate an App.3 unit list (CSV or XLSX, detected by content).

    The official form has no TN VED column: its lines take ``tnved_default``, the application's
    code (002 App.2 item 7); see `rules.unit_list.validate_rows` for the form's layout.

    Raises only `UnitListError` (file-level); row problems are in `.issues`. At most
    `max_issues` errors are collected (then TOO_MANY_ERRORS ends the scan) and as many
    warnings (the rest are counted in one WARNINGS_TRUNCATED warning).
    """
    source_format, rows = spreadsheet_rows(data, filename, max_bytes=max_bytes)
    iterator = iter(rows)
    try:
        return validate_rows(
            iterator, source_format=source_format, max_rows=max_rows, max_issues=max_issues,
            tnved_default=tnved_default,
        )
    finally:
        close = getattr(iterator, "close", None)
        if close is not None:
            close()  # release the reader when validation stopped early


def parse_serial_list(data: bytes, filename: str, *, max_bytes: int, max_rows: int) -> ParsedSerials:
    """Read a list of serial numbers (CSV or XLSX, by content; one serial column, with the App.3
    serial column's title or no header at all): see `rules.unit_list.validate_serial_rows`.
    Raises only `UnitListError`; row problems are in `.issues`. CPU-bound: run it in a thread."""
    source_format, rows = spreadsheet_rows(data, filename, max_bytes=max_bytes, rules=SERIAL_RULES)
    iterator = iter(rows)
    try:
        return validate_serial_rows(iterator, source_format=source_format, max_rows=max_rows)
    finally:
        close = getattr(iterator, "close", None)
        if close is not None:
            close()
