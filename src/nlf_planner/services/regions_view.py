"""The regions view model: SPC for every series, comparisons with England and progress
against the plan, built once and read by the Overview, Regions and Present pages and the
board deck, so their icons and readings can never disagree."""

from __future__ import annotations

from nlf_planner import regions as regions_domain
from nlf_planner.plan import Plan
from nlf_planner.spc import SPCOptions
from nlf_planner.store import Database
from nlf_planner.store import annotations as annotation_store
from nlf_planner.store import measurements as measurement_store
from nlf_planner.store import reference as reference_store

RegionsModel = regions_domain.RegionsModel


def model_key(db: Database, plan: Plan | None) -> tuple:
    """What the model depends on: the file, its data, its rebases, the plan version and the
    SPC run length. Equal keys give equal models, so callers may cache on it."""
    return (
        str(db.path),
        measurement_store.data_version(db),
        annotation_store.rebases_version(db),
        getattr(plan, "version_id", None),
        SPCOptions.default().run_length,
    )


def build_regions_model(db: Database, plan: Plan | None, series=None) -> RegionsModel:
    """The model for ``plan`` (None = no plan lines) from the database's series.

    ``series`` may be passed when the caller already holds them (a cached read)."""
    return regions_domain.build_model(
        series if series is not None else measurement_store.all_series(db),
        reference_store.measures(db),
        reference_store.priority_areas(db),
        reference_store.regions(db),
        reference_store.icbs(db),
        rebases=annotation_store.all_rebases(db),
        plan=plan,
        options=SPCOptions.default(),
    )
