"""Headline tiles for the Overview: one per priority area, its headline measure for England."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

import pandas as pd

from nlf_planner.geography import ENGLAND_CODE
from nlf_planner.models import Measure, PriorityArea
from nlf_planner.periods import add_months, label
from nlf_planner.regions import assurance_badge, variation_badge
from nlf_planner.units import format_value

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
    assurance: str = ""  # "Assurance: [N] Not assessable until …", empty without a target
    red_red: str = ""  # "!! 2 of the 7 regions are worse than England and getting worse: …"


def red_red_text(
    cells: pd.DataFrame, measure_code: str, geo_code: str, names: Mapping[str, str] | None = None
) -> str:
    """How many areas under ``geo_code`` (England: the 7 regions; a region: the region and
    its ICSs) are worse than England and getting worse on the measure, naming up to three
    ("!! 2 of the 7 regions are worse than England and getting worse: London, North West");
    empty when none are, or the cells carry no such reading."""
    if "red_red" not in cells or "region_code" not in cells:
        return ""
    mine = cells[cells["measure_code"] == measure_code]
    if geo_code == ENGLAND_CODE:
        scope = mine[mine["geo_level"] == "region"] if "geo_level" in mine else mine.iloc[0:0]
        of = f"the {len(scope)} regions"
    else:
        scope = mine[mine["region_code"] == geo_code]
        icss = int((scope["geo_code"] != geo_code).sum())
        of = f"{len(scope)} (the region and its {icss} ICS{'' if icss == 1 else 's'})"
    reds = scope[scope["red_red"].astype(bool)]
    if reds.empty:
        return ""
    named = [(names or {}).get(g, g) for g in reds["geo_code"]]
    more = f" and {len(named) - 3} more" if len(named) > 3 else ""
    verb = "is" if len(reds) == 1 else "are"
    return (
        f"!! {len(reds)} of {of} {verb} worse than England and getting worse: "
        f"{', '.join(named[:3])}{more}"
    )


def tile_reading(
    cells: pd.DataFrame, tile: AreaTile, geo_code: str, names: Mapping[str, str] | None = None
) -> TileReading:
    """Read the shared Regions model's cells (``regions.RegionsModel.cells``) for one tile,
    so the Overview says exactly what the Regions matrix says; ``names`` (the model's)
    name the areas worse than England and getting worse on the headline measure."""
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
        plan_text = f"Plan: {status}{way}{_held(r, tile.measure.unit)}"
    elif isinstance(r.get("plan_note"), str) and pd.notna(r.get("target_horizon")):
        target = format_value(r.get("target"), tile.measure.unit)
        plan_text = f"Plan: year-{int(r.target_horizon)} target {target}; {r.plan_note}"
    else:
        plan_text = "Plan: no target set"
    statuses = [s for s in mine.get("plan_status", pd.Series(dtype=object)) if isinstance(s, str)]
    on = sum(s == "on trajectory" for s in statuses)
    off = sum(s == "off trajectory" for s in statuses)
    area_plan = (
        f"Area: {on} of {len(statuses)} measures on trajectory, {off} off" if statuses else ""
    )
    icon = r.get("assurance_icon")
    assurance = (
        "Assurance: " + assurance_badge(icon, r.get("assurance_reason"))
        if isinstance(icon, str)
        else ""
    )
    return TileReading(
        spc_text,
        plan_text,
        area_plan,
        assurance,
        red_red_text(cells, tile.measure.code, geo_code, names),
    )


def _held(cell: pd.Series, unit: str) -> str:
    """', holding its baseline level (already past the year-1 target of 21.1%)' when the
    plan's direction rule holds the area at its own level."""
    if not bool(cell.get("target_held", False)) or pd.isna(cell.get("target_horizon")):
        return ""
    return (
        f", holding its baseline level (already past the plan's year-"
        f"{int(cell.target_horizon)} target of {format_value(cell.get('plan_target'), unit)})"
    )


def _given(value: object) -> bool:
    """A value the audit row holds (not None, NaN or empty)."""
    return value is not None and not pd.isna(value) and str(value) != ""


def change_lines(changes: pd.DataFrame, escape: Callable[[object], str]) -> list[str]:
    """One Markdown line per audit row ('when · **who** · action what — reason').

    ``what`` is the row's ``description`` (``services.audit``: names, not ids) where the log
    carries one, else the entity and its id. People's text (names, reasons, titles) goes
    through ``escape`` (the page passes ``ui.text.escape_markdown``), so it can never
    inject markup."""
    lines = []
    for r in changes.to_dict("records"):
        what = r.get("description")
        if not _given(what):
            what = str(r["entity"]).replace("_", " ") + (
                f" {r['entity_id']}" if _given(r.get("entity_id")) else ""
            )
        reason = f" — {escape(r['reason'])}" if _given(r.get("reason")) else ""
        lines.append(
            f"- {r['changed_at'].day} {r['changed_at']:%b %Y %H:%M} · "  # as ui.frame writes it
            f"**{escape(r['actor'])}** · "
            f"{r['action']} {escape(what)}{reason}"
        )
    return lines
