"""Exception slides: chosen by the SPC results, read in the Regions page's words, with
people's notes (the why) and the plan's open milestones (what follows)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from nlf_planner import regions
from nlf_planner.deck import compose_deck, exception_measures, is_exception
from nlf_planner.deck.exceptions import exception_slides, open_milestones
from nlf_planner.deck.icons import EXCEPTION_RULE, OFF_TRAJECTORY_MARGIN, exception_reasons
from nlf_planner.geography import ENGLAND_CODE
from nlf_planner.plan import PlanTarget
from nlf_planner.spc import AssuranceIcon
from tests.unit.deck.inputs import LONDON, inputs, milestone, plan


def _notes(*rows: tuple[date, str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"period": p, "text": t, "author": a, "measure_code": "M08"} for p, t, a in rows]
    )


@pytest.mark.parametrize("geo", [ENGLAND_CODE, LONDON])
def test_one_slide_per_exception_read_as_the_regions_page_reads_it(geo) -> None:
    data = inputs(geo=geo)
    assert [m.code for m in exception_measures(data.model, geo)] == ["M08"]
    assert not is_exception(data.model, "M10", geo)
    assert not is_exception(data.model, "M02", geo)  # no data
    [slide] = exception_slides(data)
    assert slide.key == "exception-M08"
    assert slide.title == "Exception 1 of 1: M08 Executive vacancies"
    assert slide.narrative == regions.reading(data.model, "M08", geo)
    assert "Special-cause concern (high)" in slide.subtitle
    assert slide.figures and slide.figures[0].layout.title.text.startswith("Executive vacancies")
    assert slide.tables[0].data.loc[0, "Variation"].startswith("H – ")
    assert "Definition: Vacant executive posts" in slide.notes


def test_the_latest_two_notes_on_the_chart_say_why() -> None:
    notes = _notes(
        (date(2025, 1, 1), "Oldest note", "Ann"),
        (date(2025, 4, 1), "Academies relaunched", "Bo"),
        (date(2025, 6, 1), "Pay award", "Cy"),
    )
    [slide] = exception_slides(inputs(chart_notes={"M08": notes}))
    why = [b for b in slide.bullets if b.startswith("Note on the chart")]
    assert why == [
        "Note on the chart (Apr 2025): Academies relaunched (Bo).",
        "Note on the chart (Jun 2025): Pay award (Cy).",
    ]
    assert "Academies relaunched" in slide.notes
    assert slide.figures[0].layout.annotations, "the notes are drawn on the chart too"


def test_open_milestones_linked_to_the_measure_say_what_follows() -> None:
    the_plan = plan(
        [
            milestone("a", measure_code="M08", due_date=date(2027, 3, 1), owner="Chief people"),
            milestone("b", measure_code="M08", due_date=date(2026, 12, 1), status="at_risk"),
            milestone("c", measure_code="M08", due_date=date(2026, 1, 1), status="done"),
            milestone("d", measure_code="M08", due_date=date(2028, 1, 1)),
            milestone("e", measure_code="M10", due_date=date(2026, 1, 1)),
        ]
    )
    assert [x.item_id for x in open_milestones(the_plan, "M08")] == ["b", "a", "d"]
    [slide] = exception_slides(inputs(the_plan=the_plan))
    actions = [b for b in slide.bullets if b.startswith("Plan action:")]
    assert actions == [
        "Plan action: Action b (at risk; no owner, due Dec 2026).",
        "Plan action: Action a (not started; Chief people, due Mar 2027).",
    ]


def test_without_a_linked_milestone_the_board_is_told_it_may_ask_for_one() -> None:
    [slide] = exception_slides(inputs(the_plan=plan([milestone("e", measure_code="M10")])))
    assert any(b.startswith("No open plan milestone is linked") for b in slide.bullets)
    [no_plan] = exception_slides(inputs())
    assert not any("plan milestone" in b or "Plan action" in b for b in no_plan.bullets)


def test_no_exception_gives_one_slide_that_says_so() -> None:
    data = inputs()
    calm = data.model.results.copy()
    for key in [k for k in calm if k[0] == "M08"]:
        del calm[key]
    data.model.results = calm
    deck = compose_deck(data)
    assert [s.key for s in deck.slides if s.kind == "exception"] == ["exceptions-none"]


def _targets(code: str, *values: float) -> tuple[PlanTarget, ...]:
    return tuple(
        PlanTarget(measure_code=code, horizon=h, target=v)
        for h, v in zip((1, 3, 5), values, strict=True)
    )


def test_off_trajectory_by_more_than_the_margin_is_an_exception_and_just_short_is_not() -> None:
    """M10 is stable around 10%. Far targets put it well behind its plan line (an exception);
    near ones leave it off trajectory by less than the margin (not one)."""
    far = inputs(the_plan=plan(targets=_targets("M10", 12.0, 14.0, 16.0)))
    cell = far.model.cell("M10", ENGLAND_CODE)
    assert cell.plan_status == "off trajectory"
    behind = (cell.plan_value - cell.value) / cell.plan_value
    assert behind > OFF_TRAJECTORY_MARGIN
    reasons = exception_reasons(far.model, "M10", ENGLAND_CODE)
    assert f"{behind:.1%} behind the plan line" in reasons[-1]
    assert [m.code for m in exception_measures(far.model, ENGLAND_CODE)] == ["M10", "M08"]

    near = inputs(the_plan=plan(targets=_targets("M10", 10.3, 10.5, 10.7)))
    cell = near.model.cell("M10", ENGLAND_CODE)
    assert cell.plan_status == "off trajectory"
    assert 0 < (cell.plan_value - cell.value) / cell.plan_value < OFF_TRAJECTORY_MARGIN
    assert near.model.results[("M10", ENGLAND_CODE)].assurance_icon == AssuranceIcon.HIT_OR_MISS
    assert not is_exception(near.model, "M10", ENGLAND_CODE)


def test_only_an_assessable_fail_makes_an_exception() -> None:
    """M10 (stable) against a target far above its limits: an assessable F, an exception. M08
    ends in a shift, so its F against a far target is not assessable: only its concern
    counts."""
    data = inputs(the_plan=plan(targets=(*_targets("M10", 30, 30, 30), *_targets("M08", 2, 2, 2))))
    m10 = data.model.results[("M10", ENGLAND_CODE)]
    assert m10.assurance_icon == AssuranceIcon.FAIL
    assert "the target will consistently fail on the current limits" in exception_reasons(
        data.model, "M10", ENGLAND_CODE
    )
    m08 = data.model.results[("M08", ENGLAND_CODE)]
    assert m08.assurance_icon == AssuranceIcon.NOT_ASSESSABLE
    reasons = exception_reasons(data.model, "M08", ENGLAND_CODE)
    assert reasons[0] == "special-cause concern in the latest point"
    assert not any("consistently fail" in r for r in reasons)


def test_each_exception_slide_says_which_part_of_the_rule_it_meets() -> None:
    [slide] = exception_slides(inputs())
    assert slide.bullets[0] == (
        "Why this is an exception: special-cause concern in the latest point."
    )
    assert "10% of the plan line's value" in EXCEPTION_RULE
