"""Engagement: stakeholders and their influence/interest map, events on a timeline, the
engagement log, and which priority areas and regions have had too little engagement.

The page reads its state (tabs and filters, bound to the URL so a copied link reproduces the
view), asks the engagement service for the data and hands it to the widgets in
``ui/engagement_*``. Every change goes through the service, which checks the person and the
rules; the forms show what it says.
"""

from datetime import date

import streamlit as st

from nlf_planner.engagement import (
    COVERAGE_PERIODS,
    EVENT_TYPES,
    EVENT_WINDOWS,
    GROUPS,
    coverage_period,
    event_window,
)
from nlf_planner.services import engagement as engagement_service
from nlf_planner.settings import get_settings
from nlf_planner.ui import engagement_coverage as coverage_ui
from nlf_planner.ui import engagement_events as events_ui
from nlf_planner.ui import engagement_log as log_ui
from nlf_planner.ui import engagement_stakeholders as stakeholders_ui
from nlf_planner.ui.engagement_forms import Choices, pick_from_table, sensitive, show_flash
from nlf_planner.ui.frame import (
    current_actor,
    footer,
    get_db,
    page_header,
    read_only_banner,
    require_actor,
)

TABS = ["Stakeholders", "Events", "Engagement log", "Coverage"]

db = get_db()
today = date.today()
actor = current_actor()
choices = Choices(
    codes=engagement_service.reference_codes(db),
    people=engagement_service.stakeholder_choices(db),
    today=today,
)

page_header(
    "Engagement",
    "Running the programme that builds the framework with people: who to engage, what has "
    "happened, and where engagement has been thin.",
)
read_only_banner(db)
st.caption(
    "Seeded records come from the June 2016 draft's engagement section (names, dated "
    "workshops, the July–October phase); their interest and influence scores, trust regions "
    "and priority-area tags are starting judgements for the team to revise."
)
show_flash()


@st.fragment
def people_view() -> None:
    """The Stakeholders tab; its filters rerun only this fragment."""
    db = get_db()  # re-pins the data version when the fragment reruns alone
    left, right = st.columns([2, 1])  # the toggle's label fits at 1024 px
    groups = left.multiselect(
        "Group",
        list(GROUPS),
        format_func=GROUPS.get,
        key="group",
        bind="query-params",
        placeholder="All groups",
    )
    show_retired = right.toggle(
        "Show retired",
        key="retired",
        bind="query-params",
        help="Retired stakeholders are kept in the log and history but left off the map.",
    )
    chosen = groups or None
    people = engagement_service.stakeholders(
        db, include_retired=show_retired, groups=chosen, as_of=today
    )
    active = engagement_service.active(people)
    stakeholders_ui.quadrant_metrics(active)
    export = sensitive(
        lambda: engagement_service.stakeholder_export(db, actor, groups=chosen, as_of=today)
    )
    stakeholders_ui.stakeholder_map(db, active, export, (tuple(sorted(groups)), today))
    people_pick = stakeholders_ui.stakeholder_table(people)
    if require_actor("add or change stakeholders"):  # viewers: the list, not the forms
        stakeholders_ui.add_stakeholder_form(db, choices)
        clicked = pick_from_table(people_pick, people["stakeholder_id"], "edit_choice")
        stakeholders_ui.edit_stakeholder_panel(db, choices, expanded=clicked)


@st.fragment
def events_view() -> None:
    """The Events tab; its filters rerun only this fragment."""
    db = get_db()
    c1, c2 = st.columns([2, 3])
    window = c1.selectbox(
        "Dates",
        list(EVENT_WINDOWS),
        format_func=EVENT_WINDOWS.get,
        key="window",
        bind="query-params",
    )
    types = c2.multiselect(
        "Type",
        list(EVENT_TYPES),
        format_func=EVENT_TYPES.get,
        key="types",
        bind="query-params",
        placeholder="All types",
    )
    span = event_window(window, today)
    events = engagement_service.events(db, since=span[0], until=span[1], types=types or None)
    events_ui.events_timeline(db, events, span, (window, tuple(sorted(types)), today))
    event_pick = events_ui.events_table(events)
    if require_actor("add or change events"):
        labels = events_ui.event_labels(engagement_service.events(db))
        events_ui.add_event_form(db, choices)
        event_clicked = pick_from_table(event_pick, events["event_id"], "edit_event_choice")
        events_ui.edit_event_panel(db, choices, labels, expanded=event_clicked)


@st.fragment
def log_view() -> None:
    """The Engagement log tab; choosing a stakeholder reruns only this fragment."""
    db = get_db()
    st.subheader("Engagement log")
    st.caption("Who took part in which event: one row per stakeholder per event, newest first.")
    who = st.selectbox(
        "Stakeholder",
        list(choices.people.names),
        format_func=choices.people.names.get,
        index=None,
        placeholder="Everyone",
        key="who",
        bind="query-params",
    )
    log_ui.log_table(engagement_service.engagement_log(db, stakeholder_id=who))
    if require_actor("log a contact"):
        labels = events_ui.event_labels(engagement_service.events(db))
        log_ui.log_contact_form(db, choices, labels)


@st.fragment
def coverage_view() -> None:
    """The Coverage tab; its period and days settings rerun only this fragment."""
    db = get_db()
    period = st.selectbox(
        "Period",
        list(COVERAGE_PERIODS),
        format_func=COVERAGE_PERIODS.get,
        key="period",
        bind="query-params",
    )
    since, until = coverage_period(period, today)
    coverage_ui.coverage_heatmap(
        db,
        engagement_service.coverage(db, since=since, until=until),
        choices.codes,
        (period, today),
    )

    st.subheader("Not contacted recently")
    days = st.number_input(
        "Not contacted for more than (days)",
        min_value=0,
        max_value=20000,
        value=get_settings().stale_days,
        step=30,
        key="days",
        bind="query-params",
    )
    quiet = engagement_service.not_contacted(db, int(days), as_of=today)
    quiet_export = sensitive(
        lambda: engagement_service.not_contacted_export(db, actor, int(days), as_of=today)
    )
    coverage_ui.not_contacted_list(quiet, int(days), today, quiet_export)


# Only the open tab runs: the others cost nothing until they are chosen.
tabs = st.tabs(TABS, key="tab", bind="query-params", on_change="rerun")
for tab, view in zip(tabs, (people_view, events_view, log_view, coverage_view), strict=True):
    with tab:
        if tab.open or (tab.open is None and view is people_view):
            view()

footer(db)
