"""Region comparison: the Regions page's tartan rug, a matrix of each priority area's headline
measure against England (better/similar/worse at 95%), and a benchmark chart of the first
exception measure (else the first headline measure)."""

from __future__ import annotations

import pandas as pd

from nlf_planner import regions
from nlf_planner.charts.compare import benchmark_bars, matrix_figure
from nlf_planner.deck.icons import exception_measures
from nlf_planner.deck.records import DeckInputs, Slide, SlideTable
from nlf_planner.geography import ENGLAND_CODE
from nlf_planner.models import Measure
from nlf_planner.periods import label as period_label
from nlf_planner.units import format_value

COMPARE_FILL = {
    "better": "#D5ECFA",
    "similar": "#FFFFFF",
    "worse": "#FCE1C4",
    "higher": "#DCE3F3",
    "lower": "#E3F4FA",
    "not compared": "#FFFFFF",
}
COMPARE_WORD = {
    "better": "Better",
    "similar": "Similar",
    "worse": "Worse",
    "higher": "Higher",
    "lower": "Lower",
    "not compared": "Not compared",
}
ENGLAND_FILL = "#E8EDEE"


def headline_measures(inputs: DeckInputs) -> list[Measure]:
    """One measure per priority area: its headline measure, else its first."""
    chosen: dict[str, Measure] = {}
    for m in inputs.model.measures.values():
        current = chosen.get(m.area_code)
        if current is None or (m.headline and not current.headline):
            chosen[m.area_code] = m
    return list(chosen.values())


def comparison_summary(
    cells: pd.DataFrame, geos: list[str], headline: list[Measure], names: dict[str, str]
) -> str:
    """Counts of better/similar/worse in the matrix and who stands out on balance (the
    Regions page's rule, :func:`nlf_planner.regions.on_balance`), in words."""
    areas = [g for g in geos if g != ENGLAND_CODE]
    part = cells[cells.geo_code.isin(areas) & cells.measure_code.isin([m.code for m in headline])]
    comp = part["comparison"].fillna("").astype(str)
    better, worse = part[comp == "better"], part[comp == "worse"]
    text = (
        f"Across {len(areas)} areas and {len(headline)} headline measures, {len(better)} "
        f"results are better than England, {len(worse)} worse and {int((comp == 'similar').sum())}"
        " similar (95% intervals)."
    )
    standouts = regions.on_balance(part, names)  # the Regions page's words, one rule
    return f"{text} {standouts}" if standouts else text


def _scope(inputs: DeckInputs) -> str:
    if inputs.geo == ENGLAND_CODE:
        return "the seven NHS regions"
    return f"the ICSs of {inputs.geo_name}"


def _rug_slide(inputs: DeckInputs, geos: list[str], scope: str) -> Slide:
    """The Regions page's tartan rug (geographies × priority areas)."""
    model = inputs.model
    matrix = regions.area_matrix(model, geos)
    fig = matrix_figure(
        matrix.tile,
        matrix.tone,
        matrix.text,
        title=f"{scope[0].upper()}{scope[1:]} × the nine priority areas<br><sup>Latest values "
        "against England (95% intervals), SPC and progress against the plan</sup>",
        column_labels=[f"{a.code} {a.name}" for a in model.areas],
    )
    summary = regions.matrix_summary(model, matrix)
    return Slide(
        kind="regions",
        key="regions-rug",
        title=f"Region comparison: {scope} across the priority areas",
        subtitle="Each tile: better/similar/worse than England, trajectory, SPC letters",
        narrative=summary,
        figures=(fig,),
        notes=summary
        + " Blue tint: better than England; orange: worse; yellow: mixed; grey: England.",
    )


def comparison_table(inputs: DeckInputs, geos: list[str], headline: list[Measure]) -> SlideTable:
    """Geographies (rows) × headline measures (columns): value and the word against England."""
    model = inputs.model
    cells = model.cells.set_index(["measure_code", "geo_code"])
    rows, fills = [], []
    for g in geos:
        row = {"Geography": model.names.get(g, g)}
        fill = {"Geography": ""}
        for m in headline:
            col = f"{m.area_code} {m.code}"
            if (m.code, g) not in cells.index:
                row[col], fill[col] = "No data", ""
                continue
            c = cells.loc[(m.code, g)]
            comp = c.get("comparison")
            word = "England" if g == ENGLAND_CODE else COMPARE_WORD.get(str(comp), "—")
            row[col] = f"{format_value(float(c['value']), m.unit)} {word}"
            fill[col] = ENGLAND_FILL if g == ENGLAND_CODE else COMPARE_FILL.get(str(comp), "")
        rows.append(row)
        fills.append(fill)
    data = pd.DataFrame(rows)
    fill_frame = pd.DataFrame(fills, columns=data.columns).fillna("")
    key = ", ".join(f"{m.area_code} {m.code} {m.name}" for m in headline)
    return SlideTable(data, f"Columns: {key}.", fill_frame)


def _benchmark_slide(inputs: DeckInputs, geos: list[str], scope: str, focus: Measure):
    model = inputs.model
    table, england, period = regions.benchmark(model, focus.code, geos)
    if table.empty:
        return None
    when = period_label(period, focus.frequency) if period else ""
    fig = benchmark_bars(
        table,
        england=england,
        title=f"{focus.name}, {when}: {scope} against England ({focus.unit_label})",
        x_title=focus.unit_label,
        value_format=".2f" if focus.unit == "score_0_10" else ".1f",
    )
    text = regions.benchmark_summary(model, focus.code, table, england)
    return Slide(
        kind="benchmark",
        key=f"benchmark-{focus.code}",
        title=f"Benchmark: {focus.code} {focus.name}",
        subtitle=f"{when}; bars with 95% and 99.8% intervals, never a bare ranking",
        narrative=text,
        figures=(fig,),
        notes=text,
    )


def region_slides(inputs: DeckInputs) -> list[Slide]:
    model = inputs.model
    geos = regions.geographies(model, inputs.geo)
    scope = _scope(inputs)
    headline = headline_measures(inputs)
    summary = comparison_summary(model.cells, geos, headline, model.names)
    slides = [
        _rug_slide(inputs, geos, scope),
        Slide(
            kind="regions",
            key="regions-matrix",
            title=f"Region comparison: {scope} against England",
            subtitle="Headline measure of each priority area; better/similar/worse at 95%",
            narrative=summary,
            bullets=(summary,),
            tables=(comparison_table(inputs, geos, headline),),
            notes=summary
            + " Better or worse means the 95% interval lies wholly above or below England's "
            "value, taking each measure's direction into account; similar means it overlaps.",
        ),
    ]
    focus = next(iter(exception_measures(model, inputs.geo)), None) or headline[0]
    benchmark = _benchmark_slide(inputs, geos, scope, focus)
    return slides + ([benchmark] if benchmark is not None else [])
