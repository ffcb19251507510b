"""Peer groups on the Regions page: the "Compare with" choice, and the "Peer groups"
expander to make (by hand, or nearest neighbours on a measure, suggested and then
confirmed), edit (a new version) and delete groups.

Writes run in widget callbacks through the peer groups service (which checks the person,
their region scope and the rules); the outcome is kept in session state and shown on the
next run. Group names are people's text: escaped wherever they are drawn.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from nlf_planner.peers import DESCRIPTION_MAX, MAX_MEMBERS, NAME_MAX, PeerGroup
from nlf_planner.services import peers as peer_service
from nlf_planner.services import regions_view
from nlf_planner.services.access import region_scope
from nlf_planner.services.actor import Role
from nlf_planner.services.database import Database
from nlf_planner.services.errors import ServiceError
from nlf_planner.services.regions_view import RegionsModel
from nlf_planner.ui.frame import (
    current_actor,
    format_datetime,
    require_actor,
    show_outcome,
)
from nlf_planner.ui.regions_widgets import url_select
from nlf_planner.ui.text import escape_markdown

FLASH = "peers_flash"
NEW = "new"
ENGLAND_ONLY = ""
LEVEL_WORDS = {"icb": "ICSs", "region": "Regions"}
METHOD_WORDS = {"hand": "By hand", "nearest": "Nearest neighbours on a measure"}


def group_label(group: PeerGroup, names: dict[str, str]) -> str:
    """'London ICSs (home North West London, 4 ICSs, v2)' — raw text for a widget label
    (Streamlit shows option labels as plain text)."""
    level = {"icb": "ICSs", "region": "regions"}.get(group.level, group.level)
    home = names.get(group.home_geo, group.home_geo)
    return f"{group.name} (home {home}, {len(group.members)} {level}, v{group.version})"


# --------------------------------------------------------------------------- compare with


def compare_with(
    db: Database, model: RegionsModel, where, level: str, key: str = "peers"
) -> PeerGroup | None:
    """The "Compare with" picker (mirrored in the URL): England alone, or a saved peer
    group of ``level`` ('icb' or 'region'). Returns the chosen group or None."""
    groups = peer_service.list_groups(db, level=level)
    options = {ENGLAND_ONLY: "England only"}
    options.update({str(g.peer_group_id): group_label(g, model.names) for g in groups})
    chosen = url_select(where, "Compare with", options, key, ENGLAND_ONLY)
    return next((g for g in groups if str(g.peer_group_id) == chosen), None)


def profile_group(
    db: Database, model: RegionsModel, where, geo: str, key: str = "profile_peers"
) -> PeerGroup | None:
    """The profile's choice of a peer group homed at ``geo`` (None: none chosen or saved)."""
    groups = peer_service.list_groups(db, home=geo)
    if not groups:
        return None
    options = {ENGLAND_ONLY: "No peer group"}
    options.update({str(g.peer_group_id): group_label(g, model.names) for g in groups})
    chosen = url_select(where, "Against peers", options, key, str(groups[0].peer_group_id))
    return next((g for g in groups if str(g.peer_group_id) == chosen), None)


# --------------------------------------------------------------------------- writes


def _run(work: Callable[[], object], done: str) -> None:
    try:
        work()
    except ServiceError as exc:
        st.session_state[FLASH] = exc
        return
    st.session_state[FLASH] = done
    st.session_state["peer_edit"] = NEW
    _load_into_form(None)


def _load_into_form(group: PeerGroup | None) -> None:
    """Fill the editor's widgets from a saved group (or empty them for a new one)."""
    st.session_state["peer_name"] = group.name if group else ""
    st.session_state["peer_description"] = group.description if group else ""
    st.session_state["peer_members"] = list(group.members) if group else []
    if group is not None:
        st.session_state["peer_level"] = group.level
        st.session_state["peer_home"] = group.home_geo
        st.session_state["peer_method"] = group.method
        if group.basis_measure:
            st.session_state["peer_basis"] = group.basis_measure


def _on_pick(db: Database) -> None:
    choice = st.session_state.get("peer_edit", NEW)
    group = None
    if choice != NEW:
        try:
            group = peer_service.group(db, int(choice))
        except ServiceError as exc:
            st.session_state[FLASH] = exc
    _load_into_form(group)


def _draft(editing: PeerGroup | None) -> PeerGroup:
    s = st.session_state
    method = s.get("peer_method", "hand")
    return PeerGroup(
        name=s.get("peer_name", ""),
        home_geo=s.get("peer_home", ""),
        level=s.get("peer_level", "icb"),
        members=tuple(s.get("peer_members", [])),
        method=method,
        basis_measure=s.get("peer_basis") if method == "nearest" else None,
        description=s.get("peer_description", ""),
        peer_group_id=editing.peer_group_id if editing else None,
    )


def _save(db: Database, editing: PeerGroup | None) -> None:
    draft = _draft(editing)
    version = editing.version if editing else None
    word = f"version {version + 1} of" if editing else "the new peer group"
    _run(
        lambda: peer_service.save_group(db, current_actor(), draft, version),
        f"Saved {word} ‘{draft.name.strip()}’.",
    )


def _delete(db: Database, editing: PeerGroup) -> None:
    _run(
        lambda: peer_service.delete_group(
            db,
            current_actor(),
            editing.peer_group_id,
            reason=st.session_state.get("peer_delete_reason", ""),
        ),
        f"Deleted ‘{editing.name}’ (its versions are kept in the audit log).",
    )


def _suggest(db: Database) -> None:
    """Put the nearest neighbours into the members box: a suggestion the person confirms."""
    try:
        found = peer_service.suggest_nearest(
            db,
            st.session_state.get("peer_home", ""),
            st.session_state.get("peer_basis", ""),
            int(st.session_state.get("peer_k", peer_service.DEFAULT_NEIGHBOURS)),
        )
    except ServiceError as exc:
        st.session_state[FLASH] = exc
        return
    st.session_state["peer_members"] = list(found.geo_code)
    key = (st.session_state.get("peer_home"), st.session_state.get("peer_basis"))
    st.session_state["peer_suggested"] = (key, found)


# --------------------------------------------------------------------------- the expander


def _listing(groups: list[PeerGroup], model: RegionsModel) -> pd.DataFrame:
    names = model.names
    return pd.DataFrame(
        [
            {
                "Name": g.name,
                "Home area": names.get(g.home_geo, g.home_geo),
                "Of": LEVEL_WORDS.get(g.level, g.level),
                "Members": len(g.members),
                "Chosen": METHOD_WORDS.get(g.method, g.method)
                + (f" ({g.basis_measure})" if g.basis_measure else ""),
                "Version": g.version,
                "Saved by": g.author,
                "Saved": format_datetime(g.created_at),
                "Peers": ", ".join(names.get(m, m) for m in g.members),
            }
            for g in groups
        ]
    )


def render_peer_groups(db: Database, model: RegionsModel, region: str, level: str) -> None:
    """The "Peer groups" expander: the saved groups, and for editors the editor."""
    groups = peer_service.list_groups(db)
    with st.expander(f"Peer groups ({len(groups)} saved)", expanded=FLASH in st.session_state):
        show_outcome(FLASH, quotes_user_text=True)
        st.caption(
            "A peer group is a saved set of ICSs (or regions) like one home area. Choose it "
            "under “Compare with” to add the peers' aggregate (numerators summed over "
            "denominators, with a 95% interval) to the charts and the profile. Every save is "
            "a new version, kept in the audit log."
        )
        if groups:
            st.dataframe(_listing(groups, model), hide_index=True)
        else:
            st.info("No peer groups saved yet.")
        actor = require_actor("make or change peer groups", Role.EDITOR)
        if actor is None:
            return
        _editor(db, model, region, level, groups, region_scope(actor))


def _editor(
    db: Database,
    model: RegionsModel,
    region: str,
    level: str,
    groups: list[PeerGroup],
    scope: str | None = None,
) -> None:
    """The editor; ``scope`` (a region-scoped editor's region) narrows the home areas
    offered to that region and its ICSs (the service refuses any other anyway)."""
    s = st.session_state
    picks = {NEW: "A new peer group"}
    picks.update({str(g.peer_group_id): group_label(g, model.names) for g in groups})
    if s.get("peer_edit") not in picks:
        s["peer_edit"] = NEW
    choice = st.selectbox(
        "Make or edit", list(picks), format_func=picks.get, key="peer_edit",
        on_change=_on_pick, args=(db,),
    )  # fmt: skip
    editing = next((g for g in groups if str(g.peer_group_id) == choice), None)
    s.setdefault("peer_level", level)
    a, b = st.columns(2)
    a.radio("Of", list(LEVEL_WORDS), format_func=LEVEL_WORDS.get, key="peer_level", horizontal=True)
    chosen_level = s["peer_level"]
    areas = {r.code: r.name for r in model.regions}
    if chosen_level == "icb":
        areas = {i.code: f"{i.name} (ICS)" for i in model.icbs}
    homes = areas
    if scope is not None:
        homes = {c: n for c, n in areas.items() if scope in (c, model.region_of(c))}
        homes = homes or areas
    mine = [i.code for i in model.icbs_in(region)] if chosen_level == "icb" else []
    home_default = (
        region if region in homes else ([m for m in mine if m in homes] or list(homes))[0]
    )
    if s.get("peer_home") not in homes:
        s["peer_home"] = home_default
    b.selectbox("Home area", list(homes), format_func=lambda c: homes.get(c, c), key="peer_home")
    st.text_input("Name", max_chars=NAME_MAX, key="peer_name", placeholder="ICSs like ours")
    st.radio(
        "Members chosen", list(METHOD_WORDS), format_func=METHOD_WORDS.get,
        key="peer_method", horizontal=True,
    )  # fmt: skip
    if s.get("peer_method") == "nearest":
        _nearest_controls(db, model)
    others = {c: n for c, n in areas.items() if c != s["peer_home"]}
    s["peer_members"] = [m for m in s.get("peer_members", []) if m in others]
    st.multiselect(
        f"Peers (2 to {min(MAX_MEMBERS, len(others))})",
        list(others),
        format_func=lambda c: others.get(c, c),
        key="peer_members",
        help="The nearest neighbours fill this in; add or remove areas before saving.",
    )
    st.text_area("Description (optional)", max_chars=DESCRIPTION_MAX, key="peer_description")
    label = f"Save as version {editing.version + 1}" if editing else "Save the peer group"
    st.button(label, type="primary", on_click=_save, args=(db, editing), key="peer_save")
    if editing is not None:
        st.markdown(f"**Delete ‘{escape_markdown(editing.name)}’**")
        c, d = st.columns([3, 1])
        c.text_input("Why (required)", key="peer_delete_reason")
        d.button("Delete group", on_click=_delete, args=(db, editing), key="peer_delete")


def _nearest_controls(db: Database, model: RegionsModel) -> None:
    measures = regions_view.measure_choices(model)
    s = st.session_state
    if s.get("peer_basis") not in measures:
        s["peer_basis"] = next(iter(measures))
    a, b, c = st.columns([3, 1, 1])
    a.selectbox("Measure", list(measures), format_func=measures.get, key="peer_basis")
    s.setdefault("peer_k", peer_service.DEFAULT_NEIGHBOURS)
    b.number_input("How many", min_value=2, max_value=MAX_MEMBERS, step=1, key="peer_k")
    c.button("Suggest", on_click=_suggest, args=(db,), key="peer_suggest")
    key, found = s.get("peer_suggested") or (None, None)
    # Shown only while it answers the home and measure on screen.
    if key == (s.get("peer_home"), s.get("peer_basis")) and found is not None and len(found):
        st.caption(
            "Suggested: the areas whose latest value is closest to the home area's "
            "(absolute difference; ties by code). Check them, then save."
        )
        st.dataframe(found[["rank", "name", "value", "distance"]], hide_index=True, height=180)
