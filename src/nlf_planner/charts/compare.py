"""Comparison charts the Fingertips way: benchmark bars with intervals, funnel plot, spine
chart, and the tartan rug. Data in, plotly figure out; every mark also carries its meaning in
text.

Built cheaply (issue 12): traces, shapes and annotations are plain dicts and each chart kind
has one layout dict, validated once by ``go.Figure``. Names reach plotly escaped
(``labels.safe``) and titles and tick labels are wrapped to fit a 1024-pixel screen with the
sidebar open (issue 18).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from nlf_planner.charts.labels import safe, title_lines, title_position, wrap, wrap_title
from nlf_planner.charts.theme import (
    CONCERN,
    IMPROVEMENT,
    NHS_BLACK,
    NHS_DARK_BLUE,
    NHS_LIGHT_BLUE,
    NHS_MID_GREY,
    NHS_PALE_GREY,
    NHS_PURPLE,
    base_layout,
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
#: Characters per line of a rug tile and of a geography label: a tile is about 50 px wide
#: when nine columns share a 1024-pixel screen with the sidebar.
TILE_CHARS = 8
GEO_CHARS = 13
HEADER_CHARS = 9
#: Characters per line of a spine chart's measure label (two lines at most).
MEASURE_CHARS = 34
#: The peers' aggregate: a purple dotted line with a pale band for its 95% interval, so it
#: reads apart from England's black dashed line and from blue/orange (better/worse).
PEER_COLOUR = NHS_PURPLE
PEER_BAND = "rgba(51,0,114,0.10)"


def peer_label(peers: dict, value_format: str, unit: str = "") -> str:
    """The reference's words: "‘ICSs like ours’ peers' aggregate 26.7" (the name escaped)."""
    return f"‘{safe(peers['name'])}’ peers' aggregate {peers['value']:{value_format}}{unit}"


def _layout(title: str, *, height: int, extra_top: int = 0, **axes) -> dict:
    """One chart kind's layout: the title wrapped and pinned to the top, with room for each
    of its lines (and ``extra_top`` pixels of labels above the plot)."""
    wrapped = wrap_title(title)
    layout = base_layout(wrapped, height=height)
    layout["title"].update(title_position(wrapped))
    layout["margin"]["t"] = 20 + 21 * title_lines(wrapped) + extra_top
    for axis, props in axes.items():
        layout[axis] = {**layout.get(axis, {}), **props}
    return layout


def _rule(axis: str, at: float, line: dict) -> dict:
    """A line across the plot at ``at`` on ``axis`` ('x' vertical, 'y' horizontal)."""
    other = "y" if axis == "x" else "x"
    return {
        "type": "line",
        f"{axis}ref": axis,
        f"{axis}0": at,
        f"{axis}1": at,
        f"{other}ref": f"{other} domain",
        f"{other}0": 0,
        f"{other}1": 1,
        "line": line,
    }


def _label(text: str, **where) -> dict:
    return {"text": text, "showarrow": False, **where}


def benchmark_bars(
    table: pd.DataFrame,
    *,
    england: float | None,
    title: str,
    x_title: str,
    value_format: str = ".1f",
    peers: dict | None = None,
) -> go.Figure:
    """Horizontal bars, sorted, with 95% (thick) and 99.8% (thin) intervals and England.

    ``peers`` (``name``, ``value``, ``low``, ``high``, ``members``: geography codes, ``home``:
    a code) adds the peers' aggregate as a purple dotted line with its 95% interval as a
    band, rings the members' values and marks the home area's."""
    t = table.iloc[::-1]  # plotly draws the first row at the bottom
    names = [safe(n) for n in t.name]
    t = t.assign(label=names)
    traces: list[dict] = []
    for comp in Comparison:
        part = t[t.comparison == comp.value]
        if part.empty:
            continue
        words = COMPARISON_LABEL[comp]
        traces.append(
            {
                "type": "bar",
                "x": part.value,
                "y": part.label,
                "orientation": "h",
                "name": words,
                "marker": {
                    "color": COMPARISON_COLOUR[comp],
                    "line": {"color": NHS_DARK_BLUE, "width": 1},
                },
                "text": [words.split(" than")[0]] * len(part),
                "textposition": "inside",
                "insidetextanchor": "start",
                "textfont": {"color": "white" if comp == Comparison.BETTER else NHS_BLACK},
                "error_x": {
                    "type": "data",
                    "symmetric": False,
                    "array": part.ci95_high - part.value,
                    "arrayminus": part.value - part.ci95_low,
                    "color": NHS_BLACK,
                    "thickness": 2.5,
                    "width": 0,
                },
                "hovertemplate": f"%{{y}}: %{{x:{value_format}}}<br>{words}<extra></extra>",
            }
        )
    if "ci998_low" in t and t.ci998_low.notna().any():
        traces.append(
            {
                "type": "scatter",
                "x": t.value,
                "y": t.label,
                "mode": "markers",
                "marker": {"size": 1, "color": NHS_BLACK},
                "name": "99.8% interval",
                "error_x": {
                    "type": "data",
                    "symmetric": False,
                    "array": t.ci998_high - t.value,
                    "arrayminus": t.value - t.ci998_low,
                    "color": NHS_BLACK,
                    "thickness": 1,
                    "width": 6,
                },
                "hoverinfo": "skip",
            }
        )
    layout = _layout(
        title,
        height=max(320, 34 * len(t) + 160),
        extra_top=22,  # England's label above the plot
        xaxis={"title": {"text": x_title}},
        yaxis={"categoryorder": "array", "categoryarray": names, "automargin": True},
    )
    layout["barmode"] = "overlay"
    layout["legend"] = {"orientation": "h", "y": -0.22, "x": 0}
    layout["shapes"], layout["annotations"] = [], []
    if england is not None and not np.isnan(england):
        line = {"color": NHS_BLACK, "width": 2, "dash": "dash"}
        layout["shapes"].append(_rule("x", england, line))
        layout["annotations"].append(
            _label(
                f"England {england:{value_format}}",
                x=england,
                xref="x",
                y=1,
                yref="y domain",
                yanchor="bottom",
            )
        )
    if peers is not None:
        traces += _peer_marks(t, peers, value_format)
        if np.isfinite(peers["value"]):
            layout["margin"]["t"] += 20  # the aggregate's label above England's
            layout["shapes"] += _peer_shapes("x", peers)
            layout["annotations"].append(
                _label(
                    peer_label(peers, value_format),
                    x=peers["value"],
                    xref="x",
                    y=1,
                    yref="y domain",
                    yanchor="bottom",
                    yshift=18,
                    font={"color": PEER_COLOUR},
                )
            )
    return go.Figure({"data": traces, "layout": layout})


def _peer_shapes(axis: str, peers: dict) -> list[dict]:
    """The aggregate's line across the plot and, when known, its 95% interval as a band."""
    shapes = [_rule(axis, peers["value"], {"color": PEER_COLOUR, "width": 2, "dash": "dot"})]
    low, high = peers.get("low", np.nan), peers.get("high", np.nan)
    if np.isfinite(low) and np.isfinite(high):
        other = "y" if axis == "x" else "x"
        shapes.append(
            {
                "type": "rect",
                f"{axis}ref": axis,
                f"{axis}0": low,
                f"{axis}1": high,
                f"{other}ref": f"{other} domain",
                f"{other}0": 0,
                f"{other}1": 1,
                "fillcolor": PEER_BAND,
                "line": {"width": 0},
                "layer": "below",
            }
        )
    return shapes


def _peer_marks(t: pd.DataFrame, peers: dict, value_format: str) -> list[dict]:
    """Rings on the members' bars and a star on the home's, each a legend entry in words."""
    members = set(peers.get("members", ()))
    out = []
    for rows, name, symbol in (
        (t[t.geo_code.isin(members)], f"Peer in ‘{safe(peers['name'])}’", "circle-open"),
        (t[t.geo_code == peers.get("home")], "Home area of the peer group", "star"),
    ):
        if rows.empty:
            continue
        out.append(
            {
                "type": "scatter",
                "x": rows.value,
                "y": rows.label,
                "mode": "markers",
                "name": name,
                "marker": {
                    "symbol": symbol,
                    "size": 14,
                    "color": PEER_COLOUR,
                    "line": {"color": PEER_COLOUR, "width": 2},
                },
                "hovertemplate": f"%{{y}}: %{{x:{value_format}}}<br>{name}<extra></extra>",
            }
        )
    return out


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
    peers: dict | None = None,
) -> go.Figure:
    """ICSs by size against England, with 95% and 99.8% control limits (percent).

    ``points`` carry ``comparison`` and ``comparison_label`` (``compare.funnel_table``): each
    kind gets its colour, its shape and its words in the legend and hover. ``chance``, when
    given, draws the unadjusted 99.8% limits faintly, so the widening is visible. The ICSs of
    the ``highlight`` region are labelled by name. ``peers`` (as for :func:`benchmark_bars`,
    values in percent) adds the peers' aggregate as a purple dotted line with its interval
    band, rings the members and labels the home area.
    """
    traces: list[dict] = []
    if chance is not None:
        traces += _limit_lines(chance, "998", "99.8% limits for chance alone", "#AEB7BD", "dot")
    traces += _limit_lines(curve, "95", "95% limits", NHS_MID_GREY, "dash")
    traces += _limit_lines(curve, "998", "99.8% limits", NHS_BLACK, "solid")
    for comp, (symbol, colour) in FUNNEL_MARKERS.items():
        part = points[points.comparison == comp.value]
        if part.empty:
            continue
        label = part.comparison_label.iloc[0]
        traces.append(
            {
                "type": "scatter",
                "x": part.denominator,
                "y": part.value,
                "mode": "markers",
                "name": label,
                "marker": {
                    "symbol": symbol,
                    "color": colour,
                    "size": 11 if comp == Comparison.SIMILAR else 13,
                    "line": {"color": NHS_DARK_BLUE if comp != Comparison.SIMILAR else "white"},
                },
                "text": [safe(n) for n in part.name],
                "customdata": np.stack(
                    [
                        [safe(r) for r in part.region],
                        part.z_adjusted,
                        part.lower998,
                        part.upper998,
                    ],
                    axis=1,
                ),
                "hovertemplate": "<b>%{text}</b> (%{customdata[0]})<br>%{y:.1f}% of %{x:,.0f}"
                "<br>z = %{customdata[1]:.2f} after adjustment<br>"
                "99.8% limits at this size: %{customdata[2]:.1f}–%{customdata[3]:.1f}%"
                f"<extra>{label}</extra>",
            }
        )
    if highlight:
        mine = points[points.region == highlight]
        traces.append(
            {
                "type": "scatter",
                "x": mine.denominator,
                "y": mine.value,
                "mode": "markers+text",
                "name": f"ICSs in {safe(highlight)}",
                "text": [safe(n) for n in mine.name],
                "textposition": "top center",
                "textfont": {"size": 10, "color": NHS_DARK_BLUE},
                "marker": {
                    "size": 18,
                    "color": "rgba(0,0,0,0)",
                    "line": {"color": NHS_DARK_BLUE, "width": 2},
                },
                "hoverinfo": "skip",
            }
        )
    if peers is not None:
        traces += _funnel_peer_marks(points, peers)
    layout = _layout(
        title,
        height=540,
        extra_top=10,
        xaxis={"title": {"text": x_title}, "type": "log"},
        yaxis={"title": {"text": y_title}},
    )
    layout["legend"] = {"orientation": "h", "y": -0.18, "x": 0}
    layout["shapes"] = [_rule("y", england, {"color": NHS_BLACK, "width": 1.5})]
    layout["annotations"] = [
        _label(
            f"England {england:.1f}%",
            x=0,
            xref="x domain",
            xanchor="left",
            y=england,
            yref="y",
            yanchor="bottom",
        )
    ]
    if peers is not None and np.isfinite(peers["value"]):
        layout["shapes"] = _peer_shapes("y", peers) + layout["shapes"]
        layout["annotations"].append(
            _label(
                peer_label(peers, ".1f", "%"),
                x=1,
                xref="x domain",
                xanchor="right",
                y=peers["value"],
                yref="y",
                yanchor="bottom",
                font={"color": PEER_COLOUR},
                bgcolor="rgba(255,255,255,0.85)",
            )
        )
    return go.Figure({"data": traces, "layout": layout})


def _funnel_peer_marks(points: pd.DataFrame, peers: dict) -> list[dict]:
    """Purple rings on the group's members and a labelled star on its home."""
    members = points[points.geo_code.isin(set(peers.get("members", ())))]
    home = points[points.geo_code == peers.get("home")]
    out = []
    if not members.empty:
        out.append(
            {
                "type": "scatter",
                "x": members.denominator,
                "y": members.value,
                "mode": "markers",
                "name": f"Peer in ‘{safe(peers['name'])}’",
                "text": [safe(n) for n in members.name],
                "marker": {
                    "size": 20,
                    "symbol": "circle-open",
                    "color": PEER_COLOUR,
                    "line": {"color": PEER_COLOUR, "width": 2},
                },
                "hovertemplate": "<b>%{text}</b>: %{y:.1f}%<extra>peer</extra>",
            }
        )
    if not home.empty:
        out.append(
            {
                "type": "scatter",
                "x": home.denominator,
                "y": home.value,
                "mode": "markers+text",
                "name": "Home area of the peer group",
                "text": [safe(n) for n in home.name],
                "textposition": "bottom center",
                "textfont": {"size": 11, "color": PEER_COLOUR},
                "marker": {"size": 16, "symbol": "star", "color": PEER_COLOUR},
                "hovertemplate": "<b>%{text}</b>: %{y:.1f}%<extra>home area</extra>",
            }
        )
    return out


def _limit_lines(curve: pd.DataFrame, tag: str, label: str, colour: str, dash: str) -> list:
    """The upper and lower limit at one level as one legend entry."""
    return [
        {
            "type": "scatter",
            "x": curve.denominator,
            "y": curve[f"{side}{tag}"] * 100,
            "mode": "lines",
            "name": label,
            "showlegend": side == "upper",
            "legendgroup": label,
            "line": {"color": colour, "dash": dash, "width": 1.2},
            "hoverinfo": "skip",
        }
        for side in ("upper", "lower")
    ]


def spine_chart(profile: pd.DataFrame, *, title: str) -> go.Figure:
    """Fingertips spine chart: peer range (worst to best), interquartile range, England at the
    centre and the area's value marked by its comparison (better to the right)."""
    used = ["measure_code", "measure", "comparison", "value", "england"]
    p = profile[used + [c for c in profile.columns if c.startswith("pos_")]].iloc[::-1]
    # Worse than England and getting worse: "!!" before the name and the reason on hover,
    # so the reading is in words and a mark, never colour alone.
    red = (
        profile["red_red"].fillna(False).astype(bool).iloc[::-1].to_numpy()
        if "red_red" in profile.columns
        else np.zeros(len(p), dtype=bool)
    )
    why = (
        profile["red_red_reason"].fillna("").astype(str).iloc[::-1].to_numpy()
        if "red_red_reason" in profile.columns
        else np.full(len(p), "")
    )
    # Code and name on up to two lines, so the names leave room for the chart at 1024 px.
    p = p.assign(
        label=[
            wrap(("!! " if r else "") + f"{code} {safe(name)}", MEASURE_CHARS, 2)
            for code, name, r in zip(p.measure_code, p.measure, red, strict=True)
        ],
        red_red_note=[
            f"<br>!! {safe(w[0].upper() + w[1:])}" if r and w else ""
            for r, w in zip(red, why, strict=True)
        ],
    )
    bar = {"type": "bar", "y": p.label, "orientation": "h", "hoverinfo": "skip"}
    traces: list[dict] = [
        {
            **bar,
            "x": p.pos_best - p.pos_worst,
            "base": p.pos_worst,
            "marker": {"color": NHS_PALE_GREY},
            "name": "Range of peers (worst to best)",
        },
        {
            **bar,
            "x": p.pos_q75 - p.pos_q25,
            "base": p.pos_q25,
            "marker": {"color": "#AEB7BD"},
            "name": "Middle half of peers (25th–75th percentile)",
        },
    ]
    for comp in Comparison:
        part = p[p.comparison.fillna(Comparison.NOT_COMPARED.value) == comp.value]
        if part.empty:
            continue
        traces.append(
            {
                "type": "scatter",
                "x": part.pos_value,
                "y": part.label,
                "mode": "markers",
                "name": COMPARISON_LABEL[comp],
                "marker": {
                    "size": 13,
                    "color": COMPARISON_COLOUR[comp],
                    "symbol": {"better": "triangle-right", "worse": "triangle-left"}.get(
                        comp.value, "circle"
                    ),
                    "line": {"color": NHS_DARK_BLUE, "width": 1.2},
                },
                "customdata": np.stack(
                    [part.value.round(2), part.england.round(2), part.red_red_note], axis=1
                ),
                "hovertemplate": "%{y}<br>Value %{customdata[0]} · England %{customdata[1]}"
                f"%{{customdata[2]}}<extra>{COMPARISON_LABEL[comp]}</extra>",
            }
        )
    layout = _layout(
        title,
        height=max(360, 36 * len(p) + 180),
        extra_top=22,
        xaxis={
            "range": [-0.02, 1.02],
            "tickvals": [0, 0.5, 1],
            "ticktext": ["Worse", "England", "Better"],
            "showgrid": False,
        },
        yaxis={"automargin": True, "tickfont": {"size": 11}},
    )
    layout["barmode"] = "overlay"
    layout["legend"] = {"orientation": "h", "y": -0.1, "x": 0}
    layout["shapes"] = [_rule("x", 0.5, {"color": NHS_BLACK, "width": 2})]
    layout["annotations"] = [
        _label("England", x=0.5, xref="x", y=1, yref="y domain", yanchor="bottom")
    ]
    return go.Figure({"data": traces, "layout": layout})


def _tile(text: str) -> str:
    """A tile's lines (joined by ``<br>``), each wrapped to fit a narrow tile."""
    return "<br>".join(wrap(line, TILE_CHARS) for line in str(text).split("<br>"))


def _header(label: str, n_cols: int) -> str:
    """A column header: its code in bold on the first line, then the name, wrapped narrow
    enough that neighbouring headers never overlap at 1024 pixels (codes only when the rug
    has more columns than fit with names)."""
    code, _, name = safe(label).partition(" ")
    if n_cols > 9 or not name:
        return f"<b>{code}</b>" + (f"<br>{wrap(name, 9, 2)}" if name and n_cols <= 12 else "")
    return f"<b>{code}</b><br>{wrap(name, HEADER_CHARS, 3)}"


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
    codes = tone.map(lambda t: tones.index(t) if t in TONE_COLOURS else tones.index("none"))
    steps = len(tones)
    scale = []
    for k, name in enumerate(tones):
        scale += [[k / steps, TONE_COLOURS[name]], [(k + 1) / steps, TONE_COLOURS[name]]]
    geos = [safe(g) for g in tile.index]
    cols = [safe(c) for c in tile.columns]
    rows, columns = np.divmod(np.arange(n_rows * n_cols), n_cols)
    full_text = full.to_numpy().ravel()
    hovers = [
        f"<b>{geos[i]}</b> · {cols[j]}<br>{safe(text)}<br><i>Click to open</i>"
        for i, j, text in zip(rows, columns, full_text, strict=True)
    ]
    traces = [
        {
            "type": "heatmap",
            "z": codes.to_numpy().tolist(),
            "x": list(range(n_cols)),
            "y": list(range(n_rows)),
            "zmin": -0.5,
            "zmax": steps - 0.5,
            "colorscale": scale,
            "showscale": False,
            "xgap": 3,
            "ygap": 3,
            "hoverinfo": "skip",
        },
        {
            "type": "scatter",
            "x": columns,
            "y": rows,
            "mode": "markers+text",
            "text": [_tile(t) for t in tile.to_numpy().ravel()],
            "textposition": "middle center",
            "textfont": {"size": 9.5, "color": NHS_BLACK},
            "marker": {"symbol": "square", "size": 44, "color": "rgba(255,255,255,0.01)"},
            "hovertext": hovers,
            "hoverinfo": "text",
            "showlegend": False,
            "name": "cells",
        },
    ]
    labels = column_labels or list(tile.columns)
    common = {"showgrid": False, "zeroline": False, "fixedrange": True}
    layout = _layout(
        title,
        height=max(300, 64 * n_rows + 200),
        extra_top=70,  # the column headers
        xaxis={
            **common,
            "tickvals": list(range(n_cols)),
            "ticktext": [_header(c, n_cols) for c in labels],
            "side": "top",
            "range": [-0.55, n_cols - 0.45],
            "tickfont": {"size": 9 if n_cols >= 9 else 10},
            "tickangle": 0,
        },
        yaxis={
            **common,
            "tickvals": list(range(n_rows)),
            "ticktext": [wrap(g, GEO_CHARS, 3) for g in geos],
            "tickfont": {"size": 11},
            "range": [n_rows - 0.5, -0.5],
        },
    )
    layout["margin"].update({"l": 10, "r": 10, "b": 10})
    layout["yaxis"]["automargin"] = True
    layout.update(dragmode=False, clickmode="event+select")
    return go.Figure({"data": traces, "layout": layout})
