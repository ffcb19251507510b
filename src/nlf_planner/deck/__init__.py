"""The board deck: typed slides composed from live domain results, in board order.

Pure domain: :func:`compose_deck` takes one :class:`DeckInputs` (the regions model, the plan,
notes on the exception charts, scenario runs, names, dates) and returns the :class:`Deck`;
it never reads a database. The board-deck service (``nlf_planner.services.deck``) gathers the
inputs. SPC, comparisons, plan roll-ups and scenario results come from their own modules and
charts from their builders in ``charts/``; each section lives in its own module here. The
same :class:`Deck` feeds the Present page and every export, so they always show the same
slides.
"""

from nlf_planner.deck.compose import MAX_SCENARIOS, SECTIONS, compose_deck, slide_list
from nlf_planner.deck.figures import figure_data
from nlf_planner.deck.icons import exception_measures, is_exception
from nlf_planner.deck.labels import DECK_TITLE, plan_label
from nlf_planner.deck.records import (
    Deck,
    DeckChoices,
    DeckInputs,
    ScenarioRuns,
    Section,
    SectionUnavailable,
    Slide,
    SlideKind,
    SlideTable,
    Stamp,
)

__all__ = [
    "DECK_TITLE",
    "MAX_SCENARIOS",
    "SECTIONS",
    "Deck",
    "DeckChoices",
    "DeckInputs",
    "ScenarioRuns",
    "Section",
    "SectionUnavailable",
    "Slide",
    "SlideKind",
    "SlideTable",
    "Stamp",
    "compose_deck",
    "exception_measures",
    "figure_data",
    "is_exception",
    "plan_label",
    "slide_list",
]
