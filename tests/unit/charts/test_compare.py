"""Benchmark bars, funnel and spine figures: sorted, intervals drawn, comparison in words."""

from __future__ import annotations

import numpy as np
import pandas as pd

from nlf_planner.charts.compare import (
    TONE_COLOURS,
    benchmark_bars,
    funnel_plot,
    matrix_figure,
    spine_chart,
)
from nlf_planner.charts.theme import CONCERN, IMPROVEMENT
from nlf_planner.compare import benchmark_table, funnel_curve, funnel_table


def test_benchmark_bars_keep_the_sorted_order_and_draw_both_intervals():
    data = pd.DataFrame(
        {
            "geo_code": list("ABC"),
            "name": ["Alpha", "Beta", "Gamma"],
            "numerator": [600, 400, 505],
            "denominator": [1000] * 3,
            "value": [60.0, 40.0, 50.5],
        }
    )
    table = benchmark_table(data, england=50.0, polarity="higher_is_better", is_proportion=True)
    fig = benchmark_bars(table, england=50.0, title="M (%)", x_title="%")
    assert list(fig.layout.yaxis.categoryarray) == ["Beta", "Gamma", "Alpha"]
    bars = [t for t in fig.data if t.type == "bar"]
    assert {b.name for b in bars} == {
        "Better than England",
        "Worse than England",
        "Similar to England",
    }
    assert all(b.error_x.array is not None for b in bars)
    assert any(t.name == "99.8% interval" for t in fig.data)
    assert "England 50.0" in " ".join(a.text for a in fig.layout.annotations)


def test_funnel_plot_marks_better_worse_similar_with_colour_shape_and_words():
    pts = pd.DataFrame(
        {
            "name": ["A", "B", "C"],
            "region": ["R", "R", "S"],
            "numerator": [50, 300, 150],
            "denominator": [100, 1000, 1000],
        }
    )
    pts["value"] = pts.numerator / pts.denominator * 100
    # Three areas this far apart are overdispersed; chance-alone limits keep all three kinds.
    table, od = funnel_table(pts, benchmark=0.3, polarity="lower_is_better", method="none")
    fig = funnel_plot(
        table,
        funnel_curve(0.3, 100, 1000, od=od),
        england=30.0,
        title="f",
        highlight="R",
        chance=funnel_curve(0.3, 100, 1000),
    )
    assert list(fig.data[-1].text) == ["A", "B"] and fig.data[-1].name == "ICSs in R"
    assert fig.layout.xaxis.type == "log"
    points = {t.name: t for t in fig.data if t.mode == "markers"}  # not the labels
    assert set(points) == {
        "Worse than expected (above 99.8% limit)",  # A: 50% where lower is better
        "Better than expected (below 99.8% limit)",  # C: 15%
        "Similar to expected (within 99.8% limits)",  # B: 30%
    }
    worse = points["Worse than expected (above 99.8% limit)"]
    better = points["Better than expected (below 99.8% limit)"]
    assert (better.marker.color, worse.marker.color) == (IMPROVEMENT, CONCERN)
    symbols = {t.marker.symbol for t in points.values()}
    assert len(symbols) == 3  # a shape for each reading, not colour alone
    assert "Worse than expected" in worse.hovertemplate and "z =" in worse.hovertemplate
    lines = {t.name for t in fig.data if t.mode == "lines"}
    assert lines == {"95% limits", "99.8% limits", "99.8% limits for chance alone"}


def test_spine_chart_has_range_iqr_and_value_markers():
    profile = pd.DataFrame(
        {
            "measure_code": ["M01"],
            "measure": ["Thing"],
            "value": [60.0],
            "england": [50.0],
            "comparison": ["better"],
            "pos_worst": [0.1],
            "pos_q25": [0.3],
            "pos_q75": [0.6],
            "pos_best": [1.0],
            "pos_value": [0.8],
        }
    )
    fig = spine_chart(profile, title="s")
    assert fig.data[0].name.startswith("Range of peers")
    assert np.isclose(fig.data[0].base[0], 0.1)
    assert fig.data[2].name == "Better than England"
    assert list(fig.layout.xaxis.ticktext) == ["Worse", "England", "Better"]


def test_spine_chart_marks_worse_and_getting_worse_in_words() -> None:
    profile = pd.DataFrame(
        {
            "measure_code": ["M01", "M02"],
            "measure": ["Thing", "Other"],
            "value": [40.0, 55.0],
            "england": [50.0, 50.0],
            "comparison": ["worse", "better"],
            "pos_worst": [0.1, 0.1],
            "pos_q25": [0.3, 0.3],
            "pos_q75": [0.6, 0.6],
            "pos_best": [1.0, 1.0],
            "pos_value": [0.2, 0.8],
            "red_red": [True, False],
            "red_red_reason": ["significantly worse than England and <b>getting</b> worse", ""],
        }
    )
    fig = spine_chart(profile, title="s")
    worse = next(t for t in fig.data if t.name == "Worse than England")
    better = next(t for t in fig.data if t.name == "Better than England")
    assert worse.y[0].startswith("!! M01") and not better.y[0].startswith("!!")
    assert worse.customdata[0][2] == (
        "<br>!! Significantly worse than England and &lt;b&gt;getting&lt;/b&gt; worse"
    )
    assert better.customdata[0][2] == ""
    assert "%{customdata[2]}" in worse.hovertemplate


def test_matrix_figure_tiles_in_row_order_with_tone_and_hover():
    tile = pd.DataFrame({"P1": ["a", "b"], "P2": ["c", "d"]}, index=["England", "London"])
    tone = pd.DataFrame({"P1": ["england", "better"], "P2": ["england", "worse"]}, index=tile.index)
    fig = matrix_figure(tile, tone, tile, title="Rug")
    cells = fig.data[1]
    assert list(cells.text) == ["a", "c", "b", "d"]  # row by row, for drilling
    tones = list(TONE_COLOURS)
    z = fig.data[0].z
    assert tones[z[1][0]] == "better" and tones[z[1][1]] == "worse" and tones[z[0][0]] == "england"
    assert "London" in cells.hovertext[2]
    assert fig.layout.clickmode == "event+select"


def test_names_reach_plotly_escaped_and_headers_fit_narrow_columns():
    """Issue 15: a geography or measure name carrying plotly's HTML is shown as text; issue
    18: headers and tiles wrap so nine columns fit a 1024-pixel screen."""
    hostile = "<a href='http://127.0.0.1:9/'>Mallory</a>"
    tile = pd.DataFrame(
        {"P1 Compassionate and inclusive leadership": ["1 of 2 on plan"]}, index=[hostile]
    )
    tone = pd.DataFrame({tile.columns[0]: ["better"]}, index=tile.index)
    fig = matrix_figure(tile, tone, tile, title="Rug")
    assert "<a" not in fig.layout.yaxis.ticktext[0] and "&lt;a" in fig.layout.yaxis.ticktext[0]
    assert "<a" not in fig.data[1].hovertext[0]
    header = fig.layout.xaxis.ticktext[0]
    assert header.startswith("<b>P1</b><br>")
    assert all(len(line) <= 10 for line in header.split("<br>")[1:])
    assert fig.data[1].text[0] == "1 of 2<br>on plan"
    data = pd.DataFrame(
        {
            "geo_code": ["A", "B"],
            "name": [hostile, "Beta"],
            "numerator": [600, 400],
            "denominator": [1000, 1000],
            "value": [60.0, 40.0],
        }
    )
    table = benchmark_table(data, england=50.0, polarity="higher_is_better", is_proportion=True)
    bars = benchmark_bars(table, england=50.0, title="M (%)", x_title="%")
    names = [n for t in bars.data for n in (t.y if t.y is not None else [])]
    assert names and not any("<a" in n for n in names)
    assert any("&lt;a" in n for n in bars.layout.yaxis.categoryarray)
