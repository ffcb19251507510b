"""The plan's records and the constants every part of the plan shares.

A plan has a base financial year and three horizons (years 1, 3 and 5); targets give a
measure's expected value at a horizon's end for England or a region; milestones are dated
actions under a priority area. Saved versions are never edited.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from nlf_planner.geography import ENGLAND_CODE

HORIZONS: tuple[int, ...] = (1, 3, 5)
Horizon = Literal[1, 3, 5]
Trajectory = Literal["linear", "stepwise"]
LAUNCH_BASE_YEAR = 2016  # Developing People – Improving Care, published December 2016
DEFAULT_PLAN_NAME = "National plan"

STATUSES: tuple[str, ...] = ("not_started", "on_track", "at_risk", "off_track", "done")
STATUS_LABELS: dict[str, str] = {
    "not_started": "Not started",
    "on_track": "On track",
    "at_risk": "At risk",
    "off_track": "Off track",
    "done": "Done",
}

TARGET_COLUMNS: dict[int, str] = {1: "y1", 3: "y3", 5: "y5"}
COLUMN_LABELS: dict[str, str] = {
    "measure_code": "Measure",
    "geo_code": "Geography",
    "y1": "Year 1 target",
    "y3": "Year 3 target",
    "y5": "Year 5 target",
    "item_id": "ID",
    "priority_area": "Priority area",
    "title": "Title",
    "description": "Description",
    "horizon": "Horizon",
    "due_date": "Due date",
    "owner": "Owner",
    "status": "Status",
    "last_updated": "Last updated",
    "base_year": "Base year",
    "trajectory": "Trajectory",
    "plan_name": "Plan name",
    "target": "Target",
}
MILESTONE_FIELDS: tuple[str, ...] = (
    "priority_area",
    "title",
    "description",
    "horizon",
    "due_date",
    "owner",
    "status",
    "last_updated",
    "measure_code",
)


class PlanError(ValueError):
    """A plan problem with a message fit to show a user."""


class PlanTarget(BaseModel):
    """One target: a measure's expected value at a horizon, for England or a region."""

    model_config = ConfigDict(frozen=True)
    measure_code: str
    geo_code: str = ENGLAND_CODE
    horizon: Horizon
    target: float = Field(allow_inf_nan=False)


class Milestone(BaseModel):
    """A dated action under a priority area, with an owner and a status."""

    model_config = ConfigDict(frozen=True)
    item_id: str
    priority_area: str
    title: str = Field(min_length=1)
    description: str = ""
    horizon: Horizon
    due_date: date | None = None
    owner: str = ""
    status: Literal["not_started", "on_track", "at_risk", "off_track", "done"] = "not_started"
    last_updated: date | None = None
    measure_code: str | None = None
    seeded: bool = False


class Plan(BaseModel):
    """A whole plan: header, targets and milestones. Saved versions are never edited."""

    plan_name: str = DEFAULT_PLAN_NAME
    base_year: int = Field(ge=2000, le=2100)
    trajectory: Trajectory = "linear"
    targets: list[PlanTarget] = Field(default_factory=list)
    milestones: list[Milestone] = Field(default_factory=list)
    # Filled in when loaded from the store.
    version_id: int | None = None
    parent_version_id: int | None = None
    author: str | None = None
    note: str | None = None
    created_at: datetime | None = None

    def target_map(self) -> dict[tuple[str, str, int], float]:
        return {(t.measure_code, t.geo_code, t.horizon): t.target for t in self.targets}

    def measure_codes(self) -> list[str]:
        """Measures the plan sets any target for, in first-seen order."""
        return list(dict.fromkeys(t.measure_code for t in self.targets))

    def targets_for(
        self, measure_code: str, geo_code: str = ENGLAND_CODE, fallbacks: Sequence[str] = ()
    ) -> dict[int, float]:
        """Horizon → target for a geography; each missing horizon falls back in order
        (e.g. an ICB to its region, then England). The plan's numbers as written: what a
        geography is asked to reach also respects its starting level
        (:func:`nlf_planner.plan.targets.applied_targets`)."""
        sources = self.target_sources(measure_code, geo_code, fallbacks)
        return {h: t for h, (_, t) in sources.items()}

    def target_sources(
        self, measure_code: str, geo_code: str = ENGLAND_CODE, fallbacks: Sequence[str] = ()
    ) -> dict[int, tuple[str, float]]:
        """Horizon → (the geography whose target applies, its target): the fallback chain
        (the geography itself, each fallback, England), kept in one place."""
        tmap = self.target_map()
        chain = [geo_code, *fallbacks, ENGLAND_CODE]
        out: dict[int, tuple[str, float]] = {}
        for h in HORIZONS:
            for geo in chain:
                if (measure_code, geo, h) in tmap:
                    out[h] = (geo, tmap[(measure_code, geo, h)])
                    break
        return out
