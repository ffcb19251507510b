"""The Present page's controls: Back/Next (← →, PageUp/PageDown from a clicker), the slide
jump list, full screen (Esc to leave), speaker notes (N), and the deck's choices of region,
plan version and scenarios. Every choice lives in the URL (``slide``, ``region``, ``plan``,
``scenarios``, ``full=1``), so a copied link opens the same slide of the same deck."""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from nlf_planner.deck import MAX_SCENARIOS, Deck
from nlf_planner.geography import ENGLAND_CODE
from nlf_planner.services.deck import DeckOptions
from nlf_planner.ui.frame import query_param, set_query_params
from nlf_planner.ui.plan_state import LATEST, choose_version
from nlf_planner.ui.sidebar import REGION_KEY
from nlf_planner.ui.text import escape_markdown

PRESENTING = "presenting"
NOTES = "present_notes"  # the toggle widget (normal mode)
SHOW_NOTES = "present_show_notes"  # the choice itself, kept across both modes

# Presenter remotes send PageDown/PageUp; the buttons already answer to the arrow keys.
# "Full screen" also asks the browser for real full screen (the Fullscreen API needs the
# click itself, so it listens for it here); leaving the browser's full screen (Esc) leaves
# presenter mode too, so the two never disagree.
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
  document.addEventListener("click", function (e) {
    var root = document.documentElement;
    if (e.target.closest(".st-key-present_full button") && root.requestFullscreen &&
        !document.fullscreenElement) {
      window.__nlfFull = true;
      root.requestFullscreen().catch(function () { window.__nlfFull = false; });
    }
    if (e.target.closest(".st-key-present_exit button") && document.fullscreenElement) {
      window.__nlfFull = false;
      document.exitFullscreen().catch(function () {});
    }
  }, true);
  document.addEventListener("fullscreenchange", function () {
    if (document.fullscreenElement || !window.__nlfFull) return;
    window.__nlfFull = false;
    var exit = document.querySelector(".st-key-present_exit button");
    if (exit) exit.click();
  });
}
</script>
"""

# The control row never truncates a label or wraps the slide count (1024 px and up).
CONTROLS_CSS = """
<style>
.st-key-present_controls button p, .st-key-present_count p { white-space: nowrap; }
.st-key-present_count { justify-content: center; min-height: 2.5rem; }
</style>
"""


# --------------------------------------------------------------------------- choices


def plan_labels(options: DeckOptions) -> dict[str, str]:
    """Plan choices: the current version first, then every saved one; empty with no plan."""
    if not options.plan_versions:
        return {}
    head = options.latest_plan_version
    out = {LATEST: f"Current version (v{head})" if head is not None else "Current version"}
    for p in options.plan_versions:
        out[str(p.version_id)] = f"Version {p.version_id} · {p.author}"
    return out


def scenario_labels(options: DeckOptions) -> dict[str, str]:
    return {s.scenario_id: f"{s.name} (v{s.version})" for s in options.scenarios}


def url_choices(
    regions: Mapping[str, str], plans: Mapping[str, str], scenarios: Mapping[str, str]
) -> tuple[str, str, list[str]]:
    """Region, plan version and scenario ids from the URL, unknown values ignored."""
    region = query_param("region", ENGLAND_CODE, list(regions)) or ENGLAND_CODE
    plan = query_param("plan", LATEST, list(plans)) if plans else LATEST
    wanted = (query_param("scenarios", "") or "").split(",")
    return region, plan or LATEST, [s for s in wanted if s in scenarios]


def plan_version(plan: str) -> int | None:
    """The plan choice as the deck's version number (None = the current version)."""
    return None if plan == LATEST else int(plan)


def slide_number(n: int) -> int:
    """The slide in the URL, kept within the deck (junk falls back to the first)."""
    try:
        value = int(query_param("slide", "1") or 1)
    except ValueError:
        value = 1
    return min(max(value, 1), max(n, 1))


def is_presenting() -> bool:
    """Full screen, from the session or a ``full=1`` link (which reruns once into it)."""
    if query_param("full") == "1" and not st.session_state.get(PRESENTING):
        st.session_state[PRESENTING] = True
        st.rerun()
    return bool(st.session_state.get(PRESENTING))


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
    choose_version(value)  # the shared sidebar takes it on the next run
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


# --------------------------------------------------------------------------- widgets


def _step_buttons(row, number: int, n: int) -> None:
    row.button(
        "Back",
        icon=":material/arrow_back:",
        key="present_back",
        on_click=_go,
        args=(number - 1,),
        disabled=number <= 1,
        shortcut="Left",
        help="Previous slide (← key)",
    )
    with row.container(key="present_count", width="content"):
        st.markdown(f"**Slide {number} of {n}**")
    row.button(
        "Next",
        icon=":material/arrow_forward:",
        key="present_next",
        on_click=_go,
        args=(number + 1,),
        disabled=number >= n,
        shortcut="Right",
        help="Next slide (→ key)",
        type="primary",
    )


def _mode_buttons(row, presenting: bool) -> None:
    if not presenting:
        row.button(
            "Full screen",
            icon=":material/fullscreen:",
            key="present_full",
            on_click=_enter_full_screen,
            help="Hide the sidebar and menus and use large type (Esc to leave)",
            type="primary",
        )
        return
    row.button(
        "Notes",
        icon=":material/speaker_notes:",
        key="present_notes_button",
        on_click=_toggle_notes,
        shortcut="N",
        help="Show or hide the speaker notes (N key)",
    )
    row.button(
        "Exit full screen",
        icon=":material/close_fullscreen:",
        key="present_exit",
        on_click=_exit_full_screen,
        shortcut="Esc",
    )


def navigation(deck: Deck, number: int, presenting: bool) -> None:
    """Back, the slide count, Next, the jump list and the mode buttons in one row that
    wraps rather than truncating a label."""
    titles = {i: f"{i}. {s.title}" for i, s in enumerate(deck.slides, start=1)}
    row = st.container(
        horizontal=True, key="present_controls", vertical_alignment="center", gap="small"
    )
    _step_buttons(row, number, len(deck.slides))
    st.session_state["present_jump"] = number
    with row.container(key="present_jump_box", width=220 if presenting else 300):
        st.selectbox(
            "Jump to slide",
            options=list(titles),
            format_func=titles.get,
            key="present_jump",
            on_change=_jump,
            label_visibility="collapsed",
        )
    _mode_buttons(row, presenting)
    st.html(CONTROLS_CSS)
    st.html(CLICKER_KEYS_JS, unsafe_allow_javascript=True)


def deck_choices(
    regions: Mapping[str, str],
    plans: Mapping[str, str],
    scenarios: Mapping[str, str],
    chosen: tuple[str, str, list[str]],
) -> None:
    """The expander with the deck's region, plan version and scenarios."""
    region, plan, picked = chosen
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
            st.session_state["present_scenarios"] = picked
            c3.multiselect(
                f"Scenarios (up to {MAX_SCENARIOS}; none chosen = all saved)",
                options=list(scenarios),
                format_func=scenarios.get,
                key="present_scenarios",
                on_change=_set_scenarios,
                max_selections=MAX_SCENARIOS,
            )
        else:
            c3.caption("No scenarios saved yet.")


def notes_toggle() -> None:
    """The speaker-notes switch of the normal mode, showing the choice kept across modes."""
    st.session_state[NOTES] = bool(st.session_state.get(SHOW_NOTES))
    st.toggle("Speaker notes", key=NOTES, on_change=_notes_changed)


def speaker_notes(notes: str) -> None:
    if st.session_state.get(SHOW_NOTES) and notes:
        st.info(escape_markdown(notes), icon=":material/speaker_notes:")
