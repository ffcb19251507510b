"""NLF Planner: the frame only (page config, who is signed in, navigation, shared sidebar)."""

from pathlib import Path

import streamlit as st

from nlf_planner.ui.frame import PRODUCT_NAME, get_db, settle_heap, unexpected_errors_reported
from nlf_planner.ui.navigation import PAGES
from nlf_planner.ui.sidebar import render_sidebar
from nlf_planner.ui.signin import resolve_actor
from nlf_planner.ui.styles import apply_global_styles, hidden_heading

settle_heap()  # the sweep Streamlit runs after every run skips what earlier sweeps kept

# Presenter mode (Present page): no sidebar, no menu, the slide fills the screen.
presenting = bool(st.session_state.get("presenting"))
st.set_page_config(
    page_title=PRODUCT_NAME,
    page_icon=str(Path(__file__).parent / "assets" / "favicon.png"),  # local: works offline
    layout="wide",
    initial_sidebar_state="collapsed" if presenting else "expanded",
)
apply_global_styles()  # contrast and focus rings the theme cannot set (WCAG 2.2 AA)

# Nobody reaches a page before this: it returns the signed-in person (or, in local mode on
# 127.0.0.1, the one local admin), else draws the sign-in or refusal page and stops.
db = get_db()
resolve_actor(db)

pages = [
    st.Page(spec.file, title=spec.title, icon=spec.icon, url_path=spec.url_path, default=(i == 0))
    for i, spec in enumerate(PAGES)
]
current = st.navigation(pages, position="hidden" if presenting else "sidebar")
st.set_page_config(page_title=f"{current.title} · {PRODUCT_NAME}")  # each page its own tab title
if presenting and current.url_path != "present":
    st.session_state["presenting"] = False  # left the deck by URL: restore the frame
    st.rerun()
with unexpected_errors_reported():  # a plain message and a reference, never a traceback
    if not presenting:
        render_sidebar(db)
    else:  # one h1 on every page: the full-screen deck shows only the slide's own heading
        hidden_heading(next(s.heading for s in PAGES if s.url_path == current.url_path))
    current.run()
