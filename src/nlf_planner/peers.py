"""Peer groups: an area compared with the aggregate of areas like it (Fingertips, NOF).

A peer group is a saved list of areas of one level (ICSs or regions) that a *home* area is
compared with ("ICSs like ours"). People choose the members by hand, or take the nearest
neighbours on a measure and confirm them. Groups are data: versioned and audited by the
store and services; this module holds only the rules and the arithmetic.

* **Validation** (:func:`validate`): name required, 1–80 characters and free of control
  characters (``textcheck``); members all of the home's level, the home not among them, at
  least 2 and at most 41 (the other 41 ICSs); every issue at once, each naming its field.
* **Nearest neighbours** (:func:`nearest_neighbours`): the k areas of the home's level whose
  value of the measure at the home's latest period is closest to the home's: distance is the
  absolute difference ``|value(area) − value(home)|`` in the measure's own unit; ties go to
  the lower geography code, so the same data always suggest the same group.
* **The peers' aggregate** (:func:`aggregate`): for a proportion, the members' numerators
  summed over their denominators (``Σk / Σn``, as Fingertips aggregates counts), with a 95%
  Wilson interval on those totals (``compare.wilson_interval``). For a score or other mean,
  the mean of the members' values weighted by their denominators
  (``Σ(nᵢ·vᵢ) / Σnᵢ``, which equals Σ numerators / Σ denominators when the numerator is the
  value times the denominator), with a 95% interval from the members' own intervals:
  ``se = √Σ(wᵢ·seᵢ)²``, ``wᵢ = nᵢ/Σn``, ``seᵢ = (highᵢ − lowᵢ) / (2·1.96)``; no interval
  when a member has none.
* **The home against it** (:func:`compare_with_peers`): the home's 95% interval (Wilson for a
  proportion of at least 30, else its published interval) against the aggregate's value,
  by the same rule as against England (``compare.classify`` with ``compare.sides``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

import numpy as np
import pandas as pd

from nlf_planner import textcheck
from nlf_planner.compare import (
    COMPARISON_LABEL,
    MIN_DENOMINATOR,
    Z95,
    Comparison,
    classify,
    wilson_interval,
)
from nlf_planner.models import Measure

LEVELS = {"icb": "ICSs", "region": "regions"}
METHODS = {"hand": "chosen by hand", "nearest": "nearest neighbours"}
NAME_MAX = 80
DESCRIPTION_MAX = 500
MIN_MEMBERS = 2
MAX_MEMBERS = 41
#: How the aggregate is made, in the words every surface shows.
PROPORTION_RULE = "sum of the members' numerators over the sum of their denominators"
MEAN_RULE = "mean of the members' values weighted by their denominators"


@dataclass(frozen=True)
class PeerGroup:
    """One version of a saved peer group (``peer_group_id``/``version`` None until saved)."""

    name: str
    home_geo: str
    level: str
    members: tuple[str, ...]
    method: str = "hand"
    basis_measure: str | None = None
    description: str = ""
    peer_group_id: int | None = None
    version: int | None = None
    author: str | None = None
    created_at: datetime | None = None

    @property
    def key(self) -> tuple[int | None, int | None]:
        return (self.peer_group_id, self.version)

    def summary(self) -> dict:
        """What the audit row records of a version."""
        return {
            "name": self.name,
            "version": self.version,
            "home_geo": self.home_geo,
            "level": self.level,
            "method": self.method,
            "basis_measure": self.basis_measure,
            "description": self.description,
            "members": list(self.members),
        }


@dataclass(frozen=True)
class PeerIssue:
    """One thing wrong with a draft group: which field, and what to do."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class PeerGroupInvalid(ValueError):
    """A draft broke a rule; ``issues`` lists every problem."""

    def __init__(self, issues: Sequence[PeerIssue]) -> None:
        self.issues = list(issues)
        super().__init__("The peer group was not saved: " + "; ".join(map(str, self.issues)))


def normalise(group: PeerGroup) -> PeerGroup:
    """Name and description trimmed, members de-duplicated and sorted."""
    return replace(
        group,
        name=(group.name or "").strip(),
        description=(group.description or "").strip(),
        members=tuple(sorted({m for m in group.members if m})),
        basis_measure=group.basis_measure or None,
    )


def validate(
    group: PeerGroup, levels: Mapping[str, str], measures: Iterable[str] = ()
) -> list[PeerIssue]:
    """Every issue with ``group`` (normalised first). ``levels`` maps each known geography
    code to 'icb' or 'region'; ``measures`` the known measure codes (checked for a
    nearest-neighbour group's basis)."""
    g = normalise(group)
    issues: list[PeerIssue] = []
    if not g.name:
        issues.append(PeerIssue("Name", "give the group a name."))
    elif len(g.name) > NAME_MAX:
        issues.append(PeerIssue("Name", f"at most {NAME_MAX} characters ({len(g.name)} given)."))
    for label, value, multi in (("Name", g.name, False), ("Description", g.description, True)):
        try:
            textcheck.check_text(value, label, multiline=multi)
        except textcheck.ControlCharacterError as exc:
            issues.append(PeerIssue(label, str(exc)))
    if len(g.description) > DESCRIPTION_MAX:
        issues.append(PeerIssue("Description", f"at most {DESCRIPTION_MAX} characters."))
    if g.level not in LEVELS:
        issues.append(PeerIssue("Level", "a peer group is of ICSs ('icb') or regions ('region')."))
    if g.method not in METHODS:
        issues.append(PeerIssue("Method", "members are chosen by hand or as nearest neighbours."))
    if g.method == "nearest":
        if not g.basis_measure:
            issues.append(PeerIssue("Basis measure", "say which measure the neighbours are on."))
        elif measures and g.basis_measure not in set(measures):
            issues.append(PeerIssue("Basis measure", f"unknown measure {g.basis_measure}."))
    home_level = levels.get(g.home_geo)
    if home_level is None:
        issues.append(PeerIssue("Home area", f"{g.home_geo or 'none'} is not a region or ICS."))
    elif home_level != g.level:
        issues.append(
            PeerIssue("Home area", f"the home area is not one of the group's {LEVELS[g.level]}.")
            if g.level in LEVELS
            else PeerIssue("Home area", "the home area's level does not match the group's.")
        )
    if g.home_geo in g.members:
        issues.append(PeerIssue("Members", "the home area cannot be one of its own peers."))
    wrong = [m for m in g.members if levels.get(m) != g.level]
    if wrong:
        what = LEVELS.get(g.level, "areas of the group's level")
        issues.append(PeerIssue("Members", f"not {what}: {', '.join(wrong)}."))
    if len(g.members) < MIN_MEMBERS:
        issues.append(PeerIssue("Members", f"choose at least {MIN_MEMBERS} peers."))
    elif len(g.members) > MAX_MEMBERS:
        issues.append(PeerIssue("Members", f"at most {MAX_MEMBERS} peers."))
    return issues


def check(group: PeerGroup, levels: Mapping[str, str], measures: Iterable[str] = ()) -> PeerGroup:
    """The normalised group, or :class:`PeerGroupInvalid` with every issue."""
    issues = validate(group, levels, measures)
    if issues:
        raise PeerGroupInvalid(issues)
    return normalise(group)


# --------------------------------------------------------------------------- nearest neighbours


def nearest_neighbours(
    series: pd.DataFrame,
    measure_code: str,
    home: str,
    candidates: Iterable[str],
    k: int,
) -> pd.DataFrame:
    """The ``k`` candidates closest to ``home`` on one measure: columns ``geo_code``,
    ``value``, ``distance`` (``|value − home's value|``, the measure's unit), ``rank``.

    Values are those of the home's latest period with data; candidates without a value then
    are left out. Ties are broken by geography code (ascending). Empty when the home has no
    value."""
    cols = ["geo_code", "value", "distance", "rank"]
    data = series[series.measure_code == measure_code]
    mine = data[(data.geo_code == home) & data.value.notna()]
    if mine.empty or k < 1:
        return pd.DataFrame(columns=cols)
    latest = mine.period.max()
    home_value = float(mine[mine.period == latest].value.iloc[0])
    pool = set(candidates) - {home}
    now = data[(data.period == latest) & data.geo_code.isin(pool) & data.value.notna()]
    out = pd.DataFrame(
        {"geo_code": now.geo_code.astype(str), "value": now.value.astype(float)}
    ).drop_duplicates("geo_code")
    out["distance"] = (out.value - home_value).abs()
    out = out.sort_values(["distance", "geo_code"], kind="stable").head(int(k))
    out["rank"] = np.arange(1, len(out) + 1)
    return out.reset_index(drop=True)[cols]


# --------------------------------------------------------------------------- the aggregate


@dataclass(frozen=True)
class Aggregate:
    """The members' aggregate for one measure and period (``value`` NaN with no data)."""

    value: float
    low: float
    high: float
    numerator: float
    denominator: float
    used: tuple[str, ...]
    missing: tuple[str, ...]
    rule: str


def aggregate(
    series: pd.DataFrame, measure: Measure, members: Sequence[str], period: date
) -> Aggregate:
    """The peers' aggregate of ``measure`` at ``period`` (see the module's rules); on the
    measure's own scale (percent for a proportion)."""
    data = series[
        (series.measure_code == measure.code)
        & (pd.to_datetime(series.period) == pd.Timestamp(period))
    ]
    rows = data[data.geo_code.isin(members)].drop_duplicates("geo_code")
    num = rows.numerator.to_numpy(dtype=float) if "numerator" in rows else np.array([])
    den = rows.denominator.to_numpy(dtype=float) if "denominator" in rows else np.array([])
    val = rows.value.to_numpy(dtype=float)
    ok = np.isfinite(den) & (den > 0) & np.isfinite(val)
    if measure.is_proportion:
        ok &= np.isfinite(num)
    used = tuple(sorted(rows.geo_code[ok].astype(str)))
    missing = tuple(sorted(set(members) - set(used)))
    rule = PROPORTION_RULE if measure.is_proportion else MEAN_RULE
    if not ok.any():
        nan = float("nan")
        return Aggregate(nan, nan, nan, nan, nan, used, missing, rule)
    n = den[ok]
    total_n = float(n.sum())
    if measure.is_proportion:
        k = float(num[ok].sum())
        lo, hi = wilson_interval(k, total_n, 0.95)
        return Aggregate(
            100 * k / total_n, float(lo) * 100, float(hi) * 100, k, total_n, used, missing, rule
        )
    w = n / total_n
    value = float((w * val[ok]).sum())
    lo_i = rows.ci_low.to_numpy(dtype=float)[ok] if "ci_low" in rows else np.full(n.shape, np.nan)
    hi_i = rows.ci_high.to_numpy(dtype=float)[ok] if "ci_high" in rows else np.full(n.shape, np.nan)
    se_i = (hi_i - lo_i) / (2 * Z95)
    se = float(np.sqrt(((w * se_i) ** 2).sum())) if np.isfinite(se_i).all() else float("nan")
    return Aggregate(
        value, value - Z95 * se, value + Z95 * se, float((n * val[ok]).sum()), total_n,
        used, missing, rule,
    )  # fmt: skip


def home_interval(row: pd.Series | None, measure: Measure) -> tuple[float, float]:
    """The home's 95% interval as the England comparison takes it: Wilson for a proportion
    with a denominator of at least 30, else the published ``ci_low``/``ci_high``."""
    nan = float("nan")
    if row is None:
        return nan, nan
    if measure.is_proportion:
        den = float(row.get("denominator", nan))
        if not den >= MIN_DENOMINATOR:
            return nan, nan
        lo, hi = wilson_interval(float(row.get("numerator", nan)), den, 0.95)
        return float(lo) * 100, float(hi) * 100
    return float(row.get("ci_low", nan)), float(row.get("ci_high", nan))


PEER_LABEL = {
    c: label.replace("England", "peers' aggregate") for c, label in COMPARISON_LABEL.items()
}


@dataclass(frozen=True)
class PeerComparison:
    """A home area against its group's aggregate, for one measure and period."""

    group: PeerGroup
    measure_code: str
    period: date
    home_value: float
    home_low: float
    home_high: float
    peers: Aggregate
    comparison: str = Comparison.NOT_COMPARED.value

    @property
    def label(self) -> str:
        return PEER_LABEL[Comparison(self.comparison)]

    @property
    def has_peers(self) -> bool:
        return bool(np.isfinite(self.peers.value))


def compare_with_peers(
    series: pd.DataFrame, measure: Measure, group: PeerGroup, period: date | None = None
) -> PeerComparison:
    """The home against the peers' aggregate at ``period`` (default: the measure's latest
    period in ``series``), judged by the England rule (``compare.classify``)."""
    data = series[series.measure_code == measure.code]
    if period is None:
        period = pd.Timestamp(data.period.max()).date() if not data.empty else date.min
    period = pd.Timestamp(period).date()
    agg = aggregate(series, measure, group.members, period)
    now = data[
        (pd.to_datetime(data.period) == pd.Timestamp(period)) & (data.geo_code == group.home_geo)
    ]
    row = now.iloc[0] if not now.empty else None
    value = float(row.value) if row is not None else float("nan")
    low, high = home_interval(row, measure)
    comparison = classify(low, high, agg.value, measure.polarity)[0]
    return PeerComparison(group, measure.code, period, value, low, high, agg, str(comparison))


def comparison_frame(
    comparisons: Sequence[PeerComparison], names: Mapping[str, str]
) -> pd.DataFrame:
    """The comparisons as rows for a table or CSV (one per measure or group)."""
    return pd.DataFrame(
        [
            {
                "peer_group": c.group.name,
                "peer_group_id": c.group.peer_group_id,
                "version": c.group.version,
                "home": names.get(c.group.home_geo, c.group.home_geo),
                "measure_code": c.measure_code,
                "period": c.period,
                "home_value": c.home_value,
                "home_ci95_low": c.home_low,
                "home_ci95_high": c.home_high,
                "peers_value": c.peers.value,
                "peers_ci95_low": c.peers.low,
                "peers_ci95_high": c.peers.high,
                "peers_numerator": c.peers.numerator,
                "peers_denominator": c.peers.denominator,
                "peers_with_data": len(c.peers.used),
                "peers_without_data": ", ".join(names.get(m, m) for m in c.peers.missing),
                "aggregate_rule": c.peers.rule,
                "comparison": c.comparison,
                "comparison_label": c.label,
            }
            for c in comparisons
        ]
    )
