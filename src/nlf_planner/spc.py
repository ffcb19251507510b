"""Statistical process control the Making Data Count way (XmR chart, four rules, icons).

The numbers follow NHSRplotthedots (the NHS-R reference implementation) so that a chart here
agrees with the charts boards already see: limits are ``mean ± 2.66 × mean moving range``,
moving ranges at or above ``3.267 × mean MR`` are screened out by default, limits are computed
per rebase segment from the first *n* points when the baseline is fixed, and a point's reading
follows the package's precedence (beyond a limit, then trend, then two-out-of-three, then
shift). One :class:`SPCResult` per series feeds both the chart and the summary tables, so the
two can never disagree.

Issue 17 adds, per series: fixed baselines per rebase segment (:class:`FixedBaseline`: the
segment's limits are computed on its first *N* points or its points up to a period, and every
later point is judged against them), and p-charts for proportions (:class:`ChartType`): limits
from each period's denominator, ``p̄ ± 3√(p̄(1−p̄)/nᵢ)``, and Laney's p′ adjustment, which
multiplies that sigma by ``σz`` = mean moving range of the z-scores / 1.128, exactly as
qicharts2's ``chart = "pp"`` does (no moving-range screening; limits clamped to 0–100%). The
four rules run on every chart type alike, each point against its own limits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import IntFlag, StrEnum

import numpy as np
import pandas as pd

from nlf_planner.settings import get_settings

LIMIT = 2.66
NEAR_LIMIT = 2 * LIMIT / 3
SCREEN_FACTOR = 3.267
TRIAL_POINTS = 12

POLARITY_SIGN = {"higher_is_better": 1, "lower_is_better": -1, "neutral": 0}

# NHSRplotthedots ptd_spc_colours(); the icon letters carry the meaning as well.
COLOURS = {
    "common_cause": "#a6a6a6",
    "improvement": "#00b0f0",
    "concern": "#e46c0a",
    "neutral": "#490092",
    "target": "#de1b1b",
    "trajectory": "#490092",
    "mean": "#000000",
    "limit": "#7f7f7f",
}


class ChartType(StrEnum):
    """Which control chart a series' limits come from."""

    XMR = "xmr"
    P = "p"
    P_PRIME = "pp"


#: How each chart type is named wherever a limit is shown.
CHART_TYPE_LABEL: dict[str, str] = {
    ChartType.XMR: "XmR chart",
    ChartType.P: "p-chart",
    ChartType.P_PRIME: "Laney p′-chart",
}
#: Sigma multiples of the p-charts' process limits and of their two-of-three band.
P_LIMIT_SIGMAS = 3.0
P_NEAR_SIGMAS = 2.0
#: d2 for moving ranges of two points (Laney's σz, qicharts2).
D2 = 1.128


@dataclass(frozen=True)
class FixedBaseline:
    """The limits of one segment frozen on its first points (MDC: "fix the limits").

    ``segment_start`` names the segment: None for the series' first segment, else the rebase
    date that starts it (as the rebase is stored). The baseline is the segment's first
    ``points`` points, or its points up to and including ``until``: exactly one is given.
    """

    segment_start: date | None = None
    points: int | None = None
    until: date | None = None

    def __post_init__(self) -> None:
        if (self.points is None) == (self.until is None):
            raise ValueError("A fixed baseline needs either a number of points or an end date.")
        if self.points is not None and self.points < 2:
            raise ValueError("A fixed baseline needs at least 2 points.")


class Rule(StrEnum):
    """The rule that decides a point's reading (after NHSRplotthedots's precedence)."""

    COMMON = "common_cause"
    BEYOND_LIMIT = "beyond_limit"
    TREND = "trend"
    TWO_OF_THREE = "two_of_three"
    SHIFT = "shift"


class RuleFlag(IntFlag):
    """Every rule that flags a point; hover text lists them all."""

    NONE = 0
    BEYOND_LIMIT = 1
    TREND = 2
    TWO_OF_THREE = 4
    SHIFT = 8


class PointType(StrEnum):
    COMMON = "common_cause"
    IMPROVEMENT = "improvement"
    CONCERN = "concern"
    NEUTRAL_HIGH = "neutral_high"
    NEUTRAL_LOW = "neutral_low"


class VariationIcon(StrEnum):
    COMMON = "common_cause"
    IMPROVEMENT_HIGH = "improvement_high"
    IMPROVEMENT_LOW = "improvement_low"
    CONCERN_HIGH = "concern_high"
    CONCERN_LOW = "concern_low"
    NEUTRAL_HIGH = "neutral_high"
    NEUTRAL_LOW = "neutral_low"


class AssuranceIcon(StrEnum):
    PASS = "consistent_pass"
    FAIL = "consistent_fail"
    HIT_OR_MISS = "hit_or_miss"
    #: The limits do not describe the latest points (see :class:`AssuranceCaveat`), so where
    #: the target sits against them says nothing about what the process will do.
    NOT_ASSESSABLE = "not_assessable"


VARIATION_LETTER = {
    VariationIcon.COMMON: "C",
    VariationIcon.IMPROVEMENT_HIGH: "H",
    VariationIcon.IMPROVEMENT_LOW: "L",
    VariationIcon.CONCERN_HIGH: "H",
    VariationIcon.CONCERN_LOW: "L",
    VariationIcon.NEUTRAL_HIGH: "H",
    VariationIcon.NEUTRAL_LOW: "L",
}
VARIATION_LABEL = {
    VariationIcon.COMMON: "Common-cause variation",
    VariationIcon.IMPROVEMENT_HIGH: "Special-cause improvement (high)",
    VariationIcon.IMPROVEMENT_LOW: "Special-cause improvement (low)",
    VariationIcon.CONCERN_HIGH: "Special-cause concern (high)",
    VariationIcon.CONCERN_LOW: "Special-cause concern (low)",
    VariationIcon.NEUTRAL_HIGH: "Special-cause variation (high)",
    VariationIcon.NEUTRAL_LOW: "Special-cause variation (low)",
}
ASSURANCE_LETTER = {
    AssuranceIcon.PASS: "P",
    AssuranceIcon.FAIL: "F",
    AssuranceIcon.HIT_OR_MISS: "?",
    AssuranceIcon.NOT_ASSESSABLE: "N",
}
ASSURANCE_LABEL = {
    AssuranceIcon.PASS: "Will consistently pass the target",
    AssuranceIcon.FAIL: "Will consistently fail the target",
    AssuranceIcon.HIT_OR_MISS: "Hit or miss: will sometimes pass, sometimes fail the target",
    AssuranceIcon.NOT_ASSESSABLE: "Not assessable: the limits do not describe the latest points",
}


def variation_colour(icon: VariationIcon | str) -> str:
    """The NHSRplotthedots colour for a variation icon (improvement blue, concern orange)."""
    name = str(icon)
    if name.startswith("improvement"):
        return COLOURS["improvement"]
    if name.startswith("concern"):
        return COLOURS["concern"]
    if name.startswith("neutral"):
        return COLOURS["neutral"]
    return COLOURS["common_cause"]


def assurance_colour(icon: AssuranceIcon | str | None) -> str:
    if icon == AssuranceIcon.PASS:
        return COLOURS["improvement"]
    if icon == AssuranceIcon.FAIL:
        return COLOURS["concern"]
    return COLOURS["common_cause"]


@dataclass(frozen=True)
class SPCOptions:
    """How limits and rules are computed; one set for the whole app (see :func:`default`)."""

    run_length: int = 7
    fix_after_n: int | None = None
    screen_outliers: bool = True

    def __post_init__(self) -> None:
        if self.run_length not in (6, 7):
            raise ValueError("The run length for shifts and trends must be 6 or 7 points.")
        if self.fix_after_n is not None and self.fix_after_n < 2:
            raise ValueError("A fixed baseline needs at least 2 points.")

    @classmethod
    def default(cls, **overrides) -> SPCOptions:
        """The installation's options: run length from settings, so charts and tables agree."""
        values = {"run_length": get_settings().spc_run_length}
        values.update(overrides)
        return cls(**values)


@dataclass(frozen=True)
class Signal:
    """What the latest point says, with the start of the pattern it belongs to."""

    rule: Rule
    direction: int
    point_type: PointType
    start: date | None


@dataclass(frozen=True)
class AssuranceCaveat:
    """Why the latest limits cannot give an assurance reading, and what would fix it.

    ``rule`` is the special cause the latest point belongs to: a shift or a trend that runs
    to the latest point inside the segment the limits come from (the limits mix the process
    before and after the change), or a point beyond a limit whose value contradicts what
    the limits say (``limits_say``: a target met that they call a certain fail, or missed
    that they call a certain pass). ``rebase_from`` is the suggested rebase
    (:func:`suggest_rebase`), when there is one.
    """

    rule: Rule
    direction: int
    start: date
    points: int
    limits_say: AssuranceIcon
    rebase_from: date | None = None


@dataclass(frozen=True, eq=False)
class SPCResult:
    """Per-point arrays plus the latest-point icons for one series; charts and tables share it."""

    periods: np.ndarray  # datetime64[D]
    values: np.ndarray
    segment: np.ndarray
    mean: np.ndarray
    lpl: np.ndarray
    upl: np.ndarray
    near_lpl: np.ndarray
    near_upl: np.ndarray
    trial: np.ndarray
    rule: np.ndarray  # Rule values (str)
    direction: np.ndarray  # +1 high / -1 low / 0 common
    flags: np.ndarray  # RuleFlag bit mask of every rule that fired
    point_type: np.ndarray  # PointType values (str)
    polarity: str
    options: SPCOptions
    target: float | None = None
    variation_icon: VariationIcon | None = None
    assurance_icon: AssuranceIcon | None = None
    signal: Signal | None = None
    rebase_periods: tuple[date, ...] = field(default_factory=tuple)
    assurance_caveat: AssuranceCaveat | None = None
    chart_type: str = ChartType.XMR
    #: Per point: the point is among those its segment's limits come from.
    in_baseline: np.ndarray | None = None
    #: Per point: its segment's limits are fixed on a baseline.
    fixed: np.ndarray | None = None
    fixed_baselines: tuple[FixedBaseline, ...] = field(default_factory=tuple)
    #: Why a requested p or p′ chart fell back to XmR (missing denominators), else None.
    chart_type_note: str | None = None

    def __post_init__(self) -> None:
        n = self.values.size
        if self.in_baseline is None:
            object.__setattr__(self, "in_baseline", np.ones(n, dtype=bool))
        if self.fixed is None:
            object.__setattr__(self, "fixed", np.zeros(n, dtype=bool))

    def segment_starts(self) -> list[date]:
        """The first period of each segment, in order (one per rebase in use, plus the first)."""
        if self.empty:
            return []
        first = np.flatnonzero(np.concatenate([[True], self.segment[1:] != self.segment[:-1]]))
        return [_to_date(self.periods[i]) for i in first]

    @property
    def chart_label(self) -> str:
        """The chart type's name ("XmR chart", "Laney p′-chart")."""
        return CHART_TYPE_LABEL.get(self.chart_type, str(self.chart_type))

    @property
    def n(self) -> int:
        return int(self.values.size)

    @property
    def empty(self) -> bool:
        return self.values.size == 0

    @property
    def latest_value(self) -> float | None:
        return None if self.empty else float(self.values[-1])

    @property
    def latest_period(self) -> date | None:
        return None if self.empty else _to_date(self.periods[-1])

    def latest(self, name: str) -> float | None:
        """The latest point's value of a per-point array (mean, lpl, upl…); None when missing."""
        if self.empty:
            return None
        v = float(getattr(self, name)[-1])
        return None if np.isnan(v) else v

    @property
    def trial_limits(self) -> bool:
        """True when the latest segment's limits rest on fewer than 12 points."""
        return bool(self.trial[-1]) if not self.empty else True

    def to_frame(self) -> pd.DataFrame:
        """One row per point, as the chart draws it and the CSV download carries it."""
        return pd.DataFrame(
            {
                "period": pd.to_datetime(self.periods),
                "value": self.values,
                "segment": self.segment,
                "mean": self.mean,
                "lower_limit": self.lpl,
                "upper_limit": self.upl,
                "trial_limits": self.trial,
                "in_baseline": self.in_baseline,
                "fixed_baseline": self.fixed,
                "chart_type": self.chart_type,
                "rule": self.rule,
                "rules_fired": [rule_names(f) for f in self.flags],
                "beyond_limit": (self.flags & RuleFlag.BEYOND_LIMIT) != 0,
                "trend": (self.flags & RuleFlag.TREND) != 0,
                "two_of_three": (self.flags & RuleFlag.TWO_OF_THREE) != 0,
                "shift": (self.flags & RuleFlag.SHIFT) != 0,
                "point_type": self.point_type,
            }
        )


def rule_names(flags: int) -> str:
    """Plain names of every rule in a bit mask, for hover text and downloads."""
    names = []
    if flags & RuleFlag.BEYOND_LIMIT:
        names.append("beyond a process limit")
    if flags & RuleFlag.TREND:
        names.append("trend")
    if flags & RuleFlag.TWO_OF_THREE:
        names.append("two of three near a limit")
    if flags & RuleFlag.SHIFT:
        names.append("shift")
    return "; ".join(names)


def rule_description(rule: str, direction: int, run_length: int) -> str:
    """The hover text for a point: which rule decided its colour, in plain English."""
    high = direction > 0
    match rule:
        case Rule.BEYOND_LIMIT:
            return "Above the upper process limit" if high else "Below the lower process limit"
        case Rule.TREND:
            word = "rising" if high else "falling"
            return f"Part of a trend: {run_length} or more points in a row {word}"
        case Rule.TWO_OF_THREE:
            side = "upper" if high else "lower"
            return f"Two of three points close to the {side} process limit"
        case Rule.SHIFT:
            side = "above" if high else "below"
            return f"Part of a shift: {run_length} or more points in a row {side} the mean"
    return "Common-cause variation (no rule fired)"


def _to_date(value: np.datetime64) -> date:
    return value.astype("datetime64[D]").item()


def _as_day_array(periods: Iterable) -> np.ndarray:
    return pd.to_datetime(pd.Series(list(periods))).to_numpy().astype("datetime64[D]")


def _run_mask(codes: np.ndarray, min_len: int, starts: np.ndarray | None = None) -> np.ndarray:
    """True where a value sits in a run of at least ``min_len`` equal, non-zero codes
    (``starts`` marks positions where a new group begins, which also ends a run)."""
    n = codes.size
    if n == 0:
        return np.zeros(0, dtype=bool)
    change = np.empty(n, dtype=bool)
    change[0] = True
    np.not_equal(codes[1:], codes[:-1], out=change[1:])
    if starts is not None:
        change |= starts
    run_id = np.cumsum(change) - 1
    run_len = np.bincount(run_id)
    return (run_len[run_id] >= min_len) & (codes != 0)


_RULE_BY_CODE = np.array(
    [r.value for r in (Rule.COMMON, Rule.BEYOND_LIMIT, Rule.TREND, Rule.TWO_OF_THREE, Rule.SHIFT)],
    dtype=object,
)


def _segment_starts(
    periods: np.ndarray, rebases: Sequence[date]
) -> tuple[list[int], list[date], dict[date, int]]:
    """Positions where a rebase starts a segment: the first point on or after each date.

    Also returns, for each rebase date given, the position of the segment it starts (two
    rebases falling on one point start the same segment), so a fixed baseline named by its
    rebase date finds its segment."""
    idx: list[int] = []
    used: list[date] = []
    by_date: dict[date, int] = {}
    for r in sorted(set(rebases)):
        i = int(np.searchsorted(periods, np.datetime64(r, "D"), side="left"))
        if 0 < i < periods.size:
            by_date[r] = i
            if i not in idx:
                idx.append(i)
                used.append(_to_date(periods[i]))
    return idx, used, by_date


def _baseline_mask(
    p: np.ndarray,
    start: np.ndarray,
    fixes: Sequence[tuple[int, int, Sequence[FixedBaseline], dict[date, int]]],
    fix_after_n: int | None,
) -> tuple[np.ndarray, np.ndarray, list[tuple[FixedBaseline, ...]]]:
    """Which points each segment's limits come from, and which segments are fixed.

    ``fixes`` holds, per series, its (first, end) positions, its fixed baselines and where its
    rebase dates start segments. A segment without a fix of its own uses every point (or its
    first ``fix_after_n`` when the installation fixes every chart). A fix whose segment no
    longer exists (its rebase was removed) or that would leave no points is not applied.
    """
    n = p.size
    gid = np.cumsum(start) - 1
    first = np.flatnonzero(start)
    pos = np.arange(n) - first[gid]
    base = pos < fix_after_n if fix_after_n else np.ones(n, dtype=bool)
    fixed = np.zeros(n, dtype=bool)
    applied: list[tuple[FixedBaseline, ...]] = []
    for s, e, series_fixes, by_date in fixes:
        used: list[FixedBaseline] = []
        for fix in series_fixes:
            if fix.segment_start is None:
                seg_first = s
            elif fix.segment_start in by_date:
                seg_first = s + by_date[fix.segment_start]
            else:
                continue
            g = gid[seg_first]
            seg_end = int(np.searchsorted(gid, g, side="right"))
            seg_end = min(seg_end, e)
            span = np.arange(seg_first, seg_end)
            if fix.points is not None:
                chosen = span[: fix.points]
            else:
                chosen = span[p[span] <= np.datetime64(fix.until, "D")]
            if chosen.size == 0:
                continue
            base[span] = False
            base[chosen] = True
            fixed[span] = True
            used.append(fix)
        applied.append(tuple(used))
    return base, fixed, applied


def _xmr_limits(
    y: np.ndarray, gid: np.ndarray, same: np.ndarray, base: np.ndarray, screen: bool
) -> dict[str, np.ndarray]:
    """XmR centre, limits and near-limit band per group, from each group's baseline points."""
    ng = int(gid[-1]) + 1
    n_base = np.bincount(gid, weights=base, minlength=ng)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_g = np.bincount(gid, weights=np.where(base, y, 0.0), minlength=ng) / n_base
    mr = np.abs(np.diff(y))
    mr_ok = same & base[1:] & base[:-1]
    mr_gid = gid[1:]
    count = np.bincount(mr_gid, weights=mr_ok, minlength=ng)
    total = np.bincount(mr_gid, weights=np.where(mr_ok, mr, 0.0), minlength=ng)
    with np.errstate(invalid="ignore", divide="ignore"):
        amr_g = np.where(count > 0, total / np.where(count > 0, count, 1), np.nan)
        if screen:
            keep = mr_ok & (mr < SCREEN_FACTOR * amr_g[mr_gid])
            kept = np.bincount(mr_gid, weights=keep, minlength=ng)
            kept_total = np.bincount(mr_gid, weights=np.where(keep, mr, 0.0), minlength=ng)
            # Every MR is screened only on a flat line: keep limits on the mean there
            # (NHSRplotthedots leaves them undefined).
            amr_g = np.where(
                count == 0, np.nan, np.where(kept > 0, kept_total / np.where(kept > 0, kept, 1), 0)
            )
    mean, amr = mean_g[gid], amr_g[gid]
    return {
        "mean": mean,
        "lpl": mean - LIMIT * amr,
        "upl": mean + LIMIT * amr,
        "near_lpl": mean - NEAR_LIMIT * amr,
        "near_upl": mean + NEAR_LIMIT * amr,
        "n_base": n_base,
    }


def _p_limits(
    y: np.ndarray,
    den: np.ndarray,
    scale: np.ndarray,
    gid: np.ndarray,
    same: np.ndarray,
    base: np.ndarray,
    prime: np.ndarray,
) -> dict[str, np.ndarray]:
    """p-chart (and, where ``prime``, Laney p′) centre and per-point limits per group.

    p̄ = Σ numerators / Σ denominators over the group's baseline points (the numerator is
    recovered as value × denominator / scale, which is how values are stored); σᵢ =
    √(p̄(1−p̄)/nᵢ); p′ multiplies σᵢ by σz, the mean moving range of the baseline points'
    z-scores (pᵢ − p̄)/σᵢ divided by 1.128 (qicharts2's ``qic.pprime``; Laney 2002). Limits
    are clamped to 0 and the whole (100%), as qicharts2 does.
    """
    ng = int(gid[-1]) + 1
    prop = y / scale
    w = np.where(base, den, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        pbar_g = np.bincount(gid, weights=w * prop, minlength=ng) / np.bincount(
            gid, weights=w, minlength=ng
        )
        pbar = pbar_g[gid]
        sigma = np.sqrt(pbar * (1.0 - pbar) / den)
        z = (prop - pbar) / sigma
    mr_ok = same & base[1:] & base[:-1] & np.isfinite(np.diff(z))
    mr_gid = gid[1:]
    count = np.bincount(mr_gid, weights=mr_ok, minlength=ng)
    total = np.bincount(mr_gid, weights=np.where(mr_ok, np.abs(np.diff(z)), 0.0), minlength=ng)
    with np.errstate(invalid="ignore", divide="ignore"):
        sigma_z_g = np.where(count > 0, total / np.where(count > 0, count, 1) / D2, np.nan)
    # At p̄ = 0 or 1 every σᵢ is 0 and the z-scores are 0/0: there is no between-period
    # variation to allow for, so p′ is the p-chart there (limits on p̄), never undefined.
    sigma_z_g = np.where((pbar_g == 0) | (pbar_g == 1), 1.0, sigma_z_g)
    sigma = np.where(prime, sigma * sigma_z_g[gid], sigma)

    def bound(k: float) -> tuple[np.ndarray, np.ndarray]:
        lo = np.clip(pbar - k * sigma, 0.0, 1.0) * scale
        hi = np.clip(pbar + k * sigma, 0.0, 1.0) * scale
        return lo, hi

    lpl, upl = bound(P_LIMIT_SIGMAS)
    near_lpl, near_upl = bound(P_NEAR_SIGMAS)
    return {
        "mean": pbar * scale,
        "lpl": lpl,
        "upl": upl,
        "near_lpl": near_lpl,
        "near_upl": near_upl,
    }


def _rules(
    y: np.ndarray,
    start: np.ndarray,
    gid: np.ndarray,
    same: np.ndarray,
    lim: Mapping[str, np.ndarray],
    run: int,
) -> dict[str, np.ndarray]:
    """The four rules for every point against its own limits (any chart type)."""
    n = y.size
    mean, lpl, upl = lim["mean"], lim["lpl"], lim["upl"]
    near_lpl, near_upl = lim["near_lpl"], lim["near_upl"]
    with np.errstate(invalid="ignore"):
        outside = (y > upl) | (y < lpl)
        close = ~outside & ((y < near_lpl) | (y > near_upl))
        rtm = np.sign(y - mean)
    rtm = np.nan_to_num(rtm).astype(np.int8)

    shift = _run_mask(rtm, run, start)

    d = np.sign(np.diff(y)).astype(np.int8)
    d[~same] = 0  # a step between groups is no step at all
    trend = np.zeros(n, dtype=bool)
    steps = _run_mask(d, run - 1)
    trend[:-1] |= steps
    trend[1:] |= steps
    # NHSRplotthedots: a trend point takes the direction of the step to its right when the
    # next point is in the trend too, otherwise of the step from its left; zero reads falling.
    right = np.concatenate([d, np.zeros(1, dtype=np.int8)])
    left = np.concatenate([np.zeros(1, dtype=np.int8), d])
    nxt = np.concatenate([trend[1:] & same, np.zeros(1, dtype=bool)])
    trend_dir = np.where(np.where(nxt & trend, right, left) == 1, 1, -1)

    two = np.zeros(n, dtype=bool)
    if n >= 3:
        c = close.astype(np.int8)
        window = (
            ((c[:-2] + c[1:-1] + c[2:]) >= 2)
            & (np.abs(rtm[:-2].astype(np.int16) + rtm[1:-1] + rtm[2:]) == 3)
            & (gid[:-2] == gid[2:])
        )
        in_window = np.zeros(n, dtype=bool)
        in_window[:-2] |= window
        in_window[1:-1] |= window
        in_window[2:] |= window
        two = in_window & close

    side = np.where(rtm > 0, 1, -1)
    conditions = [outside, trend, two, shift]
    code = np.select(conditions, [1, 2, 3, 4], 0).astype(np.int8)
    direction = np.select(conditions, [side, trend_dir, side, side], 0).astype(np.int8)
    flags = (
        outside * int(RuleFlag.BEYOND_LIMIT)
        + trend * int(RuleFlag.TREND)
        + two * int(RuleFlag.TWO_OF_THREE)
        + shift * int(RuleFlag.SHIFT)
    ).astype(np.int8)
    return {"rtm": rtm, "code": code, "direction": direction, "flags": flags}


def _xmr_all(
    y: np.ndarray,
    start: np.ndarray,
    options: SPCOptions,
    base: np.ndarray | None = None,
    p_chart: Mapping[str, np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    """Limits and rules for many series at once.

    ``y`` holds every point, series after series, in date order; ``start`` is True at the first
    point of each group (a series, or a rebase segment within one). Limits and rules never
    reach across a group boundary, exactly as if each group were computed on its own.
    ``base`` marks the points each group's limits come from (default: all, or the first
    ``options.fix_after_n``). ``p_chart`` (``den``, ``scale``, ``is_p``, ``prime`` arrays)
    replaces the XmR limits of the points where ``is_p`` by p or p′ limits.
    """
    n = y.size
    gid = np.cumsum(start) - 1
    if base is None:
        first = np.flatnonzero(start)
        pos = np.arange(n) - first[gid]
        base = pos < options.fix_after_n if options.fix_after_n else np.ones(n, dtype=bool)
    same = gid[1:] == gid[:-1]  # pairs (i-1, i) inside one group
    lim = _xmr_limits(y, gid, same, base, options.screen_outliers)
    if p_chart is not None and p_chart["is_p"].any():
        pl = _p_limits(y, p_chart["den"], p_chart["scale"], gid, same, base, p_chart["prime"])
        is_p = p_chart["is_p"]
        for k in ("mean", "lpl", "upl", "near_lpl", "near_upl"):
            lim[k] = np.where(is_p, pl[k], lim[k])
    rules = _rules(y, start, gid, same, lim, options.run_length)
    return {
        "gid": gid,
        "mean": lim["mean"],
        "lpl": lim["lpl"],
        "upl": lim["upl"],
        "near_lpl": lim["near_lpl"],
        "near_upl": lim["near_upl"],
        "trial": (lim["n_base"] < TRIAL_POINTS)[gid],
        "base": base,
        **rules,
    }


_TYPE_BY_CODE = np.array(
    [
        PointType.COMMON.value,
        PointType.IMPROVEMENT.value,
        PointType.CONCERN.value,
        PointType.NEUTRAL_HIGH.value,
        PointType.NEUTRAL_LOW.value,
    ],
    dtype=object,
)


def _point_types(direction: np.ndarray, polarity_sign: np.ndarray | int) -> np.ndarray:
    """Improvement/concern by polarity; neutral measures split into high and low."""
    sign = np.broadcast_to(np.asarray(polarity_sign), direction.shape)
    oriented = direction * sign
    code = np.select(
        [(sign == 0) & (direction > 0), (sign == 0) & (direction < 0), oriented > 0, oriented < 0],
        [3, 4, 1, 2],
        0,
    )
    return _TYPE_BY_CODE[code]


def variation_icon_for(point_type: str, direction: int) -> VariationIcon:
    """The MDC variation icon for a point: its type plus whether the signal is high or low."""
    if point_type == PointType.COMMON:
        return VariationIcon.COMMON
    high = direction > 0
    if point_type == PointType.IMPROVEMENT:
        return VariationIcon.IMPROVEMENT_HIGH if high else VariationIcon.IMPROVEMENT_LOW
    if point_type == PointType.CONCERN:
        return VariationIcon.CONCERN_HIGH if high else VariationIcon.CONCERN_LOW
    return VariationIcon.NEUTRAL_HIGH if high else VariationIcon.NEUTRAL_LOW


def assurance_icon_for(
    target: float | None, lpl: float | None, upl: float | None, polarity: str
) -> AssuranceIcon | None:
    """Where the target sits against the latest limits (NHSRplotthedots's assurance rule).

    A target beyond the limits in the direction of improvement cannot be reached by this
    process (consistently fail); beyond them on the other side it is always met (pass).
    """
    sign = POLARITY_SIGN[polarity]
    if target is None or sign == 0 or lpl is None or upl is None:
        return None
    if np.isnan(target) or np.isnan(lpl) or np.isnan(upl):
        return None
    if target > upl:
        return AssuranceIcon.FAIL if sign > 0 else AssuranceIcon.PASS
    if target < lpl:
        return AssuranceIcon.PASS if sign > 0 else AssuranceIcon.FAIL
    return AssuranceIcon.HIT_OR_MISS


def _signal_start(flags: np.ndarray, rule: str, rtm: np.ndarray, seg: np.ndarray) -> int:
    """Index where the pattern containing the latest point begins."""
    last = flags.size - 1
    if rule == Rule.BEYOND_LIMIT:
        return last
    if rule == Rule.TWO_OF_THREE:
        lo = max(0, last - 2)
        window = [i for i in range(lo, last + 1) if flags[i] & RuleFlag.TWO_OF_THREE]
        return window[0] if window else last
    bit = RuleFlag.TREND if rule == Rule.TREND else RuleFlag.SHIFT
    i = last
    while i > 0 and seg[i - 1] == seg[last] and flags[i - 1] & bit:
        if bit == RuleFlag.SHIFT and rtm[i - 1] != rtm[last]:
            break
        i -= 1
    return i


def spc(
    periods: Iterable,
    values: Iterable[float],
    *,
    polarity: str = "neutral",
    options: SPCOptions | None = None,
    rebases: Sequence[date] = (),
    target: float | None = None,
    baselines: Sequence[FixedBaseline] = (),
    chart_type: str = ChartType.XMR,
    denominators: Iterable[float] | None = None,
    scale: float = 100.0,
) -> SPCResult:
    """Compute a control chart, the four rules and the icons for one series.

    Missing values are dropped and points are put in date order first; the chart needs at least
    two points for limits (one point gives a mean and no limits). ``chart_type`` "p" or "pp"
    needs ``denominators`` (one per value) and the values' ``scale`` (100 for percent).
    """
    options = options or SPCOptions.default()
    if polarity not in POLARITY_SIGN:
        raise ValueError(f"Unknown polarity {polarity!r}.")
    p = _as_day_array(periods)
    y = np.asarray(list(values) if not isinstance(values, np.ndarray) else values, dtype=float)
    if p.size != y.size:
        raise ValueError("Periods and values must have the same length.")
    den = None
    if denominators is not None:
        den = np.asarray(list(denominators), dtype=float)
        if den.size != y.size:
            raise ValueError("Values and denominators must have the same length.")
    keep = ~np.isnan(y)
    p, y = p[keep], y[keep]
    order = np.argsort(p, kind="stable")
    p, y = p[order], y[order]
    if den is not None:
        den = den[keep][order]
    return _compute(
        p,
        y,
        np.array([0]),
        [polarity],
        [rebases],
        [target],
        options,
        baselines=[baselines],
        chart_types=[chart_type],
        den=den,
        scales=[scale],
    )[0]


def _empty(polarity: str, options: SPCOptions, target: float | None, chart: str) -> SPCResult:
    f, i = np.zeros(0), np.zeros(0, dtype=np.int8)
    return SPCResult(
        periods=np.zeros(0, dtype="datetime64[D]"),
        values=f,
        segment=i,
        mean=f,
        lpl=f,
        upl=f,
        near_lpl=f,
        near_upl=f,
        trial=np.zeros(0, dtype=bool),
        rule=np.zeros(0, dtype=object),
        direction=i,
        flags=i,
        point_type=np.zeros(0, dtype=object),
        polarity=polarity,
        options=options,
        target=target,
        chart_type=chart,
    )


def _chart_types_in_use(
    chart_types: Sequence[str], den: np.ndarray | None, spans: Sequence[tuple[int, int]]
) -> tuple[list[str], list[str | None]]:
    """The chart each series can have: p and p′ need a positive denominator at every point;
    without one the series keeps XmR limits and says why."""
    used: list[str] = []
    notes: list[str | None] = []
    for chart, (s, e) in zip(chart_types, spans, strict=True):
        chart = ChartType(chart)
        if chart == ChartType.XMR:
            used.append(chart)
            notes.append(None)
            continue
        d = den[s:e] if den is not None else None
        if d is None or d.size == 0 or not np.all(np.isfinite(d) & (d > 0)):
            used.append(ChartType.XMR)
            notes.append(
                f"{CHART_TYPE_LABEL[chart]} asked for, but not every period has a denominator: "
                "the limits come from an XmR chart."
            )
            continue
        used.append(chart)
        notes.append(None)
    return used, notes


def _compute(
    p: np.ndarray,
    y: np.ndarray,
    series_starts: np.ndarray,
    polarities: Sequence[str],
    rebases: Sequence[Sequence[date]],
    targets: Sequence[float | None],
    options: SPCOptions,
    *,
    baselines: Sequence[Sequence[FixedBaseline]] | None = None,
    chart_types: Sequence[str] | None = None,
    den: np.ndarray | None = None,
    scales: Sequence[float] | None = None,
) -> list[SPCResult]:
    """SPC for many series laid end to end (``series_starts`` = first index of each)."""
    n = y.size
    k_series = len(series_starts)
    baselines = baselines or [()] * k_series
    chart_types = chart_types or [ChartType.XMR] * k_series
    scales = scales or [100.0] * k_series
    ends = np.concatenate([series_starts[1:], [n]])
    if n == 0:
        return [_empty(polarities[0], options, targets[0], ChartType(chart_types[0]))]
    spans = list(zip(series_starts.tolist(), ends.tolist(), strict=True))
    start = np.zeros(n, dtype=bool)
    start[series_starts] = True
    used_by_series: list[list[date]] = []
    fix_inputs = []
    for k, (s, e) in enumerate(spans):
        used: list[date] = []
        by_date: dict[date, int] = {}
        if rebases[k]:
            idx, used, by_date = _segment_starts(p[s:e], rebases[k])
            start[np.asarray(idx, dtype=int) + s] = True
        used_by_series.append(used)
        fix_inputs.append((s, e, baselines[k], by_date))
    base, fixed, applied = _baseline_mask(p, start, fix_inputs, options.fix_after_n)
    charts, chart_notes = _chart_types_in_use(chart_types, den, spans)
    p_chart = None
    if any(c != ChartType.XMR for c in charts):
        lengths = ends - series_starts
        is_p = np.repeat([c != ChartType.XMR for c in charts], lengths)
        p_chart = {
            "den": np.where(is_p, den if den is not None else 1.0, 1.0),
            "scale": np.repeat(np.asarray(scales, dtype=float), lengths),
            "is_p": is_p,
            "prime": np.repeat([c == ChartType.P_PRIME for c in charts], lengths),
        }
    a = _xmr_all(y, start, options, base=base, p_chart=p_chart)
    rule_all = _RULE_BY_CODE[a["code"]]
    signs = np.repeat([POLARITY_SIGN[pol] for pol in polarities], ends - series_starts)
    type_all = _point_types(a["direction"], signs)
    out: list[SPCResult] = []
    for k, (s, e) in enumerate(spans):
        pol = polarities[k]
        if e <= s:
            out.append(_empty(pol, options, targets[k], charts[k]))
            continue
        seg = (a["gid"][s:e] - a["gid"][s]).astype(np.int16)
        direction = a["direction"][s:e]
        flags = a["flags"][s:e]
        rule = rule_all[s:e]
        point_type = type_all[s:e]
        lpl, upl = a["lpl"][s:e], a["upl"][s:e]
        last_type = point_type[-1]
        variation = variation_icon_for(last_type, int(direction[-1]))
        last_lpl = None if np.isnan(lpl[-1]) else float(lpl[-1])
        last_upl = None if np.isnan(upl[-1]) else float(upl[-1])
        assurance = assurance_icon_for(targets[k], last_lpl, last_upl, pol)
        since = None
        if rule[-1] != Rule.COMMON:
            since = _to_date(p[s + _signal_start(flags, rule[-1], a["rtm"][s:e], seg)])
        signal = Signal(Rule(rule[-1]), int(direction[-1]), PointType(last_type), since)
        out.append(
            _with_caveat(
                SPCResult(
                    periods=p[s:e],
                    values=y[s:e],
                    segment=seg,
                    mean=a["mean"][s:e],
                    lpl=lpl,
                    upl=upl,
                    near_lpl=a["near_lpl"][s:e],
                    near_upl=a["near_upl"][s:e],
                    trial=a["trial"][s:e],
                    rule=rule,
                    direction=direction,
                    flags=flags,
                    point_type=point_type,
                    polarity=pol,
                    options=options,
                    target=targets[k],
                    variation_icon=variation,
                    assurance_icon=assurance,
                    signal=signal,
                    rebase_periods=tuple(used_by_series[k]),
                    chart_type=charts[k],
                    in_baseline=a["base"][s:e],
                    fixed=fixed[s:e],
                    fixed_baselines=applied[k],
                    chart_type_note=chart_notes[k],
                )
            )
        )
    return out


def _run_start(result: SPCResult, bit: RuleFlag) -> int | None:
    """Where the run of ``bit``-flagged points that ends at the latest point begins, inside
    the latest segment (a shift or a beyond-limit run also stays on one side of the mean);
    None when the latest point is not flagged by that rule."""
    if result.empty or not (result.flags[-1] & bit):
        return None
    last_seg = result.segment[-1]
    side = np.sign(result.values[-1] - result.mean[-1])
    same_side = bit != RuleFlag.TREND
    i = result.n - 1
    while (
        i > 0
        and result.segment[i - 1] == last_seg
        and result.flags[i - 1] & bit
        and (not same_side or np.sign(result.values[i - 1] - result.mean[i - 1]) == side)
    ):
        i -= 1
    return i


def suggest_rebase(result: SPCResult, min_points: int = TRIAL_POINTS) -> date | None:
    """A date a person might rebase at: a shift that runs to the latest point for long enough.

    Only a suggestion; MDC guidance is to rebase after a real, understood, sustained change,
    so the app never rebases by itself. On a segment whose limits a person fixed, a shift
    against the fixed limits is the comparison they asked for ("baseline = before launch,
    compare after"): no date inside the fixed baseline is offered, as rebasing there would
    undo the fix, only a shift that begins after it.
    """
    i = _run_start(result, RuleFlag.SHIFT)
    if i is None or result.n - i < min_points or i == 0:
        return None
    if i == int(np.flatnonzero(result.segment == result.segment[-1])[0]):
        return None
    if result.fixed[i] and result.in_baseline[i:].any():
        return None
    return _to_date(result.periods[i])


def meets_target(value: float, target: float, polarity: str) -> bool:
    """Whether a value meets a target in the measure's better direction (on it counts)."""
    sign = POLARITY_SIGN[polarity]
    return value >= target if sign > 0 else value <= target


def assurance_caveat(result: SPCResult) -> AssuranceCaveat | None:
    """Why the assurance icon of ``result`` cannot be read from its limits (None: it can).

    The one rule for "not assessable". Assurance asks where the target sits against the
    limits of the process as it runs now; the limits cannot answer that when

    1. the latest point is part of a shift or a trend inside the segment the limits come
       from: the limits are fitted across a change that is still running, so they describe
       neither the old level nor the new one (a shift can be rebased at its start; a trend
       once it settles); or
    2. the latest point lies beyond a limit and already meets a target the limits call a
       certain fail (or misses one they call a certain pass): the icon would contradict the
       number beside it.

    A special cause that has ended is not a reason: the limits describe the process it
    returned to. On a segment whose limits a person fixed on a baseline, a shift or trend
    still running means the same: the fixed limits describe the baseline's process, not the
    one running now (the variation reading is the before-and-after comparison; assurance
    waits for limits of the new process). No rebase inside the fixed baseline is suggested
    (:func:`suggest_rebase`).
    """
    raw = result.assurance_icon
    if raw is None or raw == AssuranceIcon.NOT_ASSESSABLE or result.target is None:
        return None
    for bit, rule in ((RuleFlag.SHIFT, Rule.SHIFT), (RuleFlag.TREND, Rule.TREND)):
        i = _run_start(result, bit)
        if i is not None:
            direction = int(np.sign(result.values[-1] - result.mean[-1]))
            if rule == Rule.TREND:
                direction = int(np.sign(result.values[-1] - result.values[i])) or -1
            return AssuranceCaveat(
                rule=rule,
                direction=direction,
                start=_to_date(result.periods[i]),
                points=result.n - i,
                limits_say=raw,
                rebase_from=suggest_rebase(result) if rule == Rule.SHIFT else None,
            )
    meets = meets_target(float(result.values[-1]), float(result.target), result.polarity)
    contradicts = (raw == AssuranceIcon.FAIL and meets) or (raw == AssuranceIcon.PASS and not meets)
    i = _run_start(result, RuleFlag.BEYOND_LIMIT)
    if contradicts and i is not None:
        return AssuranceCaveat(
            rule=Rule.BEYOND_LIMIT,
            direction=int(np.sign(result.values[-1] - result.mean[-1])),
            start=_to_date(result.periods[i]),
            points=result.n - i,
            limits_say=raw,
        )
    return None


def _with_caveat(result: SPCResult) -> SPCResult:
    """The result with its assurance marked not assessable when :func:`assurance_caveat`
    finds a reason, so every icon, table and slide reading the result says so."""
    caveat = assurance_caveat(result)
    if caveat is None:
        return result
    return replace(result, assurance_icon=AssuranceIcon.NOT_ASSESSABLE, assurance_caveat=caveat)


SUMMARY_COLUMNS = [
    "latest_period",
    "latest_value",
    "target",
    "mean",
    "lower_limit",
    "upper_limit",
    "n_points",
    "trial_limits",
    "variation_icon",
    "assurance_icon",
    "signal_rule",
    "signal_since",
    "chart_type",
]


def summary_row(result: SPCResult) -> dict:
    """The MDC summary-table row for one series (latest, target, mean, limits, icons)."""
    sig = result.signal
    return {
        "latest_period": result.latest_period,
        "latest_value": result.latest_value,
        "target": result.target,
        "mean": result.latest("mean"),
        "lower_limit": result.latest("lpl"),
        "upper_limit": result.latest("upl"),
        "n_points": result.n,
        "trial_limits": result.trial_limits,
        "variation_icon": str(result.variation_icon) if result.variation_icon else None,
        "assurance_icon": str(result.assurance_icon) if result.assurance_icon else None,
        "signal_rule": str(sig.rule) if sig else None,
        "signal_since": sig.start if sig else None,
        "chart_type": str(result.chart_type),
    }


def spc_many(
    data: pd.DataFrame,
    *,
    keys: Sequence[str] = ("measure_code", "geo_code"),
    period: str = "period",
    value: str = "value",
    polarity: Mapping[str, str] | str = "neutral",
    polarity_key: str = "measure_code",
    options: SPCOptions | None = None,
    rebases: Mapping[tuple, Sequence[date]] | None = None,
    targets: Mapping[tuple, float] | None = None,
    baselines: Mapping[tuple, Sequence[FixedBaseline]] | None = None,
    chart_types: Mapping[str, str] | None = None,
    denominator: str = "denominator",
    scales: Mapping[str, float] | None = None,
) -> dict[tuple, SPCResult]:
    """SPC for every series in a long table in one vectorised pass, keyed by ``keys`` values.

    ``polarity`` is one value for all or a mapping from ``polarity_key`` values; ``rebases``,
    ``targets`` and ``baselines`` are keyed like the result; ``chart_types`` and ``scales``
    (value per ratio: 100 for percent) by ``polarity_key`` values (the measure). A p or p′
    chart reads each period's ``denominator`` column.
    """
    options = options or SPCOptions.default()
    rebases = rebases or {}
    targets = targets or {}
    baselines = baselines or {}
    chart_types = chart_types or {}
    scales = scales or {}
    keys = list(keys)
    wanted = [*keys, period, value]
    has_den = bool(chart_types) and denominator in data.columns
    if has_den:
        wanted.append(denominator)
    frame = data[wanted].dropna(subset=[value])
    if frame.empty:
        return {}
    frame = frame.sort_values([*keys, period], kind="stable")
    p_all = frame[period].to_numpy().astype("datetime64[D]")
    y_all = frame[value].to_numpy(dtype=float)
    key_values = [frame[k].to_numpy() for k in keys]
    change = np.ones(len(frame), dtype=bool)
    if len(frame) > 1:
        same = np.ones(len(frame) - 1, dtype=bool)
        for col in key_values:
            same &= col[1:] == col[:-1]
        change[1:] = ~same
    starts = np.flatnonzero(change)
    series_keys = [tuple(kv[s] for kv in key_values) for s in starts]
    pk = keys.index(polarity_key) if polarity_key in keys else None
    if isinstance(polarity, str):
        pols = [polarity] * len(starts)
    else:
        pols = [
            polarity.get(k[pk], "neutral") if pk is not None else "neutral" for k in series_keys
        ]
    by_measure = [k[pk] if pk is not None else None for k in series_keys]
    results = _compute(
        p_all,
        y_all,
        starts,
        pols,
        [rebases.get(k, ()) for k in series_keys],
        [targets.get(k) for k in series_keys],
        options,
        baselines=[baselines.get(k, ()) for k in series_keys],
        chart_types=[chart_types.get(m, ChartType.XMR) for m in by_measure],
        den=frame[denominator].to_numpy(dtype=float) if has_den else None,
        scales=[scales.get(m, 100.0) for m in by_measure],
    )
    return dict(zip(series_keys, results, strict=True))


def summary_table(results: Mapping[tuple, SPCResult], keys: Sequence[str]) -> pd.DataFrame:
    """One summary row per series, from the same results the charts draw."""
    rows = []
    for key, res in results.items():
        row = dict(zip(keys, key, strict=True))
        row.update(summary_row(res))
        rows.append(row)
    return pd.DataFrame(rows, columns=[*keys, *SUMMARY_COLUMNS])
