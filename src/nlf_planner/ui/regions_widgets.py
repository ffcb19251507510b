"""Widgets the Regions views share: pickers mirrored in the URL, the CSV download and the
jump from a matrix cell to its SPC chart."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from nlf_planner.ui.frame import query_param, set_query_params


def url_select(where, label: str, options: dict[str, str], key: str, default: str | None) -> str:
    """A selectbox mirrored in the URL (codes, not labels), so a copied link reproduces the
    view; unknown values in the URL fall back to ``default`` (or the first option)."""
    if st.session_state.get(key) not in options:
        fallback = default if default in options else next(iter(options))
        st.session_state[key] = query_param(key, fallback, list(options))
    value = where.selectbox(label, list(options), format_func=options.get, key=key)
    set_query_params(**{key: value or None})
    return value


def csv_download(frame: pd.DataFrame, key: str, summary: str) -> None:
    """The text alternative of a chart drawn without ``chart_with_download``, and its data."""
    st.caption(summary)
    st.download_button(
        "Download data (CSV)",
        data=frame.to_csv(index=False).encode("utf-8"),
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
