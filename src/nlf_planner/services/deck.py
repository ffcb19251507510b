"""The board deck: gather what the deck shows from the store, compose it, and say what a
cached deck depends on.

The deck package (:mod:`nlf_planner.deck`) is pure: it composes slides from a
:class:`~nlf_planner.deck.DeckInputs`. This service fills that record — the regions model the
Regions page reads (``regions_view``), the chosen plan version, notes and rebase reasons on
the exception charts, and the chosen scenarios run with one seed — so the Present page, the
command-line export and the tests all get the same deck from the same call.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

from nlf_planner.capacity.params import region_codes
from nlf_planner.capacity.scenarios import Scenario, baseline_scenario, run_scenario
from nlf_planner.deck import (
    MAX_SCENARIOS,
    Deck,
    DeckChoices,
    DeckInputs,
    ScenarioRuns,
    compose_deck,
    exception_measures,
)
from nlf_planner.geography import ENGLAND_CODE, ENGLAND_NAME
from nlf_planner.plan import Plan
from nlf_planner.regions import RegionsModel
from nlf_planner.services import cache
from nlf_planner.services import database as database_service
from nlf_planner.services import scenarios as scenario_service
from nlf_planner.services.errors import NotFound
from nlf_planner.services.regions_view import build_regions_model
from nlf_planner.store import Database
from nlf_planner.store import annotations as annotation_store
from nlf_planner.store import peers as peer_store
from nlf_planner.store import plans as plan_store
from nlf_planner.store import reference as reference_store
from nlf_planner.store import scenarios as scenario_store

log = logging.getLogger(__name__)

__all__ = [
    "DeckOptions",
    "PlanVersionOption",
    "ScenarioOption",
    "build_deck",
    "cache_key",
    "deck_inputs",
    "deck_options",
    "resolve_region",
]


# --------------------------------------------------------------------------- choices


@dataclass(frozen=True)
class PlanVersionOption:
    """One saved plan version the presenter may pick."""

    version_id: int
    author: str
    is_latest: bool


@dataclass(frozen=True)
class ScenarioOption:
    """One saved scenario (its latest version) the presenter may pick."""

    scenario_id: str
    name: str
    version: int


@dataclass(frozen=True)
class DeckOptions:
    """What the Present page offers: plan versions (newest first) and saved scenarios
    (baseline first)."""

    plan_versions: tuple[PlanVersionOption, ...]
    scenarios: tuple[ScenarioOption, ...]

    @property
    def latest_plan_version(self) -> int | None:
        return next((p.version_id for p in self.plan_versions if p.is_latest), None)


def deck_options(db: Database) -> DeckOptions:
    """The plan versions and scenarios a deck can be built for (immutable, so one object
    serves every session until the data change)."""
    return _deck_options(db)


@cache.per_data_version(maxsize=4)
def _deck_options(db: Database) -> DeckOptions:
    """Read once per data version: the Present page asks on every run and every slide step,
    and the two reads were about a third of a step's time."""
    versions = plan_store.list_versions(db)
    scenarios = scenario_store.list_scenarios(db)
    return DeckOptions(
        plan_versions=tuple(
            PlanVersionOption(int(r.version_id), str(r.author or ""), bool(r.is_latest))
            for r in versions.itertuples()
        ),
        scenarios=tuple(
            ScenarioOption(str(r.scenario_id), str(r.name), int(r.version))
            for r in scenarios.itertuples()
        ),
    )


def cache_key(db: Database, options: DeckOptions | None = None) -> str:
    """Changes whenever a deck built now would differ: the data, the rebases, the chart notes
    (quoted on exception slides), the saved plan versions and the scenarios' versions.
    Callers cache decks on it (with the choices).

    The data version covers all of them: every rebase, note, plan and scenario write
    records an audit row in its own transaction, and the audit trail is part of the
    version, so no read of its own is needed for each (they cost every slide step two
    queries). The plan and scenario parts only name what the options offer."""
    options = options or deck_options(db)
    plans = ",".join(str(p.version_id) for p in options.plan_versions)
    scenarios = ",".join(f"{s.scenario_id}={s.name}:v{s.version}" for s in options.scenarios)
    return "|".join([database_service.data_version(db), plans, scenarios])


def resolve_region(db: Database, text: str | None) -> str:
    """A geography code from a code or a name (any case); England when empty."""
    if not text:
        return ENGLAND_CODE
    names = reference_store.geography_names(db)
    names.setdefault(ENGLAND_CODE, ENGLAND_NAME)
    if text in names:
        return text
    wanted = text.strip().lower()
    for code, name in names.items():
        if name.lower() == wanted:
            return code
    raise NotFound(
        f"Unknown region {text!r}. Use a region code (E400000xx), a region name or England."
    )


# --------------------------------------------------------------------------- inputs


def _load_plan(db: Database, version: int | None) -> Plan | None:
    """The chosen plan version (None = the current one; None back when none is saved)."""
    if version is not None and not plan_store.version_exists(db, version):
        raise NotFound(f"Plan version {version} does not exist.")
    return plan_store.load_plan(db, version)


def _as_of(db: Database) -> date | None:
    """The data's as-of month as the sidebar shows it (imports move it on), else the latest
    period held."""
    text = database_service.data_as_of(db)
    return date.fromisoformat(text[:10]) if text else database_service.latest_period(db)


def _peer_groups(db: Database, model: RegionsModel, geo: str) -> tuple:
    """The saved peer groups homed in the deck's geography: all of them for England, a
    region's own and its ICSs', an ICS's own."""
    groups = peer_store.list_groups(db)
    if geo == ENGLAND_CODE:
        return tuple(groups)
    return tuple(g for g in groups if geo in (g.home_geo, model.region_of(g.home_geo)))


def _chart_context(
    db: Database, model: RegionsModel, geo: str
) -> tuple[dict[str, pd.DataFrame], dict[str, dict[date, str]]]:
    """People's notes and rebase reasons on the exception charts of ``geo``."""
    notes, reasons = {}, {}
    for m in exception_measures(model, geo):
        notes[m.code] = annotation_store.annotations_for(db, m.code, geo)
        result = model.results.get((m.code, geo))
        if result is not None and result.rebase_periods:
            reasons[m.code] = annotation_store.rebase_reasons(db, m.code, geo)
    return notes, reasons


def _selected_scenarios(db: Database, wanted: Sequence[str] | None) -> list[Scenario]:
    """The chosen scenario ids, else the saved ones (baseline first), at most four."""
    listing = scenario_store.list_scenarios(db)
    if listing is None or listing.empty:
        return []
    ids = [str(i) for i in listing["scenario_id"]]
    chosen = [i for i in (wanted or ()) if i in ids] or ids
    found = [scenario_store.load_scenario(db, i) for i in chosen[:MAX_SCENARIOS]]
    return [s for s in found if s is not None]


def _baseline(db: Database, scenarios: list[Scenario]) -> Scenario:
    """The chosen baseline, else the saved one, else the model's default baseline."""
    chosen = next((s for s in scenarios if s.is_baseline), None)
    if chosen is not None:
        return chosen
    base_id = scenario_store.baseline_id(db)
    saved = scenario_store.load_scenario(db, base_id) if base_id else None
    return saved or baseline_scenario()


def scenario_runs(
    db: Database,
    wanted: Sequence[str] | None,
    geo: str = ENGLAND_CODE,
    plan: Plan | None = None,
) -> ScenarioRuns | None:
    """The chosen scenarios run with the baseline's seed and number of draws (as the
    Scenarios page's Compare tab does: common random numbers make the differences paired),
    each started from the data observed at ``geo`` (a region or England, as the Scenarios
    page does); None when no scenario is saved."""
    scenarios = _selected_scenarios(db, wanted)
    if not scenarios:
        return None
    baseline = _baseline(db, scenarios)
    start_geo = geo if geo in (*region_codes(), ENGLAND_CODE) else ENGLAND_CODE
    start = scenario_service.starting_point(db, start_geo, plan)

    def started(s: Scenario, **update) -> Scenario:
        params = scenario_service.from_data(s.params, start)
        return s.model_copy(update={**update, "params": params})

    runs = {"seed": baseline.seed, "draws": baseline.draws}
    results = {s.label: run_scenario(started(s, **runs)) for s in scenarios}
    base_result = results.get(baseline.label) or run_scenario(started(baseline))
    return ScenarioRuns(
        results,
        base_result,
        baseline.draws,
        baseline.seed,
        baselines=start.baselines() if start.geo_code == geo else {},
    )


def _scenario_section(
    db: Database, wanted: Sequence[str] | None, geo: str, plan: Plan | None
) -> tuple[ScenarioRuns | None, str]:
    """The runs, or None and why: a model run that fails leaves the scenario section out
    with the reason rather than sinking the whole deck."""
    try:
        runs = scenario_runs(db, wanted, geo, plan)
    except Exception as exc:  # noqa: BLE001 - one failing section must not sink the deck
        log.exception("deck scenarios could not be run")
        return None, f"could not be built: {exc}"
    return runs, "no scenarios have been saved yet"


def deck_inputs(db: Database, choices: DeckChoices) -> DeckInputs:
    """Everything the deck shows for the choices, read once."""
    plan = _load_plan(db, choices.plan_version)
    model = build_regions_model(db, plan)
    geo = choices.region if choices.region in model.names else ENGLAND_CODE
    notes, reasons = _chart_context(db, model, geo)
    runs, no_runs = _scenario_section(db, choices.scenarios, geo, plan)
    return DeckInputs(
        model=model,
        geo=geo,
        plan=plan,
        conditions=tuple(reference_store.conditions(db)),
        today=choices.today or date.today(),
        as_of=_as_of(db),
        illustrative=database_service.has_illustrative(db),
        generated_at=datetime.now(),
        chart_notes=notes,
        rebase_reasons=reasons,
        scenarios=runs,
        no_scenarios_reason=no_runs,
        peer_groups=_peer_groups(db, model, geo),
    )


def build_deck(db: Database, choices: DeckChoices | None = None) -> Deck:
    """The board deck for the choices: every section in board order, the missing ones with
    their reason. Raises :class:`NotFound` for a plan version that does not exist."""
    return compose_deck(deck_inputs(db, choices or DeckChoices()))
