"""Scenario comparison: the fan chart of the executive vacancy rate and the headline table
at year 5 for the chosen scenarios, against the plan's targets for the deck's geography
(own row, else England's, by :func:`nlf_planner.plan.targets_for_geography`)."""

from __future__ import annotations

import pandas as pd

from nlf_planner.capacity.outputs import geo_codes
from nlf_planner.capacity.result_tables import model_targets, output_targets
from nlf_planner.capacity.scenarios import fan_data, headline_table, headline_view
from nlf_planner.charts.scenarios import fan_chart, fan_summary
from nlf_planner.deck.records import DeckInputs, ScenarioRuns, SectionUnavailable, Slide, SlideTable
from nlf_planner.geography import ENGLAND_CODE

FAN_OUTPUT = ("vacancy_rate", 4)  # executive vacancy rate: the plan's measure M08
MEDIAN_COLUMN = "Median (80% range)"


def scenario_geo(inputs: DeckInputs, runs: ScenarioRuns) -> str:
    """The deck's geography when the capacity model covers it, else England."""
    first = next(iter(runs.results.values()))
    return inputs.geo if inputs.geo in geo_codes(first) else ENGLAND_CODE


def plan_targets_frame(inputs: DeckInputs, geo: str) -> pd.DataFrame:
    """The plan's targets for the model's measures (M06, M08, M10) at ``geo`` by the one
    rule (own row, else England's), as the Scenarios page reads them."""
    runs = inputs.scenarios
    held = runs.baselines if runs is not None and geo == inputs.geo else None
    return model_targets(inputs.plan, geo, held)


def headlines(inputs: DeckInputs, runs: ScenarioRuns, geo: str) -> pd.DataFrame:
    """``capacity.scenarios.headline_table`` for the runs: P10/P50/P90, the plan target
    (column ``target``) and the chance of meeting it (column ``probability``)."""
    return headline_table(dict(runs.results), runs.baseline, plan_targets_frame(inputs, geo), geo)


def scenario_table(head: pd.DataFrame, labels: list[str]) -> pd.DataFrame:
    """Outputs (rows, in the scenarios feature's order) by scenario (columns) at the last
    year: median (80% range)."""
    rows: dict[str, dict[str, str]] = {}
    for label in labels:
        view = headline_view(head, label)
        if view.empty:
            continue
        view = view[view["Year"] == view["Year"].max()]
        for r in view.itertuples():
            text = str(r[view.columns.get_loc(MEDIAN_COLUMN) + 1])
            rows.setdefault(r.Output, {"Output": r.Output})[label] = (
                "—" if text.startswith("– (") else text
            )
    return pd.DataFrame(list(rows.values()), columns=["Output", *labels]).fillna("—")


def target_bullets(head: pd.DataFrame, labels: list[str]) -> list[str]:
    """For each output with a plan target at the last year, the target and each scenario's
    chance of meeting it, in the Scenarios page's words (``headline_view``)."""
    found: dict[str, tuple[str, list[str]]] = {}
    for label in labels:
        view = headline_view(head, label)
        if view.empty:
            continue
        view = view[(view["Year"] == view["Year"].max()) & (view["Plan target"] != "–")]
        rows = zip(view["Output"], view["Plan target"], view["Chance of target"], strict=True)
        for output, target, chance in rows:
            found.setdefault(output, (target, []))[1].append(f"{label} {chance}")
    return [
        f"{output}: plan target {target} at year 5; chance of meeting it: {', '.join(chances)}."
        for output, (target, chances) in found.items()
    ]


def _fan_slide(inputs: DeckInputs, runs: ScenarioRuns, geo: str) -> Slide:
    name, level = FAN_OUTPUT
    geo_name = inputs.model.names.get(geo, geo)
    fan = fan_data(dict(runs.results), name, geo, level)
    base_fan = fan_data({"Baseline": runs.baseline}, name, geo, level)[["year", "p50"]]
    targets = output_targets(name, level, plan_targets_frame(inputs, geo))
    fig = fan_chart(
        fan,
        name=name,
        level=level,
        baseline=base_fan,
        targets=targets,
        geo_name=geo_name,
        height=460,
    )
    summary = fan_summary(fan, name, level, base_fan, targets)
    return Slide(
        kind="scenarios",
        key="scenarios-fan",
        title="Scenario comparison: executive vacancy rate",
        subtitle=f"{geo_name}; scenarios: {', '.join(runs.results)}",
        narrative=summary,
        bullets=(summary,),
        figures=(fig,),
        notes=summary
        + " Ranges come from Monte Carlo draws over the uncertain parameters: the median "
        "is the middle outcome and the band holds eight in ten outcomes.",
    )


def _headline_slide(inputs: DeckInputs, runs: ScenarioRuns, geo: str) -> Slide:
    labels = list(runs.results)
    geo_name = inputs.model.names.get(geo, geo)
    head = headlines(inputs, runs, geo)
    table = scenario_table(head, labels)
    chances = target_bullets(head, labels)
    return Slide(
        kind="scenarios",
        key="scenarios-headlines",
        title="Scenario comparison: headline results at year 5",
        subtitle=f"{geo_name}; median (80% range) over {runs.draws:,} draws, seed "
        f"{runs.seed}, for every scenario",
        bullets=tuple(chances),
        narrative=" ".join([f"Headline outputs at year 5 for {', '.join(labels)}.", *chances]),
        tables=(SlideTable(table, "Median with the 80% range (P10 to P90) in brackets"),),
        notes="Each scenario is a saved, versioned set of assumptions; the same seed "
        "reproduces the same numbers.",
    )


def scenario_slides(inputs: DeckInputs) -> list[Slide]:
    runs = inputs.scenarios
    if runs is None or not runs.results:
        raise SectionUnavailable(inputs.no_scenarios_reason)
    geo = scenario_geo(inputs, runs)
    return [_fan_slide(inputs, runs, geo), _headline_slide(inputs, runs, geo)]
