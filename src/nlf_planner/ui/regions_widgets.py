"""Widgets the Regions views share: pickers mirrored in the URL, the CSV download, the jump
from a matrix cell to its SPC chart, and the key every cached Regions view is kept under."""

from __future__ import annotations

import html
import re

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from nlf_planner.exports_tables import to_csv_bytes
from nlf_planner.services.database import Database, data_version
from nlf_planner.services.regions_view import RegionsModel
from nlf_planner.ui.frame import query_param, set_query_params

#: How many built views (figure, data, text) each Regions view keeps across sessions: every
#: region × a few pickers; a figure is a few hundred KB at most.
VIEW_CACHE_ENTRIES = 96


def view_key(db: Database, model: RegionsModel) -> tuple:
    """What a Regions view depends on besides its own pickers: the database, its data
    version (every audited write bumps it: data, notes, rebases, plans), the plan version
    the model was built for and the SPC run length, and the model itself (a rebuilt model,
    after a rebase, is a new object). Built views are cached under it with
    ``st.cache_resource``, so a rerun with nothing new rebuilds no figure."""
    plan = model.plan
    return (
        id(model),
        str(db.path),
        data_version(db),
        getattr(plan, "version_id", None),
        model.options.run_length,
    )


def url_select(where, label: str, options: dict[str, str], key: str, default: str | None) -> str:
    """A selectbox mirrored in the URL (codes, not labels), so a copied link reproduces the
    view; unknown values in the URL fall back to ``default`` (or the first option)."""
    if st.session_state.get(key) not in options:
        fallback = default if default in options else next(iter(options))
        st.session_state[key] = query_param(key, fallback, list(options))
    value = where.selectbox(label, list(options), format_func=options.get, key=key)
    set_query_params(**{key: value or None})
    return value


def chart_alt(kind: str, figure: go.Figure, summary: str) -> str:
    """A chart's accessible name: what kind of chart, what it shows (its title as plain
    text) and its plain-English reading (the caption drawn under it), so a screen reader
    hears the same as a sighted reader sees."""
    title = figure.layout.title.text if figure.layout.title else ""
    plain = re.sub(r"<[^>]+>", "", re.sub(r"<br\s*/?>", " ", str(title or "")))
    plain = re.sub(r"\s+", " ", html.unescape(plain)).strip()
    return f"{kind}: {plain}. {summary}".strip()


def csv_download(frame: pd.DataFrame, key: str, summary: str) -> None:
    """The text alternative of a chart drawn without ``chart_with_download``, and its data."""
    st.caption(summary)
    st.download_button(
        "Download data (CSV)",
        data=to_csv_bytes(frame),  # formula-safe: tiles carry names
        file_name=f"{key}.csv",
        mime="text/csv",
        key=f"download_{key}",
        on_click="ignore",
        icon=":material/download:",
    )


def open_measure_view(geo_code: str, measure_code: str) -> None:
    """Switch to the Measure view on the next run (called from widget callbacks, before the
    pickers are drawn, so their state can still be set)."""
    st.session_state["view"] = "Measure"
    st.session_state["geo"] = geo_code
    st.session_state["measure"] = measure_code
