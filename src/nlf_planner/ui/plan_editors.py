"""The Plan page's editing widgets: the priority-area picker, the base year and trajectory,
the three editor tables (England targets, regional overrides, milestones), the plan-line
preview of unsaved targets, the read-only view of older versions and the problems of a
refused save."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from nlf_planner import plan as P
from nlf_planner.charts.roadmap import trajectory_figure, trajectory_summary
from nlf_planner.services.database import Database, data_version
from nlf_planner.services.errors import ValidationFailed
from nlf_planner.services.plan_editing import PlanReference
from nlf_planner.ui import plan_state as ps
from nlf_planner.ui.frame import chart_with_download, query_param, set_query_params
from nlf_planner.ui.text import escape_markdown

Editor = Callable[[pd.DataFrame, str], pd.DataFrame]
ALL_AREAS = "all"


def area_picker(ref: PlanReference) -> str | None:
    """The priority area to work on (None = all), kept in the URL as ``area``."""
    options = [ALL_AREAS, *ref.area_names]
    choice = st.selectbox(
        "Priority area",
        options,
        index=options.index(query_param("area", ALL_AREAS, options)),
        format_func=lambda c: "All priority areas" if c == ALL_AREAS else ref.area_labels[c],
        key="plan_area",
    )
    set_query_params(area=None if choice == ALL_AREAS else choice)
    return None if choice == ALL_AREAS else choice


def _height(df: pd.DataFrame, extra_rows: int = 0, cap: int = 720) -> int:
    """Tall enough to show every row without an inner scroll bar (up to ``cap`` pixels)."""
    return min(35 * (len(df) + 1 + extra_rows) + 3, cap)


#: Column widths (px) that keep every target grid inside the main column at 1024×768
#: (about 560 px with the sidebar open), so the year-3 and year-5 targets never sit off to
#: the right (issue 18). The browser test checks the grid does not scroll sideways.
MEASURE_WIDTH, NUMBER_WIDTH = 150, 78


def _target_column(h: int) -> st.column_config.NumberColumn:
    return st.column_config.NumberColumn(
        f"Year {h}",
        min_value=0.0,
        format="%.2f",
        width=NUMBER_WIDTH,
        help=f"Target for the end of year {h}",
    )


def _horizon_columns() -> dict[str, st.column_config.NumberColumn]:
    return {f"y{h}": _target_column(h) for h in P.HORIZONS}


def targets_editor(df: pd.DataFrame, key: str) -> pd.DataFrame:
    return st.data_editor(
        df,
        key=key,
        hide_index=True,
        num_rows="fixed",
        disabled=["area", "measure_code", "measure", "unit", "better", "baseline"],
        height=_height(df),
        column_order=["measure", "baseline", "y1", "y3", "y5", "unit", "better"],
        column_config={
            "measure": st.column_config.TextColumn(
                "Measure", width=MEASURE_WIDTH, help="Hover a name to read it in full"
            ),
            "unit": st.column_config.TextColumn("Unit", width=42),
            "better": st.column_config.TextColumn(
                "Better", width=58, help="Which direction counts as improvement"
            ),
            "baseline": st.column_config.NumberColumn(
                "Baseline",
                format="%.2f",
                width=70,
                help="England value at the start of the base year",
            ),
            **_horizon_columns(),
        },
    )


def regional_editor(ref: PlanReference, area: str | None) -> Editor:
    choices = [P.measure_label(m) for m in ref.measures if area is None or m.area_code == area]

    def render(df: pd.DataFrame, key: str) -> pd.DataFrame:
        return st.data_editor(
            df,
            key=key,
            hide_index=True,
            num_rows="dynamic",
            height=_height(df, extra_rows=1),
            column_config={
                "measure": st.column_config.SelectboxColumn(
                    "Measure", options=choices, required=True, width=MEASURE_WIDTH
                ),
                "region": st.column_config.SelectboxColumn(
                    "Region", options=list(ref.region_names.values()), required=True, width=110
                ),
                **_horizon_columns(),
            },
        )

    return render


def milestones_editor(ref: PlanReference, area: str | None) -> Editor:
    def render(df: pd.DataFrame, key: str) -> pd.DataFrame:
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
                    options=list(ref.area_labels.values()),
                    required=True,
                    default=ref.area_labels[area] if area else None,
                ),
                "title": st.column_config.TextColumn(
                    "Title", required=True, max_chars=200, width=200
                ),
                "description": st.column_config.TextColumn("Description"),
                "horizon": st.column_config.SelectboxColumn(
                    "Year",
                    options=[1, 3, 5],
                    required=True,
                    help="Year 1, 3 or 5 of the plan",
                    width=55,
                ),
                "due_date": st.column_config.DateColumn("Due", format="D MMM YYYY", width=95),
                "owner": st.column_config.TextColumn("Owner"),
                "status": st.column_config.SelectboxColumn(
                    "Status",
                    options=list(P.STATUS_LABELS.values()),
                    required=True,
                    default="Not started",
                    width=100,
                ),
                "last_updated": st.column_config.DateColumn(
                    "Last updated",
                    format="D MMM YYYY",
                    help="Set to today automatically when you change the row and save",
                ),
                "measure_code": st.column_config.SelectboxColumn(
                    "Linked measure", options=[P.measure_label(m) for m in ref.measures]
                ),
            },
        )

    return render


def base_year_controls(today: date) -> None:
    """Base year (with the launch and current-year presets), trajectory, and whether
    milestone due dates move with the base year."""
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
        current = P.default_base_year(today)
        b2.button(
            f"Current financial year ({P.fy_label(current)})",
            on_click=ps.set_base_year,
            args=(current,),
            key="plan_preset_current",
        )


def plan_line_preview(
    db: Database,
    edited: pd.DataFrame,
    plan: P.Plan,
    ref: PlanReference,
    history: pd.DataFrame,
    base_year: int,
    area: str | None,
) -> None:
    """The plan line a measure's (edited, unsaved) targets would give, over its history."""
    codes = edited["measure_code"].tolist()
    if not codes:
        return
    code = st.selectbox(
        "See the plan line for",
        codes,
        format_func=lambda c: P.measure_label(ref.by_code[c]),
        key=f"plan_preview_{area or ALL_AREAS}",
        help="Draws the targets in the table above, including edits not yet saved.",
    )
    row = edited.set_index("measure_code").loc[code]
    targets = {}
    for h, col in P.TARGET_COLUMNS.items():
        value = pd.to_numeric(row[col], errors="coerce")
        if pd.notna(value):
            targets[h] = float(value)
    trajectory = st.session_state.get(ps.TRAJECTORY_KEY, plan.trajectory)
    fig, line, summary = _preview(
        plan,
        ref,
        history,
        (str(db.path), data_version(db), code),
        tuple(sorted(targets.items())),
        base_year,
        trajectory,
    )
    chart_with_download(
        fig,
        line,
        key="plan_preview",
        summary=summary,
        file_name=f"plan-line-{code}.csv",
        alt=f"Line chart of {ref.by_code[code].code} for England: its recorded history, the "
        "plan line from the baseline and the year 1, 3 and 5 targets",
    )


@st.cache_resource(show_spinner=False, max_entries=32)
def _preview(
    _plan: P.Plan,
    _ref: PlanReference,
    _history: pd.DataFrame,
    key: tuple[str, str, str],
    targets: tuple[tuple[int, float], ...],
    base_year: int,
    trajectory: str,
) -> tuple[go.Figure, pd.DataFrame, str]:
    """The preview's figure, line and summary, built once per data version, measure and
    targets (issue 12): moving between cells or tabs rebuilds nothing. Shared: read-only."""
    code = key[2]
    m = _ref.by_code[code]
    preview_plan = _plan.model_copy(
        update={
            "base_year": base_year,
            "trajectory": trajectory,
            "targets": [P.PlanTarget(measure_code=code, horizon=h, target=v) for h, v in targets],
        }
    )
    hist = _history.loc[_history["measure_code"] == code, ["period", "value"]]
    line = P.plan_line_for_series(preview_plan, m, hist)
    baseline = float(line["baseline"].iloc[0]) if not line.empty else m.baseline
    title = P.measure_label(m)
    goals = dict(targets)
    fig = trajectory_figure(title, m.unit_label, hist, line, goals, base_year)
    return fig, line, escape_markdown(trajectory_summary(title, m.unit_label, baseline, goals))


def editors(
    db: Database,
    ws: dict,
    plan: P.Plan,
    ref: PlanReference,
    area: str | None,
    history: pd.DataFrame,
    base_year: int,
) -> None:
    """The three editor tables on ``area``'s rows, with the plan-line preview."""
    st.subheader("England targets")
    st.caption(
        "One row per measure. Percentages run 0–100 and scores 0–10; later targets must "
        "not go backwards for the measure's direction."
    )
    edited = ps.table_editor(ws, "targets", area, ref.area_of, targets_editor)
    plan_line_preview(db, edited, plan, ref, history, base_year, area)
    st.subheader("Regional targets (override England)")
    st.caption("Leave a year blank to use England's target for that year. " + P.DIRECTION_RULE)
    ps.table_editor(ws, "regional", area, ref.area_of, regional_editor(ref, area))
    st.subheader("Milestones")
    st.caption(
        "Year-1 milestones fall due in the base year; year-3 and year-5 milestones in "
        "the years after it, up to the end of that horizon."
    )
    ps.table_editor(ws, "milestones", area, ref.area_of, milestones_editor(ref, area))


def read_only_view(
    plan: P.Plan, latest_id: int | None, tables: dict[str, pd.DataFrame], area: str | None
) -> None:
    """An older version's tables, not editable, with the way back to editing."""
    st.warning(
        f"You are looking at version {plan.version_id}; the latest is version {latest_id}. "
        "Older versions are read-only: restore this one on the 'Versions and changes' tab, "
        "or choose 'Latest' under Plan version in the sidebar to edit.",
        icon=":material/history:",
    )
    targets = tables["targets"]
    if area:
        targets = targets[targets["area"] == area]
    st.dataframe(targets.drop(columns=["area"]), hide_index=True)
    milestones = tables["milestones"]
    if area:
        milestones = milestones[milestones["priority_area"].str.startswith(area + " ")]
    st.dataframe(milestones, hide_index=True)


def newer_version_notice(ws: dict, plan: P.Plan) -> None:
    """Edits started from an older version: offer to put them on top of the latest."""
    st.warning(
        f"A newer version ({plan.version_id}) was saved while you were editing version "
        f"{ws['version_id']}. Your edits are kept below. Put them on top of version "
        f"{plan.version_id} (a colleague's changes are never overwritten), or discard them.",
        icon=":material/sync_problem:",
    )
    st.button(
        f"Put my edits on top of version {plan.version_id}",
        key="plan_rebase",
        icon=":material/merge:",
        on_click=ps.request,
        args=(ps.REBASE_REQUESTED,),
    )


def target_change_lines(changes: list[P.Change]) -> list[str]:
    """Each changed target as 'M08 … (England), year 5: 4.70 → 30' (people's text escaped),
    so the person sees what the save will store before and after it (issue 18)."""
    lines = []
    for c in changes:
        if c.entity != "target":
            continue
        before = "(none)" if c.kind == "added" else _value(c.before)
        after = "(none)" if c.kind == "removed" else _value(c.after)
        lines.append(f"{c.label}: {before} → {after}")
    return lines


def _value(v: object) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def pending_changes(changes: list[P.Change], warnings: list[P.ValidationIssue]) -> None:
    """The unsaved changes, each target before and after, and the checks to look at (a new
    target of 0 far from its history) before pressing Save."""
    lines = target_change_lines(changes)
    others = [c for c in changes if c.entity != "target"]
    if not lines and not others:
        return
    with st.container(border=True):
        st.markdown("**Changes not yet saved**")
        if lines:
            shown = "\n".join(f"- {escape_markdown(line)}" for line in lines[:MAX_LINES])
            more = f"\n- … and {len(lines) - MAX_LINES} more" if len(lines) > MAX_LINES else ""
            st.markdown(shown + more)
        if others:
            st.caption("Also: " + escape_markdown(P.summarise_changes(others)))
        for w in P.zero_target_issues(warnings):
            st.warning(escape_markdown(w), icon=":material/warning:")


MAX_LINES = 20


def save_controls(ws: dict) -> str:
    """The note, the unsaved-edits line, and the Save and Discard buttons; returns the note."""
    note = st.text_input(
        "What changed and why (saved with the version)",
        key=f"plan_note_v{ws['version_id']}",
        placeholder="e.g. Raised the year-5 improvement-training target after review",
    )
    st.caption(
        ":material/edit_note: You have unsaved edits." if ps.is_dirty(ws) else "No unsaved edits."
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
    s2.button(
        "Discard my edits", on_click=ps.discard_edits, icon=":material/undo:", key="plan_discard"
    )
    return note


def show_issues(exc: ValidationFailed, shown: int = 30) -> None:
    """A refused save's problems, one line each (row and column as the tables show them)."""
    errors = P.errors_only(exc.issues)
    if not errors:
        st.error(escape_markdown(exc), icon=":material/error:")
        return
    # A problem may quote what was typed (a title, an owner): shown as typed, never as markup.
    lines = "\n".join(f"- {escape_markdown(i)}" for i in errors[:shown])
    more = f"\n- … and {len(errors) - shown} more" if len(errors) > shown else ""
    st.error(
        f"Nothing was saved: {len(errors)} problem{'s' if len(errors) != 1 else ''} to fix "
        f"first.\n{lines}{more}",
        icon=":material/error:",
    )
