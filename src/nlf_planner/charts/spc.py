"""The Making Data Count SPC chart: data (an SPCResult) in, plotly figure out.

Points are coloured and shaped by type (improvement blue, concern orange, neutral purple,
common-cause grey; triangles point the way of the signal), hover text names the rule that
fired, limits break at rebases, and the icons carry letters so colour is never the only cue.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from nlf_planner.charts.theme import NHS_DARK_BLUE, NHS_MID_GREY, apply_layout
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


def _broken(x: pd.Series, y: np.ndarray, segment: np.ndarray) -> tuple[list, list]:
    """A line that breaks between rebase segments (None gaps)."""
    xs: list = []
    ys: list = []
    for s in np.unique(segment):
        idx = np.flatnonzero(segment == s)
        xs.extend(list(x.iloc[idx]) + [None])
        ys.extend(list(y[idx]) + [None])
    return xs, ys


def _symbol(point_type: str, direction: int) -> str:
    if point_type == PointType.COMMON:
        return "circle"
    return "triangle-up" if direction > 0 else "triangle-down"


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
    fig = go.Figure()
    if result.empty:
        apply_layout(fig, title, height=height, y_title=y_title)
        fig.add_annotation(
            text="No data", showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper"
        )
        return fig
    frame = result.to_frame()
    x = frame.period
    labels = period_labels or [d.strftime("%b %Y") for d in x]
    trial = bool(result.trial_limits)
    limit_dash = "dot" if trial else "dash"
    for name, arr in (("Upper process limit", result.upl), ("Lower process limit", result.lpl)):
        xs, ys = _broken(x, arr, result.segment)
        upper = name.startswith("Upper")
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                name=("Process limits" + (" (trial)" if trial else "")) if upper else name,
                line={"color": COLOURS["limit"], "dash": limit_dash, "width": 1.5},
                hovertemplate=f"{name}: %{{y:{value_format}}}<extra></extra>",
                legendgroup="limits",
                showlegend=upper,
            )
        )
    xs, ys = _broken(x, result.mean, result.segment)
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=ys,
            mode="lines",
            name="Mean",
            line={"color": COLOURS["mean"], "width": 1.5},
            hovertemplate=f"Mean: %{{y:{value_format}}}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=result.values,
            mode="lines",
            name="Value",
            showlegend=False,
            line={"color": NHS_MID_GREY, "width": 1.5},
            hoverinfo="skip",
        )
    )
    hover = []
    for i in range(result.n):
        desc = rule_description(result.rule[i], int(result.direction[i]), result.options.run_length)
        others = rule_names(int(result.flags[i]))
        also = f"<br>All rules that fired: {others}" if ";" in others else ""
        hover.append(f"{labels[i]}<br>{desc}{also}")
    hover_arr = np.array(hover, dtype=object)
    for ptype, (label, colour) in POINT_STYLE.items():
        idx = np.flatnonzero(result.point_type == ptype.value)
        if idx.size == 0:
            continue
        fig.add_trace(
            go.Scatter(
                x=x.iloc[idx],
                y=result.values[idx],
                mode="markers",
                name=label,
                marker={
                    "color": colour,
                    "size": 9,
                    "line": {"color": "white", "width": 0.5},
                    "symbol": [_symbol(ptype, int(result.direction[i])) for i in idx],
                },
                customdata=hover_arr[idx],
                hovertemplate=f"%{{y:{value_format}}}<br>%{{customdata}}<extra>{label}</extra>",
            )
        )
    if plan_line is not None and not plan_line.empty:
        fig.add_trace(
            go.Scatter(
                x=pd.to_datetime(plan_line.period),
                y=plan_line.plan,
                mode="lines",
                name="Plan trajectory",
                line={"color": COLOURS["trajectory"], "dash": "dot"},
                hovertemplate=f"Plan: %{{y:{value_format}}}<extra></extra>",
            )
        )
    if horizon_targets is not None and not horizon_targets.empty:
        fig.add_trace(
            go.Scatter(
                x=pd.to_datetime(horizon_targets.period),
                y=horizon_targets.target,
                mode="markers+text",
                name="Plan target",
                text=[f"Year {h}" for h in horizon_targets.horizon],
                textposition="top center",
                marker={"color": COLOURS["target"], "symbol": "diamond", "size": 11},
                hovertemplate=f"Target: %{{y:{value_format}}}<extra>%{{text}}</extra>",
            )
        )
    elif result.target is not None:
        fig.add_hline(
            y=result.target,
            line={"color": COLOURS["target"], "dash": "dash"},
            annotation_text="Target",
            annotation_position="top left",
        )
    _add_notes(fig, annotations, result, rebase_reasons or {})
    _add_icons(fig, result)
    apply_layout(fig, title, height=height, y_title=y_title)
    fig.update_layout(
        legend={"orientation": "h", "y": -0.15, "x": 0},
        margin={"t": 120, "r": 30},
        hovermode="closest",
        # The title sits at the top of the figure, the icons in their own row beneath it,
        # so the two never collide on a narrow slide.
        title={"yref": "container", "y": 0.96, "yanchor": "top"},
    )
    if trial:
        # Under the axis, clear of the icons' row and the title.
        fig.update_xaxes(
            title_text="Trial limits: fewer than 12 points, they will change as data arrive",
            title_font={"size": 11, "color": NHS_DARK_BLUE},
        )
        fig.update_layout(legend={"y": -0.24})
    return fig


def _add_notes(fig: go.Figure, notes: pd.DataFrame | None, result: SPCResult, reasons) -> None:
    for d in result.rebase_periods:
        reason = reasons.get(d, "")
        fig.add_vline(
            x=pd.Timestamp(d).timestamp() * 1000,
            line={"color": NHS_DARK_BLUE, "dash": "dash", "width": 1},
        )
        fig.add_annotation(
            x=pd.Timestamp(d),
            y=0,
            yref="paper",
            text=f"Rebased {pd.Timestamp(d):%b %Y}",
            hovertext=reason or "Limits recalculated from here",
            showarrow=False,
            yanchor="bottom",
            xanchor="left",
            font={"size": 10, "color": NHS_DARK_BLUE},
        )
    if notes is None or notes.empty:
        return
    for i, (_, n) in enumerate(notes.iterrows()):
        fig.add_vline(
            x=pd.Timestamp(n.period).timestamp() * 1000,
            line={"color": NHS_MID_GREY, "dash": "dot", "width": 1},
        )
        fig.add_annotation(
            x=pd.Timestamp(n.period),
            y=1 - 0.07 * (i % 4),
            yref="paper",
            text=f"✎ {str(n.text)[:28]}",
            hovertext=f"{n.period:%d %b %Y}: {n.text}",
            showarrow=False,
            xanchor="left",
            yanchor="top",
            bgcolor="rgba(255,255,255,0.85)",
            font={"size": 10, "color": NHS_DARK_BLUE},
        )


def _icon(fig: go.Figure, x: float, letter: str, colour: str, caption: str, hover: str) -> None:
    fig.add_annotation(
        x=x,
        y=1.02,
        xref="paper",
        yref="paper",
        showarrow=False,
        xanchor="right",
        yanchor="bottom",
        text=f"<b>{letter}</b>",
        font={"size": 15, "color": "white"},
        bgcolor=colour,
        bordercolor=colour,
        borderpad=5,
        hovertext=hover,
        width=26,
        height=26,
    )
    fig.add_annotation(
        x=x - 0.065,
        y=1.03,
        xref="paper",
        yref="paper",
        showarrow=False,
        xanchor="right",
        yanchor="bottom",
        text=caption,
        font={"size": 11, "color": "#231F20"},
        hovertext=hover,
    )


def _add_icons(fig: go.Figure, result: SPCResult) -> None:
    """The variation and assurance icons with their letters and names, top right."""
    v = result.variation_icon
    if v is not None:
        _icon(
            fig,
            1.0 if result.assurance_icon is None else 0.62,
            VARIATION_LETTER[v],
            variation_colour(v),
            VARIATION_LABEL[v],
            VARIATION_LABEL[v],
        )
    a = result.assurance_icon
    if a is not None:
        _icon(
            fig,
            1.0,
            ASSURANCE_LETTER[a],
            assurance_colour(a),
            ASSURANCE_LABEL[a].split(":")[0],
            ASSURANCE_LABEL[a],
        )
