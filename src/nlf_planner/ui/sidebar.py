"""The shared sidebar: region, who is signed in (and sign-out), plan version. Rendered by
app.py on every page so the choices persist across pages (widget state belongs to the page
that draws it)."""

from __future__ import annotations

import streamlit as st

from nlf_planner import __version__
from nlf_planner.geography import ENGLAND_CODE
from nlf_planner.services import database as database_service
from nlf_planner.services import reference as reference_service
from nlf_planner.services.database import Database
from nlf_planner.services.users import roles_text
from nlf_planner.ui import signin
from nlf_planner.ui.frame import current_actor, format_as_of, query_param, set_query_params
from nlf_planner.ui.plan_state import plan_version_selector
from nlf_planner.ui.text import escape_markdown

REGION_KEY = "region"


def region_options(db: Database) -> dict[str, str]:
    return reference_service.region_options(db)


def selected_region() -> str:
    """The region chosen in the sidebar (England's code when none)."""
    return str(st.session_state.get(REGION_KEY) or ENGLAND_CODE)


def identity_block(db: Database) -> None:
    """Who the changes will be recorded as, with what roles, and the way out."""
    actor = current_actor()
    if actor is None:
        return
    if signin.local_mode():
        st.markdown("**Local mode: no sign-in**")
        st.caption(
            f"Acting as {escape_markdown(actor.display_name)}, with every role, on this "
            "computer only."
        )
        return
    st.markdown(f"Signed in as **{escape_markdown(actor.display_name)}**")
    lines = [escape_markdown(actor.email)] if actor.email else []
    lines.append(f"Role: {roles_text(actor)}")
    if actor.region_code:
        name = reference_service.region_name(db, actor.region_code)
        lines.append(f"Region scope: {escape_markdown(name)}")
    st.caption("  \n".join(lines))
    if st.button("Sign out", key="sign_out", icon=":material/logout:"):
        signin.sign_out(db, actor)


def render_sidebar(db: Database) -> None:
    with st.sidebar:
        options = region_options(db)
        if st.session_state.get(REGION_KEY) not in options:
            # A shared link opens on its region; unknown codes in the URL are ignored.
            st.session_state[REGION_KEY] = query_param(REGION_KEY, ENGLAND_CODE, list(options))
        region = st.selectbox(
            "Region",
            options=list(options),
            format_func=options.get,
            key=REGION_KEY,
            help="Pages that show one geography start from this region.",
        )
        set_query_params(**{REGION_KEY: None if region == ENGLAND_CODE else region})
        identity_block(db)
        plan_version_selector()
        # One caption, not three: every element is a message each run sends the browser.
        facts = [f"Data as of {format_as_of(database_service.data_as_of(db))}"]
        if db.read_only:
            facts.append(":material/lock: Read-only")
        facts.append(f"NLF Planner {__version__}")
        st.caption("  \n".join(facts))
