"""Engagement charts: the influence/interest map, the events timeline and the coverage heatmap.

Data in (DataFrames from ``services.engagement``), plotly figure out. Each builder has a matching
``*_summary`` that says in words what the chart shows, for the text alternative.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta

import pandas as pd
import plotly.graph_objects as go

from nlf_planner.charts.theme import (
    CATEGORICAL,
    NHS_AQUA_GREEN,
    NHS_BLACK,
    NHS_BLUE,
    NHS_DARK_BLUE,
    NHS_DARK_GREY,
    NHS_DARK_PINK,
    NHS_ORANGE,
    NHS_PALE_GREY,
    NHS_PURPLE,
    NHS_WARM_YELLOW,
    NHS_WHITE,
    apply_layout,
)
from nlf_planner.engagement import (
    EVENT_TYPES,
    GRID_LINE,
    GROUPS,
    KEEP_INFORMED,
    KEEP_SATISFIED,
    MANAGE_CLOSELY,
    MONITOR,
    NATIONAL,
    NATIONAL_LABEL,
    QUADRANT_HELP,
    ReferenceCodes,
    default_reference,
    quadrant_counts,
)
from nlf_planner.periods import day_label

GROUP_SYMBOLS = dict(
    zip(
        GROUPS,
        ["square", "circle", "diamond", "star", "triangle-up", "hexagon", "cross", "pentagon"],
        strict=True,
    )
)
GROUP_COLOURS = dict(zip(GROUPS, CATEGORICAL, strict=True))
TYPE_SYMBOLS = dict(
    zip(
        EVENT_TYPES,
        ["circle", "diamond", "square", "star", "triangle-up", "hexagon"],
        strict=True,
    )
)
TYPE_COLOURS = {
    "visit": NHS_BLUE,
    "workshop": NHS_ORANGE,
    "roundtable": NHS_AQUA_GREEN,
    "event": NHS_DARK_PINK,
    "meeting": NHS_PURPLE,
    "survey": NHS_WARM_YELLOW,
}

MAP_TITLE = "Stakeholders by influence and interest (scores 1–5)"
TIMELINE_TITLE = "Engagement events and phases by date"
COVERAGE_TITLE = "Engagement events by priority area and region (number of events)"

# --- labels --------------------------------------------------------------------------------


def short_label(name: str, width: int = 18) -> str:
    """A compact label for crowded charts: a bracketed acronym if there is one, else a trim."""
    acronym = re.search(r"\(([A-Z][A-Za-z]{1,7})\)", name)
    if acronym:
        return acronym.group(1)
    name = name.replace("NHS Foundation Trust", "").replace("The ", "").strip()
    return name if len(name) <= width else name[: width - 1].rstrip() + "…"


def _trim(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _safe(text: object) -> str:
    """A person's text as plotly shows it: ``<`` and ``>`` escaped, so a name, title or note
    holding ``<a href=…>`` is shown as typed and never becomes a link or markup in a chart
    or in an HTML pack (plotly renders a few tags in text, hover and tick labels)."""
    return html.escape(str(text), quote=False)


# --- influence / interest map --------------------------------------------------------------


PER_COLUMN = 6  # stakeholders stacked in one column of a cell before a second column starts
LO, HI = 0.25, 5.75  # axis range: room above and below the points for the quadrant names


def _spread(stakeholders: pd.DataFrame) -> pd.DataFrame:
    """Stack stakeholders who share a cell in short columns, labels to the right, so none
    hides another; the cell's score stays readable from the axis (points stay within ±0.4)."""
    out = stakeholders.sort_values("name", key=lambda s: s.str.casefold()).copy()
    out["x"] = 0.0
    out["y"] = 0.0
    out["label_width"] = 18
    for _, cell in out.groupby(["interest", "influence"], sort=False):
        n = len(cell)
        cols = math.ceil(n / PER_COLUMN)
        rows = math.ceil(n / cols)
        step_y = 0.8 / rows
        for k, idx in enumerate(cell.index):
            c, r = divmod(k, rows)
            out.loc[idx, "x"] = cell.loc[idx, "interest"] - 0.32 + c * (0.76 / cols)
            out.loc[idx, "y"] = cell.loc[idx, "influence"] + 0.4 - step_y * (r + 0.5)
            out.loc[idx, "label_width"] = 18 if cols == 1 else 10
    return out


def _quadrant_backgrounds(fig: go.Figure) -> None:
    boxes = {
        MANAGE_CLOSELY: (GRID_LINE, HI, GRID_LINE, HI, "rgba(0,94,184,0.10)", "right", "top"),
        KEEP_SATISFIED: (LO, GRID_LINE, GRID_LINE, HI, "rgba(232,237,238,0.55)", "left", "top"),
        KEEP_INFORMED: (GRID_LINE, HI, LO, GRID_LINE, "rgba(232,237,238,0.55)", "right", "bottom"),
        MONITOR: (LO, GRID_LINE, LO, GRID_LINE, "rgba(255,255,255,0)", "left", "bottom"),
    }
    for name, (x0, x1, y0, y1, fill, xanchor, yanchor) in boxes.items():
        fig.add_shape(
            type="rect",
            x0=x0,
            x1=x1,
            y0=y0,
            y1=y1,
            fillcolor=fill,
            line={"width": 0},
            layer="below",
        )
        fig.add_annotation(
            x=x1 - 0.05 if xanchor == "right" else x0 + 0.05,
            y=y1 - 0.03 if yanchor == "top" else y0 + 0.03,
            xanchor=xanchor,
            yanchor=yanchor,
            showarrow=False,
            text=f"<b>{name.upper()}</b>",
            font={"size": 13, "color": NHS_DARK_BLUE if name == MANAGE_CLOSELY else NHS_DARK_GREY},
        )
    for kw in (
        {"x0": GRID_LINE, "x1": GRID_LINE, "y0": LO, "y1": HI},
        {"y0": GRID_LINE, "y1": GRID_LINE, "x0": LO, "x1": HI},
    ):
        fig.add_shape(
            type="line",
            line={"color": NHS_DARK_GREY, "width": 1.5, "dash": "dash"},
            layer="below",
            **kw,
        )


def influence_interest_map(
    stakeholders: pd.DataFrame, *, title: str = MAP_TITLE, labels: bool = True
) -> go.Figure:
    """Scatter of stakeholders: interest across, influence up, the four quadrants named.

    Needs columns name, group, interest, influence; uses group_label, region_name, quadrant,
    owner and next_step for hover text when present. One trace per group (colour and symbol).
    """
    fig = go.Figure()
    _quadrant_backgrounds(fig)
    if len(stakeholders):
        placed = _spread(stakeholders)
        for code, label in GROUPS.items():
            part = placed[placed["group"] == code]
            if part.empty:
                continue
            hover = [
                "<br>".join(
                    [
                        f"<b>{_safe(r['name'])}</b>",
                        f"Group: {label}",
                        f"Region: {_safe(r.get('region_name') or NATIONAL_LABEL)}",
                        f"Interest {int(r['interest'])} · influence {int(r['influence'])}",
                        f"Quadrant: {r.get('quadrant', '')}",
                        f"Owner: {_safe(r.get('owner') or 'not set')}",
                        f"Next step: {_safe(r.get('next_step') or 'not set')}",
                    ]
                )
                for _, r in part.iterrows()
            ]
            fig.add_trace(
                go.Scatter(
                    x=part["x"],
                    y=part["y"],
                    mode="markers+text" if labels else "markers",
                    name=label,
                    text=[
                        _safe(short_label(n, w))
                        for n, w in zip(part["name"], part["label_width"], strict=True)
                    ],
                    textposition="middle right",
                    textfont={"size": 10, "color": NHS_BLACK},
                    marker={
                        "symbol": GROUP_SYMBOLS[code],
                        "size": 9,
                        "color": GROUP_COLOURS[code],
                        "line": {"color": NHS_WHITE, "width": 1},
                    },
                    hovertext=hover,
                    hoverinfo="text",
                    customdata=part.get("stakeholder_id"),
                )
            )
    apply_layout(
        fig,
        title,
        height=680,
        x_title="Interest (1 = low, 5 = high)",
        y_title="Influence (1 = low, 5 = high)",
    )
    axis = {
        "range": [LO, HI],
        "tickvals": [1, 2, 3, 4, 5],
        "zeroline": False,
        "showgrid": False,
        "fixedrange": True,
    }
    fig.update_xaxes(**axis)
    fig.update_yaxes(**axis)
    fig.update_layout(
        legend={"title": {"text": "Group: "}, "orientation": "h", "y": -0.12, "x": 0},
        margin={"l": 70, "r": 20, "t": 60, "b": 90},
    )
    return fig


def map_summary(stakeholders: pd.DataFrame) -> str:
    """In words: how many stakeholders sit in each quadrant and who needs closest handling."""
    if stakeholders.empty:
        return "No stakeholders match the filter."
    counts = quadrant_counts(stakeholders)
    parts = [f"{n} {q.lower()}" for q, n in counts.items()]
    text = f"{len(stakeholders)} stakeholders: " + ", ".join(parts) + "."
    close = stakeholders
    if "quadrant" in close:
        close = close[close["quadrant"] == MANAGE_CLOSELY]
        top = close.sort_values(["influence", "interest"], ascending=False)["name"].head(5)
        if len(top):
            text += " Highest influence to manage closely: " + "; ".join(top) + "."
    text += (
        f" Scores of {int(GRID_LINE + 0.5)} or 5 count as high; "
        f"{MANAGE_CLOSELY.lower()} means {QUADRANT_HELP[MANAGE_CLOSELY]}."
    )
    return text


# --- events timeline -----------------------------------------------------------------------


def _as_date(value) -> date | None:
    if value is None or value is pd.NaT or pd.isna(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return pd.Timestamp(value).date()


def _period_text(start: date, end: date) -> str:
    """Short span text: 'Jun 2016', 'Apr–Jun 2016' or 'Jan 2017–Dec 2021'."""
    if (start.year, start.month) == (end.year, end.month):
        return f"{start:%b %Y}"
    if start.year == end.year:
        return f"{start:%b}–{end:%b %Y}"
    return f"{start:%b %Y}–{end:%b %Y}"


def timeline_rows(events: pd.DataFrame) -> pd.DataFrame:
    """One row per event with a readable y label, start, end and whether it is a phase."""
    rows = []
    for _, e in events.iterrows():
        start = _as_date(e["event_date"])
        end = _as_date(e.get("end_date"))
        phase = end is not None and end > start
        when = _period_text(start, end) if phase else day_label(start)
        rows.append(
            {
                "event_id": e.get("event_id"),
                # Two short lines keep the plot wide on a narrow screen.
                "label": f"{_safe(_trim(str(e['title']), 38))}<br>"
                f"<span style='color:{NHS_DARK_GREY}'>"
                f"{EVENT_TYPES.get(e['event_type'], '')}, {when}</span>",
                "start": start,
                "end": end if phase else start,
                "phase": phase,
                "event_type": e["event_type"],
                "title": e["title"],
                "stakeholders": e.get("stakeholders", ""),
                "priority_areas": e.get("priority_areas", ""),
                "region_name": e.get("region_name", NATIONAL_LABEL),
                "outcome": e.get("outcome") or "",
            }
        )
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    return out.sort_values(["start", "end", "title"]).reset_index(drop=True)


def _event_hover(r: Mapping) -> str:
    when = (
        f"{day_label(r['start'])} to {day_label(r['end'])}" if r["phase"] else day_label(r["start"])
    )
    lines = [
        f"<b>{_safe(r['title'])}</b>",
        f"{EVENT_TYPES.get(r['event_type'], r['event_type'])} · {when}",
        f"Region: {_safe(r['region_name'])}",
    ]
    if r["priority_areas"]:
        lines.append(f"Priority areas: {r['priority_areas']}")
    if r["stakeholders"]:
        lines.append(f"With: {_safe(_trim(str(r['stakeholders']), 90))}")
    if r["outcome"]:
        lines.append(_safe(_trim(str(r["outcome"]), 110)))
    return "<br>".join(lines)


def events_timeline(
    events: pd.DataFrame,
    *,
    title: str = TIMELINE_TITLE,
    x_range: tuple[date, date] | None = None,
) -> go.Figure:
    """Phases as bars, single-day events as markers; one row per event, earliest at the top.

    Colour and symbol follow the event type and the legend names it, so colour is never alone.
    """
    rows = timeline_rows(events)
    fig = go.Figure()
    labels = list(rows["label"]) if len(rows) else []
    for code, type_label in EVENT_TYPES.items():
        part = rows[rows["event_type"] == code] if len(rows) else rows
        if part.empty:
            continue
        colour = TYPE_COLOURS[code]
        phases = part[part["phase"]]
        points = part[~part["phase"]]
        if len(phases):
            starts = pd.to_datetime(phases["start"])
            ends = pd.to_datetime(phases["end"]) + timedelta(days=1)
            fig.add_trace(
                go.Bar(
                    y=phases["label"],
                    base=starts,
                    x=(ends - starts).dt.total_seconds() * 1000,
                    orientation="h",
                    name=type_label,
                    legendgroup=code,
                    marker={
                        "color": colour,
                        "opacity": 0.75,
                        "line": {"color": colour, "width": 1},
                    },
                    hovertext=[_event_hover(r) for _, r in phases.iterrows()],
                    hoverinfo="text",
                    width=0.55,
                    customdata=phases["event_id"],
                )
            )
        if len(points):
            fig.add_trace(
                go.Scatter(
                    y=points["label"],
                    x=pd.to_datetime(points["start"]),
                    mode="markers",
                    name=type_label,
                    legendgroup=code,
                    showlegend=phases.empty,
                    marker={
                        "symbol": TYPE_SYMBOLS[code],
                        "size": 13,
                        "color": colour,
                        "line": {"color": NHS_BLACK, "width": 1},
                    },
                    hovertext=[_event_hover(r) for _, r in points.iterrows()],
                    hoverinfo="text",
                    customdata=points["event_id"],
                )
            )
    apply_layout(fig, title, height=max(320, 150 + 38 * len(labels)), x_title="Date")
    fig.update_xaxes(type="date", showgrid=True, gridcolor=NHS_PALE_GREY)
    if x_range is not None:
        fig.update_xaxes(range=[pd.Timestamp(x_range[0]), pd.Timestamp(x_range[1])])
    fig.update_yaxes(
        categoryorder="array",
        categoryarray=labels,
        autorange="reversed",
        showgrid=False,
        automargin=True,
        title_text=None,
        tickfont={"size": 12, "color": NHS_BLACK},
    )
    fig.update_layout(
        barmode="overlay",
        # The legend sits under the dates: above the plot it wrapped into the title at 1024 px.
        legend={
            "title": {"text": "Type: "},
            "orientation": "h",
            "y": -90 / max(320, 150 + 38 * len(labels)),
            "yanchor": "top",
            "x": 0,
        },
        margin={"l": 20, "r": 20, "t": 70, "b": 130},
    )
    return fig


def timeline_summary(events: pd.DataFrame) -> str:
    """In words: how many events of each type, over what span, and the next one coming."""
    rows = timeline_rows(events)
    if rows.empty:
        return "No events in this window."
    counts = rows["event_type"].map(EVENT_TYPES).value_counts()
    kinds = ", ".join(f"{n} {k.lower()}{'s' if n != 1 else ''}" for k, n in counts.items())
    first, last = rows["start"].min(), rows["end"].max()
    phases = int(rows["phase"].sum())
    return (
        f"{len(rows)} events from {day_label(first)} to {day_label(last)}: {kinds}. "
        f"{phases} run over a period (bars); the rest are single days (markers)."
    )


# --- coverage heatmap ----------------------------------------------------------------------


def coverage_heatmap(
    matrix: pd.DataFrame, codes: ReferenceCodes | None = None, *, title: str = COVERAGE_TITLE
) -> go.Figure:
    """Area × region counts with the number in every cell; pale cells are the gaps."""
    codes = codes or default_reference()
    region_names = {**dict(codes.regions), NATIONAL: NATIONAL_LABEL}
    x = [region_names.get(c, c).replace(" / ", " /<br>") for c in matrix.columns]
    y = [f"{c} {_trim(codes.areas.get(c, ''), 40)}" for c in matrix.index]
    z = matrix.to_numpy()
    zmax = max(int(z.max()) if z.size else 0, 1)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=x,
            y=y,
            zmin=0,
            zmax=zmax,
            colorscale=[[0.0, NHS_WHITE], [0.0001, "#DCE9F6"], [1.0, NHS_BLUE]],
            texttemplate="%{z}",
            textfont={"size": 13},
            hovertemplate="%{y}<br>%{x}<br>%{z} events<extra></extra>",
            xgap=2,
            ygap=2,
            colorbar={"title": {"text": "Events"}},
        )
    )
    apply_layout(fig, title, height=470)
    fig.update_xaxes(side="top", tickangle=0, title_text=None)
    fig.update_yaxes(
        autorange="reversed",
        title_text=None,
        gridcolor=NHS_WHITE,
        tickfont={"size": 12, "color": NHS_BLACK},
    )
    fig.update_xaxes(tickfont={"size": 12, "color": NHS_BLACK})
    fig.update_layout(plot_bgcolor=NHS_PALE_GREY, margin={"l": 20, "r": 20, "t": 100, "b": 20})
    return fig


def coverage_summary(matrix: pd.DataFrame, codes: ReferenceCodes | None = None) -> str:
    """In words: total, the emptiest regions and areas (the gaps to close)."""
    codes = codes or default_reference()
    region_names = {**dict(codes.regions), NATIONAL: NATIONAL_LABEL}
    total = int(matrix.to_numpy().sum())
    if total == 0:
        return "No events are tagged with a priority area in this window: every cell is a gap."
    regional = matrix.drop(columns=[NATIONAL], errors="ignore")
    by_region = regional.sum(axis=0)
    empty_regions = [region_names[c] for c, n in by_region.items() if n == 0]
    by_area = matrix.sum(axis=1)
    thinnest = by_area.sort_values(kind="stable").head(2)
    gaps = int((matrix == 0).to_numpy().sum())
    text = (
        f"{total} area-tagged event counts across {matrix.shape[0]} priority areas; "
        f"{gaps} of {matrix.size} cells have no events."
    )
    if empty_regions:
        text += " Regions with no regional events: " + ", ".join(empty_regions) + "."
    text += (
        " Fewest events: "
        + "; ".join(f"{c} {codes.areas.get(c, '')} ({int(n)})" for c, n in thinnest.items())
        + "."
    )
    return text
