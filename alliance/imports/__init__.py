"""Staff imports of organizations and focal points from CSV or XLSX, the reading side:
the columns (``columns``), reading the file (``files``), cells to values and the
reference data (``values``), the django-import-export resources that check each row
(``rows``) and the kept preview (``previews``).

The resources only read and validate (``import_data(dry_run=True)``); they never save.
What is written on confirmation goes through the services (``services/imports.py``
starts the run, ``services/import_runs.py`` writes it), one transaction per row. Everything a row is checked
against (member states, sectors, capitals, existing organizations, members and open
invitations) is loaded in bulk before the rows are read, so checking a file runs a fixed
number of queries whatever its length.
"""

from .columns import (
    COLUMNS,
    FOCAL_POINTS,
    KINDS,
    ORGANIZATIONS,
    Column,
    column_label,
    normalise_header,
    template_csv,
)
from .files import MAX_ROWS, MAX_XLSX_UNPACKED, FileRefused, ImportFile, read_file, sniff_format
from .previews import (
    PREVIEW_LIFETIME,
    STORAGE_PREFIX,
    ImportPreview,
    PreviewUnavailable,
    preview_get,
    preview_path,
)
from .rows import DUPLICATE, INVALID, NEW, RESOURCES, CheckedRow, check_rows, shown_columns
from .values import Lookups, country_code

__all__ = [
    "COLUMNS",
    "DUPLICATE",
    "FOCAL_POINTS",
    "INVALID",
    "KINDS",
    "MAX_ROWS",
    "MAX_XLSX_UNPACKED",
    "NEW",
    "ORGANIZATIONS",
    "PREVIEW_LIFETIME",
    "RESOURCES",
    "STORAGE_PREFIX",
    "CheckedRow",
    "Column",
    "FileRefused",
    "ImportFile",
    "ImportPreview",
    "Lookups",
    "PreviewUnavailable",
    "check_rows",
    "column_label",
    "country_code",
    "normalise_header",
    "preview_get",
    "preview_path",
    "read_file",
    "shown_columns",
    "sniff_format",
    "template_csv",
]
