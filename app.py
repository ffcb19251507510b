"""NLF Planner: the frame only (page config, theme, navigation, shared sidebar)."""

from pathlib import Path

import streamlit as st

from nlf_planner.ui.frame import get_db
from nlf_planner.ui.navigation import PAGES
from nlf_planner.ui.sidebar import render_sidebar

# Presenter mode (Present page): no sidebar, no menu, the slide fills the screen.
presenting = bool(st.session_state.get("presenting"))
st.set_page_config(
    page_title="NLF Planner",
    page_icon=str(Path(__file__).parent / "assets" / "favicon.png"),  # local: works offline
    layout="wide",
    initial_sidebar_state="collapsed" if presenting else "expanded",
)

pages = [
    st.Page(spec.file, title=spec.title, icon=spec.icon, url_path=spec.url_path, default=(i == 0))
    for i, spec in enumerate(PAGES)
]
current = st.navigation(pages, position="hidden" if presenting else "sidebar")
if presenting and current.url_path != "present":
    st.session_state["presenting"] = False  # left the deck by URL: restore the frame
    st.rerun()
if not presenting:
    render_sidebar(get_db())
current.run()
