"""Reading import files: the upload check and the CSV and XLSX parsing into a table.

An XLSX is a zip: its unpacked size is checked before openpyxl opens it. A CSV is decoded
from UTF-8, UTF-16 (Excel's "Unicode text") or Windows' Turkish code page, and its delimiter
sniffed. Nothing here knows what the columns mean (``companies.importing`` does).
"""

import csv
import io
import os
import re
import warnings
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time

import openpyxl
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.files import UploadPolicy, clean_upload

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORT_POLICY = UploadPolicy(frozenset({XLSX, None}), 10 * 1024 * 1024)
ACCEPT = ".csv,.xlsx"
MAX_ROWS = 50_000
MAX_COLUMNS = 200
MAX_UNPACKED = 200 * 1024 * 1024  # an XLSX is a zip: refuse zip bombs before opening
MARKUP = re.compile(rb"^\s*(<|\xef\xbb\xbf\s*<)|<(html|body|script|!doctype|\?xml|svg)", re.I)


class ImportFileError(Exception):
    """The file cannot be read as a table; the message is for the person who uploaded it."""


@dataclass
class Table:
    headers: list
    rows: list  # [(row number as a spreadsheet shows it, [cell text, ...])]


# -- the upload --------------------------------------------------------------------------


def check_upload(upload):
    """``(original name, "csv" | "xlsx")`` for an acceptable file, else a ValidationError."""
    not_a_table = ValidationError(_("Upload a CSV or XLSX file."), code="type")
    try:
        name, content_type = clean_upload(upload, IMPORT_POLICY)
    except ValidationError as error:
        raise (not_a_table if error.code == "type" else error) from None
    ext = os.path.splitext(name)[1].lower()
    if content_type == XLSX and ext == ".xlsx":
        return name, "xlsx"
    if content_type is not None or ext not in (".csv", ".txt"):
        raise not_a_table
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(0)
    if MARKUP.search(head):
        raise ValidationError(
            _("This file is not a table: it looks like a web page or an XML document."),
            code="type",
        )
    return name, "csv"


def read_table(fileobj, file_format, limit=None):
    """Parse a stored or uploaded file into a :class:`Table`; ImportFileError if it cannot.

    With ``limit`` only the first rows are read (the preview); without, a file longer than
    ``MAX_ROWS`` is refused.
    """
    fileobj.seek(0)
    rows = _xlsx_rows(fileobj) if file_format == "xlsx" else _csv_rows(fileobj.read())
    table = None
    try:
        for number, cells in rows:
            if not any(cells):
                continue
            if table is None:
                table = Table([" ".join(c.split())[:100] for c in cells], [])
            elif len(table.rows) >= (limit or MAX_ROWS):
                if limit:
                    break
                raise ImportFileError(_("The file has more than %(n)d rows.") % {"n": MAX_ROWS})
            else:
                table.rows.append((number, cells))
    except (csv.Error, UnicodeError) as error:
        raise ImportFileError(_("The file cannot be read as a table.")) from error
    if table is None or not table.rows:
        raise ImportFileError(_("The file has no rows below its header row."))
    return table


def _decode(data):
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text"
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1254", errors="replace")  # Windows' Turkish code page


def _csv_rows(data):
    text = _decode(data)
    if "\x00" in text:
        raise ImportFileError(_("The file contains binary data; save it as CSV or XLSX."))
    try:
        delimiter = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    for number, cells in enumerate(reader, 1):
        yield number, [c.strip() for c in cells[:MAX_COLUMNS]]


def _xlsx_rows(fileobj):
    try:
        with zipfile.ZipFile(fileobj) as archive:
            entries = archive.infolist()
            if len(entries) > 10_000 or sum(e.file_size for e in entries) > MAX_UNPACKED:
                raise ImportFileError(_("The workbook is too large once unpacked."))
        fileobj.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about features it drops
            book = openpyxl.load_workbook(fileobj, read_only=True, data_only=True)
            try:
                sheet = book.worksheets[0]
                rows = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
                for number, values in enumerate(rows, 1):
                    if number > MAX_ROWS * 3:
                        raise ImportFileError(_("The workbook's first sheet is too long."))
                    yield number, [_cell_text(v) for v in values]
            finally:
                book.close()
    except ImportFileError:
        raise
    except Exception as error:  # a broken or hostile workbook: openpyxl raises many kinds
        raise ImportFileError(_("The workbook cannot be read.")) from error


def _cell_text(value):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
