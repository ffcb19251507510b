"""Drawing one board-deck slide on the Present page: the blue title slide, tables with their
cell fills, charts (with a CSV of their data in the page's normal mode) and bullets, larger
in full screen."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

import plotly.graph_objects as go
import streamlit as st
from pandas.io.formats.style import Styler

from nlf_planner.deck import Slide, SlideTable, figure_data
from nlf_planner.ui.frame import PLOTLY_CONFIG, chart_with_download

TITLE_SLIDE_CSS = """
<style>
.nlf-title-slide { background: #005EB8; color: #fff; padding: 2.2rem 2.4rem; border-radius: 4px; }
.nlf-title-slide h1 { color: #fff; font-size: 2.6rem; line-height: 1.2; margin: 0 0 .6rem; }
.nlf-title-slide .nlf-sub { font-size: 1.4rem; font-weight: bold; margin: 0 0 1.2rem; }
.nlf-title-slide li { font-size: 1.2rem; line-height: 1.45; margin-bottom: .4rem; }
</style>
"""

FULL_SCREEN_CSS = """
<style>
header[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
footer { display: none !important; }
[data-testid="stMainBlockContainer"] { padding: 0.8rem 2.5rem 1rem !important;
  max-width: 100% !important; }
[data-testid="stMain"] p, [data-testid="stMain"] li { font-size: 1.4rem !important;
  line-height: 1.35 !important; }
[data-testid="stMain"] h1 { font-size: 3rem !important; }
[data-testid="stMain"] h2 { font-size: 2.4rem !important; color: #005EB8; }
[data-testid="stMain"] table, [data-testid="stMain"] table p { font-size: 0.95rem !important;
  line-height: 1.15 !important; margin: 0 !important; }
[data-testid="stMain"] td, [data-testid="stMain"] th { padding: 0.12rem 0.4rem !important; }
[data-testid="stMain"] [data-testid="stCaptionContainer"] p { font-size: 1rem !important; }
.nlf-title-slide h1 { font-size: 3.4rem !important; }
.nlf-title-slide li { font-size: 1.6rem !important; }
[data-testid="stMain"] button p { font-size: 1.15rem !important; }
</style>
"""


def full_screen_style() -> None:
    """Hide Streamlit's chrome and enlarge the type for presenting."""
    st.html(FULL_SCREEN_CSS)


def styled(table: SlideTable) -> Styler | object:
    """The table as text with each cell's fill behind it (the words carry the meaning)."""
    data = table.data.astype(str)
    if table.fills is None:
        return data
    fills = table.fills.reindex(index=data.index, columns=data.columns).fillna("")
    return data.style.apply(
        lambda col: [f"background-color: {c}" if c else "" for c in fills[col.name]], axis=0
    )


def _presented(fig: go.Figure) -> go.Figure:
    big = go.Figure(fig)
    big.update_layout(font={"size": 15}, height=500)
    return big


def _chart(slide: Slide, fig: go.Figure, index: int, presenting: bool) -> None:
    key = f"slide_{slide.key}_{index}"
    if presenting:
        st.plotly_chart(_presented(fig), config=PLOTLY_CONFIG, key=key)
    else:
        chart_with_download(fig, figure_data(fig), key=key, summary=slide.narrative)


def _charts(slide: Slide, presenting: bool) -> None:
    for i, fig in enumerate(slide.figures):
        _chart(slide, fig, i, presenting)


def _bullets(lines: Iterable[str]) -> None:
    lines = list(lines)
    if lines:
        st.markdown("\n".join(f"- {line}" for line in lines))


def _title_slide(slide: Slide) -> None:
    items = "".join(f"<li>{escape(b)}</li>" for b in slide.bullets)
    st.html(
        f"<div class='nlf-title-slide'><h1>{escape(slide.title)}</h1>"
        f"<p class='nlf-sub'>{escape(slide.subtitle)}</p><ul>{items}</ul></div>" + TITLE_SLIDE_CSS
    )


def render_slide(slide: Slide, presenting: bool) -> None:
    """One slide: heading, tables, then charts beside (full screen) or above the bullets."""
    if slide.kind == "title":
        _title_slide(slide)
        return
    if presenting:
        st.header(slide.title, anchor=False)
    else:
        st.subheader(slide.title, anchor=False)
    if slide.subtitle:
        st.markdown(f"**{slide.subtitle}**")
    for table in slide.tables:
        st.table(styled(table), hide_index=True)
        if table.caption:
            st.caption(table.caption)
    if slide.figures and slide.kind == "exception" and presenting:
        left, right = st.columns([2, 1], gap="large")
        with left:
            _charts(slide, presenting)
        with right:
            _bullets(slide.bullets)
        return
    if slide.figures:
        _charts(slide, presenting)
        if slide.kind == "exception":
            _bullets(slide.bullets)
        elif presenting:
            st.markdown(slide.narrative)
        return
    _bullets(slide.bullets)
