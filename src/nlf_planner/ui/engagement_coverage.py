"""The Coverage tab's widgets: the priority area × region heatmap and the list of
stakeholders nobody has contacted for a while."""

from __future__ import annotations

from collections.abc import Hashable
from datetime import date

import pandas as pd
import streamlit as st

from nlf_planner.charts import engagement as charts
from nlf_planner.engagement import NATIONAL_LABEL, ReferenceCodes, coverage_long
from nlf_planner.services.database import Database
from nlf_planner.services.engagement import NOT_CONTACTED_COLUMNS
from nlf_planner.ui.engagement_forms import cached_figure, chart_with_csv, download, download_hint
from nlf_planner.ui.frame import format_date

COLUMNS = list(NOT_CONTACTED_COLUMNS)


def coverage_heatmap(
    db: Database, matrix: pd.DataFrame, codes: ReferenceCodes, inputs: Hashable
) -> None:
    """The area × region heatmap for the period ``inputs`` names, built once per data version
    and period."""
    chart_with_csv(
        cached_figure(db, "coverage", inputs, lambda: charts.coverage_heatmap(matrix, codes)),
        coverage_long(matrix, codes),
        key="coverage",
        summary=charts.coverage_summary(matrix, codes),
        file_name="engagement_coverage.csv",
        alt="Heatmap of engagement events by priority area and region",
    )
    st.caption(
        "Each event counts once in every priority area it discussed, in its region's column; "
        f"events with no region (national, devolved nations) count under '{NATIONAL_LABEL}'. "
        "Zeros are the gaps."
    )


def not_contacted_list(
    quiet: pd.DataFrame, days: int, today: date, export: pd.DataFrame | None
) -> None:
    """Who has gone quiet, longest first; the CSV only when the person may export it."""
    st.caption(
        f"{len(quiet)} active stakeholders have had no contact for more than {days} days "
        f"(as of {format_date(today)}), longest first; never-contacted ones lead."
    )
    st.dataframe(
        quiet.reindex(columns=COLUMNS).fillna({"owner": "", "next_step": ""}),
        hide_index=True,
        key="quiet_table",
        column_config={
            "name": st.column_config.TextColumn("Name", width="medium", pinned=True),
            "group_label": "Group",
            "region_name": "Region",
            "quadrant": "Quadrant",
            "owner": "Owner",
            "latest_contact": st.column_config.DateColumn("Last contact", format="D MMM YYYY"),
            "days_since_contact": st.column_config.NumberColumn("Days since"),
            "next_step": st.column_config.TextColumn("Next step", width="large"),
        },
    )
    if export is None:
        download_hint()
    else:
        download(export, "Download list (CSV)", "not_contacted.csv", "download_quiet")
