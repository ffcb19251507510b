"""Plan status and roadmap: counts by status per priority area, past-due actions named, the
roadmap chart with its text; no plan, no section."""

from __future__ import annotations

from datetime import date

import pytest

from nlf_planner.deck import SectionUnavailable
from nlf_planner.deck.plan_status import plan_slides
from tests.unit.deck.inputs import inputs, milestone, plan


def test_status_by_area_and_past_due_actions() -> None:
    the_plan = plan(
        [
            milestone("a", due_date=date(2026, 6, 1), owner="Ann", status="on_track"),
            milestone("b", due_date=date(2027, 6, 1), status="at_risk"),
            milestone("c", priority_area="P1", due_date=date(2027, 1, 1), status="done"),
        ]
    )
    status, roadmap = plan_slides(inputs(the_plan=the_plan))
    table = status.tables[0].data
    assert list(table["Priority area"]) == ["P1 Compassionate leadership", "P5 Senior recruitment"]
    assert list(table["Milestones"]) == [1, 2]
    assert list(table["At risk"]) == [0, 1] and list(table["Done"]) == [1, 0]
    assert list(table["Past due"]) == [0, 1]
    assert status.bullets[0].startswith("3 milestones across 2 priority areas; 1 past due;")
    assert "Past due: Action a (P5, Ann)." in status.bullets
    assert status.subtitle == "plan version 7, 1 Sep 2026 by Strategy lead; base year 2024/25"
    assert status.tables[0].fills["Headline"].iloc[1] != ""
    assert roadmap.key == "plan-roadmap" and roadmap.figures and roadmap.narrative
    assert "a plan line never asks an area to get worse" in status.notes


def test_no_plan_no_section() -> None:
    with pytest.raises(SectionUnavailable, match="no plan has been saved yet"):
        plan_slides(inputs())
