"""Measurement history: ICB rows in, ICB / region / England series out.

Region and England values are always recomputed from ICB numerators and denominators
(sum over sum), never by averaging percentages, so that a small ICB counts for what it is.
A row imported at region level (geo_code = a region code) stands for that region and period;
England is then the sum over the regions.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd

from nlf_planner.compare import Z95
from nlf_planner.geography import ENGLAND_CODE
from nlf_planner.models import MEASUREMENT_FIELDS
from nlf_planner.store import dialect

# The data version's home is store.data_version; its names stay importable from here.
from nlf_planner.store.data_version import (  # noqa: F401 - re-exported
    DATA_VERSION_KEY,
    bump_data_version,
    data_version,
)
from nlf_planner.store.db import Cursor, Database
from nlf_planner.units import UNIT_SCALE

#: The measurements table's key: one value per measure, geography and period.
MEASUREMENT_KEY = ("measure_code", "geo_code", "period")

# value = scale × numerator / denominator, by the units module's one table of scales.
_SCALE_CASES = " ".join(f"WHEN '{unit}' THEN {scale}" for unit, scale in UNIT_SCALE.items())

_SERIES_SQL = f"""
WITH base AS (
    SELECT m.measure_code, m.geo_code, m.period, m.numerator, m.denominator, m.value,
           m.ci_low, m.ci_high, m.illustrative, i.region_code,
           coalesce(CASE ms.unit {_SCALE_CASES} END, 1.0) AS scale
    FROM measurements m
    JOIN icbs i ON i.code = m.geo_code
    JOIN measures ms ON ms.code = m.measure_code
    WHERE (CAST($measures AS VARCHAR[]) IS NULL
           OR m.measure_code = ANY(CAST($measures AS VARCHAR[])))
      AND (CAST($up_to AS DATE) IS NULL OR m.period <= CAST($up_to AS DATE))
),
direct_region AS (
    SELECT m.measure_code, m.geo_code, m.period, m.numerator, m.denominator, m.value,
           m.ci_low, m.ci_high, m.illustrative
    FROM measurements m JOIN regions r ON r.code = m.geo_code
    WHERE (CAST($measures AS VARCHAR[]) IS NULL
           OR m.measure_code = ANY(CAST($measures AS VARCHAR[])))
      AND (CAST($up_to AS DATE) IS NULL OR m.period <= CAST($up_to AS DATE))
),
agg_region AS (
    SELECT measure_code, region_code AS geo_code, period,
           sum(numerator) AS numerator, sum(denominator) AS denominator,
           sum(numerator) / sum(denominator) * max(scale) AS value,
           -- pooled standard error of a denominator-weighted mean, from each ICB's 95% CI
           sqrt(sum(power(denominator * (ci_high - ci_low) / (2 * {Z95}), 2)))
               / sum(denominator) AS se,
           bool_and(illustrative) AS illustrative
    FROM base GROUP BY measure_code, region_code, period
),
region_rows AS (
    SELECT measure_code, geo_code, period, numerator, denominator, value,
           value - {Z95} * se AS ci_low, value + {Z95} * se AS ci_high, se, illustrative
    FROM agg_region a
    WHERE NOT EXISTS (SELECT 1 FROM direct_region d WHERE d.measure_code = a.measure_code
                      AND d.geo_code = a.geo_code AND d.period = a.period)
    UNION ALL
    SELECT measure_code, geo_code, period, numerator, denominator, value, ci_low, ci_high,
           (ci_high - ci_low) / (2 * {Z95}) AS se, illustrative
    FROM direct_region
),
england AS (
    SELECT r.measure_code, '{ENGLAND_CODE}' AS geo_code, r.period,
           sum(r.numerator) AS numerator, sum(r.denominator) AS denominator,
           sum(r.numerator) / sum(r.denominator)
               * coalesce(max(CASE ms.unit WHEN 'percent' THEN 100.0
                          WHEN 'rate_per_1000' THEN 1000.0 END), 1.0) AS value,
           sqrt(sum(power(r.denominator * r.se, 2))) / sum(r.denominator) AS se,
           bool_and(r.illustrative) AS illustrative
    FROM region_rows r JOIN measures ms ON ms.code = r.measure_code
    GROUP BY r.measure_code, r.period
)
SELECT measure_code, geo_code, 'icb' AS geo_level, period, numerator, denominator, value,
       ci_low, ci_high, illustrative FROM base
WHERE CAST($levels AS VARCHAR[]) IS NULL OR 'icb' = ANY(CAST($levels AS VARCHAR[]))
UNION ALL
SELECT measure_code, geo_code, 'region', period, numerator, denominator, value,
       ci_low, ci_high, illustrative FROM region_rows
WHERE CAST($levels AS VARCHAR[]) IS NULL OR 'region' = ANY(CAST($levels AS VARCHAR[]))
UNION ALL
SELECT measure_code, geo_code, 'england', period, numerator, denominator, value,
       value - {Z95} * se, value + {Z95} * se, illustrative FROM england
WHERE CAST($levels AS VARCHAR[]) IS NULL OR 'england' = ANY(CAST($levels AS VARCHAR[]))
"""
#: The series' order (sorted in pandas: far cheaper than PostgreSQL sorting wide text rows).
_SERIES_ORDER = ["measure_code", "geo_level", "geo_code", "period"]


def all_series(
    db: Database,
    measure_codes: Sequence[str] | None = None,
    *,
    levels: Sequence[str] | None = None,
    up_to: date | None = None,
) -> pd.DataFrame:
    """Every series (ICB, region, England) for the given measures, oldest period first.

    ``ci_low``/``ci_high`` are the 95% interval the data carry (scores); for proportions they
    are empty and intervals come from numerator and denominator (Wilson, in ``compare``).
    """
    df = db.df(
        _SERIES_SQL,
        {
            "measures": list(measure_codes) if measure_codes else None,
            "levels": list(levels) if levels else None,
            "up_to": up_to,
        },
    )
    df = df.sort_values(_SERIES_ORDER, kind="stable", ignore_index=True)
    df["period"] = pd.to_datetime(df["period"]).dt.date
    return df


def series(db: Database, measure_code: str, geo_code: str, up_to: date | None = None):
    """One series for one measure and geography (ICB, region or England).

    Only the level asked for leaves the database, so a long history stays cheap to read.
    """
    level = _level_of(db, geo_code)
    df = all_series(db, [measure_code], levels=[level], up_to=up_to)
    return df[df["geo_code"] == geo_code].reset_index(drop=True)


def _level_of(db: Database, geo_code: str) -> str:
    if geo_code == ENGLAND_CODE:
        return "england"
    if db.scalar("SELECT count(*) FROM regions WHERE code = ?", [geo_code]):
        return "region"
    return "icb"


def latest_values(df: pd.DataFrame) -> pd.DataFrame:
    """The latest period of each (measure, geography) in a frame from :func:`all_series`."""
    if df.empty:
        return df
    idx = df.groupby(["measure_code", "geo_code"])["period"].idxmax()
    return df.loc[idx].reset_index(drop=True)


def data_as_of(db: Database) -> date | None:
    """The latest period held for any measure (the data's as-of month)."""
    value = db.scalar("SELECT max(period) FROM measurements")
    return value


def periods(db: Database) -> list[date]:
    return [r[0] for r in db.rows("SELECT DISTINCT period FROM measurements ORDER BY period")]


def has_illustrative(db: Database) -> bool:
    return bool(db.scalar("SELECT count(*) FROM measurements WHERE illustrative") or 0)


def write_measurements(cur: Cursor, df: pd.DataFrame) -> int:
    """Insert or replace rows (inside the caller's transaction); returns the row count."""
    written = dialect.bulk_insert(
        cur,
        "measurements",
        df,
        MEASUREMENT_FIELDS,
        key=MEASUREMENT_KEY,
        conflict="replace",
        also_set="loaded_at = now()",
    )
    bump_data_version(cur)
    return written


def delete_all_measurements(cur: Cursor) -> None:
    cur.execute("DELETE FROM measurements")
    bump_data_version(cur)


def get_meta(db: Database, key: str) -> str | None:
    return db.scalar("SELECT value FROM app_meta WHERE key = ?", [key])


def set_meta(cur: Cursor, key: str, value: str) -> None:
    cur.execute(
        dialect.insert_values_sql("app_meta", ("key", "value"), key=("key",), conflict="replace"),
        [key, value],
    )
