"""Why each point of an SPC chart is special cause, in plain English, and since when.

The engine (:mod:`nlf_planner.spc`) says which rules flag a point (``result.flags``) and
which one decides its colour (``result.rule``, NHSRplotthedots's precedence). An analyst
hovering a point asks two more things (NHSRplotthedots 206, PowerBI-SPC 369 and 403): *why*
is it special, and *since when*. This module answers both for every point at once:

* **since when** is the first period of the run the point belongs to, per rule: a shift's
  first point on that side of the mean, a trend's first point (a turning point shared by a
  rising and a falling trend belongs to the one that starts there, as the engine's
  direction says), the first flagged point of the earliest two-of-three window holding the
  point, and for a point beyond a limit the point itself. Runs never cross a rebase
  (``result.segment``).
* **why** is one sentence: the polarity meaning (improvement, concern, or neither, from
  ``result.point_type``), the deciding rule with its start and the point's place in the run,
  and every other rule that fired ("also below the lower limit").

Everything but the sentences is array arithmetic over the result; the sentences are one
pass of string formatting (about a microsecond a point). :func:`point_flags` is the frame the
chart's CSV carries: the four rule flags (the column names of ``SPCResult.to_frame()``), the
start of the deciding rule's run and the sentence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from nlf_planner.periods import label as period_label
from nlf_planner.spc import PointType, Rule, RuleFlag, SPCResult

#: The CSV columns of the four rule flags, as ``SPCResult.to_frame()`` names them.
FLAG_COLUMNS = {
    "beyond_limit": RuleFlag.BEYOND_LIMIT,
    "trend": RuleFlag.TREND,
    "two_of_three": RuleFlag.TWO_OF_THREE,
    "shift": RuleFlag.SHIFT,
}
POINT_FLAG_COLUMNS = ["period", *FLAG_COLUMNS, "special_cause_since", "why"]

MEANING = {
    PointType.IMPROVEMENT.value: "Special cause of improvement",
    PointType.CONCERN.value: "Special cause of concern",
    PointType.NEUTRAL_HIGH.value: "Special cause (neither improvement nor concern)",
    PointType.NEUTRAL_LOW.value: "Special cause (neither improvement nor concern)",
}
COMMON_CAUSE = "Common cause variation"

_RULE_OF_FLAG = {
    RuleFlag.BEYOND_LIMIT: Rule.BEYOND_LIMIT,
    RuleFlag.TREND: Rule.TREND,
    RuleFlag.TWO_OF_THREE: Rule.TWO_OF_THREE,
    RuleFlag.SHIFT: Rule.SHIFT,
}


@dataclass(frozen=True, eq=False)
class RunStarts:
    """Per point and per rule: the index where the point's run of that rule starts (-1 when
    the rule does not flag the point) and the run's direction (+1 high or rising, -1 low or
    falling, 0 when not flagged)."""

    start: dict[RuleFlag, np.ndarray]
    direction: dict[RuleFlag, np.ndarray]

    def deciding(self, result: SPCResult) -> np.ndarray:
        """The start of the run of the rule that decides each point's reading; -1 for
        common cause."""
        out = np.full(result.n, -1, dtype=np.int64)
        for bit, rule in _RULE_OF_FLAG.items():
            mask = result.rule == rule.value
            out[mask] = self.start[bit][mask]
        return out


def _new_segment(segment: np.ndarray) -> np.ndarray:
    n = segment.size
    new = np.ones(n, dtype=bool)
    if n > 1:
        new[1:] = segment[1:] != segment[:-1]
    return new


def _group_first(breaks: np.ndarray) -> np.ndarray:
    """For each position, the index of the latest ``True`` in ``breaks`` at or before it."""
    idx = np.arange(breaks.size)
    return np.maximum.accumulate(np.where(breaks, idx, 0))


def run_starts(result: SPCResult) -> RunStarts:
    """Where each flagged point's run starts, per rule, in a few vectorised steps."""
    n = result.n
    flags = np.asarray(result.flags, dtype=np.int64)
    y = np.asarray(result.values, dtype=float)
    with np.errstate(invalid="ignore"):
        side = np.nan_to_num(np.sign(y - np.asarray(result.mean, dtype=float))).astype(np.int64)
    new_seg = _new_segment(np.asarray(result.segment))
    idx = np.arange(n)
    none = np.full(n, -1, dtype=np.int64)
    start: dict[RuleFlag, np.ndarray] = {}
    direction: dict[RuleFlag, np.ndarray] = {}

    # Beyond a limit: the point itself, on its side of the mean.
    beyond = (flags & RuleFlag.BEYOND_LIMIT) != 0
    start[RuleFlag.BEYOND_LIMIT] = np.where(beyond, idx, none)
    direction[RuleFlag.BEYOND_LIMIT] = np.where(beyond, np.where(side >= 0, 1, -1), 0)

    # Shift: consecutive flagged points on one side of the mean, inside one segment.
    shift = (flags & RuleFlag.SHIFT) != 0
    brk = new_seg | ~shift
    if n > 1:
        brk[1:] |= ~shift[:-1] | (side[1:] != side[:-1])
    start[RuleFlag.SHIFT] = np.where(shift, _group_first(brk), none)
    direction[RuleFlag.SHIFT] = np.where(shift, np.where(side >= 0, 1, -1), 0)

    # Trend: runs of steps in one direction (a step across a rebase is no step); a point
    # takes the run of the step to its right when that step is in a trend, else the left.
    trend = (flags & RuleFlag.TREND) != 0
    t_start, t_dir = none.copy(), np.zeros(n, dtype=np.int64)
    if n > 1:
        d = np.sign(np.diff(y)).astype(np.int64)
        d[new_seg[1:]] = 0
        change = np.ones(n - 1, dtype=bool)
        change[1:] = d[1:] != d[:-1]
        run_id = np.cumsum(change) - 1
        long_run = (np.bincount(run_id)[run_id] >= result.options.run_length - 1) & (d != 0)
        first_step = _group_first(change)
        right = np.concatenate([long_run, [False]])
        left = np.concatenate([[False], long_run])
        t_start = np.where(
            right,
            np.concatenate([first_step, [0]]),
            np.where(left, np.concatenate([[0], first_step]), -1),
        )
        t_dir = np.where(
            right, np.concatenate([d, [0]]), np.where(left, np.concatenate([[0], d]), 0)
        )
    # The engine's flags are the authority; a flagged point the steps do not explain (none
    # should exist) starts its own run.
    start[RuleFlag.TREND] = np.where(trend, np.where(t_start >= 0, t_start, idx), none)
    direction[RuleFlag.TREND] = np.where(trend, np.where(t_dir > 0, 1, -1), 0)

    # Two of three: the earliest window of three holding the point in which two or more are
    # flagged, all on one side of the mean, inside one segment (the engine's own test, read
    # from its flags); the run starts at the window's first flagged point.
    two = (flags & RuleFlag.TWO_OF_THREE) != 0
    t2 = none.copy()
    if n >= 3:
        c = two.astype(np.int64)
        seg = np.asarray(result.segment)
        window = (
            ((c[:-2] + c[1:-1] + c[2:]) >= 2)
            & (np.abs(side[:-2] + side[1:-1] + side[2:]) == 3)
            & (seg[:-2] == seg[2:])
        )
        first_flagged = np.where(two[:-2], idx[:-2], idx[:-2] + 1)
        padded = np.concatenate([[False, False], window, [False, False]])
        first_pad = np.concatenate([[0, 0], first_flagged, [0, 0]])
        # Window k starts at k; the windows holding point i start at i-2, i-1 and i, which
        # sit at padded positions i, i+1 and i+2.
        for offset in (0, 1, 2):
            hit = (t2 < 0) & padded[offset : offset + n]
            t2 = np.where(hit, first_pad[offset : offset + n], t2)
    start[RuleFlag.TWO_OF_THREE] = np.where(two, np.where(t2 >= 0, t2, idx), none)
    direction[RuleFlag.TWO_OF_THREE] = np.where(two, np.where(side >= 0, 1, -1), 0)
    return RunStarts(start=start, direction=direction)


def _phrase(bit: RuleFlag, high: bool, run_length: int) -> str:
    if bit == RuleFlag.BEYOND_LIMIT:
        return "above the upper limit" if high else "below the lower limit"
    if bit == RuleFlag.TREND:
        word = "rising" if high else "falling"
        return f"a trend ({run_length} or more points in a row {word})"
    if bit == RuleFlag.TWO_OF_THREE:
        return f"two of three points close to the {'upper' if high else 'lower'} limit"
    side = "above" if high else "below"
    return f"a shift ({run_length} or more points {side} the mean)"


def _labels(result: SPCResult, labels: Sequence[str] | None) -> Sequence[str]:
    if labels is not None:
        if len(labels) != result.n:
            raise ValueError("One label per point is needed.")
        return labels
    return [period_label(d, "monthly") for d in result.periods.astype("datetime64[D]").tolist()]


def why(result: SPCResult, labels: Sequence[str] | None = None) -> list[str]:
    """One plain-English sentence per point: why it is special cause, since when, and what
    it means for the measure; "Common cause variation" when no rule fired.

    ``labels`` name the periods as the chart does (a quarter as "Q1 2025/26"); by default,
    months ("Mar 2025").
    """
    if result.empty:
        return []
    names = _labels(result, labels)
    runs = run_starts(result)
    run_length = result.options.run_length
    flags = np.asarray(result.flags, dtype=np.int64).tolist()
    rules = result.rule.tolist()
    types = result.point_type.tolist()
    starts = {bit: arr.tolist() for bit, arr in runs.start.items()}
    dirs = {bit: arr.tolist() for bit, arr in runs.direction.items()}
    bit_of_rule = {rule.value: bit for bit, rule in _RULE_OF_FLAG.items()}
    order = (RuleFlag.BEYOND_LIMIT, RuleFlag.TREND, RuleFlag.TWO_OF_THREE, RuleFlag.SHIFT)

    def part(bit: RuleFlag, i: int, with_place: bool) -> str:
        text = _phrase(bit, dirs[bit][i] > 0, run_length)
        if bit == RuleFlag.BEYOND_LIMIT:
            return text
        s = starts[bit][i]
        text += f" since {names[s]}"
        if with_place and bit != RuleFlag.TWO_OF_THREE:
            text += f", point {i - s + 1} of the run"
        return text

    out: list[str] = []
    for i, (f, rule, ptype) in enumerate(zip(flags, rules, types, strict=True)):
        if f == 0 or rule == Rule.COMMON:
            out.append(COMMON_CAUSE)
            continue
        main = bit_of_rule[rule]
        sentence = f"{MEANING.get(ptype, 'Special cause')}: {part(main, i, True)}"
        others = [part(b, i, False) for b in order if b != main and f & b]
        if others:
            sentence += "; also " + " and ".join(others)
        out.append(sentence)
    return out


def point_flags(result: SPCResult, labels: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per point for the chart's CSV: the period, the four rule flags, the first
    period of the deciding rule's run (``special_cause_since``, empty for common cause) and
    the sentence of :func:`why`."""
    if result.empty:
        return pd.DataFrame({c: [] for c in POINT_FLAG_COLUMNS})
    flags = np.asarray(result.flags, dtype=np.int64)
    since = run_starts(result).deciding(result)
    periods = pd.to_datetime(result.periods)
    frame = {"period": periods}
    for column, bit in FLAG_COLUMNS.items():
        frame[column] = (flags & bit) != 0
    frame["special_cause_since"] = pd.Series(periods[np.maximum(since, 0)]).where(since >= 0)
    frame["why"] = why(result, labels)
    return pd.DataFrame(frame)
