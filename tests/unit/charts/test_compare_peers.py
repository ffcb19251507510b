"""The peers' aggregate on the benchmark bars and the funnel: a dotted line at its value, a
band for its interval, a label naming the group (escaped), members ringed, the home starred."""

from __future__ import annotations

import pandas as pd

from nlf_planner.charts.compare import PEER_COLOUR, benchmark_bars, funnel_plot
from nlf_planner.compare import benchmark_table, funnel_curve, funnel_table

PEERS = {"name": "<i>Like</i> us", "value": 45.0, "low": 42.0, "high": 48.0,
         "members": ("B", "C"), "home": "A"}  # fmt: skip


def _data() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "geo_code": list("ABCD"),
            "name": ["Alpha", "Beta", "Gamma", "Delta"],
            "region": ["R"] * 4,
            "numerator": [600, 400, 505, 300],
            "denominator": [1000] * 4,
            "value": [60.0, 40.0, 50.5, 30.0],
        }
    )


def test_bars_draw_the_aggregate_its_band_members_and_home():
    table = benchmark_table(_data(), england=50.0, polarity="higher_is_better", is_proportion=True)
    fig = benchmark_bars(table, england=50.0, title="M (%)", x_title="%", peers=PEERS)
    shapes = fig.layout.shapes
    line = [s for s in shapes if s.type == "line" and s.line.dash == "dot"]
    band = [s for s in shapes if s.type == "rect"]
    assert len(line) == 1 and line[0].x0 == 45.0 and line[0].line.color == PEER_COLOUR
    assert len(band) == 1 and (band[0].x0, band[0].x1) == (42.0, 48.0)
    label = [a.text for a in fig.layout.annotations if "aggregate" in a.text]
    assert label == ["‘&lt;i&gt;Like&lt;/i&gt; us’ peers' aggregate 45.0"]
    rings = next(t for t in fig.data if t.name and t.name.startswith("Peer in"))
    assert sorted(rings.y) == ["Beta", "Gamma"]
    home = next(t for t in fig.data if t.name == "Home area of the peer group")
    assert list(home.y) == ["Alpha"] and home.marker.symbol == "star"
    plain = benchmark_bars(table, england=50.0, title="M (%)", x_title="%")
    assert len(plain.layout.shapes) == 1  # England only, without a peer group


def test_no_interval_draws_no_band_and_no_value_draws_no_line():
    table = benchmark_table(_data(), england=50.0, polarity="higher_is_better", is_proportion=True)
    no_band = {**PEERS, "low": float("nan"), "high": float("nan")}
    fig = benchmark_bars(table, england=50.0, title="M", x_title="%", peers=no_band)
    assert [s.type for s in fig.layout.shapes] == ["line", "line"]
    empty = {**PEERS, "value": float("nan")}
    fig = benchmark_bars(table, england=50.0, title="M", x_title="%", peers=empty)
    assert [s.type for s in fig.layout.shapes] == ["line"]


def test_funnel_marks_the_aggregate_and_rings_the_members():
    pts, od = funnel_table(_data(), benchmark=0.5, polarity="higher_is_better")
    curve = funnel_curve(0.5, 900, 1100, od=od)
    fig = funnel_plot(pts, curve, england=50.0, title="F", peers=PEERS)
    line = [s for s in fig.layout.shapes if s.type == "line" and s.line.dash == "dot"]
    assert len(line) == 1 and line[0].y0 == 45.0
    assert any("peers' aggregate 45.0%" in a.text for a in fig.layout.annotations)
    rings = next(t for t in fig.data if t.name and t.name.startswith("Peer in"))
    assert sorted(rings.text) == ["Beta", "Gamma"]
    home = next(t for t in fig.data if t.name == "Home area of the peer group")
    assert list(home.text) == ["Alpha"]
