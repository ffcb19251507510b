"""Plan state shared by pages: the plan version in use (sidebar, URL) and the edit workspace.

* ``plan_version_selector()`` is drawn by the shared sidebar on every page; the choice is kept
  in the URL as ``?plan=<version>`` (absent = the latest version), so a copied link shows the
  same version. Pages read it with ``current_plan_version_id()`` / ``current_plan()``; a
  choice made elsewhere goes through the pending slot (``follow_latest()`` after a save).
* The workspace keeps a strategy lead's unsaved edits while they move between priority areas
  and when a save is refused because someone else saved first: the tables live in session
  state, each editor is mounted on one area's rows, and its edits are merged back when the
  area changes or the plan is saved. ``edits()`` hands them to ``services.plan_editing``,
  which checks and saves them; nothing here reads or writes the database itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from nlf_planner.plan import EDITOR_TABLES, Plan, baselines_from_history, row_areas, shift_years
from nlf_planner.services import plan_editing
from nlf_planner.services.database import Database, data_version
from nlf_planner.ui.frame import format_date, get_db, query_param, set_query_params

VERSION_KEY = "plan_version"
URL_PARAM = "plan"
LATEST = "latest"
# A version choice made elsewhere (a save, a restore, the Present page) for the sidebar to
# apply on its next run; the Present page writes this key itself.
_PENDING = "_plan_version_pending"
_CHOICE = "_plan_version_choice"
_WS = "plan_workspace"
BASE_YEAR_KEY = "plan_base_year"
TRAJECTORY_KEY = "plan_trajectory"
SHIFT_KEY = "plan_shift_dates"
ALL = "ALL"


# --------------------------------------------------------------------------- version in use


def _version_label(row: pd.Series, latest: int | None) -> str:
    when = format_date(pd.Timestamp(row["created_at"]))
    tag = " (latest)" if int(row["version_id"]) == latest else ""
    return f"v{int(row['version_id'])}{tag} · {when} · {row['author']}"


@st.cache_resource(max_entries=8, show_spinner=False)
def _version_labels(_db: Database, path: str, version: str) -> tuple[int, dict[str, str]] | None:
    """The latest version and every version's label, built once per data version: the
    sidebar draws them on every run of every page (read-only: shared between sessions)."""
    versions = plan_editing.list_versions(_db)
    if versions.empty:
        return None
    latest = int(versions.loc[versions["is_latest"], "version_id"].iloc[0])
    return latest, {
        str(int(r["version_id"])): _version_label(r, latest) for r in versions.to_dict("records")
    }


def plan_version_selector() -> None:
    """Sidebar choice of the plan version every page uses; mirrored in the URL."""
    db = get_db()
    found = _version_labels(db, str(db.path), data_version(db))
    if found is None:
        st.caption("Plan: none saved yet")
        return
    latest, labels = found
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
        if plan_editing.version_exists(db, vid):
            return vid
    return plan_editing.latest_version_id(db)


@st.cache_data(show_spinner=False, max_entries=16)
def _editor_view(
    _plan: Plan,
    _ref: plan_editing.PlanReference,
    _history: pd.DataFrame,
    path: str,
    version: str,
    plan_version: int | None,
) -> tuple[dict[str, float], dict[str, pd.DataFrame]]:
    baselines = baselines_from_history(_history, _ref.measures, _plan.base_year)
    return baselines, _ref.editor_tables(_plan, baselines)


def editor_view(
    db: Database, plan: Plan, ref: plan_editing.PlanReference, history: pd.DataFrame
) -> tuple[dict[str, float], dict[str, pd.DataFrame]]:
    """The plan's baselines (from England's history) and its three editor tables, worked
    out once per data and plan version (issue 12); each caller gets its own copy."""
    return _editor_view(plan, ref, history, str(db.path), data_version(db), plan.version_id)


def current_plan(db: Database | None = None) -> Plan | None:
    """The plan version in use, loaded whole (targets and milestones)."""
    db = db or get_db()
    vid = current_plan_version_id(db)
    return plan_editing.load_plan(db, vid) if vid is not None else None


def choose_version(value: str) -> None:
    """Have the shared sidebar show ``value`` (a version id, or ``LATEST``) on the next run:
    the one way another page (Present) changes the plan version in use."""
    st.session_state[_PENDING] = value


def follow_latest() -> None:
    """After a save or restore, show the new latest version on the next run."""
    choose_version(LATEST)


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


def replace_workspace(
    latest: Plan, merged: Plan, tables_for: Callable[[Plan], dict[str, pd.DataFrame]]
) -> None:
    """Make ``merged`` (your edits put on top of ``latest``) the workspace, still unsaved, so
    a refused save can be retried without losing work."""
    ws = workspace(latest, tables_for(latest), reset=True)
    ws["tables"] = {k: v.copy() for k, v in tables_for(merged).items()}
    ws["applied_base_year"] = merged.base_year
    st.session_state[BASE_YEAR_KEY] = merged.base_year
    st.session_state[TRAJECTORY_KEY] = merged.trajectory


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
    for name in EDITOR_TABLES:
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
            else (row_areas(name, full, area_of) == area)
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
    if any(_has_edits(st.session_state.get(editor_key(ws, n))) for n in EDITOR_TABLES):
        return True
    if st.session_state.get(BASE_YEAR_KEY, ws["base_year"]) != ws["base_year"]:
        return True
    if st.session_state.get(TRAJECTORY_KEY, ws["trajectory"]) != ws["trajectory"]:
        return True
    return any(not ws["tables"][n].equals(ws["original"][n]) for n in EDITOR_TABLES)


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


def apply_base_year(ws: dict) -> int | None:
    """The base year chosen in the editor when it differs from the one applied so far (then
    milestone due dates move with it, unless the person said not to); else None."""
    new_base = int(st.session_state[BASE_YEAR_KEY])
    if new_base == ws["applied_base_year"]:
        return None
    if st.session_state.get(SHIFT_KEY, True):
        shift_due_dates(ws, ws["applied_base_year"], new_base)
    ws["applied_base_year"] = new_base
    return new_base


def pending_edits(ws: dict, plan: Plan, area: str | None) -> plan_editing.PlanEdits:
    """What a save would take, without folding the editors' edits in (which remounts the
    grids and loses the person's place): for the live list of unsaved changes."""
    tables = {}
    for name in EDITOR_TABLES:
        edited = ws.get("last", {}).get(name)
        current = ws.get("last_keys", {}).get(name) == editor_key(ws, name)
        if name in ws["mounted"] and edited is not None and current:
            full = ws["tables"][name].drop(index=ws["mounted_idx"][name])
            tables[name] = pd.concat([full, edited], ignore_index=True)
        else:
            tables[name] = ws["tables"][name]
    return plan_editing.PlanEdits(
        tables=tables,
        base_year=int(st.session_state.get(BASE_YEAR_KEY, plan.base_year)),
        trajectory=st.session_state.get(TRAJECTORY_KEY, plan.trajectory),
        area=area,
    )


def edits(ws: dict, plan: Plan, area: str | None) -> plan_editing.PlanEdits:
    """Everything the workspace holds for a save: every editor's edits folded into the
    tables, and the header choices (``plan``'s own when untouched)."""
    merge_all(ws)
    return plan_editing.PlanEdits(
        tables=ws["tables"],
        base_year=int(st.session_state.get(BASE_YEAR_KEY, plan.base_year)),
        trajectory=st.session_state.get(TRAJECTORY_KEY, plan.trajectory),
        area=area,
    )
