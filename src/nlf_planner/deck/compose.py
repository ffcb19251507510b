"""The composer: every section in board order from one :class:`DeckInputs`.

Order follows NHS integrated performance reports (anchors.md A15): title → summary matrix →
one exception slide per measure with special-cause concern or a failing target → region
comparison → plan status and roadmap → scenario comparison → closing slide with the data
notice and sources. A section with no data (no plan saved, no scenarios) is left out with
its reason in :attr:`Deck.sections`, never half-drawn; a section that fails is left out the
same way (logged), except the title, summary and closing, without which there is no deck.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import pandas as pd

from nlf_planner import __version__
from nlf_planner.deck.closing import closing_slides
from nlf_planner.deck.exceptions import exception_slides
from nlf_planner.deck.labels import deck_title, plan_label
from nlf_planner.deck.plan_status import plan_slides
from nlf_planner.deck.records import Deck, DeckInputs, Section, SectionUnavailable, Slide, Stamp
from nlf_planner.deck.region_comparison import region_slides
from nlf_planner.deck.scenario_comparison import scenario_slides
from nlf_planner.deck.summary_matrix import summary_slides
from nlf_planner.deck.title import title_slides

log = logging.getLogger(__name__)

MAX_SCENARIOS = 4
SECTIONS: tuple[tuple[str, str], ...] = (
    ("title", "Title"),
    ("summary", "Summary matrix"),
    ("exceptions", "Exceptions"),
    ("regions", "Region comparison"),
    ("plan", "Plan status and roadmap"),
    ("scenarios", "Scenario comparison"),
    ("closing", "Closing and sources"),
)
CORE_SECTIONS = frozenset({"title", "summary", "closing"})
BUILDERS: dict[str, Callable[[DeckInputs], list[Slide]]] = {
    "title": title_slides,
    "summary": summary_slides,
    "exceptions": exception_slides,
    "regions": region_slides,
    "plan": plan_slides,
    "scenarios": scenario_slides,
    "closing": closing_slides,
}


def _section(name: str, label: str, inputs: DeckInputs) -> tuple[list[Slide], Section]:
    """One section's slides, or none and the reason it is not in the deck."""
    try:
        built = BUILDERS[name](inputs)
    except SectionUnavailable as exc:
        return [], Section(name, label, False, 0, str(exc))
    except Exception as exc:  # noqa: BLE001 - one failing section must not sink the deck
        if name in CORE_SECTIONS:
            raise
        log.exception("deck section %s failed", name)
        return [], Section(name, label, False, 0, f"could not be built: {exc}")
    return built, Section(name, label, True, len(built))


def compose_deck(inputs: DeckInputs) -> Deck:
    """All slides for the inputs, in board order, with the sections that are missing and why."""
    slides: list[Slide] = []
    sections: list[Section] = []
    for name, label in SECTIONS:
        built, section = _section(name, label, inputs)
        slides.extend(built)
        sections.append(section)
    shown = any(s.name == "scenarios" and s.included for s in sections)
    stamp = Stamp(
        geography=inputs.geo_name,
        data_as_of=inputs.as_of,
        plan_version=plan_label(inputs.plan),
        scenarios=tuple(inputs.scenarios.results) if shown and inputs.scenarios else (),
        app_version=__version__,
        illustrative=inputs.illustrative,
        generated_at=inputs.generated_at,
    )
    return Deck(
        title=deck_title(inputs.geo_name),
        slides=tuple(slides),
        sections=tuple(sections),
        stamp=stamp,
    )


def slide_list(deck: Deck) -> pd.DataFrame:
    """Number, kind and title of every slide (the Present page's jump list)."""
    return pd.DataFrame(
        [
            {"number": i, "kind": s.kind, "title": s.title}
            for i, s in enumerate(deck.slides, start=1)
        ],
        columns=["number", "kind", "title"],
    )
