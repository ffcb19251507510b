"""What the Scenarios page says about a run (issue 16, case 6): an edited run is the
person's own unsaved scenario, never "Baseline", and "What changed vs baseline" names the
consequence the model applied (the budget cap) as well as the inputs changed."""

from __future__ import annotations

import pytest

from nlf_planner.capacity import model as cm
from nlf_planner.capacity.outputs import select
from nlf_planner.capacity.params import baseline_params
from nlf_planner.capacity.scenarios import (
    UNSAVED_LABEL,
    baseline_scenario,
    changes_vs,
    consequences_vs,
    run_label,
)
from nlf_planner.geography import ENGLAND_CODE


def _double_executive_places():
    base = baseline_params()
    places = (*base.places[:3], [p * 2 for p in base.places[3]])
    return base, base.model_copy(update={"places": places})


def test_an_edited_run_is_labelled_your_scenario_unsaved() -> None:
    base = baseline_scenario()
    assert run_label(base, base.params) == "Baseline: carry on as now"
    edited = base.params.model_copy(update={"horizon": 4})
    assert run_label(base, edited) == UNSAVED_LABEL == "Your scenario (unsaved)"


def test_doubling_executive_places_states_the_budget_cap_and_who_loses_places() -> None:
    base, doubled = _double_executive_places()
    asked, budget = doubled.planned_cost(1), base.budget[0]
    scale = budget / asked
    lines = consequences_vs(base, doubled)
    assert lines[0] == (
        f"Budget cap reached in years 1–5: the places asked for would cost "
        f"£{asked / 1e6:,.1f}m a year, above the £{budget / 1e6:,.1f}m budget, so places at "
        f"every level were scaled to {scale:.0%} of those asked for."
    )
    assert lines[1].startswith("So fewer places are funded than in the baseline for ")
    for name in ("first-line leaders", "middle managers", "senior leaders"):
        assert name in lines[1]
    assert "executives" not in lines[1]  # 80 asked, about 76 funded: still above 40
    # The statement is what the model did: its funded places are the asked ones × scale.
    res = cm.run_deterministic(doubled)
    funded = select(res, "places_funded", ENGLAND_CODE, 1)[0, 1]
    assert funded == pytest.approx(base.places[0][0] * scale)
    # The input change is still listed, as before.
    assert any(c.startswith("Places a year, executives (board)") for c in changes_vs(base, doubled))


def test_no_consequence_when_the_budget_covers_the_places() -> None:
    base, doubled = _double_executive_places()
    assert consequences_vs(base, base) == []
    assert consequences_vs(base, doubled.model_copy(update={"budget": None})) == []
