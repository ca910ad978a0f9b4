"""Reading an uploaded spreadsheet (CSV or XLSX) into a header and rows of text, or a clear refusal.

Everything a person can get wrong about the file itself — not a spreadsheet, a damaged workbook, an
unknown encoding, too big, empty, no header — ends here as ``ValidationError({"file": …})``; the rows'
contents are judged later, row by row.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 200_000
MAX_COLUMNS = 200
MAX_CELL = 10_000
# CSV written by Excel on Polish Windows is cp1250; older Unix tools write ISO-8859-2.
SINGLE_BYTE = ("cp1250", "iso-8859-2")
_POLISH = "ąćęłńóśźżĄĆĘŁŃÓŚŹŻ"
_C1 = re.compile("[\x80-\x9f]")
# A cell an export neutralised against formula injection ("'=SUM(…)"): the apostrophe is ours.
_NEUTRALISED = ("'=", "'+", "'-", "'@", "'\t", "'\r")


@dataclass
class Table:
    columns: list[str]
    rows: list[tuple[int, list[str]]]  # (row number as the spreadsheet shows it, cells)
    kind: str  # csv | xlsx
    encoding: str = ""
    delimiter: str = ""


def refuse(message: str) -> ValidationError:
    return ValidationError({"file": [message]})


def too_large() -> ValidationError:
    return refuse(_("The file is larger than %(mb)s MB. Split it into smaller files.") % {
        "mb": MAX_BYTES // (1024 * 1024)})


def read_table(content: bytes, file_name: str = "") -> Table:
    """The header (the first non-empty row) and the data rows below it."""
    if not content:
        raise refuse(_("The file is empty."))
    if len(content) > MAX_BYTES:
        raise too_large()
    lowered = file_name.lower()
    if content.startswith(b"PK\x03\x04"):
        table = _read_xlsx(content)
    elif content.startswith(b"\xd0\xcf\x11\xe0"):
        raise refuse(_("This is an old Excel (.xls) file. Save it as .xlsx or CSV and upload it again."))
    elif lowered.endswith((".xlsx", ".xlsm")):
        raise refuse(_("This file is named .xlsx but is not an Excel workbook."))
    elif content.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        raise refuse(_("This is not a spreadsheet. Upload a CSV or XLSX file."))
    else:
        table = _read_csv(content)
    if not table.columns:
        raise refuse(_("The file has no header row: nothing to import."))
    if not table.rows:
        raise refuse(_("The file has a header but no rows below it."))
    return table


def cell_text(value) -> str:
    """A cell as text, the way a person reads it (dates as YYYY-MM-DD, 600100200.0 as 600100200)."""
    if value is None:
        return ""
    if type(value) is str:  # every CSV cell and most XLSX ones: the fast path
        text = value.strip()[:MAX_CELL]
        return text[1:] if text.startswith(_NEUTRALISED) else text
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    text = str(value).strip()[:MAX_CELL]
    if text.startswith(_NEUTRALISED):
        text = text[1:]
    return text


def _split(raw_rows) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and data rows from (number, cells) pairs; blank rows are skipped, row numbers kept."""
    columns: list[str] = []
    rows: list[tuple[int, list[str]]] = []
    for number, cells in raw_rows:
        cells = [cell_text(c) for c in cells[:MAX_COLUMNS]]
        if not any(cells):
            continue
        if not columns:
            while cells and not cells[-1]:
                cells.pop()
            columns = [c or _("column %(n)s") % {"n": i + 1} for i, c in enumerate(cells)]
            continue
        if len(rows) >= MAX_ROWS:
            raise refuse(_("The file has more than %(n)s rows. Split it into smaller files.") % {
                "n": f"{MAX_ROWS:,}"})
        rows.append((number, (cells + [""] * len(columns))[: len(columns)]))
    return columns, rows


# --- CSV --------------------------------------------------------------------------------------

def decode(content: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 (with or without BOM), UTF-16 with BOM, else cp1250 or ISO-8859-2."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise refuse(_("The file could not be read as text (UTF-16).")) from None
    if b"\x00" in content[:4096]:
        raise refuse(_("This is not a spreadsheet. Upload a CSV or XLSX file."))
    try:
        return content.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    candidates = []
    for encoding in SINGLE_BYTE:
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        controls = len(_C1.findall(text))  # C1 control codes: the wrong code page
        polish = sum(text.count(ch) for ch in _POLISH)
        candidates.append((controls, -polish, SINGLE_BYTE.index(encoding), text, encoding))
    if not candidates or min(candidates)[0]:
        raise refuse(_("The text encoding of this file is not known. Save it as CSV UTF-8 and upload it again."))
    _controls, _polish, _order, text, encoding = min(candidates)
    return text, encoding


def _delimiter(text: str) -> str:
    sample = text[:64 * 1024]
    header = next((line for line in sample.splitlines() if line.strip()), "")
    try:
        found = csv.Sniffer().sniff(sample, delimiters=";,\t").delimiter
    except csv.Error:
        found = ""
    if found and found in header:
        return found
    counts = {d: header.count(d) for d in ";,\t"}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _read_csv(content: bytes) -> Table:
    text, encoding = decode(content)
    if not text.strip():
        raise refuse(_("The file is empty."))
    unprintable = sum(1 for ch in text[:4096] if ch < " " and ch not in "\t\r\n")
    if unprintable > 8:
        raise refuse(_("This is not a spreadsheet. Upload a CSV or XLSX file."))
    delimiter = _delimiter(text)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        # Numbered by record, as a spreadsheet numbers rows (a quoted cell may span several lines).
        columns, rows = _split(enumerate(reader, start=1))
    except csv.Error as exc:
        raise refuse(_("The CSV file is malformed: %(error)s") % {"error": exc}) from None
    return Table(columns, rows, "csv", encoding=encoding, delimiter=delimiter)


# --- XLSX ------------------------------------------------------------------------------------

def _read_xlsx(content: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001
        # openpyxl raises whatever its parser meets in a damaged file (BadZipFile, KeyError, XML errors…);
        # the person needs one answer.
        raise refuse(_("This XLSX file is damaged or is not an Excel workbook.")) from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise refuse(_("The workbook has no sheets."))
        rows = ((number, list(cells)) for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1))
        columns, data = _split(rows)
    except ValidationError:
        raise
    except Exception:  # noqa: BLE001 - as above: a damaged sheet, described once
        raise refuse(_("This XLSX file is damaged or is not an Excel workbook.")) from None
    finally:
        workbook.close()
    return Table(columns, data, "xlsx")
