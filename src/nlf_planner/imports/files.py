"""Reading an uploaded file: CSV or XLSX bytes into text cells with their sheet row numbers.

Nothing here knows what the file is for. The limits (size, rows, unpacked workbook size) are
checked before anything heavy runs, and every way a file can be unreadable becomes an
:class:`ImportFileError` whose message says what to do, so a page never shows a traceback.
Row numbers are spreadsheet row numbers: the heading is row 1, the first data row is row 2.
"""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

import numpy as np
import pandas as pd

from nlf_planner.imports.cells import unescape_formula

MAX_FILE_MB = 20
MAX_FILE_BYTES = MAX_FILE_MB * 1024 * 1024
MAX_ROWS = 200_000
MAX_XLSX_UNPACKED_BYTES = 400 * 1024 * 1024  # a zip bomb is refused before it is opened


class ImportFileError(ValueError):
    """The file cannot be read at all; the message says why and what to do."""


class SheetChoiceNeeded(ImportFileError):
    """An XLSX workbook holds several data sheets; the user must pick one."""

    def __init__(self, sheets: list[str]):
        self.sheets = sheets
        super().__init__(
            f"The workbook has {len(sheets)} sheets with data ({', '.join(sheets)}). "
            "Choose the sheet to import."
        )


@dataclass
class Table:
    """An uploaded table: every cell as stripped text, with the sheet row number of each row."""

    df: pd.DataFrame
    row_numbers: np.ndarray
    source_name: str
    file_type: Literal["csv", "xlsx"]
    encoding: str | None = None
    sheet: str | None = None
    sheet_names: list[str] = field(default_factory=list)
    extra_cell_rows: list[int] = field(default_factory=list)  # rows wider than the headings

    def __len__(self) -> int:
        return len(self.df)


# --- reading bytes ---------------------------------------------------------------------------


def size_limit_text() -> str:
    return f"{MAX_FILE_MB} MB or {MAX_ROWS:,} rows"


def read_table(data: bytes, filename: str, sheet: str | None = None) -> Table:
    """Read CSV or XLSX bytes into text cells; raise :class:`ImportFileError` if unreadable.

    The type is taken from the content, not the name, so an Excel file saved with a .csv
    name still reads, and garbage named .csv gets a clear message instead of a traceback.
    """
    if data is None or len(data) == 0 or not data.strip():
        raise ImportFileError("The file is empty: there is nothing to import.")
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(
            f"The file is {len(data) / 1024 / 1024:.1f} MB; the limit is {MAX_FILE_MB} MB "
            f"(and {MAX_ROWS:,} rows). Split it into smaller files, for example one per "
            "measure or per year, and import them one after another."
        )
    name = filename or "upload"
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data, name, sheet)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ImportFileError(
            "This is an old-style Excel .xls file. Save it as Excel Workbook (.xlsx) or "
            "CSV UTF-8 and upload that."
        )
    if name.lower().endswith((".xlsx", ".xlsm")):
        raise ImportFileError(
            f"{name} is named as an Excel workbook but is not one (it may be damaged or "
            "cut short). Save it again from Excel and retry."
        )
    return _read_csv(data, name)


def _decode(data: bytes) -> tuple[str, str]:
    """Decode as UTF-8 (with or without BOM), else Windows-1252 (Excel's 'CSV' on Windows)."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "UTF-8 with BOM"
        except UnicodeDecodeError as exc:
            raise ImportFileError(_encoding_message(exc, data)) from exc
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFileError(
            "The file is saved as UTF-16 ('Unicode text'). Save it as 'CSV UTF-8 (comma "
            "delimited)' and upload that."
        )
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError as exc:
        raise ImportFileError(_encoding_message(exc, data)) from exc


def _encoding_message(exc: UnicodeDecodeError, data: bytes) -> str:
    line = data[: exc.start].count(b"\n") + 1
    return (
        f"The file is not readable text: byte {exc.start + 1} (line {line}) is not valid "
        "UTF-8 or Windows-1252. If it is a spreadsheet, upload the .xlsx file itself or "
        "save it as 'CSV UTF-8 (comma delimited)'."
    )


def _looks_binary(text: str) -> bool:
    sample = text[:65536]
    if "\x00" in sample:
        return True
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n")
    return controls > max(2, len(sample) // 200)


def _read_csv(data: bytes, name: str) -> Table:
    text, encoding = _decode(data)
    if _looks_binary(text):
        raise ImportFileError(
            f"{name} does not look like a CSV text file (it contains binary data). Upload "
            "a CSV saved from a spreadsheet, or the .xlsx workbook itself."
        )
    if text.count("\n") > MAX_ROWS + 1:
        raise ImportFileError(
            f"The file has more than {MAX_ROWS:,} rows; the limit is {size_limit_text()}. "
            "Split it into smaller files, for example one per measure or per year."
        )
    delimiter = _sniff_delimiter(text)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        raise ImportFileError(
            f"{name} is not a well-formed CSV file ({exc}). Check for an unclosed quote "
            "mark, then save it again from the spreadsheet."
        ) from exc
    numbered = [(i + 1, r) for i, r in enumerate(rows) if any(c.strip() for c in r)]
    return _build_table(numbered, name, "csv", encoding=encoding, unescape=True)


def _sniff_delimiter(text: str) -> str:
    first = text.lstrip("\r\n").split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] > 0 else ","


def _xlsx_cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.time() == datetime.min.time():
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if math.isfinite(value) and value == int(value) and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    return str(value)


def list_sheets(data: bytes) -> list[str]:
    """Sheet names of a workbook (for the sheet picker)."""
    wb = _open_workbook(data, "upload.xlsx")
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


def _open_workbook(data: bytes, name: str):
    from openpyxl import load_workbook

    damaged = (
        f"{name} is a damaged or incomplete Excel file (it may have been cut short while "
        "saving or uploading). Open it in Excel, save it again and retry."
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            if zf.testzip() is not None:
                raise ImportFileError(damaged)
            unpacked = sum(info.file_size for info in zf.infolist())
            names = set(zf.namelist())
    except zipfile.BadZipFile as exc:
        raise ImportFileError(damaged) from exc
    except (OSError, EOFError, ValueError) as exc:
        if isinstance(exc, ImportFileError):
            raise
        raise ImportFileError(damaged) from exc
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise ImportFileError(
            f"{name} unpacks to more than {MAX_XLSX_UNPACKED_BYTES // 1024 // 1024} MB; the "
            f"limit is {size_limit_text()}. Split it into smaller files."
        )
    if "xl/workbook.xml" not in names:
        raise ImportFileError(
            f"{name} is a zip archive but not an Excel workbook. Upload a .xlsx or .csv file."
        )
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise ImportFileError(damaged) from exc


def _read_xlsx(data: bytes, name: str, sheet: str | None) -> Table:
    wb = _open_workbook(data, name)
    try:
        names = list(wb.sheetnames)
        if sheet is not None and sheet not in names:
            raise ImportFileError(
                f"The workbook has no sheet called {sheet!r}; its sheets are {', '.join(names)}."
            )
        try:
            candidates = [sheet] if sheet else _data_sheets(wb, names)
            if len(candidates) > 1:
                raise SheetChoiceNeeded(candidates)
            if not candidates:
                raise ImportFileError("The workbook is empty: no sheet holds any data.")
            chosen = candidates[0]
            numbered: list[tuple[int, list[str]]] = []
            for i, values in enumerate(wb[chosen].iter_rows(values_only=True), start=1):
                cells = [_xlsx_cell_text(v).strip() for v in values]
                if any(cells):
                    numbered.append((i, cells))
                    if len(numbered) > MAX_ROWS + 1:
                        raise ImportFileError(
                            f"The sheet has more than {MAX_ROWS:,} rows; the limit is "
                            f"{size_limit_text()}. Split it into smaller files."
                        )
        except ImportFileError:
            raise
        except Exception as exc:  # a truncated sheet part fails while streaming rows
            raise ImportFileError(
                f"{name} is a damaged or incomplete Excel file (a sheet could not be read). "
                "Open it in Excel, save it again and retry."
            ) from exc
    finally:
        wb.close()
    table = _build_table(numbered, name, "xlsx", unescape=False)
    table.sheet = chosen
    table.sheet_names = names
    return table


_IGNORED_SHEETS = {
    "data dictionary",
    "readme",
    "read me",
    "measures",
    "geography",
    "codes",
    "notes",
    "priority areas",
    "stakeholder groups",
}


def _data_sheets(wb, names: list[str]) -> list[str]:
    """Sheets that hold data, leaving out a template's dictionary and code lists."""
    with_data = [n for n in names if _sheet_has_data(wb[n])]
    preferred = [n for n in with_data if n.strip().lower() not in _IGNORED_SHEETS]
    return preferred or with_data


def _sheet_has_data(ws) -> bool:
    for values in ws.iter_rows(values_only=True, max_row=50):
        if any(v not in (None, "") for v in values):
            return True
    return False


def _build_table(
    numbered: list[tuple[int, list[str]]],
    name: str,
    file_type: Literal["csv", "xlsx"],
    *,
    encoding: str | None = None,
    unescape: bool,
) -> Table:
    if not numbered:
        raise ImportFileError("The file is empty: there is nothing to import.")
    header_row, header = numbered[0]
    columns = [normalise_header(h) for h in header]
    while columns and columns[-1] == "":
        columns.pop()
    if not any(columns):
        raise ImportFileError("The first row must hold the column headings; it is blank.")
    blank = [i + 1 for i, c in enumerate(columns) if not c]
    if blank:
        raise ImportFileError(
            f"Column {blank[0]} of the heading row (row {header_row}) has no heading. "
            "Give every column a heading or delete the empty column."
        )
    dupes = sorted({c for c in columns if columns.count(c) > 1})
    if dupes:
        raise ImportFileError(
            f"The heading row has the column {dupes[0]!r} more than once; keep one."
        )
    data = numbered[1:]
    if not data:
        raise ImportFileError(
            f"The file has a heading row but no data rows (headings: {', '.join(columns)})."
        )
    if len(data) > MAX_ROWS:
        raise ImportFileError(
            f"The file has {len(data):,} rows; the limit is {size_limit_text()}. Split it into "
            "smaller files, for example one per measure or per year."
        )
    width = len(columns)
    cells = []
    extra: list[int] = []
    for row_no, row in data:
        if len(row) > width and any(c.strip() for c in row[width:]):
            extra.append(row_no)
        row = [c.strip() for c in row[:width]] + [""] * max(0, width - len(row))
        if unescape:
            row = [unescape_formula(c) for c in row]
        cells.append(row)
    df = pd.DataFrame(cells, columns=columns, dtype=object)
    return Table(
        df=df,
        row_numbers=np.array([r for r, _ in data], dtype=np.int64),
        source_name=name,
        file_type=file_type,
        encoding=encoding,
        extra_cell_rows=extra,
    )


def normalise_header(text: str) -> str:
    """'Measure Code ' → 'measure_code' (case, spaces and punctuation do not matter)."""
    text = str(text).replace("\ufeff", "").strip().lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")
