"""The composer: board order, sections left out with their reason, the stamp, and a failing
section left out (named) unless the deck cannot stand without it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from nlf_planner.deck import SECTIONS, ScenarioRuns, compose_deck, slide_list
from nlf_planner.geography import ENGLAND_CODE
from nlf_planner.settings import ILLUSTRATIVE_NOTICE
from tests.unit.deck.inputs import LONDON, inputs, plan

BOARD_ORDER = ["title", "summary", "exception", "regions", "benchmark", "plan", "roadmap",
               "scenarios", "closing"]  # fmt: skip


def test_slides_come_in_board_order_and_every_section_is_accounted_for() -> None:
    deck = compose_deck(inputs(the_plan=plan()))
    positions = [BOARD_ORDER.index(k) for k in deck.kinds()]
    assert positions == sorted(positions)
    assert deck.kinds()[0] == "title" and deck.kinds()[-1] == "closing"
    assert [s.name for s in deck.sections] == [name for name, _ in SECTIONS]
    assert sum(s.slides for s in deck.sections) == len(deck)
    assert list(slide_list(deck)["number"]) == list(range(1, len(deck) + 1))


def test_sections_without_data_are_left_out_with_the_reason() -> None:
    deck = compose_deck(inputs())
    missing = {s.name: s.reason for s in deck.missing()}
    assert missing == {
        "plan": "no plan has been saved yet",
        "scenarios": "no scenarios have been saved yet",
    }
    assert "plan" not in deck.kinds() and "scenarios" not in deck.kinds()
    again = compose_deck(inputs(no_scenarios_reason="could not be built: model failed"))
    assert {s.name: s.reason for s in again.missing()}["scenarios"].endswith("model failed")


def test_the_stamp_names_geography_data_plan_and_notice() -> None:
    deck = compose_deck(inputs(geo=LONDON, the_plan=plan()))
    stamp = deck.stamp
    assert stamp.geography == "London"
    assert deck.title.endswith("board report for London")
    assert stamp.data_as_of == date(2026, 9, 1)
    assert stamp.plan_version == "plan version 7, 1 Sep 2026 by Strategy lead"
    assert stamp.scenarios == ()
    assert ILLUSTRATIVE_NOTICE in stamp.lines()
    assert stamp.footer().startswith("Data as of Sep 2026 · plan version 7")
    assert stamp.footer().endswith("ILLUSTRATIVE DATA")


def test_an_unknown_geography_is_not_guessed() -> None:
    """The service picks the geography; the composer names whatever it is given."""
    deck = compose_deck(inputs(geo=ENGLAND_CODE))
    assert deck.slides[1].title == "Summary matrix: England"


def test_a_failing_section_is_left_out_and_named() -> None:
    broken = ScenarioRuns(results={"Broken": None}, baseline=None, draws=1, seed=1)  # type: ignore[dict-item]
    deck = compose_deck(inputs(scenarios=broken))
    section = next(s for s in deck.sections if s.name == "scenarios")
    assert not section.included
    assert section.reason.startswith("could not be built:")
    assert deck.stamp.scenarios == ()
    assert deck.kinds()[-1] == "closing"


def test_a_failing_core_section_fails_the_deck() -> None:
    with pytest.raises(AttributeError):
        compose_deck(replace(inputs(), as_of="not a date"))  # type: ignore[arg-type]
