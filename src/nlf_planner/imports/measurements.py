"""Measurement files: every row checked against the measures' units and frequencies and the
geography, and a preview of what applying the checked rows would change.

Both are pure: the store hands :func:`preview_measurements` the rows it holds now, and writes
the checked rows in one transaction only after a person has seen that preview.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from nlf_planner.exports_tables import ColumnDoc
from nlf_planner.geography import ENGLAND_CODE
from nlf_planner.imports.cells import decimal_places, parse_number, parse_period, period_problem
from nlf_planner.imports.checks import Issue, Severity, check_columns, squash
from nlf_planner.imports.files import ColumnMap, Table
from nlf_planner.models import ICB, MEASUREMENT_VALUE_FIELDS, Measure, Region
from nlf_planner.periods import QUARTER_START_MONTHS, fits_frequency
from nlf_planner.settings import DEFAULT_EARLIEST_PERIOD, EARLIEST_PERIOD_ENV
from nlf_planner.units import unit_scale

UPPER_LIMIT = {"percent": 100.0, "score_0_10": 10.0}


MEASUREMENT_COLUMNS: tuple[ColumnDoc, ...] = (
    ColumnDoc(
        "measure_code",
        "text",
        True,
        "Measure code M01–M17 (see the Measures sheet). Also read from a Measure, Metric "
        "or Fingertips Indicator ID column when that holds these codes.",
        "M08",
    ),
    ColumnDoc(
        "geo_code",
        "text",
        True,
        "ICB code (E54…) or region code (E40…); see the Geography sheet. England is "
        "computed from these, so England rows (E92000001) are skipped. Also read from "
        "Area Code (Fingertips), ICB code, Region code, ODS code or Org code.",
        "E54000024",
    ),
    ColumnDoc(
        "period",
        "date",
        True,
        "First day of the period: monthly = 1st of the month; quarterly = 1 April, "
        "1 July, 1 October or 1 January; annual = 1 April of the financial year. "
        "2024-04-01, 01/04/2024, Apr 2024, Q1 2024/25, 2024/25 Q1 and 2024/25 are "
        "understood (not a calendar year or a range of years). Periods from April 2010 "
        "(unless the NLF_EARLIEST_PERIOD setting says otherwise) are accepted, so history "
        "from before the framework can be loaded. Also read from Time period "
        "(Fingertips), Month or Date.",
        "2024-04-01",
    ),
    ColumnDoc(
        "numerator",
        "number",
        False,
        "What is counted (e.g. posts vacant); for a score, the sum of scores. Give "
        "numerator or value (or both). Also read from Count (Fingertips).",
        "12",
    ),
    ColumnDoc(
        "denominator",
        "number",
        True,
        "What it is counted out of (posts, staff, organisations; respondents for a "
        "survey score). Needed so region and England totals are sums, not averages.",
        "150",
    ),
    ColumnDoc(
        "value",
        "number",
        False,
        "The published figure in the measure's unit: percent 0–100, score 0–10, years, "
        "rate per 1,000 or count. Worked out from numerator/denominator when blank; "
        "checked against them when both are given.",
        "8.0",
    ),
    ColumnDoc(
        "ci_low",
        "number",
        False,
        "Lower end of a published 95% interval. Also read from Lower CI 95.0 limit (Fingertips).",
        "",
    ),
    ColumnDoc(
        "ci_high",
        "number",
        False,
        "Upper end of a published 95% interval. Also read from Upper CI 95.0 limit (Fingertips).",
        "",
    ),
)

#: Other names for our columns, as NHS files and OHID Fingertips write them. Matched
#: whatever the case, spacing or punctuation ("Area Code", "area_code" and fingertipsR's
#: "AreaCode" are one heading); our own names always win over an alias, and of two aliases
#: for one column the first in the file is taken (the other is named as ignored).
MEASUREMENT_ALIASES = {
    # measure
    "Measure": "measure_code",
    "Measure ID": "measure_code",
    "Indicator": "measure_code",
    "Indicator code": "measure_code",
    "Indicator ID": "measure_code",  # Fingertips; accepted only when it holds our codes
    "Metric": "measure_code",
    "Metric code": "measure_code",
    "Metric ID": "measure_code",
    # geography
    "Area Code": "geo_code",  # Fingertips
    "ICB code": "geo_code",
    "ICS code": "geo_code",
    "Region code": "geo_code",
    "NHS region code": "geo_code",
    "Geography code": "geo_code",
    "Geography": "geo_code",
    "Geo": "geo_code",
    "Org code": "geo_code",
    "Organisation code": "geo_code",
    "Organization code": "geo_code",
    "ODS code": "geo_code",
    "Commissioner code": "geo_code",
    # period
    "Time period": "period",  # Fingertips: "2019/20", "2019/20 Q1", "Apr 2019"
    "Period start": "period",
    "Period start date": "period",
    "Reporting period": "period",
    "Effective snapshot date": "period",
    "Date": "period",
    "Month": "period",
    "Financial year": "period",
    # numbers
    "Count": "numerator",  # Fingertips
    "Num": "numerator",
    "Denom": "denominator",
    "Den": "denominator",
    "Indicator value": "value",
    "Lower CI 95.0 limit": "ci_low",  # Fingertips
    "Upper CI 95.0 limit": "ci_high",
    "Lower CI": "ci_low",
    "Upper CI": "ci_high",
    "CI lower": "ci_low",
    "CI upper": "ci_high",
    "Lower 95% CI": "ci_low",
    "Upper 95% CI": "ci_high",
    "Lower CI 95": "ci_low",
    "Upper CI 95": "ci_high",
}
#: ONS-style geography code headings ("ICB23CD", "NHSER22CD").
MEASUREMENT_ALIAS_PATTERNS = ((re.compile(r"(icb|sicbl|nhser|ics)\d{2}cd(h)?"), "geo_code"),)
#: Headings that hold Fingertips' own indicator numbers when a file comes from there.
INDICATOR_ID_HEADINGS = frozenset({squash("Indicator ID")})
#: Plain names of our columns, for the preview's "which column was taken for which".
MEASUREMENT_COLUMN_LABELS = {
    "measure_code": "measure code",
    "geo_code": "geography code",
    "period": "period",
    "numerator": "numerator",
    "denominator": "denominator",
    "value": "value",
    "ci_low": "interval, lower end",
    "ci_high": "interval, upper end",
}


@dataclass
class MeasurementImport:
    """A checked measurement file: typed rows, and every problem found."""

    rows: pd.DataFrame
    issues: list[Issue]
    source_name: str
    source_rows: int
    #: Which heading of the file was taken for which column (recorded in the audit row).
    columns: ColumnMap | None = None

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors and not self.rows.empty

    def pairs(self) -> pd.DataFrame:
        return self.rows[["measure_code", "geo_code"]].drop_duplicates().reset_index(drop=True)


_ROW_COLUMNS = ["row", *MEASUREMENT_VALUE_FIELDS]


def validate_measurements(
    table: Table,
    measures: Iterable[Measure],
    regions: Iterable[Region],
    icbs: Iterable[ICB],
    today: date | None = None,
    earliest: date = DEFAULT_EARLIEST_PERIOD,
) -> MeasurementImport:
    """Check every row against the measures' units and frequencies and the geography.

    Periods from ``earliest`` (the ``NLF_EARLIEST_PERIOD`` setting) to ``today`` are
    accepted, so real series from before the framework's history (April 2016) can be loaded
    as a baseline. England rows (Fingertips files carry one per period) are skipped with a
    note: England is computed from the regions and ICBs."""
    today = today or date.today()
    measure_by_code = {m.code: m for m in measures}
    geo_level = {r.code: "region" for r in regions}
    geo_level.update({i.code: "icb" for i in icbs})
    issues = check_columns(
        table,
        MEASUREMENT_COLUMNS,
        MEASUREMENT_ALIASES,
        one_of=[("numerator", "value")],
        patterns=MEASUREMENT_ALIAS_PATTERNS,
    )
    empty = pd.DataFrame(columns=_ROW_COLUMNS)
    if not any(i.severity == "error" for i in issues):
        issues += _indicator_id_issues(table, measure_by_code)
    if any(i.severity == "error" for i in issues):
        return MeasurementImport(empty, issues, table.source_name, len(table), table.column_map)
    df = table.df
    rows = table.row_numbers
    n = len(df)

    def col(name: str) -> np.ndarray:
        return df[name].to_numpy(dtype=object) if name in df.columns else np.full(n, "", object)

    def add(mask: np.ndarray, column: str, values: np.ndarray, reason, sev: Severity = "error"):
        for idx in np.flatnonzero(mask):
            text = reason(idx) if callable(reason) else reason
            issues.append(Issue(int(rows[idx]), column, str(values[idx]), text, sev))

    # codes
    mcode_raw, geo_raw = col("measure_code"), col("geo_code")
    mcode = np.array([s.upper() for s in mcode_raw], dtype=object)
    geo = np.array([s.upper() for s in geo_raw], dtype=object)
    add(mcode == "", "measure_code", mcode_raw, "Measure code is blank.")
    unknown_m = (mcode != "") & ~np.isin(mcode, list(measure_by_code))
    measure_heading = _heading(table, "measure_code")
    add(
        unknown_m,
        "measure_code",
        mcode_raw,
        f"Not a measure code; use one of {_code_range(measure_by_code)} "
        "(see the Measures sheet of the template)."
        + (
            f" The column '{measure_heading}' must hold this app's measure codes, not "
            "Fingertips indicator numbers."
            if squash(measure_heading) in INDICATOR_ID_HEADINGS
            else ""
        ),
    )
    add(geo == "", "geo_code", geo_raw, "Geography code is blank.")
    is_england = geo == ENGLAND_CODE
    add(
        is_england,
        "geo_code",
        geo_raw,
        "England row skipped: England figures are computed from the regions and ICBs, so "
        "the file's England figure is not imported.",
        "warning",
    )
    unknown_g = (geo != "") & ~is_england & ~np.isin(geo, list(geo_level))
    add(
        unknown_g,
        "geo_code",
        geo_raw,
        "Not an ICB code (E54…) or region code (E40…); see the Geography sheet.",
    )
    known_m = ~unknown_m & (mcode != "")
    unit = np.array(
        [measure_by_code[c].unit if k else "" for c, k in zip(mcode, known_m, strict=True)]
    )
    freq = np.array(
        [measure_by_code[c].frequency if k else "" for c, k in zip(mcode, known_m, strict=True)]
    )

    # period
    period_raw = col("period")
    cache: dict[str, tuple[date | None, str | None]] = {}
    for p in set(period_raw):
        cache[p] = parse_period(p)
    parsed = [cache[p] for p in period_raw]
    period = np.array([p[0] for p in parsed], dtype=object)
    kind = np.array([p[1] for p in parsed], dtype=object)
    add(period_raw == "", "period", period_raw, "Period is blank.")
    bad_p = (period_raw != "") & np.array([p is None for p in period])
    add(bad_p, "period", period_raw, lambda i: period_problem(period_raw[i]))
    has_p = np.array([p is not None for p in period])
    fit_checked = has_p & known_m
    misfit = np.array(
        [
            bool(c) and not fits_frequency(p, f)
            for p, f, c in zip(period, freq, fit_checked, strict=True)
        ]
    )
    add(misfit, "period", period_raw, lambda i: _misfit_reason(period[i], freq[i]))
    fy_wrong = fit_checked & ~misfit & (kind == "fy") & (freq != "annual")
    add(
        fy_wrong,
        "period",
        period_raw,
        lambda i: (
            f"A financial-year label fits annual measures only; {mcode[i]} is "
            f"{freq[i]}: give the period's first day."
        ),
    )
    early = has_p & np.array([p is not None and p < earliest for p in period])
    add(
        early,
        "period",
        period_raw,
        f"Before {earliest:%B %Y}, the earliest period this installation accepts (the "
        f"setting {EARLIEST_PERIOD_ENV}).",
    )
    future = has_p & np.array([p is not None and p > today for p in period])
    add(future, "period", period_raw, f"In the future (today is {today.isoformat()}).")

    # numbers
    values: dict[str, np.ndarray] = {}
    for name in ("numerator", "denominator", "value", "ci_low", "ci_high"):
        raw = col(name)
        allow_pct = name in ("value", "ci_low", "ci_high")
        seen: dict[tuple[str, bool], float | None] = {}  # the same text parses the same way

        def number(text: str, pct: bool, seen=seen) -> float | None:
            if (text, pct) not in seen:
                seen[(text, pct)] = parse_number(text, allow_percent=pct)
            return seen[(text, pct)]

        nums = np.array(
            [
                number(s, allow_pct and u == "percent") if s != "" else None
                for s, u in zip(raw, unit, strict=True)
            ],
            dtype=object,
        )
        bad = (raw != "") & np.array([v is None for v in nums])
        add(bad, name, raw, "Not a number.")
        values[name] = np.array([np.nan if v is None else v for v in nums], dtype=float)
    num, den, val = values["numerator"], values["denominator"], values["value"]
    lo, hi = values["ci_low"], values["ci_high"]
    den_raw, num_raw, val_raw = col("denominator"), col("numerator"), col("value")
    add(
        den_raw == "",
        "denominator",
        den_raw,
        "Denominator is blank; it is needed so region and England figures are totals.",
    )
    for name, arr in (
        ("numerator", num),
        ("denominator", den),
        ("value", val),
        ("ci_low", lo),
        ("ci_high", hi),
    ):
        add(arr < 0, name, col(name), "Negative; this measure cannot be below zero.")
    add(den == 0, "denominator", den_raw, "Denominator is zero; it must be more than zero.")
    add(
        (num_raw == "") & (val_raw == ""),
        "value",
        val_raw,
        "Both numerator and value are blank; give at least one.",
    )
    pct = unit == "percent"
    add(
        pct & (num > den),
        "numerator",
        num_raw,
        lambda i: (
            f"Numerator {num_raw[i]} is more than the denominator {den_raw[i]}; a "
            "percentage cannot exceed 100%."
        ),
    )
    scale = np.array([unit_scale(u) for u in unit])
    derived = np.where(den > 0, scale * num / np.where(den > 0, den, 1.0), np.nan)
    both = ~np.isnan(val) & ~np.isnan(derived)
    tol = np.array([0.5 * 10.0 ** -decimal_places(s) + 1e-9 if s else 0.0 for s in val_raw])
    mismatch = both & (np.abs(val - derived) > tol) & ~(pct & (num > den))
    add(
        mismatch,
        "value",
        val_raw,
        lambda i: (
            f"Value {val_raw[i]} does not match numerator/denominator "
            f"({num_raw[i]}/{den_raw[i]} gives {derived[i]:.3g})."
        ),
    )
    final = np.where(np.isnan(val), derived, val)
    upper = np.array([UPPER_LIMIT.get(u, np.inf) for u in unit])
    for name, arr in (("value", val), ("ci_low", lo), ("ci_high", hi)):
        add(arr > upper, name, col(name), lambda i: _range_reason(unit[i]))
    over_derived = np.isnan(val) & (derived > upper) & ~(pct & (num > den))
    add(
        over_derived,
        "numerator",
        num_raw,
        lambda i: f"Numerator/denominator give {derived[i]:.3g}; " + _range_reason(unit[i]).lower(),
    )
    one_ci = np.isnan(lo) != np.isnan(hi)
    add(one_ci, "ci_low", col("ci_low"), "Give both ends of the interval, or neither.")
    bad_ci = ~np.isnan(lo) & ~np.isnan(hi) & ((lo > final + 1e-9) | (hi < final - 1e-9))
    add(
        bad_ci,
        "ci_low",
        col("ci_low"),
        lambda i: f"The interval {lo[i]:g}–{hi[i]:g} does not contain the value {final[i]:g}.",
    )
    numerator = np.where(np.isnan(num) & (den > 0), final * den / scale, num)

    # duplicates within the file
    key = [f"{m}|{g}|{p}" for m, g, p in zip(mcode, geo, period, strict=True)]
    complete = (mcode != "") & (geo != "") & has_p
    first_row: dict[str, int] = {}
    for idx in np.flatnonzero(complete):
        k = key[idx]
        if k in first_row:
            issues.append(
                Issue(
                    int(rows[idx]),
                    "period",
                    str(period_raw[idx]),
                    f"Duplicate of row {first_row[k]}: the same measure, geography "
                    "and period appear twice.",
                    "error",
                )
            )
        else:
            first_row[k] = int(rows[idx])

    clean = pd.DataFrame(
        {
            "row": rows,
            "measure_code": mcode,
            "geo_code": geo,
            "period": period,
            "numerator": numerator,
            "denominator": den,
            "value": final,
            "ci_low": lo,
            "ci_high": hi,
        }
    )
    # England rows are skipped whatever else they hold, so only the note about them is kept.
    skipped = set(rows[is_england].tolist())
    issues = [i for i in issues if i.row not in skipped or i.severity == "warning"]
    bad_rows = {i.row for i in issues if i.severity == "error" and i.row is not None}
    clean = clean[~clean["row"].isin(bad_rows | skipped)].reset_index(drop=True)
    return MeasurementImport(clean, issues, table.source_name, n, table.column_map)


def _heading(table: Table, column: str) -> str:
    """The file's heading taken for one of our columns ("Indicator ID" for measure_code)."""
    return table.column_map.heading_for(column) if table.column_map else column


def _indicator_id_issues(table: Table, measure_by_code: Mapping[str, Measure]) -> list[Issue]:
    """A Fingertips 'Indicator ID' column is taken for the measure code only when it holds
    our codes (M01…M17). When none of its values is one (Fingertips' own indicator numbers,
    such as 90362), one file-level error says which column it was and what it must hold,
    instead of one 'not a measure code' per row."""
    heading = _heading(table, "measure_code")
    if squash(heading) not in INDICATOR_ID_HEADINGS:
        return []
    values = [v.strip().upper() for v in table.df["measure_code"] if v.strip()]
    if not values or any(v in measure_by_code for v in values):
        return []
    found = list(dict.fromkeys(values))
    shown = ", ".join(found[:3]) + (", …" if len(found) > 3 else "")
    what = (
        "Fingertips indicator numbers"
        if all(v.isdigit() for v in found)
        else "values that are not measure codes"
    )
    return [
        Issue(
            None,
            heading,
            shown,
            f"The column '{heading}' was taken for the measure code, but it holds {what} "
            f"({shown}), not this app's measure codes ({_code_range(measure_by_code)}). "
            "Replace each with the measure code it is for (see the Measures sheet of the "
            "template), or add a measure_code column.",
        )
    ]


def _range_reason(unit: str) -> str:
    if unit == "percent":
        return "Outside 0–100: a percentage must lie between 0 and 100."
    return "Outside 0–10: a score must lie between 0 and 10."


def _code_range(codes: Mapping[str, object]) -> str:
    ordered = sorted(codes)
    return f"{ordered[0]}–{ordered[-1]}" if ordered else "(no measures are loaded)"


def _misfit_reason(d: date, frequency: str) -> str:
    if frequency == "monthly":
        return f"{d.isoformat()} is not the first day of a month; monthly measures use the 1st."
    if frequency == "quarterly":
        months = ", ".join(date(2000, m, 1).strftime("%B") for m in (4, 7, 10, 1))
        assert set(QUARTER_START_MONTHS) == {1, 4, 7, 10}
        return (
            f"{d.isoformat()} is not the start of a financial quarter; quarterly measures "
            f"use the 1st of {months}."
        )
    return (
        f"{d.isoformat()} is not 1 April; annual measures use 1 April of the financial "
        "year (e.g. 2024-04-01 for 2024/25)."
    )


# --- preview ---------------------------------------------------------------------------------


@dataclass
class MeasurementPreview:
    """What an import will change: rows added, values replaced, illustrative rows dropped."""

    changes: pd.DataFrame
    counts: dict[str, int]

    def summary(self) -> str:
        c = self.counts
        return (
            f"{c['added']:,} rows added, {c['replaced']:,} values replaced, "
            f"{c['unchanged']:,} unchanged (now marked as real data), "
            f"{c['illustrative_removed']:,} illustrative rows removed from "
            f"{c['series']:,} series."
        )


_KEY = ["measure_code", "geo_code", "period"]
#: Series named one by one in the removal warning; more are counted.
REMOVAL_SERIES_LISTED = 10


def removals(changes: pd.DataFrame) -> pd.DataFrame:
    """One row per measure and area that loses stored rows: how many, and the first and
    last period removed (the preview's 'illustrative removed' rows, grouped)."""
    gone = changes[changes["change"] == "illustrative removed"]
    columns = ["measure_code", "geo_code", "rows", "first_period", "last_period"]
    if gone.empty:
        return pd.DataFrame(columns=columns)
    grouped = (
        gone.groupby(["measure_code", "geo_code"], sort=True)["period"]
        .agg(rows="size", first_period="min", last_period="max")
        .reset_index()
    )
    return grouped[columns]


def removal_warning(
    summary: pd.DataFrame, measure_names: Mapping[str, str], area_names: Mapping[str, str]
) -> str | None:
    """The plain sentence shown before an import that removes stored history: how many
    rows, for which measures and areas, over which periods (None when nothing is removed).
    Importing 3 rows for one ICB used to replace ten years of its history without a word."""
    if summary.empty:
        return None
    total = int(summary["rows"].sum())
    parts = [
        f"{r.measure_code} {measure_names.get(r.measure_code, '')} for "
        f"{area_names.get(r.geo_code, r.geo_code)}: {int(r.rows):,} "
        f"row{'s' if r.rows != 1 else ''}, {_month(r.first_period)} to {_month(r.last_period)}"
        for r in summary.head(REMOVAL_SERIES_LISTED).itertuples()
    ]
    more = len(summary) - len(parts)
    listed = "; ".join(p.replace("  ", " ") for p in parts)
    tail = f"; and {more:,} more series (see the table)" if more > 0 else ""
    return (
        f"This import removes {total:,} stored row{'s' if total != 1 else ''} of history that "
        f"the file does not replace — {listed}{tail}. The file's series replace the stored "
        "illustrative series as a whole."
    )


def _month(value: object) -> str:
    return pd.Timestamp(value).strftime("%b %Y")


def preview_measurements(incoming: pd.DataFrame, current: pd.DataFrame) -> MeasurementPreview:
    """Compare checked rows with what the store holds now for the same measure/geo pairs.

    ``current`` holds every stored row of those pairs (columns as in the store, with
    ``illustrative``). Illustrative rows of those pairs that the file does not cover are
    removed: the imported series replaces the illustrative one as a whole.
    """
    inc = incoming[_KEY + ["numerator", "denominator", "value"]].copy()
    cur = current[_KEY + ["numerator", "denominator", "value", "illustrative"]].copy()
    for frame in (inc, cur):
        frame["period"] = pd.to_datetime(frame["period"]).dt.date
    merged = inc.merge(cur, on=_KEY, how="outer", suffixes=("_after", "_before"), indicator=True)
    both = merged["_merge"] == "both"
    same = (
        both
        & _close(merged["value_after"], merged["value_before"])
        & _close(merged["numerator_after"], merged["numerator_before"])
        & _close(merged["denominator_after"], merged["denominator_before"])
    )
    change = np.select(
        [
            merged["_merge"] == "left_only",
            same,
            both,
            (merged["_merge"] == "right_only") & merged["illustrative"].fillna(False).astype(bool),
        ],
        ["added", "unchanged", "replaced", "illustrative removed"],
        default="kept",
    )
    merged["change"] = change
    out = merged[merged["change"] != "kept"].rename(columns={"illustrative": "was_illustrative"})
    out = out[
        [
            "change",
            *_KEY,
            "value_before",
            "value_after",
            "numerator_before",
            "numerator_after",
            "denominator_before",
            "denominator_after",
            "was_illustrative",
        ]
    ]
    order = {"replaced": 0, "added": 1, "illustrative removed": 2, "unchanged": 3}
    out = out.sort_values(
        by=["change", *_KEY], key=lambda s: s.map(order) if s.name == "change" else s, kind="stable"
    ).reset_index(drop=True)
    counts = {
        k: int((out["change"] == v).sum())
        for k, v in (
            ("added", "added"),
            ("replaced", "replaced"),
            ("unchanged", "unchanged"),
            ("illustrative_removed", "illustrative removed"),
        )
    }
    counts["series"] = int(len(inc[["measure_code", "geo_code"]].drop_duplicates()))
    counts["rows"] = int(len(inc))
    return MeasurementPreview(out, counts)


def _close(a: pd.Series, b: pd.Series) -> pd.Series:
    a, b = a.astype(float), b.astype(float)
    return ((a - b).abs() <= 1e-9 * np.maximum(1.0, b.abs())) | (a.isna() & b.isna())
