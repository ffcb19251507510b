"""The SPC chart builder: colours and shapes by point type, hover text naming the rule,
limits that break at a rebase, plan lines, notes and lettered icons."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from nlf_planner.charts.spc import spc_figure
from nlf_planner.spc import COLOURS, SPCOptions, spc

BASE = [11.0, 9.0] * 6


def months(n):
    return [d.date() for d in pd.date_range("2020-01-01", periods=n, freq="MS")]


def _traces(fig, name_part):
    return [t for t in fig.data if t.name and name_part in t.name]


def test_points_are_coloured_shaped_and_hover_names_the_rule():
    values = BASE + [10.5] * 7 + [16]
    res = spc(
        months(20), values, polarity="higher_is_better", options=SPCOptions(7, 12), target=20.0
    )
    fig = spc_figure(res, title="Staff trained (%)", y_title="%")
    improvement = _traces(fig, "improvement")[0]
    assert improvement.marker.color == COLOURS["improvement"]
    assert len(improvement.x) == 8
    assert set(improvement.marker.symbol) == {"triangle-up"}
    hover = " ".join(improvement.customdata)
    assert "Part of a shift: 7 or more points in a row above the mean" in hover
    assert "Above the upper process limit" in hover
    common = _traces(fig, "Common cause")[0]
    assert common.marker.color == COLOURS["common_cause"]
    letters = [a.text for a in fig.layout.annotations]
    # The latest point ends a shift, so the limits cannot say whether 20 will be met: the
    # assurance icon is N (not assessable), in words as well as the letter.
    assert "<b>H</b>" in letters and "<b>N</b>" in letters
    assert any((a.text or "") == "Not assessable" for a in fig.layout.annotations)
    stable = spc(months(12), BASE, polarity="higher_is_better", target=20.0)
    assert "<b>F</b>" in [
        a.text for a in spc_figure(stable, title="t", y_title="%").layout.annotations
    ]
    assert any("Special-cause improvement" in (a.text or "") for a in fig.layout.annotations)
    assert fig.layout.title.text == "Staff trained (%)"


def test_limits_break_at_a_rebase_and_rebase_is_labelled():
    values = BASE + [19.0, 21.0] * 6
    dates = months(24)
    res = spc(dates, values, rebases=[dates[12]], options=SPCOptions(7))
    fig = spc_figure(res, title="t", y_title="%", rebase_reasons={dates[12]: "New standard"})
    upper = _traces(fig, "Process limits")[0]
    gaps = np.flatnonzero(np.isnan(np.asarray(upper.y, dtype=float)))
    assert list(gaps) == [12]  # one break, where the rebase starts (plotly leaves a gap)
    assert len(upper.x) == len(upper.y) == 25
    limits = np.asarray(upper.y, dtype=float)
    assert limits[0] != limits[-1]
    texts = [a.text for a in fig.layout.annotations]
    assert any(t.startswith("Rebased") for t in texts)
    assert len([s for s in fig.layout.shapes if s.yref == "y domain"]) == 1  # the rebase line


def test_people_s_text_is_shown_as_text_never_as_a_link():
    """Issue 15: a note or rebase reason carrying plotly's HTML reaches the chart inert."""
    dates = months(24)
    hostile = "<a href='http://127.0.0.1:9/x'>click</a> & <b>bold</b>"
    res = spc(dates, BASE + [19.0, 21.0] * 6, rebases=[dates[12]], options=SPCOptions(7))
    notes = pd.DataFrame({"period": [dates[3]], "text": [hostile]})
    fig = spc_figure(
        res, title="t", y_title="%", annotations=notes, rebase_reasons={dates[12]: hostile}
    )
    people = [a for a in fig.layout.annotations if a.text.startswith(("✎", "Rebased"))]
    assert len(people) == 2
    for a in people:
        for text in (a.text, a.hovertext):
            assert "<a" not in text and "<b>" not in text
    note = next(a for a in people if a.text.startswith("✎"))
    assert note.hovertext.endswith(
        "&lt;a href='http://127.0.0.1:9/x'&gt;click&lt;/a&gt; &amp; &lt;b&gt;bold&lt;/b&gt;"
    )


def test_trial_limits_plan_lines_and_notes():
    res = spc(months(8), BASE[:8], polarity="higher_is_better")
    plan = pd.DataFrame({"period": [date(2020, 1, 1), date(2021, 3, 31)], "plan": [10, 12]})
    targets = pd.DataFrame({"horizon": [1], "period": [date(2021, 3, 31)], "target": [12.0]})
    notes = pd.DataFrame({"period": [date(2020, 3, 1)], "text": ["Programme launched"]})
    fig = spc_figure(
        res, title="t", y_title="%", plan_line=plan, horizon_targets=targets, annotations=notes
    )
    names = [t.name for t in fig.data]
    assert "Plan trajectory" in names and "Plan target" in names
    assert any("(trial)" in (n or "") for n in names)
    texts = " ".join(a.text or "" for a in fig.layout.annotations)
    assert "Programme launched" in texts
    assert "Trial limits" in (fig.layout.xaxis.title.text or "")  # under the axis, in words


def test_neutral_measures_use_purple_and_empty_series_say_no_data():
    res = spc(months(20), BASE + [10.5] * 8, options=SPCOptions(7, 12))
    fig = spc_figure(res, title="t", y_title="x")
    assert _traces(fig, "neutral (high)")[0].marker.color == COLOURS["neutral"]
    empty = spc_figure(spc([], []), title="t", y_title="x")
    assert empty.layout.annotations[0].text == "No data"
