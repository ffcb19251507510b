"""Scenario charts: fan charts (P10–P90 band, P50 line, baseline dashed, plan target line),
tornado, waterfall and a by-region view. Data in, plotly figure out; each has a text
summary builder so the page can give a plain-English alternative."""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go

from nlf_planner.capacity.outputs import (
    FLOW_OUTPUTS,
    OUTPUTS,
    format_delta,
    format_value,
    output_label,
)
from nlf_planner.charts.theme import (
    CATEGORICAL,
    CONCERN,
    IMPROVEMENT,
    NHS_DARK_GREY,
    NHS_MID_GREY,
    SPC_TARGET,
    apply_layout,
)

UNIT_AXIS = {
    "percent": "%",
    "count": "people",
    "ratio": "per executive post",
    "gbp": "£ million",
    "per_1000": "per 1,000 staff",
}


def _scale(name: str) -> float:
    return 1e-6 if OUTPUTS[name].unit == "gbp" else 1.0


def axis_title(name: str) -> str:
    return UNIT_AXIS[OUTPUTS[name].unit]


def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


#: One line style and marker per scenario, so scenarios differ by more than colour.
SCENARIO_DASHES = ["solid", "dashdot", "longdashdot", "longdash"]
SCENARIO_SYMBOLS = ["circle", "square", "diamond", "triangle-up"]
#: The letter each compared scenario carries at its line's end and in the legend.
SCENARIO_LETTERS = ["A", "B", "C", "D"]
#: How far apart (in years) the scenarios' ranges stand at each year when compared.
DODGE = 0.18


def _safe(text: object) -> str:
    """A scenario name as plotly shows it: ``<`` and ``>`` escaped (names are people's text,
    also from imported files; plotly would render a link or markup in them)."""
    return html.escape(str(text), quote=False)


def fan_alt(name: str, level: int = 0) -> str:
    """The fan chart's accessible name: what it shows."""
    return f"Chart of {output_label(name, level).lower()} by year: median and 80% range"


def _band(fig: go.Figure, part: pd.DataFrame, k: float, colour: str, scen: str) -> None:
    """One scenario alone: its P10–P90 band, outlined, behind the median."""
    x = list(part["year"]) + list(part["year"])[::-1]
    y = list(part["p90"] * k) + list(part["p10"] * k)[::-1]
    fig.add_trace(
        go.Scatter(
            x=x,
            y=y,
            mode="lines",
            fill="toself",
            fillcolor=_rgba(colour, 0.18),
            line={"width": 1, "color": _rgba(colour, 0.5)},
            hoverinfo="skip",
            name="80% range (P10–P90)",
            legendgroup=scen,
        )
    )


def _title(label: str, unit: str, width: int = 34) -> str:
    """A chart title that fits a half-width chart at 1024 px (plotly never wraps titles: a
    long one is cut at the chart's edge): the unit on a line of its own when the whole is
    long, and a long label broken at a space."""
    if len(label) + len(unit) + 3 <= 30:
        return f"{label} ({unit})"
    if len(label) > width and " " in label[:width]:
        cut = label.rfind(" ", 0, width)
        label = label[:cut] + "<br>" + label[cut + 1 :]
    return f"{label}<br>({unit})"


def _ranges(
    fig: go.Figure, part: pd.DataFrame, k: float, colour: str, scen: str, i: int, n: int
) -> pd.Series:
    """Several scenarios: each one's P10–P90 as a range bar beside the others' at every
    year (offset, never overlapping, so they cannot merge into one band); returns the
    offset years its median line runs through."""
    x = part["year"] + (i - (n - 1) / 2) * DODGE
    p50 = part["p50"] * k
    fig.add_trace(
        go.Scatter(
            x=x,
            y=p50,
            mode="markers",
            marker={"size": 0.1, "color": colour},
            error_y={
                "type": "data",
                "symmetric": False,
                "array": part["p90"] * k - p50,
                "arrayminus": p50 - part["p10"] * k,
                "color": colour,
                "thickness": 6,
                "width": 0,
            },
            opacity=0.55,
            hoverinfo="skip",
            name=f"{scen}: 80% range (P10–P90)",
            legendgroup=scen,
            showlegend=False,  # the median's legend entry names the bars too
        )
    )
    return x


def fan_chart(
    fan: pd.DataFrame,
    *,
    name: str,
    level: int = 0,
    baseline: pd.DataFrame | None = None,
    targets: dict[int, float] | None = None,
    title: str | None = None,
    geo_name: str = "England",
    height: int = 380,
) -> go.Figure:
    """One or more scenarios' P10–P90 ranges and P50 lines by year.

    ``fan``: ``scenario, year, p10, p50, p90``; ``baseline``: ``year, p50`` (dashed line);
    ``targets``: plan targets by horizon year (a dotted red line with markers). One scenario
    shows its range as a band; several show theirs as range bars side by side at each year,
    each scenario with its own colour, line style and marker, and its name at the line's end,
    so three or four never merge into one band and none is told apart by colour alone.
    """
    k = _scale(name)
    if name in FLOW_OUTPUTS:  # a flow has no value at the starting position
        fan = fan[fan["year"] >= 1]
        baseline = baseline[baseline["year"] >= 1] if baseline is not None else None
    fig = go.Figure()
    groups = list(fan.groupby("scenario", sort=False))
    several = len(groups) > 1
    for i, (scen, part) in enumerate(groups):
        colour = CATEGORICAL[i % len(CATEGORICAL)]
        shown = _safe(scen)
        if several:
            x = _ranges(fig, part, k, colour, shown, i, len(groups))
        else:
            _band(fig, part, k, colour, shown)
            x = part["year"]
        fig.add_trace(
            go.Scatter(
                x=x,
                y=part["p50"] * k,
                mode="lines+markers",
                line={"color": colour, "width": 3, "dash": SCENARIO_DASHES[i % 4]},
                marker={"symbol": SCENARIO_SYMBOLS[i % 4], "size": 8, "color": colour},
                name=(
                    f"{SCENARIO_LETTERS[i % 4]} · {shown}: median, bars 80% range"
                    if several
                    else "Median (P50)"
                ),
                legendgroup=shown,
                hovertemplate=f"{shown}<br>year %{{x:.0f}}: %{{y:,.3~r}}<extra></extra>",
            )
        )
        if several:  # the name at the line's end: told apart without the legend
            fig.add_annotation(
                x=float(x.iloc[-1]),
                y=float(part["p50"].iloc[-1] * k),
                text=f"<b>{SCENARIO_LETTERS[i % 4]}</b>",
                showarrow=False,
                xshift=12,
                font={"color": colour, "size": 13},
            )
    if baseline is not None and not baseline.empty:
        fig.add_trace(
            go.Scatter(
                x=baseline["year"],
                y=baseline["p50"] * k,
                mode="lines",
                line={"color": NHS_DARK_GREY, "width": 2, "dash": "dash"},
                name="Baseline median (dashed)",
            )
        )
    if targets:
        years = sorted(targets)
        fig.add_trace(
            go.Scatter(
                x=years,
                y=[targets[y] * k for y in years],
                mode="lines+markers",
                line={"color": SPC_TARGET, "width": 2, "dash": "dot"},
                marker={"symbol": "diamond", "size": 10},
                name="Plan target (diamonds, dotted)",
            )
        )
    label = output_label(name, level)
    unit = axis_title(name)
    who = "" if several or not groups else f" · {_safe(groups[0][0])}"
    fig = apply_layout(
        fig,
        title
        or f"{_title(label, unit)}<br><sup>{_safe(geo_name)}: median and 80% range by "
        f"year{who}</sup>",
        height=height + (40 * len(groups) if several else 0),
        x_title="Years from now",
        y_title=unit,
    )
    fig.update_xaxes(dtick=1)
    if OUTPUTS[name].unit in ("gbp", "count"):
        fig.update_yaxes(rangemode="tozero")
    fig.update_layout(legend={"orientation": "h", "y": -0.25, "x": 0})
    return fig


def fan_summary(
    fan: pd.DataFrame,
    name: str,
    level: int = 0,
    baseline: pd.DataFrame | None = None,
    targets: dict[int, float] | None = None,
) -> str:
    """Plain-English text alternative for a fan chart."""
    label = output_label(name, level)
    last_year = int(fan["year"].max())
    parts = []
    for scen, part in fan.groupby("scenario", sort=False):
        end = part[part["year"] == last_year].iloc[0]
        first = 1 if name in FLOW_OUTPUTS else 0
        start = part[part["year"] == first].iloc[0]
        when = "in year 1" if first else "now"
        parts.append(
            f"{scen}: {format_value(name, start.p50)} {when}, median "
            f"{format_value(name, end.p50)} in year {last_year} (80% range "
            f"{format_value(name, end.p10)} to {format_value(name, end.p90)})"
        )
    text = f"{label}. " + "; ".join(parts) + "."
    if baseline is not None and not baseline.empty:
        b = baseline[baseline["year"] == last_year]
        if not b.empty:
            text += f" Baseline median in year {last_year}: {format_value(name, b.p50.iloc[0])}."
    if targets:
        text += (
            " Plan targets: "
            + ", ".join(f"year {y} {format_value(name, v)}" for y, v in sorted(targets.items()))
            + "."
        )
    return text


def tornado_chart(sens: pd.DataFrame, *, name: str, level: int, horizon: int, top: int = 12):
    """Bars from the output at each parameter's low to its high value, largest swing on top."""
    k = _scale(name)
    data = sens[sens["swing"] > 0].head(top).iloc[::-1]
    central = float(sens["central"].iloc[0]) * k
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            y=data["label"],
            x=(data["low"] - sens["central"].iloc[0]) * k,
            base=central,
            orientation="h",
            marker_color=CONCERN,
            name="Parameter at its low value",
            text=[f"low {v}" for v in data["input_low_text"]],
            textposition="inside",
        )
    )
    fig.add_trace(
        go.Bar(
            y=data["label"],
            x=(data["high"] - sens["central"].iloc[0]) * k,
            base=central,
            orientation="h",
            marker_color=IMPROVEMENT,
            name="Parameter at its high value",
            text=[f"high {v}" for v in data["input_high_text"]],
            textposition="inside",
        )
    )
    fig.add_vline(x=central, line_color=NHS_DARK_GREY, line_dash="dash")
    unit = axis_title(name)
    fig = apply_layout(
        fig,
        f"What moves {output_label(name, level).lower()} in year {horizon} ({unit})",
        height=max(320, 60 + 34 * len(data)),
        x_title=f"{output_label(name, level)} ({unit}); dashed line = central estimate",
    )
    fig.update_layout(
        barmode="overlay",
        legend={"orientation": "h", "y": -0.2, "x": 0},
        uniformtext={"minsize": 10, "mode": "hide"},
    )
    return fig


def tornado_summary(sens: pd.DataFrame, name: str, level: int, horizon: int) -> str:
    top = sens[sens["swing"] > 0].head(3)
    if top.empty:
        return "No uncertain parameter moves this output."
    items = [
        f"{r.label} ({format_value(name, r.low)} to {format_value(name, r.high)})"
        for r in top.itertuples()
    ]
    return (
        f"{output_label(name, level)} in year {horizon}: central estimate "
        f"{format_value(name, sens['central'].iloc[0])}. The biggest swings come from "
        + "; ".join(items)
        + "."
    )


def waterfall_chart(w: pd.DataFrame, *, name: str, level: int, horizon: int) -> go.Figure:
    k = _scale(name)
    measure = [
        "absolute" if kind == "start" else kind.replace("step", "relative") for kind in w["kind"]
    ]
    fig = go.Figure(
        go.Waterfall(
            x=w["step"],
            measure=measure,
            y=[
                (v if kind == "start" else d) * k
                for v, d, kind in zip(w["value"], w["delta"], w["kind"], strict=True)
            ],
            text=[
                format_delta(name, d) if kind == "step" else format_value(name, v)
                for v, d, kind in zip(w["value"], w["delta"], w["kind"], strict=True)
            ],
            textposition="outside",
            increasing={"marker": {"color": IMPROVEMENT}},
            decreasing={"marker": {"color": CONCERN}},
            totals={"marker": {"color": NHS_MID_GREY}},
            connector={"line": {"color": NHS_MID_GREY}},
        )
    )
    unit = axis_title(name)
    return apply_layout(
        fig,
        f"What changed {output_label(name, level).lower()} in year {horizon}: baseline to "
        f"scenario ({unit})",
        height=400,
        y_title=unit,
    )


def waterfall_summary(w: pd.DataFrame, name: str, level: int, horizon: int) -> str:
    start, end = w.iloc[0], w.iloc[-1]
    steps = w[(w["kind"] == "step") & (w["delta"].abs() > 1e-9)]
    moves = "; ".join(f"{r.step} {format_delta(name, r.delta)}" for r in steps.itertuples())
    text = (
        f"{output_label(name, level)} in year {horizon} moves from "
        f"{format_value(name, start.value)} (baseline) to {format_value(name, end.value)} "
        f"(scenario). " + (f"Contributions, in order: {moves}." if moves else "No change.")
    )
    by_step = w.set_index("step")["delta"]
    if abs(by_step.get("Places", 0.0)) < 1e-9 and abs(by_step.get("Budget", 0.0)) > 1e-9:
        text += (
            " Extra places show no effect on their own because the baseline budget cannot pay "
            "for them; the budget bar carries their effect."
        )
    return text


def region_chart(data: pd.DataFrame, *, name: str, level: int, year: int) -> go.Figure:
    """Median with 80% range by region (and England), baseline median as a marker.

    ``data``: ``geo_name, p10, p50, p90, baseline_p50``.
    """
    k = _scale(name)
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=data["geo_name"],
            y=data["p50"] * k,
            marker_color=IMPROVEMENT,
            error_y={
                "type": "data",
                "symmetric": False,
                "array": (data["p90"] - data["p50"]) * k,
                "arrayminus": (data["p50"] - data["p10"]) * k,
                "color": NHS_DARK_GREY,
            },
            name="Scenario median, bars = 80% range",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=data["geo_name"],
            y=data["baseline_p50"] * k,
            mode="markers",
            marker={
                "symbol": "line-ew-open",
                "size": 28,
                "color": NHS_DARK_GREY,
                "line": {"width": 3},
            },
            name="Baseline median",
        )
    )
    unit = axis_title(name)
    fig = apply_layout(
        fig,
        f"{output_label(name, level)} by region in year {year} ({unit})",
        height=400,
        y_title=unit,
    )
    fig.update_layout(legend={"orientation": "h", "y": -0.3, "x": 0})
    return fig


def region_summary(data: pd.DataFrame, name: str, level: int, year: int) -> str:
    regions = data[data["geo_name"] != "England"].sort_values("p50")
    if regions.empty:
        return ""
    lo, hi = regions.iloc[0], regions.iloc[-1]
    return (
        f"{output_label(name, level)} in year {year}: medians range from "
        f"{format_value(name, lo.p50)} ({lo.geo_name}) to {format_value(name, hi.p50)} "
        f"({hi.geo_name})."
    )
