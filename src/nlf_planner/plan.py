"""The 1/3/5-year plan: typed records, validation, trajectories, roll-up, stale lists and diff.

A plan has a base financial year and three horizons. Horizon *h* ends on 31 March of
``base_year + h``: year 1 is the base financial year itself, years 3 and 5 the third and fifth
years of the plan. The baseline sits at the start of the base year (1 April) and the target
for horizon *h* is the value expected at the horizon's end, so the derived "plan line" runs
from (1 April base year, baseline) through each horizon target and stays flat after year 5.

Everything here is pure (no store, no Streamlit), so pages, the deck and tests share it.
"""

from __future__ import annotations

import math
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from nlf_planner.geography import ENGLAND_CODE
from nlf_planner.models import Condition, Measure, PriorityArea

HORIZONS: tuple[int, ...] = (1, 3, 5)
Horizon = Literal[1, 3, 5]
Trajectory = Literal["linear", "stepwise"]
LAUNCH_BASE_YEAR = 2016  # Developing People – Improving Care, published December 2016
DEFAULT_PLAN_NAME = "National plan"

STATUSES: tuple[str, ...] = ("not_started", "on_track", "at_risk", "off_track", "done")
STATUS_LABELS: dict[str, str] = {
    "not_started": "Not started",
    "on_track": "On track",
    "at_risk": "At risk",
    "off_track": "Off track",
    "done": "Done",
}
HEADLINE_LABELS: dict[str, str] = {
    "none": "No milestones",
    "done": "Complete",
    "off_track": "Off track",
    "at_risk": "At risk",
    "on_track": "On track",
    "not_started": "Not started",
}
# Worst first: the headline of a group is its worst open item.
# Not-started items due later are normal, so they only set the headline when nothing has
# started at all.
_SEVERITY = {"off_track": 0, "at_risk": 1, "on_track": 2, "not_started": 3, "done": 4}

TARGET_COLUMNS: dict[int, str] = {1: "y1", 3: "y3", 5: "y5"}
COLUMN_LABELS: dict[str, str] = {
    "measure_code": "Measure",
    "geo_code": "Geography",
    "y1": "Year 1 target",
    "y3": "Year 3 target",
    "y5": "Year 5 target",
    "item_id": "ID",
    "priority_area": "Priority area",
    "title": "Title",
    "description": "Description",
    "horizon": "Horizon",
    "due_date": "Due date",
    "owner": "Owner",
    "status": "Status",
    "last_updated": "Last updated",
    "base_year": "Base year",
    "trajectory": "Trajectory",
    "plan_name": "Plan name",
    "target": "Target",
}
UNIT_RANGES: dict[str, tuple[float, float | None]] = {
    "percent": (0.0, 100.0),
    "score_0_10": (0.0, 10.0),
    "rate_per_1000": (0.0, 1000.0),
    "years": (0.0, 60.0),
    "count": (0.0, None),
}
MILESTONE_FIELDS: tuple[str, ...] = (
    "priority_area",
    "title",
    "description",
    "horizon",
    "due_date",
    "owner",
    "status",
    "last_updated",
    "measure_code",
)


class PlanError(ValueError):
    """A plan problem with a message fit to show a user."""


# --------------------------------------------------------------------------- records


class PlanTarget(BaseModel):
    """One target: a measure's expected value at a horizon, for England or a region."""

    model_config = ConfigDict(frozen=True)
    measure_code: str
    geo_code: str = ENGLAND_CODE
    horizon: Horizon
    target: float = Field(allow_inf_nan=False)


class Milestone(BaseModel):
    """A dated action under a priority area, with an owner and a status."""

    model_config = ConfigDict(frozen=True)
    item_id: str
    priority_area: str
    title: str = Field(min_length=1)
    description: str = ""
    horizon: Horizon
    due_date: date | None = None
    owner: str = ""
    status: Literal["not_started", "on_track", "at_risk", "off_track", "done"] = "not_started"
    last_updated: date | None = None
    measure_code: str | None = None
    seeded: bool = False


class Plan(BaseModel):
    """A whole plan: header, targets and milestones. Saved versions are never edited."""

    plan_name: str = DEFAULT_PLAN_NAME
    base_year: int = Field(ge=2000, le=2100)
    trajectory: Trajectory = "linear"
    targets: list[PlanTarget] = Field(default_factory=list)
    milestones: list[Milestone] = Field(default_factory=list)
    # Filled in when loaded from the store.
    version_id: int | None = None
    parent_version_id: int | None = None
    author: str | None = None
    note: str | None = None
    created_at: datetime | None = None

    def target_map(self) -> dict[tuple[str, str, int], float]:
        return {(t.measure_code, t.geo_code, t.horizon): t.target for t in self.targets}

    def measure_codes(self) -> list[str]:
        """Measures the plan sets any target for, in first-seen order."""
        return list(dict.fromkeys(t.measure_code for t in self.targets))

    def targets_for(
        self, measure_code: str, geo_code: str = ENGLAND_CODE, fallbacks: Sequence[str] = ()
    ) -> dict[int, float]:
        """Horizon → target for a geography; each missing horizon falls back in order
        (e.g. an ICB to its region, then England)."""
        tmap = self.target_map()
        chain = [geo_code, *fallbacks, ENGLAND_CODE]
        out: dict[int, float] = {}
        for h in HORIZONS:
            for geo in chain:
                if (measure_code, geo, h) in tmap:
                    out[h] = tmap[(measure_code, geo, h)]
                    break
        return out


TARGET_FRAME_COLUMNS = ["measure_code", "geo_code", "horizon", "target"]


def targets_for_geography(
    plan: Plan | None,
    geo_code: str,
    measure_codes: Sequence[str] | None = None,
    fallbacks: Sequence[str] = (),
) -> pd.DataFrame:
    """The plan's targets that apply to one geography, one row per measure and horizon.

    The one rule every caller uses (Scenarios page, board deck, Regions): a geography's own
    target where the plan sets one, else each fallback in order (an ICB's region), else
    England's. Rows carry ``geo_code`` = the geography asked for, so they join to its series.
    """
    if plan is None:
        return pd.DataFrame(columns=TARGET_FRAME_COLUMNS)
    codes = list(measure_codes) if measure_codes is not None else plan.measure_codes()
    rows = [
        {"measure_code": code, "geo_code": geo_code, "horizon": h, "target": float(t)}
        for code in codes
        for h, t in sorted(plan.targets_for(code, geo_code, fallbacks).items())
    ]
    return pd.DataFrame(rows, columns=TARGET_FRAME_COLUMNS)


class ValidationIssue(BaseModel):
    """One problem in a table, located by 1-based row and the column the user sees."""

    model_config = ConfigDict(frozen=True)
    table: str
    row: int | None
    column: str
    message: str
    severity: Literal["error", "warning"] = "error"
    row_label: str = ""

    def __str__(self) -> str:
        where = f"{self.table}, row {self.row}" if self.row is not None else self.table
        if self.row_label:
            where += f" ({self.row_label})"
        return f"{where}, column “{self.column}”: {self.message}"


class PlanValidationError(PlanError):
    """Raised when a plan with errors would be saved; carries every issue."""

    def __init__(self, issues: Sequence[ValidationIssue]):
        self.issues = list(issues)
        errors = [i for i in self.issues if i.severity == "error"]
        head = f"The plan has {len(errors)} problem{'s' if len(errors) != 1 else ''}"
        super().__init__(head + ": " + "; ".join(str(i) for i in errors[:5]))


# --------------------------------------------------------------------------- periods


def financial_year_of(d: date) -> int:
    """Financial year named by its starting calendar year (1 April start)."""
    return d.year if d.month >= 4 else d.year - 1


def default_base_year(today: date | None = None) -> int:
    return financial_year_of(today or date.today())


def base_date(base_year: int) -> date:
    return date(base_year, 4, 1)


def horizon_end(base_year: int, horizon: int) -> date:
    """Last day of horizon ``horizon``: 31 March of ``base_year + horizon``."""
    return date(base_year + horizon, 3, 31)


def horizon_window(base_year: int, horizon: int) -> tuple[date, date]:
    """Due dates a milestone of this horizon may take: after the previous horizon's end
    (or from the base date) up to and including this horizon's end."""
    idx = HORIZONS.index(horizon)
    start = base_date(base_year) if idx == 0 else horizon_end(base_year, HORIZONS[idx - 1])
    start = start if idx == 0 else start + timedelta(days=1)
    return start, horizon_end(base_year, horizon)


def horizon_for_date(base_year: int, d: date) -> int | None:
    for h in HORIZONS:
        lo, hi = horizon_window(base_year, h)
        if lo <= d <= hi:
            return h
    return None


def fy_label(base_year: int) -> str:
    return f"{base_year}/{str(base_year + 1)[2:]}"


# --------------------------------------------------------------------------- trajectories


def _years_since(base_year: int, d: date) -> float:
    return (d - base_date(base_year)).days / 365.25


def trajectory_points(
    baseline: float, targets: Mapping[int, float], base_year: int
) -> list[tuple[date, float]]:
    """Knots of the plan line: the baseline then each horizon target present, in order."""
    pts = [(base_date(base_year), float(baseline))]
    for h in HORIZONS:
        if h in targets and targets[h] is not None and not _isnan(targets[h]):
            pts.append((horizon_end(base_year, h), float(targets[h])))
    return pts


def trajectory_value(
    baseline: float,
    targets: Mapping[int, float],
    base_year: int,
    when: date,
    method: str = "linear",
) -> float | None:
    """The plan value at a date. Linear interpolates between knots; stepwise holds the
    previous level until a horizon ends, then jumps to its target. Before the base date
    there is no plan (None); after the last horizon the last target holds."""
    if baseline is None or _isnan(baseline):
        return None
    pts = trajectory_points(baseline, targets, base_year)
    if when < pts[0][0]:
        return None
    if method == "stepwise":
        value = pts[0][1]
        for d, v in pts[1:]:
            if when >= d:
                value = v
        return value
    for (d0, v0), (d1, v1) in zip(pts, pts[1:], strict=False):
        if d0 <= when <= d1:
            span = (d1 - d0).days
            return v0 + (v1 - v0) * ((when - d0).days / span if span else 1.0)
    return pts[-1][1]


def trajectory(
    baseline: float,
    targets: Mapping[int, float],
    base_year: int,
    dates: Iterable[date],
    method: str = "linear",
) -> list[float | None]:
    """The plan line at each date (None before the base date); what charts draw."""
    return [trajectory_value(baseline, targets, base_year, d, method) for d in dates]


def plan_line(
    plan: Plan,
    measure_code: str,
    baseline: float,
    dates: Iterable[date],
    geo_code: str = ENGLAND_CODE,
    fallbacks: Sequence[str] = (),
) -> pd.DataFrame:
    """A frame of ``period, plan`` for one measure and geography, ready to plot."""
    dates = list(dates)
    tg = plan.targets_for(measure_code, geo_code, fallbacks)
    values = trajectory(baseline, tg, plan.base_year, dates, plan.trajectory)
    return pd.DataFrame({"period": dates, "plan": values})


def plan_line_for_series(
    plan: Plan,
    measure: Measure,
    series: pd.DataFrame,
    geo_code: str = ENGLAND_CODE,
    fallbacks: Sequence[str] = (),
    extend_to_horizons: bool = True,
) -> pd.DataFrame:
    """The plan line to draw over one geography's series (``period, value`` columns).

    The baseline is that series' own value at the base period (see
    :func:`baseline_from_history`), so a region's line starts where the region started; the
    targets are the geography's overrides, then its ``fallbacks`` (e.g. an ICB's region),
    then England's. With ``extend_to_horizons`` the horizon ends are added as extra points so
    the line reaches the targets beyond the last data period. Rows before the base date are
    dropped. Columns: ``period, plan, baseline``.
    """
    hist = series.assign(measure_code=measure.code) if "measure_code" not in series else series
    baseline = baseline_from_history(hist, measure, plan.base_year)
    dates = sorted({pd.Timestamp(d).date() for d in series.get("period", [])})
    if extend_to_horizons:
        dates = sorted({*dates, *(horizon_end(plan.base_year, h) for h in HORIZONS)})
    df = plan_line(plan, measure.code, baseline, dates, geo_code, fallbacks)
    df = df[df["plan"].notna()].reset_index(drop=True)
    df["baseline"] = baseline
    return df


def better(a: float, b: float, polarity: str) -> bool:
    """Whether ``a`` is at least as good as ``b`` for the measure's polarity."""
    if polarity == "lower_is_better":
        return a <= b
    return a >= b


class PlanProgress(BaseModel):
    """Where a value stands against the plan line at the same date."""

    value: float
    plan_value: float | None
    gap: float | None  # positive = better than plan (polarity-aware)
    share_of_planned_change: float | None  # achieved change / planned change since baseline
    status: Literal["ahead", "on_plan", "behind", "no_plan", "not_judged"]
    label: str


def progress_against_plan(
    value: float,
    when: date,
    baseline: float,
    targets: Mapping[int, float],
    base_year: int,
    polarity: str,
    method: str = "linear",
    tolerance: float = 0.0,
) -> PlanProgress:
    """Compare an observed value with the plan line; ``tolerance`` is in the measure's units
    and counts as "on plan" on either side."""
    pv = trajectory_value(baseline, targets, base_year, when, method)
    if pv is None or not targets:
        return PlanProgress(
            value=value,
            plan_value=pv,
            gap=None,
            share_of_planned_change=None,
            status="no_plan",
            label="No plan for this date",
        )
    sign = -1.0 if polarity == "lower_is_better" else 1.0
    gap = sign * (value - pv)
    planned = pv - baseline
    share = (value - baseline) / planned if abs(planned) > 1e-12 else None
    if polarity == "neutral":
        return PlanProgress(
            value=value,
            plan_value=pv,
            gap=value - pv,
            share_of_planned_change=share,
            status="not_judged",
            label="Neutral measure: not judged against plan",
        )
    if abs(gap) <= tolerance + 1e-9:
        status, label = "on_plan", "On plan"
    elif gap > 0:
        status, label = "ahead", "Ahead of plan"
    else:
        status, label = "behind", "Behind plan"
    return PlanProgress(
        value=value,
        plan_value=pv,
        gap=gap,
        share_of_planned_change=share,
        status=status,
        label=label,
    )


def baseline_from_history(history: pd.DataFrame, measure: Measure, base_year: int) -> float:
    """The England value at the base period, else the latest before it, else the first one
    inside the base year, else the measure's ``baseline`` column.

    ``history`` has ``measure_code, period, value`` (already filtered to one geography).
    """
    if history is not None and not history.empty:
        h = history[history["measure_code"] == measure.code]
        if not h.empty:
            periods = pd.to_datetime(h["period"]).dt.date
            start, end = base_date(base_year), horizon_end(base_year, 1)
            at_or_before = h[periods <= start]
            if not at_or_before.empty:
                return float(
                    at_or_before.loc[pd.to_datetime(at_or_before["period"]).idxmax(), "value"]
                )
            within = h[(periods > start) & (periods <= end)]
            if not within.empty:
                return float(within.loc[pd.to_datetime(within["period"]).idxmin(), "value"])
    return float(measure.baseline)


def baselines_from_history(
    history: pd.DataFrame, measures: Iterable[Measure], base_year: int
) -> dict[str, float]:
    return {m.code: baseline_from_history(history, m, base_year) for m in measures}


# --------------------------------------------------------------------------- tables


def targets_table(
    plan: Plan,
    measures: Sequence[Measure],
    baselines: Mapping[str, float],
    geo_codes: Sequence[str] = (ENGLAND_CODE,),
    area: str | None = None,
) -> pd.DataFrame:
    """Wide table for editing: one row per measure and geography, a column per horizon.

    Regional rows are listed only where the plan holds an override for them.
    """
    tmap = plan.target_map()
    rows = []
    for m in measures:
        if area and m.area_code != area:
            continue
        for geo in geo_codes:
            vals = {TARGET_COLUMNS[h]: tmap.get((m.code, geo, h)) for h in HORIZONS}
            if geo != ENGLAND_CODE and all(v is None for v in vals.values()):
                continue
            rows.append(
                {
                    "measure_code": m.code,
                    "area": m.area_code,
                    "measure": m.name,
                    "unit": m.unit,
                    "polarity": m.polarity,
                    "geo_code": geo,
                    "baseline": baselines.get(m.code, m.baseline),
                    **vals,
                }
            )
    cols = [
        "measure_code",
        "area",
        "measure",
        "unit",
        "polarity",
        "geo_code",
        "baseline",
        "y1",
        "y3",
        "y5",
    ]
    df = pd.DataFrame(rows, columns=cols)
    for c in ("baseline", "y1", "y3", "y5"):
        df[c] = pd.to_numeric(df[c], errors="coerce").astype("float64")
    return df


def milestones_table(plan: Plan, area: str | None = None) -> pd.DataFrame:
    cols = ["item_id", *MILESTONE_FIELDS]
    rows = [
        {c: getattr(m, c) for c in cols}
        for m in plan.milestones
        if not area or m.priority_area == area
    ]
    df = pd.DataFrame(rows, columns=cols)
    df["horizon"] = pd.to_numeric(df["horizon"], errors="coerce").astype("Int64")
    return df.sort_values(
        ["priority_area", "due_date"], na_position="last", kind="stable"
    ).reset_index(drop=True)


def _isnan(v: Any) -> bool:
    if v is None:
        return True
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _num(v: Any) -> float | None:
    """A cell as a float, or None when empty; raises ValueError for text that is no number."""
    if _isnan(v):
        return None
    if isinstance(v, str):
        v = v.strip().replace(",", "")
        if v == "":
            return None
    f = float(v)
    if math.isinf(f):
        raise ValueError("infinite")
    return f


def _date(v: Any) -> date | None:
    if _isnan(v):
        return None
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    if isinstance(v, pd.Timestamp):
        return v.date()
    text = str(v).strip()
    if not text:
        return None
    return datetime.strptime(text[:10], "%Y-%m-%d").date()


def _text(v: Any) -> str:
    return "" if _isnan(v) else str(v).strip()


def parse_status(v: Any) -> str | None:
    """Accept a status code or its label (any case); None if unknown."""
    text = _text(v).lower().replace("-", " ").replace("_", " ")
    for code, label in STATUS_LABELS.items():
        if text in (code.replace("_", " "), label.lower()):
            return code
    return None


def _fmt(v: float) -> str:
    return f"{v:g}"


def validate_targets(
    df: pd.DataFrame,
    measures: Mapping[str, Measure],
    geo_names: Mapping[str, str],
    table: str = "Targets",
    england_required: bool = True,
    england_values: Mapping[str, Mapping[int, float]] | None = None,
) -> tuple[list[PlanTarget], list[ValidationIssue]]:
    """Check a wide targets table and turn it into records.

    Rules: known measure and geography; one row per measure and geography; numbers only;
    percent within 0–100, scores within 0–10, others not negative; England rows need all
    three horizons; later horizons may not move backwards for the measure's polarity
    (year 1 past year 3, or year 3 past year 5). Regional blanks mean "no override".
    """
    issues: list[ValidationIssue] = []
    targets: list[PlanTarget] = []
    seen: dict[tuple[str, str], int] = {}

    def add(row: int, col: str, msg: str, label: str, severity: str = "error") -> None:
        issues.append(
            ValidationIssue(
                table=table,
                row=row,
                column=COLUMN_LABELS.get(col, col),
                message=msg,
                severity=severity,
                row_label=label,
            )
        )

    england: dict[str, dict[int, float]] = {k: dict(v) for k, v in (england_values or {}).items()}
    for _, r in df.iterrows():
        if (_text(r.get("geo_code")) or ENGLAND_CODE) == ENGLAND_CODE:
            vals = {}
            for h in HORIZONS:
                try:
                    v = _num(r.get(TARGET_COLUMNS[h]))
                except (TypeError, ValueError):
                    v = None
                if v is not None:
                    vals[h] = v
            england[_text(r.get("measure_code"))] = vals

    for pos, (_, r) in enumerate(df.reset_index(drop=True).iterrows(), start=1):
        code = _text(r.get("measure_code"))
        geo = _text(r.get("geo_code")) or ENGLAND_CODE
        m = measures.get(code)
        label = f"{code} {m.name}" if m else code
        if geo != ENGLAND_CODE:
            label += f", {geo_names.get(geo, geo)}"
        if m is None:
            add(pos, "measure_code", f"unknown measure “{code or '(empty)'}”", label)
            continue
        if geo not in geo_names:
            add(pos, "geo_code", f"unknown geography “{geo}”", label)
            continue
        if (code, geo) in seen:
            add(
                pos,
                "geo_code",
                f"duplicate of row {seen[(code, geo)]}: one row per measure and geography",
                label,
            )
            continue
        seen[(code, geo)] = pos
        lo, hi = UNIT_RANGES.get(m.unit, (None, None))
        values: dict[int, float] = {}
        for h in HORIZONS:
            col = TARGET_COLUMNS[h]
            try:
                v = _num(r.get(col))
            except (TypeError, ValueError):
                add(pos, col, f"“{r.get(col)}” is not a number", label)
                continue
            if v is None:
                if geo == ENGLAND_CODE and england_required:
                    add(pos, col, "enter a target (England needs all three horizons)", label)
                continue
            if lo is not None and v < lo or hi is not None and v > hi:
                rng = f"{_fmt(lo)}–{_fmt(hi)}" if hi is not None else f"at least {_fmt(lo)}"
                what = {"percent": "a percentage", "score_0_10": "a score"}.get(m.unit, m.unit)
                add(pos, col, f"{_fmt(v)} is outside {rng} for {what}", label)
                continue
            values[h] = v
            targets.append(PlanTarget(measure_code=code, geo_code=geo, horizon=h, target=v))
        own = set(values)
        blank = all(_isnan(r.get(TARGET_COLUMNS[h])) for h in HORIZONS)
        if geo != ENGLAND_CODE and blank:
            add(pos, "y1", "no target entered, so this row overrides nothing", label, "warning")
        if geo != ENGLAND_CODE:
            values = {**england.get(code, {}), **values}
        issues.extend(_order_issues(values, m, pos, label, table, own))
    return targets, issues


def _order_issues(
    values: Mapping[int, float], m: Measure, row: int, label: str, table: str, own: set[int]
) -> list[ValidationIssue]:
    """Later horizons must not be worse than earlier ones for the measure's polarity.

    A regional row is checked on its effective values (its overrides over England's) but
    only blamed for pairs that include one of its own cells."""
    if m.polarity == "neutral":
        return []
    word = "higher" if m.polarity == "higher_is_better" else "lower"
    opposite = "lower" if word == "higher" else "higher"
    out = []
    present = [h for h in HORIZONS if h in values]
    for a, b in zip(present, present[1:], strict=False):
        if a not in own and b not in own:
            continue
        if better(values[b], values[a], m.polarity):
            continue
        rule = f"{word} is better for this measure, so later targets should not be {opposite}"
        if a in own:
            blamed = a
            whose_b = "the " if b in own else "England's "
            message = (
                f"year-{a} target {_fmt(values[a])} is already past {whose_b}year-{b} "
                f"target {_fmt(values[b])}; {rule}"
            )
        else:  # only the later cell is this row's own: blame it, against England's value
            blamed = b
            message = (
                f"year-{b} target {_fmt(values[b])} falls back past England's year-{a} "
                f"target {_fmt(values[a])}; {rule}"
            )
        out.append(
            ValidationIssue(
                table=table,
                row=row,
                column=COLUMN_LABELS[TARGET_COLUMNS[blamed]],
                row_label=label,
                message=message,
            )
        )
    return out


def validate_milestones(
    df: pd.DataFrame,
    base_year: int,
    area_codes: Iterable[str],
    measures: Mapping[str, Measure],
    today: date | None = None,
    table: str = "Milestones",
) -> tuple[list[Milestone], list[ValidationIssue]]:
    """Check a milestones table and turn it into records.

    Rules: a title; a known priority area and status; horizon 1, 3 or 5; a due date inside
    its horizon; a last-updated date not in the future; a known linked measure; unique IDs.
    Warnings (not blocking): no owner; a linked measure from another priority area.
    """
    today = today or date.today()
    areas = set(area_codes)
    issues: list[ValidationIssue] = []
    out: list[Milestone] = []
    seen_ids: dict[str, int] = {}
    for pos, (_, r) in enumerate(df.reset_index(drop=True).iterrows(), start=1):
        title = _text(r.get("title"))
        label = title[:40] if title else ""
        n_before = len([i for i in issues if i.severity == "error"])

        def add(
            col: str, msg: str, severity: str = "error", _pos: int = pos, _label: str = label
        ) -> None:
            issues.append(
                ValidationIssue(
                    table=table,
                    row=_pos,
                    column=COLUMN_LABELS.get(col, col),
                    message=msg,
                    severity=severity,
                    row_label=_label,
                )
            )

        if not title:
            add("title", "the title is empty")
        area = _text(r.get("priority_area"))
        if area not in areas:
            add("priority_area", f"unknown priority area “{area or '(empty)'}”")
        status = parse_status(r.get("status"))
        if status is None:
            choices = ", ".join(STATUS_LABELS.values())
            add("status", f"unknown status “{_text(r.get('status'))}” (choose {choices})")
        horizon = None
        try:
            hv = _num(r.get("horizon"))
            horizon = int(hv) if hv is not None and hv == int(hv) else None
        except (TypeError, ValueError):
            horizon = None
        if horizon not in HORIZONS:
            add("horizon", f"horizon must be 1, 3 or 5 (years), not “{_text(r.get('horizon'))}”")
            horizon = None
        due = last = None
        try:
            due = _date(r.get("due_date"))
        except (TypeError, ValueError):
            add("due_date", f"“{_text(r.get('due_date'))}” is not a date (use YYYY-MM-DD)")
        else:
            if due is None:
                add("due_date", "enter a due date")
            elif horizon is not None:
                lo, hi = horizon_window(base_year, horizon)
                if not lo <= due <= hi:
                    add(
                        "due_date",
                        f"{due:%d %b %Y} is outside the year-{horizon} horizon "
                        f"({lo:%d %b %Y} – {hi:%d %b %Y}) for a plan based in "
                        f"{fy_label(base_year)}",
                    )
        try:
            last = _date(r.get("last_updated"))
        except (TypeError, ValueError):
            add("last_updated", f"“{_text(r.get('last_updated'))}” is not a date")
        else:
            if last is not None and last > today:
                add("last_updated", f"{last:%d %b %Y} is in the future")
        mcode = _text(r.get("measure_code")) or None
        if mcode is not None:
            if mcode not in measures:
                add("measure_code", f"unknown measure “{mcode}”")
            elif area in areas and measures[mcode].area_code != area:
                add(
                    "measure_code",
                    f"{mcode} belongs to {measures[mcode].area_code}, not {area}",
                    severity="warning",
                )
        owner = _text(r.get("owner"))
        if not owner:
            add("owner", "no owner named", severity="warning")
        item_id = _text(r.get("item_id"))
        if item_id:
            if item_id in seen_ids:
                add("item_id", f"duplicate ID (also row {seen_ids[item_id]})")
            seen_ids.setdefault(item_id, pos)
        n_after = len([i for i in issues if i.severity == "error"])
        if n_after == n_before:
            out.append(
                Milestone(
                    item_id=item_id or new_item_id(),
                    priority_area=area,
                    title=title,
                    description=_text(r.get("description")),
                    horizon=horizon,
                    due_date=due,
                    owner=owner,
                    status=status,
                    last_updated=last,
                    measure_code=mcode,
                    seeded=bool(r.get("seeded"))
                    if "seeded" in r and not _isnan(r.get("seeded"))
                    else False,
                )
            )
    return out, issues


def new_item_id() -> str:
    return "MS-" + uuid.uuid4().hex[:8].upper()


def stamp_updates(
    new: Sequence[Milestone], old: Sequence[Milestone], today: date
) -> list[Milestone]:
    """Set ``last_updated`` to today on new or changed milestones whose date the user did not
    change, so the stale list reflects real activity."""
    before = {m.item_id: m for m in old}
    out = []
    for m in new:
        prev = before.get(m.item_id)
        if prev is None:
            out.append(m if m.last_updated else m.model_copy(update={"last_updated": today}))
            continue
        changed = any(
            getattr(m, f) != getattr(prev, f) for f in MILESTONE_FIELDS if f != "last_updated"
        )
        if changed and m.last_updated == prev.last_updated:
            m = m.model_copy(update={"last_updated": today})
        out.append(m)
    return out


def merge_area_edits(
    plan: Plan,
    area: str | None,
    targets: Sequence[PlanTarget],
    milestones: Sequence[Milestone],
    area_of_measure: Mapping[str, str],
    replace_targets: bool = True,
) -> Plan:
    """A new draft: the edited rows for one area (or all) replace that area's rows."""

    def in_area_t(t: PlanTarget) -> bool:
        return area is None or area_of_measure.get(t.measure_code) == area

    kept_t = [t for t in plan.targets if not in_area_t(t)] if replace_targets else []
    kept_m = [m for m in plan.milestones if area is not None and m.priority_area != area]
    return plan.model_copy(
        update={
            "targets": kept_t + list(targets) if replace_targets else list(plan.targets),
            "milestones": kept_m + list(milestones),
        }
    )


def validate_plan(
    plan: Plan,
    measures: Mapping[str, Measure],
    geo_names: Mapping[str, str],
    area_codes: Iterable[str],
    today: date | None = None,
) -> list[ValidationIssue]:
    """Validate a whole plan (for imports and the store's last check before writing)."""
    issues: list[ValidationIssue] = []
    geos = sorted({t.geo_code for t in plan.targets}, key=lambda g: (g != ENGLAND_CODE, g))
    used = {t.measure_code for t in plan.targets}
    tdf = targets_table(plan, [m for m in measures.values() if m.code in used], {}, geos)
    unknown = sorted(used - set(measures))
    for code in unknown:
        issues.append(
            ValidationIssue(
                table="Targets", row=None, column="Measure", message=f"unknown measure “{code}”"
            )
        )
    _, ti = validate_targets(tdf, measures, geo_names)
    issues += ti
    _, mi = validate_milestones(milestones_table(plan), plan.base_year, area_codes, measures, today)
    issues += mi
    return issues


def errors_only(issues: Iterable[ValidationIssue]) -> list[ValidationIssue]:
    return [i for i in issues if i.severity == "error"]


def shift_years(d: date | None, years: int) -> date | None:
    """The same day ``years`` later (28 February for 29 February in a common year)."""
    if d is None or years == 0:
        return d
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def rebase_plan(plan: Plan, new_base_year: int, shift_dates: bool = True) -> Plan:
    """Move a plan to another base year; milestone dates move by the same number of years
    when ``shift_dates`` (so the 2016 launch preset keeps each item in its horizon)."""
    delta = new_base_year - plan.base_year if shift_dates else 0
    ms = [
        m.model_copy(update={"due_date": shift_years(m.due_date, delta)}) for m in plan.milestones
    ]
    return plan.model_copy(update={"base_year": new_base_year, "milestones": ms})


# --------------------------------------------------------------------------- roll-up


def is_past_due(m: Milestone, today: date) -> bool:
    return m.status != "done" and m.due_date is not None and m.due_date < today


def is_stale(m: Milestone, today: date, days: int) -> bool:
    if m.status == "done":
        return False
    return m.last_updated is None or (today - m.last_updated).days > days


def effective_status(m: Milestone, today: date) -> str:
    """Past-due open items count as off track, whatever their recorded status."""
    return "off_track" if is_past_due(m, today) else m.status


def headline_status(items: Sequence[Milestone], today: date) -> str:
    """A board-readable headline: the worst open item, or complete, or no milestones."""
    if not items:
        return "none"
    open_items = [m for m in items if m.status != "done"]
    if not open_items:
        return "done"
    worst = min((effective_status(m, today) for m in open_items), key=_SEVERITY.__getitem__)
    return worst


def _summary(items: Sequence[Milestone], today: date) -> str:
    if not items:
        return "No milestones yet"
    counts = Counter(m.status for m in items)
    parts = [f"{counts[s]} {STATUS_LABELS[s].lower()}" for s in STATUSES if counts[s]]
    late = sum(is_past_due(m, today) for m in items)
    text = f"{len(items)} milestone{'s' if len(items) != 1 else ''}: " + ", ".join(parts)
    if late:
        text += f"; {late} past due"
    return text


def rollup(
    plan: Plan, areas: Sequence[PriorityArea], conditions: Sequence[Condition], today: date
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Status counts and headline per priority area and per condition.

    Returns two frames with columns ``code, name, total, <status counts>, past_due,
    headline, headline_label, summary`` (the second also has ``areas``).
    """
    by_area: dict[str, list[Milestone]] = {a.code: [] for a in areas}
    for m in plan.milestones:
        by_area.setdefault(m.priority_area, []).append(m)

    def row(code: str, name: str, items: list[Milestone]) -> dict[str, Any]:
        counts = Counter(m.status for m in items)
        head = headline_status(items, today)
        return {
            "code": code,
            "name": name,
            "total": len(items),
            **{s: counts.get(s, 0) for s in STATUSES},
            "past_due": sum(is_past_due(m, today) for m in items),
            "headline": head,
            "headline_label": HEADLINE_LABELS[head],
            "summary": _summary(items, today),
        }

    area_rows = [row(a.code, a.name, by_area.get(a.code, [])) for a in areas]
    cond_rows = []
    for c in conditions:
        codes = [a.code for a in areas if a.condition_code == c.code]
        items = [m for code in codes for m in by_area.get(code, [])]
        cond_rows.append({**row(c.code, c.name, items), "areas": ", ".join(codes)})
    return pd.DataFrame(area_rows), pd.DataFrame(cond_rows)


def attention_list(
    plan: Plan, today: date, stale_days: int, area: str | None = None
) -> pd.DataFrame:
    """Open milestones that are past due or not updated in ``stale_days`` days, worst first."""
    rows = []
    for m in plan.milestones:
        if area and m.priority_area != area:
            continue
        late, stale = is_past_due(m, today), is_stale(m, today, stale_days)
        if not (late or stale):
            continue
        reasons = []
        if late:
            reasons.append(f"past due by {(today - m.due_date).days} days")
        if stale:
            reasons.append(
                "never updated"
                if m.last_updated is None
                else f"not updated for {(today - m.last_updated).days} days"
            )
        rows.append(
            {
                "item_id": m.item_id,
                "priority_area": m.priority_area,
                "title": m.title,
                "owner": m.owner,
                "status": STATUS_LABELS[m.status],
                "due_date": m.due_date,
                "last_updated": m.last_updated,
                "past_due": late,
                "stale": stale,
                "why": "; ".join(reasons),
            }
        )
    cols = [
        "item_id",
        "priority_area",
        "title",
        "owner",
        "status",
        "due_date",
        "last_updated",
        "past_due",
        "stale",
        "why",
    ]
    df = pd.DataFrame(rows, columns=cols)
    if df.empty:
        return df
    return df.sort_values(
        ["past_due", "due_date"], ascending=[False, True], kind="stable"
    ).reset_index(drop=True)


# --------------------------------------------------------------------------- diff


class Change(BaseModel):
    """One difference between two plan versions."""

    model_config = ConfigDict(frozen=True)
    kind: Literal["added", "removed", "changed"]
    entity: Literal["plan", "target", "milestone"]
    key: str
    label: str
    field: str = ""
    before: Any = None
    after: Any = None

    def describe(self) -> str:
        if self.kind == "changed":
            return f"{self.label}: {self.field} {_show(self.before)} → {_show(self.after)}"
        return f"{self.kind.capitalize()} {self.entity} {self.label}"


def _show(v: Any) -> str:
    if v is None:
        return "(empty)"
    if isinstance(v, float):
        return _fmt(v)
    if isinstance(v, date):
        return v.isoformat()
    return str(v)


def diff_plans(
    old: Plan,
    new: Plan,
    geo_names: Mapping[str, str] | None = None,
    measure_names: Mapping[str, str] | None = None,
) -> list[Change]:
    """What changed from ``old`` to ``new``: header fields, targets and milestones."""
    geo_names = geo_names or {}
    measure_names = measure_names or {}
    out: list[Change] = []
    for f in ("plan_name", "base_year", "trajectory"):
        if getattr(old, f) != getattr(new, f):
            out.append(
                Change(
                    kind="changed",
                    entity="plan",
                    key=f,
                    label="Plan",
                    field=COLUMN_LABELS[f],
                    before=getattr(old, f),
                    after=getattr(new, f),
                )
            )
    a, b = old.target_map(), new.target_map()

    def tlabel(k: tuple[str, str, int]) -> str:
        code, geo, h = k
        name = measure_names.get(code, "")
        g = "England" if geo == ENGLAND_CODE else geo_names.get(geo, geo)
        return f"{code}{' ' + name if name else ''} ({g}), year {h}"

    for k in sorted(a.keys() | b.keys()):
        key = f"{k[0]}|{k[1]}|{k[2]}"
        if k not in b:
            out.append(
                Change(
                    kind="removed",
                    entity="target",
                    key=key,
                    label=tlabel(k),
                    field="Target",
                    before=a[k],
                )
            )
        elif k not in a:
            out.append(
                Change(
                    kind="added",
                    entity="target",
                    key=key,
                    label=tlabel(k),
                    field="Target",
                    after=b[k],
                )
            )
        elif not math.isclose(a[k], b[k], rel_tol=0, abs_tol=1e-9):
            out.append(
                Change(
                    kind="changed",
                    entity="target",
                    key=key,
                    label=tlabel(k),
                    field="Target",
                    before=a[k],
                    after=b[k],
                )
            )
    ma = {m.item_id: m for m in old.milestones}
    mb = {m.item_id: m for m in new.milestones}
    for item in sorted(ma.keys() | mb.keys()):
        if item not in mb:
            out.append(
                Change(
                    kind="removed",
                    entity="milestone",
                    key=item,
                    label=f"“{ma[item].title}” ({ma[item].priority_area})",
                )
            )
        elif item not in ma:
            out.append(
                Change(
                    kind="added",
                    entity="milestone",
                    key=item,
                    label=f"“{mb[item].title}” ({mb[item].priority_area})",
                )
            )
        else:
            for f in MILESTONE_FIELDS:
                x, y = getattr(ma[item], f), getattr(mb[item], f)
                if x != y:
                    if f == "status":
                        x, y = STATUS_LABELS[x], STATUS_LABELS[y]
                    out.append(
                        Change(
                            kind="changed",
                            entity="milestone",
                            key=item,
                            label=f"“{mb[item].title}”",
                            field=COLUMN_LABELS[f],
                            before=x,
                            after=y,
                        )
                    )
    return out


def changes_frame(changes: Sequence[Change]) -> pd.DataFrame:
    cols = ["change", "what", "item", "field", "before", "after"]
    rows = [
        {
            "change": c.kind,
            "what": c.entity,
            "item": c.label,
            "field": c.field,
            "before": _show(c.before) if c.kind != "added" else "",
            "after": _show(c.after) if c.kind != "removed" else "",
        }
        for c in changes
    ]
    return pd.DataFrame(rows, columns=cols)


def summarise_changes(changes: Sequence[Change]) -> str:
    if not changes:
        return "No differences."
    counts = Counter(
        (c.kind, c.entity) for c in {(c.kind, c.entity, c.key): c for c in changes}.values()
    )
    parts = [
        f"{n} {entity}{'s' if n != 1 else ''} {kind}"
        for (kind, entity), n in sorted(counts.items(), key=lambda kv: -kv[1])
    ]
    return "; ".join(parts) + "."


# --------------------------------------------------------------------------- three-way merge


class MergeConflict(BaseModel):
    """A change of yours that someone else also changed differently; theirs was kept."""

    model_config = ConfigDict(frozen=True)
    entity: Literal["plan", "target", "milestone"]
    key: str
    field: str
    yours: Any = None
    theirs: Any = None

    def describe(self) -> str:
        return (
            f"{self.entity} {self.key}, {self.field}: yours {_show(self.yours)}, "
            f"theirs {_show(self.theirs)} (theirs kept)"
        )


def rebase_edits(original: Plan, edited: Plan, latest: Plan) -> tuple[Plan, list[MergeConflict]]:
    """Apply the changes you made (``original`` → ``edited``) on top of ``latest``.

    After a refused save, this keeps your work without overwriting a colleague's: every
    target, milestone field and header field you changed is applied unless the colleague
    changed the same thing to something else, which is reported as a conflict and left as
    theirs. Items you added are added; items you removed are removed unless the colleague
    changed them. The result carries ``latest``'s version number, ready to save.
    """
    conflicts: list[MergeConflict] = []
    header: dict[str, Any] = {}
    for f in ("plan_name", "base_year", "trajectory"):
        mine, base, theirs = getattr(edited, f), getattr(original, f), getattr(latest, f)
        if mine != base:
            if theirs in (base, mine):
                header[f] = mine
            else:
                conflicts.append(
                    MergeConflict(entity="plan", key="plan", field=f, yours=mine, theirs=theirs)
                )

    o, e, t = original.target_map(), edited.target_map(), latest.target_map()
    merged_t = dict(t)
    for k in o.keys() | e.keys():
        mine, base = e.get(k), o.get(k)
        if mine == base:
            continue
        theirs = t.get(k)
        if theirs in (base, mine):
            if mine is None:
                merged_t.pop(k, None)
            else:
                merged_t[k] = mine
        else:
            conflicts.append(
                MergeConflict(
                    entity="target",
                    key="|".join(map(str, k)),
                    field="Target",
                    yours=mine,
                    theirs=theirs,
                )
            )

    om = {m.item_id: m for m in original.milestones}
    em = {m.item_id: m for m in edited.milestones}
    tm = {m.item_id: m for m in latest.milestones}
    merged_m = dict(tm)
    for item in om.keys() | em.keys():
        base, mine, theirs = om.get(item), em.get(item), tm.get(item)
        if mine == base:
            continue
        if base is None:  # you added it
            merged_m[item] = mine
        elif mine is None:  # you removed it
            if theirs == base:
                merged_m.pop(item, None)
            elif theirs is not None:
                conflicts.append(
                    MergeConflict(
                        entity="milestone",
                        key=item,
                        field="(removed)",
                        yours="removed",
                        theirs="changed",
                    )
                )
        elif theirs is None:  # they removed what you changed
            conflicts.append(
                MergeConflict(
                    entity="milestone",
                    key=item,
                    field="(removed)",
                    yours="changed",
                    theirs="removed",
                )
            )
        else:
            update = {}
            for f in MILESTONE_FIELDS:
                b, y, th = getattr(base, f), getattr(mine, f), getattr(theirs, f)
                if y == b:
                    continue
                if th in (b, y):
                    update[f] = y
                else:
                    conflicts.append(
                        MergeConflict(
                            entity="milestone", key=item, field=COLUMN_LABELS[f], yours=y, theirs=th
                        )
                    )
            merged_m[item] = theirs.model_copy(update=update)

    targets = [
        PlanTarget(measure_code=k[0], geo_code=k[1], horizon=k[2], target=v)
        for k, v in sorted(merged_t.items())
    ]
    order = [m.item_id for m in latest.milestones] + [
        i for i in (m.item_id for m in edited.milestones) if i not in tm
    ]
    milestones = [merged_m[i] for i in order if i in merged_m]
    merged = latest.model_copy(update={**header, "targets": targets, "milestones": milestones})
    return merged, conflicts
