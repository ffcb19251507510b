"""Reading and checking a data manager's file before anything is written.

Nothing here touches the database: :func:`read_table` turns uploaded bytes (CSV or XLSX)
into a table of text cells, and the validators turn that into typed rows plus a list of
:class:`Issue` (row, column, value, reason) covering every problem at once, so a data
manager can fix the file in one pass. Row numbers are spreadsheet row numbers: the heading
is row 1 and the first data row is row 2, as the user sees them in Excel.
"""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

import numpy as np
import pandas as pd

from nlf_planner.exports_tables import ColumnDoc, unescape_formula
from nlf_planner.geography import ENGLAND_CODE
from nlf_planner.models import ICB, Measure, Region
from nlf_planner.periods import HISTORY_START, QUARTER_START_MONTHS, fits_frequency
from nlf_planner.units import unit_scale

MAX_FILE_MB = 20
MAX_FILE_BYTES = MAX_FILE_MB * 1024 * 1024
MAX_ROWS = 200_000
MAX_XLSX_UNPACKED_BYTES = 400 * 1024 * 1024  # a zip bomb is refused before it is opened
UPPER_LIMIT = {"percent": 100.0, "score_0_10": 10.0}

Severity = Literal["error", "warning"]


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


@dataclass(frozen=True)
class Issue:
    """One problem in an uploaded file, located as the user sees it in a spreadsheet."""

    row: int | None
    column: str | None
    value: str | None
    reason: str
    severity: Severity = "error"


def issues_frame(issues: Sequence[Issue]) -> pd.DataFrame:
    """Issues as a table for display and download (errors first, then by row)."""
    df = pd.DataFrame(
        [
            {
                "severity": i.severity,
                "row": i.row,
                "column": i.column or "",
                "value": "" if i.value is None else i.value,
                "problem": i.reason,
            }
            for i in issues
        ],
        columns=["row", "column", "value", "problem", "severity"],
    )
    if not df.empty:
        df["row"] = df["row"].astype("Int64")
        df = df.sort_values(["severity", "row"], kind="stable", na_position="first")
    return df.reset_index(drop=True)


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


# --- column checks -------------------------------------------------------------------------


def check_columns(
    table: Table,
    columns: Sequence[ColumnDoc],
    aliases: Mapping[str, str] | None = None,
    one_of: Sequence[tuple[str, ...]] = (),
) -> list[Issue]:
    """Rename known aliases in place; report missing required and ignored extra columns."""
    aliases = aliases or {}
    rename = {
        c: aliases[c]
        for c in table.df.columns
        if c in aliases and aliases[c] not in table.df.columns
    }
    table.df = table.df.rename(columns=rename)
    present = set(table.df.columns)
    issues = []
    for col in columns:
        if col.required and col.column not in present:
            issues.append(
                Issue(
                    None,
                    col.column,
                    None,
                    f"Required column '{col.column}' is missing ({col.description}).",
                )
            )
    for group in one_of:
        if not present.intersection(group):
            issues.append(
                Issue(
                    None,
                    " or ".join(group),
                    None,
                    f"The file needs at least one of the columns {', '.join(group)}.",
                )
            )
    known = {c.column for c in columns}
    for col in table.df.columns:
        if col not in known:
            issues.append(
                Issue(
                    None, col, None, f"Column '{col}' is not used and will be ignored.", "warning"
                )
            )
    for row_no in table.extra_cell_rows[:50]:
        issues.append(
            Issue(
                int(row_no),
                None,
                None,
                "This row has more cells than there are headings; the extra cells are ignored.",
                "warning",
            )
        )
    return issues


# --- parsing values ------------------------------------------------------------------------

_NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_THOUSANDS_RE = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


def parse_number(text: str, *, allow_percent: bool = False) -> float | None:
    """A finite number from text ('1,234.5' and, for percentages, '45%' accepted)."""
    t = text.strip().replace("\u00a0", "").replace(" ", "")
    if allow_percent and t.endswith("%"):
        t = t[:-1]
    if _THOUSANDS_RE.match(t):
        t = t.replace(",", "")
    if not _NUMBER_RE.match(t):
        return None
    value = float(t)
    return value if math.isfinite(value) else None


def _decimals(text: str) -> int:
    t = text.strip().rstrip("%")
    if "e" in t.lower():
        return 6
    return len(t.split(".", 1)[1]) if "." in t else 0


_MONTHS = {
    m.lower(): i
    for i, m in enumerate(
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1
    )
}
_FY_RE = re.compile(r"^(?:fy\s*)?(\d{4})\s*[/-]\s*(\d{2}|\d{4})$", re.I)
_Q_RE = re.compile(r"^q([1-4])\s*(?:fy\s*)?(\d{4})\s*[/-]\s*(\d{2}|\d{4})$", re.I)
_MONTH_NAME_RE = re.compile(r"^([a-z]{3})[a-z]*\.?[\s-]+(\d{4})$", re.I)


def parse_period(text: str) -> tuple[date | None, str | None]:
    """A period start from common spellings; returns (date, kind) or (None, None).

    Accepted: 2024-04-01, 2024-04, 01/04/2024 (UK day first), Apr 2024, Q1 2024/25
    (financial quarters: Q1 = April), 2024/25 (financial year, starts 1 April).
    ``kind`` is 'fy' for a financial-year label and 'q' for a quarter label, else 'date'.
    """
    t = text.strip()
    if not t:
        return None, None
    m = _Q_RE.match(t)
    if m and _fy_ok(m.group(2), m.group(3)):
        fy = int(m.group(2))
        month = {1: 4, 2: 7, 3: 10, 4: 1}[int(m.group(1))]
        return date(fy + (1 if month == 1 else 0), month, 1), "q"
    m = _FY_RE.match(t)
    if m and _fy_ok(m.group(1), m.group(2)):
        return date(int(m.group(1)), 4, 1), "fy"
    m = _MONTH_NAME_RE.match(t)
    if m and m.group(1).lower() in _MONTHS:
        return date(int(m.group(2)), _MONTHS[m.group(1).lower()], 1), "date"
    for fmt in (
        "%Y-%m-%d",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%d/%m/%Y",
        "%Y-%m",
        "%Y/%m/%d",
        "%d-%m-%Y",
        "%d.%m.%Y",
    ):
        try:
            parsed = datetime.strptime(t, fmt)
        except ValueError:
            continue
        if fmt.endswith("%H:%M:%S") and parsed.time() != datetime.min.time():
            return None, None
        return parsed.date(), "date"
    return None, None


def _fy_ok(start: str, end: str) -> bool:
    s = int(start)
    return int(end) in ((s + 1) % 100, s + 1)


def parse_date(text: str) -> date | None:
    """A calendar date (ISO or UK day-first)."""
    value, kind = parse_period(text)
    return value if kind == "date" else None


# --- measurements --------------------------------------------------------------------------

MEASUREMENT_COLUMNS: tuple[ColumnDoc, ...] = (
    ColumnDoc(
        "measure_code", "text", True, "Measure code M01–M17 (see the Measures sheet).", "M08"
    ),
    ColumnDoc(
        "geo_code",
        "text",
        True,
        "ICB code (E54…) or region code (E40…); see the Geography sheet. England is "
        "computed from these, so it is not imported.",
        "E54000024",
    ),
    ColumnDoc(
        "period",
        "date",
        True,
        "First day of the period: monthly = 1st of the month; quarterly = 1 April, "
        "1 July, 1 October or 1 January; annual = 1 April of the financial year. "
        "2024-04-01, 01/04/2024, Apr 2024, Q1 2024/25 and 2024/25 are understood.",
        "2024-04-01",
    ),
    ColumnDoc(
        "numerator",
        "number",
        False,
        "What is counted (e.g. posts vacant); for a score, the sum of scores. Give "
        "numerator or value (or both).",
        "12",
    ),
    ColumnDoc(
        "denominator",
        "number",
        True,
        "What it is counted out of (posts, staff, organisations; respondents for a "
        "survey score). Needed so region and England totals are sums, not averages.",
        "150",
    ),
    ColumnDoc(
        "value",
        "number",
        False,
        "The published figure in the measure's unit: percent 0–100, score 0–10, years, "
        "rate per 1,000 or count. Worked out from numerator/denominator when blank; "
        "checked against them when both are given.",
        "8.0",
    ),
    ColumnDoc("ci_low", "number", False, "Lower end of a published 95% interval (scores).", ""),
    ColumnDoc("ci_high", "number", False, "Upper end of a published 95% interval (scores).", ""),
)

MEASUREMENT_ALIASES = {
    "measure": "measure_code",
    "indicator": "measure_code",
    "indicator_code": "measure_code",
    "icb_code": "geo_code",
    "region_code": "geo_code",
    "geography_code": "geo_code",
    "geography": "geo_code",
    "geo": "geo_code",
    "org_code": "geo_code",
    "period_start": "period",
    "date": "period",
    "month": "period",
    "num": "numerator",
    "den": "denominator",
    "denom": "denominator",
    "lower_ci": "ci_low",
    "upper_ci": "ci_high",
}


@dataclass
class MeasurementImport:
    """A checked measurement file: typed rows, and every problem found."""

    rows: pd.DataFrame
    issues: list[Issue]
    source_name: str
    source_rows: int

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors and not self.rows.empty

    def pairs(self) -> pd.DataFrame:
        return self.rows[["measure_code", "geo_code"]].drop_duplicates().reset_index(drop=True)


_ROW_COLUMNS = [
    "row",
    "measure_code",
    "geo_code",
    "period",
    "numerator",
    "denominator",
    "value",
    "ci_low",
    "ci_high",
]


def validate_measurements(
    table: Table,
    measures: Iterable[Measure],
    regions: Iterable[Region],
    icbs: Iterable[ICB],
    today: date | None = None,
) -> MeasurementImport:
    """Check every row against the measures' units and frequencies and the geography."""
    today = today or date.today()
    measure_by_code = {m.code: m for m in measures}
    geo_level = {r.code: "region" for r in regions}
    geo_level.update({i.code: "icb" for i in icbs})
    issues = check_columns(
        table, MEASUREMENT_COLUMNS, MEASUREMENT_ALIASES, one_of=[("numerator", "value")]
    )
    empty = pd.DataFrame(columns=_ROW_COLUMNS)
    if any(i.severity == "error" for i in issues):
        return MeasurementImport(empty, issues, table.source_name, len(table))
    df = table.df
    rows = table.row_numbers
    n = len(df)

    def col(name: str) -> np.ndarray:
        return df[name].to_numpy(dtype=object) if name in df.columns else np.full(n, "", object)

    def add(mask: np.ndarray, column: str, values: np.ndarray, reason, sev: Severity = "error"):
        for idx in np.flatnonzero(mask):
            text = reason(idx) if callable(reason) else reason
            issues.append(Issue(int(rows[idx]), column, str(values[idx]), text, sev))

    # codes
    mcode_raw, geo_raw = col("measure_code"), col("geo_code")
    mcode = np.array([s.upper() for s in mcode_raw], dtype=object)
    geo = np.array([s.upper() for s in geo_raw], dtype=object)
    add(mcode == "", "measure_code", mcode_raw, "Measure code is blank.")
    unknown_m = (mcode != "") & ~np.isin(mcode, list(measure_by_code))
    add(
        unknown_m,
        "measure_code",
        mcode_raw,
        f"Not a measure code; use one of {_code_range(measure_by_code)} "
        "(see the Measures sheet of the template).",
    )
    add(geo == "", "geo_code", geo_raw, "Geography code is blank.")
    is_england = geo == ENGLAND_CODE
    add(
        is_england,
        "geo_code",
        geo_raw,
        "England figures are computed from regions and ICBs; import ICB or region rows.",
    )
    unknown_g = (geo != "") & ~is_england & ~np.isin(geo, list(geo_level))
    add(
        unknown_g,
        "geo_code",
        geo_raw,
        "Not an ICB code (E54…) or region code (E40…); see the Geography sheet.",
    )
    known_m = ~unknown_m & (mcode != "")
    unit = np.array(
        [measure_by_code[c].unit if k else "" for c, k in zip(mcode, known_m, strict=True)]
    )
    freq = np.array(
        [measure_by_code[c].frequency if k else "" for c, k in zip(mcode, known_m, strict=True)]
    )

    # period
    period_raw = col("period")
    cache: dict[str, tuple[date | None, str | None]] = {}
    for p in set(period_raw):
        cache[p] = parse_period(p)
    parsed = [cache[p] for p in period_raw]
    period = np.array([p[0] for p in parsed], dtype=object)
    kind = np.array([p[1] for p in parsed], dtype=object)
    add(period_raw == "", "period", period_raw, "Period is blank.")
    bad_p = (period_raw != "") & np.array([p is None for p in period])
    add(
        bad_p,
        "period",
        period_raw,
        "Not a date this import understands; write it as 2024-04-01 (year-month-day).",
    )
    has_p = np.array([p is not None for p in period])
    fit_checked = has_p & known_m
    misfit = np.array(
        [
            bool(c) and not fits_frequency(p, f)
            for p, f, c in zip(period, freq, fit_checked, strict=True)
        ]
    )
    add(misfit, "period", period_raw, lambda i: _misfit_reason(period[i], freq[i]))
    fy_wrong = fit_checked & ~misfit & (kind == "fy") & (freq != "annual")
    add(
        fy_wrong,
        "period",
        period_raw,
        lambda i: (
            f"A financial-year label fits annual measures only; {mcode[i]} is "
            f"{freq[i]}: give the period's first day."
        ),
    )
    early = has_p & np.array([p is not None and p < HISTORY_START for p in period])
    add(
        early,
        "period",
        period_raw,
        f"Before {HISTORY_START:%B %Y}, when the framework's history starts.",
    )
    future = has_p & np.array([p is not None and p > today for p in period])
    add(future, "period", period_raw, f"In the future (today is {today.isoformat()}).")

    # numbers
    values: dict[str, np.ndarray] = {}
    for name in ("numerator", "denominator", "value", "ci_low", "ci_high"):
        raw = col(name)
        allow_pct = name in ("value", "ci_low", "ci_high")
        seen: dict[tuple[str, bool], float | None] = {}  # the same text parses the same way

        def number(text: str, pct: bool, seen=seen) -> float | None:
            if (text, pct) not in seen:
                seen[(text, pct)] = parse_number(text, allow_percent=pct)
            return seen[(text, pct)]

        nums = np.array(
            [
                number(s, allow_pct and u == "percent") if s != "" else None
                for s, u in zip(raw, unit, strict=True)
            ],
            dtype=object,
        )
        bad = (raw != "") & np.array([v is None for v in nums])
        add(bad, name, raw, "Not a number.")
        values[name] = np.array([np.nan if v is None else v for v in nums], dtype=float)
    num, den, val = values["numerator"], values["denominator"], values["value"]
    lo, hi = values["ci_low"], values["ci_high"]
    den_raw, num_raw, val_raw = col("denominator"), col("numerator"), col("value")
    add(
        den_raw == "",
        "denominator",
        den_raw,
        "Denominator is blank; it is needed so region and England figures are totals.",
    )
    for name, arr in (
        ("numerator", num),
        ("denominator", den),
        ("value", val),
        ("ci_low", lo),
        ("ci_high", hi),
    ):
        add(arr < 0, name, col(name), "Negative; this measure cannot be below zero.")
    add(den == 0, "denominator", den_raw, "Denominator is zero; it must be more than zero.")
    add(
        (num_raw == "") & (val_raw == ""),
        "value",
        val_raw,
        "Both numerator and value are blank; give at least one.",
    )
    pct = unit == "percent"
    add(
        pct & (num > den),
        "numerator",
        num_raw,
        lambda i: (
            f"Numerator {num_raw[i]} is more than the denominator {den_raw[i]}; a "
            "percentage cannot exceed 100%."
        ),
    )
    scale = np.array([unit_scale(u) for u in unit])
    derived = np.where(den > 0, scale * num / np.where(den > 0, den, 1.0), np.nan)
    both = ~np.isnan(val) & ~np.isnan(derived)
    tol = np.array([0.5 * 10.0 ** -_decimals(s) + 1e-9 if s else 0.0 for s in val_raw])
    mismatch = both & (np.abs(val - derived) > tol) & ~(pct & (num > den))
    add(
        mismatch,
        "value",
        val_raw,
        lambda i: (
            f"Value {val_raw[i]} does not match numerator/denominator "
            f"({num_raw[i]}/{den_raw[i]} gives {derived[i]:.3g})."
        ),
    )
    final = np.where(np.isnan(val), derived, val)
    upper = np.array([UPPER_LIMIT.get(u, np.inf) for u in unit])
    for name, arr in (("value", val), ("ci_low", lo), ("ci_high", hi)):
        add(arr > upper, name, col(name), lambda i: _range_reason(unit[i]))
    over_derived = np.isnan(val) & (derived > upper) & ~(pct & (num > den))
    add(
        over_derived,
        "numerator",
        num_raw,
        lambda i: f"Numerator/denominator give {derived[i]:.3g}; " + _range_reason(unit[i]).lower(),
    )
    one_ci = np.isnan(lo) != np.isnan(hi)
    add(one_ci, "ci_low", col("ci_low"), "Give both ends of the interval, or neither.")
    bad_ci = ~np.isnan(lo) & ~np.isnan(hi) & ((lo > final + 1e-9) | (hi < final - 1e-9))
    add(
        bad_ci,
        "ci_low",
        col("ci_low"),
        lambda i: f"The interval {lo[i]:g}–{hi[i]:g} does not contain the value {final[i]:g}.",
    )
    numerator = np.where(np.isnan(num) & (den > 0), final * den / scale, num)

    # duplicates within the file
    key = [f"{m}|{g}|{p}" for m, g, p in zip(mcode, geo, period, strict=True)]
    complete = (mcode != "") & (geo != "") & has_p
    first_row: dict[str, int] = {}
    for idx in np.flatnonzero(complete):
        k = key[idx]
        if k in first_row:
            issues.append(
                Issue(
                    int(rows[idx]),
                    "period",
                    str(period_raw[idx]),
                    f"Duplicate of row {first_row[k]}: the same measure, geography "
                    "and period appear twice.",
                    "error",
                )
            )
        else:
            first_row[k] = int(rows[idx])

    clean = pd.DataFrame(
        {
            "row": rows,
            "measure_code": mcode,
            "geo_code": geo,
            "period": period,
            "numerator": numerator,
            "denominator": den,
            "value": final,
            "ci_low": lo,
            "ci_high": hi,
        }
    )
    bad_rows = {i.row for i in issues if i.severity == "error" and i.row is not None}
    clean = clean[~clean["row"].isin(bad_rows)].reset_index(drop=True)
    return MeasurementImport(clean, issues, table.source_name, n)


def _range_reason(unit: str) -> str:
    if unit == "percent":
        return "Outside 0–100: a percentage must lie between 0 and 100."
    return "Outside 0–10: a score must lie between 0 and 10."


def _code_range(codes: Mapping[str, object]) -> str:
    ordered = sorted(codes)
    return f"{ordered[0]}–{ordered[-1]}" if ordered else "(no measures are loaded)"


def _misfit_reason(d: date, frequency: str) -> str:
    if frequency == "monthly":
        return f"{d.isoformat()} is not the first day of a month; monthly measures use the 1st."
    if frequency == "quarterly":
        months = ", ".join(date(2000, m, 1).strftime("%B") for m in (4, 7, 10, 1))
        assert set(QUARTER_START_MONTHS) == {1, 4, 7, 10}
        return (
            f"{d.isoformat()} is not the start of a financial quarter; quarterly measures "
            f"use the 1st of {months}."
        )
    return (
        f"{d.isoformat()} is not 1 April; annual measures use 1 April of the financial "
        "year (e.g. 2024-04-01 for 2024/25)."
    )


# --- preview ---------------------------------------------------------------------------------


@dataclass
class MeasurementPreview:
    """What an import will change: rows added, values replaced, illustrative rows dropped."""

    changes: pd.DataFrame
    counts: dict[str, int]

    def summary(self) -> str:
        c = self.counts
        return (
            f"{c['added']:,} rows added, {c['replaced']:,} values replaced, "
            f"{c['unchanged']:,} unchanged (now marked as real data), "
            f"{c['illustrative_removed']:,} illustrative rows removed from "
            f"{c['series']:,} series."
        )


_KEY = ["measure_code", "geo_code", "period"]


def preview_measurements(incoming: pd.DataFrame, current: pd.DataFrame) -> MeasurementPreview:
    """Compare checked rows with what the store holds now for the same measure/geo pairs.

    ``current`` holds every stored row of those pairs (columns as in the store, with
    ``illustrative``). Illustrative rows of those pairs that the file does not cover are
    removed: the imported series replaces the illustrative one as a whole.
    """
    inc = incoming[_KEY + ["numerator", "denominator", "value"]].copy()
    cur = current[_KEY + ["numerator", "denominator", "value", "illustrative"]].copy()
    for frame in (inc, cur):
        frame["period"] = pd.to_datetime(frame["period"]).dt.date
    merged = inc.merge(cur, on=_KEY, how="outer", suffixes=("_after", "_before"), indicator=True)
    both = merged["_merge"] == "both"
    same = (
        both
        & _close(merged["value_after"], merged["value_before"])
        & _close(merged["numerator_after"], merged["numerator_before"])
        & _close(merged["denominator_after"], merged["denominator_before"])
    )
    change = np.select(
        [
            merged["_merge"] == "left_only",
            same,
            both,
            (merged["_merge"] == "right_only") & merged["illustrative"].fillna(False).astype(bool),
        ],
        ["added", "unchanged", "replaced", "illustrative removed"],
        default="kept",
    )
    merged["change"] = change
    out = merged[merged["change"] != "kept"].rename(columns={"illustrative": "was_illustrative"})
    out = out[
        [
            "change",
            *_KEY,
            "value_before",
            "value_after",
            "numerator_before",
            "numerator_after",
            "denominator_before",
            "denominator_after",
            "was_illustrative",
        ]
    ]
    order = {"replaced": 0, "added": 1, "illustrative removed": 2, "unchanged": 3}
    out = out.sort_values(
        by=["change", *_KEY], key=lambda s: s.map(order) if s.name == "change" else s, kind="stable"
    ).reset_index(drop=True)
    counts = {
        k: int((out["change"] == v).sum())
        for k, v in (
            ("added", "added"),
            ("replaced", "replaced"),
            ("unchanged", "unchanged"),
            ("illustrative_removed", "illustrative removed"),
        )
    }
    counts["series"] = int(len(inc[["measure_code", "geo_code"]].drop_duplicates()))
    counts["rows"] = int(len(inc))
    return MeasurementPreview(out, counts)


def _close(a: pd.Series, b: pd.Series) -> pd.Series:
    a, b = a.astype(float), b.astype(float)
    return ((a - b).abs() <= 1e-9 * np.maximum(1.0, b.abs())) | (a.isna() & b.isna())


# --- plan targets and milestones -------------------------------------------------------------
# The rules live in nlf_planner.plan (shared with the Plan page's editor); here the file's
# cells are handed over and the plan's issues are located by sheet row.

PLAN_TARGET_COLUMNS: tuple[ColumnDoc, ...] = (
    ColumnDoc("measure_code", "text", True, "Measure code M01–M17.", "M08"),
    ColumnDoc(
        "geo_code",
        "text",
        False,
        "Blank or E92000001 for England; a region code (E40…) for a regional override.",
        "",
    ),
    ColumnDoc(
        "y1",
        "number",
        True,
        "Target at the end of year 1 of the plan, in the "
        "measure's unit (percent 0–100, score 0–10).",
        "7.5",
    ),
    ColumnDoc("y3", "number", True, "Target at the end of year 3.", "6.5"),
    ColumnDoc("y5", "number", True, "Target at the end of year 5.", "5.5"),
)

PLAN_MILESTONE_COLUMNS: tuple[ColumnDoc, ...] = (
    ColumnDoc(
        "item_id",
        "text",
        False,
        "Leave blank for a new milestone; give an existing ID (e.g. MS-1A2B3C4D) to "
        "replace that milestone.",
        "",
    ),
    ColumnDoc("priority_area", "text", True, "Priority area P1–P9.", "P5"),
    ColumnDoc("title", "text", True, "What will be done.", "Aspiring CEOs cohort 3 starts"),
    ColumnDoc("description", "text", False, "More detail.", ""),
    ColumnDoc("horizon", "whole number", True, "1, 3 or 5 (years).", "1"),
    ColumnDoc(
        "due_date",
        "date",
        True,
        "Due date inside the horizon (2025-03-31 or 31/03/2025).",
        "2027-03-31",
    ),
    ColumnDoc("owner", "text", False, "Who is accountable.", "Director of Leadership"),
    ColumnDoc(
        "status", "text", True, "Not started, On track, At risk, Off track or Done.", "On track"
    ),
    ColumnDoc("last_updated", "date", False, "When the status was last checked.", ""),
    ColumnDoc("measure_code", "text", False, "A linked measure (M01–M17), if any.", "M08"),
)

STAKEHOLDER_COLUMNS: tuple[ColumnDoc, ...] = (
    ColumnDoc("name", "text", True, "Person or organisation (must be new).", "NHS Providers"),
    ColumnDoc(
        "group",
        "text",
        True,
        "National body, Provider, System / ICS, Royal college, Patient organisation, "
        "Academic / think tank, Network or Devolved nation.",
        "National body",
    ),
    ColumnDoc("region_code", "text", False, "Region code (E40…), blank for national.", ""),
    ColumnDoc("interest", "whole number", True, "Interest 1 (low) to 5 (high).", "4"),
    ColumnDoc("influence", "whole number", True, "Influence 1 (low) to 5 (high).", "5"),
    ColumnDoc("owner", "text", False, "Who in the team holds the relationship.", ""),
    ColumnDoc("last_contact", "date", False, "Date of last contact (not in the future).", ""),
    ColumnDoc("next_step", "text", False, "The next planned contact or action.", ""),
)

EVENT_COLUMNS: tuple[ColumnDoc, ...] = (
    ColumnDoc("event_date", "date", True, "Date of the event (or start of a phase).", "2026-06-14"),
    ColumnDoc("end_date", "date", False, "End date for a phase lasting several days.", ""),
    ColumnDoc("title", "text", True, "Name of the event.", "Talent event"),
    ColumnDoc(
        "event_type",
        "text",
        True,
        "Visit, Workshop, Roundtable, Event, Meeting or Survey.",
        "Workshop",
    ),
    ColumnDoc("audience", "text", False, "Who it was for.", "Regional talent leads"),
    ColumnDoc("region_code", "text", False, "Region code (E40…), blank for national.", ""),
    ColumnDoc("outcome", "text", False, "What came out of it.", ""),
    ColumnDoc("actions", "text", False, "Follow-up actions.", ""),
    ColumnDoc("priority_areas", "text", False, "Priority areas covered, e.g. P3, P4.", "P4"),
    ColumnDoc(
        "stakeholders",
        "text",
        False,
        "Names of stakeholders who took part, separated by semicolons (they must "
        "already exist or be imported first).",
        "",
    ),
)

_PLAN_LABEL_TO_COLUMN = {
    "Measure": "measure_code",
    "Geography": "geo_code",
    "Year 1 target": "y1",
    "Year 3 target": "y3",
    "Year 5 target": "y5",
    "ID": "item_id",
    "Priority area": "priority_area",
    "Title": "title",
    "Description": "description",
    "Horizon": "horizon",
    "Due date": "due_date",
    "Owner": "owner",
    "Status": "status",
    "Last updated": "last_updated",
}


@dataclass
class RecordImport:
    """A checked plan or engagement file: typed records and every problem found."""

    kind: str
    records: list
    issues: list[Issue]
    source_name: str
    source_rows: int
    extra: dict = field(default_factory=dict)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.records)


def _normalise_dates(df: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """UK and ISO spellings → ISO text, so the domain's date rules see one format."""
    out = df.copy()
    for col in columns:
        if col in out.columns:
            out[col] = [
                (parse_date(v).isoformat() if parse_date(v) else v) if v else v for v in out[col]
            ]
    return out


def _plan_issue(table: Table, issue, frame: pd.DataFrame) -> Issue:
    col = _PLAN_LABEL_TO_COLUMN.get(issue.column, issue.column)
    row = value = None
    if issue.row is not None and 1 <= issue.row <= len(table.row_numbers):
        row = int(table.row_numbers[issue.row - 1])
        if col in frame.columns:
            value = str(frame.iloc[issue.row - 1][col])
    return Issue(
        row, col, value, issue.message[:1].upper() + issue.message[1:] + ".", issue.severity
    )


def validate_plan_targets(
    table: Table,
    measures: Iterable[Measure],
    geo_names: Mapping[str, str],
    england_values: Mapping[str, Mapping[int, float]] | None = None,
) -> RecordImport:
    """Targets checked by the plan's own rules (ranges, England needs all horizons, order)."""
    from nlf_planner.geography import ENGLAND_CODE
    from nlf_planner.plan import validate_targets

    issues = check_columns(
        table, PLAN_TARGET_COLUMNS, {"measure": "measure_code", "geography": "geo_code"}
    )
    if any(i.severity == "error" for i in issues):
        return RecordImport("plan_targets", [], issues, table.source_name, len(table))
    frame = table.df.copy()
    if "geo_code" not in frame.columns:
        frame["geo_code"] = ""
    frame["measure_code"] = frame["measure_code"].str.upper()
    frame["geo_code"] = [g.upper() or ENGLAND_CODE for g in frame["geo_code"]]
    for col in ("y1", "y3", "y5"):
        bad = [i for i, v in enumerate(frame[col]) if v and parse_number(v) is None]
        for i in bad:
            issues.append(Issue(int(table.row_numbers[i]), col, frame[col].iat[i], "Not a number."))
        frame[col] = [
            parse_number(v) if v and parse_number(v) is not None else None for v in frame[col]
        ]
    bad_rows = {i.row for i in issues if i.severity == "error"}
    keep = [int(r) not in bad_rows for r in table.row_numbers]
    targets, plan_issues = validate_targets(
        frame[keep].reset_index(drop=True),
        {m.code: m for m in measures},
        dict(geo_names),
        table="Targets",
        england_values=england_values,
    )
    kept = Table(
        frame[keep].reset_index(drop=True),
        table.row_numbers[keep],
        table.source_name,
        table.file_type,
    )
    issues += [_plan_issue(kept, i, kept.df) for i in plan_issues]
    return RecordImport("plan_targets", targets, issues, table.source_name, len(table))


def validate_plan_milestones(
    table: Table,
    base_year: int,
    area_codes: Iterable[str],
    measures: Iterable[Measure],
    today: date | None = None,
) -> RecordImport:
    """Milestones checked by the plan's own rules (area, status, horizon window, dates)."""
    from nlf_planner.plan import validate_milestones

    issues = check_columns(
        table, PLAN_MILESTONE_COLUMNS, {"area": "priority_area", "due": "due_date"}
    )
    if any(i.severity == "error" for i in issues):
        return RecordImport("plan_milestones", [], issues, table.source_name, len(table))
    frame = _normalise_dates(table.df, ["due_date", "last_updated"])
    for col in ("priority_area", "measure_code"):
        if col in frame.columns:
            frame[col] = frame[col].str.upper()
    records, plan_issues = validate_milestones(
        frame, base_year, area_codes, {m.code: m for m in measures}, today=today, table="Milestones"
    )
    issues += [_plan_issue(table, i, frame) for i in plan_issues]
    return RecordImport("plan_milestones", records, issues, table.source_name, len(table))


def merge_plan_import(plan, targets: Sequence = (), milestones: Sequence = ()):
    """A new draft plan: imported targets replace the same measure and geography (all
    horizons); imported milestones replace the same ID or are added."""
    pairs = {(t.measure_code, t.geo_code) for t in targets}
    kept_t = [t for t in plan.targets if (t.measure_code, t.geo_code) not in pairs]
    by_id = {m.item_id: m for m in milestones}
    kept_m = [m for m in plan.milestones if m.item_id not in by_id]
    return plan.model_copy(
        update={"targets": kept_t + list(targets), "milestones": kept_m + list(milestones)}
    )


# --- stakeholders and events -----------------------------------------------------------------


def _engagement_issue(row: int, problem: str, raw: Mapping[str, object]) -> Issue:
    from nlf_planner.engagement import FIELD_LABELS

    column = None
    for field_name, label in sorted(FIELD_LABELS.items(), key=lambda kv: -len(kv[1])):
        if problem.startswith(label):
            column = {"group": "group", "stakeholder_ids": "stakeholders"}.get(
                field_name, field_name
            )
            break
    value = raw.get(column) if column else None
    return Issue(row, column, None if value is None else str(value), problem)


def validate_stakeholders(
    table: Table,
    existing: Mapping[int, tuple[str, bool]],
    codes,
    today: date | None = None,
) -> RecordImport:
    """Each row checked by the engagement rules, including duplicate names (in the file too)."""
    from nlf_planner.engagement import EngagementValidationError, validate_stakeholder

    issues = check_columns(
        table, STAKEHOLDER_COLUMNS, {"stakeholder_group": "group", "stakeholder": "name"}
    )
    if any(i.severity == "error" for i in issues):
        return RecordImport("stakeholders", [], issues, table.source_name, len(table))
    frame = _normalise_dates(table.df, ["last_contact"])
    known = dict(existing)
    records = []
    for i, raw in enumerate(frame.to_dict("records")):
        row = int(table.row_numbers[i])
        raw = {k: v for k, v in raw.items() if k in {c.column for c in STAKEHOLDER_COLUMNS}}
        if raw.get("region_code"):
            raw["region_code"] = str(raw["region_code"]).upper()
        try:
            s = validate_stakeholder(raw, existing=known, codes=codes, today=today)
        except EngagementValidationError as exc:
            issues += [_engagement_issue(row, p, raw) for p in exc.problems]
            continue
        known[-(i + 1)] = (s.name, False)  # later rows may not repeat this name
        records.append(s)
    return RecordImport("stakeholders", records, issues, table.source_name, len(table))


def validate_events(
    table: Table,
    stakeholder_ids_by_name: Mapping[str, int],
    codes,
) -> RecordImport:
    """Each row checked by the engagement rules; stakeholders are named, not numbered."""
    from nlf_planner.engagement import (
        EngagementValidationError,
        normalise_name,
        validate_event,
    )

    issues = check_columns(
        table,
        EVENT_COLUMNS,
        {"date": "event_date", "type": "event_type", "start_date": "event_date"},
    )
    if any(i.severity == "error" for i in issues):
        return RecordImport("engagement_events", [], issues, table.source_name, len(table))
    frame = _normalise_dates(table.df, ["event_date", "end_date"])
    by_name = {normalise_name(n): i for n, i in stakeholder_ids_by_name.items()}
    records = []
    for i, raw in enumerate(frame.to_dict("records")):
        row = int(table.row_numbers[i])
        raw = {k: v for k, v in raw.items() if k in {c.column for c in EVENT_COLUMNS}}
        names = [n.strip() for n in str(raw.pop("stakeholders", "") or "").split(";") if n.strip()]
        unknown = [n for n in names if normalise_name(n) not in by_name]
        for n in unknown:
            issues.append(
                Issue(
                    row,
                    "stakeholders",
                    n,
                    f"No stakeholder called {n!r}; add them first (stakeholders "
                    "import or the Engagement page).",
                )
            )
        raw["stakeholder_ids"] = [
            by_name[normalise_name(n)] for n in names if normalise_name(n) in by_name
        ]
        if raw.get("region_code"):
            raw["region_code"] = str(raw["region_code"]).upper()
        if raw.get("priority_areas"):
            raw["priority_areas"] = str(raw["priority_areas"]).upper()
        try:
            e = validate_event(raw, known_stakeholders=set(by_name.values()), codes=codes)
        except EngagementValidationError as exc:
            issues += [_engagement_issue(row, p, raw) for p in exc.problems]
            continue
        if not unknown:
            records.append(e)
    return RecordImport("engagement_events", records, issues, table.source_name, len(table))


# --- the kinds of import the Data page offers --------------------------------------------------


@dataclass(frozen=True)
class ImportKind:
    key: str
    label: str
    columns: tuple[ColumnDoc, ...]
    help: str


IMPORT_KINDS: dict[str, ImportKind] = {
    k.key: k
    for k in (
        ImportKind(
            "measurements",
            "Measurements",
            MEASUREMENT_COLUMNS,
            "One row per measure, ICB or region, and period (long format). Imported "
            "series replace the illustrative ones for the same measure and area.",
        ),
        ImportKind(
            "plan_targets",
            "Plan targets",
            PLAN_TARGET_COLUMNS,
            "One row per measure and geography with year 1, 3 and 5 targets. Saved as a "
            "new plan version; targets not in the file are kept.",
        ),
        ImportKind(
            "plan_milestones",
            "Plan milestones",
            PLAN_MILESTONE_COLUMNS,
            "One row per milestone. Saved as a new plan version; a row with an existing "
            "ID replaces that milestone, other rows are added.",
        ),
        ImportKind(
            "stakeholders",
            "Stakeholders",
            STAKEHOLDER_COLUMNS,
            "One row per new stakeholder; names must not already exist.",
        ),
        ImportKind(
            "engagement_events",
            "Engagement events",
            EVENT_COLUMNS,
            "One row per event, linked to existing stakeholders by name.",
        ),
    )
}


def example_rows(kind: str) -> list[dict[str, object]]:
    """Two illustrative rows for a template (the first from the column examples)."""
    cols = IMPORT_KINDS[kind].columns
    first = {c.column: c.example for c in cols}
    if kind == "measurements":
        second = {**first, "period": "2024-05-01", "numerator": "11", "value": ""}
        return [first, second]
    return [first]


def reference_sheets(
    kind: str,
    measures: Iterable[Measure],
    regions: Iterable[Region],
    icbs: Iterable[ICB],
    areas: Mapping[str, str],
) -> dict[str, pd.DataFrame]:
    """The code lists a template carries beside its data sheet, so a data manager can look
    codes up without leaving the workbook."""
    from nlf_planner.engagement import EVENT_TYPES, GROUPS
    from nlf_planner.periods import label

    region_names = {r.code: r.name for r in regions}
    sheets: dict[str, pd.DataFrame] = {}
    if kind in ("measurements", "plan_targets", "plan_milestones"):
        sheets["Measures"] = pd.DataFrame(
            [
                {
                    "measure_code": m.code,
                    "name": m.name,
                    "priority_area": m.area_code,
                    "unit": m.unit,
                    "frequency": m.frequency,
                    "period_example": label(date(2024, 4, 1), m.frequency) + " = 2024-04-01",
                    "polarity": m.polarity,
                }
                for m in measures
            ]
        )
    if kind in ("measurements", "plan_targets", "stakeholders", "engagement_events"):
        geo = [
            {"geo_code": r.code, "name": r.name, "level": "region", "region": r.name}
            for r in regions
        ]
        if kind == "measurements":
            geo += [
                {
                    "geo_code": i.code,
                    "name": i.name,
                    "level": "ICB",
                    "region": region_names.get(i.region_code, ""),
                }
                for i in icbs
            ]
        sheets["Geography"] = pd.DataFrame(geo)
    if kind in ("plan_milestones", "engagement_events"):
        sheets["Priority areas"] = pd.DataFrame(
            [{"priority_area": c, "name": n} for c, n in areas.items()]
        )
    if kind == "stakeholders":
        sheets["Codes"] = pd.DataFrame([{"list": "group", "value": v} for v in GROUPS.values()])
    if kind == "engagement_events":
        sheets["Codes"] = pd.DataFrame(
            [{"list": "event_type", "value": v} for v in EVENT_TYPES.values()]
        )
    return sheets


def template_files(kind: str, lookups: Mapping[str, pd.DataFrame]) -> tuple[bytes, bytes]:
    """(XLSX, CSV) templates for one kind of import."""
    from nlf_planner.exports_tables import template_csv, template_xlsx

    cols = IMPORT_KINDS[kind].columns
    rows = example_rows(kind)
    return template_xlsx(kind, cols, rows, lookups), template_csv(cols, rows)
