"""The SPC chart builder: colours and shapes by point type, hover text naming the rule,
limits that break at a rebase, plan lines, notes and lettered icons."""

from __future__ import annotations

import time
from datetime import date

import numpy as np
import pandas as pd
import pytest

from nlf_planner.charts.spc import _Boxes, spc_figure
from nlf_planner.periods import FRAMEWORK_LAUNCH
from nlf_planner.spc import COLOURS, FixedBaseline, SPCOptions, spc

BASE = [11.0, 9.0] * 6


def months(n, start="2020-01-01"):
    return [d.date() for d in pd.date_range(start, periods=n, freq="MS")]


def _hover(trace):
    """Each point's hover sentence, unwrapped."""
    return [row.split("<br>", 1)[1].replace("<br>", " ") for row in trace.customdata]


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
    hover = " ".join(_hover(improvement))
    assert "a shift (7 or more points above the mean) since Jan 2021" in hover
    assert "Special cause of improvement: above the upper limit" in hover
    assert improvement.customdata[-1].startswith("Aug 2021: <b>16.0</b><br>")  # period, value
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


# --- issue 17: why in the hover, limit labels, launch, baselines, trial limits, chart type


def _labels(fig, prefix):
    return [a for a in fig.layout.annotations if (a.text or "").startswith(prefix)]


def test_hover_says_why_a_point_is_special_and_since_when():
    # [9, 11] * 6 fixed: mean 10; eight at 8.5 from Jan 2021 are a shift below it.
    res = spc(
        months(20),
        [9.0, 11.0] * 6 + [8.5] * 8,
        polarity="higher_is_better",
        options=SPCOptions(7, 12),
    )
    fig = spc_figure(res, title="t", y_title="%", value_format=".1f")
    concern = _traces(fig, "concern")[0]
    assert _hover(concern)[-1] == (
        "Special cause of concern: a shift (7 or more points below the mean) since Jan 2021, "
        "point 8 of the run"
    )
    assert concern.customdata[-1].startswith("Aug 2021: <b>8.5</b><br>")  # period and value
    common = _traces(fig, "Common cause")[0]
    assert set(_hover(common)) == {"Common cause variation"}


def test_limits_are_labelled_at_each_segment_s_last_point():
    # Segment one: [11, 9] * 6, mean 10, limits 10 ± 2.66 × 2; segment two: [19, 21] * 6.
    dates = months(24)
    res = spc(dates, BASE + [19.0, 21.0] * 6, rebases=[dates[12]], options=SPCOptions(7))
    fig = spc_figure(res, title="t", y_title="%")
    uppers = _labels(fig, "Upper limit")
    means = _labels(fig, "Mean")
    lowers = _labels(fig, "Lower limit")
    assert [a.text for a in uppers] == ["Upper limit 15.3", "Upper limit<br>25.3"]
    assert [a.text for a in means] == ["Mean 10.0", "Mean<br>20.0"]
    assert [a.text for a in lowers] == ["Lower limit 4.7", "Lower limit<br>14.7"]
    # Each at its segment's last point, on its line.
    assert [pd.Timestamp(a.x).date() for a in uppers] == [dates[11], dates[23]]
    assert [a.y for a in lowers] == pytest.approx([10 - 5.32, 20 - 5.32])
    # The latest segment's labels sit in the right margin, made room for.
    assert {a.xanchor for a in uppers} == {"right", "left"}
    assert fig.layout.margin.r >= 70
    # The axis is set, so plotly does not widen it to hold the labels.
    assert pd.Timestamp(fig.layout.xaxis.range[1]) < pd.Timestamp(dates[23]) + pd.Timedelta(days=20)


def test_labels_close_together_are_stacked_apart():
    boxes = _Boxes([])
    shifts = [boxes.place((0, 80, 100, 113), prefer) for prefer in (1, 1, -1)]
    assert shifts[0] == 0
    assert len(set(shifts)) == 3
    for i, a in enumerate(boxes.placed):
        for b in boxes.placed[i + 1 :]:
            assert a[3] <= b[2] or b[3] <= a[2]  # no two overlap
    # A target far off squeezes the limits into a few pixels: the labels are shifted apart.
    res = spc(months(14), [10.0, 10.1] * 7, options=SPCOptions(7), target=20.0)
    fig = spc_figure(res, title="t", y_title="%", value_format=".2f")
    (upper,), (mean,), (lower,) = (_labels(fig, t) for t in ("Upper", "Mean", "Lower"))
    # Apart, and in their order: the upper limit's label above the mean's, the lower below.
    assert upper.yshift > mean.yshift > lower.yshift


def test_the_framework_launch_is_marked_only_inside_the_chart_s_dates():
    inside = spc(months(20, "2016-04-01"), BASE + [10.0] * 8, options=SPCOptions(7))
    fig = spc_figure(inside, title="t", y_title="%")
    launch = _labels(fig, "Framework launched")
    assert [a.text for a in launch] == ["Framework launched (Dec 2016)"]
    assert pd.Timestamp(launch[0].x) == pd.Timestamp(FRAMEWORK_LAUNCH)
    dotted = [s for s in fig.layout.shapes if s.line.dash == "dot" and s.type == "line"]
    assert [pd.Timestamp(s.x0) for s in dotted] == [pd.Timestamp("2016-12-01")]
    after = spc_figure(spc(months(20), BASE + [10.0] * 8), title="t", y_title="%")
    assert not _labels(after, "Framework launched")
    assert not [s for s in after.layout.shapes if s.line.dash == "dot"]


def test_a_fixed_baseline_is_a_band_over_exactly_its_points():
    dates = months(20)
    res = spc(dates, BASE + [10.0] * 8, options=SPCOptions(7), baselines=[FixedBaseline(points=8)])
    fig = spc_figure(res, title="t", y_title="%")
    bands = [s for s in fig.layout.shapes if s.type == "rect"]
    assert len(bands) == 1
    x0, x1 = pd.Timestamp(bands[0].x0), pd.Timestamp(bands[0].x1)
    inside = [d for d in dates if x0 <= pd.Timestamp(d) <= x1]
    assert inside == dates[:8]
    assert [a.text for a in _labels(fig, "Baseline")] == [
        "Baseline: limits fixed on these 8 points"
    ]
    assert _labels(fig, "Upper limit")[0].text.endswith("(fixed)")
    assert _labels(fig, "Lower limit")[0].text.endswith("(fixed)")
    assert not _labels(fig, "Mean")[0].text.endswith("(fixed)")
    plain = spc_figure(spc(dates, BASE + [10.0] * 8), title="t", y_title="%")
    assert not [s for s in plain.layout.shapes if s.type == "rect"]


def test_a_segment_on_fewer_than_12_points_says_trial_limits():
    dates = months(20)
    # A rebase after six points: that segment's limits rest on 6, the latest on 14.
    res = spc(dates, BASE[:6] + [10.0, 12.0] * 7, rebases=[dates[6]], options=SPCOptions(7))
    fig = spc_figure(res, title="t", y_title="%")
    assert [a.text for a in _labels(fig, "<i>Trial")] == ["<i>Trial limits: 6 points</i>"]
    assert not (fig.layout.xaxis.title.text or "")
    latest = spc_figure(spc(months(8), BASE[:8]), title="t", y_title="%")
    # The latest segment says it once, under the axis, not again in the margin over it.
    assert _labels(latest, "<i>Trial") == []
    assert "rest on 8 points" in latest.layout.xaxis.title.text


def test_a_p_prime_chart_names_itself_and_steps_its_limits():
    rng = np.random.default_rng(7)
    den = rng.integers(200, 3000, 24).astype(float)
    values = np.round(0.6 * den + rng.normal(0, 15, 24)) / den * 100
    res = spc(months(24), values, chart_type="pp", denominators=den, options=SPCOptions(7))
    fig = spc_figure(res, title="t", y_title="%")
    limits = _traces(fig, "Process limits")[0]
    assert limits.name == "Process limits (Laney p′-chart)"
    assert limits.line.shape == "hvh"
    hover = " ".join(_hover(_traces(fig, "Common cause")[0]))
    assert "limits vary with each period's denominator" in hover
    assert f"Limits here: {res.lpl[0]:.1f} to {res.upl[0]:.1f}" in hover
    assert _labels(fig, "Upper limit")[-1].text == f"Upper limit<br>{res.upl[-1]:.1f}"
    xmr = spc_figure(spc(months(24), values), title="t", y_title="%")
    assert _traces(xmr, "Process limits")[0].name == "Process limits"


def test_a_127_point_chart_builds_quickly():
    rng = np.random.default_rng(17)
    dates = months(127, "2016-04-01")
    res = spc(dates, 60 + rng.normal(0, 2, 127), rebases=[dates[60]], options=SPCOptions(7))
    spc_figure(res, title="t", y_title="%")
    start = time.perf_counter()
    for _ in range(5):
        spc_figure(res, title="t", y_title="%")
    assert (time.perf_counter() - start) / 5 < 0.1  # about 9 ms on a quiet machine


def test_the_set_axis_ranges_hold_every_point_line_target_and_note():
    dates = months(20)
    res = spc(dates, BASE + [10.0] * 8, options=SPCOptions(7), target=30.0)
    plan = pd.DataFrame({"period": [dates[-1], date(2023, 3, 1)], "plan": [10.0, 40.0]})
    targets = pd.DataFrame({"horizon": [1], "period": [date(2023, 3, 1)], "target": [40.0]})
    notes = pd.DataFrame({"period": [date(2023, 6, 1)], "text": ["Later note"]})
    fig = spc_figure(
        res, title="t", y_title="%", plan_line=plan, horizon_targets=targets, annotations=notes
    )
    lo, hi = fig.layout.yaxis.range
    assert lo < min(res.lpl.min(), res.values.min()) and hi > 40.0
    x0, x1 = (pd.Timestamp(v) for v in fig.layout.xaxis.range)
    assert x0 < pd.Timestamp(dates[0]) and x1 > pd.Timestamp("2023-06-01")
