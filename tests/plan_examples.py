"""A small plan (one measure's targets, one regional override, one milestone) that the plan
store and the plan service tests both save and change."""

from __future__ import annotations

from datetime import date

from nlf_planner.plan import Milestone, Plan, PlanTarget


def small_plan(y5: float = 80.0, status: str = "on_track") -> Plan:
    return Plan(
        base_year=2026,
        targets=[
            PlanTarget(measure_code="M01", horizon=1, target=40),
            PlanTarget(measure_code="M01", horizon=3, target=60),
            PlanTarget(measure_code="M01", horizon=5, target=y5),
            PlanTarget(measure_code="M01", geo_code="E40000003", horizon=5, target=85),
        ],
        milestones=[
            Milestone(
                item_id="MS-A",
                priority_area="P1",
                title="Offer live",
                horizon=1,
                due_date=date(2026, 12, 31),
                owner="Academy",
                status=status,
                last_updated=date(2026, 11, 1),
                measure_code="M01",
            ),
        ],
    )
