"""Pack geometry that needs no browser: table columns keep whole words, chart images keep
their edge labels (issue 18: "Mileston es", "Headlin e", "outh East")."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from nlf_planner.export.images import MIN_SIDE_MARGIN, _image_spec
from nlf_planner.export.layout import Box, column_weights, font_size, longest_word, words_fit


def _plan_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Area": ["P1", "P2"],
            "Milestones": ["3", "12"],
            "Headline": ["On track", "Past due"],
            "Notes": ["A long sentence about what the board should know " * 2, "Short"],
        }
    )


def test_a_column_is_never_narrower_than_its_longest_word() -> None:
    data = _plan_table()
    assert longest_word(data, "Milestones") == len("Milestones")
    box = Box(0, 0, 12.4, 3.0)
    size = font_size(data, box)
    assert words_fit(data, box.width, size)
    widths = [box.width * w for w in column_weights(data)]
    # At the chosen size, "Milestones" in bold fits its column (less the cell padding).
    assert len("Milestones") * size * 0.56 / 72 <= widths[1] - 0.1


def test_narrow_tables_step_the_type_down_rather_than_break_words() -> None:
    data = _plan_table()
    narrow = Box(0, 0, 3.0, 6.0)
    size = font_size(data, narrow)
    assert size < font_size(data, Box(0, 0, 12.4, 6.0))
    assert words_fit(data, narrow.width, size) or size == 7


def test_chart_images_grow_margins_for_their_labels() -> None:
    fig = go.Figure(go.Bar(x=[1, 2], y=["South East", "North East and Yorkshire"], orientation="h"))
    fig.update_layout(
        margin={"l": 0, "r": 0, "t": 10, "b": 10}, title={"text": "Benchmark", "x": 0}
    )
    spec = _image_spec(fig, Box(0, 0, 12.4, 4.5))
    layout = spec["fig"]["layout"]
    assert layout["yaxis"]["automargin"] and layout["xaxis"]["automargin"]
    assert layout["margin"]["l"] >= MIN_SIDE_MARGIN and layout["margin"]["r"] >= MIN_SIDE_MARGIN
    assert layout["title"]["pad"]["l"] > 0
    assert fig.layout.margin.l == 0  # the deck's own figure is left as it was
