"""The fixed-baseline rules, suggestions and preview, on small series checked by hand.

The series used most: 8 points alternating 10, 12 (Apr–Nov 2016, before the framework's
launch in Dec 2016), then 12 points alternating 20, 22. On all 20 points: mean 17; the 19
moving ranges are eighteen 2s and one 8 (12 → 20), mean 44/19 = 2.316, and 8 ≥ 3.267 × 2.316
= 7.57 is screened out, so the mean moving range is 2 and the limits 17 ± 2.66 × 2 = 11.68
to 22.32. Fixed on the first 8: mean 11, mean moving range 2, limits 5.68 to 16.32, and every
later point lies above the upper limit.
"""

from __future__ import annotations

from datetime import date

import pytest

from nlf_planner import baselines as b
from nlf_planner.periods import add_months
from nlf_planner.spc import FixedBaseline, spc

START = date(2016, 4, 1)
LAUNCH_SERIES = [10, 12] * 4 + [20, 22] * 6


def _periods(n: int, start: date = START) -> list[date]:
    return [add_months(start, i) for i in range(n)]


def _chart(values, start: date = START, **kw):
    return spc(_periods(len(values), start), values, polarity="higher_is_better", **kw)


# --------------------------------------------------------------------------- before launch


def test_before_launch_fixes_the_first_segment_on_its_points_before_december_2016():
    result = _chart(LAUNCH_SERIES)
    s = b.before_launch(result)
    assert s.fix == FixedBaseline(None, until=date(2016, 11, 1))
    assert s.reason == (
        "Baseline before the framework's launch (Dec 2016): limits fixed on the 8 points "
        "Apr 2016 – Nov 2016, later points compared with them"
    )


def test_before_launch_stays_inside_the_first_segment_when_a_rebase_comes_before_launch():
    result = _chart(LAUNCH_SERIES, rebases=[date(2016, 9, 1)])
    s = b.before_launch(result)  # first segment: Apr–Aug 2016, 5 points
    assert s.fix == FixedBaseline(None, until=date(2016, 8, 1))
    assert "the 5 points Apr 2016 – Aug 2016" in s.reason


@pytest.mark.parametrize(
    ("start", "words"),
    [(date(2016, 11, 1), "only 1 point before"), (date(2017, 1, 1), "no point before")],
)
def test_before_launch_is_not_offered_without_two_points_before_launch(start, words):
    s = b.before_launch(_chart([10, 12, 11, 13], start=start))
    assert s.fix is None
    assert words in s.reason and "needs at least 2" in s.reason


# --------------------------------------------------------------------------- preview


def test_the_preview_shows_the_limits_and_the_latest_reading_before_and_after():
    before = _chart(LAUNCH_SERIES)
    fix = b.before_launch(before).fix
    after = b.rerun(before, [fix])
    p = b.preview(before, after, fix, unit="percent")
    assert p.applied and p.trial
    assert (p.baseline_points, p.baseline_from, p.baseline_to) == (
        8,
        date(2016, 4, 1),
        date(2016, 11, 1),
    )
    changes = {c.name: (c.before, c.after) for c in p.changes}
    assert changes["Mean"] == ("17.0%", "11.0%")
    assert changes["Lower limit"] == ("11.7%", "5.7%")
    assert changes["Upper limit"] == ("22.3%", "16.3%")
    # 22 was two of three near the upper limit (beyond 17 + 3.55); now beyond 16.32
    assert changes["Rule (latest point)"] == (
        "Two of three points close to the upper process limit",
        "Above the upper process limit",
    )
    assert changes["Assurance (latest point)"] == ("No target", "No target")
    lines = p.lines()
    assert lines[0] == (
        "The limits of the segment from Apr 2016 would rest on 8 points (Apr 2016 – Nov "
        "2016); later points are judged against them."
    )
    assert "trial limits" in lines[1]
    assert "Mean: 17.0% → 11.0%" in lines
    assert "Assurance (latest point): No target (unchanged)" in lines


def test_a_preview_replaces_the_fix_of_the_same_segment_and_keeps_the_others():
    first = FixedBaseline(None, points=4)
    later = FixedBaseline(date(2017, 1, 1), points=3)
    new = FixedBaseline(None, until=date(2016, 11, 1))
    assert b.with_fix([first, later], new) == [new, later]


# --------------------------------------------------------------------------- the rules


def _segs(values=LAUNCH_SERIES, rebases=(date(2017, 3, 15),)):
    result = _chart(values, rebases=list(rebases))
    return b.segments(result, rebases)


def test_segments_are_named_by_the_stored_rebase_and_labelled_for_the_form():
    first, second = _segs()
    assert (first.rebase, first.start, first.end, first.points) == (
        None,
        date(2016, 4, 1),
        date(2017, 3, 1),
        12,
    )
    assert first.label == "from Apr 2016"
    # a rebase on 15 Mar 2017 starts the segment at the next period, Apr 2017
    assert (second.rebase, second.start, second.points) == (date(2017, 3, 15), date(2017, 4, 1), 8)
    assert second.label == "from the rebase of Mar 2017"
    assert second.trial and not first.trial and not second.fixed


@pytest.mark.parametrize(
    ("fix", "kw", "message"),
    [
        (FixedBaseline(None, points=5), {"reason": " "}, "cannot be empty"),
        (FixedBaseline(None, points=5), {"reason": "x" * 201}, "keep it to 200"),
        (FixedBaseline(None, points=5), {"reason": "bad\x07bell"}, "reason"),
        (FixedBaseline(date(2018, 1, 1), points=5), {}, "no such segment"),
        (FixedBaseline(None, until=date(2017, 5, 1)), {}, "inside the segment from Apr 2016"),
        (FixedBaseline(None, until=date(2016, 4, 1)), {}, "takes 1 point"),
        (FixedBaseline(date(2017, 3, 15), until=date(2017, 2, 1)), {}, "inside the segment"),
        (FixedBaseline(None, points=5), {"taken": [None]}, "This chart already has"),
        (
            FixedBaseline(date(2017, 3, 15), points=5),
            {"measure_wide": True},
            "fix a rebased segment on this chart only",
        ),
        (
            FixedBaseline(None, points=5),
            {"measure_wide": True, "taken": [None]},
            "Every chart of this measure already has",
        ),
    ],
)
def test_a_fix_is_refused_with_the_reason_a_person_can_act_on(fix, kw, message):
    args = {"reason": "Before the framework", "chart_segments": _segs(), **kw}
    issues = b.fix_issues(fix, **args)
    assert issues and any(message in i.message for i in issues)


def test_a_good_fix_passes_and_a_measure_wide_fix_may_end_after_this_charts_first_segment():
    segs = _segs()
    ok = {"reason": "Before the framework", "chart_segments": segs}
    assert b.fix_issues(FixedBaseline(None, until=date(2016, 11, 1)), **ok) == []
    assert b.fix_issues(FixedBaseline(date(2017, 3, 15), points=2), **ok) == []
    # another chart may hold the first segment's points longer
    wide = FixedBaseline(None, until=date(2017, 6, 1))
    assert b.fix_issues(wide, measure_wide=True, **ok) == []
    # a fix of the same segment at the other scope is no duplicate
    assert b.fix_issues(FixedBaseline(None, points=8), taken=[date(2017, 3, 15)], **ok) == []


@pytest.mark.parametrize(
    ("points", "until", "field", "message"),
    [
        (None, None, "baseline", "Choose either"),
        (5, date(2016, 11, 1), "baseline", "Choose either"),
        (1, None, "points", "at least 2"),
        (2.5, None, "points", "whole number"),
        (None, "2016-11", "until", "Choose the last period"),
    ],
)
def test_the_form_must_give_exactly_one_of_points_and_period(points, until, field, message):
    fix, issues = b.fix_from(None, points, until)
    assert fix is None and issues[0].field == field and message in issues[0].message


def test_the_form_builds_the_engines_record():
    assert b.fix_from(None, 12, None) == (FixedBaseline(None, points=12), [])
    day = date(2016, 11, 1)
    assert b.fix_from(day, None, day) == (FixedBaseline(day, until=day), [])


def test_removal_needs_a_reason():
    assert "cannot be empty" in b.removal_issues("  ")[0].message
    assert b.removal_issues("Entered in error") == []


# --------------------------------------------------------------------------- precedence


def test_a_series_own_fix_wins_segment_by_segment_over_the_measure_wide_one():
    rebase = date(2021, 3, 1)
    wide_first = FixedBaseline(None, until=date(2016, 11, 1))
    wide_points = FixedBaseline(None, points=12)  # a second wide row: the first one kept
    own_first = FixedBaseline(None, points=8)
    own_later = FixedBaseline(rebase, points=12)
    fixes = {
        ("M10", None): [wide_first, wide_points],
        ("M10", "A"): [own_later],
        ("M10", "B"): [own_later, own_first],
    }
    assert b.for_series(fixes, "M10", "A") == [wide_first, own_later]
    assert b.for_series(fixes, "M10", "B") == [own_first, own_later]
    assert b.for_series(fixes, "M10", "C") == [wide_first]
    assert b.for_series(fixes, "M08", "A") == []


# --------------------------------------------------------------------------- suggestions


def test_a_settled_segment_of_20_points_is_offered_a_fix_on_its_first_20():
    s = b.suggest_fix(_chart([10, 12] * 12))  # mean 11, limits 5.68–16.32: common cause
    assert s.fix == FixedBaseline(None, points=20)
    assert "first 20 points (Making Data Count: 12–20)" in s.reason


def test_the_fix_offered_stops_before_the_first_special_cause():
    values = [10, 12] * 12
    values[14], values[15] = 40, -18  # beyond both limits; the mean stays 11
    s = b.suggest_fix(_chart(values))
    assert s.fix == FixedBaseline(None, points=14)
    assert "stable run before the first special cause" in s.reason


def test_no_fix_is_offered_on_a_short_segment_an_unsettled_one_or_a_fixed_one():
    short = b.suggest_fix(_chart([10, 12] * 7 + [11]))
    assert short.fix is None and "has 15 points" in short.reason
    unsettled = b.suggest_fix(_chart(LAUNCH_SERIES))
    assert unsettled.fix is None and "within its first 12 points" in unsettled.reason
    fixed = b.suggest_fix(_chart([10, 12] * 12, baselines=[FixedBaseline(None, points=12)]))
    assert fixed.fix is None and "already has a fixed baseline" in fixed.reason


def test_the_latest_segment_after_a_rebase_is_the_one_offered():
    values = [30, 32] * 5 + [10, 12] * 10
    result = _chart(values, rebases=[date(2017, 2, 1)])  # the 11th point
    s = b.suggest_fix(result, rebases=[date(2017, 2, 1)])
    assert s.fix == FixedBaseline(date(2017, 2, 1), points=20)


# --------------------------------------------------------------------------- trial limits


def test_trial_warnings_name_each_segment_on_fewer_than_12_points():
    assert b.trial_warnings(_chart([10, 12] * 10)) == []
    fixed = _chart(LAUNCH_SERIES, baselines=[FixedBaseline(None, points=8)])
    assert b.trial_warnings(fixed) == [
        "Trial limits: the fixed baseline of the segment from Apr 2016 rests on 8 points, "
        "fewer than 12, so read its signals as provisional until more points arrive."
    ]
    rebased = _chart([10, 12] * 10, rebases=[date(2017, 5, 1)])  # 13 + 7 points
    (warning,) = b.trial_warnings(rebased, [date(2017, 5, 1)])
    assert warning.startswith(
        "Trial limits: the limits of the segment from the rebase of May 2017 rest on 7 points"
    )


def test_preview_fix_runs_the_engine_with_the_fix_in_place_of_the_segments_own():
    current = _chart(LAUNCH_SERIES, baselines=[FixedBaseline(None, points=4)])
    fix = FixedBaseline(None, until=date(2016, 11, 1))
    p = b.preview_fix(current, fix, unit="percent")
    assert p.applied and p.baseline_points == 8 and not p.measure_wide
    # fixed on 10, 12, 10, 12: mean 11 and limits 5.68–16.32 as on 8 points
    assert {c.name: c.after for c in p.changes}["Mean"] == "11.0%"
    assert not any(c.changed for c in p.changes if c.name in ("Mean", "Lower limit"))
    wide = b.preview_fix(current, fix, unit="percent", measure_wide=True)
    assert wide.measure_wide and "Every chart of this measure takes this fix" in wide.lines()[2]


def test_a_measure_wide_fix_does_not_change_a_chart_with_its_own_fix_of_the_segment():
    current = _chart(LAUNCH_SERIES, baselines=[FixedBaseline(None, points=4)])
    fix = FixedBaseline(None, until=date(2016, 11, 1))
    p = b.preview_fix(current, fix, unit="percent", own_segments=[None], measure_wide=True)
    assert p.overridden
    assert p.lines() == [
        "This chart keeps its own fixed baseline for the segment from Apr 2016, which wins "
        "over a fix on every chart of the measure; the measure's other charts would take the "
        "new one."
    ]


def test_a_rebase_may_not_fall_inside_a_fixed_baseline() -> None:
    periods = [date(2016, m, 1) for m in range(4, 13)] + [date(2017, m, 1) for m in range(1, 13)]
    res = spc(
        periods,
        [50 + (i % 3) for i in range(len(periods))],
        baselines=[FixedBaseline(None, until=date(2016, 11, 1))],
    )
    inside = b.rebase_issues(res, date(2016, 8, 1))
    assert [i.field for i in inside] == ["period"]
    assert (
        "(Apr 2016 – Nov 2016)" in inside[0].message
        and "Rebase after Nov 2016" in inside[0].message
    )
    assert b.rebase_issues(res, date(2016, 12, 1)) == []  # the first point after the baseline
    unfixed = spc(periods, [50 + (i % 3) for i in range(len(periods))])
    assert b.rebase_issues(unfixed, date(2016, 8, 1)) == []
