"""The deck's typed records: what a slide holds, what a deck holds, and what composing one
needs. The Present page and every export read these and nothing else, so they always show
the same slides; the composer is fed one :class:`DeckInputs` and computes nothing from a
database."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

import pandas as pd
import plotly.graph_objects as go

from nlf_planner.capacity.model import ModelResult
from nlf_planner.geography import ENGLAND_CODE
from nlf_planner.models import Condition
from nlf_planner.peers import PeerGroup
from nlf_planner.periods import moment_label
from nlf_planner.plan import Plan
from nlf_planner.regions import RegionsModel
from nlf_planner.settings import ILLUSTRATIVE_NOTICE

SlideKind = Literal[
    "title", "summary", "exception", "regions", "benchmark", "plan", "roadmap", "scenarios",
    "closing",
]  # fmt: skip


@dataclass(frozen=True)
class SlideTable:
    """A table on a slide; ``fills`` (same shape, hex or "") colours cells behind the text;
    ``icons`` (same shape) names the Making Data Count icon drawn beside a cell's words
    (:func:`~nlf_planner.deck.icons.icon_ref`: "variation:concern_low", "assurance:…" or
    "")."""

    data: pd.DataFrame
    caption: str = ""
    fills: pd.DataFrame | None = None
    icons: pd.DataFrame | None = None

    def icon(self, row: int, column: str) -> str:
        """The icon reference of one cell ("" for none)."""
        if self.icons is None or column not in self.icons.columns or row >= len(self.icons):
            return ""
        value = self.icons[column].iloc[row]
        return str(value) if isinstance(value, str) else ""


@dataclass(frozen=True)
class Slide:
    """One slide: words, tables and charts, with the reading that doubles as alt text."""

    kind: SlideKind
    key: str  # stable id (also the anchor in the HTML export)
    title: str
    subtitle: str = ""
    bullets: tuple[str, ...] = ()
    narrative: str = ""  # plain-English reading; doubles as the charts' text alternative
    tables: tuple[SlideTable, ...] = ()
    figures: tuple[go.Figure, ...] = ()
    notes: str = ""  # speaker notes


@dataclass(frozen=True)
class Section:
    """Whether a deck section is in this deck, and why not when it is missing."""

    name: str
    label: str
    included: bool
    slides: int = 0
    reason: str = ""


@dataclass(frozen=True)
class Stamp:
    """What every export carries: data as-of, plan version, scenarios, app version, notice."""

    geography: str
    data_as_of: date | None
    plan_version: str
    scenarios: tuple[str, ...]
    app_version: str
    illustrative: bool
    generated_at: datetime

    def lines(self) -> list[str]:
        as_of = self.data_as_of.strftime("%b %Y") if self.data_as_of else "no data"
        out = [
            f"Geography: {self.geography}",
            f"Data as of: {as_of}",
            f"Plan: {self.plan_version}",
            "Scenarios: " + (", ".join(self.scenarios) if self.scenarios else "none"),
            f"NLF Planner {self.app_version}, generated {moment_label(self.generated_at)}",
        ]
        if self.illustrative:
            out.append(ILLUSTRATIVE_NOTICE)
        return out

    def footer(self) -> str:
        """One line for slide footers."""
        as_of = self.data_as_of.strftime("%b %Y") if self.data_as_of else "no data"
        text = (
            f"Data as of {as_of} · {self.plan_version} · "
            f"scenarios: {', '.join(self.scenarios) or 'none'} · NLF Planner {self.app_version}"
        )
        if self.illustrative:
            text += " · ILLUSTRATIVE DATA"
        return text


@dataclass(frozen=True)
class Deck:
    """Every slide in board order, the sections in or out (with why), and the stamp."""

    title: str
    slides: tuple[Slide, ...]
    sections: tuple[Section, ...]
    stamp: Stamp

    def __len__(self) -> int:
        return len(self.slides)

    def kinds(self) -> list[str]:
        return [s.kind for s in self.slides]

    def included(self) -> list[str]:
        return [s.label for s in self.sections if s.included]

    def missing(self) -> list[Section]:
        return [s for s in self.sections if not s.included]


@dataclass(frozen=True)
class DeckChoices:
    """What the presenter picked: geography, plan version and scenarios (None = defaults)."""

    region: str = ENGLAND_CODE
    plan_version: int | None = None  # None: the plan's current version
    scenarios: tuple[str, ...] | None = None  # scenario ids; None: the saved ones, up to 4
    today: date | None = None


@dataclass(frozen=True)
class ScenarioRuns:
    """The chosen scenarios already run with one seed and number of draws (the baseline's),
    so their differences are paired, as on the Scenarios page's Compare tab."""

    results: Mapping[str, ModelResult]  # label → result, in the deck's order
    baseline: ModelResult
    draws: int
    seed: int
    #: Measure code → the observed value the runs start from at the deck's geography: the
    #: baselines the plan's direction rule holds an area to.
    baselines: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class DeckInputs:
    """Everything the deck shows, gathered before composing (by the deck service).

    ``model`` is the same regions model the Regions and Overview pages read (built with
    ``plan``), so its SPC results, names and readings are the deck's. ``chart_notes`` and
    ``rebase_reasons`` hold, per measure code, people's notes and rebase reasons on the
    deck geography's chart: at least for every exception measure. ``peer_groups`` are the
    saved peer groups homed in the deck's geography (all of them for England), for the
    region comparison's "against peers" slide.
    """

    model: RegionsModel
    geo: str
    plan: Plan | None
    conditions: tuple[Condition, ...]
    today: date
    as_of: date | None
    illustrative: bool
    generated_at: datetime
    chart_notes: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    rebase_reasons: Mapping[str, Mapping[date, str]] = field(default_factory=dict)
    scenarios: ScenarioRuns | None = None
    no_scenarios_reason: str = "no scenarios have been saved yet"
    peer_groups: tuple[PeerGroup, ...] = ()

    @property
    def geo_name(self) -> str:
        return self.model.names.get(self.geo, self.geo)


class SectionUnavailable(Exception):
    """A section cannot be built from these inputs (no plan, no scenarios); says why."""
