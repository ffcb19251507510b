"""The one plain-English reading of an SPC result: chart captions on the Regions page,
exception slides, tables and speaker notes all use it, so they word a signal the same way.

Boards ask "what does this tell me?" (anchors.md A15). A reading says what the latest point
shows (variation), since when the pattern has run, where the target sits (assurance) and
what caveats apply (trial limits, short series), using only the :class:`~nlf_planner.spc.
SPCResult` the chart draws, so the words can never disagree with the picture.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from nlf_planner.models import Measure
from nlf_planner.periods import FRAMEWORK_LAUNCH, label
from nlf_planner.spc import (
    ASSURANCE_LABEL,
    CHART_TYPE_LABEL,
    TRIAL_POINTS,
    VARIATION_LABEL,
    AssuranceCaveat,
    AssuranceIcon,
    ChartType,
    Rule,
    SPCResult,
    VariationIcon,
    meets_target,
)
from nlf_planner.units import format_value

_RULE_PHRASE = {
    Rule.BEYOND_LIMIT: "a point beyond the {side} process limit",
    Rule.TREND: "a {word} trend",
    Rule.TWO_OF_THREE: "two of three points close to the {side} process limit",
    Rule.SHIFT: "a shift {where} the mean",
}


@dataclass(frozen=True)
class Reading:
    """A short headline plus the sentences behind it (what, since when, target, caveats)."""

    headline: str
    sentences: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(self.sentences)


def _period(d: date | None, measure: Measure) -> str:
    return label(d, measure.frequency) if d else "—"


def _points_since(result: SPCResult, start: date) -> int:
    return int(np.sum(result.periods >= np.datetime64(start, "D")))


def pattern_phrase(result: SPCResult) -> str | None:
    """The rule behind the latest point in words ('a shift below the mean'); None if common."""
    sig = result.signal
    if sig is None or sig.rule == Rule.COMMON:
        return None
    high = sig.direction > 0
    return _RULE_PHRASE[sig.rule].format(
        side="upper" if high else "lower",
        word="rising" if high else "falling",
        where="above" if high else "below",
    )


def headline(result: SPCResult, measure: Measure) -> str:
    """One line: the variation reading and, for a signal, since when ("… since Mar 2025")."""
    if result.empty:
        return "No data yet"
    icon = result.variation_icon or VariationIcon.COMMON
    text = VARIATION_LABEL[icon]
    phrase = pattern_phrase(result)
    sig = result.signal
    if phrase and sig is not None and sig.start is not None:
        if sig.rule == Rule.BEYOND_LIMIT:
            text += f" – {phrase} in {_period(sig.start, measure)}"
        else:
            text += f" – {phrase} since {_period(sig.start, measure)}"
    return text


def reading(result: SPCResult, measure: Measure, where: str = "England") -> Reading:
    """What the chart says about ``measure`` in ``where``, in plain English."""
    if result.empty:
        return no_data(measure, where)
    unit = measure.unit
    fmt = lambda v: format_value(v, unit)  # noqa: E731 - local shorthand
    sentences = [
        f"{measure.name} in {where} was {fmt(result.latest_value)} in "
        f"{_period(result.latest_period, measure)}, against a mean of "
        f"{fmt(result.latest('mean'))}"
        + (
            f" and process limits of {fmt(result.latest('lpl'))} to {fmt(result.latest('upl'))}."
            if result.latest("lpl") is not None
            else "."
        )
    ]
    sentences.append(_variation_sentence(result, measure))
    assurance = _assurance_sentence(result, measure)
    if assurance:
        sentences.append(assurance)
    fixed = fixed_sentence(result, measure)
    if fixed:
        sentences.append(fixed)
    chart = chart_type_sentence(result)
    if chart:
        sentences.append(chart)
    if result.trial_limits:
        sentences.append(
            "The limits rest on fewer than 12 points, so treat them as trial limits and the "
            "reading as provisional."
        )
    if result.rebase_periods:
        last = result.rebase_periods[-1]
        sentences.append(f"Limits were recalculated from {_period(last, measure)} (a rebase).")
    return Reading(headline(result, measure), sentences)


def fixed_sentence(result: SPCResult, measure: Measure) -> str | None:
    """When the latest segment's limits are fixed, on which points ("Limits fixed on the 8
    points Apr 2016 – Nov 2016, before the framework's launch; later points are judged
    against them."); None when they come from every point of the segment."""
    if result.empty or result.fixed is None or not bool(result.fixed[-1]):
        return None
    base = (result.segment == result.segment[-1]) & np.asarray(result.in_baseline, dtype=bool)
    points = result.periods[base]
    if points.size == 0:
        return None
    first = points[0].astype("datetime64[D]").item()
    last = points[-1].astype("datetime64[D]").item()
    n = int(points.size)
    span = (
        _period(first, measure)
        if n == 1
        else f"{_period(first, measure)} – {_period(last, measure)}"
    )
    launch = ", before the framework's launch" if last < FRAMEWORK_LAUNCH else ""
    return (
        f"Limits fixed on the {n} point{'s' if n != 1 else ''} {span}{launch}; later points "
        "are judged against them."
    )


def chart_type_sentence(result: SPCResult) -> str | None:
    """Which chart the limits come from when it is not an XmR chart ("Limits from a Laney
    p′-chart."), or why a p-chart asked for fell back to XmR; None for a plain XmR chart."""
    note = getattr(result, "chart_type_note", None)
    if note:
        return note if note.endswith(".") else f"{note}."
    kind = str(result.chart_type or ChartType.XMR)
    if kind == ChartType.XMR:
        return None
    return f"Limits from a {CHART_TYPE_LABEL.get(kind, kind)}."


def no_data(measure: Measure, where: str) -> Reading:
    """The reading for a chart with no values yet."""
    return Reading("No data yet", [f"There are no values yet for {measure.name} in {where}."])


def _variation_sentence(result: SPCResult, measure: Measure) -> str:
    sig = result.signal
    icon = result.variation_icon or VariationIcon.COMMON
    if icon == VariationIcon.COMMON or sig is None:
        return (
            "Only common-cause variation: the latest point is within the limits and no "
            "pattern is present, so the process is stable and changes from one period to the "
            "next are noise, not news."
        )
    phrase = pattern_phrase(result) or "a special-cause signal"
    kind = str(icon).split("_")[0]
    meaning = {
        "improvement": "special-cause improvement: the measure has moved in the better "
        "direction by more than chance would explain",
        "concern": "special-cause concern: the measure has moved in the worse direction by "
        "more than chance would explain, so look for the cause and act on it",
        "neutral": "special-cause variation (this measure has no better or worse direction): "
        "something has changed and is worth understanding",
    }[kind]
    when = ""
    if sig.start is not None:
        n = _points_since(result, sig.start)
        if sig.rule == Rule.BEYOND_LIMIT:
            when = f" in {_period(sig.start, measure)}"
        else:
            points = f"{n} point{'s' if n != 1 else ''}"
            when = f" since {_period(sig.start, measure)} ({points})"
    return f"The chart shows {phrase}{when}. This is {meaning}."


def _fixed(result: SPCResult) -> bool:
    """Whether the latest segment's limits are fixed on a baseline."""
    return bool(result.fixed[-1]) if not result.empty else False


def _inside_baseline(c: AssuranceCaveat, result: SPCResult) -> bool:
    """Whether the caveat's run began among the fixed baseline's own points."""
    i = int(np.searchsorted(result.periods, np.datetime64(c.start, "D")))
    return i < result.n and bool(result.in_baseline[i]) and bool(result.fixed[i])


def assurance_reason(result: SPCResult, measure: Measure) -> str | None:
    """Why the assurance is not assessable, in one line for tables, tiles and slides
    ("Not assessable until the limits are rebased: a shift has run since Aug 2022");
    None when the assurance can be read from the limits."""
    c = result.assurance_caveat
    if c is None:
        return None
    since = _period(c.start, measure)
    if c.rule == Rule.SHIFT and _fixed(result):
        if c.rebase_from is not None:
            return (
                "Not assessable until the limits are rebased: a shift against the fixed "
                f"baseline has run since {since}"
            )
        if _inside_baseline(c, result):
            return (
                f"Not assessable: a shift has run since {since}, inside the fixed baseline; "
                "fix the limits on the points before it"
            )
    if c.rule == Rule.SHIFT and c.rebase_from is not None:
        return f"Not assessable until the limits are rebased: a shift has run since {since}"
    if c.rule == Rule.SHIFT:
        return (
            f"Not assessable yet: a shift has run since {since} ({c.points} points), too "
            "few to rebase at"
        )
    if c.rule == Rule.TREND:
        word = "rising" if c.direction > 0 else "falling"
        return f"Not assessable while the trend lasts: a {word} trend has run since {since}"
    side = "upper" if c.direction > 0 else "lower"
    met = "already meets" if c.limits_say == AssuranceIcon.FAIL else "misses"
    return f"Not assessable: the latest point is beyond the {side} limit and {met} the target"


def assurance_label(result: SPCResult, measure: Measure) -> str | None:
    """The assurance in words: the reason when it is not assessable, else the icon's label;
    None without a target."""
    icon = result.assurance_icon
    if icon is None:
        return None
    return assurance_reason(result, measure) or ASSURANCE_LABEL[icon]


def _not_assessable_sentence(c: AssuranceCaveat, result: SPCResult, measure: Measure) -> str:
    fmt = lambda v: format_value(v, measure.unit)  # noqa: E731 - local shorthand
    target = fmt(result.target)
    since = _period(c.start, measure)
    points = f"{c.points} point{'s' if c.points != 1 else ''}"
    contradiction = ""
    meets = meets_target(result.latest_value, result.target, result.polarity)
    if (c.limits_say, meets) in ((AssuranceIcon.FAIL, True), (AssuranceIcon.PASS, False)):
        verdict = "out of reach" if c.limits_say == AssuranceIcon.FAIL else "always met"
        contradiction = (
            f" On those limits the target would look {verdict}, yet the latest value is "
            f"{fmt(result.latest_value)}."
        )
    if c.rule == Rule.SHIFT and _fixed(result):
        head = (
            f"Assurance against the target of {target}: not assessable. A shift against the "
            f"fixed baseline's limits has run since {since} ({points}): the fixed limits "
            "describe the baseline's process, not the one running now."
        )
        if c.rebase_from is not None:
            follow = (
                f" The suggested rebase is {_period(c.rebase_from, measure)}, after the "
                "baseline: once the change is understood, a data manager can confirm it under "
                "Notes and rebases on the Regions page's chart."
            )
        elif _inside_baseline(c, result):
            follow = (
                " The shift began inside the fixed baseline, so the baseline mixes two "
                f"levels: fix the limits on the points before {since} to compare before and "
                "after."
            )
        else:
            follow = (
                f" Once the shift has run for {TRIAL_POINTS} points the limits can be rebased "
                f"from {since}."
            )
        return head + contradiction + follow
    if c.rule == Rule.SHIFT:
        head = (
            f"Assurance against the target of {target}: not assessable until the limits are "
            f"rebased. A shift has run since {since} ({points}), so the limits are fitted "
            "across the process before and after it and describe neither."
        )
        if c.rebase_from is not None:
            follow = (
                f" The suggested rebase is {_period(c.rebase_from, measure)}: once the change "
                "is understood, a data manager can confirm it under Notes and rebases on the "
                "Regions page's chart."
            )
        else:
            follow = (
                f" Once the shift has run for {TRIAL_POINTS} points the limits can be rebased "
                f"from {since}."
            )
        return head + contradiction + follow
    if c.rule == Rule.TREND:
        word = "rising" if c.direction > 0 else "falling"
        return (
            f"Assurance against the target of {target}: not assessable while the trend lasts. "
            f"A {word} trend has run since {since} ({points}), so the limits describe a "
            f"process that is still changing.{contradiction} Rebase once the measure settles "
            "at its new level."
        )
    side = "upper" if c.direction > 0 else "lower"
    met = "already meets" if c.limits_say == AssuranceIcon.FAIL else "misses"
    return (
        f"Assurance against the target of {target}: not assessable. The latest value of "
        f"{fmt(result.latest_value)} lies beyond the {side} process limit and {met} the "
        "target, so the limits no longer describe the latest points; watch whether the "
        "change lasts before rebasing."
    )


def _assurance_sentence(result: SPCResult, measure: Measure) -> str | None:
    icon = result.assurance_icon
    if icon is None or result.target is None:
        return None
    if result.assurance_caveat is not None:
        return _not_assessable_sentence(result.assurance_caveat, result, measure)
    target = format_value(result.target, measure.unit)
    if icon == AssuranceIcon.FAIL:
        return (
            f"The target of {target} lies outside the process limits on the wrong side: "
            f"{ASSURANCE_LABEL[icon].lower()} unless the process itself changes."
        )
    if icon == AssuranceIcon.PASS:
        return f"The target of {target} lies outside the limits on the right side: " + (
            f"{ASSURANCE_LABEL[icon].lower()}."
        )
    return (
        f"The target of {target} lies within the process limits: the process will "
        "sometimes meet it and sometimes not (hit or miss)."
    )


def short_reading(result: SPCResult, measure: Measure) -> str:
    """Variation headline plus assurance in one line, for tables and notes."""
    text = headline(result, measure)
    words = assurance_label(result, measure)
    if words:
        text += f"; {words[0].lower()}{words[1:]}"
    return text
