"""The framework as a driver diagram: ambition → five conditions → nine priority areas."""

from __future__ import annotations

import textwrap

import plotly.graph_objects as go

from nlf_planner.charts.theme import (
    NHS_BLUE,
    NHS_DARK_BLUE,
    NHS_LIGHT_BLUE,
    NHS_MID_GREY,
    NHS_WHITE,
    apply_layout,
)
from nlf_planner.models import Condition, PriorityArea


def _wrap(text: str, width: int) -> str:
    return "<br>".join(textwrap.wrap(text, width))


def driver_diagram(
    conditions: list[Condition], areas: list[PriorityArea], ambition: str
) -> go.Figure:
    """Boxes in three columns joined by lines; each priority area sits beside its condition."""
    fig = go.Figure()
    n_areas = len(areas)
    area_y = {a.code: n_areas - 1 - i for i, a in enumerate(areas)}
    cond_y = {}
    for c in conditions:
        ys = [area_y[a.code] for a in areas if a.condition_code == c.code]
        cond_y[c.code] = sum(ys) / len(ys) if ys else 0.0
    amb_y = (n_areas - 1) / 2
    x_amb, x_cond, x_area = 0.0, 1.0, 2.0

    for c in conditions:
        fig.add_shape(
            type="line",
            x0=x_amb + 0.32,
            y0=amb_y,
            x1=x_cond - 0.38,
            y1=cond_y[c.code],
            line={"color": NHS_MID_GREY, "width": 1.5},
            layer="below",
        )
    for a in areas:
        fig.add_shape(
            type="line",
            x0=x_cond + 0.38,
            y0=cond_y[a.condition_code],
            x1=x_area - 0.45,
            y1=area_y[a.code],
            line={"color": NHS_MID_GREY, "width": 1.5},
            layer="below",
        )

    def box(
        x: float, y: float, text: str, fill: str, font_colour: str, half_w: float, half_h: float
    ) -> None:
        fig.add_shape(
            type="rect",
            x0=x - half_w,
            x1=x + half_w,
            y0=y - half_h,
            y1=y + half_h,
            fillcolor=fill,
            line={"color": NHS_DARK_BLUE, "width": 1},
        )
        fig.add_annotation(
            x=x,
            y=y,
            text=text,
            showarrow=False,
            font={"color": font_colour, "size": 12},
            align="center",
        )

    box(
        x_amb,
        amb_y,
        "<b>Ambition</b><br>" + _wrap(ambition, 28),
        NHS_DARK_BLUE,
        NHS_WHITE,
        0.32,
        1.6,
    )
    for c in conditions:
        box(
            x_cond,
            cond_y[c.code],
            f"<b>{c.code}</b> " + _wrap(c.name, 34),
            NHS_BLUE,
            NHS_WHITE,
            0.38,
            0.42,
        )
    for a in areas:
        box(
            x_area,
            area_y[a.code],
            f"<b>{a.code}</b> " + _wrap(a.name, 40),
            NHS_LIGHT_BLUE,
            "#000000",
            0.45,
            0.42,
        )

    # Invisible markers carry hover text (the full wording) for each box.
    fig.add_trace(
        go.Scatter(
            x=[x_cond] * len(conditions) + [x_area] * n_areas,
            y=[cond_y[c.code] for c in conditions] + [area_y[a.code] for a in areas],
            mode="markers",
            marker={"opacity": 0, "size": 30},
            hovertext=[f"{c.code}: {c.name}<br>Seed wording: {c.seed_wording}" for c in conditions]
            + [f"{a.code}: {a.name}<br>{_wrap(a.actions, 60)}" for a in areas],
            hoverinfo="text",
            showlegend=False,
        )
    )
    apply_layout(
        fig, "Driver diagram: the ambition, five conditions and nine priority areas", height=620
    )
    fig.update_xaxes(visible=False, range=[-0.4, 2.5])
    fig.update_yaxes(visible=False, range=[-0.7, n_areas - 0.3])
    fig.update_layout(margin={"l": 10, "r": 10, "t": 50, "b": 10})
    return fig
