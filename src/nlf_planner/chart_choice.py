"""Which control chart a measure's SPC limits may come from, and which one its data suggest.

Pure rules (no I/O). The engine draws three charts (``spc.ChartType``): the XmR chart, which
every measure may use, and the p-chart and Laney p′-chart, which need a proportion: a
percentage with a numerator and a denominator in every period. The services check a change
with :func:`chart_type_issues`; the Regions page shows :func:`suggest`'s suggestion and its
reason beside the choice, and a person confirms (the app never changes a chart by itself).

The suggestion, per series, from its counts:

1. **Steady denominators: XmR.** When the largest denominator is at most 1.5 times the
   smallest and their coefficient of variation is at most 0.2, p-chart limits would hardly
   move between periods (σᵢ ∝ 1/√nᵢ, so a 1.5× spread changes the limits' width by at most
   √1.5 ≈ 1.22) and, with equal sizes, the Laney p′-chart reduces to an individuals (XmR)
   chart of the proportions (Laney 2002, "Improved control charts for attributes", Quality
   Engineering 14(4)): XmR limits, which Making Data Count uses, say the same.
   The thresholds are the usual reading of the "sample sizes do not differ greatly" condition
   under which one set of limits from the average size is accepted (Montgomery 2009,
   Introduction to Statistical Quality Control, §7.2.2, where ±25% of the average is the
   common rule of thumb, a largest-to-smallest ratio of about 1.67); 1.5 is a little stricter
   so that the suggestion errs towards limits that follow the data.
2. **Varying denominators, binomial variation: p-chart.** Limits follow each period's
   denominator, which XmR limits cannot.
3. **Varying denominators, over-dispersed: Laney p′-chart.** σz, the mean moving range of
   the z-scores (pᵢ − p̄)/σᵢ divided by 1.128, says how many times the binomial sigma the
   period-to-period variation really is. Above 1.3 (Minitab's P Chart Diagnostic calls a
   ratio of observed to expected variation above its 95% upper limit, about 130% in its
   worked examples, over-dispersion and recommends the Laney P′ chart) a p-chart would put
   many common-cause points outside its limits, which is what happens with the large
   denominators of NHS data; p′ widens them by σz.

A measure's suggestion is the one most of its series get (ties go to the simpler chart).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from nlf_planner.spc import CHART_TYPE_LABEL, ChartType
from nlf_planner.textcheck import ControlCharacterError, check_text

#: The units whose values are proportions (a percentage of a denominator).
PROPORTION_UNITS = frozenset({"percent"})
#: Denominators vary "a lot" above either bound (see the module docstring).
MAX_SPREAD = 1.5
MAX_CV = 0.2
#: Period-to-period variation this many times the binomial sigma is over-dispersion.
OVERDISPERSED_SIGMA_Z = 1.3
#: d2 for moving ranges of two points.
D2 = 1.128
#: The longest reason a person may give for a change.
MAX_REASON = 300

#: Plain-English names, as the choice shows them.
CHART_TYPES: tuple[str, ...] = (ChartType.XMR, ChartType.P, ChartType.P_PRIME)
LABELS: dict[str, str] = {str(k): v for k, v in CHART_TYPE_LABEL.items()}


@dataclass(frozen=True)
class ChartTypeIssue:
    """One reason a chart-type change cannot be saved."""

    field: str
    message: str


@dataclass(frozen=True)
class SeriesCounts:
    """One series' counts in period order (None or NaN where a period has none)."""

    geo_code: str
    numerators: Sequence[float | None]
    denominators: Sequence[float | None]


@dataclass(frozen=True)
class SeriesStats:
    """What the suggestion reads from one series."""

    geo_code: str
    points: int
    smallest: float
    largest: float
    spread: float  # largest / smallest denominator
    cv: float  # coefficient of variation of the denominators
    sigma_z: float | None  # None with fewer than two usable points
    beyond: int  # points a p-chart would put beyond its 3-sigma limits
    chart_type: str


@dataclass(frozen=True)
class Suggestion:
    """The chart the data suggest for a measure, and why, in plain English."""

    chart_type: str
    reason: str
    series: tuple[SeriesStats, ...] = ()

    @property
    def label(self) -> str:
        return LABELS[self.chart_type]


def is_proportion(unit: str) -> bool:
    return unit in PROPORTION_UNITS


def has_counts(numerators: Iterable[float | None], denominators: Iterable[float | None]) -> bool:
    """True when every period has a numerator and a positive denominator (at least one)."""
    pairs = list(zip(numerators, denominators, strict=True))
    return bool(pairs) and all(_number(n) and _number(d) and d > 0 for n, d in pairs)


def allowed_chart_types(unit: str, counts: bool) -> tuple[str, ...]:
    """The charts a measure may use: p and p′ only for a percentage with counts."""
    if is_proportion(unit) and counts:
        return CHART_TYPES
    return (ChartType.XMR,)


def why_only_xmr(unit: str, counts: bool) -> str | None:
    """Why a measure can only use the XmR chart, or None when it may use all three."""
    if not is_proportion(unit):
        return (
            "Only the XmR chart: p-charts are for percentages of a count, and this measure "
            "is not a percentage."
        )
    if not counts:
        return (
            "Only the XmR chart: p-charts need a numerator and a denominator in every period, "
            "and this measure's data do not have them everywhere."
        )
    return None


def chart_type_issues(
    *,
    measure_code: str | None,
    chart_type: str | None,
    reason: str | None,
    units: Mapping[str, str],
    counts: bool,
) -> list[ChartTypeIssue]:
    """Every rule a change breaks: a known measure, a chart it may use, and a reason."""
    issues: list[ChartTypeIssue] = []
    if not measure_code or measure_code not in units:
        issues.append(ChartTypeIssue("measure_code", f"Unknown measure {measure_code!r}."))
    if chart_type not in CHART_TYPES:
        issues.append(
            ChartTypeIssue(
                "chart_type",
                f"Unknown chart type {chart_type!r}: choose XmR chart, p-chart or Laney p′-chart.",
            )
        )
    elif measure_code in units and chart_type not in allowed_chart_types(
        units[measure_code], counts
    ):
        issues.append(ChartTypeIssue("chart_type", why_only_xmr(units[measure_code], counts) or ""))
    text = clean_reason(reason)
    try:
        check_text(reason or "", "Reason")
    except ControlCharacterError as exc:
        issues.append(ChartTypeIssue("reason", str(exc)))
    if not text:
        issues.append(
            ChartTypeIssue("reason", "Give a reason: the audit log records why limits changed.")
        )
    elif len(text) > MAX_REASON:
        issues.append(ChartTypeIssue("reason", f"Reason: keep it to {MAX_REASON} characters."))
    return issues


def clean_reason(reason: str | None) -> str:
    """The reason as stored: surrounding spaces removed, inner runs of spaces made one."""
    return " ".join((reason or "").split())


def summary(issues: Sequence[ChartTypeIssue]) -> str:
    """The issues as one message."""
    return " ".join(i.message for i in issues)


# --------------------------------------------------------------------------- suggestion


def _number(x: object) -> bool:
    """A finite number (numpy and pandas scalars included; None, NaN and NA are not)."""
    if x is None or isinstance(x, (str, bool)):
        return False
    try:
        return math.isfinite(float(x))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def series_stats(series: SeriesCounts) -> SeriesStats | None:
    """One series' denominator spread, σz and p-chart breaches; None without counts."""
    pairs = [
        (float(n), float(d))
        for n, d in zip(series.numerators, series.denominators, strict=True)
        if _number(n) and _number(d) and d > 0
    ]
    if not pairs:
        return None
    den = [d for _, d in pairs]
    smallest, largest = min(den), max(den)
    mean = sum(den) / len(den)
    var = sum((d - mean) ** 2 for d in den) / (len(den) - 1) if len(den) > 1 else 0.0
    cv = math.sqrt(var) / mean
    pbar = sum(n for n, _ in pairs) / sum(den)
    sigma_z: float | None = None
    beyond = 0
    if 0 < pbar < 1:
        z = [(n / d - pbar) / math.sqrt(pbar * (1 - pbar) / d) for n, d in pairs]
        beyond = sum(abs(v) > 3 for v in z)
        if len(z) > 1:
            sigma_z = sum(abs(z[i] - z[i - 1]) for i in range(1, len(z))) / (len(z) - 1) / D2
    varying = largest / smallest > MAX_SPREAD or cv > MAX_CV
    if not varying:
        chart = ChartType.XMR
    elif sigma_z is not None and sigma_z > OVERDISPERSED_SIGMA_Z:
        chart = ChartType.P_PRIME
    else:
        chart = ChartType.P
    return SeriesStats(
        geo_code=series.geo_code,
        points=len(pairs),
        smallest=smallest,
        largest=largest,
        spread=largest / smallest,
        cv=cv,
        sigma_z=sigma_z,
        beyond=beyond,
        chart_type=str(chart),
    )


def _count(x: float) -> str:
    return f"{x:,.0f}"


def _describe(s: SeriesStats, name: str) -> str:
    """One series' figures, as the reason quotes them."""
    text = (
        f"{name}: denominators {_count(s.smallest)} to {_count(s.largest)} "
        f"(largest {s.spread:.2f} times the smallest)"
    )
    if s.sigma_z is None:
        return f"{text}."
    evidence = (
        f"a p-chart would put {s.beyond} of {s.points} points outside its limits, with "
        f"σz {s.sigma_z:.1f}"
    )
    if s.chart_type == ChartType.XMR and s.sigma_z > OVERDISPERSED_SIGMA_Z:
        return (
            f"{text}; {evidence} (far more variation between periods than a binomial count "
            "has), so a plain p-chart would mislead, and with denominators this steady the "
            "Laney p′-chart's limits are close to the XmR chart's."
        )
    return f"{text}; {evidence}."


def suggest(
    unit: str,
    series: Sequence[SeriesCounts],
    *,
    main_geo: str | None = None,
    names: Mapping[str, str] | None = None,
) -> Suggestion:
    """The chart the measure's data suggest, with a plain-English reason.

    ``main_geo`` names the series the reason quotes (England's, usually); ``names`` gives
    the geographies' names."""
    names = names or {}
    counts = bool(series) and all(has_counts(s.numerators, s.denominators) for s in series)
    only = why_only_xmr(unit, counts)
    if only is not None:
        return Suggestion(ChartType.XMR, only)
    stats = tuple(s for s in (series_stats(x) for x in series) if s is not None)
    votes = Counter(s.chart_type for s in stats)
    order = {c: i for i, c in enumerate(CHART_TYPES)}
    chart = max(votes, key=lambda c: (votes[c], -order[c]))
    quoted = next((s for s in stats if s.geo_code == main_geo), None)
    if quoted is None or quoted.chart_type != chart:
        quoted = next(s for s in stats if s.chart_type == chart)
    detail = _describe(quoted, names.get(quoted.geo_code, quoted.geo_code))
    share = f"{votes[chart]} of {len(stats)} series"
    if chart == ChartType.XMR:
        why = (
            f"The denominators are steady ({share} vary by at most {MAX_SPREAD} times), so "
            "p-chart limits would hardly move from period to period and XmR limits, which "
            "Making Data Count uses, say the same."
        )
    elif chart == ChartType.P:
        why = (
            f"The denominators vary a lot ({share}: largest over {MAX_SPREAD} times the "
            "smallest, or a coefficient of variation over "
            f"{MAX_CV}), so limits should follow each period's denominator; the variation "
            "between periods is what a binomial count expects, so no Laney adjustment is "
            "needed."
        )
    else:
        why = (
            f"The denominators vary a lot and are large ({share}): a p-chart's limits would be "
            "too narrow, since periods differ by more than the binomial model expects "
            f"(σz over {OVERDISPERSED_SIGMA_Z}). The Laney p′-chart follows each period's "
            "denominator and widens the limits by σz, so only real changes stand out."
        )
    return Suggestion(chart, f"{why} {detail}", stats)
