"""The title slide: the ambition, how current the data is, which plan and when prepared."""

from __future__ import annotations

from nlf_planner.deck.labels import AMBITION, deck_title, plan_label
from nlf_planner.deck.records import DeckInputs, Slide
from nlf_planner.periods import day_label
from nlf_planner.settings import ILLUSTRATIVE_NOTICE


def title_slides(inputs: DeckInputs) -> list[Slide]:
    as_of = inputs.as_of.strftime("%B %Y") if inputs.as_of else "no data loaded"
    bullets = [
        f"Ambition: {AMBITION}",
        f"Data to {as_of}; {plan_label(inputs.plan)}.",
        f"Prepared {day_label(inputs.today)}.",
    ]
    if inputs.illustrative:
        bullets.append(ILLUSTRATIVE_NOTICE)
    return [
        Slide(
            kind="title",
            key="title",
            title=deck_title(inputs.geo_name),
            subtitle="National framework for leadership development and improvement",
            bullets=tuple(bullets),
            notes=(
                "This pack follows the board's usual order: the summary matrix first, then "
                "the exceptions that need attention, then how regions compare, progress "
                "against the plan, and what the capacity scenarios say."
            ),
        )
    ]
