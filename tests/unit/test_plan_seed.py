"""The seeded plan is complete, valid and credible: built from inputs, with no database.

That the seeding service writes it as versions 1 and 2, once, is in
``tests/integration/services/test_seeding.py``."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pandas as pd

from nlf_planner import plan as P
from nlf_planner import plan_seed as S
from nlf_planner.store.reference import load_content_records

CONTENT = load_content_records()
MEASURES = CONTENT["measures"]
BY_CODE = {m.code: m for m in MEASURES}
AREAS = [a.code for a in CONTENT["priority_areas"]]
GEO = {P.ENGLAND_CODE: "England", **{r.code: r.name for r in CONTENT["regions"]}}
ANCHOR = date(2026, 11, 1)
TODAY = date(2026, 11, 30)


def seeded(base_year: int = 2026, baselines: dict | None = None) -> P.Plan:
    return S.build_seed_plan(MEASURES, base_year, ANCHOR, baselines or {})


def test_targets_cover_every_measure_and_horizon_for_england():
    plan = seeded()
    england = {(t.measure_code, t.horizon) for t in plan.targets if t.geo_code == P.ENGLAND_CODE}
    assert england == {(m.code, h) for m in MEASURES for h in P.HORIZONS}
    assert len(MEASURES) == 17


def test_targets_move_in_the_better_direction_and_pass_validation():
    plan = seeded()
    for m in MEASURES:
        tg = plan.targets_for(m.code)
        assert P.better(tg[1], m.baseline, m.polarity), m.code
        assert P.better(tg[5], tg[3], m.polarity) and P.better(tg[3], tg[1], m.polarity)
    assert P.validate_plan(plan, BY_CODE, GEO, AREAS, TODAY) == []


def test_vacancy_target_falls_and_respects_its_floor():
    tg = seeded(baselines={"M08": 8.0}).targets_for("M08")
    assert tg == {1: 7.5, 3: 6.5, 5: 5.5}  # half the gap to 3% closed over five years


def test_targets_follow_the_history_baseline_when_given():
    low = seeded(baselines={"M01": 20.0}).targets_for("M01")
    high = seeded(baselines={"M01": 60.0}).targets_for("M01")
    assert low[5] < high[5] <= 100


def test_a_few_regional_overrides_are_seeded():
    plan = seeded()
    regional = {(t.measure_code, t.geo_code) for t in plan.targets if t.geo_code != P.ENGLAND_CODE}
    assert regional == {("M05", S.LONDON), ("M08", S.MIDLANDS), ("M16", S.SOUTH_WEST)}
    assert plan.targets_for("M05", S.LONDON)[5] > plan.targets_for("M05")[5]


def test_two_to_four_milestones_per_area_with_dates_in_their_horizon():
    plan = seeded()
    counts = Counter(m.priority_area for m in plan.milestones)
    assert set(counts) == set(AREAS) and all(2 <= n <= 4 for n in counts.values())
    for m in plan.milestones:
        lo, hi = P.horizon_window(2026, m.horizon)
        assert lo <= m.due_date <= hi, m.title
        assert m.measure_code in BY_CODE and BY_CODE[m.measure_code].area_code == m.priority_area


def test_seed_includes_the_existing_work_named_in_the_draft():
    titles = " | ".join(m.title for m in seeded().milestones)
    for phrase in (
        "Supporting ICSs",
        "Aspiring Chief Executive",
        "Board support events",
        "Well-led review",
    ):
        assert phrase in titles


def test_seed_has_something_for_the_stale_and_past_due_lists():
    plan = seeded()
    df = P.attention_list(plan, TODAY, stale_days=90)
    assert df["past_due"].any() and df["stale"].any()
    assert len(df) < len(plan.milestones) / 2  # a credible plan is mostly up to date


def test_seed_is_deterministic_and_moves_with_the_base_year():
    assert seeded() == seeded()
    later = seeded(base_year=2027)
    assert [m.due_date.year for m in later.milestones] == [
        m.due_date.year + 1 for m in seeded().milestones
    ]


def test_revision_changes_a_target_a_status_and_adds_an_item():
    v1 = seeded()
    changes = P.diff_plans(v1, S.revise_seed_plan(v1, ANCHOR))
    kinds = {(c.kind, c.entity, c.field) for c in changes}
    assert ("changed", "target", "Target") in kinds
    assert ("changed", "milestone", "Status") in kinds
    assert ("added", "milestone", "") in kinds


def test_seed_anchor_is_never_in_the_future():
    assert S.seed_anchor(date(2026, 10, 1), today=date(2026, 11, 30)) == date(2026, 11, 1)
    assert S.seed_anchor(date(2026, 10, 1), today=date(2026, 10, 15)) == date(2026, 10, 15)


def _england_history(code: str, values: dict[date, float]) -> pd.DataFrame:
    return pd.DataFrame(
        {"measure_code": code, "period": list(values), "value": list(values.values())}
    )


def test_initial_plan_takes_its_base_year_anchor_and_baselines_from_the_data():
    history = _england_history("M08", {date(2026, 3, 1): 9.0, date(2026, 4, 1): 8.0})
    plan = S.initial_seed_plan(MEASURES, history, date(2026, 10, 1), today=TODAY)
    assert plan.base_year == 2026  # the financial year of October 2026
    assert plan.targets_for("M08") == {1: 7.5, 3: 6.5, 5: 5.5}  # from April 2026's 8.0
    assert {m.last_updated for m in plan.milestones} == {
        m.last_updated for m in seeded().milestones
    }  # anchored on 1 November 2026, the month after the data
    assert plan == S.initial_seed_plan(MEASURES, history, date(2026, 10, 1), today=TODAY)


def test_initial_plan_falls_back_to_the_content_baselines_without_history():
    empty = pd.DataFrame(columns=["measure_code", "period", "value"])
    plan = S.initial_seed_plan(MEASURES, empty, date(2027, 2, 1), today=TODAY)
    assert plan.base_year == 2026  # February 2027 is still in 2026/27
    assert plan.targets == seeded(baselines={m.code: m.baseline for m in MEASURES}).targets


def test_version_notes_say_what_each_version_is():
    assert S.initial_note(2026).startswith("Initial plan for 2026/27")
    assert "illustrative" in S.initial_note(2026)
    assert S.REVIEW_NOTE.startswith("First quarterly review")
