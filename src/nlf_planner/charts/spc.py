"""The Making Data Count SPC chart: data (an SPCResult) in, plotly figure out.

Points are coloured and shaped by type (improvement blue, concern orange, neutral purple,
common-cause grey; triangles point the way of the signal), hover text names the rule that
fired, limits break at rebases, and the icons carry letters so colour is never the only cue.

Built cheaply (issue 12): every trace, shape and annotation is a plain dict and the layout
one dict, validated once by ``go.Figure``; no ``add_*``/``update_*`` chains. People's text
(notes, rebase reasons) is escaped for plotly's HTML subset (``labels.safe``), so
``<a href=…>`` typed into a note shows as text, never as a link (issue 15); the title is
wrapped to fit a 1024-pixel screen (issue 18).

Issue 17: a point's hover says why it is special cause and since when
(:func:`nlf_planner.spc_points.why`); each segment's upper limit, mean and lower limit are
labelled at its last point (the latest segment's in the right margin, earlier ones inside
the plot), stacked so no two labels overlap at 1024 px; the framework's launch is a dotted
line; a fixed baseline is a shaded band and its limits are labelled "fixed"; a segment on
fewer than 12 points says "Trial limits: N points"; a p or p′ chart names itself in the
legend and draws its per-point limits as steps. Label placement estimates pixels from the
layout's size (:class:`_Canvas`), a few arithmetic steps, no rendering.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from nlf_planner.charts.labels import safe, title_lines, title_position, wrap_title
from nlf_planner.charts.theme import (
    NHS_BLACK,
    NHS_DARK_BLUE,
    NHS_DARK_GREY,
    NHS_MID_GREY,
    base_layout,
)
from nlf_planner.periods import FRAMEWORK_LAUNCH, day_label
from nlf_planner.periods import label as period_label
from nlf_planner.spc import (
    ASSURANCE_LABEL,
    ASSURANCE_LETTER,
    COLOURS,
    TRIAL_POINTS,
    VARIATION_LABEL,
    VARIATION_LETTER,
    ChartType,
    PointType,
    SPCResult,
    assurance_colour,
    variation_colour,
)
from nlf_planner.spc_points import why

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
#: The plot area's width at the narrowest screen the charts must read at (1024 px with the
#: sidebar open: the Regions chart is 564 px wide there), what label placement assumes.
PLOT_WIDTH = 470
#: Right margin that holds the latest segment's limit labels ("Upper limit" over its value).
LABEL_MARGIN = 78
#: Font size of limit, launch and baseline labels, and the pixels a character and a line
#: of it take (Arial at 10 px, generously).
LABEL_FONT = 10
CHAR_PX = 5.6
LINE_PX = 13
#: Pixels between the rows of labels along the top of the plot.
TOP_ROW_PX = 15
LAUNCH_TEXT = f"Framework launched ({FRAMEWORK_LAUNCH:%b %Y})"
BASELINE_FILL = "rgba(0, 94, 184, 0.08)"  # NHS Blue, faint


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


@dataclass(frozen=True)
class _Segment:
    """One rebase segment: its first and last positions, how many points its limits rest
    on, whether they are fixed on a baseline, and whether they are trial limits."""

    first: int
    last: int
    base_points: int
    fixed: bool
    trial: bool


def _segments(result: SPCResult) -> list[_Segment]:
    seg = result.segment
    firsts = np.flatnonzero(np.concatenate([[True], seg[1:] != seg[:-1]]))
    lasts = np.concatenate([firsts[1:] - 1, [result.n - 1]])
    base = np.cumsum(np.concatenate([[0], result.in_baseline.astype(np.int64)]))
    return [
        _Segment(
            first=int(f),
            last=int(t),
            base_points=int(base[t + 1] - base[f]),
            fixed=bool(result.fixed[f]),
            trial=bool(result.trial[t]),
        )
        for f, t in zip(firsts.tolist(), lasts.tolist(), strict=True)
    ]


class _Canvas:
    """Where things land in pixels on the narrowest screen (1024 px, sidebar open), from
    the data's ranges and the layout's size: enough to keep labels apart without drawing."""

    def __init__(
        self,
        xs: list[np.ndarray],
        ys: list[np.ndarray],
        width: float,
        height: float,
        right_text: bool = False,
    ):
        x = np.unique(
            np.concatenate([np.asarray(v, dtype="datetime64[D]").astype(float) for v in xs])
        )
        y = np.concatenate([np.asarray(v, dtype=float).ravel() for v in ys])
        y = y[np.isfinite(y)]
        # Half a period either side (or 1% of the span), so edge points are not cut; 5% on
        # the right when text is centred on the last point (a horizon target's "Year 5").
        step = float(np.median(np.diff(x))) / 2 if x.size > 1 else 15.0
        pad = max(step, (x[-1] - x[0]) * 0.01)
        right = max(pad, (x[-1] - x[0]) * 0.05) if right_text else pad
        self.x0, self.x1 = float(x[0] - pad), float(x[-1] + right)
        lo, hi = (float(y.min()), float(y.max())) if y.size else (0.0, 1.0)
        pad = (hi - lo) * 0.06 or max(abs(hi), 1.0) * 0.06
        # Twice that on top when a horizon target's "Year 5" sits above its marker.
        self.y0, self.y1 = lo - pad, hi + (2 * pad if right_text else pad)
        self.width, self.height = width, max(height, 120.0)

    def x_range(self) -> list[str]:
        """The x axis's range, set rather than left to plotly: its autorange would widen
        the axis to hold the labels, which belong in the margin."""
        return [str(np.datetime64(round(v), "D")) for v in (self.x0, self.x1)]

    def y_range(self) -> list[float]:
        """The y axis's range, set for the same reason, so labels land where placed."""
        return [self.y0, self.y1]

    def px_x(self, day: np.datetime64) -> float:
        span = (self.x1 - self.x0) or 1.0
        return (float(np.datetime64(day, "D").astype(float)) - self.x0) / span * self.width

    def px_y(self, value: float) -> float:
        return (value - self.y0) / ((self.y1 - self.y0) or 1.0) * self.height


@dataclass
class _Boxes:
    """Label boxes already placed (pixels: left, right, bottom, top); :meth:`place` finds
    the smallest vertical shift that keeps a new box clear of all of them and, when
    ``ceiling`` is given, below it (the labels along the top of the plot)."""

    placed: list[tuple[float, float, float, float]]
    ceiling: float | None = None

    def place(
        self, box: tuple[float, float, float, float], prefer: int, one_way: bool = False
    ) -> float:
        """The shift (pixels, up positive) for ``box``: the smallest either way, trying
        ``prefer``'s way first; with ``one_way``, every shift that way before any the other
        (so an upper limit's label never drops below the mean's)."""
        left, right, bottom, top = box
        steps = range(16)
        if one_way:
            candidates = [prefer * k for k in steps] + [-prefer * k for k in steps[1:]]
        else:
            candidates = [0] + [sign * k for k in steps[1:] for sign in (prefer, -prefer)]
        for step in candidates:
            shift = step * LINE_PX / 2
            b, t = bottom + shift, top + shift
            if shift > 0 and self.ceiling is not None and t > self.ceiling:
                continue
            if all(
                right <= pl or left >= pr or t <= pb or b >= pt for pl, pr, pb, pt in self.placed
            ):
                self.placed.append((left, right, b, t))
                return shift
        self.placed.append(box)
        return 0.0


def _fmt(value: float, value_format: str) -> str:
    try:
        return f"{value:{value_format}}"
    except ValueError:
        return f"{value:.1f}"


def _points(n: int) -> str:
    return "1 point" if n == 1 else f"{n} points"


def _text_px(text: str) -> float:
    return max(len(line) for line in text.split("<br>")) * CHAR_PX + 8


def _layout(title: str, height: int, y_title: str, trial_points: int | None) -> dict:
    """The SPC chart's one layout: the title at the top, the icons in their own row beneath
    it (so the two never collide on a narrow slide), the legend under the axis."""
    wrapped = wrap_title(title)
    layout = base_layout(wrapped, height=height + 21 * (title_lines(wrapped) - 2))
    layout["title"].update(title_position(wrapped))
    layout["margin"].update({"t": 20 + 21 * title_lines(wrapped) + ICON_ROW, "r": 30})
    layout["yaxis"]["title"] = {"text": y_title}
    trial = trial_points is not None
    layout["legend"] = {"orientation": "h", "y": -0.24 if trial else -0.15, "x": 0}
    layout["hovermode"] = "closest"
    if trial:
        # Under the axis, clear of the icons' row and the title.
        layout["xaxis"]["title"] = {
            "text": f"Trial limits: the latest limits rest on {_points(trial_points)}, fewer "
            f"than {TRIAL_POINTS}; they will change as data arrive",
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


def _limits_name(result: SPCResult) -> str:
    name = "Process limits"
    if result.chart_type != ChartType.XMR:
        name += f" ({result.chart_label})"
    if result.trial_limits:
        name += " (trial)"
    return name


def _limit_and_mean_traces(result: SPCResult, x: pd.Series, value_format: str) -> list[dict]:
    trial = bool(result.trial_limits)
    line = {"dash": "dot" if trial else "dash"}
    if result.chart_type != ChartType.XMR:
        line["shape"] = "hvh"  # each period's own limits, as steps centred on the point
    traces = []
    for name, arr in (("Upper process limit", result.upl), ("Lower process limit", result.lpl)):
        xs, ys = _broken(x, arr, result.segment)
        upper = name.startswith("Upper")
        trace = _line(xs, ys, name, COLOURS["limit"], value_format, line=dict(line))
        if upper:
            trace["name"] = _limits_name(result)
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


def _hover_lines(sentence: str) -> str:
    """A reason broken into lines where it reads best: after the meaning, before "since",
    before "also" (each line under about 75 characters, far cheaper than wrapping)."""
    return (
        sentence.replace(": ", ":<br>", 1)
        .replace(" since ", "<br>since ")
        .replace("; also ", ";<br>also ")
    )


def _hover_texts(result: SPCResult, labels: list[str], fmt: str) -> np.ndarray:
    """Per point: its period and value, and why it is (or is not) special cause since when;
    for a p or p′ chart, the point's own limits too (they vary with each period's
    denominator). One string a point: plotly validates a flat array far faster."""
    sentences = why(result, labels)
    varying = result.chart_type != ChartType.XMR
    out = np.empty(result.n, dtype=object)
    wrapped: dict[str, str] = {}  # many points share a sentence; break each once
    for i, sentence in enumerate(sentences):
        if sentence not in wrapped:
            wrapped[sentence] = _hover_lines(safe(sentence))
        text = f"{safe(labels[i])}: <b>{_fmt(result.values[i], fmt)}</b><br>{wrapped[sentence]}"
        if varying and np.isfinite(result.upl[i]):
            text += (
                f"<br>Limits here: {_fmt(result.lpl[i], fmt)} to {_fmt(result.upl[i], fmt)}"
                f"<br>({result.chart_label}: limits vary with each period's denominator)"
            )
        out[i] = text
    return out


def _point_traces(result: SPCResult, x: pd.Series, labels: list[str], fmt: str) -> list[dict]:
    hover_arr = _hover_texts(result, labels, fmt)
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
                "hovertemplate": f"%{{customdata}}<extra>{label}</extra>",
                "hoverlabel": {"align": "left"},
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


def _label(x, y: float, text: str, **extra) -> dict:
    return {
        "x": x,
        "y": y,
        "xref": "x",
        "yref": "y",
        "text": text,
        "showarrow": False,
        "font": {"size": LABEL_FONT, "color": NHS_DARK_GREY},
        "bgcolor": "rgba(255,255,255,0.8)",
        "borderpad": 1,
        **extra,
    }


def _limit_labels(
    result: SPCResult,
    x: pd.Series,
    segments: list[_Segment],
    canvas: _Canvas,
    fmt: str,
    taken: list[tuple[float, float, float, float]],
) -> tuple[list[dict], bool]:
    """Each segment's upper limit, mean and lower limit at its last point, and "Trial
    limits: N points" under them when the limits rest on fewer than 12 points. The latest
    segment's labels sit right of its last point (in the right margin when that point ends
    the axis; True is returned then, so the margin is made room for); earlier ones inside
    the plot, right-aligned at the segment's end, above the upper limit and mean, below the
    lower limit. Every label is moved up or down until it overlaps none before it nor
    ``taken`` (the labels along the top)."""
    boxes = _Boxes(list(taken), ceiling=canvas.height + LINE_PX)
    out: list[dict] = []
    in_margin = False
    varying = result.chart_type != ChartType.XMR
    hover = (
        f"At the segment's last point. {result.chart_label}: the limits vary with each "
        "period's denominator"
        if varying
        else f"Limits of the {result.chart_label}"
    )
    if result.chart_type_note:
        hover += f". {result.chart_type_note}"
    for seg in segments:
        last = seg.last
        when = x.iloc[last]
        px = canvas.px_x(result.periods[last])
        latest = seg is segments[-1]
        fixed = " (fixed)" if seg.fixed else ""
        # The mean first, then the limits pushed away from it, so the three keep their order.
        rows = [
            ("Mean", result.mean[last], "", 1),
            ("Upper limit", result.upl[last], fixed, 1),
            ("Lower limit", result.lpl[last], fixed, -1),
        ]
        below = result.lpl[last]
        for name, value, suffix, prefer in rows:
            if not np.isfinite(value):
                continue
            sep = "<br>" if latest else " "
            text = f"{name}{sep}{_fmt(float(value), fmt)}{suffix}"
            width, height = _text_px(text), LINE_PX * (2 if latest else 1)
            py = canvas.px_y(float(value))
            if latest:
                box = (px + 6, px + 6 + width, py - height / 2, py + height / 2)
                anchor = {"xanchor": "left", "yanchor": "middle", "xshift": 6}
                in_margin |= box[1] > canvas.width
            elif prefer > 0:
                box = (px - width, px, py, py + height)
                anchor = {"xanchor": "right", "yanchor": "bottom"}
            else:
                box = (px - width, px, py - height, py)
                anchor = {"xanchor": "right", "yanchor": "top"}
            shift = boxes.place(box, prefer, one_way=name != "Mean")
            out.append(_label(when, float(value), text, yshift=shift, hovertext=hover, **anchor))
        # The latest segment's trial limits are said under the axis (the layout's x title),
        # where a second label in the margin would sit on top of it.
        if seg.trial and not latest and np.isfinite(result.lpl[last]):
            sep = "<br>" if latest else " "
            text = f"Trial limits:{sep}{_points(seg.base_points)}"
            width, height = _text_px(text), LINE_PX * (2 if latest else 1)
            py = canvas.px_y(float(below)) - LINE_PX * (1 if latest else 1.2)
            left = px + 6 if latest else px - width
            shift = boxes.place((left, left + width, py - height, py), -1, one_way=True)
            anchor = {"xanchor": "left", "xshift": 6} if latest else {"xanchor": "right"}
            out.append(
                _label(
                    when,
                    float(below),
                    f"<i>{text}</i>",
                    yanchor="top",
                    yshift=shift - LINE_PX * (1 if latest else 1.2),
                    hovertext=f"The limits rest on {_points(seg.base_points)}, fewer than "
                    f"{TRIAL_POINTS}: they will change as data arrive",
                    font={"size": LABEL_FONT, "color": NHS_DARK_BLUE},
                    **anchor,
                )
            )
    return out, in_margin


class _TopRows:
    """Labels along the top of the plot (the launch, baselines, people's notes), each put
    in the first row where it overlaps no label before it; one that would run past the
    plot's right edge is drawn to the left of its date instead."""

    def __init__(self, canvas: _Canvas):
        self.canvas = canvas
        self.rows: list[list[tuple[float, float]]] = []

    def boxes(self) -> list[tuple[float, float, float, float]]:
        """Every label's box in pixels (left, right, bottom, top), for the limit labels to
        keep clear of."""
        top = self.canvas.height
        return [
            (a, b, top - TOP_ROW_PX * (k + 1), top - TOP_ROW_PX * k)
            for k, taken in enumerate(self.rows)
            for a, b in taken
        ]

    def _row(self, span: tuple[float, float]) -> int:
        for k, taken in enumerate(self.rows):
            if all(span[1] <= a or span[0] >= b for a, b in taken):
                taken.append(span)
                return k
        self.rows.append([span])
        return len(self.rows) - 1

    def label(self, day, text: str, hover: str, colour: str = NHS_DARK_BLUE) -> dict:
        at = self.canvas.px_x(np.datetime64(pd.Timestamp(day).date(), "D"))
        width = _text_px(text)
        right = at + width > self.canvas.width
        span = (at - width, at) if right else (at, at + width)
        return {
            "x": pd.Timestamp(day),
            "y": 1,
            "xref": "x",
            "yref": "paper",
            "text": text,
            "hovertext": hover,
            "showarrow": False,
            "xanchor": "right" if right else "left",
            "yanchor": "top",
            "yshift": -TOP_ROW_PX * self._row(span),
            "bgcolor": "rgba(255,255,255,0.85)",
            "font": {"size": LABEL_FONT, "color": colour},
        }


def _launch(result: SPCResult, rows: _TopRows) -> tuple[list[dict], list[dict]]:
    """A dotted line at the framework's launch, when it falls inside the chart's dates."""
    launch = np.datetime64(FRAMEWORK_LAUNCH, "D")
    if not (result.periods[0] <= launch <= result.periods[-1]):
        return [], []
    when = pd.Timestamp(FRAMEWORK_LAUNCH)
    label = rows.label(
        when,
        LAUNCH_TEXT,
        "Developing People – Improving Care, the national framework, was published in "
        f"{period_label(FRAMEWORK_LAUNCH, 'monthly')}",
        NHS_DARK_GREY,
    )
    return [_vline(when, NHS_DARK_GREY, "dot")], [label]


def _baselines(
    result: SPCResult, x: pd.Series, segments: list[_Segment], rows: _TopRows
) -> tuple[list[dict], list[dict]]:
    """A faint band over the points each fixed segment's limits come from, labelled."""
    shapes, labels = [], []
    days = np.asarray(x, dtype="datetime64[ns]")
    step = np.median(np.diff(days)) / 2 if days.size > 1 else np.timedelta64(15, "D")
    for seg in segments:
        if not seg.fixed:
            continue
        idx = seg.first + np.flatnonzero(result.in_baseline[seg.first : seg.last + 1])
        if idx.size == 0:
            continue
        x0, x1 = pd.Timestamp(days[idx[0]] - step), pd.Timestamp(days[idx[-1]] + step)
        shapes.append(
            {
                "type": "rect",
                "xref": "x",
                "x0": x0,
                "x1": x1,
                "yref": "y domain",
                "y0": 0,
                "y1": 1,
                "fillcolor": BASELINE_FILL,
                "line": {"width": 0},
                "layer": "below",
            }
        )
        n = idx.size
        labels.append(
            rows.label(
                x0,
                f"Baseline: limits fixed on these {n} points",
                f"The limits from {x.iloc[idx[0]]:%b %Y} on come from these {n} points; "
                "later points are judged against them",
            )
        )
    return shapes, labels


def _notes(
    notes: pd.DataFrame | None, result: SPCResult, reasons, rows: _TopRows
) -> tuple[list, list]:
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
    for period, text in zip(notes.period, notes.text, strict=True):
        when = pd.Timestamp(period)
        shapes.append(_vline(when, NHS_MID_GREY, "dot"))
        annotations.append(
            rows.label(
                when, f"✎ {safe(str(text)[:NOTE_CHARS])}", f"{day_label(when)}: {safe(text)}"
            )
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


def _canvas(result, plan_line, horizon_targets, notes, layout) -> _Canvas:
    xs = [result.periods]
    if notes is not None and not notes.empty:
        xs.append(pd.to_datetime(notes.period).to_numpy().astype("datetime64[D]"))
    ys = [result.values, result.upl, result.lpl, result.mean]
    if result.target is not None:
        ys.append(np.array([result.target], dtype=float))
    for frame, column in ((plan_line, "plan"), (horizon_targets, "target")):
        if frame is not None and not frame.empty:
            xs.append(pd.to_datetime(frame.period).to_numpy().astype("datetime64[D]"))
            ys.append(frame[column].to_numpy(dtype=float))
    margin = layout["margin"]
    # The legend and axis title take about 90 px under the plot.
    targets = horizon_targets is not None and not horizon_targets.empty
    return _Canvas(xs, ys, PLOT_WIDTH, layout["height"] - margin["t"] - 90, right_text=targets)


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
    """The SPC chart (XmR, p or p′): mean and process limits labelled per segment, coloured
    points whose hover says why, plan lines, the launch, baselines, notes and icons."""
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
    segments = _segments(result)
    x = pd.Series(pd.to_datetime(result.periods))
    labels = period_labels or [d.strftime("%b %Y") for d in x]
    traces = [
        *_limit_and_mean_traces(result, x, value_format),
        *_point_traces(result, x, labels, value_format),
        *_plan_traces(plan_line, horizon_targets, value_format),
    ]
    latest = segments[-1]
    layout = _layout(title, height, y_title, latest.base_points if latest.trial else None)
    canvas = _canvas(result, plan_line, horizon_targets, annotations, layout)
    rows = _TopRows(canvas)
    launch_shapes, top = _launch(result, rows)
    band_shapes, band_labels = _baselines(result, x, segments, rows)
    shapes, notes = _notes(annotations, result, rebase_reasons or {}, rows)
    limit_labels, in_margin = _limit_labels(result, x, segments, canvas, value_format, rows.boxes())
    has_targets = horizon_targets is not None and not horizon_targets.empty
    if not has_targets and result.target is not None:
        shape, label = _target_line(result.target)
        shapes.insert(0, shape)
        notes.insert(0, label)
    if in_margin:
        layout["margin"]["r"] = LABEL_MARGIN
    layout["xaxis"]["range"] = canvas.x_range()
    layout["yaxis"]["range"] = canvas.y_range()
    layout["shapes"] = _iso(band_shapes + launch_shapes + shapes)
    layout["annotations"] = _iso(notes + top + band_labels + limit_labels + _icons(result))
    return go.Figure({"data": traces, "layout": layout})


def _iso(items: list[dict]) -> list[dict]:
    """Dates of shapes and annotations as ISO text: plotly validates a string far faster
    than a timestamp, and reads it the same on a date axis."""
    for item in items:
        for key in ("x", "x0", "x1"):
            value = item.get(key)
            if isinstance(value, pd.Timestamp):
                item[key] = value.isoformat()
    return items
