"""Plan state shared by pages: the plan version in use (sidebar, URL) and the edit workspace.

* ``plan_version_selector()`` is drawn by the shared sidebar on every page; the choice is kept
  in the URL as ``?plan=<version>`` (absent = the latest version), so a copied link shows the
  same version. Pages read it with ``current_plan_version_id()`` / ``current_plan()``.
* The workspace keeps a strategy lead's unsaved edits while they move between priority areas
  and when a save is refused because someone else saved first: the tables live in session
  state, each editor is mounted on one area's rows, and its edits are merged back when the
  area changes or the plan is saved.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from nlf_planner.geography import ENGLAND_CODE
from nlf_planner.models import UNIT_LABELS, Measure
from nlf_planner.plan import (
    STATUS_LABELS,
    MergeConflict,
    Plan,
    ValidationIssue,
    milestones_table,
    rebase_edits,
    shift_years,
    stamp_updates,
    targets_table,
    validate_milestones,
    validate_targets,
)
from nlf_planner.store import Database
from nlf_planner.store import plans as plan_store
from nlf_planner.ui.frame import get_db, query_param, set_query_params

VERSION_KEY = "plan_version"
URL_PARAM = "plan"
LATEST = "latest"
_PENDING = "_plan_version_pending"
_CHOICE = "_plan_version_choice"
_WS = "plan_workspace"
BASE_YEAR_KEY = "plan_base_year"
TRAJECTORY_KEY = "plan_trajectory"
SHIFT_KEY = "plan_shift_dates"
TABLES = ("targets", "regional", "milestones")
ALL = "ALL"


# --------------------------------------------------------------------------- version in use


def _version_label(row: pd.Series, latest: int | None) -> str:
    when = pd.Timestamp(row["created_at"]).strftime("%d %b %Y")
    tag = " (latest)" if int(row["version_id"]) == latest else ""
    return f"v{int(row['version_id'])}{tag} · {when} · {row['author']}"


def plan_version_selector() -> None:
    """Sidebar choice of the plan version every page uses; mirrored in the URL."""
    db = get_db()
    versions = plan_store.list_versions(db)
    if versions.empty:
        st.caption("Plan: none saved yet")
        return
    latest = plan_store.latest_version_id(db)
    labels = {str(int(r["version_id"])): _version_label(r, latest) for _, r in versions.iterrows()}
    options = [LATEST, *labels]
    pending = st.session_state.pop(_PENDING, None)
    if pending is not None:
        st.session_state[VERSION_KEY] = pending if pending in options else LATEST
    elif st.session_state.get(VERSION_KEY) not in options:
        # Widget state is dropped after any run that does not draw the sidebar; the copy in
        # _CHOICE (then the URL) brings the person's choice back.
        kept = st.session_state.get(_CHOICE)
        st.session_state[VERSION_KEY] = (
            kept if kept in options else query_param(URL_PARAM, LATEST, options)
        )
    choice = st.selectbox(
        "Plan version",
        options=options,
        format_func=lambda o: f"Latest (v{latest})" if o == LATEST else labels[o],
        key=VERSION_KEY,
        help="The plan every page measures progress against. Older versions are read-only.",
    )
    st.session_state[_CHOICE] = choice
    set_query_params(**{URL_PARAM: None if choice == LATEST else choice})


def current_plan_version_id(db: Database | None = None) -> int | None:
    """The version chosen in the sidebar (or the URL), else the latest; None if no plan."""
    db = db or get_db()
    choice = (
        st.session_state.get(VERSION_KEY)
        or st.session_state.get(_CHOICE)
        or query_param(URL_PARAM, LATEST)
    )
    if choice and choice != LATEST and str(choice).isdigit():
        vid = int(choice)
        if plan_store.version_exists(db, vid):
            return vid
    return plan_store.latest_version_id(db)


def current_plan(db: Database | None = None) -> Plan | None:
    """The plan version in use, loaded whole (targets and milestones)."""
    db = db or get_db()
    vid = current_plan_version_id(db)
    return plan_store.load_plan(db, vid) if vid is not None else None


def follow_latest() -> None:
    """After a save or restore, show the new latest version on the next run."""
    st.session_state[_PENDING] = LATEST


# --------------------------------------------------------------------------- display tables


def measure_label(m: Measure) -> str:
    return f"{m.code} {m.name}"


def first_token(value: Any) -> str | None:
    text = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
    return text.split(" ", 1)[0] if text.strip() else None


def display_tables(
    plan: Plan,
    measures: Sequence[Measure],
    baselines: Mapping[str, float],
    area_labels: Mapping[str, str],
    region_names: Mapping[str, str],
) -> dict[str, pd.DataFrame]:
    """The three editable tables as shown: England targets, regional overrides, milestones."""
    england = targets_table(plan, measures, baselines, [ENGLAND_CODE])
    england["measure"] = [
        f"{c} {n}" for c, n in zip(england["measure_code"], england["measure"], strict=True)
    ]
    england["better"] = england["polarity"].map(
        {"higher_is_better": "Higher", "lower_is_better": "Lower", "neutral": "Neither"}
    )
    england["unit"] = england["unit"].map(lambda u: UNIT_LABELS.get(u, u))
    england = england[
        ["area", "measure_code", "measure", "unit", "better", "baseline", "y1", "y3", "y5"]
    ]
    regional = targets_table(plan, measures, baselines, list(region_names))
    regional = regional[regional["geo_code"] != ENGLAND_CODE]
    labels = {m.code: measure_label(m) for m in measures}
    regional = pd.DataFrame(
        {
            "measure": regional["measure_code"].map(labels),
            "region": regional["geo_code"].map(region_names),
            "y1": regional["y1"],
            "y3": regional["y3"],
            "y5": regional["y5"],
        }
    ).reset_index(drop=True)
    ms = milestones_table(plan)
    ms["priority_area"] = ms["priority_area"].map(lambda c: area_labels.get(c, c))
    ms["status"] = ms["status"].map(STATUS_LABELS)
    ms["measure_code"] = ms["measure_code"].map(lambda c: labels.get(c) if c else None)
    ms = ms[
        [
            "item_id",
            "priority_area",
            "title",
            "description",
            "horizon",
            "due_date",
            "owner",
            "status",
            "last_updated",
            "measure_code",
        ]
    ]
    return {
        "targets": england,
        "regional": regional.astype({"measure": object, "region": object}),
        "milestones": ms,
    }


def _row_areas(name: str, df: pd.DataFrame, area_of: Mapping[str, str]) -> pd.Series:
    """The priority area of each row (by measure for targets, by column for milestones)."""
    if name == "targets":
        return df["area"]
    if name == "regional":
        return df["measure"].map(lambda v: area_of.get(first_token(v) or "", ""))
    return df["priority_area"].map(lambda v: first_token(v) or "")


# --------------------------------------------------------------------------- workspace


def workspace(plan: Plan, tables: dict[str, pd.DataFrame], *, reset: bool = False) -> dict:
    """The edit workspace for ``plan`` (made on first use, or when the plan changes and there
    are no unsaved edits, or when ``reset``)."""
    ws = st.session_state.get(_WS)
    if reset or ws is None or (ws["version_id"] != plan.version_id and not is_dirty(ws)):
        ws = {
            "version_id": plan.version_id,
            "original": {k: v.copy() for k, v in tables.items()},
            "tables": {k: v.copy() for k, v in tables.items()},
            "mounted": {},
            "mounted_idx": {},
            "inputs": {},
            "gen": ws["gen"] + 1 if ws else 0,
            "base_year": plan.base_year,
            "applied_base_year": plan.base_year,
            "trajectory": plan.trajectory,
        }
        st.session_state[_WS] = ws
        st.session_state[BASE_YEAR_KEY] = plan.base_year
        st.session_state[TRAJECTORY_KEY] = plan.trajectory
    return ws


def current_workspace() -> dict | None:
    return st.session_state.get(_WS)


def rebase_onto_latest(
    latest: Plan,
    original: Plan,
    draft: Plan,
    tables_for: Callable[[Plan], dict[str, pd.DataFrame]],
) -> list[MergeConflict]:
    """Move unsaved edits (``original`` → ``draft``) onto ``latest`` and make that the
    workspace (still unsaved), so a refused save can be retried without losing work or
    overwriting a colleague's changes. Returns the conflicts (theirs kept)."""
    merged, conflicts = rebase_edits(original, draft, latest)
    ws = workspace(latest, tables_for(latest), reset=True)
    ws["tables"] = {k: v.copy() for k, v in tables_for(merged).items()}
    ws["applied_base_year"] = merged.base_year
    st.session_state[BASE_YEAR_KEY] = merged.base_year
    st.session_state[TRAJECTORY_KEY] = merged.trajectory
    return conflicts


def editor_key(ws: dict, name: str) -> str:
    """The session-state key of a table's editor (tests write edits to it)."""
    return f"plan_{name}_v{ws['version_id']}_{ws['gen']}"


def _merge(ws: dict, name: str) -> None:
    """Fold the mounted editor's edits into the full table."""
    edited = ws.get("last", {}).get(name)
    if name not in ws["mounted"] or edited is None:
        return
    if ws.get("last_keys", {}).get(name) != editor_key(ws, name):
        return
    full = ws["tables"][name].drop(index=ws["mounted_idx"][name])
    ws["tables"][name] = pd.concat([full, edited], ignore_index=True)


def merge_all(ws: dict) -> None:
    """Fold every editor's edits into the tables and remount editors on the next render."""
    for name in TABLES:
        _merge(ws, name)
    ws["mounted"], ws["mounted_idx"], ws["inputs"], ws["last"] = {}, {}, {}, {}
    ws["gen"] += 1


def table_editor(
    ws: dict,
    name: str,
    area: str | None,
    area_of: Mapping[str, str],
    render: Callable[[pd.DataFrame, str], pd.DataFrame],
) -> pd.DataFrame:
    """Draw one table's editor on the rows of ``area`` (all rows when None) and keep its edits.

    ``render(df, key)`` draws the ``st.data_editor`` and returns the edited frame.
    """
    scope = area or ALL
    if ws["mounted"].get(name) != scope:
        if name in ws["mounted"]:
            merge_all(ws)
        full = ws["tables"][name]
        mask = (
            pd.Series(True, index=full.index)
            if area is None
            else (_row_areas(name, full, area_of) == area)
        )
        ws["mounted"][name] = scope
        ws["mounted_idx"][name] = list(full.index[mask])
        ws["inputs"][name] = full[mask].reset_index(drop=True)
    key = editor_key(ws, name)
    edited = render(ws["inputs"][name], key)
    ws.setdefault("last", {})[name] = edited
    ws.setdefault("last_keys", {})[name] = key
    return edited


def _has_edits(state: Any) -> bool:
    if not isinstance(state, Mapping):
        return False
    return bool(state.get("edited_rows") or state.get("added_rows") or state.get("deleted_rows"))


def is_dirty(ws: dict | None) -> bool:
    """Whether the workspace holds anything not in the version it started from."""
    if not ws:
        return False
    if any(_has_edits(st.session_state.get(editor_key(ws, n))) for n in TABLES):
        return True
    if st.session_state.get(BASE_YEAR_KEY, ws["base_year"]) != ws["base_year"]:
        return True
    if st.session_state.get(TRAJECTORY_KEY, ws["trajectory"]) != ws["trajectory"]:
        return True
    return any(not ws["tables"][n].equals(ws["original"][n]) for n in TABLES)


SAVE_REQUESTED = "_plan_save_requested"
REBASE_REQUESTED = "_plan_rebase_requested"
RESTORE_REQUESTED = "_plan_restore_requested"


def request(flag: str) -> None:
    """Button callback: remember the request in session state. Unlike a button's own value it
    survives a rerun that happens before the page reaches the button (e.g. the frame's
    one-off handover from a deep link), so a click is never lost."""
    st.session_state[flag] = True


def take_request(flag: str) -> bool:
    """Whether the request was made; consumes it so it runs once."""
    return bool(st.session_state.pop(flag, False))


def discard_edits() -> None:
    """Callback: forget unsaved edits (the next run rebuilds the workspace)."""
    st.session_state.pop(_WS, None)


def set_base_year(year: int) -> None:
    """Callback for the base-year presets."""
    st.session_state[BASE_YEAR_KEY] = year


def shift_due_dates(ws: dict, old_year: int, new_year: int) -> None:
    """Move every milestone's due date by the change of base year (the editor shows it)."""
    merge_all(ws)
    ms = ws["tables"]["milestones"]

    def move(d: Any) -> Any:
        if d is None or (not isinstance(d, date) and pd.isna(d)):
            return d
        return shift_years(pd.Timestamp(d).date(), new_year - old_year)

    ms["due_date"] = ms["due_date"].map(move)


# --------------------------------------------------------------------------- draft and checks


def _group_validate(
    df: pd.DataFrame,
    areas: pd.Series,
    current: str | None,
    table: str,
    check: Callable[[pd.DataFrame, str], tuple[list, list]],
) -> tuple[list, list]:
    """Validate rows numbered as the user sees them: the current area's table first, then
    every other area's rows as their own table (named after the area)."""
    if current is None:
        return check(df.reset_index(drop=True), table)
    recs, issues = [], []
    order = [current, *sorted(set(areas) - {current})]
    for code in order:
        part = df[areas == code]
        if part.empty:
            continue
        r, i = check(
            part.reset_index(drop=True),
            table if code == current else f"{table} ({code or 'no area'})",
        )
        recs += r
        issues += i
    return recs, issues


def build_draft(
    ws: dict,
    plan: Plan,
    area: str | None,
    measures: Mapping[str, Measure],
    geo_names: Mapping[str, str],
    region_codes: Mapping[str, str],
    area_codes: Sequence[str],
    today: date,
) -> tuple[Plan, list[ValidationIssue]]:
    """The plan the workspace would save, and every problem found, rows numbered per table."""
    merge_all(ws)
    t = ws["tables"]
    area_of = {c: m.area_code for c, m in measures.items()}
    base_year = int(st.session_state.get(BASE_YEAR_KEY, plan.base_year))
    trajectory = st.session_state.get(TRAJECTORY_KEY, plan.trajectory)

    eng = t["targets"].copy()
    eng["geo_code"] = ENGLAND_CODE
    eng_targets, issues = _group_validate(
        eng,
        eng["area"],
        area,
        "Targets",
        lambda d, name: validate_targets(d, measures, geo_names, table=name),
    )
    england_values: dict[str, dict[int, float]] = {}
    for tg in eng_targets:
        england_values.setdefault(tg.measure_code, {})[tg.horizon] = tg.target

    reg = t["regional"].copy()
    reg_df = pd.DataFrame(
        {
            "measure_code": reg["measure"].map(first_token),
            "geo_code": reg["region"].map(lambda n: region_codes.get(n, n)),
            "y1": reg["y1"],
            "y3": reg["y3"],
            "y5": reg["y5"],
        }
    )
    reg_targets, reg_issues = _group_validate(
        reg_df,
        _row_areas("regional", reg, area_of),
        area,
        "Regional targets",
        lambda d, name: validate_targets(
            d, measures, geo_names, table=name, england_values=england_values
        ),
    )
    issues += reg_issues

    ms = t["milestones"].copy()
    ms_df = ms.assign(
        priority_area=ms["priority_area"].map(first_token),
        measure_code=ms["measure_code"].map(first_token),
    )
    milestones, ms_issues = _group_validate(
        ms_df,
        ms_df["priority_area"].fillna(""),
        area,
        "Milestones",
        lambda d, name: validate_milestones(d, base_year, area_codes, measures, today, name),
    )
    issues += ms_issues
    milestones = stamp_updates(milestones, plan.milestones, today)
    draft = plan.model_copy(
        update={
            "base_year": base_year,
            "trajectory": trajectory,
            "targets": eng_targets + reg_targets,
            "milestones": milestones,
        }
    )
    return draft, issues
