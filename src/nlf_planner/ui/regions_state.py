"""One cached Regions model (SPC, comparisons, plan progress for every series) per data,
rebase and plan version, shared by the Overview, Regions and Present pages so their icons
and readings can never disagree."""

from __future__ import annotations

import streamlit as st

from nlf_planner.plan import Plan
from nlf_planner.services import regions_view
from nlf_planner.services.database import Database
from nlf_planner.ui.frame import cached_series
from nlf_planner.ui.plan_state import current_plan


@st.cache_resource(show_spinner="Computing SPC for every series…", max_entries=4)
def _model(_db: Database, _plan: Plan | None, key: tuple) -> regions_view.RegionsModel:
    return regions_view.build_regions_model(_db, _plan, cached_series(_db))


def regions_model(db: Database) -> regions_view.RegionsModel:
    """The model for the plan version in use; rebuilt when data, rebases or plan change."""
    plan = current_plan(db)
    return _model(db, plan, regions_view.model_key(db, plan))
