"""Shared content and builders for the plan's unit tests (the shipped framework content)."""

from __future__ import annotations

from datetime import date

from nlf_planner import plan as P
from nlf_planner.store.reference import load_content_records

CONTENT = load_content_records()
MEASURES = {m.code: m for m in CONTENT["measures"]}
AREAS = CONTENT["priority_areas"]
AREA_CODES = [a.code for a in AREAS]
CONDITIONS = CONTENT["conditions"]
LONDON = "E40000003"
GEO = {P.ENGLAND_CODE: "England", LONDON: "London"}
TODAY = date(2026, 11, 30)


def errors(issues):
    return [i for i in issues if i.severity == "error"]


def milestone(item: str, area: str, status: str, due: date, updated: date | None) -> P.Milestone:
    return P.Milestone(
        item_id=item,
        priority_area=area,
        title=item,
        horizon=1,
        due_date=due,
        status=status,
        last_updated=updated,
        owner="x",
    )


def tplan(values: dict, milestones=(), base_year: int = 2026, **kw) -> P.Plan:
    return P.Plan(
        base_year=base_year,
        targets=[P.PlanTarget(measure_code=c, horizon=h, target=v) for (c, h), v in values.items()],
        milestones=list(milestones),
        **kw,
    )
