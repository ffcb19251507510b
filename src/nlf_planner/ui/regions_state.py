"""One cached Regions model (SPC, comparisons, plan progress for every series) per data,
rebase and plan version, shared by the Overview, Regions and Present pages so their icons
and readings can never disagree."""

from __future__ import annotations

import streamlit as st

from nlf_planner import regions as regions_domain
from nlf_planner.plan import Plan
from nlf_planner.spc import SPCOptions
from nlf_planner.store import Database
from nlf_planner.store import annotations as notes_store
from nlf_planner.store import reference as reference_store
from nlf_planner.ui.frame import cached_series, data_version
from nlf_planner.ui.plan_state import current_plan


@st.cache_resource(show_spinner="Computing SPC for every series…", max_entries=4)
def _model(_db: Database, _plan: Plan | None, key: tuple) -> regions_domain.RegionsModel:
    return regions_domain.build_model(
        cached_series(_db),
        reference_store.measures(_db),
        reference_store.priority_areas(_db),
        reference_store.regions(_db),
        reference_store.icbs(_db),
        rebases=notes_store.all_rebases(_db),
        plan=_plan,
        options=SPCOptions.default(),
    )


def regions_model(db: Database) -> regions_domain.RegionsModel:
    """The model for the plan version in use; rebuilt when data, rebases or plan change."""
    plan = current_plan(db)
    key = (
        str(db.path),
        data_version(db),
        notes_store.rebases_version(db),
        getattr(plan, "version_id", None),
        SPCOptions.default().run_length,
    )
    return _model(db, plan, key)
