"""The closing slide: the data notice, the framework, the geography and method (the deck's
method slide: how SPC, assurance and the exception rule are read), and every measure's
source (de-duplicated)."""

from __future__ import annotations

from nlf_planner.deck.icons import EXCEPTION_RULE
from nlf_planner.deck.records import DeckInputs, Slide
from nlf_planner.settings import ILLUSTRATIVE_NOTICE

FRAMEWORK_SOURCE = (
    "Developing People – Improving Care: a national framework for action on improvement and "
    "leadership development in NHS-funded services (NHS Improvement and partners, 2016)."
)
GEOGRAPHY_SOURCE = "Regions and ICBs: ONS/NHS England codes (real)."
SOURCES_SHOWN = 10


def measure_sources(inputs: DeckInputs) -> list[str]:
    """Each distinct source named by a measure, without the "Illustrative" prefix."""
    sources: list[str] = []
    for m in inputs.model.measures.values():
        for part in m.source.replace("Illustrative:", "").replace("Illustrative;", "").split(";"):
            text = part.strip().rstrip(".")
            if text and text not in sources:
                sources.append(text)
    return sources


def closing_slides(inputs: DeckInputs) -> list[Slide]:
    sources = measure_sources(inputs)
    bullets = [ILLUSTRATIVE_NOTICE] if inputs.illustrative else []
    bullets += [
        f"Framework: {FRAMEWORK_SOURCE}",
        GEOGRAPHY_SOURCE,
        "Method: SPC the Making Data Count way (XmR chart, four rules, variation and assurance "
        "icons); comparisons with England use 95% and 99.8% intervals (Wilson for proportions). "
        "Assurance is N (not assessable) while the limits do not describe the latest points: "
        "a shift or trend still running in the limits' segment (rebase at a shift once it is "
        "understood), or a point beyond a limit that contradicts the icon.",
        f"Exceptions: {EXCEPTION_RULE}",
        "Measure sources: "
        + "; ".join(sources[:SOURCES_SHOWN])
        + ("; …" if len(sources) > SOURCES_SHOWN else "."),
    ]
    return [
        Slide(
            kind="closing",
            key="closing",
            title="Data notice and sources",
            bullets=tuple(bullets),
            narrative=" ".join(bullets[:3]),
            notes="Questions. The pack can be regenerated from the Present page or with "
            "`python -m nlf_planner.cli.export`. Full measure definitions and sources are on "
            "the Data page (data dictionary).",
        )
    ]
