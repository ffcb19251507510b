"""The Data page's Export and Data dictionary sections: any table out as CSV or Excel, and
what every table, column and measure means."""

from __future__ import annotations

import streamlit as st

from nlf_planner.exports_tables import (
    CSV_MIME,
    EXCEL_MAX_ROWS,
    TABLE_DESCRIPTIONS,
    XLSX_MIME,
    export_file_name,
    fits_excel,
)
from nlf_planner.services import data_transfer
from nlf_planner.services.actor import Role
from nlf_planner.services.database import Database
from nlf_planner.services.errors import ServiceError
from nlf_planner.ui.frame import current_actor, show_error

SHOWN_ROWS = 200


def render_export(db: Database) -> None:
    """A table picker bound to the URL's ``table``, its downloads and its first rows."""
    names = data_transfer.table_names(db)
    counts = data_transfer.row_counts(db)
    table = st.selectbox(
        "Table",
        names,
        index=names.index("measurements") if "measurements" in names else 0,
        key="table",
        bind="query-params",
    )
    if table is None:
        return
    rows = counts.get(table, 0)
    st.caption(f"{rows:,} rows. {TABLE_DESCRIPTIONS.get(table, '')}")
    actor = current_actor()
    try:
        preview = data_transfer.table_preview(db, actor, table, SHOWN_ROWS)
    except ServiceError as exc:  # personal data: say which role may see it, show nothing
        show_error(exc)
        return
    st.caption(
        "Cells that begin with =, +, - or @ are exported so a spreadsheet shows them as text "
        "and never runs them as formulas."
    )
    c1, c2, _ = st.columns([1, 1, 2])
    c1.download_button(
        "Download CSV",
        data=lambda: data_transfer.table_file(db, actor, table, "csv").data,
        file_name=export_file_name(table, "csv"),
        mime=CSV_MIME,
        on_click="ignore",
        icon=":material/download:",
        key=f"data_export_csv_{table}",
    )
    too_big = not fits_excel(rows)
    c2.download_button(
        "Download Excel",
        data=lambda: data_transfer.table_file(db, actor, table, "xlsx").data,
        file_name=export_file_name(table, "xlsx"),
        mime=XLSX_MIME,
        on_click="ignore",
        icon=":material/download:",
        key=f"data_export_xlsx_{table}",
        disabled=too_big,
        help=f"Excel holds at most {EXCEL_MAX_ROWS:,} rows; use CSV." if too_big else None,
    )
    st.dataframe(
        preview,
        hide_index=True,
        key="data_export_preview",
    )
    if rows > SHOWN_ROWS:
        st.caption(f"Showing the first {SHOWN_ROWS} of {rows:,} rows.")
    st.download_button(
        "Download every table in one Excel workbook",
        data=lambda: data_transfer.all_tables_workbook(db, actor),
        file_name=export_file_name("all-tables", "xlsx"),
        mime=XLSX_MIME,
        on_click="ignore",
        icon=":material/download:",
        key="data_export_all",
        disabled=not fits_excel(sum(counts.values())) or actor is None or not actor.has(Role.ADMIN),
        help=None
        if actor is not None and actor.has(Role.ADMIN)
        else "Every table needs the admin role.",
    )


def render_dictionary(db: Database) -> None:
    """Tables with their sizes and columns, the measures, and how periods and values work."""
    st.markdown("**Tables** in this database: what each holds, its size and its columns.")
    st.dataframe(
        data_transfer.tables_overview(db),
        hide_index=True,
        key="data_dictionary",
        column_config={"what it holds": st.column_config.TextColumn(width="large")},
    )
    with st.expander("Every column with its type"):
        st.dataframe(
            data_transfer.column_dictionary(db).drop(columns=["table_description"]),
            hide_index=True,
            key="data_dictionary_columns",
        )
    st.download_button(
        "Download the data dictionary (Excel)",
        data=lambda: data_transfer.dictionary_workbook(db),
        file_name="nlf-data-dictionary.xlsx",
        mime=XLSX_MIME,
        on_click="ignore",
        icon=":material/download:",
        key="data_dictionary_download",
    )
    st.markdown("**Measures**: unit, direction, how often they are reported, and source.")
    st.dataframe(data_transfer.measures_frame(db), hide_index=True, key="data_measures")
    st.markdown(
        "**Periods**: monthly = the 1st of the month; quarterly = 1 April, 1 July, "
        "1 October or 1 January (financial quarters); annual = 1 April of the financial year. "
        "**Values**: percent 0–100; scores 0–10. Region and England figures are totals of "
        "ICB numerators over denominators, never averages of percentages."
    )
