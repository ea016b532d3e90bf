"""Reading an uploaded file: CSV (UTF-8, with or without BOM, comma or semicolon) or XLSX,
told apart by content; size, row and header checks with messages that say what to do."""

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

import filetype
import tablib
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .columns import COLUMNS, normalise_header

# Reading the file ------------------------------------------------------------------------

#: The most data rows one file may hold.
MAX_ROWS = 5000
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class FileRefused(ValidationError):
    """The file as a whole cannot be read; the message says why and what to do."""


@dataclass
class ImportFile:
    dataset: tablib.Dataset  # headers normalised, every row as long as the headers
    format: str  # "csv" or "xlsx"
    ignored: list[str] = field(default_factory=list)  # headers that match no column


def _too_many(count: int) -> FileRefused:
    return FileRefused(
        ngettext(
            "The file has more than %(most)d row. Split it into files of at most %(most)d rows.",
            "The file has more than %(most)d rows. Split it into files of at most %(most)d rows.",
            MAX_ROWS,
        )
        % {"most": MAX_ROWS, "count": count}
    )


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a phone number typed as a number
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def _csv_rows(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileRefused(
            _(
                "The file is not UTF-8 text. In your spreadsheet choose “Save as”, "
                "“CSV UTF-8 (comma delimited)”, or upload the XLSX file."
            )
        ) from exc
    if "\x00" in text:
        raise FileRefused(_("The file is not a CSV or XLSX file."))
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    try:
        for row in reader:
            rows.append([c.strip() for c in row])
            if len(rows) > MAX_ROWS + 1:
                raise _too_many(len(rows) - 1)
    except csv.Error as exc:
        raise FileRefused(
            _("The CSV file cannot be read near line %(line)d.") % {"line": reader.line_num}
        ) from exc
    return rows


#: An XLSX file is a zip; refuse one that would unpack to more than this (a zip bomb).
MAX_XLSX_UNPACKED = 100 * 1024 * 1024


def _xlsx_rows(data: bytes) -> list[list[str]]:
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(item.file_size for item in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise FileRefused(_("The XLSX file cannot be opened. Save it again and retry.")) from exc
    if unpacked > MAX_XLSX_UNPACKED:
        raise FileRefused(
            _("The XLSX file holds too much data. Split it, or upload it as CSV (UTF-8).")
        )
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise FileRefused(_("The XLSX file cannot be opened. Save it again and retry.")) from exc
    try:
        sheet = book.worksheets[0]
        rows = []
        for values in sheet.iter_rows(values_only=True):
            rows.append([cell_text(v) for v in values])
            if len(rows) > MAX_ROWS + 1:
                raise _too_many(len(rows) - 1)
    finally:
        book.close()
    return rows


def sniff_format(data: bytes) -> str:
    """ "csv" or "xlsx" read from the content; anything else is refused."""
    guess = filetype.guess(data[:8192])
    if guess is None:
        return "csv"
    if guess.mime == XLSX_MIME or (guess.mime == "application/zip" and _is_xlsx(data)):
        return "xlsx"
    raise FileRefused(
        _(
            "This file is not a CSV or XLSX file (its content is %(type)s). Upload the "
            "spreadsheet as CSV (UTF-8) or XLSX."
        )
        % {"type": guess.mime}
    )


def _is_xlsx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def read_file(kind: str, data: bytes, name: str = "") -> ImportFile:
    """The file's rows as a dataset with the kind's column names as headers.

    Refused (``FileRefused``) when it is too large, not CSV or XLSX by its content, has
    more than ``MAX_ROWS`` rows, no header row, a required column missing or a column
    twice."""
    if len(data) > settings.UPLOAD_MAX_FILE_BYTES:
        raise FileRefused(
            _("The file is larger than %(size)d MB.")
            % {"size": settings.UPLOAD_MAX_FILE_BYTES // (1024 * 1024)}
        )
    if not data.strip():
        raise FileRefused(_("The file is empty."))
    file_format = sniff_format(data)
    rows = _xlsx_rows(data) if file_format == "xlsx" else _csv_rows(data)
    while rows and not any(rows[-1]):
        rows.pop()
    if not rows:
        raise FileRefused(_("The file is empty."))
    headers = [normalise_header(h) for h in rows[0]]
    while headers and not headers[-1]:
        headers.pop()
    known = {c.name for c in COLUMNS[kind]}
    twice = sorted({h for h in headers if h and headers.count(h) > 1})
    if twice:
        raise FileRefused(
            _("The column “%(column)s” appears twice in the first row.") % {"column": twice[0]}
        )
    missing = [c.name for c in COLUMNS[kind] if c.required and c.name not in headers]
    if missing:
        raise FileRefused(
            ngettext(
                "The required column “%(columns)s” is missing. The first row must hold "
                "the column names, as in the template file.",
                "The required columns “%(columns)s” are missing. The first row must hold "
                "the column names, as in the template file.",
                len(missing),
            )
            % {"columns": "”, “".join(missing)}
        )
    body = rows[1:]
    if not body:
        raise FileRefused(_("The file has a header row but no rows to import."))
    width = len(headers)
    dataset = tablib.Dataset(headers=[h or f"_blank{i}" for i, h in enumerate(headers)])
    for row in body:
        dataset.append((row + [""] * width)[:width])
    ignored = [h for h in headers if h and h not in known]
    return ImportFile(dataset=dataset, format=file_format, ignored=ignored)
