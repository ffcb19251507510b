"""The Scenarios page's input tables as plain frames, and the parameters they describe.

A person edits programme places, prices, budgets and regional differences in tables shown in
display units (percentages, £m). This module is the one place that turns
:class:`CapacityParams` into those frames and back, so the rules (blank places mean none, a
blank budget year means no limit, a rate is typed as a percentage) live in the domain, are
tested without Streamlit, and every refusal names the table, row and column to fix.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd
from pydantic import ValidationError

from nlf_planner.capacity.params import (
    ALLOCATION_LABELS,
    BOUNDS,
    LEVEL_NAMES,
    LEVELS,
    MAX_HORIZON,
    SPEC_BY_KEY,
    TIER_NAMES,
    UNCERTAIN,
    CapacityParams,
    Range,
)

PLACES_TABLE = "Programme places"
QI_TABLE = "Improvement training places"
BUDGET_TABLE = "Budget"
OVERRIDES_TABLE = "Regional differences"
INPUTS = "Inputs"

PROGRAMME = "Programme"
PRICE = "£ per place"
OVERRIDE_COLUMNS: tuple[str, ...] = ("Region", "Assumption", "Low", "Most likely", "High", "Why")
_VALUE_COLUMNS = ("Low", "Most likely", "High")
#: The only field typed as a multiple; every other uncertain field is a rate shown in %.
MULTIPLE_FIELD = "promotion_preference"


def year_column(t: int) -> str:
    """The column holding year ``t`` (1-based) in the places and budget tables."""
    return f"Year {t}"


def is_percent(field_name: str) -> bool:
    """Whether a parameter field is shown as a percentage (else as a multiple, ×)."""
    return field_name != MULTIPLE_FIELD


def to_display(field_name: str, x: float) -> float:
    """A stored value in the units on screen; rounded so an untouched input round-trips."""
    return round(x * 100 if is_percent(field_name) else x, 6)


def from_display(field_name: str, x: float) -> float:
    """A value typed on screen back in stored units (rates 0–1)."""
    return round(x / 100 if is_percent(field_name) else x, 8)


def range_from_display(field_name: str, previous: Range, low: float, high: float) -> Range:
    """The range a slider gives: its two ends, with the most likely value kept when it still
    lies between them (else the midpoint), and the reason carried over."""
    central = to_display(field_name, previous.central)
    if not low <= central <= high:
        central = (low + high) / 2
    return Range(
        low=from_display(field_name, low),
        central=from_display(field_name, central),
        high=from_display(field_name, high),
        rationale=previous.rationale,
    )


# --- issues -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TableIssue:
    """One problem in the inputs, located by table, 1-based row and the column people see."""

    table: str
    row: int | None
    column: str | None
    message: str
    row_label: str = ""

    def __str__(self) -> str:
        where = self.table if self.row is None else f"{self.table}, row {self.row}"
        if self.row_label:
            where += f" ({self.row_label})"
        if self.column:
            where += f", column “{self.column}”"
        return f"{where}: {self.message}"


class EditorTablesInvalid(ValueError):
    """The tables do not describe valid parameters; ``issues`` says where and why."""

    PREFIX = "The inputs are not valid, so the model did not run: "

    def __init__(self, issues: list[TableIssue]) -> None:
        self.issues = list(issues)
        super().__init__(self.PREFIX + "; ".join(str(i) for i in self.issues))


# --- parameters → frames ----------------------------------------------------------------------


def _programme_names(improvement: bool) -> list[str]:
    return [TIER_NAMES[k] for k in TIER_NAMES] if improvement else [LEVEL_NAMES[k] for k in LEVELS]


def places_frame(params: CapacityParams, improvement: bool = False) -> pd.DataFrame:
    """Places a year per programme (one column per year of the horizon) and the price."""
    series = params.qi_places if improvement else params.places
    costs = params.qi_cost if improvement else params.cost_per_place
    rows = []
    for name, years, cost in zip(_programme_names(improvement), series, costs, strict=True):
        row: dict[str, object] = {PROGRAMME: name}
        for t in range(1, params.horizon + 1):
            row[year_column(t)] = float(years[min(t, len(years)) - 1])
        row[PRICE] = float(cost)
        rows.append(row)
    return pd.DataFrame(rows)


def budget_frame(params: CapacityParams) -> pd.DataFrame:
    """One row: the budget for leadership places in £m a year (empty = no limit)."""
    row = {}
    for t in range(1, params.horizon + 1):
        b = params.budget_for_year(t)
        row[year_column(t)] = None if b is None else b / 1e6
    return pd.DataFrame([row])


def overrides_frame(params: CapacityParams, region_names: Mapping[str, str]) -> pd.DataFrame:
    """Regional overrides as rows in display units (% or ×), named as people read them."""
    rows = []
    for o in params.overrides:
        spec = SPEC_BY_KEY[o.parameter]
        rows.append(
            {
                "Region": region_names.get(o.region_code, o.region_code),
                "Assumption": spec.label,
                "Low": to_display(spec.field, o.range.low),
                "Most likely": to_display(spec.field, o.range.central),
                "High": to_display(spec.field, o.range.high),
                "Why": o.range.rationale,
            }
        )
    return pd.DataFrame(rows, columns=list(OVERRIDE_COLUMNS))


def assumption_labels() -> list[str]:
    """Every uncertain assumption a regional difference may override, as people read it."""
    return [s.label for s in UNCERTAIN]


# --- frames → parameters ----------------------------------------------------------------------


@dataclass(frozen=True)
class EditorInputs:
    """What the input form holds when it is submitted (ranges already in stored units)."""

    horizon: int
    ranges: Mapping[str, Range]
    allocation: str
    places: pd.DataFrame
    qi_places: pd.DataFrame
    budget: pd.DataFrame
    overrides: pd.DataFrame


def _blank(x: object) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or bool(pd.isna(x))


def _number(x: object) -> float | None:
    """``x`` as a finite float, or None when it is not a number."""
    try:
        value = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _year_columns(frame: pd.DataFrame, horizon: int) -> list[str]:
    return [c for c in frame.columns if str(c).startswith("Year ")][:horizon]


def _places_from(
    frame: pd.DataFrame, horizon: int, improvement: bool, issues: list[TableIssue]
) -> tuple[list[list[float]], list[float]]:
    """Series of places per programme and the prices; blank places count as none."""
    table = QI_TABLE if improvement else PLACES_TABLE
    names = _programme_names(improvement)
    if len(frame) != len(names):
        issues.append(
            TableIssue(table, None, None, f"needs exactly {len(names)} rows, one a programme")
        )
        return [], []
    series, prices = [], []
    for i, (record, name) in enumerate(zip(frame.to_dict("records"), names, strict=True), 1):
        years = []
        for col in _year_columns(frame, horizon):
            value = 0.0 if _blank(record.get(col)) else _number(record.get(col))
            if value is None or value < 0:
                issues.append(TableIssue(table, i, col, "places must be zero or more", name))
                value = 0.0
            years.append(value)
        series.append(years or [0.0])
        price = None if _blank(record.get(PRICE)) else _number(record.get(PRICE))
        if price is None or price < 0:
            issues.append(TableIssue(table, i, PRICE, "give a price of zero or more", name))
            price = 0.0
        prices.append(price)
    return series, prices


def _budget_from(
    frame: pd.DataFrame, horizon: int, issues: list[TableIssue]
) -> list[float | None] | None:
    """£ a year (None for a year without a limit); None when no year has a limit."""
    if frame.empty:
        return None
    record = frame.iloc[0].to_dict()
    budget: list[float | None] = []
    for col in _year_columns(frame, horizon):
        if _blank(record.get(col)):
            budget.append(None)
            continue
        value = _number(record.get(col))
        if value is None or value < 0:
            issues.append(TableIssue(BUDGET_TABLE, None, col, "£m must be zero or more"))
            value = 0.0
        budget.append(value * 1e6)
    return None if all(b is None for b in budget) else budget


def _display_bounds(field_name: str, kind: str) -> tuple[float, float, str]:
    lo, hi, _ = BOUNDS[kind]
    if not is_percent(field_name):
        return lo, hi, f"between {lo:g} and {hi:g} (×)"
    return lo * 100, hi * 100, f"between {lo * 100:g}% and {hi * 100:g}%"


def _range_problem(low: float, central: float, high: float) -> str | None:
    """The domain's own wording for a range out of order, or None when it is in order."""
    try:
        Range(low=low, central=central, high=high)
    except ValidationError as exc:
        return "; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors())
    return None


def _override_from(
    i: int,
    record: Mapping[str, object],
    code_of: Mapping[str, str],
    key_of: Mapping[str, str],
    issues: list[TableIssue],
) -> dict | None:
    """One override row as parameter data, or None (with issues) when it is not usable."""
    region, assumption = record.get("Region"), record.get("Assumption")
    label = str(region) if region in code_of else ""
    ok = True
    if region not in code_of:
        issues.append(TableIssue(OVERRIDES_TABLE, i, "Region", "choose a region"))
        ok = False
    if assumption not in key_of:
        issues.append(TableIssue(OVERRIDES_TABLE, i, "Assumption", "choose an assumption", label))
        ok = False
    values = {}
    for col in _VALUE_COLUMNS:
        value = None if _blank(record.get(col)) else _number(record.get(col))
        if value is None:
            issues.append(TableIssue(OVERRIDES_TABLE, i, col, "give a number", label))
            ok = False
        values[col] = value
    if not ok:
        return None
    key = key_of[str(assumption)]
    spec = SPEC_BY_KEY[key]
    low, central, high = (float(values[c]) for c in _VALUE_COLUMNS)  # type: ignore[arg-type]
    lo, hi, text = _display_bounds(spec.field, spec.kind)
    for col, value in zip(_VALUE_COLUMNS, (low, central, high), strict=True):
        if not lo <= value <= hi:
            issues.append(TableIssue(OVERRIDES_TABLE, i, col, f"{value:g} must be {text}", label))
            ok = False
    problem = _range_problem(low, central, high)
    if problem:
        issues.append(TableIssue(OVERRIDES_TABLE, i, "Low, Most likely, High", problem, label))
        ok = False
    if not ok:
        return None
    why = record.get("Why")
    return {
        "region_code": code_of[str(region)],
        "parameter": key,
        "range": {
            "low": from_display(spec.field, low),
            "central": from_display(spec.field, central),
            "high": from_display(spec.field, high),
            "rationale": "" if _blank(why) else str(why),
        },
    }


def _overrides_from(
    frame: pd.DataFrame, region_names: Mapping[str, str], issues: list[TableIssue]
) -> list[dict]:
    code_of = {name: code for code, name in region_names.items()}
    key_of = {s.label: s.key for s in UNCERTAIN}
    out: list[dict] = []
    first_row: dict[tuple[str, str], int] = {}
    for i, record in enumerate(frame.to_dict("records"), start=1):
        if all(_blank(record.get(c)) for c in ("Region", "Assumption", *_VALUE_COLUMNS)):
            continue  # an empty row left by the editor
        override = _override_from(i, record, code_of, key_of, issues)
        if override is None:
            continue
        pair = (override["region_code"], override["parameter"])
        if pair in first_row:
            issues.append(
                TableIssue(
                    OVERRIDES_TABLE,
                    i,
                    "Assumption",
                    f"row {first_row[pair]} already sets this assumption for this region",
                    str(record.get("Region")),
                )
            )
            continue
        first_row[pair] = i
        out.append(override)
    return out


def _issue_from_error(err: Mapping) -> TableIssue:
    """A pydantic error on the assembled parameters, placed in the table it came from."""
    loc = list(err.get("loc", ()))
    message = str(err.get("msg", "")).removeprefix("Value error, ")
    top = str(loc[0]) if loc else ""
    index = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else None
    tables = {
        "places": PLACES_TABLE,
        "cost_per_place": PLACES_TABLE,
        "qi_places": QI_TABLE,
        "qi_cost": QI_TABLE,
        "budget": BUDGET_TABLE,
        "overrides": OVERRIDES_TABLE,
    }
    if top in tables:
        row = index + 1 if index is not None and top != "budget" else None
        return TableIssue(tables[top], row, None, message)
    return TableIssue(INPUTS, None, None, message)  # range messages name the assumption


def params_from_tables(
    params: CapacityParams, inputs: EditorInputs, region_names: Mapping[str, str]
) -> CapacityParams:
    """New parameters from the submitted form: ``params`` with the form's horizon, ranges,
    allocation and tables applied. Raises :class:`EditorTablesInvalid` listing every problem
    (table, row, column) and changes nothing until all of it is valid."""
    issues: list[TableIssue] = []
    horizon = int(inputs.horizon)
    if not 1 <= horizon <= MAX_HORIZON:
        issues.append(
            TableIssue(INPUTS, None, "Years to project", f"choose 1 to {MAX_HORIZON} years")
        )
        horizon = max(1, min(horizon, MAX_HORIZON))
    if inputs.allocation not in ALLOCATION_LABELS:
        issues.append(
            TableIssue(INPUTS, None, "How places are shared", "choose one of the listed rules")
        )
    data = params.model_dump(mode="json")
    data["horizon"] = horizon
    for key, r in inputs.ranges.items():
        spec = SPEC_BY_KEY[key]
        if spec.index is None:
            data[spec.field] = r.model_dump()
        else:
            data[spec.field][spec.index] = r.model_dump()
    data["places"], data["cost_per_place"] = _places_from(inputs.places, horizon, False, issues)
    data["qi_places"], data["qi_cost"] = _places_from(inputs.qi_places, horizon, True, issues)
    data["budget"] = _budget_from(inputs.budget, horizon, issues)
    data["allocation"] = inputs.allocation
    data["overrides"] = _overrides_from(inputs.overrides, region_names, issues)
    if issues:
        raise EditorTablesInvalid(issues)
    try:
        return CapacityParams.model_validate(data)
    except ValidationError as exc:
        raise EditorTablesInvalid([_issue_from_error(e) for e in exc.errors()]) from exc
