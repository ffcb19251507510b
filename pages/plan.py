"""Plan: edit the 1/3/5-year targets and milestones, save versions, compare, restore, roadmap."""

from datetime import date

import pandas as pd
import streamlit as st

from nlf_planner import plan as P
from nlf_planner.charts.roadmap import (
    roadmap_data,
    roadmap_figure,
    roadmap_summary,
    trajectory_figure,
    trajectory_summary,
)
from nlf_planner.settings import get_settings
from nlf_planner.store import StoreError
from nlf_planner.store import plans as plan_store
from nlf_planner.store import reference as reference_store
from nlf_planner.ui import plan_state as ps
from nlf_planner.ui.frame import (
    cached_series,
    chart_with_download,
    footer,
    format_date,
    get_db,
    illustrative_notice,
    page_header,
    query_param,
    read_only_banner,
    require_user,
    set_query_params,
)

db = get_db()
today = date.today()
page_header(
    "The 1/3/5-year plan",
    "Targets for each measure at years 1, 3 and 5, and the milestones that deliver them. "
    "Every save is a new version; older versions stay and can be compared or restored.",
)
read_only_banner(db)
illustrative_notice(db)

measures = reference_store.measures(db)
by_code = {m.code: m for m in measures}
areas = reference_store.priority_areas(db)
conditions = reference_store.conditions(db)
regions = reference_store.regions(db)
region_names = {r.code: r.name for r in regions}
region_codes = {r.name: r.code for r in regions}
geo_names = reference_store.geography_names(db)
area_names = {a.code: a.name for a in areas}
area_labels = {a.code: f"{a.code} {a.name}" for a in areas}
area_of = {m.code: m.area_code for m in measures}

plan = ps.current_plan(db)
if plan is None:
    st.info("No plan has been saved yet. Generate the default data (`make db`) or import a plan.")
    st.stop()
latest_id = plan_store.latest_version_id(db)
viewing_latest = plan.version_id == latest_id

# ----------------------------------------------------------------- selections (in the URL)
area_options = ["all", *area_names]
area_choice = st.selectbox(
    "Priority area",
    area_options,
    index=area_options.index(query_param("area", "all", area_options)),
    format_func=lambda c: "All priority areas" if c == "all" else area_labels[c],
    key="plan_area",
)
set_query_params(area=None if area_choice == "all" else area_choice)
area = None if area_choice == "all" else area_choice

history = cached_series(db, levels=["england"])
baselines = P.baselines_from_history(history, measures, plan.base_year)
tables = ps.display_tables(plan, measures, baselines, area_labels, region_names)


def _tables_for(p: P.Plan) -> dict[str, pd.DataFrame]:
    return ps.display_tables(p, measures, baselines, area_labels, region_names)


# "Put my edits on top of the latest version", asked for after a refused save.
if viewing_latest and ps.take_request(ps.REBASE_REQUESTED):
    old_ws = ps.current_workspace()
    if old_ws and old_ws["version_id"] != plan.version_id:
        started_from = plan_store.load_plan(db, old_ws["version_id"])
        mine, problems = ps.build_draft(
            old_ws, started_from, None, by_code, geo_names, region_codes, list(area_names), today
        )
        if P.errors_only(problems):
            st.error(
                "Fix the problems in your edits first, then try again: "
                + "; ".join(str(i) for i in P.errors_only(problems)[:5])
            )
        else:
            conflicts = ps.rebase_onto_latest(plan, started_from, mine, _tables_for)
            text = f"Your edits now sit on top of version {plan.version_id} (not saved yet)."
            if conflicts:
                text += (
                    f" {len(conflicts)} of them clashed with your colleague's changes, whose "
                    "values were kept: " + "; ".join(c.describe() for c in conflicts[:5])
                )
            st.session_state["plan_flash"] = text

saved_by = f"saved by {plan.author} on {format_date(plan.created_at)}"
st.markdown(
    f"**Version {plan.version_id}{' (latest)' if viewing_latest else ''}**, {saved_by}. "
    f"Base year **{P.fy_label(plan.base_year)}**; year 1 ends "
    f"{format_date(P.horizon_end(plan.base_year, 1))}, year 3 ends "
    f"{format_date(P.horizon_end(plan.base_year, 3))}, year 5 ends "
    f"{format_date(P.horizon_end(plan.base_year, 5))}. Trajectory: {plan.trajectory}."
)
if plan.note:
    st.caption(f"Note: {plan.note}")

flash = st.session_state.pop("plan_flash", None)
if flash:
    st.success(flash, icon=":material/check_circle:")

tab_edit, tab_roadmap, tab_status, tab_history = st.tabs(
    ["Targets and milestones", "Roadmap", "Status and follow-up", "Versions and changes"],
    key="tab",
    bind="query-params",
)

STATUS_CHOICES = list(P.STATUS_LABELS.values())
MEASURE_CHOICES = [ps.measure_label(m) for m in measures]


def _height(df: pd.DataFrame, extra_rows: int = 0, cap: int = 720) -> int:
    """Tall enough to show every row without an inner scroll bar (up to ``cap`` pixels)."""
    return min(35 * (len(df) + 1 + extra_rows) + 3, cap)


def _targets_editor(df: pd.DataFrame, key: str) -> pd.DataFrame:
    return st.data_editor(
        df,
        key=key,
        hide_index=True,
        num_rows="fixed",
        disabled=["area", "measure_code", "measure", "unit", "better", "baseline"],
        height=_height(df),
        column_order=["measure", "baseline", "y1", "y3", "y5", "unit", "better"],
        column_config={
            "measure": st.column_config.TextColumn("Measure", width=380),
            "unit": st.column_config.TextColumn("Unit", width="small"),
            "better": st.column_config.TextColumn(
                "Better is", width="small", help="Which direction counts as improvement"
            ),
            "baseline": st.column_config.NumberColumn(
                "Baseline", format="%.2f", help="England value at the start of the base year"
            ),
            "y1": st.column_config.NumberColumn(
                "Year 1 target", min_value=0.0, format="%.2f", width=105
            ),
            "y3": st.column_config.NumberColumn(
                "Year 3 target", min_value=0.0, format="%.2f", width=105
            ),
            "y5": st.column_config.NumberColumn(
                "Year 5 target", min_value=0.0, format="%.2f", width=105
            ),
        },
    )


def _regional_editor(df: pd.DataFrame, key: str) -> pd.DataFrame:
    choices = [c for c in MEASURE_CHOICES if area is None or area_of[c.split(" ")[0]] == area]
    return st.data_editor(
        df,
        key=key,
        hide_index=True,
        num_rows="dynamic",
        height=_height(df, extra_rows=1),
        column_config={
            "measure": st.column_config.SelectboxColumn(
                "Measure", options=choices, required=True, width="medium"
            ),
            "region": st.column_config.SelectboxColumn(
                "Region", options=list(region_names.values()), required=True
            ),
            "y1": st.column_config.NumberColumn(
                "Year 1 target", min_value=0.0, format="%.2f", width=105
            ),
            "y3": st.column_config.NumberColumn(
                "Year 3 target", min_value=0.0, format="%.2f", width=105
            ),
            "y5": st.column_config.NumberColumn(
                "Year 5 target", min_value=0.0, format="%.2f", width=105
            ),
        },
    )


def _milestones_editor(df: pd.DataFrame, key: str) -> pd.DataFrame:
    return st.data_editor(
        df,
        key=key,
        hide_index=True,
        num_rows="dynamic",
        height=_height(df, extra_rows=1, cap=900),
        disabled=["item_id"],
        column_order=[
            "title",
            "status",
            "due_date",
            "horizon",
            "owner",
            "priority_area",
            "last_updated",
            "measure_code",
            "description",
            "item_id",
        ],
        column_config={
            "item_id": st.column_config.TextColumn("ID", width="small"),
            "priority_area": st.column_config.SelectboxColumn(
                "Priority area",
                options=list(area_labels.values()),
                required=True,
                default=area_labels[area] if area else None,
            ),
            "title": st.column_config.TextColumn(
                "Title", required=True, max_chars=200, width="large"
            ),
            "description": st.column_config.TextColumn("Description"),
            "horizon": st.column_config.SelectboxColumn(
                "Horizon", options=[1, 3, 5], required=True, help="Year 1, 3 or 5 of the plan"
            ),
            "due_date": st.column_config.DateColumn("Due date", format="D MMM YYYY"),
            "owner": st.column_config.TextColumn("Owner"),
            "status": st.column_config.SelectboxColumn(
                "Status", options=STATUS_CHOICES, required=True, default="Not started"
            ),
            "last_updated": st.column_config.DateColumn(
                "Last updated",
                format="D MMM YYYY",
                help="Set to today automatically when you change the row and save",
            ),
            "measure_code": st.column_config.SelectboxColumn(
                "Linked measure", options=MEASURE_CHOICES
            ),
        },
    )


def _preview(edited: pd.DataFrame, base_year: int) -> None:
    """The plan line a measure's (edited, unsaved) targets would give, over its history."""
    codes = edited["measure_code"].tolist()
    if not codes:
        return
    code = st.selectbox(
        "See the plan line for",
        codes,
        format_func=lambda c: f"{c} {by_code[c].name}",
        key=f"plan_preview_{area_choice}",
        help="Draws the targets in the table above, including edits not yet saved.",
    )
    row = edited.set_index("measure_code").loc[code]
    targets = {}
    for h, col in P.TARGET_COLUMNS.items():
        value = pd.to_numeric(row[col], errors="coerce")
        if pd.notna(value):
            targets[h] = float(value)
    m = by_code[code]
    preview_plan = plan.model_copy(
        update={
            "base_year": base_year,
            "trajectory": st.session_state.get(ps.TRAJECTORY_KEY, plan.trajectory),
            "targets": [
                P.PlanTarget(measure_code=code, horizon=h, target=v) for h, v in targets.items()
            ],
        }
    )
    hist = history.loc[history["measure_code"] == code, ["period", "value"]]
    line = P.plan_line_for_series(preview_plan, m, hist)
    baseline = float(line["baseline"].iloc[0]) if not line.empty else m.baseline
    chart_with_download(
        trajectory_figure(f"{code} {m.name}", m.unit_label, hist, line, targets, base_year),
        line,
        key="plan_preview",
        summary=trajectory_summary(f"{code} {m.name}", m.unit_label, baseline, targets),
        file_name=f"plan-line-{code}.csv",
    )


def _show_issues(issues: list[P.ValidationIssue]) -> None:
    errors = P.errors_only(issues)
    lines = "\n".join(f"- {i}" for i in errors[:30])
    more = f"\n- … and {len(errors) - 30} more" if len(errors) > 30 else ""
    st.error(
        f"Nothing was saved: {len(errors)} problem{'s' if len(errors) != 1 else ''} to fix "
        f"first.\n{lines}{more}",
        icon=":material/error:",
    )


# ----------------------------------------------------------------- edit
with tab_edit:
    if not viewing_latest:
        st.warning(
            f"You are looking at version {plan.version_id}; the latest is version {latest_id}. "
            "Older versions are read-only: restore this one on the 'Versions and changes' tab, "
            "or choose 'Latest' under Plan version in the sidebar to edit.",
            icon=":material/history:",
        )
        scope = (lambda d, col: d) if area is None else (lambda d, col: d[col == area])
        st.dataframe(
            scope(tables["targets"], tables["targets"]["area"]).drop(columns=["area"]),
            hide_index=True,
        )
        ms_view = tables["milestones"]
        if area:
            ms_view = ms_view[ms_view["priority_area"].str.startswith(area + " ")]
        st.dataframe(ms_view, hide_index=True)
    else:
        ws = ps.workspace(plan, tables)
        if ws["version_id"] != plan.version_id:
            st.warning(
                f"A newer version ({plan.version_id}) was saved while you were editing version "
                f"{ws['version_id']}. Your edits are kept below. Put them on top of version "
                f"{plan.version_id} (a colleague's changes are never overwritten), or discard "
                "them.",
                icon=":material/sync_problem:",
            )
            st.button(
                f"Put my edits on top of version {plan.version_id}",
                key="plan_rebase",
                icon=":material/merge:",
                on_click=ps.request,
                args=(ps.REBASE_REQUESTED,),
            )
        with st.expander("Base year and trajectory", expanded=False):
            c1, c2, c3 = st.columns([2, 2, 3])
            c1.number_input(
                "Base financial year (starting April)",
                min_value=2010,
                max_value=2040,
                step=1,
                key=ps.BASE_YEAR_KEY,
                help="Year 1 is this financial year; years 3 and 5 follow.",
            )
            c2.radio(
                "Trajectory between targets",
                ["linear", "stepwise"],
                key=ps.TRAJECTORY_KEY,
                horizontal=True,
                help="How the plan line runs from the baseline to each horizon target.",
            )
            c3.checkbox(
                "Move milestone due dates with the base year",
                value=True,
                key=ps.SHIFT_KEY,
                help="Keeps each milestone in its horizon when the base year changes.",
            )
            b1, b2 = st.columns(2)
            b1.button(
                f"Framework launch ({P.fy_label(P.LAUNCH_BASE_YEAR)})",
                on_click=ps.set_base_year,
                args=(P.LAUNCH_BASE_YEAR,),
                key="plan_preset_launch",
                help="Developing People – Improving Care was published in December 2016.",
            )
            b2.button(
                f"Current financial year ({P.fy_label(P.default_base_year(today))})",
                on_click=ps.set_base_year,
                args=(P.default_base_year(today),),
                key="plan_preset_current",
            )
        new_base = int(st.session_state[ps.BASE_YEAR_KEY])
        if new_base != ws["applied_base_year"]:
            if st.session_state.get(ps.SHIFT_KEY, True):
                ps.shift_due_dates(ws, ws["applied_base_year"], new_base)
            ws["applied_base_year"] = new_base
            st.info(
                f"Base year set to {P.fy_label(new_base)} (not saved yet). Baselines shown are "
                f"for {P.fy_label(plan.base_year)} until you save.",
                icon=":material/event:",
            )

        st.subheader("England targets")
        st.caption(
            "One row per measure. Percentages run 0–100 and scores 0–10; later targets must "
            "not go backwards for the measure's direction."
        )
        edited_targets = ps.table_editor(ws, "targets", area, area_of, _targets_editor)
        _preview(edited_targets, new_base)
        st.subheader("Regional targets (override England)")
        st.caption("Leave a year blank to use England's target for that year.")
        ps.table_editor(ws, "regional", area, area_of, _regional_editor)
        st.subheader("Milestones")
        st.caption(
            "Year-1 milestones fall due in the base year; year-3 and year-5 milestones in "
            "the years after it, up to the end of that horizon."
        )
        ps.table_editor(ws, "milestones", area, area_of, _milestones_editor)

        note = st.text_input(
            "What changed and why (saved with the version)",
            key=f"plan_note_v{ws['version_id']}",
            placeholder="e.g. Raised the year-5 improvement-training target after review",
        )
        st.caption(
            ":material/edit_note: You have unsaved edits."
            if ps.is_dirty(ws)
            else "No unsaved edits."
        )
        s1, s2 = st.columns([1, 1])
        s1.button(
            "Save as a new version",
            type="primary",
            icon=":material/save:",
            key="plan_save",
            on_click=ps.request,
            args=(ps.SAVE_REQUESTED,),
        )
        save = ps.take_request(ps.SAVE_REQUESTED)
        s2.button(
            "Discard my edits",
            on_click=ps.discard_edits,
            icon=":material/undo:",
            key="plan_discard",
        )
        if save:
            user = require_user("save the plan")
            if user:
                draft, issues = ps.build_draft(
                    ws, plan, area, by_code, geo_names, region_codes, list(area_names), today
                )
                if P.errors_only(issues):
                    _show_issues(issues)
                elif not P.diff_plans(plan_store.load_plan(db, ws["version_id"]), draft):
                    st.info("Nothing to save: the tables match the version you started from.")
                elif not (note or "").strip():
                    st.error("Nothing was saved: add a short note saying what changed and why.")
                else:
                    try:
                        saved = plan_store.save_plan(
                            db,
                            draft,
                            author=user,
                            note=note,
                            expected_version_id=ws["version_id"],
                        )
                    except plan_store.StaleVersionError as exc:
                        st.error(str(exc), icon=":material/sync_problem:")
                        latest = plan_store.load_plan(db)
                        changes = P.diff_plans(
                            latest, draft, geo_names, {m.code: m.name for m in measures}
                        )
                        st.caption(
                            f"Your edits compared with version {latest.version_id}: "
                            + P.summarise_changes(changes)
                        )
                        st.dataframe(P.changes_frame(changes), hide_index=True)
                    except P.PlanValidationError as exc:
                        _show_issues(exc.issues)
                    except StoreError as exc:
                        st.error(str(exc))
                    else:
                        ps.discard_edits()
                        ps.follow_latest()
                        warn = [i for i in issues if i.severity == "warning"]
                        st.session_state["plan_flash"] = f"Saved as version {saved.version_id}." + (
                            f" {len(warn)} warning(s): " + "; ".join(map(str, warn[:3]))
                            if warn
                            else ""
                        )
                        st.rerun()

# ----------------------------------------------------------------- roadmap
with tab_roadmap:
    show_events = st.toggle(
        "Show engagement events",
        value=False,
        key="plan_show_events",
        help="Overlay workshops and events from the Engagement page on their own row.",
    )
    events = None
    if show_events:
        try:
            from nlf_planner.store.engagement import events_for_roadmap

            events = events_for_roadmap(
                db, since=P.base_date(plan.base_year), until=P.horizon_end(plan.base_year, 5)
            )
        except Exception as exc:  # noqa: BLE001 - the roadmap still shows without them
            st.caption(f"Engagement events are not available ({exc}).")
        else:
            if events.empty:
                st.caption(
                    f"No engagement events between {format_date(P.base_date(plan.base_year))} "
                    f"and {format_date(P.horizon_end(plan.base_year, 5))}."
                )
    shown = [m for m in plan.milestones if area is None or m.priority_area == area]
    shown_areas = {c: n for c, n in area_names.items() if area is None or c == area}
    data = roadmap_data(shown, shown_areas, today)
    chart_with_download(
        roadmap_figure(shown, shown_areas, plan.base_year, today, events=events),
        data.drop(columns=["label_position", "status_code"]),
        key="plan_roadmap",
        summary=roadmap_summary(data, plan.base_year, today),
        file_name=f"plan-v{plan.version_id}-roadmap.csv",
    )

# ----------------------------------------------------------------- status roll-up
HEADLINE_SYMBOLS = {
    "off_track": "✖",
    "at_risk": "▲",
    "on_track": "●",
    "not_started": "○",
    "done": "✔",
    "none": "–",
}


def _with_symbols(df: pd.DataFrame) -> pd.DataFrame:
    """Headline with a shape as well as words (never colour alone)."""
    return df.assign(
        headline_label=[
            f"{HEADLINE_SYMBOLS[h]} {label}"
            for h, label in zip(df["headline"], df["headline_label"], strict=True)
        ]
    )


def _headline_sentence(df: pd.DataFrame) -> str:
    """The roll-up in one line a board can read: which codes sit under each headline."""
    parts = []
    for head in ("off_track", "at_risk", "on_track", "not_started", "done", "none"):
        codes = df.loc[df["headline"] == head, "code"].tolist()
        if codes:
            parts.append(f"**{P.HEADLINE_LABELS[head]}**: {', '.join(codes)}")
    return " · ".join(parts)


with tab_status:
    by_area, by_condition = P.rollup(plan, areas, conditions, today)
    counts_cfg = {
        "name": st.column_config.TextColumn("Priority area", width=330),
        "headline_label": st.column_config.TextColumn("Headline", width=110),
        "total": st.column_config.NumberColumn("Milestones", width=85),
        **{s: st.column_config.NumberColumn(P.STATUS_LABELS[s], width=80) for s in P.STATUSES},
        "past_due": st.column_config.NumberColumn("Past due", width=75),
    }
    cols = ["name", "headline_label", "total", *P.STATUSES, "past_due"]
    st.subheader("By priority area")
    st.caption(
        "Headline = the worst open milestone (past-due items count as off track); "
        "Complete when every milestone is done."
    )
    st.markdown(_headline_sentence(by_area))
    st.dataframe(
        _with_symbols(by_area).assign(name=by_area["code"] + " " + by_area["name"])[cols],
        hide_index=True,
        column_config=counts_cfg,
    )
    st.subheader("By condition")
    st.markdown(_headline_sentence(by_condition))
    st.dataframe(
        _with_symbols(by_condition).assign(name=by_condition["code"] + " " + by_condition["name"])[
            [*cols, "areas"]
        ],
        hide_index=True,
        column_config={
            **counts_cfg,
            "name": st.column_config.TextColumn("Condition", width=330),
            "areas": st.column_config.TextColumn("Priority areas"),
        },
    )
    st.subheader("Needs attention: past due or not updated")
    default_days = get_settings().stale_days
    stale_param = query_param("stale", str(default_days))
    stale_days = st.number_input(
        "Not updated for more than (days)",
        min_value=7,
        max_value=730,
        step=7,
        value=int(stale_param) if str(stale_param).isdigit() else default_days,
        key="plan_stale_days",
    )
    set_query_params(stale=None if stale_days == default_days else int(stale_days))
    attention = P.attention_list(plan, today, int(stale_days), area)
    if attention.empty:
        st.success("Nothing past due, and every open milestone was updated recently.")
    else:
        late, stale = int(attention["past_due"].sum()), int(attention["stale"].sum())
        st.caption(f"{late} past due and {stale} not updated in {int(stale_days)} days.")
        st.dataframe(
            attention.drop(columns=["past_due", "stale"]),
            hide_index=True,
            column_config={
                "item_id": "ID",
                "priority_area": "Area",
                "title": st.column_config.TextColumn("Milestone", width="large"),
                "owner": "Owner",
                "status": "Status",
                "due_date": st.column_config.DateColumn("Due", format="D MMM YYYY"),
                "last_updated": st.column_config.DateColumn("Last updated", format="D MMM YYYY"),
                "why": st.column_config.TextColumn("Why it is listed", width="medium"),
            },
        )

# ----------------------------------------------------------------- versions, diff, restore
with tab_history:
    versions = plan_store.list_versions(db)
    st.subheader("Version history")
    st.dataframe(
        versions[
            [
                "version_id",
                "created_at",
                "author",
                "note",
                "base_year",
                "targets",
                "milestones",
                "is_latest",
            ]
        ],
        hide_index=True,
        column_config={
            "version_id": st.column_config.NumberColumn("Version", format="%d"),
            "created_at": st.column_config.DatetimeColumn("Saved", format="D MMM YYYY, HH:mm"),
            "author": "By",
            "note": st.column_config.TextColumn("Note", width="large"),
            "base_year": st.column_config.NumberColumn("Base year", format="%d"),
            "targets": "Targets",
            "milestones": "Milestones",
            "is_latest": st.column_config.CheckboxColumn("Latest"),
        },
    )
    ids = versions["version_id"].astype(int).tolist()
    st.subheader("Compare two versions")
    if len(ids) < 2:
        st.caption("Only one version so far.")
    else:
        c1, c2 = st.columns(2)
        old_v = c1.selectbox("From version", ids, index=1, key=f"plan_diff_from_{latest_id}")
        new_v = c2.selectbox("To version", ids, index=0, key=f"plan_diff_to_{latest_id}")
        changes = plan_store.diff_versions(db, int(old_v), int(new_v))
        frame = P.changes_frame(changes)
        st.markdown(f"**Version {old_v} → {new_v}:** {P.summarise_changes(changes)}")
        if not frame.empty:
            st.dataframe(
                frame,
                hide_index=True,
                column_config={
                    "change": "Change",
                    "what": "What",
                    "item": st.column_config.TextColumn("Item", width="large"),
                    "field": "Field",
                    "before": "Before",
                    "after": "After",
                },
            )
            st.download_button(
                "Download changes (CSV)",
                frame.to_csv(index=False).encode("utf-8"),
                file_name=f"plan-v{old_v}-to-v{new_v}-changes.csv",
                mime="text/csv",
                on_click="ignore",
                icon=":material/download:",
            )
    st.subheader("Restore an older version")
    older = [v for v in ids if v != latest_id]
    if not older:
        st.caption("There is no older version to restore.")
    else:
        r1, r2 = st.columns([1, 3])
        pick = r1.selectbox(
            "Version to restore",
            older,
            index=older.index(plan.version_id) if plan.version_id in older else 0,
            key="plan_restore_pick",
        )
        reason = r2.text_input("Why (saved with the restore)", key="plan_restore_reason")
        st.caption(
            f"Restoring copies version {pick} into a new latest version; nothing is "
            "deleted and the restore can itself be undone."
        )
        st.button(
            f"Restore version {pick} as the latest",
            icon=":material/restore:",
            key="plan_restore",
            on_click=ps.request,
            args=(ps.RESTORE_REQUESTED,),
        )
        if ps.take_request(ps.RESTORE_REQUESTED):
            user = require_user("restore a version")
            if user:
                try:
                    saved = plan_store.restore_version(
                        db, int(pick), author=user, expected_version_id=latest_id, note=reason
                    )
                except StoreError as exc:
                    st.error(str(exc))
                else:
                    ps.discard_edits()
                    ps.follow_latest()
                    st.session_state["plan_flash"] = (
                        f"Version {pick} restored as version {saved.version_id}."
                    )
                    st.rerun()

footer(db)
