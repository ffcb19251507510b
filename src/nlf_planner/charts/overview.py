"""The framework as a driver diagram: ambition → five conditions → nine priority areas.

Built as one layout dict handed to ``go.Figure`` once (not a shape and an annotation added
one by one, each re-validating all the others): the diagram cost about 230 ms a rerun that
way (issue 12). The text is wrapped for the narrowest plot the app draws (the main column at
1024×768 with the sidebar open, :data:`DESIGN_WIDTH_PX`), so it stays inside its boxes on a
laptop and a projector (issue 18); :func:`box_fits` is the rule the tests check.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from html import escape

import plotly.graph_objects as go

from nlf_planner.charts.theme import (
    NHS_BLUE,
    NHS_DARK_BLUE,
    NHS_LIGHT_BLUE,
    NHS_MID_GREY,
    NHS_WHITE,
    base_layout,
)
from nlf_planner.models import Condition, PriorityArea

TITLE = "Driver diagram: the ambition, five conditions and nine priority areas"
HEIGHT_PX = 820
MARGIN = {"l": 10, "r": 10, "t": 50, "b": 10}
#: The narrowest plot width the diagram must fit: the main column at 1024×768.
DESIGN_WIDTH_PX = 560
FONT_PX = 12
#: Conservative widths for Arial at FONT_PX (bold letters and capitals are wider than
#: the average letter) and plotly's line spacing.
CHAR_PX = 0.55 * FONT_PX
LINE_PX = 1.35 * FONT_PX
X_RANGE = (-0.32, 2.52)
X_AMBITION, X_CONDITION, X_AREA = 0.0, 0.95, 2.0


@dataclass(frozen=True)
class Box:
    """One box of the diagram in data units, and its wrapped text lines (plain, unescaped)."""

    x: float
    y: float
    half_w: float
    half_h: float
    lines: tuple[str, ...]
    fill: str
    font_colour: str


#: Box half-widths per column (data units); rows are one unit apart.
AMBITION_HALF_W, CONDITION_HALF_W, AREA_HALF_W = 0.3, 0.46, 0.5
CONDITION_HALF_H, AREA_HALF_H = 0.46, 0.4


def _wrap_width(half_w: float) -> int:
    """Letters per line that fit a box ``2 * half_w`` wide on the narrowest plot."""
    return int((2 * half_w * _px_per_unit_x() - 8) // CHAR_PX)


def _lines(head: str, text: str, half_w: float) -> tuple[str, ...]:
    return tuple(textwrap.wrap(f"{head} {text}".strip(), _wrap_width(half_w)))


def _y_range(n_areas: int) -> tuple[float, float]:
    return (-0.6, n_areas - 0.4)


def boxes(conditions: list[Condition], areas: list[PriorityArea], ambition: str) -> list[Box]:
    """Every box: the ambition in the middle of the left column (as tall as its text), each
    condition level with the middle of its priority areas, the areas one to a row."""
    n_areas = len(areas)
    area_y = {a.code: n_areas - 1 - i for i, a in enumerate(areas)}
    amb_lines = ("Ambition", *textwrap.wrap(ambition, _wrap_width(AMBITION_HALF_W)))
    amb_half_h = (len(amb_lines) * LINE_PX + 16) / 2 / _px_per_unit_y(n_areas)
    out = [
        Box(
            X_AMBITION,
            (n_areas - 1) / 2,
            AMBITION_HALF_W,
            amb_half_h,
            amb_lines,
            NHS_DARK_BLUE,
            NHS_WHITE,
        )
    ]
    for c in conditions:
        ys = [area_y[a.code] for a in areas if a.condition_code == c.code]
        lines = _lines(c.code, c.name, CONDITION_HALF_W)
        y = sum(ys) / len(ys) if ys else 0.0
        out.append(
            Box(X_CONDITION, y, CONDITION_HALF_W, CONDITION_HALF_H, lines, NHS_BLUE, NHS_WHITE)
        )
    for a in areas:
        lines = _lines(a.code, a.name, AREA_HALF_W)
        out.append(
            Box(X_AREA, area_y[a.code], AREA_HALF_W, AREA_HALF_H, lines, NHS_LIGHT_BLUE, "#000000")
        )
    return out


def _px_per_unit_y(n_areas: int) -> float:
    lo, hi = _y_range(n_areas)
    return (HEIGHT_PX - MARGIN["t"] - MARGIN["b"]) / (hi - lo)


def _px_per_unit_x(width_px: float = DESIGN_WIDTH_PX) -> float:
    return (width_px - MARGIN["l"] - MARGIN["r"]) / (X_RANGE[1] - X_RANGE[0])


def box_fits(box: Box, n_areas: int, width_px: float = DESIGN_WIDTH_PX) -> bool:
    """Whether the box's text fits inside it on a plot ``width_px`` wide (with a little
    padding), by the conservative letter and line sizes above."""
    widest = max((len(line) for line in box.lines), default=0) * CHAR_PX + 8
    tallest = len(box.lines) * LINE_PX + 6
    return widest <= 2 * box.half_w * _px_per_unit_x(
        width_px
    ) and tallest <= 2 * box.half_h * _px_per_unit_y(n_areas)


def _text(box: Box) -> str:
    """The box's lines for plotly: escaped (names are data people can change), the code or
    'Ambition' in bold."""
    first, *rest = [escape(line, quote=False) for line in box.lines]
    head, _, tail = first.partition(" ")
    if box.x == X_AMBITION:
        head, tail = first, ""
    first_line = f"<b>{head}</b>" + (f" {tail}" if tail else "")
    return "<br>".join([first_line, *rest])


def _line(x0: float, y0: float, x1: float, y1: float) -> dict:
    return {
        "type": "line",
        "x0": x0,
        "y0": y0,
        "x1": x1,
        "y1": y1,
        "line": {"color": NHS_MID_GREY, "width": 1.5},
        "layer": "below",
    }


def driver_diagram(
    conditions: list[Condition], areas: list[PriorityArea], ambition: str
) -> go.Figure:
    """Boxes in three columns joined by lines; each priority area sits beside its condition."""
    n_areas = len(areas)
    all_boxes = boxes(conditions, areas, ambition)
    amb = all_boxes[0]
    cond_boxes = dict(zip((c.code for c in conditions), all_boxes[1:], strict=False))
    area_boxes = dict(zip((a.code for a in areas), all_boxes[1 + len(conditions) :], strict=False))
    shapes = [_line(amb.x + amb.half_w, amb.y, b.x - b.half_w, b.y) for b in cond_boxes.values()]
    for a in areas:
        c, b = cond_boxes.get(a.condition_code), area_boxes[a.code]
        if c is not None:
            shapes.append(_line(c.x + c.half_w, c.y, b.x - b.half_w, b.y))
    shapes += [
        {
            "type": "rect",
            "x0": b.x - b.half_w,
            "x1": b.x + b.half_w,
            "y0": b.y - b.half_h,
            "y1": b.y + b.half_h,
            "fillcolor": b.fill,
            "line": {"color": NHS_DARK_BLUE, "width": 1},
        }
        for b in all_boxes
    ]
    annotations = [
        {
            "x": b.x,
            "y": b.y,
            "text": _text(b),
            "showarrow": False,
            "font": {"color": b.font_colour, "size": FONT_PX},
            "align": "center",
        }
        for b in all_boxes
    ]
    # Invisible markers carry hover text (the full wording) for each box.
    hover = [
        f"{escape(c.code)}: {escape(c.name)}<br>Seed wording: {escape(c.seed_wording)}"
        for c in conditions
    ] + [
        f"{escape(a.code)}: {escape(a.name)}<br>"
        + "<br>".join(escape(line) for line in textwrap.wrap(a.actions, 60))
        for a in areas
    ]
    trace = {
        "type": "scatter",
        "x": [b.x for b in all_boxes[1:]],
        "y": [b.y for b in all_boxes[1:]],
        "mode": "markers",
        "marker": {"opacity": 0, "size": 30},
        "hovertext": hover,
        "hoverinfo": "text",
        "showlegend": False,
    }
    layout = base_layout(TITLE, height=HEIGHT_PX)
    layout.update(
        margin=MARGIN,
        shapes=shapes,
        annotations=annotations,
        xaxis={"visible": False, "range": list(X_RANGE), "fixedrange": True},
        yaxis={"visible": False, "range": list(_y_range(n_areas)), "fixedrange": True},
    )
    return go.Figure(data=[trace], layout=layout)
