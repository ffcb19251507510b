"""NHS identity colours and a common layout, so every chart reads as one product."""

from __future__ import annotations

import plotly.graph_objects as go

NHS_BLUE = "#005EB8"
NHS_DARK_BLUE = "#003087"
NHS_BRIGHT_BLUE = "#0072CE"
NHS_LIGHT_BLUE = "#41B6E6"
NHS_AQUA_BLUE = "#00A9CE"
NHS_BLACK = "#231F20"
NHS_DARK_GREY = "#425563"
NHS_MID_GREY = "#768692"
NHS_PALE_GREY = "#E8EDEE"
NHS_WHITE = "#FFFFFF"
NHS_ORANGE = "#ED8B00"
NHS_WARM_YELLOW = "#FFB81C"
NHS_PURPLE = "#330072"
NHS_DARK_PINK = "#7C2855"
NHS_AQUA_GREEN = "#00A499"

# Making Data Count / NHSRplotthedots point colours.
SPC_COMMON = "#a6a6a6"
SPC_IMPROVEMENT = "#00b0f0"
SPC_CONCERN = "#e46c0a"
SPC_NEUTRAL = "#490092"
SPC_TARGET = "#de1b1b"

# Meaning colours used across the app: improvement blue, concern orange, never colour alone.
IMPROVEMENT = NHS_BLUE
CONCERN = NHS_ORANGE
NEUTRAL = NHS_MID_GREY

CATEGORICAL = [
    NHS_BLUE,
    NHS_ORANGE,
    NHS_AQUA_GREEN,
    NHS_DARK_PINK,
    NHS_LIGHT_BLUE,
    NHS_WARM_YELLOW,
    NHS_DARK_GREY,
    NHS_PURPLE,
]

FONT_FAMILY = "Arial, Helvetica, sans-serif"


def base_layout(title: str, *, height: int | None = None) -> dict:
    """The common layout as a plain dict, for charts built in one ``go.Figure(data=…,
    layout=…)`` call: validating one dict is far cheaper than chains of ``update_*`` calls
    (issue 12). Same title, fonts and colours as :func:`apply_layout`."""
    layout: dict = {
        "title": {
            "text": title,
            "x": 0.0,
            "xanchor": "left",
            "font": {"size": 17, "color": NHS_BLACK},
        },
        "font": {"family": FONT_FAMILY, "color": NHS_BLACK, "size": 13},
        "paper_bgcolor": NHS_WHITE,
        "plot_bgcolor": NHS_WHITE,
        "colorway": CATEGORICAL,
        "margin": {"l": 60, "r": 30, "t": 60, "b": 50},
        "hoverlabel": {"font": {"family": FONT_FAMILY}},
        "xaxis": {"showgrid": False, "linecolor": NHS_MID_GREY},
        "yaxis": {"gridcolor": NHS_PALE_GREY, "linecolor": NHS_MID_GREY},
    }
    if height:
        layout["height"] = height
    return layout


def apply_layout(
    fig: go.Figure,
    title: str,
    *,
    height: int | None = None,
    x_title: str | None = None,
    y_title: str | None = None,
) -> go.Figure:
    """Title that says what the chart shows, NHS fonts and colours, white background."""
    fig.update_layout(
        title={
            "text": title,
            "x": 0.0,
            "xanchor": "left",
            "font": {"size": 17, "color": NHS_BLACK},
        },
        font={"family": FONT_FAMILY, "color": NHS_BLACK, "size": 13},
        paper_bgcolor=NHS_WHITE,
        plot_bgcolor=NHS_WHITE,
        colorway=CATEGORICAL,
        margin={"l": 60, "r": 30, "t": 60, "b": 50},
        hoverlabel={"font": {"family": FONT_FAMILY}},
    )
    if height:
        fig.update_layout(height=height)
    if x_title is not None:
        fig.update_xaxes(title_text=x_title)
    if y_title is not None:
        fig.update_yaxes(title_text=y_title)
    fig.update_xaxes(showgrid=False, linecolor=NHS_MID_GREY)
    fig.update_yaxes(gridcolor=NHS_PALE_GREY, linecolor=NHS_MID_GREY)
    return fig
