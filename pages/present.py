"""Present: the board deck on screen, one slide at a time, with a full-screen mode and packs.

Everything on a slide comes from the board-deck service (built once per choice and cached);
the slide number, region, plan version, scenarios and full-screen mode live in the URL, so a
copied link opens the same slide of the same deck. Stepping through the deck (Back, Next,
the jump list, notes) reruns only the slide's fragment, not the page.
"""

from __future__ import annotations

import streamlit as st

from nlf_planner.services import deck as deck_service
from nlf_planner.services.errors import ServiceError
from nlf_planner.ui.frame import (
    footer,
    get_db,
    illustrative_notice,
    page_header,
    query_param,
    read_only_banner,
    set_query_params,
    show_error,
)
from nlf_planner.ui.present_controls import (
    PRESENTING,
    deck_choices,
    is_presenting,
    navigation,
    notes_toggle,
    plan_labels,
    plan_version,
    scenario_labels,
    slide_number,
    speaker_notes,
    url_choices,
)
from nlf_planner.ui.present_deck import current_deck
from nlf_planner.ui.present_packs import downloads, sections
from nlf_planner.ui.present_slides import fit_to_window, full_screen_style, render_slide
from nlf_planner.ui.sidebar import region_options
from nlf_planner.ui.text import escape_markdown


def _deck(db, options, chosen):
    region, plan, picked = chosen
    try:
        return current_deck(db, options, region, plan_version(plan), picked)
    except ServiceError as exc:
        show_error(exc)
    except Exception as exc:  # noqa: BLE001 - a presenter sees a message, never a traceback
        st.error(f"The deck could not be built: {escape_markdown(exc)}")
    st.stop()


@st.fragment
def slide_view(presenting: bool, chosen) -> None:
    """The control row, the slide and its notes: a step reruns just this."""
    if bool(st.session_state.get(PRESENTING)) != presenting:
        st.rerun()  # full screen on or off changes the whole page
    db = get_db()  # re-pin the data version for this fragment run
    deck = _deck(db, deck_service.deck_options(db), chosen)
    number = slide_number(len(deck.slides))
    if query_param("slide") != str(number):
        set_query_params(slide=number)
    slide = deck.slides[number - 1]
    navigation(deck, number, presenting)
    if presenting:
        with st.container(key="present_slide"):
            render_slide(slide, presenting)
            speaker_notes(slide.notes)
            st.caption(escape_markdown(deck.stamp.footer()))
        fit_to_window()
        return
    else:
        with st.container(border=True):
            render_slide(slide, presenting)
        notes_toggle()
    speaker_notes(slide.notes)


db = get_db()
options = deck_service.deck_options(db)
regions = region_options(db)
plans = plan_labels(options)
scenarios = scenario_labels(options)
chosen = url_choices(regions, plans, scenarios)
presenting = is_presenting()

if presenting:
    full_screen_style()
else:
    page_header(
        "Board deck",
        "The board pack from live data, in the order boards read it: summary, exceptions, "
        "regions, plan, scenarios. Present it full screen or download it.",
    )
    read_only_banner(db)
    illustrative_notice(db)
    deck = _deck(db, options, chosen)
    deck_choices(regions, plans, scenarios, chosen)
    downloads(deck)
    sections(deck)

slide_view(presenting, chosen)
if not presenting:
    footer(db)
