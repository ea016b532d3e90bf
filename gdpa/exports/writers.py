"""The documents kernel for tables: CSV and XLSX written as a stream, in constant memory,
with every cell made safe to open in a spreadsheet.

A spreadsheet runs a cell that begins with ``=``, ``+``, ``-`` or ``@`` (and, in some, a
tab or carriage return) as a formula: an exported name like ``=HYPERLINK(...)`` would
run on a staff member's machine. ``neutralise`` prefixes such text with an apostrophe, as
OWASP recommends; numbers stay numbers. Dates and times are written as ISO 8601, times
in UTC with the ``Z`` that says so.
"""

import csv
import datetime as dt
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

#: What a spreadsheet may read as the start of a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
#: CSV bytes are handed to the response in pieces of about this size.
CSV_CHUNK_BYTES = 64 * 1024
#: Excel reads a CSV file as UTF-8 only when it starts with the byte order mark.
BOM = "\ufeff"

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = {"csv": CSV_CONTENT_TYPE, "xlsx": XLSX_CONTENT_TYPE}


def iso_utc(value: dt.datetime) -> str:
    """An aware time as ISO 8601 in UTC (``2026-03-01T09:30:00Z``); a naive one as is."""
    if value.tzinfo is None:
        return value.isoformat()
    if value.tzinfo is not dt.UTC:
        value = value.astimezone(dt.UTC)
    return value.isoformat()[:-6] + "Z"  # "+00:00" -> "Z"


_FIRST_CHARS = frozenset(FORMULA_PREFIXES)
_NUMBERS = frozenset({int, float, bool, Decimal})


def neutralise(value):
    """One cell, safe for a spreadsheet: ``None`` is empty, numbers and booleans stay as
    they are, dates and times become ISO text, and text that could start a formula gets a
    leading apostrophe."""
    kind = type(value)
    if kind is str:  # the usual case first: exports are mostly text
        return "'" + value if value and value[0] in _FIRST_CHARS else value
    if value is None:
        return ""
    if kind in _NUMBERS or isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, dt.datetime):
        return iso_utc(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text and text[0] in _FIRST_CHARS else text


def csv_chunks(
    headers: Sequence, rows: Iterable[Sequence], *, progress: Callable[[int], None] | None = None
) -> Iterator[bytes]:
    """The CSV file as UTF-8 byte chunks: the byte order mark, the header row, then the rows.

    ``progress(rows_written)`` is called after each chunk is produced.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BOM)
    writer.writerow([neutralise(str(header)) for header in headers])
    written = 0
    writerow, tell = writer.writerow, buffer.tell
    for row in rows:
        writerow(map(neutralise, row))
        written += 1
        if tell() >= CSV_CHUNK_BYTES:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            if progress:
                progress(written)
    yield buffer.getvalue().encode("utf-8")
    if progress:
        progress(written)


def _xlsx_cell(value):
    value = neutralise(value)
    if isinstance(value, str):
        # XML 1.0 has no place for most control characters: openpyxl refuses them.
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def write_csv(
    target,
    headers: Sequence,
    rows: Iterable[Sequence],
    *,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Write the CSV file into the binary file object ``target``."""
    for chunk in csv_chunks(headers, rows, progress=progress):
        target.write(chunk)


def write_xlsx(
    target,
    headers: Sequence,
    rows: Iterable[Sequence],
    *,
    title: str = "Export",
    progress: Callable[[int], None] | None = None,
    progress_every: int = 1000,
) -> None:
    """Write an XLSX workbook (openpyxl in write-only mode: rows are not kept in memory)
    into ``target``, a path or a binary file object."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(title))
    sheet.append([_xlsx_cell(str(header)) for header in headers])
    written = 0
    for row in rows:
        sheet.append([_xlsx_cell(value) for value in row])
        written += 1
        if progress and written % progress_every == 0:
            progress(written)
    workbook.save(target)
    if progress:
        progress(written)


def _sheet_title(title: str) -> str:
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in str(title)).strip()
    return (cleaned or "Export")[:31]


def xlsx_tempfile(headers: Sequence, rows: Iterable[Sequence], *, title: str = "Export"):
    """The workbook in a temporary file (deleted when closed), rewound for reading."""
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 - handed to the caller
    try:
        write_xlsx(handle, headers, rows, title=title)
        handle.flush()
        handle.seek(0)
    except BaseException:
        handle.close()
        raise
    return handle
