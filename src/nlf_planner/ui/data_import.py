"""The Data page's import widgets: the kind picker and its templates, the sheet picker, the
list of problems, the preview of what will change, and the options before applying."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from nlf_planner.exports_tables import CSV_MIME, XLSX_MIME, to_csv_bytes
from nlf_planner.imports import (
    MAX_FILE_MB,
    MEASUREMENT_COLUMN_LABELS,
    ColumnMap,
    Table,
    size_limit_text,
)
from nlf_planner.services import data_transfer
from nlf_planner.services.data_transfer import ImportCheck, ImportPreview, SheetChoiceNeeded
from nlf_planner.services.database import Database
from nlf_planner.ui.data_state import uploader_key
from nlf_planner.ui.text import escape_markdown

PREVIEW_ROWS = 2000
#: Exactly what the page says it takes: CSV or Excel .xlsx (an old .xls or a .txt is
#: refused by the upload box itself, not after upload).
UPLOAD_TYPES = ["csv", "xlsx"]
TOP_PROBLEMS = 10  # listed in full above the table, which truncates long text

ISSUE_COLUMNS = {
    "severity": st.column_config.TextColumn("Severity", width="small"),
    "row": st.column_config.NumberColumn("Row", format="%d", width="small"),
    "column": "Column",
    "value": "Value found",
    "problem": st.column_config.TextColumn("Problem", width=600),
}

#: Headings of the measurement preview's columns (other previews show their own names).
CHANGE_COLUMNS = {
    "change": "Change",
    "measure_code": "Measure",
    "geo_code": "Area code",
    "area_name": "Area",
    "numerator_before": "Numerator before",
    "numerator_after": "Numerator after",
    "denominator_before": "Denominator before",
    "denominator_after": "Denominator after",
    "period": st.column_config.DateColumn("Period", format="YYYY-MM-DD"),
    "value_before": st.column_config.NumberColumn("Value before", format="%.2f"),
    "value_after": st.column_config.NumberColumn("Value after", format="%.2f"),
    "was_illustrative": st.column_config.CheckboxColumn("Was illustrative"),
}


def kind_picker() -> str:
    """The kind of import, bound to the URL's ``kind``; shows what the file should hold."""
    kinds = {k.key: k for k in data_transfer.import_kinds()}
    key = st.selectbox(
        "What are you importing?",
        list(kinds),
        format_func=lambda k: kinds[k].label,
        key="kind",
        bind="query-params",
    )
    st.markdown(kinds[key].help)
    st.caption(
        f"CSV (UTF-8 or Windows-1252, comma or semicolon) or Excel .xlsx; up to "
        f"{size_limit_text()}. Nothing is written until you have seen the preview and "
        "pressed the import button; then everything is written at once or not at all."
    )
    return key


def templates(db: Database, kind: str) -> None:
    """Template downloads (built on click, not on every rerun) and the file's columns."""
    c1, c2, _ = st.columns([1, 1, 2])
    c1.download_button(
        "Excel template",
        data=lambda: data_transfer.import_template(db, kind)[0],
        file_name=f"nlf-template-{kind}.xlsx",
        mime=XLSX_MIME,
        on_click="ignore",
        icon=":material/download:",
        key=f"data_tpl_xlsx_{kind}",
        help="With a Data dictionary sheet and the lists of valid codes.",
    )
    c2.download_button(
        "CSV template",
        data=lambda: data_transfer.import_template(db, kind)[1],
        file_name=f"nlf-template-{kind}.csv",
        mime=CSV_MIME,
        on_click="ignore",
        icon=":material/download:",
        key=f"data_tpl_csv_{kind}",
    )
    with st.expander("Columns of this file (data dictionary)"):
        st.dataframe(data_transfer.import_columns(kind), hide_index=True, key=f"data_cols_{kind}")


def uploader(kind: str):
    return st.file_uploader(
        "Upload a CSV or Excel .xlsx file",
        type=UPLOAD_TYPES,
        key=uploader_key(f"upload_{kind}"),
        max_upload_size=MAX_FILE_MB,
    )


def ask_for_sheet(exc: SheetChoiceNeeded, sheet_key: str) -> None:
    st.info(escape_markdown(exc), icon=":material/tab:")
    st.selectbox(
        "Sheet to import", exc.sheets, index=None, key=sheet_key, placeholder="Choose a sheet"
    )


def describe_table(table: Table, sheet_key: str) -> None:
    """What was read, with the sheet picker kept on screen for a workbook of several sheets."""
    if table.sheet_names and len(table.sheet_names) > 1:
        st.selectbox(
            "Sheet to import",
            table.sheet_names,
            index=table.sheet_names.index(table.sheet),
            key=sheet_key,
        )
    where = f", sheet “{escape_markdown(table.sheet)}”" if table.sheet else ""
    enc = f", {table.encoding}" if table.encoding else ""
    st.caption(f"Read {len(table):,} rows from {escape_markdown(table.source_name)}{where}{enc}.")


def column_label(column: str) -> str:
    """Our column in plain words: 'geo_code' → 'geography code'."""
    return MEASUREMENT_COLUMN_LABELS.get(column, column.replace("_", " "))


def column_mapping_text(columns: ColumnMap) -> str | None:
    """Which heading of the file was taken for which column, and which were ignored, as
    Markdown (None when the file uses exactly our headings and nothing else)."""
    lines = []
    if columns.renamed:
        taken = "; ".join(
            f"{escape_markdown(u.heading)} → {column_label(u.column or '')}"
            for u in columns.renamed
        )
        lines.append(f"**Columns taken from the file:** {taken}.")
    if columns.ignored:
        plain = [escape_markdown(u.heading) for u in columns.ignored if u.why.startswith("not")]
        taken_twice = [
            f"{escape_markdown(u.heading)} ({escape_markdown(u.why)})"
            for u in columns.ignored
            if not u.why.startswith("not")
        ]
        lines.append(f"**Columns ignored:** {', '.join(taken_twice + plain)}.")
    return "  \n".join(lines) or None


def show_columns(columns: ColumnMap) -> None:
    text = column_mapping_text(columns)
    if text:
        st.markdown(text)


def show_issues(checked: ImportCheck) -> None:
    """Every problem: a summary, the first ones in full, the table, and a download. With
    problems, also which heading was taken for which column (the preview says it otherwise)."""
    frame = checked.issues_frame()
    if checked.errors:
        show_columns(checked.columns)
        n = len(checked.errors)
        st.error(
            f"{n:,} problem{'s' if n != 1 else ''} to fix in "
            f"{escape_markdown(checked.source_name)} before "
            "anything can be imported. Nothing has been written. Each problem names the "
            "spreadsheet row (the heading is row 1), the column, the value found and what is "
            "wrong.",
            icon=":material/error:",
        )
    elif checked.warnings:
        n = len(checked.warnings)
        st.warning(
            f"{n} note{'s' if n != 1 else ''} (these do not stop the import).",
            icon=":material/warning:",
        )
    if not len(frame):
        return
    st.markdown(_first_problems(frame))
    st.dataframe(frame, hide_index=True, column_config=ISSUE_COLUMNS, key="data_issues")
    st.download_button(
        "Download the list of problems (CSV)",
        data=lambda: to_csv_bytes(frame),
        file_name=f"problems-{checked.source_name}.csv",
        mime=CSV_MIME,
        on_click="ignore",
        icon=":material/download:",
        key="data_issues_download",
    )


def _first_problems(frame: pd.DataFrame) -> str:
    first = frame.head(TOP_PROBLEMS)
    lines = [
        f"- **{'Row ' + str(r.row) if pd.notna(r.row) else 'Whole file'}**"
        + (f", {escape_markdown(r.column)}" if r.column else "")
        + (f" = “{escape_markdown(r.value)}”" if r.value else "")
        + f": {escape_markdown(r.problem)}"
        for r in first.itertuples()
    ]
    more = len(frame) - len(first)
    return "\n".join(lines) + (f"\n\n…and {more:,} more in the table below." if more else "")


def show_preview(preview: ImportPreview, source_name: str) -> None:
    """Which heading was taken for which column, headline counts, the changes row by row
    (the first few thousand) and a download."""
    show_columns(preview.columns)
    if preview.metrics:
        for col, (label, value) in zip(
            st.columns(len(preview.metrics)), preview.metrics, strict=True
        ):
            col.metric(label, f"{value:,}")
    if preview.notice:
        st.info(preview.notice)
    if preview.caption:
        st.caption(preview.caption)
    changes = preview.changes
    if not len(changes.columns):
        return
    st.dataframe(
        changes.head(PREVIEW_ROWS),
        hide_index=True,
        column_config={k: v for k, v in CHANGE_COLUMNS.items() if k in changes.columns},
        key="data_preview",
    )
    if len(changes) > PREVIEW_ROWS:
        st.caption(
            f"Showing the first {PREVIEW_ROWS:,} of {len(changes):,} changes; "
            "download the full list below."
        )
    st.download_button(
        "Download the full preview (CSV)",
        data=lambda: to_csv_bytes(changes),
        file_name=f"preview-{source_name}.csv",
        mime=CSV_MIME,
        on_click="ignore",
        icon=":material/download:",
        key="data_preview_download",
    )


#: Narrow enough to show whole at 1024 px wide (the area code is in the full preview).
REMOVAL_COLUMNS = {
    "measure_code": st.column_config.TextColumn("Measure", width="small"),
    "area_name": "Area",
    "rows": st.column_config.NumberColumn("Rows", format="%d", width="small"),
    "first_period": st.column_config.DateColumn("From", format="MMM YYYY", width="small"),
    "last_period": st.column_config.DateColumn("To", format="MMM YYYY", width="small"),
}


def confirm_removal(preview: ImportPreview, file_key: str) -> bool:
    """When the import would remove stored history: say plainly how many rows, for which
    measures, areas and periods, and ask for an explicit tick (True when nothing is
    removed, or once ticked)."""
    if not preview.removes:
        return True
    st.warning(
        escape_markdown(preview.removal_warning or "")
        + " Tick the box below to confirm before importing.",
        icon=":material/delete_history:",
    )
    if preview.removals is not None and len(preview.removals):
        st.dataframe(
            preview.removals,
            hide_index=True,
            column_config=REMOVAL_COLUMNS,
            column_order=list(REMOVAL_COLUMNS),
            key=f"data_removals_{file_key}",
        )
    return st.checkbox(
        f"I understand this import removes {preview.removes:,} stored "
        f"row{'s' if preview.removes != 1 else ''} of history",
        key=f"data_confirm_removal_{file_key}",
    )


def apply_options(file_key: str) -> tuple[str, bool]:
    """(source and reason for the audit log, whether to back up the current data first)."""
    reason = st.text_input(
        "Source and reason (recorded in the audit log)",
        key=f"data_reason_{file_key}",
        placeholder="e.g. NHS Staff Survey 2025 results, published March 2026",
    )
    keep_copy = st.checkbox(
        "Back up the current data first (so this import can be undone by a restore)",
        value=True,
        key=f"data_backup_first_{file_key}",
    )
    return reason.strip(), keep_copy
