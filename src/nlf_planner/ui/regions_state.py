"""The Regions model (SPC, comparisons, plan progress for every series) for the plan version
in use, shared by the Overview, Regions and Present pages so their icons and readings can
never disagree.

The model is kept by the service (``regions_view.regions_model``), per data version and
plan version, for every page and session of the process; this module only picks the plan
and shows a spinner on the run that has to build it; the plan itself is read only then.
"""

from __future__ import annotations

import streamlit as st

from nlf_planner.services import regions_view
from nlf_planner.services.database import Database
from nlf_planner.ui.plan_state import current_plan_version_id

BUILDING = "Computing SPC for every series…"


def regions_model(db: Database) -> regions_view.RegionsModel:
    """The model for the plan version in use; rebuilt when data, rebases or plan change."""
    version_id = current_plan_version_id(db)
    if regions_view.model_ready(db, version_id):
        return regions_view.model_for_version(db, version_id)
    with st.spinner(BUILDING):
        return regions_view.model_for_version(db, version_id)
