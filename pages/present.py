"""Present: the board deck on screen, one slide at a time, with a full-screen mode and packs.

Everything on a slide comes from ``nlf_planner.deck`` (built once per choice and cached);
the slide number, region, plan version, scenarios and full-screen mode live in the URL, so a
copied link opens the same slide of the same deck.
"""

from __future__ import annotations

from datetime import date
from html import escape

import plotly.graph_objects as go
import streamlit as st

from nlf_planner import export
from nlf_planner.deck import Deck, DeckChoices, Slide, SlideTable, build_deck, figure_data
from nlf_planner.geography import ENGLAND_CODE
from nlf_planner.store import Database
from nlf_planner.store.annotations import rebases_version
from nlf_planner.ui.frame import (
    PLOTLY_CONFIG,
    chart_with_download,
    data_version,
    footer,
    get_db,
    illustrative_notice,
    page_header,
    query_param,
    read_only_banner,
    set_query_params,
)
from nlf_planner.ui.sidebar import REGION_KEY, region_options

PRESENTING = "presenting"
NOTES = "present_notes"  # the toggle widget (normal mode)
SHOW_NOTES = "present_show_notes"  # the choice itself, kept across both modes
LATEST = "latest"
SIDEBAR_PLAN_PENDING = "_plan_version_pending"  # ui.plan_state's slot for a new choice

# Presenter remotes send PageDown/PageUp; the buttons already answer to the arrow keys.
CLICKER_KEYS_JS = """
<script>
if (!window.__nlfClicker) {
  window.__nlfClicker = true;
  document.addEventListener("keydown", function (e) {
    var key = {PageDown: "present_next", PageUp: "present_back"}[e.key];
    if (!key) return;
    var button = document.querySelector(".st-key-" + key + " button");
    if (button && !button.disabled) { e.preventDefault(); button.click(); }
  });
}
</script>
"""

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


# --------------------------------------------------------------------------- state


@st.cache_resource(show_spinner="Building the deck…", max_entries=12)
def _deck(
    path: str,
    version: str,
    region: str,
    plan: int | None,
    scenarios: tuple[str, ...] | None,
    today: date,
) -> Deck:
    """One deck per choice and version of the data, rebases, plan versions and scenarios,
    shared by every session (a read-only object); no expiry, so a presenter never waits
    for a rebuild mid-talk unless something changed."""
    del path, version  # cache keys only
    return build_deck(get_db(), DeckChoices(region, plan, scenarios, today))


@st.cache_resource(show_spinner=False, max_entries=4)
def _images(_deck_obj: Deck, deck_key: str) -> dict[int, bytes]:
    """The deck's charts as PNGs, drawn once and shared by the PowerPoint and the PDF."""
    del deck_key
    return export.render_images(_deck_obj)


@st.cache_resource(show_spinner=False, max_entries=12)
def _pack(_deck_obj: Deck, deck_key: str, fmt: str) -> bytes:
    """An export of one cached deck, made at most once per format."""
    if fmt == "html":
        return export.to_html(_deck_obj)
    images = _images(_deck_obj, deck_key)
    writer = export.to_pptx if fmt == "pptx" else export.to_pdf
    return writer(_deck_obj, images)


def _deck_key(deck: Deck) -> str:
    return f"{deck.title}|{deck.stamp.generated_at.isoformat()}"


def _plan_options(db: Database) -> dict[str, str]:
    from nlf_planner.deck import optional_module

    store = optional_module("nlf_planner.store.plans")
    if store is None:
        return {}
    versions = store.list_versions(db)
    head = versions[versions["is_latest"]]["version_id"] if "is_latest" in versions else []
    out = {LATEST: f"Current version (v{int(head.iloc[0])})" if len(head) else "Current version"}
    for r in versions.itertuples():
        out[str(int(r.version_id))] = f"Version {int(r.version_id)} · {r.author}"
    return out


def _scenario_options(db: Database) -> dict[str, str]:
    from nlf_planner.deck import optional_module

    store = optional_module("nlf_planner.store.scenarios")
    if store is None:
        return {}
    listing = store.list_scenarios(db)
    return {str(r.scenario_id): f"{r.name} (v{int(r.version)})" for r in listing.itertuples()}


def _choices(db: Database, regions, plans, scenarios) -> tuple[str, str, list[str]]:
    """Region, plan version and scenario ids from the URL, unknown values ignored."""
    region = query_param("region", ENGLAND_CODE, list(regions)) or ENGLAND_CODE
    plan = query_param("plan", LATEST, list(plans)) if plans else LATEST
    wanted = (query_param("scenarios", "") or "").split(",")
    chosen = [s for s in wanted if s in scenarios]
    return region, plan or LATEST, chosen


def _slide_number(n: int) -> int:
    try:
        value = int(query_param("slide", "1") or 1)
    except ValueError:
        value = 1
    return min(max(value, 1), max(n, 1))


# --------------------------------------------------------------------------- callbacks


def _go(number: int) -> None:
    st.query_params["slide"] = str(number)


def _jump() -> None:
    _go(int(st.session_state["present_jump"]))


def _set_region() -> None:
    value = st.session_state["present_region"]
    st.session_state[REGION_KEY] = value  # keep the shared sidebar in step
    set_query_params(region=None if value == ENGLAND_CODE else value)


def _set_plan() -> None:
    value = st.session_state["present_plan"]
    # The shared sidebar takes a programmatic choice through its "pending" slot.
    st.session_state[SIDEBAR_PLAN_PENDING] = value
    set_query_params(plan=None if value == LATEST else value)


def _set_scenarios() -> None:
    value = st.session_state["present_scenarios"]
    set_query_params(scenarios=",".join(value) if value else None)


def _enter_full_screen() -> None:
    st.session_state[PRESENTING] = True
    st.query_params["full"] = "1"


def _exit_full_screen() -> None:
    st.session_state[PRESENTING] = False
    if "full" in st.query_params:
        del st.query_params["full"]


def _toggle_notes() -> None:
    st.session_state[SHOW_NOTES] = not st.session_state.get(SHOW_NOTES, False)


def _notes_changed() -> None:
    st.session_state[SHOW_NOTES] = bool(st.session_state[NOTES])


# --------------------------------------------------------------------------- rendering


def _styled(table: SlideTable):
    data = table.data.astype(str)
    if table.fills is None:
        return data
    fills = table.fills.reindex(index=data.index, columns=data.columns).fillna("")
    return data.style.apply(
        lambda col: [f"background-color: {c}" if c else "" for c in fills[col.name]], axis=0
    )


def _figure(fig: go.Figure, presenting: bool) -> go.Figure:
    if not presenting:
        return fig
    big = go.Figure(fig)
    big.update_layout(font={"size": 15}, height=500)
    return big


def _chart(slide: Slide, fig: go.Figure, index: int, presenting: bool) -> None:
    key = f"slide_{slide.key}_{index}"
    if presenting:
        st.plotly_chart(_figure(fig, True), config=PLOTLY_CONFIG, key=key)
    else:
        chart_with_download(fig, figure_data(fig), key=key, summary=slide.narrative)


def _bullets(lines) -> None:
    if lines:
        st.markdown("\n".join(f"- {line}" for line in lines))


def render_slide(deck: Deck, slide: Slide, presenting: bool) -> None:
    if slide.kind == "title":
        items = "".join(f"<li>{escape(b)}</li>" for b in slide.bullets)
        st.html(
            f"<div class='nlf-title-slide'><h1>{escape(slide.title)}</h1>"
            f"<p class='nlf-sub'>{escape(slide.subtitle)}</p><ul>{items}</ul></div>"
            + TITLE_SLIDE_CSS
        )
        return
    if presenting:
        st.header(slide.title, anchor=False)
    else:
        st.subheader(slide.title, anchor=False)
    if slide.subtitle:
        st.markdown(f"**{slide.subtitle}**")
    for table in slide.tables:
        st.table(_styled(table), hide_index=True)
        if table.caption:
            st.caption(table.caption)
    if slide.figures and slide.kind == "exception" and presenting:
        left, right = st.columns([2, 1], gap="large")
        with left:
            for i, fig in enumerate(slide.figures):
                _chart(slide, fig, i, presenting)
        with right:
            _bullets(slide.bullets)
        return
    if slide.figures:
        for i, fig in enumerate(slide.figures):
            _chart(slide, fig, i, presenting)
        if slide.kind == "exception":
            _bullets(slide.bullets)
        elif presenting:
            st.markdown(slide.narrative)
        return
    _bullets(slide.bullets)


def _controls(deck: Deck, number: int, presenting: bool) -> None:
    n = len(deck.slides)
    titles = {i: f"{i}. {s.title}" for i, s in enumerate(deck.slides, start=1)}
    widths = [1.3, 1.1, 1.3, 3.6, 1.6] if not presenting else [1, 1.4, 1, 3.8, 1.2, 1.6]
    cols = st.columns(widths)
    cols[0].button(
        "Back",
        icon=":material/arrow_back:",
        key="present_back",
        on_click=_go,
        args=(number - 1,),
        disabled=number <= 1,
        shortcut="Left",
        help="Previous slide (← key)",
        width="stretch",
    )
    cols[1].markdown(f"**Slide {number} of {n}**")
    cols[2].button(
        "Next",
        icon=":material/arrow_forward:",
        key="present_next",
        on_click=_go,
        args=(number + 1,),
        disabled=number >= n,
        shortcut="Right",
        help="Next slide (→ key)",
        type="primary",
        width="stretch",
    )
    st.session_state["present_jump"] = number
    cols[3].selectbox(
        "Jump to slide",
        options=list(titles),
        format_func=titles.get,
        key="present_jump",
        on_change=_jump,
        label_visibility="collapsed",
    )
    if presenting:
        cols[4].button(
            "Notes",
            icon=":material/speaker_notes:",
            key="present_notes_button",
            on_click=_toggle_notes,
            shortcut="N",
            help="Show or hide the speaker notes (N key)",
            width="stretch",
        )
        cols[5].button(
            "Exit full screen",
            icon=":material/close_fullscreen:",
            key="present_exit",
            on_click=_exit_full_screen,
            shortcut="Esc",
            width="stretch",
        )
    else:
        cols[4].button(
            "Full screen",
            icon=":material/fullscreen:",
            key="present_full",
            on_click=_enter_full_screen,
            help="Hide the sidebar and menus and use large type (Esc to leave)",
            type="primary",
            width="stretch",
        )


def _deck_choices(regions, plans, scenarios, region, plan, chosen) -> None:
    with st.expander("Deck choices: region, plan version, scenarios", expanded=False):
        c1, c2, c3 = st.columns(3)
        st.session_state["present_region"] = region
        c1.selectbox(
            "Region",
            options=list(regions),
            format_func=regions.get,
            key="present_region",
            on_change=_set_region,
            help="The deck's geography: England compares the seven regions; a region "
            "compares its ICSs.",
        )
        if plans:
            st.session_state["present_plan"] = plan
            c2.selectbox(
                "Plan version",
                options=list(plans),
                format_func=plans.get,
                key="present_plan",
                on_change=_set_plan,
            )
        else:
            c2.caption("No plan saved yet.")
        if scenarios:
            st.session_state["present_scenarios"] = chosen
            c3.multiselect(
                "Scenarios (up to 4; none chosen = all saved)",
                options=list(scenarios),
                format_func=scenarios.get,
                key="present_scenarios",
                on_change=_set_scenarios,
                max_selections=4,
            )
        else:
            c3.caption("No scenarios saved yet.")


def _sections(deck: Deck) -> None:
    included = ", ".join(f"{s.label} ({s.slides})" for s in deck.sections if s.included)
    st.caption(f"Slides in this deck: {included}.")
    for s in deck.missing():
        st.caption(f":material/info: Not in this deck: {s.label} — {s.reason}.")


def _downloads(deck: Deck) -> None:
    cols = st.columns(3)
    images = export.images_available()
    labels = {"pptx": "PowerPoint (.pptx)", "pdf": "PDF", "html": "Offline HTML"}
    icons = {"pptx": ":material/slideshow:", "pdf": ":material/picture_as_pdf:"}
    waits = {
        "pptx": "Takes 10–30 seconds after you click: every chart is drawn as an image.",
        "pdf": "Takes 10–30 seconds after you click: every chart is drawn as an image.",
        "html": "One file that opens in any browser, with no network: ← → to move.",
    }
    for col, fmt in zip(cols, ("pptx", "pdf", "html"), strict=True):
        ok = images or fmt == "html"
        col.download_button(
            f"Download {labels[fmt]}",
            data=(lambda f=fmt: _pack(deck, _deck_key(deck), f)) if ok else b"",
            file_name=export.file_name(deck, fmt),
            mime=export.MIME[fmt],
            key=f"present_download_{fmt}",
            on_click="ignore",
            icon=icons.get(fmt, ":material/html:"),
            disabled=not ok,
            width="stretch",
            help=waits[fmt],
        )
    if not images:
        st.warning(export.INSTALL_HINT, icon=":material/warning:")
    st.caption(
        "Packs carry the same slides, stamped with: " + deck.stamp.footer().replace(" · ", "; ")
    )


# --------------------------------------------------------------------------- page

db = get_db()
regions = region_options(db)
plans = _plan_options(db)
scenario_opts = _scenario_options(db)
region, plan, chosen = _choices(db, regions, plans, scenario_opts)
if query_param("full") == "1" and not st.session_state.get(PRESENTING):
    st.session_state[PRESENTING] = True
    st.rerun()
presenting = bool(st.session_state.get(PRESENTING))

if not presenting:
    page_header(
        "Board deck",
        "The board pack from live data, in the order boards read it: summary, exceptions, "
        "regions, plan, scenarios. Present it full screen or download it.",
    )
    read_only_banner(db)
    illustrative_notice(db)
else:
    st.html(FULL_SCREEN_CSS)

plan_id = None if plan == LATEST else int(plan)
try:
    versions = "|".join(
        [
            data_version(db),
            rebases_version(db),
            ",".join(plans),
            ",".join(f"{k}={v}" for k, v in scenario_opts.items()),
        ]
    )
    deck = _deck(
        str(db.path),
        versions,
        region,
        plan_id,
        tuple(chosen) if chosen else None,
        date.today(),
    )
except Exception as exc:  # noqa: BLE001 - a presenter sees a message, never a traceback
    st.error(f"The deck could not be built: {exc}")
    st.stop()

number = _slide_number(len(deck.slides))
if query_param("slide") != str(number):
    set_query_params(slide=number)
slide = deck.slides[number - 1]

_controls(deck, number, presenting)
st.html(CLICKER_KEYS_JS, unsafe_allow_javascript=True)
if not presenting:
    _deck_choices(regions, plans, scenario_opts, region, plan, chosen)
    _downloads(deck)
    _sections(deck)
    with st.container(border=True):
        render_slide(deck, slide, presenting)
    st.session_state[NOTES] = bool(st.session_state.get(SHOW_NOTES))
    st.toggle("Speaker notes", key=NOTES, on_change=_notes_changed)
else:
    render_slide(deck, slide, presenting)
if st.session_state.get(SHOW_NOTES) and slide.notes:
    st.info(slide.notes, icon=":material/speaker_notes:")
if presenting:
    st.caption(deck.stamp.footer())
else:
    footer(db)
