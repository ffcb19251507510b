"""Roadmap: milestones on a timeline by priority area, horizons and today marked.

Status is shown by colour, marker shape, legend and the hover text, never colour alone.
Engagement events (from the engagement feature) can be overlaid on their own row.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from datetime import date
from html import escape as _html_escape

import pandas as pd
import plotly.graph_objects as go

from nlf_planner.charts.theme import (
    CONCERN,
    NHS_BLUE,
    NHS_DARK_BLUE,
    NHS_DARK_GREY,
    NHS_MID_GREY,
    NHS_PURPLE,
    NHS_WARM_YELLOW,
    apply_layout,
    base_layout,
)
from nlf_planner.plan import (
    HORIZONS,
    STATUS_LABELS,
    STATUSES,
    Milestone,
    base_date,
    fy_label,
    horizon_end,
    is_past_due,
)

STATUS_STYLE: dict[str, tuple[str, str]] = {
    "done": (NHS_DARK_BLUE, "diamond"),
    "on_track": (NHS_BLUE, "circle"),
    "at_risk": (NHS_WARM_YELLOW, "triangle-up"),
    "off_track": (CONCERN, "x"),
    "not_started": (NHS_MID_GREY, "circle-open"),
}
EVENTS_ROW = "Engagement events"
LABEL_CHARS = 30
#: Row labels wrap at this many letters over up to three lines, so the left margin stays
#: narrow enough for the timeline to keep most of a 1024 px page.
AREA_LABEL_CHARS = 22
AREA_MARGIN_PX = 175
#: Letters per line of a chart title that must fit the main column at 1024 px.
TITLE_CHARS = 58


def escape(text: object) -> str:
    """People's text (titles, owners, names) made inert for plotly, which reads a small HTML
    subset (``<a href>``) in text and hover: ``<``, ``>`` and ``&`` become entities."""
    return _html_escape(str(text), quote=False)


def _day(d: date) -> str:
    """A day as the app writes it everywhere: "1 Dec 2026"."""
    return f"{d.day} {d:%b %Y}"


def _short(text: str, n: int = LABEL_CHARS) -> str:
    text = str(text)
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _area_label(code: str, name: str) -> str:
    """Code and name, wrapped over at most two lines so the row labels stay readable."""
    lines = textwrap.wrap(f"{code} {name}", AREA_LABEL_CHARS)
    if len(lines) > 3:
        lines = [*lines[:2], _short(" ".join(lines[2:]), AREA_LABEL_CHARS)]
    return "<br>".join(escape(line) for line in lines)


def roadmap_data(
    milestones: Sequence[Milestone], area_names: Mapping[str, str], today: date
) -> pd.DataFrame:
    """The rows the roadmap plots (and the CSV behind it)."""
    rows = [
        {
            "priority_area": m.priority_area,
            "area_name": area_names.get(m.priority_area, m.priority_area),
            "item_id": m.item_id,
            "title": m.title,
            "horizon": m.horizon,
            "due_date": m.due_date,
            "status": STATUS_LABELS[m.status],
            "status_code": m.status,
            "past_due": is_past_due(m, today),
            "owner": m.owner,
        }
        for m in milestones
        if m.due_date is not None
    ]
    cols = [
        "priority_area",
        "area_name",
        "item_id",
        "title",
        "horizon",
        "due_date",
        "status",
        "status_code",
        "past_due",
        "owner",
    ]
    df = pd.DataFrame(rows, columns=cols).sort_values(["priority_area", "due_date"])
    # Alternate labels above and below the markers along each row so neighbours do not clash.
    df["label_position"] = [
        "top center" if i % 2 == 0 else "bottom center"
        for i in df.groupby("priority_area").cumcount()
    ]
    return df.reset_index(drop=True)


def roadmap_summary(data: pd.DataFrame, base_year: int, today: date) -> str:
    """A plain-English text alternative for the chart."""
    if data.empty:
        return "No milestones with due dates to show."
    counts = data["status"].value_counts()
    parts = [
        f"{counts[STATUS_LABELS[s]]} {STATUS_LABELS[s].lower()}"
        for s in STATUSES
        if STATUS_LABELS[s] in counts
    ]
    late = int(data["past_due"].sum())
    nxt = data[
        (pd.to_datetime(data["due_date"]).dt.date >= today) & (data["status_code"] != "done")
    ]
    text = (
        f"{len(data)} milestones across {data['priority_area'].nunique()} priority areas for the "
        f"plan based in {fy_label(base_year)}: " + ", ".join(parts) + "."
    )
    if late:
        text += f" {late} open milestone{'s are' if late != 1 else ' is'} past due."
    if not nxt.empty:
        first = nxt.sort_values("due_date").iloc[0]
        text += (
            f" Next due: “{first['title']}” ({first['priority_area']}) on "
            f"{_day(first['due_date'])}."
        )
    return text


def roadmap_figure(
    milestones: Sequence[Milestone],
    area_names: Mapping[str, str],
    base_year: int,
    today: date,
    events: pd.DataFrame | None = None,
    title: str | None = None,
    label_by: str = "title",
) -> go.Figure:
    """Timeline of milestones by priority area (rows), coloured and shaped by status.

    ``events`` (optional) has ``event_date`` (or ``date``) and ``title`` columns, and may have
    ``event_type``; they are drawn on their own row so the engagement page can reuse this.
    ``label_by="id"`` marks each milestone with its short ID instead of its title (the title
    stays in the hover and the table beside the chart): at 1024 px the titles of
    milestones a few months apart overlap. People's text is escaped for plotly.
    """
    data = roadmap_data(milestones, area_names, today)
    rows = [_area_label(c, n) for c, n in area_names.items()]
    if events is not None and not events.empty:
        rows = [EVENTS_ROW, *rows]
    fig = go.Figure()
    for status in STATUSES:
        sub = data[data["status_code"] == status]
        if sub.empty:
            continue
        colour, symbol = STATUS_STYLE[status]
        labels = [_area_label(a, area_names.get(a, a)) for a in sub["priority_area"]]
        positions = sub["label_position"].tolist()
        fig.add_trace(
            go.Scatter(
                x=pd.to_datetime(sub["due_date"]),
                y=labels,
                mode="markers+text",
                cliponaxis=False,
                name=STATUS_LABELS[status],
                text=[
                    escape(_short(t)) if label_by == "title" else escape(i)
                    for t, i in zip(sub["title"], sub["item_id"], strict=True)
                ],
                textposition=positions,
                textfont={"size": 11, "color": NHS_DARK_GREY},
                marker={
                    "color": colour,
                    "symbol": symbol,
                    "size": 14,
                    "line": {"color": colour, "width": 2},
                },
                customdata=[
                    [escape(v) for v in row]
                    for row in zip(
                        sub["title"], sub["owner"], sub["status"], sub["item_id"], strict=True
                    )
                ],
                hovertemplate=(
                    "<b>%{customdata[0]}</b><br>Due %{x|%-d %b %Y} · %{customdata[2]}"
                    "<br>Owner: %{customdata[1]}<br>%{customdata[3]}<extra></extra>"
                ),
            )
        )
    late = data[data["past_due"]]
    if not late.empty:
        fig.add_trace(
            go.Scatter(
                x=pd.to_datetime(late["due_date"]),
                y=[_area_label(a, area_names.get(a, a)) for a in late["priority_area"]],
                mode="markers",
                name="Past due (open)",
                marker={
                    "symbol": "circle-open",
                    "size": 26,
                    "color": CONCERN,
                    "line": {"width": 3, "color": CONCERN},
                },
                hoverinfo="skip",
            )
        )
    if events is not None and not events.empty:
        _add_events(fig, events)
    _mark_horizons(fig, base_year, today)
    fig.update_yaxes(
        categoryorder="array",
        categoryarray=list(reversed(rows)),
        autorange=True,
        showgrid=True,
        title_text=None,
    )
    start, end = base_date(base_year), horizon_end(base_year, 5)
    lo = min([start, *(pd.to_datetime(data["due_date"]).dt.date.tolist())])
    hi = max([end, *(pd.to_datetime(data["due_date"]).dt.date.tolist())])
    fig.update_xaxes(
        range=[
            pd.Timestamp(lo) - pd.Timedelta(days=150),
            pd.Timestamp(hi) + pd.Timedelta(days=150),
        ],
        title_text=f"Due date (plan starts {_day(base_date(base_year))}, grey line)",
        type="date",
    )
    default_title = (
        f"Roadmap: milestones by priority area, plan based in {fy_label(base_year)} "
        "(1, 3 and 5-year horizons)"
    )
    apply_layout(
        fig,
        title or "<br>".join(textwrap.wrap(default_title, TITLE_CHARS)),
        height=max(420, 70 * len(rows) + 170),
    )
    fig.update_layout(
        legend={"orientation": "h", "y": -0.12, "x": 0, "title": {"text": "Status: "}},
        margin={"l": AREA_MARGIN_PX, "r": 30, "t": 95, "b": 90},
    )
    return fig


def _mark_horizons(fig: go.Figure, base_year: int, today: date) -> None:
    fig.add_vline(
        x=pd.Timestamp(base_date(base_year)).to_pydatetime(), line_color=NHS_MID_GREY, line_width=1
    )
    for h in HORIZONS:
        d = pd.Timestamp(horizon_end(base_year, h))
        fig.add_vline(
            x=d.to_pydatetime(), line_color=NHS_DARK_BLUE, line_width=1.5, line_dash="dot"
        )
        fig.add_annotation(
            x=d,
            y=1.0,
            yref="paper",
            yanchor="bottom",
            showarrow=False,
            xanchor="right",
            text=f"Year {h} ends {d:%b %Y}",
            font={"size": 11, "color": NHS_DARK_BLUE},
        )
    t = pd.Timestamp(today)
    fig.add_vline(x=t.to_pydatetime(), line_color=CONCERN, line_width=2, line_dash="dash")
    fig.add_annotation(
        x=t,
        y=0.0,
        yref="paper",
        yanchor="bottom",
        showarrow=False,
        xanchor="left",
        bgcolor="rgba(255,255,255,0.85)",
        text=f"Today {_day(today)}",
        font={"size": 11, "color": CONCERN},
    )


def _add_events(fig: go.Figure, events: pd.DataFrame) -> None:
    col = "event_date" if "event_date" in events.columns else "date"
    ev = events.dropna(subset=[col])
    kinds = (
        [escape(k) for k in ev["event_type"].astype(str)]
        if "event_type" in ev.columns
        else [""] * len(ev)
    )
    fig.add_trace(
        go.Scatter(
            x=pd.to_datetime(ev[col]),
            y=[EVENTS_ROW] * len(ev),
            mode="markers+text",
            name="Engagement event",
            text=[escape(_short(t, 24)) for t in ev["title"]],
            textposition=["top center" if i % 2 == 0 else "bottom center" for i in range(len(ev))],
            textfont={"size": 10, "color": NHS_PURPLE},
            marker={"symbol": "star", "size": 13, "color": NHS_PURPLE},
            customdata=[[escape(t), k] for t, k in zip(ev["title"], kinds, strict=True)],
            hovertemplate="<b>%{customdata[0]}</b><br>%{x|%-d %b %Y} · %{customdata[1]}"
            "<extra></extra>",
        )
    )


def trajectory_figure(
    measure_name: str,
    unit_label: str,
    history: pd.DataFrame,
    line: pd.DataFrame,
    targets: Mapping[int, float],
    base_year: int,
    geo_name: str = "England",
) -> go.Figure:
    """History, the derived plan line and the 1/3/5-year targets for one measure.

    ``history`` has ``period, value``; ``line`` has ``period, plan`` (from
    :func:`nlf_planner.plan.plan_line_for_series`). Built as one layout dict and trace
    dicts in a single ``go.Figure`` call (issue 12: the ``update_*`` chain cost more than
    the rest of the Plan page's rerun).
    """
    traces: list[dict] = []
    if not history.empty:
        traces.append(
            {
                "type": "scatter",
                "x": pd.to_datetime(history["period"]),
                "y": history["value"],
                "mode": "lines+markers",
                "name": f"{escape(geo_name)} (recorded)",
                "line": {"color": NHS_DARK_GREY, "width": 2},
                "marker": {"size": 4},
            }
        )
    if not line.empty:
        traces.append(
            {
                "type": "scatter",
                "x": pd.to_datetime(line["period"]),
                "y": line["plan"],
                "mode": "lines",
                "name": "Plan line",
                "line": {"color": NHS_BLUE, "width": 3, "dash": "dash"},
            }
        )
    hs = [h for h in HORIZONS if h in targets]
    if hs:
        traces.append(
            {
                "type": "scatter",
                "x": [pd.Timestamp(horizon_end(base_year, h)) for h in hs],
                "y": [targets[h] for h in hs],
                "mode": "markers+text",
                "name": "Targets",
                "text": [f"Year {h}: {targets[h]:g}" for h in hs],
                "textposition": "top center",
                "marker": {"symbol": "diamond", "size": 12, "color": NHS_DARK_BLUE},
                "cliponaxis": False,
            }
        )
    # Wrapped over two lines: one line is cut off in a 1024 px page's main column.
    title = f"{measure_name}: {geo_name} history and plan line to year 5 ({unit_label})"
    layout = base_layout(
        "<br>".join(escape(line) for line in textwrap.wrap(title, TITLE_CHARS)), height=400
    )
    layout["margin"] = {**layout["margin"], "t": 80}
    layout["yaxis"] = {**layout["yaxis"], "title": {"text": escape(unit_label)}}
    layout["legend"] = {"orientation": "h", "y": -0.18, "x": 0}
    return go.Figure(data=traces, layout=layout)


def trajectory_summary(
    measure_name: str, unit_label: str, baseline: float, targets: Mapping[int, float]
) -> str:
    parts = [f"year {h} {targets[h]:g}" for h in HORIZONS if h in targets]
    return (
        f"{measure_name}: the plan line starts at the baseline of {round(baseline, 2):g} "
        f"{unit_label} and "
        f"runs through the targets ({', '.join(parts)})."
    )
