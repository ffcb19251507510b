"""Drawing one board-deck slide on the Present page: the blue title slide, tables with their
cell fills and Making Data Count icons, charts (with a CSV of their data in the page's normal
mode) and bullets, larger in full screen.

Every piece of slide text can hold people's words (scenario names, notes, plan names), so it
is escaped where it is drawn: ``ui.text.escape_markdown`` for Markdown, ``html.escape`` for
the slide's HTML (title slide, tables). Tables are drawn as HTML so the icons sit beside
their words and the type stays readable (at least 12 px) on a 1024×768 projector.

In full screen each slide fits the window without scrolling at 1024×768 and 1920×1080: the
chart heights below are sized for a 768 px window, and the CSS scales type with the window.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

import plotly.graph_objects as go
import streamlit as st

from nlf_planner.charts.mdc_icons import assurance_svg, icon_img, variation_svg
from nlf_planner.deck import Slide, SlideTable, figure_data
from nlf_planner.deck.html_table import slide_table_html
from nlf_planner.deck.icons import parse_icon_ref
from nlf_planner.spc import ASSURANCE_LABEL, VARIATION_LABEL, AssuranceIcon, VariationIcon
from nlf_planner.ui.frame import chart_with_download
from nlf_planner.ui.text import escape_markdown

#: Slides have no plotly toolbar: it covers the chart's title on a projector.
SLIDE_PLOTLY_CONFIG = {"displaylogo": False, "responsive": True, "displayModeBar": False}

#: Chart heights in full screen (px), so the whole slide fits a 768 px high window with the
#: control row, title, subtitle, a one-row table and the stamp.
PRESENTED_HEIGHT = {"exception": 400, "regions": 560, "benchmark": 450, "default": 450}

TABLE_CSS = """
<style>
.nlf-slide-table { border-collapse: collapse; width: 100%; font-size: max(12px, 0.8rem);
  line-height: 1.25; }
.nlf-slide-table th { background: #003087; color: #fff; text-align: left;
  padding: .2rem .35rem; font-weight: bold; word-break: normal; overflow-wrap: normal;
  hyphens: manual; }
.nlf-slide-table td { border: 1px solid #D8DDE0; padding: .15rem .35rem; color: #231F20;
  vertical-align: middle; }
.nlf-slide-table .nlf-icon-cell { display: flex; align-items: center; gap: .35rem; }
.nlf-slide-table .nlf-icon-cell img { flex: none; }
.nlf-slide-table caption { caption-side: bottom; text-align: left; color: #425563;
  padding-top: .2rem; font-size: max(12px, .8rem); }
</style>
"""

TITLE_SLIDE_CSS = """
<style>
.nlf-title-slide { background: #005EB8; color: #fff; padding: 2.2rem 2.4rem; border-radius: 4px; }
.nlf-title-slide h2 { color: #fff; font-size: 2.6rem; line-height: 1.2; margin: 0 0 .6rem; }
.nlf-title-slide .nlf-sub { font-size: 1.4rem; font-weight: bold; margin: 0 0 1.2rem; }
.nlf-title-slide li { font-size: 1.2rem; line-height: 1.45; margin-bottom: .4rem; }
</style>
"""

FULL_SCREEN_CSS = """
<style>
header[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
footer { display: none !important; }
[data-testid="stMainBlockContainer"] { padding: 0.5rem 1.5rem 0.3rem !important;
  max-width: 100% !important; }
[data-testid="stMain"] p, [data-testid="stMain"] li { font-size: clamp(1rem, 1.9vh, 1.5rem)
  !important; line-height: 1.3 !important; }
[data-testid="stMain"] h2 { font-size: clamp(1.4rem, 3.4vh, 2.6rem) !important; color: #005EB8;
  padding: 0.1rem 0 0.2rem !important; line-height: 1.25 !important; margin: 0 !important; }
[data-testid="stMain"] .nlf-slide-table { font-size: clamp(12px, 1.65vh, 1.25rem) !important; }
[data-testid="stMain"] .nlf-slide-table p { margin: 0 !important; }
[data-testid="stMain"] [data-testid="stCaptionContainer"] p { font-size: max(12px, 0.8rem)
  !important; }
[data-testid="stMain"] [data-testid="stVerticalBlock"] { gap: 0.3rem !important; }
[data-testid="stMain"] .stHtml:has(> style:only-child),
[data-testid="stMain"] .stHtml:has(> script:only-child) { display: none; }
[data-testid="stMain"] [data-testid="stElementContainer"]:has(.stHtml > script:only-child),
[data-testid="stMain"] [data-testid="stElementContainer"]:has(.stHtml > style:only-child)
  { display: none; }
.st-key-present_slide li { font-size: clamp(0.85rem, 1.75vh, 1.35rem) !important; }
.st-key-present_slide [data-testid="stMarkdownContainer"] ul { margin-bottom: 0; }
.nlf-title-slide h2 { font-size: clamp(2rem, 5.5vh, 3.4rem) !important; }
.nlf-title-slide li { font-size: clamp(1.1rem, 2.6vh, 1.6rem) !important; }
[data-testid="stMain"] button p { font-size: 1rem !important; white-space: nowrap; }
</style>
"""


def full_screen_style() -> None:
    """Hide Streamlit's chrome and enlarge the type for presenting."""
    st.html(FULL_SCREEN_CSS)


def _icon(ref: str) -> str:
    """The icon as an ``<img>`` of its SVG with its words as ``alt`` (``st.html`` keeps
    images but removes inline SVG)."""
    parsed = parse_icon_ref(ref)
    if parsed is None:
        return ""
    kind, value = parsed
    if kind == "variation":
        svg, label = variation_svg(value, size=22), VARIATION_LABEL[VariationIcon(value)]
    else:
        svg, label = assurance_svg(value, size=22), ASSURANCE_LABEL[AssuranceIcon(value)]
    return icon_img(svg, label, size=22)


def table_html(table: SlideTable) -> str:
    """The table as escaped HTML: fills behind the words, icons before them."""
    return slide_table_html(table, _icon, table_class="nlf-slide-table", icon_class="nlf-icon-cell")


def _table(table: SlideTable) -> None:
    st.html(table_html(table) + TABLE_CSS)


MIN_TEXT_PX = 13  # no chart text under 12 px on a projector, even scaled to fit (matrix had 9.5)


def _at_least(size: float | None) -> float | None:
    return MIN_TEXT_PX if size is not None and size < MIN_TEXT_PX else size


def _presented(fig: go.Figure, kind: str) -> go.Figure:
    """The chart for full screen: taller, larger type, and no text under 12 px."""
    big = go.Figure(fig)
    big.update_layout(
        font={"size": 14}, height=PRESENTED_HEIGHT.get(kind, PRESENTED_HEIGHT["default"])
    )
    for trace in big.data:
        font = getattr(trace, "textfont", None)
        if font is not None and font.size is not None and not isinstance(font.size, tuple):
            font.size = _at_least(font.size)
    for axis in (*big.select_xaxes(), *big.select_yaxes()):
        if axis.tickfont.size is not None:
            axis.tickfont.size = _at_least(axis.tickfont.size)
    for note in big.layout.annotations:
        if note.font.size is not None:
            note.font.size = _at_least(note.font.size)
    return big


#: In full screen the slide is scaled down (CSS zoom, which also shrinks its layout box) just
#: enough that nothing scrolls, whatever the window: a long summary table or long bullets
#: on a 1024×768 projector still show whole. Re-fitted whenever the page or window resizes.
FIT_JS = """
<script>
(function () {
  function fit() {
    var slide = document.querySelector(".st-key-present_slide");
    var main = document.querySelector('[data-testid="stMain"]');
    if (!slide || !main) return;
    var zoom = parseFloat(slide.style.zoom || "1");
    var box = slide.getBoundingClientRect();
    var room = window.innerHeight - (box.top + main.scrollTop) - 24;  // the page's foot padding
    if (box.height <= 0 || room <= 0) return;
    // Shrink when the slide runs past the window's foot, grow back (never past full size)
    // when it has room: the zoomed height is then exactly the room below the controls.
    var target = Math.min(1, Math.max(0.4, zoom * room / box.height));
    if (Math.abs(target - zoom) > 0.01) slide.style.zoom = String(target);
  }
  var queued = false;
  function soon() {
    if (queued) return;
    queued = true;
    requestAnimationFrame(function () { queued = false; fit(); });
  }
  if (!window.__nlfFitting) {
    window.__nlfFitting = true;
    // The page scrolls inside stMain, so watch its content (a new slide, a chart drawn)
    // rather than the body, and the window itself.
    var sizes = new ResizeObserver(soon);
    var watched = null;
    new MutationObserver(function () {
      var block = document.querySelector('[data-testid="stMainBlockContainer"]');
      if (block && block !== watched) { sizes.observe(block); watched = block; }
      soon();
    }).observe(document.body, {childList: true, subtree: true});
    window.addEventListener("resize", soon);
  }
  soon();
})();
</script>
"""


def fit_to_window() -> None:
    """Scale the presented slide to fit the window (see :data:`FIT_JS`)."""
    st.html(FIT_JS, unsafe_allow_javascript=True)


def _alt(slide: Slide) -> str:
    return f"{slide.title}. {slide.narrative}".strip()


def _chart(slide: Slide, fig: go.Figure, index: int, presenting: bool) -> None:
    key = f"slide_{slide.key}_{index}"
    if presenting:
        st.plotly_chart(
            _presented(fig, slide.kind), config=SLIDE_PLOTLY_CONFIG, key=key, alt=_alt(slide)
        )
    else:
        chart_with_download(
            fig,
            figure_data(fig),
            key=key,
            summary=slide.narrative,  # chart_with_download escapes it
            alt=_alt(slide),
        )


def _charts(slide: Slide, presenting: bool) -> None:
    for i, fig in enumerate(slide.figures):
        _chart(slide, fig, i, presenting)


def _bullets(lines: Iterable[str]) -> None:
    lines = list(lines)
    if lines:
        st.markdown("\n".join(f"- {escape_markdown(line)}" for line in lines))


def _title_slide(slide: Slide) -> None:
    items = "".join(f"<li>{escape(b)}</li>" for b in slide.bullets)
    st.html(
        f"<div class='nlf-title-slide'><h2>{escape(slide.title)}</h2>"
        f"<p class='nlf-sub'>{escape(slide.subtitle)}</p><ul>{items}</ul></div>" + TITLE_SLIDE_CSS
    )


def render_slide(slide: Slide, presenting: bool) -> None:
    """One slide: heading, tables, then charts beside (full screen) or above the bullets."""
    if slide.kind == "title":
        _title_slide(slide)
        return
    if presenting:
        st.header(escape_markdown(slide.title), anchor=False)
    else:
        st.subheader(escape_markdown(slide.title), anchor=False)
    if slide.subtitle:
        st.markdown(f"**{escape_markdown(slide.subtitle)}**")
    for table in slide.tables:
        _table(table)
    if slide.figures and slide.kind == "exception" and presenting:
        left, right = st.columns([3, 2], gap="medium")
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
            st.markdown(escape_markdown(slide.narrative))
        return
    _bullets(slide.bullets)
