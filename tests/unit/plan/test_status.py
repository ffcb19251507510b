"""Status: roll-up headlines per area and condition, past-due and stale lists."""

from __future__ import annotations

from datetime import date

from nlf_planner import plan as P
from tests.unit.plan.common import AREAS, CONDITIONS, TODAY, milestone


def test_rollup_headlines_per_area_and_condition():
    plan = P.Plan(
        base_year=2026,
        milestones=[
            milestone("a", "P1", "on_track", date(2027, 1, 1), TODAY),
            milestone("b", "P1", "at_risk", date(2027, 1, 1), TODAY),
            milestone("c", "P2", "done", date(2026, 6, 1), TODAY),
            milestone("d", "P3", "on_track", date(2026, 10, 1), TODAY),  # past due
            milestone("e", "P5", "on_track", date(2027, 2, 1), TODAY),
        ],
    )
    areas, conds = P.rollup(plan, AREAS, CONDITIONS, TODAY)
    head = dict(zip(areas["code"], areas["headline"], strict=True))
    assert head["P1"] == "at_risk" and head["P2"] == "done" and head["P3"] == "off_track"
    assert head["P4"] == "none" and head["P5"] == "on_track"
    chead = dict(zip(conds["code"], conds["headline"], strict=True))
    assert chead["C1"] == "at_risk" and chead["C2"] == "off_track" and chead["C3"] == "none"
    p1 = areas.set_index("code").loc["P1"]
    assert (p1["total"], p1["on_track"], p1["at_risk"]) == (2, 1, 1)
    assert "1 past due" in areas.set_index("code").loc["P3", "summary"]


def test_stale_and_past_due_lists():
    plan = P.Plan(
        base_year=2026,
        milestones=[
            milestone("fresh", "P1", "on_track", date(2027, 1, 1), date(2026, 11, 1)),
            milestone("stale", "P1", "on_track", date(2027, 1, 1), date(2026, 6, 1)),
            milestone("late", "P2", "at_risk", date(2026, 9, 1), date(2026, 11, 20)),
            milestone("done-late", "P2", "done", date(2026, 9, 1), date(2026, 5, 1)),
            milestone("never", "P3", "not_started", date(2027, 1, 1), None),
        ],
    )
    df = P.attention_list(plan, TODAY, stale_days=90)
    assert df["item_id"].tolist() == ["late", "stale", "never"]
    assert df.set_index("item_id").loc["late", "why"].startswith("past due by 90 days")
    assert P.attention_list(plan, TODAY, stale_days=365)["item_id"].tolist() == ["late", "never"]
    assert P.attention_list(plan, TODAY, 90, area="P1")["item_id"].tolist() == ["stale"]


def test_future_not_started_items_do_not_set_the_headline():
    started = [
        milestone("a", "P1", "on_track", date(2027, 1, 1), TODAY),
        milestone("b", "P1", "not_started", date(2030, 1, 1), TODAY),
    ]
    assert P.headline_status(started, TODAY) == "on_track"
    assert P.headline_status(started[1:], TODAY) == "not_started"
    assert P.headline_status([], TODAY) == "none"
