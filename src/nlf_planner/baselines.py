"""Fixed SPC baselines: the rules for a person's fix, and the suggestions offered to them.

A fixed baseline freezes a segment's limits on its first points (after N points, or on the
points up to a period), so later points are judged against the process as it was. Making
Data Count treats it, like a rebase, as a person's decision made for a stated reason; this
module checks a proposed fix, offers fixes (never applied by themselves: a person confirms),
and works out what a fix would change before it is saved, all pure so the service, the page
and the tests share one rule.

Where the numbers come from (``/work/shared/spec/SPC.md``, ``anchors.md`` part 1): the MDC
Excel tool fixes the baseline at 12–20 points (NHSRplotthedots issue 16), and limits on
fewer than 12 points are *trial limits*, revised as data arrive.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np

from nlf_planner import spc as engine
from nlf_planner.annotations import AnnotationIssue, text_issues
from nlf_planner.periods import FRAMEWORK_LAUNCH, label
from nlf_planner.spc import FixedBaseline
from nlf_planner.textcheck import check_text
from nlf_planner.units import format_value, unit_scale

#: Below this many baseline points the limits are trial limits (SPC.md).
TRIAL_POINTS = engine.TRIAL_POINTS
#: The fewest points a fix may rest on (two points give one moving range).
MIN_POINTS = 2
#: The suggested fix: the MDC Excel tool's 12–20 points. A segment needs this many points
#: before a fix is suggested, and the fix takes at most this many.
SUGGEST_POINTS = 20


# --------------------------------------------------------------------------- segments


@dataclass(frozen=True)
class Segment:
    """One stretch of a chart between rebases, as a person picks it in the form."""

    #: The stored rebase date that starts it (what a fix names); None for the first segment.
    rebase: date | None
    start: date  # its first period
    end: date  # its last period
    points: int
    #: Points its limits rest on now, and whether they are fixed.
    baseline_points: int
    fixed: bool
    label: str  # "from Apr 2016" / "from the rebase of Mar 2021"
    periods: tuple[date, ...] = field(default=(), repr=False)

    @property
    def trial(self) -> bool:
        return self.baseline_points < TRIAL_POINTS


def _day(value: np.datetime64) -> date:
    return value.astype("datetime64[D]").item()


def segments(
    result: engine.SPCResult, rebases: Sequence[date] = (), frequency: str = "monthly"
) -> list[Segment]:
    """The chart's segments in order, each named by the stored rebase date that starts it
    (``rebases``: the chart's rebases as stored; a rebase falling between periods starts
    the segment at the next period, as the engine does)."""
    if result.empty:
        return []
    n = result.n
    starts = np.flatnonzero(np.concatenate([[True], result.segment[1:] != result.segment[:-1]]))
    by_position: dict[int, date] = {}
    for r in sorted(set(rebases)):
        i = int(np.searchsorted(result.periods, np.datetime64(r, "D"), side="left"))
        if 0 < i < n:
            by_position.setdefault(i, r)
    in_base = np.asarray(result.in_baseline, dtype=bool)
    fixed = np.asarray(result.fixed, dtype=bool)
    out = []
    for k, first in enumerate(starts):
        last = int(starts[k + 1]) if k + 1 < len(starts) else n
        span = slice(int(first), last)
        start = _day(result.periods[first])
        rebase = None if k == 0 else by_position.get(int(first), start)
        words = (
            f"from {label(start, frequency)}"
            if rebase is None
            else f"from the rebase of {label(rebase, frequency)}"
        )
        out.append(
            Segment(
                rebase=rebase,
                start=start,
                end=_day(result.periods[last - 1]),
                points=last - int(first),
                baseline_points=int(in_base[span].sum()),
                fixed=bool(fixed[span].any()),
                label=words,
                periods=tuple(_day(p) for p in result.periods[span]),
            )
        )
    return out


def segment_named(found: Sequence[Segment], segment_start: date | None) -> Segment | None:
    """The segment a fix names (None = the first), or None when the chart has no such one."""
    for s in found:
        if s.rebase == segment_start:
            return s
    return None


# --------------------------------------------------------------------------- the rules


def describe_fix(fix: FixedBaseline, frequency: str = "monthly") -> str:
    """'after 12 points' / 'up to Nov 2016', as the lists and the audit log word it."""
    if fix.points is not None:
        return f"after {fix.points} points"
    return f"up to {label(fix.until, frequency)}" if fix.until else "—"


def duplicate_message(segment_label: str, measure_wide: bool) -> str:
    """Why a second fix of one segment is refused (one rule, checked twice)."""
    where = "Every chart of this measure" if measure_wide else "This chart"
    return (
        f"{where} already has a fixed baseline for the segment {segment_label}; remove it "
        "first to fix it differently."
    )


def fix_from(
    segment_start: date | None, points: object, until: object
) -> tuple[FixedBaseline | None, list[AnnotationIssue]]:
    """The fix a form describes, or the problems with it (exactly one of points ≥ 2 and an
    end period)."""
    has_points, has_until = points is not None, until is not None
    if has_points == has_until:
        return None, [
            AnnotationIssue(
                "baseline",
                "Choose either after how many points or up to which period to fix the limits.",
            )
        ]
    if has_points:
        if isinstance(points, bool) or not isinstance(points, int | np.integer):
            return None, [AnnotationIssue("points", "The number of points must be a whole number.")]
        if points < MIN_POINTS:
            return None, [
                AnnotationIssue("points", f"A fixed baseline needs at least {MIN_POINTS} points.")
            ]
        return FixedBaseline(segment_start, points=int(points)), []
    if not isinstance(until, date):
        return None, [AnnotationIssue("until", "Choose the last period of the baseline.")]
    return FixedBaseline(segment_start, until=until), []


def fix_issues(
    fix: FixedBaseline,
    *,
    reason: str | None,
    chart_segments: Sequence[Segment],
    measure_wide: bool = False,
    taken: Collection[date | None] = (),
    frequency: str = "monthly",
) -> list[AnnotationIssue]:
    """Every problem with a proposed fix of one chart (or, ``measure_wide``, of every chart
    of the measure, checked against ``chart_segments`` of the chart it is made from);
    ``taken`` holds the segments already fixed at the same scope. Empty: it may be saved."""
    issues = list(reason_issues(reason, "reason for fixing the baseline"))
    _, shape = fix_from(fix.segment_start, fix.points, fix.until)
    issues += shape
    if measure_wide and fix.segment_start is not None:
        issues.append(
            AnnotationIssue(
                "segment",
                "A fix on every chart of the measure applies to their first segments; "
                "rebases belong to one chart, so fix a rebased segment on this chart only.",
            )
        )
        return issues
    seg = segment_named(chart_segments, fix.segment_start)
    if seg is None:
        issues.append(
            AnnotationIssue(
                "segment",
                "The chart has no such segment: choose its first segment or one of its rebases.",
            )
        )
        return issues
    if fix.until is not None:
        inside = sum(1 for p in seg.periods if p <= fix.until)
        if fix.until < seg.start or (not measure_wide and fix.until > seg.end):
            issues.append(
                AnnotationIssue(
                    "until",
                    f"Choose a period inside the segment {seg.label} "
                    f"({label(seg.start, frequency)} to {label(seg.end, frequency)}).",
                )
            )
        elif inside < MIN_POINTS:
            issues.append(
                AnnotationIssue(
                    "until",
                    f"Up to {label(fix.until, frequency)} takes {inside} point of the segment "
                    f"{seg.label}; a fixed baseline needs at least {MIN_POINTS}.",
                )
            )
    if fix.segment_start in set(taken):
        issues.append(AnnotationIssue("segment", duplicate_message(seg.label, measure_wide)))
    return issues


def reason_issues(reason: str | None, what: str) -> list[AnnotationIssue]:
    """A required one-line reason without control characters."""
    issues = text_issues(reason, what, "reason")
    try:
        check_text(reason or "", "reason")
    except ValueError as exc:
        issues.append(AnnotationIssue("reason", str(exc)))
    return issues


def removal_issues(reason: str | None) -> list[AnnotationIssue]:
    """Withdrawing a fix changes the chart's limits again, so it needs a reason too."""
    return reason_issues(reason, "reason for removing the fixed baseline")


def rebase_issues(
    result: engine.SPCResult, period: date | None, frequency: str = "monthly"
) -> list[AnnotationIssue]:
    """A rebase may not fall inside a fixed baseline: it would start a new segment part-way
    through the points a person chose, cutting the baseline short and leaving the later
    points on unfixed limits. ``result`` is the chart as it stands, with its fixes."""
    if period is None or result.empty:
        return []
    i = int(np.searchsorted(result.periods, np.datetime64(period, "D"), side="left"))
    if i == 0 or i >= result.n:
        return []
    segment = result.segment == result.segment[i]
    fixed_points = np.flatnonzero(segment & result.fixed & result.in_baseline)
    if fixed_points.size == 0 or i > fixed_points[-1]:
        return []
    first = label(result.periods[fixed_points[0]].astype("datetime64[D]").item(), frequency)
    last = label(result.periods[fixed_points[-1]].astype("datetime64[D]").item(), frequency)
    return [
        AnnotationIssue(
            "period",
            f"That date falls inside this chart's fixed baseline ({first} – {last}); a rebase "
            f"there would cut it short. Rebase after {last}, or remove the fixed baseline "
            "first.",
        )
    ]


# --------------------------------------------------------------------------- which fixes apply


def _first_segment_first(fix: FixedBaseline) -> tuple[bool, date]:
    return (fix.segment_start is not None, fix.segment_start or date.min)


def for_series(
    fixes: Mapping[tuple[str, str | None], Sequence[FixedBaseline]],
    measure_code: str,
    geo_code: str,
) -> list[FixedBaseline]:
    """The fixes one series' limits use, from every fix keyed by (measure, geography), the
    geography None for a fix on every chart of the measure: segment by segment, the
    series' own fix, else the measure-wide one. So a measure-wide "before launch" fix still
    holds on a series that has its own fix only on a later, rebased segment."""
    chosen: dict[date | None, FixedBaseline] = {}
    for fix in fixes.get((measure_code, None), ()):
        chosen.setdefault(fix.segment_start, fix)
    own: dict[date | None, FixedBaseline] = {}
    for fix in fixes.get((measure_code, geo_code), ()):
        own.setdefault(fix.segment_start, fix)
    chosen.update(own)
    return sorted(chosen.values(), key=_first_segment_first)


# --------------------------------------------------------------------------- suggestions


@dataclass(frozen=True)
class Suggestion:
    """A fix offered to a person (never applied by itself), with the reason to prefill;
    ``fix`` None when there is nothing to offer, and ``reason`` then says why."""

    fix: FixedBaseline | None
    reason: str


def _first_segment(result: engine.SPCResult) -> np.ndarray:
    """Positions of the first segment's points."""
    return np.flatnonzero(result.segment == result.segment[0])


def before_launch(result: engine.SPCResult, frequency: str = "monthly") -> Suggestion:
    """'Baseline = before launch, compare after': the first segment's limits fixed on its
    points before the framework's launch (:data:`periods.FRAMEWORK_LAUNCH`), so every later
    point is judged against the process before the framework. Needs 2 points before it."""
    launch = label(FRAMEWORK_LAUNCH, "monthly")
    if result.empty:
        return Suggestion(None, "There are no points yet.")
    first = _first_segment(result)
    before = first[result.periods[first] < np.datetime64(FRAMEWORK_LAUNCH, "D")]
    if before.size < MIN_POINTS:
        some = "no point" if before.size == 0 else "only 1 point"
        return Suggestion(
            None,
            f"The chart has {some} before the framework's launch ({launch}); a baseline "
            f"before launch needs at least {MIN_POINTS}.",
        )
    last = _day(result.periods[before[-1]])
    from_ = _day(result.periods[before[0]])
    return Suggestion(
        FixedBaseline(None, until=last),
        f"Baseline before the framework's launch ({launch}): limits fixed on the "
        f"{before.size} points {label(from_, frequency)} – {label(last, frequency)}, later "
        "points compared with them",
    )


def suggest_fix(
    result: engine.SPCResult, rebases: Sequence[date] = (), frequency: str = "monthly"
) -> Suggestion:
    """A fix worth offering on the latest segment, the one today's reading is judged on.

    The rule (SPC.md: "fix after n points (12–20 typical)"; the MDC Excel tool fixes the
    baseline at 12–20 points, NHSRplotthedots issue 16): once the latest segment has
    :data:`SUGGEST_POINTS` (20) points and no fix, offer to fix its limits on its first 20,
    the most the tool uses, so the limits rest on as much of the settled process as the
    guidance allows. If a point among those 20 is already special cause (beyond a limit,
    or in a shift, trend or two-of-three run), the process was not settled there: offer
    the stable points before it when they are at least 12, and nothing otherwise (a fix
    would freeze a changing process; MDC advises understanding the change, perhaps a rebase).
    """
    if result.empty:
        return Suggestion(None, "There are no points yet.")
    segs = segments(result, rebases or result.rebase_periods, frequency)
    seg = segs[-1]
    if seg.fixed:
        return Suggestion(None, f"The segment {seg.label} already has a fixed baseline.")
    if seg.points < SUGGEST_POINTS:
        return Suggestion(
            None,
            f"The segment {seg.label} has {seg.points} points; a fixed baseline is worth "
            f"offering from {SUGGEST_POINTS} (Making Data Count: 12–20 points).",
        )
    first = result.n - seg.points
    flags = np.asarray(result.flags[first : first + SUGGEST_POINTS]).astype(int)
    special = np.flatnonzero(flags != 0)
    n = SUGGEST_POINTS if special.size == 0 else int(special[0])
    if n < TRIAL_POINTS:
        return Suggestion(
            None,
            f"The segment {seg.label} shows special cause within its first {TRIAL_POINTS} "
            "points, so fixing its limits would freeze a process that was changing.",
        )
    segment_start = None if len(segs) == 1 else seg.rebase
    why = (
        f"its first {n} points (Making Data Count: 12–20)"
        if n == SUGGEST_POINTS
        else f"its first {n} points, the stable run before the first special cause"
    )
    return Suggestion(
        FixedBaseline(segment_start, points=n),
        f"Limits fixed on {why}, so later points are judged against the settled process",
    )


def trial_warnings(
    result: engine.SPCResult, rebases: Sequence[date] = (), frequency: str = "monthly"
) -> list[str]:
    """One warning per segment whose limits rest on fewer than 12 points (trial limits)."""
    out = []
    for s in segments(result, rebases or result.rebase_periods, frequency):
        if s.trial and s.points >= MIN_POINTS:
            kind, verb = ("fixed baseline", "rests") if s.fixed else ("limits", "rest")
            out.append(
                f"Trial limits: the {kind} of the segment {s.label} {verb} on "
                f"{s.baseline_points} point{'s' if s.baseline_points != 1 else ''}, fewer than "
                f"{TRIAL_POINTS}, so read its signals as provisional until more points arrive."
            )
    return out


# --------------------------------------------------------------------------- the preview


def with_fix(current: Sequence[FixedBaseline], fix: FixedBaseline) -> list[FixedBaseline]:
    """The series' fixes once ``fix`` replaces any fix of the same segment."""
    kept = [f for f in current if f.segment_start != fix.segment_start]
    return sorted([*kept, fix], key=_first_segment_first)


def rerun(
    result: engine.SPCResult,
    fixes: Sequence[FixedBaseline],
    *,
    rebases: Sequence[date] = (),
    denominators: Sequence[float] | None = None,
    scale: float = 100.0,
) -> engine.SPCResult:
    """The same series through the engine again with other fixes (same rebases, options,
    target and chart type), for a preview."""
    return engine.spc(
        result.periods,
        result.values,
        polarity=result.polarity,
        options=result.options,
        rebases=tuple(rebases) or result.rebase_periods,
        target=result.target,
        baselines=tuple(fixes),
        chart_type=result.chart_type,
        denominators=denominators,
        scale=scale,
    )


@dataclass(frozen=True)
class Change:
    """One figure of the latest point before and after the fix."""

    name: str
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


@dataclass(frozen=True)
class Preview:
    """What a fix would make of the chart, shown before a person confirms it."""

    fix: FixedBaseline
    segment_label: str
    baseline_points: int
    baseline_from: date | None
    baseline_to: date | None
    changes: tuple[Change, ...]
    trial: bool
    applied: bool
    #: A fix on every chart of the measure, previewed on a chart with its own fix of that
    #: segment (which wins, so this chart does not change).
    overridden: bool = False
    measure_wide: bool = False

    def lines(self, frequency: str = "monthly") -> list[str]:
        """The preview in plain sentences, first what the limits rest on, then each figure."""
        if self.overridden:
            return [
                f"This chart keeps its own fixed baseline for the segment {self.segment_label}, "
                "which wins over a fix on every chart of the measure; the measure's other "
                "charts would take the new one."
            ]
        if not self.applied:
            return [
                f"This fix would not change this chart: it has no points to fix the segment "
                f"{self.segment_label} on."
            ]
        span = ""
        if self.baseline_from and self.baseline_to:
            span = (
                f" ({label(self.baseline_from, frequency)} – {label(self.baseline_to, frequency)})"
            )
        out = [
            f"The limits of the segment {self.segment_label} would rest on "
            f"{self.baseline_points} points{span}; later points are judged against them."
        ]
        if self.trial:
            out.append(
                f"That is fewer than {TRIAL_POINTS} points: the limits would be trial limits."
            )
        if self.measure_wide:
            out.append(
                "Every chart of this measure takes this fix of its first segment, unless it "
                "has its own. The figures below are this chart's."
            )
        for c in self.changes:
            out.append(
                f"{c.name}: {c.before} → {c.after}"
                if c.changed
                else f"{c.name}: {c.before} (unchanged)"
            )
        return out


def _latest_figures(result: engine.SPCResult, unit: str) -> list[tuple[str, str]]:
    fmt = lambda v: format_value(v, unit)  # noqa: E731 - local shorthand
    variation = result.variation_icon or engine.VariationIcon.COMMON
    assurance = result.assurance_icon
    run = result.options.run_length
    why = engine.rule_description(str(result.rule[-1]), int(result.direction[-1]), run)
    return [
        ("Mean", fmt(result.latest("mean"))),
        ("Lower limit", fmt(result.latest("lpl"))),
        ("Upper limit", fmt(result.latest("upl"))),
        ("Variation (latest point)", engine.VARIATION_LABEL[engine.VariationIcon(variation)]),
        ("Rule (latest point)", why),
        (
            "Assurance (latest point)",
            engine.ASSURANCE_LABEL[engine.AssuranceIcon(assurance)] if assurance else "No target",
        ),
    ]


def preview(
    before: engine.SPCResult,
    after: engine.SPCResult,
    fix: FixedBaseline,
    *,
    unit: str,
    rebases: Sequence[date] = (),
    frequency: str = "monthly",
) -> Preview:
    """What the fix changes: the segment's baseline points, and the latest point's mean,
    limits and icons before → after."""
    found = segments(after, rebases or after.rebase_periods, frequency)
    seg = segment_named(found, fix.segment_start)
    applied = fix in tuple(after.fixed_baselines)
    base_periods: list[date] = []
    if seg is not None:
        first = next(i for i, p in enumerate(after.periods) if _day(p) == seg.start)
        mask = np.asarray(after.in_baseline, dtype=bool)[first : first + seg.points]
        base_periods = [p for p, b in zip(seg.periods, mask, strict=True) if b]
    changes = tuple(
        Change(name, b, a)
        for (name, b), (_, a) in zip(
            _latest_figures(before, unit), _latest_figures(after, unit), strict=True
        )
    )
    return Preview(
        fix=fix,
        segment_label=seg.label if seg else "chosen",
        baseline_points=len(base_periods),
        baseline_from=base_periods[0] if base_periods else None,
        baseline_to=base_periods[-1] if base_periods else None,
        changes=changes,
        trial=0 < len(base_periods) < TRIAL_POINTS,
        applied=applied and bool(base_periods),
    )


def preview_fix(
    result: engine.SPCResult,
    fix: FixedBaseline,
    *,
    unit: str,
    rebases: Sequence[date] = (),
    denominators: Sequence[float] | None = None,
    own_segments: Collection[date | None] = (),
    measure_wide: bool = False,
    frequency: str = "monthly",
) -> Preview:
    """The preview of ``fix`` on one chart: the engine run again on its series with the fix
    in place of any of the same segment (``own_segments``: the segments this chart fixes
    itself, which a measure-wide fix does not change)."""
    if measure_wide and fix.segment_start in set(own_segments):
        found = segment_named(segments(result, rebases, frequency), fix.segment_start)
        same = preview(result, result, fix, unit=unit, rebases=rebases, frequency=frequency)
        words = found.label if found else same.segment_label
        return replace(same, overridden=True, measure_wide=True, segment_label=words)
    after = rerun(
        result,
        with_fix(result.fixed_baselines, fix),
        rebases=rebases,
        denominators=denominators,
        scale=unit_scale(unit),
    )
    shown = preview(result, after, fix, unit=unit, rebases=rebases, frequency=frequency)
    return replace(shown, measure_wide=measure_wide)
