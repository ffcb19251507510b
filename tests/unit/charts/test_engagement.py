"""Engagement charts: the figures carry the data, the quadrant names and readable labels."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from nlf_planner.charts import engagement as charts
from nlf_planner.engagement import (
    GRID_LINE,
    GROUPS,
    NATIONAL,
    QUADRANTS,
    add_quadrants,
    coverage_counts,
    default_reference,
)
from nlf_planner.engagement_seed import seed_events, seed_stakeholders


def _people() -> pd.DataFrame:
    rows = [{**s.model_dump(), "stakeholder_id": i + 1} for i, s in enumerate(seed_stakeholders())]
    return add_quadrants(pd.DataFrame(rows))


def _events() -> pd.DataFrame:
    rows = []
    for i, (e, names) in enumerate(seed_events()):
        d = e.model_dump()
        d["event_id"] = i + 1
        d["stakeholders"] = "; ".join(names)
        d["priority_areas"] = ", ".join(e.priority_areas)
        rows.append(d)
    return pd.DataFrame(rows)


def test_short_label_prefers_acronym_then_trims():
    assert charts.short_label("East London NHS Foundation Trust (ELFT)") == "ELFT"
    assert charts.short_label("National Voices") == "National Voices"
    long = charts.short_label("Great Ormond Street Hospital for Children", 12)
    assert len(long) == 12 and long.endswith("…")


def test_map_has_every_stakeholder_once_in_its_own_cell():
    people = _people()
    fig = charts.influence_interest_map(people)
    points = [t for t in fig.data if t.type == "scatter"]
    assert {t.name for t in points} == {GROUPS[g] for g in people["group"].unique()}
    ids = np.concatenate([np.asarray(t.customdata) for t in points])
    assert sorted(ids) == sorted(people["stakeholder_id"])
    by_id = people.set_index("stakeholder_id")
    for t in points:
        for x, y, sid in zip(t.x, t.y, t.customdata, strict=True):
            row = by_id.loc[sid]
            # Spread within the cell but never across a grid line or into another cell.
            assert abs(x - row.interest) <= 0.45 and abs(y - row.influence) <= 0.45
            assert (x > GRID_LINE) == (row.interest > GRID_LINE)
            assert (y > GRID_LINE) == (row.influence > GRID_LINE)


def test_map_points_do_not_overlap():
    fig = charts.influence_interest_map(_people())
    xy = [(round(x, 6), round(y, 6)) for t in fig.data for x, y in zip(t.x, t.y, strict=True)]
    assert len(xy) == len(set(xy))


def test_map_names_the_four_quadrants_and_axes():
    fig = charts.influence_interest_map(_people())
    texts = " ".join(a.text for a in fig.layout.annotations)
    for q in QUADRANTS:
        assert q.upper() in texts
    assert "Interest" in fig.layout.xaxis.title.text
    assert "Influence" in fig.layout.yaxis.title.text
    assert "1–5" in fig.layout.title.text


def test_map_of_nobody_still_draws_the_grid():
    fig = charts.influence_interest_map(_people().iloc[0:0])
    assert len(fig.data) == 0 and len(fig.layout.annotations) == 4
    assert charts.map_summary(_people().iloc[0:0]) == "No stakeholders match the filter."


def test_map_summary_counts_quadrants():
    people = _people()
    text = charts.map_summary(people)
    assert text.startswith(f"{len(people)} stakeholders")
    for q in QUADRANTS:
        n = int((people["quadrant"] == q).sum())
        assert f"{n} {q.lower()}" in text


def test_timeline_bars_for_phases_markers_for_days():
    events = _events()
    fig = charts.events_timeline(events)
    bars = [t for t in fig.data if t.type == "bar"]
    marks = [t for t in fig.data if t.type == "scatter"]
    n_phase = sum(1 for e, _ in seed_events() if e.is_phase)
    assert sum(len(t.y) for t in bars) == n_phase
    assert sum(len(t.y) for t in marks) == len(events) - n_phase
    labels = list(fig.layout.yaxis.categoryarray)
    assert len(labels) == len(events) and len(set(labels)) == len(labels)
    smith = next(lab for lab in labels if lab.startswith("Smith reference group"))
    assert "14 Jun 2016" in smith and "Workshop" in smith
    review = next(t for t in bars if "Continually review and refresh" in " ".join(t.y))
    i = list(review.y).index(next(y for y in review.y if "Continually" in y))
    assert pd.Timestamp(review.base[i]) == pd.Timestamp("2017-01-01")


def test_timeline_rows_are_in_date_order_and_window_applies():
    rows = charts.timeline_rows(_events())
    assert list(rows["start"]) == sorted(rows["start"])
    fig = charts.events_timeline(_events(), x_range=(date(2016, 3, 1), date(2017, 1, 31)))
    assert pd.Timestamp(fig.layout.xaxis.range[0]) == pd.Timestamp("2016-03-01")


def test_timeline_summary_and_empty():
    text = charts.timeline_summary(_events())
    assert text.startswith(f"{len(_events())} events from 1 Apr 2016")
    assert charts.timeline_summary(_events().iloc[0:0]) == "No events in this window."
    assert len(charts.events_timeline(_events().iloc[0:0]).data) == 0


@pytest.fixture
def matrix() -> pd.DataFrame:
    frame = pd.DataFrame(
        [
            (1, date(2016, 6, 14), None, "P1"),
            (2, date(2016, 6, 14), "E40000003", "P1"),
            (3, date(2016, 6, 14), "E40000003", "P1"),
        ],
        columns=["event_id", "event_date", "region_code", "priority_area"],
    )
    return coverage_counts(frame)


def test_heatmap_shows_counts_in_every_cell(matrix):
    fig = charts.coverage_heatmap(matrix)
    heat = fig.data[0]
    assert np.array_equal(np.asarray(heat.z), matrix.to_numpy())
    assert heat.texttemplate == "%{z}"
    assert list(heat.x)[-1].startswith("National")
    assert "London" in heat.x
    assert [y.split()[0] for y in heat.y] == list(default_reference().areas)
    assert "number of events" in fig.layout.title.text


def test_coverage_summary_names_gaps(matrix):
    text = charts.coverage_summary(matrix)
    assert text.startswith("3 area-tagged")
    assert "East" in text and "London" not in text.split("Regions with no regional events:")[1]
    zero = coverage_counts(
        pd.DataFrame(columns=["event_id", "event_date", "region_code", "priority_area"])
    )
    assert "every cell is a gap" in charts.coverage_summary(zero)
    assert NATIONAL in matrix.columns


HOSTILE = "<a href='http://127.0.0.1:9/x'>Mallory</a>"


def test_people_text_is_inert_in_map_hover_and_labels():
    """Plotly renders <a>, <b> and friends in text and hover: a name, owner or next step
    holding a link must be shown as typed, never become one."""
    people = _people()
    people.loc[0, ["name", "owner", "next_step"]] = [HOSTILE, HOSTILE, HOSTILE]
    fig = charts.influence_interest_map(people)
    shown = [
        str(v)
        for t in fig.data
        if t.type == "scatter"
        for v in [*(t.hovertext or ()), *(t.text or ())]
    ]
    assert any("&lt;a href=" in v for v in shown)
    assert not any("<a " in v for v in shown)


def test_event_text_is_inert_in_timeline_labels_and_hover():
    events = _events()
    events.loc[0, ["title", "outcome", "stakeholders"]] = [HOSTILE, HOSTILE, HOSTILE]
    fig = charts.events_timeline(events)
    shown = [str(v) for t in fig.data for v in [*(t.hovertext or ()), *t.y]]
    shown += [str(v) for v in fig.layout.yaxis.categoryarray]
    assert any("&lt;a href=" in v for v in shown)
    assert not any("<a " in v for v in shown)
