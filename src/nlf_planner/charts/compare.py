"""Comparison charts the Fingertips way: benchmark bars with intervals, funnel plot, spine
chart. Data in, plotly figure out; every mark also carries its meaning in text."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from nlf_planner.charts.theme import (
    CONCERN,
    IMPROVEMENT,
    NHS_BLACK,
    NHS_DARK_BLUE,
    NHS_LIGHT_BLUE,
    NHS_MID_GREY,
    NHS_PALE_GREY,
    apply_layout,
)
from nlf_planner.compare import COMPARISON_COLOUR, COMPARISON_LABEL, Comparison

#: Funnel points by comparison: blue better, orange worse, grey similar, and a shape for each
#: so the reading never rests on colour alone (the legend says it in words too).
FUNNEL_MARKERS = {
    Comparison.BETTER: ("diamond", IMPROVEMENT),
    Comparison.WORSE: ("square", CONCERN),
    Comparison.HIGHER: ("triangle-up", NHS_DARK_BLUE),
    Comparison.LOWER: ("triangle-down", NHS_LIGHT_BLUE),
    Comparison.SIMILAR: ("circle", NHS_MID_GREY),
    Comparison.NOT_COMPARED: ("circle-open", NHS_MID_GREY),
}

# Tones of the tartan rug (text in every cell says the same thing).
TONE_COLOURS = {
    "better": "#CFE2F3",
    "worse": "#FBD9BE",
    "mixed": "#FFF1C6",
    "similar": "#FFFFFF",
    "england": "#E8EDEE",
    "none": "#FFFFFF",
}


def benchmark_bars(
    table: pd.DataFrame,
    *,
    england: float | None,
    title: str,
    x_title: str,
    value_format: str = ".1f",
) -> go.Figure:
    """Horizontal bars, sorted, with 95% (thick) and 99.8% (thin) intervals and England."""
    fig = go.Figure()
    t = table.iloc[::-1]  # plotly draws the first row at the bottom
    for comp in Comparison:
        part = t[t.comparison == comp.value]
        if part.empty:
            continue
        colour = COMPARISON_COLOUR[comp]
        fig.add_trace(
            go.Bar(
                x=part.value,
                y=part.name,
                orientation="h",
                name=COMPARISON_LABEL[comp],
                marker={"color": colour, "line": {"color": NHS_DARK_BLUE, "width": 1}},
                text=[COMPARISON_LABEL[comp].split(" than")[0]] * len(part),
                textposition="inside",
                insidetextanchor="start",
                textfont={"color": "white" if comp == Comparison.BETTER else NHS_BLACK},
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": part.ci95_high - part.value,
                    "arrayminus": part.value - part.ci95_low,
                    "color": NHS_BLACK,
                    "thickness": 2.5,
                    "width": 0,
                },
                hovertemplate=(
                    f"%{{y}}: %{{x:{value_format}}}<br>{COMPARISON_LABEL[comp]}<extra></extra>"
                ),
            )
        )
    if "ci998_low" in t and t.ci998_low.notna().any():
        fig.add_trace(
            go.Scatter(
                x=t.value,
                y=t.name,
                mode="markers",
                marker={"size": 1, "color": NHS_BLACK},
                name="99.8% interval",
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": t.ci998_high - t.value,
                    "arrayminus": t.value - t.ci998_low,
                    "color": NHS_BLACK,
                    "thickness": 1,
                    "width": 6,
                },
                hoverinfo="skip",
            )
        )
    if england is not None and not np.isnan(england):
        fig.add_vline(
            x=england,
            line={"color": NHS_BLACK, "width": 2, "dash": "dash"},
            annotation_text=f"England {england:{value_format}}",
            annotation_position="top",
        )
    apply_layout(fig, title, height=max(320, 34 * len(t) + 140), x_title=x_title)
    fig.update_layout(barmode="overlay", legend={"orientation": "h", "y": -0.22, "x": 0})
    fig.update_yaxes(categoryorder="array", categoryarray=list(t.name))
    return fig


def funnel_plot(
    points: pd.DataFrame,
    curve: pd.DataFrame,
    *,
    england: float,
    title: str,
    x_title: str = "Denominator (people counted)",
    y_title: str = "%",
    highlight: str | None = None,
    chance: pd.DataFrame | None = None,
) -> go.Figure:
    """ICSs by size against England, with 95% and 99.8% control limits (percent).

    ``points`` carry ``comparison`` and ``comparison_label`` (``compare.funnel_table``): each
    kind gets its colour, its shape and its words in the legend and hover. ``chance``, when
    given, draws the unadjusted 99.8% limits faintly, so the widening is visible. The ICSs of
    the ``highlight`` region are labelled by name.
    """
    fig = go.Figure()
    if chance is not None:
        _limit_lines(fig, chance, "998", "99.8% limits for chance alone", "#AEB7BD", "dot")
    _limit_lines(fig, curve, "95", "95% limits", NHS_MID_GREY, "dash")
    _limit_lines(fig, curve, "998", "99.8% limits", NHS_BLACK, "solid")
    fig.add_hline(
        y=england,
        line={"color": NHS_BLACK, "width": 1.5},
        annotation_text=f"England {england:.1f}%",
        annotation_position="top left",
    )
    for comp, (symbol, colour) in FUNNEL_MARKERS.items():
        part = points[points.comparison == comp.value]
        if part.empty:
            continue
        label = part.comparison_label.iloc[0]
        fig.add_trace(
            go.Scatter(
                x=part.denominator,
                y=part.value,
                mode="markers",
                name=label,
                marker={
                    "symbol": symbol,
                    "color": colour,
                    "size": 11 if comp == Comparison.SIMILAR else 13,
                    "line": {"color": NHS_DARK_BLUE if comp != Comparison.SIMILAR else "white"},
                },
                text=part.name,
                customdata=np.stack(
                    [part.region, part.z_adjusted, part.lower998, part.upper998], axis=1
                ),
                hovertemplate="<b>%{text}</b> (%{customdata[0]})<br>%{y:.1f}% of %{x:,.0f}"
                "<br>z = %{customdata[1]:.2f} after adjustment<br>"
                "99.8% limits at this size: %{customdata[2]:.1f}–%{customdata[3]:.1f}%"
                f"<extra>{label}</extra>",
            )
        )
    if highlight:
        mine = points[points.region == highlight]
        fig.add_trace(
            go.Scatter(
                x=mine.denominator,
                y=mine.value,
                mode="markers+text",
                name=f"ICSs in {highlight}",
                text=mine.name,
                textposition="top center",
                textfont={"size": 10, "color": NHS_DARK_BLUE},
                marker={
                    "size": 18,
                    "color": "rgba(0,0,0,0)",
                    "line": {"color": NHS_DARK_BLUE, "width": 2},
                },
                hoverinfo="skip",
            )
        )
    apply_layout(fig, title, height=540, x_title=x_title, y_title=y_title)
    fig.update_xaxes(type="log")
    fig.update_layout(legend={"orientation": "h", "y": -0.18, "x": 0}, margin={"t": 130})
    return fig


def _limit_lines(
    fig: go.Figure, curve: pd.DataFrame, tag: str, label: str, colour: str, dash: str
) -> None:
    """The upper and lower limit at one level as one legend entry."""
    for side in ("upper", "lower"):
        fig.add_trace(
            go.Scatter(
                x=curve.denominator,
                y=curve[f"{side}{tag}"] * 100,
                mode="lines",
                name=label,
                showlegend=side == "upper",
                legendgroup=label,
                line={"color": colour, "dash": dash, "width": 1.2},
                hoverinfo="skip",
            )
        )


def spine_chart(profile: pd.DataFrame, *, title: str) -> go.Figure:
    """Fingertips spine chart: peer range (worst to best), interquartile range, England at the
    centre and the area's value marked by its comparison (better to the right)."""
    fig = go.Figure()
    p = profile.iloc[::-1]
    y = [f"{r.measure_code} {r.measure[:48]}" for r in p.itertuples()]
    fig.add_trace(
        go.Bar(
            x=p.pos_best - p.pos_worst,
            base=p.pos_worst,
            y=y,
            orientation="h",
            marker={"color": NHS_PALE_GREY},
            name="Range of peers (worst to best)",
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Bar(
            x=p.pos_q75 - p.pos_q25,
            base=p.pos_q25,
            y=y,
            orientation="h",
            marker={"color": "#AEB7BD"},
            name="Middle half of peers (25th–75th percentile)",
            hoverinfo="skip",
        )
    )
    for comp in Comparison:
        part = p[p.comparison.fillna(Comparison.NOT_COMPARED.value) == comp.value]
        if part.empty:
            continue
        fig.add_trace(
            go.Scatter(
                x=part.pos_value,
                y=[f"{r.measure_code} {r.measure[:48]}" for r in part.itertuples()],
                mode="markers",
                name=COMPARISON_LABEL[comp],
                marker={
                    "size": 13,
                    "color": COMPARISON_COLOUR[comp],
                    "symbol": {"better": "triangle-right", "worse": "triangle-left"}.get(
                        comp.value, "circle"
                    ),
                    "line": {"color": NHS_DARK_BLUE, "width": 1.2},
                },
                customdata=np.stack([part.value.round(2), part.england.round(2)], axis=1),
                hovertemplate="%{y}<br>Value %{customdata[0]} · England %{customdata[1]}"
                f"<extra>{COMPARISON_LABEL[comp]}</extra>",
            )
        )
    fig.add_vline(
        x=0.5,
        line={"color": NHS_BLACK, "width": 2},
        annotation_text="England",
        annotation_position="top",
    )
    apply_layout(fig, title, height=max(360, 30 * len(p) + 160))
    fig.update_xaxes(
        range=[-0.02, 1.02],
        tickvals=[0, 0.5, 1],
        ticktext=["Worse", "England", "Better"],
        showgrid=False,
    )
    fig.update_layout(barmode="overlay", legend={"orientation": "h", "y": -0.1, "x": 0})
    return fig


def _wrap(label: str, width: int = 16, lines: int = 3) -> str:
    words, out, line = label.split(), [], ""
    for w in words:
        if len(line) + len(w) + 1 > width and line:
            out.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    out.append(line)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: width - 1] + "…"
    return "<br>".join(out)


def matrix_figure(
    tile: pd.DataFrame,
    tone: pd.DataFrame,
    full: pd.DataFrame,
    *,
    title: str,
    column_labels: list[str] | None = None,
) -> go.Figure:
    """The tartan rug as clickable tiles: background by tone, the reading written in each
    tile, the full sentence on hover. Point order is row by row (for drilling)."""
    n_rows, n_cols = tile.shape
    tones = list(TONE_COLOURS)
    z = [
        [
            tones.index(tone.iat[i, j]) if tone.iat[i, j] in tones else tones.index("none")
            for j in range(n_cols)
        ]
        for i in range(n_rows)
    ]
    steps = len(tones)
    scale = []
    for k, name in enumerate(tones):
        scale += [[k / steps, TONE_COLOURS[name]], [(k + 1) / steps, TONE_COLOURS[name]]]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=list(range(n_cols)),
            y=list(range(n_rows)),
            zmin=-0.5,
            zmax=steps - 0.5,
            colorscale=scale,
            showscale=False,
            xgap=4,
            ygap=4,
            hoverinfo="skip",
        )
    )
    xs, ys, texts, hovers = [], [], [], []
    for i, geo in enumerate(tile.index):
        for j, col in enumerate(tile.columns):
            xs.append(j)
            ys.append(i)
            texts.append(tile.iat[i, j])
            hovers.append(f"<b>{geo}</b> · {col}<br>{full.iat[i, j]}<br><i>Click to open</i>")
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=ys,
            mode="markers+text",
            text=texts,
            textposition="middle center",
            textfont={"size": 11, "color": NHS_BLACK},
            marker={"symbol": "square", "size": 44, "color": "rgba(255,255,255,0.01)"},
            hovertext=hovers,
            hoverinfo="text",
            showlegend=False,
            name="cells",
        )
    )
    labels = column_labels or list(tile.columns)
    apply_layout(fig, title, height=max(300, 64 * n_rows + 190))
    fig.update_xaxes(
        tickvals=list(range(n_cols)),
        ticktext=[_wrap(c, 16 if n_cols <= 9 else 9) for c in labels],
        side="top",
        range=[-0.55, n_cols - 0.45],
        showgrid=False,
        zeroline=False,
        fixedrange=True,
        tickfont={"size": 11},
        tickangle=0,
    )
    fig.update_yaxes(
        tickvals=list(range(n_rows)),
        ticktext=list(tile.index),
        showgrid=False,
        zeroline=False,
        fixedrange=True,
        range=[n_rows - 0.5, -0.5],
    )
    fig.update_layout(
        margin={"t": 150, "l": 10, "r": 10, "b": 10}, dragmode=False, clickmode="event+select"
    )
    fig.update_layout(title={"yref": "container", "y": 1.0, "yanchor": "top", "pad": {"t": 12}})
    return fig
