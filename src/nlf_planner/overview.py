"""Headline tiles for the Overview: one per priority area, its headline measure for England."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from html import escape

import pandas as pd

from nlf_planner.geography import ENGLAND_CODE
from nlf_planner.models import Measure, PriorityArea
from nlf_planner.periods import add_months, label
from nlf_planner.regions import variation_badge

SPARK_POINTS = {"monthly": 25, "quarterly": 12, "annual": 10}


@dataclass(frozen=True)
class AreaTile:
    area: PriorityArea
    measure: Measure
    latest_period: date | None
    latest_value: float | None
    year_ago_value: float | None
    spark: list[float]

    @property
    def change(self) -> float | None:
        if self.latest_value is None or self.year_ago_value is None:
            return None
        return self.latest_value - self.year_ago_value

    @property
    def direction(self) -> str:
        """Plain-English reading of the change over a year, aware of the measure's polarity."""
        change = self.change
        if change is None:
            return "no comparison"
        if abs(change) < 1e-9:
            return "no change"
        if self.measure.polarity == "neutral":
            return "higher" if change > 0 else "lower"
        better = change > 0 if self.measure.polarity == "higher_is_better" else change < 0
        return "better" if better else "worse"

    @property
    def period_label(self) -> str:
        return label(self.latest_period, self.measure.frequency) if self.latest_period else "—"


def headline_measure(area: PriorityArea, measures: list[Measure]) -> Measure | None:
    own = [m for m in measures if m.area_code == area.code]
    return next((m for m in own if m.headline), own[0] if own else None)


def area_tiles(
    areas: list[PriorityArea],
    measures: list[Measure],
    series: pd.DataFrame,
    geo_code: str = ENGLAND_CODE,
) -> list[AreaTile]:
    """Build the tiles from a frame of series (``store.measurements.all_series``)."""
    tiles = []
    geo = series[series["geo_code"] == geo_code]
    for area in areas:
        m = headline_measure(area, measures)
        if m is None:
            continue
        s = geo[geo["measure_code"] == m.code].sort_values("period")
        if s.empty:
            tiles.append(AreaTile(area, m, None, None, None, []))
            continue
        last = s.iloc[-1]
        year_ago = s[s["period"] == add_months(last["period"], -12)]
        tiles.append(
            AreaTile(
                area=area,
                measure=m,
                latest_period=last["period"],
                latest_value=float(last["value"]),
                year_ago_value=float(year_ago["value"].iloc[0]) if not year_ago.empty else None,
                spark=[float(v) for v in s["value"].tail(SPARK_POINTS[m.frequency])],
            )
        )
    return tiles


def format_change(change: float | None, unit: str) -> str:
    if change is None:
        return "—"
    sign = "+" if change >= 0 else "-"
    mag = abs(change)
    if unit == "percent":
        return f"{sign}{mag:.1f} pts"
    if unit == "score_0_10":
        return f"{sign}{mag:.2f}"
    if unit == "years":
        return f"{sign}{mag:.1f} years"
    return f"{sign}{mag:,.1f}"


@dataclass(frozen=True)
class TileReading:
    """What the SPC and the plan say about a tile, in words (the icons' text equivalents)."""

    spc: str
    plan: str
    area_plan: str


def tile_reading(cells: pd.DataFrame, tile: AreaTile, geo_code: str) -> TileReading:
    """Read the shared Regions model's cells (``regions.RegionsModel.cells``) for one tile,
    so the Overview says exactly what the Regions matrix says."""
    mine = cells[(cells["geo_code"] == geo_code) & (cells["area_code"] == tile.area.code)]
    row = mine[mine["measure_code"] == tile.measure.code]
    if row.empty:
        return TileReading("SPC: no data", "Plan: no data", "")
    r = row.iloc[0]
    spc_text = "SPC: " + variation_badge(r.get("variation_icon"))
    status = r.get("plan_status")
    if isinstance(status, str):
        share = r.get("progress_share")
        horizon = r.get("target_horizon")
        way = ""
        if isinstance(share, float) and share == share and horizon == horizon:
            goal = f"the year-{int(horizon)} target"
            way = (
                f", {share:.0%} of the way from baseline to {goal}"
                if share >= 0
                else f", moved away from {goal} since the baseline"
            )
        plan_text = f"Plan: {status}{way}"
    else:
        plan_text = "Plan: no target set"
    statuses = [s for s in mine.get("plan_status", pd.Series(dtype=object)) if isinstance(s, str)]
    on = sum(s == "on trajectory" for s in statuses)
    off = sum(s == "off trajectory" for s in statuses)
    area_plan = (
        f"Area: {on} of {len(statuses)} measures on trajectory, {off} off" if statuses else ""
    )
    return TileReading(spc_text, plan_text, area_plan)


def _given(value: object) -> bool:
    """A value the audit row holds (not None, NaN or empty)."""
    return value is not None and not pd.isna(value) and str(value) != ""


def change_lines(changes: pd.DataFrame) -> list[str]:
    """One Markdown line per audit row ('when · **who** · action entity id — reason'), with
    the people's text escaped so a name or reason can never inject markup."""
    return [
        f"- {r.changed_at:%d %b %Y %H:%M} · **{escape(str(r.actor))}** · {r.action} "
        f"{r.entity.replace('_', ' ')}"
        + (f" {escape(str(r.entity_id))}" if _given(r.entity_id) else "")
        + (f" — {escape(str(r.reason))}" if _given(r.reason) else "")
        for r in changes.itertuples()
    ]
