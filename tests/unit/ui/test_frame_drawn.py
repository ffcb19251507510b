"""Figures handed to st.plotly_chart: the dict is made once per figure object, and what
Streamlit sends is the figure's own JSON."""

from __future__ import annotations

import gc
import json

import plotly.graph_objects as go
import plotly.io as pio

from nlf_planner.ui import frame


def _figure(y: list[int]) -> go.Figure:
    return go.Figure(go.Scatter(x=list(range(len(y))), y=y), layout={"title": {"text": "T"}})


def test_a_drawn_figure_serialises_as_the_figure_itself() -> None:
    fig = _figure([3, 1, 4])
    sent = pio.to_json(frame.drawn(fig).to_dict(), validate=False)
    assert json.loads(sent) == json.loads(fig.to_json())


def test_the_dict_is_made_once_per_figure(monkeypatch) -> None:
    fig = _figure([1, 2])
    calls = []
    original = go.Figure.to_dict
    monkeypatch.setattr(go.Figure, "to_dict", lambda self: calls.append(1) or original(self))
    first = frame.drawn(fig).to_dict()
    second = frame.drawn(fig).to_dict()
    assert first is second
    assert len(calls) == 1


def test_another_figure_gets_its_own_dict_and_entries_go_with_their_figure() -> None:
    a, b = _figure([1]), _figure([2])
    assert frame.drawn(a).to_dict()["data"][0]["y"] != frame.drawn(b).to_dict()["data"][0]["y"]
    ident = id(a)
    assert ident in frame._SPECS
    del a
    gc.collect()
    assert ident not in frame._SPECS


def test_streamlit_takes_it_as_a_validated_figure() -> None:
    from plotly.tools import return_figure_from_figure_or_data

    fig = _figure([5, 6])
    spec = return_figure_from_figure_or_data(frame.drawn(fig), validate_figure=True)
    assert spec == fig.to_dict()
