"""Worse and getting worse (Fingertips' "red-reds"): the areas that are both significantly
worse than England and getting worse.

*Worse*: the latest value is significantly worse than England's for the same period (the
regions model's ``comparison``, 95% intervals, by polarity: ``compare.classify``). A measure
with no better or worse direction (neutral) is never worse.

*Getting worse*: either the latest SPC point is special cause of **concern** (any rule: a
point beyond a limit, a trend, two of three near a limit, a shift), or, for a proportion, the
**recent trend** is significantly worse: Fingertips' method, the chi-squared test for linear
trend (Cochran–Armitage) over the last :data:`TREND_PERIODS` periods' numerators and
denominators, two-sided p < :data:`TREND_ALPHA`, its direction read by the measure's
polarity. Scores, years and rates have no binomial numerators and denominators, so only the
SPC signal is read for them (and the reading says so).

The test (Armitage P., "Tests for linear trends in proportions and frequencies",
*Biometrics* 11, 1955, 375–386; the "chi-squared test for trend" of Altman's *Practical
Statistics for Medical Research*, 1991): with periods scored t = 1…k, numerators r,
denominators n, N = Σn and p̄ = Σr / N,

    T   = Σ t·(r − n·p̄)
    V   = p̄·(1 − p̄)·(Σ n·t² − (Σ n·t)² / N)
    χ²  = T² / V  on 1 degree of freedom,  p = erfc(√(χ²/2))

and T > 0 means the proportion is rising. χ² equals N·ρ², ρ being Pearson's correlation
between the period score and the 0/1 outcome over all N people, which the tests use as a
second computation.

Pure: numpy only; :func:`trend_tests` runs over many series at once (the regions model
tests every series in one pass).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from nlf_planner.models import Measure
from nlf_planner.periods import label as period_label
from nlf_planner.units import format_value

#: How many of the latest periods the recent trend is tested over (Fingertips uses five).
TREND_PERIODS = 5
#: The two-sided significance level of the trend test (issue 17's rule: p < 0.05).
TREND_ALPHA = 0.05
#: The reading's plural for a measure's periods.
PERIOD_NOUN = {"monthly": "months", "quarterly": "quarters", "annual": "years"}

#: The rule in one paragraph, for legends, the method slide and the docs.
RULE = (
    "An area is worse and getting worse (!!) when its latest value is significantly worse "
    "than England's (95% intervals) and either its latest SPC point shows special-cause "
    "concern or, for a percentage, its last 5 periods show a significant worsening trend "
    "(chi-squared test for linear trend, p < 0.05, the Fingertips method). Scores, rates and "
    "years are read on the SPC signal alone. Measures with no better or worse direction are "
    "never counted."
)

_NO_TREND_TEST = (
    "a {what} has no numerators and denominators for a trend test, so only the SPC signal is read"
)
_UNIT_WORD = {"score_0_10": "score", "years": "measure in years", "rate_per_1000": "rate"}


@dataclass(frozen=True)
class TrendTest:
    """The chi-squared test for linear trend over one series' last periods."""

    chi2: float
    p_value: float
    direction: int  # +1 the proportion is rising, -1 falling, 0 flat
    periods: int

    @property
    def significant(self) -> bool:
        return self.p_value < TREND_ALPHA


def trend_tests(
    numerators: np.ndarray | Sequence[Sequence[float]],
    denominators: np.ndarray | Sequence[Sequence[float]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """χ², two-sided p and direction (+1/−1/0) of the test for linear trend, one per row
    of ``(series, periods)`` arrays, oldest period first. A row that cannot be tested (a
    missing or non-positive denominator, a numerator outside 0…n, every value 0% or 100%)
    gets NaN for χ² and p and direction 0."""
    r = np.atleast_2d(np.asarray(numerators, dtype=float))
    n = np.atleast_2d(np.asarray(denominators, dtype=float))
    k = r.shape[1]
    t = np.arange(1, k + 1, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        big_n = n.sum(axis=1)
        p_bar = r.sum(axis=1) / big_n
        stat = (t * (r - n * p_bar[:, None])).sum(axis=1)
        spread = (n * t**2).sum(axis=1) - (n * t).sum(axis=1) ** 2 / big_n
        var = p_bar * (1 - p_bar) * spread
        chi2 = stat**2 / var
    ok = (
        np.isfinite(r).all(axis=1)
        & np.isfinite(n).all(axis=1)
        & (n > 0).all(axis=1)
        & (r >= 0).all(axis=1)
        & (r <= n).all(axis=1)
        & np.isfinite(chi2)
        & (var > 0)
    )
    chi2 = np.where(ok, chi2, np.nan)
    p = np.array([math.erfc(math.sqrt(x / 2)) if x == x else np.nan for x in chi2])
    direction = np.where(ok, np.sign(stat), 0).astype(int)
    return chi2, p, direction


def trend_test(numerators: Sequence[float], denominators: Sequence[float]) -> TrendTest | None:
    """The test over one series' periods (oldest first); None when it cannot be tested."""
    if len(numerators) < 2 or len(numerators) != len(denominators):
        return None
    chi2, p, d = trend_tests([list(numerators)], [list(denominators)])
    if not np.isfinite(chi2[0]):
        return None
    return TrendTest(float(chi2[0]), float(p[0]), int(d[0]), len(numerators))


@dataclass(frozen=True)
class Worsening:
    """The reading for one series: worse than England, getting worse, and why in words."""

    worse: bool
    getting_worse: bool
    why: str
    spc_concern: bool = False
    trend_worse: bool | None = None  # None: no trend test (not a proportion, too short)
    #: What says it is getting worse, in words ("a shift of concern since Mar 2025"); "".
    signals: str = ""

    @property
    def is_red_red(self) -> bool:
        return self.worse and self.getting_worse


def worsening_trend(trend: TrendTest | None, polarity: str) -> bool | None:
    """Whether a significant trend runs the worse way for the measure; None if untested."""
    if trend is None:
        return None
    if polarity not in ("higher_is_better", "lower_is_better") or not trend.significant:
        return False
    worse_way = -1 if polarity == "higher_is_better" else 1
    return trend.direction == worse_way


def _signal_phrase(rule: str | None, since: date | None, measure: Measure) -> str:
    when = period_label(since, measure.frequency) if since else None
    if rule == "beyond_limit":
        return "a point beyond the worse process limit" + (f" in {when}" if when else "")
    phrase = {
        "shift": "a shift of concern",
        "trend": "an SPC trend of concern",
        "two_of_three": "two of three points near the worse process limit",
    }.get(rule or "", "special-cause concern in the latest point")
    return phrase + (f" since {when}" if when else "")


def _comparison_phrase(
    comparison: str | None, value: float | None, england: float | None, measure: Measure
) -> str:
    fmt = lambda v: format_value(v, measure.unit)  # noqa: E731
    figures = f"({fmt(value)} vs {fmt(england)})"
    if measure.polarity == "neutral":
        return "never worse than England (this measure has no better or worse direction)"
    return {
        "worse": f"significantly worse than England {figures}",
        "better": f"significantly better than England {figures}",
        "similar": f"not significantly different from England {figures}",
    }.get(comparison or "", "not compared with England (no interval for the latest value)")


def read(
    measure: Measure,
    *,
    comparison: str | None,
    value: float | None,
    england: float | None,
    variation_icon: str | None,
    signal_rule: str | None = None,
    signal_since: date | None = None,
    trend: TrendTest | None = None,
) -> Worsening:
    """Whether one series is worse than England and getting worse, and why in plain English
    ("significantly worse than England (61.2% vs 64.0%) and getting worse: a shift of
    concern since Mar 2025"). ``trend`` is the test over its last :data:`TREND_PERIODS`
    periods (None for a measure without numerators and denominators, or too short)."""
    worse = comparison == "worse" and measure.polarity != "neutral"
    concern = isinstance(variation_icon, str) and variation_icon.startswith("concern")
    trend_worse = worsening_trend(trend, measure.polarity) if measure.is_proportion else None
    noun = PERIOD_NOUN.get(measure.frequency, "periods")
    reasons = []
    if concern:
        reasons.append(_signal_phrase(signal_rule, signal_since, measure))
    if trend_worse:
        reasons.append(
            f"a significant worsening trend over the last {trend.periods} {noun}"  # type: ignore[union-attr]
        )
    getting_worse = bool(reasons)
    compared = _comparison_phrase(comparison, value, england, measure)
    if getting_worse:
        state = "getting worse: " + " and ".join(reasons)
    elif measure.polarity == "neutral":
        state = "no direction to get worse in"
    elif not measure.is_proportion:
        state = "not getting worse: no special-cause concern in the latest point (" + (
            _NO_TREND_TEST.format(what=_UNIT_WORD.get(measure.unit, "measure")) + ")"
        )
    elif trend is None:
        state = (
            "not getting worse: no special-cause concern in the latest point, and fewer than "
            f"{TREND_PERIODS} {noun} with numerators and denominators for a trend test"
        )
    else:
        state = (
            "not getting worse: no special-cause concern in the latest point and no "
            f"significant worsening trend over the last {trend.periods} {noun}"
        )
    joint = " and " if worse == getting_worse else " but "
    return Worsening(
        worse=worse,
        getting_worse=getting_worse,
        why=compared + joint + state,
        spc_concern=concern,
        trend_worse=trend_worse,
        signals=" and ".join(reasons),
    )
