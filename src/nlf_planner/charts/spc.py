"""The Making Data Count SPC chart: data (an SPCResult) in, plotly figure out.

Points are coloured and shaped by type (improvement blue, concern orange, neutral purple,
common-cause grey; triangles point the way of the signal), hover text names the rule that
fired, limits break at rebases, and the icons carry letters so colour is never the only cue.

Built cheaply (issue 12): every trace, shape and annotation is a plain dict and the layout
one dict, validated once by ``go.Figure``; no ``add_*``/``update_*`` chains. People's text
(notes, rebase reasons) is escaped for plotly's HTML subset (``labels.safe``), so
``<a href=…>`` typed into a note shows as text, never as a link (issue 15); the title is
wrapped to fit a 1024-pixel screen (issue 18).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from nlf_planner.charts.labels import safe, title_lines, title_position, wrap_title
from nlf_planner.charts.theme import NHS_BLACK, NHS_DARK_BLUE, NHS_MID_GREY, base_layout
from nlf_planner.periods import day_label
from nlf_planner.spc import (
    ASSURANCE_LABEL,
    ASSURANCE_LETTER,
    COLOURS,
    VARIATION_LABEL,
    VARIATION_LETTER,
    PointType,
    SPCResult,
    assurance_colour,
    rule_description,
    rule_names,
    variation_colour,
)

POINT_STYLE = {
    PointType.COMMON: ("Common cause", COLOURS["common_cause"]),
    PointType.IMPROVEMENT: ("Special cause: improvement", COLOURS["improvement"]),
    PointType.CONCERN: ("Special cause: concern", COLOURS["concern"]),
    PointType.NEUTRAL_HIGH: ("Special cause: neutral (high)", COLOURS["neutral"]),
    PointType.NEUTRAL_LOW: ("Special cause: neutral (low)", COLOURS["neutral"]),
}
#: Pixels between the title and the plot for the icons' row.
ICON_ROW = 58
#: Characters of a note shown on the chart (the whole note is in its hover text).
NOTE_CHARS = 28


def _broken(x: pd.Series, y: np.ndarray, segment: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A line that breaks between rebase segments: a NaN value after each segment (plotly
    leaves a gap there). Arrays, not lists, so plotly validates them in one step."""
    xs = np.asarray(x, dtype="datetime64[ns]")
    ys = np.asarray(y, dtype=float)
    ends = np.flatnonzero(np.diff(segment) != 0) + 1
    return np.insert(xs, ends, xs[ends - 1]), np.insert(ys, ends, np.nan)


def _symbol(point_type: str, direction: int) -> str:
    if point_type == PointType.COMMON:
        return "circle"
    return "triangle-up" if direction > 0 else "triangle-down"


def _layout(title: str, height: int, y_title: str, trial: bool) -> dict:
    """The SPC chart's one layout: the title at the top, the icons in their own row beneath
    it (so the two never collide on a narrow slide), the legend under the axis."""
    wrapped = wrap_title(title)
    layout = base_layout(wrapped, height=height + 21 * (title_lines(wrapped) - 2))
    layout["title"].update(title_position(wrapped))
    layout["margin"].update({"t": 20 + 21 * title_lines(wrapped) + ICON_ROW, "r": 30})
    layout["yaxis"]["title"] = {"text": y_title}
    layout["legend"] = {"orientation": "h", "y": -0.24 if trial else -0.15, "x": 0}
    layout["hovermode"] = "closest"
    if trial:
        # Under the axis, clear of the icons' row and the title.
        layout["xaxis"]["title"] = {
            "text": "Trial limits: fewer than 12 points, they will change as data arrive",
            "font": {"size": 11, "color": NHS_DARK_BLUE},
        }
    return layout


def _line(x, y, name: str, colour: str, value_format: str, **extra) -> dict:
    return {
        "type": "scatter",
        "x": x,
        "y": y,
        "mode": "lines",
        "name": name,
        "line": {"color": colour, "width": 1.5, **extra.pop("line", {})},
        "hovertemplate": f"{name}: %{{y:{value_format}}}<extra></extra>",
        **extra,
    }


def _limit_and_mean_traces(result: SPCResult, x: pd.Series, value_format: str) -> list[dict]:
    trial = bool(result.trial_limits)
    dash = "dot" if trial else "dash"
    traces = []
    for name, arr in (("Upper process limit", result.upl), ("Lower process limit", result.lpl)):
        xs, ys = _broken(x, arr, result.segment)
        upper = name.startswith("Upper")
        trace = _line(xs, ys, name, COLOURS["limit"], value_format, line={"dash": dash})
        if upper:
            trace["name"] = "Process limits" + (" (trial)" if trial else "")
        trace.update(legendgroup="limits", showlegend=upper)
        traces.append(trace)
    xs, ys = _broken(x, result.mean, result.segment)
    traces.append(_line(xs, ys, "Mean", COLOURS["mean"], value_format))
    traces.append(
        {
            "type": "scatter",
            "x": x,
            "y": result.values,
            "mode": "lines",
            "name": "Value",
            "showlegend": False,
            "line": {"color": NHS_MID_GREY, "width": 1.5},
            "hoverinfo": "skip",
        }
    )
    return traces


def _point_traces(result: SPCResult, x: pd.Series, labels: list[str], fmt: str) -> list[dict]:
    # Each distinct (rule, direction) and rule set is described once, not once per point.
    run = result.options.run_length
    descs = {
        key: rule_description(key[0], key[1], run)
        for key in set(zip(result.rule, result.direction.astype(int).tolist(), strict=True))
    }
    fired = {f: rule_names(f) for f in set(result.flags.astype(int).tolist())}
    hover_arr = np.array(
        [
            f"{labels[i]}<br>{descs[(rule, int(d))]}"
            + (f"<br>All rules that fired: {fired[int(f)]}" if ";" in fired[int(f)] else "")
            for i, (rule, d, f) in enumerate(
                zip(result.rule, result.direction, result.flags, strict=True)
            )
        ],
        dtype=object,
    )
    traces = []
    for ptype, (label, colour) in POINT_STYLE.items():
        idx = np.flatnonzero(result.point_type == ptype.value)
        if idx.size == 0:
            continue
        traces.append(
            {
                "type": "scatter",
                "x": x.iloc[idx],
                "y": result.values[idx],
                "mode": "markers",
                "name": label,
                "marker": {
                    "color": colour,
                    "size": 9,
                    "line": {"color": "white", "width": 0.5},
                    "symbol": [_symbol(ptype, int(result.direction[i])) for i in idx],
                },
                "customdata": hover_arr[idx],
                "hovertemplate": f"%{{y:{fmt}}}<br>%{{customdata}}<extra>{label}</extra>",
            }
        )
    return traces


def _plan_traces(plan_line, horizon_targets, fmt: str) -> list[dict]:
    traces = []
    if plan_line is not None and not plan_line.empty:
        traces.append(
            {
                "type": "scatter",
                "x": pd.to_datetime(plan_line.period),
                "y": plan_line.plan,
                "mode": "lines",
                "name": "Plan trajectory",
                "line": {"color": COLOURS["trajectory"], "dash": "dot"},
                "hovertemplate": f"Plan: %{{y:{fmt}}}<extra></extra>",
            }
        )
    if horizon_targets is not None and not horizon_targets.empty:
        traces.append(
            {
                "type": "scatter",
                "x": pd.to_datetime(horizon_targets.period),
                "y": horizon_targets.target,
                "mode": "markers+text",
                "name": "Plan target",
                "text": [f"Year {h}" for h in horizon_targets.horizon],
                "textposition": "top center",
                "marker": {"color": COLOURS["target"], "symbol": "diamond", "size": 11},
                "hovertemplate": f"Target: %{{y:{fmt}}}<extra>%{{text}}</extra>",
            }
        )
    return traces


def _vline(x: pd.Timestamp, colour: str, dash: str) -> dict:
    return {
        "type": "line",
        "xref": "x",
        "x0": x,
        "x1": x,
        "yref": "y domain",
        "y0": 0,
        "y1": 1,
        "line": {"color": colour, "dash": dash, "width": 1},
    }


def _target_line(target: float) -> tuple[dict, dict]:
    """A horizontal target line across the plot and its label, top left."""
    shape = {
        "type": "line",
        "xref": "x domain",
        "x0": 0,
        "x1": 1,
        "yref": "y",
        "y0": target,
        "y1": target,
        "line": {"color": COLOURS["target"], "dash": "dash"},
    }
    label = {
        "xref": "x domain",
        "x": 0,
        "yref": "y",
        "y": target,
        "text": "Target",
        "showarrow": False,
        "xanchor": "left",
        "yanchor": "bottom",
    }
    return shape, label


def _notes(notes: pd.DataFrame | None, result: SPCResult, reasons) -> tuple[list, list]:
    """Rebase lines with their reason on hover, and people's event notes (escaped)."""
    shapes, annotations = [], []
    for d in result.rebase_periods:
        when = pd.Timestamp(d)
        shapes.append(_vline(when, NHS_DARK_BLUE, "dash"))
        annotations.append(
            {
                "x": when,
                "y": 0,
                "yref": "paper",
                "text": f"Rebased {when:%b %Y}",
                "hovertext": safe(reasons.get(d, "")) or "Limits recalculated from here",
                "showarrow": False,
                "yanchor": "bottom",
                "xanchor": "left",
                "font": {"size": 10, "color": NHS_DARK_BLUE},
            }
        )
    if notes is None or notes.empty:
        return shapes, annotations
    for i, (period, text) in enumerate(zip(notes.period, notes.text, strict=True)):
        when = pd.Timestamp(period)
        shapes.append(_vline(when, NHS_MID_GREY, "dot"))
        annotations.append(
            {
                "x": when,
                "y": 1 - 0.07 * (i % 4),
                "yref": "paper",
                "text": f"✎ {safe(str(text)[:NOTE_CHARS])}",
                "hovertext": f"{day_label(when)}: {safe(text)}",
                "showarrow": False,
                "xanchor": "left",
                "yanchor": "top",
                "bgcolor": "rgba(255,255,255,0.85)",
                "font": {"size": 10, "color": NHS_DARK_BLUE},
            }
        )
    return shapes, annotations


def _icon(x: float, letter: str, colour: str, caption: str, hover: str) -> list[dict]:
    """A lettered icon and its words beside it (colour is never the only cue)."""
    common = {"xref": "paper", "yref": "paper", "showarrow": False, "xanchor": "right"}
    return [
        {
            **common,
            "x": x,
            "y": 1.02,
            "yanchor": "bottom",
            "text": f"<b>{letter}</b>",
            "font": {"size": 15, "color": "white"},
            "bgcolor": colour,
            "bordercolor": colour,
            "borderpad": 5,
            "hovertext": hover,
            "width": 26,
            "height": 26,
        },
        {
            **common,
            "x": x - 0.065,
            "y": 1.03,
            "yanchor": "bottom",
            "text": caption,
            "font": {"size": 11, "color": NHS_BLACK},
            "hovertext": hover,
        },
    ]


def _icons(result: SPCResult) -> list[dict]:
    """The variation and assurance icons with their letters and names, top right."""
    out: list[dict] = []
    v, a = result.variation_icon, result.assurance_icon
    if v is not None:
        x = 1.0 if a is None else 0.62
        label = VARIATION_LABEL[v]
        out += _icon(x, VARIATION_LETTER[v], variation_colour(v), label, label)
    if a is not None:
        label = ASSURANCE_LABEL[a]
        out += _icon(1.0, ASSURANCE_LETTER[a], assurance_colour(a), label.split(":")[0], label)
    return out


def spc_figure(
    result: SPCResult,
    *,
    title: str,
    y_title: str,
    value_format: str = ".1f",
    period_labels: list[str] | None = None,
    plan_line: pd.DataFrame | None = None,
    horizon_targets: pd.DataFrame | None = None,
    annotations: pd.DataFrame | None = None,
    rebase_reasons: dict | None = None,
    height: int = 460,
) -> go.Figure:
    """XmR chart with mean, process limits, coloured points, plan lines, notes and icons."""
    if result.empty:
        layout = base_layout(title, height=height)
        layout["yaxis"]["title"] = {"text": y_title}
        layout["annotations"] = [
            {
                "text": "No data",
                "showarrow": False,
                "x": 0.5,
                "y": 0.5,
                "xref": "paper",
                "yref": "paper",
            }
        ]
        return go.Figure({"data": [], "layout": layout})
    trial = bool(result.trial_limits)
    x = pd.Series(pd.to_datetime(result.periods))
    labels = period_labels or [d.strftime("%b %Y") for d in x]
    traces = [
        *_limit_and_mean_traces(result, x, value_format),
        *_point_traces(result, x, labels, value_format),
        *_plan_traces(plan_line, horizon_targets, value_format),
    ]
    shapes, notes = _notes(annotations, result, rebase_reasons or {})
    has_targets = horizon_targets is not None and not horizon_targets.empty
    if not has_targets and result.target is not None:
        shape, label = _target_line(result.target)
        shapes.insert(0, shape)
        notes.insert(0, label)
    layout = _layout(title, height, y_title, trial)
    layout["shapes"] = shapes
    layout["annotations"] = notes + _icons(result)
    return go.Figure({"data": traces, "layout": layout})
