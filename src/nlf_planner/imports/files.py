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
#: Columns read from a sheet or CSV row: far more than any import needs (templates have ≤ 20).
MAX_COLUMNS = 256
#: How far one part of a zip may inflate (declared size / stored size). Spreadsheet XML
#: packs about 5-30 to 1; a zip bomb packs about 1,000 to 1.
MAX_COMPRESSION_RATIO = 200
#: Parts smaller than this may inflate more (tiny files compress oddly) without harm.
_RATIO_FREE_BYTES = 1024 * 1024


@dataclass(frozen=True)
class ColumnUse:
    """One heading of the file and the column it was taken for (None: not used)."""

    heading: str  # as written in the file, e.g. "Area Code"
    column: str | None  # our column, e.g. "geo_code"
    why: str = ""  # for an unused heading: why it was left out


@dataclass(frozen=True)
class ColumnMap:
    """Which of the file's columns were taken for which of ours, and which were ignored."""

    uses: tuple[ColumnUse, ...] = ()

    @property
    def taken(self) -> tuple[ColumnUse, ...]:
        return tuple(u for u in self.uses if u.column is not None)

    @property
    def renamed(self) -> tuple[ColumnUse, ...]:
        """Columns taken under a heading other than our own name (the aliases used)."""
        return tuple(u for u in self.taken if u.heading != u.column)

    @property
    def ignored(self) -> tuple[ColumnUse, ...]:
        return tuple(u for u in self.uses if u.column is None)

    def heading_for(self, column: str) -> str:
        """The file's heading for one of our columns (our name when it was not renamed)."""
        return next((u.heading for u in self.taken if u.column == column), column)


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
    #: Each column's heading as the file writes it ("Area Code"), by its normalised name.
    headings: dict[str, str] = field(default_factory=dict)
    #: Set by :func:`nlf_planner.imports.checks.check_columns`: which heading was taken for
    #: which column, and which were left unused.
    column_map: ColumnMap | None = None

    def heading(self, column: str) -> str:
        """A column's heading as written in the file (the normalised name if unknown)."""
        return self.headings.get(column, column)

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
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
        rows = [_bounded_row(r, reader.line_num) for r in reader]
    except csv.Error as exc:
        raise ImportFileError(
            f"{name} is not a well-formed CSV file ({exc}). Check for an unclosed quote "
            "mark, then save it again from the spreadsheet."
        ) from exc
    numbered = [(i + 1, r) for i, r in enumerate(rows) if any(c.strip() for c in r)]
    return _build_table(numbered, name, "csv", encoding=encoding, unescape=True)


def _bounded_row(row: list[str], line: int) -> list[str]:
    """At most :data:`MAX_COLUMNS` cells: empty cells beyond are dropped, data beyond is
    refused (no import has that many columns, and every later step is per cell)."""
    if len(row) <= MAX_COLUMNS:
        return row
    if any(c.strip() for c in row[MAX_COLUMNS:]):
        raise ImportFileError(
            f"Line {line:,} of the file has {len(row):,} cells; the limit is {MAX_COLUMNS} "
            "columns. Check the file is the right one, and that its separator is a comma."
        )
    return row[:MAX_COLUMNS]


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
            # Declared sizes first: zipfile never inflates a part past its declared size, so
            # once these pass, the CRC check below does bounded work.
            check_zip_sizes(zf.infolist(), MAX_XLSX_UNPACKED_BYTES, name)
            if zf.testzip() is not None:
                raise ImportFileError(damaged)
            names = set(zf.namelist())
    except zipfile.BadZipFile as exc:
        raise ImportFileError(damaged) from exc
    except (OSError, EOFError, ValueError, RuntimeError, NotImplementedError) as exc:
        if isinstance(exc, ImportFileError):
            raise
        raise ImportFileError(damaged) from exc
    if "xl/workbook.xml" not in names:
        raise ImportFileError(
            f"{name} is a zip archive but not an Excel workbook. Upload a .xlsx or .csv file."
        )
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise ImportFileError(damaged) from exc


def check_zip_sizes(infos: list[zipfile.ZipInfo], limit: int, name: str) -> None:
    """Refuse a zip whose parts declare more than ``limit`` bytes in all, or one part that
    inflates more than :data:`MAX_COMPRESSION_RATIO` to 1, before any part is read: a 1 MB
    upload can otherwise unpack to 1 GB while it is being checked."""
    unpacked = sum(info.file_size for info in infos)
    if unpacked > limit:
        raise ImportFileError(
            f"{name} unpacks to {unpacked / 1024 / 1024:,.0f} MB; the limit is "
            f"{limit // 1024 // 1024:,} MB ({size_limit_text()}). Split it into smaller files."
        )
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > _RATIO_FREE_BYTES and ratio > MAX_COMPRESSION_RATIO:
            raise ImportFileError(
                f"{name} is not a normal file: its part {info.filename!r} would unpack "
                f"{ratio:,.0f} times larger than it is stored (a normal workbook is under "
                f"{MAX_COMPRESSION_RATIO} times). Save it again from Excel and retry."
            )


def _check_dimension(ws, sheet: str) -> None:
    """Refuse a sheet whose declared size (``A1:XFD1048576``) is beyond the limits before a
    row is read: openpyxl pads every row to the declared width and fills every missing row,
    so one stray cell far away would otherwise cost minutes of work."""
    rows, cols = ws.max_row, ws.max_column
    if (rows or 0) > MAX_ROWS + 1 or (cols or 0) > MAX_COLUMNS:
        raise ImportFileError(
            f"The sheet {sheet!r} says it is {rows or 0:,} rows by {cols or 0:,} columns; the "
            f"limit is {MAX_ROWS:,} rows and {MAX_COLUMNS} columns. If the data are smaller, "
            "something sits far below or to the right of them: copy just the data into a new "
            "workbook and upload that."
        )


def sheet_rows(ws):
    """The sheet's rows as values, never more than the limits allow: at most
    ``MAX_ROWS + 2`` rows (the heading, the limit, and one to tell that it is over) and
    :data:`MAX_COLUMNS` cells each, however big the sheet says or turns out to be."""
    return ws.iter_rows(values_only=True, max_row=MAX_ROWS + 2, max_col=MAX_COLUMNS)


def _used_cells(values: tuple, width: int | None) -> tuple:
    """A row without its trailing empty cells. Rows come padded to :data:`MAX_COLUMNS`;
    the counts run in C, so a 200,000-row sheet is not slowed by 250 empty cells a row."""
    empty = values.count(None)
    if empty == len(values):
        return ()
    if width is not None and values[width:].count(None) == len(values) - width:
        return values[:width]  # nothing right of the heading's width: the usual row
    end = len(values)
    while values[end - 1] is None:
        end -= 1
    return values[:end]


def _read_xlsx(data: bytes, name: str, sheet: str | None) -> Table:
    wb = _open_workbook(data, name)
    try:
        names = list(wb.sheetnames)
        if sheet is not None and sheet not in names:
            raise ImportFileError(
                f"The workbook has no sheet called {sheet!r}; its sheets are {', '.join(names)}."
            )
        try:
            if sheet:
                _check_dimension(wb[sheet], sheet)
            candidates = [sheet] if sheet else _data_sheets(wb, names)
            if len(candidates) > 1:
                raise SheetChoiceNeeded(candidates)
            if not candidates:
                raise ImportFileError("The workbook is empty: no sheet holds any data.")
            chosen = candidates[0]
            numbered: list[tuple[int, list[str]]] = []
            width: int | None = None
            for i, values in enumerate(sheet_rows(wb[chosen]), start=1):
                values = _used_cells(values, width)
                if not values:
                    continue  # a missing or padded empty row
                cells = [_xlsx_cell_text(v).strip() for v in values]
                if any(cells):
                    width = width or len(cells)
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
    for n in names:
        _check_dimension(wb[n], n)
    with_data = [n for n in names if _sheet_has_data(wb[n])]
    preferred = [n for n in with_data if n.strip().lower() not in _IGNORED_SHEETS]
    return preferred or with_data


def _sheet_has_data(ws) -> bool:
    for values in ws.iter_rows(values_only=True, max_row=50, max_col=MAX_COLUMNS):
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
    written = [_shown_heading(h) for h in header]
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
        headings=dict(zip(columns, written, strict=False)),
    )


#: A heading is shown (in the preview's column map and the problems) at most this long.
MAX_HEADING_SHOWN = 80


def _shown_heading(text: str) -> str:
    """A heading as the file writes it, for display: control characters dropped (they would
    otherwise reach the page and the problems download) and cut to a readable length."""
    shown = re.sub(r"[\x00-\x1f\x7f-\x9f\ufeff]", "", str(text)).strip()
    return shown if len(shown) <= MAX_HEADING_SHOWN else shown[: MAX_HEADING_SHOWN - 1] + "…"


def normalise_header(text: str) -> str:
    """'Measure Code ' → 'measure_code' (case, spaces and punctuation do not matter)."""
    text = str(text).replace("\ufeff", "").strip().lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")
