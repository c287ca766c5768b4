"""Reading the first worksheet of an uploaded .xlsx unit list (python-calamine), safely.

calamine (Rust) reads a sheet ~10x faster than openpyxl, but it lays the sheet out as a dense
rows x columns grid spanning the corners of its non-empty cells. Two cells far apart, such as
A1 and XFD1048576 in a 2 KB file, make it ask for 550 GB and the allocation failure aborts the
whole process (no Python exception; upstream tafia/calamine#693). So before calamine sees a
workbook, every part of it that holds cells (`sheetData`) is checked, and a sheet whose grid
would exceed `MAX_SHEET_CELLS`, or rows beyond Excel's last, is refused:

- the fast check, for files as Excel, LibreOffice, openpyxl or xlsxwriter write them: no single
  quote anywhere (so every attribute value is double-quoted), every cell tag starts `<c r="`,
  and no quoted value is a cell reference past column T or row 199,999. Substring searches in C
  over the decompressed XML, streamed in blocks; that bounds the grid at 199,999 x 20 cells.
- otherwise the exact check: the part is parsed (ElementTree, streamed) and every cell placed
  the way calamine places it (its own `r`, else the row's `r` and a running column).

Values are calamine's: the cached result of a formula cell (a formula without a saved value
reads as empty), shared and inline strings, numbers as floats, booleans, and dates for
date-formatted numbers. Error cells (`t="e"`: #N/A, #REF!...) come out of calamine as empty,
so the check above also collects their text from the XML and puts it back, for the row rules
to report CELL_ERROR.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from xml.etree import ElementTree

from rules.spreadsheet_safety import active_content
from rules.unit_list import UnitListError

_EXCEL_MAX_ROWS = 1_048_576  # a sheet claiming rows beyond this is forged
MAX_SHEET_CELLS = 4_000_000  # rows x columns calamine may lay out: 200,000 rows x 20 columns
_BLOCK = 4 * 1024 * 1024  # decompressed bytes checked at a time

# The fast check (see the module docstring). A cell reference past the fast bound: two or more
# column letters, a column after T, seven or more row digits, or a row from 200,000.
_PREFIXED_CELL = re.compile(rb":c[\s>/]")
_CELL_WITHOUT_REF = re.compile(rb'<c(?! r=")[\s>/]')
_BIG_REF = re.compile(
    rb'"(?:[A-Za-z]{2,}[0-9]+|[U-Zu-z][0-9]+|[A-Za-z]?[0-9]{7,}|[A-Za-z]?[2-9][0-9]{5})"'
)
_FAST_MAX_ROW = 199_999
_FAST_MAX_COLUMN = 20
_ERROR_CELL = re.compile(rb'<c r="([A-Za-z]+)([0-9]+)"[^>]*?\st="e"[^>]*>(.*?)</c>', re.S)
_ERROR_VALUE = re.compile(rb"<v>([^<]*)</v>")

_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


_ACTIVE_CONTENT = {
    "MACROS": "The workbook contains macros (.xlsm, VBA project): save it as a plain .xlsx workbook",
    "EXTERNAL_LINKS": "The workbook links to other workbooks: replace the links by their values and save again",
}


def _not_xlsx() -> UnitListError:
    return UnitListError("NOT_A_SPREADSHEET", "The file is not a readable .xlsx workbook")


@dataclass
class _SheetScan:
    """What the check learnt about one part holding cells (0-based positions)."""

    has_cells: bool = False
    max_row: int = -1
    max_column: int = -1
    min_row: int | None = None
    min_column: int | None = None
    errors: dict[tuple[int, int], str] = field(default_factory=dict)

    def place(self, row: int, column: int) -> None:
        self.max_row = max(self.max_row, row)
        self.max_column = max(self.max_column, column)
        self.min_row = row if self.min_row is None else min(self.min_row, row)
        self.min_column = column if self.min_column is None else min(self.min_column, column)

    def check(self) -> None:
        if self.max_row + 1 > _EXCEL_MAX_ROWS:
            raise UnitListError("TOO_MANY_ROWS", "The sheet has more rows than Excel")
        if self.min_row is None or self.min_column is None:
            return
        rows = self.max_row - self.min_row + 1
        columns = self.max_column - self.min_column + 1
        if rows * columns > MAX_SHEET_CELLS:
            raise UnitListError(
                "FILE_TOO_LARGE",
                f"The sheet spans {rows} rows x {columns} columns; at most {MAX_SHEET_CELLS} "
                "cells are read (remove stray cells far from the list)",
            )


def _reference(text: str, *, column_required: bool) -> tuple[int, int | None]:
    """calamine's reading of an `r` attribute: letters (any case), then digits; 0-based."""
    column = row = 0
    i, n = 0, len(text)
    while i < n and ("A" <= text[i] <= "Z" or "a" <= text[i] <= "z"):
        column = column * 26 + (ord(text[i].upper()) - 64)
        i += 1
    digits = text[i:]
    if not digits or not (digits.isascii() and digits.isdigit()):
        raise _not_xlsx()
    row = int(digits)
    if row == 0 or (column_required and column == 0):
        raise _not_xlsx()
    return row - 1, (column - 1 if column else None)


def _fast_scan(member: zipfile.ZipExtFile) -> _SheetScan | None:
    """The fast check over one part; None when the part needs the exact check."""
    scan = _SheetScan()
    tail = b""
    while True:
        block = member.read(_BLOCK)
        buf = tail + block
        if block:
            # Cut after the last complete row (else before the last tag) so that no tag, and
            # normally no cell, is split between two blocks.
            end = buf.rfind(b"</row>")
            cut = end + len(b"</row>") if end >= 0 else buf.rfind(b"<")
            if cut <= 0:
                tail = buf
                continue
            buf, tail = buf[:cut], buf[cut:]
        if b"sheetData" in buf:
            scan.has_cells = True
        if (
            b"'" in buf
            or _PREFIXED_CELL.search(buf)
            or _CELL_WITHOUT_REF.search(buf)
            or _BIG_REF.search(buf)
        ):
            return None
        if b'"e"' in buf:
            for letters, digits, body in _ERROR_CELL.findall(buf):
                value = _ERROR_VALUE.search(body)
                if value:
                    row, column = _reference((letters + digits).decode(), column_required=True)
                    scan.errors[(row, column or 0)] = value.group(1).decode("utf-8", "replace")
        if not block:
            break
    if scan.has_cells:
        # Every cell carries a reference within the fast bound (a lower corner at A1 is the
        # worst case): the grid cannot be larger than this.
        scan.min_row = scan.min_column = 0
        scan.max_row, scan.max_column = _FAST_MAX_ROW - 1, _FAST_MAX_COLUMN - 1
    return scan


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _exact_scan(member: zipfile.ZipExtFile) -> _SheetScan:
    """Place every cell as calamine does (empty elements count as start + end, like its
    `expand_empty_elements`); parts it ignores (outside `sheetData`) count too, which can
    only make the bound larger."""
    scan = _SheetScan()
    row_index = column_index = 0
    parent = None
    try:
        for event, elem in ElementTree.iterparse(member, events=("start", "end")):
            name = _local(elem.tag)
            if event == "start":
                if name == "sheetData":
                    scan.has_cells = True
                    parent = elem
                elif name == "row":
                    ref = elem.get("r")
                    if ref is not None:
                        row_index, _ = _reference(ref, column_required=False)
                        scan.max_row = max(scan.max_row, row_index)
                elif name == "c":
                    ref = elem.get("r")
                    if ref is not None:
                        row, column = _reference(ref, column_required=True)
                        column = column or 0
                    else:
                        row, column = row_index, column_index
                    scan.place(row, column)
                    column_index = column + 1
                    if scan.max_row + 1 > _EXCEL_MAX_ROWS:
                        break  # no need to read further
            elif name == "row":
                row_index += 1
                column_index = 0
                elem.clear()
                if parent is not None:
                    parent.clear()  # keep memory flat: only the current row lives in the tree
            elif name == "c" and elem.get("t") == "e":
                value = next((child.text for child in elem if _local(child.tag) == "v"), None)
                if value:
                    ref = elem.get("r")
                    row, column = (
                        _reference(ref, column_required=True)
                        if ref is not None
                        else (row_index, column_index - 1)
                    )
                    scan.errors[(row, column or 0)] = value
    except UnitListError:
        raise
    except Exception:
        raise _not_xlsx() from None
    return scan


def _first_worksheet_member(archive: zipfile.ZipFile) -> str | None:
    """The zip member of the first worksheet, found as calamine finds it (package rels ->
    workbook -> workbook rels, names matched case-insensitively); None if that fails."""
    names = {info.filename.replace("\\", "/").lower(): info.filename for info in archive.infolist()}

    def read(path: str) -> ElementTree.Element | None:
        name = names.get(path.lower())
        if name is None:
            return None
        try:
            return ElementTree.fromstring(archive.read(name))
        except Exception:
            return None

    package = read("_rels/.rels")
    if package is None:
        return None
    target = next(
        (
            r.get("Target", "")
            for r in package.iter(_RELS)
            if r.get("Type", "").endswith("/relationships/officeDocument")
        ),
        None,
    )
    if target is None:
        return None
    xl_path = target[: target.rfind("/") + 1].lstrip("/") if "/" in target else ""
    workbook, rels = read(f"{xl_path}workbook.xml"), read(f"{xl_path}_rels/workbook.xml.rels")
    if workbook is None or rels is None:
        return None
    targets = {r.get("Id"): (r.get("Target", ""), r.get("Type", "")) for r in rels.iter(_RELS)}
    for sheet in workbook.iter():
        if _local(sheet.tag) != "sheet":
            continue
        rel_id = next((v for k, v in sheet.attrib.items() if _local(k) == "id"), None)
        path, kind = targets.get(rel_id, ("", ""))
        if kind.rsplit("/", 1)[-1] == "worksheet":
            full = path[1:] if path.startswith("/") else f"{xl_path}{path}"
            return names.get(full.lower())
    return None


def _check_parts(archive: zipfile.ZipFile) -> dict[str, _SheetScan]:
    """Check every part that holds cells (whichever sheet calamine is asked for)."""
    scans: dict[str, _SheetScan] = {}
    for info in archive.infolist():
        if info.is_dir():
            continue
        with archive.open(info) as member:
            scan = _fast_scan(member)
        if scan is None:
            with archive.open(info) as member:
                scan = _exact_scan(member)
        if scan.has_cells:
            scan.check()
            scans[info.filename] = scan
    return scans


def xlsx_rows(data: bytes, max_bytes: int) -> Iterator[tuple[int, Sequence[object]]]:
    """(row number, values) of the first worksheet, blank rows included; the row number is the
    one Excel shows. Raises only `UnitListError`."""
    from python_calamine import CalamineWorkbook, SheetTypeEnum  # native: only when needed

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            names = {i.filename for i in infos}
            if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
                raise UnitListError("NOT_A_SPREADSHEET", "The zip archive is not an .xlsx workbook")
            if any(i.flag_bits & 0x1 for i in infos):
                raise UnitListError("NOT_A_SPREADSHEET", "The workbook is encrypted")
            if active := active_content([i.filename for i in infos]):
                raise UnitListError(active, _ACTIVE_CONTENT[active])
            # Zip bomb guard: zipfile enforces the declared sizes, so summing them is a real
            # bound. Shared strings are loaded whole, hence their tighter limit.
            if sum(i.file_size for i in infos) > 16 * max_bytes or any(
                i.filename == "xl/sharedStrings.xml" and i.file_size > 4 * max_bytes
                for i in infos
            ):
                raise UnitListError("FILE_TOO_LARGE", "The workbook expands to too much data")
            scans = _check_parts(archive)
            member = _first_worksheet_member(archive)
    except UnitListError:
        raise
    except Exception:
        raise _not_xlsx() from None
    errors = scans[member].errors if member in scans else {}

    try:
        with CalamineWorkbook.from_filelike(io.BytesIO(data)) as workbook:
            index = next(
                (
                    i
                    for i, meta in enumerate(workbook.sheets_metadata)
                    if meta.typ == SheetTypeEnum.WorkSheet
                ),
                None,
            )
            if index is None:
                raise _not_xlsx()
            sheet = workbook.get_sheet_by_index(index)
    except UnitListError:
        raise
    except Exception:
        raise _not_xlsx() from None
    except BaseException as exc:  # a Rust panic arrives as pyo3's PanicException
        if type(exc).__name__ != "PanicException":
            raise
        raise _not_xlsx() from None

    start = sheet.start
    # iter_rows() starts at row 1 (leading empty rows included) but at the grid's first column.
    pad: list[object] = [None] * (start[1] if start else 0)
    line = -1
    for line, cells in enumerate(sheet.iter_rows() if start else ()):
        values: list[object] = pad + cells if pad else cells
        if errors:
            _put_errors(values, errors, line)
        yield line + 1, values
    yield from _error_only_rows(errors, line + 1)


def _put_errors(values: list[object], errors: dict[tuple[int, int], str], row: int) -> None:
    for (error_row, column), text in errors.items():
        if error_row == row:
            if column >= len(values):
                values.extend([None] * (column + 1 - len(values)))
            values[column] = text


def _error_only_rows(
    errors: dict[tuple[int, int], str], start: int
) -> Iterator[tuple[int, list[object]]]:
    """Rows after calamine's grid whose only cells are errors (calamine drops them)."""
    for row in sorted({r for r, _ in errors if r >= start}):
        values: list[object] = []
        _put_errors(values, errors, row)
        yield row + 1, values
