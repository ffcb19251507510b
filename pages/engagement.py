"""Engagement: stakeholders and their influence/interest map, events on a timeline, the
engagement log, and which priority areas and regions have had too little engagement."""

from collections.abc import Callable
from datetime import date, timedelta

import pandas as pd
import streamlit as st

from nlf_planner.charts import engagement as charts
from nlf_planner.engagement import (
    EVENT_TYPES,
    GROUPS,
    HIGH_FROM,
    NATIONAL_LABEL,
    QUADRANT_HELP,
    EngagementValidationError,
    coverage_long,
    quadrant_counts,
)
from nlf_planner.exports_tables import to_csv_bytes
from nlf_planner.settings import get_settings
from nlf_planner.store import StoreError
from nlf_planner.store import engagement as store
from nlf_planner.ui.frame import (
    chart_with_download,
    footer,
    format_date,
    get_db,
    page_header,
    read_only_banner,
    require_user,
)

FLASH = "engagement_flash"
TABS = ["Stakeholders", "Events", "Engagement log", "Coverage"]
WINDOWS = {
    "all": "All dates",
    "2016": "2016 framework engagement (Apr 2016 – Jan 2017)",
    "recent": "Last 12 months and next 6 months",
}
PERIODS = {
    "all": "All time",
    "2016": "2016 framework engagement (Apr 2016 – Jan 2017)",
    "3y": "Last 3 years",
    "12m": "Last 12 months",
}
DATE_FORMAT = "DD/MM/YYYY"

db = get_db()
today = date.today()
codes = store.reference_codes(db)
region_options = ["", *codes.regions]


def region_label(code: str | None) -> str:
    return codes.regions.get(code, NATIONAL_LABEL) if code else NATIONAL_LABEL


def save(work: Callable[[str], str], action: str) -> None:
    """Run one write for the named person; show every problem, or confirm and refresh."""
    user = require_user(action)
    if not user:
        return
    try:
        message = work(user)
    except EngagementValidationError as exc:
        st.error("Not saved. " + " ".join(f"• {p}" for p in exc.problems))
        return
    except (StoreError, LookupError, ValueError) as exc:
        st.error(f"Not saved. {exc}")
        return
    st.session_state[FLASH] = message
    st.rerun()


def pick_from_table(selection, ids: pd.Series, target: str) -> bool:
    """A row clicked in a table chooses it in the edit form below (once per new click)."""
    rows = selection.selection.rows if selection is not None else []
    if not rows:
        st.session_state.pop(f"{target}_clicked", None)
        return False
    picked = int(ids.iloc[rows[0]])
    if st.session_state.get(f"{target}_clicked") != picked:
        st.session_state[f"{target}_clicked"] = picked
        st.session_state[target] = picked
    return True


def download(df: pd.DataFrame, label: str, file_name: str, key: str) -> None:
    st.download_button(
        label,
        data=to_csv_bytes(df),
        file_name=file_name,
        mime="text/csv",
        key=key,
        on_click="ignore",
        icon=":material/download:",
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
if FLASH in st.session_state:
    st.success(st.session_state.pop(FLASH), icon=":material/check_circle:")

tab_people, tab_events, tab_log, tab_coverage = st.tabs(
    TABS, key="tab", bind="query-params", on_change="rerun"
)

# --- stakeholders --------------------------------------------------------------------------

with tab_people:
    left, right = st.columns([3, 1])
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
    people = store.load_stakeholders(
        db, include_retired=show_retired, groups=groups or None, as_of=today
    )
    active = people[~people["retired"]] if len(people) else people
    counts = quadrant_counts(active) if len(active) else dict.fromkeys(QUADRANT_HELP, 0)
    for col, (name, n) in zip(st.columns(4), counts.items(), strict=True):
        col.metric(name, n, help=QUADRANT_HELP[name].capitalize())

    export_cols = [
        "name", "group_label", "region_name", "interest", "influence", "quadrant", "owner",
        "latest_contact", "next_step", "events", "seeded", "retired",
    ]  # fmt: skip
    chart_with_download(
        charts.influence_interest_map(active),
        active[export_cols] if len(active) else pd.DataFrame(columns=export_cols),
        key="stakeholder_map",
        summary=charts.map_summary(active),
        file_name="stakeholders.csv",
    )
    st.caption(
        f"A score of {HIGH_FROM} or 5 counts as high (the dashed lines sit at "
        f"{HIGH_FROM - 0.5}). Stakeholders sharing scores are stacked inside their cell; "
        "hover for full names, owner and next step."
    )

    st.subheader("Stakeholders")
    st.caption("Click a row to edit or retire that stakeholder.")
    people_pick = st.dataframe(
        people[export_cols].fillna({"owner": "", "next_step": ""}),
        hide_index=True,
        column_config={
            "name": st.column_config.TextColumn("Name", width="large"),
            "group_label": "Group",
            "region_name": "Region",
            "interest": st.column_config.NumberColumn("Interest (1–5)"),
            "influence": st.column_config.NumberColumn("Influence (1–5)"),
            "quadrant": "Quadrant",
            "owner": "Owner",
            "latest_contact": st.column_config.DateColumn(
                "Last contact",
                format="D MMM YYYY",
                help="The later of the date entered and the latest linked event.",
            ),
            "next_step": st.column_config.TextColumn("Next step", width="large"),
            "events": st.column_config.NumberColumn("Events"),
            "seeded": st.column_config.CheckboxColumn("Seeded"),
            "retired": st.column_config.CheckboxColumn("Retired"),
        },
        key="stakeholder_table",
        on_select="rerun",
        selection_mode="single-row",
    )

    with st.expander("Add a stakeholder", icon=":material/person_add:"):
        with st.form("add_stakeholder"):
            name = st.text_input("Name", key="add_name", max_chars=200)
            c1, c2 = st.columns(2)
            group = c1.selectbox("Group", list(GROUPS), format_func=GROUPS.get, key="add_group")
            region = c2.selectbox(
                "Region", region_options, format_func=region_label, key="add_region"
            )
            interest = c1.slider("Interest (1 = low, 5 = high)", 1, 5, 3, key="add_interest")
            influence = c2.slider("Influence (1 = low, 5 = high)", 1, 5, 3, key="add_influence")
            owner = c1.text_input("Owner (who in the team leads)", key="add_owner")
            last = c2.date_input(
                "Last contact", value=None, max_value=today, format=DATE_FORMAT, key="add_last"
            )
            step = st.text_area("Next step", key="add_next_step", height=68)
            submitted = st.form_submit_button("Add stakeholder", type="primary")
        if submitted:
            data = {
                "name": name, "group": group, "region_code": region, "interest": interest,
                "influence": influence, "owner": owner, "last_contact": last, "next_step": step,
            }  # fmt: skip

            def _add(user: str, data=data) -> str:
                store.add_stakeholder(db, data, actor=user, today=today)
                return f"Added {' '.join(str(data['name']).split())}."

            save(_add, "add a stakeholder")

    everyone = store.load_stakeholders(db, include_retired=True, as_of=today)
    names = dict(zip(everyone["stakeholder_id"], everyone["name"], strict=True))
    retired_ids = set(everyone.loc[everyone["retired"], "stakeholder_id"])
    clicked = pick_from_table(people_pick, people["stakeholder_id"], "edit_choice")
    with st.expander("Edit or retire a stakeholder", icon=":material/edit:", expanded=clicked):
        chosen = st.selectbox(
            "Stakeholder",
            list(names),
            format_func=lambda i: names[i] + (" (retired)" if i in retired_ids else ""),
            index=None,
            placeholder="Choose a stakeholder",
            key="edit_choice",
        )
        if chosen is not None:
            current = store.stakeholder(db, int(chosen))
            sid = current.stakeholder_id
            with st.form(f"edit_stakeholder_{sid}"):
                e_name = st.text_input("Name", current.name, key=f"edit_name_{sid}")
                c1, c2 = st.columns(2)
                e_group = c1.selectbox(
                    "Group",
                    list(GROUPS),
                    index=list(GROUPS).index(current.group),
                    format_func=GROUPS.get,
                    key=f"edit_group_{sid}",
                )
                e_region = c2.selectbox(
                    "Region",
                    region_options,
                    index=region_options.index(current.region_code or ""),
                    format_func=region_label,
                    key=f"edit_region_{sid}",
                )
                e_interest = c1.slider("Interest", 1, 5, current.interest, key=f"edit_int_{sid}")
                e_influence = c2.slider("Influence", 1, 5, current.influence, key=f"edit_inf_{sid}")
                e_owner = c1.text_input("Owner", current.owner or "", key=f"edit_owner_{sid}")
                e_last = c2.date_input(
                    "Last contact",
                    value=current.last_contact,
                    max_value=today,
                    format=DATE_FORMAT,
                    key=f"edit_last_{sid}",
                )
                e_step = st.text_area(
                    "Next step", current.next_step or "", key=f"edit_step_{sid}", height=68
                )
                e_reason = st.text_input("Reason for the change (optional)", key=f"edit_why_{sid}")
                edited = st.form_submit_button("Save changes", type="primary")
            if edited:
                changes = {
                    "name": e_name, "group": e_group, "region_code": e_region,
                    "interest": e_interest, "influence": e_influence, "owner": e_owner,
                    "last_contact": e_last, "next_step": e_step,
                }  # fmt: skip

                def _edit(user: str, sid=sid, changes=changes, reason=e_reason) -> str:
                    saved = store.edit_stakeholder(
                        db, sid, changes, actor=user, reason=reason or None, today=today
                    )
                    if saved == current:
                        return f"No changes to save for {current.name}."
                    return f"Saved changes to {saved.name}."

                save(_edit, "edit a stakeholder")

            with st.form(f"retire_stakeholder_{sid}"):
                if current.retired:
                    st.markdown(f"**{current.name}** is retired.")
                    why = st.text_input("Reason for restoring (optional)", key=f"why_r_{sid}")
                    flip = st.form_submit_button("Restore stakeholder")
                else:
                    why = st.text_input(
                        "Reason for retiring (required)",
                        key=f"why_{sid}",
                        placeholder="e.g. merged into another record, organisation closed",
                    )
                    flip = st.form_submit_button("Retire stakeholder")
            if flip:

                def _flip(user: str, sid=sid, why=why, retired=current.retired) -> str:
                    if retired:
                        store.restore_stakeholder(db, sid, actor=user, reason=why or None)
                        return f"Restored {current.name}."
                    if not why.strip():
                        raise EngagementValidationError(["Give a reason for retiring."])
                    store.retire_stakeholder(db, sid, actor=user, reason=why.strip())
                    return f"Retired {current.name}; it stays in the log and history."

                save(_flip, "retire or restore a stakeholder")

            history = store.stakeholder_history(db, sid)
            st.caption(f"History of {current.name} ({len(history)} changes, newest first)")
            st.dataframe(
                history,
                hide_index=True,
                key=f"history_{sid}",
                column_config={
                    "changed_at": st.column_config.DatetimeColumn(
                        "When", format="D MMM YYYY, HH:mm"
                    ),
                    "before_json": "Before",
                    "after_json": "After",
                },
            )

# --- events --------------------------------------------------------------------------------

with tab_events:
    c1, c2 = st.columns([2, 3])
    window = c1.selectbox(
        "Dates", list(WINDOWS), format_func=WINDOWS.get, key="window", bind="query-params"
    )
    types = c2.multiselect(
        "Type",
        list(EVENT_TYPES),
        format_func=EVENT_TYPES.get,
        key="types",
        bind="query-params",
        placeholder="All types",
    )
    span = {
        "all": (None, None),
        "2016": (date(2016, 4, 1), date(2017, 1, 31)),
        "recent": (today - timedelta(days=365), today + timedelta(days=183)),
    }[window or "all"]
    events = store.load_events(db, since=span[0], until=span[1], types=types or None)
    event_cols = [
        "event_date", "end_date", "title", "event_type_label", "audience", "region_name",
        "stakeholders", "priority_areas", "outcome", "actions", "seeded",
    ]  # fmt: skip
    chart_with_download(
        charts.events_timeline(events, x_range=span if span[0] else None),
        events[event_cols],
        key="events_timeline",
        summary=charts.timeline_summary(events),
        file_name="engagement_events.csv",
    )
    st.subheader("Events and activities")
    st.caption("Click a row to edit that event.")
    event_pick = st.dataframe(
        events[event_cols],
        hide_index=True,
        key="events_table",
        on_select="rerun",
        selection_mode="single-row",
        column_config={
            "event_date": st.column_config.DateColumn("Date", format="D MMM YYYY"),
            "end_date": st.column_config.DateColumn("Until", format="D MMM YYYY"),
            "title": st.column_config.TextColumn("Title", width="large"),
            "event_type_label": "Type",
            "audience": "Audience",
            "region_name": "Region",
            "stakeholders": st.column_config.TextColumn("Stakeholders", width="large"),
            "priority_areas": "Priority areas",
            "outcome": st.column_config.TextColumn("Outcome", width="large"),
            "actions": "Actions",
            "seeded": st.column_config.CheckboxColumn("Seeded"),
        },
    )

    active_people = everyone[~everyone["retired"]]
    people_names = dict(zip(active_people["stakeholder_id"], active_people["name"], strict=True))
    area_names = {c: f"{c} {n}" for c, n in codes.areas.items()}

    def event_form(prefix: str, current=None) -> dict:
        """The add and edit forms share fields; returns the values when submitted."""
        cur = current
        title = st.text_input("Title", cur.title if cur else "", key=f"{prefix}_title")
        d1, d2 = st.columns(2)
        start = d1.date_input(
            "Date (start)",
            value=cur.event_date if cur else today,
            format=DATE_FORMAT,
            key=f"{prefix}_date",
        )
        end = d2.date_input(
            "End date (for a phase or a series; leave blank for one day)",
            value=cur.end_date if cur else None,
            format=DATE_FORMAT,
            key=f"{prefix}_end",
        )
        t1, t2 = st.columns(2)
        kind = t1.selectbox(
            "Type",
            list(EVENT_TYPES),
            format_func=EVENT_TYPES.get,
            index=list(EVENT_TYPES).index(cur.event_type) if cur else 0,
            key=f"{prefix}_type",
        )
        region = t2.selectbox(
            "Region",
            region_options,
            format_func=region_label,
            index=region_options.index(cur.region_code or "") if cur else 0,
            key=f"{prefix}_region",
        )
        audience = st.text_input("Audience", (cur.audience or "") if cur else "",
                                 key=f"{prefix}_audience")  # fmt: skip
        linked = [i for i in (cur.stakeholder_ids if cur else []) if i in names]
        who = st.multiselect(
            "Stakeholders involved",
            list({**people_names, **{i: names[i] for i in linked}}),
            default=linked,
            format_func=names.get,
            key=f"{prefix}_who",
        )
        areas = st.multiselect(
            "Priority areas discussed",
            list(area_names),
            format_func=area_names.get,
            default=cur.priority_areas if cur else [],
            key=f"{prefix}_areas",
        )
        outcome = st.text_area("Outcome", (cur.outcome or "") if cur else "",
                               key=f"{prefix}_outcome", height=68)  # fmt: skip
        actions = st.text_area("Actions", (cur.actions or "") if cur else "",
                               key=f"{prefix}_actions", height=68)  # fmt: skip
        return {
            "event_date": start, "end_date": end, "title": title, "event_type": kind,
            "region_code": region, "audience": audience, "stakeholder_ids": who,
            "priority_areas": areas, "outcome": outcome, "actions": actions,
        }  # fmt: skip

    with st.expander("Add an event", icon=":material/event:"):
        with st.form("add_event"):
            values = event_form("ev_add")
            add_event = st.form_submit_button("Add event", type="primary")
        if add_event:

            def _add_event(user: str, values=values) -> str:
                store.add_event(db, values, actor=user)
                return f"Added event {values['title'].strip()}."

            save(_add_event, "add an event")

    all_events = store.load_events(db)
    event_names = {
        int(i): f"{format_date(d)} · {t}"
        for i, d, t in zip(
            all_events["event_id"], all_events["event_date"], all_events["title"], strict=True
        )
    }
    event_clicked = pick_from_table(event_pick, events["event_id"], "edit_event_choice")
    with st.expander("Edit an event", icon=":material/edit_calendar:", expanded=event_clicked):
        picked = st.selectbox(
            "Event",
            list(event_names),
            format_func=event_names.get,
            index=None,
            placeholder="Choose an event",
            key="edit_event_choice",
        )
        if picked is not None:
            current_event = store.event(db, int(picked))
            eid = current_event.event_id
            with st.form(f"edit_event_{eid}"):
                values = event_form(f"ev_edit_{eid}", current_event)
                reason = st.text_input("Reason for the change (optional)", key=f"ev_why_{eid}")
                edit_event = st.form_submit_button("Save event", type="primary")
            if edit_event:

                def _edit_event(user: str, eid=eid, values=values, reason=reason) -> str:
                    saved = store.edit_event(db, eid, values, actor=user, reason=reason or None)
                    if saved == current_event:
                        return "No changes to save."
                    return f"Saved event {saved.title}."

                save(_edit_event, "edit an event")

# --- engagement log ------------------------------------------------------------------------

with tab_log:
    st.subheader("Engagement log")
    st.caption("Who took part in which event: one row per stakeholder per event, newest first.")
    log = store.load_engagement_log(db)
    who_filter = st.selectbox(
        "Stakeholder",
        list(names),
        format_func=names.get,
        index=None,
        placeholder="Everyone",
        key="who",
        bind="query-params",
    )
    shown = log[log["stakeholder_id"] == who_filter] if who_filter is not None else log
    log_cols = ["event_date", "title", "event_type_label", "stakeholder", "group_label"]
    st.dataframe(
        shown[log_cols],
        hide_index=True,
        key="log_table",
        column_config={
            "event_date": st.column_config.DateColumn("Date", format="D MMM YYYY"),
            "title": st.column_config.TextColumn("Event", width="large"),
            "event_type_label": "Type",
            "stakeholder": st.column_config.TextColumn("Stakeholder", width="large"),
            "group_label": "Group",
        },
    )
    st.caption(f"{len(shown)} entries.")
    download(shown[log_cols], "Download log (CSV)", "engagement_log.csv", "download_log")

    with st.form("log_contact"):
        st.markdown("**Record who took part in an event**")
        ev = st.selectbox(
            "Event",
            list(event_names),
            format_func=event_names.get,
            index=None,
            placeholder="Choose an event",
            key="log_event",
        )
        attendees = st.multiselect(
            "Stakeholders", list(people_names), format_func=people_names.get, key="log_who"
        )
        logged = st.form_submit_button("Add to log", type="primary")
    if logged:

        def _log(user: str, ev=ev, attendees=attendees) -> str:
            if ev is None or not attendees:
                raise EngagementValidationError(["Choose an event and at least one stakeholder."])
            store.log_contact(db, int(ev), attendees, actor=user)
            return f"Logged {len(attendees)} stakeholder(s) at {event_names[int(ev)]}."

        save(_log, "add to the engagement log")

# --- coverage ------------------------------------------------------------------------------

with tab_coverage:
    period = st.selectbox(
        "Period", list(PERIODS), format_func=PERIODS.get, key="period", bind="query-params"
    )
    since, until = {
        "all": (None, None),
        "2016": (date(2016, 4, 1), date(2017, 1, 31)),
        "3y": (today - timedelta(days=3 * 365), today),
        "12m": (today - timedelta(days=365), today),
    }[period or "all"]
    matrix = store.coverage(db, since=since, until=until)
    chart_with_download(
        charts.coverage_heatmap(matrix, codes),
        coverage_long(matrix, codes),
        key="coverage",
        summary=charts.coverage_summary(matrix, codes),
        file_name="engagement_coverage.csv",
    )
    st.caption(
        "Each event counts once in every priority area it discussed, in its region's column; "
        f"events with no region (national, devolved nations) count under '{NATIONAL_LABEL}'. "
        "Zeros are the gaps."
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
    quiet = store.load_not_contacted(db, int(days), as_of=today)
    quiet_cols = ["name", "group_label", "region_name", "quadrant", "owner", "latest_contact",
                  "days_since_contact", "next_step"]  # fmt: skip
    st.caption(
        f"{len(quiet)} active stakeholders have had no contact for more than {int(days)} days "
        f"(as of {format_date(today)}), longest first; never-contacted ones lead."
    )
    st.dataframe(
        quiet[quiet_cols].fillna({"owner": "", "next_step": ""}),
        hide_index=True,
        key="quiet_table",
        column_config={
            "name": st.column_config.TextColumn("Name", width="large"),
            "group_label": "Group",
            "region_name": "Region",
            "quadrant": "Quadrant",
            "owner": "Owner",
            "latest_contact": st.column_config.DateColumn("Last contact", format="D MMM YYYY"),
            "days_since_contact": st.column_config.NumberColumn("Days since"),
            "next_step": st.column_config.TextColumn("Next step", width="large"),
        },
    )
    download(quiet[quiet_cols], "Download list (CSV)", "not_contacted.csv", "download_quiet")

footer(db)
