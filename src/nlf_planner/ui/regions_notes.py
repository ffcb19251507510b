"""Notes and rebases on one SPC chart: the lists, the forms, and the writes (through the
annotations service, which checks the person and the rules).

Writes run in widget callbacks (before the script), so a rerun can never drop a click; the
outcome is kept in session state and shown on the next run.

The panel draws its lists and forms only while it is open (a closed panel costs a rerun of
the measure view almost nothing, issue 12); opening or closing it reruns the view's
fragment, and it stays open after a save inside it.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from nlf_planner.annotations import MAX_TEXT, earliest
from nlf_planner.services import annotations as annotation_service
from nlf_planner.services.actor import Role
from nlf_planner.services.database import Database
from nlf_planner.services.errors import ServiceError
from nlf_planner.services.regions_view import MeasureView
from nlf_planner.ui.frame import current_actor, format_date, require_actor, show_outcome

FLASH = "regions_flash"
#: The panel's open state (a widget: opening or closing it reruns the measure view).
PANEL = "notes_panel"
PANEL_LABEL = "Notes on this chart (events, rebases)"


def _save(work: Callable[[], object], done: str, clear: str | None = None) -> None:
    """Run a write for the person in the sidebar; keep the outcome for the next run."""
    try:
        work()
    except ServiceError as exc:
        st.session_state[FLASH] = exc
        return
    if clear:
        st.session_state[clear] = ""
    st.session_state[FLASH] = done


def _add_note(db: Database, code: str, geo: str) -> None:
    this_chart = st.session_state.get("note_scope") == "This chart only"
    _save(
        lambda: annotation_service.add_note(
            db,
            current_actor(),
            period=st.session_state.get("note_date"),
            text=st.session_state.get("note_text", ""),
            measure_code=code if this_chart else None,
            geo_code=geo if this_chart else None,
        ),
        "Note added.",
        clear="note_text",
    )


def _add_rebase(db: Database, code: str, geo: str) -> None:
    _save(
        lambda: annotation_service.add_rebase(
            db,
            current_actor(),
            measure_code=code,
            geo_code=geo,
            period=st.session_state.get("rebase_date"),
            reason=st.session_state.get("rebase_reason", ""),
        ),
        "Rebased: the limits are recalculated from that date.",
        clear="rebase_reason",
    )


def _remove_rebase(db: Database) -> None:
    _save(
        lambda: annotation_service.remove_rebase(
            db,
            current_actor(),
            int(st.session_state["rebase_remove"]),
            reason=st.session_state.get("rebase_remove_reason", ""),
        ),
        "Rebase removed.",
    )


def _suggestion(view: MeasureView) -> None:
    if view.suggested_rebase:
        st.info(
            f"A sustained shift has run since {view.suggested_rebase:%B %Y}. If the change is "
            "real and understood, a person may rebase the limits from that date (below).",
            icon=":material/lightbulb:",
        )


def _note_form(db: Database, view: MeasureView) -> None:
    with st.form("add_note"):
        st.markdown("**Add an event note** (for example, 'programme launched')")
        a, b = st.columns([1, 3])
        a.date_input("Date", value=view.result.latest_period, min_value=earliest(), key="note_date")
        b.text_input("What happened", max_chars=MAX_TEXT, key="note_text")
        st.radio("Show on", ["This chart only", "Every chart"], horizontal=True, key="note_scope")
        st.form_submit_button(
            "Add note", on_click=_add_note, args=(db, view.measure.code, view.geo_code)
        )


def _rebase_form(db: Database, view: MeasureView) -> None:
    with st.form("add_rebase"):
        st.markdown("**Rebase the limits** (after a real, understood, sustained change)")
        a, b = st.columns([1, 3])
        a.date_input(
            "From",
            value=view.suggested_rebase or view.result.latest_period,
            min_value=earliest(),
            key="rebase_date",
        )
        b.text_input("Reason (required)", max_chars=MAX_TEXT, key="rebase_reason")
        st.form_submit_button(
            "Rebase", on_click=_add_rebase, args=(db, view.measure.code, view.geo_code)
        )


def _rebase_list(db: Database, view: MeasureView) -> None:
    rebases = view.rebases
    if rebases is None or rebases.empty:
        return
    st.dataframe(rebases[["period", "reason", "author"]], hide_index=True)
    periods = dict(zip(rebases.rebase_id, rebases.period, strict=True))
    st.selectbox(
        "Remove a rebase",
        list(periods),
        format_func=lambda i: format_date(periods[i]),
        key="rebase_remove",
    )
    st.text_input("Reason for removing", key="rebase_remove_reason")
    st.button("Remove rebase", key="rebase_remove_btn", on_click=_remove_rebase, args=(db,))


def render_notes(db: Database, view: MeasureView) -> None:
    """The suggested rebase and the outcome of the last save, then the notes panel, its
    contents drawn only while it is open."""
    _suggestion(view)
    show_outcome(FLASH)
    panel = st.expander(PANEL_LABEL, key=PANEL, on_change="rerun")
    with panel:
        if not panel.open:
            return
        require_actor("add notes or rebase this chart", Role.DATA_MANAGER)
        if view.notes is not None and not view.notes.empty:
            st.dataframe(view.notes[["period", "text", "author"]], hide_index=True)
        _note_form(db, view)
        _rebase_form(db, view)
        _rebase_list(db, view)
