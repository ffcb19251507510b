"""Plan files: England's targets for checking overrides, and merging a file into a plan."""

from __future__ import annotations

from datetime import date

from nlf_planner.geography import ENGLAND_CODE
from nlf_planner.imports import england_targets, merge_plan_import
from nlf_planner.plan import Milestone, Plan, PlanTarget

REGION = "E40000007"


def _plan() -> Plan:
    return Plan(
        base_year=2026,
        targets=[
            PlanTarget(measure_code="M08", horizon=1, target=7.5),
            PlanTarget(measure_code="M08", horizon=3, target=6.5),
            PlanTarget(measure_code="M08", geo_code=REGION, horizon=1, target=9.0),
            PlanTarget(measure_code="M10", horizon=5, target=80.0),
        ],
        milestones=[
            Milestone(item_id="MS-1", priority_area="P1", title="Old", horizon=1),
            Milestone(item_id="MS-2", priority_area="P2", title="Kept", horizon=3),
        ],
    )


def test_england_targets_leave_regional_overrides_out():
    assert england_targets(_plan()) == {"M08": {1: 7.5, 3: 6.5}, "M10": {5: 80.0}}
    assert england_targets(None) == {}


def test_imported_targets_replace_every_horizon_of_the_same_measure_and_geography():
    new = [PlanTarget(measure_code="M08", geo_code=ENGLAND_CODE, horizon=5, target=5.5)]
    merged = merge_plan_import(_plan(), targets=new)
    assert merged.target_map() == {
        ("M08", REGION, 1): 9.0,  # another geography: kept
        ("M10", ENGLAND_CODE, 5): 80.0,  # another measure: kept
        ("M08", ENGLAND_CODE, 5): 5.5,  # England's M08 years 1 and 3 are replaced whole
    }


def test_imported_milestones_replace_by_id_or_are_added():
    due = date(2027, 3, 1)
    merged = merge_plan_import(
        _plan(),
        milestones=[
            Milestone(item_id="MS-1", priority_area="P1", title="New", horizon=1, due_date=due),
            Milestone(item_id="MS-9", priority_area="P5", title="Added", horizon=1),
        ],
    )
    assert {m.item_id: m.title for m in merged.milestones} == {
        "MS-2": "Kept",
        "MS-1": "New",
        "MS-9": "Added",
    }
