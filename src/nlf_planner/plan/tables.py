"""The plan as the tables people edit: wide targets (a column per horizon), regional
overrides and milestones, with codes shown next to their names.

:func:`nlf_planner.plan.validation.draft_from_tables` turns these tables back into a plan.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from nlf_planner.geography import ENGLAND_CODE
from nlf_planner.models import UNIT_LABELS, Measure
from nlf_planner.plan._cells import isnan
from nlf_planner.plan.records import (
    HORIZONS,
    MILESTONE_FIELDS,
    STATUS_LABELS,
    TARGET_COLUMNS,
    Plan,
)

#: The editor tables, in the order the Plan page shows them.
EDITOR_TABLES: tuple[str, ...] = ("targets", "regional", "milestones")

_TARGET_TABLE_COLUMNS = [
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
    df = pd.DataFrame(rows, columns=_TARGET_TABLE_COLUMNS)
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


def measure_label(m: Measure) -> str:
    return f"{m.code} {m.name}"


def first_token(value: Any) -> str | None:
    """The code at the start of a shown label ("P1 Leadership …" → "P1"), None when empty."""
    text = "" if isnan(value) else str(value)
    return text.split(" ", 1)[0] if text.strip() else None


def editor_tables(
    plan: Plan,
    measures: Sequence[Measure],
    baselines: Mapping[str, float],
    area_labels: Mapping[str, str],
    region_names: Mapping[str, str],
) -> dict[str, pd.DataFrame]:
    """The three editable tables as shown: England targets, regional overrides, milestones."""
    england = targets_table(plan, measures, baselines, [ENGLAND_CODE])
    england["measure"] = [
        f"{c} {n}" for c, n in zip(england["measure_code"], england["measure"], strict=True)
    ]
    england["better"] = england["polarity"].map(
        {"higher_is_better": "Higher", "lower_is_better": "Lower", "neutral": "Neither"}
    )
    england["unit"] = england["unit"].map(lambda u: UNIT_LABELS.get(u, u))
    england = england[
        ["area", "measure_code", "measure", "unit", "better", "baseline", "y1", "y3", "y5"]
    ]
    regional = targets_table(plan, measures, baselines, list(region_names))
    regional = regional[regional["geo_code"] != ENGLAND_CODE]
    labels = {m.code: measure_label(m) for m in measures}
    regional = pd.DataFrame(
        {
            "measure": regional["measure_code"].map(labels),
            "region": regional["geo_code"].map(region_names),
            "y1": regional["y1"],
            "y3": regional["y3"],
            "y5": regional["y5"],
        }
    ).reset_index(drop=True)
    ms = milestones_table(plan)
    ms["priority_area"] = ms["priority_area"].map(lambda c: area_labels.get(c, c))
    ms["status"] = ms["status"].map(STATUS_LABELS)
    ms["measure_code"] = ms["measure_code"].map(lambda c: labels.get(c) if c else None)
    ms = ms[["item_id", *MILESTONE_FIELDS]]
    return {
        "targets": england,
        "regional": regional.astype({"measure": object, "region": object}),
        "milestones": ms,
    }


def row_areas(name: str, df: pd.DataFrame, area_of: Mapping[str, str]) -> pd.Series:
    """The priority area of each row of an editor table (by measure for targets, by column
    for milestones)."""
    if name == "targets":
        return df["area"]
    if name == "regional":
        return df["measure"].map(lambda v: area_of.get(first_token(v) or "", ""))
    return df["priority_area"].map(lambda v: first_token(v) or "")
