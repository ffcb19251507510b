"""Tables out as CSV and XLSX, safe to open in a spreadsheet, plus import templates.

A text cell that begins with ``=``, ``+``, ``-``, ``@`` (or a tab / carriage return) is
a formula to Excel and LibreOffice, so an exported audit reason such as ``=HYPERLINK(…)``
could run when a colleague opens the file. CSV cells are prefixed with an apostrophe
(OWASP's advice, and what Excel itself does); XLSX cells are written as text with Excel's
"quote prefix" flag, so they display exactly as stored and never evaluate. The importer
removes the apostrophe again, so an export re-imports unchanged.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIME = "text/csv"
DICTIONARY_SHEET = "Data dictionary"
#: Rows of data an Excel sheet holds under its heading row; a bigger table goes out as CSV.
EXCEL_MAX_ROWS = 1_048_575
_HEADER_FILL = PatternFill("solid", fgColor="005EB8")  # NHS Blue
_HEADER_FONT = Font(bold=True, color="FFFFFF")


def needs_escape(text: str) -> bool:
    """Whether a spreadsheet would read this text as a formula (or it is already escaped)."""
    if text.startswith(FORMULA_PREFIXES):
        return True
    # An apostrophe followed by a formula character must itself be escaped, so that the
    # importer's "drop one apostrophe" rule gives back exactly what was stored.
    stripped = text.lstrip("'")
    return text.startswith("'") and stripped.startswith(FORMULA_PREFIXES)


def escape_formula(value: object) -> object:
    """Prefix an apostrophe to text a spreadsheet would treat as a formula."""
    if isinstance(value, str) and needs_escape(value):
        return "'" + value
    return value


def unescape_formula(text: str) -> str:
    """Undo :func:`escape_formula` (used by the importer on CSV text)."""
    if text.startswith("'") and needs_escape(text[1:]):
        return text[1:]
    return text


def _plain(value: object) -> object:
    """Cell value for a spreadsheet: no NaN, no pandas types, dates as dates."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            return value.item()
        except (ValueError, AttributeError):
            return str(value)
    if isinstance(value, (list, dict, tuple, set)):
        return str(value)
    return value


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """CSV (UTF-8 with BOM so Excel picks the encoding) with formula-safe text cells."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([escape_formula(str(c)) for c in df.columns])
    for row in df.itertuples(index=False, name=None):
        writer.writerow([_csv_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _csv_cell(value: object) -> object:
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, datetime):
        return (
            value.isoformat(sep=" ")
            if value.time() != datetime.min.time()
            else (value.date().isoformat())
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return escape_formula(value) if isinstance(value, str) else value


def excel_text(text: str) -> str:
    """Text without the control characters Excel cannot hold (openpyxl's own list): text
    stored before input refused them must still export, not break the whole workbook."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _xlsx_cell(ws, value: object, *, header: bool = False) -> WriteOnlyCell:
    value = _plain(value)
    if isinstance(value, str):
        value = excel_text(value)
        cell = WriteOnlyCell(ws, value=None)
        cell.value = value
        cell.data_type = "s"  # never a formula, whatever it starts with
        if needs_escape(value):
            cell.quotePrefix = True
    else:
        cell = WriteOnlyCell(ws, value=value)
        if isinstance(value, datetime):
            cell.number_format = "yyyy-mm-dd hh:mm:ss"
        elif isinstance(value, date):
            cell.number_format = "yyyy-mm-dd"
    if header:
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
    return cell


def _sheet_title(name: str, used: set[str]) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\, unique."""
    clean = excel_text(name)
    title = "".join("_" if ch in "[]:*?/\\" else ch for ch in clean)[:31] or "Sheet"
    base, n = title, 2
    while title.lower() in used:
        suffix = f" ({n})"
        title = base[: 31 - len(suffix)] + suffix
        n += 1
    used.add(title.lower())
    return title


def to_xlsx_bytes(sheets: Mapping[str, pd.DataFrame]) -> bytes:
    """One workbook, one sheet per frame, header row in NHS Blue, text never a formula."""
    wb = Workbook(write_only=True)
    used: set[str] = set()
    for name, df in sheets.items():
        ws = wb.create_sheet(_sheet_title(name, used))
        ws.freeze_panes = "A2"
        for i, col in enumerate(df.columns):
            width = min(60, max(10, len(str(col)) + 2, _sample_width(df[col])))
            ws.column_dimensions[_col_letter(i)].width = width
        ws.append([_xlsx_cell(ws, str(c), header=True) for c in df.columns])
        for row in df.itertuples(index=False, name=None):
            ws.append([_xlsx_cell(ws, v) for v in row])
    if not sheets:
        wb.create_sheet("Empty")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _sample_width(series: pd.Series) -> int:
    # Empty cells (None/NaN/NA) count as zero width whatever the column's dtype.
    lengths = [len(str(v)) for v in series.head(50) if not pd.isna(v)]
    return max(lengths) + 2 if lengths else 10


def _col_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


# --- data dictionary ----------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnDoc:
    """One column of a table or template, described for a data manager."""

    column: str
    type: str
    required: bool
    description: str
    example: str = ""


def dictionary_frame(columns: Iterable[ColumnDoc], table: str | None = None) -> pd.DataFrame:
    rows = [
        {
            **({"table": table} if table else {}),
            "column": c.column,
            "type": c.type,
            "required": "yes" if c.required else "no",
            "description": c.description,
            "example": c.example,
        }
        for c in columns
    ]
    return pd.DataFrame(rows)


#: What each stored table holds, for the Data page's dictionary and the export workbook.
TABLE_DESCRIPTIONS: dict[str, str] = {
    "conditions": "The framework's five conditions (editable content).",
    "priority_areas": "The nine priority areas P1–P9 and the condition each serves.",
    "measures": "The indicators: unit, polarity, frequency, national baseline, definition.",
    "regions": "The 7 NHS England regions (ONS and ODS codes).",
    "icbs": "The 42 integrated care boards and their region.",
    "measurements": (
        "Measurement history, one row per measure, ICB or region, and period. "
        "'illustrative' is TRUE for generated rows and FALSE for imported real data."
    ),
    "plan_versions": "Every saved version of the plan (immutable; a save writes a new one).",
    "plan_targets": "Targets per measure, geography and horizon (1, 3 or 5 years).",
    "plan_milestones": "Plan milestones: title, horizon, due date, owner, status.",
    "scenarios": "Saved capacity-model scenarios (versioned; delete is soft).",
    "annotations": "Notes people added to SPC charts.",
    "spc_rebases": "Points where someone recalculated SPC limits, with the reason.",
    "spc_baselines": "SPC limits fixed on a segment's first points, with the reason.",
    "spc_chart_types": "Which control chart (XmR, p or Laney p') each measure's limits use.",
    "peer_groups": "Saved peer groups of areas to compare with (versioned; delete is soft).",
    "peer_group_members": "The areas in each version of each peer group.",
    "stakeholders": "The engagement programme's stakeholders (interest, influence, owner).",
    "engagement_events": "Engagement events and workshops, with outcome and actions.",
    "event_stakeholders": "Which stakeholders took part in which event.",
    "event_priority_areas": "Which priority areas an event covered.",
    "audit_log": "Every change: who, when, what, reason, before and after (append-only).",
    "app_meta": "Facts about the data (as-of month, generator seed, last import).",
    "schema_migrations": "Schema versions applied to this file.",
}


def table_dictionary(columns_by_table: Mapping[str, Sequence[tuple[str, str]]]) -> pd.DataFrame:
    """Every table and column with its type, from the live schema plus our descriptions."""
    rows = []
    for table, cols in columns_by_table.items():
        desc = TABLE_DESCRIPTIONS.get(table, "")
        for name, dtype in cols:
            rows.append({"table": table, "table_description": desc, "column": name, "type": dtype})
    return pd.DataFrame(rows, columns=["table", "table_description", "column", "type"])


def export_file_name(name: str, fmt: str, day: date | None = None) -> str:
    """'nlf-measurements-20261130.csv': the table and the day, so downloads sort by date."""
    return f"nlf-{name}-{(day or date.today()):%Y%m%d}.{fmt}"


def fits_excel(rows: int) -> bool:
    """Whether a sheet of ``rows`` data rows opens in Excel (else it goes out as CSV)."""
    return rows <= EXCEL_MAX_ROWS


def tables_overview(
    columns_by_table: Mapping[str, Sequence[tuple[str, str]]], row_counts: Mapping[str, int]
) -> pd.DataFrame:
    """One row per table: what it holds, how many rows, and its columns (the dictionary's
    first view, before the column-by-column list)."""
    return pd.DataFrame(
        [
            {
                "table": t,
                "what it holds": TABLE_DESCRIPTIONS.get(t, ""),
                "rows": row_counts.get(t, 0),
                "columns": ", ".join(c for c, _ in cols),
            }
            for t, cols in columns_by_table.items()
        ],
        columns=["table", "what it holds", "rows", "columns"],
    )


def table_export(df: pd.DataFrame, name: str, fmt: str) -> tuple[bytes, str, str]:
    """Bytes, file name and MIME type for one table in ``csv`` or ``xlsx``."""
    if fmt == "csv":
        return to_csv_bytes(df), export_file_name(name, "csv"), CSV_MIME
    if fmt == "xlsx":
        return to_xlsx_bytes({name: df}), export_file_name(name, "xlsx"), XLSX_MIME
    raise ValueError(f"Unknown export format {fmt!r}: choose csv or xlsx.")


def template_xlsx(
    kind: str,
    columns: Sequence[ColumnDoc],
    example_rows: Sequence[Mapping[str, object]],
    lookups: Mapping[str, pd.DataFrame] | None = None,
) -> bytes:
    """An import template: the data sheet, the data dictionary, and lists of valid codes."""
    data = pd.DataFrame(list(example_rows), columns=[c.column for c in columns])
    sheets: dict[str, pd.DataFrame] = {kind: data, DICTIONARY_SHEET: dictionary_frame(columns)}
    sheets.update(lookups or {})
    return to_xlsx_bytes(sheets)


def template_csv(columns: Sequence[ColumnDoc], example_rows: Sequence[Mapping[str, object]]):
    data = pd.DataFrame(list(example_rows), columns=[c.column for c in columns])
    return to_csv_bytes(data)
