"""The data behind a slide's chart, for the CSV download next to it."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go


def figure_data(fig: go.Figure) -> pd.DataFrame:
    """The points a chart draws (series, x, y), for the CSV download behind it."""
    rows = []
    for trace in fig.data:
        xs, ys = getattr(trace, "x", None), getattr(trace, "y", None)
        if xs is None or ys is None:
            continue
        name = trace.name or trace.type
        rows.extend(
            {"series": name, "x": x, "y": y}
            for x, y in zip(xs, ys, strict=False)
            if x is not None and y is not None
        )
    return pd.DataFrame(rows, columns=["series", "x", "y"])
