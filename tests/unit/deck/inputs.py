"""Small, hand-made deck inputs: two priority areas, three measures, one region with two ICBs,
33 months of history. M08 (lower is better) rises for its last nine months everywhere, so it
shows special-cause concern; M10 is stable; M02 has no data."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd

from nlf_planner.deck import DeckInputs
from nlf_planner.geography import ENGLAND_CODE
from nlf_planner.models import ICB, Condition, Measure, PriorityArea, Region
from nlf_planner.periods import add_months
from nlf_planner.plan import Milestone, Plan, PlanTarget
from nlf_planner.regions import build_model

LONDON = "E40000003"
ICBS = ("E54000027", "E54000028")
TODAY = date(2026, 11, 15)
START = date(2024, 1, 1)
CONDITIONS = (Condition(code="C1", name="Leaders"), Condition(code="C2", name="Systems"))
AREAS = [
    PriorityArea(code="P1", name="Compassionate leadership", condition_code="C1", sort_order=1),
    PriorityArea(code="P5", name="Senior recruitment", condition_code="C2", sort_order=5),
]
MEASURES = [
    Measure(
        code="M02", name="Appraisals", area_code="P1", unit="percent",
        polarity="higher_is_better", frequency="monthly", baseline=70,
        source="Illustrative: NHS Staff Survey",
    ),
    Measure(
        code="M10", name="Engaged staff", area_code="P1", unit="percent",
        polarity="higher_is_better", frequency="monthly", baseline=10, headline=True,
        source="Illustrative: NHS Staff Survey; ESR",
    ),
    Measure(
        code="M08", name="Executive vacancies", area_code="P5", unit="percent",
        polarity="lower_is_better", frequency="monthly", baseline=10, headline=True,
        definition="Vacant executive posts as a share of all.", source="Illustrative: ESR",
    ),
]  # fmt: skip
REGIONS = [Region(code=LONDON, ods_code="Y56", name="London", short_name="London")]
ICB_LIST = [
    ICB(code=ICBS[0], ods_code="QMJ", name="North Central London ICB", region_code=LONDON),
    ICB(code=ICBS[1], ods_code="QMF", name="North East London ICB", region_code=LONDON),
]


def _rows(code: str, values: np.ndarray) -> list[dict]:
    rows = []
    for level, geos in (("icb", ICBS), ("region", (LONDON,)), ("england", (ENGLAND_CODE,))):
        scale = {"icb": 1, "region": 2, "england": 2}[level]
        for geo in geos:
            for i, v in enumerate(values):
                rows.append(
                    {
                        "measure_code": code,
                        "geo_code": geo,
                        "geo_level": level,
                        "period": add_months(START, i),
                        "numerator": float(v) * 10 * scale,
                        "denominator": 1000.0 * scale,
                        "value": float(v),
                        "ci_low": None,
                        "ci_high": None,
                        "illustrative": True,
                    }
                )
    return rows


def series() -> pd.DataFrame:
    m08 = np.array([9.8, 10.2] * 12 + [10.3] * 9)  # nine points in a row above the mean
    m10 = (10 + np.random.default_rng(3).normal(0, 0.4, 33)).round(1)
    return pd.DataFrame(_rows("M08", m08) + _rows("M10", m10))


def plan(milestones: list[Milestone] | None = None, targets=()) -> Plan:
    return Plan(
        base_year=2024,
        version_id=7,
        author="Strategy lead",
        created_at=datetime(2026, 9, 1, 10, 0),
        targets=list(targets),
        milestones=milestones or [],
    )


def milestone(item: str, **fields) -> Milestone:
    base = {"priority_area": "P5", "title": f"Action {item}", "horizon": 1}
    return Milestone(item_id=item, **{**base, **fields})


M08_TARGETS = (
    PlanTarget(measure_code="M08", horizon=1, target=9.5),
    PlanTarget(measure_code="M08", horizon=3, target=8.0),
    PlanTarget(measure_code="M08", horizon=5, target=7.0),
)


def inputs(geo: str = ENGLAND_CODE, the_plan: Plan | None = None, **extra) -> DeckInputs:
    model = build_model(series(), MEASURES, AREAS, REGIONS, ICB_LIST, plan=the_plan)
    fields = {
        "model": model,
        "geo": geo,
        "plan": the_plan,
        "conditions": CONDITIONS,
        "today": TODAY,
        "as_of": date(2026, 9, 1),
        "illustrative": True,
        "generated_at": datetime(2026, 11, 15, 9, 30),
    }
    return DeckInputs(**{**fields, **extra})
