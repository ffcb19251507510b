"""Region comparison: the Regions page's tartan rug, a matrix of each priority area's headline
measure against England (better/similar/worse at 95%), a benchmark chart of the first
exception measure (else the first headline measure), and, when peer groups are saved for
the deck's geography, each group's home against its peers' aggregate."""

from __future__ import annotations

import pandas as pd

from nlf_planner import peers as peer_rules
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


def peer_table(inputs: DeckInputs, headline: list[Measure]) -> SlideTable:
    """Peer groups (rows) × headline measures: the home's value, the peers' aggregate and
    the word (better/similar/worse than the aggregate, the England rule at 95%)."""
    model = inputs.model
    rows, fills = [], []
    for g in inputs.peer_groups:
        home = model.names.get(g.home_geo, g.home_geo)
        row = {"Peer group": f"{g.name} (home {home}, {len(g.members)} peers, v{g.version})"}
        fill = {"Peer group": ""}
        for m in headline:
            col = f"{m.area_code} {m.code}"
            res = peer_rules.compare_with_peers(model.series, m, g)
            if not res.has_peers or pd.isna(res.home_value):
                row[col], fill[col] = "No data", ""
                continue
            word = COMPARE_WORD.get(res.comparison, "—")
            row[col] = (
                f"{format_value(res.home_value, m.unit)} vs "
                f"{format_value(res.peers.value, m.unit)} {word}"
            )
            fill[col] = COMPARE_FILL.get(res.comparison, "")
        rows.append(row)
        fills.append(fill)
    data = pd.DataFrame(rows)
    fill_frame = pd.DataFrame(fills, columns=data.columns).fillna("")
    key = ", ".join(f"{m.area_code} {m.code} {m.name}" for m in headline)
    return SlideTable(
        data,
        f"Each cell: the home area's value vs its peers' aggregate. Columns: {key}.",
        fill_frame,
    )


def _peer_slide(inputs: DeckInputs, headline: list[Measure]) -> Slide | None:
    """Each saved peer group's home against its peers' aggregate (None when none saved)."""
    if not inputs.peer_groups:
        return None
    table = peer_table(inputs, headline)
    cells = table.data.drop(columns="Peer group").to_numpy().ravel()
    words = [str(c).rsplit(" ", 1)[-1] for c in cells if c != "No data"]
    n = len(inputs.peer_groups)
    text = (
        f"{n} saved peer group{'s' if n != 1 else ''} for {inputs.geo_name}: across the "
        f"headline measures the home areas are {words.count('Better')} times better than "
        f"their peers' aggregate, {words.count('Worse')} worse and {words.count('Similar')} "
        "similar (95% intervals)."
    )
    notes = (
        f"{text} The peers' aggregate of a proportion is the members' numerators summed over "
        "their denominators, with a Wilson 95% interval; of a score, the mean of the members' "
        "values weighted by their denominators. Better or worse means the home's 95% interval "
        "lies wholly above or below the aggregate, as against England."
    )
    return Slide(
        kind="regions",
        key="regions-peers",
        title=f"Against peers: {inputs.geo_name}'s saved peer groups",
        subtitle="Home area vs its peers' aggregate on each headline measure (95%)",
        narrative=text,
        bullets=(text,),
        tables=(table,),
        notes=notes,
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
    peer_slide = _peer_slide(inputs, headline)
    if peer_slide is not None:
        slides.append(peer_slide)
    focus = next(iter(exception_measures(model, inputs.geo)), None) or headline[0]
    benchmark = _benchmark_slide(inputs, geos, scope, focus)
    return slides + ([benchmark] if benchmark is not None else [])
