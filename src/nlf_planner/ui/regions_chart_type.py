"""Which control chart the Regions measure view's limits come from, and (for a data manager
for all England) the choice between the XmR chart, the p-chart and the Laney p′-chart, with
the suggestion from the data, a reason, and Confirm.

A measure's chart is England-level: it applies to every series of the measure (England, the
regions and the ICBs), so a region-scoped data manager sees the choice as viewing only. The
write runs in the form's callback (before the script), through the chart-types service,
which checks the person and the rules again; the outcome is shown on the next run.
"""

from __future__ import annotations

import streamlit as st

from nlf_planner.chart_choice import LABELS, MAX_REASON, why_only_xmr
from nlf_planner.services import chart_types as chart_type_service
from nlf_planner.services.access import region_scope
from nlf_planner.services.actor import Role
from nlf_planner.services.database import Database
from nlf_planner.services.errors import ServiceError
from nlf_planner.services.regions_view import MeasureView
from nlf_planner.ui.frame import current_actor, format_date, require_actor, show_outcome
from nlf_planner.ui.text import escape_markdown

FLASH = "chart_type_flash"
PANEL = "chart_type_panel"
PANEL_LABEL = "Chart type for this measure (every area)"


def _keys(code: str) -> tuple[str, str]:
    """Widget keys per measure, so a choice left on one measure never shows on another."""
    return f"chart_type_choice_{code}", f"chart_type_reason_{code}"


def _confirm(db: Database, code: str) -> None:
    choice_key, reason_key = _keys(code)
    try:
        chart_type_service.set_chart_type(
            db,
            current_actor(),
            code,
            st.session_state.get(choice_key),
            st.session_state.get(reason_key, ""),
        )
    except ServiceError as exc:
        st.session_state[FLASH] = exc
        return
    st.session_state[reason_key] = ""
    label = LABELS.get(st.session_state.get(choice_key), "chosen chart")
    st.session_state[FLASH] = (
        f"Saved: this measure's limits now come from the {label}, in every area."
    )


def _caption(db: Database, view: MeasureView) -> None:
    """ "Limits from: …" for everyone, with who chose a p-chart and why."""
    result = view.result
    st.markdown(f"**Limits from:** {result.chart_label}")  # a fixed label, no user text
    record = chart_type_service.chart_type_record(db, view.measure.code)
    if record is not None:
        st.caption(
            escape_markdown(
                f"Chosen for this measure by {record['author']} on "
                f"{format_date(record['changed_at'])}: {record['reason']}"
            )
        )
    note = getattr(result, "chart_type_note", None)
    if note:
        st.caption(escape_markdown(note))


def _form(db: Database, view: MeasureView, allowed: tuple[str, ...]) -> None:
    code = view.measure.code
    choice_key, reason_key = _keys(code)
    current = chart_type_service.chart_type(db, code)
    suggestion = chart_type_service.suggestion(db, None, code)
    st.info(
        escape_markdown(f"Suggested: {suggestion.label}. {suggestion.reason}"),
        icon=":material/lightbulb:",
    )
    with st.form(f"chart_type_{code}"):
        st.radio(
            "Limits from",
            list(allowed),
            index=list(allowed).index(current) if current in allowed else 0,
            format_func=lambda c: LABELS.get(c, c),
            horizontal=True,
            key=choice_key,
            help="One chart for every area of this measure. p-charts take each period's "
            "limits from its denominator; the Laney p′-chart also allows for the extra "
            "variation between periods that large denominators show.",
        )
        st.text_input("Reason (required)", max_chars=MAX_REASON, key=reason_key)
        st.form_submit_button("Confirm", on_click=_confirm, args=(db, code))


def render_chart_type(db: Database, view: MeasureView) -> None:
    """The chart the limits come from, and (in a panel drawn only while open) the choice
    for someone who may change it."""
    if view.result is None or view.result.empty:
        return
    _caption(db, view)
    show_outcome(FLASH)
    # Its contents are drawn only while it is open (a closed panel's form cost every rerun
    # of the view about 1 ms); after a Confirm it is still open, as the person left it.
    panel = st.expander(PANEL_LABEL, key=PANEL, on_change="rerun")
    with panel:
        if not panel.open:
            return
        actor = require_actor("change the chart this measure's limits come from", Role.DATA_MANAGER)
        if actor is None:
            return
        if region_scope(actor) is not None:
            st.info(
                "Viewing only: a measure's chart type applies to every area, so it is set by "
                "a data manager for all England.",
                icon=":material/visibility:",
            )
            return
        allowed = chart_type_service.allowed(db, view.measure.code)
        if len(allowed) < 2:
            counts = chart_type_service.has_counts(db, view.measure.code)
            st.info(escape_markdown(why_only_xmr(view.measure.unit, counts) or ""))
            return
        _form(db, view, allowed)
